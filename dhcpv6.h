/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcpv6.h - DHCPv6 server for the guest's one address */

#ifndef DHCPV6_H
#define DHCPV6_H

#include <netinet/in.h>

#include "ctx.h"
#include "packet.h"

void dhcpv6(struct ctx *c, const struct in6_addr *saddr,
	    const struct pkt *udp);

#endif /* DHCPV6_H */
