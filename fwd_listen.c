// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_listen.c - sockets listening on forwarded ports, TCP and UDP, and
 *		  automatic forwarding that follows the other side's sockets
 *
 * Theory of operation
 *
 * Two sides can have listeners, for each protocol:
 *  - the host (-t, -u: PIF_HOST): traffic goes to the guest, through the
 *    tap link, or, for pasta and a peer on the host's loopback, to the
 *    namespace's loopback without the tap (spliced);
 *  - pasta's namespace (-T, -U: PIF_SPLICE): sockets created inside it,
 *    bound to its loopback, traffic going to the host's loopback.
 * The epoll reference of a listener carries the target port and the side
 * (union fwd_listen_ref), so its handler (tcp_listen.c, udp.c) needs no
 * lookup. A UDP "listener" is a bound socket; SO_REUSEADDR lets the UDP
 * code bind per-peer reply sockets to the same port.
 *
 * Which ports: FWD_SPEC lists them in rules (with a listening address and
 * device, and a target port); FWD_ALL means every port below the start of
 * the ephemeral range (net.ipv4.ip_local_port_range of that side); FWD_AUTO
 * (pasta) follows the other side: about once a second, fwd_listen_timer()
 * reads which ports have listening (TCP) or bound (UDP) sockets there
 * (fwd_scan.c), leaves out the ports of our own sockets on that side (or
 * the two directions would chase each other) and the excluded ones, opens
 * what is missing and closes what is gone. For UDP, ports in the ephemeral
 * range are left out too: bound there means a client, not a service.
 * Exclusions ('~') apply to every mode.
 *
 * Addresses: on the host, without an address given, one socket serves
 * both families (IPv6, IPV6_V6ONLY off) if both are enabled; in the
 * namespace, and on the host with --splice-only (no tap device: only
 * loopback peers can be forwarded), one socket per enabled family on
 * 127.0.0.1 and ::1. --freebind lets a given address be bound before it
 * is configured (IP_FREEBIND, IPV6_FREEBIND).
 *
 * Storage: a static table of descriptors per protocol, side, family and
 * port (2 MiB of address space, touched only where used), and bitmaps per
 * protocol and side of the ports we listen on.
 *
 * Failures: a port given explicitly (FWD_SPEC) that can't be bound ends
 * set-up with an error naming it: the user asked for exactly that port.
 * With "all" and "auto", a port another program holds (EADDRINUSE) is
 * skipped with a debug message, other failures are warned about once per
 * port; automatic forwarding retries on each scan, so a port is picked up
 * once it is free.
 * Namespace-side sockets are opened in batches, one namespace call each.
 *
 * If we run out of descriptors or memory while accepting, and tcp_listen.c
 * can't reset the waiting connections with the descriptor it keeps in
 * reserve, a listener is taken out of epoll until the next timer tick
 * (fwd_listen_pause()), so a backlog we can't take doesn't spin the loop.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* In linux/in6.h, which doesn't mix with netinet/in.h */
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND		78
#endif

#include "util.h"
#include "log.h"
#include "epoll_ref.h"
#include "inany.h"
#include "flow.h"
#include "fwd.h"
#include "fwd_scan.h"
#include "fwd_listen.h"
#include "netns.h"

#define FWD_HOST		0	/* side index: -t/-u, PIF_HOST */
#define FWD_NS			1	/* side index: -T/-U, PIF_SPLICE */
#define FWD_V4			0	/* family index */
#define FWD_V6			1	/* family index, also dual-stack */

#define FWD_LISTEN_BATCH	128	/* sockets opened per namespace call */
#define FWD_LISTEN_BACKLOG	128
#define FWD_PAUSED_MAX		64	/* listeners waiting for descriptors */
#define FWD_EPHEMERAL_DEFAULT	32768	/* if ip_local_port_range is unreadable */

/**
 * struct fwd_listen_proto - What differs between TCP and UDP listeners
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @socktype:	SOCK_STREAM or SOCK_DGRAM
 * @type:	Epoll type of its listeners
 * @name:	For messages
 */
struct fwd_listen_proto {
	uint8_t proto;
	int socktype;
	enum epoll_type type;
	const char *name;
};

#define FWD_TCP			0
#define FWD_UDP			1
static const struct fwd_listen_proto fwd_protos[2] = {
	[FWD_TCP] = { IPPROTO_TCP, SOCK_STREAM, EPOLL_TYPE_TCP_LISTEN, "TCP" },
	[FWD_UDP] = { IPPROTO_UDP, SOCK_DGRAM, EPOLL_TYPE_UDP_LISTEN, "UDP" },
};

/* Sockets as descriptor + 1, 0 for none: [proto][side][family][port] */
static int fwd_fd1[2][2][2][NUM_PORTS];
/* Ports with at least one of our sockets, per protocol and side */
static uint8_t fwd_ours[2][2][NUM_PORTS / 8];
/* Ports whose failure to listen was already reported */
static uint8_t fwd_warned[2][2][NUM_PORTS / 8];
/* Scratch bitmap for scans */
static uint8_t fwd_scan_map[NUM_PORTS / 8];
/* Sockets not opened for lack of descriptors, since the last report */
static unsigned fwd_nofd[2][2];
/* That shortage was reported, until sockets open fine again */
static bool fwd_nofd_warned[2][2];
/* First ephemeral port of each side, 0 until read */
static uint16_t fwd_ephemeral[2];

/**
 * struct fwd_listen_req - One listening socket to open
 * @addr:	Address to bind to, unspecified for any
 * @ifname:	Device to bind to (SO_BINDTODEVICE), NULL or empty for none
 * @af:		Socket family
 * @v6only:	Set IPV6_V6ONLY (AF_INET6 only)
 * @fam:	Table index: FWD_V4 or FWD_V6
 * @port:	Listening port
 * @to:		Target port
 * @given:	The port was given explicitly (FWD_SPEC): failing is fatal
 * @freebind:	Set IP_FREEBIND or IPV6_FREEBIND (--freebind)
 * @ret:	Result: the socket, or -errno
 * @step:	Result: the call that failed, for the message
 */
struct fwd_listen_req {
	union inany_addr addr;
	const char *ifname;
	int af;
	bool v6only;
	uint8_t fam;
	uint16_t port;
	uint16_t to;
	bool given;
	bool freebind;
	int ret;
	const char *step;
};

/* Requests queued for one protocol and side, opened together */
static struct fwd_listen_req fwd_q[FWD_LISTEN_BATCH];
static unsigned fwd_q_len, fwd_q_side, fwd_q_proto;

/**
 * struct fwd_paused - A listener out of epoll until the next tick
 * @fd:		Listening socket
 * @ref:	Its epoll reference
 */
struct fwd_paused {
	int fd;
	union epoll_ref ref;
};
static struct fwd_paused fwd_paused[FWD_PAUSED_MAX];
static unsigned fwd_n_paused;

/**
 * fwd_side_pif() - Interface of a side index
 * @side:	FWD_HOST or FWD_NS
 *
 * Return: PIF_HOST or PIF_SPLICE
 */
static uint8_t fwd_side_pif(unsigned side)
{
	return side == FWD_NS ? PIF_SPLICE : PIF_HOST;
}

/**
 * fwd_listen_open() - Open, bind (and for TCP, listen on) one socket
 * @r:		Request, @r->ret and @r->step set on return
 *
 * Runs in the namespace thread for PIF_SPLICE sockets (through
 * fwd_listen_open_batch()): it must not log.
 */
static void fwd_listen_open(struct fwd_listen_req *r)
{
	const struct fwd_listen_proto *p = &fwd_protos[fwd_q_proto];
	union sockaddr_inany sa;
	socklen_t sl;
	int s, one = 1, v6only = r->v6only;

	r->step = "socket";
	/* #syscalls socket setsockopt bind listen */
	s = socket(r->af, p->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   p->proto);
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
	if (r->freebind &&
	    (r->af == AF_INET ?
	     setsockopt(s, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) :
	     setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one))))
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
	if (p->socktype == SOCK_STREAM && listen(s, FWD_LISTEN_BACKLOG))
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
 * fwd_listen_open_batch() - Open every queued socket
 * @arg:	Unused
 *
 * Return: 0
 */
static int fwd_listen_open_batch(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < fwd_q_len; i++)
		fwd_listen_open(&fwd_q[i]);
	return 0;
}

/**
 * fwd_listen_hint() - What to do about a failure to listen on a port
 * @r:		Failed request
 *
 * Return: advice for the message, starting with "; ", or ""
 */
static const char *fwd_listen_hint(const struct fwd_listen_req *r)
{
	switch (-r->ret) {
	case EADDRINUSE:
		return "; is another program listening there?";
	case EACCES:
		return "; low ports need CAP_NET_BIND_SERVICE, see sysctl net.ipv4.ip_unprivileged_port_start";
	case EADDRNOTAVAIL:
		return "; the address isn't configured here, see --freebind";
	case EMFILE:
	case ENFILE:
		return "; out of file descriptors: raise the limit (ulimit -n) or forward fewer ports";
	default:
		return "";
	}
}

/**
 * fwd_listen_fail() - Report a socket we couldn't open
 * @r:		Failed request, of the queued protocol and side
 *
 * A port given explicitly (-t, -u, -T, -U with a port list) must work:
 * we quit, as set-up can't do what was asked. For "all" and "auto", a
 * port some other program uses is skipped, at debug level; other
 * failures are warned about once per port.
 */
static void fwd_listen_fail(const struct fwd_listen_req *r)
{
	static const char opt[2][2] = { [FWD_TCP] = { 't', 'T' },
					[FWD_UDP] = { 'u', 'U' } };
	unsigned side = fwd_q_side, p = fwd_q_proto;
	bool quiet = fwd_bitmap_isset(fwd_warned[p][side], r->port) ||
		     r->ret == -EADDRINUSE;
	int pri = quiet ? LOG_DEBUG : LOG_WARNING;
	char a[INANY_ADDRSTRLEN];

	inany_ntop(&r->addr, a, sizeof(a));
	if (r->given) {
		die("Can't forward %s port %u (-%c)%s: %s on [%s]:%u%s%s failed: %s%s",
		    fwd_protos[p].name, r->port, opt[p][side],
		    side == FWD_NS ? " in the namespace" : "", r->step, a,
		    r->port, r->ifname && *r->ifname ? "%" : "",
		    r->ifname ? r->ifname : "", strerror(-r->ret),
		    fwd_listen_hint(r));
	}

	if (pri > log_level)
		return;
	fwd_bitmap_set(fwd_warned[p][side], r->port);
	logmsg(pri, false, "%s port %u%s: can't listen on [%s]%s%s: %s: %s%s",
	       fwd_protos[p].name, r->port,
	       side == FWD_NS ? " (namespace)" : "", a,
	       r->ifname && *r->ifname ? "%" : "",
	       r->ifname ? r->ifname : "", r->step, strerror(-r->ret),
	       r->ret == -EADDRINUSE ? ", skipped" : "");
}

/**
 * fwd_listen_flush() - Open the queued sockets, register them
 * @c:		Execution context
 */
static void fwd_listen_flush(struct ctx *c)
{
	unsigned side = fwd_q_side, p = fwd_q_proto, i;
	int ns_rc = 0;

	if (!fwd_q_len)
		return;

	if (side == FWD_NS)
		ns_rc = ns_call(c->pasta.netns_fd, fwd_listen_open_batch, NULL);
	else
		fwd_listen_open_batch(NULL);

	if (ns_rc) {
		warn_ratelimit("%s: couldn't enter the namespace for %u listeners: %s",
			       fwd_protos[p].name, fwd_q_len,
			       strerror(-ns_rc));
		fwd_q_len = 0;
		return;
	}

	for (i = 0; i < fwd_q_len; i++) {
		struct fwd_listen_req *r = &fwd_q[i];
		union fwd_listen_ref lref = { .data = 0 };
		int *slot = &fwd_fd1[p][side][r->fam][r->port];
		int rc;

		if (!r->given && (r->ret == -EMFILE || r->ret == -ENFILE)) {
			fwd_nofd[p][side]++;	/* fwd_listen_report() */
			continue;
		}
		if (r->ret < 0) {
			fwd_listen_fail(r);
			continue;
		}

		lref.port = r->to;
		lref.pif = fwd_side_pif(side);
		rc = epoll_add(c->epollfd, EPOLLIN,
			       epoll_ref_make(fwd_protos[p].type, r->ret,
					      lref.data));
		if (rc) {
			close(r->ret);
			r->ret = rc;
			r->step = "epoll_ctl";
			fwd_listen_fail(r);
			continue;
		}

		/* A slot taken means fwd_listen_queue() let a duplicate in */
		ASSERT(!*slot);
		*slot = r->ret + 1;
		fwd_bitmap_set(fwd_ours[p][side], r->port);
		fwd_bitmap_clear(fwd_warned[p][side], r->port);
	}
	fwd_q_len = 0;
}

/**
 * fwd_listen_report() - After opening sockets: report, once, those that
 *			 failed for lack of descriptors
 * @p:		Protocol index
 * @side:	Side index
 *
 * Thousands of ports (FWD_ALL) can fail together: one message says so.
 */
static void fwd_listen_report(unsigned p, unsigned side)
{
	if (!fwd_nofd[p][side]) {
		fwd_nofd_warned[p][side] = false;
		return;
	}
	if (!fwd_nofd_warned[p][side])
		warn("%s: out of file descriptors: %u listeners%s not opened, raise the limit (ulimit -n) or forward fewer ports",
		     fwd_protos[p].name, fwd_nofd[p][side],
		     side == FWD_NS ? " in the namespace" : "");
	fwd_nofd_warned[p][side] = true;
	fwd_nofd[p][side] = 0;
}

/**
 * fwd_listen_queue() - Queue one socket to open
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index
 * @addr:	Address, NULL for any
 * @ifname:	Device, NULL or empty for none
 * @port:	Listening port
 * @to:		Target port
 * @given:	Port given explicitly: failing to listen is fatal
 *
 * A port already listened on, in the same table slot, is skipped: with
 * overlapping rules, the first one given wins.
 */
static void fwd_listen_queue(struct ctx *c, unsigned p, unsigned side,
			     const union inany_addr *addr, const char *ifname,
			     uint16_t port, uint16_t to, bool given)
{
	struct fwd_listen_req r = { .ifname = ifname, .port = port,
				    .to = to, .given = given,
				    .freebind = c->freebind };
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
	r.fam = r.af == AF_INET ? FWD_V4 : FWD_V6;

	if (fwd_fd1[p][side][r.fam][port])
		return;
	if (fwd_q_len && (fwd_q_side != side || fwd_q_proto != p))
		fwd_listen_flush(c);
	for (i = 0; i < fwd_q_len; i++) {
		if (fwd_q[i].port == port && fwd_q[i].fam == r.fam)
			return;
	}

	fwd_q_side = side;
	fwd_q_proto = p;
	fwd_q[fwd_q_len++] = r;
	if (fwd_q_len == FWD_LISTEN_BATCH)
		fwd_listen_flush(c);
}

/**
 * fwd_listen_queue_port() - Queue the sockets of a port on one side,
 *			     without a rule's address
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index
 * @port:	Listening port
 * @to:		Target port
 * @given:	Port given explicitly: failing to listen is fatal
 *
 * On the host, any address (loopback only with --splice-only: nothing
 * else can be forwarded); in the namespace, its loopback addresses.
 */
static void fwd_listen_queue_port(struct ctx *c, unsigned p, unsigned side,
				  uint16_t port, uint16_t to, bool given)
{
	if (side == FWD_HOST && !c->splice_only) {
		fwd_listen_queue(c, p, side, NULL, NULL, port, to, given);
		return;
	}
	if (c->ifi4_on || !c->ifi6_on)
		fwd_listen_queue(c, p, side, &inany_loopback4, NULL, port, to,
				 given);
	if (c->ifi6_on)
		fwd_listen_queue(c, p, side, &inany_loopback6, NULL, port, to,
				 given);
}

/**
 * fwd_listen_unpause() - Remove a listener from the paused list
 * @fd:		Listening socket
 */
static void fwd_listen_unpause(int fd)
{
	unsigned i;

	for (i = 0; i < fwd_n_paused; i++) {
		if (fwd_paused[i].fd == fd) {
			fwd_paused[i] = fwd_paused[--fwd_n_paused];
			return;
		}
	}
}

/**
 * fwd_listen_close() - Close our sockets of a port on one side
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index
 * @port:	Port
 */
static void fwd_listen_close(const struct ctx *c, unsigned p, unsigned side,
			     uint16_t port)
{
	unsigned fam;

	for (fam = 0; fam < 2; fam++) {
		int *slot = &fwd_fd1[p][side][fam][port];

		if (!*slot)
			continue;
		epoll_del(c->epollfd, *slot - 1);
		fwd_listen_unpause(*slot - 1);
		close(*slot - 1);
		*slot = 0;
	}
	fwd_bitmap_clear(fwd_ours[p][side], port);
}

/**
 * fwd_range_read() - Read the ephemeral port range
 * @arg:	char buffer of 64 bytes
 *
 * Runs in the namespace thread for the namespace's range: it must not
 * log.
 *
 * Return: bytes read, or -errno
 */
static int fwd_range_read(void *arg)
{
	return (int)read_file("/proc/sys/net/ipv4/ip_local_port_range",
			      arg, 64);
}

/**
 * fwd_ephemeral_start() - First ephemeral port of one side
 * @c:		Execution context
 * @side:	Side index
 *
 * Return: first port of net.ipv4.ip_local_port_range on that side, or
 *	   FWD_EPHEMERAL_DEFAULT if it can't be read
 */
static uint16_t fwd_ephemeral_start(const struct ctx *c, unsigned side)
{
	char buf[64];
	uint32_t first;
	int rc;

	if (fwd_ephemeral[side])
		return fwd_ephemeral[side];

	if (side == FWD_NS)
		rc = ns_call(c->pasta.netns_fd, fwd_range_read, buf);
	else
		rc = fwd_range_read(buf);

	fwd_ephemeral[side] = FWD_EPHEMERAL_DEFAULT;
	if (rc > 0) {
		buf[strcspn(buf, " \t\n")] = '\0';
		if (!parse_u32(buf, 10, &first) && first > 0 &&
		    first < NUM_PORTS) {
			fwd_ephemeral[side] = (uint16_t)first;
			return fwd_ephemeral[side];
		}
	}
	warn("Couldn't read ip_local_port_range%s, taking ports below %u as services",
	     side == FWD_NS ? " in the namespace" : "", FWD_EPHEMERAL_DEFAULT);
	return fwd_ephemeral[side];
}

/**
 * fwd_listen_setup() - Open the configured sockets of one side
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index
 * @fp:		Configuration of that direction
 */
static void fwd_listen_setup(struct ctx *c, unsigned p, unsigned side,
			     const struct fwd_ports *fp)
{
	unsigned i, port, last;

	switch (fp->mode) {
	case FWD_SPEC:
		for (i = 0; i < fp->n_rules; i++) {
			const struct fwd_rule *r = &fp->rules[i];
			const union inany_addr *addr = NULL;

			if (r->af != AF_UNSPEC)
				addr = &r->addr;
			for (port = r->first; port <= r->last; port++) {
				uint16_t to = (uint16_t)(port - r->first +
							 r->to);

				if (fwd_port_excluded(fp, (uint16_t)port))
					continue;
				if (addr || *r->ifname ||
				    (side == FWD_HOST && !c->splice_only))
					fwd_listen_queue(c, p, side, addr,
							 r->ifname,
							 (uint16_t)port, to,
							 true);
				else
					fwd_listen_queue_port(c, p, side,
							      (uint16_t)port,
							      to, true);
			}
		}
		break;
	case FWD_ALL:
		last = fwd_ephemeral_start(c, side);
		for (port = 1; port < last; port++) {
			if (!fwd_port_excluded(fp, (uint16_t)port))
				fwd_listen_queue_port(c, p, side,
						      (uint16_t)port,
						      (uint16_t)port, false);
		}
		break;
	case FWD_UNSET:
	case FWD_NONE:
	case FWD_AUTO:		/* see fwd_listen_auto() */
		break;
	}
	fwd_listen_flush(c);
	fwd_listen_report(p, side);
}

/**
 * fwd_listen_auto() - Follow the other side's sockets on one side
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index of the sockets we open and close
 * @fp:		Configuration of that direction, FWD_AUTO
 */
static void fwd_listen_auto(struct ctx *c, unsigned p, unsigned side,
			    const struct fwd_ports *fp)
{
	unsigned other = side == FWD_HOST ? FWD_NS : FWD_HOST, b;
	const char *name = fwd_protos[p].name;
	unsigned ephemeral = NUM_PORTS;
	int rc;

	rc = fwd_scan(c, fwd_protos[p].proto, fwd_side_pif(other),
		      fwd_scan_map);
	if (rc) {
		warn_ratelimit("Couldn't scan %s ports%s: %s", name,
			       other == FWD_NS ? " in the namespace" : "",
			       strerror(-rc));
		return;
	}
	if (fwd_protos[p].proto == IPPROTO_UDP)
		ephemeral = fwd_ephemeral_start(c, other);

	for (b = 0; b < NUM_PORTS / 8; b++) {
		uint8_t want = fwd_scan_map[b] &
			       (uint8_t)~fwd_ours[p][other][b] &
			       (uint8_t)~fp->exclude[b];
		uint8_t have = fwd_ours[p][side][b];
		unsigned bit;

		if (!b)
			want &= (uint8_t)~1U;	/* port 0 */
		if (b * 8 >= ephemeral)
			want = 0;
		else if (b * 8 + 8 > ephemeral)
			want &= (uint8_t)((1U << (ephemeral - b * 8)) - 1);

		/* Ports no longer wanted may warn again if wanted later */
		fwd_warned[p][side][b] &= want;

		if (want == have)
			continue;
		for (bit = 0; bit < 8; bit++) {
			uint16_t port = (uint16_t)(b * 8 + bit);

			if ((have & ~want) & (1U << bit)) {
				debug("%s port %u%s: nothing on the other side, closing ours",
				      name, port, side == FWD_NS ?
				      " (namespace)" : "");
				fwd_listen_close(c, p, side, port);
			} else if ((want & ~have) & (1U << bit)) {
				debug("%s port %u%s: in use on the other side, forwarding",
				      name, port, side == FWD_NS ?
				      " (namespace)" : "");
				fwd_listen_queue_port(c, p, side, port, port,
						      false);
			}
		}
	}
	fwd_listen_flush(c);
	fwd_listen_report(p, side);
}

/**
 * fwd_listen_cfg() - Configuration of one protocol and side
 * @c:		Execution context
 * @p:		Protocol index
 * @side:	Side index
 *
 * Return: -t, -u, -T or -U configuration
 */
static const struct fwd_ports *fwd_listen_cfg(const struct ctx *c, unsigned p,
					      unsigned side)
{
	if (p == FWD_TCP)
		return side == FWD_HOST ? &c->fwd->tcp_in : &c->fwd->tcp_out;
	return side == FWD_HOST ? &c->fwd->udp_in : &c->fwd->udp_out;
}

/**
 * fwd_listen_enabled() - Is a protocol handled at all?
 * @c:		Execution context
 * @p:		Protocol index
 *
 * Return: false with --no-tcp or --no-udp
 */
static bool fwd_listen_enabled(const struct ctx *c, unsigned p)
{
	return p == FWD_TCP ? !c->no_tcp : !c->no_udp;
}

/**
 * fwd_listen_init() - Open the sockets of -t, -u, -T, -U, first scans
 * @c:		Execution context
 */
void fwd_listen_init(struct ctx *c)
{
	unsigned p;

	fwd_scan_init(c);
	/* Read now: once isolated, the daemon can't open /proc any more */
	fwd_ephemeral_start(c, FWD_HOST);
	if (c->mode == MODE_PASTA && c->pasta.netns_fd >= 0)
		fwd_ephemeral_start(c, FWD_NS);

	for (p = 0; p < ARRAY_SIZE(fwd_protos); p++) {
		if (!fwd_listen_enabled(c, p))
			continue;
		fwd_listen_setup(c, p, FWD_HOST, fwd_listen_cfg(c, p, FWD_HOST));
		if (c->mode != MODE_PASTA)
			continue;
		fwd_listen_setup(c, p, FWD_NS, fwd_listen_cfg(c, p, FWD_NS));
		if (fwd_listen_cfg(c, p, FWD_NS)->mode == FWD_AUTO)
			fwd_listen_auto(c, p, FWD_NS,
					fwd_listen_cfg(c, p, FWD_NS));
		if (fwd_listen_cfg(c, p, FWD_HOST)->mode == FWD_AUTO)
			fwd_listen_auto(c, p, FWD_HOST,
					fwd_listen_cfg(c, p, FWD_HOST));
	}
}

/**
 * fwd_listen_timer() - About once a second: re-arm paused listeners, and
 *			follow the other side for automatic forwarding
 * @c:		Execution context
 */
void fwd_listen_timer(struct ctx *c)
{
	unsigned i, p;

	for (i = 0; i < fwd_n_paused; i++) {
		const struct fwd_paused *fp = &fwd_paused[i];

		if (epoll_mod(c->epollfd, EPOLLIN, fp->ref))
			debug("Couldn't re-arm listener %d", fp->fd);
	}
	fwd_n_paused = 0;

	if (c->mode != MODE_PASTA)
		return;

	for (p = 0; p < ARRAY_SIZE(fwd_protos); p++) {
		if (!fwd_listen_enabled(c, p))
			continue;
		if (fwd_listen_cfg(c, p, FWD_HOST)->mode == FWD_AUTO)
			fwd_listen_auto(c, p, FWD_HOST,
					fwd_listen_cfg(c, p, FWD_HOST));
		if (fwd_listen_cfg(c, p, FWD_NS)->mode == FWD_AUTO)
			fwd_listen_auto(c, p, FWD_NS,
					fwd_listen_cfg(c, p, FWD_NS));
	}
}

/**
 * fwd_listen_pause() - Take a listener out of epoll until the next tick
 * @c:		Execution context
 * @ref:	Its epoll reference
 *
 * Return: true if paused, false if the paused list is full
 */
bool fwd_listen_pause(const struct ctx *c, union epoll_ref ref)
{
	unsigned i;

	for (i = 0; i < fwd_n_paused; i++) {
		if (fwd_paused[i].fd == ref.fd)
			return true;
	}
	if (fwd_n_paused == FWD_PAUSED_MAX)
		return false;
	if (epoll_mod(c->epollfd, 0, ref))
		return false;
	fwd_paused[fwd_n_paused].fd = ref.fd;
	fwd_paused[fwd_n_paused].ref = ref;
	fwd_n_paused++;
	return true;
}
