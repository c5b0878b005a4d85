#!/bin/sh
# [hooks] against Dovecot and the SMTP sink: mail_received, mail_sent and
# sync_failed run their command with the event as JSON lines on standard
# input (tern list --json's fields), from the process that syncs the
# account (tern sync here; the TUI's workers run the same runner), once per
# event: a second sync, or a restart, does not tell a message again.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3 tmux
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/conf
imap_conf "$C" a dovecot
cat >>"$C" <<CONF
[hooks]
mail_received = cat >> '$W/received'
mail_sent = cat >> '$W/sent'
sync_failed = cat >> '$W/failed'
CONF
ic() { imapctl "$@"; }
lines() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
# FILE N: the hook has written N lines (it runs inside tern sync, so they
# are there when the sync ends; the wait covers a slow disk).
has_lines() { [ "$(lines "$1")" = "$2" ]; }
# FILE LINE KEY VALUE: that line's JSON has KEY = VALUE.
json_is() { "$LAB_PY" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])-1]); v=d.get(sys.argv[3]); sys.exit(0 if str(v)==sys.argv[4] else (print("  %s is %r" % (sys.argv[3], v)) or 1))' "$@"; }
mail() { # SUBJECT MSGID
  printf 'From: Bob <bob@example.org>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\n\r\nhello\r\n' \
    "$EMAIL1" "$1" "$2" | ic append INBOX - >/dev/null
}

mail "before the hook" before@x
check "first sync" "$T" -c "$C" sync --once a
check "the mail there before is not news" test "$(lines "$W/received")" = 0

mail "hook news" news1@x
check "sync after a delivery" "$T" -c "$C" sync --once a
check "mail_received got one line" wait_for "one line" 5 has_lines "$W/received" 1
check "... the message's subject" json_is "$W/received" 1 subject "hook news"
check "... its Message-ID" json_is "$W/received" 1 message_id news1@x
check "... its account" json_is "$W/received" 1 account a
check "... its mailbox" json_is "$W/received" 1 mailbox INBOX
"$T" -c "$C" list --json a INBOX >"$W/list" 2>/dev/null
check "... the fields of tern list --json" "$LAB_PY" -c 'import json,sys
a=json.loads(open(sys.argv[1]).readline()); b=json.loads(open(sys.argv[2]).readline())
sys.exit(0 if sorted(a) == sorted(b) else (print("  hook:", sorted(a), "list:", sorted(b)) or 1))' "$W/received" "$W/list"

check "another sync" "$T" -c "$C" sync --once a
check "... tells nothing again" test "$(lines "$W/received")" = 1

mail "news two" news2@x
mail "news three" news3@x
check "two deliveries" "$T" -c "$C" sync --once a
check "... one line per message" wait_for "three lines" 5 has_lines "$W/received" 3
check "... in order" json_is "$W/received" 3 subject "news three"

printf 'From: %s\nTo: carol@example.org\nSubject: hook sent\nMessage-ID: <sent1@x>\n\nbody\n' "$EMAIL1" |
  "$T" -c "$C" send --no-sync a >/dev/null
check "a send" "$T" -c "$C" sync --once a
check "... reached the sink" test "$(spool_count)" = 1
check "mail_sent got one line" wait_for "sent line" 5 has_lines "$W/sent" 1
check "... its subject" json_is "$W/sent" 1 subject "hook sent"
check "... its recipient" json_is "$W/sent" 1 to carol@example.org
check "... its Message-ID" json_is "$W/sent" 1 message_id sent1@x
check "... and the copy in Sent is no mail received" test "$(lines "$W/received")" = 3
check "no sync failed so far" test "$(lines "$W/failed")" = 0

# The TUI's worker tells the same events, and the screen goes on meanwhile.
SOCK=$W/tmux.sock
trap 'r=$?; tmux -S "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
  "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$W/state HOME=$W $T -c $C; echo TERN-EXITED; sleep 30"
on_screen() { tmux -S "$SOCK" capture-pane -p | grep -q -- "$1"; }
check "the TUI shows the mail" wait_for "TUI list" 20 on_screen 'news three'
mail "tui news" tuinews@x
tmux -S "$SOCK" send-keys '$'
check "the TUI's worker runs mail_received" wait_for "TUI hook" 30 has_lines "$W/received" 4
check "... with the new message" json_is "$W/received" 4 subject "tui news"
tmux -S "$SOCK" send-keys Q
check "the TUI quits" wait_for "TUI gone" 10 on_screen TERN-EXITED
tmux -S "$SOCK" kill-server >/dev/null 2>&1

imap_conf "$W/bad" a dovecot "password_cmd = echo wrong-password"
cat >>"$W/bad" <<CONF
[hooks]
sync_failed = cat >> '$W/failed'
CONF
"$T" -c "$W/bad" sync --once a >/dev/null 2>&1
check "a wrong password: sync_failed got one line" wait_for "failed line" 5 has_lines "$W/failed" 1
check "... naming the account" json_is "$W/failed" 1 account a
check "... classed final (the user must act)" json_is "$W/failed" 1 class final
check "... with the error" grep -qi 'login\|auth\|password' "$W/failed"

# A hook that hangs is killed after its time limit; the sync goes on.
imap_conf "$W/slow" a dovecot
cat >>"$W/slow" <<CONF
[hooks]
mail_received = sleep 60
CONF
mail "slow news" slow@x
t0=$(date +%s)
check "a hanging hook" "$T" -c "$W/slow" sync --once a
check "... does not hold the sync past its limit" test $(( $(date +%s) - t0 )) -lt 40
check "... and its fate is in the log" grep -q 'hook mail_received: killed' "$W/state/tern/tern.log"
check_done
