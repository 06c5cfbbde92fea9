#!/bin/bash
# demo.sh BUILD - `make demo`: a real PPPoE session with pppkit-mss at work,
# told in plain words. Boots the lab VM (tests/e2e/lab.sh), dials, shows the
# clamp the plugin installed, the MSS of one captured SYN before and after the
# router, and poff removing the link's clamp. About 2 minutes; cleans up after itself.
# The same file is the guest script: lab.sh runs it inside the VM with LAB_LIB set.
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
    here=$(dirname "$(readlink -f "$0")")
    [ -f "$build/pppkit-mss.so" ] || { echo "demo: no $build/pppkit-mss.so: run make first"; exit 1; }
    cat <<'EOF'
=====================================================================
 pppkit demo: MSS clamping by pppkit-mss.so in a real PPPoE session
=====================================================================
This machine's kernel has no PPP, so the demo starts a small virtual
machine (qemu) with Debian's kernel and this machine's own programs.
Inside it, three network namespaces play the parts:

   isp  the ISP: a real pppoe-server, and a "server on the internet"
   rtr  your router: the real pppd, with "plugin pppkit-mss.so" in its
        peer file and "mtu 1454" like a typical Japanese FLET'S line
   lan  a PC on your LAN, 172.16.1.100

Nothing leaves the virtual machine. Booting takes a little while...
EOF
    exec bash "$here/lab.sh" --build "$build" --plugin mss --timeout 300 --name demo "$here/demo.sh"
fi

# ---- guest side (inside the VM) ----------------------------------------------
. "$LAB_LIB"
say() { printf '%s\n' "$@"; }
step() { printf '\n--- %s\n' "$*"; }
TABLE=pppkit_mss
# the value ppp0 maps to in map $1 of table inet pppkit_mss (empty if none)
slot_value() { in_rtr nft list map inet "$TABLE" "$1" 2>/dev/null | grep -o "\"$LAB_PPP_IF\" : [0-9]*" | awk '{print $3}'; }

step "Step 1: the router dials the ISP (PPPoE discovery, CHAP login, IPCP)"
lab_up || exit 1
say "The session is up. The ISP gave the router $LAB_PUBLIC; the link MTU is $LAB_MTU_NOW."
say "pppd's log (the lines pppkit-mss wrote; IPv6CP and IPCP each fire an \"up\","
say "and the first adds ppp0's clamp in one transaction; the second finds it in place):"
grep 'pppkit-mss' "$(lab_client_log)" | sed 's/^/    /'

step "Step 2: the clamp pppkit-mss installed (nft list table inet $TABLE)"
in_rtr nft list table inet "$TABLE" | sed 's/^/    /'
say "The table was loaded when pppd started, before it dialled. Its rules send every"
say "TCP SYN to chain clamp, which looks the interface up in the maps mss4/mss6. At"
say "ip-up the plugin only added the elements \"$LAB_PPP_IF\" : $((LAB_MTU_NOW - 40)) and \"$LAB_PPP_IF\" : $((LAB_MTU_NOW - 60))."
say "A TCP packet must fit in the link: $LAB_MTU_NOW bytes, minus 20 (IPv4) and 20 (TCP) headers,"
say "leaves $((LAB_MTU_NOW - 40)) bytes of data. So every SYN that crosses ppp0, in either"
say "direction, gets its MSS lowered to $((LAB_MTU_NOW - 40)) (IPv6: $((LAB_MTU_NOW - 60)))."
check_eq clamp-installed "$((LAB_MTU_NOW - 40)) $((LAB_MTU_NOW - 60))" "$(slot_value mss4) $(slot_value mss6)" \
    "$LAB_PPP_IF's IPv4 and IPv6 MSS in maps mss4 and mss6"

step "Step 3: the LAN PC connects to a server on the internet side ($LAB_INET_IP port 443)"
capture_start lan-side rtr "$LAB_LAN_IF" tcp port 443
capture_start isp-side isp "$LAB_ISP_PPP_IF" tcp port 443
tcp_listen server isp 443
check tcp-connect tcp_connect lan "$LAB_INET_IP" 443
capture_wait lan-side 1 10 'tcp[tcpflags] == tcp-syn'; capture_wait isp-side 1 10 'tcp[tcpflags] == tcp-syn'
capture_stop lan-side; capture_stop isp-side
before=$(capture_syn_mss lan-side | head -n 1)
after=$(capture_syn_mss isp-side | head -n 1)
say "The SYN as the PC sent it, captured on the router's LAN side:"
capture_text lan-side 'tcp[tcpflags] == tcp-syn' | grep -o '172.16.1.100.* > .*: Flags \[S\].*mss [0-9]*' | sed 's/^/    /'
say "The same SYN as the ISP received it:"
capture_text isp-side 'tcp[tcpflags] == tcp-syn' | grep -o '172.16.1.100.* > .*: Flags \[S\].*mss [0-9]*' | sed 's/^/    /'
say "" "    MSS before the router: ${before:-?}    after: ${after:-?}" ""
say "The PC sits on 1500-byte Ethernet and asks for 1460-byte segments; the server"
say "now sends at most $((LAB_MTU_NOW - 40)), which fit the PPPoE link without fragmentation"
say "or relying on ICMP \"packet too big\" getting through."
check_eq mss-before 1460 "$before" "SYN MSS on the LAN side"
check_eq mss-after "$((LAB_MTU_NOW - 40))" "$after" "SYN MSS at the ISP"

step "Step 4: poff (hang up); the plugin removes ppp0's clamp"
lab_poff
left=$(in_rtr nft list table inet "$TABLE" 2>/dev/null | grep -c "\"$LAB_PPP_IF\"")
say "Elements for $LAB_PPP_IF left in table inet $TABLE: $left (the empty table stays for the next dial)"
check_eq clamp-removed 0 "$left" "$LAB_PPP_IF's elements after poff"
say "pppd's log at exit:"
grep -E 'pppkit-mss: (removed|longest)' "$(lab_client_log)" | sed 's/^/    /'
say "(Callback times inside this emulated VM are many times slower than on real hardware;"
say " make bench measures them natively.)"

step "Done. On a real router: install the .deb and add \"plugin pppkit-mss.so\" to /etc/ppp/peers/<peer>."
lab_done
