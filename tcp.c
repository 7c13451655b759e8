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
 * a timeout rewind to the acknowledged point and send again; the guest's
 * acknowledgements stay valid up to the highest point sent. Peeked data
 * keeps the socket readable: once everything in it was sent, EPOLLIN is
 * edge-triggered, so that only new data wakes us, not data waiting for
 * the guest's acknowledgement.
 *
 * Guest to host: the segments of one batch from the tap link, grouped per
 * connection by tap.c, are written with one sendmsg(). What the socket
 * took is acknowledged at once: the host's TCP delivers it from there, as
 * for any local writer. Only the ACK of a small write (a request) waits,
 * for the host's answer to carry it, until the end of the next batch of
 * events or until the loop sleeps, whichever comes first (tcp_ack_hold()).
 * The window offered is what the socket's send buffer can still take (tcp_sock_wnd()), so the guest never sends what
 * the socket would refuse, and it keeps the buffer full while a slow
 * receiver drains it, as a blocking writer would. When that window is
 * nearly used up, EPOLLOUT on the socket says when the buffer drained, and
 * the window update goes out then, not with the guest's next segment:
 * there is no polling of the socket. Should the socket still refuse part
 * of a batch, that part is not acknowledged, and once the socket has room
 * again, duplicate ACKs make the guest retransmit it at once instead of
 * after a timeout.
 *
 * Buffers: guest data is written straight from the tap receive buffers,
 * or from the guest's memory (vhost-user). Nothing here assumes a buffer
 * is free once sendmsg() returns: a later zero-copy send pins the buffers,
 * or holds the guest's transmit chains (tap_pin()), until its completion.
 *
 * Timers: one deadline per connection, in the flow layer's heap for all
 * flows (flow_deadline.c: no descriptor, no system call), set only while
 * we wait for the guest: our SYN or SYN-ACK, data or a FIN unacknowledged,
 * a zero window to probe, frames the tap backend refused. Each expiry sends again and
 * doubles the timeout; the limits on attempts are Linux's defaults (see
 * TCP_RETRIES_MAX and the others). An idle connection has no timer and no
 * time limit, as in the host's TCP: whether it is probed is up to the
 * guest's keepalive settings and the host peer's; probes the guest sends
 * are answered.
 *
 * Backpressure: frames the tap backend refuses (a full stream socket)
 * stay in the host socket; the connection stops reading it and waits on
 * the flow layer's list (flow_tap_wait()) until the backend can send
 * again. Nothing is retransmitted meanwhile: it may be waiting in the
 * backend. A reset for the guest that the backend refuses closes the host
 * side at once, and waits there too (TCP_RST_PENDING).
 *
 * Known gaps: no SACK, no timestamps, no urgent data; segments arriving
 * out of order from the guest are dropped (the tap link doesn't reorder).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "packet.h"
#include "tap.h"
#include "flow.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "zerocopy.h"
#include "tcp_zcrx.h"
#include "flow_deadline.h"

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
 * tcp_epoll_ref() - Epoll reference of a connection's host socket
 * @conn:	Connection
 *
 * Return: reference, to the flow's host side
 */
static union epoll_ref tcp_epoll_ref(const struct tcp_tap_conn *conn)
{
	return epoll_ref_make(EPOLL_TYPE_TCP, conn->sock,
			      flow_sidx(flow_idx(&conn->f), !conn->tapside));
}

/**
 * tcp_epoll_add() - Start watching a connection's new host socket
 * @c:		Execution context
 * @conn:	Connection, its socket not watched yet
 * @ev:		Events to watch for, as tcp_epoll_set() would ask now
 *
 * Return: 0 on success, -1 if epoll refused it: then the socket counts
 *	   as not watched (TCP_EPOLL_DELETED)
 */
int tcp_epoll_add(const struct ctx *c, struct tcp_tap_conn *conn,
		  uint32_t ev)
{
	int rc = epoll_add(c->epollfd, ev, tcp_epoll_ref(conn));

	conn->epoll_events = rc ? TCP_EPOLL_DELETED : ev;
	return rc ? -1 : 0;
}

/**
 * tcp_epoll_set() - Watch the socket for what the connection needs now
 * @c:		Execution context
 * @conn:	Connection
 */
void tcp_epoll_set(const struct ctx *c, struct tcp_tap_conn *conn)
{
	uint32_t ev = 0;

	/* Level-triggered: what already happened must not be asked again */
	if (!(conn->flags & TCP_SOCK_RDHUP))
		ev |= EPOLLRDHUP;
	if (conn->state == TCP_ST_CONNECTING)
		ev |= EPOLLOUT;
	if (conn->state == TCP_ST_ESTABLISHED &&
	    !(conn->flags & (TCP_STALLED | TCP_SOCK_EOF | TCP_TAP_FIN_SENT))) {
		ev |= EPOLLIN;
		/* Peeked data stays readable: once it's all sent, only a new
		 * arrival is news (each one raises an edge)
		 */
		if (conn->flags & TCP_PEEKED_ALL)
			ev |= EPOLLET;
	}
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

	if (epoll_mod(c->epollfd, ev, tcp_epoll_ref(conn)))
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
void tcp_timer_schedule(struct tcp_tap_conn *conn)
{
	uint64_t at, cur;

	if (conn->state == TCP_ST_CONNECTING)
		return;		/* the host's connect() has its own timeout */
	if (conn->state == TCP_ST_ESTABLISHED && !tcp_in_flight(conn) &&
	    !(conn->flags & (TCP_STALLED | TCP_RST_PENDING)) &&
	    !conn->f.waiting)
		return;		/* nothing we wait for */
	at = conn->progress_at + conn->rto;

	/* A later deadline isn't worth moving the earlier one for: that one
	 * fires early, and the handler schedules again from there
	 */
	cur = flow_deadline_of(&conn->f);
	if (!cur || cur > at)
		flow_deadline_set(&conn->f, at);
}

/**
 * tcp_sock_close() - Close the host socket of a connection, if open
 * @c:		Execution context
 * @conn:	Connection
 * @rst_host:	Reset the host peer (SO_LINGER with zero timeout)
 */
static void tcp_sock_close(struct ctx *c, struct tcp_tap_conn *conn,
			   bool rst_host)
{
	if (conn->sock < 0)
		return;
	tcp_zcrx_put(conn->zcrx);
	conn->zcrx = TCP_ZCRX_NONE;
	/* Sends in flight keep it open, closed later (zerocopy.c) */
	if (!zc_sock_close(c, &conn->zc, conn->sock,
			   conn->epoll_events != TCP_EPOLL_DELETED, rst_host))
		goto done;
	if (rst_host) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(conn->sock, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	if (conn->epoll_events != TCP_EPOLL_DELETED)
		epoll_del(c->epollfd, conn->sock);
	/* #syscalls close */
	close(conn->sock);
done:
	conn->sock = -1;
	conn->epoll_events = TCP_EPOLL_DELETED;
}

/**
 * tcp_conn_end() - Release a connection's descriptors and its flow
 * @c:		Execution context
 * @conn:	Connection
 * @rst_host:	Reset the host peer (SO_LINGER with zero timeout)
 */
void tcp_conn_end(struct ctx *c, struct tcp_tap_conn *conn,
			 bool rst_host)
{
	tcp_sock_close(c, conn, rst_host);
	flow_deadline_clear(&conn->f);
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
	if (conn->f.state != FLOW_STATE_ACTIVE ||
	    conn->flags & TCP_RST_PENDING)
		return;
	flow_log(&conn->f, LOG_DEBUG, why);
	if (conn->state == TCP_ST_CONNECTING ||
	    !tcp_send_flag(c, conn, TH_RST | TH_ACK)) {
		tcp_conn_end(c, conn, true);
		return;
	}

	/* The tap backend is full: the host side goes now, the flow stays
	 * until the guest can be told (tcp_rst_retry())
	 */
	stats_inc(STAT_TCP_RST_DEFERRED);
	tcp_sock_close(c, conn, true);
	conn->flags |= TCP_RST_PENDING;
	conn->retries = 0;
	conn->rto = TCP_RTO_INIT_MS;
	flow_tap_wait(&conn->f);
	tcp_timer_schedule(conn);
}

/**
 * tcp_rst_retry() - Send the reset the tap backend refused before
 * @c:		Execution context
 * @conn:	Connection, TCP_RST_PENDING
 * @ms:		Current time, ms, or 0 if not from the timer
 */
static void tcp_rst_retry(struct ctx *c, struct tcp_tap_conn *conn,
			  uint64_t ms)
{
	if (!tcp_send_flag(c, conn, TH_RST | TH_ACK) ||
	    (ms && ++conn->retries > TCP_RETRIES_MAX)) {
		tcp_conn_end(c, conn, false);
		return;
	}
	if (ms) {
		conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		conn->progress_at = ms;
	}
	flow_tap_wait(&conn->f);
	tcp_timer_schedule(conn);
}

/**
 * tcp_sock_wnd_fallback() - Send buffer space without SO_MEMINFO (Linux
 *			     before 4.6): its size less the payload queued
 * @conn:	Connection
 * @cap:	Set to what the whole buffer holds
 *
 * The payload queued (SIOCOUTQ) undercounts what the kernel charges for
 * it: the socket may then refuse a little of what the guest sends, which
 * tcp_segments_from_guest() recovers from.
 *
 * Return: window, bytes
 */
static uint32_t tcp_sock_wnd_fallback(const struct tcp_tap_conn *conn,
				      uint32_t *cap)
{
	static bool warned;
	int sndbuf = 0, outq = 0;
	socklen_t sl = sizeof(sndbuf);

	if (!warned) {
		warn("TCP: no SO_MEMINFO: windows from SO_SNDBUF and SIOCOUTQ");
		warned = true;
	}
	/* #syscalls getsockopt ioctl */
	if (getsockopt(conn->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    ioctl(conn->sock, SIOCOUTQ, &outq) || sndbuf <= 0 || outq < 0) {
		*cap = 0;
		return 0;
	}
	return tcp_wnd_sndbuf((uint32_t)sndbuf, (uint32_t)outq, cap);
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
uint32_t tcp_sock_wnd(const struct tcp_tap_conn *conn, uint32_t *cap)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi);

	/* #syscalls getsockopt */
	if (!getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) &&
	    sl > SK_MEMINFO_WMEM_QUEUED * sizeof(mi[0]))
		return tcp_wnd_sndbuf(mi[SK_MEMINFO_SNDBUF],
				      mi[SK_MEMINFO_WMEM_QUEUED], cap);
	return tcp_sock_wnd_fallback(conn, cap);
}

/**
 * tcp_ack_state() - Take what the socket took as acknowledged, and the
 *		     window it can take now, as what the guest is told next
 * @conn:	Connection, established
 *
 * Return: true if that changed enough to send an ACK for
 */
static bool tcp_ack_state(struct tcp_tap_conn *conn)
{
	uint32_t ack = conn->seq_from_guest, cap, wnd, max;
	bool send = ack != conn->seq_ack_to_guest ||
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
	return send;
}

/**
 * tcp_ack_catch_up() - A segment to the guest is about to be written: have
 *			it carry the acknowledgement held back, if one is
 * @conn:	Connection
 *
 * The hold ends when the segment was sent (tcp_ack_sent()); if it isn't,
 * tcp_ack_flush() sends the ACK on its own.
 */
void tcp_ack_catch_up(struct tcp_tap_conn *conn)
{
	if (conn->flags & TCP_ACK_HELD && conn->state == TCP_ST_ESTABLISHED &&
	    !tcp_conn_gone(conn))
		tcp_ack_state(conn);
}

/**
 * tcp_update_ack() - Acknowledge what the socket took, advertise what it
 *		      can take, if that changed or if asked to
 * @c:		Execution context
 * @conn:	Connection, established
 * @force:	Send an ACK even if nothing changed
 */
void tcp_update_ack(struct ctx *c, struct tcp_tap_conn *conn,
			   bool force)
{
	bool send = tcp_ack_state(conn) || force ||
		    (conn->flags & TCP_ACK_HELD);

	/* What is sent now stands for any ACK held back */
	conn->flags &= (uint16_t)~TCP_ACK_HELD;
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

	/* A FIN sent stays sent: tcp_data_to_guest() sends it again after
	 * the data, and seq_max_to_guest still counts it
	 */
	conn->seq_to_guest = conn->seq_ack_from_guest;
	if (tcp_peek_off_on(conn))
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			   sizeof(zero));
	conn->flags &= (uint16_t)~TCP_STALLED;
	conn->progress_at = now;
	if (tcp_data_to_guest(c, conn, now) < 0)
		tcp_conn_rst(c, conn, "socket error while retransmitting");
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
	if (conn->zcrx != TCP_ZCRX_NONE) {
		/* Already out of the socket: release our copy */
		tcp_zcrx_ack(conn->zcrx, bytes);
		return 0;
	}
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
	bool inflight = tcp_in_flight(conn);
	enum tcp_ack_kind kind = tcp_ack_classify(conn->seq_ack_from_guest,
						  conn->seq_max_to_guest, ack);

	if (kind == TCP_ACK_IGNORE)
		return 0;	/* Old, or for data never sent */

	/* A zero window opens: what is sent now deserves a fresh timeout */
	if (!conn->wnd_from_guest && wnd) {
		conn->rto = TCP_RTO_INIT_MS;
		conn->retries = 0;
		conn->progress_at = now;
	}

	if (kind == TCP_ACK_SAME) {
		if (!plen && inflight && wnd == conn->wnd_from_guest &&
		    ++conn->dup_acks == TCP_DUP_ACK_RETRANS) {
			stats_inc(STAT_TCP_RETRANS_DUPACK);
			conn->wnd_from_guest = wnd;
			tcp_rewind(c, conn, now);
			return tcp_conn_gone(conn) ? -1 : 0;
		}
	} else {
		uint32_t acked = ack - conn->seq_ack_from_guest;

		if (conn->flags & TCP_TAP_FIN_SENT &&
		    ack == conn->seq_max_to_guest) {
			conn->flags |= TCP_TAP_FIN_ACKED;
			acked--;	/* the FIN isn't in the socket */
		}
		/* Beyond where a retransmission went back to: it got there */
		if (seq_lt(conn->seq_to_guest, ack))
			conn->seq_to_guest = ack;
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

/* ACKs held back for the host's answer to carry: connections, in the order
 * they were held, the first tcp_ackq_old of them since before the batch of
 * events being handled
 */
static uint32_t tcp_ackq[TCP_ACKQ_MAX];
static unsigned tcp_ackq_n, tcp_ackq_old;

/**
 * tcp_ackq_conn() - Connection of a queue entry, if its ACK is still held
 * @i:		Entry
 *
 * Return: the connection, NULL if it closed since, or its slot went to
 *	   another flow, or an answer carried its ACK
 */
static struct tcp_tap_conn *tcp_ackq_conn(unsigned i)
{
	struct flow_common *f = flow_at(tcp_ackq[i]);

	if (f->state != FLOW_STATE_ACTIVE || f->type != FLOW_TCP ||
	    !(tcp_conn_of(f)->flags & TCP_ACK_HELD))
		return NULL;
	return tcp_conn_of(f);
}

/**
 * tcp_ack_hold() - Hold back the ACK of a small write from the guest
 * @conn:	Connection, established, that just wrote @bytes to its socket
 * @bytes:	Bytes written
 * @turn:	We sent data to the guest since its last write before this
 *
 * A request from the guest is mostly answered within microseconds by its
 * peer on the host, and the answer can carry the acknowledgement: one frame
 * to the guest instead of two, one write to the tap device less, and one
 * segment less for the namespace's TCP to take in. Only for a write below
 * one segment that follows data of ours (or opens the connection), with
 * the window far from used up and nothing refused or unsent: a guest
 * that writes on and on (an upload, whose writes come in pieces of any
 * size) is acknowledged at once. The hold lasts until the end
 * of the next batch of events at most, and never across a sleep
 * (tcp_ack_flush()).
 *
 * Return: true if held, false to acknowledge now
 */
static bool tcp_ack_hold(struct tcp_tap_conn *conn, size_t bytes, bool turn)
{
	uint32_t unacked = conn->seq_from_guest - conn->seq_ack_to_guest;

	/* Half the window offered still free, whatever the socket says now:
	 * the window update can wait as long as the ACK
	 */
	if (!turn || bytes >= conn->mss || unacked > conn->wnd_to_guest / 2 ||
	    (conn->flags & (TCP_WND_WAIT | TCP_ACK_UNSENT | TCP_DROPPED_DATA |
			    TCP_TAP_FIN_RCVD | TCP_RST_PENDING)))
		return false;
	if (conn->flags & TCP_ACK_HELD)
		return true;
	if (tcp_ackq_n >= TCP_ACKQ_MAX)
		return false;
	conn->flags |= TCP_ACK_HELD;
	tcp_ackq[tcp_ackq_n++] = flow_idx(&conn->f);
	stats_inc(STAT_TCP_ACKS_HELD);
	return true;
}

/**
 * tcp_ack_flush() - Send the ACKs held back that no answer carried
 * @c:		Execution context
 * @all:	All of them (the loop is about to sleep), not only those held
 *		since before the batch of events just handled
 * @now:	Current time
 *
 * Return: true if any went
 */
bool tcp_ack_flush(struct ctx *c, bool all, const struct timespec *now)
{
	unsigned i, end = all ? tcp_ackq_n : tcp_ackq_old;
	bool sent = false;

	for (i = 0; i < end; i++) {
		struct tcp_tap_conn *conn = tcp_ackq_conn(i);

		if (!conn)
			continue;
		conn->flags &= (uint16_t)~TCP_ACK_HELD;
		if (conn->state == TCP_ST_ESTABLISHED && !tcp_conn_gone(conn)) {
			stats_inc(STAT_TCP_ACKS_HELD_ALONE);
			tcp_update_ack(c, conn, true);
			/* The window it gave may ask for EPOLLOUT */
			tcp_conn_settle(c, conn, tcp_now_ms(now), false);
			sent = true;
		}
	}
	memmove(tcp_ackq, tcp_ackq + end,
		(tcp_ackq_n - end) * sizeof(tcp_ackq[0]));
	tcp_ackq_n -= end;
	tcp_ackq_old = tcp_ackq_n;
	return sent;
}

/**
 * tcp_acks_held() - Are ACKs held back, waiting for answers?
 *
 * Return: true if any still is, after tcp_ack_flush(): held in the last
 *	   batch, and not carried yet
 */
bool tcp_acks_held(void)
{
	unsigned i;

	for (i = 0; i < tcp_ackq_n; i++) {
		if (tcp_ackq_conn(i))
			return true;
	}
	return false;
}

/* Pieces of one write to a socket: sendmsg() takes this many (UIO_MAXIOV),
 * and each segment of a batch one at least
 */
#define TCP_WR_IOV_MAX		1024
static_assert(TAP_BATCH_MAX <= TCP_WR_IOV_MAX, "a piece per segment");

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
	static struct iovec wr[TCP_WR_IOV_MAX];
	static uint16_t wr_buf[TCP_WR_IOV_MAX];
	uint64_t ms = tcp_now_ms(now);
	uint32_t wr_end = conn->seq_from_guest, fin_at = 0;
	bool fin = false, ack_now = false, turn = false;
	size_t n_wr = 0, wr_bytes = 0;
	unsigned i, holes = 0;

	if (conn->flags & TCP_RST_PENDING) {
		/* The host side is gone: the guest gets its reset first */
		tcp_rst_retry(c, conn, 0);
		return;
	}

	for (i = 0; i < seq->count && !tcp_conn_gone(conn);
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
				return;
			}
			/* Out of the window (ours may be closed): a challenge
			 * ACK, and the guest resets with an exact number
			 * (RFC 5961, 3.2)
			 */
			tcp_send_flag(c, conn, TH_ACK);
			continue;
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
				/* Drop: duplicate ACKs ask for what's missing */
				stats_inc(STAT_TCP_DROP_SEGMENT);
				ack_now = true;
				holes++;
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
			/* Pieces, and for MSG_ZEROCOPY what holds each, to
			 * pin: a piece at least is left for each segment after
			 */
			n_wr += tap_pkt_iov(c, &payload, &wr[n_wr],
					    &wr_buf[n_wr], TCP_WR_IOV_MAX - n_wr -
					    (seq->count - i - 1));
			wr_bytes += payload.len;
			wr_end += (uint32_t)payload.len;
		}

		if (th.fin && sseq + (uint32_t)payload.len == wr_end) {
			fin = true;
			fin_at = wr_end;
		}
	}
	if (tcp_conn_gone(conn))
		return;

	if (n_wr) {
		struct msghdr mh = { .msg_iov = wr, .msg_iovlen = n_wr };
		ssize_t n;

		n = zc_sendmsg(c, &conn->zc, conn->sock, &mh, wr_bytes, wr_buf,
			       &conn->f.side[!conn->tapside].eaddr);
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
		turn = conn->seq_turn != conn->seq_to_guest;
		conn->seq_turn = conn->seq_to_guest;
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
		uint32_t acked = conn->seq_ack_to_guest;

		/* Pure ACKs don't change what we acknowledge or offer */
		if (ack_now || (n_wr && (holes || !tcp_ack_hold(conn, wr_bytes,
								  turn))))
			tcp_update_ack(c, conn, ack_now);
		/* One duplicate for each segment after a hole: that ACK was
		 * the first if it acknowledged nothing new
		 */
		if (holes && !(conn->flags & TCP_ACK_UNSENT))
			tcp_send_dup_acks(c, conn, holes -
					  (acked == conn->seq_ack_to_guest));
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
	uint64_t ms = tcp_now_ms(now);

	if (f->state != FLOW_STATE_ACTIVE || f->type != FLOW_TCP ||
	    conn->sock != ref.fd)
		return;

	if (conn->state == TCP_ST_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ||
		    tcp_connect_finish(c, conn, ms, false))
			tcp_timer_schedule(conn);
		return;
	}

	if (events & EPOLLERR) {
		int err = zc_sock_error(c, &conn->zc, conn->sock);

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
		    !(conn->flags & TCP_WANT_OUT) &&
		    !tcp_send_flag(c, conn, TH_ACK) &&
		    !tcp_send_flag(c, conn, TH_ACK) &&
		    !tcp_send_flag(c, conn, TH_ACK)) {
			/* The guest resends what we couldn't take: three
			 * identical ACKs trigger its fast retransmit. Should
			 * the backend refuse them, the guest's timeout does
			 */
			conn->flags &= (uint16_t)~TCP_DROPPED_DATA;
		}
	}

	tcp_conn_settle(c, conn, ms,
			events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP));
}

/**
 * tcp_deadline() - A connection's deadline passed (flow_deadline.c)
 * @c:		Execution context
 * @f:		Flow
 * @now:	Current time
 */
static void tcp_deadline(struct ctx *c, struct flow_common *f,
			 const struct timespec *now)
{
	struct tcp_tap_conn *conn = tcp_conn_of(f);
	uint64_t ms = tcp_now_ms(now);

	if (f->type != FLOW_TCP)
		return;

	if (ms < conn->progress_at + conn->rto) {
		tcp_timer_schedule(conn);	/* fired early: see there */
		return;
	}
	if (conn->flags & TCP_RST_PENDING) {
		tcp_rst_retry(c, conn, ms);
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

	if (tcp_in_flight(conn) && conn->f.waiting) {
		/* What's in flight may well wait in the backend itself: no
		 * retransmission, no retry counted until it takes frames
		 */
		conn->progress_at = ms;
	} else if (tcp_in_flight(conn)) {
		/* Data or FIN unacknowledged: send it again */
		if (++conn->retries > TCP_RETRIES_MAX) {
			tcp_conn_rst(c, conn, "guest stopped acknowledging");
			return;
		}
		stats_inc(STAT_TCP_RETRANS_TIMEOUT);
		conn->rto = MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		tcp_rewind(c, conn, ms);
		if (tcp_conn_gone(conn))
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
	uint64_t ms = tcp_now_ms(now);

	if (conn->flags & TCP_RST_PENDING) {
		tcp_rst_retry(c, conn, 0);
		return;
	}
	conn->flags &= (uint16_t)~TCP_STALLED;
	if (conn->state != TCP_ST_ESTABLISHED) {
		tcp_timer_schedule(conn);	/* the handshake retries */
		return;
	}
	/* The wait wasn't the guest's doing: its timeout starts afresh */
	conn->rto = TCP_RTO_INIT_MS;
	conn->progress_at = ms;
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
	.deadline	= tcp_deadline,
	.tap_writable	= tcp_tap_writable,
	.abort		= tcp_flow_abort,
};

/**
 * tcp_init() - Probe kernel features, register handlers, open listeners
 * @c:		Execution context
 */
void tcp_init(struct ctx *c)
{
	if (c->no_tcp)
		return;

	tcp_conn_init(c);
	tcp_zcrx_init(c);
	tcp_buf_init();
	flow_register_type(FLOW_TCP, &tcp_flow_ops);
	tap_register_l4(IPPROTO_TCP, tcp_tap_handler);
	tcp_splice_init(c);
	tcp_listen_init();
}
