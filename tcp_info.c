// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_info.c - the few TCP_INFO fields we use
 *
 * glibc's struct tcp_info (netinet/tcp.h) stops before tcpi_snd_wnd, and
 * the kernel's (linux/tcp.h) can't be included next to it: this file
 * includes only the kernel's, and hands out plain values.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tcp_info.h"

/**
 * tcp_info_read() - Read TCP_INFO of a socket
 * @s:		TCP socket
 * @ti:		What we use of it
 *
 * Return: 0 on success, -errno on failure
 */
int tcp_info_read(int s, struct tcp_info_lite *ti)
{
	struct tcp_info info;
	socklen_t sl = sizeof(info);

	memset(&info, 0, sizeof(info));
	/* #syscalls getsockopt */
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &info, &sl))
		return -errno;
	ti->has_snd_wnd = sl >= offsetof(struct tcp_info, tcpi_snd_wnd) +
			       sizeof(info.tcpi_snd_wnd);
	ti->snd_wnd = ti->has_snd_wnd ? info.tcpi_snd_wnd : 0;
	return 0;
}
