#!/bin/bash
# tests/ddns/mkcerts.sh DIR [SAN...] - a throw-away test CA and one server
# certificate signed by it, made with the openssl CLI into DIR:
#   DIR/ca.pem  DIR/ca.key  DIR/server.pem  DIR/server.key  DIR/server-chain.pem
# SANs are "IP:a.b.c.d", "IP:::1" or "DNS:name"; default: IP:127.0.0.1 IP:::1 DNS:localhost.
# EC P-256 keys (fast), 2-day validity. Nothing outside DIR is touched.
set -eu
dir=${1:?usage: mkcerts.sh DIR [SAN...]}
shift
[ $# -gt 0 ] || set -- IP:127.0.0.1 IP:::1 DNS:localhost
mkdir -p "$dir"
san=$(IFS=,; echo "$*")
cd "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=pppkit test CA $$" -keyout ca.key -out ca.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=pppkit test server" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$san" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem 2>/dev/null
cat server.pem ca.pem >server-chain.pem
chmod 0644 ca.pem server.pem server-chain.pem
rm -f server.csr server.ext ca.srl
