// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation between the guest's tap link and host sockets
 *
 * Theory of operation
 *
 * There is no TCP stack here. Each connection of the guest is mirrored by
 * one ordinary host socket, and the host kernel does the real work on the
 * host side (congestion control, retransmission to the peer). Towards the
 * guest, we only keep the few numbers a TCP endpoint needs to talk to a
 * well-behaved local peer: sequence and acknowledgement numbers, windows,
 * and a retransmission timer; see struct tcp_tap_conn and enum tcp_state
 * in tcp_internal.h for the states.
 *
 * Opening: a SYN from the guest starts a non-blocking connect() on the
 * host; the guest gets its SYN-ACK only once that connects, and a reset
 * if it fails (at once when refused, after the host's own timeout when
 * unreachable). A connection accepted on a forwarded port (tcp_listen.c)
 * sends a SYN to the guest instead.
 *
 * Host to guest: data stays in the host socket until the guest
 * acknowledges it (tcp_buf.c peeks it, with SO_PEEK_OFF where available);
 * acknowledged bytes are then discarded from the socket. Duplicate ACKs or
 * a timeout rewind to the acknowledged point and send again.
 *
 * Guest to host: the segments of one batch from the tap link, grouped per
 * connection by tap.c, are written with one sendmsg(). What the socket
 * took is acknowledged at once: the host's TCP delivers it from there, as
 * for any local writer. The window offered is what the socket's send
 * buffer can still take (tcp_sock_wnd()), so the guest never sends what
 * the socket would refuse, and it keeps the buffer full while a slow
 * receiver drains it, as a blocking writer would. When that window is
 * nearly used up, EPOLLOUT on the socket says when the buffer drained, and
 * the window update goes out then, not with the guest's next segment:
 * there is no polling of the socket. Should the socket still refuse part
 * of a batch, that part is not acknowledged, and once the socket has room
 * again, duplicate ACKs make the guest retransmit it at once instead of
 * after a timeout.
 *
 * Buffers: guest data is written straight from the tap receive buffers.
 * Nothing here assumes a buffer is free once sendmsg() returns: a later
 * zero-copy send pins the buffer (tap_buf_pin()) until its completion.
 *
 * Timers: one timerfd per connection, armed only while we wait for the
 * guest: our SYN or SYN-ACK, data or a FIN unacknowledged, a zero window
 * to probe, frames the tap backend refused. Each expiry sends again and
 * doubles the timeout; the limits on attempts are Linux's defaults (see
 * TCP_RETRIES_MAX and the others). An idle connection has no timer and no
 * time limit, as in the host's TCP: whether it is probed is up to the
 * guest's keepalive settings and the host peer's; probes the guest sends
 * are answered.
 *
 * Backpressure: frames the tap backend refuses (a full stream socket)
 * stay in the host socket; the connection stops reading it and waits on
 * the flow layer's list (flow_tap_wait()) until the backend can send
 * again.
 *
 * Known gaps: no SACK, no timestamps, no urgent data; segments arriving
 * out of order from the guest are dropped (the tap link doesn't reorder).
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>

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

#define TCP_WS_DEFAULT		8	/* our window scale: up to 16 MiB */
#define TCP_MSS_DEFAULT4	536
#define TCP_MSS_DEFAULT6	1220
#define TCP_MSS_MIN		88
/* Retransmission to the guest, with the numbers of attempts Linux uses by
 * default, so that a paused guest keeps its connections about as long as
 * a host peer would: data and FIN 15 (tcp_retries2; about 18 minutes from
 * our 0.5 s start), SYN 6 (tcp_syn_retries, about two minutes), SYN-ACK 5
 * (tcp_synack_retries, about one). An idle connection has no time limit.
 * See INACTIVITY AND TIMEOUTS in the man page.
 */
#define TCP_RTO_INIT_MS		500	/* data: the guest is close */
#define TCP_RTO_SYN_MS		1000	/* handshake (RFC 6298, 2.1) */
#define TCP_RTO_MAX_MS		120000
#define TCP_RETRIES_MAX		15
#define TCP_SYN_RETRIES		6
#define TCP_SYNACK_RETRIES	5
#define TCP_DUP_ACK_RETRANS	2	/* the tap link doesn't reorder */
#define TCP_WND_WAIT_FRAC	8	/* EPOLLOUT below 1/8 of the buffer */
#define TCP_EPOLL_DELETED	UINT32_MAX	/* socket no longer watched */

static bool tcp_peek_off_supported[2];	/* IPv4, IPv6 */
static struct siphash_key tcp_isn_key;

/**
 * now_ms() - Milliseconds of a monotonic time
 * @now:	Time
 *
 * Return: milliseconds
 */
static uint64_t now_ms(const struct timespec *now)
{
	return (uint64_t)now->tv_sec * MS_PER_S +
	       (uint64_t)now->tv_nsec / 1000000;
}

/**
 * tcp_peek_off_on() - Is SO_PEEK_OFF in use on the connection's socket?
 * @conn:	Connection
 *
 * Return: true if peeks continue at the kernel's offset
 */
bool tcp_peek_off_on(const struct tcp_tap_conn *conn)
{
	return conn->flags & TCP_PEEK_OFF;
}

/**
 * tcp_wnd_field() - Window field for a segment to the guest
 * @conn:	Connection
 *
 * Return: window, scaled unless in a SYN (RFC 7323, 2.2)
 */
uint16_t tcp_wnd_field(const struct tcp_tap_conn *conn)
{
	return tcp_wnd_to_guest(conn->wnd_to_guest, conn->ws_to_guest,
				conn->state == TCP_ST_ESTABLISHED);
}

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
 * tcp_epoll_set() - Watch the socket for what the connection needs now
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_epoll_set(const struct ctx *c, struct tcp_tap_conn *conn)
{
	uint32_t ev = 0;
	union epoll_ref ref;

	/* Level-triggered: what already happened must not be asked again */
	if (!(conn->flags & TCP_SOCK_RDHUP))
		ev |= EPOLLRDHUP;
	if (conn->state == TCP_ST_CONNECTING)
		ev |= EPOLLOUT;
	if (conn->state == TCP_ST_ESTABLISHED &&
	    !(conn->flags & (TCP_STALLED | TCP_SOCK_EOF | TCP_TAP_FIN_SENT)))
		ev |= EPOLLIN;
	if (conn->flags & (TCP_WANT_OUT | TCP_WND_WAIT))
		ev |= EPOLLOUT;
	if (ev == conn->epoll_events)
		return;

	if (conn->epoll_events == TCP_EPOLL_DELETED)
		return;
	if (!ev && (conn->flags & TCP_SOCK_SHUT_WR) &&
	    (conn->flags & TCP_SOCK_RDHUP)) {
		/* Both directions shut: EPOLLHUP would fire on every wait,
		 * and there's nothing left to learn from the socket
		 */
		epoll_del(c->epollfd, conn->sock);
		conn->epoll_events = TCP_EPOLL_DELETED;
		return;
	}

	ref = epoll_ref_make(EPOLL_TYPE_TCP, conn->sock,
			     flow_sidx(flow_idx(&conn->f), !conn->tapside));
	if (epoll_mod(c->epollfd, ev, ref))
		debug_perror("TCP: epoll_ctl on socket %d", conn->sock);
	conn->epoll_events = ev;
}

/**
 * tcp_timer_schedule() - Arm the timer for the earliest deadline
 * @conn:	Connection
 *
 * The one deadline is the retransmission timeout, from the last progress:
 * for the handshake, for data or a FIN in flight, for a zero window to
 * probe, or for frames the tap backend refused. Nothing else expires: an
 * idle connection stays, as it would in the host's TCP.
 */
static void tcp_timer_schedule(struct tcp_tap_conn *conn)
{
	struct itimerspec it = { 0 };
	uint64_t at;

	if (conn->state == TCP_ST_CONNECTING)
		return;		/* the host's connect() has its own timeout */
	if (conn->state == TCP_ST_ESTABLISHED &&
	    conn->seq_to_guest == conn->seq_ack_from_guest &&
	    !(conn->flags & TCP_STALLED) && !conn->f.waiting)
		return;		/* nothing we wait for */
	at = conn->progress_at + conn->rto;

	/* A later deadline needs no syscall: the armed one fires early, and
	 * the handler schedules again from there
	 */
	if (conn->timer < 0 || (conn->timer_at && conn->timer_at <= at))
		return;
	conn->timer_at = at;
	it.it_value.tv_sec = (time_t)(at / MS_PER_S);
	it.it_value.tv_nsec = (long)(at % MS_PER_S) * 1000000;
	/* #syscalls timerfd_settime */
	if (timerfd_settime(conn->timer, TFD_TIMER_ABSTIME, &it, NULL))
		debug_perror("TCP: timerfd_settime");
}

/**
 * tcp_conn_end() - Release a connection's descriptors and its flow
 * @c:		Execution context
 * @conn:	Connection
 * @rst_host:	Reset the host peer (SO_LINGER with zero timeout)
 */
static void tcp_conn_end(struct ctx *c, struct tcp_tap_conn *conn,
			 bool rst_host)
{
	if (conn->sock >= 0) {
		if (rst_host) {
			struct linger l = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(conn->sock, SOL_SOCKET, SO_LINGER, &l,
				   sizeof(l));
		}
		epoll_del(c->epollfd, conn->sock);
		/* #syscalls close */
		close(conn->sock);
		conn->sock = -1;
	}
	if (conn->timer >= 0) {
		epoll_del(c->epollfd, conn->timer);
		close(conn->timer);
		conn->timer = -1;
	}
	flow_close(&conn->f);
}

/**
 * tcp_conn_rst() - Reset both sides of a connection and release it
 * @c:		Execution context
 * @conn:	Connection
 * @why:	Reason, for the debug log
 */
void tcp_conn_rst(struct ctx *c, struct tcp_tap_conn *conn, const char *why)
{
	if (conn->f.state != FLOW_STATE_ACTIVE)
		return;
	flow_log(&conn->f, LOG_DEBUG, why);
	if (conn->state != TCP_ST_CONNECTING)
		tcp_send_flag(c, conn, TH_RST | TH_ACK);
	tcp_conn_end(c, conn, true);
}

/**
 * tcp_sock_wnd() - What the host socket's send buffer can still take
 * @conn:	Connection
 * @cap:	Set to what the whole buffer holds, in the same terms
 *
 * The guest's data is acknowledged as soon as the socket took it: from
 * there, the host's TCP delivers it or resets the connection, as it would
 * for any local writer. The window is then what the socket would still
 * take (its send buffer, less what is queued, both as the kernel counts
 * them, SO_MEMINFO), with a margin for the kernel's per-buffer overhead:
 * so the socket never refuses what the guest sends, and a slow receiver
 * slows the guest down once the buffer is full, not before. The kernel
 * grows the buffer as it needs when we wait for it (EPOLLOUT), as for a
 * writer that blocks.
 *
 * Return: window, bytes
 */
static uint32_t tcp_sock_wnd(const struct tcp_tap_conn *conn, uint32_t *cap)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi);

	/* #syscalls getsockopt */
	if (getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) ||
	    sl <= SK_MEMINFO_WMEM_QUEUED * sizeof(mi[0])) {
		*cap = 0;
		return 0;
	}
	return tcp_wnd_sndbuf(mi[SK_MEMINFO_SNDBUF],
			      mi[SK_MEMINFO_WMEM_QUEUED], cap);
}

/**
 * tcp_update_ack() - Acknowledge what the socket took, advertise what it
 *		      can take, if that changed or if asked to
 * @c:		Execution context
 * @conn:	Connection, established
 * @force:	Send an ACK even if nothing changed
 */
static void tcp_update_ack(struct ctx *c, struct tcp_tap_conn *conn,
			   bool force)
{
	uint32_t ack = conn->seq_from_guest, cap, wnd, max;
	bool send = force || ack != conn->seq_ack_to_guest ||
		    (conn->flags & TCP_ACK_UNSENT);

	wnd = tcp_sock_wnd(conn, &cap);
	max = tcp_wnd_max(conn->ws_to_guest, conn->flags & TCP_WS_OK);
	wnd = MIN(wnd, max);
	cap = MIN(cap, max);
	if (conn->flags & TCP_TAP_FIN_RCVD)
		wnd = MAX(wnd, 1U << conn->ws_to_guest);

	if (tcp_wnd_update_due(conn->seq_ack_to_guest, conn->wnd_to_guest,
			       ack, wnd, conn->mss))
		send = true;

	conn->seq_ack_to_guest = ack;
	conn->wnd_to_guest = wnd;

	/* Nearly used up: have the socket say when it drained. EPOLLOUT comes
	 * once the buffer is a third free (the kernel's writable mark), so
	 * the window it gives is above this mark, and EPOLLOUT isn't asked
	 * for again at once
	 */
	if (!(conn->flags & TCP_TAP_FIN_RCVD) && wnd < cap / TCP_WND_WAIT_FRAC)
		conn->flags |= TCP_WND_WAIT;
	else
		conn->flags &= (uint16_t)~TCP_WND_WAIT;

	if (!send)
		return;
	if (tcp_send_flag(c, conn, TH_ACK)) {
		conn->flags |= TCP_ACK_UNSENT;
		flow_tap_wait(&conn->f);
	} else {
		conn->flags &= (uint16_t)~TCP_ACK_UNSENT;
	}
}

/**
 * tcp_rewind() - Send again everything the guest didn't acknowledge
 * @c:		Execution context
 * @conn:	Connection
 * @now:	Current time, ms
 */
static void tcp_rewind(struct ctx *c, struct tcp_tap_conn *conn,
		       uint64_t now)
{
	int zero = 0;

	conn->seq_to_guest = conn->seq_ack_from_guest;
	if (conn->flags & TCP_TAP_FIN_SENT && !(conn->flags & TCP_TAP_FIN_ACKED))
		conn->flags &= (uint16_t)~TCP_TAP_FIN_SENT;
	if (tcp_peek_off_on(conn))
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			   sizeof(zero));
	conn->flags &= (uint16_t)~TCP_STALLED;
	conn->progress_at = now;
	if (tcp_data_to_guest(c, conn, now) < 0)
		tcp_conn_rst(c, conn, "socket error while retransmitting");
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

	/* SO_PEEK_OFF starts disabled (-1): setting it is also the probe */
	if (!c->no_peek_off && tcp_peek_off_supported[!v4] &&
	    !setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			sizeof(zero)))
		conn->flags |= TCP_PEEK_OFF;
}

/**
 * tcp_timer_open() - Create and register the connection's timer
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_timer_open(const struct ctx *c, struct tcp_tap_conn *conn)
{
	union epoll_ref ref;
	int fd;

	/* #syscalls timerfd_create */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fd > EPOLL_REF_FD_MAX) {
		close(fd);
		return -EMFILE;
	}
	ref = epoll_ref_make(EPOLL_TYPE_TCP_TIMER, fd,
			     flow_sidx(flow_idx(&conn->f), conn->tapside));
	if (epoll_add(c->epollfd, EPOLLIN, ref)) {
		int e = errno;

		close(fd);
		return -e;
	}
	conn->timer = fd;
	return 0;
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

/**
 * tcp_conn_from_tap() - A SYN from the guest: connect on the host
 * @c:		Execution context
 * @seq:	Packets of the flow, the first being the SYN
 * @l4:		The SYN segment
 * @th:		Its TCP header
 * @now:	Current time
 */
static void tcp_conn_from_tap(struct ctx *c, const struct tap_l4_seq *seq,
			      const struct pkt *l4, const struct tcphdr *th,
			      const struct timespec *now)
{
	union inany_addr host_dst;
	union sockaddr_inany sa;
	struct tcp_syn_opts o;
	struct tcp_tap_conn *conn;
	struct flow_common *f;
	enum fwd_map map;
	union epoll_ref ref;
	const char *ifname;
	socklen_t sl;
	int s, rc;

	if (inany_is_multicast(&seq->dst) || inany_is_unspec(&seq->dst) ||
	    inany_is_multicast(&seq->src) || !seq->dport) {
		stats_inc(STAT_TCP_DROP_SEGMENT);
		return;
	}

	f = flow_alloc();
	if (!f) {
		debug("TCP: flow table full, refusing connection");
		tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
		return;
	}
	conn = tcp_conn_of(f);
	conn->sock = conn->timer = -1;

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
	conn->rto = TCP_RTO_SYN_MS;
	conn->progress_at = now_ms(now);

	/* #syscalls socket bind connect setsockopt */
	s = socket(inany_af(&host_dst), SOCK_STREAM | SOCK_NONBLOCK |
		   SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0 || s > EPOLL_REF_FD_MAX) {
		warn_ratelimit("TCP: can't create socket: %s",
			       s < 0 ? strerror(errno) : "descriptor too large");
		if (s >= 0)
			close(s);
		goto refuse;
	}
	conn->sock = s;

	{
		int mss = conn->mss;

		setsockopt(s, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
	}

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

	if (tcp_timer_open(c, conn))
		goto refuse;

	flow_activate(f, FLOW_TCP);
	flow_hash_insert(f, INISIDE);
	conn->state = TCP_ST_CONNECTING;

	ref = epoll_ref_make(EPOLL_TYPE_TCP, s, flow_sidx(flow_idx(f),
							  TGTSIDE));
	conn->epoll_events = EPOLLOUT | EPOLLRDHUP;
	if (epoll_add(c->epollfd, conn->epoll_events, ref)) {
		tcp_conn_end(c, conn, false);
		return;
	}

	sl = inany_to_sockaddr(&host_dst, seq->dport, c->ip6.ifi, &sa);
	rc = connect(s, &sa.sa, sl);
	if (rc && errno != EINPROGRESS) {
		debug_perror("TCP: connect");
		tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
		tcp_conn_end(c, conn, false);
		return;
	}

	stats_inc(STAT_TCP_CONN_TAP_OUT);
	flow_log(f, LOG_DEBUG, "new connection from guest");
	return;

refuse:
	if (conn->sock >= 0)
		close(conn->sock);
	if (conn->timer >= 0) {
		epoll_del(c->epollfd, conn->timer);
		close(conn->timer);
	}
	tcp_rst_stray(c, seq, ntohl(th->seq), 0, false, 1);
	flow_alloc_cancel(f);
}

/**
 * tcp_connect_finish() - Host socket connected, or failed to
 * @c:		Execution context
 * @conn:	Connection in TCP_ST_CONNECTING
 * @now:	Current time, ms
 *
 * Return: false if the connection was released
 */
static bool tcp_connect_finish(struct ctx *c, struct tcp_tap_conn *conn,
			       uint64_t now)
{
	union sockaddr_inany sa;
	socklen_t sl = sizeof(int);
	uint32_t cap;
	int err = 0;

	if (getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl))
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
	union epoll_ref ref;
	socklen_t sl = sizeof(local);
	int af;

	if (c->no_tcp || !tap_is_ready(c) || s > EPOLL_REF_FD_MAX)
		goto refuse_sock;

	f = flow_alloc();
	if (!f) {
		debug("TCP: flow table full, refusing connection");
		goto refuse_sock;
	}
	conn = tcp_conn_of(f);
	conn->sock = s;
	conn->timer = -1;

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
	conn->rto = TCP_RTO_SYN_MS;
	conn->progress_at = now_ms(now);
	conn->state = TCP_ST_SYN_SENT;
	tcp_sock_setup(c, conn);
	{
		uint32_t cap;

		conn->wnd_to_guest = tcp_sock_wnd(conn, &cap);
	}

	if (tcp_timer_open(c, conn))
		goto cancel;

	flow_activate(f, FLOW_TCP);
	flow_hash_insert(f, TGTSIDE);

	ref = epoll_ref_make(EPOLL_TYPE_TCP, s, flow_sidx(flow_idx(f),
							  INISIDE));
	conn->epoll_events = EPOLLRDHUP;
	if (epoll_add(c->epollfd, conn->epoll_events, ref)) {
		tcp_conn_end(c, conn, true);
		return;
	}
	/* Not sent (the tap backend is full): the timer sends it again */
	tcp_send_flag(c, conn, TH_SYN);
	conn->seq_to_guest = conn->isn_to_guest + 1;

	stats_inc(STAT_TCP_CONN_TAP_IN);
	flow_log(f, LOG_DEBUG, "new connection to guest");
	tcp_timer_schedule(conn);
	return;

cancel:
	if (conn->timer >= 0) {
		epoll_del(c->epollfd, conn->timer);
		close(conn->timer);
	}
	flow_alloc_cancel(f);
refuse_sock:
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

/**
 * tcp_consume() - Drop from the socket what the guest acknowledged
 * @c:		Execution context
 * @conn:	Connection
 * @bytes:	Number of bytes
 *
 * Return: 0 on success, -1 if the connection was reset
 */
static int tcp_consume(struct ctx *c, struct tcp_tap_conn *conn,
		       uint32_t bytes)
{
	while (bytes) {
		/* MSG_TRUNC on TCP discards without copying */
		ssize_t n = recv(conn->sock, NULL, bytes,
				 MSG_TRUNC | MSG_DONTWAIT);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			tcp_conn_rst(c, conn, "couldn't discard acknowledged data");
			return -1;
		}
		bytes -= (uint32_t)n;
	}
	return 0;
}

/**
 * tcp_ack_from_guest() - Process the acknowledgement and window of a
 *			  segment from the guest
 * @c:		Execution context
 * @conn:	Connection, established
 * @ack:	Acknowledgement number
 * @wnd_raw:	Window field
 * @plen:	Payload length of the segment
 * @now:	Current time, ms
 *
 * Return: 0, or -1 if the connection was reset
 */
static int tcp_ack_from_guest(struct ctx *c, struct tcp_tap_conn *conn,
			      uint32_t ack, uint16_t wnd_raw, size_t plen,
			      uint64_t now)
{
	uint32_t wnd = tcp_wnd_from_guest(wnd_raw, conn->ws_from_guest,
					  conn->flags & TCP_WS_OK);
	uint32_t inflight = conn->seq_to_guest - conn->seq_ack_from_guest;
	enum tcp_ack_kind kind = tcp_ack_classify(conn->seq_ack_from_guest,
						  conn->seq_to_guest, ack);

	if (kind == TCP_ACK_IGNORE)
		return 0;	/* Old, or for data never sent */

	if (kind == TCP_ACK_SAME) {
		if (!plen && inflight && wnd == conn->wnd_from_guest &&
		    ++conn->dup_acks == TCP_DUP_ACK_RETRANS) {
			stats_inc(STAT_TCP_RETRANS_DUPACK);
			conn->wnd_from_guest = wnd;
			tcp_rewind(c, conn, now);
			return conn->f.state == FLOW_STATE_ACTIVE ? 0 : -1;
		}
	} else {
		uint32_t acked = ack - conn->seq_ack_from_guest;

		if (conn->flags & TCP_TAP_FIN_SENT && ack == conn->seq_to_guest) {
			conn->flags |= TCP_TAP_FIN_ACKED;
			acked--;	/* the FIN isn't in the socket */
		}
		conn->seq_ack_from_guest = ack;
		conn->dup_acks = 0;
		conn->retries = 0;
		conn->rto = TCP_RTO_INIT_MS;
		conn->progress_at = now;
		if (acked && tcp_consume(c, conn, acked))
			return -1;
	}

	conn->wnd_from_guest = wnd;
	return 0;
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
static bool tcp_handshake_from_guest(struct ctx *c, struct tcp_tap_conn *conn,
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
 * tcp_check_close() - Release the connection once both directions closed
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: true if it was released
 */
static bool tcp_check_close(struct ctx *c, struct tcp_tap_conn *conn)
{
	const uint16_t done = TCP_TAP_FIN_RCVD | TCP_SOCK_SHUT_WR |
			      TCP_TAP_FIN_SENT | TCP_TAP_FIN_ACKED;

	if ((conn->flags & done) != done)
		return false;
	flow_log(&conn->f, LOG_DEBUG, "closed");
	tcp_conn_end(c, conn, false);
	return true;
}

/**
 * tcp_conn_settle() - After an event: send what the guest's window allows,
 *		       release the connection if both sides closed, re-arm
 * @c:		Execution context
 * @conn:	Connection, established
 * @ms:		Current time, ms
 * @data:	Try to send data from the socket
 */
static void tcp_conn_settle(struct ctx *c, struct tcp_tap_conn *conn,
			    uint64_t ms, bool data)
{
	if (data && tcp_data_to_guest(c, conn, ms) < 0) {
		tcp_conn_rst(c, conn, "host socket read failed");
		return;
	}
	if (tcp_check_close(c, conn))
		return;
	tcp_epoll_set(c, conn);
	tcp_timer_schedule(conn);
}

/**
 * tcp_segments_from_guest() - Process a batch of segments of a connection
 * @c:		Execution context
 * @conn:	Connection
 * @seq:	Segments, in order
 * @now:	Current time
 */
static void tcp_segments_from_guest(struct ctx *c, struct tcp_tap_conn *conn,
				    const struct tap_l4_seq *seq,
				    const struct timespec *now)
{
	static struct iovec wr[TAP_BATCH_MAX];
	uint64_t ms = now_ms(now);
	uint32_t wr_end = conn->seq_from_guest, fin_at = 0;
	bool fin = false, ack_now = false;
	size_t n_wr = 0, wr_bytes = 0;
	unsigned i;

	for (i = 0; i < seq->count && conn->f.state == FLOW_STATE_ACTIVE;
	     i++) {
		const struct pkt *l4 = &seq->pkts[i];
		struct tcphdr th;
		struct pkt payload;
		uint32_t sseq;
		size_t hlen;

		if (!pkt_copy(l4, 0, &th, sizeof(th)) ||
		    (hlen = (size_t)th.doff * 4) < sizeof(th) ||
		    !pkt_tail(l4, hlen, &payload)) {
			stats_inc(STAT_TCP_DROP_SEGMENT);
			continue;
		}
		sseq = ntohl(th.seq);

		if (th.rst) {
			/* Only in window: a blind reset must not work */
			if (conn->state == TCP_ST_SYN_SENT ||
			    tcp_rst_acceptable(conn->seq_from_guest,
					       conn->wnd_to_guest, sseq)) {
				flow_log(&conn->f, LOG_DEBUG, "reset by guest");
				tcp_conn_end(c, conn, true);
			}
			return;
		}

		if (conn->state != TCP_ST_ESTABLISHED &&
		    !tcp_handshake_from_guest(c, conn, l4, &th, ms))
			continue;
		if (th.syn)
			continue;

		if (th.ack && tcp_ack_from_guest(c, conn, ntohl(th.ack_seq),
						 ntohs(th.window), payload.len,
						 ms))
			return;

		/* Before what we expect, nothing new: a keepalive probe (one
		 * old sequence number), or a duplicate. Answer with an ACK,
		 * as RFC 9293, 3.10.7.4 asks for unacceptable segments
		 */
		if (!payload.len && !th.fin && seq_lt(sseq, wr_end)) {
			ack_now = true;
			continue;
		}

		if (conn->flags & TCP_TAP_FIN_RCVD || fin) {
			if (payload.len || th.fin)
				ack_now = true;	/* retransmission: re-ACK */
			continue;
		}

		if (payload.len) {
			size_t skip;

			switch (tcp_seg_classify(wr_end, sseq, payload.len,
						 &skip)) {
			case TCP_SEG_HOLE:
				/* Drop: a duplicate ACK asks for it again */
				stats_inc(STAT_TCP_DROP_SEGMENT);
				ack_now = true;
				continue;
			case TCP_SEG_OLD:
				ack_now = true;
				if (!th.fin)
					continue;
				payload.len = 0;
				break;
			case TCP_SEG_NEXT:
				pkt_tail(&payload, skip, &payload);
				break;
			}
			sseq = wr_end;
		}

		if (payload.len) {
			wr[n_wr].iov_base = (void *)(uintptr_t)payload.data;
			wr[n_wr].iov_len = payload.len;
			n_wr++;
			wr_bytes += payload.len;
			wr_end += (uint32_t)payload.len;
		}

		if (th.fin && sseq + (uint32_t)payload.len == wr_end) {
			fin = true;
			fin_at = wr_end;
		}
	}
	if (conn->f.state != FLOW_STATE_ACTIVE)
		return;

	if (n_wr) {
		struct msghdr mh = { .msg_iov = wr, .msg_iovlen = n_wr };
		ssize_t n;

		/* #syscalls sendmsg */
		n = sendmsg(conn->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		stats_inc(STAT_TCP_SENDMSG_CALLS);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				tcp_conn_rst(c, conn, "host socket write failed");
				return;
			}
			n = 0;
		}
		conn->seq_from_guest += (uint32_t)n;
		stats_add(STAT_TCP_BYTES_FROM_GUEST, (size_t)n);
		if ((size_t)n < wr_bytes) {
			stats_inc(STAT_TCP_SENDMSG_PARTIAL);
			conn->flags |= TCP_DROPPED_DATA | TCP_WANT_OUT;
			fin = false;
			ack_now = true;
		}
	}

	if (fin && conn->seq_from_guest == fin_at) {
		conn->seq_from_guest++;
		conn->flags |= TCP_TAP_FIN_RCVD;
		/* #syscalls shutdown */
		if (!shutdown(conn->sock, SHUT_WR))
			conn->flags |= TCP_SOCK_SHUT_WR;
		ack_now = true;
	}

	if (conn->state == TCP_ST_ESTABLISHED) {
		/* Pure ACKs don't change what we acknowledge or offer */
		if (n_wr || ack_now)
			tcp_update_ack(c, conn, ack_now);
		/* The socket's EPOLLIN tells when there's data for the guest,
		 * unless a full window of the guest's held it back, or the
		 * socket isn't watched any more (both sides shut): then, what
		 * the guest acknowledged now may let the rest and our FIN go
		 */
		tcp_conn_settle(c, conn, ms,
				((conn->flags & TCP_STALLED) ||
				 conn->epoll_events == TCP_EPOLL_DELETED) &&
				!conn->f.waiting);
		return;
	}
	tcp_timer_schedule(conn);
}

/**
 * tcp_tap_handler_more() - Segments after a SYN that opened a connection
 * @c:		Execution context
 * @seq:	Segments, the first one the SYN
 * @now:	Current time
 */
static void tcp_tap_handler_more(struct ctx *c, const struct tap_l4_seq *seq,
				 const struct timespec *now)
{
	struct tap_l4_seq rest = *seq;
	uint32_t sidx;

	if (seq->count < 2)
		return;
	sidx = flow_lookup(FLOW_TCP, PIF_TAP, &seq->src, seq->sport, &seq->dst,
			   seq->dport);
	if (sidx == FLOW_SIDX_NONE)
		return;
	rest.pkts++;
	rest.count--;
	tcp_segments_from_guest(c, tcp_conn_of(flow_at_sidx(sidx)), &rest, now);
}

/**
 * tcp_tap_handler() - TCP segments from the guest, one flow's batch
 * @c:		Execution context
 * @seq:	Segments
 * @now:	Current time
 */
static void tcp_tap_handler(struct ctx *c, const struct tap_l4_seq *seq,
			    const struct timespec *now)
{
	struct tcphdr th;
	uint32_t sidx;

	if (c->no_tcp)
		return;

	sidx = flow_lookup(FLOW_TCP, PIF_TAP, &seq->src, seq->sport, &seq->dst,
			   seq->dport);
	if (sidx == FLOW_SIDX_NONE) {
		const struct pkt *l4 = &seq->pkts[0];

		if (!pkt_copy(l4, 0, &th, sizeof(th)) ||
		    (size_t)th.doff * 4 < sizeof(th) ||
		    (size_t)th.doff * 4 > l4->len) {
			stats_add(STAT_TCP_DROP_SEGMENT, seq->count);
			return;
		}
		if (th.syn && !th.ack && !th.rst && !th.fin) {
			tcp_conn_from_tap(c, seq, l4, &th, now);
			tcp_tap_handler_more(c, seq, now);
			return;
		}
		if (!th.rst) {
			size_t len = l4->len - (size_t)th.doff * 4 + th.syn +
				     th.fin;

			tcp_rst_stray(c, seq, ntohl(th.seq), ntohl(th.ack_seq),
				      th.ack, len);
		}
		stats_add(STAT_TCP_DROP_SEGMENT, seq->count);
		return;
	}

	tcp_segments_from_guest(c, tcp_conn_of(flow_at_sidx(sidx)), seq, now);
}

/**
 * tcp_sock_handler() - Events on a host socket of a tap connection
 * @c:		Execution context
 * @ref:	Epoll reference
 * @events:	Epoll events
 * @now:	Current time
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	struct flow_common *f = flow_at_sidx(ref.flow);
	struct tcp_tap_conn *conn = tcp_conn_of(f);
	uint64_t ms = now_ms(now);

	if (f->state != FLOW_STATE_ACTIVE || f->type != FLOW_TCP)
		return;

	if (conn->state == TCP_ST_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ||
		    tcp_connect_finish(c, conn, ms))
			tcp_timer_schedule(conn);
		return;
	}

	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err) {
			errno = err;
			debug_perror("TCP: host socket error");
			tcp_conn_rst(c, conn, "host socket error");
			return;
		}
	}

	if (events & (EPOLLRDHUP | EPOLLHUP))
		conn->flags |= TCP_SOCK_RDHUP;

	if (conn->state != TCP_ST_ESTABLISHED) {
		/* Data and end of stream wait for the guest's handshake */
		if ((events & EPOLLHUP) && !(events & EPOLLIN))
			tcp_conn_rst(c, conn, "host peer gone in handshake");
		else
			tcp_epoll_set(c, conn);
		return;
	}

	if (events & EPOLLOUT) {
		if (conn->flags & TCP_WND_WAIT)
			stats_inc(STAT_TCP_WND_WAKEUPS);
		conn->flags &= (uint16_t)~TCP_WANT_OUT;
		tcp_update_ack(c, conn, false);
		if (conn->flags & TCP_DROPPED_DATA &&
		    !(conn->flags & TCP_WANT_OUT)) {
			/* Ask the guest to resend what we couldn't take:
			 * three identical ACKs trigger its fast retransmit
			 */
			conn->flags &= (uint16_t)~TCP_DROPPED_DATA;
			tcp_send_flag(c, conn, TH_ACK);
			tcp_send_flag(c, conn, TH_ACK);
			tcp_send_flag(c, conn, TH_ACK);
		}
	}

	tcp_conn_settle(c, conn, ms,
			events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP));
}

/**
 * tcp_handshake_timeout() - Our SYN or SYN-ACK wasn't answered in time
 * @c:		Execution context
 * @conn:	Connection in TCP_ST_SYN_SENT or TCP_ST_SYN_ACK_SENT
 * @ms:		Current time, ms
 */
static void tcp_handshake_timeout(struct ctx *c, struct tcp_tap_conn *conn,
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
	tcp_timer_schedule(conn);
}

/**
 * tcp_timer_handler() - A connection's timer expired
 * @c:		Execution context
 * @ref:	Epoll reference of the timerfd
 * @now:	Current time
 */
void tcp_timer_handler(struct ctx *c, union epoll_ref ref,
		       const struct timespec *now)
{
	struct flow_common *f = flow_at_sidx(ref.flow);
	struct tcp_tap_conn *conn = tcp_conn_of(f);
	uint64_t ms = now_ms(now), exp;

	/* A connection closed earlier in this batch freed its timer, and
	 * the descriptor number may already belong to a socket opened since:
	 * reading it would eat that socket's data
	 */
	if (f->state != FLOW_STATE_ACTIVE || f->type != FLOW_TCP ||
	    conn->timer != ref.fd)
		return;
	/* #syscalls read */
	if (read(ref.fd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		debug_perror("TCP: reading timerfd");
	conn->timer_at = 0;

	if (ms < conn->progress_at + conn->rto) {
		tcp_timer_schedule(conn);	/* fired early: see there */
		return;
	}

	switch (conn->state) {
	case TCP_ST_SYN_SENT:
	case TCP_ST_SYN_ACK_SENT:
		tcp_handshake_timeout(c, conn, ms);
		return;
	case TCP_ST_ESTABLISHED:
		break;
	default:
		return;
	}

	if (conn->seq_to_guest != conn->seq_ack_from_guest) {
		/* Data or FIN unacknowledged: send it again */
		if (++conn->retries > TCP_RETRIES_MAX) {
			tcp_conn_rst(c, conn, "guest stopped acknowledging");
			return;
		}
		stats_inc(STAT_TCP_RETRANS_TIMEOUT);
		conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		tcp_rewind(c, conn, ms);
		if (f->state != FLOW_STATE_ACTIVE)
			return;
	} else if (conn->f.waiting || (conn->flags & TCP_ACK_UNSENT)) {
		/* The tap backend refused frames and never said it takes
		 * more: try again, less and less often
		 */
		conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		conn->progress_at = ms;
		if (conn->flags & TCP_ACK_UNSENT)
			tcp_update_ack(c, conn, true);
		conn->flags &= (uint16_t)~TCP_STALLED;
	} else if (conn->flags & TCP_STALLED) {
		/* Zero window, nothing in flight: a probe, one old sequence
		 * number, asks the guest for its window again, in case the
		 * update that opened it was lost
		 */
		stats_inc(STAT_TCP_ZERO_WND_PROBES);
		conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		conn->progress_at = ms;
		conn->seq_to_guest--;
		tcp_send_flag(c, conn, TH_ACK);
		conn->seq_to_guest++;
	}

	tcp_conn_settle(c, conn, ms, true);
}

/**
 * tcp_tap_writable() - The tap backend takes frames again: resume sending
 * @c:		Execution context
 * @f:		Flow of a connection that waited for it
 * @now:	Current time
 */
static void tcp_tap_writable(struct ctx *c, struct flow_common *f,
			     const struct timespec *now)
{
	struct tcp_tap_conn *conn = tcp_conn_of(f);
	uint64_t ms = now_ms(now);

	conn->flags &= (uint16_t)~TCP_STALLED;
	if (conn->state != TCP_ST_ESTABLISHED) {
		tcp_timer_schedule(conn);	/* the handshake retries */
		return;
	}
	if (conn->flags & TCP_ACK_UNSENT)
		tcp_update_ack(c, conn, true);
	tcp_conn_settle(c, conn, ms, true);
}

/**
 * tcp_flow_abort() - The guest is gone: reset the host side, release
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_flow_abort(struct ctx *c, struct flow_common *f)
{
	flow_log(f, LOG_DEBUG, "guest gone, resetting");
	tcp_conn_end(c, tcp_conn_of(f), true);
}

static const struct flow_type_ops tcp_flow_ops = {
	.tap_writable	= tcp_tap_writable,
	.abort		= tcp_flow_abort,
};

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
 * tcp_init() - Probe kernel features, register handlers, open listeners
 * @c:		Execution context
 */
void tcp_init(struct ctx *c)
{
	if (c->no_tcp)
		return;

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

	tcp_buf_init();
	flow_register_type(FLOW_TCP, &tcp_flow_ops);
	tap_register_l4(IPPROTO_TCP, tcp_tap_handler);
	tcp_splice_init(c);
}
