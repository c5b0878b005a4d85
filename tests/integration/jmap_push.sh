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

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT" "poll_interval = 5"
drive watch 1 60000 >"$W/poll" 2>&1
check "Cyrus's 204 event source: polled every poll_interval (5 s)" sh -c "grep '^woke' '$W/poll' | awk '{exit !(\$2 >= 4500 && \$2 < 7000)}'"
check "... and the log says so" grep -q "event source answered HTTP 204" "$W/tern.log"
check_done
