#!/bin/sh
# In TESTS only when configure found no cmocka: the unit tests were not
# built, and the summary must say so (a SKIP), not pass without them.
echo "SKIP: cmocka is not installed, so the unit tests (config parser, database, lock, MIME, search...) were not built; install libcmocka-dev (tests/servers/install-packages.sh does) and run configure again"
exit 77
