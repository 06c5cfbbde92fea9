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
RC=$?

# ---- MyDNS by POP3 (the login is the update): the worker alone, against a private dovecot in
# the same namespace (inadyn, curl and ddclient have no POP3 client). CPU (wait4) and wall time
# of one whole update (connect, STLS or POP3S handshake, USER/PASS, QUIT, state written); the
# provider records the connection's source, so the socket is bound to the announced 127.0.0.1.
if [ -x /usr/lib/dovecot/pop3-login ]; then
    (umask 077 && printf '%s\n' "$PW" >"$W/pw.dovecot")
    "$DD/dovecot.sh" start "$W/dovecot" --netns "$NS" --listen 127.0.0.1 --pop3 11110 --pop3s 11995 \
        --user "dynuser:$W/pw.dovecot" --cert-dir "$W/certs" --no-penalty >/dev/null || {
        echo "NOTE	ddns: MyDNS by POP3	dovecot did not start; no POP3 figures"; exit $RC; }
    for t in stls:11110 pop3s:11995; do
        printf '\n[ddns "pop-%s"]\nprovider = mydns-pop3\nusername = dynuser\npassword = dyn-pw\nserver = 127.0.0.1:%s\ntls = %s\npop3-auth = user\nca-file = %s\nlinks = lo\ntimeout = 10s\n' \
            "${t%%:*}" "${t##*:}" "${t%%:*}" "$W/certs/ca.pem" >>"$W/pppkit.conf"
    done
    ip netns exec "$NS" "${WITH_USER[@]}" timeout 300 python3 - "$BUILD/pppkit-ddns-worker" "$W" "$RUNS" <<'PY'
import os, statistics, subprocess, sys, time
worker, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sec = "ddns: MyDNS by POP3, one update (worker alone, dovecot on loopback)"
for tls in ("stls", "pop3s"):
    cpus, walls, bad = [], [], 0
    for _ in range(runs):
        t0 = time.time()
        p = subprocess.Popen([worker, "--config", work + "/pppkit.conf", "--profile", "pop-" + tls, "--ifname", "lo",
                              "--family", "4", "--address", "127.0.0.1", "--force"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append((time.time() - t0) * 1000)
        cpus.append((ru.ru_utime + ru.ru_stime) * 1000)
        bad += os.waitstatus_to_exitcode(status) != 0
    for what, xs in (("CPU", cpus), ("wall time", walls)):
        print("ROW\t%s\tpppkit worker, %s, %s\t%.3f\tms\t%d\t%.3f\t%.3f" % (
            sec, tls.upper(), what, statistics.median(xs), len(xs), min(xs), max(xs)))
    if bad:
        print("NOTE\t%s\t%d of %d %s runs did not exit 0" % (sec, bad, runs, tls.upper()))
PY
    "$DD/dovecot.sh" stop "$W/dovecot" >/dev/null
fi
exit $RC
