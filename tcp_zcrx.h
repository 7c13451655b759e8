/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_zcrx.h - TCP_ZEROCOPY_RECEIVE: host socket data mapped rather than
 *		copied, held until the guest acknowledges it
 */

#ifndef TCP_ZCRX_H
#define TCP_ZCRX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "packet.h"

struct ctx;

/* A connection's slot: none (the data is peeked), or a slot + 1 */
#define TCP_ZCRX_NONE		0

/* Payload pieces of one frame built from held data, at most */
#define TCP_ZCRX_PIECES		2

void tcp_zcrx_init(struct ctx *c);
uint16_t tcp_zcrx_get(const struct ctx *c);
void tcp_zcrx_put(uint16_t slot);
ssize_t tcp_zcrx_fetch(uint16_t slot, int s, size_t want, bool *eof);
size_t tcp_zcrx_held(uint16_t slot);
bool tcp_zcrx_full(uint16_t slot);
size_t tcp_zcrx_rooms(uint16_t slot, size_t from, size_t len, size_t fsize,
		      struct pkt_room *rooms, struct iovec *iov, size_t max);
void tcp_zcrx_ack(uint16_t slot, size_t bytes);

#endif /* TCP_ZCRX_H */
