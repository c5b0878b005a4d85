#!/usr/bin/python3
"""Usage: mime_check.py MESSAGE [FILE...]
Reads a message built by tern with Python's email package (a parser
independent of ours) and prints what a receiving client would see, one
"key: value" per line, for test_build to compare: decoded headers, the text
body, each attachment's file name, type and SHA-256, then the SHA-256 of
each FILE (the originals the attachments must be identical to)."""
import email
import email.policy
import hashlib
import re
import sys

with open(sys.argv[1], 'rb') as f:
    raw = f.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
out = []
for h in ('From', 'To', 'Cc', 'Bcc', 'Subject', 'Message-ID', 'In-Reply-To', 'References'):
    if msg[h] is not None:
        out.append('%s: %s' % (h.lower(), str(msg[h])))
for h in ('From', 'To', 'Cc'):
    if msg[h] is not None:
        for a in msg[h].addresses:
            out.append('addr-%s: %s|%s' % (h.lower(), a.display_name, a.addr_spec))
body = msg.get_body(preferencelist=('plain',))
if body is not None:
    out.append('body-type: %s' % body.get_content_type())
    out.append('body-cte: %s' % body.get('Content-Transfer-Encoding', ''))
    out.append('body-format: %s' % body.get_param('format', ''))
    out.append('body: %s' % body.get_content().replace('\r\n', '\n').replace('\n', '\\n'))
for part in msg.iter_attachments():
    if part.get_content_type() == 'message/rfc822':
        what = 'subject=' + str(part.get_payload()[0]['Subject'])
    else:
        what = hashlib.sha256(part.get_payload(decode=True) or b'').hexdigest()
    out.append('attachment: %s|%s|%s' % (part.get_filename(), part.get_content_type(), what))
defects = sum(len(p.defects) for p in msg.walk())
out.append('defects: %d' % defects)
bad = [l for l in raw.split(b'\r\n')[:-1] if len(l) > 998]
# RFC 5322 2.1.1 (SHOULD 78 in the header) and RFC 2047 2 (encoded words of 75
# at most), in the top-level header block.
head = raw.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
out.append('header-over-78: %d' % sum(1 for l in head if len(l) > 78))
words = re.findall(rb'=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=', b'\n'.join(head))
out.append('encoded-words-over-75: %d' % sum(1 for w in words if len(w) > 75))
out.append('crlf: %s' % ('yes' if raw.count(b'\n') == raw.count(b'\r\n') else 'no'))
out.append('long-lines: %d' % len(bad))
for path in sys.argv[2:]:
    with open(path, 'rb') as f:
        out.append('file: %s' % hashlib.sha256(f.read()).hexdigest())
sys.stdout.write('\n'.join(out) + '\n')
