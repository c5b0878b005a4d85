#!/bin/sh
# Sending through JMAP submission: the message lands in Sent without $draft,
# Drafts stays empty, and the SMTP sink gets it exactly once, also when
# tern restarts after a submission whose answer it never stored. Appending
# (Email/import) files a draft. A server without submission: the account's
# SMTP server sends, and the copy is imported into Sent. Bcc recipients get
# the message without anyone seeing the Bcc line; `tern send` with LF line
# ends works; an account without a Sent mailbox keeps the sent message in
# Drafts and does not send it twice.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
drive sync >/dev/null
printf 'From: Alice <alice@localhost>\r\nTo: bob@localhost\r\nBcc: Secret <secret@localhost>\r\nSubject: jmap send test\r\nMessage-ID: <send-1@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhi bob\r\n' >"$W/out.eml"
sqlite3 "$W/data/tern.db" "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/out.eml'), '<send-1@localhost>', 'jmap send test', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'send', 0);"
drive sync >"$W/s"
check "the queue row is done" test "$(sql 'SELECT count(*) FROM pending_change')" = 0
check "delivered to the SMTP sink" wait_for "sink" 5 sh -c "[ \$(find '$SMTP_SPOOL' -name '*.eml' | wc -l) -ge 1 ]"
check "... exactly once" test "$(grep -l 'send-1@localhost' "$SMTP_SPOOL"/*.eml | wc -l)" = 1
check "the server files it in Sent" test "$(jmapctl msgids sent | grep -c 'send-1@localhost')" = 1
check "Drafts is empty" test "$(jmapctl count drafts)" = 0
SID=$(jmapctl find '<send-1@localhost>')
check "... and the sent copy has no \$draft" sh -c "echo '$(jmapctl get "$SID" keywords)' | jq -e '.[0].keywords[\"\$draft\"] | not' >/dev/null"
EML=$(grep -l 'send-1@localhost' "$SMTP_SPOOL"/*.eml | head -n 1)
check "the delivered message has no Bcc line" sh -c "! grep -qi '^Bcc:' '$EML'"
check "... and the Bcc recipient is in the envelope, with the To one" \
  jq -e '(.rcpt_tos | index("secret@localhost")) and (.rcpt_tos | index("bob@localhost"))' "${EML%.eml}.json"
check "the copy in Sent keeps the Bcc line" test "$(jmapctl get "$SID" bcc | jq -r '.[0].bcc[0].email')" = secret@localhost
check "the sent message is in the local Sent after sync" test "$(sql "SELECT b.role FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.message_id = 'send-1@localhost'")" = sent

# A crash after the server took the submission but before the outbox row
# was removed: the row is still there in stage "submitting". The retry finds
# the sent copy on the server and does not send again.
queue_send() {  # FILE MESSAGE-ID STAGE
  sqlite3 "$W/data/tern.db" "INSERT INTO outbox (account_id, raw, message_id, subject, created_at, stage) VALUES (1, readfile('$1'), '<$2>', 's', 0, '$3');
    INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'send', 0);"
}
queue_send "$W/out.eml" send-1@localhost submitting
drive sync >/dev/null
check "a retried submission that had reached the server: not delivered again" test "$(grep -l 'send-1@localhost' "$SMTP_SPOOL"/*.eml | wc -l)" = 1
check "... and its queue row is done" test "$(sql 'SELECT count(*) FROM pending_change')|$(sql 'SELECT count(*) FROM outbox')" = "0|0"
check "... the log says why" grep -q "was sent before a restart" "$W/tern.log"

# A crash after the stage "submitting" was written, with nothing on the server to say
# whether the submission arrived (no copy in Sent, no draft): not submitted again by
# itself, failed saying it may have gone out; tern queue retry sends it.
printf 'From: Alice <alice@localhost>\r\nTo: bob@localhost\r\nSubject: held\r\nMessage-ID: <send-5@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nheld\r\n' >"$W/out5.eml"
queue_send "$W/out5.eml" send-5@localhost submitting
drive sync >/dev/null
check "an unknown outcome without proof: not submitted again" test "$(grep -l 'send-5@localhost' "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l)" = 0
check "... the send is failed, saying it may have gone out" test "$(sql "SELECT status FROM pending_change WHERE resource_type = 'Outbox'")" = failed -a -n "$(sql "SELECT 1 FROM pending_change WHERE last_error LIKE '%may have gone out%'")"
tern_ queue retry "$(sql "SELECT id FROM pending_change WHERE resource_type = 'Outbox'")" >/dev/null
drive sync >/dev/null
check "... after tern queue retry it is sent once" wait_for "sink 5" 5 sh -c "[ \$(grep -l 'send-5@localhost' '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... and the queue is empty" test "$(sql 'SELECT count(*) FROM pending_change')|$(sql 'SELECT count(*) FROM outbox')" = "0|0"

# `tern send` from a script: LF line ends (tern adds its Date with CRLF).
# Queued with CRLF, so Cyrus takes it; sent by `tern sync --once`, which
# counts it once.
printf 'From: Alice <alice@localhost>\nTo: bob@localhost\nSubject: lf send\nMessage-ID: <lf-1@localhost>\n\nline one\nline two\n' | tern_ send --no-sync j >/dev/null
check "a message with LF line ends is queued with CRLF" sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT instr(replace(CAST(raw AS TEXT), char(13, 10), ''), char(10)) FROM outbox\")\" = 0 ]"
tern_ sync --once j >"$W/lf.out" 2>&1
check "... sent by tern sync, counted once" grep -q ' 1 pushed' "$W/lf.out"
check "... delivered exactly once" wait_for "sink lf" 5 sh -c "[ \$(grep -l 'lf-1@localhost' '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... filed in Sent" test "$(jmapctl msgids sent | grep -c 'lf-1@localhost')" = 1
check "... and nothing failed" test "$(sql 'SELECT count(*) FROM pending_change')" = 0

# Append (a postponed draft): Email/import into Drafts with $draft.
printf 'From: Alice <alice@localhost>\r\nTo: bob@localhost\r\nSubject: a draft\r\nMessage-ID: <draft-1@localhost>\r\n\r\nlater\r\n' >"$W/draft.eml"
DRAFTS=$(sql "SELECT id FROM mailbox WHERE role = 'drafts'")
sqlite3 "$W/data/tern.db" "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/draft.eml'), '<draft-1@localhost>', 'a draft', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, to_mailbox, append_flags, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'append', $DRAFTS, 9, 0);"
drive sync >/dev/null
DID=$(jmapctl find '<draft-1@localhost>')
check "an appended draft is in Drafts on the server" test "$(jmapctl msgids drafts | grep -c draft-1@localhost)" = 1
check "... with \$draft and \$seen" sh -c "echo '$(jmapctl get "$DID" keywords)' | jq -e '.[0].keywords[\"\$draft\"] and .[0].keywords[\"\$seen\"]' >/dev/null"
check "... and nothing was sent" test "$(grep -l 'draft-1@localhost' "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l)" = 0

# A crash between the import into Drafts and the submission: the draft on
# the server is reused (submitted, not imported again), and sent once.
printf 'From: Alice <alice@localhost>\r\nTo: erin@localhost\r\nSubject: reuse\r\nMessage-ID: <send-4@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhi erin\r\n' >"$W/out4.eml"
sqlite3 "$W/data/tern.db" "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/out4.eml'), '<send-4@localhost>', 'reuse', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, to_mailbox, append_flags, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'append', $DRAFTS, 9, 0);"
drive sync >/dev/null
D4=$(jmapctl find '<send-4@localhost>')
queue_send "$W/out4.eml" send-4@localhost submitting
drive sync >/dev/null
check "a draft left by a crash before the submission is submitted: sent once" wait_for "sink 4" 5 sh -c "[ \$(grep -l 'send-4@localhost' '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... the same email, now in Sent, with no copy left in Drafts" \
  test "$(jmapctl find '<send-4@localhost>')|$(jmapctl msgids sent | grep -c send-4@localhost)|$(jmapctl msgids drafts | grep -c send-4@localhost)" = "$D4|1|0"

# No submission capability: SMTP (the sink, STARTTLS with the lab CA), then
# the copy is imported into Sent.
proxy_start
: >"$P/no-submission"
jmap_conf "$PROXY_URL" "smtp_host = localhost" "smtp_port = $SMTP_PORT" "smtp_tls = starttls" "ca_file = $CA_FILE"
check "through the proxy the server offers no submission" sh -c "'$DRIVE' -c '$W/conf' j session | grep -qx submission=0"
printf 'From: Alice <alice@localhost>\r\nTo: carol@localhost\r\nSubject: over smtp\r\nMessage-ID: <send-2@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhi carol\r\n' >"$W/out2.eml"
queue_send "$W/out2.eml" send-2@localhost queued
drive sync >"$W/s2"
check "sent over the account's SMTP server, exactly once" wait_for "sink 2" 5 sh -c "[ \$(grep -l 'send-2@localhost' '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... the copy is in Sent on the server" test "$(jmapctl msgids sent | grep -c 'send-2@localhost')" = 1
SID2=$(jmapctl find '<send-2@localhost>')
check "... seen, not a draft" sh -c "echo '$(jmapctl get "$SID2" keywords)' | jq -e '.[0].keywords[\"\$seen\"] and (.[0].keywords[\"\$draft\"] | not)' >/dev/null"
check "... and the queue is empty" test "$(sql 'SELECT count(*) FROM pending_change')|$(sql 'SELECT count(*) FROM outbox')" = "0|0"

# An account without a Sent mailbox (the proxy hides the role): the sent
# message stays in Drafts, no longer a draft, and a retry after a crash in
# "submitting" does not send it again.
rm -f "$P/no-submission"
: >"$P/no-sent-role"
sql "UPDATE mailbox SET role = NULL WHERE role = 'sent'"
check "through the proxy the server offers submission again" sh -c "'$DRIVE' -c '$W/conf' j session | grep -qx submission=1"
printf 'From: Alice <alice@localhost>\r\nTo: dave@localhost\r\nSubject: no sent\r\nMessage-ID: <send-3@localhost>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhi dave\r\n' >"$W/out3.eml"
queue_send "$W/out3.eml" send-3@localhost queued
drive sync >"$W/s3"
check "without a Sent mailbox: sent once" wait_for "sink 3" 5 sh -c "[ \$(grep -l 'send-3@localhost' '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... and its queue row is done" test "$(sql 'SELECT count(*) FROM pending_change')|$(sql 'SELECT count(*) FROM outbox')" = "0|0"
SID3=$(jmapctl find '<send-3@localhost>')
check "... it stays in Drafts" test "$(jmapctl msgids drafts | grep -c 'send-3@localhost')" = 1
check "... not as a draft" sh -c "echo '$(jmapctl get "$SID3" keywords)' | jq -e '.[0].keywords[\"\$draft\"] | not' >/dev/null"
queue_send "$W/out3.eml" send-3@localhost submitting
drive sync >/dev/null
check "... a retry after a crash does not send it again" test "$(grep -l 'send-3@localhost' "$SMTP_SPOOL"/*.eml | wc -l)|$(sql 'SELECT count(*) FROM outbox')" = "1|0"
check_done
