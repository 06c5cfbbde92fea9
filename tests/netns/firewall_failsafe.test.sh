#!/bin/bash
# firewall_failsafe.test.sh BUILD - the firewall fails closed whatever the
# configuration says (issues 12, 14, 15), with real TCP in namespaces:
#
#   wan (198.51.97.2) --ppp0-- r (router) --lan0-- lan (172.16.1.10)
#
# r runs a TCP server on every address, port 2222. For each reason nft
# refuses (or would misread) a ruleset - a 16-byte interface pattern, a
# prefix nft parses differently, a NUL byte, an extras file nft rejects or
# crashes on, an extras file that includes another - both boot paths
# ("pppkit firewall apply" and pppkit-firewall.so's configure() in the fake
# pppd) leave a failsafe table loaded - also for a config file that cannot
# be read (it may hold the [firewall]) - and then:
#   - WAN -> router: the TCP connect fails;
#   - loopback -> router: it works;
#   - LAN -> router: works when every lan-interfaces name is valid, else
#     fails (the pure constant failsafe; README "Failsafe").
# Also: pppkit check refuses each of them (exit 2, file:line or "nft crashed
# on FILE"); the crashing extras never kill pppkit or the fake pppd; a good
# ruleset stays when a crashing extras file comes later; an extras file
# without a final newline loads and its rule carries traffic; "198.51.100.0/024"
# never widens a forward (real DNAT from a source inside the /20 nft would
# read); and with no nftables at all (no CAP_NET_ADMIN stands in for a kernel
# without it) pppd stops before dialling.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init fwfs
nsl_need nft python3 setpriv
pk=$build/pppkit
so=$build/pppkit-firewall.so
[ -x "$pk" ] && [ -f "$so" ] || { fail "no $pk or $so (make all first)"; nsl_finish; }
fake=$("$top/tests/load/build-fake-pppd.sh" "$build" 2>/dev/null) || { fail "cannot build tests/load/fake_pppd"; nsl_finish; }

ns_create r
ns_create wan
ns_create lan
veth r ppp0 wan eth0
veth r lan0 lan eth0
addr r ppp0 198.51.97.1/24
addr wan eth0 198.51.97.2/24
addr r lan0 172.16.0.1/16
addr lan eth0 172.16.1.10/16
route lan default 172.16.0.1
route wan 172.16.0.0/16 198.51.97.1
forwarding r
tcp_listen r 0.0.0.0 2222 600
tcp_listen lan 0.0.0.0 3389 600

wan_open() { tcp_connect wan 198.51.97.1 2222 2 >/dev/null 2>&1; }
lan_open() { tcp_connect lan 172.16.0.1 2222 2 >/dev/null 2>&1; }
lo_open() { tcp_connect r 127.0.0.1 2222 2 >/dev/null 2>&1; }
not() { ! "$@"; }
no_table() { nsx r nft delete table inet pppkit_fw >/dev/null 2>&1 || true; }
has_failsafe() { nsx r nft list table inet pppkit_fw 2>/dev/null | grep -q 'pppkit failsafe'; }

# the test can fail: with no table everything is open
no_table
check "no table: WAN reaches the router (the test can see an open router)" wan_open
check "no table: the LAN reaches the router" lan_open

lan_if='lan-interfaces = lan0'
nets='lan-networks = 172.16.0.0/16'
conf() { # NAME LINES... -> path of a config holding [firewall] and the lines
    local f=$NSL_TMP/$1.conf
    shift
    { echo '[firewall]'; printf '%b\n' "$@"; } >"$f"
    echo "$f"
}
extras() { # NAME CONTENT(printf %b) -> path
    local f=$NSL_TMP/$1.nft
    printf '%b' "$2" >"$f"
    echo "$f"
}
crash=$(extras crash 'set s {\n elements = {./}\n}\nset s {\n type ipv4_addr\n flags interval\n elements = { 4 }\n}\n')
reject=$(extras reject 'chain extra_input {\n    tcp dport 2222 acept\n}\n')
other=$(extras other 'chain extra_input {\n    tcp dport 2222 accept\n}\n')
incl=$(extras incl "chain extra_input {\n    include \"$other\"\n}\n")

# a config that cannot be read (group-writable: refused as root) may hold the
# [firewall]: fail closed like a broken one, never "no [firewall], nothing loaded"
unread=$(conf unread "$lan_if" "$nets")
chmod 664 "$unread"
# an empty one (an editor truncates it to write it again): the same, never "no [firewall]"
: >"$NSL_TMP/empty.conf"

# NAME | config | LAN after the failsafe (open/closed) | what pppkit check must say
cases=(
    "unread|$unread|closed|is writable by group or others"
    "empty|$NSL_TMP/empty.conf|closed|empty.conf:0: missing or empty"
    "wan16|$(conf wan16 'wan = enx00e04c680123*' "$lan_if" "$nets")|open|wan: 'enx00e04c680123*': longer than 15 bytes"
    "negzero|$(conf negzero "$lan_if" 'lan-networks = 0.0.0.0/-0')|open|lan-networks: '0.0.0.0/-0': prefix length must be a plain decimal"
    "octal|$(conf octal "$lan_if" 'lan-networks = 172.16.0.0/016')|open|lan-networks: '172.16.0.0/016': prefix length must be a plain decimal"
    "nul|$(conf nul "$lan_if" 'lan-networks = 172.16.0.0\0000junk/16')|open|lan-networks"
    "extras-reject|$(conf extras-reject "$lan_if" "$nets" "extras = $reject")|open|$reject:2:"
    "extras-crash|$(conf extras-crash "$lan_if" "$nets" "extras = $crash")|open|nft crashed on $crash"
    "extras-include|$(conf extras-include "$lan_if" "$nets" "extras = $incl")|open|$incl:2: [firewall] extras: 'include' is not allowed"
    "wan16-nets-only|$(conf wan16-nets-only 'wan = enx00e04c680123*' "$nets")|closed|longer than 15 bytes"
    "bad-lan-name|$(conf bad-lan-name 'lan-interfaces = lan0, x}y' "$nets")|closed|'x}y': not an interface name"
)

for c in "${cases[@]}"; do
    IFS='|' read -r name cf lan want <<<"$c"
    out=$(nsx r "$pk" --config "$cf" check 2>&1)
    rc=$?
    check_eq "$name: pppkit check refuses it" 2 "$rc"
    check "$name: ... saying '$want'" grep -qF -- "$want" <<<"$out"

    # the boot unit's apply, with nothing loaded before
    no_table
    out=$(nsx r "$pk" --config "$cf" firewall apply 2>&1)
    rc=$?
    check "$name: apply: exit 1 or 2, never a crash (got $rc)" test "$rc" -eq 1 -o "$rc" -eq 2
    check "$name: apply: a failsafe table is loaded" has_failsafe
    check "$name: apply: WAN -> router TCP connect fails" not wan_open
    check "$name: apply: loopback still works" lo_open
    if [ "$lan" = open ]; then
        check "$name: apply: LAN -> router works (valid lan-interfaces)" lan_open
    else
        check "$name: apply: LAN -> router fails too (constant failsafe)" not lan_open
    fi

    # pppkit-firewall.so in the fake pppd: configure() at the first phase change
    no_table
    out=$(nsx r "$fake" "$so" init opt pppkit-config "$cf" phase 2 ifname ppp0 phase 4 ip-up 2>&1)
    check_eq "$name: plugin: pppd stops before dialling (exit 2, not a crash)" "DIE 2" "$(tail -n1 <<<"$out")"
    check "$name: plugin: a failsafe table is loaded" has_failsafe
    check "$name: plugin: WAN -> router TCP connect fails" not wan_open
    if [ "$lan" = open ]; then
        check "$name: plugin: LAN -> router works" lan_open
    fi
done

# --- the failsafe's anti-spoofing (review 23, finding 3): a reply forged from
# the WAN with a LAN source (or a never-routed one) must not join a flow of the
# router's through the failsafe's established accept. The kernel's rp_filter
# is off in r, so that the ruleset alone is tested.
nsx r sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ppp0.rp_filter=0
nsx wan ip addr add 172.16.1.10/32 dev lo
nsx wan ip addr add 169.254.9.9/32 dev lo
nsx r ip addr add 169.254.0.1/16 dev lan0
nsx lan ip addr add 169.254.9.9/16 dev eth0
nsx wan ip route add 169.254.0.0/16 via 198.51.97.1
udp_from() { # NS SRC SPORT DST DPORT: one datagram "forged" from SRC:SPORT (an address of NS)
    nsx "$1" timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"forged", (sys.argv[3], int(sys.argv[4])))' "${@:2}"
}
spoof_cf=$(conf spoof "$lan_if" "$nets" "extras = $reject")
no_table
nsx r "$pk" --config "$spoof_cf" firewall apply >/dev/null 2>&1
check "anti-spoofing: the failsafe is loaded (extras refused)" has_failsafe
for src in 172.16.1.10 169.254.9.9; do
    reply() { flow_reply r "$1" 5555 "$src" 6666 udp_from "$2" "$src" 6666 "$1" 5555; }
    here=$([ "$src" = 172.16.1.10 ] && echo 172.16.0.1 || echo 169.254.0.1)
    check_eq "failsafe: control: the LAN host's own reply from $src joins the router's flow" \
        "got forged from $src" "$(reply "$here" lan)"
    check_eq "failsafe: a reply forged from the WAN as $src does not join it" "nothing" "$(reply "$here" wan)"
done

# --- the PPPoE carrier is never LAN (review 23, finding 2): lan-interfaces =
# lan0, enc* also matched enc0, the Ethernet device pppd runs PPPoE over (its
# devnam; a segment of the ISP's side, here namespace isp), and the router's
# services answered there. The plugin knows the device: it refuses the config
# and the failsafe without enc* replaces what is loaded.
ns_create isp
veth r enc0 isp eth0
addr r enc0 10.99.0.1/24
addr isp eth0 10.99.0.2/24
isp_open() { tcp_connect isp 10.99.0.1 2222 2 >/dev/null 2>&1; }
has_full() { nsx r nft list table inet pppkit_fw 2>/dev/null | grep -q 'pppkit digest'; }
carrier_cf=$(conf carrier 'lan-interfaces = lan0, enc*' 'router-services = tcp/2222')
pppoe_enc0() { nsx r "$fake" "$so" init opt pppkit-config "$1" pppoe 1 52:54:00:ab:cd:ef enc0 phase 2 2>&1; }
no_table
check "carrier: apply without pppd (the CLI does not know the device) loads enc* as LAN" \
    nsx r "$pk" --config "$carrier_cf" firewall apply
check "carrier: ... the test can see the hole: the carrier's segment reaches the router's service" isp_open
for before in full none; do
    [ "$before" = none ] && no_table
    out=$(pppoe_enc0 "$carrier_cf")
    check_eq "carrier ($before loaded before): plugin: pppd stops before dialling (exit 2)" "DIE 2" "$(tail -n1 <<<"$out")"
    check "carrier ($before): ... saying lan-interfaces matches the PPPoE device, file:line" grep -qF \
        "$carrier_cf:2: [firewall] lan-interfaces: matches the PPPoE device 'enc0'" <<<"$out"
    check "carrier ($before): ... the failsafe is loaded" has_failsafe
    check "carrier ($before): ... the carrier's segment gets no answer from the router" not isp_open
    check "carrier ($before): ... the LAN still does (lan0)" lan_open
    check "carrier ($before): ... the WAN does not" not wan_open
done
# --- the failsafe B's plugin loaded (naming enc0 in its mark set) stays while
# lan-interfaces still matches enc0, whoever would load the full ruleset next
# (review 27a F1): the old code let each of them put back the ruleset that
# takes enc0 for LAN (the carrier's segment reached the router's service).
# (a) another pppd A over another device starts
has_failsafe || pppoe_enc0 "$carrier_cf" >/dev/null
out=$(nsx r "$fake" "$so" init opt pppkit-config "$carrier_cf" pppoe 2 52:54:00:ab:cd:01 wan1 phase 2 2>&1)
check_eq "carrier kept (a): a second pppd over wan1 stops before dialling (exit 2)" "DIE 2" "$(tail -n1 <<<"$out")"
check "carrier kept (a): ... saying lan-interfaces matches enc0, which the failsafe names, file:line" grep -qF \
    "$carrier_cf:2: [firewall] lan-interfaces: matches the PPPoE device 'enc0'" <<<"$out"
check "carrier kept (a): ... the failsafe stays" has_failsafe
check "carrier kept (a): ... the carrier's segment gets no answer from the router" not isp_open
check "carrier kept (a): ... the LAN still does (lan0)" lan_open
# (b) a running A (full ruleset loaded at its start) whose ip-up comes after B's refusal
no_table
out=$(nsx r "$fake" "$so" init opt pppkit-config "$carrier_cf" pppoe 2 52:54:00:ab:cd:01 wan1 phase 2 \
    sh "$fake $so init opt pppkit-config $carrier_cf pppoe 1 52:54:00:ab:cd:ef enc0 phase 2 >/dev/null 2>&1" \
    ifname ppp0 phase 4 local4 198.51.97.1 ip-up exit 0 2>&1)
check "carrier kept (b): ... (A started on the full ruleset, B refused after it: SH rc=2)" grep -q "SH rc=2" <<<"$out"
check "carrier kept (b): A's ip-up does not load the full ruleset again" \
    bash -c '! grep -q "full ruleset loaded again" <<<"$1"' _ "$out"
check "carrier kept (b): ... it says why, file:line" grep -qF \
    "$carrier_cf:2: [firewall] lan-interfaces: matches the PPPoE device 'enc0'" <<<"$out"
check "carrier kept (b): ... the failsafe stays" has_failsafe
check "carrier kept (b): ... the carrier's segment gets no answer from the router" not isp_open
# (c) pppkit firewall apply (the nftables.service drop-in runs it)
has_failsafe || pppoe_enc0 "$carrier_cf" >/dev/null
out=$(nsx r "$pk" --config "$carrier_cf" firewall apply 2>&1)
check_eq "carrier kept (c): apply exits 1" 1 "$?"
check "carrier kept (c): ... saying the failsafe stays" grep -q "the failsafe ruleset stays" <<<"$out"
check "carrier kept (c): ... and why, file:line" grep -qF \
    "$carrier_cf:2: [firewall] lan-interfaces: matches the PPPoE device 'enc0'" <<<"$out"
check "carrier kept (c): ... the failsafe stays" has_failsafe
check "carrier kept (c): ... the carrier's segment gets no answer from the router" not isp_open
# control: lan-interfaces fixed (no enc*): apply loads the full ruleset over that failsafe
out=$(nsx r "$pk" --config "$(conf carrier-fixed "$lan_if" 'router-services = tcp/2222')" firewall apply 2>&1)
check_eq "carrier kept control: lan-interfaces = lan0: apply exits 0" 0 "$?"
check "carrier kept control: ... the full ruleset is loaded" has_full
check "carrier kept control: ... the carrier's segment gets no answer" not isp_open
check "carrier kept control: ... the LAN does" lan_open

# control: the LAN named alone: pppd goes on, and the carrier, neither LAN nor
# WAN, is dropped
no_table
out=$(pppoe_enc0 "$(conf carrier-ok "$lan_if" 'router-services = tcp/2222')")
check "carrier control: lan-interfaces = lan0: pppd goes on (no DIE)" bash -c '! grep -q "^DIE" <<<"$1"' _ "$out"
check "carrier control: ... the full ruleset is loaded" has_full
check "carrier control: ... the carrier's segment gets no answer" not isp_open
check "carrier control: ... the LAN does" lan_open

# --- the default /etc/ppp/pppkit.conf missing (an editor renamed it away to save
# it; /etc/ppp is an empty tmpfs in this command's own mount namespace): the boot
# unit's apply fails closed. The old one printed "no [firewall]", loaded nothing
# and exited 0: the router stayed open.
no_table
out=$(nsx r unshare -m sh -c 'mount -t tmpfs tmpfs /etc/ppp && exec "$0" firewall apply' "$pk" 2>&1)
check_eq "default pppkit.conf missing: apply exits 2 (fail closed)" 2 "$?"
check "  ... saying why" grep -q "^/etc/ppp/pppkit.conf:0: missing or empty" <<<"$out"
check "  ... a failsafe table is loaded" has_failsafe
check "  ... WAN -> router TCP connect fails" not wan_open

# --- a crashing extras file after a good ruleset: the good one stays
good=$(conf good "$lan_if" "$nets" 'wan-services = tcp/2222')
no_table
check "good config: apply" nsx r "$pk" --config "$good" firewall apply
check "good config: WAN reaches the opened port" wan_open
before=$(nsx r nft list table inet pppkit_fw | md5sum)
out=$(nsx r "$pk" --config "$(conf good-crash "$lan_if" "$nets" 'wan-services = tcp/2222' "extras = $crash")" firewall apply 2>&1)
check_eq "crashing extras after a good ruleset: apply exits 1" 1 "$?"
check "... says the previous ruleset stays" grep -q "previous ruleset stays in force" <<<"$out"
check_eq "... and it does" "$before" "$(nsx r nft list table inet pppkit_fw | md5sum)"
check "... WAN still reaches the opened port" wan_open
out=$(nsx r "$fake" "$so" init opt pppkit-config "$NSL_TMP/good-crash.conf" phase 2 2>&1)
check_eq "... the plugin stops pppd (exit 2), it does not die" "DIE 2" "$(tail -n1 <<<"$out")"
check "... naming the file" grep -qF "nft crashed on $crash" <<<"$out"
check_eq "... and the good ruleset is still there" "$before" "$(nsx r nft list table inet pppkit_fw | md5sum)"

# --- an extras file without a final newline loads, and its rule works
nonl=$(extras nonl 'chain extra_input {\n    tcp dport 2222 accept\n}')
nonl_conf=$(conf nonl "$lan_if" "$nets" "extras = $nonl")
no_table
check "extras without a final newline: pppkit check OK" nsx r "$pk" --config "$nonl_conf" check
check "... apply loads it" nsx r "$pk" --config "$nonl_conf" firewall apply
check "... and its rule opens the port to the WAN" wan_open
out=$(nsx r "$fake" "$so" init opt pppkit-config "$nonl_conf" phase 2 sh "nft delete table inet pppkit_fw" \
    ifname ppp0 phase 4 local4 198.51.97.1 ip-up exit 0 2>&1)
check "... the plugin keeps it, and reloads it when the table vanished (no child: checked in configure)" \
    grep -qE "(establish|ip-up): table inet pppkit_fw was missing .*full ruleset loaded again" <<<"$out"
check "... the reloaded ruleset still opens the port" wan_open

# --- a forward "from 198.51.100.0/024": nft would read 198.51.96.0/20
rdp=$(conf rdp "$lan_if" "$nets")
printf '\n[forward "rdp"]\nproto = tcp\nport = 3389\nto = 172.16.1.10\nfrom = 198.51.100.0/024\n' >>"$rdp"
no_table
out=$(nsx r "$pk" --config "$rdp" check 2>&1)
check_eq "from = 198.51.100.0/024: pppkit check exits 2" 2 "$?"
check "... with file:line" grep -qF "$rdp:9: [forward \"rdp\"] from: '198.51.100.0/024'" <<<"$out"
nsx r "$pk" --config "$rdp" firewall apply >/dev/null 2>&1
check "... apply does not forward 3389 to 198.51.97.2 (inside 198.51.96.0/20)" \
    not tcp_connect wan 198.51.97.1 3389 2
check "... the kernel holds no 198.51.96.0/20" bash -c "! ip netns exec $(ns r) nft list ruleset | grep -q 198.51.96.0/20"

# --- no nftables at all (no CAP_NET_ADMIN stands in for a kernel without it)
pub=$(mktemp -d /tmp/pppkit-fwfs.XXXXXX)
nsl_on_exit rm -rf "$pub"
chmod 755 "$pub"
cp "$good" "$pub/good.conf"
chmod 644 "$pub/good.conf"
no_table
out=$(nsx r setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$fake" "$so" init opt pppkit-config "$pub/good.conf" phase 2 ip-up 2>&1)
check_eq "no nftables: pppd stops before dialling" "DIE 2" "$(tail -n1 <<<"$out")"
check "... saying so loudly" grep -q "LOG error: pppkit-firewall: NO FIREWALL" <<<"$out"
out=$(nsx r setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$pk" --config "$pub/good.conf" firewall apply 2>&1)
check_eq "no nftables: apply exits 1" 1 "$?"
check "... saying THERE IS NO FIREWALL" grep -q "THERE IS NO FIREWALL" <<<"$out"

nsl_finish
