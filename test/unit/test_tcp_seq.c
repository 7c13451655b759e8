// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tcp_seq.c - unit tests for the sequence and window arithmetic of
 *		    tcp_seq.h
 *
 * Every comparison is tried across the wrap of the 32-bit sequence space,
 * where a plain comparison gets it wrong.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tcp_seq.h"

#define WRAP	0xfffffff0U	/* 16 before the wrap */

/**
 * test_seq_compare() - seq_lt() and seq_le(), also across the wrap
 * @state:	Unused
 */
static void test_seq_compare(void **state)
{
	(void)state;
	assert_true(seq_lt(1, 2));
	assert_false(seq_lt(2, 2));
	assert_false(seq_lt(3, 2));
	assert_true(seq_le(2, 2));
	assert_true(seq_lt(WRAP, WRAP + 32));	/* 16 after the wrap */
	assert_false(seq_lt(WRAP + 32, WRAP));
	assert_true(seq_le(WRAP + 32, WRAP + 32));
	/* Half the space apart is the limit of what compares sanely */
	assert_true(seq_lt(0, 0x7fffffffU));
	assert_false(seq_lt(0, 0x80000001U));
}

/**
 * test_ack_classify() - Old, same, new and future acknowledgements
 * @state:	Unused
 */
static void test_ack_classify(void **state)
{
	(void)state;
	/* una 1000, nxt 2000 */
	assert_int_equal(tcp_ack_classify(1000, 2000, 999), TCP_ACK_IGNORE);
	assert_int_equal(tcp_ack_classify(1000, 2000, 1000), TCP_ACK_SAME);
	assert_int_equal(tcp_ack_classify(1000, 2000, 1001), TCP_ACK_NEW);
	assert_int_equal(tcp_ack_classify(1000, 2000, 2000), TCP_ACK_NEW);
	assert_int_equal(tcp_ack_classify(1000, 2000, 2001), TCP_ACK_IGNORE);
	/* Nothing in flight: only the same number is sane */
	assert_int_equal(tcp_ack_classify(5, 5, 5), TCP_ACK_SAME);
	assert_int_equal(tcp_ack_classify(5, 5, 6), TCP_ACK_IGNORE);
	/* Across the wrap */
	assert_int_equal(tcp_ack_classify(WRAP, WRAP + 100, 20), TCP_ACK_NEW);
	assert_int_equal(tcp_ack_classify(WRAP, WRAP + 100, WRAP + 101),
			 TCP_ACK_IGNORE);
	assert_int_equal(tcp_ack_classify(WRAP, WRAP + 100, WRAP - 1),
			 TCP_ACK_IGNORE);
}

/**
 * test_seg_classify() - Payload before, at and after what we expect
 * @state:	Unused
 */
static void test_seg_classify(void **state)
{
	size_t skip;

	(void)state;
	assert_int_equal(tcp_seg_classify(1000, 1000, 100, &skip),
			 TCP_SEG_NEXT);
	assert_int_equal(skip, 0);
	/* Overlap: the first 40 bytes came before */
	assert_int_equal(tcp_seg_classify(1040, 1000, 100, &skip),
			 TCP_SEG_NEXT);
	assert_int_equal(skip, 40);
	/* Ends exactly where we are: all old */
	assert_int_equal(tcp_seg_classify(1100, 1000, 100, &skip),
			 TCP_SEG_OLD);
	assert_int_equal(tcp_seg_classify(5000, 1000, 100, &skip),
			 TCP_SEG_OLD);
	/* One byte missing in front */
	assert_int_equal(tcp_seg_classify(1000, 1001, 100, &skip),
			 TCP_SEG_HOLE);
	/* Across the wrap: expect 16 after it, the segment starts 16 before */
	assert_int_equal(tcp_seg_classify(WRAP + 32, WRAP + 16, 100, &skip),
			 TCP_SEG_NEXT);
	assert_int_equal(skip, 16);
	assert_int_equal(tcp_seg_classify(WRAP + 32, WRAP + 16, 16, &skip),
			 TCP_SEG_OLD);
	assert_int_equal(tcp_seg_classify(WRAP + 16, WRAP + 32, 16, &skip),
			 TCP_SEG_HOLE);
}

/**
 * test_rst_acceptable() - Resets in the window only
 * @state:	Unused
 */
static void test_rst_acceptable(void **state)
{
	(void)state;
	assert_true(tcp_rst_acceptable(1000, 500, 1000));
	assert_true(tcp_rst_acceptable(1000, 500, 1499));
	assert_false(tcp_rst_acceptable(1000, 500, 1500));
	assert_false(tcp_rst_acceptable(1000, 500, 999));
	/* A zero window still takes the exact number */
	assert_true(tcp_rst_acceptable(1000, 0, 1000));
	assert_false(tcp_rst_acceptable(1000, 0, 1001));
	assert_true(tcp_rst_acceptable(WRAP, 100, 10));
	assert_false(tcp_rst_acceptable(WRAP, 100, 90));
}

/**
 * test_wnd_from_guest() - Scaled, except in a SYN
 * @state:	Unused
 */
static void test_wnd_from_guest(void **state)
{
	(void)state;
	assert_int_equal(tcp_wnd_from_guest(1000, 7, true), 128000);
	/* A SYN's (or SYN-ACK's) window: never scaled (RFC 7323, 2.2) */
	assert_int_equal(tcp_wnd_from_guest(1000, 7, false), 1000);
	assert_int_equal(tcp_wnd_from_guest(65535, 14, true),
			 65535U << 14);
	/* A shift over 14 is taken as 14 (RFC 7323, 2.3) */
	assert_int_equal(tcp_wnd_from_guest(1, 20, true), 1U << 14);
}

/**
 * test_wnd_to_guest() - Field rounding down, saturation, SYN unscaled
 * @state:	Unused
 */
static void test_wnd_to_guest(void **state)
{
	(void)state;
	assert_int_equal(tcp_wnd_to_guest(1 << 20, 8, true), 4096);
	assert_int_equal(tcp_wnd_to_guest(1000, 8, true), 3);	/* 768 */
	assert_int_equal(tcp_wnd_to_guest(255, 8, true), 0);
	assert_int_equal(tcp_wnd_to_guest(100000, 0, false), 65535);
	assert_int_equal(tcp_wnd_to_guest(1 << 30, 8, true), 65535);
	assert_int_equal(tcp_wnd_to_guest(40000, 8, false), 40000);
	assert_int_equal(tcp_wnd_max(8, true), 65535U << 8);
	assert_int_equal(tcp_wnd_max(8, false), 65535);
}

/**
 * test_wnd_sndbuf() - Window from the send buffer, with its margin
 * @state:	Unused
 */
static void test_wnd_sndbuf(void **state)
{
	uint32_t cap;

	(void)state;
	assert_int_equal(tcp_wnd_sndbuf(16384, 0, &cap), 15360);
	assert_int_equal(cap, 15360);
	assert_int_equal(tcp_wnd_sndbuf(16384, 8192, &cap), 7680);
	assert_int_equal(cap, 15360);
	/* Full, and over full (the kernel takes one buffer beyond) */
	assert_int_equal(tcp_wnd_sndbuf(16384, 16384, &cap), 0);
	assert_int_equal(tcp_wnd_sndbuf(16384, 80000, &cap), 0);
	assert_int_equal(tcp_wnd_sndbuf(4194304, 0, &cap), 3932160);
}

/**
 * test_wnd_update_due() - Updates worth a segment, and those that aren't
 * @state:	Unused
 */
static void test_wnd_update_due(void **state)
{
	(void)state;
	/* Opening by an MSS */
	assert_true(tcp_wnd_update_due(1000, 10000, 1000, 11460, 1460));
	/* Less than an MSS, and less than a quarter of the window */
	assert_false(tcp_wnd_update_due(1000, 10000, 1000, 11000, 1460));
	/* Small window: a quarter of it counts */
	assert_true(tcp_wnd_update_due(1000, 1000, 1000, 1500, 1460));
	/* Edge not moving, or moving back */
	assert_false(tcp_wnd_update_due(1000, 10000, 5000, 6000, 1460));
	assert_false(tcp_wnd_update_due(1000, 10000, 1000, 5000, 1460));
	/* Acknowledgement moving, window the same: the edge moves */
	assert_true(tcp_wnd_update_due(1000, 10000, 3000, 10000, 1460));
	/* Across the wrap */
	assert_true(tcp_wnd_update_due(WRAP, 100, WRAP, 100000, 1460));
	assert_false(tcp_wnd_update_due(WRAP, 100000, WRAP, 100, 1460));
}

/**
 * main() - Run the tests
 *
 * Return: number of failures
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_compare),
		cmocka_unit_test(test_ack_classify),
		cmocka_unit_test(test_seg_classify),
		cmocka_unit_test(test_rst_acceptable),
		cmocka_unit_test(test_wnd_from_guest),
		cmocka_unit_test(test_wnd_to_guest),
		cmocka_unit_test(test_wnd_sndbuf),
		cmocka_unit_test(test_wnd_update_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
