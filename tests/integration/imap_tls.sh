#!/bin/sh
# TLS for IMAP (issue 4): implicit TLS and STARTTLS verify the certificate (system store plus
# ca_file, host name checked); a wrong CA, a wrong host name and a server without STARTTLS are
# refused before any password is sent.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
lab_start dovecot
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
imap_conf "$C" a dovecot "imap_tls = implicit" "imap_port = $DOVECOT_IMAPS_PORT" "ca_file = $BAD_CA_FILE"
check "implicit TLS with a CA that did not sign the certificate is refused" fails "$C" "not trusted"
imap_conf "$C" a dovecot "ca_file = $BAD_CA_FILE"
check "STARTTLS with the wrong CA is refused" fails "$C" "not trusted"
other=$(awk '$1 == "127.0.0.1" && $2 != "localhost" {print $2; exit}' /etc/hosts)
if [ -n "$other" ]; then
  imap_conf "$C" a dovecot "imap_host = $other"
  check "a certificate for another host name is refused ($other)" fails "$C" "not trusted"
else
  echo "ok - # SKIP no other name for 127.0.0.1 in /etc/hosts"
fi
imap_conf "$C" a dovecot "imap_port = $DOVECOT_NOSTARTTLS_PORT"
check "a server without STARTTLS is refused, no plaintext fallback" fails "$C" "does not offer STARTTLS"
check "... and the status says why" test -n "$(tsql "SELECT last_error FROM account_status")"
check_done
