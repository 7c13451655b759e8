// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: virtio.c virtio_net.c */
/* test_virtio.c - unit tests for the split virtqueue walker of virtio.c,
 * and for virtio_net.c's frames copied or lent into receive chains
 *
 * Guest memory is a static arena mapped as one region at GPA (and at UVA
 * in the frontend's space, on purpose elsewhere), with the rings at fixed
 * offsets and buffers after them: each test writes descriptors and ring
 * entries as a driver would, then checks what the device side makes of
 * them, good chains and malformed ones alike.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virtio.h"
#include "virtio_net.h"

#define MEM_SIZE	(2UL << 20)
#define GPA		0x100000ULL
#define UVA		0x7f0000000000ULL
#define DESC_OFF	0x0
#define AVAIL_OFF	0x4000
#define USED_OFF	0x5000
#define BUF_OFF		0x8000
#define QSIZE		8

static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
static struct virtio_mem m;
static struct virtq vq;
static const char *why;

/**
 * setup() - Fresh memory, one region, a queue of QSIZE set up
 * @state:	Unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	memset(&vq, 0, sizeof(vq));
	m.n = 1;
	m.r[0].gpa = GPA;
	m.r[0].uva = UVA;
	m.r[0].size = MEM_SIZE;
	m.r[0].host = mem;
	why = NULL;
	assert_null(virtq_setup(&vq, &m, QSIZE, UVA + DESC_OFF,
				UVA + AVAIL_OFF, UVA + USED_OFF));
	return 0;
}

/**
 * desc() - Write descriptor @i of the main table
 * @i:		Index
 * @off:	Buffer offset in the arena (its GPA is GPA + @off)
 * @len:	Length
 * @flags:	VIRTQ_DESC_F_*
 * @next:	Next index
 */
static void desc(unsigned i, uint64_t off, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	struct virtq_desc d = { GPA + off, len, flags, next };

	memcpy(mem + DESC_OFF + 16 * i, &d, sizeof(d));
}

/**
 * avail16() - Pointer to 16-bit word @i of the available ring
 * @i:		0: flags, 1: idx, 2 + n: ring[n], 2 + size: used_event
 *
 * Return: pointer
 */
static uint16_t *avail16(unsigned i)
{
	return (uint16_t *)(mem + AVAIL_OFF) + i;
}

/**
 * used32() - Pointer to 32-bit word @i of the used ring's entries
 * @i:		2 * n: ring[n].id, 2 * n + 1: ring[n].len
 *
 * Return: pointer
 */
static uint32_t *used32(unsigned i)
{
	return (uint32_t *)(mem + USED_OFF + 4) + i;
}

/**
 * used_idx() - The used index as the driver sees it
 *
 * Return: index
 */
static uint16_t used_idx(void)
{
	return ((uint16_t *)(mem + USED_OFF))[1];
}

/**
 * offer() - Make a chain available, as the driver does
 * @head:	Head descriptor
 */
static void offer(uint16_t head)
{
	uint16_t idx = *avail16(1);

	*avail16(2 + idx % QSIZE) = head;
	*avail16(1) = (uint16_t)(idx + 1);
}

/**
 * test_translate() - Ranges inside, at the edges and outside the region
 * @state:	Unused
 */
static void test_translate(void **state)
{
	(void)state;
	assert_ptr_equal(virtio_gpa(&m, GPA, 1), mem);
	assert_ptr_equal(virtio_gpa(&m, GPA + MEM_SIZE - 4, 4),
			 mem + MEM_SIZE - 4);
	assert_ptr_equal(virtio_gpa(&m, GPA, MEM_SIZE), mem);
	assert_null(virtio_gpa(&m, GPA + MEM_SIZE - 4, 5));
	assert_null(virtio_gpa(&m, GPA + MEM_SIZE, 1));
	assert_null(virtio_gpa(&m, GPA - 1, 2));
	assert_null(virtio_gpa(&m, GPA + 1, UINT64_MAX));
	assert_null(virtio_gpa(&m, UINT64_MAX, 2));
	assert_null(virtio_gpa(&m, UVA, 1));	/* other address space */
	assert_ptr_equal(virtio_uva(&m, UVA + 16, 16), mem + 16);
	assert_null(virtio_uva(&m, GPA, 1));

	/* A second region, not adjacent: a range may not span the gap */
	m.n = 2;
	m.r[1].gpa = GPA + MEM_SIZE + 4096;
	m.r[1].uva = UVA + MEM_SIZE + 4096;
	m.r[1].size = 4096;
	m.r[1].host = mem;
	assert_ptr_equal(virtio_gpa(&m, GPA + MEM_SIZE + 4096 + 8, 8),
			 mem + 8);
	assert_null(virtio_gpa(&m, GPA + MEM_SIZE - 8, 4096));
}

/**
 * test_setup_bad() - Queue sizes and ring addresses that are refused
 * @state:	Unused
 */
static void test_setup_bad(void **state)
{
	struct virtq q = { 0 };

	(void)state;
	assert_non_null(virtq_setup(&q, &m, 0, UVA, UVA + AVAIL_OFF,
				    UVA + USED_OFF));
	assert_non_null(virtq_setup(&q, &m, 6, UVA, UVA + AVAIL_OFF,
				    UVA + USED_OFF));
	assert_non_null(virtq_setup(&q, &m, 2048, UVA, UVA + AVAIL_OFF,
				    UVA + USED_OFF));
	assert_non_null(virtq_setup(&q, &m, 8, UVA + 8, UVA + AVAIL_OFF,
				    UVA + USED_OFF));
	assert_non_null(virtq_setup(&q, &m, 8, UVA, UVA + AVAIL_OFF + 1,
				    UVA + USED_OFF));
	assert_non_null(virtq_setup(&q, &m, 8, UVA, UVA + AVAIL_OFF,
				    UVA + USED_OFF + 2));
	/* Used ring running past the end of memory */
	assert_non_null(virtq_setup(&q, &m, 8, UVA, UVA + AVAIL_OFF,
				    UVA + MEM_SIZE - 16));
	assert_non_null(virtq_setup(&q, &m, 8, GPA, GPA + AVAIL_OFF,
				    GPA + USED_OFF));
	assert_int_equal(q.size, 0);
}

/**
 * test_good_chain() - Two read-only buffers, taken, returned, published
 * @state:	Unused
 */
static void test_good_chain(void **state)
{
	struct virtq_elem e;

	(void)state;
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_EMPTY);
	desc(3, BUF_OFF, 100, VIRTQ_DESC_F_NEXT, 5);
	desc(5, BUF_OFF + 1000, 50, 0, 0);
	offer(3);
	assert_true(virtq_avail_pending(&vq));
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_OK);
	assert_int_equal(e.head, 3);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.len, 150);
	assert_ptr_equal(e.iov[0].iov_base, mem + BUF_OFF);
	assert_int_equal(e.iov[0].iov_len, 100);
	assert_ptr_equal(e.iov[1].iov_base, mem + BUF_OFF + 1000);
	assert_false(virtq_avail_pending(&vq));
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_EMPTY);

	virtq_push(&vq, e.head, 0);
	assert_int_equal(used_idx(), 0);	/* not published yet */
	virtq_flush(&vq);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(*used32(0), 3);
	assert_int_equal(*used32(1), 0);
}

/**
 * test_zero_len() - A zero-length descriptor in a chain adds no segment
 * @state:	Unused
 */
static void test_zero_len(void **state)
{
	struct virtq_elem e;

	(void)state;
	desc(0, 0xdead0000, 0, VIRTQ_DESC_F_NEXT, 1);	/* address unused */
	desc(1, BUF_OFF, 60, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_OK);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.len, 60);
}

/**
 * expect_bad() - Offer @head and check the chain is refused
 * @head:	Head descriptor
 * @writable:	Receive queue
 * @what:	Expected reason
 *
 * The chain is taken back from the available ring afterwards.
 */
static void expect_bad(uint16_t head, bool writable, const char *what)
{
	struct virtq_elem e;
	uint16_t before = vq.last_avail;

	offer(head);
	assert_int_equal(virtq_pop(&m, &vq, writable, &e, &why), VIRTQ_BAD);
	assert_string_equal(why, what);
	assert_int_equal(vq.last_avail, before);
	*avail16(1) = (uint16_t)(*avail16(1) - 1);	/* take it back */
}

/**
 * test_loop() - Chains that loop, over two or one descriptor
 * @state:	Unused
 */
static void test_loop(void **state)
{
	(void)state;
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 0);
	expect_bad(0, false, "descriptor chain loops");
	setup(NULL);
	desc(7, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 7);
	expect_bad(7, false, "descriptor chain loops");
}

/**
 * test_bad_index() - Next index and head beyond the table, avail index
 *		      running ahead
 * @state:	Unused
 */
static void test_bad_index(void **state)
{
	struct virtq_elem e;

	(void)state;
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, QSIZE);
	expect_bad(0, false, "next descriptor beyond the table");
	setup(NULL);
	expect_bad(QSIZE, false, "chain head beyond the descriptor table");
	setup(NULL);
	desc(0, BUF_OFF, 10, 0, 0);
	*avail16(1) = QSIZE + 1;
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_BAD);
	assert_string_equal(why,
			    "available index ahead by more than the queue size");
	/* Exactly the queue size ahead is fine */
	*avail16(1) = QSIZE;
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_OK);
}

/**
 * test_out_of_region() - Buffers outside guest memory, or running past it
 * @state:	Unused
 */
static void test_out_of_region(void **state)
{
	(void)state;
	desc(0, MEM_SIZE, 1, 0, 0);
	expect_bad(0, false, "buffer outside guest memory");
	setup(NULL);
	desc(0, MEM_SIZE - 100, 101, 0, 0);
	expect_bad(0, false, "buffer outside guest memory");
	setup(NULL);
	desc(0, (uint64_t)-GPA - 8, 0xffffffff, 0, 0);	/* GPA wraps */
	expect_bad(0, false, "buffer outside guest memory");
	setup(NULL);
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 0, 0xffffffff, 0, 0);
	expect_bad(0, false, "buffer outside guest memory");
}

/**
 * test_direction() - Writable buffers on transmit, read-only on receive
 * @state:	Unused
 */
static void test_direction(void **state)
{
	struct virtq_elem e;

	(void)state;
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF_OFF, 10, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, false, "writable descriptor in transmit chain");
	setup(NULL);
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF_OFF, 10, 0, 0);
	expect_bad(0, true, "read-only descriptor in receive chain");
	setup(NULL);
	desc(0, BUF_OFF, 10, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	assert_int_equal(virtq_pop(&m, &vq, true, &e, &why), VIRTQ_OK);
}

/**
 * itab() - Write descriptor @i of an indirect table at @tab
 * @tab:	Arena offset of the table
 * @i:		Index
 * @off:	Buffer offset in the arena
 * @len:	Length
 * @flags:	VIRTQ_DESC_F_*
 * @next:	Next index, in the table
 */
static void itab(uint64_t tab, unsigned i, uint64_t off, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { GPA + off, len, flags, next };

	memcpy(mem + tab + 16 * i, &d, sizeof(d));
}

/**
 * test_indirect() - A good indirect table, after a direct descriptor too
 * @state:	Unused
 */
static void test_indirect(void **state)
{
	const uint64_t tab = 0x3008;	/* unaligned on purpose */
	struct virtq_elem e;

	(void)state;
	vq.indirect = true;
	itab(tab, 0, BUF_OFF, 12, VIRTQ_DESC_F_NEXT, 2);
	itab(tab, 2, BUF_OFF + 100, 20, VIRTQ_DESC_F_NEXT, 1);
	itab(tab, 1, BUF_OFF + 200, 30, 0, 0);
	desc(4, tab, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_OK);
	assert_int_equal(e.head, 4);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.len, 62);
	assert_ptr_equal(e.iov[2].iov_base, mem + BUF_OFF + 200);

	/* Direct descriptors first, then one indirect one */
	desc(0, BUF_OFF + 500, 5, VIRTQ_DESC_F_NEXT, 1);
	desc(1, tab, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_OK);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.len, 67);
}

/**
 * test_indirect_bad() - Every way an indirect descriptor can be wrong
 * @state:	Unused
 */
static void test_indirect_bad(void **state)
{
	const uint64_t tab = 0x3000;

	(void)state;
	desc(0, tab, 16, VIRTQ_DESC_F_INDIRECT, 0);
	itab(tab, 0, BUF_OFF, 10, 0, 0);
	expect_bad(0, false, "indirect descriptor, not negotiated");

	setup(NULL);
	vq.indirect = true;
	desc(0, tab, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	expect_bad(0, false, "indirect descriptor with NEXT flag");

	desc(0, tab, 24, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, false, "indirect table length not 1 to 1024 descriptors");
	desc(0, tab, 0, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, false, "indirect table length not 1 to 1024 descriptors");
	desc(0, tab, 1025 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, false, "indirect table length not 1 to 1024 descriptors");

	desc(0, MEM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, false, "indirect table outside guest memory");

	desc(0, tab, 32, VIRTQ_DESC_F_INDIRECT, 0);
	itab(tab, 0, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 1);
	itab(tab, 1, tab, 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_bad(0, false, "indirect descriptor inside an indirect table");

	itab(tab, 1, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 0);
	expect_bad(0, false, "descriptor chain loops");

	itab(tab, 1, BUF_OFF, 10, VIRTQ_DESC_F_NEXT, 2);
	expect_bad(0, false, "next descriptor beyond the table");

	itab(tab, 1, MEM_SIZE, 10, 0, 0);
	expect_bad(0, false, "buffer outside guest memory");

	itab(tab, 1, BUF_OFF, 10, VIRTQ_DESC_F_WRITE, 0);
	expect_bad(0, false, "writable descriptor in transmit chain");
}

/**
 * test_limits() - Transmit chains beyond our limits are dropped whole,
 *		   receive chains used in part
 * @state:	Unused
 */
static void test_limits(void **state)
{
	const uint64_t tab = 0x1000;
	struct virtq_elem e;
	unsigned i;

	(void)state;
	vq.indirect = true;
	for (i = 0; i <= VIRTQ_SEG_MAX; i++)
		itab(tab, i, BUF_OFF, 1, i < VIRTQ_SEG_MAX ?
		     VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	desc(0, tab, (VIRTQ_SEG_MAX + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_DROP);
	assert_int_equal(vq.last_avail, 1);

	desc(1, BUF_OFF, VIRTQ_CHAIN_LEN_MAX + 1, 0, 0);
	offer(1);
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_DROP);

	/* A too long chain is still walked to its end, and checked */
	desc(1, BUF_OFF, VIRTQ_CHAIN_LEN_MAX + 1, VIRTQ_DESC_F_NEXT, 2);
	desc(2, MEM_SIZE, 1, 0, 0);
	expect_bad(1, false, "buffer outside guest memory");

	setup(NULL);
	desc(1, BUF_OFF, VIRTQ_CHAIN_LEN_MAX + 1, VIRTQ_DESC_F_WRITE, 0);
	offer(1);
	assert_int_equal(virtq_pop(&m, &vq, true, &e, &why), VIRTQ_OK);
	assert_int_equal(e.len, VIRTQ_CHAIN_LEN_MAX);
}

/**
 * test_wrap() - Available and used indices across the 16-bit wrap
 * @state:	Unused
 */
static void test_wrap(void **state)
{
	struct virtq_elem e;
	unsigned i;

	(void)state;
	vq.last_avail = 65533;
	*avail16(1) = 65533;
	((uint16_t *)(mem + USED_OFF))[1] = 65534;
	assert_null(virtq_setup(&vq, &m, QSIZE, UVA + DESC_OFF,
				UVA + AVAIL_OFF, UVA + USED_OFF));
	assert_int_equal(vq.used_idx, 65534);
	for (i = 0; i < 5; i++) {
		desc(i, BUF_OFF + i * 64, 64, 0, 0);
		offer((uint16_t)i);
	}
	assert_int_equal(*avail16(1), 2);
	for (i = 0; i < 5; i++) {
		assert_int_equal(virtq_pop(&m, &vq, false, &e, &why),
				 VIRTQ_OK);
		assert_int_equal(e.head, i);
		virtq_push(&vq, e.head, 0);
	}
	assert_int_equal(virtq_pop(&m, &vq, false, &e, &why), VIRTQ_EMPTY);
	virtq_flush(&vq);
	assert_int_equal(used_idx(), 3);
	/* 65534 % 8 = 6: entries at 6, 7, 0, 1, 2 */
	assert_int_equal(*used32(2 * 6), 0);
	assert_int_equal(*used32(2 * 7), 1);
	assert_int_equal(*used32(2 * 2), 4);
}

/**
 * test_notify() - Notification decisions with and without EVENT_IDX
 * @state:	Unused
 */
static void test_notify(void **state)
{
	(void)state;
	/* Nothing used: nothing to say */
	assert_false(virtq_should_notify(&vq));
	virtq_push(&vq, 0, 0);
	virtq_flush(&vq);
	assert_true(virtq_should_notify(&vq));
	virtq_push(&vq, 0, 0);
	*avail16(0) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_should_notify(&vq));

	setup(NULL);
	vq.event_idx = true;
	*avail16(2 + QSIZE) = 2;	/* used_event: tell me after 3 */
	virtq_push(&vq, 0, 0);
	assert_false(virtq_should_notify(&vq));		/* used 1 */
	virtq_push(&vq, 0, 0);
	assert_false(virtq_should_notify(&vq));		/* used 2 */
	virtq_push(&vq, 0, 0);
	virtq_push(&vq, 0, 0);
	assert_true(virtq_should_notify(&vq));		/* used 4, past 3 */
	virtq_push(&vq, 0, 0);
	assert_false(virtq_should_notify(&vq));		/* event is behind */

	/* Across the wrap: event 65535, used from 65534 to 0 */
	setup(NULL);
	vq.event_idx = true;
	vq.used_idx = vq.signalled = 65534;
	*avail16(2 + QSIZE) = 65535;
	virtq_push(&vq, 0, 0);
	assert_false(virtq_should_notify(&vq));
	virtq_push(&vq, 0, 0);
	assert_true(virtq_should_notify(&vq));

	/* Our side: avail_event is the driver's index, even with chains we
	 * left there: the next one it adds is what we wait for
	 */
	vq.last_avail = 65533;
	*avail16(1) = 65535;
	virtq_enable_kicks(&vq);
	assert_int_equal(((uint16_t *)(mem + USED_OFF))[2 + 4 * QSIZE], 65535);
}

/**
 * rx_bufs() - Offer @n receive chains of @len bytes each
 * @n:		Number of chains
 * @len:	Bytes each
 */
static void rx_bufs(unsigned n, uint32_t len)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		desc(i, BUF_OFF + i * 0x1000, len, VIRTQ_DESC_F_WRITE, 0);
		offer((uint16_t)i);
	}
}

/**
 * test_rx_mrg() - A frame over three mergeable buffers, byte for byte
 * @state:	Unused
 */
static void test_rx_mrg(void **state)
{
	uint8_t frame[150], hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	struct iovec iov[2] = { { frame, 40 }, { frame + 40, 110 } };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	rx_bufs(2, 64);
	assert_int_equal(virtio_net_rx(&m, &vq, true, NULL, iov, 2, &why),
			 VIRTQ_EMPTY);		/* 162 bytes in 128: no */
	assert_int_equal(vq.last_avail, 0);
	assert_int_equal(vq.used_idx, 0);

	setup(NULL);
	memset(mem + BUF_OFF, 0xaa, 0x3000);
	rx_bufs(3, 64);
	assert_int_equal(virtio_net_rx(&m, &vq, true, NULL, iov, 2, &why), VIRTQ_OK);
	virtq_flush(&vq);
	assert_int_equal(used_idx(), 3);
	assert_int_equal(*used32(1), 64);
	assert_int_equal(*used32(3), 64);
	assert_int_equal(*used32(5), 162 - 128);
	hdr[VIRTIO_NET_HDR_NUMBUF] = 3;
	assert_memory_equal(mem + BUF_OFF, hdr, sizeof(hdr));
	assert_memory_equal(mem + BUF_OFF + 12, frame, 52);
	assert_memory_equal(mem + BUF_OFF + 0x1000, frame + 52, 64);
	assert_memory_equal(mem + BUF_OFF + 0x2000, frame + 116, 34);
	assert_int_equal(mem[BUF_OFF + 0x2000 + 34], 0xaa);
}

/**
 * test_rx_single() - Without mergeable buffers a frame fits one or drops
 * @state:	Unused
 */
static void test_rx_single(void **state)
{
	uint8_t frame[100] = { 1, 2, 3 };
	struct iovec iov = { frame, sizeof(frame) };

	(void)state;
	rx_bufs(2, 64);
	assert_int_equal(virtio_net_rx(&m, &vq, false, NULL, &iov, 1, &why),
			 VIRTQ_DROP);
	assert_int_equal(vq.last_avail, 0);
	iov.iov_len = 52;
	assert_int_equal(virtio_net_rx(&m, &vq, false, NULL, &iov, 1, &why),
			 VIRTQ_OK);
	assert_int_equal(mem[BUF_OFF + VIRTIO_NET_HDR_NUMBUF], 1);
	assert_int_equal(mem[BUF_OFF + 12], 1);

	/* A receive buffer too short for the header is the driver's fault */
	setup(NULL);
	rx_bufs(1, 8);
	assert_int_equal(virtio_net_rx(&m, &vq, true, NULL, &iov, 1, &why),
			 VIRTQ_BAD);
	assert_string_equal(why, "receive buffer shorter than the header");
}

/**
 * room_fill() - Write bytes into a lent room, as a socket would
 * @r:		Room
 * @len:	Bytes to write, at most r->len
 * @seed:	First byte's value, the next ones counting up
 */
static void room_fill(const struct pkt_room *r, size_t len, uint8_t seed)
{
	size_t i, k;

	for (i = 0; i < r->cnt && len; i++) {
		uint8_t *p = r->iov[i].iov_base;

		for (k = 0; k < r->iov[i].iov_len && len; k++, len--)
			*p++ = seed++;
	}
}

/**
 * test_lend_exact() - Frames of an exact size over several chains: the
 *		       short last one and the unused ones give chains back
 * @state:	Unused
 */
static void test_lend_exact(void **state)
{
	uint8_t pre[2][32], want[80];
	struct virtio_net_out out[3] = {
		{ pre[0], 80, NULL, 0 }, { pre[1], 30, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_room rooms[3];
	size_t lent, sent, copied, i;

	(void)state;
	memset(pre, 0x11, sizeof(pre));
	rx_bufs(QSIZE, 64);
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 80, 3, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 3);
	assert_int_equal(vq.last_avail, 6);	/* 32 + 80 bytes: 2 chains */
	assert_int_equal(rooms[0].cnt, 2);
	assert_int_equal(rooms[0].len, 80);
	assert_ptr_equal(rooms[0].iov[0].iov_base, mem + BUF_OFF + 32);
	assert_int_equal(rooms[0].iov[0].iov_len, 32);
	assert_ptr_equal(rooms[0].iov[1].iov_base, mem + BUF_OFF + 0x1000);
	assert_int_equal(rooms[0].iov[1].iov_len, 48);
	room_fill(&rooms[0], 80, 0);
	room_fill(&rooms[1], 30, 100);

	assert_int_equal(virtio_net_lend_done(&m, &vq, out, 3, &sent, &copied,
					      &why), VIRTQ_OK);
	virtq_flush(&vq);
	assert_int_equal(sent, 2);
	assert_int_equal(copied, 0);
	assert_int_equal(vq.last_avail, 3);	/* tail chains back in place */
	assert_int_equal(vq.nstash, 0);
	assert_int_equal(used_idx(), 3);
	assert_int_equal(*used32(0), 0);
	assert_int_equal(*used32(1), 64);
	assert_int_equal(*used32(2), 1);
	assert_int_equal(*used32(3), 48);
	assert_int_equal(*used32(4), 2);
	assert_int_equal(*used32(5), 32 + 30);
	assert_int_equal(mem[BUF_OFF + VIRTIO_NET_HDR_NUMBUF], 2);
	assert_int_equal(mem[BUF_OFF + 0x2000 + VIRTIO_NET_HDR_NUMBUF], 1);
	assert_int_equal(mem[BUF_OFF + 12], 0x11);
	for (i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)i;
	assert_memory_equal(mem + BUF_OFF + 32, want, 32);
	assert_memory_equal(mem + BUF_OFF + 0x1000, want + 32, 48);
	assert_int_equal(mem[BUF_OFF + 0x2000 + 32], 100);
}

/**
 * test_lend_one() - One chain per frame: a frame left unused in the middle
 *		     goes to the stash, and carries the excess of the next
 * @state:	Unused
 */
static void test_lend_one(void **state)
{
	uint8_t pre[2][32], more[40];
	struct virtio_net_out out[4] = {
		{ pre[0], 10, NULL, 0 }, { NULL, 0, NULL, 0 },
		{ pre[1], 32, more, sizeof(more) }, { NULL, 0, NULL, 0 },
	};
	struct pkt_room rooms[4];
	size_t lent, sent, copied;

	(void)state;
	memset(pre, 0x22, sizeof(pre));
	memset(more, 0x33, sizeof(more));
	rx_bufs(4, 64);
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 8, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 4);
	assert_int_equal(rooms[2].len, 32);
	assert_int_equal(virtio_net_lend_done(&m, &vq, out, 4, &sent, &copied,
					      &why), VIRTQ_OK);
	virtq_flush(&vq);
	assert_int_equal(sent, 2);
	assert_int_equal(copied, sizeof(more));
	assert_int_equal(vq.last_avail, 3);
	assert_int_equal(vq.nstash, 0);		/* chain 1 took the excess */
	assert_int_equal(used_idx(), 3);
	assert_int_equal(*used32(0), 0);
	assert_int_equal(*used32(1), 42);
	assert_int_equal(*used32(2), 2);
	assert_int_equal(*used32(3), 64);
	assert_int_equal(*used32(4), 1);
	assert_int_equal(*used32(5), sizeof(more));
	assert_int_equal(mem[BUF_OFF + 0x2000 + VIRTIO_NET_HDR_NUMBUF], 2);
	assert_memory_equal(mem + BUF_OFF + 0x1000, more, sizeof(more));

	/* The next frame takes chain 3 from the ring again */
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 8, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 1);
	assert_ptr_equal(rooms[0].iov[0].iov_base, mem + BUF_OFF + 0x3000 + 32);
	assert_int_equal(virtio_net_lend_done(&m, &vq, out, 0, &sent, &copied,
					      &why), VIRTQ_OK);
	assert_int_equal(vq.last_avail, 3);
}

/**
 * test_lend_stash() - A chain in the stash is taken first, and given back
 *		       there when unused
 * @state:	Unused
 */
static void test_lend_stash(void **state)
{
	uint8_t pre[32] = { 0 };
	struct virtio_net_out out[3] = {
		{ NULL, 0, NULL, 0 }, { pre, 5, NULL, 0 }, { NULL, 0, NULL, 0 },
	};
	struct pkt_room rooms[3];
	size_t lent, sent, copied;

	(void)state;
	rx_bufs(3, 64);
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 2, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(virtio_net_lend_done(&m, &vq, out, 2, &sent, &copied,
					      &why), VIRTQ_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(vq.nstash, 1);		/* chain 0, in front of 1 */
	assert_int_equal(vq.last_avail, 2);
	assert_true(virtq_avail_pending(&vq));

	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 3, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 2);		/* chain 0, then chain 2 */
	assert_ptr_equal(rooms[0].iov[0].iov_base, mem + BUF_OFF + 32);
	assert_ptr_equal(rooms[1].iov[0].iov_base, mem + BUF_OFF + 0x2000 + 32);
	assert_int_equal(virtio_net_lend_done(&m, &vq, out, 0, &sent, &copied,
					      &why), VIRTQ_OK);
	assert_int_equal(vq.nstash, 1);
	assert_int_equal(vq.last_avail, 2);
}

/**
 * test_lend_short() - No chains, chains too short for the headers, and an
 *		       excess with nowhere to go: nothing lent, or the frame
 *		       dropped, and the ring as it was
 * @state:	Unused
 */
static void test_lend_short(void **state)
{
	uint8_t pre[32] = { 0 }, more[8] = { 0 };
	struct virtio_net_out out = { pre, 32, more, sizeof(more) };
	struct pkt_room rooms[2];
	size_t lent, sent, copied;

	(void)state;
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 2, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 0);

	rx_bufs(1, 32);				/* no room behind 32 bytes */
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 2, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 0);
	assert_int_equal(vq.last_avail, 0);

	setup(NULL);
	rx_bufs(1, 64);
	assert_int_equal(virtio_net_lend(&m, &vq, true, 32, 0, 2, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 1);
	assert_int_equal(virtio_net_lend_done(&m, &vq, &out, 1, &sent, &copied,
					      &why), VIRTQ_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(vq.last_avail, 0);
	assert_int_equal(vq.used_idx, 0);

	/* Without mergeable buffers, a frame of two chains isn't lent */
	assert_int_equal(virtio_net_lend(&m, &vq, false, 32, 40, 2, rooms,
					 &lent, &why), VIRTQ_OK);
	assert_int_equal(lent, 0);
	assert_int_equal(vq.last_avail, 0);
}

/**
 * test_gso() - A TCP frame of several segments becomes a super-frame, one
 *		of a single segment doesn't, nor anything but TCP
 * @state:	Unused
 */
static void test_gso(void **state)
{
	static uint8_t hdr[14 + 20 + 20], payload[3000];
	struct iovec f[2] = { { hdr, sizeof(hdr) }, { payload, 3000 } };
	struct virtio_net_hdr vh;

	(void)state;
	hdr[12] = 0x08;			/* IPv4 */
	hdr[14] = 0x45;
	hdr[14 + 9] = 6;		/* TCP */
	hdr[14 + 20 + 12] = 5 << 4;	/* data offset: 20 bytes */
	virtio_net_csum(f, &vh);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(virtio_net_gso(f, 2, 1000, &vh), 3);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.gso_size, 1000);
	assert_int_equal(vh.hdr_len, 54);

	virtio_net_csum(f, &vh);
	assert_int_equal(virtio_net_gso(f, 2, 3000, &vh), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(virtio_net_gso(f, 2, 0, &vh), 0);

	hdr[14 + 9] = 17;		/* UDP over IPv4: no partial checksum */
	virtio_net_csum(f, &vh);
	assert_int_equal(virtio_net_gso(f, 2, 1000, &vh), 0);
}

/**
 * test_gso_udp() - A UDP train becomes a super-frame (USO) with a partial
 *		    checksum, over IPv4 only if it carries the seed of one
 * @state:	Unused
 */
static void test_gso_udp(void **state)
{
	static uint8_t h4[14 + 20 + 8], h6[14 + 40 + 8], payload[3000];
	struct iovec f4[2] = { { h4, sizeof(h4) }, { payload, 3000 } };
	struct iovec f6[2] = { { h6, sizeof(h6) }, { payload, 3000 } };
	struct virtio_net_hdr vh;

	(void)state;
	h4[12] = 0x08;			/* IPv4, UDP, no checksum */
	h4[14] = 0x45;
	h4[14 + 9] = 17;
	virtio_net_csum(f4, &vh);
	assert_int_equal(vh.flags, 0);
	assert_int_equal(virtio_net_gso(f4, 2, 1000, &vh), 0);

	h4[14 + 20 + 6] = 0x12;		/* the seed of a partial checksum */
	virtio_net_csum(f4, &vh);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 6);
	assert_int_equal(virtio_net_gso(f4, 2, 1000, &vh), 3);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4_);
	assert_int_equal(vh.gso_size, 1000);
	assert_int_equal(vh.hdr_len, 42);

	h6[12] = 0x86;			/* IPv6, UDP: always partial */
	h6[13] = 0xdd;
	h6[14] = 0x60;
	h6[14 + 6] = 17;
	virtio_net_csum(f6, &vh);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(virtio_net_gso(f6, 2, 1400, &vh), 3);
	assert_int_equal(vh.hdr_len, 62);
	virtio_net_csum(f6, &vh);
	assert_int_equal(virtio_net_gso(f6, 2, 3000, &vh), 0);

	/* Headers cut short: nothing marked */
	f4[0].iov_len = 14 + 20 + 4;
	virtio_net_csum(f4, &vh);
	assert_int_equal(vh.flags, 0);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_translate, setup),
		cmocka_unit_test_setup(test_setup_bad, setup),
		cmocka_unit_test_setup(test_good_chain, setup),
		cmocka_unit_test_setup(test_zero_len, setup),
		cmocka_unit_test_setup(test_loop, setup),
		cmocka_unit_test_setup(test_bad_index, setup),
		cmocka_unit_test_setup(test_out_of_region, setup),
		cmocka_unit_test_setup(test_direction, setup),
		cmocka_unit_test_setup(test_indirect, setup),
		cmocka_unit_test_setup(test_indirect_bad, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_wrap, setup),
		cmocka_unit_test_setup(test_notify, setup),
		cmocka_unit_test_setup(test_rx_mrg, setup),
		cmocka_unit_test_setup(test_rx_single, setup),
		cmocka_unit_test_setup(test_lend_exact, setup),
		cmocka_unit_test_setup(test_lend_one, setup),
		cmocka_unit_test_setup(test_lend_stash, setup),
		cmocka_unit_test_setup(test_lend_short, setup),
		cmocka_unit_test_setup(test_gso, setup),
		cmocka_unit_test_setup(test_gso_udp, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
