#!/bin/bash
# run-all.sh OUT: the whole of `make check`, tier by tier; a failing tier does
# not stop the others. Ends with the overall "N passed, N failed" line.
set -u
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
    total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0})); total_skip=$((total_skip + ${s:-0}))
    if [ "$rc" -ne 0 ]; then
        tiers_failed="$tiers_failed $name"
        [ "${f:-0}" -gt 0 ] || total_fail=$((total_fail + 1))
    fi
}
run unit make --no-print-directory check-unit
run load make --no-print-directory check-load
run netns make --no-print-directory check-netns
run e2e make --no-print-directory check-e2e
run deb make --no-print-directory check-deb
run cross make --no-print-directory check-cross
echo "==="
[ -z "$tiers_failed" ] || echo "failed tiers:$tiers_failed"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ -z "$tiers_failed" ]
