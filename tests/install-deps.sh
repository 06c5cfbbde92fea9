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
# Some test packages ship daemons (dovecot, ddclient, inadyn) that the tests
# run as private instances. Their maintainer scripts must neither start them
# (policy-rc.d 101: "action forbidden", honoured by invoke-rc.d and
# deb-systemd-invoke) nor leave them enabled for the next boot.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# make deps (pppkit): no daemon starts while it installs\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT INT TERM
fi
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
for p in $missing; do
    dpkg-query -L "$p" 2>/dev/null | while read -r f; do
        case $f in
        /lib/systemd/system/*.service | /usr/lib/systemd/system/*.service | \
        /lib/systemd/system/*.socket | /usr/lib/systemd/system/*.socket | \
        /lib/systemd/system/*.timer | /usr/lib/systemd/system/*.timer)
            u=${f##*/}
            case $u in *@*) continue ;; esac
            [ -f "$f" ] || continue
            if command -v deb-systemd-helper >/dev/null; then deb-systemd-helper disable "$u" >/dev/null 2>&1 || true; fi
            if command -v systemctl >/dev/null; then systemctl disable --quiet "$u" >/dev/null 2>&1 || true; fi
            echo "make deps: $u (from $p) left disabled" ;;
        /etc/init.d/*)
            [ -f "$f" ] && update-rc.d "${f##*/}" disable >/dev/null 2>&1 || true ;;
        esac
    done
done
