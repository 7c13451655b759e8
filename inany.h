/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inany.h - one address type for IPv4 and IPv6 (IPv4-mapped IPv6 form) */

#ifndef INANY_H
#define INANY_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

/**
 * union inany_addr - An IPv6 address, or an IPv4 address mapped into one
 * @a6:		As IPv6
 * @v4mapped:	IPv4 view: @zero, @one (0xffff) and @a4
 */
union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
	uint32_t u32[4];
};
static_assert(sizeof(union inany_addr) == 16, "inany_addr size");

/**
 * union sockaddr_inany - Either socket address family
 * @sa:		Generic
 * @sa4:	IPv4
 * @sa6:	IPv6
 */
union sockaddr_inany {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

extern const union inany_addr inany_any4, inany_any6;
extern const union inany_addr inany_loopback4, inany_loopback6;

/**
 * inany_v4() - IPv4 address if @a is IPv4-mapped
 * @a:		Address
 *
 * Return: pointer to the IPv4 part, or NULL for a real IPv6 address
 */
static inline const struct in_addr *inany_v4(const union inany_addr *a)
{
	if (a->u32[0] || a->u32[1] || a->u32[2] != htonl(0xffff))
		return NULL;
	return &a->v4mapped.a4;
}

/**
 * inany_from_v4() - Set @a from an IPv4 address
 * @a:		Result
 * @v4:		IPv4 address
 */
static inline void inany_from_v4(union inany_addr *a, struct in_addr v4)
{
	a->u32[0] = a->u32[1] = 0;
	a->u32[2] = htonl(0xffff);
	a->v4mapped.a4 = v4;
}

/**
 * inany_from_v6() - Set @a from an IPv6 address
 * @a:		Result
 * @v6:		IPv6 address
 */
static inline void inany_from_v6(union inany_addr *a,
				 const struct in6_addr *v6)
{
	a->a6 = *v6;
}

/**
 * inany_equals() - Compare two addresses
 * @a:		First
 * @b:		Second
 *
 * Return: true if equal
 */
static inline bool inany_equals(const union inany_addr *a,
				const union inany_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/**
 * inany_af() - Address family of an address
 * @a:		Address
 *
 * Return: AF_INET or AF_INET6
 */
static inline int inany_af(const union inany_addr *a)
{
	return inany_v4(a) ? AF_INET : AF_INET6;
}

bool inany_is_unspec(const union inany_addr *a);
bool inany_is_loopback(const union inany_addr *a);
bool inany_is_multicast(const union inany_addr *a);
const char *inany_ntop(const union inany_addr *a, char *buf, size_t size);
int inany_pton(const char *s, union inany_addr *a);
socklen_t inany_to_sockaddr(const union inany_addr *a, uint16_t port,
			    unsigned scope_id, union sockaddr_inany *sa);
socklen_t inany_to_sockaddr_af(const union inany_addr *a, uint16_t port,
			       unsigned scope_id, int af,
			       union sockaddr_inany *sa);
int inany_from_sockaddr(const union sockaddr_inany *sa, union inany_addr *a,
			uint16_t *port);

#define INANY_ADDRSTRLEN	INET6_ADDRSTRLEN

#endif /* INANY_H */
