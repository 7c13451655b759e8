// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: stats.c log.c util.c */
/* test_stats.c - unit tests for the statistics table (stats.c)
 *
 * The list of counters is checked for what the table printer relies on,
 * then a block is logged to a file and read back: sections, rows, the
 * name=value lines, features; and stats_changed() is checked to say
 * whether anything moved.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"
#include "log.h"
#include "stats.h"

static char file_buf[65536];

/**
 * test_list() - Names unique, labels short, each A followed by its B
 * @state:	Unused
 */
static void test_list(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < STAT_COUNT; i++) {
		enum stats_col col = stats_col_of(i);

		assert_true(strlen(stats_name(i)) > 0);
		assert_null(strchr(stats_name(i), ' '));
		assert_null(strchr(stats_name(i), '='));
		assert_true(strlen(stats_label(i)) > 0);
		assert_true(strlen(stats_label(i)) <= 34);
		for (j = i + 1; j < STAT_COUNT; j++)
			assert_string_not_equal(stats_name(i), stats_name(j));

		if (col == STATS_COL_A) {
			assert_true(stats_section_of(i) == STATS_SEC_FLOWS ||
				    stats_section_of(i) == STATS_SEC_TRAFFIC);
			assert_true(i + 1 < STAT_COUNT);
			assert_int_equal(stats_col_of(i + 1), STATS_COL_B);
			assert_int_equal(stats_section_of(i + 1),
					 stats_section_of(i));
			assert_string_equal(stats_label(i + 1),
					    stats_label(i));
		} else if (col == STATS_COL_B) {
			assert_true(i > 0);
			assert_int_equal(stats_col_of(i - 1), STATS_COL_A);
		} else {
			assert_true(stats_section_of(i) != STATS_SEC_FLOWS);
		}
	}
}

/**
 * log_block() - Log a block to a fresh file, read it back into file_buf
 * @counters:	Ask for the name=value lines
 */
static void log_block(bool counters)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/tmp/test_stats.%d", (int)getpid());
	log_init("passt");
	assert_int_equal(log_open_file(path, LOG_SIZE_MIN), 0);
	stats_log("test", counters);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(file_buf, 1, sizeof(file_buf) - 1, f);
	fclose(f);
	unlink(path);
	file_buf[n] = '\0';
}

/**
 * has_line() - Is there a line, after its timestamp, matching exactly?
 * @text:	Line without the timestamp and its ": "
 *
 * Return: true if found
 */
static bool has_line(const char *text)
{
	const char *p;

	for (p = file_buf; (p = strstr(p, text)); p++) {
		if (p - file_buf >= 2 && p[-1] == ' ' && p[-2] == ':' &&
		    (p[strlen(text)] == '\n'))
			return true;
	}
	return false;
}

/**
 * test_table() - Sections, rows and numbers of a logged block
 * @state:	Unused
 */
static void test_table(void **state)
{
	char line[256];

	(void)state;
	memset(stats, 0, sizeof(stats));
	stats[STAT_FLOW_TCP_OPENED] = 5;
	stats[STAT_FLOW_TCP_CLOSED] = 3;
	stats[STAT_TAP_FRAMES_IN] = 1234;
	stats[STAT_TAP_FRAMES_OUT] = 99;
	stats[STAT_TAP_DROP_FRAG] = 7;
	stats[STAT_TCP_BYTES_SPLICED] = 42;
	stats_feature("SO_PEEK_OFF, IPv4", "in use");
	stats_feature("SO_PEEK_OFF, IPv4", "not supported");
	stats_feature("tap: virtio-net header", "in use");

	log_block(true);
	assert_non_null(strstr(file_buf, ": statistics (test):\n"));

	snprintf(line, sizeof(line), "  %-34s  %14s%14s%14s", "flows",
		 "active", "opened", "closed");
	assert_true(has_line(line));
	snprintf(line, sizeof(line), "    %-34s%14d%14d%14d", "TCP", 2, 5, 3);
	assert_true(has_line(line));
	snprintf(line, sizeof(line), "    %-34s%14d%14d%14d", "UDP", 0, 0, 0);
	assert_true(has_line(line));

	snprintf(line, sizeof(line), "  %-34s  %14s%14s", "traffic",
		 "guest->host", "host->guest");
	assert_true(has_line(line));
	snprintf(line, sizeof(line), "    %-34s%14d%14d",
		 "frames on the tap link", 1234, 99);
	assert_true(has_line(line));
	snprintf(line, sizeof(line), "    %-34s%14d  (both ways)",
		 "TCP bytes spliced", 42);
	assert_true(has_line(line));

	assert_true(has_line("  drops, by reason"));
	snprintf(line, sizeof(line), "    %-34s%14d", "IP fragment", 7);
	assert_true(has_line(line));
	assert_null(strstr(file_buf, "short frame"));
	assert_true(has_line("  answered here: none"));

	assert_true(has_line("  features"));
	snprintf(line, sizeof(line), "    %-34s  %s", "SO_PEEK_OFF, IPv4",
		 "not supported");
	assert_true(has_line(line));
	snprintf(line, sizeof(line), "    %-34s  %s", "tap: virtio-net header",
		 "in use");
	assert_true(has_line(line));

	assert_non_null(strstr(file_buf, " flows_tcp_opened=5"));
	assert_non_null(strstr(file_buf, " tap_frames_in=1234"));
	assert_non_null(strstr(file_buf, " drop_fragment=7"));
	assert_null(strstr(file_buf, "drop_short_frame="));

	/* Periodic blocks: the table only */
	log_block(false);
	assert_null(strstr(file_buf, "counters:"));
	assert_true(has_line("  features"));
}

/**
 * test_changed() - stats_changed(): first call, then only on changes
 * @state:	Unused
 */
static void test_changed(void **state)
{
	(void)state;
	memset(stats, 0, sizeof(stats));
	assert_true(stats_changed());
	assert_false(stats_changed());
	assert_false(stats_changed());
	stats_inc(STAT_ARP_REPLIES);
	assert_true(stats_changed());
	assert_false(stats_changed());
	stats_add(STAT_TAP_BYTES_IN, 0);
	assert_false(stats_changed());
}

/**
 * test_features_full() - More features than room: the rest are left out
 * @state:	Unused
 */
static void test_features_full(void **state)
{
	char name[32];
	unsigned i;

	(void)state;
	for (i = 0; i < STATS_FEATURES_MAX + 4; i++) {
		snprintf(name, sizeof(name), "feature %u", i);
		stats_feature(name, "on");
	}
	log_block(false);
	snprintf(name, sizeof(name), "feature %d ", STATS_FEATURES_MAX - 4);
	assert_non_null(strstr(file_buf, name));
	snprintf(name, sizeof(name), "feature %d ", STATS_FEATURES_MAX + 1);
	assert_null(strstr(file_buf, name));
}

/**
 * main() - Run the tests
 *
 * Return: number of failures
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_features_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
