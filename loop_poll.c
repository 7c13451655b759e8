// SPDX-License-Identifier: GPL-2.0-or-later
/* loop_poll.c - when the event loop polls briefly instead of sleeping
 *
 * A request and its answer cross our loop twice: the guest's request wakes
 * us, we hand it to a host socket and go to sleep in epoll_wait(), the
 * answer wakes us again a few tens of microseconds later. Going to sleep
 * and being woken is the dearest part of such a turn, dearer on a virtual
 * CPU, whose idle exit is slow: 31 % of our CPU time in a connection-rate
 * test, and most of a round trip's latency. So, when the last batch of
 * events was one turn of an exchange, the loop first polls epoll for a
 * short window, yielding the CPU between polls, and only then sleeps.
 *
 * One turn of an exchange: the batch had traffic from two descriptors, or
 * from another one than the batch before (the tap, then a socket, then the
 * tap...), or a SYN from the guest answered at once (its host socket
 * connected within connect(), the SYN-ACK went out): the guest's ACK and
 * its first data come next, on the same link, then the host's answer. A
 * stream that flows one way (a video over UDP, a bulk upload's frames from
 * the tap) comes from one descriptor, batch after batch, and never makes
 * the loop poll: there, sleeping costs nothing the stream notices, and
 * polling would spend a CPU on waiting, and take it from the sender and
 * the receiver.
 *
 * Nor does a transfer: a turn whose batches move, on average, more than
 * LOOP_POLL_BULK bytes (a running average over the last few batches) is
 * part of a bulk flow, with the guest's ACKs coming from the tap between
 * the socket's data: the loop is busy with it anyway, and polling in its
 * gaps would only take CPU time from the two ends.
 *
 * The window adapts as cpuidle's haltpoll governor does it for a CPU: a
 * wait that ended within the longest window (--busy-poll) would have been
 * caught by polling, and the window doubles, from LOOP_POLL_START up to
 * the longest; a longer wait halves it (an exchange with a slow peer, a
 * person typing), down to nothing. A wait caught by polling leaves it.
 *
 * There are two windows, one for each side the loop waits for: after the
 * guest's traffic, for the host's answer, after a socket's, for the
 * guest's next request. The two take their own time (a server on the
 * host's loopback answers in microseconds, a client in the guest may think
 * for milliseconds before its next request): with one window, the slow
 * side's waits halved it as fast as the quick side's doubled it, and it
 * settled below both, polling on every turn and catching nothing.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "epoll_ref.h"
#include "loop_poll.h"

/**
 * loop_poll_init() - Start with no window
 * @lp:		State
 * @max_us:	Longest window, 0 to never poll
 */
void loop_poll_init(struct loop_poll *lp, unsigned max_us)
{
	lp->max_us = max_us;
	lp->win_us[LOOP_POLL_FOR_HOST] = 0;
	lp->win_us[LOOP_POLL_FOR_GUEST] = 0;
	lp->side = LOOP_POLL_FOR_HOST;
	lp->prev_fd = -1;
	lp->avg_bytes = 0;
	lp->armed = false;
}

/**
 * loop_poll_window() - How long to poll before sleeping
 * @lp:		State
 *
 * Return: microseconds, 0 to sleep at once
 */
unsigned loop_poll_window(const struct loop_poll *lp)
{
	return lp->armed ? lp->win_us[lp->side] : 0;
}

/**
 * loop_poll_waited() - Adapt the window to how long the last wait took
 * @lp:		State
 * @n:		What the wait returned: events, 0 on timeout, -1 on error
 * @caught:	Polling found the events, the loop didn't sleep
 * @waited_us:	From the start of the wait (polling included) to its end
 *
 * An interrupted wait says nothing, nor does a short one that ended on
 * its timeout (a deadline cut it short): only waits that ended with
 * events, or timed out after longer than any window, count.
 */
void loop_poll_waited(struct loop_poll *lp, int n, bool caught,
		      int64_t waited_us)
{
	bool within = waited_us >= 0 && waited_us <= (int64_t)lp->max_us;
	unsigned *w = &lp->win_us[lp->side];

	if (!lp->armed || caught || n < 0 || (!n && within))
		return;

	if (within) {
		*w = *w ? *w * 2 : LOOP_POLL_START;
		if (*w > lp->max_us)
			*w = lp->max_us;
	} else {
		*w /= 2;
		if (*w < LOOP_POLL_START)
			*w = 0;
	}
}

/**
 * loop_poll_is_traffic() - Does an event type carry guest or peer traffic
 * @type:	enum epoll_type
 *
 * Return: true for the guest's link and flow sockets, false for the others
 * (signals, listeners of the tap, the namespace watch, orphans)
 */
static bool loop_poll_is_traffic(unsigned type)
{
	switch (type) {
	case EPOLL_TYPE_TAP_PASTA:
	case EPOLL_TYPE_TAP_PASST:
	case EPOLL_TYPE_VHOST_KICK:
	case EPOLL_TYPE_PING:
	case EPOLL_TYPE_TCP:
	case EPOLL_TYPE_TCP_SPLICE:
	case EPOLL_TYPE_TCP_LISTEN:
	case EPOLL_TYPE_UDP_LISTEN:
	case EPOLL_TYPE_UDP_REPLY:
		return true;
	default:
		return false;
	}
}

/**
 * loop_poll_is_guest() - Does an event type carry the guest's traffic
 * @type:	enum epoll_type, one that carries traffic
 *
 * Return: true for the guest's link, false for host sockets
 */
static bool loop_poll_is_guest(unsigned type)
{
	return type == EPOLL_TYPE_TAP_PASTA || type == EPOLL_TYPE_TAP_PASST ||
	       type == EPOLL_TYPE_VHOST_KICK;
}

/**
 * loop_poll_batch() - Note the sources of a batch of events
 * @lp:		State
 * @ev:		Events returned by epoll_wait()
 * @n:		Their number, 0 if the wait timed out
 * @hints:	What handling them did: LOOP_POLL_SYN_ACK, LOOP_POLL_REQUEST
 * @bytes:	Bytes they moved, to and from the guest (or spliced)
 *
 * One turn of an exchange: traffic from two descriptors, or from another
 * one than the last batch's, or a SYN from the guest we answered (the
 * guest's ACK comes next, from the same descriptor, and counts as a turn
 * too), or a request from the guest whose ACK waits for the host's answer
 * (tcp_ack_hold(): it may come from the same descriptor as the batch
 * before, the handshake's ACK). A batch without traffic (a timer's tick, a
 * signal) changes nothing; a wait that timed out ends the exchange. The
 * next wait is for the host after a request, or if the batch's last
 * traffic was the guest's; else, and after a SYN-ACK, for the guest.
 */
void loop_poll_batch(struct loop_poll *lp, const struct epoll_event *ev,
		     int n, unsigned hints, uint64_t bytes)
{
	bool syn_ack = hints & LOOP_POLL_SYN_ACK;
	bool request = hints & LOOP_POLL_REQUEST;
	bool turn = syn_ack || request, guest = false;
	int i, first = -1;

	if (!lp->max_us)
		return;
	if (n <= 0) {
		lp->armed = false;
		return;
	}

	for (i = 0; i < n; i++) {
		union epoll_ref ref = { .u64 = ev[i].data.u64 };

		if (!loop_poll_is_traffic(ref.type))
			continue;
		guest = loop_poll_is_guest(ref.type);
		if (first < 0)
			first = ref.fd;
		else if (ref.fd != first)
			turn = true;
	}
	if (first < 0)
		return;

	if (bytes > (uint64_t)LOOP_POLL_BULK * 4)
		bytes = (uint64_t)LOOP_POLL_BULK * 4;
	lp->avg_bytes = lp->avg_bytes - lp->avg_bytes / 4 + (unsigned)bytes / 4;
	lp->armed = (turn || first != lp->prev_fd) &&
		    lp->avg_bytes <= LOOP_POLL_BULK;
	lp->side = !syn_ack && (request || guest) ? LOOP_POLL_FOR_HOST :
						    LOOP_POLL_FOR_GUEST;
	/* After a SYN-ACK, the guest's ACK (and request) is a turn of its own,
	 * whose answer comes from the host socket
	 */
	lp->prev_fd = syn_ack ? -1 : first;
}
