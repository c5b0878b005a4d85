#!/bin/sh
# First sync of a generated account (Inbox > 500) matches the server: every
# mailbox, its counts, every Message-ID; a message in two mailboxes is one
# row listed in both; bodies download without setting $seen; a second sync
# changes nothing.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

MAN=$(lab_load cyrus "$USER1" 1200 --seed 11 --no-big 2>/dev/null)
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
check "first sync succeeds" sh -c "'$DRIVE' -c '$W/conf' j sync >'$W/s1'"
check "all 1200 emails added" grep -q "^added 1200 " "$W/s1"
check "Inbox holds more than 500" test "$(jq '.folders.INBOX.count' "$MAN")" -gt 500
mailboxes_match() {
  jmapctl mailboxes | awk -F'\t' '{print $3"\t"$4"\t"$5}' | sort >"$W/server.mb"
  sql "SELECT name, total, unread FROM mailbox ORDER BY name" | tr '|' '\t' | sort >"$W/local.mb"
  diff "$W/server.mb" "$W/local.mb"
}
check "mailboxes, totals and unread counts equal the server's" mailboxes_match
ids_match() {
  ok=0
  for f in $(jq -r '.folders | keys[]' "$MAN"); do
    jq -r --arg f "$f" '.folders[$f].message_ids[]' "$MAN" | tr -d '<>' | sort >"$W/want"
    name=$f; [ "$f" = INBOX ] && name=Inbox
    sql "SELECT m.message_id FROM message m JOIN message_mailbox mm ON mm.message_id = m.id
         JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = '$name'" | sort >"$W/got"
    cmp -s "$W/want" "$W/got" || { echo "  $f differs"; ok=1; }
  done
  return $ok
}
check "every folder holds exactly the manifest's Message-IDs" ids_match
check "flagged count equals the manifest's" test "$(sql 'SELECT count(*) FROM message WHERE flagged = 1')" = \
  "$(jq '[.folders[].flagged] | add' "$MAN")"
check "attachment metadata stored" test "$(sql 'SELECT count(*) FROM attachment WHERE blob_id IS NOT NULL')" -gt 0

check "a no-op resync changes nothing" sh -c "'$DRIVE' -c '$W/conf' j sync | grep -q '^added 0 updated 0 removed 0'"

# One email in two mailboxes (JMAP allows it): one row, two links.
EID=$(jmapctl ids Archive | head -1)
INBOX_ID=$(jmapctl mailboxes | awk -F'\t' '$2 == "inbox" {print $1}')
jmapctl call "[[\"Email/set\",{\"accountId\":\"\$ACCOUNT\",\"update\":{\"$EID\":{\"mailboxIds/$INBOX_ID\":true}}},\"0\"]]" >/dev/null
drive sync >/dev/null
check "an email in two mailboxes is one message listed in both" test \
  "$(sql "SELECT count(*) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id WHERE m.email_id = '$EID'")" = 2
check "... and still one message row" test "$(sql "SELECT count(*) FROM message WHERE email_id = '$EID'")" = 1

UNSEEN=$(sql "SELECT m.id || ' ' || m.email_id FROM message m JOIN message_mailbox mm ON mm.message_id = m.id
  JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' AND m.seen = 0 ORDER BY m.id LIMIT 1")
MID=${UNSEEN%% *}; UEID=${UNSEEN#* }
check "a body downloads into the cache" sh -c "'$DRIVE' -c '$W/conf' j fetch $MID && test \"\$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM body WHERE message_id = $MID')\" = 1"
check "... without marking it seen" sh -c "echo '$(jmapctl get "$UEID" keywords)' | jq -e '.[0].keywords[\"\$seen\"] | not' >/dev/null"
sqlite3 "$W/data/tern.db" "SELECT writefile('$W/b.eml', raw) FROM body WHERE message_id = $MID" >/dev/null
SUID=$(imapctl -s cyrus raw INBOX "UID SEARCH EMAILID $UEID" | grep '^\* SEARCH' | grep -o '[0-9]*$')
imapctl -s cyrus fetch INBOX "$SUID" >"$W/s.eml"
check "... byte for byte the server's message (IMAP UID $SUID)" sh -c "test -s '$W/s.eml' && cmp '$W/b.eml' '$W/s.eml'"
check_done
