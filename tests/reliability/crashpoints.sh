#!/bin/sh
# Each crash point of doc/RELIABILITY.md, armed with TERN_CRASH_AT, against the lab's real
# servers: tern dies there (exit 137, as after SIGKILL), the database passes
# PRAGMA integrity_check, a restart without the point completes, every queued change reached
# the server once (or is still queued), no message reached the SMTP sink twice or was filed
# twice in Sent, and an interrupted first sync resumes instead of starting over.
# IMAP on Dovecot (the COPY + EXPUNGE fallback on a Dovecot without MOVE and UIDPLUS), JMAP on
# Cyrus, sends counted at the SMTP sink.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3 jq
lab_start dovecot cyrus smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/imap.conf
imap_conf "$C" a dovecot
J=$W/jmap.conf
{ echo "data_dir = $W/jdata"
  echo "[account j]"
  echo "protocol = jmap"
  echo "email = $EMAIL1"
  echo "username = $USER1"
  echo "password = $PASS1"
  echo "jmap_url = http://127.0.0.1:$CYRUS_HTTP_PORT"
  echo "timeout = 10"
} >"$J"
chmod 600 "$J"
jsql() { sqlite3 "$W/jdata/tern.db" "$1"; }
ic() { imapctl "$@"; }

# crashes POINT CONF ARGS...: tern run with POINT armed dies there.
crashes() {
  _p=$1 _c=$2
  shift 2
  TERN_CRASH_AT=$_p "$T" -c "$_c" "$@" >"$W/crash.out" 2>"$W/crash.err"
  _rc=$?
  [ "$_rc" = 137 ] || { echo "  exit $_rc, not 137"; cat "$W/crash.err"; return 1; }
  grep -qx "tern: crash point ${_p%%:*}" "$W/crash.err" || { echo "  died elsewhere:"; cat "$W/crash.err"; return 1; }
}
intact() { [ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ]; }
# sink_has MESSAGE-ID: how many deliveries of it the SMTP sink got
sink_has() { grep -l -F "$1" "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l; }
# new_of OUTPUT: the "N new" of a sync --once summary
new_of() { grep -o '[0-9]* new' "$1" | awk '{s += $1} END {print s + 0}'; }
send_msg() { # CONF ACCOUNT ID: queues a message to $EMAIL2 with Message-ID <ID>
  printf 'From: %s\nTo: %s\nSubject: crash %s\nMessage-ID: <%s>\n\nbody\n' "$EMAIL1" "$EMAIL2" "$3" "$3" |
    "$T" -c "$1" send --no-sync "$2" >/dev/null
}
queue_empty() { [ "$(sqlite3 "$1" 'SELECT count(*) FROM pending_change')|$(sqlite3 "$1" 'SELECT count(*) FROM outbox')" = "0|0" ]; }

# --- IMAP (Dovecot) -------------------------------------------------------------------
lab_load dovecot "$USER1" 700 --seed 5 --no-big --folders INBOX:8,Sent:1,Archive:1 >/dev/null
total=$(($(ic count INBOX) + $(ic count Sent) + $(ic count Archive)))
check "imap-header-batch: a first sync dies after a committed batch" crashes imap-header-batch "$C" sync --once
check "... the database is intact" intact "$W/data/tern.db"
stored=$(tsql 'SELECT count(*) FROM message')
check "... the batch it committed is there ($stored of $total)" test "$stored" -gt 0 -a "$stored" -lt "$total"
check "... a restart completes" sh -c "'$T' -c '$C' sync --once >'$W/resume.out'"
check "... and fetches only the rest ($(new_of "$W/resume.out") new of $total)" \
  test "$(new_of "$W/resume.out")" -eq $((total - stored))
check "... the database equals the server" mirror a dovecot --no-att

send_msg "$C" a crash-smtp@localhost
check "outbox-submitted: a send dies between SMTP and the Sent APPEND" crashes outbox-submitted "$C" sync --once
check "... intact" intact "$W/data/tern.db"
check "... delivered once" wait_for "sink" 10 sh -c "[ \$(grep -l -F crash-smtp@localhost '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... the outbox row says submitted" test "$(tsql 'SELECT stage FROM outbox')" = submitted
check "... a restart completes" "$T" -c "$C" sync --once
check "... still delivered once" test "$(sink_has crash-smtp@localhost)" = 1
check "... filed in Sent once" test "$(ic msgids Sent | grep -c -F crash-smtp@localhost)" = 1
check "... the queue is empty" queue_empty "$W/data/tern.db"

send_msg "$C" a crash-append@localhost
check "imap-append: a send dies after the Sent APPEND, before recording it" crashes imap-append "$C" sync --once
check "... intact" intact "$W/data/tern.db"
check "... in Sent once" test "$(ic msgids Sent | grep -c -F crash-append@localhost)" = 1
check "... a restart completes" "$T" -c "$C" sync --once
check "... delivered once" test "$(sink_has crash-append@localhost)" = 1
check "... still in Sent once" test "$(ic msgids Sent | grep -c -F crash-append@localhost)" = 1
check "... the queue is empty" queue_empty "$W/data/tern.db"
check "... the database equals the server" mirror a dovecot --no-att

# A postponed draft (queued as the composer does: an append to Drafts with \Draft).
printf 'From: %s\r\nTo: %s\r\nSubject: draft\r\nMessage-ID: <crash-draft@localhost>\r\n\r\nlater\r\n' \
  "$EMAIL1" "$EMAIL2" >"$W/draft.eml"
drafts=$(tsql "SELECT id FROM mailbox WHERE role = 'drafts'")
tsql "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/draft.eml'), '<crash-draft@localhost>', 'draft', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, to_mailbox, append_flags, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'append', $drafts, 9, 0);"
check "imap-append: storing a draft dies after the APPEND, before recording it" crashes imap-append "$C" sync --once
check "... intact" intact "$W/data/tern.db"
check "... a restart completes" "$T" -c "$C" sync --once
check "... in Drafts once" test "$(ic msgids Drafts | grep -c -F crash-draft@localhost)" = 1
check "... nothing delivered" test "$(sink_has crash-draft@localhost)" = 0
check "... the queue is empty" queue_empty "$W/data/tern.db"
check "... the database equals the server" mirror a dovecot --no-att

# name:N, the N-th time: two sends, the second dies where the first went on.
send_msg "$C" a crash-one@localhost
send_msg "$C" a crash-two@localhost
check "outbox-submitted:2: the second of two sends dies after SMTP" crashes outbox-submitted:2 "$C" sync --once
check "... the first was filed, the second not yet" test "$(ic msgids Sent | grep -c -F -e crash-one@localhost -e crash-two@localhost)|$(tsql 'SELECT count(*) FROM outbox')" = "1|1"
check "... a restart completes" "$T" -c "$C" sync --once
check "... each delivered once, each in Sent once" test "$(sink_has crash-one@localhost)$(sink_has crash-two@localhost)|$(ic msgids Sent | grep -c -F -e crash-one@localhost -e crash-two@localhost)" = "11|2"
check "... the queue is empty" queue_empty "$W/data/tern.db"

# COPY + EXPUNGE: Dovecot without MOVE and UIDPLUS (as imap_modes.sh "plain").
full=$(ic caps)
lab_stop dovecot >/dev/null
caps=$(echo "$full" | tr ' ' '\n' | grep -v -x -E 'QRESYNC|CONDSTORE|MOVE|UIDPLUS|NOTIFY' | tr '\n' ' ')
DOVECOT_EXTRA_CONF="imap_capability = $caps" lab_startone dovecot
check "imap-copy: the server offers neither MOVE nor UIDPLUS" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' caps | grep -qwE 'MOVE|UIDPLUS'"
mid=$(ic msgids INBOX | tail -n 1 | cut -f 2 | tr -d '<>')
id=$(msgid_id "$mid")
"$T" -c "$C" move --no-sync "$id" Archive >/dev/null
check "imap-copy: a move dies between COPY and EXPUNGE" crashes imap-copy "$C" sync --once
check "... intact" intact "$W/data/tern.db"
check "... the server has it in both folders meanwhile" sh -c "ic() { '$LAB_PY' '$LAB_SRV/imapctl.py' \"\$@\"; }; ic find INBOX '$mid' && ic find Archive '$mid'"
check "... a restart completes" "$T" -c "$C" sync --once
check "... in Archive once" test "$(ic msgids Archive | grep -c -F "<$mid>")" = 1
check "... gone from INBOX" test "$(ic msgids INBOX | grep -c -F "<$mid>")" = 0
check "... the queue is empty" queue_empty "$W/data/tern.db"
check "... the message kept its local id" test "$(msgid_id "$mid")" = "$id"
check "... the database equals the server" mirror a dovecot --no-att

# --- JMAP (Cyrus) ---------------------------------------------------------------------
lab_load cyrus "$USER1" 400 --seed 6 --no-big --folders INBOX:4,Sent:1 >/dev/null
jtotal=$(jmapctl count)
check "jmap-email-page: a first sync dies after a committed page" crashes jmap-email-page "$J" sync --once
check "... intact" intact "$W/jdata/tern.db"
jstored=$(jsql 'SELECT count(*) FROM message')
check "... the page it committed is there ($jstored of $jtotal)" test "$jstored" -gt 0 -a "$jstored" -lt "$jtotal"
check "... a restart completes" sh -c "'$T' -c '$J' sync --once >'$W/jresume.out'"
check "... and fetches only the rest ($(new_of "$W/jresume.out") new of $jtotal)" \
  test "$(new_of "$W/jresume.out")" -eq $((jtotal - jstored))
check "... every email is there once" test "$(jsql 'SELECT count(*) FROM message')" = "$jtotal"

jid=$(tern_list() { "$T" -c "$J" list --json --limit 1 j INBOX; }; tern_list | jq -r .id)
eid=$(jsql "SELECT email_id FROM message WHERE id = $jid")
"$T" -c "$J" flag --no-sync "$jid" +flagged >/dev/null
"$T" -c "$J" move --no-sync "$jid" Sent >/dev/null
check "jmap-email-set: a flag and a move die between Email/set and its answer" crashes jmap-email-set "$J" sync --once
check "... intact" intact "$W/jdata/tern.db"
check "... the server applied them" sh -c "jmapctl() { '$LAB_PY' '$LAB_SRV/jmapctl.py' \"\$@\"; }; jmapctl get '$eid' keywords | jq -e '.[0].keywords[\"\$flagged\"]' >/dev/null"
check "... a restart completes" "$T" -c "$J" sync --once
check "... the queue is empty" queue_empty "$W/jdata/tern.db"
check "... flagged and in Sent alone on the server" sh -c "jmapctl() { '$LAB_PY' '$LAB_SRV/jmapctl.py' \"\$@\"; }; jmapctl get '$eid' keywords mailboxIds | jq -e '(.[0].keywords[\"\$flagged\"]) and (.[0].mailboxIds | length == 1)' >/dev/null"
check "... and locally" test "$(jsql "SELECT m.flagged || group_concat(b.role) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.id = $jid AND mm.hidden = 0")" = 1sent

send_msg "$J" j crash-jmap@localhost
check "jmap-submission: a send dies between EmailSubmission/set and recording it" crashes jmap-submission "$J" sync --once
check "... intact" intact "$W/jdata/tern.db"
check "... delivered once" wait_for "sink" 10 sh -c "[ \$(grep -l -F crash-jmap@localhost '$SMTP_SPOOL'/*.eml | wc -l) = 1 ]"
check "... a restart completes" "$T" -c "$J" sync --once
check "... still delivered once" test "$(sink_has crash-jmap@localhost)" = 1
check "... in Sent once" test "$(jmapctl msgids sent | grep -c -F crash-jmap@localhost)" = 1
check "... not left in Drafts" test "$(jmapctl msgids drafts | grep -c -F crash-jmap@localhost)" = 0
check "... the queue is empty" queue_empty "$W/jdata/tern.db"

# A postponed draft on JMAP (Email/import into Drafts with $draft).
printf 'From: %s\r\nTo: %s\r\nSubject: draft\r\nMessage-ID: <crash-jdraft@localhost>\r\n\r\nlater\r\n' \
  "$EMAIL1" "$EMAIL2" >"$W/jdraft.eml"
jdrafts=$(jsql "SELECT id FROM mailbox WHERE role = 'drafts'")
jsql "INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (1, readfile('$W/jdraft.eml'), '<crash-jdraft@localhost>', 'draft', 0);
  INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, to_mailbox, append_flags, created_at) VALUES (1, 'Outbox', last_insert_rowid(), 'append', $jdrafts, 9, 0);"
check "jmap-import: storing a draft dies after Email/import, before recording it" crashes jmap-import "$J" sync --once
check "... intact" intact "$W/jdata/tern.db"
check "... a restart completes" "$T" -c "$J" sync --once
check "... in Drafts once" test "$(jmapctl msgids drafts | grep -c -F crash-jdraft@localhost)" = 1
check "... the queue is empty" queue_empty "$W/jdata/tern.db"
check "... and locally once" test "$(jsql "SELECT count(*) FROM message WHERE message_id = 'crash-jdraft@localhost'")" = 1
check_done
