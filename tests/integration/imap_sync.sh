#!/bin/sh
# The IMAP engine against real Dovecot and Cyrus (issue 4): first sync mirrors the account,
# incremental sync after another client's changes, local changes pushed, the offline queue,
# UIDVALIDITY reset, bodies fetched without \Seen, sending once, IDLE and stop.
# Dovecot here; IMAP_SYNC_SERVERS=cyrus (imap_sync_cyrus.sh) runs the same against Cyrus.
set -u
SERVERS=${IMAP_SYNC_SERVERS:-dovecot}
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# shellcheck disable=SC2086
lab_start $SERVERS smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"

for S in $SERVERS; do
  rm -rf "$W/data"
  C=$W/$S.conf
  imap_conf "$C" acct "$S"
  lab_load "$S" "$USER1" 300 --seed 7 >/dev/null
  ic() { imapctl -s "$S" "$@"; }

  check "$S: first sync succeeds" "$T" -c "$C" sync --once
  check "$S: first sync mirrors folders, messages, flags, sizes, attachments" mirror acct "$S"
  check "$S: attachments were recorded" test "$(tsql 'SELECT count(*) FROM attachment')" -gt 0
  check "$S: a sync with no change reports nothing new" sh -c "'$T' -c '$C' sync --once | grep -q ': ok: 0 new, 0 changed, 0 removed'"

  # Another client changes things.
  ic store INBOX 1:5 +FLAGS '\Flagged \Seen' >/dev/null
  ic expunge INBOX 6:7 >/dev/null
  ic move INBOX 8 Archive >/dev/null
  printf 'From: x@example.org\r\nTo: alice@localhost\r\nSubject: from another client\r\nMessage-ID: <other-%s@x>\r\n\r\nhi\r\n' "$S" | ic append INBOX - >/dev/null
  rmb=$(tsql "SELECT id FROM mailbox WHERE name = 'Lists/tern-dev'")
  rmsg=$(tsql "SELECT group_concat(message_id) FROM (SELECT message_id FROM message_mailbox WHERE mailbox_id = $rmb ORDER BY 1)")
  ic rename 'Lists/tern-dev' 'Lists/renamed' >/dev/null
  ic create Gone >/dev/null
  check "$S: sync after create" "$T" -c "$C" sync --once
  ic delete Gone >/dev/null
  check "$S: incremental sync succeeds" "$T" -c "$C" sync --once
  check "$S: incremental sync mirrors new, flags, expunge, move, rename, delete" mirror acct "$S"
  check "$S: a renamed folder keeps its local id and messages (not deleted and fetched again)" test "$(tsql "SELECT id FROM mailbox WHERE name = 'Lists/renamed'"):$(tsql "SELECT group_concat(message_id) FROM (SELECT message_id FROM message_mailbox WHERE mailbox_id = $rmb ORDER BY 1)")" = "$rmb:$rmsg"

  # Another client flags a message \Deleted without expunging it (mutt before
  # it syncs): tern shows it so (D, "deleted": true), not as ordinary mail,
  # and as ordinary mail again once the flag is taken off.
  du=$(ic uids INBOX | tr ' ' '\n' | tail -n 1)
  ic store INBOX "$du" +FLAGS '\Deleted' >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  did=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'INBOX' AND mm.uid = $du")
  check "$S: another client's \\Deleted is shown as D in tern list" sh -c "'$T' -c '$C' list acct INBOX | grep -E '^ *$did  .{16}  D'"
  check "$S: ... and as deleted in its JSON" sh -c "'$T' -c '$C' list --json acct INBOX | grep '\"id\":$did,' | grep -q '\"deleted\":true'"
  ic store INBOX "$du" -- -FLAGS '\Deleted' >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  check "$S: ... the flag taken off, it is ordinary mail again" sh -c "'$T' -c '$C' list acct INBOX | grep -E '^ *$did  .{16}  [ N]'"

  # Local changes pushed, visible to another client.
  id=$(msgid_id "other-$S@x")
  check "$S: flag pushed" "$T" -c "$C" flag "$id" +flagged
  check "$S: ... visible to another client" sh -c "imapctl() { '$LAB_PY' '$LAB_SRV/imapctl.py' \"\$@\"; }; imapctl -s $S flags INBOX mid:other-$S@x | grep -q Flagged"
  check "$S: move pushed" "$T" -c "$C" move "$id" Archive
  check "$S: ... the message is in Archive on the server" ic find Archive "other-$S@x"
  check "$S: ... and keeps its local id with the new UID" test "$(tsql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $id AND b.role = 'archive' AND mm.uid IS NOT NULL AND mm.hidden = 0")" = 1
  check "$S: ... a sync sees no new or removed message" sh -c "'$T' -c '$C' sync --once | grep -q ': ok: 0 new, 0 changed, 0 removed'"
  did=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'Sent' LIMIT 1")
  dmid=$(tsql "SELECT message_id FROM message WHERE id = $did")
  check "$S: delete pushed" "$T" -c "$C" delete "$did"
  check "$S: ... gone from Sent on the server" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S find Sent '$dmid'"
  check "$S: after the pushes the database still mirrors the server" mirror acct "$S"

  # Conflict rules (doc/CONFLICTS.md), with the queued change held back so a pull comes first.
  hold() { tsql "UPDATE pending_change SET next_attempt_at = 9999999999"; }
  release() { tsql "UPDATE pending_change SET next_attempt_at = 0"; }
  inbox_unseen() { tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id JOIN message m ON m.id = mm.message_id WHERE b.role = 'inbox' AND mm.hidden = 0 AND m.seen = 0 AND m.flagged = 0 ORDER BY mm.uid LIMIT 1 OFFSET $1"; }
  mid_of() { tsql "SELECT message_id FROM message WHERE id = $1"; }
  x=$(inbox_unseen 0); xm=$(mid_of "$x")
  "$T" -c "$C" flag --no-sync "$x" +seen >/dev/null; hold
  ic store INBOX "mid:$xm" +FLAGS '\Flagged' >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 1: a queued flag is not overwritten by the server's value" test "$(tsql "SELECT seen || flagged FROM message WHERE id = $x")" = 11
  release
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 1: ... and reaches the server afterwards" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:$xm' | grep -q Seen"
  # Both sides change the same message between two syncs: the local intent ends on the server,
  # next to the other client's change. Under CONDSTORE (Dovecot, Cyrus) the first STORE carries
  # UNCHANGEDSINCE, gets [MODIFIED], looks at the message's MODSEQ and stores again.
  v=$(inbox_unseen 0); vm=$(mid_of "$v")
  "$T" -c "$C" flag --no-sync "$v" +seen >/dev/null
  ic store INBOX "mid:$vm" +FLAGS '\Flagged' >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 1: a STORE after a server change is refused ([MODIFIED]), then made over the new MODSEQ" grep -q 'changed on the server; storing again' "$XDG_STATE_HOME/tern/tern.log"
  check "$S: rule 1: both sides changed: the server ends with both changes" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:$vm' | grep Seen | grep -q Flagged"
  check "$S: rule 1: ... and the queue is empty" test "$(tsql "SELECT count(*) FROM pending_change")" = 0
  # A second change right after a push (an undo): conditional on the MODSEQ of our own STORE,
  # so it goes at once instead of waiting for the next pull.
  u=$(inbox_unseen 0); um=$(mid_of "$u")
  "$T" -c "$C" flag "$u" +flagged >/dev/null
  sms=$(ic raw INBOX "UID FETCH $(ic find INBOX "$um") (MODSEQ)" | sed -n 's/.*MODSEQ (\([0-9]*\)).*/\1/p' | head -1)
  check "$S: our STORE's MODSEQ is recorded ($sms)" test "${sms:-0}" -gt 0 -a "$(tsql "SELECT modseq FROM message WHERE id = $u")" = "$sms"
  "$T" -c "$C" flag "$u" -flagged >/dev/null
  check "$S: an undo right after the push reaches the server at once" sh -c "test -z \"\$(sqlite3 '$W/data/tern.db' 'SELECT 1 FROM pending_change')\" && ! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:$um' | grep -q Flagged"
  y=$(inbox_unseen 0); ym=$(mid_of "$y")
  "$T" -c "$C" flag --no-sync "$y" +flagged >/dev/null; hold
  ic expunge INBOX "mid:$ym" >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 2: deleted on the server while flagged locally: stays deleted" test "$(tsql "SELECT count(*) FROM message WHERE id = $y")" = 0
  check "$S: rule 2: ... and the queued change is dropped" test "$(tsql "SELECT count(*) FROM pending_change")" = 0
  z=$(inbox_unseen 0)
  "$T" -c "$C" move --no-sync "$z" Archive >/dev/null; hold
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 3: a sync does not bring back a message whose move is queued" test "$(tsql "SELECT group_concat(hidden) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $z AND b.role = 'inbox'")" = 1
  release
  "$T" -c "$C" sync --once >/dev/null
  check "$S: rule 3: ... the move then happens" mirror acct "$S" --no-att

  # A missed VANISHED (QRESYNC; libetpan keeps only the first VANISHED response, servers may
  # send several): simulated by a checkpoint already past the expunge. The count check finds
  # the ghost.
  g=$(inbox_unseen 0); gm=$(mid_of "$g")
  ic expunge INBOX "mid:$gm" >/dev/null
  st=$(ic status INBOX)
  cpv=$(echo "$st" | "$LAB_PY" -c 'import json,sys; s=json.load(sys.stdin); print("{\"uidvalidity\":%d,\"uidnext\":%d,\"highestmodseq\":%d}" % (s["uidvalidity"], s["uidnext"], s["highestmodseq"]))')
  tsql "UPDATE sync_state SET state = '$cpv' WHERE resource = 'imap:INBOX'"
  "$T" -c "$C" sync --once >/dev/null
  check "$S: an expunge whose VANISHED was missed is still found (counts disagree)" test "$(tsql "SELECT count(*) FROM message WHERE id = $g")" = 0

  # Offline: the server is stopped; changes wait in the queue, then go.
  oid=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id JOIN message m ON m.id = mm.message_id WHERE b.role = 'inbox' AND m.flagged = 0 LIMIT 1")
  omid=$(tsql "SELECT message_id FROM message WHERE id = $oid")
  lab_stop "$S" >/dev/null
  check "$S: offline, the change is queued" sh -c "'$T' -c '$C' flag $oid +flagged | grep -q 'not sent now'"
  check "$S: offline, sync --once fails" sh -c "! '$T' -c '$C' sync --once"
  check "$S: ... the queue row is still there, no attempt used" test "$(tsql "SELECT count(*) || ':' || max(attempts) FROM pending_change WHERE status = 'queued'")" = "1:0"
  lab_startone "$S"
  check "$S: back online, sync --once pushes it" sh -c "'$T' -c '$C' sync --once | grep -q '1 pushed'"
  check "$S: ... visible to another client" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:$omid' | grep -q Flagged"

  # UIDVALIDITY: the folder is replaced by a new one of the same name.
  ic create Reset >/dev/null
  for i in 1 2; do printf 'From: a@b\r\nSubject: old %s\r\nMessage-ID: <old%s-%s@x>\r\n\r\nx\r\n' $i $i "$S" | ic append Reset - >/dev/null; done
  "$T" -c "$C" sync --once >/dev/null
  rbox=$(tsql "SELECT id FROM mailbox WHERE name = 'Reset'")
  old1=$(msgid_id "old1-$S@x")
  "$T" -c "$C" show "$old1" >/dev/null
  # Deleted and made again between two syncs: same name, new UIDVALIDITY; old1 is back in it.
  ic delete Reset >/dev/null
  ic create Reset >/dev/null
  printf 'From: a@b\r\nSubject: old 1\r\nMessage-ID: <old1-%s@x>\r\n\r\nx\r\n' "$S" | ic append Reset - >/dev/null
  for i in 1 2 3; do printf 'From: a@b\r\nSubject: new %s\r\nMessage-ID: <new%s-%s@x>\r\n\r\nx\r\n' $i $i "$S" | ic append Reset - >/dev/null; done
  check "$S: sync after the folder came back" "$T" -c "$C" sync --once
  check "$S: UIDVALIDITY reset: seen as such (same local folder, resynced)" sh -c "test \"\$(sqlite3 '$W/data/tern.db' \"SELECT id FROM mailbox WHERE name = 'Reset'\")\" = '$rbox' && grep -q 'Reset: UIDVALIDITY .* resyncing' '$XDG_STATE_HOME/tern/tern.log'"
  check "$S: UIDVALIDITY reset: the folder holds exactly what the server has" test "$(tsql "SELECT group_concat(m.message_id) FROM (SELECT m.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id JOIN message m ON m.id = mm.message_id WHERE b.name = 'Reset' ORDER BY 1) m")" = "new1-$S@x,new2-$S@x,new3-$S@x,old1-$S@x"
  check "$S: ... the message still there kept its local id, its UID is the new one, its cached body stayed" test "$(msgid_id "old1-$S@x"):$(tsql "SELECT mm.uid FROM message_mailbox mm WHERE mm.message_id = $old1"):$(tsql "SELECT count(*) FROM body WHERE message_id = $old1")" = "$old1:$(ic find Reset "old1-$S@x"):1"
  check "$S: ... and everything still mirrors" mirror acct "$S" --no-att

  # Bodies on demand never set \Seen.
  uid=$(ic uids INBOX UNSEEN | awk '{print $1}')
  umid=$(ic msgids INBOX | awk -v u="$uid" '$1 == u {print $2}' | tr -d '<>')
  bid=$(msgid_id "$umid")
  check "$S: tern show fetches an unread body" sh -c "'$T' -c '$C' show $bid >'$W/shown' && test -s '$W/shown'"
  check "$S: ... the body is cached" test "$(tsql "SELECT count(*) FROM body WHERE message_id = $bid")" = 1
  check "$S: ... and the server did not mark it \\Seen" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX $uid | grep -v Seen | grep -q ."
  lab_stop "$S" >/dev/null
  check "$S: ... a cached body opens with the server stopped" sh -c "'$T' -c '$C' show $bid | cmp -s - '$W/shown'"
  lab_startone "$S"

  # Sending: once to the sink, once into Sent (by role), Bcc not in what was sent.
  before=$(spool_count)
  sid="send-$S-$$@localhost"
  printf 'From: Alice <%s>\nTo: %s\nBcc: %s\nSubject: sent by tern\nMessage-ID: <%s>\n\nhello\n' "$EMAIL1" "$EMAIL2" "$EMAIL3" "$sid" | "$T" -c "$C" send --no-sync acct >/dev/null
  check "$S: send goes out with the next sync" "$T" -c "$C" sync --once
  check "$S: ... the sink has it once" test "$(spool_count)" = $((before + 1))
  check "$S: ... without the Bcc header" sh -c "! grep -qi '^bcc:' \"\$(ls -t '$SMTP_SPOOL'/*.eml | head -1)\""
  check "$S: ... Bcc was an envelope recipient" grep -q "$EMAIL3" "$(ls -t "$SMTP_SPOOL"/*.json | head -1)"
  check "$S: ... Sent holds it once, \\Seen" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags Sent 'mid:$sid' | grep -c Seen | grep -qx 1"
  # A crash after SMTP (stage submitted): only the APPEND is redone.
  sid2="crash-$S-$$@localhost"
  printf 'From: %s\nTo: %s\nSubject: crash\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid2" | "$T" -c "$C" send --no-sync acct >/dev/null
  tsql "UPDATE outbox SET stage = 'submitted'"
  before=$(spool_count)
  check "$S: restart after SMTP, before APPEND" "$T" -c "$C" sync --once
  check "$S: ... not sent again" test "$(spool_count)" = "$before"
  check "$S: ... filed in Sent once" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S uids Sent HEADER Message-ID '$sid2' | wc -w | grep -qx 1"

  # A crash after the APPEND to Sent, before the outbox row was removed: no second copy.
  sid4="filed-$S-$$@localhost"
  printf 'From: %s\nTo: %s\nSubject: filed\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid4" | "$T" -c "$C" send --no-sync acct >/dev/null
  printf 'From: %s\r\nTo: %s\r\nSubject: filed\r\nMessage-ID: <%s>\r\n\r\nx\r\n' "$EMAIL1" "$EMAIL2" "$sid4" | ic append Sent - >/dev/null
  tsql "UPDATE outbox SET stage = 'submitted'"
  before=$(spool_count)
  check "$S: rule 5: restart after SMTP and APPEND" "$T" -c "$C" sync --once
  check "$S: rule 5: ... not sent again, Sent still holds it once, the outbox is empty" test "$(spool_count):$(ic uids Sent HEADER Message-ID "$sid4" | wc -w):$(tsql 'SELECT count(*) FROM outbox')" = "$before:1:0"

  # A crash after DATA's body began (stage submitting) after the copy reached Sent (a server
  # that files submissions itself): not resent.
  sid3="unknown-$S-$$@localhost"
  printf 'From: %s\nTo: %s\nSubject: unknown\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid3" | "$T" -c "$C" send --no-sync acct >/dev/null
  printf 'From: %s\r\nTo: %s\r\nSubject: unknown\r\nMessage-ID: <%s>\r\n\r\nx\r\n' "$EMAIL1" "$EMAIL2" "$sid3" | ic append Sent - >/dev/null
  tsql "UPDATE outbox SET stage = 'submitting'"
  before=$(spool_count)
  check "$S: rule 5: restart with the outcome unknown" "$T" -c "$C" sync --once
  check "$S: rule 5: ... the copy in Sent proves it went: not sent again" test "$(spool_count)" = "$before"
  check "$S: rule 5: ... Sent still holds it once, and the outbox is empty" test "$(ic uids Sent HEADER Message-ID "$sid3" | wc -w):$(tsql 'SELECT count(*) FROM outbox')" = "1:0"

  # The outcome is unknown and nothing proves it went: not sent again by itself, failed with
  # a message; tern queue retry sends it.
  sid5="maybe-$S-$$@localhost"
  printf 'From: %s\nTo: %s\nSubject: maybe\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid5" | "$T" -c "$C" send --no-sync acct >/dev/null
  tsql "UPDATE outbox SET stage = 'submitting'"
  before=$(spool_count)
  "$T" -c "$C" sync --once >/dev/null 2>&1
  check "$S: rule 5: outcome unknown, no copy in Sent: not sent again" test "$(spool_count)" = "$before"
  check "$S: rule 5: ... the send is failed, saying it may have gone out" sh -c "'$T' -c '$C' queue | grep -q 'may have gone out'"
  qid=$(tsql "SELECT id FROM pending_change WHERE resource_type = 'Outbox' AND status = 'failed'")
  check "$S: rule 5: ... tern queue retry" "$T" -c "$C" queue retry "$qid"
  check "$S: rule 5: ... then the next sync sends it once and files it once" sh -c "'$T' -c '$C' sync --once >/dev/null && test \"\$(find '$SMTP_SPOOL' -maxdepth 1 -name '*.eml' | wc -l):\$('$LAB_PY' '$LAB_SRV/imapctl.py' -s $S uids Sent HEADER Message-ID '$sid5' | wc -w)\" = $((before + 1)):1"

  # A crash before DATA (tern killed while the SMTP server has not even greeted it): the
  # stage is still queued, so the next sync sends it as usual; it is not held as "may
  # have gone out".
  sid8="early-$S-$$@localhost"
  "$LAB_PY" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c); print("accepted", flush=True)
' >"$W/hole.out" &
  hole=$!
  wait_for "$S: silent SMTP port" 5 test -s "$W/hole.out"
  imap_conf "$W/hole.conf" acct "$S" "smtp_port = $(head -n 1 "$W/hole.out")"
  printf 'From: %s\nTo: %s\nSubject: early\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid8" | "$T" -c "$C" send --no-sync acct >/dev/null
  before=$(spool_count)
  "$T" -c "$W/hole.conf" sync --once >/dev/null 2>&1 &
  tpid=$!
  wait_for "$S: tern is connected to the silent SMTP port" 20 grep -q accepted "$W/hole.out"
  kill -9 $tpid
  wait $tpid 2>/dev/null
  kill $hole
  check "$S: rule 5: killed before DATA: the outbox stage is still queued" test "$(tsql "SELECT stage FROM outbox")" = queued
  check "$S: rule 5: ... the next sync sends it once, and files it once" sh -c "'$T' -c '$C' sync --once >/dev/null && test \"\$(find '$SMTP_SPOOL' -maxdepth 1 -name '*.eml' | wc -l):\$('$LAB_PY' '$LAB_SRV/imapctl.py' -s $S uids Sent HEADER Message-ID '$sid8' | wc -w):\$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM outbox')\" = $((before + 1)):1:0"

  # The line breaks after the message was handed over (the sink answers DATA after the
  # timeout, and keeps the message): failed, never sent a second time.
  sid6="slow-$S-$$@localhost"
  imap_conf "$W/slow.conf" acct "$S" "timeout = 2"
  printf 'From: %s\nTo: %s\nSubject: slow\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid6" | "$T" -c "$C" send --no-sync acct >/dev/null
  before=$(spool_count)
  echo 4 >"$SMTP_SPOOL/.delay"
  "$T" -c "$W/slow.conf" sync --once >/dev/null 2>&1
  rm -f "$SMTP_SPOOL/.delay"
  check "$S: rule 5: SMTP timed out after DATA: the send is failed, saying it may have gone out" sh -c "'$T' -c '$C' queue | grep -q 'may have gone out'"
  check "$S: rule 5: ... its outbox stage says the body had begun" test "$(tsql "SELECT stage FROM outbox")" = submitting
  q6=$(tsql "SELECT status || ':' || attempts FROM pending_change WHERE resource_type = 'Outbox'")
  "$T" -c "$C" sync --once >/dev/null 2>&1
  # (Whether the sink kept the first copy depends on when it noticed the hang-up.)
  check "$S: rule 5: ... and a later sync does not try again ($q6)" test "$(tsql "SELECT status || ':' || attempts FROM pending_change WHERE resource_type = 'Outbox'")" = "$q6" -a "$(spool_count)" -le $((before + 1)) -a "${q6%%:*}" = failed
  tsql "DELETE FROM pending_change WHERE resource_type = 'Outbox'"
  tsql "DELETE FROM outbox"

  # copy_to_sent = no: sent, and nothing appended to Sent.
  sid7="nocopy-$S-$$@localhost"
  imap_conf "$W/nocopy.conf" acct "$S" "copy_to_sent = no"
  printf 'From: %s\nTo: %s\nSubject: nocopy\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid7" | "$T" -c "$W/nocopy.conf" send --no-sync acct >/dev/null
  before=$(spool_count)
  check "$S: copy_to_sent = no: the message goes out" "$T" -c "$W/nocopy.conf" sync --once
  check "$S: ... once, and Sent does not get a copy" test "$(spool_count):$(ic uids Sent HEADER Message-ID "$sid7" | wc -w)" = "$((before + 1)):0"

  # IDLE: a delivery shows up within 2 s; SIGTERM ends tern sync within 1 s.
  "$T" -c "$C" sync >/dev/null 2>&1 &
  pid=$!
  wait_for "$S: worker idle" 10 sh -c "sqlite3 '$W/data/tern.db' \"SELECT state FROM account_status\" | grep -qx idle"
  # No pause: the worker may not be in IDLE yet; a delivery before IDLE starts must count too.
  printf 'From: a@b\r\nSubject: pushed\r\nMessage-ID: <idle-%s@x>\r\n\r\nx\r\n' "$S" | ic append INBOX - >/dev/null
  check "$S: IDLE: the new message is in the database within 2 s" wait_for "idle delivery" 2 sh -c "test \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE message_id = 'idle-$S@x'\")\" = 1"
  check "$S: ... through the new-mail path: INBOX alone, no LIST/STATUS round" grep -q 'news in INBOX: syncing INBOX only' "$XDG_STATE_HOME/tern/tern.log"
  t0=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  check "$S: SIGTERM during IDLE: clean exit ($rc) in ${ms} ms < 1000" test "$rc" = 0 -a "$ms" -lt 1000
  check "$S: worker_stop during IDLE returns within 1 s" sh -c "'$DRIVE' -c '$C' acct stop 1500 | awk '{exit !(\$3 < 1000)}'"
done
check_done
