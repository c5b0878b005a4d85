#!/bin/sh
# The test lab itself: every server starts, answers, holds exactly the generated mail, the
# push endpoint pushes, the SMTP sink stores and refuses on demand, and stop.sh leaves no
# process behind. If this fails, every server-backed test of tern would fail for the lab's sake.
set -u
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
skip_if_missing jq curl

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
lab_start dovecot cyrus smtp push
echo "# started in $(ms_since "$t0") ms: $TERN_LAB"
W=$TERN_LAB/smoke
mkdir -p "$W"
SEED=7
N=200

t=$(date +%s%N)
check "load $N into Dovecot (Maildir)" sh -c "'$LAB_SRV/load.sh' dovecot alice $N --seed $SEED --folders full >'$W/dman' 2>'$W/dload'"
echo "# $(ms_since "$t") ms"
t=$(date +%s%N)
check "load $N into Cyrus (IMAP MULTIAPPEND)" sh -c "'$LAB_SRV/load.sh' cyrus alice $N --seed $SEED --folders full >'$W/cman' 2>'$W/cload'"
echo "# $(ms_since "$t") ms"
DMAN=$(cat "$W/dman")
CMAN=$(cat "$W/cman")
# Not only the first lab user: load.sh looks up any user's password (it once found only alice's).
check "load into Cyrus for bob and carol too" sh -c "'$LAB_SRV/load.sh' cyrus bob 3 --seed 3 --folders INBOX:1 >/dev/null 2>'$W/bload' && '$LAB_SRV/load.sh' cyrus carol 2 --seed 4 --folders INBOX:1 >/dev/null 2>>'$W/bload'"
others_loaded() {
  [ "$(imapctl -s cyrus -u bob count INBOX)" = 3 ] && [ "$(imapctl -s cyrus -u carol count INBOX)" = 2 ]
}
check "bob's and carol's Cyrus INBOX hold what was loaded" others_loaded

# Per folder: count, unseen, flagged, and the Message-IDs in UID order = the manifest's order.
same_as_manifest() { # SERVER MANIFEST
  s=$1 man=$2 ok=0
  jq -r '.folders | keys[]' "$man" >"$W/folders"
  while IFS= read -r f; do
    want=$(jq -r --arg f "$f" '.folders[$f] | "\(.count) \(.unseen) \(.flagged)"' "$man")
    st=$(imapctl -s "$s" status "$f") || { echo "  $s: no folder $f"; ok=1; continue; }
    flagged=$(imapctl -s "$s" uids "$f" FLAGGED | wc -w)
    got="$(echo "$st" | jq -r '"\(.messages) \(.unseen)"') $flagged"
    [ "$got" = "$want" ] || { echo "  $s $f: count/unseen/flagged $got, manifest $want"; ok=1; }
    jq -r --arg f "$f" '.folders[$f].message_ids[]' "$man" >"$W/want.ids"
    imapctl -s "$s" msgids "$f" | cut -f2 >"$W/got.ids"
    cmp -s "$W/want.ids" "$W/got.ids" || { echo "  $s $f: Message-IDs differ from the manifest (or their UID order)"; ok=1; }
  done <"$W/folders"
  return $ok
}
check "Dovecot holds exactly the manifest (counts, unseen, flagged, ids in UID order)" same_as_manifest dovecot "$DMAN"
check "Cyrus holds exactly the manifest" same_as_manifest cyrus "$CMAN"
check "the manifest has all $N messages" test "$(jq .total.count "$DMAN")" = "$N"
folders_ok() {
  imapctl list >"$W/dl" && imapctl -s cyrus list >"$W/cl" &&
    grep -q 'Été' "$W/dl" && grep -q 'Отчёты' "$W/cl" && grep -q 'Lists/tern-dev' "$W/cl" &&
    grep -q '\\Sent' "$W/dl" && grep -qi '\\sent' "$W/cl"
}
check "non-ASCII, nested and special-use folders exist on both" folders_ok
specials_filled() { # --folders full puts mail in every special-use folder
  for f in Drafts Junk Trash Sent Archive; do
    [ "$(jq --arg f "$f" '.folders[$f].count' "$DMAN")" -gt 0 ] || { echo "  $f empty"; return 1; }
  done
  [ "$(jq '.folders.Drafts.draft' "$DMAN")" -gt 0 ]
}
check "the full folder set fills Drafts (with \\Draft), Junk and Trash too" specials_filled

has_caps() {
  caps=" $(imapctl caps) "
  for c in IDLE CONDSTORE QRESYNC MOVE UIDPLUS SPECIAL-USE NOTIFY; do
    case $caps in *" $c "*) ;; *) echo "  missing $c"; return 1 ;; esac
  done
}
check "Dovecot advertises IDLE CONDSTORE QRESYNC MOVE UIDPLUS SPECIAL-USE NOTIFY" has_caps
check "Dovecot STARTTLS verifies with CA_FILE" imapctl --tls starttls count INBOX
check "Dovecot implicit TLS verifies with CA_FILE" imapctl --tls implicit count INBOX
check "Cyrus implicit TLS verifies with CA_FILE" imapctl -s cyrus --tls implicit count INBOX
bad_ca() { ! curl -s --cacert "$BAD_CA_FILE" --user "$USER1:$PASS1" "imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/" >/dev/null; }
check "a client trusting only BAD_CA_FILE refuses the lab certificate" bad_ca
no_starttls() {
  imapctl -s nostarttls raw - CAPABILITY >"$W/nst" && ! grep -qi starttls "$W/nst" &&
    imapctl -s nostarttls count INBOX >/dev/null && ! imapctl -s nostarttls --tls starttls caps 2>/dev/null
}
check "the no-STARTTLS port offers no STARTTLS (and is otherwise Dovecot)" no_starttls
check "a wrong password is refused" sh -c "! $LAB_PY '$LAB_SRV/imapctl.py' -p wrong caps 2>/dev/null"

jmap_session() { jmapctl session | jq -e '.capabilities["urn:ietf:params:jmap:mail"]' >/dev/null; }
check "JMAP session on Cyrus has the mail capability" jmap_session
check "JMAP Email/query counts what was loaded" test "$(jmapctl count)" = "$N"
jmap_ids() { jmapctl msgids Archive >"$W/j.ids" && jq -r '.folders.Archive.message_ids[]' "$CMAN" | cmp -s - "$W/j.ids"; }
check "JMAP sees the manifest's Message-IDs in Archive" jmap_ids
check "Cyrus itself has no push (its eventsource answers 204)" test \
  "$(curl -s -o /dev/null -w '%{http_code}' -u "$USER1:$PASS1" "http://127.0.0.1:$CYRUS_HTTP_PORT/jmap/eventsource/?types=*")" = 204
push_urls() { jmapctl --url "$PUSH_JMAP_URL" session | jq -e --arg u "http://127.0.0.1:$CYRUS_HTTP_PORT/" '.apiUrl | startswith($u)' >/dev/null; }
check "the push endpoint's session has absolute Cyrus URLs" push_urls
push_after_append() {
  jmapctl --url "$PUSH_JMAP_URL" events --timeout 5 >"$W/events" 2>&1 &
  ev=$!
  wait_for "eventsource open" 3 grep -q '^open' "$W/events" || return 1
  t=$(date +%s%N)
  printf 'From: x@example.com\nSubject: push test\nMessage-ID: <push@x>\n\nhi\n' | imapctl -s cyrus append INBOX - >/dev/null
  wait_for "StateChange after APPEND" 2 grep -q '"StateChange"' "$W/events" || { kill "$ev"; return 1; }
  ms_since "$t" >"$W/push.ms"
  wait "$ev"
}
check "push endpoint sends a StateChange within 2 s of an IMAP APPEND" push_after_append
echo "# StateChange $(cat "$W/push.ms" 2>/dev/null) ms after the APPEND"

printf 'From: alice@localhost\nTo: bob@localhost\nSubject: sink test\nMessage-ID: <sink@x>\n\nhello\n' >"$W/msg"
send() { # PORT: STARTTLS (required by curl) + AUTH PLAIN
  curl -s --ssl-reqd --cacert "$CA_FILE" --user "$USER1:$PASS1" "smtp://127.0.0.1:$1" \
    --mail-from alice@localhost --mail-rcpt bob@localhost --upload-file "$W/msg"
}
sink_stores() {
  send "$SMTP_PORT" && test -s "$SMTP_SPOOL/000001.eml" &&
    jq -e '.auth_user == "alice" and .tls == true and .rcpt_tos == ["bob@localhost"]' "$SMTP_SPOOL/000001.json" >/dev/null
}
check "the sink stores a message sent with STARTTLS + AUTH" sink_stores
sink_rejects() {
  touch "$SMTP_SPOOL/.reject"
  ! send "$SMTP_PORT"
  r=$?
  rm -f "$SMTP_SPOOL/.reject"
  [ $r = 0 ] && [ "$(spool_count)" = 1 ] && send "$SMTP_PORT" && [ "$(spool_count)" = 2 ]
}
check "the sink refuses while .reject exists, and accepts again after" sink_rejects
sink_drops() { touch "$SMTP_SPOOL/.drop"; ! send "$SMTP_PORT"; r=$?; rm -f "$SMTP_SPOOL/.drop"; return $r; }
check "the sink drops the connection while .drop exists" sink_drops
relay() {
  send "$DOVECOT_SUBMISSION_PORT" && [ "$(spool_count)" = 3 ] &&
    jq -e --argjson p "$SMTP_RELAY_PORT" '.auth_user == null and .port == $p' "$SMTP_SPOOL/000003.json" >/dev/null
}
check "Dovecot submission (STARTTLS + AUTH) relays to the sink's relay port" relay
mail_to() { # URL [curl options]: send $W/msg to bob
  _u=$1; shift
  curl -s "$@" --cacert "$CA_FILE" "$_u" --mail-from alice@localhost --mail-rcpt bob@localhost --upload-file "$W/msg"
}
refused() { # WANT-COUNT URL [curl options]: the message is refused, the spool keeps WANT-COUNT
  _n=$1; shift
  ! mail_to "$@" && [ "$(spool_count)" = "$_n" ]
}
accepted() { _n=$1; shift; mail_to "$@" && [ "$(spool_count)" = "$_n" ]; }
check "the sink's submission port refuses mail without AUTH" refused 3 "smtp://127.0.0.1:$SMTP_PORT" --ssl-reqd
check "... and so does its implicit-TLS port" refused 3 "smtps://127.0.0.1:$SMTPS_PORT"
check "... and the fixed password of other labs (passwords are per lab)" \
  refused 3 "smtp://127.0.0.1:$SMTP_PORT" --ssl-reqd --user alice:alicepw
check "the relay port takes mail without AUTH (for the lab's servers)" accepted 4 "smtp://127.0.0.1:$SMTP_RELAY_PORT"
nostarttls() {
  # A client that insists on STARTTLS gets nothing through; one that falls back to
  # plaintext does (AUTH in the clear), which is what a fallback test has to see.
  refused 4 "smtp://127.0.0.1:$SMTP_NOSTARTTLS_PORT" --ssl-reqd --user "$USER1:$PASS1" &&
    accepted 5 "smtp://127.0.0.1:$SMTP_NOSTARTTLS_PORT" --user "$USER1:$PASS1" &&
    jq -e '.auth_user == "alice" and .tls == false' "$SMTP_SPOOL/000005.json" >/dev/null
}
check "the no-STARTTLS port never offers STARTTLS, and takes AUTH in the clear" nostarttls
reserved() { # every port of the lab is reserved for it machine-wide
  while IFS== read -r name port; do
    [ "$(cat "/tmp/tern-lab-ports/$port" 2>/dev/null)" = "$TERN_LAB" ] || { echo "  $name=$port not reserved"; return 1; }
  done <"$TERN_LAB/ports"
}
check "every port of the lab is reserved for it (/tmp/tern-lab-ports)" reserved
check "the lab's passwords are its own" sh -c "[ '$PASS1' != alicepw ] && [ -n '$PASS1' ]"

# --every-kind: the 1-3 MB and 8 MB messages and the rare kinds too, which a load of
# 200 would not otherwise contain.
parses() {
  "$LAB_PY" "$TERN_SRCDIR/tests/gen/genmail.py" --count "$N" --seed "$SEED" --folders full --every-kind \
    --out check 2>"$W/check" || { cat "$W/check"; return 1; }
  # the 8 MB attachment was among them
  mb=$(sed -n 's/^genmail: [0-9]* messages, \([0-9]*\)\..*/\1/p' "$W/check")
  [ "${mb:-0}" -ge 9 ] || { echo "  only ${mb:-?} MB generated"; cat "$W/check"; return 1; }
}
check "every generated message parses, every kind included (email package, policy=default)" parses

restart_dovecot() {
  before=$DOVECOT_IMAP_PORT
  lab_restart dovecot && . "$TERN_LAB/env" && [ "$DOVECOT_IMAP_PORT" = "$before" ] &&
    [ "$(imapctl count INBOX)" = "$(jq '.folders.INBOX.count' "$DMAN")" ]
}
check "Dovecot restarts on the same port with the same mail" restart_dovecot
check "Cyrus restarts with the same mail" sh -c "'$LAB_SRV/stop.sh' cyrus && '$LAB_SRV/start.sh' cyrus >/dev/null 2>&1"
check "... and JMAP still counts it" test "$(jmapctl count)" = $((N + 1))

cat "$TERN_LAB"/pids/*.pid >"$W/pids"
t=$(date +%s%N)
check "stop.sh stops everything" "$LAB_SRV/stop.sh"
echo "# stopped in $(ms_since "$t") ms"
survivors() { # a recorded PID still alive with the recorded start time (not reused)
  while read -r p start; do
    st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null)
    [ -n "$st" ] || continue
    set -- $st
    if [ "$1" != Z ] && [ "${20}" = "$start" ]; then echo "pid $p survived"; return 1; fi
  done <"$W/pids"
}
check "no recorded PID survives" survivors
cp "$TERN_LAB/ports" "$TERN_LAB.ports"
released() {
  while IFS== read -r name port; do
    [ ! -e "/tmp/tern-lab-ports/$port" ] || [ "$(cat "/tmp/tern-lab-ports/$port")" != "$TERN_LAB" ] ||
      { echo "  $name=$port still reserved"; return 1; }
  done <"$TERN_LAB.ports"
}
check "stop.sh --clean removes the lab and releases its ports" sh -c "'$LAB_SRV/stop.sh' --clean && [ ! -d '$TERN_LAB' ]"
check "... every one of them" released
rm -f "$TERN_LAB.ports"
echo "# total $(ms_since "$t0") ms"
check_done
