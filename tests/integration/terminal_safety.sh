#!/bin/sh
# Terminal safety on every path (issue 17): one hostile message on the real server, whose
# From name, address, subject, text body, HTML body and attachment file name hold ESC, CSI,
# OSC, DCS, a C1 CSI, bidi overrides and bytes that are not UTF-8, in a folder whose name
# holds a bidi override, a server refusal that quotes it, and a mailcap viewer (copiousoutput)
# that prints escapes. Every human-readable line of the command line (tern mailboxes, list, show,
# search, queue, sync) passes safe_check.py; on the TUI's screen nothing of it acts: the
# title stays, no colour of the mail's appears, the escapes show as ^[ and <U+...> marks.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot
tui_setup
trap 'rc=$?; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT
SAFE="$LAB_PY $TERN_SRCDIR/tests/integration/safe_check.py"
# ESC CSI, OSC (title), DCS, a C1 CSI, the right-to-left override, invalid UTF-8.
EVIL=$(printf '\033[31mRED\033[0m \033]0;PWNED\007 \033P1$qm\033\\ \302\23331m \342\200\256gnp.exe \377\376')
EVIL_B64=$(printf '%s' "$EVIL" | base64 -w0)
{
  printf 'From: =?utf-8?b?%s?= <evil\033[31m@example.org>\r\n' "$EVIL_B64"
  printf 'To: %s\r\nSubject: Evil %s subject\r\n' "$EMAIL1" "$EVIL"
  printf 'Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <evil-1@test>\r\nMIME-Version: 1.0\r\n'
  printf 'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
  printf -- '--B\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n'
  printf -- '--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody %s end\r\n' "$EVIL"
  printf -- '--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Html &#x1b;[41mRED&#x1b;]0;PWNED-HTML&#7; &#x202e;fdp.exe %s</p>\r\n' "$EVIL"
  printf -- '--A--\r\n--B\r\nContent-Type: application/x-evil\r\n'
  printf "Content-Disposition: attachment; filename*=utf-8''%%1B%%5B31mevil%%E2%%80%%AEtxt.exe\r\n\r\nx\r\n--B--\r\n"
} >"$T/evil.eml"
imapctl -s dovecot create "Évil‮folder" >/dev/null
imapctl -s dovecot append INBOX "$T/evil.eml" >/dev/null
imapctl -s dovecot append "Évil‮folder" "$T/evil.eml" >/dev/null
# The viewer's output is shown in tern's own text view, whether or not run-mailcap exists.
export HOME="$T"
cat >"$T/.mailcap" <<'MC'
application/x-evil; printf '\\033]0\;PWNED-MAILCAP\\007\\033[45mmailcap-out\\n'; copiousoutput
MC
cat >"$T/config" <<CONF
data_dir = $T/data
[account acct]
email = $EMAIL1
username = $USER1
password = $PASS1
timeout = 5
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
ca_file = $CA_FILE
CONF
chmod 600 "$T/config"
tn() { "$TERN" -c "$T/config" "$@" 2>&1; }
check "the checker refuses ESC, C1, a bidi override and invalid UTF-8" sh -c "
  ! printf '\033[31m' | $SAFE && ! printf '\302\233' | $SAFE && ! printf '\342\200\256' | $SAFE &&
  ! printf '\377' | $SAFE && printf 'caf\303\251\tok\n' | $SAFE"
check "the hostile message syncs" sh -c "'$TERN' -c '$T/config' sync --once >/dev/null 2>&1"
id=$(tui_sql "SELECT m.id FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE m.message_id = 'evil-1@test' AND b.role = 'inbox'")
check "... and is stored" test -n "$id"
check "tern mailboxes" sh -c "'$TERN' -c '$T/config' mailboxes acct 2>&1 | $SAFE mailboxes"
check "tern list" sh -c "'$TERN' -c '$T/config' list acct INBOX 2>&1 | $SAFE list"
check "... which lists the hostile subject" sh -c "'$TERN' -c '$T/config' list acct INBOX | grep -q 'Evil ^\[\[31mRED'"
check "tern list of the folder with a bidi name" sh -c "'$TERN' -c '$T/config' list acct 'Évil‮folder' 2>&1 | $SAFE list-folder"
check "... which is listed (its name as a mark)" sh -c "'$TERN' -c '$T/config' mailboxes acct | grep -q 'Évil<U+202E>folder'"
check "tern show" sh -c "'$TERN' -c '$T/config' show $id 2>&1 | $SAFE show"
check "... which does show the text, made inert" sh -c "'$TERN' -c '$T/config' show $id | grep -q 'Body ^\[\[31mRED'"
check "tern search" sh -c "'$TERN' -c '$T/config' search acct Evil 2>&1 | $SAFE search"
check "tern search --server" sh -c "'$TERN' -c '$T/config' search --server acct subject:Evil 2>&1 | $SAFE search-server"
# A change the server refuses, with the server's words in the queue: a move to a folder
# deleted behind tern's back (Dovecot's NO names it).
imapctl -s dovecot create "Gone" >/dev/null
tn sync --once >/dev/null
imapctl -s dovecot delete "Gone" >/dev/null
tn move --no-sync "$id" Gone >/dev/null
tn sync --once >/dev/null
check "the refused move is failed in the queue" sh -c "'$TERN' -c '$T/config' queue --json acct | grep -q '\"failed\"'"
check "tern queue" sh -c "'$TERN' -c '$T/config' queue acct 2>&1 | $SAFE queue"
check "tern sync with a failing change" sh -c "'$TERN' -c '$T/config' sync --once 2>&1 | $SAFE sync"

# The TUI: list, pager, all headers, raw view, attachment menu.
tui_start
tmux -S "$TUI_SOCK" select-pane -T clean-title
check "the TUI lists it" tui_wait "list" 'Evil \^\[\[31mRED' 60
tui_keys Enter
check "the pager shows the body inert" tui_wait "pager" 'Body \^\[\[31mRED\^\[\[0m \^\[\]0;PWNED\^G'
check "... the bidi override as a mark" tui_wait "bidi" '<U\+202E>gnp\.exe'
tui_keys h
check "all headers: the From name inert" tui_wait "headers" 'From: .*\^\[\[31mRED'
tui_keys H
check "raw view: inert" tui_wait "raw" 'Subject: Evil \^\[\[31mRED'
tui_keys H h v
check "the attachment menu shows the file name inert" tui_wait "attach" '\^\[\[31mevil<U\+202E>txt\.exe'
tui_keys G Enter
check "a copiousoutput viewer's output is shown inert in tern's view" tui_wait "mailcap" '\^\[\]0;PWNED-MAILCAP\^G\^\[\[45mmailcap-out'
tui_keys q q q
check "the terminal title never changed" sh -c "[ \"\$(tmux -S '$TUI_SOCK' display -p '#{pane_title}')\" = clean-title ]"
# (tern's own scheme has foreground colours only: a background colour can only be the mail's)
check "no colour of the mail's reached the terminal" sh -c "! tmux -S '$TUI_SOCK' capture-pane -p -e | grep -q \$(printf '\\033')'\\[\\(41\\|44\\|45\\)m'"
check "the screen holds no raw control, C1, bidi or invalid byte" sh -c "tmux -S '$TUI_SOCK' capture-pane -p | $SAFE screen"
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
