#!/usr/bin/python3
"""campaign.py: the random SIGKILL campaign behind tests/reliability/campaign.sh.

Each round makes random local changes through tern's CLI (flag, move, delete, send; queued with
--no-sync), random changes through another client (imapctl.py), then runs `tern sync --once`
and kills it with SIGKILL at a random moment. After the last round a clean sync, then the checks:
PRAGMA integrity_check, no message delivered twice (SMTP sink) or filed twice in Sent, every send
delivered and filed or still queued or held ("may have gone out"), nothing else left in the
queue, and the database equals the server: `tern list --json` of each folder against the server's
UIDs and flags, and imap_mirror.py. Exit 0 when no check failed."""
import argparse
import glob
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..")
PY = "/usr/bin/python3"
IMAPCTL = os.path.join(SRC, "tests", "servers", "imapctl.py")
MIRROR = os.path.join(SRC, "tests", "integration", "imap_mirror.py")
FOLDERS = ("INBOX", "Archive", "Trash")


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


class Campaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.fig = dict(rounds=0, kills=0, completed=0, changes=0, refused=0, remote=0, sends=0)
        self.fail = {}
        self.sent_ids = []
        self.window = a.window

    def failure(self, kind, text):
        self.fail.setdefault(kind, []).append(text)

    def tern(self, *args, stdin=None):
        return run([self.a.tern, "-c", self.a.conf] + list(args), input=stdin)

    def ic(self, *args):
        return run([PY, IMAPCTL] + list(args))

    def sql(self, q):
        con = sqlite3.connect(self.a.db, timeout=10)
        try:
            return con.execute(q).fetchall()
        finally:
            con.close()

    def visible(self):
        return self.sql("SELECT mm.message_id, b.name FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id"
                        " WHERE mm.hidden = 0 AND b.name IN ('INBOX', 'Archive', 'Trash') ORDER BY 1")

    def local_change(self):
        kind = self.rng.choice(("flag", "flag", "move", "delete", "send"))
        rows = self.visible()
        if kind == "send" or not rows:
            n = len(self.sent_ids) + 1
            mid = "camp-%d-%d@localhost" % (self.a.seed, n)
            msg = "From: %s\nTo: %s\nSubject: campaign %d\nMessage-ID: <%s>\n\nround %d\n" % (
                os.environ["EMAIL1"], os.environ["EMAIL2"], n, mid, self.fig["rounds"])
            r = self.tern("send", "--no-sync", "a", stdin=msg)
            if r.returncode == 0:
                self.sent_ids.append(mid)
                self.fig["sends"] += 1
        else:
            mid, box = self.rng.choice(rows)
            if kind == "flag":
                r = self.tern("flag", "--no-sync", str(mid), self.rng.choice("+-") +
                              self.rng.choice(("seen", "flagged", "answered")))
            elif kind == "move":
                r = self.tern("move", "--no-sync", str(mid), self.rng.choice([b for b in FOLDERS if b != box]))
            else:
                r = self.tern("delete", "--no-sync", str(mid))
        self.fig["changes"] += 1
        if r.returncode != 0:
            self.fig["refused"] += 1

    def remote_change(self):
        box = self.rng.choice(FOLDERS)
        uids = self.ic("uids", box).stdout.split()
        what = self.rng.choice(("store", "store", "append", "expunge", "move"))
        if what == "append" or len(uids) < 10:   # keeps mail in every folder on long runs
            n = self.fig["remote"] + 1
            raw = "From: other@example.org\r\nSubject: remote %d\r\nMessage-ID: <remote-%d-%d@x>\r\n\r\nhi\r\n" % (
                n, self.a.seed, n)
            run([PY, IMAPCTL, "append", box, "-"], input=raw)
        else:
            uid = self.rng.choice(uids)
            if what == "store":
                self.ic("store", box, uid, self.rng.choice(("+FLAGS", "-FLAGS")),
                        self.rng.choice(("\\Seen", "\\Flagged", "\\Answered")))
            elif what == "expunge":
                self.ic("expunge", box, uid)
            else:
                self.ic("move", box, uid, self.rng.choice([b for b in FOLDERS if b != box]))
        self.fig["remote"] += 1

    def intact(self, when):
        r = run(["sqlite3", self.a.db, "PRAGMA integrity_check"])
        if r.stdout.strip() != "ok":
            self.failure("integrity", "%s: %s%s" % (when, r.stdout.strip(), r.stderr.strip()))

    def round(self):
        self.fig["rounds"] += 1
        for _ in range(self.rng.randint(1, 4)):
            self.local_change()
        for _ in range(self.rng.randint(0, 2)):
            self.remote_change()
        t0 = time.monotonic()
        p = subprocess.Popen([self.a.tern, "-c", self.a.conf, "sync", "--once"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # Within about a sync's time: most rounds kill, at any stage of it.
            p.wait(timeout=self.rng.uniform(0.0, self.window))
            self.fig["completed"] += 1
            self.window = min(self.a.window, max(0.05, (time.monotonic() - t0) * 1.3))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.fig["kills"] += 1
            # Slow syncs (a loaded machine) widen the window, so that kills
            # still reach the pushes at the end of a sync.
            self.window = min(self.a.window * 4, self.window * 1.15)
        self.intact("after round %d" % self.fig["rounds"])

    def sink(self, mid):
        n = 0
        for f in glob.glob(os.path.join(self.a.spool, "*.eml")):
            with open(f, "rb") as fh:
                if ("<%s>" % mid).encode() in fh.read():
                    n += 1
        return n

    def finish(self):
        for _ in range(3):
            r = self.tern("sync", "--once")
            if not self.sql("SELECT 1 FROM pending_change WHERE status != 'failed'"):
                break
        if r.returncode not in (0, 1):
            self.failure("clean sync", "exit %d: %s" % (r.returncode, r.stderr.strip()))
        self.intact("after the clean sync")
        sent = self.ic("msgids", "Sent").stdout
        held = {mid.strip("<>"): 1 for (mid,) in self.sql(
            "SELECT o.message_id FROM pending_change p JOIN outbox o ON o.id = p.resource_id"
            " WHERE p.resource_type = 'Outbox' AND p.status = 'failed' AND p.last_error LIKE '%may have gone out%'")}
        queued = {mid.strip("<>") for (mid,) in self.sql("SELECT message_id FROM outbox")}
        self.fig["held"] = len(held)
        self.fig["held_delivered"] = 0
        for mid in self.sent_ids:
            d, s = self.sink(mid), sent.count("<%s>" % mid)
            if d > 1:
                self.failure("delivered twice", "%s: %d times" % (mid, d))
            if s > 1:
                self.failure("filed twice", "%s: %d copies in Sent" % (mid, s))
            if mid in held:
                self.fig["held_delivered"] += d
            elif mid in queued:
                self.failure("send left queued", mid)
            elif d != 1 or s != 1:
                self.failure("send not delivered and filed once", "%s: delivered %d, in Sent %d" % (mid, d, s))
        for row in self.sql("SELECT id, change_type, status, last_error FROM pending_change"
                            " WHERE resource_type != 'Outbox' OR last_error NOT LIKE '%may have gone out%'"):
            self.failure("queue not empty", "%s" % (row,))
        for box in FOLDERS + ("Sent",):
            self.compare_list(box)
        m = run([PY, MIRROR, "-s", "dovecot", "--no-att", self.a.db, "a"])
        if m.returncode != 0:
            self.failure("database differs from the server", (m.stdout + m.stderr).strip()[:2000])

    def compare_list(self, box):
        """What `tern list --json` shows of BOX against the server's UIDs and flags."""
        r = self.tern("list", "--json", "--limit", "1000000", "a", box)
        if r.returncode != 0:
            self.failure("tern list", "%s: exit %d: %s" % (box, r.returncode, r.stderr.strip()))
            return
        local = {}
        for line in r.stdout.splitlines():
            m = json.loads(line)
            local[m["uid"]] = (bool(m["seen"]), bool(m["flagged"]), bool(m["answered"]))
        server = {}
        for line in self.ic("flags", box).stdout.splitlines():
            uid, _, fl = line.partition("\t")
            server[int(uid)] = ("\\Seen" in fl, "\\Flagged" in fl, "\\Answered" in fl)
        if local != server:
            diff = sorted(set(local.items()) ^ set(server.items()))[:10]
            self.failure("tern list differs from the server", "%s: %d local, %d on the server; first differences"
                         " (uid, (seen, flagged, answered)): %s" % (box, len(local), len(server), diff))

    def report(self):
        f = self.fig
        lines = ["seed %d (%s): %d rounds, %d kills (%d syncs finished first), %d local changes (%d refused by the CLI),"
                 " %d remote changes, %d sends, %d held as 'may have gone out' (%d of them really delivered)" % (
                     self.a.seed, self.a.mode, f["rounds"], f["kills"], f["completed"], f["changes"], f["refused"], f["remote"],
                     f["sends"], f.get("held", 0), f.get("held_delivered", 0))]
        if self.fail:
            lines.append("failures: " + ", ".join("%s %d" % (k, len(v)) for k, v in sorted(self.fail.items())))
            for k, v in sorted(self.fail.items()):
                for t in v[:5]:
                    lines.append("  %s: %s" % (k, t))
        else:
            lines.append("failures: none")
        return "\n".join(lines)


BEGIN, END = "<!-- campaign: begin (written by tests/reliability/campaign.sh --doc) -->", "<!-- campaign: end -->"


HEAD = ("| date | seed | server | minutes | rounds | SIGKILLs | syncs that finished first | local changes"
        " (refused by the CLI) | remote changes | sends | held as \"may have gone out\" | of those, delivered"
        " | failures by kind |\n" + "|---" * 13 + "|\n")


def write_doc(self, path, minutes):
    """One row per seed and server mode in the block between BEGIN and END; a new run of the
    same seed and mode replaces its row."""
    with open(path) as f:
        text = f.read()
    i, j = text.index(BEGIN) + len(BEGIN), text.index(END)
    f = self.fig
    kinds = ", ".join("%s: %d" % (k, len(v)) for k, v in sorted(self.fail.items())) or "none"
    key = "| %d | Dovecot, %s |" % (self.a.seed, self.a.mode)
    row = "| %s %s %g | %d | %d | %d | %d (%d) | %d | %d | %d | %d | %s |\n" % (
        time.strftime("%Y-%m-%d", time.gmtime()), key, minutes, f["rounds"], f["kills"], f["completed"],
        f["changes"], f["refused"], f["remote"], f["sends"], f.get("held", 0), f.get("held_delivered", 0), kinds)
    rows = [r + "\n" for r in text[i:j].splitlines() if r.startswith("| 2") and key not in r]
    with open(path, "w") as out:
        out.write(text[:i] + "\n" + HEAD + "".join(rows) + row + text[j:])


Campaign.write_doc = write_doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--minutes", type=float, default=0, help="run rounds until this much time has passed")
    ap.add_argument("--window", type=float, default=1.5, help="the kill comes within this many seconds")
    ap.add_argument("--tern", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--spool", required=True)
    ap.add_argument("--mode", default="full", help="the server's capabilities, for the figures")
    ap.add_argument("--doc", help="write the figures into this file's campaign block (doc/RELIABILITY.md)")
    a = ap.parse_args()
    c = Campaign(a)
    r = c.tern("sync", "--once")
    if r.returncode != 0:
        print("the first sync failed: %s" % r.stderr.strip())
        return 1
    end = time.monotonic() + a.minutes * 60
    while (a.minutes and time.monotonic() < end) or (not a.minutes and c.fig["rounds"] < a.rounds):
        c.round()
    c.finish()
    print(c.report())
    if a.doc:
        c.write_doc(a.doc, a.minutes)
    return 1 if c.fail else 0


if __name__ == "__main__":
    sys.exit(main())
