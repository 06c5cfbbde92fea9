#!/bin/bash
# deb tier: the Debian package, as an administrator meets it.
#   build (or reuse a fresh) pppkit_<version>_<arch>.deb -> lintian: no errors
#   -> apt-get install ./pppkit_*.deb (pulls its Depends) -> files where they
#   belong -> the installed plugins load into the real pppd by their short
#   name -> remove keeps the conffile -> purge leaves nothing of the package.
# Needs root (apt, dpkg). Changes the machine only by installing pppkit, and
# purges it again on every exit path.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:?usage: package.test.sh BUILDDIR}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # DESCRIPTION CMD...: PASS if CMD succeeds
    local d=$1
    shift
    if "$@"; then ok "$d"; else ko "$d"; fi
}
skip() { echo "$*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (apt-get install, dpkg --purge)"
st=$(dpkg-query -W -f='${db:Status-Status}' pppkit 2>/dev/null || true)
case $st in
    "" | not-installed) ;;
    *) skip "pppkit is already on this machine ($st); the deb tier will not replace or purge it" ;;
esac
[ ! -e /etc/ppp/pppkit.conf ] || skip "/etc/ppp/pppkit.conf exists and belongs to no package; the deb tier will not overwrite it"

apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
export DEBIAN_FRONTEND=noninteractive
installed=0
mss_table=0
cleanup() {
    # the table this test made, if a check failed before the purge removed it
    [ $mss_table = 0 ] || nft delete table inet pppkit_mss >/dev/null 2>&1
    if [ $installed = 1 ]; then
        timeout 600 apt-get purge "${apt_opts[@]}" pppkit >/dev/null 2>&1 || dpkg --purge pppkit >/dev/null 2>&1
    fi
    rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT

# ---- the package ------------------------------------------------------------
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$build/pppkit_${version}_${arch}.deb
if [ -f "$deb" ] && [ -z "$(find plugins supervisor etc debian docs README.md -newer "$deb" -type f -print -quit)" ]; then
    echo "using $deb"
else
    echo "building $deb"
    timeout 1200 tests/build-deb.sh "$build" || { ko "make deb builds $(basename "$deb")"; exit 1; }
fi
check "package file $(basename "$deb") exists" test -s "$deb"
[ -s "$deb" ] || exit 1

# ---- lintian ----------------------------------------------------------------
timeout 600 lintian --pedantic --display-info "$deb" >"$tmp/lintian" 2>&1
lintian_rc=$?
grep -v '^running with root privileges' "$tmp/lintian" | sed 's/^/    lintian: /'
nerr=$(grep -c '^E: ' "$tmp/lintian")
nwarn=$(grep -c '^W: ' "$tmp/lintian")
check "lintian: no errors ($nerr errors, $nwarn warnings)" test "$nerr" -eq 0 -a "$lintian_rc" -le 1

# ---- install ----------------------------------------------------------------
plugin_dir=/usr/lib/pppd/$(pppd --version 2>&1 | awk '/pppd version/ {print $3}')
installed=1
if timeout 900 apt-get install "${apt_opts[@]}" "$deb" >"$tmp/apt" 2>&1; then
    ok "apt-get install ./$(basename "$deb")"
else
    ko "apt-get install ./$(basename "$deb")"
    sed 's/^/    apt: /' "$tmp/apt"
    exit 1
fi
check "dpkg: pppkit is installed" test "$(dpkg-query -W -f='${db:Status-Status}' pppkit)" = installed
depends=$(dpkg-query -W -f='${Depends}' pppkit)
echo "    Depends: $depends"
check "Depends pins pppd's exact version (dh_ppp)" \
    grep -Eq 'ppp \(<< [0-9.]+-[0-9]+~\).*ppp \(>= [0-9.]+-[0-9]+\+~\)|ppp \(>= [0-9.]+-[0-9]+\+~\).*ppp \(<< [0-9.]+-[0-9]+~\)' <<<"$depends"
dpkg -L pppkit >"$tmp/files"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' pppkit)

# plugins: every pppkit-*.so of the package, in pppd's own plugin directory
sos=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E '/pppkit-[a-z0-9_-]+\.so$' | xargs -rn1 basename)
check "the package has plugins ($(echo $sos))" test -n "$sos"
for so in $sos; do
    check "$so is in pppd's plugin directory $plugin_dir" test -f "$plugin_dir/$so"
    out=$(timeout 20 pppd plugin "$so" --version 2>&1)
    rc=$?
    echo "$out" | sed 's/^/    pppd: /'
    check "pppd plugin $so --version loads it by its short name and exits 0" \
        test $rc -eq 0 -a -n "$(grep -F "Plugin $so loaded." <<<"$out")"
done
if grep -qx pppkit-mss.so <<<"$sos"; then
    out=$(timeout 20 pppd plugin pppkit-mss.so pppkit-mss bogus --version 2>&1)
    rc=$?
    echo "$out" | sed 's/^/    pppd: /'
    check "installed pppkit-mss.so rejects 'pppkit-mss bogus' (exit $rc, not 0)" \
        test $rc -ne 0 -a -n "$(grep -F "got 'bogus'" <<<"$out")"
else
    ko "pppkit-mss.so is in the package"
fi

# the command and the helpers
check "/usr/sbin/pppkit is executable" test -x /usr/sbin/pppkit
check "pppkit version says $version" grep -qF "$version" <<<"$(timeout 10 /usr/sbin/pppkit version 2>&1)"
out=$(timeout 10 /usr/sbin/pppkit check 2>&1)
echo "    $out"
check "pppkit check: the shipped /etc/ppp/pppkit.conf is valid" grep -q "configuration OK" <<<"$out"
for src in plugins/*/bin/*.cpp; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .cpp)
    check "helper $t is /usr/libexec/pppkit/$t" test -x "/usr/libexec/pppkit/$t"
done

# configuration: conffiles, and no secrets
check "/etc/ppp/pppkit.conf is a conffile" grep -q '^ */etc/ppp/pppkit.conf ' <<<"$conffiles"
check "/etc/ppp/pppkit.conf is the shipped file" cmp -s /etc/ppp/pppkit.conf etc/pppkit.conf
for f in etc/rsyslog.d/* etc/logrotate.d/*; do
    [ -f "$f" ] || continue
    check "/$f is a conffile" grep -q "^ */$f " <<<"$conffiles"
done
check "the secrets file is not shipped" test -z "$(grep -F pppkit-secrets "$tmp/files")"
check "/var/lib/pppkit is root's, mode 0700" test "$(stat -c '%U %a' /var/lib/pppkit 2>&1)" = "root 700"

# man pages render
mans=$(grep -E '^/usr/share/man/man[1-8]/.*\.[1-8]\.gz$' "$tmp/files")
check "man pages installed ($(echo $mans | xargs -rn1 basename | tr '\n' ' '))" test -n "$mans"
for src in plugins/*/*.[1-8] supervisor/*.[1-8] docs/*.[1-8]; do
    [ -f "$src" ] || continue
    n=$(basename "$src")
    check "man page $n is installed" grep -q "/man${n##*.}/$n.gz$" <<<"$mans"
done
for m in $mans; do
    err=$(MANWIDTH=80 timeout 20 man -l "$m" 2>&1 >"$tmp/man.txt")
    rc=$?
    [ -z "$err" ] || echo "$err" | sed 's/^/    man: /'
    check "man -l $(basename "$m") renders, without warnings ($(wc -l <"$tmp/man.txt") lines)" \
        test $rc -eq 0 -a -z "$err" -a -s "$tmp/man.txt"
done

# bash completion, where bash-completion looks for it (run by tests/load/cli_docs.test.sh)
check "bash completion /usr/share/bash-completion/completions/pppkit" \
    cmp -s /usr/share/bash-completion/completions/pppkit etc/bash-completion/pppkit
out=$(bash --norc -c '. /usr/share/bash-completion/completions/pppkit; COMP_WORDS=(pppkit fi); COMP_CWORD=1; _pppkit; echo "${COMPREPLY[*]}"' 2>&1)
check "the installed completion completes 'pppkit fi' to firewall ($out)" test "$out" = firewall

# examples and docs
for ex in plugins/*/*.conf.example etc/examples/*; do
    [ -e "$ex" ] || continue
    check "example $(basename "$ex") is in /usr/share/doc/pppkit/examples/" \
        test -e "/usr/share/doc/pppkit/examples/$(basename "$ex")"
done
check "copyright file" test -s /usr/share/doc/pppkit/copyright
check "README" test -s /usr/share/doc/pppkit/README.md.gz -o -s /usr/share/doc/pppkit/README.md

# systemd units: installed and enabled
for u in etc/systemd/*.service etc/systemd/*.socket etc/systemd/*.timer etc/systemd/*.path; do
    [ -f "$u" ] || continue
    n=$(basename "$u")
    check "unit $n is /lib/systemd/system/$n" test -f "/lib/systemd/system/$n"
    if grep -q '^WantedBy=\|^RequiredBy=' "$u"; then
        check "unit $n is enabled" test -n "$(find /etc/systemd/system -name "$n" -type l -print -quit)"
    fi
done

# the units as systemd reads them (offline: PID 1 need not be systemd here)
units=$(for u in etc/systemd/*.service etc/systemd/*.socket etc/systemd/*.timer etc/systemd/*.path; do
    [ -f "$u" ] && echo "/lib/systemd/system/$(basename "$u")"; done)
out=$(timeout 60 systemd-analyze verify --man=no $units 2>&1)
rc=$?
[ -z "$out" ] || echo "$out" | sed 's/^/    verify: /'
check "systemd-analyze verify: the installed units, no complaint" test $rc -eq 0 -a -z "$out"

# Sandboxing: systemd-analyze security's exposure (0 = locked down, 10 =
# UNSAFE) of each unit must stay at or under its ceiling. Measured with
# systemd 252 (Debian 12): pppkit-firewall 1.4 (was 9.4 before the sandbox;
# root with CAP_NET_ADMIN, host network and netlink are what it is for),
# pppkit-ddns-update 2.4 (was 6.1; it also needs AF_INET/6 and, for the
# worker's own drop to the pppkit-ddns user before it talks to a server,
# CAP_SETUID/SETGID/SETPCAP, CAP_CHOWN/FOWNER and CAP_DAC_READ_SEARCH),
# pppkitd 3.9 (was 9.2; its sandbox also binds the pppd it starts and the
# ip-up scripts pppd runs: /dev/ppp, CAP_NET_ADMIN/NET_RAW, AF_PACKET and
# AF_PPPOX, /etc writable; the reasons are in the unit). A ceiling is the
# measured figure plus 0.1: any option dropped from the unit fails the check.
exposure() { # UNIT-FILE -> "1.4"
    systemd-analyze security --offline=true --no-pager "$1" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p'
}
for uc in pppkit-firewall.service:1.5 pppkit-ddns-update.service:2.5 pppkitd.service:4.0; do
    u=${uc%%:*} ceil=${uc#*:}
    f=/lib/systemd/system/$u
    [ -f "$f" ] || { ko "unit $u is installed, for its security check"; continue; }
    e=$(exposure "$f")
    echo "    systemd-analyze security: $u exposure ${e:-?}"
    systemd-analyze security --offline=true --no-pager --threshold="$(awk -v c="$ceil" 'BEGIN{printf "%d", c*10}')" \
        "$f" >/dev/null 2>&1
    check "$u: exposure ${e:-?} <= $ceil (systemd-analyze security --threshold)" \
        test $? -eq 0 -a -n "$e"
    # the check can fail: the same unit without its sandbox lines is above the ceiling
    sed '/^# Sandbox/,/^$/{/^[A-Z]/d}' "$f" >"$tmp/$u"
    e0=$(exposure "$tmp/$u")
    check "$u without its sandbox: exposure ${e0:-?} > $ceil (the ceiling can fail)" \
        awk -v e="$e0" -v c="$ceil" 'BEGIN{exit !(e != "" && e + 0 > c + 0)}'
done
# restart/reload of nftables (its /etc/nftables.conf flushes the ruleset)
# re-applies pppkit's table; only CAP_NET_ADMIN is kept
fw=/lib/systemd/system/pppkit-firewall.service
for kv in After=nftables.service PartOf=nftables.service ReloadPropagatedFrom=nftables.service \
    'ExecReload=/usr/sbin/pppkit firewall apply' 'CapabilityBoundingSet=CAP_NET_ADMIN'; do
    k=${kv%%=*} v=${kv#*=}
    check "pppkit-firewall.service: $k has $v" grep -qE "^$k=(.* )?$v( |\$)" "$fw"
done
check "pppkit-firewall.service: CapabilityBoundingSet is CAP_NET_ADMIN alone" \
    test "$(grep -c '^CapabilityBoundingSet=' "$fw")" = 1 -a -n "$(grep -x 'CapabilityBoundingSet=CAP_NET_ADMIN' "$fw")"

# pppkitd.service keeps what pppd needs: /dev/ppp (char 108:0) alone, the
# PPPoE and PADT sockets, and no CAP_SYS_ADMIN; the e2e tier dials under it
d=/lib/systemd/system/pppkitd.service
for kv in Type=notify KillMode=process Restart=on-failure DevicePolicy=closed 'DeviceAllow=/dev/char/108:0 rw' \
    NoNewPrivileges=yes RuntimeDirectory=pppkit StateDirectory=pppkit; do
    k=${kv%%=*} v=${kv#*=}
    check "pppkitd.service: $k=$v" grep -qx "$k=$v" "$d"
done
# CAP_NET_BIND_SERVICE: status-listen's default port (939) is below 1024
for c in CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE; do
    check "pppkitd.service: CapabilityBoundingSet keeps $c" grep -qE "^CapabilityBoundingSet=(.* )?$c( |\$)" "$d"
done
for af in AF_PACKET AF_PPPOX AF_NETLINK AF_UNIX; do
    check "pppkitd.service: RestrictAddressFamilies allows $af" grep -qE "^RestrictAddressFamilies=(.* )?$af( |\$)" "$d"
done
check "pppkitd.service: no CAP_SYS_ADMIN" test -z "$(grep '^CapabilityBoundingSet=.*CAP_SYS_ADMIN' "$d")"

# Installing never dials. The package does not start its units (the
# maintainer scripts only enable them), and the shipped configuration has no
# [link NAME]: the installed pppkitd, started as systemd would start it, runs
# no pppd (a recording stand-in) and reports no link.
post=$(dpkg-query --control-show pppkit postinst 2>/dev/null)
check "postinst enables pppkitd.service" grep -q 'deb-systemd-helper.*enable.*pppkitd.service' <<<"$post"
check "postinst never starts a unit (dh_installsystemd --no-start)" \
    test -z "$(grep -E 'deb-systemd-invoke.*(start|restart)' <<<"$post")"
pre=$(dpkg-query --control-show pppkit preinst 2>/dev/null)
check "preinst never stops a unit on upgrade (--no-stop-on-upgrade: the links stay up)" \
    test -z "$(grep -E 'deb-systemd-invoke.*stop' <<<"$pre")"
# prerm: on remove (not on upgrade), under systemd, stops pppkitd and the
# DDNS timer (--no-start drops debhelper's own stop), never the firewall;
# tests/e2e/units.test.sh runs it under a real systemd
prerm=$(dpkg-query --control-show pppkit prerm 2>/dev/null)
check "prerm stops pppkitd.service and the DDNS timer" \
    grep -qE 'deb-systemd-invoke stop .*pppkitd\.service.*pppkit-ddns-update\.timer' <<<"$prerm"
check "prerm stops them on remove only, under systemd" \
    grep -qF 'if [ "$1" = remove ] && [ -d /run/systemd/system ]; then' <<<"$prerm"
check "prerm never stops pppkit-firewall.service (stopping must not open the box)" \
    test -z "$(grep -E 'deb-systemd-invoke.*pppkit-firewall' <<<"$prerm")"
# postinst: systemd reads new and changed units at once (--no-start leaves
# out debhelper's daemon-reload)
check "postinst runs systemctl daemon-reload under systemd" \
    grep -qF 'systemctl --system daemon-reload' <<<"$post"
check "postinst reloads after enabling the units (the new .wants symlinks are read)" \
    test "$(grep -n 'daemon-reload' <<<"$post" | tail -n 1 | cut -d: -f1)" -gt \
    "$(grep -n 'deb-systemd-helper.*enable' <<<"$post" | tail -n 1 | cut -d: -f1)"
# the drop-in that re-applies pppkit's table after nftables.service flushed it
dropin=/lib/systemd/system/nftables.service.d/pppkit.conf
check "$dropin is installed" cmp -s "$dropin" etc/systemd/nftables.service.d/pppkit.conf
for k in ExecStartPost ExecReload ExecStopPost; do
    check "$dropin: $k=-/usr/sbin/pppkit firewall apply" grep -qx "$k=-/usr/sbin/pppkit firewall apply" "$dropin"
done
check "$dropin: adds to nftables' ExecReload=, never resets it" test -z "$(grep -x 'ExecReload=' "$dropin")"
mkdir -p "$tmp/run"
printf '#!/bin/sh\necho "$@" >>%s/dialled\nexec sleep 60\n' "$tmp" >"$tmp/pppd"
chmod 755 "$tmp/pppd"
/usr/sbin/pppkitd --runtime-dir "$tmp/run" --pppd "$tmp/pppd" >"$tmp/pppkitd.log" 2>&1 &
pkd=$!
for _ in $(seq 50); do [ -S "$tmp/run/control" ] && break; sleep 0.1; done
sleep 2  # an autostart link would have been started before READY=1
links=$(timeout 10 /usr/sbin/pppkit status --json --socket "$tmp/run/control" 2>&1)
echo "    pppkit status --json: $links"
check "installed pppkitd with the shipped pppkit.conf: no link" \
    test "$(jq -c .links <<<"$links" 2>/dev/null)" = "[]"
check "installed pppkitd with the shipped pppkit.conf: no pppd started" test ! -e "$tmp/dialled"
kill -TERM "$pkd" 2>/dev/null
wait "$pkd"
check "pppkitd exits 0 on SIGTERM" test $? -eq 0
sed 's/^/    pppkitd: /' "$tmp/pppkitd.log" | head -n 5

# hardening (dpkg-buildflags hardening=+all). Not judged: fortify (a file may
# call no fortifiable function), stack clash and CET (hardening-check 2.23
# cannot see them in gcc 12's output; the flags are in the build log).
out=$(hardening-check --nofortify --nocfprotection /usr/sbin/pppkit "$plugin_dir"/pppkit-*.so 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
check "hardening-check: PIE, stack protector, RELRO, BIND_NOW" test $rc -eq 0

# ---- remove keeps the conffile, purge removes everything -----------------------
# pppkit-mss's shared table: kept while a link is in it, deleted once empty.
# Only where this machine has no such table of its own (the table is global)
# and no pppkitd of its own runs: its drift repair puts back the elements
# this test deletes (as it should), and the purge then keeps the table.
if command -v nft >/dev/null && ! nft list table inet pppkit_mss >/dev/null 2>&1 && ! pgrep -x pppkitd >/dev/null; then
    mss_table=1
    check "pppkit mss apply pkdeb0 1454 (no such interface: the elements only)" \
        /usr/sbin/pppkit --config /dev/null mss apply pkdeb0 1454
fi
timeout 600 apt-get remove "${apt_opts[@]}" pppkit >"$tmp/apt" 2>&1
check "apt-get remove pppkit" test $? -eq 0
if [ $mss_table = 1 ]; then
    check "after remove: table inet pppkit_mss stays while a link is in it" \
        grep -q '"pkdeb0" : 1414' <<<"$(nft list table inet pppkit_mss 2>&1)"
    nft delete element inet pppkit_mss mss4 '{ "pkdeb0" }'
    nft delete element inet pppkit_mss mss6 '{ "pkdeb0" }'
fi
check "after remove: the plugins are gone" test -z "$(ls "$plugin_dir"/pppkit-*.so 2>/dev/null)"
check "after remove: /etc/ppp/pppkit.conf stays (conffile)" test -f /etc/ppp/pppkit.conf
timeout 600 apt-get purge "${apt_opts[@]}" pppkit >"$tmp/apt" 2>&1
check "apt-get purge pppkit" test $? -eq 0
installed=0
check "after purge: dpkg knows no pppkit" test -z "$(dpkg-query -W -f='${db:Status-Status}' pppkit 2>/dev/null | grep -v not-installed)"
left=""
while read -r f; do
    [ "$f" = /. ] && continue
    if [ -d "$f" ]; then  # (also /lib, a symlink to usr/lib on merged-/usr systems)
        # a directory stays only if another package owns it or it holds others' files
        dpkg -S "$f" >/dev/null 2>&1 && continue
        [ -n "$(ls -A "$f" 2>/dev/null)" ] && continue
    fi
    [ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$tmp/files"
check "after purge: nothing of the package is left${left:+ (left:$left)}" test -z "$left"
check "after purge: /etc/ppp/pppkit.conf is gone" test ! -e /etc/ppp/pppkit.conf
check "after purge: /var/lib/pppkit is gone" test ! -e /var/lib/pppkit
if [ $mss_table = 1 ]; then
    no_mss_table() { ! nft list table inet pppkit_mss >/dev/null 2>&1; }
    check "after purge: the empty table inet pppkit_mss is gone" no_mss_table
fi
check "after purge: no unit is left enabled" \
    test -z "$(find /etc/systemd/system -lname '*pppkit*' -print -quit 2>/dev/null)"

echo "deb: $pass passed, $fail failed"
[ $fail -eq 0 ]
