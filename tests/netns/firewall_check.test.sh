#!/bin/bash
# firewall_check.test.sh BUILD - pppkit-firewall's rulesets in the real kernel
# (host nftables), each in a throwaway namespace (traffic tests are in
# firewall.test.sh):
#   - every etc/examples/*.conf (but the systemd drop-ins) passes "pppkit firewall check" (nft dry run)
#     and "apply" loads it; "up"/"down" fill and empty the dynamic sets and
#     leave every rule in place; a second apply leaves one copy of each rule;
#   - the same with no /etc/protocols or /etc/services (a minbase system);
#   - another table (a stand-in for Docker's) is never touched;
#   - fail closed: a bad config or an extras file nft refuses keeps the
#     previous ruleset (same rules, same dynamic sets), with file:line on
#     stderr; with no previous ruleset the failsafe is loaded; "up" refuses
#     to run against the failsafe;
#   - after a flush with no pppkitd, apply loads every live pppd's link
#     again from the plugin's records (/run/pppkit/firewall);
#   - an apply whose load raced a pppd's ip-up loads again, with that link.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
# The plugin writes its link records in /run/pppkit/firewall: this test's
# go to a tmpfs of its own, in a private mount namespace (the host's stay)
if [ -z "${NSL_PRIVATE_RUN:-}" ]; then
    mkdir -p /run/pppkit
    exec env NSL_PRIVATE_RUN=1 unshare -m --propagation private bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755 pppkit-test /run/pppkit || { echo "FAIL: cannot mount a tmpfs on /run/pppkit"; exit 1; }
. "$top/tests/netns/lib.sh"
nsl_init fwck
nsl_need nft
pk=$build/pppkit
[ -x "$pk" ] || { fail "no $pk (make all first)"; nsl_finish; }

# examples name /etc/ppp/pppkit-firewall.nft; point them at the shipped example
examples() {
    local f
    for f in "$top"/etc/examples/*.conf; do
        # a systemd drop-in example (wait-for-router.conf) is not a pppkit.conf
        grep -qE '^\[(Unit|Service|Install)\]' "$f" && continue
        sed "s|^extras = /etc/ppp/pppkit-firewall.nft|extras = $top/etc/examples/pppkit-firewall.nft|" "$f" \
            >"$NSL_TMP/$(basename "$f")"
        echo "$NSL_TMP/$(basename "$f")"
    done
}

# a table listing, as a short digest for messages
listing() { nsx "$1" nft list table "$2" "$3" | md5sum | cut -c1-12; }
rules_of() { nsx "$1" nft list table inet pppkit_fw | grep -cE '^\s+(iif|oif|ip|meta|ct|tcp|udp|icmp|limit|goto|jump|accept|drop)'; }

i=0
for conf in $(examples); do
    i=$((i + 1))
    name=$(basename "$conf" .conf)
    ns_create "ex$i"
    check "$name: pppkit firewall check" nsx "ex$i" "$pk" --config "$conf" firewall check
    check "$name: apply" nsx "ex$i" "$pk" --config "$conf" firewall apply
    check "$name: status says current" nsx "ex$i" "$pk" --config "$conf" firewall status
    n1=$(rules_of "ex$i")
    # the link as pppd leaves it at ip-up: its interface, holding the address
    # (a full load keeps only a live link's address)
    nsx "ex$i" ip link add ppp0 type veth peer name xppp0
    nsx "ex$i" ip addr add 203.0.113.7 peer 203.0.113.1 dev ppp0
    check "$name: up ppp0 203.0.113.7" nsx "ex$i" "$pk" --config "$conf" firewall up ppp0 203.0.113.7
    check "$name: public4 holds the address" \
        bash -c "ip netns exec $(ns "ex$i") nft list set inet pppkit_fw public4 | grep -q 'elements = { 203.0.113.7 }'"
    check "$name: active_wan holds ppp0" \
        bash -c "ip netns exec $(ns "ex$i") nft list set inet pppkit_fw active_wan | grep -q '\"ppp0\"'"
    check "$name: apply again (link up)" nsx "ex$i" "$pk" --config "$conf" firewall apply
    check "$name: ... keeps the dynamic sets" \
        bash -c "ip netns exec $(ns "ex$i") nft list set inet pppkit_fw public4 | grep -q 203.0.113.7"
    check_eq "$name: ... and one copy of each rule" "$n1" "$(rules_of "ex$i")"
    check "$name: down ppp0" nsx "ex$i" "$pk" --config "$conf" firewall down ppp0
    check "$name: public4 is empty" \
        bash -c "! ip netns exec $(ns "ex$i") nft list set inet pppkit_fw public4 | grep -q elements"
    check_eq "$name: every rule stays after down" "$n1" "$(rules_of "ex$i")"
done

# --- a minbase system (no netbase: containers, debootstrap --variant=minbase)
# has no /etc/protocols or /etc/services: nft resolves a protocol or service
# name there, so every name in pppkit's rulesets must be nft's own keyword.
# Each example config, the failsafe and the MSS clamp load with both files
# empty (a mount namespace of their own; the host's files stay).
without_netbase() { unshare -m sh -c 'mount --bind /dev/null /etc/protocols && mount --bind /dev/null /etc/services && exec "$@"' sh "$@"; }
i=0
for conf in $(examples); do
    i=$((i + 1))
    name=$(basename "$conf" .conf)
    ns_create "mb$i"
    out=$(without_netbase ip netns exec "$(ns "mb$i")" "$pk" --config "$conf" firewall apply 2>&1)
    check_eq "$name, no /etc/protocols or /etc/services: apply exits 0 ($out)" 0 "$?"
    check "$name, no netbase: the full ruleset is loaded" \
        bash -c "ip netns exec $(ns "mb$i") nft list table inet pppkit_fw | grep -q 'chain lan_input'"
done
printf '[firewall]\nwan = ppp0\nlan-interfaces = lan0\nlan-networks = 10.9.0.0/24\ntypo = 1\n' >"$NSL_TMP/mb-bad.conf"
ns_create mbfs
without_netbase ip netns exec "$(ns mbfs)" "$pk" --config "$NSL_TMP/mb-bad.conf" firewall apply >/dev/null 2>&1
check_eq "bad config, no netbase: apply exits 2" 2 "$?"
check "bad config, no netbase: the failsafe is loaded" \
    bash -c "ip netns exec $(ns mbfs) nft list table inet pppkit_fw | grep -q 'pppkit failsafe'"
# (no ppp0 needed: the clamp matches the name, the MTU is given)
printf '[mss]\n' >"$NSL_TMP/mb-mss.conf"
check "no netbase: pppkit mss apply ppp0" without_netbase ip netns exec "$(ns mbfs)" "$pk" --config "$NSL_TMP/mb-mss.conf" mss apply ppp0 1454
check "no netbase: the MSS clamp is loaded" bash -c "ip netns exec $(ns mbfs) nft list table inet pppkit_mss | grep -q 'ppp0'"

# --- other tables are never touched
seed=$NSL_TMP/seed-router.conf
ns_create other
nsx other nft -f - <<'EOF'
table ip docker_like {
    chain DOCKER { }
    chain forward { type filter hook forward priority filter; policy accept; jump DOCKER; }
}
EOF
before=$(listing other ip docker_like)
check "seed: apply next to another table" nsx other "$pk" --config "$seed" firewall apply
check "seed: up" nsx other "$pk" --config "$seed" firewall up ppp0 198.51.100.9
check_eq "the other table is unchanged" "$before" "$(listing other ip docker_like)"

# --- fail closed: the previous ruleset stays
good=$(listing other inet pppkit_fw)
bad=$NSL_TMP/bad.conf
{ cat "$seed"; printf '\n[forward "typo"]\nproto = tcp\nport = 8080\nto = 176.16.1.100\n'; } >"$bad"
out=$(nsx other "$pk" --config "$bad" firewall apply 2>&1)
check_eq "bad config: apply exits 2" 2 "$?"
typo_line=$(grep -n '^to = 176.16.1.100' "$bad" | cut -d: -f1)
check "bad config: file:line message" grep -qF "$bad:$typo_line: [forward \"typo\"] to: 176.16.1.100 is not inside lan-networks (172.16.0.0/16) (got '176.16.1.100')" <<<"$out"
check "bad config: says the previous ruleset stays" grep -q "previous ruleset stays in force" <<<"$out"
check_eq "bad config: the ruleset (and its public address) is unchanged" "$good" "$(listing other inet pppkit_fw)"
out=$(nsx other "$pk" --config "$bad" firewall check 2>&1)
check_eq "bad config: check exits 2" 2 "$?"

printf 'chain extra_input {\n    tcp dport 2222 acept\n}\n' >"$NSL_TMP/bad.nft"
{ cat "$seed"; printf '\n[firewall]\nextras = %s\n' "$NSL_TMP/bad.nft"; } >"$NSL_TMP/badextras.conf"
out=$(nsx other "$pk" --config "$NSL_TMP/badextras.conf" firewall apply 2>&1)
check_eq "bad extras: apply exits 1" 1 "$?"
check "bad extras: nft's error names the extras file and line" grep -q "$NSL_TMP/bad.nft:2:" <<<"$out"
check_eq "bad extras: the ruleset is unchanged" "$good" "$(listing other inet pppkit_fw)"
out=$(nsx other "$pk" --config "$NSL_TMP/badextras.conf" firewall check 2>&1)
check_eq "bad extras: check exits 2" 2 "$?"

# --- no previous ruleset: the failsafe
ns_create fresh
out=$(nsx fresh "$pk" --config "$bad" firewall apply 2>&1)
check_eq "bad config, nothing loaded: apply exits 2" 2 "$?"
check "... the failsafe is loaded" bash -c "ip netns exec $(ns fresh) nft list table inet pppkit_fw | grep -q 'pppkit failsafe'"
check "... it drops all input but loopback, replies and the LAN interface" bash -c "ip netns exec $(ns fresh) nft list chain inet pppkit_fw input | grep -q 'policy drop'"
out=$(nsx fresh "$pk" --config "$seed" firewall up ppp0 203.0.113.7 2>&1)
check_eq "up against the failsafe refuses (exit 1)" 1 "$?"
check "then a good apply replaces the failsafe" nsx fresh "$pk" --config "$seed" firewall apply
check "... status: current" nsx fresh "$pk" --config "$seed" firewall status

# --- no [firewall] at all (pppkit installed for MSS only): the boot unit loads nothing
ns_create nofw
printf '[mss]\nmss = auto\n' >"$NSL_TMP/mss-only.conf"
check "no [firewall]: apply exits 0" nsx nofw "$pk" --config "$NSL_TMP/mss-only.conf" firewall apply
check "no [firewall]: ... and loads no table" bash -c "! ip netns exec $(ns nofw) nft list table inet pppkit_fw"

# --- the plugin itself, driven by tests/load/fake_pppd (pppd 2.4.9's notifiers)
flat() { tr -s '\n\t ' ' ' <<<"$1"; } # nft wraps a set's elements over lines
so=$build/pppkit-firewall.so
if fake=$("$top/tests/load/build-fake-pppd.sh" "$build" 2>/dev/null) && [ -f "$so" ]; then
    ns_create plug
    nsx plug sysctl -qw net.ipv4.ip_forward=0
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 \
        sh "nft list table inet pppkit_fw | grep -c digest" ifname ppp0 phase 4 local4 203.0.113.44 ip-up \
        sh "nft list set inet pppkit_fw public4" ip-down sh "nft list set inet pppkit_fw public4" \
        sh "echo ACTIVE; nft list set inet pppkit_fw active_wan" exit 0 sh "echo EXITED; nft list set inet pppkit_fw active_wan" 2>&1)
    check "plugin: no boot ruleset -> loaded in configure(), before dialling" \
        grep -q "^LOG warn: pppkit-firewall: no boot ruleset .*loaded table inet pppkit_fw before dialling" <<<"$out"
    check "plugin: ... then turns IPv4 forwarding on, once the ruleset is loaded" grep -q \
        "^LOG notice: pppkit-firewall: IPv4 forwarding turned on" <<<"$(sed -n '/loaded table inet pppkit_fw before dialling/,$p' <<<"$out")"
    check_eq "plugin: ... net.ipv4.ip_forward" 1 "$(nsx plug cat /proc/sys/net/ipv4/ip_forward)"
    check "plugin: ip-up puts the IPCP address into public4" grep -q "elements = { 203.0.113.44 }" <<<"$out"
    check "plugin: ip-down removes the address" grep -q "^LOG info: pppkit-firewall: ip-down: active_wan ppp0 (" <<<"$out"
    # IPCP down, the interface lives on (IPv6CP up): it stays WAN until pppd exits
    check "plugin: ... and keeps ppp0 WAN (active_wan) while pppd lives" \
        grep -q 'elements = { "ppp0" }' <<<"$(sed -n '/^ACTIVE/,/^EXITED/p' <<<"$out")"
    check "plugin: exit removes it" bash -c '! grep -q "\"ppp0\"" <<<"$1"' _ "$(sed -n '/^EXITED/,$p' <<<"$out")"
    check "plugin: exit logs it" grep -q "exit: this link's elements removed, rules and other links kept" <<<"$out"
    check "plugin: ... and the table stays" nsx plug nft list chain inet pppkit_fw wan_dnat
    # two pppds at once (ppp0, ppp1): each changes only its own elements
    for i in ppp0 ppp1 ppp2; do nsx plug ip link add "$i" type veth peer name "x$i"; done # pppd's interfaces
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp0 phase 4 local4 203.0.113.44 ip-up 2>&1)
    check "plugin: pppd of ppp0 up (and then killed: no ip-down, no exit)" grep -q "ip-up: active_wan ppp0, public4 203.0.113.44" <<<"$out"
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp1 phase 4 local4 203.0.113.55 ip-up \
        sh "nft list set inet pppkit_fw public4" ip-down sh "nft list set inet pppkit_fw public4; nft list set inet pppkit_fw active_wan" \
        exit 0 sh "nft list set inet pppkit_fw active_wan" 2>&1)
    check "plugin: ppp1's ip-up adds its address, ppp0's stays" grep -q "elements = { 203.0.113.44, 203.0.113.55 }" <<<"$out"
    check "plugin: ppp1's ip-down removes only its own address" grep -q "elements = { 203.0.113.44 }" <<<"$out"
    check "plugin: ... and keeps both interfaces WAN" grep -q 'elements = { "ppp0", "ppp1" }' <<<"$(flat "$out")"
    check "plugin: ppp1's exit removes only its own interface" grep -q 'elements = { "ppp0" }' <<<"$out"
    nsx plug ip link del ppp0 # ppp0's pppd was killed -9: the kernel removed the interface
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp2 phase 4 local4 203.0.113.66 ip-up \
        sh "nft list set inet pppkit_fw public4; nft list map inet pppkit_fw wan_public4" exit 0 2>&1)
    check "plugin: the next pppd removes what the dead ppp0 left" grep -q "elements = { 203.0.113.66 }" <<<"$out"
    check "plugin: ... its record too" grep -q 'elements = { "ppp2" : 203.0.113.66 }' <<<"$out"
    # A redial on another unit never takes out the name another pppd has got
    # meanwhile (review 18, finding 2b): pppd A on ppp1 fails before IPCP (or
    # goes through ip-up and ip-down), releases its unit (ppp1 gone) and
    # reaches phase DEAD; pppd B gets ppp1 and comes up (and lives: no exit);
    # A redials on ppp2. The old plugin removed ppp1 at A's redial: B's link
    # was then WAN for no rule that does not name it.
    sets="echo SETS; nft list set inet pppkit_fw active_wan; nft list set inet pppkit_fw public4"
    pppd_b="$fake $so init opt pppkit-config $seed phase 2 ifname ppp1 phase 4 local4 203.0.113.77 ip-up"
    for how in "no IPCP" "ip-up, ip-down"; do
        ipcp=()
        [ "$how" = "no IPCP" ] || ipcp=(local4 203.0.113.88 ip-up ip-down)
        out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp1 phase 4 "${ipcp[@]}" \
            sh "ip link del ppp1" phase 0 sh "ip link add ppp1 type veth peer name xppp1 && $pppd_b >/dev/null 2>&1" \
            ifname ppp2 phase 4 sh "$sets" exit 0 2>&1)
        sets_out=$(flat "$(sed -n '/^SETS/,$p' <<<"$out")")
        check "plugin: A's redial ($how) keeps B's ppp1 WAN" grep -q 'elements = { "ppp1", "ppp2" }' <<<"$sets_out"
        check "plugin: ... and B's address" grep -q 'elements = { 203.0.113.77 }' <<<"$sets_out"
        check "plugin: ... A's link down logged" grep -q "link down: this link's elements removed" <<<"$out"
    done
    # ppp1 still there at DEAD (demand keeps it; or B took it at once): A
    # keeps it in active_wan, and its redial on ppp2 leaves it to B
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp1 phase 4 \
        local4 203.0.113.88 ip-up ip-down phase 0 sh "$pppd_b >/dev/null 2>&1" ifname ppp2 phase 4 sh "$sets" exit 0 2>&1)
    sets_out=$(flat "$(sed -n '/^SETS/,$p' <<<"$out")")
    check "plugin: ppp1 alive at A's DEAD: B's ppp1 stays WAN at A's redial" \
        grep -q 'elements = { "ppp1", "ppp2" }' <<<"$sets_out"
    check "plugin: ... and B's address" grep -q 'elements = { 203.0.113.77 }' <<<"$sets_out"
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$seed" phase 2 exit 0 2>&1)
    check "plugin: a current boot ruleset is kept" grep -q "boot ruleset in place .*kept" <<<"$out"
    before=$(listing plug inet pppkit_fw)
    out=$(nsx plug "$fake" "$so" init opt pppkit-config "$bad" phase 2 ip-up 2>&1)
    check_eq "plugin: bad config -> pppd exits 2 before the link" "DIE 2" "$(tail -n1 <<<"$out")"
    check "plugin: ... with file:line" grep -qF "LOG error: pppkit-firewall: $bad:$typo_line: [forward \"typo\"] to:" <<<"$out"
    check "plugin: ... the previous ruleset stays" grep -q "previous ruleset stays in force" <<<"$out"
    check_eq "plugin: ... unchanged" "$before" "$(listing plug inet pppkit_fw)"
    ns_create plug2
    out=$(nsx plug2 "$fake" "$so" init opt pppkit-config "$bad" phase 2 2>&1)
    check_eq "plugin: bad config, nothing loaded -> exit 2" "DIE 2" "$(tail -n1 <<<"$out")"
    check "plugin: ... and the failsafe is loaded" \
        bash -c "ip netns exec $(ns plug2) nft list table inet pppkit_fw | grep -q 'pppkit failsafe'"
    # After a flush with no pppkitd (nftables.service restarted), `pppkit
    # firewall apply` loads every live pppd's link again from the plugins'
    # records in /run/pppkit/firewall (this test's own tmpfs; see the top)
    ns_create rec
    for i in ppp0 ppp1; do nsx rec ip link add "$i" type veth peer name "x$i"; done
    nsx rec ip addr add 203.0.113.44 peer 203.0.113.1 dev ppp0 # as pppd sets them before ip-up
    nsx rec ip addr add 203.0.113.55 peer 203.0.113.1 dev ppp1
    check "records: apply" nsx rec "$pk" --config "$seed" firewall apply
    ip netns exec "$(ns rec)" "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp0 phase 4 local4 203.0.113.44 ip-up \
        sleep 120000 >"$NSL_TMP/rec-a.log" 2>&1 &
    rec_a=$!
    ip netns exec "$(ns rec)" "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp1 phase 4 local4 203.0.113.55 ip-up \
        sleep 120000 >"$NSL_TMP/rec-b.log" 2>&1 &
    rec_b=$!
    NSL_PIDS+=("$rec_a" "$rec_b")
    check "records: both pppds wrote theirs (interface, address, name, index, start time, namespace)" \
        wait_for 5 sh -c 'grep -Eqx "ppp0 203.0.113.44 - [0-9]+ [0-9]+ [0-9]+" /run/pppkit/firewall/* &&
        grep -Eqx "ppp1 203.0.113.55 - [0-9]+ [0-9]+ [0-9]+" /run/pppkit/firewall/*'
    check_eq "records: root's, 0644" "root 644" "$(stat -c '%U %a' /run/pppkit/firewall/[0-9]* | sort -u)"
    nsx rec nft flush ruleset
    check "records: apply after a flush" nsx rec "$pk" --config "$seed" firewall apply
    sets=$(flat "$(nsx rec nft list set inet pppkit_fw active_wan; nsx rec nft list set inet pppkit_fw public4)")
    check "records: ... both links are WAN again" grep -q 'elements = { "ppp0", "ppp1" }' <<<"$sets"
    check "records: ... with both public addresses (forwards, reflection)" \
        grep -q 'elements = { 203.0.113.44, 203.0.113.55 }' <<<"$sets"
    # a pppd killed -9 leaves its record: skipped (and removed) once it is gone
    kill -9 "$rec_a"
    wait "$rec_a" 2>/dev/null
    nsx rec nft flush ruleset
    check "records: apply after a flush, ppp0's pppd killed" nsx rec "$pk" --config "$seed" firewall apply
    sets=$(flat "$(nsx rec nft list set inet pppkit_fw active_wan; nsx rec nft list set inet pppkit_fw public4)")
    check "records: ... only ppp1 (its pppd lives)" grep -q 'elements = { "ppp1" } .* elements = { 203.0.113.55 }' <<<"$sets"
    check_eq "records: ... the dead pppd's record removed" 1 "$(ls /run/pppkit/firewall | grep -c '^[0-9]*$')"
    # a record someone could have written (group-writable) is not trusted
    chmod 664 /run/pppkit/firewall/"$rec_b"
    nsx rec nft flush ruleset
    nsx rec "$pk" --config "$seed" firewall apply >/dev/null
    check_fails "records: a group-writable record is not read" \
        sh -c "ip netns exec $(ns rec) nft list set inet pppkit_fw public4 | grep -q 203.0.113.55"
    chmod 644 /run/pppkit/firewall/"$rec_b"
    # review 21: a record counts only in its pppd's network namespace, on its
    # very interface, while that very pppd runs (start time: pid reuse)
    ns_create rec2
    nsx rec2 ip link add ppp1 type veth peer name xppp1
    check "records: apply in another namespace with its own ppp1" nsx rec2 "$pk" --config "$seed" firewall apply
    check_fails "records: ... does not take the other namespace's record" \
        sh -c "ip netns exec $(ns rec2) nft list set inet pppkit_fw public4 | grep -q 203.0.113.55"
    nsx rec ip link del ppp1
    nsx rec ip link add ppp1 type veth peer name xppp1 # the same name, another interface (index)
    nsx rec nft flush ruleset
    check "records: apply after ppp1 was made again" nsx rec "$pk" --config "$seed" firewall apply
    check_fails "records: ... the record of the old ppp1 is not read" \
        sh -c "ip netns exec $(ns rec) nft list set inet pppkit_fw public4 | grep -q 203.0.113.55"
    # the record of a pid that another process has now: its start time differs
    rec_c=$(sh -c 'sleep 60 >/dev/null 2>&1 & echo $!')
    NSL_PIDS+=("$rec_c")
    # B's record (its namespace, its start time) for ppp0 as it is now: only the start time is wrong
    awk -v ifx="$(nsx rec cat /sys/class/net/ppp0/ifindex)" '{ $1 = "ppp0"; $2 = "203.0.113.44"; $4 = ifx; print }' \
        /run/pppkit/firewall/"$rec_b" >/run/pppkit/firewall/"$rec_c"
    check "records: (a record for ppp0 under a live pid that is no pppd's)" grep -q "^ppp0 203.0.113.44 - " \
        /run/pppkit/firewall/"$rec_c"
    nsx rec nft flush ruleset
    check "records: apply with it" nsx rec "$pk" --config "$seed" firewall apply
    check_fails "records: ... another process's start time: not read" \
        sh -c "ip netns exec $(ns rec) nft list set inet pppkit_fw public4 | grep -q 203.0.113.44"
    # control: with that process's own start time the same record is read
    awk -v st="$(awk '{ print $22 }' /proc/"$rec_c"/stat)" '{ $5 = st; print }' /run/pppkit/firewall/"$rec_c" \
        >"$NSL_TMP/rec_c" && cat "$NSL_TMP/rec_c" >/run/pppkit/firewall/"$rec_c"
    nsx rec nft flush ruleset
    nsx rec "$pk" --config "$seed" firewall apply >/dev/null
    check "records: ... control: with its own start time it is read (the check above can fail)" \
        sh -c "ip netns exec $(ns rec) nft list set inet pppkit_fw public4 | grep -q 203.0.113.44"
    kill -9 "$rec_b" "$rec_c"
    # A full load that races a pppd's ip-up: `pppkit firewall apply` reads
    # the links, ppp1's pppd commits its element batches, then the load
    # replaces the table (and ppp1's address with it). strace holds the
    # apply's first batch (its first sendmsg; listings go by sendto) for 4 s,
    # and ppp1's pppd comes up meanwhile. The generation id moved by more
    # than the load's own commit: it reads the links again (ppp1 from its
    # record, written before its batches) and loads again.
    # [child] PID: PID (or strace PID's child) stopped by strace on entering
    # sendmsg on a netlink socket (a batch; a log line to the journal is a
    # sendmsg too); /proc/PID/syscall names the call of a task not running
    # sendmsg's number on this architecture, from the C library's headers
    sendmsg_nr=$(printf '#include <sys/syscall.h>\nSYS_sendmsg\n' | cpp -P - | tail -n 1)
    check "race: sendmsg's system call number ($sendmsg_nr)" test "$sendmsg_nr" -gt 0
    held_in_sendmsg() {
        local n fd sock pid=$1
        [ "$1" = child ] && pid=$(pgrep -P "$2" | head -n 1)
        [ -n "$pid" ] && read -r n fd _ <"/proc/$pid/syscall" && [ "$n" = "$sendmsg_nr" ] || return 1
        sock=$(readlink "/proc/$pid/fd/$((fd))") || return 1
        sock=${sock#socket:[}
        awk -v i="${sock%]}" '$NF == i { f = 1 } END { exit !f }' "/proc/$pid/net/netlink"
    }
    ns_create race
    for i in ppp0 ppp1; do nsx race ip link add "$i" type veth peer name "x$i"; done
    nsx race ip addr add 203.0.113.44 peer 203.0.113.1 dev ppp0
    nsx race ip addr add 203.0.113.66 peer 203.0.113.1 dev ppp1
    check "race: apply" nsx race "$pk" --config "$seed" firewall apply
    check "race: ppp0 up by hand (in the kernel only, no record)" nsx race "$pk" --config "$seed" firewall up ppp0 203.0.113.44
    # (LeakSanitizer cannot run under ptrace: make check SANITIZE=1)
    ip netns exec "$(ns race)" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -qq -o /dev/null -e trace=sendmsg -e inject=sendmsg:delay_enter=4000000:when=1 \
        "$pk" --config "$seed" firewall apply >"$NSL_TMP/race.out" 2>&1 &
    race_apply=$!
    # ppp1 comes up once the apply is held at its batch's sendmsg (under a
    # sanitizer, reading the links may take longer than any fixed sleep)
    check "race: the apply is held at its commit" wait_for 10 held_in_sendmsg child "$race_apply"
    ip netns exec "$(ns race)" "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp1 phase 4 local4 203.0.113.66 \
        ip-up sleep 120000 >"$NSL_TMP/race-b.log" 2>&1 &
    race_b=$!
    NSL_PIDS+=("$race_b")
    public4_has() { ip netns exec "$(ns race)" nft list set inet pppkit_fw public4 | grep -q "$1"; }
    check "race: ppp1's ip-up is in public4 ..." wait_for 5 public4_has 203.0.113.66
    check "race: ... while the apply still waits to commit (the race is real)" kill -0 "$race_apply"
    wait "$race_apply"
    check_eq "race: the apply exits 0" 0 "$?"
    check "race: ... and says it loaded again" grep -q "loaded 2 times" "$NSL_TMP/race.out"
    check "race: ppp1's address is in public4 after it (lost with the replaced table before)" public4_has 203.0.113.66
    check "race: ... and ppp0's (read from the kernel)" public4_has 203.0.113.44
    # The same race with pppkitd's drift repair: someone empties public4,
    # pppkitd reads the links and (held by strace) loads only 5 s later; ppp2's
    # pppd comes up meanwhile. Its repair loads again, with ppp2.
    if [ -x "$build/pppkitd" ]; then
        nsx race ip link add ppp2 type veth peer name xppp2
        nsx race ip addr add 203.0.113.77 peer 203.0.113.1 dev ppp2
        mkdir -p "$NSL_TMP/pkd-run"
        ip netns exec "$(ns race)" "$build/pppkitd" --config "$seed" --runtime-dir "$NSL_TMP/pkd-run" \
            >"$NSL_TMP/pkd.log" 2>&1 &
        race_pkd=$!
        NSL_PIDS+=("$race_pkd")
        check "race: pppkitd watches for drift" wait_for 10 grep -q "drift repair: watching" "$NSL_TMP/pkd.log"
        # ... and is done starting (its last log lines are sendmsg calls too)
        check "race: pppkitd started" wait_for 10 grep -q "started, 0 link(s)" "$NSL_TMP/pkd.log"
        # (detached before pppkitd exits: LeakSanitizer's check at exit cannot run under ptrace)
        strace -qq -o /dev/null -p "$race_pkd" \
            -e trace=sendmsg -e inject=sendmsg:delay_enter=5000000:when=1 &
        race_strace=$!
        NSL_PIDS+=("$race_strace")
        check "race: strace holds pppkitd" wait_for 5 grep -qE "^TracerPid:\s*[1-9]" /proc/"$race_pkd"/status
        nsx race nft flush set inet pppkit_fw public4
        check "race: pppkitd's repair is held at its commit" wait_for 10 held_in_sendmsg "$race_pkd"
        ip netns exec "$(ns race)" "$fake" "$so" init opt pppkit-config "$seed" phase 2 ifname ppp2 phase 4 \
            local4 203.0.113.77 ip-up sleep 120000 >"$NSL_TMP/race-c.log" 2>&1 &
        race_c=$!
        NSL_PIDS+=("$race_c")
        check "race: ppp2's ip-up is in public4 ..." wait_for 5 public4_has 203.0.113.77
        check_fails "race: ... while pppkitd's repair waits (the race is real)" grep -q "drift repaired" "$NSL_TMP/pkd.log"
        check "race: pppkitd's repair says it loaded again" \
            wait_for 10 grep -q "loaded 2 times: a pppd's update was committed" "$NSL_TMP/pkd.log"
        grep -q "loaded 2 times" "$NSL_TMP/pkd.log" || tail -n 20 "$NSL_TMP/pkd.log" | sed 's/^/      pppkitd| /'
        check "race: ppp2's address is in public4 after the repair" public4_has 203.0.113.77
        check "race: ... and ppp1's" public4_has 203.0.113.66
        check "race: ... and ppp0's" public4_has 203.0.113.44
        kill "$race_strace" 2>/dev/null
        wait "$race_strace" 2>/dev/null
        kill "$race_pkd" "$race_c" 2>/dev/null
        wait "$race_pkd" 2>/dev/null
    else
        fail "race: no $build/pppkitd"
    fi
    kill -9 "$race_b"
else
    fail "cannot build tests/load/fake_pppd or no $so"
fi

nsl_finish
