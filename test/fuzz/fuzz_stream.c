// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_stream.c - libFuzzer harness for the stream backend's framing
 *
 * passt talks to QEMU over a UNIX stream socket, each frame preceded by
 * its length as a 4-byte big-endian number, or to a guest's forwarder in
 * gvproxy's framing (an HTTP request, POST /connect, up to a blank line,
 * then 2-byte little-endian lengths): tap_handler_passt() cuts the byte
 * stream back into frames, across reads, across receive buffers when
 * consumers keep buffers pinned, and drops the guest on a length that
 * makes no sense, or a request that isn't one. This harness feeds it.
 *
 * Input layout:
 *
 *	byte 0		flags: FUZZ_F_HOLD, handlers keep the receive buffer
 *			of every packet pinned until a release record;
 *			FUZZ_F_GVPROXY, gvproxy's framing; FUZZ_F_MAPPED,
 *			the stream comes as pieces a kernel mapped (vsock
 *			zero-copy receive, vsock_rx_map() replaced here):
 *			each piece written is one packet, and an event
 *			maps all those written since the last one (no
 *			connection request then: it would be read)
 *	then records	2-byte big-endian length L, then L bytes of stream,
 *			written to the socket as one piece, then one
 *			EPOLLIN event; or L = 0xffff and a byte: 0 releases
 *			every pin held (and an EPOLLIN event follows, as
 *			epoll would report), 1 is an EPOLLIN event with
 *			nothing new, 2 closes our end (end of stream)
 *
 * What is checked: every frame tap.c takes is, in order, the next frame of
 * the stream as written, byte for byte (a stub pcap_frame() sees each
 * one), the first one right after the request's blank line; after each
 * event, unless every buffer is pinned, no whole frame written so far is
 * left unprocessed, and no whole request left unread; a length below an
 * Ethernet header or above TAP_STREAM_MAX disconnects the guest, and so
 * does a request not starting "POST /connect", or longer than 4096
 * bytes; a good one never does.
 *
 * tap.c is included, not linked; pcap.c is replaced by the checking stub,
 * the link services are linked as in fuzz_frames, and TCP, UDP and ICMP
 * handlers are stubs that only pin buffers.
 */

#include "../../tap.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_F_HOLD		0x01
#define FUZZ_F_GVPROXY		0x02
#define FUZZ_F_MAPPED		0x04
#define FUZZ_PIECES_MAX		VSOCK_RX_PIECES
#define FUZZ_REQ_MAX		4096	/* vsock.c's VSOCK_REQUEST_MAX */

#define FUZZ_SEP		0xffff
#define FUZZ_CTL_RELEASE	0
#define FUZZ_CTL_WAKE		1
#define FUZZ_CTL_CLOSE		2

#define FUZZ_STREAM_MAX		(1024 * 1024)

static struct ctx fuzz_c;
static int fuzz_epollfd = -1;
static int fuzz_listen_fd = -1;
static int fuzz_peer = -1;		/* the guest's end */
static bool fuzz_hold;
static size_t fuzz_hlen;		/* length field: 4 or 2 bytes */
static bool fuzz_mapped;		/* pieces, not the socket */
static struct iovec fuzz_pieces[FUZZ_PIECES_MAX];
static size_t fuzz_npieces;		/* pieces written, not mapped yet */
static size_t fuzz_map_from;		/* bytes of the "mapping" in use */
static uint8_t fuzz_map[FUZZ_STREAM_MAX];	/* "mapping": copies of them */
static bool fuzz_map_held;		/* mapped and not released yet */
static bool fuzz_req_done;		/* model: request taken by tap.c */

/* Model: the stream as written, and how far tap.c has taken it */
static uint8_t fuzz_stream[FUZZ_STREAM_MAX];
static size_t fuzz_sent;
static size_t fuzz_taken;

/* Pins held by the stub handlers, per receive buffer */
static unsigned fuzz_pins[TAP_BUF_COUNT];

/**
 * fuzz_len() - Length field of the model's stream at an offset
 * @off:	Offset, with fuzz_hlen bytes after it
 *
 * Return: the length it gives
 */
static size_t fuzz_len(size_t off)
{
	const uint8_t *p = fuzz_stream + off;

	if (fuzz_hlen == 2)
		return (size_t)p[0] | (size_t)p[1] << 8;
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	       p[3];
}

/* vsock.c's zero-copy receive, replaced (-Wl,--wrap): pieces written */
bool __wrap_vsock_rx_mapping(void);
int __wrap_vsock_rx_map(int fd, struct iovec *pieces, size_t *np,
			const char **why);
void __wrap_vsock_rx_unmap(void);

/**
 * __wrap_vsock_rx_mapping() - Stub: mapped mode, as the input says
 *
 * Return: true in mapped mode
 */
bool __wrap_vsock_rx_mapping(void)
{
	return fuzz_mapped;
}

/**
 * __wrap_vsock_rx_map() - Stub: hand over the pieces written so far
 * @fd:		Unused
 * @pieces:	Set to copies of the pieces, each separate, read-only use
 * @np:		Set to their number
 * @why:	Unused
 *
 * Return: 1 if there were any, 0 if not
 */
int __wrap_vsock_rx_map(int fd, struct iovec *pieces, size_t *np,
			const char **why)
{
	size_t i;

	(void)fd;
	(void)why;
	FUZZ_CHECK(!fuzz_map_held);
	*np = fuzz_npieces;
	for (i = 0; i < fuzz_npieces; i++)
		pieces[i] = fuzz_pieces[i];
	fuzz_npieces = 0;
	fuzz_map_held = *np > 0;
	return *np > 0;
}

/**
 * __wrap_vsock_rx_unmap() - Stub: the pieces are released; scribble on
 *			     them, as new pages would have other contents
 */
void __wrap_vsock_rx_unmap(void)
{
	if (!fuzz_map_held)
		return;
	memset(fuzz_map, 0xa5, fuzz_map_from);
	fuzz_map_from = 0;
	fuzz_map_held = false;
}

/**
 * fuzz_req_end() - Where the request ends in what was written, if it does
 *
 * Return: offset after its blank line ("\n\n" or "\n\r\n"), within the
 *	   first FUZZ_REQ_MAX bytes, or 0
 */
static size_t fuzz_req_end(void)
{
	size_t i, n = MIN(fuzz_sent, FUZZ_REQ_MAX);

	for (i = 1; i < n; i++) {
		if (fuzz_stream[i] != '\n')
			continue;
		if (fuzz_stream[i - 1] == '\n' ||
		    (i >= 2 && fuzz_stream[i - 1] == '\r' &&
		     fuzz_stream[i - 2] == '\n'))
			return i + 1;
	}
	return 0;
}

/**
 * fuzz_req_good() - Does a complete request start as it must
 *
 * Return: true if it starts "POST /connect"
 */
static bool fuzz_req_good(void)
{
	return fuzz_sent >= 13 && !memcmp(fuzz_stream, "POST /connect", 13);
}

/**
 * fuzz_req_taken() - tap.c took the request: check it, frames start after
 */
static void fuzz_req_taken(void)
{
	size_t end = fuzz_req_end();

	FUZZ_CHECK(end && fuzz_req_good());
	fuzz_req_done = true;
	fuzz_taken = end;
}

/**
 * pcap_frame() - Stub: each frame tap.c takes must be the next one written
 * @frame:	Frame
 * @len:	Length
 */
void pcap_frame(const void *frame, size_t len)
{
	size_t flen;

	if (!fuzz_req_done) {
		/* Frames behind the request in the same read */
		FUZZ_CHECK(!tap_request_wait);
		fuzz_req_taken();
	}
	FUZZ_CHECK(fuzz_sent - fuzz_taken >= fuzz_hlen);
	flen = fuzz_len(fuzz_taken);
	FUZZ_CHECK(flen == len);
	FUZZ_CHECK(fuzz_sent - fuzz_taken - fuzz_hlen >= len);
	FUZZ_CHECK(!memcmp(frame, fuzz_stream + fuzz_taken + fuzz_hlen, len));
	fuzz_taken += fuzz_hlen + len;
}

/**
 * pcap_iov() - Stub: frames to the guest are not captured
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
 * fuzz_l4_handler() - Stub for tcp.c, udp.c, icmp.c: maybe hold buffers
 * @c:		Execution context
 * @s:		Packets of one flow
 * @now:	Current time
 */
static void fuzz_l4_handler(struct ctx *c, const struct tap_l4_seq *s,
			    const struct timespec *now)
{
	unsigned i;

	(void)now;
	for (i = 0; i < s->count; i++) {
		uint16_t b = s->pkts[i].buf;

		/* Frames where the kernel mapped them: nobody may pin */
		if (b == TAP_BUF_NONE) {
			FUZZ_CHECK(fuzz_mapped);
			continue;
		}
		FUZZ_CHECK(b < TAP_BUF_COUNT);
		if (!fuzz_hold)
			continue;
		tap_buf_pin(c, b);
		fuzz_pins[b]++;
	}
}

/**
 * fuzz_release() - Drop every pin the handlers hold
 */
static void fuzz_release(void)
{
	unsigned b;

	for (b = 0; b < TAP_BUF_COUNT; b++) {
		while (fuzz_pins[b]) {
			tap_buf_unpin(&fuzz_c, b);
			fuzz_pins[b]--;
		}
	}
}

/**
 * fuzz_walk() - Walk the whole frames written and not taken yet
 * @whole:	Number of whole frames with a good length found
 *
 * Return: true if the walk ends at a bad length, false if at an
 *	   incomplete frame or the end of what was written
 */
static bool fuzz_walk(unsigned *whole)
{
	size_t off = fuzz_taken;

	*whole = 0;
	if (!fuzz_req_done)
		return false;
	while (fuzz_sent - off >= fuzz_hlen) {
		size_t flen = fuzz_len(off);

		if (flen < ETH_HLEN_ || flen > TAP_STREAM_MAX)
			return true;
		if (fuzz_sent - off - fuzz_hlen < flen)
			break;
		off += fuzz_hlen + flen;
		(*whole)++;
	}
	return false;
}

/**
 * fuzz_event() - One event on the tap socket, then check the model
 * @events:	Epoll events
 */
static void fuzz_event(uint32_t events)
{
	struct timespec now = { .tv_sec = 1000 };
	unsigned whole;
	bool bad;

	if (fuzz_c.fd_tap < 0)
		return;
	tap_handler_passt(&fuzz_c, events, &now);

	if (!fuzz_req_done) {
		size_t end = fuzz_req_end();

		if (fuzz_c.fd_tap >= 0 && !tap_request_wait) {
			/* Taken: a good one, up to its blank line */
			fuzz_req_taken();
		} else if (fuzz_c.fd_tap < 0 && end && fuzz_req_good()) {
			/* Taken, then a frame after it ended the connection */
			fuzz_req_taken();
		} else if (fuzz_c.fd_tap < 0) {
			/* Refused: a bad one, a long one, or the end */
			FUZZ_CHECK((end && !fuzz_req_good()) ||
				   (!end && fuzz_sent >= FUZZ_REQ_MAX) ||
				   fuzz_peer < 0);
			return;
		} else {
			/* Waiting: for the rest of it, all of it read */
			FUZZ_CHECK(!end && fuzz_sent < FUZZ_REQ_MAX);
			return;
		}
	}
	bad = fuzz_walk(&whole);

	if (fuzz_c.fd_tap < 0) {
		/* A bad length ahead (the frames before it in the same read
		 * may go unprocessed: the guest is dropped anyway), or the
		 * end of the stream with no whole frame left behind
		 */
		if (!bad)
			FUZZ_CHECK(fuzz_peer < 0 && !whole);
		return;
	}
	if (tap_rx_blocked)
		return;		/* data may wait in the socket */

	/* Nothing whole left behind, nothing bad left unnoticed */
	FUZZ_CHECK(!bad);
	FUZZ_CHECK(!whole);
}

/**
 * fuzz_reset() - Start an input from scratch
 * @flags:	FUZZ_F_* flags
 */
static void fuzz_reset(uint8_t flags)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_ICMP, IPPROTO_ICMPV6 };
	int sv[2];
	unsigned i;

	fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
	fuzz_c.mode = MODE_PASST;
	fuzz_c.epollfd = fuzz_epollfd;
	fuzz_c.fd_tap_listen = fuzz_listen_fd;	/* listen again, don't exit */
	fuzz_hold = flags & FUZZ_F_HOLD;
	fuzz_c.framing = flags & FUZZ_F_GVPROXY ? TAP_FRAMING_GVPROXY :
						  TAP_FRAMING_QEMU;
	fuzz_hlen = flags & FUZZ_F_GVPROXY ? 2 : 4;
	fuzz_mapped = flags & FUZZ_F_MAPPED;
	fuzz_req_done = !(flags & FUZZ_F_GVPROXY) || fuzz_mapped;
	fuzz_npieces = fuzz_map_from = 0;
	fuzz_map_held = false;

	memset(tap_bufs, 0, sizeof(tap_bufs));
	memset(fuzz_pins, 0, sizeof(fuzz_pins));
	tap_buf_cur = 0;
	tap_rx_blocked = false;
	tap_stream_partial = tap_stream_partial_off = 0;
	tap_stream_pending_len = tap_stream_pending_off = 0;
	tap_seq_count = tap_l4_count = 0;
	tap_stream_start(&fuzz_c);
	if (fuzz_mapped)
		tap_request_wait = false;
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		tap_register_l4(protos[i], fuzz_l4_handler);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		FUZZ_CHECK(!"socketpair");
	fuzz_c.fd_tap = sv[0];
	fuzz_peer = sv[1];
	fuzz_sent = fuzz_taken = 0;
	FUZZ_CHECK(!epoll_add(fuzz_epollfd, tap_rx_events(),
			      tap_epoll_ref(&fuzz_c)));
}

/**
 * fuzz_write() - Write a piece of stream from the guest's end
 * @p:		Bytes
 * @len:	Length
 */
static void fuzz_write(const uint8_t *p, size_t len)
{
	ssize_t n;

	if (fuzz_peer < 0 || fuzz_c.fd_tap < 0)
		return;
	len = MIN(len, sizeof(fuzz_stream) - fuzz_sent);
	if (fuzz_mapped) {
		/* One packet: a piece of its own in the "mapping" */
		if (!len || fuzz_npieces == FUZZ_PIECES_MAX ||
		    fuzz_map_from + len > sizeof(fuzz_map))
			return;
		memcpy(fuzz_map + fuzz_map_from, p, len);
		fuzz_pieces[fuzz_npieces].iov_base = fuzz_map + fuzz_map_from;
		fuzz_pieces[fuzz_npieces++].iov_len = len;
		fuzz_map_from += len;
		memcpy(fuzz_stream + fuzz_sent, p, len);
		fuzz_sent += len;
		return;
	}
	n = send(fuzz_peer, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n <= 0)
		return;		/* socket full: every buffer pinned */
	memcpy(fuzz_stream + fuzz_sent, p, (size_t)n);
	fuzz_sent += (size_t)n;
}

/**
 * LLVMFuzzerInitialize() - Once, before the first input
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
	memset(&tap_hash_key, 0x5a, sizeof(tap_hash_key));
	fuzz_epollfd = epoll_create1(EPOLL_CLOEXEC);
	fuzz_listen_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(fuzz_epollfd >= 0 && fuzz_listen_fd >= 0);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed a byte stream to tap_handler_passt()
 * @data:	Flags byte, then records, see the top of this file
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 1;

	if (!size)
		return 0;
	fuzz_reset(data[0]);

	while (off + 2 <= size && fuzz_c.fd_tap >= 0) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len != FUZZ_SEP) {
			len = MIN(len, size - off);
			fuzz_write(data + off, len);
			off += len;
			fuzz_event(EPOLLIN);
			continue;
		}
		if (off >= size)
			break;
		switch (data[off++]) {
		case FUZZ_CTL_RELEASE:
			fuzz_release();
			fuzz_event(EPOLLIN);
			break;
		case FUZZ_CTL_WAKE:
			fuzz_event(EPOLLIN);
			break;
		case FUZZ_CTL_CLOSE:
			close(fuzz_peer);
			fuzz_peer = -1;
			fuzz_event(EPOLLIN | EPOLLRDHUP);
			break;
		default:
			break;
		}
	}

	fuzz_release();
	if (fuzz_c.fd_tap >= 0)
		close(fuzz_c.fd_tap);
	if (fuzz_peer >= 0)
		close(fuzz_peer);
	fuzz_peer = -1;
	return 0;
}
