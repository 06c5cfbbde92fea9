#!/bin/bash
# lint.sh [format|tidy]...: `make lint`. Default: both.
#   format  clang-format --dry-run -Werror over every tracked C/C++ file
#           (.clang-format); `make format` fixes what it reports.
#   tidy    clang-tidy 14 (.clang-tidy, each check's reason is there) over
#           the product (plugins/, supervisor/) and the unit tests, with the
#           build's language flags: C++20 -Iplugins -Isupervisor, and the pppd
#           shim as C (gnu11) with the system's pppd headers. Test drivers
#           (tests/<tier>/*.c) only get the format check.
# Prints one PASS/FAIL line per file and check, then a summary; exit 1 if
# anything fails. Files are checked two at a time (clang-tidy takes seconds
# per file).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=${*:-format tidy}
jobs=${LINT_JOBS:-$(nproc)}

pick() { for t; do command -v "$t" >/dev/null 2>&1 && { echo "$t"; return; }; done; }
CLANG_FORMAT=${CLANG_FORMAT:-$(pick clang-format-14 clang-format)}
CLANG_TIDY=${CLANG_TIDY:-$(pick clang-tidy-14 clang-tidy)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

if [[ " $what " == *" format "* ]]; then
    [ -n "$CLANG_FORMAT" ] || { echo "lint: clang-format is missing (make deps)" >&2; exit 2; }
    mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
    bad=0
    for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        n=$("$CLANG_FORMAT" --dry-run "$f" 2>&1 | grep -c 'warning: code should be clang-formatted')
        if [ "$n" -eq 0 ]; then
            echo "PASS format $f"
        else
            echo "FAIL format $f ($n places; see: clang-format $f | diff $f -)"
            bad=$((bad + 1))
        fi
    done
    # The gate itself: clang-format's own verdict, all files at once.
    if ! "$CLANG_FORMAT" --dry-run -Werror "${files[@]}" >/dev/null 2>&1; then
        [ $bad -gt 0 ] || bad=1
    fi
    echo "format: $((${#files[@]} - bad)) of ${#files[@]} files formatted ($("$CLANG_FORMAT" --version | head -n1))"
    [ $bad -eq 0 ] || { echo "format: run 'make format' to fix $bad file(s)"; failed=1; }
fi

if [[ " $what " == *" tidy "* ]]; then
    [ -n "$CLANG_TIDY" ] || { echo "lint: clang-tidy is missing (make deps)" >&2; exit 2; }
    mapfile -t cxx < <(git ls-files 'plugins/*.cpp' 'supervisor/*.cpp' 'tests/unit/*.cpp')
    mapfile -t cc < <(git ls-files 'plugins/*.c' 'supervisor/*.c')
    export CLANG_TIDY tmp
    tidy_one() { # FILE: runs clang-tidy on one file, leaves FILE's log and status in $tmp
        local f=$1 key flags
        key=$(echo "$f" | tr / _)
        case $f in
            *.c) flags=(-std=gnu11) ;;
            *) flags=(-std=c++20 -Iplugins -Isupervisor '-DPPPKIT_VERSION="0.0.0"') ;;
        esac
        # at most 900 s of CPU (not of wall time: .ci/run runs lint at nice 19
        # alongside make check, where a file may wait long for a core)
        (ulimit -t 900 && exec "$CLANG_TIDY" --quiet "$f" -- "${flags[@]}") >"$tmp/$key.log" 2>&1
        echo $? >"$tmp/$key.rc"
    }
    export -f tidy_one
    start=$(date +%s)
    printf '%s\0' "${cxx[@]}" "${cc[@]}" | xargs -0 -r -n1 -P "$jobs" bash -c 'tidy_one "$1"' tidy
    bad=0 total=0
    for f in "${cxx[@]}" "${cc[@]}"; do
        [ -f "$f" ] || continue
        total=$((total + 1))
        key=$(echo "$f" | tr / _)
        if [ "$(cat "$tmp/$key.rc" 2>/dev/null)" = 0 ]; then
            echo "PASS tidy $f"
        else
            echo "FAIL tidy $f"
            grep -E 'error:|warning:' "$tmp/$key.log" | sed "s|^$top/||; s/^/    /"
            bad=$((bad + 1))
        fi
    done
    echo "tidy: $((total - bad)) of $total files clean ($("$CLANG_TIDY" --version | grep -o 'LLVM version [0-9.]*'), $(($(date +%s) - start))s)"
    [ $bad -eq 0 ] || failed=1
fi

if [ $failed -eq 0 ]; then echo "lint: OK"; else echo "lint: FAILED"; fi
exit $failed
