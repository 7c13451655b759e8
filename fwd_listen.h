/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_listen.h - sockets listening on forwarded ports, TCP and UDP */

#ifndef FWD_LISTEN_H
#define FWD_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "epoll_ref.h"

/**
 * union fwd_listen_ref - Payload of the epoll reference of a listener
 * @port:	Target port: where connections or datagrams go
 * @pif:	PIF_HOST: listening on the host (-t, -u), traffic goes to the
 *		guest; PIF_SPLICE: listening in the namespace (-T, -U),
 *		traffic goes to the host's loopback
 * @data:	As stored in union epoll_ref
 */
union fwd_listen_ref {
	struct {
		uint16_t port;
		uint8_t pif;
	};
	uint32_t data;
};
static_assert(sizeof(union fwd_listen_ref) == sizeof(uint32_t),
	      "fwd_listen_ref must fit the epoll reference payload");

void fwd_listen_init(struct ctx *c);
void fwd_listen_timer(struct ctx *c);
bool fwd_listen_pause(const struct ctx *c, union epoll_ref ref);

#endif /* FWD_LISTEN_H */
