#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""scale_peer.py - many TCP connections and UDP flows at once, for
test/e2e/scale.sh

Usage:
  scale_peer.py serve ADDR PORT
      TCP and UDP echo on ADDR:PORT, any number of connections; prints
      "ready" once bound
  scale_peer.py tcp ADDR PORT N SIZE HOLD
      opens N connections, sends SIZE bytes on each (its own bytes) and
      reads them back; prints "held K of N" (K: echoed byte for byte),
      then waits while the file HOLD exists, echoes SIZE bytes on each
      connection again, prints "again K of N", closes all, "closed"
  scale_peer.py udp ADDR PORT N HOLD
      N sockets, each its own flow: one datagram each, answered byte for
      byte; prints "answered K of N", waits while HOLD exists, asks
      again, prints "again K of N"

Every wait is bounded (--timeout, default 60 s for each phase), and the
descriptor limit is raised as far as the process may.
"""

import argparse
import os
import resource
import selectors
import socket
import time


def raise_nofile():
    """Take the hard limit of descriptors, or more where we may"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        with open("/proc/sys/fs/nr_open", encoding="ascii") as f:
            nr_open = int(f.read())
        resource.setrlimit(resource.RLIMIT_NOFILE, (nr_open, nr_open))
        return
    except (OSError, ValueError):
        pass
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def family(addr):
    """Address family of a numeric address"""
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(a):
    """TCP and UDP echo, until killed"""
    af = family(a.addr)
    lsock = socket.socket(af, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((a.addr, a.port))
    lsock.listen(4096)
    lsock.setblocking(False)
    usock = socket.socket(af, socket.SOCK_DGRAM)
    usock.bind((a.addr, a.port))
    usock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, "listen")
    sel.register(usock, selectors.EVENT_READ, "udp")
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            if key.data == "listen":
                for _ in range(256):
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, "conn")
            elif key.data == "udp":
                for _ in range(256):
                    try:
                        data, peer = usock.recvfrom(65536)
                    except BlockingIOError:
                        break
                    usock.sendto(data, peer)
            else:
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                key.fileobj.setblocking(True)
                key.fileobj.sendall(data)
                key.fileobj.setblocking(False)


def payload(i, size):
    """The bytes of connection or flow i"""
    seed = ("%08d:" % i).encode()
    return (seed * (size // len(seed) + 1))[:size]


def tcp_round(socks, size, timeout, first):
    """Send each connection's bytes, read them back; return how many
    echoed them byte for byte"""
    sel = selectors.DefaultSelector()
    got = {}
    out = {}
    for i, s in enumerate(socks):
        if s is None:
            continue
        out[i] = payload(i, size)
        got[i] = b""
        sel.register(s, selectors.EVENT_WRITE | selectors.EVENT_READ, i)
    end = time.monotonic() + timeout
    done = 0
    while sel.get_map() and time.monotonic() < end:
        for key, ev in sel.select(timeout=1):
            i, s = key.data, key.fileobj
            try:
                if ev & selectors.EVENT_WRITE and out[i]:
                    if first and s.getsockopt(socket.SOL_SOCKET,
                                              socket.SO_ERROR):
                        raise ConnectionError
                    n = s.send(out[i])
                    out[i] = out[i][n:]
                    if not out[i]:
                        sel.modify(s, selectors.EVENT_READ, i)
                if ev & selectors.EVENT_READ:
                    data = s.recv(65536)
                    if not data:
                        raise ConnectionError
                    got[i] += data
                    if len(got[i]) >= size:
                        sel.unregister(s)
                        done += got[i] == payload(i, size)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                sel.unregister(s)
    return done


def hold(path, timeout):
    """Wait while path exists, bounded"""
    end = time.monotonic() + timeout
    while os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.1)


def tcp(a):
    """Many connections at once, see the usage"""
    af = family(a.addr)
    socks = []
    for _ in range(a.n):
        s = socket.socket(af, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((a.addr, a.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            s = None
        socks.append(s)
    k = tcp_round(socks, a.size, a.timeout, True)
    print("held %d of %d" % (k, a.n), flush=True)
    hold(a.hold, a.timeout)
    k = tcp_round(socks, a.size, a.timeout, False)
    print("again %d of %d" % (k, a.n), flush=True)
    for s in socks:
        if s is not None:
            s.close()
    print("closed", flush=True)


def udp_round(socks, timeout, window=256, tries=3):
    """One datagram on each flow, answered byte for byte: how many. At
    most @window unanswered at a time (one echo socket on the other side
    has one receive buffer), each sent again, up to @tries times in all,
    if its answer doesn't come within a second: a lost datagram is UDP,
    a flow that never answers is the failure"""
    sel = selectors.DefaultSelector()
    todo = list(range(len(socks)))
    sent = {}
    done = 0
    end = time.monotonic() + timeout
    while (todo or sent) and time.monotonic() < end:
        while todo and len(sent) < window:
            i = todo.pop()
            socks[i].send(payload(i, 64))
            sent[i] = [time.monotonic(), 1]
            sel.register(socks[i], selectors.EVENT_READ, i)
        for key, _ in sel.select(timeout=0.2):
            i = key.data
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            sel.unregister(key.fileobj)
            del sent[i]
            done += data == payload(i, 64)
        now = time.monotonic()
        for i, (at, n) in list(sent.items()):
            if now - at < 1:
                continue
            if n >= tries:
                sel.unregister(socks[i])
                del sent[i]
                continue
            socks[i].send(payload(i, 64))
            sent[i] = [now, n + 1]
    return done


def udp(a):
    """Many flows at once, see the usage"""
    af = family(a.addr)
    socks = []
    for _ in range(a.n):
        s = socket.socket(af, socket.SOCK_DGRAM)
        s.connect((a.addr, a.port))
        s.setblocking(False)
        socks.append(s)
    k = udp_round(socks, a.timeout)
    print("answered %d of %d" % (k, a.n), flush=True)
    hold(a.hold, a.timeout)
    k = udp_round(socks, a.timeout)
    print("again %d of %d" % (k, a.n), flush=True)


def main():
    """Parse the arguments, run the mode"""
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=60)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    t = sub.add_parser("tcp")
    t.add_argument("addr")
    t.add_argument("port", type=int)
    t.add_argument("n", type=int)
    t.add_argument("size", type=int)
    t.add_argument("hold")
    u = sub.add_parser("udp")
    u.add_argument("addr")
    u.add_argument("port", type=int)
    u.add_argument("n", type=int)
    u.add_argument("hold")
    a = p.parse_args()
    raise_nofile()
    {"serve": serve, "tcp": tcp, "udp": udp}[a.mode](a)


if __name__ == "__main__":
    main()
