#!/bin/sh
# Server-side search (issue 8): a word that is only in a body tern has not
# cached is not in the local index, but `tern search --server` finds it by
# asking the server (IMAP UID SEARCH CHARSET UTF-8 on Dovecot, JMAP
# Email/query on Cyrus), prints it after the local results and marks it as
# a server result; the local results are never replaced.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing sqlite3 jq
# Cyrus answers JMAP text filters only from its search index: Xapian, filled
# by squatter (run here after the appends, as a server's rolling squatter).
XS=$(mktemp -d /tmp/tern-xapian.XXXXXX)
chown cyrus:mail "$XS"
CYRUS_EXTRA_CONF=$(printf 'search_engine: xapian\nsearch_index_headers: yes\ndefaultsearchtier: t1\nt1searchpartition-default: %s' "$XS")
export CYRUS_EXTRA_CONF
lab_start dovecot cyrus
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"

mail() { # SUBJECT MSGID BODY
  printf 'From: Bob <bob@example.org>\r\nTo: alice@localhost\r\nSubject: %s\r\nMessage-ID: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' "$1" "$2" "$3"
}

run() { # SERVER CONF
  S=$1 C=$2
  mail "local one" "loc-$S@x" "the word quorbland is cached here" >"$W/l.eml"
  mail "remote one" "rem-$S@x" "only the server knows zyxelquant and Grüßfjord" >"$W/r.eml"
  imapctl -s "$S" append INBOX "$W/l.eml" >/dev/null
  imapctl -s "$S" append INBOX "$W/r.eml" >/dev/null
  if [ "$S" = cyrus ]; then
    check "cyrus: squatter indexes the mailbox" runuser -u cyrus -- env \
      LD_PRELOAD="$TERN_LAB/cyrus/syslog-shim.so" LAB_SYSLOG_FILE="$TERN_LAB/cyrus/log/syslog" \
      "$TERN_LAB/cyrus/pkg/usr/lib/cyrus/bin/squatter" -C "$TERN_LAB/cyrus/conf/imapd.conf" "user/$USER1"
  fi
  check "$S: first sync" "$T" -c "$C" sync --once
  lid=$(msgid_id "loc-$S@x")
  rid=$(msgid_id "rem-$S@x")
  check "$S: the local message's body is fetched" "$T" -c "$C" show "$lid"
  check "$S: the other body is not cached" test "$(tsql "SELECT count(*) FROM body WHERE message_id = $rid")" = 0

  "$T" -c "$C" search acct zyxelquant >"$W/plain" 2>&1
  check "$S: without --server the uncached word is not found" sh -c "! grep -q 'remote one' '$W/plain'"
  "$T" -c "$C" search --json --server acct zyxelquant >"$W/srv" 2>"$W/srv.err"
  check "$S: --server finds the word only in the uncached body" \
    test "$(jq -r 'select(.server == true) | .id' "$W/srv")" = "$rid"
  "$T" -c "$C" search --json --server acct 'Grüßfjord' >"$W/srv8" 2>>"$W/srv.err"
  check "$S: ... also a non-ASCII word (CHARSET UTF-8)" \
    test "$(jq -r 'select(.server == true) | .id' "$W/srv8")" = "$rid"
  "$T" -c "$C" search --json --server acct quorbland >"$W/both" 2>>"$W/srv.err"
  check "$S: a local hit stays local (not repeated as a server result)" \
    test "$(jq -r '"\(.id) \(.server)"' "$W/both")" = "$lid false"
  "$T" -c "$C" search --server acct zyxelquant >"$W/txt" 2>"$W/txt.err"
  check "$S: the text output says which results came from the server" \
    sh -c "grep -q 'found on the server' '$W/txt.err' && grep -q 'remote one' '$W/txt'"
  check "$S: no server search error" sh -c "! test -s '$W/srv.err' || { cat '$W/srv.err'; false; }"
}

imap_conf "$W/dovecot.conf" acct dovecot
run dovecot "$W/dovecot.conf"

rm -rf "$W/data"
{
  echo "data_dir = $W/data"
  echo "[account acct]"
  echo "protocol = jmap"
  echo "email = $EMAIL1"
  echo "username = $USER1"
  echo "password = $PASS1"
  echo "jmap_url = http://127.0.0.1:$CYRUS_HTTP_PORT"
  echo "timeout = 10"
} >"$W/cyrus.conf"
chmod 600 "$W/cyrus.conf"
run cyrus "$W/cyrus.conf"
rm -rf "$XS"

check_done
