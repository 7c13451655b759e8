// SPDX-License-Identifier: GPL-2.0-or-later
/* stats.c - counters of what the daemon did, logged as a table
 *
 * Theory of operation: modules count with stats_inc() and stats_add() into
 * one array, and register at start-up what the kernel gave them with
 * stats_feature(). stats_log() prints it all as one block, one section per
 * concern, so a person sees at a glance what flows exist, how much went
 * each way, why frames were dropped, and which kernel features are in use:
 *
 *   statistics (SIGUSR1):
 *     flows                         active        opened        closed
 *       TCP                              1             4             3
 *       ...
 *     traffic                  guest->host   host->guest
 *       frames on the tap link         120           118
 *       ...
 *     drops, by reason
 *       short frame                      2
 *     features
 *       tap: virtio-net header    in use: checksums left to the kernel...
 *
 * (label column shortened here). Flows and traffic rows are always printed, so blocks line up from one
 * to the next; the other sections list only what is not zero. On request
 * (SIGUSR1), "counters:" lines follow with every non-zero counter as
 * name=value, for scripts (test/lib/lib.sh stats_dump). stats_changed()
 * tells the periodic logger whether there is anything new to show.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "log.h"
#include "stats.h"

#define STATS_LABEL_W		38	/* indent and label, in columns */
#define STATS_NUM_W		14	/* one number column */
#define STATS_COUNTERS_W	160	/* wrap "counters:" lines here */

uint64_t stats[STAT_COUNT];

/**
 * struct stats_desc - Where a counter goes, and what it's called
 * @name:	Machine name, for scripts
 * @label:	Row label in the table
 * @sec:	Section
 * @col:	Column in the section
 */
struct stats_desc {
	const char *name;
	const char *label;
	enum stats_section sec;
	enum stats_col col;
};

static const struct stats_desc stats_descs[STAT_COUNT] = {
#define STATS_DESC(id, n, s, c, l)					\
	[STAT_##id] = { .name = (n), .label = (l),			\
			.sec = STATS_SEC_##s, .col = STATS_COL_##c },
	STATS_LIST(STATS_DESC)
#undef STATS_DESC
};

/**
 * struct stats_feat - A registered feature
 * @name:	What it is
 * @state:	Whether and how it is in use
 */
struct stats_feat {
	char name[STATS_FEATURE_NAME_LEN];
	char state[STATS_FEATURE_STATE_LEN];
};

static struct stats_feat stats_feats[STATS_FEATURES_MAX];
static unsigned stats_nfeats;

static uint64_t stats_snap[STAT_COUNT];	/* at the last stats_changed() */
static bool stats_snap_taken;

/**
 * stats_name() - Machine name of a counter
 * @id:		Counter
 *
 * Return: name
 */
const char *stats_name(enum stat_id id)
{
	ASSERT(id < STAT_COUNT);
	return stats_descs[id].name;
}

/**
 * stats_label() - Row label of a counter in the table
 * @id:		Counter
 *
 * Return: label
 */
const char *stats_label(enum stat_id id)
{
	ASSERT(id < STAT_COUNT);
	return stats_descs[id].label;
}

/**
 * stats_section_of() - Section of the table a counter is printed in
 * @id:		Counter
 *
 * Return: section
 */
enum stats_section stats_section_of(enum stat_id id)
{
	ASSERT(id < STAT_COUNT);
	return stats_descs[id].sec;
}

/**
 * stats_col_of() - Column of a counter in its section
 * @id:		Counter
 *
 * Return: column
 */
enum stats_col stats_col_of(enum stat_id id)
{
	ASSERT(id < STAT_COUNT);
	return stats_descs[id].col;
}

/**
 * stats_feature() - Register a feature and its state, or update its state
 * @name:	What it is, e.g. "SO_PEEK_OFF, IPv4" (copied)
 * @state:	Whether and how it's used, e.g. "in use" (copied)
 *
 * Meant for start-up: modules call it once they probed what the kernel
 * offers. Long strings are cut to fit.
 */
void stats_feature(const char *name, const char *state)
{
	struct stats_feat *f = NULL;
	unsigned i;

	for (i = 0; i < stats_nfeats; i++) {
		if (!strncmp(stats_feats[i].name, name,
			     sizeof(stats_feats[i].name) - 1)) {
			f = &stats_feats[i];
			break;
		}
	}
	if (!f) {
		if (stats_nfeats >= STATS_FEATURES_MAX) {
			warn("Statistics: no room for feature '%s': raise STATS_FEATURES_MAX",
			     name);
			return;
		}
		f = &stats_feats[stats_nfeats++];
		snprintf(f->name, sizeof(f->name), "%s", name);
	}
	snprintf(f->state, sizeof(f->state), "%s", state);
}

/**
 * stats_changed() - Did any counter change since the last call?
 *
 * Return: true on the first call, then true if any counter differs from
 *	   what it was at the last call that returned true
 */
bool stats_changed(void)
{
	if (stats_snap_taken && !memcmp(stats_snap, stats, sizeof(stats)))
		return false;
	memcpy(stats_snap, stats, sizeof(stats));
	stats_snap_taken = true;
	return true;
}

/**
 * stats_line() - Log one line of the block
 * @fmt:	Format
 */
__attribute__((format(printf, 1, 2)))
static void stats_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Asked for explicitly: LOG_NOTICE passes --quiet, which hides info */
	logmsg(LOG_NOTICE, false, "%s", buf);
}

/**
 * stats_log_pairs() - Flows or traffic: every row, always
 * @sec:	STATS_SEC_FLOWS or STATS_SEC_TRAFFIC
 */
static void stats_log_pairs(enum stats_section sec)
{
	int w = STATS_LABEL_W - 4;
	unsigned i;

	if (sec == STATS_SEC_FLOWS)
		stats_line("  %-*s  %*s%*s%*s", w, "flows", STATS_NUM_W,
			   "active", STATS_NUM_W, "opened", STATS_NUM_W,
			   "closed");
	else
		stats_line("  %-*s  %*s%*s", w, "traffic", STATS_NUM_W,
			   "guest->host", STATS_NUM_W, "host->guest");

	for (i = 0; i < STAT_COUNT; i++) {
		const struct stats_desc *d = &stats_descs[i];

		if (d->sec != sec || d->col == STATS_COL_B)
			continue;
		if (d->col == STATS_COL_ONE) {
			stats_line("    %-*s%*" PRIu64 "  (both ways)", w,
				   d->label, STATS_NUM_W, stats[i]);
			continue;
		}

		/* A, and B next to it (test_stats checks the list) */
		if (i + 1 >= STAT_COUNT || stats_descs[i + 1].col != STATS_COL_B)
			continue;
		if (sec == STATS_SEC_FLOWS)
			stats_line("    %-*s%*" PRIu64 "%*" PRIu64 "%*" PRIu64,
				   w, d->label,
				   STATS_NUM_W, stats[i] - stats[i + 1],
				   STATS_NUM_W, stats[i],
				   STATS_NUM_W, stats[i + 1]);
		else
			stats_line("    %-*s%*" PRIu64 "%*" PRIu64, w, d->label,
				   STATS_NUM_W, stats[i],
				   STATS_NUM_W, stats[i + 1]);
	}
}

/**
 * stats_log_counts() - A section of single counts: non-zero rows only
 * @sec:	Section
 * @title:	Its heading
 */
static void stats_log_counts(enum stats_section sec, const char *title)
{
	int w = STATS_LABEL_W - 4;
	bool any = false;
	unsigned i;

	for (i = 0; i < STAT_COUNT; i++) {
		const struct stats_desc *d = &stats_descs[i];

		if (d->sec != sec || !stats[i])
			continue;
		if (!any)
			stats_line("  %s", title);
		any = true;
		/* "other" holds counters without a place: show their names */
		stats_line("    %-*s%*" PRIu64, w,
			   sec == STATS_SEC_OTHER ? d->name : d->label,
			   STATS_NUM_W, stats[i]);
	}
	if (!any && sec != STATS_SEC_OTHER)
		stats_line("  %s: none", title);
}

/**
 * stats_log_features() - The features registered, and their state
 */
static void stats_log_features(void)
{
	int w = STATS_LABEL_W - 4;
	unsigned i;

	if (!stats_nfeats) {
		stats_line("  features: none registered");
		return;
	}
	stats_line("  features");
	for (i = 0; i < stats_nfeats; i++)
		stats_line("    %-*s  %s", w, stats_feats[i].name,
			   stats_feats[i].state);
}

/**
 * stats_log_machine() - Every non-zero counter as name=value, for scripts,
 *			 after cpu_us, the CPU time this process took so far
 *
 * cpu_us is no counter of ours: the kernel's, to the microsecond, where
 * /proc/PID/stat has 10 ms ticks, too coarse to tell what a transfer of
 * some MiB cost.
 */
static void stats_log_machine(void)
{
	char buf[STATS_COUNTERS_W + 64];
	struct timespec t = { 0 };
	size_t len = 0;
	unsigned i;
	int n0;

	/* #syscalls clock_gettime */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	n0 = snprintf(buf, sizeof(buf), " cpu_us=%llu",
		      (unsigned long long)t.tv_sec * 1000000ULL +
		      (unsigned long long)t.tv_nsec / 1000);
	if (n0 > 0 && (size_t)n0 < sizeof(buf))
		len = (size_t)n0;

	for (i = 0; i < STAT_COUNT; i++) {
		int n;

		if (!stats[i])
			continue;
		n = snprintf(buf + len, sizeof(buf) - len, " %s=%" PRIu64,
			     stats_descs[i].name, stats[i]);
		if (n < 0 || (size_t)n >= sizeof(buf) - len) {
			/* Cannot happen: names are short, lines are flushed */
			continue;
		}
		len += (size_t)n;
		if (len >= STATS_COUNTERS_W) {
			stats_line("  counters:%s", buf);
			len = 0;
		}
	}
	if (len)
		stats_line("  counters:%s", buf);
}

/**
 * stats_log() - Log the statistics table, at notice level
 * @what:	Reason for the dump, in the headline ("SIGUSR1", "periodic")
 * @counters:	Follow it with every non-zero counter as name=value
 */
void stats_log(const char *what, bool counters)
{
	stats_line("statistics (%s):", what);
	stats_log_pairs(STATS_SEC_FLOWS);
	stats_log_pairs(STATS_SEC_TRAFFIC);
	stats_log_counts(STATS_SEC_LOCAL, "answered here");
	stats_log_counts(STATS_SEC_DROPS, "drops, by reason");
	stats_log_counts(STATS_SEC_TCP, "TCP");
	stats_log_counts(STATS_SEC_UDP, "UDP");
	stats_log_counts(STATS_SEC_OTHER, "other");
	stats_log_features();
	if (counters)
		stats_log_machine();
}
