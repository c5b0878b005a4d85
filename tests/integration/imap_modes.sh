#!/bin/sh
# The IMAP fallbacks (issue 4) against a real server that advertises less: Dovecot restarted with
# imap_capability restricted, Cyrus with suppress_capabilities. Mode "condstore": CONDSTORE and
# UIDPLUS but no QRESYNC and no MOVE (CHANGEDSINCE + UID SEARCH, moves by COPY + UID EXPUNGE
# with COPYUID). Mode "plain": neither CONDSTORE nor QRESYNC, no MOVE, no UIDPLUS (flag refresh
# + UID list compare, COPY + EXPUNGE, the new UID found by Message-ID). In each mode: first sync,
# a no-op resync, another client's changes, local changes pushed; the database mirrors the server.
# IMAP_MODES_SERVER=cyrus runs it against Cyrus (imap_modes_cyrus.sh).
set -u
S=${IMAP_MODES_SERVER:-dovecot}
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start "$S" smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
imap_conf "$C" acct "$S"
ic() { imapctl -s "$S" "$@"; }
lab_load "$S" "$USER1" 80 --seed 11 --no-big >/dev/null
full=$(ic caps)

# SERVER MODE: restart the server advertising the capabilities of MODE.
restrict() {
  case $2 in
    condstore) drop="QRESYNC MOVE NOTIFY" ;;
    plain) drop="QRESYNC CONDSTORE MOVE UIDPLUS NOTIFY" ;;
  esac
  lab_stop "$1" >/dev/null
  if [ "$1" = dovecot ]; then
    caps=$(echo "$full" | tr ' ' '\n' | grep -v -x -F "$(echo "$drop" | tr ' ' '\n')" | tr '\n' ' ')
    DOVECOT_EXTRA_CONF="imap_capability = $caps" lab_startone dovecot
  else
    CYRUS_EXTRA_CONF="suppress_capabilities: $drop" lab_startone cyrus
  fi
}
# CMD...: runs CMD, then prints the bytes Dovecot sent in the session that ended meanwhile
# (Dovecot logs "in=N out=N" when a session ends).
DLOG=$TERN_LAB/dovecot/log/dovecot.log
sessions() { grep "imap($USER1)" "$DLOG" | grep -c ' out=[0-9]'; }
out_bytes() {
  _n=$(sessions)
  "$@" >/dev/null || return 1
  wait_for "dovecot logs the session" 5 sh -c "test \$(grep 'imap($USER1)' '$DLOG' | grep -c ' out=[0-9]') -gt $_n" || return 1
  grep "imap($USER1)" "$DLOG" | grep -o ' out=[0-9]*' | tail -1 | sed 's/.*=//'
}
noop() { "$T" -c "$C" sync --once | grep -q ': ok: 0 new, 0 changed, 0 removed, 0 pushed'; }
n=0
for mode in condstore plain; do
  restrict "$S" "$mode"
  check "$S/$mode: the server no longer offers QRESYNC" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S caps | grep -qw QRESYNC"
  [ "$mode" = plain ] && check "$S/$mode: ... nor CONDSTORE, MOVE, UIDPLUS" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S caps | grep -qwE 'CONDSTORE|MOVE|UIDPLUS'"
  rm -rf "$W/data"
  if [ "$S" = dovecot ]; then
    first=$(out_bytes "$T" -c "$C" sync --once)
    check "$S/$mode: first sync" test -n "$first"
  else
    check "$S/$mode: first sync" "$T" -c "$C" sync --once
  fi
  check "$S/$mode: ... mirrors the server" mirror acct "$S" --no-att
  check "$S/$mode: a resync with no server change finds nothing" noop
  if [ "$S" = dovecot ]; then
    second=$(out_bytes "$T" -c "$C" sync --once)
    # With CONDSTORE nothing is even selected (LIST and STATUS only); without, the flags of
    # every message are all there is to compare (one UID FETCH (UID FLAGS) per folder).
    if [ "$mode" = condstore ]; then f=20; else f=5; fi
    check "$S/$mode: ... and transfers little ($second bytes vs $first for the first sync)" test $((second * f)) -lt "$first"
  fi

  # Another client: flags, expunge, move, a new message, and an expunge with an append that
  # keeps the count (CONDSTORE must still see the expunge).
  n=$((n + 1))
  ic store INBOX 1:3 +FLAGS '\Flagged \Seen' >/dev/null
  u=$(ic uids INBOX | awk '{print $4}')
  ic store INBOX "$u" FLAGS '\Answered' >/dev/null
  ic expunge INBOX "$(ic uids INBOX | awk '{print $5}')" >/dev/null
  ic move INBOX "$(ic uids INBOX | awk '{print $6}')" Archive >/dev/null
  printf 'From: x@example.org\r\nSubject: new %s\r\nMessage-ID: <new-%s-%s@x>\r\n\r\nhi\r\n' "$n" "$mode" "$S" | ic append INBOX - >/dev/null
  ic expunge Archive "$(ic uids Archive | awk '{print $1}')" >/dev/null
  printf 'From: x@example.org\r\nSubject: keep %s\r\nMessage-ID: <keep-%s-%s@x>\r\n\r\nhi\r\n' "$n" "$mode" "$S" | ic append Archive - >/dev/null
  ic rename "Lists/tern-dev" "Lists/dev-$mode" >/dev/null
  check "$S/$mode: incremental sync" "$T" -c "$C" sync --once
  check "$S/$mode: ... mirrors new, flags, expunge, move, rename" mirror acct "$S" --no-att
  check "$S/$mode: ... the renamed folder kept its messages" test "$(tsql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'Lists/dev-$mode'")" -gt 0
  ic rename "Lists/dev-$mode" "Lists/tern-dev" >/dev/null

  # Local changes, pushed.
  id=$(msgid_id "new-$mode-$S@x")
  check "$S/$mode: flag pushed" "$T" -c "$C" flag "$id" +flagged
  check "$S/$mode: ... visible to another client" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' -s $S flags INBOX 'mid:new-$mode-$S@x' | grep -q Flagged"
  check "$S/$mode: move pushed" "$T" -c "$C" move "$id" Archive
  check "$S/$mode: ... in Archive on the server" ic find Archive "new-$mode-$S@x"
  check "$S/$mode: ... and gone from INBOX" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S find INBOX 'new-$mode-$S@x'"
  check "$S/$mode: ... the message kept its id and has its new UID" test "$(tsql "SELECT mm.uid FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $id AND b.name = 'Archive' AND mm.hidden = 0")" = "$(ic find Archive "new-$mode-$S@x")"
  check "$S/$mode: ... a sync then sees nothing new or removed" noop
  did=$(msgid_id "keep-$mode-$S@x")
  check "$S/$mode: delete pushed" "$T" -c "$C" delete "$did"
  check "$S/$mode: ... gone from Archive on the server" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' -s $S find Archive 'keep-$mode-$S@x'"
  # A message without a Message-ID, moved where no COPYUID tells its new UID: no ghost and no
  # duplicate after the next sync.
  printf 'From: x@example.org\r\nSubject: no-id %s\r\n\r\nhi\r\n' "$mode" | ic append INBOX - >/dev/null
  "$T" -c "$C" sync --once >/dev/null
  nid=$(tsql "SELECT id FROM message WHERE subject = 'no-id $mode'")
  check "$S/$mode: move of a message without Message-ID pushed" "$T" -c "$C" move "$nid" Archive
  "$T" -c "$C" sync --once >/dev/null
  check "$S/$mode: ... one copy of it in Archive after the next sync, none in INBOX" test "$(tsql "SELECT group_concat(b.name) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id JOIN message m ON m.id = mm.message_id WHERE m.subject = 'no-id $mode'")" = Archive
  check "$S/$mode: after the pushes the database mirrors the server" mirror acct "$S" --no-att
done
check_done
