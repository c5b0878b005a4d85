#!/bin/sh
# The command-line contract without a network: exit codes, FILE:LINE config
# errors, --json lines, offline changes queued and undone, a too-new database
# left untouched.
set -u

T=$(mktemp -d /tmp/tern-cli.XXXXXX); export T
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

check "--version prints the version" sh -c '"$TERN" --version | grep -q "^tern [0-9]"'
# The binary under test must be the one this configuration builds: toggling
# --enable-sanitizers has to rebuild everything, not keep the old objects.
built_as_configured() {
  if grep -q '^SAN_CFLAGS = -f' "$TERN_BUILDDIR/Makefile"; then
    "$TERN" --version | grep -q Sanitizer
  else
    ! "$TERN" --version | grep -q Sanitizer
  fi
}
check "--version says whether this build has the sanitizers the Makefile asks for" built_as_configured
check "--help lists the commands" sh -c '"$TERN" --help | grep -q "tern sync"'
check "unknown command exits 2" status_is 2 "$TERN" frobnicate
check "unknown option exits 2" status_is 2 "$TERN" --frob
# After -c and -d (which allocate), every usage error still exits 2, and under the sanitizer
# build with no LeakSanitizer report (a report turns the exit status into 1).
usage_clean() { # CMD...: exits 2, says usage, and no sanitizer wrote anything
  status_is 2 "$@" || return 1
  grep -q '^usage: tern' "$T/err" || { echo "  no usage text"; return 1; }
  ! grep -q 'Sanitizer' "$T/err" || { echo "  sanitizer report:"; cat "$T/err"; return 1; }
}
check "-c FILE -d DIR --bogus exits 2, cleanly" usage_clean "$TERN" -c "$T/x.conf" -d "$T/xd" --bogus
check "-c FILE -d DIR bogus-command exits 2, cleanly" usage_clean "$TERN" -c "$T/x.conf" -d "$T/xd" bogus
check "-c FILE -d (no argument) exits 2, cleanly" usage_clean "$TERN" -c "$T/x.conf" -d
check "-d DIR -c FILE --help exits 0, cleanly" sh -c '"$TERN" -d "$T/xd" -c "$T/x.conf" --help >/dev/null 2>"$T/err" && ! grep -q Sanitizer "$T/err"'

cat >"$T/bad.conf" <<'CONF'
editor = vim
[account work]
protocol = imap
email = me@example.org
password = x
imap_hots = imap.example.org
CONF
check "a misspelt key is an error with FILE:LINE, exit 3" status_is 3 "$TERN" -c "$T/bad.conf" config check
check "... and the message names the file and line" grep -q "^$T/bad.conf:6: unknown key 'imap_hots'" "$T/err"
check "every command refuses a bad config" status_is 3 "$TERN" -c "$T/bad.conf" list work inbox
check "config check on a missing -c file fails" status_is 3 "$TERN" -c "$T/none.conf" config check

# bind lines are judged by the UI's keymap, for every command, before anything is written.
cat >"$T/bind.conf" <<CONF
data_dir = $T/bind-data
bind = index x delete
bind = pager <F5> sync-now
bind = index y no-such-action
CONF
check "a bad bind line fails config check, exit 3" status_is 3 "$TERN" -c "$T/bind.conf" config check
check "... named by FILE:LINE" grep -q "^$T/bind.conf:4: bind: unknown action 'no-such-action'" "$T/err"
check "... every command refuses it" status_is 3 "$TERN" -c "$T/bind.conf" list work inbox
check "... and nothing was created" test ! -e "$T/bind-data"
sed -i '$d' "$T/bind.conf"
printf 'bind = nowhere x delete\n' >>"$T/bind.conf"
check "an unknown bind context is reported with its line" sh -c '
  "$TERN" -c "$T/bind.conf" config check 2>&1 >/dev/null | grep -q "^$T/bind.conf:4: bind: unknown context .nowhere."'
sed -i '$d' "$T/bind.conf"
check "valid bind lines pass config check" status_is 0 "$TERN" -c "$T/bind.conf" config check

cat >"$T/good.conf" <<CONF
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
check "config check lists the accounts" sh -c '"$TERN" -c "$T/good.conf" config check | grep -q "work .*imap .*me@example.org"'
check "an unknown account exits 2" status_is 2 "$TERN" -c "$T/good.conf" list nosuch inbox
check "... the error goes to stderr, stdout stays empty" sh -c '[ ! -s "$T/out" ] && grep -q "^tern: .*nosuch" "$T/err"'
check "mailboxes on a never-synced account succeeds" status_is 0 "$TERN" -c "$T/good.conf" mailboxes work
check "the database was created in data_dir" test -f "$T/data/tern.db"
check "-d overrides data_dir" status_is 0 "$TERN" -c "$T/good.conf" -d "$T/other" mailboxes work
check "... and puts the database there" test -f "$T/other/tern.db"

# Mail as a sync would have stored it.
sqlite3 "$T/data/tern.db" <<'SQL'
INSERT INTO mailbox (id, account_id, remote_id, name, role, total, unread) VALUES
  (1, 1, 'INBOX', 'INBOX', 'inbox', 2, 1), (2, 1, 'Archive', 'Archive', 'archive', 0, 0),
  (3, 1, 'Trash', 'Trash', 'trash', 0, 0);
INSERT INTO message (id, account_id, message_id, subject, from_name, from_addr, sent_at, received_at, size, seen)
  VALUES (1, 1, 'a@x', 'first', 'Ann', 'ann@x', 1000, 1000, 10, 1),
         (2, 1, 'b@x', 'second ' || char(27) || '[31mred', 'Bob', 'bob@x', 2000, 2000, 20, 0);
INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) VALUES (1, 1, 11, 1000), (1, 2, 12, 2000);
SQL
check "list prints newest first" sh -c '"$TERN" -c "$T/good.conf" list work inbox | head -1 | grep -q "^ *2 "'
check "list never prints an escape character" sh -c '! "$TERN" -c "$T/good.conf" list work INBOX | grep -q "$(printf "\033")"'
check "list --json gives one object per line" sh -c '"$TERN" -c "$T/good.conf" list --json work inbox | /usr/bin/python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r[\"id\"] for r in rows] == [2, 1], rows
r = rows[1]
assert r[\"account\"] == \"work\" and r[\"mailbox\"] == \"INBOX\" and r[\"uid\"] == 11 and r[\"seen\"] is True
assert r[\"date\"] == \"1970-01-01T00:16:40Z\" and r[\"message_id\"] == \"a@x\" and r[\"size\"] == 10
assert set(r) >= {\"id\",\"account\",\"mailbox\",\"uid\",\"message_id\",\"subject\",\"from\",\"to\",\"date\",\"seen\",\"flagged\",\"answered\",\"size\",\"has_attachments\"}
"'
# search prints what list prints (one formatter): the same fields, plus "server".
check "search --json has list --json's fields and values, plus server" sh -c '"$TERN" -c "$T/good.conf" search --json work first >"$T/s.json" &&
  "$TERN" -c "$T/good.conf" list --json work inbox >"$T/l.json" && /usr/bin/python3 -c "
import json
s = [json.loads(l) for l in open(\"$T/s.json\")]
l = {r[\"id\"]: r for r in map(json.loads, open(\"$T/l.json\"))}
assert len(s) == 1 and s[0][\"server\"] is False, s
r = dict(s[0]); del r[\"server\"]
assert r == l[1], (r, l[1])
"'
check "search prints the same text line as list" sh -c '[ "$("$TERN" -c "$T/good.conf" search work first)" = "$("$TERN" -c "$T/good.conf" list work inbox | grep "^ *1 ")" ]'
# A query may start with a negation after --all: "-first" is a term, not an option.
check "search --all -term is a query, not an unknown option" sh -c '[ "$("$TERN" -c "$T/good.conf" search --json --all -first | wc -l)" = 1 ] &&
  "$TERN" -c "$T/good.conf" search --json --all -first | grep -q "\"id\":2,"'
check "... as after --" sh -c '[ "$("$TERN" -c "$T/good.conf" search --all -- -first)" = "$("$TERN" -c "$T/good.conf" search --all -first)" ]'
check "... while an unknown --option is still an error" status_is 2 "$TERN" -c "$T/good.conf" search --frob --all x
check "... and a query where the account belongs is too" status_is 2 "$TERN" -c "$T/good.conf" search -first
check "--limit limits" sh -c '[ "$("$TERN" -c "$T/good.conf" list --limit 1 work inbox | wc -l)" = 1 ]'
check "mailboxes --json" sh -c '"$TERN" -c "$T/good.conf" mailboxes --json work | head -1 | grep -q "{\"name\":\"INBOX\",\"role\":\"inbox\",\"total\":2,\"unread\":1"'
check "an unknown mailbox exits 1" status_is 1 "$TERN" -c "$T/good.conf" list work nosuch
check "a bad message id exits 2" status_is 2 "$TERN" -c "$T/good.conf" flag x +seen
check "a missing message exits 1" status_is 1 "$TERN" -c "$T/good.conf" flag 99 +seen

# Offline-first: with no server, changes succeed, are visible, and wait in the queue.
check "flag without a server still succeeds" status_is 0 "$TERN" -c "$T/good.conf" flag 2 +seen
check "... says it is queued" grep -q "queued" "$T/out"
check "... and the local state changed" sh -c '[ "$(sqlite3 "$T/data/tern.db" "SELECT seen FROM message WHERE id = 2")" = 1 ]'
check "move --no-sync queues" status_is 0 "$TERN" -c "$T/good.conf" move --no-sync 1 archive
check "... the message is listed in Archive" sh -c '"$TERN" -c "$T/good.conf" list work archive | grep -q "^ *1 "'
check "... and no longer in INBOX" sh -c '! "$TERN" -c "$T/good.conf" list work inbox | grep -q "^ *1 "'
check "the queue lists both changes" sh -c '[ "$("$TERN" -c "$T/good.conf" queue --json work | wc -l)" = 2 ]'
change=$(sqlite3 "$T/data/tern.db" "SELECT id FROM pending_change WHERE change_type = 'move'")
check "queue drop undoes a queued move" status_is 0 "$TERN" -c "$T/good.conf" queue drop "$change"
check "... the message is back in INBOX" sh -c '"$TERN" -c "$T/good.conf" list work inbox | grep -q "^ *1 "'
check "delete --no-sync moves to Trash" status_is 0 "$TERN" -c "$T/good.conf" delete --no-sync 2
check "... listed in Trash" sh -c '"$TERN" -c "$T/good.conf" list work trash | grep -q "^ *2 "'
# Exit statuses follow the README's table: 1 for a failure that is not the database's
# nor the configuration's. An account whose Trash is gone (delete_to_trash = yes by
# default): the delete is refused, said so, nothing is queued, and the status is 1, not
# the database's 4.
sqlite3 "$T/data/tern.db" "UPDATE mailbox SET role = NULL WHERE id = 3"
queued=$(sqlite3 "$T/data/tern.db" "SELECT count(*) FROM pending_change")
check "delete on an account without a Trash exits 1" status_is 1 "$TERN" -c "$T/good.conf" delete --no-sync 1
check "... says there is no Trash" grep -q "has no Trash mailbox" "$T/err"
check "... and queues nothing, the message still in INBOX" sh -c '[ "$(sqlite3 "$T/data/tern.db" "SELECT count(*) FROM pending_change")" = "'"$queued"'" ] && "$TERN" -c "$T/good.conf" list work inbox | grep -q "^ *1 "'
sqlite3 "$T/data/tern.db" "UPDATE mailbox SET role = 'trash' WHERE id = 3"
check "delete of a missing message exits 1" status_is 1 "$TERN" -c "$T/good.conf" delete --no-sync 99
check "delete of a bad id exits 2" status_is 2 "$TERN" -c "$T/good.conf" delete --no-sync x
check "queue retry of no such change exits 1" status_is 1 "$TERN" -c "$T/good.conf" queue retry 999
check "show of a message not downloaded, its server unreachable, exits 1" status_is 1 "$TERN" -c "$T/good.conf" show 1

printf 'To: bob@example.org\r\nSubject: hi\r\n\r\nbody\r\n' >"$T/msg"
check "send queues a message without a server" status_is 0 "$TERN" -c "$T/good.conf" send --no-sync work <"$T/msg"
check "... completed with From, Date and Message-ID" sh -c '
  sqlite3 "$T/data/tern.db" "SELECT CAST(raw AS TEXT) FROM outbox" > "$T/queued"
  grep -q "^From: me@example.org" "$T/queued" && grep -q "^Date: " "$T/queued" && grep -q "^Message-ID: <.*@example.org>" "$T/queued"'
printf 'Subject: nobody\r\n\r\nbody\r\n' >"$T/msg2"
check "send without recipients exits 2 and queues nothing" status_is 2 "$TERN" -c "$T/good.conf" send --no-sync work <"$T/msg2"
check "... one message in the outbox" sh -c '[ "$(sqlite3 "$T/data/tern.db" "SELECT count(*) FROM outbox")" = 1 ]'
# Raw UTF-8 typed into a message without MIME headers is encoded when queued.
printf 'To: Jürgen <j@example.org>\nSubject: Été à Paris\n\nGrüße\n' >"$T/msg8"
check "send of a raw UTF-8 message queues it" status_is 0 "$TERN" -c "$T/good.conf" send --no-sync work <"$T/msg8"
sqlite3 "$T/data/tern.db" "SELECT CAST(raw AS TEXT) FROM outbox ORDER BY id DESC LIMIT 1" >"$T/q8"
check "... the Subject as an RFC 2047 word" grep -q '^Subject: =?UTF-8?B?w4l0w6kgw6AgUGFyaXM=?=' "$T/q8"
check "... the name in To too, the address as it was" grep -q '^To: =?UTF-8?B?SsO8cmdlbg==?= <j@example.org>' "$T/q8"
check "... MIME-Version added" grep -q '^MIME-Version: 1.0' "$T/q8"
check "... the body declared UTF-8" grep -q '^Content-Type: text/plain; charset=utf-8' "$T/q8"
check "... and quoted-printable" grep -q '^Content-Transfer-Encoding: quoted-printable' "$T/q8"
check "... the body encoded" grep -q '^Gr=C3=BC=C3=9Fe' "$T/q8"
check "... no 8-bit byte left" sh -c '! LC_ALL=C grep -q "[^[:print:][:cntrl:]]" "$T/q8"'
check "... its subject as typed for tern's own lists" \
  test "$(sqlite3 "$T/data/tern.db" "SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")" = "Été à Paris"

# The From header made from name + email: a display name with specials is
# quoted, a non-ASCII one RFC 2047-encoded; Python's parser reads both back.
for name in 'Doe, John "JD" (work)' 'Jöhn Dœ, 日本'; do
  cat >"$T/named.conf" <<CONF
[account named]
protocol = imap
email = jd@example.org
name = $name
password = x
imap_host = 127.0.0.1
imap_port = 1
imap_tls = none
CONF
  rm -rf "$T/named"
  check "send with name = $name builds a From header that parses back" sh -c '
    "$TERN" -c "$T/named.conf" -d "$T/named" send --no-sync named <"$T/msg" >/dev/null &&
    sqlite3 "$T/named/tern.db" "SELECT CAST(raw AS TEXT) FROM outbox" | NAME="$1" /usr/bin/python3 -c "
import email, email.policy, os, sys
raw = sys.stdin.read()
head = raw.split(\"\\r\\n\\r\\n\")[0]
assert head.isascii(), head
m = email.message_from_string(raw, policy=email.policy.default)
a = m[\"From\"].addresses
assert len(a) == 1 and a[0].display_name == os.environ[\"NAME\"] and a[0].addr_spec == \"jd@example.org\", (m[\"From\"], a)
"' sh "$name"
done

# sync --once: a failure exits 1 with the reason on stderr; an account that
# another tern syncs is refused (one lock per account), naming that process.
check "sync --once with no server exits 1" status_is 1 "$TERN" -c "$T/good.conf" sync --once work
sed 's/^password_cmd = .*/password = x/' "$T/good.conf" >"$T/open.conf"
chmod 644 "$T/open.conf"
check "sync warns about a password in a file others can read" sh -c '
  "$TERN" -c "$T/open.conf" sync --once work 2>&1 >/dev/null | grep -q "^$T/open.conf:[0-9]*: warning: a password is stored in a file that others can read"'
check "... the reason on stderr, not stdout" sh -c '[ ! -s "$T/out" ] && grep -q "^tern: work: error: .*127.0.0.1:1" "$T/err"'
"$TERN" -c "$T/good.conf" sync work >/dev/null 2>&1 &
holder=$!
# Probe only once the holder has the lock: a probe that came first would take
# it itself, and the holder would then (rightly) refuse to start.
holds() { [ "$(cat "$T/data/locks/work.lock" 2>/dev/null)" = "$holder" ]; }
wait_holds() { end=$(($(date +%s) + 20)); until holds; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.05; done; }
check "... the running 'tern sync' takes the account's lock" wait_holds
check "sync --once beside a running 'tern sync' is refused, naming its pid" sh -c \
  '"$TERN" -c "$T/good.conf" sync --once work 2>&1 | grep -q "being synced by another tern (pid $1)"' sh "$holder"
check "... with exit 1" status_is 1 "$TERN" -c "$T/good.conf" sync --once work
# It is not an error of the account: the running tern was poked and syncs it now.
check "... said as busy, the running tern asked to sync now, not as an error" sh -c '
  grep -q "^tern: work: busy: .*pid $1.*which was asked to sync now$" "$T/err" && ! grep -q "error" "$T/err"' sh "$holder"
kill "$holder"
wait "$holder"
check "... the running sync stops cleanly on TERM" test $? = 0
check "... and then the lock is free again" sh -c '! "$TERN" -c "$T/good.conf" sync --once work 2>&1 | grep -q "being synced"'

# A database from a newer tern: clear error, exit 4, not one byte changed.
mkdir -p "$T/new"
sqlite3 "$T/new/tern.db" "CREATE TABLE x (y); PRAGMA user_version = 999;"
sum=$(cksum <"$T/new/tern.db"); export sum
check "a too-new database exits 4" status_is 4 "$TERN" -c "$T/good.conf" -d "$T/new" mailboxes work
check "... with a clear message" grep -q "newer than this tern" "$T/err"
check "... and is left untouched" sh -c '[ "$(cksum <"$T/new/tern.db")" = "$sum" ] && [ ! -e "$T/new/tern.db-wal" ]'
# Passwords in logs and output: cli_log.sh checks them where a login happens.

[ "$fails" = 0 ]
