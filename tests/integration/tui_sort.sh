#!/bin/sh
# Sorting the list (o / O, mutt's keys): o s sorts by subject (Re: ignored)
# with the cursor still on its message, O reverses, g/G/j and the position
# stay right; the order shows in the status line and is kept per mailbox for
# the session; threads keep their own order; sort = and sort.MAILBOX = in the
# config set the order a mailbox opens in. Offline, on a fixture database.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 30
tui_fill 3 --box Work
# The subject order of "Message 1".."Message 30" (Re: on two of three) is
# text order: 1, 10..19, 2, 20..29, 3, 30, 4, ..., 9.
opened() { # SUBJECT: Enter shows it in the pager, q goes back
  tui_keys Enter
  tui_wait "pager" "Subject: $1\$" 5 || return 1
  tui_keys q
  tui_gone "pager closed" "^Subject: " 5
}
tui_start
tui_wait "list" 'Message 30' >/dev/null
tui_wait "top" '· 1/30 ' 5 >/dev/null
check "the default order, newest first, needs no note in the status line" tui_gone "no note" 'sort:' 5
tui_keys j j j
tui_wait "on 27" '· 4/30 ' 5 >/dev/null
tui_keys o
check "o asks for the order with mutt's letters" tui_wait "menu" 'Sort \(d\)ate \(r\)ecv \(f\)rom \(t\)o \(s\)ubj si\(z\)e \(u\)nread \(F\)lagged\?' 5
tui_keys s
check "o s: sorted by subject, said in the status line" tui_wait "subject" '· sort: subject' 5
check "... the cursor stays on its message, now 20th" tui_wait "position" '· 20/30 ' 5
check "... which is still Message 27" opened "Message 27"
tui_keys g
check "g: the first subject" tui_wait "top" '· 1/30 · sort: subject' 5
check "... Re: Message 1 (Re: ignored)" opened "Re: Message 1"
tui_keys j
check "j: the next subject, Message 10" tui_wait "j" '· 2/30 ' 5
check "... Re: Message 10" opened "Re: Message 10"
tui_keys G
check "G: the last subject" tui_wait "G" '· 30/30 ' 5
check "... Message 9" opened "Message 9"
tui_keys O s
check "O s: reversed, in the status line" tui_wait "reverse" '· sort: reverse-subject' 5
check "... the cursor stays on Message 9, now first" tui_wait "reverse position" '· 1/30 ' 5
tui_keys j
check "j: Re: Message 8" opened "Re: Message 8"
tui_keys G
check "G: Re: Message 1 last" tui_wait "reverse G" '· 30/30 ' 5
check "... Re: Message 1" opened "Re: Message 1"
tui_keys O
tui_wait "menu 2" 'Reverse sort' 5 >/dev/null
tui_keys Escape
check "Esc leaves the order as it was" tui_wait "esc" '· sort: reverse-subject' 5
# Kept per mailbox for the session.
tui_keys c W o r k Enter
tui_wait "work" '\[Work\]' 10 >/dev/null
check "another mailbox opens in its own order (newest first)" tui_gone "work order" 'sort:' 5
tui_keys c I N B O X Enter
check "INBOX comes back in the order chosen for it" tui_wait "inbox again" '\[INBOX\].*· 1/30 · sort: reverse-subject' 10
tui_keys j j j
tui_wait "on 6" '· 4/30 ' 5 >/dev/null
tui_keys V
tui_wait "threads" '\(threads\)' 5 >/dev/null
tui_keys o
check "threads keep their order, and say so" tui_wait "threaded" 'threads keep their order \(newest message first\)' 5
tui_keys V
check "back to the flat list in its order, on the same message" tui_wait "flat" '· 4/30 · sort: reverse-subject' 5
check "... Message 6" opened "Message 6"
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit

# The config: a global order, and one for INBOX in the account's section.
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
TUI_SOCK=$T/tmux-2.sock
sed -i '1i sort = reverse-arrival' "$T/config"
echo 'sort.INBOX = subject' >>"$T/config"
tui_start
check "sort.INBOX = subject: INBOX opens by subject" tui_wait "config inbox" '\[INBOX\].*· 1/30 · sort: subject' 10
check "... from the first subject" opened "Re: Message 1"
tui_keys c W o r k Enter
check "sort = reverse-arrival: the other mailboxes open oldest first" tui_wait "config work" '\[Work\].*· sort: reverse-arrival' 10
check "... Re: Message 1 first" opened "Re: Message 1"
tui_keys Q
check "quits cleanly" tui_wait "exit 2" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
