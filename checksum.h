/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checksum.h - Internet checksums for IPv4, TCP, UDP, ICMP and ICMPv6 */

#ifndef CHECKSUM_H
#define CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint32_t csum_iov(const struct iovec *iov, size_t n, size_t skip,
		  uint32_t sum);
uint32_t csum_iov_len(const struct iovec *iov, size_t n, size_t len,
		      uint32_t sum);
uint16_t csum_fold(uint32_t sum);
uint16_t csum_ip4_header(uint16_t tot_len, uint8_t proto,
			 struct in_addr src, struct in_addr dst);
uint32_t csum_pseudo4(uint16_t l4_len, uint8_t proto,
		      struct in_addr src, struct in_addr dst);
uint32_t csum_pseudo6(uint32_t l4_len, uint8_t proto,
		      const struct in6_addr *src, const struct in6_addr *dst);

#endif /* CHECKSUM_H */
