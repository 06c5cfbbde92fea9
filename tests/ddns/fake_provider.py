#!/usr/bin/env python3
"""tests/ddns/fake_provider.py - a local HTTP(S) server that answers like DDNS providers.

    fake_provider.py --http ADDR:PORT [--https ADDR:PORT --cert PEM --key KEY]
                     --log FILE [--accounts FILE] [--control FILE] [--ready FILE]
                     [--lifetime SECS]

Listens only on the addresses given ("127.0.0.1:8080", "[::1]:8443"; port 0
picks a free port, the ready file then tells which). Python 3 stdlib only.

Accounts (never on the command line): --accounts FILE, lines
    user NAME PASSWORD       a login for Basic auth (MyDNS, dyndns2, No-IP, deSEC) and
                             MID/PWD (MyDNS direct-IP)
    token TOKEN              a DuckDNS token or a Cloudflare API token (Bearer)
    host FQDN                a hostname the account owns (dyndns2, No-IP, deSEC, DuckDNS
                             without the .duckdns.org suffix is also accepted)
    zone NAME                a Cloudflare zone; records are created on demand (POST) for
                             FQDNs under it that are also listed as "host"
    record FQDN TYPE CONTENT a Cloudflare record that exists from the start
A deSEC/dyndns2 login is either a "user" pair or (deSEC style) user = a listed host,
password = a listed token.

Endpoints (by path; the Host header is not checked):
    GET  /login.html                MyDNS HTTP-BASIC (ipv4./ipv6.mydns.jp): 200 HTML with
                                    "login_status = 1" and the source address, 401 on bad auth
    GET  /directip.html             MyDNS direct-IP: MID, PWD, IPV4ADDR|IPV6ADDR
    GET  /nic/update, /v3/update    dyndns2 and No-IP: hostname=h1,h2&myip=ip[,ip6]; one answer
                                    line per host: good IP | nochg IP | nohost | notfqdn;
                                    badauth (401) | badagent (no User-Agent) once
    GET  /update?domains=..         DuckDNS: token, ip, ipv6, verbose -> OK | KO
    GET  /, /update, /nic/update    deSEC (hostname + myipv4/myipv6, Basic user=domain
         with myipv4/myipv6/hostname  pass=token) -> good | badauth (401) | nohost
    *    /client/v4/...             Cloudflare API v4 (Bearer token): zones?name=,
                                    zones/ZID/dns_records?type=&name=, PATCH/PUT/POST records
    GET  /custom/...                custom: answers the control file's "body" (default "good")
    GET  /health                    "ok" (not recorded)

Failure knobs: the control file (JSON, re-read on every request) and the query
parameter "fake" (which wins) select a mode:
    normal   answer as the provider would (default)
    hang     read the request and never answer (until "hang_secs", default 60, or exit)
    reset    read the request and close with a TCP RST
    911      dyndns2/No-IP "911" (HTTP 500 for No-IP style), DuckDNS KO, Cloudflare 5xx JSON
    badauth  the provider's bad-credentials answer (401/403 as the provider does)
    abuse    dyndns2 "abuse"; others: their blocked answer
    nochg    dyndns2 "nochg IP"
    nohost   dyndns2 "nohost"
    5xx      HTTP "status" (default 503) with a short HTML body
    body     HTTP "status" (default 200) with "body" verbatim
Other control keys: "delay" (seconds before answering), "hang_secs", "status", "body".

Every request (except /health) is appended to --log as one JSON line: t (epoch),
method, path, query (raw), args (parsed), authorization (raw header), auth_user
(the decoded Basic user name, never the password), user_agent, host, body (for
PATCH/PUT/POST), src, src_port, dst, dst_port, tls, mode, status, answer.
The log holds the Authorization header as sent: it is the provider's side, keep it
out of a client-side secrets scan.
"""
import argparse
import base64
import http.server
import json
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse

ARGS = None
LOCK = threading.Lock()
STOP = threading.Event()
STATE = {"ips": {}, "cf_records": {}}  # last address per (host, family); cloudflare records
ACCOUNTS = {"users": {}, "tokens": set(), "hosts": set(), "zones": set()}


def load_accounts(path):
    if not path:
        return
    with open(path) as f:
        for line in f:
            parts = line.strip().split(None, 2)
            if not parts or parts[0].startswith("#"):
                continue
            if parts[0] == "user" and len(parts) == 3:
                ACCOUNTS["users"][parts[1]] = parts[2]
            elif parts[0] == "token" and len(parts) >= 2:
                ACCOUNTS["tokens"].add(parts[1])
            elif parts[0] == "host" and len(parts) >= 2:
                ACCOUNTS["hosts"].add(parts[1].lower())
            elif parts[0] == "zone" and len(parts) >= 2:
                ACCOUNTS["zones"].add(parts[1].lower())
            elif parts[0] == "record" and len(parts) == 3:
                name = parts[1].lower()
                typ, content = parts[2].split(None, 1)
                zone = next((z for z in ACCOUNTS["zones"] if name == z or name.endswith("." + z)), "")
                rid = "rid-%d" % (len(STATE["cf_records"]) + 1)
                STATE["cf_records"][rid] = {"id": rid, "zone_id": "zid-" + zone, "name": name, "type": typ,
                                            "content": content, "ttl": 1, "proxied": False}


def creds_ok(user, pw):
    if user is None or pw is None:
        return False
    if user in ACCOUNTS["users"]:
        return ACCOUNTS["users"][user] == pw
    return user.lower() in ACCOUNTS["hosts"] and pw in ACCOUNTS["tokens"]


def control():
    if ARGS.control and os.path.exists(ARGS.control):
        try:
            with open(ARGS.control) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
    return {}


def family(ip):
    return 6 if ":" in ip else 4


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-provider/1"

    def log_message(self, *a):  # quiet: the JSON log is the record
        pass

    # ---- plumbing -------------------------------------------------------------
    def basic(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None, None
        try:
            raw = base64.b64decode(h[6:].strip(), validate=True).decode()
        except Exception:
            return None, None
        user, _, pw = raw.partition(":")
        return user, pw

    def basic_ok(self):
        user, pw = self.basic()
        return creds_ok(user, pw)

    def bearer_ok(self):
        h = self.headers.get("Authorization", "")
        return h.startswith("Bearer ") and h[7:].strip() in ACCOUNTS["tokens"]

    def record(self, status, answer):
        sock = self.connection
        try:
            dst = sock.getsockname()
        except OSError:
            dst = ("", 0)
        user, _ = self.basic()
        rec = {
            "t": round(self.t0, 6),
            "method": self.command,
            "path": self.parsed.path,
            "query": self.parsed.query,
            "args": {k: v for k, v in urllib.parse.parse_qsl(self.parsed.query, keep_blank_values=True)},
            "authorization": self.headers.get("Authorization"),
            "auth_user": user,
            "user_agent": self.headers.get("User-Agent"),
            "host": self.headers.get("Host"),
            "body": self.reqbody.decode(errors="replace") if self.reqbody else None,
            "src": self.client_address[0],
            "src_port": self.client_address[1],
            "dst": dst[0],
            "dst_port": dst[1],
            "tls": isinstance(sock, ssl.SSLSocket),
            "mode": self.mode,
            "status": status,
            "answer": answer,
        }
        with LOCK:
            with open(ARGS.log, "a") as f:
                f.write(json.dumps(rec) + "\n")

    def send(self, status, body, ctype="text/plain", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.record(status, body if isinstance(body, str) else body.decode(errors="replace"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def json(self, status, obj):
        self.send(status, json.dumps(obj), "application/json")

    # ---- dispatch -------------------------------------------------------------
    def handle_any(self):
        self.t0 = time.time()
        self.parsed = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        self.reqbody = self.rfile.read(min(n, 65536)) if n else b""
        if self.parsed.path == "/health":
            self.mode = "health"
            data = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            return
        ctl = control()
        q = dict(urllib.parse.parse_qsl(self.parsed.query, keep_blank_values=True))
        self.q = q
        self.ctl = ctl
        self.mode = q.get("fake") or ctl.get("mode") or "normal"
        if ctl.get("delay"):
            time.sleep(min(float(ctl["delay"]), 60))
        if self.mode == "hang":
            self.record(None, "(hang)")
            STOP.wait(min(float(ctl.get("hang_secs", 60)), ARGS.lifetime))
            self.close_connection = True
            return
        if self.mode == "reset":
            self.record(None, "(reset)")
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            try:
                self.connection.close()
            except OSError:
                pass
            return
        if self.mode == "5xx":
            return self.send(int(ctl.get("status", 503)), "<html><body>Service Unavailable</body></html>\n",
                             "text/html")
        if self.mode == "body":
            return self.send(int(ctl.get("status", 200)), str(ctl.get("body", "")))
        p = self.parsed.path
        if p == "/login.html":
            return self.mydns_login()
        if p == "/directip.html":
            return self.mydns_directip()
        if p.startswith("/client/v4/"):
            return self.cloudflare(p[len("/client/v4/"):])
        if p.startswith("/custom"):
            return self.custom()
        if p == "/update" and "domains" in q:
            return self.duckdns()
        if p in ("/", "/update", "/nic/update") and ("myipv4" in q or "myipv6" in q):
            return self.desec()
        if p in ("/nic/update", "/v3/update"):
            return self.dyndns2()
        if p in ("/", "/update") and "hostname" in q:
            return self.desec()
        return self.send(404, "not found\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    # ---- providers ------------------------------------------------------------
    def mydns_login(self):
        src = self.client_address[0]
        if self.mode == "badauth" or not self.basic_ok():
            return self.send(401, "<html><body>401 Authorization Required</body></html>\n", "text/html",
                             {"WWW-Authenticate": 'Basic realm="MyDNS.JP"'})
        if self.mode == "abuse":
            return self.send(403, "<html><body>403 Forbidden</body></html>\n", "text/html")
        if self.mode == "911":
            return self.send(500, "<html><body>500 Internal Server Error</body></html>\n", "text/html")
        user, _ = self.basic()
        STATE["ips"][(user, family(src))] = src
        return self.send(200, "<html><head><title>MyDNS.JP</title></head><body>\n"
                         "<DT>MASTERID :</DT><DD>%s</DD>\n<DT>REMOTE ADDRESS:</DT><DD>%s</DD>\n"
                         "<DT>ACCESS DAYTIME:</DT><DD>%s</DD>\n<!-- login_status = 1 -->\n"
                         "Login and IP address notify OK.\n</body></html>\n"
                         % (user, src, time.strftime("%Y/%m/%d %H:%M:%S")), "text/html")

    def mydns_directip(self):
        q = self.q
        mid, pw = q.get("MID", ""), q.get("PWD", "")
        ip = q.get("IPV4ADDR") or q.get("IPV6ADDR") or ""
        if self.mode == "badauth" or ACCOUNTS["users"].get(mid) != pw or not mid:
            return self.send(401, "<html><body>401 Authorization Required</body></html>\n", "text/html")
        if self.mode == "911":
            return self.send(500, "<html><body>500 Internal Server Error</body></html>\n", "text/html")
        if not ip:
            return self.send(400, "<html><body>400 Bad Request</body></html>\n", "text/html")
        STATE["ips"][(mid, family(ip))] = ip
        return self.send(200, "<html><body>\n<!-- login_status = 1 -->\nIP address notify OK. %s\n"
                         "</body></html>\n" % ip, "text/html")

    def dyndns2(self):
        q = self.q
        if not self.headers.get("User-Agent"):
            return self.send(200, "badagent\n")
        if self.mode == "badauth" or not self.basic_ok():
            return self.send(401, "badauth\n")
        if self.mode == "911":
            return self.send(500, "911\n")
        if self.mode == "abuse":
            return self.send(200, "abuse\n")
        hosts = [h for h in q.get("hostname", "").split(",") if h]
        if not hosts:
            return self.send(200, "notfqdn\n")
        myip = q.get("myip") or self.client_address[0]
        lines = []
        for h in hosts:
            if self.mode == "nohost" or h.lower() not in ACCOUNTS["hosts"]:
                lines.append("nohost")
            elif "." not in h:
                lines.append("notfqdn")
            else:
                key = (h.lower(), myip)
                if self.mode == "nochg" or STATE["ips"].get(key):
                    lines.append("nochg " + myip)
                else:
                    STATE["ips"][key] = True
                    lines.append("good " + myip)
        return self.send(200, "\n".join(lines) + "\n")

    def duckdns(self):
        q = self.q
        token = q.get("token", "")
        domains = [d for d in q.get("domains", "").split(",") if d]
        ok = (self.mode not in ("badauth", "911", "abuse") and token in ACCOUNTS["tokens"] and domains and
              all(d.lower() in ACCOUNTS["hosts"] or d.lower() + ".duckdns.org" in ACCOUNTS["hosts"]
                  for d in domains))
        if not ok:
            return self.send(200, "KO")
        ip = q.get("ip") or (self.client_address[0] if family(self.client_address[0]) == 4 else "")
        ip6 = q.get("ipv6", "")
        changed = False
        for d in domains:
            for fam, a in ((4, ip), (6, ip6)):
                if a and STATE["ips"].get((d, fam)) != a:
                    STATE["ips"][(d, fam)] = a
                    changed = True
        if self.mode == "nochg":
            changed = False
        if q.get("verbose") == "true":
            return self.send(200, "OK\n%s\n%s\n%s" % (ip, ip6, "UPDATED" if changed else "NOCHANGE"))
        return self.send(200, "OK")

    def desec(self):
        q = self.q
        user, pw = self.basic()
        if user is None:  # deSEC also takes username/password query parameters
            user, pw = q.get("username"), q.get("password")
        if self.mode == "badauth" or not creds_ok(user, pw):
            return self.send(401, "badauth")
        if self.mode == "abuse":
            return self.send(429, "Request was throttled.")
        if self.mode == "911":
            return self.send(503, "911")
        host = (q.get("hostname") or user).lower()
        if self.mode == "nohost" or host not in ACCOUNTS["hosts"]:
            return self.send(404, "nohost")
        for fam, k in ((4, "myipv4"), (6, "myipv6"), (0, "myip")):
            for a in q.get(k, "").split(","):
                if a and a != "preserve":
                    STATE["ips"][(host, fam or family(a))] = a
        return self.send(200, "good")

    def cloudflare(self, rest):
        if self.mode == "badauth" or not self.bearer_ok():
            return self.json(403, {"success": False, "errors": [{"code": 9109, "message": "Invalid access token"}],
                                   "messages": [], "result": None})
        if self.mode == "911":
            return self.json(500, {"success": False, "errors": [{"code": 10000, "message": "Internal error"}],
                                   "messages": [], "result": None})
        if self.mode == "abuse":
            return self.json(429, {"success": False, "errors": [{"code": 971, "message": "Please wait and consider "
                                   "throttling your request speed"}], "messages": [], "result": None})
        parts = rest.strip("/").split("/")
        q = self.q
        ok = lambda result: self.json(200, {"success": True, "errors": [], "messages": [], "result": result})
        if parts == ["zones"]:
            name = q.get("name", "").lower()
            res = [{"id": "zid-" + name, "name": name}] if name in ACCOUNTS["zones"] else []
            return ok(res)
        if len(parts) >= 3 and parts[0] == "zones" and parts[2] == "dns_records":
            zone = parts[1][4:] if parts[1].startswith("zid-") else None
            if zone not in ACCOUNTS["zones"]:
                return self.json(404, {"success": False, "errors": [{"code": 7003, "message": "Could not route "
                                       "to /zones/%s, perhaps your object identifier is invalid?" % parts[1]}],
                                       "messages": [], "result": None})
            recs = STATE["cf_records"]
            if len(parts) == 3 and self.command == "GET":
                name, typ = q.get("name", "").lower(), q.get("type", "")
                return ok([r for r in recs.values() if r["name"] == name and (not typ or r["type"] == typ)])
            try:
                body = json.loads(self.reqbody or b"{}")
            except ValueError:
                return self.json(400, {"success": False, "errors": [{"code": 9207, "message": "Request body is "
                                       "invalid."}], "messages": [], "result": None})
            if len(parts) == 3 and self.command == "POST":
                name = str(body.get("name", "")).lower()
                if name not in ACCOUNTS["hosts"] or not name.endswith(zone):
                    return self.json(400, {"success": False, "errors": [{"code": 9005, "message": "Content for "
                                           "record is invalid"}], "messages": [], "result": None})
                rid = "rid-%d" % (len(recs) + 1)
                recs[rid] = {"id": rid, "zone_id": parts[1], "name": name, "type": body.get("type", "A"),
                             "content": body.get("content", ""), "ttl": body.get("ttl", 1), "proxied": False}
                return ok(recs[rid])
            if len(parts) == 4 and self.command in ("PATCH", "PUT"):
                r = recs.get(parts[3])
                if not r:
                    return self.json(404, {"success": False, "errors": [{"code": 81044, "message": "Record does "
                                           "not exist."}], "messages": [], "result": None})
                for k in ("content", "ttl", "proxied", "name", "type"):
                    if k in body:
                        r[k] = body[k]
                return ok(r)
        return self.json(404, {"success": False, "errors": [{"code": 7000, "message": "No route for that URI"}],
                               "messages": [], "result": None})

    def custom(self):
        if self.mode == "badauth":
            return self.send(200, self.ctl.get("badauth_body", "badauth"))
        if self.mode == "911":
            return self.send(200, "911")
        if self.mode == "abuse":
            return self.send(200, "abuse")
        if self.mode == "nochg":
            return self.send(200, self.ctl.get("nochg_body", "nochg"))
        return self.send(int(self.ctl.get("status", 200)), str(self.ctl.get("body", "good")))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls_ctx = None

    def __init__(self, addr, port, tls_ctx):
        self.address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.tls_ctx = tls_ctx
        super().__init__((addr, port), Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)

    def finish_request(self, request, client_address):
        # TLS handshake in the request's own thread, so a silent client blocks nobody
        if self.tls_ctx:
            request.settimeout(30)
            try:
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            request.settimeout(None)
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        pass  # resets and hangs are part of the game


def split_addr(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--http", action="append", default=[])
    ap.add_argument("--https", action="append", default=[])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--log", required=True)
    ap.add_argument("--accounts")
    ap.add_argument("--control")
    ap.add_argument("--ready")
    ap.add_argument("--lifetime", type=float, default=600)
    ARGS = ap.parse_args()
    load_accounts(ARGS.accounts)
    ctx = None
    if ARGS.https:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
    servers = []
    for spec, tls in [(s, None) for s in ARGS.http] + [(s, ctx) for s in ARGS.https]:
        a, p = split_addr(spec)
        srv = Server(a, p, tls)
        servers.append((srv, "https" if tls else "http", a, srv.server_address[1]))
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    open(ARGS.log, "a").close()
    if ARGS.ready:
        tmp = ARGS.ready + ".tmp"
        with open(tmp, "w") as f:
            for _, scheme, a, p in servers:
                f.write("%s %s %d\n" % (scheme, a, p))
        os.rename(tmp, ARGS.ready)
    try:
        STOP.wait(ARGS.lifetime)
    except KeyboardInterrupt:
        pass
    STOP.set()
    for srv, *_ in servers:
        srv.shutdown()


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *a: STOP.set())
    main()
