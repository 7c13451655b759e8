/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_info.h - the few TCP_INFO fields we use, without glibc's old struct */

#ifndef TCP_INFO_H
#define TCP_INFO_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct tcp_info_lite - What we read from TCP_INFO
 * @snd_wnd:	Peer's advertised receive window (kernel 5.4 or later)
 * @has_snd_wnd: The kernel filled @snd_wnd
 */
struct tcp_info_lite {
	uint32_t snd_wnd;
	bool has_snd_wnd;
};

int tcp_info_read(int s, struct tcp_info_lite *ti);

#endif /* TCP_INFO_H */
