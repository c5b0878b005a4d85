#!/bin/sh
# A reply whose original is not cached and cannot be fetched: the composer
# says why on the message line and the user stays where they were, free to
# go on (and to reply once the server is back); waiting for the original is
# cancelled with Esc, and the answer that comes later opens nothing.
# Dovecot stopped under the TUI, then a server that never answers.
# (The list is newest first: Lunch plan, then Older thought.)
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
LPID=
trap 'rc=$?; [ -n "$LPID" ] && kill $LPID 2>/dev/null; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT
LOG=$T/state/tern/tern.log
printf 'From: Carol <carol@example.org>\r\nTo: %s\r\nSubject: Older thought\r\nDate: Sun, 01 Nov 2026 10:00:00 +0000\r\nMessage-ID: <older-1@test>\r\n\r\nAn older body.\r\n' "$EMAIL1" |
  imapctl -s dovecot append INBOX - >/dev/null
printf 'From: Bob <bob@example.org>\r\nTo: %s\r\nSubject: Lunch plan\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <lunch-1@test>\r\n\r\nSee you at noon.\r\n' "$EMAIL1" |
  imapctl -s dovecot append INBOX - >/dev/null
cat >"$T/editor" <<'ED'
#!/bin/sh
printf 'Count me in.\n' >>"$1"
ED
chmod +x "$T/editor"
cat >"$T/config" <<CONF
data_dir = $T/data
editor = $T/editor
[account acct]
email = $EMAIL1
username = $USER1
password = $PASS1
timeout = 3
prefetch_days = 0
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE
CONF
chmod 600 "$T/config"
tui_start
check "synced" tui_wait "list" 'Lunch plan' 60
tui_wait "idle" 'acct +idle' 30 >/dev/null
check "no body is cached" test "$(tui_sql "SELECT count(*) FROM body")" = 0

# The server goes away; r on the uncached message.
lab_stop dovecot
check "the account goes offline" tui_wait "down" 'acct +(backoff|offline)' 30
tui_keys r
check "the composer says it cannot fetch the original" tui_wait "why" 'cannot fetch the original: ' 20
check "... opens no compose screen" tui_gone "no composer" 'Subject: Re:' 1
check "... and leaves the user on the list" tui_wait "list" 'Lunch plan.*|Older thought' 1
# The user goes on: once the server is back the same reply works.
lab_startone dovecot
tui_keys '$'
check "reconnected" tui_wait "idle" 'acct +idle' 60
tui_keys r
check "the reply opens with the original fetched" tui_wait "compose" 'Subject: Re: Lunch plan' 30
tui_keys q y
check "aborted" tui_wait "aborted" 'message aborted'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1

# A server that accepts and never answers: the fetch takes the whole
# connect timeout, and Esc gives up waiting for it.
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$T/port" &
LPID=$!
wait_for "listener" 5 test -s "$T/port" || exit 1
# A connect timeout longer than the steps below take: the answer cannot
# come before Esc.
sed -i -e "s/^imap_port = .*/imap_port = $(cat "$T/port")/" -e 's/^timeout = .*/timeout = 8/' "$T/config"
tui_start
tui_wait "list" 'Older thought' >/dev/null
check "the first attempt times out: backoff" tui_wait "backoff" 'acct +backoff' 20
tui_keys j r
check "the wait says how to cancel it" tui_wait "fetching" 'fetching the original… \(<Esc> cancels\)' 5
tui_keys Escape
check "Esc cancels the wait" tui_wait "cancelled" 'cancelled: not waiting for the original' 5
# The worker logs the failed attempt after it queued the request's reply.
n0=$(grep -c 'acct: backoff' "$LOG")
check "the fetch fails later" wait_for "attempt" 40 sh -c "[ \$(grep -c 'acct: backoff' '$LOG') -gt $n0 ]"
# Keys are read after the reply is taken: Esc's answer shows it was.
tui_keys Escape
check "the user is where they were" tui_wait "back" 'Q quits tern' 5
check "... no compose screen opened" tui_gone "no composer" 'Subject: Re:' 1
check "... no failure shown for a cancelled wait" tui_gone "no failure" 'cannot fetch the original' 1
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
check_done
