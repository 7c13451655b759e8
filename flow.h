/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow.h - the flow table: every connection, echo session and datagram flow
 *
 * A flow joins two sides: side 0 is the initiator (who sent the first
 * packet), side 1 the target. Each side lives on a pif (where its
 * packets come from: the guest's tap link, the host's sockets, or the
 * namespace's sockets for spliced connections) and is described by the
 * endpoint's address and port and our own address and port on that side.
 *
 * Storage: one table of fixed-size slots, allocated once at start with
 * its size given by --max-flows. Each protocol's flow struct starts with
 * struct flow_common and must fit a slot (checked by static_assert where
 * it is defined). Free slots form a list; when it is empty a new flow is
 * refused and counted, and existing flows are not touched.
 *
 * Lookup: a hash table over (protocol, pif, endpoint address and port,
 * our address and port) gives the flow and side; a flow hashes each side
 * it needs to find from packets (tap side for TCP from the guest, etc.).
 *
 * Life of a flow (common part; protocols keep finer states of their own):
 *
 *   FREE --flow_alloc()--> NEW --flow_activate()--> ACTIVE
 *     ^                     |                         |
 *     |        flow_alloc_cancel()          protocol marks it closed
 *     |                     v                         v
 *     +------------------ FREE <--flow_defer()---- CLOSED
 *
 * A closed flow keeps its slot until the end of the current batch of
 * events (flow_defer_handler()), so that events already returned by
 * epoll_wait() for its sockets find a closed flow, never a reused slot.
 * Closing puts the flow on a list, so that the end of a batch frees what
 * was closed without walking the table.
 *
 * Waiting for the guest link: a flow with something to send that the tap
 * backend couldn't take (a full stream socket, no ring buffers) joins a
 * list with flow_tap_wait(); when the backend can send again, each waiting
 * flow's tap_writable() is called, in the order they started waiting.
 * Closing a flow takes it off that list.
 *
 * Losing the guest (passt: it disconnected): flow_tap_reset() aborts every
 * flow with a side on the tap, so that a guest connecting later inherits
 * nothing from the previous one.
 */

#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "inany.h"

#define FLOW_SLOT_SIZE		256
#define FLOW_MAX_DEFAULT	65536
#define FLOW_MAX_LIMIT		(1U << 20)
#define FLOW_SIDX_NONE		UINT32_MAX
#define FLOW_IDX_NONE		UINT32_MAX
/* Deadlines handled in one go: see flow_deadline_run() */
#define FLOW_DEADLINE_BATCH	1024

/**
 * enum flow_type - Protocol owning a flow
 */
enum flow_type {
	FLOW_TYPE_NONE = 0,
	FLOW_TCP,		/* guest <-> host socket, through the tap */
	FLOW_TCP_SPLICE,	/* host loopback <-> namespace loopback */
	FLOW_PING4,		/* ICMP echo */
	FLOW_PING6,		/* ICMPv6 echo */
	FLOW_UDP,		/* UDP datagram flow */
	FLOW_NUM_TYPES,
};

/**
 * enum flow_state - Common life-cycle state, see the drawing above
 */
enum flow_state {
	FLOW_STATE_FREE = 0,
	FLOW_STATE_NEW,
	FLOW_STATE_ACTIVE,
	FLOW_STATE_CLOSED,
};

/**
 * enum pif - Where the packets of a flow side come from
 */
enum pif {
	PIF_NONE = 0,
	PIF_TAP,		/* the guest, through the tap link */
	PIF_HOST,		/* sockets in the host's namespace */
	PIF_SPLICE,		/* sockets in the guest's namespace (pasta) */
};

#define INISIDE			0
#define TGTSIDE			1

/**
 * struct flowside - One side of a flow
 * @eaddr:	Endpoint (peer) address
 * @oaddr:	Our address on this side
 * @eport:	Endpoint port (echo identifier for ping)
 * @oport:	Our port on this side
 */
struct flowside {
	union inany_addr eaddr;
	union inany_addr oaddr;
	uint16_t eport;
	uint16_t oport;
};

/**
 * struct flow_common - Start of every protocol's flow struct
 * @type:	enum flow_type
 * @state:	enum flow_state
 * @pif:	enum pif of each side
 * @hashed:	Bit per side: that side is in the hash table
 * @waiting:	On a list of flows waiting for the tap backend (non-zero)
 * @wait_prev:	Previous flow index on that list, or FLOW_IDX_NONE
 * @wait_next:	Next flow index on that list, or FLOW_IDX_NONE
 * @side:	The two sides
 */
struct flow_common {
	uint8_t type;
	uint8_t state;
	uint8_t pif[2];
	uint8_t hashed;
	uint8_t waiting;
	uint32_t wait_prev;
	uint32_t wait_next;
	struct flowside side[2];
};

/**
 * struct flow_type_ops - What the flow layer calls in a protocol
 * @timer:		About once a second, for timeouts
 * @tap_writable:	The tap backend can take frames again, after the flow
 *			waited for it (flow_tap_wait())
 * @abort:		The guest is gone: release the flow at once, without
 *			sending anything to the guest (the flow must be closed
 *			when this returns)
 * @deadline:		The deadline set with flow_deadline_set() passed (it
 *			is cleared: set it again for another)
 */
struct flow_type_ops {
	void (*timer)(struct ctx *c, struct flow_common *f,
		      const struct timespec *now);
	void (*deadline)(struct ctx *c, struct flow_common *f,
			 const struct timespec *now);
	void (*tap_writable)(struct ctx *c, struct flow_common *f,
			     const struct timespec *now);
	void (*abort)(struct ctx *c, struct flow_common *f);
};

/**
 * flow_sidx() - Flow and side index, as carried in epoll references
 * @idx:	Flow index
 * @side:	INISIDE or TGTSIDE
 *
 * Return: combined index
 */
static inline uint32_t flow_sidx(unsigned idx, unsigned side)
{
	return (uint32_t)idx << 1 | (side & 1);
}

/**
 * flow_sidx_idx() - Flow index of a combined index
 * @sidx:	Combined index
 *
 * Return: flow index
 */
static inline unsigned flow_sidx_idx(uint32_t sidx)
{
	return sidx >> 1;
}

/**
 * flow_sidx_side() - Side of a combined index
 * @sidx:	Combined index
 *
 * Return: INISIDE or TGTSIDE
 */
static inline unsigned flow_sidx_side(uint32_t sidx)
{
	return sidx & 1;
}

int flow_init(unsigned max);
void flow_register_type(enum flow_type type, const struct flow_type_ops *ops);
struct flow_common *flow_alloc(void);
void flow_alloc_cancel(struct flow_common *f);
void flow_activate(struct flow_common *f, enum flow_type type);
void flow_close(struct flow_common *f);
struct flow_common *flow_at(unsigned idx);
unsigned flow_idx(const struct flow_common *f);
unsigned flow_count(void);
unsigned flow_count_type(enum flow_type type);
unsigned flow_max(void);
void flow_hash_insert(struct flow_common *f, unsigned side);
void flow_hash_remove(struct flow_common *f, unsigned side);
uint32_t flow_lookup(uint8_t type, uint8_t pif,
		     const union inany_addr *eaddr, uint16_t eport,
		     const union inany_addr *oaddr, uint16_t oport);
void flow_defer_handler(void);
void flow_timer_handler(struct ctx *c, const struct timespec *now);
void flow_deadline_run(struct ctx *c, const struct timespec *now);
int flow_deadline_timeout(const struct timespec *now, int max);
void flow_tap_wait(struct flow_common *f);
unsigned flow_tap_waiting(void);
void flow_tap_writable(struct ctx *c, const struct timespec *now);
void flow_tap_reset(struct ctx *c);
const char *flow_type_str(enum flow_type type);
void flow_log(const struct flow_common *f, int pri, const char *what);

/**
 * flow_at_sidx() - Flow of a combined index
 * @sidx:	Combined index
 *
 * Return: flow, or NULL for FLOW_SIDX_NONE
 */
static inline struct flow_common *flow_at_sidx(uint32_t sidx)
{
	if (sidx == FLOW_SIDX_NONE)
		return NULL;
	return flow_at(flow_sidx_idx(sidx));
}

#endif /* FLOW_H */
