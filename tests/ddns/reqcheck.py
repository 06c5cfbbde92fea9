#!/usr/bin/env python3
"""tests/ddns/reqcheck.py - assert the shape of requests a fake_provider.py recorded.

  reqcheck.py LOG FROM [checks...]

Looks at the records of LOG after the first FROM lines (FROM = the line count
before the action under test). Checks (all optional, every record unless --last):
  --count N              exactly N new records (--min-count N: at least N)
  --last                 check only the last record
  --method M  --path P   --tls yes|no  --src ADDR  --status N
  --arg K=V              query parameter K equals V;  --arg K  K present
  --no-arg K             query parameter K absent
  --auth basic:USER | bearer | none     the Authorization header's kind (and Basic user)
  --ua-re REGEX          User-Agent matches (re.fullmatch)
  --body-re REGEX        request body matches (re.search)
  --secrets FILE         no value of the secrets file ("name = value" lines) appears in
                         the path or the query; --url-secret NAME allows that one secret
                         there (providers that take it only in the URL)
Prints what it found; exit 1 with the reasons if a check failed.
"""
import json
import re
import sys


def main():
    log, start = sys.argv[1], int(sys.argv[2])
    a = sys.argv[3:]
    opts = {}
    multi = {"--arg": [], "--no-arg": [], "--url-secret": []}
    i = 0
    flags = {"--last"}
    while i < len(a):
        k = a[i]
        if k in flags:
            opts[k] = True
            i += 1
            continue
        v = a[i + 1]
        if k in multi:
            multi[k].append(v)
        else:
            opts[k] = v
        i += 2
    with open(log) as f:
        recs = [json.loads(l) for l in f.read().splitlines()[start:] if l.strip()]
    errs = []
    if "--count" in opts and len(recs) != int(opts["--count"]):
        errs.append("expected %s new request(s), got %d" % (opts["--count"], len(recs)))
    if "--min-count" in opts and len(recs) < int(opts["--min-count"]):
        errs.append("expected at least %s new request(s), got %d" % (opts["--min-count"], len(recs)))
    if not recs and "--count" not in opts:
        errs.append("no request arrived")
    secrets = {}
    if "--secrets" in opts:
        with open(opts["--secrets"]) as f:
            for line in f:
                if "=" in line and not line.lstrip().startswith("#"):
                    n, _, v = line.partition("=")
                    secrets[n.strip()] = v.strip()
    check = recs[-1:] if opts.get("--last") else recs
    for r in check:
        desc = "%s %s?%s" % (r["method"], r["path"], r["query"])
        def bad(msg):
            errs.append("%s: %s" % (desc, msg))
        if "--method" in opts and r["method"] != opts["--method"]:
            bad("method %s, want %s" % (r["method"], opts["--method"]))
        if "--path" in opts and r["path"] != opts["--path"]:
            bad("path %s, want %s" % (r["path"], opts["--path"]))
        if "--tls" in opts and r["tls"] != (opts["--tls"] == "yes"):
            bad("tls %s, want %s" % (r["tls"], opts["--tls"]))
        if "--src" in opts and r["src"] != opts["--src"]:
            bad("source address %s, want %s" % (r["src"], opts["--src"]))
        if "--status" in opts and str(r["status"]) != opts["--status"]:
            bad("answered %s, want %s" % (r["status"], opts["--status"]))
        for kv in multi["--arg"]:
            k, eq, v = kv.partition("=")
            if k not in r["args"]:
                bad("query parameter %s missing" % k)
            elif eq and r["args"][k] != v:
                bad("query %s=%s, want %s" % (k, r["args"][k], v))
        for k in multi["--no-arg"]:
            if k in r["args"]:
                bad("query parameter %s present" % k)
        if "--auth" in opts:
            h = r["authorization"] or ""
            want = opts["--auth"]
            if want == "none" and h:
                bad("an Authorization header was sent")
            elif want == "bearer" and not h.startswith("Bearer "):
                bad("Authorization is not Bearer: %s" % (h.split(" ")[0] or "(none)"))
            elif want.startswith("basic:"):
                if not h.startswith("Basic "):
                    bad("Authorization is not Basic: %s" % (h.split(" ")[0] or "(none)"))
                elif r["auth_user"] != want[6:]:
                    bad("Basic user %s, want %s" % (r["auth_user"], want[6:]))
        if "--ua-re" in opts and not re.fullmatch(opts["--ua-re"], r["user_agent"] or ""):
            bad("User-Agent %r does not match %s" % (r["user_agent"], opts["--ua-re"]))
        if "--body-re" in opts and not re.search(opts["--body-re"], r["body"] or ""):
            bad("body %r does not match %s" % (r["body"], opts["--body-re"]))
        url = r["path"] + "?" + r["query"]
        import urllib.parse
        url_dec = urllib.parse.unquote_plus(url)
        for n, v in secrets.items():
            if v and n not in multi["--url-secret"] and (v in url or v in url_dec):
                bad("the secret '%s' is in the URL" % n)
    for r in recs:
        print("  request: %s %s%s%s auth=%s ua=%r src=%s tls=%s -> %s %r" % (
            r["method"], r["path"], "?" if r["query"] else "", re.sub(r"(PWD|token|password)=[^&]*", r"\1=***",
                                                                     r["query"]),
            (r["authorization"] or "-").split(" ")[0] + (":" + r["auth_user"] if r["auth_user"] else ""),
            r["user_agent"], r["src"], r["tls"], r["status"], (r["answer"] or "")[:60]))
    for e in errs:
        print("  MISMATCH " + e)
    sys.exit(1 if errs else 0)


main()
