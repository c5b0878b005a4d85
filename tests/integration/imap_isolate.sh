#!/bin/sh
# One folder whose answers libetpan cannot parse must not stop the account (issue 4, review
# F11): behind a proxy that garbles the SEARCH answers in folder "Bad" (a bad message alone no
# longer fails its folder: imap_badmsg.sh), the folders after it are still synced (the failing
# folder goes last), and
# after two failures in a row it is left alone for a while, so sync --once succeeds again. And
# a folder list without INBOX is not trusted (review F21), and a connection cut inside a
# literal ends the sync instead of hanging it.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
lab_load dovecot "$USER1" 20 --seed 4 --no-big >/dev/null
ic() { imapctl "$@"; }
msg() { printf 'From: a@b\r\nSubject: %s\r\nMessage-ID: <%s@x>\r\n\r\nx\r\n' "$1" "$1"; }
ic create Bad >/dev/null
for s in good1 garble-me good2; do msg "$s" | ic append Bad - >/dev/null; done
ic create Zeta >/dev/null
msg zeta | ic append Zeta - >/dev/null
eval "$("$LAB_PY" "$LAB_SRV/netutil.py" ports "$TERN_LAB" PROXY)"
"$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" --search=Bad >"$W/proxy.out" 2>&1 &
ppid=$!
trap 'r=$?; kill $ppid 2>/dev/null; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
wait_for "proxy listening" 5 grep -q ready "$W/proxy.out"
C=$W/c.conf
imap_conf "$C" acct dovecot "imap_port = $PROXY" "imap_tls = none"
zeta() { tsql "SELECT count(*) FROM message WHERE message_id = 'zeta@x'"; }

"$T" -c "$C" sync --once >"$W/1.out" 2>&1
check "the garbled folder makes the first sync fail" sh -c "! grep -q ': ok:' '$W/1.out'"
check "... INBOX, before it, was synced" test "$(tsql "SELECT count(*) FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id WHERE b.role = 'inbox'")" -gt 5
"$T" -c "$C" sync --once >/dev/null 2>&1
check "the next sync takes the failing folder last: Zeta, after it by name, is synced" test "$(zeta)" = 1
check "after two failures in a row the folder is left alone: sync --once succeeds" "$T" -c "$C" sync --once
check "... and says why in the log" grep -q 'Bad failed 2 times; left alone' "$XDG_STATE_HOME/tern/tern.log"
kill "$ppid"
wait "$ppid" 2>/dev/null

# A folder list without INBOX (cut short, or wrong) is not trusted: no local folder is deleted.
"$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" --no-inbox >"$W/proxy2.out" 2>&1 &
ppid=$!
wait_for "proxy listening" 5 grep -q ready "$W/proxy2.out"
before=$(tsql "SELECT count(*) FROM mailbox"):$(tsql "SELECT count(*) FROM message")
check "a LIST without INBOX fails the sync" sh -c "! '$T' -c '$C' sync --once"
check "... and deletes nothing locally" test "$(tsql "SELECT count(*) FROM mailbox"):$(tsql "SELECT count(*) FROM message")" = "$before"
kill "$ppid"
wait "$ppid" 2>/dev/null

# A server that dies halfway through a literal fails the sync at once: libetpan alone waits for
# the rest of it for ever, at full CPU (tests/fuzz/FOUND.md). 124 is timeout's: a hang.
"$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" --cut-literal >"$W/proxy3.out" 2>&1 &
ppid=$!
wait_for "proxy listening" 5 grep -q ready "$W/proxy3.out"
msg cut-me | ic append INBOX - >/dev/null
timeout 60 "$T" -c "$C" sync --once >"$W/3.out" 2>&1
rc=$?
check "a connection cut inside a literal fails the sync instead of hanging (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc != 124 ]"
check "... and says the connection was lost" grep -qi 'connection lost' "$W/3.out"
kill "$ppid"
wait "$ppid" 2>/dev/null

# A literal announced as 4 GB (libetpan would allocate all of it before a byte came), and a
# BODYSTRUCTURE nested 20,000 deep (libetpan's parser recurses per level): the stream guard
# (sync/imap/imap_stream.c) cuts the answer, the batch is narrowed down to that message, which
# is stored as damaged; the other messages arrive and the sync succeeds.
for mode in huge-literal deep; do
  msg "$mode-me" | ic append INBOX - >/dev/null
  msg "after-$mode" | ic append INBOX - >/dev/null
  "$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" "--$mode=$mode-me" >"$W/proxy-$mode.out" 2>&1 &
  ppid=$!
  wait_for "proxy listening" 5 grep -q ready "$W/proxy-$mode.out"
  timeout 120 "$T" -c "$C" sync --once >"$W/$mode.out" 2>&1
  rc=$?
  check "$mode: the sync succeeds (exit $rc)" test "$rc" = 0
  check "... the message after it arrives" test "$(tsql "SELECT count(*) FROM message WHERE message_id = 'after-$mode@x' AND damaged = 0")" = 1
  check "... and it is stored as damaged, with its subject" test "$(tsql "SELECT subject FROM message WHERE message_id = '$mode-me@x' AND damaged <> 0")" = "$mode-me"
  kill "$ppid"
  wait "$ppid" 2>/dev/null
done
check "the log says which limit was passed" sh -c "grep -q 'literal of more than 512 MiB' '$XDG_STATE_HOME/tern/tern.log' && grep -q 'more than 128 parentheses' '$XDG_STATE_HOME/tern/tern.log'"

# The check follows quoted strings: a '{' with a huge number in a subject announces nothing,
# and escaped quotes and backslashes around it do not throw it off.
"$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" pass-all >"$W/proxy5.out" 2>&1 &
ppid=$!
wait_for "proxy listening" 5 grep -q ready "$W/proxy5.out"
printf 'From: a@b\r\nSubject: {99999999999} the "odd" one \\ here\r\nMessage-ID: <odd@x>\r\n\r\nx\r\n' | ic append INBOX - >/dev/null
check "a subject holding {99999999999} and quotes syncs" "$T" -c "$C" sync --once
check "... and is stored as sent" test "$(tsql "SELECT subject FROM message WHERE message_id = 'odd@x'")" = '{99999999999} the "odd" one \ here'
check_done
