#!/bin/bash
# deps_quiet.test.sh: `make deps` (tests/install-deps.sh) installs a test
# package that ships a daemon without starting it or leaving it enabled for
# the next boot (issue 10: dovecot, ddclient and inadyn are installed only for
# tests that run their own private instances). inadyn, a tests/deps.list
# package, is purged and installed again through install-deps.sh.
set -u
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0
pass() { echo "PASS $1: $2"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (installs a package)"; exit 77; }

had_policy=no
[ -e /usr/sbin/policy-rc.d ] && had_policy=yes
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -qq inadyn >/dev/null 2>&1
pkill -x inadyn 2>/dev/null
list=$(mktemp)
trap 'rm -f "$list"' EXIT
echo inadyn >"$list"
if out=$(sh "$top/tests/install-deps.sh" "$list" 2>&1); then
    pass install "$(echo "$out" | tr '\n' ' ' | head -c 300)"
else
    fail install "install-deps.sh failed: $out"
fi
st=$(dpkg-query -W -f='${db:Status-Status}' inadyn 2>/dev/null)
[ "$st" = installed ] && pass installed "inadyn $st" || fail installed "inadyn '$st'"
sleep 1
if pgrep -a -x inadyn; then fail not-started "inadyn runs after make deps"
else pass not-started "no inadyn process"; fi
links=$(ls /etc/rc[2-5].d/ 2>/dev/null | grep -c '^S[0-9]*inadyn$')
[ "$links" = 0 ] && pass no-sysv-start "no /etc/rc[2-5].d/S*inadyn" \
    || fail no-sysv-start "$links start links: $(ls /etc/rc[2-5].d/ | grep inadyn | tr '\n' ' ')"
if command -v systemctl >/dev/null; then
    en=$(systemctl is-enabled inadyn.service 2>/dev/null)
    [ "$en" != enabled ] && pass systemd-not-enabled "inadyn.service: ${en:-unknown}" \
        || fail systemd-not-enabled "inadyn.service is enabled"
fi
if [ $had_policy = no ] && [ -e /usr/sbin/policy-rc.d ]; then
    fail policy-removed "install-deps.sh left /usr/sbin/policy-rc.d behind"
else
    pass policy-removed "policy-rc.d as before ($had_policy)"
fi
echo "deps_quiet: $fails failed"
[ $fails = 0 ]
