/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vsock_zc.h - user-space view of vsock zero-copy receive, the
 * SO_VM_SOCKETS_MAP_RX interface of our test kernel (0003-*.patch here)
 *
 * The one place the numbers are written down for user space:
 * test/vm/kernel.sh refuses to build the patched kernel if the patch
 * defines them to anything else. They are the RFC posting's (v3, Nov 2022),
 * never merged. How a program finds out, on a stream socket of AF_VSOCK:
 *
 *	setsockopt(SO_VM_SOCKETS_ZEROCOPY, 1)	mainline: ENOPROTOOPT
 *	mmap(PROT_READ, MAP_SHARED, 2 pages)	mainline: ENODEV
 *	getsockopt(SO_VM_SOCKETS_MAP_RX)	mainline: ENOPROTOOPT;
 *						ours, unconnected: ENOTCONN
 *
 * Use: set SO_VM_SOCKETS_ZEROCOPY before connect() or listen() (accepted
 * sockets take the listener's; EINVAL once connected or listening,
 * EOPNOTSUPP on SOCK_SEQPACKET). Map the socket: PROT_READ, MAP_SHARED, a
 * length of two pages or more (EINVAL otherwise, EPERM if writable). Then
 * getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_MAP_RX, &rx, &len) with rx.addr
 * the mapping's start, and len either sizeof(struct vsock_map_rx) (the
 * counts come back) or 8 (an unsigned long with the address, as in the
 * posting; 64-bit programs only). It never blocks: poll() for POLLIN first.
 *
 * Page 0 of the mapping then holds a struct vsock_map_rx_head, followed by
 * hdr_num struct virtio_vsock_usr_hdr, one per packet, and one of length 0.
 * Packet i's data starts at the page after packet i-1's last one (packet 0:
 * page 1) and takes length bytes; the rest of its last page reads as
 * zeroes. What is mapped is consumed, as by read(). A packet that doesn't
 * fit is mapped in part (whole pages of it), the rest comes next time; at
 * most 510 packets a call. poll_value: bytes still waiting in the socket
 * once the call returns (0: poll() before the next one).
 *
 * The pages stay mapped until madvise(addr, length, MADV_DONTNEED): the
 * next getsockopt fails with EBUSY, taking nothing, while any page it needs
 * is still there. Other errors: EINVAL (option not set, or addr isn't the
 * start of a mapping of this socket), ENOTCONN (no transport yet),
 * EOPNOTSUPP (a transport other than loopback, CID 1), ENOMEM.
 *
 * Zero copy is real where a packet's data sits in whole pages of its own:
 * on loopback, the test kernel puts every payload of a page or more (one
 * write() gives packets of up to 64 KiB, as credit allows) in page
 * fragments. The rest (shorter payloads, data after a read() that left a
 * packet off a page boundary, MSG_ZEROCOPY senders' pages) is copied into
 * fresh pages: pages_mapped and pages_copied in struct vsock_map_rx tell
 * which happened.
 */

#ifndef VSOCK_ZC_H
#define VSOCK_ZC_H

#include <stdint.h>

#define SO_VM_SOCKETS_MAP_RX	9	/* level AF_VSOCK, getsockopt() */
#define SO_VM_SOCKETS_ZEROCOPY	10	/* level AF_VSOCK, setsockopt(), int */

/**
 * struct vsock_map_rx - Argument of getsockopt(SO_VM_SOCKETS_MAP_RX)
 * @addr:		In: start of the mapping
 * @bytes:		Out: bytes of data mapped (and consumed)
 * @packets:		Out: headers filled in
 * @pages_mapped:	Out: data pages that are the socket's own buffers
 * @pages_copied:	Out: data pages the kernel had to copy data into
 */
struct vsock_map_rx {
	uint64_t addr;
	uint32_t bytes;
	uint32_t packets;
	uint32_t pages_mapped;
	uint32_t pages_copied;
};

/**
 * struct vsock_map_rx_head - Start of page 0 of the mapping
 * @poll_value:	Bytes still waiting in the socket after the call
 * @hdr_num:	Headers following, not counting the one ending the array
 */
struct vsock_map_rx_head {
	uint32_t poll_value;
	uint32_t hdr_num;
};

/**
 * struct virtio_vsock_usr_hdr - One packet in the mapping
 * @length:	Bytes of data, from the start of the packet's first page on
 * @flags:	The packet's flags (SEQPACKET bounds; 0 on streams)
 */
struct virtio_vsock_usr_hdr {
	uint32_t length;
	uint32_t flags;
};

#endif /* VSOCK_ZC_H */
