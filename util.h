/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - helpers with no knowledge of flows or the guest */

#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <assert.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/types.h>

#ifndef VERSION
#define VERSION "0.0.0"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ROUND_UP(n, m)		(DIV_ROUND_UP((n), (m)) * (m))
#define ROUND_DOWN(n, m)	((n) / (m) * (m))
#define BIT(n)			(1UL << (n))

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define STRINGIFY_(x)		#x
#define STRINGIFY(x)		STRINGIFY_(x)

#define PAGE_SIZE		4096UL
#define PAGE_ALIGNED		__attribute__((aligned(PAGE_SIZE)))

#define MAC_LEN			6
#ifndef ETH_MAX_MTU
#define ETH_MAX_MTU		65535U
#endif
/* Largest Ethernet payload that still fits a 64 KiB frame, rounded to 32 bits */
#define MTU_DEFAULT		65520
#define MTU_MIN_IPV6		1280
#define MTU_MIN_IPV4		68

#define NS_PER_S		1000000000ULL
#define MS_PER_S		1000ULL

/**
 * ASSERT() - Check one of our own invariants, abort with context if broken
 * @expr:	Expression that must hold
 *
 * For our own logic only: never for anything a guest or a peer can trigger.
 */
#define ASSERT(expr)							\
	do {								\
		if (unlikely(!(expr)))					\
			assert_fail(#expr, __FILE__, __LINE__, __func__); \
	} while (0)

__attribute__((noreturn))
void assert_fail(const char *expr, const char *file, int line,
		 const char *func);

/**
 * timespec_diff_ms() - Milliseconds from @b to @a
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b in milliseconds, may be negative
 */
static inline int64_t timespec_diff_ms(const struct timespec *a,
				       const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000 +
	       (a->tv_nsec - b->tv_nsec) / 1000000;
}

/**
 * timespec_diff_us() - Microseconds from @b to @a
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b in microseconds, may be negative
 */
static inline int64_t timespec_diff_us(const struct timespec *a,
				       const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000 +
	       (a->tv_nsec - b->tv_nsec) / 1000;
}

/* Seconds on a monotonic clock that survives wall-clock changes */
void clock_now(struct timespec *ts);

int str_copy(char *dst, size_t size, const char *src);
int write_all(int fd, const void *buf, size_t len);
int write_file(const char *path, const char *buf);
ssize_t read_file(const char *path, char *buf, size_t size);
int parse_u32(const char *s, int base, uint32_t *v);
bool mac_is_zero(const uint8_t mac[static MAC_LEN]);
const char *mac_ntop(const uint8_t mac[static MAC_LEN], char *buf,
		     size_t size);
int mac_pton(const char *s, uint8_t mac[static MAC_LEN]);
uint32_t rand_u32(void);
void rand_bytes(void *buf, size_t len);

/**
 * set_nonblock() - Set O_NONBLOCK on a descriptor
 * @fd:		Descriptor
 *
 * Return: 0 on success, -errno on failure
 */
int set_nonblock(int fd);

int close_range_from(int first);
void fd_limit_set(unsigned long limit);
const char *fd_err_str(int err);

#define IPV4_STRLEN		INET_ADDRSTRLEN
#define IPV6_STRLEN		INET6_ADDRSTRLEN
#define MAC_STRLEN		18

/* Well-known IPv6 groups used on the guest link */
extern const struct in6_addr in6addr_ll_all_nodes;
extern const struct in6_addr in6addr_ll_all_routers;

/**
 * in4_is_unspec() - Is the IPv4 address 0.0.0.0?
 * @a:		Address
 *
 * Return: true if unspecified
 */
static inline bool in4_is_unspec(const struct in_addr *a)
{
	return a->s_addr == htonl(INADDR_ANY);
}

/**
 * in4_is_loopback() - Is the IPv4 address in 127.0.0.0/8?
 * @a:		Address
 *
 * Return: true if loopback
 */
static inline bool in4_is_loopback(const struct in_addr *a)
{
	return (ntohl(a->s_addr) >> 24) == IN_LOOPBACKNET;
}

/**
 * in4_is_multicast() - Is the IPv4 address multicast or broadcast?
 * @a:		Address
 *
 * Return: true if multicast or limited broadcast
 */
static inline bool in4_is_multicast(const struct in_addr *a)
{
	return IN_MULTICAST(ntohl(a->s_addr)) ||
	       a->s_addr == htonl(INADDR_BROADCAST);
}

/**
 * in4_eq() - Compare two IPv4 addresses
 * @a:		First
 * @b:		Second
 *
 * Return: true if equal
 */
static inline bool in4_eq(const struct in_addr *a, const struct in_addr *b)
{
	return a->s_addr == b->s_addr;
}

/**
 * in6_eq() - Compare two IPv6 addresses
 * @a:		First
 * @b:		Second
 *
 * Return: true if equal
 */
static inline bool in6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

#endif /* UTIL_H */
