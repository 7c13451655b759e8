// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - address mapping between the guest's view and the host's
 *
 * Theory of operation: the guest has (by default) the host's own
 * addresses, so a few guest-side addresses are given a special meaning:
 *  - --map-host-loopback (by default the gateway, unless --no-map-gw)
 *    stands for the host's loopback: 127.0.0.1 or ::1;
 *  - --map-guest-addr stands for the host's own address, the one the
 *    guest also has;
 *  - --dns-forward (by default the gateway), port 53 only, stands for the
 *    host-side resolver (--dns-host, by default the host's first one).
 * Every other address means itself: the host connects there. In the
 * other direction, a host peer on loopback, or on the host's address that
 * the guest also has, is shown to the guest as the matching mapped
 * address, or as the gateway when no mapping is configured.
 */

#include <string.h>

#include "util.h"
#include "flow.h"
#include "tap.h"
#include "fwd.h"

/**
 * fwd_addr_is() - Does @a equal the IPv4 or IPv6 address of one setting?
 * @a:		Address
 * @v4:		IPv4 setting, unspecified if unset
 * @v6:		IPv6 setting, unspecified if unset
 *
 * Return: true if @a is set and equals the setting of its family
 */
static bool fwd_addr_is(const union inany_addr *a, const struct in_addr *v4,
			const struct in6_addr *v6)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return !in4_is_unspec(v4) && in4_eq(a4, v4);
	return !IN6_IS_ADDR_UNSPECIFIED(v6) && in6_eq(&a->a6, v6);
}

/**
 * fwd_map_from_guest() - Host-side destination for a guest's destination
 * @c:		Execution context
 * @dst:	Destination address as the guest sent it
 * @dport:	Destination port (for DNS forwarding), 0 if not applicable
 * @host_dst:	Host-side destination
 *
 * Return: which mapping applied
 */
enum fwd_map fwd_map_from_guest(const struct ctx *c,
				const union inany_addr *dst, uint16_t dport,
				union inany_addr *host_dst)
{
	const struct in_addr *d4 = inany_v4(dst);

	if (dport == 53 &&
	    fwd_addr_is(dst, &c->ip4.dns_match, &c->ip6.dns_match)) {
		/* The host's resolver of the same family, else the other */
		if ((d4 && !in4_is_unspec(&c->ip4.dns_host)) ||
		    (!d4 && IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host)))
			inany_from_v4(host_dst, c->ip4.dns_host);
		else
			inany_from_v6(host_dst, &c->ip6.dns_host);
		return FWD_MAP_DNS;
	}

	if (fwd_addr_is(dst, &c->ip4.map_host_loopback,
			&c->ip6.map_host_loopback)) {
		*host_dst = d4 ? inany_loopback4 : inany_loopback6;
		return FWD_MAP_LOOPBACK;
	}

	if (fwd_addr_is(dst, &c->ip4.map_guest_addr, &c->ip6.map_guest_addr)) {
		fwd_guest_addr(c, d4 ? AF_INET : AF_INET6, host_dst);
		return FWD_MAP_GUEST;
	}

	*host_dst = *dst;
	return FWD_MAP_NONE;
}

/**
 * fwd_map_to_guest() - Source address the guest sees for a host peer
 * @c:		Execution context
 * @src:	Host peer's address
 * @guest_src:	Address to show the guest
 *
 * Return: true if the address was mapped, false if it is shown as is
 */
bool fwd_map_to_guest(const struct ctx *c, const union inany_addr *src,
		      union inany_addr *guest_src)
{
	const struct in_addr *s4 = inany_v4(src);
	union inany_addr guest;
	bool loopback = inany_is_loopback(src);

	/* The guest may have the address it was given (DHCP, --config-net)
	 * besides the one it uses now (SLAAC, say): either is its own
	 */
	fwd_guest_addr(c, s4 ? AF_INET : AF_INET6, &guest);
	if (!loopback && !inany_equals(src, &guest) &&
	    !fwd_addr_is(src, &c->ip4.addr, &c->ip6.addr)) {
		*guest_src = *src;
		return false;
	}

	if (s4) {
		struct in_addr a = c->ip4.gw;

		if (!loopback && !in4_is_unspec(&c->ip4.map_guest_addr))
			a = c->ip4.map_guest_addr;
		else if (!in4_is_unspec(&c->ip4.map_host_loopback))
			a = c->ip4.map_host_loopback;
		inany_from_v4(guest_src, a);
	} else {
		struct in6_addr a = c->ip6.gw;

		if (!loopback && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr))
			a = c->ip6.map_guest_addr;
		else if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
			a = c->ip6.map_host_loopback;
		inany_from_v6(guest_src, &a);
	}
	return true;
}

/**
 * fwd_guest_addr() - The guest's address of a family, as last seen
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @a:		Address
 */
void fwd_guest_addr(const struct ctx *c, int af, union inany_addr *a)
{
	if (af == AF_INET) {
		inany_from_v4(a, in4_is_unspec(&c->ip4.addr_seen) ?
			      c->ip4.addr : c->ip4.addr_seen);
	} else {
		inany_from_v6(a, IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen) ?
			      &c->ip6.addr : &c->ip6.addr_seen);
	}
}

/**
 * fwd_flow_from_tap() - Sides of a new flow started by the guest
 * @c:		Execution context
 * @f:		New flow
 * @seq:	Its first packets, as the guest sent them
 *
 * The initiating side is the guest's; the target side is on the host, at
 * the destination mapped as fwd_map_from_guest() says, same port. Our
 * address and port on the host side are left to the protocol's socket.
 *
 * Return: which mapping applied
 */
enum fwd_map fwd_flow_from_tap(const struct ctx *c, struct flow_common *f,
			       const struct tap_l4_seq *seq)
{
	f->pif[INISIDE] = PIF_TAP;
	f->side[INISIDE].eaddr = seq->src;
	f->side[INISIDE].eport = seq->sport;
	f->side[INISIDE].oaddr = seq->dst;
	f->side[INISIDE].oport = seq->dport;
	f->pif[TGTSIDE] = PIF_HOST;
	f->side[TGTSIDE].eport = seq->dport;
	return fwd_map_from_guest(c, &seq->dst, seq->dport,
				  &f->side[TGTSIDE].eaddr);
}
