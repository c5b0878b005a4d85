#!/bin/sh
# Mailing lists from the TUI against Dovecot and the SMTP sink: L replies
# to the List-Post address (and the sink gets it with that To); L on a
# message from no list, or a list that takes no posts, says so. U in the
# pager: a mailto: List-Unsubscribe opens the composer with the URL's To
# and Subject; an RFC 8058 one-click https: URL is POSTed (by the worker,
# the certificate checked against ca_file) to a local HTTPS server exactly
# once after y and not at all after n; a plain http: URL is only shown.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
lab_start dovecot smtp
tui_setup
HPID=
trap 'rc=$?; [ -n "$HPID" ] && kill $HPID 2>/dev/null; tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1; [ "${KEEP_TUI:-0}" = 1 ] || rm -rf "$T"; (exit $rc); _lab_cleanup' EXIT

"$LAB_PY" "$TERN_SRCDIR/tests/integration/unsub_https.py" "$TERN_LAB/ssl/cert.pem" "$TERN_LAB/ssl/key.pem" \
  "$T/posts" >"$T/port" 2>"$T/https.err" &
HPID=$!
wait_for "the https server listens" 10 test -s "$T/port" || { cat "$T/https.err"; exit 1; }
HPORT=$(cat "$T/port")

app() {  # DATE-HEADER HEADERS BODY INTERNALDATE
  printf 'From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s@test>\r\n%s\r\n\r\n%s\r\n' \
    "Ann <ann@example.org>" "$EMAIL1" "$1" "$(echo "$2" | md5sum | cut -c1-12)" "$2" "$3" |
    imapctl -s dovecot append INBOX - --date "$4" >/dev/null
}
# The list shows them newest first, in this order.
app "Thu, 05 Nov 2026 10:00:00 +0000" "$(printf 'Subject: Dev list post\r\nList-Id: Dev <dev.lists.example.org>\r\nList-Post: <mailto:dev@lists.example.org>\r\nList-Unsubscribe: <mailto:dev-leave@lists.example.org?subject=unsubscribe%%20dev>')" \
  "A patch for review." "05-Nov-2026 10:00:00 +0000"
app "Wed, 04 Nov 2026 10:00:00 +0000" "$(printf 'Subject: News letter\r\nList-Id: <news.example.org>\r\nList-Unsubscribe: <https://127.0.0.1:%s/u/tok123>, <mailto:news-leave@example.org>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click' "$HPORT")" \
  "This week's news." "04-Nov-2026 10:00:00 +0000"
app "Tue, 03 Nov 2026 10:00:00 +0000" "$(printf 'Subject: Web only\r\nList-Post: NO (posting not allowed)\r\nList-Unsubscribe: <http://example.org/leave?id=1>')" \
  "Announcement." "03-Nov-2026 10:00:00 +0000"
app "Mon, 02 Nov 2026 10:00:00 +0000" "Subject: Personal note" "Just us." "02-Nov-2026 10:00:00 +0000"

cat >"$T/editor" <<'ED'
#!/bin/sh
printf 'Looks good.\n' >>"$1"
ED
chmod +x "$T/editor"
cat >"$T/config" <<CONF
data_dir = $T/data
editor = $T/editor
[account acct]
email = $EMAIL1
username = $USER1
password = $PASS1
timeout = 5
imap_host = localhost
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
smtp_host = localhost
smtp_port = $SMTP_PORT
smtp_tls = starttls
ca_file = $CA_FILE
CONF
chmod 600 "$T/config"
posts() { [ -f "$T/posts" ] && wc -l <"$T/posts" || echo 0; }

tui_start
check "synced" tui_wait "list" 'Personal note' 60
tui_wait "idle" 'acct +idle' 30 >/dev/null
# open N: the Nth message of the list in the pager (1: the top)
open_nth() {
  tui_keys g
  i=1; while [ "$i" -lt "$1" ]; do tui_keys j; i=$((i + 1)); done
  tui_keys Enter
}

# L: to the List-Post address, quoted and threaded.
open_nth 1
check "the pager shows the list post" tui_wait "pager" 'A patch for review' 20
tui_keys L
check "L composes to the list" tui_wait "compose" 'To: dev@lists.example.org' 20
check "... as a reply" tui_wait "subject" 'Subject: Re: Dev list post' 5
tui_keys y
sent_to() { f=$(grep -l '^Subject: Re: Dev list post' "$SMTP_SPOOL"/*.eml 2>/dev/null | head -1); [ -n "$f" ] && grep -m1 '^To:' "$f" | tr -d '\r'; }
check "the sink got it" wait_for "sink" 30 sent_to
check "... To the list address only" test "$(sent_to)" = "To: dev@lists.example.org"
check "... threaded under the post" sh -c "grep -l '^Subject: Re: Dev list post' '$SMTP_SPOOL'/*.eml | head -1 | xargs grep -q '^In-Reply-To: <'"

# U with a mailto: the composer, with the URL's To and Subject.
tui_keys U
check "U on a mailto: List-Unsubscribe composes" tui_wait "unsub compose" 'To: dev-leave@lists.example.org' 20
check "... with the URL's subject" tui_wait "unsub subject" 'Subject: unsubscribe dev' 5
tui_keys q y
check "aborted" tui_wait "aborted" 'message aborted' 10

# U with one-click https: n posts nothing, y posts exactly once.
tui_keys q
open_nth 2
check "the pager shows the newsletter" tui_wait "news" "This week's news" 20
tui_keys U
check "U asks before the POST" tui_wait "ask" "Unsubscribe from <news.example.org> by a POST to 127.0.0.1:$HPORT\\? \\[y/N\\]" 10
tui_keys n
check "n: not unsubscribed" tui_wait "no" 'not unsubscribed' 10
# (Had n posted, that POST would come before y's: the count below shows it.)
tui_keys U
tui_wait "ask again" 'by a POST to' 10 >/dev/null
tui_keys y
check "y: the worker posts, the status line says so" tui_wait "done" 'unsubscribed: the list' 20
check "exactly one POST (none for n), RFC 8058's body, to the URL" sh -c "[ \$(wc -l <'$T/posts') = 1 ] &&
  grep -qx 'POST /u/tok123 List-Unsubscribe=One-Click application/x-www-form-urlencoded' '$T/posts' || { cat '$T/posts'; exit 1; }"

# A plain http: URL: only shown, never fetched.
tui_keys q
open_nth 3
check "the pager shows the web-only list message" tui_wait "web" 'Announcement' 20
tui_keys U
check "the http: URL is shown to copy" tui_wait "url" 'http://example.org/leave\?id=1' 10
check "... and says tern does not open it" tui_wait "not opened" 'tern does not open it' 5
tui_keys q
tui_keys L
check "L on a list that takes no posts says so" tui_wait "no posts" 'the list takes no posts' 10
tui_keys q
open_nth 4
check "the pager shows the personal note" tui_wait "personal" 'Just us' 20
tui_keys L
check "L on a message from no list says so" tui_wait "not a list" 'not a list message' 10
check "still one POST" test "$(posts)" = 1
tui_keys q Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0' 20
check "no sanitizer report" tui_clean_exit
tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1

# The POST checks the certificate: trusting another CA, nothing is posted
# (the account is offline then too; the POST does not need its server).
sed -i "s|^ca_file = .*|ca_file = $BAD_CA_FILE|" "$T/config"
tui_start
tui_wait "list" 'Personal note' 20 >/dev/null
open_nth 2
check "the newsletter, from the cache" tui_wait "news 2" "This week's news" 20
tui_keys U
tui_wait "ask 3" 'by a POST to' 10 >/dev/null
tui_keys y
check "an untrusted certificate: unsubscribe failed" tui_wait "tls" 'unsubscribe failed: .*(certificate|SSL|TLS|verif)' 30
check "... and no POST reached the server" test "$(posts)" = 1
tui_keys q Q
check "quits cleanly (2)" tui_wait "exit 2" 'TERN-EXITED-0' 20
check "no sanitizer report (2)" tui_clean_exit
check_done
