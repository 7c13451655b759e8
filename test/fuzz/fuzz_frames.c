// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_frames.c - libFuzzer harness for tap_handle_frames(): guest frames
 *
 * Input layout:
 *
 *	byte 0		flags, FUZZ_F_* below: backend and context variant
 *	then records	2-byte big-endian length L, then L bytes of frame
 *			(cut short at the end of the input), or
 *			L = 0xffff, then a byte N: end of the batch, and
 *			batches without L4 packets follow: N of them, or for
 *			N >= 0xf0, 65535 - (0x100 - N), that is 65519 to
 *			65534, so that the next batch has the generation tag
 *			of a batch some way back (the tags of tap.c's
 *			grouping lap every 65535 batches)
 *
 * Up to FUZZ_BATCHES batches of up to TAP_BATCH_MAX frames each go to
 * tap_handle_frames(), every frame in a buffer of its own exact size, so
 * that a read past a frame's end is caught by AddressSanitizer, not only
 * a read past the end of the input.
 *
 * What runs for real: tap.c (included here, so its static state can be
 * reset between inputs and each input is reproducible on its own), and,
 * linked, ARP, NDP, DHCP, DHCPv6, pcap (to /dev/null) and the send path.
 * Frames to the guest go to one end of a socket pair: a datagram pair
 * for the pasta backend, a stream pair with the 4-byte length framing for
 * passt, with a small send buffer so partial sends happen. The other end
 * is read after each batch and every frame on it is checked: lengths that
 * agree at each layer, valid IPv4, UDP, ICMP and ICMPv6 checksums.
 *
 * What is stubbed: the translation layer. TCP, UDP, ICMP and ICMPv6 get a
 * handler here (tcp.c, udp.c and icmp.c would open sockets and send
 * traffic to the world) that checks each group tap.c hands over: every
 * packet of a group belongs to the group's flow, packets keep arrival
 * order, no frame gives two packets, no queued packet is lost, and the
 * addresses are of the group's family (an IPv4-mapped IPv6 address would
 * be taken for IPv4 by the flow layer, see inany.h). It echoes
 * the first UDP datagram and ICMP echo request of each group back with
 * tap_udp4_send() and friends, so those run with guest-sized payloads.
 */

#include "../../tap.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_F_PASST		0x01	/* stream backend, else tap device */
#define FUZZ_F_NO_IPV4		0x02
#define FUZZ_F_NO_IPV6		0x04
#define FUZZ_F_NO_SERVICES	0x08	/* --no-dhcp --no-ndp --no-dhcpv6 */
#define FUZZ_F_SMALL		0x10	/* FUZZ_CTX_SMALL, else FULL */
#define FUZZ_F_BARE		0x20	/* FUZZ_CTX_BARE, wins over SMALL */
#define FUZZ_F_NO_RA		0x40
#define FUZZ_F_NO_L4		0x80	/* no L4 handlers registered */

#define FUZZ_BATCHES		8
#define FUZZ_SEP		0xffff
#define FUZZ_IDLE_LAP		0xf0	/* idle byte from which we lap */
#define FUZZ_GEN_PERIOD		65535	/* batches between equal tags */
#define FUZZ_SNDBUF		16384
#define FUZZ_RX_SIZE		(256 * 1024)

static struct ctx fuzz_c;
static int fuzz_epollfd = -1;
static int fuzz_peer = -1;		/* our end of the guest link */

/* Frames of the current batch, and their order by address */
static struct pkt fuzz_frames[TAP_BATCH_MAX];
static uint8_t *fuzz_bufs[TAP_BATCH_MAX];
static unsigned fuzz_nframes;
static unsigned fuzz_by_addr[TAP_BATCH_MAX];
static bool fuzz_frame_used[TAP_BATCH_MAX];

/* Handler calls of the current batch */
static unsigned fuzz_expected;		/* L4 packets tap.c queued */
static unsigned fuzz_delivered;		/* packets handed to handlers */
static bool fuzz_handled;		/* some handler was called */

/* Reassembly of the stream backend's output */
static uint8_t fuzz_rx[FUZZ_RX_SIZE];
static size_t fuzz_rx_len;

/**
 * fuzz_cmp_addr() - qsort() comparison of frame indices by buffer address
 * @a:		First index
 * @b:		Second index
 *
 * Return: <0, 0, >0
 */
static int fuzz_cmp_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)fuzz_frames[*(const unsigned *)a].data;
	uintptr_t y = (uintptr_t)fuzz_frames[*(const unsigned *)b].data;

	return x < y ? -1 : x > y;
}

/**
 * fuzz_frame_of() - Index of the frame a packet view points into
 * @p:		View
 *
 * Return: frame index; aborts if the view is not inside one frame
 */
static unsigned fuzz_frame_of(const struct pkt *p)
{
	uintptr_t a = (uintptr_t)p->data;
	unsigned lo = 0, hi = fuzz_nframes;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if ((uintptr_t)fuzz_frames[fuzz_by_addr[mid]].data <= a)
			lo = mid;
		else
			hi = mid;
	}
	FUZZ_CHECK(fuzz_nframes);
	{
		const struct pkt *f = &fuzz_frames[fuzz_by_addr[lo]];
		uintptr_t s = (uintptr_t)f->data;

		FUZZ_CHECK(a >= s && a - s + p->len <= f->len);
		FUZZ_CHECK(p->buf == f->buf);
	}
	return fuzz_by_addr[lo];
}

/**
 * fuzz_echo() - Answer the first packet of a group, as icmp.c or udp.c might
 * @c:		Execution context
 * @s:		Group
 * @p:		Its first packet
 */
static void fuzz_echo(struct ctx *c, const struct tap_l4_seq *s,
		      const struct pkt *p)
{
	static uint8_t buf[ETH_MAX_MTU];
	size_t len = MIN(p->len, sizeof(buf));

	if (!pkt_copy(p, 0, buf, len))
		FUZZ_CHECK(!"L4 view shorter than its length");

	switch (s->proto) {
	case IPPROTO_UDP:
		if (s->af == AF_INET)
			tap_udp4_send(c, *inany_v4(&s->dst), s->dport,
				      *inany_v4(&s->src), s->sport,
				      buf + 8, len - 8);
		else
			tap_udp6_send(c, &s->dst.a6, s->dport, &s->src.a6,
				      s->sport, buf + 8, len - 8);
		break;
	case IPPROTO_ICMP:
		buf[0] = ICMP_ECHOREPLY;
		tap_icmp4_send(c, *inany_v4(&s->dst), *inany_v4(&s->src),
			       buf, len);
		break;
	case IPPROTO_ICMPV6:
		buf[0] = ICMP6_ECHO_REPLY;
		tap_icmp6_send(c, &s->dst.a6, &s->src.a6, buf, len);
		break;
	default:
		break;
	}
}

/**
 * fuzz_l4_handler() - Stub for tcp.c, udp.c, icmp.c: check a group
 * @c:		Execution context
 * @s:		Packets of one flow
 * @now:	Current time
 */
static void fuzz_l4_handler(struct ctx *c, const struct tap_l4_seq *s,
			    const struct timespec *now)
{
	unsigned i, last = 0;
	uint32_t sum = 0;

	(void)now;
	if (!fuzz_handled) {
		/* Still set while handlers run: what was queued */
		fuzz_expected = tap_l4_count;
		fuzz_handled = true;
	}
	FUZZ_CHECK(s->count >= 1);
	fuzz_delivered += s->count;
	FUZZ_CHECK(fuzz_delivered <= fuzz_expected);

	switch (s->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		FUZZ_CHECK(s->af == AF_INET || s->af == AF_INET6);
		break;
	case IPPROTO_ICMP:
		FUZZ_CHECK(s->af == AF_INET && !s->dport);
		break;
	case IPPROTO_ICMPV6:
		FUZZ_CHECK(s->af == AF_INET6 && !s->dport);
		break;
	default:
		FUZZ_CHECK(!"group of an unregistered protocol");
	}
	FUZZ_CHECK((s->af == AF_INET) == !!inany_v4(&s->src));
	FUZZ_CHECK((s->af == AF_INET) == !!inany_v4(&s->dst));

	for (i = 0; i < s->count; i++) {
		const struct pkt *p = &s->pkts[i];
		unsigned f = fuzz_frame_of(p);
		uint16_t a, b;
		size_t j;

		/* One packet per frame, in arrival order within the group */
		FUZZ_CHECK(!fuzz_frame_used[f]);
		fuzz_frame_used[f] = true;
		FUZZ_CHECK(!i || f > last);
		last = f;

		/* Every packet is of the group's flow */
		if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP) {
			FUZZ_CHECK(pkt_be16(p, 0, &a) && pkt_be16(p, 2, &b));
			FUZZ_CHECK(a == s->sport && b == s->dport);
		} else {
			uint8_t type;

			FUZZ_CHECK(pkt_u8(p, 0, &type) && pkt_be16(p, 4, &a));
			FUZZ_CHECK(type == (s->proto == IPPROTO_ICMP ?
					    ICMP_ECHO : ICMP6_ECHO_REQUEST));
			FUZZ_CHECK(a == s->sport);
		}

		/* Touch every byte: a view past its frame is caught */
		for (j = 0; j < p->len; j++)
			sum += p->data[j];

		tap_buf_pin(c, p->buf);
		tap_buf_unpin(c, p->buf);
	}
	(void)sum;

	fuzz_echo(c, s, &s->pkts[0]);
}

/**
 * fuzz_check_l4() - Check the L4 part of a frame we sent
 * @af:		AF_INET or AF_INET6
 * @proto:	L4 protocol
 * @l3:		Network header
 * @l4:		L4 header and payload
 * @l4len:	Its length
 */
static void fuzz_check_l4(int af, uint8_t proto, const uint8_t *l3,
			  const uint8_t *l4, size_t l4len)
{
	uint32_t sum = 0;

	if (af == AF_INET) {
		struct in_addr s, d;

		memcpy(&s, l3 + 12, 4);
		memcpy(&d, l3 + 16, 4);
		if (proto != IPPROTO_ICMP)
			sum = csum_pseudo4((uint16_t)l4len, proto, s, d);
	} else {
		struct in6_addr s, d;

		memcpy(&s, l3 + 8, 16);
		memcpy(&d, l3 + 24, 16);
		sum = csum_pseudo6((uint32_t)l4len, proto, &s, &d);
	}

	switch (proto) {
	case IPPROTO_UDP:
		FUZZ_CHECK(l4len >= 8);
		FUZZ_CHECK(((size_t)l4[4] << 8 | l4[5]) == l4len);
		FUZZ_CHECK(!csum_fold(csum_partial(l4, l4len, sum)));
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		FUZZ_CHECK(l4len >= 8);
		FUZZ_CHECK(!csum_fold(csum_partial(l4, l4len, sum)));
		break;
	default:
		FUZZ_CHECK(!"unexpected protocol sent to the guest");
	}
}

/**
 * fuzz_check_frame() - Check one frame we sent to the guest
 * @f:		Frame
 * @len:	Length
 */
static void fuzz_check_frame(const uint8_t *f, size_t len)
{
	uint16_t type;

	FUZZ_CHECK(len >= ETH_HLEN_ && len <= TAP_FRAME_MAX);
	FUZZ_CHECK(!memcmp(f + 6, fuzz_c.our_tap_mac, MAC_LEN));
	type = (uint16_t)(f[12] << 8 | f[13]);

	switch (type) {
	case ETHERTYPE_ARP:
		FUZZ_CHECK(len == 42);
		break;
	case ETHERTYPE_IP: {
		const uint8_t *ip = f + ETH_HLEN_;

		FUZZ_CHECK(len >= ETH_HLEN_ + 20);
		FUZZ_CHECK(ip[0] == 0x45);
		FUZZ_CHECK(((size_t)ip[2] << 8 | ip[3]) == len - ETH_HLEN_);
		FUZZ_CHECK(!csum_fold(csum_partial(ip, 20, 0)));
		fuzz_check_l4(AF_INET, ip[9], ip, ip + 20,
			      len - ETH_HLEN_ - 20);
		break;
	}
	case ETHERTYPE_IPV6: {
		const uint8_t *ip = f + ETH_HLEN_;

		FUZZ_CHECK(len >= ETH_HLEN_ + 40);
		FUZZ_CHECK((ip[0] >> 4) == 6);
		FUZZ_CHECK(((size_t)ip[4] << 8 | ip[5]) ==
			   len - ETH_HLEN_ - 40);
		fuzz_check_l4(AF_INET6, ip[6], ip, ip + 40,
			      len - ETH_HLEN_ - 40);
		break;
	}
	default:
		FUZZ_CHECK(!"unexpected ethertype sent to the guest");
	}
}

/**
 * fuzz_drain() - Read and check what was sent to the guest so far
 * @stream:	Stream backend: frames have a 4-byte length prefix
 */
static void fuzz_drain(bool stream)
{
	for (;;) {
		ssize_t n = recv(fuzz_peer, fuzz_rx + fuzz_rx_len,
				 sizeof(fuzz_rx) - fuzz_rx_len, MSG_DONTWAIT);
		size_t off = 0;

		if (n <= 0)
			break;
		if (!stream) {
			fuzz_check_frame(fuzz_rx, (size_t)n);
			continue;
		}

		fuzz_rx_len += (size_t)n;
		while (fuzz_rx_len - off >= 4) {
			uint32_t flen;

			memcpy(&flen, fuzz_rx + off, 4);
			flen = ntohl(flen);
			FUZZ_CHECK(flen >= ETH_HLEN_ && flen <= TAP_FRAME_MAX);
			if (fuzz_rx_len - off - 4 < flen)
				break;
			fuzz_check_frame(fuzz_rx + off + 4, flen);
			off += 4 + flen;
		}
		memmove(fuzz_rx, fuzz_rx + off, fuzz_rx_len - off);
		fuzz_rx_len -= off;
	}
}

/**
 * fuzz_reset() - Start an input from scratch: context, tap.c state, link
 * @flags:	FUZZ_F_* flags
 */
static void fuzz_reset(uint8_t flags)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_ICMP, IPPROTO_ICMPV6 };
	enum fuzz_variant v = FUZZ_CTX_FULL;
	int sv[2], sndbuf = FUZZ_SNDBUF;
	unsigned i;

	if (flags & FUZZ_F_BARE)
		v = FUZZ_CTX_BARE;
	else if (flags & FUZZ_F_SMALL)
		v = FUZZ_CTX_SMALL;
	fuzz_ctx_fill(&fuzz_c, v);
	fuzz_c.mode = flags & FUZZ_F_PASST ? MODE_PASST : MODE_PASTA;
	fuzz_c.ifi4_on = !(flags & FUZZ_F_NO_IPV4);
	fuzz_c.ifi6_on = !(flags & FUZZ_F_NO_IPV6);
	fuzz_c.no_dhcp = fuzz_c.no_ndp = fuzz_c.no_dhcpv6 =
		!!(flags & FUZZ_F_NO_SERVICES);
	fuzz_c.no_ra = !!(flags & FUZZ_F_NO_RA);
	fuzz_c.epollfd = fuzz_epollfd;

	/* tap.c state, as if the daemon had just started */
	memset(tap_bufs, 0, sizeof(tap_bufs));
	tap_buf_cur = 0;
	tap_rx_blocked = false;
	tap_stream_partial = tap_stream_partial_off = 0;
	tap_stream_pending_len = tap_stream_pending_off = 0;
	memset(tap_seqs, 0, sizeof(tap_seqs));
	memset(tap_seq_hash, 0, sizeof(tap_seq_hash));
	tap_seq_count = tap_l4_count = 0;
	tap_seq_gen = 1;
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		tap_register_l4(protos[i], flags & FUZZ_F_NO_L4 ?
				NULL : fuzz_l4_handler);

	if (socketpair(AF_UNIX, (flags & FUZZ_F_PASST ? SOCK_STREAM :
				 SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv))
		FUZZ_CHECK(!"socketpair");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	fuzz_c.fd_tap = sv[0];
	fuzz_peer = sv[1];
	fuzz_rx_len = 0;
	FUZZ_CHECK(!epoll_add(fuzz_epollfd, tap_rx_events(),
			      tap_epoll_ref(&fuzz_c)));
}

/**
 * fuzz_batch() - Hand the frames collected so far to tap_handle_frames()
 * @now:	Time for the handlers
 */
static void fuzz_batch(const struct timespec *now)
{
	unsigned i;

	for (i = 0; i < fuzz_nframes; i++) {
		fuzz_by_addr[i] = i;
		fuzz_frame_used[i] = false;
	}
	qsort(fuzz_by_addr, fuzz_nframes, sizeof(fuzz_by_addr[0]),
	      fuzz_cmp_addr);

	fuzz_expected = fuzz_delivered = 0;
	fuzz_handled = false;
	tap_handle_frames(&fuzz_c, fuzz_frames, fuzz_nframes, now);
	FUZZ_CHECK(fuzz_delivered == fuzz_expected);
	FUZZ_CHECK(!tap_seq_count && !tap_l4_count);

	fuzz_drain(fuzz_c.mode == MODE_PASST);
	for (i = 0; i < fuzz_nframes; i++)
		free(fuzz_bufs[i]);
	fuzz_nframes = 0;
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
	/* Fixed key: the same input groups the same way on every run */
	memset(&tap_hash_key, 0x5a, sizeof(tap_hash_key));
	fuzz_epollfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_CHECK(fuzz_epollfd >= 0);
	FUZZ_CHECK(!pcap_init("/dev/null"));
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed batches of guest frames to tap.c
 * @data:	Flags byte, then records, see the top of this file
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec now = { .tv_sec = 1000 };
	size_t off = 1;
	unsigned batches = 0;

	if (!size)
		return 0;
	fuzz_reset(data[0]);

	while (off + 2 <= size && batches < FUZZ_BATCHES) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		unsigned idle = 0;

		off += 2;
		if (len != FUZZ_SEP) {
			uint8_t *buf;

			len = MIN(len, size - off);
			/* Harness only: an exact-size heap copy per frame, so
			 * ASan flags any read one byte past its end
			 */
			buf = malloc(len ? len : 1);
			FUZZ_CHECK(buf);
			memcpy(buf, data + off, len);
			off += len;
			fuzz_bufs[fuzz_nframes] = buf;
			fuzz_frames[fuzz_nframes] = pkt_init(buf, len,
				(uint16_t)(fuzz_nframes % TAP_BUF_COUNT));
			if (++fuzz_nframes < TAP_BATCH_MAX)
				continue;
		} else if (off < size) {
			idle = data[off++];
			if (idle >= FUZZ_IDLE_LAP)
				idle = FUZZ_GEN_PERIOD - (0x100 - idle);
		}

		if (fuzz_nframes)
			fuzz_batch(&now);
		batches++;
		/* Batches of ARP frames, say: nothing queued, then a flush */
		while (idle--)
			tap_handle_frames(&fuzz_c, NULL, 0, &now);
		now.tv_nsec += 1000;
	}
	if (fuzz_nframes)
		fuzz_batch(&now);

	close(fuzz_c.fd_tap);		/* leaves the epoll set with it */
	close(fuzz_peer);
	return 0;
}
