# 10-sandbox.sh - the dialling pppd runs inside pppkitd.service's sandbox
# (etc/systemd/pppkitd.service): pppd $P2, which pppkitd started and which
# is up, has exactly the unit's capability bounding set, no_new_privs and a
# seccomp filter, and its ip-up.d scripts ran there (the lab's markers).
# With the unhardened unit the bounding set is complete: this fails.
# shellcheck shell=bash
sb_want=$(sed -n 's/^CapabilityBoundingSet=//p' /run/systemd/system/pppkitd.service | tr ' ' '\n' |
    tr 'A-Z' 'a-z' | sort | tr '\n' ',' | sed 's/,$//')
sb_caps() { # PID -> its bounding set as sorted capability names
    local m
    m=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$1/status")
    capsh --decode="$m" | sed 's/^[^=]*=//' | tr ',' '\n' | sort | tr '\n' ',' | sed 's/,$//'
}
sb_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
check sandbox-unit-caps test -n "$sb_want"
check_eq sandbox-pppd-capbnd "$sb_want" "$(sb_caps "$P2")" "pppd $P2 CapBnd"
check_eq sandbox-pppkitd-capbnd "$sb_want" "$(sb_caps "$(prop MainPID)")" "pppkitd CapBnd"
check_eq sandbox-pppd-nnp-seccomp "1 2" "$(sb_field "$P2" NoNewPrivs) $(sb_field "$P2" Seccomp)" "NoNewPrivs Seccomp"
check_eq sandbox-device-policy closed "$(prop DevicePolicy)"
check_eq sandbox-link-up "up $P2" "$(st state) $(st pid)" "state pid, dialled inside the sandbox"
sb_n=$(marker_count rtr ip-up)
check sandbox-ip-up-scripts test "$sb_n" -ge 2
info sandbox "ip-up.d ran $sb_n times under pppkitd.service; exposure $(systemd-analyze security --offline=true --no-pager /run/systemd/system/pppkitd.service 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: //p')"
