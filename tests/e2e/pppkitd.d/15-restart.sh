# 15-restart.sh - systemctl restart pppkitd keeps the links (issue 8): on
# SIGTERM pppkitd asks systemd for the job on its unit; a restart leaves the
# pppd it started running (handover file) and the next pppkitd adopts them;
# a stop still ends them. Under systemd as PID 1:
#   own      -> pppkit stop lab / start lab: a pppd pppkitd started itself
#   restart  -> systemctl restart: the same pppd pid, the same PPPoE session,
#               no PADI on the ISP's wire, no new session (ISP ip-up), link up
#               under the new pppkitd (adopted, handed_over); the journal has
#               "leaving pppd PID (link lab, up) running" and the JobType
#   try-restart -> the same again (systemd collapses it to a restart job)
#   stop     -> systemctl stop: that pppd ends (pppkitd started it)
#   dialling -> the ISP's server down, systemctl start: pppkitd dials, and
#               while its pppd is still in discovery a restart keeps it
#               (state dialling); the server back: the link comes up
#   removed  -> [link "lab"] out of the config, systemctl restart: the pppd
#               the handover file names is stopped; the config back: redial
# Sourced by tests/e2e/pppkitd.test.sh (contract: pppkitd.d/README.md).
K_HANDOVER=76adeaf3e10141da9ffcd4f5fcf34046 # supervisor/pppkitd/journal.hpp kHandover
rs_jlines() { journalctl -u $U -o json --no-pager | jq -r "select(.MESSAGE_ID==\"$K_HANDOVER\") | .MESSAGE"; }
rs_padis() { tcpdump -n -e -r "$W/cap/$1.pcap" 2>/dev/null | grep -c 'PADI'; }
rs_restart() { # ACTION NAME PID : systemctl ACTION, then pppkitd active again (another MainPID)
    local m0
    m0=$(prop MainPID)
    t0=$(lab_now)
    systemctl "$1" $U
    if wait_until 60 eval 'systemctl is-active --quiet $U && [ "$(prop MainPID)" != "$m0" ] && [ "$(st pid)" != null ]'; then
        pass "$2-active" "pppkitd $m0 -> $(prop MainPID) $(lab_since "$t0") s after systemctl $1"
    else
        fail "$2-active" "state $(systemctl is-active $U) MainPID $(prop MainPID) (was $m0), pid $(st pid) 60 s after systemctl $1"
    fi
}

# ---- own: a pppd pppkitd started itself
"$LAB_BUILD/pppkit" stop lab >>"$W/logs/restart.log" 2>&1
wait_until 30 eval '[ "$(st state)" = stopped-by-user ] && [ "$(st pid)" = null ]'
"$LAB_BUILD/pppkit" start lab >>"$W/logs/restart.log" 2>&1
if wait_until 90 eval 'is_up && [ "$(st pppoe.session)" != null ]'; then
    pass restart-own "pppkitd dialled lab itself: pppd $(st pid), adopted $(st adopted)"
else
    fail restart-own "state $(st state) 90 s after pppkit start lab"
fi
P=$(pppd_pid)
S=$(st pppoe.session)
A=$(st ipv4.local)
check_eq restart-own-child "false" "$(st adopted)" "adopted, before the restart"

for how in restart try-restart; do
    n="rs-$how"
    isp0=$(marker_count isp ip-up)
    j0=$(rs_jlines | wc -l)
    capture_start "$n" isp isp0 'ether proto 0x8863'
    rs_restart "$how" "$n"
    wait_until 30 is_up
    capture_stop "$n"
    check_eq "$n-same-pppd" "$P alive" "$(st pid) $(alive "$P" && echo alive)" "pid, running"
    check_eq "$n-same-session" "$S $A up" "$(st pppoe.session) $(st ipv4.local) $(st state)" "session, address, state"
    check_eq "$n-adopted" "true true" "$(st adopted) $(st handed_over)" "adopted, handed_over"
    check_eq "$n-no-padi" 0 "$(rs_padis "$n")" "PADI on isp0 during systemctl $how"
    check_eq "$n-no-new-session" "$isp0" "$(marker_count isp ip-up)" "ISP ip-up count"
    jl=$(rs_jlines | tail -n +"$((j0 + 1))")
    case $jl in
    *"restart of $U: leaving pppd $P (link lab, up) running for the next pppkitd"*)
        pass "$n-journal" "$(echo "$jl" | head -n 1)" ;;
    *) fail "$n-journal" "no 'leaving pppd $P ... running' entry: '$jl'" ;;
    esac
    why=$(journalctl -u $U --no-pager -o cat | grep 'SIGTERM, job' | tail -n 1)
    case $why in
    *" on $U is a restart"*) pass "$n-jobtype" "$why" ;;
    *) fail "$n-jobtype" "got '$why'" ;;
    esac
done
check_eq restart-handover-gone absent "$([ -e /run/pppkit/handover ] && echo present || echo absent)" \
    "/run/pppkit/handover, read by the new pppkitd"

# ---- stop: the pppd pppkitd started ends with it, even after the restarts
systemctl stop $U
t0=$(lab_now)
if wait_until 20 eval '! alive "$P"'; then pass restart-stop-ends "pppd $P ended $(lab_since "$t0") s after systemctl stop"
else fail restart-stop-ends "pppd $P still running 20 s after systemctl stop"; fi
check_eq restart-stop-no-pppd "" "$(pgrep -a -x pppd | grep 'call lab')"
info restart-stop-journal "$(journalctl -u $U --no-pager -o cat | grep 'SIGTERM, not a restart' | tail -n 1)"

# ---- dialling: start with the ISP's server down, restart during discovery
lab_server_kill
systemctl start $U
if wait_until 60 eval '[ -n "$(pppd_pid)" ]'; then
    PD=$(pppd_pid)
    pass restart-dialling-start "pppkitd dials again after systemctl start: pppd $PD ($(st state))"
else
    PD=""
    fail restart-dialling-start "no pppd 60 s after systemctl start: $(st state)"
fi
j0=$(rs_jlines | wc -l)
rs_restart restart rs-dialling
check_eq rs-dialling-same-pppd "$PD alive true" "$(st pid) $(alive "$PD" && echo alive) $(st handed_over)" \
    "pid, running, handed_over ($(st state))"
check rs-dialling-not-up test "$(st state)" != up
jl=$(rs_jlines | tail -n +"$((j0 + 1))")
case $jl in
*"leaving pppd $PD (link lab, dialling) running for the next pppkitd"*) pass rs-dialling-journal "$(echo "$jl" | head -n 1)" ;;
*) fail rs-dialling-journal "no 'leaving pppd $PD (link lab, dialling)' entry: '$jl'" ;;
esac
_lab_mark
lab_server_start
t0=$(lab_now)
if wait_until 150 eval 'is_up && [ "$(st pppoe.session)" != null ]'; then
    pass rs-dialling-up "up $(lab_since "$t0") s after the server came back: pppd $(st pid) (kept $PD), $(st ipv4.local)"
else
    fail rs-dialling-up "state $(st state) 150 s after the server came back"
fi
P2=$(pppd_pid)

# ---- removed: [link "lab"] taken out of the config before a restart. The
# pppd the old pppkitd left running (handover file) belongs to no link of the
# new one: it is stopped, not left running unmanaged (was: left running)
cp "$LAB_RTR_ETC/pppkit.conf" "$W/logs/15-pppkit.conf.saved"
printf '# 15-restart.sh: no links\n' >"$LAB_RTR_ETC/pppkit.conf"
m0=$(prop MainPID)
systemctl restart $U
wait_until 30 eval 'systemctl is-active --quiet $U && [ "$(prop MainPID)" != "$m0" ]'
t0=$(lab_now)
if wait_until 20 eval '! alive "$P2"'; then
    pass rs-removed-stopped "pppd $P2 of the removed link ended $(lab_since "$t0") s after the new pppkitd started"
else
    fail rs-removed-stopped "pppd $P2 of the removed link still running 20 s after the restart"
fi
jl=$(journalctl -u $U --no-pager -o cat | grep "pppd $P2 (link lab) was started by the pppkitd before the restart, and its link is no longer configured: stopping it" | tail -n 1)
check rs-removed-journal test -n "$jl"
check_eq rs-removed-no-pppd "" "$(pgrep -a -x pppd | grep 'call lab')"
# the link back: the config restored, a restart (nothing to hand over) dials it
cp "$W/logs/15-pppkit.conf.saved" "$LAB_RTR_ETC/pppkit.conf"
systemctl restart $U
if wait_until 120 eval 'is_up && [ "$(st pppoe.session)" != null ]'; then
    pass rs-removed-back "link lab up again after the config came back: pppd $(st pid)"
else
    fail rs-removed-back "state $(st state) 120 s after the config came back"
fi
P2=$(pppd_pid)
