// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_listen.c - accepting connections on forwarded TCP ports
 *
 * The listeners themselves (which ports, both sides, automatic forwarding)
 * are fwd_listen.c's. Here, an accepted connection goes down its path: from
 * the namespace (-T), spliced to the host's loopback; from a peer on the
 * host's loopback (pasta), spliced to the namespace's loopback, unless
 * --no-splice; otherwise through the guest's tap link (tcp.c), and with
 * --splice-only (no tap link), nowhere: reset.
 *
 * Accepting is bounded per event (TCP_ACCEPT_BATCH). Out of descriptors
 * (EMFILE, ENFILE), accept4() can't take a pending connection, which would
 * wait in the backlog and keep the listener readable: one descriptor kept
 * in reserve is given up to accept it, and the connection is reset, so its
 * peer knows at once (tcp_listen_shed()). Without the reserve, or out of
 * kernel memory (ENOBUFS, ENOMEM), the listener is paused until the next
 * timer tick instead (fwd_listen_pause()): either way, a backlog we can't
 * take doesn't spin the loop.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "epoll_ref.h"
#include "inany.h"
#include "flow.h"
#include "fwd.h"
#include "fwd_listen.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "tcp_splice.h"

#define TCP_ACCEPT_BATCH	32	/* connections accepted per event */

/* Descriptor in reserve for tcp_listen_shed(), -1 while we don't hold it */
static int tcp_listen_spare = -1;

/**
 * tcp_listen_rst() - Close an accepted socket with a reset
 * @s:		Socket
 */
static void tcp_listen_rst(int s)
{
	const struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	/* #syscalls setsockopt close */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(s);
}

/**
 * tcp_listen_spare_open() - Take the reserve descriptor, unless we hold it
 */
static void tcp_listen_spare_open(void)
{
	if (tcp_listen_spare >= 0)
		return;
	/* Any descriptor does: an unbound UNIX socket needs no file system */
	/* #syscalls socket */
	tcp_listen_spare = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/**
 * tcp_listen_init() - Take the reserve descriptor, before listeners and
 *		       flows can take them all
 */
void tcp_listen_init(void)
{
	tcp_listen_spare_open();
}

/**
 * tcp_listen_shed() - Out of descriptors: reset a pending connection with
 *		       the one in reserve
 * @fd:		Listener
 * @lref:	Its reference, for the message
 *
 * accept4() takes a descriptor before it looks at the backlog: EMFILE
 * doesn't say that a connection is waiting, and this is how we find out.
 *
 * Return: 0 if a connection was reset (logged, rate-limited) or was gone
 *	   already, -EAGAIN if none is waiting, or the error of accept4()
 *	   that sent us here (-EMFILE, -ENFILE) if we couldn't take one
 */
static int tcp_listen_shed(int fd, union fwd_listen_ref lref)
{
	int e = errno, s;

	if (tcp_listen_spare < 0)
		return -e;
	close(tcp_listen_spare);
	tcp_listen_spare = -1;
	/* #syscalls accept4 */
	s = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0) {
		int e2 = errno;

		tcp_listen_spare_open();
		if (e2 == EAGAIN || e2 == EWOULDBLOCK)
			return -EAGAIN;
		if (e2 == EINTR || e2 == ECONNABORTED || e2 == EPROTO)
			return 0;
		return -e;
	}
	tcp_listen_rst(s);
	tcp_listen_spare_open();
	warn_ratelimit("TCP: out of descriptors (%s), resetting a new connection on port %u%s",
		       strerror(e), lref.port,
		       lref.pif == PIF_SPLICE ? " (namespace)" : "");
	return 0;
}

/**
 * tcp_listen_peer_is_loopback() - Is an accepted peer on loopback?
 * @sa:		Peer address
 *
 * Return: true for 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104
 */
static bool tcp_listen_peer_is_loopback(const union sockaddr_inany *sa)
{
	union inany_addr a;

	if (inany_from_sockaddr(sa, &a, NULL))
		return false;
	return inany_is_loopback(&a);
}

/**
 * tcp_listen_conn() - Hand an accepted connection to its path
 * @c:		Execution context
 * @s:		Accepted socket, ours to hand over or close
 * @peer:	Peer address
 * @lref:	Listener reference: side and target port
 * @now:	Current time
 */
static void tcp_listen_conn(struct ctx *c, int s,
			    const union sockaddr_inany *peer,
			    union fwd_listen_ref lref,
			    const struct timespec *now)
{
	union sockaddr_inany local;
	socklen_t sl = sizeof(local);
	union inany_addr a;
	uint16_t listen_port;

	if (lref.pif == PIF_SPLICE) {
		/* Takes the socket whatever happens, see its comment */
		if (!tcp_splice_conn_from_sock(c, s, peer, PIF_SPLICE,
					       lref.port))
			tcp_listen_rst(s);
		return;
	}

	if (c->mode == MODE_PASTA && !c->no_splice &&
	    tcp_listen_peer_is_loopback(peer) &&
	    tcp_splice_conn_from_sock(c, s, peer, PIF_HOST, lref.port))
		return;
	if (c->splice_only) {		/* no tap device to go through */
		tcp_listen_rst(s);
		return;
	}

	/* #syscalls getsockname */
	if (getsockname(s, &local.sa, &sl) ||
	    inany_from_sockaddr(&local, &a, &listen_port)) {
		debug_perror("TCP: getsockname on accepted socket");
		tcp_listen_rst(s);
		return;
	}
	tcp_tap_conn_from_sock(c, s, peer, listen_port, lref.port, now);
}

/**
 * tcp_listen_handler() - Accept connections on a listener
 * @c:		Execution context
 * @ref:	Epoll reference of the listener
 * @now:	Current time
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now)
{
	union fwd_listen_ref lref = { .data = ref.data };
	unsigned i;

	if (c->no_tcp)
		return;

	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		union sockaddr_inany peer = { .sa.sa_family = AF_UNSPEC };
		socklen_t sl = sizeof(peer);
		int s, rc;

		/* #syscalls accept4 */
		s = accept4(ref.fd, &peer.sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			switch (errno) {
			case EAGAIN:
#if EAGAIN != EWOULDBLOCK
			case EWOULDBLOCK:
#endif
				return;
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
				continue;	/* gone before we got to it */
			case EMFILE:
			case ENFILE:
				rc = tcp_listen_shed(ref.fd, lref);
				if (!rc)
					continue;
				if (rc == -EAGAIN)
					return;
				errno = -rc;
				/* fall through */
			case ENOBUFS:
			case ENOMEM:
				warn_ratelimit("TCP: can't accept on port %u%s: %s, pausing for a second",
					       lref.port,
					       lref.pif == PIF_SPLICE ?
					       " (namespace)" : "",
					       fd_err_str(errno));
				fwd_listen_pause(c, ref);
				return;
			default:
				warn_ratelimit("TCP: accept on listener %d: %s",
					       ref.fd, strerror(errno));
				return;
			}
		}

		if (s > EPOLL_REF_FD_MAX) {
			warn_ratelimit("TCP: accepted socket %d beyond epoll reference range",
				       s);
			tcp_listen_rst(s);
			continue;
		}
		if (peer.sa.sa_family != AF_INET &&
		    peer.sa.sa_family != AF_INET6) {
			tcp_listen_rst(s);
			continue;
		}
		tcp_listen_conn(c, s, &peer, lref, now);
	}
}

/**
 * tcp_port_timer() - About once a second: take the reserve descriptor
 *		      back if we gave it up, refill the pool of namespace
 *		      sockets for spliced connections
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_port_timer(struct ctx *c, const struct timespec *now)
{
	(void)now;
	if (c->no_tcp)
		return;
	tcp_listen_spare_open();
	if (c->mode == MODE_PASTA)
		tcp_splice_refill(c);
}
