/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop_poll.h - when the event loop polls briefly instead of sleeping */

#ifndef LOOP_POLL_H
#define LOOP_POLL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#define LOOP_POLL_MAX_DEFAULT	50	/* microseconds, --busy-poll */
#define LOOP_POLL_MAX_LIMIT	1000	/* highest --busy-poll accepted */
#define LOOP_POLL_START		10	/* first window, microseconds */
#define LOOP_POLL_BULK		32768U	/* bytes a batch on average: bulk */

/* What handling a batch did, beside the traffic its events show */
#define LOOP_POLL_SYN_ACK	1U	/* answered a SYN from the guest */
#define LOOP_POLL_REQUEST	2U	/* held an ACK for the host's answer */

/**
 * enum loop_poll_for - Whose traffic the loop waits for after a batch
 * @LOOP_POLL_FOR_HOST:		A host socket's (the batch was the guest's)
 * @LOOP_POLL_FOR_GUEST:	The guest's (the batch was a socket's)
 * @LOOP_POLL_SIDES:		Number of the above
 */
enum loop_poll_for {
	LOOP_POLL_FOR_HOST = 0,
	LOOP_POLL_FOR_GUEST,
	LOOP_POLL_SIDES,
};

/**
 * struct loop_poll - State of the adaptive busy poll
 * @max_us:	Longest window, 0: never poll
 * @win_us:	Current window for each side, 0 to @max_us
 * @side:	Whose traffic the next wait is for, enum loop_poll_for
 * @prev_fd:	Descriptor of the last batch's first traffic event, -1: none
 * @avg_bytes:	Running average of the bytes a batch moved
 * @armed:	The last batch was one turn of an exchange: poll next time
 */
struct loop_poll {
	unsigned max_us;
	unsigned win_us[LOOP_POLL_SIDES];
	unsigned side;
	int prev_fd;
	unsigned avg_bytes;
	bool armed;
};

void loop_poll_init(struct loop_poll *lp, unsigned max_us);
unsigned loop_poll_window(const struct loop_poll *lp);
void loop_poll_waited(struct loop_poll *lp, int n, bool caught,
		      int64_t waited_us);
void loop_poll_batch(struct loop_poll *lp, const struct epoll_event *ev,
		     int n, unsigned hints, uint64_t bytes);

#endif /* LOOP_POLL_H */
