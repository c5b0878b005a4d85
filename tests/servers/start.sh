#!/bin/sh
# start.sh [dovecot] [cyrus] [smtp] [push]   (no argument: all four)
#
# Starts private mail servers on 127.0.0.1 in the lab directory $TERN_LAB (made if missing;
# unset: a new $TERN_LAB_TMP/tl.XXXXXX, TERN_LAB_TMP defaulting to /tmp), then writes
# $TERN_LAB/env (sh: `. "$TERN_LAB/env"`). TERN_LAB_TMP=/dev/shm (tmpfs) makes loading mail
# 2-4x faster on a slow disk; the lab must not be on a noexec mount (Cyrus's imapd runs from it).
# Prints the lab directory on stdout, progress on stderr.
# Ports are picked once per lab (free, below the ephemeral range) and kept: stopping and
# starting one server again (stop.sh dovecot; start.sh dovecot) gives the same ports and data.
# A server already running in this lab is left alone, so a second run is a no-op.
# "push" needs Cyrus (it polls it) and starts it too.
# Root only: Dovecot and Cyrus start as root and drop to the users mail and cyrus.
set -u
SRV=$(cd "$(dirname "$0")" && pwd)
. "$SRV/common.sh"
. "$SRV/dovecot.sh"
. "$SRV/cyrus.sh"

if [ "$(id -u)" != 0 ]; then
  echo "start.sh: must run as root" >&2
  exit 1
fi
LAB_USERS="alice bob carol"

want=" ${*:-dovecot cyrus smtp push} "
for w in $want; do
  case $w in dovecot|cyrus|smtp|push) ;; *) echo "start.sh: unknown server '$w'" >&2; exit 2 ;; esac
done
case $want in *" push "*) case $want in *" cyrus "*) ;; *) want="$want cyrus " ;; esac ;; esac

LAB=${TERN_LAB:-}
[ -n "$LAB" ] || LAB=$(mktemp -d "${TERN_LAB_TMP:-/tmp}/tl.XXXXXX")
mkdir -p "$LAB/log" "$LAB/pids" || exit 1
LAB=$(cd "$LAB" && pwd)
chmod 755 "$LAB"
lab_check_path || exit 1
lab_ports || exit 1
lab_secret || exit 1
sh "$SRV/certs.sh" "$LAB/ssl" || { echo "start.sh: certificates failed" >&2; exit 1; }

smtp_start() {
  mkdir -p "$LAB/smtp/spool"
  if is_running smtp; then echo "smtp: already running (pid $(pid_of smtp))" >&2; return 0; fi
  auth=
  for u in $LAB_USERS; do auth="$auth --auth $u:$(lab_pass "$u")"; done
  # Submission (SMTP_PORT, SMTPS_PORT) requires AUTH, so a client that stops authenticating
  # fails its tests; the relay port takes the servers' unauthenticated relaying; the
  # no-STARTTLS port is for "STARTTLS never falls back to plaintext" tests.
  # shellcheck disable=SC2086
  spawn smtp python3 "$LAB/log/sink.log" "$PY" "$SRV/sink.py" --port "$SMTP_PORT" --smtps-port "$SMTPS_PORT" \
    --relay-port "$SMTP_RELAY_PORT" --nostarttls-port "$SMTP_NOSTARTTLS_PORT" --auth-required \
    --dir "$LAB/smtp/spool" --cert "$LAB/ssl/cert.pem" --key "$LAB/ssl/key.pem" $auth || return 1
  lab_wait 10 "$SMTP_PORT:220" "$SMTPS_PORT:tls" "$SMTP_RELAY_PORT:220" "$SMTP_NOSTARTTLS_PORT:220"
}

push_start() {
  if is_running push; then echo "push: already running (pid $(pid_of push))" >&2; return 0; fi
  spawn push python3 "$LAB/log/push.log" "$PY" "$SRV/push.py" --port "$PUSH_PORT" \
    --cyrus "http://127.0.0.1:$CYRUS_HTTP_PORT" || return 1
  lab_wait 10 "$PUSH_PORT"
}

# In parallel: the servers do not need each other to start (Dovecot and Cyrus connect to the
# sink only when relaying, push.py to Cyrus only when asked), and Cyrus alone takes ~1 s.
jobs=
for s in smtp dovecot cyrus push; do
  case $want in *" $s "*) ;; *) continue ;; esac
  (
    t0=$(date +%s%N)
    "${s}_start" >&2 || { echo "start.sh: $s failed to start (logs: $LAB/log, $LAB/$s/log)" >&2; exit 1; }
    echo "$s: up in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
  ) &
  jobs="$jobs $!"
done
rc=0
for j in $jobs; do wait "$j" || rc=1; done
[ "$rc" = 0 ] || exit 1

# Everything a test needs, whichever servers run: the ports are fixed for the lab's life.
{
  echo "export TERN_LAB=$LAB"
  echo "export CA_FILE=$LAB/ssl/ca.pem"
  echo "export BAD_CA_FILE=$LAB/ssl/other-ca.pem"
  sed 's/^/export /' "$LAB/ports"
  echo "export DOVECOT_CONF=$LAB/dovecot/dovecot.conf"
  echo "export DOVEADM=\"doveadm -c $LAB/dovecot/dovecot.conf\""
  echo "export DOVECOT_MAIL=$LAB/dovecot/mail"
  echo "export CYRUS_CONF=$LAB/cyrus/conf/imapd.conf"
  echo "export CYRUS_JMAP_URL=http://127.0.0.1:$CYRUS_HTTP_PORT/.well-known/jmap"
  echo "export PUSH_JMAP_URL=http://127.0.0.1:$PUSH_PORT/.well-known/jmap"
  echo "export CYRUS_ADMIN=cyrus CYRUS_ADMIN_PASS=$(lab_pass cyrus)"
  echo "export SMTP_SPOOL=$LAB/smtp/spool"
  n=1
  for u in $LAB_USERS; do
    echo "export USER$n=$u PASS$n=$(lab_pass "$u") EMAIL$n=$u@localhost"
    n=$((n + 1))
  done
} >"$LAB/env.tmp" && mv "$LAB/env.tmp" "$LAB/env"
echo "$LAB"
