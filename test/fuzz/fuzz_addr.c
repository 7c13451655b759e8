// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_addr.c - libFuzzer harness for what the address options mean
 *
 * fuzz_conf gives conf_parse() whole command lines and checks that the
 * context stays sane. Here one address option at a time goes through
 * conf_parse(), and the result is checked against what passt(1) says the
 * option takes, worked out independently of conf.c: accepted or refused,
 * and, if accepted, the field it sets, to the address given.
 *
 * Input layout:
 *
 *	byte 0		option, fuzz_opts[] index (modulo its size); bit 7:
 *			argv[0] is "pasta", else "passt"
 *	then		the option's value (up to the first NUL byte)
 *
 * What the options take:
 *  - an address is IPv4 in dotted-quad form or IPv6 (inet_pton()), an
 *    IPv4-mapped IPv6 address standing for its IPv4 address, as it does
 *    for sockets and in port specs (fwd_spec.c)
 *  - -a ADDR[/PREFIX]: no unspecified, multicast or loopback address; the
 *    prefix length is decimal digits only, up to 32 for IPv4, 128 for IPv6;
 *    the whole value no longer than INET6_ADDRSTRLEN + 8 - 1 characters
 *    (the longest address, a '/', and leading zeros to spare)
 *  - -n MASK: a prefix length (digits, up to 32) or a contiguous dotted-quad
 *    netmask
 *  - -g, --dns-forward, --map-host-loopback, --map-guest-addr: an address,
 *    not unspecified, multicast or loopback
 *  - -o, --dns-host, -D: an address, not unspecified or multicast (-D also
 *    takes "none" or nothing at all)
 */

#include "../../conf.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PASTA		0x80
#define FUZZ_VAL_MAX		128

/**
 * enum fuzz_rule - What an option accepts
 * @FUZZ_ADDR_PLEN:	-a
 * @FUZZ_MASK:		-n
 * @FUZZ_NO_LO:		address, not unspecified, multicast, loopback
 * @FUZZ_LO_OK:		address, not unspecified or multicast
 * @FUZZ_DNS:		as FUZZ_LO_OK, or "none", or empty
 */
enum fuzz_rule {
	FUZZ_ADDR_PLEN,
	FUZZ_MASK,
	FUZZ_NO_LO,
	FUZZ_LO_OK,
	FUZZ_DNS,
};

/**
 * struct fuzz_opt - An option, the rule it follows, the fields it sets
 * @name:	Long option
 * @rule:	What it takes
 * @f4:		Offset of its IPv4 field in struct ctx
 * @f6:		Offset of its IPv6 field, or -1 for none
 */
struct fuzz_opt {
	const char *name;
	enum fuzz_rule rule;
	long f4, f6;
};

#define F4(f)	((long)offsetof(struct ctx, f))
static const struct fuzz_opt fuzz_opts[] = {
	{ "--address",		FUZZ_ADDR_PLEN,	F4(ip4.addr),	F4(ip6.addr) },
	{ "--netmask",		FUZZ_MASK,	-1,		-1 },
	{ "--gateway",		FUZZ_NO_LO,	F4(ip4.gw),	F4(ip6.gw) },
	{ "--outbound",		FUZZ_LO_OK,	F4(ip4.addr_out),
						F4(ip6.addr_out) },
	{ "--dns",		FUZZ_DNS,	F4(ip4.dns[0]),	F4(ip6.dns[0]) },
	{ "--dns-forward",	FUZZ_NO_LO,	F4(ip4.dns_match),
						F4(ip6.dns_match) },
	{ "--dns-host",		FUZZ_LO_OK,	F4(ip4.dns_host),
						F4(ip6.dns_host) },
	{ "--map-host-loopback", FUZZ_NO_LO,	F4(ip4.map_host_loopback),
						F4(ip6.map_host_loopback) },
	{ "--map-guest-addr",	FUZZ_NO_LO,	F4(ip4.map_guest_addr),
						F4(ip6.map_guest_addr) },
};
#undef F4

static struct ctx fuzz_c;
static struct conf_given fuzz_g;

/**
 * fuzz_digits() - A prefix length: decimal digits only, saturating
 * @s:		String
 * @v:		Value, set if digits
 *
 * Return: true if @s is one or more digits and nothing else
 */
static bool fuzz_digits(const char *s, unsigned long *v)
{
	*v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (*v < 1000)
			*v = *v * 10 + (unsigned long)(*s - '0');
	}
	return true;
}

/**
 * fuzz_parse() - An address as the options take it
 * @s:		String
 * @a4:		IPv4 address, set for IPv4 (IPv4-mapped included)
 * @a6:		IPv6 address, set for IPv6
 *
 * Return: 4, 6, or 0 if not an address
 */
static int fuzz_parse(const char *s, struct in_addr *a4, struct in6_addr *a6)
{
	if (inet_pton(AF_INET, s, a4) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, a6) != 1)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(a4, &a6->s6_addr[12], 4);
		return 4;
	}
	return 6;
}

/**
 * fuzz_usable() - Address allowed by a rule?
 * @fam:	4 or 6
 * @a4:		IPv4 address
 * @a6:		IPv6 address
 * @lo_ok:	Loopback allowed
 *
 * Return: true if so
 */
static bool fuzz_usable(int fam, struct in_addr a4, const struct in6_addr *a6,
			bool lo_ok)
{
	if (fam == 4) {
		uint32_t h = ntohl(a4.s_addr);

		return h && (h >> 28) != 0xe && (lo_ok || (h >> 24) != 127);
	}
	return !IN6_IS_ADDR_UNSPECIFIED(a6) && a6->s6_addr[0] != 0xff &&
	       (lo_ok || !IN6_IS_ADDR_LOOPBACK(a6));
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
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	opterr = 0;		/* no getopt_long() complaints, ours still show */
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Give one address option one value
 * @data:	Option selector, then the value
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char val[FUZZ_VAL_MAX + 1], err[CONF_ERR_LEN], addr[FUZZ_VAL_MAX + 1];
	const struct fuzz_opt *o;
	struct in6_addr a6 = IN6ADDR_ANY_INIT;
	struct in_addr a4 = { 0 };
	bool ok = false, pasta;
	unsigned long plen = 0;
	char *argv[4], *slash;
	enum conf_result rc;
	size_t len;
	int fam = 0;

	if (!size || size - 1 > FUZZ_VAL_MAX)
		return 0;
	o = &fuzz_opts[(data[0] & 0x7f) % ARRAY_SIZE(fuzz_opts)];
	pasta = data[0] & FUZZ_PASTA;
	len = strnlen((const char *)data + 1, size - 1);
	memcpy(val, data + 1, len);
	val[len] = '\0';

	/* The model */
	memcpy(addr, val, len + 1);
	slash = o->rule == FUZZ_ADDR_PLEN ? strchr(addr, '/') : NULL;
	if (slash)
		*slash++ = '\0';
	switch (o->rule) {
	case FUZZ_MASK:
		if (fuzz_digits(val, &plen)) {
			ok = plen <= 32;
		} else if (inet_pton(AF_INET, val, &a4) == 1) {
			uint32_t m = ntohl(a4.s_addr);

			plen = (unsigned long)__builtin_popcount(m);
			ok = !plen || m == ~0U << (32 - plen);
		}
		break;
	case FUZZ_DNS:
		if (!*val || !strcmp(val, "none")) {
			ok = true;
			break;
		}
		/* fall through */
	case FUZZ_ADDR_PLEN:
	case FUZZ_NO_LO:
	case FUZZ_LO_OK:
		fam = fuzz_parse(addr, &a4, &a6);
		ok = fam && fuzz_usable(fam, a4, &a6, o->rule == FUZZ_LO_OK ||
						     o->rule == FUZZ_DNS);
		if (slash)
			ok = ok && fuzz_digits(slash, &plen) &&
			     plen <= (fam == 4 ? 32U : 128U);
		if (o->rule == FUZZ_ADDR_PLEN && len >= INET6_ADDRSTRLEN + 8)
			ok = false;
		break;
	}

	conf_init_ctx(&fuzz_c, pasta ? "pasta" : "passt");
	argv[0] = pasta ? "pasta" : "passt";
	argv[1] = (char *)o->name;
	argv[2] = val;
	argv[3] = NULL;
	rc = conf_parse(&fuzz_c, &fuzz_g, 3, argv, err, sizeof(err));

	if ((rc == CONF_OK) != ok) {
		fprintf(stderr, "%s '%s': %s, expected %s (%s)\n", o->name,
			val, rc == CONF_OK ? "accepted" : "refused",
			ok ? "accepted" : "refused", err);
		FUZZ_CHECK(!"option accepted or refused wrongly");
	}
	if (!ok)
		return 0;

	if (o->rule == FUZZ_MASK) {
		FUZZ_CHECK(fuzz_c.ip4.prefix_len == (int)plen);
		return 0;
	}
	if (o->rule == FUZZ_DNS && !fam) {
		FUZZ_CHECK(!fuzz_c.ip4.dns_count && !fuzz_c.ip6.dns_count);
		return 0;
	}
	if (fam == 4) {
		FUZZ_CHECK(!memcmp((const char *)&fuzz_c + o->f4, &a4,
				   sizeof(a4)));
		if (o->rule == FUZZ_DNS)
			FUZZ_CHECK(fuzz_c.ip4.dns_count == 1 &&
				   !fuzz_c.ip6.dns_count);
		if (slash)
			FUZZ_CHECK(fuzz_c.ip4.prefix_len == (int)plen);
	} else {
		FUZZ_CHECK(!memcmp((const char *)&fuzz_c + o->f6, &a6,
				   sizeof(a6)));
		if (o->rule == FUZZ_DNS)
			FUZZ_CHECK(fuzz_c.ip6.dns_count == 1 &&
				   !fuzz_c.ip4.dns_count);
		if (slash)
			FUZZ_CHECK(fuzz_c.ip6.prefix_len == (int)plen);
	}
	return 0;
}
