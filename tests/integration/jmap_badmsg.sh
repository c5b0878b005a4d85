#!/bin/sh
# One JMAP Email that cannot be converted (issue "Hostile input"): through jmap_proxy.py, which
# gives one email's "from" and "receivedAt" the wrong types in every Email/get answer, the rest of
# the page is stored in full, and the bad one is stored as damaged with what could be read (its
# id, mailbox and keywords), listed as such, dated now rather than 1970, and the sync succeeds.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"
export XDG_STATE_HOME="$W/state"
msg() { printf 'From: Ann <ann@example.org>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@x>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n' "$EMAIL1" "$1" "$1"; }
for i in 1 2 3 4 5 6; do msg "jb$i" | imapctl -s cyrus append INBOX - >/dev/null; done
bad=$(jmapctl find jb3@x)
jmapctl keyword "$bad" '$flagged' true >/dev/null
proxy_start
echo jb3 >"$P/garble-email"
jmap_conf "$PROXY_URL"
row() { sql "SELECT $1 FROM message WHERE email_id = '$bad'"; }

check "a sync through the garbling proxy succeeds" tern_ sync --once
check "... the proxy did garble the email" grep -q "garbled $bad" "$P/log"
check "... the other five arrived in full" test "$(sql "SELECT count(*) FROM message WHERE damaged = 0 AND subject LIKE 'jb%' AND from_addr = 'ann@example.org'")" = 5
check "... the bad one is stored, damaged" test "$(row 'damaged <> 0')" = 1
check "... in its mailbox, with its keywords" test "$(row "flagged || '/' || (SELECT count(*) FROM message_mailbox mm WHERE mm.message_id = message.id)")" = "1/1"
check "... saying it is damaged" test "$(row subject)" = "(damaged message: the server's answer could not be read)"
check "... dated now, not 1970" test "$(row received_at)" -gt "$(($(date +%s) - 3600))"
tern_ list j inbox --json >"$W/list.json"
check "list --json marks it damaged" test "$(grep -c '"damaged":true' "$W/list.json")" = 1
check "... and the others not" test "$(grep -c '"damaged":false' "$W/list.json")" = 5
check "the log names the email" grep -q "Email $bad could not be read" "$XDG_STATE_HOME/tern/tern.log"
check "the next sync succeeds too" tern_ sync --once
check_done
