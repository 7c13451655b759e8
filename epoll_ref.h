/* SPDX-License-Identifier: GPL-2.0-or-later */
/* epoll_ref.h - the one tagged reference carried by every epoll event */

#ifndef EPOLL_REF_H
#define EPOLL_REF_H

#include <assert.h>
#include <stdint.h>
#include <sys/epoll.h>

/**
 * enum epoll_type - What an epoll event is about, one case each in the
 *		     dispatch switch of passt.c
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_SIGNAL,		/* signalfd: SIGTERM, SIGUSR1, SIGCHLD */
	EPOLL_TYPE_TAP_PASTA,		/* tap device in the namespace */
	EPOLL_TYPE_TAP_PASST,		/* connected stream socket (QEMU) */
	EPOLL_TYPE_TAP_LISTEN,		/* listening UNIX socket */
	EPOLL_TYPE_NSQUIT_INOTIFY,	/* namespace path watch */
	EPOLL_TYPE_NSQUIT_TIMER,	/* namespace path poll, 1 s */
	EPOLL_TYPE_NSQUIT_PIDFD,	/* attached process exited */
	EPOLL_TYPE_PING,		/* ICMP/ICMPv6 echo socket */
	EPOLL_TYPE_TCP,			/* host socket of a tap connection */
	EPOLL_TYPE_TCP_SPLICE,		/* one of two spliced sockets */
	EPOLL_TYPE_TCP_LISTEN,		/* listening socket, forwarded port */
	EPOLL_TYPE_UDP_LISTEN,		/* bound socket, forwarded port */
	EPOLL_TYPE_UDP_REPLY,		/* connected socket of a UDP flow */
	EPOLL_TYPE_VHOST_CMD,		/* vhost-user control socket */
	EPOLL_TYPE_VHOST_KICK,		/* vhost-user queue kick eventfd */
	EPOLL_TYPE_ZC_ORPHAN,		/* closed flow's socket, completions due */
	EPOLL_NUM_TYPES,
};

/**
 * union epoll_ref - Tagged 64-bit epoll data
 * @type:	enum epoll_type
 * @fd:		Descriptor the event is for
 * @flow:	Flow and side index (flow.h), for flow sockets
 * @data:	Type-specific data, e.g. a forwarding rule
 * @u64:	As stored in struct epoll_event
 */
union epoll_ref {
	struct {
		uint32_t type:8;
		int32_t fd:24;
		union {
			uint32_t flow;
			uint32_t data;
		};
	};
	uint64_t u64;
};
static_assert(sizeof(union epoll_ref) == sizeof(uint64_t),
	      "epoll_ref must fit epoll_data");

#define EPOLL_REF_FD_MAX	((1 << 23) - 1)

/**
 * epoll_ref_make() - Build a reference
 * @type:	Event type
 * @fd:		Descriptor
 * @data:	Payload
 *
 * Return: reference
 */
static inline union epoll_ref epoll_ref_make(enum epoll_type type, int fd,
					     uint32_t data)
{
	union epoll_ref ref = { .u64 = 0 };

	ref.type = type;
	ref.fd = fd;
	ref.data = data;
	return ref;
}

int epoll_add(int epollfd, uint32_t events, union epoll_ref ref);
int epoll_mod(int epollfd, uint32_t events, union epoll_ref ref);
void epoll_del(int epollfd, int fd);
const char *epoll_type_str(enum epoll_type type);

#endif /* EPOLL_REF_H */
