#!/bin/bash
# tests/netns/firewall_extras.test.sh - the shipped extras example
# (etc/examples/pppkit-firewall.nft, the documented template) with two links
# and the PPPoE carrier, real TCP (review 28, finding 2).
#
#   net (the internet)               rtr (the router)                 sw (the LAN)
#   wan0 11.0.0.1/24  <--------->    ppp0 11.0.0.2 (wan = ppp0)        cli 172.16.5.5 ...
#   wan1 11.0.1.1/24  <--------->    ppp1 11.0.1.2 (WAN through @wan only)
#   isp: eth0 10.99.0.9  <------>    eth1 (the PPPoE carrier's segment)
#
# The example opens the router's tcp/8080 to the LAN by its public address.
# It did so with "iifname != $wan_ifaces", and $wan_ifaces is the wan
# patterns only: the internet reached tcp/8080 through the second session.
# Now it matches the LAN ($lan_ifaces): only the LAN gets an answer.
#
# Part 2 (review 28 F1): a full load reads the dynamic sets and writes them
# back whole; one that raced ppp1's ip-down and exit (an extras file makes
# the window: its check forks) put ppp1's address back, and every later
# load kept it. The state such a race leaves (ppp1 gone, its address still
# in public4) is made directly here: a reload, and pppkitd's drift repair,
# keep only what is live; the address given to someone else is reached
# from the LAN, not reflected to the LAN server.
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fwx
nsl_need nft python3
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all)"
FW=$PPPKIT_TOP/tests/firewall
ns_create net && ns_create isp && nsl_seed_lan || nsl_skip "cannot create namespaces"
veth net wan0 rtr ppp0
veth net wan1 rtr ppp1
veth isp eth0 rtr eth1
addr net wan0 11.0.0.1/24
addr net wan1 11.0.1.1/24
nsx rtr ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip addr add 11.0.1.2 peer 11.0.1.1 dev ppp1
nsx rtr ip route add default via 11.0.0.1 dev ppp0
addr isp eth0 10.99.0.9/24
# a host on the carrier's segment, sending straight to the router's MAC
nsx isp ip route add 11.0.0.0/16 dev eth0
nsx isp ip neigh replace 11.0.0.2 lladdr "$(nsx rtr cat /sys/class/net/eth1/address)" dev eth0 nud permanent
for n in net isp rtr sw srv1 srv2 cli; do
    nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
nsx rtr sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.eth1.rp_filter=2 # Debian's default: loose
log=$NSL_TMP/router.log
nsx rtr timeout 200 python3 "$FW/servers.py" router 0.0.0.0 190 tcp:8080 tcp:22 >"$log" 2>&1 &
NSL_PIDS+=("$!")
wait_for 5 grep -q ready "$log" || { cat "$log"; exit 1; }

CONF=$NSL_TMP/conf
mkdir -p "$CONF"
cp "$PPPKIT_TOP/etc/examples/pppkit-firewall.nft" "$CONF/extras.nft"
cat >"$CONF/pppkit.conf" <<EOC
[firewall]
wan = ppp0
lan-interfaces = ens160
lan-networks = 172.16.0.0/16
ipv6 = no
log = no
extras = $CONF/extras.nft

[forward "web"]
proto = tcp
port = 443
to = 172.16.1.100
EOC
fwcmd() { nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall "$@"; }
check "pppkit check (the shipped example as extras)" "$PK" --config "$CONF/pppkit.conf" check
check "apply" fwcmd apply
nsl_on_exit "ip netns exec $(ns rtr) nft delete table inet pppkit_fw"
check "ip-up ppp0" fwcmd up ppp0 11.0.0.2
check "ip-up ppp1 (a second session: WAN through @wan, as the plugin puts it)" fwcmd up ppp1 11.0.1.2
check "the example's variables: \$lan_ifaces is lan-interfaces" \
    sh -c "'$PK' --config '$CONF/pppkit.conf' firewall show | grep -qx 'define lan_ifaces = { \"ens160\" }'"

expect_answer "LAN -> the public address :8080 (what the example is for)" "router" cli tcp 11.0.0.2 8080
expect_silence "WAN ppp0 -> 11.0.0.2:8080" net tcp 11.0.0.2 8080
expect_silence "control: WAN ppp1 -> 11.0.1.2:22 (pppkit's own rules use @wan)" net tcp 11.0.1.2 22
expect_silence "WAN ppp1 (second session) -> 11.0.1.2:8080: the router's web UI stays closed" net tcp 11.0.1.2 8080
expect_silence "the PPPoE carrier's segment (eth1) -> 11.0.0.2:8080" isp tcp 11.0.0.2 8080
expect_silence "control: the PPPoE carrier's segment (eth1) -> 11.0.0.2:22" isp tcp 11.0.0.2 22

# ---- part 2: a dead link's address written back is not kept ----------------
nsx srv1 timeout 200 python3 "$FW/servers.py" srv1 0.0.0.0 190 tcp:443 >"$NSL_TMP/srv1.log" 2>&1 &
NSL_PIDS+=("$!")
nsx net timeout 200 python3 "$FW/servers.py" internet 0.0.0.0 190 tcp:443 >"$NSL_TMP/net.log" 2>&1 &
NSL_PIDS+=("$!")
wait_for 5 grep -q ready "$NSL_TMP/srv1.log" && wait_for 5 grep -q ready "$NSL_TMP/net.log" || exit 1
expect_answer "control: LAN -> ppp1's public address :443 is reflected to the LAN server" "srv1" cli tcp 11.0.1.2 443
elems() { # SET: its elements, one line
    nsx rtr nft -j list set inet pppkit_fw "$1" | python3 -c 'import json, sys
print(" ".join(sorted(str(e) for x in json.load(sys.stdin)["nftables"] for e in x.get("set", {}).get("elem", []))))'
}
stale() { # ppp1's pppd killed -9 (no ip-down): the state the race leaves
    if ! nsx rtr ip link show ppp1 >/dev/null 2>&1; then
        veth net wan1 rtr ppp1
        addr net wan1 11.0.1.1/24
        nsx rtr ip addr add 11.0.1.2 peer 11.0.1.1 dev ppp1
    fi
    fwcmd up ppp1 11.0.1.2 >/dev/null
    nsx rtr ip link del ppp1
}
stale
check_eq "setup: ppp1 is gone, its address still in public4" "11.0.0.2 11.0.1.2" "$(elems public4)"
check "a reload (pppkit firewall apply)" fwcmd apply
check_eq "after the reload: public4 holds only the live link's address" "11.0.0.2" "$(elems public4)"
check_eq "after the reload: active_wan holds only the live link" "ppp0" "$(elems active_wan)"
# an extras file that names one of pppkit's own sets: nft would merge it into
# set wan (eth1, the PPPoE carrier, WAN from then on); refused with file:line
{ cat "$CONF/extras.nft"; printf 'set wan {\n    type ifname\n    elements = { "eth1" }\n}\n'; } >"$CONF/reserved.nft"
rline=$(($(wc -l <"$CONF/extras.nft") + 1))
sed "s|^extras = .*|extras = $CONF/reserved.nft|" "$CONF/pppkit.conf" >"$CONF/reserved.conf"
out=$(nsx rtr "$PK" --config "$CONF/reserved.conf" check 2>&1)
check_eq "pppkit check: an extras 'set wan' is refused at its file:line" \
    "$CONF/reserved.nft:$rline: [firewall] extras: set 'wan' is pppkit's own: nft would add your elements to it; give yours another name" \
    "$(printf '%s\n' "$out" | grep reserved.nft)"
check_fails "pppkit firewall apply refuses it" nsx rtr "$PK" --config "$CONF/reserved.conf" firewall apply
w=$(elems wan)
check_eq "set wan is unchanged: ppp0 in it, no eth1 ($w)" "1 0" "$(grep -c ppp0 <<<"$w") $(grep -c eth1 <<<"$w")"
# the ISP gives 11.0.1.2 to someone else
nsx net ip addr add 11.0.1.2/32 dev lo
expect_answer "LAN -> 11.0.1.2:443 (someone else's address now) reaches that host, not the LAN server" \
    "internet" cli tcp 11.0.1.2 443

# pppkitd: it remembers the table as pppkit's last commit left it; a flush
# is repaired with only what is live
PKD_BIN=$PPPKIT_BUILD/pppkitd
if [ -x "$PKD_BIN" ]; then
    nsx net ip addr del 11.0.1.2/32 dev lo
    stale
    check_eq "setup: ppp1 gone again, its address in public4" "11.0.0.2 11.0.1.2" "$(elems public4)"
    ip netns exec "$(ns rtr)" "$PKD_BIN" --config "$CONF/pppkit.conf" --runtime-dir "$NSL_TMP/run" \
        >"$NSL_TMP/pppkitd.log" 2>&1 &
    PKD=$!
    NSL_PIDS+=("$PKD")
    check "pppkitd watches the tables" wait_for 5 grep -q "drift repair: watching" "$NSL_TMP/pppkitd.log"
    nsx rtr nft flush ruleset
    check "pppkitd repaired the flush" wait_for 5 grep -q "drift repaired" "$NSL_TMP/pppkitd.log"
    check_eq "after the repair: public4 holds only the live link's address" "11.0.0.2" "$(elems public4)"
    check_eq "after the repair: active_wan holds only the live link" "ppp0" "$(elems active_wan)"
    kill "$PKD"
    wait "$PKD" 2>/dev/null
fi
nsl_finish
