#!/bin/sh
# How the CLI lays out what it prints (acceptance #11, #16): `tern
# mailboxes` aligns non-ASCII names by display width, not bytes; `tern
# queue` has a header line and says what each change does (+flagged,
# move → Archive), in --json too.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
TERN=${TERN:-$TERN_SRCDIR/tern}
skip_if_missing sqlite3
T=$(mktemp -d "${TMPDIR:-/tmp}/clip.XXXXXX")
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
  (1, 1, 'INBOX', 'INBOX', 'inbox', 2, 1), (2, 1, 'Été', 'Été', NULL, 3, 0),
  (3, 1, 'Отчёты', 'Отчёты', NULL, 4, 0), (4, 1, '日本語', '日本語', NULL, 5, 0);
SQL
# The terminal column (display width) where the ROLE column starts, per line.
role_cols() {
  LC_ALL=C.UTF-8 "$TERN" -c "$T/conf" mailboxes work | python3 -c '
import sys, unicodedata
for line in sys.stdin:
    name = line[:line.index(" -") if " -" in line else line.index(" inbox") if " inbox" in line else line.index(" ROLE")]
    print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in name))' | sort -u
}
check "mailboxes: every ROLE column starts at the same cell" test "$(role_cols)" = 40
names() { "$TERN" -c "$T/conf" mailboxes work | grep -c '^\(INBOX\|Été\|Отчёты\|日本語\) '; }
check "... the names are all there" test "$(names)" = 4

sqlite3 "$T/data/tern.db" <<'SQL'
INSERT INTO mailbox (id, account_id, remote_id, name, role, total, unread) VALUES
  (5, 1, 'Archive', 'Archive', 'archive', 0, 0), (6, 1, 'Trash', 'Trash', 'trash', 0, 0);
INSERT INTO message (id, account_id, message_id, subject, from_name, from_addr, sent_at, received_at, size, seen)
  VALUES (1, 1, 'a@x', 'one', 'Ann', 'ann@x', 1000, 1000, 10, 1),
         (2, 1, 'b@x', 'two', 'Bob', 'bob@x', 2000, 2000, 20, 1),
         (3, 1, 'c@x', 'three', 'Cy', 'cy@x', 3000, 3000, 30, 1);
INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) VALUES (1, 1, 11, 1000), (1, 2, 12, 2000),
  (1, 3, 13, 3000);
SQL
tern_q() { "$TERN" -c "$T/conf" "$@" >/dev/null; }
queue_changes() {
  tern_q flag --no-sync 1 +flagged && tern_q flag --no-sync 2 -seen && tern_q move --no-sync 1 archive &&
    tern_q move --no-sync 2 Отчёты && tern_q delete --no-sync 3
}
check "queue: five changes are queued" queue_changes
LC_ALL=C.UTF-8 "$TERN" -c "$T/conf" queue work >"$T/q"
LC_ALL=C.UTF-8 "$TERN" -c "$T/conf" queue --json work >"$T/qj"
nth() { # N PATTERN: line N of the queue listing matches PATTERN
  sed -n "$1p" "$T/q" | grep -q -- "$2" || { echo "line $1 is not /$2/:"; cat "$T/q"; return 1; }
}
check "queue: a header line names the columns" nth 1 '^CHANGE  ACCOUNT .* STATUS .* QUEUED .* ACTION .*ERROR$'
check "queue: a flag change reads +flagged" nth 2 '^ *1  work .* +flagged$'
check "queue: ... and a flag cleared -seen" nth 3 ' -seen$'
check "queue: a move names its destination" nth 4 ' move → Archive$'
check "queue: ... in any script" nth 5 ' move → Отчёты$'
check "queue: a delete says it goes to the Trash" nth 6 ' delete → Trash$'
check "queue: --json keeps its fields and adds action and mailbox" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["type"] for r in rows] == ["flag", "flag", "move", "move", "move"], rows
assert [r["action"] for r in rows] == ["+flagged", "-seen", "move → Archive", "move → Отчёты", "delete → Trash"], rows
assert [r["mailbox"] for r in rows] == [None, None, "Archive", "Отчёты", "Trash"], rows
for r in rows:
    assert {"change", "account", "type", "id", "status", "attempts", "error", "created"} <= set(r), r
' "$T/qj"
check_done
