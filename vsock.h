/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vsock.h - AF_VSOCK for guests, and gvproxy's connection request */

#ifndef VSOCK_H
#define VSOCK_H

#include "ctx.h"
#include "tap.h"

#include <sys/uio.h>

/* Packets one zero-copy receive maps, at most: a page each, at least */
#define VSOCK_RX_PIECES		256

void vsock_listen(struct ctx *c);
void vsock_rx_attach(int fd);
void vsock_rx_detach(void);
bool vsock_rx_mapping(void);
int vsock_rx_map(int fd, struct iovec *pieces, size_t *np, const char **why);
void vsock_rx_unmap(void);
void vsock_request_reset(void);
int vsock_request_read(int fd, const char **why);

#endif /* VSOCK_H */
