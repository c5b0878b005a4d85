#!/bin/bash
# tests/bench/run.sh [--quick] [--tls] [--no-jmap] [--tern PATH] [--out FILE]
#
# tern beside mbsync, neomutt and the raw protocol floor (issue 9), on one
# generated mailbox, in one run; writes doc/PERFORMANCE.md.
#   (default)   10k and 100k messages on a private Dovecot, 100k on Cyrus for
#               JMAP, 5 runs per case (fewer where a 25 s budget per case runs
#               out; at least 1), then a perf profile of the widest tern/floor
#               gap: about 9 min on 2 cores (532-559 s measured), most of it
#               loading the servers and the 100k initial syncs
#   --quick     10k only, 2 runs per case, no profile: about 2 min (CI runs it
#               after the tests so the benchmark code cannot rot; no time is
#               asserted)
#   --tls       every client and the floor over STARTTLS (default: plaintext
#               IMAP on 127.0.0.1 for all of them)
#   --no-jmap   skip Cyrus/JMAP
#   --tern PATH the tern binary (default: $TERN, else ./tern at the top of the
#               tree, else an -O2 build made in /tmp/tern-bench-build)
#   --out FILE  where the Markdown goes (default doc/PERFORMANCE.md; --quick
#               writes to the lab and prints it, unless --out is given)
# Exit status: 0 unless the benchmark itself broke or a tool crashed (signal,
# sanitizer report): slowness never fails it, and a tern part that does not
# work is reported as n/a with the reason.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/../.." && pwd)
SERVERS=$TOP/tests/servers
PY=/usr/bin/python3
cmdline="tests/bench/run.sh${*:+ $*}"

quick=0 tls=none jmap=1 out="" tern=${TERN:-}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --tls) tls=starttls ;;
    --no-jmap) jmap=0 ;;
    --tern) tern=$2; shift ;;
    --out) out=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

t_start=$(date +%s)
say() { echo "bench: $*" >&2; }

for tool in tmux neomutt mbsync cc pkg-config /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { say "missing $tool: run tests/servers/install-packages.sh"; exit 1; }
done

# The lab: short (UNIX socket paths), reachable by the mail users, removed at the end.
LAB=$(mktemp -d /tmp/tb.XXXXXX) || exit 1
chmod 755 "$LAB"
export TERN_LAB=$LAB
WORK=$LAB/bench
mkdir -p "$WORK"

cleanup() {
  rc=$?
  trap - EXIT INT TERM
  "$SERVERS/stop.sh" >"$WORK/stop.log" 2>&1 || { say "stop.sh failed:"; cat "$WORK/stop.log" >&2; }
  if [ "${KEEP_LAB:-}" = 1 ]; then say "lab kept: $LAB"; else rm -rf "$LAB"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tern: which binary
if [ -z "$tern" ]; then
  if [ -x "$TOP/tern" ]; then
    tern=$TOP/tern
  elif [ -x "$TOP/configure" ] && [ ! -e "$TOP/config.status" ] && [ "$quick" = 0 ]; then
    b=/tmp/tern-bench-build
    say "building tern -O2 in $b"
    mkdir -p "$b"
    if ! (cd "$b" && { [ -e Makefile ] || "$TOP/configure" -q CFLAGS=-O2; } && make -j2 >build.log 2>&1); then
      say "tern build failed (see $b/build.log): tern cases will be n/a"
    fi
    [ -x "$b/tern" ] && tern=$b/tern
  fi
fi
tern_note="" search_build=""
if [ -n "$tern" ] && [ -x "$tern" ]; then
  if nm "$tern" 2>/dev/null | grep -q __asan_init; then
    tern_note="The tern binary was built with sanitizers (ASan/UBSan): its times are not representative."
  elif [ -e "$(dirname "$tern")/Makefile" ] && [ -e "$(dirname "$tern")/libtern.la" ]; then
    # search_bench.sh links the optimised libtern of the same build.
    search_build=$(cd "$(dirname "$tern")" && pwd)
  fi
  say "tern: $tern"
else
  say "tern: no binary; tern cases will be n/a"
  tern=""
fi

# ---- the floor client
if ! cc -O2 -Wall -o "$WORK/floor" "$BENCH/floor.c" $(pkg-config --cflags --libs gnutls) 2>"$WORK/cc.log"; then
  cat "$WORK/cc.log" >&2
  exit 1
fi

# ---- servers and data
if [ "$quick" = 1 ]; then
  sizes="10000" runs=2 budget=8
else
  sizes="10000 100000" runs=5 budget=25
fi
users=(alice bob)
declare -A pass   # per-lab passwords, from the env file (after start.sh)
servers=dovecot
[ "$jmap" = 1 ] && servers="dovecot cyrus"
say "starting $servers"
# shellcheck disable=SC2086
if ! "$SERVERS/start.sh" $servers >"$WORK/start.log" 2>&1; then
  say "start.sh failed:"; cat "$WORK/start.log" >&2; exit 1
fi
set -a; . "$LAB/env" || exit 1; set +a
pass[$USER1]=$PASS1 pass[$USER2]=$PASS2 pass[$USER3]=$PASS3

# All loads at once (2 cores: the generator is python, the servers index): each
# load.sh in the background with its own log, then wait for each by PID.
i=0 accounts="" pids=""
t0=$(date +%s)
for n in $sizes; do
  u=${users[$i]}
  "$SERVERS/load.sh" dovecot "$u" "$n" >"$WORK/load-dovecot-$u.log" 2>&1 &
  pids="$pids $!:dovecot-$u"
  accounts="$accounts${accounts:+,}{\"size\": $n, \"user\": \"$u\", \"password\": \"${pass[$u]}\"}"
  i=$((i + 1))
done
jmaps=""
jmap_skip="--no-jmap given"
if [ "$jmap" = 1 ]; then
  n=${sizes##* } u=${users[0]}
  "$SERVERS/load.sh" cyrus "$u" "$n" >"$WORK/load-cyrus-$u.log" 2>&1 &
  pids="$pids $!:cyrus-$u"
  jmaps="{\"size\": $n, \"user\": \"$u\", \"password\": \"${pass[$u]}\", \"url\": \"$CYRUS_JMAP_URL\"}"
fi
say "loading (sizes $sizes into dovecot${jmaps:+, ${sizes##* } into cyrus})"
for p in $pids; do
  if ! wait "${p%%:*}"; then
    say "load.sh ${p#*:} failed:"; tail -5 "$WORK/load-${p#*:}.log" >&2
    case $p in
      *:cyrus-*) jmaps="" jmap_skip="loading Cyrus failed: $(tail -n 1 "$WORK/load-${p#*:}.log")" ;;
      *) exit 1 ;;
    esac
  fi
done
say "loaded in $(( $(date +%s) - t0 )) s"

if [ -z "$out" ]; then
  if [ "$quick" = 1 ]; then out=$WORK/PERFORMANCE.md; else out=$TOP/doc/PERFORMANCE.md; fi
fi
setup=$(( $(date +%s) - t_start ))
notes=$tern_note
export B_TLS=$tls B_LAB=$LAB B_WORK=$WORK B_TERN=$tern B_TOP=$TOP B_RUNS=$runs B_BUDGET=$budget \
  B_QUICK=$quick B_CMD=$cmdline B_OUT=$out B_SETUP=$setup B_ACCOUNTS="[$accounts]" B_JMAPS="[$jmaps]" \
  B_JMAP_SKIP=$jmap_skip B_NOTES=$notes B_SEARCH_BUILD=$search_build
$PY - "$WORK/config.json" <<'EOF' || exit 1
import json, os, sys
e = os.environ
cfg = {
  "server": {"imap_host": "127.0.0.1", "imap_port": int(e["DOVECOT_IMAP_PORT"]), "tls": e["B_TLS"],
             "ca_file": e["B_LAB"] + "/ssl/ca.pem", "tls_name": "localhost", "smtp_port": e.get("SMTP_PORT", "25")},
  "work": e["B_WORK"], "floor": e["B_WORK"] + "/floor", "tern": e["B_TERN"], "srcdir": e["B_TOP"],
  "runs": int(e["B_RUNS"]), "budget": float(e["B_BUDGET"]), "quick": e["B_QUICK"] == "1",
  "tui_small": e["B_QUICK"] == "1", "search_query": "meeting", "command": e["B_CMD"], "output": e["B_OUT"],
  "setup_seconds": int(e["B_SETUP"]), "accounts": json.loads(e["B_ACCOUNTS"]), "jmap": json.loads(e["B_JMAPS"]),
  "jmap_skip": e["B_JMAP_SKIP"], "notes": e["B_NOTES"], "search_build": e["B_SEARCH_BUILD"],
}
json.dump(cfg, open(sys.argv[1], "w"), indent=1)
EOF
$PY "$BENCH/bench.py" "$WORK/config.json"
case $? in
  0) ;;
  3) say "a tool crashed (see above): failing"; exit 1 ;;
  *) say "bench.py failed"; exit 1 ;;
esac
[ "$quick" = 1 ] && [ "$out" = "$WORK/PERFORMANCE.md" ] && cat "$out"
say "done in $(( $(date +%s) - t_start )) s: $out"
exit 0
