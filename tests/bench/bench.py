#!/usr/bin/python3
"""tern beside mbsync, neomutt and the raw protocol floor (issue 9).

Driven by tests/bench/run.sh, which starts the private servers, loads the
accounts and builds the floor client; this file measures and writes the
Markdown.  Python standard library only (it runs on /usr/bin/python3).

Every case is a function that returns a Result; a tern case whose part of
tern is not built returns a Result with `na` set, and fills in by itself once
that part works.  Nothing here asserts on times: the exit status is non-zero
only when the benchmark itself breaks.
"""
import base64
import email.header
import email.utils
import imaplib
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

# ---------------------------------------------------------------- helpers


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class NA(Exception):
    """A case that cannot be measured; the message says why."""


class Result:
    def __init__(self, values=None, na=None, note="", rss_kb=None, unit="s"):
        self.values = values or []
        self.na = na
        self.note = note
        self.rss_kb = rss_kb
        self.unit = unit

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None

    def cell(self):
        if self.na:
            return "n/a (%s)" % self.na
        if not self.values:
            return "n/a"
        med = self.median
        if len(self.values) == 1:
            return "%s (1 run)" % fmt_s(med)
        m, lo, hi = fmt_s(med), fmt_s(min(self.values)), fmt_s(max(self.values))
        unit = m.split()[-1]
        if lo.split()[-1] == unit and hi.split()[-1] == unit:
            # One unit for all three: say it once.
            lo, hi = lo.rsplit(" ", 1)[0], hi.rsplit(" ", 1)[0]
        return "%s (%s–%s, n=%d)" % (m, lo, hi, len(self.values))


def fmt_s(v, unit=True):
    if v is None:
        return "n/a"
    if v < 0.001:
        s = "%.2f ms" % (v * 1000)
    elif v < 1:
        s = "%.1f ms" % (v * 1000) if v < 0.1 else "%.0f ms" % (v * 1000)
    elif v < 10:
        s = "%.2f s" % v
    else:
        s = "%.1f s" % v
    return s if unit else s.replace(" ms", "").replace(" s", "")


def fmt_mb(kb):
    return "n/a" if kb is None else "%.1f MB" % (kb / 1024.0)


def ratio(a, b):
    if a is None or b is None or a.na or b.na or not a.values or not b.values or not b.median:
        return "–"
    return "%.2f×" % (a.median / b.median)


CRASHES = []
CRASH_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|Segmentation fault|core dumped")


def crashed(what, rc, se):
    """A tool that died of a signal or a sanitizer report is the one thing
    that fails the benchmark (slowness never does): remember it."""
    if rc < 0 or rc >= 128 or CRASH_RE.search(se or ""):
        why = "%s: exit %d: %s" % (what, rc, first_line(CRASH_RE.search(se).group(0) if CRASH_RE.search(se or "") else se))
        CRASHES.append(why)
        log("CRASH " + why)
        return True
    return False


def run_measured(argv, env=None, timeout=900, cwd=None, stdin=subprocess.DEVNULL, what=None):
    """Runs argv; returns (rc, seconds, maxrss_kb, stdout, stderr).  The RSS
    is the child's own peak (wait4), the time is wall clock from fork to reap.
    A crash (signal, sanitizer report) is recorded in CRASHES."""
    out_path = os.path.join(WORK, ".out")
    err_path = os.path.join(WORK, ".err")
    # ru_maxrss from wait4 would count python's own pages (exec records the
    # parent's high-water mark): /usr/bin/time, a small C parent, reports it.
    rss_path = os.path.join(WORK, ".rss")
    argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_path] + list(argv)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=out, stderr=err)
        box = {}

        def reap():
            box["w"] = os.wait4(p.pid, 0)
            box["t"] = time.monotonic()

        th = threading.Thread(target=reap)
        th.start()
        th.join(timeout)
        if th.is_alive():
            p.kill()
            th.join()
            p.returncode = -9
            raise NA("timed out after %d s: %s" % (timeout, " ".join(argv[:3])))
        _, status, _ = box["w"]
        p.returncode = os.waitstatus_to_exitcode(status)
    try:
        with open(rss_path) as f:
            rss = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        rss = None
    with open(out_path, "rb") as f:
        so = f.read().decode("utf-8", "replace")
    with open(err_path, "rb") as f:
        se = f.read().decode("utf-8", "replace")
    crashed(what or os.path.basename(argv[6]) + " " + " ".join(os.path.basename(a) for a in argv[7:10]), p.returncode, se)
    return p.returncode, box["t"] - t0, rss, so, se


def first_line(s):
    for ln in s.splitlines():
        ln = ln.strip()
        if ln:
            return ln[:120]
    return ""


def repeat(name, fn, runs, budget, prepare=None, min_runs=1):
    """Calls prepare() then fn() -> (seconds, rss_kb) up to `runs` times, stopping
    early once `budget` seconds are spent (at least min_runs)."""
    vals, rss = [], None
    start = time.monotonic()
    try:
        for i in range(runs):
            if prepare:
                prepare()
            s, r = fn()
            vals.append(s)
            if r is not None:
                rss = max(rss or 0, r)
            if i + 1 >= min_runs and time.monotonic() - start > budget:
                break
    except NA as e:
        if not vals:
            log("%s: n/a: %s" % (name, e))
            return Result(na=str(e))
        log("%s: stopped after %d runs: %s" % (name, len(vals), e))
    res = Result(vals, rss_kb=rss)
    log("%s: %s" % (name, res.cell()))
    return res


# ---------------------------------------------------------------- tmux


class Tmux:
    """A private tmux server with one 200x50 pane; the programs under test
    run in it, the screen is read with capture-pane."""

    def __init__(self, path):
        self.sock = path
        self.cmd(["new-session", "-d", "-x", "200", "-y", "50", "-s", "b", "sleep 100000"])
        self.cmd(["set-option", "-g", "remain-on-exit", "on"])
        self.cmd(["set-option", "-g", "history-limit", "0"])

    def cmd(self, args, check=True):
        r = subprocess.run(["tmux", "-S", self.sock] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (args[0], r.stderr.strip()))
        return r.stdout

    def start(self, shell_cmd):
        self.cmd(["respawn-pane", "-k", "-t", "b", shell_cmd])

    def screen(self, escapes=False):
        return self.cmd(["capture-pane", "-p"] + (["-e"] if escapes else []) + ["-t", "b"], check=False)

    def dead(self):
        return self.cmd(["display-message", "-p", "-t", "b", "#{pane_dead}"], check=False).strip() == "1"

    def dead_status(self):
        st = self.cmd(["display-message", "-p", "-t", "b", "#{pane_dead_status}"], check=False).strip()
        return int(st) if st.lstrip("-").isdigit() else 0

    def pid(self):
        return int(self.cmd(["display-message", "-p", "-t", "b", "#{pane_pid}"]).strip())

    def keys(self, key, count=1):
        args = ["send-keys", "-t", "b"]
        if count > 1:
            args += ["-N", str(count)]
        self.cmd(args + [key])

    def wait(self, pred, timeout, escapes=False, what="screen"):
        """Polls the screen until pred(text) is true; returns the time it
        became true.  Raises NA with the last screen's first line on a dead
        pane or deadline."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen(escapes)
            t = time.monotonic()
            if pred(text):
                return t
            if self.dead():
                text = self.screen()
                crashed("TUI in tmux (%s)" % what, self.dead_status(), text)
                raise NA("exited: " + (first_line(text) or "no output"))
            if t > deadline:
                raise NA("%s not seen within %d s" % (what, timeout))
            time.sleep(0.002)

    def vm_hwm_kb(self):
        """Peak RSS of the pane's process (VmHWM), read while it still runs."""
        try:
            with open("/proc/%d/status" % self.pid()) as f:
                for ln in f:
                    if ln.startswith("VmHWM:"):
                        return int(ln.split()[1])
        except OSError:
            return None
        return None

    def quit(self, key="q", timeout=30):
        if not self.dead():
            self.keys(key)
            deadline = time.monotonic() + timeout
            while not self.dead() and time.monotonic() < deadline:
                time.sleep(0.01)
            if self.dead():
                crashed("TUI in tmux (quit)", self.dead_status(), self.screen())
        if not self.dead():
            self.start("sleep 100000")  # -k kills what is left

    def kill(self):
        self.cmd(["kill-server"], check=False)


# ---------------------------------------------------------------- IMAP side


def imap_connect(acct):
    m = imaplib.IMAP4(SRV["imap_host"], int(SRV["imap_port"]))
    if SRV["tls"] == "starttls":
        import ssl
        ctx = ssl.create_default_context(cafile=SRV["ca_file"])
        m.starttls(ctx)
    m.login(acct["user"], acct["password"])
    return m


def inbox_count(acct):
    m = imap_connect(acct)
    typ, data = m.status("INBOX", "(MESSAGES)")
    m.logout()
    return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))


def decode_subject(raw):
    if raw is None:
        return ""
    try:
        parts = email.header.decode_header(raw)
        s = "".join(p.decode(c or "ascii", "replace") if isinstance(p, bytes) else p for p, c in parts)
    except Exception:
        s = raw
    return " ".join(s.split())


def inbox_subjects_by_arrival(acct, positions):
    """Subjects at the given 0-based positions of INBOX, newest INTERNALDATE
    first, ties broken by the higher UID (the order tern lists in; the
    server's SORT breaks ties its own way)."""
    m = imap_connect(acct)
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(INTERNALDATE)")
    order = []
    for item in data:
        line = item.decode() if isinstance(item, bytes) else (item[0].decode() if isinstance(item, tuple) else "")
        mu = re.search(r"UID (\d+)", line)
        md = re.search(r'INTERNALDATE "([^"]+)"', line)
        if mu and md:
            order.append((imaplib.Internaldate2tuple(('INTERNALDATE "%s"' % md.group(1)).encode()), int(mu.group(1))))
    order.sort(key=lambda x: (time.mktime(x[0]), x[1]), reverse=True)
    uids = [u for _, u in order]
    out = {}
    for pos in positions:
        p = pos if pos >= 0 else len(uids) + pos
        typ, d = m.uid("FETCH", str(uids[p]), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        raw = d[0][1].decode("utf-8", "replace")
        raw = re.sub(r"\r?\n[ \t]", " ", raw)
        mm = re.match(r"(?i)subject:\s*(.*)", raw.strip())
        out[pos] = decode_subject(mm.group(1) if mm else "")
    m.logout()
    return out


SMALL_SEQ = [0]


def small_change(acct):
    """100 flag changes, 50 new messages, 50 expunged, in INBOX, over IMAP."""
    SMALL_SEQ[0] += 1
    rnd = random.Random(1000 + SMALL_SEQ[0])
    m = imap_connect(acct)
    m.select("INBOX")
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    pick = rnd.sample(uids, 150)
    flag, gone = pick[:100], pick[100:]
    for i, u in enumerate(flag):
        fl = ("\\Seen", "\\Flagged", "$Label1")[i % 3]
        m.uid("STORE", u, "+FLAGS" if i % 2 else "-FLAGS", "(%s)" % fl)
    m.uid("STORE", b",".join(gone), "+FLAGS.SILENT", "(\\Deleted)")
    m.uid("EXPUNGE", b",".join(gone))
    for i in range(50):
        n = SMALL_SEQ[0] * 100 + i
        msg = ("From: Bench Sender <bench%d@example.net>\r\nTo: %s\r\n"
               "Subject: bench new message %d\r\nDate: %s\r\nMessage-ID: <bench-new-%d@example.net>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s"
               % (i, acct["user"], n, email.utils.formatdate(localtime=False), n,
                  ("A new message for the small-change resync, line %d.\r\n" % n) * 20))
        # Distinct INTERNALDATEs, one second apart, so "newest first" is unambiguous.
        m.append("INBOX", None, imaplib.Time2Internaldate(time.time() - 60 + i), msg.encode())
    m.logout()


# ---------------------------------------------------------------- the clients


def floor_argv(acct, folders=(), state=None):
    a = [FLOOR] + (["-s", state] if state else [])
    if SRV["tls"] == "starttls":
        a += ["-t", "starttls", "-C", SRV["ca_file"], "-H", SRV["tls_name"]]
    return a + [SRV["imap_host"], str(SRV["imap_port"]), acct["user"], acct["password"]] + list(folders)


def run_floor(acct, folders=(), state=None):
    rc, s, rss, so, se = run_measured(floor_argv(acct, folders, state), timeout=300)
    if rc != 0:
        raise NA("floor failed: " + first_line(se))
    m = re.search(r"messages=(\d+)", so)
    if not state:
        acct.setdefault("floor_counts", {})[tuple(folders)] = int(m.group(1))
    return s, rss


# --- tern


def tern_env(home):
    env = dict(os.environ)
    env.update(HOME=home, XDG_CONFIG_HOME=home + "/config", XDG_DATA_HOME=home + "/data",
               XDG_STATE_HOME=home + "/state", XDG_CACHE_HOME=home + "/cache", TERM="tmux-256color")
    env.pop("TERN_DEBUG", None)
    return env


def tern_setup(acct):
    d = os.path.join(WORK, "tern-" + acct["user"])
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "tern.conf")
    lines = [
        "[account bench]",
        "protocol = imap",
        "email = %s@example.org" % acct["user"],
        "username = %s" % acct["user"],
        "password = %s" % acct["password"],
        "imap_host = %s" % (SRV["tls_name"] if SRV["tls"] == "starttls" else SRV["imap_host"]),
        "imap_port = %s" % SRV["imap_port"],
        "imap_tls = %s" % SRV["tls"],
        "smtp_host = 127.0.0.1",
        "smtp_port = %s" % SRV.get("smtp_port", "25"),
        "smtp_tls = none",
    ]
    if SRV["tls"] == "starttls":
        lines.append("ca_file = %s" % SRV["ca_file"])
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(conf, 0o600)
    acct["tern"] = {"home": d, "conf": conf, "db": os.path.join(d, "db")}
    return acct["tern"]


def tern_argv(t, *args):
    return [TERN, "-c", t["conf"], "-d", t["db"]] + list(args)


def tern_missing():
    if not TERN or not os.access(TERN, os.X_OK):
        return "tern binary not built"
    return None


def tern_run(t, *args, timeout=600):
    rc, s, rss, so, se = run_measured(tern_argv(t, *args), env=tern_env(t["home"]), timeout=timeout)
    if rc != 0:
        msg = first_line(se) or first_line(so) or "exit %d" % rc
        if "not built" in msg:
            raise NA("not built: `tern %s` says \"%s\"" % (args[0], msg))
        raise NA("`tern %s` failed (exit %d): %s" % (" ".join(args), rc, msg))
    return s, rss, so


def tern_sync(t):
    s, rss, _ = tern_run(t, "sync", "--once")
    return s, rss


def tern_fresh(t):
    shutil.rmtree(t["db"], ignore_errors=True)
    os.makedirs(t["db"])


def tern_count_check(acct):
    """After a sync: does tern have the messages the server has?  Returns a
    note for the table ('' when it agrees or cannot tell)."""
    t = acct["tern"]
    try:
        _, _, so = tern_run(t, "mailboxes", "--json", "bench")
    except NA as e:
        return "count not checked: %s" % e
    total = 0
    for ln in so.splitlines():
        try:
            o = json.loads(ln)
        except ValueError:
            continue
        for k in ("total", "messages", "count", "exists"):
            if isinstance(o.get(k), int):
                total += o[k]
                break
    want = acct.get("floor_counts", {}).get((), None)
    if want is not None and total != want:
        return "tern reports %d messages, the server has %d" % (total, want)
    return ""


# --- mbsync


def mbsync_setup(acct):
    d = os.path.join(WORK, "mbsync-" + acct["user"])
    os.makedirs(d, exist_ok=True)
    rc = os.path.join(d, "mbsyncrc")
    tls = "None" if SRV["tls"] == "none" else "STARTTLS"
    host = SRV["imap_host"] if SRV["tls"] == "none" else SRV["tls_name"]
    with open(rc, "w") as f:
        f.write("""# Generated by tests/bench/bench.py.  FSync no: mbsync's fastest setting.
FSync no

IMAPAccount bench
Host {host}
Port {port}
User {user}
Pass {pw}
SSLType {tls}
{ca}AuthMechs LOGIN
PipelineDepth 100

IMAPStore remote
Account bench

MaildirStore local
Path {d}/mail/
Inbox {d}/mail/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
Sync All
SyncState *
""".format(host=host, port=SRV["imap_port"], user=acct["user"], pw=acct["password"], tls=tls,
           ca=("CertificateFile %s\n" % SRV["ca_file"]) if tls != "None" else "", d=d))
    acct["mbsync"] = {"dir": d, "rc": rc}
    return acct["mbsync"]


def mbsync_fresh(m):
    shutil.rmtree(os.path.join(m["dir"], "mail"), ignore_errors=True)
    os.makedirs(os.path.join(m["dir"], "mail"))


def mbsync_run(m):
    rc, s, rss, so, se = run_measured(["mbsync", "-q", "-c", m["rc"], "bench"], timeout=900)
    if rc != 0:
        raise NA("mbsync failed: " + first_line(se))
    return s, rss


# --- neomutt


def neomutt_setup(acct):
    d = os.path.join(WORK, "neomutt-" + acct["user"])
    os.makedirs(d, exist_ok=True)
    rc = os.path.join(d, "rc")
    host = SRV["imap_host"] if SRV["tls"] == "none" else SRV["tls_name"]
    with open(rc, "w") as f:
        f.write("""# Generated by tests/bench/bench.py
set folder="imap://{user}@{host}:{port}/"
set spoolfile="+INBOX"
set imap_user="{user}"
set imap_pass="{pw}"
set ssl_starttls={stls}
set ssl_force_tls={stls}
{ca}set header_cache="{d}/hc/"
set message_cachedir="{d}/mc/"
set imap_qresync=no
set imap_check_subscribed=no
set mail_check_stats=no
set imap_passive=yes
set sort=reverse-date-received
set arrow_cursor=yes
set index_format="%6C %Z %{{%b %d}} %-15.15L %s"
set quit=yes
set move=no
set mark_old=no
set beep=no
set help=yes
set wait_key=no
""".format(user=acct["user"], host=host, port=SRV["imap_port"], pw=acct["password"],
           stls="yes" if SRV["tls"] == "starttls" else "no", d=d,
           ca=('set certificate_file="%s/certs"\n' % d) if SRV["tls"] == "starttls" else ""))
    if SRV["tls"] == "starttls":
        shutil.copy(SRV["ca_file"], os.path.join(d, "certs"))
    acct["neomutt"] = {"dir": d, "rc": rc}
    return acct["neomutt"]


def neomutt_fresh(n):
    for sub in ("hc", "mc"):
        shutil.rmtree(os.path.join(n["dir"], sub), ignore_errors=True)
        os.makedirs(os.path.join(n["dir"], sub))


def neomutt_cmd(n):
    return "cd %s && exec env HOME=%s neomutt -n -F %s" % (
        shlex.quote(n["dir"]), shlex.quote(n["dir"]), shlex.quote(n["rc"]))


def neomutt_open(n, count, keep=False):
    """Starts neomutt on INBOX; returns (seconds until the index shows
    Msgs:count, VmHWM).  Quits it unless keep."""
    want = "Msgs:%d " % count
    t0 = time.monotonic()
    TM.start(neomutt_cmd(n))
    t1 = TM.wait(lambda s: want in s, 300, what="neomutt index with %s" % want.strip())
    rss = TM.vm_hwm_kb()
    if not keep:
        TM.quit("q")
    return t1 - t0, rss


# ---------------------------------------------------------------- JMAP floor


def jmap_floor(jm):
    """Session, Mailbox/get, Email/query of every id, Email/get in chunks."""
    auth = "Basic " + base64.b64encode(("%s:%s" % (jm["user"], jm["password"])).encode()).decode()

    def call(url, body=None):
        req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read()), r.geturl()

    t0 = time.monotonic()
    sess, final = call(jm["url"])
    api = urllib.parse.urljoin(final, sess["apiUrl"])
    acc = sess["primaryAccounts"]["urn:ietf:params:jmap:mail"]
    using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
    maxget = int(sess["capabilities"]["urn:ietf:params:jmap:core"].get("maxObjectsInGet", 500))
    r, _ = call(api, {"using": using, "methodCalls": [["Mailbox/get", {"accountId": acc}, "m"]]})
    ids, pos = [], 0
    while True:
        r, _ = call(api, {"using": using, "methodCalls": [
            ["Email/query", {"accountId": acc, "position": pos, "limit": 50000, "calculateTotal": True,
                             "sort": [{"property": "receivedAt", "isAscending": False}]}, "q"]]})
        got = r["methodResponses"][0][1]["ids"]
        ids += got
        pos += len(got)
        # Without calculateTotal there is no total, and the first page
        # (Cyrus caps a query at 50,000 ids here) looked like all of it.
        if not got or pos >= r["methodResponses"][0][1]["total"]:
            break
    props = ["id", "blobId", "threadId", "mailboxIds", "keywords", "size", "receivedAt",
             "messageId", "inReplyTo", "references", "from", "to", "cc", "replyTo",
             "subject", "sentAt", "hasAttachment", "preview"]
    n = 0
    for i in range(0, len(ids), maxget):
        r, _ = call(api, {"using": using, "methodCalls": [
            ["Email/get", {"accountId": acc, "ids": ids[i:i + maxget], "properties": props}, "g"]]})
        n += len(r["methodResponses"][0][1]["list"])
    state = r["methodResponses"][0][1]["state"]
    jm["state"] = state
    jm["count"] = n
    if n != jm["size"]:
        raise NA("the floor read %d of the %d emails" % (n, jm["size"]))
    return time.monotonic() - t0, None


def jmap_noop(jm):
    auth = "Basic " + base64.b64encode(("%s:%s" % (jm["user"], jm["password"])).encode()).decode()
    t0 = time.monotonic()
    req = urllib.request.Request(jm["url"], headers={"Authorization": auth})
    with urllib.request.urlopen(req, timeout=60) as r:
        sess = json.loads(r.read())
        final = r.geturl()
    api = urllib.parse.urljoin(final, sess["apiUrl"])
    acc = sess["primaryAccounts"]["urn:ietf:params:jmap:mail"]
    body = {"using": ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"], "methodCalls": [
        ["Email/changes", {"accountId": acc, "sinceState": jm["state"]}, "c"]]}
    req = urllib.request.Request(api, data=json.dumps(body).encode(),
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.loads(r.read())
    ch = out["methodResponses"][0][1]
    if ch.get("created") or ch.get("updated") or ch.get("destroyed"):
        raise NA("Email/changes not empty on an unchanged account")
    return time.monotonic() - t0, None


# ---------------------------------------------------------------- the cases


def section_imap(acct, size, big):
    R = {}
    runs = CFG["runs"]
    floor_all = ()
    log("== %d messages (%s) ==" % (size, acct["user"]))
    acct["inbox"] = inbox_count(acct)

    # The raw floor.  The first fetch after the load builds Dovecot's cache: it
    # is reported apart, and every client below sees a warm server cache.
    fstate = os.path.join(WORK, "floor-%s.state" % acct["user"])
    R["floor_cold"] = repeat("floor cold", lambda: run_floor(acct, state=fstate), 1, 0)
    R["floor"] = repeat("floor all folders", lambda: run_floor(acct), runs, CFG["budget"], min_runs=3)
    R["floor_inbox"] = repeat("floor INBOX", lambda: run_floor(acct, ["INBOX"]), runs, CFG["budget"], min_runs=3)
    acct["total"] = acct.get("floor_counts", {}).get(floor_all)

    t = tern_setup(acct)
    m = mbsync_setup(acct)
    n = neomutt_setup(acct)

    # Initial sync.
    if tern_missing():
        R["tern_init"] = Result(na=tern_missing())
    else:
        R["tern_init"] = repeat("tern initial sync", lambda: tern_sync(t), runs, CFG["budget"],
                                prepare=lambda: tern_fresh(t))
        if not R["tern_init"].na:
            R["tern_init"].note = tern_count_check(acct)
    mb_runs = 1 if big else runs
    R["mbsync_init"] = repeat("mbsync initial sync", lambda: mbsync_run(m), mb_runs, CFG["budget"],
                              prepare=lambda: mbsync_fresh(m))
    R["neomutt_init"] = repeat("neomutt cold header cache", lambda: neomutt_open(n, acct["inbox"]),
                               runs, CFG["budget"], prepare=lambda: neomutt_fresh(n))

    # No-op resync (one unmeasured run first: mbsync's first resync rewrites its state).
    if R["tern_init"].na:
        R["tern_noop"] = Result(na=R["tern_init"].na)
    else:
        R["tern_noop"] = repeat("tern no-op resync", lambda: tern_sync(t), runs + 1, CFG["budget"],
                                prepare=None)
        R["tern_noop"].values = R["tern_noop"].values[1:] or R["tern_noop"].values
    R["floor_noop"] = repeat("floor no-op resync", lambda: run_floor(acct, state=fstate), runs, CFG["budget"],
                             min_runs=3)
    R["mbsync_noop"] = repeat("mbsync no-op resync", lambda: mbsync_run(m), runs + 1, CFG["budget"])
    R["mbsync_noop"].values = R["mbsync_noop"].values[1:] or R["mbsync_noop"].values
    R["neomutt_noop"] = repeat("neomutt warm header cache", lambda: neomutt_open(n, acct["inbox"]),
                               runs, CFG["budget"])

    # Small change: each client first catches up (unmeasured), then each
    # measured run follows a fresh batch of changes made over IMAP.
    sc_runs = max(2, runs - 2) if big else runs
    def changed():
        small_change(acct)
        acct["inbox"] = inbox_count(acct)

    if R["tern_init"].na:
        R["tern_small"] = Result(na=R["tern_init"].na)
    else:
        R["tern_small"] = repeat("tern small-change resync", lambda: tern_sync(t), sc_runs, CFG["budget"],
                                 prepare=changed)
    run_floor(acct, state=fstate)
    R["floor_small"] = repeat("floor small-change resync", lambda: run_floor(acct, state=fstate), sc_runs,
                              CFG["budget"], prepare=changed)
    try:
        mbsync_run(m)
    except NA:
        pass
    R["mbsync_small"] = repeat("mbsync small-change resync", lambda: mbsync_run(m), sc_runs, CFG["budget"],
                               prepare=changed)
    R["neomutt_small"] = repeat("neomutt small-change reopen", lambda: neomutt_open(n, acct["inbox"]),
                                sc_runs, CFG["budget"], prepare=changed)
    # The others catch up so the screens below show the same mailbox.
    if not R["tern_init"].na:
        try:
            tern_sync(t)
        except NA:
            pass
    try:
        neomutt_open(n, acct["inbox"])
    except NA:
        pass

    if big or CFG["tui_small"]:
        section_tui(acct, R)
        for order in SORTED_ORDERS:
            section_tui_sorted(acct, R, order)
        section_search(acct, R)
    return R


def tern_tui_cmd(t):
    env = tern_env(t["home"])
    keep = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    # TERN_DEBUG=1: tern logs what each key cost, from reading it to the
    # screen drawn (ui/tui.c), which a tmux capture cannot time to the ms.
    return "exec env TERN_DEBUG=1 %s %s" % (" ".join("%s=%s" % (k, shlex.quote(env[k])) for k in keep),
                                            " ".join(shlex.quote(a) for a in tern_argv(t)))


KEY_COST = re.compile(r"ui: (\d+) key\(s\) handled and drawn in ([0-9.]+) ms")


def tui_log_mark(t):
    """Where tern's log ends now (the TUI's own key timings are read after it)."""
    path = os.path.join(t["home"], "state", "tern", "tern.log")
    try:
        return path, os.path.getsize(path)
    except OSError:
        return path, 0


def tui_key_cost(mark, want_keys, timeout=10):
    """Seconds tern spent on the keys logged after mark, once want_keys are counted."""
    path, off = mark
    end = time.monotonic() + timeout
    while True:
        keys, ms = 0, 0.0
        try:
            with open(path, "rb") as f:
                f.seek(off)
                for ln in f.read().decode("utf-8", "replace").splitlines():
                    m = KEY_COST.search(ln)
                    if m:
                        keys += int(m.group(1))
                        ms += float(m.group(2))
        except OSError:
            pass
        if keys >= want_keys or time.monotonic() > end:
            if keys < want_keys:
                raise NA("tern logged %d of %d keys" % (keys, want_keys))
            return ms / 1000.0


REVERSE = re.compile(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m")


def cursor_on(subject):
    """A predicate: the line showing `subject` is the highlighted one (reverse
    video).  A screen with no reverse-video line at all falls back to 'the
    subject is shown'."""
    key = subject[:24]

    def pred(text):
        lines = text.split("\n")
        rev = [ln for ln in lines if REVERSE.search(ln)]
        plain = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in (rev or lines)]
        return any(key in ln for ln in plain)
    return pred


def section_tui(acct, R):
    t, n = acct["tern"], acct["neomutt"]
    count = acct["inbox"]
    N = min(1000, count - 1)
    # neomutt with a warm header cache: open, first entry, 1000 j, G.
    try:
        t0 = time.monotonic()
        TM.start(neomutt_cmd(n))
        t1 = TM.wait(lambda s: "Msgs:%d " % count in s, 120, what="neomutt index")
        R["neomutt_open"] = Result([t1 - t0])
        TM.keys("=")
        TM.wait(lambda s: re.search(r"^->\s+1 ", s, re.M), 30, what="neomutt first entry")
        t0 = time.monotonic()
        TM.keys("j", N)
        t1 = TM.wait(lambda s: re.search(r"^->\s+%d " % (N + 1), s, re.M), 60, what="neomutt after %d j" % N)
        R["neomutt_j"] = Result([t1 - t0])
        t0 = time.monotonic()
        TM.keys("*")  # neomutt's last-entry (its G is fetch-mail)
        t1 = TM.wait(lambda s: re.search(r"^->\s+%d " % count, s, re.M), 60, what="neomutt after *")
        R["neomutt_G"] = Result([t1 - t0])
        R["neomutt_rss"] = Result(rss_kb=TM.vm_hwm_kb())
        TM.quit("q")
        # More open samples (warm cache), same as the no-op row at this size.
        more = repeat("neomutt open (warm)", lambda: neomutt_open(n, count), CFG["runs"] - 1, CFG["budget"])
        R["neomutt_open"].values += more.values
        log("neomutt open/j/G: %s / %s / %s" % (R["neomutt_open"].cell(), R["neomutt_j"].cell(), R["neomutt_G"].cell()))
    except NA as e:
        log("neomutt TUI: n/a: %s" % e)
        for k in ("neomutt_open", "neomutt_j", "neomutt_G"):
            R.setdefault(k, Result(na=str(e)))
        TM.quit("q")

    # tern: cold process start on the synced database.
    if tern_missing() or R["tern_init"].na:
        why = tern_missing() or "needs a synced database: " + R["tern_init"].na
        for k in ("tern_open", "tern_j", "tern_G"):
            R[k] = Result(na=why)
        return
    try:
        subj = inbox_subjects_by_arrival(acct, [0, N, -1])
    except Exception as e:  # noqa: BLE001
        for k in ("tern_open", "tern_j", "tern_G"):
            R[k] = Result(na="expected subjects: %s" % e)
        return
    first = subj[0][:24]
    opens, js, Gs, jown, Gown, rss = [], [], [], [], [], None
    try:
        for i in range(CFG["runs"]):
            t0 = time.monotonic()
            TM.start(tern_tui_cmd(t))
            t1 = TM.wait(lambda s: first in s, 60, what="tern first screen (%r)" % first)
            opens.append(t1 - t0)
            if i == 0:
                mark = tui_log_mark(t)
                t0 = time.monotonic()
                TM.keys("j", N)
                t1 = TM.wait(cursor_on(subj[N]), 60, escapes=True, what="tern after %d j" % N)
                js.append(t1 - t0)
                try:
                    jown.append(tui_key_cost(mark, N))
                except NA as e:
                    log("tern 1000 j own time: %s" % e)
                mark = tui_log_mark(t)
                TM.keys("g")
                try:
                    tui_key_cost(mark, 1)   # g drawn and logged before G is timed
                except NA:
                    pass
                mark = tui_log_mark(t)
                t0 = time.monotonic()
                TM.keys("G")
                t1 = TM.wait(cursor_on(subj[-1]), 60, escapes=True, what="tern after G")
                Gs.append(t1 - t0)
                try:
                    Gown.append(tui_key_cost(mark, 1))
                except NA as e:
                    log("tern G own time: %s" % e)
                rss = TM.vm_hwm_kb()
            TM.quit("q")
    except NA as e:
        log("tern TUI: n/a: %s" % e)
        TM.quit("q")
        na = str(e)
        if "not built" not in na and not opens:
            na = "TUI: " + na
        R["tern_open"] = Result(opens, na=None if opens else na)
        R["tern_j"] = Result(js, na=None if js else na)
        R["tern_G"] = Result(Gs, na=None if Gs else na)
        R["tern_tui_rss"] = Result(rss_kb=rss)
        return
    R["tern_open"], R["tern_j"], R["tern_G"] = Result(opens), Result(js), Result(Gs)
    R["tern_j_own"] = Result(jown, na=None if jown else "not in tern's log")
    R["tern_G_own"] = Result(Gown, na=None if Gown else "not in tern's log")
    R["tern_tui_rss"] = Result(rss_kb=rss)
    log("tern open/j/G: %s / %s / %s" % (R["tern_open"].cell(), R["tern_j"].cell(), R["tern_G"].cell()))
    section_tui_collapsed(t, N, R)


def section_tui_collapsed(t, N, R):
    """The threaded view with every thread collapsed (V, then Esc-V):
    `N j` and G, tern's own time.  A collapsed thread is one row read from
    thread_mailbox, so these should cost what the flat view's do."""
    js, Gs = [], []
    try:
        TM.start(tern_tui_cmd(t))
        TM.wait(lambda s: "Msgs" in s or "messages" in s, 60, what="tern first screen")
        TM.keys("V")
        TM.wait(lambda s: "(threads)" in s, 30, what="tern threaded view")
        TM.keys("Escape")
        TM.keys("V")
        TM.wait(lambda s: "all threads collapsed" in s, 30, what="tern threads collapsed")
        mark = tui_log_mark(t)
        TM.keys("j", N)
        js.append(tui_key_cost(mark, N))
        mark = tui_log_mark(t)
        TM.keys("G")
        Gs.append(tui_key_cost(mark, 1))
        TM.quit("q")
    except NA as e:
        log("tern collapsed threads: n/a: %s" % e)
        TM.quit("q")
    R["tern_cj_own"] = Result(js, na=None if js else "threads did not collapse")
    R["tern_cG_own"] = Result(Gs, na=None if Gs else "threads did not collapse")


# The list's other orders measured like arrival (open, 1000 j, G): each
# pages through its own index (db/db_sort.c), so the cost should not move.
SORTED_ORDERS = ("subject", "from")


def tern_list_subjects(t, order, limit, reverse=False):
    """Subjects of INBOX in tern's order `order` (its own answer: the order
    itself is tested by tests/integration/cli_sort.sh)."""
    args = ["list", "--json", "--sort", order, "--limit", str(limit)] + (["--reverse"] if reverse else [])
    _, _, so = tern_run(t, *(args + ["bench", "INBOX"]))
    return [json.loads(ln).get("subject") or "" for ln in so.splitlines() if ln.strip()]


def section_tui_sorted(acct, R, order):
    """tern opened with sort = ORDER: first screen, 1000 j and G, timed
    until the status line shows the position (subjects repeat in these
    orders, so the cursor's subject cannot tell rows apart), then checked
    against `tern list --sort` at those positions."""
    t = acct["tern"]
    count = acct["inbox"]
    N = min(1000, count - 1)
    keys = ["tern_open_" + order, "tern_j_" + order, "tern_G_" + order, "tern_j_own_" + order, "tern_G_own_" + order]
    if tern_missing() or R["tern_init"].na:
        why = tern_missing() or "needs a synced database: " + R["tern_init"].na
        for k in keys:
            R[k] = Result(na=why)
        return
    try:
        top = tern_list_subjects(t, order, N + 1)
        last = tern_list_subjects(t, order, 1, reverse=True)
        if len(top) < N + 1 or not last:
            raise NA("tern list --sort %s gave %d rows" % (order, len(top)))
    except NA as e:
        for k in keys:
            R[k] = Result(na="expected subjects: %s" % e)
        return
    conf = t["conf"] + "." + order
    with open(t["conf"]) as f:
        body = f.read()
    with open(conf, "w") as f:
        f.write("sort = %s\n" % order + body)
    os.chmod(conf, 0o600)
    ts = dict(t, conf=conf)
    first = top[0][:24]
    note = "sort: %s" % order
    at_j = "· {:,}/{:,} ".format(N + 1, count)
    at_G = "· {:,}/{:,} ".format(count, count)
    opens, js, Gs, jown, Gown = [], [], [], [], []
    try:
        for i in range(CFG["runs"]):
            t0 = time.monotonic()
            TM.start(tern_tui_cmd(ts))
            t1 = TM.wait(lambda s: first in s and note in s, 60, what="tern first screen by %s (%r)" % (order, first))
            opens.append(t1 - t0)
            if i == 0:
                mark = tui_log_mark(t)
                t0 = time.monotonic()
                TM.keys("j", N)
                t1 = TM.wait(lambda s: at_j in s, 60, what="tern after %d j by %s" % (N, order))
                js.append(t1 - t0)
                if not cursor_on(top[N])(TM.screen(True)):
                    raise NA("after %d j the cursor is not on %r" % (N, top[N][:24]))
                try:
                    jown.append(tui_key_cost(mark, N))
                except NA as e:
                    log("tern 1000 j by %s own time: %s" % (order, e))
                mark = tui_log_mark(t)
                TM.keys("g")
                try:
                    tui_key_cost(mark, 1)
                except NA:
                    pass
                mark = tui_log_mark(t)
                t0 = time.monotonic()
                TM.keys("G")
                t1 = TM.wait(lambda s: at_G in s, 60, what="tern after G by %s" % order)
                Gs.append(t1 - t0)
                if not cursor_on(last[0])(TM.screen(True)):
                    raise NA("after G the cursor is not on %r" % last[0][:24])
                try:
                    Gown.append(tui_key_cost(mark, 1))
                except NA as e:
                    log("tern G by %s own time: %s" % (order, e))
            TM.quit("q")
    except NA as e:
        log("tern TUI by %s: n/a: %s" % (order, e))
        TM.quit("q")
        na = "TUI: " + str(e)
        for k, v in zip(keys, (opens, js, Gs, jown, Gown)):
            R[k] = Result(v, na=None if v else na)
        return
    for k, v in zip(keys, (opens, js, Gs, jown, Gown)):
        R[k] = Result(v, na=None if v else "not in tern's log")
    log("tern open/j/G by %s: %s / %s / %s" % (order, R[keys[0]].cell(), R[keys[1]].cell(), R[keys[2]].cell()))


def search_bench(size):
    """tests/bench/search_bench.sh (the search helper's benchmark; called, not
    copied): stores `size` messages the way a sync does and times the first
    screen (50 rows) of its queries.  Returns a Result of first-screen times
    (one per query) and a note with the indexing overhead."""
    sh = os.path.join(CFG["srcdir"], "tests", "bench", "search_bench.sh")
    if not os.access(sh, os.X_OK):
        raise NA("tests/bench/search_bench.sh missing")
    env = dict(os.environ)
    if CFG.get("search_build"):
        env["BENCH_BUILD"] = CFG["search_build"]
    rc, s, _, so, se = run_measured(["/bin/sh", sh, str(size)], env=env, timeout=900, what="search_bench.sh")
    if rc != 0:
        raise NA("search_bench.sh failed (exit %d): %s" % (rc, first_line(se) or first_line(so)))
    firsts = [int(x) / 1000.0 for x in re.findall(r"^first_screen (\d+) ms", so, re.M)]
    if not firsts:
        raise NA("search_bench.sh printed no first_screen line")
    kv = dict(re.findall(r"^(\w+) ([0-9.]+)", so, re.M))
    note = "search_bench.sh %d: %d queries (words, phrases, prefixes, from:, is:, OR, NOT), first screen = 50 rows; max %s" % (
        size, len(firsts), fmt_s(max(firsts)))
    if "overhead_total" in kv:
        note += "; index write overhead %s %% of storing (%s %% headers only)" % (kv["overhead_total"], kv.get("overhead_headers", "?"))
    log("search_bench %d: median %s, max %s (%.0f s)" % (size, fmt_s(statistics.median(firsts)), fmt_s(max(firsts)), s))
    res = Result(firsts, note=note)
    # The limit (l) of the whole INBOX, as the list reads it: open, j past
    # the first window, G, and the status line's count, per limit query.
    res.limits = re.findall(r"^limit open (\d+) ms  j (\d+) ms  G (\d+) ms  count (\d+) ms  matches (>?\d+) of INBOX  limit \[(.*)\]$",
                            so, re.M)
    return res


def section_search(acct, R):
    try:
        R["search_bench"] = search_bench(acct["size"])
    except NA as e:
        log("search_bench: n/a: %s" % e)
        R["search_bench"] = Result(na=str(e))
    if tern_missing() or R["tern_init"].na:
        R["tern_search"] = Result(na=tern_missing() or "needs a synced database: " + R["tern_init"].na)
        return
    t = acct["tern"]
    q = CFG["search_query"]
    R["tern_search"] = repeat("tern search", lambda: tern_run(t, "search", "bench", q)[:2],
                              CFG["runs"], CFG["budget"])


def section_jmap(jm, size):
    R = {}
    log("== JMAP %d messages (%s) ==" % (size, jm["user"]))
    R["jfloor_init"] = repeat("JMAP floor Email/query+get", lambda: jmap_floor(jm), CFG["runs"], CFG["budget"])
    if not R["jfloor_init"].na:
        R["jfloor_noop"] = repeat("JMAP floor no-op Email/changes", lambda: jmap_noop(jm), CFG["runs"],
                                  CFG["budget"], min_runs=3)
    else:
        R["jfloor_noop"] = Result(na=R["jfloor_init"].na)
    if tern_missing():
        R["tern_jinit"] = R["tern_jnoop"] = Result(na=tern_missing())
        return R
    d = os.path.join(WORK, "tern-jmap-" + jm["user"])
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "tern.conf")
    with open(conf, "w") as f:
        f.write("[account bench]\nprotocol = jmap\nemail = %s@example.org\nusername = %s\npassword = %s\n"
                "jmap_url = %s\n%s" % (jm["user"], jm["user"], jm["password"], jm["url"],
                                       ("ca_file = %s\n" % SRV["ca_file"]) if jm["url"].startswith("https") else ""))
    os.chmod(conf, 0o600)
    t = {"home": d, "conf": conf, "db": os.path.join(d, "db")}
    R["tern_jinit"] = repeat("tern JMAP initial sync", lambda: tern_sync(t), CFG["runs"], CFG["budget"],
                             prepare=lambda: tern_fresh(t))
    if R["tern_jinit"].na:
        R["tern_jnoop"] = Result(na=R["tern_jinit"].na)
    else:
        R["tern_jnoop"] = repeat("tern JMAP no-op resync", lambda: tern_sync(t), CFG["runs"], CFG["budget"])
    return R


# ---------------------------------------------------------------- profile

# The sync cases a profile can replay: (result key, peer key, label, prepare).
GAPS = [("tern_init", "floor", "initial sync", "fresh"), ("tern_noop", "floor_noop", "no-op resync", None),
        ("tern_small", "floor_small", "small change resync", "change")]


def widest_gap(sections):
    """The sync case with the largest tern/floor ratio: (size, label, ratio, prepare)."""
    best = None
    for size, R in sections:
        for k, fk, label, prep in GAPS:
            t, f = R.get(k), R.get(fk)
            if t and f and not t.na and not f.na and t.values and f.values and f.median > 0:
                r = t.median / f.median
                if best is None or r > best[2]:
                    best = (size, label, r, prep)
    return best


def profile(sections):
    """perf (call graph through DWARF) of one tern run of the widest gap, at
    the smallest size; returns Markdown lines, or [] when perf is missing."""
    if CFG["quick"] or not TERN or not shutil.which("perf"):
        return []
    gap = widest_gap(sections)
    if not gap:
        return []
    size, label, r, prep = gap
    acct = CFG["accounts"][0]
    t = acct.get("tern")
    if not t:
        return []
    if prep == "fresh":
        tern_fresh(t)
    elif prep == "change":
        small_change(acct)
    data = os.path.join(WORK, "perf.data")
    argv = ["perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,16384", "-o", data] + tern_argv(t, "sync", "--once")
    rc, secs, _, so, se = run_measured(argv, env=tern_env(t["home"]), what="perf record tern sync")
    if rc != 0:
        return ["## Profile\n", "perf record failed (exit %d): %s\n" % (rc, first_line(se))]
    rep = subprocess.run(["perf", "report", "-i", data, "--children", "--sort", "symbol", "-g", "none", "--stdio"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600).stdout
    dsos = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso", "-g", "none", "--stdio"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600).stdout
    own = set(subprocess.run(["nm", "--defined-only", TERN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout.split())
    rows = []
    for ln in rep.splitlines():
        mm = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+\[\.\]\s+(\S+)(?: \(inlined\))?", ln)
        if mm and mm.group(3) in own and mm.group(3) not in ("main", "run", "once_main", "start_thread"):
            if not any(x[0] == mm.group(3) for x in rows):
                rows.append((mm.group(3), float(mm.group(1)), float(mm.group(2))))
    shares = re.findall(r"^\s*([0-9.]+)%\s+(\S+)\s*$", dsos, re.M)
    L = ["## Profile of the widest gap\n",
         "Widest tern/floor gap in this run: **%s at %d messages, %.1f×**. Replayed once at %d messages under"
         " `perf record --call-graph dwarf` (%s); time spent in each tern function including what it calls"
         " (only tern's own functions; the library share is below):\n" % (label, size, r, acct["size"], fmt_s(secs)),
         "| function (tern) | inclusive | self |", "|---|---|---|"]
    for name, inc, self_ in rows[:14]:
        L.append("| `%s` | %.1f %% | %.1f %% |" % (name, inc, self_))
    L.append("\nCPU by library: " + ", ".join("%s %s %%" % (os.path.basename(d), p) for p, d in shares[:6]) + "\n")
    return L


# ---------------------------------------------------------------- report


def machine():
    def sh(c):
        try:
            return subprocess.run(c, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, timeout=20).stdout.strip()
        except Exception:  # noqa: BLE001
            return "?"
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    cpu = sh("awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo").strip()
    os_ = sh(". /etc/os-release && echo \"$PRETTY_NAME\"")
    return [
        ("machine", "%s CPUs (%s), %s memory, %s, kernel %s" % (sh("nproc"), cpu or "?", mem, os_, sh("uname -r"))),
        ("load", "load average %s at the start of the measurements, %s at the end (`/proc/loadavg`, 1/5/15 min;"
         " above 0 means other work shared the %s CPUs)" % (LOAD0, " ".join(open("/proc/loadavg").read().split()[:3]), sh("nproc"))),
        ("dovecot", sh("dovecot --version")),
        ("cyrus", sh("dpkg-query -W -f='${Version}' cyrus-common")),
        ("neomutt", sh("neomutt -v | head -n 1")),
        ("mbsync", sh("mbsync --version")),
        ("tern", sh("%s --version" % shlex.quote(TERN)) if TERN and os.access(TERN, os.X_OK) else "not built"),
        ("tern commit", sh("git -C %s log -1 --format='%%h %%s'" % shlex.quote(CFG["srcdir"]))
         + (" (plus uncommitted changes)" if sh("git -C %s status --porcelain -- src db sync ui" % shlex.quote(CFG["srcdir"])) else "")),
        ("floor", "tests/bench/floor.c, C with GnuTLS (cc -O2), one connection, LOGIN, LIST, then per folder SELECT + UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE); reads every byte, stores nothing"),
        ("connection", "IMAP on 127.0.0.1, %s, for every client and the floor" %
         ("STARTTLS with the lab CA" if SRV["tls"] == "starttls" else "plaintext (no TLS)")),
    ]


def row(case, tern, floor, mbsync, neomutt, note=""):
    """case | tern | floor | mbsync | neomutt | tern/floor | tern/mbsync | tern/neomutt | notes"""
    def c(r):
        return r.cell() if r else "–"
    notes = [x for x in [note, tern.note if tern else ""] if x]
    return "| " + " | ".join([case, c(tern), c(floor), c(mbsync), c(neomutt),
                              ratio(tern, floor), ratio(tern, mbsync), ratio(tern, neomutt),
                              "; ".join(notes)]) + " |"


def target(res, limit, what):
    if not res or res.na or not res.values:
        return "not measured"
    return ("**met**" if res.median <= limit else "**missed**") + " (%s: %s, target ≤ %s)" % (what, fmt_s(res.median), fmt_s(limit))


def report(sections, jsections, command, elapsed, prof=()):
    L = []
    L.append("# tern: performance beside mbsync, neomutt and the protocol floor\n")
    L.append("Generated by `%s` (tests/bench/run.sh; issue 9) in %d s. **Do not edit by hand:** re-run the command.\n"
             % (command, elapsed))
    L.append("Every number is the median of the runs shown (min–max, n = runs) on this machine, which is"
             " noisy (disk writes vary up to 5× from run to run): read the ratios within one run, not the"
             " absolute times across runs. n/a says why a case could not be measured; a tern case fills in by"
             " itself once the part of tern it needs is built.\n")
    L.append("## Machine and versions\n")
    for k, v in machine():
        L.append("- **%s:** %s" % (k, v))
    L.append("")
    L.append("## What is measured\n")
    L.append("- Each account lives on a private Dovecot loaded by `tests/servers/load.sh` (generated mail:"
             " threads, MIME mix, several folders). Sizes: %s." % ", ".join("%d" % s for s, _ in sections))
    L.append("- **floor**: `tests/bench/floor.c`: the least work a header sync must do (see above). The first"
             " fetch after loading builds Dovecot's cache and is shown apart; every client is measured with a"
             " warm server cache. Its resync (`-s STATE`): STATUS (UIDVALIDITY UIDNEXT HIGHESTMODSEQ) per folder,"
             " and only where something moved SELECT (QRESYNC) plus the header fetch of the new UIDs.")
    L.append("- **tern initial sync**: `tern sync --once` into an empty data directory (all folders)."
             " **mbsync** fetches *full messages* (it has no headers-only mode) of all folders into Maildir,"
             " `FSync no` (its fastest setting). **neomutt** opens INBOX only (it syncs one folder at a time)"
             " with an empty header cache (`imap_qresync=no`: with `yes` its small-change reopen was 3× slower here), timed from start until the index shows"
             " `Msgs:N`; compare it with the INBOX floor.")
    L.append("- **no-op resync**: the same again with nothing changed (mbsync: after one unmeasured resync,"
             " which rewrites its state files). neomutt: reopen with a warm header cache.")
    L.append("- **small change**: before each run, 100 flag changes, 50 new and 50 expunged messages in INBOX"
             " through IMAP.")
    L.append("- **TUI** (tmux 200×50): open = process start until the newest INBOX subject is on screen"
             " (tern: cold process, synced database; neomutt: warm header cache, which also talks to the server);"
             " `1000 j` and `G` = keys sent at once, until the cursor (reverse video) is on the expected message.")
    L.append("- **memory**: peak RSS (`/usr/bin/time -f %M` for command-line runs, VmHWM for the TUIs after"
             " open + 1000 j + G).\n")

    L.append("## IMAP (Dovecot)\n")
    for size, R in sections:
        g = R.get
        L.append("### %d messages (INBOX %s, all folders %s)\n" % (size, R.get("_inbox", "?"), R.get("_total", "?")))
        L.append("| case | tern | floor | mbsync | neomutt | tern/floor | tern/mbsync | tern/neomutt | notes |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        L.append(row("initial sync", g("tern_init"), g("floor"), g("mbsync_init"), g("neomutt_init"),
                     "mbsync fetches full messages; neomutt INBOX only (floor for INBOX only: %s); "
                     "floor's first fetch after the load (cold server cache): %s"
                     % (g("floor_inbox").cell(), g("floor_cold").cell())))
        L.append(row("no-op resync", g("tern_noop"), g("floor_noop"), g("mbsync_noop"), g("neomutt_noop"),
                     "floor: STATUS per folder; neomutt: reopen INBOX with a warm header cache"))
        L.append(row("small change resync", g("tern_small"), g("floor_small"), g("mbsync_small"), g("neomutt_small"),
                     "100 flag changes, 50 new, 50 expunged in INBOX before each run; floor: STATUS, "
                     "SELECT QRESYNC where changed, headers of the new"))
        if "tern_open" in R or "neomutt_open" in R:
            L.append(row("open to first screen", g("tern_open"), None, None, g("neomutt_open"),
                          "neomutt with a warm header cache"))
            L.append(row("`1000 j`, until rendered", g("tern_j"), None, None, g("neomutt_j")))
            L.append(row("`G` (end), until rendered", g("tern_G"), None, None, g("neomutt_G"), "neomutt: `*`"))
            if g("tern_j_own") or g("tern_G_own"):
                L.append(row("`1000 j`, tern's own time (all 1000 keys)", g("tern_j_own"), None, None, None,
                             "key read to screen drawn, from tern's log (TERN_DEBUG=1); the rows above add tmux's "
                             "delivery and the capture polling"))
                L.append(row("`G`, tern's own time", g("tern_G_own"), None, None, None))
            if g("tern_cj_own") or g("tern_cG_own"):
                L.append(row("threads, all collapsed: `1000 j`, tern's own time", g("tern_cj_own"), None, None, None,
                             "V, then Esc-V: a collapsed thread is one row of thread_mailbox"))
                L.append(row("threads, all collapsed: `G`, tern's own time", g("tern_cG_own"), None, None, None))
            for order in SORTED_ORDERS:
                if "tern_open_" + order not in R:
                    continue
                how = "`sort = %s`" % order
                L.append(row("open to first screen, %s" % how, g("tern_open_" + order), None, None, None,
                             "each order pages through its own index (db/db_sort.c)"))
                L.append(row("`1000 j`, until rendered, %s" % how, g("tern_j_" + order), None, None, None,
                             "timed until the status line shows the position; cursor checked against "
                             "`tern list --sort %s`" % order))
                L.append(row("`G` (end), until rendered, %s" % how, g("tern_G_" + order), None, None, None))
                L.append(row("`1000 j`, tern's own time, %s" % how, g("tern_j_own_" + order), None, None, None))
                L.append(row("`G`, tern's own time, %s" % how, g("tern_G_own_" + order), None, None, None))
        if "search_bench" in R:
            L.append(row("search, first screen per query (tests/bench/search_bench.sh)", g("search_bench"), None, None, None,
                         "neomutt has no index: its `~b` search fetches every body from the server"))
        lim = getattr(R.get("search_bench"), "limits", None)
        if lim:
            per = ", ".join("`%s` (%s matches) %s/%s/%s/%s ms" % (q, n, o, j, G, c) for o, j, G, c, n, q in lim)
            for k, what in ((0, "open (first two screens)"), (1, "j past them (next screen)"), (2, "G (last two screens)")):
                L.append(row("limit of INBOX (`l`), %s" % what, Result([int(x[k]) / 1000.0 for x in lim]), None, None, None,
                             "tests/bench/search_bench.sh: the database side of the list, per limit; open/j/G/count: " + per
                             if k == 0 else ""))
        if "tern_search" in R:
            L.append(row("`tern search bench %s` (CLI, whole process, all folders)" % CFG["search_query"], g("tern_search"), None, None, None))
        L.append("")
        # memory
        mem = []
        def m(label, res):
            if res is None:
                return
            mem.append("| %s | %s |" % (label, ("n/a (%s)" % res.na) if res.na else fmt_mb(res.rss_kb)))
        m("tern sync --once, initial", g("tern_init"))
        m("tern TUI (open + 1000 j + G)", g("tern_tui_rss") or (Result(na=g("tern_open").na) if g("tern_open") else None))
        m("neomutt, initial (cold cache)", g("neomutt_init"))
        m("neomutt TUI (open + 1000 j + G)", g("neomutt_rss"))
        m("mbsync, initial", g("mbsync_init"))
        m("floor", g("floor"))
        L.append("Peak RSS at %d:\n" % size)
        L.append("| process | peak RSS |")
        L.append("|---|---|")
        L += mem
        L.append("")

    for size, R in jsections:
        g = R.get
        L.append("## JMAP (Cyrus), %d messages\n" % size)
        L.append("| case | tern | JMAP floor (python urllib) | tern/floor | notes |")
        L.append("|---|---|---|---|---|")
        L.append("| initial sync | %s | %s | %s | floor: session, Mailbox/get, Email/query of all ids (calculateTotal, paged), Email/get of 18 properties in chunks of maxObjectsInGet, every email read |"
                 % (g("tern_jinit").cell(), g("jfloor_init").cell(), ratio(g("tern_jinit"), g("jfloor_init"))))
        L.append("| no-op resync | %s | %s | %s | floor: session + Email/changes |"
                 % (g("tern_jnoop").cell(), g("jfloor_noop").cell(), ratio(g("tern_jnoop"), g("jfloor_noop"))))
        L.append("")
    if not jsections:
        L.append("## JMAP (Cyrus)\n\nn/a: %s\n" % CFG.get("jmap_skip", "not run"))

    # Targets (issue 9), judged at the biggest size.
    if sections:
        size, R = sections[-1]
        L.append("## Targets (issue 9) at %d messages\n" % size)
        ti, fl = R.get("tern_init"), R.get("floor")
        if ti and not ti.na and fl and fl.values:
            L.append("- initial sync ≤ 1.5× the raw floor: %s (%s)" % (
                "**met**" if ti.median <= 1.5 * fl.median else "**missed**", ratio(ti, fl)))
        else:
            L.append("- initial sync ≤ 1.5× the raw floor: not measured (%s)" % (ti.na if ti else "?"))
        L.append("- no-op resync ≤ 100 ms: %s" % target(R.get("tern_noop"), 0.1, "median"))
        L.append("- first screen ≤ 100 ms: %s" % target(R.get("tern_open"), 0.1, "median"))
        jo = R.get("tern_j_own")
        per_j = Result([v / 1000.0 for v in jo.values]) if jo and not jo.na and jo.values else jo
        L.append("- any key ≤ 5 ms (1M mailbox; here %d, tern's own time from key to screen): G %s; j %s"
                 % (size, target(R.get("tern_G_own"), 0.005, "G"), target(per_j, 0.005, "j, per key")))
        for order in SORTED_ORDERS:
            jo = R.get("tern_j_own_" + order)
            per_j = Result([v / 1000.0 for v in jo.values]) if jo and not jo.na and jo.values else jo
            if R.get("tern_open_" + order):
                L.append("- sorted by %s: first screen ≤ 100 ms: %s; G %s; j %s"
                         % (order, target(R.get("tern_open_" + order), 0.1, "median"),
                            target(R.get("tern_G_own_" + order), 0.005, "G"), target(per_j, 0.005, "j, per key")))
        r1, r2 = R.get("tern_init"), R.get("tern_tui_rss")
        rs = [x.rss_kb for x in (r1, r2) if x and not x.na and x.rss_kb]
        if rs:
            L.append("- RSS ≤ 40 MB: %s (largest: %s)" % ("**met**" if max(rs) <= 40 * 1024 else "**missed**", fmt_mb(max(rs))))
        else:
            L.append("- RSS ≤ 40 MB: not measured")
        L.append("")
    L += list(prof)
    analysis = os.path.join(CFG["srcdir"], "tests", "bench", "analysis.md")
    if prof and os.path.exists(analysis):
        L.append(open(analysis).read().rstrip() + "\n")
    if CFG.get("notes") or CRASHES:
        L.append("## Notes\n")
        if CFG.get("notes"):
            L.append(CFG["notes"] + "\n")
        for c in CRASHES:
            L.append("- **crash:** " + c)
        L.append("")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main


def main():
    global CFG, SRV, WORK, FLOOR, TERN, TM, LOAD0
    CFG = json.load(open(sys.argv[1]))
    SRV = CFG["server"]
    WORK = CFG["work"]
    FLOOR = CFG["floor"]
    TERN = CFG.get("tern") or ""
    t_start = time.monotonic()
    LOAD0 = " ".join(open("/proc/loadavg").read().split()[:3])
    TM = Tmux(os.path.join(WORK, "tmux.sock"))
    sections, jsections = [], []
    try:
        for i, acct in enumerate(CFG["accounts"]):
            big = acct["size"] >= 100000
            R = section_imap(acct, acct["size"], big)
            R["_inbox"], R["_total"] = acct.get("inbox"), acct.get("total")
            sections.append((acct["size"], R))
        for jm in CFG.get("jmap", []):
            jsections.append((jm["size"], section_jmap(jm, jm["size"])))
        prof = profile(sections)
    finally:
        TM.kill()
    md = report(sections, jsections, CFG["command"], time.monotonic() - t_start + CFG.get("setup_seconds", 0), prof)
    with open(CFG["output"], "w") as f:
        f.write(md)
    log("wrote %s" % CFG["output"])
    if CRASHES:
        log("%d crash(es): %s" % (len(CRASHES), "; ".join(CRASHES)))
        sys.exit(3)


if __name__ == "__main__":
    main()
