# Sourced by the jmap_*.sh tests: a lab with Cyrus (+ SMTP sink, push proxy;
# JMAP_LAB_SERVERS="dovecot cyrus ..." names others),
# a tern config for alice's JMAP account, and the engine driver.
#   jmap_conf URL [extra config lines]   writes $W/conf (account "j")
#   drive ARGS                           tests/integration/jmap_drive on it
#   sql QUERY                            sqlite3 on the account's database
#   proxy_start                          jmap_proxy.py in front of Cyrus: $P (its dir), $PROXY_URL
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing jq sqlite3
DRIVE=${TERN_BUILDDIR:-$TERN_SRCDIR}/tests/integration/jmap_drive
TERN=${TERN:-${TERN_BUILDDIR:-$TERN_SRCDIR}/tern}
# shellcheck disable=SC2086
lab_start ${JMAP_LAB_SERVERS:-cyrus smtp push}
W=$TERN_LAB/jmap
mkdir -p "$W"
export JMAP_DRIVE_LOG="$W/tern.log"

jmap_conf() {
  url=$1
  shift
  { echo "data_dir = $W/data"
    echo "[account j]"
    echo "protocol = jmap"
    echo "email = $EMAIL1"
    echo "username = $USER1"
    echo "password = $PASS1"
    echo "jmap_url = $url"
    echo "timeout = 10"
    for l in "$@"; do echo "$l"; done
  } >"$W/conf"
  chmod 600 "$W/conf"
}
drive() { "$DRIVE" -c "$W/conf" j "$@"; }
tern_() { "$TERN" -c "$W/conf" "$@"; }
sql() { sqlite3 "$W/data/tern.db" "$1"; }
# The local message id of the email with this Message-ID (no brackets).
msg_by_mid() { sql "SELECT id FROM message WHERE message_id = '$1'"; }
proxy_start() {
  P=$W/proxy
  mkdir -p "$P"
  "$LAB_PY" "$TERN_SRCDIR/tests/integration/jmap_proxy.py" --cyrus "http://127.0.0.1:$CYRUS_HTTP_PORT" \
    --dir "$P" >"$P/port" 2>"$P/err" &
  PROXY_PID=$!
  trap 'r=$?; kill $PROXY_PID 2>/dev/null; (exit $r); _lab_cleanup' EXIT
  wait_for "proxy port" 5 test -s "$P/port"
  PROXY_URL=http://127.0.0.1:$(cat "$P/port")
}
