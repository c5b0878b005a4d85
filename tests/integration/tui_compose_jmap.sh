#!/bin/sh
# Replying from the TUI on a JMAP account (Cyrus, issue 7): the reply with
# an attachment goes out through EmailSubmission (the SMTP sink gets it
# once, threaded, the attachment byte-identical) and sits in Sent.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"
skip_if_missing tmux
SOCK=$W/tmux.sock
trap 'r=$?; tmux -S "$SOCK" kill-server >/dev/null 2>&1; (exit $r); _lab_cleanup' EXIT
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
export W
cat >"$W/editor" <<'ED'
#!/bin/sh
printf 'Agreed, see the file.\n' >>"$1"
ED
chmod +x "$W/editor"
head -c 30000 /dev/urandom >"$W/report.pdf"
keys() { tmux -S "$SOCK" send-keys "$@"; }
_match() { tmux -S "$SOCK" capture-pane -p | grep -Eq -- "$1"; }
see() {
  wait_for "$1" "${3:-15}" _match "$2" || { echo "--- screen:"; tmux -S "$SOCK" capture-pane -p; return 1; }
}
spool_has() { grep -lq "^Subject: Re: Budget" "$SMTP_SPOOL"/*.eml 2>/dev/null; }
has() { grep -qxF -- "$2" "$1" || { echo "missing: $2"; cat "$1"; return 1; }; }

pmid="jparent-$$@example.org"
printf 'From: Erin <erin@example.org>\r\nTo: %s\r\nSubject: Budget\r\nMessage-ID: <%s>\r\n\r\nNumbers attached soon.\r\n' \
  "$EMAIL1" "$pmid" | imapctl -s cyrus append INBOX - >/dev/null
check "first sync" tern_ sync --once
tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
  "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$W/state EDITOR=$W/editor \
   ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$W/asan' UBSAN_OPTIONS='print_stacktrace=1:log_path=$W/ubsan' \
   $TERN -c $W/conf; echo TERN-EXITED-\$?; sleep 30"
check "list shows the message" see "list" 'Budget'
keys r
check "reply compose screen (body fetched first)" see "compose" 'Subject: Re: Budget'
keys a "$W/report.pdf" Enter
check "attached as application/pdf" see "att" 'report.pdf \(application/pdf'
keys y
check "submitted: the sink has it" wait_for "sink" 30 spool_has
check "exactly once" test "$(grep -l '^Subject: Re: Budget' "$SMTP_SPOOL"/*.eml | wc -l)" = 1
"$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$(grep -l '^Subject: Re: Budget' "$SMTP_SPOOL"/*.eml)" >"$W/r.txt"
sha=$(sha256sum "$W/report.pdf" | cut -d' ' -f1)
check "In-Reply-To is the parent" has "$W/r.txt" "in-reply-to: <$pmid>"
check "References is the parent" has "$W/r.txt" "references: <$pmid>"
check "attachment byte-identical" has "$W/r.txt" "attachment: report.pdf|application/pdf|$sha"
rmid=$(sed -n 's/^message-id: //p' "$W/r.txt")
check "in Sent on the server" wait_for "sent" 15 sh -c "'$LAB_PY' '$LAB_SRV/jmapctl.py' msgids sent | grep -qF '$rmid'"
check "the status line says sent" see "sent" 'message sent'
# A postponed draft is in the local Drafts at once; when Email/import has
# stored it, the local row is that email (its id), not a second copy.
in_drafts="SELECT count(*) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'drafts' AND m.subject = 'Re: Budget'"
keys r
check "a second reply" see "compose 2" 'Subject: Re: Budget'
keys P
check "postponed" see "postponed" 'postponed to Drafts'
keys c Drafts Enter
check "Drafts lists it at once" see "drafts" 'Re: Budget'
check "the local row becomes the email the server created" wait_for "email id" 30 sh -c \
  "[ \$(sqlite3 '$W/data/tern.db' \"$in_drafts AND m.email_id IS NOT NULL\") = 1 ]"
keys Q
check "quits cleanly" see "exit" 'TERN-EXITED-0'
check "a sync after it" tern_ sync --once
check "one draft in Drafts, not two" test "$(sql "$in_drafts")" = 1
check "the server has it once, as a draft" test "$("$LAB_PY" "$LAB_SRV/jmapctl.py" msgids drafts | wc -l)" = 1
check "no sanitizer report" sh -c "! ls '$W'/asan* '$W'/ubsan* >/dev/null 2>&1 || { cat '$W'/asan* '$W'/ubsan*; exit 1; }"
check_done
