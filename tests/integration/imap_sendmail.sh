#!/bin/sh
# sendmail = COMMAND instead of SMTP: the message goes to the command's stdin (Bcc kept for -t),
# exit 0 is sent and the copy is filed in Sent once; a command that fails fails the item with
# its first stderr line (tern queue shows it); a crash after the command ran does not run it
# again (the outcome is unknown: the user decides); tern config check refuses a sendmail that is
# not executable, with file:line.
set -u
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
skip_if_missing sqlite3
lab_start dovecot
. "$TERN_SRCDIR/tests/integration/imap_lib.sh"
C=$W/c.conf
# The "sendmail": stdin to $W/out.N, one line per run in $W/runs, its arguments first.
cat >"$W/sendmail.sh" <<EOF
#!/bin/sh
echo "\$*" >>"$W/runs"
cat >"$W/out.\$(wc -l <"$W/runs" | tr -d ' ')"
EOF
cat >"$W/failmail.sh" <<EOF
#!/bin/sh
cat >/dev/null
echo "msmtp: cannot connect to smtp.example.org: no route" >&2
echo "second line" >&2
exit 75
EOF
chmod 755 "$W/sendmail.sh" "$W/failmail.sh"
runs() { if [ -f "$W/runs" ]; then wc -l <"$W/runs" | tr -d ' '; else echo 0; fi; }
sconf() { # SENDMAIL: USER1's account sending through it, no smtp_host
  imap_conf "$C" a dovecot "sendmail = $1"
  grep -v -e '^smtp_' "$C" >"$C.new" && mv "$C.new" "$C"
}
send() { # ID: queue a message with Message-ID <ID> to USER2, Bcc USER3
  printf 'From: %s\nTo: %s\nBcc: %s\nSubject: sendmail %s\nMessage-ID: <%s>\n\nbody\n' \
    "$EMAIL1" "$EMAIL2" "$EMAIL3" "$1" "$1" | "$T" -c "$C" send --no-sync a >/dev/null
}
in_sent() { imapctl msgids Sent | grep -c -F "$1"; }

sconf "$W/sendmail.sh -oi -t"
check "tern config check takes the sendmail account" "$T" -c "$C" config check
check "a first sync learns the folders (Sent among them)" "$T" -c "$C" sync --once
send sm-one@localhost
check "a send goes through the sendmail command" "$T" -c "$C" sync --once
check "... which ran once, with its arguments" test "$(runs)|$(cat "$W/runs")" = "1|-oi -t"
check "... and read the message on stdin, Bcc included (for -t)" \
  sh -c "grep -q '^Message-ID: <sm-one@localhost>' '$W/out.1' && grep -q '^Bcc: $EMAIL3' '$W/out.1'"
check "... with LF line ends, as sendmail(8) expects" sh -c "! grep -q \"\$(printf '\\r')\" '$W/out.1'"
check "... filed in Sent once" test "$(in_sent sm-one@localhost)" = 1
check "... the queue is empty" test "$("$T" -c "$C" queue)" = "the queue is empty"
"$T" -c "$C" sync --once >/dev/null 2>&1
check "another sync neither runs it again nor files it twice" test "$(runs)|$(in_sent sm-one@localhost)" = "1|1"

sconf "$W/failmail.sh"
send sm-fail@localhost
"$T" -c "$C" sync --once >"$W/out" 2>&1
check "a sendmail command that fails: the item fails with its first stderr line" \
  sh -c "'$T' -c '$C' queue | grep -q 'sendmail command failed (exit status 75): msmtp: cannot connect to smtp.example.org: no route'"
check "... marked failed, not retried by itself" test "$(tsql "SELECT status FROM pending_change")" = failed
check "... not filed in Sent" test "$(in_sent sm-fail@localhost)" = 0
for id in $(tsql "SELECT id FROM pending_change"); do "$T" -c "$C" queue drop "$id" >/dev/null; done

# A crash right after the command ran, before tern recorded it: the restart must not run it again.
sconf "$W/sendmail.sh"
send sm-crash@localhost
TERN_CRASH_AT=sendmail-ran "$T" -c "$C" sync --once >"$W/crash.out" 2>"$W/crash.err"
check "a crash after the command ran (crash point sendmail-ran)" test $? = 137
check "... the command had run (run 2)" test "$(runs)" = 2
"$T" -c "$C" sync --once >/dev/null 2>&1
check "the restart does not run the command again" test "$(runs)" = 2
check "... the item is held as 'may have gone out', for the user to decide" \
  sh -c "'$T' -c '$C' queue | grep -q 'may have gone out'"

# tern config check: a sendmail that is not executable, with file:line.
sconf "$W/nosuch -t"
"$T" -c "$C" config check >"$W/out" 2>&1
check "config check: a sendmail that does not exist is an error with file:line" \
  grep -q "^$C:[0-9]*: 'sendmail' $W/nosuch: not an executable program" "$W/out"
chmod 644 "$W/failmail.sh"
sconf "$W/failmail.sh"
"$T" -c "$C" config check >"$W/out" 2>&1
check "... and one that is not executable" grep -q "^$C:[0-9]*: 'sendmail' $W/failmail.sh: not an executable" "$W/out"
check_done
