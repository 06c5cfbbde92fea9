#!/bin/bash
# version_rebuild.test.sh OUT: a new version in debian/changelog rebuilds
# every object that embeds PPPKIT_VERSION (make -n -W: "as if the changelog
# were new", nothing is built) and the binaries that link them (issue 10).
set -u
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(readlink -f "${1:-$top/build}")
cd "$top" || exit 1
fails=0
plan=$(make -n -W debian/changelog BUILD="$(dirname "$out")" OUT="$out" all 2>&1)
for src in $(grep -l PPPKIT_VERSION $(git ls-files '*.cpp' | grep -v '^tests/')); do
    o=$out/obj/${src%.cpp}.o
    if grep -q -- "-o $o" <<<"$plan"; then echo "PASS rebuilds $src"
    else echo "FAIL $src embeds PPPKIT_VERSION but is not rebuilt"; fails=$((fails + 1)); fi
done
for b in pppkit pppkitd pppkit-ddns.so; do
    if grep -q -- "-o $out/$b " <<<"$plan"; then echo "PASS relinks $b"
    else echo "FAIL $b is not relinked"; fails=$((fails + 1)); fi
done
[ $fails = 0 ]
