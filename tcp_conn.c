// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_conn.c - opening TCP connections through the guest's tap link: a SYN
 *		from the guest (a connect() on the host), a host connection
 *		accepted on a forwarded port (a SYN to the guest), the
 *		handshake with the guest, and its retransmission
 *
 * See tcp.c for the theory of operation; the states are in
 * tcp_internal.h. Here, options are read from the guest's SYN (MSS,
 * window scale), initial sequence numbers made as RFC 6528 suggests, host
 * sockets set up (TCP_NODELAY, SO_PEEK_OFF where the kernel has it, as
 * probed at start), and each connection gets its deadline in the flow
 * layer's heap (flow_deadline.c) when it has one to wait for.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "siphash.h"
#include "stats.h"
#include "packet.h"
#include "tap.h"
#include "flow.h"
#include "fwd.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "tcp_zcrx.h"

static bool tcp_peek_off_supported[2];	/* IPv4, IPv6 */
static struct siphash_key tcp_isn_key;

/**
 * tcp_isn() - Initial sequence number as RFC 6528 recommends
 * @ts:		Guest's flow side (addresses and ports)
 * @now:	Current time
 *
 * Return: a 4-microsecond clock plus a keyed hash of the connection
 */
static uint32_t tcp_isn(const struct flowside *ts, const struct timespec *now)
{
	uint64_t ns = (uint64_t)now->tv_sec * NS_PER_S +
		      (uint64_t)now->tv_nsec;
	struct {
		union inany_addr e, o;
		uint16_t ep, op;
	} __attribute__((packed)) k = { ts->eaddr, ts->oaddr,
					ts->eport, ts->oport };

	return (uint32_t)(ns >> 12) +
	       (uint32_t)siphash(&tcp_isn_key, &k, sizeof(k));
}

/**
 * tcp_sock_setup() - Options on a new host socket
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_sock_setup(const struct ctx *c, struct tcp_tap_conn *conn)
{
	bool v4 = !!inany_v4(&conn->f.side[!conn->tapside].eaddr);
	int one = 1, zero = 0;

	/* The guest already coalesced: pass its segments on as they come */
	setsockopt(conn->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* Data mapped or read out of the socket needs no peeking */
	conn->zcrx = tcp_zcrx_get(c);
	if (conn->zcrx != TCP_ZCRX_NONE)
		return;

	/* SO_PEEK_OFF starts disabled (-1): setting it is also the probe */
	if (!c->no_peek_off && tcp_peek_off_supported[!v4] &&
	    !setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			sizeof(zero)))
		conn->flags |= TCP_PEEK_OFF;
}

/**
 * struct tcp_syn_opts - What a SYN from the guest tells
 * @mss:	MSS option, 0 if absent
 * @ws:		Window scale option, -1 if absent
 */
struct tcp_syn_opts {
	uint16_t mss;
	int ws;
};

/**
 * tcp_parse_opts() - Read MSS and window scale from a SYN's options
 * @l4:		Segment view, TCP header first
 * @hlen:	TCP header length, options included
 * @o:		Result
 */
static void tcp_parse_opts(const struct pkt *l4, size_t hlen,
			   struct tcp_syn_opts *o)
{
	size_t off = sizeof(struct tcphdr);
	unsigned i;

	o->mss = 0;
	o->ws = -1;
	/* At most 40 bytes of options: bounded by the header length */
	for (i = 0; off < hlen && i < 40; i++) {
		uint8_t kind, len;

		if (!pkt_u8(l4, off, &kind) || kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (!pkt_u8(l4, off + 1, &len) || len < 2 || off + len > hlen)
			return;
		if (kind == TCPOPT_MAXSEG && len == TCPOLEN_MAXSEG)
			pkt_be16(l4, off + 2, &o->mss);
		else if (kind == TCPOPT_WINDOW && len == TCPOLEN_WINDOW) {
			uint8_t ws;

			if (pkt_u8(l4, off + 2, &ws))
				o->ws = MIN(ws, 14);
		}
		off += len;
	}
}

/**
 * tcp_mss_set() - Segment size towards the guest, from its MSS option
 * @c:		Execution context
 * @conn:	Connection
 * @mss:	Guest's MSS option, 0 if absent
 */
static void tcp_mss_set(const struct ctx *c, struct tcp_tap_conn *conn,
			uint16_t mss)
{
	bool v4 = !!inany_v4(&tcp_tap_side(conn)->eaddr);
	unsigned mtu = c->mtu ? c->mtu : MTU_DEFAULT;
	unsigned max = mtu - (v4 ? 40 : 60);

	if (!mss)
		mss = v4 ? TCP_MSS_DEFAULT4 : TCP_MSS_DEFAULT6;
	conn->mss = (uint16_t)MAX(MIN((unsigned)mss, max), TCP_MSS_MIN);
}

/* A SYN from the guest was answered within connect(), since asked last */
static bool tcp_syn_acked;

/**
 * tcp_syn_acked_at_once() - Was a SYN answered at once since the last call?
 *
 * The event loop asks after each batch: the guest's ACK and its request
 * come next, then the host's answer (loop_poll.c).
 *
 * Return: true if one was, and start again
 */
bool tcp_syn_acked_at_once(void)
{
	bool r = tcp_syn_acked;

	tcp_syn_acked = false;
	return r;
}

/**
 * tcp_sock_established() - Is a socket's connection already set up?
 * @s:		Socket, after a non-blocking connect() in progress
 *
 * To a peer on this host (loopback, a local address), the handshake
 * usually completes within connect() itself, which still says
 * EINPROGRESS: the first byte of TCP_INFO, its state, tells.
 *
 * Return: true if the connection is established
 */
static bool tcp_sock_established(int s)
{
	socklen_t sl = 1;
	uint8_t state;

	/* #syscalls getsockopt */
	return !getsockopt(s, IPPROTO_TCP, TCP_INFO, &state, &sl) && sl == 1 &&
	       state == TCP_ESTABLISHED;
}

/**
 * tcp_conn_from_tap() - A SYN from the guest: connect on the host
 * @c:		Execution context
 * @seq:	Packets of the flow, the first being the SYN
 * @l4:		The SYN segment
 * @th:		Its TCP header
 * @now:	Current time
 */
void tcp_conn_from_tap(struct ctx *c, const struct tap_l4_seq *seq,
			      const struct pkt *l4, const struct tcphdr *th,
			      const struct timespec *now)
{
	union inany_addr host_dst;
	union sockaddr_inany sa;
	struct tcp_syn_opts o;
	struct tcp_tap_conn *conn;
	struct flow_common *f;
	enum fwd_map map;
	const char *ifname;
	bool at_once;
	socklen_t sl;
	int s, rc;

	if (inany_is_multicast(&seq->dst) || inany_is_unspec(&seq->dst) ||
	    inany_is_multicast(&seq->src) || !seq->dport) {
		stats_inc(STAT_TCP_DROP_SEGMENT);
		return;
	}

	f = flow_alloc();
	if (!f) {
		warn_ratelimit("TCP: flow table full (--max-flows %u), refusing a connection from the guest to port %u",
			       flow_max(), seq->dport);
		tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
		return;
	}
	conn = tcp_conn_of(f);
	conn->sock = -1;

	map = fwd_flow_from_tap(c, f, seq);
	host_dst = f->side[TGTSIDE].eaddr;
	conn->tapside = INISIDE;

	tcp_parse_opts(l4, (size_t)th->doff * 4, &o);
	tcp_mss_set(c, conn, o.mss);
	if (o.ws >= 0) {
		conn->flags |= TCP_WS_OK;
		conn->ws_from_guest = (uint8_t)o.ws;
		conn->ws_to_guest = TCP_WS_DEFAULT;
	}
	conn->seq_from_guest = ntohl(th->seq) + 1;
	conn->seq_ack_to_guest = conn->seq_from_guest;
	conn->wnd_from_guest = ntohs(th->window);
	conn->isn_to_guest = tcp_isn(&f->side[INISIDE], now);
	conn->seq_to_guest = conn->isn_to_guest;
	conn->seq_ack_from_guest = conn->isn_to_guest;
	conn->seq_max_to_guest = conn->isn_to_guest;
	conn->rto = TCP_RTO_SYN_MS;
	conn->progress_at = tcp_now_ms(now);

	/* #syscalls socket bind connect setsockopt */
	s = socket(inany_af(&host_dst), SOCK_STREAM | SOCK_NONBLOCK |
		   SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0 || s > EPOLL_REF_FD_MAX) {
		warn_ratelimit("TCP: no socket for a connection from the guest to port %u, refusing it: %s",
			       seq->dport, s < 0 ? fd_err_str(errno) :
			       "descriptor beyond epoll reference range");
		if (s >= 0)
			close(s);
		goto refuse;
	}
	/* No TCP_MAXSEG from the guest's MSS: what goes to the guest is cut
	 * to its MSS here, whatever the host side carries. On a loopback
	 * socket such a clamp only made the kernel account, acknowledge and
	 * retransmit 64 KiB in guest-sized pieces: at guest MTU 1500, it
	 * cost a third of the throughput towards the guest
	 */
	conn->sock = s;

	if (map != FWD_MAP_LOOPBACK) {
		const struct in_addr *d4 = inany_v4(&host_dst);
		union inany_addr src;

		ifname = d4 ? c->ip4.ifname_out : c->ip6.ifname_out;
		if (*ifname && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE,
					  ifname, (socklen_t)strlen(ifname)))
			debug_perror("TCP: SO_BINDTODEVICE %s", ifname);
		if (d4)
			inany_from_v4(&src, c->ip4.addr_out);
		else
			inany_from_v6(&src, &c->ip6.addr_out);
		if (!inany_is_unspec(&src)) {
			sl = inany_to_sockaddr(&src, 0, 0, &sa);
			if (bind(s, &sa.sa, sl))
				debug_perror("TCP: binding to outbound address");
		}
	}

	flow_activate(f, FLOW_TCP);
	flow_hash_insert(f, INISIDE);
	conn->state = TCP_ST_CONNECTING;
	conn->epoll_events = TCP_EPOLL_DELETED;	/* not watched yet */

	sl = inany_to_sockaddr(&host_dst, seq->dport, c->ip6.ifi, &sa);
	rc = connect(s, &sa.sa, sl);
	if (rc && errno != EINPROGRESS) {
		debug_perror("TCP: connect");
		tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
		tcp_conn_end(c, conn, false);
		return;
	}
	at_once = !rc || tcp_sock_established(s);

	/* Watched from now on, as tcp_epoll_set() would ask: for the end of
	 * the handshake, or, if connect() completed it, for the host peer's
	 * close while the guest's own completes (one epoll_ctl() less)
	 */
	if (tcp_epoll_add(c, conn, EPOLLRDHUP | (at_once ? 0 : EPOLLOUT))) {
		tcp_conn_end(c, conn, true);
		return;
	}

	stats_inc(STAT_TCP_CONN_TAP_OUT);
	flow_log(f, LOG_DEBUG, "new connection from guest");
	if (at_once) {
		/* The SYN-ACK now, not after an EPOLLOUT round */
		stats_inc(STAT_TCP_CONNECT_AT_ONCE);
		tcp_syn_acked = true;
		if (tcp_connect_finish(c, conn, conn->progress_at, true))
			tcp_timer_schedule(conn);
	}
	return;

refuse:
	if (conn->sock >= 0)
		close(conn->sock);
	tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
	flow_alloc_cancel(f);
}

/**
 * tcp_connect_finish() - Host socket connected, or failed to
 * @c:		Execution context
 * @conn:	Connection in TCP_ST_CONNECTING
 * @now:	Current time, ms
 * @done:	connect() or TCP_INFO said the handshake completed: no
 *		error to fetch
 *
 * Return: false if the connection was released
 */
bool tcp_connect_finish(struct ctx *c, struct tcp_tap_conn *conn,
			uint64_t now, bool done)
{
	union sockaddr_inany sa;
	socklen_t sl = sizeof(int);
	uint32_t cap;
	int err = 0;

	if (!done &&
	    getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl))
		err = errno;
	if (err) {
		errno = err;
		debug_perror("TCP: connect to host");
		/* The guest's SYN wasn't acknowledged: answer it with RST */
		conn->seq_to_guest = 0;
		conn->wnd_to_guest = 0;
		tcp_send_flag(c, conn, TH_RST | TH_ACK);
		tcp_conn_end(c, conn, false);
		return false;
	}

	sl = sizeof(sa);
	if (!getsockname(conn->sock, &sa.sa, &sl))
		inany_from_sockaddr(&sa, &conn->f.side[TGTSIDE].oaddr,
				    &conn->f.side[TGTSIDE].oport);

	tcp_sock_setup(c, conn);
	conn->wnd_to_guest = tcp_sock_wnd(conn, &cap);
	conn->state = TCP_ST_SYN_ACK_SENT;
	/* Not sent (the tap backend is full): the timer sends it again */
	tcp_send_flag(c, conn, TH_SYN | TH_ACK);
	conn->seq_to_guest = conn->isn_to_guest + 1;
	tcp_seq_sent(conn);
	conn->progress_at = now;
	tcp_epoll_set(c, conn);
	return true;
}

/**
 * tcp_tap_conn_from_sock() - Connection accepted on a forwarded port: open
 *			      it towards the guest
 * @c:			Execution context
 * @s:			Accepted socket
 * @peer:		Host peer's address
 * @listen_port:	Port it connected to
 * @target_port:	Port in the guest
 * @now:		Current time
 */
void tcp_tap_conn_from_sock(struct ctx *c, int s,
			    const union sockaddr_inany *peer,
			    uint16_t listen_port, uint16_t target_port,
			    const struct timespec *now)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	union sockaddr_inany local;
	struct tcp_tap_conn *conn;
	struct flowside *ts;
	struct flow_common *f;
	socklen_t sl = sizeof(local);
	int af;

	if (c->no_tcp || !tap_is_ready(c) || s > EPOLL_REF_FD_MAX)
		goto refuse_sock;

	f = flow_alloc();
	if (!f) {
		warn_ratelimit("TCP: flow table full (--max-flows %u), resetting a connection to port %u",
			       flow_max(), listen_port);
		goto refuse_sock;
	}
	conn = tcp_conn_of(f);
	conn->sock = s;

	f->pif[INISIDE] = PIF_HOST;
	inany_from_sockaddr(peer, &f->side[INISIDE].eaddr,
			    &f->side[INISIDE].eport);
	if (!getsockname(s, &local.sa, &sl))
		inany_from_sockaddr(&local, &f->side[INISIDE].oaddr, NULL);
	f->side[INISIDE].oport = listen_port;

	af = inany_af(&f->side[INISIDE].eaddr);
	if ((af == AF_INET && !c->ifi4_on) || (af == AF_INET6 && !c->ifi6_on))
		goto cancel;

	f->pif[TGTSIDE] = PIF_TAP;
	conn->tapside = TGTSIDE;
	ts = &f->side[TGTSIDE];
	fwd_guest_addr(c, af, &ts->eaddr);
	ts->eport = target_port;
	fwd_map_to_guest(c, &f->side[INISIDE].eaddr, &ts->oaddr);
	ts->oport = f->side[INISIDE].eport;

	if (flow_lookup(FLOW_TCP, PIF_TAP, &ts->eaddr, ts->eport, &ts->oaddr,
			ts->oport) != FLOW_SIDX_NONE)
		goto cancel;	/* Same tuple as seen by the guest: can't */

	tcp_mss_set(c, conn, 0);
	conn->ws_to_guest = TCP_WS_DEFAULT;
	conn->isn_to_guest = tcp_isn(ts, now);
	conn->seq_to_guest = conn->isn_to_guest;
	conn->seq_ack_from_guest = conn->isn_to_guest;
	conn->seq_max_to_guest = conn->isn_to_guest;
	conn->rto = TCP_RTO_SYN_MS;
	conn->progress_at = tcp_now_ms(now);
	conn->state = TCP_ST_SYN_SENT;
	tcp_sock_setup(c, conn);
	{
		uint32_t cap;

		conn->wnd_to_guest = tcp_sock_wnd(conn, &cap);
	}

	flow_activate(f, FLOW_TCP);
	flow_hash_insert(f, TGTSIDE);

	if (tcp_epoll_add(c, conn, EPOLLRDHUP)) {
		tcp_conn_end(c, conn, true);
		return;
	}
	/* Not sent (the tap backend is full): the timer sends it again */
	tcp_send_flag(c, conn, TH_SYN);
	conn->seq_to_guest = conn->isn_to_guest + 1;
	tcp_seq_sent(conn);

	stats_inc(STAT_TCP_CONN_TAP_IN);
	flow_log(f, LOG_DEBUG, "new connection to guest");
	tcp_timer_schedule(conn);
	return;

cancel:
	flow_alloc_cancel(f);
refuse_sock:
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

/**
 * tcp_established() - Handshake done: data retransmission from now on
 * @conn:	Connection
 * @now:	Current time, ms
 */
static void tcp_established(struct tcp_tap_conn *conn, uint64_t now)
{
	conn->rto = TCP_RTO_INIT_MS;
	conn->retries = 0;
	conn->progress_at = now;
}

/**
 * tcp_handshake_from_guest() - A segment while the handshake is on
 * @c:		Execution context
 * @conn:	Connection
 * @l4:		Segment
 * @th:		Its TCP header
 * @now:	Current time, ms
 *
 * Return: true if the segment may go on to established processing
 */
bool tcp_handshake_from_guest(struct ctx *c, struct tcp_tap_conn *conn,
				     const struct pkt *l4,
				     const struct tcphdr *th, uint64_t now)
{
	uint32_t ack = ntohl(th->ack_seq);

	switch (conn->state) {
	case TCP_ST_CONNECTING:
		return false;	/* Retransmitted SYN: we're connecting */
	case TCP_ST_SYN_ACK_SENT:
		if (th->syn && !th->ack) {
			/* Our SYN-ACK got lost: send it again */
			conn->seq_to_guest = conn->isn_to_guest;
			tcp_send_flag(c, conn, TH_SYN | TH_ACK);
			conn->seq_to_guest = conn->isn_to_guest + 1;
			tcp_seq_sent(conn);
			return false;
		}
		if (!th->ack || ack != conn->isn_to_guest + 1)
			return false;
		break;
	case TCP_ST_SYN_SENT: {
		struct tcp_syn_opts o;

		if (!th->syn || !th->ack || ack != conn->isn_to_guest + 1)
			return false;
		tcp_parse_opts(l4, (size_t)th->doff * 4, &o);
		tcp_mss_set(c, conn, o.mss);
		if (o.ws >= 0) {
			conn->flags |= TCP_WS_OK;
			conn->ws_from_guest = (uint8_t)o.ws;
		} else {
			conn->ws_to_guest = 0;
		}
		conn->seq_from_guest = ntohl(th->seq) + 1;
		conn->seq_ack_to_guest = conn->seq_from_guest;
		conn->state = TCP_ST_ESTABLISHED;
		conn->seq_ack_from_guest = ack;
		/* A SYN-ACK: its window is never scaled */
		conn->wnd_from_guest = tcp_wnd_from_guest(ntohs(th->window),
							  conn->ws_from_guest,
							  false);
		tcp_established(conn, now);
		tcp_update_ack(c, conn, true);
		tcp_epoll_set(c, conn);
		return false;
	}
	default:
		return true;
	}

	/* SYN-ACK acknowledged: established */
	conn->state = TCP_ST_ESTABLISHED;
	conn->seq_ack_from_guest = ack;
	conn->wnd_from_guest = tcp_wnd_from_guest(ntohs(th->window),
						  conn->ws_from_guest,
						  conn->flags & TCP_WS_OK);
	tcp_established(conn, now);
	tcp_epoll_set(c, conn);
	return true;
}

/**
 * tcp_handshake_timeout() - Our SYN or SYN-ACK wasn't answered in time
 * @c:		Execution context
 * @conn:	Connection in TCP_ST_SYN_SENT or TCP_ST_SYN_ACK_SENT
 * @ms:		Current time, ms
 */
void tcp_handshake_timeout(struct ctx *c, struct tcp_tap_conn *conn,
				  uint64_t ms)
{
	bool syn_ack = conn->state == TCP_ST_SYN_ACK_SENT;
	unsigned max = syn_ack ? TCP_SYNACK_RETRIES : TCP_SYN_RETRIES;

	if (++conn->retries > max) {
		tcp_conn_rst(c, conn, "handshake with guest timed out");
		return;
	}
	stats_inc(STAT_TCP_RETRANS_SYN);
	conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
	conn->progress_at = ms;
	conn->seq_to_guest = conn->isn_to_guest;
	tcp_send_flag(c, conn, syn_ack ? TH_SYN | TH_ACK : TH_SYN);
	conn->seq_to_guest = conn->isn_to_guest + 1;
	tcp_seq_sent(conn);
	tcp_timer_schedule(conn);
}

/**
 * tcp_probe_peek_off() - Does the kernel support SO_PEEK_OFF for TCP?
 * @af:		AF_INET or AF_INET6
 *
 * Return: true if supported
 */
static bool tcp_probe_peek_off(int af)
{
	int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP), zero = 0;
	bool ok;

	if (s < 0)
		return false;
	ok = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	close(s);
	return ok;
}

/**
 * tcp_peek_off_feature() - Put SO_PEEK_OFF's state in the statistics
 * @c:		Execution context
 * @name:	Feature name
 * @v6:		0 for IPv4, 1 for IPv6
 */
static void tcp_peek_off_feature(const struct ctx *c, const char *name,
				 int v6)
{
	stats_feature(name, c->no_peek_off ? "off (--no-peek-off)" :
		      tcp_peek_off_supported[v6] ? "in use" : "not supported");
}

/**
 * tcp_conn_init() - Key for initial sequence numbers, probe SO_PEEK_OFF
 * @c:		Execution context
 */
void tcp_conn_init(struct ctx *c)
{
	rand_bytes(&tcp_isn_key, sizeof(tcp_isn_key));
	tcp_peek_off_supported[0] = tcp_probe_peek_off(AF_INET);
	tcp_peek_off_supported[1] = tcp_probe_peek_off(AF_INET6);
	if (c->no_peek_off)
		info("TCP: SO_PEEK_OFF disabled (--no-peek-off): peeking through a discard buffer");
	else
		info("TCP: SO_PEEK_OFF %s for IPv4, %s for IPv6",
		     tcp_peek_off_supported[0] ? "supported" : "not supported",
		     tcp_peek_off_supported[1] ? "supported" : "not supported");
	tcp_peek_off_feature(c, "TCP SO_PEEK_OFF, IPv4", 0);
	tcp_peek_off_feature(c, "TCP SO_PEEK_OFF, IPv6", 1);
}
