#!/bin/sh
# Another connection commits while the user reads the list (what a worker
# does): the new mail appears and the cursor stays on the same message.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 60
tui_start
check "list shown" tui_wait "list" 'Message 60 *$'
tui_keys j j j j j
check "cursor moved to Message 55" tui_wait "status pos" '· 6/60 '
tui_fill 3 --add
check "new mail appears" tui_wait "new rows" 'Message 63' 5
check "counts follow" tui_wait "counts" '\[INBOX\] [0-9]+ unread, 63 messages'
check "cursor still on the same message (now row 9)" tui_wait "cursor" '· 9/63 '
tui_keys Enter
check "it is Message 55 that opens" tui_wait "pager" 'Subject: Re: Message 55'
tui_keys q
# scrolling away and back: the refresh re-finds the message by its key
tui_keys PageDown PageDown
tui_fill 2 --add
check "status refreshes after more mail" tui_wait "counts 2" '65 messages' 5
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
