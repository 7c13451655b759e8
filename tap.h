/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - frames to and from the guest, over any backend */

#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "ctx.h"
#include "inany.h"
#include "packet.h"
#include "epoll_ref.h"

/* Receive buffers: a buffer stays pinned while anyone holds its bytes */
#define TAP_BUF_COUNT		4
/* Bytes nobody can pin (copies of scattered frames, frames in the guest's
 * memory when they can't be held): copy what must stay
 */
#define TAP_BUF_NONE		UINT16_MAX
/* Frames in the guest's memory (vhost-user) that the backend may hold:
 * TAP_BUF_CHAIN, a batch of vhost_user.c's shifted by TAP_BUF_CHAIN_BITS,
 * the frame's chain in that batch below
 */
#define TAP_BUF_CHAIN		0x8000U
#define TAP_BUF_CHAIN_BITS	10
#define TAP_BUF_SIZE		(4UL * 1024 * 1024)
/* Largest frame we take: Ethernet header, and an IP packet of 64 KiB or,
 * a super-frame over IPv6, a 64 KiB payload behind the fixed header
 */
#define TAP_FRAME_MAX		(14 + 40 + ETH_MAX_MTU)
/* Longest frame the stream framing may announce: a length beyond 16 bits is
 * no frame QEMU sends, the framing is lost
 */
#define TAP_STREAM_MAX		65535U
/**
 * enum tap_framing - How frames are delimited on a stream backend
 * @TAP_FRAMING_QEMU:		Each frame after its length, 4 bytes, big-endian
 *				(QEMU's -netdev stream)
 * @TAP_FRAMING_GVPROXY:	An HTTP request (POST /connect) first, then each
 *				frame after its length, 2 bytes, little-endian
 *				(gvisor-tap-vsock's guest forwarder)
 */
enum tap_framing {
	TAP_FRAMING_QEMU = 0,
	TAP_FRAMING_GVPROXY,
};

/* Frames handled in one batch */
#define TAP_BATCH_MAX		1024

#define ETH_HLEN_		14

/**
 * struct tap_l4_seq - Packets of one flow from one batch, in arrival order
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @ttl:	TTL or hop limit of the first packet
 * @src:	Source address (the guest's)
 * @dst:	Destination address as the guest sent it
 * @sport:	Source port, host order (ICMP: echo identifier)
 * @dport:	Destination port, host order (ICMP: 0)
 * @count:	Number of packets
 * @pkts:	Views of the L4 header and payload of each packet, in order
 */
struct tap_l4_seq {
	int af;
	uint8_t proto;
	uint8_t ttl;
	union inany_addr src;
	union inany_addr dst;
	uint16_t sport;
	uint16_t dport;
	unsigned count;
	const struct pkt *pkts;
};

/**
 * typedef tap_l4_handler_t - Handler of one sequence of L4 packets
 * @c:		Execution context
 * @seq:	Packets
 * @now:	Current time
 */
typedef void (*tap_l4_handler_t)(struct ctx *c, const struct tap_l4_seq *seq,
				 const struct timespec *now);

void tap_register_l4(uint8_t proto, tap_l4_handler_t handler);

/**
 * struct tap_hooks - What the guest link calls in the layers above it
 * @writable:	The backend takes frames again, after it refused some
 * @reset:	The guest went away (passt): forget what it had open
 */
struct tap_hooks {
	void (*writable)(struct ctx *c, const struct timespec *now);
	void (*reset)(struct ctx *c);
};

void tap_set_hooks(const struct tap_hooks *hooks);

/* Backends and their events */
void tap_init(struct ctx *c);
void tap_handler_pasta(struct ctx *c, uint32_t events,
		       const struct timespec *now);
void tap_handler_passt(struct ctx *c, uint32_t events,
		       const struct timespec *now);
void tap_listen_handler(struct ctx *c, uint32_t events);
void tap_disconnect(struct ctx *c, const char *why);
void tap_writable(struct ctx *c, const struct timespec *now);
void tap_sock_unlink(const struct ctx *c);
void tap_sock_keeper(const struct ctx *c);
bool tap_is_ready(const struct ctx *c);
bool tap_out_full(void);
void tap_handle_frames(struct ctx *c, const struct pkt *frames, size_t n,
		       const struct timespec *now);

/* Receive buffer pinning, for zero-copy sends of guest data */
void tap_buf_pin(struct ctx *c, uint16_t buf);
void tap_buf_unpin(struct ctx *c, uint16_t buf);
unsigned tap_bufs_free(unsigned mask);

/* Pins on the bytes of one zero-copy send, whatever holds them: a pin is
 * a number below TAP_PIN_MAX, a bit per receive buffer, or TAP_PIN_CHAINS
 * and a transmit batch of vhost_user.c's
 */
#define TAP_PIN_MAX		0x80U
#define TAP_PIN_CHAINS		0x40U
bool tap_pin_can(const struct ctx *c, const uint16_t *bufs, size_t n);
unsigned tap_pin(struct ctx *c, const uint16_t *bufs, size_t n);
void tap_unpin(struct ctx *c, unsigned pin);
size_t tap_pkt_iov(const struct ctx *c, const struct pkt *p,
		   struct iovec *iov, uint16_t *bufs, size_t max);

/**
 * struct tap_fill - What the caller wrote into one frame from tap_lend()
 * @hdr:	Headers, Ethernet to L4, of the length given to tap_lend();
 *		NULL: frame unused
 * @plen:	Payload bytes written into the frame's room
 * @more:	Payload beyond the room, copied after it by the backend, or
 *		NULL
 * @mlen:	Length of @more
 */
struct tap_fill {
	const uint8_t *hdr;
	size_t plen;
	const void *more;
	size_t mlen;
};

/* Frames lent at once, and the longest headers in front of their rooms */
#define TAP_LEND_MAX		256
#define TAP_HDR_MAX		(14 + 40 + 60)

/* Transmit */
size_t tap_lend(struct ctx *c, size_t hlen, size_t plen, size_t n,
		struct pkt_room *rooms);
size_t tap_lend_send(struct ctx *c, size_t hlen,
		     const struct pkt_room *rooms, const struct tap_fill *fill,
		     size_t n, uint16_t gso_size);
void tap_lend_cancel(struct ctx *c);
bool tap_lends(const struct ctx *c);
size_t tap_send_frames(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes);
bool tap_vnet_in(const struct virtio_net_hdr *vh, struct pkt *f);
bool tap_gso_ok(const struct ctx *c);
bool tap_uso_ok(const struct ctx *c);
size_t tap_send_frames_gso(struct ctx *c, const struct iovec *iov,
			   size_t bufs_per_frame, size_t nframes,
			   uint16_t gso_size);
void tap_send_single(struct ctx *c, const void *frame, size_t len);
bool tap_l4_csum(const struct ctx *c);
uint16_t tap_l4_csum_seed(uint32_t pseudo);
size_t tap_eth_hdr(const struct ctx *c, void *buf, uint16_t ethertype);
size_t tap_ip4_hdr(void *buf, struct in_addr src, struct in_addr dst,
		   uint8_t proto, size_t l4len);
size_t tap_ip6_hdr(void *buf, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t proto, size_t l4len,
		   uint32_t flow_label);
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *data,
		   size_t len);
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport,
		   const void *data, size_t len);
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    void *icmp, size_t len);
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len);
const struct in6_addr *tap_ip6_guest_dst(const struct ctx *c,
					 const struct in6_addr *src);

#endif /* TAP_H */
