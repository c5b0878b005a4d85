#!/usr/bin/env python3
"""A one-click unsubscribe endpoint for tests (RFC 8058): HTTPS with the
lab's certificate, records each request as one line "METHOD PATH BODY" in
LOG, answers 200. Prints its port once listening.
usage: unsub_https.py CERT KEY LOG"""
import http.server
import ssl
import sys

cert, key, log = sys.argv[1:4]


class H(http.server.BaseHTTPRequestHandler):
    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        with open(log, "a") as f:
            f.write("%s %s %s %s\n" % (self.command, self.path, body,
                                        self.headers.get("Content-Type", "")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = _record
    do_GET = _record

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
