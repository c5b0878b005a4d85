#!/bin/sh
# Changes made by another client over IMAP on the same Cyrus account reach
# the database through Email/changes and Mailbox/changes. A mailbox whose
# name has a "/" (which Cyrus refuses, so jmap_proxy.py fakes it) is kept,
# with its mail, under its parent.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 100 --seed 7 --no-big >/dev/null 2>&1
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
drive sync >/dev/null
I="imapctl -s cyrus"
in_box() { sql "SELECT b.name FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.message_id = '$1'"; }

printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: new over imap\r\nMessage-ID: <new-imap-1@localhost>\r\n\r\nhello\r\n' >"$W/new.eml"
$I append INBOX "$W/new.eml" >/dev/null
M1=$($I msgids INBOX | head -1 | cut -f2 | tr -d '<>')
M2=$($I msgids INBOX | sed -n 2p | cut -f2 | tr -d '<>')
M3=$($I msgids INBOX | sed -n 3p | cut -f2 | tr -d '<>')
$I store INBOX "mid:<$M1>" +FLAGS '\Flagged' >/dev/null
$I move INBOX "mid:<$M2>" Archive >/dev/null
$I expunge INBOX "mid:<$M3>" >/dev/null
$I create Projects >/dev/null
$I create Old >/dev/null
drive sync >"$W/s2"
check "new mail appears" test "$(in_box new-imap-1@localhost)" = Inbox
check "a flag set over IMAP appears" test "$(sql "SELECT flagged FROM message WHERE message_id = '$M1'")" = 1
check "a move appears (one mailbox, the new one)" test "$(in_box "$M2")" = Archive
check "an expunged message is gone" test -z "$(sql "SELECT id FROM message WHERE message_id = '$M3'")"
check "a created folder appears" test "$(sql "SELECT count(*) FROM mailbox WHERE name = 'Projects'")" = 1
$I rename Projects Work >/dev/null
$I create Work/Sub >/dev/null
$I delete Old >/dev/null
drive sync >/dev/null
check "a renamed folder is renamed" test "$(sql "SELECT count(*) FROM mailbox WHERE name IN ('Work', 'Work/Sub')")" = 2
check "... the old name is gone" test "$(sql "SELECT count(*) FROM mailbox WHERE name = 'Projects'")" = 0
check "a deleted folder is gone" test "$(sql "SELECT count(*) FROM mailbox WHERE name = 'Old'")" = 0
check "Inbox count equals the server's" test "$(sql "SELECT total FROM mailbox WHERE role = 'inbox'")" = "$($I count INBOX)"

printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: in sub\r\nMessage-ID: <in-sub@localhost>\r\n\r\nhello\r\n' >"$W/sub.eml"
$I append Work/Sub "$W/sub.eml" >/dev/null
proxy_start
printf 'Sub\t2024/Q1' >"$P/rename-mailbox"
jmap_conf "$PROXY_URL"
"$DRIVE" -c "$W/conf" -d "$W/fresh" j sync >/dev/null
fsql() { sqlite3 "$W/fresh/tern.db" "$1"; }
check "a mailbox named '2024/Q1' is kept, under its parent, the '/' shown as U+2215" \
  test "$(fsql "SELECT count(*) FROM mailbox WHERE name = 'Work/2024$(printf '\342\210\225')Q1'")" = 1
check "... with its mail" test "$(fsql "SELECT b.name FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.message_id = 'in-sub@localhost'")" = "Work/2024$(printf '\342\210\225')Q1"

# A server that refuses Mailbox/get of all mailboxes (requestTooLarge, as
# RFC 8620 allows beyond maxObjectsInGet, 3 here): Mailbox/query and gets
# in chunks of 3.
rm -f "$P/rename-mailbox"
: >"$P/mailbox-get-too-large"
echo '{"maxObjectsInGet": 3}' >"$P/limits.json"
"$DRIVE" -c "$W/conf" -d "$W/fresh2" j sync >/dev/null
check "Mailbox/get refused as too large: every mailbox still arrives" \
  test "$(sqlite3 "$W/fresh2/tern.db" 'SELECT count(*) FROM mailbox')" = "$(jmapctl mailboxes | wc -l)"
check "... through Mailbox/query" grep -q 'methods=Mailbox/query' "$P/log"
check "... and so does the mail" test "$(sqlite3 "$W/fresh2/tern.db" 'SELECT count(*) FROM message')" = "$(jmapctl count)"
rm -f "$P/mailbox-get-too-large"

# Paging a mailbox by anchor (a server that caps Email/query at 3 ids),
# whose email went away (anchorNotFound): the load goes on by position and
# still gets everything.
echo 3 >"$P/query-limit"
: >"$P/anchor-not-found"
"$DRIVE" -c "$W/conf" -d "$W/fresh3" j sync >/dev/null
check "anchorNotFound while paging: the server refused an anchor" grep -q 'anchor refused' "$P/log"
check "... and the load still has every email" test "$(sqlite3 "$W/fresh3/tern.db" 'SELECT count(*) FROM message')" = "$(jmapctl count)"
# A server that repeats its first page for ever (it ignores anchor and position, and
# claims 10^12 emails): the load stops with an error instead of looping and growing.
: >"$P/query-loop"
timeout 60 "$DRIVE" -c "$W/conf" -d "$W/fresh5" j sync >"$W/loop.out" 2>&1
rc=$?
check "a server repeating its Email/query page fails the sync instead of looping (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... and says the server answered the same page twice" grep -q 'same page twice' "$W/loop.out"
rm -f "$P/query-limit" "$P/query-loop"
# Without a cap, a mailbox's ids come in one Email/query, its emails in
# Email/get pages (3 here) apart from it.
l0=$(wc -l <"$P/log")
"$DRIVE" -c "$W/conf" -d "$W/fresh4" j sync >/dev/null
tail -n +"$((l0 + 1))" "$P/log" >"$W/log4"
nq=$(grep -c 'methods=Email/query$' "$W/log4")
nmb=$(sqlite3 "$W/fresh4/tern.db" 'SELECT count(*) FROM mailbox')
inbox_n=$(sqlite3 "$W/fresh4/tern.db" "SELECT total FROM mailbox WHERE role = 'inbox'")
check "one Email/query per mailbox ($nq for $nmb), the emails in pages of Email/get ($inbox_n in INBOX)" \
  sh -c "[ $nq -le $nmb ] && [ $nq -ge 1 ] && [ $inbox_n -gt 3 ] && grep -q 'get=3 .*methods=Email/get\$' '$W/log4'"

# Mailbox/changes in pages (maxChanges = maxObjectsInGet, 3 here), and a
# Mailbox state the server cannot use: a reload.
for n in 1 2 3 4 5 6 7; do $I create "Many$n" >/dev/null; done
n0=$(wc -l <"$P/log")
drive sync >/dev/null
check "7 new folders through paged Mailbox/changes (hasMoreChanges)" test "$(sql "SELECT count(*) FROM mailbox WHERE name LIKE 'Many%'")" = 7
check "... in at least 3 pages of 3" test "$(sed -n "$((n0 + 1)),\$p" "$P/log" | grep -c 'methods=Mailbox/changes')" -ge 3
$I delete Many7 >/dev/null
sql "UPDATE sync_state SET state = 'x-unknown' WHERE resource = 'Mailbox'"
drive sync >/dev/null
check "a Mailbox state the server cannot read: the mailboxes are reloaded" grep -q 'reloading the mailboxes' "$W/tern.log"
check "... and match the server's" test "$(sql 'SELECT count(*) FROM mailbox')" = "$(jmapctl mailboxes | wc -l)"
check_done
