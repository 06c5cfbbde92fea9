#!/bin/bash
# tests/netns/firewall.test.sh - pppkit's firewall with real traffic, in namespaces.
#
#   net (the internet)          rtr (the router)                sw (a bridge: the LAN)
#   11.0.0.1/24 wan0  <------>  ppp0 11.0.0.2 peer 11.0.0.1      br0 -- srv1 172.16.1.100
#   172.20.0.5 (lo)             ens160 172.16.2.1/16  <------->      -- srv2 172.16.1.101
#                                                                    -- cli  172.16.5.5
# The "public" side uses 11.0.0.0/24 (inside these namespaces only): the
# documentation ranges (198.51.100.0/24, ...) are in pppkit's egress guard,
# so they cannot play the internet here. ppp0 is a veth named like the link.
#
# The config is the user's own script imported by `pppkit firewall import`
# (tests/firewall/seed-iptables.sh), plus a drop-in that only sets
# log-group: a namespace's kernel log is suppressed (net.netfilter.
# nf_log_all_netns=0 on the host), so log lines are read from nflog group 5
# with tests/firewall/nflog_reader.py. The prefixes are the same either way.
#
# Checks: every forward reaches the right server (TCP + UDP), a full scan of
# 1-1024 plus the declared ports finds nothing else, LAN -> internet is
# masqueraded, SMB is blocked outbound, reflection works from the LAN and from
# the server itself and follows an address change, egress to 172.16.0.0/12 via
# the WAN is dropped and logged, logging is prefixed and rate-limited, and a
# bad extras file leaves the previous ruleset in force (nft listing + traffic).
# The seed's net.ipv4.ip_forward = 1 is pppkit's too: rtr starts with it off,
# apply turns it on (not a refused apply; forwarding = no leaves it off).
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fw2
NSL_PREFIX="fw2-$$-"
nsl_need nft python3 ss
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all BUILD=...)"
FW=$PPPKIT_TOP/tests/firewall
LIFE=${PPPKIT_NETNS_LIFE:-150} # every helper process ends by itself after this many seconds

# ---- topology -------------------------------------------------------------
ns_create net && nsl_seed_lan || nsl_skip "cannot create namespaces"
veth net wan0 rtr ppp0
addr net wan0 11.0.0.1/24
nsx net ip addr add 172.20.0.5/32 dev lo
nsx rtr ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip route add default via 11.0.0.1 dev ppp0
# IPv4 only, as the user's router (ipv6.disable=1): IPv6 link-local chatter
# (MLD reports, router solicitations) would otherwise spend the log budget
# the rate-limit check counts.
for n in net rtr sw srv1 srv2 cli; do nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done

# ---- listeners --------------------------------------------------------------
serve() { # NS NAME ADDR SPEC...
    local n=$1 name=$2 a=$3 log
    shift 3
    log=$NSL_TMP/srv-$name.log
    nsx "$n" timeout $((LIFE + 5)) python3 "$FW/servers.py" "$name" "$a" "$LIFE" "$@" >"$log" 2>&1 &
    NSL_PIDS+=("$!")
    wait_for 5 grep -q ready "$log" || { echo "server $name did not start: $(cat "$log")"; return 1; }
}
# the user's services, plus ports that must never be reachable from the WAN
serve srv1 srv1 0.0.0.0 tcp:443 tcp:80 tcp:25 tcp:1935 tcp:18080 tcp:8080 tcp:22 \
    udp:1701 udp:500 udp:4500 udp:53 udp:123
serve srv2 srv2 0.0.0.0 tcp:18080 tcp:443 tcp:80 udp:500
serve rtr router 0.0.0.0 tcp:22 tcp:53 udp:53 tcp:8080 tcp:631 udp:161
serve net internet 0.0.0.0 tcp:8443 tcp:445 tcp:139 tcp:135 udp:137 udp:138 udp:445 tcp:443

# ---- before the firewall: the probes can see what the firewall must hide ----
expect_answer "control: without a firewall the router's tcp/22 answers from the WAN" "router" net tcp 11.0.0.2 22
expect_answer "control: without a firewall 172.20.0.5 is reachable through ppp0" "internet" rtr tcp 172.20.0.5 443

# ---- the config: the user's script, imported ---------------------------------
CONF=$NSL_TMP/conf
"$PK" firewall import "$FW/seed-iptables.sh" --out "$CONF" >"$NSL_TMP/import.out" 2>&1
check_eq "import of the user's script exits 0" 0 $?
check "the import wrote eight forwards" test "$(grep -c '^\[forward ' "$CONF/pppkit.conf")" = 8
mkdir -p "$CONF/pppkit.d"
printf '[firewall]\nlog-group = 5\nlog-rate = 10/minute\n' >"$CONF/pppkit.d/50-test.conf"
check "pppkit check accepts the imported config" "$PK" --config "$CONF/pppkit.conf" check

LOG=$NSL_TMP/nflog.txt
nsx rtr timeout $((LIFE + 5)) python3 "$FW/nflog_reader.py" 5 "$LIFE" >"$LOG" 2>&1 &
NSL_PIDS+=("$!")
wait_for 5 grep -q ready "$LOG" || fail "nflog reader did not start: $(cat "$LOG")"

# The seed's step 2 (net.ipv4.ip_forward = 1) is pppkit's: rtr starts as
# Debian ships, forwarding off, and the LAN reaches nothing beyond it.
fwd4() { nsx rtr cat /proc/sys/net/ipv4/ip_forward; }
nsx rtr sysctl -qw net.ipv4.ip_forward=0
got=$(probe cli tcp 11.0.0.1 8443 1.5)
case $got in
internet*) fail "control: with ip_forward = 0 the LAN reached the internet ($got)" ;;
*) pass "control: with ip_forward = 0 the LAN reaches nothing beyond the router ($got)" ;;
esac
nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall apply >"$NSL_TMP/apply.out" 2>&1
check_eq "firewall apply (the boot ruleset)" 0 $?
check_eq "... then turns IPv4 forwarding on (forwarding = yes, the default)" 1 "$(fwd4)"
check "... and says so" grep -q 'IPv4 forwarding turned on (net.ipv4.ip_forward = 1)' "$NSL_TMP/apply.out"
check "firewall up ppp0 11.0.0.2 (the ip-up update)" nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall up ppp0 11.0.0.2
nsl_on_exit "ip netns exec $(ns rtr) nft delete table inet pppkit_fw"

# ---- logging: prefixes, and the rate limit --------------------------------------------
before=$(grep -c '^\[pppkit drop input\] ' "$LOG")
t0=$(date +%s.%N)
nsx net timeout 30 python3 "$FW/scan.py" 11.0.0.2 2000-2299 1 >/dev/null 2>&1 # 300 TCP + 300 UDP drops
sleep 1
after=$(grep -c '^\[pppkit drop input\] ' "$LOG")
elapsed=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN{printf "%d", e-s+1}')
logged=$((after - before))
# nft limit: burst 5, then 10/minute (one per 6 s)
max=$((5 + elapsed / 6 + 1))
if [ "$logged" -ge 5 ] && [ "$logged" -le "$max" ]; then
    pass "600 dropped probes in ${elapsed}s gave $logged log lines (limit 10/minute, burst 5: at most $max)"
else
    fail "600 dropped probes in ${elapsed}s gave $logged log lines, expected 5..$max"
fi

check "the drops are logged as '[pppkit drop input] ' with the packet" grep -q '^\[pppkit drop input\] |11.0.0.1|11.0.0.2|' "$LOG"

# ---- forwards: the right server, TCP and UDP ----------------------------------
for p in 443 80 25 1935; do
    expect_answer "WAN -> tcp/$p reaches srv1, source kept" "srv1 11.0.0.1" net tcp 11.0.0.2 "$p"
done
expect_answer "WAN -> tcp/18080 reaches srv2" "srv2 11.0.0.1" net tcp 11.0.0.2 18080
for p in 1701 500 4500; do
    expect_answer "WAN -> udp/$p reaches srv1 (echo)" "srv1 11.0.0.1 ping" net udp 11.0.0.2 "$p"
done

# ---- nothing else: a full scan from the internet --------------------------------
SPEC=1-1024,1701,1935,4500,18080,8080,3000
start=$(date +%s.%N)
nsx net timeout 60 python3 "$FW/scan.py" 11.0.0.2 "$SPEC" 2 >"$NSL_TMP/scan.txt" 2>&1
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
got=$(grep -v '^scanned' "$NSL_TMP/scan.txt" | sed 's/ answer.*/ answer/' | sort | tr '\n' ' ')
want=$(printf '%s\n' "tcp 25 open" "tcp 80 open" "tcp 443 open" "tcp 1935 open" "tcp 18080 open" \
    "udp 500 answer" "udp 1701 answer" "udp 4500 answer" | sort | tr '\n' ' ')
check_eq "scan of $(tail -n1 "$NSL_TMP/scan.txt" | cut -d' ' -f2-) ports (${secs}s): only the forwards answer" "$want" "$got"

# ---- LAN -> internet, masquerade; SMB blocked; LAN -> router services -------------
expect_answer "LAN -> internet works, the far side sees the WAN address" "internet 11.0.0.2" cli tcp 11.0.0.1 8443
expect_answer "LAN -> router tcp/22 (router-services)" "router" cli tcp 172.16.2.1 22
expect_silence "LAN -> router tcp/8080 (lan-default drop)" cli tcp 172.16.2.1 8080

# ---- reflection (hairpin) ---------------------------------------------------------
expect_answer "reflection: LAN host -> public:443 reaches srv1, connection completes" "srv1" cli tcp 11.0.0.2 443
expect_answer "reflection: srv1 -> its own public:443 (the user's WordPress case)" "srv1" srv1 tcp 11.0.0.2 443
expect_answer "reflection: LAN host -> public:18080 reaches srv2" "srv2" cli tcp 11.0.0.2 18080
expect_answer "reflection: LAN host -> public udp/500 reaches srv1" "srv1" cli udp 11.0.0.2 500

# ---- a new public address: reflection follows -----------------------------------------
nsx rtr ip addr del 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx rtr ip addr add 11.0.0.3 peer 11.0.0.1 dev ppp0
nsx rtr ip route replace default via 11.0.0.1 dev ppp0
check "firewall up ppp0 11.0.0.3 (reconnect, new address)" nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall up ppp0 11.0.0.3
check_eq "the public4 set holds only the new address" "11.0.0.3" \
    "$(nsx rtr nft -j list set inet pppkit_fw public4 | python3 -c 'import json,sys; d=json.load(sys.stdin)["nftables"]; print(" ".join(str(e) for x in d if "set" in x for e in x["set"].get("elem", [])))')"
expect_answer "reflection follows: LAN host -> new public:443 reaches srv1" "srv1" cli tcp 11.0.0.3 443
expect_silence "reflection follows: the old public address is not reflected any more" cli tcp 11.0.0.2 443
expect_answer "WAN -> new public:443 reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.3 443

# ---- egress guard: 172.16.0.0/12 through the WAN -------------------------------------
expect_silence "router -> 172.20.0.5 via ppp0 (inside 172.16.0.0/12) is dropped" rtr tcp 172.20.0.5 443
expect_silence "LAN -> 172.20.0.5 via ppp0 is dropped" cli tcp 172.20.0.5 443
wait_for 3 grep -q '^\[pppkit drop output\] |[0-9.]*|172.20.0.5|' "$LOG"
check "the router's egress to 172.20.0.5 is logged as '[pppkit drop output] '" \
    grep -q '^\[pppkit drop output\] |[0-9.]*|172.20.0.5|6|443' "$LOG"
check "the LAN's egress to 172.20.0.5 is logged as '[pppkit drop forward] '" \
    grep -q '^\[pppkit drop forward\] |172.16.5.5|172.20.0.5|6|443' "$LOG"

# ---- SMB is blocked outbound (after the egress checks: both log in forward's budget)
for p in 135 139 445; do expect_silence "LAN -> internet tcp/$p (SMB) is blocked" cli tcp 11.0.0.1 "$p"; done
for p in 137 138 445; do expect_silence "LAN -> internet udp/$p (SMB) is blocked" cli udp 11.0.0.1 "$p"; done
bad=$(cut -d'|' -f1 "$LOG" | grep -v '^ready$' | grep -cv '^\[pppkit drop \(input\|forward\|output\)\] $')
check_eq "every log line carries one of the three prefixes" 0 "$bad"

# ---- a bad extras file leaves the previous ruleset in force ---------------------------------
nsx rtr nft -s list table inet pppkit_fw >"$NSL_TMP/before.nft"
printf 'chain broken {\n        this is not nft\n}\n' >"$CONF/bad-extras.nft"
printf '[firewall]\nlog-group = 5\nlog-rate = 10/minute\nextras = %s\n' "$CONF/bad-extras.nft" >"$CONF/pppkit.d/50-test.conf"
nsx rtr sysctl -qw net.ipv4.ip_forward=0
nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall apply >"$NSL_TMP/bad.out" 2>&1
rc=$?
check_eq "a refused apply does not turn forwarding on" 0 "$(fwd4)"
nsx rtr sysctl -qw net.ipv4.ip_forward=1
if [ "$rc" -ne 0 ]; then pass "apply with a bad extras file fails (rc $rc): $(head -n1 "$NSL_TMP/bad.out")"; else fail "apply with a bad extras file succeeded"; fi
check "the error names the extras file" grep -q "bad-extras.nft" "$NSL_TMP/bad.out"
nsx rtr nft -s list table inet pppkit_fw >"$NSL_TMP/after.nft"
check "nft: the ruleset is unchanged" diff -u "$NSL_TMP/before.nft" "$NSL_TMP/after.nft"
expect_answer "traffic: WAN -> tcp/443 still reaches srv1" "srv1 11.0.0.1" net tcp 11.0.0.3 443
expect_silence "traffic: WAN -> router tcp/22 still dropped" net tcp 11.0.0.3 22
expect_answer "traffic: reflection still works" "srv1" cli tcp 11.0.0.3 443

# ---- forwarding = no: the admin keeps net.ipv4.ip_forward ---------------------------------
printf '[firewall]\nlog-group = 5\nlog-rate = 10/minute\nforwarding = no\n' >"$CONF/pppkit.d/50-test.conf"
nsx rtr sysctl -qw net.ipv4.ip_forward=0
nsx rtr "$PK" --config "$CONF/pppkit.conf" firewall apply >"$NSL_TMP/nofwd.out" 2>&1
check_eq "forwarding = no: apply exits 0" 0 $?
check_eq "... and leaves ip_forward at 0" 0 "$(fwd4)"
check "... with a warning that nothing is routed" grep -q 'warning: IPv4 forwarding is off and \[firewall\] forwarding = no' \
    "$NSL_TMP/nofwd.out"
expect_silence "... and the LAN indeed reaches nothing beyond the router" cli tcp 11.0.0.1 8443

[ -n "${FW2_DEBUG:-}" ] && { echo "--- nflog"; cat "$LOG"; nsx rtr nft list table inet pppkit_fw | grep -n "log\|limit"; }
nsl_finish
