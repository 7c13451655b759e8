#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pkt.py - frames for the end-to-end tests: build, inject, check replies

Subcommands (every wait is bounded by --timeout, default 3 s):

  send IFACE KIND...        write crafted frames on IFACE (AF_PACKET),
                            run inside the namespace that holds the tap
                            (--gw-mac: our MAC, for the kinds that forge
                            it; asked for with ARP if not given). With
                            --rounds N: up to N rounds of every KIND, each
                            followed by --syns SYNs from forged ports to
                            GW4 port --syn-to (repeatable), "round R"
                            printed after each, --round-gap-ms between
                            them; no new round once --stop
                            FILE exists or --seconds have passed; then
                            "rounds R syns S"
  synflood IFACE DST PORT N SYNs from N forged source ports of the
                            guest's address to DST PORT, in bursts
                            (--burst, --gap-ms); prints "sent N"
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
                            arp, ping4, ping6, badlen (--len), edgelen,
                            hold, kinds (every frame KIND, --rounds
                            times), synflood (--syns SYNs, from forged
                            ports, to GW4 port --port), closed (wait for
                            passt to close the connection).
                            --framing gvproxy: gvisor-tap-vsock's, a
                            2-byte little-endian length, after an HTTP
                            request (--request: its first line, "" for
                            none), sent --request-split bytes at a time
                            with pauses, its last piece and the first
                            frame in one write
  kinds                     list frame KINDs: name, the counter that
                            counts its drop ("-": not dropped), what it is

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


def l4_csum4(src, dst, proto, body):
    pseudo = a4(src) + a4(dst) + struct.pack("!xBH", proto, len(body))
    return csum(pseudo + body)


def l4_csum(src, dst, proto, body):
    """L4 checksum over the pseudo-header of either family"""
    if ":" in src:
        return l4_csum6(src, dst, proto, body)
    return l4_csum4(src, dst, proto, body)


def tcp_seg(src, dst, sport, dport, flags, seq=1, ack=0, opts=b"",
            data=b"", doff=None, bad_csum=False):
    """TCP segment, checksum over the pseudo-header of either family; a
    doff that lies covers only what is there"""
    d = doff if doff is not None else (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (d & 0xF) << 4,
                    flags, 65535, 0, 0) + opts + data
    c = l4_csum(src, dst, 6, h) ^ (0x5a5a if bad_csum else 0)
    return h[:16] + struct.pack("!H", c) + h[18:]


def udp_any(src, dst, sport, dport, data, ulen=None, check=None):
    """UDP datagram of either family: a UDP length that may lie, a
    checksum given as is, or computed (for the given length)"""
    ul = ulen if ulen is not None else 8 + len(data)
    h = struct.pack("!HHHH", sport, dport, ul & 0xFFFF, 0) + data
    if check is None:
        check = l4_csum(src, dst, 17, h) or 0xFFFF
    return h[:6] + struct.pack("!H", check) + h[8:]


def ip_any(src, dst, proto, payload):
    """IPv4 or IPv6 packet, by the source address"""
    if ":" in src:
        return ipv6(src, dst, proto, payload)
    return ipv4(src, dst, proto, payload)


def ext6(nh, body=b"", ah=False):
    """IPv6 extension header naming nh next, PadN-padded; AH counts in
    4-byte units less 2, the others in 8-byte units less 1"""
    unit = 4 if ah else 8
    n = -(-(2 + len(body)) // unit) * unit
    n = max(n, 8)
    pad = n - 2 - len(body)
    if pad == 1:
        opts = body + b"\0"
    elif pad:
        opts = body + bytes([1, pad - 2]) + b"\0" * (pad - 2)
    else:
        opts = body
    return struct.pack("!BB", nh, n // unit - (2 if ah else 1)) + opts


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


# Host port nothing listens on, for crafted L4 that may be let through
CLOSED_PORT = 9
# Largest IPv4/IPv6 packet on the tap (its MTU), and frame
TAP_MTU = 65520
TAP_FRAME = TAP_MTU + 14


def frame_kinds(src_mac, dst_mac, gw_mac=None):
    """Named crafted frames: KIND -> (frame, drop counter or "-", what it
    tests); gw_mac, our MAC, for the frames that forge it as source"""
    k = {}
    for name, (frame, what) in frame_kinds_old(src_mac, dst_mac).items():
        k[name] = (frame, OLD_COUNTERS[name], what)
    k.update(frame_kinds_more(src_mac, dst_mac, gw_mac or BCAST))
    return k


# The drop counter of each kind of frame_kinds_old()
OLD_COUNTERS = {
    "ipv4-truncated": "drop_short_frame",
    "ipv4-totlen": "drop_bad_ipv4",
    "ipv4-ihl": "drop_bad_ipv4",
    "ipv4-ihl-long": "drop_bad_ipv4",
    "ipv4-version": "drop_bad_ipv4",
    "ipv4-fragment": "drop_fragment",
    "ethertype": "drop_unknown_ethertype",
    "ethertype-vlan": "drop_unknown_ethertype",
    "ipv6-ext-chain": "drop_ipv6_ext_header",
    "ipv6-ext-truncated": "drop_ipv6_ext_header",
    "ipv6-ext-cut": "drop_ipv6_ext_header",
    "ipv6-fragment": "drop_fragment",
    "ipv6-plen": "drop_bad_ipv6",
    "ipv6-truncated": "drop_short_frame",
    "arp-malformed": "arp_dropped",
    "arp-short": "arp_dropped",
    "dhcp-optlen": "dhcp_dropped",
    "dhcp-udplen": "dhcp_dropped",
    "dhcp-cookie": "dhcp_dropped",
    "ndp-zero-opt": "ndp_dropped",
    "ndp-opt-overrun": "ndp_dropped",
    "ndp-code": "ndp_dropped",
}


def frame_kinds_more(src_mac, dst_mac, gw_mac):
    """More crafted frames, for hostile.sh: lengths that lie in every
    layer, bad checksums, IPv6 extension header chains, TCP options past
    the header, frames as large as the tap's MTU, forged source MACs"""
    g4, h4, g6, h6 = GUEST4, GW4, GUEST6, GW6
    cp = CLOSED_PORT
    ports = iter(range(40200, 40300))
    k = {}

    def e4(payload):
        return eth(dst_mac, src_mac, ETH_P_IP, payload)

    def e6(payload):
        return eth(dst_mac, src_mac, ETH_P_IPV6, payload)

    def put(name, frame, counter, what):
        k[name] = (frame, counter, what)

    # IPv4 header
    h = bytearray(ipv4(g4, h4, 1, icmp4_echo(7, 2, b"x" * 8)))
    h[10] ^= 0x5a
    put("ipv4-csum", e4(bytes(h)), "drop_bad_ipv4",
        "IPv4 header checksum wrong")
    put("ipv4-totlen-short", e4(ipv4(g4, h4, 1, icmp4_echo(7, 3, b"x" * 8),
                                     tot_len=12)),
        "drop_bad_ipv4", "IPv4 total length 12, below its header")
    put("ipv4-fragment-later",
        e4(ipv4(g4, h4, 17, b"y" * 16, frag=185)),
        "drop_fragment", "IPv4 fragment at offset 1480, the last one")
    put("ipv4-martian", e4(ipv4("127.0.0.1", h4, 17,
                                udp_any("127.0.0.1", h4, 4000, cp, b"m"))),
        "drop_martian_address", "IPv4 from 127.0.0.1")
    put("ipv4-proto", e4(ipv4(g4, h4, 250, b"\0" * 16)),
        "drop_unhandled_protocol", "IPv4 protocol 250")

    # IPv6 header and extension headers
    put("ipv6-v4mapped", e6(ipv6(g6, "::ffff:127.0.0.1", 17,
                                 udp_any(g6, "::ffff:127.0.0.1", 4000, cp,
                                         b"m"))),
        "drop_martian_address", "IPv6 to ::ffff:127.0.0.1")
    put("ipv6-no-next", e6(ipv6(g6, h6, 59, b"\0" * 8)),
        "drop_unhandled_protocol", "IPv6 with no next header (59)")
    udp6 = udp_any(g6, h6, 40100, cp, b"ext")
    chain = b"".join(ext6(60) for _ in range(11)) + ext6(17) + udp6
    put("ipv6-ext-loop", e6(ipv6(g6, h6, 60, chain)),
        "drop_ipv6_ext_header",
        "IPv6: 12 destination options headers, each naming the next, "
        "then UDP")
    # Nine headers of every kind we walk, then a real SYN: (this header,
    # the next one); routing is 43, AH 51 (in 4-byte units), destination
    # options 60, hop-by-hop 0 (first only)
    syn6 = tcp_seg(g6, h6, 40101, cp, 0x02)
    seq = [(0, 60), (60, 43), (43, 51), (51, 60), (60, 43), (43, 51),
           (51, 60), (60, 60), (60, 6)]
    chain = b""
    for this, nxt in seq:
        chain += ext6(nxt, b"\0" * 6 if this == 51 else b"",
                      ah=(this == 51))
    put("ipv6-ext-long", e6(ipv6(g6, h6, 0, chain + syn6)),
        "drop_ipv6_ext_header",
        "IPv6: 9 extension headers (hop-by-hop, routing, AH, "
        "destination options), then a SYN")
    put("ipv6-ext-hbh-late",
        e6(ipv6(g6, h6, 60, ext6(0) + ext6(17) + udp_any(g6, h6, 40102, cp,
                                                          b"late"))),
        "drop_ipv6_ext_header",
        "IPv6: hop-by-hop options after destination options, then UDP")
    put("ipv6-ext-ah-overrun",
        e6(ipv6(g6, h6, 51, struct.pack("!BB", 17, 255) + b"\0" * 30)),
        "drop_ipv6_ext_header", "IPv6 AH claiming 1028 bytes of 32")

    # TCP: headers and options that lie (to a closed port: nothing opens)
    # Each kind from a source port of its own: the TCP layer sees the
    # first segment of a tuple it doesn't know, and drops the rest with it
    for f, src, dst, ip in ((4, g4, h4, e4), (6, g6, h6, e6)):
        def seg(**kw):
            return tcp_seg(src, dst, next(ports), cp, **kw)

        put("tcp%d-short" % f, ip(ip_any(src, dst, 6, seg(flags=2)[:12])),
            "drop_bad_l4_header", "TCP header cut at 12 bytes")
        put("tcp%d-doff-long" % f,
            ip(ip_any(src, dst, 6, seg(flags=2, opts=b"\x01" * 4,
                                       doff=15))),
            "drop_bad_l4_header",
            "TCP data offset 60 bytes, segment 24 bytes")
        put("tcp%d-doff-short" % f,
            ip(ip_any(src, dst, 6, seg(flags=2, doff=3))),
            "drop_bad_l4_header", "TCP data offset 12 bytes")
        put("tcp%d-opt-overrun" % f,
            ip(ip_any(src, dst, 6, seg(flags=2, opts=b"\x02\x28\x05\xb4"))),
            "-", "SYN whose MSS option claims 40 bytes of a 4-byte room")
        put("tcp%d-opt-zero-len" % f,
            ip(ip_any(src, dst, 6, seg(flags=2,
                                       opts=b"\x08\x00" + b"\0" * 10))),
            "-", "SYN with a zero-length timestamp option")
        put("tcp%d-opt-nops" % f,
            ip(ip_any(src, dst, 6, seg(flags=2, opts=b"\x01" * 39 +
                                       b"\x03"))),
            "-", "SYN with 39 NOPs, then a window scale cut at its kind")
        put("tcp%d-csum" % f,
            ip(ip_any(src, dst, 6, seg(flags=2, bad_csum=True))),
            "drop_bad_l4_checksum", "SYN with a wrong checksum")
        put("tcp%d-stray-ack" % f,
            ip(ip_any(src, dst, 6, seg(flags=0x10, ack=12345,
                                       data=b"stray"))),
            "tcp_segments_dropped", "ACK with data, no connection")
        put("tcp%d-synfin" % f,
            ip(ip_any(src, dst, 6, seg(flags=0x03))),
            "tcp_segments_dropped", "SYN and FIN at once")

    # UDP: lengths and checksums that lie
    for f, src, dst, ip in ((4, g4, h4, e4), (6, g6, h6, e6)):
        sp = 40300 + f * 10
        put("udp%d-short" % f,
            ip(ip_any(src, dst, 17, udp_any(src, dst, sp, cp, b"")[:4])),
            "drop_bad_l4_header", "UDP header cut at 4 bytes")
        put("udp%d-len-short" % f,
            ip(ip_any(src, dst, 17, udp_any(src, dst, sp + 1, cp, b"x" * 8,
                                            ulen=5))),
            "udp_drop_bad_length", "UDP length 5")
        put("udp%d-len-long" % f,
            ip(ip_any(src, dst, 17, udp_any(src, dst, sp + 2, cp, b"x" * 8,
                                            ulen=1000))),
            "udp_drop_bad_length", "UDP length 1000 of 16")
        good = udp_any(src, dst, sp + 3, cp, b"checksum")
        put("udp%d-csum" % f,
            ip(ip_any(src, dst, 17, good[:6] + bytes([good[6] ^ 0x5a,
                                                       good[7]]) + good[8:])),
            "drop_bad_l4_checksum", "UDP checksum wrong")
    put("udp6-csum-zero",
        e6(ipv6(g6, h6, 17, udp_any(g6, h6, 40364, cp, b"zero", check=0))),
        "drop_bad_l4_checksum", "UDP over IPv6 without a checksum")

    # ICMP
    e = bytearray(icmp4_echo(0x77, 1, b"csum"))
    e[2] ^= 0x5a
    put("icmp4-csum", e4(ipv4(g4, h4, 1, bytes(e))), "drop_bad_l4_checksum",
        "ICMP echo request with a wrong checksum")
    e = bytearray(icmp6(g6, h6, 128, 0, b"\0\x77\0\1csum"))
    e[2] ^= 0x5a
    put("icmp6-csum", e6(ipv6(g6, h6, 58, bytes(e))), "drop_bad_l4_checksum",
        "ICMPv6 echo request with a wrong checksum")
    put("icmp4-short", e4(ipv4(g4, h4, 1, b"\x08\0\0\0")),
        "drop_bad_l4_header", "ICMP header cut at 4 bytes")
    put("icmp4-type", e4(ipv4(g4, h4, 1, icmp4_echo(0x77, 1, b"t" * 12,
                                                    typ=13))),
        "icmp_dropped", "ICMP timestamp request")

    # As large as the tap's MTU: 65520-byte packets
    big = TAP_MTU - 20 - 8
    put("jumbo-ipv4-totlen",
        e4(ipv4(g4, h4, 17, udp_any(g4, h4, 40400, cp, b"J" * big),
                tot_len=65535)[:TAP_MTU]),
        "drop_bad_ipv4", "65520-byte IPv4 packet, total length 65535")
    put("jumbo-ipv6-plen",
        e6(ipv6(g6, h6, 17, udp_any(g6, h6, 40401, cp, b"J" * (big - 20)),
                plen=65535)),
        "drop_bad_ipv6", "65520-byte IPv6 packet, payload length 65535")
    jumbo_opt = ext6(17, b"\xc2\x04" + struct.pack("!I", 70000))
    put("jumbo-ipv6-jumbogram",
        e6(ipv6(g6, h6, 0, jumbo_opt + udp_any(g6, h6, 40402, cp,
                                               b"J" * (big - 28)),
                plen=0)),
        "drop_bad_ipv6", "IPv6 jumbogram: payload length 0, jumbo option")
    put("jumbo-ethertype", eth(dst_mac, src_mac, 0x88B5,
                               b"\0" * TAP_MTU),
        "drop_unknown_ethertype", "65534-byte frame, unknown ethertype")
    good = udp_any(g4, h4, 40403, cp, b"J" * big)
    put("jumbo-udp4-csum",
        e4(ipv4(g4, h4, 17, good[:6] + bytes([good[6] ^ 0x5a, good[7]]) +
                good[8:])),
        "drop_bad_l4_checksum", "65520-byte UDP packet, checksum wrong")
    put("jumbo-tcp4-stray",
        e4(ipv4(g4, h4, 6, tcp_seg(g4, h4, 40404, cp, 0x18, ack=1,
                                   data=b"J" * (big - 12)))),
        "tcp_segments_dropped", "65520-byte TCP segment, no connection")

    # Source MACs no guest can have: ours, broadcast, multicast
    ping = ipv4(g4, h4, 1, icmp4_echo(0x78, 1, b"source MAC"))
    put("src-mac-ours", eth(dst_mac, gw_mac, ETH_P_IP, ping),
        "drop_bad_source_mac", "ICMP echo request from our own MAC")
    put("src-mac-bcast", eth(dst_mac, BCAST, ETH_P_ARP,
                             arp_body(1, src_mac, g4, b"\0" * 6, h4)),
        "drop_bad_source_mac", "ARP request from the broadcast MAC")
    put("src-mac-mcast",
        eth(dst_mac, b"\x33\x33\0\0\0\1", ETH_P_IPV6,
            ipv6(g6, h6, 58, icmp6(g6, h6, 128, 0, b"\0\x78\0\1mcast"))),
        "drop_bad_source_mac", "ICMPv6 echo request from a multicast MAC")
    return k


def frame_kinds_old(src_mac, dst_mac):
    """Named crafted frames, the first set: KIND -> (frame, what it tests)"""
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


def raw_sock(iface, rx=True):
    """AF_PACKET socket on iface, and the interface's MAC address

    The MAC comes from the bound socket's address, not /sys, which shows
    another namespace's devices under nsenter -n. Without rx, the socket
    receives nothing (protocol 0): sending only, no copy of every frame
    on the link for the kernel to queue.
    """
    proto = socket.htons(ETH_P_ALL) if rx else 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, proto)
    s.bind((iface, 0))
    return s, s.getsockname()[4][:6]


def send_frame(s, frame, sendall=None):
    """Write one frame; if the device's queue is full (ENOBUFS), wait a
    little and try again, a bounded number of times

    Return: True if the frame was written
    """
    for _ in range(50):
        try:
            if sendall:
                sendall(frame)
            else:
                s.send(frame)
            return True
        except OSError as e:
            if e.errno not in (105, 11):        # ENOBUFS, EAGAIN
                raise
            time.sleep(0.002)
    return False


def arp_resolve(iface, target, timeout):
    """Ask for target's MAC with ARP, from a socket of our own"""
    s, mac = raw_sock(iface)
    s.send(eth(BCAST, mac, ETH_P_ARP,
               arp_body(1, mac, GUEST4, b"\0" * 6, target)))

    def is_reply(f):
        return (len(f) >= 42 and f[12:14] == b"\x08\x06" and
                f[20:22] == b"\0\x02" and f[28:32] == a4(target) and
                f[0:6] == mac)
    r = recv_match(s, timeout, is_reply)
    s.close()
    return r[22:28] if r else None


def syn_frames(mac, dst_mac, dst, port, n):
    """n SYNs from the guest's address, each from a source port of its
    own, none of them a socket of the guest's: from a random base"""
    src = GUEST6 if ":" in dst else GUEST4
    base = 20000 + int.from_bytes(os.urandom(2), "big") % (40000 - n)
    opts = b"\x02\x04\x05\xb4\x01\x03\x03\x07"      # MSS 1460, WS 7
    for i in range(n):
        seg = tcp_seg(src, dst, base + i, port, 0x02,
                      seq=int.from_bytes(os.urandom(4), "big"), opts=opts)
        yield eth(dst_mac, mac, ETH_P_IPV6 if ":" in dst else ETH_P_IP,
                  ip_any(src, dst, 6, seg))


def syn_flood(write, frames, burst, gap_ms):
    """Write frames, burst at a time, gap_ms apart; return how many"""
    sent = 0
    for i, f in enumerate(frames):
        if i and not i % burst:
            time.sleep(gap_ms / 1000)
        sent += bool(write(f))
    return sent


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
    gw_mac = bytes.fromhex(a.gw_mac.replace(":", "")) if a.gw_mac else None
    if not gw_mac and "src-mac-ours" in a.kinds:
        gw_mac = arp_resolve(a.iface, GW4, a.timeout)
        if not gw_mac:
            die("no ARP reply for %s: our MAC unknown" % GW4)
    s, mac = raw_sock(a.iface, rx=False)
    kinds = frame_kinds(mac, BCAST, gw_mac)
    for k in a.kinds:
        if k not in kinds:
            die("unknown kind %s" % k)
    end = time.monotonic() + a.seconds
    unsent = syns = 0
    for r in range(a.rounds):
        for k in a.kinds:
            unsent += not send_frame(s, kinds[k][0])
        for port in a.syn_to:
            syns += syn_flood(lambda f: send_frame(s, f),
                              syn_frames(mac, BCAST, GW4, port, a.syns),
                              a.burst, a.gap_ms)
        if a.rounds > 1:
            print("round %d" % (r + 1), flush=True)
        if time.monotonic() >= end or (a.stop and os.path.exists(a.stop)):
            break
        if r + 1 < a.rounds:
            time.sleep(a.round_gap_ms / 1000)
    if a.rounds > 1:
        print("rounds %d syns %d" % (r + 1, syns), flush=True)
    if unsent:
        die("%d frames not written: the device's queue stayed full" %
            unsent)


def cmd_synflood(a):
    s, mac = raw_sock(a.iface, rx=False)
    n = syn_flood(lambda f: send_frame(s, f),
                  syn_frames(mac, BCAST, a.dst, a.port, a.n), a.burst,
                  a.gap_ms)
    print("sent %d" % n)


def cmd_kinds(_a):
    for k, v in frame_kinds(GUEST_MAC, BCAST).items():
        print("%-22s %-24s %s" % (k, v[1], v[2]))


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


# The stream's framing: length format, bytes to send before the next frame
STREAM = {"fmt": "!I", "prefix": b""}


def stream_hdr(n):
    return struct.pack(STREAM["fmt"], n)


def stream_send(s, frame):
    s.sendall(STREAM["prefix"] + stream_hdr(len(frame)) + frame)
    STREAM["prefix"] = b""


def stream_request(s, a):
    """gvproxy's framing: the HTTP request, in pieces; its last piece is
    sent with the first frame"""
    if not a.request:
        return
    req = (a.request + "\r\nHost: vsock\r\nUser-Agent: pkt.py\r\n"
           "\r\n").encode()
    step = a.request_split or len(req)
    while len(req) > step:
        s.sendall(req[:step])
        req = req[step:]
        time.sleep(0.05)
    STREAM["prefix"] = req


def stream_recv(s, timeout, match):
    """Read framed frames until match(frame), or time out; None on EOF"""
    end = time.monotonic() + timeout
    buf = b""
    h = struct.calcsize(STREAM["fmt"])
    while True:
        while len(buf) >= h:
            n = struct.unpack(STREAM["fmt"], buf[:h])[0]
            if len(buf) < h + n:
                break
            f, buf = buf[h:h + n], buf[h + n:]
            if match(f):
                return f
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return None
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
    """A length passt must refuse (--len): the connection must close"""
    s.sendall(STREAM["prefix"] + stream_hdr(a.len) + b"\0" * 64)
    r = stream_recv(s, a.timeout, lambda f: False)
    if r is not None:
        die("badlen: connection still open after a bad length")
    print("badlen: connection closed")


def passt_edgelen(s, a):
    """Frames of the smallest and largest lengths the framing allows (14
    and 65535 bytes, zeros: dropped as frames): the connection must stay
    open, which the checks after this one show"""
    for n in (14, 65535):
        stream_send(s, b"\0" * n)
    print("edgelen: sent 14 and 65535 bytes")


def passt_kinds(s, a, gw_mac):
    """Every frame kind, --rounds times, with what each counter should
    gain printed as "expect COUNTER N" lines"""
    kinds = frame_kinds(GUEST_MAC, BCAST, gw_mac)
    want = {}
    for _ in range(a.rounds):
        for _, (f, counter, _) in kinds.items():
            stream_send(s, f)
            if counter != "-":
                want[counter] = want.get(counter, 0) + 1
    for counter, n in sorted(want.items()):
        print("expect %s %d" % (counter, n))


def passt_synflood(s, a):
    """--syns SYNs from forged ports to the gateway's --port"""
    n = syn_flood(lambda f: stream_send(s, f) or True,
                  syn_frames(GUEST_MAC, BCAST, GW4, a.port, a.syns),
                  a.burst, a.gap_ms)
    print("synflood: sent %d" % n)


def cmd_passt(a):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect(a.sock)
    except OSError as e:
        die("connect %s: %s" % (a.sock, e))
    s.settimeout(None)
    if a.framing == "gvproxy":
        STREAM["fmt"] = "<H"
        stream_request(s, a)
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
        elif c == "edgelen":
            passt_edgelen(s, a)
        elif c == "hold":
            time.sleep(a.timeout)
        elif c == "closed":
            s.sendall(STREAM["prefix"])
            if stream_recv(s, a.timeout, lambda f: False) is not None:
                die("closed: connection still open")
            print("closed: connection closed")
        elif c == "kinds":
            passt_kinds(s, a, gw_mac if gw_mac != BCAST else None)
        elif c == "synflood":
            passt_synflood(s, a)
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
    x.add_argument("--gw-mac")
    x.add_argument("--rounds", type=int, default=1)
    x.add_argument("--seconds", type=float, default=60)
    x.add_argument("--stop")
    x.add_argument("--round-gap-ms", type=float, default=0)
    x.add_argument("--syn-to", type=int, action="append", default=[])
    x.add_argument("--syns", type=int, default=1000)
    x.add_argument("--burst", type=int, default=256)
    x.add_argument("--gap-ms", type=float, default=2)
    x.set_defaults(fn=cmd_send)
    x = sub.add_parser("synflood")
    x.add_argument("iface")
    x.add_argument("dst")
    x.add_argument("port", type=int)
    x.add_argument("n", type=int)
    x.add_argument("--burst", type=int, default=256)
    x.add_argument("--gap-ms", type=float, default=2)
    x.set_defaults(fn=cmd_synflood)
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
    x.add_argument("--rounds", type=int, default=1)
    x.add_argument("--syns", type=int, default=1000)
    x.add_argument("--port", type=int, default=CLOSED_PORT)
    x.add_argument("--burst", type=int, default=256)
    x.add_argument("--gap-ms", type=float, default=2)
    x.add_argument("--len", type=lambda v: int(v, 0), default=0xFFFFFF00)
    x.add_argument("--framing", choices=("qemu", "gvproxy"), default="qemu")
    x.add_argument("--request", default="POST /connect HTTP/1.1")
    x.add_argument("--request-split", type=int, default=0)
    x.set_defaults(fn=cmd_passt)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
