#!/bin/bash
# pppkitd_probe.test.sh BUILD - pppkitd's rtnetlink view and upstream probes,
# with a "pppd" that has no pppkit plugin (a shell script: it sends no
# event, and records each SIGHUP it gets). A router namespace runs pppkitd;
# an upstream namespace sits behind the veth named ppp0 and answers ICMP and
# tcp/8080.
#   - lan-interface: the link "lanwait" waits for lan0 (absent, down, up
#     without carrier), and dials as soon as rtnetlink says it is up and running;
#   - the link "dsl": ppp0 appearing is bound to its pppd through rtnetlink,
#     its address makes the link up (no plugin event: events = 0);
#   - probes (icmp + tcp, over IPv4 and IPv6, every 2 s, 1 s timeout,
#     probe-failures = 3) succeed;
#   - the upstream is black-holed (nft drop in the upstream namespace): after
#     exactly 3 failed rounds the pppd gets one SIGHUP, logged "probe failed,
#     redial"; the upstream back: probes answer again, the count resets;
#   - the upstream answers with ICMP unreachable errors: the echo probes
#     (through IP_RECVERR) end "unreachable", not "timeout";
#   - forged ICMP errors (from an address off the path, every 5 ms, quoting an
#     echo to the target with a random id, or the old pid-derived one) while
#     the upstream answers only the echoes, 80 ms late (a python answerer, so
#     the requests are in flight when the errors come): no probe ends "unreachable", no
#     round fails, no SIGHUP (raw ICMP sockets: ping_group_range "1 0");
#   - an echo reply with the probe's id and sequence from another address
#     (the upstream rewrites its replies' source) is no answer: timeout;
#   - an address change on ppp0 and ppp0 disappearing are followed in
#     `pppkit status --json` (no plugin event).
# PPPKITD overrides the daemon (e.g. an old build, to see this test fail);
# PING_GROUP_RANGE (default "1 0": raw sockets) the router's ping_group_range.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init probe
# lib.sh's wait_for counts tries of 0.1 s; pppkit status + python3 take seconds
# on a loaded machine: here SECS is wall-clock time
wait_for() {
    local end=$((SECONDS + ${1%.*} + 1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.1
    done
}
nsl_need nft python3 ss
PPPKITD=${PPPKITD:-$build/pppkitd}
for f in "$PPPKITD" "$build/pppkit"; do
    [ -x "$f" ] || { fail "no $f (make $f)"; nsl_finish; }
done
t=$NSL_TMP
INTERVAL=2 FAILURES=3

ns_create r
ns_create u
# no automatic IPv6 link-local on the veth: the link is up when pppd's
# (here: the test's) IPv4 address is there, as with a real ppp0
nsx r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
# no ping socket for root (the kernel's default, per namespace): pppkitd's echo
# probes use raw ICMP sockets, which see every ICMP error of the interface.
# PING_GROUP_RANGE="0 0" runs the same checks on ping sockets.
nsx r sysctl -qw net.ipv4.ping_group_range="${PING_GROUP_RANGE:-1 0}"

# the "pppd": no plugin; records its argv and every SIGHUP
cat >"$t/pppd" <<EOF
#!/bin/bash
echo "\$(date +%s.%N) \$\$ \$2" >>"$t/calls"
# lanwait only shows the dial; ending as poff does (5) leaves dsl the only
# plugin-less pppd waiting for its interface
[ "\$2" = lanwait ] && exit 5
trap 'echo "\$(date +%s.%N) HUP" >>"$t/hup.\$2"' HUP
for i in \$(seq 3000); do sleep 0.1 & wait \$!; done
EOF
chmod 755 "$t/pppd"
cat >"$t/pppkit.conf" <<EOF
[link "dsl"]
probe = icmp 10.99.0.1, tcp 10.99.0.1:8080, icmp 2001:db8:99::1, tcp [2001:db8:99::1]:8086
probe-interval = ${INTERVAL}s
probe-timeout = 1s
probe-failures = $FAILURES

[link "lanwait"]
lan-interface = lan0
EOF
check "pppkit check accepts the probe keys" "$build/pppkit" check --config "$t/pppkit.conf"

ip netns exec "$(ns r)" "$PPPKITD" --config "$t/pppkit.conf" --runtime-dir "$t/run" --pppd "$t/pppd" \
    >"$t/pppkitd.log" 2>&1 &
PKD=$!
NSL_PIDS+=("$PKD")
wait_for 5 test -S "$t/run/control" || { fail "pppkitd did not start: $(cat "$t/pppkitd.log")"; nsl_finish; }

st() { "$build/pppkit" status --socket "$t/run/control" --json "$1"; }
field() { # NAME EXPR over the link l
    st "$1" | python3 -c "import json,sys; l=json.load(sys.stdin)['links'][0]; v=$2; print(*(v if isinstance(v, tuple) else (v,)))"
}
is() { [ "$(field "$1" "$2")" = "$3" ]; }

# ---- lan-interface: event-driven ----
check "lanwait: waiting for lan0 (absent)" wait_for 5 is lanwait "l['state']" waiting-for-lan
# lan0 is a veth: up without its peer up it has no carrier (not IFF_RUNNING)
nsx r ip link add lan0 type veth peer name lan0p
sleep 0.5
check_eq "lanwait: lan0 exists but is down: still waiting" waiting-for-lan "$(field lanwait "l['state']")"
nsx r ip link set lan0 up
sleep 0.5
check_eq "lanwait: lan0 up but not running (no carrier): still waiting" waiting-for-lan "$(field lanwait "l['state']")"
check_eq "lanwait: no dial yet" 0 "$(grep -c " lanwait\$" "$t/calls")"
t0=$(date +%s.%N)
nsx r ip link set lan0p up
check "lanwait: dials once lan0 is up and running" wait_for 5 grep -q " lanwait\$" "$t/calls"
t1=$(awk '$3 == "lanwait" {print $1; exit}' "$t/calls")
echo "lan0 up -> dial: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') s"

# ---- dsl: the interface and its address from rtnetlink, no plugin ----
check "dsl: dialling, no interface yet" wait_for 5 is dsl "l['state'], l['ifname']" "dialling None"
veth r ppp0 u up0
check "dsl: ppp0 bound to the link through rtnetlink" wait_for 5 is dsl "l['ifname'], l['state']" "ppp0 dialling"
nsx r ip addr add 10.99.0.2 peer 10.99.0.1 dev ppp0
nsx u ip addr add 10.99.0.1 peer 10.99.0.2 dev up0
check "dsl: up with ppp0's address, from the kernel" wait_for 5 is dsl "l['state'], l['ipv4']['local'], l['ipv4']['remote']" "up 10.99.0.2 10.99.0.1"
check_eq "dsl: no plugin event was involved" 0 "$(field dsl "l['events']")"
check_eq "dsl: kernel view in --json" "True True ['10.99.0.2/32 peer 10.99.0.1']" "$(field dsl "l['kernel']['up'], l['kernel']['running'], l['kernel']['addresses']")"

# ---- probes succeed, over IPv4 and IPv6 ----
# IPv6 on ppp0 now (as ipv6-up would follow ip-up); no DAD, so the addresses
# are usable at once
nsx r sysctl -qw net.ipv6.conf.ppp0.disable_ipv6=0
nsx r ip -6 addr add 2001:db8:99::2/64 dev ppp0 nodad
nsx u ip -6 addr add 2001:db8:99::1/64 dev up0 nodad
# python3 may take longer to start than tcp_listen's 5 s on a loaded machine
tcp_listen u 10.99.0.1 8080 300 || wait_for 30 nsl_listening u 8080 ||
    fail "the upstream's tcp/8080 listener did not start"
tcp_listen u 2001:db8:99::1 8086 300 || wait_for 30 nsl_listening u 8086 ||
    fail "the upstream's tcp/8086 (IPv6) listener did not start"
check "probes: a round answered (icmp ok, tcp ok, icmp6 ok, tcp6 ok)" wait_for $((3 * INTERVAL + 2)) is dsl \
    "tuple(x['result'] for x in l['probes']['targets'])" "ok ok ok ok"
check_eq "probes: no failure in a row" 0 "$(field dsl "l['probes']['failures_in_row']")"
out=$("$build/pppkit" status --socket "$t/run/control" dsl)
check "pppkit status (terminal) shows the probes" grep -q "probes: .*icmp 10.99.0.1 ok" <<<"$out"

# ---- black hole upstream: exactly FAILURES rounds, then one SIGHUP ----
nsx u nft add table inet blackhole
nsx u nft add chain inet blackhole in "{ type filter hook input priority -10; policy drop; }"
# neighbour discovery still passes, so IPv6 fails by timeout like IPv4 (not
# by an unreachable neighbour)
nsx u nft add rule inet blackhole in icmpv6 type "{ nd-neighbor-solicit, nd-neighbor-advert }" accept
tb=$(date +%s.%N)
check "SIGHUP sent to the pppd" wait_for $((FAILURES * INTERVAL + INTERVAL + 3)) test -s "$t/hup.dsl"
th=$(awk '{print $1; exit}' "$t/hup.dsl" 2>/dev/null)
el=$(awk -v a="$tb" -v b="${th:-0}" 'BEGIN{printf "%.2f", b - a}')
echo "black hole -> SIGHUP: $el s (interval $INTERVAL s, timeout 1 s, probe-failures $FAILURES)"
# the rounds that failed before it: 1 of 3, 2 of 3, then the redial
check_eq "rounds failed before the redial" "1 2" "$(grep -o "probe round failed ([0-9]* of $FAILURES" "$t/pppkitd.log" | awk '{print $4}' | tr -d '(' | tr '\n' ' ' | sed 's/ $//')"
check "logged: probe failed, redial" grep -q "dsl: probe failed, redial: no target answered through ppp0 in $FAILURES rounds in a row (icmp 10.99.0.1 timeout, tcp 10.99.0.1:8080 timeout, icmp 2001:db8:99::1 timeout, tcp \[2001:db8:99::1\]:8086 timeout); SIGHUP to pppd" "$t/pppkitd.log"
# FAILURES rounds: the first failed round starts within one interval of the
# black hole, the last ends one timeout (1 s) after its start: FAILURES - 1
# intervals + 1 s at least, FAILURES intervals + 1 s at most; 2 s of slack for
# a loaded machine (the trap's date runs after the signal)
lo=$(( (FAILURES - 1) * INTERVAL )) hi=$(( FAILURES * INTERVAL + 1 + 2 ))
check "the SIGHUP came after $FAILURES intervals ($lo-$hi s): $el s" awk -v e="$el" -v lo="$lo" -v hi="$hi" 'BEGIN{exit !(e >= lo && e <= hi)}'
check_eq "exactly one SIGHUP" 1 "$(wc -l <"$t/hup.dsl")"
check_eq "status: one probe redial" 1 "$(field dsl "l['probes']['redials']")"
nsx u nft delete table inet blackhole
check "upstream back: probes answer again (all four)" wait_for $((2 * INTERVAL + 2)) is dsl \
    "l['probes']['failures_in_row'], *(x['result'] for x in l['probes']['targets'])" "0 ok ok ok ok"
check "logged: probes answer again" grep -q "dsl: probes answer again on ppp0" "$t/pppkitd.log"

# ---- the upstream refuses with ICMP errors: each probe says so at once ----
# ICMP host / address unreachable to the echo requests, to the SYNs as well.
# Read through IP_RECVERR, an echo probe ends at once as "unreachable";
# without it the echo probes wait for the timeout and end as "timeout".
# The upstream sends every error: its kernel rate-limits ICMP errors per
# destination (icmp_ratelimit, 1 s), and a limited one would end its probe as
# a timeout. One transaction: no round sees half of the rules.
nsx u sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
nsx u nft -f - <<'EOT'
table inet refuse {
    chain in {
        type filter hook input priority -10; policy accept;
        meta l4proto icmp reject with icmp type host-unreachable
        icmpv6 type echo-request reject with icmpv6 type addr-unreachable
        tcp dport { 8080, 8086 } reject with icmpx type host-unreachable
    }
}
EOT
# A TCP probe may still end as a timeout: the kernel drops an ICMP error that
# arrives while connect() holds the socket (a slow, e.g. sanitized, daemon),
# and the SYN's first retransmission comes after the 1-s probe-timeout.
icmp_results() { field dsl "l['probes']['targets'][0]['result'], l['probes']['targets'][2]['result']"; }
check "ICMP errors: the next round's echo probes (IPv4, IPv6) end unreachable" wait_for $((INTERVAL + 3)) \
    eval '[ "$(icmp_results)" = "unreachable unreachable" ]'
# the round ends (and is logged) once its TCP probes ended too
check "logged: the round failed with the ICMP errors" wait_for 3 grep -Eq "dsl: probe round failed \([12] of $FAILURES in a row\) on ppp0: icmp 10.99.0.1 unreachable, tcp 10.99.0.1:8080 (unreachable|timeout), icmp 2001:db8:99::1 unreachable, tcp \[2001:db8:99::1\]:8086 (unreachable|timeout)" "$t/pppkitd.log"
nsx u nft delete table inet refuse
echo "the round's results: $(grep -o 'probe round failed ([12] of [0-9]* in a row) on ppp0: icmp 10.99.0.1 unreachable.*' "$t/pppkitd.log" | tail -n 1)"
check "upstream back again: probes answer, the count resets" wait_for $((2 * INTERVAL + 2)) is dsl \
    "l['probes']['failures_in_row'], *(x['result'] for x in l['probes']['targets'])" "0 ok ok ok ok"
check_eq "still exactly one SIGHUP (one failed round is not a redial)" 1 "$(wc -l <"$t/hup.dsl")"

# ---- forged ICMP errors from off the path: no probe ends, no redial ----
# The upstream answers only the echoes (TCP dropped): a round fails only if the
# echo probes do. A host that is not on the path (10.99.0.66, 2001:db8:99::66)
# sends ICMP host / address unreachable to the router every 5 ms, each quoting
# an echo request from the router to the target: half with a random id, half
# with the id the old pppkitd used for its whole life ((pid << 4 ^ target) &
# 0xffff), random sequences. The old daemon ended the echo probes at once as
# "unreachable" on any such error: 3 failed rounds, a SIGHUP, a redial.
nsx u ip -6 addr add 2001:db8:99::66/64 dev up0 nodad
nsx u nft add table inet droptcp
nsx u nft add chain inet droptcp in "{ type filter hook input priority -10; policy accept; }"
nsx u nft add rule inet droptcp in tcp dport "{ 8080, 8086 }" drop
cat >"$t/forge.py" <<'EOP'
# forge.py SECS PID MODE: answer the router's echoes 80 ms late, as a real
# upstream does (the kernel's own replies are off: icmp_echo_ignore_all; no
# netem here), so an echo request is in flight long enough for a forged error
# to arrive first; MODE forge: also send the forged errors every 5 ms.
import random, select, socket, struct, sys, time
secs, pid, forge = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "forge"
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def echo(t, ident, seq, v4, payload=b"pppkit-p"):
    h = struct.pack("!BBHHH", t, 0, 0, ident, seq) + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:] if v4 else h
s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s6.bind(("2001:db8:99::66", 0))
a4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)  # the upstream's answers
a4.bind(("10.99.0.1", 0))
a6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
a6.bind(("2001:db8:99::1", 0))
src4, me4, tgt4 = (socket.inet_aton(a) for a in ("10.99.0.66", "10.99.0.2", "10.99.0.1"))
me6, tgt6 = (socket.inet_pton(socket.AF_INET6, a) for a in ("2001:db8:99::2", "2001:db8:99::1"))
n, answered, later, end, latest = 0, 0, [], time.time() + secs, 0.0
# answer 2 s more: a probe sent in the last second is answered too, and the
# answerer overlaps the forger that the test starts after it (a round the
# test's own upstream left unanswered would fail, and the checks below would
# count it: under load, python's start left such a gap, the CI run's
# SANITIZE=1 step)
answer_end = end + 2
while time.time() < answer_end:
    for r in select.select([a4, a6], [], [], 0.005)[0]:
        pkt, frm = r.recvfrom(2000)
        if r is a4:
            ihl = (pkt[0] & 15) * 4
            if pkt[16:20] == tgt4 and pkt[ihl] == 8:
                i, q = struct.unpack("!HH", pkt[ihl + 4:ihl + 8])
                later.append((time.time() + 0.08, a4, echo(0, i, q, True, pkt[ihl + 8:]), frm))
        elif pkt[0] == 128:
            i, q = struct.unpack("!HH", pkt[4:8])
            later.append((time.time() + 0.08, a6, echo(129, i, q, False, pkt[8:]), frm))
    now = time.time()
    for x in [x for x in later if x[0] <= now]:
        x[1].sendto(x[2], x[3])
        later.remove(x)
        answered += 1
        latest = max(latest, now - x[0] + 0.08)
    if not forge or now >= end:
        continue
    for target in (0, 2):  # the echo targets' indexes in the probe list
        ident = random.getrandbits(16) if n % 2 else ((pid << 4) ^ target) & 0xffff
        seq = random.getrandbits(16)
        # IPv4: unreachable (type 3 code 1) quoting router -> target echo request
        q = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 36, 0, 0, 64, 1, 0, me4, tgt4)
        q = q[:10] + struct.pack("!H", csum(q)) + q[12:] + echo(8, ident, seq, True)
        icmp = struct.pack("!BBHI", 3, 1, 0, 0) + q
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0, src4, me4)
        s4.sendto(ip + icmp, ("10.99.0.2", 0))
        # IPv6: destination unreachable, address unreachable (type 1 code 3)
        q6 = struct.pack("!IHBB16s16s", 6 << 28, 16, 58, 64, me6, tgt6) + echo(128, ident, seq, False)
        s6.sendto(struct.pack("!BBHI", 1, 3, 0, 0) + q6, ("2001:db8:99::2", 0))
    n += 1
print(answered, "echoes answered 80 ms late (the latest after %.0f ms)," % (latest * 1000), n * 2, "forged errors of each family")
EOP
# the control: the late answers alone keep the echo probes ok
nsx u sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
secs=$((2 * INTERVAL + 2))
ip netns exec "$(ns u)" python3 "$t/forge.py" "$secs" "$PKD" answer >"$t/forge.out" 2>&1 &
FORGE=$!
NSL_PIDS+=("$FORGE")
late_ok() { field dsl "*(l['probes']['targets'][i]['result'] for i in (0, 2)), (l['probes']['targets'][0]['rtt_ms'] or 0) >= 80"; }
check "forgery control: answered 80 ms late (no forgery), the echo probes are ok" wait_for "$secs" \
    eval '[ "$(late_ok)" = "ok ok True" ]'
fails0=$(grep -c "dsl: probe round failed" "$t/pppkitd.log")
secs=$((3 * INTERVAL + 2))
# the forger starts while the answerer still answers (its 2 s more): no
# round without an upstream between the two
ANSWERER=$FORGE
ip netns exec "$(ns u)" python3 "$t/forge.py" "$secs" "$PKD" forge >"$t/forge2.out" 2>&1 &
FORGE=$!
NSL_PIDS+=("$FORGE")
seen=""
end=$((SECONDS + secs))
while [ "$SECONDS" -lt "$end" ]; do
    seen+=" $(icmp_results)"
    sleep 0.2
done
wait "$ANSWERER"
echo "answerer: $(cat "$t/forge.out")"
wait "$FORGE"
echo "forger: $(cat "$t/forge2.out")"
check "forgery: the forger ran" grep -q "forged errors" "$t/forge2.out"
check "forgery: the echo probes never ended unreachable (results seen:$(tr ' ' '\n' <<<"$seen" | grep . | sort | uniq -c | tr -s ' \n' ' '))" \
    eval '! grep -q unreachable <<<"$seen"'
check_eq "forgery: no probe round failed" "$fails0" "$(grep -c "dsl: probe round failed" "$t/pppkitd.log")"
grep "dsl: probe round failed" "$t/pppkitd.log" | tail -n +"$((fails0 + 1))" | sed 's/^/forgery: a failed round: /'
check_eq "forgery: still exactly one SIGHUP (no redial)" 1 "$(wc -l <"$t/hup.dsl")"
check_eq "forgery: status: still one probe redial" 1 "$(field dsl "l['probes']['redials']")"
nsx u sysctl -qw net.ipv4.icmp_echo_ignore_all=0 net.ipv6.icmp.echo_ignore_all=0
nsx u nft delete table inet droptcp
check "forgery over: all four probes answer" wait_for $((2 * INTERVAL + 2)) is dsl \
    "l['probes']['failures_in_row'], *(x['result'] for x in l['probes']['targets'])" "0 ok ok ok ok"

# ---- a forged echo reply: our id and sequence, but not from the target ------------------------------
# The upstream rewrites the source of its own replies to 10.99.0.1's echoes
# (10.99.0.5: as anyone on the path who saw the request could forge one).
# The old daemon counted any echo reply with its id and sequence as the
# target's answer.
nsx u nft -f - <<'EOT'
table ip forge {
    chain out {
        type filter hook output priority 0; policy accept;
        ip saddr 10.99.0.1 icmp type echo-reply ip saddr set 10.99.0.5
    }
}
EOT
check "forged reply: the echo probe of 10.99.0.1 ends timeout when the reply comes from 10.99.0.5" \
    wait_for $((2 * INTERVAL + 3)) is dsl "l['probes']['targets'][0]['result'], l['probes']['targets'][1]['result']" \
    "timeout ok"
nsx u nft delete table ip forge
check "forged reply: gone, the echo probe answers again" wait_for $((2 * INTERVAL + 2)) is dsl \
    "l['probes']['targets'][0]['result']" "ok"

# ---- address change and the interface gone, from rtnetlink ----
nsx r ip addr add 10.99.0.3/32 dev ppp0
nsx r ip addr del 10.99.0.2 peer 10.99.0.1 dev ppp0
check "address change followed: ipv4.local 10.99.0.3, still up" wait_for 5 is dsl "l['ipv4']['local'], l['state']" "10.99.0.3 up"
nsx r ip link del ppp0
check "ppp0 gone: no ifname, no address, the link is down (dialling)" wait_for 5 is dsl \
    "l['ifname'], l['ipv4']['local'], l['state'], l['kernel']" "None None dialling None"
check "logged: interface ppp0 is gone" grep -q "dsl: interface ppp0 is gone" "$t/pppkitd.log"
check "pppkitd is still running" kill -0 "$PKD"
nsl_finish
