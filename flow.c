// SPDX-License-Identifier: GPL-2.0-or-later
/* flow.c - the flow table: allocation, hash lookup, deferred release
 *
 * See flow.h for the model and the state drawing. The table and its hash
 * are allocated once, at start; nothing here allocates afterwards.
 *
 * Hash: open addressing with linear probing over a power-of-two table of
 * at least twice as many slots as flows can have sides hashed, so probe
 * chains stay short; removal shifts later entries of the chain back, so
 * there are no tombstones.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"
#include "log.h"
#include "siphash.h"
#include "stats.h"
#include "flow.h"
#include "flow_deadline.h"

/**
 * union flow_slot - A table slot: a flow, or a link in the free list
 * @f:		Flow, when in use
 * @next_free:	Next free slot index, when free (state FREE)
 * @bytes:	Room for the largest protocol flow struct
 */
union flow_slot {
	struct flow_common f;
	struct {
		uint8_t type;
		uint8_t state;
		uint32_t next_free;
	} free;
	uint8_t bytes[FLOW_SLOT_SIZE];
};
static_assert(sizeof(union flow_slot) == FLOW_SLOT_SIZE, "flow slot size");

static union flow_slot *flowtab;
static unsigned flow_max_;
static unsigned flow_count_;
static unsigned flow_count_types[FLOW_NUM_TYPES];
static unsigned flow_hiwat;		/* highest index in use, plus one */
static uint32_t flow_first_free;

static uint32_t *flow_closed;		/* flows closed in this batch */
static unsigned flow_n_closed;
/**
 * struct flow_wait_list - Flows waiting for the tap backend, in order
 * @head:	First flow index, or FLOW_IDX_NONE
 * @tail:	Last flow index, or FLOW_IDX_NONE
 */
struct flow_wait_list {
	uint32_t head;
	uint32_t tail;
};

/* FLOW_WAITING: waiting; FLOW_WAKING: being woken, in flow_tap_writable() */
enum { FLOW_WAITING = 1, FLOW_WAKING = 2 };
static struct flow_wait_list flow_waitq[2] = {
	{ FLOW_IDX_NONE, FLOW_IDX_NONE }, { FLOW_IDX_NONE, FLOW_IDX_NONE },
};
static unsigned flow_n_waiting;

static uint32_t *flow_hashtab;		/* sidx + 1, 0 for empty */
static unsigned flow_hash_size;		/* power of two */
static struct siphash_key flow_hash_key;

static const struct flow_type_ops *flow_ops[FLOW_NUM_TYPES];

static const char *const flow_type_names[FLOW_NUM_TYPES] = {
	[FLOW_TYPE_NONE]	= "none",
	[FLOW_TCP]		= "TCP",
	[FLOW_TCP_SPLICE]	= "TCP (spliced)",
	[FLOW_PING4]		= "ICMP echo",
	[FLOW_PING6]		= "ICMPv6 echo",
	[FLOW_UDP]		= "UDP",
};

/* Per-type counters: opened at flow_activate(), closed when freed */
static const enum stat_id flow_stat_opened[FLOW_NUM_TYPES] = {
	[FLOW_TCP]		= STAT_FLOW_TCP_OPENED,
	[FLOW_TCP_SPLICE]	= STAT_FLOW_TCP_SPLICE_OPENED,
	[FLOW_PING4]		= STAT_FLOW_PING4_OPENED,
	[FLOW_PING6]		= STAT_FLOW_PING6_OPENED,
	[FLOW_UDP]		= STAT_FLOW_UDP_OPENED,
};
static const enum stat_id flow_stat_closed[FLOW_NUM_TYPES] = {
	[FLOW_TCP]		= STAT_FLOW_TCP_CLOSED,
	[FLOW_TCP_SPLICE]	= STAT_FLOW_TCP_SPLICE_CLOSED,
	[FLOW_PING4]		= STAT_FLOW_PING4_CLOSED,
	[FLOW_PING6]		= STAT_FLOW_PING6_CLOSED,
	[FLOW_UDP]		= STAT_FLOW_UDP_CLOSED,
};

/**
 * flow_type_str() - Name of a flow type, for messages
 * @type:	Type
 *
 * Return: name
 */
const char *flow_type_str(enum flow_type type)
{
	if ((unsigned)type >= FLOW_NUM_TYPES)
		return "?";
	return flow_type_names[type];
}

/**
 * flow_init() - Allocate the table, its hash and the list of closed flows
 * @max:	Number of flows
 *
 * Return: 0 on success, -errno on failure
 */
int flow_init(unsigned max)
{
	size_t tab_len, hash_len, closed_len;
	unsigned i;

	if (!max || max > FLOW_MAX_LIMIT)
		return -EINVAL;

	flow_hash_size = 1;
	while (flow_hash_size < max * 4)
		flow_hash_size <<= 1;

	tab_len = ROUND_UP((size_t)max * sizeof(union flow_slot), PAGE_SIZE);
	hash_len = ROUND_UP((size_t)flow_hash_size * sizeof(uint32_t),
			    PAGE_SIZE);
	closed_len = ROUND_UP((size_t)max * sizeof(uint32_t), PAGE_SIZE);
	/* All of it in memory now: it doesn't grow with the flows (the
	 * table is written through below, the rest populated)
	 */
	/* #syscalls:setup mmap munmap */
	flowtab = mmap(NULL, tab_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (flowtab == MAP_FAILED)
		return -errno;
	flow_hashtab = mmap(NULL, hash_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flow_hashtab == MAP_FAILED) {
		munmap(flowtab, tab_len);
		return -errno;
	}
	/* Each flow is closed once before it's freed: @max entries do */
	flow_closed = mmap(NULL, closed_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flow_closed == MAP_FAILED) {
		munmap(flow_hashtab, hash_len);
		munmap(flowtab, tab_len);
		return -errno;
	}
	if (flow_deadline_init(max)) {
		munmap(flow_closed, closed_len);
		munmap(flow_hashtab, hash_len);
		munmap(flowtab, tab_len);
		return -ENOMEM;
	}
	flow_n_closed = 0;
	flow_hiwat = 0;
	memset(flow_count_types, 0, sizeof(flow_count_types));
	for (i = 0; i < ARRAY_SIZE(flow_waitq); i++)
		flow_waitq[i].head = flow_waitq[i].tail = FLOW_IDX_NONE;
	flow_n_waiting = 0;

	flow_max_ = max;
	flow_count_ = 0;
	for (i = 0; i < max; i++)
		flowtab[i].free.next_free = i + 1;
	flow_first_free = 0;
	rand_bytes(&flow_hash_key, sizeof(flow_hash_key));
	return 0;
}

/**
 * flow_register_type() - Set the callbacks of a flow type
 * @type:	Type
 * @ops:	Callbacks, static storage
 */
void flow_register_type(enum flow_type type, const struct flow_type_ops *ops)
{
	ASSERT(type > FLOW_TYPE_NONE && type < FLOW_NUM_TYPES);
	flow_ops[type] = ops;
}

/**
 * flow_at() - Flow at an index
 * @idx:	Index
 *
 * Return: flow
 */
struct flow_common *flow_at(unsigned idx)
{
	ASSERT(idx < flow_max_);
	return &flowtab[idx].f;
}

/**
 * flow_idx() - Index of a flow
 * @f:		Flow
 *
 * Return: index
 */
unsigned flow_idx(const struct flow_common *f)
{
	return (unsigned)((const union flow_slot *)(const void *)f - flowtab);
}

/**
 * flow_count() - Number of flows in use
 *
 * Return: count
 */
unsigned flow_count(void)
{
	return flow_count_;
}

/**
 * flow_count_type() - Number of active or closing flows of one type
 * @type:	Flow type
 *
 * Return: count
 */
unsigned flow_count_type(enum flow_type type)
{
	ASSERT(type < FLOW_NUM_TYPES);
	return flow_count_types[type];
}

/**
 * flow_max() - Size of the table
 *
 * Return: maximum number of flows
 */
unsigned flow_max(void)
{
	return flow_max_;
}

/**
 * flow_alloc() - Take a free slot
 *
 * Return: zeroed flow in state NEW, or NULL if the table is full (counted)
 */
struct flow_common *flow_alloc(void)
{
	union flow_slot *s;

	if (flow_first_free >= flow_max_) {
		stats_inc(STAT_FLOW_TABLE_FULL);
		return NULL;
	}
	s = &flowtab[flow_first_free];
	ASSERT(s->free.state == FLOW_STATE_FREE);
	flow_first_free = s->free.next_free;
	if ((unsigned)(s - flowtab) >= flow_hiwat)
		flow_hiwat = (unsigned)(s - flowtab) + 1;
	memset(s, 0, sizeof(*s));
	s->f.state = FLOW_STATE_NEW;
	flow_count_++;
	return &s->f;
}

/**
 * flow_free() - Return a slot to the free list
 * @f:		Flow, with no side hashed
 */
static void flow_free(struct flow_common *f)
{
	union flow_slot *s = (union flow_slot *)(void *)f;
	unsigned idx = flow_idx(f);

	ASSERT(!f->hashed);
	flow_deadline_clear(f);
	if (f->type < FLOW_NUM_TYPES && f->state != FLOW_STATE_NEW)
		flow_count_types[f->type]--;
	memset(s, 0, sizeof(*s));
	s->free.state = FLOW_STATE_FREE;
	s->free.next_free = flow_first_free;
	flow_first_free = idx;
	flow_count_--;
	while (flow_hiwat && flowtab[flow_hiwat - 1].free.state ==
	       FLOW_STATE_FREE)
		flow_hiwat--;
}

/**
 * flow_alloc_cancel() - Give back a flow that never became active
 * @f:		Flow in state NEW
 */
void flow_alloc_cancel(struct flow_common *f)
{
	ASSERT(f->state == FLOW_STATE_NEW);
	if (f->hashed & 1)
		flow_hash_remove(f, INISIDE);
	if (f->hashed & 2)
		flow_hash_remove(f, TGTSIDE);
	flow_free(f);
}

/**
 * flow_activate() - Mark a flow of a given type as in use
 * @f:		Flow in state NEW
 * @type:	Type
 */
void flow_activate(struct flow_common *f, enum flow_type type)
{
	ASSERT(f->state == FLOW_STATE_NEW);
	ASSERT(type > FLOW_TYPE_NONE && type < FLOW_NUM_TYPES);
	f->type = type;
	f->state = FLOW_STATE_ACTIVE;
	flow_count_types[type]++;
	stats_inc(STAT_FLOW_NEW);
	stats_inc(flow_stat_opened[type]);
}

/**
 * flow_tap_unwait() - Take a flow off the list it waits on
 * @f:		Flow, waiting or being woken
 */
static void flow_tap_unwait(struct flow_common *f)
{
	struct flow_wait_list *l = &flow_waitq[f->waiting - FLOW_WAITING];

	if (f->wait_prev == FLOW_IDX_NONE)
		l->head = f->wait_next;
	else
		flow_at(f->wait_prev)->wait_next = f->wait_next;
	if (f->wait_next == FLOW_IDX_NONE)
		l->tail = f->wait_prev;
	else
		flow_at(f->wait_next)->wait_prev = f->wait_prev;
	f->waiting = 0;
	flow_n_waiting--;
}

/**
 * flow_close() - Mark a flow closed: its slot is freed after this batch
 * @f:		Flow, active (closing a closed flow again does nothing)
 */
void flow_close(struct flow_common *f)
{
	if (f->state == FLOW_STATE_CLOSED)
		return;
	ASSERT(f->state == FLOW_STATE_ACTIVE);
	if (f->hashed & 1)
		flow_hash_remove(f, INISIDE);
	if (f->hashed & 2)
		flow_hash_remove(f, TGTSIDE);
	if (f->waiting)
		flow_tap_unwait(f);
	f->state = FLOW_STATE_CLOSED;
	ASSERT(flow_n_closed < flow_max_);
	flow_closed[flow_n_closed++] = flow_idx(f);
}

/**
 * flow_tap_wait() - Wait for the tap backend to take frames again
 * @f:		Flow, active; nothing happens if it waits already
 *
 * The flow's tap_writable() callback is called once the backend can send,
 * and the flow leaves the list then: to wait again, it calls this again.
 */
void flow_tap_wait(struct flow_common *f)
{
	struct flow_wait_list *l = &flow_waitq[0];
	unsigned idx = flow_idx(f);

	if (f->waiting || f->state != FLOW_STATE_ACTIVE)
		return;
	f->waiting = FLOW_WAITING;
	f->wait_next = FLOW_IDX_NONE;
	f->wait_prev = l->tail;
	if (l->tail == FLOW_IDX_NONE)
		l->head = idx;
	else
		flow_at(l->tail)->wait_next = idx;
	l->tail = idx;
	flow_n_waiting++;
}

/**
 * flow_tap_waiting() - Number of flows waiting for the tap backend
 *
 * Return: count
 */
unsigned flow_tap_waiting(void)
{
	return flow_n_waiting;
}

/**
 * flow_tap_writable() - The tap backend can send: wake the waiting flows
 * @c:		Execution context
 * @now:	Current time
 *
 * Each flow waiting now is woken once, in the order it started waiting.
 * The list is taken whole first: a flow that has to wait again, or starts
 * to, joins a new list, and isn't woken again in this round; a flow
 * closed by another's callback leaves whichever list it is on.
 */
void flow_tap_writable(struct ctx *c, const struct timespec *now)
{
	struct flow_wait_list *round = &flow_waitq[1];
	uint32_t i;

	ASSERT(round->head == FLOW_IDX_NONE);	/* not called from a callback */
	*round = flow_waitq[0];
	flow_waitq[0].head = flow_waitq[0].tail = FLOW_IDX_NONE;
	for (i = round->head; i != FLOW_IDX_NONE; i = flow_at(i)->wait_next)
		flow_at(i)->waiting = FLOW_WAKING;

	while (round->head != FLOW_IDX_NONE) {
		struct flow_common *f = flow_at(round->head);
		const struct flow_type_ops *ops = flow_ops[f->type];

		flow_tap_unwait(f);
		if (ops && ops->tap_writable)
			ops->tap_writable(c, f, now);
	}
}

/**
 * flow_tap_reset() - The guest is gone: abort every flow it had a side in
 * @c:		Execution context
 */
void flow_tap_reset(struct ctx *c)
{
	unsigned i, aborted = 0;

	for (i = 0; i < flow_hiwat; i++) {
		struct flow_common *f = &flowtab[i].f;
		const struct flow_type_ops *ops;

		if (f->state != FLOW_STATE_ACTIVE ||
		    (f->pif[INISIDE] != PIF_TAP && f->pif[TGTSIDE] != PIF_TAP))
			continue;
		ops = flow_ops[f->type];
		if (ops && ops->abort)
			ops->abort(c, f);
		else
			flow_close(f);
		ASSERT(f->state == FLOW_STATE_CLOSED);
		aborted++;
	}
	if (aborted)
		info("Closed %u flows of the guest that left", aborted);
}

/**
 * struct flow_key - What identifies a flow side in the hash
 * @eaddr:	Endpoint address
 * @oaddr:	Our address
 * @eport:	Endpoint port
 * @oport:	Our port
 * @type:	Flow type
 * @pif:	Interface
 */
struct flow_key {
	union inany_addr eaddr;
	union inany_addr oaddr;
	uint16_t eport;
	uint16_t oport;
	uint8_t type;
	uint8_t pif;
} __attribute__((packed));

/**
 * flow_key_hash() - Hash slot of a key
 * @k:		Key
 *
 * Return: first slot to probe
 */
static unsigned flow_key_hash(const struct flow_key *k)
{
	return (unsigned)siphash(&flow_hash_key, k, sizeof(*k)) &
	       (flow_hash_size - 1);
}

/**
 * flow_side_key() - Key of a flow side
 * @f:		Flow
 * @side:	Side
 * @k:		Key
 */
static void flow_side_key(const struct flow_common *f, unsigned side,
			  struct flow_key *k)
{
	const struct flowside *s = &f->side[side];

	memset(k, 0, sizeof(*k));
	k->eaddr = s->eaddr;
	k->oaddr = s->oaddr;
	k->eport = s->eport;
	k->oport = s->oport;
	k->type = f->type;
	k->pif = f->pif[side];
}

/**
 * flow_hash_insert() - Make a flow side findable by flow_lookup()
 * @f:		Flow, with its type set (flow_activate()), and the side filled
 * @side:	Side
 */
void flow_hash_insert(struct flow_common *f, unsigned side)
{
	struct flow_key k;
	unsigned b;

	ASSERT(!(f->hashed & (1U << side)));
	flow_side_key(f, side, &k);
	b = flow_key_hash(&k);
	while (flow_hashtab[b])
		b = (b + 1) & (flow_hash_size - 1);
	flow_hashtab[b] = flow_sidx(flow_idx(f), side) + 1;
	f->hashed |= (uint8_t)(1U << side);
}

/**
 * flow_hash_remove() - Remove a flow side from the hash
 * @f:		Flow
 * @side:	Side, hashed
 */
void flow_hash_remove(struct flow_common *f, unsigned side)
{
	uint32_t want = flow_sidx(flow_idx(f), side) + 1;
	unsigned b, next;
	struct flow_key k;

	ASSERT(f->hashed & (1U << side));
	flow_side_key(f, side, &k);
	b = flow_key_hash(&k);
	while (flow_hashtab[b] != want) {
		ASSERT(flow_hashtab[b]);
		b = (b + 1) & (flow_hash_size - 1);
	}

	/* Shift back later entries of the chain that may fill the hole */
	for (next = (b + 1) & (flow_hash_size - 1); flow_hashtab[next];
	     next = (next + 1) & (flow_hash_size - 1)) {
		uint32_t e = flow_hashtab[next];
		const struct flow_common *g = flow_at(flow_sidx_idx(e - 1));
		struct flow_key gk;
		unsigned home;

		flow_side_key(g, flow_sidx_side(e - 1), &gk);
		home = flow_key_hash(&gk);
		/* Move it if its home is not in the cyclic range (b, next] */
		if (((next - home) & (flow_hash_size - 1)) >=
		    ((next - b) & (flow_hash_size - 1))) {
			flow_hashtab[b] = e;
			b = next;
		}
	}
	flow_hashtab[b] = 0;
	f->hashed &= (uint8_t)~(1U << side);
}

/**
 * flow_lookup() - Find a flow side by its addresses and ports
 * @type:	Flow type
 * @pif:	Interface
 * @eaddr:	Endpoint address
 * @eport:	Endpoint port
 * @oaddr:	Our address
 * @oport:	Our port
 *
 * Return: combined flow and side index, or FLOW_SIDX_NONE
 */
uint32_t flow_lookup(uint8_t type, uint8_t pif,
		     const union inany_addr *eaddr, uint16_t eport,
		     const union inany_addr *oaddr, uint16_t oport)
{
	struct flow_key k;
	unsigned b;

	memset(&k, 0, sizeof(k));
	k.eaddr = *eaddr;
	k.oaddr = *oaddr;
	k.eport = eport;
	k.oport = oport;
	k.type = type;
	k.pif = pif;
	b = flow_key_hash(&k);

	while (flow_hashtab[b]) {
		uint32_t sidx = flow_hashtab[b] - 1;
		const struct flow_common *f = flow_at(flow_sidx_idx(sidx));
		const struct flowside *s = &f->side[flow_sidx_side(sidx)];

		if (f->type == type && f->pif[flow_sidx_side(sidx)] == pif &&
		    s->eport == eport && s->oport == oport &&
		    inany_equals(&s->eaddr, eaddr) &&
		    inany_equals(&s->oaddr, oaddr))
			return sidx;
		b = (b + 1) & (flow_hash_size - 1);
	}
	return FLOW_SIDX_NONE;
}

/**
 * flow_defer_handler() - After a batch of events: free the flows closed
 *			  during it
 */
void flow_defer_handler(void)
{
	unsigned i;

	for (i = 0; i < flow_n_closed; i++) {
		struct flow_common *f = flow_at(flow_closed[i]);

		ASSERT(f->state == FLOW_STATE_CLOSED);
		stats_inc(STAT_FLOW_FREED);
		stats_inc(flow_stat_closed[f->type]);
		flow_free(f);
	}
	flow_n_closed = 0;
}

/**
 * flow_deadline_run() - Call the protocols of flows whose deadline passed
 * @c:		Execution context
 * @now:	Current time
 *
 * At most FLOW_DEADLINE_BATCH at a time: the event loop comes back at once
 * for the rest (flow_deadline_timeout()), after other events.
 */
void flow_deadline_run(struct ctx *c, const struct timespec *now)
{
	uint64_t ms = flow_ms(now);
	unsigned n;

	for (n = 0; n < FLOW_DEADLINE_BATCH; n++) {
		unsigned idx = flow_deadline_pop(ms);
		const struct flow_type_ops *ops;
		struct flow_common *f;

		if (idx == FLOW_IDX_NONE)
			break;
		f = flow_at(idx);
		ops = f->type < FLOW_NUM_TYPES ? flow_ops[f->type] : NULL;
		if (f->state == FLOW_STATE_ACTIVE && ops && ops->deadline)
			ops->deadline(c, f, now);
	}
}

/**
 * flow_deadline_timeout() - How long the event loop may wait for events
 * @now:	Current time
 * @max:	Longest wait, ms
 *
 * Return: ms until the earliest deadline, at most @max, 0 if one passed
 */
int flow_deadline_timeout(const struct timespec *now, int max)
{
	uint64_t next = flow_deadline_next(), ms = flow_ms(now);

	if (!next)
		return max;
	if (next <= ms)
		return 0;
	return next - ms < (uint64_t)max ? (int)(next - ms) : max;
}

/**
 * flow_timer_handler() - About once a second: protocol timeouts
 * @c:		Execution context
 * @now:	Current time
 */
void flow_timer_handler(struct ctx *c, const struct timespec *now)
{
	unsigned i, seen = 0, total = flow_count_;

	for (i = 0; i < flow_hiwat && seen < total; i++) {
		struct flow_common *f = &flowtab[i].f;
		const struct flow_type_ops *ops;

		if (f->state == FLOW_STATE_FREE)
			continue;
		seen++;
		if (f->state != FLOW_STATE_ACTIVE)
			continue;
		ops = flow_ops[f->type];
		if (ops && ops->timer)
			ops->timer(c, f, now);
	}
}

/**
 * flow_ep_fmt() - Format one endpoint of a flow side, if it's known
 * @buf:	Output
 * @size:	Size of @buf
 * @a:		Address
 * @port:	Port, ignored for echo flows
 * @echo:	ICMP or ICMPv6 echo flow: an address only, no port
 *
 * An endpoint not filled yet (unspecified address and, where ports apply,
 * port 0) is left out, not printed as a placeholder.
 *
 * Return: true if something was written to @buf
 */
static bool flow_ep_fmt(char *buf, size_t size, const union inany_addr *a,
			uint16_t port, bool echo)
{
	char s[INANY_ADDRSTRLEN];

	*buf = '\0';
	if (inany_is_unspec(a) && (echo || !port))
		return false;
	inany_ntop(a, s, sizeof(s));
	if (echo)
		snprintf(buf, size, "%s", s);
	else if (inany_v4(a))
		snprintf(buf, size, "%s:%u", s, port);
	else
		snprintf(buf, size, "[%s]:%u", s, port);
	return true;
}

/**
 * flow_side_fmt() - Format the known endpoints of a flow side
 * @buf:	Output, empty if nothing about the side is known
 * @size:	Size of @buf
 * @f:		Flow
 * @side:	INISIDE ("peer -> us") or TGTSIDE ("us -> peer")
 *
 * Echo flows carry an identifier where other flows have ports: it is
 * printed once for the side, as "id N".
 */
static void flow_side_fmt(char *buf, size_t size, const struct flow_common *f,
			  unsigned side)
{
	bool echo = f->type == FLOW_PING4 || f->type == FLOW_PING6;
	const struct flowside *s = &f->side[side];
	char e[INANY_ADDRSTRLEN + 8], o[INANY_ADDRSTRLEN + 8];
	const char *first, *second;
	bool he, ho;
	int n;

	*buf = '\0';
	if (f->pif[side] == PIF_NONE)
		return;
	he = flow_ep_fmt(e, sizeof(e), &s->eaddr, s->eport, echo);
	ho = flow_ep_fmt(o, sizeof(o), &s->oaddr, s->oport, echo);
	if (!he && !ho)
		return;

	first = side == INISIDE ? e : o;
	second = side == INISIDE ? o : e;
	n = snprintf(buf, size, "%s%s%s", first, he && ho ? " -> " : "",
		     second);
	if (echo && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " id %u", s->eport);
}

/**
 * flow_log() - Log a flow's known addresses and ports with a message
 * @f:		Flow
 * @pri:	Syslog priority
 * @what:	Message
 *
 * Format: "Flow N (type): what: initiator -> us => us -> target", each
 * side with what is known of it so far.
 */
void flow_log(const struct flow_common *f, int pri, const char *what)
{
	char s0[2 * INANY_ADDRSTRLEN + 32], s1[2 * INANY_ADDRSTRLEN + 32];

	if (pri > log_level)
		return;
	flow_side_fmt(s0, sizeof(s0), f, INISIDE);
	flow_side_fmt(s1, sizeof(s1), f, TGTSIDE);
	logmsg(pri, false, "Flow %u (%s): %s: %s%s%s", flow_idx(f),
	       flow_type_str(f->type), what, s0, *s0 && *s1 ? " => " :
	       *s1 ? "=> " : "", *s0 || *s1 ? s1 : "no address known yet");
}
