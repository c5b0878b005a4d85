#!/bin/sh
# A broken or malicious JMAP server (issue 17), played by jmap_proxy.py in front of Cyrus: an
# answer cut in half, an HTML error page with status 200, a 503, a method error whose text holds
# terminal escapes, a million made-up ids, a session whose apiUrl sends the password elsewhere.
# tern fails that sync with a message that says what happened (with no control character in
# it), stores nothing wrong, and works again once the server does.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 20 --seed 5 --no-big >/dev/null 2>&1
proxy_start
jmap_conf "$PROXY_URL"
sync_once() { timeout 120 "$TERN" -c "$W/conf" sync --once >"$W/out" 2>&1; echo $?; }
check "the first sync, through the proxy" test "$(sync_once)" = 0
n0=$(sql "SELECT count(*) FROM message")
check "... has the 20 emails" test "$n0" = 20
clean() { ! LC_ALL=C grep -q '[[:cntrl:]]' "$W/out"; }

for m in truncate html 503; do
  echo "$m" >"$P/mangle"
  rc=$(sync_once)
  check "$m: the sync fails, without a hang or a crash (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
  case $m in
  truncate) check "... saying the answer is not JSON" grep -qi 'json' "$W/out" ;;
  html) check "... saying the answer is not JSON (an HTML page)" grep -qi 'json\|html' "$W/out" ;;
  503) check "... naming the status" grep -q '503' "$W/out" ;;
  esac
  check "... with no control character in what it prints" clean
  check "... and nothing stored changed" test "$(sql "SELECT count(*) FROM message")" = "$n0"
  rm -f "$P/mangle"
done

echo Email/changes >"$P/method-error"
jmapctl call '[["Email/set",{"accountId":"$ACCOUNT","update":{"'"$(jmapctl ids inbox | head -1)"'":{"keywords/$flagged":true}}},"0"]]' >/dev/null
rc=$(sync_once)
check "a method error (serverFail) on Email/changes: the sync fails (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... naming the method and the error" grep -q 'Email/changes.*serverFail' "$W/out"
check "... and its description's escapes are made inert" clean
rm -f "$P/method-error"
check "... the next sync works, and brings the change" sh -c "'$TERN' -c '$W/conf' sync --once >/dev/null 2>&1 && [ \"\$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM message WHERE flagged = 1')\" -ge 1 ]"

# A million ids (valid in form, none real) in one Email/query answer, ten times what was asked
# for: the load fails saying so, stores none, and stays in bounds (under ASan, whose
# quarantine alone may keep 256 MB).
: >"$P/million-ids"
jmap_conf "$PROXY_URL"
sed -i "1s|.*|data_dir = $W/data2|" "$W/conf"
rc=$(/usr/bin/time -f '%M' -o "$W/rss" timeout 300 "$TERN" -c "$W/conf" sync --once >"$W/out" 2>&1; echo $?)
check "a million made-up ids: the first load fails (exit $rc, peak RSS $(tail -1 "$W/rss") kB)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... saying the server answered more ids than asked for" grep -q 'answered 1000000 ids where 100000 were asked for' "$W/out"
check "... stores none of them" test "$(sqlite3 "$W/data2/tern.db" "SELECT count(*) FROM message WHERE email_id LIKE 'M%'")" = 0
check "... within 600 MB" test "$(tail -1 "$W/rss")" -lt 600000
rm -f "$P/million-ids"
sed -i "1s|.*|data_dir = $W/data|" "$W/conf"

# A session whose apiUrl points to another host over http: the password would go there in
# clear. The session is refused, saying why; nothing is sent there.
echo "http://127.0.0.2:9/api" >"$P/api-elsewhere"
rc=$(sync_once)
check "a session whose apiUrl is another host over http: refused (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... saying why" grep -q 'apiUrl points to another host without TLS' "$W/out"
rm -f "$P/api-elsewhere"
check "through an honest proxy again, the sync works" test "$(sync_once)" = 0
check_done
