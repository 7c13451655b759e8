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
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#include "util.h"
#include "log.h"
#include "vsock.h"

/* Longest request we wait for: gvisor-tap-vsock's is one line and a few
 * headers
 */
#define VSOCK_REQUEST_MAX	4096
#define VSOCK_REQUEST_START	"POST /connect"

static char vsock_req[VSOCK_REQUEST_MAX];
static size_t vsock_req_len;

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
