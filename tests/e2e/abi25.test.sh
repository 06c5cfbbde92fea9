#!/bin/bash
# abi25.test.sh BUILD - the pppd 2.5 build of pppkit-mss.so in a real pppd 2.5.2.
#   host:  make PPPD_ABI=2.5 BUILD=BUILD all   -> BUILD/abi-2.5/pppkit-mss.so
#          the host's pppd 2.4.9 refuses that .so (exit 2): no VM needed
#   VM:    root = Debian 13 (trixie) minbase, debootstrap'ed once into
#          /var/cache/pppkit-lab/trixie; its pppd 2.5.2 and pppoe-server 4.0
#          (kernel mode, -k). pppd 2.5.2 refuses the 2.4.9 build (exit 2),
#          loads the 2.5 build, reaches ip-up, the MSS rules are in nftables
#          and clamp a real SYN; poff removes them. Then the 2.5 build of
#          pppkit-firewall.so refuses a link whose own interface (ppp0)
#          lan-interfaces names: exit 2, the failsafe, a PADT; and exit 2
#          when the ISP never answers its Terminate-Request
#          (tests/e2e/lan_link.sh).
# The same file is the guest script: lab.sh runs it inside the VM with LAB_LIB set.
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-}}")
    here=$(dirname "$(readlink -f "$0")")
    top=${PPPKIT_TOP:-$(cd "$here/../.." && pwd)}
    so25=$build/abi-2.5/pppkit-mss.so
    failed=0
    echo "== make PPPD_ABI=2.5 BUILD=$build all"
    t0=$SECONDS
    if ! nice make -s -C "$top" -j2 PPPD_ABI=2.5 BUILD="$build" all >"$build/abi25-make.log" 2>&1; then
        tail -n 30 "$build/abi25-make.log"
        echo "FAIL build-2.5: make PPPD_ABI=2.5 failed (log $build/abi25-make.log)"
        exit 1
    fi
    echo "PASS build-2.5: $so25 in $((SECONDS - t0))s ($(grep -h 'define PPPD_VERSION' "$build"/pppd-2.5/usr/include/pppd/pppdconf.h))"
    # the host's pppd is 2.4.9: it must refuse the 2.5 build before using it
    out=$(pppd plugin "$so25" --version 2>&1); rc=$?
    echo "$out" | sed 's/^/    host pppd| /'
    if [ $rc -eq 2 ] && grep -q "undefined symbol" <<<"$out" && grep -q "Couldn't load plugin" <<<"$out"; then
        echo "PASS cross-load-2.4.9: host pppd $(pppd --version 2>&1 | awk '{print $NF}') refuses the 2.5 build, exit $rc"
    else
        echo "FAIL cross-load-2.4.9: want exit 2, \"undefined symbol\" and \"Couldn't load plugin\", got exit $rc"; failed=1
    fi
    bash "$here/lab.sh" --rootfs trixie --build "$build" --plugin "$so25" --timeout 360 --name abi25 \
        "$here/abi25.test.sh"
    rc=$?
    [ $rc -eq 0 ] && [ $failed -eq 0 ] && exit 0
    [ $rc -ne 0 ] && exit $rc
    exit 1
fi

# ---- guest side (inside the VM, Debian 13 root) ------------------------------
. "$LAB_LIB"
case $LAB_PPPD_VERSION in
    2.5.*) pass pppd-version "pppd $LAB_PPPD_VERSION ($(. /etc/os-release; echo "$PRETTY_NAME"))" ;;
    *) fail pppd-version "want pppd 2.5.x in the trixie root, got '$LAB_PPPD_VERSION'"; exit 1 ;;
esac

# pppd 2.5.2 refuses the 2.4.9 build (no VM needed for this, but the VM has the real 2.5.2)
if [ -f "$PPPKIT_BUILD/pppkit-mss.so" ]; then
    out=$(pppd plugin "$PPPKIT_BUILD/pppkit-mss.so" --version 2>&1); rc=$?
    echo "$out" | sed 's/^/    pppd 2.5.2| /'
    # the reason must be the ABI (a 2.4.9 symbol), not a missing library
    if [ $rc -eq 2 ] && grep -q "undefined symbol" <<<"$out" && grep -q "Couldn't load plugin" <<<"$out"; then
        pass cross-load-2.5.2 "pppd $LAB_PPPD_VERSION refuses the 2.4.9 build, exit $rc"
    else
        fail cross-load-2.5.2 "want exit 2, \"undefined symbol\" and \"Couldn't load plugin\", got exit $rc"
    fi
fi

TABLE=pppkit_mss
lab_up || exit 1
log=$(lab_client_log)
check plugin-loaded grep -m1 "pppkit-mss: loaded (pppd $LAB_PPPD_VERSION)" "$log"
check kernel-pppoe grep -m1 "Connect: $LAB_PPP_IF <--> $LAB_WAN_IF" "$log"
# the lab's peer has pppd's debug: its log holds the CHAP response (the
# password's MD5 with the challenge), and the plugin says so once
check debug-logs-chap grep -q 'sent \[CHAP Response id=' "$log"
check_eq debug-warned 1 "$(grep -c "pppkit-mss: pppd's debug is on: pppd logs the CHAP challenge and response" \
    "$log")" "warnings in pppd's log"
info isp-session "$(grep -m1 -o 'Connect: ppp[0-9]* <--> isp0' "$W/logs/isp-pppd.log" || echo 'no kernel-mode line') (pppoe-server $LAB_SRV_KOPTS)"
mtu=$(lab_ppp_mtu)
in_rtr nft list table inet "$TABLE" >"$W/logs/nft-after-up.txt" 2>&1
sed 's/^/    | /' "$W/logs/nft-after-up.txt"
slot_value() { sed -n "/map $1 {/,/}/p" "$W/logs/nft-after-up.txt" | grep -o "\"$LAB_PPP_IF\" : [0-9]*" | awk '{print $3}'; }
check_eq ipv4-clamp "$((mtu - 40))" "$(slot_value mss4)" "map mss4: $LAB_PPP_IF -> IPv4 MSS (MTU $mtu)"
check_eq ipv6-clamp "$((mtu - 60))" "$(slot_value mss6)" "map mss6: $LAB_PPP_IF -> IPv6 MSS"

capture_start isp-side isp "$LAB_ISP_PPP_IF" tcp port 5001
tcp_listen listen-isp isp 5001
check tcp-lan-to-isp tcp_connect lan "$LAB_INET_IP" 5001
capture_wait isp-side 1 10 'tcp[tcpflags] == tcp-syn'
capture_stop isp-side
check_eq syn-mss-isp-side "$((mtu - 40))" "$(capture_syn_mss isp-side | head -n 1)" "SYN MSS arriving at the ISP"

lab_poff
check_eq poff-elements-gone 0 "$(in_rtr nft list table inet "$TABLE" | grep -c "\"$LAB_PPP_IF\"")" \
    "lines naming $LAB_PPP_IF in inet $TABLE after poff (the empty table stays)"
longest=$(grep -o 'pppkit-mss: longest callback .*' "$log" | tail -n 1)
if [ -n "$longest" ]; then info longest-callback "$longest"
else fail longest-callback "no 'longest callback' line in $log"; fi

# pppkit-firewall (2.5 build) refuses a link whose own interface lan-interfaces names
if [ -f "$PPPKIT_BUILD/abi-2.5/pppkit-firewall.so" ]; then
    . "$PPPKIT_TOP/tests/e2e/lan_link.sh"
    lan_link_refused plugin "$PPPKIT_BUILD/abi-2.5/pppkit-firewall.so"
    lan_link_refused_unacked plugin "$PPPKIT_BUILD/abi-2.5/pppkit-firewall.so"
else
    fail lan-link "no $PPPKIT_BUILD/abi-2.5/pppkit-firewall.so"
fi
lab_done
