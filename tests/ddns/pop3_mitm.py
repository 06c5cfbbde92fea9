#!/usr/bin/env python3
"""tests/ddns/pop3_mitm.py - a man in the middle in front of a real POP3 server.

  pop3_mitm.py --listen ADDR:PORT --to ADDR:PORT --log FILE [--ready FILE]

Relays every byte both ways, except the server's plain-text greeting, whose
APOP timestamp it replaces with its own (or adds one): it never sees anything
under TLS, it only relays the ciphertext. A client that takes the timestamp of
the greeting it read before STLS sends an APOP the server refuses (review 29
F2, adapted from the reviewer's repro). Python 3 stdlib only. Each rewritten
greeting is appended to --log as one JSON line: {"t", "old", "new"}.
"""
import argparse
import json
import re
import socket
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", required=True)
ap.add_argument("--to", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--ready")
args = ap.parse_args()
FORGED = b"<4242.1700000000@mitm.invalid>"


def hostport(x):
    h, _, p = x.rpartition(":")
    return h.strip("[]"), int(p)


def pump(src, dst, rewrite):
    buf = b""
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            if rewrite:
                buf += d
                if b"\r\n" not in buf:
                    continue
                line, rest = buf.split(b"\r\n", 1)
                new = re.sub(rb"<[^>]*>", FORGED, line) if b"<" in line else line + b" " + FORGED
                with open(args.log, "a") as f:
                    f.write(json.dumps({"t": time.time(), "old": line.decode("latin-1"),
                                        "new": new.decode("latin-1")}) + "\n")
                d = new + b"\r\n" + rest
                rewrite = False
            dst.sendall(d)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


h, p = hostport(args.listen)
srv = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((h, p))
srv.listen(8)
if args.ready:
    open(args.ready, "w").write("ready\n")
while True:
    c, _ = srv.accept()
    try:
        u = socket.create_connection(hostport(args.to), timeout=10)
        u.settimeout(None)
    except OSError:
        c.close()
        continue
    threading.Thread(target=pump, args=(u, c, True), daemon=True).start()
    threading.Thread(target=pump, args=(c, u, False), daemon=True).start()
