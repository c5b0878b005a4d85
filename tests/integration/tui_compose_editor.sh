#!/bin/sh
# Composing in the TUI with no server (issue 7): the editor step (EDITOR is
# a script), the compose screen (attach with Tab completion, address
# completion, detach, header prompts, abort), reply threading, forward as
# attachment, postpone to Drafts and resume, and that "send" leaves the
# whole message in the queue: checked with Python's email package.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tui_lib.sh"
tui_setup
tui_fill 12
# The compose screen's keys are rebindable like the others.
{ echo 'bind = compose <F5> send'; cat "$T/config"; } >"$T/c2" && mv "$T/c2" "$T/config"
chmod 600 "$T/config"
tui_sql "INSERT INTO mailbox (account_id, remote_id, name, role) SELECT id, 'Drafts', 'Drafts', 'drafts' FROM account"
tui_sql "INSERT INTO contact (account_id, addr, name, uses) SELECT id, 'zoe.rare@example.org', '', 1 FROM account"
tui_sql "INSERT INTO contact (account_id, addr, name, uses) SELECT id, 'zoe.often@example.org', 'Zoë Often', 50 FROM account"

# The editor: records its file's mode, then writes what $T/edit says (an
# sh snippet run with the file as $1), so each step can script its edit.
cat >"$T/editor" <<'ED'
#!/bin/sh
stat -c %a "$1" >"$T/mode"
cp "$1" "$T/seen"
. "$T/edit"
ED
chmod +x "$T/editor"
printf 'tern attachment \001\377 bytes\n' >"$T/attach-me.bin"
head -c 3000 /dev/urandom >>"$T/attach-me.bin"
export T
TUI_ARGS=
tmux_env="EDITOR=$T/editor T=$T"

# A new message: headers and body from the editor.
cat >"$T/edit" <<'ED'
cat >"$1" <<MSG
From: Me Myself <me@fill.test>
To: Ünïcode Person <u@example.org>
Cc:
Bcc: hidden@example.org
Subject: Grüße from tern

Hello there, naïve café.
MSG
ED
tmux -S "$TUI_SOCK" -f /dev/null new-session -d -x 120 -y 40 \
  "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$T/state $tmux_env \
   ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$T/asan' UBSAN_OPTIONS='print_stacktrace=1:log_path=$T/ubsan' \
   $TERN -c $T/config; echo TERN-EXITED-\$?; sleep 30"
check "list shown" tui_wait "list" 'Message 12 *$'
tui_keys m
check "compose screen after the editor" tui_wait "compose" 'Subject: Grüße from tern'
check "the editor's file is private (0600)" test "$(cat "$T/mode")" = 600
check "the editor got the editable headers" grep -q '^Bcc: ' "$T/seen"
# attach with Tab completion of the path
tui_keys a
tui_keys "$T/attach-m" Tab
check "Tab completes the file name" tui_wait "tab" "Attach file: $T/attach-me.bin"
tui_keys Enter
check "attachment listed with its type" tui_wait "att" '\[1\] attach-me.bin \(application/octet-stream'
# address completion in Cc: most used first
tui_keys c zoe Tab
check "Cc completes the most used contact first" tui_wait "cc" 'Cc: Zoë Often <zoe.often@example.org>'
tui_keys Tab
check "Tab again: the next one" tui_wait "cc2" 'Cc: zoe.rare@example.org'
tui_keys Enter
check "Cc set" tui_wait "cc set" ' Cc: zoe.rare@example.org'
tui_keys y
check "send says queued" tui_wait "queued" 'queued for sending|1 queued'
check "the screen closes" tui_gone "compose closed" 'Compose — '
tui_sql "SELECT writefile('$T/out1.eml', raw) FROM outbox ORDER BY id DESC LIMIT 1" >/dev/null
check "one send row queued with the whole message" test "$(tui_sql "SELECT count(*) FROM pending_change WHERE change_type = 'send'")" = 1
"$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$T/out1.eml" "$T/attach-me.bin" >"$T/out1.txt"
has() { grep -qxF -- "$2" "$T/$1.txt" || { echo "missing: $2"; cat "$T/$1.txt"; return 1; }; }
check "subject decodes" has out1 'subject: Grüße from tern'
check "non-ASCII name decodes" has out1 'addr-to: Ünïcode Person|u@example.org'
check "Cc from the completion" has out1 'addr-cc: |zoe.rare@example.org'
check "body text intact" has out1 'body: Hello there, naïve café.\n'
sha=$(sha256sum "$T/attach-me.bin" | cut -d' ' -f1)
check "attachment byte-identical" has out1 "attachment: attach-me.bin|application/octet-stream|$sha"
check "no parser defects" has out1 'defects: 0' 

# Reply: threading headers, quoted text, answered flag.
cat >"$T/edit" <<'ED'
printf 'My answer.\n' >>"$1"
ED
tui_keys k k k k k k k k k k k
tui_keys j
check "cursor on Message 11" tui_wait "cursor" '· 2/'
tui_keys r
check "reply subject" tui_wait "reply" 'Subject: Re: Message 11'
check "the editor saw the attribution and the quote" grep -q '^> ' "$T/seen"
tui_keys y
check "reply queued" tui_wait "queued 2" 'queued for sending'
check "two sends in the queue" test "$(tui_sql "SELECT count(*) FROM pending_change WHERE change_type = 'send'")" = 2
tui_sql "SELECT writefile('$T/out2.eml', raw) FROM outbox ORDER BY id DESC LIMIT 1" >/dev/null
mid=$(tui_sql "SELECT message_id FROM message WHERE subject = 'Re: Message 11'")
"$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$T/out2.eml" >"$T/out2.txt"
check "In-Reply-To names the parent" has out2 "in-reply-to: <$mid>"
check "References end with the parent" grep -q "^references: .*<$mid>\$" "$T/out2.txt"
check "the reply goes to the parent's sender" grep -q '^addr-to: .*@' "$T/out2.txt"
check "the parent is flagged answered" test "$(tui_sql "SELECT answered FROM message WHERE subject = 'Re: Message 11'")" = 1

# A failed reply taken back (E) still marks its parent answered when sent:
# the parent is found again by In-Reply-To.
tui_sql "UPDATE message SET answered = 0 WHERE subject = 'Re: Message 11'"
tui_sql "UPDATE pending_change SET status = 'failed', last_error = 'refused for the test' WHERE change_type = 'send' AND resource_id = (SELECT max(id) FROM outbox)"
tui_wait "failed shown" 'FAILED' >/dev/null
tui_keys E
check "E takes the failed reply back" tui_wait "resumed reply" 'Subject: Re: Message 11'
tui_keys y
check "resent reply queued" tui_wait "queued 3" 'queued for sending'
check "... and its parent is flagged answered again" test "$(tui_sql "SELECT answered FROM message WHERE subject = 'Re: Message 11'")" = 1

# An editor that changes nothing: the new message is dropped (abort_unmodified).
printf ':\n' >"$T/edit"
tui_keys m
check "an unchanged new message is aborted" tui_wait "unmodified" 'not changed in the editor: aborted'
check "... no compose screen" tui_gone "no compose" 'Compose — '

# Header lines deleted in the editor are gone, not kept from before.
cat >"$T/edit" <<'ED'
cat >"$1" <<MSG
From: Other Me <me@fill.test>
To: a@example.org
Cc: carol@example.org
Bcc: secret@example.org
Subject: deleted headers
X-Unknown: ignored

Text.
MSG
ED
tui_keys m
check "compose with Cc and Bcc" tui_wait "compose 3" ' Cc: carol@example.org'
check "an unknown header is reported, not silently dropped" tui_wait "unknown hdr" 'not sent .*X-Unknown'
cat >"$T/edit" <<'ED'
sed -i '/^Cc:/d; /^Bcc:/d; /^From:/d' "$1"
ED
tui_keys e
check "a deleted Cc: line empties Cc" tui_gone "cc gone" 'carol@example.org'
check "... a deleted Bcc: line empties Bcc" tui_gone "bcc gone" 'secret@example.org'
check "... a deleted From: line is the account's address" tui_wait "from" ' From: me@fill.test'
tui_keys F5
check "a key bound in the compose context sends" tui_wait "queued 4" 'queued for sending'
tui_sql "SELECT writefile('$T/out3.eml', raw) FROM outbox ORDER BY id DESC LIMIT 1" >/dev/null
"$LAB_PY" "$TERN_SRCDIR/tests/unit/mime_check.py" "$T/out3.eml" >"$T/out3.txt"
check "the sent message has no Cc and no Bcc" sh -c "! grep -Eq '^(addr-cc|bcc|cc):' '$T/out3.txt'"

# A message with an attachment: forwarded as an attachment, sent, refused,
# taken back: the attachment inside the forwarded message stays inside it.
printf 'From: a@example.org\r\nTo: me@fill.test\r\nSubject: Re: Message 7\r\nMessage-ID: <m7@fill.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n--BB\r\nContent-Type: application/pdf; name=report.pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--BB--\r\n' >"$T/att.eml"
tui_sql "UPDATE body SET raw = readfile('$T/att.eml') WHERE message_id = (SELECT id FROM message WHERE subject = 'Re: Message 7')"
tui_sql "UPDATE message SET has_attachment = 1 WHERE subject = 'Re: Message 7'"
cat >"$T/edit" <<'ED'
sed -i 's/^To:.*/To: fwd@example.org/' "$1"
ED
tui_keys g j j j j j
tui_wait "cursor on 7" '· 6/' >/dev/null
tui_keys f y
check "forwarded as an attachment" tui_wait "fwd att" 'forwarded.eml \(message/rfc822'
tui_keys y
tui_wait "queued 5" 'queued for sending' >/dev/null
tui_sql "UPDATE pending_change SET status = 'failed', last_error = 'refused for the test' WHERE change_type = 'send' AND resource_id = (SELECT max(id) FROM outbox)"
tui_wait "failed shown 2" 'FAILED' >/dev/null
tui_keys E
check "taken back: the forwarded message" tui_wait "resumed fwd" 'forwarded.eml'
check "... and not its inner attachment beside it" sh -c "[ \"\$(tmux -S '$TUI_SOCK' capture-pane -p | grep -c '^[ >] \[[0-9]*\] ')\" = 1 ]"
tui_keys q y
tui_wait "aborted 2" 'message aborted' >/dev/null

# Inline forward of a message with attachments asks whether to take them.
tui_keys f Enter
check "inline forward asks about the attachments" tui_wait "ask att" "Forward the original's 1 attachment too\? \[Y/n\]"
tui_keys Enter
check "... yes: the attachment comes along" tui_wait "fwd inline att" '\[1\] report.pdf \(application/pdf'
tui_keys q y
tui_wait "aborted 3" 'message aborted' >/dev/null
tui_keys f Enter n
check "... no: the text only" tui_wait "fwd inline none" '\(no attachments\)'
tui_keys q y
tui_wait "aborted 4" 'message aborted' >/dev/null
# A forwarded message the body shows inline is in the forward's text: only
# the other attachments are offered, so the text is not in the mail twice.
printf 'From: a@example.org\r\nTo: me@fill.test\r\nSubject: Re: Message 7\r\nMessage-ID: <m7@fill.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--BB\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.org\r\nSubject: the inner one\r\n\r\nInner words here.\r\n--BB\r\nContent-Type: application/pdf; name=report.pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--BB--\r\n' >"$T/att.eml"
tui_sql "UPDATE body SET raw = readfile('$T/att.eml') WHERE message_id = (SELECT id FROM message WHERE subject = 'Re: Message 7')"
tui_keys f Enter
check "inline forward offers only the attachment not shown inline" tui_wait "ask att 2" "Forward the original's 1 attachment too\? \[Y/n\]"
tui_keys Enter
check "... the forwarded message's text is in the body" tui_wait "fwd inner text" 'Inner words here'
check "... the pdf comes along, the message/rfc822 does not" sh -c "tmux -S '$TUI_SOCK' capture-pane -p | grep -q '\[1\] report.pdf' && ! tmux -S '$TUI_SOCK' capture-pane -p | grep -q 'rfc822'"
tui_keys q y
tui_wait "aborted 4b" 'message aborted' >/dev/null

# Forward as an attachment, then abort it (asks first).
cat >"$T/edit" <<'ED'
sed -i 's/^To:.*/To: fwd@example.org/' "$1"
ED
tui_keys f y
check "forward with the message attached" tui_wait "fwd" 'forwarded.eml \(message/rfc822'
tui_keys D
check "detach removes it" tui_wait "detach" '\(no attachments\)'
tui_keys q
check "abort asks" tui_wait "confirm" 'Abort this message\? \[y/N\]'
tui_keys y
check "aborted" tui_wait "aborted" 'message aborted'

# Postpone to Drafts, then resume from Drafts and send.
cat >"$T/edit" <<'ED'
sed -i 's/^To:.*/To: later@example.org/; s/^Subject:.*/Subject: a draft/' "$1"
ED
tui_keys m
check "draft on the compose screen" tui_wait "draft" 'Subject: a draft'
tui_keys P
check "postponed" tui_wait "postponed" 'postponed to Drafts'
check "an append to Drafts is queued, flagged draft" test "$(tui_sql "SELECT count(*) FROM pending_change WHERE change_type = 'append' AND append_flags & 8")" = 1
# Local first: the draft is in Drafts at once (the worker is offline
# here), counted in the mailbox pane, and E resumes it straight away.
check "the mailbox pane counts it in Drafts" tui_wait "drafts count" 'Drafts +1│'
tui_keys c Drafts Enter
check "Drafts lists it at once" tui_wait "drafts list" 'a draft *$'
check "as a local row without a UID, flagged draft" test \
  "$(tui_sql "SELECT count(*) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'drafts' AND mm.uid IS NULL AND m.draft = 1 AND m.subject = 'a draft'")" = 1
cat >"$T/edit" <<'ED'
sed -i 's/^Subject:.*/Subject: a draft, second take/' "$1"
ED
tui_keys E
check "E resumes it at once" tui_wait "resumed draft" 'Subject: a draft, second take'
check "... with its recipient" tui_wait "resumed to" 'To: later@example.org'
tui_keys P
check "postponed again" tui_wait "postponed 2" 'postponed to Drafts'
check "the new version replaces the old in the list" tui_wait "drafts v2" 'a draft, second take *$'
check "... one draft in Drafts, not two" test \
  "$(tui_sql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'drafts'")" = 1
check "... one append queued (the first taken back, its outbox row too)" test \
  "$(tui_sql "SELECT count(*) FROM pending_change WHERE change_type = 'append'") $(tui_sql "SELECT count(*) FROM outbox WHERE id NOT IN (SELECT resource_id FROM pending_change WHERE resource_type = 'Outbox')")" = "1 0"
check "... the pane still counts 1" tui_wait "drafts count 2" 'Drafts +1│'
tui_keys Q
check "quits cleanly" tui_wait "exit" 'TERN-EXITED-0'
check "no sanitizer report" tui_clean_exit
check_done
