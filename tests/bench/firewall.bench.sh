#!/bin/bash
# firewall.bench.sh BUILD - pppkit-firewall's figures, in a namespace of its
# own (veth ppp0 <-> a peer, a LAN interface ens160), by
# BUILD/bench/firewall_bench (tests/bench/firewall_bench.cpp):
#  1. ip-up -> the user's whole ruleset live: pppkit in-process vs the user's
#     script as is (tests/firewall/seed-iptables.sh, iptables-nft) vs
#     iptables-restore of the same rules vs nft -f of pppkit's ruleset;
#  2. 1,000 and 10,000 forwards: generation and apply, growth ratio.
# The config is the user's script imported by `pppkit firewall import`.
# Prints ROW/VERDICT/NOTE lines for tests/bench/run.sh.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init bfw2
NSL_PREFIX="fw2b-$$-"
nsl_need nft iptables iptables-restore iptables-save
RUNS=${FW_BENCH_RUNS:-15}
[ -x "$build/bench/firewall_bench" ] || nsl_skip "no $build/bench/firewall_bench (make bench builds it)"
[ -x "$build/pppkit" ] || nsl_skip "no $build/pppkit (make all)"
iptables -V | grep -q nf_tables || nsl_skip "iptables is not iptables-nft: $(iptables -V)"

ns_create r
ns_create peer
veth r ppp0 peer wan0
ns_create lan
veth r ens160 lan eth0
nsx r ip addr add 11.0.0.2 peer 11.0.0.1 dev ppp0
nsx r ip addr add 172.16.2.1/16 dev ens160

"$build/pppkit" firewall import "$top/tests/firewall/seed-iptables.sh" --out "$NSL_TMP/conf" >"$NSL_TMP/import.out" 2>&1 ||
    { cat "$NSL_TMP/import.out"; exit 1; }
# the user's rules once, saved for iptables-restore (inside the namespace only)
nsx r sh "$top/tests/firewall/seed-iptables.sh" || exit 1
nsx r iptables-save >"$NSL_TMP/seed.rules" || exit 1
echo "saved $(grep -c '^-A' "$NSL_TMP/seed.rules") rules for iptables-restore"
nsx r nft flush ruleset

t="ip-up -> the user's whole ruleset live (8 forwards)"
echo "NOTE	$t	$(iptables -V); $(nft -v); kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "NOTE	$t	the script makes $(grep -c '^iptables' "$top/tests/firewall/seed-iptables.sh") iptables calls; iptables-restore loads $(grep -c '^-A' "$NSL_TMP/seed.rules") rules"
timeout 600 ip netns exec "$(ns r)" "$build/bench/firewall_bench" "$RUNS" "$NSL_TMP/conf/pppkit.conf" \
    "$top/tests/firewall/seed-iptables.sh" "$NSL_TMP/seed.rules" "$NSL_TMP"
