#!/bin/sh
# A JMAP account's identities on Cyrus: a message From the account's
# address is submitted with the server's identity and delivered; one From
# an [identity] address the server has no Identity for fails at once with
# "the server has no identity for ADDRESS" (never sent under another
# identity), kept in the queue as failed; one From an identity with a
# sendmail command goes through that command and is filed in Sent.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

OTHER="other-$$@localhost"
PIPED="piped-$$@localhost"
cat >"$W/sendmail.sh" <<SM
#!/bin/sh
printf '%s\n' "\$@" >"$W/sendmail.args"
cat >"$W/sendmail.msg"
SM
chmod +x "$W/sendmail.sh"
jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT" \
  "[identity other]" "account = j" "email = $OTHER" \
  "[identity piped]" "account = j" "email = $PIPED" "sendmail = $W/sendmail.sh"
drive sync >/dev/null
in_sink() { grep -l "$1" "$SMTP_SPOOL"/*.eml 2>/dev/null | wc -l; }

printf 'From: Alice <%s>\nTo: bob@localhost\nSubject: own address\nMessage-ID: <ident-own-%s@localhost>\n\nx\n' "$EMAIL1" "$$" |
  tern_ send --no-sync j >/dev/null
drive sync >/dev/null
check "From the account's address: submitted and delivered" wait_for "sink" 10 sh -c "[ \$(grep -l 'ident-own-$$@localhost' '$SMTP_SPOOL'/*.eml 2>/dev/null | wc -l) = 1 ]"
check "... the queue is empty" test "$(sql "SELECT count(*) FROM pending_change")" = 0

printf 'From: Other <%s>\nTo: bob@localhost\nSubject: no identity\nMessage-ID: <ident-none-%s@localhost>\n\nx\n' "$OTHER" "$$" |
  tern_ send --no-sync j >/dev/null
drive sync >/dev/null
check "From an address the server has no identity for: failed" \
  test "$(sql "SELECT status FROM pending_change WHERE resource_type = 'Outbox'")" = failed
check "... saying so" test -n "$(sql "SELECT 1 FROM pending_change WHERE last_error LIKE '%the server has no identity for $OTHER%'")"
check "... not sent under another identity" test "$(in_sink "ident-none-$$@localhost")" = 0
tern_ queue drop "$(sql "SELECT id FROM pending_change WHERE resource_type = 'Outbox'")" >/dev/null

printf 'From: Piped <%s>\nTo: bob@localhost, carol@localhost\nSubject: piped\nMessage-ID: <ident-piped-%s@localhost>\n\nx\n' "$PIPED" "$$" |
  tern_ send --no-sync j >/dev/null
drive sync >/dev/null
check "From an identity with sendmail: the command got it" test -s "$W/sendmail.msg"
check "... the message" grep -q "ident-piped-$$@localhost" "$W/sendmail.msg"
check "... the recipients as arguments" sh -c "grep -qx bob@localhost '$W/sendmail.args' && grep -qx carol@localhost '$W/sendmail.args'"
check "... not the server's submission" test "$(in_sink "ident-piped-$$@localhost")" = 0
check "... the queue is empty" test "$(sql "SELECT count(*) FROM pending_change")" = 0
check "... filed in Sent on the server" test "$(jmapctl msgids sent | grep -c "ident-piped-$$@localhost")" = 1
check_done
