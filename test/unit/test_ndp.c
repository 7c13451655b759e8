// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: ndp.c dhcp.c util.c log.c checksum.c stats.c inany.c */
/* test_ndp.c - unit tests for NDP (ndp.c)
 *
 * Solicitations are built byte by byte, fed to ndp(), and the answer is
 * caught by a stub tap_icmp6_send() that stands in for tap.c.
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
#include "ndp.h"

#define MSG_MAX		2048
#define SENT_MAX	4096

/**
 * struct sent - The last ICMPv6 message ndp() sent
 * @count:	Messages sent since the last reset
 * @src:	Source address
 * @dst:	Destination address
 * @data:	Message
 * @len:	Length
 */
static struct sent {
	unsigned count;
	struct in6_addr src;
	struct in6_addr dst;
	uint8_t data[SENT_MAX];
	size_t len;
} sent;

/**
 * struct msg - A solicitation being built
 * @buf:	Bytes
 * @len:	Length
 */
struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
};

static struct ctx c;
static bool ready = true;

static const uint8_t our_mac[MAC_LEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t guest_mac[MAC_LEN] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

/* Stubs for tap.c */

/**
 * tap_icmp6_send() - Stub: record the message
 * @ctx:	Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	Message
 * @len:	Length
 */
void tap_icmp6_send(struct ctx *ctx, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	(void)ctx;
	assert_true(len <= SENT_MAX);
	sent.count++;
	sent.src = *src;
	sent.dst = *dst;
	memcpy(sent.data, icmp6, len);
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
 * tap_is_ready() - Stub: is a guest attached?
 * @ctx:	Execution context
 *
 * Return: @ready
 */
bool tap_is_ready(const struct ctx *ctx)
{
	(void)ctx;
	return ready;
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
	ready = true;

	memcpy(c.our_tap_mac, our_mac, MAC_LEN);
	memcpy(c.guest_mac, guest_mac, MAC_LEN);
	c.mtu = 1500;
	c.ifi6_on = true;
	c.ip6.addr = addr6("2001:db8:1:2::10");
	c.ip6.prefix_len = 64;
	c.ip6.addr_ll_seen = addr6("fe80::5054:ff:fe12:3456");
	c.ip6.gw = addr6("fe80::1");
	c.ip6.dns[0] = addr6("2001:db8::53");
	c.ip6.dns[1] = addr6("2001:db8::153");
	c.ip6.dns_count = 2;
	strcpy(c.search[0].n, "example.com");
	strcpy(c.search[1].n, "corp.example.org");
	c.search_count = 2;
	return 0;
}

/**
 * msg_ns() - Start a Neighbour Solicitation
 * @m:		Message
 * @target:	Target address
 */
static void msg_ns(struct msg *m, const char *target)
{
	struct in6_addr t = addr6(target);

	memset(m, 0, sizeof(*m));
	m->buf[0] = 135;
	memcpy(m->buf + 8, &t, 16);
	m->len = 24;
}

/**
 * msg_rs() - Start a Router Solicitation
 * @m:		Message
 */
static void msg_rs(struct msg *m)
{
	memset(m, 0, sizeof(*m));
	m->buf[0] = 133;
	m->len = 8;
}

/**
 * msg_slla() - Append a source link-layer address option
 * @m:		Message
 */
static void msg_slla(struct msg *m)
{
	m->buf[m->len] = 1;
	m->buf[m->len + 1] = 1;
	memcpy(m->buf + m->len + 2, guest_mac, MAC_LEN);
	m->len += 8;
}

/**
 * msg_send_hlim() - Feed a message to ndp(), with a given hop limit
 * @m:		Message
 * @src:	Source address
 * @hlim:	Hop limit of its IPv6 header
 */
static void msg_send_hlim(const struct msg *m, const char *src, uint8_t hlim)
{
	struct in6_addr s = addr6(src);
	struct pkt p = pkt_init(m->buf, m->len, 0);

	ndp(&c, &s, hlim, &p);
}

/**
 * msg_send() - Feed a message to ndp(), hop limit 255 as on the link
 * @m:		Message
 * @src:	Source address
 */
static void msg_send(const struct msg *m, const char *src)
{
	msg_send_hlim(m, src, 255);
}

/**
 * ra_opt() - Find an option in the captured Router Advertisement
 * @type:	Option type
 * @len:	Set to its length in bytes
 *
 * Return: pointer to the option, NULL if absent
 */
static const uint8_t *ra_opt(uint8_t type, size_t *len)
{
	size_t off = 16;

	while (off < sent.len) {
		size_t l = (size_t)sent.data[off + 1] * 8;

		assert_true(l > 0);
		assert_true(off + l <= sent.len);
		if (sent.data[off] == type) {
			*len = l;
			return sent.data + off;
		}
		off += l;
	}
	assert_int_equal(off, sent.len);
	return NULL;
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
 * assert_dropped() - Nothing was sent, and a drop was counted
 */
static void assert_dropped(void)
{
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_NDP_DROP], 1);
}

/**
 * assert_ra() - Check the fixed part of the captured Router Advertisement
 * @dst:	Expected destination
 */
static void assert_ra(const char *dst)
{
	struct in6_addr d = addr6(dst), ll = addr6("fe80::9855:9aff:fe55:9a55");

	assert_int_equal(sent.count, 1);
	assert_true(sent.len >= 16);
	assert_memory_equal(&sent.dst, &d, 16);
	assert_memory_equal(&sent.src, &ll, 16);
	assert_int_equal(sent.data[0], 134);
	assert_int_equal(sent.data[1], 0);
	assert_int_equal(sent.data[4], 64);			/* hop limit */
	assert_int_equal(sent.data[5], 0xc0);			/* M, O */
	assert_int_equal(sent.data[6] << 8 | sent.data[7], 9000);
	assert_int_equal(be32(sent.data + 8), 0);
	assert_int_equal(be32(sent.data + 12), 0);
}

/* Tests */

/**
 * test_ns_na() - Solicitation for the gateway gets a solicited NA
 * @state:	cmocka state, unused
 */
static void test_ns_na(void **state)
{
	struct in6_addr t = addr6("fe80::1"), s;
	struct msg m;

	(void)state;
	msg_ns(&m, "fe80::1");
	msg_slla(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");

	s = addr6("fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 1);
	assert_int_equal(stats[STAT_NDP_NA], 1);
	assert_int_equal(sent.len, 32);
	assert_memory_equal(&sent.src, &t, 16);
	assert_memory_equal(&sent.dst, &s, 16);
	assert_int_equal(sent.data[0], 136);
	assert_int_equal(sent.data[1], 0);
	assert_int_equal(sent.data[4], 0xe0);			/* R, S, O */
	assert_memory_equal(sent.data + 8, &t, 16);
	assert_int_equal(sent.data[24], 2);			/* TLLA */
	assert_int_equal(sent.data[25], 1);
	assert_memory_equal(sent.data + 26, our_mac, MAC_LEN);
}

/**
 * test_ns_remote() - Any other address is ours too, globals included
 * @state:	cmocka state, unused
 */
static void test_ns_remote(void **state)
{
	struct in6_addr t = addr6("2001:db8:1:2::99");
	struct msg m;

	(void)state;
	msg_ns(&m, "2001:db8:1:2::99");
	msg_send(&m, "2001:db8:1:2::10");
	assert_int_equal(sent.count, 1);
	assert_memory_equal(sent.data + 8, &t, 16);
	assert_memory_equal(&sent.src, &t, 16);
}

/**
 * test_ns_dad() - Duplicate address detection is never answered
 * @state:	cmocka state, unused
 */
static void test_ns_dad(void **state)
{
	struct msg m;

	(void)state;
	msg_ns(&m, "fe80::1");
	msg_send(&m, "::");
	assert_dropped();
}

/**
 * test_ns_guest() - Solicitations for the guest's addresses go unanswered
 * @state:	cmocka state, unused
 */
static void test_ns_guest(void **state)
{
	struct msg m;

	(void)state;
	msg_ns(&m, "2001:db8:1:2::10");
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	msg_ns(&m, "fe80::5054:ff:fe12:3456");
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	c.ip6.addr_seen = addr6("2001:db8:1:2::77");
	msg_ns(&m, "2001:db8:1:2::77");
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_NDP_DROP], 3);
}

/**
 * test_ns_malformed() - Malformed solicitations are dropped and counted
 * @state:	cmocka state, unused
 */
static void test_ns_malformed(void **state)
{
	struct msg m;

	(void)state;

	/* Truncated */
	msg_ns(&m, "fe80::1");
	m.len = 20;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Zero-length option */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	m.buf[24] = 1;
	m.buf[25] = 0;
	m.len += 8;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Option running past the end */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	m.buf[24] = 1;
	m.buf[25] = 2;
	m.len += 8;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Trailing bytes that are no option */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	msg_slla(&m);
	m.len += 3;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Multicast target */
	setup(NULL);
	msg_ns(&m, "ff02::1");
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Unspecified target */
	setup(NULL);
	msg_ns(&m, "::");
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Source link-layer address with an unspecified source */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	msg_slla(&m);
	msg_send(&m, "::");
	assert_dropped();

	/* Non-zero code */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	m.buf[1] = 1;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Too many options */
	setup(NULL);
	msg_ns(&m, "fe80::1");
	while (m.len + 8 <= 24 + 8 * 40)
		msg_slla(&m);
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* One byte */
	setup(NULL);
	m.len = 1;
	msg_send(&m, "fe80::2");
	assert_dropped();
}

/**
 * test_hop_limit() - Solicitations with a hop limit other than 255 are
 *		      dropped and counted, whatever else is in them
 * @state:	cmocka state, unused
 */
static void test_hop_limit(void **state)
{
	static const uint8_t bad[] = { 0, 1, 64, 128, 254 };
	struct msg ns, rs, trunc;
	unsigned i;

	(void)state;
	msg_ns(&ns, "fe80::1");
	msg_slla(&ns);
	msg_rs(&rs);
	msg_slla(&rs);
	memset(&trunc, 0, sizeof(trunc));
	trunc.len = 1;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		msg_send_hlim(&ns, "fe80::5054:ff:fe12:3456", bad[i]);
		msg_send_hlim(&rs, "fe80::5054:ff:fe12:3456", bad[i]);
		msg_send_hlim(&trunc, "fe80::5054:ff:fe12:3456", bad[i]);
	}
	assert_int_equal(sent.count, 0);
	assert_int_equal(stats[STAT_NDP_DROP_HOP_LIMIT], 3 * ARRAY_SIZE(bad));
	assert_int_equal(stats[STAT_NDP_DROP], 0);
	assert_int_equal(stats[STAT_NDP_NA], 0);
	assert_int_equal(stats[STAT_NDP_RA], 0);

	/* The same messages at 255: answered */
	msg_send_hlim(&ns, "fe80::5054:ff:fe12:3456", 255);
	assert_int_equal(sent.count, 1);
	assert_int_equal(sent.data[0], 136);
	msg_send_hlim(&rs, "fe80::5054:ff:fe12:3456", 255);
	assert_int_equal(sent.count, 2);
	assert_int_equal(sent.data[0], 134);
	assert_int_equal(stats[STAT_NDP_DROP_HOP_LIMIT], 3 * ARRAY_SIZE(bad));
}

/**
 * test_other_types() - Advertisements and redirects are ignored
 * @state:	cmocka state, unused
 */
static void test_other_types(void **state)
{
	struct msg m;

	(void)state;
	msg_ns(&m, "fe80::1");
	m.buf[0] = 136;
	msg_send(&m, "fe80::2");
	assert_dropped();
}

/**
 * test_rs_ra() - Router Solicitation gets a full Router Advertisement
 * @state:	cmocka state, unused
 */
static void test_rs_ra(void **state)
{
	static const uint8_t dnssl_names[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		4, 'c', 'o', 'r', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'o', 'r', 'g', 0,
	};
	struct in6_addr prefix = addr6("2001:db8:1:2::");
	const uint8_t *o;
	struct msg m;
	size_t len;

	(void)state;
	msg_rs(&m);
	msg_slla(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");

	assert_ra("fe80::5054:ff:fe12:3456");
	assert_int_equal(stats[STAT_NDP_RA], 1);

	o = ra_opt(1, &len);					/* SLLA */
	assert_non_null(o);
	assert_int_equal(len, 8);
	assert_memory_equal(o + 2, our_mac, MAC_LEN);

	o = ra_opt(5, &len);					/* MTU */
	assert_non_null(o);
	assert_int_equal(len, 8);
	assert_int_equal(be32(o + 4), 1500);

	o = ra_opt(3, &len);					/* prefix */
	assert_non_null(o);
	assert_int_equal(len, 32);
	assert_int_equal(o[2], 64);
	assert_int_equal(o[3], 0xc0);				/* L, A */
	assert_int_equal(be32(o + 4), 0xffffffff);
	assert_int_equal(be32(o + 8), 0xffffffff);
	assert_memory_equal(o + 16, &prefix, 16);

	o = ra_opt(25, &len);					/* RDNSS */
	assert_non_null(o);
	assert_int_equal(len, 8 + 32);
	assert_int_equal(be32(o + 4), 0xffffffff);
	assert_memory_equal(o + 8, &c.ip6.dns[0], 16);
	assert_memory_equal(o + 24, &c.ip6.dns[1], 16);

	o = ra_opt(31, &len);					/* DNSSL */
	assert_non_null(o);
	assert_int_equal(len, 8 + ROUND_UP(sizeof(dnssl_names), 8));
	assert_memory_equal(o + 8, dnssl_names, sizeof(dnssl_names));
	for (; len > 8 + sizeof(dnssl_names); len--)
		assert_int_equal(o[len - 1], 0);
}

/**
 * test_rs_unspec() - Solicitation from :: gets a multicast answer
 * @state:	cmocka state, unused
 */
static void test_rs_unspec(void **state)
{
	struct msg m;

	(void)state;
	msg_rs(&m);
	msg_send(&m, "::");
	assert_ra("ff02::1");
}

/**
 * test_rs_options() - Prefix length, no MTU, no DNS, no search list
 * @state:	cmocka state, unused
 */
static void test_rs_options(void **state)
{
	struct in6_addr prefix = addr6("2001:db8:1:2::");
	const uint8_t *o;
	struct msg m;
	size_t len;

	(void)state;
	c.ip6.prefix_len = 48;
	c.mtu = 0;
	c.no_dhcp_dns = true;
	c.no_dhcp_search = true;
	msg_rs(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");

	assert_ra("fe80::5054:ff:fe12:3456");
	assert_null(ra_opt(5, &len));
	assert_null(ra_opt(25, &len));
	assert_null(ra_opt(31, &len));
	/* Shorter than /64: the /64 of the address, as SLAAC needs that */
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[2], 64);
	assert_int_equal(o[3], 0xc0);
	assert_memory_equal(o + 16, &prefix, 16);

	/* Longer than /64: announce the /64 */
	memset(&sent, 0, sizeof(sent));
	c.ip6.prefix_len = 128;
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[2], 64);
	assert_memory_equal(o + 16, &prefix, 16);
}

/**
 * test_rs_no_dhcpv6() - Without DHCPv6, neither Managed nor Other is set,
 *			 and the prefix is still there for SLAAC
 * @state:	cmocka state, unused
 */
static void test_rs_no_dhcpv6(void **state)
{
	const uint8_t *o;
	struct msg m;
	size_t len;

	(void)state;
	c.no_dhcpv6 = true;
	msg_rs(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 1);
	assert_int_equal(sent.data[0], 134);
	assert_int_equal(sent.data[5], 0);			/* no M, O */
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[3], 0xc0);				/* L, A */
}

/**
 * test_rs_config_net() - pasta --config-net: the namespace has its
 *			  address, so the prefix is on-link only (A=0)
 * @state:	cmocka state, unused
 */
static void test_rs_config_net(void **state)
{
	const uint8_t *o;
	struct msg m;
	size_t len;

	(void)state;
	c.mode = MODE_PASTA;
	c.pasta.config_net = true;
	msg_rs(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[3], 0x80);				/* L, not A */
	assert_int_equal(sent.data[5], 0xc0);			/* M, O */

	/* Without it, or for passt (a VM configures itself), A */
	memset(&sent, 0, sizeof(sent));
	c.pasta.config_net = false;
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[3], 0xc0);
	memset(&sent, 0, sizeof(sent));
	c.mode = MODE_PASST;
	c.pasta.config_net = true;
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	o = ra_opt(3, &len);
	assert_non_null(o);
	assert_int_equal(o[3], 0xc0);
}

/**
 * test_rs_gw_ll() - With a link-local address set (the host's link-local
 *		     gateway, by conf.c), advertisements come from it
 * @state:	cmocka state, unused
 */
static void test_rs_gw_ll(void **state)
{
	struct in6_addr gw = addr6("fe80::1");
	struct msg m;

	(void)state;
	c.ip6.our_tap_ll = gw;
	msg_rs(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 1);
	assert_int_equal(sent.data[0], 134);
	assert_memory_equal(&sent.src, &gw, 16);

	/* Unsolicited ones too: no guest first, to start the timer afresh */
	memset(&sent, 0, sizeof(sent));
	ready = false;
	ndp_timer(&c, &(struct timespec){ .tv_sec = 1 });
	ready = true;
	ndp_timer(&c, &(struct timespec){ .tv_sec = 1 });
	assert_int_equal(sent.count, 1);
	assert_memory_equal(&sent.src, &gw, 16);

	/* ...and a solicitation for it gets our MAC */
	memset(&sent, 0, sizeof(sent));
	msg_ns(&m, "fe80::1");
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 1);
	assert_memory_equal(&sent.src, &gw, 16);
	assert_memory_equal(sent.data + 26, our_mac, MAC_LEN);
}

/**
 * test_rs_no_ra() - No answer with --no-ra
 * @state:	cmocka state, unused
 */
static void test_rs_no_ra(void **state)
{
	struct msg m;

	(void)state;
	c.no_ra = true;
	msg_rs(&m);
	msg_send(&m, "fe80::5054:ff:fe12:3456");
	assert_int_equal(sent.count, 0);
}

/**
 * test_rs_malformed() - Malformed Router Solicitations are dropped
 * @state:	cmocka state, unused
 */
static void test_rs_malformed(void **state)
{
	struct msg m;

	(void)state;

	/* Truncated */
	msg_rs(&m);
	m.len = 6;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Zero-length option */
	setup(NULL);
	msg_rs(&m);
	m.buf[8] = 14;
	m.len += 8;
	msg_send(&m, "fe80::2");
	assert_dropped();

	/* Source link-layer address from :: */
	setup(NULL);
	msg_rs(&m);
	msg_slla(&m);
	msg_send(&m, "::");
	assert_dropped();

	/* Multicast source */
	setup(NULL);
	msg_rs(&m);
	msg_send(&m, "ff02::2");
	assert_dropped();
}

/**
 * test_ra_size() - A long search list is cut to fit 1280 bytes
 * @state:	cmocka state, unused
 */
static void test_ra_size(void **state)
{
	const uint8_t *o;
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
	c.mtu = 1280;
	msg_rs(&m);
	msg_send(&m, "fe80::2");

	assert_ra("fe80::2");
	assert_true(sent.len <= 1280 - 40);
	o = ra_opt(31, &len);
	assert_non_null(o);
	assert_int_equal(len % 8, 0);

	/* With a large MTU, everything */
	memset(&sent, 0, sizeof(sent));
	c.mtu = 65520;
	msg_send(&m, "fe80::2");
	o = ra_opt(31, &len);
	assert_non_null(o);
	assert_true(len >= 8 + SEARCH_MAX * 205);
}

/**
 * test_ll_addr() - Link-local address: derived once, or kept if set
 * @state:	cmocka state, unused
 */
static void test_ll_addr(void **state)
{
	struct in6_addr eui = addr6("fe80::9855:9aff:fe55:9a55");
	struct in6_addr set = addr6("fe80::1");

	(void)state;
	assert_memory_equal(ndp_ll_addr(&c), &eui, 16);
	assert_memory_equal(&c.ip6.our_tap_ll, &eui, 16);
	c.ip6.our_tap_ll = set;
	assert_memory_equal(ndp_ll_addr(&c), &set, 16);
}

/**
 * test_timer() - Unsolicited advertisements: 3 at 16 s, then 200-600 s
 * @state:	cmocka state, unused
 */
static void test_timer(void **state)
{
	struct timespec now = { 0 };
	unsigned n;

	(void)state;

	/* No guest: nothing, and state reset */
	ready = false;
	now.tv_sec = 100;
	ndp_timer(&c, &now);
	assert_int_equal(sent.count, 0);

	ready = true;
	ndp_timer(&c, &now);
	assert_int_equal(sent.count, 1);
	assert_ra("ff02::1");

	for (now.tv_sec = 101; now.tv_sec <= 148; now.tv_sec++)
		ndp_timer(&c, &now);
	assert_int_equal(sent.count, 3);		/* at 116 and 132 */

	for (n = sent.count; now.tv_sec < 332; now.tv_sec++)
		ndp_timer(&c, &now);
	assert_int_equal(sent.count, n);
	for (; now.tv_sec <= 732 && sent.count == n; now.tv_sec++)
		ndp_timer(&c, &now);
	assert_int_equal(sent.count, n + 1);		/* 200 to 600 s later */
	n++;

	/* Guest goes and comes back: initial advertisements again */
	ready = false;
	ndp_timer(&c, &now);
	ready = true;
	ndp_timer(&c, &now);
	assert_int_equal(sent.count, n + 1);

	/* Disabled */
	c.no_ra = true;
	for (now.tv_sec += 16; now.tv_sec < 2000; now.tv_sec++)
		ndp_timer(&c, &now);
	assert_int_equal(sent.count, n + 1);
	c.no_ra = false;
	c.ifi6_on = false;
	ndp_timer(&c, &now);
	assert_int_equal(sent.count, n + 1);
}

/**
 * test_random() - Random bodies never crash
 * @state:	cmocka state, unused
 */
static void test_random(void **state)
{
	uint32_t x = 4242;
	unsigned i, j;
	struct msg m;

	(void)state;
	for (i = 0; i < 50000; i++) {
		size_t n;

		memset(&m, 0, sizeof(m));
		x = x * 1103515245 + 12345;
		n = (x >> 8) % 120;
		for (j = 0; j < n; j++) {
			x = x * 1103515245 + 12345;
			m.buf[j] = (uint8_t)(x >> 16);
		}
		m.buf[0] = (uint8_t)(133 + i % 5);
		if (i % 3)
			m.buf[1] = 0;
		m.len = n;
		msg_send_hlim(&m, i % 4 ? "fe80::2" : "::",
			      i % 7 ? 255 : (uint8_t)(x >> 24));
		assert_true(sent.len <= SENT_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ns_na, setup),
		cmocka_unit_test_setup(test_ns_remote, setup),
		cmocka_unit_test_setup(test_ns_dad, setup),
		cmocka_unit_test_setup(test_ns_guest, setup),
		cmocka_unit_test_setup(test_ns_malformed, setup),
		cmocka_unit_test_setup(test_hop_limit, setup),
		cmocka_unit_test_setup(test_other_types, setup),
		cmocka_unit_test_setup(test_rs_ra, setup),
		cmocka_unit_test_setup(test_rs_unspec, setup),
		cmocka_unit_test_setup(test_rs_options, setup),
		cmocka_unit_test_setup(test_rs_no_ra, setup),
		cmocka_unit_test_setup(test_rs_no_dhcpv6, setup),
		cmocka_unit_test_setup(test_rs_config_net, setup),
		cmocka_unit_test_setup(test_rs_gw_ll, setup),
		cmocka_unit_test_setup(test_rs_malformed, setup),
		cmocka_unit_test_setup(test_ra_size, setup),
		cmocka_unit_test_setup(test_ll_addr, setup),
		cmocka_unit_test_setup(test_timer, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
