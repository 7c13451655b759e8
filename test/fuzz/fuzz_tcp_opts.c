// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_tcp_opts.c - libFuzzer harness for tcp_conn.c's SYN option parser
 *
 * Input layout:
 *
 *	byte 0		flags: bit 0 IPv6 (else IPv4), bits 1-2 the MTU
 *			(0: unset, 1: 576, 2: 1500, 3: 65520), bit 3 take
 *			the header length from the data offset as it is
 *			(else only inputs where it is sane are kept)
 *	then		a TCP segment from the guest: 20 bytes of header,
 *			options, payload
 *
 * The segment is copied to a buffer of its exact size, and the header
 * length is the data offset (byte 12) times four. tcp_parse_opts() must
 * stay inside the view whatever the header length says; when the header
 * length is one the daemon accepts (20 to the segment's length, as tcp.c
 * checks before a SYN gets here), it must find what an independent
 * reading of RFC 9293 (MSS, kind 2 length 4) and RFC 7323 (window scale,
 * kind 3 length 3, shifts above 14 taken as 14) finds: options up to
 * End of Option List, No-Operation skipped, a malformed length ending the
 * walk with what was found so far, a later option of a kind replacing an
 * earlier one.
 *
 * tcp_mss_set() then gets the MSS, and the segment size towards the guest
 * must be the guest's MSS (or the default, without one), capped by the
 * MTU less the headers, never below TCP_MSS_MIN.
 *
 * tcp_conn.c is included, for its static functions; the rest of the TCP
 * code is linked but not run.
 */

#include "../../tcp_conn.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_F_V6		0x01
#define FUZZ_F_MTU_SHIFT	1
#define FUZZ_F_RAW_HLEN		0x08

static struct ctx fuzz_c;

/**
 * fuzz_opts() - MSS and window scale by the RFCs, from the whole header
 * @h:		TCP header, options included
 * @hlen:	Its length, 20 or more
 * @o:		Result, as tcp_parse_opts() reports it
 */
static void fuzz_opts(const uint8_t *h, size_t hlen, struct tcp_syn_opts *o)
{
	size_t at = 20;

	o->mss = 0;
	o->ws = -1;
	while (at < hlen) {
		uint8_t kind = h[at], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			at++;
			continue;
		}
		if (hlen - at < 2)
			break;
		olen = h[at + 1];
		if (olen < 2 || olen > hlen - at)
			break;
		if (kind == 2 && olen == 4)
			o->mss = (uint16_t)(h[at + 2] << 8 | h[at + 3]);
		if (kind == 3 && olen == 3)
			o->ws = h[at + 2] > 14 ? 14 : h[at + 2];
		at += olen;
	}
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
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Parse the options of one SYN
 * @data:	Flags, then the segment
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned mtus[] = { 0, 576, 1500, 65520 };
	struct tcp_syn_opts o, want;
	struct tcp_tap_conn conn;
	size_t len, hlen;
	unsigned mtu, max;
	uint8_t flags, *seg;
	struct pkt l4;
	bool v6;

	if (size < 1 + 20)
		return 0;
	flags = data[0];
	len = size - 1;
	hlen = (size_t)(data[1 + 12] >> 4) * 4;
	if (!(flags & FUZZ_F_RAW_HLEN) && (hlen < 20 || hlen > len))
		return 0;

	/* Harness only: an exact-size copy, so a read past it is caught */
	seg = malloc(len);
	FUZZ_CHECK(seg);
	memcpy(seg, data + 1, len);
	l4 = pkt_init(seg, len, 0);

	tcp_parse_opts(&l4, hlen, &o);
	FUZZ_CHECK(o.ws >= -1 && o.ws <= 14);
	if (hlen >= 20 && hlen <= len) {
		fuzz_opts(seg, hlen, &want);
		FUZZ_CHECK(o.mss == want.mss);
		FUZZ_CHECK(o.ws == want.ws);
	}

	/* What the guest gets as segment size */
	v6 = flags & FUZZ_F_V6;
	fuzz_ctx_fill(&fuzz_c, FUZZ_CTX_FULL);
	fuzz_c.mtu = mtus[(flags >> FUZZ_F_MTU_SHIFT) & 3];
	memset(&conn, 0, sizeof(conn));
	conn.tapside = INISIDE;
	if (v6)
		inany_from_v6(&conn.f.side[INISIDE].eaddr, &fuzz_c.ip6.addr);
	else
		inany_from_v4(&conn.f.side[INISIDE].eaddr, fuzz_c.ip4.addr);
	tcp_mss_set(&fuzz_c, &conn, o.mss);

	mtu = fuzz_c.mtu ? fuzz_c.mtu : MTU_DEFAULT;
	max = mtu - (v6 ? 60 : 40);
	FUZZ_CHECK(conn.mss >= TCP_MSS_MIN);
	FUZZ_CHECK(conn.mss <= max || conn.mss == TCP_MSS_MIN);
	if (!o.mss)
		FUZZ_CHECK(conn.mss == MAX(MIN(v6 ? TCP_MSS_DEFAULT6 :
					       TCP_MSS_DEFAULT4, max),
					   TCP_MSS_MIN));
	else
		FUZZ_CHECK(conn.mss == MAX(MIN(o.mss, max), TCP_MSS_MIN));

	free(seg);
	return 0;
}
