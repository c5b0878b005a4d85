#!/bin/sh
# Folder roles without SPECIAL-USE (issue 4, F3 and F9 of the review): Dovecot restarted with a
# Courier-style personal namespace ("INBOX/" prefix), no special-use attributes and no Trash,
# a \Flagged virtual folder (as Gmail's Starred) and a public namespace. Roles come from the
# names under the prefix; the missing Trash is created, so delete still moves there; the sent
# copy lands in INBOX/Sent; the virtual and the public folders are not synced.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
imap_conf "$C" acct dovecot
lab_load dovecot "$USER1" 30 --seed 3 --no-big >/dev/null
lab_stop dovecot >/dev/null
mkdir -p "$TERN_LAB/dovecot/public"
chown mail:mail "$TERN_LAB/dovecot/public"
DOVECOT_EXTRA_CONF="namespace inbox {
  prefix = INBOX/
  mailbox Sent {
    special_use =
  }
  mailbox Trash {
    special_use =
    auto = no
  }
  mailbox Drafts {
    special_use =
  }
  mailbox Junk {
    special_use =
  }
  mailbox Archive {
    special_use =
  }
  mailbox Starred {
    special_use = \\Flagged
    auto = create
  }
}
namespace public {
  type = public
  separator = /
  prefix = Public/
  location = maildir:$TERN_LAB/dovecot/public
  list = yes
}" lab_startone dovecot
ic() { imapctl "$@"; }
ic create Public/news >/dev/null
printf 'From: a@b\r\nSubject: public\r\nMessage-ID: <public@x>\r\n\r\nx\r\n' | ic append Public/news - >/dev/null
ic copy INBOX 1:3 INBOX/Starred >/dev/null
ic list >"$W/list"
check "the server lists INBOX/Sent, without a special-use attribute, and no Trash" sh -c "grep -q 'INBOX/Sent\$' '$W/list' && ! grep -qiE 'Trash|\\\\Sent' '$W/list'"

check "first sync" "$T" -c "$C" sync --once
role() { tsql "SELECT coalesce(group_concat(remote_id), '') FROM mailbox WHERE role = '$1'"; }
check "roles found by name under the INBOX/ prefix" test "$(role sent):$(role drafts):$(role junk):$(role archive)" = "INBOX/Sent:INBOX/Drafts:INBOX/Junk:INBOX/Archive"
check "the missing Trash was created on the server" sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' list | grep -q 'INBOX/Trash\$'"
check "... and has the trash role locally" test "$(role trash)" = "INBOX/Trash"
check "INBOX was synced" test "$(tsql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox'")" -gt 10
check "the virtual folder (flagged, as Gmail's Starred) is not synced" test "$(tsql "SELECT count(*) FROM mailbox WHERE remote_id = 'INBOX/Starred'")" = 0
check "... nor the public namespace" test "$(tsql "SELECT count(*) FROM mailbox WHERE remote_id LIKE 'Public%'"):$(tsql "SELECT count(*) FROM message WHERE message_id = 'public@x'")" = "0:0"
check "... so INBOX's messages are stored once" test "$(tsql "SELECT count(*) FROM message")" = "$(tsql "SELECT count(*) FROM message_mailbox")"

id=$(tsql "SELECT mm.message_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox' LIMIT 1")
mid=$(tsql "SELECT message_id FROM message WHERE id = $id")
check "delete" "$T" -c "$C" delete "$id"
check "... moved the message to INBOX/Trash on the server" ic find INBOX/Trash "$mid"
check "... and out of INBOX" sh -c "! '$LAB_PY' '$LAB_SRV/imapctl.py' find INBOX '$mid'"

sid="roles-$$@localhost"
printf 'From: %s\nTo: %s\nSubject: roles\nMessage-ID: <%s>\n\nx\n' "$EMAIL1" "$EMAIL2" "$sid" | "$T" -c "$C" send acct >/dev/null
check "a sent message is filed once in INBOX/Sent" test "$(ic uids INBOX/Sent HEADER Message-ID "$sid" | wc -w)" = 1
check_done
