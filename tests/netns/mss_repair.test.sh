#!/bin/bash
# mss_repair.test.sh BUILD - pppkit-mss when the kernel's state is not what it
# expects (review 24):
#   - a table inet pppkit_mss of another shape (an older version's, a hand
#     edit): `pppkit mss apply` and the plugin's ip-up delete and create it
#     again, in one transaction, and the clamp works after; the plugin logs
#     one line, not nft's multi-line error, and only once;
#   - without CAP_NET_ADMIN the ruleset cannot be read: `pppkit mss remove`
#     and `show` exit 1 and say so, instead of "no MSS clamp" / "nothing";
#   - a fixed MSS above what the MTU carries: a warning from `apply`, `show`
#     and the plugin's ip-up (once per link up).
#
#   lan ns                 router ns (forwarding)                 inet ns
#   eth0 (1500) ------- lan0 (1500)     ppp0 (1454) ------------- wan0 (1500)
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init mssr
nsl_need tcpdump python3 nft ss timeout setpriv gcc
PK=$build/pppkit
for f in pppkit pppkit-mss.so; do
    [ -e "$build/$f" ] || { fail "no $build/$f (make all first)"; nsl_finish; }
done
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
chmod 755 "$NSL_TMP"  # nobody reads the config there

ns_create lan
ns_create router
ns_create inet
veth lan eth0 router lan0 1500
veth router ppp0 inet wan0 1454 1500
addr lan eth0 10.77.1.2/24 fd77:1::2/64
addr router lan0 10.77.1.1/24 fd77:1::1/64
addr router ppp0 10.77.2.1/24 fd77:2::1/64
addr inet wan0 10.77.2.2/24 fd77:2::2/64
route lan default 10.77.1.1
route lan default fd77:1::1
route inet 10.77.1.0/24 10.77.2.1
route inet fd77:1::/64 fd77:2::1
forwarding router
tcp_listen inet 10.77.2.2 8004 120 && tcp_listen inet fd77:2::2 8006 120 ||
    { fail "listeners did not start"; nsl_finish; }

elements_of() { nsx router nft list table inet pppkit_mss 2>/dev/null | grep -o "\"$1\"" | wc -l; }
clamp_rules() { nsx router nft list chain inet pppkit_mss clamp 2>/dev/null | grep -c 'maxseg size set'; }
wrong_table() { # a table of another shape: mss4 a plain set of names
    nsx router nft delete table inet pppkit_mss 2>/dev/null
    nsx router nft add table inet pppkit_mss &&
        nsx router nft add set inet pppkit_mss mss4 '{ type ifname; }' &&
        nsx router nft add element inet pppkit_mss mss4 '{ "ppp7" }'
}
conf=$NSL_TMP/pppkit.conf
printf '[mss]\n' >"$conf"

echo "--- 4: pppkit mss apply over a table of another shape"
wrong_table || fail "could not create the wrong table"
out=$(nsx router "$PK" --config "$conf" mss apply ppp0 1454 2>&1)
check_eq "apply over a wrong table: exit status" 0 "$?"
check "apply says the table had another shape and was created again" \
    grep -q "table inet pppkit_mss had another shape (Error: Expression is not a map): deleted and created it again" <<<"$out"
check_eq "apply: nft's error in one line (no caret lines)" 0 "$(grep -c '\^' <<<"$out")"
check_eq "after apply: ppp0's elements (mss4, mss6)" 2 "$(elements_of ppp0)"
check_eq "after apply: the old table's element is gone" 0 "$(elements_of ppp7)"
check_eq "after apply: rules in chain clamp" 8 "$(clamp_rules)"
check_eq "after apply: IPv4 LAN -> inet SYN clamped" 1414 "$(syn_mss inet wan0 8004 tcp_connect lan 10.77.2.2 8004)"
check_eq "after apply: IPv6 LAN -> inet SYN clamped" 1394 "$(syn_mss inet wan0 8006 tcp_connect lan fd77:2::2 8006)"
nsx router "$PK" mss remove --all >/dev/null

echo "--- 4: the plugin's ip-up over a table of another shape (made after configure)"
# configure() (phase 2) installs the base; the wrong table replaces it before ip-up
out=$(nsx router "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$conf" phase 1 phase 2 \
    sh "ip netns exec $(ns router) sh -c 'nft delete table inet pppkit_mss && nft add table inet pppkit_mss && nft add set inet pppkit_mss mss4 { type ifname\; }'" \
    ifname ppp0 mtu 1454 phase 7 ip-up ipv6-up sh "nft list table inet pppkit_mss | grep -c ppp0" \
    ip-down ipv6-down ip-up ipv6-up ip-down ipv6-down exit 0 2>&1)
check "plugin: the wrong table replaced the base (configure's) before ip-up" grep -q "^SH rc=0" <<<"$out"
check_fails "plugin: no 'could not install'" grep -q "could not install" <<<"$out"
check_eq "plugin: 'another shape' logged once (the first ip-up only)" 1 "$(grep -c 'had another shape' <<<"$out")"
check "plugin: the line names nft's first error line" \
    grep -q "LOG .*table inet pppkit_mss had another shape (.*Expression is not a map.*): deleted and created it again; other links lose their clamp until their next ip-up" <<<"$out"
check_eq "plugin: nft's error in one line (no caret lines)" 0 "$(grep -c '\^' <<<"$out")"
check_eq "plugin: clamp described at both ip-ups" 2 "$(grep -c 'ppp0: IPv4 MSS 1414, IPv6 MSS 1394' <<<"$out")"
check "plugin: ppp0's 2 elements were in the table while up" grep -qx 2 <<<"$out"
check_eq "plugin: exit removed ppp0's elements" 0 "$(elements_of ppp0)"
check_eq "plugin: the recreated table has the 8 clamp rules" 8 "$(clamp_rules)"
nsx router "$PK" mss remove --all >/dev/null

echo "--- 5: without CAP_NET_ADMIN the ruleset cannot be read"
nsx router "$PK" --config "$conf" mss apply ppp0 1454 >/dev/null || fail "apply ppp0 1454"
nobody() { nsx router setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
out=$(nobody "$PK" mss remove ppp0 2>&1)
rc=$?
check_eq "remove as nobody: exit status" 1 "$rc"
check "remove as nobody: cannot read the ruleset: Operation not permitted" \
    grep -q "^pppkit mss: cannot read the ruleset: Operation not permitted" <<<"$out"
check_fails "remove as nobody: never 'has no MSS clamp'" grep -q "has no MSS clamp" <<<"$out"
out=$(nobody "$PK" --config "$conf" mss show ppp0 1454 2>&1)
rc=$?
check_eq "show as nobody: exit status" 1 "$rc"
check "show as nobody: cannot read the ruleset: Operation not permitted" \
    grep -q "^pppkit mss: cannot read the ruleset: Operation not permitted" <<<"$out"
check_fails "show as nobody: never 'installed now: nothing'" grep -q "installed now: nothing" <<<"$out"
check_eq "after both: ppp0 keeps its 2 elements" 2 "$(elements_of ppp0)"
out=$(nsx router "$PK" mss remove ppp0 2>&1)
check "remove as root still works" grep -q "removed the MSS clamp of ppp0 (2 elements)" <<<"$out"
out=$(nsx router "$PK" --config "$conf" mss show ppp0 1454 2>&1)
check "show as root: the table is listed" grep -q "^# installed now:$" <<<"$out"
nsx router "$PK" mss remove --all >/dev/null
out=$(nsx router "$PK" --config "$conf" mss show ppp0 1454 2>&1)
check "show as root without the table: nothing installed" \
    grep -q "installed now: nothing (no table inet pppkit_mss)" <<<"$out"
out=$(nsx router "$PK" mss remove ppp0 2>&1)
check "remove as root without the table: no clamp" grep -q "ppp0 has no MSS clamp" <<<"$out"

echo "--- 6: a fixed MSS above what the MTU carries"
warn='warning: ppp0: fixed MSS 1460 is above what MTU 1454 carries (IPv4 MSS at most 1414, IPv6 1394)'
printf '[mss]\nmss = 1460\n' >"$conf"
out=$(nsx router "$PK" --config "$conf" mss apply ppp0 1454 2>&1)
check "apply mss = 1460 on MTU 1454 warns" grep -qF "$warn" <<<"$out"
out=$(nsx router "$PK" --config "$conf" mss show ppp0 1454 2>&1)
check "show mss = 1460 on MTU 1454 warns" grep -qF "$warn" <<<"$out"
out=$(nsx router "$PK" --config "$conf" mss apply ppp0 1500 2>&1)
check_fails "apply mss = 1460 on MTU 1500: no warning" grep -q "warning" <<<"$out"
printf '[mss]\nmss = 1414\n' >"$conf"
out=$(nsx router "$PK" --config "$conf" mss apply ppp0 1454 2>&1)
check_fails "apply mss = 1414 on MTU 1454 (IPv6 1394): no warning" grep -q "warning" <<<"$out"
out=$(nsx router "$PK" mss apply ppp0 1454 2>&1)
check_fails "apply mss = auto: no warning" grep -q "warning" <<<"$out"
nsx router "$PK" mss remove --all >/dev/null
printf '[mss]\nmss = 1460\n' >"$conf"
out=$(nsx router "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$conf" phase 1 phase 2 \
    ifname ppp0 mtu 1454 phase 7 ip-up ipv6-up ip-down ipv6-down exit 0 2>&1)
check_eq "plugin: mss = 1460 on MTU 1454 warns once per up (ip-up, not ipv6-up)" 1 \
    "$(grep -c 'LOG .*ppp0: fixed MSS 1460 is above what MTU 1454 carries' <<<"$out")"
out=$(nsx router "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$conf" phase 1 phase 2 \
    ifname ppp0 mtu 1500 phase 7 ip-up ip-down exit 0 2>&1)
check_fails "plugin: mss = 1460 on MTU 1500: no warning" grep -q "is above what MTU" <<<"$out"
nsx router "$PK" mss remove --all >/dev/null

nsl_finish
