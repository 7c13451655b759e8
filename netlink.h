/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - rtnetlink queries and configuration of links, addresses and
 *	       routes, in whatever namespace the socket was opened
 */

#ifndef NETLINK_H
#define NETLINK_H

#include <stdint.h>
#include <netinet/in.h>

#include "util.h"

/**
 * struct nl_addr - An address of an interface
 * @a:		Address: @a.a4 for IPv4, @a.a6 for IPv6
 * @prefix_len:	Prefix length
 */
struct nl_addr {
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} a;
	int prefix_len;
};

int nl_sock_open(void);
unsigned nl_get_default_ifi(int s, int af);
int nl_route_get_default(int s, int af, unsigned ifi, void *gw);
int nl_addr_get(int s, int af, unsigned ifi, void *addr, int *prefix_len);
int nl_addr_list(int s, int af, unsigned ifi, struct nl_addr *out,
		 unsigned max);
int nl_link_get_mac(int s, unsigned ifi, uint8_t mac[static MAC_LEN]);
int nl_link_get_mtu(int s, unsigned ifi, unsigned *mtu);
int nl_link_set(int s, unsigned ifi, const uint8_t *mac, unsigned mtu,
		bool up);
int nl_addr_add(int s, int af, unsigned ifi, const void *addr,
		int prefix_len);
int nl_route_add_default(int s, int af, unsigned ifi, const void *gw);
int nl_link_get_ifi(int s, const char *name, unsigned *ifi);

#endif /* NETLINK_H */
