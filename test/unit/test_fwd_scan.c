// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: util.c log.c stats.c */
/* test_fwd_scan.c - unit tests for the /proc/net parser (fwd_scan.c)
 *
 * fwd_scan.c is included, so that its table of open files can be pointed
 * at temporary files with the content we want; ns_call() is a stub, as
 * these tests never look into a namespace.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../fwd_scan.c"

/**
 * ns_call() - Stub: no namespaces in unit tests
 * @netns_fd:	Unused
 * @fn:		Unused
 * @arg:	Unused
 *
 * Return: -ENOSYS
 */
int ns_call(int netns_fd, int (*fn)(void *arg), void *arg)
{
	(void)netns_fd;
	(void)fn;
	(void)arg;
	return -ENOSYS;
}

static const char tcp4[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
"   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n"
"   2: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n"
"   3: 0100007F:FFFF 00000000:0000 0a 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0\n"
"   4: garbage\n"
"   5: 0100007F:12345 00000000:0000 0A\n"
"   6: 0100007F:0050 00000000:0000 0A";	/* no newline: cut, skipped */

static const char tcp6[] =
"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0\n"
"   1: 00000000000000000000000000000000:0000 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0 100 0 0 10 0\n";

static const char udp4[] =
"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
"  1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7 2 0 0\n"
"  2: 0100007F:0036 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 8 2 0 0\n";

/**
 * tmp_fd() - A file with the given content, open for reading
 * @text:	Content
 * @len:	Length
 *
 * Return: descriptor
 */
static int tmp_fd(const char *text, size_t len)
{
	char path[] = "/tmp/test_fwd_scan.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	return fd;
}

/**
 * setup_files() - Point the host's files at our content
 * @state:	Unused
 *
 * Return: 0
 */
static int setup_files(void **state)
{
	(void)state;
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_TCP][0] = tmp_fd(tcp4,
							     strlen(tcp4));
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_TCP][1] = tmp_fd(tcp6,
							     strlen(tcp6));
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_UDP][0] = tmp_fd(udp4,
							     strlen(udp4));
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_UDP][1] = -1;
	return 0;
}

/**
 * count_bits() - Number of ports set in a bitmap
 * @map:	Bitmap
 *
 * Return: count
 */
static unsigned count_bits(const uint8_t *map)
{
	unsigned i, n = 0;

	for (i = 0; i < NUM_PORTS; i++)
		n += fwd_bitmap_isset(map, (uint16_t)i);
	return n;
}

/**
 * test_tcp_listen() - LISTEN lines of both families, and nothing else
 * @state:	Unused
 */
static void test_tcp_listen(void **state)
{
	static uint8_t map[NUM_PORTS / 8];
	struct ctx c = { .mode = MODE_PASST };

	(void)state;
	memset(map, 0xff, sizeof(map));	/* must be cleared */
	assert_int_equal(fwd_scan(&c, IPPROTO_TCP, PIF_HOST, map), 0);
	assert_true(fwd_bitmap_isset(map, 22));
	assert_true(fwd_bitmap_isset(map, 8080));
	assert_true(fwd_bitmap_isset(map, 65535));	/* lower-case state */
	assert_true(fwd_bitmap_isset(map, 631));	/* tcp6 */
	assert_false(fwd_bitmap_isset(map, 8081));	/* established */
	assert_false(fwd_bitmap_isset(map, 80));	/* cut last line */
	assert_false(fwd_bitmap_isset(map, 0));
	assert_int_equal(count_bits(map), 4);

	/* A second scan rewinds and finds the same */
	assert_int_equal(fwd_scan(&c, IPPROTO_TCP, PIF_HOST, map), 0);
	assert_int_equal(count_bits(map), 4);
}

/**
 * test_udp_bound() - Unconnected UDP sockets only
 * @state:	Unused
 */
static void test_udp_bound(void **state)
{
	static uint8_t map[NUM_PORTS / 8];
	struct ctx c = { .mode = MODE_PASST };

	(void)state;
	assert_int_equal(fwd_scan(&c, IPPROTO_UDP, PIF_HOST, map), 0);
	assert_true(fwd_bitmap_isset(map, 53));
	assert_false(fwd_bitmap_isset(map, 54));
	assert_int_equal(count_bits(map), 1);
}

/**
 * test_bad_args() - Namespace side outside pasta, unknown protocol
 * @state:	Unused
 */
static void test_bad_args(void **state)
{
	static uint8_t map[NUM_PORTS / 8];
	struct ctx c = { .mode = MODE_PASST };

	(void)state;
	assert_int_equal(fwd_scan(&c, IPPROTO_TCP, PIF_SPLICE, map), -EINVAL);
	assert_int_equal(fwd_scan(&c, IPPROTO_ICMP, PIF_HOST, map), -EINVAL);
}

/**
 * test_long_file() - Lines straddling buffer boundaries, an overlong line
 * @state:	Unused
 */
static void test_long_file(void **state)
{
	static char text[FWD_SCAN_BUF_SIZE * 3];
	static uint8_t map[NUM_PORTS / 8];
	struct ctx c = { .mode = MODE_PASST };
	size_t len = 0;
	unsigned port;
	int fd;

	(void)state;
	/* An overlong line first: skipped whole, not parsed in pieces */
	memset(text, 'x', FWD_SCAN_BUF_SIZE + 100);
	len = FWD_SCAN_BUF_SIZE + 100;
	len += (size_t)snprintf(text + len, sizeof(text) - len,
				" 0: 00000000:0001 00000000:0000 0A\n");
	for (port = 1000; len < sizeof(text) - 128; port++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%4u: 00000000:%04X 00000000:0000 0A 00000000:00000000\n",
					port, port);
	}
	fd = tmp_fd(text, len);
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_TCP][0] = fd;
	fwd_scan_fd[FWD_SCAN_HOST][FWD_SCAN_TCP][1] = -1;

	assert_int_equal(fwd_scan(&c, IPPROTO_TCP, PIF_HOST, map), 0);
	assert_false(fwd_bitmap_isset(map, 1));
	assert_int_equal(count_bits(map), port - 1000);
	assert_true(fwd_bitmap_isset(map, 1000));
	assert_true(fwd_bitmap_isset(map, (uint16_t)(port - 1)));
	close(fd);
}

/**
 * main() - Run the tests
 *
 * Return: number of failures
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tcp_listen, setup_files),
		cmocka_unit_test_setup(test_udp_bound, setup_files),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_long_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
