// SPDX-License-Identifier: GPL-2.0-or-later
/* stats.c - counters of what the daemon did, dumped on SIGUSR1 */

#include <inttypes.h>
#include <stdio.h>

#include "util.h"
#include "log.h"
#include "stats.h"

uint64_t stats[STAT_COUNT];

static const char *const stats_names[STAT_COUNT] = {
#define STATS_NAME(id, name)	[STAT_##id] = (name),
	STATS_LIST(STATS_NAME)
#undef STATS_NAME
};

/**
 * stats_name() - Printed name of a counter
 * @id:		Counter
 *
 * Return: name
 */
const char *stats_name(enum stat_id id)
{
	ASSERT(id < STAT_COUNT);
	return stats_names[id];
}

/**
 * stats_log() - Log all non-zero counters in one line each, at info level
 * @what:	Headline, e.g. the reason for the dump
 */
void stats_log(const char *what)
{
	unsigned i;

	/* Asked for explicitly: LOG_NOTICE passes --quiet, which hides info */
	logmsg(LOG_NOTICE, false, "statistics (%s):", what);
	for (i = 0; i < STAT_COUNT; i++) {
		if (stats[i])
			logmsg(LOG_NOTICE, false, "  %s: %" PRIu64,
			       stats_names[i], stats[i]);
	}
}
