// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: log.c util.c */
/* test_log.c - unit tests for the log file (log.c)
 *
 * Numbered lines are logged into a small file until it was trimmed
 * several times; then the file must hold its header, and after it the
 * newest lines, whole, consecutive and in order, filling between half and
 * all of the limit. Once in the test's directory under /tmp (ext4 here)
 * and once on /dev/shm if that is a tmpfs.
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

#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "util.h"
#include "log.h"

#define TMPFS_MAGIC_	0x01021994
#define LIMIT		LOG_SIZE_MIN
#define LINES		5000	/* about 40 bytes each: five or more trims */

static char file_buf[LIMIT * 2];

/**
 * slurp() - Read a whole file into file_buf
 * @path:	File
 *
 * Return: bytes read
 */
static size_t slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(file_buf, 1, sizeof(file_buf) - 1, f);
	fclose(f);
	file_buf[n] = '\0';
	return n;
}

/**
 * header_pid() - The pid the header line of file_buf names
 *
 * Return: pid, or -1 if the first line isn't a header
 */
static long header_pid(void)
{
	static const char start[] = "passt " VERSION " log: executable ";
	const char *nl = strchr(file_buf, '\n'), *p;

	if (strncmp(file_buf, start, sizeof(start) - 1) != 0 || !nl)
		return -1;
	p = strstr(file_buf, ", pid ");
	if (!p || p > nl)
		return -1;
	return strtol(p + strlen(", pid "), NULL, 10);
}

/**
 * check_trimmed() - Log numbered lines into a file in @dir, check it
 * @dir:	Directory
 */
static void check_trimmed(const char *dir)
{
	unsigned i, next = 0, first = 0, lines = 0;
	char path[PATH_MAX];
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "%s/test_log.%d", dir, (int)getpid());
	log_init("passt");
	assert_int_equal(log_open_file(path, LIMIT), 0);
	for (i = 0; i < LINES; i++)
		info("numbered line %06u", i);

	len = slurp(path);
	unlink(path);
	assert_true(len <= LIMIT);
	assert_true(len >= LIMIT / 2);
	assert_int_equal(header_pid(), (long)getpid());
	assert_null(strstr(strchr(file_buf, '\n'), " log: executable "));

	/* After the header: whole lines, consecutive, the newest last */
	for (p = strchr(file_buf, '\n') + 1; *p; lines++) {
		const char *nl = strchr(p, '\n'), *num;
		unsigned n;

		assert_non_null(nl);
		num = strstr(p, ": numbered line ");
		assert_non_null(num);
		assert_true(num < nl);
		n = (unsigned)strtoul(num + strlen(": numbered line "), NULL,
				      10);
		if (lines)
			assert_int_equal(n, next);
		else
			first = n;
		next = n + 1;
		p = nl + 1;
	}
	assert_int_equal(next, LINES);
	/* Trimmed: the oldest lines are gone */
	assert_true(first > 0);
	assert_int_equal(lines, LINES - first);
}

/**
 * test_trim_disk() - Trimming on the file system of /tmp
 * @state:	Unused
 */
static void test_trim_disk(void **state)
{
	(void)state;
	check_trimmed("/tmp");
}

/**
 * test_trim_tmpfs() - Trimming on tmpfs, /dev/shm
 * @state:	Unused
 */
static void test_trim_tmpfs(void **state)
{
	struct statfs sf;

	(void)state;
	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC_)
		skip();
	check_trimmed("/dev/shm");
}

/**
 * test_header_pid() - A process forked to the background names itself in
 *		       the header, which keeps its place and length
 * @state:	Unused
 */
static void test_header_pid(void **state)
{
	size_t len, hdr;
	char path[PATH_MAX];
	int status;
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_log_pid.%d", (int)getpid());
	log_init("passt");
	assert_int_equal(log_open_file(path, LIMIT), 0);
	info("before fork");
	slurp(path);
	hdr = (size_t)(strchr(file_buf, '\n') - file_buf);

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		log_pid_update(getpid());
		info("child");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	len = slurp(path);
	unlink(path);
	assert_int_equal(header_pid(), (long)pid);
	assert_int_equal(strchr(file_buf, '\n') - file_buf, hdr);
	assert_non_null(strstr(file_buf, ": before fork\n"));
	assert_non_null(strstr(file_buf, ": child\n"));
	assert_true(len > hdr);
}

/**
 * test_not_seekable() - A log "file" that can't seek is written, not
 *			 trimmed
 * @state:	Unused
 */
static void test_not_seekable(void **state)
{
	unsigned i;

	(void)state;
	log_init("passt");
	assert_int_equal(log_open_file("/dev/null", LIMIT), 0);
	for (i = 0; i < LINES; i++)
		info("numbered line %06u", i);
	assert_true(log_has_file());
}

/**
 * main() - Run the tests
 *
 * Return: number of failures
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_disk),
		cmocka_unit_test(test_trim_tmpfs),
		cmocka_unit_test(test_header_pid),
		cmocka_unit_test(test_not_seekable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
