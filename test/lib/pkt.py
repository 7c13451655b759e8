#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pkt.py - frames for the end-to-end tests: build, inject, check replies

Subcommands (every wait is bounded by --timeout, default 3 s):

  send IFACE KIND...        write crafted frames on IFACE (AF_PACKET),
                            run inside the namespace that holds the tap
  arp IFACE TARGET          ARP request for TARGET, print the reply's MAC
  ns IFACE TARGET           NDP neighbour solicitation, expect an advert
                            (--hlim: IPv6 hop limit, --none: expect none)
  rs IFACE                  NDP router solicitation, expect an advert to
                            --source, print its source (--hlim, --none)
  dhcp6 IFACE               DHCPv6 Solicit from a UDP socket, print the
                            source address of the Advertise
  pingid ADDR ID            echo through a ping socket bound to ID, check
                            the reply carries ID (kernel sockets, no raw)
  holdid ADDR ID SECONDS    hold a ping socket bound to ID, print "ready"
  bindid ADDR ID            can a ping socket be bound to ID now?
  passt SOCK CHECK...       speak QEMU's stream framing (4-byte big-endian
                            length, then the frame) to passt on SOCK:
                            arp, ping4, ping6, badlen, hold
  kinds                     list frame KINDs

Exit status 0 if every step did what it should, 1 with a reason on
stderr otherwise.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
BCAST = b"\xff" * 6

GUEST_MAC = bytes.fromhex("0a0b0c0d0e0f")
GUEST4 = "198.51.100.2"
GW4 = "198.51.100.1"
GUEST6 = "2001:db8::2"
GW6 = "2001:db8::1"


def die(msg):
    """Print a reason and exit 1"""
    print(msg, file=sys.stderr)
    sys.exit(1)


def csum(data):
    """Internet checksum (RFC 1071)"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def a4(s):
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ihl=5, tot_len=None, frag=0, ttl=64):
    opts = b"\0" * (max(ihl, 5) * 4 - 20)
    tl = tot_len if tot_len is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), 0, tl, 0x1234,
                    frag, ttl, proto, 0, a4(src), a4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, plen=None, hlim=64):
    pl = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", 0x60000000, pl, nh, hlim, a6(src),
                       a6(dst)) + payload


def icmp4_echo(ident, seq, data, typ=8):
    h = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def l4_csum6(src, dst, proto, body):
    pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", len(body), proto)
    return csum(pseudo + body)


def icmp6(src, dst, typ, code, rest):
    body = struct.pack("!BBH", typ, code, 0) + rest
    c = l4_csum6(src, dst, 58, body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def udp4(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = a4(src) + a4(dst) + struct.pack("!xBH", 17, len(h))
    c = csum(pseudo + h) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + h[8:]


def arp_body(op, sha, sip, tha, tip, hln=6, pln=4, hrd=1, pro=ETH_P_IP):
    return struct.pack("!HHBBH", hrd, pro, hln, pln, op) + sha + a4(sip) + \
        tha + a4(tip)


def dhcp_msg(mac, opts, cookie=0x63825363):
    h = struct.pack("!BBBBIHHIIII", 1, 1, 6, 0, 0x5eed, 0, 0x8000, 0, 0, 0,
                    0)
    h += mac + b"\0" * 10 + b"\0" * 64 + b"\0" * 128
    h += struct.pack("!I", cookie)
    return h + opts


def solicited_node(addr):
    b = a6(addr)
    return socket.inet_ntop(socket.AF_INET6,
                            a6("ff02::1:ff00:0")[:13] + b[13:])


def mcast_mac6(addr):
    return b"\x33\x33" + a6(addr)[12:]


def frame_kinds(src_mac, dst_mac):
    """Named crafted frames: KIND -> (frame, what it tests)"""
    g4, h4, g6, h6 = GUEST4, GW4, GUEST6, GW6
    ll = "fe80::8:8"
    k = {}
    k["ipv4-truncated"] = (eth(dst_mac, src_mac, ETH_P_IP,
                               ipv4(g4, h4, 1, b"")[:12]),
                           "IPv4 header cut at 12 bytes")
    k["ipv4-totlen"] = (eth(dst_mac, src_mac, ETH_P_IP,
                            ipv4(g4, h4, 1, icmp4_echo(7, 1, b"x" * 8),
                                 tot_len=1400)),
                        "IPv4 total length beyond the frame")
    k["ipv4-ihl"] = (eth(dst_mac, src_mac, ETH_P_IP,
                         ipv4(g4, h4, 1, icmp4_echo(7, 1, b"x" * 8), ihl=3)),
                     "IPv4 IHL 3")
    k["ipv4-ihl-long"] = (eth(dst_mac, src_mac, ETH_P_IP,
                              ipv4(g4, h4, 1, b"", ihl=15, tot_len=24) +
                              b"\0" * 40),
                          "IPv4 IHL 15 beyond total length")
    k["ipv4-version"] = (eth(dst_mac, src_mac, ETH_P_IP,
                             bytes([0x55]) +
                             ipv4(g4, h4, 1, icmp4_echo(7, 1, b"x"))[1:]),
                         "IPv4 ethertype with version 5")
    k["ipv4-fragment"] = (eth(dst_mac, src_mac, ETH_P_IP,
                              ipv4(g4, h4, 17, udp4(g4, h4, 1, 9, b"x" * 8),
                                   frag=0x2000)),
                          "IPv4 first fragment (MF)")
    k["ethertype"] = (eth(dst_mac, src_mac, 0x88B5, b"\0" * 46),
                      "unknown ethertype 0x88b5")
    k["ethertype-vlan"] = (eth(dst_mac, src_mac, 0x8100,
                               b"\0\x01\x08\x00" + b"\0" * 42),
                           "802.1Q tagged frame")
    # A chain of 20 empty destination options headers, then nothing
    chain = b"".join(struct.pack("!BB6x", 60, 0) for _ in range(20))
    k["ipv6-ext-chain"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                               ipv6(g6, h6, 60, chain)),
                           "IPv6 with 20 extension headers")
    k["ipv6-ext-truncated"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                                   ipv6(g6, h6, 0,
                                        struct.pack("!BB6x", 60, 30))),
                               "IPv6 hop-by-hop header claiming 248 bytes")
    k["ipv6-ext-cut"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                             ipv6(g6, h6, 60, b"\x3a")),
                         "IPv6 extension header cut after one byte")
    k["ipv6-fragment"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                              ipv6(g6, h6, 44,
                                   struct.pack("!BBHI", 58, 0, 1, 0xabc) +
                                   icmp6(g6, h6, 128, 0, b"\0\1\0\1"))),
                          "IPv6 fragment header")
    k["ipv6-plen"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                          ipv6(g6, h6, 58, icmp6(g6, h6, 128, 0, b"\0\1\0\1"),
                               plen=2000)),
                      "IPv6 payload length beyond the frame")
    k["ipv6-truncated"] = (eth(dst_mac, src_mac, ETH_P_IPV6,
                               ipv6(g6, h6, 58, b"")[:20]),
                           "IPv6 header cut at 20 bytes")
    k["arp-malformed"] = (eth(BCAST, src_mac, ETH_P_ARP,
                              arp_body(1, src_mac, g4, b"\0" * 6, h4,
                                       hln=8)),
                          "ARP with hardware length 8")
    k["arp-short"] = (eth(BCAST, src_mac, ETH_P_ARP,
                          arp_body(1, src_mac, g4, b"\0" * 6, h4)[:10]),
                      "ARP cut at 10 bytes")
    # DHCP: option 12 claims 200 bytes, the message ends after 4
    bad = b"\x35\x01\x01" + b"\x0c\xc8abcd"
    k["dhcp-optlen"] = (eth(BCAST, src_mac, ETH_P_IP,
                            ipv4("0.0.0.0", "255.255.255.255", 17,
                                 udp4("0.0.0.0", "255.255.255.255", 68, 67,
                                      dhcp_msg(src_mac, bad)))),
                        "DHCP option length beyond the message")
    k["dhcp-udplen"] = (eth(BCAST, src_mac, ETH_P_IP,
                            ipv4("0.0.0.0", "255.255.255.255", 17,
                                 struct.pack("!HHHH", 68, 67, 3, 0) +
                                 b"\0" * 20)),
                        "UDP length 3 on the DHCP port")
    k["dhcp-cookie"] = (eth(BCAST, src_mac, ETH_P_IP,
                            ipv4("0.0.0.0", "255.255.255.255", 17,
                                 udp4("0.0.0.0", "255.255.255.255", 68, 67,
                                      dhcp_msg(src_mac, b"\x35\x01\x01\xff",
                                               cookie=0x12345678)))),
                        "DHCP without magic cookie")
    # NDP NS for the gateway with a zero-length option: RFC 4861 discards
    ns_body = struct.pack("!I16s", 0, a6(h6)) + b"\x01\x00" + b"\0" * 6
    dst = solicited_node(h6)
    k["ndp-zero-opt"] = (eth(mcast_mac6(dst), src_mac, ETH_P_IPV6,
                             ipv6(ll, dst, 58, icmp6(ll, dst, 135, 0,
                                                     ns_body[0:]),
                                  hlim=255)),
                         "NDP NS with a zero-length option")
    ns_body = struct.pack("!I16s", 0, a6(h6)) + b"\x01\x04" + b"\0" * 6
    k["ndp-opt-overrun"] = (eth(mcast_mac6(dst), src_mac, ETH_P_IPV6,
                                ipv6(ll, dst, 58, icmp6(ll, dst, 135, 0,
                                                        ns_body),
                                     hlim=255)),
                            "NDP NS option longer than the message")
    k["ndp-code"] = (eth(mcast_mac6(dst), src_mac, ETH_P_IPV6,
                         ipv6(ll, dst, 58,
                              icmp6(ll, dst, 135, 1,
                                    struct.pack("!I16s", 0, a6(h6))),
                              hlim=255)),
                     "NDP NS with code 1")
    return k


def raw_sock(iface):
    """AF_PACKET socket on iface, and the interface's MAC address

    The MAC comes from the bound socket's address, not /sys, which shows
    another namespace's devices under nsenter -n.
    """
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    return s, s.getsockname()[4][:6]


def recv_match(s, timeout, match):
    """Receive frames until match(frame) is true, or time out"""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None
        data, addr = s.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if match(data):
            return data


def cmd_send(a):
    s, mac = raw_sock(a.iface)
    kinds = frame_kinds(mac, BCAST)
    for k in a.kinds:
        if k not in kinds:
            die("unknown kind %s" % k)
        s.send(kinds[k][0])


def cmd_kinds(_a):
    for k, v in frame_kinds(GUEST_MAC, BCAST).items():
        print("%-20s %s" % (k, v[1]))


def cmd_arp(a):
    s, mac = raw_sock(a.iface)
    sip = a.source or GUEST4
    s.send(eth(BCAST, mac, ETH_P_ARP,
               arp_body(1, mac, sip, b"\0" * 6, a.target)))

    def is_reply(f):
        return (len(f) >= 42 and f[12:14] == b"\x08\x06" and
                f[20:22] == b"\0\x02" and f[28:32] == a4(a.target) and
                f[0:6] == mac)
    r = recv_match(s, a.timeout, is_reply)
    if not r:
        die("no ARP reply for %s" % a.target)
    print(r[22:28].hex(":"))


def ntop6(b):
    return socket.inet_ntop(socket.AF_INET6, b)


def cmd_ns(a):
    s, mac = raw_sock(a.iface)
    src = a.source
    dst = solicited_node(a.target)
    body = struct.pack("!I16s", 0, a6(a.target)) + b"\x01\x01" + mac
    s.send(eth(mcast_mac6(dst), mac, ETH_P_IPV6,
               ipv6(src, dst, 58, icmp6(src, dst, 135, 0, body),
                    hlim=a.hlim)))

    # The answer to a unicast source is for that source alone: no other
    # solicitation on the link gets one to our made-up source address
    def is_na(f):
        return (len(f) >= 14 + 40 + 24 and f[12:14] == b"\x86\xdd" and
                f[20] == 58 and f[38:54] == a6(src) and f[54] == 136 and
                f[62:78] == a6(a.target))
    r = recv_match(s, a.timeout, is_na)
    if a.none:
        if r:
            die("neighbour advertisement for %s, expected none" % a.target)
        print("no na in %g s" % a.timeout)
    elif not r:
        die("no neighbour advertisement for %s" % a.target)
    else:
        print("na from %s" % r[6:12].hex(":"))


def cmd_rs(a):
    s, mac = raw_sock(a.iface)
    src = a.source
    dst = "ff02::2"
    body = b"\0" * 4 + b"\x01\x01" + mac
    s.send(eth(mcast_mac6(dst), mac, ETH_P_IPV6,
               ipv6(src, dst, 58, icmp6(src, dst, 133, 0, body),
                    hlim=a.hlim)))

    def is_ra(f):
        return (len(f) >= 14 + 40 + 16 and f[12:14] == b"\x86\xdd" and
                f[20] == 58 and f[38:54] == a6(src) and f[54] == 134)
    r = recv_match(s, a.timeout, is_ra)
    if a.none:
        if r:
            die("router advertisement to %s, expected none" % src)
        print("no ra in %g s" % a.timeout)
    elif not r:
        die("no router advertisement to %s" % src)
    else:
        print("ra from %s hlim %d" % (ntop6(r[22:38]), r[21]))


def cmd_dhcp6(a):
    ifi = socket.if_nametoindex(a.iface)
    xid = os.urandom(3)
    r, mac = raw_sock(a.iface)
    r.close()
    duid = struct.pack("!HH", 3, 1) + mac
    msg = b"\x01" + xid
    msg += struct.pack("!HH", 1, len(duid)) + duid          # Client ID
    msg += struct.pack("!HHIII", 3, 12, 0x1234, 0, 0)       # IA_NA
    msg += struct.pack("!HHH", 8, 2, 0)                     # Elapsed Time
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                 a.iface.encode())
    s.bind(("::", 546))
    s.sendto(msg, ("ff02::1:2", 547, 0, ifi))
    end = time.monotonic() + a.timeout
    while True:
        left = end - time.monotonic()
        r, _, _ = select.select([s], [], [], max(left, 0))
        if not r:
            die("no DHCPv6 answer in %g s" % a.timeout)
        data, addr = s.recvfrom(65536)
        if len(data) >= 4 and data[1:4] == xid:
            break
    print("type %d from %s port %d" % (data[0], addr[0].split("%")[0],
                                       addr[1]))


def ping_sock(addr, ident, reuse=True):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 else \
        socket.IPPROTO_ICMP
    s = socket.socket(fam, socket.SOCK_DGRAM, proto)
    if not reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
    s.bind(("::" if fam == socket.AF_INET6 else "", ident))
    return s, fam


def cmd_pingid(a):
    s, fam = ping_sock(a.addr, a.id)
    typ, rtyp = (128, 129) if fam == socket.AF_INET6 else (8, 0)
    data = os.urandom(24)
    for seq in range(1, 4):
        s.sendto(struct.pack("!BBHHH", typ, 0, 0, a.id, seq) + data,
                 (a.addr, 0))
        end = time.monotonic() + a.timeout / 3
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], end - time.monotonic())
            if not r:
                break
            rep = s.recv(65536)
            t, _, _, rid, rseq = struct.unpack("!BBHHH", rep[:8])
            if t == rtyp and rseq == seq and rep[8:] == data:
                if rid != a.id:
                    die("reply identifier %d, sent %d" % (rid, a.id))
                print("reply seq %d id %d" % (rseq, rid))
                return
    die("no echo reply from %s with identifier %d" % (a.addr, a.id))


def cmd_holdid(a):
    try:
        # Ping sockets are created with SO_REUSEADDR set, and two such
        # sockets may share an identifier: clear it to hold ours alone
        s, _ = ping_sock(a.addr, a.id, reuse=False)
    except OSError as e:
        die("bind ping socket to %d: %s" % (a.id, e))
    print("ready", flush=True)
    time.sleep(a.seconds)
    s.close()


def cmd_bindid(a):
    try:
        ping_sock(a.addr, a.id)
    except OSError as e:
        die("bind ping socket to %d: %s" % (a.id, e))


def stream_send(s, frame):
    s.sendall(struct.pack("!I", len(frame)) + frame)


def stream_recv(s, timeout, match):
    """Read framed frames until match(frame), or time out; None on EOF"""
    end = time.monotonic() + timeout
    buf = b""
    while True:
        while len(buf) >= 4:
            n = struct.unpack("!I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            f, buf = buf[4:4 + n], buf[4 + n:]
            if match(f):
                return f
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        d = s.recv(65536)
        if not d:
            return None
        buf += d


def passt_arp(s, a):
    stream_send(s, eth(BCAST, GUEST_MAC, ETH_P_ARP,
                       arp_body(1, GUEST_MAC, GUEST4, b"\0" * 6, GW4)))

    def ok(f):
        return (f[12:14] == b"\x08\x06" and f[20:22] == b"\0\x02" and
                f[28:32] == a4(GW4))
    r = stream_recv(s, a.timeout, ok)
    if not r:
        die("arp: no ARP reply for %s (%s)" % (GW4, "EOF" if r is None
                                                  else "timeout"))
    if r[0:6] != GUEST_MAC or r[32:38] != GUEST_MAC or \
            r[38:42] != a4(GUEST4) or r[6:12] != r[22:28]:
        die("arp: reply addressed wrongly: %s" % r[:42].hex())
    print("arp: %s is at %s" % (GW4, r[22:28].hex(":")))
    return r[22:28]


def passt_ping4(s, a, gw_mac):
    ident, seq, data = 0x4242, 7, os.urandom(32)
    stream_send(s, eth(gw_mac, GUEST_MAC, ETH_P_IP,
                       ipv4(GUEST4, GW4, 1, icmp4_echo(ident, seq, data))))

    def ok(f):
        return (f[12:14] == b"\x08\x00" and len(f) >= 42 and f[23] == 1 and
                f[34] == 0)
    r = stream_recv(s, a.timeout, ok)
    if not r:
        die("ping4: no echo reply")
    ip = r[14:]
    ihl = (ip[0] & 0xF) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    if csum(ip[:ihl]):
        die("ping4: bad IPv4 header checksum")
    icmp = ip[ihl:tot]
    if csum(icmp):
        die("ping4: bad ICMP checksum")
    t, c, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
    if ip[12:16] != a4(GW4) or ip[16:20] != a4(GUEST4):
        die("ping4: reply from %s to %s" % (socket.inet_ntoa(ip[12:16]),
                                            socket.inet_ntoa(ip[16:20])))
    if (rid, rseq, icmp[8:]) != (ident, seq, data):
        die("ping4: reply id %d seq %d, sent id %d seq %d, data %s" %
            (rid, rseq, ident, seq, "same" if icmp[8:] == data else "differs"))
    if r[0:6] != GUEST_MAC:
        die("ping4: reply to MAC %s" % r[0:6].hex(":"))
    print("ping4: reply id %d seq %d, checksums good" % (rid, rseq))


def passt_ping6(s, a, gw_mac):
    ident, seq, data = 0x4343, 9, os.urandom(32)
    stream_send(s, eth(gw_mac, GUEST_MAC, ETH_P_IPV6,
                       ipv6(GUEST6, GW6, 58,
                            icmp6(GUEST6, GW6, 128, 0,
                                  struct.pack("!HH", ident, seq) + data))))

    def ok(f):
        return (f[12:14] == b"\x86\xdd" and len(f) >= 62 and f[20] == 58 and
                f[54] == 129)
    r = stream_recv(s, a.timeout, ok)
    if not r:
        die("ping6: no echo reply")
    ip = r[14:]
    plen = struct.unpack("!H", ip[4:6])[0]
    body = ip[40:40 + plen]
    src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
    dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
    if l4_csum6(src, dst, 58, body):
        die("ping6: bad ICMPv6 checksum")
    rid, rseq = struct.unpack("!HH", body[4:8])
    if (src, dst) != (GW6, GUEST6) or (rid, rseq, body[8:]) != \
            (ident, seq, data):
        die("ping6: reply %s -> %s id %d seq %d" % (src, dst, rid, rseq))
    print("ping6: reply id %d seq %d, checksum good" % (rid, rseq))


def passt_badlen(s, a):
    s.sendall(struct.pack("!I", 0xFFFFFF00) + b"\0" * 64)
    r = stream_recv(s, a.timeout, lambda f: False)
    if r is not None:
        die("badlen: connection still open after a bad length")
    print("badlen: connection closed")


def cmd_passt(a):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect(a.sock)
    except OSError as e:
        die("connect %s: %s" % (a.sock, e))
    s.settimeout(None)
    gw_mac = BCAST
    for c in a.checks:
        if c == "arp":
            gw_mac = passt_arp(s, a)
        elif c == "ping4":
            passt_ping4(s, a, gw_mac)
        elif c == "ping6":
            passt_ping6(s, a, gw_mac)
        elif c == "badlen":
            passt_badlen(s, a)
        elif c == "hold":
            time.sleep(a.timeout)
        else:
            die("unknown check %s" % c)
    s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=3.0)
    sub = p.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("send")
    x.add_argument("iface")
    x.add_argument("kinds", nargs="+")
    x.set_defaults(fn=cmd_send)
    x = sub.add_parser("kinds")
    x.set_defaults(fn=cmd_kinds)
    x = sub.add_parser("arp")
    x.add_argument("iface")
    x.add_argument("target")
    x.add_argument("--source")
    x.set_defaults(fn=cmd_arp)
    x = sub.add_parser("ns")
    x.add_argument("iface")
    x.add_argument("target")
    x.add_argument("--source", default="fe80::8:8")
    x.add_argument("--hlim", type=int, default=255)
    x.add_argument("--none", action="store_true")
    x.set_defaults(fn=cmd_ns)
    x = sub.add_parser("rs")
    x.add_argument("iface")
    x.add_argument("--source", default="fe80::8:8")
    x.add_argument("--hlim", type=int, default=255)
    x.add_argument("--none", action="store_true")
    x.set_defaults(fn=cmd_rs)
    x = sub.add_parser("dhcp6")
    x.add_argument("iface")
    x.set_defaults(fn=cmd_dhcp6)
    x = sub.add_parser("pingid")
    x.add_argument("addr")
    x.add_argument("id", type=int)
    x.set_defaults(fn=cmd_pingid)
    x = sub.add_parser("holdid")
    x.add_argument("addr")
    x.add_argument("id", type=int)
    x.add_argument("seconds", type=float)
    x.set_defaults(fn=cmd_holdid)
    x = sub.add_parser("bindid")
    x.add_argument("addr")
    x.add_argument("id", type=int)
    x.set_defaults(fn=cmd_bindid)
    x = sub.add_parser("passt")
    x.add_argument("sock")
    x.add_argument("checks", nargs="+")
    x.set_defaults(fn=cmd_passt)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
