#!/bin/sh
# TLS for IMAP (issue 4): implicit TLS and STARTTLS verify the certificate (system store plus
# ca_file, host name checked); a wrong CA, a wrong host name and a server without STARTTLS are
# refused before any password is sent; Cyrus's TLS is verified the same way; SMTP (STARTTLS
# required, or implicit) refuses a certificate it cannot verify and keeps the message queued.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot cyrus smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
fails() { # CONF PATTERN: sync fails and says PATTERN
  "$T" -c "$1" sync --once >"$W/out" 2>&1 && { cat "$W/out"; return 1; }
  grep -qi "$2" "$W/out" || { cat "$W/out"; return 1; }
}
imap_conf "$C" a dovecot
check "STARTTLS with the lab CA works" "$T" -c "$C" sync --once
imap_conf "$C" a dovecot "imap_tls = implicit" "imap_port = $DOVECOT_IMAPS_PORT"
check "implicit TLS with the lab CA works" "$T" -c "$C" sync --once
# Logins Dovecot saw (successful or refused): the refusals below must send no password.
DLOG=$TERN_LAB/dovecot/log/dovecot.log
logins() { grep -cE 'Login: user=|auth failed' "$DLOG"; }
l0=$(logins)
check "Dovecot's log shows the two logins so far (the count below means something)" test "$l0" -ge 2
imap_conf "$C" a dovecot "imap_tls = implicit" "imap_port = $DOVECOT_IMAPS_PORT" "ca_file = $BAD_CA_FILE"
check "implicit TLS with a CA that did not sign the certificate is refused" fails "$C" "not trusted"
imap_conf "$C" a dovecot "ca_file = $BAD_CA_FILE"
check "STARTTLS with the wrong CA is refused" fails "$C" "not trusted"
# Another name for the same server, which the certificate (localhost, 127.0.0.1) does not
# carry: "127.1" reaches 127.0.0.1 (inet_aton's short form) but is no name or address in it.
imap_conf "$C" a dovecot "imap_host = 127.1"
check "a certificate for another host name is refused (127.1)" fails "$C" "not trusted"
imap_conf "$C" a dovecot "imap_host = 127.1" "imap_tls = implicit" "imap_port = $DOVECOT_IMAPS_PORT"
check "... with implicit TLS too" fails "$C" "not trusted"
imap_conf "$C" a dovecot "imap_port = $DOVECOT_NOSTARTTLS_PORT"
check "a server without STARTTLS is refused, no plaintext fallback" fails "$C" "does not offer STARTTLS"
check "... and the status says why" test -n "$(tsql "SELECT last_error FROM account_status")"
check "no password reached the server in any of the refused cases" test "$(logins)" = "$l0"
imap_conf "$C" a cyrus "imap_tls = implicit" "imap_port = $CYRUS_IMAPS_PORT"
check "Cyrus: implicit TLS with the lab CA works" "$T" -c "$C" sync --once
imap_conf "$C" a cyrus
check "Cyrus: STARTTLS with the lab CA works" "$T" -c "$C" sync --once
imap_conf "$C" a cyrus "ca_file = $BAD_CA_FILE"
check "Cyrus: STARTTLS with the wrong CA is refused" fails "$C" "not trusted"

# SMTP: implicit TLS verified with the lab CA; then a CA that signed nothing, both modes.
send() { # CONF SUBJECT
  printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s-%s@localhost>\n\nx\n' "$EMAIL1" "$EMAIL2" "$2" "$2" "$$" |
    "$T" -c "$1" send --no-sync a >/dev/null
}
rm -rf "$W/data"
imap_conf "$C" a dovecot "smtp_tls = implicit" "smtp_port = $SMTPS_PORT"
send "$C" implicit
check "SMTP implicit TLS: the message goes out" "$T" -c "$C" sync --once
check "... the sink has it" test "$(spool_count)" = 1
# With imap_tls = none (plaintext only where the config says so) ca_file serves SMTP alone.
for mode in starttls implicit; do
  if [ "$mode" = implicit ]; then p=$SMTPS_PORT; else p=$SMTP_PORT; fi
  imap_conf "$C" a dovecot "imap_tls = none" "ca_file = $BAD_CA_FILE" "smtp_tls = $mode" "smtp_port = $p"
  send "$C" "bad-$mode"
  before=$(spool_count)
  "$T" -c "$C" sync --once >/dev/null 2>&1
  check "SMTP $mode with a certificate the CA did not sign: nothing sent" test "$(spool_count)" = "$before"
  check "... the message stays queued, with the error" test -n "$(tsql "SELECT last_error FROM pending_change WHERE resource_type = 'Outbox' ORDER BY id DESC LIMIT 1")"
done
check_done
