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
 *			mergeable receive buffers)
 *	bytes 2-3	our available index to start from, little-endian
 *	bytes 4-5	frame length for receive, little-endian, up to 9000
 *	bytes 6-7	unused
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
		enum virtq_ret r = virtio_net_rx(m, vq, mrg, iov, 2, &why);

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

	if (flags & 0x08)
		fuzz_rx_all(&m, &vq, flags & 0x04, flen);
	else
		fuzz_pop_all(&m, &vq, flags & 0x04);
	FUZZ_CHECK(fuzz_guards_clean());
	return 0;
}
