// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio.c - split virtqueues in guest memory, for the vhost-user backend
 *
 * Theory of operation
 *
 * The guest's memory is shared with us as a table of regions (vhost-user's
 * SET_MEM_TABLE), each a guest physical range, the frontend's virtual
 * address of it, and our mapping. Every address the guest gives us is
 * translated through that table, a range at a time: a range that is not
 * entirely inside one region is an error, never a pointer. The checks are
 * written so that no sum can wrap (offset first, then the length against
 * what is left of the region). A buffer spanning two adjacent regions is
 * refused too: guests allocate buffers from pages of one memory block.
 *
 * Rings (virtio 1.x, split virtqueues): the driver (guest) puts chain heads
 * in the available ring, we walk each chain and return its head, with the
 * length we wrote, in the used ring. The guest can rewrite any of this at
 * any time: each descriptor is copied out once, behind a compiler barrier,
 * and only the copy is checked and used. A chain is refused (VIRTQ_BAD, the
 * caller ends the connection) if it visits more descriptors than the table
 * holds (a loop), points outside the table or outside guest memory, mixes
 * directions (transmit chains are read-only to us, receive chains
 * writable), or has a malformed indirect table: one indirect descriptor,
 * at the end of a chain, no NEXT flag on it, a length a whole number of
 * descriptors, none of them indirect again, and only if negotiated.
 *
 * Indices are free-running 16-bit counters: the ring position is the
 * index modulo the queue size, which is a power of two, so the wrap of
 * the counter and of the ring agree. An available index more than the
 * queue size ahead of ours is a malformed ring.
 *
 * Notifications: with VIRTIO_RING_F_EVENT_IDX, the driver says in
 * used_event which used index it wants to hear about, and we say in
 * avail_event which available index we want a kick for; otherwise the
 * driver's NO_INTERRUPT flag decides, and we always take kicks.
 *
 * Limits: chains of more than VIRTQ_SEG_MAX segments or VIRTQ_CHAIN_LEN_MAX
 * bytes are dropped on transmit (VIRTQ_DROP: consumed, returned empty),
 * and used only in part on receive.
 *
 * Receive chains taken and not used go back (virtq_unpop()): the last ones
 * taken by moving our index back, others through a stash of heads that
 * the next virtq_pop() takes first. A driver that stops the queue while
 * chains wait there (GET_VRING_BASE) doesn't get those back: only a lent
 * frame left unused in the middle of a batch puts them there
 * (virtio_net.c), and the next frame to the guest takes them again.
 */

#include <endian.h>
#include <string.h>

#include "virtio.h"

/* Whatever the guest wrote before, read memory again after this */
#define VIRTIO_BARRIER()	__asm__ __volatile__("" ::: "memory")

/**
 * virtio_region_ptr() - Map a range through a region, checking its bounds
 * @start:	Start of the region, in the same space as @addr
 * @size:	Size of the region
 * @host:	Our mapping of the region
 * @addr:	First byte of the range
 * @len:	Length of the range
 *
 * Return: pointer to the range, NULL if it is not all inside the region
 */
static void *virtio_region_ptr(uint64_t start, uint64_t size, uint8_t *host,
			       uint64_t addr, uint64_t len)
{
	uint64_t off;

	if (addr < start)
		return NULL;
	off = addr - start;
	if (off >= size || len > size - off)
		return NULL;
	return host + off;
}

/**
 * virtio_gpa() - Translate a guest physical range into our mapping
 * @m:		Memory table
 * @gpa:	Guest physical address
 * @len:	Length in bytes, at least 1
 *
 * Return: pointer to the range, NULL if it isn't all inside one region
 */
void *virtio_gpa(const struct virtio_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct virtio_region *r = &m->r[i];
		void *p = virtio_region_ptr(r->gpa, r->size, r->host, gpa, len);

		if (p)
			return p;
	}
	return NULL;
}

/**
 * virtio_uva() - Translate a range of the frontend's addresses (the rings
 *		  of vhost-user's SET_VRING_ADDR) into our mapping
 * @m:		Memory table
 * @uva:	Address in the frontend's address space
 * @len:	Length in bytes, at least 1
 *
 * Return: pointer to the range, NULL if it isn't all inside one region
 */
void *virtio_uva(const struct virtio_mem *m, uint64_t uva, uint64_t len)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct virtio_region *r = &m->r[i];
		void *p = virtio_region_ptr(r->uva, r->size, r->host, uva, len);

		if (p)
			return p;
	}
	return NULL;
}

/**
 * virtq_setup() - Check and map the rings of a queue
 * @vq:		Queue, left unchanged on failure
 * @m:		Memory table
 * @size:	Number of descriptors
 * @desc:	Descriptor table, frontend address
 * @avail:	Available ring, frontend address
 * @used:	Used ring, frontend address
 *
 * The used index is taken from the ring, where a previous backend (or the
 * reset state, zero) left it; the available index is set by the caller.
 *
 * Return: NULL on success, or what is wrong, for the log
 */
const char *virtq_setup(struct virtq *vq, const struct virtio_mem *m,
			unsigned size, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	void *d, *a, *u;

	if (!size || size > VIRTQ_SIZE_MAX || (size & (size - 1)))
		return "queue size not a power of two up to 1024";
	d = virtio_uva(m, desc, VIRTQ_DESC_SIZE(size));
	a = virtio_uva(m, avail, VIRTQ_AVAIL_SIZE(size));
	u = virtio_uva(m, used, VIRTQ_USED_SIZE(size));
	if (!d || !a || !u)
		return "ring outside guest memory";
	if ((uintptr_t)d % 16 || (uintptr_t)a % 2 || (uintptr_t)u % 4)
		return "ring misaligned";

	vq->size = (uint16_t)size;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->used_idx = le16toh(__atomic_load_n(&vq->used[1], __ATOMIC_RELAXED));
	vq->signalled = vq->used_idx;
	vq->nstash = 0;
	return NULL;
}

/**
 * virtq_desc_read() - Copy a descriptor out of guest memory
 * @src:	Descriptor in guest memory (an indirect table may be unaligned)
 * @d:		Copy, host order
 */
static void virtq_desc_read(const struct virtq_desc *src, struct virtq_desc *d)
{
	memcpy(d, src, sizeof(*d));
	VIRTIO_BARRIER();
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/**
 * virtq_indirect() - Check an indirect descriptor and map its table
 * @m:		Memory table
 * @vq:		Queue
 * @d:		The indirect descriptor (a copy)
 * @in_table:	Already walking an indirect table
 * @count:	Number of descriptors in the table, set on success
 * @why:	What is wrong, set on failure
 *
 * Return: the table, NULL if it can't be used
 */
static const struct virtq_desc *virtq_indirect(const struct virtio_mem *m,
					       const struct virtq *vq,
					       const struct virtq_desc *d,
					       bool in_table, unsigned *count,
					       const char **why)
{
	const struct virtq_desc *t;

	if (!vq->indirect) {
		*why = "indirect descriptor, not negotiated";
		return NULL;
	}
	if (in_table) {
		*why = "indirect descriptor inside an indirect table";
		return NULL;
	}
	if (d->flags & VIRTQ_DESC_F_NEXT) {
		*why = "indirect descriptor with NEXT flag";
		return NULL;
	}
	if (!d->len || d->len % sizeof(*t) ||
	    d->len / sizeof(*t) > VIRTQ_SIZE_MAX) {
		*why = "indirect table length not 1 to 1024 descriptors";
		return NULL;
	}
	if (!(t = virtio_gpa(m, d->addr, d->len))) {
		*why = "indirect table outside guest memory";
		return NULL;
	}
	*count = d->len / sizeof(*t);
	return t;
}

/**
 * virtq_seg_add() - Add one buffer of a chain to the element
 * @m:		Memory table
 * @d:		Descriptor (a copy), with a non-zero length
 * @writable:	Receive chain: stop at our limits rather than drop
 * @e:		Element
 * @over:	Set if the chain goes beyond our limits
 *
 * Return: false if the buffer is outside guest memory
 */
static bool virtq_seg_add(const struct virtio_mem *m,
			  const struct virtq_desc *d, bool writable,
			  struct virtq_elem *e, bool *over)
{
	void *p = virtio_gpa(m, d->addr, d->len);
	size_t len = d->len;

	if (!p)
		return false;
	if (*over)
		return true;
	if (e->n == VIRTQ_SEG_MAX || e->len >= VIRTQ_CHAIN_LEN_MAX) {
		*over = true;
		return true;
	}
	if (len > VIRTQ_CHAIN_LEN_MAX - e->len) {
		if (!writable) {
			*over = true;
			return true;
		}
		len = VIRTQ_CHAIN_LEN_MAX - e->len;
	}
	e->iov[e->n].iov_base = p;
	e->iov[e->n].iov_len = len;
	e->n++;
	e->len += len;
	return true;
}

/**
 * virtq_walk() - Walk and check a descriptor chain
 * @m:		Memory table
 * @vq:		Queue
 * @head:	First descriptor, below the queue size
 * @writable:	Receive chain (all writable), else transmit (all read-only)
 * @e:		Element to fill
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Return: VIRTQ_OK, VIRTQ_DROP (transmit chain beyond our limits), or
 *	   VIRTQ_BAD
 */
static enum virtq_ret virtq_walk(const struct virtio_mem *m,
				 const struct virtq *vq, uint16_t head,
				 bool writable, struct virtq_elem *e,
				 const char **why)
{
	const struct virtq_desc *table = vq->desc;
	unsigned max = vq->size, seen = 0, i = head;
	bool in_table = false, over = false;

	e->head = head;
	e->n = 0;
	e->len = 0;
	for (;;) {
		struct virtq_desc d;

		if (++seen > max) {
			*why = "descriptor chain loops";
			return VIRTQ_BAD;
		}
		virtq_desc_read(&table[i], &d);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			table = virtq_indirect(m, vq, &d, in_table, &max, why);
			if (!table)
				return VIRTQ_BAD;
			in_table = true;
			seen = 0;
			i = 0;
			continue;
		}
		if (!!(d.flags & VIRTQ_DESC_F_WRITE) != writable) {
			*why = writable ? "read-only descriptor in receive chain"
					: "writable descriptor in transmit chain";
			return VIRTQ_BAD;
		}
		if (d.len && !virtq_seg_add(m, &d, writable, e, &over)) {
			*why = "buffer outside guest memory";
			return VIRTQ_BAD;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= max) {
			*why = "next descriptor beyond the table";
			return VIRTQ_BAD;
		}
		i = d.next;
	}
	return over && !writable ? VIRTQ_DROP : VIRTQ_OK;
}

/**
 * virtq_avail_idx() - Read the driver's available index
 * @vq:		Queue
 *
 * Return: the index; ring entries before it can be read after this
 */
static uint16_t virtq_avail_idx(const struct virtq *vq)
{
	return le16toh(__atomic_load_n(&vq->avail[1], __ATOMIC_ACQUIRE));
}

/**
 * virtq_avail_pending() - Are chains waiting in the available ring?
 * @vq:		Queue, set up
 *
 * Return: true if the driver made chains available that we didn't take
 */
bool virtq_avail_pending(const struct virtq *vq)
{
	if (vq->nstash)
		return true;
	return virtq_avail_idx(vq) != vq->last_avail;
}

/**
 * virtq_pop() - Take the next available chain, checked
 * @m:		Memory table
 * @vq:		Queue, set up
 * @writable:	Receive queue (chains we write), else transmit
 * @e:		Element to fill
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Return: VIRTQ_OK, VIRTQ_EMPTY, VIRTQ_DROP (taken: return it with
 *	   virtq_push(), length 0) or VIRTQ_BAD
 */
enum virtq_ret virtq_pop(const struct virtio_mem *m, struct virtq *vq,
			 bool writable, struct virtq_elem *e,
			 const char **why)
{
	uint16_t idx, head;
	enum virtq_ret ret;

	if (writable && vq->nstash) {
		head = vq->stash[vq->nstash - 1];
		ret = virtq_walk(m, vq, head, writable, e, why);
		if (ret != VIRTQ_BAD)
			vq->nstash--;
		e->pos = -1;
		return ret;
	}

	idx = virtq_avail_idx(vq);
	if (idx == vq->last_avail)
		return VIRTQ_EMPTY;
	if ((uint16_t)(idx - vq->last_avail) > vq->size) {
		*why = "available index ahead by more than the queue size";
		return VIRTQ_BAD;
	}
	head = le16toh(__atomic_load_n(&vq->avail[2 + vq->last_avail %
						  vq->size], __ATOMIC_RELAXED));
	if (head >= vq->size) {
		*why = "chain head beyond the descriptor table";
		return VIRTQ_BAD;
	}
	ret = virtq_walk(m, vq, head, writable, e, why);
	e->pos = vq->last_avail;
	if (ret != VIRTQ_BAD)
		vq->last_avail++;
	return ret;
}

/**
 * virtq_unpop() - Give back a receive chain taken and not used
 * @vq:		Queue
 * @head:	Head of the chain
 * @pos:	Where it was taken, as virtq_pop() set it in the element
 *
 * The chain taken last from the ring goes back by moving our index back,
 * so that chains given back in the reverse order of taking leave the ring
 * as it was. Any other goes to the stash, taken first by virtq_pop(): the
 * used ring may return chains in any order. A stash that is full can only
 * be the work of a driver listing one chain twice: the chain is dropped.
 */
void virtq_unpop(struct virtq *vq, uint16_t head, int32_t pos)
{
	if (pos >= 0 && (uint16_t)(pos + 1) == vq->last_avail) {
		vq->last_avail--;
		return;
	}
	if (vq->nstash < VIRTQ_SIZE_MAX)
		vq->stash[vq->nstash++] = head;
}

/**
 * virtq_push() - Return a chain in the used ring, seen by the driver only
 *		  after virtq_flush()
 * @vq:		Queue
 * @head:	Head of the chain, from struct virtq_elem
 * @len:	Bytes we wrote into it (0 for transmit chains)
 */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t *u = (uint8_t *)vq->used + 4 + 8UL * (vq->used_idx % vq->size);
	uint32_t el[2] = { htole32(head), htole32(len) };

	memcpy(u, el, sizeof(el));
	vq->used_idx++;
}

/**
 * virtq_flush() - Publish the chains pushed so far
 * @vq:		Queue
 */
void virtq_flush(struct virtq *vq)
{
	__atomic_store_n(&vq->used[1], htole16(vq->used_idx), __ATOMIC_RELEASE);
}

/**
 * virtq_should_notify() - Does the driver want an interrupt now?
 * @vq:		Queue, flushed
 *
 * With EVENT_IDX: if the used index went past the driver's used_event since
 * the last notification. Without: if anything was used since, and the
 * driver doesn't set NO_INTERRUPT.
 *
 * Return: true if the caller should signal the call descriptor
 */
bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled, new = vq->used_idx, ev;

	/* Our used index must be visible before we read what the driver
	 * wants, or both could decide the other goes next
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled = new;
	if (!vq->event_idx) {
		uint16_t f = le16toh(__atomic_load_n(&vq->avail[0],
						     __ATOMIC_RELAXED));

		return old != new && !(f & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	ev = le16toh(__atomic_load_n(&vq->avail[2 + vq->size],
				     __ATOMIC_RELAXED));
	return (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
}

/**
 * virtq_enable_kicks() - Ask for a kick at the next chain the driver adds
 * @vq:		Queue
 *
 * The event is the driver's available index as it is now, not ours: on a
 * receive queue we may leave chains there (too few for a frame), and a
 * kick is due when the driver adds more, not at one it already added.
 * The caller checks virtq_avail_pending() after this: a chain made
 * available just before would otherwise wait for a kick that never comes.
 */
void virtq_enable_kicks(struct virtq *vq)
{
	if (vq->event_idx)
		__atomic_store_n(&vq->used[2 + 4 * vq->size],
				 htole16(virtq_avail_idx(vq)),
				 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/**
 * virtio_iov_write() - Copy bytes into a scatter list, at an offset
 * @iov:	Scatter list (guest memory, checked when it was made)
 * @n:		Entries of @iov
 * @off:	Offset in the list
 * @src:	Bytes
 * @len:	Length: what doesn't fit the list is not written
 */
void virtio_iov_write(const struct iovec *iov, size_t n, size_t off,
		      const void *src, size_t len)
{
	const uint8_t *s = src;
	size_t i;

	for (i = 0; i < n && len; i++) {
		size_t k;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		k = iov[i].iov_len - off;
		if (k > len)
			k = len;
		memcpy((uint8_t *)iov[i].iov_base + off, s, k);
		s += k;
		len -= k;
		off = 0;
	}
}
