// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_fwd_spec.c - libFuzzer harness for what fwd_parse_spec() means
 *
 * fuzz_conf already gives fwd_parse_spec() arbitrary strings and checks
 * that what it stores is sane. Here the input instead describes specs
 * (the arguments of repeated -t options, say), which the harness writes
 * out as text and, independently of fwd_spec.c, works out from the rules
 * of the syntax (see the top of fwd_spec.c and passt(1)): accepted or not,
 * the mode, and, for every port from 1 to 65535, whether it is forwarded
 * and to which port, with the listening address and interface of the
 * rule that forwards it. fwd_parse_spec() and fwd_port_is_forwarded() must
 * agree with that, for each spec in turn.
 *
 * Input layout:
 *
 *	byte 0		bit 0: "auto" is allowed (pasta)
 *	then specs	each starts with a byte K:
 *			K % 8 = 0 "none", 1 "auto", 2 "all", else a list:
 *			K / 8 picks the BIND part (fuzz_binds[]), the next
 *			byte N gives N % 8 + 1 items, each of 7 bytes:
 *			kind, A (2 bytes), B (2 bytes), C (2 bytes)
 *
 * An item's kind byte: bits 0-1 P, A-B, P:Q or A-B:C-D; bit 2 '~'; bit 3
 * make the target range as long as the source (else C-D is C to B); bit 4
 * leading zeros; bit 5 push A beyond 65535 ("6" in front); bit 6 an empty
 * item instead. Out-of-range ports, reversed ranges and the like are
 * generated on purpose: the model says which must be refused.
 */

#include "../../fwd_spec.c"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SPECS_MAX		8
#define FUZZ_ITEM_LEN		7
#define FUZZ_SPEC_LEN		512

/**
 * struct fuzz_bind - A BIND part, and what it means
 * @text:	As written, before the '/', NULL for no BIND at all
 * @ok:		Valid
 * @af:		Address family of the rule, AF_UNSPEC for none
 * @addr:	Address, as text, if @af is set
 * @ifname:	Interface, or empty
 */
struct fuzz_bind {
	const char *text;
	bool ok;
	int af;
	const char *addr;
	const char *ifname;
};

static const struct fuzz_bind fuzz_binds[] = {
	{ NULL,				true,	AF_UNSPEC, NULL, "" },
	{ "198.51.100.5",		true,	AF_INET, "198.51.100.5", "" },
	{ "2001:db8::5",		true,	AF_INET6, "2001:db8::5", "" },
	{ "[2001:db8::5]",		true,	AF_INET6, "2001:db8::5", "" },
	{ "%eth0",			true,	AF_UNSPEC, NULL, "eth0" },
	{ "198.51.100.5%lo",		true,	AF_INET, "198.51.100.5", "lo" },
	{ "[fe80::1]%veth-a.b",		true,	AF_INET6, "fe80::1",
					"veth-a.b" },
	{ "::ffff:198.51.100.7",	true,	AF_INET, "198.51.100.7", "" },
	{ "0.0.0.0",			true,	AF_INET, "0.0.0.0", "" },
	{ "::",				true,	AF_INET6, "::", "" },
	{ "%abcdefghijklmno",		true,	AF_UNSPEC, NULL,
					"abcdefghijklmno" },
	{ "%abcdefghijklmnop",		false,	0, NULL, NULL },
	{ "[198.51.100.5]",		false,	0, NULL, NULL },
	{ "",				false,	0, NULL, NULL },
	{ "%",				false,	0, NULL, NULL },
	{ "%a:b",			false,	0, NULL, NULL },
	{ "%..",			false,	0, NULL, NULL },
	{ "198.51.100.256",		false,	0, NULL, NULL },
	{ "[2001:db8::5",		false,	0, NULL, NULL },
	{ "host",			false,	0, NULL, NULL },
};

/* The model: what the specs so far mean */
static enum fwd_mode fuzz_mode;
static unsigned fuzz_nrules;
static struct {
	unsigned first, last, to;
	const struct fuzz_bind *b;
} fuzz_rules[FWD_RULES_MAX];
static bool fuzz_excl[NUM_PORTS];
static uint32_t fuzz_to[NUM_PORTS];	/* target + 1 by the first rule */
static unsigned fuzz_edges[FUZZ_SPECS_MAX * 8 * 2];	/* of exclusions */
static unsigned fuzz_nedges;

static struct fwd_ports fuzz_fp, fuzz_fp_before;

/**
 * fuzz_item() - Write one item, and check it as the syntax says
 * @d:		7 bytes of input
 * @out:	Output, advanced
 * @end:	End of the output space
 * @it:		Item, as the model reads it, set if valid
 *
 * Return: true if the item is valid
 */
static bool fuzz_item(const uint8_t *d, char **out, const char *end,
		      struct fwd_spec_item *it)
{
	unsigned kind = d[0] & 3, a = (unsigned)d[1] << 8 | d[2];
	unsigned b = (unsigned)d[3] << 8 | d[4], c = (unsigned)d[5] << 8 | d[6];
	const char *z = d[0] & 0x10 ? "00" : "";
	const char *six = d[0] & 0x20 ? "6" : "";
	bool excl = d[0] & 4, ranged = kind & 1, mapped = kind & 2;
	unsigned first = a, last = ranged ? b : a, to = c, to_last;
	bool ok = true;
	int n;

	if (d[0] & 0x40)
		return false;			/* empty item */

	if (*six)
		first = 6 * (a >= 10000 ? 100000 : a >= 1000 ? 10000 :
			     a >= 100 ? 1000 : a >= 10 ? 100 : 10) + a;
	if (!ranged)
		last = first;
	to_last = d[0] & 8 ? to + (last - first) : (ranged ? b : to);
	if (last < first)
		to_last = to;		/* not looked at: the item is bad */

	n = snprintf(*out, (size_t)(end - *out), "%s%s%s%u", excl ? "~" : "",
		     z, six, a);
	*out += n;
	if (ranged) {
		n = snprintf(*out, (size_t)(end - *out), "-%s%u", z, b);
		*out += n;
	}
	if (mapped) {
		n = snprintf(*out, (size_t)(end - *out), ":%s%u", z, to);
		*out += n;
		if (ranged) {
			n = snprintf(*out, (size_t)(end - *out), "-%u",
				     to_last);
			*out += n;
		}
	}

	if (!first || first > 65535 || !last || last > 65535 || last < first)
		ok = false;
	if (mapped) {
		if (excl || !to || to > 65535 || to_last > 65535 ||
		    to_last < to || to_last - to != last - first)
			ok = false;
	}
	it->exclude = excl;
	it->first = (uint16_t)first;
	it->last = (uint16_t)last;
	it->to = (uint16_t)(mapped ? to : first);
	return ok;
}

/**
 * fuzz_check_port() - One port, as the model and fwd.c see it
 * @p:		Port, 1 to 65535
 */
static void fuzz_check_port(unsigned p)
{
	bool fwd = false, got;
	uint16_t got_to = 0;
	unsigned to = 0;

	if (!fuzz_excl[p]) {
		if (fuzz_mode == FWD_ALL || fuzz_mode == FWD_AUTO) {
			fwd = true;
			to = p;
		} else if (fuzz_mode == FWD_SPEC && fuzz_to[p]) {
			fwd = true;
			to = fuzz_to[p] - 1;
		}
	}
	got = fwd_port_is_forwarded(&fuzz_fp, (uint16_t)p, &got_to);
	if (got != fwd || (fwd && got_to != to)) {
		fprintf(stderr, "port %u: %s %u, expected %s %u\n", p,
			got ? "to" : "not forwarded", got_to,
			fwd ? "to" : "not forwarded", to);
		FUZZ_CHECK(!"port forwarded wrongly");
	}
	FUZZ_CHECK(fwd_port_excluded(&fuzz_fp, (uint16_t)p) == fuzz_excl[p]);
}

/**
 * fuzz_check_edges() - A port and its neighbours, those that exist
 * @p:		Port
 */
static void fuzz_check_edges(unsigned p)
{
	unsigned q;

	for (q = p > 1 ? p - 1 : 1; q <= p + 1 && q < NUM_PORTS; q++)
		fuzz_check_port(q);
}

/**
 * fuzz_check_ports() - Rules, and ports at every edge, some others
 * @seed:	Picks the others
 *
 * Every port would take milliseconds: the edges of each rule and
 * exclusion are where it can go wrong, and the others are a sample.
 */
static void fuzz_check_ports(uint32_t seed)
{
	unsigned i;

	FUZZ_CHECK(fuzz_fp.mode == fuzz_mode);
	FUZZ_CHECK(fuzz_fp.n_rules == fuzz_nrules);
	for (i = 0; i < fuzz_nrules; i++) {
		const struct fwd_rule *r = &fuzz_fp.rules[i];
		const struct fuzz_bind *b = fuzz_rules[i].b;
		union inany_addr a = { 0 };

		FUZZ_CHECK(r->first == fuzz_rules[i].first &&
			   r->last == fuzz_rules[i].last &&
			   r->to == fuzz_rules[i].to);
		FUZZ_CHECK(r->af == b->af);
		FUZZ_CHECK(!strcmp(r->ifname, b->ifname));
		if (b->af != AF_UNSPEC) {
			FUZZ_CHECK(inany_pton(b->addr, &a) > 0);
			FUZZ_CHECK(inany_equals(&r->addr, &a));
		}
		fuzz_check_edges(fuzz_rules[i].first);
		fuzz_check_edges(fuzz_rules[i].last);
	}
	for (i = 0; i < fuzz_nedges; i++)
		fuzz_check_edges(fuzz_edges[i]);
	fuzz_check_edges(1);
	fuzz_check_edges(65535);
	for (i = 0; i < 64; i++) {
		seed = seed * 1103515245U + 12345U;
		fuzz_check_port(1 + (seed >> 8) % 65535);
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
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Parse a sequence of generated specs
 * @data:	Flags, then spec descriptions, see above
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwd_spec_item items[8];
	char spec[FUZZ_SPEC_LEN], err[256];
	bool allow_auto, items_ok[8];
	unsigned nspecs = 0;
	size_t off = 1;

	if (!size)
		return 0;
	allow_auto = data[0] & 1;
	memset(&fuzz_fp, 0, sizeof(fuzz_fp));
	fuzz_mode = FWD_UNSET;
	fuzz_nrules = 0;
	memset(fuzz_excl, 0, sizeof(fuzz_excl));
	memset(fuzz_to, 0, sizeof(fuzz_to));
	fuzz_nedges = 0;

	while (off < size && nspecs++ < FUZZ_SPECS_MAX) {
		const struct fuzz_bind *b = &fuzz_binds[0];
		unsigned k = data[off++], nitems = 0, n_fwd = 0, i;
		bool ok = true, all_items_ok = true;
		char *o = spec, *end = spec + sizeof(spec);
		enum fwd_mode mode = fuzz_mode;
		int rc;

		switch (k % 8) {
		case 0:
			snprintf(spec, sizeof(spec), "none");
			ok = fuzz_mode == FWD_UNSET;
			mode = FWD_NONE;
			break;
		case 1:
		case 2:
			snprintf(spec, sizeof(spec), k % 8 == 1 ? "auto" : "all");
			ok = fuzz_mode == FWD_UNSET && (k % 8 == 2 || allow_auto);
			mode = k % 8 == 1 ? FWD_AUTO : FWD_ALL;
			break;
		default:
			b = &fuzz_binds[(k / 8) % ARRAY_SIZE(fuzz_binds)];
			if (off == size)
				return 0;
			nitems = data[off++] % 8 + 1;
			if (size - off < nitems * FUZZ_ITEM_LEN)
				return 0;
			if (b->text)
				o += snprintf(o, (size_t)(end - o), "%s/",
					      b->text);
			for (i = 0; i < nitems; i++) {
				if (i)
					*o++ = ',';
				items_ok[i] = fuzz_item(data + off, &o, end,
							&items[i]);
				off += FUZZ_ITEM_LEN;
				all_items_ok &= items_ok[i];
				if (items_ok[i] && !items[i].exclude)
					n_fwd++;
			}
			*o = '\0';

			ok = b->ok && all_items_ok &&
			     fuzz_mode != FWD_NONE;
			if (n_fwd) {
				if (fuzz_mode == FWD_AUTO ||
				    fuzz_mode == FWD_ALL ||
				    fuzz_nrules + n_fwd > FWD_RULES_MAX)
					ok = false;
				mode = FWD_SPEC;
			} else {
				if (b->text)
					ok = false;
				if (fuzz_mode == FWD_UNSET)
					mode = FWD_ALL;
			}
		}
		if (fuzz_mode == FWD_NONE)
			ok = false;

		memcpy(&fuzz_fp_before, &fuzz_fp, sizeof(fuzz_fp));
		err[0] = '\0';
		rc = fwd_parse_spec(&fuzz_fp, spec, allow_auto, err,
				    sizeof(err));
		if (!!rc == ok) {
			fprintf(stderr, "spec '%s': %s, expected %s (%s)\n",
				spec, rc ? "refused" : "accepted",
				ok ? "accepted" : "refused", err);
			FUZZ_CHECK(!"spec accepted or refused wrongly");
		}
		if (rc) {
			FUZZ_CHECK(err[0]);
			FUZZ_CHECK(!memcmp(&fuzz_fp_before, &fuzz_fp,
					   sizeof(fuzz_fp)));
			continue;
		}

		/* Accepted: what the model now holds */
		fuzz_mode = mode;
		for (i = 0; i < nitems; i++) {
			unsigned p;

			if (items[i].exclude) {
				for (p = items[i].first; p <= items[i].last;
				     p++)
					fuzz_excl[p] = true;
				fuzz_edges[fuzz_nedges++] = items[i].first;
				fuzz_edges[fuzz_nedges++] = items[i].last;
				continue;
			}
			for (p = items[i].first; p <= items[i].last; p++) {
				if (!fuzz_to[p])
					fuzz_to[p] = p - items[i].first +
						     items[i].to + 1U;
			}
			fuzz_rules[fuzz_nrules].first = items[i].first;
			fuzz_rules[fuzz_nrules].last = items[i].last;
			fuzz_rules[fuzz_nrules].to = items[i].to;
			fuzz_rules[fuzz_nrules].b = b;
			fuzz_nrules++;
		}
		fuzz_check_ports((uint32_t)off * 2654435761U);
	}
	return 0;
}
