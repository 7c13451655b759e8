// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: dhcp.c util.c log.c checksum.c stats.c inany.c */
/* test_dhcp.c - unit tests for the DHCP server (dhcp.c)
 *
 * Requests are built byte by byte, fed to dhcp(), and the reply is caught
 * by a stub tap_udp4_send() that stands in for tap.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "util.h"
#include "stats.h"
#include "packet.h"
#include "tap.h"
#include "dhcp.h"

#define REQ_MAX		2048
#define SENT_MAX	4096

/**
 * struct sent - The last datagram dhcp() sent
 * @count:	Datagrams sent since the last reset
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 */
static struct sent {
	unsigned count;
	struct in_addr src;
	uint16_t sport;
	struct in_addr dst;
	uint16_t dport;
	uint8_t data[SENT_MAX];
	size_t len;
} sent;

/**
 * struct req - A request being built: UDP header, BOOTP, options
 * @buf:	Bytes
 * @len:	Length
 */
struct req {
	uint8_t buf[REQ_MAX];
	size_t len;
};

static struct ctx c;

/* Stubs for tap.c */

/**
 * tap_udp4_send() - Stub: record the datagram
 * @ctx:	Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Length
 */
void tap_udp4_send(struct ctx *ctx, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *data,
		   size_t len)
{
	(void)ctx;
	assert_true(len <= SENT_MAX);
	sent.count++;
	sent.src = src;
	sent.sport = sport;
	sent.dst = dst;
	sent.dport = dport;
	memcpy(sent.data, data, len);
	sent.len = len;
}

/* Helpers */

/**
 * addr4() - Parse an IPv4 address
 * @s:		Dotted quad
 *
 * Return: address
 */
static struct in_addr addr4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/**
 * setup() - Reset the context and the capture before each test
 * @state:	cmocka state, unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	static const uint8_t mac[MAC_LEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a,
					      0x55 };
	static const uint8_t gmac[MAC_LEN] = { 0x52, 0x54, 0, 0x12, 0x34,
					       0x56 };

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&sent, 0, sizeof(sent));
	memset(stats, 0, sizeof(stats));

	memcpy(c.our_tap_mac, mac, MAC_LEN);
	memcpy(c.guest_mac, gmac, MAC_LEN);
	c.mtu = 1500;
	c.ifi4_on = true;
	c.ip4.addr = addr4("192.0.2.10");
	c.ip4.prefix_len = 24;
	c.ip4.gw = addr4("192.0.2.1");
	c.ip4.our_tap_addr = addr4("192.0.2.1");
	c.ip4.dns[0] = addr4("192.0.2.53");
	c.ip4.dns[1] = addr4("198.51.100.53");
	c.ip4.dns_count = 2;
	strcpy(c.hostname, "guest");
	strcpy(c.fqdn, "guest.example.com");
	strcpy(c.search[0].n, "example.com");
	strcpy(c.search[1].n, "corp.example.org.");
	c.search_count = 2;
	return 0;
}

/**
 * req_init() - Start a request: UDP header, BOOTP header, cookie
 * @r:		Request
 * @type:	DHCP message type, 0 for none
 */
static void req_init(struct req *r, uint8_t type)
{
	static const uint8_t chaddr[MAC_LEN] = { 0x52, 0x54, 0, 0x12, 0x34,
						 0x56 };
	uint8_t *b = r->buf;

	memset(r, 0, sizeof(*r));
	b[0] = 0; b[1] = 68;			/* UDP source port */
	b[2] = 0; b[3] = 67;			/* UDP destination port */
	b += 8;
	b[0] = 1;				/* op: BOOTREQUEST */
	b[1] = 1;				/* htype: Ethernet */
	b[2] = 6;				/* hlen */
	b[4] = 0xde; b[5] = 0xad; b[6] = 0xbe; b[7] = 0xef;	/* xid */
	memcpy(b + 28, chaddr, MAC_LEN);
	b[236] = 0x63; b[237] = 0x82; b[238] = 0x53; b[239] = 0x63;
	r->len = 8 + 240;
	if (type) {
		b[240] = 53;
		b[241] = 1;
		b[242] = type;
		r->len += 3;
	}
}

/**
 * req_opt() - Append an option
 * @r:		Request
 * @code:	Code
 * @data:	Payload
 * @len:	Length
 */
static void req_opt(struct req *r, uint8_t code, const void *data,
		    uint8_t len)
{
	r->buf[r->len++] = code;
	r->buf[r->len++] = len;
	memcpy(r->buf + r->len, data, len);
	r->len += len;
}

/**
 * req_send() - Finish a request (End option, UDP length) and feed it
 * @r:		Request
 * @end:	Append an End option
 */
static void req_send(struct req *r, bool end)
{
	struct pkt p;

	if (end)
		r->buf[r->len++] = 255;
	r->buf[4] = (uint8_t)(r->len >> 8);
	r->buf[5] = (uint8_t)r->len;
	p = pkt_init(r->buf, r->len, 0);
	dhcp(&c, &p);
}

/**
 * req_field() - Pointer to a BOOTP field of a request
 * @r:		Request
 * @off:	Offset in the BOOTP message
 *
 * Return: pointer
 */
static uint8_t *req_field(struct req *r, size_t off)
{
	return r->buf + 8 + off;
}

/**
 * reply_opt() - Find an option in the captured reply
 * @code:	Code
 * @len:	Set to its length
 *
 * Return: pointer to its payload, NULL if absent
 */
static const uint8_t *reply_opt(uint8_t code, size_t *len)
{
	size_t off = 240;

	while (off < sent.len) {
		uint8_t o = sent.data[off];

		if (o == 0) {
			off++;
			continue;
		}
		if (o == 255)
			return NULL;
		assert_true(off + 2 <= sent.len);
		assert_true(off + 2 + sent.data[off + 1] <= sent.len);
		if (o == code) {
			*len = sent.data[off + 1];
			return sent.data + off + 2;
		}
		off += 2 + (size_t)sent.data[off + 1];
	}
	fail_msg("reply options not terminated");
	return NULL;
}

/**
 * reply_type() - Message type of the captured reply
 *
 * Return: option 53
 */
static uint8_t reply_type(void)
{
	const uint8_t *o;
	size_t len;

	o = reply_opt(53, &len);
	assert_non_null(o);
	assert_int_equal(len, 1);
	return o[0];
}

/**
 * reply_addr() - An address field of the captured reply
 * @off:	Offset in the BOOTP message
 *
 * Return: address
 */
static struct in_addr reply_addr(size_t off)
{
	struct in_addr a;

	memcpy(&a, sent.data + off, 4);
	return a;
}

/**
 * assert_dropped() - Nothing was sent, and a drop was counted
 */
static void assert_dropped(void)
{
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_DHCP_DROP], 1);
	assert_int_equal(stats[STAT_DHCP_REPLIES], 0);
}

/* Tests */

/**
 * test_discover_offer() - DISCOVER gets an OFFER with all our options
 * @state:	cmocka state, unused
 */
static void test_discover_offer(void **state)
{
	static const uint8_t search[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		4, 'c', 'o', 'r', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'o', 'r', 'g', 0,
	};
	static const uint8_t fqdn[] = {
		0x0c, 255, 255, 5, 'g', 'u', 'e', 's', 't',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	static const uint8_t dns[] = { 192, 0, 2, 53, 198, 51, 100, 53 };
	static const uint8_t mask[] = { 255, 255, 255, 0 };
	static const uint8_t inf[] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t *o;
	struct req r;
	size_t len;

	(void)state;
	req_init(&r, 1);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(stats[STAT_DHCP_REPLIES], 1);
	assert_int_equal(sent.src.s_addr, addr4("192.0.2.1").s_addr);
	assert_int_equal(sent.sport, 67);
	assert_int_equal(sent.dst.s_addr, htonl(INADDR_BROADCAST));
	assert_int_equal(sent.dport, 68);
	assert_true(sent.len >= 300);

	assert_int_equal(sent.data[0], 2);			/* BOOTREPLY */
	assert_memory_equal(sent.data + 4, "\xde\xad\xbe\xef", 4);
	assert_int_equal(reply_addr(16).s_addr, c.ip4.addr.s_addr);
	assert_memory_equal(sent.data + 28, c.guest_mac, MAC_LEN);
	assert_memory_equal(sent.data + 236, "\x63\x82\x53\x63", 4);
	assert_int_equal(reply_type(), 2);			/* OFFER */

	o = reply_opt(54, &len);
	assert_non_null(o);
	assert_int_equal(len, 4);
	assert_memory_equal(o, &c.ip4.our_tap_addr, 4);
	o = reply_opt(51, &len);
	assert_non_null(o);
	assert_memory_equal(o, inf, 4);
	o = reply_opt(1, &len);
	assert_non_null(o);
	assert_memory_equal(o, mask, 4);
	o = reply_opt(3, &len);
	assert_non_null(o);
	assert_memory_equal(o, &c.ip4.gw, 4);
	o = reply_opt(6, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(dns));
	assert_memory_equal(o, dns, sizeof(dns));
	o = reply_opt(12, &len);
	assert_non_null(o);
	assert_int_equal(len, 5);
	assert_memory_equal(o, "guest", 5);
	o = reply_opt(26, &len);
	assert_non_null(o);
	assert_int_equal(len, 2);
	assert_int_equal(o[0] << 8 | o[1], 1500);
	o = reply_opt(81, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(fqdn));
	assert_memory_equal(o, fqdn, sizeof(fqdn));
	o = reply_opt(119, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(search));
	assert_memory_equal(o, search, sizeof(search));

	/* Gateway inside the prefix: no classless routes */
	assert_null(reply_opt(121, &len));
}

/**
 * test_server_id_fallback() - Without our_tap_addr, the gateway serves
 * @state:	cmocka state, unused
 */
static void test_server_id_fallback(void **state)
{
	const uint8_t *o;
	struct req r;
	size_t len;

	(void)state;
	c.ip4.our_tap_addr.s_addr = 0;
	c.ip4.gw = addr4("192.0.2.254");
	req_init(&r, 1);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(sent.src.s_addr, c.ip4.gw.s_addr);
	o = reply_opt(54, &len);
	assert_non_null(o);
	assert_memory_equal(o, &c.ip4.gw, 4);
}

/**
 * test_request_ack() - REQUEST for our address gets an ACK
 * @state:	cmocka state, unused
 */
static void test_request_ack(void **state)
{
	struct req r;
	size_t len;

	(void)state;
	req_init(&r, 3);
	req_opt(&r, 50, &c.ip4.addr, 4);
	req_opt(&r, 54, &c.ip4.our_tap_addr, 4);
	req_opt(&r, 55, "\x01\x03\x06\x0c\x0f\x1a\x77", 7);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(reply_type(), 5);			/* ACK */
	assert_int_equal(reply_addr(16).s_addr, c.ip4.addr.s_addr);
	assert_non_null(reply_opt(51, &len));
	assert_int_equal(sent.dst.s_addr, htonl(INADDR_BROADCAST));
}

/**
 * test_renew_unicast() - REQUEST from a bound client (ciaddr) is unicast
 * @state:	cmocka state, unused
 */
static void test_renew_unicast(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 3);
	memcpy(req_field(&r, 12), &c.ip4.addr, 4);		/* ciaddr */
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(reply_type(), 5);
	assert_int_equal(sent.dst.s_addr, c.ip4.addr.s_addr);
	assert_int_equal(reply_addr(12).s_addr, c.ip4.addr.s_addr);
}

/**
 * test_request_nak() - REQUEST for another address gets a NAK
 * @state:	cmocka state, unused
 */
static void test_request_nak(void **state)
{
	struct in_addr other = addr4("10.0.0.5");
	struct req r;
	size_t len;

	(void)state;
	req_init(&r, 3);
	req_opt(&r, 50, &other, 4);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(reply_type(), 6);			/* NAK */
	assert_int_equal(reply_addr(16).s_addr, 0);
	assert_null(reply_opt(51, &len));
	assert_null(reply_opt(1, &len));
	assert_int_equal(sent.dst.s_addr, htonl(INADDR_BROADCAST));
}

/**
 * test_request_other_server() - REQUEST to another server is ignored
 * @state:	cmocka state, unused
 */
static void test_request_other_server(void **state)
{
	struct in_addr other = addr4("192.0.2.2");
	struct req r;

	(void)state;
	req_init(&r, 3);
	req_opt(&r, 50, &c.ip4.addr, 4);
	req_opt(&r, 54, &other, 4);
	req_send(&r, true);
	assert_dropped();
}

/**
 * test_inform() - INFORM gets an ACK without address or lease, unicast
 * @state:	cmocka state, unused
 */
static void test_inform(void **state)
{
	struct in_addr ci = addr4("192.0.2.77");
	struct req r;
	size_t len;

	(void)state;
	req_init(&r, 8);
	memcpy(req_field(&r, 12), &ci, 4);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_int_equal(reply_type(), 5);
	assert_int_equal(reply_addr(16).s_addr, 0);
	assert_null(reply_opt(51, &len));
	assert_non_null(reply_opt(6, &len));
	assert_int_equal(sent.dst.s_addr, ci.s_addr);
}

/**
 * test_release_decline() - RELEASE and DECLINE get no answer, no drop
 * @state:	cmocka state, unused
 */
static void test_release_decline(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 7);
	req_send(&r, true);
	req_init(&r, 4);
	req_opt(&r, 50, &c.ip4.addr, 4);
	req_send(&r, true);
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_DHCP_DROP], 0);
}

/**
 * test_routes() - Gateway outside the prefix: option 121
 * @state:	cmocka state, unused
 */
static void test_routes(void **state)
{
	static const uint8_t routes[] = {
		32, 203, 0, 113, 1, 0, 0, 0, 0,		/* gw/32 on link */
		0, 203, 0, 113, 1,			/* default via gw */
	};
	const uint8_t *o;
	struct req r;
	size_t len;

	(void)state;
	c.ip4.gw = addr4("203.0.113.1");
	c.ip4.prefix_len = 32;
	req_init(&r, 1);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	o = reply_opt(121, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(routes));
	assert_memory_equal(o, routes, sizeof(routes));
	o = reply_opt(1, &len);
	assert_non_null(o);
	assert_memory_equal(o, "\xff\xff\xff\xff", 4);
}

/**
 * test_no_dns_search() - --no-dhcp-dns, --no-dhcp-search, no host names
 * @state:	cmocka state, unused
 */
static void test_no_dns_search(void **state)
{
	struct req r;
	size_t len;

	(void)state;
	c.no_dhcp_dns = true;
	c.no_dhcp_search = true;
	c.hostname[0] = 0;
	c.fqdn[0] = 0;
	c.mtu = 0;
	req_init(&r, 1);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_null(reply_opt(6, &len));
	assert_null(reply_opt(119, &len));
	assert_null(reply_opt(12, &len));
	assert_null(reply_opt(81, &len));
	assert_null(reply_opt(26, &len));
	assert_non_null(reply_opt(3, &len));
}

/**
 * test_max_size() - Options that don't fit 576 bytes are left out
 * @state:	cmocka state, unused
 */
static void test_max_size(void **state)
{
	unsigned i;
	struct req r;
	size_t len;

	(void)state;
	for (i = 0; i < SEARCH_MAX; i++) {
		memset(c.search[i].n, 'a' + i, 60);
		strcpy(c.search[i].n + 60, ".example.com");
	}
	c.search_count = SEARCH_MAX;
	req_init(&r, 1);
	req_send(&r, true);

	assert_int_equal(sent.count, 1);
	assert_true(sent.len <= 576 - 28);
	assert_null(reply_opt(119, &len));
	assert_non_null(reply_opt(6, &len));

	/* With a large enough maximum size, split in several options */
	memset(&sent, 0, sizeof(sent));
	c.mtu = 0;
	req_init(&r, 1);
	req_opt(&r, 57, "\x10\x00", 2);
	req_send(&r, true);
	assert_int_equal(sent.count, 1);
	assert_true(sent.len > 576);
	assert_non_null(reply_opt(119, &len));
	assert_int_equal(len, 255);
}

/**
 * test_no_end_option() - Options running to the end of the datagram
 * @state:	cmocka state, unused
 */
static void test_no_end_option(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 1);
	req_send(&r, false);
	assert_int_equal(sent.count, 1);
	assert_int_equal(reply_type(), 2);
}

/**
 * test_malformed() - Malformed requests are dropped and counted
 * @state:	cmocka state, unused
 */
static void test_malformed(void **state)
{
	struct req r;
	struct pkt p;

	(void)state;

	/* Wrong magic cookie */
	req_init(&r, 1);
	req_field(&r, 239)[0] = 0x64;
	req_send(&r, true);
	assert_dropped();

	/* BOOTREPLY from the guest */
	setup(NULL);
	req_init(&r, 1);
	req_field(&r, 0)[0] = 2;
	req_send(&r, true);
	assert_dropped();

	/* Not Ethernet */
	setup(NULL);
	req_init(&r, 1);
	req_field(&r, 2)[0] = 16;
	req_send(&r, true);
	assert_dropped();

	/* No message type: plain BOOTP */
	setup(NULL);
	req_init(&r, 0);
	req_send(&r, true);
	assert_dropped();

	/* Message type of length 0 */
	setup(NULL);
	req_init(&r, 0);
	req_opt(&r, 53, "", 0);
	req_send(&r, true);
	assert_dropped();

	/* Message type of length 2 */
	setup(NULL);
	req_init(&r, 0);
	req_opt(&r, 53, "\x01\x01", 2);
	req_send(&r, true);
	assert_dropped();

	/* Requested address of length 3 */
	setup(NULL);
	req_init(&r, 3);
	req_opt(&r, 50, "\xc0\x00\x02", 3);
	req_send(&r, true);
	assert_dropped();

	/* Option running past the end */
	setup(NULL);
	req_init(&r, 1);
	r.buf[r.len++] = 12;
	r.buf[r.len++] = 40;
	r.buf[r.len++] = 'x';
	req_send(&r, false);
	assert_dropped();

	/* Option code with no length byte */
	setup(NULL);
	req_init(&r, 1);
	r.buf[r.len++] = 12;
	req_send(&r, false);
	assert_dropped();

	/* Truncated fixed part */
	setup(NULL);
	req_init(&r, 1);
	r.len = 8 + 100;
	req_send(&r, false);
	assert_dropped();

	/* UDP length beyond the data */
	setup(NULL);
	req_init(&r, 1);
	r.buf[r.len++] = 255;
	p = pkt_init(r.buf, r.len, 0);
	r.buf[4] = (uint8_t)((r.len + 1) >> 8);
	r.buf[5] = (uint8_t)(r.len + 1);
	dhcp(&c, &p);
	assert_dropped();

	/* UDP length shorter than a UDP header */
	setup(NULL);
	r.buf[4] = 0;
	r.buf[5] = 4;
	dhcp(&c, &p);
	assert_dropped();

	/* Not even a UDP header */
	setup(NULL);
	p = pkt_init(r.buf, 3, 0);
	dhcp(&c, &p);
	assert_dropped();

	/* Unknown message type */
	setup(NULL);
	req_init(&r, 42);
	req_send(&r, true);
	assert_dropped();

	/* No address to give */
	setup(NULL);
	c.ip4.addr.s_addr = 0;
	req_init(&r, 1);
	req_send(&r, true);
	assert_dropped();
}

/**
 * test_zero_length_options() - Unknown zero-length options are fine
 * @state:	cmocka state, unused
 */
static void test_zero_length_options(void **state)
{
	struct req r;

	(void)state;
	req_init(&r, 1);
	req_opt(&r, 80, "", 0);		/* Rapid Commit */
	req_opt(&r, 0, "", 0);		/* two pads */
	req_send(&r, true);
	assert_int_equal(sent.count, 1);
}

/**
 * test_name_encode() - DNS wire format encoding
 * @state:	cmocka state, unused
 */
static void test_name_encode(void **state)
{
	char name[DOMAIN_MAX + 8];
	uint8_t out[300];

	(void)state;
	assert_int_equal(dhcp_name_encode(out, sizeof(out), "a.bc"), 6);
	assert_memory_equal(out, "\x01" "a" "\x02" "bc" "\x00", 6);
	assert_int_equal(dhcp_name_encode(out, sizeof(out), "a.bc."), 6);
	assert_int_equal(dhcp_name_encode(out, sizeof(out), ""), 0);
	assert_int_equal(dhcp_name_encode(out, sizeof(out), "."), 0);
	assert_int_equal(dhcp_name_encode(out, sizeof(out), "a..b"), 0);
	assert_int_equal(dhcp_name_encode(out, sizeof(out), ".a"), 0);
	assert_int_equal(dhcp_name_encode(out, 5, "a.bc"), 0);
	assert_int_equal(dhcp_name_encode(out, 6, "a.bc"), 6);

	memset(name, 'x', 64);
	name[64] = 0;
	assert_int_equal(dhcp_name_encode(out, sizeof(out), name), 0);
	name[63] = 0;
	assert_int_equal(dhcp_name_encode(out, sizeof(out), name), 65);

	/* 253 characters encode to 255 bytes, 254 don't fit */
	memset(name, 'x', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = 0;
	assert_int_equal(dhcp_name_encode(out, sizeof(out), name), 255);
	name[253] = 'x';
	name[254] = 0;
	assert_int_equal(dhcp_name_encode(out, sizeof(out), name), 0);
}

/**
 * test_random() - Random bytes after a valid header never crash
 * @state:	cmocka state, unused
 */
static void test_random(void **state)
{
	uint32_t x = 12345;
	unsigned i, j;
	struct req r;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t n;

		req_init(&r, (uint8_t)(i % 10));
		n = (x = x * 1103515245 + 12345) % 200;
		for (j = 0; j < n; j++) {
			x = x * 1103515245 + 12345;
			r.buf[r.len++] = (uint8_t)(x >> 16);
		}
		if (i % 7 == 0) {
			x = x * 1103515245 + 12345;
			r.len = (x >> 8) % r.len;
		}
		req_send(&r, i % 2);
		assert_true(sent.len <= SENT_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_discover_offer, setup),
		cmocka_unit_test_setup(test_server_id_fallback, setup),
		cmocka_unit_test_setup(test_request_ack, setup),
		cmocka_unit_test_setup(test_renew_unicast, setup),
		cmocka_unit_test_setup(test_request_nak, setup),
		cmocka_unit_test_setup(test_request_other_server, setup),
		cmocka_unit_test_setup(test_inform, setup),
		cmocka_unit_test_setup(test_release_decline, setup),
		cmocka_unit_test_setup(test_routes, setup),
		cmocka_unit_test_setup(test_no_dns_search, setup),
		cmocka_unit_test_setup(test_max_size, setup),
		cmocka_unit_test_setup(test_no_end_option, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_zero_length_options, setup),
		cmocka_unit_test_setup(test_name_encode, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
