# 20-online.sh - pppkit-online@lab.target (issue 8 section 7) under systemd as
# PID 1: the build tree's target, and a dependent unit lab-web.service with
# BindsTo= + After= (and WantedBy= the target, as its [Install] would say).
#   - started by pppkitd once the link is up and its plugins said their rules
#     are in place: the target and lab-web.service become active; the target
#     is reached after the link-up journal entry (monotonic timestamps);
#     `pppkit status` says "reached", `pppkit wait-online lab` exits 0;
#   - the link drops (SIGHUP to pppd: it hangs up): the target and
#     lab-web.service stop; wait-online --timeout 1 exits 1 while down;
#   - the link is back: both are active again, after the new link-up entry.
# Sourced by tests/e2e/pppkitd.test.sh (contract: pppkitd.d/README.md).
K_ONLINE=204ef5d2bbdb43a3ae8ea2753167b311  # supervisor/pppkitd/journal.hpp kOnline
T=pppkit-online@lab.target
install -m 644 "$PPPKIT_TOP/etc/systemd/pppkit-online@.target" /run/systemd/system/
cat >/run/systemd/system/lab-web.service <<EOT
[Unit]
Description=a service that needs the link (20-online.sh)
BindsTo=$T
After=$T
[Service]
ExecStart=/bin/sleep infinity
EOT
mkdir -p "/run/systemd/system/$T.wants"
ln -sf ../lab-web.service "/run/systemd/system/$T.wants/lab-web.service"
systemctl daemon-reload
# pppkitd told systemd about the link before the target existed: a restart
# re-adopts the running pppd and says it again
systemctl restart pppkitd.service
wait_until 30 eval 'systemctl is-active --quiet pppkitd.service && is_up'
tprop() { systemctl show -p "$1" --value "$T"; }
mono_of_up() { # the monotonic usec of the last link-up journal entry of lab
    journalctl -u pppkitd.service -o json --no-pager | jq -r "select(.MESSAGE_ID==\"$K_UP\" and .PEER==\"lab\") | .__MONOTONIC_TIMESTAMP" | tail -n 1
}
if wait_until 30 systemctl is-active --quiet "$T"; then pass online-target "$T active"
else fail online-target "$T $(systemctl is-active "$T"); $(journalctl -u pppkitd.service --no-pager | grep -i -e online -e unit | tail -n 3 | tr '\n' '|')"; fi
check online-dependent wait_until 20 systemctl is-active --quiet lab-web.service
check_eq online-status true "$(st online.reached)"
check online-wait "$LAB_BUILD/pppkit" wait-online lab --timeout 5
"$LAB_BUILD/pppkit" status lab >"$W/logs/online-status.txt" 2>&1
check online-status-text grep -q "online: $T reached since" "$W/logs/online-status.txt"

# ---- the link drops: target and dependent unit stop
P=$(pppd_pid)
up0=$(mono_of_up)
info online-drop "SIGHUP to pppd $P (hang up)"
kill -HUP "$P"
if wait_until 40 eval '! systemctl is-active --quiet lab-web.service'; then
    pass online-dependent-stops "lab-web.service $(systemctl is-active lab-web.service), $T $(tprop ActiveState) after the link dropped"
else
    fail online-dependent-stops "lab-web.service still active 40 s after the hang-up (link $(st state))"
fi
if [ "$(st online.reached)" = false ]; then
    "$LAB_BUILD/pppkit" wait-online lab --timeout 1 >/dev/null 2>&1
    rc=$?
    # online within that second is right only if the link did come back in it
    # (a slow VM: the redial can land inside the second): a new link-up entry
    if [ "$rc" = 0 ] && [ "$(mono_of_up)" != "$up0" ] && [ "$(st online.reached)" = true ]; then
        info online-wait-down "the link came back during the 1 s wait ($(st state)); not measured"
    else
        check_eq online-wait-down 1 "$rc"
    fi
else
    info online-wait-down "already back up ($(st state)); not measured"
fi

# ---- the link is back: both active again, the target after ip-up
if wait_until 120 systemctl is-active --quiet lab-web.service; then
    pass online-dependent-restarts "lab-web.service active again (link $(st state) $(st ipv4.local))"
else
    fail online-dependent-restarts "lab-web.service $(systemctl is-active lab-web.service), $T $(tprop ActiveState), link $(st state)"
fi
# the first link-up entry after the drop (more follow: the IPv6 address, the
# kernel's view of the same address); the target must not come before it
up1=$(journalctl -u pppkitd.service -o json --no-pager |
    jq -r "select(.MESSAGE_ID==\"$K_UP\" and .PEER==\"lab\") | .__MONOTONIC_TIMESTAMP" |
    awk -v a="${up0:-0}" '$1 > a' | head -n 1)
reached=$(tprop ActiveEnterTimestampMonotonic)
check online-new-up test "${up1:-0}" -gt "${up0:-0}"
check online-after-ip-up test "${reached:-0}" -ge "${up1:-1}"
info online-timing "first link-up entry after the drop at ${up1:-?} us, $T active at ${reached:-?} us (monotonic)"
P2=$(pppd_pid)
wait_until 30 is_up
