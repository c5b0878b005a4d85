#!/bin/sh
# campaign.sh [--seed N] [--rounds N] [--minutes N] [--doc]: random local and remote changes with
# `tern sync --once` killed by SIGKILL at random moments, then a clean sync and the checks of
# crashpoints.sh plus "the database equals the server" (tests/reliability/campaign.py).
# Without --seed: a fixed seed, then a random one (printed), 8 rounds each (the short form that
# make check runs). --doc writes the figures into doc/RELIABILITY.md (the long form:
#   tests/reliability/campaign.sh --seed 42 --minutes 10 --doc).
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
seeds="" rounds=8 minutes=0 doc=""
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seeds="$seeds $2"; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --doc) doc="--doc $TERN_SRCDIR/doc/RELIABILITY.md"; shift ;;
    *) echo "usage: campaign.sh [--seed N] [--rounds N] [--minutes N] [--doc]" >&2; exit 2 ;;
  esac
done
[ -n "$seeds" ] || seeds="1 $(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
export EMAIL1 EMAIL2
C=$W/c.conf
imap_conf "$C" a dovecot
lab_load dovecot "$USER1" 60 --seed 3 --no-big --folders INBOX:3,Archive:1,Sent:1 >/dev/null
for s in $seeds; do
  echo "seed $s (tests/reliability/campaign.sh --seed $s repeats it)"
  rm -rf "$W/data"
  "$LAB_PY" "$TERN_SRCDIR/tests/reliability/campaign.py" --seed "$s" --rounds "$rounds" --minutes "$minutes" \
    --tern "$T" --conf "$C" --db "$W/data/tern.db" --spool "$SMTP_SPOOL" $doc >"$W/campaign.out" 2>&1
  rc=$?
  sed 's/^/  /' "$W/campaign.out"
  check "seed $s: no duplicate, no loss, the database equals the server after the SIGKILLs" test "$rc" = 0
done
check_done
