#!/bin/bash
# mss.test.sh BUILD - pppkit-mss.so in a real pppd (the host's 2.4.9) dialled
# over PPPoE to a real pppoe-server, in the lab VM (tests/e2e/lab.sh, qemu:
# MSS uses nftables' inet family). One boot, then:
#   ip-up   -> ppp0 is in the maps of table inet pppkit_mss with MTU-40 /
#              MTU-60 of the MTU read from ppp0 (1414 / 1394 at mtu 1454)
#   traffic -> a SYN from the LAN host leaves the router's LAN side with 1460
#              and reaches the ISP with the clamp; the reverse SYN (ISP to
#              LAN host) arrives clamped too
#   no raise -> with ppp0 mapped to 1480, a 1460 SYN passes unchanged (the
#              kernel's TCP option set never raises an MSS; Debian 12's 6.1)
#   redial  -> the ISP side is killed and restarted, pppd re-dials under
#              persist: one table, the same elements, no copies
#   poff    -> pppd exits and ppp0's elements are gone; the plugin's
#              "longest callback" line is reported
# The same file is the guest script: lab.sh runs it inside the VM with LAB_LIB set.
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-}}")
    here=$(dirname "$(readlink -f "$0")")
    [ -f "$build/pppkit-mss.so" ] || { echo "FAIL: no $build/pppkit-mss.so (make all first)"; exit 1; }
    exec bash "$here/lab.sh" --build "$build" --plugin mss --timeout 360 --name mss "$here/mss.test.sh"
fi

# ---- guest side (inside the VM) ----------------------------------------------
. "$LAB_LIB"
TABLE=pppkit_mss
nft_rules() { in_rtr nft list table inet "$TABLE" 2>/dev/null; }
count_tables() { in_rtr nft list tables 2>/dev/null | grep -c "inet $TABLE\$"; }
# slot_value SLOT FILE: the value ppp0 maps to in map SLOT of a listing
slot_value() { sed -n "/map $1 {/,/}/p" "$2" | grep -o "\"$LAB_PPP_IF\" : [0-9]*" | awk '{print $3}'; }
# how many slots (mss4, mss6, pmtu4, pmtu6) hold ppp0
count_elements() { nft_rules | grep -o "\"$LAB_PPP_IF\"" | wc -l; }

lab_up || exit 1
mtu=$(lab_ppp_mtu)
check_eq ppp0-mtu "$LAB_MTU" "$mtu" "ppp0 MTU (peer file: mtu $LAB_MTU)"
want4=$((mtu - 40)) want6=$((mtu - 60))
info mss-expected "MTU $mtu -> IPv4 MSS $want4, IPv6 MSS $want6"

# ---- the rules pppkit-mss installed at ip-up
nft_rules >"$W/logs/nft-after-up.txt"
sed 's/^/    | /' "$W/logs/nft-after-up.txt"
check_eq table-once 1 "$(count_tables)" "tables named inet $TABLE"
check_eq ipv4-clamp "$want4" "$(slot_value mss4 "$W/logs/nft-after-up.txt")" "map mss4: $LAB_PPP_IF -> IPv4 MSS"
check_eq ipv6-clamp "$want6" "$(slot_value mss6 "$W/logs/nft-after-up.txt")" "map mss6: $LAB_PPP_IF -> IPv6 MSS"
check_eq both-directions 2 "$(grep -cE "meta nfproto ipv4 tcp option maxseg size set (oifname|iifname) map @mss4" "$W/logs/nft-after-up.txt")" \
    "IPv4 rules looking up oifname and iifname in mss4"
elements_up=$(count_elements)
check_eq elements-up 2 "$elements_up" "slots holding $LAB_PPP_IF after ip-up and ipv6-up"
check plugin-logged grep -m1 "pppkit-mss: $LAB_PPP_IF: IPv4 MSS $want4, IPv6 MSS $want6" "$(lab_client_log)"
# the lab's peer has pppd's debug: its log holds the CHAP response (the
# password's MD5 with the challenge), and the plugin says so once
check debug-logs-chap grep -q 'sent \[CHAP Response id=' "$(lab_client_log)"
check_eq debug-warned 1 "$(grep -c "pppkit-mss: pppd's debug is on: pppd logs the CHAP challenge and response" \
    "$(lab_client_log)")" "warnings in pppd's log"

# ---- LAN host -> "internet" host in isp, through the router
capture_start lan-side rtr "$LAB_LAN_IF" tcp port 5001
capture_start isp-side isp "$LAB_ISP_PPP_IF" tcp port 5001
tcp_listen listen-isp isp 5001
check tcp-lan-to-isp tcp_connect lan "$LAB_INET_IP" 5001
SYN='tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'
capture_wait lan-side 1 10 "$SYN"; capture_wait isp-side 1 10 "$SYN"
capture_stop lan-side; capture_stop isp-side
before=$(capture_syn_mss lan-side | head -n 1)
after=$(capture_syn_mss isp-side | head -n 1)
capture_text lan-side 'tcp[tcpflags] & tcp-syn != 0' | sed 's/^/    lan-side| /'
capture_text isp-side 'tcp[tcpflags] & tcp-syn != 0' | sed 's/^/    isp-side| /'
check_eq syn-mss-lan-side 1460 "$before" "SYN MSS on the router's LAN side (before clamping)"
check_eq syn-mss-isp-side "$want4" "$after" "SYN MSS arriving at the ISP (after clamping)"

# ---- the reverse: ISP side -> LAN host (a published service)
capture_start lan-in lan eth0 tcp port 5002
capture_start isp-out isp "$LAB_ISP_PPP_IF" tcp port 5002
tcp_listen listen-lan lan 5002
check tcp-isp-to-lan tcp_connect isp "$LAB_LAN_HOST" 5002
capture_wait lan-in 1 10 "$SYN"; capture_wait isp-out 1 10 "$SYN"
capture_stop lan-in; capture_stop isp-out
sent=$(capture_syn_mss isp-out | head -n 1)
got=$(capture_syn_mss lan-in | head -n 1)
info reverse-syn "ISP host sent MSS ${sent:-none} (its ppp MTU $(lab_ppp_mtu isp "$LAB_ISP_PPP_IF")), LAN host received ${got:-none}"
check_eq syn-mss-into-lan "$want4" "$got" "SYN MSS arriving at the LAN host"

# ---- the kernel never raises an MSS (the rules have no "size > N" guard)
in_rtr nft -f - <<EOF
delete element inet $TABLE mss4 { "$LAB_PPP_IF" }
add element inet $TABLE mss4 { "$LAB_PPP_IF" : 1480 }
EOF
capture_start isp-raise isp "$LAB_ISP_PPP_IF" tcp port 5003
tcp_listen listen-isp3 isp 5003
check tcp-lan-to-isp-1480 tcp_connect lan "$LAB_INET_IP" 5003
capture_wait isp-raise 1 10 "$SYN"
capture_stop isp-raise
check_eq never-raised 1460 "$(capture_syn_mss isp-raise | head -n 1)" "SYN MSS at the ISP with $LAB_PPP_IF mapped to 1480"
in_rtr nft -f - <<EOF
delete element inet $TABLE mss4 { "$LAB_PPP_IF" }
add element inet $TABLE mss4 { "$LAB_PPP_IF" : $want4 }
EOF

# ---- the line dies, pppd re-dials under persist: still exactly one copy
lab_redial kill || exit 1
nft_rules >"$W/logs/nft-after-redial.txt"
check_eq redial-table-once 1 "$(count_tables)" "tables named inet $TABLE after the redial"
check_eq redial-same-elements "$elements_up" "$(count_elements)" "slots holding $LAB_PPP_IF after the redial (first ip-up: $elements_up)"
check_eq redial-mss "$((mtu - 40))" "$(slot_value mss4 "$W/logs/nft-after-redial.txt")" "IPv4 clamp after the redial"
check_eq redial-rules 8 "$(grep -c 'maxseg size set' "$W/logs/nft-after-redial.txt")" "rules in the table after the redial"
check redial-removed-on-down grep -m1 "pppkit-mss: removed the MSS clamp of $LAB_PPP_IF" "$(lab_client_log)"

# ---- poff: pppd exits, ppp0's elements go with it; the shared table stays
lab_poff
check_eq poff-elements-gone 0 "$(count_elements)" "slots holding $LAB_PPP_IF after poff"
check_eq poff-no-other-tables 0 "$(in_rtr nft list tables | grep pppkit_ | grep -vc "inet $TABLE\$")" \
    "pppkit tables other than inet $TABLE"
longest=$(grep -o 'pppkit-mss: longest callback .*' "$(lab_client_log)" | tail -n 1)
if [ -n "$longest" ]; then info longest-callback "$longest"
else fail longest-callback "no 'longest callback' line in $(lab_client_log)"; fi
lab_done
