# 80-control.sh - reload and the control commands under systemd (issue 8).
# Sourced by pppkitd.test.sh (see README.md). `systemctl reload pppkitd`
# (ExecReload= SIGHUP; pppkitd sends RELOADING=1 then READY=1) returns 0,
# the unit is active again, a new [link] appears in
# status, lab keeps its pppd; a pppkit.conf with a problem is refused (the
# unit stays active, the problem is in the journal with CONFIG_FILE= and
# CONFIG_LINE=, `pppkit reload` exits 2); `pppkit stop lab` ends lab's pppd
# (stopped-by-user, no redial), `pppkit start lab` brings it up again.
# Leaves lab up with P2 set.
CONF=$LAB_RTR_ETC/pppkit.conf
cp "$CONF" "$W/logs/pppkit.conf.before-80"
ctl_cursor=$(journalctl -u $U -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
ctl_journal() { journalctl -u $U --after-cursor="$ctl_cursor" --no-pager "$@"; }

# ---- a valid change: a new [link], lab changed, systemctl reload
printf '\n[link "extra"]\nautostart = no\n' >>"$CONF"
sed -i 's/^backoff-ceiling = 10s$/backoff-ceiling = 12s/' "$CONF"
# systemctl reload waits for the reload job: ExecReload's SIGHUP, then pppkitd's
# RELOADING=1 ... READY=1 (those datagrams are checked in the load tier,
# tests/load/pppkitd_control.test.sh: under TCG one `systemctl show` takes
# longer than the whole reload, so the "reloading" state cannot be polled here)
t0=$(lab_now)
if systemctl reload $U; then pass reload-ok "systemctl reload returned 0 after $(lab_since "$t0") s"
else fail reload-ok "systemctl reload failed"; fi
info reload-exec "$(prop ExecReload | head -c 300)"
check_eq reload-active active "$(systemctl is-active $U)"
wait_until 10 eval 'ctl_journal -o cat | grep -q "reloaded 1 file"'
check reload-logged eval 'ctl_journal -o cat | grep -q "reloaded 1 file(s): links added extra; removed none; changed lab"'
check_eq reload-new-link "stopped false" \
    "$("$LAB_BUILD/pppkit" status extra --json | jq -r '.links[0] | "\(.state) \(.autostart)"')"
check_eq reload-lab-kept "$P2 up" "$(st pid) $(st state)" "lab's pppd after the reload"

# ---- a change with a problem: refused, the old configuration stays
printf 'bogus-key = 1\n' >>"$CONF"
bad_line=$(wc -l <"$CONF")
systemctl reload $U
check_eq reload-bad-still-active active "$(systemctl is-active $U)"
wait_until 10 eval 'ctl_journal -o cat | grep -q "reload refused"'
check reload-bad-journal-fields eval \
    "ctl_journal -o json | jq -r 'select(.CONFIG_LINE==\"$bad_line\") | .CONFIG_FILE' | grep -q pppkit.conf"
out=$("$LAB_BUILD/pppkit" reload 2>&1)
check_eq reload-bad-cli-exit 2 "$?"
check reload-bad-cli-file-line grep -q "pppkit.conf:$bad_line: \[link \"extra\"\] bogus-key" <<<"$out"
check_eq reload-bad-kept "$P2 up stopped" "$(st pid) $(st state) $("$LAB_BUILD/pppkit" status extra --json | jq -r '.links[0].state')"
cp "$W/logs/pppkit.conf.before-80" "$CONF"
out=$("$LAB_BUILD/pppkit" reload 2>&1)
check_eq reload-restored "pppkit reload: taken; links added: none; removed: extra; changed: lab" "$out"

# ---- pppkit stop / start
"$LAB_BUILD/pppkit" stop lab >>"$W/logs/control.log" 2>&1
t0=$(lab_now)
if wait_until 30 eval '! alive "$P2"'; then pass stop-exit "pppd $P2 ended $(lab_since "$t0") s after pppkit stop lab"
else fail stop-exit "pppd $P2 still running 30 s after pppkit stop lab"; fi
sleep 5
check_eq stop-no-redial "stopped-by-user null" "$(st state) $(st pid)" "5 s later"
"$LAB_BUILD/pppkit" start lab >>"$W/logs/control.log" 2>&1
t0=$(lab_now)
if wait_until 90 is_up; then pass start-up "lab up $(lab_since "$t0") s after pppkit start lab (pppd $(st pid))"
else fail start-up "state $(st state) 90 s after pppkit start lab"; fi
P2=$(pppd_pid)
ctl_journal >"$W/logs/control-journal.txt"
