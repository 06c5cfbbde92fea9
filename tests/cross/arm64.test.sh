#!/bin/bash
# arm64.test.sh BUILD - pppkit builds for arm64, the architecture of most
# routers that are not PCs, with Debian's cross compiler:
#   - `make sysroot CROSS=aarch64-linux-gnu` fetches the arm64 -dev packages
#     (and the libraries they link, recursively) of this machine's Debian
#     release with a private apt configuration and unpacks them into
#     BUILD/sysroot-arm64: the machine's dpkg architectures, apt
#     configuration and lists are the same afterwards;
#   - `make CROSS=aarch64-linux-gnu BUILD=BUILD all` builds the three plugins,
#     `pppkit` and the DDNS worker into BUILD/cross-arm64;
#   - each plugin is an AArch64 ELF that exports exactly plugin_init and
#     pppd_version; the executables are AArch64 PIE with full RELRO;
#   - the hardening flags are arm64's from dpkg-buildflags and
#     dpkg-architecture: -mbranch-protection=standard (the objects carry the
#     BTI/PAC property), -fstack-clash-protection, never x86's -fcf-protection,
#     and a CFLAGS given on the command line adds to them.
# Nothing is run: this machine cannot execute arm64 code.
# Time: about 35 s to fetch (10 MB, 54 packages) and 2.5 min of CPU to build
# (8.7 min wall on 2 busy cores); a second run reuses both.
# Skips (77) without the cross compiler (g++-aarch64-linux-gnu, make deps)
# or when the Debian mirror cannot be reached.
set -u
export LC_ALL=C
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need make readelf dpkg-architecture dpkg-buildflags dpkg-deb apt-get timeout
nsl_need aarch64-linux-gnu-g++ aarch64-linux-gnu-gcc aarch64-linux-gnu-nm
triplet=aarch64-linux-gnu
out=$build/cross-arm64
sysroot=$build/sysroot-arm64
mk=(make -s -C "$top" "CROSS=$triplet" BUILD="$build")
log=$(mktemp /tmp/pppkit-cross.XXXXXX)
trap 'rm -f "$log" "$log".*' EXIT

# ---- the arm64 -dev packages, without touching the machine's dpkg or apt ------------
machine_state() {
    dpkg --print-foreign-architectures
    find /etc/apt /var/lib/apt/lists -maxdepth 2 -type f -printf '%p %s %T@\n' 2>/dev/null | sort
}
machine_state >"$log.before"
start=$(date +%s)
if ! timeout 600 "${mk[@]}" sysroot >"$log" 2>&1; then
    cat "$log"
    nsl_skip "cannot fetch the arm64 -dev packages (no Debian mirror reachable?)"
fi
msg=$(tail -n1 "$log")
echo "    sysroot: ${msg:-already fetched} ($(($(date +%s) - start)) s)"
machine_state >"$log.after"
check "the machine's dpkg architectures, apt configuration and lists are unchanged" \
    diff "$log.before" "$log.after"
check_eq "the sysroot has arm64's libnftables.so" "AArch64" \
    "$(readelf -h "$sysroot"/usr/lib/$triplet/libnftables.so.1 2>&1 | awk -F: '/Machine/ {gsub(/^ +/, "", $2); print $2}')"

# ---- the cross build ------------------------------------------------------------
start=$(date +%s)
if timeout 2400 nice "${mk[@]}" -j2 all >"$log" 2>&1; then
    pass "make CROSS=$triplet all ($(($(date +%s) - start)) s)"
else
    fail "make CROSS=$triplet all ($(($(date +%s) - start)) s)"
    tail -n 30 "$log" | sed 's/^/      /'
    nsl_finish
fi

machine() { readelf -h "$1" 2>&1 | awk -F: '/Machine/ {gsub(/^ +/, "", $2); print $2}'; }
pppd_version=$(sed -n 's/^#define[[:space:]]*VERSION[[:space:]]*"\(.*\)".*/\1/p' "$sysroot/usr/include/pppd/patchlevel.h")
sos=$(cd "$out" && ls pppkit-*.so 2>/dev/null)
check_eq "three plugins" "pppkit-ddns.so pppkit-firewall.so pppkit-mss.so" "$(tr "\n" " " <<<"$sos" | sed "s/ $//")"
for so in $sos; do
    check_eq "$so is an AArch64 ELF" "AArch64" "$(machine "$out/$so")"
    check_eq "$so exports exactly plugin_init and pppd_version" "plugin_init pppd_version " \
        "$(aarch64-linux-gnu-nm -D --defined-only "$out/$so" | awk '{print $NF}' | sort | tr '\n' ' ')"
    check "$so carries pppd_version \"$pppd_version\" (the arm64 ppp-dev headers)" \
        grep -qaF "$pppd_version" "$out/$so"
done
for exe in pppkit pppkit-ddns-worker; do
    f=$out/$exe
    check_eq "$exe is an AArch64 ELF" "AArch64" "$(machine "$f")"
    check "$exe is PIE (type DYN) with full RELRO (GNU_RELRO, BIND_NOW)" bash -c "
        readelf -h '$f' | grep -q 'Type:.*DYN' && readelf -l '$f' | grep -q GNU_RELRO &&
        readelf -d '$f' | grep -q 'FLAGS.*BIND_NOW\|FLAGS_1.*NOW'"
done

# ---- the flags: the architecture's, from dpkg ---------------------------------------
obj=$out/obj/plugins/host/host.o
cmd=$("${mk[@]}" -n -B "$obj" CFLAGS=-O0 CXXFLAGS=-O0 | grep -- ' -c ')
echo "    $cmd"
for f in -mbranch-protection=standard -fstack-clash-protection -fstack-protector-strong -D_FORTIFY_SOURCE=2 -O0; do
    check "the arm64 compile line has $f (CXXFLAGS=-O0 given)" grep -q -- " $f " <<<"$cmd "
done
check "the arm64 compile line has no -fcf-protection (x86 only)" bash -c "! grep -q -- -fcf-protection <<<'$cmd'"
check "arm64 objects carry the BTI/PAC property (-mbranch-protection)" \
    bash -c "readelf -n '$obj' | grep -q 'AArch64 feature: BTI, PAC'"
# The linked .so/executables lose that property: Debian 12's arm64 crt files
# (libc6-dev-arm64-cross) are not built with branch protection, and the
# linker keeps only what every input object has.
native=$(dpkg-architecture -qDEB_HOST_ARCH)
ncmd=$(make -s -C "$top" -n -B BUILD="$build" "$build/obj/plugins/host/host.o" | grep -- ' -c ')
if [ "$native" = amd64 ]; then
    check "the native ($native) compile line has -fcf-protection" grep -q -- -fcf-protection <<<"$ncmd"
else
    check "the native ($native) compile line has no -fcf-protection" bash -c "! grep -q -- -fcf-protection <<<'$ncmd'"
fi
nsl_finish
