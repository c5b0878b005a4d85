#!/bin/sh
# After an outage tern reconnects soon and says when (issue 23 #2): the
# status line of the selected account reads "retrying in N s — $ now"
# while the server is down; after a connection that was healthy the early
# retries stay short (a quarter of the outage so far, from 5 s), so a
# server back after three failed attempts is seen within seconds, where
# the doubling backoff waited 20 s more. IMAP against Dovecot.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
trap 'rc=$?; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT
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
LOG=$T/state/tern/tern.log
backoffs() { grep -c 'acct: backoff' "$LOG" 2>/dev/null || true; }
tui_start
check "connected" tui_wait "idle" 'acct +idle' 60
lab_stop dovecot
check "the status line says when it retries and that \$ retries now" \
  tui_wait "retrying" 'acct: retrying in [0-9]+ s — \$ now, i details · error: ' 30
check "... counting down" tui_wait "countdown" 'acct: retrying in [1-4] s' 15
# Three failed attempts: the doubling backoff would wait 20 s for the fourth.
check "three attempts fail while the server is down" wait_for "3 backoffs" 40 sh -c "[ \$(grep -c 'acct: backoff' '$LOG') -ge 3 ]"
lab_startone dovecot
check "the server back, tern reconnects within 10 s" tui_wait "back" 'acct +idle' 10
check "... and the status line no longer shows the error" tui_gone "status" 'acct: retrying' 5
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
check_done
