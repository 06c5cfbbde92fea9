#!/bin/bash
# tests/netns/firewall_forwards.test.sh - the kinds of forward the seed's
# script has none of, with real traffic: a target port (TCP and UDP), a port
# range that keeps the port (both protocols), a source restriction (`from`,
# with and without a target port), reflection = no.
#
#   net (the internet)                rtr (the router)                 sw (the LAN bridge)
#   wan0 11.0.0.1/24  <---------->    ppp0 11.0.0.2 peer 11.0.0.1       br0 -- srv1 172.16.1.100
#   11.0.9.9 (lo: a second source)    ens160 172.16.2.1/16  <------>        -- srv2 172.16.1.101
#                                                                           -- cli  172.16.5.5
#
# Since issue 10 the forwards for every link and source are maps and sets
# (one rule per chain: firewall.cpp, dnat_maps and inside_set) and the ones
# with `from` keep their own rules; this test pins that both give what each
# forward said before: the right server and port from the WAN, nothing on
# the ports around a range, a restricted forward only for its sources, only
# to the public address (not before ip-up, not to another address routed to
# the router: review 22, finding 2), the hairpin from the LAN unless
# reflection = no, and only for the LAN sources inside a forward's from
# (finding 1: a guest host reached an SSH server forwarded for one outside
# network by the public address), and no forged LAN or never-routed source
# from the WAN, neither to a forward nor into a flow of the router's
# (finding 3). Review 23, finding 1: with no IPv4 lan-networks, a forward
# whose `to` is a WAN-side host (far) is not relayed back out of the WAN.
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fwf
nsl_need nft python3
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all BUILD=...)"
FW=$PPPKIT_TOP/tests/firewall
LIFE=${PPPKIT_NETNS_LIFE:-200} # every helper process ends by itself after this many seconds

# ---- topology -------------------------------------------------------------
ns_create net && nsl_seed_lan || nsl_skip "cannot create namespaces"
ns_create guest || nsl_skip "cannot create namespaces"
veth rtr guest0 guest eth0
addr rtr guest0 192.168.20.1/24
addr guest eth0 192.168.20.5/24
nsx guest ip route add default via 192.168.20.1
veth net wan0 rtr ppp0
addr net wan0 11.0.0.1/24
nsx net ip addr add 11.0.9.9/32 dev lo
nsx rtr ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip route add default via 11.0.0.1 dev ppp0
for n in net rtr sw srv1 srv2 cli guest; do nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done

serve() { # NS NAME SPEC...: one server answers with its NAME on every port it has
    local n=$1 name=$2 log
    shift 2
    log=$NSL_TMP/srv-$name.log
    nsx "$n" timeout $((LIFE + 5)) python3 "$FW/servers.py" "$name" 0.0.0.0 "$LIFE" "$@" >"$log" 2>&1 &
    NSL_PIDS+=("$!")
    wait_for 5 grep -q ready "$log" || { echo "server $name did not start: $(cat "$log")"; return 1; }
}
# one server per port of the range: the answer says which port was reached
for p in 2999 3000 3001 3002 3003; do serve srv1 "srv1-$p" "tcp:$p" "udp:$p"; done
serve srv1 srv1 tcp:2222 tcp:8443 tcp:18080
serve srv2 srv2 tcp:18080 tcp:2222 tcp:2223 tcp:8443 tcp:443 tcp:4443 udp:5353 udp:5000

expect_no_server() { # MSG NS PROTO ADDR PORT: no LAN server answers (the router may refuse)
    local msg=$1 got
    shift
    got=$(probe "$1" "$2" "$3" "$4" 1.5)
    case $got in
    srv*) fail "$msg: expected no server, got '$got'" ;;
    *) pass "$msg ($got)" ;;
    esac
}
fwcmd() { nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall "$@"; }

CONF=$NSL_TMP/conf
mkdir -p "$CONF"
cat >"$CONF/pppkit.conf" <<'EOF'
[firewall]
lan-interfaces = ens160, guest0
lan-networks = 172.16.0.0/16, 192.168.20.0/24
ipv6 = no
log = no

[forward "alt-https"]
proto = tcp
port = 8443
to = 172.16.1.101:18080

[forward "range"]
proto = both
port = 3000-3002
to = 172.16.1.100

[forward "dns-moved"]
proto = udp
port = 5000
to = 172.16.1.101:5353

[forward "admin"]
proto = tcp
port = 2222
to = 172.16.1.100
from = 11.0.0.1/32

[forward "admin-moved"]
proto = tcp
port = 2223
to = 172.16.1.101:2222
from = 11.0.0.1/32

[forward "staff"]
proto = tcp
port = 2224
to = 172.16.1.101:2222
from = 172.16.5.0/24, 11.0.0.1/32

[forward "no-hairpin"]
proto = tcp
port = 4443
to = 172.16.1.101:443
reflection = no
EOF
check "pppkit check accepts the config" "$PK" --config "$CONF/pppkit.conf" check
check "firewall apply" fwcmd apply
nsl_on_exit "ip netns exec $(ns rtr) nft delete table inet pppkit_fw"
# before ip-up there is no public address: nothing is forwarded (review 22, finding 2)
expect_silence "WAN tcp/8443 before ip-up: no public address yet, not forwarded" net tcp 11.0.0.2 8443
check "ip-up of ppp0 (11.0.0.2)" fwcmd up ppp0 11.0.0.2
nsx rtr nft list table inet pppkit_fw >"$NSL_TMP/ruleset.txt"
check "the forwards without from are one DNAT map rule each way (kept port, target port)" \
    test "$(sed -n '/chain wan_dnat {/,/^[[:space:]]*}$/p' "$NSL_TMP/ruleset.txt" | grep -c 'th dport map')" = 2

# ---- from the WAN ---------------------------------------------------------------
expect_answer "WAN tcp/8443 -> srv2:18080 (target port)" "srv2 11.0.0.1" net tcp 11.0.0.2 8443
expect_silence "WAN tcp/18080: the target port itself is not forwarded" net tcp 11.0.0.2 18080
for p in 3000 3001 3002; do
    expect_answer "WAN tcp/$p -> srv1:$p (range, port kept)" "srv1-$p 11.0.0.1" net tcp 11.0.0.2 "$p"
    expect_answer "WAN udp/$p -> srv1:$p (range, port kept)" "srv1-$p 11.0.0.1 ping" net udp 11.0.0.2 "$p"
done
for p in 2999 3003; do
    expect_silence "WAN tcp/$p, just outside the range" net tcp 11.0.0.2 "$p"
    expect_silence "WAN udp/$p, just outside the range" net udp 11.0.0.2 "$p"
done
expect_answer "WAN udp/5000 -> srv2:5353 (target port, UDP)" "srv2 11.0.0.1 ping" net udp 11.0.0.2 5000
expect_silence "WAN tcp/5000: the forward is UDP only" net tcp 11.0.0.2 5000
expect_answer "WAN tcp/2222 from 11.0.0.1 -> srv1 (from)" "srv1 11.0.0.1" net tcp 11.0.0.2 2222 11.0.0.1
expect_silence "WAN tcp/2222 from 11.0.9.9: not in from" net tcp 11.0.0.2 2222 11.0.9.9
expect_answer "WAN tcp/2223 from 11.0.0.1 -> srv2:2222 (from, target port)" "srv2 11.0.0.1" \
    net tcp 11.0.0.2 2223 11.0.0.1
expect_silence "WAN tcp/2223 from 11.0.9.9: not in from" net tcp 11.0.0.2 2223 11.0.9.9
expect_answer "WAN tcp/8443 from 11.0.9.9 -> srv2 (no from: any source; the route back works)" "srv2 11.0.9.9" \
    net tcp 11.0.0.2 8443 11.0.9.9
expect_answer "WAN tcp/2224 from 11.0.0.1 -> srv2:2222 (from with a LAN network)" "srv2 11.0.0.1" \
    net tcp 11.0.0.2 2224 11.0.0.1
expect_silence "WAN tcp/2224 from 11.0.9.9: not in from" net tcp 11.0.0.2 2224 11.0.9.9
expect_answer "WAN tcp/4443 -> srv2:443 (reflection = no still forwards)" "srv2 11.0.0.1" net tcp 11.0.0.2 4443

# ---- from the WAN to another address routed to the router: not DNAT'd ---------
# The ISP side routes the LAN and 10.9.9.0/24 to the router (an on-path or
# upstream attacker); only the public address takes the forwards (review 22,
# finding 2: wan_dnat had no destination check).
nsx net ip route add 172.16.0.0/16 via 11.0.0.2
nsx net ip route add 10.9.9.0/24 via 11.0.0.2
expect_silence "WAN -> 172.16.1.101:8443 (srv2 listens there too): not DNAT'd, dropped" net tcp 172.16.1.101 8443
expect_silence "WAN -> 172.16.1.100:3001: not DNAT'd, dropped" net tcp 172.16.1.100 3001
expect_silence "WAN -> 10.9.9.9:3001 (routed back out): not DNAT'd, dropped" net tcp 10.9.9.9 3001
expect_silence "WAN udp -> 172.16.1.100:5000: not DNAT'd, dropped" net udp 172.16.1.100 5000
expect_answer "WAN tcp/8443 to the public address still forwards" "srv2 11.0.0.1" net tcp 11.0.0.2 8443

# ---- from the LAN: the hairpin, SNAT to the router ------------------------------
expect_answer "LAN tcp/8443 -> srv2:18080 (hairpin, target port)" "srv2 172.16.2.1" cli tcp 11.0.0.2 8443
expect_answer "LAN tcp/3002 -> srv1:3002 (hairpin, range)" "srv1-3002 172.16.2.1" cli tcp 11.0.0.2 3002
expect_answer "LAN udp/3000 -> srv1:3000 (hairpin, range)" "srv1-3000 172.16.2.1 ping" cli udp 11.0.0.2 3000
expect_no_server "LAN tcp/3003: just outside the range" cli tcp 11.0.0.2 3003
expect_answer "LAN udp/5000 -> srv2:5353 (hairpin, UDP target port)" "srv2 172.16.2.1 ping" cli udp 11.0.0.2 5000
expect_no_server "LAN tcp/4443: reflection = no" cli tcp 11.0.0.2 4443
# from holds for reflection: only LAN sources inside it are reflected
expect_no_server "LAN tcp/2222: from 11.0.0.1/32 holds for reflection too" cli tcp 11.0.0.2 2222
expect_no_server "LAN tcp/2223: from 11.0.0.1/32 holds for reflection too (target port)" cli tcp 11.0.0.2 2223
expect_answer "LAN tcp/2224 from 172.16.5.5 -> srv2:2222 (inside from: reflected)" "srv2 172.16.2.1" \
    cli tcp 11.0.0.2 2224
expect_answer "guest tcp/8443 -> srv2:18080 (the second LAN is reflected)" "srv2 172.16.2.1" guest tcp 11.0.0.2 8443
expect_no_server "guest tcp/2222: not in from (review 22's guest -> SSH)" guest tcp 11.0.0.2 2222
expect_no_server "guest tcp/2223: not in from" guest tcp 11.0.0.2 2223
expect_no_server "guest tcp/2224: 192.168.20.5 is not in from (only 172.16.5.0/24 of the LAN)" guest tcp 11.0.0.2 2224
expect_no_server "guest -> 172.16.1.101:2222 directly: nothing lets the guest in" guest tcp 172.16.1.101 2222

# ---- spoofed sources from the WAN (review 22, finding 3) ----------------------
# The ISP side forges a LAN source (172.16.5.5, cli's) and a never-routed one
# (169.254.9.9). The kernel's rp_filter is off in rtr, so that the ruleset
# alone is tested.
nsx rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ppp0.rp_filter=0
nsx net ip addr add 172.16.5.5/32 dev lo
nsx net ip addr add 169.254.9.9/32 dev lo
forged() { # NS SRC SPORT DST DPORT: one UDP datagram "forged" from SRC:SPORT (an address of NS)
    nsx "$1" timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"forged", (sys.argv[3], int(sys.argv[4])))' "${@:2}"
}
seen() { grep -c "conn udp 5353 $1\$" "$NSL_TMP/srv-srv2.log"; } # datagrams srv2:5353 got from $1
forged net 172.16.5.5 40000 11.0.0.2 5000
forged net 169.254.9.9 40000 11.0.0.2 5000
forged net 11.0.9.9 40000 11.0.0.2 5000 # control: a WAN source takes the forward
wait_for 3 test "$(seen 11.0.9.9)" -ge 1
check_eq "control: a datagram from 11.0.9.9 to udp/5000 reaches srv2:5353" 1 "$(seen 11.0.9.9)"
check_eq "WAN udp/5000 with cli's source 172.16.5.5: dropped, srv2 never sees it" 0 "$(seen 172.16.5.5)"
check_eq "WAN udp/5000 with source 169.254.9.9 (link-local): dropped" 0 "$(seen 169.254.9.9)"

# A flow of the router's with a LAN host (172.16.2.1:5555 <-> cli 6666): a
# reply forged from the WAN must not join it through conntrack's accept.
flow() { # SENDER: the router's socket sends, then SENDER (cli or net) answers as 172.16.5.5:6666
    flow_reply rtr 172.16.2.1 5555 172.16.5.5 6666 forged "$1" 172.16.5.5 6666 172.16.2.1 5555
}
check_eq "control: cli's own reply joins the router's flow" "got forged from 172.16.5.5" "$(flow cli)"
check_eq "a reply forged from the WAN as 172.16.5.5 does not join it" "nothing" "$(flow net)"

# ---- a forward whose `to` is a WAN-side host (review 23, finding 1) ------------
# With no IPv4 lan-networks nothing bounds a forward's target: `to = 11.0.7.7`
# (far, a host on the internet behind net) made the router relay the WAN to
# the WAN. A DNAT'd connection never leaves by a WAN interface now; the
# forwards to the LAN and their hairpin still work.
ns_create far || nsl_skip "cannot create namespaces"
veth net far0 far eth0
addr net far0 11.0.7.1/24
addr far eth0 11.0.7.7/24
nsx far ip route add default via 11.0.7.1
nsx far sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
forwarding net
# the relayed datagram comes back into net with net's own source address
nsx net sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.wan0.accept_local=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.wan0.rp_filter=0
serve far far udp:5001 tcp:5001
cat >"$CONF/relay.conf" <<'EOF2'
[firewall]
lan-interfaces = ens160, guest0
ipv6 = no
log = no

[forward "alt-https"]
proto = tcp
port = 8443
to = 172.16.1.101:18080

[forward "dns-moved"]
proto = udp
port = 5000
to = 172.16.1.101:5353

[forward "relay"]
proto = both
port = 5001
to = 11.0.7.7
EOF2
relaycmd() { nsx rtr "$PK" --config "$CONF/relay.conf" firewall "$@"; }
check "no lan-networks, a forward to 11.0.7.7: apply" relaycmd apply
check "ip-up of ppp0 (11.0.0.2)" relaycmd up ppp0 11.0.0.2
far_seen() { grep -c "conn udp 5001 $1\$" "$NSL_TMP/srv-far.log"; }
forged far 11.0.7.7 40002 11.0.7.7 5001 # control: far's server logs what reaches it
wait_for 3 test "$(far_seen 11.0.7.7)" -ge 1
check_eq "control: far's server counts the datagrams it gets" 1 "$(far_seen 11.0.7.7)"
forged net 11.0.0.1 40001 11.0.0.2 5001
forged net 11.0.9.9 40001 11.0.0.2 5001
sleep 1.5
check_eq "WAN udp/5001 -> 11.0.7.7 (to is a WAN host): not relayed back out of the WAN" 0 \
    "$(($(far_seen 11.0.0.1) + $(far_seen 11.0.9.9)))"
expect_answer "control: WAN udp/5000 -> srv2:5353 (a LAN host) still forwarded" "srv2 11.0.0.1 ping" \
    net udp 11.0.0.2 5000
expect_answer "control: WAN tcp/8443 -> srv2:18080 still forwarded" "srv2 11.0.0.1" net tcp 11.0.0.2 8443
expect_answer "control: LAN tcp/8443 -> srv2:18080 (NAT reflection) still works" "srv2 172.16.2.1" \
    cli tcp 11.0.0.2 8443
expect_answer "control: LAN -> far directly (masquerade) still works" "far 11.0.0.2" cli tcp 11.0.7.7 5001
[ -n "${FWF_DEBUG:-}" ] && cat "$NSL_TMP/ruleset.txt"
nsl_finish
