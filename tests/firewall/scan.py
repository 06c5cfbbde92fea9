#!/usr/bin/env python3
"""scan.py ADDR PORTSPEC TIMEOUT

Scans ADDR on every port of PORTSPEC ("1-1024,1701,18080"), TCP and UDP, all
at once (asyncio), each probe bounded by TIMEOUT seconds. Prints one line per
port that answered: "tcp PORT open", "tcp PORT refused" (an RST: something
routed it), "udp PORT answer ..." or "udp PORT refused" (ICMP port
unreachable). Silent ports (dropped) print nothing. Last line:
"scanned N tcp, N udp". Exit 0."""
import asyncio
import resource
import socket
import sys

addr, spec, tmo = sys.argv[1], sys.argv[2], float(sys.argv[3])
ports = []
for part in spec.split(","):
    if "-" in part:
        lo, hi = part.split("-")
        ports.extend(range(int(lo), int(hi) + 1))
    else:
        ports.append(int(part))
ports = sorted(set(ports))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))


async def tcp(port, sem):
    async with sem:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(addr, port), tmo)
            w.close()
            return f"tcp {port} open"
        except ConnectionRefusedError:
            return f"tcp {port} refused"
        except (asyncio.TimeoutError, OSError):
            return None


class Udp(asyncio.DatagramProtocol):
    def __init__(self, fut):
        self.fut = fut

    def connection_made(self, t):
        t.sendto(b"scan")

    def datagram_received(self, data, _):
        if not self.fut.done():
            self.fut.set_result("answer " + data.decode(errors="replace"))

    def error_received(self, exc):
        if not self.fut.done():
            self.fut.set_result("refused")


async def udp(port, sem):
    async with sem:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        t, _ = await loop.create_datagram_endpoint(lambda: Udp(fut), remote_addr=(addr, port))
        try:
            res = await asyncio.wait_for(fut, tmo)
            return f"udp {port} {res}"
        except asyncio.TimeoutError:
            return None
        finally:
            t.close()


async def main():
    sem = asyncio.Semaphore(3000)
    res = await asyncio.gather(*[tcp(p, sem) for p in ports], *[udp(p, sem) for p in ports])
    for r in res:
        if r:
            print(r)
    print(f"scanned {len(ports)} tcp, {len(ports)} udp")


asyncio.run(main())
