#!/bin/bash
# run-tier.sh TIER OUT: runs every tests/TIER/*.test.sh with the build dir OUT.
# Each test script exits 0 (pass), 77 (skipped, with a reason on stdout) or
# anything else (fail). Prints one PASS/FAIL/SKIP line per script, as each
# ends, and ends with "N passed, N failed, N skipped". Exit status 1 if any
# failed.
#
# PPPKIT_TIER_JOBS=N runs up to N scripts at once (default 1), starting with
# the ones PPPKIT_TIER_FIRST names (space separated, longest first), then the
# rest in name order. Only for a tier whose scripts share nothing on the host:
# the lab VMs (e2e) each have their own work dir and network, and one VM keeps
# one core busy (run-all.sh runs e2e two at a time on CI's two cores).
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
# pppkit's tables in the host's own network namespace (root only): a test
# works in namespaces and VMs of its own, so a script that adds or removes
# one there fails (a plugin run in the host's namespace once left an MSS
# table behind). Only when scripts run one at a time: the change is theirs.
host_tables() {
    [ "$(id -u)" = 0 ] && command -v nft >/dev/null || return 0
    nft list tables 2>/dev/null | grep -E '^table [a-z0-9]+ pppkit_' | sort | tr '\n' ' '
}
host_before=
finish() { # NAME RC SECS: counts and prints one ended script
    local name=$1 rc=$2 secs=$3 reason after
    if [ "${jobs_max:-1}" = 1 ] && [ "$rc" -ne 77 ]; then
        after=$(host_tables)
        if [ "$after" != "$host_before" ]; then
            echo "$name changed pppkit's tables in the host's network namespace: before [${host_before% }], after [${after% }]" \
                >>"$logdir/$name.log"
            echo "FAIL: the host's nftables tables changed" >>"$logdir/$name.log"
            [ "$rc" -eq 0 ] && rc=1
        fi
    fi
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS $tier/$name (${secs}s)"
    elif [ "$rc" -eq 77 ]; then
        reason=$(tail -n 1 "$logdir/$name.log")
        if [ "${CI:-}" = true ] && ! skip_allowed "$reason"; then
            fail=$((fail + 1))
            echo "FAIL $tier/$name: skipped in CI, and README.md does not allow this reason: $reason"
        else
            skip=$((skip + 1)); echo "SKIP $tier/$name: $reason"
        fi
    else
        fail=$((fail + 1)); echo "FAIL $tier/$name (rc=$rc, ${secs}s), log: $logdir/$name.log"
        # the failed checks first (a lab test's log ends with its VM's logs,
        # which would push them out of the tail), then the log's end
        grep -E '^ *FAIL[: ]' "$logdir/$name.log" | head -n 10 | sed 's/^/    failed| /'
        tail -n 40 "$logdir/$name.log" | sed 's/^/    | /'
    fi
}
one() { # SCRIPT: runs it, its log to logdir; exits with its status
    PPPKIT_BUILD=$out PPPKIT_TOP=$top bash "$1" "$out" >"$logdir/$(basename "$1" .test.sh).log" 2>&1 </dev/null
}
scripts=()
for name in ${PPPKIT_TIER_FIRST:-}; do
    [ -f "$top/tests/$tier/$name.test.sh" ] && scripts+=("$top/tests/$tier/$name.test.sh")
done
for t in "$top"/tests/"$tier"/*.test.sh; do
    [[ " ${PPPKIT_TIER_FIRST:-} " == *" $(basename "$t" .test.sh) "* ]] || scripts+=("$t")
done
jobs_max=${PPPKIT_TIER_JOBS:-1}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || jobs_max=1
declare -A names=() starts=()
reap() { # waits for one running script and reports it
    local pid rc=0
    wait -n -p pid "${!names[@]}" || rc=$?
    finish "${names[$pid]}" "$rc" "$(awk -v s="${starts[$pid]}" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')"
    unset "names[$pid]" "starts[$pid]"
}
for t in "${scripts[@]}"; do
    while [ "${#names[@]}" -ge "$jobs_max" ]; do reap; done
    start=$(date +%s.%N)
    [ "$jobs_max" = 1 ] && host_before=$(host_tables)
    one "$t" &
    names[$!]=$(basename "$t" .test.sh) starts[$!]=$start
done
while [ "${#names[@]}" -gt 0 ]; do reap; done
echo "$tier: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
