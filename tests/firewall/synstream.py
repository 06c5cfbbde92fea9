#!/usr/bin/env python3
"""synstream.py SRC TARGETS INTERVAL_MS MAX_SECS STOPFILE

From the ISP side of the lab: opens a TCP connection attempt (one SYN, then
the kernel's retransmits) to every target ("ip:port,ip:port") every
INTERVAL_MS from source address SRC (outside pppkit's egress guard, so that
an exposed port's answer could come back), without pause, from before the link exists until STOPFILE
appears (or MAX_SECS). Each attempt is watched for 1 s:
  accepted  the handshake completed (SYN-ACK): the port was exposed
  refused   an RST came back: the packet reached a stack that answered
  unreach   ICMP unreachable came back (a reject)
  nort      no route yet (the link was not up): nothing was sent
  silent    nothing came back in 1 s (dropped: what the firewall must do)
Prints one summary line per target and a total:
  "TARGET sent=N accepted=N refused=N unreach=N silent=N nort=N first_sent=T"
(T: seconds from start to the first attempt that had a route)."""
import errno
import select
import socket
import sys
import time
import os

src = sys.argv[1]
targets = [(t.rsplit(":", 1)[0], int(t.rsplit(":", 1)[1])) for t in sys.argv[2].split(",")]
interval = float(sys.argv[3]) / 1000
max_secs = float(sys.argv[4])
stopfile = sys.argv[5]
stats = {t: dict(sent=0, accepted=0, refused=0, unreach=0, silent=0, nort=0, first_sent=None) for t in targets}
inflight = []  # (socket, target, started)
poller = select.poll()
start = time.monotonic()
next_round = start
print("ready", flush=True)
while time.monotonic() - start < max_secs and not os.path.exists(stopfile):
    now = time.monotonic()
    if now >= next_round:
        next_round = now + interval
        for t in targets:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
            s.bind((src, 0))
            rc = s.connect_ex(t)
            if rc in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
                stats[t]["nort"] += 1
                s.close()
                continue
            stats[t]["sent"] += 1
            if stats[t]["first_sent"] is None:
                stats[t]["first_sent"] = now - start
            if rc == 0:
                stats[t]["accepted"] += 1
                s.close()
                continue
            poller.register(s, select.POLLOUT)
            inflight.append((s, t, now))
    for fd, _ in poller.poll(max(0, int((next_round - time.monotonic()) * 1000))):
        for i, (s, t, _) in enumerate(inflight):
            if s.fileno() == fd:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                key = "accepted" if err == 0 else "refused" if err == errno.ECONNREFUSED else "unreach"
                stats[t][key] += 1
                poller.unregister(s)
                s.close()
                del inflight[i]
                break
    now = time.monotonic()
    keep = []
    for s, t, st in inflight:
        if now - st > 1.0:
            stats[t]["silent"] += 1
            poller.unregister(s)
            s.close()
        else:
            keep.append((s, t, st))
    inflight = keep
for s, t, _ in inflight:
    stats[t]["silent"] += 1
for t in targets:
    st = stats[t]
    fs = "-" if st["first_sent"] is None else "%.2f" % st["first_sent"]
    print(f"{t[0]}:{t[1]} sent={st['sent']} accepted={st['accepted']} refused={st['refused']} "
          f"unreach={st['unreach']} silent={st['silent']} nort={st['nort']} first_sent={fs}")
