#!/usr/bin/env python3
"""tests/ddns/hostile_pop3.py - a POP3 server that lies, for the worker's netns tests.

  hostile_pop3.py --listen ADDR:PORT --cert PEM --key KEY --log FILE --mode MODE [--ready FILE]

Serves connections one after another until killed. Python 3 stdlib only.
Modes:
  inject  STARTTLS response injection (CVE-2021-22947 class): answers CAPA with
          STLS, answers STLS with "+OK Begin TLS\\r\\n+OK\\r\\n+OK\\r\\n" in one
          segment, then speaks TLS and answers every command with -ERR. A client
          that reads the two plain-text +OK as answers over TLS "logs in".
  stall   sends the greeting, then reads and never answers (to look at a
          running client).
  capaflood answers CAPA with "+OK" and then capability lines without end
          (never the final "."): a client must give up after a bounded
          listing, not collect lines until its deadline.
  strip   an honest server with STLS on the first connection (CAPA lists it,
          TLS follows, the login over TLS succeeds); on every later one CAPA
          no longer lists STLS and USER/PASS are taken in plain text: what an
          attacker on the path who deletes "STLS" from the listing sees.
Every connection and every client line (PASS/APOP arguments replaced by "***")
is appended to --log as one JSON line: {"src", "tls", "line"}.
"""
import argparse
import json
import socket
import ssl
import time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", required=True)
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--mode", choices=["inject", "stall", "capaflood", "strip"], required=True)
ap.add_argument("--ready")
args = ap.parse_args()

host, _, port = args.listen.rpartition(":")
host = host.strip("[]")
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
srv = socket.socket(fam, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, int(port)))
srv.listen(8)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
if args.ready:
    open(args.ready, "w").write("ready\n")


def log(src, tls, line):
    if line.upper().startswith(("PASS ", "APOP ")):
        line = line.split(" ")[0] + " ***"
    with open(args.log, "a") as f:
        f.write(json.dumps({"t": time.time(), "src": src, "tls": tls, "line": line}) + "\n")


def lines(f):
    for raw in f:
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


served = 0


def login(send, line):
    """strip: a POP3 login that succeeds (USER, PASS/APOP, QUIT)."""
    cmd = line.split(" ")[0].upper()
    if cmd == "QUIT":
        send(b"+OK bye\r\n")
        return True
    send(b"+OK\r\n" if cmd in ("USER", "PASS", "APOP", "NOOP") else b"-ERR no\r\n")
    return False


def serve(conn, src):
    global served
    served += 1
    conn.sendall(b"+OK hostile POP3 ready <1234.5678@hostile.test>\r\n")
    log(src, False, "(connected)")
    f = conn.makefile("rb")
    if args.mode == "stall":
        for line in lines(f):
            log(src, False, line)
        return
    for line in lines(f):
        log(src, False, line)
        cmd = line.split(" ")[0].upper()
        if cmd == "CAPA" and args.mode == "capaflood":
            conn.sendall(b"+OK\r\nSTLS\r\n")
            chunk = b"X-CAPA\r\n" * 4096
            try:
                while True:
                    conn.sendall(chunk)
            except OSError:
                log(src, False, "(the client closed the flood)")
            return
        if args.mode == "strip" and served > 1:
            if cmd == "CAPA":
                conn.sendall(b"+OK\r\nUSER\r\n.\r\n")
            elif login(conn.sendall, line):
                return
            continue
        if cmd == "CAPA":
            conn.sendall(b"+OK\r\nUSER\r\nSTLS\r\n.\r\n")
        elif cmd == "STLS" and args.mode == "strip":
            conn.sendall(b"+OK Begin TLS\r\n")
            break
        elif cmd == "STLS":
            # the injection: two answers queued in plain text behind the STLS reply
            conn.sendall(b"+OK Begin TLS\r\n+OK\r\n+OK\r\n")
            break
        else:
            conn.sendall(b"-ERR no\r\n")
    else:
        return
    try:
        t = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        log(src, False, "(handshake failed: %s)" % e)
        return
    tf = t.makefile("rb")
    for line in lines(tf):
        log(src, True, line)
        if args.mode == "strip":
            if login(t.sendall, line):
                break
            continue
        t.sendall(b"-ERR not over TLS\r\n")
        if line.upper() == "QUIT":
            break


while True:
    conn, peer = srv.accept()
    conn.settimeout(120)
    try:
        serve(conn, peer[0])
    except OSError:
        pass
    finally:
        conn.close()
