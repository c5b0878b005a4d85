#!/usr/bin/python3
"""safe_check.py [LABEL]: reads stdin and exits 1 (naming the first offender) when it holds
anything that would act on a terminal or mislead a reader: C0 controls other than newline and
tab, DEL, C1 controls, the bidi controls and line/paragraph separators, or bytes that are not
UTF-8. What tern prints for people must pass."""
import sys

label = sys.argv[1] if len(sys.argv) > 1 else "output"
data = sys.stdin.buffer.read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("%s: not UTF-8 at byte %d: %r" % (label, e.start, data[max(0, e.start - 20):e.start + 20]))
    sys.exit(1)
BIDI = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029} | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
for i, ch in enumerate(text):
    cp = ord(ch)
    if (cp < 0x20 and ch not in "\n\t") or 0x7F <= cp <= 0x9F or cp in BIDI:
        print("%s: U+%04X at %d: %r" % (label, cp, i, text[max(0, i - 20):i + 20]))
        sys.exit(1)
