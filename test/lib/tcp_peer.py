#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp_peer.py - TCP clients and servers for test/e2e/tcp_*.sh

What socat and curl can't do, or can't say precisely: many connections at
once, resets and refusals told apart by errno, half-closes, a flow table
filled until it refuses. Servers print "ready" once listening, and end by
themselves after a timeout; clients print one line saying what happened
and exit 0 if it was what the test expects.

  echo_srv PORT ADDR...		echo until EOF, then close; any number
				of connections, served concurrently
  many HOST PORT N SIZE		N connections, all open at once, each
				sending SIZE random bytes, half-closing,
				and checking the echo and a clean EOF
  refused HOST PORT MS		expect ECONNREFUSED within MS ms
  rst_srv PORT ADDR...		accept, read one byte, close with
				SO_LINGER {1, 0}: a reset
  rst_cli HOST PORT		expect ECONNRESET
  half_srv PORT ADDR...		read to EOF, answer the digest and the
				data back, close
  half_cli HOST PORT SIZE	send SIZE bytes, shut down writing,
				expect the whole answer
  ports_srv ADDRS PORT...	on each of the comma-separated ADDRS
				("::" takes both families), answer
				"port P" with the local port P, close
  probe HOST PORT		print what the server says, "refused",
				"reset" or "timeout"
  burst_srv PORT ADDR N KIB MS	send N bursts of KIB KiB, MS ms apart,
				then close
  burst_cli HOST PORT RCVBUF BYTES
				read with a receive buffer of RCVBUF
				bytes, expect BYTES then EOF, each read
				within 3 s
  http_srv ADDR PORT DIR	serve DIR over HTTP (http.server, without
				its reverse look-up of ADDR: the test
				namespaces have no resolver to answer)
  echo1 HOST PORT		one exchange with an echo server
  fill HOST PORT MAX		open connections (to an echo server) one
				by one until one fails or MAX are open;
				report how the failing one failed, then
				check that the open ones still echo
"""

import asyncio
import errno
import functools
import hashlib
import http.server
import os
import selectors
import socket
import struct
import sys
import time

SERVER_LIFETIME = 120	# seconds: servers end by themselves


def addr_family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen_on(port, addr, backlog=512):
    s = socket.socket(addr_family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if addr_family(addr) == socket.AF_INET6:
        # "::" takes both families, a specific address only its own
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                     0 if addr == "::" else 1)
    s.bind((addr, port))
    s.listen(backlog)
    return s


def ready():
    print("ready", flush=True)


def errname(e):
    if isinstance(e, (socket.timeout, asyncio.TimeoutError, TimeoutError)):
        return "timeout"
    n = getattr(e, "errno", None)
    if n in errno.errorcode:
        return errno.errorcode[n]
    return type(e).__name__


# --- echo: many connections, and the flow table -------------------------

async def echo_conn(reader, writer):
    try:
        while True:
            b = await reader.read(65536)
            if not b:
                break
            writer.write(b)
            await writer.drain()
        writer.close()
        await writer.wait_closed()
    except (ConnectionError, OSError):
        writer.close()


async def echo_srv(port, addrs):
    # asyncio listens again, with its own backlog of 100 unless told
    servers = [await asyncio.start_server(echo_conn, sock=listen_on(port, a),
                                          backlog=512)
               for a in addrs]
    ready()
    await asyncio.sleep(SERVER_LIFETIME)
    for s in servers:
        s.close()


async def many_one(i, host, port, size, conns):
    reader, writer = conns[i]
    data = os.urandom(size)

    async def send():
        writer.write(data)
        await writer.drain()
        writer.write_eof()

    async def recv():
        got = bytearray()
        while True:
            b = await reader.read(65536)
            if not b:
                return bytes(got)
            got += b

    _, got = await asyncio.gather(send(), recv())
    writer.close()
    await writer.wait_closed()
    if got != data:
        return "connection %d: %d bytes echoed of %d, %s" % \
               (i, len(got), size, "differing" if len(got) == size else
                "short" if len(got) < size else "long")
    return None


async def many(host, port, n, size):
    start = time.monotonic()
    opened = await asyncio.gather(
        *[asyncio.wait_for(asyncio.open_connection(host, port), 20)
          for _ in range(n)], return_exceptions=True)
    failed = [e for e in opened if isinstance(e, BaseException)]
    conns = [c for c in opened if not isinstance(c, BaseException)]
    if failed:
        print("%d of %d connections failed to open, first: %s" %
              (len(failed), n, errname(failed[0])))
        return 1
    t_open = time.monotonic() - start
    res = await asyncio.gather(
        *[asyncio.wait_for(many_one(i, host, port, size, conns), 40)
          for i in range(n)], return_exceptions=True)
    bad = [r for r in res if r is not None]
    if bad:
        r = bad[0]
        print("%d of %d connections failed, first: %s" %
              (len(bad), n, r if isinstance(r, str) else errname(r)))
        return 1
    print("%d connections open at once after %.2f s, %d bytes each way "
          "each, all in %.2f s" % (n, t_open, size, time.monotonic() - start))
    return 0


def echo1(host, port):
    try:
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(b"x")
        b = s.recv(1)
        s.close()
    except OSError as e:
        print(errname(e))
        return 1
    print("echo" if b == b"x" else "got %r" % b)
    return 0 if b == b"x" else 1


def fill(host, port, most):
    held = []
    how = None
    for _ in range(most):
        start = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout=3)
            # A connection refused late shows only on the first exchange
            s.sendall(b"x")
            if s.recv(1) != b"x":
                how = ("EOF", time.monotonic() - start)
                break
            held.append(s)
        except OSError as e:
            how = (errname(e), time.monotonic() - start)
            break
    if how is None:
        print("all %d connections opened, none refused" % most)
        return 1
    print("opened %d; the next one: %s after %d ms" %
          (len(held), how[0], how[1] * 1000), flush=True)
    rc = 0
    if how[0] not in ("ECONNREFUSED", "ECONNRESET") or how[1] > 1:
        print("expected ECONNREFUSED or ECONNRESET within 1 s")
        rc = 1
    # The open ones still carry data both ways
    ok = 0
    for i, s in enumerate(held):
        data = os.urandom(16384)
        try:
            s.settimeout(5)
            s.sendall(data)
            got = bytearray()
            while len(got) < len(data):
                b = s.recv(65536)
                if not b:
                    break
                got += b
            if bytes(got) == data:
                ok += 1
        except OSError as e:
            print("connection %d: %s" % (i, errname(e)))
    print("%d of %d open connections still echo" % (ok, len(held)))
    if ok != len(held) or not held:
        rc = 1
    for s in held:
        s.close()
    return rc


# --- refusals and resets ------------------------------------------------

def refused(host, port, ms):
    start = time.monotonic()
    try:
        socket.create_connection((host, port), timeout=ms / 1000.0 + 2)
        print("connected, expected ECONNREFUSED")
        return 1
    except OSError as e:
        el = (time.monotonic() - start) * 1000
        ok = e.errno == errno.ECONNREFUSED and el <= ms
        print("%s after %d ms%s" % (errname(e), el, "" if ok else
              ", expected ECONNREFUSED within %d ms" % ms))
        return 0 if ok else 1


def accept_loop(port, addrs, handle):
    socks = [listen_on(port, a, 16) for a in addrs]
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    ready()
    end = time.monotonic() + SERVER_LIFETIME
    while time.monotonic() < end:
        for key, _ in sel.select(1):
            c, _ = key.fileobj.accept()
            c.settimeout(20)
            try:
                handle(c)
            except OSError as e:
                print("server: %s" % errname(e), flush=True)
            c.close()


def rst_handle(c):
    c.recv(1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def rst_cli(host, port):
    try:
        c = socket.create_connection((host, port), timeout=5)
        c.sendall(b"x")
        b = c.recv(1)
    except ConnectionResetError:
        print("ECONNRESET")
        return 0
    except OSError as e:
        print("%s, expected ECONNRESET" % errname(e))
        return 1
    print("%s, expected ECONNRESET" % ("EOF" if not b else "data %r" % b))
    return 1


# --- half-close ---------------------------------------------------------

def half_handle(c):
    data = bytearray()
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    c.sendall(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)


def half_cli(host, port, size):
    data = os.urandom(size)
    c = socket.create_connection((host, port), timeout=20)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    got = bytearray()
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            got += b
    except OSError as e:
        print("%s after %d bytes of the answer" % (errname(e), len(got)))
        return 1
    want = hashlib.sha256(data).hexdigest().encode() + b"\n" + data
    if bytes(got) != want:
        print("answer of %d bytes, expected %d%s" %
              (len(got), len(want),
               "" if len(got) != len(want) else ", differing"))
        return 1
    print("sent %d bytes, half-closed, got %d back" % (size, len(got)))
    return 0


# --- ports --------------------------------------------------------------

def ports_srv(addrs, ports):
    socks = [listen_on(p, a, 16) for p in ports for a in addrs]
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    ready()
    end = time.monotonic() + SERVER_LIFETIME
    while time.monotonic() < end:
        for key, _ in sel.select(1):
            try:
                c, _ = key.fileobj.accept()
                c.sendall(b"port %d\n" % key.fileobj.getsockname()[1])
                c.close()
            except OSError:
                pass


def probe(host, port):
    try:
        c = socket.create_connection((host, port), timeout=3)
        got = bytearray()
        while True:
            b = c.recv(4096)
            if not b:
                break
            got += b
        print(got.decode(errors="replace").strip())
    except OSError as e:
        print({"ECONNREFUSED": "refused",
               "ECONNRESET": "reset"}.get(errname(e), errname(e)))
    return 0


# --- bursts --------------------------------------------------------------

def burst_srv(port, addr, n, kib, ms):
    s = listen_on(port, addr, 4)
    s.settimeout(SERVER_LIFETIME)
    ready()
    c, _ = s.accept()
    buf = os.urandom(kib * 1024)
    for _ in range(n):
        c.sendall(buf)
        time.sleep(ms / 1000.0)
    c.close()


def burst_cli(host, port, rcvbuf, want):
    c = socket.socket(addr_family(host), socket.SOCK_STREAM)
    # A small, fixed receive buffer: the window stays the same size
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    c.settimeout(3)
    start = time.monotonic()
    n = 0
    try:
        c.connect((host, port))
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            n += len(b)
    except OSError as e:
        print("%s after %d of %d bytes, %.1f s" %
              (errname(e), n, want, time.monotonic() - start))
        return 1
    print("%d bytes of %d in %.2f s" % (n, want, time.monotonic() - start))
    return 0 if n == want else 1


# --- HTTP ---------------------------------------------------------------

class HTTPServer(http.server.ThreadingHTTPServer):
    def __init__(self, addr, port, handler):
        self.address_family = addr_family(addr)
        super().__init__((addr, port), handler)

    def server_bind(self):
        # Not HTTPServer.server_bind(): that one asks DNS for a name
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                                   0 if self.server_address[0] == "::" else 1)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_name = "test"
        self.server_port = self.server_address[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def http_srv(addr, port, directory):
    handler = functools.partial(QuietHandler, directory=directory)
    srv = HTTPServer(addr, port, handler)
    srv.timeout = 1
    ready()
    end = time.monotonic() + SERVER_LIFETIME
    while time.monotonic() < end:
        srv.handle_request()


def main(a):
    cmd = a[0]
    if cmd == "echo_srv":
        asyncio.run(echo_srv(int(a[1]), a[2:]))
    elif cmd == "many":
        return asyncio.run(many(a[1], int(a[2]), int(a[3]), int(a[4])))
    elif cmd == "refused":
        return refused(a[1], int(a[2]), int(a[3]))
    elif cmd == "rst_srv":
        accept_loop(int(a[1]), a[2:], rst_handle)
    elif cmd == "rst_cli":
        return rst_cli(a[1], int(a[2]))
    elif cmd == "half_srv":
        accept_loop(int(a[1]), a[2:], half_handle)
    elif cmd == "half_cli":
        return half_cli(a[1], int(a[2]), int(a[3]))
    elif cmd == "ports_srv":
        ports_srv(a[1].split(","), [int(p) for p in a[2:]])
    elif cmd == "probe":
        return probe(a[1], int(a[2]))
    elif cmd == "burst_srv":
        burst_srv(int(a[1]), a[2], int(a[3]), int(a[4]), int(a[5]))
    elif cmd == "burst_cli":
        return burst_cli(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "http_srv":
        http_srv(a[1], int(a[2]), a[3])
    elif cmd == "echo1":
        return echo1(a[1], int(a[2]))
    elif cmd == "fill":
        return fill(a[1], int(a[2]), int(a[3]))
    else:
        print("unknown command %s" % cmd)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
