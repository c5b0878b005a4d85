#!/bin/sh
# Sending through JMAP submission: the message lands in Sent without $draft,
# Drafts stays empty, and the SMTP sink gets it exactly once.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
drive sync >/dev/null
printf 'From: Alice <alice@localhost>\r\nTo: bob@localhost\r\nSubject: jmap send test\r\nMessage-ID: <send-1@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhi bob\r\n' >"$W/out.eml"
sqlite3 "$W/data/tern.db" "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/out.eml'), '<send-1@localhost>', 'jmap send test', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, payload, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'send', '{}', 0);"
drive sync >"$W/s"
check "the queue row is done" test "$(sql 'SELECT count(*) FROM pending_change')" = 0
check "delivered to the SMTP sink" wait_for "sink" 5 sh -c "[ \$(find '$SMTP_SPOOL' -name '*.eml' | wc -l) -ge 1 ]"
check "... exactly once" test "$(grep -l 'send-1@localhost' "$SMTP_SPOOL"/*.eml | wc -l)" = 1
check "the server files it in Sent" test "$(jmapctl msgids sent | grep -c 'send-1@localhost')" = 1
check "Drafts is empty" test "$(jmapctl count drafts)" = 0
SID=$(jmapctl find '<send-1@localhost>')
check "... and the sent copy has no \$draft" sh -c "echo '$(jmapctl get "$SID" keywords)' | jq -e '.[0].keywords[\"\$draft\"] | not' >/dev/null"
check "the sent message is in the local Sent after sync" test "$(sql "SELECT b.role FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.message_id = 'send-1@localhost'")" = sent
check_done
