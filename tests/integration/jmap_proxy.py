#!/usr/bin/python3
"""jmap_proxy.py --cyrus URL --dir DIR: a JMAP session and API in front of Cyrus that a test
can steer through files in DIR, for what Cyrus itself never does (its sessionState is always
"0"). Prints the port it listens on (127.0.0.1), then serves:

GET (any path)  Cyrus's session, with apiUrl pointing here (/api) and the download and upload
                URLs made absolute Cyrus URLs; no eventSourceUrl (so the client polls).
                DIR/state (if present): the session "state"; DIR/limits.json: values merged
                into the core capability; DIR/no-submission: the submission capability
                is left out (a server that cannot send). Logs "session" to DIR/log.
POST /api       forwarded to Cyrus. DIR/state replaces "sessionState" in the response.
                DIR/fail-once (a JSON problem with "status"): answered instead, once (the file
                is removed). DIR/fail-call: the same for the first request holding the call
                whose id is the problem's "call" member (e.g. "c2"). DIR/no-sent-role: Mailbox/get answers carry no "sent" role (an
                account without a Sent mailbox).
                DIR/rename-mailbox ("FROM<TAB>TO"): a mailbox named FROM is called TO in
                Mailbox/get answers (names Cyrus refuses, such as "a/b").
                DIR/mailbox-get-too-large: a Mailbox/get with "ids": null is answered with the
                method error requestTooLarge (RFC 8620 5.1 allows it).
                DIR/bearer ("TOKEN<TAB>USER:PASS"): the session and the API take only
                "Authorization: Bearer TOKEN" (else 401, logged "auth refused: HEADER-SCHEME") and
                talk to Cyrus as USER:PASS (download and upload URLs stay Cyrus's own).
                DIR/anchor-not-found: the next Email/query with an anchor is answered with the
                method error anchorNotFound (the file is removed; "anchor refused" logged).
                DIR/query-limit (a number N): Email/query answers at most N ids (the limit asked
                for is lowered to N, as RFC 8620 5.5 lets a server cap it).
                DIR/query-loop: every Email/query is sent without its anchor and from position 0,
                and its answer says there are 10**12 emails (a server that repeats its first
                page for ever).
                DIR/mangle ("truncate", "html" or "503"): every API answer is cut in half, or
                is an HTML error page with status 200, or one with status 503.
                DIR/method-error (a method name): that method's answers are the method error
                serverFail, its description holding control characters.
                DIR/million-ids: Email/query answers list 1,000,000 ids (made up, valid in form)
                with that total.
                DIR/api-elsewhere (a URL): the session's apiUrl.
                DIR/max-changes-zero (a method name, e.g. Email/changes): that method is sent
                with maxChanges 0 (Cyrus answers invalidArguments naming maxChanges).
                DIR/destroy-mid-sweep: at the second request of a resync's sweep (an Email/query
                without filter, or an Email/get of ids only), another client first destroys the
                email Cyrus lists first (the file is removed; "destroyed-mid-sweep ID" logged).
                DIR/garble-email (a subject): in Email/get answers, the email with that subject
                gets a "from" and a "receivedAt" of the wrong type (an object tern cannot
                convert; "garbled ID" logged). Logs one line per request to DIR/log:
                  api calls=N bytes=B get=L1,L2... set=S1,S2...
                (the list length of each Email/get answer; the number of updates and destroys
                of each Email/set call)

jmap_proxy.py --redirect URL --dir DIR [--tls CERT KEY]: a stub that answers every GET with
"301 Location: URL" (https with --tls), and logs "redirect auth=yes|no" (whether an
Authorization header came) to DIR/log.
"""
import argparse
import base64
import ssl
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return f.read().strip()
    except OSError:
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def note(self, line):
        with open(os.path.join(self.server.dir, "log"), "a") as f:
            f.write(line + "\n")

    def reply(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def auth_ok(self):
        """False (and a 401 sent) when DIR/bearer is set and the request lacks its token."""
        b = read(self.server.dir, "bearer")
        if not b:
            return True
        token, creds = b.split("\t", 1)
        got = self.headers.get("Authorization") or ""
        if got == "Bearer " + token:
            self.upstream_auth = "Basic " + base64.b64encode(creds.encode()).decode()
            return True
        self.note("auth refused: %s" % (got.split(" ", 1)[0] or "none"))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Bearer realm="jmap"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def upstream(self, url, data=None):
        hdrs = {"Authorization": getattr(self, "upstream_auth", None) or self.headers.get("Authorization") or ""}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=hdrs), timeout=30) as r:
                return r.status, r.geturl(), r.read()
        except urllib.error.HTTPError as e:
            return e.code, url, e.read()

    def do_GET(self):
        d = self.server.dir
        if self.server.redirect:
            self.note("redirect auth=%s" % ("yes" if self.headers.get("Authorization") else "no"))
            self.send_response(301)
            self.send_header("Location", self.server.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not self.auth_ok():
            return
        code, final, body = self.upstream(self.server.cyrus + "/.well-known/jmap")
        if code != 200:
            return self.reply(code, body)
        s = json.loads(body)
        self.server.api = urllib.parse.urljoin(final, s["apiUrl"])
        s["apiUrl"] = self.server.own + "/api"
        for k in ("downloadUrl", "uploadUrl"):
            s[k] = urllib.parse.urljoin(final, s[k])
        s.pop("eventSourceUrl", None)
        if read(d, "api-elsewhere"):
            s["apiUrl"] = read(d, "api-elsewhere")
        st = read(d, "state")
        if st:
            s["state"] = st
        lim = read(d, "limits.json")
        if lim:
            s["capabilities"]["urn:ietf:params:jmap:core"].update(json.loads(lim))
        if os.path.exists(os.path.join(d, "no-submission")):
            sub = "urn:ietf:params:jmap:submission"
            s["capabilities"].pop(sub, None)
            for acct in s.get("accounts", {}).values():
                acct.get("accountCapabilities", {}).pop(sub, None)
        self.note("session state=%s" % s["state"])
        self.reply(200, json.dumps(s).encode())

    def do_POST(self):
        d = self.server.dir
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.auth_ok():
            return
        fail = read(d, "fail-once")
        if fail:
            os.unlink(os.path.join(d, "fail-once"))
            self.note("api failed-once")
            return self.reply(json.loads(fail).get("status", 400), fail.encode(), "application/problem+json")
        fc = read(d, "fail-call")
        if fc and json.loads(fc).get("call") in [c[2] for c in json.loads(data).get("methodCalls", [])]:
            os.unlink(os.path.join(d, "fail-call"))
            self.note("api failed-call")
            return self.reply(json.loads(fc).get("status", 400), fc.encode(), "application/problem+json")
        if not getattr(self.server, "api", None):
            self.do_GET_session_only()
        req = json.loads(data)
        self.mid_sweep(d, req)
        zero = read(d, "max-changes-zero")
        if zero:
            for name, args, _ in req.get("methodCalls", []):
                if name == zero:
                    args["maxChanges"] = 0
            data = json.dumps(req).encode()
        loop = os.path.exists(os.path.join(d, "query-loop"))
        if loop:
            for name, args, _ in req.get("methodCalls", []):
                if name == "Email/query":
                    args.pop("anchor", None)
                    args.pop("anchorOffset", None)
                    args["position"] = 0
            data = json.dumps(req).encode()
        qlim = read(d, "query-limit")
        if qlim:
            for name, args, _ in req.get("methodCalls", []):
                if name == "Email/query":
                    args["limit"] = min(int(args.get("limit", int(qlim))), int(qlim))
            data = json.dumps(req).encode()
        code, _, body = self.upstream(self.server.api, data)
        mangle = read(d, "mangle")
        if mangle == "truncate" and code == 200:
            self.note("api mangled truncate")
            return self.reply(200, body[:len(body) // 2])
        if mangle in ("html", "503"):
            self.note("api mangled " + mangle)
            page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx \x1b[31m</body></html>"
            return self.reply(200 if mangle == "html" else 503, page, "text/html")
        gets = []
        if code == 200:
            resp = json.loads(body)
            if os.path.exists(os.path.join(d, "anchor-not-found")):
                anch = [c[2] for c in req.get("methodCalls", []) if c[0] == "Email/query" and "anchor" in c[1]]
                if anch:
                    os.unlink(os.path.join(d, "anchor-not-found"))
                    self.note("anchor refused")
                    resp["methodResponses"] = [["error", {"type": "anchorNotFound"}, r[2]] if r[2] in anch
                                               else r for r in resp.get("methodResponses", [])]
            if os.path.exists(os.path.join(d, "mailbox-get-too-large")):
                allget = [c[2] for c in req.get("methodCalls", [])
                          if c[0] == "Mailbox/get" and c[1].get("ids", 0) is None]
                resp["methodResponses"] = [["error", {"type": "requestTooLarge"}, r[2]] if r[2] in allget
                                           else r for r in resp.get("methodResponses", [])]
            garble = read(d, "garble-email")
            no_sent = os.path.exists(os.path.join(d, "no-sent-role"))
            ren = (read(d, "rename-mailbox") or "").split("\t")
            merr = read(d, "method-error")
            if merr:
                resp["methodResponses"] = [["error", {"type": "serverFail", "description": "disk \x1b]0;pwned\x07 full"}, r[2]]
                                           if r[0] == merr else r for r in resp.get("methodResponses", [])]
            for name, args, _ in resp.get("methodResponses", []):
                if name == "Email/query" and os.path.exists(os.path.join(d, "million-ids")):
                    args["ids"] = ["M%07d" % k for k in range(1000000)]
                    args["total"] = 1000000
                if name == "Email/query" and loop:
                    args["total"] = 10 ** 12
                if name == "Email/get":
                    gets.append(str(len(args.get("list", []))))
                    for em in args.get("list", []):
                        if garble and em.get("subject") == garble:
                            em["from"] = "garbled"
                            em["receivedAt"] = 7
                            self.note("garbled %s" % em.get("id"))
                if name == "Mailbox/get":
                    for mb in args.get("list", []):
                        if no_sent and mb.get("role") == "sent":
                            mb["role"] = None
                        if len(ren) == 2 and mb.get("name") == ren[0]:
                            mb["name"] = ren[1]
            st = read(d, "state")
            if st:
                resp["sessionState"] = st
            body = json.dumps(resp).encode()
        sets = [str(len(a.get("update") or {}) + len(a.get("destroy") or []))
                for n, a, _ in req.get("methodCalls", []) if n == "Email/set"]
        self.note("api calls=%d bytes=%d get=%s set=%s methods=%s" % (
            len(req.get("methodCalls", [])), len(data), ",".join(gets), ",".join(sets),
            ",".join(c[0] for c in req.get("methodCalls", []))))
        self.reply(code, body)

    def mid_sweep(self, d, req):
        flag = os.path.join(d, "destroy-mid-sweep")
        if not os.path.exists(flag):
            return
        sweepy = any((n == "Email/query" and "filter" not in a) or
                     (n == "Email/get" and a.get("properties") == ["id"])
                     for n, a, _ in req.get("methodCalls", []))
        if not sweepy:
            return
        self.server.sweeps = getattr(self.server, "sweeps", 0) + 1
        if self.server.sweeps < 2:
            return
        os.unlink(flag)
        using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
        acct = req["methodCalls"][0][1]["accountId"]
        q = {"using": using, "methodCalls": [["Email/query", {"accountId": acct, "limit": 1}, "q"]]}
        _, _, body = self.upstream(self.server.api, json.dumps(q).encode())
        victim = json.loads(body)["methodResponses"][0][1]["ids"][0]
        x = {"using": using, "methodCalls": [["Email/set", {"accountId": acct, "destroy": [victim]}, "x"]]}
        self.upstream(self.server.api, json.dumps(x).encode())
        self.note("destroyed-mid-sweep %s" % victim)

    def do_GET_session_only(self):
        code, final, body = self.upstream(self.server.cyrus + "/.well-known/jmap")
        self.server.api = urllib.parse.urljoin(final, json.loads(body)["apiUrl"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cyrus")
    ap.add_argument("--redirect")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    if not a.cyrus and not a.redirect:
        ap.error("--cyrus or --redirect is required")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.cyrus = (a.cyrus or "").rstrip("/")
    srv.redirect = a.redirect
    srv.dir = a.dir
    scheme = "http"
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    srv.own = "%s://127.0.0.1:%d" % (scheme, srv.server_address[1])
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
