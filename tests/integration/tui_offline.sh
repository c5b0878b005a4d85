#!/bin/sh
# Offline, the slow way (review of issue 6, #14): a server that accepts the
# connection and then says nothing (packets dropped, a dead host behind a
# NAT). Opening a message that is not cached must say at once that the
# account is offline, not show "loading…" for the whole connect timeout.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
skip_if_missing python3
tui_setup
# A listener that never answers: connect succeeds, the greeting never comes.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$T/port" &
LPID=$!
trap 'kill $LPID 2>/dev/null; _tui_cleanup' EXIT
wait_for "listener" 5 test -s "$T/port" || exit 1
sed -i -e "s/^imap_port = .*/imap_port = $(cat "$T/port")/" -e 's/^timeout = .*/timeout = 8/' "$T/config"
tui_fill 10
tui_start
tui_wait "list" 'Re: Message 10' >/dev/null
check "the first attempt times out: backoff" tui_wait "backoff" 'acct +backoff' 20
# Message 10 is not cached.
tui_keys Enter
check "an uncached message says offline at once" tui_wait "offline now" 'offline — not cached \(asking the server' 2
check "... and is not marked read" test "$(tui_sql "SELECT seen FROM message WHERE subject = 'Re: Message 10'")" = 0
check "the worker's answer comes after its timeout" tui_wait "final" 'offline — not cached$|cannot fetch' 20
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
check_done
