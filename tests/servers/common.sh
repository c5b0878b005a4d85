# Sourced by start.sh, stop.sh and the per-server files: lab layout, port table, PID records.
# Needs SRV (this directory) and LAB (the lab directory) set by the caller.

PY=/usr/bin/python3   # Debian's python: aiosmtpd exists only there, not in pyenv's python3

# The lab is reached by the users mail, dovenull, dovecot and cyrus: it must not sit under /root
# (0700), and Dovecot's/Cyrus's UNIX socket paths below it must stay under 107 bytes.
lab_check_path() {
  case $LAB in
    /root|/root/*) echo "lab: $LAB is under /root, which the mail users cannot reach" >&2; return 1 ;;
  esac
  if [ "${#LAB}" -gt 48 ]; then
    echo "lab: $LAB is too long (UNIX socket paths below it would pass 107 bytes)" >&2
    return 1
  fi
  # The mail and cyrus users must pass through every parent (mktemp -d makes 0700 dirs).
  _d=$LAB
  while [ "$_d" != / ]; do
    _d=$(dirname "$_d")
    if [ -z "$(find "$_d" -maxdepth 0 -perm -o+x)" ]; then
      echo "lab: $_d is closed to other users (chmod o+x it), so the mail and cyrus users cannot reach $LAB" >&2
      return 1
    fi
  done
}

# Every port of every server is picked once, when the lab is made, so that stopping and
# starting one server keeps its ports and the env file never changes under a test.
# netutil.py reserves them machine-wide for this lab until stop.sh --clean, so a lab started
# meanwhile (make -j2 check) never draws a port of a server that is down for a restart.
LAB_PORT_NAMES="DOVECOT_IMAP_PORT DOVECOT_IMAPS_PORT DOVECOT_NOSTARTTLS_PORT DOVECOT_SUBMISSION_PORT
  CYRUS_IMAP_PORT CYRUS_IMAPS_PORT CYRUS_HTTP_PORT CYRUS_HTTPS_PORT PUSH_PORT SMTP_PORT SMTPS_PORT
  SMTP_RELAY_PORT SMTP_NOSTARTTLS_PORT"

lab_ports() {
  if [ ! -s "$LAB/ports" ]; then
    # shellcheck disable=SC2086
    $PY "$SRV/netutil.py" ports "$LAB" $LAB_PORT_NAMES >"$LAB/ports.tmp" || return 1
    mv "$LAB/ports.tmp" "$LAB/ports"
  fi
  . "$LAB/ports"
}

# Passwords are per lab (USERpw-SECRET, SECRET drawn when the lab is made): a test that
# reached another lab's server by mistake fails to log in instead of passing on its mail.
lab_secret() {
  if [ ! -s "$LAB/secret" ]; then
    od -An -N4 -tx4 /dev/urandom | tr -d ' \n' >"$LAB/secret.tmp" && mv "$LAB/secret.tmp" "$LAB/secret" || return 1
  fi
  LAB_SECRET=$(cat "$LAB/secret")
}
lab_pass() { echo "$1pw-$LAB_SECRET"; } # USER

# Wait until each PORT[:GREETING] answers; TIMEOUT in seconds.
lab_wait() { $PY "$SRV/netutil.py" wait "$@"; }

# PID records: $LAB/pids/NAME.pid holds "PID STARTTIME" (field 22 of /proc/PID/stat) of the
# process we started. A PID whose start time differs was reused by someone else and is never
# signalled. (Not the command name: Dovecot re-execs itself through doveconf while starting.)
# A zombie counts as gone: it holds no port or file, and on this kind of machine PID 1 reaps
# orphans only every second or two.
pid_stat() { # PID FIELD: a field of /proc/PID/stat, counted after the "(comm)" field (state = 1)
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f"$2"
}

pid_alive() { # PID
  st=$(pid_stat "$1" 1)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pid_record() { # NAME PID
  mkdir -p "$LAB/pids"
  t=$(pid_stat "$2" 20)
  [ -n "$t" ] || return 1
  echo "$2 $t" >"$LAB/pids/$1.pid"
}

pid_of() { # NAME: prints the recorded PID if that process is still the one we started
  [ -s "$LAB/pids/$1.pid" ] || return 1
  read -r p t <"$LAB/pids/$1.pid" || return 1
  [ "$(pid_stat "$p" 20)" = "$t" ] && pid_alive "$p" || return 1
  echo "$p"
}

is_running() { pid_of "$1" >/dev/null; }

# Stop what NAME recorded: TERM, a grace period, then KILL. Every daemon is started by us
# with setsid, so its PID is also its process group: signalling -PID reaches exactly the
# daemon and the children it forked, nothing else on the machine.
# GRACE in tenths of a second.
pid_stop() { # NAME GRACE
  p=$(pid_of "$1") || { rm -f "$LAB/pids/$1.pid"; return 0; }
  if [ "$(pid_stat "$p" 3)" = "$p" ]; then target=-$p; else target=$p; fi
  kill -TERM "$target" 2>/dev/null
  i=0
  while pid_alive "$p"; do
    if [ "$i" -ge "$2" ]; then
      kill -KILL "$target" 2>/dev/null
    fi
    if [ "$i" -ge $(($2 + 50)) ]; then
      echo "stop: $1 (pid $p) did not exit" >&2
      return 1
    fi
    i=$((i + 1))
    sleep 0.1
  done
  # The group may outlive its leader by a moment (children being reaped).
  [ "$target" = "-$p" ] && kill -KILL "$target" 2>/dev/null
  rm -f "$LAB/pids/$1.pid"
  return 0
}

# Start CMD... as its own session and process group with stdio on LOGFILE; record the PID as NAME
# once the process shows COMM (its /proc comm, 15 chars max).
# The daemon must not inherit our stdout: a caller piping our output (CI, `| tee`) would hang.
spawn() { # NAME COMM LOGFILE CMD...
  name=$1 comm=$2 logf=$3; shift 3
  setsid "$@" </dev/null >>"$logf" 2>&1 &
  pid=$!
  # A background child of a script is never a process group leader, so setsid execs in place
  # and $! is the daemon itself; wait for that exec, to fail early if the daemon dies at once.
  i=0
  while [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; do
    pid_alive "$pid" || { echo "start: $name exited at once, see $logf" >&2; return 1; }
    [ "$i" -lt 300 ] || { echo "start: $name did not exec $comm" >&2; return 1; }
    sleep 0.01; i=$((i + 1))
  done
  pid_record "$name" "$pid"
}
