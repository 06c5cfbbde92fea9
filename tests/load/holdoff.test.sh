#!/bin/bash
# holdoff.test.sh BUILD - pppd's redial delay (holdoff_hook) inside the fake
# pppd host (tests/load/fake_pppd: "redial" does what pppd's main loop does
# between two dials: t = need_holdoff ? holdoff : 0; if (holdoff_hook)
# t = holdoff_hook()):
#   - with [link "dsl"] (floor 2s, ceiling 20s, stable-after 1s) and
#     "call dsl": the delays double from the floor (2-3, 4-6, 8-12, 16-20),
#     cap at the ceiling (20, exactly), differ between pppds (jitter), start
#     at the floor again after the link was up for stable-after, and not
#     after a shorter one;
#   - the plan is logged once (info, naming the section's file:line); with
#     three pppkit plugins loaded still once, and one hook answers;
#   - no [link] section for the peer: the defaults (2s..5m), said so;
#   - "holdoff 5" in the options is the floor; "holdoff 30" above the
#     ceiling raises it (30 exactly); need_holdoff 0 (idle timeout): 0;
#   - without persist nothing is logged.
# Without pppkit's hook pppd waits its fixed holdoff (30 s): the checks fail.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_need gcc
[ -f /usr/include/pppd/pppd.h ] || nsl_skip "no pppd headers (apt-get install ppp-dev)"
for f in pppkit-mss.so pppkit-ddns.so pppkit-firewall.so; do
    [ -f "$build/$f" ] || { fail "no $build/$f (make all first)"; nsl_finish; }
done
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || { fail "cannot build the fake pppd"; nsl_finish; }
tmp=$(mktemp -d /tmp/pppkit-holdoff.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# pppkit-firewall loads its ruleset when configured: keep it off the host's
if [ "$(id -u)" = 0 ]; then
    sandbox=pk-holdoff-$$
    ip netns add "$sandbox" || { fail "cannot create namespace $sandbox"; nsl_finish; }
    trap 'rm -rf "$tmp"; ip netns del "$sandbox" 2>/dev/null' EXIT
    run() { ip netns exec "$sandbox" "$fake" "$@" 2>&1; }
else
    run() { "$fake" "$@" 2>&1; }
fi
conf=$tmp/pppkit.conf
cat >"$conf" <<EOT
[mss]
enabled = no
[firewall]
lan-networks = 192.168.1.0/24
[link "dsl"]
backoff-floor = 2s
backoff-ceiling = 20s
stable-after = 1s
max-dials-per-hour = 3600
EOT
mss=$build/pppkit-mss.so
# pppd's phases: 2 serial-connection (a dial starts), 8 running (link up),
# 0 dead; "redial" between them, as pppd's main loop
dial_fail=(phase 2 phase 0 redial)
holdoffs() { sed -n 's/^HOLDOFF \([0-9-]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//'; }
in_range() { # NAME VALUE LO HI
    if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; then pass "$1: $2 s in [$3, $4]"
    else fail "$1: got '$2' s, want [$3, $4]"; fi
}

# ---- growth, cap, one plan line -----------------------------------------------
out=$(run "$mss" call dsl init opt pppkit-config "$conf" persist phase 1 phase 2 phase 8 phase 9 phase 0 redial \
    "${dial_fail[@]}" "${dial_fail[@]}" "${dial_fail[@]}" "${dial_fail[@]}" "${dial_fail[@]}")
read -r -a h <<<"$(holdoffs <<<"$out")"
check_eq "six redials, each answered by pppkit's hook" 6 "$(grep -c '^HOLDOFF [0-9]* hook$' <<<"$out")"
in_range "1st redial after a link shorter than stable-after: the floor" "${h[0]:-}" 2 3
in_range "2nd: twice the floor" "${h[1]:-}" 4 6
in_range "3rd: 4x" "${h[2]:-}" 8 12
in_range "4th: 8x, capped at the ceiling" "${h[3]:-}" 16 20
check_eq "5th and 6th: the ceiling, no jitter above it" "20 20" "${h[4]:-} ${h[5]:-}"
check_eq "the plan is logged once" 1 "$(grep -c 'redial backoff' <<<"$out")"
check "... at info, naming the section" grep -q \
    "^LOG info: pppkit-mss: redial backoff 2s doubling to 20s .* after 1s up, .*from \[link \"dsl\"\] at $conf:5$" <<<"$out"
check "each redial logged at debug" grep -q '^LOG debug: pppkit-mss: redial in [0-9]* s (failure 3)$' <<<"$out"

# ---- jitter: eight pppds, the same history, not all the same delays ------------
all=""
for i in 1 2 3 4 5 6 7 8; do
    out=$(run "$mss" call dsl init opt pppkit-config "$conf" persist phase 1 "${dial_fail[@]}" "${dial_fail[@]}" \
        "${dial_fail[@]}")
    all="$all$(holdoffs <<<"$out");"
done
echo "INFO: jitter: eight pppds: $all"
check "jittered: the eight 3-redial sequences are not all equal" \
    test "$(tr ';' '\n' <<<"${all%;}" | sort -u | wc -l)" -gt 1
check "... every one within [2,3] [4,6] [8,12]" bash -c \
    "tr ';' '\n' <<<'${all%;}' | awk '!(\$1>=2 && \$1<=3 && \$2>=4 && \$2<=6 && \$3>=8 && \$3<=12) {bad=1} END {exit bad}'"

# ---- reset after stable-after, not before ---------------------------------------
out=$(run "$mss" call dsl init opt pppkit-config "$conf" persist phase 1 "${dial_fail[@]}" "${dial_fail[@]}" \
    "${dial_fail[@]}" phase 2 phase 8 sleep 1100 phase 0 redial \
    "${dial_fail[@]}" phase 2 phase 8 sleep 200 phase 0 redial)
read -r -a h <<<"$(holdoffs <<<"$out")"
in_range "growing before the link came up (3rd)" "${h[2]:-}" 8 12
in_range "up 1.1 s (stable-after 1s), then down: the floor again" "${h[3]:-}" 2 3
in_range "then a failed dial: 2x" "${h[4]:-}" 4 6
in_range "up only 0.2 s, then down: no reset (4x)" "${h[5]:-}" 8 12

# ---- three pppkit plugins in one pppd: one owner --------------------------------
out=$(run "$mss" call dsl init plugin "$build/pppkit-ddns.so" plugin "$build/pppkit-firewall.so" \
    opt pppkit-config "$conf" persist phase 1 "${dial_fail[@]}" "${dial_fail[@]}")
check_eq "three plugins: the plan is logged once" 1 "$(grep -c 'redial backoff' <<<"$out")"
check "... by the first plugin, which owns the hook" grep -q '^LOG info: pppkit-mss: redial backoff' <<<"$out"
check_eq "... one debug line per redial" 2 "$(grep -c 'redial in [0-9]* s' <<<"$out")"
read -r -a h <<<"$(holdoffs <<<"$out")"
in_range "... 1st redial" "${h[0]:-}" 2 3
in_range "... 2nd redial" "${h[1]:-}" 4 6

# ---- no [link] for this peer; no peer at all: defaults ---------------------------
out=$(run "$mss" call other init opt pppkit-config "$conf" persist phase 1 "${dial_fail[@]}" "${dial_fail[@]}")
check "no [link \"other\"]: the defaults, said so" grep -q \
    '^LOG info: pppkit-mss: redial backoff 2s doubling to 5m .* after 1m up, at most 30 dials an hour.*; defaults (no \[link "other"\] section)$' <<<"$out"
check_eq "... 2-3 s, then 4-6 s" "ok" "$(holdoffs <<<"$out" | awk '$1>=2 && $1<=3 && $2>=4 && $2<=6 {print "ok"}')"
out=$(run "$mss" init opt pppkit-config "$conf" persist phase 1 "${dial_fail[@]}")
check "no 'call NAME': the defaults, said so" grep -q "defaults (pppd was not started as 'pppd call NAME')" <<<"$out"

# ---- the user's holdoff ---------------------------------------------------------
out=$(run "$mss" call dsl init opt pppkit-config "$conf" set-holdoff 5 persist phase 1 "${dial_fail[@]}" \
    "${dial_fail[@]}")
check "holdoff 5: said to be the floor" grep -q "pppd's option 'holdoff 5': the floor is at least 5s" <<<"$out"
read -r -a h <<<"$(holdoffs <<<"$out")"
in_range "holdoff 5: 1st redial" "${h[0]:-}" 5 8
in_range "holdoff 5: 2nd redial" "${h[1]:-}" 10 15
out=$(run "$mss" call dsl init opt pppkit-config "$conf" set-holdoff 30 persist phase 1 "${dial_fail[@]}" \
    "${dial_fail[@]}")
check_eq "holdoff 30 above the ceiling (20s): 30, 30" "30 30" "$(holdoffs <<<"$out")"
out=$(run "$mss" call dsl init opt pppkit-config "$conf" set-holdoff 0 persist phase 1 "${dial_fail[@]}")
in_range "holdoff 0 does not switch the backoff off" "$(holdoffs <<<"$out")" 2 3
out=$(run "$mss" call dsl init opt pppkit-config "$conf" persist phase 1 phase 2 phase 0 need-holdoff 0 redial)
check_eq "need_holdoff 0 (pppd would not wait): 0" "0" "$(holdoffs <<<"$out")"

# ---- without persist pppd never redials: nothing logged -------------------------
out=$(run "$mss" call dsl init opt pppkit-config "$conf" phase 1 phase 2)
check_eq "no persist: no plan logged" 0 "$(grep -c 'redial backoff' <<<"$out")"
nsl_finish
