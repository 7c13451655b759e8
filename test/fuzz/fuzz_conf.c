// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_conf.c - libFuzzer harness for conf_parse() and fwd_parse_spec()
 *
 * Input layout:
 *
 *	byte 0		bit 0: argv[0] is "pasta", else "passt"
 *			bit 1: fwd_parse_spec() takes "auto"
 *	then		arguments, separated by NUL bytes, at most
 *			FUZZ_ARGS_MAX of them
 *
 * The arguments go to conf_parse() as a command line. Whatever it returns,
 * the context must then hold only NUL-terminated strings, counts within
 * their arrays, values within the ranges the options allow, and nothing
 * the other mode's options set; an error must come with a message (except
 * for getopt_long()'s own, unknown option or missing argument).
 *
 * Each argument is then also given, in order, to fwd_parse_spec() on one
 * struct fwd_ports, so that combinations of specs are explored: a rejected
 * spec must leave it untouched and say why, an accepted one must leave
 * rules that make sense.
 *
 * conf.c is included, not linked, so its static functions and option
 * table are in reach. getopt_long() complains on stderr: the stdio stream
 * is pointed at /dev/null, the descriptor is left alone so that crash
 * reports still show.
 */

#include "../../conf.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ARGS_MAX		16

static struct ctx fuzz_c;
static struct conf_given fuzz_g;
static struct fwd_ports fuzz_fp, fuzz_fp_before;

/**
 * fuzz_str_ok() - Is a string field NUL-terminated within its array?
 * @s:		Field
 * @size:	Size of the field
 *
 * Return: true if so
 */
static bool fuzz_str_ok(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

#define FUZZ_STR(field)	FUZZ_CHECK(fuzz_str_ok(field, sizeof(field)))

/**
 * fuzz_check_fwd() - Check the rules of one forwarding configuration
 * @fp:		Configuration
 */
static void fuzz_check_fwd(const struct fwd_ports *fp)
{
	unsigned i;

	FUZZ_CHECK(fp->n_rules <= FWD_RULES_MAX);
	FUZZ_CHECK(fp->mode == FWD_SPEC || !fp->n_rules);
	for (i = 0; i < fp->n_rules; i++) {
		const struct fwd_rule *r = &fp->rules[i];
		uint16_t to;

		FUZZ_CHECK(r->first && r->first <= r->last && r->to);
		FUZZ_CHECK((unsigned)r->to + (r->last - r->first) <= 65535);
		FUZZ_STR(r->ifname);
		FUZZ_CHECK(r->af == AF_UNSPEC || r->af == AF_INET ||
			   r->af == AF_INET6);
		if (fwd_port_is_forwarded(fp, r->first, &to))
			FUZZ_CHECK(!fwd_port_excluded(fp, r->first));
		else
			FUZZ_CHECK(fwd_port_excluded(fp, r->first));
	}
	FUZZ_CHECK(!fwd_port_is_forwarded(fp, 0, NULL));
}

/**
 * fuzz_check_ctx() - Check the context after conf_parse()
 * @c:		Context
 * @g:		What was given
 * @rc:		Return value of conf_parse()
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void fuzz_check_ctx(const struct ctx *c, const struct conf_given *g,
			   enum conf_result rc, int argc, char **argv)
{
	unsigned i;

	FUZZ_STR(c->pidfile);
	FUZZ_STR(c->pcap);
	FUZZ_STR(c->sock_path);
	FUZZ_STR(c->hostname);
	FUZZ_STR(c->fqdn);
	FUZZ_STR(c->ip4.ifname_out);
	FUZZ_STR(c->ip6.ifname_out);
	FUZZ_STR(c->pasta.netns);
	FUZZ_STR(c->pasta.userns);
	FUZZ_STR(c->pasta.ifname);
	FUZZ_STR(g->ifname);
	FUZZ_STR(g->log_file);
	FUZZ_CHECK(c->search_count <= SEARCH_MAX);
	for (i = 0; i < c->search_count; i++) {
		FUZZ_STR(c->search[i].n);
		FUZZ_CHECK(c->search[i].n[0]);
	}
	FUZZ_CHECK(c->ip4.dns_count <= DNS_MAX);
	FUZZ_CHECK(c->ip6.dns_count <= DNS_MAX);
	FUZZ_CHECK(!c->mtu || (c->mtu >= MTU_MIN_IPV4 && c->mtu <= MTU_MAX));
	FUZZ_CHECK(c->ip4.prefix_len >= -1 && c->ip4.prefix_len <= 32);
	FUZZ_CHECK(c->ip6.prefix_len >= -1 && c->ip6.prefix_len <= 128);
	FUZZ_CHECK(c->flow_max >= 1 && c->flow_max <= FLOW_MAX_LIMIT);
	FUZZ_CHECK(c->stats_interval <= STATS_INTERVAL_MAX);
	FUZZ_CHECK(!g->log_size ||
		   (g->log_size >= LOG_SIZE_MIN && g->log_size <= LOG_SIZE_MAX));
	FUZZ_CHECK(c->fd_tap_given == -1 || c->fd_tap_given > 2);

	fuzz_check_fwd(&c->fwd->tcp_in);
	fuzz_check_fwd(&c->fwd->udp_in);
	fuzz_check_fwd(&c->fwd->tcp_out);
	fuzz_check_fwd(&c->fwd->udp_out);

	/* Each mode's options only where they belong */
	if (c->mode == MODE_PASST) {
		FUZZ_CHECK(!c->pasta.netns[0] && !c->pasta.userns[0]);
		FUZZ_CHECK(!c->pasta.config_net && !c->pasta.ifname[0]);
		FUZZ_CHECK(!c->pasta.argv && !c->pasta.attach_pid);
		FUZZ_CHECK(c->fwd->tcp_out.mode == FWD_UNSET &&
			   c->fwd->udp_out.mode == FWD_UNSET);
		FUZZ_CHECK(!c->no_splice && !c->splice_only);
	} else {
		/* -F is both modes': a tap device for pasta, not one-off */
		FUZZ_CHECK(!c->sock_path[0]);
		FUZZ_CHECK(!c->one_off);
	}

	switch (rc) {
	case CONF_OK:
		/* A rejected -M may leave its value: only checked here */
		FUZZ_CHECK(!(c->our_tap_mac[0] & 1) &&
			   !(c->pasta.ns_mac[0] & 1));
		FUZZ_CHECK(!(g->v4_only && g->v6_only));
		FUZZ_CHECK(!(g->debug && g->quiet));
		if (c->pasta.argv) {
			FUZZ_CHECK(c->pasta.argc >= 1 &&
				   c->pasta.argv + c->pasta.argc == argv + argc);
			FUZZ_CHECK(!c->pasta.netns[0]);
		}
		FUZZ_CHECK(!c->pasta.userns[0] || c->pasta.netns[0] ||
			   c->pasta.attach_pid);
		/* No tap device: nothing about one, no link services */
		if (c->splice_only) {
			FUZZ_CHECK(!c->no_splice && !c->pasta.config_net &&
				   !c->pasta.ifname[0] &&
				   c->fd_tap_given == -1 &&
				   mac_is_zero(c->pasta.ns_mac));
			FUZZ_CHECK(c->no_icmp && c->no_dhcp && c->no_ndp &&
				   c->no_dhcpv6 && c->no_ra &&
				   g->host_lo_to_ns_lo);
		}
		break;
	case CONF_ERROR:
	case CONF_HELP:
	case CONF_VERSION:
	case CONF_SYSCALLS:
	case CONF_CAPS:
		break;
	default:
		FUZZ_CHECK(!"unknown conf_parse() result");
	}
}

/**
 * fuzz_specs() - Give each argument to fwd_parse_spec(), in order
 * @argc:	Argument count, argv[0] included
 * @argv:	Arguments
 * @allow_auto:	Accept "auto"
 */
static void fuzz_specs(int argc, char **argv, bool allow_auto)
{
	char err[CONF_ERR_LEN];
	int i;

	memset(&fuzz_fp, 0, sizeof(fuzz_fp));
	for (i = 1; i < argc; i++) {
		int rc;

		memcpy(&fuzz_fp_before, &fuzz_fp, sizeof(fuzz_fp));
		err[0] = '\0';
		rc = fwd_parse_spec(&fuzz_fp, argv[i], allow_auto, err,
				    sizeof(err));
		FUZZ_CHECK(!rc || rc == -EINVAL);
		FUZZ_CHECK(fuzz_str_ok(err, sizeof(err)));
		if (rc) {
			FUZZ_CHECK(err[0]);
			FUZZ_CHECK(!memcmp(&fuzz_fp_before, &fuzz_fp,
					   sizeof(fuzz_fp)));
		}
		fuzz_check_fwd(&fuzz_fp);
	}
}

/**
 * LLVMFuzzerInitialize() - Once, before the first input
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	/* getopt_long() writes to the stream; libFuzzer keeps its own */
	if (null)
		stderr = null;
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Parse one command line
 * @data:	Flags byte, then NUL-separated arguments
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_ARGS_MAX + 2], *buf, *p, *end;
	char err[CONF_ERR_LEN];
	enum conf_result rc;
	int argc = 1;

	if (!size)
		return 0;

	/* Arguments, each NUL-terminated in one exact-size buffer */
	buf = malloc(size);
	FUZZ_CHECK(buf);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[0] = data[0] & 1 ? "pasta" : "passt";
	for (p = buf, end = buf + size - 1; p < end && argc <= FUZZ_ARGS_MAX;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	conf_init_ctx(&fuzz_c, argv[0]);
	FUZZ_CHECK(fuzz_c.mode == (data[0] & 1 ? MODE_PASTA : MODE_PASST));
	memset(err, 0x55, sizeof(err));
	rc = conf_parse(&fuzz_c, &fuzz_g, argc, argv, err, sizeof(err));
	FUZZ_CHECK(fuzz_str_ok(err, sizeof(err)));
	fuzz_check_ctx(&fuzz_c, &fuzz_g, rc, argc, argv);

	fuzz_specs(argc, argv, data[0] & 2);

	free(buf);
	return 0;
}
