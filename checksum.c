// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - Internet checksums (RFC 1071) for IPv4, TCP, UDP, ICMP(v6)
 *
 * Sums are accumulated in 32-bit partial form, folded to 16 bits and
 * complemented at the end (csum_fold()). Odd lengths in the middle of a
 * scatter list are handled by csum_iov() with a byte swap, as RFC 1071
 * allows.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "util.h"
#include "checksum.h"

/**
 * csum_reduce() - Fold a 64-bit accumulator into 32 bits
 * @s:		Accumulator
 *
 * Return: 32-bit partial sum, same ones' complement value
 */
static uint32_t csum_reduce(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/**
 * csum_partial() - Add a buffer to a partial ones' complement sum
 * @buf:	Data (any alignment)
 * @len:	Length
 * @sum:	Partial sum so far
 *
 * Return: new partial sum (not folded, not complemented)
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 32) {
		uint64_t w[4];

		memcpy(w, p, sizeof(w));
		s += (w[0] & 0xffffffff) + (w[0] >> 32) +
		     (w[1] & 0xffffffff) + (w[1] >> 32) +
		     (w[2] & 0xffffffff) + (w[2] >> 32) +
		     (w[3] & 0xffffffff) + (w[3] >> 32);
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		s += w;
	}
	return csum_reduce(s);
}

/**
 * csum_fold() - Fold a partial sum to 16 bits and complement it
 * @sum:	Partial sum
 *
 * Return: checksum in network order, ready to store
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * csum_iov_range() - Add part of a scatter list
 * @iov:	Scatter list
 * @n:		Number of entries
 * @skip:	Bytes to skip at the start
 * @max:	Most bytes to add, after @skip
 * @sum:	Partial sum so far
 *
 * Return: new partial sum
 */
static uint32_t csum_iov_range(const struct iovec *iov, size_t n,
			       size_t skip, size_t max, uint32_t sum)
{
	bool odd = false;
	size_t i;

	for (i = 0; i < n && max; i++) {
		const uint8_t *base = iov[i].iov_base;
		size_t len = iov[i].iov_len;
		uint32_t part;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		base += skip;
		len -= skip;
		skip = 0;
		if (len > max)
			len = max;
		max -= len;

		part = csum_partial(base, len, 0);
		if (odd) {
			/* Data started at an odd offset: swap bytes */
			part = csum_reduce((uint64_t)part);
			part = (part & 0xffff) + (part >> 16);
			part = (part & 0xffff) + (part >> 16);
			part = ((part & 0xff) << 8) | ((part >> 8) & 0xff);
		}
		sum = csum_reduce((uint64_t)sum + part);
		if (len & 1)
			odd = !odd;
	}
	return sum;
}

/**
 * csum_iov() - Add a scatter list, skipping @skip leading bytes
 * @iov:	Scatter list
 * @n:		Number of entries
 * @skip:	Bytes to skip at the start
 * @sum:	Partial sum so far
 *
 * Return: new partial sum
 */
uint32_t csum_iov(const struct iovec *iov, size_t n, size_t skip,
		  uint32_t sum)
{
	return csum_iov_range(iov, n, skip, SIZE_MAX, sum);
}

/**
 * csum_iov_len() - Add the first @len bytes of a scatter list
 * @iov:	Scatter list
 * @n:		Number of entries
 * @len:	Bytes to add (the list may hold more)
 * @sum:	Partial sum so far
 *
 * Return: new partial sum
 */
uint32_t csum_iov_len(const struct iovec *iov, size_t n, size_t len,
		      uint32_t sum)
{
	return csum_iov_range(iov, n, 0, len, sum);
}

/**
 * csum_ip4_header() - Checksum of a 20-byte IPv4 header without options
 * @tot_len:	Total length, host order
 * @proto:	Protocol
 * @src:	Source address
 * @dst:	Destination address
 *
 * The header is assumed to have version 4, IHL 5, no TOS, no ID, DF set
 * and TTL 255, as built by tap_ip4_header().
 *
 * Return: checksum, network order
 */
uint16_t csum_ip4_header(uint16_t tot_len, uint8_t proto,
			 struct in_addr src, struct in_addr dst)
{
	uint32_t sum = htons(0x4500) + htons(tot_len) + htons(0x4000) +
		       htons((uint16_t)(0xff00 | proto));

	sum = csum_partial(&src, 4, sum);
	sum = csum_partial(&dst, 4, sum);
	return csum_fold(sum);
}

/**
 * csum_pseudo4() - Partial sum of the IPv4 pseudo-header
 * @l4_len:	Length of the L4 header and payload, host order
 * @proto:	Protocol
 * @src:	Source address
 * @dst:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo4(uint16_t l4_len, uint8_t proto,
		      struct in_addr src, struct in_addr dst)
{
	uint32_t sum = htons(l4_len) + htons(proto);

	sum = csum_partial(&src, 4, sum);
	return csum_partial(&dst, 4, sum);
}

/**
 * csum_pseudo6() - Partial sum of the IPv6 pseudo-header
 * @l4_len:	Upper-layer packet length, host order
 * @proto:	Next header
 * @src:	Source address
 * @dst:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo6(uint32_t l4_len, uint8_t proto,
		      const struct in6_addr *src, const struct in6_addr *dst)
{
	uint32_t sum = htonl(l4_len);

	sum = csum_reduce((uint64_t)sum + htonl(proto));
	sum = csum_partial(src, sizeof(*src), sum);
	return csum_partial(dst, sizeof(*dst), sum);
}
