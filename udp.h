/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: what the rest of the daemon calls */

#ifndef UDP_H
#define UDP_H

#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "epoll_ref.h"

void udp_init(struct ctx *c);
void udp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now);
void udp_reply_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now);

#endif /* UDP_H */
