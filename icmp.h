/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp.h - ICMP and ICMPv6 echo through ping sockets */

#ifndef ICMP_H
#define ICMP_H

#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "epoll_ref.h"

#define ICMP_TIMEOUT_S		60	/* idle echo session lifetime */

void icmp_init(struct ctx *c);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref);

#endif /* ICMP_H */
