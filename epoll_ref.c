// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll_ref.c - registering descriptors with their tagged reference */

#include <errno.h>

#include "util.h"
#include "log.h"
#include "epoll_ref.h"

static const char *const epoll_type_names[EPOLL_NUM_TYPES] = {
	[EPOLL_TYPE_NONE]		= "none",
	[EPOLL_TYPE_SIGNAL]		= "signal",
	[EPOLL_TYPE_TAP_PASTA]		= "tap device",
	[EPOLL_TYPE_TAP_PASST]		= "tap stream",
	[EPOLL_TYPE_TAP_LISTEN]		= "tap listener",
	[EPOLL_TYPE_NSQUIT_INOTIFY]	= "namespace watch",
	[EPOLL_TYPE_NSQUIT_TIMER]	= "namespace timer",
	[EPOLL_TYPE_NSQUIT_PIDFD]	= "namespace process",
	[EPOLL_TYPE_PING]		= "ping socket",
	[EPOLL_TYPE_TCP]		= "TCP socket",
	[EPOLL_TYPE_TCP_SPLICE]		= "TCP spliced socket",
	[EPOLL_TYPE_TCP_LISTEN]		= "TCP listener",
	[EPOLL_TYPE_UDP_LISTEN]		= "UDP listener",
	[EPOLL_TYPE_UDP_REPLY]		= "UDP reply socket",
	[EPOLL_TYPE_VHOST_CMD]		= "vhost-user socket",
	[EPOLL_TYPE_VHOST_KICK]		= "vhost-user kick",
	[EPOLL_TYPE_ZC_ORPHAN]		= "zero-copy orphan",
};

/**
 * epoll_type_str() - Name of an event type, for messages
 * @type:	Event type
 *
 * Return: name
 */
const char *epoll_type_str(enum epoll_type type)
{
	if ((unsigned)type >= EPOLL_NUM_TYPES || !epoll_type_names[type])
		return "?";
	return epoll_type_names[type];
}

/**
 * epoll_add() - Watch a descriptor
 * @epollfd:	epoll instance
 * @events:	EPOLL* mask
 * @ref:	Reference, with the descriptor in @ref.fd
 *
 * Return: 0 on success, -errno on failure
 */
int epoll_add(int epollfd, uint32_t events, union epoll_ref ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	ASSERT(ref.fd >= 0 && ref.fd <= EPOLL_REF_FD_MAX);
	/* #syscalls epoll_ctl */
	if (epoll_ctl(epollfd, EPOLL_CTL_ADD, ref.fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_mod() - Change the events or reference of a watched descriptor
 * @epollfd:	epoll instance
 * @events:	EPOLL* mask
 * @ref:	Reference, with the descriptor in @ref.fd
 *
 * Return: 0 on success, -errno on failure
 */
int epoll_mod(int epollfd, uint32_t events, union epoll_ref ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	if (epoll_ctl(epollfd, EPOLL_CTL_MOD, ref.fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_del() - Stop watching a descriptor
 * @epollfd:	epoll instance
 * @fd:		Descriptor
 */
void epoll_del(int epollfd, int fd)
{
	epoll_ctl(epollfd, EPOLL_CTL_DEL, fd, NULL);
}
