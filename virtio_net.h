/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net.h - virtio-net frames in receive chains, copied or lent */

#ifndef VIRTIO_NET_H
#define VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "packet.h"
#include "virtio.h"

#define VIRTIO_NET_HDR_LEN	12	/* struct virtio_net_hdr_mrg_rxbuf */
/* GSO type of a UDP train (USO), Linux 6.2: not in older headers */
#define VIRTIO_NET_HDR_GSO_UDP_L4_	5
#define VIRTIO_NET_HDR_NUMBUF	10	/* offset of num_buffers */

/* Segments of all frames lent at once: one recvmsg() with one entry of the
 * caller's in front stays within IOV_MAX
 */
#define VIRTIO_LEND_SEG_MAX	1023

/**
 * struct virtio_net_out - What the caller wrote into one lent frame
 * @pre:	virtio-net header (num_buffers set here) and the frame's
 *		headers, as many bytes as lent in front of the room; NULL:
 *		frame unused
 * @plen:	Payload bytes written into the room
 * @more:	Payload that didn't fit the room, copied after it, or NULL
 * @mlen:	Length of @more
 */
struct virtio_net_out {
	const uint8_t *pre;
	size_t plen;
	const void *more;
	size_t mlen;
};

void virtio_net_csum(const struct iovec *f, struct virtio_net_hdr *vh);
unsigned virtio_net_gso(const struct iovec *f, size_t cnt, uint16_t gso_size,
			struct virtio_net_hdr *vh);
enum virtq_ret virtio_net_rx(const struct virtio_mem *m, struct virtq *vq,
			     bool mrg, const struct virtio_net_hdr *vh,
			     const struct iovec *iov, size_t cnt,
			     const char **why);
enum virtq_ret virtio_net_lend(const struct virtio_mem *m, struct virtq *vq,
			       bool mrg, size_t pre, size_t plen, size_t n,
			       struct pkt_room *rooms, size_t *lent,
			       const char **why);
enum virtq_ret virtio_net_lend_done(const struct virtio_mem *m,
				    struct virtq *vq,
				    const struct virtio_net_out *out,
				    size_t n, size_t *sent,
				    size_t *copied, const char **why);

#endif /* VIRTIO_NET_H */
