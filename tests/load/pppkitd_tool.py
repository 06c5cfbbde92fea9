#!/usr/bin/env python3
"""pppkitd_tool.py - helpers of tests/load/pppkitd.test.sh.

  notify PATH OUT     bind a unix datagram socket at PATH (NOTIFY_SOCKET) and
                      append each sd_notify datagram to OUT, one per line
                      (newlines inside a datagram become '|')
  send PATH KIND[,KIND...] PID
                      send event datagrams to pppkitd's event socket:
                      ipup      a well-formed ip-up for PID, address 198.51.100.66
                      badmagic  the same with a wrong magic
                      oversize  600 bytes
                      wrongpid  a well-formed hello that claims PID (not ours)
  hello PATH NAME SECONDS
                      send a hello for our own pid naming the peer NAME (as
                      "pppd call NAME" would), then live SECONDS more; we are
                      python3, not pppd (pppkitd must not adopt us)
  sniff IFACE OUT     append every PPPoE discovery frame (ethertype 0x8863)
                      arriving on IFACE to OUT, as one line of hex per frame
The wire format is supervisor/core/event_codec.hpp's, written here
independently of the C++ encoder.
"""
import os
import socket
import struct
import sys
import time


def tlv(tag, value):
    return bytes([tag, len(value)]) + value


def message(mtype, pid, extra=b"", magic=b"PK"):
    payload = tlv(1, struct.pack(">I", pid)) + extra
    return magic + bytes([1, mtype]) + struct.pack(">H", len(payload)) + payload


def main():
    if sys.argv[1] == "notify":
        path, out = sys.argv[2], sys.argv[3]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        with open(out, "a", buffering=1) as f:
            while True:
                data = s.recv(4096)
                f.write(data.decode(errors="replace").replace("\n", "|") + "\n")
    if sys.argv[1] == "send":
        path, kinds, pid = sys.argv[2], sys.argv[3], int(sys.argv[4])
        ipup = tlv(3, b"ppp0") + tlv(5, bytes([198, 51, 100, 66])) + tlv(9, struct.pack(">H", 1400))
        make = {
            "ipup": lambda: message(3, pid, ipup),
            "badmagic": lambda: message(3, pid, ipup, magic=b"XK"),
            "oversize": lambda: message(3, pid, ipup) + b"\0" * 600,
            "wrongpid": lambda: message(1, pid),
        }
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for kind in kinds.split(","):  # back to back: within one rate-limit window
            s.sendto(make[kind](), path)
        return
    if sys.argv[1] == "hello":
        path, name, secs = sys.argv[2], sys.argv[3], float(sys.argv[4])
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(message(1, os.getpid(), tlv(2, name.encode())), path)
        time.sleep(secs)
        return
    if sys.argv[1] == "sniff":
        iface, out = sys.argv[2], sys.argv[3]
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x8863))
        s.bind((iface, 0x8863))
        with open(out, "a", buffering=1) as f:
            f.write("listening\n")
            while True:
                f.write(s.recv(2048).hex() + "\n")
    sys.exit("usage: pppkitd_tool.py notify PATH OUT | send PATH KIND PID | hello PATH NAME SECONDS | sniff IFACE OUT")


if __name__ == "__main__":
    main()
