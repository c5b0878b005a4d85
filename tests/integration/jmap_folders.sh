#!/bin/sh
# Folders created, renamed and deleted with `tern mailbox` on Cyrus over JMAP (Mailbox/set):
# a nested name with non-ASCII characters (name and parentId), offline create pushed by the
# next sync, a rename that keeps the folder's messages, roles refused, a folder with
# messages deleted only with --force (onDestroyRemoveEmails), a name the server has already
# failed with the server's words.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

lab_load cyrus "$USER1" 12 --seed 4 --no-big >/dev/null 2>&1
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
check "first sync" tern_ sync --once j
srv() { jmapctl mailboxes | awk -F'\t' -v p="$1" '$3 == p {print $1 "\t" $4}'; }

check "create a top-level folder with an accent" tern_ mailbox create j "Été 2026"
check "create a folder under it" tern_ mailbox create j "Été 2026/Réunions"
check "... the server has both, nested" test -n "$(srv 'Été 2026')" -a -n "$(srv 'Été 2026/Réunions')"
check "... the local row has the server's id, nothing left queued" test \
  "$(sql "SELECT remote_id FROM mailbox WHERE name = 'Été 2026/Réunions'"):$(sql 'SELECT count(*) FROM pending_change')" = \
  "$(srv 'Été 2026/Réunions' | cut -f1):0"

lab_stop cyrus >/dev/null
check "offline: create with --no-sync" tern_ mailbox create --no-sync j Projects
check "... shows the folder at once" sh -c "'$TERN' -c '$W/conf' mailboxes j | grep -q '^Projects '"
lab_startone cyrus
check "... the next sync creates it on the server" tern_ sync --once j
check "... which lists it, nothing left queued" test -n "$(srv Projects)" -a "$(sql 'SELECT count(*) FROM pending_change')" = 0

m1=$(sql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' ORDER BY mm.message_id LIMIT 1")
m2=$(sql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' ORDER BY mm.message_id LIMIT 1 OFFSET 1")
tern_ move "$m1" Projects >/dev/null
tern_ move "$m2" Projects >/dev/null
check "two messages moved into the folder" test "$(srv Projects | cut -f2)" = 2
pid=$(srv Projects | cut -f1)
check "rename it under the accented folder" tern_ mailbox rename j Projects "Été 2026/Projets"
check "... the server has the same folder under the new name, with its messages" test "$(srv 'Été 2026/Projets')" = "$pid	2"
tern_ sync --once j >/dev/null
in_projets=$(sql "SELECT group_concat(x, ',') FROM (SELECT mm.message_id AS x FROM mailbox b JOIN message_mailbox mm ON mm.mailbox_id = b.id WHERE b.name = 'Été 2026/Projets' AND mm.hidden = 0 ORDER BY mm.message_id)")
check "... after a sync the same local messages are in it" test "$in_projets" = "$m1,$m2"

check "renaming the Inbox is refused" sh -c "! '$TERN' -c '$W/conf' mailbox rename j inbox Other 2>'$W/err' && grep -q 'special folders' '$W/err'"
check "deleting the Trash is refused" sh -c "! '$TERN' -c '$W/conf' mailbox delete j trash 2>'$W/err' && grep -q 'special folders' '$W/err'"

check "a folder holding messages is not deleted without --force" sh -c \
  "! '$TERN' -c '$W/conf' mailbox delete j 'Été 2026/Projets' 2>'$W/err' && grep -q 'holds 2 messages' '$W/err'"
check "... still on the server" test "$(srv 'Été 2026/Projets' | cut -f2)" = 2
check "with --force it is deleted, with its messages" tern_ mailbox delete --force j "Été 2026/Projets"
check "... gone from the server" test -z "$(srv 'Été 2026/Projets')"
check "... and locally" test "$(sql "SELECT count(*) FROM mailbox WHERE name = 'Été 2026/Projets'")" = 0

check "delete of an empty folder" tern_ mailbox delete j "Été 2026/Réunions"
check "... gone from the server" test -z "$(srv 'Été 2026/Réunions')"

imapctl -s cyrus create Taken >/dev/null
check "a name the server has already fails, with the server's words" sh -c \
  "! '$TERN' -c '$W/conf' mailbox create j Taken 2>'$W/err' && grep -q 'Mailbox/set' '$W/err'"
check "... shown failed in tern queue" sh -c "'$TERN' -c '$W/conf' queue j | grep -i failed | grep -q 'Mailbox/set'"
check_done
