/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixture.h - a configured struct ctx, and helpers shared by the harnesses
 *
 * The context is what conf_defaults() would give on a host with
 * 198.51.100.2/24 via 198.51.100.1 and 2001:db8::2/64 via 2001:db8::1,
 * with every name and resolver field filled, some of them to their limits,
 * so that the reply builders meet options that do not fit. Variants change
 * what the link services look at most: the MTU, the prefix length, where
 * the gateway is, which options are switched off.
 */

#ifndef FUZZ_FIXTURE_H
#define FUZZ_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ctx.h"
#include "log.h"

/* Deliberately abort(): libFuzzer reports it as a crash with a stack */
#define FUZZ_CHECK(expr)						\
	do {								\
		if (!(expr)) {						\
			fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", \
				#expr, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

/* Context variants, see fuzz_ctx_fill() */
enum fuzz_variant {
	FUZZ_CTX_FULL,		/* big MTU, every option set */
	FUZZ_CTX_SMALL,		/* minimum MTUs, gateway off-link, long names */
	FUZZ_CTX_BARE,		/* no MTU, /32 and /128, no names, no DNS */
	FUZZ_CTX_NUM,
};

/**
 * fuzz_addr4() - Parse an IPv4 address literal, abort if it is bad
 * @s:		Address
 *
 * Return: address
 */
static inline struct in_addr fuzz_addr4(const char *s)
{
	struct in_addr a;

	FUZZ_CHECK(inet_pton(AF_INET, s, &a) == 1);
	return a;
}

/**
 * fuzz_addr6() - Parse an IPv6 address literal, abort if it is bad
 * @s:		Address
 *
 * Return: address
 */
static inline struct in6_addr fuzz_addr6(const char *s)
{
	struct in6_addr a;

	FUZZ_CHECK(inet_pton(AF_INET6, s, &a) == 1);
	return a;
}

/**
 * fuzz_long_domain() - Write a domain name of @len characters, labels of 63
 * @buf:	Output, at least @len + 1 bytes
 * @len:	Length
 * @tag:	First character, to tell names apart
 */
static inline void fuzz_long_domain(char *buf, size_t len, char tag)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (i % 64 == 63) ? '.' : (char)('a' + i % 26);
	buf[0] = tag;
	if (len && buf[len - 1] == '.')
		buf[len - 1] = 'z';
	buf[len] = '\0';
}

/**
 * fuzz_ctx_fill() - Set up a context as conf_defaults() would
 * @c:		Context, overwritten
 * @v:		Variant
 *
 * Descriptors are left at -1: the caller sets the ones it needs.
 */
static inline void fuzz_ctx_fill(struct ctx *c, enum fuzz_variant v)
{
	static const uint8_t mac[MAC_LEN] = { 0x9a, 0x55, 0x9a, 0x55,
					      0x9a, 0x55 };
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->mode = MODE_PASTA;
	c->pidfile_fd = c->fd_tap_listen = c->fd_tap = c->fd_tap_given = -1;
	c->epollfd = -1;
	c->pasta.netns_fd = c->pasta.userns_fd = -1;
	memcpy(c->our_tap_mac, mac, MAC_LEN);

	c->ifi4_on = c->ifi6_on = true;
	c->ip4.addr = fuzz_addr4("198.51.100.2");
	c->ip4.prefix_len = 24;
	c->ip4.gw = fuzz_addr4("198.51.100.1");
	c->ip4.our_tap_addr = c->ip4.gw;
	c->ip4.map_host_loopback = c->ip4.gw;
	c->ip6.addr = fuzz_addr6("2001:db8::2");
	c->ip6.prefix_len = 64;
	c->ip6.gw = fuzz_addr6("2001:db8::1");
	c->ip6.map_host_loopback = c->ip6.gw;

	switch (v) {
	case FUZZ_CTX_FULL:
		c->mtu = 65520;
		for (i = 0; i < DNS_MAX; i++) {
			c->ip4.dns[i] = fuzz_addr4("192.0.2.53");
			c->ip4.dns[i].s_addr = htonl(ntohl(c->ip4.dns[i].s_addr) + i);
			c->ip6.dns[i] = fuzz_addr6("2001:db8:53::");
			c->ip6.dns[i].s6_addr[15] = (uint8_t)i;
		}
		c->ip4.dns_count = c->ip6.dns_count = DNS_MAX;
		c->ip4.dns[1].s_addr = 0;	/* unset entries are skipped */
		snprintf(c->hostname, sizeof(c->hostname), "guest");
		snprintf(c->fqdn, sizeof(c->fqdn), "guest.example.org");
		for (i = 0; i < SEARCH_MAX; i++)
			fuzz_long_domain(c->search[i].n, 20 + i * 40,
					 (char)('a' + i));
		c->search_count = SEARCH_MAX;
		break;
	case FUZZ_CTX_SMALL:
		c->mtu = 576;		/* IPv6 code must round up to 1280 */
		c->ip4.gw = fuzz_addr4("203.0.113.1");	/* off-link: routes */
		c->ip4.our_tap_addr = c->ip4.gw;
		c->ip6.prefix_len = 80;
		c->ip4.dns[0] = fuzz_addr4("192.0.2.53");
		c->ip4.dns_count = 1;
		c->ip6.dns[0] = fuzz_addr6("2001:db8:53::1");
		c->ip6.dns_count = 1;
		memset(c->hostname, 'h', HOSTNAME_MAX - 1);
		fuzz_long_domain(c->fqdn, DOMAIN_MAX - 1, 'f');
		for (i = 0; i < SEARCH_MAX; i++)
			fuzz_long_domain(c->search[i].n, DOMAIN_MAX - 1 - i,
					 (char)('a' + i));
		c->search_count = SEARCH_MAX;
		/* Malformed ones must be skipped, not sent */
		snprintf(c->search[2].n, DOMAIN_MAX, "bad..label");
		snprintf(c->search[3].n, DOMAIN_MAX, ".");
		break;
	case FUZZ_CTX_BARE:
	default:
		c->mtu = 0;
		c->ip4.prefix_len = 32;	/* gateway off-link */
		c->ip4.our_tap_addr.s_addr = 0;
		c->ip6.prefix_len = 128;
		c->no_dhcp_dns = c->no_dhcp_search = true;
		break;
	}
}

/**
 * fuzz_quiet_logs() - Format every message, debug included, print none
 *
 * Formatting still runs, so a bad format argument (a name that is not
 * NUL-terminated, say) is still caught by the sanitizers.
 */
static inline void fuzz_quiet_logs(void)
{
	log_set_level(LOG_TRACE);
	log_to_stderr(false);
}

#endif /* FUZZ_FIXTURE_H */
