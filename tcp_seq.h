/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_seq.h - sequence and window arithmetic of the TCP translation
 *
 * Pure functions, without connections or sockets, so that the unit tests
 * (test/unit/test_tcp_seq.c) reach every case: sequence comparison modulo
 * 2^32, classifying acknowledgements and segments from the guest, window
 * fields each way, and the window a socket's send buffer allows.
 */

#ifndef TCP_SEQ_H
#define TCP_SEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_WND_MAX_UNSCALED	65535U
#define TCP_WS_MAX		14	/* RFC 7323, 2.3 */

/**
 * seq_lt() - Is sequence number @a before @b (modulo 2^32)?
 * @a:		Sequence number
 * @b:		Sequence number
 *
 * Return: true if @a < @b
 */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/**
 * seq_le() - Is sequence number @a before or equal to @b?
 * @a:		Sequence number
 * @b:		Sequence number
 *
 * Return: true if @a <= @b
 */
static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/**
 * enum tcp_ack_kind - What an acknowledgement from the guest does
 * @TCP_ACK_IGNORE:	Before what it acknowledged already, or beyond what
 *			we sent: ignored
 * @TCP_ACK_SAME:	Acknowledges nothing new (a duplicate, if data is in
 *			flight)
 * @TCP_ACK_NEW:	Acknowledges new data (or our FIN)
 */
enum tcp_ack_kind {
	TCP_ACK_IGNORE,
	TCP_ACK_SAME,
	TCP_ACK_NEW,
};

/**
 * tcp_ack_classify() - Classify an acknowledgement number
 * @una:	What the guest acknowledged so far (SND.UNA)
 * @nxt:	What we sent up to (SND.NXT)
 * @ack:	Acknowledgement number of the segment
 *
 * Return: enum tcp_ack_kind
 */
static inline enum tcp_ack_kind tcp_ack_classify(uint32_t una, uint32_t nxt,
						 uint32_t ack)
{
	if (seq_lt(ack, una) || seq_lt(nxt, ack))
		return TCP_ACK_IGNORE;
	return ack == una ? TCP_ACK_SAME : TCP_ACK_NEW;
}

/**
 * enum tcp_seg_kind - Where a segment's payload lies, against what we
 *		       expect next from the guest
 * @TCP_SEG_OLD:	All of it was received before
 * @TCP_SEG_NEXT:	It starts with what we expect (maybe after a part
 *			received before, see tcp_seg_classify())
 * @TCP_SEG_HOLE:	It starts after what we expect: something is missing
 */
enum tcp_seg_kind {
	TCP_SEG_OLD,
	TCP_SEG_NEXT,
	TCP_SEG_HOLE,
};

/**
 * tcp_seg_classify() - Classify a segment's payload
 * @expect:	Next sequence number expected from the guest
 * @seq:	Sequence number of the segment
 * @len:	Payload length, not zero
 * @skip:	Set, for TCP_SEG_NEXT, to the bytes at the start of the
 *		payload received before
 *
 * Return: enum tcp_seg_kind
 */
static inline enum tcp_seg_kind tcp_seg_classify(uint32_t expect,
						 uint32_t seq, size_t len,
						 size_t *skip)
{
	*skip = 0;
	if (seq_lt(expect, seq))
		return TCP_SEG_HOLE;
	if ((size_t)(expect - seq) >= len)
		return TCP_SEG_OLD;
	*skip = expect - seq;
	return TCP_SEG_NEXT;
}

/**
 * tcp_rst_acceptable() - Is a reset from the guest in its window?
 * @expect:	Next sequence number expected from the guest (RCV.NXT)
 * @wnd:	Window we advertised, bytes
 * @seq:	Sequence number of the reset
 *
 * A blind reset must not work: only one in the window counts (RFC 5961
 * asks for more, an exact match or a challenge ACK; the tap link is not
 * a path where blind resets come from).
 *
 * Return: true if the reset is taken
 */
static inline bool tcp_rst_acceptable(uint32_t expect, uint32_t wnd,
				      uint32_t seq)
{
	return seq_le(expect, seq) && seq_lt(seq, expect + (wnd ? wnd : 1));
}

/**
 * tcp_wnd_from_guest() - Window of a segment from the guest, in bytes
 * @raw:	Window field
 * @ws:		Guest's window scale, if both sides sent the option
 * @scaled:	Window scaling in use, and the segment isn't a SYN: a
 *		SYN's window is never scaled (RFC 7323, 2.2)
 *
 * Return: window, bytes
 */
static inline uint32_t tcp_wnd_from_guest(uint16_t raw, uint8_t ws,
					  bool scaled)
{
	return scaled ? (uint32_t)raw << (ws > TCP_WS_MAX ? TCP_WS_MAX : ws) :
			raw;
}

/**
 * tcp_wnd_to_guest() - Window field of a segment to the guest
 * @wnd:	Window, bytes
 * @ws:		Our window scale
 * @scaled:	Scaling applies: not a SYN, and both sides sent the option
 *		(with no option, @ws is zero anyway)
 *
 * Return: field, saturated at its largest value
 */
static inline uint16_t tcp_wnd_to_guest(uint32_t wnd, uint8_t ws, bool scaled)
{
	uint32_t f = scaled ? wnd >> ws : wnd;

	return (uint16_t)(f > TCP_WND_MAX_UNSCALED ? TCP_WND_MAX_UNSCALED : f);
}

/**
 * tcp_wnd_max() - Largest window we can advertise
 * @ws:		Our window scale
 * @ws_ok:	Both sides sent the window scale option
 *
 * Return: bytes
 */
static inline uint32_t tcp_wnd_max(uint8_t ws, bool ws_ok)
{
	return ws_ok ? TCP_WND_MAX_UNSCALED << ws : TCP_WND_MAX_UNSCALED;
}

/**
 * tcp_wnd_sndbuf() - Window a socket's send buffer allows
 * @sndbuf:	Send buffer size (SK_MEMINFO_SNDBUF), as the kernel counts
 *		it: payload and per-buffer overhead
 * @queued:	What is queued in it (SK_MEMINFO_WMEM_QUEUED), same terms
 * @cap:	Set to what the whole buffer holds, in the window's terms
 *
 * One sixteenth is kept as a margin for the overhead.
 *
 * Return: bytes the socket can still take
 */
static inline uint32_t tcp_wnd_sndbuf(uint32_t sndbuf, uint32_t queued,
				      uint32_t *cap)
{
	*cap = sndbuf / 16 * 15;
	return queued >= sndbuf ? 0 : (sndbuf - queued) / 16 * 15;
}

/**
 * tcp_wnd_update_due() - Is a window update worth a segment of its own?
 * @old_ack:	Acknowledgement last sent
 * @old_wnd:	Window last sent, bytes
 * @ack:	Acknowledgement now
 * @wnd:	Window now, bytes
 * @mss:	Segment size towards us
 *
 * Return: true if the right edge moves by an MSS, or by a quarter of the
 *	   window if that's less (as receivers avoid silly windows, RFC 9293,
 *	   3.8.6.2.2)
 */
static inline bool tcp_wnd_update_due(uint32_t old_ack, uint32_t old_wnd,
				      uint32_t ack, uint32_t wnd, uint32_t mss)
{
	uint32_t old_edge = old_ack + old_wnd, new_edge = ack + wnd;

	return seq_lt(old_edge, new_edge) &&
	       new_edge - old_edge >= (mss < wnd / 4 ? mss : wnd / 4);
}

#endif /* TCP_SEQ_H */
