/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_zc.h - zero-copy frames to a guest on a stream socket, from a pool */

#ifndef TAP_ZC_H
#define TAP_ZC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ctx.h"
#include "packet.h"

bool tap_zc_lends(const struct ctx *c);
size_t tap_zc_lend(struct ctx *c, size_t pre, size_t plen, size_t n,
		   struct pkt_room *rooms);
uint8_t *tap_zc_frame(size_t i);
void tap_zc_cancel(void);
ssize_t tap_zc_send(struct ctx *c, struct iovec *iov, size_t cnt,
		    size_t bytes);
void tap_zc_release(struct ctx *c, unsigned chunk);
bool tap_zc_completions(struct ctx *c, int *err);
bool tap_zc_close(struct ctx *c);

#endif /* TAP_ZC_H */
