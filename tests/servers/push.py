#!/usr/bin/python3
"""push.py --port P --cyrus http://127.0.0.1:CYRUS_HTTP_PORT: JMAP push in front of Cyrus.

Debian's Cyrus is built without wslay, so its eventSourceUrl always answers 204 and JMAP has
no push. This threaded HTTP server (stdlib only) gives a client a JMAP server with push:

GET /.well-known/jmap, /jmap, /jmap/, /jmap/session
    Fetches Cyrus's session with the caller's Authorization header (401 is passed through)
    and returns it with apiUrl, downloadUrl and uploadUrl made ABSOLUTE Cyrus URLs (so all
    API traffic goes straight to Cyrus) and eventSourceUrl pointing here:
    http://127.0.0.1:P/eventsource?types={types}&closeafter={closeafter}&ping={ping}
GET /bare/.well-known/jmap (and /bare/jmap...)
    The same, with a plain eventSourceUrl http://127.0.0.1:P/eventsource (no template: a
    client adds the query itself, as for Fastmail's).
GET /eventsource?types=T&closeafter=state|no&ping=N   (RFC 8620 section 7.3)
    text/event-stream. Polls Cyrus every 0.2 s for the user's mail account (Mailbox/get,
    Email/get and Thread/get with ids=[] return just the states) and on a move sends
        id: <states>
        event: state
        data: {"@type":"StateChange","changed":{"<accountId>":{"Email":"<state>",...}}}
    with only the types that moved (and were asked for: T is "*" or a comma list).
    ping=N > 0: "event: ping" with data {"interval":N} after N s without an event.
    closeafter=state: the response ends after the first state event (long polling).
    A Last-Event-ID header that differs from the current states gets one state event at once.
    If Cyrus stops answering for 2 s, the stream is closed (a client must reconnect).
"""
import argparse
import json
import select
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPES = ("Email", "Mailbox", "Thread")
USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
POLL = 0.2


class Upstream:
    def __init__(self, base, own):
        self.base = base.rstrip("/")
        self.own = own

    def session(self, auth, bare=False):
        """(status, headers, body bytes, session dict or None) from Cyrus."""
        req = urllib.request.Request(self.base + "/.well-known/jmap", headers={"Authorization": auth} if auth else {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                final = r.geturl()
                body = r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read(), None
        s = json.loads(body)
        for k in ("apiUrl", "downloadUrl", "uploadUrl"):
            if k in s:
                # urljoin would %-escape nothing, so {accountId} templates survive.
                s[k] = urllib.parse.urljoin(final, s[k])
        s["eventSourceUrl"] = self.own + "/eventsource" + (
            "" if bare else "?types={types}&closeafter={closeafter}&ping={ping}")
        return 200, {}, json.dumps(s).encode(), s

    def states(self, api_url, auth, account):
        calls = [[t + "/get", {"accountId": account, "ids": []}, t] for t in TYPES]
        data = json.dumps({"using": USING, "methodCalls": calls}).encode()
        req = urllib.request.Request(api_url, data=data, headers={
            "Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            resp = json.loads(r.read())
        out = {}
        for name, args, tag in resp["methodResponses"]:
            if name.endswith("/get"):
                out[tag] = args.get("state")
        return out


class Handler(BaseHTTPRequestHandler):
    server_version = "tern-lab-push/1"
    protocol_version = "HTTP/1.0"   # one response per connection: streams end by closing

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    def reply(self, code, body, ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        auth = self.headers.get("Authorization")
        up = self.server.upstream
        bare = url.path.startswith("/bare/")
        path = url.path[len("/bare"):] if bare else url.path
        try:
            code, hdrs, body, sess = up.session(auth, bare)
        except (OSError, ValueError) as e:
            return self.reply(502, json.dumps({"error": "cyrus: %s" % e}).encode())
        if code != 200:
            extra = {k: v for k, v in hdrs.items() if k.lower() == "www-authenticate"}
            return self.reply(code, body, hdrs.get("Content-Type", "text/plain"), extra)
        if path in ("/.well-known/jmap", "/jmap", "/jmap/", "/jmap/session"):
            return self.reply(200, body)
        if path == "/eventsource":
            return self.events(urllib.parse.parse_qs(url.query), auth, sess)
        return self.reply(404, b'{"error":"not found"}')

    def gone(self):
        """True once the client closed its end (so an idle stream stops polling Cyrus)."""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            return bool(r) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def events(self, q, auth, sess):
        want = q.get("types", ["*"])[0]
        types = TYPES if want in ("*", "") else tuple(t for t in want.split(",") if t in TYPES)
        closeafter = q.get("closeafter", ["no"])[0]
        try:
            ping = max(0, int(q.get("ping", ["0"])[0]))
        except ValueError:
            ping = 0
        account = sess["primaryAccounts"]["urn:ietf:params:jmap:mail"]
        up = self.server.upstream
        try:
            prev = up.states(sess["apiUrl"], auth, account)
        except (OSError, ValueError, KeyError) as e:
            return self.reply(502, json.dumps({"error": "cyrus: %s" % e}).encode())

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()

        def ident(st):
            return ",".join("%s:%s" % (t, st.get(t)) for t in TYPES)

        def send(ev, data, eid=None):
            msg = ("id: %s\n" % eid if eid else "") + "event: %s\ndata: %s\n\n" % (ev, json.dumps(data))
            self.wfile.write(msg.encode())
            self.wfile.flush()

        def state_event(st, which):
            changed = {account: {t: st[t] for t in which}}
            send("state", {"@type": "StateChange", "changed": changed}, ident(st))

        last_sent = time.monotonic()
        failing_since = None
        try:
            last_id = self.headers.get("Last-Event-ID")
            if last_id and last_id != ident(prev) and types:
                state_event(prev, types)
                last_sent = time.monotonic()
                if closeafter == "state":
                    return
            while not self.gone():
                time.sleep(POLL)
                try:
                    cur = up.states(sess["apiUrl"], auth, account)
                    failing_since = None
                except (OSError, ValueError, KeyError):
                    failing_since = failing_since or time.monotonic()
                    if time.monotonic() - failing_since > 2:
                        return
                    continue
                moved = [t for t in types if cur.get(t) != prev.get(t)]
                prev = cur
                if moved:
                    state_event(cur, moved)
                    last_sent = time.monotonic()
                    if closeafter == "state":
                        return
                elif ping and time.monotonic() - last_sent >= ping:
                    send("ping", {"interval": ping})
                    last_sent = time.monotonic()
        except OSError:
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cyrus", required=True, help="Cyrus base URL, e.g. http://127.0.0.1:18080")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.upstream = Upstream(a.cyrus, "http://127.0.0.1:%d" % a.port)
    srv.serve_forever()


if __name__ == "__main__":
    main()
