#!/bin/sh
# Identities and signatures from the TUI against Dovecot and the SMTP sink:
# a reply to a message that reached the account through a second address
# (X-Original-To) is written From that identity, with its signature below
# the quote and without the original's, and goes out through that
# identity's sendmail command (a script recording its arguments and stdin);
# F on the compose screen cycles From and the signature with it, and the
# identity picked goes out through the sink From that address, with one
# signature; a draft postponed and resumed does not get a second one.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing tmux sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
SOCK=$W/tmux.sock
trap 'r=$?; tmux -S "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/conf
LISTS="lists-$$@example.org"
WORK="work-$$@example.org"
printf 'Account Sig\nexample.org\n' >"$W/acct.sig"
printf 'Lists Sig\n' >"$W/lists.sig"
cat >"$W/sendmail.sh" <<SM
#!/bin/sh
printf '%s\n' "\$@" >"$W/sendmail.args"
cat >"$W/sendmail.msg"
SM
chmod +x "$W/sendmail.sh"
imap_conf "$C" acct dovecot "name = Jo Doe" "signature_file = $W/acct.sig"
cat >>"$C" <<CF
[identity lists]
account = acct
email = $LISTS
name = Jo (lists)
signature_file = $W/lists.sig
sendmail = $W/sendmail.sh -oi
[identity work]
account = acct
email = $WORK
signature_cmd = echo Work Sig
CF
export W

cat >"$W/editor" <<'ED'
#!/bin/sh
. "$W/edit"
ED
chmod +x "$W/editor"
# The reply's own text goes right after the header block.
cat >"$W/edit" <<'ED'
sed -i '0,/^$/s//\nSure thing./' "$1"
ED

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
has() { grep -qF -- "$2" "$1" || { echo "missing: $2"; cat "$1"; return 1; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "present: $2"; cat "$1"; return 1; }; }
count_is() { # FILE TEXT N
  [ "$(grep -cxF -- "$2" "$1")" = "$3" ] || { echo "want $3 x '$2' in:"; cat "$1"; return 1; }
}

printf 'From: Bob <bob@example.org>\r\nTo: dev@lists.example.org\r\nX-Original-To: %s\r\nSubject: List topic\r\nMessage-ID: <list-%s@example.org>\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\n\r\nShall we?\r\n\r\n-- \r\nBob the list poster\r\n' \
  "$LISTS" "$$" | imapctl append INBOX - >/dev/null
printf 'From: Carol <carol@example.org>\r\nTo: %s\r\nSubject: Direct note\r\nMessage-ID: <direct-%s@example.org>\r\nDate: Sun, 06 Dec 2026 11:00:00 +0000\r\n\r\nHello Jo.\r\n' \
  "$EMAIL1" "$$" | imapctl append INBOX - >/dev/null
check "first sync" "$T" -c "$C" sync --once

start_tui
check "the list shows both, the newest first" see "list" 'Direct note'
check "... and the list message" see "list 2" 'List topic'
keys r
check "a reply to the account's own address is From the account" see "from acct" "From: Jo Doe <$EMAIL1>"
check "... with the account's signature" see "acct sig" '^Account Sig'
keys F
check "F: the next identity (lists)" see "F1" "From: \"Jo \\(lists\\)\" <$LISTS>"
check "... its signature replaced the account's" sh -c "tmux -S '$SOCK' capture-pane -p | grep -q '^Lists Sig' &&
  ! tmux -S '$SOCK' capture-pane -p | grep -q '^Account Sig'"
keys F
check "F again: work, with the account's name" see "F2" "From: Jo Doe <$WORK>"
check "... and its signature_cmd's output" see "work sig" '^Work Sig'
keys F
check "F wraps round to the account" see "F3" "From: Jo Doe <$EMAIL1>"
keys F F
check "work again" see "F4" "From: Jo Doe <$WORK>"
keys y
check "sent through the sink" wait_for "sink" 30 spool_has "Re: Direct note"
out=$(spool_file "Re: Direct note")
tr -d '\r' <"$out" >"$W/direct.eml"
check "... From the work identity" has "$W/direct.eml" "From: Jo Doe <$WORK>"
check "... with one signature separator" count_is "$W/direct.eml" "-- " 1
check "... the work signature" count_is "$W/direct.eml" "Work Sig" 1
check "... and no other" sh -c "! grep -qE '^(Lists|Account) Sig' '$W/direct.eml'"

keys j
keys r
check "the reply is From the lists identity" see "from lists" "From: \"Jo \\(lists\\)\" <$LISTS>"
check "... with its signature" see "lists sig" '^Lists Sig'
keys y
check "sent through the identity's sendmail" wait_for "sendmail" 30 test -s "$W/sendmail.msg"
check "... with the recipient as its argument" has "$W/sendmail.args" "bob@example.org"
check "... and its options" has "$W/sendmail.args" "-oi"
check "... From the identity, its name whole" has "$W/sendmail.msg" "From: \"Jo (lists)\" <$LISTS>"
check "... its signature after '-- '" sh -c "grep -qx -- '-- ' '$W/sendmail.msg' && grep -qx 'Lists Sig' '$W/sendmail.msg'"
check "... not the account's" lacks "$W/sendmail.msg" "Account Sig"
check "... the original's signature is not quoted" lacks "$W/sendmail.msg" "Bob the list poster"
check "... the quote is there" has "$W/sendmail.msg" "> Shall we?"
check "... LF line ends for the local command" sh -c "! grep -q \"\$(printf '\\r')\" '$W/sendmail.msg'"
check "nothing more went through the SMTP sink" test "$(spool_count)" = 1
check "the send is done (the queue is empty)" wait_for "queue" 15 sh -c \
  "[ \$(sqlite3 -cmd '.timeout 5000' '$W/data/tern.db' \"SELECT count(*) FROM pending_change WHERE change_type = 'send'\") = 0 ]"

# A new message postponed and resumed keeps its one signature.
cat >"$W/edit" <<'ED'
sed -i "s/^To:.*/To: dave@example.org/; s/^Subject:.*/Subject: draft with sig/" "$1"
sed -i '0,/^$/s//\nDraft text./' "$1"
ED
keys m
check "compose a new message" see "compose new" 'Subject: draft with sig'
check "... with the account's signature" see "new sig" '^Account Sig'
keys P
check "postponed" see "postponed" 'postponed to Drafts'
keys c Drafts Enter
check "Drafts lists it" see "drafts" 'draft with sig'
cat >"$W/edit" <<'ED'
printf 'x\n' >/dev/null
ED
keys E
check "resumed" see "resumed" 'Subject: draft with sig'
keys y
check "the resumed draft is sent" wait_for "sink 2" 30 spool_has "draft with sig"
tr -d '\r' <"$(spool_file "draft with sig")" >"$W/draft.eml"
check "... with one signature, not two" count_is "$W/draft.eml" "Account Sig" 1
check "... and one separator" count_is "$W/draft.eml" "-- " 1
check "no sanitizer report" sh -c "! ls '$W'/asan* '$W'/ubsan* 2>/dev/null | grep -q ."
check_done
