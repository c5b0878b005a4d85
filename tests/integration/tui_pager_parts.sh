#!/bin/sh
# The pager (issue 23, point 11): inline text parts after the first (two
# .patch files) are each marked with the number the attachment menu gives
# them, "[-- 2: 0001-fix.patch (text/x-patch, 33 B) --]"; the Date line
# keeps the seconds and the zone (date_format, strftime, as mutt); h shows
# the headers without a stray "--" before the body.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 6
printf '%s\r\n' 'From: Patch Sender <p@example.org>' 'To: me@fill.test' 'Subject: Re: Message 5' \
  'Date: Mon, 02 Nov 2026 10:11:12 +0100' 'Message-ID: <m5@fill.test>' 'X-Custom: kept' 'MIME-Version: 1.0' \
  'Content-Type: multipart/mixed; boundary="BB"' '' '--BB' 'Content-Type: text/plain; charset=utf-8' '' \
  'Two fixes attached.' '--BB' 'Content-Type: text/x-patch; name="0001-fix.patch"' \
  'Content-Disposition: inline; filename="0001-fix.patch"' '' '--- a/x.c' '+++ b/x.c' '-old' '+new' \
  '--BB' 'Content-Type: text/x-patch; name="0002-more.patch"' 'Content-Disposition: inline; filename="0002-more.patch"' \
  '' '--- a/y.c' '+++ b/y.c' '-old2' '+new2' '--BB--' >"$T/m5.eml"
tui_sql "UPDATE body SET raw = readfile('$T/m5.eml') WHERE message_id = (SELECT id FROM message WHERE subject = 'Re: Message 5')"
# 2026-11-02 10:11:12 +0100 = 09:11:12 UTC
tui_sql "UPDATE message SET sent_at = 1793610672, has_attachment = 1 WHERE subject = 'Re: Message 5'"
sed -i '1i date_format = %Y-%m-%d %H:%M:%S %z' "$T/config"
tui_start
tui_wait "list" 'Re: Message 5' >/dev/null
tui_keys j Enter
check "the pager shows the letter" tui_wait "pager" '│Two fixes attached\. *$' 10
check "the first patch is marked with its part number" tui_wait "part 2" '│\[-- 2: 0001-fix\.patch \(text/x-patch, [0-9.]+ [kB]+\) --\] *$' 5
check "... so is the second" tui_wait "part 3" '│\[-- 3: 0002-more\.patch \(text/x-patch, [0-9.]+ [kB]+\) --\] *$' 5
check "the patch text follows its mark" sh -c "tmux -S '$TUI_SOCK' capture-pane -p | grep -A1 '│\[-- 2:' | grep -q '│--- a/x.c'"
check "the Date line follows date_format (seconds and zone)" tui_wait "date" '│Date: 2026-11-02 [0-9]{2}:11:12 [+-][0-9]{4} *$' 5
tui_keys v
check "the attachment menu gives the same numbers" tui_wait "menu" ' 2 +.*0001-fix\.patch' 5
tui_keys q
tui_wait "pager again" '│Two fixes attached\.' 5 >/dev/null
tui_keys h
check "h shows every header" tui_wait "all headers" '│X-Custom: kept *$' 5
check "... and no stray -- between the headers and the body" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p | grep -q '│-- *\$'"
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
