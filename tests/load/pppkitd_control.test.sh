#!/bin/bash
# pppkitd_control.test.sh BUILD - reload and the control commands of
# pppkitd, outside systemd, in a throwaway network namespace:
#   - SIGHUP and `pppkit reload` re-read pppkit.conf and pppkit.d/*.conf:
#     RELOADING=1 with MONOTONIC_USEC= then READY=1 (NOTIFY_SOCKET is a
#     socket this test reads); a new [link] with autostart dials, a removed
#     link's pppd gets SIGTERM and the link is forgotten, a changed link
#     keeps its pppd and shows the new settings;
#   - a config with problems is refused: pppkitd keeps the old one and logs
#     every problem as file:line, `pppkit reload` prints them and exits 2;
#   - pppkit stop / start / restart NAME change the link's state and its pppd
#     (the fake pppd in tests/load/fake_pppd with pppkit-mss.so: its events
#     bring the link up);
#   - commands are root's: the control socket is root's alone (0600, every
#     request), the status socket root's and group pppkit's (0660, status
#     only); nobody is refused, a member of group pppkit may read status on
#     the status socket but not stop a link or reload (neither may root
#     there), and holds at most 16 connections at once (the 17th is told
#     busy; root is still answered); out of descriptors (EMFILE), a pending
#     connection does not make it spin;
#   - a session file in a state directory others may write is not read (no
#     PADT for the session it names);
#   - a member of group pppkit flooding every socket it can reach does not
#     delay root: root's connect() to the control socket never finds its
#     backlog full, `pppkit stop` / `start` answer (median within 1 s, all
#     within 5 s) (the old daemon had one socket and one accept budget for
#     both: a second or more, waiting for the next second's budget); the
#     CLI gives up on a socket whose backlog is full instead of hanging.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init pkc
nsl_need gcc python3 setpriv groupadd prlimit
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
for f in pppkitd pppkit pppkit-mss.so; do
    [ -e "$build/$f" ] || { fail "no $build/$f (make $build/$f)"; nsl_finish; }
done
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
tool=$top/tests/load/pppkitd_tool.py
t=$NSL_TMP
chmod 755 "$t"
ns_create d
nsname=$(ns d)
# group pppkit: its members may ask status (created for the test when missing)
if ! getent group pppkit >/dev/null; then
    groupadd --system pppkit || { fail "groupadd pppkit"; nsl_finish; }
    nsl_on_exit "groupdel pppkit"
fi
pppkit_gid=$(getent group pppkit | cut -d: -f3)

# "pppd call NAME nodetach": the fake pppd with pppkit-mss.so; the link is up
# (ip-up) until SIGTERM ends it (or the test ends: hold)
cat >"$t/hold" <<HOLD
#!/bin/sh
for i in \$(seq 6000); do [ -e "$t/end" -o ! -d "$t" ] && exit 0; sleep 0.1; done
HOLD
chmod 755 "$t/hold"
nsl_on_exit "touch $t/end"
cat >"$t/pppd" <<PPPD
#!/bin/sh
echo "\$(date +%s.%N) \$\$ \$2" >>"$t/calls"
export PPPKIT_EVENT_SOCKET=$t/run/event
exec "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$t/pppkit.conf" phase 1 ifname ppp\$\$ mtu 1492 \\
    local4 203.0.113.7 phase 8 ip-up sh "$t/hold"
PPPD
chmod 755 "$t/pppd"
mkdir -p "$t/pppkit.d"
cat >"$t/pppkit.conf" <<CONF
[mss]
enabled = no
[link "dsl"]
backoff-floor = 1s
auth-failures = 3
[link "old"]
[link "idle"]
autostart = no
CONF
# a state directory others may write, holding a session file for link idle
# (no pppd): anyone could have put it there, so it names no PADT to send
mkdir -p "$t/state"
chmod 777 "$t/state"
printf 'session=99\nac-mac=52:54:00:00:00:99\nethernet=lo\npid=1\n' >"$t/state/idle.pppoe"
python3 "$tool" notify "$t/notify" "$t/notify.log" &
NSL_PIDS+=($!)
wait_for 5 test -S "$t/notify" || { fail "notify socket"; nsl_finish; }
NOTIFY_SOCKET=$t/notify ip netns exec "$nsname" \
    "$build/pppkitd" --config "$t/pppkit.conf" --runtime-dir "$t/run" --state-dir "$t/state" --pppd "$t/pppd" \
    >"$t/pppkitd.log" 2>&1 &
pkd=$!
NSL_PIDS+=($pkd)

pk() { "$build/pppkit" "$@" --socket "$t/run/control"; }
field() { # NAME PYTHON-EXPR over the link l
    pk status --json "$1" | python3 -c "import json,sys; ls=json.load(sys.stdin)['links']; l=ls[0] if ls else None; v=$2; print(*(v if isinstance(v, tuple) else (v,)))"
}
is() { [ "$(field "$1" "$2")" = "$3" ]; }
names() { pk status --json | python3 -c "import json,sys; print(*[l['name'] for l in json.load(sys.stdin)['links']])"; }
names_are() { [ "$(names)" = "$1" ]; }
refused() { [ "$(grep -c 'reload refused' "$t/pppkitd.log")" = "$1" ]; }
dead() { ! kill -0 "$1" 2>/dev/null; }
as_nobody() { # GID COMMAND...
    local g=$1
    shift
    setpriv --reuid=65534 --regid="$g" --clear-groups "$@"
}

check "dsl: up" wait_for 10 is dsl "l['state']" up
check "a session file in a state-dir others may write is not trusted" \
    grep -q "idle: ignoring $t/state/idle.pppoe: .*writable by group or others.*; no PADT sent for it" "$t/pppkitd.log"
check "  ... no PADT is tried for it" sh -c "! grep -q 'PPPoE session 99' '$t/pppkitd.log'"
check "old: up" wait_for 10 is old "l['state']" up
dsl_pid=$(field dsl "l['pid']")
old_pid=$(field old "l['pid']")

# ---- reload: a new link, a removed one, a changed one (SIGHUP) ----
cat >"$t/pppkit.conf" <<CONF
[mss]
enabled = no
[link "dsl"]
backoff-floor = 1s
auth-failures = 7
lan-interface = lo
[link "idle"]
autostart = no
CONF
printf '[link "new"]\n' >"$t/pppkit.d/10-new.conf"
kill -HUP "$pkd"
check "SIGHUP: a new link with autostart dials" wait_for 10 is new "l['state']" up
check "SIGHUP: the removed link's pppd got SIGTERM" wait_for 5 dead "$old_pid"
check "  ... logged" grep -q "old: reload: the link is no longer configured; stopping it" "$t/pppkitd.log"
check "  ... and the link is forgotten" wait_for 5 names_are "dsl idle new"
check_eq "  ... status lists the new set" "dsl idle new" "$(names)"
check_eq "the changed link keeps its pppd" "$dsl_pid up" "$(field dsl "l['pid'], l['state']")"
check_eq "  ... with its new lan-interface" lo "$(field dsl "l['lan_interface']")"
check "RELOADING=1 with MONOTONIC_USEC= was sent" grep -q "^RELOADING=1|MONOTONIC_USEC=[0-9]*$" "$t/notify.log"
check "  ... then READY=1 again" python3 -c "
import sys; l=open('$t/notify.log').read().split('\n')
r=max(i for i,x in enumerate(l) if x.startswith('RELOADING=1')); sys.exit(0 if 'READY=1' in l[r:] else 1)"
check "the reload is logged" grep -q "reloaded 2 file(s): links added new; removed old; changed dsl" "$t/pppkitd.log"

# ---- a config with problems is refused; the old one stays ----
printf '[link "bad"]\nbackoff-floor = soon\nbogus = 1\n' >"$t/pppkit.d/20-bad.conf"
out=$(pk reload 2>&1)
rc=$?
check_eq "pppkit reload with problems: exit 2" 2 "$rc"
check "  ... prints each problem as file:line" grep -q "^$t/pppkit.d/20-bad.conf:2: \[link \"bad\"\] backoff-floor:" <<<"$out"
check "  ... the unknown key too" grep -q "^$t/pppkit.d/20-bad.conf:3: \[link \"bad\"\] bogus:" <<<"$out"
check "  ... says it kept the old configuration" grep -q "refused, pppkitd keeps the configuration it had" <<<"$out"
check "  ... and pppkitd logs file:line" grep -q "$t/pppkit.d/20-bad.conf:3: \[link \"bad\"\] bogus" "$t/pppkitd.log"
check_eq "  ... nothing changed" "dsl idle new" "$(names)"
kill -HUP "$pkd"
check "SIGHUP with problems: logged, refused" wait_for 5 refused 2
check_eq "  ... pppkitd still runs the old links" "dsl idle new $dsl_pid" "$(names) $(field dsl "l['pid']")"
rm "$t/pppkit.d/20-bad.conf"
out=$(pk reload 2>&1)
check "pppkit reload, fixed: taken" grep -q "pppkit reload: taken; links added: none; removed: none; changed: none" <<<"$out"
# the main file empty for a moment (an editor truncates it to write it again):
# not "no links", which stopped them all on the old daemon
cp "$t/pppkit.conf" "$t/pppkit.conf.keep"
: >"$t/pppkit.conf"
out=$(pk reload 2>&1)
check_eq "pppkit reload with pppkit.conf empty: refused (exit 2)" 2 "$?"
check "  ... saying why" grep -q "^$t/pppkit.conf:0: missing or empty" <<<"$out"
check_eq "  ... pppkitd still runs the old links, dsl's pppd untouched" "dsl idle new $dsl_pid" "$(names) $(field dsl "l['pid']")"
cp "$t/pppkit.conf.keep" "$t/pppkit.conf"

# ---- start / stop / restart ----
out=$(pk stop dsl 2>&1)
check "pppkit stop dsl: stopped-by-user" grep -q "^dsl: stopped-by-user" <<<"$out"
check "  ... its pppd got SIGTERM" wait_for 5 dead "$dsl_pid"
sleep 1.5
check_eq "  ... and no redial after the backoff floor" "stopped-by-user None" "$(field dsl "l['state'], l['pid']")"
check "pppkit start dsl: dials again" pk start dsl
check "  ... up" wait_for 10 is dsl "l['state']" up
dsl_pid=$(field dsl "l['pid']")
out=$(pk restart dsl 2>&1)
check "pppkit restart dsl: says it dials again" grep -q "dials again once its pppd ended" <<<"$out"
check "  ... the old pppd ended" wait_for 5 dead "$dsl_pid"
check "  ... a new pppd is up" wait_for 10 is dsl "l['state'] == 'up' and l['pid'] not in (None, $dsl_pid)" True
check "pppkit start idle (autostart = no): dials" pk start idle
check "  ... up" wait_for 10 is idle "l['state']" up
out=$(pk start nosuch 2>&1)
check "pppkit start of a link not configured: refused" grep -q "no link nosuch in the configuration" <<<"$out"

# ---- root only ----
dsl_pid=$(field dsl "l['pid']")
out=$(as_nobody 65534 "$build/pppkit" stop dsl --socket "$t/run/control" 2>&1)
check_eq "nobody: pppkit stop refused (exit 1)" 1 "$?"
check_eq "  ... dsl still up, same pppd" "up $dsl_pid" "$(field dsl "l['state'], l['pid']")"
check_eq "the control socket is root's alone; the status socket root's and group pppkit's" \
    "600 0 0 660 0 $pppkit_gid" "$(stat -c '%a %u %g' "$t/run/control" "$t/run/status" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
out=$(as_nobody "$pppkit_gid" "$build/pppkit" status --socket "$t/run/status" dsl 2>&1)
check "group pppkit: status is answered on the status socket" grep -q "^dsl: up" <<<"$out"
out=$(as_nobody "$pppkit_gid" "$build/pppkit" status --socket "$t/run/control" dsl 2>&1)
check_eq "group pppkit: the control socket refuses it (exit 1)" 1 "$?"
# a member by a supplementary group (usermod -aG pppkit), primary nogroup
out=$(setpriv --reuid=65534 --regid=65534 --groups="$pppkit_gid" "$build/pppkit" status --socket "$t/run/status" dsl 2>&1)
check "supplementary group pppkit: status is answered" grep -q "^dsl: up" <<<"$out"
out=$(as_nobody "$pppkit_gid" "$build/pppkit" stop dsl --socket "$t/run/status" 2>&1)
check_eq "group pppkit: pppkit stop refused (exit 1)" 1 "$?"
check "  ... only root may stop, on the control socket" grep -q "permission denied: only root may stop, on $t/run/control" <<<"$out"
out=$(as_nobody "$pppkit_gid" "$build/pppkit" reload --socket "$t/run/status" 2>&1)
check "group pppkit: pppkit reload refused" grep -q "only root may reload" <<<"$out"
out=$("$build/pppkit" stop dsl --socket "$t/run/status" 2>&1)
check "root: pppkit stop on the status socket refused too (commands only on the control socket)" \
    grep -q "only root may stop, on $t/run/control" <<<"$out"
check_eq "  ... dsl still up" up "$(field dsl "l['state']")"
# a group member's connections are bounded (16 at once): the 17th is told busy, and root
# still gets its answer while they are held (they would otherwise take pppkitd's fds)
as_nobody "$pppkit_gid" /usr/bin/python3 -c "
import socket, sys, time
held = []
for i in range(16):
    s = socket.socket(socket.AF_UNIX); s.connect('$t/run/status'); held.append(s)
time.sleep(0.3)
s = socket.socket(socket.AF_UNIX); s.connect('$t/run/status'); s.settimeout(2)
print(s.recv(4096).decode().strip())
print('held', flush=True)
time.sleep(1)
" >"$t/busy.txt" 2>&1 &
holder=$!
wait_for 5 grep -q held "$t/busy.txt"
check "16 connections of group pppkit held: the 17th is told busy" grep -q '"error":"busy' "$t/busy.txt"
check "  ... while root's status is answered" sh -c "'$build/pppkit' status --socket '$t/run/control' dsl | grep -q '^dsl: up'"
wait "$holder"
# out of descriptors: with EMFILE accept4() leaves the connection in the
# backlog and the listener stays readable. The old daemon was called back at
# once, forever: a busy loop (about 100 % CPU) until a descriptor came free.
# The listener's sd-event rate limit (100 a second) keeps it to a trickle.
nfd=$(ls "/proc/$pkd/fd" | wc -l)
soft=$(prlimit --pid "$pkd" --nofile --noheadings --output SOFT)
prlimit --pid "$pkd" --nofile=$((nfd + 3)):
python3 -c "
import socket, time
held = []
for i in range(10):
    s = socket.socket(socket.AF_UNIX); s.connect('$t/run/control'); held.append(s)
print('held', flush=True)
time.sleep(4)
" >"$t/emfile.txt" 2>&1 &
holder=$!
wait_for 5 grep -q held "$t/emfile.txt"
sleep 0.5
cpu() { awk '{print $14 + $15}' "/proc/$pkd/stat"; }
c0=$(cpu)
sleep 2
c1=$(cpu)
check "out of descriptors (EMFILE), a connection pending: pppkitd does not spin (CPU $((c1 - c0)) ticks in 2 s, at most 20)" \
    test $((c1 - c0)) -le 20
wait "$holder"
prlimit --pid "$pkd" --nofile="$soft":
check "  ... and answers again once descriptors are free" sh -c "'$build/pppkit' status --socket '$t/run/control' dsl | grep -q '^dsl: up'"
out=$(python3 -c "
import socket; s=socket.socket(socket.AF_UNIX); s.connect('$t/run/control'); s.sendall(b'v2 status\n'); print(s.recv(4096).decode())")
check "a v2 request: unsupported version" grep -q "unsupported request version" <<<"$out"

# ---- a member of group pppkit floods every socket it can reach ----
# The old daemon had one socket for both, with one backlog (16) and one
# accept budget (100 a second): root's connect() waited behind the flood,
# for seconds, with no timeout in the CLI. Now root's control socket is
# apart: the flood reaches the status socket alone.
install -d -m 0777 "$t/flood"  # the flooder's counts (it runs as nobody)
as_nobody "$pppkit_gid" /usr/bin/python3 - "$t/run" "$t/flood/paths" <<'PY' &
import os, socket, sys, threading, time
run, out = sys.argv[1], sys.argv[2]
def reach(p):
    try:
        s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(p); s.close(); return True
    except OSError:
        return False
paths = [p for p in (run + "/status", run + "/control") if reach(p)]
end = time.time() + 8
# 4 processes of 40 threads: 160 connect()s waiting at once, more than the
# daemon accepts in a second, each sending "status" and going again
def flood(counts, i):
    while time.time() < end:
        for p in paths:
            try:
                s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(p); s.send(b"status\n"); s.close()
                counts[i] += 1
            except OSError:
                pass
kids = []
for k in range(4):
    pid = os.fork()
    if pid == 0:
        counts = [0] * 40
        ts = [threading.Thread(target=flood, args=(counts, i)) for i in range(40)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        with open(out + "." + str(k), "w") as f:
            f.write(str(sum(counts)) + "\n")
        os._exit(0)
    kids.append(pid)
with open(out, "w") as f:
    f.write(" ".join(paths) + "\n")
for pid in kids:
    os.waitpid(pid, 0)
PY
flooder=$!
wait_for 5 test -s "$t/flood/paths"
sleep 1
# root's connect() meanwhile, without blocking: EAGAIN would mean a backlog
# the flood keeps full (the old daemon's one socket); the status socket's
# count shows the flood is real
python3 - "$t/run" >"$t/flood-connects.txt" 2>&1 <<'PY' &
import errno, socket, sys, time
full = {"control": 0, "status": 0}
for i in range(20):
    for name in full:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        try:
            s.connect(sys.argv[1] + "/" + name)
        except BlockingIOError:
            full[name] += 1
        s.close()
    time.sleep(0.2)
print("control", full["control"], "status", full["status"])
PY
connects=$!
slowest=0
for i in 1 2 3 4 5; do
    for verb in stop start; do
        t0=$(date +%s%N)
        timeout 20 "$build/pppkit" "$verb" dsl --socket "$t/run/control" >>"$t/flood-cmds.txt" 2>&1
        rc=$?
        ms=$((($(date +%s%N) - t0) / 1000000))
        echo "$verb rc=$rc ${ms}ms" >>"$t/flood-times.txt"
        [ "$rc" = 0 ] || ms=99999
        echo "$ms" >>"$t/flood-ms.txt"
        [ "$ms" -gt "$slowest" ] && slowest=$ms
    done
done
wait "$flooder"
wait "$connects"
flood=$(cat "$t/flood/paths".* 2>/dev/null | awk '{n += $1} END {print n + 0}')
check "the group member's flood ran ($flood connections to $(head -n 1 "$t/flood/paths"))" test "$flood" -ge 200
check "  ... it could not reach the control socket" sh -c "! grep -q '/control' '$t/flood/paths'"
read -r _ full_control _ full_status <"$t/flood-connects.txt"
check "  ... root's connect() to the control socket never found its backlog full (20 tries; the status socket's: ${full_status:-?})" \
    test "${full_control:-x}" = 0
# The times are the CLI's exec and answer on 2 CPUs shared with 160
# flooding threads: at rest 0.2-0.4 s each, 0.5 s and more under CI's load
# (lint alongside). The old daemon's waits for the next second's accept
# budget made most of them take a second or more: the median says that.
median=$(sort -n "$t/flood-ms.txt" | sed -n 5p)
check "  ... root's pppkit stop / start dsl answered meanwhile, the median within 1 s (${median} ms)" \
    test "$median" -lt 1000
check "  ... and every one within 5 s (slowest ${slowest} ms)" test "$slowest" -lt 5000
sed 's/^/      /' "$t/flood-times.txt"
check "  ... dsl up again" wait_for 10 is dsl "l['state']" up

# a socket that never accepts (backlog full): the CLI gives up instead of hanging
python3 - "$t/stuck" <<'PY' &
import socket, sys, time
l = socket.socket(socket.AF_UNIX); l.bind(sys.argv[1]); l.listen(0)
held = []
for i in range(4):
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try:
        s.connect(sys.argv[1]); held.append(s)
    except OSError:
        break
open(sys.argv[1] + ".full", "w").close()
time.sleep(30)
PY
stuck=$!
NSL_PIDS+=($stuck)
wait_for 5 test -e "$t/stuck.full"
t0=$(date +%s%N)
out=$(timeout 20 "$build/pppkit" stop dsl --socket "$t/stuck" 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "pppkit stop on a socket whose backlog stays full: exit 1" 1 "$rc"
check "  ... within 5 s (${ms} ms)" test "$ms" -lt 5000
check "  ... saying it accepts no connection" grep -q "accepts no connection" <<<"$out"
kill "$stuck"

kill -TERM "$pkd"
check "SIGTERM: pppkitd ends" wait_for 15 dead "$pkd"
nsl_finish
