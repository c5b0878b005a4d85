#!/bin/sh
# The README's first command ends in tests/demo.sh: it must start the servers, fill both
# accounts, open the TUI on the IMAP (Dovecot) and the JMAP (Cyrus) account, sync them,
# and stop exactly the servers it started when tern quits. Run twice, the second run must
# start from nothing (no leftover mail, servers or data). Driven in tmux, with few messages.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the demo's servers need root"
  exit 77
fi
skip_if_missing tmux sqlite3 "$LAB_PY" dovecot doveadm openssl curl cc setsid saslpasswd2 /usr/lib/cyrus/bin/master
"$LAB_PY" -c 'import aiosmtpd' 2>/dev/null || { echo "SKIP: python3-aiosmtpd is not installed"; exit 77; }
TERN=${TERN:-$TERN_SRCDIR/tern}
D=$(mktemp -d /tmp/td.XXXXXX)
chmod 755 "$D"   # the servers' users (mail, cyrus) must reach the lab inside it
LAB=$D/lab
SOCK=$D/tmux.sock
cleanup() {
  rc=$?
  tmux -S "$D/tmux.sock" kill-server >/dev/null 2>&1
  tmux -S "$D/tmux2.sock" kill-server >/dev/null 2>&1
  # Only if the demo failed to stop them itself (that is a failure below, too): by the
  # lab's records, then any recorded process group still alive (a lab removed under it).
  [ -d "$LAB" ] && TERN_LAB=$LAB "$LAB_SRV/stop.sh" --clean >/dev/null 2>&1
  cat "$D"/pids.* 2>/dev/null >"$D/pids"
  for p in $(alive); do kill -KILL -- "-$p" 2>/dev/null; done
  rm -rf "$D"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

screen() { tmux -S "$SOCK" capture-pane -p; }
on_screen() { screen | grep -Eq -- "$1"; }
# Messages of an account in tern's database (0 while it does not exist yet).
stored() { sqlite3 "$LAB/data/tern.db" "SELECT count(*) FROM message m JOIN account a ON a.id = m.account_id
  WHERE a.name = '$1'" 2>/dev/null || echo 0; }
synced() { [ "$(stored dovecot)" -ge "$1" ] && [ "$(stored cyrus)" -ge "$1" ]; }
alive() { # the recorded PIDs still running with their recorded start time
  while read -r p start; do
    st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    # shellcheck disable=SC2086
    set -- $st
    [ "$1" != Z ] && [ "${20}" = "$start" ] && echo "$p"
  done <"$D/pids"
  return 0
}

run_demo() { # COUNT: the demo in tmux, until both accounts hold COUNT messages
  n=$1
  tmux -S "$SOCK" -f /dev/null new-session -d -x 140 -y 40 \
    "cd '$TERN_SRCDIR' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$D/state \
     ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$D/asan' \
     TERN='$TERN' DEMO_COUNT=$n TERN_DEMO_LAB='$LAB' tests/demo.sh; \
     echo DEMO-EXITED-\$?; sleep 600"
  wait_for "both accounts synced $n messages" 120 synced "$n" || { screen; return 1; }
}

check "first run: both accounts are synced from the servers" run_demo 60
[ "$_failed" = 0 ] || check_done   # nothing below can pass
cat "$LAB"/pids/*.pid >"$D/pids.1" 2>/dev/null
cp "$D/pids.1" "$D/pids"
check "... every server has a recorded PID" test "$(wc -l <"$D/pids")" -ge 4
both_accounts() { on_screen '^. dovecot ' && on_screen '^. cyrus '; }
check "... the TUI shows the IMAP and the JMAP account" both_accounts
check "... and the generated folders (non-ASCII names included)" wait_for "folders" 10 on_screen 'Отчёты'
second_demo() { # a second demo on the same lab is refused and leaves the running one alone
  out=$(cd "$TERN_SRCDIR" && TERN="$TERN" DEMO_COUNT=5 TERN_DEMO_LAB="$LAB" tests/demo.sh 2>&1 </dev/null)
  rc=$?
  [ "$rc" = 1 ] && echo "$out" | grep -q "another demo is running" &&
    [ "$(alive | wc -l)" = "$(wc -l <"$D/pids")" ] && [ -s "$LAB/config" ] || { echo "rc $rc: $out"; return 1; }
}
check "... a second demo on the same lab is refused, the running one untouched" second_demo
# The newest message of the IMAP account's INBOX, as the list's first line should show it.
newest=$(sqlite3 "$LAB/data/tern.db" "SELECT substr(m.subject, 1, 12) FROM message m
  JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id
  JOIN account a ON a.id = b.account_id WHERE a.name = 'dovecot' AND b.role = 'inbox'
  ORDER BY mm.received_at DESC, m.id DESC LIMIT 1")
# Enter on the account focuses its mailboxes (INBOX first), Enter again opens INBOX.
tmux -S "$SOCK" send-keys Enter Enter
inbox_shown() { [ -n "$newest" ] && screen | grep -qF -- "$newest"; }
check "... Enter Enter opens the IMAP INBOX showing its newest message ($newest)" wait_for "INBOX list" 10 inbox_shown
check "... the JMAP account is configured through the push endpoint" \
  grep -q "jmap_url = http://127.0.0.1:.*/.well-known/jmap" "$LAB/config"
tmux -S "$SOCK" send-keys Q
check "quitting tern ends the demo with status 0" wait_for "demo exit" 30 on_screen 'DEMO-EXITED-0'
left=$(alive)
check "... and every server it started is stopped" test -z "$left"
check "... and the lab is removed" wait_for "lab removed" 10 sh -c "[ ! -d '$LAB' ]"
check "... no sanitizer report" sh -c "! ls '$D'/asan* >/dev/null 2>&1"

# Second run, different count: it must start from nothing. A new tmux server (a new
# session on a socket whose server is still exiting can fail).
tmux -S "$SOCK" kill-server >/dev/null 2>&1
SOCK=$D/tmux2.sock
check "second run: synced again" run_demo 20
[ "$_failed" = 0 ] || check_done
exactly() { [ "$(stored dovecot)" = "$1" ] && [ "$(stored cyrus)" = "$1" ] || { echo "dovecot $(stored dovecot), cyrus $(stored cyrus)"; return 1; }; }
fresh() { wait_for "20 messages each" 20 exactly 20 || exactly 20; }
check "... from nothing: exactly the new mail in each account" fresh
cat "$LAB"/pids/*.pid >"$D/pids.2" 2>/dev/null
cp "$D/pids.2" "$D/pids"
tmux -S "$SOCK" send-keys Q
check "... quits with status 0" wait_for "demo exit" 30 on_screen 'DEMO-EXITED-0'
left=$(alive)
check "... and stops its servers" test -z "$left"
check_done
