#!/bin/sh
# Collapsible threads (issue "Triage the way mutt and aerc users work"):
# Esc-v, Esc-V and zc/zo/za; a collapsed thread is one row with its count,
# N when any of it is unread and ! when any is flagged; moving skips its
# members; d on it deletes the whole thread; the state survives new mail, an
# undo and a mailbox switch; collapse_threads = yes starts collapsed, and
# Enter on a collapsed thread expands it. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
# Threads, newest first: Fork (root, a, a1, b), {9,10,11}, {6,7,8}, {3,4,5}, {1,2}.
tui_fill 11 --fork
tui_sql "UPDATE message SET seen = 0 WHERE subject = 'Fork a1'; UPDATE message SET flagged = 1 WHERE subject = 'Fork a'"
in_inbox() { tui_sql "SELECT count(*) FROM message_mailbox mm JOIN message m ON m.id = mm.message_id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.name = 'INBOX' AND mm.hidden = 0 AND m.subject LIKE '$1'"; }

tui_start
tui_wait "list" 'Fork root' >/dev/null
tui_keys V
tui_wait "threaded" '\(threads\)' >/dev/null
# The cursor is on the newest message, Fork b, inside the Fork thread.
tui_keys Escape v
check "Esc-v collapses the thread: one row with its count" tui_wait "collapsed" '\(4\) Fork root *$' 5
check "... its members are gone from the list" tui_gone "members" 'Fork a1' 5
check "... unread and flagged marks from its members" tui_wait "marks" '│ N! .*\(4\) Fork root' 5
check "... and the status line says so" tui_wait "said" 'thread collapsed: 4 messages' 5
check "... the position is the message's number of the total, as mutt's" tui_wait "pos 1" '· 1/15 ' 5
# j goes to the next thread, not to Fork a.
tui_keys j z c
check "j skips the members; zc collapses the next thread" tui_wait "zc" '\(3\) Message 9 *$' 5
check "... with its unread mark (Message 10)" tui_wait "zc unread" '│ N  .*\(3\) Message 9' 5
check "... still one row for Fork" tui_wait "fork kept" '\(4\) Fork root' 5
check "... the position passes over Fork's four messages" tui_wait "pos 5" '· 5/15 ' 5
tui_keys z o
check "zo expands it" tui_wait "zo" 'Re: Message 10' 5
check "... the other stays collapsed" tui_wait "zo other" '\(4\) Fork root' 5
tui_keys z a
check "za toggles it" tui_gone "za" 'Re: Message 10' 5
tui_keys z a
tui_wait "za back" 'Re: Message 10' 5 >/dev/null
# d on the collapsed row: the whole thread goes to the Trash.
tui_keys k d
check "d on a collapsed thread deletes all of it" tui_wait "deleted" 'deleted: 4 messages' 5
check "... gone from the list" tui_gone "fork gone" 'Fork root' 5
check "... all four left INBOX" wait_for "fork trashed" 5 test "$(in_inbox 'Fork%')" = 0
tui_keys u
check "undo brings it back, still collapsed" tui_wait "undone" '\(4\) Fork root *$' 5
tui_keys s
check "s on a collapsed thread moves the thread" tui_wait "move thread" 'Move thread to:' 5
tui_keys Escape
tui_gone "picker closed" 'Move thread to:' 5 >/dev/null
tui_keys N
check "N on a collapsed thread marks all of it read" tui_wait "read" 'mark read: 1 message' 5
check "... its row no longer has the unread mark" tui_wait "read mark" '│  ! .*\(4\) Fork root' 5
check "... nor has any of its messages" test "$(tui_sql "SELECT count(*) FROM message WHERE subject LIKE 'Fork%' AND seen = 0")" = 0
tui_keys g
# New mail (a worker's commit) keeps the state.
tui_fill 3 --add
check "new mail arrives" tui_wait "new mail" 'Message 27' 15
check "... the thread stays collapsed" tui_wait "kept collapsed" '\(4\) Fork root *$' 5
check "... and its members hidden" tui_gone "kept hidden" 'Fork a1' 5
# Esc-V as mutt's collapse-all: on a collapsed thread it expands them all,
# else it collapses them all.
tui_keys Escape V
check "Esc-V on a collapsed thread expands every thread" tui_wait "expanded" 'all threads expanded' 5
check "... members back" tui_wait "members back" 'Fork a1' 5
tui_keys Escape V
check "Esc-V again collapses every thread" tui_wait "all" '\(3\) Message 6 *$' 5
tui_keys G
check "G: the last thread, numbered from the end" tui_wait "pos end" '· 17/18 ' 5
check "... each with its count" tui_wait "all 2" '\(2\) Re: Message 1 *$' 5
check "... a thread of one message stays a plain row" tui_wait "single" '[^)] Message 27 *$' 5
# z waits for its second key; one that ends no sequence does what it does alone.
tui_keys z
check "z waits for the second key" tui_wait "z wait" 'z…' 5
tui_keys x
check "... z then x: nothing, and it says so" tui_wait "zx" 'zx does nothing' 5
tui_keys z k
check "... z then k: k is not lost (up from the last thread to Message 3's)" tui_wait "z k" '· 14/18 ' 5
# Esc alone still cancels (never a prefix that waits).
tui_keys Escape
check "Esc alone still says what it does" tui_wait "esc" 'quits tern' 5
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# collapse_threads = yes: every thread starts collapsed; Enter expands one;
# the state survives a switch to another mailbox and back.
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-2.sock
sed -i '/^data_dir/a threaded = yes\ncollapse_threads = yes' "$T/config"
tui_start
check "collapse_threads = yes starts collapsed" tui_wait "start collapsed" '\(3\) Message 6 *$' 10
check "... Fork too" tui_wait "start fork" '\(4\) Fork root *$' 5
# Message 27 (one message), Re: Message 25's thread, then Fork.
tui_keys g j j Enter
check "Enter on a collapsed thread expands it" tui_wait "enter" 'thread expanded: 4 messages' 5
check "... its members show" tui_wait "enter members" 'Fork a1' 5
tui_keys c T r a s h Enter
tui_wait "Trash" '\[Trash\]' >/dev/null
tui_keys c I N B O X Enter
tui_wait "INBOX" '\[INBOX\]' >/dev/null
check "back in INBOX: Fork still expanded" tui_wait "switch fork" 'Fork a1' 5
check "... the others still collapsed" tui_wait "switch others" '\(3\) Message 6 *$' 5
tui_keys Q
check "quits cleanly (2)" tui_wait "exit 2" 'TERN-EXITED-0'
check "no sanitizer report (2)" tui_clean_exit

# Two-key bindings in the config, as tern config check reads them.
printf 'collapse_threads = yes\nbind = index zz fold\nbind = index <Esc>x collapse-all\n' >"$T/keys.conf"
check "config check takes two-key binds and collapse_threads" "$TERN" -c "$T/keys.conf" config check
printf 'bind = index zzz fold\n' >"$T/bad.conf"
check "... and names a three-key one with its line" sh -c "'$TERN' -c '$T/bad.conf' config check 2>&1 | grep -q \"bad.conf:1: bind: cannot read key 'zzz'\""
check_done
