#!/usr/bin/python3
"""imap_garble.py LISTEN_PORT UPSTREAM_PORT MARKER: a plain IMAP proxy on 127.0.0.1 that passes
everything through, except that a FETCH response line naming MARKER (in its ENVELOPE) gets a
BODYSTRUCTURE no parser accepts: the "one odd message" some servers send (review F11).
MARKER --no-inbox instead drops INBOX from LIST answers (a truncated folder list);
--cut-literal closes the connection halfway through the first literal of a FETCH answer.
Literals are passed untouched. Runs until killed; prints "ready" when it listens."""
import asyncio
import sys

LISTEN, UP, MARKER = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()


async def pipe_up(r, w):
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    finally:
        w.close()


async def pipe_down(r, w):
    try:
        while line := await r.readline():
            if MARKER == b"--no-inbox" and line.startswith(b"* LIST ") and line.rstrip().upper().endswith(b" INBOX"):
                continue
            if MARKER in line and b"BODYSTRUCTURE (" in line:
                line = line.replace(b"BODYSTRUCTURE (", b"BODYSTRUCTURE )(", 1)
            w.write(line)
            if line.endswith(b"}\r\n") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-3].rstrip(b"+"))
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
    await asyncio.gather(pipe_up(cr, uw), pipe_down(ur, cw), return_exceptions=True)


async def main():
    srv = await asyncio.start_server(client, "127.0.0.1", LISTEN)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
