// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - helpers with no knowledge of flows or the guest */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include "util.h"
#include "log.h"

const struct in6_addr in6addr_ll_all_nodes = {
	.s6_addr = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
};
const struct in6_addr in6addr_ll_all_routers = {
	.s6_addr = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
};

/**
 * assert_fail() - Report a broken invariant and abort
 * @expr:	Text of the failed expression
 * @file:	Source file
 * @line:	Source line
 * @func:	Function
 */
void assert_fail(const char *expr, const char *file, int line,
		 const char *func)
{
	err("ASSERTION FAILED in %s (%s:%d): %s", func, file, line, expr);
	/* Not allowed by the seccomp filter on purpose: abort()'s own system
	 * calls (rt_sigprocmask, getpid, tgkill). Once it's on, we die of
	 * SIGSYS instead of SIGABRT, with a core dump from the same place
	 */
	abort();
}

/**
 * clock_now() - Read the monotonic clock
 * @ts:		Filled with the current time
 */
void clock_now(struct timespec *ts)
{
	/* #syscalls clock_gettime */
	clock_gettime(CLOCK_MONOTONIC, ts);
}

/**
 * str_copy() - Copy a string if it fits, NUL included
 * @dst:	Destination
 * @size:	Size of @dst
 * @src:	String
 *
 * Return: 0 on success, -ENAMETOOLONG (and @dst untouched) if it doesn't fit
 */
int str_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

/**
 * write_all() - Write a whole buffer, retrying short writes
 * @fd:		Descriptor
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: 0 on success, -errno on failure
 */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		/* #syscalls write */
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * write_file() - Replace the contents of a (proc) file with a string
 * @path:	File path
 * @buf:	NUL-terminated contents
 *
 * Return: 0 on success, -errno on failure
 */
int write_file(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, strlen(buf));
	close(fd);
	return rc;
}

/**
 * read_file() - Read up to @size - 1 bytes of a file, NUL-terminated
 * @path:	File path
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: bytes read, or -errno on failure
 */
ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t total = 0;

	if (fd < 0)
		return -errno;
	while (total < size - 1) {
		ssize_t n = read(fd, buf + total, size - 1 - total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (!n)
			break;
		total += (size_t)n;
	}
	close(fd);
	buf[total] = '\0';
	return (ssize_t)total;
}

/**
 * parse_u32() - Parse a whole string as an unsigned 32-bit number
 * @s:		String
 * @base:	Base as for strtoul(), 0 to accept prefixes
 * @v:		Result, set only on success
 *
 * Return: 0 on success, -EINVAL if @s is not entirely a number in range
 */
int parse_u32(const char *s, int base, uint32_t *v)
{
	unsigned long long n;
	char *end;

	/* strtoull() would skip any blank, and take a sign */
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' ||
	    (*s >= '\t' && *s <= '\r'))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/**
 * mac_is_zero() - Is the MAC address all zeroes?
 * @mac:	Address
 *
 * Return: true if zero
 */
bool mac_is_zero(const uint8_t mac[static MAC_LEN])
{
	static const uint8_t zero[MAC_LEN];

	return !memcmp(mac, zero, MAC_LEN);
}

/**
 * mac_ntop() - Format a MAC address
 * @mac:	Address
 * @buf:	Output, at least MAC_STRLEN bytes
 * @size:	Size of @buf
 *
 * Return: @buf
 */
const char *mac_ntop(const uint8_t mac[static MAC_LEN], char *buf,
		     size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * mac_pton() - Parse a MAC address in the xx:xx:xx:xx:xx:xx form
 * @s:		String
 * @mac:	Result, set only on success
 *
 * Return: 0 on success, -EINVAL on a malformed address
 */
int mac_pton(const char *s, uint8_t mac[static MAC_LEN])
{
	uint8_t out[MAC_LEN];
	int i;

	for (i = 0; i < MAC_LEN; i++) {
		int hi, lo;

		hi = s[0] >= '0' && s[0] <= '9' ? s[0] - '0' :
		     (s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'f' ?
		     (s[0] | 0x20) - 'a' + 10 : -1;
		if (hi < 0)
			return -EINVAL;
		lo = s[1] >= '0' && s[1] <= '9' ? s[1] - '0' :
		     (s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'f' ?
		     (s[1] | 0x20) - 'a' + 10 : -1;
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < MAC_LEN - 1 && *s++ != ':')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(mac, out, MAC_LEN);
	return 0;
}

/**
 * rand_bytes() - Fill a buffer with random bytes from the kernel
 * @buf:	Buffer
 * @len:	Length
 */
void rand_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		/* #syscalls getrandom */
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_perror("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

/**
 * rand_u32() - A random 32-bit number
 *
 * Return: random value
 */
uint32_t rand_u32(void)
{
	uint32_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

/**
 * set_nonblock() - Set O_NONBLOCK on a descriptor
 * @fd:		Descriptor
 *
 * Return: 0 on success, -errno on failure
 */
int set_nonblock(int fd)
{
	/* #syscalls fcntl */
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/**
 * close_range_from() - Close every descriptor from @first upwards
 * @first:	Lowest descriptor to close
 *
 * Return: 0 on success, -errno on failure
 */
int close_range_from(int first)
{
	/* #syscalls:setup close_range */
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0))
		return -errno;
	return 0;
}

static unsigned long fd_limit;		/* RLIMIT_NOFILE, as set at start */

/**
 * fd_limit_set() - Note the descriptor limit we run with, for messages
 * @limit:	Soft RLIMIT_NOFILE, once raised at start
 */
void fd_limit_set(unsigned long limit)
{
	fd_limit = limit;
}

/**
 * fd_err_str() - What a failure to get a descriptor means, for a log line
 * @err:	errno value
 *
 * Return: for EMFILE, the limit we hit (as it was at start: it may have
 *	   been lowered since) and how to raise it; for ENFILE, the
 *	   system-wide one; else strerror()
 */
const char *fd_err_str(int err)
{
	if (err == EMFILE && fd_limit) {
		static char buf[128];

		snprintf(buf, sizeof(buf), "Too many open files: RLIMIT_NOFILE "
			 "reached (%lu at start; raise the hard limit: "
			 "ulimit -Hn, or LimitNOFILE=)", fd_limit);
		return buf;
	}
	if (err == ENFILE)
		return "Too many open files in system: fs.file-max reached";
	return strerror(err);
}
