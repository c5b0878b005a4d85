#!/bin/sh
# campaign.sh [--seed N] [--rounds N] [--minutes N] [--plain] [--doc]: random local and remote
# changes with `tern sync --once` killed by SIGKILL at random moments, then a clean sync and the
# checks of crashpoints.sh plus "the database equals the server" (tests/reliability/campaign.py).
# --plain: Dovecot without QRESYNC, CONDSTORE, MOVE and UIDPLUS (moves by COPY + EXPUNGE).
# Without --seed, the short form make check runs: seed 1, then a random seed (printed with the
# command that repeats it) with --plain, 8 rounds each. --doc writes the figures
# into doc/RELIABILITY.md (the long form: campaign.sh --seed 42 --minutes 10 --doc).
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
runs="" rounds=8 minutes=0 doc="" mode=full
while [ $# -gt 0 ]; do
  case $1 in
    --seed) runs="$runs $2"; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --plain) mode=plain; shift ;;
    --doc) doc="--doc $TERN_SRCDIR/doc/RELIABILITY.md"; shift ;;
    *) echo "usage: campaign.sh [--seed N] [--rounds N] [--minutes N] [--plain] [--doc]" >&2; exit 2 ;;
  esac
done
if [ -n "$runs" ]; then
  runs=$(for s in $runs; do printf '%s:%s ' "$s" "$mode"; done)
else
  runs="1:full $(od -An -N2 -tu2 /dev/urandom | tr -d ' '):plain"
fi
lab_start dovecot smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
export EMAIL1 EMAIL2
C=$W/c.conf
imap_conf "$C" a dovecot
lab_load dovecot "$USER1" 60 --seed 3 --no-big --folders INBOX:3,Archive:1,Sent:1 >/dev/null
full=$(imapctl caps)
caps=$mode
for run in $runs; do
  s=${run%%:*} m=${run#*:}
  if [ "$m" != "$caps" ]; then
    lab_stop dovecot >/dev/null
    if [ "$m" = plain ]; then
      DOVECOT_EXTRA_CONF="imap_capability = $(echo "$full" | tr ' ' '\n' |
        grep -v -x -E 'QRESYNC|CONDSTORE|MOVE|UIDPLUS|NOTIFY' | tr '\n' ' ')" lab_startone dovecot
    else
      lab_startone dovecot
    fi
    caps=$m
  fi
  [ "$m" = plain ] && p=" --plain" || p=""
  echo "seed $s, $m (tests/reliability/campaign.sh --seed $s$p repeats it)"
  rm -rf "$W/data"
  # shellcheck disable=SC2086
  "$LAB_PY" "$TERN_SRCDIR/tests/reliability/campaign.py" --seed "$s" --mode "$m" --rounds "$rounds" \
    --minutes "$minutes" --tern "$T" --conf "$C" --db "$W/data/tern.db" --spool "$SMTP_SPOOL" $doc \
    >"$W/campaign.out" 2>&1
  rc=$?
  sed 's/^/  /' "$W/campaign.out"
  check "seed $s, $m: no duplicate, no loss, the database equals the server after the SIGKILLs" test "$rc" = 0
done
check_done
