#!/bin/sh
# Under LANG=C (a locale that is not UTF-8) non-ASCII text is drawn as
# ASCII a person can read and tell apart (issue 23 #1), not as blanks:
# "Jörg Köhler" as "Jorg Kohler", the folder Отчёты as "Otchyoty", in the
# list, the mailbox pane, the status line and the pager; the pane border
# and the em dash as ASCII. The command line's text output on a terminal
# does the same; into a pipe it stays UTF-8. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5
tui_sql "INSERT INTO mailbox (account_id, remote_id, name) SELECT id, 'Отчёты', 'Отчёты' FROM account WHERE name = 'acct'"
tui_sql "UPDATE message SET from_name = 'Jörg Köhler', subject = 'Отчёт — март' WHERE subject = 'Re: Message 5'"
tui_sql "UPDATE body SET raw = CAST('From: Jörg Köhler <j@fill.test>' || char(13,10) || 'Subject: Отчёт — март' || char(13,10) ||
  'Content-Type: text/plain; charset=utf-8' || char(13,10) || char(13,10) || 'Привет! Straße, café, 漢字.' || char(13,10) AS BLOB)
  WHERE message_id = (SELECT id FROM message WHERE subject = 'Отчёт — март')"
TUI_LANG=C tui_start
check "the list shows the sender without accents" tui_wait "sender" 'Jorg Kohler +Otchyot -- mart'
check "... never as blanks" tui_gone "blanks" 'J  rg'
check "the mailbox pane shows Отчёты transliterated" tui_wait "mailbox" '^ *Otchyoty'
check "the pane border is ASCII" tui_wait "border" '\| *\[?[0-9]'
check "the pane titles' dash too" tui_wait "dash" 'Mailboxes -- acct'
check "the status line's separators too" tui_wait "status" '^\[INBOX\] [0-9]+ unread, 5 messages \. 1/5 \. '
tui_keys Enter
check "the pager's headers" tui_wait "pager from" 'From: +Jorg Kohler'
check "the pager's body: Cyrillic, Latin, other scripts as ?" tui_wait "pager body" 'Privet! Strasse, cafe, \?\?\.'
tui_keys q
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# The command line on a terminal under LANG=C; then into a pipe.
CLI_SOCK=$T/cli.sock
tmux -S "$CLI_SOCK" -f /dev/null new-session -d -x 120 -y 20 \
  "LANG=C LC_ALL=C; export LANG LC_ALL; $TERN -c $T/config list acct inbox; $TERN -c $T/config mailboxes acct; echo CLI-DONE; sleep 30"
wait_for "cli" 10 sh -c "tmux -S '$CLI_SOCK' capture-pane -p | grep -q CLI-DONE"
check "tern list on a LANG=C terminal: ASCII" sh -c "tmux -S '$CLI_SOCK' capture-pane -p | grep -q 'Jorg Kohler.*Otchyot -- mart'"
check "tern mailboxes too" sh -c "tmux -S '$CLI_SOCK' capture-pane -p | grep -q '^Otchyoty '"
tmux -S "$CLI_SOCK" kill-server >/dev/null 2>&1
check "into a pipe the text stays UTF-8" sh -c "LANG=C LC_ALL=C '$TERN' -c '$T/config' list acct inbox | grep -q 'Jörg Köhler.*Отчёт — март'"
check_done
