#!/bin/sh
# Colours, as tmux captures them (capture-pane -e: SGR escapes): the default
# scheme colours a flagged row, bolds an unread one, and colours quoted
# lines by depth, the header and the signature in the pager; a color line
# in the config changes one object; NO_COLOR leaves attributes only; a bad
# color line is a config error with FILE:LINE and a guess.
# A terminal with 8 colours gets the nearest of them, one without none.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 5 >/dev/null
tui_sql "UPDATE message SET flagged = 1 WHERE subject = 'Message 3'"
# Unread, and never opened here (opening Message 5 marks it read).
tui_sql "UPDATE message SET seen = 0 WHERE subject = 'Re: Message 4'"
# The newest message (unread, its body cached): quotes and a signature.
printf 'From: a@fill.test\r\nSubject: Re: Message 5\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n> level one\r\n>> level two\r\nplain again\r\n-- \r\nthe signature\r\n' >"$T/q.eml"
tui_sql "UPDATE body SET raw = readfile('$T/q.eml') WHERE message_id = (SELECT id FROM message WHERE subject = 'Re: Message 5')"
cp "$T/config" "$T/config.plain"

colours() { tmux -S "$TUI_SOCK" capture-pane -e -p; }
# LINE_TEXT SGR_PARAM: the screen line holding LINE_TEXT sets SGR_PARAM
# (alone or among others: ESC[31m, ESC[1;31m) before that text.
sgr_before() {
  colours | grep -F -- "$1" | head -n 1 >"$T/line"
  _pre=$(sed "s/$(printf '%s' "$1" | sed 's/[][\.*^$/]/\\&/g').*//" "$T/line")
  printf '%s' "$_pre" | grep -Eq "$(printf '\033')\\[([0-9;]*;)?$2(;[0-9;]*)?m" || { echo "  no SGR $2 before '$1' in:"; cat -v "$T/line"; return 1; }
}
no_colour() { # no foreground or background colour anywhere on the screen
  ! colours | grep -Eq "$(printf '\033')\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m" ||
    { echo "  colour in:"; colours | cat -v | head -20; return 1; }
}
restart() { # CONFIG [ENV...]: tern again, with that config and environment
  tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
  # The old server must be gone, or the new session talks to it as it exits.
  wait_for "old tmux gone" 5 sh -c "! tmux -S '$TUI_SOCK' list-sessions >/dev/null 2>&1" >/dev/null
  rm -f "$TUI_SOCK"
  cp "$1" "$T/config"
  shift
  TERN="env $* $TERN_BIN" tui_start 120 30
}
TERN_BIN=$TERN

tui_start 120 30
check "the list is shown" tui_wait "list" "Message 3"
check "the flagged row is red" sgr_before "Message 3" 31
check "the unread row is bold" sgr_before "Re: Message 5" 1
check "a read row that is not flagged has no colour" sh -c "! tmux -S '$TUI_SOCK' capture-pane -e -p | grep -F 'Re: Message 2' | grep -q '\[31m'"
tui_keys Enter
check "the pager opens" tui_wait "pager" "level two"
check "a header line is bold" sgr_before "Subject: Re: Message 5" 1
check "a quote is cyan" sgr_before "> level one" 36
check "a quote of a quote is green" sgr_before ">> level two" 32
check "the signature is dim" sgr_before "the signature" 2
check "text after the quotes has no colour" sh -c "! tmux -S '$TUI_SOCK' capture-pane -e -p | grep -F 'plain again' | grep -Eq '\[(3[0-7]|38;5)'"

{ printf 'color flagged green default\ncolour = quoted #0000ff default underline\n'; cat "$T/config.plain"; } >"$T/config.set"
restart "$T/config.set"
check "with 'color flagged green default'" tui_wait "list" "Message 3"
check "... the flagged row is green" sgr_before "Message 3" 32
tui_keys Enter
check "... the pager opens" tui_wait "pager" "level two"
check "... and #0000ff is the nearest of the 256 colours, underlined" sgr_before "> level one" "38;5;21"
check "... underlined" sgr_before "> level one" 4

restart "$T/config.set" NO_COLOR=1
check "with NO_COLOR=1" tui_wait "list" "Message 3"
check "... no colour on the screen" no_colour
check "... the unread row is still bold" sgr_before "Re: Message 4" 1
tui_keys Enter
check "... the pager opens" tui_wait "pager" "level two"
check "... the quote is underlined, as configured, but not coloured" sgr_before "> level one" 4
check "... no colour in the pager" no_colour

restart "$T/config.set" TERM=xterm
check "on an 8-colour terminal (TERM=xterm)" tui_wait "list" "Message 3"
tui_keys Enter
check "... the pager opens" tui_wait "pager" "level two"
check "... #0000ff is the nearest basic colour, blue" sgr_before "> level one" 34

restart "$T/config.set" TERM=xterm-mono
check "on a terminal without colours (xterm-mono)" tui_wait "list" "Message 3"
check "... no colour" no_colour
check "... the unread row is still bold" sgr_before "Re: Message 4" 1
tui_keys q
check "tern exits cleanly" tui_wait "exit" "TERN-EXITED-0"
check "no sanitizer report" tui_clean_exit

{ printf 'color qouted cyan default\ncolor tree rde default\n'; cat "$T/config.plain"; } >"$T/bad.conf"
"$TERN" -c "$T/bad.conf" config check >"$T/out" 2>"$T/err"
check "a bad color line fails config check" test $? -ne 0
check "... naming the file, the line and the object, with a guess" \
  grep -qF "$T/bad.conf:1: unknown colour object 'qouted' (did you mean quoted?)" "$T/err"
check "... and the next bad line too" grep -qF "$T/bad.conf:2: unknown foreground colour 'rde' (did you mean red?)" "$T/err"
check_done
