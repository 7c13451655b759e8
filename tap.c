// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - frames to and from the guest, over any backend
 *
 * Theory of operation
 *
 * Backends: a tap device in a namespace (pasta: one frame per read() and
 * write()), a stream socket (passt: UNIX, with QEMU, or AF_VSOCK, with a
 * forwarder in the guest, see vsock.c), or vhost-user (virtqueues in the
 * guest's memory, see vhost_user.c, whose frames come as views of guest
 * memory, TAP_BUF_NONE). On a stream, each frame comes after its length:
 * 4 bytes, big-endian (QEMU's framing), or 2 bytes, little-endian, after a
 * connection request (gvproxy's, enum tap_framing). Every backend plugs in
 * at the same two points: a batch of received frames is handed to
 * tap_handle_frames(), and frames to send are given to tap_send_frames()
 * as scatter lists that start with the Ethernet header; the backend adds
 * whatever framing it needs.
 *
 * Receive buffers: frames are read into one of TAP_BUF_COUNT large
 * buffers. A consumer that hands guest bytes to the kernel without copying
 * them (MSG_ZEROCOPY) pins the buffer with tap_buf_pin() and unpins it when
 * the kernel is done; reads go to a buffer nobody pins, and the backend
 * stops reading while every buffer is pinned. Nothing may assume that a
 * buffer is free once a handler returns.
 *
 * Parsing: every frame is checked through the bounds-checked views of
 * packet.h. Link services (ARP, NDP, DHCP, DHCPv6) are answered at once.
 * TCP, UDP and ICMP echo packets of one batch are grouped by flow (address
 * and port tuple), keeping arrival order within a flow, and each group is
 * handed to the handler registered for its protocol: the single dispatch
 * point from this layer up to the translation layer. Anything malformed,
 * fragmented or unknown is dropped and counted in the statistics, and so
 * is a frame from a source MAC no guest can have: ours (a guest echoing
 * our frames, or forging them, would make us address the next ones to
 * ourselves), or a multicast one.
 *
 * Checksums: the IPv4 header's, UDP's (where IPv4 has one), ICMP's and
 * ICMPv6's are checked, and TCP's on segments that open, close or reset a
 * connection, or carry no data. Other TCP segments with data are not:
 * summing every byte the guest sends (csum_partial() does about 13 GB/s
 * on the 2-CPU machine of doc/benchmarks.md: 0.08 s of CPU per GB) would
 * add a third to the 0.21 s/GB a bulk transfer from the guest costs
 * there; and the links we serve (a tap device, a UNIX socket) carry
 * frames as the guest wrote them, complete checksums included (we enable
 * no offloads): a wrong one there was made on purpose, and whoever crafts
 * a segment can as well make its checksum right.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "util.h"
#include "log.h"
#include "checksum.h"
#include "siphash.h"
#include "stats.h"
#include "tap.h"
#include "pcap.h"
#include "arp.h"
#include "ndp.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "virtio_net.h"
#include "vhost_user.h"
#include "vsock.h"
#include "tap_zc.h"

#define TAP_SOCK_PATH_FMT	"/tmp/passt_%u.socket"
#define TAP_SOCK_TRIES		100
#define TAP_IP6_EXT_MAX		8	/* extension headers we walk */
#define TAP_SEQ_HASH		4096	/* slots, power of two */
#define TAP_IOV_MAX		1024	/* IOV_MAX */
#define TAP_FRAME_ALIGN		64
#define TAP_FRAME_IOV_MAX	64	/* scatter entries per frame */

/* The fuzzers (test/fuzz) mutate frames and can't mend their checksums:
 * there, L4 checksums are summed but don't decide, so that the layers
 * above stay in reach
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define TAP_L4_CSUM_ENFORCED	false
#else
#define TAP_L4_CSUM_ENFORCED	true
#endif

/**
 * struct tap_buf - A receive buffer
 * @pins:	Number of holders that need its bytes to stay
 */
struct tap_buf {
	unsigned pins;
};

static uint8_t tap_mem[TAP_BUF_COUNT][TAP_BUF_SIZE] PAGE_ALIGNED;
static struct tap_buf tap_bufs[TAP_BUF_COUNT];
static unsigned tap_buf_cur;		/* buffer the next read goes into */
static bool tap_rx_blocked;		/* every buffer pinned */
static size_t tap_stream_partial;	/* bytes of an incomplete frame */
static size_t tap_stream_partial_off;	/* ...at this offset of tap_buf_cur */

/* Stream backend: gvproxy's connection request still to come */
static bool tap_request_wait;

/* Stream backend: the rest of a frame the socket only took in part */
static uint8_t tap_stream_pending[TAP_FRAME_MAX + sizeof(uint32_t)];
static size_t tap_stream_pending_len, tap_stream_pending_off;

/* The backend refused frames: senders wait until it can take them again */
static bool tap_out_blocked;

static tap_l4_handler_t tap_l4_handlers[UINT8_MAX + 1];
static const struct tap_hooks *tap_hooks;

/* Per-batch L4 grouping */
static struct pkt tap_frames[TAP_BATCH_MAX];
static struct tap_l4_seq tap_seqs[TAP_BATCH_MAX];
static unsigned tap_seq_count;
static struct pkt tap_l4_in[TAP_BATCH_MAX];	/* in arrival order */
static uint16_t tap_l4_seq_of[TAP_BATCH_MAX];
static struct pkt tap_l4_sorted[TAP_BATCH_MAX];
static unsigned tap_l4_count;
static uint32_t tap_seq_hash[TAP_SEQ_HASH];	/* generation << 16 | seq */
static uint32_t tap_seq_gen = 1;
static struct siphash_key tap_hash_key;

/**
 * tap_register_l4() - Set the handler for one L4 protocol
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @handler:	Handler
 */
void tap_register_l4(uint8_t proto, tap_l4_handler_t handler)
{
	tap_l4_handlers[proto] = handler;
}

/**
 * tap_set_hooks() - Set what to call when the backend can send again, or
 *		     when the guest is gone
 * @hooks:	Callbacks, static storage
 */
void tap_set_hooks(const struct tap_hooks *hooks)
{
	tap_hooks = hooks;
}

/**
 * tap_is_ready() - Can frames be sent to the guest now?
 * @c:		Execution context
 *
 * Return: true if a guest is attached
 */
bool tap_is_ready(const struct ctx *c)
{
	if (c->vhost_user)
		return c->fd_tap >= 0 && vhost_user_ready();
	return c->fd_tap >= 0;
}

/**
 * tap_out_full() - Does the backend refuse frames now?
 *
 * Return: true until the backend says it takes frames again (the writable
 *	   hook), false if it never refused or did since
 */
bool tap_out_full(void)
{
	return tap_out_blocked;
}

/**
 * tap_epoll_ref() - Reference for the connected tap descriptor
 * @c:		Execution context
 *
 * Return: reference
 */
static union epoll_ref tap_epoll_ref(const struct ctx *c)
{
	return epoll_ref_make(c->mode == MODE_PASTA ? EPOLL_TYPE_TAP_PASTA :
			      EPOLL_TYPE_TAP_PASST, c->fd_tap, 0);
}

/**
 * tap_rx_events() - Epoll events to watch on the tap descriptor
 *
 * Return: EPOLLIN unless receive is blocked, EPOLLOUT while a frame waits
 *	   or senders wait for the backend
 */
static uint32_t tap_rx_events(void)
{
	uint32_t ev = EPOLLRDHUP;

	if (!tap_rx_blocked)
		ev |= EPOLLIN;
	if (tap_stream_pending_len || tap_out_blocked)
		ev |= EPOLLOUT;
	return ev;
}

/**
 * tap_out_block() - The backend refused frames: watch for it to take more
 * @c:		Execution context
 */
static void tap_out_block(struct ctx *c)
{
	if (tap_out_blocked)
		return;
	tap_out_blocked = true;
	stats_inc(STAT_TAP_OUT_BLOCKED);
	/* vhost-user: the guest's kick on its receive queue says when */
	if (!c->vhost_user)
		epoll_mod(c->epollfd, tap_rx_events(), tap_epoll_ref(c));
}

/**
 * tap_out_ready() - The backend can send again: tell who waits for it
 * @c:		Execution context
 * @now:	Current time
 */
static void tap_out_ready(struct ctx *c, const struct timespec *now)
{
	tap_out_blocked = false;
	if (!c->vhost_user)
		epoll_mod(c->epollfd, tap_rx_events(), tap_epoll_ref(c));
	if (tap_hooks && tap_hooks->writable)
		tap_hooks->writable(c, now);
}

/**
 * tap_writable() - A backend without a descriptor to watch (vhost-user: the
 *		    guest gave receive buffers) takes frames again
 * @c:		Execution context
 * @now:	Current time
 */
void tap_writable(struct ctx *c, const struct timespec *now)
{
	if (tap_out_blocked)
		tap_out_ready(c, now);
}

/**
 * tap_buf_pin() - Keep a receive buffer from being reused
 * @c:		Execution context
 * @buf:	Buffer index, from struct pkt
 */
void tap_buf_pin(struct ctx *c, uint16_t buf)
{
	(void)c;
	ASSERT(buf < TAP_BUF_COUNT);
	tap_bufs[buf].pins++;
}

/**
 * tap_buf_unpin() - Release a pin taken with tap_buf_pin()
 * @c:		Execution context
 * @buf:	Buffer index
 */
void tap_buf_unpin(struct ctx *c, uint16_t buf)
{
	ASSERT(buf < TAP_BUF_COUNT && tap_bufs[buf].pins);
	if (--tap_bufs[buf].pins || !tap_rx_blocked)
		return;
	tap_rx_blocked = false;
	if (c->fd_tap >= 0)
		epoll_mod(c->epollfd, tap_rx_events(), tap_epoll_ref(c));
}

/**
 * tap_bufs_free() - Receive buffers nobody pins
 * @mask:	Bit per buffer not to count (about to be pinned)
 *
 * Return: number of buffers free for reads, beyond those in @mask
 */
unsigned tap_bufs_free(unsigned mask)
{
	unsigned b, n = 0;

	for (b = 0; b < TAP_BUF_COUNT; b++)
		n += !tap_bufs[b].pins && !(mask & (1U << b));
	return n;
}

/* Receive buffers a zero-copy send must leave unpinned, for our reads */
#define TAP_BUFS_KEEP_FREE	1

static_assert((1U << TAP_BUF_COUNT) <= TAP_PIN_CHAINS,
	      "a pin's buffer bits must stay below TAP_PIN_CHAINS");
static_assert(TAP_BATCH_MAX <= 1U << TAP_BUF_CHAIN_BITS,
	      "a chain's number in its batch must fit its bits");

/**
 * tap_pin_mask() - Receive buffers holding the bytes of a send
 * @bufs:	Where each piece lies, struct pkt's @buf
 * @n:		Number of pieces
 *
 * Return: bit per receive buffer, 0 if any piece lies elsewhere
 */
static unsigned tap_pin_mask(const uint16_t *bufs, size_t n)
{
	unsigned mask = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (bufs[i] >= TAP_BUF_COUNT)
			return 0;
		mask |= 1U << bufs[i];
	}
	return mask;
}

/**
 * tap_pin_can() - Can the bytes of a send stay pinned till its completion?
 * @c:		Execution context
 * @bufs:	Where each piece lies, struct pkt's @buf
 * @n:		Number of pieces, at least one
 *
 * Return: true if tap_pin() may pin them: all in receive buffers, leaving
 *	   enough free for reads, or all in transmit chains of the guest's
 *	   (vhost-user) that its backend can hold
 */
bool tap_pin_can(const struct ctx *c, const uint16_t *bufs, size_t n)
{
	unsigned mask;

	if (!n)
		return false;
	if (c->vhost_user && bufs[0] >= TAP_BUF_CHAIN && bufs[0] != TAP_BUF_NONE)
		return vhost_user_tx_pin_can(bufs, n);
	mask = tap_pin_mask(bufs, n);
	return mask && tap_bufs_free(mask) >= TAP_BUFS_KEEP_FREE;
}

/**
 * tap_pkt_iov() - The pieces of a view to send, and what holds each
 * @c:		Execution context
 * @p:		View
 * @iov:	Pieces, set
 * @bufs:	Where each lies (struct pkt's @buf, for tap_pin_can()), set
 * @max:	Room in @iov and @bufs, at least one
 *
 * One piece, the view, but for a vhost-user frame we copied to parse it:
 * its bytes in guest memory then, which its chain holds.
 *
 * Return: number of pieces
 */
size_t tap_pkt_iov(const struct ctx *c, const struct pkt *p,
		   struct iovec *iov, uint16_t *bufs, size_t max)
{
	ASSERT(max);
	if (c->vhost_user && p->buf >= TAP_BUF_CHAIN && p->buf != TAP_BUF_NONE)
		return vhost_user_tx_iov(p, iov, bufs, max);
	iov[0].iov_base = (void *)(uintptr_t)p->data;
	iov[0].iov_len = p->len;
	bufs[0] = p->buf;
	return 1;
}

/**
 * tap_pin() - Pin the bytes of a zero-copy send until tap_unpin()
 * @c:		Execution context
 * @bufs:	Where each piece lies, as tap_pin_can() approved them
 * @n:		Number of pieces
 *
 * Return: the pin, below TAP_PIN_MAX, never 0
 */
unsigned tap_pin(struct ctx *c, const uint16_t *bufs, size_t n)
{
	unsigned mask, b;

	if (c->vhost_user && bufs[0] >= TAP_BUF_CHAIN)
		return TAP_PIN_CHAINS | vhost_user_tx_pin(bufs, n);
	mask = tap_pin_mask(bufs, n);
	ASSERT(mask);
	for (b = 0; b < TAP_BUF_COUNT; b++)
		if (mask & (1U << b))
			tap_buf_pin(c, (uint16_t)b);
	return mask;
}

/**
 * tap_unpin() - The kernel is done with a send's bytes: release its pin
 * @c:		Execution context
 * @pin:	As tap_pin() returned it
 */
void tap_unpin(struct ctx *c, unsigned pin)
{
	unsigned b;

	ASSERT(pin && pin < TAP_PIN_MAX);
	if (pin & TAP_PIN_CHAINS) {
		vhost_user_tx_unpin(c, pin & ~TAP_PIN_CHAINS);
		return;
	}
	for (b = 0; b < TAP_BUF_COUNT; b++)
		if (pin & (1U << b))
			tap_buf_unpin(c, (uint16_t)b);
}

/**
 * tap_buf_next() - Pick the buffer for the next read
 * @c:		Execution context
 *
 * Keeps the current buffer if nobody pinned it, otherwise switches to a
 * free one, or blocks receive if there is none. Any incomplete stream
 * frame is moved to the start of the buffer the next read goes to.
 *
 * Return: true if a buffer is available
 */
static bool tap_buf_next(struct ctx *c)
{
	unsigned i, old = tap_buf_cur;
	const uint8_t *partial = tap_mem[old] + tap_stream_partial_off;

	if (!tap_bufs[old].pins) {
		if (tap_stream_partial_off)
			memmove(tap_mem[old], partial, tap_stream_partial);
		tap_stream_partial_off = 0;
		return true;
	}

	for (i = 1; i < TAP_BUF_COUNT; i++) {
		unsigned b = (old + i) % TAP_BUF_COUNT;

		if (tap_bufs[b].pins)
			continue;
		memcpy(tap_mem[b], partial, tap_stream_partial);
		tap_stream_partial_off = 0;
		tap_buf_cur = b;
		return true;
	}

	tap_rx_blocked = true;
	epoll_mod(c->epollfd, tap_rx_events(), tap_epoll_ref(c));
	return false;
}

/**
 * tap_seq_add() - Queue an L4 packet for its flow's group
 * @af:		Address family
 * @proto:	L4 protocol
 * @ttl:	TTL or hop limit
 * @src:	Source address
 * @dst:	Destination address
 * @sport:	Source port (echo identifier for ICMP)
 * @dport:	Destination port
 * @l4:		View of the L4 header and payload
 */
static void tap_seq_add(int af, uint8_t proto, uint8_t ttl,
			const union inany_addr *src,
			const union inany_addr *dst, uint16_t sport,
			uint16_t dport, const struct pkt *l4)
{
	struct {
		union inany_addr src, dst;
		uint16_t sport, dport;
		uint8_t proto;
	} __attribute__((packed)) key;
	struct tap_l4_seq *s;
	unsigned slot, i;

	if (!tap_l4_handlers[proto]) {
		stats_inc(STAT_TAP_DROP_PROTO);
		return;
	}
	if (tap_l4_count >= TAP_BATCH_MAX)
		return;		/* cannot happen: one packet per frame */

	memset(&key, 0, sizeof(key));
	key.src = *src;
	key.dst = *dst;
	key.sport = sport;
	key.dport = dport;
	key.proto = proto;
	slot = (unsigned)siphash(&tap_hash_key, &key, sizeof(key)) &
	       (TAP_SEQ_HASH - 1);

	for (i = 0; i < TAP_SEQ_HASH; i++, slot = (slot + 1) % TAP_SEQ_HASH) {
		uint32_t e = tap_seq_hash[slot];

		/* A tag 65535 batches old matches again: check the index */
		if ((e >> 16) != (tap_seq_gen & 0xffff) ||
		    (e & 0xffff) >= tap_seq_count) {
			/* Free slot in this generation: new group */
			s = &tap_seqs[tap_seq_count];
			s->af = af;
			s->proto = proto;
			s->ttl = ttl;
			s->src = *src;
			s->dst = *dst;
			s->sport = sport;
			s->dport = dport;
			s->count = 0;
			tap_seq_hash[slot] = (tap_seq_gen & 0xffff) << 16 |
					     tap_seq_count;
			tap_seq_count++;
			break;
		}
		s = &tap_seqs[e & 0xffff];
		if (s->proto == proto && s->sport == sport &&
		    s->dport == dport && inany_equals(&s->src, src) &&
		    inany_equals(&s->dst, dst))
			break;
	}

	s->count++;
	tap_l4_in[tap_l4_count] = *l4;
	tap_l4_seq_of[tap_l4_count] = (uint16_t)(s - tap_seqs);
	tap_l4_count++;
}

/**
 * tap_seq_flush() - Hand every group of the batch to its handler
 * @c:		Execution context
 * @now:	Current time
 *
 * Lays the packets out per group (a stable counting sort), then calls
 * the handlers in the order the groups first appeared.
 */
static void tap_seq_flush(struct ctx *c, const struct timespec *now)
{
	static unsigned start[TAP_BATCH_MAX];
	unsigned i, pos = 0;

	for (i = 0; i < tap_seq_count; i++) {
		start[i] = pos;
		tap_seqs[i].pkts = &tap_l4_sorted[pos];
		pos += tap_seqs[i].count;
	}
	for (i = 0; i < tap_l4_count; i++)
		tap_l4_sorted[start[tap_l4_seq_of[i]]++] = tap_l4_in[i];

	for (i = 0; i < tap_seq_count; i++) {
		const struct tap_l4_seq *s = &tap_seqs[i];

		tap_l4_handlers[s->proto](c, s, now);
	}

	tap_seq_count = 0;
	tap_l4_count = 0;
	if (!(++tap_seq_gen & 0xffff))
		tap_seq_gen++;
}

/**
 * tap_l4_csum_bad() - Is the checksum of an L4 packet from the guest wrong?
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @src:	Source address
 * @dst:	Destination address
 * @l4:		L4 header, whose fixed part the caller checked is there, and
 *		payload
 *
 * What is checked and what isn't: see the theory of operation above. A UDP
 * length that lies leaves nothing to sum over: the UDP layer drops it.
 *
 * Return: true if the packet carries a checksum, and it's wrong
 */
static bool tap_l4_csum_bad(uint8_t proto, const union inany_addr *src,
			    const union inany_addr *dst, const struct pkt *l4)
{
	const struct in_addr *s4 = inany_v4(src), *d4 = inany_v4(dst);
	size_t len = l4->len;
	const uint8_t *p;
	uint32_t sum = 0;

	if (l4->csum_ok)
		return false;
	if (proto == IPPROTO_UDP) {
		uint16_t ulen, check;

		if (!pkt_be16(l4, 4, &ulen) || !pkt_be16(l4, 6, &check) ||
		    ulen < sizeof(struct udphdr) || ulen > len)
			return false;
		/* Zero is "no checksum", for IPv4 only (RFC 8200, 8.1) */
		if (!check)
			return !s4;
		len = ulen;
	} else if (proto == IPPROTO_TCP) {
		struct tcphdr th;

		if (!pkt_copy(l4, 0, &th, sizeof(th)))
			return false;
		if (len > (size_t)th.doff * 4 && !th.syn && !th.fin && !th.rst)
			return false;
	}

	if (!(p = pkt_ptr(l4, 0, len)))
		return false;
	if (proto != IPPROTO_ICMP) {
		sum = s4 && d4 ? csum_pseudo4((uint16_t)len, proto, *s4, *d4) :
				 csum_pseudo6((uint32_t)len, proto, &src->a6,
					      &dst->a6);
	}
	return csum_fold(csum_partial(p, len, sum)) && TAP_L4_CSUM_ENFORCED;
}

/**
 * tap_tcp_hdr_bad() - Does a TCP header lie about its length?
 * @l4:		TCP header and payload
 * @th:		Copy of the fixed header
 *
 * Return: true if the data offset is below the fixed header, or beyond the
 *	   segment
 */
static bool tap_tcp_hdr_bad(const struct pkt *l4, const struct tcphdr *th)
{
	size_t hlen = (size_t)th->doff * 4;

	return hlen < sizeof(*th) || hlen > l4->len;
}

/**
 * tap_ip4() - Handle an IPv4 packet from the guest
 * @c:		Execution context
 * @frame:	Whole frame
 */
static void tap_ip4(struct ctx *c, const struct pkt *frame)
{
	union inany_addr src, dst;
	struct pkt ip, l4;
	struct iphdr iph;
	size_t hlen, tot;

	if (!pkt_copy(frame, ETH_HLEN_, &iph, sizeof(iph))) {
		stats_inc(STAT_TAP_DROP_SHORT);
		return;
	}
	hlen = (size_t)iph.ihl * 4;
	tot = ntohs(iph.tot_len);
	if (iph.version != 4 || hlen < sizeof(iph) || tot < hlen ||
	    !pkt_sub(frame, ETH_HLEN_, tot, &ip) ||
	    csum_fold(csum_partial(ip.data, hlen, 0))) {
		stats_inc(STAT_TAP_DROP_IP4);
		return;
	}
	if (ntohs(iph.frag_off) & (IP_MF | IP_OFFMASK)) {
		stats_inc(STAT_TAP_DROP_FRAG);
		return;
	}
	if (!pkt_tail(&ip, hlen, &l4))
		return;

	/* The host's loopback is only reachable through address mapping */
	if (in4_is_loopback(&(struct in_addr){ iph.saddr }) ||
	    in4_is_loopback(&(struct in_addr){ iph.daddr })) {
		stats_inc(STAT_TAP_DROP_MARTIAN);
		return;
	}

	if (iph.saddr != htonl(INADDR_ANY))
		c->ip4.addr_seen.s_addr = iph.saddr;

	inany_from_v4(&src, (struct in_addr){ iph.saddr });
	inany_from_v4(&dst, (struct in_addr){ iph.daddr });

	switch (iph.protocol) {
	case IPPROTO_UDP: {
		struct udphdr uh;

		if (!pkt_copy(&l4, 0, &uh, sizeof(uh))) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_UDP, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		if (ntohs(uh.dest) == 67 && !c->no_dhcp) {
			dhcp(c, &l4);
			return;
		}
		tap_seq_add(AF_INET, IPPROTO_UDP, iph.ttl, &src, &dst,
			    ntohs(uh.source), ntohs(uh.dest), &l4);
		return;
	}
	case IPPROTO_TCP: {
		struct tcphdr th;

		if (!pkt_copy(&l4, 0, &th, sizeof(th)) ||
		    tap_tcp_hdr_bad(&l4, &th)) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_TCP, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		tap_seq_add(AF_INET, IPPROTO_TCP, iph.ttl, &src, &dst,
			    ntohs(th.source), ntohs(th.dest), &l4);
		return;
	}
	case IPPROTO_ICMP: {
		struct icmphdr ih;

		if (!pkt_copy(&l4, 0, &ih, sizeof(ih))) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_ICMP, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		if (ih.type != ICMP_ECHO || ih.code) {
			stats_inc(STAT_ICMP_DROP);
			return;
		}
		tap_seq_add(AF_INET, IPPROTO_ICMP, iph.ttl, &src, &dst,
			    ntohs(ih.un.echo.id), 0, &l4);
		return;
	}
	default:
		stats_inc(STAT_TAP_DROP_PROTO);
	}
}

/**
 * tap_ip6() - Handle an IPv6 packet from the guest
 * @c:		Execution context
 * @frame:	Whole frame
 */
static void tap_ip6(struct ctx *c, const struct pkt *frame)
{
	union inany_addr src, dst;
	struct pkt ip, l4;
	struct ip6_hdr ip6h;
	size_t off = sizeof(ip6h);
	uint8_t nh;
	unsigned i;

	if (!pkt_copy(frame, ETH_HLEN_, &ip6h, sizeof(ip6h))) {
		stats_inc(STAT_TAP_DROP_SHORT);
		return;
	}
	if ((ip6h.ip6_vfc >> 4) != 6 || !ip6h.ip6_plen ||
	    !pkt_sub(frame, ETH_HLEN_, sizeof(ip6h) + ntohs(ip6h.ip6_plen),
		     &ip)) {
		stats_inc(STAT_TAP_DROP_IP6);
		return;
	}

	/* Walk extension headers, a bounded number of them */
	nh = ip6h.ip6_nxt;
	for (i = 0; ; i++) {
		uint8_t ext[2];

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS && nh != IPPROTO_FRAGMENT &&
		    nh != IPPROTO_AH)
			break;
		if (nh == IPPROTO_FRAGMENT) {
			stats_inc(STAT_TAP_DROP_FRAG);
			return;
		}
		/* Hop-by-hop options come first, or not at all (RFC 8200) */
		if (nh == IPPROTO_HOPOPTS && i) {
			stats_inc(STAT_TAP_DROP_EXTHDR);
			return;
		}
		if (i == TAP_IP6_EXT_MAX ||
		    !pkt_copy(&ip, off, ext, sizeof(ext))) {
			stats_inc(STAT_TAP_DROP_EXTHDR);
			return;
		}
		/* The length is in this header's units: RFC 4302 for AH */
		off += nh == IPPROTO_AH ? ((size_t)ext[1] + 2) * 4 :
					  ((size_t)ext[1] + 1) * 8;
		nh = ext[0];
	}
	if (!pkt_tail(&ip, off, &l4)) {
		stats_inc(STAT_TAP_DROP_EXTHDR);
		return;
	}

	/* Loopback is only reachable through address mapping, and the flow
	 * layer reads IPv4-mapped addresses as IPv4: neither from the guest
	 */
	if (IN6_IS_ADDR_LOOPBACK(&ip6h.ip6_src) ||
	    IN6_IS_ADDR_LOOPBACK(&ip6h.ip6_dst) ||
	    IN6_IS_ADDR_V4MAPPED(&ip6h.ip6_src) ||
	    IN6_IS_ADDR_V4MAPPED(&ip6h.ip6_dst)) {
		stats_inc(STAT_TAP_DROP_MARTIAN);
		return;
	}

	if (IN6_IS_ADDR_LINKLOCAL(&ip6h.ip6_src))
		c->ip6.addr_ll_seen = ip6h.ip6_src;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&ip6h.ip6_src))
		c->ip6.addr_seen = ip6h.ip6_src;

	inany_from_v6(&src, &ip6h.ip6_src);
	inany_from_v6(&dst, &ip6h.ip6_dst);

	switch (nh) {
	case IPPROTO_UDP: {
		struct udphdr uh;

		if (!pkt_copy(&l4, 0, &uh, sizeof(uh))) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_UDP, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		if (ntohs(uh.dest) == 547 && !c->no_dhcpv6) {
			dhcpv6(c, &ip6h.ip6_src, &l4);
			return;
		}
		tap_seq_add(AF_INET6, IPPROTO_UDP, ip6h.ip6_hlim, &src, &dst,
			    ntohs(uh.source), ntohs(uh.dest), &l4);
		return;
	}
	case IPPROTO_TCP: {
		struct tcphdr th;

		if (!pkt_copy(&l4, 0, &th, sizeof(th)) ||
		    tap_tcp_hdr_bad(&l4, &th)) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_TCP, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		tap_seq_add(AF_INET6, IPPROTO_TCP, ip6h.ip6_hlim, &src, &dst,
			    ntohs(th.source), ntohs(th.dest), &l4);
		return;
	}
	case IPPROTO_ICMPV6: {
		struct icmp6_hdr ih;

		if (!pkt_copy(&l4, 0, &ih, sizeof(ih))) {
			stats_inc(STAT_TAP_DROP_L4);
			return;
		}
		if (tap_l4_csum_bad(IPPROTO_ICMPV6, &src, &dst, &l4)) {
			stats_inc(STAT_TAP_DROP_L4_CSUM);
			return;
		}
		if (ih.icmp6_type >= ND_ROUTER_SOLICIT &&
		    ih.icmp6_type <= ND_REDIRECT) {
			if (!c->no_ndp)
				ndp(c, &ip6h.ip6_src, ip6h.ip6_hlim, &l4);
			return;
		}
		if (ih.icmp6_type != ICMP6_ECHO_REQUEST || ih.icmp6_code) {
			stats_inc(STAT_ICMP_DROP);
			return;
		}
		tap_seq_add(AF_INET6, IPPROTO_ICMPV6, ip6h.ip6_hlim, &src,
			    &dst, ntohs(ih.icmp6_id), 0, &l4);
		return;
	}
	default:
		stats_inc(STAT_TAP_DROP_PROTO);
	}
}

/**
 * tap_handle_frames() - Parse and dispatch a batch of frames
 * @c:		Execution context
 * @frames:	Views of whole Ethernet frames
 * @n:		Number of frames, at most TAP_BATCH_MAX
 * @now:	Current time
 */
void tap_handle_frames(struct ctx *c, const struct pkt *frames, size_t n,
		       const struct timespec *now)
{
	size_t i;

	ASSERT(n <= TAP_BATCH_MAX);
	for (i = 0; i < n; i++) {
		const struct pkt *f = &frames[i];
		struct ether_header eh;

		stats_inc(STAT_TAP_FRAMES_IN);
		stats_add(STAT_TAP_BYTES_IN, f->len);
		pcap_frame(f->data, f->len);

		if (!pkt_copy(f, 0, &eh, sizeof(eh))) {
			stats_inc(STAT_TAP_DROP_SHORT);
			continue;
		}
		/* No station sends from a group address (IEEE 802.3, 3.2.3),
		 * and none but us from ours: not to be learnt, or answered
		 */
		if ((eh.ether_shost[0] & 1) ||
		    !memcmp(eh.ether_shost, c->our_tap_mac, MAC_LEN)) {
			static bool warned;

			/* A guest configured with our MAC: say so, once */
			if (!(eh.ether_shost[0] & 1) && !warned) {
				char m[MAC_STRLEN];

				warn("Guest frames from our own MAC %s dropped: "
				     "give us another one with -M",
				     mac_ntop(c->our_tap_mac, m, sizeof(m)));
				warned = true;
			}
			stats_inc(STAT_TAP_DROP_SRC_MAC);
			continue;
		}
		if (!mac_is_zero(eh.ether_shost))
			memcpy(c->guest_mac, eh.ether_shost, MAC_LEN);

		switch (ntohs(eh.ether_type)) {
		case ETHERTYPE_ARP:
			arp(c, f);
			break;
		case ETHERTYPE_IP:
			if (c->ifi4_on)
				tap_ip4(c, f);
			else
				stats_inc(STAT_TAP_DROP_ETHERTYPE);
			break;
		case ETHERTYPE_IPV6:
			if (c->ifi6_on)
				tap_ip6(c, f);
			else
				stats_inc(STAT_TAP_DROP_ETHERTYPE);
			break;
		default:
			stats_inc(STAT_TAP_DROP_ETHERTYPE);
		}
	}
	tap_seq_flush(c, now);
}

/**
 * tap_disconnect() - The guest went away: close, then quit or listen again
 * @c:		Execution context
 * @why:	What happened, for the log
 */
void tap_disconnect(struct ctx *c, const char *why)
{
	info("Guest disconnected: %s", why);
	vsock_rx_detach();
	/* With zero-copy sends in flight, zerocopy.c closes it later */
	if (c->mode == MODE_PASTA || c->vhost_user || tap_zc_close(c)) {
		epoll_del(c->epollfd, c->fd_tap);
		close(c->fd_tap);
	}
	c->fd_tap = -1;
	tap_stream_partial = tap_stream_partial_off = 0;
	tap_stream_pending_len = tap_stream_pending_off = 0;
	tap_out_blocked = tap_request_wait = false;

	if (c->mode == MODE_PASTA || c->one_off || c->fd_tap_listen < 0) {
		notice("Exiting: no guest left");
		/* #syscalls exit_group */
		exit(EXIT_SUCCESS);
	}

	/* The next guest starts afresh: no flows, addresses or MAC of this
	 * one (a stale MAC would address our frames to the wrong guest)
	 */
	if (tap_hooks && tap_hooks->reset)
		tap_hooks->reset(c);
	memset(c->guest_mac, 0, sizeof(c->guest_mac));
	c->ip4.addr_seen.s_addr = INADDR_ANY;
	c->ip6.addr_seen = in6addr_any;
	c->ip6.addr_ll_seen = in6addr_any;
}

/**
 * tap_vnet_in() - Take what the virtio-net header of a frame from the guest
 *		   says about it
 * @vh:		Header (from the tap, or a vhost-user transmit chain)
 * @f:		View of the frame after it: @gso and @csum_ok are set
 *
 * A super-frame (GSO) is one TCP segment or UDP datagram as long as a
 * train of @gso ones: TCP takes its payload as any other, UDP sends it on
 * with UDP_SEGMENT (udp.c). A partial checksum, or one the guest's kernel
 * says it verified, isn't verified again. Only offered kinds come from the
 * tap (pasta_tap_offload()); a guest's header is not trusted to be so, but
 * its only say is over how its own packets are cut.
 *
 * Return: false, the frame counted and to be dropped, for a kind of GSO
 *	   we don't take (UFO: never offered)
 */
bool tap_vnet_in(const struct virtio_net_hdr *vh, struct pkt *f)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	f->csum_ok = !!(vh->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM |
				     VIRTIO_NET_HDR_F_DATA_VALID));
	f->gso = 0;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_UDP_L4_:
		f->gso = vh->gso_size;
		if (f->gso && vh->hdr_len < f->len) {
			stats_inc(STAT_TAP_GSO_IN);
			stats_add(STAT_TAP_GSO_SEGS_IN,
				  DIV_ROUND_UP(f->len - vh->hdr_len, f->gso));
		}
		return true;
	default:
		stats_inc(STAT_TAP_DROP_GSO);
		return false;
	}
}

/**
 * tap_handler_pasta() - Read frames from the tap device
 * @c:		Execution context
 * @events:	Epoll events
 * @now:	Current time
 */
void tap_handler_pasta(struct ctx *c, uint32_t events,
		       const struct timespec *now)
{
	size_t off = 0, n = 0;
	size_t hdr_len = c->tap_vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;

	if (events & (EPOLLERR | EPOLLHUP)) {
		tap_disconnect(c, "tap device error");
		return;
	}
	if (events & EPOLLOUT && tap_out_blocked)
		tap_out_ready(c, now);
	if (!(events & EPOLLIN) || !tap_buf_next(c))
		return;

	while (n < TAP_BATCH_MAX &&
	       off + TAP_FRAME_MAX + hdr_len <= TAP_BUF_SIZE) {
		uint8_t *p = tap_mem[tap_buf_cur] + off;
		/* #syscalls:pasta read */
		ssize_t len = read(c->fd_tap, p, TAP_FRAME_MAX + hdr_len);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug_perror("tap: read");
			break;
		}
		if (!len)
			break;
		off += ROUND_UP((size_t)len, TAP_FRAME_ALIGN);
		if ((size_t)len <= hdr_len) {
			stats_inc(STAT_TAP_DROP_SHORT);
			continue;
		}
		tap_frames[n] = pkt_init(p + hdr_len, (size_t)len - hdr_len,
					 (uint16_t)tap_buf_cur);
		if (hdr_len) {
			struct virtio_net_hdr vh;

			memcpy(&vh, p, sizeof(vh));
			if (!tap_vnet_in(&vh, &tap_frames[n]))
				continue;
		}
		n++;
	}

	if (n)
		tap_handle_frames(c, tap_frames, n, now);
}

/**
 * tap_stream_flush_pending() - Send the rest of a frame sent in part
 * @c:		Execution context
 *
 * Return: true if nothing is pending any more
 */
static bool tap_stream_flush_pending(struct ctx *c)
{
	while (tap_stream_pending_off < tap_stream_pending_len) {
		/* #syscalls:passt send sendto */
		ssize_t n = send(c->fd_tap,
				 tap_stream_pending + tap_stream_pending_off,
				 tap_stream_pending_len - tap_stream_pending_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		tap_stream_pending_off += (size_t)n;
		stats_add(STAT_TAP_BYTES_OUT, (size_t)n);
	}
	tap_stream_pending_len = tap_stream_pending_off = 0;
	return true;
}

/**
 * tap_stream_hlen() - Length of the length before each frame on the stream
 * @c:		Execution context
 *
 * Return: 2 (gvproxy's framing) or 4 (QEMU's)
 */
static size_t tap_stream_hlen(const struct ctx *c)
{
	return c->framing == TAP_FRAMING_GVPROXY ? 2 : 4;
}

/**
 * tap_stream_len_get() - Length of the next frame on the stream
 * @c:		Execution context
 * @p:		Its length field, tap_stream_hlen() bytes
 *
 * Return: the length
 */
static size_t tap_stream_len_get(const struct ctx *c, const uint8_t *p)
{
	if (c->framing == TAP_FRAMING_GVPROXY)
		return (size_t)p[0] | (size_t)p[1] << 8;
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	       (size_t)p[3];
}

/**
 * tap_stream_len_bad() - Is a length field beyond what a frame can be
 * @flen:	Value of the field
 *
 * Return: true if shorter than an Ethernet header or longer than we take
 */
static bool tap_stream_len_bad(size_t flen)
{
	return flen < ETH_HLEN_ || flen > TAP_STREAM_MAX;
}

/**
 * tap_stream_len_put() - Write the length field of a frame to the guest
 * @c:		Execution context
 * @p:		Where, tap_stream_hlen() bytes
 * @len:	Length of the frame, below 64 KiB for gvproxy's framing
 */
static void tap_stream_len_put(const struct ctx *c, uint8_t *p, size_t len)
{
	if (c->framing == TAP_FRAMING_GVPROXY) {
		p[0] = (uint8_t)len;
		p[1] = (uint8_t)(len >> 8);
		return;
	}
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

/**
 * tap_stream_request() - Wait for the connection request of gvproxy's
 *			  framing before any frame
 * @c:		Execution context
 *
 * Return: true once it's done and frames may be read, false if it isn't,
 *	   or the guest was disconnected for it
 */
static bool tap_stream_request(struct ctx *c)
{
	const char *why = NULL;
	int rc = vsock_request_read(c->fd_tap, &why);

	if (rc < 0) {
		stats_inc(STAT_TAP_DROP_REQUEST);
		tap_disconnect(c, why);
		return false;
	}
	if (!rc)
		return false;
	tap_request_wait = false;
	info("Guest's forwarder connected: frames follow");
	return true;
}

/**
 * struct tap_cut - Cutting frames out of pieces of mapped stream
 * @n:		Frames in tap_frames
 * @st:		Bytes of a frame that began in an earlier piece, staged at
 *		@s0 of the current receive buffer
 * @s0:		Where it is staged
 * @bad:	A length no frame can have: the framing is lost
 */
struct tap_cut {
	size_t n, st, s0;
	bool bad;
};

/**
 * tap_cut_emit() - One frame found: batch it, hand the batch on if full
 * @c:		Execution context
 * @k:		Cutting state
 * @p:		Frame
 * @len:	Its length
 * @buf:	Receive buffer it lies in, TAP_BUF_NONE for the mapping
 * @now:	Current time
 */
static void tap_cut_emit(struct ctx *c, struct tap_cut *k, const uint8_t *p,
			 size_t len, uint16_t buf, const struct timespec *now)
{
	tap_frames[k->n++] = pkt_init(p, len, buf);
	if (k->n == TAP_BATCH_MAX) {
		tap_handle_frames(c, tap_frames, k->n, now);
		k->n = 0;
	}
}

/**
 * tap_cut_piece() - Cut the frames out of one piece of mapped stream
 * @c:		Execution context
 * @k:		Cutting state
 * @p:		Piece: the data of one packet, read-only
 * @len:	Its length
 * @now:	Current time
 *
 * Frames wholly in the piece are taken where they lie (TAP_BUF_NONE: the
 * mapping goes once they are handled, nobody may pin them); a frame that
 * starts or ends in another piece is staged in the receive buffer.
 */
static void tap_cut_piece(struct ctx *c, struct tap_cut *k, const uint8_t *p,
			  size_t len, const struct timespec *now)
{
	const size_t hlen = tap_stream_hlen(c);
	uint8_t *stage = tap_mem[tap_buf_cur];

	while (len && !k->bad) {
		size_t flen, take;

		if (k->st && k->st < hlen) {
			take = MIN(hlen - k->st, len);
			memcpy(stage + k->s0 + k->st, p, take);
			k->st += take;
			p += take;
			len -= take;
			/* A whole length field is checked at once */
			if (k->st == hlen) {
				flen = tap_stream_len_get(c, stage + k->s0);
				k->bad = tap_stream_len_bad(flen);
			}
			continue;
		}
		if (k->st) {
			flen = tap_stream_len_get(c, stage + k->s0);
			take = MIN(hlen + flen - k->st, len);
			memcpy(stage + k->s0 + k->st, p, take);
			k->st += take;
			p += take;
			len -= take;
			if (k->st < hlen + flen)
				continue;
			tap_cut_emit(c, k, stage + k->s0 + hlen, flen,
				     (uint16_t)tap_buf_cur, now);
			k->s0 += ROUND_UP(hlen + flen, TAP_FRAME_ALIGN);
			k->st = 0;
			continue;
		}

		/* In place, while whole frames are there */
		if (len >= hlen) {
			flen = tap_stream_len_get(c, p);
			if (tap_stream_len_bad(flen)) {
				k->bad = true;
				break;
			}
			if (len - hlen >= flen) {
				tap_cut_emit(c, k, p + hlen, flen, TAP_BUF_NONE,
					     now);
				p += hlen + flen;
				len -= hlen + flen;
				stats_inc(STAT_VSOCK_FRAMES_IN_PLACE);
				continue;
			}
		}
		/* The rest begins a frame: stage it */
		memcpy(stage + k->s0, p, len);
		k->st = len;
		len = 0;
	}
}

/**
 * tap_stream_mapped() - Frames from a stream mapped by the kernel (vsock
 *			 zero-copy receive, vsock.c)
 * @c:		Execution context
 * @now:	Current time
 *
 * Return: false if the socket has nothing mapped for us (read it instead)
 */
static bool tap_stream_mapped(struct ctx *c, const struct timespec *now)
{
	static struct iovec pieces[VSOCK_RX_PIECES];
	struct tap_cut k = { .st = tap_stream_partial };
	const char *why = NULL;
	size_t i, np;
	int rc;

	/* A staged frame starts the buffer, room for a mapping's worth */
	rc = vsock_rx_map(c->fd_tap, pieces, &np, &why);
	if (rc < 0) {
		tap_disconnect(c, why);
		return true;
	}
	if (!rc)
		return false;
	if (tap_stream_partial_off) {
		memmove(tap_mem[tap_buf_cur],
			tap_mem[tap_buf_cur] + tap_stream_partial_off,
			tap_stream_partial);
		tap_stream_partial_off = 0;
	}

	for (i = 0; i < np && !k.bad; i++)
		tap_cut_piece(c, &k, pieces[i].iov_base, pieces[i].iov_len,
			      now);
	if (k.n && !k.bad)
		tap_handle_frames(c, tap_frames, k.n, now);
	vsock_rx_unmap();

	if (k.bad) {
		stats_inc(STAT_TAP_DROP_STREAM);
		warn_ratelimit("Guest sent a bad frame length: closing its "
			       "connection");
		tap_disconnect(c, "bad frame length in stream");
		return true;
	}
	tap_stream_partial = k.st;
	tap_stream_partial_off = k.s0;
	return true;
}

/**
 * tap_handler_passt() - Read frames from the stream socket
 * @c:		Execution context
 * @events:	Epoll events
 * @now:	Current time
 */
void tap_handler_passt(struct ctx *c, uint32_t events,
		       const struct timespec *now)
{
	const size_t hlen = tap_stream_hlen(c);
	int err;

	/* Completions wait there: only a real error is an error */
	if (events & EPOLLERR && tap_zc_completions(c, &err) && !err)
		events &= ~(uint32_t)EPOLLERR;
	if (events & EPOLLOUT && tap_stream_flush_pending(c))
		tap_out_ready(c, now);
	if (events & EPOLLIN && tap_request_wait && !tap_stream_request(c)) {
		if (c->fd_tap >= 0 && events & (EPOLLRDHUP | EPOLLHUP |
						EPOLLERR))
			tap_disconnect(c, "connection closed");
		return;
	}
	if (events & EPOLLIN && vsock_rx_mapping() && tap_buf_next(c) &&
	    tap_stream_mapped(c, now))
		return;
	if (events & EPOLLIN && tap_buf_next(c)) {
		uint8_t *buf = tap_mem[tap_buf_cur];
		size_t n, off = 0, end, bad_len = 0;
		bool bad = false;
		/* #syscalls:passt recvfrom recv */
		ssize_t len = recv(c->fd_tap, buf + tap_stream_partial,
				   TAP_BUF_SIZE - tap_stream_partial,
				   MSG_DONTWAIT);

		if (len == 0) {
			tap_disconnect(c, "end of stream");
			return;
		}
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			tap_disconnect(c, strerror(errno));
			return;
		}

		/* Batches of complete frames until none is left */
		end = tap_stream_partial + (size_t)len;
		do {
			n = 0;
			while (n < TAP_BATCH_MAX && end - off >= hlen) {
				size_t flen = tap_stream_len_get(c, buf + off);

				if (tap_stream_len_bad(flen)) {
					bad_len = flen;
					bad = true;
					break;
				}
				if (end - off - hlen < flen)
					break;
				tap_frames[n++] = pkt_init(buf + off + hlen,
							   flen,
							   (uint16_t)tap_buf_cur);
				off += hlen + flen;
			}
			if (n)
				tap_handle_frames(c, tap_frames, n, now);
		} while (n == TAP_BATCH_MAX);

		if (bad) {
			/* Framing is lost: nothing after this is sane */
			stats_inc(STAT_TAP_DROP_STREAM);
			warn_ratelimit("Guest sent a frame length of %zu, "
				       "outside %u to %u: closing its connection",
				       bad_len, ETH_HLEN_, TAP_STREAM_MAX);
			tap_disconnect(c, "bad frame length in stream");
			return;
		}

		/* tap_buf_next() moves the incomplete frame before a read */
		tap_stream_partial = end - off;
		tap_stream_partial_off = off;
	}
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR) && !(events & EPOLLIN))
		tap_disconnect(c, "connection closed");
}

/**
 * tap_stream_start() - A guest connected on the stream: start afresh
 * @c:		Execution context
 */
static void tap_stream_start(const struct ctx *c)
{
	tap_stream_partial = tap_stream_partial_off = 0;
	tap_rx_blocked = tap_out_blocked = false;
	tap_request_wait = c->framing == TAP_FRAMING_GVPROXY;
	vsock_request_reset();
}

/**
 * tap_listen_handler() - Accept a guest connection on the listening socket
 *			  (UNIX or AF_VSOCK)
 * @c:		Execution context
 * @events:	Epoll events
 */
void tap_listen_handler(struct ctx *c, uint32_t events)
{
	int fd;

	(void)events;
	/* #syscalls:passt accept4 */
	fd = accept4(c->fd_tap_listen, NULL, NULL, SOCK_NONBLOCK |
		     SOCK_CLOEXEC);
	if (fd < 0) {
		debug_perror("tap: accept");
		return;
	}
	if (c->fd_tap >= 0) {
		/* One guest at a time: the second sees its connection closed
		 * at once, rather than waiting in the listen queue unanswered
		 */
		warn_ratelimit("Refusing another guest connection: one is "
			       "connected already");
		close(fd);
		return;
	}
	if (fd > EPOLL_REF_FD_MAX) {
		err("Guest connection descriptor %d too large", fd);
		close(fd);
		return;
	}

	if (c->vhost_user) {
		vhost_user_accept(c, fd);
		return;
	}

	c->fd_tap = fd;
	tap_stream_start(c);
	if (c->vsock_port)
		vsock_rx_attach(fd);
	info("Guest connected");
	epoll_add(c->epollfd, tap_rx_events(), tap_epoll_ref(c));
	arp_announce(c);
}

/* Where the socket is, to remove it at exit, from an empty root too */
static int tap_sock_dirfd = -1;
static char tap_sock_name[SOCK_PATH_MAX];

/**
 * tap_sock_dir_open() - Keep the socket's directory, to remove it later
 * @path:	Absolute socket path
 */
static void tap_sock_dir_open(const char *path)
{
	char dir[SOCK_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	snprintf(tap_sock_name, sizeof(tap_sock_name), "%s", slash + 1);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	tap_sock_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (tap_sock_dirfd < 0)
		warn_perror("Can't keep '%s': won't remove the socket at exit",
			    dir);
}

/* Root turned nobody may not remove the socket: a keeper process does */
static int tap_keeper_req = -1;		/* write end: "remove it now" */
static int tap_keeper_ack = -1;		/* read end: "done" */

/**
 * tap_sock_keeper_run() - The keeper: wait for the daemon to end, or to
 *			   ask, then remove the socket's path and say so
 * @req:	Read end of the daemon's requests
 * @ack:	Write end for our answer
 */
__attribute__((noreturn))
static void tap_sock_keeper_run(int req, int ack)
{
	char b = 0;
	int fd;

	/* Nothing else of the daemon's: no stdio for callers to wait on */
	for (fd = 0; fd <= 2; fd++)
		close(fd);
	while (read(req, &b, 1) < 0 && errno == EINTR)
		;
	unlinkat(tap_sock_dirfd, tap_sock_name, 0);
	(void)!write(ack, &b, 1);
	_exit(EXIT_SUCCESS);
}

/**
 * tap_sock_keeper() - As root about to become another user: fork the
 *		       process that removes the socket at exit
 * @c:		Execution context
 *
 * The directory of the socket is usually writable by root only: the
 * daemon, once nobody, can't remove the path. A small process forked now,
 * before the daemon gives up anything (and before its PID namespace, whose
 * end would end the keeper too), does it when the daemon asks at exit, or
 * when its end of the pipe closes, should it die.
 */
void tap_sock_keeper(const struct ctx *c)
{
	int req[2], ack[2];
	pid_t pid;

	if (c->mode != MODE_PASST || c->fd_tap_listen < 0 ||
	    tap_sock_dirfd < 0)
		return;
	/* #syscalls:setup pipe2 fork */
	if (pipe2(req, O_CLOEXEC)) {
		warn_perror("No keeper for the socket: it stays after exit");
		return;
	}
	if (pipe2(ack, O_CLOEXEC)) {
		warn_perror("No keeper for the socket: it stays after exit");
		close(req[0]);
		close(req[1]);
		return;
	}
	pid = fork();
	if (pid < 0) {
		warn_perror("No keeper for the socket: it stays after exit");
		close(req[0]);
		close(req[1]);
		close(ack[0]);
		close(ack[1]);
		return;
	}
	if (!pid) {
		close(req[1]);
		close(ack[0]);
		tap_sock_keeper_run(req[0], ack[1]);
	}
	close(req[0]);
	close(ack[1]);
	tap_keeper_req = req[1];
	tap_keeper_ack = ack[0];
}

/**
 * tap_sock_unlink() - Remove the listening socket's path, at exit
 * @c:		Execution context
 */
void tap_sock_unlink(const struct ctx *c)
{
	char b = 0;

	if (c->mode != MODE_PASST || c->fd_tap_listen < 0 ||
	    tap_sock_dirfd < 0)
		return;
	if (tap_keeper_req >= 0) {
		/* #syscalls:passt write read */
		if (write(tap_keeper_req, &b, 1) == 1)
			(void)!read(tap_keeper_ack, &b, 1);
		return;
	}
	/* #syscalls:passt unlinkat */
	unlinkat(tap_sock_dirfd, tap_sock_name, 0);
}

/**
 * tap_sock_listen() - Create the listening UNIX socket for passt
 * @c:		Execution context
 */
static void tap_sock_listen(struct ctx *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned i;
	int fd;

	/* #syscalls:setup socket bind listen */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_perror("Couldn't create UNIX socket");

	for (i = 1; i <= TAP_SOCK_TRIES; i++) {
		if (*c->sock_path) {
			if (str_copy(a.sun_path, sizeof(a.sun_path),
				     c->sock_path))
				die("Socket path too long: '%s'", c->sock_path);
		} else {
			snprintf(a.sun_path, sizeof(a.sun_path),
				 TAP_SOCK_PATH_FMT, i);
		}

		if (!bind(fd, (struct sockaddr *)&a, sizeof(a)))
			break;

		if (errno == EADDRINUSE) {
			/* Stale socket nobody listens on? Take it over */
			int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					   0);

			if (probe >= 0 &&
			    connect(probe, (struct sockaddr *)&a,
				    sizeof(a)) && errno == ECONNREFUSED) {
				close(probe);
				unlink(a.sun_path);
				if (!bind(fd, (struct sockaddr *)&a, sizeof(a)))
					break;
			} else if (probe >= 0) {
				close(probe);
			}
		}
		if (*c->sock_path)
			die_perror("Couldn't bind UNIX socket '%s'",
				   c->sock_path);
	}
	if (i > TAP_SOCK_TRIES)
		die("No free UNIX socket path like " TAP_SOCK_PATH_FMT, 1U);

	if (listen(fd, 0))
		die_perror("Couldn't listen on UNIX socket '%s'", a.sun_path);

	memcpy(c->sock_path, a.sun_path, sizeof(c->sock_path));
	c->fd_tap_listen = fd;
	tap_sock_dir_open(c->sock_path);
	info("UNIX domain socket bound at %s", a.sun_path);
	info("You can now start qemu (>= 7.2), with:");
	if (c->vhost_user)
		info("    qemu-system-x86_64 ... -chardev socket,id=c0,path=%s "
		     "-netdev vhost-user,id=n0,chardev=c0 "
		     "-device virtio-net-pci,netdev=n0 -object "
		     "memory-backend-memfd,id=mem,size=SIZE,share=on "
		     "-numa node,memdev=mem", a.sun_path);
	else
		info("    qemu-system-x86_64 ... -netdev stream,id=n0,"
		     "server=off,addr.type=unix,addr.path=%s "
		     "-device virtio-net-pci,netdev=n0", a.sun_path);
}

/**
 * tap_init() - Set up the guest link for the mode
 * @c:		Execution context
 *
 * pasta: the tap device was opened in the namespace (c->fd_tap). passt: a
 * descriptor given with --fd, or a listening UNIX or AF_VSOCK socket.
 */
void tap_init(struct ctx *c)
{
	rand_bytes(&tap_hash_key, sizeof(tap_hash_key));

	if (c->mode == MODE_PASST) {
		if (c->fd_tap_given >= 0 && c->vhost_user) {
			if (c->fd_tap_given > EPOLL_REF_FD_MAX)
				die("--fd %d: too large", c->fd_tap_given);
			vhost_user_accept(c, c->fd_tap_given);
			if (c->fd_tap < 0)
				die("--fd %d: not usable", c->fd_tap_given);
			return;
		} else if (c->fd_tap_given >= 0) {
			c->fd_tap = c->fd_tap_given;
			if (set_nonblock(c->fd_tap))
				die_perror("--fd %d", c->fd_tap);
			tap_stream_start(c);
		} else {
			if (c->vsock_port)
				vsock_listen(c);
			else
				tap_sock_listen(c);
			if (epoll_add(c->epollfd, EPOLLIN,
				      epoll_ref_make(EPOLL_TYPE_TAP_LISTEN,
						     c->fd_tap_listen, 0)))
				die_perror("epoll_ctl on the listening socket");
			return;
		}
	}

	if (c->fd_tap < 0 || c->fd_tap > EPOLL_REF_FD_MAX)
		die("No usable tap descriptor");
	if (epoll_add(c->epollfd, tap_rx_events(), tap_epoll_ref(c)))
		die_perror("epoll_ctl on tap");
}

/**
 * tap_send() - Send frames to the guest, if the backend takes them now
 * @c:			Execution context
 * @iov:		As for tap_send_frames()
 * @bufs_per_frame:	Entries per frame
 * @nframes:		Number of frames
 * @gso:		Segment size of frames of several (virtio_net_gso()),
 *			0 for none
 *
 * Return: number of frames sent (or queued by the backend)
 */
static size_t tap_send(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes, uint16_t gso)
{
	static struct iovec out[TAP_IOV_MAX];
	static uint8_t lens[TAP_IOV_MAX][sizeof(uint32_t)];
	static size_t flens[TAP_IOV_MAX];
	const size_t hlen = tap_stream_hlen(c);
	size_t i, j, sent = 0;

	if (c->fd_tap < 0 || !nframes) {
		stats_add(STAT_TAP_DROP_OUT, nframes);
		return 0;
	}

	for (i = 0; i < nframes; i++)
		pcap_iov(&iov[i * bufs_per_frame], bufs_per_frame);

	if (c->vhost_user) {
		sent = vhost_user_send(c, iov, bufs_per_frame, nframes, gso);
		if (sent < nframes && c->fd_tap >= 0)
			tap_out_block(c);
		stats_add(STAT_TAP_FRAMES_OUT, sent);
		stats_add(STAT_TAP_DROP_OUT, nframes - sent);
		return sent;
	}

	if (c->mode == MODE_PASTA) {
		static struct virtio_net_hdr vh;
		size_t first = c->tap_vnet_hdr ? 0 : 1;

		ASSERT(bufs_per_frame < TAP_FRAME_IOV_MAX);
		out[0].iov_base = &vh;
		out[0].iov_len = sizeof(vh);
		for (i = 0; i < nframes; i++) {
			unsigned segs = 0;
			ssize_t n;

			if (c->tap_vnet_hdr) {
				virtio_net_csum(&iov[i * bufs_per_frame], &vh);
				segs = virtio_net_gso(&iov[i * bufs_per_frame],
						      bufs_per_frame, gso, &vh);
			}
			memcpy(&out[1], &iov[i * bufs_per_frame],
			       bufs_per_frame * sizeof(*out));
			/* #syscalls:pasta writev */
			do {
				n = writev(c->fd_tap, out + first,
					   (int)(bufs_per_frame + 1 - first));
			} while (n < 0 && errno == EINTR);
			if (n < 0) {
				/* Anything else (EIO: the link is down) gives
				 * no EPOLLOUT to wait for: senders retry on
				 * their own timers
				 */
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					tap_out_block(c);
				else
					debug_perror("tap: write");
				break;
			}
			stats_add(STAT_TAP_BYTES_OUT, (size_t)n);
			if (segs) {
				stats_inc(STAT_TAP_GSO_OUT);
				stats_add(STAT_TAP_GSO_SEGS_OUT, segs);
			}
		}
		stats_add(STAT_TAP_FRAMES_OUT, i);
		stats_add(STAT_TAP_DROP_OUT, nframes - i);
		return i;
	}

	/* Stream: length before each frame, batches of IOV_MAX */
	if (tap_stream_pending_len && !tap_stream_flush_pending(c)) {
		tap_out_block(c);
		stats_add(STAT_TAP_DROP_OUT, nframes);
		return 0;
	}

	while (sent < nframes) {
		size_t cnt = 0, first = sent, nf, total = 0;
		struct msghdr mh = { .msg_iov = out };
		ssize_t n;

		for (i = first; i < nframes &&
		     cnt + bufs_per_frame + 1 <= TAP_IOV_MAX; i++) {
			const struct iovec *f = &iov[i * bufs_per_frame];
			size_t flen = 0;

			for (j = 0; j < bufs_per_frame; j++)
				flen += f[j].iov_len;
			/* No frame we make is longer, but gvproxy's framing
			 * can't say it if one were
			 */
			ASSERT(flen <= TAP_STREAM_MAX);
			tap_stream_len_put(c, lens[i - first], flen);
			flens[i - first] = flen;
			out[cnt].iov_base = lens[i - first];
			out[cnt++].iov_len = hlen;
			for (j = 0; j < bufs_per_frame; j++)
				out[cnt++] = f[j];
			total += flen + hlen;
		}
		nf = i - first;
		mh.msg_iovlen = cnt;

		/* #syscalls:passt sendmsg */
		n = sendmsg(c->fd_tap, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				tap_out_block(c);
			else
				debug_perror("tap: send");
			break;
		}
		stats_add(STAT_TAP_BYTES_OUT, (size_t)n);

		if ((size_t)n == total) {
			sent += nf;
			continue;
		}

		/* Partial: count whole frames, keep the rest of a cut one */
		for (i = 0, cnt = 0; i < nf; i++) {
			size_t flen = flens[i] + hlen;

			if ((size_t)n >= flen) {
				n -= (ssize_t)flen;
				cnt += 1 + bufs_per_frame;
				sent++;
				continue;
			}
			if (n) {
				size_t o = 0, k;

				for (k = 0; k <= bufs_per_frame; k++) {
					memcpy(tap_stream_pending + o,
					       out[cnt + k].iov_base,
					       out[cnt + k].iov_len);
					o += out[cnt + k].iov_len;
				}
				tap_stream_pending_len = o;
				tap_stream_pending_off = (size_t)n;
				sent++;
			}
			tap_out_block(c);
			break;
		}
		break;
	}

	stats_add(STAT_TAP_FRAMES_OUT, sent);
	stats_add(STAT_TAP_DROP_OUT, nframes - sent);
	return sent;
}

/**
 * tap_send_frames() - Send frames to the guest
 * @c:			Execution context
 * @iov:		Scatter lists, @bufs_per_frame entries per frame, each
 *			frame starting with its Ethernet header
 * @bufs_per_frame:	Entries per frame
 * @nframes:		Number of frames
 *
 * While the backend refuses frames, none are tried: those waiting for it
 * go first, in order, once it takes them again.
 *
 * Return: number of frames sent (or queued by the backend); the caller
 *	   keeps responsibility for the rest
 */
size_t tap_send_frames(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	return tap_send_frames_gso(c, iov, bufs_per_frame, nframes, 0);
}

/**
 * tap_gso_ok() - Does the backend take TCP super-frames?
 * @c:		Execution context
 *
 * Return: true for pasta's tap with a virtio-net header, and for a
 *	   vhost-user guest that negotiated GUEST_TSO4/6 (over mergeable
 *	   buffers, with partial checksums)
 */
bool tap_gso_ok(const struct ctx *c)
{
	if (c->vhost_user)
		return vhost_user_guest_tso();
	return c->mode == MODE_PASTA && c->tap_vnet_hdr;
}

/**
 * tap_uso_ok() - Does the backend take UDP trains as one frame?
 * @c:		Execution context
 *
 * Return: true for pasta's tap where the kernel took USO4/6, and for a
 *	   vhost-user guest that negotiated GUEST_USO4/6 (as tap_gso_ok())
 */
bool tap_uso_ok(const struct ctx *c)
{
	if (c->vhost_user)
		return vhost_user_guest_uso();
	return c->tap_uso && tap_gso_ok(c);
}

/**
 * tap_send_frames_gso() - Send frames to the guest, TCP frames of more
 *			   than one segment and UDP trains as super-frames
 * @c:			Execution context
 * @iov:		As for tap_send_frames()
 * @bufs_per_frame:	Entries per frame
 * @nframes:		Number of frames
 * @gso_size:		Segment size of frames longer than it (only
 *			where tap_gso_ok()), 0 for none
 *
 * Return: as tap_send_frames()
 */
size_t tap_send_frames_gso(struct ctx *c, const struct iovec *iov,
			   size_t bufs_per_frame, size_t nframes,
			   uint16_t gso_size)
{
	if (tap_out_blocked) {
		stats_add(STAT_TAP_DROP_OUT, nframes);
		return 0;
	}
	return tap_send(c, iov, bufs_per_frame, nframes,
			tap_gso_ok(c) || tap_uso_ok(c) ? gso_size : 0);
}

/**
 * tap_lend() - Borrow frames from the backend, to fill where they lie
 * @c:		Execution context
 * @hlen:	Header bytes of each frame, Ethernet to L4, written later
 * @plen:	Payload each frame holds; 0: whatever one buffer of the
 *		backend holds (the excess goes through tap_lend_send())
 * @n:		Frames wanted
 * @rooms:	Where each frame's payload goes, set for the frames lent
 *
 * The seam for receiving from host sockets straight into the guest's
 * memory (vhost-user), or into a pool that the kernel then sends without
 * copying (an AF_VSOCK stream, tap_zc.c; a backend with neither lends
 * nothing): the caller receives into the rooms, then hands every frame
 * lent back to tap_lend_send() (or tap_lend_cancel()), used or not,
 * before it sends anything else.
 *
 * Return: frames lent; none if the backend doesn't lend, or holds no
 *	   buffers now: then tap_out_full() is true, as after a refused send
 *	   (not so for a busy pool: then the caller copies)
 */
size_t tap_lend(struct ctx *c, size_t hlen, size_t plen, size_t n,
		struct pkt_room *rooms)
{
	bool empty;
	size_t lent;

	if (c->fd_tap < 0 || tap_out_blocked || !n)
		return 0;
	if (!c->vhost_user) {
		if (!tap_zc_lends(c) || tap_stream_pending_len)
			return 0;
		return tap_zc_lend(c, tap_stream_hlen(c) + hlen, plen,
				   MIN(n, (size_t)TAP_LEND_MAX), rooms);
	}
	lent = vhost_user_lend(c, VIRTIO_NET_HDR_LEN + hlen, plen,
			       MIN(n, (size_t)TAP_LEND_MAX), rooms, &empty);
	if (!lent && empty && c->fd_tap >= 0)
		tap_out_block(c);
	return lent;
}

/**
 * tap_lends() - Does the backend lend its buffers (tap_lend())?
 * @c:		Execution context
 *
 * Return: true for vhost-user, and an AF_VSOCK stream sending zero-copy
 */
bool tap_lends(const struct ctx *c)
{
	return c->vhost_user || tap_zc_lends(c);
}

/**
 * tap_lend_pcap() - Capture a frame filled in place
 * @f:		What the caller wrote
 * @room:	Room of the frame
 * @hlen:	Length of the headers
 */
static void tap_lend_pcap(const struct tap_fill *f,
			  const struct pkt_room *room, size_t hlen)
{
	static struct iovec iov[VIRTQ_SEG_MAX + 2];
	size_t left = f->plen, i, n = 0;

	iov[n].iov_base = (void *)(uintptr_t)f->hdr;
	iov[n++].iov_len = hlen;
	for (i = 0; i < room->cnt && left && n < VIRTQ_SEG_MAX + 1; i++) {
		iov[n] = room->iov[i];
		iov[n].iov_len = MIN(iov[n].iov_len, left);
		left -= iov[n++].iov_len;
	}
	if (f->mlen) {
		iov[n].iov_base = (void *)(uintptr_t)f->more;
		iov[n++].iov_len = f->mlen;
	}
	pcap_iov(iov, n);
}

/**
 * tap_stream_lend_sent() - Count what a send of lent frames took, keep the
 *			    rest of a frame it cut
 * @c:		Execution context
 * @iov:	Frames sent, one entry each, length field included
 * @nf:		Number of frames
 * @n:		Bytes the socket took
 *
 * Return: frames sent, the one cut included (its rest goes first next)
 */
static size_t tap_stream_lend_sent(struct ctx *c, const struct iovec *iov,
				   size_t nf, size_t n)
{
	size_t i;

	for (i = 0; i < nf && n >= iov[i].iov_len; i++)
		n -= iov[i].iov_len;
	if (i == nf)
		return nf;
	if (n) {
		/* Out of the pool's chunk: it's reused once the kernel is
		 * done with what it took
		 */
		memcpy(tap_stream_pending, iov[i].iov_base, iov[i].iov_len);
		tap_stream_pending_len = iov[i].iov_len;
		tap_stream_pending_off = n;
		i++;
	}
	tap_out_block(c);
	return i;
}

/**
 * tap_stream_lend_send() - Send frames lent from tap_zc.c's pool
 * @c:		Execution context
 * @hlen:	Length of the headers
 * @rooms:	Rooms, as tap_lend() set them
 * @fill:	What was written into each frame
 * @n:		Entries of @fill
 *
 * Each frame gets its length field and headers in front of its room, and
 * they all go in one send (zero-copy if it pays: tap_zc_send()).
 *
 * Return: frames sent
 */
static size_t tap_stream_lend_send(struct ctx *c, size_t hlen,
				   const struct pkt_room *rooms,
				   const struct tap_fill *fill, size_t n)
{
	static struct iovec iov[TAP_LEND_MAX];
	const size_t shlen = tap_stream_hlen(c);
	size_t i, nf = 0, total = 0, sent;
	ssize_t r;

	for (i = 0; i < n; i++) {
		const struct tap_fill *f = &fill[i];
		uint8_t *p;

		if (!f->hdr)
			continue;
		/* Rooms are whole frames' payload here: nothing beyond */
		ASSERT(!f->mlen && f->plen <= rooms[i].len);
		p = tap_zc_frame(i);
		tap_stream_len_put(c, p, hlen + f->plen);
		memcpy(p + shlen, f->hdr, hlen);
		iov[nf].iov_base = p;
		iov[nf].iov_len = shlen + hlen + f->plen;
		pcap_iov(&(struct iovec){ .iov_base = p + shlen,
					  .iov_len = hlen + f->plen }, 1);
		total += iov[nf++].iov_len;
	}
	if (!nf || (tap_stream_pending_len && !tap_stream_flush_pending(c))) {
		tap_zc_cancel();
		if (nf)
			tap_out_block(c);
		stats_add(STAT_TAP_DROP_OUT, nf);
		return 0;
	}

	r = tap_zc_send(c, iov, nf, total);
	if (r < 0) {
		/* The chunk is back in the pool: the caller peeks again
		 * once the socket takes more
		 */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			tap_out_block(c);
		else
			debug_perror("tap: send");
		sent = 0;
	} else {
		stats_add(STAT_TAP_BYTES_OUT, (size_t)r);
		sent = tap_stream_lend_sent(c, iov, nf, (size_t)r);
	}
	stats_add(STAT_TAP_FRAMES_OUT, sent);
	stats_add(STAT_TAP_DROP_OUT, nf - sent);
	return sent;
}

/**
 * tap_lend_send() - Send the frames filled in place, give back the rest
 * @c:		Execution context
 * @hlen:	Length of the headers, as given to tap_lend()
 * @rooms:	Rooms, as tap_lend() set them
 * @fill:	What was written into each frame, in the order lent
 * @n:		Entries of @fill: frames lent beyond them are unused
 * @gso_size:	Segment size of frames longer than it (only where
 *		tap_gso_ok() or tap_uso_ok()), 0 for none
 *
 * Return: frames sent: of frames without excess (@fill's @more), the first
 *	   ones filled, the rest only if the backend broke down
 */
size_t tap_lend_send(struct ctx *c, size_t hlen,
		     const struct pkt_room *rooms, const struct tap_fill *fill,
		     size_t n, uint16_t gso_size)
{
	static uint8_t pre[TAP_LEND_MAX][VIRTIO_NET_HDR_LEN + TAP_HDR_MAX];
	static struct virtio_net_out out[TAP_LEND_MAX];
	static unsigned segs[TAP_LEND_MAX];
	bool csum = !tap_l4_csum(c);
	size_t i, k, sent, frames = 0, bytes = 0, in_place = 0;

	if (n > TAP_LEND_MAX)		/* tap_lend() lends no more */
		n = TAP_LEND_MAX;
	if (!c->vhost_user)
		return tap_stream_lend_send(c, hlen, rooms, fill, n);
	for (i = 0; i < n; i++) {
		const struct tap_fill *f = &fill[i];
		struct virtio_net_hdr vh = { 0 };

		out[i].pre = f->hdr ? pre[i] : NULL;
		out[i].plen = f->plen;
		out[i].more = f->more;
		out[i].mlen = f->mlen;
		if (!f->hdr)
			continue;
		segs[i] = 0;
		if (csum) {
			const struct iovec h[2] = {
				{ .iov_base = (void *)(uintptr_t)f->hdr,
				  .iov_len = hlen },
				{ .iov_base = NULL,
				  .iov_len = f->plen + f->mlen },
			};

			virtio_net_csum(h, &vh);
			segs[i] = virtio_net_gso(h, 2, gso_size, &vh);
		}
		memcpy(pre[i], &vh, sizeof(vh));
		memcpy(pre[i] + VIRTIO_NET_HDR_LEN, f->hdr, hlen);
		tap_lend_pcap(f, &rooms[i], hlen);
		frames++;
	}
	sent = vhost_user_lend_done(c, out, n);
	for (i = 0, k = 0; i < n && k < sent; i++) {
		if (!fill[i].hdr)
			continue;
		bytes += hlen + fill[i].plen + fill[i].mlen;
		in_place += fill[i].plen;
		if (segs[i]) {
			stats_inc(STAT_TAP_GSO_OUT);
			stats_add(STAT_TAP_GSO_SEGS_OUT, segs[i]);
		}
		k++;
	}
	stats_add(STAT_TAP_FRAMES_OUT, sent);
	stats_add(STAT_TAP_DROP_OUT, frames - sent);
	stats_add(STAT_TAP_BYTES_OUT, bytes);
	stats_add(STAT_TAP_BYTES_IN_PLACE, in_place);
	return sent;
}

/**
 * tap_lend_cancel() - Give back every frame tap_lend() lent, none used
 * @c:		Execution context
 */
void tap_lend_cancel(struct ctx *c)
{
	if (c->vhost_user)
		vhost_user_lend_done(c, NULL, 0);
	else
		tap_zc_cancel();
}

/**
 * tap_l4_csum() - Must TCP and UDP checksums towards the guest be complete?
 * @c:		Execution context
 *
 * Return: false if the backend takes them as partial (pasta's tap with a
 *	   virtio-net header): then the checksum field holds only the sum of
 *	   the pseudo-header (tap_l4_csum_seed()), the frame goes in marked
 *	   VIRTIO_NET_HDR_F_NEEDS_CSUM (the same for a vhost-user guest that
 *	   negotiated VIRTIO_NET_F_GUEST_CSUM), and the guest's kernel doesn't verify
 *	   it on local delivery (and completes it, should it forward the
 *	   packet): one pass over the data saved on each side. The kernel's
 *	   UDP over IPv4 verifies partial checksums anyway: there, a zero
 *	   checksum ("none", RFC 768) does the same job
 */
bool tap_l4_csum(const struct ctx *c)
{
	if (c->vhost_user)
		return !vhost_user_guest_csum();
	return !(c->mode == MODE_PASTA && c->tap_vnet_hdr);
}

/**
 * tap_l4_csum_seed() - Checksum field of a partial TCP or UDP checksum
 * @pseudo:	Partial sum of the pseudo-header (csum_pseudo4/6())
 *
 * Return: value to store in the checksum field, network order
 */
uint16_t tap_l4_csum_seed(uint32_t pseudo)
{
	return (uint16_t)~csum_fold(pseudo);
}

/**
 * tap_send_single() - Send one contiguous frame, a reply of the link
 *		       services or a datagram: tried even while flows wait for
 *		       the backend, as it may have room for a small one
 * @c:		Execution context
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Length
 */
void tap_send_single(struct ctx *c, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)frame,
			     .iov_len = len };

	tap_send(c, &iov, 1, 1, 0);
}

/**
 * tap_eth_hdr() - Write an Ethernet header from us to the guest
 * @c:		Execution context
 * @buf:	Output, at least 14 bytes
 * @ethertype:	Ethertype, host order
 *
 * Return: header length
 */
size_t tap_eth_hdr(const struct ctx *c, void *buf, uint16_t ethertype)
{
	struct ether_header eh;
	static const uint8_t bcast[MAC_LEN] = { 0xff, 0xff, 0xff,
						0xff, 0xff, 0xff };

	memcpy(eh.ether_dhost, mac_is_zero(c->guest_mac) ? bcast :
	       c->guest_mac, MAC_LEN);
	memcpy(eh.ether_shost, c->our_tap_mac, MAC_LEN);
	eh.ether_type = htons(ethertype);
	memcpy(buf, &eh, sizeof(eh));
	return sizeof(eh);
}

/**
 * tap_ip4_hdr() - Write an IPv4 header (no options, DF, TTL 255)
 * @buf:	Output, at least 20 bytes
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Protocol
 * @l4len:	Length of L4 header and payload
 *
 * Return: header length
 */
size_t tap_ip4_hdr(void *buf, struct in_addr src, struct in_addr dst,
		   uint8_t proto, size_t l4len)
{
	uint16_t tot = (uint16_t)(l4len + sizeof(struct iphdr));
	struct iphdr h = {
		.version = 4, .ihl = 5, .tot_len = htons(tot),
		.frag_off = htons(IP_DF), .ttl = 255, .protocol = proto,
		.saddr = src.s_addr, .daddr = dst.s_addr,
	};

	h.check = csum_ip4_header(tot, proto, src, dst);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

/**
 * tap_ip6_hdr() - Write an IPv6 header (hop limit 255)
 * @buf:	Output, at least 40 bytes
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header
 * @l4len:	Payload length
 * @flow_label:	Flow label (20 bits)
 *
 * Return: header length
 */
size_t tap_ip6_hdr(void *buf, const struct in6_addr *src,
		   const struct in6_addr *dst, uint8_t proto, size_t l4len,
		   uint32_t flow_label)
{
	struct ip6_hdr h;

	h.ip6_flow = htonl(6U << 28 | (flow_label & 0xfffff));
	h.ip6_plen = htons((uint16_t)l4len);
	h.ip6_nxt = proto;
	h.ip6_hlim = 255;
	h.ip6_src = *src;
	h.ip6_dst = *dst;
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

/* Control-path frames are built here: they are small and infrequent */
static uint8_t tap_ctl_buf[TAP_FRAME_MAX];

/**
 * tap_udp4_send() - Send a UDP datagram over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *data,
		   size_t len)
{
	size_t l4len = len + sizeof(struct udphdr), off;
	struct udphdr uh;
	uint32_t sum;

	if (l4len + ETH_HLEN_ + sizeof(struct iphdr) > sizeof(tap_ctl_buf))
		return;
	off = tap_eth_hdr(c, tap_ctl_buf, ETHERTYPE_IP);
	off += tap_ip4_hdr(tap_ctl_buf + off, src, dst, IPPROTO_UDP, l4len);

	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons((uint16_t)l4len);
	uh.check = 0;
	memcpy(tap_ctl_buf + off, &uh, sizeof(uh));
	memcpy(tap_ctl_buf + off + sizeof(uh), data, len);

	sum = csum_pseudo4((uint16_t)l4len, IPPROTO_UDP, src, dst);
	if (tap_l4_csum(c)) {
		uh.check = csum_fold(csum_partial(tap_ctl_buf + off, l4len,
						  sum));
		if (!uh.check)
			uh.check = 0xffff;
	}
	memcpy(tap_ctl_buf + off + offsetof(struct udphdr, check), &uh.check,
	       sizeof(uh.check));

	tap_send_single(c, tap_ctl_buf, off + l4len);
}

/**
 * tap_udp6_send() - Send a UDP datagram over IPv6 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport,
		   const void *data, size_t len)
{
	size_t l4len = len + sizeof(struct udphdr), off;
	struct udphdr uh;
	uint32_t sum;

	if (l4len + ETH_HLEN_ + sizeof(struct ip6_hdr) > sizeof(tap_ctl_buf))
		return;
	off = tap_eth_hdr(c, tap_ctl_buf, ETHERTYPE_IPV6);
	off += tap_ip6_hdr(tap_ctl_buf + off, src, dst, IPPROTO_UDP, l4len, 0);

	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons((uint16_t)l4len);
	uh.check = 0;
	memcpy(tap_ctl_buf + off, &uh, sizeof(uh));
	memcpy(tap_ctl_buf + off + sizeof(uh), data, len);

	sum = csum_pseudo6((uint32_t)l4len, IPPROTO_UDP, src, dst);
	if (tap_l4_csum(c))
		uh.check = csum_fold(csum_partial(tap_ctl_buf + off, l4len,
						  sum));
	else
		uh.check = tap_l4_csum_seed(sum);
	if (!uh.check)
		uh.check = 0xffff;
	memcpy(tap_ctl_buf + off + offsetof(struct udphdr, check), &uh.check,
	       sizeof(uh.check));

	tap_send_single(c, tap_ctl_buf, off + l4len);
}

/**
 * tap_icmp4_send() - Send an ICMP message to the guest, filling its checksum
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp:	ICMP header and payload, checksum field overwritten
 * @len:	Length
 */
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    void *icmp, size_t len)
{
	struct icmphdr *ih = icmp;
	size_t off;

	if (len < sizeof(*ih) ||
	    len + ETH_HLEN_ + sizeof(struct iphdr) > sizeof(tap_ctl_buf))
		return;
	ih->checksum = 0;
	ih->checksum = csum_fold(csum_partial(icmp, len, 0));

	off = tap_eth_hdr(c, tap_ctl_buf, ETHERTYPE_IP);
	off += tap_ip4_hdr(tap_ctl_buf + off, src, dst, IPPROTO_ICMP, len);
	memcpy(tap_ctl_buf + off, icmp, len);
	tap_send_single(c, tap_ctl_buf, off + len);
}

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest, with checksum
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 header and payload, checksum field overwritten
 * @len:	Length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	struct icmp6_hdr *ih = icmp6;
	size_t off;

	if (len < sizeof(*ih) ||
	    len + ETH_HLEN_ + sizeof(struct ip6_hdr) > sizeof(tap_ctl_buf))
		return;
	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = csum_fold(csum_partial(icmp6, len,
		csum_pseudo6((uint32_t)len, IPPROTO_ICMPV6, src, dst)));

	off = tap_eth_hdr(c, tap_ctl_buf, ETHERTYPE_IPV6);
	off += tap_ip6_hdr(tap_ctl_buf + off, src, dst, IPPROTO_ICMPV6, len, 0);
	memcpy(tap_ctl_buf + off, icmp6, len);
	tap_send_single(c, tap_ctl_buf, off + len);
}

/**
 * tap_ip6_guest_dst() - Guest address to send to, matching a source scope
 * @c:		Execution context
 * @src:	Source address we will use
 *
 * Return: the guest's link-local address for a link-local source, its
 *	   global address otherwise
 */
const struct in6_addr *tap_ip6_guest_dst(const struct ctx *c,
					 const struct in6_addr *src)
{
	if (IN6_IS_ADDR_LINKLOCAL(src))
		return &c->ip6.addr_ll_seen;
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		return &c->ip6.addr_seen;
	return &c->ip6.addr;
}
