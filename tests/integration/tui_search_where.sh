#!/bin/sh
# Search results say where each message is (acceptance #6): a mailbox
# column, with the account too when the results hold several accounts; after
# d, a or s on a result its row shows the new mailbox at once. Offline, on a
# fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
cat >>"$T/config" <<CONF
[account other]
email = other@fill.test
password = unused
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
CONF
tui_fill 20
"$TUI_FILL" "$T/data/tern.db" other 5 --prefix O-
tui_start
tui_wait "list" 'Re: Message 20' >/dev/null

# The mailbox view has no mailbox column (the title says it).
check "a mailbox's list has no mailbox column" tui_wait "plain" '[0-9:]+ +sender6@fill\.test +Re: Message 20'

tui_keys / s u b j e c t : 1 7 Enter
tui_wait "search" 'search: subject:17' >/dev/null
check "the status line counts the results, and the cursor among them" tui_wait "count 1" '\[search: subject:17\] 1 result · 1/1'
check "a search row names its mailbox" tui_wait "INBOX col" 'INBOX +sender3@fill\.test +Re: Message 17'
tui_keys d
check "d: the row shows the Trash at once" tui_wait "Trash col" 'Trash +sender3@fill\.test +Re: Message 17'
tui_keys a
check "a: the row shows the Archive" tui_wait "Archive col" 'Archive +sender3@fill\.test +Re: Message 17'
tui_keys s L i s t s Enter
check "s: the row shows the mailbox picked" tui_wait "Lists col" 'Lists +sender3@fill\.test +Re: Message 17'
tui_keys q
tui_wait "INBOX" '\[INBOX\]' >/dev/null

# Every account: the account is named too.
tui_keys A s u b j e c t : 4 Enter
tui_wait "search all" 'search \(all accounts\): subject:4' >/dev/null
check "search-all names the account and mailbox" tui_wait "acct col" 'acct:INBOX +sender4@fill\.test +Re: Message 4'
check "... of each row" tui_wait "other col" 'other:INBOX +sender4@fill\.test +Re: O-Message 4'
check "... counted over every account" tui_wait "count all" '\[search \(all accounts\): subject:4\] 2 results · 1/2'
tui_keys q
tui_wait "INBOX 2" '\[INBOX\]' >/dev/null
tui_keys / s u b j e c t : n o w h e r e Enter
check "no match: the status line says so" tui_wait "count none" '\[search: subject:nowhere\] no results'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
