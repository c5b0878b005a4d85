"""Where genmail.py puts messages: Dovecot's Maildir, an IMAP server, files, or a parse check.

Each writer has prepare([(folder, keywords)...]) before any message, add(folder, data, flags,
t, i) (data: bytes with LF line ends, flags: IMAP flag and keyword names, t: INTERNALDATE as
epoch seconds, i: the message's number in the whole load), part_done() -> status once a process
has added its share (genmail may fork several), and finish() -> status at the very end.
"""
import email
import email.policy
import os
import shlex
import socket
import ssl
import subprocess
import sys

import mime
import mutf7


def make(a, folders):
    if a.out == "maildir":
        return MaildirWriter(a, folders)
    if a.out == "imap":
        return ImapWriter(a, folders)
    if a.out == "files":
        return FilesWriter(a, folders)
    return CheckWriter()


# --- Dovecot Maildir, written directly -----------------------------------------------------

MAILDIR_FLAGS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}


class MaildirWriter:
    """Files named T.M<i>P<pid>.tern-gen,S=<size>,W=<crlf size>:2,<flags> in cur/, where T is the
    INTERNALDATE: Dovecot gives new files their UIDs in the order of that leading time, and S=/W=
    spare it a stat and a read. mtime = INTERNALDATE. Owned by mail (uid/gid of the Maildir's
    owner), written in tmp/ and renamed, so a running Dovecot never sees half a file.
    Keywords go into each folder's dovecot-keywords (letters a..z). Afterwards `doveadm index`
    makes Dovecot take the files in and build its cache before any client asks."""

    def __init__(self, a, folders):
        if not a.doveadm:
            sys.exit("genmail: --out maildir needs --doveadm")
        self.a = a
        self.doveadm = shlex.split(a.doveadm)
        have = set(self.dove("mailbox", "list", "-u", a.user).splitlines())
        missing = [f for f in folders if f not in have]
        if missing:
            self.dove("mailbox", "create", "-u", a.user, "-s", *missing)
        self.dirs = {}
        for f in folders:
            d = self.dove("mailbox", "path", "-u", a.user, f).strip()
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(d, sub), exist_ok=True)
            self.dirs[f] = d
        st = os.stat(self.dirs[folders[0]])
        self.uid, self.gid = st.st_uid, st.st_gid
        for d in self.dirs.values():
            for sub in ("", "cur", "new", "tmp"):
                os.chown(os.path.join(d, sub), self.uid, self.gid)
        self.keywords = {f: self.read_keywords(d) for f, d in self.dirs.items()}
        self.pid = os.getpid()

    def prepare(self, folder_keywords):
        # Letters are fixed before any worker forks, so every process maps a keyword alike.
        for f, kws in folder_keywords:
            kw = self.keywords[f]
            for k in kws:
                if k not in kw:
                    kw[k] = len(kw)

    def part_done(self):
        return 0

    def dove(self, *args):
        p = subprocess.run(self.doveadm + list(args), capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("genmail: %s failed: %s" % (" ".join(self.doveadm + list(args)), p.stderr.strip()))
        return p.stdout

    @staticmethod
    def read_keywords(d):
        kw = {}
        try:
            with open(os.path.join(d, "dovecot-keywords"), encoding="utf-8") as f:
                for line in f:
                    n, _, name = line.rstrip("\n").partition(" ")
                    kw[name] = int(n)
        except OSError:
            pass
        return kw

    def add(self, folder, data, flags, t, i):
        kw = self.keywords[folder]
        letters = []
        for fl in flags:
            if fl in MAILDIR_FLAGS:
                letters.append(MAILDIR_FLAGS[fl])
            elif kw[fl] < 26:
                letters.append(chr(ord("a") + kw[fl]))
        d = self.dirs[folder]
        base = "%d.M%dP%d.tern-gen,S=%d,W=%d" % (t, i, self.pid, len(data), len(data) + data.count(b"\n"))
        tmp = os.path.join(d, "tmp", base)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fchown(fd, self.uid, self.gid)
            os.utime(fd, (t, t))
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(d, "cur", base + ":2," + "".join(sorted(letters))))

    def finish(self):
        for f, kw in self.keywords.items():
            if not kw:
                continue
            path = os.path.join(self.dirs[f], "dovecot-keywords")
            with open(path + ".tmp", "w", encoding="utf-8") as fh:
                for name, n in sorted(kw.items(), key=lambda x: x[1]):
                    fh.write("%d %s\n" % (n, name))
            os.chown(path + ".tmp", self.uid, self.gid)
            os.rename(path + ".tmp", path)
        if not self.a.no_index:
            # One mailbox per call: "doveadm index" takes a single mailbox mask.
            for f in self.dirs:
                self.dove("index", "-u", self.a.user, f)
        return 0


# --- IMAP APPEND -------------------------------------------------------------------------------

class Imap:
    """Just enough IMAP for loading: LOGIN, LIST, CREATE, SUBSCRIBE, APPEND."""

    def __init__(self, host, port, tls="none", ca_file=None):
        self.sock = socket.create_connection((host, port), timeout=600)
        ctx = None
        if tls != "none":
            ctx = ssl.create_default_context(cafile=ca_file)
        if tls == "implicit":
            self.sock = ctx.wrap_socket(self.sock, server_hostname=host)
        self.f = self.sock.makefile("rb")
        self.greeting = self.f.readline()
        self.n = 0
        if tls == "starttls":
            self.cmd("STARTTLS")
            self.sock = ctx.wrap_socket(self.sock, server_hostname=host)
            self.f = self.sock.makefile("rb")
        self.caps = set()

    def cmd(self, text, payload=b""):
        """Send a command (payload: raw bytes appended, for APPEND); return untagged lines."""
        self.n += 1
        tag = b"g%d" % self.n
        self.sock.sendall(tag + b" " + text.encode() + payload + b"\r\n")
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise OSError("IMAP connection closed during %s" % text.split(" ")[0])
            if line.endswith(b"}\r\n") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
                line += self.f.read(n) + self.f.readline()
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].startswith(b"OK"):
                    raise OSError("IMAP %s failed: %s" % (text.split(" ")[0], line.decode("utf-8", "replace").strip()))
                return lines, line
            lines.append(line)

    def login(self, user, password):
        _, ok = self.cmd("LOGIN %s %s" % (quote(user), quote(password)))
        lines, _ = self.cmd("CAPABILITY")
        for ln in lines:
            if ln.upper().startswith(b"* CAPABILITY "):
                self.caps = set(ln[13:].decode().upper().split())


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapWriter:
    """Batches of --batch messages per APPEND (MULTIAPPEND, RFC 3502) with non-synchronising
    literals (LITERAL+, RFC 7888), so a batch is one write and one round trip."""

    def __init__(self, a, folders):
        if not (a.port and a.password):
            sys.exit("genmail: --out imap needs --port and --password")
        self.a = a
        self.c = Imap(a.host, a.port, a.tls, a.ca_file)
        self.c.login(a.user, a.password)
        for need in ("MULTIAPPEND", "LITERAL+"):
            if need not in self.c.caps:
                sys.exit("genmail: server lacks %s" % need)
        lines, _ = self.c.cmd('LIST "" "*"')
        have = set()
        for ln in lines:
            name = ln.decode("utf-8", "replace").rstrip("\r\n").rsplit(" ", 1)[-1].strip('"')
            have.add(mutf7.decode(name))
        for f in folders:
            if f not in have and f.upper() != "INBOX":
                self.c.cmd("CREATE " + quote(mutf7.encode(f)))
                self.c.cmd("SUBSCRIBE " + quote(mutf7.encode(f)))
        self.batches = {f: [] for f in folders}
        self.sizes = {f: 0 for f in folders}

    def prepare(self, folder_keywords):
        pass

    def part_done(self):
        return 0

    def add(self, folder, data, flags, t, i):
        data = data.replace(b"\n", b"\r\n")
        self.batches[folder].append(b" (%s) \"%s\" {%d+}\r\n" % (" ".join(flags).encode(), mime.date_imap(t).encode(),
                                                                   len(data)) + data)
        self.sizes[folder] += len(data)
        if len(self.batches[folder]) >= self.a.batch or self.sizes[folder] > 32 << 20:
            self.flush(folder)

    def flush(self, folder):
        if self.batches[folder]:
            self.c.cmd("APPEND " + quote(mutf7.encode(folder)), b"".join(self.batches[folder]))
            self.batches[folder] = []
            self.sizes[folder] = 0

    def finish(self):
        for f in self.batches:
            self.flush(f)
        try:
            self.c.cmd("LOGOUT")
        except OSError:
            pass
        return 0


# --- plain files, and the parse check ---------------------------------------------------

class FilesWriter:
    def __init__(self, a, folders):
        if not a.dir:
            sys.exit("genmail: --out files needs --dir")
        self.dir = a.dir
        for f in folders:
            os.makedirs(os.path.join(self.dir, f), exist_ok=True)

    def prepare(self, folder_keywords):
        pass

    def part_done(self):
        return 0

    def add(self, folder, data, flags, t, i):
        base = os.path.join(self.dir, folder, "%06d" % i)
        with open(base + ".eml", "wb") as f:
            f.write(data)
        with open(base + ".flags", "w") as f:
            f.write(" ".join(flags) + "\n")
        os.utime(base + ".eml", (t, t))

    def finish(self):
        return 0


# Defects that say the generator made a broken message. Others (e.g. a missing
# MIME-Version in a forwarded part) are not errors in real mail either.
BAD_DEFECTS = ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect",
               "InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect",
               "MissingHeaderBodySeparatorDefect", "NonPrintableDefect", "InvalidHeaderDefect",
               "HeaderMissingRequiredValue", "UndecodableBytesDefect", "ObsoleteHeaderDefect",
               "InvalidMultipartContentTransferEncodingDefect", "NoBoundaryInMultipartDefect")


# Deliberate: attachment names as RFC 2047 words inside the quoted name= parameter, as Outlook
# and old Thunderbird send them. Not standard, everywhere in real mail: a client must decode it.
TOLERATED = ("encoded word inside quoted string", "missing trailing whitespace after encoded-word")


class CheckWriter:
    """Parses each message as a client would: headers through policy=default (RFC 2047 decoding,
    address parsing), every text part decoded with its charset. Prints the first problems."""

    def __init__(self):
        self.n = 0
        self.bad = []

    def prepare(self, folder_keywords):
        pass

    def add(self, folder, data, flags, t, i):
        self.n += 1
        msg = email.message_from_bytes(data, policy=email.policy.default)
        problems = []
        for part in msg.walk():
            for k, v in part.items():
                _ = str(v)   # forces the structured parse of the header
                for d in getattr(v, "defects", ()):
                    if k.lower() == "content-type" and str(d) in TOLERATED:
                        continue
                    problems.append("%s: %s (%s)" % (k, type(d).__name__, d))
            for d in part.defects:
                if type(d).__name__ in BAD_DEFECTS:
                    problems.append(type(d).__name__)
            if part.get_content_maintype() == "text":
                try:
                    part.get_content()
                except (LookupError, UnicodeError) as e:
                    problems.append("text: %s" % e)
            elif not part.is_multipart() and part.get_content_type() != "message/rfc822":
                part.get_payload(decode=True)
        for need in ("From", "Date", "Message-ID", "Subject"):
            if msg[need] is None:
                problems.append("no " + need)
        if problems:
            self.bad.append((folder, msg["Message-ID"], sorted(set(problems))))

    def part_done(self):
        for folder, mid, probs in self.bad[:20]:
            sys.stderr.write("check: %s %s: %s\n" % (folder, mid, "; ".join(probs)))
        sys.stderr.write("check: %d messages parsed, %d with defects\n" % (self.n, len(self.bad)))
        return 1 if self.bad else 0

    def finish(self):
        return 0
