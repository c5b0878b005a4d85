#!/bin/sh
# PGP in the terminal UI, against Dovecot and the SMTP sink: the pager's
# verdict line above a signed message's body, an encrypted message
# decrypted for the pager and not written anywhere, and the compose
# screen's p menu (mutt's): "Security:" shows the choice, (b)oth sends a
# message gpg decrypts and verifies, and encrypting to a recipient without
# a key names it and offers to send unencrypted or to go back.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing tmux sqlite3 gpg gpg-agent gpgconf
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
SOCK=$W/tmux.sock
G=$W/gnupg
export GNUPGHOME=$G W
mkdir -m 700 "$G"
trap 'tmux -S "$SOCK" kill-server >/dev/null 2>&1; gpgconf --kill all 2>/dev/null; rm -rf "$W"; _lab_cleanup' EXIT
C=$W/conf
imap_conf "$C" acct dovecot

gq() { gpg --batch --quiet --no-tty "$@"; }
genkey() { # UID: prints the new key's fingerprint
  gq --pinentry-mode loopback --passphrase '' --quick-gen-key "$1" future-default default never 2>/dev/null
  gq --with-colons --list-keys "$1" | awk -F: '/^fpr:/ { print $10; exit }'
}
SENDER=$(genkey "Sam Sender <sam@example.org>")
ME=$(genkey "Me Myself <$EMAIL1>")
RECIP=$(genkey "Rita Recipient <$EMAIL2>")
[ -n "$SENDER" ] && [ -n "$ME" ] && [ -n "$RECIP" ] || { echo "not ok - key generation"; exit 1; }
imap_conf "$C" acct dovecot "pgp_key = $ME"

printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned words from Sam.\r\n' >"$W/part"
gq --local-user "$SENDER" --armor --detach-sign --output - "$W/part" | sed 's/$/\r/' >"$W/sig"
{ printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: signed note\r\nMessage-ID: <s-%s@pgp>\r\nMIME-Version: 1.0\r\n' "$EMAIL1" "$$"
  printf 'Content-Type: multipart/signed; micalg=pgp-sha512; protocol="application/pgp-signature"; boundary="b1"\r\n\r\n--b1\r\n'
  cat "$W/part"; printf '\r\n--b1\r\nContent-Type: application/pgp-signature\r\n\r\n'; cat "$W/sig"; printf '\r\n--b1--\r\n'
} | imapctl append INBOX - >/dev/null
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nThe secret is xylophonewombat.\r\n' >"$W/part"
gq --encrypt --sign --local-user "$SENDER" --recipient "$ME" --armor --output - "$W/part" | sed 's/$/\r/' >"$W/enc"
{ printf 'From: Sam Sender <sam@example.org>\r\nTo: %s\r\nSubject: sealed note\r\nMessage-ID: <e-%s@pgp>\r\nMIME-Version: 1.0\r\n' "$EMAIL1" "$$"
  printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b2"\r\n\r\n'
  printf -- '--b2\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b2\r\nContent-Type: application/octet-stream\r\n\r\n'
  cat "$W/enc"; printf '\r\n--b2--\r\n'
} | imapctl append INBOX - >/dev/null
check "first sync" "$T" -c "$C" sync --once

cat >"$W/editor" <<'ED'
#!/bin/sh
. "$W/edit"
ED
chmod +x "$W/editor"
tmux -S "$SOCK" -f /dev/null new-session -d -x 240 -y 50 \
  "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$W/state HOME=$W W=$W EDITOR=$W/editor GNUPGHOME=$G \
   ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$W/asan' UBSAN_OPTIONS='print_stacktrace=1:log_path=$W/ubsan' \
   $T -c $C; echo TERN-EXITED-\$?; sleep 30"
keys() { tmux -S "$SOCK" send-keys "$@"; }
_match() { tmux -S "$SOCK" capture-pane -p | grep -Eq -- "$1"; }
see() {
  wait_for "$1" "${3:-15}" _match "$2" || { echo "--- screen:"; tmux -S "$SOCK" capture-pane -p; return 1; }
}
spool_has() { [ "$(grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l)" -ge "${2:-1}" ]; }
spool_file() { grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml | head -1; }

check "the list shows both" see "list" 'sealed note'
check "... the encrypted one marked e" see "mark e" '[ *][ ND][ !r]e[ ~E][ S] .*sealed note'
check "... the signed one marked s" see "mark s" '[ *][ ND][ !r]s[ ~E][ S] .*signed note'
# Newest first: the sealed note is on top, the signed one below it.
keys Enter
check "the encrypted message is decrypted for the pager" see "decrypted" 'The secret is xylophonewombat.'
check "... with its verdict" see "enc verdict" "PGP: Encrypted \\(decrypted\\)\\. Good signature from Sam Sender"
check "... and the decrypted text is nowhere in the data directory" sh -c "! grep -rqa xylophonewombat '$W/data'"
# A reply quotes the decrypted text and goes out encrypted.
cat >"$W/edit" <<'ED'
printf 'Noted.\n' >>"$1"
ED
keys r
check "a reply to it: the compose screen" see "reply" 'Subject: Re: sealed note'
check "... quotes the decrypted text" see "quote" '> The secret is xylophonewombat.'
check "... and will be encrypted" see "reply enc" 'Security: Encrypt'
keys y
check "... sent through the sink" wait_for "sink reply" 30 spool_has "Re: sealed note"
f=$(spool_file "Re: sealed note")
check "... encrypted: no plaintext on the wire" sh -c "grep -q multipart/encrypted '$f' && ! grep -q xylophonewombat '$f'"
sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$f" | tr -d '\r' >"$W/cr"
check "... which gpg decrypts to the quote and the reply" sh -c "gpg --batch --decrypt '$W/cr' 2>/dev/null | grep -q '> The secret is xylophonewombat.'"
check "... and the data directory still holds none of it" sh -c "! grep -rqa xylophonewombat '$W/data'"
keys J
check "the signed message: the verdict line" see "verdict" "PGP: Good signature from Sam Sender <sam@example.org>, key $SENDER \\(trusted\\)"
check "... above the body" see "body" 'Signed words from Sam.'

# The p menu.
cat >"$W/edit" <<ED
sed -i "s/^To:.*/To: $EMAIL2/; s/^Subject:.*/Subject: both by tern/" "\$1"
printf 'Signed and sealed: gooseberryfool.\n' >>"\$1"
ED
keys m
check "compose screen" see "compose" 'Subject: both by tern'
check "Security: None at first" see "none" 'Security: None'
check "p is in the key hints" see "hint" 'p:PGP'
keys p
check "p asks mutt's question" see "menu" 'PGP \(e\)ncrypt, \(s\)ign, sign \(a\)s, \(b\)oth, \(c\)lear\?'
keys b
check "(b)oth: Security: Sign, Encrypt (as our key)" see "both" "Security: Sign, Encrypt \\(as $ME\\)"
keys y
check "sent through the sink" wait_for "sink" 30 spool_has "both by tern"
f=$(spool_file "both by tern")
check "... as multipart/encrypted, no plaintext" sh -c "grep -q multipart/encrypted '$f' && ! grep -q gooseberryfool '$f'"
sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$f" | tr -d '\r' >"$W/c"
check "... gpg decrypts it and verifies our signature" sh -c "gpg --batch --status-fd 3 --decrypt '$W/c' 3>'$W/st' 2>/dev/null | grep -q gooseberryfool && grep -q 'VALIDSIG $ME' '$W/st'"

cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: nokey@example.org/; s/^Subject:.*/Subject: to a keyless friend/" "$1"
printf 'Hello there.\n' >>"$1"
ED
keys m
check "compose screen" see "compose 2" 'Subject: to a keyless friend'
keys p e
check "(e)ncrypt: Security: Encrypt" see "enc" 'Security: Encrypt'
keys y
check "sending names the recipient without a key and asks" see "nokey" 'No usable PGP key for nokey@example.org: send it unencrypted\? \[y/N\]'
keys n
check "n goes back to the compose screen" see "back" 'not sent: change the recipients, or p to clear encryption'
check "... nothing was sent" sh -c "! grep -l '^Subject: to a keyless friend' '$SMTP_SPOOL'/*.eml"
keys y
check "asked again" see "nokey 2" 'No usable PGP key for nokey@example.org'
keys y
check "y sends it unencrypted" wait_for "sink 2" 30 spool_has "to a keyless friend"
check "... in the clear" grep -q 'Hello there' "$(spool_file "to a keyless friend")"
check "no sanitizer report" sh -c "! ls '$W'/asan* '$W'/ubsan* 2>/dev/null | grep -q ."
check_done
