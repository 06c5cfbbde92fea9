# 40-holdoff.sh - pppd's own redial delay is pppkit's backoff (holdoff_hook),
# not pppd's fixed holdoff (30 s). Sourced by pppkitd.test.sh (see README.md).
# A second line of its own (veth wan1 <-> isp1, a second pppoe-server) and a
# second router pppd started by hand as pon does ("pppd call hold"), persist,
# pppkit-mss.so loaded, no "holdoff" option and no [link "hold"] section: the
# defaults (2s doubling to 5m). Its server is killed (a dead line): pppd
# sees it by LCP echo (8 s: a loaded VM flaps at 1 s), and each dial into the dead line fails after
# rp-pppoe's discovery (3 PADIs, 35 s). pppd's log is timestamped as it is
# written: after each "redial in N s" of the hook (2-3, 4-6, 8-12 s) the
# next PADI comes N s later - pppd alone would wait 30 s each time. The
# server comes back; the link is up again at the next dial. pppkitd's link
# lab is not touched.
hold_log=$W/logs/hold-pppd.log
hold_up() { cat "$hold_log" 2>/dev/null | grep -c "local  IP address"; }
hold_server() {
    lab_bg hold-pppoe-server isp pppoe-server -F -I isp1 -C lab-isp2 -S lab -L 192.0.2.2 -R 203.0.113.50 \
        -N 2 -O /etc/ppp/pppoe-server-hold $LAB_SRV_KOPTS
    HOLD_SERVER=$LAB_BG_PID
}

ip link add isp1 netns isp type veth peer name wan1 netns rtr
ip -n isp link set isp1 up
ip -n rtr link set wan1 up
cat >"$LAB_ISP_ETC/pppoe-server-hold" <<EOT
require-chap
lcp-echo-interval 2
lcp-echo-failure 5
unit 101
ipparam hold
ip-up-script /bin/true
ip-down-script /bin/true
logfile $W/logs/hold-isp-pppd.log
EOT
cat >"$LAB_RTR_ETC/peers/hold" <<EOT
# 40-holdoff.sh: persist, pppd's default holdoff, pppkit's backoff by default
plugin rp-pppoe.so
nic-wan1
user "$LAB_USER"
noauth
noipdefault
nodefaultroute
persist
maxfail 0
lcp-echo-interval 2
lcp-echo-failure 4
ipparam hold
ip-up-script /bin/true
ip-down-script /bin/true
debug
logfile $hold_log
plugin $LAB_BUILD/pppkit-mss.so
EOT
hold_server
: >"$hold_log"
# every line of pppd's log with the time it was written (inotify: at once)
tail -n +1 -F "$hold_log" 2>/dev/null > >(while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >"$hold_log.t") &
HOLD_TAIL=$!
lab_bg hold-pppd rtr pppd call hold nodetach
HOLD_PPPD=$LAB_BG_PID
if wait_until 60 eval '[ "$(hold_up)" -ge 1 ]'; then
    pass holdoff-first-dial "pppd call hold is up: $(grep -m1 'local  IP address' "$hold_log")"
else
    fail holdoff-first-dial "pppd call hold not up within 60 s: $(tail -n 3 "$hold_log" | tr '\n' ' ')"
fi
plan=$(grep -m1 'redial backoff' "$hold_log")
check holdoff-plan-logged grep -q 'pppkit-mss: redial backoff 2s doubling to 5m .*defaults (no \[link "hold"\] section)' \
    <<<"$plan"
info holdoff-plan "$plan"
check_eq holdoff-plan-once 1 "$(grep -c 'redial backoff' "$hold_log")"

t_kill=$EPOCHREALTIME HOLD_T0=$(lab_now)
lab_log "40-holdoff: killing the second ISP side (SIGKILL)"
# shellcheck disable=SC2046
kill -KILL $(tree_of "$HOLD_SERVER") 2>/dev/null
# two dials fail (35 s each); the server returns once the hook answered the third time
answers() { grep -c 'pppkit-mss: redial in' "$hold_log.t"; }
if wait_until 150 eval '[ "$(answers)" -ge 3 ]'; then
    pass holdoff-redials "three hook answers $(lab_since "$HOLD_T0") s after the kill"
else
    fail holdoff-redials "$(answers) hook answers within 150 s of the kill"
fi
t_back=$EPOCHREALTIME n_up=$(hold_up)
hold_server
lab_log "40-holdoff: the second ISP side is back"
if wait_until 90 eval '[ "$(hold_up)" -gt "$n_up" ]'; then
    pass holdoff-up-again "up again $(awk -v a="$t_back" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') s after the server came back"
else
    fail holdoff-up-again "not up within 90 s of the server's return: $(tail -n 3 "$hold_log" | tr '\n' ' ')"
fi
# per hook answer: N, and the time from it to the next PADI (pppd's wait)
mapfile -t waits < <(awk -v k="$t_kill" '$1 >= k && /pppkit-mss: redial in/ {n = $5; t = $1; next}
    t && /Send PPPOE Discovery V1T1 PADI/ {printf "%d %.1f\n", n, $1 - t; t = 0}' "$hold_log.t")
info holdoff-waits "hook answer, then the next PADI after (s): $(printf '%s; ' "${waits[@]}")"
in_range() { [ "${1:-x}" -ge "$2" ] 2>/dev/null && [ "$1" -le "$3" ]; }
within() { awk -v g="$2" -v n="$1" 'BEGIN {exit !(g >= n - 0.5 && g <= n + 5 && g < 30)}'; }
lo=(2 4 8) hi=(3 6 12) name=(floor 2x 4x)
for i in 0 1 2; do
    read -r n g <<<"${waits[$i]:-x x}"
    check "holdoff-answer-$((i + 1))-${name[$i]}" in_range "$n" "${lo[$i]}" "${hi[$i]}"
    check "holdoff-waited-$((i + 1))" within "$n" "$g"
done
check holdoff-grows awk -v a="${waits[1]%% *}" -v b="${waits[2]%% *}" 'BEGIN {exit !(b > a)}'
kill "$HOLD_TAIL" 2>/dev/null

# leave: the second line and its pppd gone; pppkitd's link untouched
kill -TERM "$HOLD_PPPD" 2>/dev/null
wait_until 20 eval '! alive "$HOLD_PPPD"' || kill -KILL "$HOLD_PPPD" 2>/dev/null
# shellcheck disable=SC2046
kill -KILL $(tree_of "$HOLD_SERVER") 2>/dev/null
ip -n rtr link del wan1 2>/dev/null
rm -f "$LAB_RTR_ETC/peers/hold"
check_eq holdoff-lab-untouched "$P2 up" "$(st pid) $(st state)" "pppkitd's link lab (pid state)"
