// SPDX-License-Identifier: GPL-2.0-or-later
/* deps: conf.c fwd_spec.c util.c log.c inany.c netlink.c */
/* test_conf.c - unit tests for conf_parse(), conf_init_ctx() and
 *		 conf_read_resolv()
 *
 * Every option is given in each form getopt_long() takes: "--name=value",
 * "--name value", "-x value" and "-xvalue", and its effect on the context
 * checked. Every rejected value must give CONF_ERROR and a message that
 * names the option and quotes the value; rejections that are about the
 * option itself (wrong mode, exclusive pairs) must name the option.
 */

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "util.h"
#include "ctx.h"
#include "fwd.h"
#include "flow.h"
#include "conf.h"
#include "loop_poll.h"

#define ARGS_MAX	40
#define ARG_LEN		(PATH_MAX + 64)
#define CMDLINE_LEN	256

static struct ctx c;
static struct conf_given g;
static char err[CONF_ERR_LEN];
static char argbuf[ARGS_MAX][ARG_LEN];
static char *argv[ARGS_MAX + 1];
static int argc;
static char cmdline[CMDLINE_LEN];	/* for failure messages */

/* CHECK() - Assert, naming the command line that was parsed */
#define CHECK(expr)							\
	do {								\
		if (!(expr))						\
			fail_msg("%s: %s", cmdline, #expr);		\
	} while (0)

/**
 * enum only - Where an option is valid
 * @BOTH:	passt and pasta
 * @PASTA:	pasta only
 * @PASST:	passt only
 */
enum only {
	BOTH,
	PASTA,
	PASST,
};

/**
 * mode_name() - Program name for a mode
 * @pasta:	true for pasta
 *
 * Return: "pasta" or "passt"
 */
static const char *mode_name(bool pasta)
{
	return pasta ? "pasta" : "passt";
}

/**
 * args_reset() - Start a command line
 * @argv0:	Program name
 */
static void args_reset(const char *argv0)
{
	argc = 0;
	cmdline[0] = '\0';
	memset(argv, 0, sizeof(argv));
	snprintf(argbuf[argc], ARG_LEN, "%s", argv0);
	argv[argc] = argbuf[argc];
	argc++;
	snprintf(cmdline, sizeof(cmdline), "%s", argv0);
}

/**
 * args_add() - Append an argument, copied so conf_parse() may keep it
 * @a:		Argument
 */
static void args_add(const char *a)
{
	size_t l = strlen(cmdline);

	assert_true(argc < ARGS_MAX && strlen(a) < ARG_LEN);
	memcpy(argbuf[argc], a, strlen(a) + 1);
	argv[argc] = argbuf[argc];
	argc++;
	if (l + 2 < sizeof(cmdline))
		snprintf(cmdline + l, sizeof(cmdline) - l, " %.60s%s", a,
			 strlen(a) > 60 ? "..." : "");
}

/**
 * parse() - conf_init_ctx() and conf_parse() on the command line built
 *
 * Return: conf_parse() result
 */
static enum conf_result parse(void)
{
	conf_init_ctx(&c, argv[0]);
	memset(err, 'X', sizeof(err));
	return conf_parse(&c, &g, argc, argv, err, sizeof(err));
}

/**
 * run() - Parse a command line given as a NULL-terminated list
 * @argv0:	Program name
 *
 * Return: conf_parse() result
 */
static enum conf_result run(const char *argv0, ...)
{
	const char *a;
	va_list ap;

	args_reset(argv0);
	va_start(ap, argv0);
	while ((a = va_arg(ap, const char *)))
		args_add(a);
	va_end(ap);
	return parse();
}

/**
 * run_quiet() - run(), with stderr closed: getopt_long() complains there
 * @argv0:	Program name
 * @a1:		First argument
 * @a2:		Second argument, or NULL
 *
 * Return: conf_parse() result
 */
static enum conf_result run_quiet(const char *argv0, const char *a1,
				  const char *a2)
{
	enum conf_result rc;
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	rc = run(argv0, a1, a2, NULL);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return rc;
}

/**
 * form_args() - Build an option with a value in one of four forms
 * @argv0:	Program name
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 * @val:	Value
 * @form:	0: --name=value, 1: --name value, 2: -x value, 3: -xvalue
 *
 * Return: false if the form doesn't exist for the option (no short name),
 *	   or can't carry the value ("-x" and an empty value is "-x" alone)
 */
static bool form_args(const char *argv0, const char *lng, char shrt,
		      const char *val, int form)
{
	char opt[ARG_LEN];

	if ((form >= 2 && !shrt) || (form == 3 && !*val))
		return false;
	args_reset(argv0);
	switch (form) {
	case 0:
		snprintf(opt, sizeof(opt), "--%s=%s", lng, val);
		args_add(opt);
		break;
	case 1:
		snprintf(opt, sizeof(opt), "--%s", lng);
		args_add(opt);
		args_add(val);
		break;
	case 2:
		snprintf(opt, sizeof(opt), "-%c", shrt);
		args_add(opt);
		args_add(val);
		break;
	default:
		snprintf(opt, sizeof(opt), "-%c%s", shrt, val);
		args_add(opt);
		break;
	}
	return true;
}

/**
 * ok_forms() - An option value that must be taken in every form
 * @argv0:	Program name
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 * @val:	Value
 * @check:	Checks on the context after each, may be NULL
 */
static void ok_forms(const char *argv0, const char *lng, char shrt,
		     const char *val, void (*check)(void))
{
	int form;

	for (form = 0; form < 4; form++) {
		enum conf_result rc;

		if (!form_args(argv0, lng, shrt, val, form))
			continue;
		rc = parse();
		if (rc != CONF_OK)
			fail_msg("%s: result %d, '%s'", cmdline, rc, err);
		CHECK(!err[0]);
		if (check)
			check();
	}
}

/**
 * name_in() - Does a message name an option the way conf.c does?
 * @msg:	Message
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 *
 * Return: true if "-x/--name" (or "--name" for long-only options) is there
 */
static bool name_in(const char *msg, const char *lng, char shrt)
{
	char name[64];

	if (shrt)
		snprintf(name, sizeof(name), "-%c/--%s", shrt, lng);
	else
		snprintf(name, sizeof(name), "--%s", lng);
	return strstr(msg, name);
}

/**
 * quote_in() - Does a message quote a value?
 * @msg:	Message
 * @val:	Value: the whole of it in quotes, or if it is too long for
 *		the message buffer, its first 100 characters after a quote
 *
 * Return: true if quoted
 */
static bool quote_in(const char *msg, const char *val)
{
	char q[128];

	if (strlen(val) > 100) {
		snprintf(q, sizeof(q), "'%.100s", val);
		return strstr(msg, q);
	}
	snprintf(q, sizeof(q), "'%s'", val);
	return strstr(msg, q);
}

/**
 * bad_forms() - An option value that must be rejected in every form
 * @argv0:	Program name
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 * @val:	Value
 */
static void bad_forms(const char *argv0, const char *lng, char shrt,
		      const char *val)
{
	int form;

	for (form = 0; form < 4; form++) {
		enum conf_result rc;

		if (!form_args(argv0, lng, shrt, val, form))
			continue;
		rc = parse();
		if (rc != CONF_ERROR)
			fail_msg("%s: result %d, not CONF_ERROR", cmdline, rc);
		if (!name_in(err, lng, shrt))
			fail_msg("%s: message '%s' doesn't name the option",
				 cmdline, err);
		if (!quote_in(err, val))
			fail_msg("%s: message '%s' doesn't quote the value",
				 cmdline, err);
	}
}

/**
 * bad_both() - bad_forms() as pasta and as passt
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 * @val:	Value
 */
static void bad_both(const char *lng, char shrt, const char *val)
{
	bad_forms("pasta", lng, shrt, val);
	bad_forms("passt", lng, shrt, val);
}

/**
 * expect_error() - The last parse gave CONF_ERROR with a message holding
 *		    all the given strings
 * @rc:		Result of the parse
 * @...:	Strings, NULL-terminated
 */
static void expect_error(enum conf_result rc, ...)
{
	const char *s;
	va_list ap;

	if (rc != CONF_ERROR)
		fail_msg("%s: result %d, not CONF_ERROR", cmdline, rc);
	va_start(ap, rc);
	while ((s = va_arg(ap, const char *))) {
		if (!strstr(err, s))
			fail_msg("%s: message '%s' lacks '%s'", cmdline, err, s);
	}
	va_end(ap);
}

/**
 * expect_ok() - The last parse gave CONF_OK and no message
 * @rc:		Result of the parse
 */
static void expect_ok(enum conf_result rc)
{
	if (rc != CONF_OK)
		fail_msg("%s: result %d, '%s'", cmdline, rc, err);
	CHECK(!err[0]);
}

/**
 * long_str() - A string of @n copies of @ch
 * @buf:	Output, at least @n + 1 bytes
 * @n:		Length
 * @ch:		Character
 *
 * Return: @buf
 */
static char *long_str(char *buf, size_t n, char ch)
{
	memset(buf, ch, n);
	buf[n] = '\0';
	return buf;
}

/**
 * addr4() - Parse an IPv4 address literal for comparisons
 * @s:		Address
 *
 * Return: address
 */
static struct in_addr addr4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/**
 * addr6() - Parse an IPv6 address literal for comparisons
 * @s:		Address
 *
 * Return: address
 */
static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/**
 * eq4() - Is an IPv4 address the one written as @s?
 * @a:		Address
 * @s:		Literal
 *
 * Return: true if equal
 */
static bool eq4(const struct in_addr *a, const char *s)
{
	struct in_addr b = addr4(s);

	return in4_eq(a, &b);
}

/**
 * eq6() - Is an IPv6 address the one written as @s?
 * @a:		Address
 * @s:		Literal
 *
 * Return: true if equal
 */
static bool eq6(const struct in6_addr *a, const char *s)
{
	struct in6_addr b = addr6(s);

	return in6_eq(a, &b);
}

#define EQ4(field, s)	CHECK(eq4(&(field), s))
#define EQ6(field, s)	CHECK(eq6(&(field), s))

/* conf_init_ctx() */

/**
 * test_mode_from_argv0() - pasta* runs as pasta, anything else as passt
 * @state:	Unused
 */
static void test_mode_from_argv0(void **state)
{
	static const struct {
		const char *argv0;
		enum passt_mode mode;
	} cases[] = {
		{ "pasta",			MODE_PASTA },
		{ "/usr/bin/pasta",		MODE_PASTA },
		{ "./pasta.avx2",		MODE_PASTA },
		{ "passt",			MODE_PASST },
		{ "/usr/local/bin/passt",	MODE_PASST },
		{ "/opt/pasta/passt",		MODE_PASST },
		{ "qrap",			MODE_PASST },
		{ "",				MODE_PASST },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		conf_init_ctx(&c, cases[i].argv0);
		if (c.mode != cases[i].mode)
			fail_msg("'%s' gives mode %d", cases[i].argv0, c.mode);
	}
}

/**
 * test_init_defaults() - The context before any option
 * @state:	Unused
 */
static void test_init_defaults(void **state)
{
	(void)state;
	memset(&c, 0x5a, sizeof(c));
	conf_init_ctx(&c, "passt");
	assert_int_equal(c.mtu, MTU_DEFAULT);
	assert_int_equal(c.ip4.prefix_len, -1);
	assert_int_equal(c.ip6.prefix_len, -1);
	assert_int_equal(c.fd_tap, -1);
	assert_int_equal(c.fd_tap_listen, -1);
	assert_int_equal(c.fd_tap_given, -1);
	assert_int_equal(c.pidfile_fd, -1);
	assert_int_equal(c.epollfd, -1);
	assert_int_equal(c.pasta.netns_fd, -1);
	assert_int_equal(c.pasta.userns_fd, -1);
	assert_int_equal(c.flow_max, FLOW_MAX_DEFAULT);
	assert_int_equal(c.busy_poll_us, LOOP_POLL_MAX_DEFAULT);
	assert_int_equal(c.uid, getuid());
	assert_int_equal(c.gid, getgid());
	assert_non_null(c.fwd);
	assert_int_equal(c.fwd->tcp_in.mode, FWD_UNSET);
	assert_int_equal(c.fwd->tcp_in.n_rules, 0);
	assert_false(c.foreground || c.one_off || c.no_tcp);
	assert_int_equal(c.pidfile[0], '\0');
}

/**
 * test_no_options() - An empty command line is fine in both modes
 * @state:	Unused
 */
static void test_no_options(void **state)
{
	(void)state;
	expect_ok(run("pasta", NULL));
	CHECK(c.mode == MODE_PASTA && !c.pasta.argv && !c.pasta.attach_pid);
	expect_ok(run("passt", NULL));
	CHECK(c.mode == MODE_PASST);
}

/* Options without a value */

/**
 * struct flag_case - An option without a value and the flag it sets
 * @lng:	Long name
 * @shrt:	Short name, 0 if none
 * @only:	Where it is valid
 * @given:	Flag is in struct conf_given, else in struct ctx
 * @off:	Offset of the bool flag
 * @implies:	Long name of another case whose flag it also sets, or NULL
 */
struct flag_case {
	const char *lng;
	char shrt;
	enum only only;
	bool given;
	size_t off;
	const char *implies;
};

#define IN_C(f)		false, offsetof(struct ctx, f)
#define IN_G(f)		true, offsetof(struct conf_given, f)

static const struct flag_case flags[] = {
	{ "debug",		'd',	BOTH,	IN_G(debug),		NULL },
	{ "trace",		0,	BOTH,	IN_G(trace),		NULL },
	{ "quiet",		'q',	BOTH,	IN_G(quiet),		NULL },
	{ "foreground",		'f',	BOTH,	IN_C(foreground),	NULL },
	{ "stderr",		'e',	BOTH,	IN_G(stderr_too),	NULL },
	{ "dhcp-dns",		0,	BOTH,	IN_G(dhcp_dns),		NULL },
	{ "dhcp-search",	0,	BOTH,	IN_G(dhcp_search),	NULL },
	{ "no-dhcp-dns",	0,	BOTH,	IN_C(no_dhcp_dns),	"dhcp-dns" },
	{ "no-dhcp-search",	0,	BOTH,	IN_C(no_dhcp_search),	"dhcp-search" },
	{ "no-dhcp",		0,	BOTH,	IN_C(no_dhcp),		NULL },
	{ "no-ndp",		0,	BOTH,	IN_C(no_ndp),		NULL },
	{ "no-dhcpv6",		0,	BOTH,	IN_C(no_dhcpv6),	NULL },
	{ "no-ra",		0,	BOTH,	IN_C(no_ra),		NULL },
	{ "no-map-gw",		0,	BOTH,	IN_C(no_map_gw),	NULL },
	{ "ipv4-only",		'4',	BOTH,	IN_G(v4_only),		NULL },
	{ "ipv6-only",		'6',	BOTH,	IN_G(v6_only),		NULL },
	{ "no-tcp",		0,	BOTH,	IN_C(no_tcp),		NULL },
	{ "no-udp",		0,	BOTH,	IN_C(no_udp),		NULL },
	{ "no-icmp",		0,	BOTH,	IN_C(no_icmp),		NULL },
	{ "no-peek-off",	0,	BOTH,	IN_C(no_peek_off),	NULL },
	{ "config-net",		0,	PASTA,	IN_C(pasta.config_net),	NULL },
	{ "netns-only",		0,	PASTA,	IN_C(pasta.netns_only),	NULL },
	{ "no-netns-quit",	0,	PASTA,	IN_C(pasta.no_netns_quit), NULL },
	{ "host-lo-to-ns-lo",	0,	PASTA,	IN_G(host_lo_to_ns_lo),	NULL },
	{ "one-off",		'1',	PASST,	IN_C(one_off),		NULL },
	{ "freebind",		0,	BOTH,	IN_C(freebind),		NULL },
	{ "no-splice",		0,	PASTA,	IN_C(no_splice),	NULL },
	{ "no-copy-addrs",	0,	PASTA,	IN_C(ip4.no_copy_addrs), NULL },
};

/**
 * flag_of() - The flag a case sets, in the current context
 * @f:		Case
 *
 * Return: its value
 */
static bool flag_of(const struct flag_case *f)
{
	const char *base = f->given ? (const char *)&g : (const char *)&c;
	bool v;

	memcpy(&v, base + f->off, sizeof(v));
	return v;
}

/**
 * check_only_flag() - After giving flag @i: it is set, no other one is
 * @i:		Index in flags[]
 */
static void check_only_flag(unsigned i)
{
	unsigned j;

	if (!flag_of(&flags[i]))
		fail_msg("%s: %s not set", cmdline, flags[i].lng);
	for (j = 0; j < ARRAY_SIZE(flags); j++) {
		if (j == i || (flags[i].implies &&
			       !strcmp(flags[i].implies, flags[j].lng)))
			continue;
		if (flag_of(&flags[j]))
			fail_msg("%s: %s set too", cmdline, flags[j].lng);
	}
}

/**
 * test_flags() - Each option without a value, long and short, both modes
 * @state:	Unused
 */
static void test_flags(void **state)
{
	unsigned i;
	int pasta;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		const struct flag_case *f = &flags[i];
		char lng[64], shrt[4];

		snprintf(lng, sizeof(lng), "--%s", f->lng);
		snprintf(shrt, sizeof(shrt), "-%c", f->shrt);

		for (pasta = 0; pasta <= 1; pasta++) {
			bool valid = f->only == BOTH ||
				     (f->only == PASTA) == !!pasta;
			const char *where = f->only == PASTA ?
					    "only valid for pasta" :
					    "only valid for passt";
			enum conf_result rc;

			rc = run(mode_name(pasta), lng, NULL);
			if (valid) {
				expect_ok(rc);
				check_only_flag(i);
			} else {
				expect_error(rc, lng, where, NULL);
			}
			if (!f->shrt)
				continue;

			rc = run(mode_name(pasta), shrt, NULL);
			if (valid) {
				expect_ok(rc);
				check_only_flag(i);
			} else {
				expect_error(rc, lng, shrt, where, NULL);
			}
		}
	}
}

/**
 * test_flags_grouped() - Short options without a value, grouped
 * @state:	Unused
 */
static void test_flags_grouped(void **state)
{
	(void)state;
	expect_ok(run("passt", "-fe1", NULL));
	CHECK(c.foreground && g.stderr_too && c.one_off);
	expect_ok(run("pasta", "-df4", NULL));
	CHECK(g.debug && c.foreground && g.v4_only);
	/* A value may follow in the same group */
	expect_ok(run("pasta", "-fm1500", NULL));
	CHECK(c.foreground && c.mtu == 1500);
}

/**
 * test_flag_with_value() - "--flag=x" for an option without a value
 * @state:	Unused
 */
static void test_flag_with_value(void **state)
{
	(void)state;
	assert_int_equal(run_quiet("pasta", "--debug=1", NULL), CONF_ERROR);
	assert_int_equal(run_quiet("passt", "--no-tcp=yes", NULL), CONF_ERROR);
}

/**
 * test_dhcp_dns_last_wins() - --dhcp-dns and --no-dhcp-dns, in order
 * @state:	Unused
 */
static void test_dhcp_dns_last_wins(void **state)
{
	(void)state;
	expect_ok(run("pasta", "--no-dhcp-dns", "--dhcp-dns", NULL));
	CHECK(!c.no_dhcp_dns && g.dhcp_dns);
	expect_ok(run("pasta", "--dhcp-dns", "--no-dhcp-dns", NULL));
	CHECK(c.no_dhcp_dns && g.dhcp_dns);
	expect_ok(run("pasta", "--no-dhcp-search", "--dhcp-search", NULL));
	CHECK(!c.no_dhcp_search && g.dhcp_search);
	expect_ok(run("passt", "--dhcp-search", "--no-dhcp-search", NULL));
	CHECK(c.no_dhcp_search && g.dhcp_search);
}

/**
 * test_exact_long_match() - "--no-dhcp" is itself, not a prefix of more
 * @state:	Unused
 */
static void test_exact_long_match(void **state)
{
	(void)state;
	expect_ok(run("pasta", "--no-dhcp", NULL));
	CHECK(c.no_dhcp && !c.no_dhcp_dns && !c.no_dhcp_search &&
	      !c.no_dhcpv6);
	/* An unambiguous prefix is the option, as getopt_long() does */
	expect_ok(run("pasta", "--mt=1400", NULL));
	CHECK(c.mtu == 1400);
	assert_int_equal(run_quiet("pasta", "--no-dhcp-", NULL), CONF_ERROR);
}

/* Options with a value: logging, files */

/** check_log_file() - -l took /tmp/passt.log */
static void check_log_file(void)
{
	CHECK(!strcmp(g.log_file, "/tmp/passt.log"));
}

/**
 * test_log_file() - -l/--log-file
 * @state:	Unused
 */
static void test_log_file(void **state)
{
	char buf[PATH_MAX + 1];

	(void)state;
	ok_forms("pasta", "log-file", 'l', "/tmp/passt.log", check_log_file);
	ok_forms("passt", "log-file", 'l', "/tmp/passt.log", check_log_file);
	bad_forms("passt", "log-file", 'l', "");
	bad_both("log-file", 'l', long_str(buf, PATH_MAX, 'l'));
	/* One less: fits with its NUL */
	ok_forms("passt", "log-file", 'l', long_str(buf, PATH_MAX - 1, 'l'),
		 NULL);
}

/** check_log_size() - --log-size took 65536 */
static void check_log_size(void)
{
	CHECK(g.log_size == 65536);
}

/** check_log_size_hex() - --log-size took 0x100000 */
static void check_log_size_hex(void)
{
	CHECK(g.log_size == 0x100000);
}

/**
 * test_log_size() - --log-size, 64 KiB to 1 GiB, any base
 * @state:	Unused
 */
static void test_log_size(void **state)
{
	(void)state;
	ok_forms("passt", "log-size", 0, "65536", check_log_size);
	ok_forms("pasta", "log-size", 0, "0x100000", check_log_size_hex);
	ok_forms("pasta", "log-size", 0, "1073741824", NULL);
	bad_both("log-size", 0, "65535");
	bad_both("log-size", 0, "1073741825");
	bad_both("log-size", 0, "abc");
	bad_both("log-size", 0, "-1");
	bad_both("log-size", 0, "");
	bad_both("log-size", 0, "99999999999999999999");
}

/** check_pid() - -P took /run/p.pid */
static void check_pid(void)
{
	CHECK(!strcmp(c.pidfile, "/run/p.pid"));
}

/**
 * test_pid() - -P/--pid
 * @state:	Unused
 */
static void test_pid(void **state)
{
	char buf[PATH_MAX + 1];

	(void)state;
	ok_forms("pasta", "pid", 'P', "/run/p.pid", check_pid);
	ok_forms("passt", "pid", 'P', "/run/p.pid", check_pid);
	bad_both("pid", 'P', "");
	bad_both("pid", 'P', long_str(buf, PATH_MAX, 'p'));
}

/** check_pcap() - -p took /tmp/x.pcap */
static void check_pcap(void)
{
	CHECK(!strcmp(c.pcap, "/tmp/x.pcap"));
}

/**
 * test_pcap() - -p/--pcap
 * @state:	Unused
 */
static void test_pcap(void **state)
{
	char buf[PATH_MAX + 1];

	(void)state;
	ok_forms("pasta", "pcap", 'p', "/tmp/x.pcap", check_pcap);
	ok_forms("passt", "pcap", 'p', "/tmp/x.pcap", check_pcap);
	bad_both("pcap", 'p', "");
	bad_both("pcap", 'p', long_str(buf, PATH_MAX, 'c'));
}

/* Link and addresses */

/** check_mtu_1500() - -m took 1500 */
static void check_mtu_1500(void)
{
	CHECK(c.mtu == 1500 && g.mtu);
}

/** check_mtu_0() - -m took 0 */
static void check_mtu_0(void)
{
	CHECK(c.mtu == 0 && g.mtu);
}

/**
 * test_mtu() - -m/--mtu: 0, or 68 to 65520
 * @state:	Unused
 */
static void test_mtu(void **state)
{
	(void)state;
	ok_forms("pasta", "mtu", 'm', "1500", check_mtu_1500);
	ok_forms("passt", "mtu", 'm', "1500", check_mtu_1500);
	ok_forms("pasta", "mtu", 'm', "0", check_mtu_0);
	ok_forms("pasta", "mtu", 'm', "68", NULL);
	ok_forms("pasta", "mtu", 'm', "65520", NULL);
	bad_both("mtu", 'm', "67");
	bad_both("mtu", 'm', "1");
	bad_both("mtu", 'm', "65521");
	bad_both("mtu", 'm', "4294967296");
	bad_both("mtu", 'm', "abc");
	bad_both("mtu", 'm', "1500x");
	bad_both("mtu", 'm', "-1500");
	bad_both("mtu", 'm', "0x5dc");	/* decimal only */
	bad_both("mtu", 'm', "");
}

/** check_addr4() - -a took 10.0.2.15 */
static void check_addr4(void)
{
	EQ4(c.ip4.addr, "10.0.2.15");
	CHECK(g.addr4 && !g.addr6 && c.ip4.no_copy_addrs);
	CHECK(c.ip4.prefix_len == -1 && !g.prefix4);
}

/** check_addr4_prefix() - -a took 10.0.2.15/24 */
static void check_addr4_prefix(void)
{
	EQ4(c.ip4.addr, "10.0.2.15");
	CHECK(c.ip4.prefix_len == 24 && g.prefix4 && g.addr4);
}

/** check_addr6() - -a took 2001:db8::5/64 */
static void check_addr6(void)
{
	EQ6(c.ip6.addr, "2001:db8::5");
	CHECK(c.ip6.prefix_len == 64 && g.addr6 && !g.addr4);
	CHECK(c.ip6.no_copy_addrs && !c.ip4.no_copy_addrs);
}

/** check_addr6_bare() - -a took 2001:db8::6 */
static void check_addr6_bare(void)
{
	EQ6(c.ip6.addr, "2001:db8::6");
	CHECK(c.ip6.prefix_len == -1 && g.addr6);
}

/**
 * test_address() - -a/--address, IPv4 or IPv6, with a prefix length
 * @state:	Unused
 */
static void test_address(void **state)
{
	char buf[128], zeros[64];

	(void)state;
	ok_forms("pasta", "address", 'a', "10.0.2.15", check_addr4);
	ok_forms("passt", "address", 'a', "10.0.2.15/24", check_addr4_prefix);
	ok_forms("pasta", "address", 'a', "2001:db8::5/64", check_addr6);
	ok_forms("passt", "address", 'a', "2001:db8::6", check_addr6_bare);
	ok_forms("passt", "address", 'a', "10.0.2.15/0", NULL);
	ok_forms("passt", "address", 'a', "10.0.2.15/32", NULL);
	ok_forms("passt", "address", 'a', "2001:db8::5/128", NULL);

	/* Both families in one command line */
	expect_ok(run("pasta", "-a", "10.0.2.15/8", "-a", "2001:db8::5/96",
		      NULL));
	EQ4(c.ip4.addr, "10.0.2.15");
	EQ6(c.ip6.addr, "2001:db8::5");
	CHECK(c.ip4.prefix_len == 8 && c.ip6.prefix_len == 96);

	bad_both("address", 'a', "10.0.2.15/33");
	bad_both("address", 'a', "2001:db8::5/129");
	bad_both("address", 'a', "10.0.2.15/");
	bad_both("address", 'a', "10.0.2.15/x");
	bad_both("address", 'a', "10.0.2.15/-1");
	bad_both("address", 'a', "10.0.2.256");
	bad_both("address", 'a', "0.0.0.0");
	bad_both("address", 'a', "::");
	bad_both("address", 'a', "127.0.0.1");
	bad_both("address", 'a', "::1");
	bad_both("address", 'a', "224.0.0.1");
	bad_both("address", 'a', "255.255.255.255");
	bad_both("address", 'a', "ff02::1");
	bad_both("address", 'a', "host.example");
	bad_both("address", 'a', "");
	bad_both("address", 'a', "/24");
	/* Longer than any address with a prefix length */
	snprintf(buf, sizeof(buf), "2001:db8::%s/64", long_str(zeros, 50, '0'));
	bad_both("address", 'a', buf);
}

/** check_netmask_24() - -n took a /24 */
static void check_netmask_24(void)
{
	CHECK(c.ip4.prefix_len == 24 && g.prefix4);
}

/**
 * test_netmask() - -n/--netmask: dot-decimal or prefix length
 * @state:	Unused
 */
static void test_netmask(void **state)
{
	(void)state;
	ok_forms("pasta", "netmask", 'n', "24", check_netmask_24);
	ok_forms("passt", "netmask", 'n', "255.255.255.0", check_netmask_24);
	expect_ok(run("pasta", "-n", "0", NULL));
	CHECK(c.ip4.prefix_len == 0);
	expect_ok(run("pasta", "-n", "0.0.0.0", NULL));
	CHECK(c.ip4.prefix_len == 0);
	expect_ok(run("pasta", "-n", "255.255.255.255", NULL));
	CHECK(c.ip4.prefix_len == 32);
	expect_ok(run("pasta", "-n", "255.128.0.0", NULL));
	CHECK(c.ip4.prefix_len == 9);
	/* -n after -a/len wins, as it comes later */
	expect_ok(run("pasta", "-a", "10.0.0.2/8", "-n", "16", NULL));
	CHECK(c.ip4.prefix_len == 16);

	bad_both("netmask", 'n', "33");
	bad_both("netmask", 'n', "255.0.255.0");
	bad_both("netmask", 'n', "0.255.255.255");
	bad_both("netmask", 'n', "255.255.255.254.0");
	bad_both("netmask", 'n', "abc");
	bad_both("netmask", 'n', "-1");
	bad_both("netmask", 'n', "");
	bad_both("netmask", 'n', "ffff:ffff::");
}

/** check_gw4() - -g took 10.0.2.2 */
static void check_gw4(void)
{
	EQ4(c.ip4.gw, "10.0.2.2");
	CHECK(g.gw4 && !g.gw6);
}

/** check_gw6() - -g took fe80::1 */
static void check_gw6(void)
{
	EQ6(c.ip6.gw, "fe80::1");
	CHECK(g.gw6 && !g.gw4);
}

/**
 * test_gateway() - -g/--gateway
 * @state:	Unused
 */
static void test_gateway(void **state)
{
	(void)state;
	ok_forms("pasta", "gateway", 'g', "10.0.2.2", check_gw4);
	ok_forms("passt", "gateway", 'g', "fe80::1", check_gw6);
	bad_both("gateway", 'g', "0.0.0.0");
	bad_both("gateway", 'g', "::");
	bad_both("gateway", 'g', "127.0.0.1");
	bad_both("gateway", 'g', "::1");
	bad_both("gateway", 'g', "239.1.1.1");
	bad_both("gateway", 'g', "ff02::2");
	bad_both("gateway", 'g', "10.0.2.2/24");
	bad_both("gateway", 'g', "gw");
	bad_both("gateway", 'g', "");
}

/** check_mac() - -M took 02:00:00:ab:CD:ef */
static void check_mac(void)
{
	static const uint8_t want[MAC_LEN] = { 2, 0, 0, 0xab, 0xcd, 0xef };

	CHECK(!memcmp(c.our_tap_mac, want, MAC_LEN) && g.mac);
}

/**
 * test_mac_addr() - -M/--mac-addr: unicast, not zero
 * @state:	Unused
 */
static void test_mac_addr(void **state)
{
	(void)state;
	ok_forms("pasta", "mac-addr", 'M', "02:00:00:ab:CD:ef", check_mac);
	ok_forms("passt", "mac-addr", 'M', "02:00:00:ab:CD:ef", check_mac);
	bad_both("mac-addr", 'M', "00:00:00:00:00:00");
	bad_both("mac-addr", 'M', "01:00:5e:00:00:01");
	bad_both("mac-addr", 'M', "ff:ff:ff:ff:ff:ff");
	bad_both("mac-addr", 'M', "02:00:00:00:00");
	bad_both("mac-addr", 'M', "02:00:00:00:00:00:00");
	bad_both("mac-addr", 'M', "02:00:00:00:00:0g");
	bad_both("mac-addr", 'M', "02-00-00-00-00-01");
	bad_both("mac-addr", 'M', "2:0:0:0:0:1");
	bad_both("mac-addr", 'M', "");
}

/** check_ifname() - -i took eth0 */
static void check_ifname(void)
{
	CHECK(!strcmp(g.ifname, "eth0"));
}

/**
 * test_interface() - -i/--interface: 1 to 15 characters
 * @state:	Unused
 */
static void test_interface(void **state)
{
	char buf[64];

	(void)state;
	ok_forms("pasta", "interface", 'i', "eth0", check_ifname);
	ok_forms("passt", "interface", 'i', "eth0", check_ifname);
	ok_forms("passt", "interface", 'i', long_str(buf, IFNAMSIZ - 1, 'i'),
		 NULL);
	bad_both("interface", 'i', "");
	bad_both("interface", 'i', long_str(buf, IFNAMSIZ, 'i'));
}

/** check_out4() - -o took 192.0.2.1 */
static void check_out4(void)
{
	EQ4(c.ip4.addr_out, "192.0.2.1");
}

/** check_out6() - -o took 2001:db8::1 */
static void check_out6(void)
{
	EQ6(c.ip6.addr_out, "2001:db8::1");
}

/**
 * test_outbound() - -o/--outbound: any unicast address, loopback too
 * @state:	Unused
 */
static void test_outbound(void **state)
{
	(void)state;
	ok_forms("pasta", "outbound", 'o', "192.0.2.1", check_out4);
	ok_forms("passt", "outbound", 'o', "2001:db8::1", check_out6);
	ok_forms("passt", "outbound", 'o', "127.0.0.1", NULL);
	bad_both("outbound", 'o', "0.0.0.0");
	bad_both("outbound", 'o', "::");
	bad_both("outbound", 'o', "224.0.0.1");
	bad_both("outbound", 'o', "ff02::1");
	bad_both("outbound", 'o', "out");
	bad_both("outbound", 'o', "");
}

/** check_out_if4() - --outbound-if4 took eth1 */
static void check_out_if4(void)
{
	CHECK(!strcmp(c.ip4.ifname_out, "eth1") && !c.ip6.ifname_out[0]);
}

/** check_out_if6() - --outbound-if6 took eth2 */
static void check_out_if6(void)
{
	CHECK(!strcmp(c.ip6.ifname_out, "eth2") && !c.ip4.ifname_out[0]);
}

/**
 * test_outbound_if() - --outbound-if4, --outbound-if6
 * @state:	Unused
 */
static void test_outbound_if(void **state)
{
	char buf[64];

	(void)state;
	ok_forms("pasta", "outbound-if4", 0, "eth1", check_out_if4);
	ok_forms("passt", "outbound-if6", 0, "eth2", check_out_if6);
	bad_both("outbound-if4", 0, "");
	bad_both("outbound-if6", 0, "");
	bad_both("outbound-if4", 0, long_str(buf, IFNAMSIZ, 'o'));
	bad_both("outbound-if6", 0, long_str(buf, 40, 'o'));
}

/* DNS and names */

/** check_dns4() - -D took 192.0.2.53 */
static void check_dns4(void)
{
	CHECK(c.ip4.dns_count == 1 && !c.ip6.dns_count && g.dns);
	EQ4(c.ip4.dns[0], "192.0.2.53");
}

/** check_dns6() - -D took 2001:db8::53 */
static void check_dns6(void)
{
	CHECK(c.ip6.dns_count == 1 && !c.ip4.dns_count && g.dns);
	EQ6(c.ip6.dns[0], "2001:db8::53");
}

/** check_dns_none() - -D took none */
static void check_dns_none(void)
{
	CHECK(!c.ip4.dns_count && !c.ip6.dns_count && g.dns);
}

/**
 * test_dns() - -D/--dns: addresses, "none", at most DNS_MAX per family
 * @state:	Unused
 */
static void test_dns(void **state)
{
	(void)state;
	ok_forms("pasta", "dns", 'D', "192.0.2.53", check_dns4);
	ok_forms("passt", "dns", 'D', "2001:db8::53", check_dns6);
	ok_forms("passt", "dns", 'D', "none", check_dns_none);
	ok_forms("passt", "dns", 'D', "127.0.0.53", NULL);

	/* In order, "none" clears the earlier ones */
	expect_ok(run("pasta", "-D", "192.0.2.1", "-D", "2001:db8::1",
		      "-D", "192.0.2.2", NULL));
	CHECK(c.ip4.dns_count == 2 && c.ip6.dns_count == 1);
	EQ4(c.ip4.dns[1], "192.0.2.2");
	expect_ok(run("pasta", "-D", "192.0.2.1", "-D", "none", "-D",
		      "192.0.2.3", NULL));
	CHECK(c.ip4.dns_count == 1);
	EQ4(c.ip4.dns[0], "192.0.2.3");
	expect_ok(run("pasta", "-D", "192.0.2.1", "--dns=", NULL));
	CHECK(!c.ip4.dns_count && g.dns);

	/* DNS_MAX of each family, not one more */
	expect_ok(run("pasta", "-D", "192.0.2.1", "-D", "192.0.2.2",
		      "-D", "192.0.2.3", "-D", "192.0.2.4",
		      "-D", "2001:db8::1", "-D", "2001:db8::2",
		      "-D", "2001:db8::3", "-D", "2001:db8::4", NULL));
	CHECK(c.ip4.dns_count == DNS_MAX && c.ip6.dns_count == DNS_MAX);
	expect_error(run("pasta", "-D", "192.0.2.1", "-D", "192.0.2.2",
			 "-D", "192.0.2.3", "-D", "192.0.2.4",
			 "--dns", "192.0.2.5", NULL),
		     "-D/--dns", "'192.0.2.5'", "Too many", NULL);
	CHECK(c.ip4.dns_count == DNS_MAX);
	expect_error(run("passt", "-D", "::1", "-D", "::2", "-D", "::3",
			 "-D", "::4", "-D", "::5", NULL),
		     "-D/--dns", "'::5'", NULL);

	bad_both("dns", 'D', "0.0.0.0");
	bad_both("dns", 'D', "::");
	bad_both("dns", 'D', "224.0.0.251");
	bad_both("dns", 'D', "ff02::fb");
	bad_both("dns", 'D', "dns.example");
	bad_both("dns", 'D', "nonE");
}

/** check_dns_fwd4() - --dns-forward took 10.0.2.3 */
static void check_dns_fwd4(void)
{
	EQ4(c.ip4.dns_match, "10.0.2.3");
}

/** check_dns_fwd6() - --dns-forward took fd00::3 */
static void check_dns_fwd6(void)
{
	EQ6(c.ip6.dns_match, "fd00::3");
}

/**
 * test_dns_forward() - --dns-forward
 * @state:	Unused
 */
static void test_dns_forward(void **state)
{
	(void)state;
	ok_forms("pasta", "dns-forward", 0, "10.0.2.3", check_dns_fwd4);
	ok_forms("passt", "dns-forward", 0, "fd00::3", check_dns_fwd6);
	bad_both("dns-forward", 0, "0.0.0.0");
	bad_both("dns-forward", 0, "::");
	bad_both("dns-forward", 0, "127.0.0.53");
	bad_both("dns-forward", 0, "::1");
	bad_both("dns-forward", 0, "224.0.0.1");
	bad_both("dns-forward", 0, "x");
	bad_both("dns-forward", 0, "");
}

/** check_dns_host4() - --dns-host took 127.0.0.53 */
static void check_dns_host4(void)
{
	EQ4(c.ip4.dns_host, "127.0.0.53");
	CHECK(g.dns_host4 && !g.dns_host6);
}

/** check_dns_host6() - --dns-host took 2001:db8::53 */
static void check_dns_host6(void)
{
	EQ6(c.ip6.dns_host, "2001:db8::53");
	CHECK(g.dns_host6 && !g.dns_host4);
}

/**
 * test_dns_host() - --dns-host: loopback allowed
 * @state:	Unused
 */
static void test_dns_host(void **state)
{
	(void)state;
	ok_forms("pasta", "dns-host", 0, "127.0.0.53", check_dns_host4);
	ok_forms("passt", "dns-host", 0, "2001:db8::53", check_dns_host6);
	bad_both("dns-host", 0, "0.0.0.0");
	bad_both("dns-host", 0, "::");
	bad_both("dns-host", 0, "239.0.0.1");
	bad_both("dns-host", 0, "ff05::1:3");
	bad_both("dns-host", 0, "resolver");
	bad_both("dns-host", 0, "");
}

/** check_search() - -S took three domains */
static void check_search(void)
{
	CHECK(c.search_count == 3 && g.search);
	CHECK(!strcmp(c.search[0].n, "a.example"));
	CHECK(!strcmp(c.search[1].n, "b.example"));
	CHECK(!strcmp(c.search[2].n, "c.example"));
}

/** check_search_none() - -S took none */
static void check_search_none(void)
{
	CHECK(!c.search_count && g.search);
}

/**
 * test_search() - -S/--search: space or comma list, "none", limits
 * @state:	Unused
 */
static void test_search(void **state)
{
	char buf[DOMAIN_MAX + 2];

	(void)state;
	ok_forms("pasta", "search", 'S', "a.example b.example,c.example",
		 check_search);
	ok_forms("passt", "search", 'S', " a.example,,b.example\tc.example ",
		 check_search);
	ok_forms("passt", "search", 'S', "none", check_search_none);
	ok_forms("passt", "search", 'S', "", check_search_none);

	/* Each -S replaces the list */
	expect_ok(run("pasta", "-S", "a.example b.example", "-S", "z.example",
		      NULL));
	CHECK(c.search_count == 1 && !strcmp(c.search[0].n, "z.example"));
	expect_ok(run("pasta", "-S", "a b c d e f", NULL));
	CHECK(c.search_count == SEARCH_MAX);
	ok_forms("passt", "search", 'S', long_str(buf, DOMAIN_MAX - 1, 's'),
		 NULL);

	bad_both("search", 'S', "a b c d e f g");
	bad_both("search", 'S', long_str(buf, DOMAIN_MAX, 's'));
}

/** check_hostname() - -H took guest */
static void check_hostname(void)
{
	CHECK(!strcmp(c.hostname, "guest"));
}

/**
 * test_hostname() - -H/--hostname: 1 to 63 characters
 * @state:	Unused
 */
static void test_hostname(void **state)
{
	char buf[HOSTNAME_MAX + 1];

	(void)state;
	ok_forms("pasta", "hostname", 'H', "guest", check_hostname);
	ok_forms("passt", "hostname", 'H', "guest", check_hostname);
	ok_forms("passt", "hostname", 'H',
		 long_str(buf, HOSTNAME_MAX - 1, 'h'), NULL);
	bad_both("hostname", 'H', "");
	bad_both("hostname", 'H', long_str(buf, HOSTNAME_MAX, 'h'));
}

/** check_fqdn() - --fqdn took guest.example.org */
static void check_fqdn(void)
{
	CHECK(!strcmp(c.fqdn, "guest.example.org"));
}

/**
 * test_fqdn() - --fqdn: 1 to 253 characters
 * @state:	Unused
 */
static void test_fqdn(void **state)
{
	char buf[DOMAIN_MAX + 1];

	(void)state;
	ok_forms("pasta", "fqdn", 0, "guest.example.org", check_fqdn);
	ok_forms("passt", "fqdn", 0, "guest.example.org", check_fqdn);
	ok_forms("passt", "fqdn", 0, long_str(buf, DOMAIN_MAX - 1, 'f'), NULL);
	bad_both("fqdn", 0, "");
	bad_both("fqdn", 0, long_str(buf, DOMAIN_MAX, 'f'));
}

/* Address mapping */

/** check_map_lo4() - --map-host-loopback took 10.0.2.2 */
static void check_map_lo4(void)
{
	EQ4(c.ip4.map_host_loopback, "10.0.2.2");
	CHECK(g.map_lo4 && !g.map_lo6);
}

/** check_map_lo6() - --map-host-loopback took fd00::2 */
static void check_map_lo6(void)
{
	EQ6(c.ip6.map_host_loopback, "fd00::2");
	CHECK(g.map_lo6 && !g.map_lo4);
}

/** check_map_guest4() - --map-guest-addr took 10.0.2.4 */
static void check_map_guest4(void)
{
	EQ4(c.ip4.map_guest_addr, "10.0.2.4");
	CHECK(!g.map_lo4 && in4_is_unspec(&c.ip4.map_host_loopback));
}

/** check_map_guest6() - --map-guest-addr took fd00::4 */
static void check_map_guest6(void)
{
	EQ6(c.ip6.map_guest_addr, "fd00::4");
	CHECK(!g.map_lo6);
}

/**
 * test_map() - --map-host-loopback, --map-guest-addr
 * @state:	Unused
 */
static void test_map(void **state)
{
	static const char *const bad[] = {
		"0.0.0.0", "::", "127.0.0.1", "::1", "224.0.0.1", "ff02::1",
		"map", "",
	};
	unsigned i;

	(void)state;
	ok_forms("pasta", "map-host-loopback", 0, "10.0.2.2", check_map_lo4);
	ok_forms("passt", "map-host-loopback", 0, "fd00::2", check_map_lo6);
	ok_forms("pasta", "map-guest-addr", 0, "10.0.2.4", check_map_guest4);
	ok_forms("passt", "map-guest-addr", 0, "fd00::4", check_map_guest6);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bad_both("map-host-loopback", 0, bad[i]);
		bad_both("map-guest-addr", 0, bad[i]);
	}
}

/* Port forwarding */

/** check_tcp_in() - -t took 8080:80 */
static void check_tcp_in(void)
{
	const struct fwd_ports *fp = &c.fwd->tcp_in;

	CHECK(fp->mode == FWD_SPEC && fp->n_rules == 1);
	CHECK(fp->rules[0].first == 8080 && fp->rules[0].last == 8080 &&
	      fp->rules[0].to == 80);
	CHECK(c.fwd->udp_in.mode == FWD_UNSET &&
	      c.fwd->tcp_out.mode == FWD_UNSET &&
	      c.fwd->udp_out.mode == FWD_UNSET);
}

/** check_udp_in() - -u took 53 */
static void check_udp_in(void)
{
	const struct fwd_ports *fp = &c.fwd->udp_in;

	CHECK(fp->mode == FWD_SPEC && fp->n_rules == 1);
	CHECK(fp->rules[0].first == 53 && fp->rules[0].to == 53);
	CHECK(c.fwd->tcp_in.mode == FWD_UNSET);
}

/** check_tcp_out() - -T took auto */
static void check_tcp_out(void)
{
	CHECK(c.fwd->tcp_out.mode == FWD_AUTO);
	CHECK(c.fwd->tcp_in.mode == FWD_UNSET &&
	      c.fwd->udp_out.mode == FWD_UNSET);
}

/** check_udp_out() - -U took 1000-1010 */
static void check_udp_out(void)
{
	const struct fwd_ports *fp = &c.fwd->udp_out;

	CHECK(fp->mode == FWD_SPEC && fp->n_rules == 1);
	CHECK(fp->rules[0].first == 1000 && fp->rules[0].last == 1010);
	CHECK(c.fwd->tcp_out.mode == FWD_UNSET);
}

/**
 * test_ports() - -t/--tcp-ports, -u/--udp-ports, -T/--tcp-ns, -U/--udp-ns
 * @state:	Unused
 */
static void test_ports(void **state)
{
	(void)state;
	ok_forms("pasta", "tcp-ports", 't', "8080:80", check_tcp_in);
	ok_forms("passt", "tcp-ports", 't', "8080:80", check_tcp_in);
	ok_forms("pasta", "udp-ports", 'u', "53", check_udp_in);
	ok_forms("passt", "udp-ports", 'u', "53", check_udp_in);
	ok_forms("pasta", "tcp-ns", 'T', "auto", check_tcp_out);
	ok_forms("pasta", "udp-ns", 'U', "1000-1010", check_udp_out);
	ok_forms("pasta", "tcp-ports", 't', "auto", NULL);

	/* Specs of one option add up, across forms */
	expect_ok(run("passt", "-t", "22", "--tcp-ports=80-81", "-t443",
		      "--tcp-ports", "~81", NULL));
	CHECK(c.fwd->tcp_in.n_rules == 3 &&
	      fwd_port_excluded(&c.fwd->tcp_in, 81));

	/* "auto" is for pasta: fwd_spec.c's message, quoted by conf.c */
	bad_forms("passt", "tcp-ports", 't', "auto");
	bad_forms("passt", "udp-ports", 'u', "auto");
	bad_both("tcp-ports", 't', "70000");
	bad_both("tcp-ports", 't', "0");
	bad_both("udp-ports", 'u', "80:90-91");
	bad_both("udp-ports", 'u', "");
	bad_forms("pasta", "tcp-ns", 'T', "1-2:3");
	bad_forms("pasta", "udp-ns", 'U', "bogus");
	expect_error(run("pasta", "-t", "none", "-t", "80", NULL),
		     "-t/--tcp-ports", "'80'", NULL);
	expect_error(run("pasta", "-t", "all", "-t", "all", NULL),
		     "-t/--tcp-ports", "'all'", NULL);

	/* -T and -U are pasta's */
	expect_error(run("passt", "-T", "80", NULL), "-T/--tcp-ns",
		     "only valid for pasta", NULL);
	expect_error(run("passt", "--udp-ns=53", NULL), "-U/--udp-ns",
		     "only valid for pasta", NULL);
}

/* pasta's namespace options */

/** check_netns_path() - --netns took /proc/1/ns/net */
static void check_netns_path(void)
{
	CHECK(!strcmp(c.pasta.netns, "/proc/1/ns/net"));
	CHECK(c.pasta.netns_only);	/* no --userns */
}

/** check_netns_name() - --netns took a name made by ip-netns */
static void check_netns_name(void)
{
	CHECK(!strcmp(c.pasta.netns, "/run/netns/x"));
}

/**
 * test_netns() - --netns: path, or name under /run/netns
 * @state:	Unused
 */
static void test_netns(void **state)
{
	char buf[PATH_MAX + 1];

	(void)state;
	ok_forms("pasta", "netns", 0, "/proc/1/ns/net", check_netns_path);
	ok_forms("pasta", "netns", 0, "x", check_netns_name);
	ok_forms("pasta", "netns", 0, long_str(buf, PATH_MAX - 1, '/'), NULL);
	ok_forms("pasta", "netns", 0,
		 long_str(buf, PATH_MAX - 1 - strlen("/run/netns/"), 'n'),
		 NULL);
	bad_forms("pasta", "netns", 0, "");
	bad_forms("pasta", "netns", 0, long_str(buf, PATH_MAX, '/'));
	bad_forms("pasta", "netns", 0,
		  long_str(buf, PATH_MAX - strlen("/run/netns/"), 'n'));
	expect_error(run("passt", "--netns", "x", NULL), "--netns",
		     "only valid for pasta", NULL);
}

/** check_userns() - --userns took /proc/1/ns/user, with --netns */
static void check_userns(void)
{
	CHECK(!strcmp(c.pasta.userns, "/proc/1/ns/user"));
	CHECK(!strcmp(c.pasta.netns, "/proc/1/ns/net"));
	CHECK(!c.pasta.netns_only);
}

/**
 * test_userns() - --userns: needs --netns or a PID
 * @state:	Unused
 */
static void test_userns(void **state)
{
	char buf[PATH_MAX + 1];
	int form;

	(void)state;
	for (form = 0; form < 2; form++) {
		form_args("pasta", "userns", 0, "/proc/1/ns/user", form);
		args_add("--netns=/proc/1/ns/net");
		expect_ok(parse());
		check_userns();
	}
	expect_ok(run("pasta", "--userns", "/proc/1/ns/user", "1", NULL));
	CHECK(c.pasta.attach_pid == 1 && !c.pasta.netns[0]);

	expect_error(run("pasta", "--userns", "/proc/1/ns/user", NULL),
		     "--userns", "--netns", NULL);
	expect_error(run("pasta", "--userns", "/proc/1/ns/user", "sh", NULL),
		     "--userns", NULL);
	bad_forms("pasta", "userns", 0, "");
	bad_forms("pasta", "userns", 0, long_str(buf, PATH_MAX, 'u'));
	expect_error(run("passt", "--userns=/proc/1/ns/user", NULL),
		     "--userns", "only valid for pasta", NULL);
}

/** check_ns_ifname() - -I took tap9 */
static void check_ns_ifname(void)
{
	CHECK(!strcmp(c.pasta.ifname, "tap9"));
}

/**
 * test_ns_ifname() - -I/--ns-ifname
 * @state:	Unused
 */
static void test_ns_ifname(void **state)
{
	char buf[64];

	(void)state;
	ok_forms("pasta", "ns-ifname", 'I', "tap9", check_ns_ifname);
	bad_forms("pasta", "ns-ifname", 'I', "");
	bad_forms("pasta", "ns-ifname", 'I', long_str(buf, IFNAMSIZ, 'I'));
	expect_error(run("passt", "-I", "tap9", NULL), "-I/--ns-ifname",
		     "only valid for pasta", NULL);
}

/** check_ns_mac() - --ns-mac-addr took 02:00:00:00:00:02 */
static void check_ns_mac(void)
{
	static const uint8_t want[MAC_LEN] = { 2, 0, 0, 0, 0, 2 };

	CHECK(!memcmp(c.pasta.ns_mac, want, MAC_LEN));
	CHECK(!g.mac);		/* that's -M, our side */
}

/**
 * test_ns_mac_addr() - --ns-mac-addr
 * @state:	Unused
 */
static void test_ns_mac_addr(void **state)
{
	(void)state;
	ok_forms("pasta", "ns-mac-addr", 0, "02:00:00:00:00:02", check_ns_mac);
	bad_forms("pasta", "ns-mac-addr", 0, "00:00:00:00:00:00");
	bad_forms("pasta", "ns-mac-addr", 0, "33:33:00:00:00:01");
	bad_forms("pasta", "ns-mac-addr", 0, "02:00:00:00:00");
	bad_forms("pasta", "ns-mac-addr", 0, "mac");
	bad_forms("pasta", "ns-mac-addr", 0, "");
	expect_error(run("passt", "--ns-mac-addr", "02:00:00:00:00:02", NULL),
		     "--ns-mac-addr", "only valid for pasta", NULL);
}

/* passt's options */

/** check_socket() - -s took /tmp/passt.sock */
static void check_socket(void)
{
	CHECK(!strcmp(c.sock_path, "/tmp/passt.sock") && !c.one_off);
}

/**
 * test_socket() - -s/--socket: 1 to 107 characters
 * @state:	Unused
 */
static void test_socket(void **state)
{
	char buf[SOCK_PATH_MAX + 1];

	(void)state;
	ok_forms("passt", "socket", 's', "/tmp/passt.sock", check_socket);
	ok_forms("passt", "socket", 's', long_str(buf, SOCK_PATH_MAX - 1, 's'),
		 NULL);
	bad_forms("passt", "socket", 's', "");
	bad_forms("passt", "socket", 's', long_str(buf, SOCK_PATH_MAX, 's'));
	expect_error(run("pasta", "-s", "/tmp/passt.sock", NULL),
		     "-s/--socket", "only valid for passt", NULL);

	/* --socket-path is the same option, under its other name */
	expect_ok(run("passt", "--socket-path", "/tmp/passt.sock", NULL));
	check_socket();
	expect_ok(run("passt", "--socket-path=/tmp/passt.sock", NULL));
	check_socket();
	expect_error(run("passt", "--socket-path", "", NULL), "-s/--socket",
		     "''", NULL);
	expect_error(run("pasta", "--socket-path", "/tmp/passt.sock", NULL),
		     "-s/--socket", "only valid for passt", NULL);
	expect_error(run("passt", "--socket-path", "/tmp/s", "-F", "5", NULL),
		     "-s/--socket", "-F/--fd", NULL);
}

/** check_fd() - -F took 5 */
static void check_fd(void)
{
	CHECK(c.fd_tap_given == 5 && c.one_off);
}

/** check_fd_pasta() - pasta -F took 5, a tap device: not one-off */
static void check_fd_pasta(void)
{
	CHECK(c.fd_tap_given == 5 && !c.one_off);
}

/**
 * test_fd() - -F/--fd: a descriptor above 2; for passt a connected socket
 *	       (implies --one-off), for pasta a tap device
 * @state:	Unused
 */
static void test_fd(void **state)
{
	int pasta;

	(void)state;
	ok_forms("passt", "fd", 'F', "5", check_fd);
	ok_forms("pasta", "fd", 'F', "5", check_fd_pasta);
	for (pasta = 0; pasta <= 1; pasta++) {
		const char *m = mode_name(pasta);

		ok_forms(m, "fd", 'F', "3", NULL);
		ok_forms(m, "fd", 'F', "2147483647", NULL);
		bad_forms(m, "fd", 'F', "2");
		bad_forms(m, "fd", 'F', "0");
		bad_forms(m, "fd", 'F', "2147483648");
		bad_forms(m, "fd", 'F', "-3");
		bad_forms(m, "fd", 'F', "five");
		bad_forms(m, "fd", 'F', "");
	}
	/* pasta: with a namespace to attach to, and -I */
	expect_ok(run("pasta", "-F", "7", "-I", "tapx", "--netns", "n", NULL));
	CHECK(c.fd_tap_given == 7 && !strcmp(c.pasta.ifname, "tapx"));
}

/**
 * test_splice_only() - --splice-only: pasta only, no tap device, so the
 *			link services are off, loopback forwarding on, and
 *			options about the tap device are refused
 * @state:	Unused
 */
static void test_splice_only(void **state)
{
	static const char *const tap_opts[][3] = {
		{ "--config-net",	NULL,		"--config-net" },
		{ "-I",			"tap1",		"-I/--ns-ifname" },
		{ "--ns-mac-addr",	"02:00:00:00:00:01", "--ns-mac-addr" },
		{ "-F",			"5",		"-F/--fd" },
		{ "--no-splice",	NULL,		"--no-splice" },
	};
	unsigned i;

	(void)state;
	expect_ok(run("pasta", "--splice-only", NULL));
	CHECK(c.splice_only && !c.no_splice);
	CHECK(c.no_icmp && c.no_dhcp && c.no_ndp && c.no_dhcpv6 && c.no_ra);
	CHECK(g.host_lo_to_ns_lo);
	CHECK(!c.no_tcp && !c.no_udp);

	expect_error(run("passt", "--splice-only", NULL), "--splice-only",
		     "only valid for pasta", NULL);

	for (i = 0; i < ARRAY_SIZE(tap_opts); i++) {
		const char *const *o = tap_opts[i];

		/* Either order */
		expect_error(run("pasta", "--splice-only", o[0], o[1], NULL),
			     "--splice-only", o[2], "exclusive", NULL);
		if (o[1])
			expect_error(run("pasta", o[0], o[1], "--splice-only",
					 NULL),
				     "--splice-only", o[2], "exclusive", NULL);
		else
			expect_error(run("pasta", o[0], "--splice-only", NULL),
				     "--splice-only", o[2], "exclusive", NULL);
	}

	/* Forwarding options still apply */
	expect_ok(run("pasta", "--splice-only", "-t", "8080", "-T", "5432",
		      "-u", "auto", NULL));
	CHECK(c.fwd->tcp_in.mode == FWD_SPEC && c.fwd->tcp_out.mode == FWD_SPEC);
}

/**
 * test_no_copy_addrs() - --no-copy-addrs: for both families
 * @state:	Unused
 */
static void test_no_copy_addrs(void **state)
{
	(void)state;
	expect_ok(run("pasta", "--no-copy-addrs", NULL));
	CHECK(c.ip4.no_copy_addrs && c.ip6.no_copy_addrs);
	expect_ok(run("pasta", NULL));
	CHECK(!c.ip4.no_copy_addrs && !c.ip6.no_copy_addrs);
}

/* Process and limits */

/** check_runas_root() - --runas took root (uid and gid 0) */
static void check_runas_root(void)
{
	CHECK(c.uid == 0 && c.gid == 0 && g.runas);
}

/** check_runas_ids() - --runas took 1234:5678 */
static void check_runas_ids(void)
{
	CHECK(c.uid == 1234 && c.gid == 5678 && g.runas);
}

/**
 * test_runas() - --runas: UID, UID:GID, LOGIN, LOGIN:GROUP
 * @state:	Unused
 */
static void test_runas(void **state)
{
	char buf[1024];

	(void)state;
	ok_forms("pasta", "runas", 0, "root", check_runas_root);
	ok_forms("passt", "runas", 0, "0", check_runas_root);
	ok_forms("passt", "runas", 0, "root:0", check_runas_root);
	ok_forms("passt", "runas", 0, "0:root", check_runas_root);
	ok_forms("passt", "runas", 0, "1234:5678", check_runas_ids);

	/* A numeric user with no passwd entry keeps its own number as GID */
	expect_ok(run("pasta", "--runas", "4000000", NULL));
	CHECK(c.uid == 4000000 && c.gid == 4000000);

	bad_both("runas", 0, "no-such-user-here");
	bad_both("runas", 0, "0:no-such-group-here");
	bad_both("runas", 0, "root:");
	bad_both("runas", 0, ":0");
	bad_both("runas", 0, ":");
	bad_both("runas", 0, "");
	bad_both("runas", 0, long_str(buf, 600, 'r'));
}

/** check_max_flows() - --max-flows took 100 */
static void check_max_flows(void)
{
	CHECK(c.flow_max == 100);
}

/**
 * test_max_flows() - --max-flows: 1 to FLOW_MAX_LIMIT
 * @state:	Unused
 */
static void test_max_flows(void **state)
{
	char buf[32];

	(void)state;
	ok_forms("pasta", "max-flows", 0, "100", check_max_flows);
	ok_forms("passt", "max-flows", 0, "100", check_max_flows);
	snprintf(buf, sizeof(buf), "%u", FLOW_MAX_LIMIT);
	ok_forms("passt", "max-flows", 0, buf, NULL);
	ok_forms("passt", "max-flows", 0, "1", NULL);
	snprintf(buf, sizeof(buf), "%u", FLOW_MAX_LIMIT + 1);
	bad_both("max-flows", 0, buf);
	bad_both("max-flows", 0, "0");
	bad_both("max-flows", 0, "-1");
	bad_both("max-flows", 0, "many");
	bad_both("max-flows", 0, "");
}

/** check_busy_poll() - --busy-poll took 20 */
static void check_busy_poll(void)
{
	CHECK(c.busy_poll_us == 20);
}

/** check_busy_poll_off() - --busy-poll took 0: never poll */
static void check_busy_poll_off(void)
{
	CHECK(c.busy_poll_us == 0);
}

/** check_busy_poll_limit() - --busy-poll took the largest value */
static void check_busy_poll_limit(void)
{
	CHECK(c.busy_poll_us == LOOP_POLL_MAX_LIMIT);
}

/**
 * test_busy_poll() - --busy-poll: 0 to LOOP_POLL_MAX_LIMIT microseconds
 * @state:	Unused
 */
static void test_busy_poll(void **state)
{
	char buf[32];

	(void)state;
	ok_forms("pasta", "busy-poll", 0, "20", check_busy_poll);
	ok_forms("passt", "busy-poll", 0, "20", check_busy_poll);
	ok_forms("passt", "busy-poll", 0, "0", check_busy_poll_off);
	snprintf(buf, sizeof(buf), "%u", LOOP_POLL_MAX_LIMIT);
	ok_forms("pasta", "busy-poll", 0, buf, check_busy_poll_limit);
	snprintf(buf, sizeof(buf), "%u", LOOP_POLL_MAX_LIMIT + 1);
	bad_both("busy-poll", 0, buf);
	bad_both("busy-poll", 0, "-1");
	bad_both("busy-poll", 0, "50us");
	bad_both("busy-poll", 0, "");
}

/** check_stats() - --stats took 10 */
static void check_stats(void)
{
	CHECK(c.stats_interval == 10);
}

/**
 * test_stats() - --stats: 0 to 86400 seconds
 * @state:	Unused
 */
static void test_stats(void **state)
{
	(void)state;
	ok_forms("pasta", "stats", 0, "10", check_stats);
	ok_forms("passt", "stats", 0, "10", check_stats);
	ok_forms("passt", "stats", 0, "0", NULL);
	ok_forms("passt", "stats", 0, "86400", NULL);
	bad_both("stats", 0, "86401");
	bad_both("stats", 0, "-1");
	bad_both("stats", 0, "1m");
	bad_both("stats", 0, "");
}

/* Combinations, order, what's left after the options */

/**
 * test_exclusive() - Pairs of options that can't go together
 * @state:	Unused
 */
static void test_exclusive(void **state)
{
	(void)state;
	expect_error(run("pasta", "-4", "-6", NULL), "-4/--ipv4-only",
		     "-6/--ipv6-only", NULL);
	expect_error(run("passt", "--ipv6-only", "--ipv4-only", NULL),
		     "-4/--ipv4-only", "-6/--ipv6-only", NULL);
	expect_error(run("pasta", "-d", "-q", NULL), "-d/--debug",
		     "-q/--quiet", NULL);
	expect_error(run("passt", "--quiet", "--debug", NULL), "-d/--debug",
		     "-q/--quiet", NULL);
	expect_error(run("passt", "-s", "/tmp/s", "-F", "5", NULL),
		     "-s/--socket", "-F/--fd", NULL);
	/* --trace and -q are not exclusive */
	expect_ok(run("passt", "--trace", "-q", NULL));
}

/**
 * test_version_order() - --version, --print-syscalls and --help are reached
 *			  in order
 * @state:	Unused
 */
static void test_version_order(void **state)
{
	(void)state;
	assert_int_equal(run("pasta", "--version", NULL), CONF_VERSION);
	assert_int_equal(run("passt", "--version", NULL), CONF_VERSION);
	assert_int_equal(run("pasta", "-t", "80", "-d", "--version", NULL),
			 CONF_VERSION);
	/* An invalid option before it is reported instead */
	expect_error(run("pasta", "-m", "1", "--version", NULL), "-m/--mtu",
		     "'1'", NULL);
	expect_error(run("passt", "--netns", "x", "--version", NULL),
		     "--netns", NULL);
	/* ...and nothing after it is looked at */
	assert_int_equal(run("pasta", "--version", "-m", "1", NULL),
			 CONF_VERSION);
	assert_int_equal(run("passt", "--version", "--no-such-option", NULL),
			 CONF_VERSION);
	/* Exclusive pairs are checked after the loop: --version wins */
	assert_int_equal(run("pasta", "-4", "-6", "--version", NULL),
			 CONF_VERSION);

	/* --print-syscalls, ours only, quits the same way */
	assert_int_equal(run("pasta", "--print-syscalls", NULL), CONF_SYSCALLS);
	assert_int_equal(run("passt", "-d", "--print-syscalls", "-m", "1",
			     NULL), CONF_SYSCALLS);

	assert_int_equal(run("pasta", "-h", NULL), CONF_HELP);
	assert_int_equal(run("passt", "--help", NULL), CONF_HELP);
	assert_int_equal(run("pasta", "-f", "--help", "-m", "1", NULL),
			 CONF_HELP);
	expect_error(run("pasta", "-M", "x", "-h", NULL), "-M/--mac-addr",
		     NULL);
}

/**
 * test_unknown() - Unknown options and missing values: getopt_long() says
 *		    why, on stderr, and there is no message of ours
 * @state:	Unused
 */
static void test_unknown(void **state)
{
	(void)state;
	assert_int_equal(run_quiet("pasta", "--no-such-option", NULL),
			 CONF_ERROR);
	assert_int_equal(run_quiet("passt", "-Z", NULL), CONF_ERROR);
	assert_int_equal(run_quiet("passt", "-t", NULL), CONF_ERROR);
	assert_int_equal(run_quiet("pasta", "--mtu", NULL), CONF_ERROR);
	assert_int_equal(run_quiet("pasta", "-d", "--bogus"), CONF_ERROR);
	CHECK(!err[0]);
	/* Ambiguous prefix */
	assert_int_equal(run_quiet("pasta", "--no", NULL), CONF_ERROR);
	/* A valid option after an unknown one is not reached */
	assert_int_equal(run_quiet("pasta", "--bogus", "--version"),
			 CONF_ERROR);
}

/**
 * test_pasta_pid() - pasta with one number left: a PID to attach to
 * @state:	Unused
 */
static void test_pasta_pid(void **state)
{
	(void)state;
	expect_ok(run("pasta", "--config-net", "4242", NULL));
	CHECK(c.pasta.attach_pid == 4242 && !c.pasta.argv);
	expect_ok(run("pasta", "2147483647", NULL));
	CHECK(c.pasta.attach_pid == 2147483647);

	expect_error(run("pasta", "0", NULL), "Invalid PID", "'0'", NULL);
	expect_error(run("pasta", "2147483648", NULL), "Invalid PID",
		     "'2147483648'", NULL);
	expect_error(run("pasta", "--netns", "x", "4242", NULL), "--netns",
		     "'4242'", NULL);
}

/**
 * test_zerocopy_rx() - --tcp-zerocopy-rx for both, --vsock-zerocopy-rx for
 *			passt only, each on or off
 * @state:	Unused
 */
static void test_zerocopy_rx(void **state)
{
	(void)state;
	expect_ok(run("pasta", NULL));
	CHECK(!c.tcp_zc_rx && !c.vsock_zc_rx_off);
	expect_ok(run("pasta", "--tcp-zerocopy-rx", "on", NULL));
	CHECK(c.tcp_zc_rx);
	expect_ok(run("passt", "--tcp-zerocopy-rx", "on",
		      "--tcp-zerocopy-rx", "off", NULL));
	CHECK(!c.tcp_zc_rx);
	expect_ok(run("passt", "--vsock-zerocopy-rx", "off", NULL));
	CHECK(c.vsock_zc_rx_off);

	expect_error(run("pasta", "--tcp-zerocopy-rx", "yes", NULL),
		     "--tcp-zerocopy-rx", "'yes'", "on or off", NULL);
	expect_error(run("pasta", "--vsock-zerocopy-rx", "on", NULL),
		     "--vsock-zerocopy-rx", "only valid for passt", NULL);
}

/**
 * test_pasta_command() - pasta with arguments left: a command to run
 * @state:	Unused
 */
static void test_pasta_command(void **state)
{
	(void)state;
	expect_ok(run("pasta", "-t", "80", "sh", "-c", "true", NULL));
	CHECK(c.pasta.argc == 3 && c.pasta.argv == &argv[3]);
	CHECK(!strcmp(c.pasta.argv[0], "sh") && !strcmp(c.pasta.argv[1], "-c"));
	CHECK(!c.pasta.attach_pid);
	/* Options stop at the first argument: "-c" is the command's */
	CHECK(c.fwd->tcp_in.n_rules == 1);

	expect_ok(run("pasta", "-f", "--", "-m", "1", NULL));
	CHECK(c.pasta.argc == 2 && !strcmp(c.pasta.argv[0], "-m"));
	CHECK(c.mtu == MTU_DEFAULT);

	/* More than one number: a command, not a PID */
	expect_ok(run("pasta", "1", "2", NULL));
	CHECK(c.pasta.argc == 2 && !c.pasta.attach_pid);

	expect_error(run("pasta", "--netns", "x", "sh", NULL), "--netns",
		     "'sh'", NULL);
}

/**
 * test_passt_arguments() - passt takes no arguments after the options
 * @state:	Unused
 */
static void test_passt_arguments(void **state)
{
	(void)state;
	expect_error(run("passt", "foo", NULL), "Unexpected argument",
		     "'foo'", NULL);
	expect_error(run("passt", "-f", "1234", NULL), "Unexpected argument",
		     "'1234'", NULL);
	expect_error(run("passt", "--", "-f", NULL), "Unexpected argument",
		     "'-f'", NULL);
}

/**
 * test_repeat() - conf_parse() can be called again: getopt state reset
 * @state:	Unused
 */
static void test_repeat(void **state)
{
	(void)state;
	/* Stop in the middle of a group of short options... */
	expect_error(run("pasta", "-fm1", NULL), "-m/--mtu", NULL);
	/* ...then a new command line starts from its first argument */
	expect_ok(run("pasta", "-d", NULL));
	CHECK(g.debug && !c.foreground);
	expect_ok(run("passt", "-fe", NULL));
	CHECK(c.foreground && g.stderr_too && !g.debug);
}

/**
 * test_errlen() - Messages are cut to the buffer, always terminated
 * @state:	Unused
 */
static void test_errlen(void **state)
{
	char small[16], buf[PATH_MAX + 1];

	(void)state;
	run("pasta", "-m", "abc", NULL);
	conf_init_ctx(&c, "pasta");
	memset(small, 'X', sizeof(small));
	assert_int_equal(conf_parse(&c, &g, argc, argv, small, sizeof(small)),
			 CONF_ERROR);
	assert_int_equal(strnlen(small, sizeof(small)), sizeof(small) - 1);

	/* The longest value conf_parse() quotes: still terminated */
	run("pasta", "-P", long_str(buf, PATH_MAX, 'P'), NULL);
	assert_int_equal(strnlen(err, sizeof(err)), sizeof(err) - 1);
}

/* conf_paths_abs() */

/**
 * test_paths_abs() - Relative socket and --netns paths are made absolute
 *		      from the current directory, others are left alone
 * @state:	Unused
 */
static void test_paths_abs(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 16], buf[PATH_MAX + 1];
	char old[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir("/tmp"), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));

	expect_ok(run("passt", "-s", "vm.sock", NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/vm.sock", cwd);
	assert_string_equal(c.sock_path, want);

	expect_ok(run("pasta", "--netns", "./ns", NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/./ns", cwd);
	assert_string_equal(c.pasta.netns, want);

	/* Absolute, or a bare name (/run/netns/NAME): as they were */
	expect_ok(run("passt", "-s", "/run/x.sock", NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), 0);
	assert_string_equal(c.sock_path, "/run/x.sock");
	expect_ok(run("pasta", "--netns", "name", NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), 0);
	assert_string_equal(c.pasta.netns, "/run/netns/name");

	/* From /, no doubled slash */
	assert_int_equal(chdir("/"), 0);
	expect_ok(run("passt", "-s", "s", NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), 0);
	assert_string_equal(c.sock_path, "/s");

	/* A socket path that fits as given, but not once made absolute */
	assert_int_equal(chdir("/tmp"), 0);
	expect_ok(run("passt", "-s", long_str(buf, SOCK_PATH_MAX - 2, 's'),
		      NULL));
	assert_int_equal(conf_paths_abs(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "-s/--socket") && quote_in(err, buf));

	assert_int_equal(chdir(old), 0);
}

/* conf_read_resolv() */

/**
 * resolv() - Write a resolv.conf and read it into a fresh context
 * @text:	Contents
 * @dns:	Take resolvers
 * @search:	Take the search list
 *
 * Return: conf_read_resolv() result
 */
static int resolv(const char *text, bool dns, bool search)
{
	char path[] = "/tmp/test_conf_resolv.XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	conf_init_ctx(&c, "pasta");
	rc = conf_read_resolv(&c, path, dns, search);
	unlink(path);
	return rc;
}

/**
 * test_resolv_basic() - Resolvers of both families, search list, comments
 * @state:	Unused
 */
static void test_resolv_basic(void **state)
{
	(void)state;
	assert_int_equal(resolv("# generated\n"
				"nameserver 192.0.2.53\n"
				"; another comment\n"
				"# nameserver 192.0.2.99\n"
				"nameserver 2001:db8::53\n"
				"\n"
				"  nameserver\t192.0.2.54  # trailing\n"
				"nameserver fe80::1%eth0\n"
				"search a.example b.example\n"
				"options ndots:2 edns0\n"
				"domain example\n", true, true), 0);
	assert_int_equal(c.ip4.dns_count, 2);
	EQ4(c.ip4.dns[0], "192.0.2.53");
	EQ4(c.ip4.dns[1], "192.0.2.54");
	assert_int_equal(c.ip6.dns_count, 2);
	EQ6(c.ip6.dns[0], "2001:db8::53");
	EQ6(c.ip6.dns[1], "fe80::1");
	assert_int_equal(c.search_count, 2);
	assert_string_equal(c.search[0].n, "a.example");
	assert_string_equal(c.search[1].n, "b.example");
}

/**
 * test_resolv_garbage() - Lines that are not what they claim are skipped
 * @state:	Unused
 */
static void test_resolv_garbage(void **state)
{
	(void)state;
	assert_int_equal(resolv("nameserver\n"
				"nameserver \n"
				"nameserver not-an-address\n"
				"nameserver 192.0.2.300\n"
				"nameserver192.0.2.1\n"
				"NAMESERVER 192.0.2.2\n"
				"search\n"
				"\x01\x02\xff garbage \xfe\n"
				"nameserver 192.0.2.3 192.0.2.4\n"
				"nameserver %eth0\n"
				"nameserver 192.0.2.5", true, true), 0);
	/* The first address of a line counts, the last line needs no \n */
	assert_int_equal(c.ip4.dns_count, 2);
	EQ4(c.ip4.dns[0], "192.0.2.3");
	EQ4(c.ip4.dns[1], "192.0.2.5");
	assert_int_equal(c.ip6.dns_count, 0);
	assert_int_equal(c.search_count, 0);
}

/**
 * test_resolv_too_many() - Resolvers beyond DNS_MAX per family and
 *			    domains beyond SEARCH_MAX are dropped
 * @state:	Unused
 */
static void test_resolv_too_many(void **state)
{
	(void)state;
	assert_int_equal(resolv("nameserver 192.0.2.1\n"
				"nameserver 192.0.2.2\n"
				"nameserver 2001:db8::1\n"
				"nameserver 192.0.2.3\n"
				"nameserver 192.0.2.4\n"
				"nameserver 192.0.2.5\n"
				"nameserver 192.0.2.6\n"
				"nameserver 2001:db8::2\n"
				"search a b c d e f g h\n", true, true), 0);
	assert_int_equal(c.ip4.dns_count, DNS_MAX);
	EQ4(c.ip4.dns[DNS_MAX - 1], "192.0.2.4");
	assert_int_equal(c.ip6.dns_count, 2);
	assert_int_equal(c.search_count, SEARCH_MAX);
	assert_string_equal(c.search[SEARCH_MAX - 1].n, "f");
}

/**
 * test_resolv_search_last() - The last search line wins, as in the
 *			       resolver; a too long domain ends the list
 * @state:	Unused
 */
static void test_resolv_search_last(void **state)
{
	char text[DOMAIN_MAX + 64], name[DOMAIN_MAX + 1];

	(void)state;
	assert_int_equal(resolv("search a.example\nsearch b.example c\n",
				false, true), 0);
	assert_int_equal(c.search_count, 2);
	assert_string_equal(c.search[0].n, "b.example");

	snprintf(text, sizeof(text), "search ok.example %s next\n",
		 long_str(name, DOMAIN_MAX, 'd'));
	assert_int_equal(resolv(text, true, true), 0);
	assert_int_equal(c.search_count, 1);
	assert_string_equal(c.search[0].n, "ok.example");
}

/**
 * test_resolv_select() - Only what was asked for is taken
 * @state:	Unused
 */
static void test_resolv_select(void **state)
{
	static const char *text = "nameserver 192.0.2.1\nsearch a.example\n";

	(void)state;
	assert_int_equal(resolv(text, false, true), 0);
	assert_int_equal(c.ip4.dns_count, 0);
	assert_int_equal(c.search_count, 1);
	assert_int_equal(resolv(text, true, false), 0);
	assert_int_equal(c.ip4.dns_count, 1);
	assert_int_equal(c.search_count, 0);
	assert_int_equal(resolv(text, false, false), 0);
	assert_int_equal(c.ip4.dns_count + c.search_count, 0);
}

/**
 * test_resolv_files() - A missing file is an error; an empty one is not;
 *			 resolvers add to those already there (-D)
 * @state:	Unused
 */
static void test_resolv_files(void **state)
{
	(void)state;
	conf_init_ctx(&c, "pasta");
	assert_int_equal(conf_read_resolv(&c, "/nonexistent/resolv.conf",
					  true, true), -ENOENT);
	assert_int_equal(resolv("", true, true), 0);
	assert_int_equal(c.ip4.dns_count + c.ip6.dns_count + c.search_count,
			 0);

	expect_ok(run("pasta", "-D", "192.0.2.9", NULL));
	{
		char path[] = "/tmp/test_conf_resolv.XXXXXX";
		int fd = mkstemp(path);
		static const char *text = "nameserver 192.0.2.1\n";

		assert_true(fd >= 0);
		assert_int_equal(write(fd, text, strlen(text)),
				 (ssize_t)strlen(text));
		close(fd);
		assert_int_equal(conf_read_resolv(&c, path, true, false), 0);
		unlink(path);
	}
	assert_int_equal(c.ip4.dns_count, 2);
	EQ4(c.ip4.dns[0], "192.0.2.9");
	EQ4(c.ip4.dns[1], "192.0.2.1");
}

/**
 * main() - Run the tests
 *
 * Return: number of failed tests
 */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_from_argv0),
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_no_options),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flags_grouped),
		cmocka_unit_test(test_flag_with_value),
		cmocka_unit_test(test_dhcp_dns_last_wins),
		cmocka_unit_test(test_exact_long_match),
		cmocka_unit_test(test_log_file),
		cmocka_unit_test(test_log_size),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_pcap),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_netmask),
		cmocka_unit_test(test_gateway),
		cmocka_unit_test(test_mac_addr),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_outbound),
		cmocka_unit_test(test_outbound_if),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_dns_forward),
		cmocka_unit_test(test_dns_host),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_fqdn),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_netns),
		cmocka_unit_test(test_userns),
		cmocka_unit_test(test_ns_ifname),
		cmocka_unit_test(test_ns_mac_addr),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_splice_only),
		cmocka_unit_test(test_no_copy_addrs),
		cmocka_unit_test(test_runas),
		cmocka_unit_test(test_max_flows),
		cmocka_unit_test(test_busy_poll),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_exclusive),
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_pasta_pid),
		cmocka_unit_test(test_pasta_command),
		cmocka_unit_test(test_passt_arguments),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_errlen),
		cmocka_unit_test(test_paths_abs),
		cmocka_unit_test(test_resolv_basic),
		cmocka_unit_test(test_zerocopy_rx),
		cmocka_unit_test(test_resolv_garbage),
		cmocka_unit_test(test_resolv_too_many),
		cmocka_unit_test(test_resolv_search_last),
		cmocka_unit_test(test_resolv_select),
		cmocka_unit_test(test_resolv_files),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
