/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zerocopy.h - MSG_ZEROCOPY sends of guest data: pinned buffers,
 *		completions
 */

#ifndef ZEROCOPY_H
#define ZEROCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "epoll_ref.h"
#include "inany.h"

struct ctx;

/* What --zerocopy asks for */
enum zc_mode {
	ZC_AUTO = 0,	/* for peers not on this host's loopback */
	ZC_OFF,
	ZC_ON,		/* for every peer (local ones copy: then off) */
};

/* Smallest send that goes zero-copy, by default: below it, pinning and
 * the completion cost more than the copy
 */
#define ZC_MIN_DEFAULT		16384

/* SOL_SOCKET number of SCM_ZC_NOTIFICATION (completions returned by
 * sendmsg(), never merged into Linux): our test kernel's (test/kernel/),
 * probed at start; --zerocopy-cmsg sets another, or none
 */
#ifndef ZC_NOTIFICATION_CMSG
#define ZC_NOTIFICATION_CMSG	96
#endif

/* A flow's slot: none yet, or never (the socket refused SO_ZEROCOPY, or
 * the kernel copied anyway)
 */
#define ZC_NONE			0
#define ZC_NEVER		UINT16_MAX

void zc_init(struct ctx *c);
ssize_t zc_sendmsg(struct ctx *c, uint16_t *slot, int s,
		   const struct msghdr *mh, size_t bytes, const uint16_t *bufs,
		   const union inany_addr *peer);
ssize_t zc_tx_sendmsg(struct ctx *c, uint16_t *slot, int s,
		      const struct msghdr *mh, size_t bytes, unsigned chunk,
		      bool *went);
bool zc_tx_copies(uint16_t slot);
int zc_completions(struct ctx *c, uint16_t *slot);
int zc_sock_error(struct ctx *c, uint16_t *slot, int s);
bool zc_sock_close(struct ctx *c, uint16_t *slot, int s, bool watched,
		   bool rst);
void zc_orphan_handler(struct ctx *c, union epoll_ref ref);

#endif /* ZEROCOPY_H */
