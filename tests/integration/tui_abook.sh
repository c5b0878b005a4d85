#!/bin/sh
# address_book_cmd in the composer's address completion (tmux, Dovecot):
# Tab offers the command's answer first (aerc's "address<TAB>name" lines,
# mutt's heading line skipped, the query shell-quoted), then the addresses
# tern has seen in mail; a command that hangs does not hold up typing and
# leaves tern's own; a failing one too.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing tmux sqlite3
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
SOCK=$W/tmux.sock
trap 'r=$?; tmux -S "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/conf
cat >"$W/abook.sh" <<AB
#!/bin/sh
printf '%s\n' "\$1" >>"$W/abook.queries"
[ -f "$W/slow" ] && exec sleep 20
[ -f "$W/fail" ] && exit 1
printf 'Searching... 2 entries\n'
printf 'ann@example.org\tAnn Abook\tfriends\n'
printf 'anna@example.org\tAnna Duplicate\n'
AB
chmod +x "$W/abook.sh"
imap_conf "$C" acct dovecot
{ echo "address_book_cmd = $W/abook.sh %s"; cat "$C"; } >"$C.new" && mv "$C.new" "$C"
export W
cat >"$W/editor" <<'ED'
#!/bin/sh
sed -i "s/^Subject:.*/Subject: abook test/" "$1"
ED
chmod +x "$W/editor"

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

printf 'From: Anna Mail <anna@example.org>\r\nTo: %s\r\nSubject: seen in mail\r\nMessage-ID: <ab-%s@example.org>\r\n\r\nhi\r\n' \
  "$EMAIL1" "$$" | imapctl append INBOX - >/dev/null
check "first sync" "$T" -c "$C" sync --once
check "tern has seen anna@example.org" test "$(tsql "SELECT count(*) FROM contact WHERE addr = 'anna@example.org'")" -ge 1

start_tui
check "list" see "list" 'seen in mail'
keys m
check "compose screen" see "compose" 'Subject: abook test'
keys t
check "the To line" see "to line" '^To:'
keys an Tab
check "Tab: the command's answer first" see "abook first" "^To: Ann Abook <ann@example.org>"
check "... the query reached it as typed" grep -qx an "$W/abook.queries"
keys Tab
check "Tab again: the next (the command's, before tern's own of the same address)" see "abook second" "^To: Anna Duplicate <anna@example.org>"
keys Tab
check "... and back round, the duplicate from mail not offered twice" see "wrap" "^To: Ann Abook <ann@example.org>"
keys C-u
touch "$W/slow"
keys ann Tab
check "a command that hangs: tern's own address is offered at once" see "own" "^To: Anna Mail <anna@example.org>" 5
keys C-u xyz
check "... and typing goes on while it runs" see "typing" "^To: xyz$" 3
keys C-u
rm -f "$W/slow"
touch "$W/fail"
keys ann Tab
check "a failing command: tern's own address" see "fail" "^To: Anna Mail <anna@example.org>" 5
keys Escape
check "the line editor closes" see "closed" 'Subject: abook test'
check "no sanitizer report" sh -c "! ls '$W'/asan* '$W'/ubsan* 2>/dev/null | grep -q ."
check_done
