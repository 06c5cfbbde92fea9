#!/usr/bin/env python3
"""seeds.py: writes the committed seed corpora, tests/fuzz/corpus/<target>/.

Seeds are the configurations, scripts and recorded answers in the tree, and
the hostile inputs named in issues 11, 12, 14 and 15. Run it again after
adding a seed here; the files are named by content so reruns are stable.
Files named found-* are inputs a fuzz run found (copied from
build/fuzz/artifacts/<target>/): this script keeps them.
"""
import hashlib
import pathlib

top = pathlib.Path(__file__).resolve().parents[2]
corpus = top / "tests/fuzz/corpus"


def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)


def tree(*globs):
    for g in globs:
        for p in sorted(top.glob(g)):
            yield p.name, p.read_bytes()


for t in ("config", "firewall", "extras", "import", "ddns_dyndns2", "ddns_cloudflare", "ddns_duckdns",
          "ddns_mydns", "ddns_custom", "pop3", "ddns_state", "secrets"):
    for f in (corpus / t).glob("*"):
        if not f.name.startswith("found-"):
            f.unlink()

# ---- configuration: config and firewall share the seeds ---------------------
FW = "[firewall]\nlan-interfaces = eth1\nlan-networks = 192.168.1.0/24\n"
configs = [(n, b) for n, b in tree("etc/pppkit.conf", "etc/examples/*.conf", "plugins/*/*.conf.example",
                                   "tests/firewall/lab-firewall.conf")]
hostile = {
    # issue 12 §1: octal prefix widens a forward; -0 prefix; NUL in a value
    "i12-octal-prefix": FW + '[forward "rdp"]\nproto = tcp\nport = 3389\nto = 192.168.1.20\nfrom = 198.51.100.0/024\n',
    "i12-negative-zero": "[firewall]\nlan-interfaces = eth1\nlan-networks = 0.0.0.0/-0\n",
    "i12-nul-in-value": "[firewall]\nlan-interfaces = eth1\nlan-networks = 172.16.0.0\0junk/16\n",
    # issue 12 §2: keys read as something else
    "i12-semicolon-key": "[mss]\nmss ;note = 1400\n",
    "i12-vt-key": "[firewall]\nwan\v= ppp0\nlan-interfaces = eth1\nlan-networks = 192.168.1.0/24\n",
    # issue 14/15: a 16-byte interface pattern, nft's special characters in a name
    "i15-long-pattern": "[firewall]\nwan = enx00e04c680123*\nlan-interfaces = eth1\nlan-networks = 192.168.1.0/24\n",
    "i14-brace-ifname": "[firewall]\nwan = ppp}0\nlan-interfaces = eth1\nlan-networks = 192.168.1.0/24\n",
    "quote-in-extras-path": FW + 'extras = /etc/ppp/x".nft\n',
    "quote-in-log-prefix": FW + 'log-prefix = a"b\n',
    # issue 9 §2: duration overflow
    "i9-duration-overflow": '[ddns "d"]\nprovider = duckdns\ntoken = t\nhostname = h.duckdns.org\n'
                            "keepalive = 9223372036854775807d\n",
    "i9-duration-overflow-m": '[ddns "d"]\nprovider = duckdns\ntoken = t\nhostname = h.duckdns.org\n'
                              "min-interval = 153722867280912931m\n",
    # issue 12 §6: control bytes that reach a request
    "i12-pop3-user-cr": '[ddns "m"]\nprovider = mydns-pop3\nusername = mrose\rDELE 1\npassword = p\n',
    "i12-url-control": '[ddns "c"]\nprovider = custom\nurl = https://x.example/u?h={hostname}\x01 HTTP/1.1\n'
                       "hostname = h.example.org\nsuccess = good\n",
    "i12-path-control": '[ddns "y"]\nprovider = dyndns2\nusername = u\npassword = p\nhostname = h.example.org\n'
                        "path = /nic/update\x1b[2J\n",
    "cloudflare": '[ddns "cf"]\nprovider = cloudflare\ntoken = t\nzone = example.org\nrecord = home.example.org\n'
                  "hostname = home.example.org\n",
    "forward-range": FW + '[forward "games"]\nproto = udp\nport = 27015-27030\nto = 192.168.1.30\n',
    "forward-to-port": FW + '[forward "web"]\nproto = tcp\nport = 8443\nto = 192.168.1.10:443\nfrom = 203.0.113.0/24, 2001:db8::/32\n',
}
for n, b in configs:
    put("config", b, "tree-" + n)
    put("firewall", b, "tree-" + n)
for n, b in hostile.items():
    put("config", b, n)
    put("firewall", b, n)

# ---- the extras file ----------------------------------------------------------
for n, b in tree("etc/examples/*.nft"):
    put("extras", b, "tree-" + n)
put("extras", "set s {\n elements = {./}\n}\nset s {\n type ipv4_addr\n flags interval\n elements = { 4 }\n}\n",
    "i14-nft-assert")
put("extras", "chain extra {\n    ip saddr 203.0.113.66 drop\n}", "i12-no-final-newline")
put("extras", 'include "/etc/passwd"\n', "i14-include")
put("extras", "chain extra_input {\n    tcp dport 8080 accept # comment\n}\n", "comment")
put("extras", "}\ntable ip evil {\n}\ntable inet pppkit_fw {\n", "escape-table")

# ---- the iptables importer ------------------------------------------------------
for n, b in tree("tests/firewall/seed-iptables.sh", "tests/firewall/extra-rules.save"):
    put("import", b, "tree-" + n)
put("import", "iptables -A INPUT -i eth1 -p tcp --dport ssh -j ACCEPT\n", "i12-named-port-ssh")
put("import", "iptables -A INPUT -i eth1 -p udp --dport domain -j ACCEPT\n", "i12-named-port-domain")
put("import", "iptables -A FORWARD -i br+ -o ppp0 -j ACCEPT\n", "i12-wildcard-iface")
put("import", "iptables -t nat -A POSTROUTING -s 192.168.1.1 -o ppp0 -j MASQUERADE\n", "i12-masq-one-host")
put("import", "*nat\n-A PREROUTING -i ppp0 -p tcp --dport 3389 -s 198.51.100.0/024 -j DNAT "
              "--to-destination 192.168.1.20\nCOMMIT\n", "octal-prefix-dnat")

# ---- DDNS answers: an optional "STATUS\n" line, then the body --------------------
fx = {n: b for n, b in tree("tests/ddns-fixtures/*") if n != "README.md"}
for n, b in fx.items():
    if n.startswith("cloudflare"):
        put("ddns_cloudflare", b, "fixture-" + n)
    elif n.startswith("mydns"):
        put("ddns_mydns", b, "fixture-" + n)
    else:
        for t in ("ddns_dyndns2", "ddns_custom", "ddns_mydns"):
            put(t, b"502\n" + b, "fixture-" + n)
for body in ("good 203.0.113.7\n", "nochg 203.0.113.7\n", "badauth\n", "nohost\n", "notfqdn\n", "abuse\n",
             "911\n", "dnserr\n", "good 203.0.113.7\ngood 203.0.113.7\nnohost\n", "badagent\n", "!donator\n",
             "good 2001:db8::7\n"):
    put("ddns_dyndns2", body)
    put("ddns_custom", body)
put("ddns_dyndns2", "good 203.0.113.7\x1b[2J\n", "i12-escape")
put("ddns_dyndns2", "good 203.0.113.7" + "A" * 4000 + "\n", "i12-long-echo")
put("ddns_custom", "good 203.0.113.7\x1b[2J\n", "i12-escape")
for body in ("OK", "KO", "OK\n203.0.113.7\n\nUPDATED", "OK\x1b[31m", "500\nKO"):
    put("ddns_duckdns", body)
put("ddns_cloudflare", '{"success":false,"errors":[{"code":1e300}]}', "i12-code-1e300")
put("ddns_cloudflare", '{"success":false,"errors":[{"code":-1e300,"message":"x"}]}', "code-minus-1e300")
put("ddns_cloudflare", '{"success":true,"result":[{"id":"abc","content":"203.0.113.7\\nJan 01 00:00:00 router '
                       'pppkit: fake line"}]}', "i12-content-newline")
put("ddns_cloudflare", '{"success":true,"result":[{"id":"../../zones/x?y=1#\\r\\nX: 1","content":"203.0.113.7"}]}',
    "id-injection")
put("ddns_mydns", "401\n<html>Authorization Required</html>", "401")

# ---- POP3 replies -------------------------------------------------------------------
for text in ("+OK dovecot ready. <1896.697170952@dbc.mtview.ca.us>\r\n+OK\r\n-ERR [AUTH] bad password\r\n",
             "+OK POP3 ready\r\n+OK Begin TLS\r\n+OK\r\n+OK\r\n",
             "-ERR [SYS/TEMP] try later\r\n", "-ERR [IN-USE] locked\r\n", "-ERR [LOGIN-DELAY] wait\r\n",
             "+OK\r\n-ERR\r\n", "* not pop3\r\n"):
    put("pop3", text)
put("pop3", "+OK ready\r\n-ERR [AUTH] bad\x1b[31m password\r\n", "i12-escape")
put("pop3", "+OK <" + "x" * 3000 + ">\r\n-ERR " + "y" * 3000 + "\r\n", "long")

# ---- the DDNS state file -------------------------------------------------------------
good_state = ("# pppkit-ddns state 1\nfingerprint=0123456789abcdef\nsuspended=no\nsuspended-why=\n"
              "ipv4.address=203.0.113.7\nipv4.last-success=1700000000\nipv4.last-attempt=1700000000\n"
              "ipv4.outcome=updated\nipv4.failures=0\nipv4.next-attempt=0\nipv4.detail=good 203.0.113.7\n"
              "ipv6.address=\nipv6.last-success=0\nipv6.last-attempt=0\nipv6.outcome=\nipv6.failures=0\n"
              "ipv6.next-attempt=0\nipv6.detail=\nend\n")
put("ddns_state", good_state, "good")
for n, s in {"neg-failures": "ipv4.failures=-3", "big-failures": "ipv4.failures=99999999999",
             "big-next": "ipv4.next-attempt=9223372036854775807", "escape": "ipv4.detail=good\x1b[2J",
             "suspended": "suspended=yes\nsuspended-why=badauth\x1b[31m", "outcome": "ipv4.outcome=splendid",
             "long-address": "ipv4.address=" + "1" * 100, "cr": "ipv4.detail=a\rb"}.items():
    put("ddns_state", "# pppkit-ddns state 1\n" + s + "\nend\n", n)

# ---- the secrets file ---------------------------------------------------------------
put("secrets", "# pppkit secrets\nmydns-home = s3cret\ndyn-pw = p@ss word=with=equals\nduck-token = abc123\n",
    "good")
put("secrets", "cf-token = tok\r\nX-Injected: 1\n", "i12-crlf-token")
put("secrets", "cf-token = tok\rX-Injected: 1\n", "i12-cr-token")
put("secrets", "pop = mrose\x00DELE 1\n", "nul")
put("secrets", "bad name = hunter2hunter2\nx\n", "bad-name")
put("secrets", "a = " + "z" * 2000 + "\n", "long")
put("secrets", "dup = one1\ndup = two2two2\n", "dup")

# ---- the supervisor's event datagrams (supervisor/core/event_codec.hpp) ---------------
def tlv(tag, value):
    return bytes([tag, len(value)]) + value


def event(typ, *tlvs, version=1, length=None):
    body = b"".join(tlvs)
    n = len(body) if length is None else length
    return b"PK" + bytes([version, typ, n >> 8, n & 255]) + body


pid = tlv(1, (4242).to_bytes(4, "big"))
put("event_codec", event(1, pid, tlv(2, b"dsl-provider"), tlv(3, b"ppp0"), tlv(12, b"eth0"),
                         tlv(10, (0x1234).to_bytes(2, "big")), tlv(11, bytes.fromhex("00005e005301"))), "hello")
put("event_codec", event(2, pid, tlv(4, bytes([9]))), "phase")
put("event_codec", event(3, pid, tlv(3, b"ppp0"), tlv(5, bytes([203, 0, 113, 7])), tlv(6, bytes([198, 51, 100, 1])),
                         tlv(9, (1492).to_bytes(2, "big"))), "ip-up")
put("event_codec", event(4, pid, tlv(3, b"ppp0")), "ip-down")
put("event_codec", event(5, pid, tlv(3, b"ppp0"), tlv(7, bytes.fromhex("fe80" + "00" * 6 + "0211223344556677")),
                         tlv(8, bytes.fromhex("fe80" + "00" * 6 + "0a0b0c0d0e0f1011")), tlv(9, (1492).to_bytes(2, "big"))),
    "ipv6-up")
put("event_codec", event(6, pid), "ipv6-down")
put("event_codec", event(7, pid), "link-down")
put("event_codec", event(8, pid, tlv(13, bytes([16]))), "exit")
put("event_codec", event(10, pid, tlv(2, b"dsl-provider"),
                         tlv(18, b"pppkit-mss: /etc/ppp/pppkit.conf:7: [mss] clamp: not a number (got 'x')"), version=2),
    "problem")
put("event_codec", event(10, pid, tlv(18, b"a\nforged log line"), version=2), "problem-newline")
put("event_codec", event(10, pid, tlv(18, b"x" * 255), version=2), "problem-longest")
put("event_codec", event(3, pid, tlv(200, b"from a newer plugin"), tlv(3, b"ppp0")), "unknown-tag")
put("event_codec", event(1, pid, tlv(2, b"../etc")), "peer-slash")
put("event_codec", event(1, pid, tlv(2, b"a\x1b[2J")), "peer-escape")
put("event_codec", event(1, pid, tlv(2, b"x" * 65)), "peer-long")
put("event_codec", event(1, pid, pid), "duplicate-pid")
put("event_codec", event(8, pid), "exit-no-status")
put("event_codec", event(1, pid, length=200), "length-mismatch")
put("event_codec", event(1, pid)[:-2], "truncated")
put("event_codec", event(1, pid, version=2), "version-2")
put("event_codec", event(1, pid, tlv(3, b"p" * 250), tlv(3, b"q" * 250)), "too-long")

# ---- rtnetlink as the kernel sends it (supervisor/core/rtnl.hpp) ----------------------
import socket as _socket
import struct as _struct


def nlattr(typ, value):
    n = 4 + len(value)
    return _struct.pack("=HH", n, typ) + value + b"\0" * ((4 - n % 4) % 4)


def nlmsg(typ, payload, flags=0, seq=0):
    n = 16 + len(payload)
    return _struct.pack("=IHHII", n, typ, flags, seq, 0) + payload + b"\0" * ((4 - n % 4) % 4)


IFF_UP, IFF_RUNNING, IFF_P2P = 0x1, 0x40, 0x10


def link(typ, index, name, flags):  # RTM_NEWLINK 16, RTM_DELLINK 17
    return nlmsg(typ, _struct.pack("=BxHiII", 0, 512, index, flags, 0) +
                 nlattr(3, name + b"\0") + nlattr(4, _struct.pack("=I", 1492)))


def ifaddr(typ, index, fam, prefix, local=None, address=None):  # RTM_NEWADDR 20, RTM_DELADDR 21
    body = _struct.pack("=BBBBI", fam, prefix, 0, 0, index)
    if address is not None:
        body += nlattr(1, _socket.inet_pton(fam, address))
    if local is not None:
        body += nlattr(2, _socket.inet_pton(fam, local))
    return nlmsg(typ, body)


A4, A6 = _socket.AF_INET, _socket.AF_INET6
put("rtnl", link(16, 1, b"lo", IFF_UP | IFF_RUNNING) + link(16, 2, b"lan0", IFF_UP | IFF_RUNNING) +
    nlmsg(3, _struct.pack("=i", 0)), "dump-links")
put("rtnl", link(16, 3, b"ppp0", IFF_UP | IFF_RUNNING | IFF_P2P) +
    ifaddr(20, 3, A4, 32, "203.0.113.10", "198.51.100.1") + ifaddr(20, 3, A6, 10, None, "fe80::1"), "ppp0-up")
put("rtnl", ifaddr(21, 3, A4, 32, "203.0.113.10", "198.51.100.1") + link(17, 3, b"ppp0", 0), "ppp0-gone")
put("rtnl", link(16, 2, b"lan0", IFF_UP) + link(16, 2, b"wan", IFF_UP | IFF_RUNNING), "rename")
put("rtnl", nlmsg(2, _struct.pack("=i", -1) + nlmsg(18, b"")), "error-eperm")
put("rtnl", link(16, 4, b"abcdefghijklmnop", IFF_UP), "name-16")
put("rtnl", ifaddr(20, 2, A4, 33, "10.0.0.1"), "prefix-33")
put("rtnl", nlmsg(20, _struct.pack("=BBBBI", A4, 24, 0, 0, 2) + nlattr(2, b"\0" * 16)), "v4-len-16")
put("rtnl", link(16, 1, b"lo", IFF_UP)[:-4], "truncated")
put("rtnl", nlmsg(24, b"\0" * 12) + link(16, 5, b"eth0", IFF_UP), "route-then-link")
# version 2: Applied (plugin, outcome, up type) after a plugin's ip-up handler; Hello's plugin list
put("event_codec", event(1, pid, tlv(2, b"dsl-provider"), tlv(14, b"firewall,mss")), "hello-plugins")
put("event_codec", event(9, pid, tlv(3, b"ppp0"), tlv(15, b"firewall"), tlv(16, bytes([0])), tlv(17, bytes([3])),
                         version=2), "applied")
put("event_codec", event(9, pid, tlv(15, b"mss"), tlv(16, bytes([1])), tlv(17, bytes([5])), version=2),
    "applied-failed-v6")
put("event_codec", event(9, pid, tlv(15, b"mss"), tlv(16, bytes([7])), tlv(17, bytes([3])), version=2),
    "applied-bad-outcome")
put("event_codec", event(9, pid, tlv(15, b"mss"), tlv(16, bytes([0])), tlv(17, bytes([3]))), "applied-version-1")

# ---- pppkitd's control socket (supervisor/core/control.hpp) ---------------------------
for i, req in enumerate([b"status\n", b"status dsl\n", b"v1 status\n", b"v1 start dsl\n", b"v1 stop dsl\n",
                         b"v1 restart dsl\n", b"v1 reload\n", b"v2 start dsl\n", b"v1 start ../etc\n",
                         b"v1 start a b\n", b"v1 reload dsl\n", b"v1 start dsl", b"v1 start d\x00l\n",
                         b"v1 start " + b"x" * 65 + b"\n", b"x" * 300 + b"\n", b"v1 stop dsl\r\nv1 start x\n"]):
    put("control", req, "request-%02d" % i)

# ---- the LAN status request of [pppkitd] status-listen (supervisor/core/online.hpp) ---
for i, req in enumerate([b"online\n", b"online dsl\n", b"online dsl\r\n", b"online .x\n", b"online a b\n",
                         b"online \n", b"online " + b"x" * 64 + b"\n", b"online " + b"x" * 65 + b"\n",
                         b"\n" * 81, b"online dsl\nonline x\n", b"online d\x00l\n", b"ONLINE dsl\n",
                         b"GET / HTTP/1.0\r\n\r\n"]):
    put("online_request", req, "request-%02d" % i)

# ---- the firewall's link records, /run/pppkit/firewall/PID (firewall/core/lifecycle.hpp) ---
for i, rec in enumerate([b"ppp0 203.0.113.7 dsl 5 123456 4026531840\n", b"ppp1 - - 6 99 4026532000\n",
                         b"ppp0 203.0.113.07 dsl 5 1 1\n", b"ppp0 203.0.113.7 dsl 05 1 1\n",
                         b"ppp0 203.0.113.7 dsl 0 1 1\n", b"ppp0 203.0.113.7 dsl 5 1 1", b"ppp0  - - 5 1 1\n",
                         b"ppp/0 - - 5 1 1\n", b"ppp0 - d\x00l 5 1 1\n", b"ppp0 - - 5 1 18446744073709551616\n",
                         b"ppp0 - - 5 1 1 extra\n", b"x" * 16 + b" - - 5 1 1\n"]):
    put("firewall_record", rec, "record-%02d" % i)
