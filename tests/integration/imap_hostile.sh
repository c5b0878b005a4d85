#!/bin/sh
# A broken or malicious IMAP server (issue 17), played by a proxy in front of Dovecot
# (imap_garble.py) that rewrites chosen answers. For each fault: tern does not crash or hang,
# reports it for that message, folder or account, and keeps the rest working. A message the
# server lies about is stored as damaged (its subject from BODY[HEADER]) and the ones after it
# arrive; faults that end the session fail the cycle with an error that says what happened.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
ic() { imapctl "$@"; }
msg() { printf 'From: a@b\r\nSubject: %s\r\nMessage-ID: <%s@x>\r\n\r\nx\r\n' "$1" "$1"; }
for s in one two three; do msg "$s" | ic append INBOX - >/dev/null; done
ic create Other >/dev/null
msg other | ic append Other - >/dev/null
eval "$("$LAB_PY" "$LAB_SRV/netutil.py" ports "$TERN_LAB" PROXY)"
ppid=
trap 'r=$?; [ -n "$ppid" ] && kill $ppid 2>/dev/null; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
C=$W/c.conf
imap_conf "$C" acct dovecot "imap_port = $PROXY" "imap_tls = none" "timeout = 3"
proxy() {
  [ -n "$ppid" ] && { kill "$ppid"; wait "$ppid" 2>/dev/null; }
  "$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_garble.py" "$PROXY" "$DOVECOT_IMAP_PORT" "$1" >"$W/proxy.out" 2>&1 &
  ppid=$!
  wait_for "proxy listening" 5 grep -q ready "$W/proxy.out"
}
sync_once() { timeout 120 "$T" -c "$C" sync --once >"$W/out" 2>&1; echo $?; }
stored() { tsql "SELECT count(*) FROM message WHERE message_id = '$1@x' AND damaged = 0"; }
damaged() { tsql "SELECT subject FROM message WHERE message_id = '$1@x' AND damaged <> 0"; }
proxy pass-all
check "the first sync, through the proxy" test "$(sync_once)" = 0

# Faults in one message's FETCH answer: that message is damaged, the next one arrives.
# uid-repeat: its answer carries the UID of the answer before it (which would put its headers
# in another message's row, and never ask for its own UID again).
for mode in uid0 uid-big uid-repeat big-header validity; do
  name=$(echo "$mode" | tr -d -c a-z)
  msg "bad$name" | ic append INBOX - >/dev/null
  msg "ok$name" | ic append INBOX - >/dev/null
  proxy "--$mode=bad$name"
  rc=$(sync_once)
  check "$mode: the sync succeeds (exit $rc)" test "$rc" = 0
  check "... the message after it arrives" test "$(stored "ok$name")" = 1
  case $mode in
  big-header|validity) check "... and the message itself too (a 30 MB header and a UIDVALIDITY notice are no fault)" test "$(stored "bad$name")" = 1 ;;
  *) check "... the message itself is damaged, with its subject" test "$(damaged "bad$name")" = "bad$name" ;;
  esac
done
check "no message was stored in another's place" test "$(tsql "SELECT group_concat(subject, ' ') FROM (SELECT subject FROM message WHERE message_id IN ('one@x', 'two@x', 'three@x') ORDER BY subject)")" = "one three two"
check "the log names the bad UIDs" sh -c "grep -q 'a UID of 0' '$XDG_STATE_HOME/tern/tern.log' && grep -q 'a UID of more than 2^32 - 1' '$XDG_STATE_HOME/tern/tern.log'"

# An EXISTS storm (20,000 lines before each FETCH's end) changes nothing.
proxy --storm
n0=$(tsql "SELECT count(*) FROM message")
check "an EXISTS storm: the sync succeeds" test "$(sync_once)" = 0
check "... and no message appears or goes" test "$(tsql "SELECT count(*) FROM message")" = "$n0"

# HIGHESTMODSEQ going backwards (a restored server; every SELECT after the proxy's first says
# 1): the syncs after it still see flags set elsewhere meanwhile.
proxy --modseq-back
msg modseq | ic append INBOX - >/dev/null
sync_once >/dev/null
ic store INBOX 'mid:<one@x>' +FLAGS '\Flagged' >/dev/null
check "HIGHESTMODSEQ backwards: the sync succeeds" test "$(sync_once)" = 0
check "... and sees a flag set meanwhile" test "$(tsql "SELECT flagged FROM message WHERE message_id = 'one@x'")" = 1
ic store INBOX 'mid:<three@x>' +FLAGS '\Flagged' >/dev/null
sync_once >/dev/null
check "... and the next one after it too" test "$(tsql "SELECT flagged FROM message WHERE message_id = 'three@x'")" = 1

# Folder names with control characters, invalid modified UTF-7 and 5,000 characters: the sync
# goes on, and nothing prints them raw.
proxy --bad-names
rc=$(sync_once)
check "odd folder names: no crash (exit $rc)" sh -c "[ $rc -lt 124 ]"
check "... the real folders still sync" test "$(stored other)" = 1
"$T" -c "$C" mailboxes acct >"$W/mb.out" 2>&1
check "... and tern mailboxes writes no control character" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$W/mb.out'"

# NO to a SELECT fails that folder only (counted against it, logged, and the cycle goes on:
# imap_engine.c); NO to a STORE fails that change, visible in the queue with the server's words.
proxy --no=SELECT
msg refused | ic append INBOX - >/dev/null
rc=$(sync_once)
check "NO to every SELECT: no crash, the cycle goes on (exit $rc)" test "$rc" = 0
check "... the folder's new message waits" test "$(stored refused)" = 0
check "... and the log names the refusal" grep -q 'INBOX: SELECT.*refused by the test proxy' "$XDG_STATE_HOME/tern/tern.log"
check "... and tern mailboxes shows INBOX's failed sync" sh -c "'$T' -c '$C' mailboxes acct | grep '^INBOX ' | grep -q 'its last sync failed'"
check "... as --json does" sh -c "'$T' -c '$C' mailboxes --json acct | grep '\"INBOX\"' | grep -q '\"sync_failures\": *1'"
proxy --no=STORE
id=$(tsql "SELECT id FROM message WHERE message_id = 'two@x'")
"$T" -c "$C" flag --no-sync "$id" +flagged >/dev/null 2>&1
sync_once >/dev/null
check "NO to a STORE: the change is failed in the queue, with the server's words" sh -c "'$T' -c '$C' queue acct | grep -q 'refused by the test proxy'"
check "... and the rest of the cycle ran (the flag on one@x is still in)" test "$(tsql "SELECT flagged FROM message WHERE message_id = 'one@x'")" = 1

# Faults that end the session: the cycle fails at once (no hang) and says what happened.
msg bye | ic append INBOX - >/dev/null
proxy --bye=bye
rc=$(sync_once)
check "BYE in the middle of a FETCH: the cycle fails without a hang (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... and says the connection was lost" grep -qi 'connection lost' "$W/out"
msg liar | ic append INBOX - >/dev/null
proxy --lie=liar
s0=$(date +%s)
rc=$(sync_once)
check "a literal longer than what follows, then silence: the cycle fails at the timeout (exit $rc, $(( $(date +%s) - s0 )) s)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
proxy pass-all
sync_once >/dev/null
check "through an honest proxy again, everything arrives: bye, liar and refused too" test "$(stored bye)$(stored liar)$(stored refused)" = 111
check "... and no folder shows a failed sync" sh -c "! '$T' -c '$C' mailboxes acct | grep -q 'sync failed'"
check "... and the refused STORE is the one thing left failed in the queue" test "$("$T" -c "$C" queue --json acct | grep -c '"failed"')" = 1
check_done
