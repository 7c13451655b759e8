// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: flow.c flow_deadline.c util.c log.c stats.c inany.c */
/* test_flow.c - unit tests for the flow table and its hash (flow.c)
 *
 * Only the interface of flow.h is used: flow_init(), flow_alloc(),
 * flow_activate(), flow_hash_insert(), flow_lookup(), flow_close(),
 * flow_defer_handler() and the counters, so that the tests hold however
 * the table is kept inside.
 *
 * siphash.c is not linked: siphash() here is a stub whose mode each test
 * picks. TEST_HASH_REAL is an ordinary hash (FNV-1a) of the key bytes;
 * TEST_HASH_CONST gives every key the same value, so that every side
 * hashed lands in one probe chain: with an all-ones value the chain
 * starts at the last slot of the hash and wraps around to the first.
 * Either way the table must find every side, and only the right one,
 * after any sequence of inserts and removals.
 *
 * Each test ends with the table empty (closed, deferred, freed), checked
 * by the teardown, so that the next flow_init() starts clean.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "util.h"
#include "flow.h"
#include "siphash.h"
#include "stats.h"
#include "inany.h"

/**
 * enum test_hash_mode - What the siphash() stub returns
 */
enum test_hash_mode {
	TEST_HASH_REAL,		/* FNV-1a of the data */
	TEST_HASH_CONST,	/* test_hash_value, for every key */
};

static enum test_hash_mode test_hash_mode;
static uint64_t test_hash_value;

/**
 * siphash() - Stub: an ordinary hash, or one value for every key
 * @key:	Unused
 * @data:	Data
 * @len:	Its length
 *
 * Return: hash
 */
uint64_t siphash(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	(void)key;
	if (test_hash_mode == TEST_HASH_CONST)
		return test_hash_value;
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}


/**
 * side_fill() - Fill a flow side with addresses and ports made from @n
 * @s:		Side
 * @n:		Number: different numbers give different sides
 * @v6:		IPv6 addresses, else IPv4
 */
static void side_fill(struct flowside *s, unsigned n, bool v6)
{
	if (v6) {
		struct in6_addr e, o;

		inet_pton(AF_INET6, "2001:db8::", &e);
		inet_pton(AF_INET6, "2001:db8:1::", &o);
		e.s6_addr[14] = (uint8_t)(n >> 8);
		e.s6_addr[15] = (uint8_t)n;
		o.s6_addr[15] = 1;
		inany_from_v6(&s->eaddr, &e);
		inany_from_v6(&s->oaddr, &o);
	} else {
		struct in_addr e = { htonl(0xc6336400 | (n & 0xff)) };
		struct in_addr o = { htonl(0xcb007101) };

		inany_from_v4(&s->eaddr, e);
		inany_from_v4(&s->oaddr, o);
	}
	s->eport = (uint16_t)(10000 + n);
	s->oport = (uint16_t)(80 + (n >> 8));
}

/**
 * flow_new() - Allocate and activate a flow, fill both sides, hash them
 * @type:	Flow type
 * @n:		Number for side_fill(): side 0 gets 2n, side 1 gets 2n + 1
 * @v6:		IPv6 addresses
 * @hash:	Insert both sides into the hash
 *
 * Return: flow
 */
static struct flow_common *flow_new(enum flow_type type, unsigned n, bool v6,
				    bool hash)
{
	struct flow_common *f = flow_alloc();

	assert_non_null(f);
	assert_int_equal(f->state, FLOW_STATE_NEW);
	flow_activate(f, type);
	f->pif[INISIDE] = PIF_TAP;
	f->pif[TGTSIDE] = PIF_HOST;
	side_fill(&f->side[INISIDE], 2 * n, v6);
	side_fill(&f->side[TGTSIDE], 2 * n + 1, v6);
	if (hash) {
		flow_hash_insert(f, INISIDE);
		flow_hash_insert(f, TGTSIDE);
	}
	return f;
}

/**
 * lookup_side() - Look a flow side up by its own fields
 * @f:		Flow
 * @side:	Side
 *
 * Return: what flow_lookup() gives
 */
static uint32_t lookup_side(const struct flow_common *f, unsigned side)
{
	const struct flowside *s = &f->side[side];

	return flow_lookup(f->type, f->pif[side], &s->eaddr, s->eport,
			   &s->oaddr, s->oport);
}

/**
 * assert_found() - A hashed flow side is found, as itself
 * @f:		Flow
 * @side:	Side
 */
static void assert_found(const struct flow_common *f, unsigned side)
{
	assert_int_equal(lookup_side(f, side), flow_sidx(flow_idx(f), side));
}

/**
 * assert_not_found() - A flow side is not in the hash
 * @f:		Flow
 * @side:	Side
 */
static void assert_not_found(const struct flow_common *f, unsigned side)
{
	assert_int_equal(lookup_side(f, side), FLOW_SIDX_NONE);
}

/**
 * close_all() - Close every flow in use and run the deferred free
 */
static void close_all(void)
{
	unsigned i;

	for (i = 0; i < flow_max(); i++) {
		struct flow_common *f = flow_at(i);

		if (f->state == FLOW_STATE_NEW)
			flow_alloc_cancel(f);
		else if (f->state == FLOW_STATE_ACTIVE)
			flow_close(f);
	}
	flow_defer_handler();
}

/**
 * setup_table() - A table of the size a test asks for, real hash
 * @state:	Size (unsigned, cast to a pointer), set by the test list
 *
 * Return: 0
 */
static int setup_table(void **state)
{
	unsigned max = (unsigned)(uintptr_t)*state;

	test_hash_mode = TEST_HASH_REAL;
	test_hash_value = 0;
	assert_int_equal(flow_init(max ? max : 16), 0);
	return 0;
}

/**
 * teardown_table() - Close what a test left, check the table is empty
 * @state:	Unused
 *
 * Return: 0
 */
static int teardown_table(void **state)
{
	unsigned t;

	(void)state;
	close_all();
	assert_int_equal(flow_count(), 0);
	for (t = 0; t < FLOW_NUM_TYPES; t++)
		assert_int_equal(flow_count_type(t), 0);
	return 0;
}

/**
 * test_init_limits() - flow_init() refuses zero and more than
 * FLOW_MAX_LIMIT, and sets the size
 * @state:	Unused
 */
static void test_init_limits(void **state)
{
	(void)state;
	assert_int_equal(flow_init(0), -EINVAL);
	assert_int_equal(flow_init(FLOW_MAX_LIMIT + 1), -EINVAL);
	assert_int_equal(flow_init(5), 0);
	assert_int_equal(flow_max(), 5);
	assert_int_equal(flow_count(), 0);
}

/**
 * test_alloc_activate() - A new flow is zeroed and NEW; activating it
 * counts it under its type
 * @state:	Unused
 */
static void test_alloc_activate(void **state)
{
	struct flow_common *f, *g;

	(void)state;
	f = flow_alloc();
	assert_non_null(f);
	assert_int_equal(f->state, FLOW_STATE_NEW);
	assert_int_equal(f->type, FLOW_TYPE_NONE);
	assert_int_equal(f->hashed, 0);
	assert_int_equal(flow_count(), 1);
	assert_ptr_equal(flow_at(flow_idx(f)), f);
	assert_int_equal(flow_count_type(FLOW_TCP), 0);

	flow_activate(f, FLOW_TCP);
	assert_int_equal(f->state, FLOW_STATE_ACTIVE);
	assert_int_equal(f->type, FLOW_TCP);
	assert_int_equal(flow_count_type(FLOW_TCP), 1);

	g = flow_new(FLOW_UDP, 1, false, false);
	assert_ptr_not_equal(f, g);
	assert_int_equal(flow_count(), 2);
	assert_int_equal(flow_count_type(FLOW_UDP), 1);
	assert_int_equal(flow_count_type(FLOW_TCP), 1);

	/* A slot given back is zeroed when taken again */
	flow_close(f);
	flow_defer_handler();
	memset(&f->side, 0x5a, sizeof(f->side));
	f = flow_alloc();
	assert_non_null(f);
	assert_int_equal(f->state, FLOW_STATE_NEW);
	assert_int_equal(f->side[0].eport, 0);
	assert_true(inany_is_unspec(&f->side[1].oaddr));
}

/**
 * test_alloc_cancel() - A flow that never became active goes back at once,
 * uncounted, and its hash entries with it
 * @state:	Unused
 */
static void test_alloc_cancel(void **state)
{
	struct flow_common *f, *g;
	struct flowside s;
	unsigned idx;

	(void)state;
	f = flow_alloc();
	assert_non_null(f);
	idx = flow_idx(f);
	f->pif[INISIDE] = PIF_TAP;
	side_fill(&f->side[INISIDE], 7, false);
	s = f->side[INISIDE];
	f->type = FLOW_TCP;	/* as a protocol does before activating */
	flow_hash_insert(f, INISIDE);
	assert_found(f, INISIDE);

	flow_alloc_cancel(f);
	assert_int_equal(flow_count(), 0);
	assert_int_equal(flow_count_type(FLOW_TCP), 0);
	assert_int_equal(flow_at(idx)->state, FLOW_STATE_FREE);
	assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s.eaddr, s.eport,
				     &s.oaddr, s.oport), FLOW_SIDX_NONE);

	g = flow_new(FLOW_TCP, 9, false, true);
	assert_found(g, INISIDE);
	assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s.eaddr, s.eport,
				     &s.oaddr, s.oport), FLOW_SIDX_NONE);
}

/**
 * test_lookup_fields() - Both sides are found as themselves; a key
 * differing in any one field (type, interface, either address, either port)
 * is not found
 * @state:	Unused
 */
static void test_lookup_fields(void **state)
{
	struct flow_common *f4, *f6;
	union inany_addr other;
	const struct flowside *s;
	unsigned v;

	(void)state;
	f4 = flow_new(FLOW_TCP, 1, false, true);
	f6 = flow_new(FLOW_TCP, 1, true, true);

	for (v = 0; v < 2; v++) {
		const struct flow_common *f = v ? f6 : f4;

		assert_found(f, INISIDE);
		assert_found(f, TGTSIDE);
		s = &f->side[INISIDE];
		inany_from_v4(&other, (struct in_addr){ htonl(0xcb0071ff) });

		assert_int_equal(flow_lookup(FLOW_UDP, PIF_TAP, &s->eaddr,
					     s->eport, &s->oaddr, s->oport),
				 FLOW_SIDX_NONE);
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_HOST, &s->eaddr,
					     s->eport, &s->oaddr, s->oport),
				 FLOW_SIDX_NONE);
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &other,
					     s->eport, &s->oaddr, s->oport),
				 FLOW_SIDX_NONE);
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s->eaddr,
					     s->eport + 1, &s->oaddr,
					     s->oport), FLOW_SIDX_NONE);
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s->eaddr,
					     s->eport, &other, s->oport),
				 FLOW_SIDX_NONE);
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s->eaddr,
					     s->eport, &s->oaddr,
					     s->oport + 1), FLOW_SIDX_NONE);
		/* The other side's endpoint with this side's interface */
		s = &f->side[TGTSIDE];
		assert_int_equal(flow_lookup(FLOW_TCP, PIF_TAP, &s->eaddr,
					     s->eport, &s->oaddr, s->oport),
				 FLOW_SIDX_NONE);
	}

	/* Removing one side leaves the other */
	flow_hash_remove(f4, INISIDE);
	assert_not_found(f4, INISIDE);
	assert_found(f4, TGTSIDE);
	assert_found(f6, INISIDE);
	flow_hash_insert(f4, INISIDE);
	assert_found(f4, INISIDE);
}

/**
 * test_sidx() - The sidx helpers round-trip
 * @state:	Unused
 */
static void test_sidx(void **state)
{
	(void)state;
	assert_int_equal(flow_sidx_idx(flow_sidx(12345, TGTSIDE)), 12345);
	assert_int_equal(flow_sidx_side(flow_sidx(12345, TGTSIDE)), TGTSIDE);
	assert_int_equal(flow_sidx_side(flow_sidx(7, INISIDE)), INISIDE);
	assert_null(flow_at_sidx(FLOW_SIDX_NONE));
	assert_ptr_equal(flow_at_sidx(flow_sidx(3, TGTSIDE)), flow_at(3));
}

/**
 * collide() - Every side in one chain: insert all, remove in an order,
 *	       check after each step that exactly the remaining ones are found
 * @value:	Hash value every key gets
 * @order:	Removal order: 0 first to last, 1 last to first, 2 middle out
 */
static void collide(uint64_t value, int order)
{
	struct flow_common *f[16];
	bool in[16][2];
	unsigned n = flow_max(), i, k, j;

	assert_true(n <= 16);
	test_hash_mode = TEST_HASH_CONST;
	test_hash_value = value;

	for (i = 0; i < n; i++) {
		f[i] = flow_new(i % 2 ? FLOW_UDP : FLOW_TCP, i, i % 3 == 0,
				true);
		in[i][0] = in[i][1] = true;
	}
	for (i = 0; i < n; i++) {
		assert_found(f[i], INISIDE);
		assert_found(f[i], TGTSIDE);
	}

	for (k = 0; k < 2 * n; k++) {
		unsigned pos = order == 0 ? k : order == 1 ? 2 * n - 1 - k :
			       (k % 2 ? n - 1 - k / 2 : n + k / 2);

		i = pos / 2;
		flow_hash_remove(f[i], pos % 2);
		in[i][pos % 2] = false;
		for (j = 0; j < n; j++) {
			if (in[j][0])
				assert_found(f[j], INISIDE);
			else
				assert_not_found(f[j], INISIDE);
			if (in[j][1])
				assert_found(f[j], TGTSIDE);
			else
				assert_not_found(f[j], TGTSIDE);
		}
		/* Put every other one back once: holes get filled again */
		if (k == n) {
			for (j = 0; j < n; j += 2) {
				if (!in[j][0]) {
					flow_hash_insert(f[j], INISIDE);
					in[j][0] = true;
				}
			}
			for (j = 0; j < n; j++)
				if (in[j][0])
					assert_found(f[j], INISIDE);
		}
	}
	/* What was put back is still in: take it out */
	for (j = 0; j < n; j++) {
		if (in[j][0])
			flow_hash_remove(f[j], INISIDE);
		if (in[j][1])
			flow_hash_remove(f[j], TGTSIDE);
		assert_not_found(f[j], INISIDE);
		assert_not_found(f[j], TGTSIDE);
	}
}

/**
 * test_collisions_first_slot() - All keys collide at the first slot
 * @state:	Unused
 */
static void test_collisions_first_slot(void **state)
{
	(void)state;
	collide(0, 0);
	close_all();
	collide(0, 1);
	close_all();
	collide(0, 2);
}

/**
 * test_collisions_wrap() - All keys collide at the last slot: the chain
 * wraps around
 * @state:	Unused
 */
static void test_collisions_wrap(void **state)
{
	(void)state;
	collide(UINT64_MAX, 0);
	close_all();
	collide(UINT64_MAX, 1);
	close_all();
	collide(UINT64_MAX, 2);
}

/**
 * test_collisions_wrap_small() - Three flows, a hash of 16 slots: the chain
 * wraps with few entries
 * @state:	Unused
 */
static void test_collisions_wrap_small(void **state)
{
	test_collisions_wrap(state);
}

/**
 * model_step() - One random operation on the table and on a model of it
 * @f:		Flows, one per slot index, or NULL
 * @hashed:	Model: which sides are hashed
 * @r:		Random number
 */
static void model_step(struct flow_common **f, bool (*hashed)[2], unsigned r)
{
	unsigned n = flow_max(), i = r % n, side = (r >> 8) & 1;

	if (!f[i]) {
		struct flow_common *g = flow_alloc();

		if (!g) {
			/* Full: only if every slot is taken */
			for (i = 0; i < n; i++)
				assert_non_null(f[i]);
			return;
		}
		i = flow_idx(g);
		assert_null(f[i]);
		flow_activate(g, FLOW_TCP);
		g->pif[INISIDE] = PIF_TAP;
		g->pif[TGTSIDE] = PIF_HOST;
		/* Few distinct keys, some the same but for the side */
		side_fill(&g->side[INISIDE], (r >> 9) % 64, r & 0x10000);
		side_fill(&g->side[TGTSIDE], (r >> 9) % 64, r & 0x10000);
		g->side[TGTSIDE].oport = (uint16_t)(1000 + i);
		g->side[INISIDE].eport = (uint16_t)(2000 + i);
		f[i] = g;
		hashed[i][0] = hashed[i][1] = false;
		return;
	}

	switch ((r >> 12) % 4) {
	case 0:
		if (hashed[i][side]) {
			flow_hash_remove(f[i], side);
		} else {
			flow_hash_insert(f[i], side);
		}
		hashed[i][side] = !hashed[i][side];
		break;
	case 1:
		if (!hashed[i][side]) {
			flow_hash_insert(f[i], side);
			hashed[i][side] = true;
		}
		break;
	case 2:
		flow_close(f[i]);
		assert_not_found(f[i], INISIDE);
		assert_not_found(f[i], TGTSIDE);
		flow_defer_handler();
		f[i] = NULL;
		break;
	default:
		break;
	}
}

/**
 * model_run() - Random inserts, removals, closes; check lookups each time
 * @mode:	Hash mode
 * @value:	Hash value for TEST_HASH_CONST
 * @steps:	Operations
 */
static void model_run(enum test_hash_mode mode, uint64_t value,
		      unsigned steps)
{
	struct flow_common *f[8] = { 0 };
	bool hashed[8][2] = { { false } };
	unsigned s, i, seed = 12345;

	assert_int_equal(flow_max(), 8);
	test_hash_mode = mode;
	test_hash_value = value;
	for (s = 0; s < steps; s++) {
		seed = seed * 1103515245U + 12345U;
		model_step(f, hashed, seed >> 4);

		for (i = 0; i < 8; i++) {
			if (!f[i])
				continue;
			if (hashed[i][0])
				assert_found(f[i], INISIDE);
			else
				assert_not_found(f[i], INISIDE);
			if (hashed[i][1])
				assert_found(f[i], TGTSIDE);
			else
				assert_not_found(f[i], TGTSIDE);
		}
	}
}

/**
 * test_model_real_hash() - A tiny table (8 flows, so a hash of 32): real
 * hash, many collisions
 * @state:	Unused
 */
static void test_model_real_hash(void **state)
{
	(void)state;
	model_run(TEST_HASH_REAL, 0, 20000);
}

/**
 * test_model_one_chain() - Everything in one chain, wrapping around
 * @state:	Unused
 */
static void test_model_one_chain(void **state)
{
	(void)state;
	model_run(TEST_HASH_CONST, UINT64_MAX - 3, 20000);
}

/**
 * test_full_table() - A full table refuses a new flow, counts it, and
 * leaves the others; a slot freed is given out again
 * @state:	Unused
 */
static void test_full_table(void **state)
{
	struct flow_common *f[4];
	uint64_t full = stats[STAT_FLOW_TABLE_FULL];
	unsigned i, idx;

	(void)state;
	assert_int_equal(flow_max(), 4);
	for (i = 0; i < 4; i++)
		f[i] = flow_new(FLOW_TCP, i, false, true);
	assert_int_equal(flow_count(), 4);
	assert_null(flow_alloc());
	assert_null(flow_alloc());
	assert_int_equal(stats[STAT_FLOW_TABLE_FULL], full + 2);
	assert_int_equal(flow_count(), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f[i]->state, FLOW_STATE_ACTIVE);
		assert_found(f[i], INISIDE);
		assert_found(f[i], TGTSIDE);
	}

	/* Closed, but not freed yet: still full */
	idx = flow_idx(f[2]);
	flow_close(f[2]);
	assert_null(flow_alloc());

	flow_defer_handler();
	assert_int_equal(flow_count(), 3);
	f[2] = flow_alloc();
	assert_non_null(f[2]);
	assert_int_equal(flow_idx(f[2]), idx);
	assert_null(flow_alloc());

	/* Freed slots are taken again, each once, before full again */
	flow_close(f[0]);
	flow_close(f[3]);
	flow_defer_handler();
	f[0] = flow_alloc();
	f[3] = flow_alloc();
	assert_non_null(f[0]);
	assert_non_null(f[3]);
	assert_ptr_not_equal(f[0], f[3]);
	assert_true(flow_idx(f[0]) < 4 && flow_idx(f[3]) < 4);
	assert_null(flow_alloc());
	assert_int_equal(flow_count(), 4);
	assert_found(f[1], INISIDE);
}

/**
 * test_deferred_free() - Closing takes a flow out of the hash at once, but
 * its slot only goes back in flow_defer_handler(): until then nothing
 * reuses it, and the flows still active are left alone
 * @state:	Unused
 */
static void test_deferred_free(void **state)
{
	struct flow_common *f, *g, *h;
	uint64_t freed = stats[STAT_FLOW_FREED];
	unsigned idx;

	(void)state;
	f = flow_new(FLOW_TCP, 1, false, true);
	g = flow_new(FLOW_PING4, 2, false, true);
	idx = flow_idx(f);

	flow_close(f);
	assert_int_equal(f->state, FLOW_STATE_CLOSED);
	assert_not_found(f, INISIDE);
	assert_not_found(f, TGTSIDE);
	assert_int_equal(flow_count(), 2);
	assert_ptr_equal(flow_at(idx), f);

	h = flow_alloc();
	assert_non_null(h);
	assert_int_not_equal(flow_idx(h), idx);
	assert_int_equal(f->state, FLOW_STATE_CLOSED);

	flow_defer_handler();
	assert_int_equal(flow_at(idx)->state, FLOW_STATE_FREE);
	assert_int_equal(flow_count(), 2);	/* g, and h still NEW */
	assert_int_equal(flow_count_type(FLOW_TCP), 0);
	assert_int_equal(flow_count_type(FLOW_PING4), 1);
	assert_int_equal(stats[STAT_FLOW_FREED], freed + 1);
	assert_int_equal(g->state, FLOW_STATE_ACTIVE);
	assert_found(g, INISIDE);
	assert_int_equal(h->state, FLOW_STATE_NEW);

	/* A second pass frees nothing more */
	flow_defer_handler();
	assert_int_equal(flow_count(), 2);
	assert_int_equal(stats[STAT_FLOW_FREED], freed + 1);
	flow_alloc_cancel(h);
}

/**
 * test_close_many() - Many closed in one batch, some hashed on one side
 * only: all freed by one deferred pass, and the table can be filled again
 * @state:	Unused
 */
static void test_close_many(void **state)
{
	struct flow_common *f[16];
	unsigned i;

	(void)state;
	assert_int_equal(flow_max(), 16);
	for (i = 0; i < 16; i++) {
		f[i] = flow_new(FLOW_UDP, i, i & 1, !(i % 3));
		if (i % 3 == 1)
			flow_hash_insert(f[i], TGTSIDE);
	}
	for (i = 0; i < 16; i += 2)
		flow_close(f[i]);
	flow_defer_handler();
	assert_int_equal(flow_count(), 8);
	assert_int_equal(flow_count_type(FLOW_UDP), 8);
	for (i = 1; i < 16; i += 2) {
		if (!(i % 3))
			assert_found(f[i], INISIDE);
		if (i % 3 == 1)
			assert_found(f[i], TGTSIDE);
	}
	for (i = 0; i < 16; i += 2)
		assert_non_null(flow_new(FLOW_TCP, 100 + i, false, true));
	assert_null(flow_alloc());
	assert_int_equal(flow_count_type(FLOW_TCP), 8);
}

/* What the tap_writable and abort callbacks of the tests saw and do */
static unsigned test_woken[32], test_n_woken;
static struct flow_common *test_rewait;	/* waits again when woken */
static struct flow_common *test_kill;	/* closed by the first woken */
static unsigned test_aborted;

/**
 * test_writable() - tap_writable callback: note the flow, act as told
 * @c:		Unused
 * @f:		Flow woken
 * @now:	Unused
 */
static void test_writable(struct ctx *c, struct flow_common *f,
			  const struct timespec *now)
{
	(void)c;
	(void)now;
	assert_int_equal(f->waiting, 0);
	assert_true(test_n_woken < ARRAY_SIZE(test_woken));
	test_woken[test_n_woken++] = flow_idx(f);
	if (f == test_rewait)
		flow_tap_wait(f);
	if (test_kill) {
		flow_close(test_kill);
		test_kill = NULL;
	}
}

/**
 * test_abort() - abort callback: close the flow, count it
 * @c:		Unused
 * @f:		Flow
 */
static void test_abort(struct ctx *c, struct flow_common *f)
{
	(void)c;
	test_aborted++;
	flow_close(f);
}

static const struct flow_type_ops test_ops = {
	.tap_writable	= test_writable,
	.abort		= test_abort,
};

/**
 * test_tap_wait() - Flows waiting for the tap are woken once each, in
 * order; one waiting again isn't woken twice in a round; a closed one,
 * before or during the round, isn't woken at all
 * @state:	Unused
 */
static void test_tap_wait(void **state)
{
	struct flow_common *f[5];
	unsigned i;

	(void)state;
	flow_register_type(FLOW_UDP, &test_ops);
	for (i = 0; i < 5; i++)
		f[i] = flow_new(FLOW_UDP, i, false, true);

	flow_tap_wait(f[3]);
	flow_tap_wait(f[1]);
	flow_tap_wait(f[3]);		/* already waiting: no change */
	flow_tap_wait(f[0]);
	flow_tap_wait(f[4]);
	flow_tap_wait(f[2]);
	assert_int_equal(flow_tap_waiting(), 5);
	flow_close(f[4]);		/* leaves the list */
	assert_int_equal(flow_tap_waiting(), 4);

	/* f[3] first: it waits again, and closes f[0], which waits too */
	test_n_woken = 0;
	test_rewait = f[3];
	test_kill = f[0];
	flow_tap_writable(NULL, NULL);
	assert_int_equal(test_n_woken, 3);
	assert_int_equal(test_woken[0], flow_idx(f[3]));
	assert_int_equal(test_woken[1], flow_idx(f[1]));
	assert_int_equal(test_woken[2], flow_idx(f[2]));	/* not f[0] */
	assert_int_equal(flow_tap_waiting(), 1);

	/* The next round: f[3], which waited again */
	test_rewait = NULL;
	test_n_woken = 0;
	flow_tap_writable(NULL, NULL);
	assert_int_equal(test_n_woken, 1);
	assert_int_equal(test_woken[0], flow_idx(f[3]));
	assert_int_equal(flow_tap_waiting(), 0);

	/* Nothing waits: nothing is woken */
	test_n_woken = 0;
	flow_tap_writable(NULL, NULL);
	assert_int_equal(test_n_woken, 0);
	flow_register_type(FLOW_UDP, NULL);
}

/**
 * test_tap_reset() - The guest leaving aborts the flows with a tap side,
 * and only those; closing twice is harmless
 * @state:	Unused
 */
static void test_tap_reset(void **state)
{
	struct flow_common *tap1, *tap2, *host;

	(void)state;
	flow_register_type(FLOW_UDP, &test_ops);
	tap1 = flow_new(FLOW_UDP, 1, false, true);
	tap2 = flow_new(FLOW_UDP, 2, true, false);
	tap2->pif[INISIDE] = PIF_HOST;
	tap2->pif[TGTSIDE] = PIF_TAP;
	flow_hash_insert(tap2, TGTSIDE);
	host = flow_new(FLOW_UDP, 3, false, false);
	host->pif[INISIDE] = PIF_HOST;
	host->pif[TGTSIDE] = PIF_SPLICE;
	flow_tap_wait(tap1);

	test_aborted = 0;
	flow_tap_reset(NULL);
	assert_int_equal(test_aborted, 2);
	assert_int_equal(tap1->state, FLOW_STATE_CLOSED);
	assert_int_equal(tap2->state, FLOW_STATE_CLOSED);
	assert_int_equal(host->state, FLOW_STATE_ACTIVE);
	assert_int_equal(flow_tap_waiting(), 0);
	assert_not_found(tap1, INISIDE);

	flow_close(tap1);		/* again: nothing happens */
	flow_defer_handler();
	assert_int_equal(flow_count(), 1);
	flow_register_type(FLOW_UDP, NULL);
}

/* A test with a fresh table of @max flows, checked empty afterwards */
#define T(fn, max)	cmocka_unit_test_prestate_setup_teardown(	\
	fn, setup_table, teardown_table, (void *)(uintptr_t)(max))

/**
 * main() - Run the tests
 *
 * Return: number of failures
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_limits),
		T(test_alloc_activate, 16),
		T(test_alloc_cancel, 16),
		T(test_lookup_fields, 16),
		T(test_sidx, 16),
		T(test_collisions_first_slot, 16),
		T(test_collisions_wrap, 16),
		T(test_collisions_wrap_small, 3),
		T(test_model_real_hash, 8),
		T(test_model_one_chain, 8),
		T(test_full_table, 4),
		T(test_deferred_free, 16),
		T(test_close_many, 16),
		T(test_tap_wait, 16),
		T(test_tap_reset, 16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
