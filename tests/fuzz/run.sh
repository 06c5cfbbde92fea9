#!/bin/bash
# run.sh BUILD SECONDS [TARGET...]: runs each fuzz target (BUILD/fuzz/fuzz-TARGET,
# built by `make fuzz-build`) for SECONDS on its committed seed corpus
# (tests/fuzz/corpus/TARGET, read only) plus what earlier runs found
# (BUILD/fuzz/corpus/TARGET). Crash and oracle inputs are written to
# BUILD/fuzz/artifacts/TARGET/. Then the nft oracle: every ruleset the
# firewall target accepted (and the failsafe) must pass `nft -c`, and an
# extras file must not break pppkit's own lines (nft's first error points
# inside it); nft runs as a child, in a
# network namespace of its own (libnftables 1.0.6 can abort, issue 14).
# Prints PASS/FAIL per target and ends with "fuzz: N passed, N failed, N skipped".
# FUZZ_KEEP_GOING=1: go on after a crash (libFuzzer's fork mode) to collect
# every distinct finding of the run in the artifacts directory.
set -u
build=$(readlink -f "$1") secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls "$top"/tests/fuzz/corpus)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 skip=0
logdir=$build/test-logs/fuzz
mkdir -p "$logdir"

# nft_oracle TARGET BIN WORK SEEDS: 0 when every dumped ruleset passes.
nft_oracle() {
    local t=$1 bin=$2 work=$3 seeds=$4 dump=$build/fuzz/dump/$t bad=$build/fuzz/artifacts/$t/nft f rc err n=0 bad_n=0
    rm -rf "$dump" && mkdir -p "$dump" "$bad"
    PPPKIT_FUZZ_DUMP=$dump "$bin" -runs=0 "$work" "$seeds" >"$logdir/$t.dump.log" 2>&1 || {
        echo "dump run failed: $logdir/$t.dump.log"
        return 1
    }
    # one nft per distinct ruleset
    while read -r f; do
        n=$((n + 1))
        err=$(unshare --net nft -c -f "$f" 2>&1)
        rc=$?
        [ $rc -eq 0 ] && continue
        if [ "$t" = extras ]; then
            # The user's extras may be wrong (nft says so, pppkit reports it) or
            # crash libnftables (issue 14: pppkit checks them in a child first);
            # they must never break pppkit's own lines.
            if [ $rc -ge 128 ]; then
                echo "note: nft crashed (rc $rc) on $(basename "$f" .nft).extras (libnftables; kept in $bad)"
                cp "$f" "${f%.nft}.extras" "$bad/" 2>/dev/null
                continue
            fi
            # nft's first error must point inside the extras file (as the
            # product stages it: its last line ends in a newline, so even an
            # unfinished last statement is refused there). An error at one of
            # pppkit's lines means the extras reached past their include.
            local first
            first=$(grep -m1 ': Error: ' <<<"$err")
            [[ "$first" == "${f%.nft}.extras:"* ]] && continue
        fi
        bad_n=$((bad_n + 1))
        cp "$f" "$bad/"
        [ "$t" = extras ] && cp "${f%.nft}.extras" "$bad/"
        echo "nft -c refuses (rc $rc) a ruleset of an accepted input: $bad/$(basename "$f")"
        head -n 3 <<<"$err" | sed 's/^/      /'
    done < <(md5sum "$dump"/*.nft 2>/dev/null | sort | uniq -w32 | cut -c35-)
    echo "nft oracle: $n distinct rulesets, $bad_n refused"
    [ $bad_n -eq 0 ]
}

for t in "${targets[@]}"; do
    bin=$build/fuzz/fuzz-$t seeds=$top/tests/fuzz/corpus/$t
    work=$build/fuzz/corpus/$t art=$build/fuzz/artifacts/$t
    log=$logdir/$t.log
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        fail=$((fail + 1)); echo "FAIL fuzz/$t: no $bin or no $seeds (make fuzz-build)"
        continue
    fi
    mkdir -p "$work" "$art"
    start=$(date +%s)
    keep=() crashes=
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    # FUZZ_SEED (make check-fuzz sets 1): the same inputs in the same order on
    # every run, so that a regression, not luck, fails make check; make fuzz
    # leaves it unset (a new random walk each time).
    seed=()
    [ -n "${FUZZ_SEED:-}" ] && seed=(-seed="$FUZZ_SEED")
    timeout --kill-after=10 $((secs + 120)) "$bin" "${keep[@]}" "${seed[@]}" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    if [ -z "$execs" ]; then # fork mode: "#N: cov: ... exec/s R oom/timeout/crash: O/T/C ..."
        execs=$(grep -o '^#[0-9]*: cov' "$log" | tail -n1 | tr -dc 0-9)
        rate=$(grep -o 'exec/s [0-9]*' "$log" | tail -n1 | tr -dc 0-9)
        crashes=$(grep -o 'oom/timeout/crash: [0-9/]*' "$log" | tail -n1 | cut -d/ -f5)
        [ "${crashes:-0}" -gt 0 ] && rc=1
    fi
    what="${execs:-?} runs, ${rate:-?} exec/s, $(($(date +%s) - start))s"
    if [ $rc -ne 0 ]; then
        fail=$((fail + 1))
        artifact=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n1)
        echo "FAIL fuzz/$t (rc=$rc, $what): ${artifact:-no artifact}, log: $log"
        [ -n "${crashes:-}" ] && echo "    | $crashes crashes, inputs in $art/"
        grep -m3 -E '^ORACLE|ERROR: AddressSanitizer|runtime error|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    | /'
        [ -n "$artifact" ] && echo "    | reproduce: $bin $artifact"
        continue
    fi
    case $t in
    firewall | extras | import)
        if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null; then
            if [ "${CI:-}" = true ]; then
                fail=$((fail + 1)); echo "FAIL fuzz/$t ($what): skipped in CI: the nft oracle needs root and nft"
            else
                skip=$((skip + 1)); echo "SKIP fuzz/$t ($what): the nft oracle needs root and nft"
            fi
            continue
        fi
        if ! out=$(nft_oracle "$t" "$bin" "$work" "$seeds"); then
            fail=$((fail + 1)); echo "FAIL fuzz/$t ($what)"; sed 's/^/    | /' <<<"$out"
            continue
        fi
        what="$what; $(tail -n1 <<<"$out")"
        grep '^note:' <<<"$out" | sed 's/^/    /'
        ;;
    esac
    pass=$((pass + 1)); echo "PASS fuzz/$t ($what)"
done
echo "fuzz: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
