#!/bin/sh
# New mail says so (issue 23, point 12): when a worker stores new unread
# mail, the message line names where ("3 new in INBOX"), the terminal bell
# rings with beep_new = yes, and the title counts it with set_title = yes
# until a key is pressed. Mail older than the session (a first sync) is
# not announced. Offline: tui_fill commits as a worker would.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
sed -i '1i beep_new = yes\nset_title = yes' "$T/config"
tui_fill 6
tui_start
tui_wait "list" 'Message 6' >/dev/null
title() { tmux -S "$TUI_SOCK" display -p '#{pane_title}'; }
bell() { tmux -S "$TUI_SOCK" display -p '#{window_bell_flag}'; }
check "the title is set at start" wait_for "title" 5 sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = tern ]"
check "no bell yet" test "$(bell)" = 0
# Old mail stored by a sync (dated 2023) is no news.
tui_fill 2 --add --unread
tui_wait "old mail listed" 'Message 8 *$' >/dev/null
check "mail older than the session is not announced" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p | grep -q ' new in '"
tui_fill 3 --add --now --unread
check "new mail is announced on the message line" tui_wait "notice" '^3 new in INBOX *$' 10
check "... and listed" tui_wait "listed" 'Message 11 *$' 5
check "the bell rang (beep_new = yes)" wait_for "bell" 5 sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{window_bell_flag}')\" = 1 ]"
check "the title counts it (set_title = yes)" wait_for "title count" 5 sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = 'tern (3 new)' ]"
tui_fill 1 --add --now --unread --box Lists/tern-dev
check "mail in another folder names it" tui_wait "notice 2" '^1 new in Lists/tern-dev *$' 10
check "the title adds it up" wait_for "title 4" 5 sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = 'tern (4 new)' ]"
tui_keys j
check "a key clears the title's count" wait_for "title clear" 5 sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = tern ]"
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# Without the options: the notice, no bell, no title.
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-2.sock
sed -i '/^beep_new\|^set_title/d' "$T/config"
tui_start
tui_wait "list 2" 'Message 11' >/dev/null
tui_fill 2 --add --now --unread
check "without beep_new: the notice..." tui_wait "notice 3" '^2 new in INBOX *$' 10
check "... and no bell" test "$(bell)" = 0
check "... nor a title" sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" != tern ]"
tui_keys Q
check "quits cleanly" tui_wait "exit 2" 'TERN-EXITED-0'
check_done
