#!/bin/sh
# Folders from the mailbox pane (offline, on a fixture database): C creates
# (shown at once, queued), R renames (the new name at once), D deletes an
# empty folder at once and asks "Delete folder X and its N messages?" for
# one that holds messages; special folders refuse with a message.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 20
tui_fill 3 --box Old >/dev/null
q() { tui_sql "$1"; }
tui_start
tui_wait "list" 'Re: Message 20' >/dev/null
# The list has the focus; Tab goes to the accounts, then the mailboxes.
tui_keys Tab Tab g

tui_keys D
check "D on INBOX refuses: a special folder" tui_wait "refused" 'INBOX is the account.s inbox folder: special folders cannot be deleted'
check "... nothing queued" test "$(q 'SELECT count(*) FROM pending_change')" = 0

tui_keys C
check "C asks for the name" tui_wait "create prompt" 'Create folder:'
tui_keys -l "Projects"
tui_keys Enter
check "... the folder is shown at once" tui_wait "created" 'created folder Projects'
check "... and its create queued" test "$(q "SELECT change_type || ':' || mailbox_name FROM pending_change")" = "mailbox_create:Projects"
check "... its row has no server name yet" test "$(q "SELECT substr(remote_id, 2, 6) FROM mailbox WHERE name = 'Projects'")" = "local:"

tui_keys G
tui_keys R
check "R asks for the new name, the old one to edit" tui_wait "rename prompt" 'Rename folder to: Projects'
tui_keys C-u
tui_keys -l "Plans"
tui_keys Enter
check "... the new name is shown at once" tui_wait "renamed" 'renamed Projects to Plans'
check "... in the pane" tui_wait "pane" '^ Plans '
check "... and queued with the old name for undo" test "$(q "SELECT mailbox_name || '<' || old_name FROM pending_change WHERE change_type = 'mailbox_rename'")" = "Plans<Projects"

tui_keys G
tui_keys D
check "D on an empty folder deletes it at once" tui_wait "deleted" 'deleted folder Plans'
check "... it is hidden from the pane" tui_gone "plans gone" '^ Plans '
check "... and its delete queued" test "$(q "SELECT count(*) FROM pending_change WHERE change_type = 'mailbox_delete'")" = 1

tui_keys G
tui_keys D
check "D on a folder with messages asks first" tui_wait "ask" 'Delete folder Old and its 3 messages\? \[y/N\]'
tui_keys n
check "... n keeps it" tui_wait "kept" 'kept Old'
check "... nothing more queued" test "$(q "SELECT count(*) FROM pending_change WHERE change_type = 'mailbox_delete'")" = 1
tui_keys D
tui_wait "ask 2" 'Delete folder Old' >/dev/null
tui_keys y
check "... y deletes it with its messages" tui_wait "deleted old" 'deleted folder Old'
check "... queued as agreed" test "$(q "SELECT count(*) FROM pending_change WHERE change_type = 'mailbox_delete' AND is_delete = 1")" = 1

# A folder whose last syncs failed (as the IMAP engine records it) shows a ! before its counts.
tui_sql "INSERT INTO sync_state (account_id, resource, state, synced_at) SELECT b.account_id, 'imapfail:' || b.remote_id, '2 ' || strftime('%s', 'now'), 0 FROM mailbox b WHERE b.name = 'Archive'"
check "a folder whose syncs failed is marked with !" tui_wait "failing mark" '^ Archive +! ?[0-9]'
check "... the others are not" tui_gone "no mark on INBOX" '^.INBOX +!'

tui_keys '?'
check "the help lists the folder keys" tui_wait "help" 'create-mailbox'
tui_keys q
tui_keys Q
check "Q quits" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
