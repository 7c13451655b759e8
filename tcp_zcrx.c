// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_zcrx.c - TCP_ZEROCOPY_RECEIVE: host socket data mapped rather than
 *		copied, held until the guest acknowledges it
 *
 * Theory of operation
 *
 * Where a host socket's data arrives as whole pages (a network card that
 * splits headers from payload, a virtio-net device in big-packet mode),
 * getsockopt(TCP_ZEROCOPY_RECEIVE) can map those pages into an area we
 * mapped from a TCP socket, instead of copying them: the frames to the
 * guest then point into the mapping, and the only copy left is the tap
 * backend's. Bytes that don't sit in whole pages (the start of each
 * packet, small reads, loopback traffic: never mapped) come through the
 * "hybrid" copy buffer the same call fills (Linux 5.11), or, where the
 * kernel says so (its skip hint), through recv().
 *
 * The call consumes the data, so unlike the peek path (tcp_buf.c) the
 * socket no longer holds what the guest hasn't acknowledged: a slot holds
 * it instead, as a queue of pieces, each either mapped (page-aligned, in
 * the slot's part of the mapped area) or copied (in the slot's copy
 * ring), in stream order from the guest's acknowledged point. Frames are
 * built from the pieces at any offset, so a retransmission is a rewind
 * as before; acknowledged pieces are released in order, and the kernel
 * replaces the pages of a released range when it maps into it again.
 *
 * A connection whose data the kernel doesn't map (loopback, a device that
 * fills no whole pages) stops asking after TCP_ZCRX_MISSES calls in a
 * row mapped nothing: each call costs a page table walk over the offered
 * range, for no gain. It reads into its copy ring from then on, which is
 * what peeking costs, and asks again every TCP_ZCRX_RETRY reads, in case
 * the route changed.
 *
 * It's optional (--tcp-zerocopy-rx, off by default) and probed at start;
 * slots are few and fixed, a connection without one peeks. The memory a
 * slot can hold is TCP_ZCRX_MAP_RING mapped plus TCP_ZCRX_COPY_RING
 * copied: the pages stay the socket's, but are no longer charged to its
 * receive buffer, so the host peer may send that much more.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "ctx.h"
#include "stats.h"
#include "tcp_zcrx.h"

#ifndef TCP_ZEROCOPY_RECEIVE
#define TCP_ZEROCOPY_RECEIVE	35
#endif

#define TCP_ZCRX_SLOTS		16
#define TCP_ZCRX_MAP_RING	(8U << 20)	/* per slot, virtual */
#define TCP_ZCRX_COPY_RING	(4U << 20)	/* per slot */
#define TCP_ZCRX_COPYBUF	(32U << 10)	/* reads up to this: copied */
#define TCP_ZCRX_PIECES_MAX	1024		/* per slot */
#define TCP_ZCRX_ROUNDS		64		/* calls per fetch, at most */
#define TCP_ZCRX_MISSES		8		/* mapping nothing: stop asking */
#define TCP_ZCRX_RETRY		512		/* then reads between tries */

/**
 * struct tcp_zc_arg - Argument of getsockopt(TCP_ZEROCOPY_RECEIVE), the
 *		       kernel's 64-byte layout (Linux 5.12)
 * @address:		In: page-aligned address in a TCP mapping
 * @length:		In: bytes to map at most; out: bytes mapped
 * @skip_hint:		Out: bytes to read with recv() before mapping resumes
 * @inq:		Out: bytes left in the socket
 * @err:		Out: pending socket error
 * @copybuf_address:	In: copy buffer
 * @copybuf_len:	In: its size; out: bytes copied, or -errno
 * @flags:		In: TCP_RECEIVE_ZEROCOPY_FLAG_*, none here
 * @msg_control:	In: control buffer, unused here
 * @msg_controllen:	In/out: its length
 * @msg_flags:		Out: flags of the control messages
 * @reserved:		Zero
 */
struct tcp_zc_arg {
	uint64_t address;
	uint32_t length;
	uint32_t skip_hint;
	uint32_t inq;
	int32_t err;
	uint64_t copybuf_address;
	int32_t copybuf_len;
	uint32_t flags;
	uint64_t msg_control;
	uint64_t msg_controllen;
	uint32_t msg_flags;
	uint32_t reserved;
};
static_assert(sizeof(struct tcp_zc_arg) == 64, "kernel's layout");

/* Shortest answer with the copy buffer: a kernel before 5.11 ignores it */
#define TCP_ZC_ARG_COPYBUF	(offsetof(struct tcp_zc_arg, flags))

/**
 * struct tcp_zcrx_ring - Space for pieces, taken and released in order
 * @base:	Start
 * @size:	Bytes
 * @head:	Where the next piece goes
 * @tail:	End of the piece released last
 * @live:	Pieces in use
 */
struct tcp_zcrx_ring {
	uint8_t *base;
	uint32_t size;
	uint32_t head;
	uint32_t tail;
	uint32_t live;
};

/**
 * struct tcp_zcrx_piece - Held bytes, contiguous in one ring
 * @off:	Offset in the ring
 * @len:	Bytes
 * @mapped:	In the mapped ring, else in the copy ring
 */
struct tcp_zcrx_piece {
	uint32_t off;
	uint32_t len;
	bool mapped;
};

/**
 * struct tcp_zcrx_slot - What one connection holds
 * @held:	Bytes held, from the acknowledged point
 * @map:	Mapped ring
 * @copy:	Copy ring
 * @first:	Oldest piece
 * @count:	Pieces held
 * @skip:	Bytes of the oldest piece already acknowledged
 * @p:		Pieces, a ring of TCP_ZCRX_PIECES_MAX
 * @misses:	Calls in a row that took data but mapped none of it
 * @reads:	Reads since the last call, while @copying
 * @used:	Taken by a connection
 * @eof:	The socket reached its end of stream
 * @copying:	The kernel maps nothing here: read, and ask now and then
 */
struct tcp_zcrx_slot {
	size_t held;
	struct tcp_zcrx_ring map;
	struct tcp_zcrx_ring copy;
	unsigned first;
	unsigned count;
	uint32_t skip;
	struct tcp_zcrx_piece p[TCP_ZCRX_PIECES_MAX];
	uint16_t misses;
	uint16_t reads;
	bool used;
	bool eof;
	bool copying;
};

static struct tcp_zcrx_slot tcp_zcrx_slots[TCP_ZCRX_SLOTS];
static bool tcp_zcrx_on;

/**
 * tcp_zcrx_ring_run() - Largest contiguous free run at the ring's head,
 *			 or at its start if that's larger
 * @r:		Ring
 * @off:	Set to the run's offset
 *
 * Return: bytes free there
 */
static uint32_t tcp_zcrx_ring_run(struct tcp_zcrx_ring *r, uint32_t *off)
{
	if (!r->live) {
		r->head = r->tail = 0;
		*off = 0;
		return r->size;
	}
	if (r->head > r->tail) {
		/* In use: [tail, head); free: the end, and the start */
		if (r->size - r->head >= r->tail) {
			*off = r->head;
			return r->size - r->head;
		}
		*off = 0;
		return r->tail;
	}
	/* Wrapped: what's free lies between head and tail */
	*off = r->head;
	return r->tail - r->head;
}

/**
 * tcp_zcrx_slot_of() - Slot of a connection's slot number
 * @slot:	Slot number, not TCP_ZCRX_NONE
 *
 * Return: slot
 */
static struct tcp_zcrx_slot *tcp_zcrx_slot_of(uint16_t slot)
{
	ASSERT(slot != TCP_ZCRX_NONE && slot <= TCP_ZCRX_SLOTS);
	return &tcp_zcrx_slots[slot - 1];
}

/**
 * tcp_zcrx_piece_at() - Piece by its place in the queue
 * @z:		Slot
 * @i:		Place, 0 for the oldest
 *
 * Return: piece
 */
static struct tcp_zcrx_piece *tcp_zcrx_piece_at(struct tcp_zcrx_slot *z,
						unsigned i)
{
	return &z->p[(z->first + i) % TCP_ZCRX_PIECES_MAX];
}

/**
 * tcp_zcrx_add() - Queue bytes just placed in a ring
 * @z:		Slot
 * @mapped:	In the mapped ring, else the copy ring
 * @off:	Where, as tcp_zcrx_ring_run() gave it
 * @len:	Bytes, not zero
 */
static void tcp_zcrx_add(struct tcp_zcrx_slot *z, bool mapped, uint32_t off,
			 uint32_t len)
{
	struct tcp_zcrx_ring *r = mapped ? &z->map : &z->copy;
	struct tcp_zcrx_piece *last;

	r->head = off + len;
	z->held += len;
	if (z->count) {
		last = tcp_zcrx_piece_at(z, z->count - 1);
		if (last->mapped == mapped && last->off + last->len == off) {
			last->len += len;
			return;
		}
	}
	ASSERT(z->count < TCP_ZCRX_PIECES_MAX);
	last = tcp_zcrx_piece_at(z, z->count++);
	*last = (struct tcp_zcrx_piece){ .off = off, .len = len,
					 .mapped = mapped };
	r->live++;
}

/**
 * tcp_zcrx_full() - Is there no room to take more from the socket?
 * @slot:	Connection's slot
 *
 * Return: true if the guest must acknowledge some first
 */
bool tcp_zcrx_full(uint16_t slot)
{
	struct tcp_zcrx_slot *z = tcp_zcrx_slot_of(slot);
	uint32_t off;

	/* A call may add two pieces, a recv() one more */
	if (z->count + 3 > TCP_ZCRX_PIECES_MAX)
		return true;
	/* Whether the next bytes can be mapped or not is only known then:
	 * room for either, or the call may take nothing
	 */
	return !tcp_zcrx_ring_run(&z->copy, &off) ||
	       tcp_zcrx_ring_run(&z->map, &off) < PAGE_SIZE;
}

/**
 * tcp_zcrx_recv() - Read into the copy ring, as the kernel's skip hint
 *		     asks, or where the mapped ring is full
 * @z:		Slot
 * @s:		Socket
 * @max:	Bytes to read at most
 *
 * Return: bytes read, 0 if none now (z->eof set at end of stream), -errno
 */
static ssize_t tcp_zcrx_recv(struct tcp_zcrx_slot *z, int s, size_t max)
{
	uint32_t off, run = tcp_zcrx_ring_run(&z->copy, &off);
	ssize_t n;

	if (!run)
		return 0;
	/* #syscalls recvfrom */
	n = recv(s, z->copy.base + off, MIN((size_t)run, max), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (!n) {
		z->eof = true;
		return 0;
	}
	tcp_zcrx_add(z, false, off, (uint32_t)n);
	stats_add(STAT_TCP_ZCRX_READ, (size_t)n);
	return n;
}

/**
 * tcp_zcrx_mapped() - Note whether a call that took data mapped any: stop
 *		       asking after TCP_ZCRX_MISSES that didn't, resume
 *		       after one that did
 * @z:		Slot
 * @mapped:	Bytes the call mapped
 */
static void tcp_zcrx_mapped(struct tcp_zcrx_slot *z, uint32_t mapped)
{
	if (mapped) {
		z->misses = 0;
		if (z->copying)
			stats_inc(STAT_TCP_ZCRX_RESUMED);
		z->copying = false;
	} else if (!z->copying && ++z->misses >= TCP_ZCRX_MISSES) {
		z->copying = true;
		stats_inc(STAT_TCP_ZCRX_TO_COPY);
	}
}

/**
 * tcp_zcrx_call() - One getsockopt(TCP_ZEROCOPY_RECEIVE), its pieces queued
 * @z:		Slot
 * @s:		Socket
 * @want:	Bytes wanted
 *
 * Return: bytes taken, 0 if none now (z->eof set at end of stream), -errno
 */
static ssize_t tcp_zcrx_call(struct tcp_zcrx_slot *z, int s, size_t want)
{
	uint32_t moff, coff, mrun = tcp_zcrx_ring_run(&z->map, &moff);
	uint32_t crun = tcp_zcrx_ring_run(&z->copy, &coff);
	struct tcp_zc_arg a = { 0 };
	socklen_t len = sizeof(a);
	ssize_t got = 0, n;

	mrun = (uint32_t)MIN((size_t)mrun & ~(PAGE_SIZE - 1),
			     ROUND_UP(want, PAGE_SIZE));
	if (z->copying && ++z->reads < TCP_ZCRX_RETRY)
		mrun = 0;
	if (!mrun)
		return tcp_zcrx_recv(z, s, want);
	z->reads = 0;

	a.address = (uintptr_t)(z->map.base + moff);
	a.length = mrun;
	a.copybuf_address = (uintptr_t)(z->copy.base + coff);
	a.copybuf_len = (int32_t)MIN(crun, TCP_ZCRX_COPYBUF);
	/* #syscalls getsockopt */
	if (getsockopt(s, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &a, &len)) {
		char c;

		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno != EIO)
			return -errno;
		/* Nothing left and the socket is done: end, or an error */
		n = recv(s, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		z->eof = !n;
		return 0;
	}
	if (a.copybuf_len < 0)
		return a.copybuf_len;
	stats_inc(STAT_TCP_ZCRX_CALLS);
	if (a.length || a.copybuf_len || a.skip_hint)
		tcp_zcrx_mapped(z, a.length);

	/* In stream order: mapped pages, stragglers copied, then the rest */
	if (a.length) {
		tcp_zcrx_add(z, true, moff, a.length);
		stats_add(STAT_TCP_ZCRX_MAPPED, a.length);
		got += a.length;
	}
	if (a.copybuf_len) {
		tcp_zcrx_add(z, false, coff, (uint32_t)a.copybuf_len);
		stats_add(STAT_TCP_ZCRX_COPYBUF, (size_t)a.copybuf_len);
		got += a.copybuf_len;
	}
	if (a.skip_hint) {
		n = tcp_zcrx_recv(z, s, a.skip_hint);
		if (n < 0)
			return n;
		got += n;
	}
	return got;
}

/**
 * tcp_zcrx_fetch() - Take what the socket has, up to what's wanted
 * @slot:	Connection's slot
 * @s:		Socket
 * @want:	Bytes wanted (the guest's window beyond what's held)
 * @eof:	Set if the socket reached its end and everything's taken
 *
 * Return: bytes taken, 0 if none, -errno on a socket error
 */
ssize_t tcp_zcrx_fetch(uint16_t slot, int s, size_t want, bool *eof)
{
	struct tcp_zcrx_slot *z = tcp_zcrx_slot_of(slot);
	size_t got = 0;
	unsigned round;

	for (round = 0; round < TCP_ZCRX_ROUNDS && got < want && !z->eof;
	     round++) {
		ssize_t n;

		if (tcp_zcrx_full(slot))
			break;
		n = tcp_zcrx_call(z, s, want - got);
		if (n < 0)
			return n;
		if (!n)
			break;
		got += (size_t)n;
	}
	*eof = z->eof;
	return (ssize_t)got;
}

/**
 * tcp_zcrx_held() - Bytes held, from the guest's acknowledged point
 * @slot:	Connection's slot
 *
 * Return: bytes
 */
size_t tcp_zcrx_held(uint16_t slot)
{
	return tcp_zcrx_slot_of(slot)->held;
}

/**
 * tcp_zcrx_rooms() - Describe held bytes as the payload of frames
 * @slot:	Connection's slot
 * @from:	Offset from the acknowledged point
 * @len:	Bytes, at most what's held beyond @from
 * @fsize:	Payload of a frame, at most
 * @rooms:	Set: each frame's payload, up to TCP_ZCRX_PIECES pieces
 * @iov:	Pieces, TCP_ZCRX_PIECES for each room
 * @max:	Rooms at most
 *
 * A frame ends early where its payload would need a third piece.
 *
 * Return: number of rooms set
 */
size_t tcp_zcrx_rooms(uint16_t slot, size_t from, size_t len, size_t fsize,
		      struct pkt_room *rooms, struct iovec *iov, size_t max)
{
	struct tcp_zcrx_slot *z = tcp_zcrx_slot_of(slot);
	size_t off = from + z->skip, n = 0;
	unsigned i = 0;

	ASSERT(from + len <= z->held);
	while (i < z->count && off >= tcp_zcrx_piece_at(z, i)->len)
		off -= tcp_zcrx_piece_at(z, i++)->len;

	while (len && n < max && i < z->count) {
		struct iovec *v = &iov[n * TCP_ZCRX_PIECES];
		size_t room = MIN(fsize, len), cnt = 0, bytes = 0;

		while (bytes < room && cnt < TCP_ZCRX_PIECES && i < z->count) {
			const struct tcp_zcrx_piece *p = tcp_zcrx_piece_at(z, i);
			const struct tcp_zcrx_ring *r = p->mapped ? &z->map :
								    &z->copy;
			size_t take = MIN(room - bytes, p->len - off);

			v[cnt].iov_base = r->base + p->off + off;
			v[cnt++].iov_len = take;
			bytes += take;
			off += take;
			if (off == p->len) {
				off = 0;
				i++;
			}
		}
		rooms[n].iov = v;
		rooms[n].cnt = cnt;
		rooms[n++].len = bytes;
		len -= bytes;
	}
	return n;
}

/**
 * tcp_zcrx_ack() - Release what the guest acknowledged
 * @slot:	Connection's slot
 * @bytes:	Bytes acknowledged, at most what's held
 */
void tcp_zcrx_ack(uint16_t slot, size_t bytes)
{
	struct tcp_zcrx_slot *z = tcp_zcrx_slot_of(slot);

	ASSERT(bytes <= z->held);
	z->held -= bytes;
	while (bytes) {
		struct tcp_zcrx_piece *p = tcp_zcrx_piece_at(z, 0);
		struct tcp_zcrx_ring *r = p->mapped ? &z->map : &z->copy;
		size_t rest = p->len - z->skip;

		if (bytes < rest) {
			z->skip += (uint32_t)bytes;
			return;
		}
		bytes -= rest;
		r->tail = p->off + p->len;
		r->live--;
		z->skip = 0;
		z->first = (z->first + 1) % TCP_ZCRX_PIECES_MAX;
		z->count--;
	}
}

/**
 * tcp_zcrx_get() - A slot for a new connection, if it's on and one's free
 * @c:		Execution context
 *
 * Return: slot, TCP_ZCRX_NONE if none (the connection peeks)
 */
uint16_t tcp_zcrx_get(const struct ctx *c)
{
	unsigned i;

	/* Where the backend lends its buffers, the data goes straight there */
	if (!tcp_zcrx_on || c->vhost_user)
		return TCP_ZCRX_NONE;
	for (i = 0; i < TCP_ZCRX_SLOTS; i++) {
		struct tcp_zcrx_slot *z = &tcp_zcrx_slots[i];

		if (z->used)
			continue;
		z->used = true;
		z->eof = z->copying = false;
		z->misses = z->reads = 0;
		z->first = z->count = 0;
		z->skip = 0;
		z->held = 0;
		z->map.head = z->map.tail = z->map.live = 0;
		z->copy.head = z->copy.tail = z->copy.live = 0;
		stats_inc(STAT_TCP_ZCRX_CONNS);
		return (uint16_t)(i + 1);
	}
	stats_inc(STAT_TCP_ZCRX_NO_SLOT);
	return TCP_ZCRX_NONE;
}

/**
 * tcp_zcrx_put() - Release a connection's slot and the pages it holds
 * @slot:	Slot, or TCP_ZCRX_NONE
 */
void tcp_zcrx_put(uint16_t slot)
{
	struct tcp_zcrx_slot *z;

	if (slot == TCP_ZCRX_NONE)
		return;
	z = tcp_zcrx_slot_of(slot);
	/* #syscalls madvise */
	if (z->map.head || z->map.live)
		madvise(z->map.base, z->map.size, MADV_DONTNEED);
	if (z->copy.head || z->copy.live)
		madvise(z->copy.base, z->copy.size, MADV_DONTNEED);
	z->used = false;
}

/**
 * tcp_zcrx_probe() - Does the kernel take TCP_ZEROCOPY_RECEIVE with a copy
 *		      buffer? Map the slots' areas if so
 *
 * Return: NULL on success, else why not
 */
static const char *tcp_zcrx_probe(void)
{
	size_t mlen = (size_t)TCP_ZCRX_SLOTS * TCP_ZCRX_MAP_RING;
	size_t clen = (size_t)TCP_ZCRX_SLOTS * TCP_ZCRX_COPY_RING;
	struct tcp_zc_arg a = { 0 };
	socklen_t len = sizeof(a);
	uint8_t *map, *copy;
	unsigned i;
	int s;

	/* #syscalls:setup socket getsockopt mmap close */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return "no TCP socket to probe with";
	if (getsockopt(s, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &a, &len) &&
	    errno != EIO) {
		close(s);
		return errno == ENOPROTOOPT ? "not in this kernel (ENOPROTOOPT)"
					    : "refused by the kernel";
	}
	if (len < TCP_ZC_ARG_COPYBUF + sizeof(a.flags)) {
		close(s);
		return "kernel too old for the copy buffer (5.11)";
	}
	/* Any TCP socket's mapping takes pages of any other's: one will do */
	map = mmap(NULL, mlen, PROT_READ, MAP_SHARED, s, 0);
	close(s);
	if (map == MAP_FAILED)
		return "mmap() of a TCP socket refused";
	copy = mmap(NULL, clen, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (copy == MAP_FAILED) {
		munmap(map, mlen);
		return "no memory for the copy rings";
	}
	for (i = 0; i < TCP_ZCRX_SLOTS; i++) {
		tcp_zcrx_slots[i].map.base = map + (size_t)i * TCP_ZCRX_MAP_RING;
		tcp_zcrx_slots[i].map.size = TCP_ZCRX_MAP_RING;
		tcp_zcrx_slots[i].copy.base = copy +
					      (size_t)i * TCP_ZCRX_COPY_RING;
		tcp_zcrx_slots[i].copy.size = TCP_ZCRX_COPY_RING;
	}
	return NULL;
}

/**
 * tcp_zcrx_init() - Probe TCP_ZEROCOPY_RECEIVE if --tcp-zerocopy-rx on
 * @c:		Execution context
 */
void tcp_zcrx_init(struct ctx *c)
{
	const char *why;

	if (!c->tcp_zc_rx) {
		stats_feature("TCP: receive zero-copy",
			      "off (--tcp-zerocopy-rx off)");
		return;
	}
	why = tcp_zcrx_probe();
	if (why) {
		warn("TCP: no receive zero-copy: %s, peeking instead", why);
		stats_feature("TCP: receive zero-copy", why);
		return;
	}
	tcp_zcrx_on = true;
	info("TCP: receive zero-copy on, for %u connections at a time",
	     TCP_ZCRX_SLOTS);
	stats_feature("TCP: receive zero-copy", "on (TCP_ZEROCOPY_RECEIVE)");
}
