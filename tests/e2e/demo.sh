#!/bin/bash
# demo.sh BUILD - `make demo`: the user's whole router (SCENARIO.md), told in
# plain words, in one boot of the lab VM with systemd as PID 1 (tests/e2e/lab.sh
# --init systemd). pppkitd.service and pppkit-firewall.service come from the
# build tree (drop-ins only point them at the lab); pppd loads pppkit-mss.so,
# pppkit-firewall.so and pppkit-ddns.so; the configuration is tests/e2e/demo.conf.
#   1 boot       -> systemd starts the firewall, then pppkitd, which dials; a
#                   service bound to pppkit-online@lab.target starts only then
#   2 in place   -> the firewall table and the MSS table were loaded before the
#                   first packet on the wire (nft monitor vs tcpdump), a LAN SYN
#                   leaves with MSS 1460 and reaches the ISP with 1414
#   3 DDNS       -> the fake provider (a real dovecot on the ISP side) sees a
#                   POP3 APOP login from the router's public address
#   4 web        -> a LAN web server answers the internet through the forward and
#                   the LAN through the public address (NAT reflection)
#   5 new address-> the ISP ends the session and hands out another pool: pppkitd
#                   reports the new address; the bound service stopped with the
#                   link and started again with it
#   6 follow     -> the DDNS login and the reflection follow the new address
# Every step is checked: a step that does not happen is a FAIL line named
# stepN-..., and the demo exits non-zero. tests/e2e/demo.test.sh runs the same
# file in the e2e tier. The same file is the guest script (LAB_LIB set).
set -u

if [ -z "${LAB_LIB:-}" ]; then   # ---- host side
    build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
    here=$(dirname "$(readlink -f "$0")")
    for f in pppkitd pppkit pppkit-mss.so pppkit-firewall.so pppkit-ddns.so pppkit-ddns-worker; do
        [ -f "$build/$f" ] || { echo "demo: no $build/$f: run make first"; exit 1; }
    done
    command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/pop3-login ] ||
        { echo "demo: needs dovecot-core and dovecot-pop3d (make deps installs them)"; exit 1; }
    cat <<'EOF'
=====================================================================
 pppkit demo: a home router that dials PPPoE and publishes a server
=====================================================================
The story: a home server (web, mail) sits behind a small Linux router
that dials a classic PPPoE session for a public IPv4 address. Before
pppkit its owner wrote by hand: MSS clamping, a 150-line iptables
script, a DDNS client in ip-up.d, the boot order, and had no NAT
reflection (the server could not reach its own public address).

This machine's kernel has no PPP, so the demo boots a small virtual
machine (qemu) with Debian's kernel, this machine's own programs and
systemd. Inside it, three network namespaces play the parts:

   isp  the ISP: a real pppoe-server; "the internet": a visitor
        11.0.0.1 and the DDNS provider's POP3 server 11.0.0.110
   rtr  your router: pppkitd.service dials with the real pppd, which
        loads pppkit-mss.so, pppkit-firewall.so and pppkit-ddns.so
   lan  your web server, 172.16.1.100

This is the router's whole pppkit configuration (/etc/ppp/pppkit.conf):
EOF
    grep -v '^#' "$here/demo.conf" | cat -s | sed 's/^/    /'
    echo "Nothing leaves the virtual machine. Booting takes a minute or two..."
    start=$(date +%s)
    # made here, where openssl is fast: the provider's TLS certificate (dovecot
    # wants one), a random POP3 password for the router's secrets file and the
    # provider's account (never in argv, the config or a log)
    share=$(mktemp -d /tmp/pppkit-demo.XXXXXX) || exit 2
    trap 'rm -rf "$share"' EXIT
    trap 'exit 130' INT TERM
    chmod 755 "$share"
    "$here/../ddns/mkcerts.sh" "$share/certs" IP:11.0.0.110 >/dev/null || { echo "demo: mkcerts failed"; exit 2; }
    (
        umask 077
        pw=$(openssl rand -hex 12)
        printf '%s\n' "$pw" >"$share/pw.dovecot"
        printf 'mydns-home = %s\n' "$pw" >"$share/secrets"
    )
    export DEMO_SHARE=$share
    bash "$here/lab.sh" --init systemd --build "$build" --plugin mss --plugin firewall --plugin ddns \
        --opts "pppkit-ddns-worker $build/pppkit-ddns-worker" --config "$here/demo.conf" \
        --file "$share/secrets:pppkit-secrets:0600" --share "$share" --passenv DEMO_SHARE \
        --timeout "${DEMO_TIMEOUT:-1500}" --name demo "$here/demo.sh"
    rc=$?
    if [ $rc = 0 ]; then echo "demo: done in $(($(date +%s) - start)) s"
    else echo "demo: FAILED after $(($(date +%s) - start)) s: the FAIL lines above name the step (stepN-...)"; fi
    exit $rc
fi

# ---- guest side (inside the VM, under systemd) -------------------------------
. "$LAB_LIB"
PPPKIT=$LAB_BUILD/pppkit
VISITOR=11.0.0.1       # "a visitor on the internet" (outside pppkit's egress guard:
POPSRV=11.0.0.110      #  192.0.2.0/24 and 198.51.100.0/24 are documentation ranges it drops)
NEW_POOL=203.0.113.20  # the ISP's second address pool (step 5)
DC=/tmp/demo-dovecot
STEP=0
say() { printf '%s\n' "$@"; }
show() { sed 's/^/    | /'; }                        # evidence, as the user would see it
step() { STEP=$1; shift; printf '\n=== Step %s: %s   [VM clock %.0f s]\n' "$STEP" "$*" "$(lab_now)"; }
ok() { pass "step$STEP-$1" "${@:2}"; }
bad() { fail "step$STEP-$1" "${@:2}"; }
# a step that did not happen: the later steps depend on it
stop_here() {
    bad "$@"
    say "" "DEMO FAILED at step $STEP ($1): ${*:2}"
    journalctl -u pppkitd --no-pager >"$W/logs/pppkitd-journal.txt" 2>&1
    journalctl -b -o short-monotonic --no-pager >"$W/logs/journal.txt" 2>&1
    cp "$DC/dovecot.log" "$W/logs/dovecot.log" 2>/dev/null
    "$DD/dovecot.sh" stop "$DC" >/dev/null 2>&1
    lab_done
    exit 1
}
DD=$PPPKIT_TOP/tests/ddns
st() { "$PPPKIT" status lab --json 2>/dev/null | jq -r ".links[0].$1"; }
status_now() { say "\$ pppkit status"; "$PPPKIT" status 2>&1 | show; }
isp_ups() { marker_count isp ip-up; }
# up: pppkitd says up with an address, and the ISP side ran ip-up N times
up_with() { [ "$(st state)" = up ] && [ "$(st ipv4.local)" != null ] && [ "$(isp_ups)" -ge "$1" ]; }
set_elems() { in_rtr nft -j list set inet pppkit_fw "$1" 2>/dev/null | jq -r '.nftables[].set.elem? // empty | .[]'; }
web() { # NS [curl options...] URL : the web server's answer, one line
    local ns=$1; shift
    in_ns "$ns" curl -sS --max-time 30 "$@" 2>&1 | head -n 1
}
# capture_start with a longer wait: a tcpdump in a VM on a loaded machine can
# take more than capture_start's 15 s to listen
cap_start() { # NAME NS IFACE [FILTER...]
    local name=$1 ns=$2 ifc=$3; shift 3
    lab_bg "cap-$name" "$ns" tcpdump -Z root --immediate-mode -U -n -i "$ifc" -w "$W/cap/$name.pcap" "$@"
    _LAB_CAP[$name]=$LAB_BG_PID
    wait_until 90 grep -q 'listening on' "$W/logs/cap-$name.log"
}
# pppkitd's own journal lines (its pppd's output goes to the same unit)
journal_since() { journalctl -u pppkitd _COMM=pppkitd -o cat --no-pager --since "@$1" 2>/dev/null | grep -v '^$'; }
ddns_line() { journalctl -u pppkitd -o cat --no-pager 2>/dev/null | grep -m1 "profile home ipv4 $1: updated"; }

# ---- the scene (not a step): the servers around the router ---------------------
# the DDNS worker drops to the package's system user; this guest runs the build
# tree, not the package: a passwd/group with that user is bound over the
# read-only root's (inside the VM only)
if ! getent passwd pppkit-ddns >/dev/null; then
    for u in $(seq 989 -1 900); do
        getent passwd $u >/dev/null || getent group $u >/dev/null || { DDUID=$u; break; }
    done
    cp /etc/passwd /tmp/lab-passwd && cp /etc/group /tmp/lab-group
    echo "pppkit-ddns:x:$DDUID:$DDUID:pppkit dynamic DNS worker:/:/usr/sbin/nologin" >>/tmp/lab-passwd
    echo "pppkit-ddns:x:$DDUID:" >>/tmp/lab-group
    mount --bind /tmp/lab-passwd /etc/passwd && mount --bind /tmp/lab-group /etc/group
fi
getent passwd pppkit-ddns >/dev/null || stop_here scene "no pppkit-ddns user in the guest"
S=${DEMO_SHARE:-}
[ -n "$S" ] && [ -f "$S/pw.dovecot" ] || stop_here scene "the shared dir with the provider's certificate is not visible in the VM"
# the units, from the build tree; a drop-in per unit points it at the lab only
for u in pppkit-firewall pppkitd; do
    install -m 644 "$PPPKIT_TOP/etc/systemd/$u.service" /run/systemd/system/
    mkdir -p /run/systemd/system/$u.service.d
done
cat >/run/systemd/system/pppkit-firewall.service.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=$LAB_BUILD/pppkit firewall apply
ExecReload=
ExecReload=$LAB_BUILD/pppkit firewall apply
NetworkNamespacePath=/run/netns/rtr
BindReadOnlyPaths=$LAB_RTR_ETC:/etc/ppp
EOT
cat >/run/systemd/system/pppkitd.service.d/lab.conf <<EOT
[Service]
ExecStart=
ExecStart=$LAB_BUILD/pppkitd
NetworkNamespacePath=/run/netns/rtr
BindPaths=$LAB_RTR_ETC:/etc/ppp
EOT
mkdir -p /var/lib/pppkit && chmod 700 /var/lib/pppkit
systemctl daemon-reload
# witnesses, started before anything of pppkit runs: the kernel's nftables
# events in the router (each line stamped with the time it arrived) and the
# PPPoE wire between the router and the ISP
lab_bg nft-monitor rtr bash -c 'stdbuf -oL nft monitor | while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done'
cap_start wire isp isp0 || stop_here scene "tcpdump on the PPPoE wire did not start within 90 s"
# at boot pppkit-firewall.service runs before the network: started now, while
# the rest of the scene is set up (under TCG its sandboxed start is slow)
systemctl start --no-block pppkit-firewall.service
in_isp ip addr add "$VISITOR/32" dev lo
in_isp ip addr add "$POPSRV/32" dev lo
"$DD/dovecot.sh" start "$DC" --netns isp --listen "$POPSRV" --pop3 110 --pop3s 995 \
    --user "mydns123456:$S/pw.dovecot" --cert-dir "$S/certs" --no-penalty >>"$W/logs/dovecot-start.log" 2>&1 ||
    stop_here scene "the fake DDNS provider (dovecot) did not start: $(tail -n 3 "$W/logs/dovecot-start.log" | tr '\n' ' ')"
# the LAN web server: busybox httpd; its page says who is asking
mkdir -p /tmp/www/cgi-bin
cat >/tmp/www/cgi-bin/hello <<'EOT'
#!/bin/sh
a=${REMOTE_ADDR#\[}; a=${a%\]}; a=${a#::ffff:}
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello from the web server 172.16.1.100. You came from $a."
EOT
chmod 755 /tmp/www/cgi-bin/hello
lab_bg httpd lan busybox httpd -f -p 80 -h /tmp/www
wait_until 60 _lab_listening lan 80 || stop_here scene "the LAN web server does not listen on port 80"
URL=/cgi-bin/hello
# ---- a service of the user's that needs the link: bound to pppkit-online@lab.target
# (the build tree's target; pppkitd starts it once the link is up and the
# firewall and MSS are in place, and stops it when the link goes down)
DEP=needs-link.service T_ONLINE=pppkit-online@lab.target
install -m 644 "$PPPKIT_TOP/etc/systemd/pppkit-online@.target" /run/systemd/system/
cat >/run/systemd/system/$DEP <<EOT
[Unit]
Description=a service that needs the internet link (the user's mail relay, say)
BindsTo=$T_ONLINE
After=$T_ONLINE
[Service]
ExecStart=/bin/sleep infinity
[Install]
WantedBy=$T_ONLINE
EOT
mkdir -p /run/systemd/system/$T_ONLINE.wants
ln -sf ../$DEP /run/systemd/system/$T_ONLINE.wants/$DEP
systemctl daemon-reload
mono_prop() { systemctl show -p "$1" --value "$DEP"; }
lab_server_start

step 1 "Boot: systemd starts the firewall, then pppkitd, which dials"
say "At boot systemd starts pppkit-firewall.service (before the network), then pppkitd.service"
say "(here by hand: this VM stops short of multi-user.target). pppkitd waits for the LAN"
say "interface lan0, then runs \"pppd call lab\", like pon does."
t_boot=$(date +%s)
systemctl start --no-block pppkitd.service 2>&1 | show
settled() { # both units active or failed
    local u; for u in $(systemctl is-active pppkit-firewall.service pppkitd.service); do
        case $u in active | failed) ;; *) return 1 ;; esac; done; }
wait_until 400 settled
say "\$ systemctl is-active pppkit-firewall pppkitd"
systemctl is-active pppkit-firewall.service pppkitd.service 2>&1 | show
[ "$(systemctl is-active pppkit-firewall.service)" = active ] ||
    stop_here firewall-unit "pppkit-firewall.service is $(systemctl is-active pppkit-firewall.service): $(journalctl -u pppkit-firewall -o cat --no-pager | tail -n 3 | tr '\n' ' ')"
[ "$(systemctl is-active pppkitd.service)" = active ] ||
    stop_here pppkitd-unit "pppkitd.service is $(systemctl is-active pppkitd.service): $(journalctl -u pppkitd -o cat --no-pager | tail -n 3 | tr '\n' ' ')"
ok units-active "pppkit-firewall.service and pppkitd.service active"
t0=$(lab_now)
wait_until 120 up_with 1 ||
    stop_here dial "the link is not up 120 s after pppkitd started: $("$PPPKIT" status lab 2>&1 | head -n 3 | tr '\n' ' ')"
PUB1=$(st ipv4.local) PPPD1=$(st pid)
_lab_n isp ip-up; read -r _ ISP_IF _ <<<"$_LAB_LAST"
ok dial "up with $PUB1 after $(lab_since "$t0") s, pppd $PPPD1"
say "The link is up $(lab_since "$t0") s later. pppkitd's journal:"
journal_since "$t_boot" | tail -n 4 | show
say "systemd's one-line status of pppkitd: \"$(systemctl show -p StatusText --value pppkitd.service)\""
status_now
say "A service that needs the link ($DEP: BindsTo=$T_ONLINE) was started by systemd"
say "only now that pppkitd reached $T_ONLINE:"
if wait_until 60 systemctl is-active --quiet "$DEP"; then
    systemctl is-active "$T_ONLINE" "$DEP" 2>&1 | paste -sd' ' | show
    INV1=$(mono_prop InvocationID)
    ok dependent-started "$DEP active since $(mono_prop ActiveEnterTimestamp) (invocation $INV1), $T_ONLINE $(systemctl is-active "$T_ONLINE")"
else
    INV1=none
    bad dependent-started "$DEP $(systemctl is-active "$DEP") 60 s after the link came up: $(journalctl -u pppkitd -o cat --no-pager | grep -i online | tail -n 2 | tr '\n' ' ')"
fi

step 2 "The firewall and the MSS clamp were in place before the first packet"
M=$W/logs/nft-monitor.log
t_fw=$(grep -m1 'add table inet pppkit_fw' "$M" | cut -d' ' -f1)
t_mss=$(grep -m1 'add table inet pppkit_mss' "$M" | cut -d' ' -f1)
t_el=$(grep -m1 -E "add element inet pppkit_mss mss4 .*\"$LAB_PPP_IF\"" "$M" | cut -d' ' -f1)
t_pub=$(grep -m1 -E "add element inet pppkit_fw public4 .*$PUB1" "$M" | cut -d' ' -f1)
tcpdump -tt -n -r "$W/cap/wire.pcap" 2>/dev/null >"$W/logs/wire.txt"
padi=$(grep -m1 'PADI' "$W/logs/wire.txt")
t_padi=${padi%% *}
rel() { awk -v a="$t_fw" -v b="$1" 'BEGIN{ if (a == "" || b == "") print "  (none)"; else printf "%+8.2f s", b - a }'; }
say "The kernel's nftables events in the router (nft monitor) and the PPPoE wire (tcpdump),"
say "in time order, from the moment the firewall was loaded:"
{
    echo "$(rel "$t_fw")  table inet pppkit_fw loaded by pppkit-firewall.service"
    echo "$(rel "$t_mss")  table inet pppkit_mss loaded by pppkit-mss.so as pppd starts"
    echo "$(rel "$t_padi")  the router's first packet on the wire: ${padi#* }"
    echo "$(rel "$t_el")  ip-up: $LAB_PPP_IF's clamp added to pppkit_mss (\"$LAB_PPP_IF\" : $(($(lab_ppp_mtu) - 40)))"
    echo "$(rel "$t_pub")  ip-up: the public address $PUB1 put in pppkit_fw (for the reflection)"
} | sort -k1,1g | show
before() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a != "" && b != "" && a < b)}'; }
if before "$t_fw" "$t_padi" && before "$t_mss" "$t_padi"; then
    ok before-first-packet "pppkit_fw at $t_fw, pppkit_mss at $t_mss, first PADI at $t_padi"
else
    stop_here before-first-packet "want both tables before the first PADI: pppkit_fw '$t_fw', pppkit_mss '$t_mss', PADI '$t_padi'"
fi
check step2-public-address test "$(set_elems public4)" = "$PUB1"
say "The firewall matches the WAN by name (ppp*), so its rules protected ppp0 before ppp0"
say "existed. What it lets in from the internet (nft list table inet pppkit_fw, abridged):"
in_rtr nft list table inet pppkit_fw | grep -E 'chain (input|forward|prerouting)|policy|dnat|elements = ' | show
say "A PC on the LAN connects to a server on the internet ($VISITOR port 443):"
cap_start lan-side rtr "$LAB_LAN_IF" tcp port 443 || stop_here capture "tcpdump on lan0 did not start within 90 s"
cap_start isp-side isp "$ISP_IF" tcp port 443 || stop_here capture "tcpdump on $ISP_IF did not start within 90 s"
lab_bg internet isp timeout 120 busybox nc -l -p 443
wait_until 60 _lab_listening isp 443 || stop_here listen "nothing listens on $VISITOR port 443 after 60 s"
check step2-tcp-connect tcp_connect lan "$VISITOR" 443 30
capture_wait lan-side 1 30 'tcp[tcpflags] == tcp-syn'; capture_wait isp-side 1 30 'tcp[tcpflags] == tcp-syn'
capture_stop lan-side; capture_stop isp-side
say "its SYN on the LAN (tcpdump on lan0):  mss $(capture_syn_mss lan-side | head -n 1)" \
    "the same SYN at the ISP (tcpdump):     mss $(capture_syn_mss isp-side | head -n 1)"
say "1454 (the link's MTU) - 40 bytes of headers = 1414: the server never sends a segment"
say "too big for the PPPoE link, even when ICMP \"too big\" is lost on the way."
check_eq step2-mss-lan 1460 "$(capture_syn_mss lan-side | head -n 1)" "SYN MSS on the LAN"
check_eq step2-mss-isp "$(($(lab_ppp_mtu) - 40))" "$(capture_syn_mss isp-side | head -n 1)" "SYN MSS at the ISP"

step 3 "Dynamic DNS: the provider learns the address from a POP3 login (APOP)"
say "On ip-up, pppkit-ddns.so starts its worker (not a script in ip-up.d); like the user's"
say "biffpop, it logs in to the provider's POP3 server with APOP, from the public address."
say "The provider records the source address of the login. Its log (dovecot):"
if wait_until 30 grep -qE "method=APOP,? rip=$PUB1[ ,]" "$DC/dovecot.log"; then
    grep -E "method=APOP,? rip=$PUB1[ ,]" "$DC/dovecot.log" | head -n 1 | sed 's/,\{0,1\} mpid=.*//' | show
    ok ddns-apop "APOP login from $PUB1 at the provider"
    say "and what the router logged (journalctl -u pppkitd; pppd's output goes there):"
    ddns_line "$PUB1" | show
    say "(APOP on port 110 without TLS, as the user's biffpop did and MyDNS offers: pppkit"
    say " warns about it in the journal, and about the lab's documentation-range address.)"
else
    grep -i 'login\|auth' "$DC/dovecot.log" | tail -n 3 | show
    stop_here ddns-apop "no APOP login from $PUB1 at the provider within 30 s"
fi
wait_until 10 eval 'in_rtr "$PPPKIT" ddns status 2>/dev/null | grep -q "outcome updated"'
say "\$ pppkit ddns status"
in_rtr "$PPPKIT" ddns status 2>&1 | show
check step3-ddns-state eval 'in_rtr "$PPPKIT" ddns status | grep -q "address $PUB1, outcome updated"'

step 4 "The web server on the LAN, from the internet and from the LAN"
say "A visitor on the internet ($VISITOR) opens http://$PUB1/ : the forward \"web\""
say "sends it to 172.16.1.100, which sees the visitor's real address."
say "\$ curl http://$PUB1$URL     (from $VISITOR)"
a=$(web isp --interface "$VISITOR" "http://$PUB1$URL"); echo "$a" | show
check_eq step4-from-internet "Hello from the web server 172.16.1.100. You came from $VISITOR." "$a"
say "The server itself opens its own public address (WordPress does this): the router"
say "reflects it back to the LAN (NAT reflection, the user's unsolved \"hairpin\"):"
say "\$ curl http://$PUB1$URL     (on 172.16.1.100)"
a=$(web lan "http://$PUB1$URL"); echo "$a" | show
check_eq step4-reflection "Hello from the web server 172.16.1.100. You came from $LAB_LAN_GW." "$a"
say "(It came from the router, $LAB_LAN_GW, so the answer goes back through the router.)"
say "Anything else from the internet is dropped, e.g. ssh to the router:"
a=$(in_isp timeout 5 bash -c "exec 3<>/dev/tcp/$PUB1/22" 2>&1 && echo "connected (WRONG)" || echo "no answer (dropped)")
echo "$a" | show
check_eq step4-ssh-closed "no answer (dropped)" "$a"

step 5 "The ISP ends the session; the redial gets a NEW address"
say "The ISP restarts its PPPoE server with another address pool ($NEW_POOL...) and"
say "ends the session (LCP Terminate-Request). pppd redials; pppkit's backoff picks the delay."
OLD=$LAB_SERVER_PID
sess=$(for c in $(children_of "$OLD"); do [ "$(cat /proc/"$c"/comm 2>/dev/null)" = pppd ] && echo "$c"; done)
{ kill -KILL "$OLD"; wait "$OLD"; } 2>/dev/null
lab_bg pppoe-server-2 isp pppoe-server -F -I isp0 -C lab-isp -S lab -L "$LAB_ISP_IP" -R "$NEW_POOL" \
    -N 4 -O /etc/ppp/pppoe-server-options $LAB_SRV_KOPTS
LAB_SERVER_PID=$LAB_BG_PID
t_drop=$(date +%s) t0=$(lab_now)
[ -n "$sess" ] || stop_here isp-session "no session pppd under pppoe-server $OLD"
kill -TERM $sess
if wait_until 30 eval '[ "$(st state)" != up ]'; then
    ok link-down "pppkitd saw the link go down $(lab_since "$t0") s after the ISP ended it"
    say "\$ pppkit status     (while the router redials)"
    "$PPPKIT" status 2>&1 | show
else
    bad link-down "pppkitd still says up 30 s after the ISP ended the session"
fi
# the dependent unit stopped with the link: seen inactive, or already running
# again as a new invocation (the redial may be quicker than this check)
if wait_until 60 eval '! systemctl is-active --quiet "$DEP" || [ "$(mono_prop InvocationID)" != "$INV1" ]'; then
    ok dependent-stopped "$DEP stopped with the link (now $(systemctl is-active "$DEP"), invocation $(mono_prop InvocationID))"
    say "$DEP was stopped with the link."
else
    bad dependent-stopped "$DEP still the same run 60 s after the drop (active since $(mono_prop ActiveEnterTimestamp))"
fi
wait_until 90 eval 'up_with 2' ||
    stop_here redial "not up again 90 s after the drop: $("$PPPKIT" status lab 2>&1 | head -n 3 | tr '\n' ' ')"
PUB2=$(st ipv4.local)
ok redial "up again with $PUB2 after $(lab_since "$t0") s"
say "Up again $(lab_since "$t0") s after the drop. What pppkitd logged:"
journal_since "$t_drop" | tail -n 4 | show
case $PUB2 in # the new pool: pppoe-server -R 203.0.113.20 -N 4
    203.0.113.2[0-3]) ok new-address "$PUB1 -> $PUB2" ;;
    *) stop_here new-address "want an address of the new pool $NEW_POOL-23, got '$PUB2' (was $PUB1)" ;;
esac
status_now
if wait_until 60 eval 'systemctl is-active --quiet "$DEP" && [ "$(mono_prop InvocationID)" != "$INV1" ]'; then
    ok dependent-restarted "$DEP active again since $(mono_prop ActiveEnterTimestamp), a new run (invocation $(mono_prop InvocationID)), with the new link"
    say "And $DEP is running again since $(mono_prop ActiveEnterTimestamp): it follows the link."
else
    bad dependent-restarted "$DEP $(systemctl is-active "$DEP") 60 s after the link came back (invocation $(mono_prop InvocationID))"
fi

step 6 "Everything follows the new address"
say "DDNS: the provider sees a new login, from $PUB2:"
if wait_until 30 grep -qE "method=APOP,? rip=$PUB2[ ,]" "$DC/dovecot.log"; then
    grep -E "method=APOP,? rip=$PUB2[ ,]" "$DC/dovecot.log" | head -n 1 | sed 's/,\{0,1\} mpid=.*//' | show
    ok ddns-follows "APOP login from $PUB2"
    ddns_line "$PUB2" | show
else
    bad ddns-follows "no APOP login from $PUB2 at the provider within 30 s"
fi
say "Reflection: the firewall's public address is now $(set_elems public4 | tr '\n' ' ')"
check_eq step6-public-address "$PUB2" "$(set_elems public4)" "public4"
say "\$ curl http://$PUB2$URL     (on 172.16.1.100)"
a=$(web lan "http://$PUB2$URL"); echo "$a" | show
check_eq step6-reflection "Hello from the web server 172.16.1.100. You came from $LAB_LAN_GW." "$a"
say "\$ curl http://$PUB2$URL     (from $VISITOR)"
a=$(web isp --interface "$VISITOR" "http://$PUB2$URL"); echo "$a" | show
check_eq step6-from-internet "Hello from the web server 172.16.1.100. You came from $VISITOR." "$a"
say "MSS: $LAB_PPP_IF's clamp, renewed at ip-up (nft list map inet pppkit_mss mss4):"
in_rtr nft list map inet pppkit_mss mss4 | grep -E 'elements' | show
check step6-clamp eval 'in_rtr nft list map inet pppkit_mss mss4 | grep -q "\"$LAB_PPP_IF\" : $(($(lab_ppp_mtu) - 40))"'
status_now

printf '\n=== Done.\n'
say "Nothing of this was a shell script of your own: one pppkit.conf, the peer file's"
say "\"plugin pppkit-*.so\" lines and the package's units. On a real router: install the .deb,"
say "write /etc/ppp/pppkit.conf and the secrets file, run \"pppkit check\"."
# pppkitd stops its pppd (the plugins log their exit lines); the VM is thrown away
systemctl stop pppkitd.service
journalctl -u pppkitd --no-pager >"$W/logs/pppkitd-journal.txt" 2>&1
journalctl -b -o short-monotonic --no-pager >"$W/logs/journal.txt" 2>&1
"$DD/dovecot.sh" stop "$DC" >/dev/null 2>&1
cp "$DC/dovecot.log" "$W/logs/dovecot.log" 2>/dev/null
lab_done
