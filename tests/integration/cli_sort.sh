#!/bin/sh
# tern list --sort KEY [--reverse]: every order on messages with crafted
# Date headers, arrival times, sizes, senders, recipients and subjects
# ("Re:", "AW:", "Fwd:", "[list]" prefixes), stored by a real sync from
# Dovecot; ties fall back to the arrival order; an unknown key is a usage
# error (exit 2) that names the valid keys.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
imap_conf "$C" acct dovecot

# mail N SUBJECT FROM TO DATE PADDING: message N, arriving on day N (so the
# arrival order is 1..6), its Date header DATE, PADDING lines of body.
mail() {
  f=$W/m$1.eml
  {
    printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <sort%s@test>\r\n\r\n' \
      "$3" "$4" "$2" "$5" "$1"
    i=0
    while [ $i -lt "$6" ]; do printf 'padding line %s of the body\r\n' $i; i=$((i + 1)); done
  } >"$f"
  imapctl append INBOX "$f" --date "0$1-Jan-2024 10:00:00 +0000" --flags "$7" >/dev/null
}
#    N  SUBJECT                      FROM                         TO                      DATE                              BODY FLAGS
mail 1 "Re: banana"                  "Carol <carol@x.test>"       "zed@x.test"            "Mon, 05 Feb 2024 10:00:00 +0000" 5  '\Seen'
mail 2 "AW: Apple pie"               "alice@x.test"               "Yan <yan@x.test>"      "Mon, 01 Jan 2024 10:00:00 +0000" 40 '\Seen \Flagged'
mail 3 "[tern-dev] cherry"           "\"Bob\" <bob@x.test>"       "Ann <ann@x.test>"      "Sat, 09 Mar 2024 10:00:00 +0000" 5  ''
mail 4 "Fwd: apple PIE"              "Dave <dave@x.test>"         "bea@x.test"            "Mon, 01 Jan 2024 10:00:00 +0000" 80 '\Seen'
mail 5 "dates"                       "Eve <eve@x.test>"           "Cid <cid@x.test>"      "Thu, 01 Feb 2024 10:00:00 +0000" 5  '\Flagged'
mail 6 "RE: Re: Banana"              "Alice <alice@x.test>"       "Dan <dan@x.test>"      "Wed, 10 Jan 2024 10:00:00 +0000" 20 '\Seen'

check "sync" "$T" -c "$C" sync --once
# The message numbers (from the Message-ID) in the order tern lists them.
order() { "$T" -c "$C" list --json "$@" acct INBOX | sed -n 's/.*"message_id":"sort\([0-9]*\)@test".*/\1/p' | tr -d '\n'; }
is() { # WANT ARGS...
  want=$1; shift
  got=$(order "$@")
  [ "$got" = "$want" ] || { echo "list $*: got '$got', wanted '$want'"; return 1; }
}
check "default: arrival, newest first" is 654321
check "--sort arrival" is 654321 --sort arrival
check "--sort arrival --reverse" is 123456 --sort arrival --reverse
check "--sort date: the Date header, newest first; a tie (2, 4) newest arrival first" is 315642 --sort date
check "--sort date --reverse is the exact reverse" is 246513 --sort date --reverse
check "--sort reverse-date is the same" is 246513 --sort reverse-date
check "--sort subject: Re:/AW:/Fwd:/[list] ignored, case too; ties oldest arrival first" is 241635 --sort subject
check "--sort subject --reverse" is 536142 --sort subject --reverse
check "--sort from: the name, else the address, without quotes; A to Z" is 623145 --sort from
check "--sort to: the first recipient's name, else address" is 345621 --sort to
check "--sort size: largest first" is 426315 --sort size
check "--sort size --reverse: smallest first" is 513624 --sort size --reverse
check "--sort flagged: flagged first, then newest first" is 526431 --sort flagged
check "--sort unread: unread first, then newest first" is 536421 --sort unread
check "--sort unread --reverse" is 124635 --sort unread --reverse
# Paging: --limit pages of 500 are not needed for 6 rows; --limit 4 cuts
# the same order.
check "--limit keeps the order" is 2416 --sort subject --limit 4
# A flag changed after the sync moves the message in the flagged order.
check "flag message 3" "$T" -c "$C" flag --no-sync "$(msgid_id sort3@test)" +flagged
check "--sort flagged follows the change" is 532641 --sort flagged
bad_key() {
  "$T" -c "$C" list --sort weight acct INBOX >"$W/out" 2>"$W/err"
  rc=$?
  [ $rc = 2 ] || { echo "exit $rc, wanted 2"; return 1; }
  grep -q "date, arrival, from, to, subject, size, flagged, unread" "$W/err" || { cat "$W/err"; return 1; }
}
check "an unknown key exits 2 and lists the keys" bad_key
check_done
