#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make_corpus.py - write the seed corpus of every fuzz harness

Usage: test/fuzz/make_corpus.py [DIR]   (default: corpus/ next to this file)

Writes DIR/<harness>/<name> files, replacing those this script makes and
leaving any others alone. The inputs are valid messages of each kind,
built here from scratch, in the input layout each harness documents at the
top of its source. Addresses match the context of fuzz_ctx.h: the guest
is 198.51.100.2/24 and 2001:db8::2/64, the gateway .1 and ::1.
"""

import os
import socket
import struct
import sys

GUEST_MAC = bytes.fromhex("525400123456")
OUR_MAC = bytes.fromhex("9a559a559a55")
BCAST_MAC = b"\xff" * 6
GUEST4 = "198.51.100.2"
GW4 = "198.51.100.1"
GUEST6 = "2001:db8::2"
GW6 = "2001:db8::1"
GUEST_LL = "fe80::5054:ff:fe12:3456"
# Our DUID-LL, as dhcpv6.c builds it from OUR_MAC
OUR_DUID = struct.pack("!HH", 3, 1) + OUR_MAC
CLIENT_DUID = struct.pack("!HH", 3, 1) + GUEST_MAC


def a4(s):
    """Packed IPv4 address"""
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    """Packed IPv6 address"""
    return socket.inet_pton(socket.AF_INET6, s)


def csum(data, start=0):
    """Internet checksum of data, with an initial 32-bit sum"""
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, ethertype, payload, src=GUEST_MAC):
    """Ethernet frame"""
    return dst + src + struct.pack("!H", ethertype) + payload


def ip4(src, dst, proto, l4, frag=0x4000, ttl=64):
    """IPv4 packet, header checksum filled"""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x1234, frag,
                    ttl, proto, 0, a4(src), a4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def ip6(src, dst, nh, payload, hlim=64):
    """IPv6 packet"""
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       a6(src), a6(dst)) + payload


def pseudo4(src, dst, proto, length):
    """Sum of the IPv4 pseudo-header"""
    d = a4(src) + a4(dst) + struct.pack("!BBH", 0, proto, length)
    return sum(struct.unpack("!6H", d))


def pseudo6(src, dst, proto, length):
    """Sum of the IPv6 pseudo-header"""
    d = a6(src) + a6(dst) + struct.pack("!IxxxB", length, proto)
    return sum(struct.unpack("!20H", d))


def udp(sport, dport, payload, ph=0):
    """UDP header and payload, checksum over pseudo-header sum ph"""
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = csum(h + payload, ph) or 0xffff
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), c) + payload


def udp4(src, dst, sport, dport, payload):
    """UDP over IPv4"""
    ph = pseudo4(src, dst, 17, 8 + len(payload))
    return ip4(src, dst, 17, udp(sport, dport, payload, ph))


def udp6(src, dst, sport, dport, payload):
    """UDP over IPv6"""
    ph = pseudo6(src, dst, 17, 8 + len(payload))
    return ip6(src, dst, 17, udp(sport, dport, payload, ph))


def tcp(sport, dport, seq, flags, ph, payload=b""):
    """TCP header with MSS option, checksum over pseudo-header sum ph"""
    opts = struct.pack("!BBH", 2, 4, 1460)
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (5 + 1) << 4,
                    flags, 65535, 0, 0) + opts
    c = csum(h + payload, ph)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def tcp4(src, dst, sport, dport, seq=1000, flags=0x02, payload=b""):
    """TCP segment over IPv4 (SYN by default)"""
    ph = pseudo4(src, dst, 6, 24 + len(payload))
    return ip4(src, dst, 6, tcp(sport, dport, seq, flags, ph, payload))


def tcp6(src, dst, sport, dport, seq=1000, flags=0x02, payload=b""):
    """TCP segment over IPv6 (SYN by default)"""
    ph = pseudo6(src, dst, 6, 24 + len(payload))
    return ip6(src, dst, 6, tcp(sport, dport, seq, flags, ph, payload))


def icmp4_echo(src, dst, ident, seq, payload=b"ping"):
    """ICMP echo request over IPv4"""
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
    return ip4(src, dst, 1, h)


def icmp6(src, dst, msg):
    """ICMPv6 message over IPv6, checksum filled"""
    ph = pseudo6(src, dst, 58, len(msg))
    msg = msg[:2] + struct.pack("!H", 0) + msg[4:]
    msg = msg[:2] + struct.pack("!H", csum(msg, ph)) + msg[4:]
    return ip6(src, dst, 58, msg, hlim=255)


def icmp6_echo(src, dst, ident, seq, payload=b"ping"):
    """ICMPv6 echo request"""
    return icmp6(src, dst, struct.pack("!BBHHH", 128, 0, 0, ident, seq) +
                 payload)


def arp_request(sip, tip):
    """ARP who-has tip tell sip"""
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + GUEST_MAC + a4(sip) + \
        b"\0" * 6 + a4(tip)
    return eth(BCAST_MAC, 0x0806, body)


# DHCP

def dhcp_msg(msgtype, opts=b"", ciaddr="0.0.0.0", xid=0x3903f326):
    """BOOTREQUEST with a DHCP message type and further options"""
    h = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 1, 1, 6, 0, xid, 0,
                    0x8000, a4(ciaddr), b"\0" * 4, b"\0" * 4, b"\0" * 4,
                    GUEST_MAC, b"", b"", 0x63825363)
    return h + bytes([53, 1, msgtype]) + opts + b"\xff"


def dhcp_opt(code, data):
    """One DHCP option"""
    return bytes([code, len(data)]) + data


PRL = dhcp_opt(55, bytes([1, 3, 6, 12, 15, 26, 28, 42, 119, 121]))
CLIENT_ID = dhcp_opt(61, b"\x01" + GUEST_MAC)
MAXMSG = dhcp_opt(57, struct.pack("!H", 1500))


def dhcp_udp(msg):
    """DHCP message in a UDP datagram to port 67 (the fuzz_dhcp input)"""
    return udp(68, 67, msg)


DHCP = {
    "discover": dhcp_msg(1, CLIENT_ID + PRL + MAXMSG +
                         dhcp_opt(12, b"guest")),
    "discover_min": dhcp_msg(1),
    "request": dhcp_msg(3, CLIENT_ID + dhcp_opt(50, a4(GUEST4)) +
                        dhcp_opt(54, a4(GW4)) + PRL),
    "request_renew": dhcp_msg(3, PRL, ciaddr=GUEST4),
    "request_other": dhcp_msg(3, dhcp_opt(50, a4("198.51.100.99"))),
    "inform": dhcp_msg(8, PRL, ciaddr=GUEST4),
    "release": dhcp_msg(7, dhcp_opt(54, a4(GW4)), ciaddr=GUEST4),
    "decline": dhcp_msg(4, dhcp_opt(50, a4(GUEST4))),
    "padded": dhcp_msg(1, b"\0" * 16 + dhcp_opt(57, b"\xff\xff")) +
              b"\0" * 40,
}


# DHCPv6

def d6opt(code, data=b""):
    """One DHCPv6 option"""
    return struct.pack("!HH", code, len(data)) + data


def ia_na(iaid=1, addrs=()):
    """IA_NA option with IA Address options"""
    body = struct.pack("!III", iaid, 0, 0)
    for a in addrs:
        body += d6opt(5, a6(a) + struct.pack("!II", 0, 0))
    return d6opt(3, body)


def d6msg(msgtype, opts, xid=0x123456):
    """DHCPv6 client message"""
    return struct.pack("!I", msgtype << 24 | xid) + opts


CID = d6opt(1, CLIENT_DUID)
SID = d6opt(2, OUR_DUID)
ORO = d6opt(6, struct.pack("!HHH", 23, 24, 39))
ELAPSED = d6opt(8, b"\0\0")
FQDN = d6opt(39, b"\x00\x05guest\x00")

DHCPV6 = {
    "solicit": d6msg(1, CID + ia_na() + ORO + ELAPSED + FQDN),
    "solicit_rapid": d6msg(1, CID + ia_na() + d6opt(14) + ORO),
    "request": d6msg(3, CID + SID + ia_na(addrs=[GUEST6]) + ORO),
    "renew": d6msg(5, CID + SID + ia_na(addrs=[GUEST6])),
    "rebind": d6msg(6, CID + ia_na(addrs=[GUEST6])),
    "confirm": d6msg(4, CID + ia_na(addrs=[GUEST6])),
    "confirm_offlink": d6msg(4, CID + ia_na(addrs=["2001:db9::2"])),
    "release": d6msg(8, CID + SID + ia_na(addrs=[GUEST6])),
    "decline": d6msg(9, CID + SID + ia_na(addrs=[GUEST6])),
    "info_request": d6msg(11, ORO + ELAPSED),
    "other_server": d6msg(3, CID + d6opt(2, CLIENT_DUID) + ia_na()),
}


def dhcpv6_udp(msg):
    """DHCPv6 message in a UDP datagram to port 547 (fuzz_dhcpv6 input)"""
    return udp(546, 547, msg)


# NDP: ICMPv6 messages, checksum left to the frame builder

SLLA = bytes([1, 1]) + GUEST_MAC
NDP = {
    "rs": struct.pack("!BBHI", 133, 0, 0, 0),
    "rs_slla": struct.pack("!BBHI", 133, 0, 0, 0) + SLLA,
    "ns_gw": struct.pack("!BBHI", 135, 0, 0, 0) + a6(GW6) + SLLA,
    "ns_ll": struct.pack("!BBHI", 135, 0, 0, 0) + a6("fe80::1") + SLLA,
    "ns_dad": struct.pack("!BBHI", 135, 0, 0, 0) + a6(GUEST6),
    "na": struct.pack("!BBHI", 136, 0, 0, 0x20000000) + a6(GUEST6) +
          bytes([2, 1]) + GUEST_MAC,
    "redirect": struct.pack("!BBHI", 137, 0, 0, 0) + a6(GW6) +
                a6("2001:db8::99"),
    "rs_options": struct.pack("!BBHI", 133, 0, 0, 0) + SLLA +
                  bytes([14, 1]) + b"\0" * 6 + bytes([99, 2]) + b"\0" * 14,
}


# Frames: flags byte, then records (see fuzz_frames.c)

def records(*frames):
    """Length-prefixed frames"""
    return b"".join(struct.pack("!H", len(f)) + f for f in frames)


def sep(idle=0):
    """End of a batch, then @idle empty batches: 0 to 239, or 65519 to
    65534, encoded as 0xf0 to 0xff"""
    if idle >= 0xf0:
        assert 65535 - 0x100 + 0xf0 <= idle <= 65534
        idle = idle - 65535 + 0x100
    return struct.pack("!HB", 0xffff, idle)


def syn_min(sport):
    """Smallest TCP SYN frame, no options, to fit a full batch in an input"""
    ph = pseudo4(GUEST4, "192.0.2.10", 6, 20)
    h = struct.pack("!HHIIBBHHH", sport, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    h = h[:16] + struct.pack("!H", csum(h, ph)) + h[18:]
    return eth(OUR_MAC, 0x0800, ip4(GUEST4, "192.0.2.10", 6, h))


def frames_corpus():
    """Inputs for fuzz_frames"""
    e4 = lambda p: eth(OUR_MAC, 0x0800, p)
    e6 = lambda p: eth(OUR_MAC, 0x86dd, p)
    dhcp_frame = eth(BCAST_MAC, 0x0800,
                     udp4("0.0.0.0", "255.255.255.255", 68, 67,
                          DHCP["discover"]))
    dhcpv6_frame = eth(bytes.fromhex("333300010002"), 0x86dd,
                       udp6(GUEST_LL, "ff02::1:2", 546, 547,
                            DHCPV6["solicit"]))
    rs = eth(bytes.fromhex("333300000002"), 0x86dd,
             icmp6(GUEST_LL, "ff02::2", NDP["rs_slla"]))
    ns = eth(bytes.fromhex("3333ff000001"), 0x86dd,
             icmp6(GUEST6, "ff02::1:ff00:1", NDP["ns_gw"]))
    syn4 = e4(tcp4(GUEST4, "192.0.2.10", 40000, 80))
    syn6 = e6(tcp6(GUEST6, "2001:db8:1::10", 40000, 443))
    ack4 = e4(tcp4(GUEST4, "192.0.2.10", 40000, 80, 1001, 0x18, b"GET /"))
    syn4b = e4(tcp4(GUEST4, "192.0.2.11", 40001, 22))
    udp4f = e4(udp4(GUEST4, "192.0.2.53", 5353, 53, b"\x12\x34" + b"\0" * 10))
    udp6f = e6(udp6(GUEST6, "2001:db8::53", 5353, 53, b"\x12\x34" + b"\0" * 10))
    ping4 = e4(icmp4_echo(GUEST4, "192.0.2.1", 0x42, 1))
    ping6 = e6(icmp6_echo(GUEST6, "2001:db8:1::1", 0x42, 1))
    # Hop-by-hop (PadN) and destination options before UDP
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([17, 0, 1, 4, 0, 0, 0, 0])
    u = udp(5353, 53, b"ext")
    ext6 = e6(ip6(GUEST6, "2001:db8::53", 0, ext + u))
    frag4 = e4(ip4(GUEST4, "192.0.2.10", 17, udp(1, 2, b"x" * 8),
                   frag=0x2000))
    big_udp4 = e4(udp4(GUEST4, "192.0.2.53", 5000, 5001, b"B" * 9000))
    arp = arp_request(GUEST4, GW4)

    return {
        "arp_request": b"\x00" + records(arp),
        "dhcp_discover": b"\x00" + records(dhcp_frame),
        "dhcpv6_solicit": b"\x00" + records(dhcpv6_frame),
        "ndp_rs": b"\x00" + records(rs),
        "ndp_ns": b"\x00" + records(ns),
        "tcp4_syn": b"\x00" + records(syn4),
        "tcp6_syn": b"\x00" + records(syn6),
        "udp_icmp_echo": b"\x00" + records(udp4f, udp6f, ping4, ping6),
        "ipv6_ext_headers": b"\x00" + records(ext6),
        "ipv4_fragment": b"\x00" + records(frag4),
        "big_udp": b"\x00" + records(big_udp4),
        # Two flows interleaved, then more of the first in a new batch
        "grouping": b"\x00" + records(syn4, syn4b, ack4, syn6, syn4b) +
                    sep() + records(ack4, ping4),
        "passt_mixed": b"\x01" + records(arp, dhcp_frame, rs, ns, syn4,
                                         udp4f, big_udp4, ping6),
        "small_mtu": b"\x10" + records(dhcp_frame, dhcpv6_frame, rs),
        "bare": b"\x20" + records(dhcp_frame, dhcpv6_frame, rs, ns),
        "no_services": b"\x08" + records(dhcp_frame, rs, syn4, syn6),
        "ipv4_only": b"\x04" + records(dhcp_frame, rs, syn4, syn6),
        # IPv6 to a v4-mapped address: an AF_INET6 group whose addresses
        # the flow layer reads as IPv4 (inany.h)
        "ipv6_v4mapped": b"\x00" + records(e6(udp6(GUEST6, "::ffff:192.0.2.53",
                                                  5353, 53, b"\x12\x34"))),
        # A flow seen again exactly when the grouping generation laps
        "generation_wrap": b"\x00" + records(syn4b, syn4) + sep(65534) +
                           records(udp4f, syn4),
        # ...with a full first batch: the stale group's place in the
        # sorted array was one past its end (global-buffer-overflow)
        "generation_wrap_full": b"\x00" + records(syn_min(1000),
                                                  *[syn_min(2000)] * 1023) +
                                sep(65534) + records(syn_min(3000),
                                                     syn_min(2000)),
    }


# L4: flags byte, then records as for fuzz_frames; a separator's byte
# gives event rounds and a clock step (fuzz_l4.c). The harness's servers
# listen on the gateway (its loopback): TCP 8080, UDP 5353.

L4_TCP_PORT = 8080
L4_UDP_PORT = 5353
L4_ACK_REL = 0x01

# TCP options: MSS, window scale, SACK permitted, timestamps, padding
OPT_MSS = struct.pack("!BBH", 2, 4, 1460)
OPT_WS = struct.pack("!BBB", 3, 3, 7)
OPT_SACKP = struct.pack("!BB", 4, 2)
OPT_TS = struct.pack("!BBII", 8, 10, 12345, 0)
OPT_NOP = b"\x01"
OPT_EOL = b"\x00"


def l4sep(rounds=2, step=0):
    """End of a batch: @rounds rounds of events (1 to 16), clock step
    of 2 * @step seconds (0 to 15)"""
    return struct.pack("!HB", 0xffff, (rounds - 1) << 4 | step)


def tcp_seg(src, dst, sport, dport, seq, ack, flags, opts=b"", payload=b"",
            win=65535, v6=False):
    """TCP segment with options (padded to 4 bytes), in an Ethernet frame"""
    opts = opts + b"\x00" * (-len(opts) % 4)
    doff = 5 + len(opts) // 4
    ln = doff * 4 + len(payload)
    ph = pseudo6(src, dst, 6, ln) if v6 else pseudo4(src, dst, 6, ln)
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                    flags, win, 0, 0) + opts
    c = csum(h + payload, ph)
    seg = h[:16] + struct.pack("!H", c) + h[18:] + payload
    if v6:
        return eth(OUR_MAC, 0x86dd, ip6(src, dst, 6, seg))
    return eth(OUR_MAC, 0x0800, ip4(src, dst, 6, seg))


def l4_session(v6, sport=40000, dport=L4_TCP_PORT, syn_opts=None):
    """A whole connection to our server: handshake, data both ways, close.
    Acknowledgement numbers are relative (FUZZ_F_ACK_REL): 0 acks all."""
    g, r = (GUEST6, GW6) if v6 else (GUEST4, GW4)
    o = OPT_MSS + OPT_WS + OPT_SACKP + OPT_TS + OPT_NOP if syn_opts is None \
        else syn_opts
    t = lambda seq, fl, p=b"", **k: tcp_seg(g, r, sport, dport, seq, 0, fl,
                                            payload=p, v6=v6, **k)
    return records(t(1000, 0x02, opts=o)) + l4sep(3) + \
        records(t(1001, 0x10), t(1001, 0x18, b"hello, server")) + \
        l4sep(3) + records(t(1014, 0x10)) + l4sep(3) + \
        records(t(1014, 0x11)) + l4sep(3, 1) + records(t(1015, 0x10)) + \
        l4sep(2)


def vnet(flags, gso_type, hdr_len, gso_size):
    """A virtio-net header (struct virtio_net_hdr, little-endian)"""
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, 0, 0)


def vnet_session():
    """l4_session()'s records, each frame behind a header: plain ones, the
    data a TCP super-frame (partial checksum, segments of 5 bytes)"""
    out = b""
    raw = l4_session(False)
    off = 0
    while off + 2 <= len(raw):
        n = struct.unpack("!H", raw[off:off + 2])[0]
        if n == 0xFFFF:
            out += raw[off:off + 3]
            off += 3
            continue
        f = raw[off + 2:off + 2 + n]
        h = vnet(1, 1, 54, 5) if n > 54 else vnet(0, 0, 0, 0)
        out += struct.pack("!H", n + len(h)) + h + f
        off += 2 + n
    return out


def l4_corpus():
    """Inputs for fuzz_l4"""
    e4 = lambda p: eth(OUR_MAC, 0x0800, p)
    e6 = lambda p: eth(OUR_MAC, 0x86dd, p)
    rel = bytes([L4_ACK_REL])
    udp_echo4 = e4(udp4(GUEST4, GW4, 40001, L4_UDP_PORT, b"U" * 100))
    udp_echo6 = e6(udp6(GUEST6, GW6, 40001, L4_UDP_PORT, b"U" * 100))
    dns4 = e4(udp4(GUEST4, GW4, 40002, 53, b"\x12\x34\x01\x00" + b"\0" * 8))
    dns6 = e6(udp6(GUEST6, GW6, 40002, 53, b"\x12\x34\x01\x00" + b"\0" * 8))
    ping4 = e4(icmp4_echo(GUEST4, GW4, 0x42, 1, b"p" * 56))
    ping6 = e6(icmp6_echo(GUEST6, GW6, 0x43, 1, b"p" * 56))
    ping4_far = e4(icmp4_echo(GUEST4, "203.0.113.7", 0x44, 1))
    syn_closed4 = tcp_seg(GUEST4, GW4, 40003, 9, 1, 0, 0x02, OPT_MSS)
    syn_closed6 = tcp_seg(GUEST6, GW6, 40003, 9, 1, 0, 0x02, OPT_MSS, v6=True)
    syn_far4 = tcp_seg(GUEST4, "203.0.113.80", 40004, 80, 1, 0, 0x02, OPT_MSS)
    syn_far6 = tcp_seg(GUEST6, "2001:db8:80::1", 40004, 80, 1, 0, 0x02,
                       OPT_MSS, v6=True)
    g4 = lambda seq, fl, **k: tcp_seg(GUEST4, GW4, 40010, L4_TCP_PORT, seq,
                                      0, fl, **k)
    bad_opts = [
        struct.pack("!BBH", 2, 4, 0),           # MSS 0
        struct.pack("!BBB", 3, 3, 15),          # window scale past 14
        struct.pack("!BB", 2, 0),               # option length 0
        struct.pack("!BB", 2, 1),               # option length 1
        struct.pack("!BBH", 2, 40, 1460),       # longer than the header
        OPT_EOL + OPT_MSS,                      # past the end of the list
        OPT_NOP * 39 + b"\x02",                 # kind without a length
        struct.pack("!BBBB", 3, 3, 7, 2),       # truncated MSS after WS
    ]
    out = {
        "tcp4_session": rel + l4_session(False),
        "tcp6_session": rel + l4_session(True),
        "tcp4_no_options": rel + l4_session(False, syn_opts=b""),
        "tcp4_small_mss": rel + l4_session(False, syn_opts=struct.pack(
            "!BBH", 2, 4, 88)),
        "tcp_small_ctx": bytes([L4_ACK_REL | 0x08]) + l4_session(False) +
                         l4_session(True, sport=40100),
        "tcp_refused": b"\x00" + records(syn_closed4, syn_closed6) + l4sep(3),
        "tcp_unreachable": b"\x00" + records(syn_far4, syn_far6) + l4sep(3),
        "udp_echo": b"\x00" + records(udp_echo4, udp_echo6) + l4sep(3) +
                    records(udp_echo4) + l4sep(3),
        "udp_dns": b"\x00" + records(dns4, dns6) + l4sep(2),
        "udp_big": b"\x00" + records(e4(udp4(GUEST4, GW4, 40005, L4_UDP_PORT,
                                              b"B" * 9000)),
                                     e6(udp6(GUEST6, GW6, 40005, L4_UDP_PORT,
                                             b"B" * 9000))) + l4sep(3),
        "icmp_echo": b"\x00" + records(ping4, ping6, ping4_far) + l4sep(3) +
                     records(ping4) + l4sep(2, 15),
        "mixed": rel + records(ping4, udp_echo4, g4(1000, 0x02, opts=OPT_MSS),
                               udp_echo6, ping6) + l4sep(3) +
                 records(g4(1001, 0x18, payload=b"x" * 1000)) + l4sep(3) +
                 records(g4(2001, 0x14)) + l4sep(2),
        # Data before the handshake completes, a SYN with data, a reset
        # and a zero window, a window probe
        "tcp_odd": rel + records(g4(5000, 0x02, opts=OPT_MSS,
                                    payload=b"early")) + l4sep(3) +
                   records(g4(5001, 0x10, win=0)) + l4sep(3, 2) +
                   records(g4(5001, 0x10, win=1)) + l4sep(3, 4) +
                   records(g4(5001, 0x04)) + l4sep(2),
        # Virtio-net headers first (0x40): a UDP train of 1000-byte
        # segments with a partial checksum, one lying about its size (more
        # segments than a kernel makes), a UFO frame (never offered)
        "vnet_udp_train": bytes([0x40]) + records(
            vnet(1, 5, 42, 1000) + e4(udp4(GUEST4, GW4, 40006, L4_UDP_PORT,
                                           b"T" * 4500)),
            vnet(1, 5, 62, 1000) + e6(udp6(GUEST6, GW6, 40006, L4_UDP_PORT,
                                           b"T" * 4500)),
            vnet(1, 5, 42, 1) + e4(udp4(GUEST4, GW4, 40007, L4_UDP_PORT,
                                        b"L" * 4500)),
            vnet(0, 3, 42, 1000) + e4(udp4(GUEST4, GW4, 40008, L4_UDP_PORT,
                                           b"F" * 3000))) + l4sep(3),
        "vnet_tcp": bytes([L4_ACK_REL | 0x40]) + vnet_session(),
        "tcp_no_ipv6": bytes([L4_ACK_REL | 0x04]) + l4_session(False),
        "tcp_mute": bytes([L4_ACK_REL | 0x10]) + l4_session(False),
    }
    for i, o in enumerate(bad_opts):
        out["tcp_bad_option_%d" % i] = rel + records(
            tcp_seg(GUEST4, GW4, 40200 + i, L4_TCP_PORT, 1, 0, 0x02, o)) + \
            l4sep(3) + records(tcp_seg(GUEST4, GW4, 40200 + i, L4_TCP_PORT,
                                       2, 0, 0x18, o, b"data")) + l4sep(2)
    return out


# Stream: flags byte, then pieces of stream or controls (fuzz_stream.c)

def framed(*frames):
    """Frames with the 4-byte length prefix of the stream backend"""
    return b"".join(struct.pack("!I", len(f)) + f for f in frames)


def framed_gv(*frames):
    """Frames with the 2-byte little-endian length of gvproxy's framing"""
    return b"".join(struct.pack("<H", len(f)) + f for f in frames)


GV_REQ = b"POST /connect HTTP/1.1\r\nHost: vsock\r\n\r\n"


def piece(data):
    """One piece of stream, written at once"""
    return struct.pack("!H", len(data)) + data


def ctl(what):
    """Control record: 0 release pins, 1 wake up, 2 close"""
    return struct.pack("!HB", 0xffff, what)


def stream_corpus():
    """Inputs for fuzz_stream"""
    arp = arp_request(GUEST4, GW4)
    syn4 = eth(OUR_MAC, 0x0800, tcp4(GUEST4, "192.0.2.10", 40000, 80))
    syn6 = eth(OUR_MAC, 0x86dd, tcp6(GUEST6, "2001:db8:1::10", 40000, 443))
    dhcp = eth(BCAST_MAC, 0x0800, udp4("0.0.0.0", "255.255.255.255", 68,
                                      67, DHCP["discover"]))
    s = framed(arp, syn4, dhcp, syn6)
    tiny = eth(OUR_MAC, 0x88b5, b"")
    return {
        "one_piece": b"\x00" + piece(s),
        "split": b"\x00" + piece(s[:2]) + piece(s[2:50]) + piece(s[50:]),
        "byte_by_byte": b"\x00" + b"".join(piece(s[i:i + 1])
                                          for i in range(70)) +
                        piece(s[70:]),
        "hold_release": b"\x01" + b"".join(piece(framed(syn4, syn6))
                                           for _ in range(6)) +
                        ctl(0) + piece(framed(syn4)),
        "bad_length": b"\x00" + piece(framed(arp) + struct.pack("!I", 5) +
                                      b"\0" * 8),
        "huge_length": b"\x00" + piece(struct.pack("!I", 70000) + arp),
        "eof_mid_frame": b"\x00" + piece(framed(arp) + framed(syn4)[:30]) +
                         ctl(2),
        # More whole frames in one read than one batch takes
        "over_batch": b"\x00" + piece(framed(*[tiny] * 1100)) + ctl(1),
        # gvproxy's framing: the request, then frames
        "gv_one_piece": b"\x02" + piece(GV_REQ + framed_gv(arp, syn4, dhcp)),
        "gv_split": b"\x02" + piece(GV_REQ[:9]) + piece(GV_REQ[9:30]) +
                    piece(GV_REQ[30:] + framed_gv(arp)[:5]) +
                    piece(framed_gv(arp)[5:] + framed_gv(syn6)),
        "gv_lf_only": b"\x02" + piece(b"POST /connect HTTP/1.1\n\n" +
                                      framed_gv(arp)),
        "gv_not_request": b"\x02" + piece(b"GET / HTTP/1.1\r\n\r\n" +
                                          framed_gv(arp)),
        "gv_long_request": b"\x03" + b"".join(
            piece(b"X-Pad: " + b"a" * 500 + b"\r\n") for _ in range(9)),
        "gv_bad_length": b"\x02" + piece(GV_REQ + framed_gv(arp) +
                                         struct.pack("<H", 5) + b"\0" * 8),
        # Mapped pieces (vsock zero-copy receive): frames within one,
        # across two, a length field cut in two, a bad length
        "map_whole": b"\x04" + piece(framed(arp, syn4)) + ctl(1),
        "map_across": b"\x04" + piece(framed(arp, syn4)[:50]) +
                      piece(framed(arp, syn4)[50:]) + ctl(1),
        "map_cut_length": b"\x06" + piece(framed_gv(arp)[:1]) +
                          piece(framed_gv(arp)[1:] + framed_gv(syn6)[:9]) +
                          piece(framed_gv(syn6)[9:]) + ctl(1),
        "map_bad_length": b"\x04" + piece(framed(arp)[:20]) +
                          piece(framed(arp)[20:] + struct.pack("!I", 3)) +
                          ctl(1),
        "map_hold": b"\x05" + b"".join(piece(framed(syn4, syn6)[:70]) +
                                      piece(framed(syn4, syn6)[70:])
                                      for _ in range(6)) + ctl(0),
        "gv_hold": b"\x03" + piece(GV_REQ) + b"".join(
            piece(framed_gv(syn4, syn6)) for _ in range(6)) + ctl(0),
    }


# Command lines: flags byte (bit 0: pasta), NUL-separated arguments

CONF = {
    "pasta_netns": (1, "--config-net -t 8080:80 -u 53 --netns /run/netns/x"),
    "pasta_cmd": (1, "-t 2222:22 -T auto -U 53 -a 10.0.2.15/24 -g 10.0.2.2 "
                     "-D 1.1.1.1 -S example.org -- sh -c true"),
    "pasta_pid": (1, "--config-net -I tap9 --ns-mac-addr 02:00:00:00:00:02 "
                     "4242"),
    "pasta_userns": (1, "--netns x --userns /proc/1/ns/user --netns-only "
                        "--no-netns-quit"),
    "pasta_specs": (3, "-t 192.0.2.1%lo/22 -t [::1]/8080:80 -t ~25 "
                       "-u 1000-2000:3000-4000 -T none -U all"),
    "pasta_dns": (1, "--dns-forward 10.0.2.3 --dns-host 1.1.1.1 "
                     "--map-host-loopback 10.0.2.2 --map-guest-addr 10.0.2.4 "
                     "--outbound-if4 eth0 --outbound-if6 eth1 -o 10.0.0.1 "
                     "--fqdn a.example -H host --no-dhcp-dns --dhcp-search"),
    "pasta_version": (1, "-q --version"),
    "pasta_ipv6": (1, "-6 -a 2001:db8::2/64 -g 2001:db8::1 -n 24 -m 1500 "
                      "--no-ra --no-ndp --no-dhcpv6 --host-lo-to-ns-lo"),
    "passt_socket": (0, "-s /tmp/sock -t 22,80-90:8080-8090 -u ~53 -1 "
                        "-m 1500 -M 02:00:00:00:00:01"),
    "passt_fd": (0, "--fd 5 --pcap /tmp/x.pcap -d -f -e"),
    "passt_misc": (0, "--runas 65534 --max-flows 100 --stats 10 "
                      "--log-size 100000 -l /tmp/log -P /tmp/pid "
                      "--no-tcp --no-udp --no-icmp --no-dhcp --no-map-gw "
                      "--trace -4 -i eth0 --netmask 255.255.255.0"),
    "passt_long": (0, "--debug --quiet"),
    "passt_bad": (0, "--netns x"),
    "passt_help": (0, "-h"),
}


def ext6(nh, units, fill=0x01):
    """Hop-by-Hop, Routing or Destination Options header: (units + 1) * 8
    bytes, padded with PadN (or fill bytes)"""
    body = bytes([1, 4 + 8 * units]) + bytes([fill]) * (4 + 8 * units)
    return bytes([nh, units]) + body


def ah6(nh, plen):
    """Authentication Header: (plen + 2) * 4 bytes"""
    return struct.pack("!BBHII", nh, plen, 0, 0x100, 1) + \
        bytes((plen + 2) * 4 - 12)


def ip6_ext_input(nh, payload, flags=0, plen=0, trailer=b""):
    """Input for fuzz_ip6_ext"""
    return struct.pack("!BBH", flags, nh, plen) + payload + trailer


def ip6_ext_corpus():
    """Extension header chains for fuzz_ip6_ext"""
    t = tcp(40000, 8080, 1000, 0x02, 0)
    u = udp(40000, 5353, b"hello", 0)
    e = struct.pack("!BBHHH", 128, 0, 0, 7, 1) + b"ping"
    chain7 = b"".join(ext6(60, 0) for _ in range(6)) + ext6(6, 0)
    chain8 = b"".join(ext6(60, 0) for _ in range(7)) + ext6(6, 0)
    return {
        "tcp": ip6_ext_input(6, t),
        "udp": ip6_ext_input(17, u),
        "echo": ip6_ext_input(58, e),
        "hop_udp": ip6_ext_input(0, ext6(17, 0) + u),
        "hop_dst_tcp": ip6_ext_input(0, ext6(60, 1) + ext6(6, 0) + t),
        "routing_echo": ip6_ext_input(43, ext6(58, 2) + e),
        "ah_tcp": ip6_ext_input(51, ah6(6, 4) + t),
        "fragment": ip6_ext_input(0, ext6(44, 0) +
                                  struct.pack("!BBHI", 17, 0, 1, 9) + u),
        "no_next": ip6_ext_input(0, ext6(59, 0)),
        "seven": ip6_ext_input(0, chain7 + t),
        "cut_short": ip6_ext_input(0, ext6(6, 3)[:20]),
        "plen_short": ip6_ext_input(0, ext6(6, 0) + t, flags=1, plen=12),
        "padded": ip6_ext_input(60, ext6(17, 0) + u, flags=2,
                                trailer=b"\0" * 5 + b"\x06"),
        "nd_solicit": ip6_ext_input(0, ext6(58, 0) + bytes([133, 0]) +
                                    bytes(6)),
        # Found by this harness: AH's length taken in 8-byte units, and
        # the units of the header before it taken from AH's
        "crash-ah-length": ip6_ext_input(0, ext6(51, 1) + ah6(6, 4) + t),
        # Found by this harness: TAP_IP6_EXT_MAX headers were one too many
        "crash-eight-headers": ip6_ext_input(0, chain8 + t),
        # Found by this harness once tap.c checked more: a TCP data
        # offset past the segment, and UDP over IPv6 without a checksum
        "crash-tcp-doff-past-end": ip6_ext_input(
            51, ah6(6, 4) + t[:12] + b"\xf0" + t[13:]),
        "crash-udp6-no-checksum": ip6_ext_input(
            17, u[:6] + b"\0\0" + u[8:]),
    }


def tcp_opts_input(flags, opts, payload=b"", doff=None):
    """Input for fuzz_tcp_opts: a SYN with options (padded to 4 bytes)"""
    opts = opts + b"\x00" * (-len(opts) % 4)
    d = 5 + len(opts) // 4 if doff is None else doff
    return bytes([flags]) + struct.pack("!HHIIBBHHH", 40000, 8080, 1000, 0,
                                        d << 4, 0x02, 65535, 0, 0) + \
        opts + payload


def tcp_opts_corpus():
    """SYN option lists for fuzz_tcp_opts"""
    all4 = OPT_MSS + OPT_WS + OPT_SACKP + OPT_TS + OPT_NOP
    return {
        "none": tcp_opts_input(0, b""),
        "linux": tcp_opts_input(4, all4),
        "linux_v6": tcp_opts_input(5, all4),
        "mss_small_mtu": tcp_opts_input(2, struct.pack("!BBH", 2, 4, 9000)),
        "mss_zero": tcp_opts_input(6, struct.pack("!BBH", 2, 4, 0)),
        "ws_big": tcp_opts_input(0, b"\x01\x03\x03\x0f"),
        "eol_first": tcp_opts_input(0, b"\x00" + OPT_MSS),
        "bad_len": tcp_opts_input(0, OPT_WS + b"\x02\x01" + OPT_MSS),
        "overrun": tcp_opts_input(0, OPT_MSS + b"\x08\x0a\x00\x00"),
        "nops_40": tcp_opts_input(0, b"\x01" * 36 + b"\x03\x03\x07\x00"),
        "twice": tcp_opts_input(0, OPT_MSS + struct.pack("!BBH", 2, 4, 1200)),
        "doff_big": tcp_opts_input(8, OPT_MSS, doff=15),
        "doff_small": tcp_opts_input(8, OPT_MSS, doff=2),
        "data": tcp_opts_input(0, OPT_WS, b"payload after options"),
    }


def icmp_err_rec(payload, cmsg=0, err=1, origin=2, itype=3, code=3,
                 info=0):
    """One error queue message for fuzz_icmp_err: errno selector 0 is
    EMSGSIZE, 1 ECONNREFUSED; origin 1 local, 2 ICMP, 3 ICMPv6"""
    return struct.pack("!BBBBBIH", cmsg, err, origin, itype, code, info,
                       len(payload)) + payload


def icmp_err_corpus():
    """Error queues for fuzz_icmp_err (flags: 1 IPv6, 2-6 MTU, 8 spliced,
    16 read on the guest's side)"""
    q = b"\x12\x34\x01\x00\x00\x01" + bytes(6) + b"\x07example\x03com\x00"
    big = bytes(range(256)) * 6
    return {
        "port_unreach": b"\x00" + icmp_err_rec(q),
        "host_unreach": b"\x00" + icmp_err_rec(q, err=2, code=1),
        "frag_needed": b"\x04" + icmp_err_rec(big, err=0, code=4,
                                                info=1400),
        "local_msgsize": b"\x04" + icmp_err_rec(big, err=0, origin=1,
                                                  itype=0, code=0, info=1280),
        "time_exceeded": b"\x00" + icmp_err_rec(q, itype=11, code=0),
        "v6_port_unreach": b"\x01" + icmp_err_rec(q, origin=3, itype=1,
                                                    code=4),
        "v6_too_big": b"\x03" + icmp_err_rec(big, err=0, origin=3, itype=2,
                                               code=0, info=1280),
        "v6_local_msgsize": b"\x05" + icmp_err_rec(big, err=0, origin=1,
                                                     itype=0, info=1400),
        "no_cmsg": b"\x00" + icmp_err_rec(q, cmsg=1),
        "other_cmsg": b"\x00" + icmp_err_rec(q, cmsg=3),
        "ctrunc": b"\x00" + icmp_err_rec(q, cmsg=4),
        "spliced": b"\x08" + icmp_err_rec(q),
        "tap_side": b"\x10" + icmp_err_rec(q),
        "many": b"\x00" + b"".join(icmp_err_rec(q[:i]) for i in range(20)),
        "empty_payload": b"\x01" + icmp_err_rec(b"", origin=3, itype=1,
                                                 code=4),
        # Found by this harness: the quoted datagram was allowed 548 (or
        # 1232) bytes of payload, not of IP datagram, so errors were 604
        # and 1328 bytes long; nor did a guest MTU below 576 cap them
        "crash-icmp4-over-576": b"\x00" + icmp_err_rec(big[:600]),
        "crash-icmp6-over-1280": b"\x01" + icmp_err_rec(big[:1300], origin=3,
                                                         itype=1, code=4),
        "crash-icmp4-over-mtu": b"\x06" + icmp_err_rec(big[:200]),
    }


def fwd_item(kind, a, b=0, c=0):
    """One item for fuzz_fwd_spec: kind bits 0-1 P, A-B, P:Q, A-B:C-D;
    4 '~'; 8 target as long as the source; 16 leading zeros; 32 '6' in
    front of A; 64 empty"""
    return struct.pack("!BHHH", kind, a, b, c)


def fwd_list(bind, *items):
    """A list spec for fuzz_fwd_spec, bind: index in fuzz_binds[]"""
    return bytes([3 + 8 * bind, len(items) - 1]) + b"".join(items)


def fwd_spec_corpus():
    """Sequences of specs for fuzz_fwd_spec"""
    return {
        "one_port": b"\x00" + fwd_list(0, fwd_item(0, 22)),
        "range_mapped": b"\x00" + fwd_list(0, fwd_item(3 | 8, 8000, 8010,
                                                        9000)),
        "mixed": b"\x00" + fwd_list(1, fwd_item(0, 80), fwd_item(2, 443,
                                     0, 8443), fwd_item(5, 81, 90)),
        "v6_bracket": b"\x00" + fwd_list(3, fwd_item(1, 1, 1024)),
        "ifname": b"\x00" + fwd_list(4, fwd_item(0, 53)) +
        fwd_list(5, fwd_item(0, 54)),
        "all_then_excl": b"\x00\x02" + fwd_list(0, fwd_item(4, 22)),
        "excl_first": b"\x00" + fwd_list(0, fwd_item(5, 1, 1023)) +
        fwd_list(0, fwd_item(0, 22)),
        "auto": b"\x01\x01" + fwd_list(0, fwd_item(4, 5353)),
        "auto_refused": b"\x00\x01",
        "none": b"\x00\x00" + fwd_list(0, fwd_item(0, 1)),
        "zero_port": b"\x00" + fwd_list(0, fwd_item(0, 0)),
        "too_big": b"\x00" + fwd_list(0, fwd_item(0x20, 65535)),
        "reversed": b"\x00" + fwd_list(0, fwd_item(1, 20, 10)),
        "unequal": b"\x00" + fwd_list(0, fwd_item(3, 10, 20, 30)),
        "zeros": b"\x00" + fwd_list(0, fwd_item(0x10 | 3 | 8, 1, 65535, 1)),
        "bad_bind": b"\x00" + fwd_list(12, fwd_item(0, 1)) +
        fwd_list(19, fwd_item(0, 1)),
        "excl_bind": b"\x00" + fwd_list(1, fwd_item(4, 1)),
        "many": b"\x00" + b"".join(fwd_list(i % 11, *[fwd_item(0, 100 * i +
                                    j) for j in range(8)]) for i in range(8)),
    }


# Inputs for fuzz_addr: option index (fuzz_opts[]; 0x80: pasta), value
ADDR = {
    "addr4": (0, "198.51.100.2"),
    "addr4_plen": (0, "198.51.100.2/24"),
    "addr6_plen": (0, "2001:db8::2/64"),
    "addr_zeros": (0, "198.51.100.2/00000000000000000000000000000000000024"),
    "addr_plen_big": (0, "198.51.100.2/33"),
    "addr_loopback": (0, "127.0.0.1"),
    "mask_plen": (1, "24"),
    "mask_dotted": (1, "255.255.240.0"),
    "mask_holes": (1, "255.0.255.0"),
    "mask_zero": (1, "0.0.0.0"),
    "gw6": (2, "fe80::1"),
    "gw_multicast": (2, "224.0.0.1"),
    "outbound_lo": (3, "::1"),
    "dns_none": (4, "none"),
    "dns_empty": (4, ""),
    "dns6": (4, "2001:db8::53"),
    "dns_forward": (5, "198.51.100.53"),
    "dns_host": (0x86, "203.0.113.53"),
    "map_lo": (7, "198.51.100.1"),
    "map_guest": (8, "2001:db8::3"),
    # Found by this harness: an IPv4-mapped address was taken as IPv6 (by
    # all of these but -D), and a prefix length or mask after a tab or a
    # newline was accepted, the only blank parse_u32() refused being ' '
    "crash-addr-v4mapped": (0, "::ffff:198.51.100.2"),
    "crash-gw-v4mapped": (2, "::ffff:198.51.100.1"),
    "crash-mask-tab": (1, "\t24"),
    "crash-plen-newline": (0, "198.51.100.2/\n24"),
}


def addr_input(opt, value):
    """Input for fuzz_addr"""
    return bytes([opt]) + value.encode()


def conf_input(flags, line):
    """Input for fuzz_conf"""
    return bytes([flags]) + b"\0".join(a.encode() for a in line.split())


# Virtqueues: header, then guest memory with rings (fuzz_virtio.c)
VQ_GPA0, VQ_GPA1 = 0x10000, 0x40000
VQ_AVAIL, VQ_USED, VQ_MEM = 0x1000, 0x1400, 16384


def vq_image(qlog, flags, descs, heads, tables=(), frame_len=0, lend=0,
             pattern=0):
    """One fuzz_virtio input: queue of 1 << qlog, descriptors (index, gpa,
    len, flags, next), heads made available, indirect tables (offset, list
    of (gpa, len, flags, next))"""
    mem = bytearray(VQ_MEM)
    for i, addr, length, fl, nxt in descs:
        struct.pack_into("<QIHH", mem, 16 * i, addr, length, fl, nxt)
    for off, entries in tables:
        for j, (addr, length, fl, nxt) in enumerate(entries):
            struct.pack_into("<QIHH", mem, off + 16 * j, addr, length, fl,
                             nxt)
    for n, h in enumerate(heads):
        struct.pack_into("<H", mem, VQ_AVAIL + 4 + 2 * n, h)
    struct.pack_into("<H", mem, VQ_AVAIL + 2, len(heads))
    hdr = struct.pack("<BBHHBB", qlog, flags, 0, frame_len, lend, pattern)
    return hdr + bytes(mem)


def virtio_corpus():
    """Inputs for fuzz_virtio"""
    b0, b1 = VQ_GPA0 + 0x2000, VQ_GPA1 + 0x100
    return {
        "tx_two": vq_image(3, 0, [(0, b0, 100, 1, 1), (1, b1, 60, 0, 0)],
                           [0]),
        "tx_indirect": vq_image(4, 0x03, [(2, VQ_GPA0 + 0x1800, 48, 4, 0)],
                                [2], [(0x1800, [(b0, 12, 1, 1),
                                                (b1, 64, 1, 2),
                                                (b0 + 64, 30, 0, 0)])]),
        # Buffers that end where a region ends: one byte more is outside
        "tx_edges": vq_image(3, 0, [(0, VQ_GPA0 + 8192 - 100, 100, 1, 1),
                                    (1, VQ_GPA1 + 8192 - 64, 64, 0, 0)],
                             [0]),
        "tx_loop": vq_image(3, 0, [(0, b0, 10, 1, 1), (1, b0, 10, 1, 0)],
                            [0]),
        "rx_mrg": vq_image(3, 0x0d, [(i, b0 + 256 * i, 256, 2, 0)
                                     for i in range(4)], [0, 1, 2, 3],
                           frame_len=600),
        "rx_single": vq_image(2, 0x08, [(0, b1, 2048, 2, 0)], [0],
                              frame_len=1514),
        # Lent: frames of 400 bytes over 256-byte chains, then one chain
        # each with a hole and an excess
        "lend_exact": vq_image(3, 0x14, [(i, b0 + 256 * i, 256, 2, 0)
                                         for i in range(8)],
                               list(range(8)), lend=50, pattern=0x03),
        "lend_one": vq_image(3, 0x14, [(i, b0 + 256 * i, 256, 2, 0)
                                       for i in range(8)],
                             list(range(8)), lend=0, pattern=0x35),
    }


# vhost-user: records of descriptors, length, messages (fuzz_vhost_user.c)
def vu_msg(req, payload=b"", flags=1):
    """One vhost-user message"""
    return struct.pack("<III", req, flags, len(payload)) + payload


def vu_rec(data, nfds=0):
    """One record: descriptors attached to the first byte of data"""
    return struct.pack("<BH", nfds, len(data)) + data


def vhost_user_corpus():
    """Inputs for fuzz_vhost_user"""
    u64 = lambda v: struct.pack("<Q", v)
    st = lambda i, n: struct.pack("<II", i, n)
    feats = (1 << 32) | (1 << 30) | (1 << 29) | (1 << 28) | (1 << 15)
    hello = (vu_msg(1) + vu_msg(15) + vu_msg(16, u64(8)) + vu_msg(3) +
             vu_msg(2, u64(feats), flags=9))
    mem = vu_msg(5, struct.pack("<II", 1, 0) +
                 struct.pack("<QQQQ", 0x100000, 1 << 20, 0x7f0000000000, 0),
                 flags=9)
    rings = b""
    for q in (0, 1):
        base = 0x7f0000000000 + q * 0x10000
        rings += (vu_msg(8, st(q, 256)) + vu_msg(10, st(q, 0)) +
                  vu_msg(9, struct.pack("<IIQQQQ", q, 0, base, base + 0x2000,
                                        base + 0x1000, 0)))
    kick = [vu_rec(vu_msg(12, u64(q)), 1) + vu_rec(vu_msg(13, u64(q)), 1) +
            vu_rec(vu_msg(18, st(q, 1))) for q in (0, 1)]
    # Guest memory (memfd offset = GPA - 0x100000): receive buffers on
    # queue 0, an ARP request on queue 1, written before the queues start
    gpa = 0x100000
    rxd = b"".join(struct.pack("<QIHH", gpa + 0x30000 + i * 2048, 2048, 2, 0)
                   for i in range(4))
    rxa = struct.pack("<HH", 0, 4) + struct.pack("<4H", 0, 1, 2, 3)
    arp = eth(BCAST_MAC, 0x0806, struct.pack(
        "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, GUEST_MAC, a4(GUEST4),
        b"\0" * 6, a4(GW4)))
    txd = struct.pack("<QIHH", gpa + 0x20000, 12 + len(arp), 0, 0)
    txa = struct.pack("<HHH", 0, 1, 0)
    guest = b"".join(vu_rec(struct.pack("<H", off // 16) + d, 0xff)
                     for off, d in ((0x0, rxd), (0x1000, rxa),
                                    (0x10000, txd), (0x11000, txa),
                                    (0x20000, bytes(12) + arp)))
    return {
        "frames": (guest + vu_rec(hello) + vu_rec(mem, 1) + vu_rec(rings) +
                   kick[0] + kick[1]),
        "session": (vu_rec(hello) + vu_rec(mem, 1) + vu_rec(rings) +
                    kick[0] + kick[1] + vu_rec(vu_msg(11, st(0, 0)))),
        "two_tables": (vu_rec(hello) + vu_rec(mem, 1) + vu_rec(rings) +
                       vu_rec(mem, 1) + vu_rec(vu_msg(4))),
        "extra_fds": vu_rec(vu_msg(1) + vu_msg(3), 8),
        "cut": vu_rec(hello[:30]),
    }


def write(top, harness, name, data):
    """Write one corpus file"""
    d = os.path.join(top, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    # An option where the folder goes is a mistake, not a folder to fill
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and
                             sys.argv[1].startswith("-")):
        sys.stderr.write("Usage: %s [DIR]\n" % sys.argv[0])
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    top = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

    for name, msg in DHCP.items():
        write(top, "fuzz_dhcp", name, dhcp_udp(msg))
    for name, msg in DHCPV6.items():
        write(top, "fuzz_dhcpv6", name, dhcpv6_udp(msg))
    for name, msg in NDP.items():
        write(top, "fuzz_ndp", name, msg)
    for name, data in frames_corpus().items():
        write(top, "fuzz_frames", name, data)
    for name, data in stream_corpus().items():
        write(top, "fuzz_stream", name, data)
    for name, data in l4_corpus().items():
        write(top, "fuzz_l4", name, data)
    for name, data in ip6_ext_corpus().items():
        write(top, "fuzz_ip6_ext", name, data)
    for name, data in tcp_opts_corpus().items():
        write(top, "fuzz_tcp_opts", name, data)
    for name, data in icmp_err_corpus().items():
        write(top, "fuzz_icmp_err", name, data)
    for name, data in fwd_spec_corpus().items():
        write(top, "fuzz_fwd_spec", name, data)
    for name, data in virtio_corpus().items():
        write(top, "fuzz_virtio", name, data)
    for name, data in vhost_user_corpus().items():
        write(top, "fuzz_vhost_user", name, data)
    for name, (opt, value) in ADDR.items():
        write(top, "fuzz_addr", name, addr_input(opt, value))
    for name, (flags, line) in CONF.items():
        write(top, "fuzz_conf", name, conf_input(flags, line))


if __name__ == "__main__":
    main()
