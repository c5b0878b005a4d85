#!/usr/bin/python3
"""imapctl.py: act as "another IMAP client" on a lab server (stdlib imaplib).

  imapctl.py [-s dovecot|cyrus|nostarttls] [--port P] [--tls none|starttls|implicit]
             [-u USER] [-p PASS] COMMAND ARGS...

Defaults: -s dovecot, plain port, no TLS, -u $USER1 (alice), the lab's password of USER
(PASSn of the USERn in the env).
Ports and CA come from the lab's env ($TERN_LAB/env, or the variables already exported).
Folder names are given and printed in UTF-8 (modified UTF-7 on the wire).
UIDSET is an IMAP UID set (1,3:5,*) or mid:<Message-ID> (the message with that Message-ID).

  caps                          capabilities after login, one line
  list                          FLAGS<TAB>NAME per folder
  status FOLDER                 JSON {messages, unseen, uidnext, uidvalidity, highestmodseq}
  count FOLDER                  number of messages
  uids FOLDER [CRITERIA...]     UIDs matching (default ALL), space-separated
  flags FOLDER [UIDSET]         UID<TAB>FLAGS per message
  msgids FOLDER                 UID<TAB>Message-ID per message
  find FOLDER MESSAGE-ID        the UID (exit 1 if none)
  fetch FOLDER UID              the raw message (BODY.PEEK[]) on stdout
  store FOLDER UIDSET OP FLAGS  OP: +FLAGS, -FLAGS or FLAGS; FLAGS e.g. '\\Seen $Label1'
  append FOLDER FILE|- [--flags F] [--date D]   prints the new UID (UIDPLUS)
  expunge FOLDER UIDSET         \\Deleted + UID EXPUNGE
  move FOLDER UIDSET DEST       UID MOVE; prints the new UIDs (COPYUID)
  copy FOLDER UIDSET DEST       UID COPY; prints the new UIDs
  create NAME | delete NAME | rename OLD NEW | subscribe NAME | unsubscribe NAME
  raw FOLDER|- 'COMMAND ARGS'   any command (after SELECT FOLDER unless -); prints the responses
Exit: 0 ok, 1 the server said NO/BAD or nothing matched, 2 usage.
"""
import argparse
import imaplib
import json
import os
import re
import ssl
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree (it may be read-only)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
import mutf7  # noqa: E402


def lab_env():
    env = dict(os.environ)
    lab = env.get("TERN_LAB")
    if lab and os.path.exists(os.path.join(lab, "env")):
        with open(os.path.join(lab, "env")) as f:
            for line in f:
                for m in re.finditer(r'(\w+)=("[^"]*"|\S+)', line.replace("export ", "", 1)):
                    env.setdefault(m.group(1), m.group(2).strip('"'))
    return env


def lab_password(env, user):
    """The lab's password of user (per lab: USERn/PASSn in the env file)."""
    for n in (1, 2, 3):
        if env.get("USER%d" % n) == user and "PASS%d" % n in env:
            return env["PASS%d" % n]
    if env.get("CYRUS_ADMIN") == user and "CYRUS_ADMIN_PASS" in env:
        return env["CYRUS_ADMIN_PASS"]
    return user + "pw"


def q(name):
    return '"' + mutf7.encode(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Ctl:
    def __init__(self, a):
        env = lab_env()
        var = {"dovecot": "DOVECOT_IMAP_PORT", "cyrus": "CYRUS_IMAP_PORT", "nostarttls": "DOVECOT_NOSTARTTLS_PORT"}[a.server]
        if not a.port and var not in env:
            raise LookupError("no %s: set TERN_LAB (or source the lab's env), or give --port" % var)
        port = a.port or int(env[var])
        if a.tls != "none":
            ctx = ssl.create_default_context(cafile=env.get("CA_FILE"))
        if a.tls == "implicit":
            if not a.port:
                port = int(env["DOVECOT_IMAPS_PORT" if a.server == "dovecot" else "CYRUS_IMAPS_PORT"])
            self.c = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
        else:
            self.c = imaplib.IMAP4("127.0.0.1", port)
            if a.tls == "starttls":
                self.c.starttls(ssl_context=ctx)
        user = a.user or env.get("USER1", "alice")
        self.c.login(user, a.password or lab_password(env, user))

    def ok(self, typ, data, what):
        if typ != "OK":
            raise imaplib.IMAP4.error("%s: %s" % (what, b" ".join(d for d in data if isinstance(d, bytes)).decode()))
        return data

    def select(self, folder, readonly=False):
        self.ok(*self.c.select(q(folder), readonly), "SELECT " + folder)

    def uidset(self, s):
        if s.startswith("mid:"):
            uids = self.search(["HEADER", "Message-ID", '"%s"' % s[4:]])
            if not uids:
                raise LookupError("no message with Message-ID %s" % s[4:])
            return ",".join(uids)
        return s

    def search(self, crit):
        data = self.ok(*self.c.uid("SEARCH", *crit), "SEARCH")
        return data[0].decode().split() if data and data[0] else []

    def fetch_pairs(self, uids, item):
        """[(uid, response head, literal or None)] for UID FETCH uids item."""
        data = self.ok(*self.c.uid("FETCH", uids, item), "FETCH")
        out = []
        for d in data:
            head, lit = d if isinstance(d, tuple) else (d, None)
            m = re.search(rb"UID (\d+)", head or b"")
            if m:
                out.append((int(m.group(1)), head, lit))
        return out

    def raw(self, line):
        """Send one command line; return every response line, the tagged one last."""
        tag = self.c._new_tag()
        self.c.send(tag + b" " + line.encode() + b"\r\n")
        lines = []
        while True:
            ln = self.c._get_line()
            lines.append(ln)
            if ln.startswith(tag + b" "):
                if ln.split()[1] != b"OK":
                    raise imaplib.IMAP4.error(ln.decode("utf-8", "replace"))
                return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-s", "--server", choices=["dovecot", "cyrus", "nostarttls"], default="dovecot")
    ap.add_argument("--port", type=int)
    ap.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    ap.add_argument("-u", "--user")
    ap.add_argument("-p", "--password")
    ap.add_argument("--flags", default="")
    ap.add_argument("--date")
    ap.add_argument("cmd")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    try:
        return run(a)
    except (imaplib.IMAP4.error, LookupError) as e:
        print("imapctl: %s" % e, file=sys.stderr)
        return 1


def run(a):
    x = Ctl(a)
    c, args = x.c, a.args
    cmd = a.cmd
    if cmd == "caps":
        typ, data = c.capability()
        print(data[0].decode())
    elif cmd == "list":
        for d in x.ok(*c.list(), "LIST"):
            m = re.match(rb'\((.*?)\) (?:"."|NIL) (.*)$', d)
            name = m.group(2).decode().strip('"')
            print("%s\t%s" % (m.group(1).decode(), mutf7.decode(name)))
    elif cmd in ("status", "count"):
        data = x.ok(*c.status(q(args[0]), "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)"), "STATUS")
        vals = dict(re.findall(rb"([A-Z]+) (\d+)", data[0].rsplit(b"(", 1)[1]))
        st = {k.decode().lower(): int(v) for k, v in vals.items()}
        print(st["messages"] if cmd == "count" else json.dumps(st))
    elif cmd == "uids":
        x.select(args[0], True)
        print(" ".join(x.search(args[1:] or ["ALL"])))
    elif cmd in ("flags", "msgids"):
        x.select(args[0], True)
        uids = x.uidset(args[1]) if len(args) > 1 else "1:*"
        if not x.search(["UID", uids]):
            return 0
        item = "(FLAGS)" if cmd == "flags" else "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
        for uid, head, lit in x.fetch_pairs(uids, item):
            if cmd == "flags":
                print("%d\t%s" % (uid, re.search(rb"FLAGS \((.*?)\)", head).group(1).decode()))
            else:
                hdr = (lit or b"").decode("utf-8", "replace").replace("\r\n ", " ")
                m = re.search(r"(?im)^message-id:\s*(<[^>]*>)", hdr)
                print("%d\t%s" % (uid, m.group(1) if m else ""))
    elif cmd == "find":
        x.select(args[0], True)
        uids = x.search(["HEADER", "Message-ID", '"%s"' % args[1]])
        if not uids:
            return 1
        print(uids[0])
    elif cmd == "fetch":
        x.select(args[0], True)
        pairs = x.fetch_pairs(x.uidset(args[1]), "(BODY.PEEK[])")
        if not pairs:
            return 1
        sys.stdout.buffer.write(pairs[0][2])
    elif cmd == "store":
        x.select(args[0])
        x.ok(*c.uid("STORE", x.uidset(args[1]), args[2], "(%s)" % args[3]), "STORE")
    elif cmd == "append":
        data = sys.stdin.buffer.read() if args[1] == "-" else open(args[1], "rb").read()
        data = re.sub(rb"\r?\n", b"\r\n", data)
        date = '"%s"' % a.date if a.date else None
        typ, resp = c.append(q(args[0]), "(%s)" % a.flags if a.flags else None, date, data)
        x.ok(typ, resp, "APPEND")
        m = re.search(rb"APPENDUID \d+ (\d+)", resp[0] or b"")
        print(m.group(1).decode() if m else "")
    elif cmd == "expunge":
        x.select(args[0])
        uids = x.uidset(args[1])
        x.ok(*c.uid("STORE", uids, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        x.ok(*c.uid("EXPUNGE", uids), "UID EXPUNGE")
    elif cmd in ("move", "copy"):
        x.select(args[0])
        lines = x.raw("UID %s %s %s" % (cmd.upper(), x.uidset(args[1]), q(args[2])))
        m = re.search(rb"COPYUID \d+ \S+ ([^\]\s]+)", b"\n".join(lines))
        print(m.group(1).decode() if m else "")
    elif cmd in ("create", "delete", "subscribe", "unsubscribe"):
        x.ok(*getattr(c, cmd)(q(args[0])), cmd.upper())
    elif cmd == "rename":
        x.ok(*c.rename(q(args[0]), q(args[1])), "RENAME")
    elif cmd == "raw":
        if args[0] != "-":
            x.select(args[0])
        for ln in x.raw(args[1]):
            print(ln.decode("utf-8", "replace"))
    else:
        print("imapctl: unknown command %r" % cmd, file=sys.stderr)
        return 2
    try:
        c.logout()
    except (imaplib.IMAP4.error, OSError):
        pass
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # e.g. piped into head
        sys.exit(0)
