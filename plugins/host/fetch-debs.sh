#!/bin/sh
# fetch-debs.sh [--deps] DESTDIR SUITE ARCH PACKAGE...
# Downloads Debian SUITE's PACKAGEs for the Debian architecture ARCH with a
# private apt configuration and unpacks them (dpkg-deb -x) into DESTDIR. With
# --deps, also every package they depend on, recursively, except what a
# Debian cross toolchain brings for ARCH itself (libc6, libgcc-s1,
# libstdc++6): enough to link against the libraries. SUITE "" is this
# machine's release (VERSION_CODENAME). The machine's dpkg architectures, apt
# configuration, lists and cache are not touched; nothing is installed.
# Needs the Debian mirror the host already uses (or PPPKIT_MIRROR).
# DESTDIR/.fetched lists what is there; a second run with the same
# arguments does nothing.
set -eu
deps=0
if [ "${1:-}" = --deps ]; then deps=1; shift; fi
dest=${1:?usage: fetch-debs.sh [--deps] DESTDIR SUITE ARCH PACKAGE...}
suite=${2-}
arch=${3:?usage: fetch-debs.sh [--deps] DESTDIR SUITE ARCH PACKAGE...}
shift 3
[ $# -gt 0 ] || { echo "fetch-debs: no package named" >&2; exit 2; }
if [ -z "$suite" ]; then
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$suite" ] || { echo "fetch-debs: no VERSION_CODENAME in /etc/os-release; name the suite" >&2; exit 2; }
fi
want="$suite $arch deps=$deps $*"
[ -f "$dest/.fetched" ] && [ "$(head -n1 "$dest/.fetched")" = "$want" ] && exit 0

mirror=${PPPKIT_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/ && $i !~ /security/) {print $i; exit}}')
fi
if [ -z "$mirror" ]; then
    mirror=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security |
        awk '{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}')
fi
[ -n "$mirror" ] || { echo "fetch-debs: no Debian mirror in the apt sources; set PPPKIT_MIRROR" >&2; exit 2; }
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")
work=$dest.apt
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/dl"
key=/usr/share/keyrings/debian-archive-keyring.gpg
{
    echo "deb [arch=$arch signed-by=$key] $mirror $suite main"
    case $suite in
        *-*) ;;
        *) echo "deb [arch=$arch signed-by=$key] $mirror $suite-updates main" ;;
    esac
} >"$work/sources.list"
aptopts="-o Dir::Etc::sourcelist=$work/sources.list -o Dir::Etc::sourceparts=/dev/null
 -o Dir::Etc::preferences=/dev/null -o Dir::Etc::preferencesparts=/dev/null
 -o Dir::State::Lists=$work/lists -o Dir::State::status=/dev/null -o Dir::Cache=$work/cache
 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Architecture=$arch
 -o APT::Architectures=$arch -o Debug::NoDropPrivs=true -o APT::Sandbox::User=root"
# shellcheck disable=SC2086 # aptopts: one word per option
apt-get $aptopts update -qq
pkgs=$*
if [ $deps = 1 ]; then
    # real packages only (virtual ones are printed as <name>)
    # shellcheck disable=SC2086
    pkgs=$(apt-cache $aptopts depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances "$@" | grep -E '^[a-z0-9]' | sort -u |
        grep -vxE 'libc6|libgcc-s1|libstdc\+\+6|gcc-[0-9]+-base|debconf|perl-base|dpkg|tar|install-info')
fi
(
    cd "$work/dl"
    rm -f ./*.deb
    # shellcheck disable=SC2086
    apt-get $aptopts download $pkgs
)
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
for d in "$work"/dl/*.deb; do
    dpkg-deb -x "$d" "$dest.partial"
done
{
    echo "$want"
    for d in "$work"/dl/*.deb; do basename "$d"; done
} >"$dest.partial/.fetched"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "fetch-debs: $(($(wc -l <"$dest/.fetched") - 1)) packages for $arch ($suite) in $dest"
