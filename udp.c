// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation between the guest and host sockets
 *
 * Theory of operation
 *
 * A UDP flow is an exchange of datagrams between two endpoints, with a
 * socket on each side that isn't the guest's tap link:
 *  - from the guest: the first datagram of a (source, destination) pair
 *    creates a flow and a host socket connected to the destination (mapped
 *    as fwd.c says: the gateway to the host's loopback, the --dns-forward
 *    address to the host's resolver, ...). Connected, so that the kernel
 *    sorts replies for us, and ICMP errors come back on that socket;
 *  - to the guest (-u): a datagram on a forwarded port's socket
 *    (fwd_listen.c) from a new peer creates a flow, and a reply socket
 *    bound to the same port (SO_REUSEADDR) and connected to the peer: the
 *    kernel then hands that peer's datagrams to it, and our answers leave
 *    from the port the peer wrote to;
 *  - spliced (pasta): between a peer on the host's loopback and the
 *    namespace's loopback (or, for -U, the other way), no tap link at all:
 *    a socket on each side, datagrams passed from one to the other.
 * Datagrams are moved in batches: recvmmsg() from a socket, sendmmsg() to
 * one, and the tap backend's batched send towards the guest.
 *
 * ICMP errors: host sockets have IP_RECVERR / IPV6_RECVERR set. Errors the
 * host receives for a flow (port or host unreachable, fragmentation needed
 * or packet too big) arrive on the socket's error queue, with the payload
 * of the datagram they are about; we rebuild the guest's original datagram
 * from the flow's addresses and that payload, and send the guest the
 * matching ICMP or ICMPv6 error: so a client sees ECONNREFUSED at once, and
 * path MTU discovery works.
 *
 * Expiry: as the kernel's conntrack does it, a flow lives UDP_TIMEOUT_S
 * after its last datagram, or UDP_TIMEOUT_STREAM_S once datagrams went
 * both ways and kept coming after its first UDP_STREAM_AFTER_S seconds (a
 * query and its answer stay short-lived), unless the host's conntrack
 * timeouts say otherwise (read at start).
 *
 * Limits: datagrams up to the MTU towards the guest (larger ones are
 * dropped and counted: we don't fragment), up to 65507 bytes of payload
 * from it. Zero-length datagrams are valid and passed on.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <linux/errqueue.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "util.h"
#include "log.h"
#include "checksum.h"
#include "stats.h"
#include "packet.h"
#include "inany.h"
#include "tap.h"
#include "flow.h"
#include "fwd.h"
#include "fwd_listen.h"
#include "netns.h"
#include "udp.h"

#define UDP_BATCH		32	/* datagrams per recvmmsg/sendmmsg */
#define UDP_TRAIN_MAX		UDP_BATCH	/* datagrams joined in a train */
#define UDP_RCVBUF		(4 << 20)	/* flow sockets' SO_RCVBUF */
#define UDP_MAX_PAYLOAD		65507	/* IPv4's limit, also ours */
#define UDP_BUF_SIZE		65536
#define UDP_TIMEOUT_S		30
#define UDP_TIMEOUT_STREAM_S	180
#define UDP_STREAM_AFTER_S	2	/* as conntrack: a lasting exchange */
#define UDP_ERRQUEUE_BATCH	16
#define UDP_HDR_MAX		(14 + 40 + 8)
#define UDP_LENT_SEGS		64	/* of a lent buffer we receive into */
/* Largest ICMP error, headers included (RFC 1812 4.3.2.3, RFC 4443 2.4 (c)),
 * and how much of the offending datagram's payload that leaves room for,
 * after our IP and ICMP headers and the quoted IP and UDP headers
 */
#define UDP_ICMP4_MAX		576
#define UDP_ICMP6_MAX		1280
#define UDP_ICMP4_HDRS		(20 + 8 + 20 + 8)
#define UDP_ICMP6_HDRS		(40 + 8 + 40 + 8)

/**
 * struct udp_flow - A UDP flow
 * @f:		Common flow fields
 * @s:		Socket of each side, -1 for the guest's (tap) side
 * @ts:		Last datagram, seconds on the monotonic clock
 * @created:	When the flow started, same clock
 * @seen:	Bit per side: datagrams came from that side
 * @stream:	Datagrams went both ways past UDP_STREAM_AFTER_S
 */
struct udp_flow {
	struct flow_common f;
	int s[2];
	time_t ts;
	time_t created;
	uint8_t seen;
	bool stream;
};
static_assert(sizeof(struct udp_flow) <= FLOW_SLOT_SIZE,
	      "udp_flow must fit a flow slot");

static unsigned udp_timeout = UDP_TIMEOUT_S;
static unsigned udp_timeout_stream = UDP_TIMEOUT_STREAM_S;

/* Receive side of a batch */
static uint8_t udp_buf[UDP_BATCH][UDP_BUF_SIZE];
static struct mmsghdr udp_mmh[UDP_BATCH];
static struct iovec udp_iov[UDP_BATCH];
static union sockaddr_inany udp_peer[UDP_BATCH];
static union {
	struct cmsghdr h;
	uint8_t b[CMSG_SPACE(sizeof(int))];
} udp_cm[UDP_BATCH];
static uint16_t udp_gro[UDP_BATCH];	/* segment size of a train, or 0 */
/* Send side, and the segment size of trains (UDP_SEGMENT) */
static struct mmsghdr udp_out_mmh[TAP_BATCH_MAX];
static struct iovec udp_out_iov[TAP_BATCH_MAX];
static union {
	struct cmsghdr h;
	uint8_t b[CMSG_SPACE(sizeof(uint16_t))];
} udp_out_cm[TAP_BATCH_MAX];
static uint16_t udp_out_gso[TAP_BATCH_MAX];
/* Datagrams from the guest joined in trains, see udp_join() */
#define UDP_JOIN_MAX		64	/* UDP_MAX_SEGMENTS before Linux 6.10 */
#define UDP_JOIN_BYTES		65507	/* largest UDP payload over IPv4 */
static uint8_t udp_join_cnt[TAP_BATCH_MAX];
static uint16_t udp_join_gso[TAP_BATCH_MAX];

/* Most segments in a train a kernel makes (UDP_MAX_SEGMENTS: 64, 128 in
 * Linux 6.10): longer, it's no train of a kernel's; a host that takes
 * fewer refuses it, and we split it
 */
#define UDP_GSO_SEGS_MAX	128
/* Frames to the guest */
static uint8_t udp_hdrs[UDP_BATCH][UDP_HDR_MAX];
static struct iovec udp_tap_iov[UDP_BATCH * 2];

/**
 * udp_flow_of() - Protocol view of a flow
 * @f:		Common flow fields of a FLOW_UDP flow
 *
 * Return: UDP flow
 */
static struct udp_flow *udp_flow_of(struct flow_common *f)
{
	return (struct udp_flow *)(void *)f;
}

/**
 * udp_tapside() - Which side of a flow is the guest's tap link
 * @uf:		Flow
 *
 * Return: INISIDE, TGTSIDE, or -1 for a spliced flow
 */
static int udp_tapside(const struct udp_flow *uf)
{
	if (uf->f.pif[INISIDE] == PIF_TAP)
		return INISIDE;
	if (uf->f.pif[TGTSIDE] == PIF_TAP)
		return TGTSIDE;
	return -1;
}

/**
 * udp_flow_seen() - Datagrams came from one side of a flow
 * @uf:		Flow
 * @side:	That side
 * @now:	Current time
 */
static void udp_flow_seen(struct udp_flow *uf, unsigned side,
			  const struct timespec *now)
{
	uf->ts = now->tv_sec;
	uf->seen |= (uint8_t)(1U << side);
	if (uf->seen == 3 && now->tv_sec - uf->created >= UDP_STREAM_AFTER_S)
		uf->stream = true;
}

/**
 * udp_flow_end() - Close a flow's sockets and release it
 * @c:		Execution context
 * @uf:		Flow
 */
static void udp_flow_end(struct ctx *c, struct udp_flow *uf)
{
	unsigned side;

	for (side = 0; side < 2; side++) {
		if (uf->s[side] < 0)
			continue;
		epoll_del(c->epollfd, uf->s[side]);
		/* #syscalls close */
		close(uf->s[side]);
		uf->s[side] = -1;
	}
	flow_close(&uf->f);
}

/**
 * struct udp_sock_req - A socket to create, possibly in the namespace
 * @af:		Family
 * @bind:	Local address to bind to, or NULL
 * @bind_port:	Local port, 0 for any
 * @v6only:	IPV6_V6ONLY for AF_INET6
 * @reuse:	Set SO_REUSEADDR (reply sockets on a forwarded port)
 * @ifname:	Device to bind to, NULL or empty for none
 * @dst:	Peer to connect to
 * @dport:	Its port
 * @scope_id:	Scope for a link-local peer
 * @gro:	Ask for trains of datagrams (UDP_GRO): where the guest's link
 *		takes UDP super-frames (tap_uso_ok()). A socket keeps what it
 *		asked for: trains for a later vhost-user guest without USO
 *		are dropped as too big (udp_to_guest())
 * @step:	Result: the call that failed
 */
struct udp_sock_req {
	int af;
	const union inany_addr *bind;
	uint16_t bind_port;
	bool v6only;
	bool reuse;
	bool gro;
	const char *ifname;
	const union inany_addr *dst;
	uint16_t dport;
	unsigned scope_id;
	const char *step;
};

/**
 * udp_sock_open() - Create, bind and connect a flow socket
 * @arg:	struct udp_sock_req
 *
 * Runs in the namespace thread for namespace-side sockets: it must not log.
 *
 * Return: socket, or -errno
 */
static int udp_sock_open(void *arg)
{
	struct udp_sock_req *r = arg;
	int s, one = 1, v6only = r->v6only, e, rcvbuf = UDP_RCVBUF;
	union sockaddr_inany sa;
	socklen_t sl;

	r->step = "socket";
	/* #syscalls socket setsockopt bind connect */
	s = socket(r->af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_UDP);
	if (s < 0)
		return -errno;
	if (s > EPOLL_REF_FD_MAX) {
		close(s);
		return -EMFILE;
	}

	r->step = "setsockopt";
	if (r->af == AF_INET &&
	    setsockopt(s, SOL_IP, IP_RECVERR, &one, sizeof(one)))
		goto fail;
	if (r->af == AF_INET6 &&
	    (setsockopt(s, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one)) ||
	     setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			sizeof(v6only))))
		goto fail;
	if (r->reuse &&
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* A kernel without it gives single datagrams, as before */
	if (r->gro)
		setsockopt(s, SOL_UDP, UDP_GRO, &one, sizeof(one));
	/* Room for what comes while we don't run: the kernel caps it at
	 * net.core.rmem_max (and doubles it), the default is a fraction
	 */
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (r->ifname && *r->ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, r->ifname,
		       (socklen_t)strlen(r->ifname)))
		goto fail;

	if (r->bind || r->bind_port) {
		union inany_addr any = r->af == AF_INET ? inany_any4 :
							  inany_any6;

		r->step = "bind";
		sl = inany_to_sockaddr_af(r->bind ? r->bind : &any,
					  r->bind_port, 0, r->af, &sa);
		if (bind(s, &sa.sa, sl))
			goto fail;
	}

	r->step = "connect";
	sl = inany_to_sockaddr_af(r->dst, r->dport, r->scope_id, r->af, &sa);
	if (connect(s, &sa.sa, sl))
		goto fail;
	return s;

fail:
	e = errno;
	close(s);
	return -e;
}

/**
 * udp_sock_fail() - Log a flow socket that couldn't be opened
 * @what:	Whose flow: "from the guest to", "to"...
 * @port:	Port, for the message
 * @step:	Call that failed, NULL if unknown
 * @err:	Error, as -errno
 *
 * Running out of descriptors or of kernel memory is a warning, rate-limited:
 * the user may want to do something about it. Anything else (a route that
 * fails, an address that can't be bound) depends on the guest's traffic and
 * stays at debug level.
 */
static void udp_sock_fail(const char *what, uint16_t port, const char *step,
			  int err)
{
	int e = -err;

	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
		warn_ratelimit("UDP: no socket for a flow %s port %u, dropping its datagrams: %s",
			       what, port, fd_err_str(e));
	else
		debug("UDP: can't %s for a flow %s port %u: %s",
		      step ? step : "create a socket", what, port,
		      strerror(e));
}

/**
 * udp_sock_register() - Watch a flow socket
 * @c:		Execution context
 * @uf:		Flow, type set
 * @side:	Side the socket is for
 * @s:		Socket
 *
 * Return: 0 on success, -errno on failure
 */
static int udp_sock_register(const struct ctx *c, struct udp_flow *uf,
			     unsigned side, int s)
{
	union epoll_ref ref = epoll_ref_make(EPOLL_TYPE_UDP_REPLY, s,
					     flow_sidx(flow_idx(&uf->f),
						       side));

	uf->s[side] = s;
	return epoll_add(c->epollfd, EPOLLIN, ref);
}

/**
 * udp_flow_from_tap() - First datagram of a flow from the guest
 * @c:		Execution context
 * @seq:	Its datagrams
 * @now:	Current time
 *
 * Return: flow, or NULL if refused (logged, counted)
 */
static struct udp_flow *udp_flow_from_tap(struct ctx *c,
					  const struct tap_l4_seq *seq,
					  const struct timespec *now)
{
	struct udp_sock_req r = { 0 };
	union inany_addr host_dst, src;
	union sockaddr_inany sa;
	struct flow_common *f;
	struct udp_flow *uf;
	socklen_t sl = sizeof(sa);
	enum fwd_map map;
	int s;

	if (inany_is_multicast(&seq->dst) || inany_is_unspec(&seq->dst) ||
	    !seq->dport)
		return NULL;

	f = flow_alloc();
	if (!f) {
		warn_ratelimit("UDP: flow table full (--max-flows %u), dropping datagrams from the guest to port %u",
			       flow_max(), seq->dport);
		return NULL;
	}
	uf = udp_flow_of(f);
	uf->s[0] = uf->s[1] = -1;

	map = fwd_flow_from_tap(c, f, seq);
	host_dst = f->side[TGTSIDE].eaddr;

	r.af = inany_af(&host_dst);
	r.v6only = true;
	r.dst = &host_dst;
	r.dport = seq->dport;
	r.scope_id = c->ip6.ifi;
	r.gro = tap_uso_ok(c);
	if (map != FWD_MAP_LOOPBACK) {
		const struct in_addr *d4 = inany_v4(&host_dst);

		r.ifname = d4 ? c->ip4.ifname_out : c->ip6.ifname_out;
		if (d4)
			inany_from_v4(&src, c->ip4.addr_out);
		else
			inany_from_v6(&src, &c->ip6.addr_out);
		if (!inany_is_unspec(&src))
			r.bind = &src;
	}

	s = udp_sock_open(&r);
	if (s < 0) {
		udp_sock_fail("from the guest to", seq->dport, r.step, s);
		flow_alloc_cancel(f);
		return NULL;
	}
	/* #syscalls getsockname */
	if (!getsockname(s, &sa.sa, &sl))
		inany_from_sockaddr(&sa, &f->side[TGTSIDE].oaddr,
				    &f->side[TGTSIDE].oport);

	flow_activate(f, FLOW_UDP);
	if (udp_sock_register(c, uf, TGTSIDE, s)) {
		udp_flow_end(c, uf);
		return NULL;
	}
	flow_hash_insert(f, INISIDE);
	uf->ts = uf->created = now->tv_sec;
	stats_inc(STAT_UDP_FLOWS);
	flow_log(f, LOG_DEBUG, "new UDP flow from guest");
	return uf;
}

/**
 * udp_send_split() - Send a train of datagrams one by one
 * @s:		Socket
 * @mh:		The train: entries each one datagram, or several of @gso
 * @gso:	Segment size
 *
 * For a train the host refused whole: UDP_SEGMENT needs a route whose MTU
 * holds a segment, and a device that checksums.
 */
static void udp_send_split(int s, const struct msghdr *mh, uint16_t gso)
{
	size_t i, off;

	stats_inc(STAT_UDP_GSO_SPLIT);
	for (i = 0; i < mh->msg_iovlen; i++) {
		const struct iovec *d = &mh->msg_iov[i];
		const uint8_t *p = d->iov_base;

		for (off = 0; off < d->iov_len; off += gso) {
			/* #syscalls send sendto */
			if (send(s, p + off, MIN(gso, d->iov_len - off),
				 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				stats_inc(STAT_UDP_DROP_SEND);
		}
	}
}

/**
 * udp_out_prepare() - Set up the messages of a batch to send
 * @iov:	Datagrams, or trains of them, in order
 * @cnt:	Entries of @iov in each message; NULL: one each
 * @gso:	Segment size of each message's train, 0 for a single
 *		datagram; NULL: none
 * @n:		Number of messages
 */
static void udp_out_prepare(const struct iovec *iov, const uint8_t *cnt,
			    const uint16_t *gso, unsigned n)
{
	unsigned i, off = 0;

	for (i = 0; i < n; i++) {
		struct msghdr *mh = &udp_out_mmh[i].msg_hdr;
		uint16_t g = gso ? gso[i] : 0;
		size_t k, len = 0;

		memset(&udp_out_mmh[i], 0, sizeof(udp_out_mmh[i]));
		mh->msg_iov = &udp_out_iov[off];
		mh->msg_iovlen = cnt ? cnt[i] : 1;
		for (k = 0; k < mh->msg_iovlen; k++, off++) {
			udp_out_iov[off] = iov[off];
			len += iov[off].iov_len;
		}
		udp_out_gso[i] = 0;
		if (!g || len <= g)
			continue;
		udp_out_gso[i] = g;
		mh->msg_control = udp_out_cm[i].b;
		mh->msg_controllen = sizeof(udp_out_cm[i].b);
		udp_out_cm[i].h.cmsg_level = SOL_UDP;
		udp_out_cm[i].h.cmsg_type = UDP_SEGMENT;
		udp_out_cm[i].h.cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(&udp_out_cm[i].h), &g, sizeof(g));
		stats_inc(STAT_UDP_GSO_SENDS);
	}
}

/**
 * udp_send_to_sock() - Send datagrams on a connected socket
 * @s:		Socket
 * @iov:	Datagrams, or trains of them (UDP_SEGMENT), in order
 * @cnt:	Entries of @iov in each message; NULL: one each
 * @gso:	Segment size of each message's train, 0 for a single
 *		datagram; NULL: none
 * @n:		Number of messages
 *
 * Return: number of messages sent; the rest is dropped and counted
 */
static unsigned udp_send_to_sock(int s, const struct iovec *iov,
				 const uint8_t *cnt, const uint16_t *gso,
				 unsigned n)
{
	unsigned sent = 0;

	udp_out_prepare(iov, cnt, gso, n);

	while (sent < n) {
		/* #syscalls sendmmsg */
		int rc = sendmmsg(s, udp_out_mmh + sent, n - sent,
				  MSG_DONTWAIT | MSG_NOSIGNAL);

		if (rc <= 0) {
			/* A datagram the socket refuses (an ICMP error
			 * pending, EMSGSIZE...) is dropped, the rest goes on
			 */
			if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				unsigned i;

				for (i = sent; i < n; i++)
					stats_add(STAT_UDP_DROP_SEND,
						  udp_out_mmh[i].msg_hdr.msg_iovlen);
				break;
			}
			/* The host is short of memory, or a device queue is
			 * full: the user may want to know
			 */
			if (rc < 0 && (errno == ENOBUFS || errno == ENOMEM)) {
				warn_ratelimit("UDP: no buffer space on the host, dropping datagrams from the guest: %s",
					       strerror(errno));
				stats_add(STAT_UDP_DROP_SEND,
					  udp_out_mmh[sent].msg_hdr.msg_iovlen);
			} else if (rc < 0 && udp_out_gso[sent]) {
				udp_send_split(s, &udp_out_mmh[sent].msg_hdr,
					       udp_out_gso[sent]);
			} else {
				stats_inc(STAT_UDP_DROP_SEND);
			}
			sent++;
			continue;
		}
		sent += (unsigned)rc;
	}
	return sent;
}

/**
 * udp_join() - Join datagrams of one size, one after the other, in trains
 * @iov:	Datagrams (or the guest's own trains), in order
 * @gso:	Segment size of the guest's trains, 0 for single datagrams
 * @n:		Entries
 *
 * What the kernel's GSO does for a sender, done for the guest's: a run of
 * datagrams of one size (and a shorter one after them) goes in one
 * sendmsg() with UDP_SEGMENT, and the host's kernel cuts it back into the
 * same datagrams, once for all of them. A host that refuses it gets them
 * one by one (udp_send_split()). Sets udp_join_cnt and udp_join_gso.
 *
 * Return: number of messages
 */
static unsigned udp_join(const struct iovec *iov, const uint16_t *gso,
			 unsigned n)
{
	unsigned i, j, m = 0;

	for (i = 0; i < n; i = j, m++) {
		size_t len = iov[i].iov_len, total = len;

		for (j = i + 1; !gso[i] && len && j < n &&
		     j - i < UDP_JOIN_MAX && !gso[j]; j++) {
			size_t l = iov[j].iov_len;

			if (!l || l > len || total + l > UDP_JOIN_BYTES)
				break;
			total += l;
			if (l < len) {
				j++;
				break;
			}
		}
		udp_join_cnt[m] = (uint8_t)(j - i);
		udp_join_gso[m] = gso[i] ? gso[i] :
				  j - i > 1 ? (uint16_t)len : 0;
	}
	return m;
}

/**
 * udp_tap_handler() - Datagrams from the guest, one flow's batch
 * @c:		Execution context
 * @seq:	Datagrams
 * @now:	Current time
 */
static void udp_tap_handler(struct ctx *c, const struct tap_l4_seq *seq,
			    const struct timespec *now)
{
	static struct iovec iov[TAP_BATCH_MAX];
	static uint16_t gso[TAP_BATCH_MAX];
	struct udp_flow *uf;
	unsigned i, n = 0;
	uint32_t sidx;
	int tapside;
	size_t bytes = 0;

	if (c->no_udp)
		return;

	for (i = 0; i < seq->count; i++) {
		const struct pkt *p = &seq->pkts[i];
		uint16_t ulen;
		struct pkt payload;

		if (!pkt_be16(p, 4, &ulen) || ulen < sizeof(struct udphdr) ||
		    !pkt_sub(p, sizeof(struct udphdr),
			     ulen - sizeof(struct udphdr), &payload)) {
			stats_inc(STAT_UDP_DROP_BAD_LEN);
			continue;
		}
		/* A train: more segments than the kernel sends whole is no
		 * train its kernel made
		 */
		if (p->gso && payload.len > (size_t)p->gso * UDP_GSO_SEGS_MAX) {
			stats_inc(STAT_UDP_DROP_BAD_LEN);
			continue;
		}
		gso[n] = p->gso;
		iov[n].iov_base = (void *)(uintptr_t)payload.data;
		iov[n].iov_len = payload.len;
		bytes += payload.len;
		n++;
	}
	if (!n)
		return;

	sidx = flow_lookup(FLOW_UDP, PIF_TAP, &seq->src, seq->sport, &seq->dst,
			   seq->dport);
	if (sidx == FLOW_SIDX_NONE) {
		uf = udp_flow_from_tap(c, seq, now);
		if (!uf) {
			stats_add(STAT_UDP_DROP_NO_FLOW, n);
			return;
		}
	} else {
		uf = udp_flow_of(flow_at_sidx(sidx));
	}

	tapside = udp_tapside(uf);
	ASSERT(tapside >= 0);
	udp_flow_seen(uf, (unsigned)tapside, now);
	n = udp_join(iov, gso, n);
	n = udp_send_to_sock(uf->s[!tapside], iov, udp_join_cnt, udp_join_gso,
			     n);
	for (i = 0; i < n; i++)
		stats_add(STAT_UDP_DGRAMS_FROM_GUEST, udp_join_cnt[i]);
	stats_add(STAT_UDP_BYTES_FROM_GUEST, bytes);
}

/**
 * udp_frame_hdrs() - Headers of a datagram to the guest
 * @c:		Execution context
 * @ts:		Guest's flow side
 * @buf:	Output, UDP_HDR_MAX bytes
 * @payload:	Payload, for the checksum
 * @cnt:	Entries of @payload
 * @len:	Payload length (@payload may hold more)
 * @train:	A train of datagrams (USO): the checksum is always partial
 *
 * Return: length of the headers
 */
static size_t udp_frame_hdrs(const struct ctx *c, const struct flowside *ts,
			     uint8_t *buf, const struct iovec *payload,
			     size_t cnt, size_t len, bool train)
{
	const struct in_addr *src4 = inany_v4(&ts->oaddr);
	size_t l4len = len + sizeof(struct udphdr), off;
	struct udphdr uh;
	uint32_t sum;

	uh.source = htons(ts->oport);
	uh.dest = htons(ts->eport);
	uh.len = htons((uint16_t)l4len);
	uh.check = 0;

	if (src4) {
		struct in_addr dst4 = *inany_v4(&ts->eaddr);

		off = tap_eth_hdr(c, buf, ETHERTYPE_IP);
		off += tap_ip4_hdr(buf + off, *src4, dst4, IPPROTO_UDP, l4len);
		sum = csum_pseudo4((uint16_t)l4len, IPPROTO_UDP, *src4, dst4);
	} else {
		off = tap_eth_hdr(c, buf, ETHERTYPE_IPV6);
		off += tap_ip6_hdr(buf + off, &ts->oaddr.a6, &ts->eaddr.a6,
				   IPPROTO_UDP, l4len, 0);
		sum = csum_pseudo6((uint32_t)l4len, IPPROTO_UDP,
				   &ts->oaddr.a6, &ts->eaddr.a6);
	}
	/* Where the backend takes partial checksums (tap_l4_csum()): the
	 * pseudo-header's sum for IPv6, none at all (zero) for IPv4, but for
	 * a train, whose datagrams the guest's kernel checksums as it cuts it
	 */
	if (tap_l4_csum(c)) {
		sum = csum_partial(&uh, sizeof(uh), sum);
		uh.check = csum_fold(csum_iov_len(payload, cnt, len, sum));
		if (!uh.check)
			uh.check = 0xffff;
	} else if (!src4 || train) {
		uh.check = tap_l4_csum_seed(sum);
		if (!uh.check)
			uh.check = 0xffff;
	}
	memcpy(buf + off, &uh, sizeof(uh));
	return off + sizeof(uh);
}

/**
 * udp_trains_to_guest() - Send received datagrams to the guest in trains
 * @c:		Execution context
 * @ts:		Guest's flow side
 * @first:	First datagram in udp_buf/udp_mmh
 * @n:		Number of datagrams, all from one flow
 * @max:	Longest datagram the guest's MTU takes
 *
 * Where the guest takes UDP super-frames (tap_uso_ok()): a train the
 * socket gave whole goes as it is, and datagrams of one size that came
 * one after the other (and a shorter one after them) are joined into
 * one, as the kernel's GRO joins them from a device: one write to the tap
 * for all, and the guest's kernel cuts them apart again, the same
 * datagrams in the same order, for a socket that didn't ask for trains.
 */
static void udp_trains_to_guest(struct ctx *c, const struct flowside *ts,
				unsigned first, unsigned n, size_t max)
{
	unsigned i = first, end = first + n, j, k;

	while (i < end) {
		size_t len = udp_mmh[i].msg_len, total = len;
		uint16_t seg = udp_gro[i] ? udp_gro[i] : (uint16_t)MIN(len, 65535);
		size_t hl;

		if (seg > max || len > UINT16_MAX - 8 ||
		    udp_mmh[i].msg_hdr.msg_flags & MSG_TRUNC) {
			stats_inc(STAT_UDP_DROP_TOO_BIG);
			i++;
			continue;
		}
		for (j = i + 1; !udp_gro[i] && len && j < end &&
		     j - i < UDP_TRAIN_MAX; j++) {
			size_t l = udp_mmh[j].msg_len;

			if (udp_gro[j] || !l || l > len ||
			    udp_mmh[j].msg_hdr.msg_flags & MSG_TRUNC ||
			    total + l > UINT16_MAX - 8)
				break;
			total += l;
			if (l < len) {
				j++;
				break;
			}
		}
		for (k = i; k < j; k++) {
			udp_tap_iov[1 + k - i].iov_base = udp_buf[k];
			udp_tap_iov[1 + k - i].iov_len = udp_mmh[k].msg_len;
		}
		hl = udp_frame_hdrs(c, ts, udp_hdrs[0], &udp_tap_iov[1], j - i,
				    total, j - i > 1 || udp_gro[i]);
		udp_tap_iov[0].iov_base = udp_hdrs[0];
		udp_tap_iov[0].iov_len = hl;
		if (tap_send_frames_gso(c, udp_tap_iov, 1 + j - i, 1, seg)) {
			stats_add(STAT_UDP_DGRAMS_TO_GUEST, j - i);
			stats_add(STAT_UDP_BYTES_TO_GUEST, total);
		}
		i = j;
	}
}

/**
 * udp_to_guest() - Send received datagrams to the guest
 * @c:		Execution context
 * @uf:		Flow
 * @tapside:	Guest's side
 * @first:	First datagram in udp_buf, lengths in udp_mmh
 * @n:		Number of datagrams
 */
static void udp_to_guest(struct ctx *c, const struct udp_flow *uf,
			 int tapside, unsigned first, unsigned n)
{
	const struct flowside *ts = &uf->f.side[tapside];
	unsigned mtu = c->mtu ? c->mtu : MTU_DEFAULT, i;
	size_t nf = 0;
	size_t max = mtu - (inany_v4(&ts->eaddr) ? 20 : 40) -
		     sizeof(struct udphdr), bytes = 0;

	if (tap_uso_ok(c)) {
		udp_trains_to_guest(c, ts, first, n, max);
		return;
	}
	/* No trains come here: sockets ask for them only where they go on
	 * whole, udp_trains_to_guest()
	 */
	for (i = first; i < first + n; i++) {
		size_t len = udp_mmh[i].msg_len;

		if (len > max || udp_mmh[i].msg_hdr.msg_flags & MSG_TRUNC) {
			stats_inc(STAT_UDP_DROP_TOO_BIG);
			continue;
		}
		udp_tap_iov[2 * nf + 1].iov_base = udp_buf[i];
		udp_tap_iov[2 * nf + 1].iov_len = len;
		udp_tap_iov[2 * nf].iov_base = udp_hdrs[nf];
		udp_tap_iov[2 * nf].iov_len =
			udp_frame_hdrs(c, ts, udp_hdrs[nf],
				       &udp_tap_iov[2 * nf + 1], 1, len, false);
		bytes += len;
		nf++;
	}
	if (!nf)
		return;
	nf = tap_send_frames(c, udp_tap_iov, 2, nf);
	stats_add(STAT_UDP_DGRAMS_TO_GUEST, nf);
	stats_add(STAT_UDP_BYTES_TO_GUEST, bytes);
}

/**
 * udp_hdr_len() - Length of the headers of a datagram to the guest
 * @ts:		Guest's flow side
 *
 * Return: Ethernet, IP and UDP header bytes
 */
static size_t udp_hdr_len(const struct flowside *ts)
{
	return 14 + (inany_v4(&ts->eaddr) ? sizeof(struct iphdr) :
					    sizeof(struct ip6_hdr)) +
	       sizeof(struct udphdr);
}

/**
 * udp_lent_to_guest() - Receive datagrams for the guest straight into
 *			 frames the tap backend lends (guest memory)
 * @c:		Execution context
 * @uf:		Flow whose other side is the guest's
 * @side:	Side of the socket to read
 *
 * Each datagram goes into one lent buffer, and whatever doesn't fit it
 * into udp_buf, from where the backend copies it into further ones.
 *
 * Return: datagrams received, -1 if the backend lent nothing (the caller
 *	   receives into our buffers)
 */
static int udp_lent_to_guest(struct ctx *c, const struct udp_flow *uf,
			     unsigned side)
{
	static struct iovec iov[UDP_BATCH][UDP_LENT_SEGS + 1];
	static struct pkt_room rooms[UDP_BATCH];
	static struct tap_fill fill[UDP_BATCH];
	const struct flowside *ts = &uf->f.side[!side];
	unsigned mtu = c->mtu ? c->mtu : MTU_DEFAULT;
	size_t hlen = udp_hdr_len(ts), lent, i, sent, bytes = 0;
	size_t max = mtu - (hlen - 14), cap[UDP_BATCH] = { 0 };
	int n;

	if (!(lent = tap_lend(c, hlen, 0, UDP_BATCH, rooms)))
		return -1;
	for (i = 0; i < lent; i++) {
		size_t k, cnt = MIN(rooms[i].cnt, (size_t)UDP_LENT_SEGS);

		/* cppcheck-suppress knownConditionTrueFalse
		 * tap_lend() set the rooms: static isn't zero here
		 */
		for (k = 0; k < cnt; k++) {
			iov[i][k] = rooms[i].iov[k];
			cap[i] += iov[i][k].iov_len;
		}
		iov[i][cnt].iov_base = udp_buf[i];
		iov[i][cnt].iov_len = UDP_BUF_SIZE;
		memset(&udp_mmh[i].msg_hdr, 0, sizeof(udp_mmh[i].msg_hdr));
		udp_mmh[i].msg_hdr.msg_iov = iov[i];
		udp_mmh[i].msg_hdr.msg_iovlen = cnt + 1;
	}

	/* #syscalls recvmmsg */
	n = recvmmsg(uf->s[side], udp_mmh, (unsigned)lent, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		tap_lend_cancel(c);
		return 0;
	}
	for (i = 0; i < (size_t)n; i++) {
		size_t len = udp_mmh[i].msg_len;

		memset(&fill[i], 0, sizeof(fill[i]));
		if (len > max || udp_mmh[i].msg_hdr.msg_flags & MSG_TRUNC) {
			stats_inc(STAT_UDP_DROP_TOO_BIG);
			continue;
		}
		fill[i].hdr = udp_hdrs[i];
		fill[i].plen = MIN(len, cap[i]);
		if (len > cap[i]) {
			fill[i].more = udp_buf[i];
			fill[i].mlen = len - cap[i];
		}
		udp_frame_hdrs(c, ts, udp_hdrs[i], iov[i],
			       udp_mmh[i].msg_hdr.msg_iovlen, len, false);
		bytes += len;
	}
	sent = tap_lend_send(c, hlen, rooms, fill, (size_t)n, 0);
	stats_add(STAT_UDP_DGRAMS_TO_GUEST, sent);
	stats_add(STAT_UDP_BYTES_TO_GUEST, bytes);
	return n;
}

/**
 * udp_gro_size() - Segment size of a received train (UDP_GRO)
 * @mh:		Message received
 *
 * Return: segment size, 0 for a single datagram
 */
static uint16_t udp_gro_size(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int v;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof(v));
		return v > 0 && v < (int)mh->msg_iov->iov_len ? (uint16_t)v : 0;
	}
	return 0;
}

/**
 * udp_recv_batch() - Receive a batch of datagrams
 * @s:		Socket
 * @peers:	Also read the senders' addresses (for unconnected sockets)
 *
 * Return: number of datagrams, 0 if none
 */
static unsigned udp_recv_batch(int s, bool peers)
{
	unsigned i;
	int n;

	for (i = 0; i < UDP_BATCH; i++) {
		udp_iov[i].iov_base = udp_buf[i];
		udp_iov[i].iov_len = UDP_BUF_SIZE;
		memset(&udp_mmh[i].msg_hdr, 0, sizeof(udp_mmh[i].msg_hdr));
		udp_mmh[i].msg_hdr.msg_iov = &udp_iov[i];
		udp_mmh[i].msg_hdr.msg_iovlen = 1;
		udp_mmh[i].msg_hdr.msg_control = udp_cm[i].b;
		udp_mmh[i].msg_hdr.msg_controllen = sizeof(udp_cm[i].b);
		if (peers) {
			udp_mmh[i].msg_hdr.msg_name = &udp_peer[i];
			udp_mmh[i].msg_hdr.msg_namelen = sizeof(udp_peer[i]);
		}
	}

	/* #syscalls recvmmsg */
	n = recvmmsg(s, udp_mmh, UDP_BATCH, MSG_DONTWAIT, NULL);
	for (i = 0; i < (unsigned)MAX(n, 0); i++) {
		udp_gro[i] = udp_gro_size(&udp_mmh[i].msg_hdr);
		if (udp_gro[i])
			stats_inc(STAT_UDP_GRO_TRAINS);
	}
	return n > 0 ? (unsigned)n : 0;
}

/**
 * udp_forward() - Pass received datagrams to the other side of a flow
 * @c:		Execution context
 * @uf:		Flow
 * @from:	Side they came from
 * @first:	First datagram in udp_buf/udp_mmh
 * @n:		Number of datagrams
 * @now:	Current time
 */
static void udp_forward(struct ctx *c, struct udp_flow *uf, unsigned from,
			unsigned first, unsigned n, const struct timespec *now)
{
	static struct iovec iov[UDP_BATCH];
	unsigned to = !from, i;

	udp_flow_seen(uf, from, now);

	if (uf->f.pif[to] == PIF_TAP) {
		udp_to_guest(c, uf, (int)to, first, n);
		return;
	}

	for (i = 0; i < n; i++) {
		iov[i].iov_base = udp_buf[first + i];
		iov[i].iov_len = udp_mmh[first + i].msg_len;
	}
	stats_add(STAT_UDP_DGRAMS_SPLICED,
		  udp_send_to_sock(uf->s[to], iov, NULL, NULL, n));
}

/**
 * struct udp_listen_info - What a forwarded port's socket is
 * @af:		Family
 * @addr:	Bound address
 * @port:	Bound port
 * @v6only:	IPV6_V6ONLY
 */
struct udp_listen_info {
	int af;
	union inany_addr addr;
	uint16_t port;
	bool v6only;
};

/**
 * udp_listen_info() - Read a forwarded port socket's family and address
 * @s:		Socket
 * @li:		Result
 *
 * Return: 0 on success, -errno on failure
 */
static int udp_listen_info(int s, struct udp_listen_info *li)
{
	union sockaddr_inany sa = { .sa.sa_family = AF_UNSPEC };
	socklen_t sl = sizeof(sa);
	int v6only = 0;

	if (getsockname(s, &sa.sa, &sl))
		return -errno;
	li->af = sa.sa.sa_family;
	if (inany_from_sockaddr(&sa, &li->addr, &li->port))
		return -EAFNOSUPPORT;
	sl = sizeof(v6only);
	if (li->af == AF_INET6 &&
	    getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &sl))
		return -errno;
	li->v6only = v6only;
	return 0;
}

/**
 * udp_flow_from_sock() - First datagram from a new peer on a forwarded port
 * @c:		Execution context
 * @ref:	Epoll reference of the port's socket
 * @li:		Its family and address
 * @peer:	Peer
 * @now:	Current time
 *
 * Return: flow, or NULL if refused (counted; a full table and a shortage of
 *	   descriptors or memory logged, rate-limited)
 */
static struct udp_flow *udp_flow_from_sock(struct ctx *c, union epoll_ref ref,
					   const struct udp_listen_info *li,
					   const union sockaddr_inany *peer,
					   const struct timespec *now)
{
	union fwd_listen_ref lref = { .data = ref.data };
	struct udp_sock_req r = { 0 }, t = { 0 };
	union inany_addr tgt_addr;
	struct flow_common *f;
	struct udp_flow *uf;
	struct flowside *ini;
	bool host_lo, spliced;
	int s;

	f = flow_alloc();
	if (!f) {
		warn_ratelimit("UDP: flow table full (--max-flows %u), dropping datagrams to port %u",
			       flow_max(), li->port);
		return NULL;
	}
	uf = udp_flow_of(f);
	uf->s[0] = uf->s[1] = -1;

	f->pif[INISIDE] = lref.pif;
	ini = &f->side[INISIDE];
	inany_from_sockaddr(peer, &ini->eaddr, &ini->eport);
	ini->oaddr = inany_v4(&ini->eaddr) ? inany_any4 : inany_any6;
	ini->oport = li->port;
	host_lo = inany_is_loopback(&ini->eaddr);
	spliced = lref.pif == PIF_SPLICE ||
		  (c->mode == MODE_PASTA && host_lo && !c->no_splice);

	/* Reply socket: same port, connected to the peer, on its side; what
	 * comes on it after the first datagrams goes to the guest, unless
	 * spliced: in trains, if the guest takes them
	 */
	r.gro = !spliced && tap_uso_ok(c);
	r.af = li->af;
	r.bind = &li->addr;
	r.bind_port = li->port;
	r.v6only = li->v6only;
	r.reuse = true;
	r.dst = &ini->eaddr;
	r.dport = ini->eport;
	if (lref.pif == PIF_SPLICE)
		s = ns_call(c->pasta.netns_fd, udp_sock_open, &r);
	else
		s = udp_sock_open(&r);
	if (s < 0) {
		udp_sock_fail("to", li->port, r.step, s);
		flow_alloc_cancel(f);
		return NULL;
	}
	uf->s[INISIDE] = s;

	if (spliced) {
		/* Spliced: to the other side's loopback, same family */
		f->pif[TGTSIDE] = lref.pif == PIF_SPLICE ? PIF_HOST :
							   PIF_SPLICE;
		tgt_addr = inany_v4(&ini->eaddr) ? inany_loopback4 :
						    inany_loopback6;
		f->side[TGTSIDE].eaddr = tgt_addr;
		f->side[TGTSIDE].eport = lref.port;
		t.af = inany_af(&tgt_addr);
		t.v6only = true;
		t.dst = &tgt_addr;
		t.dport = lref.port;
		if (f->pif[TGTSIDE] == PIF_SPLICE)
			s = ns_call(c->pasta.netns_fd, udp_sock_open, &t);
		else
			s = udp_sock_open(&t);
		if (s < 0) {
			udp_sock_fail("spliced to", lref.port, t.step, s);
			close(uf->s[INISIDE]);
			flow_alloc_cancel(f);
			return NULL;
		}
		uf->s[TGTSIDE] = s;
		stats_inc(STAT_UDP_FLOWS_SPLICED);
	} else {
		struct flowside *ts = &f->side[TGTSIDE];
		int af = inany_af(&ini->eaddr);

		if ((af == AF_INET && !c->ifi4_on) ||
		    (af == AF_INET6 && !c->ifi6_on) || !tap_is_ready(c)) {
			close(uf->s[INISIDE]);
			flow_alloc_cancel(f);
			return NULL;
		}
		f->pif[TGTSIDE] = PIF_TAP;
		fwd_guest_addr(c, af, &ts->eaddr);
		ts->eport = lref.port;
		fwd_map_to_guest(c, &ini->eaddr, &ts->oaddr);
		ts->oport = ini->eport;
		if (flow_lookup(FLOW_UDP, PIF_TAP, &ts->eaddr, ts->eport,
				&ts->oaddr, ts->oport) != FLOW_SIDX_NONE) {
			/* The guest would see the same tuple twice */
			close(uf->s[INISIDE]);
			flow_alloc_cancel(f);
			return NULL;
		}
	}

	flow_activate(f, FLOW_UDP);
	if (udp_sock_register(c, uf, INISIDE, uf->s[INISIDE]) ||
	    (uf->s[TGTSIDE] >= 0 &&
	     udp_sock_register(c, uf, TGTSIDE, uf->s[TGTSIDE]))) {
		udp_flow_end(c, uf);
		return NULL;
	}
	flow_hash_insert(f, INISIDE);
	if (f->pif[TGTSIDE] == PIF_TAP)
		flow_hash_insert(f, TGTSIDE);
	uf->ts = uf->created = now->tv_sec;
	stats_inc(STAT_UDP_FLOWS);
	flow_log(f, LOG_DEBUG, "new UDP flow on forwarded port");
	return uf;
}

/**
 * udp_listen_handler() - Datagrams on a forwarded port's socket
 * @c:		Execution context
 * @ref:	Epoll reference: socket, target port, side
 * @now:	Current time
 *
 * Datagrams of a peer that has a flow arrive here only until the flow's
 * reply socket exists; from then on, the kernel gives them to that one.
 */
void udp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now)
{
	union fwd_listen_ref lref = { .data = ref.data };
	struct udp_listen_info li = { 0 };
	unsigned n, i, j;

	if (c->no_udp || udp_listen_info(ref.fd, &li))
		return;

	n = udp_recv_batch(ref.fd, true);
	for (i = 0; i < n; i = j) {
		union inany_addr ea, oa;
		struct udp_flow *uf;
		uint16_t eport;
		uint32_t sidx;

		/* Consecutive datagrams of one peer go together */
		for (j = i + 1; j < n; j++) {
			if (udp_mmh[j].msg_hdr.msg_namelen !=
			    udp_mmh[i].msg_hdr.msg_namelen ||
			    memcmp(&udp_peer[j], &udp_peer[i],
				   udp_mmh[i].msg_hdr.msg_namelen) != 0)
				break;
		}

		if (inany_from_sockaddr(&udp_peer[i], &ea, &eport))
			continue;
		oa = inany_v4(&ea) ? inany_any4 : inany_any6;
		sidx = flow_lookup(FLOW_UDP, lref.pif, &ea, eport, &oa,
				   li.port);
		if (sidx != FLOW_SIDX_NONE)
			uf = udp_flow_of(flow_at_sidx(sidx));
		else
			uf = udp_flow_from_sock(c, ref, &li, &udp_peer[i],
						now);
		if (!uf) {
			stats_add(STAT_UDP_DROP_NO_FLOW, j - i);
			continue;
		}
		udp_forward(c, uf, INISIDE, i, j - i, now);
	}
}

/**
 * udp_icmp_to_guest() - Relay an ICMP error about a datagram to the guest
 * @c:		Execution context
 * @uf:		Flow
 * @tapside:	Guest's side
 * @ee:		Extended error from the socket's error queue
 * @orig:	Payload of the datagram the error is about
 * @olen:	Its length
 */
static void udp_icmp_to_guest(struct ctx *c, const struct udp_flow *uf,
			      int tapside, const struct sock_extended_err *ee,
			      const uint8_t *orig, size_t olen)
{
	const struct flowside *ts = &uf->f.side[tapside];
	static uint8_t msg[UDP_ICMP6_MAX - 40];
	size_t l4len = olen + sizeof(struct udphdr), off = 8;
	struct udphdr uh;

	uh.source = htons(ts->eport);
	uh.dest = htons(ts->oport);
	uh.len = htons((uint16_t)MIN(l4len, 65535));
	uh.check = 0;

	memset(msg, 0, 8);
	if (inany_v4(&ts->eaddr)) {
		struct in_addr guest = *inany_v4(&ts->eaddr);
		struct in_addr dst = *inany_v4(&ts->oaddr);

		if (ee->ee_origin == SO_EE_ORIGIN_ICMP) {
			msg[0] = ee->ee_type;
			msg[1] = ee->ee_code;
		} else if (ee->ee_errno == EMSGSIZE) {
			msg[0] = ICMP_DEST_UNREACH;
			msg[1] = ICMP_FRAG_NEEDED;
		} else {
			return;
		}
		if (msg[0] == ICMP_DEST_UNREACH && msg[1] == ICMP_FRAG_NEEDED) {
			uint16_t mtu = htons((uint16_t)MIN(ee->ee_info, 65535));

			memcpy(msg + 6, &mtu, sizeof(mtu));
		}
		/* Within 576 bytes, and the guest's MTU if that's smaller */
		olen = MIN(olen, MIN((size_t)UDP_ICMP4_MAX,
				     (size_t)(c->mtu ? c->mtu : MTU_DEFAULT)) -
				 UDP_ICMP4_HDRS);
		off += tap_ip4_hdr(msg + off, guest, dst, IPPROTO_UDP, l4len);
		memcpy(msg + off, &uh, sizeof(uh));
		off += sizeof(uh);
		memcpy(msg + off, orig, olen);
		stats_inc(STAT_UDP_ICMP_RELAYED);
		tap_icmp4_send(c, dst, guest, msg, off + olen);
		return;
	}

	if (ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		msg[0] = ee->ee_type;
		msg[1] = ee->ee_code;
	} else if (ee->ee_errno == EMSGSIZE) {
		msg[0] = ICMP6_PACKET_TOO_BIG;
	} else {
		return;
	}
	if (msg[0] == ICMP6_PACKET_TOO_BIG) {
		uint32_t mtu = htonl(ee->ee_info);

		memcpy(msg + 4, &mtu, sizeof(mtu));
	}
	olen = MIN(olen, (size_t)(UDP_ICMP6_MAX - UDP_ICMP6_HDRS));
	off += tap_ip6_hdr(msg + off, &ts->eaddr.a6, &ts->oaddr.a6,
			   IPPROTO_UDP, l4len, 0);
	memcpy(msg + off, &uh, sizeof(uh));
	off += sizeof(uh);
	memcpy(msg + off, orig, olen);
	stats_inc(STAT_UDP_ICMP_RELAYED);
	tap_icmp6_send(c, &ts->oaddr.a6, &ts->eaddr.a6, msg, off + olen);
}

/**
 * udp_sock_errs() - Read a flow socket's error queue, relay to the guest
 * @c:		Execution context
 * @uf:		Flow
 * @side:	Side of the socket
 */
static void udp_sock_errs(struct ctx *c, struct udp_flow *uf, unsigned side)
{
	int tapside = udp_tapside(uf);
	unsigned i;

	for (i = 0; i < UDP_ERRQUEUE_BATCH; i++) {
		char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				     sizeof(struct sockaddr_in6))];
		const struct sock_extended_err *ee = NULL;
		struct iovec iov = { udp_buf[0], UDP_BUF_SIZE };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		ssize_t n;

		/* #syscalls recvmsg */
		n = recvmsg(uf->s[side], &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;

		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if ((cm->cmsg_level == SOL_IP &&
			     cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == SOL_IPV6 &&
			     cm->cmsg_type == IPV6_RECVERR))
				ee = (const struct sock_extended_err *)
				     (const void *)CMSG_DATA(cm);
		}
		/* Only errors about what the guest sent go back to it */
		if (!ee || tapside < 0 || (int)side == tapside)
			continue;
		udp_icmp_to_guest(c, uf, tapside, ee, udp_buf[0], (size_t)n);
	}
}

/**
 * udp_reply_handler() - Events on a flow's socket
 * @c:		Execution context
 * @ref:	Epoll reference: socket, flow and side
 * @events:	Epoll events
 * @now:	Current time
 */
void udp_reply_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now)
{
	struct flow_common *f = flow_at_sidx(ref.flow);
	struct udp_flow *uf = udp_flow_of(f);
	unsigned side = flow_sidx_side(ref.flow), rounds;

	if (f->state != FLOW_STATE_ACTIVE || f->type != FLOW_UDP)
		return;

	if (events & EPOLLERR)
		udp_sock_errs(c, uf, side);

	for (rounds = 0; rounds < 4 && (events & EPOLLIN); rounds++) {
		unsigned n;

		/* Trains go through our buffers, joined up (tap_uso_ok()) */
		if (uf->f.pif[!side] == PIF_TAP && !tap_uso_ok(c)) {
			int lent = udp_lent_to_guest(c, uf, side);

			if (lent > 0)
				udp_flow_seen(uf, side, now);
			if (lent >= 0) {
				if (lent < UDP_BATCH)
					break;
				continue;
			}
		}
		n = udp_recv_batch(uf->s[side], false);

		if (!n)
			break;
		udp_forward(c, uf, side, 0, n, now);
		if (n < UDP_BATCH)
			break;
	}
}

/**
 * udp_flow_timer() - Expire idle flows
 * @c:		Execution context
 * @f:		Flow
 * @now:	Current time
 */
static void udp_flow_timer(struct ctx *c, struct flow_common *f,
			   const struct timespec *now)
{
	struct udp_flow *uf = udp_flow_of(f);
	unsigned t = uf->stream ? udp_timeout_stream : udp_timeout;

	if (now->tv_sec - uf->ts < (time_t)t)
		return;
	flow_log(f, LOG_DEBUG, "UDP flow expired");
	stats_inc(STAT_UDP_FLOWS_EXPIRED);
	udp_flow_end(c, uf);
}

/**
 * udp_flow_abort() - The guest is gone: close the flow's sockets
 * @c:		Execution context
 * @f:		Flow
 */
static void udp_flow_abort(struct ctx *c, struct flow_common *f)
{
	udp_flow_end(c, udp_flow_of(f));
}

static const struct flow_type_ops udp_flow_ops = {
	.timer = udp_flow_timer,
	.abort = udp_flow_abort,
};

/**
 * udp_read_timeout() - Read a conntrack timeout sysctl, if there is one
 * @path:	File
 * @v:		Timeout, seconds, changed only if the file holds one
 */
static void udp_read_timeout(const char *path, unsigned *v)
{
	char buf[32];
	uint32_t n;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	if (!parse_u32(buf, 10, &n) && n)
		*v = n;
}

/**
 * udp_init() - Register the UDP handlers, read the timeouts
 * @c:		Execution context
 */
void udp_init(struct ctx *c)
{
	if (c->no_udp)
		return;
	udp_read_timeout("/proc/sys/net/netfilter/nf_conntrack_udp_timeout",
			 &udp_timeout);
	udp_read_timeout("/proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream",
			 &udp_timeout_stream);
	flow_register_type(FLOW_UDP, &udp_flow_ops);
	tap_register_l4(IPPROTO_UDP, udp_tap_handler);
}
