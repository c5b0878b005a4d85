# tests/integration/imap_lib.sh: helpers for the imap_*.sh tests (sourced after tests/lib.sh).
# imap_conf FILE ACCOUNT SERVER [key=value...]   writes a config for USER1 on SERVER (dovecot|cyrus)
# tsql SQL                                       sqlite3 on the test database
# mirror ACCOUNT SERVER [--no-att]               the database equals the server (imap_mirror.py)
DRIVE=${TERN_BUILDDIR:-.}/tests/integration/imap_drive
T=${TERN:-tern}
W=$(mktemp -d /tmp/ti.XXXXXX)
export XDG_STATE_HOME="$W/state" HOME="$W"
trap 'r=$?; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT

imap_conf() {
  _f=$1 _a=$2 _s=$3
  shift 3
  if [ "$_s" = cyrus ]; then _p=$CYRUS_IMAP_PORT; else _p=$DOVECOT_IMAP_PORT; fi
  {
    echo "data_dir = $W/data"
    echo "[account $_a]"
    echo "protocol = imap"
    echo "email = $EMAIL1"
    echo "username = $USER1"
    echo "password_cmd = echo $PASS1"
    echo "imap_host = localhost"
    echo "imap_port = $_p"
    echo "imap_tls = starttls"
    echo "smtp_host = localhost"
    echo "smtp_port = $SMTP_PORT"
    echo "smtp_tls = starttls"
    echo "ca_file = $CA_FILE"
    echo "timeout = 10"
    echo "poll_interval = 30"
  } >"$_f"
  # KEY=VALUE arguments replace the default line of that key, or are added.
  for kv in "$@"; do
    _k=${kv%% =*}
    if grep -q "^$_k = " "$_f"; then
      grep -v "^$_k = " "$_f" >"$_f.new"
      mv "$_f.new" "$_f"
    fi
    echo "$kv" >>"$_f"
  done
}

tsql() { sqlite3 "$W/data/tern.db" "$1"; }
mirror() { "$LAB_PY" "$TERN_SRCDIR/tests/integration/imap_mirror.py" -s "$2" ${3:-} "$W/data/tern.db" "$1"; }
# the local id of the message with this Message-ID
msgid_id() { tsql "SELECT id FROM message WHERE message_id = '$1' LIMIT 1"; }
