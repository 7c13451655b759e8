/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_user.h - the vhost-user protocol, passt's backend for QEMU's
 *		  vhost-user netdev
 */

#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "epoll_ref.h"
#include "packet.h"
#include "virtio_net.h"

/* Queues of the one queue pair: the guest receives on 0, sends on 1 */
#define VHOST_USER_RX		0
#define VHOST_USER_TX		1
#define VHOST_USER_QUEUES	2

/* Largest payload of a message we take: the memory table is 264 bytes */
#define VHOST_USER_PAYLOAD_MAX	4096
/* Descriptors one message may carry (the memory table's regions) */
#define VHOST_USER_FDS_MAX	8

void vhost_user_print_caps(void);
void vhost_user_accept(struct ctx *c, int fd);
void vhost_user_handler(struct ctx *c, uint32_t events);
void vhost_user_close(struct ctx *c, const char *why);
void vhost_user_kick_handler(struct ctx *c, union epoll_ref ref,
			     const struct timespec *now);
bool vhost_user_ready(void);
size_t vhost_user_send(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes, uint16_t gso);
bool vhost_user_guest_csum(void);
bool vhost_user_guest_tso(void);
bool vhost_user_guest_uso(void);
size_t vhost_user_lend(struct ctx *c, size_t pre, size_t plen, size_t n,
		       struct pkt_room *rooms, bool *empty);
size_t vhost_user_lend_done(struct ctx *c, const struct virtio_net_out *out,
			    size_t n);
bool vhost_user_tx_pin_can(const uint16_t *bufs, size_t n);
unsigned vhost_user_tx_pin(const uint16_t *bufs, size_t n);
void vhost_user_tx_unpin(struct ctx *c, unsigned batch);
size_t vhost_user_tx_iov(const struct pkt *p, struct iovec *iov,
			 uint16_t *bufs, size_t max);

#endif /* VHOST_USER_H */
