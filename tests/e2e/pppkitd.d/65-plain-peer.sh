# 65-plain-peer.sh - a peer whose options load no pppkit plugin, and whose
# login fails (issue 8 section 4). Sourced by pppkitd.test.sh (contract:
# README.md). Such a pppd sends pppkitd no events: with persist and maxfail
# 0 it would redial by itself for ever at pppd's own pace, unseen. pppkitd
# starts it with "maxfail 1" after the peer's options instead, so each
# failed attempt ends it and its exit status (19) is counted.
#   setup  -> /etc/ppp/peers/plain: lab's without the pppkit plugins and
#             options, a user the ISP does not know (CHAP fails), persist,
#             maxfail 0, unit 2; [link "plain"] (autostart = no) in
#             pppkit.d/; pppkit reload; pppkit start plain
#   argv   -> pppkitd logs "pppd call plain nodetach maxfail 1" and why
#   count  -> failed-auth after auth-failures (3, the default) attempts:
#             3 exits 19, one CHAP failure at the ISP per dial, last status
#             19, no pppd; a dial beyond 3 only for an exit 16 (the ISP's
#             PADT overtook pppd's end: pppd reports a hangup)
#   quiet  -> 20 s later: no further attempt at the ISP, no pppd
#   leave  -> section and peer removed, pppkit reload; lab kept (same pppd)
# Before, the state stayed "dialling" while the ISP saw a CHAP failure every
# holdoff (1 s in lab's options).
pp_conf=$LAB_RTR_ETC/pppkit.d/65-plain.conf
pp_log=$W/logs/rtr-pppd-plain.log
pp_user=plain-$LAB_USER
st3() { "$LAB_BUILD/pppkit" status plain --json 2>/dev/null | jq -r ".links[0].$1"; }
pp_fails() { grep -c "Peer $pp_user failed CHAP authentication" "$W/logs/isp-pppd.log" 2>/dev/null; }
pp_cursor=$(journalctl -u $U -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
pp_journal() { journalctl -u $U --after-cursor="$pp_cursor" --no-pager -o cat; }

sed -e '/pppkit-/d' -e 's/^ipparam .*/ipparam plain/' -e "s|^logfile .*|logfile $pp_log|" -e '/^defaultroute$/d' \
    -e "s/^user .*/user \"$pp_user\"/" "$LAB_RTR_ETC/peers/lab" >"$LAB_RTR_ETC/peers/plain"
printf '%s\n' "# 65-plain-peer.sh: no pppkit plugin" unit\ 2 nodefaultroute >>"$LAB_RTR_ETC/peers/plain"
printf '"%s" * "not-known-to-the-isp" *\n' "$pp_user" >>"$LAB_RTR_ETC/chap-secrets"
cp "$LAB_RTR_ETC/peers/plain" "$W/logs/peer-plain.txt"
check plain-peer-persist grep -qx 'maxfail 0' "$LAB_RTR_ETC/peers/plain"
check_eq plain-peer-no-plugin "" "$(grep -i pppkit "$LAB_RTR_ETC/peers/plain" | grep -v '^#')"
mkdir -p "$LAB_RTR_ETC/pppkit.d"
printf '# 65-plain-peer.sh\n[link "plain"]\nautostart = no\nbackoff-floor = 2s\nbackoff-ceiling = 10s\n' >"$pp_conf"
out=$("$LAB_BUILD/pppkit" reload 2>&1)
check_eq plain-reload "pppkit reload: taken; links added: plain; removed: none; changed: none" "$out"
f0=$(pp_fails)
"$LAB_BUILD/pppkit" start plain >>"$W/logs/control.log" 2>&1
t0=$(lab_now)
if wait_until 240 eval '[ "$(st3 state)" = failed-auth ]'; then
    pass plain-failed-auth "failed-auth $(lab_since "$t0") s after pppkit start plain"
else
    fail plain-failed-auth "state $(st3 state), auth_failures $(st3 auth_failures), dials $(st3 dials), $(( $(pp_fails) - f0 )) CHAP failures at the ISP 240 s after pppkit start plain"
fi
# pppd's status can hide a refused login: the ISP's PADT overtaking pppd's
# own end reads as a hangup (exit 16, pppd's status overwritten); such an
# attempt is an ordinary failure, one more dial (supervisor/README.md).
pp_exits() { pp_journal | grep -c "plain: pppd [0-9]* ended (exit status $1:"; }
pp_hup=$(pp_exits 16)
info plain-exit-lines "$(pp_journal | grep 'plain: pppd [0-9]* ended' | tr '\n' '|')"
check_eq plain-exits "3 $pp_hup" "$(pp_exits 19) $(( $(st3 dials) - 3 ))" "pppd exits 19, dials beyond 3 (= exits 16: $pp_hup)"
check_eq plain-counted "3 19 null" "$(st3 auth_failures) $(st3 last_auth_failure.status) $(st3 pid)" \
    "auth_failures, last failure's status, pid"
pp_dials=$(st3 dials)
check_eq plain-isp-attempts "$pp_dials" "$(( $(pp_fails) - f0 ))" "CHAP failures of $pp_user at the ISP, one per dial"
check plain-argv eval 'pp_journal | grep -q "dialling: .*pppd call plain nodetach maxfail 1 (pid "'
check plain-why eval 'pp_journal | grep -q "plain: its peer file loads no pppkit plugin: pppd runs with maxfail 1"'
info plain-journal "$(pp_journal | grep 'plain' | tail -n 6 | tr '\n' '|')"
info plain-pppd-log "$(grep -E 'CHAP authentication failed|Exit|maxfail' "$pp_log" 2>/dev/null | tail -n 4 | tr '\n' '|')"
sleep 20
check_eq plain-quiet "failed-auth null $pp_dials" "$(st3 state) $(st3 pid) $(( $(pp_fails) - f0 ))" \
    "20 s later: state, pid, CHAP failures at the ISP"
check_eq plain-no-pppd "" "$(pgrep -a -x pppd | grep 'call plain')"

# ---- leave: plain gone, lab as it was
rm -f "$pp_conf" "$LAB_RTR_ETC/peers/plain"
sed -i "/^\"$pp_user\" /d" "$LAB_RTR_ETC/chap-secrets"
out=$("$LAB_BUILD/pppkit" reload 2>&1)
check_eq plain-removed "pppkit reload: taken; links added: none; removed: plain; changed: none" "$out"
check_eq plain-lab-kept "$P2 up" "$(st pid) $(st state)" "lab's pppd after the scenario"
