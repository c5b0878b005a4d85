#!/bin/sh
# An open pager that said "offline — not cached" asks for the body again
# when the account reconnects (acceptance #8), without the user closing it.
# IMAP against Dovecot, stopped and started under the open pager.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
trap 'rc=$?; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT
printf 'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nSubject: reconnect me\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <reconnect-1@test>\r\n\r\nthe body came after the reconnect\r\n' |
  imapctl -s dovecot append INBOX - >/dev/null
cat >"$T/config" <<CONF
data_dir = $T/data
[account acct]
email = $EMAIL1
username = $USER1
password = $PASS1
timeout = 5
prefetch_days = 0
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE
CONF
chmod 600 "$T/config"
tui_start
check "synced" tui_wait "list" 'reconnect me' 60
tui_wait "idle" 'acct +idle' 30 >/dev/null
check "the body is not cached yet" test "$(tui_sql "SELECT count(*) FROM body")" = 0
lab_stop dovecot
check "the account goes offline" tui_wait "down" 'acct +(backoff|offline)' 30
tui_keys Enter
check "the pager says offline — not cached" tui_wait "offline" 'offline — not cached' 20
lab_startone dovecot
# $ as the user would (the backoff may be long); the pager stays open.
tui_keys '$'
check "after the reconnect the open pager shows the body" tui_wait "body" 'the body came after the reconnect' 60
check "... without being closed" tui_gone "note gone" 'offline — not cached'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
check_done
