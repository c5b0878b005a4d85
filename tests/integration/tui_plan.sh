#!/bin/sh
# The message list's cost does not grow with the mailbox (issue 6, Speed):
# tests/integration/tui_plan runs open, end, home, pages, a mailbox switch and
# the threaded view on a 10,000-message and a 100,000-message INBOX. Every
# query it ran must go through an index (EXPLAIN QUERY PLAN: no table scan;
# no temporary b-tree for ORDER BY except the one sorting the members of a
# thread, which costs the size of that thread), the flat list must do no
# full-scan steps and no sorts, each step must cost about the same VM steps
# in both, and the statements per step are bounded by one screen (40 rows).
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
PLAN=${TERN_BUILDDIR:-$(dirname "$TERN")}/tests/integration/tui_plan
tui_setup
mkdir -p "$T/small" "$T/big"
"$TUI_FILL" "$T/small/tern.db" acct 10000 &
"$TUI_FILL" "$T/big/tern.db" acct 100000
wait
box() { sqlite3 "$T/$1/tern.db" "SELECT id FROM mailbox WHERE name = '$2'"; }
for db in small big; do
  [ -n "$(box $db INBOX)" ] && [ -n "$(box $db Archive)" ] || { echo "fill failed ($db)"; exit 1; }
done
"$PLAN" "$T/small/tern.db" "$(box small INBOX)" "$(box small Archive)" >"$T/small.out" || exit 1
"$PLAN" "$T/big/tern.db" "$(box big INBOX)" "$(box big Archive)" >"$T/big.out" || exit 1

check "the first screen is full" grep -q '^rows=40$' "$T/big.out"
check "queries were seen and explained" sh -c "grep -q '^open stmts=[1-9]' '$T/big.out' && grep -q '^plan:' '$T/big.out'"
# A table scan reads "SCAN t" without an index; an index scan says "USING
# ... INDEX". The thread-members query may sort (its rows are one thread).
bad_plans() {
  awk '/^sql:/ { sql = $0; members = index($0, "WHERE m.thread_id = ?2") > 0 }
       /^plan:/ && (/SCAN [a-z_]+( AS [a-z]+)?$/ || (/USE TEMP B-TREE/ && !members)) { print substr(sql, 1, 160); print }' "$1"
}
bad=$(bad_plans "$T/big.out")
check "every list query uses an index (EXPLAIN QUERY PLAN)" test -z "$bad"
[ -z "$bad" ] || echo "$bad" | sed 's/^/# /'
check "flat list: no full-scan steps and no sorts on 100,000 messages" sh -c "! grep -E '^(open|end|home|pages|switch) stmts=' '$T/big.out' | grep -vE 'fullscan=0 sorts=0\$'"
check "threaded list: no full-scan steps" sh -c "! grep -E '^threads(-end)? stmts=' '$T/big.out' | grep -v 'fullscan=0 '"
# Each step costs about the same on 100,000 messages as on 10,000.
for step in open end home pages switch threads threads-end; do
  s=$(sed -n "s/^$step stmts=[0-9]* steps=\([0-9]*\) .*/\1/p" "$T/small.out")
  b=$(sed -n "s/^$step stmts=[0-9]* steps=\([0-9]*\) .*/\1/p" "$T/big.out")
  q=$(sed -n "s/^$step stmts=\([0-9]*\) .*/\1/p" "$T/big.out")
  echo "# $step: $q statements, $s VM steps on 10,000, $b on 100,000"
  check "$step: at most 1.5x the VM steps of a 10,000-message mailbox" test "$b" -le "$((s * 3 / 2 + 1000))"
  case $step in
    threads*) max=400 ;;   # a thread per row: its members and its count
    *) max=20 ;;
  esac
  check "$step: bounded by one screen of queries (<= $max statements)" test "$q" -le "$max"
done
# One thread of 3,000 messages (notification mail with a server threadId):
# its members are read once per step, not once per page or lookup.
mkdir -p "$T/one"
"$TUI_FILL" "$T/one/tern.db" acct 3000 --one-thread
"$PLAN" "$T/one/tern.db" "$(box one INBOX)" --threads >"$T/one.out" || exit 1
check "one long thread: the first screen is full" grep -q '^rows=40$' "$T/one.out"
# The runs of the thread-members query in one step.
member_runs() {
  awk -v step="$1" '/^[a-z-]+ stmts=/ { cur = $1 } /^sql:/ { m = index($0, "WHERE m.thread_id = ?2") > 0 }
       /^runs:/ && m && cur == step { n += $2 } END { print n + 0 }' "$T/one.out"
}
for step in bt-open bt-pages bt-end bt-home bt-refresh; do
  r=$(member_runs "$step")
  echo "# $step: the thread's members read $r times"
  check "$step: the long thread is read at most twice" test "$r" -le 2
done
check_done
