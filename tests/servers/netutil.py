#!/usr/bin/python3
"""Small network helpers for the lab scripts (stdlib only, /usr/bin/python3).

  netutil.py ports LAB NAME...        print NAME=PORT lines, one free 127.0.0.1 port each,
                                      reserved for the lab directory LAB (see below)
  netutil.py release LAB              drop LAB's reservations (stop.sh --clean)
  netutil.py wait TIMEOUT SPEC...     wait until every SPEC answers; SPEC = PORT[:PREFIX]
                                      (PREFIX: bytes the greeting must start with, e.g. "* OK";
                                      "tls" = complete a TLS handshake; none = a connect is enough)

Ports are picked below the kernel's ephemeral range (ip_local_port_range), so an outgoing
connection can never sit on a port we record and later reuse when a server restarts.

A port is free only for a moment after we bind-test it, and a lab keeps its ports across a
server restart (stop; start): another lab drawing ports at that moment (make -j2 check) could
take one. So each port a lab draws is reserved machine-wide in RESERVE_DIR/PORT (the file holds
the lab directory), under a lock, and never handed to another lab while that lab directory
exists. A reservation whose lab directory is gone (a lab removed without stop.sh --clean) is
taken over.
"""
import fcntl
import os
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


RESERVE_DIR = os.environ.get("TERN_LAB_PORTS", "/tmp/tern-lab-ports")


def reserve_lock():
    os.makedirs(RESERVE_DIR, mode=0o755, exist_ok=True)
    fd = os.open(os.path.join(RESERVE_DIR, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def reserved_by(port):
    """The lab directory holding PORT, or None if free (or its lab is gone)."""
    try:
        with open(os.path.join(RESERVE_DIR, str(port))) as f:
            lab = f.read().strip()
    except OSError:
        return None
    return lab if lab and os.path.isdir(lab) else None


def reserve(port, lab):
    path = os.path.join(RESERVE_DIR, str(port))
    with open(path + ".tmp", "w") as f:
        f.write(lab + "\n")
    os.rename(path + ".tmp", path)


def free_ports(lab, names):
    lab = os.path.abspath(lab)
    hi = ephemeral_low() - 1
    lo = max(10000, hi - 12000)
    rng = random.SystemRandom()
    held, out = [], []
    lock = reserve_lock()
    try:
        for name in names:
            for _ in range(500):
                port = rng.randrange(lo, hi)
                if reserved_by(port):
                    continue
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    s.close()
                    continue
                held.append(s)  # keep it bound so the next name cannot draw it again
                reserve(port, lab)
                out.append("%s=%d" % (name, port))
                break
            else:
                sys.exit("netutil: no free port for %s" % name)
    finally:
        for s in held:
            s.close()
        os.close(lock)
    print("\n".join(out))


def release(lab):
    lab = os.path.abspath(lab)
    if not os.path.isdir(RESERVE_DIR):
        return
    lock = reserve_lock()
    try:
        for n in os.listdir(RESERVE_DIR):
            if not n.isdigit():
                continue
            path = os.path.join(RESERVE_DIR, n)
            try:
                with open(path) as f:
                    if f.read().strip() == lab:
                        os.unlink(path)
            except OSError:
                pass
    finally:
        os.close(lock)


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
    if len(argv) >= 3 and argv[0] == "ports":
        free_ports(argv[1], argv[2:])
        return 0
    if len(argv) == 2 and argv[0] == "release":
        release(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] == "wait":
        return wait(float(argv[1]), argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
