// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_listen.c - listening sockets for forwarded TCP ports, and automatic
 *		  forwarding that follows the other side's listeners
 *
 * Theory of operation
 *
 * Two sides can have listeners:
 *  - the host (-t, PIF_HOST): connections go to the guest, through the tap
 *    link (tcp.c), or, for pasta and a peer on the host's loopback, spliced
 *    to the namespace's loopback (tcp_splice.c);
 *  - pasta's namespace (-T, PIF_SPLICE): sockets created inside it, bound
 *    to its loopback, and connections spliced to the host's loopback.
 * The epoll reference of a listener carries the target port and the side
 * (union tcp_listen_ref), so accepting needs no lookup.
 *
 * Which ports: FWD_SPEC lists them in rules (with a listening address and
 * device, and a target port); FWD_ALL means every port below the start of
 * the ephemeral range (net.ipv4.ip_local_port_range of that side); FWD_AUTO
 * (pasta) follows the other side: about once a second, tcp_port_timer()
 * reads which ports have listeners there (fwd_scan.c), leaves out the ports
 * of our own listeners on that side (or the two directions would chase
 * each other) and the excluded ones, opens what is missing and closes what
 * is gone. Exclusions ('~') apply to every mode.
 *
 * Addresses: on the host, without an address given, one socket serves
 * both families (IPv6, IPV6_V6ONLY off) if both are enabled; in the
 * namespace, one socket per enabled family on 127.0.0.1 and ::1.
 *
 * Storage: a static table of descriptors per side, family and port (2 x 2 x
 * 65536 entries, 1 MiB of address space, touched only where used), and a
 * bitmap per side of the ports we listen on. A port that can't be bound is
 * reported once per side, then only at debug level; automatic forwarding
 * retries it on each scan, so it is picked up once the port is free.
 *
 * Accepting is bounded per event (TCP_ACCEPT_BATCH). If we run out of
 * descriptors, the listener is taken out of epoll until the next timer
 * tick, so a backlog we can't accept doesn't spin the loop.
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
#include "fwd_scan.h"
#include "netns.h"
#include "tcp.h"
#include "tcp_internal.h"
#include "tcp_splice.h"

#define TCP_LISTEN_HOST		0	/* side index: -t, PIF_HOST */
#define TCP_LISTEN_NS		1	/* side index: -T, PIF_SPLICE */
#define TCP_LISTEN_V4		0	/* family index */
#define TCP_LISTEN_V6		1	/* family index, also dual-stack */

#define TCP_LISTEN_BATCH	128	/* sockets opened per namespace call */
#define TCP_ACCEPT_BATCH	32	/* connections accepted per event */
#define TCP_LISTEN_PAUSED_MAX	64	/* listeners waiting for descriptors */
#define TCP_EPHEMERAL_DEFAULT	32768	/* if ip_local_port_range is unreadable */

/* Listening sockets as descriptor + 1, 0 for none: [side][family][port] */
static int tcp_listen_fd1[2][2][NUM_PORTS];
/* Ports with at least one of our listeners, per side */
static uint8_t tcp_listen_ours[2][NUM_PORTS / 8];
/* Ports whose failure to listen was already reported, per side */
static uint8_t tcp_listen_warned[2][NUM_PORTS / 8];
/* Scratch bitmap for scans */
static uint8_t tcp_listen_scan[NUM_PORTS / 8];
/* Listeners not opened for lack of descriptors, since the last report */
static unsigned tcp_listen_nofd[2];
/* That shortage was reported, per side, until listeners open fine again */
static bool tcp_listen_nofd_warned[2];

/**
 * struct tcp_listen_req - One listening socket to open
 * @addr:	Address to bind to, unspecified for any
 * @ifname:	Device to bind to (SO_BINDTODEVICE), NULL or empty for none
 * @af:		Socket family
 * @v6only:	Set IPV6_V6ONLY (AF_INET6 only)
 * @fam:	Table index: TCP_LISTEN_V4 or TCP_LISTEN_V6
 * @port:	Listening port
 * @to:		Target port
 * @ret:	Result: the socket, or -errno
 * @step:	Result: the call that failed, for the message
 */
struct tcp_listen_req {
	union inany_addr addr;
	const char *ifname;
	int af;
	bool v6only;
	uint8_t fam;
	uint16_t port;
	uint16_t to;
	int ret;
	const char *step;
};

/* Requests queued for one side, opened together (one clone for the
 * namespace) by tcp_listen_flush()
 */
static struct tcp_listen_req tcp_listen_q[TCP_LISTEN_BATCH];
static unsigned tcp_listen_q_len;
static unsigned tcp_listen_q_side;

/**
 * struct tcp_listen_paused - A listener out of epoll until the next tick
 * @fd:		Listening socket
 * @ref:	Its epoll reference
 */
struct tcp_listen_paused {
	int fd;
	union epoll_ref ref;
};
static struct tcp_listen_paused tcp_listen_paused[TCP_LISTEN_PAUSED_MAX];
static unsigned tcp_listen_n_paused;

/**
 * tcp_listen_side_pif() - Interface of a side index
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 *
 * Return: PIF_HOST or PIF_SPLICE
 */
static uint8_t tcp_listen_side_pif(unsigned side)
{
	return side == TCP_LISTEN_NS ? PIF_SPLICE : PIF_HOST;
}

/**
 * tcp_listen_open() - Open, bind and start one listening socket
 * @r:		Request, @r->ret and @r->step set on return
 *
 * Runs in a clone inside the namespace for PIF_SPLICE listeners (through
 * tcp_listen_open_batch()): it must not log.
 */
static void tcp_listen_open(struct tcp_listen_req *r)
{
	union sockaddr_inany sa;
	socklen_t sl;
	int s, one = 1, v6only = r->v6only;

	r->step = "socket";
	/* #syscalls socket setsockopt bind listen */
	s = socket(r->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_TCP);
	if (s < 0)
		goto fail;
	if (s > EPOLL_REF_FD_MAX) {
		close(s);
		r->ret = -EMFILE;
		return;
	}

	r->step = "setsockopt";
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail_close;
	if (r->af == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
		goto fail_close;
	if (r->ifname && *r->ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, r->ifname,
		       (socklen_t)strlen(r->ifname)))
		goto fail_close;

	r->step = "bind";
	sl = inany_to_sockaddr(&r->addr, r->port, 0, &sa);
	if (bind(s, &sa.sa, sl))
		goto fail_close;

	r->step = "listen";
	if (listen(s, TCP_LISTEN_BACKLOG))
		goto fail_close;

	r->ret = s;
	return;

fail_close:
	r->ret = -errno;
	close(s);
	return;
fail:
	r->ret = -errno;
}

/**
 * tcp_listen_open_batch() - Open every queued listener
 * @arg:	Unused
 *
 * Return: 0
 */
static int tcp_listen_open_batch(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < tcp_listen_q_len; i++)
		tcp_listen_open(&tcp_listen_q[i]);
	return 0;
}

/**
 * tcp_listen_fail() - Report a listener we couldn't open, once per port
 * @side:	Side index
 * @r:		Failed request
 */
static void tcp_listen_fail(unsigned side, const struct tcp_listen_req *r)
{
	char a[INANY_ADDRSTRLEN];
	bool quiet = fwd_bitmap_isset(tcp_listen_warned[side], r->port);
	int pri = quiet ? LOG_DEBUG : LOG_WARNING;

	if (pri > log_level)
		return;
	fwd_bitmap_set(tcp_listen_warned[side], r->port);
	logmsg(pri, false, "TCP port %u%s: can't listen on [%s]%s%s: %s: %s",
	       r->port, side == TCP_LISTEN_NS ? " (namespace)" : "",
	       inany_ntop(&r->addr, a, sizeof(a)),
	       r->ifname && *r->ifname ? "%" : "",
	       r->ifname ? r->ifname : "", r->step, strerror(-r->ret));
}

/**
 * tcp_listen_flush() - Open the queued listeners, register them
 * @c:		Execution context
 */
static void tcp_listen_flush(struct ctx *c)
{
	unsigned side = tcp_listen_q_side, i;
	int ns_rc = 0;

	if (!tcp_listen_q_len)
		return;

	if (side == TCP_LISTEN_NS)
		ns_rc = ns_call(c->pasta.netns_fd, tcp_listen_open_batch, NULL);
	else
		tcp_listen_open_batch(NULL);

	if (ns_rc) {
		warn_ratelimit("TCP: couldn't enter the namespace for %u listeners: %s",
			       tcp_listen_q_len, strerror(-ns_rc));
		tcp_listen_q_len = 0;
		return;
	}

	for (i = 0; i < tcp_listen_q_len; i++) {
		struct tcp_listen_req *r = &tcp_listen_q[i];
		union tcp_listen_ref lref = { .data = 0 };
		int *slot = &tcp_listen_fd1[side][r->fam][r->port];
		int rc;

		if (r->ret == -EMFILE || r->ret == -ENFILE) {
			tcp_listen_nofd[side]++;	/* tcp_listen_report() */
			continue;
		}
		if (r->ret < 0) {
			tcp_listen_fail(side, r);
			continue;
		}

		lref.port = r->to;
		lref.pif = tcp_listen_side_pif(side);
		rc = epoll_add(c->epollfd, EPOLLIN,
			       epoll_ref_make(EPOLL_TYPE_TCP_LISTEN, r->ret,
					      lref.data));
		if (rc) {
			close(r->ret);
			r->ret = rc;
			r->step = "epoll_ctl";
			tcp_listen_fail(side, r);
			continue;
		}

		/* A slot taken means tcp_listen_queue() let a duplicate in */
		ASSERT(!*slot);
		*slot = r->ret + 1;
		fwd_bitmap_set(tcp_listen_ours[side], r->port);
		fwd_bitmap_clear(tcp_listen_warned[side], r->port);
	}
	tcp_listen_q_len = 0;
}

/**
 * tcp_listen_report() - After opening listeners: report, once, those that
 *			 failed for lack of descriptors
 * @side:	Side index
 *
 * Thousands of ports (FWD_ALL) can fail together: one message says so.
 */
static void tcp_listen_report(unsigned side)
{
	if (!tcp_listen_nofd[side]) {
		tcp_listen_nofd_warned[side] = false;
		return;
	}
	if (!tcp_listen_nofd_warned[side])
		warn("TCP: out of file descriptors: %u listeners%s not opened, raise the limit (ulimit -n) or forward fewer ports",
		     tcp_listen_nofd[side],
		     side == TCP_LISTEN_NS ? " in the namespace" : "");
	tcp_listen_nofd_warned[side] = true;
	tcp_listen_nofd[side] = 0;
}

/**
 * tcp_listen_queue() - Queue one listener to open
 * @c:		Execution context
 * @side:	Side index
 * @addr:	Address, NULL for any
 * @ifname:	Device, NULL or empty for none
 * @port:	Listening port
 * @to:		Target port
 *
 * A port already listened on, in the same table slot, is skipped: with
 * overlapping rules, the first one given wins.
 */
static void tcp_listen_queue(struct ctx *c, unsigned side,
			     const union inany_addr *addr, const char *ifname,
			     uint16_t port, uint16_t to)
{
	struct tcp_listen_req r = { .ifname = ifname, .port = port,
				    .to = to };
	unsigned i;

	if (!port)
		return;

	if (addr) {
		r.addr = *addr;
		r.af = inany_af(addr);
		r.v6only = true;
	} else if (c->ifi4_on && c->ifi6_on) {
		r.addr = inany_any6;
		r.af = AF_INET6;
		r.v6only = false;
	} else if (c->ifi6_on) {
		r.addr = inany_any6;
		r.af = AF_INET6;
		r.v6only = true;
	} else {
		r.addr = inany_any4;
		r.af = AF_INET;
	}
	r.fam = r.af == AF_INET ? TCP_LISTEN_V4 : TCP_LISTEN_V6;

	if (tcp_listen_fd1[side][r.fam][port])
		return;
	for (i = 0; i < tcp_listen_q_len; i++) {
		if (tcp_listen_q[i].port == port &&
		    tcp_listen_q[i].fam == r.fam)
			return;
	}

	if (tcp_listen_q_len && tcp_listen_q_side != side)
		tcp_listen_flush(c);
	tcp_listen_q_side = side;
	tcp_listen_q[tcp_listen_q_len++] = r;
	if (tcp_listen_q_len == TCP_LISTEN_BATCH)
		tcp_listen_flush(c);
}

/**
 * tcp_listen_queue_port() - Queue the listeners of a port on one side,
 *			     without a rule's address
 * @c:		Execution context
 * @side:	Side index
 * @port:	Listening port
 * @to:		Target port
 *
 * On the host, any address; in the namespace, its loopback addresses.
 */
static void tcp_listen_queue_port(struct ctx *c, unsigned side,
				  uint16_t port, uint16_t to)
{
	if (side == TCP_LISTEN_HOST) {
		tcp_listen_queue(c, side, NULL, NULL, port, to);
		return;
	}
	if (c->ifi4_on || !c->ifi6_on)
		tcp_listen_queue(c, side, &inany_loopback4, NULL, port, to);
	if (c->ifi6_on)
		tcp_listen_queue(c, side, &inany_loopback6, NULL, port, to);
}

/**
 * tcp_listen_unpause() - Remove a listener from the paused list
 * @fd:		Listening socket
 */
static void tcp_listen_unpause(int fd)
{
	unsigned i;

	for (i = 0; i < tcp_listen_n_paused; i++) {
		if (tcp_listen_paused[i].fd == fd) {
			tcp_listen_paused[i] =
				tcp_listen_paused[--tcp_listen_n_paused];
			return;
		}
	}
}

/**
 * tcp_listen_close() - Close our listeners of a port on one side
 * @c:		Execution context
 * @side:	Side index
 * @port:	Port
 */
static void tcp_listen_close(const struct ctx *c, unsigned side,
			     uint16_t port)
{
	unsigned fam;

	for (fam = 0; fam < 2; fam++) {
		int *slot = &tcp_listen_fd1[side][fam][port];

		if (!*slot)
			continue;
		epoll_del(c->epollfd, *slot - 1);
		tcp_listen_unpause(*slot - 1);
		close(*slot - 1);
		*slot = 0;
	}
	fwd_bitmap_clear(tcp_listen_ours[side], port);
}

/**
 * tcp_listen_range_read() - Read the ephemeral port range
 * @arg:	char buffer of 64 bytes
 *
 * Runs in a clone inside the namespace for the namespace's range: it must
 * not log.
 *
 * Return: bytes read, or -errno
 */
static int tcp_listen_range_read(void *arg)
{
	return (int)read_file("/proc/sys/net/ipv4/ip_local_port_range",
			      arg, 64);
}

/**
 * tcp_listen_ephemeral_start() - First ephemeral port of one side
 * @c:		Execution context
 * @side:	Side index
 *
 * Return: first port of net.ipv4.ip_local_port_range on that side, or
 *	   TCP_EPHEMERAL_DEFAULT if it can't be read
 */
static uint16_t tcp_listen_ephemeral_start(const struct ctx *c,
					   unsigned side)
{
	char buf[64];
	uint32_t first;
	int rc;

	if (side == TCP_LISTEN_NS)
		rc = ns_call(c->pasta.netns_fd, tcp_listen_range_read, buf);
	else
		rc = tcp_listen_range_read(buf);

	if (rc > 0) {
		buf[strcspn(buf, " \t\n")] = '\0';
		if (!parse_u32(buf, 10, &first) && first > 0 &&
		    first < NUM_PORTS)
			return (uint16_t)first;
	}
	warn("Couldn't read ip_local_port_range%s, forwarding ports below %u",
	     side == TCP_LISTEN_NS ? " in the namespace" : "",
	     TCP_EPHEMERAL_DEFAULT);
	return TCP_EPHEMERAL_DEFAULT;
}

/**
 * tcp_listen_setup() - Open the configured listeners of one side
 * @c:		Execution context
 * @side:	Side index
 * @fp:		Configuration of that direction
 */
static void tcp_listen_setup(struct ctx *c, unsigned side,
			     const struct fwd_ports *fp)
{
	unsigned i, p, last;

	switch (fp->mode) {
	case FWD_SPEC:
		for (i = 0; i < fp->n_rules; i++) {
			const struct fwd_rule *r = &fp->rules[i];
			const union inany_addr *addr = NULL;

			if (r->af != AF_UNSPEC)
				addr = &r->addr;
			for (p = r->first; p <= r->last; p++) {
				uint16_t to = (uint16_t)(p - r->first + r->to);

				if (fwd_port_excluded(fp, (uint16_t)p))
					continue;
				if (addr || *r->ifname || side == TCP_LISTEN_HOST)
					tcp_listen_queue(c, side, addr,
							 r->ifname,
							 (uint16_t)p, to);
				else
					tcp_listen_queue_port(c, side,
							      (uint16_t)p, to);
			}
		}
		break;
	case FWD_ALL:
		last = tcp_listen_ephemeral_start(c, side);
		for (p = 1; p < last; p++) {
			if (!fwd_port_excluded(fp, (uint16_t)p))
				tcp_listen_queue_port(c, side, (uint16_t)p,
						      (uint16_t)p);
		}
		break;
	case FWD_UNSET:
	case FWD_NONE:
	case FWD_AUTO:		/* see tcp_listen_auto() */
		break;
	}
	tcp_listen_flush(c);
	tcp_listen_report(side);
}

/**
 * tcp_listen_auto() - Follow the other side's listeners on one side
 * @c:		Execution context
 * @side:	Side index of the listeners we open and close
 * @fp:		Configuration of that direction, FWD_AUTO
 */
static void tcp_listen_auto(struct ctx *c, unsigned side,
			    const struct fwd_ports *fp)
{
	unsigned other = side == TCP_LISTEN_HOST ? TCP_LISTEN_NS :
						   TCP_LISTEN_HOST;
	unsigned b;
	int rc;

	rc = fwd_scan(c, IPPROTO_TCP, tcp_listen_side_pif(other),
		      tcp_listen_scan);
	if (rc) {
		warn_ratelimit("Couldn't scan listening TCP ports%s: %s",
			       other == TCP_LISTEN_NS ? " in the namespace" :
			       "", strerror(-rc));
		return;
	}

	for (b = 0; b < NUM_PORTS / 8; b++) {
		uint8_t want = tcp_listen_scan[b] &
			       (uint8_t)~tcp_listen_ours[other][b] &
			       (uint8_t)~fp->exclude[b];
		uint8_t have = tcp_listen_ours[side][b];
		unsigned bit;

		if (!b)
			want &= (uint8_t)~1U;	/* port 0 */

		/* Ports no longer wanted may warn again if wanted later */
		tcp_listen_warned[side][b] &= want;

		if (want == have)
			continue;
		for (bit = 0; bit < 8; bit++) {
			uint16_t port = (uint16_t)(b * 8 + bit);

			if ((have & ~want) & (1U << bit)) {
				debug("TCP port %u%s: no listener on the other side, closing ours",
				      port, side == TCP_LISTEN_NS ?
				      " (namespace)" : "");
				tcp_listen_close(c, side, port);
			} else if ((want & ~have) & (1U << bit)) {
				debug("TCP port %u%s: listener on the other side, forwarding",
				      port, side == TCP_LISTEN_NS ?
				      " (namespace)" : "");
				tcp_listen_queue_port(c, side, port, port);
			}
		}
	}
	tcp_listen_flush(c);
	tcp_listen_report(side);
}

/**
 * tcp_listen_init() - Open the listeners of -t and -T, first automatic scan
 * @c:		Execution context
 */
void tcp_listen_init(struct ctx *c)
{
	if (c->no_tcp)
		return;

	fwd_scan_init(c);

	tcp_listen_setup(c, TCP_LISTEN_HOST, &c->fwd->tcp_in);
	if (c->mode == MODE_PASTA)
		tcp_listen_setup(c, TCP_LISTEN_NS, &c->fwd->tcp_out);

	if (c->mode != MODE_PASTA)
		return;
	if (c->fwd->tcp_out.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_NS, &c->fwd->tcp_out);
	if (c->fwd->tcp_in.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_HOST, &c->fwd->tcp_in);
}

/**
 * tcp_port_timer() - About once a second: follow listeners for automatic
 *		      forwarding, re-arm paused listeners, refill the pool
 *		      of namespace sockets
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_port_timer(struct ctx *c, const struct timespec *now)
{
	unsigned i;

	(void)now;
	if (c->no_tcp)
		return;

	for (i = 0; i < tcp_listen_n_paused; i++) {
		const struct tcp_listen_paused *p = &tcp_listen_paused[i];

		if (epoll_mod(c->epollfd, EPOLLIN, p->ref))
			debug("Couldn't re-arm TCP listener %d", p->fd);
	}
	tcp_listen_n_paused = 0;

	if (c->mode != MODE_PASTA)
		return;

	if (c->fwd->tcp_in.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_HOST, &c->fwd->tcp_in);
	if (c->fwd->tcp_out.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_NS, &c->fwd->tcp_out);

	tcp_splice_refill(c);
}

/**
 * tcp_listen_pause() - Take a listener out of epoll until the next tick
 * @c:		Execution context
 * @ref:	Its epoll reference
 *
 * Return: true if paused, false if the paused list is full
 */
static bool tcp_listen_pause(const struct ctx *c, union epoll_ref ref)
{
	unsigned i;

	for (i = 0; i < tcp_listen_n_paused; i++) {
		if (tcp_listen_paused[i].fd == ref.fd)
			return true;
	}
	if (tcp_listen_n_paused == TCP_LISTEN_PAUSED_MAX)
		return false;
	if (epoll_mod(c->epollfd, 0, ref))
		return false;
	tcp_listen_paused[tcp_listen_n_paused].fd = ref.fd;
	tcp_listen_paused[tcp_listen_n_paused].ref = ref;
	tcp_listen_n_paused++;
	return true;
}

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
			    union tcp_listen_ref lref,
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

	if (c->mode == MODE_PASTA && tcp_listen_peer_is_loopback(peer) &&
	    tcp_splice_conn_from_sock(c, s, peer, PIF_HOST, lref.port))
		return;

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
	union tcp_listen_ref lref = { .data = ref.data };
	unsigned i;

	if (c->no_tcp)
		return;

	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		union sockaddr_inany peer = { .sa.sa_family = AF_UNSPEC };
		socklen_t sl = sizeof(peer);
		int s;

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
			case ENOBUFS:
			case ENOMEM:
				warn_ratelimit("TCP: can't accept on port %u%s: %s, pausing for a second",
					       lref.port,
					       lref.pif == PIF_SPLICE ?
					       " (namespace)" : "",
					       strerror(errno));
				tcp_listen_pause(c, ref);
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
