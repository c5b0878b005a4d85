#!/usr/bin/python3
"""sink.py: the lab's SMTP sink (aiosmtpd, Debian's /usr/bin/python3), 127.0.0.1 only.

  sink.py --port P --dir SPOOL [--smtps-port P2] [--cert CERT --key KEY]
          [--auth USER:PASS ...] [--auth-required] [--auth-plaintext] [--require-tls]
          [--relay-port P3] [--nostarttls-port P4]

Accepts every message and stores it atomically as SPOOL/NNNNNN.eml (the DATA bytes, CRLF
as received) plus SPOOL/NNNNNN.json (mail_from, rcpt_tos, mail_options, auth_user, tls, helo,
peer, size, time). The .json is renamed into place before the .eml, so a test that sees the
.eml can read the .json. Numbers continue after the highest already in SPOOL.

--cert/--key: offer STARTTLS on --port and serve implicit TLS on --smtps-port.
AUTH PLAIN/LOGIN against the --auth pairs is offered only after STARTTLS (or on the implicit
TLS port) unless --auth-plaintext; --auth-required refuses MAIL before AUTH (530);
--require-tls refuses everything but EHLO/STARTTLS/QUIT before TLS.
--relay-port: a listener for the lab's servers relaying their submissions (Dovecot's submission
service, Cyrus's JMAP EmailSubmission), which do not authenticate: no AUTH needed there.
--nostarttls-port: a listener that never offers STARTTLS but offers AUTH in the clear (and
requires it with --auth-required): a client that falls back from STARTTLS to plaintext gets its
message through, so a test can see the fallback.
All listeners write to the same SPOOL; the .json's "port" says which one took the message.
Lines over 998 octets are refused ("500 Line too long"), as RFC 5321 4.5.3.1.6 allows: a client
must encode long lines.

Failure injection, read on every command, so tests create/remove these files at run time:
  SPOOL/.reject       DATA is answered 451 4.3.0 (temporary), or 550 5.7.1 if the file contains "550"
  SPOOL/.drop         the connection is closed right after MAIL FROM, without a reply
  SPOOL/.reject-rcpt  RCPT TO for an address listed in it (one per line) gets 550 5.1.1
  SPOOL/.delay        DATA is answered only after the number of seconds in the file (timeouts)
"""
import argparse
import asyncio
import json
import os
import re
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def read_flag(spool, name):
    try:
        with open(os.path.join(spool, name), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


class Handler:
    def __init__(self, spool):
        self.spool = spool
        nums = [int(m.group(1)) for m in
                (re.match(r"^(\d{6})\.eml$", n) for n in os.listdir(spool)) if m]
        self.next = max(nums, default=0) + 1

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if read_flag(self.spool, ".drop") is not None:
            server.transport.close()
            return "421 4.4.2 dropped"  # never reaches the client: the transport is closed
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        bad = read_flag(self.spool, ".reject-rcpt")
        if bad is not None and address.lower() in {a.strip().lower() for a in bad.splitlines()}:
            return "550 5.1.1 <%s>: recipient rejected (injected)" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        delay = read_flag(self.spool, ".delay")
        if delay is not None:
            await asyncio.sleep(float(delay.strip() or "30"))
        rej = read_flag(self.spool, ".reject")
        if rej is not None:
            if "550" in rej:
                return "550 5.7.1 message refused (injected)"
            return "451 4.3.0 temporary failure (injected)"
        n = self.next
        self.next += 1
        base = os.path.join(self.spool, "%06d" % n)
        auth = session.auth_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "auth_user": auth.login.decode("utf-8", "replace") if isinstance(auth, LoginPassword) else None,
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
            "helo": session.host_name,
            "peer": list(session.peer) if session.peer else None,
            "size": len(envelope.original_content or b""),
            "time": time.time(),
            "port": server.transport.get_extra_info("sockname")[1],
        }
        for suffix, data in ((".json", json.dumps(meta, indent=1).encode() + b"\n"),
                             (".eml", envelope.original_content or b"")):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 2.0.0 Ok: queued as %06d" % n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--smtps-port", type=int)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--auth", action="append", default=[])
    ap.add_argument("--auth-required", action="store_true")
    ap.add_argument("--auth-plaintext", action="store_true")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--relay-port", type=int)
    ap.add_argument("--nostarttls-port", type=int)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    users = dict(u.split(":", 1) for u in a.auth)
    handler = Handler(a.dir)

    ctx = None
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and users.get(auth_data.login.decode("utf-8", "replace")) == auth_data.password.decode("utf-8", "replace"))
        # handled=False lets aiosmtpd send 235/535 itself; auth_data is kept in session.auth_data.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def factory(implicit, kind="submission"):
        def make():
            if kind == "relay":
                return SMTP(handler, hostname="localhost", ident="tern-lab-sink relay",
                            data_size_limit=64 << 20, auth_required=False,
                            auth_require_tls=True, authenticator=authenticator)
            if kind == "nostarttls":
                return SMTP(handler, hostname="localhost", ident="tern-lab-sink no-starttls",
                            data_size_limit=64 << 20, tls_context=None,
                            auth_required=a.auth_required, auth_require_tls=False,
                            authenticator=authenticator)
            return SMTP(handler, hostname="localhost", ident="tern-lab-sink",
                        data_size_limit=64 << 20,
                        tls_context=None if implicit else ctx,
                        require_starttls=a.require_tls and not implicit,
                        auth_required=a.auth_required,
                        auth_require_tls=not (a.auth_plaintext or implicit),
                        authenticator=authenticator)
        return make

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(loop.create_server(factory(False), host="127.0.0.1", port=a.port,
                                               reuse_address=True))
    if ctx and a.smtps_port:
        loop.run_until_complete(loop.create_server(factory(True), host="127.0.0.1", port=a.smtps_port,
                                                   ssl=ctx, reuse_address=True))
    for port, kind in ((a.relay_port, "relay"), (a.nostarttls_port, "nostarttls")):
        if port:
            loop.run_until_complete(loop.create_server(factory(False, kind), host="127.0.0.1",
                                                       port=port, reuse_address=True))
    loop.run_forever()


if __name__ == "__main__":
    main()
