#!/bin/sh
# One message the server describes in a form libetpan cannot parse does not hold back the rest of
# its batch (issue "Hostile input"): behind a proxy that garbles the header FETCH of two UIDs (and
# every FETCH of a third, even the minimal one), every other message of the folder arrives, the bad
# ones are listed as damaged (X, "damaged": true) with what could be read, the sync succeeds and is
# not narrowed down again on the next cycle, and a damaged message whose retry is due is read in
# full once the server answers properly. IMAP_BADMSG_SERVER=cyrus runs it against Cyrus.
set -u
S=${IMAP_BADMSG_SERVER:-dovecot}
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start "$S"
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
ic() { imapctl -s "$S" "$@"; }
msg() { printf 'From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: %s\r\nMessage-ID: <%s@x>\r\nDate: Mon, 2 Nov 2026 10:0%s:00 +0000\r\n\r\nbody of %s\r\n' "$1" "$1" "${2:-0}" "$1"; }
ic create Odd >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do msg "odd$i" $((i % 10)) | ic append Odd - >/dev/null; done
if [ "$S" = cyrus ]; then port=$CYRUS_IMAP_PORT; else port=$DOVECOT_IMAP_PORT; fi
eval "$("$LAB_PY" "$LAB_SRV/netutil.py" ports "$TERN_LAB" PROXY)"
proxy() {
  "$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$port" "$1" >"$W/proxy.out" 2>&1 &
  ppid=$!
  wait_for "proxy listening" 5 grep -q ready "$W/proxy.out"
}
proxy "--uids=4,9:11"
trap 'r=$?; kill $ppid 2>/dev/null; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/c.conf
imap_conf "$C" acct "$S" "imap_port = $PROXY" "imap_tls = none"
LOG=$XDG_STATE_HOME/tern/tern.log
odd() { tsql "SELECT $1 FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'Odd' $2"; }

check "a sync through the garbling proxy succeeds" "$T" -c "$C" sync --once
check "... every message of the folder is there" test "$(odd 'count(*)' '')" = 12
check "... the good ones in full" test "$(odd 'count(*)' "AND m.damaged = 0 AND m.subject LIKE 'odd%' AND m.from_addr = 'ann@example.org'")" = 9
check "... UIDs 4, 9 and 11 are damaged" test "$(odd 'group_concat(mm.uid)' 'AND m.damaged <> 0 ORDER BY mm.uid')" = "4,9,11"
check "... 4 and 9 with what their header block says" \
  test "$(odd 'group_concat(m.subject || "/" || m.from_addr || "/" || m.message_id)' 'AND mm.uid IN (4, 9) ORDER BY mm.uid')" = "odd4/ann@example.org/odd4@x,odd9/ann@example.org/odd9@x"
check "... 11, of which nothing could be read, says so" \
  test "$(odd 'm.subject' 'AND mm.uid = 11')" = "(damaged message: the server's answer could not be read)"
"$T" -c "$C" list acct Odd --json >"$W/list.json"
check "list --json marks the damaged ones" test "$(grep -c '"damaged":true' "$W/list.json")" = 3
check "... and only those" test "$(grep -c '"damaged":false' "$W/list.json")" = 9
check "list shows X in the flags column" sh -c "'$T' -c '$C' list acct Odd | grep 'odd4\$' | grep -q ' X '"
check "the log names the folder and UID" grep -q "Odd: the server's answer for UID 9 could not be read" "$LOG"
check "the checkpoint was written" test -n "$(tsql "SELECT state FROM sync_state WHERE resource LIKE '%Odd%'")"

# The next cycles: nothing narrowed down again, the sync still succeeds.
n=$(grep -c 'narrowing it down' "$LOG")
check "the next sync succeeds" "$T" -c "$C" sync --once
check "... without fetching the bad batch again" test "$(grep -c 'narrowing it down' "$LOG")" = "$n"
msg odd13 3 | ic append Odd - >/dev/null
check "new mail in the folder arrives" "$T" -c "$C" sync --once
check "... the new message" test "$(odd 'count(*)' "AND m.subject = 'odd13'")" = 1

# A retry that is due (a day later) while the server still garbles: damaged still, attempt recorded.
tsql "UPDATE message SET damaged = 1 WHERE damaged <> 0"
check "a due retry against the same answers still succeeds" "$T" -c "$C" sync --once
check "... the three are still damaged, the attempt recorded" test "$(odd 'count(*)' 'AND m.damaged > 1')" = 3
check "... and still one row each" test "$(odd 'count(*)' '')" = 13

# The server answers properly again: a due retry reads them in full.
kill "$ppid"
wait "$ppid" 2>/dev/null
proxy "--uids="
tsql "UPDATE message SET damaged = 1 WHERE damaged <> 0"
check "a due retry once the answers are readable succeeds" "$T" -c "$C" sync --once
check "... no message is damaged any more" test "$(odd 'count(*)' 'AND m.damaged <> 0')" = 0
check "... 11 has its subject" test "$(odd 'm.subject' 'AND mm.uid = 11')" = odd11
check "... still 13 messages" test "$(odd 'count(*)' '')" = 13
check_done
