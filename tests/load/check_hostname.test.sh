#!/bin/bash
# check_hostname.test.sh BUILD - `pppkit check` warns when this host's own
# name does not resolve without DNS (the seed's last hand-made step: "sudo:
# unable to resolve host router2", fixed by a line in /etc/hosts). Each case
# runs in its own UTS and mount namespace (unshare -u -m): the host name is
# set there and /etc/hosts, /etc/nsswitch.conf are bind-mounted over, so the
# host's own files and name are never touched.
#   - renamed to router2, /etc/hosts names the old name: the warning, exit 0
#     (the configuration itself is fine);
#   - "127.0.1.1 router2" added: no warning;
#   - not in /etc/hosts, but "hosts: files myhostname dns": no warning.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
pk=$build/pppkit
[ -x "$pk" ] || nsl_skip "no $pk (make all)"
[ "$(id -u)" = 0 ] || nsl_skip "needs root (UTS and mount namespaces)"
nsl_need unshare hostname mount
unshare -u -m true 2>/dev/null || nsl_skip "cannot create UTS and mount namespaces"
tmp=$(mktemp -d /tmp/pppkit-hostname.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf '[mss]\nmss = auto\n' >"$tmp/pk.conf"
printf 'passwd: files\nhosts:          files dns\n' >"$tmp/nss-dns"
printf 'passwd: files\nhosts:          files myhostname dns\n' >"$tmp/nss-myhostname"

run() { # HOSTS-TEXT NSSWITCH-FILE: pppkit check as host router2 -> its output; exit status in rc
    printf '%b' "$1" >"$tmp/hosts"
    out=$(unshare -u -m --propagation private sh -c \
        'hostname router2 && mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && exec "$3" --config "$4" check' \
        sh "$tmp/hosts" "$2" "$pk" "$tmp/pk.conf" 2>&1)
    rc=$?
}
warning="/etc/hosts: this host's name 'router2' is not in it: its lookups (sudo: 'unable to resolve host router2') go to the DNS servers the link brings, and wait for them while the link is down; add a line '127.0.1.1 router2' to /etc/hosts"

run '127.0.0.1\tlocalhost\n127.0.1.1\tubuntu\n' "$tmp/nss-dns"
check_eq "renamed to router2, /etc/hosts names the old name: check still exits 0" 0 "$rc"
check_eq "... with the warning, once" 1 "$(grep -cxF "$warning" <<<"$out")"
check "... and the configuration is OK" grep -q '^pppkit: configuration OK' <<<"$out"
run '127.0.0.1\tlocalhost\n127.0.1.1\trouter2\n' "$tmp/nss-dns"
check_eq "'127.0.1.1 router2' in /etc/hosts: exit 0" 0 "$rc"
check_eq "... and no warning" 0 "$(grep -c 'this host.s name' <<<"$out")"
run '127.0.0.1\tlocalhost\n' "$tmp/nss-myhostname"
check_eq "not in /etc/hosts, nss-myhostname in nsswitch.conf: no warning" 0 "$(grep -c 'this host.s name' <<<"$out")"
nsl_finish
