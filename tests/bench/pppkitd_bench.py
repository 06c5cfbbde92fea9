#!/usr/bin/env python3
"""pppkitd_bench.py - the measuring halves of tests/bench/pppkitd.bench.sh.

pppkitd_bench.py idle SECONDS INTERVAL NAME=PID...
    For SECONDS, every INTERVAL seconds, for each process: Rss and Pss from
    /proc/PID/smaps_rollup (kB), and its wakeups: voluntary context switches
    summed over /proc/PID/task/*/status (a process that sleeps in
    epoll/select switches out voluntarily once per wakeup; involuntary ones
    are preemptions while it runs, counted apart). Prints one
    "summary NAME ..." line per process: the memory samples' median, min and
    max, the wakeups per second of each interval (median, min, max) and the
    wakeups and preemptions in the whole window. Fails if a process is gone.

pppkitd_bench.py status RUNS SOCKET PPPKIT
    RUNS times, interleaved: an exec of /bin/true (this machine's fork and
    exec), `PPPKIT status --json --socket SOCKET` (exec'd, as a script or a
    monitoring agent runs it; each answer must be JSON with "version"), and
    a round trip on the control socket itself ("status\\n", one line back).
    Prints "summary true|exec|socket runs=N median_ms=X min_ms=X max_ms=X".
"""
import glob
import json
import socket
import statistics
import subprocess
import sys
import time


def rollup(pid):
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Rss", "Pss"):
                out[k] = int(v.split()[0])
    return out


def switches(pid):
    """(voluntary, involuntary) context switches of all of PID's threads"""
    vol = invol = 0
    for st in glob.glob("/proc/%d/task/*/status" % pid):
        with open(st) as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches"):
                    vol += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    invol += int(line.split()[1])
    return vol, invol


def fmt(name, xs, unit):
    return "%s_median_%s=%.3f %s_min_%s=%.3f %s_max_%s=%.3f" % (
        name, unit, statistics.median(xs), name, unit, min(xs), name, unit, max(xs))


def idle(seconds, interval, procs):
    mem = {n: [] for n, _ in procs}
    rates = {n: [] for n, _ in procs}
    first = {n: switches(p) for n, p in procs}
    last = dict(first)
    start = time.monotonic()
    tick = start
    while tick - start < seconds - 1e-6:
        tick += interval
        time.sleep(max(0.0, tick - time.monotonic()))
        for n, p in procs:
            r = rollup(p)
            mem[n].append((r["Rss"], r["Pss"]))
            s = switches(p)
            rates[n].append((s[0] - last[n][0]) / interval)
            last[n] = s
    for n, _ in procs:
        print("summary %s samples=%d seconds=%.0f wakeups=%d preempted=%d %s %s %s" % (
            n, len(mem[n]), time.monotonic() - start, last[n][0] - first[n][0], last[n][1] - first[n][1],
            fmt("rss", [m[0] for m in mem[n]], "kb"), fmt("pss", [m[1] for m in mem[n]], "kb"),
            fmt("wakeups", rates[n], "per_s")))


def exec_ms(argv):
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    return (time.perf_counter() - t0) * 1000, out


def socket_ms(sock):
    t0 = time.perf_counter()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sock)
    s.sendall(b"status\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    ms = (time.perf_counter() - t0) * 1000
    if "version" not in json.loads(data):
        sys.exit("the control socket's answer is not the status: %r" % data[:200])
    return ms


def status(runs, sock, pppkit):
    # interleaved, so a change of the machine's load hits all three alike
    t = {"true": [], "exec": [], "socket": []}
    for _ in range(runs):
        t["true"].append(exec_ms(["/bin/true"])[0])
        ms, out = exec_ms([pppkit, "status", "--json", "--socket", sock])
        if out.returncode != 0 or "version" not in json.loads(out.stdout):
            sys.exit("pppkit status --json failed: %s %s" % (out.stdout, out.stderr))
        t["exec"].append(ms)
        t["socket"].append(socket_ms(sock))
    for name, xs in t.items():
        print("summary %s runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f" % (
            name, len(xs), statistics.median(xs), min(xs), max(xs)))


def main():
    if sys.argv[1] == "idle":
        procs = [(a.split("=")[0], int(a.split("=")[1])) for a in sys.argv[4:]]
        idle(float(sys.argv[2]), float(sys.argv[3]), procs)
    elif sys.argv[1] == "status":
        status(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
