#!/bin/sh
# load.sh dovecot|cyrus USER COUNT [--seed N] [--folders SPEC] [--no-big] [other genmail.py options]
#
# Fills USER's account on a lab server (TERN_LAB, started by start.sh) with COUNT generated
# messages (tests/gen/genmail.py; SPEC and the defaults are described there) and prints the
# path of the manifest: $TERN_LAB/manifest-SERVER-USER.json (per folder: count, unseen,
# flagged, answered, draft, bytes, message_ids). Loading adds to what the account holds;
# the manifest describes this load only.
#   dovecot: Maildir files written straight into the store, then `doveadm index` (fastest).
#   cyrus:   IMAP APPEND, MULTIAPPEND + LITERAL+ in batches of 500.
set -eu
SRV=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] || { sed -n '2,3p' "$0" >&2; exit 2; }
server=$1 user=$2 count=$3
shift 3
: "${TERN_LAB:?load.sh: TERN_LAB is not set}"
. "$TERN_LAB/env"
man=$TERN_LAB/manifest-$server-$user.json
lab_user_pass() { # USER: its password, from the env file's USERn/PASSn pairs
  # The eval only copies the pair (it always succeeds): a test inside it would make the eval
  # fail for every user but the first, and set -e would end the substitution there.
  for n in 1 2 3; do
    eval "u=\${USER$n:-} p=\${PASS$n:-}"
    if [ "$u" = "$1" ]; then echo "$p"; return 0; fi
  done
  echo "load.sh: no user $1 in the lab" >&2
  return 1
}
gen="/usr/bin/python3 $SRV/../gen/genmail.py --user $user --count $count --manifest $man"
case $server in
  dovecot)
    # shellcheck disable=SC2086
    $gen --out maildir --doveadm "$DOVEADM" "$@" ;;
  cyrus)
    # shellcheck disable=SC2086
    $gen --out imap --port "$CYRUS_IMAP_PORT" --password "$(lab_user_pass "$user")" "$@" ;;
  *) echo "load.sh: unknown server '$server' (dovecot or cyrus)" >&2; exit 2 ;;
esac
echo "$man"
