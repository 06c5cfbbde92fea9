#!/bin/bash
# fakehost.test.sh BUILD - the "libload" test: each built plugin is dlopen-ed
# (RTLD_GLOBAL|RTLD_NOW, as pppd does) into tests/load/fake_pppd, a small C
# stand-in for pppd 2.4.9, and driven like pppd drives it: plugin_init,
# option parsing, the first phase change (configure), then the notifiers.
#   - every plugin: plugin_init registers its options (privileged) and the
#     notifiers; pppkit-config refuses a relative path; an invalid
#     configuration stops "pppd" (die 2) at the first phase change, with
#     file:line diagnostics logged through pppd's error(), and not before;
#   - every plugin: at link-down and exit, nothing asks for the MTU of the
#     interface that is gone (issue 13);
#   - pppd's debug on: one warning before the dial (CHAP's challenge and
#     response reach the log), however many pppkit plugins are loaded;
#   - pppkit-mss.so: good and bad option values (table below); and, in a
#     namespace with a veth named ppp0 (root only), ip-up/ipv6-up install
#     the rules and ip-down/ipv6-down remove them.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need gcc
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
tmp=$(mktemp -d /tmp/pppkit-load.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Plugins touch the kernel once configured (pppkit-firewall fails closed by
# loading its failsafe table): as root, drive them inside a throwaway network
# namespace so the host's own ruleset is never changed.
if [ "$(id -u)" = 0 ]; then
    sandbox=pk-load-$$
    ip netns add "$sandbox" || { fail "cannot create namespace $sandbox"; nsl_finish; }
    NSL_NAMESPACES+=("$sandbox")  # nsl_cleanup removes it once nsl_init has run
    trap 'rm -rf "$tmp"; ip netns del "$sandbox" 2>/dev/null' EXIT
    printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$sandbox" "$fake" >"$tmp/fake-in-ns"
    chmod 755 "$tmp/fake-in-ns"
    fake_real=$fake
    fake=$tmp/fake-in-ns
fi

shopt -s nullglob
sos=("$build"/pppkit-*.so)
[ ${#sos[@]} -gt 0 ] || { fail "no $build/pppkit-*.so (make all first)"; nsl_finish; }

# [pppkit] is checked by every plugin (a plugin checks only its own of the
# plugins' sections: tests/unit/registry_test.cpp)
printf '[pppkit]\nstate-dir = var/lib/pppkit\nbogus = 1\n' >"$tmp/bad.conf"
printf '[mss]\nmss = auto\n' >"$tmp/good.conf"
# a configuration every plugin accepts (the firewall needs its LAN)
printf '[mss]\nmss = auto\n[firewall]\nlan-networks = 192.168.1.0/24\n' >"$tmp/all.conf"

for so in "${sos[@]}"; do
    n=$(basename "$so" .so)
    out=$("$fake" "$so" init options notifiers 2>&1)
    rc=$?
    check_eq "$n: plugin_init runs (exit status)" 0 "$rc"
    check "$n: plugin_init logs through pppd's info()" grep -q "^LOG info: $n: loaded (pppd 2.4.9)" <<<"$out"
    check "$n: registers pppkit-config (privileged)" grep -q '^option pppkit-config arg priv ' <<<"$out"
    check "$n: every option it registers is privileged" \
        bash -c '! grep "^option " | grep -v "^option [^ ]* [^ ]* priv "' <<<"$out"
    check "$n: registers phase-change and exit notifiers" \
        grep -Eq '^notifiers phase=1 .* exit=1$' <<<"$out"
    out=$("$fake" "$so" init opt pppkit-config etc/pppkit.conf 2>&1)
    check_eq "$n: pppkit-config etc/pppkit.conf is rejected (exit 2)" 2 "$?"
    check "$n: ... with a clear message" \
        grep -q "^OPTION-ERROR: pppkit-config needs an absolute path (got 'etc/pppkit.conf')" <<<"$out"
    # the config is read after the options, at the first phase change
    out=$("$fake" "$so" init opt pppkit-config "$tmp/bad.conf" phase 1 2>&1)
    check_eq "$n: a bad config is not read inside plugin_init nor at PHASE_INITIALIZE" 0 "$?"
    out=$("$fake" "$so" init opt pppkit-config "$tmp/bad.conf" phase 1 phase 2 ip-up 2>&1)
    check_eq "$n: a bad config stops pppd at the first phase change (die 2)" 2 "$?"
    check "$n: ... 'file:line: [pppkit] state-dir: problem (got ...)' through pppd's error()" \
        grep -q "^LOG error: $n: $tmp/bad.conf:2: \[pppkit\] state-dir: .*(got 'var/lib/pppkit')" <<<"$out"
    check "$n: ... every problem is reported (the unknown key too)" \
        grep -q "^LOG error: $n: $tmp/bad.conf:3: \[pppkit\] bogus: " <<<"$out"
    check "$n: ... and ip-up never ran (DIE is the last line)" bash -c '[ "$(tail -n1)" = "DIE 2" ]' <<<"$out"
    # issue 13: after link-down and at exit ppp0 is gone; asking the kernel
    # for its MTU costs two module-loader runs in pppd
    out=$("$fake" "$so" init opt pppkit-config "$tmp/all.conf" phase 2 ifname ppp0 mtu 1492 link-down phase 11 \
        exit 0 2>&1)
    check_eq "$n: link-down, exit (exit status)" 0 "$?"
    check "$n: ... never asks for the MTU of the gone interface" grep -q '^mtu-of-gone-link=0$' <<<"$out"
done

mss=$build/pppkit-mss.so
if [ ! -f "$mss" ]; then
    fail "no $mss"
    nsl_finish
fi

out=$("$fake" "$mss" init options notifiers 2>&1)
for o in pppkit-mss pppkit-mss-ipv4 pppkit-mss-ipv6; do
    check "pppkit-mss: registers $o (privileged, takes a value)" grep -q "^option $o arg priv " <<<"$out"
done
check "pppkit-mss: ip-up/down, ipv6-up/down, link-down notifiers" \
    grep -q '^notifiers phase=1 ip-up=1 ip-down=1 ipv6-up=1 ipv6-down=1 link-down=1 exit=1$' <<<"$out"

# option | value | exit status | message (grep -F), for rejected values
rows=()
row() { rows+=("$1|$2|$3|$4|${5:-}"); }
row "$LINENO" pppkit-mss 1400 0
row "$LINENO" pppkit-mss auto 0
row "$LINENO" pppkit-mss pmtu 0
row "$LINENO" pppkit-mss 536 0
row "$LINENO" pppkit-mss 65495 0
row "$LINENO" pppkit-mss 100 2 "pppkit-mss: MSS must be 536-65495 (got '100')"
row "$LINENO" pppkit-mss 65496 2 "pppkit-mss: MSS must be 536-65495 (got '65496')"
row "$LINENO" pppkit-mss fast 2 "pppkit-mss: expected auto, pmtu or a number 536-65495 (got 'fast')"
row "$LINENO" pppkit-mss "" 2 "pppkit-mss: expected auto, pmtu or a number"
row "$LINENO" pppkit-mss-ipv4 yes 0
row "$LINENO" pppkit-mss-ipv4 maybe 2 "pppkit-mss-ipv4: expected yes or no (got 'maybe')"
row "$LINENO" pppkit-mss-ipv6 no 0
row "$LINENO" pppkit-mss-ipv6 2 2 "pppkit-mss-ipv6: expected yes or no (got '2')"
for row in "${rows[@]}"; do
    IFS='|' read -r line opt val want msg <<<"$row"
    out=$("$fake" "$mss" init opt "$opt" "$val" 2>&1)
    rc=$?
    what="row $line: $opt '$val'"
    if [ "$rc" != "$want" ]; then
        fail "$what: exit status $rc, expected $want"
        printf '%s\n' "$out" | sed 's/^/      /'
    elif [ "$want" = 0 ]; then
        check "$what accepted" grep -q "^OPTION-ACCEPTED $opt$" <<<"$out"
    else
        check "$what rejected: $msg" grep -qF "OPTION-ERROR: $msg" <<<"$out"
    fi
done

# ---- the notifiers against the real kernel, in a namespace of our own ----
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null; then
    echo "(not root or no nft: the namespace part is not run)"
    nsl_finish
fi
nsl_init load
nsl_on_exit "rm -rf '$tmp'"
ns_create r
ns_create peer
veth r ppp0 peer wan0 1454
list="nft list table inet pppkit_mss"
# how many of the slots (mss4, mss6, pmtu4, pmtu6) hold ppp0
count="$list 2>/dev/null | grep -c '\"ppp0\"'"
out=$(nsx r "${fake_real:-$fake}" "$mss" init opt pppkit-config "$tmp/good.conf" phase 1 phase 2 ifname ppp0 \
    ip-up sh "$count" ipv6-up sh "$count" sh "$list | grep -c '\"ppp0\" : 1394'" \
    ip-down sh "$count" ipv6-down sh "$count" \
    ip-up sh "$count" ip-up sh "$count" exit 0 sh "$count" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/      | /'
check_eq "pppkit-mss under the fake pppd: exit status" 0 "$rc"
check_eq "ppp0's elements after ip-up, ipv6-up, (mss6 1394), ip-down, ipv6-down, ip-up, ip-up, exit" \
    "2 2 1 2 0 2 2 0" "$(grep -o '^[0-9]*$' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check "ip-up logs what it installed" \
    grep -q '^LOG info: pppkit-mss: ppp0: IPv4 MSS 1414, IPv6 MSS 1394 (auto, MTU 1454, both directions), in table inet pppkit_mss' <<<"$out"
check_eq "the shared table stays after exit, with its 8 clamp rules" 8 \
    "$(nsx r nft list chain inet pppkit_mss clamp | grep -c 'maxseg size set')"
check "exit logs the longest callback" grep -Eq '^LOG info: pppkit-mss: longest callback [0-9.]+ ms' <<<"$out"
check "nothing was logged through error()" grep -q '^END errors-logged=0$' <<<"$out"

# leftovers of a pppd that was killed: ppp0 with another value (ppp0 exists)
# and ppp9 (no such interface). configure() drops ppp9; ip-up replaces ppp0.
nsx r nft add element inet pppkit_mss mss4 '{ "ppp0" : 1200 }'
nsx r nft add element inet pppkit_mss pmtu6 '{ "ppp9" }'
# pppd's debug logs CHAP's challenge and response: each plugin warns once,
# before the dial (phase 2, SERIALCONN); with three loaded, one line in all
warn="pppd's debug is on: pppd logs the CHAP challenge and response (enough to guess the password offline)"
for so in "${sos[@]}"; do
    n=$(basename "$so" .so)
    out=$("$fake" "$so" init opt pppkit-config "$tmp/all.conf" debug phase 1 phase 2 sh 'echo DIALLING' phase 4 \
        phase 2 exit 0 2>&1)
    check_eq "$n: pppd's debug: one warning, through pppd's warn()" 1 "$(grep -c "^LOG warn: $n: $warn" <<<"$out")"
    check "... before the dial" grep -q "^DIALLING$" <<<"$(sed -n "/$n: pppd's debug is on/,\$p" <<<"$out")"
    out=$("$fake" "$so" init opt pppkit-config "$tmp/all.conf" phase 1 phase 2 exit 0 2>&1)
    check_eq "$n: no debug, no warning" 0 "$(grep -c -F "$warn" <<<"$out")"
done
if [ ${#sos[@]} = 3 ]; then
    out=$("$fake" "${sos[0]}" init plugin "${sos[1]}" plugin "${sos[2]}" opt pppkit-config "$tmp/all.conf" \
        debug debug phase 1 phase 2 phase 4 exit 0 2>&1)
    check_eq "three plugins, debug given twice: one warning in all" 1 "$(grep -c -F "$warn" <<<"$out")"
fi

out=$(nsx r "${fake_real:-$fake}" "$mss" init opt pppkit-config "$tmp/good.conf" phase 2 \
    sh "$list | grep -c '\"ppp9\"'" ifname ppp0 ip-up sh "$list | grep -c '\"ppp0\" : 1414'" \
    sh "$list | grep -c '\"ppp0\" : 1200'" exit 0 sh "$count" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/      | /'
check_eq "stale elements: exit status" 0 "$rc"
check_eq "stale elements: ppp9 gone at configure, ppp0 1414 not 1200 after ip-up, none after exit" \
    "0 1 0 0" "$(grep -o '^[0-9]*$' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check "configure logs the dropped leftover" \
    grep -q '^LOG info: pppkit-mss: removed the MSS clamp of ppp9, left by a pppd that did not clean up' <<<"$out"
check "ip-up logs the replaced stale element" grep -q '^LOG info: pppkit-mss: replaced stale MSS elements for ppp0' <<<"$out"
check "... with the kernel's refusal of the element batch" \
    grep -q '^LOG info: pppkit-mss: replaced stale MSS elements for ppp0 (the kernel refused the element batch: File exists)' <<<"$out"
check "stale elements: nothing was logged through error()" grep -q '^END errors-logged=0$' <<<"$out"

# failure policy: a link the rules cannot name stays up, with an error logged
out=$(nsx r "${fake_real:-$fake}" "$mss" init opt pppkit-config "$tmp/good.conf" phase 2 ifname 'pp"0' ip-up 2>&1)
check_eq "an unusable interface name does not stop pppd" 0 "$?"
check "... and is logged through error()" grep -q "^LOG error: pppkit-mss: cannot clamp on interface 'pp\"0'" <<<"$out"
nsl_finish
