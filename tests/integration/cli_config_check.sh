#!/bin/sh
# `tern config check` reports every error of the file in one run, each
# with FILE:LINE, and suggests the key a misspelt one meant (issue 23,
# point 13); the new option resolve is accepted.
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
TERN=${TERN:-$TERN_SRCDIR/tern}
T=$(mktemp -d "${TMPDIR:-/tmp}/cfgchk.XXXXXX")
trap 'rm -rf "$T"' EXIT
cat >"$T/bad.conf" <<CONF
treaded = yes
[account work]
email = me@example.org
password = secret
imap_hots = imap.example.org
imap_port = 99999
just a line
[acount other]
whatever = 1
[account third]
email = nope
password = x
imap_host = h
CONF
chmod 600 "$T/bad.conf"
"$TERN" -c "$T/bad.conf" config check >"$T/out" 2>"$T/err"
echo "rc=$?" >>"$T/out"
cat "$T/err"
check "exit 3 (configuration)" grep -q '^rc=3$' "$T/out"
check "a misspelt global key names the key meant" grep -q "bad.conf:1: unknown key 'treaded' (did you mean threaded?)" "$T/err"
check "a misspelt account key names the key meant" grep -q "bad.conf:5: unknown key 'imap_hots' (did you mean imap_host?)" "$T/err"
check "a bad value on a later line is reported too" grep -q "bad.conf:6: 'imap_port' must be a whole number" "$T/err"
check "a malformed line too" grep -q "bad.conf:7: expected 'key = value'" "$T/err"
check "a bad section too" grep -q "bad.conf:8: unknown section \[acount other\]" "$T/err"
check "... without a cascade from its keys" sh -c "! grep -q 'bad.conf:9:' '$T/err'"
check "an account rule of a later account too" grep -q "bad.conf:11: 'email' must be an address" "$T/err"
check "a name far from any key gets no guess" sh -c "printf 'zzzzzzzz = 1\n' >'$T/far.conf'; '$TERN' -c '$T/far.conf' config check 2>&1 | grep -q \"unknown key 'zzzzzzzz'\$\""
cat >"$T/good.conf" <<CONF
resolve = no
[account work]
email = me@example.org
password = secret
imap_host = imap.example.org
smtp_host = smtp.example.org
CONF
chmod 600 "$T/good.conf"
check "the new option passes" "$TERN" -c "$T/good.conf" config check
# [hooks]: its keys are known there, and only there.
cat >"$T/hooks.conf" <<CONF
[hooks]
mail_received = notify-send new
mail_recieved = x
[account work]
email = me@example.org
password = secret
imap_host = imap.example.org
sync_failed = y
CONF
chmod 600 "$T/hooks.conf"
"$TERN" -c "$T/hooks.conf" config check 2>"$T/herr"
check "a misspelt hook names the hook meant" grep -q "hooks.conf:3: unknown key 'mail_recieved' (did you mean mail_received?)" "$T/herr"
check "a hook in an account section is sent to [hooks]" grep -q "hooks.conf:8: 'sync_failed' belongs in the \[hooks\] section" "$T/herr"
check "... and the good hook line is accepted" sh -c "! grep -q 'hooks.conf:2:' '$T/herr'"
check_done
