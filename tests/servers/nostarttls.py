#!/usr/bin/python3
"""nostarttls.py LISTEN_PORT UPSTREAM_PORT: an IMAP server that never offers STARTTLS.

Dovecot 2.3 cannot turn STARTTLS off for one listener (its `ssl` filters match addresses,
not ports), and tern must treat "imap_tls = starttls but the server has no STARTTLS" as an
error. This proxy forwards 127.0.0.1:LISTEN_PORT to Dovecot's plain port and
  - removes the STARTTLS token from every CAPABILITY list (greeting, CAPABILITY response,
    [CAPABILITY ...] response codes),
  - answers a STARTTLS command itself with "TAG BAD STARTTLS not available",
so everything else (LOGIN in the clear, SELECT, FETCH...) is real Dovecot.
Both directions are parsed as IMAP lines with {N}/{N+}/~{N} literals passed through untouched,
so message text can never be rewritten. stdlib only, one thread per direction.
"""
import re
import socket
import sys
import threading

LITERAL = re.compile(rb"~?\{(\d+)\+?\}\r\n$")
CAPLINE = re.compile(rb"^(\* CAPABILITY |\* OK \[CAPABILITY |\S+ OK \[CAPABILITY )", re.I)
STARTTLS_TOKEN = re.compile(rb" STARTTLS(?=[ \]\r])", re.I)
STARTTLS_CMD = re.compile(rb"^(\S+) STARTTLS\r?\n$", re.I)


def pump(src, dst, filt, lock):
    """Copy IMAP lines from src to dst through filt(line) -> bytes or None (drop)."""
    rf = src.makefile("rb")
    try:
        while True:
            line = rf.readline(1 << 20)
            if not line:
                break
            out = filt(line)
            if out:
                with lock:
                    dst.sendall(out)
            m = LITERAL.search(line)
            if m:
                left = int(m.group(1))
                while left:
                    chunk = rf.read(min(left, 65536))
                    if not chunk:
                        return
                    with lock:
                        dst.sendall(chunk)
                    left -= len(chunk)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, upstream_port):
    try:
        up = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        client.close()
        return
    to_client = threading.Lock()
    to_up = threading.Lock()

    def from_server(line):
        if CAPLINE.match(line):
            return STARTTLS_TOKEN.sub(b"", line)
        return line

    def from_client(line):
        m = STARTTLS_CMD.match(line)
        if m:
            with to_client:
                client.sendall(m.group(1) + b" BAD STARTTLS not available\r\n")
            return None
        return line

    t = threading.Thread(target=pump, args=(up, client, from_server, to_client), daemon=True)
    t.start()
    pump(client, up, from_client, to_up)
    t.join()
    client.close()
    up.close()


def main():
    listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(64)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c, upstream_port), daemon=True).start()


if __name__ == "__main__":
    main()
