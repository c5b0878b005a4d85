#!/bin/sh
# The limit (l, :limit) and the : command line: the mailbox narrowed to a
# query stays a mailbox (status line, back from the pager, live arrivals,
# tags and ; actions only on what it shows), "all" or nothing clears it;
# : runs actions by name with their argument, Tab completes names and
# mailboxes, an unknown name is answered with the nearest one.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 60 --tree
tui_start
check "list shown" tui_wait "list" 'Message 60 *$'

# from:sender3 is every seventh message: 3, 10, ... 59.
tui_keys l
check "limit prompt" tui_wait "prompt" 'Limit to:'
tui_keys 'from:sender3' Enter
check "status line names the limit" tui_wait "status" '\[INBOX\] limit: from:sender3 · 9 of 60 messages'
check "matching rows shown" tui_wait "rows" 'Message 59 *$'
check "others hidden" tui_gone "hidden" 'Message 58 *$'
check "position within the limit" tui_wait "pos" '· 1/9 '
tui_keys G
check "G goes to the limit's last row" tui_wait "G" '· 9/9 '
tui_keys g Enter
check "pager opens a limited row" tui_wait "pager" 'Subject: Re: Message 59'
tui_keys q
check "back from the pager: still limited" tui_wait "still" 'limit: from:sender3 · 9 of 60'
check "... and only its rows" tui_gone "still hidden" 'Message 58 *$'

# New mail: only what matches shows up, live.
tui_fill 7 --add
check "a new matching message appears" tui_wait "live" 'Message 66 *$' 10
check "counts follow" tui_wait "live count" 'limit: from:sender3 · 10 of 67 messages'
check "a new message that does not match stays hidden" tui_gone "live hidden" 'Message 67 *$'

# Tags and ; inside the limit: T tags only what the limit shows.
tui_keys T
check "tag prompt" tui_wait "T" 'Tag matching:'
tui_keys 'Message' Enter
check "only the limit's rows tagged" tui_wait "tagged" '10 messages match; 10 tagged in all'
flagged0=$(tui_sql "SELECT count(*) FROM message WHERE flagged = 1")
tui_keys '\;' F
check_flags() { [ "$(tui_sql "SELECT count(*) FROM message WHERE flagged = 1")" = $((flagged0 + 10)) ]; }
check "; F flags the ten tagged, nothing outside the limit" wait_for "flags" 10 check_flags
check "the flagged are the limit's" test "$(tui_sql "SELECT count(*) FROM message WHERE flagged = 1 AND from_addr <> 'sender3@fill.test'")" = 0

# l with an empty answer clears (the prompt holds the limit: ^U first).
tui_keys l
check "prompt holds the current limit" tui_wait "initial" 'Limit to: from:sender3'
tui_keys C-u Enter
check "empty answer clears" tui_wait "cleared" '\[INBOX\] [0-9]+ unread, 67 messages'
check "every row back" tui_wait "rows back" 'Message 67 *$'

# : with completion of the action name.
tui_keys ':'
check "command prompt" tui_wait ":" '^:'
tui_keys 'lim' Tab
check "Tab completes the action" tui_wait "complete" '^:limit$'
tui_keys 'from:sender5' Enter
check ":limit QUERY limits" tui_wait ":limit" 'limit: from:sender5 · 9 of 67'
tui_keys ':' 'limit all' Enter
check ":limit all clears" tui_wait ":limit all" '\[INBOX\] [0-9]+ unread, 67 messages'

# Unknown names.
tui_keys ':' 'limt x' Enter
check "a typo gets a suggestion" tui_wait "did you mean" "no action 'limt'; did you mean 'limit'\\?"
tui_keys ':' 'frobnicate' Enter
check "an unknown name says so" tui_wait "unknown" "no action 'frobnicate'"
tui_keys ':' 'toggle-read now' Enter
check "an argument where none is taken" tui_wait "no arg" 'toggle-read takes no argument'

# :move with a completed mailbox name, on the message under the cursor.
tui_keys g
tui_keys ':' 'move INBOX/S' Tab
check "Tab completes a mailbox" tui_wait "mbox complete" '^:move INBOX/Sub$'
tui_keys Enter
check ":move moves" tui_wait "moved" '66 messages'
check "it is in INBOX/Sub" test "$(tui_sql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'INBOX/Sub'")" -ge 1
# :mailbox NAME opens it; a limit belongs to its mailbox.
tui_keys ':' 'limit from:sender1' Enter
check "limited again" tui_wait "again" 'limit: from:sender1'
tui_keys ':' 'mailbox Work' Enter
check ":mailbox opens another mailbox" tui_wait "Work" '\[Work\] '
tui_keys ':' 'mailbox INBOX' Enter
check "the other mailbox's limit is gone" tui_wait "INBOX whole" '\[INBOX\] [0-9]+ unread, 66 messages'
# An action without argument runs as its key: :quit.
tui_keys ':' 'quit' Enter
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
