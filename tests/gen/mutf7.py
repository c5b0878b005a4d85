"""Modified UTF-7 for IMAP mailbox names (RFC 3501 section 5.1.3), stdlib only."""
import base64


def encode(name):
    out, buf = [], []

    def flush():
        if buf:
            b = base64.b64encode("".join(buf).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b.replace("/", ",") + "-")
            buf.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def decode(name):
    out, i = [], 0
    while i < len(name):
        ch = name[i]
        if ch != "&":
            out.append(ch)
            i += 1
            continue
        j = name.index("-", i)
        if j == i + 1:
            out.append("&")
        else:
            b = name[i + 1:j].replace(",", "/")
            b += "=" * (-len(b) % 4)
            out.append(base64.b64decode(b).decode("utf-16-be"))
        i = j + 1
    return "".join(out)
