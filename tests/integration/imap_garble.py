#!/usr/bin/python3
"""imap_garble.py LISTEN_PORT UPSTREAM_PORT MARKER: a plain IMAP proxy on 127.0.0.1 that passes
everything through, except that a FETCH response line naming MARKER (in its ENVELOPE) gets a
BODYSTRUCTURE no parser accepts: the "one odd message" some servers send (review F11).
MARKER instead:
  --no-inbox          drops INBOX from LIST answers (a truncated folder list);
  --uids=U1,U2[:H1,..]  garbles the header FETCH (the one with a BODYSTRUCTURE) of UIDs U1, U2...
                      in any folder, and every FETCH with an RFC822.SIZE of UIDs H1... (even the
                      minimal one: nothing of those can be read); flag-only FETCHes pass;
  --search=NAME       garbles the SEARCH answers while folder NAME is selected;
  --cut-literal       closes the connection halfway through the first literal of a FETCH answer;
  --huge-literal=M    announces the literal of a FETCH answer naming M as 4,000,000,000 bytes
                      (the literal's real bytes follow);
  --deep=M            nests the BODYSTRUCTURE of a FETCH answer naming M 20,000 multiparts deep.
Literals are passed untouched. Runs until killed; prints "ready" when it listens."""
import asyncio
import re
import sys

LISTEN, UP, MARKER = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
UIDS, HARD = set(), set()
if MARKER.startswith(b"--uids="):
    soft, _, hard = MARKER[7:].decode().partition(":")
    UIDS = {int(u) for u in soft.split(",") if u}
    HARD = {int(u) for u in hard.split(",") if u}
SEARCH_IN = MARKER[9:] if MARKER.startswith(b"--search=") else None
HUGE = MARKER[15:] if MARKER.startswith(b"--huge-literal=") else None
DEEP = MARKER[7:] if MARKER.startswith(b"--deep=") else None
FETCH_UID = re.compile(rb"^\* \d+ FETCH \(.*?\bUID (\d+)")
SELECT = re.compile(rb"^\S+ (?:SELECT|EXAMINE) \"?([^\"\r\n ]+)\"?", re.I)


def garble(line):
    """The line as the proxy passes it on."""
    m = FETCH_UID.match(line)
    if m and int(m.group(1)) in HARD and b"RFC822.SIZE " in line:
        return line.replace(b"RFC822.SIZE ", b"RFC822.SIZE )(", 1)
    if m and int(m.group(1)) in UIDS and b"BODYSTRUCTURE (" in line:
        return line.replace(b"BODYSTRUCTURE (", b"BODYSTRUCTURE )(", 1)
    if DEEP and DEEP in line and b"BODYSTRUCTURE (" in line:
        head, _, rest = line.partition(b"BODYSTRUCTURE ")
        # rest starts with the structure: "(...) BODY[...". Find its end by depth.
        depth, end = 0, 0
        for i, ch in enumerate(rest):
            depth += ch == 0x28
            depth -= ch == 0x29
            if depth == 0:
                end = i + 1
                break
        n = 20000
        return head + b"BODYSTRUCTURE " + b"(" * n + rest[:end] + b' "MIXED")' * n + rest[end:]
    if MARKER in line and b"BODYSTRUCTURE (" in line:
        return line.replace(b"BODYSTRUCTURE (", b"BODYSTRUCTURE )(", 1)
    return line


async def pipe_up(r, w, state):
    try:
        while data := await r.read(65536):
            for cmd in data.split(b"\r\n"):
                if m := SELECT.match(cmd):
                    state["selected"] = m.group(1)
            w.write(data)
            await w.drain()
    finally:
        w.close()


async def pipe_down(r, w, state):
    try:
        while line := await r.readline():
            if MARKER == b"--no-inbox" and line.startswith(b"* LIST ") and line.rstrip().upper().endswith(b" INBOX"):
                continue
            if SEARCH_IN and state.get("selected") == SEARCH_IN and line.startswith(b"* SEARCH"):
                line = line.rstrip(b"\r\n") + b" )(\r\n"
            line = garble(line)
            if line.endswith(b"}\r\n") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
                if HUGE and HUGE in line and line.startswith(b"* ") and b" FETCH " in line:
                    # What libetpan would allocate before a byte of it came.
                    line = line[:line.rindex(b"{")] + b"{4000000000}\r\n"
            w.write(line)
            if line.endswith(b"}\r\n") and b"{" in line:
                if MARKER == b"--cut-literal" and line.startswith(b"* ") and b" FETCH " in line:
                    # The connection ends inside the literal (a server dying mid-answer).
                    w.write((await r.readexactly(n))[:n // 2])
                    await w.drain()
                    return
                w.write(await r.readexactly(n))
            await w.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        w.close()


async def client(cr, cw):
    ur, uw = await asyncio.open_connection("127.0.0.1", UP)
    state = {}
    await asyncio.gather(pipe_up(cr, uw, state), pipe_down(ur, cw, state), return_exceptions=True)


async def main():
    srv = await asyncio.start_server(client, "127.0.0.1", LISTEN)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
