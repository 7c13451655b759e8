// SPDX-License-Identifier: GPL-2.0-or-later
/* vzcprobe.c - vsock zero-copy receive (SO_VM_SOCKETS_MAP_RX, our test
 * kernel's, test/kernel/vsock_zc.h) in the VM tests' guest, over vsock
 * loopback (CID 1)
 *
 * Usage:
 *	vzcprobe probe		"probe supported" if setsockopt(ZEROCOPY),
 *				mmap() and getsockopt(MAP_RX) (ENOTCONN,
 *				unconnected) work on a fresh stream socket;
 *				"probe unsupported: ..." with what each gave
 *				if they fail as on mainline (ENOPROTOOPT,
 *				ENODEV, ENOPROTOOPT)
 *	vzcprobe refuse		what the interface must refuse, and mapping
 *				into a mapping too small for the data (fails
 *				where "probe" says unsupported)
 *	vzcprobe transfer zc|copy MIB PAGES varied|fixed
 *				a forked sender writes MIB MiB of a known
 *				pattern over vsock loopback, in writes of
 *				varied sizes (tiny ones, ones off a page
 *				multiple) or all of PAGES pages; received
 *				with a mapping of PAGES pages (zc) or read()
 *				into a buffer of PAGES pages (copy), every
 *				byte checked, and the rest of each packet's
 *				last page checked to read as zeroes
 *
 * transfer prints
 *	transfer MODE ok bytes=N packets=N mapped=N copied=N calls=N ms=N
 *		rx_usr_ms=N rx_sys_ms=N
 * on one line (packets, mapped and copied: sums of what the kernel
 * reported, 0 in copy mode; calls: getsockopt() or read() calls that got
 * data; ms: from accept() to the end of the stream; rx_usr_ms and
 * rx_sys_ms: the receiver's CPU time then, in user space, checking, and in
 * the kernel, copying or mapping), or "transfer MODE fail: REASON". Each command
 * exits 0 only if what it printed is a good answer. Built static into the
 * guest's initramfs by test/vm/initramfs.sh.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "vsock_zc.h"

#define PAGE		4096UL
#define PORT		5201		/* the transfers' listening port */
#define PAT_PERIOD	65521		/* prime: off page multiples */
#define MAX_CHUNK	(4UL << 20)	/* longest write, read or packet */
#define TIMEOUT		120		/* seconds, for a whole command */

static uint8_t *pat;			/* PAT_PERIOD + MAX_CHUNK bytes */

/* Sizes of the varied writes, in turn */
static const size_t varied[] = {
	1, 7, 100, 4096, 4097, 65536, 12345, 200000, 8191, 3, 32768, 4095,
	1000, 131072, 5000, 128, 129, 61440,
};

/**
 * pattern_init() - Fill the pattern: byte i of the stream is pat[i % period]
 */
static void pattern_init(void)
{
	size_t i;

	pat = malloc(PAT_PERIOD + MAX_CHUNK);
	if (!pat) {
		perror("malloc");
		exit(1);
	}
	for (i = 0; i < PAT_PERIOD + MAX_CHUNK; i++) {
		size_t j = i % PAT_PERIOD;

		pat[i] = (uint8_t)(j * 131 + (j >> 8) + 17);
	}
}

/**
 * check_data() - Is this what the stream holds at this offset
 * @p:		Data
 * @len:	Its length, at most MAX_CHUNK
 * @off:	Offset in the stream
 *
 * Return: 0 if so, -1 if not
 */
static int check_data(const uint8_t *p, size_t len, uint64_t off)
{
	return memcmp(p, pat + off % PAT_PERIOD, len) ? -1 : 0;
}

/**
 * errname() - Short name of an errno value the tests expect
 * @e:		errno value
 */
static const char *errname(int e)
{
	switch (e) {
	case 0:			return "ok";
	case ENOPROTOOPT:	return "ENOPROTOOPT";
	case ENODEV:		return "ENODEV";
	case ENOTCONN:		return "ENOTCONN";
	case EINVAL:		return "EINVAL";
	case EOPNOTSUPP:	return "EOPNOTSUPP";
	case EBUSY:		return "EBUSY";
	case EPERM:		return "EPERM";
	case EACCES:		return "EACCES";
	default:		return strerror(e);
	}
}

/**
 * set_zc() - setsockopt(SO_VM_SOCKETS_ZEROCOPY, 1)
 * @s:		Socket
 *
 * Return: 0 or errno
 */
static int set_zc(int s)
{
	int one = 1;

	return setsockopt(s, AF_VSOCK, SO_VM_SOCKETS_ZEROCOPY,
			  &one, sizeof(one)) ? errno : 0;
}

/**
 * map_rx() - getsockopt(SO_VM_SOCKETS_MAP_RX) on a mapping
 * @s:		Socket
 * @addr:	Start of the mapping
 * @rx:		Counts, filled in
 *
 * Return: 0 or errno
 */
static int map_rx(int s, void *addr, struct vsock_map_rx *rx)
{
	socklen_t len = sizeof(*rx);

	memset(rx, 0, sizeof(*rx));
	rx->addr = (uintptr_t)addr;
	if (getsockopt(s, AF_VSOCK, SO_VM_SOCKETS_MAP_RX, rx, &len))
		return errno;
	return len == sizeof(*rx) ? 0 : EPROTO;
}

/**
 * map_sock() - mmap() a socket as the interface wants it
 * @s:		Socket
 * @pages:	Length in pages
 *
 * Return: address, MAP_FAILED with errno set on failure
 */
static void *map_sock(int s, size_t pages)
{
	return mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, s, 0);
}

/**
 * cmd_probe() - Tell whether the kernel has the interface
 *
 * Return: 0 if the answer is one of the two good ones
 */
static int cmd_probe(void)
{
	int s = socket(AF_VSOCK, SOCK_STREAM, 0), e_set, e_map, e_get;
	struct vsock_map_rx rx;
	void *m;

	if (s < 0) {
		printf("probe fail: socket: %s\n", strerror(errno));
		return 1;
	}
	e_set = set_zc(s);
	m = map_sock(s, 2);
	e_map = m == MAP_FAILED ? errno : 0;
	e_get = map_rx(s, m == MAP_FAILED ? NULL : m, &rx);
	close(s);

	if (!e_set && !e_map && e_get == ENOTCONN) {
		printf("probe supported\n");
		return 0;
	}
	printf("probe unsupported: setsockopt %s mmap %s getsockopt %s\n",
	       errname(e_set), errname(e_map), errname(e_get));
	return !(e_set == ENOPROTOOPT && e_map == ENODEV &&
		 e_get == ENOPROTOOPT);
}

/**
 * listener() - A stream socket listening on vsock loopback
 * @zc:		Set SO_VM_SOCKETS_ZEROCOPY on it first
 * @port:	Port
 *
 * Return: socket, -1 on failure (message printed)
 */
static int listener(int zc, unsigned port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_ANY,
				 .svm_port = port };
	int s = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (s < 0 || (zc && set_zc(s)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		printf("listener: %s\n", strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/**
 * connect_local() - A stream socket connected to vsock loopback
 * @port:	Port
 *
 * Return: socket, -1 on failure
 */
static int connect_local(unsigned port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_LOCAL,
				 .svm_port = port };
	int s = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * write_all() - Write all of a buffer
 * @s:		Socket
 * @p:		Buffer
 * @len:	Length
 *
 * Return: 0, -1 on error
 */
static int write_all(int s, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(s, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * wait_in() - Wait for a socket to be readable, then let the loopback
 *	       worker queue what is on its way
 * @s:		Socket
 *
 * Return: 0 if readable within 5 s
 */
static int wait_in(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1)
		return -1;
	usleep(100000);
	return 0;
}

/**
 * pair() - A connected pair over vsock loopback
 * @zc:		Listener gets SO_VM_SOCKETS_ZEROCOPY (the accepted one takes it)
 * @port:	Port
 * @snd:	Connecting end, set
 * @rcv:	Accepted end, set
 *
 * Return: 0, -1 on failure
 */
static int pair(int zc, unsigned port, int *snd, int *rcv)
{
	int l = listener(zc, port);

	if (l < 0)
		return -1;
	*snd = connect_local(port);
	*rcv = *snd < 0 ? -1 : accept(l, NULL, NULL);
	close(l);
	if (*rcv < 0) {
		if (*snd >= 0)
			close(*snd);
		return -1;
	}
	return 0;
}

/**
 * expect_map() - One getsockopt(MAP_RX) into a mapping must give just this
 * @rcv:	Socket
 * @m:		Its mapping
 * @off:	Offset in the stream of the data expected
 * @len:	Bytes expected, in one packet
 * @copied:	Expect its pages copied, not mapped
 * @left:	Expected poll_value
 *
 * Return: NULL if so, else what was wrong
 */
static const char *expect_map(int rcv, const uint8_t *m, uint64_t off,
			      uint32_t len, int copied, uint32_t left)
{
	const struct vsock_map_rx_head *h = (const void *)m;
	const struct virtio_vsock_usr_hdr *u = (const void *)(h + 1);
	uint32_t pages = (len + PAGE - 1) / PAGE, i;
	struct vsock_map_rx rx;

	if (map_rx(rcv, (void *)m, &rx))
		return "getsockopt failed";
	if (rx.bytes != len || rx.packets != 1 || h->hdr_num != 1 ||
	    u[0].length != len || u[1].length != 0)
		return "wrong lengths";
	if (rx.pages_mapped != (copied ? 0 : pages) ||
	    rx.pages_copied != (copied ? pages : 0))
		return "wrong page counts";
	if (h->poll_value != left)
		return "wrong poll_value";
	if (check_data(m + PAGE, len, off))
		return "wrong data";
	for (i = len; i < pages * PAGE; i++)
		if (m[PAGE + i])
			return "page tail not cleared";
	return NULL;
}

/**
 * refuse_unmapped() - What needs no connection, or no zerocopy option
 *
 * Return: NULL if all were refused as they should, else what wasn't
 */
static const char *refuse_unmapped(void)
{
	int s = socket(AF_VSOCK, SOCK_SEQPACKET, 0), snd, rcv, e;
	struct vsock_map_rx rx;
	void *m;

	if (s >= 0) {
		e = set_zc(s);
		close(s);
		if (e != EOPNOTSUPP)
			return "zerocopy on SOCK_SEQPACKET";
	}
	s = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (mmap(NULL, PAGE, PROT_READ, MAP_SHARED, s, 0) != MAP_FAILED ||
	    errno != EINVAL)
		return "mmap of one page";
	if (mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0) !=
	    MAP_FAILED || errno != EPERM)
		return "writable mmap";
	if (mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, s, 0) !=
	    MAP_FAILED || errno != EINVAL)
		return "private mmap";
	close(s);
	if ((s = listener(0, PORT + 3)) < 0 || set_zc(s) != EINVAL)
		return "zerocopy on a listening socket";
	close(s);

	if (pair(0, PORT + 1, &snd, &rcv))
		return "no connection";
	m = map_sock(rcv, 2);
	e = map_rx(rcv, m, &rx);
	if (m == MAP_FAILED || e != EINVAL)
		return "getsockopt without the zerocopy option";
	if (set_zc(rcv) != EINVAL || set_zc(snd) != EINVAL)
		return "zerocopy on connected sockets";
	munmap(m, 2 * PAGE);
	close(snd);
	close(rcv);
	return NULL;
}

/**
 * refuse_mapped() - Wrong mappings, pages not released, a mapping too
 *		     small, small writes, data partly read before
 * @snd:	Sending end
 * @rcv:	Receiving end, zerocopy set
 *
 * Return: NULL if all went as it should, else what didn't
 */
static const char *refuse_mapped(int snd, int rcv)
{
	void *anon = mmap(NULL, 2 * PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *m = map_sock(rcv, 2), c[10];
	struct vsock_map_rx rx;
	const char *r;

	if (m == MAP_FAILED || anon == MAP_FAILED)
		return "mmap failed";
	if (map_rx(rcv, anon, &rx) != EINVAL)
		return "getsockopt on an anonymous mapping";
	if (map_rx(rcv, m + PAGE, &rx) != EINVAL)
		return "getsockopt inside the mapping";
	if (map_rx(rcv, m, &rx) || rx.bytes || rx.packets || m[4] ||
	    madvise(m, 2 * PAGE, MADV_DONTNEED))
		return "getsockopt with nothing queued";

	/* One packet of three pages and 10 bytes, a page a call */
	if (write_all(snd, pat, 3 * PAGE + 10) || wait_in(rcv))
		return "write of 3 pages + 10";
	if ((r = expect_map(rcv, m, 0, PAGE, 0, 2 * PAGE + 10)))
		return r;
	if (map_rx(rcv, m, &rx) != EBUSY)
		return "getsockopt without madvise";
	if (madvise(m, PAGE, MADV_DONTNEED) || map_rx(rcv, m, &rx) != EBUSY)
		return "getsockopt with a data page left";
	madvise(m, 2 * PAGE, MADV_DONTNEED);
	if ((r = expect_map(rcv, m, PAGE, PAGE, 0, PAGE + 10)))
		return r;
	madvise(m, 2 * PAGE, MADV_DONTNEED);
	if ((r = expect_map(rcv, m, 2 * PAGE, PAGE, 0, 10)))
		return r;
	madvise(m, 2 * PAGE, MADV_DONTNEED);
	if ((r = expect_map(rcv, m, 3 * PAGE, 10, 0, 0)))
		return r;
	madvise(m, 2 * PAGE, MADV_DONTNEED);

	/* A small write is copied */
	if (write_all(snd, pat + 3 * PAGE + 10, 100) || wait_in(rcv))
		return "write of 100";
	if ((r = expect_map(rcv, m, 3 * PAGE + 10, 100, 1, 0)))
		return r;
	madvise(m, 2 * PAGE, MADV_DONTNEED);

	/* After a read() off a page boundary, the rest is copied */
	if (write_all(snd, pat + 3 * PAGE + 110, 2 * PAGE) || wait_in(rcv) ||
	    read(rcv, c, sizeof(c)) != sizeof(c) ||
	    check_data(c, sizeof(c), 3 * PAGE + 110))
		return "write of 2 pages, read of 10";
	if ((r = expect_map(rcv, m, 3 * PAGE + 120, PAGE, 1, PAGE - 10)))
		return r;
	madvise(m, 2 * PAGE, MADV_DONTNEED);
	if ((r = expect_map(rcv, m, 4 * PAGE + 120, PAGE - 10, 1, 0)))
		return r;

	munmap(m, 2 * PAGE);
	munmap(anon, 2 * PAGE);
	return NULL;
}

/**
 * cmd_refuse() - What the interface must refuse, and mappings too small
 *
 * Return: 0 if all went as it should
 */
static int cmd_refuse(void)
{
	const char *r = refuse_unmapped();
	int snd, rcv;

	if (!r && pair(1, PORT + 2, &snd, &rcv))
		r = "no connection";
	else if (!r) {
		r = refuse_mapped(snd, rcv);
		close(snd);
		close(rcv);
	}
	if (r) {
		printf("refuse fail: %s (%s)\n", r, strerror(errno));
		return 1;
	}
	printf("refuse ok\n");
	return 0;
}

/**
 * struct stats - What a transfer's receiver saw
 * @bytes:	Data received and checked
 * @packets:	Packets mapped
 * @mapped:	Pages mapped as they were
 * @copied:	Pages the kernel copied
 * @calls:	getsockopt() or read() calls that got data
 */
struct stats {
	uint64_t bytes;
	uint64_t packets;
	uint64_t mapped;
	uint64_t copied;
	uint64_t calls;
};

/**
 * sender() - Connect, write a stream of the pattern, close, exit
 * @total:	Bytes
 * @fixed:	Size of each write, 0 for the varied ones
 */
static void sender(uint64_t total, size_t fixed)
{
	int s = connect_local(PORT);
	uint64_t off = 0;
	unsigned i = 0;

	if (s < 0)
		_exit(1);
	while (off < total) {
		size_t n = fixed ? fixed :
			   varied[i++ % (sizeof(varied) / sizeof(varied[0]))];

		if (n > total - off)
			n = total - off;
		if (write_all(s, pat + off % PAT_PERIOD, n))
			_exit(1);
		off += n;
	}
	close(s);
	_exit(0);
}

/**
 * recv_copy() - Receive with read()
 * @s:		Socket
 * @bufsz:	Buffer size
 * @st:		Counts, updated
 *
 * Return: NULL at the end of the stream, else what went wrong
 */
static const char *recv_copy(int s, size_t bufsz, struct stats *st)
{
	uint8_t *buf = malloc(bufsz);
	ssize_t n;

	if (!buf)
		return "malloc";
	while ((n = read(s, buf, bufsz))) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return "read";
		if (check_data(buf, n, st->bytes))
			return "wrong data";
		st->bytes += n;
		st->calls++;
	}
	free(buf);
	return NULL;
}

/**
 * check_mapping() - Check the packets of one getsockopt(MAP_RX), count them
 * @m:		Mapping
 * @pages:	Its length in pages
 * @rx:		What getsockopt() said
 * @st:		Counts, updated
 *
 * Return: NULL if layout, data and counts are right, else what wasn't
 */
static const char *check_mapping(const uint8_t *m, size_t pages,
				 const struct vsock_map_rx *rx,
				 struct stats *st)
{
	const struct vsock_map_rx_head *h = (const void *)m;
	const struct virtio_vsock_usr_hdr *u = (const void *)(h + 1);
	uint64_t sum = 0;
	size_t page = 1;
	uint32_t i, j;

	if (h->hdr_num != rx->packets)
		return "hdr_num isn't the packets counted";
	for (i = 0; i < h->hdr_num; i++) {
		uint32_t len = u[i].length, np = (len + PAGE - 1) / PAGE;
		const uint8_t *d = m + page * PAGE;

		if (!len || page + np > pages)
			return "packet beyond the mapping";
		if (check_data(d, len, st->bytes + sum))
			return "wrong data";
		for (j = len; j < np * PAGE; j++)
			if (d[j])
				return "page tail not cleared";
		sum += len;
		page += np;
	}
	if (u[h->hdr_num].length)
		return "no end of the headers";
	if (sum != rx->bytes)
		return "lengths don't add up to the bytes counted";
	if (rx->pages_mapped + rx->pages_copied != page - 1)
		return "pages counted aren't the pages used";

	st->bytes += sum;
	st->packets += rx->packets;
	st->mapped += rx->pages_mapped;
	st->copied += rx->pages_copied;
	st->calls++;
	return NULL;
}

/**
 * at_eof() - Has the peer closed, with nothing left to read
 * @s:		Socket
 */
static int at_eof(int s)
{
	char c;

	return recv(s, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/**
 * recv_zc() - Receive with mappings
 * @s:		Socket
 * @pages:	Mapping length in pages
 * @st:		Counts, updated
 *
 * Return: NULL at the end of the stream, else what went wrong
 */
static const char *recv_zc(int s, size_t pages, struct stats *st)
{
	uint8_t *m = map_sock(s, pages);
	struct vsock_map_rx rx;
	const char *r;

	if (m == MAP_FAILED)
		return "mmap";
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		if (poll(&p, 1, 10000) != 1)
			return "stalled";
		if (map_rx(s, m, &rx))
			return "getsockopt";
		if (!rx.bytes && at_eof(s))
			break;
		if (rx.bytes && (r = check_mapping(m, pages, &rx, st)))
			return r;
		if (madvise(m, pages * PAGE, MADV_DONTNEED))
			return "madvise";
	}
	munmap(m, pages * PAGE);
	return NULL;
}

/**
 * ms_of() - Milliseconds in a struct timeval
 * @tv:		Time
 */
static long long ms_of(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

/**
 * print_ok() - Print the line of a good transfer
 * @mode:	"zc" or "copy"
 * @st:		Counts
 * @t0:		Time at accept()
 * @t1:		Time at the end of the stream
 * @r0:		Receiver's CPU time at accept()
 * @r1:		Receiver's CPU time at the end
 */
static void print_ok(const char *mode, const struct stats *st,
		     const struct timespec *t0, const struct timespec *t1,
		     const struct rusage *r0, const struct rusage *r1)
{
	printf("transfer %s ok bytes=%llu packets=%llu mapped=%llu copied=%llu calls=%llu ms=%lld rx_usr_ms=%lld rx_sys_ms=%lld\n",
	       mode, (unsigned long long)st->bytes,
	       (unsigned long long)st->packets, (unsigned long long)st->mapped,
	       (unsigned long long)st->copied, (unsigned long long)st->calls,
	       (long long)(t1->tv_sec - t0->tv_sec) * 1000 +
	       (t1->tv_nsec - t0->tv_nsec) / 1000000,
	       ms_of(&r1->ru_utime) - ms_of(&r0->ru_utime),
	       ms_of(&r1->ru_stime) - ms_of(&r0->ru_stime));
}

/**
 * cmd_transfer() - A stream from a forked sender, received and checked
 * @mode:	"zc" (mappings) or "copy" (read())
 * @mib:	MiB to send
 * @pages:	Mapping or read buffer size, and fixed write size, in pages
 * @sizes:	"varied" or "fixed" writes
 *
 * Return: 0 if every byte arrived as sent
 */
static int cmd_transfer(const char *mode, int mib, int pages,
			const char *sizes)
{
	int zc = !strcmp(mode, "zc"), fixed = !strcmp(sizes, "fixed");
	uint64_t total = (uint64_t)mib << 20;
	struct stats st = { 0 };
	struct timespec t0, t1;
	struct rusage r0, r1;
	const char *r = NULL;
	int l, s, status;
	pid_t pid;

	if ((!zc && strcmp(mode, "copy")) || (!fixed && strcmp(sizes, "varied")) ||
	    mib < 1 || mib > 4096 || pages < 2 || pages * PAGE > MAX_CHUNK) {
		printf("transfer %s fail: bad arguments\n", mode);
		return 2;
	}
	if ((l = listener(zc, PORT)) < 0) {
		printf("transfer %s fail: no listener\n", mode);
		return 1;
	}
	if ((pid = fork()) < 0) {
		printf("transfer %s fail: fork: %s\n", mode, strerror(errno));
		return 1;
	}
	if (!pid)
		sender(total, fixed ? pages * PAGE : 0);
	s = accept(l, NULL, NULL);
	close(l);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	getrusage(RUSAGE_SELF, &r0);
	if (s < 0)
		r = "accept";
	else if (zc)
		r = recv_zc(s, pages, &st);
	else
		r = recv_copy(s, pages * PAGE, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	if (r)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		r = r ? r : "sender failed";
	if (!r && st.bytes != total)
		r = "stream short";
	if (r) {
		printf("transfer %s fail: %s after %llu bytes\n", mode, r,
		       (unsigned long long)st.bytes);
		return 1;
	}
	print_ok(mode, &st, &t0, &t1, &r0, &r1);
	return 0;
}

/**
 * main() - Run one command
 * @argc:	Argument count
 * @argv:	Command and its arguments
 *
 * Return: 0 if the command printed a good answer
 */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	alarm(TIMEOUT);
	pattern_init();

	if (argc == 2 && !strcmp(argv[1], "probe"))
		return cmd_probe();
	if (argc == 2 && !strcmp(argv[1], "refuse"))
		return cmd_refuse();
	if (argc == 6 && !strcmp(argv[1], "transfer"))
		return cmd_transfer(argv[2], atoi(argv[3]), atoi(argv[4]),
				    argv[5]);

	fprintf(stderr, "usage: %s probe | refuse | "
		"transfer zc|copy MIB PAGES varied|fixed\n", argv[0]);
	return 2;
}
