#!/bin/sh
# The pager on a database filled by a real IMAP sync (Dovecot) of MIME-rich
# mail: multipart/alternative picks text/plain (text/html when configured),
# the html_filter's output is shown, format=flowed is rejoined, QP/base64 and
# charsets are decoded, attachments are listed, saved byte-identical (a
# hostile file name cannot leave the directory) and opened through mailcap;
# all headers / raw toggles; CJK lines wrap by display width; search with
# / and n; escape sequences in headers, body and file names stay inert;
# a rebound key works and the help lists the pager's actions.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
trap 'rc=$?; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT

# The messages, one file each, CRLF; listed newest first in this order:
#   1 pg escape   2 pg search   3 pg cjk   4 pg latin1   5 pg attach
#   6 pg flowed   7 pg html     8 pg alt
head -c 3000 /dev/urandom >"$T/payload.bin"
printf '\000\033[31m\r\n' >>"$T/payload.bin"
"$LAB_PY" - "$T" <<'PY'
import base64, os, sys
T = sys.argv[1]
def msg(n, subject, headers, body):
    h = ("From: Pager Test <pager@example.org>\r\nTo: alice@localhost\r\nCc: carol@example.org\r\n"
         "Subject: %s\r\nDate: Mon, 02 Nov 2026 10:%02d:00 +0000\r\nMessage-ID: <pg-%d@test>\r\n"
         "X-Tern-Test: hidden-header-%d\r\nMIME-Version: 1.0\r\n" % (subject, n, n, n))
    data = (h + headers + "\r\n").encode() + body
    open(os.path.join(T, "m%d.eml" % n), "wb").write(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
b64 = lambda b: base64.encodebytes(b).decode().replace("\n", "\r\n")
msg(1, "pg alt", 'Content-Type: multipart/alternative; boundary="A"\r\n',
    b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPLAIN-VERSION-TEXT\r\n"
    b"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>HTML-VERSION-TEXT</p></body></html>\r\n--A--\r\n")
msg(2, "pg html", "Content-Type: text/html; charset=utf-8\r\n",
    b"<html><body><h1>Hello</h1><p>HTML-ONLY-<b>BODY</b> &amp; more</p></body></html>\r\n")
msg(3, "pg flowed", "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n",
    b"This is a long para \r\ngraph that was wrapped  \r\nby the sender.\r\n>> quoted line one  \r\n>> continues here\r\n")
pay = open(os.path.join(T, "payload.bin"), "rb").read()
msg(4, "pg attach", 'Content-Type: multipart/mixed; boundary="M"\r\n',
    ("--M\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attached report.\r\n"
     "--M\r\nContent-Type: application/x-terntest\r\nContent-Disposition: attachment; filename=\"report.bin\"\r\n"
     "Content-Transfer-Encoding: base64\r\n\r\n" + b64(pay) +
     "--M\r\nContent-Type: text/plain; name=\"../../evil.txt\"\r\nContent-Disposition: attachment; filename=\"../../evil.txt\"\r\n\r\n"
     "should not escape\r\n--M--\r\n").encode())
msg(5, "pg latin1", "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n",
    b"Caf=E9 cr=E8me br=FBl=E9e, soft=\r\nbreak joined\r\n")
cjk = "".join("日本語のテキスト"[i % 8] for i in range(100)) + "END"
msg(6, "pg cjk", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
    b64(("CJK: " + cjk + "\r\nemoji 😀 and e\u0301 combining\r\n").encode()).encode())
open(os.path.join(T, "cjk.txt"), "w").write("CJK: " + cjk)
lines = ["filler line %d" % i for i in range(1, 200)]
lines[79] = "first NEEDLE here"
lines[159] = "second NEEDLE there"
msg(7, "pg search", "Content-Type: text/plain; charset=utf-8\r\n", "\r\n".join(lines).encode() + b"\r\n")
msg(8, "pg escape \x1b[31mRED\x1b]0;PWNED-HDR\x07",
    'X-Evil: \x1b]0;PWNED-XHDR\x07 x-evil-value\r\nContent-Type: multipart/mixed; boundary="E"\r\n',
    b"--E\r\nContent-Type: text/plain\r\n\r\nBody \x1b[2J\x1b]0;PWNED-BODY\x07 with \x1b[41mescapes\r\n"
    b"--E\r\nContent-Type: application/x&touch\r\nContent-Disposition: attachment; filename=\"evil\x1b[31mname.txt\"\r\n\r\nx\r\n--E--\r\n")
PY
for n in 1 2 3 4 5 6 7 8; do
  imapctl -s dovecot append INBOX "$T/m$n.eml" --date "02-Nov-2026 10:0$n:00 +0000" >/dev/null ||
    { echo "append m$n failed"; exit 1; }
done

# A filter that says it ran; a mailcap entry that copies what it is given.
cat >"$T/config" <<CONF
data_dir = $T/data
html_filter = sh -c "echo FILTER-RAN; sed -e 's/<[^>]*>//g'"
bind = pager x toggle-headers
[account acct]
protocol = imap
email = $EMAIL1
username = $USER1
password = $PASS1
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE
timeout = 10
poll_interval = 30
prefetch_days = 0
CONF
chmod 600 "$T/config"
# The second entry shows what a viewer is told the type is: a hostile type
# ("application/x&touch", a valid MIME token) must not reach its shell.
# The first copies what it is given and leaves a child in the background
# that writes on its stderr once the screen is back (an X11 viewer's
# warnings): that must not land on the screen.
cat >"$T/viewer.sh" <<VIEW
cp "\$1" "$T/opened.bin"
echo VIEWER-FOREGROUND-NOISE >&2
( while [ ! -e "$T/go" ]; do sleep 0.1; done; echo VIEWER-BACKGROUND-NOISE >&2; touch "$T/bg-done" ) &
VIEW
printf 'application/x-terntest; sh %s/viewer.sh %%s\napplication/*; echo type=%%t > %s/type.txt\n' "$T" "$T" >"$T/.mailcap"
mkdir -p "$T/dl/save"
export HOME="$T" MAILCAPS="$T/.mailcap"
check "first sync from Dovecot" "$TERN" -c "$T/config" sync --once
check "the database holds the eight" test "$(tui_sql "SELECT count(*) FROM message WHERE subject LIKE 'pg %'")" = 8
check "no body was fetched by the sync (prefetch off)" test "$(tui_sql "SELECT count(*) FROM body")" = 0

cd "$T/dl/save" || exit 1
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"    # where tern puts the files it hands a viewer
tui_start 80 40
check "the list shows the messages" tui_wait "list" 'pg alt'
# Opens the Nth message of the list (1 = newest).
open_msg() {
  tui_keys g
  i=1
  while [ "$i" -lt "$1" ]; do tui_keys j; i=$((i + 1)); done
  tui_keys Enter
}

open_msg 8
check "alternative: text/plain is shown" tui_wait "plain" 'PLAIN-VERSION-TEXT' 20
check "alternative: the html part is not" tui_gone "no html" 'HTML-VERSION-TEXT'
check "fetched on demand: the body is now in the database" \
  test "$(tui_sql "SELECT count(*) FROM body b JOIN message m ON m.id = b.message_id WHERE m.message_id = 'pg-1@test'")" = 1
check "default headers: From, To, Cc, Date, Subject" tui_wait "headers" '^Cc: carol@example.org'
check "default headers: Date" tui_wait "date" '^Date: '
check "default headers: others hidden" tui_gone "hidden" 'X-Tern-Test'
tui_keys h
check "h shows all headers" tui_wait "all headers" 'X-Tern-Test: hidden-header-1'
check "... with Message-ID" tui_wait "msgid" 'Message-ID: <pg-1@test>'
tui_keys h
check "h again hides them" tui_gone "hidden again" 'X-Tern-Test'
tui_keys x
check "a rebound key (bind = pager x toggle-headers) works" tui_wait "x" 'X-Tern-Test: hidden-header-1'
tui_keys x H
check "H shows the raw message" tui_wait "raw" '<html><body><p>HTML-VERSION-TEXT</p>'
check "... with the boundary" tui_wait "raw boundary" '^--A'
tui_keys H
check "H again: rendered" tui_gone "rendered" '^--A'
tui_keys q

open_msg 7
check "html: the filter's output is shown" tui_wait "filter" 'FILTER-RAN'
check "html: converted text" tui_wait "html text" 'HTML-ONLY-BODY &amp; more'
tui_keys q

open_msg 6
check "flowed: the paragraph is rejoined" tui_wait "flowed" 'This is a long paragraph that was wrapped by the sender\.'
check "flowed: quoted lines rejoined at their depth" tui_wait "quoted" '^>> quoted line one continues here'
tui_keys q

open_msg 5
check "attach: the attachments are listed with name, type and size" \
  tui_wait "att list" '\[2\] report\.bin \(application/x-terntest, 2\.9 kB\)'
check "attach: the hostile name is listed inert as sent" tui_wait "evil listed" 'evil\.txt \(text/plain'
tui_keys v
check "v opens the attachment menu" tui_wait "menu" 'Attachments \(2\)'
tui_keys s
check "s prompts with a safe default file name" tui_wait "prompt" "Save to: $T/dl/save/report\.bin"
tui_keys Enter
check "saved: the message line says so" tui_wait "saved" 'saved 3008 bytes'
check "saved byte-identical" cmp "$T/payload.bin" "$T/dl/save/report.bin"
tui_keys s Enter
check "saving again asks before overwriting" tui_wait "overwrite" 'File exists, overwrite'
tui_keys n
check "... and no keeps the file" tui_wait "not saved" 'not saved'
tui_keys j s
check "the hostile name is offered without its path" tui_wait "evil prompt" "Save to: $T/dl/save/evil\.txt"
tui_keys Enter
check "... and lands in the directory" wait_for "evil.txt saved" 10 test -f "$T/dl/save/evil.txt"
check "... not outside it" test ! -e "$T/evil.txt" -a ! -e "$T/dl/evil.txt"
tui_keys k Enter
check "Enter opens through mailcap (curses back after)" tui_wait "opened" 'opened report\.bin'
check "the mailcap command got the exact bytes" cmp "$T/payload.bin" "$T/opened.bin"
check "the screen is restored" tui_wait "restored" 'Attachments \(2\)'
touch "$T/go"
check "the viewer's background child has written" wait_for "bg-done" 10 test -e "$T/bg-done"
check "... not on the screen" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p | grep -q 'VIEWER-.*NOISE'"
check "... it went to the viewer's stderr file" grep -q VIEWER-BACKGROUND-NOISE "$T"/tmp/tern-*/.viewer-stderr
tui_keys q
check "q closes the menu, back in the pager" tui_wait "pager back" 'See the attached report'
tui_keys q

open_msg 4
check "latin1 + quoted-printable decoded" tui_wait "latin1" 'Café crème brûlée, softbreak joined'
# Find ignores case beyond ASCII: CRÈME finds "crème", shown reversed.
tui_keys / C R È M E Enter
reversed_creme() { tmux -S "$TUI_SOCK" capture-pane -p -e | grep -q "$(printf '\033')\[7mcrème"; }
check "find: CRÈME matches crème (case folded beyond ASCII)" wait_for "creme" 10 reversed_creme
tui_keys q

open_msg 3
cjk=$(cat "$T/cjk.txt")
joined() { tui_screen | sed -n '/^CJK: /,/END/p' | tr -d '\n' | tr -d ' ' | grep -qF "$(printf '%s' "$cjk" | tr -d ' ')"; }
check "cjk: the long line wraps and keeps every character" wait_for "cjk joined" 10 joined
check "cjk: it takes three rows at 80 columns (breaks between wide characters)" sh -c "[ \$(tmux -S '$TUI_SOCK' capture-pane -p | sed -n '/^CJK: /,/END/p' | wc -l) = 3 ]"
check "emoji and combining marks shown" tui_wait "emoji" "emoji 😀 and e$(printf '\314\201') combining"
tui_keys q

open_msg 2
tui_wait "search body" 'filler line 1' 20 >/dev/null
tui_keys /
tui_wait "find prompt" 'Find:' >/dev/null
tui_keys N E E D L E Enter
check "/ finds the first match and scrolls to it" tui_wait "first" 'first NEEDLE here'
check "... the second is not on screen yet" tui_gone "not second" 'second NEEDLE'
tui_keys n
check "n finds the next" tui_wait "second" 'second NEEDLE there'
tui_keys q

# (Before the title check: tmux resets a pane's title when curses gives the
# screen to a viewer and takes it back.)
open_msg 1
# v needs the body: on its first opening it comes from the server first.
tui_wait "escape body" 'Body \^\[' 20 >/dev/null
tui_keys v
tui_wait "escape menu" 'Attachments \(1\)' >/dev/null
tui_keys Enter
check "a hostile MIME type reaches mailcap as application/octet-stream" \
  wait_for "type.txt" 10 sh -c "[ \"\$(cat '$T/type.txt' 2>/dev/null)\" = type=application/octet-stream ]"
tui_wait "menu back" 'Attachments \(1\)' >/dev/null
tui_keys q q
tmux -S "$TUI_SOCK" select-pane -T clean-title
open_msg 1
check "escape: subject inert" tui_wait "subject" 'pg escape \^\[\[31mRED\^\[\]0;PWNED-HDR\^G'
check "escape: body inert" tui_wait "body" 'Body \^\[\[2J\^\[\]0;PWNED-BODY\^G with \^\[\[41mescapes'
check "escape: attachment name inert in the list" tui_wait "att name" 'evil\^\[\[31mname\.txt'
tui_keys h
check "escape: other headers inert" tui_wait "x-evil" 'X-Evil: \^\[\]0;PWNED-XHDR\^G x-evil-value'
tui_keys h v
check "escape: attachment name inert in the menu" tui_wait "menu name" 'evil\^\[\[31mname\.txt'
tui_keys s
check "escape: the offered file name has no control characters" tui_wait "safe name" "Save to: $T/dl/save/evil_\[\[31mname\.txt"
tui_keys Escape q
check "escape: the terminal title did not change" sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = clean-title ]"
check "escape: no colour reached the terminal" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p -e | grep -q \$(printf '\\033')'\\[\\(31\\|41\\)m'"
tui_keys q '?'
help_has() { i=0; while [ $i -lt 12 ]; do _tui_match "$1" && return 0; tui_keys C-f; i=$((i + 1)); sleep 0.2; done; return 1; }
check "help lists the attachment actions" help_has 'attach +s +save-attachment'
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1

# The other preference, a filter that is not installed, and no server.
sed -i -e 's|^bind = .*|alternative_order = text/html text/plain|' \
  -e 's|^html_filter = .*|html_filter = /nonexistent/html2text|' "$T/config"
lab_stop dovecot >/dev/null
tui_sql "DELETE FROM body WHERE message_id = (SELECT id FROM message WHERE message_id = 'pg-5@test')"
rm -f "$T"/asan* "$T"/ubsan*
tui_start 80 40
tui_wait "list again" 'pg alt' >/dev/null
open_msg 8
check "alternative_order = text/html text/plain: the html part" tui_wait "html pref" 'HTML-VERSION-TEXT'
check "... not the plain one" tui_gone "no plain" 'PLAIN-VERSION-TEXT'
check "a filter that cannot run: the built-in converter" tui_gone "no filter" 'FILTER-RAN'
tui_keys q
open_msg 4
check "not cached and the server down: the pager says so" tui_wait "offline" 'offline — not cached|cannot fetch' 20
tui_keys q Q
check "quits cleanly (2)" tui_wait "exit 2" 'TERN-EXITED-0' 20
check "no sanitizer report (2)" tui_clean_exit
check_done
