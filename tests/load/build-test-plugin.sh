#!/bin/sh
# build-test-plugin.sh BUILD: links tests/load/failing_plugin.cpp with the
# host objects "make" built (BUILD/obj/plugins/host/*.o), the same way the
# shipped plugins are linked, into BUILD/load/pppkit-failtest.so (test only:
# outside BUILD/pppkit-*.so, never packaged). Prints the .so's path.
set -eu
build=${1:?usage: build-test-plugin.sh BUILD}
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/load/failing_plugin.cpp
# the same host objects every plugin links (the shim, the host, the event
# sender to pppkitd, the redial backoff) and the core library they need
host="$build/obj/plugins/host/pppd_shim.o $build/obj/plugins/host/host.o $build/obj/plugins/host/events.o
      $build/obj/plugins/host/holdoff.o"
core=$build/libpppkit-core.a
out=$build/load/pppkit-failtest.so
for o in $host; do
    [ -f "$o" ] || { echo "build-test-plugin: no $o (make all first)" >&2; exit 1; }
done
mkdir -p "$build/load"
stale=0
for f in "$src" "$0" $host "$core"; do
    [ "$f" -nt "$out" ] && stale=1
done
if [ ! -f "$out" ] || [ $stale = 1 ]; then
    ${CXX:-g++} -std=c++20 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -I"$top/plugins" -shared \
        -o "$out.tmp" "$src" $host "$core" -Wl,--version-script="$top/plugins/host/plugin.ver" \
        -Wl,--as-needed -lnftables -linih -lcurl -lsystemd -lcrypto
    mv "$out.tmp" "$out"
fi
echo "$out"
