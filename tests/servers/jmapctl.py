#!/usr/bin/python3
"""jmapctl.py: act as "another JMAP client" on the lab's Cyrus (stdlib urllib).

  jmapctl.py [--url SESSION_URL] [-u USER] [-p PASS] COMMAND ARGS...

Defaults: --url $CYRUS_JMAP_URL (use $PUSH_JMAP_URL for the push endpoint), -u $USER1 (alice),
the lab's password of USER (PASSn of the USERn in the env). Session URLs are resolved against
the session's own URL (Cyrus sends relative ones). MAILBOX is a role (inbox, sent...), a name path with "/" (Lists/tern-dev) or an id.

  session                        the session object (JSON)
  mailboxes                      ID<TAB>ROLE<TAB>PATH<TAB>TOTAL<TAB>UNREAD per mailbox
  count [MAILBOX]                Email/query total (all mail without MAILBOX)
  ids MAILBOX                    email ids, oldest receivedAt first
  msgids MAILBOX                 Message-ID of each email (<...>), oldest first
  find MESSAGE-ID                the email id (exit 1 if none)
  get ID [PROPERTY...]           Email/get of one email (JSON)
  state [TYPE]                   current state of TYPE (Email, Mailbox, Thread; default Email)
  changes TYPE SINCE             TYPE/changes (JSON)
  keyword ID KEYWORD true|false  Email/set keywords/KEYWORD
  move ID MAILBOX                Email/set mailboxIds = {MAILBOX}
  destroy ID                     Email/set destroy
  call JSON                      raw methodCalls ("$ACCOUNT" is replaced); prints methodResponses
  events [--types T] [--timeout S] [--closeafter state|no] [--ping N]
                                 reads the session's eventSourceUrl: prints "open" when connected,
                                 then one JSON line per event; exit 0 after the first state event
                                 with closeafter=state (the default), 1 on timeout
Exit: 0 ok, 1 error or nothing found, 2 usage.
"""
import argparse
import base64
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail", "urn:ietf:params:jmap:submission"]


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


class Jmap:
    def __init__(self, url, user, password):
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        with urllib.request.urlopen(self.req(url), timeout=30) as r:
            final = r.geturl()
            self.session = json.loads(r.read())
        for k in ("apiUrl", "downloadUrl", "uploadUrl", "eventSourceUrl"):
            if k in self.session:
                self.session[k] = urllib.parse.urljoin(final, self.session[k])
        self.account = self.session["primaryAccounts"]["urn:ietf:params:jmap:mail"]

    def req(self, url, data=None):
        h = {"Authorization": self.auth}
        if data is not None:
            h["Content-Type"] = "application/json"
        return urllib.request.Request(url, data=data, headers=h)

    def call(self, calls):
        body = json.dumps({"using": USING, "methodCalls": calls}).replace('"$ACCOUNT"', json.dumps(self.account))
        with urllib.request.urlopen(self.req(self.session["apiUrl"], body.encode()), timeout=120) as r:
            resp = json.loads(r.read())["methodResponses"]
        for name, args, _ in resp:
            if name == "error":
                raise RuntimeError("JMAP error: %s" % json.dumps(args))
        return resp

    def one(self, method, args):
        args = dict(args, accountId=self.account)
        return self.call([[method, args, "0"]])[0][1]

    def mailboxes(self):
        mbs = self.one("Mailbox/get", {"ids": None})["list"]
        by_id = {m["id"]: m for m in mbs}

        def path(m):
            return path(by_id[m["parentId"]]) + "/" + m["name"] if m.get("parentId") else m["name"]
        for m in mbs:
            m["path"] = path(m)
        return mbs

    def mailbox_id(self, spec):
        for m in self.mailboxes():
            if spec in (m["id"], m["path"]) or (m.get("role") and m["role"] == spec.lower()):
                return m["id"]
        raise LookupError("no mailbox %r" % spec)

    def query(self, mailbox=None, position=0, limit=None):
        args = {"sort": [{"property": "receivedAt", "isAscending": True}], "calculateTotal": True,
                "position": position}
        if mailbox:
            args["filter"] = {"inMailbox": self.mailbox_id(mailbox)}
        if limit is not None:
            args["limit"] = limit
        return self.one("Email/query", args)

    def all_ids(self, mailbox):
        ids = []
        while True:
            r = self.query(mailbox, position=len(ids))
            ids += r["ids"]
            if not r["ids"] or len(ids) >= r["total"]:
                return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url")
    ap.add_argument("-u", "--user")
    ap.add_argument("-p", "--password")
    ap.add_argument("--types", default="*")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--closeafter", default="state")
    ap.add_argument("--ping", type=int, default=0)
    ap.add_argument("cmd")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    env = lab_env()
    user = a.user or env.get("USER1", "alice")
    try:
        if not a.url and "CYRUS_JMAP_URL" not in env:
            raise LookupError("no CYRUS_JMAP_URL: set TERN_LAB (or source the lab's env), or give --url")
        j = Jmap(a.url or env["CYRUS_JMAP_URL"], user, a.password or lab_password(env, user))
        return run(j, a)
    except BrokenPipeError:
        raise
    except (urllib.error.URLError, RuntimeError, LookupError, KeyError, OSError) as e:
        print("jmapctl: %s" % e, file=sys.stderr)
        return 1


def run(j, a):
    args, cmd = a.args, a.cmd
    if cmd == "session":
        print(json.dumps(j.session, indent=1))
    elif cmd == "mailboxes":
        for m in j.mailboxes():
            print("%s\t%s\t%s\t%d\t%d" % (m["id"], m.get("role") or "", m["path"], m["totalEmails"], m["unreadEmails"]))
    elif cmd == "count":
        print(j.query(args[0] if args else None, limit=0)["total"])
    elif cmd in ("ids", "msgids"):
        ids = j.all_ids(args[0])
        if cmd == "ids":
            print("\n".join(ids))
            return 0
        for k in range(0, len(ids), 1000):
            got = j.one("Email/get", {"ids": ids[k:k + 1000], "properties": ["messageId"]})["list"]
            order = {e["id"]: e for e in got}
            for i in ids[k:k + 1000]:
                print("<%s>" % (order[i].get("messageId") or [""])[0])
    elif cmd == "find":
        r = j.one("Email/query", {"filter": {"header": ["Message-ID", args[0].strip("<>")]}})
        if not r["ids"]:
            return 1
        print(r["ids"][0])
    elif cmd == "get":
        props = args[1:] or None
        print(json.dumps(j.one("Email/get", {"ids": [args[0]], "properties": props})["list"], indent=1,
                         ensure_ascii=False))
    elif cmd == "state":
        t = args[0] if args else "Email"
        print(j.one(t + "/get", {"ids": []})["state"])
    elif cmd == "changes":
        print(json.dumps(j.one(args[0] + "/changes", {"sinceState": args[1]}), indent=1))
    elif cmd in ("keyword", "move", "destroy"):
        if cmd == "keyword":
            upd = {"update": {args[0]: {"keywords/" + args[1]: True if args[2] == "true" else None}}}
        elif cmd == "move":
            upd = {"update": {args[0]: {"mailboxIds": {j.mailbox_id(args[1]): True}}}}
        else:
            upd = {"destroy": [args[0]]}
        r = j.one("Email/set", upd)
        bad = r.get("notUpdated") or r.get("notDestroyed")
        if bad:
            print(json.dumps(bad), file=sys.stderr)
            return 1
    elif cmd == "call":
        print(json.dumps(j.call(json.loads(args[0])), indent=1, ensure_ascii=False))
    elif cmd == "events":
        return events(j, a)
    else:
        print("jmapctl: unknown command %r" % cmd, file=sys.stderr)
        return 2
    return 0


def events(j, a):
    url = j.session.get("eventSourceUrl")
    if not url:
        print("jmapctl: no eventSourceUrl", file=sys.stderr)
        return 1
    url = url.replace("{types}", a.types).replace("{closeafter}", a.closeafter).replace("{ping}", str(a.ping))
    deadline = time.monotonic() + a.timeout
    r = urllib.request.urlopen(j.req(url), timeout=a.timeout)
    if r.status != 200 or not r.headers.get("Content-Type", "").startswith("text/event-stream"):
        print("jmapctl: eventsource answered %d %s" % (r.status, r.headers.get("Content-Type")), file=sys.stderr)
        return 1
    print("open", flush=True)
    ev = {}
    try:
        while time.monotonic() < deadline:
            line = r.readline()
            if not line:
                return 1
            line = line.decode().rstrip("\r\n")
            if line:
                k, _, v = line.partition(":")
                ev[k] = ev.get(k, "") + v.lstrip(" ")
                continue
            if ev:
                print(json.dumps({"event": ev.get("event", "message"), "id": ev.get("id"),
                                  "data": json.loads(ev.get("data") or "null")}), flush=True)
                if ev.get("event") == "state" and a.closeafter == "state":
                    return 0
                ev = {}
    except (TimeoutError, OSError):
        pass
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # e.g. piped into head
        sys.exit(0)
