#!/bin/sh
# imap_sync.sh against Cyrus.
IMAP_SYNC_SERVERS=cyrus
export IMAP_SYNC_SERVERS
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/imap_sync.sh"
