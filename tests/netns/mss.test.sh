#!/bin/bash
# mss.test.sh BUILD - pppkit-mss's rules in the host kernel's real nftables.
#
#   lan ns                 router ns (forwarding)                 inet ns
#   eth0 (1500) ------- lan0 (1500)     ppp0 (1454) ------------- wan0 (1500)
#                                       ppp1 (1492) ------------- wan1 (1500)
#
# ppp0/ppp1 are veths named like PPP links with a PPPoE MTU on the router's
# end. The inet ends keep 1500, like a server on Ethernet somewhere behind the
# access concentrator, so the SYNs it sends carry an unclamped MSS (1460/1440)
# that only the router's rules can lower. IPv4 and IPv6 on every hop.
# The rules are installed by `pppkit mss apply` (the plugin's own core and
# nft::Context) inside the router namespace.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
. "$(dirname "$0")/lib.sh"
nsl_init mss
nsl_need tcpdump python3 nft ss timeout
PK=$build/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all first)"

ns_create lan
ns_create router
ns_create inet
veth lan eth0 router lan0 1500
veth router ppp0 inet wan0 1454 1500
veth router ppp1 inet wan1 1492 1500
addr lan eth0 10.77.1.2/24 fd77:1::2/64
addr router lan0 10.77.1.1/24 fd77:1::1/64
addr router ppp0 10.77.2.1/24 fd77:2::1/64
addr router ppp1 10.77.3.1/24 fd77:3::1/64
addr inet wan0 10.77.2.2/24 fd77:2::2/64
addr inet wan1 10.77.3.2/24 fd77:3::2/64
route lan default 10.77.1.1
route lan default fd77:1::1
route inet 10.77.1.0/24 10.77.2.1
route inet fd77:1::/64 fd77:2::1
forwarding router
# a LAN host with a second address reached through ppp1 from the inet side
addr inet lo 10.77.9.1/32 fd77:9::1/128
route router 10.77.9.1/32 10.77.3.2
route router fd77:9::1/128 fd77:3::2

# listeners: the "internet" (through ppp0: wan0 addresses; through ppp1: lo),
# the LAN host, and the router itself is only ever a client here
tcp_listen inet 10.77.2.2 8004 120 && tcp_listen inet fd77:2::2 8006 120 &&
    tcp_listen inet 10.77.9.1 8014 120 && tcp_listen inet fd77:9::1 8016 120 &&
    tcp_listen lan 10.77.1.2 9004 120 && tcp_listen lan fd77:1::2 9006 120 ||
    { fail "listeners did not start"; nsl_finish; }

check "IPv4 LAN -> inet connects through the router" tcp_connect lan 10.77.2.2 8004
check "IPv6 LAN -> inet connects through the router" tcp_connect lan fd77:2::2 8006
check "IPv4 inet -> LAN connects through the router" tcp_connect inet 10.77.1.2 9004
check "IPv6 inet -> LAN connects through the router" tcp_connect inet fd77:1::2 9006

# four SYNs crossing ppp0, each captured on the far side
crossing() { # EXPECT4_OUT EXPECT6_OUT EXPECT4_IN EXPECT6_IN LABEL
    check_eq "$5: IPv4 LAN -> inet SYN at inet" "$1" "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
    check_eq "$5: IPv6 LAN -> inet SYN at inet" "$2" "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
    check_eq "$5: IPv4 inet -> LAN SYN at LAN" "$3" "$(syn_mss lan eth0 9004 tcp_connect inet 10.77.1.2 9004)"
    check_eq "$5: IPv6 inet -> LAN SYN at LAN" "$4" "$(syn_mss lan eth0 9006 tcp_connect inet fd77:1::2 9006)"
}

pk_tables() { nsx router nft list tables | grep -c 'pppkit_' ; }
# how many slots (mss4, mss6, pmtu4, pmtu6) hold interface $1
elements_of() { nsx router nft list table inet pppkit_mss 2>/dev/null | grep -o "\"$1\"" | wc -l; }
clamp_rules() { nsx router nft list chain inet pppkit_mss clamp 2>/dev/null | grep -c 'maxseg size set'; }

echo "--- without pppkit's rules"
check_eq "no pppkit table in the router" 0 "$(pk_tables)"
crossing 1460 1440 1460 1440 "unclamped"

echo "--- pppkit mss apply ppp0 1454"
check "pppkit mss apply ppp0 1454" nsx router "$PK" mss apply ppp0 1454
crossing 1414 1394 1414 1394 "clamped"
# the SYN-ACK leaving through ppp0 is a SYN too: the inet side learns 1414
check_eq "clamped: IPv4 SYN-ACK of the LAN host at inet" 1414 \
    "$(synack_mss inet wan0 9004 tcp_connect inet 10.77.1.2 9004)"
check_eq "clamped: IPv6 SYN-ACK of the LAN host at inet" 1394 \
    "$(synack_mss inet wan0 9006 tcp_connect inet fd77:1::2 9006)"

echo "--- reapplying (a redial) never duplicates"
for i in 1 2 3; do nsx router "$PK" mss apply ppp0 1454 >/dev/null || fail "reapply $i"; done
check_eq "ppp0's elements after 4 applies (mss4, mss6)" 2 "$(elements_of ppp0)"
check_eq "rules in chain clamp after 4 applies" 8 "$(clamp_rules)"
check_eq "pppkit tables after 4 applies" 1 "$(pk_tables)"
nsx router "$PK" mss apply ppp0 1400 >/dev/null
check_eq "a new MTU replaces ppp0's elements (still 2)" 2 "$(elements_of ppp0)"
check_eq "MTU 1400: IPv4 SYN at inet" 1360 "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
nsx router "$PK" mss apply ppp0 1454 >/dev/null

echo "--- a second link: ppp1"
check "pppkit mss apply ppp1 (MTU read from the interface: 1492)" nsx router "$PK" mss apply ppp1
check_eq "pppkit tables with two links (one shared table)" 1 "$(pk_tables)"
check_eq "ppp1's elements" 2 "$(elements_of ppp1)"
check_eq "rules in chain clamp with two links" 8 "$(clamp_rules)"
check_eq "ppp1: IPv4 LAN -> inet SYN" 1452 "$(syn_mss inet wan1 8014 tcp_connect lan 10.77.9.1 8014)"
check_eq "ppp1: IPv6 LAN -> inet SYN" 1432 "$(syn_mss inet wan1 8016 tcp_connect lan fd77:9::1 8016)"
check_eq "ppp0 still: IPv4 LAN -> inet SYN" 1414 "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check "pppkit mss remove ppp0" nsx router "$PK" mss remove ppp0
check_eq "after removing ppp0: no element for ppp0" 0 "$(elements_of ppp0)"
check_eq "after removing ppp0: ppp1 keeps its 2 elements" 2 "$(elements_of ppp1)"
check_eq "after removing ppp0: ppp1 still clamps (IPv4)" 1452 \
    "$(syn_mss inet wan1 8014 tcp_connect lan 10.77.9.1 8014)"
check_eq "after removing ppp0: ppp0 no longer clamps (IPv4)" 1460 \
    "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check_eq "after removing ppp0: ppp0 no longer clamps (IPv6)" 1440 \
    "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
check "pppkit mss remove ppp0 again (nothing there) succeeds" nsx router "$PK" mss remove ppp0
check "pppkit mss remove ppp1" nsx router "$PK" mss remove ppp1
check_eq "after removing both: no element left" 0 "$(elements_of ppp1)"
check "pppkit mss remove --all" nsx router "$PK" mss remove --all
check_eq "after remove --all: no pppkit table left" 0 "$(pk_tables)"

echo "--- [mss] settings from --config"
conf=$NSL_TMP/pppkit.conf
printf '[mss]\nmss = pmtu\nipv6 = no\n' >"$conf"
check "pppkit --config (mss = pmtu, ipv6 = no) check" "$PK" --config "$conf" check
check "pppkit --config ... mss apply ppp0" nsx router "$PK" --config "$conf" mss apply ppp0
check_eq "pmtu: ppp0 is in set pmtu4 only" "1 0 0" \
    "$(for s in pmtu4 pmtu6 mss4; do nsx router nft list table inet pppkit_mss | sed -n "/ $s {/,/}/p" | grep -c '"ppp0"'; done | xargs)"
check_eq "pmtu: IPv4 LAN -> inet SYN (route MTU 1454)" 1414 \
    "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check_eq "ipv6 = no: IPv6 LAN -> inet SYN untouched" 1440 \
    "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
# "rt mtu" is the smaller of the MTUs of the route to the destination and
# of the route back to the source (like iptables --clamp-mss-to-pmtu), so an
# inbound SYN heading for the LAN (1500) is clamped to ppp0's 1414 too.
check_eq "pmtu: IPv4 inet -> LAN SYN at LAN" 1414 \
    "$(syn_mss lan eth0 9004 tcp_connect inet 10.77.1.2 9004)"
check_eq "pmtu: IPv4 SYN-ACK of the LAN host at inet" 1414 \
    "$(synack_mss inet wan0 9004 tcp_connect inet 10.77.1.2 9004)"
printf '[mss]\nmss = 1300\n' >"$conf"
nsx router "$PK" --config "$conf" mss apply ppp0 >/dev/null
check_eq "mss = 1300: IPv4 SYN" 1300 "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check_eq "mss = 1300: IPv6 SYN (20 less)" 1280 "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
# the kernel never raises an MSS: 1480 (IPv6 1460) leaves 1460 (1440) alone
printf '[mss]\nmss = 1480\n' >"$conf"
nsx router "$PK" --config "$conf" mss apply ppp0 >/dev/null
check_eq "mss = 1480 above the SYN's 1460: IPv4 SYN unchanged" 1460 \
    "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check_eq "mss = 1480 (IPv6 1460) above the SYN's 1440: IPv6 SYN unchanged" 1440 \
    "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
printf '[mss]\nmss = 12\n' >"$conf"
out=$(nsx router "$PK" --config "$conf" mss apply ppp0 2>&1)
rc=$?
check_eq "a bad [mss] mss value: exit status" 2 "$rc"
check "a bad [mss] mss value: file:line: [mss] mss: ... (got '12')" \
    grep -q "pppkit.conf:2: \[mss\] mss: .*(got '12')" <<<"$out"
nsx router "$PK" mss remove ppp0 >/dev/null

echo "--- the router's own connections out of ppp0"
# The router's kernel derives the MSS of its own SYNs from the route MTU of
# ppp0 (1454), and the forward chain never sees locally generated packets.
check_eq "router's own IPv4 SYN, no rules" 1414 "$(syn_mss inet wan0 8004 tcp_connect router 10.77.2.2 8004)"
check_eq "router's own IPv6 SYN, no rules" 1394 "$(syn_mss inet wan0 8006 tcp_connect router fd77:2::2 8006)"
nsx router "$PK" mss apply ppp0 1454 >/dev/null
check_eq "router's own IPv4 SYN, with rules" 1414 "$(syn_mss inet wan0 8004 tcp_connect router 10.77.2.2 8004)"
check_eq "router's own IPv6 SYN, with rules" 1394 "$(syn_mss inet wan0 8006 tcp_connect router fd77:2::2 8006)"
# A service on the router itself: its SYN-ACK advertises 1414 from ppp0's MTU.
tcp_listen router 10.77.2.1 7004 60 && tcp_listen router fd77:2::1 7006 60 || fail "router listeners"
check_eq "router's own IPv4 SYN-ACK (a service on the router), with rules" 1414 \
    "$(synack_mss inet wan0 7004 tcp_connect inet 10.77.2.1 7004)"
check_eq "router's own IPv6 SYN-ACK (a service on the router), with rules" 1394 \
    "$(synack_mss inet wan0 7006 tcp_connect inet fd77:2::1 7006)"
nsx router "$PK" mss remove ppp0 >/dev/null
check_eq "router's own IPv4 SYN-ACK, no rules" 1414 "$(synack_mss inet wan0 7004 tcp_connect inet 10.77.2.1 7004)"
check_eq "router's own IPv6 SYN-ACK, no rules" 1394 "$(synack_mss inet wan0 7006 tcp_connect inet fd77:2::1 7006)"
check_eq "clean up: no element left for ppp0" 0 "$(elements_of ppp0)"
nsx router "$PK" mss remove --all >/dev/null
check_eq "clean up: no pppkit table left" 0 "$(pk_tables)"

nsl_finish
