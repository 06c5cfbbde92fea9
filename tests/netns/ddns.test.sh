#!/bin/bash
# netns tier: pppkit-ddns-worker against real servers, bound to a "ppp0".
#
#   ns isp (the provider side)                      ns rtr (the router)
#   203.0.113.10, 2001:db8:ff::10 on lo             ppp0 (a veth) 198.51.100.2 peer 198.51.100.1
#   p0   198.51.100.1 peer 198.51.100.2  <--veth-->       2001:db8:100::2/64
#        2001:db8:100::1/64                         wan1 192.0.2.2/24, 2001:db8:200::2/64
#   w1   192.0.2.1/24, 2001:db8:200::1/64 <--veth-->      DEFAULT ROUTES via wan1 (metric 100),
#   dovecot pop3d :110 (STLS) :995 (pop3s)                backup defaults via ppp0 (metric 500)
#   fake_provider.py :80 :443 (v4 and v6)
#
# The servers are reachable over both uplinks, so the source address they see
# tells which way a request left: 198.51.100.2 / 2001:db8:100::2 only via ppp0.
# Secrets live in a root-owned 0600 file with distinctive values; a scanner
# reads every /proc/*/cmdline and environ during the whole run, and the logs and
# state files are scanned afterwards.
set -u
. "${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/netns/lib.sh"
BUILD=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
nsl_init dd2
NSL_PREFIX="dd2-$$-"   # the brief's namespace prefix for the DDNS tests
DD=$PPPKIT_TOP/tests/ddns
WORKER=$BUILD/pppkit-ddns-worker
nsl_need python3 openssl curl dovecot ss
[ -x /usr/lib/dovecot/pop3-login ] || nsl_skip "needs dovecot-pop3d"
[ -x "$WORKER" ] || nsl_skip "no $WORKER (build it: make BUILD=... all)"
VERSION=$(dpkg-parsechangelog -l "$PPPKIT_TOP/debian/changelog" -S Version 2>/dev/null || echo 0.0.0)
T=$NSL_TMP
SRV4=203.0.113.10 SRV6=2001:db8:ff::10
PPP4=198.51.100.2 PPP6=2001:db8:100::2 WAN4=192.0.2.2 WAN6=2001:db8:200::2
USER=mydns123456

# ---- the worker's system user -----------------------------------------------------
# The worker drops to pppkit-ddns (etc/sysusers.d/pppkit.conf). When the host has
# no such user, every worker of this test runs through a wrapper that binds a
# passwd/group with it over /etc/passwd and /etc/group in its own mount
# namespace (ip netns exec gives each command one): the host is not changed.
mkdir -p "$T/bin"
if getent passwd pppkit-ddns >/dev/null; then
    DDUID=$(id -u pppkit-ddns)
    printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/with-user"
else
    DDUID=
    for u in $(seq 989 -1 900); do
        getent passwd $u >/dev/null || getent group $u >/dev/null || { DDUID=$u; break; }
    done
    cp /etc/passwd "$T/passwd" && cp /etc/group "$T/group"
    echo "pppkit-ddns:x:$DDUID:$DDUID:pppkit dynamic DNS worker:/:/usr/sbin/nologin" >>"$T/passwd"
    echo "pppkit-ddns:x:$DDUID:" >>"$T/group"
    printf '#!/bin/sh\nmount --bind %s /etc/passwd && mount --bind %s /etc/group || exit 99\nexec "$@"\n' \
        "$T/passwd" "$T/group" >"$T/bin/with-user"
fi
printf '#!/bin/sh\nexec %s %s "$@"\n' "$T/bin/with-user" "$WORKER" >"$T/bin/pppkit-ddns-worker"
chmod 0755 "$T/bin/with-user" "$T/bin/pppkit-ddns-worker"
WORKER=$T/bin/pppkit-ddns-worker

# ---- topology ------------------------------------------------------------------
ns_create isp && ns_create rtr || { echo "cannot create namespaces"; exit 1; }
veth rtr ppp0 isp p0 && veth rtr wan1 isp w1 || exit 1
ip -n "$(ns rtr)" addr add $PPP4 peer 198.51.100.1 dev ppp0
ip -n "$(ns isp)" addr add 198.51.100.1 peer $PPP4 dev p0
addr rtr ppp0 $PPP6/64 && addr isp p0 2001:db8:100::1/64
addr rtr wan1 $WAN4/24 $WAN6/64 && addr isp w1 192.0.2.1/24 2001:db8:200::1/64
addr isp lo $SRV4/32 $SRV6/128
ip -n "$(ns rtr)" route add default via 192.0.2.1 dev wan1 metric 100
ip -n "$(ns rtr)" route add default dev ppp0 metric 500
ip -n "$(ns rtr)" -6 route add default via 2001:db8:200::1 dev wan1 metric 100
ip -n "$(ns rtr)" -6 route add default via 2001:db8:100::1 dev ppp0 metric 500

# ---- secrets (distinctive values, never on argv or in the environment) -----------
rnd() { openssl rand -hex 8; }
PW="Dd2Pw$(rnd)Zq"      # the MyDNS master password
PW_BAD="Dd2Bad$(rnd)Zq" # a wrong one
PW_DYN="Dd2Dyn$(rnd)Zq" TOK_DUCK="Dd2Duck$(rnd)" TOK_CF="Dd2Cf$(rnd)" TOK_DESEC="Dd2Desec$(rnd)"
SECRETS=$T/etc/pppkit-secrets
mkdir -p "$T/etc" "$T/state" "$T/logs"
(
    umask 077
    printf 'mydns-home = %s\nmydns-bad = %s\ndyn-pw = %s\nduck = %s\ncf = %s\ndesec = %s\n' \
        "$PW" "$PW_BAD" "$PW_DYN" "$TOK_DUCK" "$TOK_CF" "$TOK_DESEC" >"$SECRETS"
    printf 'mydns\t%s\t%s\nmydns-bad\t%s\t%s\ndyn\t%s\tdynuser\nduck\t%s\ncf\t%s\ndesec\t%s\thome.dedyn.io\n' \
        "$PW" "$USER" "$PW_BAD" "$USER" "$PW_DYN" "$TOK_DUCK" "$TOK_CF" "$TOK_DESEC" >"$T/needles"
    printf '%s\n' "$PW" >"$T/pw.dovecot"
    printf 'user %s %s\nuser dynuser %s\ntoken %s\ntoken %s\ntoken %s\n' \
        "$USER" "$PW" "$PW_DYN" "$TOK_DUCK" "$TOK_CF" "$TOK_DESEC" >"$T/accounts"
    printf 'host host.example.jp\nhost noip.example.net\nhost myhost.duckdns.org\nhost home.dedyn.io\n' >>"$T/accounts"
    printf 'host home.example.com\nzone example.com\nrecord home.example.com A 192.0.2.99\n' >>"$T/accounts"
)
chown root:root "$SECRETS" && chmod 0600 "$SECRETS"

# a decoy in a test process's environment proves the scanner really reads environ
printf 'decoy\tDD2DECOY%s\n' "$(rnd)" >>"$T/needles"
DECOY=$(awk -F'\t' '$1=="decoy"{print $2}' "$T/needles")
env "DD2_DECOY=$DECOY" sleep 600 &
NSL_PIDS+=("$!")
python3 "$DD/secrets_scan.py" proc --needles "$T/needles" --out "$T/scan.json" --stop "$T/scan.stop" \
    --max-secs 600 --watch pppkit-ddns-worker &
SCAN_PID=$!
NSL_PIDS+=("$SCAN_PID")

# ---- servers --------------------------------------------------------------------------
"$DD/mkcerts.sh" "$T/certs" IP:$SRV4 IP:$SRV6 DNS:localhost >/dev/null || exit 1
"$DD/mkcerts.sh" "$T/othercerts" IP:$SRV4 IP:$SRV6 >/dev/null || exit 1   # a CA nobody trusts
"$DD/mkcerts.sh" "$T/namecerts" DNS:elsewhere.invalid IP:192.0.2.99 >/dev/null || exit 1 # trusted, not for $SRV4
"$DD/dovecot.sh" start "$T/dovecot" --netns "$(ns isp)" --listen "$SRV4 $SRV6" --pop3 110 --pop3s 995 \
    --user "$USER:$T/pw.dovecot" --cert-dir "$T/certs" --rawlog --no-penalty || { echo "dovecot failed"; exit 1; }
nsl_on_exit "$DD/dovecot.sh" stop "$T/dovecot"
DCLOG=$T/dovecot/dovecot.log
FLOG=$T/fake.log
nsx isp timeout 600 python3 "$DD/fake_provider.py" --http $SRV4:80 --https $SRV4:443 --https "[$SRV6]:443" \
    --cert "$T/certs/server.pem" --key "$T/certs/server.key" --log "$FLOG" --accounts "$T/accounts" \
    --control "$T/control" --ready "$T/fake.ready" --lifetime 590 &
NSL_PIDS+=("$!")
wait_for 10 test -s "$T/fake.ready" || { echo "fake provider did not start"; exit 1; }
# hostile POP3 servers: STARTTLS injection on :1110, a server that stalls on :1111,
# an endless CAPA listing on :1113, STLS offered once and then stripped on :1114
for m in inject:1110 stall:1111 capaflood:1113 strip:1114; do
    nsx isp timeout 600 python3 "$DD/hostile_pop3.py" --listen $SRV4:${m#*:} --mode ${m%%:*} \
        --cert "$T/certs/server.pem" --key "$T/certs/server.key" --log "$T/hostile-${m%%:*}.log" \
        --ready "$T/hostile-${m%%:*}.ready" &
    NSL_PIDS+=("$!")
    wait_for 10 test -s "$T/hostile-${m%%:*}.ready" || { echo "hostile_pop3 $m did not start"; exit 1; }
done
# a man in the middle on :1115 in front of dovecot's :110: it swaps the APOP timestamp of the
# plain-text greeting for its own and relays the rest (the TLS after STLS untouched)
nsx isp timeout 600 python3 "$DD/pop3_mitm.py" --listen $SRV4:1115 --to $SRV4:110 --log "$T/mitm.log" \
    --ready "$T/mitm.ready" &
NSL_PIDS+=("$!")
wait_for 10 test -s "$T/mitm.ready" || { echo "pop3_mitm did not start"; exit 1; }

# the servers themselves work (python poplib, no pppkit code): USER/PASS, APOP, STLS, POP3S
check "server: dovecot in isp answers USER/PASS, APOP, STLS and POP3S (poplib, via wan1)" \
    nsx rtr python3 "$DD/pop3_selftest.py" $SRV4 110 995 "$USER" "$T/pw.dovecot" "$T/certs/ca.pem"
check "server: ... and over IPv6" \
    nsx rtr python3 "$DD/pop3_selftest.py" $SRV6 110 995 "$USER" "$T/pw.dovecot" "$T/certs/ca.pem"

# the topology really tells the uplinks apart: unbound traffic leaves by wan1
src_unbound=$(nsx rtr curl -sS -m 5 --cacert "$T/certs/ca.pem" -A probe "https://$SRV4/login.html" -o /dev/null \
    -w '%{local_ip}' 2>&1)
check_eq "control: unbound traffic leaves by the default route (wan1)" "$WAN4" "$src_unbound"
src_bound=$(nsx rtr curl -sS -m 5 --interface ppp0 --cacert "$T/certs/ca.pem" -A probe "https://$SRV4/login.html" \
    -o /dev/null -w '%{local_ip}' 2>&1)
check_eq "control: curl --interface ppp0 leaves by ppp0" "$PPP4" "$src_bound"

# ---- configuration -------------------------------------------------------------------------
CONF=$T/etc/pppkit.conf
{
    cat <<EOF
[pppkit]
secrets-file = $SECRETS
state-dir = $T/state

EOF
    pop() { # NAME TLS AUTH SERVER PASSWORD [FAMILY] [CA]
        printf '[ddns "%s"]\nprovider = mydns-pop3\nusername = %s\npassword = %s\nfamily = %s\nserver = %s\n' \
            "$1" "$USER" "$5" "${6:-ipv4}" "$4"
        printf 'tls = %s\npop3-auth = %s\nca-file = %s\ntimeout = 10s\nlinks = ppp*\n\n' "$2" "$3" \
            "${7:-$T/certs/ca.pem}"
    }
    pop pop-user none user $SRV4:110 mydns-home
    pop pop-apop none apop $SRV4:110 mydns-home
    pop pop-auto none auto $SRV4:110 mydns-home
    pop pop-stls stls user $SRV4:110 mydns-home
    pop pop-pop3s pop3s user $SRV4:995 mydns-home
    pop pop-v6 none user "[$SRV6]:110" mydns-home ipv6
    pop pop-v6s pop3s apop "[$SRV6]:995" mydns-home ipv6
    pop pop-bad none user $SRV4:110 mydns-bad
    pop pop-badca stls user $SRV4:110 mydns-home ipv4 "$T/othercerts/ca.pem"
    pop pop-opp auto user $SRV4:110 mydns-home
    pop pop-inject stls user $SRV4:1110 mydns-home
    pop pop-badname pop3s user $SRV4:1112 mydns-home ipv4 "$T/namecerts/ca.pem"
    pop pop-stall none user $SRV4:1111 mydns-home
    pop pop-capaflood stls user $SRV4:1113 mydns-home
    pop pop-strip auto user $SRV4:1114 mydns-home
    pop pop-apopmitm stls auto $SRV4:1115 mydns-home
    http() { # NAME PROVIDER [key=value...]
        local n=$1 p=$2
        shift 2
        printf '[ddns "%s"]\nprovider = %s\nca-file = %s\nlinks = ppp*\n' "$n" "$p" "$T/certs/ca.pem"
        case " $* " in *" timeout="*) ;; *) echo "timeout = 3s" ;; esac
        printf '%s\n' "$@" | sed 's/=/ = /'
        echo
    }
    http mydns-http mydns-http username=$USER password=mydns-home server=$SRV4
    http mydns-http6 mydns-http username=$USER password=mydns-home server="[$SRV6]" family=ipv6
    http mydns-dip mydns-directip username=$USER password=mydns-home server=$SRV4
    http dyn dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4
    http dyn6 dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server="[$SRV6]" family=ipv6
    http noip noip username=dynuser password=dyn-pw hostname=noip.example.net server=$SRV4
    http duck duckdns token=duck hostname=myhost.duckdns.org server=$SRV4
    http desec desec token=desec hostname=home.dedyn.io server=$SRV4
    http cf cloudflare token=cf zone=example.com record=home.example.com server=$SRV4
    http custom custom "url=https://$SRV4/custom/update?host={hostname}&ip={address}" hostname=host.example.jp \
        success=good unchanged=nochg auth-failed=badauth abuse=abuse retry=911
    for m in hang reset 911 badauth abuse nochg 5xx waf echo; do
        http "f-$m" dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4
    done
    http f-noip911 noip username=dynuser password=dyn-pw hostname=noip.example.net server=$SRV4
    http f-cancel dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4 timeout=30s
    http f-lock dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4 timeout=10s
    http f-lock6 dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4 family=both \
        ipv6-interface=nov6 ipv6-wait=5s
    # no ca-file: the system's trust store (a test one is mounted over /etc/ssl/certs below)
    http sysca dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4 | sed '/^ca-file/d'
} >"$CONF"

# ---- helpers -----------------------------------------------------------------------------
# run PROFILE FAMILY [ARGS...]: the worker in rtr, bound to ppp0; sets RC and SECS
RUN_ARGS=()
run() {
    local p=$1 fam=$2 a
    shift 2
    if [ "$fam" = 6 ]; then a=$PPP6; else a=$PPP4; fi
    local aa=(--address "$a")
    [ -n "${NOADDR:-}" ] && aa=()  # the worker picks the address itself
    local t0 t1
    t0=$(date +%s.%N)
    nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile "$p" --ifname ppp0 "${aa[@]}" --family "$fam" \
        --generation 1 --verbose "${RUN_ARGS[@]}" "$@" >>"$T/logs/$p.log" 2>&1 </dev/null
    RC=$?
    t1=$(date +%s.%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
    echo "  worker $p (family $fam): exit $RC in ${SECS}s; $(tail -n 4 "$T/logs/$p.log" | tr '\n' '|' | cut -c1-400)"
}
state() { # PROFILE KEY
    sed -n "s/^$2=//p" "$T/state/ddns/$1.state" 2>/dev/null | tail -n 1
}
lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
new_lines() { tail -n +"$(($2 + 1))" "$1"; }  # FILE FROM
ctl() { printf '%s\n' "$1" >"$T/control"; }
req() { python3 "$DD/reqcheck.py" "$FLOG" "$@" --secrets "$SECRETS"; }
newest_rawlog_in() { ls -t "$T/dovecot/run/login/rawlogs/"*.in 2>/dev/null | head -n 1; }
UA="pppkit/${VERSION//./\\.}"

# ---- POP3 ------------------------------------------------------------------------------------
pop_case() { # NAME FAMILY WANT_METHOD WANT_SRC WANT_PORT WANT_TLS(plain|TLS)
    local n=$1 before
    before=$(lines "$DCLOG")
    run "$n" "$2"
    check_eq "pop3 $n: worker exit status" 0 "$RC"
    local got
    got=$(new_lines "$DCLOG" "$before" | grep "pop3-login: Info: Login: user=<$USER>")
    local tls_re=", TLS,"
    [ "$6" = plain ] && tls_re=", mpid=[0-9]*, session="  # not secured: no TLS, not loopback
    if grep "method=$3, rip=$4, lip=[^,]*, lport=$5, " <<<"$got" | grep -q -- "$tls_re"; then
        pass "pop3 $n: dovecot logged method=$3 from $4 on port $5 ($6)"
    else
        fail "pop3 $n: dovecot did not log method=$3 rip=$4 lport=$5 $6; new log lines:"
        new_lines "$DCLOG" "$before" | sed 's/^/      /'
    fi
    check_eq "pop3 $n: state outcome" updated "$(state "$n" "ipv$2.outcome")"
    check "pop3 $n: session ended with QUIT (Logged out)" grep -q "Disconnected: Logged out" \
        <(new_lines "$DCLOG" "$before")
}

pop_case pop-user 4 PLAIN $PPP4 110 plain
# rawlog lines: "<epoch> <client line>"
rl=$(newest_rawlog_in)
if [ -n "$rl" ] && grep -qiE "^[0-9.]+ USER $USER" "$rl" && grep -qiE "^[0-9.]+ PASS " "$rl" &&
    ! grep -qiE "^[0-9.]+ (APOP|AUTH)" "$rl"; then
    pass "pop3 pop-user: the client sent USER/PASS although the greeting offered APOP (rawlog $(basename "$rl"))"
else
    fail "pop3 pop-user: rawlog does not show USER/PASS only: $(sed 's/PASS .*/PASS ***/' "${rl:-/dev/null}" | tr '\r\n' '  ')"
fi
greet=$(ls -t "$T/dovecot/run/login/rawlogs/"*.out 2>/dev/null | head -n 1)
check "pop3: the greeting carried an APOP timestamp" grep -qE '^[0-9.]+ \+OK .*<[^>]*@[^>]*>' "$greet"
pop_case pop-apop 4 APOP $PPP4 110 plain
pop_case pop-auto 4 APOP $PPP4 110 plain
pop_case pop-stls 4 PLAIN $PPP4 110 TLS
pop_case pop-pop3s 4 PLAIN $PPP4 995 TLS
pop_case pop-v6 6 PLAIN $PPP6 110 plain
pop_case pop-v6s 6 APOP $PPP6 995 TLS

# a CA that does not match: no login (the password is never sent), not a success
before=$(lines "$DCLOG")
run pop-badca 4
check "pop3 pop-badca: TLS verification failure is not a success (exit $RC)" test "$RC" -ne 0
if new_lines "$DCLOG" "$before" | grep -q "Login:\|auth failed"; then
    fail "pop3 pop-badca: a login was attempted over an unverified TLS session"
else
    pass "pop3 pop-badca: no login attempted over an unverified TLS session"
fi

# a certificate from the pinned CA that names another host: refused in the handshake (a TLS server
# that would then say nothing: had the handshake passed, the attempt would end in a timeout)
nsx isp timeout 120 openssl s_server -quiet -accept $SRV4:1112 -cert "$T/namecerts/server.pem" \
    -key "$T/namecerts/server.key" </dev/null >/dev/null 2>&1 &
NSL_PIDS+=("$!")
wait_for 10 bash -c "ip netns exec $(ns isp) ss -Hltn | grep -q ':1112 '"
run pop-badname 4
check "pop3 pop-badname: a certificate for another name is not a success (exit $RC)" test "$RC" -ne 0
check_eq "pop3 pop-badname: state outcome (refused in the handshake)" protocol-error \
    "$(state pop-badname ipv4.outcome)"

# a wrong password: auth failed, suspended; the next run does not contact the server
before=$(lines "$DCLOG")
run pop-bad 4
check_eq "pop3 pop-bad: wrong password is fatal (exit 2)" 2 "$RC"
check "pop3 pop-bad: dovecot logged the failed login from $PPP4" \
    grep -q "auth failed.*user=<$USER>.*rip=$PPP4" <(new_lines "$DCLOG" "$before")
check_eq "pop3 pop-bad: state outcome" auth-failed "$(state pop-bad ipv4.outcome)"
check_eq "pop3 pop-bad: profile suspended" yes "$(state pop-bad suspended)"
before=$(lines "$DCLOG")
nraw=$(ls "$T/dovecot/run/login/rawlogs" | wc -l)
run pop-bad 4
check "pop3 pop-bad: second run while suspended exits non-zero (exit $RC)" test "$RC" -ne 0 -a "$RC" -ne 1
sleep 0.3
check_eq "pop3 pop-bad: second run did not contact the server (new connections)" "$nraw" \
    "$(ls "$T/dovecot/run/login/rawlogs" | wc -l)"
check_eq "pop3 pop-bad: second run did not contact the server (new log lines)" 0 \
    "$(new_lines "$DCLOG" "$before" | wc -l)"

# tls = auto on the plain port: STLS when CAPA offers it (dovecot does)
pop_case pop-opp 4 PLAIN $PPP4 110 TLS
check "pop3: APOP over plain text is warned about" grep -q "APOP without TLS" "$T/logs/pop-apop.log"
check "pop3: USER/PASS over plain text is warned about" grep -q "USER/PASS without TLS" "$T/logs/pop-user.log"

# STARTTLS response injection (CVE-2021-22947 class): the server queues "+OK\r\n+OK\r\n"
# in plain text behind its STLS reply, then answers -ERR to everything over TLS
run pop-inject 4
check "pop3 inject: a plain-text answer queued behind the STLS reply is not a success (exit $RC)" \
    test "$RC" -ne 0
check_eq "pop3 inject: state outcome" protocol-error "$(state pop-inject ipv4.outcome)"
check "pop3 inject: no credential was sent (no USER, PASS or APOP reached the server)" \
    test -z "$(grep -E '"line": "(USER|PASS|APOP)' "$T/hostile-inject.log")"
check "pop3 inject: the reason is logged" grep -q "plain text before the TLS handshake" "$T/logs/pop-inject.log"

# an endless CAPA listing (before STLS: anyone on the path can send it): the worker
# gives up after a bounded listing, at once and with bounded memory, not at its deadline
run pop-capaflood 4
check "pop3 capaflood: the endless CAPA listing is refused (exit $RC)" test "$RC" -ne 0
check_eq "pop3 capaflood: state outcome" protocol-error "$(state pop-capaflood ipv4.outcome)"
check "pop3 capaflood: ... within 5 s, not at the deadline (${SECS}s)" awk -v s="$SECS" 'BEGIN{exit !(s < 5)}'
check "pop3 capaflood: the reason is logged" grep -q "CAPA listing longer than" "$T/logs/pop-capaflood.log"
check "pop3 capaflood: no credential was sent" \
    test -z "$(grep -E '"line": "(USER|PASS|APOP)' "$T/hostile-capaflood.log")"

# tls = auto: a server that took STLS once is pinned (the state's pop3-stls); when CAPA
# there no longer lists STLS (an attacker on the path deleted it), the worker refuses
# instead of sending USER/PASS in plain text. The old worker logged in in plain text.
run pop-strip 4
check_eq "pop3 strip: the first login takes STLS (updated)" "0 updated" "$RC $(state pop-strip ipv4.outcome)"
check_eq "  ... the state pins the server" "$SRV4:1114" "$(state pop-strip pop3-stls)"
run pop-strip 4 --force
check "pop3 strip: CAPA without STLS at a pinned server is refused (exit $RC)" test "$RC" -ne 0
check_eq "  ... state outcome" protocol-error "$(state pop-strip ipv4.outcome)"
check "  ... no credential crossed in plain text" \
    test -z "$(grep -E '"tls": false, "line": "(USER|PASS|APOP)' "$T/hostile-strip.log")"
check "  ... the reason is logged" grep -q "which this server offered before" "$T/logs/pop-strip.log"

# review 29 F2: tls = stls, pop3-auth = auto behind a man in the middle who swaps the APOP
# timestamp of the plain-text greeting. RFC 2595 §4: what came before TLS is discarded, so the
# worker logs in with USER/PASS under TLS. The old worker sent APOP with the forged timestamp,
# dovecot said -ERR, and the profile was suspended as if the password were wrong.
before=$(lines "$DCLOG")
run pop-apopmitm 4
check "pop3 apopmitm: the man in the middle rewrote the greeting" grep -q "mitm.invalid" "$T/mitm.log"
check_eq "pop3 apopmitm: exit status and state outcome" "0 updated" "$RC $(state pop-apopmitm ipv4.outcome)"
check "pop3 apopmitm: not suspended" test "$(state pop-apopmitm suspended)" != yes
check "pop3 apopmitm: dovecot logged a USER/PASS login under TLS" \
    grep -q "Login: user=<$USER>, method=PLAIN, .*, TLS," <(new_lines "$DCLOG" "$before")
check "pop3 apopmitm: no APOP was sent" test -z "$(new_lines "$DCLOG" "$before" | grep -i apop)"

# the worker parses the server's answers without privilege: look at it while the server stalls
n0=$(lines "$T/hostile-stall.log")
nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile pop-stall --ifname ppp0 --address $PPP4 --family 4 \
    --generation 1 --verbose >>"$T/logs/pop-stall.log" 2>&1 </dev/null &
stall_job=$!
grown() { [ "$(lines "$1")" -gt "$2" ]; }  # FILE LINES: FILE has more lines now
wait_for 10 grown "$T/hostile-stall.log" "$n0"
wpid=$(pgrep -n -f -- "pppkit-ddns-worker --config $CONF --profile pop-stall")
if [ -n "$wpid" ] && st=$(cat "/proc/$wpid/status" 2>/dev/null); then
    echo "  worker pid $wpid: $(grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' <<<"$st" |
        tr -s '\t\n' '  ')"
    check_eq "priv: the worker runs as pppkit-ddns (real, effective, saved, fs uid)" "$DDUID $DDUID $DDUID $DDUID" \
        "$(awk '/^Uid:/{print $2, $3, $4, $5}' <<<"$st")"
    check_eq "priv: ... and its group, without supplementary groups" "$DDUID $DDUID $DDUID $DDUID|" \
        "$(awk '/^Gid:/{printf "%s %s %s %s", $2, $3, $4, $5} /^Groups:/{printf "|%s", $2}' <<<"$st")"
    for c in CapInh CapPrm CapEff CapBnd CapAmb; do
        check_eq "priv: $c is empty" 0000000000000000 "$(awk -v k="$c:" '$1==k{print $2}' <<<"$st")"
    done
    check_eq "priv: no_new_privs is set" 1 "$(awk '/^NoNewPrivs:/{print $2}' <<<"$st")"
    # a process that is not dumpable has its /proc files owned by root, whatever its uid
    check_eq "priv: not dumpable (/proc/PID/status belongs to root)" 0 "$(stat -c %u "/proc/$wpid/status")"
    # a POP3 profile never loads libcurl and the 32 libraries it needs (its TLS is OpenSSL's)
    maps=$(cat "/proc/$wpid/maps" 2>/dev/null)
    check "speed: the POP3 worker has libssl mapped, not libcurl (/proc/PID/maps)" \
        test -n "$(grep -F libssl.so <<<"$maps")" -a -z "$(grep -F libcurl <<<"$maps")"
else
    fail "priv: no running worker found for pop-stall"
fi
wait "$stall_job"
check_eq "priv: the stalled attempt ends at its deadline as a transient failure" 1 "$?"
check "priv: the state directory belongs to pppkit-ddns, 0700" \
    test "$(stat -c '%u %a' "$T/state/ddns")" = "$DDUID 700"

# ---- HTTP(S) per provider ------------------------------------------------------------------
http_case() { # NAME FAMILY WANT_OUTCOME [reqcheck args...]
    local n=$1 fam=$2 want=$3 before
    shift 3
    before=$(lines "$FLOG")
    run "$n" "$fam"
    local out
    if out=$(req "$before" "$@" 2>&1); then
        pass "http $n: request shape"
    else
        fail "http $n: request shape"
    fi
    printf '%s\n' "$out"
    check_eq "http $n: state outcome" "$want" "$(state "$n" "ipv$fam.outcome")"
}

http_case mydns-http 4 updated --count 1 --method GET --path /login.html --tls yes --src $PPP4 \
    --auth basic:$USER --ua-re "$UA.*" --status 200
http_case mydns-http6 6 updated --count 1 --method GET --path /login.html --tls yes --src $PPP6 \
    --auth basic:$USER --ua-re "$UA.*" --status 200
http_case mydns-dip 4 updated --count 1 --method GET --path /directip.html --tls yes --src $PPP4 \
    --arg MID=$USER --arg IPV4ADDR=$PPP4 --ua-re "$UA.*" --url-secret mydns-home
http_case dyn 4 updated --count 1 --method GET --path /nic/update --tls yes --src $PPP4 --auth basic:dynuser \
    --arg hostname=host.example.jp --arg myip=$PPP4 --ua-re "$UA.*"
check_eq "http dyn: address recorded" $PPP4 "$(state dyn ipv4.address)"
http_case dyn6 6 updated --count 1 --method GET --path /nic/update --tls yes --src $PPP6 --auth basic:dynuser \
    --arg hostname=host.example.jp --arg myip=$PPP6 --ua-re "$UA.*"
# the same address again: nothing due for dyndns2 (no keep-alive) -> no request
before=$(lines "$FLOG")
run dyn 4
check_eq "http dyn: unchanged address, no keep-alive: worker exit" 0 "$RC"
check_eq "http dyn: unchanged address sends nothing" "$before" "$(lines "$FLOG")"
# forced: the provider says nochg -> unchanged
RUN_ARGS=(--force)
http_case dyn 4 unchanged --count 1 --path /nic/update --src $PPP4 --arg myip=$PPP4
RUN_ARGS=()
http_case noip 4 updated --count 1 --method GET --path /nic/update --tls yes --src $PPP4 --auth basic:dynuser \
    --arg hostname=noip.example.net --arg myip=$PPP4 --ua-re "$UA.*"
http_case duck 4 updated --count 1 --method GET --path /update --tls yes --src $PPP4 --arg domains \
    --arg ip=$PPP4 --ua-re "$UA.*" --url-secret duck
http_case desec 4 updated --count 1 --method GET --tls yes --src $PPP4 --auth basic:home.dedyn.io \
    --arg hostname=home.dedyn.io --ua-re "$UA.*"
http_case cf 4 updated --min-count 2 --tls yes --src $PPP4 --auth bearer --ua-re "$UA.*"
check "http cf: the record was changed to the IPCP address (PATCH/PUT with the address)" \
    req "$(($(lines "$FLOG") - 1))" --last --body-re "\"content\" *: *\"$PPP4\""
http_case custom 4 updated --count 1 --method GET --path /custom/update --tls yes --src $PPP4 \
    --arg host=host.example.jp --arg ip=$PPP4 --ua-re "$UA.*"

# ---- failure modes (dyndns2 profiles, one each, fresh state) --------------------------------------
fail_case() { # MODE WANT_RC WANT_OUTCOME
    local m=$1 before
    ctl "{\"mode\": \"$m\", \"hang_secs\": 30}"
    before=$(lines "$FLOG")
    run "f-$m" 4
    ctl '{}'
    check_eq "fail $m: worker exit status" "$2" "$RC"
    check_eq "fail $m: state outcome" "$3" "$(state "f-$m" ipv4.outcome)"
    check "fail $m: one request reached the server from $PPP4" req "$before" --count 1 --src $PPP4
}
fail_case hang 1 retry-later
check "fail hang: the 3 s deadline held (took ${SECS}s)" awk -v s="$SECS" 'BEGIN{exit !(s >= 2.5 && s < 6)}'
check "fail hang: a retry is scheduled (next-attempt > now)" \
    test "$(state f-hang ipv4.next-attempt)" -gt "$(date +%s)"
fail_case reset 1 retry-later
fail_case 911 1 retry-later
fail_case badauth 2 auth-failed
check_eq "fail badauth: suspended" yes "$(state f-badauth suspended)"
before=$(lines "$FLOG")
run f-badauth 4
check_eq "fail badauth: a suspended profile sends nothing" "$before" "$(lines "$FLOG")"
fail_case abuse 2 abuse
check_eq "fail abuse: suspended" yes "$(state f-abuse suspended)"
fail_case nochg 0 unchanged
fail_case 5xx 1 retry-later

# ---- review 19: a WAF's bare 403 is retried an hour later, never a suspension ----------------------
ctl '{"mode": "body", "status": 403, "body": "<html><h1>Access denied</h1> (WAF)</html>"}'
run f-waf 4
ctl '{}'
check_eq "waf 403: worker exit status (transient)" 1 "$RC"
check_eq "waf 403: state outcome" retry-later "$(state f-waf ipv4.outcome)"
check_eq "waf 403: not suspended" no "$(state f-waf suspended)"
fu=$(state f-waf ipv4-floor-until)
check "waf 403: no new try for an hour (floor-until in $((${fu:-0} - $(date +%s))) s)" \
    test "${fu:-0}" -ge "$(($(date +%s) + 3500))"
# ... and a server that echoes the password (raw, as Basic, cut by the 80-byte excerpt): none of it
# reaches the state file (the secrets scan at the end checks the logs and states for the whole value)
B64=$(printf 'dynuser:%s' "$PW_DYN" | base64 -w0)
PAD=$(printf '%070d' 0)
redacted() { # DETAIL: holds "***" and no start of the password or of its Basic form (base64 "dynuser:")
    case "$1" in *"***"*) ;; *) return 1 ;; esac
    case "$1" in *Dd2Dyn* | *ZHludXN*) return 1 ;; esac
}
n=0
for body in "wrong pw $PW_DYN for dynuser" "you sent Basic $B64" "$PAD$PW_DYN" "$PAD$B64"; do
    n=$((n + 1))  # the case's number, not its body: the output shows no part of a secret
    ctl "{\"mode\": \"body\", \"status\": 400, \"body\": \"$body\"}"
    run f-echo 4 --force
    ctl '{}'
    d=$(state f-echo ipv4.detail)
    check "echo $n (raw, Basic, raw cut at 80, Basic cut at 80): the state's detail is redacted ($d)" redacted "$d"
done
# No-IP's 911: at least 30 min before the next try
ctl '{"mode": "911"}'
run f-noip911 4
ctl '{}'
na=$(state f-noip911 ipv4.next-attempt)
check "fail noip 911: next attempt >= 30 min later (in $((${na:-0} - $(date +%s))) s)" \
    test "${na:-0}" -ge "$(($(date +%s) + 1700))"

# ---- cancellation: the plugin closes the --cancel-fd pipe (ip-down): the worker stops at once
ctl '{"mode": "hang", "hang_secs": 60}'
before=$(lines "$FLOG")
t0=$(date +%s.%N)
nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile f-cancel --ifname ppp0 --address $PPP4 --family 4 \
    --generation 7 --cancel-fd 3 --verbose 3< <(sleep 1.5) >"$T/logs/f-cancel.log" 2>&1 </dev/null
rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
check "cancel: the request was in flight (hanging at the server)" req "$before" --count 1 --src $PPP4
check_eq "cancel: worker exit status when its cancel fd closes" 1 "$rc"
check "cancel: the worker stopped within 1 s of the cancel (took ${secs}s, cancel at 1.5 s, timeout 30 s)" \
    awk -v s="$secs" 'BEGIN{exit !(s >= 1.4 && s < 2.5)}'
check_eq "cancel: the attempt was recorded in flight before it was sent" in-flight "$(state f-cancel ipv4-state)"
# review 29 F3: the link flaps (ip-up, ip-down 1.5 s later) against a provider that never answers.
# Each worker used to send again at once (nothing recorded): now the next one finds the lost
# attempt under the profile's lock, counts it as a failure and waits out its retry delay.
for g in 8 9 10; do
    nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile f-cancel --ifname ppp0 --address $PPP4 --family 4 \
        --generation $g --cancel-fd 3 --verbose 3< <(sleep 1.5) >>"$T/logs/f-cancel.log" 2>&1 </dev/null
done
ctl '{}'
check "cancel flap: one request for four ip-ups, each cancelled (was four)" req "$before" --count 1 --src $PPP4
check_eq "cancel flap: the lost attempt is a transient failure" backing-off "$(state f-cancel ipv4-state)"
check_eq "cancel flap: ... counted once" 1 "$(state f-cancel ipv4.failures)"
la=$(state f-cancel ipv4.last-attempt) na=$(state f-cancel ipv4.next-attempt)
check "cancel flap: the retry waits the backoff from the lost attempt (next in $((${na:-0} - ${la:-0})) s)" \
    test "$((${na:-0} - ${la:-0}))" -ge 24

# ---- two workers for one profile: the second waits for the lock, then decides on the fresh state ----
# review 29 F1: the second (ipv6-up beside ip-up, `pppkit ddns update` beside ip-up) used to find the
# lock held, send nothing, exit 0: its update was lost until the next reconnect.
ctl '{"delay": 4}'
before=$(lines "$FLOG")
nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile f-lock --ifname ppp0 --address $PPP4 --family 4 \
    --generation 1 --force --verbose >"$T/logs/f-lock-first.log" 2>&1 </dev/null &
first=$!
wait_for 10 grep -q "GET https" "$T/logs/f-lock-first.log"  # traced just before the request: the lock is held
run f-lock 4 --force
wait "$first"
check_eq "lock: the first worker's update" 0 "$?"
ctl '{}'
check_eq "lock: the second worker waited for the lock and sent its update" 0 "$RC"
check "lock: ... after the first one ended (took ${SECS}s: the rest of the first's 4 s, then its own 4 s)" \
    awk -v s="$SECS" 'BEGIN{exit !(s >= 6)}'
check "lock: both updates reached the server, one after the other" req "$before" --count 2 --src $PPP4
check "lock: the state holds an answer, not an attempt in flight" grep -qE "^ipv4-state=idle$" "$T/state/ddns/f-lock.state"

# ---- the IPv6 worker waits for its address without the profile's lock ---------------------------------
# review 29 F1: it held the lock through its wait (up to ipv6-wait), so ip-up's IPv4 worker found it busy
# and dropped its update. nov6 never gets a global address: the IPv6 worker waits its 5 s out.
ip -n "$(ns rtr)" link add nov6 type dummy && ip -n "$(ns rtr)" link set nov6 up
before=$(lines "$FLOG")
nsx rtr timeout 60 "$WORKER" --config "$CONF" --profile f-lock6 --ifname ppp0 --family 6 \
    --generation 1 --verbose >"$T/logs/f-lock6-v6.log" 2>&1 </dev/null &
v6=$!
sleep 1
run f-lock6 4
check_eq "ipv6 wait: the IPv4 worker, started during the IPv6 wait: exit status" 0 "$RC"
check "ipv6 wait: ... at once (took ${SECS}s), not after the wait" awk -v s="$SECS" 'BEGIN{exit !(s < 3)}'
check "ipv6 wait: ... and its request reached the server" req "$before" --count 1 --src $PPP4
wait "$v6"
check_eq "ipv6 wait: the IPv6 worker finds no address: transient" 1 "$?"

# ---- the IPv6 source the provider sees: a temporary address the kernel prefers ---------------------
nsx rtr sysctl -qw net.ipv6.conf.ppp0.use_tempaddr=2
ip -n "$(ns rtr)" addr change $PPP6/64 dev ppp0 mngtmpaddr
wait_for 10 sh -c "ip -n '$(ns rtr)' -6 addr show dev ppp0 temporary | grep -q 'scope global' &&
    ! ip -n '$(ns rtr)' -6 addr show dev ppp0 tentative | grep -q 'scope global'"
TMP6=$(ip -n "$(ns rtr)" -6 addr show dev ppp0 temporary | awk '/scope global/{sub("/.*", "", $2); print $2; exit}')
src_tmp=$(nsx rtr curl -sS -m 5 --interface ppp0 --cacert "$T/certs/ca.pem" -A probe "https://[$SRV6]/login.html" \
    -o /dev/null -w '%{local_ip}' 2>&1)
check_eq "ipv6 source: control: the kernel picks the temporary address for a socket bound to ppp0" "$TMP6" "$src_tmp"
NOADDR=1 RUN_ARGS=(--force)
http_case mydns-http6 6 updated --count 1 --path /login.html --src $PPP6 --auth basic:$USER
check_eq "ipv6 source: mydns-http recorded the address the provider saw" $PPP6 "$(state mydns-http6 ipv6.address)"
before=$(lines "$DCLOG")
run pop-v6 6
check "ipv6 source: mydns-pop3 logged in from the chosen $PPP6, not $TMP6" \
    grep -q "Login: user=<$USER>.*rip=$PPP6," <(new_lines "$DCLOG" "$before")
check_eq "ipv6 source: mydns-pop3 recorded the address the provider saw" $PPP6 "$(state pop-v6 ipv6.address)"
NOADDR= RUN_ARGS=()

# ---- no ca-file: the system store, read as the hashed directory -----------------------------------------
# Only this worker's mount namespace sees a /etc/ssl/certs that holds the test CA
# alone (hashed by openssl rehash): the update succeeds only if the worker looks
# the issuer up there.
mkdir -p "$T/sslcerts" && cp "$T/certs/ca.pem" "$T/sslcerts/pppkit-test-ca.pem" && openssl rehash "$T/sslcerts"
printf '#!/bin/sh\nmount --bind %s /etc/ssl/certs || exit 99\nexec "$@"\n' "$T/sslcerts" >"$T/bin/with-store"
chmod 0755 "$T/bin/with-store"
before=$(lines "$FLOG")
nsx rtr timeout 60 "$T/bin/with-store" "$WORKER" --config "$CONF" --profile sysca --ifname ppp0 --address $PPP4 \
    --family 4 --verbose >>"$T/logs/sysca.log" 2>&1 </dev/null
check_eq "system CA store: an update without ca-file verifies against /etc/ssl/certs (exit)" 0 "$?"
check "system CA store: one request over TLS" req "$before" --count 1 --tls yes --src $PPP4

# ---- the keep-alive timer's command is not verbose ---------------------------------------------------
nsx rtr timeout 60 "$T/bin/with-user" "$BUILD/pppkit" --config "$CONF" ddns update --profile pop-user --force \
    >"$T/logs/cli-update.log" 2>&1 </dev/null
check_eq "cli: pppkit ddns update (the timer's command) succeeds" 0 "$?"
check "cli: ... and prints no protocol dialogue without --verbose" \
    test -z "$(grep -E '^  [<>] ' "$T/logs/cli-update.log")"

# ---- the worker's environment is its own, not the caller's shell's -------------------------------------
# libcurl writes the TLS session keys to the file SSLKEYLOGFILE names: from a root shell that had it set,
# `pppkit ddns update` used to hand it to the worker, and every update's keys landed on disk.
# (in a sticky directory anyone may write: libcurl opens it after the worker dropped to its user)
mkdir -p "$T/anyone" && chmod 1777 "$T/anyone"
before=$(lines "$FLOG")
nsx rtr env SSLKEYLOGFILE="$T/anyone/keylog" timeout 60 "$T/bin/with-user" "$BUILD/pppkit" --config "$CONF" \
    ddns update --profile dyn --force >"$T/logs/cli-env.log" 2>&1 </dev/null
check_eq "cli environment: pppkit ddns update with SSLKEYLOGFILE set in the caller's shell succeeds" 0 "$?"
check "cli environment: ... one request over TLS" req "$before" --count 1 --tls yes
check "cli environment: ... and the worker wrote no TLS key log" test ! -e "$T/anyone/keylog"
# the control: the worker itself, given that variable, does write one (libcurl reads it)
nsx rtr env SSLKEYLOGFILE="$T/anyone/keylog" timeout 60 "$WORKER" --config "$CONF" --profile dyn --force \
    >"$T/logs/env-control.log" 2>&1 </dev/null
check "cli environment: (control) the worker started with SSLKEYLOGFILE writes the key log" \
    grep -q CLIENT_TRAFFIC_SECRET "$T/anyone/keylog"
rm -f "$T/anyone/keylog"

# ---- a secrets-file problem reaches pppd's log with its reason (the plugin in fake_pppd) -------------
if FAKE_PPPD=$("$PPPKIT_TOP/tests/load/build-fake-pppd.sh" "$BUILD" 2>/dev/null) && [ -e "$BUILD/pppkit-ddns.so" ]; then
    mkdir -p "$T/loose"
    printf 'mydns-home = %s\n' "$PW" >"$T/loose/secrets"
    chmod 0644 "$T/loose/secrets"
    printf '[pppkit]\nsecrets-file = %s\nstate-dir = %s\n\n[ddns "loose"]\nprovider = dyndns2\n' \
        "$T/loose/secrets" "$T/loose/state" >"$T/loose/pppkit.conf"
    printf 'username = dynuser\npassword = mydns-home\nhostname = host.example.jp\nserver = %s\nlinks = ppp*\n' \
        $SRV4 >>"$T/loose/pppkit.conf"
    nsx rtr timeout 30 "$FAKE_PPPD" "$BUILD/pppkit-ddns.so" init opt pppkit-config "$T/loose/pppkit.conf" \
        opt pppkit-ddns-worker "$WORKER" phase 1 phase 2 ifname ppp0 local4 $PPP4 ip-up \
        sh "sleep 1.5" run-timers sh "sleep 0.5" run-timers exit 0 >"$T/logs/loose-pppd.log" 2>&1 </dev/null
    sed 's/^/    /' "$T/logs/loose-pppd.log" | grep -i "worker" | cut -c1-300
    check "pppd log: a secrets file with mode 0644 is named with its reason, not only 'worker exit 3'" \
        grep -qE "LOG [a-z]+: .*worker exit 3 \(.*secrets file is readable or writable by group or others" \
        "$T/logs/loose-pppd.log"
else
    fail "pppd log: cannot build tests/load/fake_pppd or no $BUILD/pppkit-ddns.so"
fi

# ---- the CA file is read through the trusted reader (review B F3) -------------------------------------
# The loader checked a ca-file only when it existed, and the worker then opened it by path as root: a
# user who put a file there in between (a sticky directory like /tmp) had it pinned. strace holds the
# worker 1.5 s at each look at its secrets file, which comes between the two ([ddns] is before
# [pppkit], so the ca-file is checked first), while a file of uid 65534 is planted: the test CA, which
# the server's certificate verifies against. The old worker sent the update with it.
if command -v strace >/dev/null; then
    mkdir -p "$T/race" && chmod 1777 "$T/race"
    RCONF=$T/etc/race.conf
    {
        http carace dyndns2 username=dynuser password=dyn-pw hostname=host.example.jp server=$SRV4 |
            sed "s|^ca-file = .*|ca-file = $T/race/ca.pem|"
        printf '[pppkit]\nsecrets-file = %s\nstate-dir = %s\n' "$SECRETS" "$T/state"
    } >"$RCONF"
    before=$(lines "$FLOG")
    (
        sleep 0.7
        cp "$T/certs/ca.pem" "$T/race/.planted" && chown 65534:65534 "$T/race/.planted" &&
            mv "$T/race/.planted" "$T/race/ca.pem"
    ) &
    planter=$!
    nsx rtr timeout 60 strace -f -qq -o /dev/null -P "$SECRETS" -e trace=newfstatat,lstat \
        -e inject=newfstatat,lstat:delay_enter=1500000 "$WORKER" --config "$RCONF" --profile carace --ifname ppp0 \
        --address $PPP4 --family 4 --verbose >"$T/logs/carace.log" 2>&1 </dev/null
    rc=$?
    wait "$planter"
    sed 's/^/    /' "$T/logs/carace.log" | cut -c1-300
    check_eq "ca race: a file of uid 65534 was planted as the ca-file during the worker's run" 65534 \
        "$(stat -c %u "$T/race/ca.pem" 2>&1)"
    check_eq "ca race: the worker refuses it (exit)" 3 "$rc"
    check "ca race: ... naming the key's line and the owner" grep -qF \
        "race.conf:3: [ddns \"carace\"] ca-file: cannot read: file $T/race/ca.pem is owned by uid 65534, not root" \
        "$T/logs/carace.log"
    check_eq "ca race: nothing was sent" "$before" "$(lines "$FLOG")"
else
    fail "ca race: needs strace"
fi

# ---- a profile that names no secret needs no secrets file (review B F5) ------------------------------
# pppkit check reads the secrets file only when a key names a secret; the worker read it always and
# failed (exit 3, "cannot open secrets file") where check had passed.
mkdir -p "$T/nosec"
{
    printf '[pppkit]\nsecrets-file = %s\nstate-dir = %s\n\n' "$T/nosec/absent" "$T/nosec/state"
    http custom custom "url=https://$SRV4/custom/update?host={hostname}&ip={address}" hostname=host.example.jp \
        success=good unchanged=nochg auth-failed=badauth abuse=abuse retry=911
} >"$T/nosec/pppkit.conf"
check "no secret: pppkit check passes without the secrets file" "$BUILD/pppkit" --config "$T/nosec/pppkit.conf" check
before=$(lines "$FLOG")
nsx rtr timeout 60 "$WORKER" --config "$T/nosec/pppkit.conf" --profile custom --ifname ppp0 --address $PPP4 \
    --family 4 --verbose >"$T/logs/nosec.log" 2>&1 </dev/null
check_eq "no secret: ... and the worker updates without it (exit)" 0 "$?"
check "no secret: one request reached the server" req "$before" --count 1 --src $PPP4 --path /custom/update

# ---- binding failure: nothing is sent --------------------------------------------------------------
before=$(lines "$FLOG")
nsx rtr timeout 30 "$WORKER" --config "$CONF" --profile custom --ifname nosuch0 --address $PPP4 --family 4 \
    --force --verbose >"$T/logs/nobind.log" 2>&1 </dev/null
rc=$?
check "bind: --ifname nosuch0 fails (exit $rc)" test "$rc" -ne 0
check_eq "bind: --ifname nosuch0 sends nothing" "$before" "$(lines "$FLOG")"
check "bind: the failure is logged" grep -qi "nosuch0" "$T/logs/nobind.log"

# ---- pppkit ddns update from root's terminal: the worker holds neither it nor the caller's files ------
# (review 27b F2) The unprivileged worker used to inherit root's tty on 0-2 and its session: a worker
# taken over by a server's answer could TIOCSTI keystrokes into root's shell or read what root types.
# Run under script(1) (a real pty) with an extra descriptor open, against a server that hangs.
ctl '{"mode": "hang", "hang_secs": 30}'
nsx rtr script -qfec "exec 7>'$T/caller-fd'; exec timeout 60 '$T/bin/with-user' '$BUILD/pppkit' --config '$CONF' \
    ddns update --profile f-hang --force --verbose" /dev/null >"$T/logs/cli-tty.log" 2>&1 </dev/null &
tty_job=$!
w=""
for _ in $(seq 100); do
    w=$(pgrep -f -- "--profile f-hang" | while read -r p; do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$BUILD/pppkit-ddns-worker")" ] && echo "$p"
    done | head -n 1)
    [ -n "$w" ] && [ "$(awk '/^Uid:/{print $2}' "/proc/$w/status" 2>/dev/null)" != 0 ] && break
    sleep 0.05
done
if [ -n "$w" ]; then
    fds=$(ls -l "/proc/$w/fd" 2>/dev/null)
    check_eq "cli tty: the worker (pid $w, unprivileged) has no controlling terminal (tty_nr)" 0 \
        "$(sed 's/.*) //' "/proc/$w/stat" | awk '{print $5}')"
    check "cli tty: ... holds no terminal descriptor" bash -c "! grep -q -e /dev/pts -e /dev/tty <<<'$fds'"
    check "cli tty: ... nor the caller's open file (fd 7)" bash -c "! grep -q caller-fd <<<'$fds'"
    check_eq "cli tty: ... and is the leader of a session of its own" "$w" \
        "$(sed 's/.*) //' "/proc/$w/stat" | awk '{print $4}')"
else
    fail "cli tty: the worker of pppkit ddns update --profile f-hang never ran unprivileged"
fi
wait "$tty_job"
ctl '{}'
check "cli tty: the worker's --verbose trace still reaches the caller's terminal" grep -q 'GET https://.*/nic/update' "$T/logs/cli-tty.log" ||
    head -c 2000 "$T/logs/cli-tty.log"

# ---- secrets ----------------------------------------------------------------------------------------
touch "$T/scan.stop"
wait_for 10 test -s "$T/scan.json"
python3 - "$T/scan.json" <<'EOF' >"$T/scan.txt"
import json, sys
d = json.load(open(sys.argv[1]))
real = [h for h in d["hits"] if h["label"] != "decoy"]
decoy = [h for h in d["hits"] if h["label"] == "decoy"]
print(d["samples"], d["watched"], len(decoy), len(real))
for h in real:
    print("  HIT %s in /proc/%s/%s (%s)" % (h["label"], h["pid"], h["where"], h["cmdline"]))
EOF
read -r samples watched decoys hits <"$T/scan.txt"
check "secrets: the /proc scanner ran (samples $samples) and saw the worker running ($watched samples)" \
    test "${watched:-0}" -gt 0
check "secrets: the scanner finds a planted decoy in a process environment" test "${decoys:-0}" -gt 0
if [ "${hits:-1}" = 0 ]; then
    pass "secrets: no secret in any /proc/*/cmdline or environ during the run"
else
    fail "secrets: found in /proc:"
    tail -n +2 "$T/scan.txt"
fi
# logs and state files: the worker logs, the state dir, the dovecot log (not its
# rawlogs or passwd-file, not the fake provider's request log: the server side
# legitimately receives the credentials), and the test's own output so far
if out=$(python3 "$DD/secrets_scan.py" files --needles "$T/needles" "$T/logs" "$T/state" "$DCLOG" 2>&1); then
    pass "secrets: no secret in worker logs, state files or the dovecot log ($(tail -n 1 <<<"$out"))"
else
    fail "secrets: found in files:"
    printf '%s\n' "$out"
fi
# derived credentials a needle cannot find: an APOP digest, an AUTH argument, an
# Authorization header, a URL's password parameter
if out=$(grep -rEn 'APOP [^ ]+ [0-9a-fA-F]{32}|AUTH [A-Z0-9-]+ [A-Za-z0-9+/=]{8,}|Authorization:|(PWD|password|token)=[^*&]' \
    "$T/logs" "$T/state" 2>&1); then
    fail "secrets: derived credentials in the logs:"
    printf '%s\n' "$out" | cut -c1-200
else
    pass "secrets: no APOP digest, AUTH argument, Authorization header or URL password in the logs"
fi
check "secrets: state files are not readable by others" \
    test -z "$(find "$T/state" -type f -perm /077)"
# review 27b F6: the suspension's fingerprint (in a state file the worker's user owns, like every
# profile's) is keyed by a random key only root reads: one profile's worker, taken over by a server,
# cannot test guesses of another profile's password against it offline
check_eq "fingerprint key: <state-dir>/ddns.key is root's, 0600, 32 bytes" "0 600 32" \
    "$(stat -c '%u %a %s' "$T/state/ddns.key" 2>&1)"
check "fingerprint key: the worker's user cannot read it" \
    bash -c "! setpriv --reuid=${DDUID:-65534} --regid=${DDUID:-65534} --clear-groups cat '$T/state/ddns.key' >/dev/null 2>&1"
check "fingerprint key: a suspended profile's state holds a fingerprint" grep -q '^fingerprint=[0-9a-f]\{16\}$' "$T/state/ddns/f-badauth.state"
chmod 0644 "$T/state/ddns.key"
nsx rtr timeout 30 "$WORKER" --config "$CONF" --profile dyn --force --verbose >"$T/logs/badkey.log" 2>&1 </dev/null
check_eq "fingerprint key: one others may read is refused (worker exit)" 3 "$?"
check "  ... with the reason" grep -q "ddns.key: not the worker's owner's alone" "$T/logs/badkey.log"
chmod 0600 "$T/state/ddns.key"

nsl_finish
