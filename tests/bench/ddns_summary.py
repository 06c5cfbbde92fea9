#!/usr/bin/env python3
"""tests/bench/ddns_summary.py RESULT.json - ROW/VERDICT/NOTE lines (tests/bench/run.sh
format) from ddns_bench.py's result. Exit 1 if a pppkit client's runs failed."""
import json
import sys

r = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in r["clients"]}
T1 = "ddns: ip-up -> update request at the server (HTTPS dyndns2, loopback)"
T2 = "ddns: memory (peak RSS of one update; RSS of daemons at rest)"


def row(t, label, med, unit, runs, mn, mx):
    print("ROW\t%s\t%s\t%.3f\t%s\t%s\t%.3f\t%.3f" % (t, label, med, unit, runs, mn, mx))


labels = {"curl": "curl (same request)", "pppkit-plugin": "pppkit (fake_pppd ip-up -> plugin -> worker)",
          "pppkit-worker": "pppkit worker (exec'd as the plugin does)", "inadyn": "inadyn --once --force",
          "ddclient": "ddclient -daemon=0 -force"}
for n in ("curl", "pppkit-plugin", "pppkit-worker", "inadyn", "ddclient"):
    x = c.get(n)
    if x and x["runs"]:
        row(T1, labels[n], x["median_ms"], "ms", x["runs"], x["min_ms"], x["max_ms"])
print("NOTE\t%s\tt0 = the trigger (exec, or just before fake_pppd fires ip-up); t1 = the server has read the "
      "request; clients interleaved, median of %d runs" % (T1, r["runs"]))
print("NOTE\t%s\tddclient's own ip-up sample adds 'sleep 5' and re-discovers the address; inadyn needs an "
      "external trigger (SIGUSR2); neither is counted here" % T1)
if r.get("plugin_t0_bias_ms"):
    print("NOTE\t%s\tpppkit (fake_pppd): t0 is written by fake_pppd's 'stamp' step just before ip-up, so it "
          "includes up to %.3f ms (median cost of one such step) that is not pppkit's (a 'sh date' step, "
          "before 2026-12-05: about 7 ms)" % (T1, r["plugin_t0_bias_ms"]))
bad = 0
curl = c.get("curl", {}).get("median_ms")
for n in ("pppkit-plugin", "pppkit-worker"):
    x = c.get(n)
    if not x:
        continue
    if not x["runs"] or x["failed"]:
        print("FAIL: %s: %d runs failed" % (n, x["failed"]))
        bad += 1
        continue
    ratio = x["median_ms"] / curl if curl else float("inf")
    ok = ratio <= 1.2 and x["median_ms"] <= 1000
    print("VERDICT\t%s\t%s\t%s median %.1f ms = %.2fx curl (target <= 1.2x and <= 1000 ms)" % (
        T1, "PASS" if ok else "FAIL", n, x["median_ms"], ratio))
T4 = "ddns: CPU per update (user + system, client and its children)"
for n in ("curl", "pppkit-plugin", "pppkit-worker", "inadyn", "ddclient"):
    x = c.get(n)
    if x and x["runs"] and "cpu_ms" in x:
        row(T4, labels[n], x["cpu_ms"], "ms", x["runs"], x.get("cpu_min_ms", x["cpu_ms"]),
            x.get("cpu_max_ms", x["cpu_ms"]))
wk, ina = c.get("pppkit-worker", {}), c.get("inadyn", {})
if wk.get("cpu_ms") is not None and ina.get("cpu_ms") is not None and ina.get("runs"):
    print("VERDICT\t%s\t%s\tpppkit worker %.1f ms CPU, inadyn %.1f ms (target: <= inadyn, same run)" % (
        T4, "PASS" if wk["cpu_ms"] <= ina["cpu_ms"] else "FAIL", wk["cpu_ms"], ina["cpu_ms"]))
w = c.get("pppkit-worker") or c.get("pppkit-plugin")
if w and w.get("peak_rss_kb"):
    row(T2, "pppkit worker, peak (exits after the update)", w["peak_rss_kb"], "KiB", 3, w["peak_rss_kb"],
        w["peak_rss_kb"])
for n in ("curl", "inadyn", "ddclient"):
    x = c.get(n)
    if x and x.get("peak_rss_kb"):
        row(T2, n + ", peak of one run", x["peak_rss_kb"], "KiB", 3, x["peak_rss_kb"], x["peak_rss_kb"])
for d in r["daemons"]:
    if d["alive"]:
        row(T2, d["name"] + " at rest", d["rss_kb"], "KiB", 1, d["rss_kb"], d["rss_kb"])
    else:
        print("NOTE\t%s\t%s did not stay up (see its log)" % (T2, d["name"]))
row(T2, "pppkit at rest (no process)", 0, "KiB", 1, 0, 0)
print("NOTE\t%s\tpppkit runs no process while the link is stable: the worker exists only during an update" % T2)
T3 = "ddns: how long a pppd callback holds pppd's loop (fake_pppd, native)"
cb = r.get("callbacks") or {}
for ev in ("ip-up", "ip-down", "ipv6-up", "ipv6-down"):
    x = cb.get(ev)
    if x:
        row(T3, ev, x["median_us"], "us", x.get("n", 0), x["min_us"], x["max_us"])
if cb.get("ip-up"):
    ev = {k: x for k, x in cb.items() if isinstance(x, dict) and k != "cpu"}
    worst = max(x["max_us"] for x in ev.values())
    p99 = max(x.get("p99_us", 0) for x in ev.values())
    cpu = cb.get("cpu", {}).get("max_us")
    print("NOTE\t%s\t%d of %d ip-ups queued a worker (the server hangs, ip-down cancels it)" % (
        T3, cb.get("forks", 0), cb["ip-up"].get("n", 0)))
    print("NOTE\t%s\tip-up only queues the worker; a spawner thread does the posix_spawn off pppd's loop; "
          "the worst callback's CPU time was %s us, the rest of its wall time is scheduling" % (
              T3, "%.0f" % cpu if cpu is not None else "?"))
    print("VERDICT\t%s\t%s\tlongest callback %.0f us, p99 %.0f us (target: never more than 1000 us)" % (
        T3, "PASS" if worst < 1000 else "FAIL", worst, p99))
sys.exit(1 if bad else 0)
