# 30-padt.sh - stale PPPoE sessions (issue 8 section 5), sourced by
# pppkitd.test.sh in its systemd boot. The ISP side becomes pppoe-server -x 1
# (one session per MAC) whose session pppd has no LCP echo: like FLET'S, it
# keeps a session whose client died without PADT, and refuses the next one.
#   status   -> the real pppd's session id, AC MAC (isp0's) and wan0 in
#               pppkit status --json, and in /var/lib/pppkit/lab.pppoe
#   control  -> pppkitd stopped, a plain pppd call lab: up, kill -9, a plain
#               redial is refused (no ip-up for CONTROL_S; pppoe-server logs
#               that it refused the PADIs)
#   pppkitd  -> fresh server, pppkitd dials, kill -9 of its pppd: the PADT
#               (journal MESSAGE_ID stale session cleared, PEER=lab,
#               IFNAME=wan0); the redial's first dial gets a session (a
#               PADI or two may be refused while the server's own pppd for
#               the old session exits), then the link is up
#   restore  -> the lab's own pppoe-server again (no -x, LCP echo), link up.
K_PADT=b907c9e5825c40ed9f2a761fd8639d34 # supervisor/pppkitd/journal.hpp kStaleSession
CONTROL_S=60                            # a plain redial gets no session for this long
PADT_UP_S=150                           # pppkitd's redial must have its session within this
# (under TCG on a loaded machine pppd takes 5-50 s from exec to its first PADI)
SF=/var/lib/pppkit/lab.pppoe
ac_mac=$(ip -n isp -j link show isp0 | jq -r '.[0].address')
grep -v '^lcp-echo' "$LAB_ISP_ETC/pppoe-server-options" >"$LAB_ISP_ETC/pppoe-server-options-x1"
x1_server_start() {
    lab_bg pppoe-server-x1 isp pppoe-server -F -I isp0 -C lab-isp -S lab -L "$LAB_ISP_IP" -R "$LAB_PUBLIC_IP" \
        -N 4 -x 1 -O /etc/ppp/pppoe-server-options-x1 $LAB_SRV_KOPTS
    LAB_SERVER_PID=$LAB_BG_PID
    lab_log "pppoe-server -x 1 without LCP echo started (pid $LAB_SERVER_PID)"
}
refusals() { journalctl -t pppoe-server --no-pager -o cat 2>/dev/null | grep -c 'attempted to create more than'; }
has_session() { [ "$(st pppoe.session)" != null ]; }

# ---- the session of the real pppd, from the shim through the events to status
wait_until 20 has_session
got="$(st pppoe.session) $(st pppoe.ac_mac) $(st pppoe.ethernet)"
case $got in
[0-9]*" $ac_mac wan0") pass padt-status-session "session, AC (isp0 $ac_mac), Ethernet: $got" ;;
*) fail padt-status-session "got '$got', want 'N $ac_mac wan0'" ;;
esac
check_eq padt-state-file "session=$(st pppoe.session) ac-mac=$ac_mac ethernet=wan0 pid=$(pppd_pid)" \
    "$(grep -v '^#' "$SF" 2>&1 | tr '\n' ' ' | sed 's/ $//')" "$SF"

# ---- control: no pppkitd, a plain pppd; kill -9, plain redial refused
# poff first: pppkitd hears the clean end (an adopted pppd would outlive a stop)
P=$(pppd_pid)
in_rtr poff lab >>"$W/logs/poff.log" 2>&1
wait_until 30 eval '! alive "$P" && [ "$(st state)" = stopped-by-user ]'
check_eq padt-clean-end "stopped-by-user null absent" \
    "$(st state) $(st pppoe.last_padt) $([ -e "$SF" ] && echo present || echo absent)" "state, PADT, $SF after poff"
systemctl stop $U
lab_server_kill
x1_server_start
lab_dial 150
CP1=$LAB_CLIENT_PID
info padt-control-session "$(grep -o 'PPP session is [0-9]*' "$W/logs/rtr-pppd.log" | tail -n 1) (plain pppd $CP1)"
r0=$(refusals)
kill -KILL "$CP1"
wait_until 10 eval '! alive "$CP1"'
_lab_mark
lab_client_start
CP2=$LAB_CLIENT_PID
t0=$(lab_now)
if wait_until "$CONTROL_S" _lab_upcond; then
    fail padt-control-refused "a plain redial after kill -9 was accepted $(lab_since "$t0") s later: the lab proves nothing"
else
    pass padt-control-refused "no session for $CONTROL_S s after kill -9 without PADT (plain pppd $CP2)"
fi
check padt-control-server-refusal test "$(refusals)" -gt "$r0"
info padt-control-server "$(journalctl -t pppoe-server --no-pager -o cat | grep 'attempted' | tail -n 1)"
kill -TERM "$CP2" 2>/dev/null
wait_until 15 eval '! alive "$CP2"' || kill -KILL "$CP2" 2>/dev/null

# ---- pppkitd: fresh -x 1 server; kill -9 of pppd -> PADT -> redial accepted
lab_server_kill
x1_server_start
systemctl start $U
wait_until 150 eval 'is_up && has_session'
P=$(pppd_pid)
S=$(st pppoe.session)
check_eq padt-pppkitd-up "up lab.pppoe" "$(st state) $(basename "$(ls "$SF" 2>/dev/null)")" "pppd $P, session $S"
r0=$(refusals)
d0=$(st dials)
info padt-kill "SIGKILL pppd $P (session $S)"
kill -KILL "$P"
t0=$(lab_now)
# the session comes with phase ESTABLISH, right after the PADS
if wait_until "$PADT_UP_S" eval '[ -n "$(pppd_pid)" ] && [ "$(pppd_pid)" != "$P" ] && has_session'; then
    pass padt-redial-session "new pppd $(pppd_pid) has session $(st pppoe.session) $(lab_since "$t0") s after kill -9 of $P"
else
    fail padt-redial-session "state $(st state) pid '$(pppd_pid)' no session $PADT_UP_S s after kill -9 of $P"
fi
# pppoe-server frees the session only once its own pppd for it has exited, so
# on a fast machine the redial's first PADI may still be refused; pppd's next
# PADI of the same dial is accepted (padt-first-redial below). Without the PADT
# no PADI is accepted for minutes (padt-control-refused above).
info padt-server-refusals "$(( $(refusals) - r0 )) PADI refused between the kill and the session"
check_eq padt-first-redial "$((d0 + 1))" "$(st dials)" "dials: the first redial got the session"
if wait_until "$PADT_UP_S" is_up; then pass padt-redial-up "up again $(lab_since "$t0") s after the kill: $(st ipv4.local)"
else fail padt-redial-up "state $(st state) $(lab_since "$t0") s after the kill"; fi
check_eq padt-status-last "$S pppd ended uncleanly null" \
    "$(st pppoe.last_padt.session) $(st pppoe.last_padt.reason) $(st pppoe.last_padt.error)"
J=$W/logs/padt-journal.json
journalctl -u $U -o json --no-pager >"$J"
line=$(jq -r "select(.MESSAGE_ID==\"$K_PADT\" and .PEER==\"lab\" and .IFNAME==\"wan0\") | .MESSAGE" "$J" | tail -n 1)
case $line in
*"stale session cleared: PADT sent for PPPoE session $S with access concentrator $ac_mac on wan0"*)
    pass padt-journal "MESSAGE_ID=$K_PADT PEER=lab IFNAME=wan0: $line" ;;
*) fail padt-journal "no stale-session entry for session $S: '$line'" ;;
esac
info padt-server-log "$(journalctl -t pppoe-server --no-pager -o cat | tail -n 4 | tr '\n' '|')"

# ---- restore the lab's own server (no -x 1, LCP echo); pppd redials under persist
_lab_mark
lab_server_kill
lab_server_start
if wait_until 150 eval '_lab_gt rtr ip-up "$_up0" && is_up && has_session'; then pass padt-restored "up again with the lab's server"
else fail padt-restored "state $(st state) after restoring the server"; fi
P2=$(pppd_pid)
