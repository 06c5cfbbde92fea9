#!/bin/bash
# check_trust.test.sh BUILD - `pppkit check` (and `pppkit firewall check`)
# refuse, as root, with file:line, what others could have written (issue 9,
# hardening: chrony's model) and the inputs the loader used to read as
# something else (issue 12 sections 1, 2, 6):
#   - a group-writable configuration file, an others-owned drop-in directory;
#   - a secrets file, DDNS CA file or state directory owned by someone else or
#     writable by others, and a symbolic link planted in place of one; a DDNS
#     CA file that is missing or empty (the worker refuses it);
#   - the firewall's nft extras file writable by others;
#   - 'mss ;note = 1400', 'wan<VT>= ppp0', a NUL inside a value, a CR in a secret;
#   - a secrets line of another format ('cf Token==', 'cf: s3cr3t=word'): none of it shown;
#   - the secrets file given as the configuration (or read as a drop-in): refused, none of it shown;
#   - any file others may not read (0600, 0640) given as the configuration: no value quoted;
#   - a secret typed where its name belongs: not echoed; a secret's name the
#     secrets file does not hold: refused, not shown.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
pk=$build/pppkit
[ -x "$pk" ] || nsl_skip "no $pk (make all)"
[ "$(id -u)" = 0 ] || nsl_skip "needs root: the trust checks apply to root, and files are given to another owner"
nobody=65534
tmp=$(mktemp -d /tmp/pppkit-trust.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fresh() { # a clean, trusted set of files in $d
    d=$tmp/$1
    rm -rf "$d"
    mkdir -p "$d/pk.d" "$d/state"
    chmod 700 "$d/state"
    printf 'ddns-pw = hunter2\n' >"$d/secrets"
    chmod 600 "$d/secrets"
    printf 'dummy CA\n' >"$d/ca.pem"
    printf 'chain extra {\n}\n' >"$d/extras.nft"
    printf '[pppkit]\nsecrets-file = %s\nstate-dir = %s\n[mss]\nmss = auto\n' "$d/secrets" "$d/state" >"$d/pk.conf"
    printf '[ddns "dyn"]\nprovider = dyndns2\nusername = me\npassword = ddns-pw\nhostname = h.example.net\n' \
        >"$d/pk.d/10-ddns.conf"
    printf 'ca-file = %s\n' "$d/ca.pem" >>"$d/pk.d/10-ddns.conf"
    printf '[firewall]\nlan-networks = 192.168.1.0/24\nextras = %s\n' "$d/extras.nft" >"$d/pk.d/20-fw.conf"
}

expect_refused() { # NAME WANT(grep -F) COMMAND...
    local name=$1 want=$2
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ $rc = 0 ]; then
        fail "$name: accepted (exit 0), expected a refusal"
        printf '%s\n' "$out" | sed 's/^/      | /'
    else
        check "$name: refused with '$want'" grep -qF -- "$want" <<<"$out"
    fi
    if grep -q hunter2 <<<"$out"; then
        fail "$name: a secret value was printed"
    fi
}

fresh ok
check "a trusted configuration passes pppkit check" "$pk" --config "$d/pk.conf" check
check "... and pppkit firewall check reads its extras file" "$pk" --config "$d/pk.conf" firewall check

fresh gw
chmod 664 "$d/pk.conf"
expect_refused "group-writable configuration file" \
    "$d/pk.conf:0: file $d/pk.conf is writable by group or others (mode 0664)" "$pk" --config "$d/pk.conf" check

fresh dropin
chown $nobody "$d/pk.d"
expect_refused "drop-in directory owned by someone else" \
    "$d/pk.d:0: directory $d/pk.d is owned by uid $nobody, not root" "$pk" --config "$d/pk.conf" check

fresh dropinfile
chmod 666 "$d/pk.d/10-ddns.conf"
expect_refused "world-writable drop-in" "$d/pk.d/10-ddns.conf:0: file $d/pk.d/10-ddns.conf is writable by group" \
    "$pk" --config "$d/pk.conf" check

fresh secrets
chown $nobody "$d/secrets"
expect_refused "secrets file owned by someone else" \
    "$d/pk.conf:2: [pppkit] secrets-file: file $d/secrets is owned by uid $nobody, not root" \
    "$pk" --config "$d/pk.conf" check

fresh link
mv "$d/secrets" "$d/real-secrets"
ln -s "$d/real-secrets" "$d/secrets"
chown -h $nobody "$d/secrets"
expect_refused "secrets file replaced by a symlink someone else planted" \
    "$d/pk.conf:2: [pppkit] secrets-file: $d/secrets is a symbolic link owned by uid $nobody, not root; not followed" \
    "$pk" --config "$d/pk.conf" check

fresh state
chmod 777 "$d/state"
expect_refused "state directory writable by others" \
    "$d/pk.conf:3: [pppkit] state-dir: directory $d/state is writable by group or others (mode 0777)" \
    "$pk" --config "$d/pk.conf" check

fresh ca
chown $nobody "$d/ca.pem"
expect_refused "DDNS CA file owned by someone else" \
    "$d/pk.d/10-ddns.conf:6: [ddns \"dyn\"] ca-file: file $d/ca.pem is owned by uid $nobody, not root" \
    "$pk" --config "$d/pk.conf" check

fresh calink
ln -s /etc/hostname "$d/ca-link.pem"
chown -h $nobody "$d/ca-link.pem"
sed -i "s|ca-file = .*|ca-file = $d/ca-link.pem|" "$d/pk.d/10-ddns.conf"
expect_refused "DDNS CA file: a symlink someone else planted" \
    "$d/pk.d/10-ddns.conf:6: [ddns \"dyn\"] ca-file: $d/ca-link.pem is a symbolic link owned by uid $nobody" \
    "$pk" --config "$d/pk.conf" check

# review B F3: the worker refuses a missing or empty CA file (exit 3): check says so first
fresh canone
sed -i "s|ca-file = .*|ca-file = $d/absent.pem|" "$d/pk.d/10-ddns.conf"
expect_refused "DDNS CA file missing" \
    "$d/pk.d/10-ddns.conf:6: [ddns \"dyn\"] ca-file: cannot read: No such file or directory (got '$d/absent.pem')" \
    "$pk" --config "$d/pk.conf" check
fresh caempty
: >"$d/ca.pem"
expect_refused "DDNS CA file empty" \
    "$d/pk.d/10-ddns.conf:6: [ddns \"dyn\"] ca-file: the file is empty (expected the CA certificates in PEM)" \
    "$pk" --config "$d/pk.conf" check
fresh cadisabled
sed -i "s|ca-file = .*|ca-file = $d/absent.pem|" "$d/pk.d/10-ddns.conf"
printf 'enabled = no\n' >>"$d/pk.d/10-ddns.conf"
check "... a disabled profile's missing CA file is no problem (its worker reads nothing)" \
    "$pk" --config "$d/pk.conf" check

fresh extras
chmod 666 "$d/extras.nft"
expect_refused "firewall extras file writable by others" \
    "$d/pk.d/20-fw.conf:3: [firewall] extras: cannot read: file $d/extras.nft is writable by group or others" \
    "$pk" --config "$d/pk.conf" firewall check

fresh parent
chmod 777 "$d"
expect_refused "a directory above the configuration writable by others" \
    "$d/pk.conf:0: directory $d is writable by group or others (mode 0777)" "$pk" --config "$d/pk.conf" check
chmod 700 "$d"

# issue 12: keys and values the loader used to read as something else
fresh keys
printf '[mss]\nmss ;note = 1400\n' >"$d/pk.d/30-x.conf"
expect_refused "'mss ;note = 1400'" \
    "$d/pk.d/30-x.conf:2: [mss] mss ;note: a key may contain only letters, digits and '-' (got '1400')" \
    "$pk" --config "$d/pk.conf" check
printf '[firewall]\nwan\v= ppp0\n' >"$d/pk.d/30-x.conf"
expect_refused "'wan<VT>= ppp0'" \
    "$d/pk.d/30-x.conf:2: [firewall] wan\\x0b: a key may contain only letters, digits and '-' (got 'ppp0')" \
    "$pk" --config "$d/pk.conf" check
printf '[firewall]\nlan-networks = 172.16.0.0\0junk/16\n' >"$d/pk.d/30-x.conf"
expect_refused "a NUL inside lan-networks" \
    "$d/pk.d/30-x.conf:2: [firewall] lan-networks: contains a control character (byte 0x00) (got '172.16.0.0\\x00junk/16')" \
    "$pk" --config "$d/pk.conf" check
fresh crsecret
printf 'ddns-pw = hunter2\rX-Injected: 1\n' >"$d/secrets"
expect_refused "a CR inside a secret" \
    "$d/secrets:1: secret 'ddns-pw' contains a control character (CR, LF, NUL, ...); value not shown" \
    "$pk" --config "$d/pk.conf" check
# review B F4: a configuration file that is the secrets file is refused as a whole: its lines would be
# unknown keys quoting their values. The usual slip, pppkit --config /etc/ppp/pppkit-secrets check, runs
# in a mount namespace of its own with a tmpfs over /etc/ppp (the host's files are not touched).
fresh asconf
cp "$d/secrets" "$d/default-secrets"
out=$(unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=0755 tmpfs /etc/ppp &&
    install -m 0600 "$1" /etc/ppp/pppkit-secrets && exec "$2" --config /etc/ppp/pppkit-secrets check' \
    sh "$d/default-secrets" "$pk" 2>&1)
rc=$?
check_eq "pppkit --config /etc/ppp/pppkit-secrets check: refused (exit)" 2 "$rc"
check "... as the secrets file, nothing of it shown" grep -qF \
    "/etc/ppp/pppkit-secrets:0: this is the secrets file (/etc/ppp/pppkit-secrets), not a configuration file: refused, nothing of it shown" \
    <<<"$out"
if grep -q hunter2 <<<"$out"; then
    fail "pppkit --config /etc/ppp/pppkit-secrets check: a secret value was printed"
    printf '%s\n' "$out" | sed 's/^/      | /'
fi
mv "$d/secrets" "$d/pk.d/00-secrets.conf"
sed -i "s|^secrets-file = .*|secrets-file = $d/pk.d/00-secrets.conf|" "$d/pk.conf"
expect_refused "a drop-in that secrets-file names" \
    "$d/pk.d/00-secrets.conf:0: this is the secrets file ($d/pk.d/00-secrets.conf), not a configuration file" \
    "$pk" --config "$d/pk.conf" check

# review B F2: a line of another format is refused by line, none of it shown
# (the text before its first '=' is mostly the secret)
for line in 'cf SuperS3cr3tTokenValue12345==' 'cf: S3cr3t-P4ss=word'; do
    fresh badname
    printf '%s\n' "$line" >>"$d/secrets"
    expect_refused "secrets line '${line:0:9}...'" \
        "$d/secrets:2: bad secret name, line not shown (expected 'name = value'" "$pk" --config "$d/pk.conf" check
    if grep -q S3cr3t <<<"$out"; then
        fail "secrets line '${line:0:9}...': part of the line was printed"
    fi
done

# review 24 #1: a file others may not read (a secrets file at another path, a
# copy of chap-secrets) given as the configuration: its problems quote no value
fresh private
printf 'pw = hunter2\n' >"$d/other-secrets"
chmod 600 "$d/other-secrets"
expect_refused "a 0600 file given as the configuration" \
    "$d/other-secrets:1: pw: key outside of any [section] (value not shown: the file is not world-readable)" \
    "$pk" --config "$d/other-secrets" check
printf '"isp"\t*\t"hunter2"\t*\n' >"$d/chap-copy"
chmod 640 "$d/chap-copy"
expect_refused "a 0640 copy of chap-secrets given as the configuration" \
    "$d/chap-copy:1: " "$pk" --config "$d/chap-copy" check
if [ -x "$build/load/fake_pppd" ]; then
    out=$("$build/load/fake_pppd" "$build/pppkit-mss.so" init opt pppkit-config "$d/chap-copy" phase 1 phase 2 2>&1)
    check "  ... through pppd: refused in pppd's log" grep -q "$d/chap-copy:1: " <<<"$out"
    check "  ... and no secret in pppd's log" sh -c '! grep -q hunter2' <<<"$out"
fi
# the control: a world-readable file still quotes its values
printf 'colour = blue\n' >"$d/public.conf"
chmod 644 "$d/public.conf"
expect_refused "a 0644 configuration quotes its values" "$d/public.conf:1: colour: key outside of any [section] (got 'blue')" \
    "$pk" --config "$d/public.conf" check
# review 24 #2: a secret typed where its name belongs is not echoed
fresh inline
sed -i 's/^password = ddns-pw$/password = my hunter2 pass/' "$d/pk.d/10-ddns.conf"
expect_refused "a password typed in place of its name" \
    "$d/pk.d/10-ddns.conf:4: [ddns \"dyn\"] password: not a secret name" "$pk" --config "$d/pk.conf" check
# review 24 #3: a secret's name that the secrets file does not hold (the
# password typed in its place, when it happens to be a valid name)
fresh missing
sed -i 's/^password = ddns-pw$/password = Hunter2Secret/' "$d/pk.d/10-ddns.conf"
expect_refused "a secret's name the secrets file does not hold" \
    "$d/pk.d/10-ddns.conf:4: [ddns \"dyn\"] password: names a secret that $d/secrets does not hold" \
    "$pk" --config "$d/pk.conf" check
if grep -q Hunter2Secret <<<"$out"; then
    fail "  ... the value was printed"
fi
nsl_finish
