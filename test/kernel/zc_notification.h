/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zc_notification.h - user-space view of SCM_ZC_NOTIFICATION, the
 * sendmsg() control message of our test kernel (0001-*.patch here)
 *
 * The one place the number is written down for user space:
 * test/vm/kernel.sh refuses to build the patched kernel if the patch
 * defines it to anything else. Never merged into Linux: on any other
 * kernel, sendmsg() with it fails with EINVAL (an unknown SOL_SOCKET
 * message), which is how a program finds out. 96 is free in 6.12 and well
 * above what later kernels took (81, the first free in 6.12, is
 * SCM_TS_OPT_ID from 6.13 on, with a 4-byte payload).
 */

#ifndef ZC_NOTIFICATION_H
#define ZC_NOTIFICATION_H

#include <stdint.h>

#define SCM_ZC_NOTIFICATION	96	/* level SOL_SOCKET */
#define ZC_NOTIFICATION_MAX	16	/* entries one message can take */

/**
 * struct zc_info_elem - One completion: zerocopy sends lo to hi, inclusive
 * @lo:		First, as numbered by the socket's counter of zerocopy sends
 * @hi:		Last
 * @zerocopy:	0 if the kernel copied the data after all
 */
struct zc_info_elem {
	uint32_t lo;
	uint32_t hi;
	uint8_t zerocopy;
};

/**
 * struct zc_info - Payload of SCM_ZC_NOTIFICATION
 * @size:	Set by the caller: room in @arr; on return: entries filled
 * @arr:	Completions, oldest first
 */
struct zc_info {
	uint32_t size;
	struct zc_info_elem arr[];
};

#endif /* ZC_NOTIFICATION_H */
