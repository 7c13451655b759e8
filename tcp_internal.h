/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_internal.h - what tcp.c, tcp_buf.c, tcp_listen.c and tcp_splice.c
 *		    share, and nobody else needs
 */

#ifndef TCP_INTERNAL_H
#define TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

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

/* From tcp_splice.c: loopback connections spliced between namespaces */
void tcp_splice_init(struct ctx *c);
bool tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const union sockaddr_inany *peer,
			       uint8_t from_pif, uint16_t target_port);

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

/**
 * struct tcp_tap_conn - A connection between the guest and a host socket
 * @f:			Common flow fields
 * @sock:		Host socket
 * @timer:		timerfd for retransmission, ACK and keepalive, or -1
 * @tapside:		Flow side of the guest (INISIDE or TGTSIDE)
 * @state:		enum tcp_state
 * @flags:		TCP_* flags above
 * @ws_to_guest:	Shift of the window we advertise to the guest
 * @ws_from_guest:	Shift of the guest's window
 * @retries:		Retransmissions without progress
 * @dup_acks:		Duplicate ACKs in a row from the guest
 * @mss:		Largest payload of a segment to the guest
 * @seq_to_guest:	Next sequence number to send to the guest (SND.NXT)
 * @seq_ack_from_guest:	What the guest acknowledged (SND.UNA)
 * @seq_from_guest:	Next sequence number expected from the guest,
 *			everything before it written to the socket
 * @seq_ack_to_guest:	Last acknowledgement sent to the guest
 * @isn_to_guest:	Our initial sequence number
 * @wnd_from_guest:	Guest's window, bytes
 * @wnd_to_guest:	Window last advertised to the guest, bytes
 * @timer_at:		Deadline the timer is armed for, ms, 0 if disarmed
 * @progress_at:	Last progress towards the guest (data or a control
 *			segment sent or acknowledged), ms: the
 *			retransmission timeout counts from there
 * @rto:		Current retransmission timeout, ms
 * @epoll_events:	Events the socket is watched for now
 */
struct tcp_tap_conn {
	struct flow_common f;
	int sock;
	int timer;
	uint8_t tapside;
	uint8_t state;
	uint16_t flags;
	uint8_t ws_to_guest;
	uint8_t ws_from_guest;
	uint8_t retries;
	uint8_t dup_acks;
	uint16_t mss;
	uint32_t seq_to_guest;
	uint32_t seq_ack_from_guest;
	uint32_t seq_from_guest;
	uint32_t seq_ack_to_guest;
	uint32_t isn_to_guest;
	uint32_t wnd_from_guest;
	uint32_t wnd_to_guest;
	uint64_t timer_at;
	uint64_t progress_at;
	uint32_t rto;
	uint32_t epoll_events;
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

/* From tcp.c, for tcp_buf.c */
uint16_t tcp_wnd_field(const struct tcp_tap_conn *conn);
void tcp_conn_rst(struct ctx *c, struct tcp_tap_conn *conn,
		  const char *why);
bool tcp_peek_off_on(const struct tcp_tap_conn *conn);

/* From tcp_buf.c: frames to the guest */
void tcp_buf_init(void);
int tcp_send_flag(struct ctx *c, struct tcp_tap_conn *conn, uint8_t flags);
int tcp_data_to_guest(struct ctx *c, struct tcp_tap_conn *conn,
		      uint64_t now_ms);
void tcp_rst_stray(struct ctx *c, const struct tap_l4_seq *seq,
		   uint32_t seq_no, uint32_t ack_no, bool ack,
		   size_t seg_len);


#endif /* TCP_INTERNAL_H */
