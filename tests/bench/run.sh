#!/bin/bash
# run.sh BUILD - `make bench`: runs every tests/bench/*.bench.sh with the
# build dir and prints one side-by-side table per bench table.
# A bench script prints tab-separated lines (anything else is kept in its log):
#   ROW <table> <label> <median> <unit> <runs> <min> <max>   the first row of a
#                                        table is the reference for the ratio column
#   VERDICT <table> PASS|FAIL <text>     a target, met or missed
#   NOTE <table> <text>                  context printed under the table
# Exit status: 1 if a bench script failed (or, with BENCH_STRICT=1, if a target
# was missed); 77-skipped scripts are listed with their reason.
set -u
out=$(readlink -f "${1:-build}")
top=$(cd "$(dirname "$0")/../.." && pwd)
logdir=$out/bench-logs
mkdir -p "$logdir"
failed=0 missed=0 met=0
shopt -s nullglob
for b in "$top"/tests/bench/*.bench.sh; do
    name=$(basename "$b" .bench.sh)
    start=$(date +%s.%N)
    PPPKIT_BUILD=$out PPPKIT_TOP=$top bash "$b" "$out" >"$logdir/$name.log" 2>&1 </dev/null
    rc=$?
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e-s}')
    echo
    if [ $rc -eq 77 ]; then
        echo "== $name: SKIPPED: $(tail -n 1 "$logdir/$name.log")"
        continue
    fi
    echo "== $name (${secs}s, log: $logdir/$name.log)"
    awk -F'\t' '
        $1 == "ROW" || $1 == "VERDICT" || $1 == "NOTE" {
            if (!($2 in seen)) { seen[$2] = 1; order[++nt] = $2 }
        }
        $1 == "ROW" {
            k = ++nr[$2]; lab[$2, k] = $3; med[$2, k] = $4; unit[$2, k] = $5
            runs[$2, k] = $6; mn[$2, k] = $7; mx[$2, k] = $8
            if (length($3) > w) w = length($3)
        }
        $1 == "VERDICT" { nv[$2]++; ver[$2, nv[$2]] = sprintf("%s: %s", ($3 == "PASS" ? "target met" : "TARGET MISSED"), $4) }
        $1 == "NOTE" { nn[$2]++; note[$2, nn[$2]] = $3 }
        END {
            if (w < 6) w = 6
            for (i = 1; i <= nt; i++) {
                t = order[i]
                printf "\n%s\n", t
                printf "  %-*s %12s %12s %12s %6s  %s\n", w, "method", "median", "min", "max", "runs", "vs first"
                for (k = 1; k <= nr[t]; k++) {
                    ratio = (med[t, 1] > 0) ? med[t, k] / med[t, 1] : 0
                    printf "  %-*s %9.3f %-2s %9.3f %-2s %9.3f %-2s %6s  %7.1fx\n", w, lab[t, k], med[t, k], unit[t, k], \
                        mn[t, k], unit[t, k], mx[t, k], unit[t, k], runs[t, k], ratio
                }
                for (k = 1; k <= nn[t]; k++) printf "  note: %s\n", note[t, k]
                for (k = 1; k <= nv[t]; k++) printf "  %s\n", ver[t, k]
            }
        }' "$logdir/$name.log"
    m=$(grep -c '^VERDICT	[^	]*	FAIL' "$logdir/$name.log")
    p=$(grep -c '^VERDICT	[^	]*	PASS' "$logdir/$name.log")
    missed=$((missed + m)) met=$((met + p))
    if [ $rc -ne 0 ]; then
        failed=$((failed + 1))
        echo "FAILED: $name (rc=$rc)"
        grep -v '^\(ROW\|VERDICT\|NOTE\)	' "$logdir/$name.log" | tail -n 20 | sed 's/^/    | /'
    fi
done
echo
echo "bench: $met targets met, $missed missed, $failed bench scripts failed"
[ $failed -eq 0 ] || exit 1
[ "${BENCH_STRICT:-0}" = 1 ] && [ $missed -gt 0 ] && exit 1
exit 0
