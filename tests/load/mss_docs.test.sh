#!/bin/bash
# mss_docs.test.sh BUILD - pppkit-mss's shipped documentation stays true:
# the example configuration passes `pppkit check`, the man page renders
# without a single warning, and the README's example rules are what
# `pppkit mss show ppp0 1454` prints.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
d=$top/plugins/mss
[ -x "$build/pppkit" ] || nsl_skip "no $build/pppkit (make all)"
check "pppkit --config pppkit-mss.conf.example check" "$build/pppkit" --config "$d/pppkit-mss.conf.example" check
if command -v man >/dev/null; then
    warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$d/pppkit-mss.8" 2>&1 >/dev/null)
    check_eq "man -l pppkit-mss.8: warnings" "" "$warn"
else
    echo "(no man: the man page is not rendered)"
fi
# the rules block of the README, against the command's own output
readme=$(sed -n '/^table inet pppkit_mss {$/,/^}$/p' "$d/README.md")
# in a network namespace of its own when root: `mss show` also lists what is
# installed, and the host's ruleset is none of this test's business
ns=
[ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && ns="unshare -n"
shown=$(HOME=/nonexistent $ns "$build/pppkit" --config /dev/null mss show ppp0 1454 2>&1 |
    sed -n '/^table inet pppkit_mss {$/,/^}$/p')
check "the README has a table inet pppkit_mss block" test -n "$readme"
check_eq "README's rules = pppkit mss show ppp0 1454" "$shown" "$readme"
nsl_finish
