#!/bin/sh
# Mailbox names typed on the command line match ignoring case and accents
# in any script (acceptance #10, issue 23 #6): `tern list work été` and
# `tern list work ete` open Été, `tern search work
# in:été` searches it, `tern move ID отчёты` files into Отчёты; an exact
# spelling wins, and a name only case tells apart is refused, not guessed.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
TERN=${TERN:-$TERN_SRCDIR/tern}
skip_if_missing sqlite3
T=$(mktemp -d "${TMPDIR:-/tmp}/clif.XXXXXX")
trap 'rm -rf "$T"' EXIT
cat >"$T/conf" <<CONF
data_dir = $T/data
[account work]
email = me@example.org
password = x
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
CONF
chmod 600 "$T/conf"
"$TERN" -c "$T/conf" mailboxes work >/dev/null 2>&1
sqlite3 "$T/data/tern.db" <<'SQL'
INSERT INTO mailbox (id, account_id, remote_id, name, role, total, unread) VALUES
  (1, 1, 'INBOX', 'INBOX', 'inbox', 1, 0), (2, 1, 'Été', 'Été', NULL, 1, 0),
  (3, 1, 'Отчёты', 'Отчёты', NULL, 0, 0), (4, 1, 'Ünı', 'Ünı', NULL, 0, 0),
  (5, 1, 'üNı', 'üNı', NULL, 0, 0);
INSERT INTO message (id, account_id, message_id, subject, from_name, from_addr, sent_at, received_at, size, seen)
  VALUES (1, 1, 'a@x', 'in the inbox', 'Ann', 'ann@x', 1000, 1000, 10, 1),
         (2, 1, 'b@x', 'summer plans', 'Bob', 'bob@x', 2000, 2000, 20, 1);
INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) VALUES (1, 1, 11, 1000), (2, 2, 12, 2000);
SQL
export TERN T
t() { "$TERN" -c "$T/conf" "$@" 2>"$T/err"; }
status_is() { # WANT CMD...: the command exits with WANT
  want=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  [ "$got" = "$want" ] || { echo "exit $got, wanted $want: $*"; cat "$T/err"; return 1; }
}
has() { # TEXT CMD...: the command succeeds and prints TEXT
  text=$1; shift
  "$@" >"$T/out" 2>"$T/err" || { echo "failed: $*"; cat "$T/err"; return 1; }
  grep -q "$text" "$T/out" || { echo "no '$text' in:"; cat "$T/out"; return 1; }
}
check "list work été opens Été" has 'summer plans' t list work été
check "list work ÉTÉ too" has 'summer plans' t list work ÉTÉ
check "search work in:été finds the message in Été" has 'summer plans' t search work 'in:été'
check "... and only it" test "$(t search work 'in:été' | grep -c .)" = 1
check "search work -in:été finds the rest" has 'in the inbox' t search work '-in:été'
check "list work ete (no accent) opens Été" has 'summer plans' t list work ete
check "search work in:ETE finds it" has 'summer plans' t search work 'in:ETE'
check "move 2 отчеты (ё typed as е) files it into Отчёты" status_is 0 t move --no-sync 2 отчеты
check "... queued as a move to Отчёты" has '^to 3$' sqlite3 "$T/data/tern.db" "SELECT 'to ' || to_mailbox FROM pending_change WHERE change_type = 'move'"
check "list work eta is no mailbox" status_is 1 t list work eta
check "list work ünı is refused: two mailboxes match it ignoring case" status_is 1 t list work ünı
check "... saying so" grep -q "matches several mailboxes" "$T/err"
check "list work Ünı (exact) works" status_is 0 t list work Ünı
check "list work summer still says there is no such mailbox" status_is 1 t list work summer
check "... by name" grep -q "no mailbox 'summer'" "$T/err"
check_done
