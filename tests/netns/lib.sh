# shellcheck shell=bash
# tests/netns/lib.sh - helpers for namespace tests. Source it from a test:
#
#     . "$PPPKIT_TOP/tests/netns/lib.sh"
#     nsl_init mss                 # unique prefix, cleanup trap, root/tool checks
#     nsl_need tcpdump python3     # skip (exit 77) when a tool is missing
#
# Everything a test creates through these helpers is removed on exit (trap
# EXIT): namespaces (and so their nft tables and interfaces), background
# processes, and anything registered with nsl_on_exit. Namespace names are
# "<prefix><name>" with a per-run prefix (pk-<tag>-<pid>-; $PPPKIT_NETNS_PREFIX
# replaces "pk", to tell apart the namespaces of runs from several trees), so parallel runs
# never collide; interface names live inside the namespaces and need no prefix.
# Every wait is bounded. Network traffic stays inside the test's namespaces.
#
# Setup, checks and reporting
#   nsl_init TAG               set NSL_PREFIX, install the EXIT trap; skip unless root
#   nsl_need CMD...            skip (exit 77, reason on the last line) if a command is missing
#   nsl_skip REASON            print REASON as the last line and exit 77
#   nsl_on_exit CMD...         run CMD at cleanup (LIFO, before namespaces are deleted)
#   pass MSG / fail MSG        print "PASS: MSG" / "FAIL: MSG" and count it
#   check MSG CMD...           pass if CMD succeeds, else fail (CMD's output is shown on failure)
#   check_eq MSG WANT GOT      pass if WANT == GOT, else fail showing both
#   nsl_finish                 print "N passed, N failed" and exit 0 (all passed) or 1
#
# Topology
#   ns_create NAME             create namespace <prefix>NAME with lo up; prints nothing
#   ns NAME                    print the full namespace name of NAME
#   nsx NAME CMD...            run CMD inside namespace NAME (ip netns exec)
#   veth NS1 IF1 NS2 IF2 [MTU1 [MTU2]]  a veth pair IF1 (in NS1) <-> IF2 (in NS2), both up;
#                              MTU2 defaults to MTU1
#   addr NS IF CIDR...         add addresses (IPv6 without DAD, so they are usable at once)
#   route NS DEST VIA          add a route (IPv4 or IPv6 by the address family of VIA)
#   forwarding NS              enable IPv4 and IPv6 forwarding in NS
#
# Waiting
#   wait_for SECS CMD...       poll CMD every 0.1 s until it succeeds; 1 after SECS seconds
#
# Real TCP
#   tcp_listen NS ADDR PORT [SECS]  background python3 server on ADDR:PORT that answers
#                              "pppkit-ok" to every connection (a client's reset ends only
#                              that connection); lives at most SECS (30) s; returns once the
#                              socket is listening
#   tcp_connect NS ADDR PORT [SECS] connect from NS, read the answer; prints it, exit 0 when
#                              the server answered "pppkit-ok" (timeout SECS, default 5)
#
# A reply joining a flow (the anti-spoofing tests)
#   flow_reply NS LOCAL LPORT PEER PPORT CMD...
#                              a UDP socket in NS bound to LOCAL:LPORT (IPv4 or IPv6) sends
#                              "query" to PEER:PPORT, then CMD runs (it sends the reply, real or
#                              forged as PEER:PPORT); prints "got TEXT from ADDR" for the first
#                              datagram the socket gets within 3 s, else "nothing"
#
# SYN capture (tcpdump)
#   syn_mss CAP_NS CAP_IF PORT CMD...
#                              capture TCP to/from PORT on CAP_IF inside CAP_NS, run CMD
#                              (typically a tcp_connect), and print the MSS option of the
#                              first pure SYN seen (empty if none); CMD's failure is reported
#                              on stderr but the MSS is still printed
#   synack_mss CAP_NS CAP_IF PORT CMD...   same for the first SYN-ACK
#
# Variables: NSL_PREFIX, NSL_TMP (a private temp dir removed at exit),
# PPPKIT_BUILD and PPPKIT_TOP (from tests/run-tier.sh, or $1 and the repo top).

NSL_PASS=0
NSL_FAIL=0
NSL_PREFIX=
NSL_TMP=
NSL_NAMESPACES=()
NSL_PIDS=()
NSL_EXIT_CMDS=()

nsl_skip() {
    echo "SKIP: $*"
    exit 77
}

nsl_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || nsl_skip "needs '$c' (apt-get install it, see tests/deps.list)"
    done
}

pass() {
    NSL_PASS=$((NSL_PASS + 1))
    echo "PASS: $*"
}

fail() {
    NSL_FAIL=$((NSL_FAIL + 1))
    echo "FAIL: $*"
}

check() {
    local msg=$1 out
    shift
    if out=$("$@" 2>&1); then
        pass "$msg"
    else
        fail "$msg"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/      /'
    fi
}

# check_fails MSG CMD...: passes when CMD fails (what it printed is shown otherwise)
check_fails() {
    local msg=$1 out
    shift
    if out=$("$@" 2>&1); then
        fail "$msg"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/      /'
    else
        pass "$msg"
    fi
}

check_eq() {
    if [ "$2" = "$3" ]; then
        pass "$1 ($3)"
    else
        fail "$1: expected '$2', got '$3'"
    fi
}

nsl_finish() {
    echo "$NSL_PASS passed, $NSL_FAIL failed"
    [ "$NSL_FAIL" -eq 0 ] && exit 0
    exit 1
}

nsl_on_exit() {
    NSL_EXIT_CMDS+=("$*")
}

nsl_cleanup() {
    local i p n
    for ((i = ${#NSL_EXIT_CMDS[@]} - 1; i >= 0; i--)); do
        eval "${NSL_EXIT_CMDS[i]}" >/dev/null 2>&1 || true
    done
    for p in "${NSL_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${NSL_PIDS[@]}"; do
        # bounded: 20 x 0.1 s, then SIGKILL
        for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    for n in "${NSL_NAMESPACES[@]}"; do
        # only processes inside our own namespaces
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || true
    done
    [ -n "$NSL_TMP" ] && rm -rf "$NSL_TMP"
    return 0
}

nsl_init() {
    local tag=${1:-t}
    [ "$(id -u)" = 0 ] || nsl_skip "needs root (network namespaces)"
    nsl_need ip
    PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
    NSL_PREFIX="${PPPKIT_NETNS_PREFIX:-pk}-$tag-$$-"
    NSL_TMP=$(mktemp -d "/tmp/pppkit-$tag.XXXXXX")
    trap nsl_cleanup EXIT
    trap 'exit 130' INT TERM
}

ns() { echo "$NSL_PREFIX$1"; }

ns_create() {
    local full=$NSL_PREFIX$1
    ip netns add "$full" || return 1
    NSL_NAMESPACES+=("$full")
    ip -n "$full" link set lo up
}

nsx() {
    local n=$1
    shift
    ip netns exec "$NSL_PREFIX$n" "$@"
}

veth() {
    local n1=$NSL_PREFIX$1 i1=$2 n2=$NSL_PREFIX$3 i2=$4 m1=${5:-} m2=${6:-${5:-}}
    ip -n "$n1" link add name "$i1" type veth peer name "$i2" netns "$n2" || return 1
    [ -n "$m1" ] && ip -n "$n1" link set "$i1" mtu "$m1"
    [ -n "$m2" ] && ip -n "$n2" link set "$i2" mtu "$m2"
    ip -n "$n1" link set "$i1" up && ip -n "$n2" link set "$i2" up
}

addr() {
    local n=$NSL_PREFIX$1 dev=$2 a
    shift 2
    for a in "$@"; do
        case $a in
        *:*) ip -n "$n" -6 addr add "$a" dev "$dev" nodad || return 1 ;;
        *) ip -n "$n" addr add "$a" dev "$dev" || return 1 ;;
        esac
    done
}

route() {
    local n=$NSL_PREFIX$1
    case $3 in
    *:*) ip -n "$n" -6 route add "$2" via "$3" ;;
    *) ip -n "$n" route add "$2" via "$3" ;;
    esac
}

forwarding() {
    nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# nsl_seed_lan: the seed's router and LAN (the firewall tests): namespaces
# rtr (forwarding on, ens160 172.16.2.1/16), sw (bridge br0), srv1
# 172.16.1.100, srv2 172.16.1.101 and cli 172.16.5.5 (/16, eth0, default
# route via rtr). The caller adds the WAN side (rtr's ppp0, ...).
nsl_seed_lan() {
    local h
    for h in rtr sw srv1 srv2 cli; do ns_create "$h" || return 1; done
    veth rtr ens160 sw p-rtr || return 1
    nsx sw ip link add br0 type bridge && nsx sw ip link set br0 up && nsx sw ip link set p-rtr master br0 || return 1
    for h in srv1 srv2 cli; do
        veth "$h" eth0 sw "p-$h" && nsx sw ip link set "p-$h" master br0 || return 1
    done
    addr rtr ens160 172.16.2.1/16 && forwarding rtr || return 1
    addr srv1 eth0 172.16.1.100/16 && addr srv2 eth0 172.16.1.101/16 && addr cli eth0 172.16.5.5/16 || return 1
    for h in srv1 srv2 cli; do nsx "$h" ip route add default via 172.16.2.1 || return 1; done
}

# One real connection attempt (tests/firewall/probe.py) from namespace NS:
# prints the server's answer ("NAME PEER_IP"), or closed/refused/timeout.
probe() { # NS tcp|udp ADDR PORT [TIMEOUT [SRC]]
    nsx "$1" timeout 10 python3 "${PPPKIT_TOP:?}/tests/firewall/probe.py" "${@:2}"
}
expect_answer() { # MSG WANT_PREFIX NS PROTO ADDR PORT [SRC]: a server answers
    local msg=$1 want=$2 got
    shift 2
    got=$(probe "$1" "$2" "$3" "$4" 3 ${5:+"$5"})
    case $got in
    "$want"*) pass "$msg ($got)" ;;
    *) fail "$msg: expected '$want...', got '$got'" ;;
    esac
}
expect_silence() { # MSG NS PROTO ADDR PORT [SRC]: dropped, nothing answers
    local msg=$1 got
    shift
    got=$(probe "$1" "$2" "$3" "$4" 1.5 ${5:+"$5"})
    case $got in
    timeout) pass "$msg (dropped)" ;;
    *) fail "$msg: expected no answer (dropped), got '$got'" ;;
    esac
}

wait_for() {
    local secs=$1 i n
    shift
    n=$(awk -v s="$secs" 'BEGIN{printf "%d", s * 10}')
    for ((i = 0; i < n; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    "$@" >/dev/null 2>&1
}

# ---- real TCP ----------------------------------------------------------------
NSL_PY_SERVER='
import socket, sys, time
addr, port, life = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port)); s.listen(4096)
end = time.monotonic() + life
while time.monotonic() < end:
    s.settimeout(max(0.05, end - time.monotonic()))
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    try:
        c.sendall(b"pppkit-ok\n")
    except OSError:
        pass  # the client reset (a SYN stream closes with RST): serve the next
    finally:
        c.close()
'

NSL_PY_CLIENT='
import socket, sys
addr, port, tmo = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(tmo)
s.connect((addr, port))
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(64)
    if not chunk:
        break
    data += chunk
s.close()
print(data.decode(errors="replace").strip())
sys.exit(0 if data.strip() == b"pppkit-ok" else 1)
'

nsl_listening() { # NS PORT
    nsx "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

tcp_listen() {
    local n=$1 a=$2 p=$3 life=${4:-30}
    nsx "$n" timeout "$((${life%.*} + 2))" python3 -c "$NSL_PY_SERVER" "$a" "$p" "$life" \
        >>"$NSL_TMP/server-$1-$p.log" 2>&1 &
    NSL_PIDS+=("$!")
    wait_for 5 nsl_listening "$n" "$p"
}

tcp_connect() {
    local n=$1 a=$2 p=$3 t=${4:-5}
    nsx "$n" timeout "$((${t%.*} + 2))" python3 -c "$NSL_PY_CLIENT" "$a" "$p" "$t"
}

# ---- a reply joining a flow ------------------------------------------------------
flow_reply() { # NS LOCAL LPORT PEER PPORT CMD...
    local n=$1 local=$2 lport=$3 peer=$4 pport=$5 log
    shift 5
    log=$NSL_TMP/flow.$RANDOM.$RANDOM
    nsx "$n" timeout 10 python3 -c '
import socket, sys
local, lport, peer, pport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in local else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((local, lport))
s.sendto(b"query", (peer, pport))
print("sent", flush=True)
s.settimeout(3)
try:
    d, src = s.recvfrom(2048)
    print("got %s from %s" % (d.decode(), src[0]), flush=True)
except socket.timeout:
    print("nothing", flush=True)' "$local" "$lport" "$peer" "$pport" >"$log" 2>&1 &
    NSL_PIDS+=("$!")
    wait_for 5 grep -q sent "$log"
    "$@"
    wait_for 6 grep -Eq "^(got|nothing)" "$log"
    tail -n1 "$log"
}

# ---- SYN capture ----------------------------------------------------------------
# tcpdump -v prints "Flags [S], ... options [mss 1414,sackOK,...]" for both
# families (BPF tcp[] offsets do not work for IPv6, so the text is parsed).
nsl_capture() { # WHICH(S|S.) CAP_NS CAP_IF PORT CMD...
    local which=$1 cns=$2 cif=$3 port=$4 out pid rc
    shift 4
    out=$NSL_TMP/cap.$RANDOM.$RANDOM
    nsx "$cns" timeout 30 tcpdump -Z root -l -n -v -i "$cif" "tcp port $port" >"$out" 2>"$out.err" &
    pid=$!
    NSL_PIDS+=("$pid")
    wait_for 5 grep -q "listening on" "$out.err" || echo "syn_mss: tcpdump did not start: $(cat "$out.err")" >&2
    "$@" >"$out.cmd" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || echo "syn_mss: '$*' failed (rc $rc): $(cat "$out.cmd")" >&2
    wait_for 3 grep -q "Flags \[$which\]" "$out"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # the first matching segment: the -v output puts the flags and the options on one line
    grep -m1 "Flags \[$which\]" "$out" | sed -n 's/.*[[ ,]mss \([0-9]*\).*/\1/p'
}

syn_mss() { nsl_capture S "$@"; }
synack_mss() { nsl_capture 'S\.' "$@"; }
