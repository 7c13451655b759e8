// SPDX-License-Identifier: GPL-2.0-or-later
/* zerocopy.c - MSG_ZEROCOPY sends of guest data: pinned buffers,
 *		completions
 *
 * Theory of operation
 *
 * A large write of guest data to a host socket (TCP data of one batch,
 * straight from the tap receive buffers, or from the guest's memory with
 * vhost-user) may go with MSG_ZEROCOPY: the kernel then takes references
 * to those pages instead of copying them, and reads them when it
 * transmits, which may be long after sendmsg() returned. Until the kernel
 * says it is done with a send (its completion, in the socket's error
 * queue), what holds its bytes is pinned (tap_pin()): the receive buffers
 * (tap.c reads into other ones meanwhile), or the guest's transmit chains
 * (vhost_user.c returns them to the guest only then). A send whose bytes
 * can't all be pinned (too many chains held already, a frame too
 * scattered to map back to guest memory) is copied.
 *
 * Each socket counts its zero-copy sends from 0; a completion names a
 * range of those numbers. A socket that sends zero-copy has a slot here:
 * which buffers each send in flight pinned (a ring of ZC_PENDING sends),
 * from the oldest not completed to the next one. Slots are a fixed table
 * (ZC_SLOTS): a flow that finds none, a full ring, or bytes tap.c can't
 * pin (too few receive buffers left free, too many guest chains held)
 * copies instead; nothing waits.
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
 * Completions come from the error queue (recvmsg(MSG_ERRQUEUE), when
 * EPOLLERR says some wait), or, where the kernel has it, back from the
 * sendmsg() calls we make anyway: SCM_ZC_NOTIFICATION, a control message
 * posted for Linux but never merged (our test kernel implements it,
 * test/kernel/), into which the kernel moves up to ZC_NOTIF_MAX
 * completions from the queue when the call returns. It has no number in
 * mainline, and the one it was posted with is taken there: ours is a
 * build setting (ZC_NOTIFICATION_CMSG) and an option (--zerocopy-cmsg),
 * probed at start on a throwaway socket; a kernel without it refuses the
 * message (EINVAL). A socket whose queue fills between our sends still
 * raises EPOLLERR: then an empty sendmsg() fetches them, the same way.
 *
 * Modes (--zerocopy): auto, for peers not on this host's loopback (where
 * the kernel copies anyway); on, for every peer; off. Sends below
 * --zerocopy-min bytes copy.
 *
 * The other way, frames to a guest on an AF_VSOCK stream come from a
 * pool of tap_zc.c's that stays pinned the same way: a slot for that
 * socket notes a pool chunk per send instead of receive buffers
 * (zc_tx_sendmsg()), and completions release it (tap_zc_release()).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/vm_sockets.h>

#include "util.h"
#include "ctx.h"
#include "log.h"
#include "stats.h"
#include "tap.h"
#include "tap_zc.h"
#include "zerocopy.h"

/* Sockets with zero-copy sends at once, and sends in flight on each */
#define ZC_SLOTS		256
#define ZC_PENDING		64	/* power of two */
/* Completion messages read per error queue event */
#define ZC_ERRQUEUE_BATCH	64
/* Frames to a vsock guest: copied completions in a row that stop it */
#define ZC_TX_COPIED_OFF	16
/* A send in flight, in its ring entry, beside its pin (tap_pin()) */
#define ZC_INFLIGHT		0x80

static_assert(TAP_PIN_MAX <= ZC_INFLIGHT, "pins must fit below ZC_INFLIGHT");
static_assert(!(ZC_PENDING & (ZC_PENDING - 1)), "ZC_PENDING: power of two");

/**
 * struct zc_slot - Zero-copy sends of one socket
 * @fd:		Socket, -1 for a free slot
 * @next:	Number of its next zero-copy send
 * @done:	Oldest send not completed (@next if none)
 * @orphan:	Its flow is gone: close @fd once nothing is in flight
 * @copy:	The kernel copied a send: copy from now on
 * @tx:		Frames to the guest: @bufs hold tap_zc.c's chunk numbers
 * @copied_run:	Sends completed copied since the last one that wasn't
 * @no_notif:	The socket refused SCM_ZC_NOTIFICATION (a kind the kernel
 *		doesn't return completions for): error queue only
 * @bufs:	What each send in flight pinned, ZC_INFLIGHT set, by number:
 *		tap_pin()'s pin, or for @tx a chunk of tap_zc.c's
 */
struct zc_slot {
	int fd;
	uint32_t next;
	uint32_t done;
	bool orphan;
	bool copy;
	bool tx;
	bool no_notif;
	uint32_t copied_run;
	uint8_t bufs[ZC_PENDING];
};

/* Linux's flag for a send that builds nothing (glibc doesn't have it) */
#ifndef MSG_PROBE
#define MSG_PROBE		0x10
#endif

/* SCM_ZC_NOTIFICATION: entries one request takes, as the kernel has it */
#define ZC_NOTIF_MAX		16

/**
 * struct zc_notif_elem - One completion in SCM_ZC_NOTIFICATION's payload
 * @lo:		First send number of the range
 * @hi:		Last one
 * @zerocopy:	0 if the kernel copied after all
 */
struct zc_notif_elem {
	uint32_t lo;
	uint32_t hi;
	uint8_t zerocopy;
};
static_assert(sizeof(struct zc_notif_elem) == 12, "kernel's layout");

/* The payload: a 32-bit count (room in, entries out), then the entries */
#define ZC_NOTIF_LEN	(sizeof(uint32_t) + \
			 ZC_NOTIF_MAX * sizeof(struct zc_notif_elem))

/**
 * union zc_notif_ctl - Control buffer for one SCM_ZC_NOTIFICATION request
 * @buf:	Message
 * @align:	Alignment of a control message
 */
union zc_notif_ctl {
	char buf[CMSG_SPACE(ZC_NOTIF_LEN)];
	struct cmsghdr align;
};

static struct zc_slot zc_slots[ZC_SLOTS];
static unsigned zc_slots_used;	/* slots with a socket */
static unsigned zc_slot_hint;	/* where to look for a free one first */
static bool zc_supported;	/* SO_ZEROCOPY on a TCP socket, at start */
static int zc_notif;		/* SCM_ZC_NOTIFICATION's number, 0: none */

/**
 * zc_notif_request() - Ask for completions with a message
 * @mh:		Message to send, its control buffer set here
 * @ctl:	Control buffer
 *
 * Return: where the kernel writes the count and the entries
 */
static uint8_t *zc_notif_request(struct msghdr *mh, union zc_notif_ctl *ctl)
{
	const uint32_t room = ZC_NOTIF_MAX;
	struct cmsghdr *cm;

	/* Entries the kernel doesn't fill keep a zerocopy byte of 0xff, which
	 * it never writes: a socket that ignores the request is told apart
	 */
	memset(ctl, 0xff, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = sizeof(ctl->buf);
	cm = CMSG_FIRSTHDR(mh);
	memset(cm, 0, sizeof(*cm));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = zc_notif;
	cm->cmsg_len = CMSG_LEN(ZC_NOTIF_LEN);
	memcpy(CMSG_DATA(cm), &room, sizeof(room));
	return CMSG_DATA(cm);
}

/**
 * zc_notif_probe() - Does sendmsg() answer SCM_ZC_NOTIFICATION?
 * @num:	Number to try, 0 for none
 *
 * An empty MSG_PROBE send (nothing goes out) on a UDP socket with
 * SO_ZEROCOPY, connected to itself on loopback: a kernel with the message
 * answers, and says no completion is pending (a count of 0 back for the
 * 16 entries asked); one without it refuses it (EINVAL); one that gave
 * the number to something else doesn't write the count back.
 *
 * Return: true if it answered as it should
 */
static bool zc_notif_probe(int num)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct msghdr mh = { 0 };
	socklen_t al = sizeof(a);
	union zc_notif_ctl ctl;
	bool ok = false;
	int s, one = 1;

	if (num <= 0)
		return false;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	if (!bind(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(s, (struct sockaddr *)&a, &al) &&
	    !connect(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		const uint8_t *p;
		uint32_t n;

		zc_notif = num;
		p = zc_notif_request(&mh, &ctl);
		if (sendmsg(s, &mh, MSG_PROBE | MSG_DONTWAIT) >= 0) {
			memcpy(&n, p, sizeof(n));
			/* cppcheck-suppress knownConditionTrueFalse
			 * The kernel writes it back: 16 in, 0 out
			 */
			ok = !n;
		}
		zc_notif = 0;
	}
	close(s);
	return ok;
}

/**
 * zc_init() - Probe SO_ZEROCOPY, set the slots free
 * @c:		Execution context
 */
void zc_init(struct ctx *c)
{
	int s, one = 1, i, num;

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

	num = !c->zc_cmsg ? ZC_NOTIFICATION_CMSG : c->zc_cmsg;
	if (zc_supported && c->zc_mode != ZC_OFF && zc_notif_probe(num))
		zc_notif = num;

	if (c->zc_mode == ZC_OFF)
		stats_feature("TCP: MSG_ZEROCOPY", "off (--zerocopy off)");
	else if (!zc_supported)
		stats_feature("TCP: MSG_ZEROCOPY", "not supported by the kernel");
	else
		stats_feature("TCP: MSG_ZEROCOPY", c->zc_mode == ZC_ON ?
			      "on" : "for peers not on loopback");
	if (zc_supported && c->zc_mode != ZC_OFF)
		stats_feature("TCP: zero-copy completions", zc_notif ?
			      "returned by sendmsg() (SCM_ZC_NOTIFICATION)" :
			      "from the error queue (no SCM_ZC_NOTIFICATION)");
	if (c->zc_mode == ZC_ON && !zc_supported)
		warn("--zerocopy on: the kernel refuses SO_ZEROCOPY, copying");
}

/**
 * zc_slot_get() - The slot of a socket, taken if it has none yet
 * @slot:	Flow's slot index (ZC_NONE, ZC_NEVER, or a slot + 1), updated
 * @s:		Socket
 * @tx:		For frames to the guest (tap_zc.c's chunks), not guest data
 *
 * Return: slot, NULL if none is free or the socket refuses zero-copy
 */
static struct zc_slot *zc_slot_get(uint16_t *slot, int s, bool tx)
{
	int one = 1;
	unsigned i;

	if (*slot == ZC_NEVER)
		return NULL;
	if (*slot != ZC_NONE)
		return &zc_slots[*slot - 1];

	/* Full: no scan, for every send of every socket beyond them */
	if (zc_slots_used == ZC_SLOTS) {
		stats_inc(STAT_ZC_NO_SLOT);
		return NULL;
	}
	for (i = zc_slot_hint; zc_slots[i].fd >= 0; i = (i + 1) % ZC_SLOTS)
		;
	/* #syscalls setsockopt */
	if (setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		*slot = ZC_NEVER;
		return NULL;
	}
	memset(&zc_slots[i], 0, sizeof(zc_slots[i]));
	zc_slots[i].fd = s;
	zc_slots[i].tx = tx;
	zc_slots_used++;
	zc_slot_hint = (i + 1) % ZC_SLOTS;
	*slot = (uint16_t)(i + 1);
	return &zc_slots[i];
}

/**
 * zc_pin() - Pin the bytes of a send in flight, note the pin in its entry
 * @c:		Execution context
 * @z:		Slot
 * @entry:	For @tx slots, the chunk
 * @bufs:	Otherwise, where each piece of the send lies (tap_pin())
 * @n:		Number of pieces
 */
static void zc_pin(struct ctx *c, struct zc_slot *z, unsigned entry,
		   const uint16_t *bufs, size_t n)
{
	if (!z->tx)
		entry = tap_pin(c, bufs, n);
	z->bufs[z->next % ZC_PENDING] = (uint8_t)(entry | ZC_INFLIGHT);
	z->next++;
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

		if (id - z->done >= z->next - z->done || !(*e & ZC_INFLIGHT))
			continue;
		if (z->tx)
			tap_zc_release(c, *e & (uint8_t)~ZC_INFLIGHT);
		else
			tap_unpin(c, *e & (uint8_t)~ZC_INFLIGHT);
		*e = 0;
		stats_inc(copied ? STAT_ZC_DONE_COPIED : STAT_ZC_DONE);
		z->copied_run = copied ? z->copied_run + 1 : 0;
	}
	while (z->done != z->next && !(z->bufs[z->done % ZC_PENDING] &
				       ZC_INFLIGHT))
		z->done++;
}

/**
 * zc_copied() - The kernel copied a send of this socket: copy from now on
 * @z:		Slot
 *
 * On this host's loopback, or through a device that can't gather, there
 * is nothing to gain, and pinning costs.
 */
static void zc_copied(struct zc_slot *z)
{
	/* vsock copies a send that doesn't fit the peer's credit whole, or
	 * the pages it can take at once: no reason to stop, unless it's
	 * all that happens
	 */
	if (z->copy || (z->tx && z->copied_run < ZC_TX_COPIED_OFF))
		return;
	z->copy = true;
	stats_inc(STAT_ZC_COPIED_OFF);
}

/**
 * zc_notif_take() - Completions the kernel wrote into a request
 * @c:		Execution context
 * @z:		Slot
 * @p:		Payload of the request, as sendmsg() left it
 *
 * A kind of socket whose sendmsg() doesn't look at control messages may
 * leave the request as it was: entries still marked unwritten (0xff)
 * mean that, and the slot stops asking (error queue only).
 *
 * Return: number of entries taken, ZC_NOTIF_MAX if more may wait
 */
static unsigned zc_notif_take(struct ctx *c, struct zc_slot *z,
			      const uint8_t *p)
{
	uint32_t n, i;

	memcpy(&n, p, sizeof(n));
	n = MIN(n, (uint32_t)ZC_NOTIF_MAX);
	/* cppcheck-suppress knownConditionTrueFalse
	 * The kernel wrote @n back: what we wrote there isn't what we read
	 */
	for (i = 0; i < n; i++) {
		struct zc_notif_elem e;

		memcpy(&e, p + sizeof(n) + i * sizeof(e), sizeof(e));
		if (e.zerocopy > 1) {
			if (!z->no_notif)
				info("zero-copy: a socket left SCM_ZC_NOTIFICATION "
				     "unanswered, completions from its error "
				     "queue");
			z->no_notif = true;
			return 0;
		}
		zc_done(c, z, e.lo, e.hi, !e.zerocopy);
		if (!e.zerocopy)
			zc_copied(z);
		stats_inc(STAT_ZC_VIA_SENDMSG);
	}
	return n;
}

/**
 * zc_send() - sendmsg(), zero-copy if asked, completions taken on the way
 * @c:		Execution context
 * @z:		Slot of the socket, NULL if none
 * @s:		Socket
 * @mh:		Message
 * @zc:		Send with MSG_ZEROCOPY (@z is set then)
 * @entry:	For a slot of frames to the guest, the chunk of tap_zc.c's
 *		the send pins
 * @bufs:	For guest data, where each piece of @mh lies (tap_pin())
 * @went:	Set if it went zero-copy: its bytes stay pinned until done
 *
 * Return: as sendmsg(), errno set on failure
 */
static ssize_t zc_send(struct ctx *c, struct zc_slot *z, int s,
		       const struct msghdr *mh, bool zc, unsigned entry,
		       const uint16_t *bufs, bool *went)
{
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	struct msghdr m = *mh;
	union zc_notif_ctl ctl;
	uint8_t *req = NULL;
	ssize_t n;

	if (z && zc_notif && !z->no_notif && z->next != z->done)
		req = zc_notif_request(&m, &ctl);

	/* #syscalls sendmsg */
	n = sendmsg(s, &m, flags | (zc ? MSG_ZEROCOPY : 0));
	if (n < 0 && req && errno == EINVAL) {
		if (z->tx) {
			/* The probe was on UDP: not every kind may have it */
			info("zero-copy: no SCM_ZC_NOTIFICATION for the "
			     "guest's socket, completions from its error "
			     "queue");
			z->no_notif = true;
		} else {
			/* It passed the probe: whatever changed, do
			 * without it
			 */
			warn("zero-copy: sendmsg() refuses "
			     "SCM_ZC_NOTIFICATION (%d), completions from the "
			     "error queue from now on", zc_notif);
			zc_notif = 0;
		}
		req = NULL;
		m.msg_control = mh->msg_control;
		m.msg_controllen = mh->msg_controllen;
		n = sendmsg(s, &m, flags | (zc ? MSG_ZEROCOPY : 0));
	}
	if (n < 0 && zc && errno == ENOBUFS) {
		stats_inc(STAT_ZC_NOBUFS);
		zc = false;
		n = sendmsg(s, &m, flags);
	}
	*went = n > 0 && zc;
	if (*went)
		zc_pin(c, z, entry, bufs, mh->msg_iovlen);
	if (n >= 0 && req)
		zc_notif_take(c, z, req);
	return n;
}

/**
 * zc_sendmsg() - Send guest data, zero-copy where it pays and may
 * @c:		Execution context
 * @slot:	Flow's slot index (ZC_NONE to start), updated
 * @s:		Socket
 * @mh:		Message, its data in tap receive buffers or guest memory
 * @bytes:	Its length
 * @bufs:	Where each entry of @mh's iov lies, struct pkt's @buf: it's
 *		copied unless tap_pin_can() says they can all be pinned
 * @peer:	Address of the peer: one on this host's loopback gets copies
 *		unless zero-copy is forced on (the kernel would copy anyway)
 *
 * A socket with sends in flight asks for their completions on the way,
 * where the kernel can hand them back (SCM_ZC_NOTIFICATION), copying or
 * not.
 *
 * Return: as sendmsg(), errno set on failure
 */
ssize_t zc_sendmsg(struct ctx *c, uint16_t *slot, int s,
		   const struct msghdr *mh, size_t bytes, const uint16_t *bufs,
		   const union inany_addr *peer)
{
	struct zc_slot *z = NULL;
	bool zc = false, want, went;
	ssize_t n;

	want = zc_supported && c->zc_mode != ZC_OFF && bytes >= c->zc_min &&
	       mh->msg_iovlen;
	if (want && (c->zc_mode == ZC_ON || !inany_is_loopback(peer)))
		z = zc_slot_get(slot, s, false);
	else if (*slot != ZC_NONE && *slot != ZC_NEVER)
		z = &zc_slots[*slot - 1];

	if (z && !z->copy && want) {
		zc = z->next - z->done < ZC_PENDING &&
		     tap_pin_can(c, bufs, mh->msg_iovlen);
		if (!zc)
			stats_inc(STAT_ZC_POOL_FULL);
	}
	n = zc_send(c, z, s, mh, zc, 0, bufs, &went);
	if (went) {
		stats_inc(STAT_ZC_SENDS);
		stats_add(STAT_ZC_BYTES, (size_t)n);
	}
	return n;
}

/**
 * zc_tx_sendmsg() - Send frames to the guest from a chunk of tap_zc.c's
 * @c:		Execution context
 * @slot:	The stream socket's slot index (ZC_NONE to start), updated
 * @s:		Socket
 * @mh:		Message, its data in @chunk
 * @bytes:	Its length
 * @chunk:	Chunk number, below ZC_INFLIGHT
 * @went:	Set if it went zero-copy: the chunk is released on its
 *		completion (tap_zc_release()); if not, the caller releases it
 *
 * Return: as sendmsg(), errno set on failure
 */
ssize_t zc_tx_sendmsg(struct ctx *c, uint16_t *slot, int s,
		      const struct msghdr *mh, size_t bytes, unsigned chunk,
		      bool *went)
{
	struct zc_slot *z = NULL;
	bool zc = false;

	ASSERT(chunk < ZC_INFLIGHT);
	if (c->zc_mode != ZC_OFF)
		z = zc_slot_get(slot, s, true);
	if (z && !z->copy && bytes >= c->zc_min) {
		zc = z->next - z->done < ZC_PENDING;
		if (!zc)
			stats_inc(STAT_ZC_POOL_FULL);
	}
	return zc_send(c, z, s, mh, zc, chunk, NULL, went);
}

/**
 * zc_tx_copies() - Does a socket's slot say zero-copy is pointless there?
 * @slot:	Slot index
 *
 * Return: true if the socket refused SO_ZEROCOPY, or the kernel copied
 */
bool zc_tx_copies(uint16_t slot)
{
	if (slot == ZC_NEVER)
		return true;
	return slot != ZC_NONE && zc_slots[slot - 1].copy;
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
			      cm->cmsg_type == IPV6_RECVERR) ||
			     (cm->cmsg_level == SOL_VSOCK &&
			      cm->cmsg_type == VSOCK_RECVERR)) &&
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
		stats_inc(STAT_ZC_VIA_ERRQUEUE);
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
	zc_slots_used--;
	zc_slot_hint = (unsigned)(z - zc_slots);
}

/**
 * zc_send_err() - Is a failed send's errno the socket's pending error?
 * @err:	errno of a send, of no bytes, on a connected stream socket
 *
 * A send on a socket with an error fails with that error, and takes it:
 * SO_ERROR reads zero afterwards. A shut or unconnected socket without
 * one says EPIPE; the others are about the send itself.
 *
 * Return: true if @err was the socket's error
 */
static bool zc_send_err(int err)
{
	return err != EINVAL && err != EAGAIN && err != EWOULDBLOCK &&
	       err != EINTR && err != ENOBUFS && err != ENOMEM && err != EPIPE;
}

/**
 * zc_completions() - Completions for a flow's socket (EPOLLERR on it)
 * @c:		Execution context
 * @slot:	Flow's slot index: nothing to do unless a slot; ZC_NEVER once
 *		the socket copies for good and has nothing in flight
 *
 * Return: the socket's pending error if the send that fetches completions
 *	   took it (positive errno: SO_ERROR then says none), else 0
 */
int zc_completions(struct ctx *c, uint16_t *slot)
{
	bool fetched = false;
	struct zc_slot *z;
	int err = 0;

	if (*slot == ZC_NONE || *slot == ZC_NEVER)
		return 0;
	z = &zc_slots[*slot - 1];
	if (zc_notif && !z->no_notif) {
		unsigned i;

		fetched = true;
		/* Fetch them the way they come back with data: an empty
		 * send carries the request
		 */
		for (i = 0; i < ZC_ERRQUEUE_BATCH / ZC_NOTIF_MAX; i++) {
			struct msghdr mh = { 0 };
			union zc_notif_ctl ctl;
			uint8_t *req = zc_notif_request(&mh, &ctl);

			stats_inc(STAT_ZC_NOTIF_FETCHES);
			if (sendmsg(z->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
				z->no_notif = z->tx && errno == EINVAL;
				if (zc_send_err(errno))
					err = errno;
				fetched = false;
				break;
			}
			if (zc_notif_take(c, z, req) < ZC_NOTIF_MAX)
				break;
		}
	}
	/* Without the message, or if the socket refused a send */
	if (!fetched && zc_errqueue(c, z))
		zc_copied(z);
	if (z->copy && z->done == z->next) {
		zc_slot_free(c, z);
		*slot = ZC_NEVER;
	}
	return err;
}

/**
 * zc_sock_error() - EPOLLERR on a socket: completions, or a real error?
 * @c:		Execution context
 * @slot:	Socket's slot index, as for zc_completions()
 * @s:		Socket
 *
 * Completions raise EPOLLERR as an error does: they are taken first (the
 * send that fetches them may take the error with it), then SO_ERROR says
 * whether there is an error beside them.
 *
 * Return: the socket's error, 0 if none (the event was completions)
 */
int zc_sock_error(struct ctx *c, uint16_t *slot, int s)
{
	socklen_t sl = sizeof(int);
	int err = zc_completions(c, slot);

	/* #syscalls getsockopt */
	if (!err && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &sl))
		err = errno;
	return err;
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
