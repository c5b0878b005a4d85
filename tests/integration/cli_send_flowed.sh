#!/bin/sh
# Plain text leaves as format=flowed (RFC 3676): the message the SMTP sink
# receives declares it, its long paragraph is soft-broken (a line ending in
# a blank) within 72 characters, short lines stay as written, "From " is
# space-stuffed; the copy filed in Sent shows the paragraph whole again
# (tern show). With text_flowed = no the text goes out as written.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/conf
imap_conf "$C" a dovecot
PARA="This paragraph is much longer than seventy-two columns, so tern sends it with soft breaks that a phone joins again."

send() { # SUBJECT: queues the message and runs one sync cycle
  printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s-%s@localhost>\n\n%s\nshort line\nFrom the start\n' \
    "$EMAIL1" "$EMAIL2" "$1" "$1" "$$" "$PARA" | "$T" -c "$C" send --no-sync a >/dev/null &&
    "$T" -c "$C" sync --once a >"$W/out" 2>&1
}
delivered() { # SUBJECT: the sink's copy, into $W/got
  f=$(grep -l "^Subject: $1" "$SMTP_SPOOL"/*.eml 2>/dev/null | head -n 1)
  [ -n "$f" ] && cp "$f" "$W/got"
}
has() { # FILE TEXT (fixed string)
  grep -qF -- "$2" "$1" || { echo "  '$2' not in:"; cat "$1"; return 1; }
}
has_line() { # FILE LINE: a whole line of the file (CR dropped)
  tr -d '\r' <"$1" | grep -qxF -- "$2" || { echo "  no line '$2' in:"; cat "$1"; return 1; }
}
lacks() { # FILE TEXT (fixed string)
  ! grep -qF -- "$2" "$1" || { echo "  '$2' in:"; cat "$1"; return 1; }
}
lines_within_72() { # FILE: every body line (CR dropped) at most 72 characters
  sed '1,/^\r\{0,1\}$/d' "$1" | tr -d '\r' | awk 'length($0) > 72 { print "  too long: " $0; bad = 1 } END { exit bad }'
}
sent_shows_paragraph() { # SUBJECT: tern show of the copy in Sent has the paragraph on one line
  "$T" -c "$C" sync --once a >/dev/null 2>&1
  "$T" -c "$C" list --json a sent >"$W/sent.json" 2>&1
  id=$(/usr/bin/python3 -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r['subject'] == sys.argv[2]:
        print(r['id'])
        break" "$W/sent.json" "$1" 2>/dev/null)
  [ -n "$id" ] && "$T" -c "$C" show "$id" >"$W/shown" 2>&1 && grep -qxF -- "$PARA" "$W/shown"
}

# Its folders known first, so that the copy is filed in Sent.
check "the account syncs" "$T" -c "$C" sync --once a
check "a plain message is sent" send flowed1
check "... and reaches the sink" wait_for "delivery" 15 delivered flowed1
check "... declared format=flowed" has "$W/got" "Content-Type: text/plain; charset=utf-8; format=flowed"
check "... its paragraph soft-broken: the line ends in a blank" has_line "$W/got" "This paragraph is much longer than seventy-two columns, so tern sends "
check "... every line within 72 characters" lines_within_72 "$W/got"
check "... a short line stays a line of its own" has_line "$W/got" "short line"
check "... 'From ' at a line start is space-stuffed" has_line "$W/got" " From the start"
check "the copy in Sent shows the paragraph whole again" wait_for "Sent copy" 30 sent_shows_paragraph flowed1

imap_conf "$C" a dovecot "text_flowed = no"
check "with text_flowed = no a message is sent" send plain1
check "... and reaches the sink" wait_for "delivery" 15 delivered plain1
check "... not flowed" lacks "$W/got" "format=flowed"
check "... the paragraph as written, on one line" has "$W/got" "$PARA"
check_done
