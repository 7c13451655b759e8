#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""udp_peer.py - UDP clients and servers for test/e2e/udp*.sh

What socat and dig can't do, or can't say precisely: zero-length
datagrams, ICMP errors told apart by errno, a thousand flows at once, a
flow table filled until datagrams go unanswered, frames that lie about
their UDP length. Servers print "ready" once bound, and end by
themselves after a timeout; clients print what happened and exit 0 if it
was what the test expects, 1 with a reason otherwise.

  echo_srv PORT ADDR...		echo every datagram, zero-length ones too,
				to its sender; "::" takes both families.
				The datagram "peers?" is answered with
				"peers N": how many senders it has seen;
				"train? SEG N SEED" with a train of N
				datagrams of SEG bytes in one call
				(UDP_SEGMENT), see train_segs()
  echo_cli HOST PORT SIZE...	for each SIZE (0 allowed), send random
				bytes, expect the same bytes back, one
				resend after a silence
  train HOST PORT SEG N [R]	send N datagrams of SEG bytes in one call
				(UDP_SEGMENT: one frame on a link that takes
				UDP super-frames), expect each echoed, in
				any order, byte for byte; R times (1), from
				one socket
  train_back HOST PORT SEG N	ask an echo_srv for a train of N datagrams
				of SEG bytes, sent in one call: expect each,
				byte for byte, one resend of the question
  peers HOST PORT		ask an echo_srv how many senders it saw
  silent HOST PORT SIZE MS	send SIZE bytes, expect no answer in MS ms
  refused HOST PORT MS		connected socket: send, expect
				ECONNREFUSED within MS ms
  flows HOST PORT N		N sockets, each on its own source port,
				one datagram each; all must be answered
				(lost ones are sent again, and counted)
  stream HOST PORT N MS		one socket, N exchanges MS ms apart
  echo_loop HOST PORT SECONDS STOPFILE
				one socket, exchanges back to back (sizes
				8 to 60000, each datagram numbered) until
				STOPFILE exists or SECONDS pass; an echo not
				back within 0.5 s is sent again, 4 times at
				most; prints "exchanges N lost L failed F
				bytes B" (lost: sent again; failed: never
				echoed); exit 1 if any failed or differed
  fill HOST PORT [HOST PORT]... MAX
				open flows one by one, to each target in
				turn, until one isn't answered or MAX are
				open; then new ones must go unanswered too,
				and the first ones still be answered
  frames IFACE PORT KIND...	write crafted UDP frames to the gateway's
				PORT on IFACE (AF_PACKET, in the tap's
				namespace)
  trim IFACE HOST PORT		a frame whose UDP length is shorter than
				its IP payload: the echo must carry the
				UDP length's bytes only
"""

import os
import random
import resource
import selectors
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkt  # noqa: E402  (frame builders, shared with pkt.py's own kinds)

SERVER_LIFETIME = 150	# seconds: servers end by themselves
SOL_UDP, UDP_SEGMENT = 17, 103
WAIT = 1.0		# seconds for an answer before a resend (then twice that)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)	# Linux, not in Python


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def fail(msg):
    print(msg)
    return 1


def client(host, port, bind_port=0):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    if bind_port:
        s.bind(("::" if family(host) == socket.AF_INET6 else "", bind_port))
    s.connect((host, port))
    return s


def recv_until(s, deadline, want=None):
    """Next datagram before deadline (or the one equal to want): bytes,
    or None on timeout; raises OSError for an ICMP error"""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            return None
        if want is None or d == want:
            return d


# --- echo ----------------------------------------------------------------

def echo_srv(port, addrs):
    sel = selectors.DefaultSelector()
    for a in addrs:
        s = socket.socket(family(a), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A thousand flows' datagrams at once: beyond rmem_max if need be
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        if family(a) == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                         0 if a == "::" else 1)
        s.bind((a, port))
        sel.register(s, selectors.EVENT_READ)
    peers = set()
    print("ready", flush=True)
    end = time.monotonic() + SERVER_LIFETIME
    while time.monotonic() < end:
        for key, _ in sel.select(1):
            s = key.fileobj
            while True:
                try:
                    d, peer = s.recvfrom(65536, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    # An ICMP error for an earlier answer: not ours to mind
                    continue
                if d == b"peers?":
                    d = b"peers %d" % len(peers)
                else:
                    peers.add(peer[:2])
                if d.startswith(b"train? "):
                    seg, n, seed = (int(x) for x in d.split()[1:4])
                    d = b"".join(train_segs(seg, n, seed))
                    cm = [(SOL_UDP, UDP_SEGMENT, struct.pack("=H", seg))]
                    try:
                        s.sendmsg([d], cm, 0, peer)
                    except OSError as e:
                        print("sendmsg %s: %s" % (peer, e), flush=True)
                    continue
                try:
                    s.sendto(d, peer)
                except OSError as e:
                    print("sendto %s: %s" % (peer, e), flush=True)


def echo_cli(host, port, sizes):
    s = client(host, port)
    bad = []
    for size in sizes:
        data = os.urandom(size)
        got = None
        for attempt in range(2):
            s.send(data)
            end = time.monotonic() + WAIT * (attempt + 1)
            while True:
                got = recv_until(s, end)
                # An answer of another size is a late echo of an earlier
                # one: skip it. One of this size must be this datagram.
                if got is None or len(got) == size:
                    break
            if got is not None:
                break
        if got is None:
            bad.append("%d bytes: no echo" % size)
        elif got != data:
            diff = next(i for i in range(size) if got[i] != data[i])
            bad.append("%d bytes: echo differs from byte %d" % (size, diff))
        else:
            print("%d bytes: echoed%s" % (size, ", after a resend"
                                          if attempt else ""))
    if bad:
        return fail("; ".join(bad))
    return 0


def train_segs(seg, n, seed):
    """The N datagrams of SEG bytes of an echo_srv train: each starts with
    its number, the rest from SEED"""
    r = random.Random(seed)
    return [struct.pack("!I", i) + r.randbytes(seg - 4) for i in range(n)]


def collect(s, want, got, end):
    """Add datagrams of the set WANT coming on S to the set GOT until it has
    them all or END; return the length of one that isn't in WANT, or None"""
    while len(got) < len(want):
        d = recv_until(s, end)
        if d is None:
            return None
        if d not in want:
            return len(d)
        got.add(d)
    return None


def train_back(host, port, seg, n):
    s = client(host, port)
    seed = random.randrange(1 << 30)
    want = set(train_segs(seg, n, seed))
    got = set()
    for attempt in range(2):
        s.send(b"train? %d %d %d" % (seg, n, seed))
        bad = collect(s, want, got, time.monotonic() + WAIT * (attempt + 1))
        if bad is not None:
            return fail("a datagram of %d bytes that is no segment of "
                        "the train" % bad)
        if len(got) == n:
            break
    if len(got) < n:
        return fail("%d of %d datagrams of the train came" % (len(got), n))
    print("train of %d x %d bytes: each came" % (n, seg))
    return 0


def train(host, port, seg, n, rounds=1):
    s = client(host, port)
    s.setsockopt(SOL_UDP, UDP_SEGMENT, seg)
    for r in range(rounds):
        # Each segment starts with its number: echoes are told apart by it
        data = b"".join(struct.pack("!I", i) + os.urandom(seg - 4)
                        for i in range(n))
        want = {data[i * seg:(i + 1) * seg] for i in range(n)}
        s.send(data)
        got = set()
        bad = collect(s, want, got, time.monotonic() + WAIT * 2)
        if bad is not None:
            return fail("an echo of %d bytes that is no segment we sent" %
                        bad)
        if len(got) < n:
            return fail("train %d: %d of %d segments echoed" %
                        (r + 1, len(got), n))
    print("%d train(s) of %d x %d bytes: each echoed" % (rounds, n, seg))
    return 0


def peers(host, port):
    s = client(host, port)
    for _ in range(3):
        s.send(b"peers?")
        got = recv_until(s, time.monotonic() + WAIT)
        if got and got.startswith(b"peers "):
            print(got.decode())
            return 0
    return fail("no answer to peers?")


def silent(host, port, size, ms):
    s = client(host, port)
    s.send(os.urandom(size))
    try:
        got = recv_until(s, time.monotonic() + ms / 1000)
    except OSError as e:
        return fail("%d bytes: got %s instead of silence" % (size, e))
    if got is not None:
        return fail("%d bytes: answered with %d bytes" % (size, len(got)))
    print("%d bytes: no answer in %d ms" % (size, ms))
    return 0


def refused(host, port, ms):
    s = client(host, port)
    start = time.monotonic()
    s.send(b"anyone there?")
    try:
        got = recv_until(s, start + max(ms / 1000, 2.0))
    except ConnectionRefusedError:
        t = (time.monotonic() - start) * 1000
        if t > ms:
            return fail("ECONNREFUSED after %d ms, expected within %d" %
                        (t, ms))
        print("ECONNREFUSED after %.1f ms" % t)
        return 0
    except OSError as e:
        return fail("got %s, expected ECONNREFUSED" % e)
    if got is None:
        return fail("no ECONNREFUSED: silence")
    return fail("no ECONNREFUSED: an answer of %d bytes" % len(got))


# --- many flows -----------------------------------------------------------

def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))


def flows(host, port, n):
    raise_nofile(n + 64)
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(n):
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.bind(("::" if family(host) == socket.AF_INET6 else "", 0))
        s.connect((host, port))
        s.setblocking(False)
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, i)
    sports = {s.getsockname()[1] for s in socks}
    if len(sports) != n:
        return fail("only %d distinct source ports for %d sockets" %
                    (len(sports), n))
    payload = [b"flow %d" % i for i in range(n)]
    pending = set(range(n))
    resent = 0
    start = time.monotonic()
    for rnd in range(4):
        if rnd:
            resent += len(pending)
        for i in sorted(pending):
            try:
                socks[i].send(payload[i])
            except BlockingIOError:
                pass
        end = time.monotonic() + WAIT
        while pending and time.monotonic() < end:
            for key, _ in sel.select(max(end - time.monotonic(), 0)):
                i = key.data
                try:
                    d = key.fileobj.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as e:
                    return fail("flow %d: %s" % (i, e))
                if d != payload[i]:
                    return fail("flow %d: answered %r" % (i, d[:40]))
                pending.discard(i)
        if not pending:
            break
    t = time.monotonic() - start
    if pending:
        return fail("%d of %d flows unanswered after 4 rounds" %
                    (len(pending), n))
    print("%d flows from %d source ports answered in %.2f s, %d resent" %
          (n, len(sports), t, resent))
    return 0


def fill(targets, most):
    """Open flows to targets in turn until one goes unanswered"""
    socks = []
    stop = None
    for i in range(most):
        host, port = targets[i % len(targets)]
        s = client(host, port)
        s.send(b"fill %d" % i)
        if recv_until(s, time.monotonic() + 1.0, b"fill %d" % i) is None:
            stop = i
            s.close()
            break
        socks.append((i, s))
    if stop is None:
        return fail("all %d flows answered: the table never filled" % most)
    if len(socks) < len(targets):
        return fail("opened %d flows only, fewer than targets" % len(socks))
    # New flows to each target: still no room
    for host, port in targets:
        s = client(host, port)
        s.send(b"again")
        if recv_until(s, time.monotonic() + 1.0) is not None:
            return fail("opened %d; then flow %d unanswered, but a new one "
                        "to %s was answered" % (len(socks), stop, host))
        s.close()
    # The first flow to each target, and the last one, still work
    for i, s in socks[:len(targets)] + socks[-1:]:
        s.send(b"still %d" % i)
        if recv_until(s, time.monotonic() + WAIT, b"still %d" % i) is None:
            return fail("opened %d; then open flow %d stopped answering" %
                        (len(socks), i))
    print("opened %d; new ones unanswered; the first to each target and "
          "the last still answered" % len(socks))
    return 0


def stream(host, port, n, ms):
    """One socket, n exchanges ms apart: a flow that goes on"""
    s = client(host, port)
    for i in range(n):
        if i:
            time.sleep(ms / 1000)
        for _ in range(2):
            s.send(b"stream %d" % i)
            got = recv_until(s, time.monotonic() + WAIT, b"stream %d" % i)
            if got is not None:
                break
        if got is None:
            return fail("exchange %d of %d unanswered" % (i + 1, n))
    print("%d exchanges over %.1f s answered" % (n, (n - 1) * ms / 1000))
    return 0


LOOP_SIZES = (8, 64, 512, 1400, 1472, 4000, 9000, 60000)
LOOP_WAIT = 0.5		# seconds for an echo before sending it again
LOOP_TRIES = 4


def echo_loop(host, port, seconds, stopfile):
    """Exchanges back to back until stopfile exists, counted exactly"""
    s = client(host, port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    end = time.monotonic() + seconds
    n = lost = failed = nbytes = 0
    while time.monotonic() < end and not os.path.exists(stopfile):
        size = LOOP_SIZES[n % len(LOOP_SIZES)]
        data = struct.pack("!Q", n) + os.urandom(max(size - 8, 0))
        data = data[:size]
        got = None
        for attempt in range(LOOP_TRIES):
            if attempt:
                lost += 1
                if lost <= 10:
                    print("exchange %d of %d bytes: sent again" % (n, size),
                          flush=True)
            try:
                s.send(data)
            except OSError as e:
                return fail("exchange %d: send: %s" % (n, e))
            try:
                # Late echoes of earlier datagrams are skipped
                got = recv_until(s, time.monotonic() + LOOP_WAIT, data)
            except OSError as e:
                return fail("exchange %d: %s" % (n, e))
            if got is not None:
                break
        if got is None:
            failed += 1
            print("exchange %d of %d bytes: no echo" % (n, size), flush=True)
        else:
            nbytes += size
            if not n:
                print("first exchange done", flush=True)
        n += 1
    print("exchanges %d lost %d failed %d bytes %d" % (n, lost, failed,
                                                      nbytes))
    return 1 if failed or not n else 0


# --- crafted frames ---------------------------------------------------------

def udp_raw(sport, dport, data, ulen):
    """UDP header with any length field; checksum 0 ("none" for IPv4)"""
    return struct.pack("!HHHH", sport, dport, ulen, 0) + data


def frame(mac, fam, body):
    if fam == 4:
        return pkt.eth(pkt.BCAST, mac, pkt.ETH_P_IP,
                       pkt.ipv4(pkt.GUEST4, pkt.GW4, 17, body))
    return pkt.eth(pkt.BCAST, mac, pkt.ETH_P_IPV6,
                   pkt.ipv6(pkt.GUEST6, pkt.GW6, 17, body))


def udp_kinds(mac, port):
    k = {}
    for f in (4, 6):
        k["udp%d-short-header" % f] = frame(mac, f, struct.pack(
            "!HH", 40000, port))
        k["udp%d-len-below-header" % f] = frame(mac, f, udp_raw(
            40001, port, b"x" * 16, 4))
        k["udp%d-len-beyond-packet" % f] = frame(mac, f, udp_raw(
            40002, port, b"x" * 16, 8 + 400))
    return k


def frames(iface, port, kinds):
    s, mac = pkt.raw_sock(iface)
    k = udp_kinds(mac, port)
    for kind in kinds:
        if kind not in k:
            return fail("unknown kind %s, known: %s" % (kind, " ".join(k)))
        s.send(k[kind])
    return 0


def trim(iface, host, port):
    """UDP length 8 + 5, then 11 bytes of junk inside the IP payload"""
    fam = 6 if ":" in host else 4
    r = socket.socket(family(host), socket.SOCK_DGRAM)
    r.bind(("::" if fam == 6 else "", 0))
    sport = r.getsockname()[1]
    s, mac = pkt.raw_sock(iface)
    body = udp_raw(sport, port, b"hello" + b"JUNKJUNKJUN", 8 + 5)
    if fam == 6:
        # IPv6 has no "no checksum": one over the UDP length's bytes
        c = pkt.l4_csum6(pkt.GUEST6, pkt.GW6, 17, body[:8 + 5]) or 0xFFFF
        body = body[:6] + struct.pack("!H", c) + body[8:]
    for _ in range(2):
        s.send(frame(mac, fam, body))
        got = recv_until(r, time.monotonic() + WAIT)
        if got is not None:
            break
    if got != b"hello":
        return fail("echo of a 5-byte datagram in a longer packet: %r" % got)
    print("echo: %r" % got)
    return 0


def main(a):
    cmd = a[0]
    if cmd == "echo_srv":
        echo_srv(int(a[1]), a[2:])
    elif cmd == "echo_cli":
        return echo_cli(a[1], int(a[2]), [int(x) for x in a[3:]])
    elif cmd == "train_back":
        return train_back(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "train":
        return train(a[1], int(a[2]), int(a[3]), int(a[4]),
                     int(a[5]) if len(a) > 5 else 1)
    elif cmd == "peers":
        return peers(a[1], int(a[2]))
    elif cmd == "silent":
        return silent(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "refused":
        return refused(a[1], int(a[2]), int(a[3]))
    elif cmd == "flows":
        return flows(a[1], int(a[2]), int(a[3]))
    elif cmd == "fill":
        t = a[1:-1]
        return fill([(t[i], int(t[i + 1])) for i in range(0, len(t), 2)],
                    int(a[-1]))
    elif cmd == "stream":
        return stream(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "echo_loop":
        return echo_loop(a[1], int(a[2]), float(a[3]), a[4])
    elif cmd == "frames":
        return frames(a[1], int(a[2]), a[3:])
    elif cmd == "trim":
        return trim(a[1], a[2], int(a[3]))
    else:
        print("unknown command %s" % cmd)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
