// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_splice.c - TCP connections between the host's loopback and pasta's
 *		  namespace's loopback, moved by splice(2) through pipes
 *
 * Theory of operation
 *
 * When a connection arrives on loopback on one side (the host, for a -t
 * port and a local client; the namespace, for a -T port), there is no need
 * to go through the tap device and a TCP state machine of ours: we open a
 * socket on the other side, connect it to that side's loopback, and move
 * bytes between the two sockets with splice(), which hands pages over
 * without copying them to us.
 *
 * A connection is a flow of type FLOW_TCP_SPLICE: side INISIDE is the
 * accepted socket, side TGTSIDE the one we connect. Each direction has its
 * own pipe (TCP_SPLICE_PIPE_SIZE if the kernel lets us, else its default):
 * data read from side A goes into pipe A, from which it is written to side
 * B. Sockets in the namespace come from a small pool per family, created
 * ahead of time by tcp_splice_refill() (about once a second), so accepting
 * normally costs no clone into the namespace; an empty pool falls back to
 * one ns_call().
 *
 * Flow control, per direction A -> B: we read A only while pipe A is
 * empty, fill it, and write it out to B. If B doesn't take it all, the
 * rest stays in the pipe, we stop reading A and wait for EPOLLOUT on B.
 * Every epoll mask follows from the state (tcp_splice_events()): EPOLLIN
 * on A only while we read it, EPOLLOUT on B only while pipe A holds data
 * for it. A socket we don't read is watched edge-triggered, so that its
 * EPOLLHUP (always reported) is reported once rather than on every wait.
 * Work per event is bounded (TCP_SPLICE_ROUNDS pipe fills per direction);
 * what is left stays level-triggered and comes back on the next wait.
 *
 * Closing: EOF on A, once pipe A is drained, becomes shutdown(B, SHUT_WR);
 * when both directions are shut, both sockets are closed, which completes
 * the handshakes in the kernel. An error or reset on one side, or a failed
 * connect, closes the other side with SO_LINGER {1, 0}, so its peer sees a
 * reset too. A connect that doesn't complete in TCP_SPLICE_CONNECT_TIMEOUT_S
 * counts as failed. The flow is marked closed at once and freed after the
 * batch (flow.c); events still queued for it find it closed and are dropped.
 *
 * Limits: a connection holds two sockets and four pipe ends. No data is
 * inspected or buffered by us, only by the kernel.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "epoll_ref.h"
#include "inany.h"
#include "flow.h"
#include "netns.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "tcp_splice.h"

#define TCP_SPLICE_PIPE_SIZE		(512UL * 1024)
#define TCP_SPLICE_ROUNDS		8	/* pipe fills per direction, event */
#define TCP_SPLICE_POOL_SIZE		16	/* namespace sockets per family */
#define TCP_SPLICE_CONNECT_TIMEOUT_S	10

/* Connection flags, see struct tcp_splice_conn */
#define TCP_SPLICE_CONNECTING		BIT(0)
#define TCP_SPLICE_EOF(side)		BIT(1 + (side))	/* read EOF on side */
#define TCP_SPLICE_SHUT(side)		BIT(3 + (side))	/* shut writing to it */

/**
 * struct tcp_splice_conn - A spliced connection
 * @f:		Common flow fields: INISIDE accepted, TGTSIDE connected by us
 * @s:		Socket of each side
 * @pipe:	Pipe of each direction, by the side it carries data from:
 *		[side][0] read end, [side][1] write end
 * @pending:	Bytes in the pipe of each direction, by source side
 * @events:	Epoll mask registered for each side's socket
 * @flags:	TCP_SPLICE_CONNECTING, TCP_SPLICE_EOF(), TCP_SPLICE_SHUT()
 * @since:	Second the connect started, for its timeout
 */
struct tcp_splice_conn {
	struct flow_common f;
	int s[2];
	int pipe[2][2];
	uint32_t pending[2];
	uint32_t events[2];
	uint32_t flags;
	time_t since;
};
static_assert(sizeof(struct tcp_splice_conn) <= FLOW_SLOT_SIZE,
	      "tcp_splice_conn must fit a flow slot");

/**
 * struct tcp_splice_pool - Sockets created in the namespace ahead of time
 * @fd:		Sockets, [family index][n]: 0 for IPv4, 1 for IPv6
 * @count:	Sockets available per family
 * @want:	Per family: how many the namespace clone should create (input)
 */
struct tcp_splice_pool {
	int fd[2][TCP_SPLICE_POOL_SIZE];
	unsigned count[2];
	bool want[2];
};
static struct tcp_splice_pool tcp_splice_pool;

/**
 * tcp_splice_conn_of() - Protocol view of a flow
 * @f:		Common flow
 *
 * Return: spliced connection
 */
static struct tcp_splice_conn *tcp_splice_conn_of(struct flow_common *f)
{
	return (struct tcp_splice_conn *)(void *)f;
}

/**
 * tcp_splice_af_idx() - Pool index of a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 or 1
 */
static unsigned tcp_splice_af_idx(int af)
{
	return af == AF_INET6;
}

/**
 * tcp_splice_pool_fill() - Create sockets for the pool, in the namespace
 * @arg:	struct tcp_splice_pool
 *
 * Runs in a clone inside the namespace: it must not log.
 *
 * Return: 0, or -errno of the first failure
 */
static int tcp_splice_pool_fill(void *arg)
{
	static const int af[2] = { AF_INET, AF_INET6 };
	struct tcp_splice_pool *p = arg;
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (!p->want[i])
			continue;
		while (p->count[i] < TCP_SPLICE_POOL_SIZE) {
			/* #syscalls:pasta socket */
			int s = socket(af[i], SOCK_STREAM | SOCK_NONBLOCK |
				       SOCK_CLOEXEC, IPPROTO_TCP);

			if (s < 0)
				return -errno;
			if (s > EPOLL_REF_FD_MAX) {
				close(s);
				return -EMFILE;
			}
			p->fd[i][p->count[i]++] = s;
		}
	}
	return 0;
}

/**
 * tcp_splice_refill() - Top up the pool of namespace sockets (pasta)
 * @c:		Execution context
 */
void tcp_splice_refill(struct ctx *c)
{
	struct tcp_splice_pool *p = &tcp_splice_pool;
	int rc;

	if (c->mode != MODE_PASTA || c->no_tcp)
		return;

	p->want[0] = c->ifi4_on || !c->ifi6_on;
	p->want[1] = c->ifi6_on;
	if ((!p->want[0] || p->count[0] == TCP_SPLICE_POOL_SIZE) &&
	    (!p->want[1] || p->count[1] == TCP_SPLICE_POOL_SIZE))
		return;

	rc = ns_call(c->pasta.netns_fd, tcp_splice_pool_fill, p);
	if (rc)
		warn_ratelimit("TCP: couldn't create sockets in the namespace for spliced connections: %s",
			       strerror(-rc));
}

/**
 * struct tcp_splice_sock_arg - One socket to create in the namespace
 * @af:		Family
 * @s:		Result: socket, or -errno
 */
struct tcp_splice_sock_arg {
	int af;
	int s;
};

/**
 * tcp_splice_sock_ns() - Create one socket, in the namespace
 * @arg:	struct tcp_splice_sock_arg
 *
 * Runs in a clone inside the namespace: it must not log.
 *
 * Return: 0
 */
static int tcp_splice_sock_ns(void *arg)
{
	struct tcp_splice_sock_arg *a = arg;

	/* #syscalls:pasta socket */
	a->s = socket(a->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		      IPPROTO_TCP);
	if (a->s < 0)
		a->s = -errno;
	return 0;
}

/**
 * tcp_splice_sock() - A new socket on the side we connect from
 * @c:		Execution context
 * @ns:		In the namespace (from the pool if possible), else the host
 * @af:		Family
 *
 * Return: socket, or -errno
 */
static int tcp_splice_sock(const struct ctx *c, bool ns, int af)
{
	struct tcp_splice_pool *p = &tcp_splice_pool;
	unsigned i = tcp_splice_af_idx(af);
	struct tcp_splice_sock_arg a = { af, -EIO };
	int rc;

	if (!ns) {
		/* #syscalls:pasta socket */
		a.s = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			     IPPROTO_TCP);
		if (a.s < 0)
			return -errno;
	} else if (p->count[i]) {
		return p->fd[i][--p->count[i]];
	} else {
		stats_inc(STAT_TCP_SPLICE_POOL_EMPTY);
		rc = ns_call(c->pasta.netns_fd, tcp_splice_sock_ns, &a);
		if (rc)
			return rc;
		if (a.s < 0)
			return a.s;
	}

	if (a.s > EPOLL_REF_FD_MAX) {
		close(a.s);
		return -EMFILE;
	}
	return a.s;
}

/**
 * tcp_splice_rst_close() - Close a socket so that its peer sees a reset
 * @s:		Socket
 */
static void tcp_splice_rst_close(int s)
{
	const struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	/* #syscalls:pasta setsockopt close */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(s);
}

/**
 * tcp_splice_close() - Close both sockets and the pipes, close the flow
 * @c:		Execution context
 * @conn:	Connection
 * @rst:	Bit per side: close that side with a reset
 */
static void tcp_splice_close(const struct ctx *c, struct tcp_splice_conn *conn,
			     unsigned rst)
{
	unsigned side, end;

	if (rst)
		stats_inc(STAT_TCP_SPLICE_RST);

	for (side = 0; side < 2; side++) {
		if (conn->s[side] >= 0) {
			epoll_del(c->epollfd, conn->s[side]);
			if (rst & (1U << side))
				tcp_splice_rst_close(conn->s[side]);
			else
				close(conn->s[side]);
			conn->s[side] = -1;
		}
		for (end = 0; end < 2; end++) {
			if (conn->pipe[side][end] >= 0)
				close(conn->pipe[side][end]);
			conn->pipe[side][end] = -1;
		}
	}
	flow_close(&conn->f);
}

/**
 * tcp_splice_fail() - Log why a connection ends on an error, close it with
 *		       a reset towards the other side
 * @c:		Execution context
 * @conn:	Connection
 * @side:	Side where the error happened
 * @e:		errno value
 * @what:	What failed
 */
static void tcp_splice_fail(const struct ctx *c, struct tcp_splice_conn *conn,
			    unsigned side, int e, const char *what)
{
	if (log_level >= LOG_DEBUG) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s on %s side: %s", what,
			 side == INISIDE ? "accepted" : "connected",
			 strerror(e));
		flow_log(&conn->f, LOG_DEBUG, msg);
	}
	/* The failed side is reset too: it may still have a live peer */
	tcp_splice_close(c, conn, 3);
}

/**
 * tcp_splice_events() - Epoll mask a side's socket should have now
 * @conn:	Connection
 * @side:	Side
 *
 * Return: EPOLL* mask
 */
static uint32_t tcp_splice_events(const struct tcp_splice_conn *conn,
				  unsigned side)
{
	unsigned other = !side;
	uint32_t ev = 0;

	if (conn->flags & TCP_SPLICE_CONNECTING)
		return side == TGTSIDE ? EPOLLOUT : EPOLLET;

	if (!(conn->flags & TCP_SPLICE_EOF(side)) && !conn->pending[side])
		ev |= EPOLLIN;
	if (conn->pending[other])
		ev |= EPOLLOUT;
	if (!(ev & EPOLLIN))
		ev |= EPOLLET;	/* see "Theory of operation" */
	return ev;
}

/**
 * tcp_splice_epoll() - Register or update the epoll masks of both sockets
 * @c:		Execution context
 * @conn:	Connection
 * @add:	Register the sockets, rather than update them
 *
 * Return: 0 on success, -errno on failure
 */
static int tcp_splice_epoll(const struct ctx *c, struct tcp_splice_conn *conn,
			    bool add)
{
	unsigned side;

	for (side = 0; side < 2; side++) {
		uint32_t ev = tcp_splice_events(conn, side);
		union epoll_ref ref;
		int rc;

		if (!add && ev == conn->events[side])
			continue;
		ref = epoll_ref_make(EPOLL_TYPE_TCP_SPLICE, conn->s[side],
				     flow_sidx(flow_idx(&conn->f), side));
		if (add)
			rc = epoll_add(c->epollfd, ev, ref);
		else
			rc = epoll_mod(c->epollfd, ev, ref);
		if (rc)
			return rc;
		conn->events[side] = ev;
	}
	return 0;
}

/**
 * tcp_splice_flush() - Write out the pipe of one direction
 * @conn:	Connection
 * @from:	Side the data comes from
 *
 * Return: 0 if the pipe is empty, -EAGAIN if the other side can't take
 *	   more now, other -errno on failure of the other side
 */
static int tcp_splice_flush(struct tcp_splice_conn *conn, unsigned from)
{
	unsigned to = !from;

	while (conn->pending[from]) {
		ssize_t n;

		/* #syscalls:pasta splice */
		n = splice(conn->pipe[from][0], NULL, conn->s[to], NULL,
			   conn->pending[from],
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		if (!n)		/* nothing moved from a non-empty pipe */
			return -EAGAIN;
		conn->pending[from] -= (uint32_t)n;
		stats_add(STAT_TCP_BYTES_SPLICED, (uint64_t)n);
	}
	return 0;
}

/**
 * tcp_splice_move() - Move data in one direction, bounded
 * @c:		Execution context
 * @conn:	Connection
 * @from:	Side to read from
 *
 * Return: 0, or -1 if the connection was closed on an error
 */
static int tcp_splice_move(const struct ctx *c, struct tcp_splice_conn *conn,
			   unsigned from)
{
	unsigned to = !from, round;

	for (round = 0; ; round++) {
		ssize_t n;
		int rc;

		rc = tcp_splice_flush(conn, from);
		if (rc == -EAGAIN)
			return 0;	/* EPOLLOUT on @to will resume */
		if (rc) {
			tcp_splice_fail(c, conn, to, -rc, "write");
			return -1;
		}

		if (conn->flags & TCP_SPLICE_EOF(from)) {
			if (!(conn->flags & TCP_SPLICE_SHUT(to))) {
				/* #syscalls:pasta shutdown */
				if (shutdown(conn->s[to], SHUT_WR) &&
				    errno != ENOTCONN) {
					tcp_splice_fail(c, conn, to, errno,
							"shutdown");
					return -1;
				}
				conn->flags |= TCP_SPLICE_SHUT(to);
			}
			return 0;
		}

		if (round == TCP_SPLICE_ROUNDS)
			return 0;	/* still readable: level-triggered */

		/* #syscalls:pasta splice */
		n = splice(conn->s[from], NULL, conn->pipe[from][1], NULL,
			   TCP_SPLICE_PIPE_SIZE,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			tcp_splice_fail(c, conn, from, errno, "read");
			return -1;
		}
		if (!n)
			conn->flags |= TCP_SPLICE_EOF(from);
		else
			conn->pending[from] += (uint32_t)n;
	}
}

/**
 * tcp_splice_connected() - Check the outcome of the connect on TGTSIDE
 * @c:		Execution context
 * @conn:	Connection, TCP_SPLICE_CONNECTING
 *
 * Return: 0 if connected, -1 if it failed and the connection was closed
 */
static int tcp_splice_connected(const struct ctx *c,
				struct tcp_splice_conn *conn)
{
	socklen_t sl = sizeof(int);
	int e = 0;

	/* #syscalls:pasta getsockopt */
	if (getsockopt(conn->s[TGTSIDE], SOL_SOCKET, SO_ERROR, &e, &sl))
		e = errno;
	if (e) {
		stats_inc(STAT_TCP_SPLICE_CONN_FAIL);
		tcp_splice_fail(c, conn, TGTSIDE, e, "connect");
		return -1;
	}
	conn->flags &= ~(uint32_t)TCP_SPLICE_CONNECTING;
	return 0;
}

/**
 * tcp_splice_sock_handler() - Events on one of the two sockets
 * @c:		Execution context
 * @ref:	Epoll reference: socket and flow side
 * @events:	EPOLL* events
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events)
{
	struct flow_common *f = flow_at_sidx(ref.flow);
	unsigned side = flow_sidx_side(ref.flow);
	struct tcp_splice_conn *conn;

	/* Closed earlier in this batch: its sockets are gone already */
	if (!f || f->state != FLOW_STATE_ACTIVE || f->type != FLOW_TCP_SPLICE)
		return;
	conn = tcp_splice_conn_of(f);
	if (conn->s[side] != ref.fd)
		return;

	if (events & EPOLLERR) {
		socklen_t sl = sizeof(int);
		int e = 0;

		if (conn->flags & TCP_SPLICE_CONNECTING && side == TGTSIDE) {
			tcp_splice_connected(c, conn);
			return;
		}
		/* #syscalls:pasta getsockopt */
		if (getsockopt(ref.fd, SOL_SOCKET, SO_ERROR, &e, &sl) || !e)
			e = ECONNRESET;
		tcp_splice_fail(c, conn, side, e, "socket error");
		return;
	}

	if (conn->flags & TCP_SPLICE_CONNECTING) {
		if (side != TGTSIDE) {
			/* Only EPOLLHUP: the client gave up first */
			tcp_splice_fail(c, conn, side, ECONNRESET, "hang-up");
			return;
		}
		if (tcp_splice_connected(c, conn))
			return;
		flow_log(&conn->f, LOG_DEBUG, "connected");
	}

	/* Both directions: output space on this side may unblock the other
	 * direction, and reading this side is this direction
	 */
	if (tcp_splice_move(c, conn, side) || tcp_splice_move(c, conn, !side))
		return;

	if ((conn->flags & TCP_SPLICE_SHUT(INISIDE)) &&
	    (conn->flags & TCP_SPLICE_SHUT(TGTSIDE))) {
		flow_log(&conn->f, LOG_DEBUG, "closed");
		tcp_splice_close(c, conn, 0);
		return;
	}

	if (tcp_splice_epoll(c, conn, false))
		tcp_splice_fail(c, conn, side, EIO, "epoll_ctl");
}

/**
 * tcp_splice_pipes() - Create the two pipes of a connection
 * @conn:	Connection, pipe ends set to -1
 *
 * Return: 0 on success, -errno on failure (pipes created so far are left
 *	   for tcp_splice_close() or the caller to close)
 */
static int tcp_splice_pipes(struct tcp_splice_conn *conn)
{
	unsigned side;

	for (side = 0; side < 2; side++) {
		/* #syscalls:pasta pipe2 fcntl */
		if (pipe2(conn->pipe[side], O_NONBLOCK | O_CLOEXEC)) {
			conn->pipe[side][0] = conn->pipe[side][1] = -1;
			return -errno;
		}
		/* Larger is faster; the default size still works */
		fcntl(conn->pipe[side][0], F_SETPIPE_SZ, TCP_SPLICE_PIPE_SIZE);
	}
	return 0;
}

/**
 * tcp_splice_conn_from_sock() - Splice a connection accepted on loopback to
 *				 the other side's loopback
 * @c:		Execution context
 * @s:		Accepted socket
 * @peer:	Its peer address
 * @from_pif:	PIF_HOST: accepted on the host, connect in the namespace;
 *		PIF_SPLICE: accepted in the namespace, connect on the host
 * @target_port: Port to connect to
 *
 * Return: true if @s was taken (spliced, or closed with a reset on a
 *	   failure), false if no socket could be created in the namespace:
 *	   the caller keeps @s and may try another path. Always true for
 *	   PIF_SPLICE.
 */
bool tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const union sockaddr_inany *peer,
			       uint8_t from_pif, uint16_t target_port)
{
	const union inany_addr *target;
	struct tcp_splice_conn *conn;
	union sockaddr_inany sa;
	union inany_addr pa;
	struct flow_common *f;
	struct timespec now;
	uint16_t pport;
	socklen_t sl;
	int t, af, rc;

	if (inany_from_sockaddr(peer, &pa, &pport)) {
		tcp_splice_rst_close(s);
		return true;
	}
	af = inany_af(&pa);
	target = af == AF_INET ? &inany_loopback4 : &inany_loopback6;

	t = tcp_splice_sock(c, from_pif == PIF_HOST, af);
	if (t < 0) {
		warn_ratelimit("TCP: no socket for a spliced connection to port %u: %s",
			       target_port, strerror(-t));
		if (from_pif == PIF_HOST)
			return false;
		tcp_splice_rst_close(s);
		return true;
	}

	f = flow_alloc();
	if (!f) {
		warn_ratelimit("TCP: flow table full, resetting a connection to port %u",
			       target_port);
		close(t);
		tcp_splice_rst_close(s);
		return true;
	}
	conn = tcp_splice_conn_of(f);
	conn->s[INISIDE] = s;
	conn->s[TGTSIDE] = t;
	conn->pipe[0][0] = conn->pipe[0][1] = -1;
	conn->pipe[1][0] = conn->pipe[1][1] = -1;

	f->pif[INISIDE] = from_pif;
	f->pif[TGTSIDE] = from_pif == PIF_HOST ? PIF_SPLICE : PIF_HOST;
	f->side[INISIDE].eaddr = pa;
	f->side[INISIDE].eport = pport;
	sl = sizeof(sa);
	/* #syscalls:pasta getsockname */
	if (!getsockname(s, &sa.sa, &sl))
		inany_from_sockaddr(&sa, &f->side[INISIDE].oaddr,
				    &f->side[INISIDE].oport);
	f->side[TGTSIDE].eaddr = *target;
	f->side[TGTSIDE].eport = target_port;

	rc = tcp_splice_pipes(conn);
	if (rc) {
		warn_ratelimit("TCP: no pipes for a spliced connection to port %u: %s",
			       target_port, strerror(-rc));
		goto fail;
	}

	sl = inany_to_sockaddr(target, target_port, 0, &sa);
	/* #syscalls:pasta connect */
	if (connect(t, &sa.sa, sl) && errno != EINPROGRESS) {
		rc = errno;
		stats_inc(STAT_TCP_SPLICE_CONN_FAIL);
		debug("TCP: spliced connect to port %u: %s", target_port,
		      strerror(rc));
		goto fail;
	}
	conn->flags = TCP_SPLICE_CONNECTING;
	clock_now(&now);
	conn->since = now.tv_sec;

	sl = sizeof(sa);
	if (!getsockname(t, &sa.sa, &sl))
		inany_from_sockaddr(&sa, &f->side[TGTSIDE].oaddr,
				    &f->side[TGTSIDE].oport);

	flow_activate(f, FLOW_TCP_SPLICE);
	rc = tcp_splice_epoll(c, conn, true);
	if (rc) {
		warn_ratelimit("TCP: epoll_ctl for a spliced connection: %s",
			       strerror(-rc));
		tcp_splice_close(c, conn, BIT(INISIDE));
		return true;
	}

	stats_inc(STAT_TCP_CONN_SPLICE);
	flow_log(f, LOG_DEBUG, "new");
	return true;

fail:
	{
		unsigned side, end;

		for (side = 0; side < 2; side++)
			for (end = 0; end < 2; end++)
				if (conn->pipe[side][end] >= 0)
					close(conn->pipe[side][end]);
	}
	flow_alloc_cancel(f);
	close(t);
	tcp_splice_rst_close(s);
	return true;
}

/**
 * tcp_splice_timer() - Flow timer: give up on a connect that doesn't end
 * @c:		Execution context
 * @f:		Flow, FLOW_TCP_SPLICE and active
 * @now:	Current time
 */
static void tcp_splice_timer(struct ctx *c, struct flow_common *f,
			     const struct timespec *now)
{
	struct tcp_splice_conn *conn = tcp_splice_conn_of(f);

	if (!(conn->flags & TCP_SPLICE_CONNECTING) ||
	    now->tv_sec - conn->since < TCP_SPLICE_CONNECT_TIMEOUT_S)
		return;
	stats_inc(STAT_TCP_SPLICE_CONN_FAIL);
	tcp_splice_fail(c, conn, TGTSIDE, ETIMEDOUT, "connect");
}

static const struct flow_type_ops tcp_splice_ops = {
	.timer = tcp_splice_timer,
};

/**
 * tcp_splice_init() - Register the flow type, fill the socket pool
 * @c:		Execution context
 */
void tcp_splice_init(struct ctx *c)
{
	flow_register_type(FLOW_TCP_SPLICE, &tcp_splice_ops);
	tcp_splice_refill(c);
}
