#!/bin/bash
# holdoff.bench.sh BUILD - `make bench` row "link dead -> up again" (issue 8
# section 4): in the lab VM (tests/e2e/lab.sh, a real pppd 2.4.9 over real
# PPPoE), pppd's own redial after the line died, beside pppkit's backoff in
# the same pppd (holdoff_hook, pppkit-mss.so loaded, no [link] section: the
# defaults 2s doubling to 5m).
# Both peers are the same: persist, lcp-echo-interval 1 / lcp-echo-failure 3
# (the line's death is seen in about 3 s), rp-pppoe's discovery defaults
# (3 PADIs, 5 + 10 + 20 s: a dial into a dead line takes 35 s), pppd's
# holdoff default (30 s), maxfail default (10). For each outage length
# (HOLDOFF_OUTAGES, default "10 40 120" s) and each method, a fresh pppd
# dials, the ISP side is SIGKILLed (no PADT: a dead line), stays away for
# the outage, comes back; measured: server back -> the router's IPCP up
# (polled every 0.5 s), the dials that failed during the outage and the
# PADIs sent (captured on wan0).
# Prints ROW/NOTE lines for tests/bench/run.sh; 77 when the lab cannot run.
set -u
if [ -z "${LAB_LIB:-}" ]; then # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
    here=$(dirname "$(readlink -f "$0")")
    [ -f "$build/pppkit-mss.so" ] || { echo "SKIP: no $build/pppkit-mss.so (make all)"; exit 77; }
    export HOLDOFF_OUTAGES=${HOLDOFF_OUTAGES:-10 40 120}
    out=$(mktemp /tmp/pppkit-holdoff-bench.XXXXXX)
    bash "$here/../e2e/lab.sh" --build "$build" --passenv HOLDOFF_OUTAGES --timeout 1500 --name holdoff-bench \
        "$here/holdoff.bench.sh" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    # the guest's results come back as INFO lines: BENCH <tab-separated row>
    sed -n 's/^ *INFO bench-row \(.*\)$/\1/p' "$out" | awk '!seen[$0]++' | tr '|' '\t'
    rm -f "$out"
    exit "$rc"
fi

# ---- guest side (inside the VM) ----------------------------------------------
. "$LAB_LIB"
row() { info bench-row "$(IFS='|'; echo "$*")"; }
count() { cat "$2" 2>/dev/null | grep -c "$1"; } # PATTERN LOG: 0 when LOG does not exist yet
up_count() { count 'local  IP address' "$1"; }
write_peer() { # NAME LOG PLUGIN...
    local name=$1 log=$2 p; shift 2
    {
        echo "plugin rp-pppoe.so"
        echo "nic-$LAB_WAN_IF"
        echo "user \"$LAB_USER\""
        echo "noauth"
        echo "noipdefault"
        echo "nodefaultroute"
        echo "persist"
        echo "lcp-echo-interval 1"
        echo "lcp-echo-failure 3"
        echo "ipparam $name"
        echo "debug"
        echo "logfile $log"
        for p in "$@"; do echo "plugin $p"; done
    } >"$LAB_RTR_ETC/peers/$name"
}
write_peer plain "$W/logs/bench-plain.log"
write_peer pppkit "$W/logs/bench-pppkit.log" "$LAB_BUILD/pppkit-mss.so"
declare -A label=([plain]="pppd persist defaults (holdoff 30)" [pppkit]="pppkit backoff (2s doubling to 5m)")

lab_server_start
capture_start bench rtr "$LAB_WAN_IF" pppoed
for outage in $HOLDOFF_OUTAGES; do
    for m in plain pppkit; do
        log=$W/logs/bench-$m.log
        n0=$(up_count "$log")
        lab_bg "bench-$m-stdout" rtr pppd call "$m" nodetach
        pid=$LAB_BG_PID
        if ! wait_until 90 eval '[ "$(up_count "$log")" -gt "$n0" ]'; then
            fail "bench-$m-$outage-dial" "not up within 90 s"; kill -TERM "$pid"; continue
        fi
        sleep 2
        n1=$(up_count "$log")
        f0=$(count 'Timeout waiting for PADO' "$log")
        t_kill=$(date +%s.%N)
        lab_server_kill
        sleep "$outage"
        f1=$(count 'Timeout waiting for PADO' "$log")
        t_back=$(date +%s.%N)
        lab_server_start
        if wait_until 400 eval '[ "$(up_count "$log")" -gt "$n1" ]'; then
            t_up=$(date +%s.%N)
            back=$(awk -v a="$t_back" -v b="$t_up" 'BEGIN {printf "%.1f", b - a}')
            padis=$(tcpdump -tt -n -r "$W/cap/bench.pcap" pppoed 2>/dev/null |
                awk -v a="$t_kill" -v b="$t_back" '/PADI/ && $1 >= a && $1 < b' | wc -l)
            pass "bench-$m-$outage" "outage ${outage} s: up again ${back} s after the server came back; $((f1 - f0)) failed dials, $padis PADIs during the outage"
            row ROW "link dead ${outage} s -> up again" "${label[$m]}" "$back" s 1 "$back" "$back"
            row NOTE "link dead ${outage} s -> up again" "${label[$m]}: $((f1 - f0)) failed dials ($padis PADIs) during the ${outage} s outage"
        else
            fail "bench-$m-$outage" "not up again within 400 s of the server's return"
        fi
        kill -TERM "$pid"
        wait_until 20 eval '! alive '"$pid" || kill -KILL "$pid"
        wait "$pid" 2>/dev/null
    done
done
capture_stop bench
info bench-plan "$(grep -m1 'redial backoff' "$W/logs/bench-pppkit.log")"
info bench-hook "pppkit's hook answered: $(sed -n 's/.*redial in \([0-9]*\) s.*/\1/p' "$W/logs/bench-pppkit.log" | tr '\n' ' ')"
lab_done
