#!/bin/sh
# A JMAP account (Cyrus, with push) and an IMAP account (Dovecot) side by
# side, each in its own worker: one `tern sync --once` stores both, the
# running `tern sync` follows changes on both servers, and the TUI syncs both.
# Shutdown takes under a second, even with a worker blocked in a request to
# a server that never answers.
JMAP_LAB_SERVERS="dovecot cyrus smtp push"
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"
skip_if_missing tmux

lab_load dovecot "$USER1" 40 --seed 21 --no-big >/dev/null 2>&1
lab_load cyrus "$USER1" 70 --seed 22 --no-big >/dev/null 2>&1
# Two accounts; "hole" (added below) points at a server that accepts and never answers.
both_conf() {
  { echo "data_dir = $W/data"
    echo "[account im]"
    echo "protocol = imap"
    echo "email = $EMAIL1"
    echo "username = $USER1"
    echo "password = $PASS1"
    echo "imap_host = localhost"
    echo "imap_port = $DOVECOT_IMAP_PORT"
    echo "imap_tls = starttls"
    echo "ca_file = $CA_FILE"
    echo "smtp_host = localhost"
    echo "smtp_port = $SMTP_PORT"
    echo "smtp_tls = starttls"
    echo "timeout = 10"
    echo "[account jm]"
    echo "protocol = jmap"
    echo "email = $EMAIL1"
    echo "username = $USER1"
    echo "password = $PASS1"
    echo "jmap_url = $PUSH_JMAP_URL"
    echo "timeout = 10"
    for l in "$@"; do echo "$l"; done
  } >"$W/conf"
  chmod 600 "$W/conf"
}
both_conf
acct_count() { sql "SELECT count(*) FROM message m JOIN account a ON a.id = m.account_id WHERE a.name = '$1'"; }

"$TERN" -c "$W/conf" sync --once >"$W/once" 2>&1
check "one 'tern sync --once' syncs the IMAP account" grep -q "^im: ok: 40 new" "$W/once"
check "... and the JMAP account" grep -q "^jm: ok: 70 new" "$W/once"
check "... each into its own account rows" test "$(acct_count im)/$(acct_count jm)" = 40/70

"$TERN" -c "$W/conf" sync >"$W/run" 2>&1 &
pid=$!
# Both workers are idle (IDLE / event stream) once each has logged its first cycle.
wait_for "both workers idle" 20 sh -c "sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM account_status WHERE state = 'idle'\" | grep -qx 2"
printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: side imap\r\nMessage-ID: <side-imap@localhost>\r\n\r\nhi\r\n' >"$W/i.eml"
imapctl append INBOX "$W/i.eml" >/dev/null
printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: side jmap\r\nMessage-ID: <side-jmap@localhost>\r\n\r\nhi\r\n' >"$W/j.eml"
imapctl -s cyrus append INBOX "$W/j.eml" >/dev/null
check "the running sync gets new IMAP mail (IDLE)" wait_for "imap mail" 5 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE message_id = 'side-imap@localhost'\")\" = 1 ]"
check "... and new JMAP mail (push, or the poll after the stream opened: jmap_push.sh tests push alone)" wait_for "jmap mail" 5 sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE message_id = 'side-jmap@localhost'\")\" = 1 ]"
t0=$(date +%s%N)
kill -TERM $pid
wait $pid
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "SIGTERM stops both workers within 1 s ($ms ms)" test "$ms" -lt 1000

# A server that accepts connections and never answers: the JMAP worker is
# blocked in its session request (timeout 10 s) when the signal comes.
"$LAB_PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >"$W/hole.port" &
hole=$!
wait_for "black hole port" 5 test -s "$W/hole.port"
both_conf "[account hole]" "protocol = jmap" "email = $EMAIL1" "password = x" \
  "jmap_url = http://127.0.0.1:$(cat "$W/hole.port")" "timeout = 10"
"$TERN" -c "$W/conf" sync >"$W/run2" 2>&1 &
pid=$!
wait_for "two workers idle" 20 sh -c "sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM account_status s JOIN account a ON a.id = s.account_id WHERE a.name IN ('im', 'jm') AND s.state = 'idle'\" | grep -qx 2"
t0=$(date +%s%N)
kill -TERM $pid
wait $pid
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "SIGTERM stops all workers within 1 s, one blocked on a silent server ($ms ms)" test "$ms" -lt 1000
kill $hole 2>/dev/null
wait $hole 2>/dev/null

# The TUI runs both workers too: new mail on each server reaches the database.
both_conf
printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: tui imap\r\nMessage-ID: <tui-imap@localhost>\r\n\r\nhi\r\n' >"$W/i2.eml"
imapctl append INBOX "$W/i2.eml" >/dev/null
printf 'From: x@localhost\r\nTo: alice@localhost\r\nSubject: tui jmap\r\nMessage-ID: <tui-jmap@localhost>\r\n\r\nhi\r\n' >"$W/j2.eml"
imapctl -s cyrus append INBOX "$W/j2.eml" >/dev/null
SOCK=$W/tmux.sock
tmux -S "$SOCK" -f /dev/null new-session -d -x 140 -y 40 \
  "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$W/state $TERN -c $W/conf; echo TERN-EXITED-\$?; sleep 30"
screen() { tmux -S "$SOCK" capture-pane -p; }
check "the TUI lists both accounts, each idle after its sync" wait_for "both idle on screen" 20 sh -c \
  "tmux -S '$SOCK' capture-pane -p | grep -Eq ' im +idle' && tmux -S '$SOCK' capture-pane -p | grep -Eq ' jm +idle'"
check "... and its workers stored the new mail of both servers" sh -c "[ \"\$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message WHERE message_id IN ('tui-imap@localhost', 'tui-jmap@localhost')\")\" = 2 ]"
tmux -S "$SOCK" send-keys q
check "the TUI quits cleanly" wait_for "tui exit" 5 sh -c "tmux -S '$SOCK' capture-pane -p | grep -q TERN-EXITED-0"
tmux -S "$SOCK" kill-server >/dev/null 2>&1
check_done
