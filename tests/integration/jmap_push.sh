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
lab_startone push
check "push endpoint back: the stream is opened again" wait_for "reopen" 20 sh -c "[ \$(grep -c 'event stream open' '$W/tern.log') -gt $o1 ]"
# The reopen wakes the watcher for one sync (events may have been missed):
# let it finish, so that the next change can only come by push.
wait_for "resync after reopen" 5 sh -c "[ \$(grep -c '^woke' '$W/watch2') = \$(grep -c '^synced' '$W/watch2') ]"
want=$(toggle "$E2")
check "... and pushes again: a change is in the database within 2 s" \
  wait_for "pushed change" 2 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT flagged FROM message WHERE email_id = '$E2'\")\" = $want ]"
kill -TERM $pid
wait $pid

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT" "poll_interval = 5"
drive watch 1 60000 >"$W/poll" 2>&1
check "Cyrus's 204 event source: polled every poll_interval (5 s)" sh -c "grep '^woke' '$W/poll' | awk '{exit !(\$2 >= 4500 && \$2 < 7000)}'"
check "... and the log says so" grep -q "event source answered HTTP 204" "$W/tern.log"
check_done
