#!/bin/sh
# The TUI on a fixture database, offline: navigation, the pager, triage and
# undo and their effect in the database, the picker, resize, help, binds.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 50
{ echo 'bind = index x toggle-flagged'; cat "$T/config"; } >"$T/c2" && mv "$T/c2" "$T/config"
chmod 600 "$T/config"
id_of() { tui_sql "SELECT id FROM message WHERE subject = '$1'"; }
in_box() { tui_sql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE mm.message_id = $(id_of "$1") AND b.name = '$2' AND mm.hidden = 0"; }

tui_start
check "first screen lists the newest message" tui_wait "list" 'Re: Message 50'
check "mailbox pane shows hierarchy and counts" tui_wait "mailboxes" '^ +tern-dev +0'
check "account pane shows the worker state" tui_wait "account" 'acct +(backoff|connecting|offline|error)'

tui_keys j
tui_keys Enter
check "Enter opens the pager with the cached body" tui_wait "pager" 'Body of message 49'
check "opening marks read through the queue" \
  sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT seen FROM message WHERE subject='Re: Message 49'\")\" = 1 ]"
tui_keys q
tui_keys k
tui_keys Enter
check "an unread message that cannot be shown (offline, not cached)" tui_wait "not shown" 'offline — not cached'
check "... is not marked read (mutt marks what it displays)" \
  sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT seen || count(p.id) FROM message m LEFT JOIN pending_change p ON p.resource_id = m.id WHERE m.subject='Re: Message 50'\")\" = 00 ]"
tui_keys q

# G and g: the last and the first message
tui_keys G
check "G shows the oldest message" tui_wait "bottom" 'Message 1 *$'
tui_keys g
check "g back to the newest" tui_wait "top" 'Re: Message 50'

# flag (rebound key x), then undo
tui_keys j j j
tui_keys x
check "flag shows at once" tui_wait "flag mark" '!.*Message 47'
check "flag is in the database" sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT flagged FROM message WHERE subject='Re: Message 47'\")\" = 1 ]"
tui_keys u
check "undo removes the flag" tui_wait "undo" 'undone: flag'
check "undo took the queued change back" sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT flagged || count(p.id) FROM message m LEFT JOIN pending_change p ON p.resource_id = m.id WHERE m.subject='Re: Message 47'\")\" = 00 ]"

# delete to Trash, undo
tui_keys d
check "delete removes it from the list" tui_gone "deleted" 'Re: Message 47'
check "deleted message is in Trash" test "$(in_box 'Re: Message 47' Trash)" = 1
tui_keys u
check "undo brings it back" tui_wait "undelete" 'Re: Message 47'
check "undo: in INBOX again, not in Trash" test "$(in_box 'Re: Message 47' INBOX)$(in_box 'Re: Message 47' Trash)" = 10

# move with the type-to-filter picker
tui_keys s
check "picker opens" tui_wait "picker" 'Move to:'
tui_keys t e r n
check "picker filters as you type" tui_gone "filter" '^ +Archive +$'
tui_keys Enter
check "moved message leaves the list" tui_gone "moved" 'Re: Message 47'
check "moved into Lists/tern-dev" test "$(in_box 'Re: Message 47' Lists/tern-dev)" = 1

# tag two, toggle read on the set (both read: the toggle marks them unread)
tui_sql "UPDATE message SET seen = 1 WHERE subject IN ('Re: Message 50','Re: Message 49')"
tui_keys g t t
tui_keys '\;' N
check "tagged set marked unread" wait_for "unread" 5 sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT sum(seen) FROM message WHERE subject IN ('Re: Message 50','Re: Message 49')\")\" = 0 ]"

# a queued change the server refused: a mark on the message, the error on
# the status line; R retries it, X drops it
fail_row() {
  tui_sql "INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, created_at, attempts, last_error, status)
           SELECT account_id, 'Email', id, 'flag', 0, 3, 'NO [TRYCREATE] refused by server', 'failed' FROM message WHERE subject = 'Re: Message 44'"
}
fail_row
check "a failed change is marked on its message" tui_wait "E mark" 'E .*Re: Message 44'
check "... and its error is on the status line" tui_wait "failed status" '1 FAILED \(\^R retry, X drop\): NO \[TRYCREATE\] refused'
tui_keys g j j j j j C-r
check "^R retries it (queued again)" wait_for "retry" 5 sh -c "[ \"\$(sqlite3 $T/data/tern.db \"SELECT group_concat(status) FROM pending_change WHERE resource_id = $(id_of 'Re: Message 44') AND change_type = 'flag'\")\" = queued ]"
check "... the FAILED note goes" tui_gone "failed gone" 'FAILED'
tui_sql "UPDATE pending_change SET status = 'failed', last_error = 'NO [TRYCREATE] refused by server' WHERE resource_id = $(id_of 'Re: Message 44') AND change_type = 'flag'"
tui_wait "failed again" 'FAILED' >/dev/null
tui_keys X
check "X drops it" wait_for "drop" 5 sh -c "[ -z \"\$(sqlite3 $T/data/tern.db \"SELECT id FROM pending_change WHERE resource_id = $(id_of 'Re: Message 44') AND change_type = 'flag'\")\" ]"
check "... and the mark goes" tui_gone "E gone" 'E .*Re: Message 44'

# help lists live bindings, including the config's
tui_keys '?'
# The list is longer than a screen: page on until the binding shows (or the list ends).
for _p in 1 2 3 4 5; do wait_for "help page" 1 _tui_match 'index +x +toggle-flagged' >/dev/null && break; tui_keys PageDown; done
check "help lists the rebound key" tui_wait "help" 'index +x +toggle-flagged'
tui_keys q

# c: change mailbox through the picker; n: next unread
tui_keys c
tui_wait "mailbox picker" 'Open:|Mailbox|Change' >/dev/null
tui_keys a r c h Enter
check "c opens the picked mailbox" tui_wait "archive" '\[Archive\]'
tui_keys c i n b o Enter
check "c back to INBOX" tui_wait "inbox" '\[INBOX\]'
tui_sql "UPDATE message SET seen = 1 WHERE subject <> 'Re: Message 40'"
tui_keys g n
check "n goes to the next unread message" tui_wait "next unread" '· [0-9]+/[0-9]+ ' >/dev/null
tui_keys Enter
check "... which is the unread one" tui_wait "unread opened" 'Subject: Re: Message 40'
tui_keys q

# narrow: one pane at a time; resize redraws at once
tmux -S "$TUI_SOCK" resize-window -x 60 -y 20
check "narrow terminal shows only the list" tui_gone "narrow" 'Accounts'
check "narrow list still shows messages" tui_wait "narrow list" 'Message 50'
tmux -S "$TUI_SOCK" resize-window -x 120 -y 40
check "wide again shows the panes" tui_wait "wide" 'Accounts'

tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# doc/tern.1 KEYS names every action of ui/keymap.c
undocumented() {
  for act in $(sed -n 's/^\t\[ACT_[A-Z_]*\] = { "\([a-z-]*\)".*/\1/p' "$TERN_SRCDIR/ui/keymap.c"); do
    awk 'f && /^\.SH/ { exit } /^\.SH KEYS/ { f = 1 } f' "$TERN_SRCDIR/doc/tern.1" | sed 's/\\-/-/g' |
      grep -Eq -- "(^|[ (])$act([ ,)]|\$)" || echo "$act"
  done
}
check "doc/tern.1 KEYS lists every action" test -z "$(undocumented)"
[ -z "$(undocumented)" ] || undocumented | sed 's/^/# undocumented: /'

# a bad bind is a config error with FILE:LINE, before the screen
printf 'bind = index x frobnicate\n' >"$T/bad"
chmod 600 "$T/bad"
check "bad bind names FILE:LINE" sh -c "\"$TERN\" -c \"$T/bad\" -d \"$T/data\" 2>&1 </dev/null | grep -q \"$T/bad:1: bind: unknown action 'frobnicate'\""
check_done
