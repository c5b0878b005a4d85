#!/bin/sh
# Untrusted text reaches the terminal inert: a subject and a body holding
# ANSI (CSI) and OSC sequences show as ^[ ... and the terminal title stays.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5 --evil
tui_start
tmux -S "$TUI_SOCK" select-pane -T clean-title
check "subject shows the escapes inert" tui_wait "subject" 'Evil \^\[\[31mRED\^\[\[0m \^\[\]0;PWNED-TITLE\^G subject'
tui_keys Enter
check "body shows the escapes inert" tui_wait "body" 'Body \^\[\[2J\^\[\]0;PWNED-BODY\^G with \^\[\[41mescapes'
check "a C1 CSI byte is shown, not obeyed" tui_wait "C1" 'and (<U\+009B>|�)31m C1'
check "the terminal title did not change" sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = clean-title ]"
check "no colour reached the terminal" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p -e | grep -q \$(printf '\\033')'\\[\\(31\\|41\\)m'"
tui_keys H
check "raw view is inert too" tui_wait "raw" 'Subject: Evil \^\['
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
