#!/bin/bash
# pppkitd_online.test.sh BUILD - boot ordering across hosts (issue 8 section 7),
# with real namespaces: a router namespace "r" runs pppkitd, which starts the
# fake pppd host (tests/load/fake_pppd) with pppkit-mss.so as "pppd call dsl
# nodetach"; a LAN namespace (192.168.1.0/24 on r's lan0) and a WAN namespace
# (203.0.113.0/24 on r's wan0, routed to the LAN through r).
#   - online only after the MSS plugin said its elements are in place
#     (the Applied message follows the ip-up message; the status says so);
#   - [pppkitd] status-listen = 192.168.1.1 (the default port; and an address
#     r does not have, retried): the default port is below 1024, so that
#     nobody cannot bind it first (the old 8639: anyone could), and `pppkit
#     check` warns about a port from 1024 up; `pppkit wait-online --remote
#     192.168.1.1 dsl` (the client's default port) from the
#     LAN returns 0 while the link is up; while it is down it times out (1)
#     after --timeout, and one started while down returns 0 once the link is
#     back; the local `pppkit wait-online` does the same over the control socket;
#   - the WAN side cannot connect: neither to 203.0.113.1:PORT nor to the LAN
#     address 192.168.1.1:PORT routed through r (the listener is bound to
#     lan0, so r's weak host model does not answer it on wan0);
#   - a burst of 30 questions from one LAN host: the first 5 are answered,
#     then "busy"; other requests (not "online NAME") get "error"; eleven
#     LAN addresses flooding do not make another host's answers "busy"
#     (a bucket per source; the overall one above what they take);
#   - connections that send nothing: at most 2 per client address are held
#     (a third is answered "busy" at once), each closed unanswered after the
#     500 ms to ask; fourteen addresses of one host holding them do not make
#     another host's answers "busy" (the old daemon: 2 s, no cap, slots full);
#   - outside systemd: "not running under systemd" logged once;
#   - a reload with another status-listen closes the old listener and binds
#     the new one; a reload without status-listen closes it;
#   - a status-listen address on ppp0 (a veth to the WAN namespace) is not
#     bound there (logged once, retried): the WAN gets no answer; moved to
#     lan0 it is bound at the next retry and the LAN is answered;
#   - a reload that makes that bound interface WAN ([firewall] wan = lan0)
#     closes the listener (not bound again while it is WAN); taken back, it is
#     bound again.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init pko
nsl_need gcc python3 nft
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
for f in pppkitd pppkit pppkit-mss.so; do
    [ -e "$build/$f" ] || { fail "no $build/$f (make $build/$f)"; nsl_finish; }
done
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
t=$NSL_TMP
ns_create r
ns_create lan
ns_create wan
veth r lan0 lan lan1
veth r wan0 wan wan1
addr r lan0 192.168.1.1/24
addr lan lan1 192.168.1.10/24
addr r wan0 203.0.113.1/24
addr wan wan1 203.0.113.2/24
route wan 192.168.1.0/24 203.0.113.1
route lan 0.0.0.0/0 192.168.1.1
forwarding r

# the link comes up once the test touches up.N (N: the dial), goes down at down.N
cat >"$t/gate" <<EOF
#!/bin/sh
for i in \$(seq 1200); do [ -e "$t/\$1" ] && exit 0; sleep 0.1; done
EOF
chmod 755 "$t/gate"
cat >"$t/pppd" <<EOF
#!/bin/sh
echo "\$(date +%s.%N) \$\$ \$2" >>"$t/calls"
n=\$(grep -c " \$2\$" "$t/calls")
export PPPKIT_EVENT_SOCKET=$t/run/event
exec "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$t/pppkit.conf" phase 1 phase 4 \\
    sh "$t/gate up.\$n" ifname ppp0 mtu 1454 local4 198.51.100.\$((9 + n)) phase 7 ip-up phase 8 \\
    sh "$t/gate down.\$n" ip-down phase 9 phase 0 exit 0
EOF
chmod 755 "$t/pppd"
cat >"$t/pppkit.conf" <<EOF
[mss]
[pppkitd]
status-listen = 192.168.1.1, 192.168.1.254

[link "dsl"]
backoff-floor = 1s
backoff-ceiling = 1s
EOF
nsl_on_exit "touch $t/up.1 $t/down.1 $t/up.2 $t/down.2 $t/up.3 $t/down.3"
out=$("$build/pppkit" check --config "$t/pppkit.conf" 2>&1)
check_eq "pppkit check accepts [pppkitd] status-listen" 0 "$?"
check_fails "  ... with no warning on the default port" grep -q "status-listen" <<<"$out"
printf '[pppkitd]\n\nstatus-listen = 192.168.1.1:8639\n' >"$t/warn.conf"
out=$("$build/pppkit" check --config "$t/warn.conf" 2>&1)
check_eq "pppkit check: an unprivileged port is taken (exit 0)" 0 "$?"
check "  ... with a warning, file:line" grep -qF \
    "$t/warn.conf:3: [pppkitd] status-listen: port 8639 is unprivileged: any local user can bind it first (got '192.168.1.1:8639')" \
    <<<"$out"
printf '[pppkitd]\nstatus-listen = 0.0.0.0:8639\n' >"$t/bad.conf"
out=$("$build/pppkit" check --config "$t/bad.conf" 2>&1)
check "pppkit check: a wildcard status-listen refused with file:line" \
    grep -q "^$t/bad.conf:2: \[pppkitd\] status-listen: .*a LAN address" <<<"$out"

nsx r "$build/pppkitd" --config "$t/pppkit.conf" --runtime-dir "$t/run" --pppd "$t/pppd" >"$t/pppkitd.log" 2>&1 &
NSL_PIDS+=($!)
st() { "$build/pppkit" status --socket "$t/run/control" --json dsl; }
field() { st | python3 -c "import json,sys; l=json.load(sys.stdin)['links'][0]; print($1)"; }
remote() { nsx "$1" "$build/pppkit" wait-online --remote "$2" dsl --timeout "$3"; }
check "pppkitd listens on 192.168.1.1 (the default port)" wait_for 10 grep -q "status-listen 192.168.1.1:[0-9]* on lan0" "$t/pppkitd.log"
port=$(sed -n 's/.*status-listen 192\.168\.1\.1:\([0-9]*\) on lan0.*/\1/p' "$t/pppkitd.log" | head -n 1)
port=${port:-0}
check "  ... the default port ($port) is below 1024" test "$port" -gt 0 -a "$port" -lt 1024
check "  ... no warning for it" sh -c "! grep -q 'is unprivileged' '$t/pppkitd.log'"
# a local user cannot take it: a squatter started before pppkitd binds the
# port first (here on 127.0.0.1: 192.168.1.1:PORT is pppkitd's by now)
squat() { # USER: 0 when USER can bind a TCP socket to port $port in r
    nsx r setpriv --reuid="$1" --regid="$1" --clear-groups /usr/bin/python3 -c "
import socket
s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>>"$t/squat.err"
}
check_fails "  ... nobody cannot bind the default port (it would answer the LAN first)" squat 65534
check "  ... root can (the check can fail)" squat 0
check "an address r does not have: logged, retried" grep -q "status-listen 192.168.1.254:$port: cannot listen" "$t/pppkitd.log"
check_eq "outside systemd: said once" 1 "$(grep -c 'not running under systemd' "$t/pppkitd.log")"

# ---- dialling, not up yet: offline everywhere ----
check "dsl dialling" wait_for 10 grep -q " dsl$" "$t/calls"
check_eq "status: online not reached while dialling" False "$(field "l['online']['reached']")"
start=$(date +%s.%N)
remote lan 192.168.1.1 2 >"$t/w1.out" 2>&1
rc=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b - a}')
check_eq "wait-online --remote from the LAN while dialling: exit 1 (timeout)" 1 "$rc"
check "  ... after the 2 s timeout, not before (took $took s)" awk -v t="$took" 'BEGIN{exit !(t >= 1.9 && t < 6)}'
"$build/pppkit" wait-online dsl --socket "$t/run/control" --timeout 1 >/dev/null 2>&1
check_eq "wait-online (local) while dialling: exit 1" 1 "$?"

# ---- up: a waiter started before the link comes up returns 0 ----
remote lan 192.168.1.1 20 >"$t/w2.out" 2>&1 &
waiter=$!
sleep 1.5
touch "$t/up.1"
wait "$waiter"
check_eq "wait-online --remote started while down returns 0 once the link is up" 0 "$?"
check_eq "status: online reached, nothing pending" "True [] []" \
    "$(field "l['online']['reached'], l['online']['waiting_for'], l['online']['failed']")"
check_eq "status: the target" "pppkit-online@dsl.target" "$(field "l['online']['target']")"
up_line=$(grep -n "dsl: IPv4 up on ppp0" "$t/pppkitd.log" | head -1 | cut -d: -f1)
on_line=$(grep -n "dsl: online: up on ppp0, firewall and MSS in place" "$t/pppkitd.log" | head -1 | cut -d: -f1)
check "online is logged after ip-up (lines ${up_line:-none} < ${on_line:-none})" test "${up_line:-0}" -gt 0 -a "${on_line:-0}" -gt "${up_line:-0}"
check "the MSS elements of ppp0 are in the table" sh -c "ip netns exec $(ns r) nft list table inet pppkit_mss | grep -q ppp0"
out=$("$build/pppkit" status --socket "$t/run/control" dsl)
check "pppkit status (terminal): online target reached" grep -q "online: pppkit-online@dsl.target reached since" <<<"$out"
check "wait-online (local) while up: exit 0" "$build/pppkit" wait-online dsl --socket "$t/run/control" --timeout 2
check "wait-online (local, every autostart link) while up: exit 0" \
    "$build/pppkit" wait-online --socket "$t/run/control" --timeout 2
check "wait-online --remote from the LAN while up: exit 0" remote lan 192.168.1.1:$port 3
check "wait-online --remote: a link the router does not have times out (1)" \
    sh -c "! ip netns exec $(ns lan) $build/pppkit wait-online --remote 192.168.1.1 nosuch --timeout 1"

# ---- the WAN side cannot connect ----
wan_connect() { # ADDR PORT: 0 when a TCP connection to ADDR:PORT from the WAN namespace is accepted
    nsx wan python3 -c "import socket,sys; s=socket.create_connection(('$1', $2), timeout=3); sys.exit(0)" 2>>"$t/wan.err"
}
wan_refused() { ! wan_connect "$1" "$port"; }
check "from the WAN, 192.168.1.1:$port (routed through r) is refused" wan_refused 192.168.1.1
check "from the WAN, 203.0.113.1:$port is refused" wan_refused 203.0.113.1
check_eq "wait-online --remote from the WAN: exit 1" 1 "$(remote wan 192.168.1.1 2 >/dev/null 2>&1; echo $?)"
# control: the same WAN host reaches a LAN-address socket r binds without a device
nsx r python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('192.168.1.1', 8640)); s.listen(4)
time.sleep(20)" &
NSL_PIDS+=($!)
wait_for 10 sh -c "ip netns exec $(ns r) ss -ltn | grep -q 192.168.1.1:8640"
check "control: without SO_BINDTODEVICE the WAN would reach 192.168.1.1" wan_connect 192.168.1.1 8640

# ---- only "online NAME"; rate-limited ----
ask() { # NS REQUEST: the answer
    nsx "$1" python3 -c "
import socket,sys
s=socket.create_connection(('192.168.1.1', $port), timeout=3); s.sendall(sys.argv[1].encode()); print(s.recv(64).decode(), end='')" "$2"
}
sleep 3  # the bucket refills (2 a second, 5 at most)
check_eq "a request that is not 'online NAME' gets 'error'" error "$(ask lan 'status dsl
')"
check_eq "'online NAME' for an unknown link gets 'unknown'" unknown "$(ask lan 'online nosuch
')"
sleep 3
nsx lan python3 -c "
import socket
out=[]
for i in range(30):
    s=socket.create_connection(('192.168.1.1', $port), timeout=3); s.sendall(b'online dsl\n')
    out.append(s.recv(64).decode().strip()); s.close()
print(' '.join(out))" >"$t/burst"
read -ra burst <"$t/burst"
check_eq "a burst of 30: the first 5 answered 'online'" "online online online online online" "${burst[*]:0:5}"
check "  ... then 'busy' (got: $(sort "$t/burst" | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '))" \
    test "$(tr ' ' '\n' <"$t/burst" | grep -c busy)" -ge 20
check "  ... logged once as rate-limited" grep -q "status-listen: rate-limited a client (192.168.1.10" "$t/pppkitd.log"

# eleven other LAN addresses flood (5 questions a second each): each is held
# to its own bucket (2 a second), and 192.168.1.10 is still answered. The old
# daemon's overall bucket (10 a second) was used up by them: "busy" for all.
for i in $(seq 101 111); do ip -n "$(ns lan)" addr add "192.168.1.$i/24" dev lan1; done
sleep 3  # 192.168.1.10's bucket refills after the burst
nsx lan python3 - "$port" "$t/flood" <<'PY' &
import socket, sys, threading, time
port, out = int(sys.argv[1]), sys.argv[2]
end = time.time() + 6
got = {}
def flood(src):
    n = {}
    while time.time() < end:
        try:
            s = socket.socket(); s.settimeout(3); s.bind((src, 0)); s.connect(("192.168.1.1", port))
            s.sendall(b"online dsl\n"); a = s.recv(64).decode().strip(); s.close()
        except OSError:
            a = "failed"
        n[a] = n.get(a, 0) + 1
        time.sleep(0.2)
    got[src] = n
ts = [threading.Thread(target=flood, args=("192.168.1.%d" % i,)) for i in range(101, 112)]
for x in ts:
    x.start()
for x in ts:
    x.join()
with open(out, "w") as f:
    f.write(" ".join("%s=%d" % (k, v) for k, v in sorted(
        (k, sum(d.get(k, 0) for d in got.values())) for k in ("online", "busy", "failed"))) + "\n")
PY
flooder=$!
sleep 1.5
nsx lan python3 - "$port" >"$t/other" <<'PY'
import socket, sys, time
out = []
for i in range(8):
    try:
        s = socket.socket(); s.settimeout(3); s.bind(("192.168.1.10", 0)); s.connect(("192.168.1.1", int(sys.argv[1])))
        s.sendall(b"online dsl\n"); out.append(s.recv(64).decode().strip()); s.close()
    except OSError:
        out.append("failed")
    time.sleep(0.4)
print(" ".join(out))
PY
wait "$flooder"
check "eleven LAN addresses flooding are held to their own buckets (answers: $(cat "$t/flood"))" \
    grep -q "busy=[1-9]" "$t/flood"
check_eq "  ... while another LAN host is answered each time" \
    "online online online online online online online online" "$(cat "$t/other")"
for i in $(seq 101 111); do ip -n "$(ns lan)" addr del "192.168.1.$i/24" dev lan1; done

# ---- connections that send nothing: at most 2 per address, 500 ms each ----
# Each accepted connection holds one of 32 slots until it asked. The old
# daemon let one address hold any number, for 2 s: one LAN host with 14
# addresses, each holding 3 connections that send nothing, kept the slots full
# and another host was answered "busy" (6 of 8 tries in the review).
for i in $(seq 121 134) 140; do ip -n "$(ns lan)" addr add "192.168.1.$i/24" dev lan1; done
sleep 3 # 192.168.1.10's bucket refills
# one address opens 3 at once and sends nothing: 2 are held (closed unanswered
# after the time to ask), the third is answered "busy" at once
nsx lan python3 - "$port" >"$t/idle3" <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(3):
    s = socket.socket(); s.settimeout(3); s.bind(("192.168.1.140", 0)); s.connect(("192.168.1.1", port))
    socks.append((s, time.time()))
got = {}
while len(got) < 3 and time.time() < socks[0][1] + 4:
    r, _, _ = select.select([s for s, _ in socks if s not in got], [], [], 0.02)
    for s in r:
        try:
            a = s.recv(64).decode().strip() or "closed"
        except OSError:
            a = "failed"
        got[s] = "%s:%.2f" % (a, time.time() - dict(socks)[s])
print(" ".join(got.get(s, "open:4") for s, _ in socks))
PY
read -ra idle3 <"$t/idle3"
check "one address, 3 idle connections: the first 2 held, closed unanswered after 0.4-1.2 s (got: ${idle3[*]})" \
    awk -v a="${idle3[0]:-}" -v b="${idle3[1]:-}" 'BEGIN{split(a, x, ":"); split(b, y, ":");
        exit !(x[1] == "closed" && y[1] == "closed" && x[2] >= 0.4 && x[2] <= 1.2 && y[2] >= 0.4 && y[2] <= 1.2)}'
check "  ... the third (beyond the cap of 2) answered 'busy' at once (got: ${idle3[2]:-none})" \
    awk -v c="${idle3[2]:-}" 'BEGIN{split(c, z, ":"); exit !(z[1] == "busy" && z[2] < 0.3)}'
# fourteen addresses of one LAN host each keep 3 connections open that send
# nothing (a closed one is opened again 0.3 s later), for 6 s
nsx lan python3 - "$port" "$t/idle" <<'PY' &
import select, socket, sys, threading, time
port, out = int(sys.argv[1]), sys.argv[2]
end = time.time() + 6
res = {}
def idle(src):
    held, busy, other, most = [], 0, 0, 0  # held: (socket, start) of the connections open
    intervals, next_open = [], 0.0
    while time.time() < end:
        now = time.time()
        if len(held) < 3 and now >= next_open:
            try:
                s = socket.socket(); s.settimeout(2); s.bind((src, 0)); s.connect(("192.168.1.1", port))
                s.setblocking(False); held.append((s, now))
            except OSError:
                other += 1
                next_open = now + 0.3
            continue
        r, _, _ = select.select([s for s, _ in held], [], [], 0.02)
        for s in r:
            t0 = next(t for x, t in held if x is s)
            try:
                a = s.recv(64).decode().strip()
            except OSError:
                a = "reset"
            held = [(x, t) for x, t in held if x is not s]
            s.close()
            if a == "busy":
                busy += 1
            elif a == "":
                intervals.append((t0, time.time()))  # held a slot until the server closed it
            else:
                other += 1
            next_open = time.time() + 0.3
    for s, _ in held:
        s.close()  # still open: not known to be held (it may be in the backlog)
    # the most connections of this address held at once, as the server saw
    # them. Neither end of a hold is seen here: the accept may come long
    # after the connect (a full backlog while the listener's 100 a second
    # are used up), and the close is seen a little after it was made. But a
    # hold lasts 500 ms at least and ends when its close is seen at the
    # latest, so the server held the connection from 0.4 s to 0.1 s before
    # that: those stretches overlapping are connections held together.
    held_in = [(b - 0.4, b - 0.1) for _, b in intervals]
    for a0, _ in held_in:
        most = max(most, sum(1 for a, b in held_in if a <= a0 < b))
    res[src] = (busy, other, most)
ts = [threading.Thread(target=idle, args=("192.168.1.%d" % i,)) for i in range(121, 135)]
for x in ts:
    x.start()
for x in ts:
    x.join()
with open(out, "w") as f:
    f.write("busy=%d other=%d most_held=%d\n" % (sum(v[0] for v in res.values()), sum(v[1] for v in res.values()),
                                                  max(v[2] for v in res.values())))
PY
idler=$!
sleep 1.5
nsx lan python3 - "$port" >"$t/other2" <<'PY'
import socket, sys, time
out = []
for i in range(8):
    try:
        s = socket.socket(); s.settimeout(3); s.bind(("192.168.1.10", 0)); s.connect(("192.168.1.1", int(sys.argv[1])))
        s.sendall(b"online dsl\n"); out.append(s.recv(64).decode().strip() or "closed"); s.close()
    except OSError:
        out.append("failed")
    time.sleep(0.4)
print(" ".join(out))
PY
wait "$idler"
check_eq "14 addresses holding idle connections: another LAN host is answered each time" \
    "online online online online online online online online" "$(cat "$t/other2")"
check "  ... those refused (beyond 2 per address, or over their rate) answered 'busy' ($(cat "$t/idle"))" grep -q "busy=[1-9]" "$t/idle"
check "  ... no address held more than 2 at once" grep -Eq "most_held=[12]$" "$t/idle"
for i in $(seq 121 134) 140; do ip -n "$(ns lan)" addr del "192.168.1.$i/24" dev lan1; done

# ---- down: offline; the next dial waits; back up ----
touch "$t/down.1"
check "link down: online not reached" wait_for 5 sh -c "$(declare -f st field); t=$t build=$build; [ \"\$(field \"l['online']['reached']\")\" = False ]"
check "  ... logged as offline" grep -q "dsl: offline; stopping pppkit-online@dsl.target" "$t/pppkitd.log"
sleep 3
check_eq "wait-online --remote while down: exit 1" 1 "$(remote lan 192.168.1.1 2 >/dev/null 2>&1; echo $?)"
touch "$t/up.2"
check "wait-online --remote after the redial: exit 0" remote lan 192.168.1.1 10

# ---- reload: status-listen is read again ----
sed -i 's/^status-listen = .*/status-listen = 192.168.1.1:8641/' "$t/pppkit.conf"
check "pppkit reload with a new status-listen: taken" "$build/pppkit" reload --socket "$t/run/control"
check "  ... 192.168.1.1:$port closed" grep -q "status-listen 192.168.1.1:$port: closed (no longer configured)" "$t/pppkitd.log"
check "  ... pppkitd warns that 8641 is unprivileged" grep -q "status-listen: port 8641 is unprivileged: any local user can bind it first" "$t/pppkitd.log"
check "  ... 192.168.1.1:8641 listening on lan0" wait_for 5 grep -q "status-listen 192.168.1.1:8641 on lan0" "$t/pppkitd.log"
check "wait-online --remote 192.168.1.1:8641 after the reload: exit 0" remote lan 192.168.1.1:8641 5
check_eq "wait-online --remote 192.168.1.1 (the default port) after the reload: exit 1" 1 \
    "$(remote lan 192.168.1.1 2 >/dev/null 2>&1; echo $?)"
check "  ... no socket on $port any more" sh -c "! ip netns exec $(ns r) ss -ltn | grep -q ':$port '"
sed -i '/^status-listen = /d' "$t/pppkit.conf"
check "pppkit reload without status-listen: taken" "$build/pppkit" reload --socket "$t/run/control"
check "  ... 192.168.1.1:8641 closed" sh -c "! ip netns exec $(ns r) ss -ltn | grep -q ':8641 '"

# ---- status-listen never binds a WAN interface ----
# The address is on a veth named ppp0 (as IPCP could give it to the uplink),
# whose far end is the WAN namespace. The old daemon bound the listener to
# whichever interface held the address, ppp0 here, and answered the WAN.
veth r ppp0 wan wp0
nsx r ip addr add 192.168.1.253/32 peer 10.88.0.2 dev ppp0
nsx wan ip addr add 10.88.0.2/32 peer 192.168.1.253 dev wp0
ask() { # NS SRC: the answer to "online dsl" from SRC at 192.168.1.253:$port; "failed" when none
    nsx "$1" python3 -c "
import socket
try:
    s = socket.socket(); s.settimeout(3); s.bind(('$2', 0)); s.connect(('192.168.1.253', $port))
    s.sendall(b'online dsl\n'); print(s.recv(64).decode().strip() or 'failed')
except OSError:
    print('failed')"
}
sed -i 's/^\[pppkitd\]$/[pppkitd]\nstatus-listen = 192.168.1.253/' "$t/pppkit.conf"
check "pppkit reload with status-listen = 192.168.1.253 (on ppp0): taken" "$build/pppkit" reload --socket "$t/run/control"
check "the address on ppp0: refused, logged" wait_for 8 grep -q \
    "status-listen 192.168.1.253:$port: cannot listen: the address is on ppp0, a PPP interface (ppp\*), WAN: not bound there" \
    "$t/pppkitd.log"
check_fails "  ... not bound on ppp0" grep -q "status-listen 192.168.1.253:$port on ppp0" "$t/pppkitd.log"
check_eq "  ... the WAN side (through ppp0) gets no answer" failed "$(ask wan 10.88.0.2)"
check "  ... no socket on $port" sh -c "! ip netns exec $(ns r) ss -ltn | grep -q ':$port '"
sleep 6
check_eq "  ... retried, logged once" 1 "$(grep -c "status-listen 192.168.1.253:$port: cannot listen: the address is on ppp0" "$t/pppkitd.log")"
# the control: the address moved to the LAN interface is bound there and answers the LAN
nsx r ip addr del 192.168.1.253/32 peer 10.88.0.2 dev ppp0
nsx r ip addr add 192.168.1.253/24 dev lan0
check "  ... moved to lan0: bound there at the next retry" wait_for 8 grep -q "status-listen 192.168.1.253:$port on lan0" \
    "$t/pppkitd.log"
a=$(ask lan 192.168.1.10)
check "  ... the LAN gets an answer (got '$a')" grep -Eqx "online|offline" <<<"$a"
# a bound listener whose interface a reload makes WAN is closed: the old
# daemon checked the interface only when it bound, and kept answering there
printf '\n[firewall]\nwan = lan0\nlan-networks = 192.168.1.0/24\n' >>"$t/pppkit.conf"
check "pppkit reload with [firewall] wan = lan0: taken" "$build/pppkit" reload --socket "$t/run/control"
check "  ... the listener on lan0 closed, logged" wait_for 5 grep -qF \
    "status-listen 192.168.1.253:$port on lan0: closed, WAN ([firewall] wan matches it) now" "$t/pppkitd.log"
check "  ... no socket on $port" sh -c "! ip netns exec $(ns r) ss -ltn | grep -q ':$port '"
sleep 6
check_eq "  ... not bound again on lan0 at the retries" 0 \
    "$(sed -n '/status-listen 192.168.1.253:'"$port"' on lan0: closed/,$p' "$t/pppkitd.log" | grep -c "status-listen 192.168.1.253:$port on lan0: answering")"
# the control: the [firewall] taken out again, the listener is back on lan0
sed -i '/^\[firewall\]$/,$d' "$t/pppkit.conf"
check "pppkit reload without [firewall]: taken" "$build/pppkit" reload --socket "$t/run/control"
nsx r nft delete table inet pppkit_fw 2>/dev/null
check "  ... bound on lan0 again" wait_for 8 sh -c "ip netns exec $(ns r) ss -ltn | grep -q ':$port '"
check_fails "  ... pppkitd loaded no failsafe for the [firewall] it was told to drop" grep -q "failsafe loaded" "$t/pppkitd.log"
a=$(ask lan 192.168.1.10)
check "  ... the LAN gets an answer (got '$a')" grep -Eqx "online|offline" <<<"$a"
check "pppkitd still running" kill -0 "${NSL_PIDS[0]}"
nsl_finish
