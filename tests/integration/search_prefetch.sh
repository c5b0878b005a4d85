#!/bin/sh
# Background prefetch (issue 8): with prefetch_days set, the account's worker
# (here the one `tern sync` runs) fetches the bodies of recent mail after
# its sync cycle, so a word only in a body is found offline; older mail is
# left alone; without prefetch_days nothing is fetched.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"

mail() { # DATE MSGID BODY
  printf 'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nDate: %s\r\nSubject: pf %s\r\nMessage-ID: <%s>\r\n\r\n%s\r\n' "$1" "$2" "$2" "$3"
}
now=$(date -R)
for i in 1 2 3 4 5; do
  mail "$now" "new$i@x" "fresh body word snorkelpine$i" >"$W/m.eml"
  imapctl -s dovecot append INBOX "$W/m.eml" >/dev/null
done
mail "Mon, 01 Jan 2001 10:00:00 +0000" "old@x" "ancient word" >"$W/m.eml"
imapctl -s dovecot append INBOX "$W/m.eml" --date "01-Jan-2001 10:00:00 +0000" >/dev/null

bodies() { tsql "SELECT count(*) FROM body b JOIN message m ON m.id = b.message_id WHERE m.subject LIKE 'pf new%'"; }

imap_conf "$W/off.conf" acct dovecot
check "without prefetch_days: a sync caches no body" "$T" -c "$W/off.conf" sync --once
check "... none" test "$(bodies)" = 0

imap_conf "$W/on.conf" acct dovecot "prefetch_days = 30"
"$T" -c "$W/on.conf" sync >"$W/sync.out" 2>&1 &
pid=$!
check "with prefetch_days the worker fetches the recent bodies" wait_for "5 bodies" 30 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM body b JOIN message m ON m.id = b.message_id WHERE m.subject LIKE 'pf new%'\")\" = 5 ]"
kill -TERM "$pid"
wait "$pid"
check "tern sync stopped cleanly" test $? = 0
"$T" -c "$W/on.conf" search acct snorkelpine3 >"$W/found"
check "a word only in a prefetched body is found offline" grep -q 'pf new3' "$W/found"
check "the old message arrived, dated 2001" test "$(tsql "SELECT count(*) FROM message WHERE subject = 'pf old@x' AND received_at < 1000000000")" = 1
check "mail older than prefetch_days keeps its body on the server" \
  test "$(tsql "SELECT count(*) FROM body b JOIN message m ON m.id = b.message_id WHERE m.subject = 'pf old@x'")" = 0
check_done
