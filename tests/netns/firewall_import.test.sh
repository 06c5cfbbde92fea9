#!/bin/bash
# tests/netns/firewall_import.test.sh - `pppkit firewall import`, the real command:
# the user's script (tests/firewall/seed-iptables.sh) becomes a pppkit.conf
# with the eight forwards, masquerade and the LAN services, the 176.16.0.0/12
# typo is flagged, and the result passes `pppkit check` and `pppkit firewall
# check` (nft's check mode, in a namespace of its own). An iptables-save file
# with rules pppkit.conf cannot express yields an extras file that nft accepts
# inside pppkit's table, and a report of what could not be translated.
set -u
PPPKIT_TOP=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PPPKIT_BUILD=${PPPKIT_BUILD:-${1:-$PPPKIT_TOP/build}}
# shellcheck source=tests/netns/lib.sh
. "$PPPKIT_TOP/tests/netns/lib.sh"
nsl_init fw2i
NSL_PREFIX="fw2i-$$-"
nsl_need nft iptables-restore-translate
PK=$PPPKIT_BUILD/pppkit
[ -x "$PK" ] || nsl_skip "no $PK (make all BUILD=...)"
FW=$PPPKIT_TOP/tests/firewall
ns_create chk || nsl_skip "cannot create a namespace"

# ---- the user's script ----------------------------------------------------------
OUT=$NSL_TMP/seed
"$PK" firewall import "$FW/seed-iptables.sh" --out "$OUT" >"$NSL_TMP/seed.out" 2>&1
check_eq "import of the user's script exits 0" 0 $?
sed 's/^/    | /' "$NSL_TMP/seed.out" | head -n 12
conf=$OUT/pppkit.conf
check_eq "eight [forward] sections" 8 "$(grep -c '^\[forward "' "$conf")"
for f in 'https:tcp:443:172.16.1.100' 'http:tcp:80:172.16.1.100' 'smtp:tcp:25:172.16.1.100' \
    'http-server2:tcp:18080:172.16.1.101' 'rtmp:tcp:1935:172.16.1.100' 'l2tp:udp:1701:172.16.1.100' \
    'isakmp:udp:500:172.16.1.100' 'ipsec-nat-traversal:udp:4500:172.16.1.100'; do
    IFS=: read -r name proto port to <<<"$f"
    got=$(awk -v n="[forward \"$name\"]" '$0 == n {on=1; next} /^\[/ {on=0} on && /=/ {printf "%s;", $0}' "$conf")
    check_eq "[forward \"$name\"]" "proto = $proto;port = $port;to = $to;" "$got"
done
check "masquerade = yes" grep -qx 'masquerade = yes' "$conf"
check "LAN services: router-services = udp/53, tcp/22" grep -qx 'router-services = udp/53, tcp/22' "$conf"
check "LAN: lan-interfaces = ens160, lan-networks = 172.16.0.0/16" \
    bash -c "grep -qx 'lan-interfaces = ens160' '$conf' && grep -qx 'lan-networks = 172.16.0.0/16' '$conf'"
check "the SMB block list" grep -qx 'forward-block = tcp/135, tcp/137-139, tcp/445, udp/135, udp/137-139, udp/445' "$conf"
check "no extras file for the seed (everything maps)" test ! -e "$OUT/pppkit-firewall.nft"
typo_line=$(grep -n -- '-d 176.16.0.0/12' "$FW/seed-iptables.sh" | cut -d: -f1)
check "the report flags the 176.16.0.0/12 typo on line $typo_line" \
    grep -q "^seed-iptables.sh:$typo_line: SUSPICIOUS: 176.16.0.0/12 .*typo for 172.16.0.0/12" "$OUT/import-report.txt"
check "pppkit check accepts it" "$PK" --config "$conf" check
check "pppkit firewall check (nft check mode) accepts it" nsx chk "$PK" --config "$conf" firewall check
"$PK" firewall import "$FW/seed-iptables.sh" --out "$OUT" >/dev/null 2>&1
check_eq "a second import into the same dir refuses to overwrite (exit 2)" 2 $?

# ---- an iptables-save file with leftovers ------------------------------------------
OUT2=$NSL_TMP/save
"$PK" firewall import "$FW/extra-rules.save" --out "$OUT2" >"$NSL_TMP/save.out" 2>&1
check_eq "import of extra-rules.save exits 1 (one rule has no nft equivalent)" 1 $?
check "the report names the untranslatable rule (-m recent, line 24)" \
    grep -q '^extra-rules.save:24: NOT IMPORTED: the translator gave no rule' "$OUT2/import-report.txt"
check "an extras file was written and pppkit.conf points to it" \
    grep -qx "extras = $OUT2/pppkit-firewall.nft" "$OUT2/pppkit.conf"
check "extras: the translated blocklist jump, renamed" \
    grep -q 'ip saddr 203.0.113.66 counter jump import_filter_blocklist  # line 25' "$OUT2/pppkit-firewall.nft"
check "extras: the TCPMSS rule, translated" grep -q 'tcp option maxseg size set rt mtu  # line 39' "$OUT2/pppkit-firewall.nft"
check "the DNAT without FORWARD accept stays commented out" grep -qx '# \[forward "tcp-2222"\]' "$OUT2/pppkit.conf"
check "pppkit firewall check accepts the config and its extras" nsx chk "$PK" --config "$OUT2/pppkit.conf" firewall check
check "and they load: firewall apply" nsx chk "$PK" --config "$OUT2/pppkit.conf" firewall apply
check "the extras chains are in pppkit's table" \
    bash -c "ip netns exec '$(ns chk)' nft list chain inet pppkit_fw import_filter_input | grep -q 'jump import_filter_blocklist'"

# ---- idioms that used to change meaning (issue 12 §4) ------------------------------
cat >"$NSL_TMP/idioms.sh" <<'EOS'
#!/bin/sh
# The seed's firewall script (idioms)
iptables -t nat -A PREROUTING -i ppp0 -p tcp --dport 443 -j DNAT --to-destination 192.168.1.10
iptables -A FORWARD -i ppp0 -p tcp -d 192.168.1.10 --dport 443 -j ACCEPT
iptables -t nat -A POSTROUTING -s 192.168.1.1 -o ppp0 -j MASQUERADE
iptables -A FORWARD -i br+ -o ppp0 -j ACCEPT
iptables -A INPUT -i br0 -p tcp --dport ssh -j ACCEPT
iptables -A INPUT -i br0 -p udp --dport domain -j ACCEPT
iptables -A INPUT -i br0 -p tcp --dport no-such-service -j ACCEPT
EOS
OUT3=$NSL_TMP/idioms
"$PK" firewall import "$NSL_TMP/idioms.sh" --out "$OUT3" >"$NSL_TMP/idioms.out" 2>&1
check_eq "import of the idioms exits 1 (one rule is refused)" 1 $?
sed 's/^/    | /' "$OUT3/import-report.txt" | grep -E 'SUSPICIOUS|NOT IMPORTED|:5:|:6:|:7:|:8:'
check "named ports are numbers: router-services = tcp/22, udp/53" grep -qx 'router-services = tcp/22, udp/53' "$OUT3/pppkit.conf"
check "an unknown service name is refused loudly (line 9)" \
    grep -q "^idioms.sh:9: NOT IMPORTED: 'no-such-service' is not a tcp service name" "$OUT3/import-report.txt"
check "br+ becomes lan-interfaces = br*" grep -qx 'lan-interfaces = br\*, br0' "$OUT3/pppkit.conf"
check "one masqueraded host: masquerade = no, no lan-networks" \
    bash -c "grep -qx 'masquerade = no' '$OUT3/pppkit.conf' && ! grep -q '^lan-networks' '$OUT3/pppkit.conf'"
check "one masqueraded host: its own rule in the extras file" \
    grep -q 'oifname "ppp0" ip saddr 192.168.1.1 counter masquerade  # line 5' "$OUT3/pppkit-firewall.nft"
check "the header comment names no forward: [forward \"https\"]" grep -qx '\[forward "https"\]' "$OUT3/pppkit.conf"
check "pppkit firewall check accepts the idioms' config and extras" nsx chk "$PK" --config "$OUT3/pppkit.conf" firewall check
nsl_finish
