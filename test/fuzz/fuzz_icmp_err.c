// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_icmp_err.c - libFuzzer harness for udp.c's relay of ICMP errors
 *
 * Input layout:
 *
 *	byte 0		flags, FUZZ_F_* below: family, MTU (IPv4: unset, 576,
 *			296, 68; IPv6: unset, 1280, 1500, 65520), which side
 *	then records	of FUZZ_REC_LEN bytes, one per message on the error
 *			queue, as struct fuzz_rec says (cut short: ignored),
 *			each followed by the payload of the datagram the
 *			error is about, of the length the record gives (cut
 *			short at the end of the input)
 *
 * What the kernel would hand udp_sock_errs() on a flow socket's error
 * queue comes from the input instead: recvmsg() is wrapped
 * (-Wl,--wrap=recvmsg) and, on the flow's socket, gives each record in
 * turn: the payload (cut to the buffer, MSG_TRUNC then set), and control
 * messages as the record says: an IP_RECVERR or IPV6_RECVERR one with a
 * struct sock_extended_err and the offender's address, none, one of
 * another level, or two; then EAGAIN. Errors come from the network, so
 * the type, code and info fields are anything; the payload is what the
 * guest sent, so up to the largest datagram the guest can send.
 *
 * udp_sock_errs() runs on a flow from the guest (198.51.100.2 port 40000
 * to 203.0.113.10 port 53, or the IPv6 equivalents) as udp.c would have
 * it, or on a spliced flow, or on its tap side (FUZZ_F_*): only errors
 * about what the guest sent may reach the guest.
 *
 * Every frame sent to the guest (a datagram socket pair, as the pasta
 * backend) is checked: Ethernet, IP header, ICMP or ICMPv6 checksum, type
 * and code as the error said (or built from EMSGSIZE), the MTU where the
 * message has one, then the quoted datagram: an IP header from the guest
 * to the peer with the original length, the UDP header with the flow's
 * ports, and the payload's first bytes, as much as fits in a message of
 * 576 bytes (RFC 1812 4.3.2.3) or 1280 bytes (RFC 4443 2.4 (c)) in all,
 * and never more than the guest's MTU. No other frame may be sent.
 */

#include "../../udp.c"
#include "fixture.h"
#include "pcap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags);

#define FUZZ_F_V6		0x01
#define FUZZ_F_MTU_SHIFT	1	/* 2 bits: MTU, see above */
#define FUZZ_F_SPLICED		0x08	/* no tap side at all */
#define FUZZ_F_TAPSIDE		0x10	/* errors read on the guest's side */

#define FUZZ_RECS_MAX		(UDP_ERRQUEUE_BATCH + 4)
#define FUZZ_V4_PAYLOAD_MAX	65507	/* 65535 - 20 - 8 */
#define FUZZ_V6_PAYLOAD_MAX	65527	/* 65535 - 8 */

/**
 * struct fuzz_rec - One message of the error queue, as the input gives it
 * @cmsg:	Control messages: 0 the right one, 1 none, 2 another level,
 *		3 another level then the right one, 4 too little room (the
 *		control buffer is cut: MSG_CTRUNC), else the right one
 * @errno_sel:	ee_errno: EMSGSIZE, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH
 *		or the byte itself
 * @origin:	ee_origin, taken modulo 6 (NONE, LOCAL, ICMP, ICMP6, ...)
 * @type:	ee_type
 * @code:	ee_code
 * @info:	ee_info, big-endian
 * @len:	Payload length, big-endian
 */
struct fuzz_rec {
	uint8_t cmsg;
	uint8_t errno_sel;
	uint8_t origin;
	uint8_t type;
	uint8_t code;
	uint8_t info[4];
	uint8_t len[2];
} __attribute__((packed));
#define FUZZ_REC_LEN		sizeof(struct fuzz_rec)

/**
 * struct fuzz_msg - One decoded message of the error queue
 * @ee:		Extended error
 * @cmsg:	Control message layout, see struct fuzz_rec
 * @payload:	Payload of the offending datagram
 * @len:	Its length
 * @given:	The IP_RECVERR or IPV6_RECVERR message fitted and was given
 */
struct fuzz_msg {
	struct sock_extended_err ee;
	uint8_t cmsg;
	const uint8_t *payload;
	size_t len;
	bool given;
};

static struct ctx fuzz_c;
static int fuzz_peer = -1;		/* the guest's end of the link */
static int fuzz_sock = -1;		/* stands for the flow's socket */
static bool fuzz_v6;

static struct fuzz_msg fuzz_q[FUZZ_RECS_MAX];
static unsigned fuzz_qlen, fuzz_qnext;
static struct udp_flow fuzz_uf;
static uint8_t fuzz_rx[ETH_MAX_MTU];

/**
 * fuzz_put_cmsg() - Append a control message, as the kernel's put_cmsg()
 * @mh:		Message header: msg_controllen is the space used so far
 * @space:	Control buffer size
 * @level:	Level
 * @type:	Type
 * @d:		Data
 * @len:	Its length
 *
 * Return: true if it fitted
 */
static bool fuzz_put_cmsg(struct msghdr *mh, size_t space, int level,
			  int type, const void *d, size_t len)
{
	struct cmsghdr cm;
	uint8_t *at = (uint8_t *)mh->msg_control + mh->msg_controllen;

	if (space - mh->msg_controllen < CMSG_SPACE(len)) {
		mh->msg_flags |= MSG_CTRUNC;
		return false;
	}
	memset(at, 0, CMSG_SPACE(len));
	cm.cmsg_len = CMSG_LEN(len);
	cm.cmsg_level = level;
	cm.cmsg_type = type;
	memcpy(at, &cm, sizeof(cm));
	memcpy(CMSG_DATA((struct cmsghdr *)(void *)at), d, len);
	mh->msg_controllen += CMSG_SPACE(len);
	return true;
}

/**
 * __wrap_recvmsg() - recvmsg(), giving the input's queue on our socket
 * @fd:		Socket
 * @mh:		Message header
 * @flags:	Flags
 *
 * Return: payload bytes copied, or -1 with errno EAGAIN once the queue
 *	   is empty
 */
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	struct {
		struct sock_extended_err ee;
		union sockaddr_inany sa;
	} err;
	struct fuzz_msg *m;
	size_t space, n, elen;
	int level = fuzz_v6 ? SOL_IPV6 : SOL_IP;
	int type = fuzz_v6 ? IPV6_RECVERR : IP_RECVERR;
	int other = 1;

	if (fd != fuzz_sock)
		return __real_recvmsg(fd, mh, flags);
	FUZZ_CHECK(flags & MSG_ERRQUEUE);
	if (fuzz_qnext == fuzz_qlen) {
		errno = EAGAIN;
		return -1;
	}
	m = &fuzz_q[fuzz_qnext++];

	FUZZ_CHECK(mh->msg_iovlen == 1);
	n = MIN(m->len, mh->msg_iov[0].iov_len);
	memcpy(mh->msg_iov[0].iov_base, m->payload, n);
	mh->msg_flags = n < m->len ? MSG_TRUNC : 0;

	/* The offender: the peer, as the kernel reports it after the error */
	memset(&err, 0, sizeof(err));
	err.ee = m->ee;
	if (fuzz_v6) {
		err.sa.sa6.sin6_family = AF_INET6;
		err.sa.sa6.sin6_addr = fuzz_uf.f.side[TGTSIDE].eaddr.a6;
		elen = sizeof(err.ee) + sizeof(err.sa.sa6);
	} else {
		err.sa.sa4.sin_family = AF_INET;
		err.sa.sa4.sin_addr = *inany_v4(&fuzz_uf.f.side[TGTSIDE].eaddr);
		elen = sizeof(err.ee) + sizeof(err.sa.sa4);
	}

	space = mh->msg_controllen;
	if (m->cmsg == 4)
		space = CMSG_SPACE(sizeof(err.ee)) - 1;
	mh->msg_controllen = 0;
	switch (m->cmsg) {
	case 1:
		break;
	case 2:
		fuzz_put_cmsg(mh, space, SOL_SOCKET, SO_TIMESTAMP, &other,
			      sizeof(other));
		break;
	case 3:
		fuzz_put_cmsg(mh, space, SOL_SOCKET, SO_MARK, &other,
			      sizeof(other));
		m->given = fuzz_put_cmsg(mh, space, level, type, &err, elen);
		break;
	default:
		m->given = fuzz_put_cmsg(mh, space, level, type, &err, elen);
	}
	return (ssize_t)n;
}

/**
 * fuzz_relayed() - Should the guest hear of this error, and as what?
 * @m:		Message
 * @type:	ICMP or ICMPv6 type to expect, set if so
 * @code:	Code to expect
 *
 * Return: true if an error must be sent to the guest
 */
static bool fuzz_relayed(const struct fuzz_msg *m, uint8_t *type,
			 uint8_t *code)
{
	if (!m->given)
		return false;
	if (m->ee.ee_origin == (fuzz_v6 ? SO_EE_ORIGIN_ICMP6 :
					   SO_EE_ORIGIN_ICMP)) {
		*type = m->ee.ee_type;
		*code = m->ee.ee_code;
		return true;
	}
	if (m->ee.ee_errno == EMSGSIZE) {
		*type = fuzz_v6 ? ICMP6_PACKET_TOO_BIG : ICMP_DEST_UNREACH;
		*code = fuzz_v6 ? 0 : ICMP_FRAG_NEEDED;
		return true;
	}
	return false;
}

/**
 * fuzz_check_err() - Check one frame sent to the guest against a message
 * @f:		Frame
 * @len:	Its length
 * @m:		Message it is about
 */
static void fuzz_check_err(const uint8_t *f, size_t len,
			   const struct fuzz_msg *m)
{
	const struct flowside *ts = &fuzz_uf.f.side[INISIDE];
	size_t ipmax = fuzz_v6 ? 1280 : 576, l3, ilen, q, olen;
	unsigned mtu = fuzz_c.mtu ? fuzz_c.mtu : MTU_DEFAULT;
	uint8_t type = 0, code = 0;
	const uint8_t *ip = f + ETH_HLEN_, *icmp, *in, *uh;

	/* An IPv4 guest's MTU may be below 576; IPv6 takes 1280 at least */
	if (!fuzz_v6 && mtu < ipmax)
		ipmax = mtu;
	FUZZ_CHECK(fuzz_relayed(m, &type, &code));
	FUZZ_CHECK(len >= ETH_HLEN_);
	FUZZ_CHECK(!memcmp(f + 6, fuzz_c.our_tap_mac, MAC_LEN));
	l3 = len - ETH_HLEN_;
	FUZZ_CHECK(l3 <= ipmax);
	FUZZ_CHECK(l3 <= mtu);

	if (!fuzz_v6) {
		struct in_addr guest = *inany_v4(&ts->eaddr);
		struct in_addr peer = *inany_v4(&ts->oaddr);

		FUZZ_CHECK(f[12] == 0x08 && f[13] == 0x00);
		FUZZ_CHECK(l3 >= 20 + 8 + 20 + 8);
		FUZZ_CHECK(ip[0] == 0x45 && ip[9] == IPPROTO_ICMP);
		FUZZ_CHECK(((size_t)ip[2] << 8 | ip[3]) == l3);
		FUZZ_CHECK(!csum_fold(csum_partial(ip, 20, 0)));
		FUZZ_CHECK(!memcmp(ip + 12, &peer, 4));
		FUZZ_CHECK(!memcmp(ip + 16, &guest, 4));
		icmp = ip + 20;
		ilen = l3 - 20;
		FUZZ_CHECK(!csum_fold(csum_partial(icmp, ilen, 0)));
		FUZZ_CHECK(icmp[0] == type && icmp[1] == code);
		if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
			uint32_t want = MIN(m->ee.ee_info, 65535);

			FUZZ_CHECK(((uint32_t)icmp[6] << 8 | icmp[7]) == want);
		}

		/* The quoted datagram: what the guest sent */
		in = icmp + 8;
		FUZZ_CHECK(in[0] == 0x45 && in[9] == IPPROTO_UDP);
		FUZZ_CHECK(((size_t)in[2] << 8 | in[3]) == 20 + 8 + m->len);
		FUZZ_CHECK(!csum_fold(csum_partial(in, 20, 0)));
		FUZZ_CHECK(!memcmp(in + 12, &guest, 4));
		FUZZ_CHECK(!memcmp(in + 16, &peer, 4));
		uh = in + 20;
		q = ilen - 8 - 20 - 8;
	} else {
		const struct in6_addr *guest = &ts->eaddr.a6;
		const struct in6_addr *peer = &ts->oaddr.a6;

		FUZZ_CHECK(f[12] == 0x86 && f[13] == 0xdd);
		FUZZ_CHECK(l3 >= 40 + 8 + 40 + 8);
		FUZZ_CHECK((ip[0] >> 4) == 6 && ip[6] == IPPROTO_ICMPV6);
		FUZZ_CHECK(((size_t)ip[4] << 8 | ip[5]) == l3 - 40);
		FUZZ_CHECK(!memcmp(ip + 8, peer, 16));
		FUZZ_CHECK(!memcmp(ip + 24, guest, 16));
		icmp = ip + 40;
		ilen = l3 - 40;
		FUZZ_CHECK(!csum_fold(csum_partial(icmp, ilen,
			csum_pseudo6((uint32_t)ilen, IPPROTO_ICMPV6, peer,
				     guest))));
		FUZZ_CHECK(icmp[0] == type && icmp[1] == code);
		if (type == ICMP6_PACKET_TOO_BIG) {
			uint32_t v;

			memcpy(&v, icmp + 4, 4);
			FUZZ_CHECK(ntohl(v) == m->ee.ee_info);
		}

		in = icmp + 8;
		FUZZ_CHECK((in[0] >> 4) == 6 && in[6] == IPPROTO_UDP);
		FUZZ_CHECK(((size_t)in[4] << 8 | in[5]) == 8 + m->len);
		FUZZ_CHECK(!memcmp(in + 8, guest, 16));
		FUZZ_CHECK(!memcmp(in + 24, peer, 16));
		uh = in + 40;
		q = ilen - 8 - 40 - 8;
	}

	FUZZ_CHECK(((unsigned)uh[0] << 8 | uh[1]) == ts->eport);
	FUZZ_CHECK(((unsigned)uh[2] << 8 | uh[3]) == ts->oport);
	FUZZ_CHECK(((size_t)uh[4] << 8 | uh[5]) == 8 + m->len);

	/* As much of the payload as fits */
	olen = MIN(m->len, ipmax - (l3 - q));
	FUZZ_CHECK(q == olen);
	FUZZ_CHECK(!memcmp(uh + 8, m->payload, q));
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
	int sv[2];

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	FUZZ_CHECK(!pcap_init("/dev/null"));
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		FUZZ_CHECK(!"socketpair");
	fuzz_c.fd_tap = sv[0];
	fuzz_peer = sv[1];
	/* Never read for real: __wrap_recvmsg() answers for it */
	fuzz_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(fuzz_sock >= 0);
	return 0;
}

/**
 * fuzz_flow() - Set up the flow the errors arrive on
 * @flags:	FUZZ_F_* flags
 */
static void fuzz_flow(uint8_t flags)
{
	struct flowside *g = &fuzz_uf.f.side[INISIDE];
	struct flowside *h = &fuzz_uf.f.side[TGTSIDE];

	memset(&fuzz_uf, 0, sizeof(fuzz_uf));
	fuzz_uf.f.type = FLOW_UDP;
	fuzz_uf.f.state = FLOW_STATE_ACTIVE;
	fuzz_uf.f.pif[INISIDE] = flags & FUZZ_F_SPLICED ? PIF_SPLICE : PIF_TAP;
	fuzz_uf.f.pif[TGTSIDE] = PIF_HOST;
	if (fuzz_v6) {
		g->eaddr.a6 = fuzz_c.ip6.addr;
		g->oaddr.a6 = fuzz_addr6("2001:db8:1::10");
		h->eaddr = g->oaddr;
		h->oaddr.a6 = fuzz_addr6("2001:db8:1::2");
	} else {
		inany_from_v4(&g->eaddr, fuzz_c.ip4.addr);
		inany_from_v4(&g->oaddr, fuzz_addr4("203.0.113.10"));
		h->eaddr = g->oaddr;
		inany_from_v4(&h->oaddr, fuzz_addr4("203.0.113.2"));
	}
	g->eport = 40000;
	g->oport = 53;
	h->eport = 53;
	h->oport = 41000;
	fuzz_uf.s[INISIDE] = -1;
	fuzz_uf.s[TGTSIDE] = fuzz_sock;
}

/**
 * LLVMFuzzerTestOneInput() - Relay one error queue's worth of messages
 * @data:	Flags, then records
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned mtus4[] = { 0, 576, 296, 68 };
	static const unsigned mtus6[] = { 0, 1280, 1500, 65520 };
	static const int errnos[] = { EMSGSIZE, ECONNREFUSED, EHOSTUNREACH,
				      ENETUNREACH };
	unsigned side, mi;
	uint8_t flags;
	size_t off = 1;
	int tapside;

	if (!size)
		return 0;
	flags = data[0];
	fuzz_v6 = flags & FUZZ_F_V6;

	{
		int fd_tap = fuzz_c.fd_tap;

		fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
		fuzz_c.fd_tap = fd_tap;
	}
	fuzz_c.mtu = (fuzz_v6 ? mtus6 : mtus4)[(flags >> FUZZ_F_MTU_SHIFT) & 3];
	fuzz_flow(flags);

	fuzz_qlen = fuzz_qnext = 0;
	while (size - off >= FUZZ_REC_LEN && fuzz_qlen < FUZZ_RECS_MAX) {
		struct fuzz_rec r;
		struct fuzz_msg *m = &fuzz_q[fuzz_qlen++];
		size_t len;

		memcpy(&r, data + off, sizeof(r));
		off += sizeof(r);
		memset(&m->ee, 0, sizeof(m->ee));
		m->ee.ee_errno = r.errno_sel < ARRAY_SIZE(errnos) ?
				 (uint32_t)errnos[r.errno_sel] : r.errno_sel;
		m->ee.ee_origin = r.origin % 6;
		m->ee.ee_type = r.type;
		m->ee.ee_code = r.code;
		m->ee.ee_info = (uint32_t)r.info[0] << 24 | r.info[1] << 16 |
				r.info[2] << 8 | r.info[3];
		m->cmsg = r.cmsg;
		m->given = false;
		len = (size_t)r.len[0] << 8 | r.len[1];
		len = MIN(len, fuzz_v6 ? FUZZ_V6_PAYLOAD_MAX :
					 FUZZ_V4_PAYLOAD_MAX);
		m->payload = data + off;
		m->len = MIN(len, size - off);
		off += m->len;
	}

	tapside = udp_tapside(&fuzz_uf);
	side = flags & FUZZ_F_TAPSIDE && tapside >= 0 ? (unsigned)tapside :
						       TGTSIDE;
	if (side == (unsigned)tapside)
		fuzz_uf.s[side] = fuzz_sock;
	udp_sock_errs(&fuzz_c, &fuzz_uf, side);

	/* A batch read, or all there was; each relayed only if it should be */
	FUZZ_CHECK(fuzz_qnext == MIN(fuzz_qlen, UDP_ERRQUEUE_BATCH));
	for (mi = 0; mi < fuzz_qnext; mi++) {
		const struct fuzz_msg *m = &fuzz_q[mi];
		uint8_t type, code;
		ssize_t n;

		if (tapside < 0 || side == (unsigned)tapside ||
		    !fuzz_relayed(m, &type, &code))
			continue;
		n = recv(fuzz_peer, fuzz_rx, sizeof(fuzz_rx), MSG_DONTWAIT);
		FUZZ_CHECK(n > 0);
		fuzz_check_err(fuzz_rx, (size_t)n, m);
	}
	FUZZ_CHECK(recv(fuzz_peer, fuzz_rx, sizeof(fuzz_rx), MSG_DONTWAIT) < 0);
	return 0;
}
