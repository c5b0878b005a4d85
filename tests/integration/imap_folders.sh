#!/bin/sh
# Folders created, renamed and deleted with `tern mailbox` on Dovecot: a nested name with
# non-ASCII characters goes out in modified UTF-7 under the server's separator; a folder
# created offline reaches the server at the next sync; a rename keeps the folder's messages;
# special folders are refused; a folder holding messages is deleted only with --force; a
# name the server has already fails the change with the server's words; undo gives back.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
imap_conf "$C" acct dovecot
lab_load dovecot "$USER1" 12 --seed 5 --no-big >/dev/null
ic="$LAB_PY $LAB_SRV/imapctl.py"
t() { "$T" -c "$C" "$@"; }
wire() { $ic raw - 'LIST "" "*"'; }
check "first sync" t sync --once

check "create a top-level folder with an accent" t mailbox create acct "Été 2026"
check "create a folder under it" t mailbox create acct "Été 2026/Réunions"
wire >"$W/wire"
check "... the server has both, in modified UTF-7 under its separator" sh -c \
  "grep -q '\"&AMk-t&AOk- 2026\"' '$W/wire' && grep -q '\"&AMk-t&AOk- 2026/R&AOk-unions\"' '$W/wire'"
check "... locally under the server's name, nested" test "$(tsql "SELECT b.remote_id || '|' || p.name FROM mailbox b JOIN mailbox p ON p.id = b.parent_id WHERE b.name = 'Été 2026/Réunions'")" = "&AMk-t&AOk- 2026/R&AOk-unions|Été 2026"
check "... and the queue is empty" test "$(tsql 'SELECT count(*) FROM pending_change')" = 0
check "a folder whose parent does not exist is refused" sh -c "! '$T' -c '$C' mailbox create acct 'Nowhere/x' 2>'$W/err' && grep -q 'create it first' '$W/err'"

lab_stop dovecot >/dev/null
check "offline: create with --no-sync" t mailbox create --no-sync acct Projects
check "... shows the folder at once" sh -c "'$T' -c '$C' mailboxes acct | grep -q '^Projects '"
lab_startone dovecot
check "... the next sync creates it on the server" t sync --once
check "... which lists it" sh -c "$ic list | grep -q 'Projects\$'"
check "... under its name locally, nothing left queued" test "$(tsql "SELECT remote_id FROM mailbox WHERE name = 'Projects'"):$(tsql 'SELECT count(*) FROM pending_change')" = "Projects:0"

m1=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' ORDER BY mm.message_id LIMIT 1")
m2=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' ORDER BY mm.message_id LIMIT 1 OFFSET 1")
mid1=$(tsql "SELECT message_id FROM message WHERE id = $m1")
t move "$m1" Projects >/dev/null
t move "$m2" Projects >/dev/null
check "two messages moved into the folder" test "$($ic count Projects)" = 2
check "rename it under the accented folder" t mailbox rename acct Projects "Été 2026/Projets"
check "... the server has the new name and the messages in it" sh -c "[ \"\$($ic count 'Été 2026/Projets')\" = 2 ] && $ic find 'Été 2026/Projets' '$mid1' >/dev/null"
check "... and not the old name" sh -c "! $ic list | grep -q 'Projects\$'"
t sync --once >/dev/null
in_projets=$(tsql "SELECT group_concat(x, ',') FROM (SELECT mm.message_id || '|' || b.remote_id AS x FROM mailbox b JOIN message_mailbox mm ON mm.mailbox_id = b.id WHERE b.name = 'Été 2026/Projets' AND mm.hidden = 0 ORDER BY mm.message_id)")
check "... after a sync the same local messages are in it, under the server's name" sh -c "echo '$in_projets'; tsql() { :; }; test '$in_projets' = '$m1|&AMk-t&AOk- 2026/Projets,$m2|&AMk-t&AOk- 2026/Projets'"

check "renaming INBOX is refused" sh -c "! '$T' -c '$C' mailbox rename acct INBOX Other 2>'$W/err' && grep -q 'special folders' '$W/err'"
check "deleting the Trash is refused" sh -c "! '$T' -c '$C' mailbox delete acct Trash 2>'$W/err' && grep -q 'special folders' '$W/err'"
check "... both still on the server" sh -c "$ic list | grep -q 'Trash\$'"

check "a folder holding messages is not deleted without --force" sh -c \
  "! '$T' -c '$C' mailbox delete acct 'Été 2026/Projets' 2>'$W/err' && grep -q 'holds 2 messages' '$W/err'"
check "... still on the server" test "$($ic count 'Été 2026/Projets')" = 2
check "with --force it is deleted, with its messages" t mailbox delete --force acct "Été 2026/Projets"
check "... gone from the server" sh -c "! $ic list | grep -q 'Projets\$'"
check "... and locally" test "$(tsql "SELECT count(*) FROM mailbox WHERE name = 'Été 2026/Projets'")" = 0

check "offline delete of an empty folder (--no-sync)" t mailbox delete --no-sync acct "Été 2026/Réunions"
check "... hides it at once" sh -c "! '$T' -c '$C' mailboxes acct | grep -q 'Réunions'"
cid=$(tsql "SELECT id FROM pending_change WHERE change_type = 'mailbox_delete'")
check "... undo (queue drop) brings it back" sh -c "'$T' -c '$C' queue drop $cid >/dev/null && '$T' -c '$C' mailboxes acct | grep -q 'Réunions'"
check "rename --no-sync shows the new name at once" sh -c "'$T' -c '$C' mailbox rename --no-sync acct 'Été 2026/Réunions' 'Été 2026/Meetings' >/dev/null && '$T' -c '$C' mailboxes acct | grep -q 'Meetings'"
cid=$(tsql "SELECT id FROM pending_change WHERE change_type = 'mailbox_rename'")
check "... undo gives the old name back" sh -c "'$T' -c '$C' queue drop $cid >/dev/null && '$T' -c '$C' mailboxes acct | grep -q 'Réunions' && ! '$T' -c '$C' mailboxes acct | grep -q Meetings"

$ic create Taken
check "a name the server has already fails, with the server's words" sh -c \
  "! '$T' -c '$C' mailbox create acct Taken 2>'$W/err' && grep -qi 'exists' '$W/err'"
check "... shown failed in tern queue" sh -c "'$T' -c '$C' queue acct | grep -i 'failed' | grep -qi 'exists'"
check_done
