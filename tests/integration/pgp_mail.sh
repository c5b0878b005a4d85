#!/bin/sh
# PGP/MIME for real: messages signed and encrypted by gpg itself, delivered
# into Dovecot and read with tern show (--json): good, bad (one byte
# tampered), unknown key, expired and revoked key, inline clear-signed,
# encrypted (and signed) to a key without and one with a passphrase (asked
# by gpg-agent's pinentry, a script answering as pinentry-curses would),
# truncated armour and garbage; nothing decrypted reaches the data
# directory. Then what tern signs and encrypts (tern send --sign/--encrypt)
# goes through the SMTP sink and is verified and decrypted by gpg, the Sent
# copy encrypted to the sender's own key too, and a recipient without a key
# is named.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3 gpg gpg-agent gpgconf
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
G=$W/gnupg
export GNUPGHOME=$G
mkdir -m 700 "$G"
trap 'r=$?; gpgconf --kill all 2>/dev/null; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/conf
imap_conf "$C" a dovecot
PASSPHRASE=correct-horse-$$

# A pinentry that answers like the real one, so the production path (gpg-agent
# asking its pinentry program) is what decrypts with a passphrase.
cat >"$W/pinentry" <<EOF
#!/bin/sh
echo "OK ready"
while read -r cmd rest; do
  case \$cmd in
    GETPIN) echo "D $PASSPHRASE"; echo OK ;;
    BYE) echo OK; exit 0 ;;
    *) echo OK ;;
  esac
done
EOF
chmod 755 "$W/pinentry"
echo "pinentry-program $W/pinentry" >"$G/gpg-agent.conf"

gq() { gpg --batch --quiet --no-tty "$@"; }
genkey() { # UID [gpg options...]: prints the new key's fingerprint (expiry: $EXPIRE, default never)
  _u=$1; shift
  gq "$@" --pinentry-mode loopback --passphrase '' --quick-gen-key "$_u" future-default default "${EXPIRE:-never}" 2>/dev/null
  gq --with-colons --list-keys "$_u" | awk -F: '/^fpr:/ { print $10; exit }'
}
SENDER=$(genkey "Sam Sender <sam@example.org>")
ME=$(genkey "Me Myself <$EMAIL1>")
gq --pinentry-mode loopback --passphrase "$PASSPHRASE" --quick-gen-key "Pat Phrase <pat@example.org>" future-default default never 2>/dev/null
PAT=$(gq --with-colons --list-keys pat@example.org | awk -F: '/^fpr:/ { print $10; exit }')
# A key whose public half tern never sees: its signatures are from an unknown key.
mkdir -m 700 "$W/stranger"
STRANGER=$(GNUPGHOME=$W/stranger genkey "Stan Stranger <stan@example.org>")
# Made in 2020 with a day to live: expired now, with no sleep.
OLD=$(EXPIRE=1d genkey "Olga Old <olga@example.org>" --faked-system-time 20200101T000000!)
REVOKED=$(genkey "Rex Revoked <rex@example.org>")
RECIP=$(genkey "Rita Recipient <$EMAIL2>")
[ -n "$SENDER" ] && [ -n "$ME" ] && [ -n "$PAT" ] && [ -n "$STRANGER" ] && [ -n "$OLD" ] && [ -n "$REVOKED" ] ||
  { echo "not ok - key generation"; exit 1; }

n=0
deliver() { # FILE: into INBOX
  imapctl append INBOX "$1" >/dev/null
}
header() { # SUBJECT MSGID [CONTENT-TYPE]
  printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n' \
    "$EMAIL1" "$1" "$2"
}
# SUBJECT MSGID TEXT GPG-OPTIONS...: multipart/signed, the signature over
# the first part's CRLF bytes as RFC 3156 says.
signed() {
  _s=$1 _m=$2 _t=$3; shift 3
  printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n' "$_t" >"$W/part"
  gq "$@" --armor --detach-sign --output - "$W/part" | sed 's/$/\r/' >"$W/sig"
  { header "$_s" "$_m"
    printf 'Content-Type: multipart/signed; micalg=pgp-sha512; protocol="application/pgp-signature"; boundary="b1"\r\n\r\n'
    printf -- '--b1\r\n'; cat "$W/part"; printf '\r\n--b1\r\nContent-Type: application/pgp-signature\r\n\r\n'
    cat "$W/sig"; printf '\r\n--b1--\r\n'; } >"$W/msg-$_m"
  echo "$W/msg-$_m"
}
# SUBJECT MSGID TEXT GPG-OPTIONS...: multipart/encrypted around PAYLOAD_FILE (or the text)
encrypted() {
  _s=$1 _m=$2 _t=$3; shift 3
  printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n' "$_t" >"$W/part"
  gq "$@" --armor --output - "$W/part" | sed 's/$/\r/' >"$W/enc"
  { header "$_s" "$_m"
    printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b2"\r\n\r\n'
    printf -- '--b2\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n'
    printf -- '--b2\r\nContent-Type: application/octet-stream\r\n\r\n'
    cat "$W/enc"; printf '\r\n--b2--\r\n'; } >"$W/msg-$_m"
  echo "$W/msg-$_m"
}

deliver "$(signed "good" good@pgp "Signed by Sam." --local-user "$SENDER")"
f=$(signed "bad" bad@pgp "Signed by Sam, then changed." --local-user "$SENDER")
sed -i 's/then changed/then chanGed/' "$f"
deliver "$f"
deliver "$(GNUPGHOME=$W/stranger signed "unknown" unknown@pgp "From a stranger." --local-user "$STRANGER")"
deliver "$(signed "expired" expired@pgp "From an old key." --faked-system-time 20200101T000000! --local-user "$OLD")"
deliver "$(signed "revoked" revoked@pgp "From a key revoked since." --local-user "$REVOKED")"
sed 's/^:-----BEGIN/-----BEGIN/' "$G/openpgp-revocs.d/$REVOKED.rev" | gq --import 2>/dev/null
printf 'Hello inline.\n' | gq --local-user "$SENDER" --clearsign >"$W/inline"
{ header "inline" inline@pgp; printf 'Content-Type: text/plain\r\n\r\n'; sed 's/$/\r/' "$W/inline"; } >"$W/msg-inline"
deliver "$W/msg-inline"
deliver "$(encrypted "secret" enc@pgp "The plaintext word is zanzibarquux." --encrypt --sign --local-user "$SENDER" --recipient "$ME")"
deliver "$(encrypted "pass" pass@pgp "Behind a passphrase: quokkavelvet." --encrypt --recipient "$PAT")"
deliver "$(encrypted "other" other@pgp "Not for me." --encrypt --recipient "$STRANGER" --trust-model always --keyring "$W/stranger/pubring.kbx")"
f=$(encrypted "truncated" trunc@pgp "Cut short." --encrypt --recipient "$ME")
awk '/^-----END PGP MESSAGE/ { next } { print }' "$f" | head -n 14 >"$f.cut"
printf '\r\n--b2--\r\n' >>"$f.cut"
deliver "$f.cut"
{ header "garbage" garbage@pgp
  printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b2"\r\n\r\n'
  printf -- '--b2\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n'
  printf -- '--b2\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n%%%%garbage!!\r\n-----END PGP MESSAGE-----\r\n--b2--\r\n'; } >"$W/msg-garbage"
deliver "$W/msg-garbage"
{ header "plain" plain@pgp; printf 'Content-Type: text/plain\r\n\r\nNothing to see.\r\n'; } >"$W/msg-plain"
deliver "$W/msg-plain"

check "the messages are synced" "$T" -c "$C" sync --once a

# The list marks them from what the sync saw (BODYSTRUCTURE), bodies unread.
"$T" -c "$C" list --json a INBOX >"$W/list"
pgp_of() { # SUBJECT WANT
  _g=$(jq -r "select(.subject == \"$1\") | .pgp" "$W/list")
  [ "$_g" = "$2" ] || { echo "  $1: pgp is '$_g', wanted '$2'"; return 1; }
}
check "list --json: a signed message is \"signed\"" pgp_of good signed
check "... an encrypted one \"encrypted\"" pgp_of secret encrypted
check "... a plain one null" pgp_of plain null
check "list: s and e in the flag column" sh -c "'$T' -c '$C' list a INBOX | grep -Eq '  [ N][ !][ r]s[ ~E]  .*  good\$' &&
  '$T' -c '$C' list a INBOX | grep -Eq '  [ N][ !][ r]e[ ~E]  .*  secret\$'"

# show MSGID: tern show --json into $W/j; then field PATH reads from it
show() {
  _id=$(msgid_id "$1")
  [ -n "$_id" ] || { echo "  no message $1"; return 1; }
  "$T" -c "$C" show --json "$_id" >"$W/j" 2>"$W/je" || { cat "$W/je"; return 1; }
  "$T" -c "$C" show "$_id" >"$W/t" 2>>"$W/je" || { cat "$W/je"; return 1; }
}
field() { jq -r "$1" "$W/j"; }
is() { # JQ-PATH WANT
  _g=$(field "$1")
  [ "$_g" = "$2" ] || { echo "  $1 is '$_g', wanted '$2'"; cat "$W/j"; return 1; }
}
says() { grep -qF -- "$1" "$W/t" || { echo "  '$1' not in:"; cat "$W/t"; return 1; }; }

check "good: shown" show good@pgp
check "... status good" is .signature.status good
check "... the signer" is .signature.signer "Sam Sender <sam@example.org>"
check "... its fingerprint" is .signature.fingerprint "$SENDER"
check "... trusted (our own keyring's ultimate key)" is .signature.trusted true
check "... not encrypted" is .encrypted false
check "... the verdict line above the body" says "PGP: Good signature from Sam Sender <sam@example.org>, key $SENDER (trusted)"
check "... and the body" says "Signed by Sam."
check "bad (one byte changed): shown" show bad@pgp
check "... status bad" is .signature.status bad
check "... the verdict says BAD" says "PGP: BAD signature"
check "unknown key: shown" show unknown@pgp
check "... status unknown_key" is .signature.status unknown_key
check "... with the fingerprint to fetch it by" is .signature.fingerprint "$STRANGER"
check "... said so" says "Signed by an unknown key $STRANGER"
check "expired key: shown" show expired@pgp
check "... status expired" is .signature.status expired
check "... said so" says "Signature by an EXPIRED key: Olga Old <olga@example.org>"
check "revoked key: shown" show revoked@pgp
check "... status revoked" is .signature.status revoked
check "... said so" says "Signature by a REVOKED key: Rex Revoked <rex@example.org>"
check "inline clear-signed: shown" show inline@pgp
check "... status good" is .signature.status good
check "... signer" is .signature.signer "Sam Sender <sam@example.org>"
check "encrypted and signed by gpg: shown" show enc@pgp
check "... encrypted" is .encrypted true
check "... decrypted" is .decrypted true
check "... its body readable" says "The plaintext word is zanzibarquux."
check "... its signature good" is .signature.status good
check "... signer" is .signature.fingerprint "$SENDER"
check "... said so" says "PGP: Encrypted (decrypted). Good signature from Sam Sender"
check "encrypted to a key with a passphrase (pinentry): shown" show pass@pgp
check "... decrypted" is .decrypted true
check "... its body" says "Behind a passphrase: quokkavelvet."
check "... not signed" is .signature.status none
check "encrypted to someone else's key: shown" show other@pgp
check "... not decrypted" is .decrypted false
check "... says why" says "PGP: Encrypted, not decrypted: cannot decrypt"
check "truncated armour: a verdict, no crash" show trunc@pgp
check "... not decrypted" is .decrypted false
check "... says why" says "cannot decrypt"
check "garbage in the encrypted part: a verdict, no crash" show garbage@pgp
check "... not decrypted" is .decrypted false
check "a plain message: no verdict" show plain@pgp
check "... status none" is .signature.status none
check "... no PGP line" sh -c "! grep -q '^PGP:' '$W/t'"
# Privacy: after every decryption above, nothing decrypted is on disk.
cached() { [ "$(tsql "SELECT count(*) FROM body b JOIN message m ON m.id = b.message_id WHERE m.message_id = '$1'")" = 1 ]; }
check "the encrypted message's body is cached (so the check below looks somewhere)" cached enc@pgp
check "... and a body shown is found there by grep (so the next check can fail)" grep -rqa 'Nothing to see' "$W/data"
check "no decrypted text in the data directory" sh -c "! grep -rqaE 'zanzibarquux|quokkavelvet' '$W/data'"
check "... nor is it found by search" sh -c "! '$T' -c '$C' search a zanzibarquux 2>/dev/null | grep -qi secret"
check "... yet the encrypted message is found by its header" sh -c "'$T' -c '$C' search a secret | grep -qi secret"

# cache_decrypted = yes: the user allows decrypted text into the index.
sed -i '1i cache_decrypted = yes' "$C"
check "cache_decrypted = yes: the encrypted message shown" show enc@pgp
check "... is now found by its words" sh -c "'$T' -c '$C' search a zanzibarquux | grep -qi secret"
sed -i '/^cache_decrypted/d' "$C"

# --- Writing: tern signs and encrypts, gpg checks --------------------------
imap_conf "$C" a dovecot "pgp_key = $ME"
send() { # SUBJECT TO MSGID BODY [tern send options]: the message through tern send
  _s=$1 _to=$2 _m=$3 _b=$4; shift 4
  printf 'From: Me Myself <%s>\nTo: %s\nSubject: %s\nMessage-ID: <%s>\n\n%s\n' "$EMAIL1" "$_to" "$_s" "$_m" "$_b" |
    "$T" -c "$C" send "$@" a >/dev/null 2>"$W/e"
}
refused() { ! send "$@"; }
newest() { ls -t "$SMTP_SPOOL"/*.eml | head -n 1; }
spool_has() { [ "$(spool_count)" -ge "$1" ]; }
# FILE: the signed part and the signature of a multipart/signed message, into $W/p1, $W/p2
split_signed() {
  "$LAB_PY" - "$1" "$W" <<'PY'
import re, sys
raw = re.sub(rb'\r?\n', b'\r\n', open(sys.argv[1], 'rb').read())
b = re.search(rb'boundary="([^"]+)"', raw).group(1)
d = b'\r\n--' + b
start = raw.index(d + b'\r\n') + len(d) + 2
end = raw.index(d, start)
open(sys.argv[2] + '/p1', 'wb').write(raw[start:end])
sig = raw[end + len(d):raw.index(d + b'--')]
open(sys.argv[2] + '/p2', 'wb').write(sig.split(b'\r\n\r\n', 1)[1])
PY
}

check "tern send --sign: queued" send 'signed by tern' "$EMAIL2" tsign@pgp 'Signed words.' --sign
check "... reaches the sink" wait_for sink 20 spool_has 1
S1=$(newest)
check "... as multipart/signed with micalg" grep -q 'multipart/signed; micalg=pgp-sha' "$S1"
split_signed "$S1"
gpg_verifies() {
  gpg --batch --status-fd 1 --verify "$W/p2" "$W/p1" >"$W/vst" 2>&1
  grep -q "VALIDSIG $ME" "$W/vst" || { cat "$W/vst"; return 1; }
}
check "... gpg --verify: good, by our key" gpg_verifies
synced_show() { "$T" -c "$C" sync --once a >/dev/null && show "$1"; }
check "... and tern reads its own Sent copy" synced_show tsign@pgp
check "... as good" is .signature.status good

check "tern send --encrypt --sign: queued" send 'encrypted by tern' "$EMAIL2" tenc@pgp 'Sealed words: marmalade.' --sign --encrypt
check "... reaches the sink" wait_for sink 20 spool_has 2
S2=$(newest)
check "... as multipart/encrypted with the version part" sh -c "grep -q 'multipart/encrypted' '$S2' && grep -q '^Version: 1' '$S2'"
check "... no plaintext on the wire" sh -c "! grep -q marmalade '$S2'"
sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$S2" | tr -d '\r' >"$W/c2"
check "... gpg --decrypt gets the text, signed by our key" sh -c "gpg --batch --status-fd 3 --decrypt '$W/c2' 3>'$W/st' 2>/dev/null | grep -q 'Sealed words: marmalade.' && grep -q 'VALIDSIG $ME' '$W/st'"
MYSUB=$(gq --with-colons --list-keys "$ME" | awk -F: '/^sub:/ { print $5; exit }')
RSUB=$(gq --with-colons --list-keys "$RECIP" | awk -F: '/^sub:/ { print $5; exit }')
check "... encrypted to the recipient's key" sh -c "gpg --batch --list-packets '$W/c2' 2>/dev/null | grep -q 'keyid $RSUB'"
check "... and to our own, so the Sent copy stays readable" sh -c "gpg --batch --list-packets '$W/c2' 2>/dev/null | grep -q 'keyid $MYSUB'"
check "... which tern decrypts from Sent" synced_show tenc@pgp
check "... its text" says "Sealed words: marmalade."
check "... and the data directory holds no plaintext of it" sh -c "! grep -rqa marmalade '$W/data'"

check "--encrypt to a recipient without a key: refused" refused 'no key' nokey@example.org nokey@pgp x --encrypt
check "... naming the recipient" grep -q 'no usable PGP key for nokey@example.org' "$W/e"
queue_empty() { [ "$(tsql "SELECT count(*) FROM pending_change")" = 0 ]; }
check "... nothing queued" queue_empty
imap_conf "$C" a dovecot "pgp_key = $ME" "pgp_encrypt_if_possible = yes"
check "pgp_encrypt_if_possible: queued" send auto "$EMAIL2" auto@pgp 'Automatic: pumpernickel.'
check "... reaches the sink" wait_for sink 20 spool_has 3
check "... encrypted" sh -c "f=\$(ls -t '$SMTP_SPOOL'/*.eml | head -n 1); grep -q multipart/encrypted \"\$f\" && ! grep -q pumpernickel \"\$f\""
check "... and when a recipient has no key, sent as it is" send auto2 nokey@example.org auto2@pgp 'Open: croissant.'
check "... reaches the sink" wait_for sink 20 spool_has 4
check "... in the clear" sh -c "grep -l croissant '$SMTP_SPOOL'/*.eml | grep -q ."
gpgconf --kill all
check_done
