#!/bin/sh
# What `tern send` accepts, against Dovecot and the SMTP sink: a 2000-octet
# body line goes out quoted-printable and arrives whole; a message with its
# own MIME headers and such a line is refused at once (exit 2, the line
# named), nothing queued; a Latin-1 body arrives as the same text, labelled
# UTF-8. A message From an [identity] with an SMTP server of its own goes
# through that server (here the sink on an identity port, the account's
# pointing nowhere); `tern config check` reports identity mistakes as
# FILE:LINE.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/conf
imap_conf "$C" a dovecot
spool_file() { grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml 2>/dev/null | head -1; }
spool_has() { [ -n "$(spool_file "$1")" ]; }
has() { grep -qF -- "$2" "$1" || { echo "  '$2' not in:"; cat "$1"; return 1; }; }
view() { "$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$1"; }

long=$("$LAB_PY" -c 'print("".join(chr(97 + i % 26) for i in range(2000)))')
printf 'From: %s\nTo: %s\nSubject: long line\n\nfirst\n%s\nlast\n' "$EMAIL1" "$EMAIL2" "$long" >"$W/long.eml"
check "a 2000-octet body line is accepted" sh -c "'$T' -c '$C' send a <'$W/long.eml' >'$W/out' 2>'$W/err'"
check "... and delivered" wait_for "sink" 30 spool_has "long line"
view "$(spool_file "long line")" >"$W/long.txt"
check "... quoted-printable" has "$W/long.txt" "body-cte: quoted-printable"
check "... the line arrives whole" has "$W/long.txt" "body: first\\n$long\\nlast\\n"
check "... no line of the wire message is over 998 octets" has "$W/long.txt" "long-lines: 0"

printf 'From: %s\nTo: %s\nSubject: own mime\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nok\n%s\n' \
  "$EMAIL1" "$EMAIL2" "$long" >"$W/own.eml"
"$T" -c "$C" send --no-sync a <"$W/own.eml" >"$W/out" 2>"$W/err"
echo "rc=$?" >>"$W/out"
check "its own MIME and a long line: refused, exit 2" has "$W/out" "rc=2"
check "... saying which line and why" has "$W/err" "line 8 is 2000 octets long, more than the 998"
check "... nothing queued" test "$(tsql "SELECT count(*) FROM outbox")" = 0

printf 'From: %s\nTo: %s\nSubject: latin1\n\nCaf\351 cr\350me, 5 \200\n' "$EMAIL1" "$EMAIL2" >"$W/latin1.eml"
check "a Latin-1 body is accepted" sh -c "'$T' -c '$C' send a <'$W/latin1.eml' >'$W/out' 2>'$W/err'"
check "... with a note that it was converted" has "$W/err" "not UTF-8: read as Latin-1"
check "... and delivered" wait_for "sink" 30 spool_has "latin1"
view "$(spool_file "latin1")" >"$W/latin1.txt"
check "... as the same text" has "$W/latin1.txt" "body: Café crème, 5 €\\n"
check "... labelled UTF-8 truthfully" grep -qi 'charset="\?utf-8' "$(spool_file "latin1")"

# An identity with an SMTP server of its own: the account's is a closed
# port, so only the identity's settings can deliver.
imap_conf "$W/conf2" a dovecot "smtp_port = 1"
cat >>"$W/conf2" <<CF
[identity other]
account = a
email = other-$$@example.org
smtp_host = localhost
smtp_port = $SMTP_PORT
username = $USER1
password_cmd = echo $PASS1 && touch $W/identity-password-asked
CF
check "config check lists the identity under its account" sh -c "'$T' -c '$W/conf2' config check | grep -q 'identity other .*other-$$@example.org  smtp localhost'"
printf 'From: Other <other-%s@example.org>\nTo: %s\nSubject: via identity smtp\n\nx\n' "$$" "$EMAIL2" |
  "$T" -c "$W/conf2" send a >"$W/out" 2>"$W/err"
check "a message From the identity goes through the identity's SMTP server" wait_for "sink" 30 spool_has "via identity smtp"
check "... and leaves the queue" test "$(tsql "SELECT count(*) FROM pending_change WHERE change_type = 'send'")" = 0
check "... logging in with the identity's password_cmd" test -f "$W/identity-password-asked"
printf 'From: %s\nTo: %s\nSubject: via account smtp\n\nx\n' "$EMAIL1" "$EMAIL2" |
  "$T" -c "$W/conf2" send a >"$W/out" 2>"$W/err"
check "one From the account uses the account's (closed) server: still queued" \
  test "$(tsql "SELECT count(*) FROM pending_change WHERE change_type = 'send'")" = 1
check "... not delivered" sh -c "! grep -l '^Subject: via account smtp' '$SMTP_SPOOL'/*.eml"

cat >"$W/bad.conf" <<CF
[account a]
email = me@example.org
password_cmd = echo x
imap_host = h
signature_file = $W/nonexistent.sig
[identity x]
account = b
email = x@example.org
[identity y]
account = a
email = me@example.org
imap_host = h
CF
chmod 600 "$W/bad.conf"
"$T" -c "$W/bad.conf" config check >"$W/out" 2>"$W/err"
echo "rc=$?" >>"$W/out"
check "config check: exit 3" has "$W/out" "rc=3"
check "... a missing signature file, with its line" has "$W/err" "bad.conf:5: 'signature_file' $W/nonexistent.sig"
check "... an identity naming no account" has "$W/err" "bad.conf:7: identity 'x' names no account 'b' (did you mean a?)"
check "... an identity key it cannot have" has "$W/err" "bad.conf:12: 'imap_host' cannot be set for an identity"
check "... an identity with the account's own address" has "$W/err" "bad.conf:11: identity 'y' has the address of account 'a' itself"
check_done
