#!/usr/bin/python3
"""An RFC 7662 token introspection endpoint for Dovecot's oauth2 passdb (servers.md 7).

  introspect.py PORT TOKENS

POST /introspect with token=... (form-encoded) answers {"active": true, "username": USER} when
TOKENS (read on every request, so a test can revoke or expire a token while Dovecot runs) has a
line "TOKEN USER", or "TOKEN USER N" and the token was asked about fewer than N times (a token
that expires after N logins), and {"active": false} otherwise (an expired, revoked or unknown
token).
Every token asked about is appended to TOKENS.asked, so a test can count logins. The endpoint
exits when its parent (the test) is gone.
"""
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
TOKENS = sys.argv[2]


USES = {}


def lookup(token):
    USES[token] = USES.get(token, 0) + 1
    try:
        with open(TOKENS) as f:
            for line in f:
                parts = line.split()
                if len(parts) in (2, 3) and parts[0] == token:
                    if len(parts) == 3 and USES[token] > int(parts[2]):
                        return None
                    return parts[1]
    except OSError:
        pass
    return None


LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        if not token:
            auth = self.headers.get("Authorization") or ""
            token = auth[7:] if auth.startswith("Bearer ") else ""
        with LOCK:
            with open(TOKENS + ".asked", "a") as f:
                f.write(token + "\n")
            user = lookup(token)
        body = json.dumps({"active": True, "username": user} if user else {"active": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, fmt, *args):
        pass


def watch_parent(ppid):
    while os.getppid() == ppid:
        time.sleep(0.5)
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
server.serve_forever()
