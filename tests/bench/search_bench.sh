#!/bin/sh
# The search benchmark (not a test): builds an optimised, sanitizer-free
# libtern, then tests/bench/search_bench.c, which stores N messages (100000
# by default) with and without the index and times the first screen of a
# few queries. Targets (issue 8): first screen <= 50 ms on 100k messages;
# indexing <= 20% of the time a sync spends storing.
#
# usage: tests/bench/search_bench.sh [N]
#   BENCH_BUILD=DIR  reuse/keep the optimised build there (default: a temp dir)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-100000}
work=$(mktemp -d /tmp/tern-search-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
build=${BENCH_BUILD:-$work/build}
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
  (cd "$build" && CFLAGS="-O2 -g" "$src/configure" -q)
fi
make -C "$build" -s -j2 libtern.la >/dev/null
libs="$(pkg-config --libs sqlite3 libetpan gnutls libcurl libcjson ncursesw | sed -e 's/-specs=[^ ]*//g')"
cc -O2 -std=gnu11 -I"$build" -I"$src" -I"$src/src" -o "$work/search_bench" \
  "$src/tests/bench/search_bench.c" "$build/.libs/libtern.a" $libs -lpthread -lm
echo "# tern search benchmark: $n messages, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
"$work/search_bench" "$work" "$n"
ls -l "$work"/*.db | awk '{ printf "db_size %s %.1f MB\n", $NF, $5 / 1048576 }'
