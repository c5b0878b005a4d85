#!/bin/sh
# The TUI online, on a database filled by a real sync: IMAP against Dovecot,
# JMAP against Cyrus. The first run (empty database: INBOX opens by itself
# once the worker's first sync lists it), navigation, open (fetch on demand,
# read through the queue), flag, delete to Trash, archive, move through the
# picker, undo (still queued, and after the push: the inverse), tagged bulk
# actions with ";", tag by pattern, new mail from the worker while the
# cursor stays, and (Dovecot) a search answered by the server, its row marked
# S; each checked in the database and then on the server
# (tests/servers/imapctl.py, jmapctl.py).
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot cyrus
tui_setup
# Both the lab and the tmux session are torn down on exit.
trap 'rc=$?; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT

# Twelve messages "tuisync 01".."tuisync 12", newest last; 01-03 say "lowprio";
# only the body of 04 has the word "zyxelquant".
srv_append() { # N EXTRA-SUBJECT BODY-WORD
  printf 'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nSubject: tuisync %s%s\r\nDate: Mon, 02 Nov 2026 10:%s:00 +0000\r\nMessage-ID: <tuisync-%s@test>\r\n\r\ntuisync body %s%s\r\n' \
    "$1" "$2" "$1" "$1" "$1" "$3" | imapctl -s "$S" append INBOX - --date "02-Nov-2026 10:$1:00 +0000" >/dev/null
}
fill_server() {
  for n in 01 02 03 04 05 06 07 08 09 10 11 12; do
    extra="" word=""
    case $n in 01|02|03) extra=" lowprio" ;; 04) word=" zyxelquant" ;; esac
    srv_append "$n" "$extra" "$word"
  done
  imapctl -s "$1" create Projects/tern >/dev/null
}

# On the server: is Message-ID tuisync-N in FOLDER?
srv_in() { imapctl -s "$S" find "$2" "tuisync-$1@test" >/dev/null 2>&1; }
srv_flag() { imapctl -s "$S" flags INBOX "mid:tuisync-$1@test" | grep -q "$2"; }
srv_wait_in() { wait_for "tuisync $1 in $2 on $S" 30 srv_in "$1" "$2"; }
srv_wait_out() { wait_for "tuisync $1 gone from $2 on $S" 30 sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S find '$2' 'tuisync-$1@test'"; }
srv_wait_flag() { wait_for "tuisync $1 has $2 on $S" 30 srv_flag "$1" "$2"; }
db_id() { tui_sql "SELECT id FROM message WHERE message_id = 'tuisync-$1@test'"; }
# Mailboxes by role (JMAP names INBOX "Inbox") or by the last part of the name.
db_in() { tui_sql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $(db_id "$1") AND (b.role = lower('$2') OR b.name = '$2' OR b.name = '${2##*/}') AND mm.hidden = 0"; }
db_col() { tui_sql "SELECT $2 FROM message WHERE id = $(db_id "$1")"; }
# The JMAP view of the same server: the email's mailboxes hold ROLE.
jmap_in() {
  eid=$(jmapctl find "tuisync-$1@test") || return 1
  mb=$(jmapctl mailboxes | awk -F'\t' -v r="$2" '$2 == r || $3 == r {print $1}')
  jmapctl get "$eid" mailboxIds | grep -q "\"$mb\""
}

for S in ${TUI_SYNC_SERVERS:-dovecot cyrus}; do
  fill_server "$S"
  if [ "$S" = dovecot ]; then
    P=imap
    ACC="protocol = imap
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE"
  else
    P=jmap
    ACC="protocol = jmap
jmap_url = http://127.0.0.1:$CYRUS_HTTP_PORT"
  fi
  rm -rf "$T/data" "$T"/asan* "$T"/ubsan*
  mkdir -p "$T/data"
  cat >"$T/config" <<CONF
data_dir = $T/data
[account acct]
email = $EMAIL1
username = $USER1
password = $PASS1
timeout = 10
poll_interval = 5
prefetch_days = 0
$ACC
CONF
  chmod 600 "$T/config"

  # First run: no database yet; the worker's first sync fills the list.
  tui_start
  check "$P: first run: INBOX opens by itself once synced" tui_wait "list" 'tuisync 12' 60
  [ "$_failed" = 0 ] || check_done
  check "$P: the database holds the server's twelve" wait_for "twelve" 30 test "$(tui_sql "SELECT count(*) FROM message WHERE subject LIKE 'tuisync%'")" = 12
  check "$P: the account pane shows the worker idle" tui_wait "idle" 'acct +idle' 30
  tui_keys j
  check "$P: j moves the cursor" tui_wait "pos 2" '· 2/'

  # Open: the body comes from the server through the worker; read through the queue.
  tui_keys g Enter
  check "$P: Enter opens the body fetched from $S" tui_wait "pager" 'tuisync body 12' 20
  check "$P: opening marks it read in the database" test "$(db_col 12 seen)" = 1
  check "$P: ... and then on the server" srv_wait_flag 12 Seen
  tui_keys q

  # Flag.
  tui_keys g j F
  check "$P: F flags at once" tui_wait "flag mark" '!.*tuisync 11'
  check "$P: flag in the database" test "$(db_col 11 flagged)" = 1
  check "$P: flag on the server" srv_wait_flag 11 Flagged

  # Delete to Trash.
  tui_keys g j j d
  check "$P: d removes it from the list" tui_gone "deleted" 'tuisync 10'
  check "$P: deleted: in Trash in the database" test "$(db_in 10 Trash)$(db_in 10 INBOX)" = 10
  check "$P: deleted: in Trash on the server" srv_wait_in 10 Trash
  check "$P: deleted: gone from the server's INBOX" srv_wait_out 10 INBOX

  # Archive.
  tui_keys g j j a
  check "$P: a removes it from the list" tui_gone "archived" 'tuisync 09'
  check "$P: archived in the database" test "$(db_in 09 Archive)" = 1
  check "$P: archived on the server" srv_wait_in 09 Archive

  # Move with the type-to-filter picker.
  tui_keys g j j s
  check "$P: the picker opens" tui_wait "picker" 'Move to:'
  tui_keys t e r n
  check "$P: the picker filters as you type" tui_gone "filter" '^ +Archive +$'
  tui_keys Enter
  check "$P: moved: leaves the list" tui_gone "moved" 'tuisync 08'
  check "$P: moved in the database" test "$(db_in 08 Projects/tern)" = 1
  check "$P: moved on the server" srv_wait_in 08 Projects/tern

  # Delete then undo: the message ends up in INBOX again, on the server too.
  tui_keys g j j d
  tui_gone "deleted 07" 'tuisync 07' >/dev/null
  tui_keys u
  check "$P: u brings it back" tui_wait "undone" 'tuisync 07'
  check "$P: undo in the database" test "$(db_in 07 INBOX)$(db_in 07 Trash)" = 10
  check "$P: undo on the server: in INBOX" srv_wait_in 07 INBOX
  check "$P: undo on the server: not in Trash" srv_wait_out 07 Trash

  # Undo after the push: the inverse is queued and reaches the server.
  tui_keys g j j d
  tui_gone "deleted 07 again" 'tuisync 07' >/dev/null
  check "$P: the delete is pushed" srv_wait_in 07 Trash
  check "$P: ... the queue is empty" wait_for "pushed" 30 sh -c "[ \"\$(sqlite3 '$T/data/tern.db' 'SELECT count(*) FROM pending_change')\" = 0 ]"
  tui_keys u
  check "$P: u after the push brings it back" tui_wait "undone 2" 'tuisync 07'
  check "$P: ... the inverse reaches the server: in INBOX" srv_wait_in 07 INBOX
  check "$P: ... not in Trash" srv_wait_out 07 Trash

  # Tagged bulk action: t t then ; F.
  tui_keys g j j j t t
  check "$P: two tagged" tui_wait "tagged" '2 tagged'
  tui_keys '\;' F
  check "$P: ; F flags the tagged set in the database" wait_for "flagged" 10 sh -c "[ \"\$(sqlite3 '$T/data/tern.db' \"SELECT sum(flagged) FROM message WHERE message_id IN ('tuisync-06@test', 'tuisync-05@test')\")\" = 2 ]"
  check "$P: ... on the server (06)" srv_wait_flag 06 Flagged
  check "$P: ... on the server (05)" srv_wait_flag 05 Flagged
  check "$P: the untagged neighbour is untouched" test "$(db_col 04 flagged)" = 0

  # Tag by pattern, then ; N (read) on the set.
  tui_keys C-t T
  tui_wait "pattern prompt" 'Tag' >/dev/null
  tui_keys l o w p r i o Enter
  check "$P: tag by pattern tags the three" tui_wait "3 tagged" '3 tagged'
  tui_keys '\;' N
  check "$P: ; N marks the three read in the database" wait_for "seen" 10 sh -c "[ \"\$(sqlite3 '$T/data/tern.db' \"SELECT sum(seen) FROM message WHERE subject LIKE '%lowprio'\")\" = 3 ]"
  check "$P: ... on the server" sh -c "for n in 01 02 03; do '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:tuisync-'\$n'@test' | grep -q Seen || exit 1; done"
  if [ "$P" = jmap ]; then
    check "jmap: the JMAP view agrees: 09 is in the archive mailbox" jmap_in 09 archive
    check "jmap: ... and 07 is back in the inbox" jmap_in 07 inbox
  fi
  # New mail from the worker while the user is on a message: the row joins
  # the list, the cursor stays on the message it was on.
  tui_keys C-t g j j j
  tui_wait "on 08" '· 4/' >/dev/null
  srv_append 13 " live" ""
  check "$P: new mail from the server appears while the list is open" tui_wait "live" 'tuisync 13 live' 40
  tui_keys Enter
  check "$P: ... and the cursor stayed on the same message" tui_wait "same msg" 'Subject: tuisync 06' 20
  tui_keys q

  # A word only in a body tern has not fetched: the server's search finds it,
  # its row marked S.
  if [ "$S" = dovecot ]; then
    tui_keys / z y x e l q u a n t Enter
    check "$P: the server's search result joins the list" tui_wait "server hit" 'tuisync 04' 30
    check "$P: ... marked as a server result (S)" tui_wait "S mark" ' S +[^ ].*tuisync 04'
    check "$P: the body was not cached (a server result)" test "$(tui_sql "SELECT count(*) FROM body WHERE message_id = $(db_id 04)")" = 0
    tui_keys q
    tui_wait "inbox back" '\[INBOX\]' >/dev/null
  fi

  check "$P: the queue drains" wait_for "queue empty" 30 sh -c "[ \"\$(sqlite3 '$T/data/tern.db' 'SELECT count(*) FROM pending_change')\" = 0 ]"

  tui_keys Q
  check "$P: quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
  check "$P: no sanitizer report" tui_clean_exit
  tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
done
check_done
