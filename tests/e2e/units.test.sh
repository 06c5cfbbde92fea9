#!/bin/bash
# units.test.sh BUILD - the package's units and maintainer scripts under a
# real systemd (PID 1 in the lab VM, lab.sh --init systemd), in one boot and
# without pppd. The units are the build tree's, installed in
# /run/systemd/system with drop-ins that only point them at the lab (the
# build's binaries, the router's netns and /etc/ppp); nftables.service is
# Debian's (the VM's root is the host's) with a lab drop-in that loads a lab
# nftables.conf starting with "flush ruleset", as Debian's does, plus the
# build tree's etc/systemd/nftables.service.d/pppkit.conf (paths to the
# build's pppkit). In order:
#   fw-*      pppkit-firewall.service failed (a broken config), the config
#             fixed and the table loaded by hand -> systemctl restart nftables
#             -> table inet pppkit_fw back, the full ruleset; the unit stopped
#             -> restart -> back; reload -> back; stop nftables -> back (not
#             an empty ruleset); start nftables while the unit is active ->
#             back (each fails without the drop-in: UNITS_NO_DROPIN=1)
#   wants-*   the firewall unit inactive and the table deleted -> systemctl
#             start pppkitd -> the firewall unit active, the table loaded
#   prerm-*   debian/pppkit.prerm upgrade -> pppkitd and the DDNS timer keep
#             running; prerm remove -> both stopped, the firewall unit and
#             its table untouched
#   badconf-* pppkitd with a config it refuses, as a service: exit 2, and
#             journalctl -u shows the problem with file:line and why it
#             did not start
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-}}")
    here=$(dirname "$(readlink -f "$0")")
    for f in pppkitd pppkit; do
        [ -f "$build/$f" ] || { echo "FAIL: no $build/$f (make all first)"; exit 1; }
    done
    exec bash "$here/lab.sh" --init systemd --build "$build" --passenv UNITS_NO_DROPIN \
        --timeout 900 --name units "$here/units.test.sh"
fi

# ---- guest side (inside the VM, under systemd) -------------------------------
. "$LAB_LIB"
SD=/run/systemd/system
FW=pppkit-firewall.service
D=pppkitd.service
T=pppkit-ddns-update.timer
# table inet pppkit_fw in the router, counters zeroed (empty: no table)
fw_table() { in_rtr nft list table inet pppkit_fw 2>/dev/null | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'; }
conf_ok() {
    cat >"$LAB_RTR_ETC/pppkit.conf" <<'EOT'
[firewall]
wan = ppp*
lan-interfaces = lan0
lan-networks = 172.16.0.0/16
router-services = ssh, dns
EOT
}
# FW-CHECK NAME WHAT: the table is the full ruleset loaded by hand ($REF)
fw_check() {
    local got
    got=$(fw_table)
    if [ -z "$got" ]; then
        fail "$1" "$2: no table inet pppkit_fw ($(in_rtr nft list tables | tr '\n' ' '))"
    elif [ "$got" != "$REF" ]; then
        fail "$1" "$2: table inet pppkit_fw differs from the full ruleset: $(diff <(echo "$REF") <(echo "$got") | head -n 6 | tr '\n' '|')"
    else
        pass "$1" "$2: table inet pppkit_fw, the full ruleset ($(echo "$got" | wc -l) lines)"
    fi
}

# ---- the units, from the build tree; drop-ins point them at the lab only
mkdir -p /var/lib/pppkit && chmod 700 /var/lib/pppkit
for u in $FW $D pppkit-ddns-update.service $T; do
    install -m 644 "$PPPKIT_TOP/etc/systemd/$u" $SD/
    mkdir -p $SD/$u.d
done
cat >$SD/$FW.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=$LAB_BUILD/pppkit firewall apply
ExecReload=
ExecReload=$LAB_BUILD/pppkit firewall apply
NetworkNamespacePath=/run/netns/rtr
BindReadOnlyPaths=$LAB_RTR_ETC:/etc/ppp
EOT
cat >$SD/$D.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=$LAB_BUILD/pppkitd
NetworkNamespacePath=/run/netns/rtr
BindPaths=$LAB_RTR_ETC:/etc/ppp
EOT
cat >$SD/pppkit-ddns-update.service.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=/bin/true
EOT
# Debian's nftables.service in the router's netns, loading a lab file that
# flushes the ruleset first, as /etc/nftables.conf does. 00-lab.conf sorts
# before pppkit.conf: its ExecReload= reset comes first, pppkit's line is
# appended after nftables' own, as on a router.
cat >/run/lab-nftables.conf <<'EOT'
flush ruleset
table inet lab_filter {
    chain input { type filter hook input priority 0; policy accept; }
}
EOT
mkdir -p $SD/nftables.service.d
cat >$SD/nftables.service.d/00-lab.conf <<EOT
[Service]
NetworkNamespacePath=/run/netns/rtr
BindReadOnlyPaths=$LAB_RTR_ETC:/etc/ppp
ExecStart=
ExecStart=/usr/sbin/nft -f /run/lab-nftables.conf
ExecReload=
ExecReload=/usr/sbin/nft -f /run/lab-nftables.conf
EOT
if [ -n "${UNITS_NO_DROPIN:-}" ]; then
    info no-dropin "UNITS_NO_DROPIN set: nftables.service without pppkit's drop-in (the fw-* checks must fail)"
else
    sed "s|/usr/sbin/pppkit |$LAB_BUILD/pppkit |" "$PPPKIT_TOP/etc/systemd/nftables.service.d/pppkit.conf" \
        >$SD/nftables.service.d/pppkit.conf
fi
# pppkit-firewall.service is not enabled here, so that nothing but the
# drop-in brings the table back. Enabled (WantedBy=nftables.service), a
# start or restart of nftables also starts the unit when it is not active,
# but only after nftables is active, not before "systemctl restart
# nftables" returns (seen without the drop-in: the table came back seconds
# later); a reload or stop starts nothing.
systemctl daemon-reload
info nftables-unit "ExecStartPost: $(systemctl show -p ExecStartPost --value nftables | grep -o 'argv\[\]=[^;]*' | tr '\n' '|') ExecReload: $(systemctl show -p ExecReload --value nftables | grep -o 'argv\[\]=[^;]*' | tr '\n' '|') ExecStopPost: $(systemctl show -p ExecStopPost --value nftables | grep -o 'argv\[\]=[^;]*' | tr '\n' '|')"
systemctl start nftables.service
check_eq nftables-active active "$(systemctl is-active nftables.service)"

# ---- 1. nftables restart/reload/stop/start bring pppkit's table back
# a broken config: the unit fails (closed: the failsafe)
conf_ok
echo "lan-networks = 300.1.2.3/16" >>"$LAB_RTR_ETC/pppkit.conf"
t0=$(lab_now)
systemctl start $FW
check_eq fw-unit-failed failed "$(systemctl is-active $FW)" "a broken config ($(lab_since "$t0") s)"
conf_ok
in_rtr "$LAB_BUILD/pppkit" firewall apply >>"$W/logs/apply-by-hand.log" 2>&1
check fw-by-hand test $? -eq 0
REF=$(fw_table)
check fw-full-ruleset test -n "$REF" -a -z "$(grep -F 'pppkit failsafe' <<<"$REF")"
check_eq fw-still-failed failed "$(systemctl is-active $FW)"

systemctl restart nftables.service
fw_check fw-restart-failed-unit "restart nftables, $FW failed"
systemctl start $FW
systemctl stop $FW
check_eq fw-unit-stopped inactive "$(systemctl is-active $FW)"
systemctl restart nftables.service
fw_check fw-restart-stopped-unit "restart nftables, $FW stopped"
systemctl reload nftables.service
fw_check fw-reload "reload nftables, $FW stopped"
systemctl stop nftables.service
check_eq fw-nftables-stopped inactive "$(systemctl is-active nftables.service)"
fw_check fw-stop "stop nftables"
check fw-stop-lab-table-gone test -z "$(in_rtr nft list tables | grep lab_filter)"
systemctl start $FW
check_eq fw-unit-active active "$(systemctl is-active $FW)"
systemctl start nftables.service
fw_check fw-start-active-unit "start nftables, $FW active"
info nftables-journal "$(journalctl -u nftables -o cat --no-pager | tail -n 4 | tr '\n' '|')"

# ---- 2. pppkitd.service: Wants= starts the firewall unit first
systemctl stop $FW
in_rtr nft delete table inet pppkit_fw
check fw-absent test -z "$(fw_table)"
t0=$(lab_now)
systemctl start $D
check_eq wants-pppkitd-active active "$(systemctl is-active $D)" "($(lab_since "$t0") s)"
check_eq wants-fw-active active "$(systemctl is-active $FW)" "after systemctl start $D"
fw_check wants-table "systemctl start $D"
check wants-order test "$(systemctl show -p ActiveEnterTimestampMonotonic --value $FW)" -le \
    "$(systemctl show -p ExecMainStartTimestampMonotonic --value $D)"

# ---- 3. debian/pppkit.prerm: stops pppkitd and the DDNS timer on remove only
# The VM's root is the host's, a container image whose policy-rc.d forbids
# every action (exit 101); a router has none.
printf '#!/bin/sh\nexit 0\n' >/run/lab-policy-rc.d
chmod 755 /run/lab-policy-rc.d
[ -e /usr/sbin/policy-rc.d ] && mount --bind /run/lab-policy-rc.d /usr/sbin/policy-rc.d
systemctl start $T
check_eq prerm-before "active active" "$(systemctl is-active $D) $(systemctl is-active $T)" "$D $T"
sh "$PPPKIT_TOP/debian/pppkit.prerm" upgrade 0.0.1 >>"$W/logs/prerm.log" 2>&1
check prerm-upgrade-rc test $? -eq 0
check_eq prerm-upgrade-keeps "active active" "$(systemctl is-active $D) $(systemctl is-active $T)" "$D $T after prerm upgrade"
sh "$PPPKIT_TOP/debian/pppkit.prerm" remove >>"$W/logs/prerm.log" 2>&1
check prerm-remove-rc test $? -eq 0
check_eq prerm-remove-stops "inactive inactive" "$(systemctl is-active $D) $(systemctl is-active $T)" "$D $T after prerm remove"
check_eq prerm-remove-fw-kept active "$(systemctl is-active $FW)"
fw_check prerm-remove-table "after prerm remove"

# ---- 4. an invalid configuration: the reason is under the unit's name
# pppkitd logs the problem and exits at once (2: no restart); journald reads
# the sender's cgroup only when it gets to the line, often after the process
# is gone, and then files it under no unit. The lines carry
# OBJECT_SYSTEMD_UNIT= (journal.cpp), which journalctl -u matches from root.
# Four starts, the last two with journald stopped (SIGSTOP) until pppkitd
# has exited and been reaped, as when journald is busy: each start's lines
# must all be there (the last two fail without the field).
BAD=$W/bad.conf
printf '[link "lab"]\nbogus-key = 1\n' >"$BAD"
printf '[Service]\nExecStart=\nExecStart=%s --config %s\n' "$LAB_BUILD/pppkitd" "$BAD" >$SD/$D.d/zz-badconf.conf
systemctl daemon-reload
for i in 1 2 3 4; do
    JD=
    [ $i -gt 2 ] && JD=$(systemctl show -p MainPID --value systemd-journald.service) && kill -STOP "$JD"
    systemctl start $D >/dev/null 2>&1
    [ -n "$JD" ] && { wait_until 10 test "$(systemctl show -p MainPID --value $D)" = 0; kill -CONT "$JD"; }
    check_eq badconf-$i-state "failed 2" "$(systemctl is-active $D) $(systemctl show -p ExecMainStatus --value $D)" "systemctl start $D with a config it refuses"
    journalctl --sync
    J=$(journalctl -u $D -o cat --no-pager)
    check_eq badconf-$i-problem $i "$(grep -cF "$BAD:2: [link \"lab\"] bogus-key: unknown key" <<<"$J")" "journalctl -u $D: lines naming the file:line"
    check_eq badconf-$i-not-starting $i "$(grep -cF "invalid configuration (1 problems), not starting" <<<"$J")" "journalctl -u $D: lines saying why"
    check_eq badconf-$i-config-line $i "$(journalctl -u $D -o json --no-pager | jq -r 'select(.CONFIG_LINE) | .CONFIG_LINE' | grep -c '^2$')" "CONFIG_LINE=2 fields"
done
rm $SD/$D.d/zz-badconf.conf
systemctl daemon-reload
systemctl reset-failed $D
journalctl --no-pager -o short-monotonic -u nftables -u $FW -u $D >"$W/logs/units-journal.txt" 2>&1
lab_done
