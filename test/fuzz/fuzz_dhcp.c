// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dhcp.c - libFuzzer harness for dhcp(), the DHCP server
 *
 * The input is one UDP datagram to port 67, header included, exactly as
 * tap.c hands it over. It is given to dhcp() once per context variant
 * (fixture.h). The reply is caught by a stub tap_udp4_send() that checks
 * what the guest would get: one well-formed BOOTREPLY, options that parse
 * and end with End, within the size the client and the MTU allow.
 *
 * dhcp.c is included, not linked, so its static functions are in reach
 * and instrumented with this file.
 */

#include "../../dhcp.c"
#include "fixture.h"

#include <netinet/ip.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx fuzz_c;

/**
 * struct fuzz_expect - What a reply to the current request may look like
 * @replies:	Replies sent so far
 * @max:	Largest reply, IP and UDP headers included
 */
static struct fuzz_expect {
	unsigned replies;
	size_t max;
} fuzz_expect;

/**
 * fuzz_max_msg() - Maximum message size the request asks for (option 57)
 * @udp:	Request, UDP header included
 *
 * Walks the options the way dhcp_parse_opts() does, but only to find
 * option 57; a request that dhcp() rejects gets no reply to check anyway.
 *
 * Return: size, DHCP_MSG_MIN if not given
 */
static size_t fuzz_max_msg(const struct pkt *udp)
{
	size_t off = sizeof(struct dhcp_hdr), max = DHCP_MSG_MIN;
	struct pkt msg;
	uint16_t ulen, v;
	uint8_t code, len;

	if (!pkt_be16(udp, 4, &ulen) || ulen < 8 ||
	    !pkt_sub(udp, 8, ulen - 8U, &msg))
		return max;
	while (pkt_u8(&msg, off, &code) && code != OPT_END) {
		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (!pkt_u8(&msg, off + 1, &len))
			break;
		if (code == OPT_MAX_MSG_SIZE && len == 2 &&
		    pkt_be16(&msg, off + 2, &v))
			max = MAX(v, DHCP_MSG_MIN);
		off += 2 + (size_t)len;
	}
	return max;
}

/**
 * tap_udp4_send() - Stub: check a DHCP reply instead of sending it
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
	const uint8_t *p = data;
	struct dhcp_hdr h;
	size_t off;
	bool end = false;

	(void)dst;
	fuzz_expect.replies++;
	FUZZ_CHECK(sport == DHCP_SERVER_PORT && dport == DHCP_CLIENT_PORT);
	FUZZ_CHECK(in4_eq(&src, &c->ip4.our_tap_addr) ||
		   (in4_is_unspec(&c->ip4.our_tap_addr) &&
		    in4_eq(&src, &c->ip4.gw)));
	FUZZ_CHECK(len >= DHCP_BOOTP_MIN);
	FUZZ_CHECK(len + DHCP_IP_UDP_HLEN <= fuzz_expect.max);

	memcpy(&h, data, sizeof(h));
	FUZZ_CHECK(h.op == BOOTREPLY && ntohl(h.cookie) == DHCP_MAGIC);
	FUZZ_CHECK(in4_is_unspec(&h.yiaddr) || in4_eq(&h.yiaddr, &c->ip4.addr));

	/* Options: each whole, an End, then only padding */
	for (off = sizeof(h); off < len; ) {
		if (end) {
			FUZZ_CHECK(p[off] == OPT_PAD);
			off++;
			continue;
		}
		if (p[off] == OPT_END) {
			end = true;
			off++;
			continue;
		}
		if (p[off] == OPT_PAD) {
			off++;
			continue;
		}
		FUZZ_CHECK(off + 2 <= len && off + 2 + p[off + 1] <= len);
		off += 2 + (size_t)p[off + 1];
	}
	FUZZ_CHECK(end);
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
 * LLVMFuzzerTestOneInput() - Feed one UDP datagram to dhcp()
 * @data:	Datagram, UDP header included
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt udp = pkt_init(data, size, 0);
	int v;

	for (v = 0; v < FUZZ_CTX_NUM; v++) {
		fuzz_ctx_fill(&fuzz_c, (enum fuzz_variant)v);
		fuzz_expect.replies = 0;
		fuzz_expect.max = fuzz_max_msg(&udp);
		if (fuzz_c.mtu)
			fuzz_expect.max = MAX(MIN(fuzz_expect.max, fuzz_c.mtu),
					      DHCP_MSG_MIN);
		dhcp(&fuzz_c, &udp);
		FUZZ_CHECK(fuzz_expect.replies <= 1);
	}
	return 0;
}
