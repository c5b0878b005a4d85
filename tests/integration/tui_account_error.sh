#!/bin/sh
# Errors belong to their account and are shown whole (issue 23 #3): the
# status line shows the selected account's error in full (never another
# account's), with what the user can do, and counts the other accounts in
# trouble; i (or Enter on an account in trouble that has nothing to open
# yet) shows its whole error and what to do about it. Offline: one account's server refuses connections, the
# other's password_cmd fails (an error tern does not retry by itself).
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
cat >>"$T/config" <<CONF
[account second]
email = second@fill.test
password_cmd = exit 3
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
CONF
tui_fill 5
tui_start 200 40
tui_wait "list" 'Re: Message 5' >/dev/null
check "the first account's error, whole, on the status line" \
  tui_wait "first" 'acct: retrying in [0-9]+ s — \$ now, i details · error: cannot connect to 127\.0\.0\.1:9'
check "... and the other account counted, not shown as this one's" tui_wait "other" '1 other account in trouble'
check "... its error not on the status line" tui_gone "not second" 'password_cmd failed' 5
tui_keys Tab j
check "the second account selected: its own error on the status line" \
  tui_wait "second" 'second: retrying in [0-9]+ s — \$ now, i details · error: account .second.: password_cmd failed \(exit status 3\)'
check "... the first one's no longer" tui_gone "not first" 'error: cannot connect' 5
tui_keys Enter
check "Enter on it shows the whole error" tui_wait "info" 'password_cmd failed \(exit status 3\) or printed nothing; run it in a shell to see why'
check "... with what to do" tui_wait "advice" 'will not go away by itself: a refused login, a certificate or a setting'
check "... and which key retries" tui_wait "key" '\$: try now'
tui_keys q
check "a key closes it" tui_gone "closed" 'What to do:'
tui_keys Tab Enter
check "Enter in its empty mailbox pane says why nothing opens" tui_wait "empty pane" 'no mailboxes yet: the first sync lists them'
tui_keys Tab Tab k Enter
check "Enter on the first account (it has mailboxes) opens them as ever" tui_wait "mailboxes" 'Mailboxes — acct' 
tui_gone "no info" 'What to do:' 2 >/dev/null
tui_keys Tab i
check "i from the list shows the selected account's error, whole" tui_wait "info 1" 'The server cannot be reached'
check "... which is this account's" tui_wait "info 1 name" 'Account acct \(IMAP, 127\.0\.0\.1 port 9\)'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
