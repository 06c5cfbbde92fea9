# 60-auth-failure.sh - a wrong password never hammers the ISP (issue 8
# section 4). Sourced by pppkitd.test.sh in its systemd boot (see README.md).
# The router's chap-secrets gets a wrong password; pppkitd's pppd for lab
# (persist, maxfail 0: it never exits by itself) is hung up (SIGHUP) and
# redials by itself, through pppkit's holdoff hook, with the wrong secret.
#   count    -> exactly auth-failures (the default, 3) CHAP failures reach the
#               ISP side (its pppd's log: "Peer lab failed CHAP authentication")
#   stopped  -> pppkit status --json: failed-auth, auth_failures 3, the last
#               failure's status 19; the pppd is gone (pppkitd stopped it) and
#               its exit (status 5) did not make the link stopped-by-user
#   said     -> STATUS= of the unit and pppkit status (terminal) give the
#               reason; the journal has MESSAGE_ID kAuthFailure with PEER=lab
#   quiet    -> 20 s later: no pppd, no further attempt at the ISP
#   restore  -> the right secret, systemctl restart pppkitd: link lab up again
# The code before per-attempt counting only counted pppd's exit: this pppd
# never exits, so the state stayed dialling and the ISP saw a failure every
# few seconds for ever.
K_AUTH=6bdb8668685341e68c8dab8b49f6d777 # supervisor/pppkitd/journal.hpp kAuthFailure
AUTH_N=3                                # [link] auth-failures: the default (pppkitd.conf sets none)
AUTH_S=240                              # under TCG one failed attempt (PADI to CHAP failure) takes 5-40 s
isp_fails() { grep -c "Peer $LAB_USER failed CHAP authentication" "$W/logs/isp-pppd.log" 2>/dev/null; }
P=$(pppd_pid)
f0=$(isp_fails)
d0=$(st dials)
cp -p "$LAB_RTR_ETC/chap-secrets" "$LAB_RUN/chap-secrets.60-good"
printf '"%s" * "%s" *\n' "$LAB_USER" "wrong-$LAB_PASS" >"$LAB_RTR_ETC/chap-secrets"
jsince=$(date '+%Y-%m-%d %H:%M:%S')
info auth-hangup "SIGHUP pppd $P (persist, maxfail 0): it redials by itself with a wrong secret"
kill -HUP "$P"
t0=$(lab_now)
if wait_until "$AUTH_S" eval '[ "$(st state)" = failed-auth ]'; then
    pass auth-failed-state "failed-auth $(lab_since "$t0") s after the hangup"
else
    fail auth-failed-state "state $(st state), auth_failures $(st auth_failures), $(( $(isp_fails) - f0 )) CHAP failures at the ISP $AUTH_S s after the hangup"
fi
if wait_until 30 eval '! alive "$P"'; then pass auth-pppd-stopped "pppd $P ended $(lab_since "$t0") s after the hangup"
else fail auth-pppd-stopped "pppd $P still runs"; fi
wait_until 10 eval '[ "$(st pid)" = null ]'
check_eq auth-status "failed-auth $AUTH_N 19 null" \
    "$(st state) $(st auth_failures) $(st last_auth_failure.status) $(st pid)" "state, auth_failures, last failure's status, pid"
check_eq auth-isp-attempts "$AUTH_N" "$(( $(isp_fails) - f0 ))" "CHAP failures at the ISP side"
check_eq auth-no-redial-by-pppkitd "$d0" "$(st dials)" "dials: the attempts were pppd's own (persist)"
status_text=$(prop StatusText)
case $status_text in
*"lab failed-auth since "*"(authentication failed $AUTH_N times in a row: authentication to the peer failed; no redial)"*)
    pass auth-status-line "STATUS=$status_text" ;;
*) fail auth-status-line "STATUS=$status_text" ;;
esac
text=$("$LAB_BUILD/pppkit" status lab 2>&1)
check auth-status-text grep -q "gave up: no redial" <<<"$text"
info auth-status-text "$(grep -A1 'last authentication failure' <<<"$text" | tr '\n' '|')"
J=$W/logs/auth-journal.json
journalctl -u $U -o json --no-pager --since "$jsince" >"$J"
line=$(jq -r "select(.MESSAGE_ID==\"$K_AUTH\" and .PEER==\"lab\") | .MESSAGE" "$J" | grep 'giving up' | tail -n 1)
case $line in
*"authentication failed $AUTH_N times in a row (authentication to the peer failed): giving up, no redial"*"stopping pppd $P"*)
    pass auth-journal "MESSAGE_ID=$K_AUTH PEER=lab: $line" ;;
*) fail auth-journal "no giving-up entry: '$line'" ;;
esac
check_eq auth-journal-attempts "$AUTH_N" "$(jq -r "select(.MESSAGE_ID==\"$K_AUTH\" and .PEER==\"lab\") | .MESSAGE" "$J" | grep -c 'authentication failed')" \
    "kAuthFailure entries with PEER=lab (one per failed attempt)"
sleep 20
check_eq auth-quiet "failed-auth null $AUTH_N" "$(st state) $(st pid) $(( $(isp_fails) - f0 ))" \
    "20 s later: state, pid, CHAP failures at the ISP"
check_eq auth-no-pppd "" "$(pgrep -x pppd -a | grep 'call lab')"
info auth-rtr-log "$(grep -E 'CHAP authentication failed|Hangup|Terminating on signal|Exit' "$W/logs/rtr-pppd.log" | tail -n 6 | tr '\n' '|')"

# ---- restore: the right secret; a restarted pppkitd dials again
cp -p "$LAB_RUN/chap-secrets.60-good" "$LAB_RTR_ETC/chap-secrets"
systemctl restart $U
t0=$(lab_now)
if wait_until 150 is_up; then pass auth-restored "up again $(lab_since "$t0") s after the restart: $(st ipv4.local)"
else fail auth-restored "state $(st state) 150 s after the restart with the right secret"; fi
check_eq auth-reset "up 0" "$(st state) $(st auth_failures)" "state, auth_failures"
P2=$(pppd_pid)
