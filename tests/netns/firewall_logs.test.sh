#!/bin/bash
# tests/netns/firewall_logs.test.sh - the shipped log routing, run for real:
# etc/rsyslog.d/pppkit-firewall.conf passes `rsyslogd -N1` and, in a private
# rsyslogd (its own socket, config, files and pid file; the system's rsyslog
# is not touched), sends kern lines with pppkit's drop prefixes to the
# firewall log and stops them there, while other lines go on to the normal
# rules. etc/logrotate.d/pppkit-firewall passes `logrotate -d` and a forced
# rotation (with its own state file) compresses the old log.
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fw2l
nsl_need rsyslogd logrotate logger
SNIP=$PPPKIT_TOP/etc/rsyslog.d/pppkit-firewall.conf
ROT=$PPPKIT_TOP/etc/logrotate.d/pppkit-firewall
T=$NSL_TMP

# ---- rsyslog ------------------------------------------------------------------
# rsyslog rewrites kern-facility lines from a local socket to user (only the
# kernel may log as kern), so the test feeds it by UDP on loopback.
PORT=$((20000 + $$ % 20000))
sed "s|/var/log/pppkit-firewall.log|$T/pppkit-firewall.log|; s|fileOwner=\"root\" fileGroup=\"adm\"||" "$SNIP" >"$T/snippet.conf"
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$PORT")
\$IncludeConfig $T/snippet.conf
*.*    $T/everything-else.log
CONF
check "rsyslogd -N1 accepts the snippet as shipped" rsyslogd -N1 -f <(printf '$IncludeConfig %s\n*.* /dev/null\n' "$SNIP")
check "rsyslogd -N1 accepts the test config" rsyslogd -N1 -f "$T/rsyslog.conf"
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >"$T/rsyslogd.out" 2>&1 &
NSL_PIDS+=("$!")
wait_for 5 bash -c "ss -Hlun 'sport = :$PORT' | grep -q ." || fail "private rsyslogd did not start: $(cat "$T/rsyslogd.out")"
# logger(1) turns kern into user too: send raw RFC 3164 lines, <PRI> = facility*8+severity
lg() { # PRI TAG TEXT
    python3 -c 'import socket,sys; socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(
        ("<%s>Nov 25 20:00:00 router %s: %s" % tuple(sys.argv[2:5])).encode(), ("127.0.0.1", int(sys.argv[1])))' \
        "$PORT" "$@"
}
lg 4 kernel "[pppkit drop input] IN=ppp0 OUT= SRC=192.0.2.9 DST=11.0.0.2 PROTO=TCP DPT=22"
lg 4 kernel "[pppkit drop output] IN= OUT=ppp0 SRC=11.0.0.2 DST=172.20.0.5 PROTO=TCP DPT=443"
lg 6 kernel "eth0: link up, 1000 Mbps"
lg 13 someone "user text that quotes [pppkit drop input] is not kernel"
wait_for 5 grep -q "someone" "$T/everything-else.log"
wait_for 5 grep -q "drop output" "$T/pppkit-firewall.log"
check_eq "both drop lines are in the firewall log" 2 "$(grep -c '\[pppkit drop ' "$T/pppkit-firewall.log" 2>/dev/null || echo none)"
check_eq "and nowhere else (stop)" 0 "$(grep -c 'pppkit drop .*IN=' "$T/everything-else.log")"
check "other kernel lines still reach the normal rules" grep -q "link up" "$T/everything-else.log"
check "a non-kernel line with the same text is not taken" grep -q "user text that quotes" "$T/everything-else.log"
check_eq "the non-kernel line is not in the firewall log" 0 "$(grep -c 'user text' "$T/pppkit-firewall.log")"

# ---- logrotate -------------------------------------------------------------------
sed "s|/var/log/pppkit-firewall.log|$T/rot/pppkit-firewall.log|; /postrotate/,/endscript/d; s/create 0640 root adm/create 0640/" "$ROT" >"$T/rotate.conf"
mkdir -p "$T/rot"
check "logrotate -d accepts the entry as shipped" logrotate -d -s "$T/state0" "$ROT"
for week in 1 2 3; do
    echo "[pppkit drop input] week $week" >>"$T/rot/pppkit-firewall.log"
    logrotate -f -s "$T/state" "$T/rotate.conf" 2>"$T/rot.err" || fail "logrotate week $week: $(cat "$T/rot.err")"
done
check "after three rotations: .1 plain (delaycompress), .2.gz compressed" \
    test -f "$T/rot/pppkit-firewall.log.1" -a -f "$T/rot/pppkit-firewall.log.2.gz"
check "the compressed week holds its line" bash -c "zcat '$T/rot/pppkit-firewall.log.2.gz' | grep -q 'week 2'"
check "weekly, as shipped" grep -qE '^\s*weekly$' "$ROT"
nsl_finish
