// SPDX-License-Identifier: GPL-2.0-or-later
/* vsock.c - AF_VSOCK for guests, and the connection request of gvproxy's
 *	     framing
 *
 * Theory of operation
 *
 * Some VM stacks carry a guest's Ethernet frames over AF_VSOCK rather than
 * a virtio-net device: a forwarder in the guest (gvisor-tap-vsock's, or
 * our vsock-tap) reads a tap device there and connects to the host's CID.
 * With --vsock-port, passt listens on AF_VSOCK instead of a UNIX socket;
 * the connection it accepts is then a stream backend like QEMU's socket
 * (tap.c), one guest at a time, with the framing --framing chose.
 *
 * gvproxy's framing starts with an HTTP/1.1 request, "POST /connect"
 * and its headers up to a blank line, which is answered with nothing:
 * frames follow at once, in both directions. vsock_request_read() takes
 * that request off the socket without taking a byte after it (it peeks,
 * then reads no further than the blank line), so that the frames behind
 * it go through the stream path untouched. A request that is not one, or
 * longer than VSOCK_REQUEST_MAX, ends the connection.
 *
 * Zero-copy receive: a kernel with the posted (never merged) interface
 * for it maps received data into a mapping of the socket instead of
 * copying it: SO_VM_SOCKETS_ZEROCOPY set on the listener before listen()
 * (accepted sockets inherit it), mmap() of the connected socket, then per
 * batch getsockopt(SO_VM_SOCKETS_MAP_RX) with the mapping's address, which
 * fills it: a header page, {poll_value, hdr_num} and then {length, flags}
 * per packet (length 0 ends the list), and the packets' data, each from a
 * page of its own. tap.c cuts frames out of those pieces where they lie,
 * and we release the pages (madvise(MADV_DONTNEED)) before the next
 * getsockopt(). Mainline has no such thing: the setsockopt() or the
 * mmap() fails (ENOPROTOOPT, ENODEV), and we read, once said so. Our test
 * kernel implements it for vsock loopback (test/kernel/).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "vsock.h"

/* Longest request we wait for: gvisor-tap-vsock's is one line and a few
 * headers
 */
#define VSOCK_REQUEST_MAX	4096
#define VSOCK_REQUEST_START	"POST /connect"

static char vsock_req[VSOCK_REQUEST_MAX];
static size_t vsock_req_len;

/* Zero-copy receive: AF_VSOCK options of the posted interface, and our
 * mapping: its header page and VSOCK_RX_PIECES data pages
 */
#define SO_VM_SOCKETS_MAP_RX_	9
#define SO_VM_SOCKETS_ZEROCOPY_	10
#define VSOCK_PAGE		4096UL
#define VSOCK_MAP_LEN		((VSOCK_RX_PIECES + 1) * VSOCK_PAGE)

/**
 * struct vsock_rx_req - Argument of the getsockopt() that maps
 * @addr:		Start of our mapping
 * @bytes:		Set by the kernel: bytes mapped (and consumed)
 * @packets:		Packet entries in the header page
 * @pages_mapped:	Data pages that are the socket's own (zero copy)
 * @pages_copied:	Data pages the kernel copied data into
 *
 * Our test kernel's extension of the posting, which passes the address
 * alone (8 bytes): with that, the counts aren't there
 */
struct vsock_rx_req {
	uint64_t addr;
	uint32_t bytes;
	uint32_t packets;
	uint32_t pages_mapped;
	uint32_t pages_copied;
};

/**
 * struct vsock_rx_hdr - Start of the header page
 * @poll_value:	Set by the kernel (data left to map, as the posting has it)
 * @hdr_num:	Packet entries that follow
 */
struct vsock_rx_hdr {
	uint32_t poll_value;
	uint32_t hdr_num;
};

/**
 * struct vsock_rx_pkt - One packet mapped
 * @length:	Its data bytes, from the next unused data page on; 0 ends
 * @flags:	Its flags (message bounds, for SOCK_SEQPACKET)
 */
struct vsock_rx_pkt {
	uint32_t length;
	uint32_t flags;
};

static bool vsock_rx_zc;		/* the listener took the option */
static uint8_t *vsock_rx_area;		/* mapping of the connection, or NULL */
static bool vsock_rx_filled;		/* pages mapped into it, to release */

/**
 * vsock_rx_probe() - Ask for zero-copy receive on the listener, if wanted
 * @c:		Execution context
 * @fd:		Listening socket, before listen()
 */
static void vsock_rx_probe(const struct ctx *c, int fd)
{
	int one = 1;

	if (c->vsock_zc_rx_off) {
		stats_feature("vsock: zero-copy receive", "off "
			      "(--vsock-zerocopy-rx off)");
		return;
	}
	/* #syscalls:setup setsockopt */
	vsock_rx_zc = !setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY_, &one,
				  sizeof(one));
	if (vsock_rx_zc)
		stats_feature("vsock: zero-copy receive", "asked for "
			      "(SO_VM_SOCKETS_ZEROCOPY taken)");
	else
		stats_feature("vsock: zero-copy receive", errno == ENOPROTOOPT ?
			      "not in this kernel (ENOPROTOOPT), reading" :
			      "refused by the kernel, reading");
}

/**
 * vsock_rx_attach() - A guest connected: map its socket for receiving
 * @fd:		Connected socket
 */
void vsock_rx_attach(int fd)
{
	void *p;

	if (!vsock_rx_zc)
		return;
	/* #syscalls:passt mmap mmap2 */
	p = mmap(NULL, VSOCK_MAP_LEN, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		static bool said;

		if (!said)
			info("vsock: no zero-copy receive, mmap() on the "
			     "socket: %s; reading", strerror(errno));
		said = true;
		stats_inc(STAT_VSOCK_RX_NOMAP);
		return;
	}
	vsock_rx_area = p;
	vsock_rx_filled = false;
}

/**
 * vsock_rx_detach() - The guest's connection ends: drop its mapping
 */
void vsock_rx_detach(void)
{
	if (!vsock_rx_area)
		return;
	/* #syscalls:passt munmap */
	munmap(vsock_rx_area, VSOCK_MAP_LEN);
	vsock_rx_area = NULL;
}

/**
 * vsock_rx_mapping() - Does the connection receive through a mapping?
 *
 * Return: true if it does
 */
bool vsock_rx_mapping(void)
{
	return vsock_rx_area;
}

/**
 * vsock_rx_map() - Have the kernel map what the socket received
 * @fd:		Connected socket
 * @pieces:	Set to the data of each packet mapped, in order
 * @np:		Set to the number of pieces
 * @why:	Set to the reason, for a return value below zero
 *
 * Return: 1 with pieces to cut frames from (release them with
 *	   vsock_rx_unmap() once handled), 0 if nothing was mapped (read the
 *	   socket instead: nothing there, or the end of the stream), -1 if
 *	   the connection has to end
 */
int vsock_rx_map(int fd, struct iovec *pieces, size_t *np, const char **why)
{
	struct vsock_rx_req r = { .addr = (uintptr_t)vsock_rx_area };
	const struct vsock_rx_pkt *pk;
	socklen_t len = sizeof(r);
	struct vsock_rx_hdr h;
	size_t page = 1, i, max;

	*np = 0;
	vsock_rx_unmap();
	/* #syscalls:passt getsockopt */
	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_MAP_RX_, &r, &len)) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		*why = strerror(errno);
		return -1;
	}
	vsock_rx_filled = true;
	memcpy(&h, vsock_rx_area, sizeof(h));
	pk = (const struct vsock_rx_pkt *)(const void *)(vsock_rx_area +
							 sizeof(h));
	max = MIN((size_t)h.hdr_num,
		  (VSOCK_PAGE - sizeof(h)) / sizeof(*pk));
	for (i = 0; i < max && pk[i].length; i++) {
		size_t n = (pk[i].length + VSOCK_PAGE - 1) / VSOCK_PAGE;

		/* The kernel is trusted, but not to be perfect */
		if (page + n > VSOCK_RX_PIECES + 1 || *np >= VSOCK_RX_PIECES) {
			*why = "zero-copy receive: mapping out of bounds";
			return -1;
		}
		pieces[*np].iov_base = vsock_rx_area + page * VSOCK_PAGE;
		pieces[(*np)++].iov_len = pk[i].length;
		page += n;
	}
	if (*np) {
		stats_inc(STAT_VSOCK_RX_MAPS);
		if (len == sizeof(r)) {
			stats_add(STAT_VSOCK_RX_PAGES, r.pages_mapped);
			stats_add(STAT_VSOCK_RX_COPIED, r.pages_copied);
		}
	}
	return *np ? 1 : 0;
}

/**
 * vsock_rx_unmap() - Give the pages of the last mapping back
 */
void vsock_rx_unmap(void)
{
	if (!vsock_rx_area || !vsock_rx_filled)
		return;
	/* #syscalls:passt madvise */
	madvise(vsock_rx_area, VSOCK_MAP_LEN, MADV_DONTNEED);
	vsock_rx_filled = false;
}

/**
 * vsock_listen() - Create the listening AF_VSOCK socket
 * @c:		Execution context
 */
void vsock_listen(struct ctx *c)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK,
		.svm_port = c->vsock_port,
		.svm_cid = c->vsock_cid,
	};
	int fd;

	/* #syscalls:setup socket bind listen */
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_perror("Couldn't create an AF_VSOCK socket (no vsock "
			   "transport on this host?)");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die_perror("Couldn't bind AF_VSOCK port %u on CID %d",
			   c->vsock_port, (int)c->vsock_cid);
	vsock_rx_probe(c, fd);
	/* One guest at a time: a second one is accepted and closed */
	if (listen(fd, 1))
		die_perror("Couldn't listen on AF_VSOCK port %u",
			   c->vsock_port);
	if (fd > EPOLL_REF_FD_MAX)
		die("AF_VSOCK socket descriptor %d too large", fd);

	c->fd_tap_listen = fd;
	info("Listening on AF_VSOCK port %u (CID %s), %s framing",
	     c->vsock_port, c->vsock_cid == VMADDR_CID_ANY ? "any" : "given",
	     c->framing == TAP_FRAMING_GVPROXY ? "gvproxy" : "qemu");
	info("In the guest: vsock-tap --port %u%s, or gvforwarder",
	     c->vsock_port,
	     c->framing == TAP_FRAMING_GVPROXY ? "" : " --framing qemu");
}

/**
 * vsock_request_reset() - A new connection: no request seen yet
 */
void vsock_request_reset(void)
{
	vsock_req_len = 0;
}

/**
 * vsock_request_end() - Find the blank line that ends the request
 * @from:	Offset to search from
 * @to:		End of the bytes to search
 *
 * Return: offset just past the blank line, or 0 if it's not there
 */
static size_t vsock_request_end(size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (vsock_req[i] != '\n')
			continue;
		if (i >= 1 && vsock_req[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && vsock_req[i - 1] == '\r' &&
		    vsock_req[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

/**
 * vsock_request_read() - Take the connection request of gvproxy's framing
 * @fd:		Connected socket
 * @why:	Set to the reason, for a return value below zero
 *
 * Return: 1 once the request is complete (the next byte is a frame's),
 *	   0 if more of it has to come, -1 if the connection has to end
 */
int vsock_request_read(int fd, const char **why)
{
	size_t room = sizeof(vsock_req) - vsock_req_len, from, end, take;
	ssize_t n;

	/* #syscalls:passt recvfrom recv */
	n = recv(fd, vsock_req + vsock_req_len, room, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0) {
		*why = "end of stream in its connection request";
		return -1;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		*why = strerror(errno);
		return -1;
	}

	from = vsock_req_len > 2 ? vsock_req_len - 2 : 0;
	end = vsock_request_end(from, vsock_req_len + (size_t)n);
	take = end ? end - vsock_req_len : (size_t)n;

	/* What we peeked is there: this takes no more than that */
	n = recv(fd, vsock_req + vsock_req_len, take, MSG_DONTWAIT);
	if (n < 0) {
		*why = strerror(errno);
		return -1;
	}
	vsock_req_len += (size_t)n;
	if ((size_t)n < take || !end) {
		if (vsock_req_len < sizeof(vsock_req))
			return 0;
		warn_ratelimit("Guest's connection request is longer than "
			       "%u bytes: closing", VSOCK_REQUEST_MAX);
		*why = "connection request too long";
		return -1;
	}

	if (strncmp(vsock_req, VSOCK_REQUEST_START,
		    strlen(VSOCK_REQUEST_START)) != 0) {
		char line[65];
		size_t i;

		/* The guest's bytes, printable ones only, into our log */
		for (i = 0; i < sizeof(line) - 1 && i < vsock_req_len &&
			    vsock_req[i] != '\r' && vsock_req[i] != '\n'; i++)
			line[i] = vsock_req[i] >= ' ' && vsock_req[i] <= '~' ?
				  vsock_req[i] : '?';
		line[i] = '\0';
		warn_ratelimit("Guest's connection request is not '%s ...': "
			       "'%s', closing", VSOCK_REQUEST_START, line);
		*why = "not a connection request";
		return -1;
	}
	debug("Guest's connection request: %zu bytes", vsock_req_len);
	return 1;
}
