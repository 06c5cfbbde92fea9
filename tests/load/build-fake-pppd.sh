#!/bin/sh
# build-fake-pppd.sh BUILD: compiles tests/load/fake_pppd.c (against the
# system's pppd 2.4.9 headers) into BUILD/load/fake_pppd when it is stale;
# prints the binary's path. Used by the load tier and by make bench.
set -eu
build=${1:?usage: build-fake-pppd.sh BUILD}
src=$(cd "$(dirname "$0")" && pwd)/fake_pppd.c
out=$build/load/fake_pppd
mkdir -p "$build/load"
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
    ${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -rdynamic -o "$out.tmp" "$src" -ldl
    mv "$out.tmp" "$out"
fi
echo "$out"
