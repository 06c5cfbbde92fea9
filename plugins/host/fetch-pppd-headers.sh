#!/bin/sh
# fetch-pppd-headers.sh DESTDIR [SUITE]
# Fetches Debian SUITE's (default trixie) ppp-dev package with a private apt
# configuration and unpacks it into DESTDIR, so that the pppd 2.5.x headers
# are at DESTDIR/usr/include/pppd. The system's apt configuration, lists and
# cache are not touched. Needs the Debian mirror the host already uses.
set -eu
dest=${1:?usage: fetch-pppd-headers.sh DESTDIR [SUITE]}
suite=${2:-trixie}
[ -f "$dest/usr/include/pppd/pppdconf.h" ] && exit 0
mirror=${PPPKIT_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/ && $i !~ /security/) {print $i; exit}}')
fi
if [ -z "$mirror" ]; then
    mirror=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security |
        awk '{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}')
fi
[ -n "$mirror" ] || { echo "fetch-pppd-headers: no Debian mirror in the apt sources; set PPPKIT_MIRROR" >&2; exit 2; }
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")
work=$dest.apt
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/dl"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$work/sources.list"
set -- -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=/dev/null \
       -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::Cache::pkgcache= \
       -o Dir::Cache::srcpkgcache= -o APT::Architecture=amd64 -o Debug::NoDropPrivs=true \
       -o APT::Sandbox::User=root
apt-get "$@" update -qq
(cd "$work/dl" && rm -f ppp-dev_*.deb && apt-get "$@" download "ppp-dev/$suite")
rm -rf "$dest.partial"
dpkg-deb -x "$work"/dl/ppp-dev_*.deb "$dest.partial"
rm -rf "$dest"; mv "$dest.partial" "$dest"
grep -h 'define PPPD_VERSION' "$dest/usr/include/pppd/pppdconf.h"
