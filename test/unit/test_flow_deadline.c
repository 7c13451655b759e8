// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: flow_deadline.c flow.c util.c log.c stats.c inany.c siphash.c */
/* test_flow_deadline.c - unit tests for the deadline heap of all flows
 *
 * Flows come from the real table (flow.c); deadlines are set, moved and
 * cleared in pseudo-random order, and what flow_deadline_pop() gives back
 * must be every deadline still set, each once, earliest first, against a
 * plain array kept beside. Freeing a flow drops its deadline.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "flow.h"
#include "flow_deadline.h"

#define TEST_FLOWS	1000

static struct flow_common *fl[TEST_FLOWS];
static uint64_t want[TEST_FLOWS];	/* 0: no deadline */
static uint32_t rnd = 12345;

/**
 * next_rand() - Small linear congruential generator, same run every time
 *
 * Return: next value
 */
static uint32_t next_rand(void)
{
	rnd = rnd * 1103515245 + 12345;
	return rnd >> 8;
}

/**
 * setup() - A table of TEST_FLOWS flows, all allocated and active
 * @state:	Unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	unsigned i;

	(void)state;
	assert_int_equal(flow_init(TEST_FLOWS), 0);
	for (i = 0; i < TEST_FLOWS; i++) {
		fl[i] = flow_alloc();
		assert_non_null(fl[i]);
		flow_activate(fl[i], FLOW_UDP);
		want[i] = 0;
	}
	return 0;
}

/**
 * teardown() - Close and free every flow: no deadline may stay
 * @state:	Unused
 *
 * Return: 0
 */
static int teardown(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < TEST_FLOWS; i++)
		flow_close(fl[i]);
	flow_defer_handler();
	assert_int_equal(flow_count(), 0);
	assert_int_equal(flow_deadline_count(), 0);
	return 0;
}

/**
 * test_order() - Random sets, moves and clears; pops come in order
 * @state:	Unused
 */
static void test_order(void **state)
{
	unsigned i, round, left = 0, popped = 0;
	uint64_t last = 0, idx;

	(void)state;
	for (round = 0; round < 20000; round++) {
		i = next_rand() % TEST_FLOWS;
		if (next_rand() % 4) {
			want[i] = 1 + next_rand() % 100000;
			flow_deadline_set(fl[i], want[i]);
		} else {
			want[i] = 0;
			flow_deadline_clear(fl[i]);
		}
	}
	for (i = 0; i < TEST_FLOWS; i++) {
		assert_int_equal(flow_deadline_of(fl[i]), want[i]);
		left += !!want[i];
	}
	assert_int_equal(flow_deadline_count(), left);

	/* Nothing before the earliest */
	assert_int_equal(flow_deadline_pop(0), FLOW_IDX_NONE);
	while ((idx = flow_deadline_pop(UINT64_MAX)) != FLOW_IDX_NONE) {
		assert_true(idx < TEST_FLOWS);
		assert_true(want[idx]);
		assert_true(want[idx] >= last);
		last = want[idx];
		want[idx] = 0;
		popped++;
	}
	assert_int_equal(popped, left);
	assert_int_equal(flow_deadline_next(), 0);
}

/**
 * test_partial() - Only the deadlines that passed come out
 * @state:	Unused
 */
static void test_partial(void **state)
{
	unsigned i, n = 0;

	(void)state;
	for (i = 0; i < TEST_FLOWS; i++)
		flow_deadline_set(fl[i], 1000 + i);
	assert_int_equal(flow_deadline_next(), 1000);
	while (flow_deadline_pop(1499) != FLOW_IDX_NONE)
		n++;
	assert_int_equal(n, 500);
	assert_int_equal(flow_deadline_next(), 1500);

	/* Moving one earlier, then later again */
	flow_deadline_set(fl[999], 10);
	assert_int_equal(flow_deadline_next(), 10);
	flow_deadline_set(fl[999], 5000);
	assert_int_equal(flow_deadline_next(), 1500);

	/* A flow freed takes its deadline with it */
	flow_close(fl[600]);
	flow_defer_handler();
	assert_int_equal(flow_deadline_count(), 499);
	fl[600] = flow_alloc();
	assert_non_null(fl[600]);
	flow_activate(fl[600], FLOW_UDP);
	assert_int_equal(flow_deadline_of(fl[600]), 0);
	for (i = 500; i < TEST_FLOWS; i++)
		flow_deadline_clear(fl[i]);
	assert_int_equal(flow_deadline_count(), 0);
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
