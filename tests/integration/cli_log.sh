#!/bin/sh
# The log (issue 2): tern writes it to $XDG_STATE_HOME/tern/tern.log, never
# to the terminal, and no password reaches it, the database or the output:
# not on an IMAP login, not on an SMTP AUTH, not on a refused login, not even
# with TERN_DEBUG=1 (the most verbose level). Against Dovecot and the sink.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
lab_start dovecot smtp
W=$TERN_LAB/cli-log
mkdir -p "$W"
export XDG_STATE_HOME="$W/state" HOME="$W" TERN_DEBUG=1
LOG=$XDG_STATE_HOME/tern/tern.log
BAD=Wr0ng-pw-Zq9
lab_load dovecot alice 20 --seed 5 >/dev/null

account() { # NAME PASSWORD-LINE: the same IMAP + SMTP account, its password given differently
  cat <<EOF

[account $1]
protocol = imap
email = $EMAIL1
username = $USER1
$2
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
smtp_host = localhost
smtp_port = $SMTP_PORT
smtp_tls = starttls
ca_file = $CA_FILE
timeout = 10
EOF
}
{
  echo "data_dir = $W/data"
  account good "password_cmd = echo $PASS1"
  account bad "password = $BAD"
} >"$W/conf"
chmod 600 "$W/conf"
TERN=${TERN:-tern}

check "sync --once logs in and syncs" sh -c "'$TERN' -c '$W/conf' sync --once good >>'$W/out' 2>>'$W/err'"
printf 'To: %s\r\nSubject: log test\r\n\r\nbody\r\n' "$EMAIL2" >"$W/msg"
check "send pushes at once over SMTP with AUTH" sh -c "'$TERN' -c '$W/conf' send good <'$W/msg' >>'$W/out' 2>>'$W/err'"
check "... the sink got it from an authenticated session" \
  wait_for "message in the sink" 10 sh -c "jq -e '.auth_user == \"$USER1\"' '$SMTP_SPOOL/000001.json'"
check "a wrong password fails the sync with exit 1" sh -c "! '$TERN' -c '$W/conf' sync --once bad >>'$W/out' 2>>'$W/err'"
check "... and says why on stderr" grep -qi "auth\|login\|password" "$W/err"

check "the log is at \$XDG_STATE_HOME/tern/tern.log and has debug lines" test -s "$LOG"
# The passwords as they could leak: plain, and base64 in an AUTH PLAIN / LOGIN exchange.
b64() { printf "$1" | base64 -w0; }
leaks() { # FILE...: prints which password form occurs
  for s in "$PASS1" "$BAD" "$(b64 "\\0$USER1\\0$PASS1")" "$(b64 "$USER1\\0$USER1\\0$PASS1")" \
    "$(b64 "$PASS1")" "$(b64 "\\0$USER1\\0$BAD")" "$(b64 "$BAD")"; do
    grep -aqF -- "$s" "$@" && echo "found '$s' in $*"
  done
  return 0
}
out=$(leaks "$LOG")
check "no password, plain or base64, in the log" test -z "$out"
[ -z "$out" ] || echo "  # $out"
out=$(leaks "$W/out" "$W/err")
check "... nor in what tern printed" test -z "$out"
out=$(leaks "$W/data"/tern.db*)
check "... nor in the database" test -z "$out"
check_done
