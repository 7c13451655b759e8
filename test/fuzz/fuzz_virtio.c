// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_virtio.c - libFuzzer harness for the virtqueue chain walker
 *
 * The guest writes descriptor tables, indirect tables and both rings as it
 * likes: virtio.c must never give us a pointer outside guest memory, nor
 * loop, whatever it finds there. Here the input is the guest's memory.
 *
 * Input layout:
 *
 *	byte 0		queue size, 1 << (byte % 9): 1 to 256
 *	byte 1		flags: 0x01 EVENT_IDX, 0x02 INDIRECT_DESC, 0x04 receive
 *			queue (writable chains), 0x08 chains are filled with
 *			frames through virtio_net_rx() (then 0x04 means
 *			mergeable receive buffers); 0x10: chains are lent
 *			and settled, four rounds (0x04: mergeable)
 *	bytes 2-3	our available index to start from, little-endian
 *	bytes 4-5	frame length for receive, little-endian, up to 9000
 *	byte 6		with flags 0x10: frames lent (virtio_net_lend()) of
 *			byte * 8 payload bytes each, 0: one chain each
 *	byte 7		with flags 0x10: bit (i % 8) set, frame i is used
 *			(of exact-size frames, only the first ones, in order)
 *	then		guest memory, 16 KiB (shorter: the rest is zero),
 *			two regions of 8 KiB: GPA 0x10000 (rings at fixed
 *			offsets, frontend address 0x7f000000) and GPA
 *			0x40000 (frontend address 0x7f100000)
 *
 * What is checked: every buffer of every chain taken is inside one of the
 * two regions, the segments and the total length agree and stay within
 * our limits, at most as many chains are taken as were available, every
 * walk ends, and a receive writes only inside the buffers it took (the
 * arena sits between guard areas that must stay untouched).
 */

#include "../../virtio.c"
#include "../../virtio_net.c"
#include "fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_HDR	8
#define FUZZ_REGION	8192
#define FUZZ_MEM	(2 * FUZZ_REGION)
#define FUZZ_GUARD	4096
#define FUZZ_GPA0	0x10000ULL
#define FUZZ_GPA1	0x40000ULL
#define FUZZ_UVA0	0x7f000000ULL
#define FUZZ_UVA1	0x7f100000ULL
#define FUZZ_DESC	0x0
#define FUZZ_AVAIL	0x1000
#define FUZZ_USED	0x1400
#define FUZZ_FRAME_MAX	9000

/* Guard, memory, guard: whatever lands in a guard is a stray write */
static uint8_t fuzz_arena[FUZZ_GUARD + FUZZ_MEM + FUZZ_GUARD]
	__attribute__((aligned(4096)));
#define FUZZ_BASE	(fuzz_arena + FUZZ_GUARD)

static uint8_t fuzz_frame[FUZZ_FRAME_MAX];

/**
 * fuzz_check_elem() - Check that an element only points into guest memory
 * @e:		Element from virtq_pop()
 */
static void fuzz_check_elem(const struct virtq_elem *e)
{
	size_t total = 0;
	unsigned i;

	FUZZ_CHECK(e->n <= VIRTQ_SEG_MAX);
	for (i = 0; i < e->n; i++) {
		const uint8_t *p = e->iov[i].iov_base;
		size_t len = e->iov[i].iov_len;

		FUZZ_CHECK(len);
		FUZZ_CHECK(p >= FUZZ_BASE && p + len <= FUZZ_BASE + FUZZ_MEM);
		FUZZ_CHECK(p + len <= FUZZ_BASE + FUZZ_REGION ||
			   p >= FUZZ_BASE + FUZZ_REGION);
		total += len;
	}
	FUZZ_CHECK(total == e->len);
	FUZZ_CHECK(e->len <= VIRTQ_CHAIN_LEN_MAX);
}

/**
 * fuzz_guards_clean() - Are both guard areas untouched?
 *
 * Return: true if they are all zero
 */
static bool fuzz_guards_clean(void)
{
	unsigned i;

	for (i = 0; i < FUZZ_GUARD; i++) {
		if (fuzz_arena[i] || FUZZ_BASE[FUZZ_MEM + i])
			return false;
	}
	return true;
}

/**
 * fuzz_pop_all() - Take every available chain, check and return each
 * @m:		Memory table
 * @vq:		Queue
 * @writable:	Receive queue
 */
static void fuzz_pop_all(const struct virtio_mem *m, struct virtq *vq,
			 bool writable)
{
	static struct virtq_elem e;
	unsigned taken = 0;

	for (;;) {
		const char *why = NULL;
		enum virtq_ret r = virtq_pop(m, vq, writable, &e, &why);

		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BAD) {
			FUZZ_CHECK(why);
			break;
		}
		FUZZ_CHECK(++taken <= vq->size);
		if (r == VIRTQ_OK)
			fuzz_check_elem(&e);
		FUZZ_CHECK(e.head < vq->size);
		virtq_push(vq, e.head, r == VIRTQ_OK && writable ?
			   (uint32_t)e.len : 0);
	}
	virtq_flush(vq);
	(void)virtq_should_notify(vq);
	virtq_enable_kicks(vq);
}

/**
 * fuzz_rx_all() - Fill receive chains with frames until the ring is empty
 * @m:		Memory table
 * @vq:		Queue
 * @mrg:	Mergeable receive buffers
 * @len:	Frame length
 */
static void fuzz_rx_all(const struct virtio_mem *m, struct virtq *vq,
			bool mrg, size_t len)
{
	struct iovec iov[2] = { { fuzz_frame, len / 3 },
				{ fuzz_frame + len / 3, len - len / 3 } };
	unsigned i;

	for (i = 0; i <= vq->size; i++) {
		uint16_t before = vq->last_avail;
		const char *why = NULL;
		enum virtq_ret r = virtio_net_rx(m, vq, mrg, NULL, iov, 2, &why);

		if (r == VIRTQ_BAD) {
			FUZZ_CHECK(why);
			break;
		}
		if (r != VIRTQ_OK) {
			FUZZ_CHECK(vq->last_avail == before);
			break;
		}
		FUZZ_CHECK((uint16_t)(vq->last_avail - before) <= vq->size);
	}
	virtq_flush(vq);
	(void)virtq_should_notify(vq);
}

/**
 * fuzz_room_check() - Check a lent room, and write into it as a socket would
 * @r:		Room
 *
 * Return: bytes the room holds
 */
static size_t fuzz_room_check(const struct pkt_room *r)
{
	size_t len = 0, k;

	FUZZ_CHECK(r->cnt && r->cnt <= VIRTIO_LEND_SEG_MAX);
	for (k = 0; k < r->cnt; k++) {
		uint8_t *p = r->iov[k].iov_base;
		size_t n = r->iov[k].iov_len;

		FUZZ_CHECK(n);
		FUZZ_CHECK(p >= FUZZ_BASE && p + n <= FUZZ_BASE + FUZZ_MEM);
		memset(p, 0x5a, n);
		len += n;
	}
	FUZZ_CHECK(len == r->len);
	return len;
}

/**
 * fuzz_lend_all() - Lend receive chains, fill some frames, settle them
 * @m:		Memory table
 * @vq:		Queue
 * @mrg:	Mergeable receive buffers
 * @plen:	Payload of each frame, 0: one chain each
 * @pattern:	Bit (i % 8): frame i is used
 */
static void fuzz_lend_all(const struct virtio_mem *m, struct virtq *vq,
			  bool mrg, size_t plen, uint8_t pattern)
{
	static struct virtio_net_out out[VIRTQ_SIZE_MAX];
	static struct pkt_room rooms[VIRTQ_SIZE_MAX];
	static uint8_t pre[32];
	unsigned round;

	for (round = 0; round < 4; round++) {
		size_t lent = 0, sent, copied, i;
		uint16_t used0 = vq->used_idx;
		const char *why = NULL;
		bool in_order = true;

		if (virtio_net_lend(m, vq, mrg, sizeof(pre), plen,
				    VIRTQ_SIZE_MAX, rooms, &lent,
				    &why) == VIRTQ_BAD) {
			FUZZ_CHECK(why);
			return;
		}
		if (!lent)
			break;
		FUZZ_CHECK(lent <= vq->size);
		for (i = 0; i < lent; i++) {
			size_t len = fuzz_room_check(&rooms[i]);
			bool used = (pattern >> (i % 8)) & 1;

			FUZZ_CHECK(!plen || len == plen);
			memset(&out[i], 0, sizeof(out[i]));
			if (plen) {
				/* Filled in order: the last one used is short */
				if (!used || !in_order) {
					in_order = false;
					continue;
				}
				out[i].pre = pre;
				out[i].plen = (i + 1 < lent &&
					       (pattern >> ((i + 1) % 8)) & 1) ?
					      len : len / 2;
				continue;
			}
			if (!used)
				continue;
			out[i].pre = pre;
			out[i].plen = len;
			out[i].more = fuzz_frame;
			out[i].mlen = (size_t)(pattern & 0x70) * (i + 1) %
				      FUZZ_FRAME_MAX;
		}
		if (virtio_net_lend_done(m, vq, out, lent, &sent, &copied,
					 &why) == VIRTQ_BAD) {
			FUZZ_CHECK(why);
			return;
		}
		FUZZ_CHECK(sent <= lent);
		FUZZ_CHECK((uint16_t)(vq->used_idx - used0) <= vq->size);
		FUZZ_CHECK(vq->nstash <= vq->size);
		virtq_flush(vq);
	}
}

/**
 * LLVMFuzzerTestOneInput() - Walk the rings of one guest memory image
 * @data:	Input, see the layout above
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_mem m = { .n = 2, .r = {
		{ FUZZ_GPA0, FUZZ_REGION, FUZZ_UVA0, FUZZ_BASE },
		{ FUZZ_GPA1, FUZZ_REGION, FUZZ_UVA1, FUZZ_BASE + FUZZ_REGION },
	} };
	struct virtq vq = { 0 };
	size_t flen;
	uint8_t flags;

	if (size < FUZZ_HDR)
		return 0;
	memset(fuzz_arena, 0, sizeof(fuzz_arena));
	memcpy(FUZZ_BASE, data + FUZZ_HDR,
	       size - FUZZ_HDR < FUZZ_MEM ? size - FUZZ_HDR : FUZZ_MEM);

	flags = data[1];
	FUZZ_CHECK(!virtq_setup(&vq, &m, 1U << (data[0] % 9),
				FUZZ_UVA0 + FUZZ_DESC, FUZZ_UVA0 + FUZZ_AVAIL,
				FUZZ_UVA0 + FUZZ_USED));
	vq.event_idx = flags & 0x01;
	vq.indirect = flags & 0x02;
	vq.last_avail = (uint16_t)(data[2] | data[3] << 8);
	flen = (size_t)(data[4] | data[5] << 8) % (FUZZ_FRAME_MAX + 1);

	if (flags & 0x10)
		fuzz_lend_all(&m, &vq, flags & 0x04, (size_t)data[6] * 8,
			      data[7]);
	else if (flags & 0x08)
		fuzz_rx_all(&m, &vq, flags & 0x04, flen);
	else
		fuzz_pop_all(&m, &vq, flags & 0x04);
	FUZZ_CHECK(fuzz_guards_clean());
	return 0;
}
