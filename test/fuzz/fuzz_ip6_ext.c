// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ip6_ext.c - libFuzzer harness for tap.c's IPv6 extension header walk
 *
 * Input layout:
 *
 *	byte 0		flags, FUZZ_F_* below
 *	byte 1		Next Header field of the IPv6 header
 *	bytes 2, 3	Payload Length, big-endian, used with FUZZ_F_PLEN
 *			(else the length of what follows, less the trailer)
 *	then		the IPv6 payload: extension headers, L4 header, data
 *
 * The harness puts an Ethernet header and an IPv6 header (2001:db8::2 to
 * 2001:db8::1, so no address is a martian) in front of the payload, in a
 * buffer of the frame's exact size, and hands that one frame to
 * tap_handle_frames(). With FUZZ_F_TRAILER, the last up to 15 bytes of the
 * input (their number given by the low nibble of the last byte) are
 * Ethernet padding: in the frame, not in the IPv6 payload.
 *
 * The expected outcome is worked out here from RFC 8200 and RFC 4302,
 * independently of tap.c: Hop-by-Hop, Routing and Destination Options
 * headers are (Hdr Ext Len + 1) * 8 bytes long, an Authentication Header
 * is (Payload Len + 2) * 4 bytes; a Hop-by-Hop header anywhere but first
 * is dropped (RFC 8200 4.1); a Fragment header drops the packet (the
 * daemon does not reassemble); at most TAP_IP6_EXT_MAX extension headers
 * are walked. A TCP, UDP or ICMPv6 echo request must then reach its
 * handler with a view that starts exactly where the L4 header starts and
 * ends where the IPv6 payload ends; anything else must reach no handler,
 * and the drop must be counted under the matching counter.
 *
 * Link services are off (--no-ndp --no-dhcpv6), so that NDP messages are
 * just ignored and DHCPv6 is a UDP port like any other.
 */

#include "../../tap.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_F_PLEN		0x01	/* Payload Length from bytes 2, 3 */
#define FUZZ_F_TRAILER		0x02	/* Ethernet padding after the packet */

#define FUZZ_HDR		4	/* input bytes before the payload */
#define FUZZ_L3OFF		(ETH_HLEN_ + sizeof(struct ip6_hdr))

static struct ctx fuzz_c;
static int fuzz_epollfd = -1;

/* Every drop counter tap_ip6() may move */
static const enum stat_id fuzz_drops[] = {
	STAT_TAP_DROP_SHORT, STAT_TAP_DROP_IP6, STAT_TAP_DROP_FRAG,
	STAT_TAP_DROP_EXTHDR, STAT_TAP_DROP_MARTIAN, STAT_TAP_DROP_PROTO,
	STAT_TAP_DROP_L4, STAT_ICMP_DROP,
};

/* What the handlers saw */
static unsigned fuzz_calls;
static struct tap_l4_seq fuzz_seq;
static struct pkt fuzz_view;

/**
 * enum fuzz_outcome - What should happen to the packet
 */
enum fuzz_outcome {
	FUZZ_DELIVER,		/* to an L4 handler */
	FUZZ_IGNORE,		/* NDP with --no-ndp: nothing, no counter */
	FUZZ_DROP_IP6,		/* bad IPv6 header or length */
	FUZZ_DROP_FRAG,
	FUZZ_DROP_EXTHDR,
	FUZZ_DROP_PROTO,
	FUZZ_DROP_L4,		/* L4 header cut short */
	FUZZ_DROP_CSUM,		/* UDP without a checksum */
	FUZZ_DROP_ICMP,		/* ICMPv6 but not an echo request */
};

/**
 * struct fuzz_expect - Expected outcome, and where the L4 header is
 * @what:	Outcome
 * @proto:	L4 protocol, if delivered
 * @off:	Offset of the L4 header in the IPv6 payload
 */
struct fuzz_expect {
	enum fuzz_outcome what;
	uint8_t proto;
	size_t off;
};

/**
 * fuzz_l4_handler() - Record the group tap.c hands over
 * @c:		Execution context
 * @s:		Packets of one flow
 * @now:	Current time
 */
static void fuzz_l4_handler(struct ctx *c, const struct tap_l4_seq *s,
			    const struct timespec *now)
{
	(void)c;
	(void)now;
	FUZZ_CHECK(s->count == 1);
	fuzz_calls++;
	fuzz_seq = *s;
	fuzz_view = s->pkts[0];
}

/**
 * fuzz_walk() - Where the upper-layer header is, by the RFCs
 * @p:		IPv6 payload
 * @plen:	Its length (Payload Length)
 * @nxt:	Next Header of the IPv6 header
 *
 * Return: expected outcome
 */
static struct fuzz_expect fuzz_walk(const uint8_t *p, size_t plen,
				    uint8_t nxt)
{
	struct fuzz_expect e = { FUZZ_DROP_EXTHDR, 0, 0 };
	unsigned walked = 0;
	size_t at = 0;

	for (;;) {
		size_t hl;

		if (nxt == IPPROTO_FRAGMENT) {
			e.what = FUZZ_DROP_FRAG;
			return e;
		}
		if (nxt != IPPROTO_HOPOPTS && nxt != IPPROTO_ROUTING &&
		    nxt != IPPROTO_DSTOPTS && nxt != IPPROTO_AH)
			break;
		/* RFC 8200 4.1: Hop-by-Hop Options only right after IPv6 */
		if (nxt == IPPROTO_HOPOPTS && walked)
			return e;
		if (walked == TAP_IP6_EXT_MAX || at > plen || plen - at < 2)
			return e;
		if (nxt == IPPROTO_AH)
			hl = 4 * ((size_t)p[at + 1] + 2);
		else
			hl = 8 * ((size_t)p[at + 1] + 1);
		nxt = p[at];
		walked++;
		/* Past the end: found when the next header is looked at, so a
		 * Fragment header there is still counted as a fragment
		 */
		at += hl;
	}
	if (at > plen)
		return e;

	e.off = at;
	e.proto = nxt;
	switch (nxt) {
	case IPPROTO_TCP: {
		/* RFC 9293 3.1: Data Offset, in 32-bit words, 5 at least */
		size_t doff = plen - at >= 20 ? (size_t)(p[at + 12] >> 4) * 4 : 0;

		e.what = doff >= 20 && doff <= plen - at ? FUZZ_DELIVER :
							   FUZZ_DROP_L4;
		break;
	}
	case IPPROTO_UDP:
		e.what = plen - at >= 8 ? FUZZ_DELIVER : FUZZ_DROP_L4;
		/* RFC 8200 8.1: a zero checksum over IPv6 is discarded (other
		 * checksums are summed but not enforced in fuzzing builds)
		 */
		if (e.what == FUZZ_DELIVER && !p[at + 6] && !p[at + 7] &&
		    (p[at + 4] << 8 | p[at + 5]) >= 8 &&
		    (size_t)(p[at + 4] << 8 | p[at + 5]) <= plen - at)
			e.what = FUZZ_DROP_CSUM;
		break;
	case IPPROTO_ICMPV6:
		if (plen - at < 8)
			e.what = FUZZ_DROP_L4;
		else if (p[at] >= ND_ROUTER_SOLICIT && p[at] <= ND_REDIRECT)
			e.what = FUZZ_IGNORE;
		else if (p[at] == ICMP6_ECHO_REQUEST && !p[at + 1])
			e.what = FUZZ_DELIVER;
		else
			e.what = FUZZ_DROP_ICMP;
		break;
	default:
		e.what = FUZZ_DROP_PROTO;
	}
	return e;
}

/**
 * fuzz_counter() - Counter that a drop must increment
 * @what:	Outcome
 *
 * Return: counter, STAT_COUNT for none
 */
static enum stat_id fuzz_counter(enum fuzz_outcome what)
{
	switch (what) {
	case FUZZ_DROP_IP6:	return STAT_TAP_DROP_IP6;
	case FUZZ_DROP_FRAG:	return STAT_TAP_DROP_FRAG;
	case FUZZ_DROP_EXTHDR:	return STAT_TAP_DROP_EXTHDR;
	case FUZZ_DROP_PROTO:	return STAT_TAP_DROP_PROTO;
	case FUZZ_DROP_L4:	return STAT_TAP_DROP_L4;
	case FUZZ_DROP_CSUM:	return STAT_TAP_DROP_L4_CSUM;
	case FUZZ_DROP_ICMP:	return STAT_ICMP_DROP;
	default:		return STAT_COUNT;
	}
}

/**
 * LLVMFuzzerInitialize() - Once, before the first input
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	memset(&tap_hash_key, 0x5a, sizeof(tap_hash_key));
	fuzz_epollfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_CHECK(fuzz_epollfd >= 0);
	FUZZ_CHECK(!pcap_init("/dev/null"));
	tap_register_l4(IPPROTO_TCP, fuzz_l4_handler);
	tap_register_l4(IPPROTO_UDP, fuzz_l4_handler);
	tap_register_l4(IPPROTO_ICMPV6, fuzz_l4_handler);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Walk one IPv6 packet's extension headers
 * @data:	Flags, Next Header, Payload Length, payload: see above
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t dst_mac[MAC_LEN] = { 0x9a, 0x55, 0x9a, 0x55,
						  0x9a, 0x55 };
	static const uint8_t src_mac[MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct timespec now = { .tv_sec = 1000 };
	uint64_t before[STAT_COUNT];
	struct fuzz_expect e;
	struct ip6_hdr ip6h;
	size_t avail, trailer = 0, plen, flen;
	uint16_t eth_type = htons(ETHERTYPE_IPV6);
	uint8_t flags, *frame;
	struct pkt f;
	unsigned i;

	if (size < FUZZ_HDR)
		return 0;
	flags = data[0];
	avail = size - FUZZ_HDR;
	if (flags & FUZZ_F_TRAILER && avail)
		trailer = MIN(data[size - 1] & 0x0f, avail);
	avail -= trailer;
	plen = flags & FUZZ_F_PLEN ? (size_t)data[2] << 8 | data[3] : avail;
	if (plen > 65535)
		return 0;

	fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
	fuzz_c.no_ndp = fuzz_c.no_dhcpv6 = fuzz_c.no_dhcp = true;
	fuzz_c.epollfd = fuzz_epollfd;

	/* The frame, in a buffer of its exact size (harness only) */
	flen = FUZZ_L3OFF + avail + trailer;
	frame = malloc(flen);
	FUZZ_CHECK(frame);
	memcpy(frame, dst_mac, MAC_LEN);
	memcpy(frame + MAC_LEN, src_mac, MAC_LEN);
	memcpy(frame + 2 * MAC_LEN, &eth_type, sizeof(eth_type));
	memset(&ip6h, 0, sizeof(ip6h));
	ip6h.ip6_flow = htonl(6U << 28);
	ip6h.ip6_plen = htons((uint16_t)plen);
	ip6h.ip6_nxt = data[1];
	ip6h.ip6_hlim = 64;
	ip6h.ip6_src = fuzz_c.ip6.addr;
	ip6h.ip6_dst = fuzz_c.ip6.gw;
	memcpy(frame + ETH_HLEN_, &ip6h, sizeof(ip6h));
	memcpy(frame + FUZZ_L3OFF, data + FUZZ_HDR, avail + trailer);

	if (!plen || plen > avail + trailer)
		e = (struct fuzz_expect){ FUZZ_DROP_IP6, 0, 0 };
	else
		e = fuzz_walk(frame + FUZZ_L3OFF, plen, data[1]);

	memcpy(before, stats, sizeof(before));
	fuzz_calls = 0;
	f = pkt_init(frame, flen, 0);
	tap_handle_frames(&fuzz_c, &f, 1, &now);
	FUZZ_CHECK(!tap_seq_count && !tap_l4_count);

	if (e.what == FUZZ_DELIVER) {
		const uint8_t *l4 = frame + FUZZ_L3OFF + e.off;

		FUZZ_CHECK(fuzz_calls == 1);
		FUZZ_CHECK(fuzz_seq.af == AF_INET6);
		FUZZ_CHECK(fuzz_seq.proto == e.proto);
		FUZZ_CHECK(fuzz_view.data == l4);
		FUZZ_CHECK(fuzz_view.len == plen - e.off);
		FUZZ_CHECK(fuzz_seq.sport == (l4[0] << 8 | l4[1]) ||
			   e.proto == IPPROTO_ICMPV6);
		if (e.proto == IPPROTO_ICMPV6)
			FUZZ_CHECK(fuzz_seq.sport == (l4[4] << 8 | l4[5]) &&
				   !fuzz_seq.dport);
		else
			FUZZ_CHECK(fuzz_seq.dport == (l4[2] << 8 | l4[3]));
		FUZZ_CHECK(inany_equals(&fuzz_seq.src,
			   &(union inany_addr){ .a6 = fuzz_c.ip6.addr }));
	} else {
		enum stat_id id = fuzz_counter(e.what);

		FUZZ_CHECK(!fuzz_calls);
		if (id != STAT_COUNT)
			FUZZ_CHECK(stats[id] == before[id] + 1);
	}
	/* No other drop counter moved */
	for (i = 0; i < ARRAY_SIZE(fuzz_drops); i++) {
		enum stat_id id = fuzz_drops[i];

		if (e.what == FUZZ_DELIVER || e.what == FUZZ_IGNORE ||
		    id != fuzz_counter(e.what))
			FUZZ_CHECK(stats[id] == before[id]);
	}

	free(frame);
	return 0;
}
