// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dhcpv6.c - libFuzzer harness for dhcpv6(), the DHCPv6 server
 *
 * The input is one UDP datagram to port 547, header included, exactly as
 * tap.c hands it over. It is given to dhcpv6() for every context variant
 * (fixture.h), from a link-local source. A stub tap_udp6_send() checks
 * each answer: ADVERTISE or REPLY with the client's transaction ID, our
 * Server ID, options that are all whole, within the link MTU.
 *
 * dhcpv6.c is included, not linked, so its static functions are in reach.
 */

#include "../../dhcpv6.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx fuzz_c;

/**
 * struct fuzz_expect - What an answer to the current message must carry
 * @sent:	Answers so far
 * @xid:	Transaction ID of the request
 * @saddr:	Source address of the request
 */
static struct fuzz_expect {
	unsigned sent;
	uint8_t xid[3];
	struct in6_addr saddr;
} fuzz_expect;

/**
 * tap_udp6_send() - Stub: check a DHCPv6 answer instead of sending it
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport,
		   const void *data, size_t len)
{
	unsigned mtu = c->mtu >= MTU_MIN_IPV6 ? c->mtu : MTU_MIN_IPV6;
	uint8_t duid[DUID_LL_LEN];
	const uint8_t *p = data;
	bool sid = false;
	size_t off;

	fuzz_expect.sent++;
	FUZZ_CHECK(sport == DHCPV6_SERVER_PORT && dport == DHCPV6_CLIENT_PORT);
	FUZZ_CHECK(IN6_IS_ADDR_LINKLOCAL(src));
	FUZZ_CHECK(in6_eq(dst, &fuzz_expect.saddr));
	FUZZ_CHECK(len >= DHCPV6_HDR_LEN);
	FUZZ_CHECK(len <= mtu - DHCPV6_IP6_UDP_HLEN && len <= DHCPV6_BUF);
	FUZZ_CHECK(p[0] == DHCPV6_ADVERTISE || p[0] == DHCPV6_REPLY);
	FUZZ_CHECK(!memcmp(p + 1, fuzz_expect.xid, 3));

	dhcpv6_duid(c, duid);
	for (off = DHCPV6_HDR_LEN; off < len; ) {
		size_t olen;

		FUZZ_CHECK(off + DHCPV6_OPT_HDR_LEN <= len);
		olen = (size_t)p[off + 2] << 8 | p[off + 3];
		FUZZ_CHECK(off + DHCPV6_OPT_HDR_LEN + olen <= len);
		if (p[off] == 0 && p[off + 1] == OPT_SERVERID) {
			FUZZ_CHECK(olen == sizeof(duid));
			FUZZ_CHECK(!memcmp(p + off + 4, duid, sizeof(duid)));
			sid = true;
		}
		off += DHCPV6_OPT_HDR_LEN + olen;
	}
	FUZZ_CHECK(sid);
}

/**
 * tap_icmp6_send() - Stub for ndp.c, linked for ndp_ll_addr(): unused
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 message
 * @len:	Length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	(void)c; (void)src; (void)dst; (void)icmp6; (void)len;
	FUZZ_CHECK(!"NDP message from DHCPv6 code");
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
	FUZZ_CHECK(!"DHCP reply from DHCPv6 code");
}

/**
 * tap_is_ready() - Stub for ndp.c: a guest is attached
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
 * LLVMFuzzerTestOneInput() - Feed one UDP datagram to dhcpv6()
 * @data:	Datagram, UDP header included
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt udp = pkt_init(data, size, 0);
	unsigned v;

	memset(fuzz_expect.xid, 0, sizeof(fuzz_expect.xid));
	if (size >= sizeof(struct udphdr) + DHCPV6_HDR_LEN)
		memcpy(fuzz_expect.xid, data + sizeof(struct udphdr) + 1, 3);
	fuzz_expect.saddr = fuzz_addr6("fe80::1234:5678");

	for (v = 0; v < FUZZ_CTX_NUM; v++) {
		fuzz_ctx_fill(&fuzz_c, (enum fuzz_variant)v);
		fuzz_expect.sent = 0;
		dhcpv6(&fuzz_c, &fuzz_expect.saddr, &udp);
		FUZZ_CHECK(fuzz_expect.sent <= 1);
	}
	return 0;
}
