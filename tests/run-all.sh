#!/bin/bash
# run-all.sh [--sanitize] OUT: the whole of `make check`, tier by tier; a
# failing tier does not stop the others. Ends with the overall "N passed,
# N failed" line.
#
# --sanitize (make check SANITIZE=1, OUT built with ASan+UBSan): the unit
# and namespace tiers only (the lab's real pppd cannot load a sanitized
# plugin). Every sanitizer report of every process (plugins in the fake
# pppd, the pppkit command, the DDNS worker) goes to OUT/san-logs; a tier
# after which a report is there fails, even when its tests passed.
set -u
sanitize=0
if [ "${1:-}" = --sanitize ]; then
    sanitize=1
    shift
fi
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
total_pass=0 total_fail=0 total_skip=0
tiers_failed=""
run() { # NAME CMD...
    local name=$1 log rc p f s
    shift
    log=$(mktemp)
    echo "=== $name"
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$name" = unit ]; then
        # doctest: "[doctest] test cases: 40 | 40 passed | 0 failed | 0 skipped"
        p=$(sed -n 's/.*test cases: *[0-9]* | *\([0-9]*\) passed.*/\1/p' "$log" | tail -n1)
        f=$(sed -n 's/.*passed | *\([0-9]*\) failed.*/\1/p' "$log" | tail -n1)
        s=0
    else
        p=$(sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1/p' "$log" | tail -n1)
        f=$(sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\2/p' "$log" | tail -n1)
        s=$(sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\3/p' "$log" | tail -n1)
    fi
    rm -f "$log"
    if [ $sanitize = 1 ] && [ -n "$(ls -A "$san_logs" 2>/dev/null)" ]; then
        echo "sanitizer reports during $name (in $san_logs):"
        for r in "$san_logs"/*; do
            echo "  $r:"
            grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$r" | sed 's/^/    | /'
        done
        mkdir -p "$san_logs.$name" && mv "$san_logs"/* "$san_logs.$name/"
        echo "  (moved to $san_logs.$name)"
        rc=1 f=$((${f:-0} + 1))
    fi
    total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0})); total_skip=$((total_skip + ${s:-0}))
    if [ "$rc" -ne 0 ]; then
        tiers_failed="$tiers_failed $name"
        [ "${f:-0}" -gt 0 ] || total_fail=$((total_fail + 1))
    fi
}
if [ $sanitize = 1 ]; then
    san_logs=$(readlink -f "$out")/san-logs
    rm -rf "$san_logs" "$san_logs".* && mkdir -p "$san_logs"
    # log_path: one file per reporting process, whatever its stderr is tied to.
    export ASAN_OPTIONS="log_path=$san_logs/asan:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export UBSAN_OPTIONS="log_path=$san_logs/ubsan:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
    # Sanitized binaries run 2-3 times slower: the firewall test's helper
    # servers must outlive its last checks.
    export PPPKIT_NETNS_LIFE=450
    run unit make --no-print-directory check-unit
    run netns make --no-print-directory check-netns
else
    run unit make --no-print-directory check-unit
    run fuzz make --no-print-directory check-fuzz
    run load make --no-print-directory check-load
    run netns make --no-print-directory check-netns
    run e2e make --no-print-directory check-e2e
    # nocheck: the package build's own test (debian/rules: check-unit) would
    # build and run the unit tier a second time, from the same sources with
    # the same hardening flags, minutes after the unit tier above; `make deb`
    # alone still runs it.
    DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
        run deb make --no-print-directory check-deb
    run cross make --no-print-directory check-cross
fi
echo "==="
[ -z "$tiers_failed" ] || echo "failed tiers:$tiers_failed"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ -z "$tiers_failed" ]
