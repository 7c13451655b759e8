/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndp.h - NDP neighbour and router advertisements on the guest link */

#ifndef NDP_H
#define NDP_H

#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "ctx.h"
#include "packet.h"

void ndp(struct ctx *c, const struct in6_addr *saddr, uint8_t hop_limit,
	 const struct pkt *icmp6);
void ndp_timer(struct ctx *c, const struct timespec *now);
const struct in6_addr *ndp_ll_addr(struct ctx *c);

#endif /* NDP_H */
