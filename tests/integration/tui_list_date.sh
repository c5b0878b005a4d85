#!/bin/sh
# The list's date column is the Date header (acceptance #9), as mutt and
# `tern list` show it, the arrival time when there is none; the order stays
# by arrival. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5
# Message 5 (the newest arrival) was written long before it arrived; Message
# 4 has no Date header.
tui_sql "UPDATE message SET sent_at = $(date -d '2020-03-04 12:00' +%s) WHERE subject = 'Re: Message 5'"
tui_sql "UPDATE message SET sent_at = 0, received_at = $(date -d '2021-05-06 12:00' +%s) WHERE subject = 'Re: Message 4'"
tui_start
check "the Date header is shown" tui_wait "sent" '2020-03-04 +sender5@fill\.test +Re: Message 5'
check "... the arrival time when it has none" tui_wait "received" '2021-05-06 +sender4@fill\.test +Re: Message 4'
check "the order stays by arrival: Message 5 on top" sh -c "tmux -S '$TUI_SOCK' capture-pane -p | grep -m1 'sender' | grep -q 'Re: Message 5'"
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
