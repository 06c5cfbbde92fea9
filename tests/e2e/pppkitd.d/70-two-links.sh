# 70-two-links.sh - two PPPoE sessions on one line at once (common in
# Japan: one for the IPv4 provider, one for another provider or a VPN), both
# supervised by one pppkitd. Sourced by pppkitd.test.sh (contract: README.md).
# The lab's pppoe-server runs without -x: several sessions per MAC. Its
# session pppd asks for "unit 100"; the second one finds it taken and falls
# back to another unit of the isp netns (pppd: "Couldn't allocate PPP unit
# 100 as it is already in use"). The ISP's LAN route follows the latest
# session, which nothing here needs.
#   setup  -> /etc/ppp/peers/lab2 (lab's, with ipparam lab2, its own logfile,
#             unit 1, no defaultroute) and [link "lab2"] in pppkit.d/;
#             systemctl restart pppkitd.service
#   both   -> lab and lab2 up at the same time: different pids, ppp0 and
#             ppp1, two addresses from the ISP's pool; `pppkit status --json`
#             lists both; STATUS= names both; pppkit_mss has ppp0 and ppp1
#   kill   -> kill -9 of lab2's pppd: lab2 redials (a new pid, up again),
#             lab's pppd, session and address stay and lab never left "up"
#   leave  -> poff lab2, the peer and the section removed, restart: lab alone
tl_conf=$LAB_RTR_ETC/pppkit.d/70-lab2.conf
tl_log=$W/logs/rtr-pppd-lab2.log
st2() { "$LAB_BUILD/pppkit" status lab2 --json 2>/dev/null | jq -r ".links[0].$1"; }
both_up() { is_up && [ "$(st2 state)" = up ] && [ "$(st2 ipv4.local)" != null ]; }
tl_mss() { in_rtr nft list map inet pppkit_mss mss4 2>&1; }
tl_mss_n() { tl_mss | grep -o "\"$1\" : [0-9]*" | wc -l; }   # IF -> its elements in map mss4
tl_isp_units() { ip -n isp -o link show 2>/dev/null | grep -o ' ppp[0-9]*:' | tr -d ' :' | sort | tr '\n' ' '; }

# ---- the ISP side allows it: no -x (sessions per MAC) on the running server
tl_srv=$(tr '\0' ' ' <"/proc/$LAB_SERVER_PID/cmdline" 2>/dev/null)
case " $tl_srv " in
*" -x "*) fail two-links-server "pppoe-server limits sessions per MAC: $tl_srv" ;;
*" -N "*) pass two-links-server "no -x: $tl_srv" ;;
*) fail two-links-server "no pppoe-server $LAB_SERVER_PID running" ;;
esac

# ---- lab2: the peer and the section, then restart pppkitd
sed -e 's/^ipparam .*/ipparam lab2/' -e "s|^logfile .*|logfile $tl_log|" -e '/^defaultroute$/d' \
    "$LAB_RTR_ETC/peers/lab" >"$LAB_RTR_ETC/peers/lab2"
printf '%s\n' "# 70-two-links.sh: the second session on the same line" unit\ 1 nodefaultroute >>"$LAB_RTR_ETC/peers/lab2"
mkdir -p "$LAB_RTR_ETC/pppkit.d"
cat >"$tl_conf" <<EOT
# 70-two-links.sh: a second link on the same line
[link "lab2"]
autostart = yes
lan-interface = lan0
backoff-floor = 2s
backoff-ceiling = 10s
EOT
cp "$LAB_RTR_ETC/peers/lab2" "$W/logs/peer-lab2.txt"
check two-links-config in_rtr "$LAB_BUILD/pppkit" check
tl_lab0=$(pppd_pid)
t0=$(lab_now)
systemctl restart "$U"
if wait_until 150 both_up; then
    pass two-links-up "both up $(lab_since "$t0") s after the restart"
else
    fail two-links-up "lab $(st state) $(st ipv4.local), lab2 $(st2 state) $(st2 ipv4.local) 150 s after the restart: $(tail -n 3 "$tl_log" 2>/dev/null | tr '\n' ' ')"
fi
info two-links-restart "lab's pppd $tl_lab0 -> $(pppd_pid) over the restart (kept: 15-restart.sh)"
PA=$(pppd_pid) PB=$(st2 pid) IA=$(st ifname) IB=$(st2 ifname) AA=$(st ipv4.local) AB=$(st2 ipv4.local) SA=$(st pppoe.session)

# ---- both at once
check_eq two-links-ifnames "ppp0 ppp1" "$IA $IB" "lab, lab2 interfaces"
check two-links-pids test -n "$PA" -a -n "$PB" -a "$PA" != "$PB"
case "$AA $AB" in
203.0.113.*" "203.0.113.*) if [ "$AA" != "$AB" ]; then pass two-links-addresses "lab $AA, lab2 $AB"
    else fail two-links-addresses "the same address twice: $AA"; fi ;;
*) fail two-links-addresses "lab '$AA', lab2 '$AB'" ;;
esac
check_eq two-links-kernel "$AA $AB" "$(ip -n rtr -4 -o addr show dev "$IA" | awk '{print $4}') $(ip -n rtr -4 -o addr show dev "$IB" | awk '{print $4}')" "addresses on $IA, $IB"
tl_json=$("$LAB_BUILD/pppkit" status --json 2>&1)
echo "$tl_json" >"$W/logs/two-links-status.json"
check_eq two-links-status-json "lab up $PA $IA $AA|lab2 up $PB $IB $AB|" \
    "$(jq -r '.links[] | "\(.name) \(.state) \(.pid) \(.ifname) \(.ipv4.local)"' <<<"$tl_json" | tr '\n' '|')" "pppkit status --json"
tl_status=$(prop StatusText)
case $tl_status in
"lab up $AA since "*"; lab2 up $AB since "*) pass two-links-status-line "STATUS= '$tl_status'" ;;
*) fail two-links-status-line "STATUS= '$tl_status'" ;;
esac
wait_until 20 eval '[ "$(tl_isp_units | wc -w)" = 2 ]'
check_eq two-links-isp-sessions 2 "$(tl_isp_units | wc -w)" "ppp interfaces of the ISP: $(tl_isp_units)"
info two-links-isp-units "$(grep -h 'Couldn.t allocate PPP unit' "$W/logs/isp-pppd.log" | tail -n 1); ISP side: $(tl_isp_units)"
tl_mss >"$W/logs/two-links-mss.txt"
check_eq two-links-mss "1 1" "$(tl_mss_n "$IA") $(tl_mss_n "$IB")" "pppkit_mss map mss4: elements of $IA, $IB"

# ---- kill -9 of pppkitd: systemd restarts it, it adopts both pppd.
# Re-adoption binds each pppd to its interface by /run/pppN.pid
# (supervisor/core/adopt.cpp; one file still naming its pppd is enough: the
# other link takes the interface no file claims). In this lab /run is shared
# with the ISP's session pppds, and one that falls back from its unit 100 to
# ppp0 or ppp1 of its own netns rewrites the router's file (on a real router
# only the router's pppds write there). When both files were rewritten the
# interfaces cannot be known at once: then the adoption (pid, adopted) is
# checked, and the interfaces only as lab2's redial brings them back.
info two-links-pid-files "$(cd /run && grep -H . ppp*.pid 2>&1 | tr '\n' ' ')(lab $PA, lab2 $PB)"
tl_files=0
[ "$(cat "/run/$IA.pid" 2>/dev/null)" = "$PA" ] && tl_files=$((tl_files + 1))
[ "$(cat "/run/$IB.pid" 2>/dev/null)" = "$PB" ] && tl_files=$((tl_files + 1))
tl_n0=$(prop NRestarts) tl_m0=$(prop MainPID)
systemctl kill --kill-who=main -s KILL "$U"
wait_until 60 eval '[ "$(prop NRestarts)" -gt "$tl_n0" ] && [ "$(prop MainPID)" != "$tl_m0" ] && systemctl is-active --quiet "$U"'
if [ "$tl_files" -gt 0 ]; then
    wait_until 20 both_up
    check_eq two-links-readopted "lab $PA $IA $AA up true|lab2 $PB $IB $AB up true|" \
        "$("$LAB_BUILD/pppkit" status --json | jq -r '.links[] | "\(.name) \(.pid) \(.ifname) \(.ipv4.local) \(.state) \(.adopted)"' | tr '\n' '|')" \
        "after kill -9 of pppkitd $tl_m0 (NRestarts $(prop NRestarts)): name pid ifname address state adopted"
else
    info two-links-pid-files-lost "both router pid files were rewritten by the ISP's session pppds: interfaces not known at re-adoption"
    wait_until 20 eval '[ "$("$LAB_BUILD/pppkit" status --json | jq -r "[.links[] | select(.adopted)] | length")" = 2 ]'
    check_eq two-links-readopted "lab $PA true|lab2 $PB true|" \
        "$("$LAB_BUILD/pppkit" status --json | jq -r '.links[] | "\(.name) \(.pid) \(.adopted)"' | tr '\n' '|')" \
        "after kill -9 of pppkitd $tl_m0 (NRestarts $(prop NRestarts)): name pid adopted"
fi

# ---- kill -9 of lab2: lab2 redials, lab untouched
lab_states=" $(st state)"
lab_track() { # records each new state of lab; true once lab2 has a new pppd up
    local s; s=$(st state)
    [ "${lab_states##* }" = "$s" ] || lab_states="$lab_states $s"
    [ -n "$(st2 pid | grep -v null)" ] && [ "$(st2 pid)" != "$PB" ] && [ "$(st2 state)" = up ] && [ "$(st2 ipv4.local)" != null ]
}
info two-links-kill "SIGKILL lab2's pppd $PB"
kill -KILL "$PB"
t0=$(lab_now)
if wait_until 150 lab_track; then
    pass two-links-lab2-redial "lab2: new pppd $(st2 pid) up with $(st2 ipv4.local) on $(st2 ifname) $(lab_since "$t0") s after the kill, redials $(st2 redials)"
else
    fail two-links-lab2-redial "lab2 $(st2 state) pid '$(st2 pid)' 150 s after kill -9 of $PB"
fi
check_eq two-links-lab-untouched "$PA $SA $AA up" "$(pppd_pid) $(st pppoe.session) $(st ipv4.local) $(st state)" "lab: pid session address state"
# (with both pid files lost, lab is bound again only once lab2's new pppd
# names ppp1: its state goes from dialling to up without a redial of its own)
[ "$tl_files" -gt 0 ] && check_eq two-links-lab-stayed-up "up" "${lab_states# }" "states of lab seen during lab2's redial"
check_eq two-links-lab-no-redial 0 "$(st redials)" "lab's redials"
check_eq two-links-mss-after "1 1" "$(tl_mss_n "$IA") $(tl_mss_n "$(st2 ifname)")" "pppkit_mss map mss4: elements of $IA, $(st2 ifname)"

# ---- leave: lab2 gone, lab up alone
PB=$(st2 pid)
in_rtr poff lab2 >>"$W/logs/poff.log" 2>&1
wait_until 30 eval '! alive "$PB"' || fail two-links-poff "lab2's pppd $PB still running 30 s after poff lab2"
rm -f "$tl_conf" "$LAB_RTR_ETC/peers/lab2"
systemctl restart "$U"
wait_until 120 is_up
check_eq two-links-left "lab up" "$("$LAB_BUILD/pppkit" status --json | jq -r '.links[] | "\(.name) \(.state)"' | tr '\n' ' ' | sed 's/ $//')" "links after lab2 was removed"
check_eq two-links-no-lab2-pppd "" "$(pgrep -a -x pppd | grep 'call lab2')"
P2=$(pppd_pid)
