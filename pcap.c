// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - capture of guest-side frames in pcap format (-p)
 *
 * The classic libpcap format: a global header, then a record header and
 * the frame for each frame sent or received on the guest link. Records
 * are written synchronously, and only when a capture was asked for.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util.h"
#include "log.h"
#include "pcap.h"

#define PCAP_MAGIC		0xa1b2c3d4
#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_SNAPLEN		65535
#define PCAP_IOV_MAX		64

/**
 * struct pcap_file_hdr - pcap global header
 * @magic:	PCAP_MAGIC, microsecond timestamps
 * @major:	Version 2
 * @minor:	Version 4
 * @thiszone:	GMT offset, 0
 * @sigfigs:	Timestamp accuracy, 0
 * @snaplen:	Largest record
 * @linktype:	Ethernet
 */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};
static_assert(sizeof(struct pcap_file_hdr) == 24, "pcap header size");

/**
 * struct pcap_rec_hdr - pcap record header
 * @tv_sec:	Seconds
 * @tv_usec:	Microseconds
 * @caplen:	Bytes captured
 * @len:	Frame length
 */
struct pcap_rec_hdr {
	uint32_t tv_sec;
	uint32_t tv_usec;
	uint32_t caplen;
	uint32_t len;
};
static_assert(sizeof(struct pcap_rec_hdr) == 16, "pcap record size");

static int pcap_fd = -1;

/**
 * pcap_init() - Create a capture file and write its header
 * @path:	File path
 *
 * Return: 0 on success, -errno on failure
 */
int pcap_init(const char *path)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC, .major = 2, .minor = 4,
		.snaplen = PCAP_SNAPLEN, .linktype = PCAP_LINKTYPE_ETHERNET,
	};
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, &h, sizeof(h));
	if (rc) {
		close(fd);
		return rc;
	}
	pcap_fd = fd;
	return 0;
}

/**
 * pcap_iov() - Capture a frame given as a scatter list
 * @iov:	Scatter list, starting with the Ethernet header
 * @n:		Entries
 */
void pcap_iov(const struct iovec *iov, size_t n)
{
	struct iovec out[PCAP_IOV_MAX + 1];
	struct pcap_rec_hdr h;
	struct timespec ts;
	size_t i, len = 0, caplen = 0, cnt = 1;

	if (pcap_fd < 0)
		return;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	for (i = 0; i < n && cnt <= PCAP_IOV_MAX && caplen < PCAP_SNAPLEN;
	     i++) {
		size_t l = MIN(iov[i].iov_len, PCAP_SNAPLEN - caplen);

		out[cnt].iov_base = iov[i].iov_base;
		out[cnt++].iov_len = l;
		caplen += l;
	}

	/* #syscalls clock_gettime */
	clock_gettime(CLOCK_REALTIME, &ts);
	h.tv_sec = (uint32_t)ts.tv_sec;
	h.tv_usec = (uint32_t)(ts.tv_nsec / 1000);
	h.caplen = (uint32_t)caplen;
	h.len = (uint32_t)len;
	out[0].iov_base = &h;
	out[0].iov_len = sizeof(h);

	/* #syscalls writev */
	if (writev(pcap_fd, out, (int)cnt) < 0)
		debug_perror("pcap: writing record");
}

/**
 * pcap_frame() - Capture a contiguous frame
 * @frame:	Frame, starting with the Ethernet header
 * @len:	Length
 */
void pcap_frame(const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)frame,
			     .iov_len = len };

	if (pcap_fd >= 0)
		pcap_iov(&iov, 1);
}
