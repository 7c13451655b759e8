// SPDX-License-Identifier: GPL-2.0-or-later
/* flow_deadline.c - one deadline per flow, for all flows: a binary heap
 *
 * Theory of operation
 *
 * A protocol that must act at a given time for a flow (TCP: retransmit,
 * probe a zero window, retry what the tap backend refused) sets that
 * flow's deadline here; the event loop waits in epoll_wait() no longer than
 * until the earliest one, then flow_deadline_run() calls the protocol's
 * deadline callback for each that passed. No descriptor per flow, and no
 * system call to set or move a deadline.
 *
 * The heap is an array of flow indices ordered by deadline (ms on the
 * monotonic clock), the earliest first; each flow's position in it is kept
 * beside, so a deadline moves or goes in O(log n). Both arrays are sized
 * for the whole flow table when the table is made: nothing is allocated
 * afterwards, and a flow has at most one deadline.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"
#include "flow.h"
#include "flow_deadline.h"

#define FLOW_DL_NONE		UINT32_MAX	/* no position: not in the heap */

/**
 * struct flow_dl - An entry of the heap
 * @at:		Deadline, ms
 * @idx:	Flow index
 */
struct flow_dl {
	uint64_t at;
	uint32_t idx;
};

static struct flow_dl *flow_dl_heap;
static uint32_t *flow_dl_pos;		/* by flow index: heap position */
static unsigned flow_dl_n;
static unsigned flow_dl_max;

/**
 * flow_deadline_init() - Make the heap, for a table of @max flows
 * @max:	Flows in the table
 *
 * Return: 0 on success, -errno on failure
 */
int flow_deadline_init(unsigned max)
{
	size_t heap_len = ROUND_UP((size_t)max * sizeof(*flow_dl_heap),
				   PAGE_SIZE);
	size_t pos_len = ROUND_UP((size_t)max * sizeof(*flow_dl_pos),
				  PAGE_SIZE);
	unsigned i;

	/* #syscalls:setup mmap munmap */
	flow_dl_heap = mmap(NULL, heap_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flow_dl_heap == MAP_FAILED)
		return -errno;
	flow_dl_pos = mmap(NULL, pos_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flow_dl_pos == MAP_FAILED) {
		munmap(flow_dl_heap, heap_len);
		return -errno;
	}
	for (i = 0; i < max; i++)
		flow_dl_pos[i] = FLOW_DL_NONE;
	flow_dl_n = 0;
	flow_dl_max = max;
	return 0;
}

/**
 * flow_dl_put() - Place an entry at a heap position, and note where
 * @pos:	Position
 * @e:		Entry
 */
static void flow_dl_put(unsigned pos, struct flow_dl e)
{
	flow_dl_heap[pos] = e;
	flow_dl_pos[e.idx] = pos;
}

/**
 * flow_dl_fix() - Move the entry at @pos up or down to its place
 * @pos:	Position of an entry whose deadline changed
 */
static void flow_dl_fix(unsigned pos)
{
	struct flow_dl e = flow_dl_heap[pos];

	while (pos && flow_dl_heap[(pos - 1) / 2].at > e.at) {
		flow_dl_put(pos, flow_dl_heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		unsigned l = 2 * pos + 1, m = l;

		if (l >= flow_dl_n)
			break;
		if (l + 1 < flow_dl_n && flow_dl_heap[l + 1].at <
					 flow_dl_heap[l].at)
			m = l + 1;
		if (flow_dl_heap[m].at >= e.at)
			break;
		flow_dl_put(pos, flow_dl_heap[m]);
		pos = m;
	}
	flow_dl_put(pos, e);
}

/**
 * flow_deadline_set() - Set, or move, a flow's deadline
 * @f:		Flow
 * @at:		Deadline, ms on the monotonic clock (flow_ms()), not 0
 */
void flow_deadline_set(const struct flow_common *f, uint64_t at)
{
	unsigned idx = flow_idx(f), pos;

	ASSERT(idx < flow_dl_max && at);
	pos = flow_dl_pos[idx];
	if (pos == FLOW_DL_NONE) {
		pos = flow_dl_n++;
		flow_dl_put(pos, (struct flow_dl){ .at = at, .idx = idx });
	} else {
		flow_dl_heap[pos].at = at;
	}
	flow_dl_fix(pos);
}

/**
 * flow_deadline_clear() - A flow has no deadline any more
 * @f:		Flow
 */
void flow_deadline_clear(const struct flow_common *f)
{
	unsigned idx = flow_idx(f), pos;

	if (idx >= flow_dl_max || (pos = flow_dl_pos[idx]) == FLOW_DL_NONE)
		return;
	flow_dl_pos[idx] = FLOW_DL_NONE;
	if (pos == --flow_dl_n)
		return;
	flow_dl_put(pos, flow_dl_heap[flow_dl_n]);
	flow_dl_fix(pos);
}

/**
 * flow_deadline_of() - A flow's deadline
 * @f:		Flow
 *
 * Return: deadline, ms, 0 if it has none
 */
uint64_t flow_deadline_of(const struct flow_common *f)
{
	unsigned idx = flow_idx(f), pos;

	if (idx >= flow_dl_max || (pos = flow_dl_pos[idx]) == FLOW_DL_NONE)
		return 0;
	return flow_dl_heap[pos].at;
}

/**
 * flow_deadline_next() - The earliest deadline
 *
 * Return: deadline, ms, 0 if no flow has one
 */
uint64_t flow_deadline_next(void)
{
	return flow_dl_n ? flow_dl_heap[0].at : 0;
}

/**
 * flow_deadline_count() - Flows with a deadline
 *
 * Return: count
 */
unsigned flow_deadline_count(void)
{
	return flow_dl_n;
}

/**
 * flow_deadline_pop() - Take the earliest deadline, if it passed
 * @now_ms:	Current time, ms
 *
 * Return: index of the flow whose deadline passed (cleared now), or
 *	   FLOW_IDX_NONE if none did
 */
unsigned flow_deadline_pop(uint64_t now_ms)
{
	unsigned idx;

	if (!flow_dl_n || flow_dl_heap[0].at > now_ms)
		return FLOW_IDX_NONE;
	idx = flow_dl_heap[0].idx;
	flow_dl_pos[idx] = FLOW_DL_NONE;
	if (--flow_dl_n) {
		flow_dl_put(0, flow_dl_heap[flow_dl_n]);
		flow_dl_fix(0);
	}
	return idx;
}
