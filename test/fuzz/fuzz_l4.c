// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_l4.c - libFuzzer harness for the real TCP, UDP and ICMP handlers
 *
 * Guest frames go through tap_handle_frames() to the real tcp.c, tcp_buf.c,
 * udp.c and icmp.c, which open real sockets: so that those reach nothing,
 * LLVMFuzzerInitialize() moves the process into a new user and network
 * namespace of its own (as root, a network namespace alone if a user
 * namespace can't be made), where only lo exists. The gateway address is
 * mapped to that lo, as the daemon maps it to the host's, and the harness
 * runs there what a host would: TCP servers on 127.0.0.1 and ::1 port
 * FUZZ_TCP_PORT (they send a greeting, then echo), UDP echo servers on
 * FUZZ_UDP_PORT, and the kernel answers pings. Anything else is refused
 * or unreachable inside the empty namespace.
 *
 * Input layout:
 *
 *	byte 0		flags, FUZZ_F_* below
 *	then records	2-byte big-endian length L, then L bytes of frame
 *			(cut short at the end of the input), or
 *			L = 0xffff, then a byte T: end of the batch, then
 *			T / 16 + 1 rounds of events (at most FUZZ_ROUNDS),
 *			and the clock moves on by (T % 16) * 2 s
 *
 * Up to FUZZ_BATCHES batches of up to TAP_BATCH_MAX frames go to
 * tap_handle_frames(), each frame in a heap buffer of its own exact size
 * (kept until the end of the input: TCP may pin receive buffers). After
 * each batch, the harness does what the main loop does: epoll_wait() with
 * no timeout, the events dispatched to the real socket and timer handlers,
 * then flow_defer_handler(); and it serves its own sockets.
 *
 * With FUZZ_F_VNET, each frame starts with a virtio-net header (10 bytes,
 * struct virtio_net_hdr), read by tap_vnet_in() as pasta's tap and the
 * vhost-user transmit queue read theirs: GSO types and sizes, checksum
 * flags, as the input has them (a frame the header makes us drop is
 * dropped). With FUZZ_F_ACK_REL, the acknowledgement number of every TCP segment
 * from the guest is taken as relative to the next sequence number the
 * daemon will send on that connection (as seen on the tap link), so that
 * a fixed input can acknowledge data whatever the initial sequence number.
 *
 * What is checked: every frame sent to the guest (lengths at each layer,
 * IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums); and at the end of
 * each input, once every flow is timed out (the clock jumps past every
 * timeout and the TCP timer handler runs for each connection), that the
 * flow table is empty, no receive buffer is left pinned, and no
 * descriptor was left open. So each input starts from the same state.
 *
 * Reproduce one input with its log: FUZZ_VERBOSE=1 test/fuzz/fuzz_l4 FILE
 *
 * tap.c is included (its state is reset between inputs); rand_bytes() is
 * wrapped (-Wl,--wrap=rand_bytes) to give fixed keys, so that initial
 * sequence numbers and hashes don't change between runs of one input.
 */

#include "../../tap.c"
#include "fixture.h"

#include <dirent.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "flow.h"
#include "tcp.h"
#include "udp.h"
#include "zerocopy.h"
#include "icmp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void __wrap_rand_bytes(void *buf, size_t len);

#define FUZZ_F_ACK_REL		0x01	/* TCP ack relative to our next seq */
#define FUZZ_F_NO_IPV4		0x02
#define FUZZ_F_NO_IPV6		0x04
#define FUZZ_F_SMALL		0x08	/* FUZZ_CTX_SMALL: MTU 576 */
#define FUZZ_F_MUTE		0x10	/* our servers neither send nor echo */
#define FUZZ_F_NO_L4		0x20	/* --no-tcp --no-udp --no-icmp */
#define FUZZ_F_VNET		0x40	/* frames start with a virtio-net header */
#define VNET_LEN		sizeof(struct virtio_net_hdr)

#define FUZZ_FLOWS		128
#define FUZZ_BATCHES		8
#define FUZZ_ROUNDS		8
#define FUZZ_SEP		0xffff
#define FUZZ_TCP_PORT		8080
#define FUZZ_UDP_PORT		5353
#define FUZZ_CONNS		32	/* accepted connections kept */
#define FUZZ_GREETING		3000	/* bytes each accepted one gets */
#define FUZZ_TRACK		32	/* TCP connections tracked for ACK_REL */
#define FUZZ_FRAMES_MAX		(FUZZ_BATCHES * TAP_BATCH_MAX)

static struct ctx fuzz_c;
static int fuzz_epollfd = -1;
static int fuzz_peer = -1;		/* the guest's end of the link */
static uint8_t fuzz_flags;
static int fuzz_fds_base = -1;		/* descriptors open between inputs */
static bool fuzz_verbose;		/* FUZZ_VERBOSE: log, frames sent */

/* Our servers: TCP listeners and UDP echo sockets, IPv4 and IPv6 */
static int fuzz_tcp_srv[2] = { -1, -1 };
static int fuzz_udp_srv[2] = { -1, -1 };
static int fuzz_conns[FUZZ_CONNS];
static unsigned fuzz_nconns;

/* Frames of the current input, freed at its end */
static struct pkt fuzz_frames[TAP_BATCH_MAX];
static uint8_t *fuzz_bufs[FUZZ_FRAMES_MAX];
static unsigned fuzz_nbufs;
static unsigned fuzz_nframes;

/**
 * struct fuzz_track - Next sequence number we send on a TCP connection
 * @gport:	Guest's port
 * @rport:	Remote port
 * @v6:		IPv6
 * @next:	Sequence number after the last one sent to the guest
 * @used:	Entry in use
 */
struct fuzz_track {
	uint16_t gport, rport;
	bool v6;
	uint32_t next;
	bool used;
};
static struct fuzz_track fuzz_track[FUZZ_TRACK];
static unsigned fuzz_track_next;

static uint8_t fuzz_rx[ETH_MAX_MTU + 1024];

/**
 * __wrap_rand_bytes() - Fixed "random" bytes: the same keys on every run
 * @buf:	Buffer
 * @len:	Its length
 */
void __wrap_rand_bytes(void *buf, size_t len)
{
	memset(buf, 0x5a, len);
}

/**
 * fuzz_write_file() - Write a short string to a file
 * @path:	File
 * @s:		String
 *
 * Return: 0 on success, -1 on failure
 */
static int fuzz_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/**
 * fuzz_isolate() - Move into an empty network namespace, or abort
 *
 * The real handlers open sockets and send: they must not reach the
 * machine's network. A user namespace first, so that this works without
 * root; root without user namespaces still gets a network namespace.
 */
static void fuzz_isolate(void)
{
	char before[64] = "", after[64] = "", map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct ifreq ifr;
	int s;

	if (readlink("/proc/self/ns/net", before, sizeof(before) - 1) < 0)
		FUZZ_CHECK(!"can't read /proc/self/ns/net");

	if (!unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		/* Be root inside, for lo and the sysctl below */
		fuzz_write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		fuzz_write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		fuzz_write_file("/proc/self/gid_map", map);
	} else if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "fuzz_l4: can't make a network namespace (%s): "
			"refusing to run the real handlers outside one\n",
			strerror(errno));
		abort();
	}

	if (readlink("/proc/self/ns/net", after, sizeof(after) - 1) < 0 ||
	    !strcmp(before, after)) {
		fprintf(stderr, "fuzz_l4: still in network namespace %s\n",
			before);
		abort();
	}

	/* lo up: the gateway maps to it, and our servers listen there */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(s >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	FUZZ_CHECK(!ioctl(s, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags |= IFF_UP;
	FUZZ_CHECK(!ioctl(s, SIOCSIFFLAGS, &ifr));
	close(s);

	/* Ping sockets for everyone here; without it, icmp.c's socket()
	 * fails and the reply paths are never taken
	 */
	if (fuzz_write_file("/proc/sys/net/ipv4/ping_group_range",
			    "0 2147483647"))
		/* In a user namespace, only the groups mapped there */
		fuzz_write_file("/proc/sys/net/ipv4/ping_group_range", "0 0");
}

/**
 * fuzz_server() - Open one of our servers on the loopback
 * @af:		AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @port:	Port
 *
 * Return: socket
 */
static int fuzz_server(int af, int type, uint16_t port)
{
	int s = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	FUZZ_CHECK(s >= 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		FUZZ_CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)));
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6,
					  .sin6_port = htons(port),
					  .sin6_addr = IN6ADDR_LOOPBACK_INIT };

		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		FUZZ_CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)));
	}
	if (type == SOCK_STREAM)
		FUZZ_CHECK(!listen(s, 64));
	return s;
}

/**
 * fuzz_serve() - What a host's servers would do: accept, greet, echo
 */
static void fuzz_serve(void)
{
	static uint8_t buf[65536];
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct sockaddr_storage a;
		socklen_t alen;
		ssize_t n;
		int s;

		while (fuzz_nconns < FUZZ_CONNS &&
		       (s = accept4(fuzz_tcp_srv[i], NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			fuzz_conns[fuzz_nconns++] = s;
			if (!(fuzz_flags & FUZZ_F_MUTE)) {
				memset(buf, 'g', FUZZ_GREETING);
				n = send(s, buf, FUZZ_GREETING, MSG_NOSIGNAL);
				(void)n;
			}
		}

		alen = sizeof(a);
		while ((n = recvfrom(fuzz_udp_srv[i], buf, sizeof(buf), 0,
				     (struct sockaddr *)&a, &alen)) >= 0) {
			if (!(fuzz_flags & FUZZ_F_MUTE))
				sendto(fuzz_udp_srv[i], buf, (size_t)n, 0,
				       (struct sockaddr *)&a, alen);
			alen = sizeof(a);
		}
	}

	for (i = 0; i < fuzz_nconns; i++) {
		ssize_t n = recv(fuzz_conns[i], buf, sizeof(buf), 0);

		if (n > 0 && !(fuzz_flags & FUZZ_F_MUTE))
			(void)send(fuzz_conns[i], buf, (size_t)n,
				   MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

/**
 * fuzz_track_find() - Tracking entry of a TCP connection
 * @gport:	Guest's port
 * @rport:	Remote port
 * @v6:		IPv6
 * @add:	Take a new entry if there's none
 *
 * Return: entry, or NULL
 */
static struct fuzz_track *fuzz_track_find(uint16_t gport, uint16_t rport,
					  bool v6, bool add)
{
	struct fuzz_track *t;
	unsigned i;

	for (i = 0; i < FUZZ_TRACK; i++) {
		t = &fuzz_track[i];
		if (t->used && t->gport == gport && t->rport == rport &&
		    t->v6 == v6)
			return t;
	}
	if (!add)
		return NULL;
	t = &fuzz_track[fuzz_track_next++ % FUZZ_TRACK];
	t->used = true;
	t->gport = gport;
	t->rport = rport;
	t->v6 = v6;
	return t;
}

/**
 * fuzz_check_l4() - Check the L4 part of a frame sent to the guest
 * @v6:		IPv6
 * @proto:	L4 protocol
 * @l3:		Network header
 * @l4:		L4 header and payload
 * @l4len:	Its length
 */
static void fuzz_check_l4(bool v6, uint8_t proto, const uint8_t *l3,
			  const uint8_t *l4, size_t l4len)
{
	uint32_t sum = 0;

	if (!v6) {
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
	case IPPROTO_TCP: {
		struct fuzz_track *t;
		size_t doff;
		uint32_t seq;

		FUZZ_CHECK(l4len >= 20);
		doff = (size_t)(l4[12] >> 4) * 4;
		FUZZ_CHECK(doff >= 20 && doff <= l4len);
		FUZZ_CHECK(!csum_fold(csum_partial(l4, l4len, sum)));
		/* Remember where the next segment starts, for ACK_REL */
		memcpy(&seq, l4 + 4, 4);
		t = fuzz_track_find((uint16_t)(l4[2] << 8 | l4[3]),
				    (uint16_t)(l4[0] << 8 | l4[1]), v6,
				    !!(l4[13] & TH_SYN));
		if (t)
			t->next = ntohl(seq) + (uint32_t)(l4len - doff) +
				  !!(l4[13] & TH_SYN) + !!(l4[13] & TH_FIN);
		if (fuzz_verbose)
			fprintf(stderr, "to guest: TCP%c %u -> %u flags 0x%02x "
				"seq %u ack %u win %u, %zu bytes\n",
				v6 ? '6' : '4', l4[0] << 8 | l4[1],
				l4[2] << 8 | l4[3], l4[13], ntohl(seq),
				(unsigned)(l4[8] << 24 | l4[9] << 16 |
					   l4[10] << 8 | l4[11]),
				l4[14] << 8 | l4[15], l4len - doff);
		break;
	}
	case IPPROTO_UDP:
		FUZZ_CHECK(l4len >= 8);
		FUZZ_CHECK(((size_t)l4[4] << 8 | l4[5]) == l4len);
		if (fuzz_verbose)
			fprintf(stderr, "to guest: UDP%c %u -> %u, %zu bytes\n",
				v6 ? '6' : '4', l4[0] << 8 | l4[1],
				l4[2] << 8 | l4[3], l4len - 8);
		/* IPv4 may go without one, see tap_l4_csum() */
		if (v6 || l4[6] || l4[7])
			FUZZ_CHECK(!csum_fold(csum_partial(l4, l4len, sum)));
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		FUZZ_CHECK(l4len >= 8);
		FUZZ_CHECK(!csum_fold(csum_partial(l4, l4len, sum)));
		if (fuzz_verbose)
			fprintf(stderr, "to guest: ICMP%s type %u, %zu bytes\n",
				v6 ? "v6" : "", l4[0], l4len);
		break;
	default:
		FUZZ_CHECK(!"unexpected protocol sent to the guest");
	}
}

/**
 * fuzz_check_frame() - Check one frame sent to the guest
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
		size_t tot;

		FUZZ_CHECK(len >= ETH_HLEN_ + 20);
		FUZZ_CHECK(ip[0] == 0x45);
		tot = (size_t)ip[2] << 8 | ip[3];
		FUZZ_CHECK(tot == len - ETH_HLEN_);
		FUZZ_CHECK(!csum_fold(csum_partial(ip, 20, 0)));
		if (fuzz_c.mtu)
			FUZZ_CHECK(tot <= fuzz_c.mtu);
		fuzz_check_l4(false, ip[9], ip, ip + 20, tot - 20);
		break;
	}
	case ETHERTYPE_IPV6: {
		const uint8_t *ip = f + ETH_HLEN_;
		size_t plen;

		FUZZ_CHECK(len >= ETH_HLEN_ + 40);
		FUZZ_CHECK((ip[0] >> 4) == 6);
		plen = (size_t)ip[4] << 8 | ip[5];
		FUZZ_CHECK(plen == len - ETH_HLEN_ - 40);
		if (fuzz_c.mtu)
			FUZZ_CHECK(plen + 40 <= MAX(fuzz_c.mtu, MTU_MIN_IPV6));
		fuzz_check_l4(true, ip[6], ip, ip + 40, plen);
		break;
	}
	default:
		FUZZ_CHECK(!"unexpected ethertype sent to the guest");
	}
}

/**
 * fuzz_drain() - Read and check every frame sent to the guest so far
 */
static void fuzz_drain(void)
{
	ssize_t n;

	while ((n = recv(fuzz_peer, fuzz_rx, sizeof(fuzz_rx),
			 MSG_DONTWAIT)) > 0)
		fuzz_check_frame(fuzz_rx, (size_t)n);
}

/**
 * fuzz_vnet() - Take a frame's virtio-net header off, FUZZ_F_VNET
 * @f:		View of the frame, header first: moved past it, @gso and
 *		@csum_ok set as the header says
 *
 * Return: false if the frame is to be dropped (too short, or so says
 *	   tap_vnet_in())
 */
static bool fuzz_vnet(struct pkt *f)
{
	struct virtio_net_hdr vh;

	if (!pkt_copy(f, 0, &vh, sizeof(vh)) ||
	    !pkt_tail(f, sizeof(vh), f))
		return false;
	return tap_vnet_in(&vh, f);
}

/**
 * fuzz_ack_rel() - Make a guest TCP segment's ack relative, FUZZ_F_ACK_REL
 * @f:		Frame, changed in place
 * @len:	Its length
 */
static void fuzz_ack_rel(uint8_t *f, size_t len)
{
	const struct fuzz_track *t;
	size_t l4off;
	uint32_t ack;
	bool v6;

	if (len < ETH_HLEN_ + 1)
		return;
	if (f[12] == 0x08 && f[13] == 0x00 && len >= ETH_HLEN_ + 20 &&
	    f[ETH_HLEN_ + 9] == IPPROTO_TCP) {
		l4off = ETH_HLEN_ + (size_t)(f[ETH_HLEN_] & 0xf) * 4;
		v6 = false;
	} else if (f[12] == 0x86 && f[13] == 0xdd && len >= ETH_HLEN_ + 40 &&
		   f[ETH_HLEN_ + 6] == IPPROTO_TCP) {
		l4off = ETH_HLEN_ + 40;
		v6 = true;
	} else {
		return;
	}
	if (len < l4off + 20)
		return;
	t = fuzz_track_find((uint16_t)(f[l4off] << 8 | f[l4off + 1]),
			    (uint16_t)(f[l4off + 2] << 8 | f[l4off + 3]), v6,
			    false);
	if (!t)
		return;
	memcpy(&ack, f + l4off + 8, 4);
	ack = htonl(ntohl(ack) + t->next);
	memcpy(f + l4off + 8, &ack, 4);
}

/**
 * fuzz_events() - Rounds of the main loop: events, deferred work, servers
 * @rounds:	At most this many rounds, fewer if nothing happens
 * @now:	Current time
 */
static void fuzz_events(unsigned rounds, const struct timespec *now)
{
	struct epoll_event ev[64];
	unsigned r;

	for (r = 0; r < rounds; r++) {
		int n, i;

		fuzz_serve();
		/* Before the main loop would sleep */
		tcp_ack_flush(&fuzz_c, true, now);
		n = epoll_wait(fuzz_epollfd, ev, ARRAY_SIZE(ev), 0);
		for (i = 0; i < n; i++) {
			union epoll_ref ref = { .u64 = ev[i].data.u64 };

			switch (ref.type) {
			case EPOLL_TYPE_TAP_PASTA:
				tap_handler_pasta(&fuzz_c, ev[i].events, now);
				break;
			case EPOLL_TYPE_PING:
				icmp_sock_handler(&fuzz_c, ref);
				break;
			case EPOLL_TYPE_TCP:
				tcp_sock_handler(&fuzz_c, ref, ev[i].events,
						 now);
				break;
			case EPOLL_TYPE_UDP_REPLY:
				udp_reply_handler(&fuzz_c, ref, ev[i].events,
						  now);
				break;
			default:
				fprintf(stderr, "event of type %u\n", ref.type);
				FUZZ_CHECK(!"event nobody here should cause");
			}
		}
		tcp_ack_flush(&fuzz_c, false, now);
		flow_deadline_run(&fuzz_c, now);
		flow_defer_handler();
		fuzz_drain();
		if (n <= 0)
			break;
	}
}

/**
 * fuzz_count_fds() - Number of open sockets and other anonymous
 *		      inodes: what the handlers open
 *
 * Pipes and files are left out: the sanitizers' symbolizer, started the
 * first time libFuzzer prints a new function, keeps two pipes open.
 *
 * Return: count
 */
static int fuzz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	FUZZ_CHECK(d);
	while ((e = readdir(d))) {
		char p[64], t[64] = "";

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		if (readlink(p, t, sizeof(t) - 1) < 0)
			continue;
		n += !strncmp(t, "socket:", 7) || !strncmp(t, "anon_inode:", 11);
	}
	closedir(d);
	return n;
}

/**
 * fuzz_list_fds() - Print the open descriptors, for a failed check
 */
static void fuzz_list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[64], t[128] = "";
		struct sockaddr_storage a;
		socklen_t alen = sizeof(a);
		int fd, type = 0;
		socklen_t tlen = sizeof(type);

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		if (readlink(p, t, sizeof(t) - 1) < 0)
			continue;
		fprintf(stderr, "  fd %d: %s", fd, t);
		if (!getsockname(fd, (struct sockaddr *)&a, &alen) &&
		    !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen)) {
			char s[INET6_ADDRSTRLEN] = "";
			unsigned port = 0;

			if (a.ss_family == AF_INET) {
				const struct sockaddr_in *a4 = (void *)&a;

				inet_ntop(AF_INET, &a4->sin_addr, s, sizeof(s));
				port = ntohs(a4->sin_port);
			} else if (a.ss_family == AF_INET6) {
				const struct sockaddr_in6 *a6 = (void *)&a;

				inet_ntop(AF_INET6, &a6->sin6_addr, s,
					  sizeof(s));
				port = ntohs(a6->sin6_port);
			}
			fprintf(stderr, " family %u type %d [%s]:%u",
				a.ss_family, type, s, port);
		}
		fprintf(stderr, "\n");
	}
	closedir(d);
}

/**
 * fuzz_finish() - Time every flow out, check nothing is left behind
 * @now:	Current time
 */
static void fuzz_finish(const struct timespec *now)
{
	/* Past every timeout (UDP's and ICMP's), then the guest leaves: every
	 * flow with a side on the tap is aborted, as when a passt guest
	 * disconnects (idle TCP connections have no timeout of their own)
	 */
	struct timespec far = { .tv_sec = now->tv_sec + 3 * 3600 };
	unsigned i, b;

	fuzz_events(FUZZ_ROUNDS, now);
	tcp_ack_flush(&fuzz_c, true, now);
	flow_timer_handler(&fuzz_c, &far);
	flow_tap_reset(&fuzz_c);
	flow_defer_handler();
	fuzz_drain();

	if (flow_count()) {
		for (i = 0; i < flow_max(); i++) {
			const struct flow_common *f = flow_at(i);

			if (f->state != FLOW_STATE_FREE)
				fprintf(stderr, "flow %u: %s, state %u\n", i,
					flow_type_str(f->type), f->state);
		}
		FUZZ_CHECK(!"flows left after the guest left");
	}
	for (b = 0; b < TAP_BUF_COUNT; b++)
		FUZZ_CHECK(!tap_bufs[b].pins);

	for (i = 0; i < fuzz_nconns; i++)
		close(fuzz_conns[i]);
	fuzz_nconns = 0;
	close(fuzz_c.fd_tap);		/* leaves the epoll set with it */
	close(fuzz_peer);
	fuzz_c.fd_tap = fuzz_peer = -1;
	for (i = 0; i < fuzz_nbufs; i++)
		free(fuzz_bufs[i]);
	fuzz_nbufs = 0;

	/* Servers' queues: nothing of this input reaches the next one */
	fuzz_flags |= FUZZ_F_MUTE;
	fuzz_serve();
	for (i = 0; i < fuzz_nconns; i++)
		close(fuzz_conns[i]);
	fuzz_nconns = 0;

	if (fuzz_fds_base < 0) {
		fuzz_fds_base = fuzz_count_fds();
	} else {
		int n = fuzz_count_fds();

		if (n != fuzz_fds_base) {
			fprintf(stderr, "%d descriptors open, %d before:\n", n,
				fuzz_fds_base);
			fuzz_list_fds();
		}
		FUZZ_CHECK(n == fuzz_fds_base);
	}
}

/**
 * fuzz_reset() - Start an input: context, tap.c state, link
 * @flags:	FUZZ_F_* flags
 */
static void fuzz_reset(uint8_t flags)
{
	int sv[2];

	fuzz_flags = flags;
	fuzz_ctx_fill(&fuzz_c, flags & FUZZ_F_SMALL ? FUZZ_CTX_SMALL :
						       FUZZ_CTX_FULL);
	/* Documentation addresses only, as the tests use */
	fuzz_c.ip4.dns[0] = fuzz_addr4("203.0.113.53");
	fuzz_c.ip4.dns_count = 1;
	fuzz_c.ip6.dns[0] = fuzz_addr6("2001:db8:53::53");
	fuzz_c.ip6.dns_count = 1;
	fuzz_c.mode = MODE_PASTA;
	fuzz_c.ifi4_on = !(flags & FUZZ_F_NO_IPV4);
	fuzz_c.ifi6_on = !(flags & FUZZ_F_NO_IPV6);
	fuzz_c.no_tcp = fuzz_c.no_udp = fuzz_c.no_icmp =
		!!(flags & FUZZ_F_NO_L4);
	fuzz_c.flow_max = FUZZ_FLOWS;
	fuzz_c.epollfd = fuzz_epollfd;

	memset(tap_bufs, 0, sizeof(tap_bufs));
	tap_buf_cur = 0;
	tap_rx_blocked = false;
	tap_stream_partial = tap_stream_partial_off = 0;
	tap_stream_pending_len = tap_stream_pending_off = 0;
	memset(tap_seqs, 0, sizeof(tap_seqs));
	memset(tap_seq_hash, 0, sizeof(tap_seq_hash));
	tap_seq_count = tap_l4_count = 0;
	tap_seq_gen = 1;
	memset(fuzz_track, 0, sizeof(fuzz_track));
	fuzz_track_next = 0;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv))
		FUZZ_CHECK(!"socketpair");
	fuzz_c.fd_tap = sv[0];
	fuzz_peer = sv[1];
	FUZZ_CHECK(!epoll_add(fuzz_epollfd, tap_rx_events(),
			      tap_epoll_ref(&fuzz_c)));
}

/**
 * fuzz_batch() - Hand the frames collected so far to tap_handle_frames()
 * @now:	Current time
 */
static void fuzz_batch(const struct timespec *now)
{
	tap_handle_frames(&fuzz_c, fuzz_frames, fuzz_nframes, now);
	FUZZ_CHECK(!tap_seq_count && !tap_l4_count);
	fuzz_nframes = 0;
	fuzz_drain();
}

/**
 * LLVMFuzzerInitialize() - Once: namespace, servers, the real modules
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	fuzz_isolate();
	fuzz_quiet_logs();
	/* To see what one input does: FUZZ_VERBOSE=1 ./fuzz_l4 INPUT */
	fuzz_verbose = !!getenv("FUZZ_VERBOSE");
	log_to_stderr(fuzz_verbose);

	fuzz_tcp_srv[0] = fuzz_server(AF_INET, SOCK_STREAM, FUZZ_TCP_PORT);
	fuzz_tcp_srv[1] = fuzz_server(AF_INET6, SOCK_STREAM, FUZZ_TCP_PORT);
	fuzz_udp_srv[0] = fuzz_server(AF_INET, SOCK_DGRAM, FUZZ_UDP_PORT);
	fuzz_udp_srv[1] = fuzz_server(AF_INET6, SOCK_DGRAM, FUZZ_UDP_PORT);

	memset(&tap_hash_key, 0x5a, sizeof(tap_hash_key));
	fuzz_epollfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_CHECK(fuzz_epollfd >= 0);
	FUZZ_CHECK(!pcap_init("/dev/null"));
	FUZZ_CHECK(!flow_init(FUZZ_FLOWS));

	/* What main() does, on a context with everything on */
	fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
	fuzz_c.epollfd = fuzz_epollfd;
	fuzz_c.flow_max = FUZZ_FLOWS;
	icmp_init(&fuzz_c);
	tcp_init(&fuzz_c);
	zc_init(&fuzz_c);
	udp_init(&fuzz_c);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed batches of guest frames to the handlers
 * @data:	Flags byte, then records, see the top of this file
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec now = { .tv_sec = 1000 };
	unsigned batches = 0;
	size_t off = 1;

	if (!size)
		return 0;
	fuzz_reset(data[0]);

	while (off + 2 <= size && batches < FUZZ_BATCHES) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		unsigned rounds = 1;

		off += 2;
		if (len != FUZZ_SEP) {
			uint8_t *buf;
			size_t hdr;

			len = MIN(len, size - off);
			/* Harness only: an exact-size heap copy per frame,
			 * so ASan flags a read one byte past its end
			 */
			buf = malloc(len ? len : 1);
			FUZZ_CHECK(buf);
			memcpy(buf, data + off, len);
			off += len;
			hdr = fuzz_flags & FUZZ_F_VNET ? MIN(len, VNET_LEN) : 0;
			if (fuzz_flags & FUZZ_F_ACK_REL)
				fuzz_ack_rel(buf + hdr, len - hdr);
			fuzz_bufs[fuzz_nbufs++] = buf;
			fuzz_frames[fuzz_nframes] = pkt_init(buf, len,
				(uint16_t)(fuzz_nframes % TAP_BUF_COUNT));
			if (fuzz_flags & FUZZ_F_VNET &&
			    !fuzz_vnet(&fuzz_frames[fuzz_nframes]))
				continue;
			if (++fuzz_nframes < TAP_BATCH_MAX)
				continue;
		} else if (off < size) {
			uint8_t t = data[off++];

			rounds = MIN(t / 16 + 1, FUZZ_ROUNDS);
			now.tv_sec += (t % 16) * 2;
		}

		if (fuzz_nframes)
			fuzz_batch(&now);
		fuzz_events(rounds, &now);
		batches++;
		now.tv_nsec += 1000;
	}
	if (fuzz_nframes)
		fuzz_batch(&now);

	fuzz_finish(&now);
	return 0;
}
