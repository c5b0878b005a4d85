#!/usr/bin/python3
"""faultproxy.py LISTEN_PORT UPSTREAM_PORT DIR: a byte-level TCP proxy on 127.0.0.1 that breaks
connections the way networks do, for any protocol (IMAP, IMAPS, HTTPS, SMTP with STARTTLS:
it never looks inside). Each new connection reads DIR/mode (absent: pass):
  pass          forward both ways
  refuse        accept, then close at once
  reset:N       after N bytes from the server, reset both sides (RST)
  close:N       after N bytes from the server, close both sides cleanly (FIN)
  stall:N       after N bytes from the server, forward nothing more either way; stay open
  drip:MS       the server's bytes one at a time, MS milliseconds apart
  cut-reply:N   once the client has sent N bytes or more, the server's next bytes are dropped
                and both sides reset (an answer lost after the request went through: for SMTP,
                the reply to the end of DATA)
DIR/count (a number K): the mode applies to the next K connections only, then pass.
One line per connection in DIR/log: "conn MODE". Prints "ready" when it listens."""
import asyncio
import os
import socket
import struct
import sys

LISTEN, UP, DIR = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def read(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip()
    except OSError:
        return None


def next_mode():
    mode = read("mode") or "pass"
    count = read("count")
    if count is not None:
        k = int(count or 0)
        if k <= 0:
            mode = "pass"
        else:
            with open(os.path.join(DIR, "count"), "w") as f:
                f.write(str(k - 1))
    with open(os.path.join(DIR, "log"), "a") as f:
        f.write("conn %s\n" % mode)
    return mode


def reset(w):
    sock = w.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    w.close()


async def client(cr, cw):
    mode = next_mode()
    kind, _, arg = mode.partition(":")
    n = int(arg) if arg else 0
    if kind == "refuse":
        cw.close()
        return
    try:
        ur, uw = await asyncio.open_connection("127.0.0.1", UP)
    except OSError:
        cw.close()
        return
    state = {"up": 0, "down": 0, "stalled": False}

    async def upward():
        try:
            while data := await cr.read(65536):
                if state["stalled"]:
                    continue
                state["up"] += len(data)
                uw.write(data)
                await uw.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            uw.close()

    async def downward():
        try:
            while data := await ur.read(65536):
                if state["stalled"]:
                    continue
                if kind == "cut-reply" and state["up"] >= n:
                    reset(cw)
                    reset(uw)
                    return
                if kind in ("reset", "close", "stall") and state["down"] + len(data) >= n:
                    data = data[:max(0, n - state["down"])]
                    cw.write(data)
                    await cw.drain()
                    if kind == "stall":
                        state["stalled"] = True
                        await asyncio.sleep(3600)
                        return
                    (reset if kind == "reset" else lambda w: w.close())(cw)
                    (reset if kind == "reset" else lambda w: w.close())(uw)
                    return
                state["down"] += len(data)
                if kind == "drip":
                    for i in range(len(data)):
                        cw.write(data[i:i + 1])
                        await cw.drain()
                        await asyncio.sleep(n / 1000)
                else:
                    cw.write(data)
                    await cw.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            cw.close()

    await asyncio.gather(upward(), downward(), return_exceptions=True)


async def main():
    srv = await asyncio.start_server(client, "127.0.0.1", LISTEN)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
