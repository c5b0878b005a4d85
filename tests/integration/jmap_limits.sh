#!/bin/sh
# The session's limits, enforced by Cyrus itself (configured low here:
# maxObjectsInGet 100, maxCallsInRequest 2), are respected: a first sync of
# 400 emails and a resync with changes succeed, every Email/get answer
# holds at most 100, and chains of three calls (Email/changes + two gets)
# are split. Through jmap_proxy.py (Cyrus never changes its sessionState):
# a new sessionState makes the running worker fetch the session again and
# use its new limits; request-level errors are typed, a "limit" one retried.
export CYRUS_EXTRA_CONF="jmap_max_objects_in_get: 100
jmap_max_calls_in_request: 2"
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 400 --seed 13 --no-big >/dev/null 2>&1
proxy_start
jmap_conf "$PROXY_URL" "poll_interval = 5"
check "the session shows Cyrus's lowered limits" sh -c "'$DRIVE' -c '$W/conf' j session | grep -qx max_objects_in_get=100 &&
  '$DRIVE' -c '$W/conf' j session | grep -qx max_calls_in_request=2"
check "first sync of 400 emails within the limits" sh -c "'$DRIVE' -c '$W/conf' j sync | grep -q '^added 400 '"
maxget() { grep '^api' "$P/log" | sed -n "${1:-1},\$p" | grep -o 'get=[0-9,]*' | tr -c '0-9\n' '\n' | sort -n | tail -1; }
maxcalls() { grep -o 'calls=[0-9]*' "$P/log" | cut -d= -f2 | sort -n | tail -1; }
check "... no Email/get answer above maxObjectsInGet (largest: $(maxget))" test "$(maxget)" -le 100
check "... no request above maxCallsInRequest (largest: $(maxcalls))" test "$(maxcalls)" -le 2
for e in $(jmapctl ids inbox | head -150); do echo "$e"; done >"$W/ids"
flag_all() {
  ids=$(awk '{printf "%s\"%s\":{\"keywords/$flagged\":%s}", (NR > 1 ? "," : ""), $1, v}' v="$1" "$W/ids")
  jmapctl call "[[\"Email/set\",{\"accountId\":\"\$ACCOUNT\",\"update\":{$ids}},\"0\"]]" >/dev/null
}
flagged() { sql "SELECT count(*) FROM message WHERE flagged = 1 AND email_id IN ($(sed "s/.*/'&'/" "$W/ids" | paste -sd,))"; }
flag_all true
check "150 changes come through Email/changes pages within the limits" sh -c "'$DRIVE' -c '$W/conf' j sync >/dev/null && [ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE flagged = 1 AND email_id IN ($(sed "s/.*/'&'/" "$W/ids" | paste -sd,))\")\" = 150 ]"
check "... still no request above the limits" test "$(maxget)" -le 100 -a "$(maxcalls)" -le 2

# A running worker: the session changes under it (new state, lower limit).
drive watch 20 600000 >"$W/watch" 2>&1 &
pid=$!
wait_for "watcher ready" 30 grep -q ready "$W/watch"
s0=$(grep -c '^session' "$P/log")
echo 's-2' >"$P/state"
echo '{"maxObjectsInGet": 40}' >"$P/limits.json"
flag_all null
wait_for "unflagged" 15 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE flagged = 1 AND email_id IN ($(sed "s/.*/'&'/" "$W/ids" | paste -sd,))\")\" = 0 ]"
check "a response with another sessionState: the session is fetched again" \
  wait_for "session refetch" 15 sh -c "[ \$(grep -c '^session' '$P/log') -gt $s0 ]"
n=$(grep -c '^api' "$P/log")
flag_all true
check "... and its new maxObjectsInGet (40) is used from then on" \
  wait_for "changes with the new limit" 15 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE flagged = 1 AND email_id IN ($(sed "s/.*/'&'/" "$W/ids" | paste -sd,))\")\" = 150 ]"
check "... (largest Email/get answer since: $(maxget $((n + 1))))" test "$(maxget $((n + 1)))" = 40
check "... once: no refetch while the state stays" test "$(grep -c '^session' "$P/log")" = $((s0 + 1))
kill -TERM $pid
wait $pid

# A state the server cannot read (Cyrus: invalidArguments, handled as
# cannotCalculateChanges), with Email/changes and
# its gets in separate requests: still a clean full resync.
sql "UPDATE sync_state SET state = 'x-unknown' WHERE resource = 'Email'"
check "cannotCalculateChanges across split requests: a full resync" sh -c "'$DRIVE' -c '$W/conf' j sync >/dev/null &&
  grep -q 'cannot calculate changes: full resync' '$W/tern.log' && [ \"\$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM message')\" = 400 ]"

# An invalidArguments about something else than sinceState (here
# maxChanges, made 0 by the proxy) is an error of that call, not a reason
# to reload everything.
for m in Mailbox/changes Email/changes; do
  echo "$m" >"$P/max-changes-zero"
  r0=$(grep -c 'full resync\|reloading the mailboxes' "$W/tern.log")
  "$DRIVE" -c "$W/conf" j sync >"$W/mc" 2>&1
  check "$m: invalidArguments on maxChanges fails the sync with that error" grep -q "$m: invalidArguments" "$W/mc"
  check "... without a full reload" test "$(grep -c 'full resync\|reloading the mailboxes' "$W/tern.log")" = "$r0"
done
rm -f "$P/max-changes-zero"

# Request-level errors (RFC 8620 3.6.1).
echo '{"type":"urn:ietf:params:jmap:error:limit","limit":"maxCallsInRequest","status":400}' >"$P/fail-once"
check "a 'limit' request error (maxCallsInRequest): retried with smaller requests, the sync succeeds" \
  sh -c "'$DRIVE' -c '$W/conf' j sync >/dev/null && grep -q 'api failed-once' '$P/log'"
# A "limit" refusal of the second request of a split call list (Mailbox/changes
# and its gets: [c0 c1] [c2]) retries from there: c0 is not sent again.
n0=$(wc -l <"$P/log")
echo '{"type":"urn:ietf:params:jmap:error:limit","limit":"maxCallsInRequest","status":400,"call":"c2"}' >"$P/fail-call"
check "a 'limit' refusal of a later part of a request: the sync succeeds" sh -c "'$DRIVE' -c '$W/conf' j sync >/dev/null"
check "... the refusal happened" grep -q 'api failed-call' "$P/log"
check "... and the part already answered was not sent again" \
  test "$(sed -n "$((n0 + 1)),\$p" "$P/log" | grep -c 'methods=Mailbox/changes')" = 1
echo '{"type":"urn:ietf:params:jmap:error:notRequest","detail":"bad","status":400}' >"$P/fail-once"
"$DRIVE" -c "$W/conf" j sync >"$W/nr" 2>&1
check "a 'notRequest' request error fails the sync with its type" grep -q 'error:notRequest: bad' "$W/nr"
check "... and the next sync works" sh -c "'$DRIVE' -c '$W/conf' j sync >/dev/null"
check_done
