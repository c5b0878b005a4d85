#!/bin/sh
# A failed send says what the SMTP server said, as mutt does: the server's
# reply line ("550 5.7.1 message refused"), the recipient a RCPT refusal
# names, and for a connection dropped before any reply, the command left
# unanswered, never an earlier success code (235 to AUTH) as the reason.
# (A refused login, and that no credentials are kept, is in test_sync_pure:
# the lab's SMTP and IMAP share the password.)
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/conf
imap_conf "$C" a dovecot
n=0
# Queues one message to TO (default EMAIL2), runs one sync, leaves its error in $W/err
# and the queued change's last_error in $W/qerr.
send_once() {
  n=$((n + 1))
  printf 'From: %s\nTo: %s\nSubject: reply %s\nMessage-ID: <reply-%s-%s@localhost>\n\nx\n' \
    "$EMAIL1" "${1:-$EMAIL2}" "$n" "$n" "$$" | "$T" -c "$C" send --no-sync a >/dev/null || return 1
  "$T" -c "$C" sync --once a >"$W/out" 2>"$W/err"
  tsql "SELECT last_error FROM pending_change WHERE resource_type = 'Outbox'" >"$W/qerr"
  [ -s "$W/qerr" ] || { echo "  no error recorded:"; cat "$W/err"; return 1; }
}
clear_queue() { # drops every queued send
  for id in $(tsql "SELECT id FROM pending_change"); do "$T" -c "$C" queue drop "$id" >/dev/null; done
  rm -f "$SMTP_SPOOL/.reject" "$SMTP_SPOOL/.reject-rcpt" "$SMTP_SPOOL/.drop"
}
has() { # FILE TEXT (fixed string)
  grep -qF -- "$2" "$1" || { echo "  '$2' not in:"; cat "$1"; return 1; }
}
lacks() { # FILE REGEX
  ! grep -qE -- "$2" "$1" || { echo "  '$2' in:"; cat "$1"; return 1; }
}

echo 550 >"$SMTP_SPOOL/.reject"
check "the message refused at the end of DATA (550): queued with an error" send_once
check "... the reason is the server's reply" has "$W/qerr" "the message was refused: 550 5.7.1 message refused (injected)"
check "... not libcurl's guess" lacks "$W/qerr" "Weird server reply|server said"
check "... and sync --once prints it" has "$W/err" "550 5.7.1 message refused (injected)"
clear_queue

echo 451 >"$SMTP_SPOOL/.reject"
check "a temporary refusal (451) is shown as said" send_once
check "... with its text" has "$W/qerr" "the message was refused: 451 4.3.0 temporary failure (injected)"
check "... and stays queued for a retry, not failed" test "$(tsql "SELECT status FROM pending_change")" != failed
clear_queue

echo bad@localhost >"$SMTP_SPOOL/.reject-rcpt"
check "a refused recipient among two" send_once "good@localhost, bad@localhost"
check "... names the address and gives the reply" \
  has "$W/qerr" "recipient <bad@localhost> refused: 550 5.1.1 <bad@localhost>: recipient rejected (injected)"
check "... nothing was sent" test "$(spool_count)" = 0
clear_queue

touch "$SMTP_SPOOL/.drop"
check "the connection dropped after MAIL FROM" send_once
check "... says which command got no reply" has "$W/qerr" "with no reply to MAIL FROM"
check "... never the earlier AUTH success (235)" lacks "$W/qerr" "(^|[^0-9:])235([^0-9]|$)|server said"
clear_queue

check "with the faults gone a send goes through" sh -c "printf 'From: $EMAIL1\nTo: $EMAIL2\nSubject: fine\nMessage-ID: <fine-$$@localhost>\n\nx\n' | '$T' -c '$C' send a >/dev/null"
check "... and reaches the sink once" wait_for "sink" 10 sh -c '[ "$(find "$SMTP_SPOOL" -name "*.eml" | wc -l)" = 1 ]'
check_done
