#!/bin/bash
# pppkitd.bench.sh BUILD - pppkitd at rest, beside inadyn's daemon (issue 8,
# "make bench"), both in one router namespace in the same run:
#  - pppkitd as systemd starts it (NOTIFY_SOCKET, WATCHDOG_USEC of the
#    shipped unit's WatchdogSec=30s) with a [firewall] loaded by `pppkit
#    firewall apply|up` (its drift watch on) and a [link] that is not started;
#  - inadyn (Debian's) with a custom provider on 127.0.0.1 only (the DDNS
#    tests' fake provider over HTTP), after its first update;
#  - both settle PPPKITD_SETTLE_S (5) s, then for PPPKITD_IDLE_S (60) s:
#    RSS and PSS (/proc/PID/smaps_rollup, goal: pppkitd below inadyn) and
#    wakeups per second (voluntary context switches; goal: only the watchdog);
#  - `pppkit status --json` round trip, PPPKITD_STATUS_RUNS (200) times
#    exec'd, and as many bare control-socket round trips (beside an exec of
#    /bin/true: the machine's own fork and exec cost).
# Prints ROW/VERDICT/NOTE lines for tests/bench/run.sh.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init bpkd
nsl_need nft python3 inadyn
IDLE_S=${PPPKITD_IDLE_S:-60}
SETTLE_S=${PPPKITD_SETTLE_S:-5}
STATUS_RUNS=${PPPKITD_STATUS_RUNS:-200}
WATCHDOG_USEC=30000000 # etc/systemd/pppkitd.service: WatchdogSec=30s
for f in pppkitd pppkit; do
    [ -x "$build/$f" ] || nsl_skip "no $build/$f (make all)"
done
t=$NSL_TMP
tool=$top/tests/bench/pppkitd_bench.py

ns_create r
ns_create w
veth r ppp0 w wan0
cat >"$t/pppkit.conf" <<'EOF'
[mss]
[firewall]
lan-networks = 192.168.1.0/24

[link "dsl"]
autostart = no
EOF
PK() { nsx r "$build/pppkit" --config "$t/pppkit.conf" "$@" >/dev/null; }
PK firewall apply && PK firewall up ppp0 203.0.113.7 || { echo "pppkit firewall apply failed"; exit 1; }

# ---- pppkitd, as systemd starts it ----
python3 "$top/tests/load/pppkitd_tool.py" notify "$t/notify" "$t/notify.log" &
NSL_PIDS+=("$!")
wait_for 5 test -S "$t/notify" || { echo "no notify socket"; exit 1; }
NOTIFY_SOCKET=$t/notify WATCHDOG_USEC=$WATCHDOG_USEC ip netns exec "$(ns r)" \
    "$build/pppkitd" --config "$t/pppkit.conf" --runtime-dir "$t/run" >"$t/pppkitd.log" 2>&1 &
PKD=$!
NSL_PIDS+=("$PKD")
wait_for 10 grep -qx "READY=1" "$t/notify.log" || { cat "$t/pppkitd.log"; exit 1; }

# ---- inadyn, against a provider on 127.0.0.1 in the namespace ----
printf 'user dynuser %s\nhost host.example.jp\n' "BenchPw1" >"$t/accounts"
nsx r timeout 900 python3 "$top/tests/ddns/fake_provider.py" --http 127.0.0.1:0 --log "$t/requests.log" \
    --accounts "$t/accounts" --ready "$t/ready" --lifetime 880 &
NSL_PIDS+=("$!")
wait_for 10 test -s "$t/ready" || { echo "the fake provider did not start"; exit 1; }
port=$(awk '{print $3}' "$t/ready")
(
    umask 077
    cat >"$t/inadyn.conf" <<EOF
period = 300
custom bench {
    ssl = false
    username = dynuser
    password = "BenchPw1"
    ddns-server = "127.0.0.1:$port"
    ddns-path = "/nic/update?hostname=%h&myip=%i"
    checkip-command = "echo 198.51.100.2"
    hostname = host.example.jp
}
EOF
)
ip netns exec "$(ns r)" inadyn --foreground --no-pidfile -f "$t/inadyn.conf" --cache-dir "$t/inadyn-cache" \
    -l notice >"$t/inadyn.log" 2>&1 &
INA=$!
NSL_PIDS+=("$INA")
wait_for 15 grep -q nic/update "$t/requests.log" || { echo "inadyn sent no update"; cat "$t/inadyn.log"; exit 1; }
sleep "$SETTLE_S"
kill -0 "$INA" 2>/dev/null || { echo "inadyn exited"; cat "$t/inadyn.log"; exit 1; }

# ---- at rest ----
wd0=$(grep -c "^WATCHDOG=1" "$t/notify.log")
python3 "$tool" idle "$IDLE_S" 10 inadyn="$INA" pppkitd="$PKD" >"$t/idle.out" || { cat "$t/idle.out"; exit 1; }
wd=$(($(grep -c "^WATCHDOG=1" "$t/notify.log") - wd0))
cat "$t/idle.out"
kv() { grep "^summary $2 " "$1" | tr ' ' '\n' | sed -n "s/^$3=//p"; } # FILE NAME KEY
v() { kv "$t/idle.out" "$@"; }

T1="pppkitd idle: RSS (smaps_rollup)"
T2="pppkitd idle: PSS (smaps_rollup)"
T3="pppkitd idle: wakeups per second"
for d in inadyn pppkitd; do
    n=$(v $d samples)
    printf 'ROW\t%s\t%s\t%s\tkB\t%s\t%s\t%s\n' "$T1" "$d" "$(v $d rss_median_kb)" "$n" "$(v $d rss_min_kb)" "$(v $d rss_max_kb)"
    printf 'ROW\t%s\t%s\t%s\tkB\t%s\t%s\t%s\n' "$T2" "$d" "$(v $d pss_median_kb)" "$n" "$(v $d pss_min_kb)" "$(v $d pss_max_kb)"
    printf 'ROW\t%s\t%s\t%s\t/s\t%s\t%s\t%s\n' "$T3" "$d" "$(v $d wakeups_median_per_s)" "$n" \
        "$(v $d wakeups_min_per_s)" "$(v $d wakeups_max_per_s)"
done
echo "NOTE	$T1	sampled every 10 s for $IDLE_S s after $SETTLE_S s at rest; $(inadyn --version 2>&1 | head -n1 | sed 's/^/inadyn /'); pppkitd with [mss], [firewall] (loaded, drift watch on) and one [link] not started"
for T in "$T1" "$T2"; do
    k=$([ "$T" = "$T1" ] && echo rss || echo pss)
    awk -v a="$(v pppkitd ${k}_median_kb)" -v b="$(v inadyn ${k}_median_kb)" 'BEGIN{exit !(a < b)}' && r=PASS || r=FAIL
    echo "VERDICT	$T	$r	goal: pppkitd below inadyn (pppkitd $(v pppkitd ${k}_median_kb) kB, inadyn $(v inadyn ${k}_median_kb) kB)"
done
sw=$(v pppkitd wakeups)
echo "NOTE	$T3	voluntary context switches (all threads) per 10 s interval; in $IDLE_S s: pppkitd $sw ($wd WATCHDOG=1, every $((WATCHDOG_USEC / 2000000)) s; preempted $(v pppkitd preempted) times), inadyn $(v inadyn wakeups) (preempted $(v inadyn preempted) times)"
# each watchdog ping is one wakeup; one more for the window's edges
[ "$sw" -le $((wd + 1)) ] && r=PASS || r=FAIL
echo "VERDICT	$T3	$r	goal: only the watchdog (pppkitd woke $sw times in $IDLE_S s, $wd watchdog pings)"

# ---- pppkit status --json ----
T4="pppkit status --json round trip"
python3 "$tool" status "$STATUS_RUNS" "$t/run/control" "$build/pppkit" >"$t/status.out" || { cat "$t/status.out"; exit 1; }
cat "$t/status.out"
s() { kv "$t/status.out" "$@"; }
printf 'ROW\t%s\t%s\t%s\tms\t%s\t%s\t%s\n' "$T4" "exec of /bin/true (reference)" "$(s true median_ms)" "$(s true runs)" \
    "$(s true min_ms)" "$(s true max_ms)"
printf 'ROW\t%s\t%s\t%s\tms\t%s\t%s\t%s\n' "$T4" "pppkit status --json (exec'd)" "$(s exec median_ms)" "$(s exec runs)" \
    "$(s exec min_ms)" "$(s exec max_ms)"
printf 'ROW\t%s\t%s\t%s\tms\t%s\t%s\t%s\n' "$T4" "control socket only" "$(s socket median_ms)" "$(s socket runs)" \
    "$(s socket min_ms)" "$(s socket max_ms)"
echo "NOTE	$T4	interleaved; /bin/true: this machine's fork and exec at this load (load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs); exec'd: fork, exec, connect, answer, JSON printed (what a script sees); control socket only: connect, \"status\", one line back (python3 client)"
kill -0 "$PKD" || { echo "pppkitd died"; cat "$t/pppkitd.log"; exit 1; }
exit 0
