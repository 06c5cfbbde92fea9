#!/usr/bin/env python3
"""probe.py tcp|udp ADDR PORT [TIMEOUT [SRC]]

One real connection attempt. Prints the server's answer ("NAME PEER_IP")
and exits 0, or prints "closed"/"refused"/"timeout" and exits 1."""
import socket
import sys

proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
tmo = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
src = (sys.argv[5], 0) if len(sys.argv) > 5 else None
try:
    if proto == "tcp":
        s = socket.create_connection((addr, port), timeout=tmo, source_address=src)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
        s.close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(tmo)
        if src:
            s.bind(src)
        s.connect((addr, port))
        s.send(b"ping")
        data = s.recv(2048)
    text = data.decode(errors="replace").strip()
    print(text)
    sys.exit(0 if text else 1)
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError as e:
    print(f"error {e}")
sys.exit(1)
