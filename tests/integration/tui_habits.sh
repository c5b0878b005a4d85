#!/bin/sh
# mutt habits (issue 23, point 13): N and F move the cursor to the next
# message (resolve; resolve = no keeps it); Sent and Drafts show the
# recipient instead of the sender; a \Noselect folder is a heading without
# a count. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 6
tui_sql "INSERT INTO mailbox (account_id, remote_id, name, role, delim) SELECT id, 'Sent', 'Sent', 'sent', '/' FROM account WHERE name = 'acct'"
tui_sql "UPDATE message SET to_list = 'Anna Berg <anna@example.org>' WHERE subject = 'Message 3'"
tui_sql "UPDATE message_mailbox SET mailbox_id = (SELECT id FROM mailbox WHERE name = 'Sent') WHERE message_id = (SELECT id FROM message WHERE subject = 'Message 3')"
tui_sql "UPDATE mailbox SET selectable = 0 WHERE name = 'Lists'"
tui_start
tui_wait "list" 'Message 6' >/dev/null
check "the cursor starts on the first row" tui_wait "first" '· 1/6 '
tui_keys N
check "N marks the message unread..." tui_wait "unread" ' N .*Message 6 *$' 5
check "... and moves to the next (resolve)" tui_wait "resolve N" '· 2/6 ' 5
tui_keys F
check "F flags it and moves on" tui_wait "resolve F" '· 3/6 ' 5
check "... the flag is on the second row" tui_wait "flagged" '!.*Re: Message 5 *$' 5
# d takes the row away: the next message comes under the cursor; u puts
# the cursor back on the message it restored.
tui_keys d
tui_gone "deleted" 'Re: Message 4 *$' 5 >/dev/null
tui_keys Enter
check "after d the cursor is on the next message" tui_wait "next after d" 'Subject: Re: Message 2' 5
tui_keys q u
tui_wait "undone" 'Re: Message 4 *$' 5 >/dev/null
tui_keys Enter
check "u puts the cursor on the message it restored" tui_wait "undo cursor" 'Subject: Re: Message 4' 5
tui_keys q
check "a \\Noselect folder is a heading, without a count" tui_wait "heading" '^ Lists/ *│' 5
check "... its children are listed under it" tui_wait "child" '^   tern-dev +0│' 5
tui_keys c S e n t Enter
check "Sent shows the recipient, not the sender" tui_wait "sent" 'To Anna Berg +Message 3 *$' 10
tui_keys c I N B O X Enter
check "INBOX still shows the sender" tui_wait "inbox" 'sender6@fill.test +Message 6 *$' 10
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# resolve = no: the cursor stays.
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-2.sock
sed -i '1i resolve = no' "$T/config"
tui_start
tui_wait "list 2" 'Message 6' >/dev/null
tui_keys F
check "resolve = no: F flags..." tui_wait "flag 2" '!.*Message 6 *$' 5
check "... and the cursor stays" tui_wait "stay" '· 1/6 ' 5
tui_keys Q
check "quits cleanly" tui_wait "exit 2" 'TERN-EXITED-0'
check_done
