#!/bin/bash
# mss.bench.sh BUILD - pppkit-mss's figures, in a namespace of its own that
# has a veth named ppp0 (MTU 1454):
#  1. ip-up -> MSS rules live: BUILD/bench/mss_bench (tests/bench/mss_bench.cpp):
#     pppkit's warmed libnftables context vs exec'd iptables (pppoeconf) vs nft -f;
#  2. how long each pppkit-mss callback holds pppd's loop: the real
#     pppkit-mss.so in tests/load/fake_pppd, plugin_init, the first phase
#     change (configure), then ip-up/ipv6-up/ip-down/ipv6-down many times.
# Prints ROW/VERDICT/NOTE lines for tests/bench/run.sh.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
nsl_init bmss
nsl_need nft iptables gcc
RUNS=${MSS_BENCH_RUNS:-30}
CALLS=${MSS_BENCH_CALLS:-300}
[ -x "$build/bench/mss_bench" ] || nsl_skip "no $build/bench/mss_bench (make bench builds it)"
[ -f "$build/pppkit-mss.so" ] || nsl_skip "no $build/pppkit-mss.so (make all)"
fake=$("$top/tests/load/build-fake-pppd.sh" "$build") || exit 1

ns_create r
ns_create peer
veth r ppp0 peer wan0 1454

echo "NOTE	ip-up -> MSS rules live (ppp0, MTU 1454)	$(iptables -V); $(nft -v); kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 150 ip netns exec "$(ns r)" "$build/bench/mss_bench" "$RUNS" || exit 1

conf=$NSL_TMP/pppkit.conf
printf '[mss]\nmss = auto\n' >"$conf"
t="pppkit-mss callbacks: time holding pppd's loop"
out=$(timeout 120 ip netns exec "$(ns r)" "$fake" "$build/pppkit-mss.so" init opt pppkit-config "$conf" \
    timed-phase 2 ifname ppp0 bench "$CALLS" exit 0 2>&1) || { printf '%s\n' "$out"; exit 1; }
worst=0 p99s=""
while read -r _ ev n med min p99 max; do
    p99s="$p99s $ev $(awk -v x="${p99#p99_us=}" 'BEGIN{printf "%.3f", x/1000}') ms,"
    n=${n#n=} med=${med#median_us=} min=${min#min_us=} max=${max#max_us=}
    printf 'ROW\t%s\t%s\t%.3f\tms\t%s\t%.3f\t%.3f\n' "$t" "$ev" "$(awk -v x="$med" 'BEGIN{print x/1000}')" \
        "$n" "$(awk -v x="$min" 'BEGIN{print x/1000}')" "$(awk -v x="$max" 'BEGIN{print x/1000}')"
    worst=$(awk -v a="$worst" -v b="$max" 'BEGIN{print (b > a) ? b : a}')
done < <(grep '^bench ip\|^bench ipv6' <<<"$out")
cfg=$(sed -n 's/^bench phase-2 us=//p' <<<"$out")
host=$(sed -n 's/^LOG info: pppkit-mss: //p' <<<"$out" | grep 'longest callback')
echo "NOTE	$t	configure() at the first phase change, once before dialling: $(awk -v x="$cfg" 'BEGIN{printf "%.2f", x/1000}') ms (loads pppkit.conf, warms nftables)"
echo "NOTE	$t	the host's own measure at exit: $host"
echo "NOTE	$t	99th percentile:${p99s%,}"
cpu=$(sed -n 's/^bench cpu max_us=//p' <<<"$out")
echo "NOTE	$t	the most CPU time one callback used: $(awk -v x="$cpu" 'BEGIN{printf "%.3f", x/1000}') ms (the rest of a longer wall time went to other processes; load average $(cut -d' ' -f1 /proc/loadavg))"
verdict=PASS
awk -v w="$worst" 'BEGIN{exit !(w < 1000)}' || verdict=FAIL
printf 'VERDICT\t%s\t%s\tlongest ip-up/ipv6-up/ip-down/ipv6-down callback %.3f ms over %s rounds (target < 1 ms)\n' \
    "$t" "$verdict" "$(awk -v x="$worst" 'BEGIN{print x/1000}')" "$CALLS"
errs=$(sed -n 's/^END errors-logged=//p' <<<"$out")
[ "$errs" = 0 ] || { echo "FAIL: the plugin logged $errs errors during the bench"; printf '%s\n' "$out" | grep '^LOG error' | head; exit 1; }
exit 0
