// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_zc.c - frames to a guest on a stream socket, zero-copy: lent from a
 *	      pool that stays pinned until the kernel's completion
 *
 * Theory of operation
 *
 * Where the guest's stream socket takes SO_ZEROCOPY (AF_VSOCK, Linux 6.7
 * and later; UNIX sockets don't), TCP data for the guest is copied once,
 * by the kernel, from the host socket: tcp_buf.c peeks it into frames lent
 * from here (tap_lend()), behind room for the stream's length field and
 * the headers, and the frames go in one sendmsg() with MSG_ZEROCOPY. The
 * kernel then holds references to those pages instead of copying them,
 * until its completion for that send, which zerocopy.c takes (from the
 * error queue, or returned by sendmsg() where the kernel can) and hands
 * back here (tap_zc_release()): until then, that chunk isn't lent again.
 *
 * Pool: TAP_ZC_CHUNKS chunks of TAP_ZC_CHUNK bytes (4 MiB), a lend takes
 * a free one and lays out as many frames as fit it. With no chunk free, nothing
 * is lent, and frames go the copying way (tcp_buf.c's own buffers): the
 * pool never makes anyone wait. A send below --zerocopy-min, one refused
 * for lack of memory (ENOBUFS, sent again as a copy), or one to a socket
 * where the kernel copies (COPIED, ZC_TX_COPIED_OFF times in a row: then
 * zero-copy stops for that connection; vsock copies a send now and then,
 * when the peer's credit is short) copies, and its chunk is free again at
 * once.
 *
 * When the guest goes with sends in flight, zerocopy.c keeps the socket
 * open until their completions came (tap_zc_close()), and the chunks
 * stay taken until then; the next guest has the others.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "tap.h"
#include "tap_zc.h"
#include "zerocopy.h"

/* A send that doesn't fit the peer's credit whole is copied by vsock: a
 * chunk of two 64 KiB frames stays well within its default 256 KiB
 */
#define TAP_ZC_CHUNKS		32
#define TAP_ZC_CHUNK		(128UL * 1024 + 512)
#define TAP_ZC_ALIGN		64	/* frames start on cache lines */

static uint8_t tap_zc_mem[TAP_ZC_CHUNKS][TAP_ZC_CHUNK] PAGE_ALIGNED;
static bool tap_zc_busy[TAP_ZC_CHUNKS];	/* lent, or in flight */
static int tap_zc_lent = -1;		/* chunk lent now, -1 for none */
static size_t tap_zc_off[TAP_LEND_MAX];	/* frames in it: where each starts */
static struct iovec tap_zc_room[TAP_LEND_MAX];
static uint16_t tap_zc_slot;		/* zerocopy.c's slot of the socket */

/**
 * tap_zc_lends() - Does this stream connection take lent, zero-copy frames?
 * @c:		Execution context
 *
 * Return: true for an AF_VSOCK guest, unless zero-copy is off, or the
 *	   socket refused it, or the kernel copied its sends
 */
bool tap_zc_lends(const struct ctx *c)
{
	return c->mode == MODE_PASST && !c->vhost_user && c->vsock_port &&
	       c->fd_tap >= 0 && c->zc_mode != ZC_OFF &&
	       !zc_tx_copies(tap_zc_slot);
}

/**
 * tap_zc_lend() - Lend frames from a free chunk
 * @c:		Execution context
 * @pre:	Bytes each frame needs in front of its room (the stream's
 *		length field and the headers)
 * @plen:	Payload room of each frame
 * @n:		Frames wanted
 * @rooms:	Set for each frame lent
 *
 * Return: frames lent, 0 if no chunk is free or @plen is 0 (a room of
 *	   what a buffer holds: only for backends with buffers of their own)
 */
size_t tap_zc_lend(struct ctx *c, size_t pre, size_t plen, size_t n,
		   struct pkt_room *rooms)
{
	size_t i, off = 0;
	int k;

	(void)c;
	ASSERT(tap_zc_lent < 0);
	if (!plen || !n)
		return 0;
	for (k = 0; k < TAP_ZC_CHUNKS && tap_zc_busy[k]; k++)
		;
	if (k == TAP_ZC_CHUNKS) {
		stats_inc(STAT_TAP_ZC_POOL_FULL);
		return 0;
	}

	for (i = 0; i < n && i < TAP_LEND_MAX &&
		    off + pre + plen <= TAP_ZC_CHUNK; i++) {
		tap_zc_off[i] = off;
		tap_zc_room[i].iov_base = tap_zc_mem[k] + off + pre;
		tap_zc_room[i].iov_len = plen;
		rooms[i].iov = &tap_zc_room[i];
		rooms[i].cnt = 1;
		rooms[i].len = plen;
		off = ROUND_UP(off + pre + plen, TAP_ZC_ALIGN);
	}
	if (i) {
		tap_zc_busy[k] = true;
		tap_zc_lent = k;
	}
	return i;
}

/**
 * tap_zc_frame() - Where a lent frame starts: its length field
 * @i:		Frame, as lent
 *
 * Return: pointer into the lent chunk
 */
uint8_t *tap_zc_frame(size_t i)
{
	ASSERT(tap_zc_lent >= 0 && i < TAP_LEND_MAX);
	return tap_zc_mem[tap_zc_lent] + tap_zc_off[i];
}

/**
 * tap_zc_cancel() - Take back the frames lent, unsent
 */
void tap_zc_cancel(void)
{
	if (tap_zc_lent < 0)
		return;
	tap_zc_busy[tap_zc_lent] = false;
	tap_zc_lent = -1;
}

/**
 * tap_zc_send() - Send frames of the lent chunk to the guest
 * @c:		Execution context
 * @iov:	The frames, each with its length field, in the chunk
 * @cnt:	Entries in @iov
 * @bytes:	Their total length
 *
 * Return: as sendmsg(): the chunk is released when the kernel is done,
 *	   or now if it copied or nothing was sent
 */
ssize_t tap_zc_send(struct ctx *c, struct iovec *iov, size_t cnt,
		    size_t bytes)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = cnt };
	unsigned k = (unsigned)tap_zc_lent;
	bool went = false;
	ssize_t n;

	ASSERT(tap_zc_lent >= 0);
	tap_zc_lent = -1;
	n = zc_tx_sendmsg(c, &tap_zc_slot, c->fd_tap, &mh, bytes, k, &went);
	if (went) {
		stats_inc(STAT_TAP_ZC_SENDS);
		stats_add(STAT_TAP_ZC_BYTES, (size_t)n);
	} else {
		tap_zc_busy[k] = false;
	}
	return n;
}

/**
 * tap_zc_release() - The kernel is done with a chunk's send
 * @c:		Execution context
 * @chunk:	Chunk
 */
void tap_zc_release(struct ctx *c, unsigned chunk)
{
	(void)c;
	if (chunk < TAP_ZC_CHUNKS)
		tap_zc_busy[chunk] = false;
}

/**
 * tap_zc_completions() - EPOLLERR on the guest's socket: completions wait
 * @c:		Execution context
 * @err:	Set to the socket's error, 0 if the event was completions alone
 *
 * Return: true if there were zero-copy sends to take completions for
 */
bool tap_zc_completions(struct ctx *c, int *err)
{
	*err = 0;
	if (tap_zc_slot == ZC_NONE || tap_zc_slot == ZC_NEVER)
		return false;
	*err = zc_sock_error(c, &tap_zc_slot, c->fd_tap);
	return true;
}

/**
 * tap_zc_close() - The guest's connection ends: may its socket be closed?
 * @c:		Execution context
 *
 * Return: true if the caller closes it, false if zerocopy.c keeps it open
 *	   (and watched) for completions still due, and closes it later
 */
bool tap_zc_close(struct ctx *c)
{
	tap_zc_cancel();
	return zc_sock_close(c, &tap_zc_slot, c->fd_tap, true, false);
}
