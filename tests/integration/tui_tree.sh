#!/bin/sh
# The threaded view draws the tree as mutt does (issue 23, point 7): a
# child with a later sibling gets ├>, the last one └>, and │ carries an
# ancestor's line past its children; the status line gives the position as
# in the flat view (5/1,769, not "· 5"). Under LANG=C the lines are ASCII
# or the terminal's line set, never blanks. The mailbox picker (point 8)
# is a framed box with nothing of the list showing through or beside it.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 6 --fork
# A subject ending in wide characters just at the picker's right edge: a
# half-overwritten one used to leave its other half and the rest beside
# the picker.
tui_sql "UPDATE message SET subject = 'Wide $(printf '全%.0s' $(seq 1 60))' WHERE subject = 'Re: Message 4'"
tui_start
tui_wait "list" 'Fork root' >/dev/null
tui_keys V
check "threaded view: the root" tui_wait "root" '\(threads\)' 10
check "a child with a later sibling: ├>" tui_wait "tee" '├>Fork a *$' 5
check "a grandchild under it, the parent's line going on: │ └>" tui_wait "vline" '│ └>Fork a1 *$' 5
check "the last child: └>" tui_wait "corner" ' └>Fork b *$' 5
check "a chain of replies keeps └>" tui_wait "chain" ' └>Re: Message 5 *$' 5
# The cursor stays on the newest message, Fork b: fourth in tree order.
check "the position reads n/total in the threaded view too" tui_wait "position" '· 4/10 ' 5
tui_keys k k
check "... and follows the cursor" tui_wait "position 2" '· 2/10 ' 5

# The picker: framed, cleared behind and beside it.
tui_keys s
tui_wait "picker" 'Move to:' >/dev/null
check "the picker has a frame" sh -c "tmux -S '$TUI_SOCK' capture-pane -p | grep -q '┌─*┐' && tmux -S '$TUI_SOCK' capture-pane -p | grep -q '└─*┘'"
check "its sides are framed" tui_wait "sides" '│ Move to: _ *│' 5
# Nothing of the list shows in the column either side of the frame.
check "nothing of the rows behind beside the frame" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p | sed -n '2,20p' | grep -q '[^ ]│\\|│[^ ]'"
tui_keys Escape
tui_gone "picker closed" 'Move to:' 5 >/dev/null
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# LANG=C: the tree lines are still drawn (ASCII or the line set), not blanks.
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-c.sock
TUI_LANG=C tui_start
tui_wait "list C" 'Fork root' >/dev/null
tui_keys V
check "LANG=C: the tree is drawn" tui_wait "tree C" '(├|\+|t)>Fork a *$' 10
check "LANG=C: the last child" tui_wait "corner C" '(└|`|m)>Fork b *$' 5
tui_keys Q
check "LANG=C: quits cleanly" tui_wait "exit C" 'TERN-EXITED-0'
check_done
