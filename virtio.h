/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio.h - split virtqueues in guest memory, for the vhost-user backend */

#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <assert.h>
#include <stdint.h>
#include <sys/uio.h>

/* Guest memory regions a frontend may give us (vhost-user's own limit) */
#define VIRTIO_MEM_REGIONS	8
/* Largest queue we accept: a power of two, as split queues need */
#define VIRTQ_SIZE_MAX		1024
/* Scatter entries we keep for one chain: longer chains are dropped */
#define VIRTQ_SEG_MAX		64
/* Longest chain in bytes we take: more than any frame with its header */
#define VIRTQ_CHAIN_LEN_MAX	(1UL << 20)

/* Ring layout (virtio 1.x, 2.7): sizes of the parts for a queue of @n */
#define VIRTQ_DESC_SIZE(n)	(16UL * (n))
#define VIRTQ_AVAIL_SIZE(n)	(6UL + 2UL * (n))
#define VIRTQ_USED_SIZE(n)	(6UL + 8UL * (n))

/* Descriptor flags */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

/* Ring flags: driver asks for no interrupt, device asks for no kick */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

/**
 * struct virtio_region - One region of guest memory, mapped here
 * @gpa:	Guest physical address of its first byte
 * @size:	Length in bytes
 * @uva:	Its address in the frontend's (QEMU's) address space
 * @host:	Our mapping of the first byte
 */
struct virtio_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint8_t *host;
};

/**
 * struct virtio_mem - The guest memory table
 * @n:		Regions in use
 * @r:		Regions
 */
struct virtio_mem {
	unsigned n;
	struct virtio_region r[VIRTIO_MEM_REGIONS];
};

/**
 * struct virtq_desc - A descriptor as it lies in guest memory, little-endian
 * @addr:	Guest physical address of the buffer
 * @len:	Its length
 * @flags:	VIRTQ_DESC_F_*
 * @next:	Next descriptor of the chain, with VIRTQ_DESC_F_NEXT
 */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
static_assert(sizeof(struct virtq_desc) == 16, "descriptor is 16 bytes");

/**
 * struct virtq - One split virtqueue as the device (we) sees it
 * @size:	Number of descriptors, power of two, 0: not set up
 * @desc:	Descriptor table, in guest memory
 * @avail:	Available ring: flags, idx, ring[size], used_event
 * @used:	Used ring: flags, idx, ring[size] of {id, len}, avail_event
 * @last_avail:	Next available entry we take
 * @used_idx:	Our used index, published by virtq_flush()
 * @signalled:	Used index when we last notified the driver
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX negotiated
 * @indirect:	VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @nstash:	Chains in @stash
 * @stash:	Heads of receive chains taken and given back, other than the
 *		last ones taken from the ring: virtq_pop() takes these first
 */
struct virtq {
	uint16_t size;
	struct virtq_desc *desc;
	uint16_t *avail;
	uint16_t *used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled;
	bool event_idx;
	bool indirect;
	uint16_t nstash;
	uint16_t stash[VIRTQ_SIZE_MAX];
};

/**
 * struct virtq_elem - A chain taken from the available ring
 * @head:	Index of its first descriptor, returned in the used ring
 * @pos:	Available index it was taken at, -1 if from the stash
 * @n:		Entries of @iov used
 * @len:	Total length in bytes
 * @iov:	Buffers, mapped here
 */
struct virtq_elem {
	uint16_t head;
	int32_t pos;
	unsigned n;
	size_t len;
	struct iovec iov[VIRTQ_SEG_MAX];
};

/**
 * enum virtq_ret - Result of taking a chain
 * @VIRTQ_OK:		Chain taken, in the element
 * @VIRTQ_EMPTY:	Nothing available
 * @VIRTQ_DROP:		Chain valid but unusable by us (too many segments,
 *			too long): consumed, return it with virtq_push(), 0
 * @VIRTQ_BAD:		The ring is malformed: the driver can't be trusted
 */
enum virtq_ret {
	VIRTQ_OK,
	VIRTQ_EMPTY,
	VIRTQ_DROP,
	VIRTQ_BAD,
};

void *virtio_gpa(const struct virtio_mem *m, uint64_t gpa, uint64_t len);
void *virtio_uva(const struct virtio_mem *m, uint64_t uva, uint64_t len);
const char *virtq_setup(struct virtq *vq, const struct virtio_mem *m,
			unsigned size, uint64_t desc, uint64_t avail,
			uint64_t used);
enum virtq_ret virtq_pop(const struct virtio_mem *m, struct virtq *vq,
			 bool writable, struct virtq_elem *e,
			 const char **why);
void virtq_unpop(struct virtq *vq, uint16_t head, int32_t pos);
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
void virtq_flush(struct virtq *vq);
bool virtq_should_notify(struct virtq *vq);
bool virtq_avail_pending(const struct virtq *vq);
void virtq_enable_kicks(struct virtq *vq);
void virtio_iov_write(const struct iovec *iov, size_t n, size_t off,
		      const void *src, size_t len);

#endif /* VIRTIO_H */
