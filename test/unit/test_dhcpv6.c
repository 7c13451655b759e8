// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: dhcpv6.c ndp.c dhcp.c util.c log.c checksum.c stats.c inany.c */
/* test_dhcpv6.c - unit tests for the DHCPv6 server (dhcpv6.c)
 *
 * Client messages are built byte by byte, fed to dhcpv6(), and the answer
 * is caught by a stub tap_udp6_send() that stands in for tap.c.
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
#include "dhcpv6.h"

#define MSG_MAX		2048
#define SENT_MAX	4096

#define CLIENT		"fe80::5054:ff:fe12:3456"

/**
 * struct sent - The last datagram dhcpv6() sent
 * @count:	Datagrams sent since the last reset
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Length
 */
static struct sent {
	unsigned count;
	struct in6_addr src;
	uint16_t sport;
	struct in6_addr dst;
	uint16_t dport;
	uint8_t data[SENT_MAX];
	size_t len;
} sent;

/**
 * struct msg - A client message being built: UDP header, then DHCPv6
 * @buf:	Bytes
 * @len:	Length
 */
struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
};

static struct ctx c;

static const uint8_t our_mac[MAC_LEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t our_duid[] = { 0, 3, 0, 1,
				    0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t client_duid[] = { 0, 1, 0, 1, 0x2b, 0x3c, 0x4d, 0x5e,
				       0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t iaid[] = { 0x11, 0x22, 0x33, 0x44 };

/* Stubs for tap.c */

/**
 * tap_udp6_send() - Stub: record the datagram
 * @ctx:	Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Length
 */
void tap_udp6_send(struct ctx *ctx, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport,
		   const void *data, size_t len)
{
	(void)ctx;
	assert_true(len <= SENT_MAX);
	sent.count++;
	sent.src = *src;
	sent.sport = sport;
	sent.dst = *dst;
	sent.dport = dport;
	memcpy(sent.data, data, len);
	sent.len = len;
}

/**
 * tap_udp4_send() - Stub: dhcp.c is linked for dhcp_name_encode() only
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
	(void)ctx; (void)src; (void)sport; (void)dst; (void)dport;
	(void)data; (void)len;
	fail_msg("unexpected IPv4 send");
}

/**
 * tap_icmp6_send() - Stub: ndp.c is linked for ndp_ll_addr() only
 * @ctx:	Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	Message
 * @len:	Length
 */
void tap_icmp6_send(struct ctx *ctx, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	(void)ctx; (void)src; (void)dst; (void)icmp6; (void)len;
	fail_msg("unexpected ICMPv6 send");
}

/**
 * tap_is_ready() - Stub
 * @ctx:	Execution context
 *
 * Return: true
 */
bool tap_is_ready(const struct ctx *ctx)
{
	(void)ctx;
	return true;
}

/* Helpers */

/**
 * addr6() - Parse an IPv6 address
 * @s:		Address
 *
 * Return: address
 */
static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
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
	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&sent, 0, sizeof(sent));
	memset(stats, 0, sizeof(stats));

	memcpy(c.our_tap_mac, our_mac, MAC_LEN);
	c.mtu = 1500;
	c.ifi6_on = true;
	c.ip6.addr = addr6("2001:db8:1:2::10");
	c.ip6.prefix_len = 64;
	c.ip6.dns[0] = addr6("2001:db8::53");
	c.ip6.dns[1] = addr6("2001:db8::153");
	c.ip6.dns_count = 2;
	strcpy(c.fqdn, "guest.example.com");
	strcpy(c.search[0].n, "example.com");
	c.search_count = 1;
	return 0;
}

/**
 * msg_init() - Start a message: UDP header, type, transaction ID
 * @m:		Message
 * @type:	Message type
 */
static void msg_init(struct msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->buf[1] = 0x22;			/* source port 546 */
	m->buf[3] = 0x23;			/* destination port 547 */
	m->buf[8] = type;
	m->buf[9] = 0xab;
	m->buf[10] = 0xcd;
	m->buf[11] = 0xef;
	m->len = 12;
}

/**
 * msg_opt() - Append an option
 * @m:		Message
 * @code:	Code
 * @data:	Payload
 * @len:	Length
 */
static void msg_opt(struct msg *m, uint16_t code, const void *data,
		    uint16_t len)
{
	m->buf[m->len++] = (uint8_t)(code >> 8);
	m->buf[m->len++] = (uint8_t)code;
	m->buf[m->len++] = (uint8_t)(len >> 8);
	m->buf[m->len++] = (uint8_t)len;
	memcpy(m->buf + m->len, data, len);
	m->len += len;
}

/**
 * msg_ia_na() - Append an IA_NA, with an address if @addr isn't NULL
 * @m:		Message
 * @addr:	Address, or NULL
 */
static void msg_ia_na(struct msg *m, const char *addr)
{
	uint8_t ia[12 + 4 + 24] = { 0 };
	uint16_t len = 12;

	memcpy(ia, iaid, 4);
	if (addr) {
		struct in6_addr a = addr6(addr);

		ia[13] = 5;
		ia[15] = 24;
		memcpy(ia + 16, &a, 16);
		len += 28;
	}
	msg_opt(m, 3, ia, len);
}

/**
 * msg_send_from() - Finish a message (UDP length) and feed it
 * @m:		Message
 * @src:	Source address
 */
static void msg_send_from(struct msg *m, const char *src)
{
	struct in6_addr s = addr6(src);
	struct pkt p;

	m->buf[4] = (uint8_t)(m->len >> 8);
	m->buf[5] = (uint8_t)m->len;
	p = pkt_init(m->buf, m->len, 0);
	dhcpv6(&c, &s, &p);
}

/**
 * msg_send() - Finish a message and feed it, from the client's address
 * @m:		Message
 */
static void msg_send(struct msg *m)
{
	msg_send_from(m, CLIENT);
}

/**
 * opt_find() - Find an option in a list
 * @list:	Option list
 * @size:	Its length
 * @code:	Code
 * @len:	Set to the payload length
 *
 * Return: pointer to the payload, NULL if absent
 */
static const uint8_t *opt_find(const uint8_t *list, size_t size,
			       uint16_t code, size_t *len)
{
	size_t off = 0;

	while (off < size) {
		size_t l;

		assert_true(off + 4 <= size);
		l = (size_t)list[off + 2] << 8 | list[off + 3];
		assert_true(off + 4 + l <= size);
		if ((list[off] << 8 | list[off + 1]) == code) {
			*len = l;
			return list + off + 4;
		}
		off += 4 + l;
	}
	return NULL;
}

/**
 * reply_opt() - Find a top-level option in the captured answer
 * @code:	Code
 * @len:	Set to the payload length
 *
 * Return: pointer to the payload, NULL if absent
 */
static const uint8_t *reply_opt(uint16_t code, size_t *len)
{
	assert_true(sent.len >= 4);
	return opt_find(sent.data + 4, sent.len - 4, code, len);
}

/**
 * be32() - Read a big-endian 32-bit value
 * @p:		Bytes
 *
 * Return: value
 */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * assert_answer() - Check the common part of the captured answer
 * @type:	Expected message type
 */
static void assert_answer(uint8_t type)
{
	struct in6_addr ll = addr6("fe80::9855:9aff:fe55:9a55");
	struct in6_addr cl = addr6(CLIENT);
	const uint8_t *o;
	size_t len;

	assert_int_equal(sent.count, 1);
	assert_int_equal(stats[STAT_DHCPV6_REPLIES], 1);
	assert_memory_equal(&sent.src, &ll, 16);
	assert_int_equal(sent.sport, 547);
	assert_memory_equal(&sent.dst, &cl, 16);
	assert_int_equal(sent.dport, 546);
	assert_int_equal(sent.data[0], type);
	assert_memory_equal(sent.data + 1, "\xab\xcd\xef", 3);

	o = reply_opt(2, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(our_duid));
	assert_memory_equal(o, our_duid, sizeof(our_duid));
}

/**
 * assert_client_id() - The answer echoes the client's DUID
 */
static void assert_client_id(void)
{
	const uint8_t *o;
	size_t len;

	o = reply_opt(1, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(client_duid));
	assert_memory_equal(o, client_duid, sizeof(client_duid));
}

/**
 * assert_ia_na() - The answer gives our address in the client's IA_NA
 */
static void assert_ia_na(void)
{
	const uint8_t *o, *a;
	size_t len, alen;

	o = reply_opt(3, &len);
	assert_non_null(o);
	assert_true(len >= 12);
	assert_memory_equal(o, iaid, 4);
	assert_int_equal(be32(o + 4), 0xffffffff);		/* T1 */
	assert_int_equal(be32(o + 8), 0xffffffff);		/* T2 */
	a = opt_find(o + 12, len - 12, 5, &alen);
	assert_non_null(a);
	assert_int_equal(alen, 24);
	assert_memory_equal(a, &c.ip6.addr, 16);
	assert_int_equal(be32(a + 16), 0xffffffff);
	assert_int_equal(be32(a + 20), 0xffffffff);
}

/**
 * assert_status() - The answer has a top-level status code
 * @code:	Expected status
 */
static void assert_status(uint16_t code)
{
	const uint8_t *o;
	size_t len;

	o = reply_opt(13, &len);
	assert_non_null(o);
	assert_true(len >= 2);
	assert_int_equal(o[0] << 8 | o[1], code);
}

/**
 * assert_dropped() - Nothing was sent, and a drop was counted
 */
static void assert_dropped(void)
{
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_DHCPV6_DROP], 1);
}

/* Tests */

/**
 * test_solicit_advertise() - SOLICIT gets an ADVERTISE with everything
 * @state:	cmocka state, unused
 */
static void test_solicit_advertise(void **state)
{
	static const uint8_t domain[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	static const uint8_t fqdn[] = {
		0x04, 5, 'g', 'u', 'e', 's', 't',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	const uint8_t *o;
	struct msg m;
	size_t len;

	(void)state;
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 8, "\0\0", 2);				/* elapsed */
	msg_opt(&m, 6, "\0\x17\0\x18", 4);			/* ORO */
	msg_ia_na(&m, NULL);
	msg_send(&m);

	assert_answer(2);
	assert_client_id();
	assert_ia_na();
	assert_null(reply_opt(14, &len));

	o = reply_opt(7, &len);					/* preference */
	assert_non_null(o);
	assert_int_equal(len, 1);
	assert_int_equal(o[0], 255);

	o = reply_opt(23, &len);
	assert_non_null(o);
	assert_int_equal(len, 32);
	assert_memory_equal(o, &c.ip6.dns[0], 16);
	assert_memory_equal(o + 16, &c.ip6.dns[1], 16);

	o = reply_opt(24, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(domain));
	assert_memory_equal(o, domain, sizeof(domain));

	o = reply_opt(39, &len);
	assert_non_null(o);
	assert_int_equal(len, sizeof(fqdn));
	assert_memory_equal(o, fqdn, sizeof(fqdn));
}

/**
 * test_solicit_rapid() - SOLICIT with Rapid Commit gets a REPLY
 * @state:	cmocka state, unused
 */
static void test_solicit_rapid(void **state)
{
	struct msg m;
	size_t len;

	(void)state;
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 14, "", 0);
	msg_ia_na(&m, NULL);
	msg_send(&m);

	assert_answer(7);
	assert_client_id();
	assert_ia_na();
	assert_non_null(reply_opt(14, &len));
	assert_int_equal(len, 0);
	assert_null(reply_opt(7, &len));
}

/**
 * test_request() - REQUEST, RENEW, REBIND get a REPLY with the address
 * @state:	cmocka state, unused
 */
static void test_request(void **state)
{
	static const uint8_t types[] = { 3, 5, 6 };
	struct msg m;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		setup(NULL);
		msg_init(&m, types[i]);
		msg_opt(&m, 1, client_duid, sizeof(client_duid));
		if (types[i] != 6)
			msg_opt(&m, 2, our_duid, sizeof(our_duid));
		msg_ia_na(&m, "2001:db8:1:2::10");
		msg_send(&m);

		assert_answer(7);
		assert_client_id();
		assert_ia_na();
	}
}

/**
 * test_request_other_server() - Messages for another server are ignored
 * @state:	cmocka state, unused
 */
static void test_request_other_server(void **state)
{
	static const uint8_t other[] = { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 };
	struct msg m;

	(void)state;
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, other, sizeof(other));
	msg_ia_na(&m, NULL);
	msg_send(&m);
	assert_dropped();

	/* Same DUID with a different length */
	setup(NULL);
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid) - 1);
	msg_send(&m);
	assert_dropped();
}

/**
 * test_missing_ids() - Messages lacking a required identifier
 * @state:	cmocka state, unused
 */
static void test_missing_ids(void **state)
{
	struct msg m;

	(void)state;

	/* REQUEST without Server ID */
	msg_init(&m, 3);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&m);
	assert_dropped();

	/* SOLICIT without Client ID */
	setup(NULL);
	msg_init(&m, 1);
	msg_ia_na(&m, NULL);
	msg_send(&m);
	assert_dropped();
}

/**
 * test_info_request() - INFORMATION-REQUEST: configuration, no address
 * @state:	cmocka state, unused
 */
static void test_info_request(void **state)
{
	struct msg m;
	size_t len;

	(void)state;
	msg_init(&m, 11);
	msg_send(&m);

	assert_answer(7);
	assert_null(reply_opt(1, &len));
	assert_null(reply_opt(3, &len));
	assert_null(reply_opt(39, &len));
	assert_non_null(reply_opt(23, &len));
	assert_non_null(reply_opt(24, &len));
}

/**
 * test_release_decline() - RELEASE and DECLINE: REPLY with Success
 * @state:	cmocka state, unused
 */
static void test_release_decline(void **state)
{
	struct msg m;
	size_t len;

	(void)state;
	msg_init(&m, 8);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 2, our_duid, sizeof(our_duid));
	msg_ia_na(&m, "2001:db8:1:2::10");
	msg_send(&m);
	assert_answer(7);
	assert_status(0);
	assert_null(reply_opt(3, &len));

	setup(NULL);
	m.buf[8] = 9;
	msg_send(&m);
	assert_answer(7);
	assert_status(0);
}

/**
 * test_confirm() - CONFIRM: on link or not, and no addresses at all
 * @state:	cmocka state, unused
 */
static void test_confirm(void **state)
{
	struct msg m;
	size_t len;

	(void)state;
	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, "2001:db8:1:2::4321");
	msg_send(&m);
	assert_answer(7);
	assert_status(0);
	assert_null(reply_opt(3, &len));

	setup(NULL);
	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, "2001:db8:99::10");
	msg_send(&m);
	assert_answer(7);
	assert_status(4);

	setup(NULL);
	msg_init(&m, 4);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&m);
	assert_dropped();
}

/**
 * test_no_addr() - No address configured: NoAddrsAvail in the IA_NA
 * @state:	cmocka state, unused
 */
static void test_no_addr(void **state)
{
	const uint8_t *o, *s;
	struct msg m;
	size_t len, slen;

	(void)state;
	memset(&c.ip6.addr, 0, sizeof(c.ip6.addr));
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&m);

	assert_answer(2);
	o = reply_opt(3, &len);
	assert_non_null(o);
	assert_null(opt_find(o + 12, len - 12, 5, &slen));
	s = opt_find(o + 12, len - 12, 13, &slen);
	assert_non_null(s);
	assert_int_equal(s[0] << 8 | s[1], 2);
}

/**
 * test_no_dns_search() - --no-dhcp-dns, --no-dhcp-search, no FQDN
 * @state:	cmocka state, unused
 */
static void test_no_dns_search(void **state)
{
	struct msg m;
	size_t len;

	(void)state;
	c.no_dhcp_dns = true;
	c.no_dhcp_search = true;
	c.fqdn[0] = 0;
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&m);

	assert_answer(2);
	assert_ia_na();
	assert_null(reply_opt(23, &len));
	assert_null(reply_opt(24, &len));
	assert_null(reply_opt(39, &len));
}

/**
 * test_configured_ll() - A configured link-local address is the source
 * @state:	cmocka state, unused
 */
static void test_configured_ll(void **state)
{
	struct in6_addr ll = addr6("fe80::1");
	struct msg m;

	(void)state;
	c.ip6.our_tap_ll = ll;
	msg_init(&m, 11);
	msg_send(&m);
	assert_int_equal(sent.count, 1);
	assert_memory_equal(&sent.src, &ll, 16);
}

/**
 * test_malformed() - Malformed messages are dropped and counted
 * @state:	cmocka state, unused
 */
static void test_malformed(void **state)
{
	struct msg m;
	struct pkt p;
	struct in6_addr s = addr6(CLIENT);

	(void)state;

	/* Option header cut short */
	msg_init(&m, 11);
	m.buf[m.len++] = 0;
	m.buf[m.len++] = 23;
	m.buf[m.len++] = 0;
	msg_send(&m);
	assert_dropped();

	/* Option length past the end */
	setup(NULL);
	msg_init(&m, 11);
	msg_opt(&m, 23, "0123456789abcdef", 16);
	m.buf[15] = 17;
	msg_send(&m);
	assert_dropped();

	/* Zero-length Client ID */
	setup(NULL);
	msg_init(&m, 1);
	msg_opt(&m, 1, "", 0);
	msg_send(&m);
	assert_dropped();

	/* Rapid Commit with a payload */
	setup(NULL);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 14, "x", 1);
	msg_send(&m);
	assert_dropped();

	/* IA_NA shorter than IAID, T1, T2 */
	setup(NULL);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 3, iaid, 4);
	msg_send(&m);
	assert_dropped();

	/* IA address option too short */
	setup(NULL);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 3, "\x11\x22\x33\x44\0\0\0\0\0\0\0\0\0\x05\0\x10"
			"0123456789abcdef", 32);
	msg_send(&m);
	assert_dropped();

	/* IA sub-option running past the IA_NA */
	setup(NULL);
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_opt(&m, 3, "\x11\x22\x33\x44\0\0\0\0\0\0\0\0\0\x05\0\x40", 16);
	msg_send(&m);
	assert_dropped();

	/* Only a type, no transaction ID */
	setup(NULL);
	msg_init(&m, 11);
	m.len = 9;
	msg_send(&m);
	assert_dropped();

	/* UDP length beyond the data */
	setup(NULL);
	msg_init(&m, 11);
	m.buf[4] = 0;
	m.buf[5] = 13;
	p = pkt_init(m.buf, 12, 0);
	dhcpv6(&c, &s, &p);
	assert_dropped();

	/* Not even a UDP header */
	setup(NULL);
	p = pkt_init(m.buf, 7, 0);
	dhcpv6(&c, &s, &p);
	assert_dropped();

	/* Unspecified source */
	setup(NULL);
	msg_init(&m, 11);
	msg_send_from(&m, "::");
	assert_dropped();

	/* Server messages, relay messages */
	setup(NULL);
	msg_init(&m, 7);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_send(&m);
	assert_dropped();
	setup(NULL);
	m.buf[8] = 12;
	msg_send(&m);
	assert_dropped();

	/* Too many options */
	setup(NULL);
	msg_init(&m, 11);
	while (m.len + 4 < 12 + 4 * 200)
		msg_opt(&m, 8, "", 0);
	msg_send(&m);
	assert_dropped();
}

/**
 * test_size_limit() - Options that don't fit 1280 bytes are left out
 * @state:	cmocka state, unused
 */
static void test_size_limit(void **state)
{
	struct msg m;
	unsigned i;
	size_t len;

	(void)state;
	for (i = 0; i < SEARCH_MAX; i++) {
		memset(c.search[i].n, 'a' + i, 63);
		c.search[i].n[63] = '.';
		memset(c.search[i].n + 64, 'a' + i, 63);
		c.search[i].n[127] = '.';
		memset(c.search[i].n + 128, 'a' + i, 63);
		strcpy(c.search[i].n + 191, ".example.com");
	}
	c.search_count = SEARCH_MAX;
	c.mtu = 0;
	msg_init(&m, 1);
	msg_opt(&m, 1, client_duid, sizeof(client_duid));
	msg_ia_na(&m, NULL);
	msg_send(&m);

	assert_answer(2);
	assert_true(sent.len <= 1280 - 48);
	assert_ia_na();
	assert_null(reply_opt(24, &len));
	assert_non_null(reply_opt(39, &len));

	setup(NULL);
	c.search_count = SEARCH_MAX;
	for (i = 0; i < SEARCH_MAX; i++)
		strcpy(c.search[i].n, "aaa");
	c.mtu = 9000;
	msg_send(&m);
	assert_non_null(reply_opt(24, &len));
	assert_int_equal(len, SEARCH_MAX * 5);
}

/**
 * test_random() - Random options never crash
 * @state:	cmocka state, unused
 */
static void test_random(void **state)
{
	uint32_t x = 777;
	unsigned i, j;
	struct msg m;

	(void)state;
	for (i = 0; i < 50000; i++) {
		size_t n;

		msg_init(&m, (uint8_t)(1 + i % 12));
		if (i % 2)
			msg_opt(&m, 1, client_duid, sizeof(client_duid));
		if (i % 3 == 0)
			msg_opt(&m, 2, our_duid, sizeof(our_duid));
		x = x * 1103515245 + 12345;
		n = (x >> 8) % 100;
		for (j = 0; j < n; j++) {
			x = x * 1103515245 + 12345;
			m.buf[m.len++] = (uint8_t)(x >> 16);
			/* Often zero high bytes: small codes and lengths */
			if (j % 4 == 0 && (x >> 24) < 200)
				m.buf[m.len - 1] = 0;
		}
		msg_send(&m);
		assert_true(sent.len <= SENT_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_solicit_advertise, setup),
		cmocka_unit_test_setup(test_solicit_rapid, setup),
		cmocka_unit_test_setup(test_request, setup),
		cmocka_unit_test_setup(test_request_other_server, setup),
		cmocka_unit_test_setup(test_missing_ids, setup),
		cmocka_unit_test_setup(test_info_request, setup),
		cmocka_unit_test_setup(test_release_decline, setup),
		cmocka_unit_test_setup(test_confirm, setup),
		cmocka_unit_test_setup(test_no_addr, setup),
		cmocka_unit_test_setup(test_no_dns_search, setup),
		cmocka_unit_test_setup(test_configured_ll, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_size_limit, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
