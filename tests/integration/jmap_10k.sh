#!/bin/sh
# 10,000 emails in six mailboxes on Cyrus (issue 5, with the 10k IMAP test as
# its twin): `tern sync --once` on a clean database stores every one in its
# mailbox, and a resync with no server change is near-instant. The first sync
# was quadratic before the remote_thread_id index (26 s for 10k in a release
# build; ~5 s with it); test_jmap checks the query plans themselves.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

MAN=$(lab_load cyrus "$USER1" 10000 --seed 3 --no-big 2>/dev/null)
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
t0=$(date +%s%N)
check "first sync of 10,000 emails" sh -c "'$TERN' -c '$W/conf' sync --once >'$W/s1'"
t1=$(date +%s%N)
check "second sync, no change" sh -c "'$TERN' -c '$W/conf' sync --once | grep -q ': ok: 0 new, 0 changed, 0 removed'"
t2=$(date +%s%N)
first=$(((t1 - t0) / 1000000)) second=$(((t2 - t1) / 1000000))
echo "# first sync ${first} ms, no-op resync ${second} ms"
check "10,000 emails stored" test "$(sql 'SELECT count(*) FROM message')" = 10000
per_folder() {
  jq -r '.folders | to_entries[] | "\(.key)\t\(.value.count)"' "$MAN" | sed 's/^INBOX\t/Inbox\t/' | sort >"$W/want"
  sql "SELECT b.name, count(*) FROM mailbox b JOIN message_mailbox mm ON mm.mailbox_id = b.id
       GROUP BY b.id HAVING count(*) > 0" | tr '|' '\t' | sort >"$W/got"
  diff "$W/want" "$W/got"
}
check "every mailbox holds the manifest's number of emails" per_folder
check "the no-op resync is near-instant (${second} ms: under 2 s and a tenth of the first)" \
  test "$second" -lt 2000 -a $((second * 10)) -lt "$first"
check_done
