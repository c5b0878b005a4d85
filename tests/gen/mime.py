"""MIME building blocks for genmail.py: RFC 2047 words, addresses, dates, bodies, parts.

Messages are built as bytes with LF line ends (Maildir stores LF; the IMAP writer turns
them into CRLF). Entities are (header lines, body bytes) pairs. Raw string building rather
than the email package: 100,000 messages must be generated in seconds.
"""
import base64
import binascii
import struct
import time
import zlib

from corpus import CODEC

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
SPECIALS = set('()<>[]:;@\\,."')


def date_5322(t, tz_min):
    g = time.gmtime(t + tz_min * 60)
    sign = "+" if tz_min >= 0 else "-"
    a = abs(tz_min)
    return "%s, %02d %s %d %02d:%02d:%02d %s%02d%02d" % (
        DAYS[g.tm_wday], g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year, g.tm_hour, g.tm_min, g.tm_sec,
        sign, a // 60, a % 60)


def date_imap(t):
    g = time.gmtime(t)
    return "%02d-%s-%d %02d:%02d:%02d +0000" % (g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year,
                                                 g.tm_hour, g.tm_min, g.tm_sec)


def _q(raw):
    return "".join(chr(b) if b in Q_SAFE else ("_" if b == 32 else "=%02X" % b) for b in raw)


def encoded_words(text, charset, mode=None):
    """RFC 2047 encoded words for text, each <= 75 chars, never splitting a character
    (and so never an ISO-2022-JP escape sequence: each chunk is encoded on its own)."""
    codec = CODEC[charset]
    if mode is None:
        mode = "Q" if charset in ("iso-8859-1", "windows-1252") else "B"
    pre = "=?%s?%s?" % (charset, mode)
    words, chunk = [], ""
    for ch in text:
        trial = chunk + ch
        raw = trial.encode(codec)
        body = _q(raw) if mode == "Q" else base64.b64encode(raw).decode()
        if len(pre) + len(body) + 2 > 75 and chunk:
            words.append(_word(pre, chunk, codec, mode))
            chunk = ch
        else:
            chunk = trial
    if chunk:
        words.append(_word(pre, chunk, codec, mode))
    return words


def _word(pre, chunk, codec, mode):
    raw = chunk.encode(codec)
    return pre + (_q(raw) if mode == "Q" else base64.b64encode(raw).decode()) + "?="


def fold(name, tokens):
    """'Name: t1 t2 ...' folded before a token that would pass 78 columns."""
    lines, cur = [], name + ":"
    for tok in tokens:
        if len(cur) + 1 + len(tok) > 78 and cur != name + ":":
            lines.append(cur)
            cur = " " + tok
        else:
            cur += " " + tok
    lines.append(cur)
    return "\n".join(lines)


def unstructured(name, text, charset, mode=None):
    """An unstructured header (Subject): plain if ASCII, else encoded words."""
    if text.isascii() and "=?" not in text:
        return fold(name, text.split(" "))
    cs = charset if _encodable(text, charset) else "utf-8"
    return fold(name, encoded_words(text, cs, mode))


def _encodable(text, charset):
    try:
        text.encode(CODEC[charset])
        return True
    except UnicodeEncodeError:
        return False


def phrase(name, charset):
    """A display name as a phrase: atoms, a quoted string, or encoded words."""
    if name.isascii():
        if any(c in SPECIALS for c in name):
            return ['"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"']
        return name.split(" ")
    cs = charset if _encodable(name, charset) else "utf-8"
    return encoded_words(name, cs)


def address_header(hname, people, charset):
    toks = []
    for k, (name, email) in enumerate(people):
        ph = phrase(name, charset) if name else []
        last = "<%s>" % email if ph else email
        if k < len(people) - 1:
            last += ","
        toks.extend(ph + [last])
    return fold(hname, toks)


def body_bytes(text, charset, cte):
    raw = text.encode(CODEC[charset])
    if cte == "quoted-printable":
        return binascii.b2a_qp(raw, istext=True)
    if cte == "base64":
        return base64.encodebytes(raw)
    return raw if raw.endswith(b"\n") else raw + b"\n"


def leaf(ctype, body, cte, extra=()):
    h = ["Content-Type: " + ctype]
    if cte:
        h.append("Content-Transfer-Encoding: " + cte)
    h.extend(extra)
    return (h, body)


def multipart(subtype, parts, boundary, preamble=False):
    out = [b"This is a multi-part message in MIME format.\n"] if preamble else []
    for h, body in parts:
        out.append(b"--" + boundary.encode() + b"\n" + "\n".join(h).encode() + b"\n\n"
                   + (body[:-1] if body.endswith(b"\n") else body) + b"\n")
    out.append(b"--" + boundary.encode() + b"--\n")
    return (['Content-Type: multipart/%s;\n boundary="%s"' % (subtype, boundary)], b"".join(out))


def entity_bytes(ent):
    h, body = ent
    return "\n".join(h).encode() + b"\n\n" + body


def attachment_params(filename):
    """Content-Type name= and Content-Disposition filename= for filename. A non-ASCII name gets
    RFC 2231 filename*= plus the (non-standard but ubiquitous) RFC 2047 name=, as Outlook sends."""
    if filename.isascii():
        return '; name="%s"' % filename, '; filename="%s"' % filename
    pct = "".join(chr(b) if b < 128 and (chr(b).isalnum() or chr(b) in "-._") else "%%%02X" % b
                  for b in filename.encode("utf-8"))
    w = " ".join(encoded_words(filename, "utf-8"))
    return ';\n name="%s"' % w, ";\n filename*=utf-8''%s" % pct


# --- binary payloads ------------------------------------------------------------------

def png(width, height, rng):
    """A real PNG; noise pixels, so its size is about width*height*3 bytes."""
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def pdf(size, rng, title="Report"):
    """A small valid PDF (one page of text) padded to about size bytes with an image-like stream."""
    text = "BT /F1 18 Tf 72 720 Td (%s) Tj ET" % title.encode("ascii", "replace").decode()
    pad = rng.randbytes(max(0, size - 700))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height %d /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 /Length %d >>\nstream\n" % (len(pad), len(pad)) + pad + b"\nendstream"]
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offs, pos = [], len(out[0])
    for n, o in enumerate(objs, 1):
        piece = b"%d 0 obj\n" % n + o + b"\nendobj\n"
        offs.append(pos)
        pos += len(piece)
        out.append(piece)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out.append(xref + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, pos))
    return b"".join(out)
