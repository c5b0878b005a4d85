#!/bin/sh
# Yes/no questions take one key, as in mutt (acceptance #2): y answers at
# once (no Enter), a key that is not an answer is ignored and the question
# stays (it is not typed into it), Enter takes the default, n and Esc say no.
# Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
sed -i '1a confirm_quit = yes' "$T/config"
tui_fill 20
id_of() { tui_sql "SELECT id FROM message WHERE subject = '$1'"; }
tui_start
tui_wait "list" 'Re: Message 20' >/dev/null

# Quit: j is not an answer, n is no, Enter is the default (no).
tui_keys Q
check "Q asks" tui_wait "quit ask" 'Quit tern\? \[y/N\] *$'
tui_keys j
check "j is ignored: the question stays as it was" tui_wait "still asking" 'Quit tern\? \[y/N\] *$'
tui_keys n
check "n answers no at once" tui_gone "asked" 'Quit tern\?'
check "... and the cursor did not move (j went nowhere)" tui_wait "cursor" '· 1/'
tui_keys Q Enter
check "Enter takes the default, no" tui_gone "asked 2" 'Quit tern\?'
check "... tern still runs" tui_gone "running" 'TERN-EXITED'

# Drop failed changes: one y, nothing else, drops them.
tui_keys d
wait_for "queued" 5 test "$(tui_sql "SELECT count(*) FROM pending_change")" = 1
tui_sql "UPDATE pending_change SET status = 'failed', last_error = 'refused for the test'"
tui_wait "failed shown" 'FAILED' >/dev/null
tui_keys X
check "X asks" tui_wait "drop ask" 'Drop 1 failed change \(of other messages\)\? \[y/N\] *$'
tui_keys Escape
check "Esc is no" tui_wait "nothing dropped" 'nothing dropped'
tui_keys X
tui_wait "drop ask 2" 'Drop 1 failed change' >/dev/null
tui_keys y
check "y alone drops" wait_for "dropped" 5 test "$(tui_sql "SELECT count(*) FROM pending_change")" = 0
check "... and says so" tui_wait "said" 'dropped 1 failed change'

# Quit with y: no Enter needed.
tui_keys Q y
check "Q y quits" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
