#!/bin/bash
# pppd.test.sh BUILD - the host's real pppd loads each built plugin and
# parses its options: "pppd plugin ABS.so OPTIONS --version" parses the
# options in order and exits 0 at --version; a rejected option makes pppd
# exit 2 (EXIT_OPTION_ERROR) with the plugin's message. No link is opened.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
pppd=$(command -v pppd || echo /usr/sbin/pppd)
[ -x "$pppd" ] || nsl_skip "no pppd (apt-get install ppp)"
# plugin and the pppkit options are privileged: pppd takes them from root only
[ "$(id -u)" = 0 ] || nsl_skip "needs root (pppd's plugin option is privileged)"
want=$("$pppd" --version 2>&1 | sed -n 's/^pppd version //p')

shopt -s nullglob
sos=("$build"/pppkit-*.so)
[ ${#sos[@]} -gt 0 ] || { fail "no $build/pppkit-*.so (make all first)"; nsl_finish; }

run() { # expected-status message-or-empty pppd-args...
    local want_rc=$1 msg=$2 out rc
    shift 2
    out=$(timeout 10 "$pppd" "$@" 2>&1)
    rc=$?
    local what="pppd ${*#"$build/"}"
    if [ "$rc" != "$want_rc" ]; then
        fail "$what: exit status $rc, expected $want_rc"
        printf '%s\n' "$out" | sed 's/^/      /'
        return
    fi
    if [ -n "$msg" ]; then
        check "$what: exits $rc with \"$msg\"" grep -qF "$msg" <<<"$out"
    else
        check "$what: exits 0 and prints its version" grep -qx "pppd version $want" <<<"$out"
    fi
}

for so in "${sos[@]}"; do
    n=$(basename "$so" .so)
    run 0 "" plugin "$so" --version
    run 0 "$n: loaded (pppd $want)" plugin "$so" --version
    run 0 "" plugin "$so" pppkit-config /etc/ppp/pppkit.conf --version
    run 2 "pppkit-config needs an absolute path (got 'pppkit.conf')" plugin "$so" pppkit-config pppkit.conf --version
done

mss=$build/pppkit-mss.so
if [ -f "$mss" ]; then
    run 0 "" plugin "$mss" pppkit-mss 1400 --version
    run 0 "" plugin "$mss" pppkit-mss pmtu pppkit-mss-ipv4 yes pppkit-mss-ipv6 no --version
    run 2 "pppkit-mss: MSS must be 536-65495 (got '100')" plugin "$mss" pppkit-mss 100 --version
    run 2 "pppkit-mss-ipv4: expected yes or no (got 'maybe')" plugin "$mss" pppkit-mss-ipv4 maybe --version
    run 2 "pppkit-mss: expected auto, pmtu or a number 536-65495 (got 'fast')" plugin "$mss" pppkit-mss fast --version
else
    fail "no $mss"
fi
nsl_finish
