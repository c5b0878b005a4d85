#!/bin/sh
# The search benchmark (not a test). Targets (issue 8): first screen
# <= 50 ms on 100k indexed messages; indexing <= 20% of sync time.
#
# usage: tests/bench/search_bench.sh [N]
#   Builds an optimised, sanitizer-free libtern, then tests/bench/search_bench.c,
#   which stores N messages (100000 by default) with and without the index
#   and times the first screen of a few queries.
# usage: tests/bench/search_bench.sh sync [N]
#   A real first sync (tern sync --once, IMAP, Dovecot on 127.0.0.1, needs
#   root like the integration tests) of N generated messages (10000 by
#   default), twice: once into a database with the index triggers dropped,
#   once as shipped. Prints both times and the overhead.
#   TERN=PATH  the tern binary to time (default: an optimised build)
#   BENCH_BUILD=DIR  reuse/keep the optimised build there (default: a temp dir)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
mode=queries
if [ "${1:-}" = sync ]; then mode=sync; shift; fi
work=$(mktemp -d /tmp/tern-search-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
build=${BENCH_BUILD:-$work/build}
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
  # configure refuses a second build directory for a source tree that is
  # configured in place (the README's commands do that): then build from a
  # clean copy of the sources (make distdir).
  conf_src=$src
  if [ -f "$src/config.status" ]; then
    make -C "$src" -s distdir distdir="$build/src" >/dev/null
    conf_src=$build/src
  fi
  (cd "$build" && CFLAGS="-O2 -g" "$conf_src/configure" -q)
fi

if [ "$mode" = sync ]; then
  n=${1:-10000}
  if [ -z "${TERN:-}" ]; then
    make -C "$build" -s -j2 tern >/dev/null
    TERN=$build/tern
  fi
  set +e
  TERN_SRCDIR=$src
  . "$src/tests/lib.sh"
  lab_start dovecot
  . "$src/tests/integration/imap_lib.sh"
  trap 'r=$?; rm -rf "$W" "$work"; (exit $r); _lab_cleanup' EXIT
  lab_load dovecot "$USER1" "$n" --seed 3 --no-big >/dev/null
  echo "# tern search sync benchmark: $n messages, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
  for run in 1 2; do
    for kind in plain indexed; do
      rm -rf "$W/data"
      # A first run against a closed port creates the database and the
      # account, then the triggers go (plain) before the real sync.
      imap_conf "$W/c.conf" acct dovecot "imap_port = 1" "timeout = 2"
      "$TERN" -c "$W/c.conf" sync --once >/dev/null 2>&1
      if [ "$kind" = plain ]; then
        tsql "DROP TRIGGER search_message_insert; DROP TRIGGER search_message_update;
              DROP TRIGGER search_message_delete; DROP TRIGGER search_body_delete;"
      fi
      imap_conf "$W/c.conf" acct dovecot
      t0=$(date +%s%N)
      "$TERN" -c "$W/c.conf" sync --once >/dev/null || { echo "sync failed"; exit 1; }
      t1=$(date +%s%N)
      eval "ms_$kind=$(((t1 - t0) / 1000000))"
      test "$(tsql 'SELECT count(*) FROM message')" = "$n" || { echo "sync incomplete"; exit 1; }
    done
    # shellcheck disable=SC2154
    echo "run $run: sync_plain $ms_plain ms  sync_indexed $ms_indexed ms  overhead $(( (ms_indexed - ms_plain) * 100 / ms_plain )) %"
  done
  exit 0
fi

n=${1:-100000}
make -C "$build" -s -j2 libtern.la >/dev/null
libs="$(pkg-config --libs sqlite3 libetpan gnutls libcurl libcjson ncursesw | sed -e 's/-specs=[^ ]*//g')"
cc -O2 -std=gnu11 -I"$build" -I"$src" -o "$work/search_bench" \
  "$src/tests/bench/search_bench.c" "$build/.libs/libtern.a" $libs -lpthread -lm
echo "# tern search benchmark: $n messages, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
"$work/search_bench" "$work" "$n"
ls -l "$work"/*.db | awk '{ printf "db_size %s %.1f MB\n", $NF, $5 / 1048576 }'
