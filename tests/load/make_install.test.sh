#!/bin/bash
# make_install.test.sh BUILD - "make install" keeps the administrator's /etc:
# a fresh DESTDIR (the package's staging, debian/pppkit) gets every shipped
# configuration file and pppkit's nftables.service drop-in; a second
# "make install" into the same DESTDIR, after the configuration files were
# edited there, keeps the edits (it used to overwrite /etc/ppp/pppkit.conf)
# and still replaces what is not configuration (a unit file).
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
[ -x "$build/pppkit" ] || nsl_skip "no $build/pppkit (make all)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/dest
unitdir=/lib/systemd/system
inst() { make -s --no-print-directory -C "$top" BUILD="$build" UNITDIR=$unitdir DESTDIR="$d" install >"$tmp/make.log" 2>&1; }

# FILE-IN-DESTDIR SOURCE-IN-TREE: the /etc files "make install" ships
confs="/etc/ppp/pppkit.conf:etc/pppkit.conf"
for f in "$top"/etc/rsyslog.d/* "$top"/etc/logrotate.d/*; do
    [ -f "$f" ] && confs="$confs /etc/${f#"$top"/etc/}:etc/${f#"$top"/etc/}"
done

# ---- a fresh DESTDIR gets every file
inst
check "make install into a fresh DESTDIR exits 0" test $? -eq 0
for c in $confs; do
    check "fresh DESTDIR: ${c%%:*} is the shipped ${c#*:}" cmp "$d${c%%:*}" "$top/${c#*:}"
done
check "fresh DESTDIR: $unitdir/nftables.service.d/pppkit.conf is the shipped drop-in" \
    cmp "$d$unitdir/nftables.service.d/pppkit.conf" "$top/etc/systemd/nftables.service.d/pppkit.conf"
check "fresh DESTDIR: $unitdir/pppkitd.service is the shipped unit" \
    cmp "$d$unitdir/pppkitd.service" "$top/etc/systemd/pppkitd.service"

# ---- the administrator edits /etc; make install again keeps the edits
for c in $confs; do
    echo "# edited by the administrator" >>"$d${c%%:*}"
done
echo "# edited" >>"$d$unitdir/pppkitd.service"
inst
check "make install again exits 0" test $? -eq 0
for c in $confs; do
    check_eq "second install keeps the edited ${c%%:*}" "# edited by the administrator" "$(tail -n 1 "$d${c%%:*}")"
done
check "second install says it kept /etc/ppp/pppkit.conf" grep -q "kept $d/etc/ppp/pppkit.conf" "$tmp/make.log"
check "second install replaces the edited $unitdir/pppkitd.service (not configuration)" \
    cmp "$d$unitdir/pppkitd.service" "$top/etc/systemd/pppkitd.service"
nsl_finish
