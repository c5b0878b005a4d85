#!/bin/sh
# Search in the TUI (issue 8), offline: `/` turns the message list into the
# results of one account; `A` searches every account; a triage action on a
# result row goes to the account that message belongs to; a bad query says
# where it is wrong.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
cat >>"$T/config" <<CONF
[account other]
email = me2@fill.test
password = unused
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
CONF
tui_fill 30
"$TUI_FILL" "$T/data/tern.db" other 20 >/dev/null

tui_start
check "the list shows acct's newest" tui_wait "list" 'Message 30'
tui_keys /
tui_keys -l 'subject:"Message 17"'
tui_keys Enter
check "/ shows the one match of this account" tui_wait "search" 'search: subject'
check "... and nothing else" sh -c "[ \$(tmux -S '$TUI_SOCK' capture-pane -p | grep -Ec 'fill\\.test +(Re: )?Message 17 *$') = 1 ]"
tui_keys A
tui_keys -l 'subject:"Message 17"'
tui_keys Enter
check "A searches every account" tui_wait "search-all" 'all accounts'
check "... both accounts' matches are listed" \
  sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do [ \$(tmux -S '$TUI_SOCK' capture-pane -p | grep -Ec 'fill\\.test +(Re: )?Message 17 *$') = 2 ] && exit 0; sleep 0.3; done; exit 1"
tui_keys G
tui_keys F
check "a flag on the last result is queued for its own account" \
  wait_for "flag queued" 5 sh -c "[ -n \"\$(sqlite3 '$T/data/tern.db' \"SELECT 1 FROM pending_change WHERE change_type = 'flag'\")\" ]"
tui_keys g
tui_keys F
check "... and on the first for the other one" \
  wait_for "two flags" 5 sh -c "[ \"\$(sqlite3 '$T/data/tern.db' \"SELECT count(DISTINCT m.account_id) FROM pending_change p JOIN message m ON m.id = p.resource_id WHERE p.change_type = 'flag'\")\" = 2 ]"
tui_keys /
tui_keys -l 'from:'
tui_keys Enter
check "a bad query names its column" tui_wait "error" 'bad query: .*column'
tui_keys Q
check_done
