/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcp.h - DHCP server for the guest's one address */

#ifndef DHCP_H
#define DHCP_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "packet.h"

void dhcp(struct ctx *c, const struct pkt *udp);
size_t dhcp_name_encode(uint8_t *out, size_t size, const char *name);

#endif /* DHCP_H */
