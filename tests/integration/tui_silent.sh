#!/bin/sh
# Every key that cannot act says why (issue 23 #4): F (and N) on a message
# that a sync removed while it was open in the pager, as d already did; a
# key bound to nothing in the pane that has the focus; Enter on an empty
# list. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5
tui_start
tui_wait "list" 'Re: Message 5' >/dev/null
tui_keys Enter
tui_wait "pager" 'Body of message 5' >/dev/null
# What a sync does when the server no longer has it (CONFLICTS.md rule 2).
id=$(tui_sql "SELECT id FROM message WHERE subject = 'Re: Message 5'")
tui_sql "PRAGMA foreign_keys = ON; DELETE FROM message WHERE id = $id"
tui_gone "the list drops it" 'sender5@fill.test +Re: Message 5' >/dev/null
tui_keys F
check "F on the removed message says it is gone" tui_wait "F" 'the message is gone: a sync saw it removed'
tui_keys j
tui_gone "message line cleared" 'the message is gone' >/dev/null
tui_keys N
check "... and so does N" tui_wait "N" 'the message is gone: a sync saw it removed'
tui_keys q
tui_keys x
check "an unbound key in the list says so" tui_wait "x" 'x does nothing in the list \(\? lists the keys\)'
tui_keys Tab
tui_keys F
check "F in the accounts pane says it does nothing there" tui_wait "F accounts" 'F does nothing in the accounts pane'
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
