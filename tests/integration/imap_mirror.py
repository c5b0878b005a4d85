#!/usr/bin/python3
"""imap_mirror.py DB ACCOUNT [-s dovecot|cyrus] [-u USER] [--no-att]

Compares what tern stored for ACCOUNT in DB with the IMAP server, as another client sees it:
the folders, per folder the counts (mailbox.total and .unread against STATUS MESSAGES and
UNSEEN) and the messages (Message-ID, \\Seen, \\Flagged, \\Answered, size) and, unless --no-att, each message's attachment file names (parsed here with Python's email
package from BODY.PEEK[]). Prints the differences; exit 0 when there are none."""
import argparse
import email
import email.policy
import os
import re
import sqlite3
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "servers"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
import imapctl  # noqa: E402
import mutf7  # noqa: E402


def att_names(msg):
    out = set()

    def walk(p):
        if p.is_multipart() and p.get_content_maintype() == "multipart":
            for s in p.iter_parts():
                walk(s)
            return
        fn = p.get_filename()
        if fn:
            out.add(str(fn))
    walk(msg)
    return out


def server_state(a):
    c = imapctl.Ctl(argparse.Namespace(server=a.server, port=None, tls="none", user=a.user, password=None))
    typ, data = c.c.list('""', "*")
    folders = {}
    for line in data:
        m = re.match(rb'\((.*?)\) (?:"(.)"|NIL) (.*)', line)
        if not m:
            continue
        flags, name = m.group(1).decode().lower(), m.group(3).decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if "\\noselect" in flags or "\\nonexistent" in flags:
            continue
        folders[mutf7.decode(name)] = name
    state = {}
    for dname, wire in folders.items():
        # STATUS before SELECT: it is not meant for the selected mailbox (RFC 3501 6.3.10).
        typ, st = c.c.status('"%s"' % wire.replace("\\", "\\\\").replace('"', '\\"'), "(MESSAGES UNSEEN)")
        m = re.search(rb"MESSAGES (\d+) UNSEEN (\d+)", st[0] or b"")
        msgs = {None: (int(m.group(1)), int(m.group(2))) if m else None}
        c.c.select('"%s"' % wire.replace("\\", "\\\\").replace('"', '\\"'), True)
        item = "(UID FLAGS RFC822.SIZE BODY.PEEK[%s])" % ("" if not a.no_att else "HEADER.FIELDS (MESSAGE-ID)")
        uids = c.search(["ALL"])
        for i in range(0, len(uids), 500):
            for uid, head, lit in c.fetch_pairs(",".join(uids[i:i + 500]), item):
                fl = re.search(rb"FLAGS \((.*?)\)", head).group(1).decode().lower().split()
                size = int(re.search(rb"RFC822\.SIZE (\d+)", head).group(1))
                msg = email.message_from_bytes(lit or b"", policy=email.policy.default)
                mid = (msg.get("Message-ID") or "").strip().strip("<>")
                atts = frozenset() if a.no_att else frozenset(att_names(msg))
                msgs.setdefault(mid, []).append(("\\seen" in fl, "\\flagged" in fl, "\\answered" in fl, size, atts))
        state[dname] = msgs
    return state


def db_state(a):
    db = sqlite3.connect(a.db)
    acct = db.execute("SELECT id FROM account WHERE name = ?", (a.account,)).fetchone()[0]
    state = {}
    for mbid, name, sel, total, unread in db.execute(
            "SELECT id, name, selectable, total, unread FROM mailbox WHERE account_id = ?", (acct,)).fetchall():
        if not sel:
            continue
        msgs = {None: (total, unread)}
        for mid, seen, flagged, answered, size, msgid in db.execute(
                "SELECT coalesce(m.message_id,''), m.seen, m.flagged, m.answered, m.size, m.id FROM message_mailbox mm "
                "JOIN message m ON m.id = mm.message_id WHERE mm.mailbox_id = ? AND mm.hidden = 0", (mbid,)):
            atts = frozenset() if a.no_att else frozenset(
                r[0] for r in db.execute("SELECT filename FROM attachment WHERE message_id = ? AND filename <> ''", (msgid,)))
            msgs.setdefault(mid, []).append((bool(seen), bool(flagged), bool(answered), size, atts))
        state[name] = msgs
    return state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("account")
    ap.add_argument("-s", "--server", default="dovecot")
    ap.add_argument("-u", "--user")
    ap.add_argument("--no-att", action="store_true")
    ap.add_argument("--no-counts", action="store_true", help="a queued local change makes them differ on purpose")
    a = ap.parse_args()
    srv, loc = server_state(a), db_state(a)
    bad = 0
    for f in sorted(set(srv) | set(loc)):
        if f not in loc or f not in srv:
            print("folder %s: %s" % (f, "missing locally" if f not in loc else "not on the server"))
            bad += 1
            continue
        s, l = dict(srv[f]), dict(loc[f])
        if s.pop(None) != l.pop(None) and not a.no_counts:
            bad += 1
            print("%s: counts (total, unread) differ: server %s, local %s" % (f, srv[f][None], loc[f][None]))
        n = sum(len(v) for v in s.values())
        for mid in sorted(set(s) | set(l)):
            sv, lv = sorted(s.get(mid, []), key=repr), sorted(l.get(mid, []), key=repr)
            if sv != lv:
                bad += 1
                if bad <= 20:
                    print("%s <%s>: server %s, local %s" % (f, mid, sv, lv))
        print("# %s: %d messages on the server, %d local" % (f, n, sum(len(v) for v in l.values())))
    print("%d differences" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
