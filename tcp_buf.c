// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_buf.c - TCP segments to the guest: data peeked from host sockets,
 *	       and control segments
 *
 * Theory of operation
 *
 * Data from a host socket stays in the socket until the guest
 * acknowledges it: it is only peeked (MSG_PEEK) into a payload area split
 * into MSS-sized frames, headers are written in front of each, and the
 * frames go to the tap link. What the guest acknowledges is then consumed
 * from the socket (tcp.c), and a retransmission is a rewind: peek again
 * from the acknowledged point.
 *
 * Peeking at an offset: where the kernel supports SO_PEEK_OFF for the
 * socket's family (probed at start by tcp.c, can be forced off with
 * --no-peek-off), the kernel keeps the offset of already-sent bytes and
 * every peek continues from there; we set it again on every rewind.
 * Otherwise, the already-sent bytes are peeked again into a discard
 * buffer placed in front of the payload frames: correct, but they are
 * copied once more on every call, which is what the statistics count as
 * "reread and discarded". The discard buffer's size bounds the data in
 * flight in that mode.
 *
 * Buffers: one static payload area and one header array, reused for each
 * call: frames are handed to the tap backend, which copies or writes them
 * before returning, so nothing here stays in use across calls. Where the
 * backend lends its own buffers (tap_lend(): vhost-user, the guest's
 * receive buffers), the peek goes straight into those, behind room for
 * the headers, and our payload area isn't used: the data is copied once,
 * by the kernel.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "util.h"
#include "log.h"
#include "checksum.h"
#include "stats.h"
#include "tap.h"
#include "flow.h"
#include "tcp_internal.h"
#include "tcp_zcrx.h"

#define TCP_PAYLOAD_AREA	(4UL * 1024 * 1024)
#define TCP_FRAMES_MAX		1022	/* + discard entry, under IOV_MAX */
#define TCP_DISCARD_SIZE	(4UL * 1024 * 1024)
#define TCP_HDR_MAX		(14 + 40 + 20 + 12)
#define TCP_PEEK_ROUNDS		4	/* full peeks in a row per event */
#define TCP_PEEK_IOV_MAX	1024	/* IOV_MAX: discard entry and rooms */
/* Payload of a super-frame: its IP packet within 64 KiB, IPv6 header and
 * TCP options room included
 */
#define TCP_GSO_PAYLOAD_MAX	(65535 - 40 - 20 - 12)

/**
 * struct tcp_frame_hdr - Ethernet, IP and TCP headers of one frame
 * @b:		Header bytes
 */
struct tcp_frame_hdr {
	uint8_t b[TCP_HDR_MAX];
};

static uint8_t tcp_payload[TCP_PAYLOAD_AREA] PAGE_ALIGNED;
static uint8_t tcp_discard[TCP_DISCARD_SIZE] PAGE_ALIGNED;
static struct tcp_frame_hdr tcp_hdrs[TCP_FRAMES_MAX];
static struct iovec tcp_peek_iov[TCP_PEEK_IOV_MAX];
static struct iovec tcp_tap_iov[TCP_FRAMES_MAX * (1 + TCP_ZCRX_PIECES)];
static struct iovec tcp_own_iov[TCP_FRAMES_MAX * TCP_ZCRX_PIECES];
static struct pkt_room tcp_rooms[TCP_FRAMES_MAX];
static struct tap_fill tcp_fill[TAP_LEND_MAX];

/**
 * tcp_buf_init() - Nothing to allocate: buffers are static
 */
void tcp_buf_init(void)
{
}

/**
 * struct tcp_seg - Header fields of one segment to the guest
 * @seq:	Sequence number
 * @ack:	Acknowledgement number
 * @wnd:	Window field, as sent
 * @flags:	TCP flags (TH_*)
 */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;
	uint8_t flags;
};

/**
 * tcp_fill_hdrs() - Write the headers of one segment to the guest
 * @c:		Execution context
 * @ts:		Guest's flow side: eaddr/eport the guest, oaddr/oport us
 * @label:	IPv6 flow label
 * @sg:		Header fields
 * @buf:	Output, TCP_HDR_MAX bytes
 * @opts:	TCP options, multiple of 4 bytes, or NULL
 * @optlen:	Length of @opts
 * @payload:	Payload, for the checksum, or NULL if @plen is 0
 * @plen:	Payload length, at most what @payload holds
 *
 * Return: length of the headers
 */
static size_t tcp_fill_hdrs(const struct ctx *c, const struct flowside *ts,
			    uint32_t label, const struct tcp_seg *sg,
			    uint8_t *buf, const uint8_t *opts, size_t optlen,
			    const struct pkt_room *payload, size_t plen)
{
	const struct in_addr *src4 = inany_v4(&ts->oaddr);
	size_t l4len = sizeof(struct tcphdr) + optlen + plen, off;
	struct tcphdr th;
	uint32_t sum;

	memset(&th, 0, sizeof(th));
	th.source = htons(ts->oport);
	th.dest = htons(ts->eport);
	th.seq = htonl(sg->seq);
	th.ack_seq = htonl(sg->ack);
	th.doff = (uint16_t)((sizeof(th) + optlen) / 4);
	th.th_flags = sg->flags;
	th.window = htons(sg->wnd);

	if (src4) {
		struct in_addr dst4 = *inany_v4(&ts->eaddr);

		off = tap_eth_hdr(c, buf, ETHERTYPE_IP);
		off += tap_ip4_hdr(buf + off, *src4, dst4, IPPROTO_TCP, l4len);
		sum = csum_pseudo4((uint16_t)l4len, IPPROTO_TCP, *src4, dst4);
	} else {
		off = tap_eth_hdr(c, buf, ETHERTYPE_IPV6);
		off += tap_ip6_hdr(buf + off, &ts->oaddr.a6, &ts->eaddr.a6,
				   IPPROTO_TCP, l4len, label);
		sum = csum_pseudo6((uint32_t)l4len, IPPROTO_TCP,
				   &ts->oaddr.a6, &ts->eaddr.a6);
	}

	/* Partial checksums where the backend takes them (tap_l4_csum()) */
	if (tap_l4_csum(c)) {
		sum = csum_partial(&th, sizeof(th), sum);
		if (optlen)
			sum = csum_partial(opts, optlen, sum);
		if (plen)
			sum = csum_iov_len(payload->iov, payload->cnt, plen,
					   sum);
		th.check = csum_fold(sum);
	} else {
		th.check = tap_l4_csum_seed(sum);
	}

	memcpy(buf + off, &th, sizeof(th));
	off += sizeof(th);
	if (optlen) {
		memcpy(buf + off, opts, optlen);
		off += optlen;
	}
	return off;
}

/**
 * tcp_conn_hdrs() - Write the headers of a connection's segment
 * @c:		Execution context
 * @conn:	Connection
 * @buf:	Output, TCP_HDR_MAX bytes
 * @seq:	Sequence number
 * @flags:	TCP flags (TH_*)
 * @opts:	TCP options, multiple of 4 bytes, or NULL
 * @optlen:	Length of @opts
 * @payload:	Payload, for the checksum, or NULL if @plen is 0
 * @plen:	Payload length
 *
 * Return: length of the headers
 */
static size_t tcp_conn_hdrs(const struct ctx *c,
			    const struct tcp_tap_conn *conn, uint8_t *buf,
			    uint32_t seq, uint8_t flags, const uint8_t *opts,
			    size_t optlen, const struct pkt_room *payload,
			    size_t plen)
{
	struct tcp_seg sg = {
		.seq = seq, .ack = conn->seq_ack_to_guest,
		.wnd = tcp_wnd_field(conn), .flags = flags,
	};

	return tcp_fill_hdrs(c, tcp_tap_side(conn),
			     flow_idx(&conn->f) & 0xfffff, &sg, buf, opts,
			     optlen, payload, plen);
}

/**
 * tcp_hdr_len() - Length of the headers of a connection's data segments
 * @conn:	Connection
 *
 * Return: Ethernet, IP and TCP header bytes (no TCP options on data)
 */
static size_t tcp_hdr_len(const struct tcp_tap_conn *conn)
{
	bool v4 = !!inany_v4(&tcp_tap_side(conn)->eaddr);

	return 14 + (v4 ? sizeof(struct iphdr) : sizeof(struct ip6_hdr)) +
	       sizeof(struct tcphdr);
}

/**
 * tcp_fin_sent() - Account for our FIN, taken by the backend
 * @conn:	Connection
 *
 * The FIN takes the sequence number after the data it follows.
 */
static void tcp_fin_sent(struct tcp_tap_conn *conn)
{
	conn->seq_to_guest++;
	tcp_seq_sent(conn);
	conn->flags |= TCP_SOCK_EOF | TCP_TAP_FIN_SENT;
}

/**
 * tcp_send_flag() - Send a segment without payload to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TH_SYN, TH_ACK, TH_FIN, TH_RST, combined
 *
 * A SYN carries our MSS and, if the guest offered it (or we start the
 * handshake), window scaling. A FIN takes one sequence number.
 *
 * Return: 0 on success, -EAGAIN if the frame couldn't be sent
 */
int tcp_send_flag(struct ctx *c, struct tcp_tap_conn *conn, uint8_t flags)
{
	uint8_t opts[12], *p = opts, hdr[TCP_HDR_MAX];
	uint32_t seq = conn->seq_to_guest;
	struct iovec iov;
	size_t optlen = 0;

	if (flags & TH_SYN) {
		bool v4 = !!inany_v4(&tcp_tap_side(conn)->eaddr);
		unsigned mtu = c->mtu ? c->mtu : MTU_DEFAULT;
		uint16_t mss = (uint16_t)MIN(mtu - (v4 ? 40 : 60), 65535 - 60);

		seq = conn->isn_to_guest;
		*p++ = TCPOPT_MAXSEG;
		*p++ = TCPOLEN_MAXSEG;
		*p++ = (uint8_t)(mss >> 8);
		*p++ = (uint8_t)mss;
		if (conn->flags & TCP_WS_OK || conn->state == TCP_ST_SYN_SENT) {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_WINDOW;
			*p++ = TCPOLEN_WINDOW;
			*p++ = conn->ws_to_guest;
		}
		optlen = (size_t)(p - opts);
	}

	tcp_ack_catch_up(conn);
	iov.iov_base = hdr;
	iov.iov_len = tcp_conn_hdrs(c, conn, hdr, seq, flags, opts, optlen,
				    NULL, 0);
	if (!tap_send_frames(c, &iov, 1, 1))
		return -EAGAIN;
	tcp_ack_sent(conn);

	if (flags & TH_FIN)
		tcp_fin_sent(conn);
	if (flags & TH_RST)
		stats_inc(STAT_TCP_RST_TO_GUEST);
	return 0;
}

/**
 * tcp_send_dup_acks() - Send the same pure ACK several times
 * @c:		Execution context
 * @conn:	Connection, established
 * @n:		How many, at most TCP_DUP_ACKS_MAX
 *
 * A receiver that drops a segment after a hole answers each one with a
 * duplicate ACK, as RFC 5681, 4.2 asks for: a sender without SACK counts
 * them to retransmit the missing segment at once (fast retransmit) rather
 * than after a timeout, which, in loss recovery and backed off, can take
 * seconds.
 */
void tcp_send_dup_acks(struct ctx *c, const struct tcp_tap_conn *conn,
		       unsigned n)
{
	static struct iovec iov[TCP_DUP_ACKS_MAX];
	unsigned i, cnt = MIN(n, TCP_DUP_ACKS_MAX);
	static uint8_t hdr[TCP_HDR_MAX];
	size_t len;

	len = tcp_conn_hdrs(c, conn, hdr, conn->seq_to_guest, TH_ACK, NULL, 0,
			    NULL, 0);
	/* cppcheck-suppress knownConditionTrueFalse
	 * ; it takes the one caller's count for always 0, it isn't
	 */
	for (i = 0; i < cnt; i++) {
		iov[i].iov_base = hdr;
		iov[i].iov_len = len;
	}
	if (cnt)
		stats_add(STAT_TCP_DUP_ACKS, tap_send_frames(c, iov, 1, cnt));
}

/**
 * tcp_rst_stray() - Reset for a segment that matches no connection
 * @c:		Execution context
 * @seq:	Packets of the segment's flow (addresses, ports)
 * @seq_no:	Segment's sequence number
 * @ack_no:	Segment's acknowledgement number
 * @ack:	Segment had ACK set
 * @seg_len:	Segment length, SYN and FIN counted
 *
 * As RFC 9293 3.10.7.1: with ACK, the reset takes its sequence number
 * from the acknowledgement; without, it acknowledges the segment.
 */
void tcp_rst_stray(struct ctx *c, const struct tap_l4_seq *seq,
		   uint32_t seq_no, uint32_t ack_no, bool ack,
		   size_t seg_len)
{
	const struct flowside ts = {
		.eaddr = seq->src, .eport = seq->sport,
		.oaddr = seq->dst, .oport = seq->dport,
	};
	struct tcp_seg sg = { 0 };
	uint8_t hdr[TCP_HDR_MAX];
	struct iovec iov;

	if (ack) {
		sg.seq = ack_no;
		sg.flags = TH_RST;
	} else {
		sg.ack = seq_no + (uint32_t)seg_len;
		sg.flags = TH_RST | TH_ACK;
	}
	iov.iov_base = hdr;
	iov.iov_len = tcp_fill_hdrs(c, &ts, 0, &sg, hdr, NULL, 0, NULL, 0);
	if (tap_send_frames(c, &iov, 1, 1))
		stats_inc(STAT_TCP_RST_TO_GUEST);
}

/**
 * tcp_tap_blocked() - The tap backend refused our frames: stop reading the
 *		       socket, and wait for the backend
 * @conn:	Connection
 * @now_ms:	Current time, ms
 *
 * The flow's tap_writable() callback resumes it; its timer too, should the
 * backend never say it can send again (a tap device whose link is down).
 */
static void tcp_tap_blocked(struct tcp_tap_conn *conn, uint64_t now_ms)
{
	conn->flags |= TCP_STALLED;
	if (conn->f.waiting)
		return;
	stats_inc(STAT_TCP_TAP_WAITS);
	flow_tap_wait(&conn->f);
	/* Nothing in flight: the retry timer counts from now */
	if (!tcp_in_flight(conn))
		conn->progress_at = now_ms;
}

/**
 * tcp_frame_size() - Payload of each frame to the guest
 * @c:		Execution context
 * @conn:	Connection
 *
 * Where the backend takes TCP super-frames (tap_gso_ok(): pasta's tap with
 * a virtio-net header, a vhost-user guest with GUEST_TSO4/6), a frame
 * holds as many MSS-sized segments as fit a 64 KiB IP packet, for the
 * guest's kernel to take in one piece; else one segment.
 *
 * Return: bytes, a multiple of the MSS
 */
static size_t tcp_frame_size(const struct ctx *c,
			     const struct tcp_tap_conn *conn)
{
	size_t mss = conn->mss;

	if (!tap_gso_ok(c) || mss >= TCP_GSO_PAYLOAD_MAX)
		return mss;
	return TCP_GSO_PAYLOAD_MAX / mss * mss;
}

/**
 * tcp_nframes() - Frames to ask for
 * @fsize:	Payload of each frame
 * @avail:	Bytes the guest's window takes
 *
 * Return: enough frames for @avail, as many as our payload area holds
 */
static size_t tcp_nframes(size_t fsize, size_t avail)
{
	return MIN(DIV_ROUND_UP(avail, fsize),
		   MIN((size_t)TCP_FRAMES_MAX, TCP_PAYLOAD_AREA / fsize));
}

/**
 * tcp_rooms_get() - Rooms for the payload of the next frames: lent by the
 *		     tap backend (guest memory), or our own payload area
 * @c:		Execution context
 * @conn:	Connection
 * @fsize:	Payload of each frame (tcp_frame_size()), set to the MSS if
 *		the backend can't take super-frames now
 * @avail:	Bytes the guest's window takes
 * @lent:	Set if the backend lent them
 *
 * A backend that lends (vhost-user) may hold too few buffers for a
 * super-frame now, or buffers too small for one to fit the chains it can
 * take (a guest's ring is of a size it chose): then one segment a frame,
 * rather than waiting for room that may never come.
 *
 * Return: number of rooms in tcp_rooms, 0 if the backend takes no frames now
 */
static size_t tcp_rooms_get(struct ctx *c, const struct tcp_tap_conn *conn,
			    size_t *fsize, size_t avail, bool *lent)
{
	size_t nframes = tcp_nframes(*fsize, avail), n, i;

	n = tap_lend(c, tcp_hdr_len(conn), *fsize, nframes, tcp_rooms);
	if (!n && *fsize > conn->mss && tap_lends(c) && !tap_out_full()) {
		*fsize = conn->mss;
		nframes = tcp_nframes(*fsize, avail);
		n = tap_lend(c, tcp_hdr_len(conn), *fsize, nframes, tcp_rooms);
	}
	*lent = n > 0;
	if (n)
		return n;
	if (tap_out_full())
		return 0;
	for (i = 0; i < nframes; i++) {
		tcp_own_iov[i].iov_base = tcp_payload + i * *fsize;
		tcp_own_iov[i].iov_len = *fsize;
		tcp_rooms[i].iov = &tcp_own_iov[i];
		tcp_rooms[i].cnt = 1;
		tcp_rooms[i].len = *fsize;
	}
	return nframes;
}

/**
 * tcp_peek() - Peek new data from the socket into the frames' rooms
 * @conn:	Connection
 * @inflight:	Data bytes sent to the guest and not acknowledged
 * @want:	Most new bytes to take
 * @nframes:	Rooms in tcp_rooms to use
 * @eof:	Set if the socket is at end of stream with nothing new
 *
 * Return: new bytes peeked, 0 if none, -errno on error
 */
static ssize_t tcp_peek(struct tcp_tap_conn *conn, size_t inflight,
			size_t want, size_t nframes, bool *eof)
{
	struct msghdr mh = { 0 };
	bool peek_off = tcp_peek_off_on(conn);
	size_t i, j, cnt = 0, left = want;
	ssize_t n;

	*eof = false;
	if (!peek_off) {
		tcp_peek_iov[0].iov_base = tcp_discard;
		tcp_peek_iov[0].iov_len = inflight;
		cnt = 1;
	}
	for (i = 0; i < nframes && left; i++) {
		const struct pkt_room *r = &tcp_rooms[i];

		for (j = 0; j < r->cnt && left && cnt < TCP_PEEK_IOV_MAX; j++) {
			tcp_peek_iov[cnt] = r->iov[j];
			tcp_peek_iov[cnt].iov_len = MIN(r->iov[j].iov_len, left);
			left -= tcp_peek_iov[cnt++].iov_len;
		}
	}
	mh.msg_iov = tcp_peek_iov;
	mh.msg_iovlen = cnt;

	/* #syscalls recvmsg */
	n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return -errno;
	}

	if (peek_off) {
		if (!n)
			*eof = true;
		stats_add(STAT_TCP_PEEK_OFF_BYTES, (size_t)n);
		return n;
	}

	stats_add(STAT_TCP_DISCARD_SKIPPED, MIN((size_t)n, inflight));
	if ((size_t)n <= inflight) {
		/* Nothing new: end of stream if the peer closed its side */
		*eof = !n || (conn->flags & TCP_SOCK_RDHUP);
		return 0;
	}
	stats_add(STAT_TCP_PEEK_DISCARD_BYTES, (size_t)n - inflight);
	return n - (ssize_t)inflight;
}

/**
 * tcp_frames_send() - Write the headers of filled frames and send them
 * @c:		Execution context
 * @conn:	Connection
 * @fsize:	Payload of a frame at most (tcp_frame_size())
 * @n:		Bytes in tcp_rooms, each room full but the last
 * @nrooms:	Rooms in tcp_rooms
 * @lent:	The rooms are lent by the backend
 * @pieces:	Payload entries of each frame, at most (own rooms only)
 * @fin:	The last frame carries our FIN too
 *
 * Return: payload bytes sent
 */
static size_t tcp_frames_send(struct ctx *c, struct tcp_tap_conn *conn,
			      size_t fsize, size_t n, size_t nrooms, bool lent,
			      size_t pieces, bool fin)
{
	size_t hlen = tcp_hdr_len(conn), bpf = 1 + pieces;
	size_t i, j, sent, off = 0, bytes = 0;

	/* The frames carry the ACK held back, if any */
	tcp_ack_catch_up(conn);

	for (i = 0; i < nrooms && off < n; i++) {
		const struct pkt_room *r = &tcp_rooms[i];
		size_t plen = MIN(n - off, r->len), left = plen;
		bool last = off + plen == n;
		uint8_t fl = TH_ACK | (last ? TH_PUSH : 0) |
			     (last && fin ? TH_FIN : 0);
		struct iovec *v = &tcp_tap_iov[bpf * i];
		size_t h;

		h = tcp_conn_hdrs(c, conn, tcp_hdrs[i].b,
				  conn->seq_to_guest + (uint32_t)off, fl, NULL,
				  0, r, plen);
		ASSERT(h == hlen);
		off += plen;
		if (lent) {
			tcp_fill[i].hdr = tcp_hdrs[i].b;
			tcp_fill[i].plen = plen;
			continue;
		}
		v[0].iov_base = tcp_hdrs[i].b;
		v[0].iov_len = h;
		for (j = 0; j < pieces; j++) {
			v[1 + j] = j < r->cnt ? r->iov[j] :
				   (struct iovec){ NULL, 0 };
			v[1 + j].iov_len = MIN(v[1 + j].iov_len, left);
			left -= v[1 + j].iov_len;
		}
	}

	if (lent) {
		for (j = i; j < nrooms; j++)
			tcp_fill[j].hdr = NULL;
		sent = tap_lend_send(c, hlen, tcp_rooms, tcp_fill, nrooms,
				     fsize > conn->mss ? conn->mss : 0);
	} else {
		/* Frames of more than one segment go as super-frames */
		sent = tap_send_frames_gso(c, tcp_tap_iov, bpf, i,
					   fsize > conn->mss ? conn->mss : 0);
	}
	for (off = 0, i = 0; i < sent && i < nrooms && off < n; i++) {
		bytes += MIN(n - off, tcp_rooms[i].len);
		off += tcp_rooms[i].len;
	}
	if (sent)
		tcp_ack_sent(conn);
	return bytes;
}

/**
 * tcp_eof_to_guest() - The socket's data is all sent: send our FIN
 * @c:		Execution context
 * @conn:	Connection
 * @inflight:	Data bytes sent to the guest and not acknowledged
 * @now_ms:	Current time, ms
 */
static void tcp_eof_to_guest(struct ctx *c, struct tcp_tap_conn *conn,
			     size_t inflight, uint64_t now_ms)
{
	conn->flags |= TCP_SOCK_EOF;
	if (tcp_send_flag(c, conn, TH_FIN | TH_ACK))
		tcp_tap_blocked(conn, now_ms);
	else if (inflight == 0)
		conn->progress_at = now_ms;
}

/**
 * tcp_sent_to_guest() - Account for data frames the backend took
 * @conn:	Connection
 * @bytes:	Payload bytes sent
 * @now_ms:	Current time, ms
 */
static void tcp_sent_to_guest(struct tcp_tap_conn *conn, size_t bytes,
			      uint64_t now_ms)
{
	if (!tcp_in_flight(conn) && bytes)
		conn->progress_at = now_ms;
	conn->seq_to_guest += (uint32_t)bytes;
	tcp_seq_sent(conn);
	stats_add(STAT_TCP_BYTES_TO_GUEST, bytes);
}

/**
 * tcp_zcrx_to_guest() - Send held data, taking more from the socket as the
 *			 guest's window allows (TCP_ZEROCOPY_RECEIVE)
 * @c:		Execution context
 * @conn:	Connection, established, with a receive zero-copy slot
 * @now_ms:	Current time, ms
 *
 * Return: bytes sent to the guest, 0 if none, -errno if the connection
 *	   failed (the caller resets it)
 */
static int tcp_zcrx_to_guest(struct ctx *c, struct tcp_tap_conn *conn,
			     uint64_t now_ms)
{
	size_t total = 0;
	unsigned round;

	for (round = 0; round < TCP_PEEK_ROUNDS; round++) {
		size_t inflight = conn->seq_to_guest - conn->seq_ack_from_guest;
		size_t fsize = tcp_frame_size(c, conn), held, avail, n, i;
		size_t nrooms, bytes;
		bool eof = false;

		if (inflight >= conn->wnd_from_guest) {
			conn->flags |= TCP_STALLED;
			break;
		}
		avail = conn->wnd_from_guest - inflight;
		held = tcp_zcrx_held(conn->zcrx);
		if (held < inflight + avail) {
			ssize_t got = tcp_zcrx_fetch(conn->zcrx, conn->sock,
						     inflight + avail - held,
						     &eof);

			if (got < 0)
				return (int)got;
			held += (size_t)got;
		}
		if (held <= inflight) {
			if (eof)
				tcp_eof_to_guest(c, conn, inflight, now_ms);
			else if (tcp_zcrx_full(conn->zcrx))
				conn->flags |= TCP_STALLED;
			else
				conn->flags |= TCP_PEEKED_ALL;
			break;
		}

		nrooms = tcp_zcrx_rooms(conn->zcrx, inflight,
					MIN(avail, held - inflight), fsize,
					tcp_rooms, tcp_own_iov,
					tcp_nframes(fsize, avail));
		for (n = 0, i = 0; i < nrooms; i++)
			n += tcp_rooms[i].len;
		bytes = tcp_frames_send(c, conn, fsize, n, nrooms, false,
					TCP_ZCRX_PIECES, false);
		tcp_sent_to_guest(conn, bytes, now_ms);
		total += bytes;
		if (bytes < n) {
			tcp_tap_blocked(conn, now_ms);
			break;
		}
	}
	return (int)total;
}

/**
 * tcp_data_to_guest() - Send what the socket has, as the guest's window
 *			 allows
 * @c:		Execution context
 * @conn:	Connection, established
 * @now_ms:	Current time, ms
 *
 * Return: bytes sent to the guest, 0 if none, -errno if the connection
 *	   failed (the caller resets it)
 */
int tcp_data_to_guest(struct ctx *c, struct tcp_tap_conn *conn,
		      uint64_t now_ms)
{
	size_t total = 0;
	unsigned round;

	/* All sent, our FIN too (a retransmission sends it again) */
	if (conn->state != TCP_ST_ESTABLISHED ||
	    (conn->flags & TCP_TAP_FIN_SENT &&
	     conn->seq_to_guest == conn->seq_max_to_guest))
		return 0;

	/* Set again below, as what stops us now says */
	conn->flags &= (uint16_t)~(TCP_STALLED | TCP_PEEKED_ALL);
	if (!tap_is_ready(c) || tap_out_full()) {
		/* Don't peek what the backend would refuse */
		tcp_tap_blocked(conn, now_ms);
		return 0;
	}
	if (conn->zcrx != TCP_ZCRX_NONE)
		return tcp_zcrx_to_guest(c, conn, now_ms);

	for (round = 0; round < TCP_PEEK_ROUNDS; round++) {
		size_t inflight = conn->seq_to_guest - conn->seq_ack_from_guest;
		size_t fsize = tcp_frame_size(c, conn);
		size_t avail, nframes, nrooms, sent, bytes;
		bool eof, lent, fin;
		ssize_t n;

		if (inflight >= conn->wnd_from_guest) {
			conn->flags |= TCP_STALLED;
			break;
		}
		avail = conn->wnd_from_guest - inflight;
		if (!tcp_peek_off_on(conn)) {
			if (inflight >= TCP_DISCARD_SIZE) {
				conn->flags |= TCP_STALLED;
				break;
			}
			avail = MIN(avail, TCP_DISCARD_SIZE - inflight);
		}
		nrooms = tcp_rooms_get(c, conn, &fsize, avail, &lent);
		if (!nrooms) {
			tcp_tap_blocked(conn, now_ms);
			break;
		}
		avail = MIN(avail, nrooms * fsize);

		n = tcp_peek(conn, inflight, avail, nrooms, &eof);
		if (n <= 0 && lent)
			tap_lend_cancel(c);
		if (n < 0)
			return (int)n;
		if (!n) {
			if (!eof) {
				conn->flags |= TCP_PEEKED_ALL;
				break;
			}
			tcp_eof_to_guest(c, conn, inflight, now_ms);
			break;
		}

		/* The host peer closed before we peeked, and we took all it
		 * sent: our FIN goes with the last of it, not in a frame of
		 * its own (one write less per short connection)
		 */
		fin = (conn->flags & TCP_SOCK_RDHUP) && (size_t)n < avail;
		nframes = DIV_ROUND_UP((size_t)n, fsize);
		bytes = tcp_frames_send(c, conn, fsize, (size_t)n, nrooms,
					lent, 1, fin);
		sent = DIV_ROUND_UP(bytes, fsize);
		tcp_sent_to_guest(conn, bytes, now_ms);
		total += bytes;
		if (fin && bytes == (size_t)n) {
			tcp_fin_sent(conn);
			stats_inc(STAT_TCP_FIN_WITH_DATA);
			break;
		}

		if (sent < nframes) {
			/* Not taken by the backend: peek them again once it
			 * can take more
			 */
			tcp_tap_blocked(conn, now_ms);
			if (tcp_peek_off_on(conn)) {
				int off = (int)(conn->seq_to_guest -
						conn->seq_ack_from_guest);

				/* #syscalls setsockopt */
				setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF,
					   &off, sizeof(off));
			}
			break;
		}
		if ((size_t)n < avail) {
			/* Less than asked for: the socket has nothing more */
			conn->flags |= TCP_PEEKED_ALL;
			break;
		}
	}
	return (int)total;
}
