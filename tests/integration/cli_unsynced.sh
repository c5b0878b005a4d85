#!/bin/sh
# An account that never synced (issue 23 #10): `tern list ACCOUNT inbox`,
# `tern mailboxes` and `tern search` say that the account has not been
# synced yet and give its last error (a refused login, against Dovecot),
# instead of "no mailbox 'inbox'", which sends the user looking for a typo.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
lab_start dovecot
W=$TERN_LAB/cli-unsynced
mkdir -p "$W"
export XDG_STATE_HOME="$W/state" HOME="$W"
account() { # NAME PASSWORD
  cat <<EOF

[account $1]
protocol = imap
email = $EMAIL1
username = $USER1
password = $2
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE
timeout = 10
EOF
}
{
  echo "data_dir = $W/data"
  account bad Wr0ng-pw-Zq9
  account fresh "$PASS1"
} >"$W/conf"
chmod 600 "$W/conf"
TERN=${TERN:-tern}
t() { "$TERN" -c "$W/conf" "$@" >"$W/out" 2>"$W/err"; }
fails() { ! "$@"; }

check "a wrong password fails the sync" fails t sync --once bad
check "list bad inbox fails" fails t list bad inbox
check "... saying the account has not been synced yet" grep -q "account 'bad' has not been synced yet" "$W/err"
check "... with the reason (the refused login)" grep -qi "synced yet: .*\(auth\|login\)" "$W/err"
check "... and not that inbox is missing" fails grep -q "no mailbox" "$W/err"
check "mailboxes bad lists nothing (an empty list is no failure)" t mailboxes bad
check "... with the reason" grep -qi "has not been synced yet: .*\(auth\|login\)" "$W/err"
check "search bad fails the same way" fails t search bad hello
check "... saying so" grep -q "has not been synced yet" "$W/err"
check "an account never tried says to sync it" fails t list fresh inbox
check "... by name" grep -q "account 'fresh' has not been synced yet (run 'tern sync --once fresh'" "$W/err"
check "once synced, list fresh inbox works" t sync --once fresh
check "... list fresh inbox works" t list fresh inbox
check "a missing mailbox is still named as missing" fails t list fresh nosuch
check "... by name" grep -q "no mailbox 'nosuch'" "$W/err"
check_done
