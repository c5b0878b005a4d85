#!/bin/sh
# tests/demo.sh: tern against real servers, by hand.
#
# Starts Dovecot, Cyrus (JMAP), the push endpoint and the SMTP sink in the lab directory
# /tmp/tern-demo (TERN_DEMO_LAB overrides it; wiped first, so the demo always starts the
# same), loads DEMO_COUNT (default 3000) generated messages into alice on Dovecot and on
# Cyrus, writes LAB/config with two accounts, then runs the TUI in the foreground:
#   "${TERN:-./tern}" -c LAB/config -d LAB/data
# When tern exits, the servers stop and the lab is removed (KEEP_LAB=1 keeps it, servers
# stopped). A second demo on the same lab while one runs is refused (a lock on LAB.lock),
# instead of wiping the running one. Root only (the servers drop to the users mail and cyrus).
#   dovecot  IMAP, STARTTLS on Dovecot's plain port; sends through Dovecot submission (STARTTLS)
#   cyrus    JMAP through the push endpoint (Cyrus itself has no push)
# Mail sent by either account lands in LAB/smtp/spool (NNNNNN.eml + .json).
set -eu
SRV=$(cd "$(dirname "$0")/servers" && pwd)
TERN=${TERN:-./tern}
COUNT=${DEMO_COUNT:-3000}
LAB=${TERN_DEMO_LAB:-/tmp/tern-demo}
export TERN_LAB=$LAB

if [ ! -x "$TERN" ]; then
  echo "demo.sh: no tern binary at $TERN (build it, or set TERN=/path/to/tern)" >&2
  exit 1
fi
# One demo per lab at a time. The lock is held on fd 9 by this script only: every
# child is started with 9 closed, so a server cannot keep it after the demo.
exec 9>"$LAB.lock"
if ! flock -n 9; then
  echo "demo.sh: another demo is running in $LAB (it holds $LAB.lock); quit it first," >&2
  echo "demo.sh: or run this one elsewhere: TERN_DEMO_LAB=/tmp/tern-demo2 $0" >&2
  exit 1
fi
# Reset: stop whatever a previous demo left running there, then start from nothing.
[ -d "$LAB" ] && "$SRV/stop.sh" --clean 9>&- || true
rm -rf "$LAB"

finish() {
  if [ "${KEEP_LAB:-0}" = 1 ]; then
    "$SRV/stop.sh" >/dev/null 2>&1 9>&- || true
    echo "demo: lab kept: $LAB"
  else
    "$SRV/stop.sh" --clean >/dev/null 2>&1 9>&- || true
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM HUP
"$SRV/start.sh" >/dev/null 9>&-
. "$LAB/env"
echo "demo: loading $COUNT messages into alice on Dovecot and on Cyrus..."
# --folders full: mail in every special-use folder (Drafts, Junk and Trash too).
"$SRV/load.sh" dovecot alice "$COUNT" --seed 1 --folders full >/dev/null 9>&-
"$SRV/load.sh" cyrus alice "$COUNT" --seed 2 --folders full >/dev/null 9>&-

umask 077
cat >"$LAB/config" <<EOF
data_dir = $LAB/data

[account dovecot]
protocol = imap
email = alice@localhost
name = Alice Example
username = alice
password = $PASS1
imap_host = 127.0.0.1
imap_port = $DOVECOT_IMAP_PORT
imap_tls = starttls
smtp_host = 127.0.0.1
smtp_port = $DOVECOT_SUBMISSION_PORT
smtp_tls = starttls
ca_file = $CA_FILE

[account cyrus]
protocol = jmap
email = alice@localhost
name = Alice Example
username = alice
password = $PASS1
jmap_url = $PUSH_JMAP_URL
ca_file = $CA_FILE
EOF
chmod 600 "$LAB/config"
mkdir -p "$LAB/data"

echo "demo: lab $LAB (servers: . $LAB/env; sent mail: $SMTP_SPOOL)"
echo "demo: $TERN -c $LAB/config -d $LAB/data"
echo "demo: quitting tern stops the servers and removes the lab (KEEP_LAB=1 keeps it)"
# Not exec: the EXIT trap must run after tern to stop the servers.
"$TERN" -c "$LAB/config" -d "$LAB/data" 9>&-
