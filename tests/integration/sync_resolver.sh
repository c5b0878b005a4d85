#!/bin/sh
# A resolver that never answers (a DNS server that drops queries, as on a bad
# network) holds neither quitting nor the account's timeout: SIGTERM ends
# tern sync within 1 s while the worker waits for the name of its server, and
# sync --once gives up after the account's timeout with a reason.
# The test runs tern in a private mount namespace whose /etc/resolv.conf names
# a local UDP socket that reads queries and answers none.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
T=${TERN:-tern}
W=$(mktemp -d /tmp/tr.XXXXXX)
dns= pid=
cleanup() {
  rc=$?
  for p in $pid $dns; do kill "$p" 2>/dev/null; done
  rm -rf "$W"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
skip_if_missing unshare mount "$LAB_PY"
unshare -m true 2>/dev/null || { echo "SKIP: no mount namespace here (unshare -m needs root)"; exit 77; }

# A name of this run only, on a 127/8 address of this run only (any is
# local): queries of another tern cannot be taken for ours.
HOST=imap.r$$.far.test
"$LAB_PY" - "$HOST" "$W/queried" "$W/addr" <<'PY' &
import random, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    addr = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(1, 254), random.randint(2, 254))
    try:
        s.bind((addr, 53))
        break
    except OSError:
        pass
with open(sys.argv[3] + ".new", "w") as f:
    f.write(addr)
import os
os.rename(sys.argv[3] + ".new", sys.argv[3])
label = sys.argv[1].split(".")[1].encode()
while True:
    data, _ = s.recvfrom(512)
    if label in data:
        open(sys.argv[2], "w").close()
PY
dns=$!
wait_for "the silent resolver listens" 10 test -e "$W/addr" || exit 99
printf 'nameserver %s\noptions timeout:30 attempts:1\n' "$(cat "$W/addr")" >"$W/resolv.conf"

cat >"$W/c.conf" <<CONF
data_dir = $W/data
[account far]
protocol = imap
email = me@far.test
password = secret
imap_host = $HOST
imap_tls = implicit
timeout = 3
poll_interval = 30
CONF
chmod 600 "$W/c.conf"
# With the silent resolver (unshare and sh exec: $! is tern's PID).
NS='mount --bind "$0" /etc/resolv.conf && exec "$@"'

unshare -m sh -c "$NS" "$W/resolv.conf" "$T" -c "$W/c.conf" sync >"$W/out" 2>&1 &
pid=$!
check "the worker asks the resolver for its server's name" wait_for "query" 10 test -e "$W/queried"
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGTERM while the resolver does not answer: clean exit ($rc) in ${ms} ms < 1000" test "$rc" = 0 -a "$ms" -lt 1000

t0=$(date +%s%N)
unshare -m sh -c "$NS" "$W/resolv.conf" "$T" -c "$W/c.conf" sync --once >"$W/once" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "sync --once gives up after the account's timeout (3 s; took ${ms} ms)" test "$rc" != 0 -a "$ms" -lt 6000 -a "$ms" -ge 2500
check "... and says the name could not be resolved" grep -q "cannot resolve $HOST" "$W/once"
check_done
