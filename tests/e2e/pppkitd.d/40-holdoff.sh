# 40-holdoff.sh - pppd's own redial delay is pppkit's backoff (holdoff_hook),
# not pppd's fixed holdoff (30 s). Sourced by pppkitd.test.sh (see README.md).
# A second line of its own (veth wan1 <-> isp1, a second pppoe-server) and a
# second router pppd started by hand as pon does ("pppd call hold"), persist,
# pppkit-mss.so loaded, no "holdoff" option and no [link "hold"] section: the
# defaults (2s doubling to 5m). Its server is killed (a dead line); the
# router's PADIs (one per dial: pppoe-padi-attempts 1, timeout 1 s) are
# captured on wan1: the first comes 2-3 s after the link went down, the next
# ones 4-6 s and 8-12 s later (plus the 1 s dial) - pppd alone would wait
# 30 s each time. The server comes back; the link is up again at the next
# dial. pppkitd's link lab is not touched.
hold_log=$W/logs/hold-pppd.log
hold_up() { cat "$hold_log" 2>/dev/null | grep -c "local  IP address"; }
hold_padis() { tcpdump -tt -n -r "$W/cap/hold.pcap" pppoed 2>/dev/null | awk '/PADI/ {print $1}'; }
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
lcp-echo-interval 1
lcp-echo-failure 3
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
pppoe-padi-timeout 1
pppoe-padi-attempts 1
user "$LAB_USER"
noauth
noipdefault
nodefaultroute
persist
maxfail 0
lcp-echo-interval 1
lcp-echo-failure 3
ipparam hold
ip-up-script /bin/true
ip-down-script /bin/true
debug
logfile $hold_log
plugin $LAB_BUILD/pppkit-mss.so
EOT
hold_server
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

capture_start hold rtr wan1 pppoed
t_kill=$(date +%s.%N)
lab_log "40-holdoff: killing the second ISP side (SIGKILL)"
# shellcheck disable=SC2046
kill -KILL $(tree_of "$HOLD_SERVER") 2>/dev/null
# three failed dials; then the server returns before the fourth
if wait_until 60 eval '[ "$(hold_padis | wc -l)" -ge 3 ]'; then
    sleep 1.5   # the third dial's PADI timeout (1 s) has passed: it failed
    t_back=$(date +%s.%N)
    hold_server
    lab_log "40-holdoff: the second ISP side is back"
else
    fail holdoff-redials "fewer than 3 PADIs within 60 s of the kill: $(hold_padis | tr '\n' ' ')"
    t_back=$(date +%s.%N)
    hold_server
fi
if wait_until 60 eval '[ "$(hold_up)" -ge 2 ]'; then
    t_up=$(date +%s.%N)
    pass holdoff-up-again "up again $(awk -v a="$t_back" -v b="$t_up" 'BEGIN {printf "%.1f", b - a}') s after the server came back"
else
    fail holdoff-up-again "not up within 60 s of the server's return: $(tail -n 3 "$hold_log" | tr '\n' ' ')"
fi
capture_stop hold
mapfile -t padi < <(hold_padis)
mapfile -t waits < <(sed -n 's/.*pppkit-mss: redial in \([0-9]*\) s (failure [0-9]*)$/\1/p' "$hold_log")
info holdoff-waits "hook answers: ${waits[*]}; PADIs after the kill at +$(printf '%s\n' "${padi[@]}" |
    awk -v k="$t_kill" '{printf "%.1f ", $1 - k}')s"
# the hook's answers: floor, 2x, 4x, 8x with up to 50% jitter (defaults 2s..5m)
in_range() { [ "${2:-x}" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; }
check holdoff-wait-1 in_range x "${waits[0]:-}" 2 3
check holdoff-wait-2 in_range x "${waits[1]:-}" 4 6
check holdoff-wait-3 in_range x "${waits[2]:-}" 8 12
# what pppd did: a PADI (a dial) 1 s + the hook's answer after the previous one
gap() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
if [ "${#padi[@]}" -ge 3 ] && [ "${#waits[@]}" -ge 3 ]; then
    g1=$(gap "${padi[0]}" "${padi[1]}") g2=$(gap "${padi[1]}" "${padi[2]}")
    check holdoff-gap-2x awk -v g="$g1" -v w="${waits[1]}" 'BEGIN {exit !(g >= w + 0.5 && g <= w + 6)}'
    check holdoff-gap-4x awk -v g="$g2" -v w="${waits[2]}" 'BEGIN {exit !(g >= w + 0.5 && g <= w + 6)}'
    check holdoff-grows awk -v a="$g1" -v b="$g2" 'BEGIN {exit !(b > a)}'
    first=$(gap "$t_kill" "${padi[0]}")
    check holdoff-not-30s awk -v f="$first" -v a="$g1" -v b="$g2" 'BEGIN {exit !(f < 20 && a < 20 && b < 20)}'
    info holdoff-gaps "first PADI $first s after the kill (LCP echo 3 s + ${waits[0]} s), then $g1 s, $g2 s apart (pppd's own: 30 s + the dial)"
else
    fail holdoff-gaps "${#padi[@]} PADIs, ${#waits[@]} hook answers"
fi

# leave: the second line and its pppd gone; pppkitd's link untouched
kill -TERM "$HOLD_PPPD" 2>/dev/null
wait_until 20 eval '! alive "$HOLD_PPPD"' || kill -KILL "$HOLD_PPPD" 2>/dev/null
# shellcheck disable=SC2046
kill -KILL $(tree_of "$HOLD_SERVER") 2>/dev/null
ip -n rtr link del wan1 2>/dev/null
rm -f "$LAB_RTR_ETC/peers/hold"
check_eq holdoff-lab-untouched "$P2 up" "$(st pid) $(st state)" "pppkitd's link lab (pid state)"
