#!/bin/sh
# Postponed drafts from anywhere (issue 23, point 9): P (mutt's
# recall-message; R is reply-all here) resumes the one draft waiting in
# Drafts from INBOX, opens Drafts to pick when there are several, says so
# when there is none; m with drafts waiting asks "Resume a postponed
# draft? [y/N]" first, as mutt does. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
sed -i '1i editor = true' "$T/config"
tui_fill 6
tui_sql "INSERT INTO mailbox (account_id, remote_id, name, role, delim) SELECT id, 'Drafts', 'Drafts', 'drafts', '/' FROM account WHERE name = 'acct'"
drafts() { tui_sql "UPDATE message_mailbox SET mailbox_id = (SELECT id FROM mailbox WHERE name = 'Drafts') WHERE message_id IN (SELECT id FROM message WHERE subject IN ($1))"
           tui_sql "UPDATE message SET draft = 1 WHERE subject IN ($1)"
           tui_sql "UPDATE mailbox SET total = (SELECT count(*) FROM message_mailbox WHERE mailbox_id = mailbox.id AND hidden = 0)"; }
tui_start
tui_wait "list" 'Message 6' >/dev/null
tui_keys P
check "P with no draft says so" tui_wait "none" 'no postponed drafts in Drafts' 5
tui_keys m
check "m without drafts composes at once (no question)" tui_wait "compose" 'not changed in the editor: aborted' 5
tui_keys Q
tui_wait "exit" 'TERN-EXITED-0' >/dev/null

# One draft (Message 3, its body cached): P resumes it from INBOX.
drafts "'Message 3'"
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-2.sock
tui_start
tui_wait "list 2" 'Message 6' >/dev/null
tui_keys E
check "E in INBOX still finds no draft there" tui_wait "E" 'no draft here' 5
tui_keys P
check "P resumes the draft from INBOX" tui_wait "resumed" 'Subject: Message 3' 10
tui_keys q y
tui_wait "aborted" 'aborted' 5 >/dev/null
tui_keys m
check "m with a draft waiting asks first" tui_wait "ask" 'Resume a postponed draft\? \[y/N\]' 5
tui_keys y
check "... y resumes it" tui_wait "resumed 2" 'Subject: Message 3' 10
tui_keys q y
tui_wait "aborted 2" 'aborted' 5 >/dev/null
tui_keys m
tui_wait "ask 2" 'Resume a postponed draft\?' 5 >/dev/null
tui_keys n
check "... n writes a new one" tui_wait "new" 'not changed in the editor: aborted' 5
tui_keys Q
tui_wait "exit 2" 'TERN-EXITED-0' >/dev/null

# Two drafts: P opens Drafts to pick one. In a narrow window (point 13)
# the composer's keys wrap instead of running off the edge.
drafts "'Message 3', 'Re: Message 1'"
TUI_SOCK=$T/tmux-3.sock
tui_start 50 30
tui_wait "list 3" 'Message 6' >/dev/null
tui_keys P
check "P with several drafts opens Drafts" tui_wait "drafts" '\[Drafts\]' 5
check "... and says how to resume one" tui_wait "how" '2 postponed drafts: E resumes' 5
tui_keys E
tui_wait "resumed 3" 'Subject: ' 10 >/dev/null
for k in 'y:send' 'e:edit' 's:Subject' 'P:postpone' 'q:abort'; do
  check "narrow composer: $k shows" tui_wait "hint $k" "$k" 5
done
tui_keys q y
tui_wait "aborted 3" 'aborted' 5 >/dev/null
tui_keys Q
check "quits cleanly" tui_wait "exit 3" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
