#!/bin/sh
# imap_modes.sh against Cyrus (suppress_capabilities instead of Dovecot's imap_capability).
IMAP_MODES_SERVER=cyrus
export IMAP_MODES_SERVER
. "${TERN_SRCDIR:-$(dirname "$0")/../..}/tests/integration/imap_modes.sh"
