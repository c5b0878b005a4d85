#!/bin/sh
# Replying from the TUI against real servers (issue 7): reply-all with an
# attachment through the SMTP sink and into Sent on Dovecot (threading
# headers and the attachment checked with Python's email package), tern
# killed right after "send" still sends exactly once, and a draft postponed
# to the server's Drafts is resumed and sent.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing tmux sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
SOCK=$W/tmux.sock
trap 'r=$?; tmux -S "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/conf
imap_conf "$C" acct dovecot
export W

cat >"$W/editor" <<'ED'
#!/bin/sh
. "$W/edit"
ED
chmod +x "$W/editor"
head -c 20000 /dev/urandom >"$W/photo.jpg"

start_tui() {
  tmux -S "$SOCK" -f /dev/null new-session -d -x 120 -y 40 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$W/state HOME=$W W=$W EDITOR=$W/editor \
     ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$W/asan' UBSAN_OPTIONS='print_stacktrace=1:log_path=$W/ubsan' \
     $T -c $C; echo TERN-EXITED-\$?; sleep 30"
}
keys() { tmux -S "$SOCK" send-keys "$@"; }
_match() { tmux -S "$SOCK" capture-pane -p | grep -Eq -- "$1"; }
see() {
  wait_for "$1" "${3:-15}" _match "$2" || { echo "--- screen:"; tmux -S "$SOCK" capture-pane -p; return 1; }
}
spool_has() { [ "$(grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l)" -ge "${2:-1}" ]; }
spool_file() { grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml | head -1; }
has() { grep -qxF -- "$2" "$1" || { echo "missing: $2"; cat "$1"; return 1; }; }

pmid="parent-$$@example.org"
printf 'From: Bob <bob@example.org>\r\nTo: %s\r\nCc: Carol <carol@example.org>\r\nSubject: Lunch plan\r\nMessage-ID: <%s>\r\nReferences: <root-%s@example.org>\r\n\r\nSee you at noon.\r\n' \
  "$EMAIL1" "$pmid" "$$" | imapctl append INBOX - >/dev/null
check "first sync" "$T" -c "$C" sync --once

# Reply-all with an attachment.
cat >"$W/edit" <<'ED'
printf 'Count me in.\n' >>"$1"
ED
start_tui
check "list shows the message" see "list" 'Lunch plan'
keys Enter
check "the pager shows its body (fetched)" see "body" 'See you at noon'
keys R
check "reply-all compose screen" see "compose" 'Subject: Re: Lunch plan'
check "Cc keeps Carol" see "cc" 'Cc: Carol <carol@example.org>'
keys a "$W/photo.jpg" Enter
check "attached as image/jpeg" see "att" 'photo.jpg \(image/jpeg'
keys y
check "sent through the sink" wait_for "sink" 30 spool_has "Re: Lunch plan"
check "the status line says sent" see "sent" 'message sent'
out=$(spool_file "Re: Lunch plan")
"$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$out" "$W/photo.jpg" >"$W/reply.txt"
sha=$(sha256sum "$W/photo.jpg" | cut -d' ' -f1)
check "In-Reply-To is the parent" has "$W/reply.txt" "in-reply-to: <$pmid>"
check "References: root then parent" has "$W/reply.txt" "references: <root-$$@example.org> <$pmid>"
check "To the sender, Cc Carol, not ourselves" sh -c "grep -qx 'addr-to: Bob|bob@example.org' '$W/reply.txt' &&
  grep -qx 'addr-cc: Carol|carol@example.org' '$W/reply.txt' && ! grep -E '^(addr-to|addr-cc).*$EMAIL1' '$W/reply.txt'"
check "attachment byte-identical" has "$W/reply.txt" "attachment: photo.jpg|image/jpeg|$sha"
check "quoted parent and the reply text" grep -q '^body: .*> See you at noon.*Count me in' "$W/reply.txt"
rmid=$(sed -n 's/^message-id: <\(.*\)>$/\1/p' "$W/reply.txt")
check "filed in Sent on the server" wait_for "Sent" 15 imapctl find Sent "$rmid"
check "the parent is answered on the server" wait_for "answered" 15 sh -c "'$LAB_PY' '$LAB_SRV/imapctl.py' flags INBOX 'mid:$pmid' | grep -q Answered"

# A second reply to the (now answered) message goes out too: the flag is
# already set, which once rolled the queued send back ("database error").
cat >"$W/edit" <<'ED'
sed -i "s/^Subject:.*/Subject: Re: Lunch plan, again/" "$1"
printf 'One more thing.\n' >>"$1"
ED
keys r
check "a second reply to the answered message" see "compose again" 'Subject: Re: Lunch plan, again'
keys y
check "... is sent as well" wait_for "sink" 30 spool_has "Re: Lunch plan, again"

# Killed right after "send": still sent, exactly once.
cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: bob@example.org/; s/^Subject:.*/Subject: killed after send/" "$1"
printf 'Body.\n' >>"$1"
ED
keys m
check "compose" see "compose 2" 'Subject: killed after send'
pane=$(tmux -S "$SOCK" list-panes -F '#{pane_pid}')
keys y
pid=$(pgrep -P "$pane" | head -1)
kill -9 "$pid"
check "tern is gone" see "killed" 'TERN-EXITED-137'
tmux -S "$SOCK" kill-server >/dev/null 2>&1
# Killed before the worker began the SMTP transaction, the restart sends it.
# Killed during it, the outcome is unknown: the send is kept, failed, with
# that said (doc/CONFLICTS.md, rule 5), and a retry sends it. Either way it
# is never lost, and never sent twice behind the user's back.
"$T" -c "$C" sync --once >"$W/restart.out" 2>&1
killed_copies() { grep -l '^Subject: killed after send' "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l; }
if [ "$(tsql "SELECT count(*) FROM pending_change")" = 0 ]; then
  check "the restart sent it: the sink got it exactly once" test "$(killed_copies)" = 1
else
  check "the restart kept it, failed: the outcome is unknown" \
    test "$(tsql "SELECT status FROM pending_change WHERE change_type = 'send'")" = failed
  check "... and says it may have gone out" grep -q 'may have gone out' "$W/restart.out"
  before=$(killed_copies)
  check "... it was not sent twice" test "$before" -le 1
  check "a retry sends it" "$T" -c "$C" queue retry "$(tsql "SELECT id FROM pending_change WHERE change_type = 'send'")"
  check "... the sync after it pushes it" "$T" -c "$C" sync --once
  check "... the sink got it once more" test "$(killed_copies)" = "$((before + 1))"
fi
check "the queue is empty" test "$(tsql "SELECT count(*) FROM pending_change")" = 0
check "Sent holds it exactly once" test "$(imapctl uids Sent SUBJECT killed | wc -w)" = 1

# Postpone to Drafts, resume, send.
cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: dave@example.org/; s/^Subject:.*/Subject: draft to resume/" "$1"
printf 'Later.\n' >>"$1"
ED
start_tui
check "list again" see "list 2" 'Lunch plan'
keys m
check "compose 3" see "compose 3" 'Subject: draft to resume'
keys P
check "postponed" see "postponed" 'postponed to Drafts'
keys c Drafts Enter
check "Drafts lists it at once, before any sync" see "drafts" 'draft to resume'
check "the draft is on the server, \\Draft" wait_for "draft" 15 sh -c \
  "'$LAB_PY' '$LAB_SRV/imapctl.py' flags Drafts | grep -q Draft"
check "the local row took the server's UID (UIDPLUS)" wait_for "uid" 15 sh -c "[ \$(sqlite3 '$W/data/tern.db' \"SELECT count(*) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id WHERE m.subject = 'draft to resume' AND mm.uid = \$('$LAB_PY' '$LAB_SRV/imapctl.py' uids Drafts)\") = 1 ]"
last_sync=$(tsql "SELECT coalesce(max(id), 0) FROM sync_log")
keys '$'
check "a sync after it ends" wait_for "sync" 30 sh -c "[ \$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM sync_log WHERE id > $last_sync AND ended_at IS NOT NULL') -ge 1 ]"
check "the server's copy is that row, not a second one" test \
  "$(tsql "SELECT count(*) FROM message WHERE subject = 'draft to resume'")" = 1
keys E
check "resumed on the compose screen" see "resumed" 'To: dave@example.org'
keys y
check "the resumed draft is sent" wait_for "sink 3" 30 spool_has "draft to resume"
check "and gone from Drafts on the server" wait_for "drafts empty" 15 sh -c \
  "[ -z \"\$('$LAB_PY' '$LAB_SRV/imapctl.py' uids Drafts)\" ]"

# A send the server refuses: kept with its error, retried, edited and sent again.
echo nobody@example.org >"$SMTP_SPOOL/.reject-rcpt"
cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: nobody@example.org/; s/^Subject:.*/Subject: refused once/" "$1"
ED
keys m
check "compose 4" see "compose 4" 'Subject: refused once'
keys y
check "the failure and its reason are shown" see "failed" 'send failed \(kept: \^R retries, E edits it\): .*550' 30
check "the message is kept in the queue" test "$(tsql "SELECT count(*) FROM pending_change WHERE status = 'failed'")" = 1
check "the status line offers ^R and X" see "keys" 'FAILED \(\^R retry, X drop\): smtp'
# The cause fixed on the server's side: ^R (the status line's key) retries it.
rm -f "$SMTP_SPOOL/.reject-rcpt"
keys C-r
check "^R retries the failed send" see "retrying" 'retrying 1 failed send'
check "... and it reaches the sink" wait_for "sink 4" 30 spool_has "refused once"
check "... the queue is empty" wait_for "queue empty 4" 15 sh -c "[ \$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM pending_change') = 0 ]"

# Refused again: X asks before dropping an unsent message; E edits it.
echo nobody@example.org >"$SMTP_SPOOL/.reject-rcpt"
cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: nobody@example.org/; s/^Subject:.*/Subject: refused twice/" "$1"
ED
keys m
check "compose 5" see "compose 5" 'Subject: refused twice'
keys y
check "refused again" see "failed 2" 'send failed \(kept: .*550' 30
keys X
check "X asks before dropping a send" see "drop ask" 'Drop 1 failed change, 1 of them unsent message \(lost for good\)\? \[y/N\]'
keys Enter
check "... no: the message is kept" test "$(tsql "SELECT count(*) FROM pending_change WHERE status = 'failed'")" = 1
cat >"$W/edit" <<'ED'
true
ED
keys E
check "E brings it back on the compose screen" see "re-edit" 'To: nobody@example.org'
keys t C-u "erin@example.org" Enter y
check "sent after the fix" wait_for "sink 5" 30 spool_has "refused twice"
check "the failed row is gone" wait_for "queue empty" 15 sh -c "[ \$(sqlite3 '$W/data/tern.db' 'SELECT count(*) FROM pending_change') = 0 ]"
keys Q
check "quits cleanly" see "exit" 'TERN-EXITED-0'
check "no sanitizer report" sh -c "! ls '$W'/asan* '$W'/ubsan* >/dev/null 2>&1 || { cat '$W'/asan* '$W'/ubsan*; exit 1; }"
check_done
