#!/bin/bash
# tests/netns/firewall_ipv6.test.sh - the IPv6 rules with ipv6 = yes, real
# traffic (the other firewall tests run IPv4 only).
#
#   net (the internet)                    rtr (the router)                  cli (the LAN)
#   wan0 fe80::1, 2001:db8:ff::1  <--->   ppp0 fe80::2, 2001:db8:ff::2
#                                         ens160 fe80::2, 2001:db8:1::1 <--> eth0 fe80::5, 2001:db8:1::5
#
# The DHCPv6 client's accept (server port 547 -> client port 546 from
# link-local) held on every interface: a LAN host reached the router's
# DHCPv6 client (review 22, finding 4); it is for the WAN link only. And the
# IPv6 side of the anti-spoofing (finding 3): a reply forged from the WAN
# with a LAN source does not join a flow of the router's with a LAN host.
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fw6
nsl_need nft python3
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all BUILD=...)"

# ---- topology -------------------------------------------------------------
for n in net rtr cli; do ns_create "$n" || nsl_skip "cannot create namespaces"; done
for n in net rtr cli; do nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0; done
veth net wan0 rtr ppp0
veth rtr ens160 cli eth0
addr net wan0 fe80::1/64 2001:db8:ff::1/64
addr rtr ppp0 fe80::2/64 2001:db8:ff::2/64
addr rtr ens160 fe80::2/64 2001:db8:1::1/64
addr cli eth0 fe80::5/64 2001:db8:1::5/64
forwarding rtr
route net 2001:db8:1::/64 2001:db8:ff::2 # the ISP side routes the LAN to the router
route cli default 2001:db8:1::1
# the kernel's reverse path filter is IPv4 only; nothing else drops here but the ruleset

CONF=$NSL_TMP/conf
mkdir -p "$CONF"
cat >"$CONF/pppkit.conf" <<'EOF'
[firewall]
lan-interfaces = ens160
lan-networks = 172.16.0.0/16, 2001:db8:1::/64
ipv6 = yes
log = no
EOF
fwcmd() { nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall "$@"; }
check "pppkit check accepts the config" "$PK" --config "$CONF/pppkit.conf" check
check "firewall apply" fwcmd apply
nsl_on_exit "ip netns exec $(ns rtr) nft delete table inet pppkit_fw"
check "ip-up of ppp0" fwcmd up ppp0 11.0.0.2

# One UDP datagram from NS, bound to SRC:SPORT (link-local: scope IFACE) to DST:DPORT.
send6() { # NS IFACE SRC SPORT DST DPORT TEXT
    nsx "$1" timeout 5 python3 -c '
import socket, sys
ifc, src, sport, dst, dport, text = sys.argv[1:7]
scope = socket.if_nametoindex(ifc) if src.startswith("fe80:") else 0
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((src, int(sport), 0, scope))
s.sendto(text.encode(), (dst, int(dport), 0, scope))' "${@:2}"
}

# ---- the DHCPv6 client's port, from the WAN and from the LAN ---------------------
nsx rtr timeout 30 python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 546))
print("ready", flush=True)
while True:
    d, peer = s.recvfrom(2048)
    print("got %s from %s" % (d.decode(), peer[0]), flush=True)' >"$NSL_TMP/dhcp6.log" 2>&1 &
NSL_PIDS+=("$!")
wait_for 5 grep -q ready "$NSL_TMP/dhcp6.log" || fail "the port 546 listener did not start: $(cat "$NSL_TMP/dhcp6.log")"
send6 net wan0 fe80::1 547 fe80::2 546 from-wan
wait_for 3 grep -q from-wan "$NSL_TMP/dhcp6.log"
check "a DHCPv6 server's answer on the WAN link reaches the client port" grep -q "got from-wan from fe80::1" \
    "$NSL_TMP/dhcp6.log"
send6 cli eth0 fe80::5 547 fe80::2 546 from-lan
sleep 1.5
check_eq "the same from a LAN host's link-local address is dropped (finding 4)" 0 \
    "$(grep -c from-lan "$NSL_TMP/dhcp6.log")"

# ---- a reply forged from the WAN with a LAN source (IPv6) ------------------------
flow6() { # SENDER IFACE: the router's socket sends to cli, then SENDER answers as 2001:db8:1::5
    flow_reply rtr 2001:db8:1::1 5555 2001:db8:1::5 6666 send6 "$1" "$2" 2001:db8:1::5 6666 2001:db8:1::1 5555 forged
}
nsx net ip -6 addr add 2001:db8:1::5/128 dev lo nodad
check_eq "control: cli's own reply joins the router's flow" "got forged from 2001:db8:1::5" "$(flow6 cli eth0)"
check_eq "a reply forged from the WAN as 2001:db8:1::5 does not join it (finding 3)" "nothing" "$(flow6 net wan0)"
nsl_finish
