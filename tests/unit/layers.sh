#!/bin/sh
# The layer rules (doc/ARCHITECTURE.md's table) hold for every include line.
exec python3 "${TERN_SRCDIR:-.}/tests/unit/layers.py" "${TERN_SRCDIR:-.}"
