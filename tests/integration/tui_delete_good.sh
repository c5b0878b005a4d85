#!/bin/sh
# A delete that cannot be taken back asks first (acceptance #3): d in the
# Trash, or with delete_to_trash = no, asks "for good? [y/N]", the message
# line says "deleted for good", and u after the server expunged it says it
# cannot be undone. A plain delete to the Trash does not ask. Also (#16) d
# on a message a sync removed meanwhile says it is gone. Offline, on a
# fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
cat >>"$T/config" <<CONF
[account keep]
email = keep@fill.test
password = unused
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
delete_to_trash = no
CONF
tui_fill 20
"$TUI_FILL" "$T/data/tern.db" keep 3 --prefix K-
id_of() { tui_sql "SELECT id FROM message WHERE subject = '$1'"; }
box_of() { tui_sql "SELECT coalesce(group_concat(b.name), '') FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $(id_of "$1") AND mm.hidden = 0"; }
tui_start
tui_wait "list" 'Re: Message 20' >/dev/null

# To the Trash: no question.
tui_keys d
check "d in INBOX moves to the Trash without asking" tui_wait "to trash" '^deleted: 1 message'
check "... it is in the Trash" test "$(box_of 'Re: Message 20')" = Trash

# In the Trash: asks; n keeps it.
tui_keys c T r a s h Enter
tui_wait "Trash" '\[Trash\]' >/dev/null
tui_keys d
check "d in the Trash asks first" tui_wait "ask" 'Delete 1 message for good\? \[y/N\] *$'
tui_keys n
check "n keeps it" tui_wait "kept" 'nothing deleted'
check "... still in the Trash" test "$(box_of 'Re: Message 20')" = Trash
tui_keys d y
check "y deletes: the message line says for good" tui_wait "for good" '^deleted for good: 1 message'
check "... a delete is queued" test "$(tui_sql "SELECT count(*) FROM pending_change WHERE change_type = 'delete'")" = 1
# The worker pushes it: the server expunged it, the queue row is gone.
tui_sql "DELETE FROM pending_change; DELETE FROM message WHERE id = $(id_of 'Re: Message 20')"
tui_keys u
check "u says it cannot be undone" tui_wait "no undo" 'cannot undo: 1 message was deleted for good'

# delete_to_trash = no: asks in any mailbox.
tui_keys Tab j Enter
tui_wait "keep account" 'Mailboxes — keep' >/dev/null
tui_keys Enter
tui_wait "keep inbox" 'K-Message 3' >/dev/null
tui_keys d
check "delete_to_trash = no asks too" tui_wait "ask keep" 'Delete 1 message for good\? \[y/N\]'
tui_keys Escape
check "Esc is no" tui_wait "kept keep" 'nothing deleted'

# A message a sync removed while it was open: d says it is gone.
tui_keys c I N B O X Enter
tui_wait "INBOX" '\[INBOX\]' >/dev/null
tui_keys Enter
tui_wait "pager" 'Subject: K-Message 3' >/dev/null
tui_sql "DELETE FROM message WHERE subject = 'K-Message 3'"
tui_keys d
check "d on a message the server removed says it is gone" tui_wait "gone" 'the message is gone'
check "... not 'deleted: 0 messages'" tui_gone "no zero" 'deleted: 0'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
