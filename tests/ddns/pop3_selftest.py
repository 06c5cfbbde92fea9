#!/usr/bin/env python3
"""tests/ddns/pop3_selftest.py - check a dovecot.sh instance with python's poplib.

  pop3_selftest.py HOST POP3_PORT POP3S_PORT USER PASSWORD_FILE CA_FILE [--expect-fail]

Runs USER/PASS (plain port), APOP, STLS + USER/PASS, POP3S + USER/PASS, each
ending with QUIT, and prints one PASS/FAIL line per case. Exit 0 if all pass.
With --expect-fail the password is wrong: each login must be refused.
"""
import poplib, ssl, sys

host, p3, p3s, user, pwfile, ca = sys.argv[1:7]
expect_fail = "--expect-fail" in sys.argv
pw = open(pwfile).readline().rstrip("\n")
ctx = ssl.create_default_context(cafile=ca)
failed = 0

def case(name, fn):
    global failed
    try:
        r = fn()
        ok = not expect_fail
        detail = r
    except poplib.error_proto as e:
        ok = expect_fail
        detail = str(e)
    except Exception as e:  # connection/TLS problems always fail
        ok, detail = False, repr(e)
    print(("PASS" if ok else "FAIL") + ": pop3 " + name + " -> " + str(detail))
    if not ok:
        failed += 1

def login(c, apop=False):
    greeting = c.getwelcome().decode()
    if apop:
        assert "<" in greeting and "@" in greeting, "no APOP timestamp in greeting: " + greeting
        r = c.apop(user, pw)
    else:
        c.user(user)
        r = c.pass_(pw)
    c.stat()
    c.quit()
    return r.decode() + " (greeting " + greeting + ")"

case("USER/PASS", lambda: login(poplib.POP3(host, int(p3), timeout=10)))
case("APOP", lambda: login(poplib.POP3(host, int(p3), timeout=10), apop=True))
def stls():
    c = poplib.POP3(host, int(p3), timeout=10)
    c.stls(context=ctx)
    return login(c)
case("STLS", stls)
case("POP3S", lambda: login(poplib.POP3_SSL(host, int(p3s), context=ctx, timeout=10)))
sys.exit(1 if failed else 0)
