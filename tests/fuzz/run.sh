#!/bin/sh
# Runs tern's libFuzzer harnesses (tests/fuzz/fuzz_*.c), then replays every
# seed in corpus/NAME/ and every crash kept in regress/NAME/. Builds nothing:
# give it a build directory configured with --enable-fuzzing CC=clang-14
# (argument, or $TERN_FUZZ_BUILD).
#
#   tests/fuzz/run.sh [--seconds N] [--replay] [--only NAME] BUILDDIR
#
#   --seconds N  fuzz each harness N seconds (default 8: CI, under 2 minutes
#                in all); --seconds 3600 is the long form, for hours on demand
#   --runs N     instead: N executions per harness from a fixed seed
#                (-seed=1), the same inputs on every machine: CI's form, so
#                that CI fails on a regression, not on a new random finding
#   --replay     only replay the corpus and regression files
#   --only NAME  one harness (imap, mime, html, rfc2047, jmap, jmap_sse, smtp,
#                config, search, attach, mailcap, pgp)
#
# New inputs the fuzzer finds go to $TERN_FUZZ_WORK (default a temporary
# directory, removed at the end unless something failed); crashes as
# crash-*/leak-*/timeout-* files there. Exit status 1 on any crash, leak or
# timeout, 2 on a usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
seconds=8
runs=
replay_only=0
only=
build=${TERN_FUZZ_BUILD:-}
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--replay) replay_only=1; shift ;;
	--only) only=$2; shift 2 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) build=$1; shift ;;
	esac
done
if [ -z "$build" ] || [ ! -x "$build/tests/fuzz/fuzz_mime" ]; then
	echo "run.sh: no fuzzing build at '${build}': configure one with" >&2
	echo "  mkdir build-fuzz && cd build-fuzz && ../configure --enable-fuzzing CC=clang-14 && make -j2" >&2
	exit 2
fi
build=$(cd "$build" && pwd)
names="imap mime html rfc2047 jmap jmap_sse smtp config search attach mailcap pgp"
[ -n "$only" ] && names=$only
work=${TERN_FUZZ_WORK:-}
keep=1
if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/tern-fuzz.XXXXXX)
	keep=0
fi
mkdir -p "$work" || exit 2
# Leaks count as failures; a UBSan report stops the run like a crash.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
# tern's log goes nowhere: the harnesses never open one.
fail=0

dict_of() {
	case $1 in
	imap) echo "-dict=$here/imap.dict" ;;
	jmap|jmap_sse) echo "-dict=$here/jmap.dict" ;;
	esac
}

for n in $names; do
	bin=$build/tests/fuzz/fuzz_$n
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin missing" >&2
		fail=1
		continue
	fi
	if [ "$replay_only" = 0 ]; then
		mkdir -p "$work/$n"
		if [ -n "$runs" ]; then
			limit="-runs=$runs -seed=1"
			echo "== fuzz_$n: fuzzing $runs runs (seed 1)"
		else
			limit="-max_total_time=$seconds"
			echo "== fuzz_$n: fuzzing ${seconds}s"
		fi
		# shellcheck disable=SC2046,SC2086
		if ! "$bin" $limit -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-print_final_stats=1 -artifact_prefix="$work/$n-" $(dict_of "$n") \
			"$work/$n" "$here/corpus/$n" >"$work/$n.log" 2>&1; then
			echo "FAIL fuzz_$n: see $work/$n.log and the $work/$n-* inputs"
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/$n.log" | head -5
			fail=1
			keep=1
		else
			grep -E '^stat::number_of_executed_units' "$work/$n.log" | sed "s/^/   fuzz_$n /"
		fi
	fi
	# Replay: every seed and every kept crash, one execution each.
	files=$(find "$here/corpus/$n" "$here/regress/$n" -type f 2>/dev/null)
	[ -z "$files" ] && continue
	echo "== fuzz_$n: replaying $(echo "$files" | wc -l) files"
	# shellcheck disable=SC2086
	if ! "$bin" -timeout=10 -rss_limit_mb=2048 $files >"$work/$n.replay.log" 2>&1; then
		echo "FAIL fuzz_$n replay: see $work/$n.replay.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|Running: )' "$work/$n.replay.log" | tail -5
		fail=1
		keep=1
	fi
done
if [ "$keep" = 0 ]; then
	rm -rf "$work"
else
	echo "run.sh: work directory kept: $work"
fi
[ "$fail" = 0 ] && echo "run.sh: every harness passed"
exit "$fail"
