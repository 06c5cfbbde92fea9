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
# (default 10) runs each. Prints ROW/VERDICT/NOTE lines for tests/bench/run.sh
# (a missed target is a VERDICT FAIL, exit 0; BENCH_STRICT=1 makes run.sh fail);
# exit 1 if a pppkit client's runs failed, 77 when it cannot run.
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
    --key "$W/certs/server.key" --log "$W/requests.log" --accounts "$W/accounts" --control "$W/control" --ready "$W/ready" \
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

# The worker drops to the system user pppkit-ddns: without it on this host, the
# bench's own mount namespace gets a passwd/group that has it (the host is untouched).
WITH_USER=()
if ! getent passwd pppkit-ddns >/dev/null; then
    cp /etc/passwd "$W/passwd" && cp /etc/group "$W/group"
    for u in $(seq 989 -1 900); do getent passwd $u >/dev/null || getent group $u >/dev/null || break; done
    echo "pppkit-ddns:x:$u:$u::/:/usr/sbin/nologin" >>"$W/passwd"
    echo "pppkit-ddns:x:$u:" >>"$W/group"
    WITH_USER=(unshare -m --propagation private sh -c \
        "mount --bind $W/passwd /etc/passwd && mount --bind $W/group /etc/group && exec \"\$@\"" sh)
fi
echo "ddns bench: $RUNS runs each, HTTPS dyndns2 update to 127.0.0.1:$PORT in netns $NS"
ip netns exec "$NS" "${WITH_USER[@]}" timeout 800 python3 "$TOP/tests/bench/ddns_bench.py" --build "$BUILD" --top "$TOP" --work "$W" \
    --log "$W/requests.log" --port "$PORT" --runs "$RUNS" --json "$W/result.json" || {
    echo "FAIL: ddns_bench.py failed"; exit 1; }
mkdir -p "$BUILD/bench"
cp "$W/result.json" "$BUILD/bench/ddns.json"

# ---- summary and targets: ROW/VERDICT/NOTE lines for tests/bench/run.sh ---------------
python3 "$TOP/tests/bench/ddns_summary.py" "$W/result.json"
