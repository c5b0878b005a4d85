#!/bin/sh
# The manual pages render as written: no groff warnings, no words joined by a
# misused .BR/.RB line ("queue).Withoutit,keeps..."), and the account states the
# KEYS section lists are the ones the account pane shows.
set -u
S=${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v groff >/dev/null 2>&1 || { echo "SKIP: groff is not installed"; exit 77; }
command -v col >/dev/null 2>&1 || { echo "SKIP: col is not installed"; exit 77; }
T=$(mktemp -d /tmp/tern-doc.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # DESC, then the command; expects success
  desc=$1; shift
  if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fails=$((fails + 1)); fi
}
render() { groff -man -rHY=0 -Tutf8 -P-c "$1" 2>/dev/null | col -bx; }
no_warnings() { # PAGE
  groff -man -Tutf8 -ww -z "$1" >"$T/warn" 2>&1 && [ ! -s "$T/warn" ] || { cat "$T/warn"; return 1; }
}
no_joins() { # PAGE: a closing parenthesis or ';' glued to the next word
  render "$1" >"$T/txt"
  ! grep -nE '\)[.,;:][A-Za-z]|;[A-Za-z^]' "$T/txt"
}
for p in tern.1 tern.conf.5; do
  check "$p: groff -ww has no warnings" no_warnings "$S/doc/$p"
  check "$p: no words joined in the rendering" no_joins "$S/doc/$p"
done
render "$S/doc/tern.1" | tr '\n' ' ' | sed 's/  */ /g' >"$T/tern.txt"   # one line: filled text
check "tern.1: '(see queue).' and the next sentence are apart" grep -q 'queue)\. Without it, keeps running' "$T/tern.txt"
check "tern.1: the page keys read '^B; ^D / ^U'" grep -q '\^B; \^D / \^U' "$T/tern.txt"
# The states sync/ reports through runner_status() (and the account pane's
# "read-only"), each named in the paragraph that describes the account pane.
states_listed() {
  grep -o 'The terminal UI shows an account pane.*the mailbox pane' "$T/tern.txt" >"$T/pane"
  [ -s "$T/pane" ] || { echo "  no account pane paragraph"; return 1; }
  for s in connecting syncing idle backoff error offline read-only; do
    grep -q "[ (]$s[ ,)]" "$T/pane" || { echo "  state '$s' is not described"; return 1; }
  done
}
check "tern.1 describes every account state the pane shows" states_listed
echo "$fails failed"
[ "$fails" = 0 ]
