#!/bin/bash
# initfail.test.sh BUILD - a plugin that cannot initialise stops pppd before
# it dials (issue 9, bug 1), and no exception crosses into pppd. The real
# host (plugins/host) is linked into a test-only plugin
# (tests/load/failing_plugin.cpp) that fails where PPPKIT_TEST_FAIL says, and
# driven by the fake pppd (tests/load/fake_pppd.c) like pppd drives it:
# plugin_init while parsing options, PHASE_INITIALIZE (before the options),
# then PHASE_SERIALCONN (2), the first phase change before dialling.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need gcc
nsl_need g++
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
so=$("$top/tests/load/build-test-plugin.sh" "$build") || { fail "cannot build the test plugin"; nsl_finish; }

run() { # MODE COMMAND...: the fake pppd's output; its exit status in $rc
    local mode=$1
    shift
    out=$(PPPKIT_TEST_FAIL=$mode "$fake" "$so" "$@" 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed "s/^/      [$mode] | /"
}

# control: nothing fails, the link comes up
run "" init phase 1 phase 2 ifname ppp0 mtu 1492 ip-up exit 0
check_eq "no failure: pppd runs (exit status)" 0 "$rc"
check "no failure: ip-up reaches the plugin" grep -q '^LOG info: pppkit-failtest: ip-up handled$' <<<"$out"

# mode | what the log says at plugin_init
rows=()
row() { rows+=("$1|$2|$3"); }
row "$LINENO" make "pppkit: the plugin could not initialise (forced failure in pppkit_make_plugin)"
row "$LINENO" null "pppkit: the plugin could not initialise (no plugin object)"
row "$LINENO" options "pppkit-failtest: the plugin could not initialise (an exception that is not a std::exception)"
row "$LINENO" many "pppkit-failtest: the plugin could not initialise (too many options, cannot register pppkit-failtest-x)"
for r in "${rows[@]}"; do
    IFS='|' read -r line mode msg <<<"$r"
    what="row $line: $mode"
    run "$mode" init phase 1
    check_eq "$what: plugin_init returns to pppd, which goes on parsing options" 0 "$rc"
    check "$what: the failure is logged through pppd's error() at once" \
        grep -qF "LOG error: $msg; pppd stops before dialling" <<<"$out"
    run "$mode" init phase 1 phase 2 ifname ppp0 ip-up
    check_eq "$what: the first phase change stops pppd (exit 2, EXIT_OPTION_ERROR)" 2 "$rc"
    check "$what: ... with a clear option error" grep -qF "OPTION-ERROR: $msg; pppd stops before dialling" <<<"$out"
    check "$what: ... before dialling: DIE 2 is the last line, ip-up never ran" \
        bash -c '[ "$(tail -n1)" = "DIE 2" ]' <<<"$out"
done

# configure() throws: the same stop, with the reason logged
run configure init phase 2 ip-up
check_eq "configure throws: pppd stops (exit 2)" 2 "$rc"
check "configure throws: the exception is logged" \
    grep -qF 'LOG error: pppkit-failtest: configure failed: forced failure in configure' <<<"$out"
check "configure throws: clear option error" \
    grep -qF 'OPTION-ERROR: pppkit-failtest: invalid configuration (1 problem), not bringing the link up' <<<"$out"

# a callback that throws is logged; pppd goes on (the exception never reaches it)
run ip-up init phase 2 ifname ppp0 mtu 1492 ip-up ip-down exit 0
check_eq "ip-up throws: pppd goes on (exit status)" 0 "$rc"
check "ip-up throws: logged" grep -qF 'LOG error: pppkit-failtest: ip-up failed: forced failure in ip-up' <<<"$out"

# issue 13: the host never asks for the MTU of an interface that is gone
run "" init phase 2 ifname ppp0 ip-up ip-down link-down phase 11 exit 0
check "after link-down and at exit, the host reads no MTU of the gone ppp0" \
    grep -q '^mtu-of-gone-link=0$' <<<"$out"
# ... and the fake pppd does see such a read, so the check above can fail
run "" init ifname ppp0 mtu 1492 get-mtu link-down get-mtu
check "the fake pppd reads the MTU of a live link" grep -q '^MTU 1492$' <<<"$out"
check "the fake pppd counts an MTU read of a gone link (self-test)" grep -q '^mtu-of-gone-link=1$' <<<"$out"
nsl_finish
