// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: loop_poll.c */
/* test_loop_poll.c - unit tests for the event loop's adaptive busy poll
 *
 * Which batches of events arm the poll (a turn of an exchange: another
 * descriptor, two of them, or a SYN answered at once), which don't (a
 * stream from one descriptor, a transfer's big batches, ticks and signals,
 * a timeout), how the window grows and shrinks with the waits, and that
 * each side of an exchange (the host's answer, the guest's next request)
 * has its own.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "epoll_ref.h"
#include "loop_poll.h"

#define MAX_US	50

/**
 * ev_of() - An event as epoll_wait() returns it
 * @type:	enum epoll_type
 * @fd:		Descriptor
 *
 * Return: the event
 */
static struct epoll_event ev_of(enum epoll_type type, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.u64 = epoll_ref_make(type, fd, 0).u64;
	return ev;
}

/**
 * batch1() - Note a batch of one event
 * @lp:		State
 * @type:	Its type
 * @fd:		Its descriptor
 * @syn_ack:	Handling it answered a SYN from the guest at once
 */
static void batch1(struct loop_poll *lp, enum epoll_type type, int fd,
		   bool syn_ack)
{
	struct epoll_event ev = ev_of(type, fd);

	loop_poll_batch(lp, &ev, 1, syn_ack ? LOOP_POLL_SYN_ACK : 0, 100);
}

/**
 * armed_with() - Arm the poll with windows of @w microseconds, both sides
 * @lp:		State, initialised here
 * @w:		Window wanted, LOOP_POLL_START or a double of it
 */
static void armed_with(struct loop_poll *lp, unsigned w)
{
	int i;

	loop_poll_init(lp, MAX_US);
	for (i = 0; i < 2; i++) {
		batch1(lp, i ? EPOLL_TYPE_TAP_PASTA : EPOLL_TYPE_TCP,
		       i ? 3 : 9, false);
		while (loop_poll_window(lp) < w)
			loop_poll_waited(lp, 1, false, 1);
		assert_int_equal(loop_poll_window(lp), w);
	}
}

/**
 * test_off() - --busy-poll 0: never a window, whatever comes
 * @state:	Unused
 */
static void test_off(void **state)
{
	struct loop_poll lp;
	int i;

	(void)state;
	loop_poll_init(&lp, 0);
	for (i = 0; i < 10; i++) {
		batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, true);
		loop_poll_waited(&lp, 1, false, 1);
		batch1(&lp, EPOLL_TYPE_TCP, 9 + i, true);
		loop_poll_waited(&lp, 1, false, 1);
		assert_int_equal(loop_poll_window(&lp), 0);
	}
}

/**
 * test_turns() - What arms the poll and what doesn't
 * @state:	Unused
 */
static void test_turns(void **state)
{
	struct epoll_event two[2] = { ev_of(EPOLL_TYPE_TAP_PASTA, 3),
				      ev_of(EPOLL_TYPE_UDP_REPLY, 11) };
	struct epoll_event tick = ev_of(EPOLL_TYPE_NSQUIT_TIMER, 5);
	struct loop_poll lp;
	int i;

	(void)state;
	armed_with(&lp, LOOP_POLL_START);

	/* A one-way stream: the same descriptor, never answered */
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), 0);
	for (i = 0; i < 5; i++)
		batch1(&lp, EPOLL_TYPE_UDP_REPLY, 11, false);
	assert_int_equal(loop_poll_window(&lp), 0);

	/* ... and a wait while disarmed leaves the window as it was */
	loop_poll_waited(&lp, 1, false, 100000);
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);

	/* A SYN from the guest, answered at once: its ACK comes next */
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), 0);
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, true);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
	/* ... and the ACK (and request) that follows, from the same link */
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);

	/* A request whose ACK waits for the answer, from the same link as
	 * the batch before (the handshake's ACK): the host's window
	 */
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), 0);
	{
		struct epoll_event req = ev_of(EPOLL_TYPE_TAP_PASTA, 3);

		loop_poll_batch(&lp, &req, 1, LOOP_POLL_REQUEST, 64);
		assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
		assert_int_equal(lp.side, LOOP_POLL_FOR_HOST);
	}

	/* Two descriptors in one batch */
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, false);
	assert_int_equal(loop_poll_window(&lp), 0);
	loop_poll_batch(&lp, two, 2, 0, 200);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);

	/* A tick or a signal changes nothing, a timeout disarms */
	loop_poll_batch(&lp, &tick, 1, 0, 0);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
	loop_poll_batch(&lp, NULL, 0, 0, 0);
	assert_int_equal(loop_poll_window(&lp), 0);
}

/**
 * test_bulk() - Turns of a transfer don't poll, until it's over
 * @state:	Unused
 */
static void test_bulk(void **state)
{
	struct epoll_event data = ev_of(EPOLL_TYPE_TCP, 9);
	struct epoll_event acks = ev_of(EPOLL_TYPE_TAP_PASTA, 3);
	struct loop_poll lp;
	int i;

	(void)state;
	armed_with(&lp, LOOP_POLL_START);

	/* Data from the socket, ACKs from the tap, one after the other */
	for (i = 0; i < 4; i++) {
		loop_poll_batch(&lp, &data, 1, 0, 256 * 1024);
		loop_poll_batch(&lp, &acks, 1, 0, 300);
	}
	assert_int_equal(loop_poll_window(&lp), 0);

	/* Over: small turns poll again after a few batches, not at once */
	loop_poll_batch(&lp, &data, 1, 0, 100);
	assert_int_equal(loop_poll_window(&lp), 0);
	for (i = 0; i < 10; i++) {
		loop_poll_batch(&lp, &acks, 1, 0, 100);
		loop_poll_batch(&lp, &data, 1, 0, 100);
	}
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
}

/**
 * test_window() - The window doubles up to the longest, halves to nothing
 * @state:	Unused
 */
static void test_window(void **state)
{
	struct loop_poll lp;

	(void)state;
	loop_poll_init(&lp, MAX_US);
	batch1(&lp, EPOLL_TYPE_TAP_PASTA, 3, true);
	assert_int_equal(loop_poll_window(&lp), 0);

	/* Short waits: polling would have caught them */
	loop_poll_waited(&lp, 1, false, 8);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
	loop_poll_waited(&lp, 1, false, 30);
	assert_int_equal(loop_poll_window(&lp), 2 * LOOP_POLL_START);
	loop_poll_waited(&lp, 1, false, MAX_US);
	assert_int_equal(loop_poll_window(&lp), 4 * LOOP_POLL_START);
	loop_poll_waited(&lp, 1, false, 45);
	assert_int_equal(loop_poll_window(&lp), MAX_US);
	loop_poll_waited(&lp, 1, false, 45);
	assert_int_equal(loop_poll_window(&lp), MAX_US);

	/* Caught: stays */
	loop_poll_waited(&lp, 1, true, 12);
	assert_int_equal(loop_poll_window(&lp), MAX_US);

	/* Long waits, or a clock that went back: halves, then nothing */
	loop_poll_waited(&lp, 1, false, MAX_US + 1);
	assert_int_equal(loop_poll_window(&lp), MAX_US / 2);
	loop_poll_waited(&lp, 1, false, -1);
	assert_int_equal(loop_poll_window(&lp), MAX_US / 4);
	loop_poll_waited(&lp, 1, false, 1000000);
	assert_int_equal(loop_poll_window(&lp), 0);	/* below the start */
	loop_poll_waited(&lp, 0, false, 1000000);
	assert_int_equal(loop_poll_window(&lp), 0);

	/* Interrupted, or a short timeout (a deadline): nothing learnt */
	loop_poll_waited(&lp, -1, false, 3);
	assert_int_equal(loop_poll_window(&lp), 0);
	loop_poll_waited(&lp, 0, false, 3);
	assert_int_equal(loop_poll_window(&lp), 0);
	loop_poll_waited(&lp, 1, false, 3);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_START);
}

/**
 * exchange() - Round trips where the host answers in @host_us and the
 *		guest's next request comes @guest_us after the answer
 * @lp:		State
 * @rts:	Round trips
 * @host_us:	Host's answer time, microseconds
 * @guest_us:	Guest's time to its next request, microseconds
 * @polls:	Set to the polls made, both sides
 *
 * Return: polls that found the answer or the request
 */
static int exchange(struct loop_poll *lp, int rts, unsigned host_us,
		    unsigned guest_us, int *polls)
{
	int i, side, hits = 0;

	*polls = 0;
	for (i = 0; i < rts; i++) {
		for (side = 0; side < 2; side++) {
			unsigned t = side ? guest_us : host_us;
			unsigned w;

			batch1(lp, side ? EPOLL_TYPE_TCP : EPOLL_TYPE_TAP_PASTA,
			       side ? 9 : 3, false);
			w = loop_poll_window(lp);
			if (w)
				(*polls)++;
			if (w && w >= t)
				hits++;
			loop_poll_waited(lp, 1, w && w >= t, t);
		}
	}
	return hits;
}

/**
 * test_sides() - A quick host and a slow guest: each side its own window
 * @state:	Unused
 */
static void test_sides(void **state)
{
	struct loop_poll lp;
	int hits, polls;

	(void)state;
	loop_poll_init(&lp, MAX_US);
	exchange(&lp, 20, 30, 60, &polls);

	/* The host's answers are caught, the guest is left to wake us */
	hits = exchange(&lp, 100, 30, 60, &polls);
	assert_int_equal(hits, 100);
	assert_int_equal(polls, 100);

	/* The guest becomes quick too: its window comes back */
	exchange(&lp, 20, 30, 20, &polls);
	hits = exchange(&lp, 100, 30, 20, &polls);
	assert_int_equal(hits, 200);
	assert_int_equal(polls, 200);

	/* A person typing: the guest's window goes, the host's stays */
	exchange(&lp, 20, 30, 200000, &polls);
	hits = exchange(&lp, 100, 30, 200000, &polls);
	assert_int_equal(hits, 100);
	assert_int_equal(polls, 100);
}

/**
 * test_limit() - The longest window accepted is the window's ceiling
 * @state:	Unused
 */
static void test_limit(void **state)
{
	struct loop_poll lp;
	int i;

	(void)state;
	loop_poll_init(&lp, LOOP_POLL_MAX_LIMIT);
	batch1(&lp, EPOLL_TYPE_VHOST_KICK, 4, true);
	for (i = 0; i < 20; i++)
		loop_poll_waited(&lp, 1, false, LOOP_POLL_MAX_LIMIT);
	assert_int_equal(loop_poll_window(&lp), LOOP_POLL_MAX_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_turns),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_sides),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
