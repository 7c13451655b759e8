// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: fwd_spec.c inany.c */
/* test_fwd_spec.c - unit tests for fwd_parse_spec(), fwd_port_is_forwarded()
 *
 * Each error case checks three things: -EINVAL, a message holding the
 * offending text, and a struct fwd_ports left exactly as it was.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "inany.h"
#include "fwd.h"

#define ERRLEN	256

static struct fwd_ports fp;
static struct fwd_ports before;
static char errbuf[ERRLEN];

/**
 * setup() - Start each test with an empty configuration
 * @state:	Unused
 *
 * Return: 0
 */
static int setup(void **state)
{
	(void)state;
	memset(&fp, 0, sizeof(fp));
	memset(errbuf, 0, sizeof(errbuf));
	return 0;
}

/**
 * ok() - Parse a spec that must be accepted
 * @spec:	Spec
 * @allow_auto:	Accept "auto"
 */
static void ok(const char *spec, bool allow_auto)
{
	int rc;

	errbuf[0] = '\0';
	rc = fwd_parse_spec(&fp, spec, allow_auto, errbuf, sizeof(errbuf));
	if (rc)
		fail_msg("'%s' rejected (%d): %s", spec, rc, errbuf);
}

/**
 * bad() - Parse a spec that must be rejected, without touching @fp
 * @spec:	Spec
 * @allow_auto:	Accept "auto"
 * @want:	Text the message must contain
 */
static void bad(const char *spec, bool allow_auto, const char *want)
{
	int rc;

	memcpy(&before, &fp, sizeof(fp));
	errbuf[0] = '\0';
	rc = fwd_parse_spec(&fp, spec, allow_auto, errbuf, sizeof(errbuf));
	if (rc != -EINVAL)
		fail_msg("'%s' gave %d, not -EINVAL", spec, rc);
	if (!strstr(errbuf, want))
		fail_msg("'%s': message '%s' lacks '%s'", spec, errbuf, want);
	if (memcmp(&before, &fp, sizeof(fp)))
		fail_msg("'%s': rejected, but changed the configuration", spec);
}

/**
 * bad_quoted() - Parse a spec that must be rejected, message quoting @quote
 * @spec:	Spec
 * @quote:	Text that must appear in single quotes in the message
 */
static void bad_quoted(const char *spec, const char *quote)
{
	char want[ERRLEN];

	snprintf(want, sizeof(want), "'%s'", quote);
	bad(spec, true, want);
}

/**
 * check_rule() - Check ports and binding of a rule
 * @i:		Index of the rule
 * @first:	Expected first port
 * @last:	Expected last port
 * @to:		Expected target of @first
 * @addr:	Expected address, NULL for none
 * @ifname:	Expected interface name, "" for none
 */
static void check_rule(unsigned i, uint16_t first, uint16_t last,
		       uint16_t to, const char *addr, const char *ifname)
{
	const struct fwd_rule *r = &fp.rules[i];
	union inany_addr a;

	assert_true(i < fp.n_rules);
	assert_int_equal(r->first, first);
	assert_int_equal(r->last, last);
	assert_int_equal(r->to, to);
	assert_string_equal(r->ifname, ifname);

	if (!addr) {
		union inany_addr zero;

		memset(&zero, 0, sizeof(zero));
		assert_int_equal(r->af, AF_UNSPEC);
		assert_memory_equal(&r->addr, &zero, sizeof(zero));
		return;
	}

	assert_true(inany_pton(addr, &a) > 0);
	assert_int_equal(r->af, inany_af(&a));
	assert_true(inany_equals(&r->addr, &a));
}

/**
 * check_excluded() - Check the exclude bitmap over a range of ports
 * @first:	First port
 * @last:	Last port
 * @want:	Expected state of each port in the range
 */
static void check_excluded(unsigned first, unsigned last, bool want)
{
	unsigned p;

	for (p = first; p <= last; p++) {
		if (fwd_port_excluded(&fp, (uint16_t)p) != want)
			fail_msg("port %u %sexcluded", p, want ? "not " : "");
	}
}

/**
 * count_excluded() - Count ports set in the exclude bitmap
 *
 * Return: count
 */
static unsigned count_excluded(void)
{
	unsigned p, n = 0;

	for (p = 0; p < NUM_PORTS; p++)
		n += fwd_port_excluded(&fp, (uint16_t)p);
	return n;
}

/* Mode words */

static void test_none(void **state)
{
	(void)state;
	ok("none", false);
	assert_int_equal(fp.mode, FWD_NONE);
	assert_int_equal(fp.n_rules, 0);
	assert_int_equal(count_excluded(), 0);
}

static void test_none_after_spec(void **state)
{
	(void)state;
	ok("22", false);
	bad("none", false, "'none' can't be combined with other port specs");
}

static void test_none_after_exclusion(void **state)
{
	(void)state;
	ok("~22", false);
	bad("none", false, "'none' can't be combined with other port specs");
}

static void test_spec_after_none(void **state)
{
	(void)state;
	ok("none", false);
	bad("22", false, "'none' can't be combined with other port specs");
	bad("~22", false, "'~22'");
	bad("all", false, "'all'");
	bad("auto", true, "'auto'");
	bad("none", false, "'none' can't be combined");
	assert_int_equal(fp.mode, FWD_NONE);
}

static void test_auto(void **state)
{
	(void)state;
	ok("auto", true);
	assert_int_equal(fp.mode, FWD_AUTO);
	assert_int_equal(fp.n_rules, 0);
}

static void test_auto_passt(void **state)
{
	(void)state;
	bad("auto", false, "'auto' is only valid for pasta");
	assert_int_equal(fp.mode, FWD_UNSET);
}

static void test_all(void **state)
{
	(void)state;
	ok("all", false);
	assert_int_equal(fp.mode, FWD_ALL);
	assert_int_equal(fp.n_rules, 0);
	assert_int_equal(count_excluded(), 0);
}

static void test_mode_word_conflicts(void **state)
{
	(void)state;
	ok("22", true);
	bad("all", true, "'all' can't be combined with other port specs");
	bad("auto", true, "'auto' can't be combined with other port specs");

	setup(NULL);
	ok("all", true);
	bad("auto", true, "'auto' can't be combined");
	bad("all", true, "'all' can't be combined");

	setup(NULL);
	ok("auto", true);
	bad("all", true, "'all' can't be combined");
}

static void test_unknown_word(void **state)
{
	(void)state;
	bad_quoted("foo", "foo");
	bad_quoted("ALL", "ALL");
	bad_quoted("None", "None");
	bad_quoted("auto ", "auto ");
	bad_quoted("a-b", "a-b");
	bad_quoted("x22", "x22");
	bad_quoted("1.2.3.4/all", "all");
	bad_quoted("22,all", "all");
}

/* Port lists */

static void test_single(void **state)
{
	(void)state;
	ok("22", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 1);
	check_rule(0, 22, 22, 22, NULL, "");
	assert_int_equal(count_excluded(), 0);
}

static void test_range(void **state)
{
	(void)state;
	ok("1000-1005", false);
	ok("5-5", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 2);
	check_rule(0, 1000, 1005, 1000, NULL, "");
	check_rule(1, 5, 5, 5, NULL, "");
}

static void test_remap(void **state)
{
	(void)state;
	ok("80:8080", false);
	ok("1000-1005:2000-2005", false);
	ok("2000-2001:1-2", false);
	ok("7:7-7", false);
	assert_int_equal(fp.n_rules, 4);
	check_rule(0, 80, 80, 8080, NULL, "");
	check_rule(1, 1000, 1005, 2000, NULL, "");
	check_rule(2, 2000, 2001, 1, NULL, "");
	check_rule(3, 7, 7, 7, NULL, "");
}

static void test_bounds(void **state)
{
	(void)state;
	ok("1,65535,65535:1,1-65535,1-65535:1-65535,0022", false);
	assert_int_equal(fp.n_rules, 6);
	check_rule(0, 1, 1, 1, NULL, "");
	check_rule(1, 65535, 65535, 65535, NULL, "");
	check_rule(2, 65535, 65535, 1, NULL, "");
	check_rule(3, 1, 65535, 1, NULL, "");
	check_rule(4, 1, 65535, 1, NULL, "");
	check_rule(5, 22, 22, 22, NULL, "");
}

static void test_list(void **state)
{
	(void)state;
	ok("22,80-81,443:8443,1000-1001:2000-2001", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 4);
	check_rule(0, 22, 22, 22, NULL, "");
	check_rule(1, 80, 81, 80, NULL, "");
	check_rule(2, 443, 443, 8443, NULL, "");
	check_rule(3, 1000, 1001, 2000, NULL, "");
}

static void test_accumulate(void **state)
{
	(void)state;
	ok("22", false);
	ok("127.0.0.1/80", false);
	ok("22", false);	/* overlapping rules are accepted */
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 3);
	check_rule(0, 22, 22, 22, NULL, "");
	check_rule(1, 80, 80, 80, "127.0.0.1", "");
	check_rule(2, 22, 22, 22, NULL, "");
}

/* Exclusions */

static void test_exclude_only(void **state)
{
	(void)state;
	ok("~25", false);
	assert_int_equal(fp.mode, FWD_ALL);
	assert_int_equal(fp.n_rules, 0);
	check_excluded(25, 25, true);
	assert_int_equal(count_excluded(), 1);
}

static void test_exclude_only_list(void **state)
{
	(void)state;
	ok("~10-20,~30", false);
	assert_int_equal(fp.mode, FWD_ALL);
	assert_int_equal(fp.n_rules, 0);
	check_excluded(10, 20, true);
	check_excluded(30, 30, true);
	check_excluded(9, 9, false);
	check_excluded(21, 29, false);
	check_excluded(31, 31, false);
	assert_int_equal(count_excluded(), 12);

	ok("~1,~65535", false);
	assert_int_equal(fp.mode, FWD_ALL);
	check_excluded(1, 1, true);
	check_excluded(65535, 65535, true);
	check_excluded(0, 0, false);
	assert_int_equal(count_excluded(), 14);
}

static void test_exclude_mixed(void **state)
{
	uint16_t to;
	unsigned p;

	(void)state;
	ok("5-25,~10-20", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 1);
	check_rule(0, 5, 25, 5, NULL, "");
	check_excluded(10, 20, true);
	assert_int_equal(count_excluded(), 11);

	for (p = 1; p < NUM_PORTS; p++) {
		bool want = (p >= 5 && p <= 9) || (p >= 21 && p <= 25);

		to = 0;
		assert_int_equal(fwd_port_is_forwarded(&fp, (uint16_t)p, &to),
				 want);
		if (want)
			assert_int_equal(to, p);
	}
}

static void test_exclude_first(void **state)
{
	(void)state;
	ok("~10-20,5-25", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 1);
	check_rule(0, 5, 25, 5, NULL, "");
	check_excluded(10, 20, true);
	assert_int_equal(count_excluded(), 11);
}

static void test_exclude_later(void **state)
{
	(void)state;
	ok("20-30", false);
	ok("~25", false);
	assert_int_equal(fp.mode, FWD_SPEC);
	assert_int_equal(fp.n_rules, 1);
	check_excluded(25, 25, true);
	assert_false(fwd_port_is_forwarded(&fp, 25, NULL));
	assert_true(fwd_port_is_forwarded(&fp, 24, NULL));

	setup(NULL);
	ok("all", false);
	ok("~22", false);
	assert_int_equal(fp.mode, FWD_ALL);
	check_excluded(22, 22, true);

	setup(NULL);
	ok("auto", true);
	ok("~22,~53", true);
	assert_int_equal(fp.mode, FWD_AUTO);
	check_excluded(22, 22, true);
	check_excluded(53, 53, true);
	assert_int_equal(count_excluded(), 2);

	/* Mode words come first, even if "all" would change nothing here */
	setup(NULL);
	ok("~22", false);
	bad("all", false, "'all' can't be combined");
	bad("auto", true, "'auto' can't be combined");
	assert_int_equal(fp.mode, FWD_ALL);
	check_excluded(22, 22, true);
}

static void test_ports_after_all(void **state)
{
	(void)state;
	ok("all", true);
	bad("22", true, "'22'");

	setup(NULL);
	ok("auto", true);
	bad("22", true, "'auto'");
	bad("1.2.3.4/~5,22", true, "'1.2.3.4/~5,22'");

	/* An exclusion-only spec means "all": ports can't follow it */
	setup(NULL);
	ok("~25", true);
	bad("22", true, "'22'");
	assert_int_equal(fp.mode, FWD_ALL);
}

static void test_exclude_with_bind(void **state)
{
	(void)state;
	bad_quoted("1.2.3.4/~22", "1.2.3.4/~22");
	bad_quoted("%eth0/~22,~23", "%eth0/~22,~23");
	assert_int_equal(fp.mode, FWD_UNSET);

	/* Fine with at least one port: the exclusion is global */
	ok("1.2.3.4/20-30,~25", false);
	check_rule(0, 20, 30, 20, "1.2.3.4", "");
	check_excluded(25, 25, true);
}

/* Addresses and interfaces */

static void test_addr4(void **state)
{
	(void)state;
	ok("127.0.0.1/22", false);
	ok("0.0.0.0/23", false);
	check_rule(0, 22, 22, 22, "127.0.0.1", "");
	assert_int_equal(fp.rules[0].af, AF_INET);
	assert_true(inany_equals(&fp.rules[0].addr, &inany_loopback4));
	check_rule(1, 23, 23, 23, "0.0.0.0", "");
	assert_int_equal(fp.rules[1].af, AF_INET);
	assert_true(inany_equals(&fp.rules[1].addr, &inany_any4));
}

static void test_addr6(void **state)
{
	(void)state;
	ok("::1/22", false);
	ok("[::1]/23", false);
	ok("2001:db8::1/1000-1001:2000-2001", false);
	ok("[2001:db8::2]/5,6", false);
	ok("::/7", false);
	assert_int_equal(fp.n_rules, 6);
	check_rule(0, 22, 22, 22, "::1", "");
	assert_int_equal(fp.rules[0].af, AF_INET6);
	assert_true(inany_equals(&fp.rules[0].addr, &inany_loopback6));
	check_rule(1, 23, 23, 23, "::1", "");
	check_rule(2, 1000, 1001, 2000, "2001:db8::1", "");
	check_rule(3, 5, 5, 5, "2001:db8::2", "");
	check_rule(4, 6, 6, 6, "2001:db8::2", "");
	check_rule(5, 7, 7, 7, "::", "");
	assert_int_equal(fp.rules[5].af, AF_INET6);
}

static void test_addr_v4mapped(void **state)
{
	(void)state;
	ok("::ffff:1.2.3.4/22", false);
	check_rule(0, 22, 22, 22, "1.2.3.4", "");
	assert_int_equal(fp.rules[0].af, AF_INET);
}

static void test_ifname(void **state)
{
	(void)state;
	ok("%lo/22", false);
	ok("1.2.3.4%eth0/80,443:8443", false);
	ok("fe80::1%eth1/53", false);
	ok("[fe80::2]%eth2/54", false);
	ok("%abcdefghijklmno/55", false);	/* IFNAMSIZ - 1 */
	assert_int_equal(fp.n_rules, 6);
	check_rule(0, 22, 22, 22, NULL, "lo");
	check_rule(1, 80, 80, 80, "1.2.3.4", "eth0");
	check_rule(2, 443, 443, 8443, "1.2.3.4", "eth0");
	check_rule(3, 53, 53, 53, "fe80::1", "eth1");
	check_rule(4, 54, 54, 54, "fe80::2", "eth2");
	check_rule(5, 55, 55, 55, NULL, "abcdefghijklmno");
}

static void test_bad_addr(void **state)
{
	(void)state;
	bad("1.2.3/80", false, "Bad address '1.2.3' in '1.2.3/80'");
	bad_quoted("a.b.c.d/22", "a.b.c.d");
	bad_quoted("1.2.3.4/5/22", "1.2.3.4/5");
	bad_quoted("256.1.1.1/22", "256.1.1.1");
	bad_quoted("[1.2.3.4]/22", "[1.2.3.4]");
	bad_quoted("[::1/22", "[::1");
	bad_quoted("::1]/22", "::1]");
	bad_quoted("[]/22", "[]");
	bad_quoted("[[::1]]/22", "[[::1]]");
	bad_quoted(":::1/22", ":::1");
	bad_quoted("1:2:3:4:5:6:7:8:9/22", "1:2:3:4:5:6:7:8:9");
	bad_quoted("0000:0000:0000:0000:0000:0000:0000:0000:0000:0001/22",
		   "0000:0000:0000:0000:0000:0000:0000:0000:0000:0001");
	bad_quoted(" 1.2.3.4/22", " 1.2.3.4");
	bad_quoted("1.2.3.4 /22", "1.2.3.4 ");
}

static void test_missing_addr(void **state)
{
	(void)state;
	bad("/22", false, "'/22'");
	bad("/", false, "'/'");
	bad("//22", false, "'/'");
}

static void test_bad_ifname(void **state)
{
	(void)state;
	bad("%abcdefghijklmnop/22", false,
	    "Interface name too long in '%abcdefghijklmnop/22'");
	bad("1.2.3.4%abcdefghijklmnop/22", false,
	    "Interface name too long in '1.2.3.4%abcdefghijklmnop/22'");
	bad("1.2.3.4%/22", false, "'1.2.3.4%/22'");
	bad("%/22", false, "'%/22'");
	bad_quoted("1.2.3.4%a:b/22", "a:b");
	bad_quoted("%a b/22", "a b");
	bad_quoted("%a\tb/22", "a\tb");
	bad_quoted("%./22", ".");
	bad_quoted("%../22", "..");
	bad_quoted("1.2.3.4%eth0/5/22", "eth0/5");
	bad_quoted("%a%b/22", "a%b");
}

static void test_empty_list(void **state)
{
	(void)state;
	bad("1.2.3.4/", false, "'1.2.3.4/'");
	bad("%lo/", false, "'%lo/'");
	bad("", false, "''");
}

/* Malformed items */

static void test_empty_item(void **state)
{
	(void)state;
	bad("22,,23", false, "'22,,23'");
	bad("22,", false, "'22,'");
	bad(",22", false, "',22'");
	bad(",", false, "','");
	bad("1.2.3.4/22,", false, "'1.2.3.4/22,'");
}

static void test_garbage(void **state)
{
	(void)state;
	bad("22x", false, "Invalid port range '22x'");
	bad_quoted("-5", "-5");
	bad_quoted("5-", "5-");
	bad_quoted("5--6", "5--6");
	bad_quoted("5-6-7", "5-6-7");
	bad_quoted("+22", "+22");
	bad_quoted(" 22", " 22");
	bad_quoted("22 ", "22 ");
	bad_quoted("0x16", "0x16");
	bad_quoted("22:", "22:");
	bad_quoted(":22", ":22");
	bad_quoted("5:6:7", "5:6:7");
	bad_quoted("5:6-", "5:6-");
	bad_quoted("~", "~");
	bad_quoted("~~5", "~~5");
	bad_quoted("5~", "5~");
	bad_quoted("22;23", "22;23");
	bad_quoted("2.2", "2.2");
	bad("22,23x", false, "Invalid port range '23x' in '22,23x'");
	bad("1.2.3.4/22x", false, "Invalid port range '22x' in '1.2.3.4/22x'");
	bad("~5,22x", false, "'22x'");
}

static void test_port_range_limits(void **state)
{
	(void)state;
	bad("70000", false, "Invalid port range '70000'");
	bad_quoted("65536", "65536");
	bad_quoted("0", "0");
	bad_quoted("00", "00");
	bad_quoted("0-5", "0-5");
	bad_quoted("5-0", "5-0");
	bad_quoted("5-65536", "5-65536");
	bad_quoted("80:0", "80:0");
	bad_quoted("80:70000", "80:70000");
	bad_quoted("~0", "~0");
	bad_quoted("~65536", "~65536");
	bad_quoted("99999999999999999999999", "99999999999999999999999");
	bad_quoted("4294967318", "4294967318");	/* 2^32 + 22 */
}

static void test_reversed(void **state)
{
	(void)state;
	bad_quoted("20-10", "20-10");
	bad_quoted("~20-10", "~20-10");
	bad_quoted("10-20:30-25", "10-20:30-25");
	bad("22,20-10", false, "'20-10'");
}

static void test_remap_mismatch(void **state)
{
	(void)state;
	bad_quoted("1000-1005:2000-2004", "1000-1005:2000-2004");
	bad_quoted("1000-1005:2000", "1000-1005:2000");
	bad_quoted("80:81-82", "80:81-82");
	bad_quoted("65000-65535:1-535", "65000-65535:1-535");
}

static void test_exclude_target(void **state)
{
	(void)state;
	bad_quoted("~22:23", "~22:23");
	bad_quoted("~10-20:30-40", "~10-20:30-40");
}

/* Limits */

static void test_too_many_calls(void **state)
{
	char spec[16];
	unsigned i;

	(void)state;
	for (i = 0; i < FWD_RULES_MAX; i++) {
		snprintf(spec, sizeof(spec), "%u", i + 1);
		ok(spec, false);
	}
	assert_int_equal(fp.n_rules, FWD_RULES_MAX);
	check_rule(FWD_RULES_MAX - 1, FWD_RULES_MAX, FWD_RULES_MAX,
		   FWD_RULES_MAX, NULL, "");

	bad("1000", false, "Too many port forwarding rules");
	bad("1000", false, "'1000'");

	/* Exclusions take no rule */
	ok("~1000", false);
	assert_int_equal(fp.n_rules, FWD_RULES_MAX);
}

static void test_too_many_one_spec(void **state)
{
	char spec[FWD_RULES_MAX * 8];
	size_t off = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < FWD_RULES_MAX + 1; i++) {
		off += (size_t)snprintf(spec + off, sizeof(spec) - off, "%s%u",
					i ? "," : "", i + 1);
	}
	bad(spec, false, "Too many port forwarding rules");
	bad(spec, false, "'129'");
	assert_int_equal(fp.mode, FWD_UNSET);
	assert_int_equal(fp.n_rules, 0);

	/* Without the last item, it fits exactly */
	*strrchr(spec, ',') = '\0';
	ok(spec, false);
	assert_int_equal(fp.n_rules, FWD_RULES_MAX);
}

static void test_too_many_partial(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < FWD_RULES_MAX - 1; i++)
		ok("22", false);

	/* Only one of these two would fit: neither is added */
	bad("~7,1,2", false, "'2'");
	assert_int_equal(fp.n_rules, FWD_RULES_MAX - 1);
	check_excluded(7, 7, false);
	ok("1", false);
	assert_int_equal(fp.n_rules, FWD_RULES_MAX);
}

/* Atomicity and error buffer */

static void test_atomic(void **state)
{
	(void)state;
	bad("22,23x", false, "'23x'");
	assert_int_equal(fp.mode, FWD_UNSET);
	assert_int_equal(fp.n_rules, 0);

	bad("~5,~6-", false, "'~6-'");
	assert_int_equal(count_excluded(), 0);
	assert_int_equal(fp.mode, FWD_UNSET);

	ok("80", false);
	bad("1.2.3.4/90,~91,92-", false, "'92-'");
	assert_int_equal(fp.n_rules, 1);
	assert_int_equal(count_excluded(), 0);
}

static void test_errbuf(void **state)
{
	char small[8];

	(void)state;
	assert_int_equal(fwd_parse_spec(&fp, "22x", false, NULL, 0), -EINVAL);
	assert_int_equal(fwd_parse_spec(&fp, "22x", false, small, 0), -EINVAL);

	memset(small, 'X', sizeof(small));
	assert_int_equal(fwd_parse_spec(&fp, "22x", false, small,
					 sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);

	assert_int_equal(fwd_parse_spec(&fp, "22", false, NULL, 0), 0);
	assert_int_equal(fp.n_rules, 1);
}

/* fwd_port_is_forwarded() */

static void test_forwarded_modes(void **state)
{
	uint16_t to = 0;

	(void)state;
	assert_false(fwd_port_is_forwarded(&fp, 22, &to));	/* unset */

	ok("none", false);
	assert_false(fwd_port_is_forwarded(&fp, 22, &to));

	setup(NULL);
	ok("all", false);
	ok("~23", false);
	assert_true(fwd_port_is_forwarded(&fp, 22, &to));
	assert_int_equal(to, 22);
	assert_false(fwd_port_is_forwarded(&fp, 23, &to));
	assert_false(fwd_port_is_forwarded(&fp, 0, &to));
	assert_true(fwd_port_is_forwarded(&fp, 65535, NULL));

	setup(NULL);
	ok("auto", true);
	assert_true(fwd_port_is_forwarded(&fp, 8080, &to));
	assert_int_equal(to, 8080);
}

static void test_forwarded_spec(void **state)
{
	uint16_t to = 0;

	(void)state;
	ok("1000-1005:2000-2005,80:8080", false);
	ok("1003:3003,65535:1", false);	/* overlaps: the first rule wins */

	assert_true(fwd_port_is_forwarded(&fp, 1000, &to));
	assert_int_equal(to, 2000);
	assert_true(fwd_port_is_forwarded(&fp, 1003, &to));
	assert_int_equal(to, 2003);
	assert_true(fwd_port_is_forwarded(&fp, 1005, &to));
	assert_int_equal(to, 2005);
	assert_true(fwd_port_is_forwarded(&fp, 80, &to));
	assert_int_equal(to, 8080);
	assert_true(fwd_port_is_forwarded(&fp, 65535, &to));
	assert_int_equal(to, 1);
	assert_true(fwd_port_is_forwarded(&fp, 80, NULL));

	to = 7;
	assert_false(fwd_port_is_forwarded(&fp, 999, &to));
	assert_false(fwd_port_is_forwarded(&fp, 1006, &to));
	assert_false(fwd_port_is_forwarded(&fp, 81, &to));
	assert_false(fwd_port_is_forwarded(&fp, 0, &to));
	assert_int_equal(to, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_none, setup),
		cmocka_unit_test_setup(test_none_after_spec, setup),
		cmocka_unit_test_setup(test_none_after_exclusion, setup),
		cmocka_unit_test_setup(test_spec_after_none, setup),
		cmocka_unit_test_setup(test_auto, setup),
		cmocka_unit_test_setup(test_auto_passt, setup),
		cmocka_unit_test_setup(test_all, setup),
		cmocka_unit_test_setup(test_mode_word_conflicts, setup),
		cmocka_unit_test_setup(test_unknown_word, setup),
		cmocka_unit_test_setup(test_single, setup),
		cmocka_unit_test_setup(test_range, setup),
		cmocka_unit_test_setup(test_remap, setup),
		cmocka_unit_test_setup(test_bounds, setup),
		cmocka_unit_test_setup(test_list, setup),
		cmocka_unit_test_setup(test_accumulate, setup),
		cmocka_unit_test_setup(test_exclude_only, setup),
		cmocka_unit_test_setup(test_exclude_only_list, setup),
		cmocka_unit_test_setup(test_exclude_mixed, setup),
		cmocka_unit_test_setup(test_exclude_first, setup),
		cmocka_unit_test_setup(test_exclude_later, setup),
		cmocka_unit_test_setup(test_ports_after_all, setup),
		cmocka_unit_test_setup(test_exclude_with_bind, setup),
		cmocka_unit_test_setup(test_addr4, setup),
		cmocka_unit_test_setup(test_addr6, setup),
		cmocka_unit_test_setup(test_addr_v4mapped, setup),
		cmocka_unit_test_setup(test_ifname, setup),
		cmocka_unit_test_setup(test_bad_addr, setup),
		cmocka_unit_test_setup(test_missing_addr, setup),
		cmocka_unit_test_setup(test_bad_ifname, setup),
		cmocka_unit_test_setup(test_empty_list, setup),
		cmocka_unit_test_setup(test_empty_item, setup),
		cmocka_unit_test_setup(test_garbage, setup),
		cmocka_unit_test_setup(test_port_range_limits, setup),
		cmocka_unit_test_setup(test_reversed, setup),
		cmocka_unit_test_setup(test_remap_mismatch, setup),
		cmocka_unit_test_setup(test_exclude_target, setup),
		cmocka_unit_test_setup(test_too_many_calls, setup),
		cmocka_unit_test_setup(test_too_many_one_spec, setup),
		cmocka_unit_test_setup(test_too_many_partial, setup),
		cmocka_unit_test_setup(test_atomic, setup),
		cmocka_unit_test_setup(test_errbuf, setup),
		cmocka_unit_test_setup(test_forwarded_modes, setup),
		cmocka_unit_test_setup(test_forwarded_spec, setup),
	};

	return cmocka_run_group_tests_name("fwd_spec", tests, NULL, NULL);
}
