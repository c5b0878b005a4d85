#!/bin/sh
# imap_badmsg.sh against Cyrus.
IMAP_BADMSG_SERVER=cyrus
export IMAP_BADMSG_SERVER
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/imap_badmsg.sh"
