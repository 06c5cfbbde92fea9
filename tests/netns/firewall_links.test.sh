#!/bin/bash
# tests/netns/firewall_links.test.sh - two PPP links at once (two PPPoE
# sessions on one line), each with its own public address, real traffic.
#
#   net (the internet)                 rtr (the router)                     sw (the LAN bridge)
#   wan0 11.0.0.1/24  <----------->    ppp0 11.0.0.2 peer 11.0.0.1           br0 -- srv1 172.16.1.100
#   wan1 11.0.1.1/24  <----------->    ppp1 11.0.1.2 peer 11.0.1.1               -- srv2 172.16.1.101
#   11.0.9.9 (lo, reached via ppp1)    ens160 172.16.2.1/16  <---------->        -- cli  172.16.5.5
#
# veths named ppp0 and ppp1 stand for the two links; `pppkit firewall up/down`
# run the plugin's per-link ip-up/ip-down transactions.
#
# Part A (forwards without `link`: every link; runs on a pppkit without
# per-link state too, and fails there): both links up, forwards reach the
# LAN server through each, hairpin on EACH public address, masquerade out of
# each link with its own address, a scan of both addresses finds only the
# forwards, status lists both links; ip-down of ppp1 keeps ppp0's forwards
# and hairpin.
# Part B (forwards that name their link, one port to two hosts): each link
# DNATs and reflects only its own forwards; ppp1's pppd "killed -9" (the
# interface vanishes without ip-down) and its link back as ppp2 with a new
# address: the stale elements are gone, ppp0's are untouched.
# Parts C-F: see their headings below (F: a link ends while another
# configuration's ruleset is loaded; its elements go all the same).
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fwl
nsl_need nft python3
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all BUILD=...)"
FW=$PPPKIT_TOP/tests/firewall
LIFE=${PPPKIT_NETNS_LIFE:-400} # every helper process ends by itself after this many seconds

# ---- topology -------------------------------------------------------------
ns_create net && nsl_seed_lan || nsl_skip "cannot create namespaces"
veth net wan0 rtr ppp0
veth net wan1 rtr ppp1
addr net wan0 11.0.0.1/24
addr net wan1 11.0.1.1/24
nsx net ip addr add 11.0.9.9/32 dev lo
nsx rtr ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip addr add 11.0.1.2 peer 11.0.1.1 dev ppp1
nsx rtr ip route add default via 11.0.0.1 dev ppp0
nsx rtr ip route add 11.0.9.9/32 via 11.0.1.1 dev ppp1
for n in net rtr sw srv1 srv2 cli; do nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done

serve() { # NS NAME SPEC...
    local n=$1 name=$2 log
    shift 2
    log=$NSL_TMP/srv-$name.log
    nsx "$n" timeout $((LIFE + 5)) python3 "$FW/servers.py" "$name" 0.0.0.0 "$LIFE" "$@" >"$log" 2>&1 &
    NSL_PIDS+=("$!")
    wait_for 5 grep -q ready "$log" || { echo "server $name did not start: $(cat "$log")"; return 1; }
}
serve srv1 srv1 tcp:443 tcp:80 tcp:25 tcp:22
serve srv2 srv2 tcp:443 tcp:80 tcp:25
serve rtr router tcp:22 tcp:8080
serve net internet tcp:8443

elems() { # SET: its elements, sorted, on one line
    nsx rtr nft -j list "${2:-set}" inet pppkit_fw "$1" | python3 -c '
import json, sys
out = []
for x in json.load(sys.stdin)["nftables"]:
    for k in ("set", "map"):
        for e in x.get(k, {}).get("elem", []):
            if isinstance(e, dict):  # with options: the configured names in set wan carry a comment
                e = e["elem"]["val"]
            if isinstance(e, list):
                e = "%s:%s" % (e[0], e[1])
            out.append(str(e))
print(" ".join(sorted(out)))'
}
fwcmd() { nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall "$@"; }

expect_answer "control: without a firewall the router's tcp/22 answers on ppp1" "router" net tcp 11.0.1.2 22

# ---- part A: forwards on every link -------------------------------------------------
CONF=$NSL_TMP/conf
mkdir -p "$CONF/pppkit.d"
cat >"$CONF/pppkit.conf" <<'EOF'
[firewall]
lan-interfaces = ens160
lan-networks = 172.16.0.0/16
ipv6 = no
log = no

[forward "web"]
proto = tcp
port = 443
to = 172.16.1.100

[forward "mail"]
proto = tcp
port = 25
to = 172.16.1.100
EOF
check "pppkit check accepts the config" "$PK" --config "$CONF/pppkit.conf" check
check "firewall apply" fwcmd apply
nsl_on_exit "ip netns exec $(ns rtr) nft delete table inet pppkit_fw"
check "ip-up of ppp0 (11.0.0.2)" fwcmd up ppp0 11.0.0.2
check "ip-up of ppp1 (11.0.1.2)" fwcmd up ppp1 11.0.1.2
check_eq "active_wan holds both links" "ppp0 ppp1" "$(elems active_wan)"
check_eq "public4 holds both public addresses" "11.0.0.2 11.0.1.2" "$(elems public4)"
fwcmd status >"$NSL_TMP/status.txt" 2>&1
check "status lists ppp0 with its address" grep -Eq '^ +ppp0 +public address 11\.0\.0\.2' "$NSL_TMP/status.txt"
check "status lists ppp1 with its address" grep -Eq '^ +ppp1 +public address 11\.0\.1\.2' "$NSL_TMP/status.txt"

expect_answer "WAN via ppp0 -> 11.0.0.2:443 reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.2 443
expect_answer "WAN via ppp1 -> 11.0.1.2:443 reaches srv1" "srv1 11.0.1.1" net tcp 11.0.1.2 443
expect_answer "hairpin: LAN -> ppp0's 11.0.0.2:443 reaches srv1" "srv1" cli tcp 11.0.0.2 443
expect_answer "hairpin: LAN -> ppp1's 11.0.1.2:443 reaches srv1" "srv1" cli tcp 11.0.1.2 443
expect_answer "masquerade out of ppp0 with ppp0's address" "internet 11.0.0.2" cli tcp 11.0.0.1 8443
expect_answer "masquerade out of ppp1 with ppp1's address" "internet 11.0.1.2" cli tcp 11.0.9.9 8443
expect_silence "default deny on ppp0: router tcp/22" net tcp 11.0.0.2 22
expect_silence "default deny on ppp1: router tcp/22" net tcp 11.0.1.2 22
# The scan proves the closed ports closed: anything but a forward that
# answers fails. (The forwards themselves are probed one by one above: on a
# loaded machine a SYN to a listener can miss the scan's 2 s among 2000.)
SPEC=1-1024,8080,8443
scan_others() { # ADDR FORWARD_PORT...: every answer from a port that is not a forward
    local a=$1 f
    shift
    nsx net timeout 60 python3 "$FW/scan.py" "$a" "$SPEC" 2 >"$NSL_TMP/scan-$a.txt" 2>&1
    tail -n1 "$NSL_TMP/scan-$a.txt" | grep -q '^scanned ' || echo "scan failed: $(tail -n1 "$NSL_TMP/scan-$a.txt")"
    grep -v '^scanned' "$NSL_TMP/scan-$a.txt" | while read -r proto port what; do
        for f in "$@"; do [ "$proto/$port/$what" = "tcp/$f/open" ] && continue 2; done
        echo "$proto $port $what"
    done | tr '\n' ' '
}
for a in 11.0.0.2 11.0.1.2; do
    check_eq "scan of $a (1026 tcp, 1026 udp): nothing but the forwards answers" "" "$(scan_others "$a" 25 443)"
done

# one link does not carry the forwards of another link's address (review 22,
# finding 2): ppp1 carrying a packet for ppp0's 11.0.0.2
nsx net ip route add 11.0.0.2/32 via 11.0.1.2 dev wan1
expect_silence "ppp1 -> ppp0's address 11.0.0.2:443: not forwarded" net tcp 11.0.0.2 443 11.0.1.1
nsx net ip route del 11.0.0.2/32 via 11.0.1.2 dev wan1
check "ip-down of ppp1" fwcmd down ppp1
check_eq "ppp0 stays in active_wan" "ppp0" "$(elems active_wan)"
check_eq "ppp0's address stays in public4" "11.0.0.2" "$(elems public4)"
expect_answer "after ppp1's ip-down: WAN -> 11.0.0.2:443 still reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.2 443
expect_answer "after ppp1's ip-down: hairpin on 11.0.0.2 still works" "srv1" cli tcp 11.0.0.2 443
expect_silence "after ppp1's ip-down: 11.0.1.2 is not reflected any more" cli tcp 11.0.1.2 443
expect_silence "after ppp1's ip-down: router tcp/22 via ppp1 still dropped" net tcp 11.0.1.2 22

# ---- part B: forwards that name their link ----------------------------------------------
cat >"$CONF/pppkit.d/50-links.conf" <<'EOF'
[link "v4"]
[link "other"]

[forward "http-v4"]
proto = tcp
port = 80
to = 172.16.1.100
link = v4

[forward "http-other"]
proto = tcp
port = 80
to = 172.16.1.101
link = other
EOF
check "pppkit check accepts forwards that name their link" "$PK" --config "$CONF/pppkit.conf" check
printf '[forward "bad"]\nproto = tcp\nport = 81\nto = 172.16.1.100\nlink = nosuch\n' >"$CONF/pppkit.d/60-bad.conf"
"$PK" --config "$CONF/pppkit.conf" check >"$NSL_TMP/bad.txt" 2>&1
check_eq "a forward naming an unknown link is refused (exit 2)" 2 $?
check "... with file:line" grep -q "60-bad.conf:5: \[forward \"bad\"\] link: unknown link 'nosuch'" "$NSL_TMP/bad.txt"
rm -f "$CONF/pppkit.d/60-bad.conf"
check "firewall apply (ppp0's state is kept)" fwcmd apply
check_eq "the reload kept ppp0's address" "11.0.0.2" "$(elems public4)"
check "ip-up of ppp0 as link v4" fwcmd up ppp0 11.0.0.2 --link v4
check "ip-up of ppp1 as link other" fwcmd up ppp1 11.0.1.2 --link other
check_eq "link0 (v4) holds ppp0" "ppp0" "$(elems link0_wan)"
check_eq "link1 (other) holds ppp1" "ppp1" "$(elems link1_wan)"
check_eq "the record: each interface with its address" "ppp0:11.0.0.2 ppp1:11.0.1.2" "$(elems wan_public4 map)"
fwcmd status >"$NSL_TMP/status2.txt" 2>&1
check "status names the links" grep -Eq '^ +ppp1 +public address 11\.0\.1\.2 +link other' "$NSL_TMP/status2.txt"
expect_answer "link v4: WAN -> 11.0.0.2:80 reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.2 80
expect_answer "link other: WAN -> 11.0.1.2:80 reaches srv2" "srv2 11.0.1.1" net tcp 11.0.1.2 80
expect_answer "hairpin on link v4's address: tcp/80 reaches srv1" "srv1" cli tcp 11.0.0.2 80
expect_answer "hairpin on link other's address: tcp/80 reaches srv2" "srv2" cli tcp 11.0.1.2 80
expect_answer "a forward without link still works on both: 11.0.1.2:25" "srv1 11.0.1.1" net tcp 11.0.1.2 25
# a link's forward takes its own address only: link other (ppp1) carrying a
# packet for link v4's address (review 22, finding 2) is not DNAT'd by its
# own forward of the same port
nsx net ip route add 11.0.0.2/32 via 11.0.1.2 dev wan1
expect_silence "link other (ppp1) -> link v4's 11.0.0.2:80: not forwarded" net tcp 11.0.0.2 80 11.0.1.1
nsx net ip route del 11.0.0.2/32 via 11.0.1.2 dev wan1
expect_answer "... while link v4 itself still forwards 11.0.0.2:80" "srv1 11.0.0.1" net tcp 11.0.0.2 80

# ppp1's pppd killed -9: no ip-down, the interface vanishes; the link comes back as ppp2
nsx rtr ip link del ppp1 # its peer wan1 goes with it
veth net wan2 rtr ppp2
addr net wan2 11.0.1.1/24
nsx rtr ip addr add 11.0.1.3 peer 11.0.1.1 dev ppp2
nsx rtr ip route replace 11.0.9.9/32 via 11.0.1.1 dev ppp2
check "ip-up of link other again, as ppp2 (11.0.1.3)" fwcmd up ppp2 11.0.1.3 --link other
check_eq "active_wan: ppp0 and ppp2, the dead ppp1 is gone" "ppp0 ppp2" "$(elems active_wan)"
check_eq "public4: ppp0's address and the new one" "11.0.0.2 11.0.1.3" "$(elems public4)"
check_eq "the record: ppp0 untouched, ppp2 new" "ppp0:11.0.0.2 ppp2:11.0.1.3" "$(elems wan_public4 map)"
check_eq "link1 (other) holds ppp2 only" "ppp2" "$(elems link1_wan)"
expect_answer "link other via ppp2: WAN -> 11.0.1.3:80 reaches srv2" "srv2 11.0.1.1" net tcp 11.0.1.3 80
expect_answer "hairpin on the new address 11.0.1.3:80 reaches srv2" "srv2" cli tcp 11.0.1.3 80
expect_silence "the old address 11.0.1.2 is not reflected any more" cli tcp 11.0.1.2 80
expect_answer "ppp0 untouched: WAN -> 11.0.0.2:80 reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.2 80
expect_answer "ppp0 untouched: hairpin on 11.0.0.2:80 reaches srv1" "srv1" cli tcp 11.0.0.2 80
check_eq "scan of 11.0.1.3: nothing but link other's forwards and the every-link ones answers" "" \
    "$(scan_others 11.0.1.3 25 443 80)"
[ -n "${FWL_DEBUG:-}" ] && { cat "$NSL_TMP"/scan-*.txt; nsx rtr nft list table inet pppkit_fw; }

# ---- Part C: a link the wan patterns do not name, LAN given by networks only ----
# wan = ppp0 and lan-networks without lan-interfaces: ppp2 is WAN only through
# active_wan, which a pppd without the plugin never fills (and which ip-down
# emptied while the interface lived on, before ip-down kept it). A packet from the ISP's side
# with a spoofed LAN source then counted as LAN on the old ruleset: the router
# answered its tcp/22 (the SYN-ACK went to the LAN host) and relayed it out of
# ppp0, masqueraded (review A, finding 1). A LAN source must come in where the
# route back to it goes out (strict reverse path); the kernel's own rp_filter
# is off here, so that the ruleset alone is tested.
cat >"$CONF/pppkit.conf" <<EOF
[firewall]
wan = ppp0
lan-networks = 172.16.0.0/16
router-services = ssh
log = no
EOF
nsx rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ppp2.rp_filter=0
check "C: apply (wan = ppp0, lan-networks only)" fwcmd apply
check "C: ip-up ppp0" fwcmd up ppp0 11.0.0.2
check "C: ip-up ppp2" fwcmd up ppp2 11.0.1.3
check "C: ip-down ppp2 (the interface stays)" fwcmd down ppp2
check_eq "C: active_wan holds ppp0 only" "ppp0" "$(elems active_wan)"
# what the router sends back: SYN-ACKs of its tcp/22, and what it relays out of ppp0
nsx rtr nft -f - <<'NFT'
table inet c_probe {
    chain out {
        type filter hook output priority 100;
        ip daddr 172.16.5.5 tcp sport 22 tcp flags & (syn | ack) == syn | ack counter
    }
    chain post {
        type filter hook postrouting priority 200;
        oifname "ppp0" tcp dport 8443 counter
    }
}
NFT
nsx net ip route replace 172.16.0.0/16 via 11.0.1.3 dev wan2
nsx net ip route replace 11.0.5.5/32 via 11.0.1.3 dev wan2  # the router sends it on out of ppp0 (not in the egress guard)
spoof() { # SRC DST DPORT: three TCP SYNs with a forged source, from the ISP side of ppp2
    nsx net python3 - "$@" <<'PY'
import socket, struct, sys
src, dst, dport = sys.argv[1], sys.argv[2], int(sys.argv[3])
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for sport in (40001, 40002, 40003):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), sport, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    s.sendto(ip + tcp, (dst, 0))
PY
}
counter() { nsx rtr nft list chain inet c_probe "$1" | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
spoof 172.16.5.5 172.16.2.1 22
spoof 172.16.5.5 11.0.5.5 8443
sleep 0.5
check_eq "C: a spoofed LAN source on ppp2 (not named by wan): the router does not answer its tcp/22" 0 "$(counter out)"
check_eq "C: ... nor relays it out of ppp0" 0 "$(counter post)"
# control: a forged source the route back does go to (the LAN) is what the counters see
expect_answer "C: the LAN host itself still reaches the router's tcp/22" "router" cli tcp 172.16.2.1 22
check "C: ... and the SYN-ACK counter saw it (the probe counts)" test "$(counter out)" -ge 1
nsx rtr nft delete table inet c_probe
nsx net ip route del 172.16.0.0/16 via 11.0.1.3 dev wan2
nsx net ip route del 11.0.5.5/32 via 11.0.1.3 dev wan2

# ---- Part D: a link whose own interface lan-interfaces names ----
# The LAN's own PPP servers (xl2tpd, pptpd, a PPPoE server) make pppN too,
# and the uplink's pppd without `unit` takes the lowest free one: here ppp0,
# which lan-interfaces names (wan = ppp1 does not overlap it, so the config
# passes). The old plugin took the link (WAN through active_wan, a warning)
# and the full ruleset's reflection SNAT (iifname <LAN> ct status dnat)
# masqueraded the WAN's connections to a forward: the LAN server saw the
# router, not the client (source ACLs bypassed). Now the plugin refuses the
# link at ESTABLISH like the PPPoE carrier under lan-interfaces: the
# failsafe, pppd exits 2. And the ruleset alone (the CLI does not know which
# interface a pppd has) never takes a packet from active_wan for LAN in NAT.
fake=$("$PPPKIT_TOP/tests/load/build-fake-pppd.sh" "$PPPKIT_BUILD" 2>/dev/null) || fail "D: cannot build tests/load/fake_pppd"
so=$PPPKIT_BUILD/pppkit-firewall.so
conf_d() { # LAN-INTERFACES
    cat >"$CONF/pppkit.conf" <<EOF
[firewall]
wan = ppp1
lan-interfaces = $1
ipv6 = no
log = no

[forward "mail"]
proto = tcp
port = 25
to = 172.16.1.100
EOF
}
# pppd on ppp0: configure (phase 2: no unit yet, as in pppd without
# demand), ESTABLISH (phase 4: pppd made ppp0), its main loop (the due
# timers: a refusal ends the link there), IPCP up with 11.0.0.2
pppd_ppp0() {
    nsx rtr "$fake" "$so" init opt pppkit-config "$CONF/pppkit.conf" ifname '' phase 2 ifname ppp0 phase 4 \
        run-timers local4 11.0.0.2 ip-up 2>&1
}
mark() { nsx rtr nft list set inet pppkit_fw pppkit_mark 2>/dev/null | sed -n 's/.*comment "\(.*\)".*/\1/p'; }
conf_d "ppp0, ens160"
check "D: pppkit check accepts lan-interfaces = ppp0, ens160 with wan = ppp1" "$PK" --config "$CONF/pppkit.conf" check
nsx rtr nft delete table inet pppkit_fw
out=$(pppd_ppp0)
check_eq "D: the plugin refuses the link on ppp0 at ESTABLISH: pppd exits 2" "DIE 2" "$(tail -n1 <<<"$out")"
check "D: ... its error names the item and the interface" grep -qF \
    "[firewall] lan-interfaces: 'ppp0' matches ppp0, this pppd's own interface (the WAN side): a WAN link is never LAN" <<<"$out"
check "D: ... and the way out (pppd's 'unit N')" grep -qF "pppd option 'unit N'" <<<"$out"
check "D: ... and that the failsafe replaced the ruleset" grep -qF \
    "the failsafe replaced the loaded ruleset, which took this link's interface ppp0 for LAN" <<<"$out"
check "D: ... pppd ends the link from its main loop (lcp_close: TermReq, PADT), not by die() in the callback" \
    grep -q "^LCP-CLOSE 0 link refused by pppkit" <<<"$out"
check "D: ... no ip-up ran (the link never comes up)" bash -c '! grep -q "ip-up:" <<<"$1"' _ "$out"
check "D: ... pppd's log says why it stops" grep -qF \
    "LOG error: pppkit-firewall: [firewall] lan-interfaces takes this link's interface ppp0 for LAN, not bringing the link up" <<<"$out"
check "D: ... the failsafe is loaded" bash -c '[[ "$1" == "pppkit failsafe"* ]]' _ "$(mark)"
expect_silence "D: WAN -> 11.0.0.2:25 (the forward) does not reach the LAN server" net tcp 11.0.0.2 25
expect_silence "D: WAN -> the router's tcp/22 is dropped" net tcp 11.0.0.2 22
# the peer's PADT crossing ours: pppd's main loop reads the channel's
# hang-up after PHASE_DEAD and sets EXIT_HANGUP over the status set before
# (pppd 2.5.2 in tests/e2e/abi25, when the ISP never acked the
# Terminate-Request); with persist, and with maxfail 1 (pppd would stop after
# this attempt before asking the holdoff hook), pppd still exits 2 and never
# redials; also when another pppkit plugin, loaded first (pppkit-mss, as in
# the lab's peer file), owns pppd's holdoff hook
for extra in "late-hangup" "late-hangup persist" "late-hangup persist maxfail 1" "mss-first late-hangup persist"; do
    first=(init)
    [[ $extra == mss-first* ]] && first=(plugin "$PPPKIT_BUILD/pppkit-mss.so" init) && extra=${extra#mss-first }
    # shellcheck disable=SC2086 # $extra: fake_pppd commands
    out=$(nsx rtr "$fake" "$so" "${first[@]}" opt pppkit-config "$CONF/pppkit.conf" $extra \
        ifname '' phase 2 ifname ppp0 phase 4 run-timers 2>&1)
    [ "${first[0]}" = plugin ] && extra="pppkit-mss first, $extra"
    check_eq "D: ($extra) refused at ESTABLISH, a hang-up after the link ended: pppd exits 2, not 16" \
        "DIE 2" "$(tail -n1 <<<"$out")"
    check "D: ($extra) ... after the link ended (the hang-up came), without a redial" \
        bash -c 'grep -q "^MODEM-HANGUP" <<<"$1" && ! grep -q "^REDIAL" <<<"$1"' _ "$out"
done
# with demand pppd makes its unit before the first phase change (DORMANT):
# configure() sees ppp0 and refuses it before anything is loaded for it
check "D: (demand) the full ruleset is loaded again by the CLI" fwcmd apply
out=$(nsx rtr "$fake" "$so" init opt pppkit-config "$CONF/pppkit.conf" ifname ppp0 phase 3 2>&1)
check_eq "D: demand: refused in configure (DORMANT): pppd exits 2" "DIE 2" "$(tail -n1 <<<"$out")"
check "D: demand: ... naming the item and the interface" grep -qF "lan-interfaces: 'ppp0' matches ppp0" <<<"$out"
check "D: demand: ... the failsafe replaced the full ruleset" bash -c '[[ "$1" == "pppkit failsafe"* ]]' _ "$(mark)"
# the ruleset alone (defence in depth): the same config loaded by the CLI,
# ppp0 up as a WAN link (active_wan, public4)
check "D: the CLI loads the same config (it does not know pppd's interface)" fwcmd apply
check "D: ip-up of ppp0 (11.0.0.2) through the CLI" fwcmd up ppp0 11.0.0.2
expect_answer "D: ruleset: WAN -> 11.0.0.2:25 reaches srv1 with the client's own address (not masqueraded)" \
    "srv1 11.0.0.1" net tcp 11.0.0.2 25
expect_silence "D: ruleset: WAN -> the router's tcp/22 is dropped" net tcp 11.0.0.2 22
expect_answer "D: ruleset: the hairpin from the LAN still works" "srv1" cli tcp 11.0.0.2 25
# control: the same config without ppp0 in lan-interfaces
conf_d "ens160"
nsx rtr nft delete table inet pppkit_fw
out=$(pppd_ppp0)
check "D control: lan-interfaces = ens160: pppd goes on (no DIE)" bash -c '! grep -q "^DIE" <<<"$1"' _ "$out"
check "D control: ... ip-up put ppp0's address in place" grep -q "ip-up: active_wan ppp0, public4 11.0.0.2" <<<"$out"
check "D control: ... the full ruleset is loaded" bash -c '[[ "$1" == "pppkit digest"* ]]' _ "$(mark)"
expect_answer "D control: WAN -> 11.0.0.2:25 reaches srv1 with the client's own address" "srv1 11.0.0.1" net tcp 11.0.0.2 25
expect_answer "D control: the hairpin from the LAN works" "srv1" cli tcp 11.0.0.2 25
expect_silence "D control: WAN -> the router's tcp/22 is dropped" net tcp 11.0.0.2 22
# ---- Part E: a reload renumbers the link sets under a running pppd ----
# A slot (linkN_wan, linkN_public4) is a position in one configuration: the
# order in which forwards name their links. A reload that reorders them
# (`pppkit firewall apply`, pppkitd) moves every link's elements to its new
# slot by name, but the plugin of a pppd started before it kept its old
# Settings: its next update (a persist redial) flushed "its" slot, now the
# other link's, and put itself there (review 26, finding 2): the internet
# link reached the corp link's forward, and the corp link lost it. Each
# update now carries the digest of the configuration it was computed from
# (pppkit_mark's element) and the kernel refuses it whole for another one;
# the plugin then takes the configuration file's settings when they are
# what is loaded. After a flush it loads the file as it is now, never the
# configuration it started with (a forward the reload removed stays gone).
rm -f "$CONF/pppkit.d/50-links.conf"
E=$NSL_TMP/e
mkdir -p "$E"
conf_e() { # FILE FORWARD...: the forwards in this order
    local out=$1 f
    shift
    {
        printf '[firewall]\nwan = ppp*\nlan-interfaces = ens160\nlan-networks = 172.16.0.0/16\nipv6 = no\nlog = no\n'
        printf '[link "v4"]\n[link "other"]\n'
        for f in "$@"; do
            case $f in
                web-v4) printf '[forward "web-v4"]\nproto = tcp\nport = 443\nto = 172.16.1.100\nlink = v4\n' ;;
                smtp-other) printf '[forward "smtp-other"]\nproto = tcp\nport = 25\nto = 172.16.1.101\nlink = other\n' ;;
            esac
        done
    } >"$out"
}
conf_e "$E/x.conf" web-v4 smtp-other
conf_e "$E/y.conf" smtp-other web-v4
conf_e "$E/z.conf" smtp-other
cp "$E/x.conf" "$CONF/pppkit.conf"
check "E: pppkit check accepts the three configurations" bash -c \
    "for c in x y z; do '$PK' --config '$E/'\$c.conf check >/dev/null || exit 1; done"
nsx rtr nft delete table inet pppkit_fw 2>/dev/null
check "E: config x (web-v4 then smtp-other) applied" fwcmd apply
check "E: link other is up on ppp2 (11.0.1.3)" fwcmd up ppp2 11.0.1.3 --link other
pause() { # FILE: the fake pppd waits (at most 60 s) until the test creates FILE
    echo "touch $1.at; i=0; while [ ! -e $1 ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done"
}
apply_as() { echo "cp $E/$1.conf $CONF/pppkit.conf && $PK --config $CONF/pppkit.conf firewall apply >/dev/null 2>&1"; }
redial="ip-down phase 9 phase 10 phase 0 phase 11 phase 2 phase 4 local4 11.0.0.2 ip-up"
nsx rtr timeout $((LIFE + 5)) "$fake" "$so" init opt pppkit-config "$CONF/pppkit.conf" call v4 persist ifname '' \
    phase 2 ifname ppp0 phase 4 local4 11.0.0.2 ip-up sh "$(pause "$E/go1")" \
    sh "$(apply_as y)" $redial sh "$(pause "$E/go2")" \
    sh "$(apply_as z) && nft delete table inet pppkit_fw" $redial sh "$(pause "$E/go3")" >"$E/pppd.log" 2>&1 &
NSL_PIDS+=("$!")
wait_for 20 test -e "$E/go1.at" || fail "E: the v4 pppd did not come up: $(cat "$E/pppd.log")"
expect_answer "E: x: WAN -> link v4's 11.0.0.2:443 reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.2 443
expect_answer "E: x: WAN -> link other's 11.0.1.3:25 reaches srv2" "srv2 11.0.1.1" net tcp 11.0.1.3 25
expect_silence "E: x: WAN -> link v4's 11.0.0.2:25 (link other's forward) is dropped" net tcp 11.0.0.2 25
touch "$E/go1" # reload to y (the same forwards, smtp-other first), then v4 redials
wait_for 20 test -e "$E/go2.at" || fail "E: the v4 pppd did not redial: $(cat "$E/pppd.log")"
check_eq "E: y, after v4's redial: link0 (other in y) still holds ppp2" "ppp2" "$(elems link0_wan)"
check_eq "E: ... and link1 (v4 in y) holds ppp0" "ppp0" "$(elems link1_wan)"
check "E: ... the plugin took the reloaded configuration" grep -qF "'s ruleset as reloaded (digest" "$E/pppd.log"
expect_silence "E: y: WAN -> link v4's 11.0.0.2:25 (link other's forward) is still dropped" net tcp 11.0.0.2 25
expect_answer "E: y: link other's forward still reaches srv2 on 11.0.1.3:25" "srv2 11.0.1.1" net tcp 11.0.1.3 25
expect_answer "E: y: link v4's own forward still works after the redial" "srv1 11.0.0.1" net tcp 11.0.0.2 443
touch "$E/go2" # reload to z (web-v4 removed), a flush, then v4 redials
wait_for 20 test -e "$E/go3.at" || fail "E: the v4 pppd did not redial after the flush: $(cat "$E/pppd.log")"
check "E: z, flushed: the plugin loaded the ruleset again" grep -qF "full ruleset loaded again" "$E/pppd.log"
expect_silence "E: z: the forward the reload removed (11.0.0.2:443) stays gone" net tcp 11.0.0.2 443
check_eq "E: z: the loaded ruleset is z's" "table inet pppkit_fw: current" \
    "$(nsx rtr "$PK" --config "$E/z.conf" firewall status 2>/dev/null | head -n1)"
touch "$E/go3"
[ -n "${FWL_DEBUG:-}" ] && cat "$E/pppd.log"

# ---- Part F: a link ends under another configuration's ruleset ----
# (review 27a, F3) The table holds the ruleset of a configuration this
# pppd's file does not give (`pppkit firewall apply` from another file, or a
# reload whose file this pppd was not started with): the link's updates are
# refused (its slots are positions in its own configuration), but what goes
# at ip-down (the address) and exit (the interface) is removed by value all
# the same. Before, the address stayed in public4 and linkN_public4: once
# the ISP gives it to someone else, a LAN host connecting to them on a
# forwarded port was reflected to the LAN server.
F=$NSL_TMP/f
mkdir -p "$F"
conf_e "$F/mine.conf" web-v4
conf_e "$F/other.conf" web-v4 smtp-other
serve net someone tcp:443
nsx rtr timeout $((LIFE + 5)) "$fake" "$so" init opt pppkit-config "$F/mine.conf" call v4 ifname '' \
    phase 2 ifname ppp0 phase 4 local4 11.0.0.2 ip-up sh "$(pause "$F/go1")" \
    sh "$PK --config $F/other.conf firewall apply >$F/apply.log 2>&1" ip-down sh "$(pause "$F/go2")" \
    exit 5 >"$F/pppd.log" 2>&1 &
NSL_PIDS+=("$!")
wait_for 20 test -e "$F/go1.at" || fail "F: the v4 pppd did not come up: $(cat "$F/pppd.log")"
expect_answer "F: up: LAN -> 11.0.0.2:443 is reflected to srv1" "srv1 " cli tcp 11.0.0.2 443
check_eq "F: up: public4 holds 11.0.0.2" "11.0.0.2" "$(elems public4 | tr ' ' '\n' | grep -x 11.0.0.2)"
touch "$F/go1" # another configuration applied, then ip-down
wait_for 20 test -e "$F/go2.at" || fail "F: no ip-down: $(cat "$F/pppd.log")"
check_eq "F: the loaded ruleset is the other file's" "table inet pppkit_fw: current" \
    "$(nsx rtr "$PK" --config "$F/other.conf" firewall status 2>/dev/null | head -n1)"
check "F: ip-down: logged as removed from the other configuration's ruleset" \
    grep -qF "ip-down: table inet pppkit_fw holds a ruleset other than $F/mine.conf's, and that file gives no other: this link's 3 elements removed" "$F/pppd.log"
check_eq "F: ip-down: 11.0.0.2 in no set (public4, link0_public4)" "" \
    "$(for x in public4 link0_public4; do elems "$x"; done | tr ' ' '\n' | grep -x 11.0.0.2)"
check_eq "F: ip-down: no ppp0 record in wan_public4" "" "$(elems wan_public4 map | tr ' ' '\n' | grep '^ppp0:')"
check_eq "F: ip-down: ppp0 still in active_wan (the interface is the link's until exit)" "ppp0" \
    "$(elems active_wan | tr ' ' '\n' | grep -x ppp0)"
# the ISP gives 11.0.0.2 to someone else, reached through link other (ppp2)
nsx rtr ip addr del 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip route add 11.0.0.2/32 via 11.0.1.1 dev ppp2
nsx net ip addr add 11.0.0.2/32 dev lo
expect_answer "F: after ip-down: LAN -> 11.0.0.2:443 reaches its new holder, not srv1" "someone 11.0.1.3" cli tcp 11.0.0.2 443
touch "$F/go2" # exit
wait_for 20 grep -q "longest callback" "$F/pppd.log" || fail "F: no exit: $(cat "$F/pppd.log")"
check_eq "F: exit: ppp0 in no set (active_wan, wan: ppp* names none, link0_wan)" "" \
    "$(for x in active_wan wan link0_wan; do elems "$x"; done | tr ' ' '\n' | grep -x ppp0)"
check "F: exit: logged" grep -qF "exit: table inet pppkit_fw holds a ruleset other than $F/mine.conf's" "$F/pppd.log"
nsx net ip addr del 11.0.0.2/32 dev lo
nsx rtr ip route del 11.0.0.2/32
nsx rtr ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
[ -n "${FWL_DEBUG:-}" ] && cat "$F/pppd.log"

# ---- Part G: one set wan (issue 10) ---------------------------------------------------
# wan = ppp0 names ppp0 alone: it is WAN through set wan's static element,
# with a link or without; the second link's ppp2 is WAN while its link is
# up (set wan, as the link's interface) and no longer after it.
G=$NSL_TMP/g
mkdir -p "$G"
printf '[firewall]\nwan = ppp0\nlan-interfaces = ens160\nlan-networks = 172.16.0.0/16\nipv6 = no\nlog = no\n' \
    >"$CONF/pppkit.conf"
nsx rtr nft delete table inet pppkit_fw 2>/dev/null
check "G: wan = ppp0 applied" fwcmd apply
check_eq "G: before any link: set wan holds the configured ppp0" "ppp0" "$(elems wan)"
check_eq "G: ... and active_wan nothing" "" "$(elems active_wan)"
check "G: ip-up ppp0" fwcmd up ppp0 11.0.0.2
check "G: ip-up ppp2 (no wan item names it)" fwcmd up ppp2 11.0.1.3
check_eq "G: set wan holds both" "ppp0 ppp2" "$(elems wan)"
check_eq "G: active_wan holds both" "ppp0 ppp2" "$(elems active_wan)"
expect_answer "G: masquerade out of ppp2 (WAN through set wan)" "internet 11.0.1.3" cli tcp 11.0.9.9 8443
expect_silence "G: default deny on ppp2: router tcp/22" net tcp 11.0.1.3 22
check "G: a reload (apply) with both links up" fwcmd apply
check_eq "G: after the reload: set wan holds both still" "ppp0 ppp2" "$(elems wan)"
check "G: ppp2's link goes (down)" fwcmd down ppp2
check_eq "G: set wan: ppp2 is gone, the configured ppp0 stays" "ppp0" "$(elems wan)"
check_eq "G: active_wan: ppp0 only" "ppp0" "$(elems active_wan)"
expect_silence "G: ppp2 is no WAN any more: not masqueraded out of it" cli tcp 11.0.9.9 8443
check "G: ppp0's link goes too (down)" fwcmd down ppp0
check_eq "G: no link: active_wan is empty" "" "$(elems active_wan)"
check_eq "G: no link: set wan still holds the configured ppp0" "ppp0" "$(elems wan)"
expect_answer "G: no pppd on ppp0, still WAN: masquerade out of it" "internet 11.0.0.2" cli tcp 11.0.0.1 8443
expect_silence "G: no pppd on ppp0, still WAN: router tcp/22 dropped" net tcp 11.0.0.2 22
expect_silence "G: no pppd on ppp0, still WAN: router tcp/8080 dropped" net tcp 11.0.0.2 8080
check "G: a reload (apply) with no link" fwcmd apply
check_eq "G: after the reload: set wan holds the configured ppp0" "ppp0" "$(elems wan)"
nsl_finish
