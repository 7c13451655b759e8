/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow_deadline.h - one deadline per flow, for all flows: a binary heap */

#ifndef FLOW_DEADLINE_H
#define FLOW_DEADLINE_H

#include <stdint.h>
#include <time.h>

struct flow_common;

/**
 * flow_ms() - Milliseconds of a monotonic time, as deadlines count them
 * @t:		Time
 *
 * Return: milliseconds
 */
static inline uint64_t flow_ms(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000 + (uint64_t)t->tv_nsec / 1000000;
}

int flow_deadline_init(unsigned max);
void flow_deadline_set(const struct flow_common *f, uint64_t at);
void flow_deadline_clear(const struct flow_common *f);
uint64_t flow_deadline_of(const struct flow_common *f);
uint64_t flow_deadline_next(void);
unsigned flow_deadline_count(void);
unsigned flow_deadline_pop(uint64_t now_ms);

#endif /* FLOW_DEADLINE_H */
