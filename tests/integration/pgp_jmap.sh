#!/bin/sh
# PGP mail on a JMAP account (Cyrus): the list marks a signed and an
# encrypted message from the Content-Type header JMAP's Email/get returns
# (no body fetched), and tern show verifies and decrypts them from the
# blob it downloads, the decrypted text staying out of the data directory.
JMAP_LAB_SERVERS="cyrus"
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"
skip_if_missing gpg gpg-agent gpgconf
export GNUPGHOME=$W/gnupg
mkdir -m 700 "$GNUPGHOME"
trap 'r=$?; gpgconf --kill all 2>/dev/null; (exit $r); _lab_cleanup' EXIT
gq() { gpg --batch --quiet --no-tty "$@"; }
gq --pinentry-mode loopback --passphrase '' --quick-gen-key "Sam Sender <sam@example.org>" future-default default never 2>/dev/null
gq --pinentry-mode loopback --passphrase '' --quick-gen-key "Me <$EMAIL1>" future-default default never 2>/dev/null
SAM=$(gq --with-colons --list-keys sam@example.org | awk -F: '/^fpr:/ { print $10; exit }')

printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned over JMAP.\r\n' >"$W/part"
gq --local-user "$SAM" --armor --detach-sign --output - "$W/part" | sed 's/$/\r/' >"$W/sig"
{ printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: jmap signed\r\nMessage-ID: <js@pgp>\r\nMIME-Version: 1.0\r\n' "$EMAIL1"
  printf 'Content-Type: multipart/signed; micalg=pgp-sha512; protocol="application/pgp-signature"; boundary="b1"\r\n\r\n--b1\r\n'
  cat "$W/part"; printf '\r\n--b1\r\nContent-Type: application/pgp-signature\r\n\r\n'; cat "$W/sig"; printf '\r\n--b1--\r\n'
} | imapctl -s cyrus append INBOX - >/dev/null
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSealed over JMAP: pomegranatelynx.\r\n' >"$W/part"
gq --encrypt --sign --local-user "$SAM" --recipient "$EMAIL1" --armor --output - "$W/part" | sed 's/$/\r/' >"$W/enc"
{ printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: jmap sealed\r\nMessage-ID: <je@pgp>\r\nMIME-Version: 1.0\r\n' "$EMAIL1"
  printf 'Content-Type: multipart/encrypted;\r\n protocol="application/pgp-encrypted"; boundary="b2"\r\n\r\n'
  printf -- '--b2\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b2\r\nContent-Type: application/octet-stream\r\n\r\n'
  cat "$W/enc"; printf '\r\n--b2--\r\n'
} | imapctl -s cyrus append INBOX - >/dev/null
{ printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: jmap plain\r\nMessage-ID: <jp@pgp>\r\n\r\nPlain.\r\n' "$EMAIL1"
} | imapctl -s cyrus append INBOX - >/dev/null

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
check "JMAP sync" tern_ sync --once j
tern_ list --json j INBOX >"$W/list"
pgp_of() { # SUBJECT WANT
  _g=$(jq -r "select(.subject == \"$1\") | .pgp" "$W/list")
  [ "$_g" = "$2" ] || { echo "  $1: pgp is '$_g', wanted '$2'"; cat "$W/list"; return 1; }
}
check "list: the signed message is marked signed (no body fetched)" pgp_of "jmap signed" signed
check "... the encrypted one encrypted (a folded Content-Type)" pgp_of "jmap sealed" encrypted
check "... a plain one not at all" pgp_of "jmap plain" null
check "... no body was needed for that" test "$(sql "SELECT count(*) FROM body")" = 0
json_is() { # MSGID JQ-TEST
  tern_ show --json "$(msg_by_mid "$1")" >"$W/j" || return 1
  jq -e "$2" "$W/j" >/dev/null || { cat "$W/j"; return 1; }
}
check "show: the signed message verified good" json_is js@pgp ".signature.status == \"good\" and .signature.fingerprint == \"$SAM\""
check "show: the encrypted one decrypted, its signature good" \
  json_is je@pgp '.decrypted and .signature.status == "good" and (.body | contains("pomegranatelynx"))'
check "... and its text is nowhere in the data directory" sh -c "! grep -rqa pomegranatelynx '$W/data'"
check_done
