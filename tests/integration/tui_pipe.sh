#!/bin/sh
# Piping from the TUI against Dovecot (bodies not cached: prefetch off):
# | fetches the body from the server first, runs the command on the raw
# message (LF line ends), shows its output and "pipe: exit N"; the prompt
# has history; after ; the tagged messages go as an mbox ("From " lines,
# >From quoting, the list's order), whatever order they were tagged in;
# offline, an uncached message is named and the command does not run.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
LPID=
trap 'rc=$?; [ -n "$LPID" ] && kill $LPID 2>/dev/null; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT
LOG=$T/state/tern/tern.log

app() {  # SUBJECT DAY BODY
  printf 'From: Ann <ann@example.org>\r\nTo: %s\r\nSubject: %s\r\nDate: %s Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@test>\r\n\r\n%s\r\n' \
    "$EMAIL1" "$1" "$2" "$(echo "$1" | tr ' ' -)" "$3" | imapctl -s dovecot append INBOX - --date "$2-Nov-2026 10:00:00 +0000" >/dev/null
}
# Newest first in the list: patch 3, patch 2, patch 1, old note.
app "old note" 02 "kept offline"
app "patch 1" 03 "$(printf 'first\r\nFrom the start\r\n>From a quote\r\nend')"
app "patch 2" 04 "second"
app "patch 3" 05 "third"
cat >"$T/config" <<CONF
data_dir = $T/data
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
cached() { tui_sql "SELECT count(*) FROM body"; }

tui_start
check "synced" tui_wait "list" 'old note' 60
tui_wait "idle" 'acct +idle' 30 >/dev/null
check "no body is cached" test "$(cached)" = 0

# One message, uncached: fetched first, then piped raw.
tui_keys g '|'
check "| asks for a command" tui_wait "prompt" 'Pipe to command:' 10
tui_keys 'wc -l' Enter
check "the exit status on the status line" tui_wait "exit 0" 'pipe: exit 0' 30
check "the body was fetched from the server first" test "$(cached)" = 1
n=$(imapctl -s dovecot fetch INBOX "$(imapctl -s dovecot find INBOX '<patch-3@test>')" | wc -l)
check "the output is shown: the raw message's $n lines" tui_wait "wc" "^ *$n *\$" 5
check "... in a view titled with the command" tui_wait "title" 'pipe: wc -l \(1 message\)' 5
tui_keys q
check "q closes the output" tui_gone "closed" 'pipe: wc -l \(1 message\)' 5

# The prompt's history; stderr shown too; a failing command's status.
tui_keys '|' Up
check "Up recalls the last command" tui_wait "history" 'Pipe to command: wc -l' 5
tui_keys C-u 'cat; echo oops >&2; exit 3' Enter
check "a failing command: pipe: exit 3" tui_wait "exit 3" 'pipe: exit 3' 20
check "... its output: the message, raw" tui_wait "raw" '^Message-ID: <patch-3@test>' 5
check "... and what it wrote on stderr" tui_wait "stderr" '^oops' 5
tui_keys q

# Tagged, in another order than the list's: an mbox in the list's order.
tui_keys g j j t g t t
tui_keys '\;' '|'
check "the prompt says it pipes the tagged messages" tui_wait "tagged" '3 tagged, as an mbox: *Pipe to command:' 10
tui_keys C-u "tee $T/out.mbox | grep -c '^From '" Enter
check "the tagged bodies fetched, then run" tui_wait "exit 0 b" 'pipe: exit 0' 30
check "three From separators" tui_wait "count" '^3 *$' 5
tui_keys q
check "the list's order: patch 3, 2, 1" test "$(grep '^Subject:' "$T/out.mbox" | tr '\n' ,)" = "Subject: patch 3,Subject: patch 2,Subject: patch 1,"
check "From lines: envelope sender and asctime date" grep -qx 'From ann@example.org Thu Nov  5 10:00:00 2026' "$T/out.mbox"
check "mboxrd: From and >From in a body quoted" sh -c "grep -qx '>From the start' '$T/out.mbox' && grep -qx '>>From a quote' '$T/out.mbox'"
check "LF line ends" sh -c "! grep -q \"\$(printf '\\r')\" '$T/out.mbox'"
check "a blank line before each separator" test "$(grep -B1 '^From ' "$T/out.mbox" | grep -c '^$')" = 2

# Offline: the uncached message is named and nothing runs.
lab_stop dovecot
check "the account goes offline" tui_wait "down" 'acct +(backoff|offline)' 30
tui_keys G '|' C-u "touch $T/ran" Enter
check "offline: says which is missing" tui_wait "missing" 'pipe: not run: 1 of 1 message not downloaded .*#[0-9]+' 20
check "... and did not run it" test ! -e "$T/ran"
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1

# A server that accepts and never answers: the fetch waits out the whole
# connect timeout, the message line shows the progress, and Esc gives up
# the wait: the answer that comes later runs nothing.
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$T/port" &
LPID=$!
wait_for "listener" 5 test -s "$T/port" || exit 1
sed -i -e "s/^imap_port = .*/imap_port = $(cat "$T/port")/" -e 's/^timeout = .*/timeout = 8/' "$T/config"
tui_start
tui_wait "list" 'old note' >/dev/null
check "the first attempt times out: backoff" tui_wait "backoff" 'acct +backoff' 20
tui_keys G '|' C-u "touch $T/ran2" Enter
check "the progress, and how to cancel" tui_wait "fetching" 'pipe: fetching 1 of 1… \(<Esc> cancels\)' 5
tui_keys Escape
check "Esc cancels the pipe" tui_wait "cancelled" 'pipe: cancelled' 5
n0=$(grep -c 'acct: backoff' "$LOG")
check "the fetch fails later" wait_for "attempt" 40 sh -c "[ \$(grep -c 'acct: backoff' '$LOG') -gt $n0 ]"
# The worker logs the attempt after it queued the reply, which the screen
# takes at once: had the pipe still waited, "pipe: not run" would show.
check "... its answer is dropped: still 'cancelled'" tui_wait "still cancelled" 'pipe: cancelled' 2
check "... and nothing was run" test ! -e "$T/ran2"
tui_keys '|'
check "a new pipe can start (not 'still fetching')" tui_wait "prompt again" 'Pipe to command:' 5
tui_keys Escape
tui_keys Q
check "quits cleanly again" tui_wait "exit 2" 'TERN-EXITED-0' 20
check "no sanitizer report (2)" tui_clean_exit
check_done
