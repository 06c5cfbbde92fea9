#!/bin/bash
# symbols.test.sh BUILD - every built plugin (BUILD/pppkit-*.so) exports
# exactly plugin_init and pppd_version, and pppd_version is the VERSION of
# the pppd headers it was built against (/usr/include/pppd/patchlevel.h):
# pppd refuses a plugin whose string differs (options.c, loadplugin()).
# Only the DDNS worker links libcrypto. Each plugin holds only its own
# plugin's code.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need nm python3 gcc
hdr=/usr/include/pppd/patchlevel.h
[ -f "$hdr" ] || nsl_skip "no $hdr (apt-get install ppp-dev)"
want=$(sed -n 's/^#define[[:space:]]*VERSION[[:space:]]*"\(.*\)".*/\1/p' "$hdr")
[ -n "$want" ] || { fail "no VERSION in $hdr"; nsl_finish; }
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }

shopt -s nullglob
sos=("$build"/pppkit-*.so)
[ ${#sos[@]} -gt 0 ] || { fail "no $build/pppkit-*.so (make all first)"; nsl_finish; }
for so in "${sos[@]}"; do
    n=$(basename "$so")
    exports=$(nm -D --defined-only "$so" | awk '{print $NF}' | sort | tr '\n' ' ')
    check_eq "$n exports exactly plugin_init and pppd_version" "plugin_init pppd_version " "$exports"
    check_eq "$n: pppd_version in the file = headers' VERSION" "$want" \
        "$(python3 "$top/tests/load/elf_string.py" "$so" pppd_version)"
    check_eq "$n: pppd_version seen through dlopen(RTLD_NOW)" "pppd_version $want" \
        "$("$fake" "$so" version | grep '^pppd_version')"
    check_eq "$n: plugin_init is a function" "T" "$(nm -D --defined-only "$so" | awk '$3 == "plugin_init" {print $2}')"
done
# Each plugin carries only its own code (issue 10): no symbol of another
# plugin's namespace (pppkit::<other>::, pppkit::<other>_..., pppkit::cli::<other>...).
# Hidden symbols count too: they are read from the symbol table, not the exports.
names=()
for so in "${sos[@]}"; do n=$(basename "$so" .so); names+=("${n#pppkit-}"); done
for so in "${sos[@]}"; do
    own=$(basename "$so" .so); own=${own#pppkit-}
    syms=$(nm -C --defined-only "$so")
    for other in "${names[@]}"; do
        [ "$other" = "$own" ] && continue
        check_eq "$(basename "$so") carries no $other code" "" \
            "$(grep -E "pppkit::(cli::)?${other}(::|_)" <<<"$syms" | awk '{$1 = ""; print}' | sort -u | head -n 5)"
    done
done
# MD5 (APOP, the profile fingerprint) is the DDNS worker's alone: a plugin,
# pppkitd or the CLI that needs libcrypto pulls 1.4 MB of it into pppd or the
# daemon for nothing (plugins/ddns/core/fingerprint.cpp says why).
for f in "${sos[@]}" "$build/pppkitd" "$build/pppkit"; do
    [ -e "$f" ] || continue
    check_eq "$(basename "$f") does not need libcrypto" "" \
        "$(readelf -d "$f" | sed -n 's/.*Shared library: \[\(libcrypto[^]]*\)\].*/\1/p')"
done
# pppkitd carries the parts of the C++ runtime it uses (Makefile:
# PPPKITD_LDFLAGS): loading and relocating libstdc++.so, libm and libgcc_s
# cost it 1.4 MB of RSS at rest (make bench).
d=$build/pppkitd
if [ -e "$d" ] && ! readelf -d "$d" | grep -q 'Shared library: \[libasan'; then
    check_eq "pppkitd does not need libstdc++, libm or libgcc_s" "" \
        "$(readelf -d "$d" | sed -n 's/.*Shared library: \[\(lib\(stdc++\|m\|gcc_s\)\.[^]]*\)\].*/\1/p')"
fi
# The DDNS worker loads the whole configuration (every plugin's schema, for
# unknown keys) but runs no firewall or MSS rule: the value parsers live in
# each plugin's schema.cpp, so neither the rule generators nor the nfnetlink
# batches (libnftnl) come with them.
w=$build/pppkit-ddns-worker
if [ -e "$w" ]; then
    check_eq "pppkit-ddns-worker does not need libnftnl or libnftables" "" \
        "$(readelf -d "$w" | sed -n 's/.*Shared library: \[\(libnft[^]]*\)\].*/\1/p')"
    check_eq "pppkit-ddns-worker carries no rule generator or nfnetlink code" "" \
        "$(nm -C --defined-only "$w" | grep -E 'pppkit::(nfnl::|firewall::full_ruleset|firewall::from_config|mss::install_base)' |
            awk '{$1 = ""; print}' | sort -u | head -n 5)"
fi
nsl_finish
