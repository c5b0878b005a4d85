#!/bin/sh
# certs.sh DIR: a throwaway CA (DIR/ca.pem) and a server certificate signed by it
# (DIR/cert.pem, DIR/key.pem) for DNS:localhost and IP:127.0.0.1, because clients are
# configured with host 127.0.0.1 and some peers (mbsync) check DNS names only.
# Also DIR/other-ca.pem, a CA that signed nothing here: a client given it must refuse.
# EC P-256 keys: generating them takes milliseconds where RSA takes a noticeable fraction of a second.
# Does nothing when DIR/cert.pem exists (restarts keep the certificate clients already trust).
set -eu
d=$1
[ -s "$d/cert.pem" ] && exit 0
mkdir -p "$d"
cd "$d"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj "/CN=tern lab CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
# shellcheck disable=SC2086
openssl req -x509 $ec -keyout other-ca.key -out other-ca.pem -days 3650 -subj "/CN=tern lab other CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
# shellcheck disable=SC2086
openssl req -new $ec -keyout key.pem -out server.csr -subj "/CN=localhost" 2>/dev/null
cat >server.ext <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
  -extfile server.ext -out cert.pem 2>/dev/null
rm -f server.csr server.ext ca.srl other-ca.key
# Cyrus reads the key as user cyrus, Dovecot as root; the lab is throwaway.
chmod 644 key.pem cert.pem ca.pem other-ca.pem
