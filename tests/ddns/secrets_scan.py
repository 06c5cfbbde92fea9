#!/usr/bin/env python3
"""tests/ddns/secrets_scan.py - look for secrets where they must never be.

  secrets_scan.py proc  --needles FILE --out FILE --stop FILE [--max-secs N] [--watch NAME]
  secrets_scan.py files --needles FILE [--exclude PATH]... PATH...

Needles come from a file (never argv): one per line, "label<TAB>value". Each
value is also searched base64-encoded as "user:value" would be if the line is
"label<TAB>value<TAB>user" (the Basic-auth form).

proc: until --stop exists (or --max-secs, default 300, pass), reads every
/proc/PID/cmdline and /proc/PID/environ every ~20 ms. Writes a JSON summary to
--out: samples, how many samples saw a process whose cmdline contains --watch
(so a scan that never overlapped the worker is visible), and hits
[{label, pid, where, cmdline}].
files: reads every regular file under each PATH (recursively), prints
"HIT label path" per hit and "scanned N files"; exit 1 if anything was found.
"""
import base64
import json
import os
import sys
import time


def load_needles(path):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[1]:
                continue
            label, value = parts[0], parts[1]
            out.append((label, value.encode()))
            if len(parts) >= 3:
                b = base64.b64encode((parts[2] + ":" + value).encode())
                out.append((label + "(basic-b64)", b))
    return out


def arg(name, default=None, many=False):
    vals = []
    argv = sys.argv
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            vals.append(argv[i + 1])
    if many:
        return vals
    return vals[-1] if vals else default


def scan_proc():
    needles = load_needles(arg("--needles"))
    out, stop = arg("--out"), arg("--stop")
    watch = arg("--watch", "").encode()
    deadline = time.monotonic() + float(arg("--max-secs", "300"))
    me = str(os.getpid())
    samples = watched = 0
    hits = {}
    while time.monotonic() < deadline and not os.path.exists(stop):
        samples += 1
        seen_watch = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid == me:
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            env = b""
            try:
                with open("/proc/%s/environ" % pid, "rb") as f:
                    env = f.read()
            except OSError:
                pass
            if watch and watch in cmd:
                seen_watch = True
            for label, val in needles:
                for where, blob in (("cmdline", cmd), ("environ", env)):
                    if val in blob:
                        key = (label, pid, where)
                        if key not in hits:
                            hits[key] = cmd.replace(b"\0", b" ").decode(errors="replace")[:200]
        watched += seen_watch
        time.sleep(0.02)
    with open(out + ".tmp", "w") as f:
        json.dump({"samples": samples, "watched": watched,
                   "hits": [{"label": k[0], "pid": k[1], "where": k[2], "cmdline": v} for k, v in hits.items()]}, f)
    os.rename(out + ".tmp", out)


def scan_files():
    needles = load_needles(arg("--needles"))
    excl = [os.path.realpath(p) for p in arg("--exclude", many=True)]
    excl.append(os.path.realpath(arg("--needles")))
    skip = set()
    for i, a in enumerate(sys.argv):
        if a in ("--needles", "--exclude"):
            skip.update((i, i + 1))
    paths = [a for i, a in enumerate(sys.argv[2:], 2) if i not in skip]
    n = found = 0
    for root in paths:
        walk = [(root, [], [os.path.basename(root)])] if os.path.isfile(root) else os.walk(root)
        for d, _, files in walk:
            for name in files:
                p = os.path.join(os.path.dirname(root) if os.path.isfile(root) else d, name)
                rp = os.path.realpath(p)
                if any(rp == e or rp.startswith(e + "/") for e in excl) or not os.path.isfile(rp):
                    continue
                try:
                    with open(rp, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                n += 1
                for label, val in needles:
                    if val in data:
                        print("HIT %s %s" % (label, p))
                        found += 1
    print("scanned %d files" % n)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("proc", "files"):
        sys.exit(__doc__)
    scan_proc() if sys.argv[1] == "proc" else scan_files()
