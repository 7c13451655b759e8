/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arp.h - ARP responder on the guest link */

#ifndef ARP_H
#define ARP_H

#include "ctx.h"
#include "packet.h"

void arp(struct ctx *c, const struct pkt *frame);
void arp_announce(struct ctx *c);

#endif /* ARP_H */
