#!/bin/bash
# tests/bench/ddns.bench.sh BUILD - DDNS: ip-up -> request latency and memory,
# pppkit beside curl, ddclient and inadyn (Debian's packages).
#
# Everything runs in a private network namespace (dd2-bench-<pid>) against
# tests/ddns/fake_provider.py on its own 127.0.0.1, so nothing leaves the
# machine and no port can clash with anything else. Each client sends the same
# dyndns2 update over HTTPS (test CA) with Basic auth; the credentials sit in
# 0600 files, never on a command line. Details: tests/bench/ddns_bench.py.
#
# Targets (issue 4): pppkit <= 1.2 x curl and <= 1 s, median of DD2_BENCH_RUNS
# (default 10) runs each. Prints a table; exit 1 if a target is missed, 77 when
# it cannot run (not root, worker not built).
set -u
BUILD=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
DD=$TOP/tests/ddns
RUNS=${DD2_BENCH_RUNS:-10}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (a private network namespace)"
[ -x "$BUILD/pppkit-ddns-worker" ] || skip "no $BUILD/pppkit-ddns-worker (make BUILD=... all)"
command -v python3 >/dev/null && command -v curl >/dev/null || skip "needs python3 and curl"

NS=dd2-bench-$$
W=$(mktemp -d /tmp/pppkit-dd2bench.XXXXXX)
FPID=
cleanup() {
    [ -n "$FPID" ] && { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" && ip -n "$NS" link set lo up || skip "cannot create a network namespace"

# ---- credentials, configs ------------------------------------------------------------
PW="Dd2Bench$(openssl rand -hex 6)"
umask 077
"$DD/mkcerts.sh" "$W/certs" IP:127.0.0.1 >/dev/null
printf 'user dynuser %s\nhost host.example.jp\n' "$PW" >"$W/accounts"
printf 'dyn-pw = %s\n' "$PW" >"$W/secrets"
printf 'user = "dynuser:%s"\n' "$PW" >"$W/curl.cfg"
umask 022
ip netns exec "$NS" timeout 900 python3 "$DD/fake_provider.py" --https 127.0.0.1:0 --cert "$W/certs/server.pem" \
    --key "$W/certs/server.key" --log "$W/requests.log" --accounts "$W/accounts" --ready "$W/ready" \
    --lifetime 880 &
FPID=$!
for _ in $(seq 100); do [ -s "$W/ready" ] && break; sleep 0.1; done
PORT=$(awk '{print $3}' "$W/ready")
[ -n "$PORT" ] || { echo "FAIL: fake provider did not start"; exit 1; }

cat >"$W/pppkit.conf" <<EOF
[pppkit]
secrets-file = $W/secrets
state-dir = $W/state

[ddns "bench"]
provider = dyndns2
username = dynuser
password = dyn-pw
hostname = host.example.jp
server = 127.0.0.1:$PORT
ca-file = $W/certs/ca.pem
links = lo
timeout = 10s
EOF
(
    umask 077
    cat >"$W/ddclient.conf" <<EOF
ssl=yes
ssl_ca_file=$W/certs/ca.pem
protocol=dyndns2
server=127.0.0.1:$PORT
login=dynuser
password='$PW'
use=ip, ip=198.51.100.2
host.example.jp
EOF
    cat >"$W/inadyn.conf" <<EOF
period = 300
ca-trust-file = $W/certs/ca.pem
verify-address = false
custom bench {
    ssl = true
    username = dynuser
    password = "$PW"
    ddns-server = "127.0.0.1:$PORT"
    ddns-path = "/nic/update?hostname=%h&myip=%i"
    checkip-command = "echo 198.51.100.2"
    hostname = host.example.jp
}
EOF
)
[ -x "$TOP/tests/load/build-fake-pppd.sh" ] && "$TOP/tests/load/build-fake-pppd.sh" "$BUILD" >/dev/null 2>&1

echo "ddns bench: $RUNS runs each, HTTPS dyndns2 update to 127.0.0.1:$PORT in netns $NS"
ip netns exec "$NS" timeout 800 python3 "$TOP/tests/bench/ddns_bench.py" --build "$BUILD" --top "$TOP" --work "$W" \
    --log "$W/requests.log" --port "$PORT" --runs "$RUNS" --json "$W/result.json" || {
    echo "FAIL: ddns_bench.py failed"; exit 1; }
mkdir -p "$BUILD/bench"
cp "$W/result.json" "$BUILD/bench/ddns.json"

# ---- summary and targets -----------------------------------------------------------------
python3 - "$W/result.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in r["clients"]}
print("\n%-15s %10s %10s %10s %12s %s" % ("client", "median ms", "min ms", "max ms", "peak RSS KiB", "runs ok/failed"))
for x in r["clients"]:
    if x["runs"]:
        print("%-15s %10.1f %10.1f %10.1f %12d %d/%d" % (x["name"], x["median_ms"], x["min_ms"], x["max_ms"],
              x["peak_rss_kb"], x["runs"], x["failed"]))
    else:
        print("%-15s %10s %10s %10s %12s %d/%d" % (x["name"], "-", "-", "-", "-", 0, x["failed"]))
for d in r["daemons"]:
    print("%-15s RSS at rest %d KiB (alive %s, updated %s)" % (d["name"], d["rss_kb"], d["alive"], d["updated"]))
print("pppkit at rest: no process (the worker exits after each attempt; the plugin lives inside pppd)")
bad = 0
curl = c.get("curl", {}).get("median_ms")
for n in ("pppkit-plugin", "pppkit-worker"):
    x = c.get(n)
    if not x:
        continue
    if not x["runs"] or x["failed"]:
        print("FAIL: %s: %d runs failed" % (n, x["failed"])); bad += 1; continue
    ratio = x["median_ms"] / curl if curl else float("inf")
    ok = ratio <= 1.2 and x["median_ms"] <= 1000
    print("%s: %s median %.1f ms = %.2f x curl (target <= 1.2 x, <= 1000 ms)" % ("PASS" if ok else "FAIL", n,
          x["median_ms"], ratio))
    bad += not ok
sys.exit(1 if bad else 0)
EOF
