/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_internal.h - what tcp.c, tcp_buf.c, tcp_listen.c and tcp_splice.c
 *		    share, and nobody else needs
 */

#ifndef TCP_INTERNAL_H
#define TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <netinet/tcp.h>

#include "ctx.h"
#include "inany.h"
#include "flow.h"
#include "tap.h"
#include "tcp_seq.h"

/* From tcp.c: inbound connection through the guest's tap link */
void tcp_tap_conn_from_sock(struct ctx *c, int s,
			    const union sockaddr_inany *peer,
			    uint16_t listen_port, uint16_t target_port,
			    const struct timespec *now);

/* From tcp_listen.c: the descriptor kept for a shortage while accepting */
void tcp_listen_init(void);

/* From tcp_splice.c: loopback connections spliced between namespaces */
void tcp_splice_init(struct ctx *c);
bool tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const union sockaddr_inany *peer,
			       uint8_t from_pif, uint16_t target_port);

#define TCP_WS_DEFAULT		8	/* our window scale: up to 16 MiB */
#define TCP_MSS_DEFAULT4	536
#define TCP_MSS_DEFAULT6	1220
#define TCP_MSS_MIN		88
/* Retransmission to the guest, with the numbers of attempts Linux uses by
 * default, so that a paused guest keeps its connections about as long as
 * a host peer would: data and FIN 15 (tcp_retries2; about 18 minutes from
 * our 0.5 s start), SYN 6 (tcp_syn_retries, about two minutes), SYN-ACK 5
 * (tcp_synack_retries, about one). An idle connection has no time limit.
 * See INACTIVITY AND TIMEOUTS in the man page.
 */
#define TCP_RTO_INIT_MS		500	/* data: the guest is close */
#define TCP_RTO_SYN_MS		1000	/* handshake (RFC 6298, 2.1) */
#define TCP_RTO_MAX_MS		120000
#define TCP_RETRIES_MAX		15
#define TCP_SYN_RETRIES		6
#define TCP_SYNACK_RETRIES	5
#define TCP_DUP_ACK_RETRANS	2	/* the tap link doesn't reorder */
#define TCP_DUP_ACKS_MAX	128	/* per batch, for segments after a hole */
#define TCP_WND_WAIT_FRAC	8	/* EPOLLOUT below 1/8 of the buffer */
#define TCP_EPOLL_DELETED	UINT32_MAX	/* socket not watched: not yet,
						 * or no longer
						 */


/**
 * enum tcp_state - Handshake states of a connection through the tap link
 * @TCP_ST_CONNECTING:	Guest's SYN taken, host socket connecting
 * @TCP_ST_SYN_ACK_SENT:	Host connected, SYN-ACK sent, guest's ACK awaited
 * @TCP_ST_SYN_SENT:	Host client accepted, SYN sent to the guest
 * @TCP_ST_ESTABLISHED:	Data may flow; closing is tracked by the flags
 *
 * Closing, in each direction independently:
 *   host peer -> guest: TCP_SOCK_EOF (socket read end of stream, all data
 *   sent), then TCP_TAP_FIN_SENT (FIN to the guest), TCP_TAP_FIN_ACKED;
 *   guest -> host peer: TCP_TAP_FIN_RCVD (in order, after all its data),
 *   then TCP_SOCK_SHUT_WR (shutdown(SHUT_WR) on the host socket).
 * Both directions done: the socket is closed and the flow released. A
 * reset from either side, or a timeout, releases it at once, resetting
 * the other side.
 */
enum tcp_state {
	TCP_ST_CONNECTING = 1,
	TCP_ST_SYN_ACK_SENT,
	TCP_ST_SYN_SENT,
	TCP_ST_ESTABLISHED,
};

#define TCP_SOCK_EOF		BIT(0)	/* end of stream read from socket */
#define TCP_TAP_FIN_SENT	BIT(1)	/* FIN sent to the guest */
#define TCP_TAP_FIN_ACKED	BIT(2)	/* ...and acknowledged */
#define TCP_TAP_FIN_RCVD	BIT(3)	/* guest's FIN, in order */
#define TCP_SOCK_SHUT_WR	BIT(4)	/* ...passed on with shutdown() */
#define TCP_STALLED		BIT(5)	/* guest window full, or the tap
					 * backend refused frames: no EPOLLIN
					 */
#define TCP_WANT_OUT		BIT(6)	/* EPOLLOUT: socket refused data */
#define TCP_WND_WAIT		BIT(7)	/* EPOLLOUT: the guest's window is
					 * nearly used up, the socket drains
					 */
#define TCP_WS_OK		BIT(8)	/* both sides sent window scale */
#define TCP_DROPPED_DATA	BIT(9)	/* guest data refused: resend dups */
#define TCP_SOCK_RDHUP		BIT(10)	/* EPOLLRDHUP seen on the socket */
#define TCP_PEEK_OFF		BIT(11)	/* SO_PEEK_OFF enabled on the socket */
#define TCP_ACK_UNSENT		BIT(12)	/* an ACK the tap backend refused */
#define TCP_PEEKED_ALL		BIT(13)	/* nothing new in the socket: wait
					 * for an arrival (EPOLLET), not for
					 * readable data, which stays there
					 */
#define TCP_RST_PENDING		BIT(14)	/* host side closed, the reset to
					 * the guest waits for the backend
					 */
#define TCP_ACK_HELD		BIT(15)	/* ACK of a small write held back
					 * for the answer to carry, queued
					 * (tcp_ack_hold())
					 */

#define TCP_ACKQ_MAX		128	/* ACKs held back at once, at most */

/**
 * struct tcp_tap_conn - A connection between the guest and a host socket
 * @f:			Common flow fields
 * @sock:		Host socket
 * @tapside:		Flow side of the guest (INISIDE or TGTSIDE)
 * @state:		enum tcp_state
 * @flags:		TCP_* flags above
 * @ws_to_guest:	Shift of the window we advertise to the guest
 * @ws_from_guest:	Shift of the guest's window
 * @retries:		Retransmissions without progress
 * @dup_acks:		Duplicate ACKs in a row from the guest
 * @mss:		Largest payload of a segment to the guest
 * @seq_to_guest:	Next sequence number to send to the guest (SND.NXT),
 *			back to @seq_ack_from_guest when retransmitting
 * @seq_max_to_guest:	Highest sequence number sent to the guest, plus one:
 *			acknowledgements up to here are valid, also after a
 *			retransmission went back
 * @seq_ack_from_guest:	What the guest acknowledged (SND.UNA)
 * @seq_from_guest:	Next sequence number expected from the guest,
 *			everything before it written to the socket
 * @seq_ack_to_guest:	Last acknowledgement sent to the guest
 * @isn_to_guest:	Our initial sequence number
 * @wnd_from_guest:	Guest's window, bytes
 * @wnd_to_guest:	Window last advertised to the guest, bytes
 * @progress_at:	Last progress towards the guest (data or a control
 *			segment sent or acknowledged), ms: the
 *			retransmission timeout counts from there
 * @rto:		Current retransmission timeout, ms
 * @epoll_events:	Events the socket is watched for now
 * @zc:		Zero-copy slot of the socket (zerocopy.h), ZC_NONE if none
 * @zcrx:		Receive zero-copy slot (tcp_zcrx.h), TCP_ZCRX_NONE if
 *			none: then data stays in the socket until acknowledged
 * @seq_turn:		@seq_to_guest when the guest last wrote data: if it
 *			moved since, the guest's next write follows data of
 *			ours, as a request follows an answer
 */
struct tcp_tap_conn {
	struct flow_common f;
	int sock;
	uint8_t tapside;
	uint8_t state;
	uint16_t flags;
	uint8_t ws_to_guest;
	uint8_t ws_from_guest;
	uint8_t retries;
	uint8_t dup_acks;
	uint16_t mss;
	uint32_t seq_to_guest;
	uint32_t seq_max_to_guest;
	uint32_t seq_ack_from_guest;
	uint32_t seq_from_guest;
	uint32_t seq_ack_to_guest;
	uint32_t isn_to_guest;
	uint32_t wnd_from_guest;
	uint32_t wnd_to_guest;
	uint64_t progress_at;
	uint32_t rto;
	uint32_t epoll_events;
	uint16_t zc;
	uint16_t zcrx;
	uint32_t seq_turn;
};
static_assert(sizeof(struct tcp_tap_conn) <= FLOW_SLOT_SIZE,
	      "tcp_tap_conn must fit a flow slot");

/**
 * tcp_conn_of() - Protocol view of a flow
 * @f:		Common flow fields of a FLOW_TCP flow
 *
 * Return: connection
 */
static inline struct tcp_tap_conn *tcp_conn_of(struct flow_common *f)
{
	return (struct tcp_tap_conn *)(void *)f;
}

/**
 * tcp_tap_side() - The guest's side of a connection
 * @conn:	Connection
 *
 * Return: flow side: eaddr/eport the guest, oaddr/oport the peer as the
 *	   guest sees it
 */
static inline const struct flowside *tcp_tap_side(const struct tcp_tap_conn *conn)
{
	return &conn->f.side[conn->tapside];
}

/**
 * tcp_seq_sent() - Note how far we sent, after @seq_to_guest moved on
 * @conn:	Connection
 */
static inline void tcp_seq_sent(struct tcp_tap_conn *conn)
{
	if (seq_lt(conn->seq_max_to_guest, conn->seq_to_guest))
		conn->seq_max_to_guest = conn->seq_to_guest;
}

/**
 * tcp_in_flight() - Is anything sent to the guest unacknowledged?
 * @conn:	Connection
 *
 * Return: true if data or a FIN wait for the guest's acknowledgement
 */
static inline bool tcp_in_flight(const struct tcp_tap_conn *conn)
{
	return conn->seq_max_to_guest != conn->seq_ack_from_guest;
}

/**
 * tcp_conn_gone() - Was the connection reset or released?
 * @conn:	Connection
 *
 * Return: true if there's nothing left to do with it but the reset to the
 *	   guest, or nothing at all
 */
static inline bool tcp_conn_gone(const struct tcp_tap_conn *conn)
{
	return conn->f.state != FLOW_STATE_ACTIVE ||
	       (conn->flags & TCP_RST_PENDING);
}

/**
 * tcp_now_ms() - Milliseconds of a monotonic time
 * @now:	Time
 *
 * Return: milliseconds
 */
static inline uint64_t tcp_now_ms(const struct timespec *now)
{
	return (uint64_t)now->tv_sec * MS_PER_S +
	       (uint64_t)now->tv_nsec / 1000000;
}

/* From tcp.c, for tcp_conn.c and tcp_buf.c */
int tcp_epoll_add(const struct ctx *c, struct tcp_tap_conn *conn,
		  uint32_t ev);
void tcp_epoll_set(const struct ctx *c, struct tcp_tap_conn *conn);
void tcp_timer_schedule(struct tcp_tap_conn *conn);
void tcp_conn_end(struct ctx *c, struct tcp_tap_conn *conn, bool rst_host);
uint32_t tcp_sock_wnd(const struct tcp_tap_conn *conn, uint32_t *cap);
void tcp_update_ack(struct ctx *c, struct tcp_tap_conn *conn, bool force);
void tcp_ack_catch_up(struct tcp_tap_conn *conn);

/**
 * tcp_ack_sent() - A segment went to the guest: it carried any ACK held
 * @conn:	Connection
 */
static inline void tcp_ack_sent(struct tcp_tap_conn *conn)
{
	conn->flags &= (uint16_t)~TCP_ACK_HELD;
}
uint16_t tcp_wnd_field(const struct tcp_tap_conn *conn);
void tcp_conn_rst(struct ctx *c, struct tcp_tap_conn *conn,
		  const char *why);
bool tcp_peek_off_on(const struct tcp_tap_conn *conn);

/* From tcp_conn.c: opening connections, the handshake */
void tcp_conn_init(struct ctx *c);
void tcp_conn_from_tap(struct ctx *c, const struct tap_l4_seq *seq,
		       const struct pkt *l4, const struct tcphdr *th,
		       const struct timespec *now);
bool tcp_connect_finish(struct ctx *c, struct tcp_tap_conn *conn,
			uint64_t now, bool done);
bool tcp_handshake_from_guest(struct ctx *c, struct tcp_tap_conn *conn,
			      const struct pkt *l4, const struct tcphdr *th,
			      uint64_t now);
void tcp_handshake_timeout(struct ctx *c, struct tcp_tap_conn *conn,
			   uint64_t ms);

/* From tcp_buf.c: frames to the guest */
void tcp_buf_init(void);
int tcp_send_flag(struct ctx *c, struct tcp_tap_conn *conn, uint8_t flags);
void tcp_send_dup_acks(struct ctx *c, const struct tcp_tap_conn *conn,
		       unsigned n);
int tcp_data_to_guest(struct ctx *c, struct tcp_tap_conn *conn,
		      uint64_t now_ms);
void tcp_rst_stray(struct ctx *c, const struct tap_l4_seq *seq,
		   uint32_t seq_no, uint32_t ack_no, bool ack,
		   size_t seg_len);


#endif /* TCP_INTERNAL_H */
