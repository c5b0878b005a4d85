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
  --deep=M            nests the BODYSTRUCTURE of a FETCH answer naming M 20,000 multiparts deep;
  --lie=M             announces the literal of a FETCH answer naming M as 100,000 bytes longer than
                      it is, sends what there is, then nothing more (the connection stays open);
  --big-header=M      puts a 30 MB header field in front of the literal of a FETCH answer naming M;
  --uid0=M, --uid-big=M, --uid-repeat=M
                      the FETCH answer naming M says UID 0, UID 4294967297, or the UID of the FETCH
                      answer before it;
  --bye=M             a "* BYE" instead of the FETCH answer naming M, then the connection closes;
  --validity=M        "* OK [UIDVALIDITY 4242]" just before the FETCH answer naming M;
  --storm             20,000 "* N EXISTS" lines before every FETCH answer's tagged OK;
  --no=CMD            the tagged answer to every CMD (SELECT, FETCH, STORE, MOVE, ...; "UID X"
                      counts as X) is NO;
  --bad-names         LIST answers also name folders with control characters, invalid modified
                      UTF-7 and a 5,000-character name;
  --modseq-back       every SELECT after the first says HIGHESTMODSEQ 1.
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
MODE, _, ARG = MARKER.partition(b"=")
HUGE = ARG if MODE == b"--huge-literal" else None
DEEP = ARG if MODE == b"--deep" else None
NO_CMD = ARG.upper() if MODE == b"--no" else None
TAGGED = re.compile(rb"^(\S+) (?:UID )?(\S+)", re.I)
SELECTS = [0]
LAST_UID = [b"1"]
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
    if m and MODE in (b"--uid0", b"--uid-big", b"--uid-repeat") and ARG in line:
        new = {b"--uid0": b"0", b"--uid-big": b"4294967297", b"--uid-repeat": LAST_UID[0]}[MODE]
        return line[:m.start(1)] + new + line[m.end(1):]
    if m:
        LAST_UID[0] = m.group(1)
    if MODE == b"--modseq-back" and b"[HIGHESTMODSEQ " in line:
        SELECTS[0] += 1
        if SELECTS[0] > 1:
            return re.sub(rb"\[HIGHESTMODSEQ \d+\]", b"[HIGHESTMODSEQ 1]", line)
    return line


BAD_NAMES = [b'* LIST () "/" "Bad\x1b[31mRed\x07"\r\n', b'* LIST () "/" "Odd&Jjo"\r\n',
             b'* LIST () "/" "&AOk-t&AOk-&-&ZZZ-"\r\n', b'* LIST () "/" "' + b"L" * 5000 + b'"\r\n']


async def pipe_up(r, w, state):
    try:
        while data := await r.read(65536):
            for cmd in data.split(b"\r\n"):
                if m := SELECT.match(cmd):
                    state["selected"] = m.group(1)
                if (t := TAGGED.match(cmd)) and NO_CMD and t.group(2).upper() == NO_CMD:
                    state.setdefault("refuse", set()).add(t.group(1))
                if (t := TAGGED.match(cmd)) and t.group(2).upper() == b"FETCH":
                    state.setdefault("fetches", set()).add(t.group(1))
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
            tag = line.split(b" ", 1)[0]
            if tag in state.get("refuse", ()):
                line = tag + b" NO [SERVERBUG] refused by the test proxy\r\n"
            if MODE == b"--storm" and tag in state.get("fetches", ()):
                state["fetches"].discard(tag)
                w.write(b"".join(b"* %d EXISTS\r\n" % (100 + k) for k in range(20000)))
            if MODE == b"--bad-names" and line.startswith(b"* LIST ") and not state.get("named"):
                state["named"] = True
                w.write(b"".join(BAD_NAMES))
            named = ARG and ARG in line and line.startswith(b"* ") and b" FETCH " in line
            if MODE == b"--bye" and named:
                w.write(b"* BYE the test proxy hangs up\r\n")
                await w.drain()
                return
            if MODE == b"--validity" and named:
                w.write(b"* OK [UIDVALIDITY 4242] changed by the test proxy\r\n")
            line = garble(line)
            if line.endswith(b"}\r\n") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
                if MODE == b"--lie" and named:
                    w.write(line[:line.rindex(b"{")] + b"{%d}\r\n" % (n + 100000))
                    w.write(await r.readexactly(n))
                    await w.drain()
                    await asyncio.sleep(3600)
                    return
                if MODE == b"--big-header" and named:
                    body = b"X-Big: " + b"a" * 30000000 + b"\r\n" + await r.readexactly(n)
                    w.write(line[:line.rindex(b"{")] + b"{%d}\r\n" % len(body))
                    w.write(body)
                    await w.drain()
                    continue
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
