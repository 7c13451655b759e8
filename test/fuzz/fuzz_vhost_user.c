// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_vhost_user.c - libFuzzer harness for the vhost-user message parser
 *
 * The frontend's messages arrive on a UNIX socket, with descriptors: the
 * harness plays the frontend on the other end of a socket pair, writes
 * the input there as messages, with descriptors of a memfd of its own
 * attached (an eventfd's, for SET_VRING_KICK, _CALL and _ERR), and lets vhost_user.c take them until it closes the
 * connection (end of input at the latest: our end is shut for writing).
 *
 * Input layout: records of
 *
 *	byte 0		number of descriptors to attach, modulo 9; or 0xff:
 *			the record is guest memory, see below
 *	bytes 1-2	length L, little-endian
 *	then		L bytes, written with one sendmsg(): any number of
 *			messages or parts of them (headers are 12 bytes:
 *			request, flags, payload size, each 32-bit
 *			little-endian; flags 0x1 is a version 1 request);
 *			for guest memory: a 16-bit offset in 16-byte units,
 *			then bytes written there into the memfd (rings,
 *			descriptors, frames)
 *
 * After each record, the messages that arrived are handled, then, with
 * the transmit queue running, a kick on it (frames go to tap.c), and a
 * frame for the guest (receive path).
 *
 * What is checked: the connection always ends (bounded number of
 * handler calls), and when it has, nothing of it is left: no descriptor
 * more open than before (every one received was closed or kept and then
 * closed), no memory mapped, no queue state. Any access outside guest
 * memory's mapping faults.
 *
 * vhost_user.c is included; tap.c and the link services are linked, with
 * pcap stubbed out as in fuzz_frames.
 */

#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <dirent.h>

#include "../../vhost_user.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMFD_SIZE		(1 << 20)
#define FUZZ_CALLS_MAX		4096

static struct ctx fuzz_c;
static int fuzz_memfd = -1;
static int fuzz_eventfd = -1;
static int fuzz_listen = -1;	/* stands for the listening socket */

/**
 * pcap_frame() - Stub
 * @frame:	Unused
 * @len:	Unused
 */
void pcap_frame(const void *frame, size_t len)
{
	(void)frame;
	(void)len;
}

/**
 * pcap_iov() - Stub
 * @iov:	Unused
 * @n:		Unused
 */
void pcap_iov(const struct iovec *iov, size_t n)
{
	(void)iov;
	(void)n;
}

/**
 * pcap_init() - Stub, unused
 * @path:	Unused
 *
 * Return: 0
 */
int pcap_init(const char *path)
{
	(void)path;
	return 0;
}

/**
 * fuzz_fd_count() - Number of descriptors we have open
 *
 * Return: count
 */
static unsigned fuzz_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	FUZZ_CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/**
 * LLVMFuzzerInitialize() - Context, epoll, the memfd we share
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	if (getenv("FUZZ_VERBOSE"))
		log_to_stderr(true);
	fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
	fuzz_c.mode = MODE_PASST;
	fuzz_c.vhost_user = true;
	fuzz_c.fd_tap = -1;
	fuzz_c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_CHECK(fuzz_c.epollfd >= 0);
	/* Not listening: only so that a departing frontend isn't an exit */
	fuzz_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(fuzz_listen >= 0);
	fuzz_c.fd_tap_listen = fuzz_listen;
	fuzz_memfd = memfd_create("fuzz_vhost_user", MFD_CLOEXEC);
	FUZZ_CHECK(fuzz_memfd >= 0 && !ftruncate(fuzz_memfd, FUZZ_MEMFD_SIZE));
	fuzz_eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	FUZZ_CHECK(fuzz_eventfd >= 0);
	return 0;
}

/**
 * fuzz_send() - Write one record, with its descriptors
 * @s:		Our end
 * @p:		Bytes
 * @len:	Length
 * @nfds:	Descriptors to attach (copies of the memfd)
 *
 * Return: false if the socket doesn't take it (passt closed already)
 */
static bool fuzz_send(int s, const uint8_t *p, size_t len, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)(uintptr_t)p, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[8], fd = fuzz_memfd;
	uint32_t req = 0;
	unsigned i;

	if (!len)
		return true;	/* descriptors need at least a byte */
	/* Kick and call descriptors are eventfds (epoll takes no memfd) */
	memcpy(&req, p, len < sizeof(req) ? len : sizeof(req));
	if (req >= VU_SET_VRING_KICK && req <= VU_SET_VRING_ERR)
		fd = fuzz_eventfd;
	for (i = 0; i < nfds; i++)
		fds[i] = fd;
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(s, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

/**
 * fuzz_datapath() - A kick on the transmit queue, a frame to the guest
 */
static void fuzz_datapath(void)
{
	static uint8_t frame[1514] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct timespec now = { 0 };
	struct iovec iov[2] = { { frame, 60 }, { frame + 60, 1454 } };
	struct vu_queue *q = &vu.q[VHOST_USER_TX];

	if (fuzz_c.fd_tap >= 0 && q->kick >= 0)
		vhost_user_kick_handler(&fuzz_c,
					epoll_ref_make(EPOLL_TYPE_VHOST_KICK,
						       q->kick, VHOST_USER_TX),
					&now);
	if (fuzz_c.fd_tap >= 0)
		vhost_user_send(&fuzz_c, iov, 2, 1, 0);
}

/**
 * fuzz_handle() - Handle whatever complete messages arrived
 * @peer:	Our end, drained of replies
 * @calls:	Handler calls so far, updated
 */
static void fuzz_handle(int peer, unsigned *calls)
{
	char drain[4096];
	int avail = 0;

	while (fuzz_c.fd_tap >= 0 && *calls < FUZZ_CALLS_MAX &&
	       !ioctl(fuzz_c.fd_tap, FIONREAD, &avail) && avail > 0) {
		vhost_user_handler(&fuzz_c, EPOLLIN);
		(*calls)++;
		while (recv(peer, drain, sizeof(drain), MSG_DONTWAIT) > 0)
			;
	}
}

/**
 * LLVMFuzzerTestOneInput() - One frontend connection
 * @data:	Input, see the layout above
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned before = fuzz_fd_count(), calls = 0, i;
	char drain[4096];
	size_t off = 0;
	int sv[2];

	/* Fresh guest memory, zero, for every input */
	FUZZ_CHECK(!ftruncate(fuzz_memfd, 0) &&
		   !ftruncate(fuzz_memfd, FUZZ_MEMFD_SIZE) &&
		   !lseek(fuzz_memfd, 0, SEEK_SET));
	FUZZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	vhost_user_accept(&fuzz_c, sv[0]);
	FUZZ_CHECK(fuzz_c.fd_tap == sv[0]);

	while (off + 3 <= size) {
		unsigned nfds = data[off] % 9;
		size_t len = (size_t)(data[off + 1] | data[off + 2] << 8);

		off += 3;
		if (len > size - off)
			len = size - off;
		if (data[off - 3] == 0xff) {
			if (len >= 2 &&
			    pwrite(fuzz_memfd, data + off + 2, len - 2,
				   (off_t)(data[off] | data[off + 1] << 8) *
				   16) < 0)
				break;
		} else if (!fuzz_send(sv[1], data + off, len, nfds)) {
			break;
		}
		off += len;
		fuzz_handle(sv[1], &calls);
		fuzz_datapath();
	}
	shutdown(sv[1], SHUT_WR);

	for (; fuzz_c.fd_tap >= 0 && calls < FUZZ_CALLS_MAX; calls++) {
		vhost_user_handler(&fuzz_c, EPOLLIN);
		while (recv(sv[1], drain, sizeof(drain), MSG_DONTWAIT) > 0)
			;
	}
	FUZZ_CHECK(fuzz_c.fd_tap < 0);
	close(sv[1]);

	FUZZ_CHECK(!vu.mem.n);
	for (i = 0; i < VHOST_USER_QUEUES; i++)
		FUZZ_CHECK(vu.q[i].kick < 0 && vu.q[i].call < 0 &&
			   !vu.q[i].vq.size && !vu.q[i].started);
	FUZZ_CHECK(fuzz_fd_count() == before);
	return 0;
}
