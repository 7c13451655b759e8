/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.h - counters of what the daemon did, logged as a table
 *
 * Every counter is described once, in STATS_LIST: its identifier (used
 * by the code), its machine name (printed for scripts on SIGUSR1, read by
 * the tests), and where it goes in the table a person reads: a section,
 * a column, and a label. A counter with no place of its own goes to
 * "other", under its machine name, so a new one is never lost.
 *
 * Columns: in STATS_SEC_FLOWS, A is "opened" and B "closed" (the "active"
 * column is their difference); in STATS_SEC_TRAFFIC, A is guest->host and
 * B host->guest, and ONE a count of both ways. A row with an A column is
 * followed in the list by its B, with the same label (test_stats checks).
 */

#ifndef STATS_H
#define STATS_H

#include <stdbool.h>
#include <stdint.h>

/**
 * enum stats_section - Sections of the table, in the order printed
 */
enum stats_section {
	STATS_SEC_FLOWS,	/* per protocol: active, opened, closed */
	STATS_SEC_TRAFFIC,	/* guest->host, host->guest */
	STATS_SEC_LOCAL,	/* answered by us: ARP, NDP, DHCP, DHCPv6 */
	STATS_SEC_DROPS,	/* one row per reason */
	STATS_SEC_TCP,		/* TCP events and the peek paths */
	STATS_SEC_UDP,		/* UDP events */
	STATS_SEC_OTHER,	/* anything not placed elsewhere */
	STATS_SEC_COUNT,
};

/**
 * enum stats_col - Column of a counter in its section's table
 */
enum stats_col {
	STATS_COL_ONE,		/* a row of its own */
	STATS_COL_A,		/* first column of a paired row */
	STATS_COL_B,		/* second column, follows its A */
};

/* X-macro: identifier, machine name, section, column, label */
#define STATS_LIST(X)							\
	X(FLOW_TCP_OPENED,	"flows_tcp_opened",	FLOWS, A, "TCP")	\
	X(FLOW_TCP_CLOSED,	"flows_tcp_closed",	FLOWS, B, "TCP")	\
	X(FLOW_TCP_SPLICE_OPENED, "flows_tcp_spliced_opened",		\
	  FLOWS, A, "TCP spliced")					\
	X(FLOW_TCP_SPLICE_CLOSED, "flows_tcp_spliced_closed",		\
	  FLOWS, B, "TCP spliced")					\
	X(FLOW_UDP_OPENED,	"flows_udp_opened",	FLOWS, A, "UDP")	\
	X(FLOW_UDP_CLOSED,	"flows_udp_closed",	FLOWS, B, "UDP")	\
	X(FLOW_PING4_OPENED,	"flows_icmp_opened",	FLOWS, A, "ICMP echo") \
	X(FLOW_PING4_CLOSED,	"flows_icmp_closed",	FLOWS, B, "ICMP echo") \
	X(FLOW_PING6_OPENED,	"flows_icmpv6_opened",			\
	  FLOWS, A, "ICMPv6 echo")					\
	X(FLOW_PING6_CLOSED,	"flows_icmpv6_closed",			\
	  FLOWS, B, "ICMPv6 echo")					\
	X(FLOW_NEW,		"flows_created",	FLOWS, A, "all")	\
	X(FLOW_FREED,		"flows_freed",		FLOWS, B, "all")	\
	X(TAP_FRAMES_IN,	"tap_frames_in",			\
	  TRAFFIC, A, "frames on the tap link")				\
	X(TAP_FRAMES_OUT,	"tap_frames_out",			\
	  TRAFFIC, B, "frames on the tap link")				\
	X(TAP_BYTES_IN,		"tap_bytes_in",				\
	  TRAFFIC, A, "bytes on the tap link")				\
	X(TAP_BYTES_OUT,	"tap_bytes_out",			\
	  TRAFFIC, B, "bytes on the tap link")				\
	X(TCP_BYTES_FROM_GUEST,	"tcp_bytes_from_guest", TRAFFIC, A, "TCP bytes") \
	X(TCP_BYTES_TO_GUEST,	"tcp_bytes_to_guest",	TRAFFIC, B, "TCP bytes") \
	X(UDP_DGRAMS_FROM_GUEST, "udp_datagrams_from_guest",		\
	  TRAFFIC, A, "UDP datagrams")					\
	X(UDP_DGRAMS_TO_GUEST,	"udp_datagrams_to_guest",		\
	  TRAFFIC, B, "UDP datagrams")					\
	X(UDP_BYTES_FROM_GUEST,	"udp_bytes_from_guest", TRAFFIC, A, "UDP bytes") \
	X(UDP_BYTES_TO_GUEST,	"udp_bytes_to_guest",	TRAFFIC, B, "UDP bytes") \
	X(ICMP_REQUESTS,	"icmp_echo_requests",			\
	  TRAFFIC, A, "ICMP/ICMPv6 echo")				\
	X(ICMP_REPLIES,		"icmp_echo_replies",			\
	  TRAFFIC, B, "ICMP/ICMPv6 echo")				\
	X(TCP_BYTES_SPLICED,	"tcp_bytes_spliced",			\
	  TRAFFIC, ONE, "TCP bytes spliced")				\
	X(UDP_DGRAMS_SPLICED,	"udp_datagrams_spliced",		\
	  TRAFFIC, ONE, "UDP datagrams spliced")			\
	X(TAP_GSO_OUT,		"tap_super_frames_out",			\
	  TRAFFIC, ONE, "super-frames to the guest")		\
	X(TAP_GSO_SEGS_OUT,	"tap_super_frame_segments_out",		\
	  TRAFFIC, ONE, "segments in them")				\
	X(TAP_GSO_IN,		"tap_super_frames_in",			\
	  TRAFFIC, ONE, "super-frames from the guest")	\
	X(TAP_GSO_SEGS_IN,	"tap_super_frame_segments_in",		\
	  TRAFFIC, ONE, "segments in them")				\
	X(UDP_GSO_SENDS,	"udp_segmented_sends",			\
	  TRAFFIC, ONE, "UDP trains sent with UDP_SEGMENT")	\
	X(UDP_GRO_TRAINS,	"udp_trains_received",			\
	  TRAFFIC, ONE, "UDP trains received (UDP_GRO)")		\
	X(UDP_GSO_SPLIT,	"udp_trains_split",			\
	  TRAFFIC, ONE, "UDP trains split (host refused)")	\
	X(TAP_BYTES_IN_PLACE,	"tap_bytes_received_in_place",		\
	  TRAFFIC, ONE, "bytes received into guest memory")		\
	X(TAP_BYTES_COPIED_IN,	"tap_bytes_copied_to_guest_memory",	\
	  TRAFFIC, ONE, "bytes copied into guest memory")		\
	X(ARP_REPLIES,		"arp_replies",	LOCAL, ONE, "ARP replies") \
	X(NDP_NA,		"ndp_neighbour_adverts",		\
	  LOCAL, ONE, "NDP neighbour adverts")				\
	X(NDP_RA,		"ndp_router_adverts",			\
	  LOCAL, ONE, "NDP router adverts")				\
	X(DHCP_REPLIES,		"dhcp_replies",	LOCAL, ONE, "DHCP replies") \
	X(DHCPV6_REPLIES,	"dhcpv6_replies",			\
	  LOCAL, ONE, "DHCPv6 replies")					\
	X(TAP_DROP_SHORT,	"drop_short_frame",			\
	  DROPS, ONE, "short frame")					\
	X(TAP_DROP_STREAM,	"drop_bad_stream_length",		\
	  DROPS, ONE, "bad stream length (passt)")			\
	X(TAP_DROP_REQUEST,	"drop_bad_connect_request",		\
	  DROPS, ONE, "bad connection request (gvproxy)")		\
	X(TAP_DROP_VQ,		"drop_virtqueue_chain",			\
	  DROPS, ONE, "unusable chain (vhost-user)")			\
	X(TAP_DROP_GSO,		"drop_unknown_gso_type",		\
	  DROPS, ONE, "super-frame of a kind not offered")		\
	X(TAP_DROP_ETHERTYPE,	"drop_unknown_ethertype",		\
	  DROPS, ONE, "unknown EtherType")				\
	X(TAP_DROP_IP4,		"drop_bad_ipv4",			\
	  DROPS, ONE, "bad IPv4 header")				\
	X(TAP_DROP_IP6,		"drop_bad_ipv6",			\
	  DROPS, ONE, "bad IPv6 header")				\
	X(TAP_DROP_FRAG,	"drop_fragment",			\
	  DROPS, ONE, "IP fragment")					\
	X(TAP_DROP_EXTHDR,	"drop_ipv6_ext_header",			\
	  DROPS, ONE, "IPv6 extension header")				\
	X(TAP_DROP_MARTIAN,	"drop_martian_address",			\
	  DROPS, ONE, "martian address")				\
	X(TAP_DROP_PROTO,	"drop_unhandled_protocol",		\
	  DROPS, ONE, "unknown protocol")				\
	X(TAP_DROP_L4,		"drop_bad_l4_header",			\
	  DROPS, ONE, "truncated L4 header")				\
	X(TAP_DROP_L4_CSUM,	"drop_bad_l4_checksum",			\
	  DROPS, ONE, "bad L4 checksum")				\
	X(TAP_DROP_SRC_MAC,	"drop_bad_source_mac",			\
	  DROPS, ONE, "source MAC ours or not unicast")		\
	X(FLOW_TABLE_FULL,	"drop_flow_table_full",			\
	  DROPS, ONE, "flow table full")				\
	X(ARP_DROP,		"arp_dropped",				\
	  DROPS, ONE, "ARP not answered")				\
	X(NDP_DROP,		"ndp_dropped",				\
	  DROPS, ONE, "NDP not answered")				\
	X(NDP_DROP_HOP_LIMIT,	"ndp_drop_hop_limit",			\
	  DROPS, ONE, "NDP with a hop limit not 255")			\
	X(DHCP_DROP,		"dhcp_dropped",				\
	  DROPS, ONE, "DHCP not answered")				\
	X(DHCPV6_DROP,		"dhcpv6_dropped",			\
	  DROPS, ONE, "DHCPv6 not answered")				\
	X(ICMP_DROP,		"icmp_dropped",				\
	  DROPS, ONE, "ICMP not echo, or not sent")			\
	X(TCP_DROP_SEGMENT,	"tcp_segments_dropped",			\
	  DROPS, ONE, "TCP segment bad or out of order")		\
	X(UDP_DROP_BAD_LEN,	"udp_drop_bad_length",			\
	  DROPS, ONE, "UDP length bad")					\
	X(UDP_DROP_NO_FLOW,	"udp_drop_no_flow",			\
	  DROPS, ONE, "UDP without a flow")				\
	X(UDP_DROP_SEND,	"udp_drop_send_failed",			\
	  DROPS, ONE, "UDP send failed")				\
	X(UDP_DROP_TOO_BIG,	"udp_drop_larger_than_mtu",		\
	  DROPS, ONE, "UDP over the MTU, to guest")			\
	X(TAP_DROP_OUT,		"drop_tap_write",			\
	  DROPS, ONE, "frame refused by the tap backend")			\
	X(TAP_OUT_BLOCKED,	"tap_backend_full",			\
	  OTHER, ONE, "tap backend full, senders waited")		\
	X(LOOP_POLL_HITS,	"busy_poll_hits",			\
	  OTHER, ONE, "busy polls that found events")			\
	X(LOOP_POLL_MISSES,	"busy_poll_misses",			\
	  OTHER, ONE, "busy polls that found none")			\
	X(LOOP_POLL_US,		"busy_poll_us",				\
	  OTHER, ONE, "microseconds spent busy polling")		\
	X(TCP_CONN_TAP_OUT,	"tcp_connections_guest_initiated",	\
	  TCP, ONE, "connections from the guest")			\
	X(TCP_CONNECT_AT_ONCE,	"tcp_connects_done_at_once",		\
	  TCP, ONE, "connects done within connect()")		\
	X(TCP_FIN_WITH_DATA,	"tcp_fins_with_data_to_guest",		\
	  TCP, ONE, "FINs on the last data frame")			\
	X(TCP_ACKS_HELD,	"tcp_acks_held",			\
	  TCP, ONE, "ACKs held back for the answer")		\
	X(TCP_ACKS_HELD_ALONE,	"tcp_acks_held_sent_alone",		\
	  TCP, ONE, "held ACKs no answer carried")			\
	X(TCP_CONN_TAP_IN,	"tcp_connections_host_initiated",	\
	  TCP, ONE, "connections to the guest")				\
	X(TCP_CONN_SPLICE,	"tcp_connections_spliced",		\
	  TCP, ONE, "connections spliced")				\
	X(ZC_SENDS,		"zc_sends",				\
	  TCP, ONE, "sends with MSG_ZEROCOPY")				\
	X(ZC_BYTES,		"zc_bytes",				\
	  TCP, ONE, "bytes sent with MSG_ZEROCOPY")			\
	X(ZC_DONE,		"zc_completed",				\
	  TCP, ONE, "zero-copy sends completed")			\
	X(ZC_DONE_COPIED,	"zc_completed_copied",			\
	  TCP, ONE, "... of which the kernel copied")			\
	X(ZC_VIA_SENDMSG,	"zc_ranges_via_sendmsg",		\
	  TCP, ONE, "completions returned by sendmsg()")		\
	X(ZC_VIA_ERRQUEUE,	"zc_ranges_via_errqueue",		\
	  TCP, ONE, "completions from the error queue")		\
	X(ZC_NOTIF_FETCHES,	"zc_empty_sends_to_fetch",		\
	  TCP, ONE, "empty sends to fetch completions")		\
	X(ZC_COPIED_OFF,	"zc_off_after_copied",			\
	  TCP, ONE, "sockets copying after one copied")		\
	X(ZC_NOBUFS,		"zc_nobufs_copied",			\
	  TCP, ONE, "refused (ENOBUFS), copied")		\
	X(ZC_POOL_FULL,		"zc_pool_full_copied",			\
	  TCP, ONE, "buffers or ring full, copied")			\
	X(ZC_NO_SLOT,		"zc_no_slot_copied",			\
	  TCP, ONE, "no zero-copy slot free, copied")			\
	X(ZC_ORPHANS,		"zc_sockets_kept_open",			\
	  TCP, ONE, "closed sockets kept till completed")		\
	X(ZC_ORPHANS_CLOSED,	"zc_sockets_closed_later",		\
	  TCP, ONE, "... closed once completed")			\
	X(VU_TX_HELD,		"zc_vu_chains_held",			\
	  TCP, ONE, "guest chains held till completed")		\
	X(VU_TX_RELEASED,	"zc_vu_chains_released",		\
	  TCP, ONE, "... returned to the guest then")		\
	X(VU_TX_FORGOTTEN,	"zc_vu_chains_forgotten",		\
	  TCP, ONE, "... dropped: queue stopped first")		\
	X(VU_TX_UNHELD,		"zc_vu_batches_unheld",			\
	  TCP, ONE, "guest batches too many held: copy")		\
	X(TAP_ZC_SENDS,		"zc_sends_to_guest",			\
	  TCP, ONE, "zero-copy sends to the guest")		\
	X(TAP_ZC_BYTES,		"zc_bytes_to_guest",			\
	  TCP, ONE, "bytes sent zero-copy to the guest")		\
	X(TAP_ZC_POOL_FULL,	"zc_to_guest_pool_full",		\
	  TCP, ONE, "... pool busy, copied")		\
	X(VSOCK_RX_MAPS,	"vsock_rx_mappings",			\
	  TCP, ONE, "vsock zero-copy receives")			\
	X(VSOCK_RX_PAGES,	"vsock_rx_pages_mapped",		\
	  TCP, ONE, "... pages mapped")				\
	X(VSOCK_RX_COPIED,	"vsock_rx_pages_copied",		\
	  TCP, ONE, "... pages the kernel copied into")		\
	X(VSOCK_FRAMES_IN_PLACE, "vsock_frames_in_place",		\
	  TCP, ONE, "... frames parsed where mapped")		\
	X(VSOCK_RX_NOMAP,	"vsock_rx_mmap_refused",		\
	  TCP, ONE, "... mmap() refused, read instead")		\
	X(TCP_ZCRX_CONNS,	"tcp_zcrx_connections",			\
	  TCP, ONE, "connections with receive zero-copy")	\
	X(TCP_ZCRX_NO_SLOT,	"tcp_zcrx_no_slot",			\
	  TCP, ONE, "... no slot free: peeked instead")		\
	X(TCP_ZCRX_CALLS,	"tcp_zcrx_calls",			\
	  TCP, ONE, "TCP_ZEROCOPY_RECEIVE calls")		\
	X(TCP_ZCRX_MAPPED,	"tcp_zcrx_bytes_mapped",		\
	  TCP, ONE, "... bytes mapped")				\
	X(TCP_ZCRX_COPYBUF,	"tcp_zcrx_bytes_copybuf",		\
	  TCP, ONE, "... bytes copied by it (hybrid)")		\
	X(TCP_ZCRX_READ,	"tcp_zcrx_bytes_read",			\
	  TCP, ONE, "... bytes read (skip hint, ring)")		\
	X(TCP_ZCRX_TO_COPY,	"tcp_zcrx_stopped_asking",		\
	  TCP, ONE, "... connections: nothing mapped")		\
	X(TCP_ZCRX_RESUMED,	"tcp_zcrx_mapping_resumed",		\
	  TCP, ONE, "... mapped again after that")		\
	X(TCP_PEEK_OFF_BYTES,	"tcp_bytes_peeked_at_offset",		\
	  TCP, ONE, "bytes peeked with SO_PEEK_OFF")			\
	X(TCP_PEEK_DISCARD_BYTES, "tcp_bytes_peeked_via_discard",	\
	  TCP, ONE, "bytes peeked via a discard buffer")		\
	X(TCP_DISCARD_SKIPPED,	"tcp_bytes_reread_and_discarded",	\
	  TCP, ONE, "bytes re-read and discarded")		\
	X(TCP_RETRANS_DUPACK,	"tcp_retransmits_dup_ack",		\
	  TCP, ONE, "retransmits on duplicate ACK")			\
	X(TCP_DUP_ACKS,		"tcp_dup_acks_for_holes",		\
	  TCP, ONE, "dup ACKs for segments after holes")	\
	X(TCP_RETRANS_TIMEOUT,	"tcp_retransmits_timeout",		\
	  TCP, ONE, "retransmits on timeout")				\
	X(TCP_RETRANS_SYN,	"tcp_retransmits_handshake",		\
	  TCP, ONE, "SYN or SYN-ACK sent again")			\
	X(TCP_ZERO_WND_PROBES,	"tcp_zero_window_probes",		\
	  TCP, ONE, "zero window probes")				\
	X(TCP_TAP_WAITS,	"tcp_waits_for_tap_backend",		\
	  TCP, ONE, "waits for a full tap backend")			\
	X(TCP_WND_WAKEUPS,	"tcp_window_updates_on_drain",		\
	  TCP, ONE, "window updates, socket drained")			\
	X(TCP_RST_DEFERRED,	"tcp_resets_deferred",			\
	  TCP, ONE, "resets that waited for the backend")		\
	X(TCP_RST_TO_GUEST,	"tcp_resets_to_guest",			\
	  TCP, ONE, "resets sent to the guest")				\
	X(TCP_SENDMSG_CALLS,	"tcp_sendmsg_calls",			\
	  TCP, ONE, "sendmsg() calls")					\
	X(TCP_SENDMSG_PARTIAL,	"tcp_sendmsg_partial",			\
	  TCP, ONE, "sendmsg() calls that sent part")			\
	X(TCP_SPLICE_POOL_EMPTY, "tcp_splice_pool_empty",		\
	  TCP, ONE, "splice pipe pool empty")				\
	X(TCP_SPLICE_CONN_FAIL,	"tcp_splice_connect_failed",		\
	  TCP, ONE, "splice connects failed")				\
	X(TCP_SPLICE_RST,	"tcp_splice_resets",			\
	  TCP, ONE, "splice connections reset")				\
	X(UDP_FLOWS,		"udp_flows",	UDP, ONE, "flows")	\
	X(UDP_FLOWS_SPLICED,	"udp_flows_spliced",			\
	  UDP, ONE, "flows spliced")					\
	X(UDP_FLOWS_EXPIRED,	"udp_flows_expired",			\
	  UDP, ONE, "flows expired")					\
	X(UDP_ICMP_RELAYED,	"udp_icmp_errors_relayed",		\
	  UDP, ONE, "ICMP errors relayed to the guest")

/**
 * enum stat_id - Counter identifiers
 */
enum stat_id {
#define STATS_ENUM(id, name, sec, col, label)	STAT_##id,
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

/* Features: what the kernel gave us, registered at start-up */
#define STATS_FEATURES_MAX	16
#define STATS_FEATURE_NAME_LEN	40
#define STATS_FEATURE_STATE_LEN	64

void stats_feature(const char *name, const char *state);
void stats_log(const char *what, bool counters);
bool stats_changed(void);
const char *stats_name(enum stat_id id);
const char *stats_label(enum stat_id id);
enum stats_section stats_section_of(enum stat_id id);
enum stats_col stats_col_of(enum stat_id id);

#endif /* STATS_H */
