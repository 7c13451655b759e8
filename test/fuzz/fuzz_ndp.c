// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ndp.c - libFuzzer harness for ndp(), NDP solicitations from the guest
 *
 * The input is one ICMPv6 message, header included, exactly as tap.c
 * hands it over. It is given to ndp() for every context variant
 * (fixture.h) and a few source addresses: link-local, global,
 * unspecified (duplicate address detection) and multicast, with hop
 * limit 255, and once with 64, which must go unanswered. A stub
 * tap_icmp6_send() checks each answer: a Neighbour or Router
 * Advertisement whose options are all whole, within the link MTU.
 *
 * ndp.c is included, not linked, so its static functions are in reach.
 */

#include "../../ndp.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx fuzz_c;
static unsigned fuzz_sent;
static uint8_t fuzz_sent_type;

/**
 * tap_icmp6_send() - Stub: check an NDP message instead of sending it
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 message
 * @len:	Length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	unsigned mtu = c->mtu >= MTU_MIN_IPV6 ? c->mtu : MTU_MIN_IPV6;
	const uint8_t *p = icmp6;
	size_t off, hlen;

	fuzz_sent++;
	FUZZ_CHECK(len >= sizeof(struct icmp6_hdr));
	fuzz_sent_type = p[0];
	FUZZ_CHECK(len <= mtu - NDP_IP6_HLEN && len <= NDP_RA_BUF);
	FUZZ_CHECK(!IN6_IS_ADDR_UNSPECIFIED(dst));
	FUZZ_CHECK(!IN6_IS_ADDR_MULTICAST(src));
	FUZZ_CHECK(p[1] == 0);

	switch (p[0]) {
	case ND_ROUTER_ADVERT:
		FUZZ_CHECK(in6_eq(src, &c->ip6.our_tap_ll));
		hlen = sizeof(struct nd_router_advert);
		break;
	case ND_NEIGHBOR_ADVERT:
		hlen = sizeof(struct nd_neighbor_advert);
		FUZZ_CHECK(len >= hlen);
		/* Never for the guest's own address */
		FUZZ_CHECK(memcmp(p + 8, &c->ip6.addr, 16));
		break;
	default:
		FUZZ_CHECK(!"unexpected ICMPv6 type sent");
		return;
	}

	for (off = hlen; off < len; off += (size_t)p[off + 1] * NDP_OPT_UNIT) {
		FUZZ_CHECK(off + 2 <= len && p[off + 1]);
		FUZZ_CHECK(off + (size_t)p[off + 1] * NDP_OPT_UNIT <= len);
	}
}

/**
 * tap_is_ready() - Stub: a guest is attached
 * @c:		Execution context
 *
 * Return: true
 */
bool tap_is_ready(const struct ctx *c)
{
	(void)c;
	return true;
}

/**
 * tap_udp4_send() - Stub for dhcp.c, linked for dhcp_name_encode(): unused
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *data,
		   size_t len)
{
	(void)c; (void)src; (void)sport; (void)dst; (void)dport;
	(void)data; (void)len;
	FUZZ_CHECK(!"DHCP reply from NDP code");
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
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one ICMPv6 message to ndp()
 * @data:	Message, ICMPv6 header included
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const srcs[] = {
		"fe80::1234:5678", "2001:db8::2", "::", "ff02::1",
	};
	struct pkt msg = pkt_init(data, size, 0);
	unsigned v, s;

	for (v = 0; v < FUZZ_CTX_NUM; v++) {
		for (s = 0; s < ARRAY_SIZE(srcs); s++) {
			struct in6_addr saddr = fuzz_addr6(srcs[s]);

			fuzz_ctx_fill(&fuzz_c, (enum fuzz_variant)v);
			fuzz_c.no_ra = v == FUZZ_CTX_BARE;
			/* Not from the link: never answered */
			fuzz_sent = 0;
			ndp(&fuzz_c, &saddr, 64, &msg);
			FUZZ_CHECK(!fuzz_sent);

			ndp(&fuzz_c, &saddr, 255, &msg);
			FUZZ_CHECK(fuzz_sent <= 1);
			/* Nothing answers a multicast source, or DAD; a
			 * solicitation from :: gets its RA multicast
			 */
			if (s == 3)
				FUZZ_CHECK(!fuzz_sent);
			if (s == 2 && fuzz_sent)
				FUZZ_CHECK(fuzz_sent_type == ND_ROUTER_ADVERT);
		}
	}
	return 0;
}
