#!/bin/sh
# tern show: a cached message rendered with nothing dangerous reaching the
# terminal, --raw byte-exact into a pipe, and a clear failure (exit 1) for a
# body that is not cached while the server cannot be reached.
set -u

T=$(mktemp -d /tmp/tern-show.XXXXXX); export T
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_CONFIG_HOME="$T/xdg-config" XDG_DATA_HOME="$T/xdg-data" XDG_STATE_HOME="$T/xdg-state"
mkdir -p "$HOME"
fails=0
check() { # DESC, then the command; expects success
  desc=$1; shift
  if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fails=$((fails + 1)); fi
}
status_is() { # WANT CMD...: the command exits with WANT
  want=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  [ "$got" = "$want" ] || { echo "  exit $got, wanted $want: $*"; cat "$T/err"; return 1; }
}
FIX="$TERN_SRCDIR/tests/data/mime"; export FIX

cat >"$T/conf" <<CONF
data_dir = $T/data
[account work]
protocol = imap
email = me@example.org
password_cmd = echo x
imap_host = 127.0.0.1
imap_port = 1
imap_tls = none
timeout = 2
CONF
"$TERN" -c "$T/conf" mailboxes work >/dev/null || { echo "not ok - setup"; exit 1; }
sqlite3 "$T/data/tern.db" <<SQL
INSERT INTO mailbox (id, account_id, remote_id, name, role, total, unread) VALUES (1, 1, 'INBOX', 'INBOX', 'inbox', 3, 3);
INSERT INTO message (id, account_id, message_id, subject, from_name, from_addr, sent_at, received_at, size, seen)
  VALUES (1, 1, 'e@x', 'escape', 'Evil', 'evil@example.org', 1000, 1000, 10, 0),
         (2, 1, 'n@x', 'not cached', 'Ann', 'ann@x', 2000, 2000, 20, 0),
         (3, 1, 'f@x', 'forward', 'Fw', 'fw@example.org', 3000, 3000, 30, 0);
INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) VALUES (1, 1, 11, 1000), (1, 2, 12, 2000), (1, 3, 13, 3000);
INSERT INTO body (message_id, raw, fetched_at) VALUES (1, readfile('$FIX/escape.eml'), 1), (3, readfile('$FIX/forward.eml'), 1);
SQL

check "show of a cached message succeeds" status_is 0 "$TERN" -c "$T/conf" show 1
check "... with its headers decoded" grep -q '^Subject: Hi \^\[\[31mRED\^\[\[0m \^\[\]0;pwned\^G$' "$T/out"
check "... and its body" grep -q '^body \^\[\[2J clear' "$T/out"
check "... and no escape or bell character anywhere" sh -c '! grep -q "$(printf "[\033\007]")" "$T/out"'
check "show lists attachments and inlines a forward" sh -c '"$TERN" -c "$T/conf" show 3 >"$T/fw" &&
  grep -q "^---------- Forwarded message ----------$" "$T/fw" && grep -q "^\[2.2\] q.pdf (application/pdf, 12 B)$" "$T/fw"'
check "show --raw into a pipe is byte-exact" sh -c '"$TERN" -c "$T/conf" show --raw 1 | cmp -s - "$FIX/escape.eml"'
check "a body not cached, server unreachable: exit 1" status_is 1 "$TERN" -c "$T/conf" show 2
check "... saying why" grep -q "message 2 is not downloaded yet" "$T/err"
check "... and nothing on stdout" test ! -s "$T/out"
check "an unknown id exits 1" status_is 1 "$TERN" -c "$T/conf" show 99
check "no id is a usage error" status_is 2 "$TERN" -c "$T/conf" show
check "a bad id is a usage error" status_is 2 "$TERN" -c "$T/conf" show abc
check "an unknown option is a usage error" status_is 2 "$TERN" -c "$T/conf" show --html 1

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
