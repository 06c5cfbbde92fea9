#!/usr/bin/env python3
"""nflog_reader.py GROUP LIFE_SECS

Binds nfnetlink_log group GROUP in the current network namespace and prints
one line per logged packet: "PREFIX|SRC|DST|PROTO|DPORT". pppkit's log
statements use "log group N" when [firewall] log-group > 0; the kernel log
(printk) of a non-initial namespace is suppressed unless the host sets
net.netfilter.nf_log_all_netns=1, so the namespace tests read the log this
way instead. Prints "ready" once bound. Exits after LIFE_SECS."""
import socket
import struct
import sys
import time

group, life = int(sys.argv[1]), float(sys.argv[2])
NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE = 1, 2
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_PAYLOAD, NFULA_PREFIX = 9, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def config(sock, seq, attrs):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(group)) + attrs
    hdr = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    sock.send(hdr + body)
    ack = sock.recv(4096)
    err = struct.unpack_from("=i", ack, 16)[0]
    if err != 0:
        sys.exit(f"nflog config failed: errno {-err}")


s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
s.bind((0, 0))
config(s, 1, attr(NFULA_CFG_CMD, struct.pack("=B", NFULNL_CFG_CMD_BIND)))
config(s, 2, attr(NFULA_CFG_MODE, struct.pack("!IBB", 128, NFULNL_COPY_PACKET, 0)))
print("ready", flush=True)
end = time.monotonic() + life
while time.monotonic() < end:
    s.settimeout(max(0.05, end - time.monotonic()))
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    off = 0
    while off + 16 <= len(data):
        ln, typ = struct.unpack_from("=IH", data, off)
        if ln < 16:
            break
        if typ & 0xFF == NFULNL_MSG_PACKET and typ >> 8 == NFNL_SUBSYS_ULOG:
            prefix, payload = "", b""
            a = off + 16 + 4
            while a + 4 <= off + ln:
                alen, atyp = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                val = data[a + 4:a + alen]
                if atyp & 0x7FFF == NFULA_PREFIX:
                    prefix = val.rstrip(b"\0").decode(errors="replace")
                elif atyp & 0x7FFF == NFULA_PAYLOAD:
                    payload = val
                a += (alen + 3) & ~3
            src = dst = proto = dport = ""
            if len(payload) >= 20 and payload[0] >> 4 == 4:
                ihl = (payload[0] & 15) * 4
                proto = str(payload[9])
                src = socket.inet_ntoa(payload[12:16])
                dst = socket.inet_ntoa(payload[16:20])
                if payload[9] in (6, 17) and len(payload) >= ihl + 4:
                    dport = str(struct.unpack_from("!H", payload, ihl + 2)[0])
            elif len(payload) >= 40 and payload[0] >> 4 == 6:
                proto = str(payload[6])
                src = socket.inet_ntop(socket.AF_INET6, payload[8:24])
                dst = socket.inet_ntop(socket.AF_INET6, payload[24:40])
                if payload[6] in (6, 17) and len(payload) >= 44:
                    dport = str(struct.unpack_from("!H", payload, 42)[0])
            print(f"{prefix}|{src}|{dst}|{proto}|{dport}", flush=True)
        off += (ln + 3) & ~3
