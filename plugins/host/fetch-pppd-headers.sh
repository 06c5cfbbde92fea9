#!/bin/sh
# fetch-pppd-headers.sh DESTDIR [SUITE [ARCH]]
# Fetches Debian SUITE's (default trixie) ppp-dev package for ARCH (default:
# the machine's, from dpkg-architecture) with a private apt configuration and
# unpacks it into DESTDIR, so that the pppd 2.5.x headers are at
# DESTDIR/usr/include/pppd. The system's apt configuration, lists and cache
# are not touched (see fetch-debs.sh). Needs the Debian mirror the host
# already uses.
set -eu
dest=${1:?usage: fetch-pppd-headers.sh DESTDIR [SUITE [ARCH]]}
suite=${2:-trixie}
arch=${3:-$(dpkg-architecture -qDEB_HOST_ARCH)}
[ -f "$dest/usr/include/pppd/pppdconf.h" ] && exit 0
"$(dirname "$0")/fetch-debs.sh" "$dest" "$suite" "$arch" ppp-dev
grep -h 'define PPPD_VERSION' "$dest/usr/include/pppd/pppdconf.h"
