/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_splice.h - what tcp_splice.c offers beyond tcp_internal.h */

#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include "ctx.h"

void tcp_splice_refill(struct ctx *c);

#endif /* TCP_SPLICE_H */
