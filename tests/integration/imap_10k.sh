#!/bin/sh
# 10,000 messages across several folders (issue 4, "done when"): tern sync --once on a clean
# database mirrors the account exactly, and a second run with no server change takes a
# fraction of the first.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
imap_conf "$C" big dovecot
lab_load dovecot "$USER1" 10000 --seed 3 >/dev/null
t0=$(date +%s%N)
"$T" -c "$C" sync --once >"$W/first.out" 2>&1 &
spid=$!
# Batches are committed as they arrive, newest first: early on, INBOX holds some of its
# messages, and they include the newest.
wait_for "first batch" 60 sh -c "test -s '$W/data/tern.db' && test \$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox'\") -gt 0"
part=$(tsql "SELECT count(*) || ' ' || max(mm.uid) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox'")
# The status line's progress, as the TUI shows it: "INBOX 1,250/6,200".
prog=$(tsql "SELECT detail FROM account_status")
wait "$spid"
rc=$?
t1=$(date +%s%N)
check "first sync of 10,000 messages" test "$rc" = 0
top=$(imapctl uids INBOX | tr ' ' '\n' | sort -n | tail -1)
check "... INBOX was usable early: ${part% *} of 6200 stored, the newest (UID $top) among them" test "${part% *}" -lt 6200 -a "${part#* }" = "$top"
check "... while the account's status said how far it was ($prog)" sh -c "echo '$prog' | grep -Eq '^INBOX [0-9]{1,3}(,[0-9]{3})*/6,200\$'"
check "second sync, no change" sh -c "'$T' -c '$C' sync --once | grep -q ': ok: 0 new, 0 changed, 0 removed'"
t2=$(date +%s%N)
first=$(((t1 - t0) / 1000000)) second=$(((t2 - t1) / 1000000))
echo "# first sync ${first} ms, no-op resync ${second} ms"
check "the database mirrors the server exactly" mirror big dovecot --no-att
check "10,000 messages stored" test "$(tsql 'SELECT count(*) FROM message')" = 10000
check "the no-op resync takes under a third of the first (${second} ms vs ${first} ms)" test $((second * 3)) -lt "$first"
check_done
