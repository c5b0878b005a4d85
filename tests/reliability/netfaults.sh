#!/bin/sh
# Network faults (issue 16), through faultproxy.py in front of the real servers, for each
# protocol tern speaks: IMAP with STARTTLS and IMAPS (Dovecot), JMAP over HTTPS (Cyrus),
# SMTP with STARTTLS (the sink). Each fault: a refused connection, a reset or a clean close in
# the handshake or in the middle of an answer, a server that stalls, one that drips its bytes.
# After each: tern neither hangs (the account's timeout ends a stall) nor crashes, the
# database passes PRAGMA integrity_check, and once the network is back one sync brings it
# level with the server; a send reaches the sink exactly once, and one whose answer to DATA
# was lost is never sent again by itself.
#   netfaults.sh [--rounds N] [--seed S]   N more faults per protocol, drawn at random (mode
#                                          and byte offset) from seed S: the long form
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing sqlite3
ROUNDS=0 SEED=1
while [ $# -gt 0 ]; do
  case $1 in
  --rounds) ROUNDS=$2; shift 2 ;;
  --seed) SEED=$2; shift 2 ;;
  *) echo "usage: $0 [--rounds N] [--seed S]" >&2; exit 2 ;;
  esac
done
lab_start dovecot cyrus smtp
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
eval "$("$LAB_PY" "$LAB_SRV/netutil.py" ports "$TERN_LAB" P_IMAP P_IMAPS P_JMAP P_SMTP)"
PIDS=
trap 'r=$?; for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$W"; (exit $r); _lab_cleanup' EXIT
for x in "IMAP $P_IMAP $DOVECOT_IMAP_PORT" "IMAPS $P_IMAPS $DOVECOT_IMAPS_PORT" \
         "JMAP $P_JMAP $CYRUS_HTTPS_PORT" "SMTP $P_SMTP $SMTP_PORT"; do
  set -- $x
  mkdir -p "$W/$1"
  "$LAB_PY" "$TERN_SRCDIR/tests/reliability/faultproxy.py" "$2" "$3" "$W/$1" >"$W/$1/out" 2>&1 &
  PIDS="$PIDS $!"
  wait_for "$1 proxy" 5 grep -q ready "$W/$1/out"
done
lab_load dovecot "$USER1" 12 --seed 3 --no-big >/dev/null
lab_load cyrus "$USER1" 12 --seed 3 --no-big >/dev/null
imap_conf "$W/IMAP.conf" a dovecot "imap_port = $P_IMAP" "timeout = 4" "smtp_port = $P_SMTP"
imap_conf "$W/IMAPS.conf" a dovecot "imap_port = $P_IMAPS" "imap_tls = implicit" "timeout = 4"
sed -i "s|^data_dir = .*|data_dir = $W/data-imaps|" "$W/IMAPS.conf"
{ echo "data_dir = $W/data-jmap"
  echo "[account j]"
  echo "protocol = jmap"
  echo "email = $EMAIL1"
  echo "username = $USER1"
  echo "password = $PASS1"
  echo "jmap_url = https://localhost:$P_JMAP"
  echo "ca_file = $CA_FILE"
  echo "timeout = 4"
} >"$W/JMAP.conf"
chmod 600 "$W/JMAP.conf"
db_of() { sed -n 's/^data_dir = //p' "$W/$1.conf"; }
fault() { echo "$2" >"$W/$1/mode"; }
run() { # PROTO: one sync --once; prints its exit status
  timeout 120 "$T" -c "$W/$1.conf" sync --once >"$W/$1/last" 2>&1
  echo $?
}
level() { # PROTO: the messages stored locally are the server's, in number
  d=$(db_of "$1")/tern.db
  case $1 in
  JMAP) srv=$(jmapctl count); loc=$(sqlite3 "$d" "SELECT count(DISTINCT message_id) FROM message_mailbox WHERE hidden = 0") ;;
  *) srv=$(imapctl -s dovecot list | cut -f2 | while read -r f; do imapctl -s dovecot count "$f" 2>/dev/null || echo 0; done |
       awk '{ s += $1 } END { print s + 0 }')
     loc=$(sqlite3 "$d" "SELECT count(*) FROM message_mailbox WHERE hidden = 0") ;;
  esac
  [ "$loc" = "$srv" ] || { echo "local $loc, server $srv"; return 1; }
}
intact() { test "$(sqlite3 "$(db_of "$1")/tern.db" 'PRAGMA integrity_check')" = ok; }
faults=0
one() { # PROTO MODE: the fault, then the network back
  fault "$1" "$2"
  s0=$(date +%s)
  rc=$(run "$1")
  el=$(( $(date +%s) - s0 ))
  faults=$((faults + 1))
  case $2 in
  drip:*|pass) check "$1 $2: the sync completes (exit $rc, $el s)" test "$rc" = 0 ;;
  *) check "$1 $2: the sync fails, no hang, no crash (exit $rc, $el s)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ] && [ $el -lt 60 ]" ;;
  esac
  check "... the database is intact" intact "$1"
  fault "$1" pass
  check "... and with the network back one sync brings it level" sh -c "[ \$(timeout 120 '$T' -c '$W/$1.conf' sync --once >/dev/null 2>&1; echo \$?) = 0 ]"
  check "... with the server" level "$1"
}
for p in IMAP IMAPS JMAP; do
  for m in refuse reset:40 reset:2500 close:2500 stall:2500 drip:1; do
    one "$p" "$m"
  done
done

# SMTP: a send through each fault arrives once, after the network is back.
sent=0
send() { # TAG: queues a 200 kB message
  { printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@nf>\n\n' "$EMAIL1" "$EMAIL2" "$1" "$1"
    i=0; while [ $i -lt 2500 ]; do echo "line $i of a long enough message to fill a few TLS records"; i=$((i + 1)); done
  } | "$T" -c "$W/IMAP.conf" send --no-sync a >/dev/null
}
for m in refuse reset:40 reset:300 stall:300; do
  send "smtp-$m"
  fault SMTP "$m"
  rc=$(run IMAP)
  faults=$((faults + 1))
  check "SMTP $m: the cycle fails, no hang (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
  check "... nothing reached the sink" test "$(spool_count)" = "$sent"
  fault SMTP pass
  # The retry would come after the error table's backoff; the test does not wait for it.
  sqlite3 "$W/data/tern.db" "UPDATE pending_change SET next_attempt_at = 0 WHERE resource_type = 'Outbox'"
  run IMAP >/dev/null
  sent=$((sent + 1))
  check "... with the network back, it arrives exactly once" wait_for "sink" 10 test "$(spool_count)" = "$sent" ||
    { cat "$W/IMAP/last"; sqlite3 "$W/data/tern.db" "SELECT id, status, attempts, next_attempt_at, last_error FROM pending_change"; sqlite3 "$W/data/tern.db" "SELECT id, stage FROM outbox"; }
done
# The answer to DATA lost: the sink has it, tern cannot know; it must not send it again.
send smtp-cut-reply
echo "cut-reply:150000" >"$W/SMTP/mode"
rc=$(run IMAP)
faults=$((faults + 1))
sent=$((sent + 1))
check "SMTP answer to DATA lost: the cycle fails (exit $rc)" sh -c "[ $rc != 0 ] && [ $rc -lt 124 ]"
check "... the sink has it, once" wait_for "sink" 10 test "$(spool_count)" = "$sent"
fault SMTP pass
sqlite3 "$W/data/tern.db" "UPDATE pending_change SET next_attempt_at = 0 WHERE resource_type = 'Outbox'"
run IMAP >/dev/null
sqlite3 "$W/data/tern.db" "UPDATE pending_change SET next_attempt_at = 0 WHERE resource_type = 'Outbox'"
run IMAP >/dev/null
check "... and two more cycles do not send it again" test "$(spool_count)" = "$sent"
check "... the queue says the outcome is unknown, for the user to decide" sh -c "'$T' -c '$W/IMAP.conf' queue a | grep -qi 'unknown\|may have'"

# The long form: random faults, each followed by a sync that must bring things level.
if [ "$ROUNDS" -gt 0 ]; then
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    for p in IMAP IMAPS JMAP; do
      m=$("$LAB_PY" -c "import random; r = random.Random($SEED * 100003 + $r * 7 + len('$p'));
k = r.choice(['refuse', 'reset', 'close', 'stall', 'reset', 'close']); print(k if k == 'refuse' else '%s:%d' % (k, r.randint(1, 20000)))")
      one "$p" "$m"
    done
    r=$((r + 1))
  done
fi
echo "# network faults injected: $faults (seed $SEED, $ROUNDS random rounds per protocol)"
check_done
