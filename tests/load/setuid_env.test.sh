#!/bin/bash
# setuid_env.test.sh BUILD - the PPPKIT_* variables the plugins of one pppd
# share are never taken from whoever ran pppd (review 18, finding 1).
# Debian's pppd is setuid root (4754 root:dip). A member of group dip set
# PPPKIT_HOST_PID=$$ and PPPKIT_CONFIG_FILE=/etc/ppp/chap-secrets and exec'd
# pppd (same pid): the plugin took it for an earlier plugin's
# "pppkit-config", read the root-only file and quoted its lines in the log.
# A setuid copy of the fake pppd (tests/load/fake_pppd.c) run as nobody,
# with pppkit-mss.so, as "pon" by a dip member would run it:
#   - an inherited PPPKIT_CONFIG_FILE (PPPKIT_HOST_PID set to its own pid)
#     is not read; "pppkit-config FILE" as an option still is;
#   - an inherited PPPKIT_EVENT_SOCKET is ignored when pppd is setuid, kept
#     when root runs it (the tests' own pppkitd);
#   - an inherited PPPKIT_EVENT_SENDER does not silence the events;
#   - pppkit-firewall.so runs in it (libxtables no longer ends it, exit 111)
#     and leaves its real uid as it was.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
# The firewall plugin writes its link records in /run/pppkit/firewall: this
# test's go to a tmpfs of its own, in a private mount namespace. The plugins'
# tables (pppkit-mss.so's at ESTABLISH and ip-up) go to a network namespace
# of its own, never the host's.
if [ -z "${NSL_PRIVATE_RUN:-}" ]; then
    mkdir -p /run/pppkit
    exec env NSL_PRIVATE_RUN=1 unshare -m -n --propagation private bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755 pppkit-test /run/pppkit || { echo "FAIL: cannot mount a tmpfs on /run/pppkit"; exit 1; }
. "$top/tests/netns/lib.sh"
[ "$(id -u)" = 0 ] || nsl_skip "needs root: a setuid-root copy of the fake pppd, run as nobody"
nsl_need setpriv
mss=$build/pppkit-mss.so
[ -f "$mss" ] || { fail "no $mss (make all first)"; nsl_finish; }
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
t=$(mktemp -d /tmp/pppkit-suenv.XXXXXX)
chmod 755 "$t"
trap 'rm -rf "$t"' EXIT
install -m 4755 -o root -g root "$fake" "$t/pppd-setuid"
printf '"isp-user"\t*\t"S3cr3t-PPPoE-Passw0rd"\t*\n' >"$t/chap-secrets"
chmod 600 "$t/chap-secrets"

as_dip_member() { # ENV-ASSIGNMENTS PPPD-ARGS...: the setuid copy, exec'd by nobody
    local envs=$1
    shift
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        bash -c "export $envs; exec -a pppd '$t/pppd-setuid' \"\$@\"" pppd "$@" 2>&1
}
leaks() { grep -q 'S3cr3t\|chap-secrets' <<<"$1"; }

# the config file
out=$(as_dip_member "PPPKIT_HOST_PID=\$\$ PPPKIT_CONFIG_FILE=$t/chap-secrets" "$mss" call isp init phase 2 exit 0)
printf '%s\n' "$out" | sed 's/^/      [dip] | /'
check "setuid, PPPKIT_CONFIG_FILE and PPPKIT_HOST_PID inherited: the file is not read" bash -c '! grep -q "S3cr3t\|chap-secrets" <<<"$1"' _ "$out"
check "... the plugin did load in the setuid copy" grep -q '^LOG info: pppkit-mss: loaded' <<<"$out"
# control: the same file named by root with the option is read (and refused)
out=$("$fake" "$mss" call isp init opt pppkit-config "$t/chap-secrets" phase 2 exit 0 2>&1)
check "control: pppkit-config FILE as an option is read" leaks "$out"
# (in a real pppd the option is OPT_PRIV: a user's command line cannot give it)

# the event socket and sender
events_to() { # SOCKET COMMAND...: how many datagrams reach SOCKET while COMMAND runs
    local sock=$1 l
    shift
    rm -f "$sock" "$sock.n"
    /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(2)
n = 0
try:
    while True:
        s.recv(65536)
        n += 1
except socket.timeout:
    pass
print(n)' "$sock" >"$sock.n" &
    l=$!
    wait_for 5 test -S "$sock"
    "$@" >/dev/null 2>&1
    wait "$l"
    cat "$sock.n"
}
ev=$t/event
n=$(events_to "$ev" env PPPKIT_EVENT_SOCKET="$ev" "$fake" "$mss" call isp init phase 2 ifname ppp7 ip-up exit 0)
check "root's pppd: an inherited PPPKIT_EVENT_SOCKET is used ($n events)" test "$n" -gt 0
n_root=$n
n=$(events_to "$ev" as_dip_member "PPPKIT_EVENT_SOCKET=$ev" "$mss" call isp init phase 2 ifname ppp7 ip-up exit 0)
check_eq "setuid pppd: an inherited PPPKIT_EVENT_SOCKET is ignored" 0 "$n"
n=$(events_to "$ev" bash -c "export PPPKIT_EVENT_SOCKET='$ev' PPPKIT_EVENT_SENDER=\$\$:0x1; exec '$fake' '$mss' call isp init phase 2 ifname ppp7 ip-up exit 0")
check_eq "an inherited PPPKIT_EVENT_SENDER (its own pid) does not silence the events" "$n_root" "$n"

# The firewall plugin in the setuid pppd (review 18, finding 4): libnftables
# initialises libxtables, which _exit(111)s a process whose real and effective
# uids differ. The old plugin ended pppd so, silently, before dialling.
fw=$build/pppkit-firewall.so
netns=pkt-suenv-$$
printf '[firewall]\nwan = ppp*\nlan-interfaces = lan0\nlog = no\n' >"$t/fw.conf"
chmod 644 "$t/fw.conf"
# the real and effective uid of the fake pppd (the parent of the shell that sources it)
printf '%s\n' "awk '/^Uid:/ {print \"UIDS\", \$2, \$3}' /proc/\$PPID/status" >"$t/uids.sh"
if ip netns add "$netns"; then
    trap 'rm -rf "$t"; ip netns del "$netns" 2>/dev/null' EXIT
    out=$(ip netns exec "$netns" setpriv --reuid=65534 --regid=65534 --clear-groups \
        bash -c "exec -a pppd '$t/pppd-setuid' '$fw' call isp init opt pppkit-config '$t/fw.conf' phase 2 ifname ppp7 phase 4 sh '. $t/uids.sh' exit 0" 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed 's/^/      [dip fw] | /'
    check_eq "setuid pppd with pppkit-firewall: runs to its end (exit status)" 0 "$rc"
    check "... the ruleset is loaded before dialling" grep -q "loaded table inet pppkit_fw before dialling" <<<"$out"
    check "... the table is there" ip netns exec "$netns" nft list table inet pppkit_fw
    check "... ESTABLISH put ppp7 in active_wan" grep -q "establish: active_wan ppp7" <<<"$out"
    check "... and pppd's real uid is the caller's again (effective root)" grep -qx "UIDS 65534 0" <<<"$out"
else
    fail "cannot create namespace $netns"
fi

nsl_finish
