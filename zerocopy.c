// SPDX-License-Identifier: GPL-2.0-or-later
/* zerocopy.c - MSG_ZEROCOPY sends of guest data: pinned buffers,
 *		completions
 *
 * Theory of operation
 *
 * A large write of guest data to a host socket (TCP data of one batch,
 * straight from the tap receive buffers) may go with MSG_ZEROCOPY: the
 * kernel then takes references to our pages instead of copying them, and
 * reads them when it transmits, which may be long after sendmsg()
 * returned. Until the kernel says it is done with a send (its completion,
 * in the socket's error queue), the receive buffers holding its bytes are
 * pinned (tap_buf_pin()): tap.c reads into other buffers meanwhile.
 *
 * Each socket counts its zero-copy sends from 0; a completion names a
 * range of those numbers. A socket that sends zero-copy has a slot here:
 * which buffers each send in flight pinned (a ring of ZC_PENDING sends),
 * from the oldest not completed to the next one. Slots are a fixed table
 * (ZC_SLOTS): a flow that finds none, a full ring, or too few receive
 * buffers left unpinned (ZC_FREE_BUFS) copies instead; nothing waits.
 *
 * Fallbacks: a kernel or socket without SO_ZEROCOPY, a send refused for
 * lack of memory (ENOBUFS: optmem or locked-memory limits) which goes
 * again as a copy, and a completion saying the kernel copied anyway
 * (SO_EE_CODE_ZEROCOPY_COPIED: delivery on this host, or a device that
 * can't gather): that socket copies from then on.
 *
 * A socket closed with sends in flight would leave the kernel reading
 * buffers we reuse: instead, the slot keeps it open (shut for writing
 * already, or reset) and watches its error queue alone until every
 * completion came, then closes it.
 *
 * Modes (--zerocopy): auto, for peers not on this host's loopback (where
 * the kernel copies anyway); on, for every peer; off. Sends below
 * --zerocopy-min bytes copy.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/errqueue.h>

#include "util.h"
#include "ctx.h"
#include "log.h"
#include "stats.h"
#include "tap.h"
#include "zerocopy.h"

/* Sockets with zero-copy sends at once, and sends in flight on each */
#define ZC_SLOTS		256
#define ZC_PENDING		64	/* power of two */
/* Receive buffers that must stay unpinned, for tap.c's next reads */
#define ZC_FREE_BUFS		1
/* Completion messages read per error queue event */
#define ZC_ERRQUEUE_BATCH	64
/* A send in flight, in its ring entry, beside its buffers' bits */
#define ZC_INFLIGHT		0x80

static_assert(TAP_BUF_COUNT < 8, "buffer bits must fit below ZC_INFLIGHT");
static_assert(!(ZC_PENDING & (ZC_PENDING - 1)), "ZC_PENDING: power of two");

/**
 * struct zc_slot - Zero-copy sends of one socket
 * @fd:		Socket, -1 for a free slot
 * @next:	Number of its next zero-copy send
 * @done:	Oldest send not completed (@next if none)
 * @orphan:	Its flow is gone: close @fd once nothing is in flight
 * @copy:	The kernel copied a send: copy from now on
 * @bufs:	Buffers each send in flight pinned, ZC_INFLIGHT set, by number
 */
struct zc_slot {
	int fd;
	uint32_t next;
	uint32_t done;
	bool orphan;
	bool copy;
	uint8_t bufs[ZC_PENDING];
};

static struct zc_slot zc_slots[ZC_SLOTS];
static bool zc_supported;	/* SO_ZEROCOPY on a TCP socket, at start */

/**
 * zc_init() - Probe SO_ZEROCOPY, set the slots free
 * @c:		Execution context
 */
void zc_init(struct ctx *c)
{
	int s, one = 1, i;

	for (i = 0; i < ZC_SLOTS; i++)
		zc_slots[i].fd = -1;
	if (!c->zc_min)
		c->zc_min = ZC_MIN_DEFAULT;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s >= 0) {
		zc_supported = !setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one,
					   sizeof(one));
		close(s);
	}

	if (c->zc_mode == ZC_OFF)
		stats_feature("TCP: MSG_ZEROCOPY", "off (--zerocopy off)");
	else if (!zc_supported)
		stats_feature("TCP: MSG_ZEROCOPY", "not supported by the kernel");
	else
		stats_feature("TCP: MSG_ZEROCOPY", c->zc_mode == ZC_ON ?
			      "on, completions from the error queue" :
			      "for peers not on loopback, completions from "
			      "the error queue");
	if (c->zc_mode == ZC_ON && !zc_supported)
		warn("--zerocopy on: the kernel refuses SO_ZEROCOPY, copying");
}

/**
 * zc_slot_get() - The slot of a socket, taken if it has none yet
 * @slot:	Flow's slot index (ZC_NONE, ZC_NEVER, or a slot + 1), updated
 * @s:		Socket
 *
 * Return: slot, NULL if none is free or the socket refuses zero-copy
 */
static struct zc_slot *zc_slot_get(uint16_t *slot, int s)
{
	int one = 1;
	unsigned i;

	if (*slot == ZC_NEVER)
		return NULL;
	if (*slot != ZC_NONE)
		return &zc_slots[*slot - 1];

	for (i = 0; i < ZC_SLOTS && zc_slots[i].fd >= 0; i++)
		;
	if (i == ZC_SLOTS) {
		stats_inc(STAT_ZC_NO_SLOT);
		return NULL;
	}
	/* #syscalls setsockopt */
	if (setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		*slot = ZC_NEVER;
		return NULL;
	}
	memset(&zc_slots[i], 0, sizeof(zc_slots[i]));
	zc_slots[i].fd = s;
	*slot = (uint16_t)(i + 1);
	return &zc_slots[i];
}

/**
 * zc_pin() - Pin the buffers of a send in flight, note them in its entry
 * @c:		Execution context
 * @z:		Slot
 * @bufs:	Bit per receive buffer
 */
static void zc_pin(struct ctx *c, struct zc_slot *z, unsigned bufs)
{
	unsigned b;

	for (b = 0; b < TAP_BUF_COUNT; b++)
		if (bufs & (1U << b))
			tap_buf_pin(c, (uint16_t)b);
	z->bufs[z->next % ZC_PENDING] = (uint8_t)(bufs | ZC_INFLIGHT);
	z->next++;
}

/**
 * zc_sendmsg() - Send guest data, zero-copy where it pays and may
 * @c:		Execution context
 * @slot:	Flow's slot index (ZC_NONE to start), updated
 * @s:		Socket
 * @mh:		Message, its data in tap receive buffers
 * @bytes:	Its length
 * @bufs:	Bit per receive buffer the data lies in, 0 if any of it lies
 *		elsewhere (guest memory): then it's copied
 * @local:	The peer is on this host's loopback
 *
 * Return: as sendmsg(), errno set on failure
 */
ssize_t zc_sendmsg(struct ctx *c, uint16_t *slot, int s,
		   const struct msghdr *mh, size_t bytes, unsigned bufs,
		   bool local)
{
	const int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	struct zc_slot *z;
	ssize_t n;

	if (!zc_supported || c->zc_mode == ZC_OFF || !bufs ||
	    bytes < c->zc_min || (c->zc_mode == ZC_AUTO && local) ||
	    !(z = zc_slot_get(slot, s)))
		goto copy;
	if (z->copy)
		goto copy;
	if (z->next - z->done >= ZC_PENDING ||
	    tap_bufs_free(bufs) < ZC_FREE_BUFS) {
		stats_inc(STAT_ZC_POOL_FULL);
		goto copy;
	}

	/* #syscalls sendmsg */
	n = sendmsg(s, mh, flags | MSG_ZEROCOPY);
	if (n > 0) {
		zc_pin(c, z, bufs);
		stats_inc(STAT_ZC_SENDS);
		stats_add(STAT_ZC_BYTES, (size_t)n);
		return n;
	}
	if (n == 0 || errno != ENOBUFS)
		return n;
	stats_inc(STAT_ZC_NOBUFS);
copy:
	return sendmsg(s, mh, flags);
}

/**
 * zc_done() - Release the sends of a completed range
 * @c:		Execution context
 * @z:		Slot
 * @lo:		First send number of the range
 * @hi:		Last one
 * @copied:	The kernel copied their data
 */
static void zc_done(struct ctx *c, struct zc_slot *z, uint32_t lo, uint32_t hi,
		    bool copied)
{
	uint32_t n = hi - lo + 1, i;

	/* Only numbers in flight: anything else is no send of ours */
	for (i = 0; i < n && i < ZC_PENDING; i++) {
		uint32_t id = lo + i;
		uint8_t *e = &z->bufs[id % ZC_PENDING];
		unsigned b;

		if (id - z->done >= z->next - z->done || !(*e & ZC_INFLIGHT))
			continue;
		for (b = 0; b < TAP_BUF_COUNT; b++)
			if (*e & (1U << b))
				tap_buf_unpin(c, (uint16_t)b);
		*e = 0;
		stats_inc(copied ? STAT_ZC_DONE_COPIED : STAT_ZC_DONE);
	}
	while (z->done != z->next && !(z->bufs[z->done % ZC_PENDING] &
				       ZC_INFLIGHT))
		z->done++;
}

/**
 * zc_errqueue() - Read completions from a socket's error queue
 * @c:		Execution context
 * @z:		Slot
 *
 * Return: true if a completion said the kernel copied
 */
static bool zc_errqueue(struct ctx *c, struct zc_slot *z)
{
	bool copied_seen = false;
	unsigned i;

	/* Until the queue is empty: it raises EPOLLERR while it isn't */
	for (i = 0; i < ZC_ERRQUEUE_BATCH; i++) {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) + 64)];
		struct msghdr mh = { .msg_control = buf,
				     .msg_controllen = sizeof(buf) };
		const struct sock_extended_err *ee = NULL;
		struct cmsghdr *cm;

		/* #syscalls recvmsg */
		if (recvmsg(z->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (((cm->cmsg_level == SOL_IP &&
			      cm->cmsg_type == IP_RECVERR) ||
			     (cm->cmsg_level == SOL_IPV6 &&
			      cm->cmsg_type == IPV6_RECVERR)) &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(*ee)))
				ee = (const struct sock_extended_err *)
				     (const void *)CMSG_DATA(cm);
		}
		if (!ee || ee->ee_errno || ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
			continue;
		if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
			copied_seen = true;
		zc_done(c, z, ee->ee_info, ee->ee_data,
			ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED);
	}
	return copied_seen;
}

/**
 * zc_slot_free() - Free a slot whose sends all completed
 * @c:		Execution context
 * @z:		Slot
 */
static void zc_slot_free(struct ctx *c, struct zc_slot *z)
{
	if (z->orphan) {
		epoll_del(c->epollfd, z->fd);
		/* #syscalls close */
		close(z->fd);
		stats_inc(STAT_ZC_ORPHANS_CLOSED);
	}
	z->fd = -1;
}

/**
 * zc_completions() - Completions for a flow's socket (EPOLLERR on it)
 * @c:		Execution context
 * @slot:	Flow's slot index: nothing to do unless a slot; ZC_NEVER once
 *		the socket copies for good and has nothing in flight
 */
void zc_completions(struct ctx *c, uint16_t *slot)
{
	struct zc_slot *z;

	if (*slot == ZC_NONE || *slot == ZC_NEVER)
		return;
	z = &zc_slots[*slot - 1];
	if (zc_errqueue(c, z) && !z->copy) {
		/* On this host, or a device that can't gather: no gain */
		z->copy = true;
		stats_inc(STAT_ZC_COPIED_OFF);
	}
	if (z->copy && z->done == z->next) {
		zc_slot_free(c, z);
		*slot = ZC_NEVER;
	}
}

/**
 * zc_sock_close() - A flow is done with its socket: may it be closed?
 * @c:		Execution context
 * @slot:	Flow's slot index, reset to ZC_NONE
 * @s:		Socket, still watched by epoll, or not (@watched)
 * @watched:	@s is in the epoll set
 * @rst:	The flow resets its host peer
 *
 * With sends in flight, the slot keeps the socket open, watching for
 * their completions alone (zc_orphan_handler()), and closes it after the
 * last one: the caller must neither close it nor watch it any more. A
 * reset is sent at once (a disconnect, connect() to AF_UNSPEC, which
 * also drops what wasn't sent: its completions come then).
 *
 * Return: true if the caller closes the socket, false if we do, later
 */
bool zc_sock_close(struct ctx *c, uint16_t *slot, int s, bool watched,
		   bool rst)
{
	const struct sockaddr sa = { .sa_family = AF_UNSPEC };
	struct zc_slot *z;
	union epoll_ref ref;
	int rc;

	if (*slot == ZC_NONE || *slot == ZC_NEVER) {
		*slot = ZC_NONE;
		return true;
	}
	z = &zc_slots[*slot - 1];
	ref = epoll_ref_make(EPOLL_TYPE_ZC_ORPHAN, s, *slot - 1U);
	*slot = ZC_NONE;
	zc_errqueue(c, z);
	if (z->done == z->next) {
		zc_slot_free(c, z);
		return true;
	}
	/* #syscalls connect */
	if (rst && connect(s, &sa, sizeof(sa)))
		debug_perror("zero-copy: disconnecting socket %d", s);
	/* Edge-triggered: a closed connection has EPOLLHUP for good, only
	 * new completions are news
	 */
	rc = watched ? epoll_mod(c->epollfd, EPOLLERR | EPOLLET, ref) :
		       epoll_add(c->epollfd, EPOLLERR | EPOLLET, ref);
	if (rc) {
		/* Can't watch it: its buffers stay pinned, the others serve */
		debug_perror("zero-copy: epoll_ctl on socket %d", s);
	}
	z->orphan = true;
	stats_inc(STAT_ZC_ORPHANS);
	return false;
}

/**
 * zc_orphan_handler() - Completions for a socket whose flow is gone
 * @c:		Execution context
 * @ref:	Epoll reference: socket and slot
 */
void zc_orphan_handler(struct ctx *c, union epoll_ref ref)
{
	struct zc_slot *z;

	if (ref.data >= ZC_SLOTS)
		return;
	z = &zc_slots[ref.data];
	if (z->fd != ref.fd || !z->orphan)
		return;
	zc_errqueue(c, z);
	if (z->done == z->next)
		zc_slot_free(c, z);
}
