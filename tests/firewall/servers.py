#!/usr/bin/env python3
"""servers.py NAME ADDR LIFE_SECS tcp:PORT... udp:PORT...

Real listeners for the firewall tests. Every TCP connection gets one line
"NAME PEER_IP\n"; every UDP datagram is answered with "NAME PEER_IP DATA".
So a client learns which server it reached and which source address the
server saw (masquerade, reflection). Each one is also logged on stdout as
"conn tcp|udp PORT PEER_IP". Exits after LIFE_SECS (bounded)."""
import selectors
import socket
import sys
import time

name, addr, life = sys.argv[1], sys.argv[2], float(sys.argv[3])
sel = selectors.DefaultSelector()
for spec in sys.argv[4:]:
    proto, port = spec.split(":")
    if proto == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        s.listen(64)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, int(port)))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, proto)
print("ready", flush=True)
end = time.monotonic() + life
while time.monotonic() < end:
    for key, _ in sel.select(timeout=max(0.05, min(1.0, end - time.monotonic()))):
        s = key.fileobj
        try:
            if key.data == "tcp":
                c, peer = s.accept()
                print(f"conn tcp {s.getsockname()[1]} {peer[0]}", flush=True)
                c.settimeout(1)
                try:
                    c.sendall(f"{name} {peer[0]}\n".encode())
                finally:
                    c.close()
            else:
                data, peer = s.recvfrom(2048)
                print(f"conn udp {s.getsockname()[1]} {peer[0]}", flush=True)
                s.sendto(f"{name} {peer[0]} ".encode() + data, peer)
        except OSError:
            pass
