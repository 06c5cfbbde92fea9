#!/usr/bin/env python3
"""tests/bench/ddns_bench.py - trigger -> request latency and memory of DDNS clients.

Run by tests/bench/ddns.bench.sh inside a private network namespace (its own
loopback). Every client sends the same dyndns2 update (GET /nic/update?
hostname=host.example.jp&myip=198.51.100.2, Basic auth, HTTPS with a test CA)
to tests/ddns/fake_provider.py on 127.0.0.1:

  pppkit-plugin  fake_pppd loads pppkit-ddns.so and fires ip-up; t0 = just before
                 ip-up (when the plugin and tests/load/fake_pppd exist)
  pppkit-worker  pppkit-ddns-worker exec'd with the arguments the plugin gives it
  curl           curl with the same request (credentials from a -K file, not argv)
  ddclient       ddclient -daemon=0 -force (Debian's, one-shot, as from ip-up.d)
  inadyn         inadyn --once --force (Debian's)

Latency = the server's receive time of the request minus t0 (the same host
clock), median of --runs. CPU = user + system time of the client and the
children it waited for (wait4's rusage), median of --runs: what an update
costs a small router. Peak RSS of each one-shot client by GNU time -f %M
(3 extra runs); RSS of the ddclient and inadyn daemons at rest (VmRSS after their
first update). Prints a table and writes --json.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

A = None
BIAS = []  # pppkit-plugin: duration of one fake_pppd "stamp" step (upper bound of how early t0 is)
ADDR = "198.51.100.2"
HOST = "host.example.jp"
USER = "dynuser"


def nlines(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def wait_request(log, before, deadline):
    while time.time() < deadline:
        with open(log) as f:
            recs = f.read().split("\n")[before:-1]  # complete lines only
        for r in recs:
            try:
                d = json.loads(r)
            except ValueError:
                break  # still being written
            if d["path"] == "/nic/update":
                return d
        time.sleep(0.002)
    return None


def reap(p, secs):
    """Waits for p up to secs (then kills it); returns its CPU time (user + system,
    with the children it waited for) in ms."""
    deadline = time.time() + secs
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return (ru.ru_utime + ru.ru_stime) * 1000
        if time.time() > deadline:
            p.kill()
            deadline = time.time() + 5
        time.sleep(0.002)


def run_once(name, argv, prep=None, t0_file=None, env=None):
    """One trigger. Returns (latency_s or None, cpu_ms, request_record)."""
    if prep:
        prep()
    before = nlines(A.log)
    if t0_file and os.path.exists(t0_file):
        os.unlink(t0_file)
    t0 = time.time()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(A.work, name + ".err"), "a"),
                         stdin=subprocess.DEVNULL, env=env)
    rec = wait_request(A.log, before, t0 + 10)
    cpu = reap(p, 20)
    if t0_file:
        try:
            with open(t0_file) as f:
                t0 = float(f.read().split()[0])
            with open(t0_file + "a") as f:  # the same command just before: its cost bounds t0's bias
                BIAS.append(t0 - float(f.read().split()[0]))
        except (OSError, ValueError, IndexError):
            return None, cpu, rec
    lat = rec["t"] - t0 if rec else None
    return lat, cpu, rec


def peak_rss(name, argv, prep=None, n=3):
    """Peak RSS (KiB) of the client over n runs, measured by GNU time -f %M. (wait4's
    ru_maxrss of a child forked from this python would include python's own pages.)"""
    if not os.access("/usr/bin/time", os.X_OK):
        return 0
    out, best = os.path.join(A.work, name + ".rss"), 0
    for _ in range(n):
        if prep:
            prep()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=30)
        try:
            with open(out) as f:
                best = max(best, int(f.read().split()[-1]))
        except (OSError, ValueError, IndexError):
            pass
    return best


class Client:
    def __init__(self, name, argv, prep=None, t0_file=None, rss_argv=None):
        self.name, self.argv, self.prep, self.t0_file, self.rss_argv = name, argv, prep, t0_file, rss_argv
        self.lats, self.cpus, self.bad, self.last = [], [], 0, None


def measure(clients):
    """Interleaved: run i triggers every client once, so load from the other
    users of this machine hits all of them alike."""
    for c in clients:  # warm-up (page cache), not counted
        run_once(c.name, c.argv, c.prep, c.t0_file)
    for _ in range(A.runs):
        for c in clients:
            lat, cpu, rec = run_once(c.name, c.argv, c.prep, c.t0_file)
            if lat is None:
                c.bad += 1
            else:
                c.lats.append(lat)
                c.cpus.append(cpu)
                c.last = rec
    out = []
    for c in clients:
        res = {"name": c.name, "runs": len(c.lats), "failed": c.bad}
        if c.lats:
            res.update(median_ms=statistics.median(c.lats) * 1000, min_ms=min(c.lats) * 1000,
                       max_ms=max(c.lats) * 1000, cpu_ms=statistics.median(c.cpus), cpu_min_ms=min(c.cpus), cpu_max_ms=max(c.cpus), peak_rss_kb=peak_rss(c.name, c.rss_argv or c.argv, c.prep),
                       ua=c.last.get("user_agent"), query=c.last.get("query"),
                       auth=(c.last.get("authorization") or "").split(" ")[0])
        print("  %-14s %s" % (c.name, json.dumps(res)), flush=True)
        out.append(res)
    return out


def rss_kb(pid):
    total = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total = int(line.split()[1])
    except OSError:
        pass
    return total


def tree_rss_kb(pid):
    """VmRSS of pid and its descendants."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        total += rss_kb(p)
        todo.extend(kids.get(p, []))
    return total


def daemon_rss(name, argv, settle=3.0):
    before = nlines(A.log)
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(A.work, name + "-d.err"), "a"),
                         stdin=subprocess.DEVNULL, start_new_session=True)
    rec = wait_request(A.log, before, time.time() + 15)
    time.sleep(settle)
    kb = tree_rss_kb(p.pid) if p.poll() is None else 0
    alive = p.poll() is None
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(5)
    res = {"name": name + " daemon", "rss_kb": kb, "alive": alive, "updated": rec is not None}
    print("  %-14s %s" % (name + "-daemon", json.dumps(res)), flush=True)
    return res


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", required=True)
    A = ap.parse_args()
    w = A.work
    ca = os.path.join(w, "certs", "ca.pem")
    url = "https://127.0.0.1:%d/nic/update?hostname=%s&myip=%s" % (A.port, HOST, ADDR)
    results = {"runs": A.runs, "clients": [], "daemons": []}
    clients = []

    # ---- pppkit: the worker as the plugin starts it ----------------------------------
    worker = os.path.join(A.build, "pppkit-ddns-worker")
    state = os.path.join(w, "state", "ddns")
    fresh = lambda: shutil.rmtree(state, ignore_errors=True)
    worker_argv = [worker, "--config", os.path.join(w, "pppkit.conf"), "--profile", "bench", "--ifname", "lo",
                   "--address", ADDR, "--family", "4", "--generation", "1"]
    if os.access(worker, os.X_OK):
        clients.append(Client("pppkit-worker", worker_argv, fresh))
    else:
        print("  pppkit-worker  (not built: %s)" % worker)
    fake_pppd = os.path.join(A.build, "load", "fake_pppd")
    so = os.path.join(A.build, "pppkit-ddns.so")
    if os.access(fake_pppd, os.X_OK) and os.path.exists(so):
        t0f = os.path.join(w, "t0")
        clients.append(Client("pppkit-plugin", [
            fake_pppd, so, "init", "opt", "pppkit-config", os.path.join(w, "pppkit.conf"), "opt",
            "pppkit-ddns-worker", worker, "phase", "1", "phase",
            "2", "ifname", "lo", "local4", ADDR, "stamp", t0f + "a", "stamp", t0f, "ip-up",
            "sleep", "1500", "exit", "0"], fresh, t0_file=t0f, rss_argv=worker_argv))
    else:
        print("  pppkit-plugin  (needs %s and %s)" % (fake_pppd, so))

    # ---- curl with the same request ------------------------------------------------------
    clients.append(Client("curl", [
        "curl", "-sS", "-o", "/dev/null", "-K", os.path.join(w, "curl.cfg"), "--cacert", ca, "-A", "curl-bench",
        url]))

    # ---- ddclient (Perl), one-shot as from ip-up.d ---------------------------------------------
    if shutil.which("ddclient"):
        cache = os.path.join(w, "ddclient.cache")
        rm_cache = lambda: os.path.exists(cache) and os.unlink(cache)
        clients.append(Client("ddclient", [
            "ddclient", "-daemon=0", "-foreground", "-force", "-file", os.path.join(w, "ddclient.conf"),
            "-cache", cache, "-pid", os.path.join(w, "ddclient.pid")], rm_cache))
    # ---- inadyn (C), one-shot -----------------------------------------------------------------------
    if shutil.which("inadyn"):
        icache = os.path.join(w, "inadyn-cache")
        rm_icache = lambda: shutil.rmtree(icache, ignore_errors=True)
        clients.append(Client("inadyn", [
            "inadyn", "--once", "--force", "--foreground", "--no-pidfile", "-f", os.path.join(w, "inadyn.conf"),
            "--cache-dir", icache, "-l", "notice"], rm_icache))

    results["clients"] = measure(clients)

    # ---- how long the plugin holds pppd's loop: fake_pppd's "bench" (ip-up, ipv6-up,
    # ip-down, ipv6-down per round; wall and CPU time of every callback). The server
    # hangs, so every worker is still in flight at ip-down (cancelled, no state
    # written) and every ip-up really forks a new one. fake_pppd's log lines go
    # to a file: through a pipe each one wakes its reader, which on a VM can
    # cost the writer milliseconds that are not the plugin's
    # (tests/bench/pipe_wake.c, mss.bench.sh's baseline row).
    if os.access(fake_pppd, os.X_OK) and os.path.exists(so):
        fresh()
        with open(os.path.join(w, "control"), "w") as f:
            f.write('{"mode": "hang", "hang_secs": 30}')
        with open(os.path.join(w, "callbacks.out"), "w+") as log:
            subprocess.run([fake_pppd, so, "init", "opt", "pppkit-config", os.path.join(w, "pppkit.conf"), "opt",
                            "pppkit-ddns-worker", worker, "phase", "1", "phase", "2", "ifname", "lo", "local4",
                            ADDR, "bench", str(max(50, A.runs)), "exit"], stdout=log, stderr=subprocess.DEVNULL,
                           timeout=120)
            log.seek(0)
            out = log.read()
        cb = {}
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 3 and f[0] == "bench":
                cb[f[1]] = {k: float(v) for k, v in (x.split("=") for x in f[2:]) if k != "n"}
                cb[f[1]]["n"] = int(dict(x.split("=") for x in f[2:]).get("n", 0))
        cb["forks"] = out.count(": worker queued for ")
        os.unlink(os.path.join(w, "control"))
        results["callbacks"] = cb
        print("  callbacks      %s" % json.dumps(cb), flush=True)
    if BIAS:
        results["plugin_t0_bias_ms"] = statistics.median(BIAS) * 1000

    # ---- daemons at rest ------------------------------------------------------------------------------
    if shutil.which("ddclient"):
        cache = os.path.join(w, "ddclient.cache")
        os.path.exists(cache) and os.unlink(cache)
        results["daemons"].append(daemon_rss("ddclient", [
            "ddclient", "-daemon=300", "-foreground", "-file", os.path.join(w, "ddclient.conf"), "-cache", cache,
            "-pid", os.path.join(w, "ddclient-d.pid")]))
    if shutil.which("inadyn"):
        shutil.rmtree(os.path.join(w, "inadyn-cache-d"), ignore_errors=True)
        results["daemons"].append(daemon_rss("inadyn", [
            "inadyn", "--foreground", "--no-pidfile", "-f", os.path.join(w, "inadyn.conf"),
            "--cache-dir", os.path.join(w, "inadyn-cache-d"), "-l", "notice"]))
    with open(A.json, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
