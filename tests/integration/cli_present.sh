#!/bin/sh
# How the CLI lays out what it prints (acceptance #11, #16): `tern
# mailboxes` aligns non-ASCII names by display width, not bytes.
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
check_done
