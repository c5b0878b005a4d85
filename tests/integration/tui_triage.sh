#!/bin/sh
# Triage lands on the message the user sees (review of issue 6): actions in
# the pager work on the open message even when the list's cursor moved; the
# pager keeps the keys while it is on screen; the tag prefix is for the next
# key only; tags stay with their list; the picker survives mailboxes coming
# and going; search results of several accounts archive per account; the
# mailbox tree; Esc never quits; q leaves search results; J/K and Space in
# the pager; a big message opens at once. Offline, on a fixture database.
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
tui_fill 50 --tree
"$TUI_FILL" "$T/data/tern.db" other 5 --prefix O-
id_of() { tui_sql "SELECT id FROM message WHERE subject = '$1'"; }
box_of() { tui_sql "SELECT group_concat(b.name) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $(id_of "$1") AND mm.hidden = 0"; }
acct_of_box() { tui_sql "SELECT a.name FROM mailbox b JOIN account a ON a.id = b.account_id WHERE b.id = (SELECT mm.mailbox_id FROM message_mailbox mm WHERE mm.message_id = $(id_of "$1") AND mm.hidden = 0)"; }
flagged() { tui_sql "SELECT group_concat(subject, '|') FROM (SELECT subject FROM message WHERE flagged = 1 ORDER BY subject)"; }
# The mailbox pane's column, one name per line.
pane() { tui_screen | cut -c1-30 | sed -n '/^Mailboxes/,$p' | sed 's/ *[0-9/]*$//'; }
after() { pane | grep -A1 -x -- "$1" | sed -n 2p; }
# A wait that shows the screen when it fails (the pager checks below failed
# once each in a loaded run, for a reason the log could not tell).
# is WANT CMD...: CMD prints WANT. The waits run it again each time (a
# "$(...)" argument would be read once, before the key had been handled).
is() { _want=$1; shift; [ "$("$@")" = "$_want" ]; }
seen_45() { tui_sql "SELECT seen FROM message WHERE subject = 'Message 45'"; }
both_archived() { echo "$(box_of 'Re: Message 5')$(acct_of_box 'Re: Message 5')$(box_of 'Re: O-Message 5')$(acct_of_box 'Re: O-Message 5')"; }
wait_screen() {
  wait_for "$@" && return 0
  echo "--- screen:"; tui_screen
  echo "--- Message 45's rows, the queue:"
  tui_sql "SELECT mm.message_id, b.name, mm.hidden FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id IN (SELECT id FROM message WHERE subject LIKE '%Message 45')" 2>&1
  tui_sql "SELECT * FROM queue" 2>&1 | head
  return 1
}

tui_start
tui_wait "list" 'Re: Message 50' >/dev/null

# The tree: children under their own parent, by name.
check "INBOX/Sub right under INBOX" test "$(after '>INBOX')" = '   Sub'
check "Work/Projects under Work, before 'Work Stuff'" test "$(after ' Work')" = '   Projects'
check "... then 'Work Stuff' at the top level" test "$(after '   Projects')" = ' Work Stuff'

# 1: opening marks read, the message leaves the is:unread results and the
# cursor moves to its neighbour; d in the pager still hits the open one.
tui_keys / i s : u n r e a d Enter
tui_wait "search" 'search: is:unread' >/dev/null
tui_keys j Enter
check "pager shows the unread cached message" tui_wait "pager 45" 'Body of message 45'
check "... which left the results (read now)" wait_for "read" 5 is 1 seen_45
tui_keys d
check "d in the pager deletes the open message" wait_screen "45 in Trash" 15 is Trash box_of 'Message 45'
check "... not the list's new cursor row" test "$(box_of 'Re: Message 40')$(box_of 'Re: Message 50')" = INBOXINBOX

# 12: q on search results returns to the mailbox, on the same message.
tui_keys q
check "q leaves the search for INBOX" tui_wait "back to inbox" '\[INBOX\] [0-9]+ unread'
check "... the app did not quit" tui_gone "still running" 'TERN-EXITED'

# 2: Tab to the accounts, back: the pager still has the keys.
tui_keys g j j Enter
tui_wait "pager 48" 'Subject: Message 48' >/dev/null
tui_keys Tab q j j j F
check "F after Tab, q flags the message in the pager" wait_screen "48 flagged" 15 is 'Message 48' flagged
tui_keys q
check "q closes the pager; tern still runs" tui_wait "list again" '\[INBOX\]'
tui_sql "UPDATE message SET flagged = 0" ; tui_sql "DELETE FROM pending_change"

# 3: ';' is for the next key only: ; j d deletes the cursor's message.
tui_keys g t t
tui_keys '\;' j d
check "; j d deletes only the message under the cursor" wait_for "one deleted" 5 is Trash box_of 'Re: Message 47'
check "... the tagged ones stay" test "$(box_of 'Re: Message 50')$(box_of 'Re: Message 49')" = INBOXINBOX
check "... and stay tagged" tui_wait "2 tagged" '· 2 tagged'

# 7: tags belong to their list: a mailbox change clears them.
tui_keys c T r a s h Enter
tui_wait "Trash" '\[Trash\]' >/dev/null
check "opening another mailbox clears the tags" tui_gone "tags cleared" 'tagged'
tui_keys '\;'
check "... so ; finds none" tui_wait "no tags" 'no tagged messages'
tui_keys c I N B O X Enter
tui_wait "INBOX" '\[INBOX\]' >/dev/null

# 7: the other account highlighted: the list's account still decides.
tui_keys Tab j
tui_wait "other highlighted" 'Mailboxes — other' >/dev/null
tui_keys Tab Tab
check "status keeps the list's counts" tui_wait "counts" '\[INBOX\] [0-9]+ unread, 48 messages'
tui_keys g a
check "archive uses the message's own account" wait_for "archived" 5 is Archive box_of 'Re: Message 50'
check "... its Archive, not the other account's" test "$(acct_of_box 'Re: Message 50')" = acct
tui_keys T M e s s a g e Space 1 Enter
check "tag-pattern stays in the list's mailbox" tui_wait "pattern" '^1 messages match; 1 tagged'
tui_keys C-t
tui_keys / 5 Enter
tui_wait "search 5" 'search: 5' >/dev/null
check "/ searches the list's account, not the highlighted one" tui_wait "own account" 'Re: Message 5 *$'
check "... so the other account's match is not listed" tui_gone "not other" 'O-Message 5'
tui_keys q
tui_wait "INBOX before A" '\[INBOX\]' >/dev/null

# 7-8 #5: search all accounts, archive a row of each.
tui_keys A 5 Enter
tui_wait "search all" 'search \(all accounts\): 5' >/dev/null
check "both accounts' Message 5 listed" tui_wait "both" 'Re: O-Message 5' && tui_wait "both" 'Re: Message 5'
tui_keys g t t
tui_keys '\;' s
check "a move across accounts is refused" tui_wait "refused" 'several accounts'
tui_keys '\;' a
check "archive of both: each in its own account's Archive" wait_for "both archived" 5 \
  is ArchiveacctArchiveother both_archived
tui_keys q
tui_wait "INBOX again" '\[INBOX\]' >/dev/null

# 5: the picker keeps working when a sync removes or adds mailboxes.
tui_keys g s t e r n
tui_wait "picker" 'Move to: tern' >/dev/null
tui_sql "DELETE FROM mailbox WHERE name = 'Lists/tern-dev'"
check "the pane drops the removed mailbox" tui_gone "removed" '^   tern-dev'
tui_keys Enter
check "picking it says it is gone" tui_wait "gone" 'that mailbox is gone'
tui_keys s a r c h
tui_wait "picker 2" 'Move to: arch' >/dev/null
# A role mailbox sorts before Archive: an index into the pane's list would
# now name it.
tui_sql "INSERT INTO mailbox (account_id, remote_id, name, role) SELECT id, 'Drafts', 'Drafts', 'drafts' FROM account WHERE name = 'acct'"
check "the pane lists the new mailbox" tui_wait "added" '^ Drafts'
tui_keys Enter
check "the picked mailbox is still the one shown" wait_for "moved to Archive" 5 is Archive box_of 'Re: Message 49'

# 12: Esc never quits; J/K and Space at the end go from message to message.
tui_keys Escape Escape
check "Esc in the list does not quit" tui_wait "esc" 'Q quits tern'
tui_keys g Enter
tui_wait "pager" 'Subject: Message 48' >/dev/null
tui_keys J
check "J: the next message (47 is in Trash)" tui_wait "next" 'Subject: Re: Message 46'
tui_keys K
check "K: the previous one" tui_wait "prev" 'Subject: Message 48'
tui_keys Space
check "Space at the end of a short message: the next one" tui_wait "space" 'Subject: Re: Message 46'
tui_keys q

# 4: a 2 MB body with tabs, in the pager and raw: the keys answer at once.
tui_fill 0 --add --big 2048
tui_wait "big listed" 'Big message' >/dev/null
tui_keys g Enter
check "a 2 MB message opens" tui_wait "big open" 'line 0 +column +of a big body' 15
tui_keys G
check "... and G reaches its end" tui_wait "big end" 'END-OF-BIG' 15
tui_keys H G
check "raw view of it too" tui_wait "big raw" '^\[raw\] Big message|END-OF-BIG' 15
# 18: a resize re-wraps the open message at once.
tui_keys H g
tui_wait "rendered again" 'Big message  \(1/' >/dev/null
lines_now() { tui_screen | sed -n 's/.*(1\/\([0-9]*\).*/\1/p' | head -1; }
n1=$(lines_now)
rewrapped() { n=$(lines_now); [ -n "$n" ] && [ "$n" -gt "$n1" ]; }
tmux -S "$TUI_SOCK" resize-window -x 24 -y 20
check "resize: the pager re-wraps at once (more, shorter lines)" wait_for "rewrap" 3 rewrapped
tmux -S "$TUI_SOCK" resize-window -x 120 -y 40
check "... and back" tui_wait "wide again" 'Accounts' 3
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
