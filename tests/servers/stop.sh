#!/bin/sh
# stop.sh [--clean] [dovecot] [cyrus] [smtp] [push]   (no server named: all)
#
# Stops, in the lab $TERN_LAB, exactly the processes start.sh recorded in $TERN_LAB/pids
# (never by name: other Dovecots may run on this machine), each with a deadline.
# Data and ports stay, so start.sh NAME brings a server back as it was.
# Each daemon was started with setsid, so its PID is its process group: stop TERMs the whole
# group (the daemon and exactly the children it forked), and KILLs the group if it is still
# there after a short grace (Dovecot 0.3 s, Cyrus 0.5 s, the Python servers 2 s). Why: Dovecot's
# master alone takes ~2.9 s on TERM (built-in sleeps) and Cyrus's ~1.9 s; a suite that restarts
# servers would spend minutes waiting. Nothing is lost: tests stop a server between commands,
# Dovecot's indexes and Cyrus's databases recover at start. Zombies count as stopped (PID 1 here
# reaps orphans only every second or two).
# --clean (only with all servers): also removes the lab directory.
set -u
SRV=$(cd "$(dirname "$0")" && pwd)
. "$SRV/common.sh"
. "$SRV/dovecot.sh"
. "$SRV/cyrus.sh"

clean=
which=
for a in "$@"; do
  case $a in
    --clean) clean=1 ;;
    dovecot|cyrus|smtp|push) which="$which $a" ;;
    *) echo "stop.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done
LAB=${TERN_LAB:?stop.sh: TERN_LAB is not set}
[ -d "$LAB" ] || exit 0
[ -n "$which" ] || which="push dovecot cyrus smtp"
[ -n "$clean" ] && [ "$which" != "push dovecot cyrus smtp" ] && { echo "stop.sh: --clean stops all" >&2; exit 2; }

rc=0
# In parallel: Dovecot and Cyrus each need a fraction of a second, and they are independent.
for s in $which; do
  case $s in
    dovecot) dovecot_stop ;;
    cyrus) cyrus_stop ;;
    smtp) pid_stop smtp 20 ;;
    push) pid_stop push 20 ;;
  esac &
done
wait
# Check every record is gone: a survivor is a bug worth failing on.
for s in $which; do
  [ "$s" = dovecot ] && is_running nostarttls && { echo "stop.sh: nostarttls still running" >&2; rc=1; }
  if is_running "$s"; then echo "stop.sh: $s (pid $(pid_of "$s")) still running" >&2; rc=1; fi
done
if [ -n "$clean" ] && [ "$rc" = 0 ]; then
  $PY "$SRV/netutil.py" release "$LAB"
  rm -rf "$LAB"
fi
exit "$rc"
