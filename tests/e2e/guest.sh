# guest.sh - the library a lab guest script sources inside the VM:
#     . "$LAB_LIB"
# It runs in the VM's initial namespace, as root, after lab.sh (PID 1) built
# the namespaces isp, rtr and lan and wrote each side's /etc/ppp (nothing is
# started yet). Every wait here is bounded; every result is one line in
# $LAB_WORK/results that the host prints ("PASS|FAIL|INFO|SKIP name detail").
# Processes started here are recorded in $LAB_RUN/pids and stopped by lab.sh
# when the script ends (the router's pppd first, with SIGTERM, so plugins log
# their exit lines).
# shellcheck shell=bash

W=${LAB_WORK:?lab guest library: LAB_WORK is not set (run under lab.sh)}
LAB_FAILED=0
declare -A _LAB_CAP=()
LAB_SERVER_PID="" LAB_CLIENT_PID=""

# ---- reporting ----------------------------------------------------------------
# Time in the guest: /proc/uptime. The hot paths use only builtins: under
# TCG every exec costs tens to hundreds of milliseconds.
lab_now() { local u _; read -r u _ </proc/uptime; echo "$u"; }
_lab_cs() { local u _; read -r u _ </proc/uptime; _LAB_CS=$((10#${u/./})); }   # centiseconds
lab_since() { # T0 (from lab_now) -> seconds since, 2 decimals
    local d; _lab_cs; d=$((_LAB_CS - 10#${1/./}))
    printf '%d.%02d' $((d / 100)) $((d % 100))
}
lab_log() { echo "[$(lab_now)s] $*"; }
_lab_res() { echo "$*" >>"$LAB_RESULTS"; }
pass() { local n=$1; shift; _lab_res "PASS $n $*"; echo "PASS $n: $*"; }
fail() { local n=$1; shift; _lab_res "FAIL $n $*"; echo "FAIL $n: $*"; LAB_FAILED=1; return 1; }
info() { local n=$1; shift; _lab_res "INFO $n $*"; echo "INFO $n: $*"; }
# Ends the script as skipped (exit 77) with REASON; use only when the lab
# cannot test the thing at all, never to hide a failure.
lab_skip() { _lab_res "SKIP $*"; echo "SKIP: $*"; exit 77; }
# check NAME CMD... : PASS when CMD exits 0; the first lines of its output
# become the detail either way.
check() {
    local n=$1 out rc; shift
    out=$("$@" 2>&1); rc=$?
    out=$(printf '%s' "$out" | head -n 3 | tr '\n' ' ')
    if [ $rc -eq 0 ]; then pass "$n" "$out"; else fail "$n" "rc=$rc: $* -> $out"; fi
}
# check_eq NAME WANT GOT [WHAT]
check_eq() {
    if [ "$2" = "$3" ]; then pass "$1" "${4:+$4 }= $3"
    else fail "$1" "${4:+$4 }: want '$2', got '$3'"; fi
}
# Exit status for the end of a guest script: 1 if any check failed.
lab_done() { return "$LAB_FAILED"; }

# ---- waiting and processes -----------------------------------------------------
# wait_until SECONDS CMD... : polls CMD every 0.5 s; 1 on timeout.
wait_until() {
    local end; _lab_cs; end=$((_LAB_CS + $1 * 100)); shift
    until "$@" >/dev/null 2>&1; do
        _lab_cs; [ "$_LAB_CS" -ge "$end" ] && return 1
        sleep 0.5
    done
}
alive() { local st; { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1; st=${st##*) }; [ "${st%% *}" != Z ]; }
children_of() {
    local f line; local -a fld
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        read -r -a fld <<<"${line##*) }"
        [ "${fld[1]}" = "$1" ] && echo "${line%% *}"
    done
    return 0
}
tree_of() { local c; echo "$1"; for c in $(children_of "$1"); do tree_of "$c"; done; }

# in_ns NS CMD... : runs CMD in netns NS; in isp and rtr with that side's own
# /etc/ppp (a private mount namespace), so nft, poff or a pppkit CLI see what
# that side's pppd sees.
in_ns() {
    local ns=$1 etc=""; shift
    case $ns in isp) etc=$LAB_ISP_ETC ;; rtr) etc=$LAB_RTR_ETC ;; esac
    if [ -n "$etc" ]; then
        ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/ppp && exec "$@"' "$etc" "$@"
    else
        ip netns exec "$ns" "$@"
    fi
}
in_isp() { in_ns isp "$@"; }
in_rtr() { in_ns rtr "$@"; }
in_lan() { in_ns lan "$@"; }

# lab_bg NAME NS CMD... : starts CMD in the background in NS (as in_ns),
# output appended to logs/NAME.log; sets LAB_BG_PID to CMD's own pid (every
# wrapper execs).
lab_bg() {
    local name=$1 ns=$2 etc=""; shift 2
    case $ns in isp) etc=$LAB_ISP_ETC ;; rtr) etc=$LAB_RTR_ETC ;; esac
    if [ -n "$etc" ]; then
        ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/ppp && exec "$@"' "$etc" "$@" \
            </dev/null >>"$W/logs/$name.log" 2>&1 &
    else
        ip netns exec "$ns" "$@" </dev/null >>"$W/logs/$name.log" 2>&1 &
    fi
    LAB_BG_PID=$!
    echo "$LAB_BG_PID" >>"$LAB_RUN/pids"
}

# ---- the PPPoE link -------------------------------------------------------------
marker_count() { # SIDE EVENT : how often SIDE (rtr|isp) ran EVENT (ip-up, ip-down, ipv6-up...)
    _lab_n "$1" "$2"; echo "$_LAB_N"
}
_lab_n() { # SIDE EVENT -> _LAB_N (builtins only), _LAB_LAST (the last line)
    local f=$W/markers/$1-$2 l
    _LAB_N=0 _LAB_LAST=""
    [ -f "$f" ] || return 0
    while IFS= read -r l; do _LAB_N=$((_LAB_N + 1)) _LAB_LAST=$l; done <"$f"
}
_lab_addr() { # -> _LAB_IP, _LAB_PEERIP of the router's ppp0 (one exec)
    local -a f
    _LAB_IP="" _LAB_PEERIP=""
    read -r -a f <<<"$(ip -n rtr -4 -o addr show dev "$LAB_PPP_IF" 2>/dev/null)"
    _LAB_IP=${f[3]:-}; _LAB_IP=${_LAB_IP%%/*}
    [ "${f[4]:-}" = peer ] && _LAB_PEERIP=${f[5]%%/*}
    [ -n "$_LAB_IP" ]
}
lab_ppp_ip() { _lab_addr; echo "$_LAB_IP"; }
lab_ppp_peer() { _lab_addr; echo "$_LAB_PEERIP"; }
lab_ppp_mtu() { # [NS [IF]] : the interface MTU (default: the router's ppp0)
    local -a f; local i
    read -r -a f <<<"$(ip -n "${1:-rtr}" -o link show dev "${2:-$LAB_PPP_IF}" 2>/dev/null)"
    for ((i = 0; i < ${#f[@]} - 1; i++)); do [ "${f[i]}" = mtu ] && { echo "${f[i + 1]}"; return 0; }; done
    return 1
}
_lab_has_ip() { _lab_addr; }
_lab_gt() { _lab_n "$1" "$2"; [ "$_LAB_N" -gt "$3" ]; }

# Starts pppoe-server in isp (kernel mode when the root's rp-pppoe has it).
lab_server_start() {
    lab_bg pppoe-server isp pppoe-server -F -I isp0 -C lab-isp -S lab -L "$LAB_ISP_IP" -R "$LAB_PUBLIC_IP" \
        -N 4 -O /etc/ppp/pppoe-server-options $LAB_SRV_KOPTS
    LAB_SERVER_PID=$LAB_BG_PID
    lab_log "pppoe-server started (pid $LAB_SERVER_PID${LAB_SRV_KOPTS:+, $LAB_SRV_KOPTS})"
}
# SIGKILLs the server and every session pppd under it (no PADT, no TermReq:
# to the router it looks like a dead line).
lab_server_kill() {
    [ -n "$LAB_SERVER_PID" ] || return 0
    local v; v=$(tree_of "$LAB_SERVER_PID" | tr '\n' ' ')
    lab_log "killing the ISP side (SIGKILL): $v"
    # shellcheck disable=SC2086
    kill -KILL $v 2>/dev/null
    LAB_SERVER_PID=""
}
# Starts the router: pppd call lab nodetach, in rtr.
lab_client_start() {
    lab_bg rtr-pppd-stdout rtr pppd call lab nodetach
    LAB_CLIENT_PID=$LAB_BG_PID
    echo "$LAB_CLIENT_PID" >"$LAB_RUN/client.pid"
    lab_log "router pppd started (pid $LAB_CLIENT_PID)"
}
_lab_mark() {
    _lab_n rtr ip-up; _up0=$_LAB_N
    _lab_n isp ip-up; _isp0=$_LAB_N
    _lab_n rtr ip-down; _down0=$_LAB_N
    _t0=$(lab_now)
}
_lab_upcond() { _lab_gt rtr ip-up "$_up0" && _lab_gt isp ip-up "$_isp0" && _lab_has_ip; }
# After a dial: waits (bounded) for the next ip-up on both sides; sets
# LAB_PUBLIC (router's IPCP address), LAB_PEER, LAB_MTU_NOW, LAB_ISP_PPP_IF.
_lab_wait_up() { # NAME SECONDS
    if ! wait_until "$2" eval '_lab_upcond || ! alive "$LAB_CLIENT_PID"'; then :; fi
    if ! _lab_upcond; then
        if alive "$LAB_CLIENT_PID"; then fail "$1" "no ip-up on both sides within $2 s"
        else fail "$1" "router pppd exited: $(tail -q -n 3 "$W/logs/rtr-pppd-stdout.log" "$W/logs/rtr-pppd.log" 2>/dev/null | tr '\n' ' ')"; fi
        return 1
    fi
    _lab_addr; LAB_PUBLIC=$_LAB_IP LAB_PEER=$_LAB_PEERIP
    LAB_MTU_NOW=$(lab_ppp_mtu)
    _lab_n isp ip-up; read -r _ LAB_ISP_PPP_IF _ <<<"$_LAB_LAST"
    pass "$1" "$LAB_PPP_IF $LAB_PUBLIC peer $LAB_PEER mtu $LAB_MTU_NOW after $(lab_since "$_t0") s (ISP side $LAB_ISP_PPP_IF)"
}
# lab_up [SECONDS]: server + router, then waits for ip-up on both sides (default 60 s).
lab_up() {
    _lab_mark
    lab_server_start
    lab_client_start
    _lab_wait_up lab-up "${1:-60}"
}
# lab_dial [SECONDS]: the router only (after lab_server_start and whatever
# the test wants running before the first PADI), then waits as lab_up.
lab_dial() {
    _lab_mark
    lab_client_start
    _lab_wait_up lab-dial "${1:-60}"
}
# lab_is_up: the router's ppp0 exists and has its IPv4 address.
lab_is_up() { _lab_has_ip; }
# lab_redial [kill|hup] [SECONDS]: the line drops and pppd re-dials under persist.
#   kill: SIGKILL the ISP side, restart it; the router notices by LCP echo
#         (about 10 s) and re-dials (the realistic "the line died").
#   hup:  SIGHUP the router's pppd: it hangs up (PADT) and re-dials after
#         holdoff (a few seconds; good for many redials).
lab_redial() {
    local how=${1:-kill} t=${2:-90}
    _lab_mark
    case $how in
        kill)
            lab_server_kill
            lab_server_start ;;
        hup)
            lab_log "SIGHUP to router pppd $LAB_CLIENT_PID"
            kill -HUP "$LAB_CLIENT_PID" ;;
        *) fail lab-redial "unknown mode $how"; return 1 ;;
    esac
    if wait_until 40 _lab_gt rtr ip-down "$_down0"; then
        pass "redial-$how-down" "router ran ip-down $(lab_since "$_t0") s after the $how"
    else
        fail "redial-$how-down" "no ip-down within 40 s"; return 1
    fi
    alive "$LAB_CLIENT_PID" || { fail "redial-$how" "router pppd exited despite persist"; return 1; }
    _lab_wait_up "redial-$how-up" "$t"
}
# lab_poff [SECONDS]: poff lab; waits for the router's pppd to exit (default 30 s).
lab_poff() {
    local t=${1:-30} t0; t0=$(lab_now)
    in_rtr poff lab >>"$W/logs/poff.log" 2>&1
    if wait_until "$t" eval '! alive "$LAB_CLIENT_PID"'; then
        wait "$LAB_CLIENT_PID" 2>/dev/null
        pass lab-poff "router pppd exited $(lab_since "$t0") s after poff"
    else
        fail lab-poff "router pppd $LAB_CLIENT_PID still running ${t} s after poff"
    fi
}
# lab_client_log: the router pppd's logfile (pppd and plugin messages).
lab_client_log() { echo "$W/logs/rtr-pppd.log"; }

# lab_add_lan_host NS IP : another LAN host (netns NS, eth0 IP/16, gateway
# the router), attached to the router's LAN bridge.
lab_add_lan_host() {
    ip netns add "$1" && ip -n "$1" link set lo up &&
    ip link add eth0 netns "$1" type veth peer name "lanp-$1" netns rtr &&
    ip -n rtr link set "lanp-$1" master "$LAB_LAN_IF" up &&
    ip -n "$1" addr add "$2/${LAB_LAN_NET#*/}" dev eth0 && ip -n "$1" link set eth0 up &&
    ip -n "$1" route add default via "$LAB_LAN_GW"
}

# ---- traffic and captures -------------------------------------------------------
# capture_start NAME NS IFACE [FILTER...] : tcpdump into cap/NAME.pcap; returns
# once tcpdump listens (bounded 15 s).
capture_start() {
    local name=$1 ns=$2 ifc=$3; shift 3
    # --immediate-mode: no ring-buffer timeout (a loaded VM otherwise stops
    # tcpdump before it has read the packets); -U: written as they come
    lab_bg "cap-$name" "$ns" tcpdump -Z root --immediate-mode -U -n -i "$ifc" -w "$W/cap/$name.pcap" "$@"
    _LAB_CAP[$name]=$LAB_BG_PID
    wait_until 15 grep -q 'listening on' "$W/logs/cap-$name.log" || { fail "capture-$name" "tcpdump did not start"; return 1; }
}
# capture_wait NAME N [S] [FILTER...] : waits (default 10 s) until the capture
# holds at least N packets (matching FILTER); 1 on timeout.
capture_wait() {
    local n=$1 want=$2 t=${3:-10}; shift 2; [ $# -gt 0 ] && shift
    wait_until "$t" _lab_cap_has "$n" "$want" "$@"
}
_lab_cap_has() { local n=$1 want=$2; shift 2; [ "$(tcpdump -n -r "$W/cap/$n.pcap" "$@" 2>/dev/null | wc -l)" -ge "$want" ]; }
capture_stop() {
    local pid=${_LAB_CAP[$1]:-}
    [ -n "$pid" ] || return 0
    sleep 0.5   # a packet still on its way through the stack
    kill -INT "$pid" 2>/dev/null
    wait_until 10 eval '! alive '"$pid"
    wait "$pid" 2>/dev/null
    return 0
}
# capture_text NAME [FILTER...] : the capture as tcpdump -v text.
capture_text() { local n=$1; shift; tcpdump -n -v -r "$W/cap/$n.pcap" "$@" 2>/dev/null; }
# capture_syn_mss NAME : the MSS option of every pure SYN (no ACK) captured, one per line.
capture_syn_mss() {
    tcpdump -n -r "$W/cap/$1.pcap" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null |
        grep -o 'mss [0-9]*' | awk '{print $2}'
}
# tcp_listen NAME NS PORT : a one-shot TCP listener (busybox nc, gone after
# 60 s at most); returns once it listens (bounded 10 s).
tcp_listen() {
    lab_bg "$1" "$2" timeout 60 busybox nc -l -p "$3"
    wait_until 10 _lab_listening "$2" "$3" || { fail "listen-$1" "nothing listens on port $3 in $2"; return 1; }
}
_lab_listening() { # NS PORT
    in_ns "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$(printf %04X "$2")" '$4=="0A" && substr($2, length($2)-4)==p {f=1} END{exit !f}'
}
# tcp_connect NS ADDR PORT [SECONDS] : opens a TCP connection (bash /dev/tcp)
# and sends one line; 0 when the connection was established.
tcp_connect() {
    in_ns "$1" timeout "${4:-10}" bash -c 'exec 3<>"/dev/tcp/$0/$1" && echo "lab hello" >&3 &&
        echo "connected to $0 port $1"' "$2" "$3"
}
