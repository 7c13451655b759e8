// SPDX-License-Identifier: GPL-2.0-or-later
/* inany.c - one address type for IPv4 and IPv6 (IPv4-mapped IPv6 form) */

#include <errno.h>
#include <arpa/inet.h>

#include "util.h"
#include "inany.h"

const union inany_addr inany_any4 = {
	.v4mapped = { .one = { 0xff, 0xff }, .a4 = { 0 } },
};
const union inany_addr inany_any6 = { .a6 = IN6ADDR_ANY_INIT };
const union inany_addr inany_loopback4 = {
	.v4mapped = { .one = { 0xff, 0xff },
		      .a4 = { .s_addr = 0x0100007f } },
};
const union inany_addr inany_loopback6 = { .a6 = IN6ADDR_LOOPBACK_INIT };

/**
 * inany_is_unspec() - Is the address 0.0.0.0 or ::?
 * @a:		Address
 *
 * Return: true if unspecified
 */
bool inany_is_unspec(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return in4_is_unspec(v4);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * inany_is_loopback() - Is the address 127.0.0.0/8 or ::1?
 * @a:		Address
 *
 * Return: true if loopback
 */
bool inany_is_loopback(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return in4_is_loopback(v4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * inany_is_multicast() - Is the address multicast (or IPv4 broadcast)?
 * @a:		Address
 *
 * Return: true if multicast
 */
bool inany_is_multicast(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return in4_is_multicast(v4);
	return IN6_IS_ADDR_MULTICAST(&a->a6);
}

/**
 * inany_ntop() - Format an address, IPv4 in dotted form
 * @a:		Address
 * @buf:	Output
 * @size:	Size of @buf, INANY_ADDRSTRLEN is enough
 *
 * Return: @buf
 */
const char *inany_ntop(const union inany_addr *a, char *buf, size_t size)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return inet_ntop(AF_INET, v4, buf, (socklen_t)size);
	return inet_ntop(AF_INET6, &a->a6, buf, (socklen_t)size);
}

/**
 * inany_pton() - Parse an IPv4 or IPv6 address
 * @s:		String
 * @a:		Result, set only on success
 *
 * Return: AF_INET or AF_INET6 on success, -EINVAL on failure
 */
int inany_pton(const char *s, union inany_addr *a)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		inany_from_v4(a, v4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &v6) == 1) {
		inany_from_v6(a, &v6);
		return AF_INET6;
	}
	return -EINVAL;
}

/**
 * inany_to_sockaddr() - Make a socket address of the matching family
 * @a:		Address
 * @port:	Port, host order
 * @scope_id:	IPv6 scope (interface index) for link-local addresses
 * @sa:		Result
 *
 * Return: length of the socket address
 */
socklen_t inany_to_sockaddr(const union inany_addr *a, uint16_t port,
			    unsigned scope_id, union sockaddr_inany *sa)
{
	const struct in_addr *v4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (v4) {
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_port = htons(port);
		sa->sa4.sin_addr = *v4;
		return sizeof(sa->sa4);
	}
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_port = htons(port);
	sa->sa6.sin6_addr = a->a6;
	if (IN6_IS_ADDR_LINKLOCAL(&a->a6))
		sa->sa6.sin6_scope_id = scope_id;
	return sizeof(sa->sa6);
}

/**
 * inany_to_sockaddr_af() - Socket address for a socket of a given family
 * @a:		Address
 * @port:	Port, host order
 * @scope_id:	IPv6 scope (interface index) for link-local addresses
 * @af:		Family of the socket: an AF_INET6 socket takes an IPv4
 *		address in its IPv4-mapped form
 * @sa:		Result
 *
 * Return: length of the socket address
 */
socklen_t inany_to_sockaddr_af(const union inany_addr *a, uint16_t port,
			       unsigned scope_id, int af,
			       union sockaddr_inany *sa)
{
	if (af != AF_INET6 || !inany_v4(a))
		return inany_to_sockaddr(a, port, scope_id, sa);

	memset(sa, 0, sizeof(*sa));
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_port = htons(port);
	sa->sa6.sin6_addr = a->a6;	/* already ::ffff:a.b.c.d */
	return sizeof(sa->sa6);
}

/**
 * inany_from_sockaddr() - Read address and port from a socket address
 * @sa:		Socket address, AF_INET or AF_INET6
 * @a:		Address
 * @port:	Port, host order, may be NULL
 *
 * Return: 0 on success, -EAFNOSUPPORT for another family
 */
int inany_from_sockaddr(const union sockaddr_inany *sa, union inany_addr *a,
			uint16_t *port)
{
	if (sa->sa.sa_family == AF_INET) {
		inany_from_v4(a, sa->sa4.sin_addr);
		if (port)
			*port = ntohs(sa->sa4.sin_port);
		return 0;
	}
	if (sa->sa.sa_family == AF_INET6) {
		inany_from_v6(a, &sa->sa6.sin6_addr);
		if (port)
			*port = ntohs(sa->sa6.sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}
