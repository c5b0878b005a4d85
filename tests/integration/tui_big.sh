#!/bin/sh
# A 100,000-message mailbox: the first screen, the end (G), back to the
# top (g), page keys and the threaded view, each a screen of queries; a
# reply whose parent is missing is threaded through its References.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 100000
tui_start
check "first screen: the newest" tui_wait "top" 'Re: Message 100000 *$' 20
tui_keys G
check "G reaches the oldest at once" tui_wait "end" ' Message 1 *$' 5
check "the status line gives the position of the total (mutt's 14/2362)" tui_wait "last" '· 100,000/100,000 '
check "the mailbox pane and the status line group the counts alike" tui_wait "counts" '^>INBOX +20,000/100,000│'
check "... the status line's" tui_wait "status counts" '\[INBOX\] 20,000 unread, 100,000 messages · '

tui_keys PageUp
check "page up from the end" tui_wait "page up" 'Message [0-9]{2} *$' 5
tui_keys g
check "g back to the newest" tui_wait "top again" 'Re: Message 100000 *$' 5
tui_keys PageDown PageDown
check "two pages down" tui_wait "pages" 'Message 999[0-9]{2} *$' 5
tui_keys V
check "threaded view indents replies" tui_wait "threads" '└>Re: Message' 10
tui_keys G
check "threaded view reaches the end" tui_wait "thread end" ' Message 1 *$' 5
# Every thread collapsed: one row each, read a screen at a time.
tui_keys Escape V
check "Esc-V collapses all 100,000 messages' threads" tui_wait "collapsed end" '\(2\) Re: Message 1 *$' 10
tui_keys g
check "... g: the newest thread, one row" tui_wait "collapsed top" '\(2\) Message 99999 *$' 5
tui_keys Escape V
# A reply whose parent never arrived joins its thread through References.
tui_fill 0 --add --gap
tui_keys g
check "a reply with a missing parent sits under the root it references" tui_wait "gap" '└>Gap reply' 10
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
