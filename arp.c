// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - ARP responder on the guest link
 *
 * We answer every ARP request with our own MAC address, except requests
 * for the guest's own address (duplicate address detection, or the guest
 * probing for itself): the guest must not think its address is taken.
 */

#include <string.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "tap.h"
#include "arp.h"

/**
 * struct arp_payload - Ethernet/IPv4 ARP body, after struct arphdr
 * @sha:	Sender hardware address
 * @sip:	Sender IP address
 * @tha:	Target hardware address
 * @tip:	Target IP address
 */
struct arp_payload {
	uint8_t sha[MAC_LEN];
	uint8_t sip[4];
	uint8_t tha[MAC_LEN];
	uint8_t tip[4];
} __attribute__((packed));
static_assert(sizeof(struct arp_payload) == 20, "ARP body size");

/**
 * struct arp_frame - A whole ARP frame
 * @eh:		Ethernet header
 * @ah:		ARP header
 * @am:		ARP body
 */
struct arp_frame {
	struct ether_header eh;
	struct arphdr ah;
	struct arp_payload am;
} __attribute__((packed));
static_assert(sizeof(struct arp_frame) == 42, "ARP frame size");

/**
 * arp() - Answer an ARP request from the guest
 * @c:		Execution context
 * @frame:	Whole frame, Ethernet header included
 */
void arp(struct ctx *c, const struct pkt *frame)
{
	struct arp_frame req, rep;
	struct in_addr tip;

	if (!pkt_copy(frame, 0, &req, sizeof(req)) ||
	    ntohs(req.ah.ar_hrd) != ARPHRD_ETHER ||
	    ntohs(req.ah.ar_pro) != ETHERTYPE_IP ||
	    req.ah.ar_hln != MAC_LEN || req.ah.ar_pln != 4) {
		stats_inc(STAT_ARP_DROP);
		return;
	}
	if (ntohs(req.ah.ar_op) != ARPOP_REQUEST) {
		stats_inc(STAT_ARP_DROP);
		return;
	}

	memcpy(&tip, req.am.tip, sizeof(tip));
	/* Gratuitous ARP, or a probe for the guest's own address */
	if (!memcmp(req.am.sip, req.am.tip, 4) ||
	    in4_eq(&tip, &c->ip4.addr) || in4_eq(&tip, &c->ip4.addr_seen)) {
		stats_inc(STAT_ARP_DROP);
		return;
	}

	rep = req;
	memcpy(rep.eh.ether_dhost, req.eh.ether_shost, MAC_LEN);
	memcpy(rep.eh.ether_shost, c->our_tap_mac, MAC_LEN);
	rep.ah.ar_op = htons(ARPOP_REPLY);
	memcpy(rep.am.tha, req.am.sha, MAC_LEN);
	memcpy(rep.am.tip, req.am.sip, 4);
	memcpy(rep.am.sha, c->our_tap_mac, MAC_LEN);
	memcpy(rep.am.sip, req.am.tip, 4);

	stats_inc(STAT_ARP_REPLIES);
	tap_send_single(c, &rep, sizeof(rep));
}

/**
 * arp_announce() - Send a gratuitous ARP for the gateway address
 * @c:		Execution context
 *
 * Lets a guest that already has an ARP entry learn our MAC at once, e.g.
 * after a restart with a different --mac-addr.
 */
void arp_announce(struct ctx *c)
{
	struct arp_frame f;
	static const uint8_t bcast[MAC_LEN] = { 0xff, 0xff, 0xff,
						0xff, 0xff, 0xff };

	if (!c->ifi4_on || in4_is_unspec(&c->ip4.gw))
		return;

	memset(&f, 0, sizeof(f));
	memcpy(f.eh.ether_dhost, bcast, MAC_LEN);
	memcpy(f.eh.ether_shost, c->our_tap_mac, MAC_LEN);
	f.eh.ether_type = htons(ETHERTYPE_ARP);
	f.ah.ar_hrd = htons(ARPHRD_ETHER);
	f.ah.ar_pro = htons(ETHERTYPE_IP);
	f.ah.ar_hln = MAC_LEN;
	f.ah.ar_pln = 4;
	f.ah.ar_op = htons(ARPOP_REQUEST);
	memcpy(f.am.sha, c->our_tap_mac, MAC_LEN);
	memcpy(f.am.sip, &c->ip4.gw, 4);
	memset(f.am.tha, 0, MAC_LEN);
	memcpy(f.am.tip, &c->ip4.gw, 4);

	tap_send_single(c, &f, sizeof(f));
}
