// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP and ICMPv6 echo through ping sockets
 *
 * Theory of operation: each echo session of the guest (its address, echo
 * identifier and destination) is a flow with one ping socket on the host
 * (SOCK_DGRAM, IPPROTO_ICMP or IPPROTO_ICMPV6), which needs no privilege
 * where net.ipv4.ping_group_range allows our group. The socket is bound
 * to the guest's identifier if it is free on the host, or to one the
 * kernel picks otherwise; the kernel rewrites the identifier of what we
 * send, and we rewrite replies back to the guest's. Sessions idle for
 * ICMP_TIMEOUT_S seconds are closed.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "inany.h"
#include "packet.h"
#include "tap.h"
#include "flow.h"
#include "fwd.h"
#include "icmp.h"

#define ICMP_BUF_SIZE		65536
#define ICMP_RECV_BATCH		16

/**
 * struct icmp_flow - An echo session
 * @f:		Common flow fields; side 0 is the guest (tap), side 1 the host
 * @sock:	Ping socket
 * @last:	Last activity, seconds on the monotonic clock
 * @seq:	Last sequence number the guest sent, for logging
 */
struct icmp_flow {
	struct flow_common f;
	int sock;
	time_t last;
	uint16_t seq;
};
static_assert(sizeof(struct icmp_flow) <= FLOW_SLOT_SIZE,
	      "icmp_flow must fit a flow slot");

static uint8_t icmp_buf[ICMP_BUF_SIZE];

/**
 * icmp_flow_of() - Protocol view of a flow
 * @f:		Common flow
 *
 * Return: echo session
 */
static struct icmp_flow *icmp_flow_of(struct flow_common *f)
{
	return (struct icmp_flow *)(void *)f;
}

/**
 * icmp_flow_end() - Close a session's socket and release the flow
 * @c:		Execution context
 * @pf:		Session
 */
static void icmp_flow_end(struct ctx *c, struct icmp_flow *pf)
{
	if (pf->sock >= 0) {
		epoll_del(c->epollfd, pf->sock);
		close(pf->sock);
		pf->sock = -1;
	}
	flow_close(&pf->f);
}

/**
 * icmp_sock_open() - Open and bind a ping socket for a new session
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @id:		Identifier the guest uses
 * @id_host:	Identifier the socket got
 *
 * Return: socket, or -errno
 */
static int icmp_sock_open(const struct ctx *c, int af, uint16_t id,
			  uint16_t *id_host)
{
	int proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	const char *ifname = af == AF_INET ? c->ip4.ifname_out :
					     c->ip6.ifname_out;
	union sockaddr_inany sa;
	union inany_addr src;
	socklen_t sl;
	int s;

	/* #syscalls socket bind getsockname setsockopt */
	s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s < 0)
		return -errno;
	if (s > EPOLL_REF_FD_MAX) {
		close(s);
		return -EMFILE;
	}

	if (*ifname && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				  (socklen_t)strlen(ifname))) {
		int e = errno;

		close(s);
		return -e;
	}

	if (af == AF_INET)
		inany_from_v4(&src, c->ip4.addr_out);
	else
		inany_from_v6(&src, &c->ip6.addr_out);

	/* Keep the guest's identifier if it is free, else take another */
	sl = inany_to_sockaddr(&src, id, 0, &sa);
	if (bind(s, &sa.sa, sl)) {
		sl = inany_to_sockaddr(&src, 0, 0, &sa);
		if (bind(s, &sa.sa, sl)) {
			int e = errno;

			close(s);
			return -e;
		}
	}
	sl = sizeof(sa);
	if (getsockname(s, &sa.sa, &sl)) {
		int e = errno;

		close(s);
		return -e;
	}
	inany_from_sockaddr(&sa, &src, id_host);
	return s;
}

/**
 * icmp_flow_new() - Start an echo session for a guest's request
 * @c:		Execution context
 * @seq:	First packets of the session
 * @flow_type:	FLOW_PING4 or FLOW_PING6
 * @now:	Current time
 *
 * Return: session, or NULL (logged, rate-limited)
 */
static struct icmp_flow *icmp_flow_new(struct ctx *c,
				       const struct tap_l4_seq *seq,
				       enum flow_type flow_type,
				       const struct timespec *now)
{
	struct flow_common *f = flow_alloc();
	union epoll_ref ref;
	struct icmp_flow *pf;
	uint16_t id_host = 0;
	int s;

	if (!f) {
		warn_ratelimit("ICMP: flow table full (--max-flows %u), dropping echo request",
			       flow_max());
		return NULL;
	}
	pf = icmp_flow_of(f);

	f->pif[INISIDE] = PIF_TAP;
	f->side[INISIDE].eaddr = seq->src;
	f->side[INISIDE].eport = seq->sport;
	f->side[INISIDE].oaddr = seq->dst;
	f->pif[TGTSIDE] = PIF_HOST;
	fwd_map_from_guest(c, &seq->dst, 0, &f->side[TGTSIDE].eaddr);

	s = icmp_sock_open(c, seq->af, seq->sport, &id_host);
	if (s < 0) {
		errno = -s;
		/* #syscalls getegid */
		if (s == -EACCES)
			warn_ratelimit("ICMP: can't open a ping socket: "
				       "net.ipv4.ping_group_range must include"
				       " group %u for echo to work",
				       (unsigned)getegid());
		else
			warn_ratelimit("ICMP: no ping socket, dropping echo request: %s",
				       strerror(-s));
		flow_alloc_cancel(f);
		return NULL;
	}

	pf->sock = s;
	pf->last = now->tv_sec;
	f->side[TGTSIDE].oport = id_host;
	f->side[TGTSIDE].eport = id_host;
	flow_activate(f, flow_type);
	flow_hash_insert(f, INISIDE);

	ref = epoll_ref_make(EPOLL_TYPE_PING, s, flow_sidx(flow_idx(f),
							   TGTSIDE));
	if (epoll_add(c->epollfd, EPOLLIN, ref)) {
		icmp_flow_end(c, pf);
		return NULL;
	}

	if (id_host != seq->sport)
		debug("ICMP: echo identifier %u taken on the host, using %u",
		      seq->sport, id_host);
	flow_log(f, LOG_DEBUG, "new echo session");
	return pf;
}

/**
 * icmp_tap_handler() - Echo requests from the guest
 * @c:		Execution context
 * @seq:	Requests of one session
 * @now:	Current time
 */
static void icmp_tap_handler(struct ctx *c, const struct tap_l4_seq *seq,
			     const struct timespec *now)
{
	enum flow_type type = seq->af == AF_INET ? FLOW_PING4 : FLOW_PING6;
	union sockaddr_inany sa;
	struct icmp_flow *pf;
	uint32_t sidx;
	socklen_t sl;
	unsigned i;

	if (c->no_icmp)
		return;

	sidx = flow_lookup(type, PIF_TAP, &seq->src, seq->sport, &seq->dst, 0);
	if (sidx == FLOW_SIDX_NONE) {
		pf = icmp_flow_new(c, seq, type, now);
		if (!pf) {
			stats_add(STAT_ICMP_DROP, seq->count);
			return;
		}
	} else {
		pf = icmp_flow_of(flow_at_sidx(sidx));
	}

	pf->last = now->tv_sec;
	sl = inany_to_sockaddr(&pf->f.side[TGTSIDE].eaddr, 0,
			       c->ip6.ifi, &sa);

	for (i = 0; i < seq->count; i++) {
		const struct pkt *p = &seq->pkts[i];
		uint16_t sn = 0;

		/* The echo header was checked by tap.c; sequence at 6 */
		pkt_be16(p, 6, &sn);
		pf->seq = sn;
		stats_inc(STAT_ICMP_REQUESTS);
		/* #syscalls sendto */
		if (sendto(pf->sock, p->data, p->len, MSG_NOSIGNAL,
			   &sa.sa, sl) < 0) {
			stats_inc(STAT_ICMP_DROP);
			debug_perror("ICMP: sendto, sequence %u", sn);
		}
	}
}

/**
 * icmp_sock_handler() - Echo replies on a ping socket
 * @c:		Execution context
 * @ref:	Epoll reference: socket and flow
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref)
{
	struct flow_common *f = flow_at_sidx(ref.flow);
	struct icmp_flow *pf = icmp_flow_of(f);
	const struct flowside *tap = &f->side[INISIDE];
	unsigned i;

	if (f->state != FLOW_STATE_ACTIVE)
		return;

	for (i = 0; i < ICMP_RECV_BATCH; i++) {
		union sockaddr_inany sa;
		socklen_t sl = sizeof(sa);
		uint16_t id = htons(tap->eport);
		/* #syscalls recvfrom */
		ssize_t n = recvfrom(pf->sock, icmp_buf, sizeof(icmp_buf),
				     MSG_DONTWAIT, &sa.sa, &sl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug_perror("ICMP: recvfrom");
			return;
		}

		if (f->type == FLOW_PING4) {
			struct icmphdr ih;

			if ((size_t)n < sizeof(ih))
				continue;
			memcpy(&ih, icmp_buf, sizeof(ih));
			if (ih.type != ICMP_ECHOREPLY)
				continue;
			memcpy(icmp_buf + offsetof(struct icmphdr, un.echo.id),
			       &id, sizeof(id));
			stats_inc(STAT_ICMP_REPLIES);
			tap_icmp4_send(c, *inany_v4(&tap->oaddr),
				       *inany_v4(&tap->eaddr), icmp_buf,
				       (size_t)n);
		} else {
			struct icmp6_hdr ih;

			if ((size_t)n < sizeof(ih))
				continue;
			memcpy(&ih, icmp_buf, sizeof(ih));
			if (ih.icmp6_type != ICMP6_ECHO_REPLY)
				continue;
			memcpy(icmp_buf + offsetof(struct icmp6_hdr,
						   icmp6_dataun),
			       &id, sizeof(id));
			stats_inc(STAT_ICMP_REPLIES);
			tap_icmp6_send(c, &tap->oaddr.a6, &tap->eaddr.a6,
				       icmp_buf, (size_t)n);
		}
	}
}

/**
 * icmp_flow_timer() - Close idle echo sessions
 * @c:		Execution context
 * @f:		Flow
 * @now:	Current time
 */
static void icmp_flow_timer(struct ctx *c, struct flow_common *f,
			    const struct timespec *now)
{
	struct icmp_flow *pf = icmp_flow_of(f);

	if (now->tv_sec - pf->last > ICMP_TIMEOUT_S) {
		flow_log(f, LOG_DEBUG, "echo session timed out");
		icmp_flow_end(c, pf);
	}
}

/**
 * icmp_flow_abort() - The guest is gone: close its echo session
 * @c:		Execution context
 * @f:		Flow
 */
static void icmp_flow_abort(struct ctx *c, struct flow_common *f)
{
	icmp_flow_end(c, icmp_flow_of(f));
}

static const struct flow_type_ops icmp_flow_ops = {
	.timer = icmp_flow_timer,
	.abort = icmp_flow_abort,
};

/**
 * icmp_init() - Register the echo handlers
 * @c:		Execution context
 */
void icmp_init(struct ctx *c)
{
	if (c->no_icmp)
		return;
	flow_register_type(FLOW_PING4, &icmp_flow_ops);
	flow_register_type(FLOW_PING6, &icmp_flow_ops);
	tap_register_l4(IPPROTO_ICMP, icmp_tap_handler);
	tap_register_l4(IPPROTO_ICMPV6, icmp_tap_handler);
}
