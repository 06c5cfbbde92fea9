#!/bin/bash
# abi25.test.sh BUILD - the pppd 2.5 build (Debian 13's ABI):
#   - `make PPPD_ABI=2.5 BUILD=BUILD all` compiles; it fetches trixie's ppp-dev
#     headers into BUILD/pppd-2.5 (plugins/host/fetch-pppd-headers.sh);
#   - each BUILD/abi-2.5/pppkit-*.so exports exactly plugin_init and
#     pppd_version, and pppd_version is the headers' PPPD_VERSION (2.5.2);
#   - every symbol it leaves to pppd (undefined, and not provided by the
#     libraries it links) is exported by trixie's real pppd binary, fetched
#     as the `ppp` .deb through the same private apt configuration (the
#     system's apt configuration is never touched) and read with nm -D;
#   - the host's pppd 2.4.9 refuses to load it (exit 2).
# Skips (77) when the Debian mirror cannot be reached.
set -u
export LC_ALL=C  # sort and comm must agree
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need make nm dpkg-deb apt-get python3 timeout
out25=$build/abi-2.5
apt=$build/pppd-2.5.apt

log=$(mktemp /tmp/pppkit-abi25.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! timeout 300 make -s -C "$top" PPPD_ABI=2.5 BUILD="$build" headers-2.5 >"$log" 2>&1; then
    cat "$log"
    nsl_skip "cannot fetch trixie's ppp-dev (no Debian mirror reachable?)"
fi
want=$(sed -n 's/^#define[[:space:]]*PPPD_VERSION[[:space:]]*"\(.*\)".*/\1/p' \
    "$build/pppd-2.5/usr/include/pppd/pppdconf.h")
check_eq "the fetched headers are pppd 2.5.2" "2.5.2" "$want"

if timeout 900 make -s -C "$top" -j2 PPPD_ABI=2.5 BUILD="$build" all >"$log" 2>&1; then
    pass "make PPPD_ABI=2.5 BUILD=$build all"
else
    fail "make PPPD_ABI=2.5 BUILD=$build all"
    tail -n 30 "$log" | sed 's/^/      /'
    nsl_finish
fi

# trixie's pppd binary, fetched like the headers (private lists and cache)
bin=$build/pppd-2.5-bin
if [ ! -x "$bin/usr/sbin/pppd" ]; then
    set -- -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null \
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Dir::Cache::pkgcache= \
        -o Dir::Cache::srcpkgcache= -o APT::Architecture="$(dpkg-architecture -qDEB_HOST_ARCH)" \
        -o Debug::NoDropPrivs=true \
        -o APT::Sandbox::User=root
    mkdir -p "$apt/dl-ppp"
    if ! (cd "$apt/dl-ppp" && rm -f ppp_*.deb && timeout 300 apt-get "$@" download ppp/trixie) >"$log" 2>&1; then
        cat "$log"
        nsl_skip "cannot download trixie's ppp package"
    fi
    rm -rf "$bin.partial"
    dpkg-deb -x "$apt"/dl-ppp/ppp_*.deb "$bin.partial" && rm -rf "$bin" && mv "$bin.partial" "$bin"
fi
check_eq "trixie's ppp package is pppd 2.5.2" "2.5.2" \
    "$(dpkg-deb -f "$apt"/dl-ppp/ppp_*.deb Version | sed 's/-.*//')"
check "trixie's pppd binary looks for plugins in /usr/lib/pppd/2.5.2" \
    grep -qa /usr/lib/pppd/2.5.2 "$bin/usr/sbin/pppd"
nm -D --defined-only "$bin/usr/sbin/pppd" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$log.pppd"
trap 'rm -f "$log" "$log".*' EXIT

shopt -s nullglob
sos=("$out25"/pppkit-*.so)
[ ${#sos[@]} -gt 0 ] || { fail "no $out25/pppkit-*.so"; nsl_finish; }
for so in "${sos[@]}"; do
    n="2.5 $(basename "$so")"
    check_eq "$n exports exactly plugin_init and pppd_version" "plugin_init pppd_version " \
        "$(nm -D --defined-only "$so" | awk '{print $NF}' | sort | tr '\n' ' ')"
    check_eq "$n: pppd_version" "$want" "$(python3 "$top/tests/load/elf_string.py" "$so" pppd_version)"
    # what the libraries it links provide (the host's copies; same sonames)
    : >"$log.libs"
    for lib in $(ldd "$so" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
        nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' >>"$log.libs"
    done
    sort -u -o "$log.libs" "$log.libs"
    nm -D --undefined-only "$so" | awk '$1 == "U" {print $2}' | sed 's/@.*//' | sort -u >"$log.undef"
    comm -23 "$log.undef" "$log.libs" >"$log.frompppd"
    check "$n needs pppd 2.5's API (ppp_add_notify, ppp_ifname among its pppd symbols)" \
        bash -c "grep -qx ppp_add_notify '$log.frompppd' && grep -qx ppp_ifname '$log.frompppd'"
    missing=$(comm -23 "$log.frompppd" "$log.pppd" | tr '\n' ' ')
    check_eq "$n: all $(wc -l <"$log.frompppd") symbols it needs from pppd are exported by trixie's pppd 2.5.2" \
        "" "$missing"
    echo "      ($(tr '\n' ' ' <"$log.frompppd"))"
    # symbols bound to a versioned glibc definition that pppd also exports:
    # at run time pppd's own (unversioned) definition wins, as pppd comes first
    shadow=$(nm -D --undefined-only "$so" | awk '$2 ~ /@GLIBC/ {sub(/@.*/, "", $2); print $2}' | sort -u |
        comm -12 - "$log.pppd" | tr '\n' ' ')
    [ -z "$shadow" ] || echo "NOTE: $n references glibc's versioned $shadow- pppd's own definitions win at run time"

    # the host's 2.4.9 pppd must refuse it
    if [ "$(id -u)" = 0 ] && command -v pppd >/dev/null; then
        msg=$(timeout 10 pppd plugin "$so" --version 2>&1)
        rc=$?
        check_eq "$n: the host's pppd 2.4.9 refuses it (exit 2)" 2 "$rc"
        check "$n: ... saying why (undefined symbol or version)" \
            grep -Eq "undefined symbol|is for pppd version" <<<"$msg"
        echo "      ($(head -n1 <<<"$msg"))"
    fi
done
nsl_finish
