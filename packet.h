/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - bounds-checked views of guest data
 *
 * Every byte that comes from the guest is read through these accessors:
 * a view is a pointer and a length, and any access outside it fails,
 * without arithmetic that could overflow. Header structs are copied out
 * (pkt_copy()) rather than cast in place, so unaligned frames are safe.
 */

#ifndef PACKET_H
#define PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/uio.h>

/**
 * struct pkt - A view of guest bytes
 * @data:	First byte
 * @len:	Number of bytes in the view
 * @buf:	Receive buffer holding the bytes, or vhost-user transmit chain
 *		(TAP_BUF_CHAIN, see tap_pin()), so that a consumer can keep
 *		it from being reused until it is done
 * @gso:	Segment size of a super-frame (a TCP or UDP packet the guest's
 *		kernel left for us to cut, virtio-net GSO), 0 for any other
 * @csum_ok:	The guest's kernel vouches for the L4 checksum, or left it
 *		partial (the pseudo-header's sum only): not to be verified
 *
 * Sub-views (pkt_sub(), pkt_tail()) inherit @buf, @gso and @csum_ok.
 */
struct pkt {
	const uint8_t *data;
	size_t len;
	uint16_t buf;
	uint16_t gso;
	bool csum_ok;
};

/**
 * pkt_init() - Make a view of a buffer
 * @data:	First byte
 * @len:	Length
 * @buf:	Receive buffer index
 *
 * Return: the view
 */
static inline struct pkt pkt_init(const void *data, size_t len, uint16_t buf)
{
	struct pkt p = { .data = data, .len = len, .buf = buf };

	return p;
}

/**
 * pkt_ptr() - Pointer to @len bytes at @off, if they are inside the view
 * @p:		View
 * @off:	Offset
 * @len:	Number of bytes needed
 *
 * Return: pointer, or NULL if the range is not entirely inside @p
 */
static inline const uint8_t *pkt_ptr(const struct pkt *p, size_t off,
				     size_t len)
{
	if (off > p->len || len > p->len - off)
		return NULL;
	return p->data + off;
}

/**
 * pkt_copy() - Copy @len bytes at @off out of the view
 * @p:		View
 * @off:	Offset
 * @dst:	Destination
 * @len:	Number of bytes
 *
 * Return: true on success, false (and @dst untouched) if out of bounds
 */
static inline bool pkt_copy(const struct pkt *p, size_t off, void *dst,
			    size_t len)
{
	const uint8_t *src = pkt_ptr(p, off, len);

	if (!src)
		return false;
	memcpy(dst, src, len);
	return true;
}

/**
 * pkt_sub() - A view of @len bytes at @off of another view
 * @p:		View
 * @off:	Offset
 * @len:	Length of the new view
 * @out:	New view, set only on success
 *
 * Return: true on success, false if out of bounds
 */
static inline bool pkt_sub(const struct pkt *p, size_t off, size_t len,
			   struct pkt *out)
{
	const uint8_t *d = pkt_ptr(p, off, len);

	if (!d)
		return false;
	out->data = d;
	out->len = len;
	out->buf = p->buf;
	out->gso = p->gso;
	out->csum_ok = p->csum_ok;
	return true;
}

/**
 * pkt_tail() - A view of everything from @off to the end of another view
 * @p:		View
 * @off:	Offset
 * @out:	New view, set only on success
 *
 * Return: true on success, false if @off is beyond the end
 */
static inline bool pkt_tail(const struct pkt *p, size_t off, struct pkt *out)
{
	if (off > p->len)
		return false;
	return pkt_sub(p, off, p->len - off, out);
}

/**
 * pkt_u8() - Read one byte
 * @p:		View
 * @off:	Offset
 * @v:		Result, set only on success
 *
 * Return: true on success
 */
static inline bool pkt_u8(const struct pkt *p, size_t off, uint8_t *v)
{
	return pkt_copy(p, off, v, 1);
}

/**
 * pkt_be16() - Read a big-endian 16-bit value
 * @p:		View
 * @off:	Offset
 * @v:		Result in host order, set only on success
 *
 * Return: true on success
 */
static inline bool pkt_be16(const struct pkt *p, size_t off, uint16_t *v)
{
	uint16_t n;

	if (!pkt_copy(p, off, &n, sizeof(n)))
		return false;
	*v = ntohs(n);
	return true;
}

/**
 * pkt_be32() - Read a big-endian 32-bit value
 * @p:		View
 * @off:	Offset
 * @v:		Result in host order, set only on success
 *
 * Return: true on success
 */
static inline bool pkt_be32(const struct pkt *p, size_t off, uint32_t *v)
{
	uint32_t n;

	if (!pkt_copy(p, off, &n, sizeof(n)))
		return false;
	*v = ntohl(n);
	return true;
}

/**
 * struct pkt_room - Room lent for one frame's payload, written in place
 * @iov:	Segments, in order (guest memory, checked when lent)
 * @cnt:	Number of segments
 * @len:	Bytes they hold
 */
struct pkt_room {
	const struct iovec *iov;
	size_t cnt;
	size_t len;
};

#endif /* PACKET_H */
