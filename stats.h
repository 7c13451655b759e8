/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.h - counters of what the daemon did, dumped on SIGUSR1 */

#ifndef STATS_H
#define STATS_H

#include <stdint.h>

/* X-macro: identifier, printed name */
#define STATS_LIST(X)							\
	X(TAP_FRAMES_IN,	"tap_frames_in")			\
	X(TAP_BYTES_IN,		"tap_bytes_in")				\
	X(TAP_FRAMES_OUT,	"tap_frames_out")			\
	X(TAP_BYTES_OUT,	"tap_bytes_out")			\
	X(TAP_DROP_SHORT,	"drop_short_frame")			\
	X(TAP_DROP_ETHERTYPE,	"drop_unknown_ethertype")		\
	X(TAP_DROP_IP4,		"drop_bad_ipv4")			\
	X(TAP_DROP_IP6,		"drop_bad_ipv6")			\
	X(TAP_DROP_FRAG,	"drop_fragment")			\
	X(TAP_DROP_EXTHDR,	"drop_ipv6_ext_header")			\
	X(TAP_DROP_PROTO,	"drop_unhandled_protocol")		\
	X(TAP_DROP_L4,		"drop_bad_l4_header")			\
	X(TAP_DROP_OUT,		"drop_tap_write")			\
	X(TAP_DROP_STREAM,	"drop_bad_stream_length")		\
	X(TAP_DROP_MARTIAN,	"drop_martian_address")			\
	X(ARP_REPLIES,		"arp_replies")				\
	X(ARP_DROP,		"arp_dropped")				\
	X(NDP_NA,		"ndp_neighbour_adverts")		\
	X(NDP_RA,		"ndp_router_adverts")			\
	X(NDP_DROP,		"ndp_dropped")				\
	X(NDP_DROP_HOP_LIMIT,	"ndp_drop_hop_limit")			\
	X(DHCP_REPLIES,		"dhcp_replies")				\
	X(DHCP_DROP,		"dhcp_dropped")				\
	X(DHCPV6_REPLIES,	"dhcpv6_replies")			\
	X(DHCPV6_DROP,		"dhcpv6_dropped")			\
	X(ICMP_REQUESTS,	"icmp_echo_requests")			\
	X(ICMP_REPLIES,		"icmp_echo_replies")			\
	X(ICMP_DROP,		"icmp_dropped")				\
	X(FLOW_NEW,		"flows_created")			\
	X(FLOW_FREED,		"flows_freed")				\
	X(FLOW_TABLE_FULL,	"drop_flow_table_full")			\
	X(TCP_CONN_TAP_OUT,	"tcp_connections_guest_initiated")	\
	X(TCP_CONN_TAP_IN,	"tcp_connections_host_initiated")	\
	X(TCP_CONN_SPLICE,	"tcp_connections_spliced")		\
	X(TCP_BYTES_TO_GUEST,	"tcp_bytes_to_guest")			\
	X(TCP_BYTES_FROM_GUEST,	"tcp_bytes_from_guest")			\
	X(TCP_BYTES_SPLICED,	"tcp_bytes_spliced")			\
	X(TCP_SPLICE_POOL_EMPTY, "tcp_splice_pool_empty")		\
	X(TCP_SPLICE_CONN_FAIL,	"tcp_splice_connect_failed")		\
	X(TCP_SPLICE_RST,	"tcp_splice_resets")			\
	X(TCP_PEEK_OFF_BYTES,	"tcp_bytes_peeked_at_offset")		\
	X(TCP_PEEK_DISCARD_BYTES, "tcp_bytes_peeked_via_discard")	\
	X(TCP_DISCARD_SKIPPED,	"tcp_bytes_reread_and_discarded")	\
	X(TCP_RETRANS_DUPACK,	"tcp_retransmits_dup_ack")		\
	X(TCP_RETRANS_TIMEOUT,	"tcp_retransmits_timeout")		\
	X(TCP_RST_TO_GUEST,	"tcp_resets_to_guest")			\
	X(TCP_DROP_SEGMENT,	"tcp_segments_dropped")			\
	X(TCP_SENDMSG_CALLS,	"tcp_sendmsg_calls")			\
	X(TCP_SENDMSG_PARTIAL,	"tcp_sendmsg_partial")			\
	X(UDP_FLOWS,		"udp_flows")				\
	X(UDP_FLOWS_SPLICED,	"udp_flows_spliced")			\
	X(UDP_DGRAMS_FROM_GUEST, "udp_datagrams_from_guest")		\
	X(UDP_BYTES_FROM_GUEST,	"udp_bytes_from_guest")			\
	X(UDP_DGRAMS_TO_GUEST,	"udp_datagrams_to_guest")		\
	X(UDP_BYTES_TO_GUEST,	"udp_bytes_to_guest")			\
	X(UDP_DGRAMS_SPLICED,	"udp_datagrams_spliced")		\
	X(UDP_DROP_BAD_LEN,	"udp_drop_bad_length")			\
	X(UDP_DROP_TOO_BIG,	"udp_drop_larger_than_mtu")		\
	X(UDP_DROP_SEND,	"udp_drop_send_failed")			\
	X(UDP_DROP_NO_FLOW,	"udp_drop_no_flow")			\
	X(UDP_ICMP_RELAYED,	"udp_icmp_errors_relayed")		\
	X(UDP_FLOWS_EXPIRED,	"udp_flows_expired")

/**
 * enum stat_id - Counter identifiers
 */
enum stat_id {
#define STATS_ENUM(id, name)	STAT_##id,
	STATS_LIST(STATS_ENUM)
#undef STATS_ENUM
	STAT_COUNT
};

extern uint64_t stats[STAT_COUNT];

/**
 * stats_add() - Add to a counter
 * @id:		Counter
 * @n:		Amount
 */
static inline void stats_add(enum stat_id id, uint64_t n)
{
	stats[id] += n;
}

/**
 * stats_inc() - Increment a counter
 * @id:		Counter
 */
static inline void stats_inc(enum stat_id id)
{
	stats[id]++;
}

void stats_log(const char *what);
const char *stats_name(enum stat_id id);

#endif /* STATS_H */
