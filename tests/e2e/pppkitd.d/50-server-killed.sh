# 50-server-killed.sh - the ISP side goes away uncleanly (issue 8: "server
# killed -> redial"). Sourced by pppkitd.test.sh (contract: README.md here).
# The lab's pppoe-server and its session pppd are SIGKILLed: no PADT, no LCP
# TermReq, to the router a dead line.
#   down -> the router's pppd notices by LCP echo (lcp-echo-interval 1,
#           lcp-echo-failure 3 in the lab's peer: "No response to 3
#           echo-requests"); pppkitd's state leaves "up" (dialling: pppd stays,
#           persist) and the address is gone from `pppkit status --json`
#   back -> the server is restarted; the same pppd (persist) gets a new PPPoE
#           session (a new PADS in its log) and pppkitd's state is up again
#           with an address from the ISP's pool
#   journal -> a link-down and then a link-up entry (MESSAGE_ID, PEER=lab)
#           after the kill, in that order
SK_DOWN_S=30   # 3 missed echoes at 1 s; generous for TCG on a loaded machine
SK_UP_S=120    # a dial into the dead line may be in discovery (3 PADIs, 35 s)
sk_log=$(lab_client_log)
sk_count() { grep -c "$1" "$sk_log" 2>/dev/null; }
sk_states=""
sk_track() { # appends each new state of lab to sk_states; true when it is "$1"
    local s; s=$(st state)
    [ "${sk_states##* }" = "$s" ] || sk_states="$sk_states $s"
    [ "$s" = "$1" ] && { [ "$1" != up ] || [ "$(st ipv4.local)" != null ]; }
}
wait_until 30 is_up
sk_pid=$(pppd_pid) sk_addr=$(st ipv4.local) sk_sess=$(st pppoe.session)
sk_echo0=$(sk_count 'No response to 3 echo-requests')
sk_pads0=$(sk_count 'PPP session is')
sk_cursor=$(journalctl -u "$U" -n 1 -o json --no-pager | jq -r .__CURSOR)
sk_states=" $(st state)"
info server-killed-before "pppd $sk_pid up with $sk_addr, session $sk_sess, server $LAB_SERVER_PID"
check server-killed-have-server test -n "$LAB_SERVER_PID"

# ---- the ISP side dies: the router notices by LCP echo
t0=$(lab_now)
lab_server_kill
if wait_until "$SK_DOWN_S" sk_track dialling; then
    pass server-killed-down "pppkitd: $(st state), no address ($(st ipv4.local)) $(lab_since "$t0") s after the kill"
else
    fail server-killed-down "state $(st state) address $(st ipv4.local) $SK_DOWN_S s after the kill"
fi
t_down=$(lab_since "$t0")
check server-killed-lcp-echo test "$(sk_count 'No response to 3 echo-requests')" -gt "$sk_echo0"
check_eq server-killed-no-address null "$(st ipv4.local)" "ipv4.local while the line is dead"

# ---- the ISP side is back: a new session, up again
sleep 3   # the line stays dead a little longer than pppd needs to notice
lab_server_start
t1=$(lab_now)
if wait_until "$SK_UP_S" sk_track up; then
    pass server-killed-up "up again with $(st ipv4.local) on $(st ifname) $(lab_since "$t1") s after the server came back ($(lab_since "$t0") s after the kill)"
else
    fail server-killed-up "state $(st state) pid '$(pppd_pid)' $SK_UP_S s after the server came back"
fi
check_eq server-killed-states "up dialling up" "${sk_states# }" "states of lab seen (polled every 0.5 s)"
case $(st ipv4.local) in 203.0.113.*) pass server-killed-address "$(st ipv4.local) from the ISP's pool" ;;
    *) fail server-killed-address "got '$(st ipv4.local)'" ;; esac
check server-killed-new-session test "$(sk_count 'PPP session is')" -gt "$sk_pads0"
info server-killed-session "before $sk_sess, now $(st pppoe.session) ($(grep -o 'PPP session is [0-9]*' "$sk_log" | tail -n 1)); pppd $sk_pid -> $(pppd_pid); down after $t_down s"
check_eq server-killed-same-pppd "$sk_pid" "$(pppd_pid)" "pppd pid (persist redials itself)"
sk_json=$("$LAB_BUILD/pppkit" status --json 2>&1 | jq -c '.links[] | select(.name=="lab") | {state, pid, ifname, ipv4}')
check server-killed-status-json grep -q "\"state\":\"up\",\"pid\":$(pppd_pid),\"ifname\":\"ppp[0-9]*\",\"ipv4\":{\"local\":\"203.0.113." <<<"$sk_json"

# ---- the journal: link down, then link up, for lab, after the kill
# (kAddress shares kLinkUp's MESSAGE_ID: "interface ppp0 is gone" is one too,
# so the up that counts is pppd's "IPv4 up on IF: ADDRESS" of the new session,
# after the last link-down entry. No "up ... (rtnetlink)" in between: pppd's
# ip-down came while ppp0 still had its IPv6 link-local, which pppkitd once
# read as up again (3 boots of 4) and flapped pppkit-online@; the kernel
# decides "up" only for a pppd whose plugins say nothing: follow_kernel in
# supervisor/pppkitd/rtnl.cpp)
sk_j=$(journalctl -u "$U" --after-cursor "$sk_cursor" -o json --no-pager |
    jq -r "select(.PEER==\"lab\" and (.MESSAGE_ID==\"$K_DOWN\" or .MESSAGE_ID==\"$K_UP\")) | \"\(.MESSAGE_ID) \(.MESSAGE)\"")
sk_after=$(awk -v d="$K_DOWN" '$1 == d {b = ""; next} {b = b $0 "\n"} END {printf "%s", b}' <<<"$sk_j")
check server-killed-journal-down grep -q "^$K_DOWN lab: link down on " <<<"$sk_j"
check_eq server-killed-no-flap "" "$(grep " lab: up on .* (rtnetlink)" <<<"$sk_j")" "kernel-inferred up while pppd's plugin speaks"
check server-killed-journal-up grep -q "^$K_UP lab: IPv4 up on $(st ifname): $(st ipv4.local)," <<<"$sk_after"
info server-killed-journal-lines "$(cut -c34- <<<"$sk_j" | tr '\n' '|')"
P2=$(pppd_pid)
