# tests/integration/tui_lib.sh: drive the real tern binary in tmux (POSIX sh).
#   tui_setup                make $T (a temp dir) with a config ($T/config) whose one account
#                            "acct" points at a closed port: the worker stays offline
#   tui_fill ARGS...         tests/integration/tui_fill $T/data/tern.db acct ARGS...
#   tui_start [W H]          tern in a detached tmux session (default 120x40), in the
#                            locale $TUI_LANG (default C.UTF-8)
#   tui_keys KEYS...         tmux send-keys (key names as tmux takes them)
#   tui_screen               the visible screen
#   tui_wait DESC REGEX [S]  wait (default 10 s) until the screen matches REGEX (grep -E)
#   tui_gone DESC REGEX [S]  wait until the screen no longer matches
#   tui_sql SQL              sqlite3 on the test database
# Uses check/check_done/wait_for from tests/lib.sh.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
TERN=${TERN:-$TERN_SRCDIR/tern}
TUI_FILL=${TERN_BUILDDIR:-$(dirname "$TERN")}/tests/integration/tui_fill
skip_if_missing tmux sqlite3

_tui_cleanup() {
  rc=$?
  [ -n "${TUI_SOCK:-}" ] && tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
  if [ "${KEEP_TUI:-0}" = 1 ]; then echo "kept: $T"; else rm -rf "$T"; fi
  exit "$rc"
}

tui_setup() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/tui.XXXXXX")
  export T
  TUI_SOCK=$T/tmux.sock
  mkdir -p "$T/data" "$T/state"
  cat >"$T/config" <<CONF
data_dir = $T/data
[account acct]
email = me@fill.test
password = unused
imap_host = 127.0.0.1
imap_port = 9
imap_tls = none
timeout = 2
CONF
  chmod 600 "$T/config"
  trap _tui_cleanup EXIT
  trap 'exit 130' INT TERM
}

tui_fill() { "$TUI_FILL" "$T/data/tern.db" acct "$@"; }

tui_start() {
  _w=${1:-120} _h=${2:-40}
  # The ASan report, if any, goes to a file the test shows on failure.
  tmux -S "$TUI_SOCK" -f /dev/null new-session -d -x "$_w" -y "$_h" \
    "env LANG=${TUI_LANG:-C.UTF-8} LC_ALL=${TUI_LANG:-C.UTF-8} TERM=xterm-256color XDG_STATE_HOME=$T/state \
     ASAN_OPTIONS='${ASAN_OPTIONS:-detect_leaks=1}:log_path=$T/asan' UBSAN_OPTIONS='${UBSAN_OPTIONS:-print_stacktrace=1}:log_path=$T/ubsan' \
     $TERN -c $T/config ${TUI_ARGS:-}; echo TERN-EXITED-\$?; sleep 30"
  tmux -S "$TUI_SOCK" set-option -g window-size manual >/dev/null 2>&1
}

tui_keys() { tmux -S "$TUI_SOCK" send-keys "$@"; }
tui_screen() { tmux -S "$TUI_SOCK" capture-pane -p; }
_tui_match() { tui_screen | grep -Eq -- "$1"; }
_tui_nomatch() { ! tui_screen | grep -Eq -- "$1"; }
tui_wait() {
  if ! wait_for "$1" "${3:-10}" _tui_match "$2"; then
    echo "--- screen:"; tui_screen; return 1
  fi
}
tui_gone() {
  if ! wait_for "$1" "${3:-10}" _tui_nomatch "$2"; then
    echo "--- screen:"; tui_screen; return 1
  fi
}
# A busy timeout: a read that meets a checkpoint waits instead of failing.
tui_sql() { sqlite3 -cmd ".timeout 5000" "$T/data/tern.db" "$@"; }
# No sanitizer report was written.
tui_clean_exit() {
  if ls "$T"/asan* "$T"/ubsan* >/dev/null 2>&1; then cat "$T"/asan* "$T"/ubsan* 2>/dev/null | head -60; return 1; fi
}
