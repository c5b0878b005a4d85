#!/usr/bin/python3
"""genmail.py: realistic, deterministic test mail for one account (stdlib only).

  genmail.py --count N [--seed S] [--user alice] [--email alice@localhost] [--name "Alice Example"]
             [--folders SPEC] [--no-big] [--manifest FILE] --out MODE [mode options]

  --out maildir --doveadm "doveadm -c CONF"      write Maildir files straight into Dovecot's store
                                                 (folders made with doveadm, then `doveadm index`)
  --out imap --host H --port P --password PW     APPEND over IMAP: MULTIAPPEND + LITERAL+,
             [--batch 500]                       --batch messages per command (Cyrus, or any server)
  --out files --dir DIR                          DIR/<folder>/<n>.eml (LF) and DIR/<folder>/<n>.flags
  --out check                                    parse every message with Python's email package
                                                 (policy=default); exit 1 on a defect that matters

SPEC: comma-separated NAME[:WEIGHT]; default
  INBOX:62,Sent:12,Archive:12,Lists/tern-dev:8,Été:3,Отчёты:3
or "full": the default plus Drafts:1,Junk:2,Trash:2, so every special-use folder holds mail
(the demo uses it; the default stays as it is because tests are written against its mix).
--every-kind: at least one message of every kind below (the 1-3 MB and 8 MB ones included,
unless --no-big), whatever N, so a small --out check still sees them all.
N is split over the folders by weight, exactly (every folder gets at least one message when
N >= number of folders). INBOX, Sent and Archive share threads (replies cross folders: the
user's replies are in Sent); Lists/* get mailing-list traffic; Drafts gets \\Draft messages;
Junk gets spam; any other folder gets threads of its own, in the language its name suggests.

Content: threads up to 15 messages deep (In-Reply-To, References, quoted text); text/plain
(7bit, 8bit, quoted-printable, base64), format=flowed, multipart/alternative, HTML only,
multipart/mixed with PDF/PNG/ICS/patch attachments, message/rfc822 forwards, multipart/related
inline images (both nestings); subjects, names, bodies in US-ASCII, UTF-8 (with emoji),
ISO-8859-1, windows-1252, ISO-2022-JP, Shift_JIS, KOI8-R; dates over --years from --start;
flags: about 2/3 \\Seen, 1/7 \\Flagged, \\Answered where the user replied, some $Label1-5
and $Forwarded. Sizes from ~400 bytes to MBs: one message of 1-3 MB per 2000 (10 at most),
and one 8 MB PDF when N >= 1000 (--no-big: none).

Deliberate quirks, as in real mail: attachment names as RFC 2047 words inside a quoted
name= parameter (besides RFC 2231 filename*=), a 990-octet unencoded line, one-line HTML
in quoted-printable/base64, References trimmed to the first + last 19 ids.

Same --seed, --count, --user and SPEC: the same bytes, flags and dates. Message-IDs contain
the user and the seed, so loading twice with one seed duplicates them.

The manifest (JSON) has, per folder: count, unseen, flagged, answered, draft, bytes and
message_ids (in INTERNALDATE order, which is also APPEND/UID order), plus totals.
"""
import argparse
import base64
import calendar
import html
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree (it may be read-only)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus  # noqa: E402
import mime  # noqa: E402
import writers  # noqa: E402

DEFAULT_FOLDERS = "INBOX:62,Sent:12,Archive:12,Lists/tern-dev:8,Été:3,Отчёты:3"
FULL_FOLDERS = DEFAULT_FOLDERS + ",Drafts:1,Junk:2,Trash:2"
KINDS = ["plain", "flowed", "alt", "html", "mixed", "related", "longline", "fwd", "tiny", "patch", "big", "huge"]
BIG_EVERY = 2000          # one 1-3 MB message per this many...
BIG_MAX = 10              # ...but no more than this (bulk loads must stay fast)
HUGE_MIN_COUNT = 1000     # the 8 MB message only in loads of at least this many
GREETING = {"en": "Hi {first},", "fr": "Bonjour {first},", "de": "Hallo {first},",
            "ja": "{last}様", "ru": "Здравствуйте, {first}!", "pl": "Cześć {first},"}
SIGNOFF = {"en": "Best regards,", "fr": "Cordialement,", "de": "Viele Grüße", "ja": "よろしくお願いいたします。",
           "ru": "С уважением,", "pl": "Pozdrawiam,"}
RE = {"de": "AW: ", "fr": "RE : "}
MAILERS = ["Mozilla Thunderbird 115.3.1", "Microsoft Outlook 16.0", "Apple Mail (2.3731.700.6)",
           "Mutt/2.2.9 (2022-11-12)", "Roundcube Webmail/1.6.5", "K-9 Mail for Android",
           "Becky! ver. 2.81.04", "Sylpheed 3.7.0 (GTK+ 2.24.33; x86_64-pc-linux-gnu)"]
TZ = {"en": [-300, -480, 0, 60], "fr": [60, 120], "de": [60, 120], "ja": [540], "ru": [180], "pl": [60, 120]}


class Person:
    __slots__ = ("name", "email", "lang", "charsets", "tz", "mailer")

    def __init__(self, name, email, lang, charsets, tz, mailer):
        self.name, self.email, self.lang, self.charsets, self.tz, self.mailer = name, email, lang, charsets, tz, mailer

    @property
    def first(self):
        n = self.name.replace('"', "")
        if "," in n:
            return n.split(",")[1].split()[0]
        return n.split()[0] if self.lang != "ja" else n.split()[-1]

    @property
    def last(self):
        return self.name.split()[0]


class Thread:
    __slots__ = ("subject", "lang", "people", "msgs", "planned", "list")

    def __init__(self, subject, lang, people, planned, lst):
        self.subject, self.lang, self.people, self.planned, self.list = subject, lang, people, planned, lst
        self.msgs = []


class Msg:
    __slots__ = ("i", "folder", "t", "sender", "to", "cc", "thread", "parent", "kind", "flags",
                 "keywords", "seed", "charset", "msgid", "refs", "subject", "lang")


def folder_group(name):
    n = name.lower()
    if name.upper() == "INBOX" or n in ("sent", "archive", "trash"):
        return "main"
    if n.startswith("lists/"):
        return "list:" + name
    if n in ("drafts", "junk"):
        return n
    return "other:" + name


def folder_lang(name):
    if any("\u0400" <= c <= "\u04ff" for c in name):
        return "ru"
    if any("\u3040" <= c <= "\u9fff" for c in name):
        return "ja"
    if not name.isascii():
        return "fr"
    return None


def split_counts(spec, count):
    items = []
    for part in spec.split(","):
        name, _, w = part.strip().partition(":")
        items.append((name, float(w or 1)))
    total = sum(w for _, w in items)
    base = [int(count * w / total) for _, w in items]
    order = sorted(range(len(items)), key=lambda k: -(count * items[k][1] / total - base[k]))
    for k in order[:count - sum(base)]:
        base[k] += 1
    if count >= len(items):
        for k in range(len(items)):
            while base[k] == 0:
                j = max(range(len(items)), key=lambda x: base[x])
                base[j] -= 1
                base[k] += 1
    return [(items[k][0], base[k]) for k in range(len(items))]


class Generator:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.user = Person(a.name, a.email, "en", ["utf-8"], 60, MAILERS[0])
        self.people = {}
        r = self.rng
        for lang, names in corpus.NAMES.items():
            self.people[lang] = [Person(n, "%s@%s" % (lp, r.choice(corpus.DOMAINS[lang])), lang,
                                        corpus.CHARSETS[lang], r.choice(TZ[lang]), r.choice(MAILERS))
                                 for n, lp in zip(names, corpus.LOCALPARTS[lang])]
        self.all_people = [p for ps in self.people.values() for p in ps]
        self.paras = {lang: self._paragraphs(lang) for lang in corpus.NAMES}
        self.blobs = {}
        self.words_cache = {}
        self._selfcheck()

    # -- text -------------------------------------------------------------------------
    def _paragraphs(self, lang):
        r = random.Random("%s-%s" % (self.a.seed, lang))
        out = []
        for _ in range(160):
            if lang == "ja":
                text = "".join(r.choices(corpus.JA_SENTENCES, k=r.randint(1, 4)))
                out.append([text[k:k + 36] for k in range(0, len(text), 36)])
                continue
            words = corpus.WORDS[lang]
            sents = []
            for _ in range(r.randint(1, 4)):
                w = r.choices(words, k=r.randint(5, 16))
                w[0] = w[0][:1].upper() + w[0][1:]
                sents.append(" ".join(w) + r.choice([".", ".", ".", "?", "!"]))
            out.append(wrap(" ".join(sents), 72))
        return out

    def _selfcheck(self):
        for lang, css in corpus.CHARSETS.items():
            sample = "\n".join("\n".join(p) for p in self.paras[lang]) + "".join(corpus.NAMES[lang])
            sample += "".join(corpus.SUBJECTS[lang]) + GREETING[lang] + SIGNOFF[lang]
            for cs in css:
                sample.encode(corpus.CODEC[cs])   # raises if the corpus breaks a charset

    def body_lines(self, m, rng, nparas):
        lang = m.lang
        first = m.to[0].first if m.to and m.to[0] is not None else "all"
        lines = [GREETING[lang].format(first=first, last=m.to[0].last if m.to else ""), ""]
        for p in rng.choices(self.paras[lang], k=nparas):
            lines.extend(p)
            if m.charset in ("windows-1252", "utf-8") and lang == "fr" and rng.random() < 0.3:
                lines.append(rng.choice(corpus.CP1252_EXTRA))
            lines.append("")
        lines += [SIGNOFF[lang], m.sender.name.replace('"', ""), ""]
        return lines

    def text_of(self, m):
        """The plain text of m, regenerated from its seed (also used to quote it in replies)."""
        rng = random.Random(m.seed)
        if m.kind == "tiny":
            return [rng.choice(["Thanks!", "OK, done.", "+1", "Sounds good.", "Merci !", "了解しました。"]), ""]
        nparas = rng.choice([1, 1, 1, 2, 2, 2, 3, 4, 6, 12])
        return self.body_lines(m, rng, nparas)

    def full_text(self, m, plan):
        lines = self.text_of(m)
        if m.parent is not None:
            p = plan[m.parent]
            lines = lines[:-1] + ["", "On %s, %s wrote:" % (mime.date_5322(p.t, p.sender.tz),
                                                           p.sender.name.replace('"', ""))]
            lines += [("> " + x) if x else ">" for x in self.text_of(p)[:12]] + [""]
        return lines

    # -- planning ---------------------------------------------------------------------
    def plan(self):
        a, r = self.a, self.rng
        counts = split_counts(a.folders, a.count)
        labels = [f for f, c in counts for _ in range(c)]
        r.shuffle(labels)
        t0 = calendar.timegm(time.strptime(a.start, "%Y-%m-%d"))
        step = a.years * 365.25 * 86400 / max(1, a.count)
        opens = {}
        plan = []
        for i, f in enumerate(labels):
            m = Msg()
            m.i, m.folder = i, f
            m.t = int(t0 + (i + r.random() * 0.9) * step)
            g = folder_group(f)
            from_user = f.lower() in ("sent", "drafts") or (g.startswith("list:") and r.random() < 0.05)
            ths = opens.setdefault(g, [])
            th, parent = None, None
            if ths and g != "junk" and r.random() < (0.75 if from_user else 0.5):
                th = r.choice(ths[-8:])
                parent = th.msgs[-1] if r.random() < 0.7 else r.choice(th.msgs)
            else:
                th = self.new_thread(g, f, from_user)
                ths.append(th)
                if len(ths) > 40:
                    del ths[0]
            m.thread, m.parent, m.lang = th, parent, th.lang
            psender = plan[parent].sender if parent is not None else None
            if from_user:
                m.sender = self.user
                m.to = [psender] if psender is not None and psender is not self.user else th.people[:1]
            else:
                cands = [p for p in th.people if p is not psender] or th.people
                m.sender = cands[0] if parent is None else r.choice(cands)
                m.to = [self.user]
            m.cc = [p for p in th.people if p is not m.sender and p not in m.to][:3] if r.random() < 0.25 else []
            m.charset = self.charset_for(m.sender, th.lang, r)
            m.kind = self.kind_for(g, f, from_user, parent is not None, r)
            m.seed = r.getrandbits(48)
            m.subject = th.subject if parent is None else RE.get(th.lang, "Re: ") + th.subject
            if m.kind == "fwd":
                m.subject = "Fwd: " + th.subject
            dom = m.sender.email.split("@")[1]
            m.msgid = "<%s.%06d.%s.s%d@%s>" % (time.strftime("%Y%m%d%H%M%S", time.gmtime(m.t)), i,
                                               a.user, a.seed, dom)
            if parent is not None:
                p = plan[parent]
                refs = p.refs + [p.msgid]
                m.refs = refs if len(refs) <= 20 else refs[:1] + refs[-19:]
            else:
                m.refs = []
            m.flags, m.keywords = self.flags_for(f, g, i, from_user, r), []
            if r.random() < 0.07 and g != "junk":
                m.keywords.append(r.choice(["$Label1", "$Label2", "$Label3", "$Label4", "$Label5", "$Forwarded"]))
            if from_user and parent is not None and psender is not self.user:
                plan[parent].flags.add("\\Answered")
            th.msgs.append(i)
            if len(th.msgs) >= th.planned and th in ths:
                ths.remove(th)
            plan.append(m)
        self.place_big(plan)
        if a.every_kind:
            self.place_every_kind(plan)
        return counts, plan

    def place_every_kind(self, plan):
        """Give each kind the plan lacks to an ordinary incoming message (deterministic)."""
        have = {m.kind for m in plan}
        want = [k for k in KINDS if k not in have and not (k == "huge" and self.a.no_big)]
        spare = [m for m in plan if m.kind in ("plain", "alt", "flowed") and m.sender is not self.user
                 and folder_group(m.folder) == "main"]
        # The commonest kinds may lose a message each, but never their last one.
        left = {k: sum(1 for m in plan if m.kind == k) for k in ("plain", "alt", "flowed")}
        for k in want:
            while spare and left[spare[-1].kind] <= 1:
                spare.pop()
            if not spare:
                sys.exit("genmail: --every-kind needs a larger --count")
            m = spare.pop()
            left[m.kind] -= 1
            m.kind = k
            if k == "fwd":
                m.subject = "Fwd: " + m.thread.subject

    def new_thread(self, g, f, from_user):
        r = self.rng
        lst = None
        if g.startswith("list:"):
            lang = "en"
            subj = r.choice(corpus.LIST_SUBJECTS).format(n=r.randint(2, 9), k=r.randint(1, 7))
            lst = f.split("/", 1)[1] if "/" in f else f
            people = r.sample(self.people["en"] + self.people["de"] + self.people["fr"], 4)
        elif g == "junk":
            lang = "en"
            subj = r.choice(["You have WON!!!", "Re: your invoice", "Cheap meds", "Urgent: verify your account",
                             "Ｆｒｅｅ ｇｉｆｔ 🎁", "Votre colis est bloqué"])
            people = [Person(r.choice(["Prize Dept", "Security Team", "Ｂａｎｋ"]), "noreply%d@spam.example" % r.randint(1, 99),
                             "en", ["utf-8"], 0, "Bulk")]
        else:
            lang = folder_lang(f) or r.choices(["en", "fr", "de", "ja", "ru", "pl"], [60, 10, 9, 10, 8, 3])[0]
            subj = r.choice(corpus.SUBJECTS[lang]).format(n=r.randint(2, 99999) if lang == "en" else r.randint(2, 30))
            if r.random() < 0.04:
                subj += " " + r.choice(corpus.EMOJI)
            people = r.sample(self.people[lang], min(3, len(self.people[lang])))
        planned = r.choices([1, 2, 3, 4, 6, 9, 15], [40, 20, 14, 10, 8, 5, 3])[0]
        return Thread(subj, lang, people, planned, lst)

    def charset_for(self, p, lang, r):
        if p is self.user:
            return "iso-2022-jp" if lang == "ja" and r.random() < 0.5 else "utf-8"
        css = corpus.CHARSETS.get(p.lang, ["utf-8"])
        cs = css[0] if r.random() < 0.6 else r.choice(css)
        if cs == "us-ascii" and lang != "en":
            cs = "utf-8"
        return cs

    def kind_for(self, g, f, from_user, reply, r):
        if g.startswith("list:"):
            return r.choices(["plain", "flowed", "patch"], [65, 20, 15])[0]
        if g == "junk":
            return r.choice(["html", "alt"])
        if from_user:
            return r.choices(["plain", "flowed", "alt", "mixed"], [50, 15, 30, 5])[0]
        return r.choices(["plain", "flowed", "alt", "html", "mixed", "related", "longline", "fwd", "tiny"],
                         [36, 8, 25, 6, 9, 4, 3, 3, 6 if reply else 1])[0]

    def flags_for(self, f, g, i, from_user, r):
        fl = set()
        n = f.lower()
        if from_user or g == "main" and n in ("archive", "trash"):
            fl.add("\\Seen")
        elif r.random() < 0.78 - 0.3 * i / max(1, self.a.count):
            fl.add("\\Seen")
        if n == "drafts":
            fl.add("\\Draft")
        if r.random() < 1 / 7 and g != "junk":
            fl.add("\\Flagged")
        if not from_user and r.random() < 0.02:
            fl.add("\\Answered")
        return fl

    def place_big(self, plan):
        inbox = [m for m in plan if m.folder.upper() == "INBOX" or m.folder.lower() == "archive"]
        if not inbox:
            return
        r = random.Random(self.a.seed + 7)
        for m in r.sample(inbox, min(len(inbox), self.a.count // BIG_EVERY, BIG_MAX)):
            m.kind = "big"
        if self.a.count >= HUGE_MIN_COUNT and not self.a.no_big:
            inbox[len(inbox) * 2 // 5].kind = "huge"

    # -- rendering ----------------------------------------------------------------------
    def blob(self, kind, size):
        key = (kind, size)
        if key not in self.blobs:
            r = random.Random("%s-%s-%d" % (self.a.seed, kind, size))
            if kind == "png":
                side = max(4, int((size / 3) ** 0.5))
                data = mime.png(side, side, r)
            else:
                data = mime.pdf(size, r)
            self.blobs[key] = base64.encodebytes(data)
        return self.blobs[key]

    def text_entity(self, m, lines, r, subtype="plain", flowed=False):
        cs = m.charset
        text = "\n".join(lines)
        if flowed:
            text = "\n".join(flow(lines))
        cs = fit(text, cs)
        if cs in ("us-ascii", "iso-2022-jp"):
            cte = "7bit"
        elif cs in ("iso-8859-1", "windows-1252"):
            cte = r.choice(["quoted-printable", "quoted-printable", "8bit"])
        elif cs == "shift_jis":
            cte = r.choice(["base64", "8bit"])
        elif cs == "koi8-r":
            cte = "8bit"
        else:
            cte = "7bit" if text.isascii() else r.choice(["8bit", "8bit", "quoted-printable", "base64"])
        ct = "text/%s; charset=%s" % (subtype, cs if cs != "shift_jis" else "Shift_JIS")
        if flowed:
            ct += "; format=flowed" + ("; delsp=no" if r.random() < 0.3 else "")
        return mime.leaf(ct, mime.body_bytes(text, cs, cte), cte)

    def html_entity(self, m, lines, r, cid=None):
        cs = m.charset if m.charset not in ("us-ascii", "iso-2022-jp") else "utf-8"
        paras, cur = [], []
        for ln in lines:
            if ln:
                cur.append(ln)
            elif cur:
                paras.append(" ".join(cur))
                cur = []
        if cur:
            paras.append(" ".join(cur))
        style = r.choice(corpus.HTML_STYLES)
        body = "".join("<p %s>%s</p>" % (style, html.escape(p)) for p in paras)
        if cid:
            body += '<p><img src="cid:%s" alt="image" width="320"></p>' % cid
        if r.random() < 0.2:
            body += ("<table border=\"1\"><tr><th>Item</th><th>Qty</th></tr>"
                     + "".join("<tr><td>row %d</td><td>%d</td></tr>" % (k, k * 7) for k in range(r.randint(2, 30)))
                     + "</table>")
        cs = fit(body, cs)
        doc = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=%s"></head>'
               "<body>%s</body></html>\n" % (cs, body))
        cte = r.choice(["quoted-printable", "quoted-printable", "base64"])
        # One long line: realistic for HTML mail, and the encoding folds it.
        return mime.leaf("text/html; charset=%s" % cs, mime.body_bytes(doc, cs, cte), cte)

    def attachment(self, r, kind=None, size=None):
        kind = kind or r.choice(["pdf", "pdf", "png", "ics", "patch"])
        if kind == "ics":
            body = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tern//gen//EN\nBEGIN:VEVENT\nUID:%d@gen\n"
                    "DTSTART:20240105T100000Z\nSUMMARY:Review\nEND:VEVENT\nEND:VCALENDAR\n" % r.getrandbits(32))
            return mime.leaf('text/calendar; charset=utf-8; method=REQUEST; name="invite.ics"',
                             body.encode(), "7bit", ['Content-Disposition: attachment; filename="invite.ics"'])
        if kind == "patch":
            body = "".join("diff --git a/src/f%d.c b/src/f%d.c\n--- a/src/f%d.c\n+++ b/src/f%d.c\n"
                           "@@ -1,3 +1,3 @@\n-int x = %d;\n+int x = %d;\n" % (k, k, k, k, k, k + 1)
                           for k in range(r.randint(1, 40)))
            return mime.leaf("text/x-diff; charset=us-ascii", body.encode(), "7bit",
                             ['Content-Disposition: inline; filename="0001-fix.patch"'])
        if size is None:
            size = r.choices([1500, 5000, 15000, 50000, 150000, 500000], [40, 32, 18, 7, 2.5, 0.5])[0]
        names = {"pdf": ["report.pdf", "Rechnung_März.pdf", "請求書.pdf", "scan 2021-03-04.pdf", "Отчёт.pdf"],
                 "png": ["image001.png", "screenshot.png", "Été à la plage.png"]}
        fn = r.choice(names[kind])
        np_, fp = mime.attachment_params(fn)
        ct = ("application/pdf" if kind == "pdf" else "image/png") + np_
        return mime.leaf(ct, self.blob(kind, size), "base64", ["Content-Disposition: attachment" + fp])

    def inner_message(self, m, r):
        """A forwarded message (message/rfc822) with its own headers."""
        p = r.choice(self.all_people)
        inner = Msg()
        inner.sender, inner.to, inner.lang, inner.charset, inner.kind = p, [self.user], p.lang, p.charsets[0], "plain"
        inner.seed = r.getrandbits(32)
        lines = self.text_of(inner)
        h = [mime.address_header("From", [(p.name, p.email)], p.charsets[0]),
             mime.address_header("To", [(self.user.name, self.user.email)], "utf-8"),
             mime.unstructured("Subject", r.choice(corpus.SUBJECTS[p.lang]).format(n=7), p.charsets[0]),
             "Date: " + mime.date_5322(m.t - 86400 * r.randint(1, 30), p.tz),
             "Message-ID: <fwd.%d.%s>" % (inner.seed, p.email.split("@")[0] + "@" + p.email.split("@")[1]),
             "MIME-Version: 1.0"]
        ent = self.text_entity(inner, lines, r)
        return "\n".join(h).encode() + b"\n" + mime.entity_bytes(ent)

    def render(self, m, plan):
        r = random.Random(m.seed ^ 0x5EED)
        b = "=_tern_%d_%x" % (m.i, m.seed & 0xFFFFFF)
        lines = self.full_text(m, plan)
        k = m.kind
        if k in ("plain", "tiny", "patch"):
            ent = self.text_entity(m, lines, r)
            if k == "patch":
                ent = mime.multipart("mixed", [ent, self.attachment(r, "patch")], b)
        elif k == "flowed":
            ent = self.text_entity(m, lines, r, flowed=True)
        elif k == "alt":
            ent = mime.multipart("alternative", [self.text_entity(m, lines, r), self.html_entity(m, lines, r)], b,
                                 preamble=r.random() < 0.5)
        elif k == "html":
            ent = self.html_entity(m, lines, r)
        elif k in ("mixed", "big", "huge"):
            first = self.text_entity(m, lines, r) if r.random() < 0.6 else mime.multipart(
                "alternative", [self.text_entity(m, lines, r), self.html_entity(m, lines, r)], b + "_a")
            if k == "mixed":
                atts = [self.attachment(r) for _ in range(r.choice([1, 1, 1, 2, 3]))]
            elif k == "big":
                atts = [self.attachment(r, "pdf", r.choice([1_000_000, 2_000_000, 3_000_000]))]
            else:
                atts = [self.attachment(r, "pdf", 8_000_000)]
            ent = mime.multipart("mixed", [first] + atts, b, preamble=True)
        elif k == "related":
            cid = "img%d.%x@gen" % (m.i, m.seed & 0xFFFF)
            img = self.blob("png", r.choice([1500, 1500, 5000, 15000]))
            pic = mime.leaf('image/png; name="logo.png"', img, "base64",
                            ["Content-ID: <%s>" % cid, 'Content-Disposition: inline; filename="logo.png"'])
            if r.random() < 0.5:   # Thunderbird style: related[alternative[text, html], image]
                alt = mime.multipart("alternative", [self.text_entity(m, lines, r), self.html_entity(m, lines, r, cid)],
                                     b + "_a")
                ent = mime.multipart("related", [alt, pic], b)
            else:                  # Apple Mail style: alternative[text, related[html, image]]
                rel = mime.multipart("related", [self.html_entity(m, lines, r, cid), pic], b + "_r")
                ent = mime.multipart("alternative", [self.text_entity(m, lines, r), rel], b)
        elif k == "longline":
            if r.random() < 0.5:   # one 5000+ character line, quoted-printable (soft line breaks)
                text = " ".join(x for x in lines if x) * 3 + "\n"
                ent = mime.leaf("text/plain; charset=utf-8", mime.body_bytes(text, "utf-8", "quoted-printable"),
                                "quoted-printable")
            else:                  # a 990-octet unencoded line, just inside RFC 5322's 998
                long = ("x" * 9 + " ") * 99
                ent = mime.leaf("text/plain; charset=us-ascii", ("\n".join(lines[:3]) + "\n" + long + "\n").encode(), "7bit")
        elif k == "fwd":
            ent = mime.multipart("mixed", [self.text_entity(m, ["Forwarded message below.", ""], r),
                                           mime.leaf("message/rfc822", self.inner_message(m, r), None,
                                                     ['Content-Disposition: attachment; filename="forwarded.eml"'])], b)
        else:
            raise ValueError(k)
        return self.headers(m, r) + mime.entity_bytes(ent)

    def addr(self, hname, people, cs):
        key = (hname, people, cs)
        v = self.words_cache.get(key)
        if v is None:
            v = self.words_cache[key] = mime.address_header(hname, list(people), cs)
        return v

    def headers(self, m, r):
        cs = m.charset
        h = []
        incoming = m.sender is not self.user
        if incoming:
            h.append("Return-Path: <%s>" % m.sender.email)
            dom = m.sender.email.split("@")[1]
            h.append("Received: from mail.%s (mail.%s [192.0.2.%d])\n\tby mx.localhost with ESMTPS id %x\n"
                     "\tfor <%s>; %s" % (dom, dom, m.i % 250 + 1, m.seed & 0xFFFFFFFF, self.user.email,
                                        mime.date_5322(m.t + 2, 0)))
        h.append("Date: " + mime.date_5322(m.t, m.sender.tz))
        h.append(self.addr("From", ((m.sender.name, m.sender.email),), cs))
        th = m.thread
        if th.list and incoming:
            to = [("", "%s@lists.example.org" % th.list)]
        else:
            to = [(p.name, p.email) for p in m.to]
        h.append(self.addr("To", tuple(to), cs))
        if m.cc:
            h.append(self.addr("Cc", tuple((p.name, p.email) for p in m.cc), cs))
        key = (m.subject, cs)
        subj = self.words_cache.get(key)
        if subj is None:
            subj = self.words_cache[key] = mime.unstructured("Subject", m.subject, cs)
        h.append(subj)
        h.append("Message-ID: " + m.msgid)
        if m.refs:
            h.append("In-Reply-To: " + m.refs[-1])
            h.append("References: " + "\n ".join(m.refs))
        h.append("MIME-Version: 1.0")
        if th.list:
            h += ["List-Id: %s <%s.lists.example.org>" % (th.list, th.list),
                  "List-Post: <mailto:%s@lists.example.org>" % th.list,
                  "List-Unsubscribe: <mailto:%s-leave@lists.example.org>" % th.list, "Precedence: list"]
        h.append(("X-Mailer: " if r.random() < 0.5 else "User-Agent: ") + m.sender.mailer)
        return "\n".join(h).encode() + b"\n"


def fit(text, cs):
    """cs if it can carry text, else UTF-8 (a reply quoting a CP1252 message in Latin-1, say)."""
    try:
        text.encode(corpus.CODEC[cs])
        return cs
    except UnicodeEncodeError:
        return "utf-8"


def wrap(text, width):
    lines, cur = [], ""
    for w in text.split(" "):
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cur + " " + w if cur else w
    if cur:
        lines.append(cur)
    return lines


def flow(lines):
    """RFC 3676: every line of a paragraph but its last ends in a space (a soft break)."""
    out = []
    for k, ln in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        soft = ln and nxt and not ln.startswith(">") and not nxt.startswith(">") and ln != "-- "
        out.append(ln + " " if soft and not ln.endswith(" ") else ln.rstrip(" ") if ln != "-- " else ln)
    return out


def render_all(g, plan, w, jobs):
    """Render and hand every message to w, in jobs forked processes (each takes every jobs-th
    message; Maildir names carry the order, so who writes first does not matter).
    Returns ({folder: bytes}, status)."""
    def work(part):
        sizes = {}
        for m in part:
            data = g.render(m, plan)
            sizes[m.folder] = sizes.get(m.folder, 0) + len(data)
            w.add(m.folder, data, sorted(m.flags) + m.keywords, m.t, m.i)
        return sizes, w.part_done()

    if jobs == 1:
        return work(plan)
    kids = []
    for k in range(jobs):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            code = 1
            try:
                sizes, rc = work(plan[k::jobs])
                os.write(wfd, json.dumps([sizes, rc]).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(wfd)
        kids.append((pid, rfd))
    total, rc = {}, 0
    for pid, rfd in kids:
        with os.fdopen(rfd, "rb") as f:
            out = f.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not out:
            sys.exit("genmail: a worker process failed")
        sizes, r = json.loads(out)
        rc = rc or r
        for f, n in sizes.items():
            total[f] = total.get(f, 0) + n
    return total, rc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--user", default="alice")
    ap.add_argument("--email")
    ap.add_argument("--name")
    ap.add_argument("--folders", default=DEFAULT_FOLDERS)
    ap.add_argument("--no-big", action="store_true", help="no 8 MB message (it comes only with --count >= 1000)")
    ap.add_argument("--every-kind", action="store_true", help="at least one message of every kind, whatever --count")
    ap.add_argument("--start", default="2019-01-01", help="date of the oldest message")
    ap.add_argument("--years", type=float, default=6.5, help="span of the dates")
    ap.add_argument("--manifest")
    ap.add_argument("--out", choices=["maildir", "imap", "files", "check"], required=True)
    ap.add_argument("--doveadm", help='maildir: the doveadm command, e.g. "doveadm -c /lab/dovecot/dovecot.conf"')
    ap.add_argument("--no-index", action="store_true", help="maildir: skip `doveadm index` afterwards")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--password")
    ap.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    ap.add_argument("--ca-file")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--dir")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                    help="maildir/files/check: processes rendering in parallel (default: CPUs, max 4)")
    a = ap.parse_args(argv)
    if a.folders == "full":
        a.folders = FULL_FOLDERS
    a.email = a.email or "%s@localhost" % a.user
    a.name = a.name or "%s Example" % a.user.capitalize()

    t_start = time.monotonic()
    g = Generator(a)
    counts, plan = g.plan()
    folders = [f for f, _ in counts]
    w = writers.make(a, folders)
    w.prepare([(m.folder, m.keywords) for m in plan])
    jobs = max(1, a.jobs if a.out in ("maildir", "files", "check") else 1)
    t_plan = time.monotonic()
    sizes, rc = render_all(g, plan, w, jobs)
    t_write = time.monotonic()
    rc = w.finish() or rc
    t_end = time.monotonic()
    man = {"user": a.user, "seed": a.seed, "count": a.count, "folders": {}}
    for f in folders:
        man["folders"][f] = {"count": 0, "unseen": 0, "flagged": 0, "answered": 0, "draft": 0,
                             "bytes": sizes.get(f, 0), "message_ids": []}
    for m in plan:
        fm = man["folders"][m.folder]
        fm["count"] += 1
        fm["unseen"] += "\\Seen" not in m.flags
        fm["flagged"] += "\\Flagged" in m.flags
        fm["answered"] += "\\Answered" in m.flags
        fm["draft"] += "\\Draft" in m.flags
        fm["message_ids"].append(m.msgid)
    man["total"] = {k: sum(v[k] for v in man["folders"].values())
                    for k in ("count", "unseen", "flagged", "answered", "draft", "bytes")}
    man["seconds"] = round(time.monotonic() - t_start, 2)
    if a.manifest:
        with open(a.manifest + ".tmp", "w", encoding="utf-8") as f:
            json.dump(man, f, ensure_ascii=False, indent=1)
        os.rename(a.manifest + ".tmp", a.manifest)
    sys.stderr.write("genmail: %d messages, %.1f MB, %s s (plan %.1f, write %.1f, finish %.1f; %s)\n" % (
        a.count, man["total"]["bytes"] / 1e6, man["seconds"], t_plan - t_start, t_write - t_plan, t_end - t_write,
        ", ".join("%s=%d" % (f, man["folders"][f]["count"]) for f in folders)))
    return rc


if __name__ == "__main__":
    sys.exit(main())
