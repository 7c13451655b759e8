/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vsock.h - AF_VSOCK for guests, and gvproxy's connection request */

#ifndef VSOCK_H
#define VSOCK_H

#include "ctx.h"
#include "tap.h"

void vsock_listen(struct ctx *c);
void vsock_request_reset(void);
int vsock_request_read(int fd, const char **why);

#endif /* VSOCK_H */
