#!/bin/sh
# Local changes reach the server: queued while Cyrus is down and pushed
# after it is back; a stateMismatch is resolved without losing the change; a
# per-item refusal is recorded on the queue row; cannotCalculateChanges
# leads to a clean resync that keeps queued changes.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 80 --seed 9 --no-big >/dev/null 2>&1
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
drive sync >/dev/null
pick() { sql "SELECT m.id || ' ' || m.email_id FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' AND m.flagged = 0 ORDER BY m.id LIMIT 1 OFFSET $1"; }
kw() { jmapctl get "$1" keywords | jq -r --arg k "$2" '.[0].keywords[$k] // false'; }
mbs() { jmapctl get "$1" mailboxIds | jq -r '.[0].mailboxIds | keys[]'; }
ARCHIVE=$(jmapctl mailboxes | awk -F'\t' '$2 == "archive" {print $1}')

# Offline.
A=$(pick 0); B=$(pick 1)
lab_stop cyrus >/dev/null
tern_ flag --no-sync "${A%% *}" +flagged >/dev/null
tern_ move --no-sync "${B%% *}" archive >/dev/null
check "while the server is down the push fails and the changes stay queued" sh -c "
  ! '$DRIVE' -c '$W/conf' j sync >/dev/null 2>&1; [ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM pending_change WHERE status <> 'failed'\")\" = 2 ]"
lab_startone cyrus
# Through the real runtime (its queue policy and counts), not the driver.
tern_ sync --once j >"$W/once" 2>&1
check "after the restart tern sync pushes both changes, counted once each" grep -q ' 2 pushed' "$W/once"
check "after the restart the flag is on the server" test "$(kw "${A#* }" '$flagged')" = true
check "... and the move" test "$(mbs "${B#* }")" = "$ARCHIVE"
check "... and the queue is empty" test "$(sql 'SELECT count(*) FROM pending_change')" = 0

# State mismatch: another client changes something after our last sync.
C=$(pick 2)
D=$(sql "SELECT id || ' ' || email_id FROM message WHERE seen = 0 AND flagged = 0 ORDER BY id DESC LIMIT 1")
jmapctl keyword "${D#* }" '$seen' true >/dev/null
tern_ flag --no-sync "${C%% *}" +flagged >/dev/null
drive push >/dev/null
check "stateMismatch: the local change still reaches the server" test "$(kw "${C#* }" '$flagged')" = true
check "... after pulling the other change" grep -q stateMismatch "$W/tern.log"
check "... whose effect is in the database" test "$(sql "SELECT seen FROM message WHERE id = ${D%% *}")" = 1
check "... and nothing is left queued" test "$(sql 'SELECT count(*) FROM pending_change')" = 0

# A per-item refusal (notUpdated): a move into a folder the server does not
# have (a stale local folder), refused with invalidProperties.
sql "INSERT INTO mailbox (account_id, remote_id, name) VALUES (1, 'nosuchmailbox1', 'Ghost')"
E=$(pick 4)
tern_ move --no-sync "${E%% *}" Ghost >/dev/null
drive push >/dev/null
sql "SELECT status, last_error FROM pending_change" >"$W/refused"
check "a refused change is recorded on its queue row (failed, with the error)" grep -q '^failed|Email/set notUpdated: invalidProperties' "$W/refused"
check "... and the server copy is untouched" test "$(jmapctl get "${E#* }" mailboxIds | jq -r '.[0].mailboxIds | length')" = 1
INBOXID=$(sql "SELECT id FROM mailbox WHERE role = 'inbox'")
jmapctl keyword "${E#* }" '$seen' true >/dev/null
drive sync >/dev/null
check "... and once the server updates that email, it is back in its mailbox locally (not hidden for good)" \
  test "$(sql "SELECT group_concat(mailbox_id) FROM message_mailbox WHERE message_id = ${E%% *} AND hidden = 0")" = "$INBOXID"
sql "DELETE FROM pending_change; DELETE FROM mailbox WHERE name = 'Ghost'" >/dev/null

# Changes queued for messages the server then deleted: moot, done, not
# failures in the queue.
H=$(pick 0); K=$(pick 1)
tern_ flag --no-sync "${H%% *}" +flagged >/dev/null
tern_ move --no-sync "${K%% *}" archive >/dev/null
sql "UPDATE pending_change SET next_attempt_at = 9999999999"
jmapctl destroy "${H#* }" >/dev/null
jmapctl destroy "${K#* }" >/dev/null
drive sync >/dev/null
sql "UPDATE pending_change SET next_attempt_at = 0"
drive push >/dev/null
check "a flag and a move queued for messages the server deleted: dropped, nothing failed" \
  test "$(sql 'SELECT count(*) FROM pending_change')|$(sql "SELECT count(*) FROM message WHERE id IN (${H%% *}, ${K%% *})")" = "0|0"

# Another client moves the message elsewhere before our move arrives
# (stateMismatch): our move wins, the message ends up only in the target.
L=$(pick 0)
TRASH=$(jmapctl mailboxes | awk -F'\t' '$2 == "trash" {print $1}')
tern_ move --no-sync "${L%% *}" archive >/dev/null
jmapctl move "${L#* }" trash >/dev/null
drive push >/dev/null
check "a move after another client moved the message away: it ends up only in the target" test "$(mbs "${L#* }")" = "$ARCHIVE"
check "... and the queue is empty" test "$(sql 'SELECT count(*) FROM pending_change')" = 0

# cannotCalculateChanges: an old state after Cyrus forgot expunged records.
drive sync >/dev/null
F=$(pick 5); G=$(pick 6)
sql "UPDATE sync_state SET state = '2' WHERE resource = 'Email'"
GMID=$(sql "SELECT message_id FROM message WHERE id = ${G%% *}")
imapctl -s cyrus expunge INBOX "mid:<$GMID>" >/dev/null
su cyrus -s /bin/sh -c "/usr/lib/cyrus/bin/cyr_expire -C $CYRUS_CONF -X 0 -E 0 -D 0" >/dev/null 2>&1
tern_ flag --no-sync "${F%% *}" +flagged >/dev/null
sql "UPDATE pending_change SET next_attempt_at = 9999999999"   # keep it queued through the resync
drive sync >/dev/null
check "cannotCalculateChanges leads to a full resync" grep -q "cannot calculate changes: full resync" "$W/tern.log"
check "... which removes what the server no longer has" test -z "$(sql "SELECT id FROM message WHERE id = ${G%% *}")"
check "... keeps the queued local change and its effect" test "$(sql "SELECT count(*) FROM pending_change")|$(sql "SELECT flagged FROM message WHERE id = ${F%% *}")" = "1|1"
check "... and the message count equals the server's" test "$(sql 'SELECT count(*) FROM message')" = "$(jmapctl count)"
sql "UPDATE pending_change SET next_attempt_at = 0"
drive sync >/dev/null
check "... and the change is pushed afterwards" test "$(kw "${F#* }" '$flagged')" = true

# Deleting for good (delete_to_trash = no) destroys the email; deleting
# from one of two mailboxes only takes it out of that one.
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT" "delete_to_trash = no"
drive sync >/dev/null
R=$(pick 0)
tern_ delete --no-sync "${R%% *}" >/dev/null
drive push >/dev/null
check "a delete for good destroys the email on the server" test "$(jmapctl get "${R#* }" id | jq length)" = 0
check "... and the message locally" test -z "$(sql "SELECT id FROM message WHERE id = ${R%% *}")"
S=$(pick 0)
jmapctl call "[[\"Email/set\",{\"accountId\":\"\$ACCOUNT\",\"update\":{\"${S#* }\":{\"mailboxIds/$ARCHIVE\":true}}},\"0\"]]" >/dev/null
drive sync >/dev/null
tern_ delete --no-sync "${S%% *}" >/dev/null
FROMBOX=$(sql "SELECT b.remote_id FROM pending_change p JOIN mailbox b ON b.id = p.from_mailbox WHERE p.resource_id = ${S%% *}")
OTHER=$(jmapctl get "${S#* }" mailboxIds | jq -r --arg f "$FROMBOX" '.[0].mailboxIds | keys[] | select(. != $f)')
drive push >/dev/null
check "a delete from one of two mailboxes: the email stays on the server, in the other one only" test "$(mbs "${S#* }")" = "$OTHER"
drive sync >/dev/null
check "... and locally it is listed there only" test "$(sql "SELECT b.remote_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = ${S%% *}")" = "$OTHER"

# A resync that must sweep (the Email state is gone, messages are here),
# in pages of 20, while another client destroys an email: every survivor
# stays, and the destroyed one goes.
proxy_start
echo '{"maxObjectsInGet": 20}' >"$P/limits.json"
jmap_conf "$PROXY_URL"
sql "DELETE FROM sync_state WHERE resource = 'Email'"
: >"$P/destroy-mid-sweep"
drive sync >/dev/null
check "another client destroyed an email during the sweep" grep -q '^destroyed-mid-sweep' "$P/log"
VICTIM=$(sed -n 's/^destroyed-mid-sweep //p' "$P/log")
check "... the resync keeps every survivor and drops it: the message count equals the server's" \
  test "$(sql 'SELECT count(*) FROM message')" = "$(jmapctl count)"
check "... and the destroyed one is gone" test -z "$(sql "SELECT id FROM message WHERE email_id = '$VICTIM'")"

# Batching: 25 local flag changes go in Email/set calls of at most
# maxObjectsInSet (10 here), through tern sync.
echo '{"maxObjectsInGet": 20, "maxObjectsInSet": 10}' >"$P/limits.json"
for id in $(sql "SELECT m.id FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' AND m.flagged = 0 ORDER BY m.id LIMIT 25"); do
  tern_ flag --no-sync "$id" +flagged >/dev/null
done
n0=$(wc -l <"$P/log")
tern_ sync --once j >"$W/batch" 2>&1
sets=$(sed -n "$((n0 + 1)),\$p" "$P/log" | grep -o 'set=[0-9,]*' | cut -d= -f2 | tr ',' '\n' | grep -v '^$')
check "25 queued flags pushed by tern sync, counted once each" grep -q ' 25 pushed' "$W/batch"
check "... in 3 Email/set calls ($(echo $sets))" test "$(echo "$sets" | wc -l)" = 3
check "... none above maxObjectsInSet" test "$(echo "$sets" | sort -n | tail -1)" -le 10
check "... all on the server" test "$(jmapctl call '[["Email/query",{"accountId":"$ACCOUNT","filter":{"hasKeyword":"$flagged"}},"0"]]' | jq '.[0][1].ids | length')" -ge 25
check_done
