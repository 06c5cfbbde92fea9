#!/bin/bash
# pppkitd.test.sh BUILD - pppkitd under a real systemd (PID 1 in the lab VM,
# lab.sh --init systemd), dialling a real pppd 2.4.9 to a real pppoe-server.
# pppkitd.service is the build tree's etc/systemd/pppkitd.service, installed
# in /run/systemd/system with a drop-in that only points it at the lab: the
# build's binary, the router's netns and /etc/ppp, WatchdogSec=10s (so that
# "longer than one interval" stays short under TCG). One boot, in order:
#   ready    -> the unit is "activating" until READY=1, then active; pppkitd
#               dials [link lab]; pppkit status --json: up with 203.0.113.x
#   watchdog -> WatchdogUSec is 10 s; after 22 s NRestarts is still 0 and the
#               daemon was never reported unresponsive
#   kill -9 pppd -> pppkitd redials (a new pppd pid), the link is up again
#   kill -9 pppkitd -> systemd restarts it (NRestarts 1), the pppd keeps
#               running, the new pppkitd adopts it (same pid, no redial)
#   pppkitd.d/*.sh -> the scenarios of the other features (one file each)
#   poff lab -> state stopped-by-user, no pppd for twice the backoff ceiling
#   journal  -> MESSAGE_ID of link up and of link down, with PEER=lab
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-}}")
    here=$(dirname "$(readlink -f "$0")")
    for f in pppkitd pppkit pppkit-mss.so; do
        [ -f "$build/$f" ] || { echo "FAIL: no $build/$f (make all first)"; exit 1; }
    done
    exec bash "$here/lab.sh" --init systemd --build "$build" --plugin mss --config "$here/pppkitd.conf" \
        --timeout 2400 --name pppkitd "$here/pppkitd.test.sh"
fi

# ---- guest side (inside the VM, under systemd) -------------------------------
. "$LAB_LIB"
K_UP=dec9023005fe45ae902f00b57d9f3871     # supervisor/pppkitd/journal.hpp
K_DOWN=29d6bfe4bcc344dcba8707ce4e116156
U=pppkitd.service
prop() { systemctl show -p "$1" --value "$U"; }
st() { "$LAB_BUILD/pppkit" status lab --json 2>/dev/null | jq -r ".links[0].$1"; }
pppd_pid() { local p; p=$(st pid); [ "$p" != null ] && echo "$p"; }
is_up() { [ "$(st state)" = up ] && [ "$(st ipv4.local)" != null ]; }

# the unit from the build tree, pointed at the lab by a drop-in
install -m 644 "$PPPKIT_TOP/etc/systemd/pppkitd.service" /run/systemd/system/$U
mkdir -p /run/systemd/system/$U.d
cat >/run/systemd/system/$U.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=$LAB_BUILD/pppkitd
NetworkNamespacePath=/run/netns/rtr
BindPaths=$LAB_RTR_ETC:/etc/ppp
WatchdogSec=10s
EOT
systemctl daemon-reload
lab_server_start

# ---- READY=1 and the first dial
t0=$(lab_now)
systemctl start --no-block $U
info state-before-ready "$(systemctl is-active $U)"
wait_until 60 systemctl is-active --quiet $U
check_eq unit-active active "$(systemctl is-active $U)" "after READY=1 ($(lab_since "$t0") s)"
check_eq unit-type notify "$(prop Type)"
check_eq status-line "yes" "$([ -n "$(prop StatusText)" ] && echo yes)" "STATUS= '$(prop StatusText)'"
if wait_until 90 is_up; then
    pass dial-up "pppkitd dialled lab: $("$LAB_BUILD/pppkit" status lab --json | jq -c '.links[0] | {state, pid, ifname, ipv4}')"
else
    fail dial-up "not up 90 s after start: $("$LAB_BUILD/pppkit" status lab --json 2>&1 | head -c 400)"
fi
P1=$(pppd_pid)
case $(st ipv4.local) in 203.0.113.*) pass status-address "$(st ipv4.local) on $(st ifname)" ;;
    *) fail status-address "got '$(st ipv4.local)'" ;; esac
check_eq pppd-argv "pppd call lab nodetach" "$(tr '\0' ' ' </proc/"$P1"/cmdline | sed 's|^/usr/sbin/||;s/ $//')"
check_eq pppd-in-unit "/system.slice/$U" "$(cut -d: -f3 /proc/"$P1"/cgroup)"

# ---- watchdog: WatchdogUSec set, kept satisfied for more than one interval
check_eq watchdog-usec 10s "$(prop WatchdogUSec)"
sleep 22
check_eq watchdog-kept "0 active" "$(prop NRestarts) $(systemctl is-active $U)" "after 22 s (NRestarts, state)"
check watchdog-timestamp test -n "$(prop WatchdogTimestamp)"
[ "$(prop NRestarts)" = 0 ] || info watchdog-why "$(journalctl -u $U --no-pager -o cat | grep -E 'Watchdog timeout|Main process exited|Failed with result|Killing process' | tail -n 6 | tr '\n' '|')"

# ---- kill -9 of pppd: pppkitd redials
info kill-pppd "SIGKILL pppd $P1"
kill -KILL "$P1"
t0=$(lab_now)
if wait_until 90 eval '[ -n "$(pppd_pid)" ] && [ "$(pppd_pid)" != "$P1" ] && is_up'; then
    P2=$(pppd_pid)
    pass redial-after-kill "new pppd $P2 up $(lab_since "$t0") s after kill -9 of $P1, redials=$(st redials)"
else
    P2=$(pppd_pid)
    fail redial-after-kill "state $(st state) pid '$P2' 90 s after kill -9 of $P1"
fi

# ---- kill -9 of pppkitd: systemd restarts it, it adopts the running pppd
M1=$(prop MainPID)
systemctl kill --kill-who=main -s KILL $U
t0=$(lab_now)
if wait_until 60 eval '[ "$(prop NRestarts)" = 1 ] && systemctl is-active --quiet $U && [ "$(prop MainPID)" != "$M1" ]'; then
    pass systemd-restart "pppkitd $M1 killed, restarted as $(prop MainPID) after $(lab_since "$t0") s (NRestarts 1)"
else
    fail systemd-restart "NRestarts=$(prop NRestarts) state=$(systemctl is-active $U) MainPID=$(prop MainPID)"
fi
check pppd-survived alive "$P2"
info after-restart "$(cd /run && grep -H . ppp*.pid 2>&1 | tr '\n' ' '); $(ip -n rtr -4 -o addr show dev ppp0 2>&1 | head -c 120)"
wait_until 20 is_up
check_eq readopted "$P2 true up" "$(st pid) $(st adopted) $(st state)" "pid adopted state"
check_eq no-redial 0 "$(st dials)" "dials by the new pppkitd"

# ---- scenarios of the other features, one file each, in lexical order
# Contract of a tests/e2e/pppkitd.d/NN-name.sh: sourced here, in this boot;
# entered with pppkitd active and link lab up (pppd $P2 or a later one); it
# leaves them so (pppkitd may have been restarted: `systemctl restart` leaves
# every pppd running and the new pppkitd adopts it; 15-restart.sh). It uses pass/fail/check/info from lab_lib and sets
# P2 to the pppd pid it leaves running.
for scenario in "$PPPKIT_TOP"/tests/e2e/pppkitd.d/*.sh; do
    [ -f "$scenario" ] || continue
    info scenario "$(basename "$scenario")"
    . "$scenario"
done

# ---- poff: stopped by user, no redial within the backoff
in_rtr poff lab >>"$W/logs/poff.log" 2>&1
t0=$(lab_now)
if wait_until 30 eval '! alive "$P2"'; then pass poff-exit "pppd exited $(lab_since "$t0") s after poff"
else fail poff-exit "pppd $P2 still running 30 s after poff"; fi
wait_until 10 eval '[ "$(st state)" = stopped-by-user ]'
check_eq poff-state stopped-by-user "$(st state)"
sleep 20   # twice the backoff ceiling
check_eq poff-no-redial "stopped-by-user null" "$(st state) $(st pid)" "20 s later"
check_eq poff-no-pppd "" "$(pgrep -x pppd -a | grep 'call lab' )"

# ---- the journal: structured fields of link up / link down
J=$W/logs/pppkitd-journal.json
journalctl -u $U -o json --no-pager >"$J"
n_up=$(jq -r "select(.MESSAGE_ID==\"$K_UP\" and .PEER==\"lab\") | .MESSAGE" "$J" | wc -l)
n_down=$(jq -r "select(.MESSAGE_ID==\"$K_DOWN\" and .PEER==\"lab\") | .MESSAGE" "$J" | wc -l)
check link-up-journal test "$n_up" -ge 2
check link-down-journal test "$n_down" -ge 1
info journal "$n_up link-up, $n_down link-down entries; $(jq -r 'select(.MESSAGE_ID) | .MESSAGE' "$J" | tail -n 3 | tr '\n' '|')"
journalctl -u $U --no-pager >"$W/logs/pppkitd-journal.txt"
systemctl stop $U
lab_done
