#!/bin/sh
# OAuth2 logins (auth = xoauth2 | oauthbearer, oauth_token_cmd) against Dovecot's oauth2 passdb,
# which asks a local introspection endpoint (tests/servers/introspect.py) about every token:
# IMAP sync and SMTP sends through Dovecot's submission service with both mechanisms; a refused
# (expired) token makes tern run the command once more and log in with the new token; a second
# refusal is an error naming the command; a command that fails or hangs is reported (its stderr
# line, the time limit); a server without the mechanism is an error, and no password is tried.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
DLOG=$TERN_LAB/dovecot/log/dovecot.log
TOK=$W/tokens       # "TOKEN USER" lines: the tokens the endpoint calls active
RUNS=$W/runs        # one line per run of the token command
# The token command: its N-th run prints $W/token.N if there is one, else $W/token.
cat >"$W/tokcmd.sh" <<EOF
#!/bin/sh
echo run >>"$RUNS"
n=\$(wc -l <"$RUNS")
if [ -f "$W/token.\$n" ]; then cat "$W/token.\$n"; else cat "$W/token"; fi
EOF
chmod 755 "$W/tokcmd.sh"
runs() { if [ -f "$RUNS" ]; then wc -l <"$RUNS"; else echo 0; fi; }
oconf() { # MECH [key = value...]: USER1 logging in with tokens from tokcmd.sh
  _m=$1
  shift
  imap_conf "$C" a dovecot "auth = $_m" "oauth_token_cmd = $W/tokcmd.sh" \
    "smtp_port = $DOVECOT_SUBMISSION_PORT" "$@"
  grep -v '^password_cmd = ' "$C" >"$C.new" && mv "$C.new" "$C"
  rm -f "$RUNS" "$W"/token.*
}
fails() { # PATTERN: sync fails and says PATTERN
  "$T" -c "$C" sync --once >"$W/out" 2>&1 && { cat "$W/out"; return 1; }
  grep -qi -- "$1" "$W/out" || { cat "$W/out"; return 1; }
}
send() { # SUBJECT: queue a message to USER2
  printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s-%s@localhost>\n\nx\n' "$EMAIL1" "$EMAIL2" "$1" "$1" "$$" |
    "$T" -c "$C" send --no-sync a >/dev/null
}
lab_load dovecot "$USER1" 5 --seed 3 --no-big --folders INBOX:1 >/dev/null

# Before Dovecot takes tokens: the mechanism is missing, and no password is tried instead.
echo "tok-good $USER1" >"$TOK"
echo tok-good >"$W/token"
oconf xoauth2
logins() { grep -cE 'Login: user=|auth failed' "$DLOG"; }
l0=$(logins)
check "a server without AUTH=XOAUTH2: the sync fails and says so" fails "does not offer AUTHENTICATE XOAUTH2"
check "... nothing was sent to log in (no fallback to a password)" test "$(logins)" = "$l0"

# Dovecot with the oauth2 passdb, asking introspect.py on a port reserved for this lab.
OAUTH_PORT=$("$LAB_PY" "$LAB_SRV/netutil.py" ports "$TERN_LAB" OAUTH_PORT | sed 's/^OAUTH_PORT=//')
"$LAB_PY" "$LAB_SRV/introspect.py" "$OAUTH_PORT" "$TOK" >"$W/introspect.log" 2>&1 &
EXT=$TERN_LAB/dovecot/oauth2.conf.ext
printf '%s\n' "introspection_mode = post" "introspection_url = http://127.0.0.1:$OAUTH_PORT/introspect" \
  "username_attribute = username" "active_attribute = active" "active_value = true" \
  "force_introspection = yes" >"$EXT"
chmod 644 "$EXT"
lab_stop dovecot >/dev/null
OAUTH_CONF="auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $EXT
}"
DOVECOT_EXTRA_CONF=$OAUTH_CONF lab_startone dovecot
check "the introspection endpoint answers" wait_for introspect 10 \
  sh -c "curl -s -d token=x http://127.0.0.1:$OAUTH_PORT/introspect | grep -q active"

for mech in xoauth2 oauthbearer; do
  rm -rf "$W/data"
  oconf $mech
  check "$mech: IMAP sync with the token" "$T" -c "$C" sync --once
  check "... the messages are there" test "$(tsql 'SELECT count(*) FROM message')" -ge 5
  check "... the command ran once" test "$(runs)" = 1
  check "... Dovecot logged in through its oauth2 passdb with $mech" \
    grep -qi "Login: user=<$USER1>, method=$mech" "$DLOG"
  before=$(spool_count)
  send "oauth-$mech"
  check "$mech: SMTP through Dovecot's submission service sends the message" "$T" -c "$C" sync --once
  check "... the sink has it" wait_for sink 10 test "$(spool_count)" = $((before + 1))
  check "... the queue is empty" test "$(tsql 'SELECT count(*) FROM pending_change')" = 0
  check "... submission-login used $mech" grep -qi "submission-login: .*Login: user=<$USER1>, method=$mech" "$DLOG"
done
# Without SASL-IR (imap_capability replaces the pre-login list too): the token goes after the
# server's continuation request.
caps=$(imapctl caps | tr ' ' '\n' | grep -v -x 'SASL-IR' | tr '\n' ' ')
lab_stop dovecot >/dev/null
DOVECOT_EXTRA_CONF="$OAUTH_CONF
imap_capability = $caps" lab_startone dovecot
printf 'a CAPABILITY\r\nb LOGOUT\r\n' | timeout 5 "$LAB_PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
sys.stdout.write(s.makefile("rb").read().decode())' "$DOVECOT_IMAP_PORT" >"$W/precaps"
check "the server's pre-login capabilities offer XOAUTH2 but no SASL-IR now" \
  sh -c "grep -q 'AUTH=XOAUTH2' '$W/precaps' && ! grep -q SASL-IR '$W/precaps'"
for mech in xoauth2 oauthbearer; do
  rm -rf "$W/data"
  oconf $mech
  check "$mech without SASL-IR: IMAP sync with the token" "$T" -c "$C" sync --once
done
lab_stop dovecot >/dev/null
DOVECOT_EXTRA_CONF=$OAUTH_CONF lab_startone dovecot
check "the token never reaches tern's log" sh -c "! grep -rq tok-good '$W/state' '$W/data' 2>/dev/null"

# An expired token (introspection says active=false): run the command again, log in with the
# new one.
rm -rf "$W/data"
oconf oauthbearer
echo tok-expired >"$W/token.1"
check "an expired token is renewed: the sync succeeds" "$T" -c "$C" sync --once
check "... the command ran exactly twice" test "$(runs)" = 2
check "... the expired token was tried, then the new one" \
  test "$(tail -n 2 "$TOK.asked" | tr '\n' ' ')" = "tok-expired tok-good "
check "... the account shows no error" test -z "$(tsql "SELECT ifnull(last_error, '') FROM account_status")"

# SMTP: a token the IMAP login used up (it expires after one login) is refused by submission;
# tern runs the command again and sends with the new token.
rm -rf "$W/data"
oconf xoauth2
"$T" -c "$C" sync --once >/dev/null 2>&1
printf '%s\n' "tok-good $USER1" "tok-once $USER1 1" >"$TOK"
echo tok-once >"$W/token.1"
rm -f "$RUNS"
before=$(spool_count)
send smtp-renew
check "SMTP: the token refused by submission is renewed, the message sent" "$T" -c "$C" sync --once
check "... the sink has it" wait_for sink 10 test "$(spool_count)" = $((before + 1))
check "... the command ran twice (the IMAP login, the SMTP renewal)" test "$(runs)" = 2
check "... the queue is empty" test "$(tsql 'SELECT count(*) FROM pending_change')" = 0
echo "tok-good $USER1" >"$TOK"

# SMTP to a server without AUTH XOAUTH2 (the sink offers PLAIN and LOGIN): an error saying so.
oconf xoauth2 "smtp_port = $SMTP_PORT"
before=$(spool_count)
send smtp-nomech
"$T" -c "$C" sync --once >/dev/null 2>&1
check "SMTP without the mechanism: the send fails and says so" \
  sh -c "'$T' -c '$C' queue | grep -q 'does not offer AUTH XOAUTH2'"
check "... nothing was sent" test "$(spool_count)" = "$before"
for id in $(tsql "SELECT id FROM pending_change"); do "$T" -c "$C" queue drop "$id" >/dev/null; done

# Revoked: every token the command prints is refused; the second refusal names the command.
oconf xoauth2
echo "tok-other $USER1" >"$TOK"
check "a revoked token: the sync fails, naming the command" fails "the token from oauth_token_cmd was refused"
check "... after exactly one renewal" test "$(runs)" = 2
check "... the account's error says so" \
  sh -c "sqlite3 '$W/data/tern.db' 'SELECT last_error FROM account_status' | grep -q 'oauth_token_cmd was refused'"
echo "tok-good $USER1" >"$TOK"

# A command that fails, and one that hangs (stopped at the account's timeout).
oconf xoauth2 "oauth_token_cmd = echo 'refresh token expired: run oama authorize' >&2; exit 3"
check "a failing oauth_token_cmd: its exit status and stderr line are shown" \
  fails "oauth_token_cmd failed (exit status 3): refresh token expired: run oama authorize"
oconf xoauth2 "oauth_token_cmd = sleep 60" "timeout = 2"
start=$(date +%s)
check "a hanging oauth_token_cmd is stopped at the time limit, and the error says so" \
  fails "oauth_token_cmd did not finish within 2 s and was stopped"
check "... within seconds, not a minute" test $(($(date +%s) - start)) -lt 30
check_done
