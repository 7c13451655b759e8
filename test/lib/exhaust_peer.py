#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""exhaust_peer.py - both ends of the traffic for test/e2e/exhaust.sh

One process plays the host's peers and the guest's, so that it can hold
flows of both directions open while the daemon runs short of something,
and check at each step what still works. It starts in the host namespace
and makes the guest's sockets in pasta's namespace (setns(2) around their
creation: a socket stays in the namespace it was made in, whichever
thread uses it later).

  nofile PASTA_PID NS_PID FREE	descriptors: flows of every kind opened
				while there is room (TCP and UDP both
				ways, ICMP echo); the daemon's
				RLIMIT_NOFILE lowered to leave FREE
				descriptors; TCP connections from the guest
				until one is refused, UDP flows until one
				goes unanswered; then new ones of every
				kind refused, the open ones still working;
				once some close, new ones work again
  sockbuf PASTA_PID NS_PID	socket buffers full: a host reader, then
				a guest reader, that stops reading; the
				writer stuck, the daemon idle, another
				connection moving a file meanwhile; the
				stuck one complete and intact once read
  table PASTA_PID NS_PID	flow table full (--max-flows): as nofile,
				for TCP, UDP and ICMP echo
  nobufs PASTA_PID NS_PID flood	no buffer space on the host (ENOBUFS from
				a full device queue, which the shell sets
				up): UDP datagrams from the guest to
				BLACKHOLE, the flows to the host's
				loopback still working, no busy loop
  nobufs PASTA_PID NS_PID after	the same datagrams, paced, once the queue
				has room

The daemon's options must match the ports below (see exhaust.sh). Each
check prints "ok NAME: detail" or "bad NAME: why"; "info ..." lines give
figures, and "count NAME N" how many times something was refused, for
the shell to compare with the daemon's log. Exit status 0.
"""

import contextlib
import ctypes
import errno
import hashlib
import os
import resource
import subprocess
import socket
import struct
import sys
import threading
import time

GW4, GW6 = "198.51.100.1", "2001:db8::1"		# guest -> host
HOST4, HOST6 = "198.51.100.2", "2001:db8::2"		# host -> guest (-t, -u)
H_ECHO, H_UDP, H_STUCK, H_SUM = 19000, 19001, 19002, 19003	# host servers
G_ECHO, G_UDP, G_STUCK, G_SUM = 20000, 20001, 20002, 20003	# guest servers
BLACKHOLE = "203.0.113.5"	# routed to the host's ifb device
LIFETIME = 120		# seconds: servers and their threads end by then
QUICK = 1.0		# seconds: a refusal comes at once
SILENCE = 0.5		# seconds without an answer: a datagram was dropped
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def say(kind, name, text=""):
    print("%s %s%s" % (kind, name, ": " + text if text else ""), flush=True)


def check(name, ok, text):
    say("ok" if ok else "bad", name, text)
    return ok


def errname(e):
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timeout"
    n = getattr(e, "errno", None)
    return errno.errorcode.get(n, type(e).__name__)


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


# --- namespaces ------------------------------------------------------------

class Nets:
    """Descriptors of the host's and the guest's network namespaces"""

    def __init__(self, ns_pid):
        self.host = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.guest = os.open("/proc/%d/ns/net" % ns_pid, os.O_RDONLY)

    @staticmethod
    def _enter(fd):
        if libc.setns(fd, CLONE_NEWNET):
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))

    @contextlib.contextmanager
    def guest_ns(self):
        self._enter(self.guest)
        try:
            yield
        finally:
            self._enter(self.host)

    def side(self, where):
        """Context for creating sockets on a side: "host" or "guest" """
        if where == "guest":
            return self.guest_ns()
        return contextlib.nullcontext()


# --- servers ----------------------------------------------------------------

def listener(addr, port):
    s = socket.socket(fam(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam(addr) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                     0 if addr == "::" else 1)
    s.bind((addr, port))
    s.listen(512)
    return s


def thread(fn, *args):
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()
    return t


def serve_tcp(ls, handle):
    ls.settimeout(1)
    end = time.monotonic() + LIFETIME
    while time.monotonic() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        except OSError:
            time.sleep(0.05)
            continue
        c.settimeout(LIFETIME)
        thread(handle, c)


def echo_conn(c):
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
    except OSError:
        pass
    c.close()


class SumServer:
    """Read to EOF, answer the SHA-256 digest; with a gate, read nothing of
    a connection until the gate opens"""

    def __init__(self, gate=None):
        self.gate = gate
        self.accepted = 0

    def conn(self, c):
        self.accepted += 1
        try:
            if self.gate:
                self.gate.wait(LIFETIME)
            h = hashlib.sha256()
            while True:
                b = c.recv(1 << 20)
                if not b:
                    break
                h.update(b)
            c.sendall(h.hexdigest().encode())
        except OSError:
            pass
        c.close()


def serve_udp(s):
    s.settimeout(1)
    end = time.monotonic() + LIFETIME
    while time.monotonic() < end:
        try:
            d, peer = s.recvfrom(65536)
            s.sendto(d, peer)
        except socket.timeout:
            continue
        except OSError:
            continue


def udp_server(addr, port):
    s = socket.socket(fam(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam(addr) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                     0 if addr == "::" else 1)
    s.bind((addr, port))
    thread(serve_udp, s)


def echo_servers(nets):
    """TCP and UDP echo on both sides: host loopback, guest any address"""
    for a in ("127.0.0.1", "::1"):
        thread(serve_tcp, listener(a, H_ECHO), echo_conn)
        udp_server(a, H_UDP)
    with nets.guest_ns():
        thread(serve_tcp, listener("::", G_ECHO), echo_conn)
        udp_server("::", G_UDP)


# --- clients ----------------------------------------------------------------

def tcp_open(nets, where, host, port, tmo=3):
    """Connect and exchange one byte: (socket, None) or (None, (why, ms))"""
    start = time.monotonic()
    with nets.side(where):
        s = socket.socket(fam(host), socket.SOCK_STREAM)
    try:
        s.settimeout(tmo)
        s.connect((host, port))
        # A connection refused late shows only on the first exchange
        s.sendall(b"x")
        if s.recv(1) != b"x":
            raise ConnectionError(errno.EPIPE, "EOF")
    except OSError as e:
        s.close()
        why = "EOF" if getattr(e, "strerror", "") == "EOF" else errname(e)
        return None, (why, (time.monotonic() - start) * 1000)
    return s, None


def tcp_echo(s, size=16384):
    data = os.urandom(size)
    try:
        s.settimeout(5)
        s.sendall(data)
        got = bytearray()
        while len(got) < size:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except OSError:
        return False
    return bytes(got) == data


def refused_quick(how):
    return how is not None and how[0] in ("ECONNREFUSED", "ECONNRESET") \
        and how[1] <= QUICK * 1000


def tcp_fill(nets, where, host, port, most):
    held = []
    for _ in range(most):
        s, how = tcp_open(nets, where, host, port)
        if s is None:
            return held, how
        held.append(s)
    return held, None


def udp_flow(nets, where, host, port):
    with nets.side(where):
        s = socket.socket(fam(host), socket.SOCK_DGRAM)
    s.connect((host, port))
    return s


def udp_answered(s, tmo=SILENCE):
    """One datagram, answered within tmo (one resend halfway)"""
    data = os.urandom(32)
    end = time.monotonic() + tmo
    for _ in range(2):
        try:
            s.send(data)
        except OSError:
            pass
        half = time.monotonic() + tmo / 2
        while time.monotonic() < min(half, end):
            s.settimeout(max(min(half, end) - time.monotonic(), 0.01))
            try:
                if s.recv(65536) == data:
                    return True
            except socket.timeout:
                break
            except OSError:
                break
    return False


def udp_fill(nets, where, host, port, most):
    held = []
    for _ in range(most):
        s = udp_flow(nets, where, host, port)
        if not udp_answered(s, 1.0):
            s.close()
            return held, True
        held.append(s)
    return held, False


class Ping:
    """An echo session from the guest: a ping socket, whose local port is
    the echo identifier"""

    def __init__(self, nets, host):
        f = fam(host)
        with nets.guest_ns():
            self.s = socket.socket(f, socket.SOCK_DGRAM,
                                   socket.IPPROTO_ICMP if f == socket.AF_INET
                                   else socket.IPPROTO_ICMPV6)
        self.s.connect((host, 0))
        self.v6 = f == socket.AF_INET6
        self.seq = 0

    def answered(self, tmo=SILENCE):
        """One echo request, answered within tmo"""
        self.seq += 1
        data = os.urandom(16)
        req = struct.pack("!BBHHH", 128 if self.v6 else 8, 0, 0, 0,
                          self.seq) + data
        end = time.monotonic() + tmo
        try:
            self.s.send(req)
        except OSError:
            return False
        while time.monotonic() < end:
            self.s.settimeout(max(end - time.monotonic(), 0.01))
            try:
                r = self.s.recv(2048)
            except OSError:
                return False
            if len(r) >= 8 and r[0] == (129 if self.v6 else 0) and \
               struct.unpack("!H", r[6:8])[0] == self.seq and r[8:] == data:
                return True
        return False

    def close(self):
        self.s.close()


def new_ping_works(nets, host):
    p = Ping(nets, host)
    ok = p.answered()
    p.close()
    return ok


def poll(tmo, fn):
    """Call fn until it returns true, for at most tmo seconds: (ok, ms)"""
    start = time.monotonic()
    while True:
        if fn():
            return True, (time.monotonic() - start) * 1000
        if time.monotonic() - start > tmo:
            return False, (time.monotonic() - start) * 1000
        time.sleep(0.1)


def new_tcp_works(nets, where, host, port):
    s, _ = tcp_open(nets, where, host, port)
    if s is None:
        return False
    ok = tcp_echo(s)
    s.close()
    return ok


def new_udp_works(nets, where, host, port):
    s = udp_flow(nets, where, host, port)
    ok = udp_answered(s)
    s.close()
    return ok


# --- the pieces of nofile and table ------------------------------------------

def open_old_flows(nets, pings):
    """Flows opened while there is room, kept open through the shortage"""
    tcp = []
    for where, host, port in (("guest", GW4, H_ECHO), ("guest", GW6, H_ECHO),
                              ("host", HOST4, G_ECHO),
                              ("host", HOST6, G_ECHO)):
        s, how = tcp_open(nets, where, host, port)
        if s is None:
            check("old_flows_open", False, "TCP %s to %s port %d: %s" %
                  (where, host, port, how[0]))
            return None
        tcp.append(s)
    udp = [udp_flow(nets, "guest", GW4, H_UDP),
           udp_flow(nets, "host", HOST4, G_UDP)]
    ping = [Ping(nets, GW4), Ping(nets, GW6)] if pings else []
    ok = all(udp_answered(s, 2.0) for s in udp) and \
        all(p.answered(2.0) for p in ping)
    check("old_flows_open", ok, "%d TCP, %d UDP, %d ICMP echo flows, both "
          "directions" % (len(tcp), len(udp), len(ping)))
    return tcp, udp, ping


def refusals(nets, n_guest, n_host):
    """New TCP connections while nothing is left: each refused at once"""
    bad = []
    for i in range(n_guest + n_host):
        where, host, port = ("guest", GW4 if i % 2 else GW6, H_ECHO) \
            if i < n_guest else ("host", HOST4 if i % 2 else HOST6, G_ECHO)
        s, how = tcp_open(nets, where, host, port)
        if s is not None:
            s.close()
            bad.append("%s %d: connected" % (where, i))
        elif not refused_quick(how):
            bad.append("%s %d: %s after %d ms" % (where, i, how[0], how[1]))
    return bad


def old_flows_work(name, old, held_tcp, held_udp):
    tcp, udp, ping = old
    bad = [i for i, s in enumerate(tcp + held_tcp) if not tcp_echo(s, 65536)]
    bad_u = [i for i, s in enumerate(udp + held_udp) if not udp_answered(s, 2)]
    bad_p = [i for i, p in enumerate(ping) if not p.answered(2.0)]
    check(name, not (bad or bad_u or bad_p),
          "%d TCP connections echo 64 KiB each way, %d UDP and %d ICMP echo "
          "flows answered%s" %
          (len(tcp + held_tcp) - len(bad), len(udp + held_udp) - len(bad_u),
           len(ping) - len(bad_p),
           "" if not (bad or bad_u or bad_p) else
           "; failed: TCP %s, UDP %s, ICMP %s" % (bad, bad_u, bad_p)))


def recovery(nets, name, pings):
    """After closing: new flows of each kind, within 5 s"""
    parts = [("guest TCP", lambda: new_tcp_works(nets, "guest", GW4, H_ECHO)),
             ("host TCP", lambda: new_tcp_works(nets, "host", HOST4, G_ECHO)),
             ("guest UDP", lambda: new_udp_works(nets, "guest", GW6, H_UDP)),
             ("host UDP", lambda: new_udp_works(nets, "host", HOST6, G_UDP))]
    if pings:
        parts.append(("guest ICMP echo",
                      lambda: new_ping_works(nets, GW4)))
    res = []
    ok_all = True
    for what, fn in parts:
        ok, ms = poll(5, fn)
        ok_all &= ok
        res.append("%s %s after %d ms" % (what, "works" if ok else "fails",
                                          ms))
    check(name, ok_all, ", ".join(res))


# --- descriptors ----------------------------------------------------------------

def limit_for(pid, free):
    """The descriptor limit that leaves free numbers unused below it"""
    fds = sorted(int(x) for x in os.listdir("/proc/%d/fd" % pid))
    n = 1
    while n - len([f for f in fds if f < n]) < free:
        n += 1
    return n, len(fds)


def set_limit(pid, n):
    """Lower a process's descriptor limits to n, as its own user if it
    isn't root: root may lack CAP_SYS_RESOURCE (containers), and the
    daemon isn't root once it runs"""
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid"):
                ids[k] = int(v.split()[1])
    if ids.get("Uid", 0) == os.geteuid():
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (n, n))
        return
    subprocess.run(["setpriv", "--reuid=%d" % ids["Uid"],
                    "--regid=%d" % ids["Gid"], "--clear-groups", "prlimit",
                    "--pid", str(pid), "--nofile=%d:%d" % (n, n)],
                   check=True, timeout=10)


def nofile(pasta_pid, ns_pid, free):
    nets = Nets(ns_pid)
    echo_servers(nets)
    time.sleep(0.2)
    old = open_old_flows(nets, True)
    if old is None:
        return 0

    n, open_fds = limit_for(pasta_pid, free)
    set_limit(pasta_pid, n)
    say("info", "limit", "RLIMIT_NOFILE %d, %d descriptors open, %d free" %
        (n, open_fds, free))

    held, how = tcp_fill(nets, "guest", GW4, H_ECHO, 4 * free)
    check("guest_tcp_refused", held and refused_quick(how),
          "%d connections opened, the next one: %s" %
          (len(held), "%s after %d ms" % how if how else "opened too"))
    # One descriptor may be left, too few for a TCP connection: take it
    held_udp, full = udp_fill(nets, "guest", GW4, H_UDP, 4)
    check("guest_udp_dropped", full, "%d more UDP flows answered, then "
          "one %s" % (len(held_udp), "unanswered" if full else "answered"))

    n_guest, n_host = 30, 30
    bad = refusals(nets, n_guest, n_host)
    check("new_tcp_refused", not bad, "%d from the guest (RST), %d from the "
          "host (reset), each within %d ms%s" %
          (n_guest, n_host, QUICK * 1000, "; " + "; ".join(bad[:3])
           if bad else ""))
    say("count", "tcp_refused_guest", str(n_guest + 1))
    say("count", "tcp_refused_host", str(n_host))
    idle_check("no_busy_loop", pasta_pid, 1)
    drops = [new_udp_works(nets, w, h, p)
             for w, h, p in (("guest", GW6, H_UDP), ("host", HOST4, G_UDP),
                             ("host", HOST6, G_UDP))]
    check("new_udp_dropped", not any(drops),
          "new UDP flows from the guest and the host unanswered%s" %
          ("" if not any(drops) else ": answered %s" % drops))
    pings = [new_ping_works(nets, h) for h in (GW4, GW6)]
    check("new_ping_dropped", not any(pings),
          "new echo sessions unanswered%s" %
          ("" if not any(pings) else ": answered %s" % pings))
    old_flows_work("open_flows_still_work", old, held, held_udp)

    # Room for a TCP connection each way, two UDP flows, an echo session
    for s in held[:4]:
        s.close()
    held = held[4:]
    recovery(nets, "recovers", True)
    old_flows_work("open_flows_after_recovery", old, held, held_udp)
    return 0


# --- flow table ---------------------------------------------------------------

def table(pasta_pid, ns_pid):
    nets = Nets(ns_pid)
    echo_servers(nets)
    time.sleep(0.2)
    old = open_old_flows(nets, True)
    if old is None:
        return 0

    held, how = tcp_fill(nets, "guest", GW4, H_ECHO, 64)
    check("guest_tcp_refused", held and refused_quick(how),
          "%d connections opened, the next one: %s" %
          (len(held), "%s after %d ms" % how if how else "opened too"))
    n_guest, n_host = 30, 30
    bad = refusals(nets, n_guest, n_host)
    check("new_tcp_refused", not bad, "%d from the guest (RST), %d from the "
          "host (reset), each within %d ms%s" %
          (n_guest, n_host, QUICK * 1000, "; " + "; ".join(bad[:3])
           if bad else ""))
    say("count", "tcp_refused_guest", str(n_guest + 1))
    say("count", "tcp_refused_host", str(n_host))
    drops = [new_udp_works(nets, w, h, p)
             for w, h, p in (("guest", GW4, H_UDP), ("guest", GW6, H_UDP),
                             ("host", HOST4, G_UDP))]
    check("new_udp_dropped", not any(drops),
          "new UDP flows from the guest and the host unanswered%s" %
          ("" if not any(drops) else ": answered %s" % drops))
    pings = [new_ping_works(nets, h) for h in (GW4, GW6, GW4)]
    check("new_ping_dropped", not any(pings),
          "new echo sessions unanswered%s" %
          ("" if not any(pings) else ": answered %s" % pings))
    old_flows_work("open_flows_still_work", old, held, [])

    # Room for a TCP connection each way, two UDP flows, an echo session
    for s in held[:6]:
        s.close()
    held = held[6:]
    recovery(nets, "recovers", True)
    old_flows_work("open_flows_after_recovery", old, held, [])
    return 0


# --- socket buffers -------------------------------------------------------------

def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(") ", 1)[1].split()
    return int(st[11]) + int(st[12])


def idle_check(name, pid, secs):
    """The daemon takes at most a tenth of the time it waits, in CPU"""
    hz = os.sysconf("SC_CLK_TCK")
    t0 = cpu_ticks(pid)
    time.sleep(secs)
    ticks = cpu_ticks(pid) - t0
    check(name, ticks <= hz * secs // 10,
          "%d ticks of CPU in %d s (%d a second)" % (ticks, secs, hz))


class Writer:
    """Send data on a connection from a thread, then read the digest"""

    def __init__(self, s, size):
        self.s = s
        self.data = os.urandom(size)
        self.sent = 0
        self.answer = None
        self.error = None
        self.t = thread(self.run)

    def run(self):
        try:
            self.s.settimeout(LIFETIME)
            view = memoryview(self.data)
            while self.sent < len(self.data):
                self.sent += self.s.send(view[self.sent:self.sent + 65536])
            self.s.shutdown(socket.SHUT_WR)
            got = bytearray()
            while True:
                b = self.s.recv(256)
                if not b:
                    break
                got += b
            self.answer = got.decode(errors="replace")
        except OSError as e:
            self.error = errname(e)

    def intact(self):
        return self.answer == hashlib.sha256(self.data).hexdigest()


def connect(nets, where, host, port):
    with nets.side(where):
        s = socket.socket(fam(host), socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, port))
    return s


def stuck(pasta_pid, nets, name, where, host, port_stuck, port_sum, gate):
    w = Writer(connect(nets, where, host, port_stuck), 32 << 20)
    # Stuck: nothing more goes for a second
    end = time.monotonic() + 10
    last = -1
    while time.monotonic() < end and w.sent != last and w.t.is_alive():
        last = w.sent
        time.sleep(1)
    if not check(name + "_writer_blocked", w.t.is_alive() and w.sent == last,
                 "the writer stopped after %d of %d bytes" %
                 (w.sent, len(w.data))):
        gate.set()
        return

    idle_check(name + "_no_busy_loop", pasta_pid, 2)

    start = time.monotonic()
    o = Writer(connect(nets, where, host, port_sum), 8 << 20)
    o.t.join(30)
    el = time.monotonic() - start
    check(name + "_other_flow_moves", o.intact(),
          "8 MiB on another connection, SHA-256 %s, in %.2f s, while the "
          "first had %d bytes through%s" %
          ("intact" if o.intact() else "wrong", el, w.sent,
           " (%s)" % o.error if o.error else ""))
    held_at = w.sent

    gate.set()
    start = time.monotonic()
    w.t.join(30)
    el = time.monotonic() - start
    check(name + "_resumes_intact", w.intact() and held_at < len(w.data),
          "32 MiB, SHA-256 %s, %.2f s after the reader started%s" %
          ("intact" if w.intact() else "wrong", el,
           " (%s)" % w.error if w.error else ""))


def sockbuf(pasta_pid, ns_pid):
    nets = Nets(ns_pid)
    gates = [threading.Event(), threading.Event()]
    for a in ("127.0.0.1", "::1"):
        thread(serve_tcp, listener(a, H_STUCK), SumServer(gates[0]).conn)
        thread(serve_tcp, listener(a, H_SUM), SumServer().conn)
    with nets.guest_ns():
        thread(serve_tcp, listener("::", G_STUCK), SumServer(gates[1]).conn)
        thread(serve_tcp, listener("::", G_SUM), SumServer().conn)
    time.sleep(0.2)

    # The host's reader stops, the guest writes; then the other way round
    stuck(pasta_pid, nets, "host_reader", "guest", GW4, H_STUCK, H_SUM,
          gates[0])
    stuck(pasta_pid, nets, "guest_reader", "host", HOST6, G_STUCK, G_SUM,
          gates[1])
    return 0


# --- device queues full ----------------------------------------------------------

def flood(nets, n, gap):
    """UDP datagrams from the guest to the black hole, in bursts of 50"""
    s = udp_flow(nets, "guest", BLACKHOLE, 9)
    s.setblocking(False)
    sent = 0
    for i in range(n):
        try:
            s.send(b"%d " % i + b"x" * 1000)
            sent += 1
        except BlockingIOError:
            pass
        if i % 50 == 49:
            time.sleep(gap)
    s.close()
    return sent


def nobufs(pasta_pid, ns_pid, phase):
    nets = Nets(ns_pid)
    if phase == "after":
        # The queue has room again: paced, so that the guest drops none
        sent = flood(nets, 100, 0.05)
        check("sent", sent == 100, "%d of 100 datagrams sent" % sent)
        return 0

    echo_servers(nets)
    time.sleep(0.2)
    tcp, how = tcp_open(nets, "guest", GW4, H_ECHO)
    if tcp is None:
        check("old_flows_open", False, "TCP: %s" % how[0])
        return 0
    old = ([tcp], [udp_flow(nets, "guest", GW4, H_UDP)], [Ping(nets, GW4)])
    check("old_flows_open", udp_answered(old[1][0], 2.0) and
          old[2][0].answered(2.0), "1 TCP, 1 UDP, 1 ICMP echo flow")

    sent = flood(nets, 2000, 0.01)
    say("info", "flood", "%d datagrams of 1 KB sent from the guest to %s" %
        (sent, BLACKHOLE))
    say("count", "udp_flood", str(sent))
    old_flows_work("open_flows_still_work", old, [], [])
    idle_check("no_busy_loop", pasta_pid, 1)
    return 0


def main(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if a[0] == "nofile":
        return nofile(int(a[1]), int(a[2]), int(a[3]))
    if a[0] == "table":
        return table(int(a[1]), int(a[2]))
    if a[0] == "sockbuf":
        return sockbuf(int(a[1]), int(a[2]))
    if a[0] == "nobufs":
        return nobufs(int(a[1]), int(a[2]), a[3])
    print("unknown command %s" % a[0])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
