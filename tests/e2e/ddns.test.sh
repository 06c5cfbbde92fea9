#!/bin/bash
# ddns.test.sh BUILD - pppkit-ddns.so in a real pppd (the host's 2.4.9) dialled
# over PPPoE to a real pppoe-server, in the lab VM (tests/e2e/lab.sh). The DDNS
# servers run on the ISP side (netns isp, on the "internet" host 198.51.100.80):
# a private dovecot pop3d (tests/ddns/dovecot.sh) and tests/ddns/fake_provider.py
# answering dyndns2 over HTTPS with a test CA.
#
#   ip-up    -> the POP3 login and the dyndns2 update arrive from the IPCP address,
#               with it, within 1 s of IPCP completing (timed on a capture of the
#               PPPoE session on the ISP's wire: last IPCP Conf-Ack -> the request).
#               The lab VM is qemu TCG (no KVM): there the 1 s and 1 ms targets are
#               reported with an in-VM curl baseline, not judged; they are judged
#               natively by tests/bench/ddns.bench.sh (strictly here under KVM)
#   hang     -> the HTTP server swallows the request; the worker waits (timeout 90 s),
#               pppd keeps answering LCP echo (interval 1 s, failure 3): the link
#               survives 60 s, no ip-down
#   poff     -> while that request is in flight: pppd exits, the worker is gone and
#               the server's connection is closed; "longest callback" < 1 ms
# Secrets: a root-owned 0600 /etc/ppp/pppkit-secrets in the VM (lab.sh --file).
# The same file is the guest script: lab.sh runs it inside the VM with LAB_LIB set.
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-}}")
    here=$(dirname "$(readlink -f "$0")")
    top=$(cd "$here/../.." && pwd)
    [ -f "$build/pppkit-ddns.so" ] || { echo "SKIP: no $build/pppkit-ddns.so (make all first)"; exit 77; }
    [ -x "$build/pppkit-ddns-worker" ] || { echo "SKIP: no $build/pppkit-ddns-worker"; exit 77; }
    command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/pop3-login ] || {
        echo "SKIP: needs dovecot-core and dovecot-pop3d"; exit 77; }
    # a host dir shared read-write with the guest: certs, accounts, the state dir
    share=$(mktemp -d /var/tmp/pppkit-dd2lab.XXXXXX) || exit 2
    trap 'rm -rf "$share"' EXIT
    trap 'exit 130' INT TERM
    chmod 755 "$share"
    pw="Dd2Lab$(openssl rand -hex 8)Zq"
    "$top/tests/ddns/mkcerts.sh" "$share/certs" IP:198.51.100.80 >/dev/null || exit 2
    (
        umask 077
        printf 'mydns-home = %s\ndyn-pw = %s\n' "$pw" "$pw" >"$share/secrets"
        printf '%s\n' "$pw" >"$share/pw.dovecot"
        printf 'user mydns123456 %s\nuser dynuser %s\nhost host.example.jp\n' "$pw" "$pw" >"$share/accounts"
        printf 'user = "dynuser:%s"\n' "$pw" >"$share/curl.cfg"   # the in-VM curl baseline, off argv
    )
    mkdir -p "$share/state"
    # the last thing pppd runs before it sets the address and fires the ip-up notifier
    printf '#!/bin/sh\ndate +%%s.%%N >>%s/pre-up.t\n' "$share" >"$share/pre-up"
    cat >"$share/pppkit.conf" <<EOF
[pppkit]
state-dir = $share/state

[ddns "pop"]
provider = mydns-pop3
username = mydns123456
password = mydns-home
server = 198.51.100.80:110
tls = stls
ca-file = $share/certs/ca.pem
pop3-auth = user
links = ppp*
timeout = 20s

[ddns "http"]
provider = dyndns2
username = dynuser
password = dyn-pw
hostname = host.example.jp
server = 198.51.100.80:443
ca-file = $share/certs/ca.pem
links = ppp*
timeout = 150s
EOF
    export DD2_SHARE=$share
    bash "$here/lab.sh" --build "$build" --plugin ddns --opts "pppkit-ddns-worker $build/pppkit-ddns-worker" \
        --config "$share/pppkit.conf" \
        --file "$share/secrets:pppkit-secrets:0600" --file "$share/pre-up:ip-pre-up.d/99dd2-t0:0755" --share "$share" --passenv DD2_SHARE \
        --timeout 400 --name ddns "$here/ddns.test.sh"
    exit $?
fi

# ---- guest side (inside the VM) ----------------------------------------------
. "$LAB_LIB"
DD=$PPPKIT_TOP/tests/ddns
S=${DD2_SHARE:-}
[ -n "$S" ] && [ -d "$S/certs" ] || lab_skip "the shared dir with the test CA is not visible in the VM"
SRV=$LAB_INET_IP
FLOG=$W/logs/fake-provider.log
DC=/tmp/dd2-dovecot   # dovecot's base_dir needs unix sockets: the guest's tmpfs
workers() { pgrep -x pppkit-ddns-wor; }   # comm: the first 15 characters
no_workers() { ! pgrep -x pppkit-ddns-wor >/dev/null; }

# the worker drops to the package's system user; this guest has the build tree,
# not the package, and its root is the host's, read-only: a passwd/group with the
# user is bound over /etc/passwd and /etc/group inside the VM (the host is not changed)
if ! getent passwd pppkit-ddns >/dev/null; then
    for u in $(seq 989 -1 900); do
        getent passwd $u >/dev/null || getent group $u >/dev/null || { DDUID=$u; break; }
    done
    cp /etc/passwd /tmp/lab-passwd && cp /etc/group /tmp/lab-group
    echo "pppkit-ddns:x:$DDUID:$DDUID:pppkit dynamic DNS worker:/:/usr/sbin/nologin" >>/tmp/lab-passwd
    echo "pppkit-ddns:x:$DDUID:" >>/tmp/lab-group
    mount --bind /tmp/lab-passwd /etc/passwd && mount --bind /tmp/lab-group /etc/group ||
        lab_skip "cannot give the guest the pppkit-ddns user"
fi
getent passwd pppkit-ddns >/dev/null || fail worker-user "no pppkit-ddns user in the guest"

# ---- servers on the ISP side
"$DD/dovecot.sh" start "$DC" --netns isp --listen "$SRV" --pop3 110 --pop3s 995 \
    --user "mydns123456:$S/pw.dovecot" --cert-dir "$S/certs" --no-penalty >>"$W/logs/dovecot-start.log" 2>&1 ||
    { fail dovecot-start "$(tail -n 5 "$W/logs/dovecot-start.log" | tr '\n' ' ')"; lab_done; exit 1; }
lab_bg fake-provider isp timeout 380 python3 "$DD/fake_provider.py" --https "$SRV:443" \
    --cert "$S/certs/server.pem" --key "$S/certs/server.key" --log "$FLOG" --accounts "$S/accounts" \
    --control "$W/control" --ready "$W/fake.ready" --lifetime 370
wait_until 30 test -s "$W/fake.ready" || fail fake-provider "did not start: $(tail -n 3 "$W/logs/fake-provider.log")"
stop_dovecot() { "$DD/dovecot.sh" stop "$DC"; cp "$DC/dovecot.log" "$W/logs/dovecot.log" 2>/dev/null; }
trap stop_dovecot EXIT
info servers "dovecot pop3d $SRV:110/995, fake dyndns2 https://$SRV:443 (isp)"
# The VM reads binaries over 9p (TCG, no KVM): page the plugin, the worker and
# its libraries in once, as they would be on a router's own disk.
cat "$PPPKIT_BUILD/pppkit-ddns.so" "$PPPKIT_BUILD/pppkit-ddns-worker" >/dev/null
"$PPPKIT_BUILD/pppkit-ddns-worker" --warm-up >/dev/null 2>&1   # usage error, after the loader mapped every library
curl --version >/dev/null 2>&1

# ---- 1. ip-up -> notifications within 1 s, from and with the IPCP address
capture_start wire isp isp0 pppoes
lab_up || { stop_dovecot; lab_done; exit 1; }
wait_until 10 grep -q "rip=$LAB_PUBLIC" "$DC/dovecot.log"
wait_until 10 grep -q '"/nic/update"' "$FLOG"
sleep 1
capture_stop wire
tcpdump -n -tt -r "$W/cap/wire.pcap" >"$W/logs/wire.txt" 2>/dev/null
grep -E 'IPCP|Flags \[S\]' "$W/logs/wire.txt" | head -n 20 | sed 's/^/    wire| /'
# the last IPCP Conf-Ack on the wire = both sides' IPCP up (the router's ip-up notifier runs then)
t_ipcp=$(grep 'IPCP' "$W/logs/wire.txt" | grep -i 'conf-ack' | tail -n 1 | awk '{print $1}')
syn_t() { grep "IP $LAB_PUBLIC\.[0-9]* > $SRV\.$1: Flags \[S\]" "$W/logs/wire.txt" | head -n 1 | awk '{print $1}'; }
t_syn110=$(syn_t 110) t_syn443=$(syn_t 443)
t_http=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["path"] == "/nic/update":
        print(d["t"]); break' "$FLOG")
lat() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "") print "none"; else printf "%.3f", b - a }'; }
under1() { awk -v l="$1" 'BEGIN{exit !(l != "none" && l >= 0 && l < 1.0)}'; }
l_pop=$(lat "$t_ipcp" "$t_syn110") l_https=$(lat "$t_ipcp" "$t_syn443") l_req=$(lat "$t_ipcp" "$t_http")
t_pre=$(head -n 1 "$S/pre-up.t" 2>/dev/null)
p_pop=$(lat "$t_pre" "$t_syn110") p_req=$(lat "$t_pre" "$t_http")
info latency "IPCP up (last Conf-Ack on the wire) at $t_ipcp: POP3 SYN +$l_pop s, HTTPS SYN +$l_https s," \
    "HTTP request at the server +$l_req s; after pppd's ip-pre-up script (the last step before the notifier):" \
    "POP3 SYN +$p_pop s, HTTP request +$p_req s"
# Under TCG (no KVM here) every exec and TLS handshake is 50-100x slower; the
# 1 s target is then judged against curl doing the same request in this VM.
TCG=0
grep -q 'QEMU Virtual CPU' /proc/cpuinfo && TCG=1
if [ $TCG = 0 ]; then
    check pop3-within-1s under1 "$l_pop"
    check http-within-1s under1 "$l_req"
fi
check pop3-login-from-ipcp grep -m1 "Login: user=<mydns123456>, method=PLAIN, rip=$LAB_PUBLIC, .*TLS" "$DC/dovecot.log"
check http-update-shape python3 "$DD/reqcheck.py" "$FLOG" 0 --count 1 --path /nic/update --src "$LAB_PUBLIC" \
    --arg "myip=$LAB_PUBLIC" --arg hostname=host.example.jp --auth basic:dynuser --tls yes --ua-re 'pppkit/.*'
check_eq http-state updated "$(sed -n 's/^ipv4.outcome=//p' "$S/state/ddns/http.state")" "http profile outcome"
check_eq pop-state updated "$(sed -n 's/^ipv4.outcome=//p' "$S/state/ddns/pop.state")" "pop profile outcome"
check no-worker-at-rest no_workers
# calibration: curl sending the same request from the router, timed the same way
n1=$(wc -l <"$FLOG")
t0=$(date +%s.%N)
ip netns exec rtr curl -sS -o /dev/null --interface "$LAB_PPP_IF" -K "$S/curl.cfg" --cacert "$S/certs/ca.pem" \
    -A lab-baseline "https://$SRV/nic/update?hostname=host.example.jp&myip=$LAB_PUBLIC" >>"$W/logs/curl-baseline.log" 2>&1
t_curl=$(python3 -c 'import json,sys
for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]:
    print(json.loads(l)["t"]); break' "$FLOG" "$n1")
c_req=$(lat "$t0" "$t_curl")
info curl-baseline "curl (exec -> request at the server) in this VM: $c_req s; pppkit (IPCP up -> request at the server): $l_req s"
if [ $TCG = 1 ]; then
    # not judged here: both pppkit workers start while pppd runs its ip-up scripts
    # (every exec costs ~0.1-0.5 s under TCG), while curl ran alone; the native
    # targets (<= 1 s, <= 1.2x curl) are judged by tests/bench/ddns.bench.sh
    info within-1s-not-judged "TCG emulation: a bare curl alone needs $c_req s here;" \
        "pppkit after ip-pre-up: HTTP $p_req s, POP3 SYN $p_pop s"
fi

# ---- 2. the server hangs: a request in flight for 60 s, LCP echo keeps the link up
echo '{"mode": "hang", "hang_secs": 200}' >"$W/control"
rm -f "$S/state/ddns/"*.state   # so the same address is due again after the redial
n0=$(wc -l <"$FLOG")
lab_redial hup || { stop_dovecot; lab_done; exit 1; }
wait_until 15 eval '[ "$(wc -l <"$FLOG")" -gt "$n0" ]'
hanging=0
check hang-request-arrived python3 "$DD/reqcheck.py" "$FLOG" "$n0" --count 1 --path /nic/update --src "$LAB_PUBLIC" &&
    hanging=1
down0=$(marker_count rtr ip-down) t_hang=$(lab_now) ok=1
for i in $(seq 1 12); do
    sleep 5
    if ! alive "$LAB_CLIENT_PID" || [ "$(marker_count rtr ip-down)" != "$down0" ] || [ -z "$(lab_ppp_ip)" ]; then
        ok=0; break
    fi
done
if [ $hanging = 0 ]; then
    fail link-survives-60s "no request was hanging at the server, nothing to prove"
elif [ $ok = 1 ]; then
    pass link-survives-60s "ppp0 $(lab_ppp_ip) up, no ip-down, $(lab_since "$t_hang") s with the request hanging"
else
    fail link-survives-60s "link went down after $(lab_since "$t_hang") s: $(grep -i 'echo\|terminat' "$(lab_client_log)" | tail -n 3 | tr '\n' ' ')"
fi
check no-lcp-echo-failure bash -c "! grep -qi 'No response to .* echo-requests' '$(lab_client_log)'"
wpids=$(workers | tr '\n' ' ')
check worker-in-flight test -n "$wpids"
in_isp ss -Htn state established sport = :443 >"$W/logs/ss-before-poff.txt"
check_eq http-connection-open 1 "$(wc -l <"$W/logs/ss-before-poff.txt")" "established connections to :443"

# ---- 3. poff while the request is in flight: the worker is cancelled
lab_poff
if [ -z "$wpids" ]; then
    fail worker-cancelled "no worker was in flight before poff, nothing to cancel"
elif wait_until 5 no_workers; then
    pass worker-cancelled "no pppkit-ddns-worker left after poff (was: $wpids)"
else
    fail worker-cancelled "still running after poff: $(pgrep -a -x pppkit-ddns-wor | tr '\n' ' ')"
fi
# (the server's end of that connection may stay ESTABLISHED: the link is gone before a FIN could pass)
check http-not-updated-after-poff bash -c "! grep -q '^ipv4.outcome=updated' '$S/state/ddns/http.state' 2>/dev/null"
lc=$(grep -o 'longest callback [0-9.]* ms' "$(lab_client_log)" | tail -n 1)
info longest-callback "${lc:-none} ($(grep -o 'longest callback.*' "$(lab_client_log)" | tail -n 1))"
if [ $TCG = 0 ]; then
    check longest-callback-under-1ms awk -v l="$(awk '{print $3}' <<<"$lc")" 'BEGIN{exit !(l != "" && l < 1.0)}'
else
    info longest-callback-not-judged "TCG emulation: the wall clock includes vCPU preemption and 9p page-ins;" \
        "judged natively by tests/bench/ddns.bench.sh (fake_pppd, p99 of every callback)"
    check longest-callback-present test -n "$lc"
fi
# secrets: none in the router's pppd log or the state files
check no-secret-in-logs bash -c "! grep -rlF -f '$S/pw.dovecot' '$(lab_client_log)' '$W/logs/syslog' '$S/state' 2>/dev/null"
stop_dovecot
trap - EXIT
lab_done
