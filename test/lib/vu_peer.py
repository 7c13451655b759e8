#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vu_peer.py - a small vhost-user frontend, to test passt --vhost-user

Usage: vu_peer.py [--timeout S] [--pid PID] SOCKET CHECK...

Speaks the vhost-user protocol to passt as QEMU would, with guest memory
of its own (a memfd, mapped here and shared with passt), its own split
virtqueues in it (receive queue 0, transmit queue 1) and eventfds for
kicks and calls. Every check runs on a connection of its own, in order;
the exit status is 0 if all passed, and each prints one line.

Checks:
  session	features, protocol features with REPLY_ACK, memory table,
		both rings; GET_VRING_BASE gives back the base we set, and
		the connection stays up
  arp		session, then an ARP request on the transmit queue, answered
		on the receive queue (frame checked); the transmit buffer is
		returned in the used ring
  ping4		session, then an ICMP echo to the gateway address, answered
  ping4-big	the same with 6000 bytes, sent in two descriptors (passt
		copies it), answered over several mergeable receive buffers
  short-chain	a transmit chain shorter than the virtio-net header, then an
		ARP request: the first is dropped, both chains returned
  bad-*		one malformed message or ring (see BAD below): passt must
		close the connection
  fds		a message with descriptors it doesn't use, many times: the
		number of passt's open descriptors (--pid) doesn't grow
  tso4		GUEST_TSO4/6: a TCP download from a host server (--port,
		sending the file --data) in super-frames, byte for byte
  tso4-small	the same with 16 receive buffers, too few for a super-frame:
		segments, and every byte
  uso4		GUEST_USO4/6: a train from udp_peer.py's echo_srv (--port)
		in one frame, byte for byte
  upload	a TCP upload (--size KiB) of ours to a host server of ours
		on --port, in 16 KiB segments from up to 24 transmit
		buffers, each reused once passt returns it; the server
		holds off reading for --delay seconds, with a small receive
		buffer, then hashes what came: its SHA-256 must be ours.
		Prints how many chains came back only after the server
		started reading (held by zero-copy sends) as "held N"
  upload-overwrite  the same, and each buffer is overwritten with other
		bytes the moment its chain is returned: a chain returned
		while the kernel still reads its bytes corrupts the upload
  upload-split-overwrite  upload-overwrite with each frame in two
		descriptors, its headers and its payload: passt copies it to
		parse it, and sends the payload from guest memory
  upload-abort	the upload, and the connection closed half-way through the
		server's --delay, with chains out
"""

import argparse
import ctypes
import hashlib
import mmap
import os
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkt  # noqa: E402

# Requests
GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER = 1, 2, 3, 4
SET_MEM_TABLE, SET_LOG_BASE, SET_LOG_FD = 5, 6, 7
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE = 8, 9, 10, 11
SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR = 12, 13, 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES = 15, 16
GET_QUEUE_NUM, SET_VRING_ENABLE = 17, 18

VERSION, REPLY, NEED_REPLY = 0x1, 0x4, 0x8
F_MRG_RXBUF, F_INDIRECT, F_EVENT_IDX = 1 << 15, 1 << 28, 1 << 29
F_PROTOCOL, F_VERSION_1 = 1 << 30, 1 << 32
PROTOCOL_F_REPLY_ACK = 1 << 3

DESC_F_NEXT, DESC_F_WRITE, DESC_F_INDIRECT = 1, 2, 4

MEM_SIZE = 4 << 20
GPA = 0x40000000		# guest physical address of our memory
UVA = 0x7e0000000000		# our "frontend address" for it, made up
QSIZE = 64
HDR_LEN = 12			# virtio-net header, VERSION_1
BUF_SIZE = 2048

# Layout of guest memory: per queue, the rings, then buffers
Q_OFF = (0x0000, 0x10000)	# queue base offsets: desc, then avail, used
AVAIL_OFF, USED_OFF = 0x1000, 0x2000
BUFS_OFF = (0x100000, 0x200000)


class Closed(Exception):
    """passt closed the connection"""


class Frontend:
    """One connection to passt, with memory and queues of its own"""

    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.timeout = timeout
        self.memfd = os.memfd_create("vu_peer", 0)
        os.ftruncate(self.memfd, MEM_SIZE)
        self.mem = mmap.mmap(self.memfd, MEM_SIZE)
        self.kick = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.call = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.avail = [0, 0]
        self.used_seen = [0, 0]
        self.refill = False  # give receive buffers back once read
        # The ring indices passt reads while we write them, and the other
        # way round: one 16-bit access each, as a driver's. struct's
        # pack_into() writes a byte at a time, and passt may see a torn
        # index (a broken ring, for it)
        self.avail_idx = [ctypes.c_uint16.from_buffer(
            self.mem, Q_OFF[q] + AVAIL_OFF + 2) for q in range(2)]
        self.used_idx = [ctypes.c_uint16.from_buffer(
            self.mem, Q_OFF[q] + USED_OFF + 2) for q in range(2)]

    def close(self):
        """Close everything of ours"""
        self.s.close()
        for fd in self.kick + self.call + [self.memfd]:
            os.close(fd)
        del self.avail_idx, self.used_idx
        self.mem.close()

    # Messages

    def send(self, req, payload=b"", fds=(), flags=VERSION, size=None):
        """Send one message, raw"""
        hdr = struct.pack("<III", req, flags,
                          len(payload) if size is None else size)
        self.s.sendmsg([hdr + payload],
                       [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                         struct.pack("%di" % len(fds), *fds))] if fds else [])

    def recv_exact(self, n):
        """Read n bytes, or raise Closed"""
        b = b""
        while len(b) < n:
            try:
                c = self.s.recv(n - len(b))
            except (ConnectionResetError, BrokenPipeError):
                raise Closed()
            if not c:
                raise Closed()
            b += c
        return b

    def reply(self, req):
        """Read a reply to req, return its payload"""
        r, flags, size = struct.unpack("<III", self.recv_exact(12))
        if r != req or flags != VERSION | REPLY:
            pkt.die("reply to %d: request %d flags 0x%x" % (req, r, flags))
        return self.recv_exact(size)

    def get_u64(self, req):
        """A GET request answered with a 64-bit number"""
        self.send(req)
        return struct.unpack("<Q", self.reply(req))[0]

    def set_u64(self, req, v, fds=(), ack=False):
        """A request with a 64-bit number, acknowledged if ack"""
        self.send(req, struct.pack("<Q", v), fds,
                  VERSION | (NEED_REPLY if ack else 0))
        if ack:
            r = struct.unpack("<Q", self.reply(req))[0]
            if r:
                pkt.die("request %d: nack %d" % (req, r))

    def state(self, req, idx, num):
        """A request about a queue's state"""
        self.send(req, struct.pack("<II", idx, num))

    def closed_by_peer(self):
        """Does passt close the connection (before the timeout)?"""
        try:
            r, _, _ = select.select([self.s], [], [], self.timeout)
            if not r:
                return False
            while True:
                if not self.s.recv(4096):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    # Set-up

    def mem_table(self, size=MEM_SIZE, nfds=1, offset=0, ack=True):
        """SET_MEM_TABLE with our one region"""
        payload = struct.pack("<II", 1, 0) + struct.pack(
            "<QQQQ", GPA, size, UVA, offset)
        self.send(SET_MEM_TABLE, payload, [self.memfd] * nfds,
                  VERSION | (NEED_REPLY if ack else 0))
        if ack:
            r = struct.unpack("<Q", self.reply(SET_MEM_TABLE))[0]
            if r:
                pkt.die("SET_MEM_TABLE: nack")

    def vring(self, q, desc=None):
        """Set up queue q: size, base, addresses, call, kick, enable"""
        base = Q_OFF[q]
        self.state(SET_VRING_NUM, q, QSIZE)
        self.state(SET_VRING_BASE, q, 0)
        self.send(SET_VRING_ADDR, struct.pack(
            "<IIQQQQ", q, 0, UVA + base if desc is None else desc,
            UVA + base + USED_OFF, UVA + base + AVAIL_OFF, 0))
        self.set_u64(SET_VRING_CALL, q, [self.call[q]])
        self.set_u64(SET_VRING_KICK, q, [self.kick[q]])
        self.state(SET_VRING_ENABLE, q, 1)

    def setup(self, features=F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL):
        """Everything QEMU does before the guest's driver runs"""
        offered = self.get_u64(GET_FEATURES)
        need = F_VERSION_1 | F_MRG_RXBUF | F_EVENT_IDX | F_INDIRECT
        if offered & need != need or not offered & F_PROTOCOL:
            pkt.die("features 0x%x lack 0x%x" % (offered, need))
        proto = self.get_u64(GET_PROTOCOL_FEATURES)
        if not proto & PROTOCOL_F_REPLY_ACK:
            pkt.die("protocol features 0x%x without REPLY_ACK" % proto)
        self.set_u64(SET_PROTOCOL_FEATURES, PROTOCOL_F_REPLY_ACK)
        self.send(SET_OWNER)
        self.set_u64(SET_FEATURES, features, ack=True)
        self.mem_table()
        for q in (0, 1):
            self.vring(q)

    # Rings

    def desc(self, q, i, addr, length, flags, nxt=0):
        """Write descriptor i of queue q"""
        struct.pack_into("<QIHH", self.mem, Q_OFF[q] + 16 * i, addr, length,
                         flags, nxt)

    def offer(self, q, head, kick=True):
        """Make a chain available, and kick"""
        a = Q_OFF[q] + AVAIL_OFF
        struct.pack_into("<H", self.mem, a + 4 + 2 * (self.avail[q] % QSIZE),
                         head)
        self.avail[q] = (self.avail[q] + 1) & 0xffff
        self.avail_idx[q].value = self.avail[q]
        if kick:
            os.eventfd_write(self.kick[q], 1)

    def used(self, q):
        """New used entries of queue q: list of (id, len)"""
        u = Q_OFF[q] + USED_OFF
        idx = self.used_idx[q].value
        out = []
        while self.used_seen[q] != idx:
            out.append(struct.unpack_from(
                "<II", self.mem, u + 4 + 8 * (self.used_seen[q] % QSIZE)))
            self.used_seen[q] = (self.used_seen[q] + 1) & 0xffff
        return out

    def rx_post(self, n=QSIZE):
        """Give passt n receive buffers"""
        for i in range(n):
            self.desc(0, i, GPA + BUFS_OFF[0] + i * BUF_SIZE, BUF_SIZE,
                      DESC_F_WRITE)
            self.offer(0, i, kick=False)
        os.eventfd_write(self.kick[0], 1)

    def tx(self, frame, slot=0):
        """Send a frame on the transmit queue"""
        off = BUFS_OFF[1] + slot * BUF_SIZE
        data = bytes(HDR_LEN) + frame
        self.mem[off:off + len(data)] = data
        self.desc(1, slot, GPA + off, len(data), 0)
        self.offer(1, slot)

    def tx_split(self, frame, cut, slot=0):
        """Send a frame in two descriptors, cut bytes in the first (with
        the header), the rest in a buffer elsewhere"""
        data = bytes(HDR_LEN) + frame
        off = BUFS_OFF[1] + slot * BUF_SIZE
        off2 = BUFS_OFF[1] + 0x40000
        self.mem[off:off + cut] = data[:cut]
        self.mem[off2:off2 + len(data) - cut] = data[cut:]
        self.desc(1, slot, GPA + off, cut, DESC_F_NEXT, slot + 1)
        self.desc(1, slot + 1, GPA + off2, len(data) - cut, 0)
        self.offer(1, slot)

    def rx_frames(self, hdr=False):
        """Frames passt wrote into receive buffers, since the last call;
        with hdr, (virtio-net header, frame) pairs"""
        out = []
        entries = self.used(0)
        i = 0
        while i < len(entries):
            head, length = entries[i]
            off = BUFS_OFF[0] + head * BUF_SIZE
            nbuf = struct.unpack_from("<H", self.mem, off + 10)[0]
            data = bytes(self.mem[off + HDR_LEN:off + length])
            if i + max(nbuf, 1) > len(entries):
                pkt.die("frame of %d buffers, %d used" %
                        (nbuf, len(entries) - i))
            for j in range(1, nbuf):
                h2, l2 = entries[i + j]
                o2 = BUFS_OFF[0] + h2 * BUF_SIZE
                data += bytes(self.mem[o2:o2 + l2])
            vh = bytes(self.mem[off:off + HDR_LEN])
            out.append((vh, data) if hdr else data)
            i += max(nbuf, 1)
        if self.refill and entries:
            for head, _ in entries:
                self.offer(0, head, kick=False)
            os.eventfd_write(self.kick[0], 1)
        return out

    def rx_wait(self, match, hdr=False):
        """Wait for a received frame match() accepts (with hdr: match()
        takes the virtio-net header too, and the pair is returned)"""
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            for f in self.rx_frames(hdr):
                if (match(*f) if hdr else match(f)):
                    return f
            select.select([self.call[0]], [], [], 0.05)
            try:
                os.eventfd_read(self.call[0])
            except BlockingIOError:
                pass
        return None


def arp_request():
    """Our guest asks for the gateway's address"""
    return pkt.eth(pkt.BCAST, pkt.GUEST_MAC, pkt.ETH_P_ARP,
                   pkt.arp_body(1, pkt.GUEST_MAC, pkt.GUEST4, b"\0" * 6,
                                pkt.GW4))


def is_arp_reply(f):
    """An ARP reply for the gateway's address"""
    return (f[12:14] == b"\x08\x06" and f[20:22] == b"\0\x02" and
            f[28:32] == pkt.a4(pkt.GW4))


def check_session(fe, _a):
    """Set-up, ring base read back, connection still up"""
    fe.setup()
    fe.state(SET_VRING_BASE, 1, 0)
    fe.send(GET_VRING_BASE, struct.pack("<II", 1, 0))
    idx, num = struct.unpack("<II", fe.reply(GET_VRING_BASE))
    if (idx, num) != (1, 0):
        pkt.die("GET_VRING_BASE: %d %d" % (idx, num))
    if fe.get_u64(GET_FEATURES) & F_VERSION_1 == 0:
        pkt.die("no answer after set-up")
    return "vhost-user session set up"


def check_unknown_acked(fe, _a):
    """A request we don't know, with REPLY_ACK: refused, session goes on"""
    fe.setup()
    fe.send(99, flags=VERSION | NEED_REPLY)
    r = struct.unpack("<Q", fe.reply(99))[0]
    if not r:
        pkt.die("request 99 acknowledged as done")
    if fe.get_u64(GET_FEATURES) & F_VERSION_1 == 0:
        pkt.die("no answer after the refused request")
    return "request 99 refused with %d, session still up" % r


def check_arp(fe, _a):
    """An ARP request on TX, its reply on RX"""
    fe.setup()
    fe.rx_post()
    fe.tx(arp_request())
    r = fe.rx_wait(is_arp_reply)
    if not r:
        pkt.die("no ARP reply on the receive queue")
    if r[0:6] != pkt.GUEST_MAC or r[38:42] != pkt.a4(pkt.GUEST4):
        pkt.die("ARP reply not for us: %s" % r[:42].hex())
    used = fe.used(1)
    if (0, 0) not in used:
        pkt.die("transmit buffer not returned: %s" % used)
    return "arp: %s is at %s" % (pkt.GW4, r[22:28].hex(":"))


def check_ping4(fe, _a, size=1200, split=False):
    """ICMP echo to the gateway, answered"""
    fe.setup()
    fe.rx_post()
    fe.tx(arp_request())
    r = fe.rx_wait(is_arp_reply)
    if not r:
        pkt.die("no ARP reply")
    ident, seq, data = 0x4243, 9, os.urandom(size)
    frame = pkt.eth(r[22:28], pkt.GUEST_MAC, pkt.ETH_P_IP,
                    pkt.ipv4(pkt.GUEST4, pkt.GW4, 1,
                             pkt.icmp4_echo(ident, seq, data)))
    if split:
        fe.tx_split(frame, 40, slot=1)
    else:
        fe.tx(frame, slot=1)

    def ok(f):
        return (f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0 and
                f[42:] == data)
    if not fe.rx_wait(ok):
        pkt.die("no echo reply with our data")
    return "ping4: reply with our %d bytes" % len(data)


def check_short_chain(fe, _a):
    """A transmit chain too short for the virtio-net header: dropped and
    returned, the connection goes on"""
    fe.setup()
    fe.rx_post()
    fe.desc(1, 5, GPA + BUFS_OFF[1] + 0x8000, 8, 0)
    fe.offer(1, 5)
    fe.tx(arp_request())
    if not fe.rx_wait(is_arp_reply):
        pkt.die("no ARP reply after a short chain")
    used = [u[0] for u in fe.used(1)]
    if 5 not in used or 0 not in used:
        pkt.die("chains not returned: %s" % used)
    return "short chain dropped, returned, ARP answered after it"


def check_ping4_big(fe, a):
    """A large echo, sent in two descriptors, its reply over several
    mergeable receive buffers"""
    return check_ping4(fe, a, size=6000, split=True)


F_GUEST_CSUM, F_GUEST_TSO4, F_GUEST_TSO6 = 1 << 1, 1 << 7, 1 << 8
F_GUEST_USO4, F_GUEST_USO6 = 1 << 54, 1 << 55
GSO_TCPV4, GSO_UDP_L4 = 1, 5
F_SESSION = F_VERSION_1 | F_MRG_RXBUF | F_PROTOCOL


def vnet_hdr(vh):
    """flags, gso_type, hdr_len, gso_size, csum_start, csum_offset"""
    return struct.unpack_from("<BBHHHH", vh)


def gw_mac(fe, post=True):
    """The gateway's MAC address, by ARP (receive buffers given first if
    post)"""
    if post:
        fe.rx_post()
    fe.tx(arp_request())
    r = fe.rx_wait(is_arp_reply)
    if not r:
        pkt.die("no ARP reply")
    return r[22:28]


def covered(data):
    """Bytes from offset 0 on that the payloads in data (offset: length)
    cover without a hole"""
    end = 0
    for off in sorted(data):
        if off > end:
            break
        end = max(end, off + data[off])
    return end


def check_tso4(fe, a, nbufs=QSIZE):
    """GUEST_TSO4/6: a download from a host server (--port, sending the
    file --data) comes in super-frames of the MSS we announce, over as
    many mergeable buffers as they take, its bytes those of the file;
    with fewer receive buffers than a super-frame takes (nbufs, given
    back as they are used), in segments"""
    mss, sport, isn = 1460, 40123, 1000
    want = open(a.data, "rb").read()
    fe.setup(F_SESSION | F_GUEST_CSUM | F_GUEST_TSO4 | F_GUEST_TSO6)
    fe.rx_post(nbufs)
    fe.refill = True
    gw = gw_mac(fe, post=False)

    def seg(flags, seq, ack, opts=b""):
        return pkt.eth(gw, pkt.GUEST_MAC, pkt.ETH_P_IP, pkt.ipv4(
            pkt.GUEST4, pkt.GW4, 6, pkt.tcp_seg(
                pkt.GUEST4, pkt.GW4, sport, a.port, flags, seq, ack, opts)))

    def ours(_vh, f):
        return (f[12:14] == b"\x08\x00" and f[23] == 6 and
                struct.unpack_from("!H", f, 36)[0] == sport)
    fe.tx(seg(0x02, isn, 0, struct.pack("!BBH", 2, 4, mss)), slot=1)
    r = fe.rx_wait(ours, hdr=True)
    if not r or r[1][47] & 0x12 != 0x12:
        pkt.die("no SYN-ACK")
    srv = struct.unpack_from("!I", r[1], 38)[0] + 1
    fe.tx(seg(0x10, isn + 1, srv), slot=2)

    # The window we gave, 65535 bytes, in frames: collect them. A slow
    # run may see the window again from its start, retransmitted in other
    # cuts: every payload must be the file's at its offset, and the bytes
    # covered from the start are what counts
    data, supers, resent, end = {}, 0, 0, time.monotonic() + fe.timeout
    while covered(data) < 65535 and time.monotonic() < end:
        frames = [r for r in fe.rx_frames(hdr=True) if ours(*r)]
        if not frames:
            select.select([fe.call[0]], [], [], 0.05)
            try:
                os.eventfd_read(fe.call[0])
            except BlockingIOError:
                pass
        for vh, f in frames:
            ihl, doff = (f[14] & 0xf) * 4, f[14 + 20 + 12] >> 4
            tot = struct.unpack_from("!H", f, 16)[0]
            payload = f[14 + ihl + doff * 4:14 + tot]
            if not payload:
                continue
            flags, typ, _hl, size, _cs, _co = vnet_hdr(vh)
            if len(payload) > mss:
                if typ != GSO_TCPV4 or size != mss or not flags & 1:
                    pkt.die("%d bytes in a frame: gso_type %d, gso_size %d, "
                            "flags %d" % (len(payload), typ, size, flags))
                supers += 1
            off = (struct.unpack_from("!I", f, 38)[0] - srv) % (1 << 32)
            if payload != want[off:off + len(payload)]:
                pkt.die("%d bytes at offset %d, not the file's" %
                        (len(payload), off))
            resent += off in data
            data[off] = max(data.get(off, 0), len(payload))
    fe.tx(seg(0x04, isn + 1, 0), slot=3)
    got = covered(data)
    if got < 65535 - mss:
        pkt.die("%d bytes from the start in %d frames (%d resent), of %d" %
                (got, len(data), resent, len(want)))
    if nbufs * BUF_SIZE < 65535:
        if supers:
            pkt.die("%d super-frame(s) in %d buffers" % (supers, nbufs))
        return "tso4-small: %d bytes in %d segments (%d resent), " \
            "%d buffers" % (got, len(data), resent, nbufs)
    if not supers:
        pkt.die("no super-frame in %d frames" % len(data))
    return "tso4: %d bytes, %d super-frame(s) of %d-byte segments, " \
        "%d resent" % (got, supers, mss, resent)


def check_tso4_small(fe, a):
    """GUEST_TSO4/6 with 16 receive buffers, 32 KiB: segments"""
    return check_tso4(fe, a, 16)


def check_uso4(fe, a):
    """GUEST_USO4/6: a train the host's echo server (--port, udp_peer.py
    echo_srv) sends in one call comes in one frame"""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import udp_peer  # pylint: disable=import-outside-toplevel
    seg_len, n, seed, sport = 1000, 8, 4242, 40124
    fe.setup(F_SESSION | F_GUEST_CSUM | F_GUEST_USO4 | F_GUEST_USO6)
    gw = gw_mac(fe)
    ask = b"train? %d %d %d" % (seg_len, n, seed)
    fe.tx(pkt.eth(gw, pkt.GUEST_MAC, pkt.ETH_P_IP, pkt.ipv4(
        pkt.GUEST4, pkt.GW4, 17,
        pkt.udp4(pkt.GUEST4, pkt.GW4, sport, a.port, ask))), slot=1)

    def ours(_vh, f):
        return (f[12:14] == b"\x08\x00" and f[23] == 17 and
                struct.unpack_from("!H", f, 36)[0] == sport)
    r = fe.rx_wait(ours, hdr=True)
    if not r:
        pkt.die("no answer to the train's request")
    vh, f = r
    flags, typ, _hl, size, _cs, _co = vnet_hdr(vh)
    want = b"".join(udp_peer.train_segs(seg_len, n, seed))
    if typ != GSO_UDP_L4 or size != seg_len or not flags & 1:
        pkt.die("frame of %d bytes: gso_type %d, gso_size %d, flags %d" %
                (len(f), typ, size, flags))
    if f[42:] != want:
        pkt.die("train of %d bytes, not the %d sent" % (len(f) - 42,
                                                        len(want)))
    return "uso4: one frame, %d datagrams of %d bytes" % (n, seg_len)


# Upload: transmit buffers of 16 KiB segments, after the ARP ones
UP_SEG = 16384
UP_SLOTS = 24
UP_DESC0 = 8			# first descriptor of the upload's buffers
UP_DESC_SPLIT = UP_DESC0 + UP_SLOTS	# second ones, of split frames
UP_OFF = 0x280000		# in guest memory, UP_SLOTS of UP_BUF each
UP_BUF = 0x5000
WSCALE = 7


class SlowServer(threading.Thread):
    """A host server that waits before it reads, with a small receive
    buffer: what it doesn't take waits in passt's socket, zero-copy sends
    pinning guest memory meanwhile; the hash of all it got"""

    def __init__(self, port, delay):
        super().__init__(daemon=True)
        self.ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(1)
        self.ls.settimeout(30)
        self.delay, self.hash, self.got = delay, None, 0
        self.reading_at = None

    def run(self):
        c, _ = self.ls.accept()
        c.settimeout(30)
        time.sleep(self.delay)
        self.reading_at = time.monotonic()
        h = hashlib.sha256()
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            h.update(b)
            self.got += len(b)
        self.hash = h.hexdigest()
        c.close()
        self.ls.close()


def tcp_opts(seg):
    """Options of a TCP header (bytes after the fixed 20)"""
    doff = seg[12] >> 4
    return seg[20:doff * 4]


def wscale_of(opts):
    """The window scale option's shift, 0 if none"""
    i = 0
    while i < len(opts):
        if opts[i] == 0:
            break
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if opts[i] == 3 and opts[i + 1] == 3:
            return opts[i + 2]
        i += opts[i + 1]
    return 0


class Uploader:
    """A small TCP sender on the transmit queue: window from passt's ACKs,
    go-back-N when they say something was dropped"""

    def __init__(self, fe, a, data, overwrite, split=False):
        self.fe, self.a, self.data, self.overwrite = fe, a, data, overwrite
        self.split = split
        self.sport, self.isn = 40125, 7000
        self.una = self.nxt = 0			# offsets into data
        self.wnd, self.shift, self.srv = 65535, 0, 0
        self.free = list(range(UP_SLOTS))
        self.out = {}				# descriptor -> offered at
        self.returned = []			# (offered at, returned at)
        self.dups, self.last_ack, self.progress = 0, -1, time.monotonic()
        self.gw = None

    def seg(self, flags, off, data=b"", opts=b""):
        return pkt.eth(self.gw, pkt.GUEST_MAC, pkt.ETH_P_IP, pkt.ipv4(
            pkt.GUEST4, pkt.GW4, 6, pkt.tcp_seg(
                pkt.GUEST4, pkt.GW4, self.sport, self.a.port, flags,
                (self.isn + 1 + off) & 0xffffffff,
                self.srv, opts, data)))

    def ours(self, f):
        return (f[12:14] == b"\x08\x00" and f[23] == 6 and
                struct.unpack_from("!H", f, 36)[0] == self.sport)

    def handshake(self):
        fe = self.fe
        self.gw = gw_mac(fe)
        fe.refill = True
        opts = struct.pack("!BBH", 2, 4, 1460) + bytes([1, 3, 3, WSCALE])
        fe.tx(pkt.eth(self.gw, pkt.GUEST_MAC, pkt.ETH_P_IP, pkt.ipv4(
            pkt.GUEST4, pkt.GW4, 6, pkt.tcp_seg(
                pkt.GUEST4, pkt.GW4, self.sport, self.a.port, 0x02,
                self.isn, 0, opts))), slot=1)
        r = fe.rx_wait(self.ours)
        if not r or r[47] & 0x12 != 0x12:
            pkt.die("upload: no SYN-ACK")
        tcp = r[34:]
        self.srv = (struct.unpack_from("!I", tcp, 4)[0] + 1) & 0xffffffff
        self.shift = wscale_of(tcp_opts(tcp))
        self.wnd = struct.unpack_from("!H", tcp, 14)[0]
        fe.tx(self.seg(0x10, 0), slot=2)

    def take_acks(self):
        for f in self.fe.rx_frames():
            if not self.ours(f):
                continue
            tcp = f[34:]
            if tcp[13] & 0x04:
                pkt.die("upload: reset by passt at %d of %d" %
                        (self.una, len(self.data)))
            if not tcp[13] & 0x10:
                continue
            ack = (struct.unpack_from("!I", tcp, 8)[0] - self.isn - 1) \
                & 0xffffffff
            self.wnd = struct.unpack_from("!H", tcp, 14)[0] << self.shift
            if ack > len(self.data) + 1:
                continue
            if ack > self.una:
                self.una, self.dups = ack, 0
                self.progress = time.monotonic()
            elif ack == self.last_ack and self.nxt > self.una:
                self.dups += 1
            self.last_ack = ack
        if self.dups >= 3 or (self.nxt > self.una and
                              time.monotonic() - self.progress > 0.5):
            self.nxt = min(self.nxt, self.una)	# go back
            self.dups, self.progress = 0, time.monotonic()

    def take_used(self):
        now = time.monotonic()
        for head, _ in self.fe.used(1):
            if head not in self.out:
                continue
            slot = head - UP_DESC0
            if self.overwrite:
                off = UP_OFF + slot * UP_BUF
                self.fe.mem[off:off + UP_BUF] = b"\xa5" * UP_BUF
            self.returned.append((self.out.pop(head), now))
            self.free.append(slot)

    def send_more(self):
        sent = False
        while self.free and self.nxt < len(self.data):
            room = self.wnd - (self.nxt - self.una)
            # What the window takes, but no small pieces while some
            # are in flight (silly window syndrome, RFC 9293, 3.8.6.2.1)
            if room <= 0 or (room < 1024 and self.nxt > self.una):
                break
            slot = self.free.pop(0)
            chunk = self.data[self.nxt:self.nxt + min(UP_SEG, room)]
            frame = bytes(HDR_LEN) + self.seg(0x18, self.nxt, chunk)
            off = UP_OFF + slot * UP_BUF
            if self.split:
                # Headers in one buffer, the payload in another, as a
                # Linux guest sends its skbs' fragments
                cut = HDR_LEN + 14 + 20 + 20
                self.fe.mem[off:off + cut] = frame[:cut]
                self.fe.mem[off + 0x100:off + 0x100 + len(frame) - cut] = \
                    frame[cut:]
                self.fe.desc(1, UP_DESC0 + slot, GPA + off, cut,
                             DESC_F_NEXT, UP_DESC_SPLIT + slot)
                self.fe.desc(1, UP_DESC_SPLIT + slot, GPA + off + 0x100,
                             len(frame) - cut, 0)
            else:
                self.fe.mem[off:off + len(frame)] = frame
                self.fe.desc(1, UP_DESC0 + slot, GPA + off, len(frame), 0)
            self.out[UP_DESC0 + slot] = time.monotonic()
            self.fe.offer(1, UP_DESC0 + slot, kick=False)
            self.nxt += len(chunk)
            sent = True
        if sent:
            os.eventfd_write(self.fe.kick[1], 1)

    def run(self, deadline, abort_at=None):
        while self.una < len(self.data) or self.out:
            if abort_at and time.monotonic() > abort_at:
                return
            if time.monotonic() > deadline:
                pkt.die("upload: %d of %d bytes acknowledged, %d buffers "
                        "out, in time" % (self.una, len(self.data),
                                          len(self.out)))
            self.take_used()
            self.take_acks()
            self.send_more()
            select.select([self.fe.call[0], self.fe.call[1]], [], [], 0.01)
            for fd in self.fe.call:
                try:
                    os.eventfd_read(fd)
                except BlockingIOError:
                    pass
        self.fe.tx(self.seg(0x11, len(self.data)), slot=3)


def check_upload(fe, a, overwrite=False, split=False):
    """A TCP upload to a slow host server of ours, hashed by it"""
    if not a.port:
        pkt.die("upload: needs --port")
    data = os.urandom(a.size * 1024)
    srv = SlowServer(a.port, a.delay)
    srv.start()
    fe.setup()
    up = Uploader(fe, a, data, overwrite, split)
    up.handshake()
    up.run(time.monotonic() + 60)
    srv.join(30)
    if srv.hash is None:
        pkt.die("upload: the server got %d bytes, no end" % srv.got)
    if srv.hash != hashlib.sha256(data).hexdigest():
        pkt.die("upload: the server got %d bytes of %d, another SHA-256%s"
                % (srv.got, len(data),
                   " (buffers overwritten once returned)" if overwrite
                   else ""))
    held = sum(1 for t0, t1 in up.returned
               if t0 < srv.reading_at and t1 >= srv.reading_at)
    return "upload: %d bytes, SHA-256 matches, %d segments, held %d" % (
        len(data), len(up.returned), held)


def check_upload_abort(fe, a):
    """The upload, the frontend gone half-way while the server waits"""
    if not a.port:
        pkt.die("upload-abort: needs --port")
    srv = SlowServer(a.port, a.delay)
    srv.start()
    fe.setup()
    up = Uploader(fe, a, os.urandom(a.size * 1024), False)
    up.handshake()
    up.run(time.monotonic() + 60, time.monotonic() + a.delay / 2)
    return "upload-abort: gone with %d bytes acknowledged, %d buffers out" \
        % (up.una, len(up.out))


def check_upload_overwrite(fe, a):
    """The upload, each buffer overwritten as soon as it's returned"""
    return check_upload(fe, a, overwrite=True)


def check_upload_split_overwrite(fe, a):
    """The same, frames in two descriptors: headers, then payload"""
    return check_upload(fe, a, overwrite=True, split=True)


# Malformed messages and rings: name -> what to do after connecting
def bad_ring(fe, head_desc):
    """Set up, then put a malformed chain on the transmit queue"""
    fe.setup()
    fe.rx_post()
    for i, d in enumerate(head_desc):
        fe.desc(1, i, *d)
    fe.offer(1, 0)


BAD = {
    "bad-size": lambda fe: fe.send(GET_FEATURES, b"", size=4097),
    "bad-version": lambda fe: fe.send(GET_FEATURES, flags=0x2),
    "bad-reply-flag": lambda fe: fe.send(GET_FEATURES,
                                         flags=VERSION | REPLY),
    "bad-short": lambda fe: fe.send(SET_FEATURES, b"\0" * 4),
    "bad-cut": lambda fe: (fe.send(SET_FEATURES, b"\0" * 4, size=8),
                           fe.s.shutdown(socket.SHUT_WR)),
    "bad-features": lambda fe: fe.set_u64(SET_FEATURES, 1 << 63),
    "bad-queue-index": lambda fe: fe.state(SET_VRING_NUM, 5, 64),
    "bad-queue-size": lambda fe: fe.state(SET_VRING_NUM, 0, 100),
    "bad-mem-fds": lambda fe: fe.mem_table(nfds=0, ack=False),
    "bad-mem-beyond": lambda fe: fe.mem_table(size=MEM_SIZE * 2, ack=False),
    "bad-mem-wrap": lambda fe: fe.mem_table(offset=(1 << 64) - 4096,
                                            ack=False),
    "bad-ring-outside": lambda fe: (
        fe.set_u64(SET_FEATURES, F_VERSION_1), fe.mem_table(ack=False),
        fe.state(SET_VRING_NUM, 1, QSIZE),
        fe.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", 1, 0, UVA + MEM_SIZE,
                                            UVA, UVA, 0))),
    "bad-kick-nofd": lambda fe: fe.set_u64(SET_VRING_KICK, 0x100),
    "bad-log-base": lambda fe: fe.set_u64(SET_LOG_BASE, 0, [fe.memfd]),
    "bad-unknown": lambda fe: fe.send(99),
    "bad-loop": lambda fe: bad_ring(fe, [(GPA + BUFS_OFF[1], 64,
                                          DESC_F_NEXT, 1),
                                         (GPA + BUFS_OFF[1], 64,
                                          DESC_F_NEXT, 0)]),
    "bad-out-of-region": lambda fe: bad_ring(fe, [(GPA + MEM_SIZE, 64, 0)]),
    "bad-oversized": lambda fe: bad_ring(fe, [(GPA + MEM_SIZE - 100, 4096,
                                               0)]),
    "bad-next": lambda fe: bad_ring(fe, [(GPA + BUFS_OFF[1], 64,
                                          DESC_F_NEXT, QSIZE)]),
    "bad-writable-tx": lambda fe: bad_ring(fe, [(GPA + BUFS_OFF[1], 64,
                                                 DESC_F_WRITE)]),
    "bad-indirect-len": lambda fe: bad_ring(fe, [(GPA + BUFS_OFF[1], 20,
                                                  DESC_F_INDIRECT)]),
}


def check_bad(fe, a, name):
    """A malformed message or ring: the connection must be closed"""
    try:
        BAD[name](fe)
    except Closed:
        return "%s: closed" % name
    except socket.timeout:
        pkt.die("%s: no reply within %d s" % (name, a.timeout))
    except OSError as e:
        return "%s: closed (%s)" % (name, e.strerror)
    if not fe.closed_by_peer():
        pkt.die("%s: connection still open after %d s" % (name, a.timeout))
    return "%s: closed" % name


def fd_count(pid):
    """Number of open descriptors of a process"""
    return len(os.listdir("/proc/%d/fd" % pid))


def check_fds(fe, a):
    """Descriptors sent with messages that don't take them are closed"""
    if not a.pid:
        pkt.die("fds: needs --pid")
    fe.get_u64(GET_FEATURES)
    before = fd_count(a.pid)
    extra = [os.memfd_create("extra", 0) for _ in range(4)]
    for _ in range(50):
        fe.send(GET_FEATURES, fds=extra)
        fe.reply(GET_FEATURES)
        fe.send(SET_OWNER, fds=extra[:1])
    fe.get_u64(GET_FEATURES)
    after = fd_count(a.pid)
    for fd in extra:
        os.close(fd)
    if after > before:
        pkt.die("fds: passt had %d descriptors, now %d" % (before, after))
    # Call descriptors replaced many times: the old ones are closed too
    for _ in range(20):
        fe.set_u64(SET_VRING_CALL, 0, [fe.call[0]])
    fe.get_u64(GET_FEATURES)
    if fd_count(a.pid) > before + 1:
        pkt.die("fds: %d after replacing the call descriptor, %d before" %
                (fd_count(a.pid), before))
    return "fds: %d open before, %d after" % (before, after)


CHECKS = {"session": check_session, "unknown-acked": check_unknown_acked,
          "arp": check_arp, "ping4": check_ping4,
          "ping4-big": check_ping4_big, "short-chain": check_short_chain,
          "fds": check_fds, "tso4": check_tso4, "tso4-small": check_tso4_small,
          "uso4": check_uso4, "upload": check_upload,
          "upload-overwrite": check_upload_overwrite,
          "upload-abort": check_upload_abort,
          "upload-split-overwrite": check_upload_split_overwrite}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=3)
    p.add_argument("--pid", type=int)
    p.add_argument("--port", type=int, help="host server's port")
    p.add_argument("--data", help="what the host server sends")
    p.add_argument("--size", type=int, default=2048,
                   help="upload: KiB to send")
    p.add_argument("--delay", type=float, default=1,
                   help="upload: seconds the server waits to read")
    p.add_argument("socket")
    p.add_argument("checks", nargs="+")
    a = p.parse_args()
    for name in a.checks:
        if name not in CHECKS and name not in BAD:
            pkt.die("no check %s" % name)
        fe = Frontend(a.socket, a.timeout)
        try:
            if name in BAD:
                print(check_bad(fe, a, name))
            else:
                print(CHECKS[name](fe, a))
        except Closed:
            pkt.die("%s: passt closed the connection" % name)
        finally:
            fe.close()


if __name__ == "__main__":
    main()
