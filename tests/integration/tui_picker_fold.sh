#!/bin/sh
# The mailbox picker's type-to-filter ignores case and accents in any
# script (acceptance #10, issue 23 #6): "été" and "ete" find "Été", "отч" finds "Отчёты", as "inbox"
# finds INBOX. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5
for n in 'Été' 'Отчёты' 'Sent'; do
  tui_sql "INSERT INTO mailbox (account_id, remote_id, name) SELECT id, '$n', '$n' FROM account WHERE name = 'acct'"
done
tui_start
tui_wait "list" 'Re: Message 5' >/dev/null
# The picker lists one mailbox per line, under its filter line.
picked() { tui_screen | sed -n '/Open mailbox/,$p' | cut -c31-90 | grep -c "$1"; }

tui_keys c 'été'
tui_wait "filter" 'Open mailbox: été' >/dev/null
check "été finds Été" wait_for "Été" 5 test "$(picked 'Été')" -ge 1
check "... and only it" wait_for "no Sent" 5 test "$(picked 'Sent')" = 0
tui_keys Enter
check "... which opens" tui_wait "opened" '\[Été\]'
# Without its accents too (issue 23 #6), as search matches.
tui_keys c 'ete'
tui_wait "filter ete" 'Open mailbox: ete' >/dev/null
check "ete finds Été" wait_for "Été" 5 test "$(picked 'Été')" -ge 1
tui_keys Enter
check "... which opens" tui_wait "opened ete" '\[Été\]'
tui_keys c 'отч'
tui_wait "filter 2" 'Open mailbox: отч' >/dev/null
check "отч finds Отчёты" wait_for "Отчёты" 5 test "$(picked 'Отчёты')" -ge 1
tui_keys Enter
check "... which opens" tui_wait "opened 2" '\[Отчёты\]'
tui_keys c i n b o x Enter
check "inbox still finds INBOX" tui_wait "inbox" '\[INBOX\]'
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
