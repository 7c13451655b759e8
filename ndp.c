// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - NDP neighbour and router advertisements on the guest link
 *
 * Theory of operation: to the guest, everything beyond its own link is
 * behind us, and we have no neighbours to ask, so we answer every
 * Neighbour Solicitation with our own MAC address, with two exceptions:
 * solicitations for the guest's own addresses, and duplicate address
 * detection (source ::), which must go unanswered or the guest would
 * think its address taken. Advertisements carry the Router flag: we are
 * the guest's router, and an advertisement without it for our link-local
 * address would take us off its default router list (RFC 4861, 7.2.5).
 *
 * Router Advertisements go out on Router Solicitations and, from
 * ndp_timer(), unsolicited: three at 16 s intervals once a guest is
 * attached (RFC 4861, 6.2.4 and 10), then every 200 to 600 s. They
 * announce the /64 of the guest's address, whatever the host's prefix
 * length, on-link and autonomous (L=1, A=1), so that a guest without a
 * DHCPv6 client (busybox, most containers) still gets a global address
 * by SLAAC (RFC 4862), which takes a /64 and nothing else. They also
 * set the Managed and Other flags, unless DHCPv6 is off, as the host's
 * own address and the resolvers come from DHCPv6. A guest with both ends
 * up with two addresses in the prefix, and uses either as its source.
 *
 * The exception is pasta with --config-net: the namespace has the host's
 * address already, so A=0. A second address, there a second or so after
 * start, would be the kernel's choice of source from then on (the newer
 * of two equally good ones), under programs already running: answers to
 * datagrams sent to the first would come from the second.
 *
 * The router lifetime is 9000 s, the largest RFC 4861 allows, many times
 * our longest interval between advertisements; the prefix, resolvers and
 * search list never change at run time, so their lifetimes are infinite.
 * An advertisement is kept within the link MTU (1280 bytes if unknown):
 * search domains that don't fit are left out.
 *
 * Router Advertisements, and DHCPv6 replies, are from our link-local
 * address, ndp_ll_addr(): the host's default gateway if that is
 * link-local (conf.c sets it), so that the guest's default router is the
 * host's, else derived from our MAC address. Neighbour Advertisements are
 * from the address solicited.
 *
 * Counters: STAT_NDP_DROP_HOP_LIMIT counts messages whose IPv6 hop limit
 * isn't 255, which RFC 4861 (6.1.1, 7.1.1) has us discard before looking
 * at them: a router on the way lowered it, so they can't be from the
 * link. STAT_NDP_DROP counts the other messages we don't answer,
 * malformed or not (advertisements and redirects from the guest, DAD,
 * solicitations for the guest's own addresses).
 */

#include <string.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "packet.h"
#include "tap.h"
#include "dhcp.h"
#include "ndp.h"

/* Option types (RFC 4861, 4.6; RFC 8106, 5) */
#define NDP_OPT_SLLA		1
#define NDP_OPT_TLLA		2
#define NDP_OPT_PREFIX		3
#define NDP_OPT_MTU		5
#define NDP_OPT_RDNSS		25
#define NDP_OPT_DNSSL		31
#define NDP_OPT_UNIT		8	/* option lengths are in these */
#define NDP_OPT_LEN_MAX		255	/* in units */
/* More options than any solicitation needs: a longer list is dropped */
#define NDP_OPTS_MAX		32

#define NDP_HOP_LIMIT		255	/* of every NDP message, both ways */
#define NDP_CUR_HOP_LIMIT	64	/* for the guest's own packets */
#define NDP_ROUTER_LIFETIME	9000	/* s, AdvDefaultLifetime maximum */
#define NDP_LIFETIME_INFINITE	0xffffffffU
/* SLAAC on Ethernet forms 64-bit interface identifiers, and ignores any
 * other prefix length (RFC 4862, 5.5.3 d; RFC 4291, 2.5.1)
 */
#define NDP_PREFIX_LEN		64

/* Unsolicited advertisements (RFC 4861, 10) */
#define NDP_INITIAL_RAS		3	/* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define NDP_INITIAL_INTERVAL	16	/* s, MAX_INITIAL_RTR_ADVERT_INTERVAL */
#define NDP_INTERVAL_MIN	200	/* s */
#define NDP_INTERVAL_MAX	600	/* s */

#define NDP_IP6_HLEN		40
#define NDP_RA_BUF		2048	/* all our options, whole search list */

/**
 * struct ndp_opt_lla - Source or target link-layer address option
 * @type:	NDP_OPT_SLLA or NDP_OPT_TLLA
 * @len:	1 (8 bytes)
 * @mac:	Address
 */
struct ndp_opt_lla {
	uint8_t type;
	uint8_t len;
	uint8_t mac[MAC_LEN];
};
static_assert(sizeof(struct ndp_opt_lla) == 8, "link-layer address option");

/**
 * struct ndp_opt_dns - Head of an RDNSS or DNSSL option (RFC 8106, 5)
 * @type:	NDP_OPT_RDNSS or NDP_OPT_DNSSL
 * @len:	Length in 8-byte units, head included
 * @reserved:	Zero
 * @lifetime:	Lifetime in seconds, network order
 */
struct ndp_opt_dns {
	uint8_t type;
	uint8_t len;
	uint16_t reserved;
	uint32_t lifetime;
};
static_assert(sizeof(struct ndp_opt_dns) == 8, "RDNSS and DNSSL head");

/**
 * struct ndp_na - Neighbour Advertisement with target link-layer address
 * @na:		Advertisement
 * @tlla:	Target link-layer address option
 */
struct ndp_na {
	struct nd_neighbor_advert na;
	struct ndp_opt_lla tlla;
};
static_assert(sizeof(struct ndp_na) == 32, "NA size");

/**
 * struct ndp_ra_timer - State of unsolicited Router Advertisements
 * @armed:	A guest is attached and @next is set
 * @sent:	Advertisements sent since it was attached, up to
 *		NDP_INITIAL_RAS
 * @next:	Time of the next one, seconds on the monotonic clock
 */
struct ndp_ra_timer {
	bool armed;
	unsigned sent;
	time_t next;
};

static struct ndp_ra_timer ndp_ra_timer;

/**
 * ndp_ll_addr() - Our link-local address, derived from our MAC if not set
 * @c:		Execution context
 *
 * If c->ip6.our_tap_ll is unspecified, set it to fe80::/64 with the
 * modified EUI-64 interface identifier of c->our_tap_mac (RFC 4291,
 * appendix A).
 *
 * Return: c->ip6.our_tap_ll
 */
const struct in6_addr *ndp_ll_addr(struct ctx *c)
{
	struct in6_addr *a = &c->ip6.our_tap_ll;
	const uint8_t *mac = c->our_tap_mac;

	if (!IN6_IS_ADDR_UNSPECIFIED(a))
		return a;

	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0xfe;
	a->s6_addr[1] = 0x80;
	a->s6_addr[8] = mac[0] ^ 0x02;		/* universal/local bit */
	a->s6_addr[9] = mac[1];
	a->s6_addr[10] = mac[2];
	a->s6_addr[11] = 0xff;
	a->s6_addr[12] = 0xfe;
	a->s6_addr[13] = mac[3];
	a->s6_addr[14] = mac[4];
	a->s6_addr[15] = mac[5];
	return a;
}

/**
 * ndp_configured() - Did we configure the guest's address ourselves?
 * @c:		Execution context
 *
 * Return: true for pasta with --config-net, which gives the namespace its
 *	   address, false if the guest has to find one (SLAAC, DHCPv6)
 */
static bool ndp_configured(const struct ctx *c)
{
	return c->mode == MODE_PASTA && c->pasta.config_net;
}

/**
 * ndp_opts_check() - Check the option list of a message
 * @msg:	ICMPv6 message
 * @off:	Offset of the first option
 * @slla:	Set if a source link-layer address option is present
 *
 * Return: true if every option is whole and none has length zero
 *	   (RFC 4861, 4.6: such a message is discarded)
 */
static bool ndp_opts_check(const struct pkt *msg, size_t off, bool *slla)
{
	unsigned i;

	*slla = false;
	for (i = 0; i < NDP_OPTS_MAX && off < msg->len; i++) {
		uint8_t type, len;

		if (!pkt_u8(msg, off, &type) || !pkt_u8(msg, off + 1, &len) ||
		    !len || !pkt_ptr(msg, off, (size_t)len * NDP_OPT_UNIT)) {
			debug("NDP: bad option at offset %zu", off);
			return false;
		}
		if (type == NDP_OPT_SLLA)
			*slla = true;
		off += (size_t)len * NDP_OPT_UNIT;
	}
	if (off < msg->len) {
		debug("NDP: more than %u options", NDP_OPTS_MAX);
		return false;
	}
	return true;
}

/**
 * ndp_ra_dns() - Append RDNSS and DNSSL options, as far as they fit
 * @c:		Execution context
 * @buf:	Advertisement being written
 * @len:	Bytes written so far
 * @limit:	Bytes we may write
 *
 * Return: bytes written, @len included
 */
static size_t ndp_ra_dns(const struct ctx *c, uint8_t *buf, size_t len,
			 size_t limit)
{
	struct ndp_opt_dns h = { .lifetime = htonl(NDP_LIFETIME_INFINITE) };
	size_t start, cap, i, n;

	if (!c->no_dhcp_dns) {
		for (i = 0, n = 0; i < c->ip6.dns_count && i < DNS_MAX; i++)
			n += !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);

		if (n && len + sizeof(h) + n * sizeof(struct in6_addr) <=
			 limit) {
			h.type = NDP_OPT_RDNSS;
			h.len = (uint8_t)(1 + 2 * n);
			memcpy(buf + len, &h, sizeof(h));
			len += sizeof(h);
			for (i = 0; i < c->ip6.dns_count && i < DNS_MAX; i++) {
				const struct in6_addr *a = &c->ip6.dns[i];

				if (IN6_IS_ADDR_UNSPECIFIED(a))
					continue;
				memcpy(buf + len, a, sizeof(*a));
				len += sizeof(*a);
			}
		}
	}

	if (c->no_dhcp_search || !c->search_count ||
	    len + sizeof(h) + NDP_OPT_UNIT > limit)
		return len;

	/* The whole option, padded to a unit, must end within @limit */
	start = len;
	cap = start + ROUND_DOWN(limit - start, NDP_OPT_UNIT);
	len += sizeof(h);
	for (i = 0; i < c->search_count && i < SEARCH_MAX; i++) {
		n = dhcp_name_encode(buf + len, cap - len, c->search[i].n);
		if (!n)
			debug("NDP: search domain %s left out", c->search[i].n);
		len += n;
	}
	if (len == start + sizeof(h))
		return start;

	n = ROUND_UP(len - start, NDP_OPT_UNIT);
	memset(buf + len, 0, start + n - len);
	len = start + n;

	h.type = NDP_OPT_DNSSL;
	h.len = (uint8_t)(n / NDP_OPT_UNIT);
	memcpy(buf + start, &h, sizeof(h));
	return len;
}

/**
 * ndp_ra_send() - Send a Router Advertisement
 * @c:		Execution context
 * @dst:	Destination: a soliciting guest address, or all-nodes
 */
static void ndp_ra_send(struct ctx *c, const struct in6_addr *dst)
{
	static uint8_t buf[NDP_RA_BUF];
	struct nd_router_advert ra;
	struct ndp_opt_lla slla;
	size_t len = 0, limit;
	unsigned mtu;

	mtu = c->mtu >= MTU_MIN_IPV6 ? c->mtu : MTU_MIN_IPV6;
	limit = MIN(sizeof(buf), mtu - NDP_IP6_HLEN);

	memset(&ra, 0, sizeof(ra));
	ra.nd_ra_type = ND_ROUTER_ADVERT;
	ra.nd_ra_curhoplimit = NDP_CUR_HOP_LIMIT;
	if (!c->no_dhcpv6)
		ra.nd_ra_flags_reserved = ND_RA_FLAG_MANAGED | ND_RA_FLAG_OTHER;
	ra.nd_ra_router_lifetime = htons(NDP_ROUTER_LIFETIME);
	memcpy(buf, &ra, sizeof(ra));
	len += sizeof(ra);

	slla.type = NDP_OPT_SLLA;
	slla.len = 1;
	memcpy(slla.mac, c->our_tap_mac, MAC_LEN);
	memcpy(buf + len, &slla, sizeof(slla));
	len += sizeof(slla);

	if (c->mtu >= MTU_MIN_IPV6) {
		struct nd_opt_mtu m = {
			.nd_opt_mtu_type = NDP_OPT_MTU, .nd_opt_mtu_len = 1,
			.nd_opt_mtu_mtu = htonl(c->mtu),
		};

		memcpy(buf + len, &m, sizeof(m));
		len += sizeof(m);
	}

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		struct nd_opt_prefix_info pi;
		int i;

		memset(&pi, 0, sizeof(pi));
		pi.nd_opt_pi_type = NDP_OPT_PREFIX;
		pi.nd_opt_pi_len = sizeof(pi) / NDP_OPT_UNIT;
		pi.nd_opt_pi_prefix_len = NDP_PREFIX_LEN;
		pi.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK;
		if (!ndp_configured(c))
			pi.nd_opt_pi_flags_reserved |= ND_OPT_PI_FLAG_AUTO;
		pi.nd_opt_pi_valid_time = htonl(NDP_LIFETIME_INFINITE);
		pi.nd_opt_pi_preferred_time = htonl(NDP_LIFETIME_INFINITE);
		pi.nd_opt_pi_prefix = c->ip6.addr;
		for (i = NDP_PREFIX_LEN; i < 128; i++)
			pi.nd_opt_pi_prefix.s6_addr[i / 8] &=
				(uint8_t)~(0x80 >> (i % 8));

		memcpy(buf + len, &pi, sizeof(pi));
		len += sizeof(pi);
	}

	len = ndp_ra_dns(c, buf, len, limit);

	stats_inc(STAT_NDP_RA);
	tap_icmp6_send(c, ndp_ll_addr(c), dst, buf, len);
}

/**
 * ndp_rs() - Answer a Router Solicitation
 * @c:		Execution context
 * @saddr:	Source address
 * @msg:	ICMPv6 message
 */
static void ndp_rs(struct ctx *c, const struct in6_addr *saddr,
		   const struct pkt *msg)
{
	struct nd_router_solicit rs;
	bool slla;

	if (!pkt_copy(msg, 0, &rs, sizeof(rs)) ||
	    !ndp_opts_check(msg, sizeof(rs), &slla) ||
	    IN6_IS_ADDR_MULTICAST(saddr) ||
	    (IN6_IS_ADDR_UNSPECIFIED(saddr) && slla)) {
		debug("NDP: malformed router solicitation");
		stats_inc(STAT_NDP_DROP);
		return;
	}
	if (c->no_ra) {
		stats_inc(STAT_NDP_DROP);
		return;
	}

	ndp_ra_send(c, IN6_IS_ADDR_UNSPECIFIED(saddr) ? &in6addr_ll_all_nodes :
							saddr);
}

/**
 * ndp_ns() - Answer a Neighbour Solicitation
 * @c:		Execution context
 * @saddr:	Source address
 * @msg:	ICMPv6 message
 */
static void ndp_ns(struct ctx *c, const struct in6_addr *saddr,
		   const struct pkt *msg)
{
	struct nd_neighbor_solicit ns;
	struct ndp_na na;
	const struct in6_addr *t;
	bool slla;

	if (!pkt_copy(msg, 0, &ns, sizeof(ns)) ||
	    !ndp_opts_check(msg, sizeof(ns), &slla) ||
	    IN6_IS_ADDR_MULTICAST(&ns.nd_ns_target) ||
	    IN6_IS_ADDR_UNSPECIFIED(&ns.nd_ns_target) ||
	    IN6_IS_ADDR_MULTICAST(saddr) ||
	    (IN6_IS_ADDR_UNSPECIFIED(saddr) && slla)) {
		debug("NDP: malformed neighbour solicitation");
		stats_inc(STAT_NDP_DROP);
		return;
	}

	t = &ns.nd_ns_target;
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) ||	/* DAD */
	    in6_eq(t, &c->ip6.addr) || in6_eq(t, &c->ip6.addr_seen) ||
	    in6_eq(t, &c->ip6.addr_ll_seen)) {
		stats_inc(STAT_NDP_DROP);
		return;
	}

	memset(&na, 0, sizeof(na));
	na.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	na.na.nd_na_flags_reserved = ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
				     ND_NA_FLAG_OVERRIDE;
	na.na.nd_na_target = *t;
	na.tlla.type = NDP_OPT_TLLA;
	na.tlla.len = 1;
	memcpy(na.tlla.mac, c->our_tap_mac, MAC_LEN);

	stats_inc(STAT_NDP_NA);
	tap_icmp6_send(c, t, saddr, &na, sizeof(na));
}

/**
 * ndp() - Handle an NDP message from the guest
 * @c:		Execution context
 * @saddr:	IPv6 source address
 * @hop_limit:	Hop limit of the IPv6 header
 * @icmp6:	ICMPv6 header and body, type 133 to 137
 */
void ndp(struct ctx *c, const struct in6_addr *saddr, uint8_t hop_limit,
	 const struct pkt *icmp6)
{
	uint8_t type, code;

	/* Anything less than 255 was forwarded by a router: it can't be from
	 * the guest's link (RFC 4861, 6.1.1 and 7.1.1)
	 */
	if (hop_limit != NDP_HOP_LIMIT) {
		debug("NDP: hop limit %u, not %u", hop_limit, NDP_HOP_LIMIT);
		stats_inc(STAT_NDP_DROP_HOP_LIMIT);
		return;
	}

	if (!pkt_u8(icmp6, 0, &type) || !pkt_u8(icmp6, 1, &code) || code) {
		debug("NDP: truncated message or non-zero code");
		stats_inc(STAT_NDP_DROP);
		return;
	}

	switch (type) {
	case ND_ROUTER_SOLICIT:
		ndp_rs(c, saddr, icmp6);
		break;
	case ND_NEIGHBOR_SOLICIT:
		ndp_ns(c, saddr, icmp6);
		break;
	default:
		/* Advertisements and redirects: nothing for us to learn */
		trace("NDP: ignoring type %u", type);
		stats_inc(STAT_NDP_DROP);
	}
}

/**
 * ndp_timer() - Send unsolicited Router Advertisements when due
 * @c:		Execution context
 * @now:	Current time, monotonic clock
 *
 * Call about once a second. While no guest is attached (or IPv6, NDP or
 * advertisements are off) nothing is sent, and the next guest gets the
 * initial advertisements again.
 */
void ndp_timer(struct ctx *c, const struct timespec *now)
{
	struct ndp_ra_timer *t = &ndp_ra_timer;

	if (c->no_ndp || c->no_ra || !c->ifi6_on || !tap_is_ready(c)) {
		t->armed = false;
		t->sent = 0;
		return;
	}

	if (!t->armed) {
		t->armed = true;
		t->next = now->tv_sec;
	}
	if (now->tv_sec < t->next)
		return;

	ndp_ra_send(c, &in6addr_ll_all_nodes);

	if (t->sent < NDP_INITIAL_RAS)
		t->sent++;
	if (t->sent < NDP_INITIAL_RAS)
		t->next = now->tv_sec + NDP_INITIAL_INTERVAL;
	else
		t->next = now->tv_sec + NDP_INTERVAL_MIN + rand_u32() %
			  (NDP_INTERVAL_MAX - NDP_INTERVAL_MIN + 1);
}
