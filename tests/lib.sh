# tests/lib.sh: sourced by integration tests that need real servers (POSIX sh).
#   . "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
#
# lab_start [dovecot] [cyrus] [smtp] [push]   fresh lab in ${TERN_LAB_TMP:-/tmp}, servers started, env sourced,
#                                   EXIT trap stops them and removes the lab (KEEP_LAB=1 keeps it);
#                                   exits 77 (automake SKIP) when not root or a server is missing
# lab_restart SERVER                stop + start one server: same ports, same data
# lab_stop SERVER                   stop one server (data kept; start it with lab_startone)
# lab_startone SERVER
# lab_load dovecot|cyrus USER COUNT [genmail options]   prints the manifest path
# imapctl ARGS / jmapctl ARGS       tests/servers/imapctl.py / jmapctl.py ("another client")
# wait_for DESC TIMEOUT_S CMD...    poll CMD (every 50 ms) until it succeeds; else say DESC, return 1
# skip_if_missing BIN...            exit 77 with a SKIP line when a program is not installed
# check DESC CMD...                 run CMD: "ok - DESC", or "not ok - DESC" and its output
# check_done                        "N passed, N failed"; exits 0 if none failed, else 1
# spool_count                       number of messages in the SMTP sink's spool

TERN_SRCDIR=${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB_SRV=$TERN_SRCDIR/tests/servers
LAB_PY=/usr/bin/python3
_passed=0
_failed=0

skip_if_missing() {
  for b in "$@"; do
    if ! command -v "$b" >/dev/null 2>&1 && [ ! -x "$b" ]; then
      echo "SKIP: $b is not installed (tests/servers/install-packages.sh installs it)"
      exit 77
    fi
  done
}

_lab_cleanup() {
  rc=$?
  if [ -n "${TERN_LAB:-}" ] && [ -d "$TERN_LAB" ]; then
    if [ "${KEEP_LAB:-0}" = 1 ]; then
      "$LAB_SRV/stop.sh" >/dev/null 2>&1
      echo "lab kept: $TERN_LAB"
    else
      "$LAB_SRV/stop.sh" --clean >/dev/null 2>&1 || echo "warning: lab stop failed in $TERN_LAB" >&2
    fi
  fi
  exit "$rc"
}

lab_start() {
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the lab servers need root (Dovecot and Cyrus drop to the users mail and cyrus)"
    exit 77
  fi
  skip_if_missing "$LAB_PY" dovecot doveadm openssl curl cc setsid saslpasswd2 /usr/lib/cyrus/bin/master
  "$LAB_PY" -c 'import aiosmtpd' 2>/dev/null || { echo "SKIP: python3-aiosmtpd is not installed"; exit 77; }
  TERN_LAB=$(mktemp -d "${TERN_LAB_TMP:-/tmp}/tl.XXXXXX")
  export TERN_LAB
  trap _lab_cleanup EXIT
  trap 'exit 130' INT TERM
  if ! "$LAB_SRV/start.sh" "$@" >/dev/null; then
    echo "lab_start: start.sh $* failed; logs:"
    tail -n 20 "$TERN_LAB"/log/*.log "$TERN_LAB"/*/log/* 2>/dev/null
    exit 99
  fi
  . "$TERN_LAB/env"
}

lab_stop() { "$LAB_SRV/stop.sh" "$@"; }
lab_startone() { "$LAB_SRV/start.sh" "$@" >/dev/null; }
lab_restart() { "$LAB_SRV/stop.sh" "$@" && "$LAB_SRV/start.sh" "$@" >/dev/null; }
lab_load() { "$LAB_SRV/load.sh" "$@"; }
imapctl() { "$LAB_PY" "$LAB_SRV/imapctl.py" "$@"; }
jmapctl() { "$LAB_PY" "$LAB_SRV/jmapctl.py" "$@"; }
spool_count() { find "$SMTP_SPOOL" -maxdepth 1 -name '*.eml' | wc -l; }

wait_for() {
  _desc=$1 _t=$2
  shift 2
  _end=$(($(date +%s%N) / 1000000 + $(echo "$_t" | awk '{printf "%d", $1 * 1000}')))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$(($(date +%s%N) / 1000000))" -ge "$_end" ]; then
      echo "wait_for: $_desc: not within ${_t}s"
      return 1
    fi
    sleep 0.05
  done
}

check() {
  _d=$1
  shift
  _o=${TMPDIR:-/tmp}/tern-check.$$
  if "$@" >"$_o" 2>&1; then
    echo "ok - $_d"
    _passed=$((_passed + 1))
  else
    echo "not ok - $_d"
    sed 's/^/  # /' "$_o"
    _failed=$((_failed + 1))
  fi
  rm -f "$_o"
}

check_done() {
  echo "$_passed passed, $_failed failed"
  [ "$_failed" = 0 ]
  exit $?
}
