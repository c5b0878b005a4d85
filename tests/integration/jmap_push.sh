#!/bin/sh
# Push: with the push endpoint (EventSource) a server change reaches the
# database within 2 s although polling is off (poll_interval one day);
# SIGTERM stops the wait at once. Cyrus itself answers 204: polled.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 60 --seed 5 --no-big >/dev/null 2>&1
jmap_conf "$PUSH_JMAP_URL" "poll_interval = 86400"
drive watch 10 600000 >"$W/watch" 2>&1 &
pid=$!
wait_for "watcher ready" 30 grep -q ready "$W/watch"
EID=$(jmapctl ids inbox | tail -1)
was=$(sql "SELECT flagged FROM message WHERE email_id = '$EID'")
new=true; [ "$was" = 1 ] && new=false
t0=$(date +%s%N)
jmapctl keyword "$EID" '$flagged' $new >/dev/null
want=1; [ $new = false ] && want=0
check "a server change is in the database within 2 s (push, no polling)" \
  wait_for "flag change" 2 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$EID'\")\" = $want ]"
echo "# $(( ($(date +%s%N) - t0) / 1000000 )) ms"
t0=$(date +%s%N)
kill -TERM $pid
wait $pid
check "SIGTERM ends the wait within 1 s" test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000
check "the watcher woke for the change" grep -q "^woke" "$W/watch"

# The push endpoint goes away: polling (every 5 s here) carries changes
# meanwhile; when it is back the stream reopens and pushes again.
flag_of() { sqlite3 "$W/data/tern.db" "SELECT flagged FROM message WHERE email_id = '$1'"; }
toggle() {  # EID: flips $flagged on the server, prints the value the database should get
  if [ "$(flag_of "$1")" = 1 ]; then jmapctl keyword "$1" '$flagged' false >/dev/null; echo 0
  else jmapctl keyword "$1" '$flagged' true >/dev/null; echo 1; fi
}
opens() { grep -c "event stream open" "$W/tern.log"; }
jmap_conf "$PUSH_JMAP_URL" "poll_interval = 5"
o0=$(opens)
drive watch 100 600000 >"$W/watch2" 2>&1 &
pid=$!
wait_for "watcher ready" 30 grep -q ready "$W/watch2"
check "the stream opens" wait_for "stream open" 10 sh -c "[ \$(grep -c 'event stream open' '$W/tern.log') -gt $o0 ]"
lab_stop push >/dev/null
E2=$(jmapctl ids inbox | sed -n 2p)
want=$(toggle "$E2")
check "push endpoint down: the change still arrives by polling (within 5 s + a sync)" \
  wait_for "polled change" 9 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$E2'\")\" = $want ]"
o1=$(opens)
w0=$(grep -c '^woke' "$W/watch2")
lab_startone push
check "push endpoint back: the stream is opened again" wait_for "reopen" 20 sh -c "[ \$(grep -c 'event stream open' '$W/tern.log') -gt $o1 ]"
# The reopen wakes the watcher for one sync (events may have been missed):
# let it finish, so that the next change can only come by push.
# (The wake itself must have come first: equal counts before it prove nothing.)
wait_for "resync after reopen" 10 sh -c "[ \$(grep -c '^woke' '$W/watch2') -gt $w0 ] &&
  [ \$(grep -c '^woke' '$W/watch2') = \$(grep -c '^synced' '$W/watch2') ]"
sc=$(grep -c "StateChange" "$W/tern.log")
want=$(toggle "$E2")
check "... and pushes again: a change is in the database within 2 s" \
  wait_for "pushed change" 2 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$E2'\")\" = $want ]"
check "... carried by a StateChange on the reopened stream (not by polling)" \
  wait_for "StateChange logged" 3 sh -c "[ \$(grep -c StateChange '$W/tern.log') -gt $sc ]"
kill -TERM $pid
wait $pid

# A plain eventSourceUrl (no template, as Fastmail's): tern adds types,
# closeafter and ping itself, so the server pings and the stream lives.
jmap_conf "http://127.0.0.1:$PUSH_PORT/bare/.well-known/jmap" "poll_interval = 86400"
check "the bare session advertises a plain eventSourceUrl" sh -c "'$DRIVE' -c '$W/conf' j session | grep -qx 'event_source_url=http://127.0.0.1:$PUSH_PORT/eventsource'"
o2=$(opens)
drive watch 10 600000 >"$W/watch3" 2>&1 &
pid=$!
wait_for "watcher ready" 30 grep -q ready "$W/watch3"
check "the stream opens" wait_for "stream open" 10 sh -c "[ \$(grep -c 'event stream open' '$W/tern.log') -gt $o2 ]"
check "... asked with types, closeafter=no and ping=30 in the query" \
  grep -q 'GET /eventsource?types=Email,Mailbox&closeafter=no&ping=30 ' "$TERN_LAB/log/push.log"
wait_for "resync after open" 5 sh -c "[ \$(grep -c '^woke' '$W/watch3') = \$(grep -c '^synced' '$W/watch3') ]"
want=$(toggle "$E2")
check "... and a change arrives through it within 2 s" \
  wait_for "pushed change (bare)" 2 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$E2'\")\" = $want ]"
kill -TERM $pid
wait $pid

# The real worker (tern sync): while the stream is healthy it does not poll
# as well (poll_interval 5 s here), and a change still arrives within 2 s.
jmap_conf "$PUSH_JMAP_URL" "poll_interval = 5"
cycles() { sqlite3 "$W/data/tern.db" "SELECT count(*) FROM sync_log WHERE ended_at IS NOT NULL"; }
c0=$(cycles)
XDG_STATE_HOME=$W/state TERN_DEBUG=1 "$TERN" -c "$W/conf" sync j >"$W/run" 2>&1 &
pid=$!
wait_for "worker stream open" 20 grep -q "event stream open" "$W/state/tern/tern.log"
# Its first cycle, then the one the opening stream asks for.
wait_for "two cycles" 10 sh -c "[ \$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM sync_log WHERE ended_at IS NOT NULL') -ge $((c0 + 2)) ]"
c1=$(cycles)
polled=no
wait_for "a poll" 12 sh -c "[ \$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM sync_log') -gt $c1 ]" >/dev/null && polled=yes
check "the worker does not poll while the stream is healthy (no cycle in 12 s, poll_interval 5)" test "$polled" = no
want=$(toggle "$E2")
check "... and a server change reaches its database within 2 s" \
  wait_for "worker push" 2 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$E2'\")\" = $want ]"
kill -TERM $pid
wait $pid

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT" "poll_interval = 5"
drive watch 1 60000 >"$W/poll" 2>&1
check "Cyrus's 204 event source: polled every poll_interval (5 s)" sh -c "grep '^woke' '$W/poll' | awk '{exit !(\$2 >= 4500 && \$2 < 7000)}'"
check "... and the log says so" grep -q "event source answered HTTP 204" "$W/tern.log"
check "... naming the account, as every jmap line does" sh -c "
  grep -q 'jmap j: the event source answered HTTP 204' '$W/tern.log' &&
  grep -q 'jmap j: event stream open' '$W/tern.log' && ! grep -q '\] jmap: ' '$W/tern.log'"
check_done
