/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation: what the rest of the daemon calls */

#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "epoll_ref.h"

void tcp_init(struct ctx *c);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void tcp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events);
void tcp_port_timer(struct ctx *c, const struct timespec *now);
bool tcp_ack_flush(struct ctx *c, bool all, const struct timespec *now);
bool tcp_acks_held(void);
bool tcp_syn_acked_at_once(void);

#endif /* TCP_H */
