#!/bin/sh
# The prompts remember what was typed (issue 23 #5), as in mutt: Up or ^P
# recalls earlier entries of the same prompt, Down or ^N goes back towards
# the line being typed; a search whose query has an error comes back for
# editing with the error beside it. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5
tui_start
tui_wait "list" 'Re: Message 5' >/dev/null
tui_keys / 'Message 3' Enter
check "a search runs" tui_wait "first" 'search: Message 3'
tui_keys / Up
check "Up recalls it at the next /" tui_wait "up" 'Search: Message 3$'
tui_keys C-u 'subject:(' Enter
check "a bad query comes back for editing, with the error" tui_wait "bad" 'bad query: .*Search: subject:\($'
tui_keys BSpace 'Message 2' Enter
check "... and runs once corrected" tui_wait "fixed" 'search: subject:Message 2'
tui_keys /
tui_wait "prompt" 'Search: ?$' >/dev/null
tui_keys Up
check "Up: the newest entry first" tui_wait "up1" 'Search: subject:Message 2$'
tui_keys C-p
check "^P: the one before (the bad query)" tui_wait "up2" 'Search: subject:\($'
tui_keys Up
check "Up: the first" tui_wait "up3" 'Search: Message 3$'
tui_keys Up
check "... and stays at the oldest" tui_wait "up4" 'Search: Message 3$'
tui_keys Down C-n
check "Down and ^N go forward" tui_wait "down" 'Search: subject:Message 2$'
tui_keys Down
check "... back to the empty line being typed" tui_wait "draft" 'Search: ?$'
tui_keys Escape
tui_keys T
tui_wait "tag prompt" 'Tag matching: ?$' >/dev/null
tui_keys Up
check "each prompt has its own history (T has none)" tui_wait "tag" 'Tag matching: ?$'
tui_keys Escape Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
