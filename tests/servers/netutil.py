#!/usr/bin/python3
"""Small network helpers for the lab scripts (stdlib only, /usr/bin/python3).

  netutil.py ports NAME...            print NAME=PORT lines, one free 127.0.0.1 port each
  netutil.py wait TIMEOUT SPEC...     wait until every SPEC answers; SPEC = PORT[:PREFIX]
                                      (PREFIX: bytes the greeting must start with, e.g. "* OK";
                                      "tls" = complete a TLS handshake; none = a connect is enough)

Ports are picked below the kernel's ephemeral range (ip_local_port_range), so an outgoing
connection can never sit on a port we record and later reuse when a server restarts.
"""
import random
import socket
import ssl
import sys
import time


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(names):
    hi = ephemeral_low() - 1
    lo = max(10000, hi - 12000)
    rng = random.SystemRandom()
    held, out = [], []
    for name in names:
        for _ in range(500):
            port = rng.randrange(lo, hi)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            held.append(s)  # keep it bound so the next name cannot draw it again
            out.append("%s=%d" % (name, port))
            break
        else:
            sys.exit("netutil: no free port for %s" % name)
    for s in held:
        s.close()
    print("\n".join(out))


def answers(port, prefix):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1.0)
    except OSError:
        return False
    try:
        if prefix == "tls":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.wrap_socket(s).close()
            return True
        if not prefix:
            return True
        got = b""
        while len(got) < len(prefix):
            chunk = s.recv(256)
            if not chunk:
                return False
            got += chunk
        return got.startswith(prefix.encode())
    except OSError:
        return False
    finally:
        s.close()


def wait(timeout, specs):
    deadline = time.monotonic() + timeout
    pending = []
    for spec in specs:
        port, _, prefix = spec.partition(":")
        pending.append((int(port), prefix))
    while pending:
        pending = [p for p in pending if not answers(*p)]
        if not pending:
            return 0
        if time.monotonic() > deadline:
            sys.stderr.write("netutil: no answer within %ss on port(s) %s\n"
                             % (timeout, " ".join(str(p[0]) for p in pending)))
            return 1
        time.sleep(0.01)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "ports":
        free_ports(argv[1:])
        return 0
    if len(argv) >= 3 and argv[0] == "wait":
        return wait(float(argv[1]), argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
