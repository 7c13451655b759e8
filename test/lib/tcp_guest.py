#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp_guest.py - a guest with a TCP of its own making, on passt's socket

What a real guest's TCP won't do on demand: ignore a SYN, answer with a
chosen window and scale, stop reading its link for a while. It speaks
QEMU's stream framing (4-byte big-endian length, then the frame) to passt,
as IPv4 guest 198.51.100.2 with MAC 0a:0b:0c:0d:0e:0f (--mac changes it),
and takes connections that passt opens towards it (forwarded ports, -t).
Every wait is bounded (--timeout, default 5 s). Exit status 0 if passt
did what the check expects, 1 with a reason on stderr otherwise.

  syn_retrans SOCK PORT     ignore the first SYN to PORT; expect the same
                            SYN again after about a second; then complete
                            the handshake and receive until the peer's FIN
  synack_wnd SOCK PORT WND WS
                            answer the SYN with window WND, scale WS, and
                            acknowledge nothing: passt must send at most
                            WND bytes (a SYN's window is never scaled)
  stall SOCK PORT SECONDS   take the connection, then stop reading the
                            socket for SECONDS; then receive and
                            acknowledge everything up to the FIN, print
                            the byte count and SHA-256 of the data
  quiet SOCK PORT SECONDS   take the connection, then receive without
                            acknowledging for SECONDS; then acknowledge,
                            receive up to the FIN, print the byte count and
                            SHA-256 of the data
  hold SOCK PORT            take the connection, print "established",
                            then hold it until the timeout, reading and
                            acknowledging
  hole SOCK PORT N          take the connection, then send N segments of
                            1000 bytes after a missing one: expect at least
                            N duplicate ACKs; then send them all again and
                            a FIN, print the byte count and SHA-256 of the
                            data
  lossy SOCK PORT N         take the connection, then receive up to the
                            FIN dropping the first copy of every Nth data
                            segment (a hole for passt to fill again from
                            what it holds); print the byte count and
                            SHA-256 of the data, then the segments dropped
  arp SOCK                  ask for the gateway's MAC, check the reply is
                            addressed to our MAC
"""

import argparse
import hashlib
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pkt import csum, die  # noqa: E402  (the same directory)

ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
BCAST = b"\xff" * 6
GUEST4 = "198.51.100.2"
GW4 = "198.51.100.1"

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Link:
    """Frames over passt's stream socket"""

    def __init__(self, path, mac, timeout):
        self.mac = mac
        self.timeout = timeout
        self.gw_mac = BCAST
        self.buf = b""
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        try:
            self.s.connect(path)
        except OSError as e:
            die("connect %s: %s" % (path, e))
        self.s.settimeout(None)

    def send(self, frame):
        self.s.sendall(struct.pack("!I", len(frame)) + frame)

    def recv(self, until):
        """Next frame, None at end of stream, False at the deadline"""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = until - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return False
            d = self.s.recv(1 << 20)
            if not d:
                return None
            self.buf += d

    def arp(self):
        body = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + self.mac + \
            socket.inet_aton(GUEST4) + b"\0" * 6 + socket.inet_aton(GW4)
        self.send(BCAST + self.mac + struct.pack("!H", ETH_P_ARP) + body)
        until = time.monotonic() + self.timeout
        while True:
            f = self.recv(until)
            if not f:
                die("arp: no reply (%s)" % ("EOF" if f is None else "timeout"))
            if f[12:14] == b"\x08\x06" and f[20:22] == b"\0\x02":
                if f[0:6] != self.mac or f[32:38] != self.mac:
                    die("arp: reply to %s, we are %s" %
                        (f[0:6].hex(":"), self.mac.hex(":")))
                self.gw_mac = f[22:28]
                return self.gw_mac


class Seg:
    """A TCP segment passt sent us, IPv4"""

    def __init__(self, f):
        ip = f[14:]
        ihl = (ip[0] & 0xF) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        self.src = socket.inet_ntoa(ip[12:16])
        self.dst = socket.inet_ntoa(ip[16:20])
        th = ip[ihl:tot]
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.wnd) = struct.unpack("!HHIIBBH", th[:16])
        self.hlen = (off >> 4) * 4
        self.opts = th[20:self.hlen]
        self.data = th[self.hlen:]


def tcp_frame(link, c, flags, seq, ack, wnd, opts=b"", data=b""):
    """Build a segment of connection c to passt"""
    hlen = 20 + len(opts)
    th = struct.pack("!HHIIBBHHH", c["lport"], c["rport"], seq, ack,
                     (hlen // 4) << 4, flags, wnd, 0, 0) + opts + data
    src, dst = socket.inet_aton(GUEST4), socket.inet_aton(c["raddr"])
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(th))
    th = th[:16] + struct.pack("!H", csum(pseudo + th)) + th[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th), 0, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    link.send(link.gw_mac + link.mac + struct.pack("!H", ETH_P_IP) + ip + th)


def next_seg(link, port, until):
    """Next TCP segment to our PORT, None at EOF, False at the deadline"""
    while True:
        f = link.recv(until)
        if not f:
            return f
        if f[12:14] != b"\x08\x00" or len(f) < 54 or f[23] != 6:
            continue
        s = Seg(f)
        if s.dst == GUEST4 and s.dport == port:
            if f[0:6] != link.mac:
                die("segment to MAC %s, we are %s" %
                    (f[0:6].hex(":"), link.mac.hex(":")))
            return s


def wait_syn(link, port, until):
    s = next_seg(link, port, until)
    if not s:
        die("no SYN to port %d (%s)" % (port, "EOF" if s is None
                                        else "timeout"))
    if s.flags & (SYN | ACK) != SYN:
        die("expected a SYN, got flags 0x%02x" % s.flags)
    return s


def accept(link, syn, wnd, ws):
    """Answer a SYN; return the connection state"""
    c = {"lport": syn.dport, "rport": syn.sport, "raddr": syn.src,
         "iss": 0x10000, "rcv": (syn.seq + 1) & 0xFFFFFFFF, "ws": ws}
    opts = struct.pack("!BBH", 2, 4, 1460)
    if ws is not None:
        opts += struct.pack("!BBBB", 1, 3, 3, ws)
    tcp_frame(link, c, SYN | ACK, c["iss"], c["rcv"], wnd, opts)
    c["snd"] = c["iss"] + 1
    return c


def receive(link, c, until, h, count_only=False, drop=None):
    """Receive in order and acknowledge until FIN; return bytes, fin

    drop: None, or [N, segments seen, sequence numbers dropped]: the
    first copy of every Nth in-order data segment is taken as lost"""
    total = 0
    while True:
        s = next_seg(link, c["lport"], until)
        if s is None:
            die("EOF from passt while receiving")
        if s is False:
            return total, False
        if s.flags & RST:
            die("reset by passt after %d bytes" % total)
        if s.seq == c["rcv"] and s.data and drop and s.seq not in drop[2]:
            drop[1] += 1
            if drop[1] % drop[0] == 0:
                drop[2].add(s.seq)
                tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
                continue
        if s.seq == c["rcv"] and s.data:
            h.update(s.data)
            total += len(s.data)
            c["rcv"] = (c["rcv"] + len(s.data)) & 0xFFFFFFFF
        fin = s.flags & FIN and \
            (s.seq + len(s.data)) & 0xFFFFFFFF == c["rcv"]
        if fin:
            c["rcv"] = (c["rcv"] + 1) & 0xFFFFFFFF
        if not count_only:
            tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
        if fin:
            return total, True


def cmd_syn_retrans(a, link):
    until = time.monotonic() + a.timeout
    first = wait_syn(link, a.port, until)
    t0 = time.monotonic()
    again = wait_syn(link, a.port, until)
    dt = (time.monotonic() - t0) * 1000
    if again.seq != first.seq:
        die("second SYN has ISN %d, first %d" % (again.seq, first.seq))
    if dt < 300:
        die("SYN resent after %d ms: too early" % dt)
    c = accept(link, again, 65535, 7)
    h = hashlib.sha256()
    n, fin = receive(link, c, until, h)
    if not fin:
        die("no FIN after %d bytes" % n)
    print("syn resent after %d ms; %d bytes %s" % (dt, n, h.hexdigest()))


def cmd_synack_wnd(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), a.wnd, a.ws)
    # The handshake's last ACK, from passt; then data, unacknowledged
    end = time.monotonic() + 1.5
    total = 0
    while True:
        s = next_seg(link, a.port, end)
        if s is None:
            die("EOF from passt")
        if s is False:
            break
        # Retransmissions count once: how far the data reached
        if s.data:
            total = max(total, (s.seq + len(s.data) - c["rcv"]) & 0xFFFFFFFF)
    if total > a.wnd:
        die("%d bytes sent into a window of %d (scaled by %d: %d)" %
            (total, a.wnd, a.ws, a.wnd << a.ws))
    if not total:
        die("no data at all in 1.5 s")
    print("%d bytes in a window of %d" % (total, a.wnd))


def cmd_stall(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), 65535, 7)
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    print("established, not reading for %g s" % a.seconds, flush=True)
    time.sleep(a.seconds)
    h = hashlib.sha256()
    n, fin = receive(link, c, time.monotonic() + a.timeout, h)
    if not fin:
        die("no FIN after %d bytes" % n)
    print("%d %s" % (n, h.hexdigest()))


def cmd_quiet(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), 65535, 7)
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    print("established, acknowledging nothing for %g s" % a.seconds,
          flush=True)
    h = hashlib.sha256()
    n = 0
    end = time.monotonic() + a.seconds
    while True:
        s = next_seg(link, a.port, end)
        if s is None:
            die("EOF from passt")
        if s is False:
            break
        if s.seq == c["rcv"] and s.data:
            h.update(s.data)
            n += len(s.data)
            c["rcv"] = (c["rcv"] + len(s.data)) & 0xFFFFFFFF
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    m, fin = receive(link, c, time.monotonic() + a.timeout, h)
    if not fin:
        die("no FIN after %d bytes" % (n + m))
    print("%d %s" % (n + m, h.hexdigest()))


def cmd_hold(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), 65535, 7)
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    print("established", flush=True)
    receive(link, c, until, hashlib.sha256())


def cmd_lossy(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), 65535, 7)
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    h = hashlib.sha256()
    drop = [a.n, 0, set()]
    n, fin = receive(link, c, until, h, drop=drop)
    if not fin:
        die("no FIN after %d bytes, %d segments dropped" %
            (n, len(drop[2])))
    print("%d %s" % (n, h.hexdigest()))
    print("%d dropped" % len(drop[2]))


def cmd_hole(a, link):
    until = time.monotonic() + a.timeout
    c = accept(link, wait_syn(link, a.port, until), 65535, 7)
    tcp_frame(link, c, ACK, c["snd"], c["rcv"], 65535)
    data = os.urandom(1000 * (a.n + 1))
    base = c["snd"]

    def seg(i):
        tcp_frame(link, c, ACK | PSH, (base + 1000 * i) & 0xFFFFFFFF,
                  c["rcv"], 65535, data=data[1000 * i:1000 * (i + 1)])

    # One write, so that passt reads them as one batch
    frames = []
    send = link.send
    link.send = frames.append
    for i in range(1, a.n + 1):
        seg(i)
    link.send = send
    link.s.sendall(b"".join(struct.pack("!I", len(f)) + f for f in frames))
    dups = 0
    end = time.monotonic() + 1
    while True:
        s = next_seg(link, a.port, end)
        if s is None:
            die("EOF from passt")
        if s is False:
            break
        if s.flags & RST:
            die("reset by passt")
        if s.flags & ACK and not s.data and s.ack == base:
            dups += 1
        elif s.flags & ACK and s.ack != base:
            die("ACK %d beyond the hole at %d" % (s.ack, base))
    if dups < a.n:
        die("%d duplicate ACKs for %d segments after a hole" % (dups, a.n))
    for i in range(a.n + 1):
        seg(i)
    fin_seq = (base + len(data)) & 0xFFFFFFFF
    tcp_frame(link, c, ACK | FIN, fin_seq, c["rcv"], 65535)
    while True:
        s = next_seg(link, a.port, until)
        if not s:
            die("no ACK of our FIN (%s)" % ("EOF" if s is None
                                            else "timeout"))
        if s.flags & ACK and s.ack == (fin_seq + 1) & 0xFFFFFFFF:
            break
    print("%d duplicate ACKs" % dups)
    print("%d %s" % (len(data), hashlib.sha256(data).hexdigest()))


def cmd_arp(a, link):
    print("gateway at %s" % link.gw_mac.hex(":"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--mac", default="0a:0b:0c:0d:0e:0f")
    sub = p.add_subparsers(dest="cmd", required=True)

    def cmd(name, fn):
        x = sub.add_parser(name)
        x.add_argument("sock")
        x.set_defaults(fn=fn)
        return x
    x = cmd("syn_retrans", cmd_syn_retrans)
    x.add_argument("port", type=int)
    x = cmd("synack_wnd", cmd_synack_wnd)
    x.add_argument("port", type=int)
    x.add_argument("wnd", type=int)
    x.add_argument("ws", type=int)
    x = cmd("stall", cmd_stall)
    x.add_argument("port", type=int)
    x.add_argument("seconds", type=float)
    x = cmd("quiet", cmd_quiet)
    x.add_argument("port", type=int)
    x.add_argument("seconds", type=float)
    x = cmd("hold", cmd_hold)
    x.add_argument("port", type=int)
    x = cmd("hole", cmd_hole)
    x.add_argument("port", type=int)
    x.add_argument("n", type=int)
    x = cmd("lossy", cmd_lossy)
    x.add_argument("port", type=int)
    x.add_argument("n", type=int)
    cmd("arp", cmd_arp)
    a = p.parse_args()
    link = Link(a.sock, bytes.fromhex(a.mac.replace(":", "")), a.timeout)
    link.arp()
    a.fn(a, link)


if __name__ == "__main__":
    main()
