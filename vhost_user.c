// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c - the vhost-user protocol, passt's backend for QEMU's
 *		  vhost-user netdev
 *
 * Theory of operation
 *
 * With --vhost-user, the guest's connection on our UNIX socket (or the
 * descriptor given with --fd) carries vhost-user messages, not frames:
 * QEMU, the frontend, tells us where the guest's memory is (descriptors of
 * its memory backend, which we map), where the virtqueues of one receive
 * and one transmit queue lie in it, and gives us an eventfd per queue for
 * the guest's kicks and another for our notifications. Frames then move
 * through the queues (virtio.c), not through this socket.
 *
 * Messages: a 12-byte header (request, flags, payload size), then the
 * payload, and descriptors passed alongside (SCM_RIGHTS). We check the
 * version in the flags, the payload size against our limit and against
 * what each request takes, and every value in it (queue index, queue
 * size, feature bits, region bounds) before using any. Descriptors a
 * message brings and its request doesn't keep are closed once it is
 * handled. A message that is malformed, or that we don't implement, ends
 * the connection with one log line that says why; the daemon goes on and
 * waits for the next frontend (or exits, with --one-off). The exception:
 * a request we don't know at all that asks for an answer (REPLY_ACK) is
 * refused with one, and the session goes on, as a newer frontend would
 * expect of a backend that lacks what it asked for.
 *
 * Data path: the guest's kick on the transmit queue (an eventfd in our
 * epoll loop) makes us take its chains, in batches of up to TAP_BATCH_MAX:
 * each frame, after its 12-byte virtio-net header, is handed to tap.c's
 * tap_handle_frames() as a view of guest memory where it lies (copied
 * only if it is scattered over several buffers), read through packet.h's
 * bounds-checked accessors like frames of any other backend. The chains
 * go back to the guest once the handlers return, but those a zero-copy
 * send holds (below). The guest can still change a frame while we
 * parse it: every access stays inside the view, and all it can confuse is
 * its own traffic.
 *
 * Zero-copy from guest memory: a frame names its chain in its view
 * (TAP_BUF_CHAIN, the batch and the chain's place in it), and a
 * MSG_ZEROCOPY send of its bytes (zerocopy.c, through tap_pin()) holds
 * the chain. A frame scattered over several buffers (a Linux guest's:
 * headers, then page fragments) is parsed from our copy, and its bytes
 * are sent from where they lie in guest memory: vhost_user_tx_iov() maps
 * a view of the copy back to those pieces, for the batch's duration. The
 * chain held goes to the used ring only once the kernel's completion
 * for the send came, so that a guest which writes into a buffer only
 * after it got it back never changes bytes the kernel still reads (it
 * reads them again on a retransmission, too). Chains of one batch are
 * held together, until the last send holding any of them completes: the
 * others of the batch go back at once. Limits, where we copy instead and
 * nothing waits: VU_HOLDS batches held at once, and half the transmit
 * queue's chains (the guest keeps descriptors for its other traffic
 * whatever one slow peer does). The used ring then takes chains out of
 * order, which split queues allow without VIRTIO_F_IN_ORDER (not offered).
 * A chain held is a packet the guest's TCP stack still counts as in its
 * device queue: with a remote peer, a flow's sending rate is bound by
 * what the guest lets wait there (Linux: TCP small queues) per round trip.
 *
 * When the transmit queue stops (GET_VRING_BASE) or the frontend leaves,
 * held chains are forgotten: never returned into a ring that is gone or
 * will be set up anew (a guest driver that resets its device frees their
 * buffers anyway). Their sends still complete later, and their sockets
 * stay open till then (zerocopy.c's orphans); the guest memory is
 * unmapped at once, which is safe for the kernel: it holds references to
 * the pages it reads, not to our mapping. What we don't guarantee past
 * that point: a guest that reuses those buffers while the kernel still
 * holds them (which it may, once it reset the device) changes what a
 * retransmission sends. A frontend leaving resets the guest's flows, so
 * nothing is retransmitted then; a queue stop alone (a paused VM, a
 * driver reset) leaves them open, and a guest that is merely paused and
 * resumed doesn't get the forgotten chains back: they are lost to its
 * driver, as if the device dropped them.
 *
 * Frames to the guest are either copied into its receive
 * buffers (tap_send()), over several with mergeable buffers, or lent out
 * (tap_lend()): TCP and UDP data is then received from the host socket
 * straight into guest memory, and only the headers are written by us.
 * Notifications follow EVENT_IDX when negotiated; when the guest gives no
 * receive buffers, tap.c holds senders back until its next kick on that
 * queue.
 *
 * The socket is blocking with a one-second timeout each way while we are
 * in a message: QEMU sends a message in one piece, and one that stops
 * half way costs us that second once, then its connection.
 *
 * What we offer: VIRTIO_F_VERSION_1 (required when a queue starts: the
 * 12-byte virtio-net header), VIRTIO_NET_F_MRG_RXBUF, GUEST_CSUM (frames
 * to the guest carry partial checksums, as to pasta's tap: tap_l4_csum()),
 * CSUM, HOST_TSO4/6 and HOST_USO (the guest may send partial checksums,
 * TCP super-frames and UDP trains: tap_vnet_in() reads their headers),
 * GUEST_TSO4/6 and GUEST_USO4/6 (used with GUEST_CSUM and MRG_RXBUF, both
 * of a pair: TCP frames of up to 64 KiB, UDP trains, as to pasta's tap),
 * EVENT_IDX, INDIRECT_DESC, and the protocol features with REPLY_ACK. No
 * dirty page logging: SET_LOG_BASE is refused, so no live migration yet.
 *
 * Trust: the guest is not trusted (virtio.c checks all it writes); the
 * frontend is trusted not to shrink the memory it shared after it did so
 * (a memfd that QEMU seals by default): we check each region against the
 * file's size when we map it.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "tap.h"
#include "virtio.h"
#include "virtio_net.h"
#include "vhost_user.h"

/* Header flags */
#define VU_VERSION		0x1
#define VU_FLAG_VERSION_MASK	0x3
#define VU_FLAG_REPLY		0x4
#define VU_FLAG_NEED_REPLY	0x8

/* Requests (vhost-user protocol, "Front-end message types") */
enum vu_request {
	VU_GET_FEATURES		= 1,
	VU_SET_FEATURES		= 2,
	VU_SET_OWNER		= 3,
	VU_RESET_OWNER		= 4,
	VU_SET_MEM_TABLE	= 5,
	VU_SET_LOG_BASE		= 6,
	VU_SET_LOG_FD		= 7,
	VU_SET_VRING_NUM	= 8,
	VU_SET_VRING_ADDR	= 9,
	VU_SET_VRING_BASE	= 10,
	VU_GET_VRING_BASE	= 11,
	VU_SET_VRING_KICK	= 12,
	VU_SET_VRING_CALL	= 13,
	VU_SET_VRING_ERR	= 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM	= 17,
	VU_SET_VRING_ENABLE	= 18,
};

/* Device features (virtio 1.x) and the vhost-user one */
/* What vu_msg() says of a request it doesn't know (see vhost_user_handler()) */
static const char vu_unsupported[] = "unsupported request";

#define VU_F_CSUM		(1ULL << 0)
#define VU_F_GUEST_CSUM		(1ULL << 1)
#define VU_F_GUEST_TSO4		(1ULL << 7)
#define VU_F_GUEST_TSO6		(1ULL << 8)
#define VU_F_HOST_TSO4		(1ULL << 11)
#define VU_F_HOST_TSO6		(1ULL << 12)
#define VU_F_MRG_RXBUF		(1ULL << 15)
#define VU_F_GUEST_USO4		(1ULL << 54)
#define VU_F_GUEST_USO6		(1ULL << 55)
#define VU_F_HOST_USO		(1ULL << 56)
#define VU_F_INDIRECT_DESC	(1ULL << 28)
#define VU_F_EVENT_IDX		(1ULL << 29)
#define VU_F_PROTOCOL_FEATURES	(1ULL << 30)
#define VU_F_VERSION_1		(1ULL << 32)
#define VU_F_GUEST_TSO		(VU_F_GUEST_TSO4 | VU_F_GUEST_TSO6)
#define VU_F_GUEST_USO		(VU_F_GUEST_USO4 | VU_F_GUEST_USO6)
#define VU_FEATURES		(VU_F_CSUM | VU_F_GUEST_CSUM | \
				 VU_F_GUEST_TSO | VU_F_GUEST_USO | \
				 VU_F_HOST_TSO4 | VU_F_HOST_TSO6 | \
				 VU_F_HOST_USO | VU_F_MRG_RXBUF | \
				 VU_F_INDIRECT_DESC | \
				 VU_F_EVENT_IDX | VU_F_PROTOCOL_FEATURES | \
				 VU_F_VERSION_1)

/* Protocol features */
#define VU_PROTOCOL_F_REPLY_ACK	(1ULL << 3)
#define VU_PROTOCOL_FEATURES	VU_PROTOCOL_F_REPLY_ACK

/* SET_VRING_KICK, _CALL, _ERR payload: queue index, and "no descriptor" */
#define VU_VRING_IDX_MASK	0xffULL
#define VU_VRING_NOFD		0x100ULL

/* A message cut short costs its connection this long; the fuzzer feeds
 * them on purpose, and can't wait that long each time
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define VU_TIMEOUT_US		1000
#else
#define VU_TIMEOUT_US		1000000
#endif

/**
 * struct vu_hdr - Message header, as on the wire (host order: the protocol
 *		   uses the frontend's, which is ours, same machine)
 * @request:	enum vu_request
 * @flags:	Version, REPLY, NEED_REPLY
 * @size:	Payload length
 */
struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};
static_assert(sizeof(struct vu_hdr) == 12, "vhost-user header is 12 bytes");

/**
 * struct vu_region_msg - One region of SET_MEM_TABLE
 * @gpa:	Guest physical address
 * @size:	Length
 * @uva:	Frontend's address
 * @offset:	Where the region starts in the descriptor's file
 */
struct vu_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t offset;
};
static_assert(sizeof(struct vu_region_msg) == 32, "region is 32 bytes");

/**
 * struct vu_addr_msg - SET_VRING_ADDR payload
 * @index:	Queue
 * @flags:	Bit 0: log used ring writes (we offer no logging)
 * @desc:	Descriptor table, frontend address
 * @used:	Used ring, frontend address
 * @avail:	Available ring, frontend address
 * @log:	Guest address for logging, unused
 */
struct vu_addr_msg {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};
static_assert(sizeof(struct vu_addr_msg) == 40, "vring address is 40 bytes");

/**
 * struct vu_queue - State of one queue
 * @vq:		The rings, once mapped (vq.size non-zero)
 * @num:	Size given by SET_VRING_NUM, 0 if none yet
 * @desc:	Descriptor table, frontend address
 * @used:	Used ring, frontend address
 * @avail:	Available ring, frontend address
 * @addr_set:	SET_VRING_ADDR seen
 * @started:	Kick descriptor given, not stopped by GET_VRING_BASE since
 * @enabled:	SET_VRING_ENABLE, or always without protocol features
 * @kick:	Eventfd the guest's kicks arrive on, or -1
 * @call:	Eventfd we notify the guest with, or -1
 */
struct vu_queue {
	struct virtq vq;
	unsigned num;
	uint64_t desc, used, avail;
	bool addr_set;
	bool started;
	bool enabled;
	int kick;
	int call;
};

/**
 * struct vu_dev - The device, one frontend at a time
 * @features:	Device features the frontend acknowledged
 * @protocol:	Protocol features it acknowledged
 * @mem:	Guest memory table
 * @map:	Our mappings, one per region, to unmap
 * @map_len:	Their lengths
 * @q:		Queues
 */
struct vu_dev {
	uint64_t features;
	uint64_t protocol;
	struct virtio_mem mem;
	void *map[VIRTIO_MEM_REGIONS];
	size_t map_len[VIRTIO_MEM_REGIONS];
	struct vu_queue q[VHOST_USER_QUEUES];
};

/* Handling a transmit batch: a close waits until it's done */
static bool vu_in_tx;
static const char *vu_close_later;

static struct vu_dev vu = { .q = { { .kick = -1, .call = -1 },
				    { .kick = -1, .call = -1 } } };
static char vu_why[160];		/* reason of the last refusal */

/* Transmit batches with chains held for zero-copy sends, at once: a batch
 * finding none free is copied (its frames TAP_BUF_NONE). Its number goes
 * in the frames' @buf (TAP_BUF_CHAIN), and with TAP_PIN_CHAINS in a pin
 */
#define VU_HOLDS		16
static_assert(VU_HOLDS < TAP_PIN_CHAINS, "batch number fits in a pin");
static_assert(TAP_BUF_CHAIN + ((VU_HOLDS - 1U) << TAP_BUF_CHAIN_BITS) +
	      TAP_BATCH_MAX - 1 < TAP_BUF_NONE, "a chain's @buf isn't NONE");

/**
 * struct vu_hold - A transmit batch whose chains zero-copy sends may hold
 * @taken:	In use: its batch runs, or sends in flight hold chains of it
 * @open:	Its batch is being handled: chains may still be held
 * @gone:	The queue stopped or was reset meanwhile: never return its
 *		chains, they belong to no ring any more
 * @pins:	Zero-copy sends in flight with bytes in chains of it
 * @n:		Chains of the batch
 * @nheld:	Of those, held by a send
 * @head:	Head of each chain, in the order taken
 * @held:	Whether each chain is held
 */
struct vu_hold {
	bool taken;
	bool open;
	bool gone;
	unsigned pins;
	uint16_t n;
	uint16_t nheld;
	uint16_t head[TAP_BATCH_MAX];
	bool held[TAP_BATCH_MAX];
};

static struct vu_hold vu_holds[VU_HOLDS];
static unsigned vu_held;	/* chains held, in batches not gone */

/**
 * vhost_user_print_caps() - Print the backend capabilities, as the
 *			     vhost-user "Backend program conventions" ask
 */
void vhost_user_print_caps(void)
{
	printf("{\n  \"type\": \"net\"\n}\n");
}

/**
 * vu_bad() - Say why a message is refused
 * @fmt:	Format, with the values at fault
 *
 * Return: the reason, for the caller to hand up
 */
__attribute__((format(printf, 1, 2)))
static const char *vu_bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vu_why, sizeof(vu_why), fmt, ap);
	va_end(ap);
	return vu_why;
}

/**
 * vu_holds_forget() - The transmit queue stops: chains held go nowhere
 *
 * Their ring is gone, or will be set up anew: a chain returned into it
 * later would be one the guest doesn't expect there. The sends holding
 * them still complete, later (tap_unpin()), and free their batches then.
 */
static void vu_holds_forget(void)
{
	unsigned b;

	for (b = 0; b < VU_HOLDS; b++) {
		struct vu_hold *h = &vu_holds[b];

		if (!h->taken || h->gone)
			continue;
		stats_add(STAT_VU_TX_FORGOTTEN, h->nheld);
		vu_held -= h->nheld;
		h->gone = true;
		h->open = false;
		if (!h->pins)
			h->taken = false;
	}
}

/**
 * vu_hold_of() - The batch a frame's @buf names, if chains of it can be held
 * @buf:	struct pkt's @buf
 *
 * Return: the batch, NULL if it is no held batch still running
 */
static struct vu_hold *vu_hold_of(uint16_t buf)
{
	unsigned b;

	if (buf < TAP_BUF_CHAIN || buf == TAP_BUF_NONE)
		return NULL;
	b = (unsigned)(buf - TAP_BUF_CHAIN) >> TAP_BUF_CHAIN_BITS;
	if (b >= VU_HOLDS || !vu_holds[b].open)
		return NULL;
	return &vu_holds[b];
}

/**
 * vhost_user_tx_pin_can() - May a zero-copy send hold the chains of its
 *			     bytes until its completion?
 * @bufs:	Where each piece of the send lies, struct pkt's @buf
 * @n:		Number of pieces, at least one
 *
 * Never more than half the transmit queue is held: the guest keeps
 * descriptors for its other traffic, whatever a slow peer of one flow
 * does to completions.
 *
 * Return: true if all pieces lie in chains of the batch being handled
 *	   and the chains held would stay within that limit
 */
bool vhost_user_tx_pin_can(const uint16_t *bufs, size_t n)
{
	struct vu_hold *h = vu_hold_of(bufs[0]);
	unsigned more = 0;
	size_t i;

	if (!h)
		return false;
	for (i = 0; i < n; i++) {
		unsigned k = bufs[i] & ((1U << TAP_BUF_CHAIN_BITS) - 1);

		if (vu_hold_of(bufs[i]) != h || k >= h->n)
			return false;
		more += !h->held[k];
	}
	return vu_held + more <= vu.q[VHOST_USER_TX].vq.size / 2U;
}

/**
 * vhost_user_tx_pin() - Hold the chains of a zero-copy send's bytes
 * @bufs:	Where each piece lies, as vhost_user_tx_pin_can() approved
 * @n:		Number of pieces
 *
 * Return: the batch, for vhost_user_tx_unpin()
 */
unsigned vhost_user_tx_pin(const uint16_t *bufs, size_t n)
{
	struct vu_hold *h = vu_hold_of(bufs[0]);
	size_t i;

	ASSERT(h);
	for (i = 0; i < n; i++) {
		unsigned k = bufs[i] & ((1U << TAP_BUF_CHAIN_BITS) - 1);

		ASSERT(k < h->n);
		if (h->held[k])
			continue;
		h->held[k] = true;
		h->nheld++;
		vu_held++;
	}
	h->pins++;
	return (unsigned)(h - vu_holds);
}

/**
 * vu_kick_stop() - Stop watching a queue's kicks, and close them
 * @c:		Execution context
 * @q:		Queue
 */
static void vu_kick_stop(const struct ctx *c, struct vu_queue *q)
{
	if (q->kick < 0)
		return;
	epoll_del(c->epollfd, q->kick);
	/* #syscalls:passt close */
	close(q->kick);
	q->kick = -1;
}

/**
 * vu_queue_reset() - Stop a queue and forget everything about it
 * @c:		Execution context
 * @q:		Queue
 */
static void vu_queue_reset(const struct ctx *c, struct vu_queue *q)
{
	if (q == &vu.q[VHOST_USER_TX])
		vu_holds_forget();
	vu_kick_stop(c, q);
	if (q->call >= 0)
		close(q->call);
	memset(q, 0, sizeof(*q));
	q->kick = q->call = -1;
}

/**
 * vu_mem_unmap() - Unmap a memory table
 * @map:	Mappings
 * @len:	Their lengths
 * @n:		Number of mappings
 */
static void vu_mem_unmap(void *const *map, const size_t *len, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		/* #syscalls:passt munmap */
		if (map[i])
			munmap(map[i], len[i]);
	}
}

/**
 * vu_dev_reset() - Back to the state before any message
 * @c:		Execution context
 */
static void vu_dev_reset(const struct ctx *c)
{
	unsigned i;

	for (i = 0; i < VHOST_USER_QUEUES; i++)
		vu_queue_reset(c, &vu.q[i]);
	vu_mem_unmap(vu.map, vu.map_len, vu.mem.n);
	memset(vu.map, 0, sizeof(vu.map));
	memset(&vu.mem, 0, sizeof(vu.mem));
	vu.features = vu.protocol = 0;
}

/**
 * vu_queue_map() - Map the rings of a queue, if we know enough already
 * @q:		Queue
 *
 * Return: NULL on success (or nothing to do yet), or the reason
 */
static const char *vu_queue_map(struct vu_queue *q)
{
	const char *why;

	if (!q->addr_set || !vu.mem.n)
		return NULL;
	why = virtq_setup(&q->vq, &vu.mem, q->num, q->desc, q->avail, q->used);
	if (why)
		return vu_bad("queue %td: %s (size %u, rings at 0x%llx, "
			      "0x%llx, 0x%llx)", q - vu.q, why, q->num,
			      (unsigned long long)q->desc,
			      (unsigned long long)q->avail,
			      (unsigned long long)q->used);
	q->vq.event_idx = !!(vu.features & VU_F_EVENT_IDX);
	q->vq.indirect = !!(vu.features & VU_F_INDIRECT_DESC);
	return NULL;
}

/**
 * vu_region_map() - Check and map one region of a memory table
 * @r:		Region, as the frontend sent it
 * @fd:		Its descriptor
 * @map:	Our mapping, set on success
 * @len:	Its length, set on success
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_region_map(const struct vu_region_msg *r, int fd,
				 void **map, size_t *len)
{
	struct stat st;
	void *p;

	if (!r->size || r->gpa + r->size < r->gpa ||
	    r->uva + r->size < r->uva || r->offset + r->size < r->offset ||
	    r->offset + r->size > SIZE_MAX)
		return vu_bad("region of 0x%llx bytes at 0x%llx (offset "
			      "0x%llx) wraps", (unsigned long long)r->size,
			      (unsigned long long)r->gpa,
			      (unsigned long long)r->offset);

	/* Past the end of the file, a mapping would fault (SIGBUS) */
	/* #syscalls:passt fstat newfstatat fstatat64 */
	if (fstat(fd, &st) || (uint64_t)st.st_size < r->offset + r->size)
		return vu_bad("region of 0x%llx bytes at offset 0x%llx "
			      "beyond its file", (unsigned long long)r->size,
			      (unsigned long long)r->offset);

	/* #syscalls:passt mmap mmap2 */
	p = mmap(NULL, r->offset + r->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED)
		return vu_bad("can't map region of 0x%llx bytes: %s",
			      (unsigned long long)r->size, strerror(errno));
	*map = p;
	*len = r->offset + r->size;
	return NULL;
}

/**
 * vu_set_mem_table() - SET_MEM_TABLE: map the guest's memory
 * @h:		Header
 * @p:		Payload
 * @fds:	Descriptors, one per region, closed by the caller
 * @nfds:	Number of descriptors
 *
 * The new table replaces the old one only once all of it is mapped, and
 * the rings are mapped again through it.
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_set_mem_table(const struct vu_hdr *h, const uint8_t *p,
				    const int *fds, unsigned nfds)
{
	void *map[VIRTIO_MEM_REGIONS] = { 0 };
	size_t len[VIRTIO_MEM_REGIONS] = { 0 };
	struct virtio_mem mem = { 0 };
	const char *why = NULL;
	uint32_t n, i;

	if (h->size < 8)
		return vu_bad("memory table of %u bytes", h->size);
	memcpy(&n, p, sizeof(n));
	if (!n || n > VIRTIO_MEM_REGIONS || n != nfds ||
	    h->size < 8 + n * sizeof(struct vu_region_msg) ||
	    h->size > 8 + VIRTIO_MEM_REGIONS * sizeof(struct vu_region_msg))
		return vu_bad("memory table of %u regions, %u descriptors, "
			      "%u bytes", n, nfds, h->size);

	for (i = 0; i < n; i++) {
		struct vu_region_msg r;

		memcpy(&r, p + 8 + i * sizeof(r), sizeof(r));
		if ((why = vu_region_map(&r, fds[i], &map[i], &len[i])))
			break;
		mem.r[i].gpa = r.gpa;
		mem.r[i].size = r.size;
		mem.r[i].uva = r.uva;
		mem.r[i].host = (uint8_t *)map[i] + r.offset;
	}
	if (why) {
		vu_mem_unmap(map, len, n);
		return why;
	}

	mem.n = n;
	vu_mem_unmap(vu.map, vu.map_len, vu.mem.n);
	memcpy(vu.map, map, sizeof(map));
	memcpy(vu.map_len, len, sizeof(len));
	vu.mem = mem;

	for (i = 0; i < VHOST_USER_QUEUES; i++) {
		if ((why = vu_queue_map(&vu.q[i])))
			return why;
	}
	return NULL;
}

/**
 * vu_get_u64() - The payload of a request that carries a 64-bit number
 * @h:		Header
 * @p:		Payload
 * @v:		Number, set on success
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_get_u64(const struct vu_hdr *h, const uint8_t *p,
			      uint64_t *v)
{
	if (h->size != sizeof(*v))
		return vu_bad("payload of %u bytes, not 8", h->size);
	memcpy(v, p, sizeof(*v));
	return NULL;
}

/**
 * vu_get_state() - The payload of a request about one queue's state
 * @h:		Header
 * @p:		Payload: 32-bit queue index, then 32-bit number
 * @num:	Number, set on success
 * @why:	Reason, set on failure
 *
 * Return: the queue, NULL on failure
 */
static struct vu_queue *vu_get_state(const struct vu_hdr *h,
				     const uint8_t *p, uint32_t *num,
				     const char **why)
{
	uint32_t s[2];

	if (h->size != sizeof(s)) {
		*why = vu_bad("queue state of %u bytes, not 8", h->size);
		return NULL;
	}
	memcpy(s, p, sizeof(s));
	if (s[0] >= VHOST_USER_QUEUES) {
		*why = vu_bad("queue index %u, we have %u", s[0],
			      VHOST_USER_QUEUES);
		return NULL;
	}
	*num = s[1];
	return &vu.q[s[0]];
}

/**
 * vu_reply() - Send a reply
 * @fd:		Socket
 * @request:	Request answered
 * @p:		Payload
 * @len:	Its length
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_reply(int fd, uint32_t request, const void *p,
			    uint32_t len)
{
	struct vu_hdr h = { request, VU_VERSION | VU_FLAG_REPLY, len };
	struct iovec iov[2] = { { &h, sizeof(h) },
				{ (void *)(uintptr_t)p, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	/* #syscalls:passt sendmsg */
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n != (ssize_t)(sizeof(h) + len))
		return vu_bad("reply not sent: %s",
			      n < 0 ? strerror(errno) : "short write");
	return NULL;
}

/**
 * vu_vring_fd() - SET_VRING_KICK, _CALL, _ERR: the queue and descriptor
 * @h:		Header
 * @p:		Payload
 * @fds:	Descriptors of the message; the one taken is set to -1
 * @nfds:	Number of descriptors
 * @fd:		Descriptor taken, or -1 if the frontend gave none, on success
 * @why:	Reason, set on failure
 *
 * Return: the queue, NULL on failure
 */
static struct vu_queue *vu_vring_fd(const struct vu_hdr *h, const uint8_t *p,
				    int *fds, unsigned nfds, int *fd,
				    const char **why)
{
	uint64_t v = 0;

	if ((*why = vu_get_u64(h, p, &v)))
		return NULL;
	if (v & ~(VU_VRING_IDX_MASK | VU_VRING_NOFD))
		*why = vu_bad("unknown bits in 0x%llx", (unsigned long long)v);
	else if ((v & VU_VRING_IDX_MASK) >= VHOST_USER_QUEUES)
		*why = vu_bad("queue index %llu, we have %u",
			      (unsigned long long)(v & VU_VRING_IDX_MASK),
			      VHOST_USER_QUEUES);
	else if (nfds != ((v & VU_VRING_NOFD) ? 0U : 1U))
		*why = vu_bad("%u descriptors, expected %u", nfds,
			      (v & VU_VRING_NOFD) ? 0U : 1U);
	if (*why)
		return NULL;
	*fd = -1;
	if (nfds) {
		*fd = fds[0];
		fds[0] = -1;
	}
	return &vu.q[v & VU_VRING_IDX_MASK];
}

/**
 * vu_set_kick() - SET_VRING_KICK: the queue starts
 * @c:		Execution context
 * @q:		Queue
 * @fd:		Kick eventfd, taken
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_set_kick(struct ctx *c, struct vu_queue *q, int fd)
{
	uint64_t one = 1;

	vu_kick_stop(c, q);
	q->kick = fd;
	if (fd < 0)
		return vu_bad("queue %td: no kick descriptor (polling), not "
			      "supported", q - vu.q);
	if (!q->vq.size)
		return vu_bad("queue %td: kick before memory table and ring "
			      "addresses", q - vu.q);
	if (!(vu.features & VU_F_VERSION_1))
		return vu_bad("queue %td: guest driver without VERSION_1 "
			      "(legacy virtio), not supported", q - vu.q);
	if (fd > EPOLL_REF_FD_MAX ||
	    epoll_add(c->epollfd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_VHOST_KICK, fd,
				     (uint32_t)(q - vu.q)))) {
		close(fd);
		q->kick = -1;
		return vu_bad("queue %td: can't watch kick descriptor %d",
			      q - vu.q, fd);
	}
	q->started = true;
	if (!(vu.features & VU_F_PROTOCOL_FEATURES))
		q->enabled = true;

	/* Whatever the guest queued before: as if it had kicked */
	/* #syscalls:passt write */
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		debug_perror("vhost-user: kick queue %td", q - vu.q);
	return NULL;
}

/**
 * vu_msg_vring() - Handle the requests about one queue
 * @c:		Execution context
 * @h:		Header
 * @p:		Payload
 * @fds:	Descriptors; those taken are set to -1
 * @nfds:	Number of descriptors
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_msg_vring(struct ctx *c, const struct vu_hdr *h,
				const uint8_t *p, int *fds, unsigned nfds)
{
	uint32_t num[2] = { 0 };
	const char *why = NULL;
	struct vu_queue *q;
	struct vu_addr_msg a;
	int fd = -1;

	switch (h->request) {
	case VU_SET_VRING_NUM:
		if (!(q = vu_get_state(h, p, &num[1], &why)))
			return why;
		if (!num[1] || num[1] > VIRTQ_SIZE_MAX ||
		    (num[1] & (num[1] - 1)))
			return vu_bad("queue size %u: not a power of two up to "
				      "%u", num[1], VIRTQ_SIZE_MAX);
		if (q->started)
			return vu_bad("queue size changed while running");
		q->num = num[1];
		return NULL;
	case VU_SET_VRING_ADDR:
		if (h->size != sizeof(a))
			return vu_bad("ring addresses of %u bytes, not %zu",
				      h->size, sizeof(a));
		memcpy(&a, p, sizeof(a));
		if (a.index >= VHOST_USER_QUEUES)
			return vu_bad("queue index %u, we have %u", a.index,
				      VHOST_USER_QUEUES);
		q = &vu.q[a.index];
		q->desc = a.desc;
		q->used = a.used;
		q->avail = a.avail;
		q->addr_set = true;
		return vu_queue_map(q);
	case VU_SET_VRING_BASE:
		if (!(q = vu_get_state(h, p, &num[1], &why)))
			return why;
		if (num[1] > UINT16_MAX)
			return vu_bad("ring base %u beyond 16 bits", num[1]);
		q->vq.last_avail = (uint16_t)num[1];
		q->vq.nstash = 0;
		if (q == &vu.q[VHOST_USER_TX])
			vu_holds_forget();	/* a new life for the ring */
		return NULL;
	case VU_GET_VRING_BASE:
		if (!(q = vu_get_state(h, p, &num[1], &why)))
			return why;
		q->started = false;
		vu_kick_stop(c, q);
		if (q == &vu.q[VHOST_USER_TX])
			vu_holds_forget();
		num[0] = (uint32_t)(q - vu.q);
		num[1] = q->vq.last_avail;
		return vu_reply(c->fd_tap, h->request, num, sizeof(num));
	case VU_SET_VRING_ENABLE:
		if (!(q = vu_get_state(h, p, &num[1], &why)))
			return why;
		if (num[1] > 1)
			return vu_bad("enable value %u", num[1]);
		q->enabled = num[1];
		return NULL;
	case VU_SET_VRING_KICK:
		if (!(q = vu_vring_fd(h, p, fds, nfds, &fd, &why)))
			return why;
		return vu_set_kick(c, q, fd);
	case VU_SET_VRING_CALL:
		if (!(q = vu_vring_fd(h, p, fds, nfds, &fd, &why)))
			return why;
		if (q->call >= 0)
			close(q->call);
		q->call = fd;
		return NULL;
	case VU_SET_VRING_ERR:
		/* We never report errors on it */
		if (!vu_vring_fd(h, p, fds, nfds, &fd, &why))
			return why;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return vu_unsupported;
}

/**
 * vu_msg() - Handle one message
 * @c:		Execution context
 * @h:		Header, checked
 * @p:		Payload, h->size bytes
 * @fds:	Descriptors; those taken are set to -1
 * @nfds:	Number of descriptors
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_msg(struct ctx *c, const struct vu_hdr *h,
			  const uint8_t *p, int *fds, unsigned nfds)
{
	const char *why;
	uint64_t v = 0;

	switch (h->request) {
	case VU_GET_FEATURES:
		v = VU_FEATURES;
		return vu_reply(c->fd_tap, h->request, &v, sizeof(v));
	case VU_GET_PROTOCOL_FEATURES:
		v = VU_PROTOCOL_FEATURES;
		return vu_reply(c->fd_tap, h->request, &v, sizeof(v));
	case VU_GET_QUEUE_NUM:
		v = VHOST_USER_QUEUES / 2;	/* queue pairs */
		return vu_reply(c->fd_tap, h->request, &v, sizeof(v));
	case VU_SET_FEATURES:
		if ((why = vu_get_u64(h, p, &v)))
			return why;
		if (v & ~VU_FEATURES)
			return vu_bad("features 0x%llx, we offered 0x%llx",
				      (unsigned long long)v, VU_FEATURES);
		vu.features = v;
		debug("vhost-user: features 0x%llx of 0x%llx",
		      (unsigned long long)v, VU_FEATURES);
		return NULL;
	case VU_SET_PROTOCOL_FEATURES:
		if ((why = vu_get_u64(h, p, &v)))
			return why;
		if (v & ~VU_PROTOCOL_FEATURES)
			return vu_bad("protocol features 0x%llx, we offered "
				      "0x%llx", (unsigned long long)v,
				      VU_PROTOCOL_FEATURES);
		vu.protocol = v;
		return NULL;
	case VU_SET_OWNER:
		return NULL;
	case VU_RESET_OWNER:
		vu_dev_reset(c);
		return NULL;
	case VU_SET_MEM_TABLE:
		return vu_set_mem_table(h, p, fds, nfds);
	case VU_SET_LOG_BASE:
	case VU_SET_LOG_FD:
		return vu_bad("dirty page logging (migration) not implemented");
	}
	return vu_msg_vring(c, h, p, fds, nfds);
}

/**
 * vu_take_fds() - Collect the descriptors a message came with
 * @mh:		Message header of recvmsg()
 * @fds:	Descriptors, VHOST_USER_FDS_MAX at most
 * @nfds:	Number of descriptors, updated
 */
static void vu_take_fds(struct msghdr *mh, int *fds, unsigned *nfds)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n, i;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n && *nfds < VHOST_USER_FDS_MAX; i++)
			memcpy(&fds[(*nfds)++],
			       CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
}

/**
 * vu_recv() - Receive one message
 * @fd:		Socket
 * @h:		Header, set on success
 * @p:		Payload, VHOST_USER_PAYLOAD_MAX bytes
 * @fds:	Descriptors received, even on failure: the caller closes them
 * @nfds:	Number of descriptors, set
 * @why:	Reason, set on failure
 *
 * Return: 1 on success, 0 at the end of the stream, -1 on failure
 */
static int vu_recv(int fd, struct vu_hdr *h, uint8_t *p, int *fds,
		   unsigned *nfds, const char **why)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { h, sizeof(*h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	*nfds = 0;
	/* #syscalls:passt recvmsg */
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n > 0)
		vu_take_fds(&mh, fds, nfds);
	if (n == 0)
		return 0;
	if (n < 0 || (size_t)n < sizeof(*h)) {
		*why = vu_bad("incomplete header: %s",
			      n < 0 ? strerror(errno) : "cut short");
		return -1;
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		*why = vu_bad("more than %u descriptors with one message",
			      VHOST_USER_FDS_MAX);
		return -1;
	}
	if ((h->flags & VU_FLAG_VERSION_MASK) != VU_VERSION ||
	    (h->flags & VU_FLAG_REPLY)) {
		*why = vu_bad("request %u with flags 0x%x: not a version 1 "
			      "request", h->request, h->flags);
		return -1;
	}
	if (h->size > VHOST_USER_PAYLOAD_MAX) {
		*why = vu_bad("request %u with a payload of %u bytes, more "
			      "than %u", h->request, h->size,
			      VHOST_USER_PAYLOAD_MAX);
		return -1;
	}
	if (!h->size)
		return 1;
	/* #syscalls:passt recvfrom recv */
	n = recv(fd, p, h->size, MSG_WAITALL);
	if (n != (ssize_t)h->size) {
		*why = vu_bad("request %u: payload of %zd bytes, header says "
			      "%u", h->request, n < 0 ? 0 : n, h->size);
		return -1;
	}
	return 1;
}

/**
 * vu_ack_wanted() - Does the frontend wait for a reply to this request?
 * @h:		Header of the request
 *
 * Return: true if REPLY_ACK is negotiated and the request asks for it
 */
static bool vu_ack_wanted(const struct vu_hdr *h)
{
	return (vu.protocol & VU_PROTOCOL_F_REPLY_ACK) &&
	       (h->flags & VU_FLAG_NEED_REPLY);
}

/**
 * vu_ack() - Answer a request that asked for it (REPLY_ACK)
 * @c:		Execution context
 * @h:		Header of the request
 * @ok:		It succeeded
 *
 * Return: NULL on success, or the reason
 */
static const char *vu_ack(const struct ctx *c, const struct vu_hdr *h,
			  bool ok)
{
	uint64_t v = ok ? 0 : 1;

	if (!vu_ack_wanted(h))
		return NULL;
	switch (h->request) {
	case VU_GET_FEATURES:
	case VU_GET_PROTOCOL_FEATURES:
	case VU_GET_QUEUE_NUM:
	case VU_GET_VRING_BASE:
		return NULL;	/* answered already */
	}
	return vu_reply(c->fd_tap, h->request, &v, sizeof(v));
}

/**
 * vhost_user_handler() - A message from the frontend, or its departure
 * @c:		Execution context
 * @events:	Epoll events
 */
void vhost_user_handler(struct ctx *c, uint32_t events)
{
	static uint8_t payload[VHOST_USER_PAYLOAD_MAX];
	int fds[VHOST_USER_FDS_MAX];
	const char *why = NULL;
	unsigned nfds = 0, i;
	struct vu_hdr h = { 0 };
	int ret;

	if (!(events & EPOLLIN)) {
		if (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR))
			vhost_user_close(c, "frontend closed the connection");
		return;
	}

	ret = vu_recv(c->fd_tap, &h, payload, fds, &nfds, &why);
	if (ret > 0) {
		why = vu_msg(c, &h, payload, fds, nfds);
		if (why == vu_unsupported && vu_ack_wanted(&h)) {
			/* A newer frontend's request, asking for an answer:
			 * say no, and go on
			 */
			warn_ratelimit("vhost-user: request %u not supported, "
				       "refused", h.request);
			why = vu_ack(c, &h, false);
		} else if (why) {
			vu_ack(c, &h, false);
		} else {
			why = vu_ack(c, &h, true);
		}
	}
	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}

	if (!ret) {
		vhost_user_close(c, "frontend closed the connection");
	} else if (why && ret > 0) {
		warn("vhost-user: request %u refused, closing the connection: "
		     "%s", h.request, why);
		vhost_user_close(c, "bad vhost-user message");
	} else if (why) {
		warn("vhost-user: closing the connection: %s", why);
		vhost_user_close(c, "bad vhost-user message");
	}
}

/**
 * vhost_user_close() - Forget the frontend and its guest, then wait for
 *			the next one (or quit: --one-off)
 * @c:		Execution context
 * @why:	What happened, for the log
 */
void vhost_user_close(struct ctx *c, const char *why)
{
	if (vu_in_tx) {
		/* Frames of the batch point into guest memory: later */
		vu_close_later = why;
		return;
	}
	vu_dev_reset(c);
	tap_disconnect(c, why);
}

/**
 * vhost_user_accept() - A frontend connected: expect messages from it
 * @c:		Execution context
 * @fd:		Connected socket, set as c->fd_tap
 */
void vhost_user_accept(struct ctx *c, int fd)
{
	struct timeval tv = { .tv_sec = VU_TIMEOUT_US / 1000000,
			      .tv_usec = VU_TIMEOUT_US % 1000000 };
	int flags;

	vu_dev_reset(c);
	c->fd_tap = fd;

	/* #syscalls:passt fcntl setsockopt */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		warn_perror("vhost-user: can't set up the connection");
		tap_disconnect(c, "socket set-up failed");
		return;
	}
	if (epoll_add(c->epollfd, EPOLLIN | EPOLLRDHUP,
		      epoll_ref_make(EPOLL_TYPE_VHOST_CMD, fd, 0))) {
		warn_perror("vhost-user: epoll_ctl");
		tap_disconnect(c, "epoll_ctl failed");
		return;
	}
	info("vhost-user frontend connected");
}

/**
 * vhost_user_ready() - Can frames go to the guest?
 *
 * Return: true if the receive queue runs, with memory and rings mapped
 */
bool vhost_user_ready(void)
{
	const struct vu_queue *q = &vu.q[VHOST_USER_RX];

	return vu.mem.n && q->vq.size && q->started && q->enabled &&
	       !vu_close_later;
}

/**
 * vu_notify() - Signal the guest about used chains, if it wants that now
 * @q:		Queue, flushed
 */
static void vu_notify(struct vu_queue *q)
{
	uint64_t one = 1;

	if (q->call < 0 || !virtq_should_notify(&q->vq))
		return;
	/* #syscalls:passt write */
	if (write(q->call, &one, sizeof(one)) != sizeof(one))
		debug_perror("vhost-user: call queue %td", q - vu.q);
}

/**
 * vu_hold_release() - Return a batch's held chains to the guest, free it
 * @h:		Batch, its batch done and no send holding it any more
 */
static void vu_hold_release(struct vu_hold *h)
{
	struct vu_queue *q = &vu.q[VHOST_USER_TX];

	if (!h->gone && h->nheld) {
		unsigned i;

		for (i = 0; i < h->n; i++)
			if (h->held[i])
				virtq_push(&q->vq, h->head[i], 0);
		virtq_flush(&q->vq);
		vu_notify(q);
		stats_add(STAT_VU_TX_RELEASED, h->nheld);
		vu_held -= h->nheld;
	}
	h->taken = false;
}

/**
 * vhost_user_tx_unpin() - A send holding chains completed
 * @c:		Execution context
 * @batch:	As vhost_user_tx_pin() returned it
 *
 * The chains of a batch go back together, when the last send holding any
 * of them completes: sends of one batch go out at once, their completions
 * come close together. The used ring takes them in any order (we don't
 * offer VIRTIO_F_IN_ORDER).
 */
void vhost_user_tx_unpin(struct ctx *c, unsigned batch)
{
	struct vu_hold *h;

	(void)c;
	ASSERT(batch < VU_HOLDS);
	h = &vu_holds[batch];
	ASSERT(h->taken && h->pins);
	if (--h->pins || h->open)
		return;
	vu_hold_release(h);
}

/**
 * vu_ring_bad() - The guest broke a ring: say so, end the connection
 * @c:		Execution context
 * @q:		Queue
 * @why:	What is wrong
 */
static void vu_ring_bad(struct ctx *c, const struct vu_queue *q,
			const char *why)
{
	warn("vhost-user: guest broke its %s queue, closing the connection: "
	     "%s", q == &vu.q[VHOST_USER_RX] ? "receive" : "transmit", why);
	vhost_user_close(c, "malformed virtqueue");
}

/**
 * vhost_user_send() - Copy frames into the guest's receive buffers
 * @c:			Execution context
 * @iov:		Frames, @bufs_per_frame entries each, from Ethernet
 * @bufs_per_frame:	Entries per frame
 * @nframes:		Number of frames
 * @gso:		Segment size of super-frames (virtio_net_gso()), 0 for
 *			none: only where the guest takes them
 *
 * A frame that fits no buffer (without mergeable buffers) is dropped and
 * counted, and counts as taken.
 *
 * Return: number of frames taken; fewer if the guest gave too few buffers
 *	   (a kick on the receive queue tells when it gives more)
 */
size_t vhost_user_send(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes, uint16_t gso)
{
	struct vu_queue *q = &vu.q[VHOST_USER_RX];
	bool mrg = !!(vu.features & VU_F_MRG_RXBUF), retried = false;
	bool csum = vhost_user_guest_csum();
	const char *why = NULL;
	size_t i = 0, j;

	if (!vhost_user_ready())
		return 0;
	while (i < nframes) {
		const struct iovec *f = &iov[i * bufs_per_frame];
		struct virtio_net_hdr vh;
		unsigned segs = 0;
		enum virtq_ret r;

		if (csum) {
			virtio_net_csum(f, &vh);
			segs = virtio_net_gso(f, bufs_per_frame, gso, &vh);
		}
		r = virtio_net_rx(&vu.mem, &q->vq, mrg, csum ? &vh : NULL, f,
				  bufs_per_frame, &why);
		if (r == VIRTQ_BAD) {
			vu_ring_bad(c, q, why);
			return i;
		}
		if (r == VIRTQ_EMPTY) {
			/* Ask for a kick, and look once more: buffers given
			 * just before would bring none
			 */
			virtq_enable_kicks(&q->vq);
			if (retried || !virtq_avail_pending(&q->vq))
				break;
			retried = true;
			continue;
		}
		if (r == VIRTQ_DROP)
			stats_inc(STAT_TAP_DROP_VQ);
		if (r == VIRTQ_OK && segs) {
			stats_inc(STAT_TAP_GSO_OUT);
			stats_add(STAT_TAP_GSO_SEGS_OUT, segs);
		}
		for (j = 0; r == VIRTQ_OK && j < bufs_per_frame; j++) {
			stats_add(STAT_TAP_BYTES_COPIED_IN, f[j].iov_len);
			stats_add(STAT_TAP_BYTES_OUT, f[j].iov_len);
		}
		i++;
	}
	virtq_flush(&q->vq);
	vu_notify(q);
	return i;
}

/**
 * vhost_user_guest_csum() - Does the guest take partial checksums?
 *
 * Return: true if it negotiated VIRTIO_NET_F_GUEST_CSUM
 */
bool vhost_user_guest_csum(void)
{
	return !!(vu.features & VU_F_GUEST_CSUM);
}

/**
 * vu_guest_gso() - Does the guest take super-frames of a kind?
 * @kind:	Both feature bits of the kind: VU_F_GUEST_TSO or VU_F_GUEST_USO
 *
 * Only over mergeable buffers (a frame of 64 KiB then spans as many as it
 * takes), and with partial checksums, which super-frames carry.
 *
 * Return: true if the guest negotiated both families of @kind, GUEST_CSUM
 *	   and MRG_RXBUF
 */
static bool vu_guest_gso(uint64_t kind)
{
	uint64_t need = kind | VU_F_GUEST_CSUM | VU_F_MRG_RXBUF;

	return vhost_user_ready() && (vu.features & need) == need;
}

/**
 * vhost_user_guest_tso() - Does the guest take TCP super-frames?
 *
 * Return: true if it negotiated GUEST_TSO4 and GUEST_TSO6 (vu_guest_gso())
 */
bool vhost_user_guest_tso(void)
{
	return vu_guest_gso(VU_F_GUEST_TSO);
}

/**
 * vhost_user_guest_uso() - Does the guest take UDP trains as one frame?
 *
 * Return: true if it negotiated GUEST_USO4 and GUEST_USO6 (vu_guest_gso())
 */
bool vhost_user_guest_uso(void)
{
	return vu_guest_gso(VU_F_GUEST_USO);
}

/**
 * vhost_user_lend() - Lend receive buffers, for frames filled in place
 * @c:		Execution context
 * @pre:	Bytes in front of each frame's room: the virtio-net header
 *		and the frame's headers
 * @plen:	Payload each frame holds, 0: whatever one buffer holds
 * @n:		Frames wanted
 * @rooms:	Rooms of the frames lent, set
 * @empty:	Set if the guest gave no buffers at all (a kick will say
 *		when it does)
 *
 * Return: frames lent, to be settled by vhost_user_lend_done(); none also
 *	   if the buffers are of a shape we don't lend (then the copying
 *	   path takes them)
 */
size_t vhost_user_lend(struct ctx *c, size_t pre, size_t plen, size_t n,
		       struct pkt_room *rooms, bool *empty)
{
	struct vu_queue *q = &vu.q[VHOST_USER_RX];
	bool mrg = !!(vu.features & VU_F_MRG_RXBUF);
	const char *why = NULL;
	unsigned tries;
	size_t lent = 0;

	*empty = true;
	if (!vhost_user_ready())
		return 0;
	for (tries = 0; tries < 2; tries++) {
		if (virtio_net_lend(&vu.mem, &q->vq, mrg, pre, plen, n, rooms,
				    &lent, &why) == VIRTQ_BAD) {
			vu_ring_bad(c, q, why);
			return 0;
		}
		*empty = false;
		if (lent)
			return lent;
		/* As in vhost_user_send(): ask for a kick, look again */
		virtq_enable_kicks(&q->vq);
		if (!virtq_avail_pending(&q->vq)) {
			*empty = true;
			return 0;
		}
	}
	return 0;
}

/**
 * vhost_user_lend_done() - Send the lent frames filled, give back the rest
 * @c:		Execution context
 * @out:	What was written into each, in the order lent
 * @n:		Entries of @out: frames lent beyond are unused
 *
 * Return: frames sent
 */
size_t vhost_user_lend_done(struct ctx *c, const struct virtio_net_out *out,
			    size_t n)
{
	struct vu_queue *q = &vu.q[VHOST_USER_RX];
	size_t sent = 0, copied = 0;
	const char *why = NULL;

	if (virtio_net_lend_done(&vu.mem, &q->vq, out, n, &sent, &copied,
				 &why) == VIRTQ_BAD) {
		vu_ring_bad(c, q, why);
		return 0;
	}
	stats_add(STAT_TAP_BYTES_COPIED_IN, copied);
	virtq_flush(&q->vq);
	vu_notify(q);
	return sent;
}

/**
 * struct vu_tx_src - Where the bytes of a frame we copied lie in guest memory
 * @copy:	Our copy, NULL if the frame wasn't copied (or can't be mapped)
 * @len:	Its length
 * @first:	Its first piece in vu_tx_segs
 * @n:		Number of pieces
 */
struct vu_tx_src {
	const uint8_t *copy;
	size_t len;
	unsigned first;
	unsigned n;
};

/* Pieces of the scattered frames of a batch, by chain: a zero-copy send
 * of their bytes takes them from there, not from our copy
 */
#define VU_TX_SEGS		(TAP_BATCH_MAX * 4)
static struct vu_tx_src vu_tx_src[TAP_BATCH_MAX];
static struct iovec vu_tx_segs[VU_TX_SEGS];
static unsigned vu_tx_nsegs;

/**
 * vu_tx_src_note() - Note where a scattered frame we copy lies
 * @buf:	The chain's @buf for views, TAP_BUF_NONE if it can't be held
 * @copy:	Our copy of the frame
 * @e:		Chain
 * @i:		First piece of the frame in @e
 * @skip:	Bytes of that piece before the frame
 * @len:	Length of the frame
 *
 * Return: @buf for the copy's view, TAP_BUF_NONE if no room to note it
 */
static uint16_t vu_tx_src_note(uint16_t buf, const uint8_t *copy,
			       const struct virtq_elem *e, unsigned i,
			       size_t skip, size_t len)
{
	struct vu_tx_src *src;

	if (buf == TAP_BUF_NONE || e->n - i > VU_TX_SEGS - vu_tx_nsegs)
		return TAP_BUF_NONE;
	src = &vu_tx_src[buf & ((1U << TAP_BUF_CHAIN_BITS) - 1)];
	src->copy = copy;
	src->len = len;
	src->first = vu_tx_nsegs;
	src->n = e->n - i;
	for (; i < e->n; i++, skip = 0) {
		vu_tx_segs[vu_tx_nsegs].iov_base =
			(uint8_t *)e->iov[i].iov_base + skip;
		vu_tx_segs[vu_tx_nsegs++].iov_len = e->iov[i].iov_len - skip;
	}
	return buf;
}

/**
 * vhost_user_tx_iov() - Where the bytes of a view lie in guest memory
 * @p:		View with a @buf of TAP_BUF_CHAIN
 * @iov:	Pieces, set
 * @bufs:	@buf of each piece, set: TAP_BUF_NONE if they can't be held
 * @max:	Room in @iov and @bufs, at least one
 *
 * A frame in one piece is a view of guest memory already; one we copied
 * to parse it is mapped back to its pieces in guest memory, if they fit:
 * otherwise, the view of our copy, which can't be held.
 *
 * Return: number of pieces
 */
size_t vhost_user_tx_iov(const struct pkt *p, struct iovec *iov,
			 uint16_t *bufs, size_t max)
{
	const struct vu_hold *h = vu_hold_of(p->buf);
	const struct vu_tx_src *src;
	size_t off, left = p->len, n = 0;
	unsigned k;

	iov[0].iov_base = (void *)(uintptr_t)p->data;
	iov[0].iov_len = p->len;
	bufs[0] = p->buf;
	k = p->buf & ((1U << TAP_BUF_CHAIN_BITS) - 1);
	if (!h || k >= h->n) {
		bufs[0] = TAP_BUF_NONE;
		return 1;
	}
	src = &vu_tx_src[k];
	if (!src->copy)
		return 1;	/* in guest memory, where the frame lies */
	bufs[0] = TAP_BUF_NONE;
	if (p->data < src->copy || p->len > src->len ||
	    (size_t)(p->data - src->copy) > src->len - p->len)
		return 1;
	off = (size_t)(p->data - src->copy);
	for (k = src->first; k < src->first + src->n && left; k++) {
		const struct iovec *g = &vu_tx_segs[k];
		size_t take;

		if (off >= g->iov_len) {
			off -= g->iov_len;
			continue;
		}
		if (n == max)
			break;		/* too many pieces: our copy */
		take = MIN(g->iov_len - off, left);
		iov[n].iov_base = (uint8_t *)g->iov_base + off;
		iov[n].iov_len = take;
		bufs[n++] = p->buf;
		left -= take;
		off = 0;
	}
	if (left) {
		iov[0].iov_base = (void *)(uintptr_t)p->data;
		iov[0].iov_len = p->len;
		bufs[0] = TAP_BUF_NONE;
		return 1;
	}
	return n;
}

/**
 * vu_tx_frame() - The frame of a transmit chain, after its virtio-net header
 * @e:		Chain
 * @buf:	The view's @buf if it lies in the chain, in one piece
 * @copy:	Where to copy a frame that is scattered, TAP_FRAME_MAX bytes
 * @copied:	Bytes of @copy used, updated
 * @f:		View of the frame, set on success
 *
 * Return: false if the chain holds no frame we can take (the drop counted)
 */
static bool vu_tx_frame(const struct virtq_elem *e, uint16_t buf,
			uint8_t *copy, size_t *copied, struct pkt *f)
{
	size_t skip = VIRTIO_NET_HDR_LEN, len, o = 0, skip0;
	struct virtio_net_hdr vh;
	uint8_t *h = (uint8_t *)&vh;
	unsigned i, first;

	if (e->len < VIRTIO_NET_HDR_LEN + ETH_HLEN_ ||
	    e->len - VIRTIO_NET_HDR_LEN > TAP_FRAME_MAX) {
		stats_inc(STAT_TAP_DROP_VQ);
		return false;
	}
	len = e->len - VIRTIO_NET_HDR_LEN;
	/* The header, which may itself be scattered */
	for (i = 0; skip >= e->iov[i].iov_len; i++) {
		if (o < sizeof(vh)) {
			size_t n = MIN(sizeof(vh) - o, e->iov[i].iov_len);

			memcpy(h + o, e->iov[i].iov_base, n);
			o += n;
		}
		skip -= e->iov[i].iov_len;
	}
	if (o < sizeof(vh))
		memcpy(h + o, e->iov[i].iov_base, sizeof(vh) - o);
	o = 0;

	/* Where it lies, if it's in one piece: the usual case */
	if (e->iov[i].iov_len - skip >= len) {
		*f = pkt_init((uint8_t *)e->iov[i].iov_base + skip, len, buf);
		return tap_vnet_in(&vh, f);
	}
	first = i;
	skip0 = skip;
	for (; i < e->n; i++, skip = 0) {
		size_t n = e->iov[i].iov_len - skip;

		memcpy(copy + *copied + o, (uint8_t *)e->iov[i].iov_base + skip,
		       n);
		o += n;
	}
	*f = pkt_init(copy + *copied, len,
		      vu_tx_src_note(buf, copy + *copied, e, first, skip0, len));
	*copied += len;
	return tap_vnet_in(&vh, f);
}

/* Transmit batches: frames, the chains they came in, scattered ones' copy */
#define VU_TX_COPY_SIZE		(1UL << 20)
#define VU_TX_BATCHES		8	/* per kick, then we kick ourselves */
static uint8_t vu_tx_copy[VU_TX_COPY_SIZE];
static struct pkt vu_tx_frames[TAP_BATCH_MAX];
static uint16_t vu_tx_heads[TAP_BATCH_MAX];

/**
 * vu_hold_open() - A transmit batch starts: a place to hold its chains
 *
 * Return: the batch's place, NULL if all are taken (then it's copied)
 */
static struct vu_hold *vu_hold_open(void)
{
	unsigned b;

	for (b = 0; b < VU_HOLDS; b++) {
		struct vu_hold *h = &vu_holds[b];

		if (h->taken)
			continue;
		h->taken = h->open = true;
		h->gone = false;
		h->pins = 0;
		h->n = h->nheld = 0;
		return h;
	}
	stats_inc(STAT_VU_TX_UNHELD);
	return NULL;
}

/**
 * vu_tx_return() - Return a batch's chains, but those zero-copy sends hold
 * @q:		Transmit queue
 * @h:		Its place, NULL if it had none
 * @heads:	Heads of its chains
 * @nh:		Number of chains
 */
static void vu_tx_return(struct vu_queue *q, struct vu_hold *h,
			 const uint16_t *heads, size_t nh)
{
	bool keep = h && h->pins && !h->gone;
	size_t i;

	for (i = 0; i < nh; i++)
		if (!keep || !h->held[i])
			virtq_push(&q->vq, heads[i], 0);
	virtq_flush(&q->vq);
	vu_notify(q);
	if (!h || h->gone)
		return;
	h->open = false;
	if (keep) {
		stats_add(STAT_VU_TX_HELD, h->nheld);
		return;
	}
	vu_held -= h->nheld;	/* all sends completed already */
	h->taken = false;
}

/**
 * vu_tx_batch() - Take a batch of frames from the transmit queue, hand
 *		   them to tap.c, give the chains back (those a zero-copy
 *		   send holds, once it completes)
 * @c:		Execution context
 * @q:		Transmit queue
 * @now:	Current time
 *
 * Return: false if the ring is malformed (and the connection closed)
 */
static bool vu_tx_batch(struct ctx *c, struct vu_queue *q,
			const struct timespec *now)
{
	struct vu_hold *h = vu_hold_open();
	uint16_t *heads = h ? h->head : vu_tx_heads;
	size_t n = 0, nh = 0, copied = 0;
	static struct virtq_elem e;
	const char *why = NULL;

	vu_tx_nsegs = 0;
	while (nh < TAP_BATCH_MAX &&
	       copied + TAP_FRAME_MAX <= sizeof(vu_tx_copy)) {
		enum virtq_ret r = virtq_pop(&vu.mem, &q->vq, false, &e, &why);
		uint16_t buf = TAP_BUF_NONE;

		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BAD) {
			/* The reset forgets the batch */
			vu_ring_bad(c, q, why);
			return false;
		}
		if (h) {
			buf = (uint16_t)(TAP_BUF_CHAIN +
					 ((unsigned)(h - vu_holds) <<
					  TAP_BUF_CHAIN_BITS) + nh);
			h->held[nh] = false;
			h->n = (uint16_t)(nh + 1);
		}
		vu_tx_src[nh].copy = NULL;
		heads[nh++] = e.head;
		/* Each drop counted once: here, in vu_tx_frame(), or by
		 * tap_vnet_in() (a kind of super-frame we don't know)
		 */
		if (r == VIRTQ_DROP)
			stats_inc(STAT_TAP_DROP_VQ);
		else if (vu_tx_frame(&e, buf, vu_tx_copy, &copied,
				     &vu_tx_frames[n]))
			n++;
	}

	if (n) {
		vu_in_tx = true;
		tap_handle_frames(c, vu_tx_frames, n, now);
		vu_in_tx = false;
		if (vu_close_later) {
			/* The reset forgets the batch and what it holds */
			vhost_user_close(c, vu_close_later);
			vu_close_later = NULL;
			return false;
		}
	}
	vu_tx_return(q, h, heads, nh);
	return true;
}

/**
 * vhost_user_kick_handler() - The guest kicked a queue
 * @c:		Execution context
 * @ref:	Epoll reference: kick descriptor, queue index
 * @now:	Current time
 */
void vhost_user_kick_handler(struct ctx *c, union epoll_ref ref,
			     const struct timespec *now)
{
	struct vu_queue *q;
	uint64_t v = 0;
	unsigned b;

	ASSERT(ref.data < VHOST_USER_QUEUES);
	q = &vu.q[ref.data];
	/* #syscalls:passt read */
	if (read(ref.fd, &v, sizeof(v)) < 0)
		debug_perror("vhost-user: kick of queue %u", ref.data);
	if (!q->started || !q->enabled || !q->vq.size || !vu.mem.n)
		return;

	if (ref.data == VHOST_USER_RX) {
		tap_writable(c, now);	/* new receive buffers */
		return;
	}
	for (b = 0; b < VU_TX_BATCHES; b++) {
		if (!vu_tx_batch(c, q, now))
			return;
		virtq_enable_kicks(&q->vq);
		if (!virtq_avail_pending(&q->vq))
			return;
	}
	/* More waiting: after everybody else's events, as if kicked again */
	v = 1;
	/* #syscalls:passt write */
	if (write(q->kick, &v, sizeof(v)) != sizeof(v))
		debug_perror("vhost-user: kick of queue %u", ref.data);
}
