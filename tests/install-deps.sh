#!/bin/sh
# install-deps.sh LIST: apt-get installs the packages of LIST that are missing.
set -eu
list=${1:?usage: install-deps.sh LIST}
pkgs=$(sed 's/#.*//' "$list" | tr -s ' \t' '\n' | grep -v '^$')
missing=""
for p in $pkgs; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "make deps: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "make deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt run (a teammate's, unattended-upgrades) holds the lock: wait for it.
lock="-o DPkg::Lock::Timeout=300"
# shellcheck disable=SC2086
apt-get $lock update -qq
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
