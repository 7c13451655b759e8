// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_scan.c - which ports have listening (or bound) sockets, per side
 *
 * Theory of operation: automatic forwarding (-t auto, -T auto, and the
 * same for UDP) follows the sockets of the other side, so we need to know
 * which ports have a listening TCP socket, or a bound unconnected UDP
 * socket, in the host's namespace and in pasta's namespace. The kernel
 * says so in /proc/net/{tcp,tcp6,udp,udp6}. Those files describe the
 * network namespace of the process that opened them, and an open
 * descriptor keeps describing that namespace: so at start-up we open the
 * host's four files directly and the namespace's four from a clone inside
 * it (ns_call()), keep the eight descriptors, and each scan rewinds and
 * re-reads them.
 *
 * A scan reads through one fixed buffer, a line at a time, and sets the
 * bit of each local port whose state is LISTEN (0A) for TCP, or CLOSE
 * (07: bound, not connected) for UDP. Nothing is allocated.
 *
 * Where the kernel has it, a scan asks NETLINK_SOCK_DIAG instead, for the
 * sockets in the one state we want (inet_diag, filtered by the kernel):
 * for TCP that walks only the listening sockets, not the established
 * ones, so a scan costs a few microseconds however many connections there
 * are, and auto forwarding idles at no measurable CPU. The netlink sockets
 * are opened at start, one per side (the namespace's from ns_call(), so it
 * asks about that namespace); a protocol whose dump fails there (no
 * udp_diag, say) keeps the files for good.
 *
 * Limits of the files: they list every socket, connected ones too, so a
 * host with a very large number of connections makes a scan expensive: it
 * is cut at FWD_SCAN_MAX_BYTES and reported as failed, and callers then
 * keep what they had rather than act on a partial list. Even an empty
 * file costs a walk of the kernel's whole established-socket hash (about
 * 5 ms per TCP file with 256k buckets, measured): some 2% of a CPU for a
 * pasta with -t auto and -T auto, which the netlink path avoids.
 * A family whose file is missing (IPv6 disabled) is simply not scanned.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "flow.h"
#include "netns.h"
#include "fwd_scan.h"

#define FWD_SCAN_BUF_SIZE	(64 * 1024)
#define FWD_SCAN_MAX_BYTES	(64UL * 1024 * 1024)
/* Reads of one netlink dump, at most: 64 KiB each, a million sockets */
#define FWD_DIAG_ROUNDS_MAX	4096

#define FWD_SCAN_TCP_LISTEN	0x0a	/* TCP_LISTEN in the kernel */
#define FWD_SCAN_UDP_UNCONN	0x07	/* TCP_CLOSE, as used by UDP */

/* Index of a side, protocol and family in fwd_scan_fd */
#define FWD_SCAN_HOST		0
#define FWD_SCAN_NS		1
#define FWD_SCAN_TCP		0
#define FWD_SCAN_UDP		1

/* File of each protocol and family, [FWD_SCAN_TCP/UDP][0: IPv4, 1: IPv6] */
static const char *const fwd_scan_path[2][2] = {
	/* thread-self: /proc/net follows the main thread's namespace, and
	 * the namespace side is opened from ns_call()'s thread
	 */
	{ "/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6" },
	{ "/proc/thread-self/net/udp", "/proc/thread-self/net/udp6" },
};

/* Open files: [side][protocol][family], -1 if not open */
static int fwd_scan_fd[2][2][2] = {
	{ { -1, -1 }, { -1, -1 } },
	{ { -1, -1 }, { -1, -1 } },
};
static bool fwd_scan_opened;

static char fwd_scan_buf[FWD_SCAN_BUF_SIZE] __attribute__((aligned(8)));

/* NETLINK_SOCK_DIAG socket of each side, -1 if none; [side][protocol]:
 * its dumps work (probed once at start)
 */
static int fwd_diag_fd[2] = { -1, -1 };
static bool fwd_diag_ok[2][2];
static uint32_t fwd_diag_seq;

/**
 * fwd_diag_open() - Open a NETLINK_SOCK_DIAG socket in the namespace we run
 * @arg:	int for the descriptor, -1 on failure
 *
 * Runs in a clone inside pasta's namespace (ns_call()), or directly for
 * the host: it must not log. The socket answers about the namespace it
 * was made in, wherever it's used from.
 *
 * Return: 0
 */
static int fwd_diag_open(void *arg)
{
	struct timeval tv = { .tv_sec = 1 };
	int *fd = arg;

	/* #syscalls:setup socket setsockopt */
	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	/* A dump is made while we read it: a reply never waits for anyone,
	 * but don't hang if the kernel thinks otherwise
	 */
	if (*fd >= 0)
		setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/**
 * fwd_diag_dump() - Ports of one family's sockets in some states, by netlink
 * @fd:		NETLINK_SOCK_DIAG socket
 * @family:	AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @states:	Bit (1 << state) of each socket state to list
 * @map:	Bitmap to add the local ports to
 *
 * Return: 0 on success, -errno on failure (the dump is incomplete)
 */
static int fwd_diag_dump(int fd, uint8_t family, uint8_t proto,
			 uint32_t states, uint8_t map[static NUM_PORTS / 8])
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++fwd_diag_seq,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = proto,
			.idiag_states = states,
		},
	};
	unsigned rounds;

	/* #syscalls send sendto */
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;

	for (rounds = 0; rounds < FWD_DIAG_ROUNDS_MAX; rounds++) {
		const struct nlmsghdr *nh;
		size_t len;
		ssize_t n;

		/* #syscalls recv recvfrom */
		n = recv(fd, fwd_scan_buf, sizeof(fwd_scan_buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		len = (size_t)n;
		for (nh = (const struct nlmsghdr *)(void *)fwd_scan_buf;
		     NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			const struct inet_diag_msg *d = NLMSG_DATA(nh);

			if (nh->nlmsg_seq != fwd_diag_seq)
				continue;	/* an older dump's rest */
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
				continue;
			fwd_bitmap_set(map, ntohs(d->id.idiag_sport));
		}
	}
	return -EFBIG;
}

/**
 * fwd_diag_scan() - Ports of one side and protocol, both families, by
 *		     netlink
 * @side:	FWD_SCAN_HOST or FWD_SCAN_NS
 * @p:		FWD_SCAN_TCP or FWD_SCAN_UDP
 * @map:	Bitmap to add to
 *
 * Return: 0 on success, -errno on failure
 */
static int fwd_diag_scan(unsigned side, unsigned p,
			 uint8_t map[static NUM_PORTS / 8])
{
	uint8_t proto = p == FWD_SCAN_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	uint32_t states = 1U << (p == FWD_SCAN_TCP ? FWD_SCAN_TCP_LISTEN :
						     FWD_SCAN_UDP_UNCONN);
	int rc;

	rc = fwd_diag_dump(fwd_diag_fd[side], AF_INET, proto, states, map);
	if (!rc && fwd_scan_fd[side][p][1] >= 0)	/* IPv6 there */
		rc = fwd_diag_dump(fwd_diag_fd[side], AF_INET6, proto, states,
				   map);
	return rc;
}

/**
 * fwd_diag_feature() - Say in the statistics how a side's ports are found
 * @side:	FWD_SCAN_HOST or FWD_SCAN_NS
 */
static void fwd_diag_feature(unsigned side)
{
	static const char *const how[2][2] = {
		{ "/proc/net (TCP, UDP)",
		  "/proc/net for TCP, netlink for UDP" },
		{ "netlink for TCP, /proc/net for UDP",
		  "netlink sock_diag (TCP, UDP)" },
	};

	stats_feature(side == FWD_SCAN_HOST ? "port scan: host" :
					      "port scan: namespace",
		      how[fwd_diag_ok[side][FWD_SCAN_TCP]]
			 [fwd_diag_ok[side][FWD_SCAN_UDP]]);
}

/**
 * fwd_diag_probe() - Open a side's netlink socket, see which protocols
 *		      it can dump
 * @side:	FWD_SCAN_HOST or FWD_SCAN_NS
 */
static void fwd_diag_probe(unsigned side)
{
	static uint8_t map[NUM_PORTS / 8];
	unsigned p;

	if (fwd_diag_fd[side] < 0) {
		fwd_diag_feature(side);
		return;
	}
	for (p = 0; p < 2; p++)
		fwd_diag_ok[side][p] = !fwd_diag_scan(side, p, map);
	if (!fwd_diag_ok[side][FWD_SCAN_TCP] &&
	    !fwd_diag_ok[side][FWD_SCAN_UDP]) {
		close(fwd_diag_fd[side]);
		fwd_diag_fd[side] = -1;
	}
	fwd_diag_feature(side);
}


/**
 * fwd_scan_open() - Open the four files of the namespace we run in
 * @arg:	int [2][2] for the descriptors, set to -1 where opening failed
 *
 * Runs in a clone inside pasta's namespace (ns_call()), or directly for
 * the host: it must not log.
 *
 * Return: 0
 */
static int fwd_scan_open(void *arg)
{
	int (*fds)[2] = arg;
	unsigned p, f;

	for (p = 0; p < 2; p++) {
		for (f = 0; f < 2; f++) {
			/* #syscalls:setup openat */
			fds[p][f] = open(fwd_scan_path[p][f],
					 O_RDONLY | O_CLOEXEC);
		}
	}
	return 0;
}

/**
 * fwd_scan_init() - Open the files of the host, and of the namespace for
 *		     pasta; safe to call more than once
 * @c:		Execution context
 *
 * Must run before privileges are dropped. A file that can't be opened
 * leaves its family unscanned, with a warning for the host's IPv4 files,
 * which always exist.
 */
void fwd_scan_init(const struct ctx *c)
{
	int rc;

	if (fwd_scan_opened)
		return;
	fwd_scan_opened = true;

	fwd_scan_open(fwd_scan_fd[FWD_SCAN_HOST]);
	fwd_diag_open(&fwd_diag_fd[FWD_SCAN_HOST]);
	fwd_diag_probe(FWD_SCAN_HOST);
	if (fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_TCP][0] < 0 ||
	    fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_UDP][0] < 0)
		warn("Couldn't open /proc/net/tcp or /proc/net/udp: automatic port forwarding won't see host sockets");

	if (c->mode != MODE_PASTA)
		return;

	rc = ns_call(c->pasta.netns_fd, fwd_scan_open, fwd_scan_fd[FWD_SCAN_NS]);
	if (!ns_call(c->pasta.netns_fd, fwd_diag_open, &fwd_diag_fd[FWD_SCAN_NS]))
		fwd_diag_probe(FWD_SCAN_NS);
	if (rc ||
	    fwd_scan_fd[FWD_SCAN_NS][FWD_SCAN_TCP][0] < 0 ||
	    fwd_scan_fd[FWD_SCAN_NS][FWD_SCAN_UDP][0] < 0)
		warn("Couldn't open /proc/net files in the namespace%s%s: automatic port forwarding won't see its sockets",
		     rc ? ": " : "", rc ? strerror(-rc) : "");
}

/**
 * fwd_scan_hex() - Parse a hexadecimal field
 * @s:		Start
 * @end:	End of the field, exclusive
 * @v:		Value, set on success
 *
 * Return: 0 on success, -1 if empty, too long or not hexadecimal
 */
static int fwd_scan_hex(const char *s, const char *end, unsigned *v)
{
	unsigned r = 0;

	if (s >= end || end - s > 8)
		return -1;
	for (; s < end; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		r = r << 4 | d;
	}
	*v = r;
	return 0;
}

/**
 * fwd_scan_field() - Find the next whitespace-separated field of a line
 * @p:		Where to start, updated to the end of the field
 * @end:	End of the line
 * @start:	Start of the field
 *
 * Return: 0 if a field was found, -1 at the end of the line
 */
static int fwd_scan_field(const char **p, const char *end, const char **start)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return -1;
	*start = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return 0;
}

/**
 * fwd_scan_line() - Parse one line of /proc/net/{tcp,udp}[6]
 * @line:	Line, without its newline
 * @end:	End of the line
 * @state:	Socket state to look for
 * @map:	Bitmap to set the local port in
 *
 * A line is "sl: local_addr:port remote_addr:port st ...", addresses,
 * ports and state in hexadecimal. The header line, and anything else that
 * doesn't parse, is skipped.
 */
static void fwd_scan_line(const char *line, const char *end, unsigned state,
			  uint8_t map[static NUM_PORTS / 8])
{
	const char *p = line, *sl, *local, *local_end, *remote, *st, *port;
	unsigned v;

	if (fwd_scan_field(&p, end, &sl) ||
	    fwd_scan_field(&p, end, &local))
		return;
	local_end = p;
	if (fwd_scan_field(&p, end, &remote) ||
	    fwd_scan_field(&p, end, &st))
		return;

	/* p is now the end of the state field */
	if (fwd_scan_hex(st, p, &v) || v != state)
		return;

	/* Local port: after the ':' that ends the local address */
	for (port = local_end; port > local && port[-1] != ':'; port--)
		;
	if (port == local || fwd_scan_hex(port, local_end, &v) ||
	    v >= NUM_PORTS || !v)
		return;
	fwd_bitmap_set(map, (uint16_t)v);
}

/**
 * fwd_scan_file() - Read one file from its start, set the bits of ports in
 *		     a given state
 * @fd:		Open file
 * @state:	State to look for
 * @map:	Bitmap to add to
 *
 * Return: 0 on success, -errno on failure, -EFBIG if the file is larger
 *	   than FWD_SCAN_MAX_BYTES
 */
static int fwd_scan_file(int fd, unsigned state,
			 uint8_t map[static NUM_PORTS / 8])
{
	size_t len = 0, total = 0;
	bool skip_line = false;

	/* #syscalls lseek _llseek */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;

	for (;;) {
		size_t start = 0;
		const char *nl;
		ssize_t n;

		/* #syscalls read */
		n = read(fd, fwd_scan_buf + len, sizeof(fwd_scan_buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;	/* a last line without newline is cut: skip */

		total += (size_t)n;
		if (total > FWD_SCAN_MAX_BYTES)
			return -EFBIG;
		len += (size_t)n;

		while ((nl = memchr(fwd_scan_buf + start, '\n', len - start))) {
			if (!skip_line)
				fwd_scan_line(fwd_scan_buf + start, nl, state,
					      map);
			skip_line = false;
			start = (size_t)(nl - fwd_scan_buf) + 1;
		}

		memmove(fwd_scan_buf, fwd_scan_buf + start, len - start);
		len -= start;
		if (len == sizeof(fwd_scan_buf)) {
			/* Line longer than the buffer: not ours to parse */
			skip_line = true;
			len = 0;
		}
	}
	return 0;
}

/**
 * fwd_scan() - Find the ports with sockets listening (TCP) or bound and not
 *		connected (UDP), on one side
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pif:	PIF_HOST for the host's namespace, PIF_SPLICE for pasta's
 * @map:	Bitmap, cleared, then set for every such port (either family)
 *
 * Return: 0 on success, -errno if a file couldn't be read whole: @map is
 *	   then incomplete and mustn't be acted on
 */
int fwd_scan(const struct ctx *c, uint8_t proto, uint8_t pif,
	     uint8_t map[static NUM_PORTS / 8])
{
	unsigned side, p, f, state;

	memset(map, 0, NUM_PORTS / 8);

	if (pif == PIF_HOST)
		side = FWD_SCAN_HOST;
	else if (pif == PIF_SPLICE && c->mode == MODE_PASTA)
		side = FWD_SCAN_NS;
	else
		return -EINVAL;

	if (proto == IPPROTO_TCP) {
		p = FWD_SCAN_TCP;
		state = FWD_SCAN_TCP_LISTEN;
	} else if (proto == IPPROTO_UDP) {
		p = FWD_SCAN_UDP;
		state = FWD_SCAN_UDP_UNCONN;
	} else {
		return -EINVAL;
	}

	if (fwd_diag_ok[side][p])
		return fwd_diag_scan(side, p, map);

	for (f = 0; f < 2; f++) {
		int fd = fwd_scan_fd[side][p][f], rc;

		if (fd < 0)
			continue;
		rc = fwd_scan_file(fd, state, map);
		if (rc)
			return rc;
	}
	return 0;
}
