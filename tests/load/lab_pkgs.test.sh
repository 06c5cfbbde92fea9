#!/bin/bash
# lab_pkgs.test.sh BUILD - the Debian 13 lab root (tests/e2e/lab.sh,
# LAB_TRIXIE_PKGS, debootstrap --include) carries the runtime library of every
# shared object the built plugins and tools need, as the package's Depends
# (${shlibs:Depends}) do on a real install (issue 13: without libinih1 the
# plugin did not load in the 2.5 root). Each library is mapped to its Debian
# package on this host with dpkg -S; Debian 13's 64-bit time_t renames
# (libcurl4 -> libcurl4t64) count as the same package.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need ldd
nsl_need readelf
nsl_need dpkg
list=$(sed -n 's/^LAB_TRIXIE_PKGS=//p' "$top/tests/e2e/lab.sh")
check "lab.sh defines LAB_TRIXIE_PKGS" test -n "$list"
shopt -s nullglob
bins=("$build"/pppkit-*.so "$build"/pppkit "$build"/pppkit-ddns-worker)
[ ${#bins[@]} -gt 0 ] || { fail "nothing built in $build (make all)"; nsl_finish; }
for b in "${bins[@]}"; do
    [ -e "$b" ] || continue
    # the direct dependencies (DT_NEEDED), as dpkg-shlibdeps sees them; what
    # those libraries need in turn, their packages' Depends bring
    for so in $(readelf -d "$b" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
        lib=$(ldd "$b" | awk -v so="$so" '$1 == so && $3 ~ /^\// {print $3}')
        [ -n "$lib" ] || { fail "$(basename "$b"): $so is not found by ldd"; continue; }
        pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2>/dev/null | head -n1 | cut -d: -f1)
        if [ -z "$pkg" ]; then
            fail "$(basename "$b"): $lib belongs to no Debian package"
            continue
        fi
        check "$(basename "$b"): $(basename "$lib") ($pkg) is in the lab root's package list" \
            bash -c 'tr , "\n" <<<"$1" | grep -Fqx -e "$2" -e "${2}t64"' _ "$list" "$pkg"
    done
done
nsl_finish
