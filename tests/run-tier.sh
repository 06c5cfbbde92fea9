#!/bin/bash
# run-tier.sh TIER OUT: runs every tests/TIER/*.test.sh with the build dir OUT.
# Each test script exits 0 (pass), 77 (skipped, with a reason on stdout) or
# anything else (fail). Prints one PASS/FAIL/SKIP line per script and ends
# with "N passed, N failed, N skipped". Exit status 1 if any failed.
#
# A skipped test is not a passed test: with CI=true (.ci/run sets it), a
# skip counts as a failure unless its reason (the log's last line) contains
# one of the texts README.md lists between its allowed-skips markers.
set -u
tier=$1 out=$(readlink -f "$2")
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=$out/test-logs/$tier
mkdir -p "$logdir"
pass=0 fail=0 skip=0
shopt -s nullglob
# "- `TEXT` ..." lines between <!-- allowed-skips --> and <!-- /allowed-skips -->
mapfile -t allowed_skips < <(sed -n '/<!-- allowed-skips/,/<!-- \/allowed-skips/s/^ *- `\([^`]*\)`.*/\1/p' "$top/README.md")
skip_allowed() { # REASON: 0 when README allows it
    local a
    for a in "${allowed_skips[@]}"; do
        [ -n "$a" ] && [[ $1 == *"$a"* ]] && return 0
    done
    return 1
}
for t in "$top"/tests/"$tier"/*.test.sh; do
    name=$(basename "$t" .test.sh)
    start=$(date +%s.%N)
    PPPKIT_BUILD=$out PPPKIT_TOP=$top bash "$t" "$out" >"$logdir/$name.log" 2>&1 </dev/null
    rc=$?
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS $tier/$name (${secs}s)"
    elif [ $rc -eq 77 ]; then
        reason=$(tail -n 1 "$logdir/$name.log")
        if [ "${CI:-}" = true ] && ! skip_allowed "$reason"; then
            fail=$((fail + 1))
            echo "FAIL $tier/$name: skipped in CI, and README.md does not allow this reason: $reason"
        else
            skip=$((skip + 1)); echo "SKIP $tier/$name: $reason"
        fi
    else
        fail=$((fail + 1)); echo "FAIL $tier/$name (rc=$rc, ${secs}s), log: $logdir/$name.log"
        tail -n 40 "$logdir/$name.log" | sed 's/^/    | /'
    fi
done
echo "$tier: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
