#!/bin/sh
# SMTP STARTTLS never falls back (issue 2/3, the project's TLS rule): with
# smtp_tls = starttls, a server that does not offer STARTTLS gets no message,
# the send stays queued with the error, and tern sync --once fails saying why. The sink's no-STARTTLS port takes AUTH and mail in the clear, so a
# client that fell back would get its message through (checked with
# smtp_tls = none, which must send in the clear because the config says so).
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3 jq
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/conf
send() { # SUBJECT
  printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s-%s@localhost>\n\nx\n' "$EMAIL1" "$EMAIL2" "$1" "$1" "$$" |
    "$T" -c "$C" send --no-sync a >/dev/null
}

imap_conf "$C" a dovecot "smtp_port = $SMTP_NOSTARTTLS_PORT" "smtp_tls = starttls"
check "a send is queued" send nofallback
"$T" -c "$C" sync --once >"$W/out" 2>"$W/err"
check "sync --once reports the failure (exit non-zero)" test $? != 0
check "... saying it is about TLS" grep -Eqi "tls|ssl" "$W/err"
check "... nothing reached the server" test "$(spool_count)" = 0
check "... the message stays queued with the error" \
  test -n "$(tsql "SELECT last_error FROM pending_change WHERE resource_type = 'Outbox' AND last_error <> ''")"

# The same port, the config asking for no TLS: it goes out, authenticated, in the clear.
# So the port does take a plaintext client, and the check above could fail.
imap_conf "$C" a dovecot "smtp_port = $SMTP_NOSTARTTLS_PORT" "smtp_tls = none"
cid=$(tsql "SELECT id FROM pending_change WHERE resource_type = 'Outbox'")
check "tern queue retry takes the failed send back" "$T" -c "$C" queue retry "$cid"
"$T" -c "$C" sync --once >"$W/out2" 2>"$W/err2"
check "with smtp_tls = none the same port takes it" wait_for "sink" 10 sh -c "[ \$(find '$SMTP_SPOOL' -name '*.eml' | wc -l) = 1 ]"
check "... after AUTH, without TLS" jq -e --arg u "$USER1" '.auth_user == $u and .tls == false' "$SMTP_SPOOL/000001.json"
check_done
