// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_spec.c - parse port forwarding specs: the -t, -u, -T, -U options
 *
 * Theory of operation: each occurrence of the option is one spec, and every
 * spec given for a protocol and direction adds to the same struct fwd_ports.
 * A spec is one of:
 *
 *	none		nothing is forwarded
 *	auto		follow the other side's listening sockets (pasta only)
 *	all		every port
 *	[BIND/]LIST	the ports in LIST
 *
 * where BIND is ADDR, ADDR%IFACE or %IFACE. ADDR is IPv4 or IPv6; IPv6 may
 * be in brackets, and as items never contain '/', the last '/' is the one
 * that ends BIND, so "::1/22" is port 22 on ::1. LIST is a comma-separated
 * list of items:
 *
 *	P		port P
 *	A-B		ports A to B
 *	P:Q		port P, forwarded to port Q
 *	A-B:C-D		ports A to B, forwarded to C to D (same length)
 *	~P, ~A-B	never forward these ports, whatever else says so
 *
 * Ports go from 1 to 65535. Each item that is not an exclusion becomes one
 * struct fwd_rule carrying BIND; exclusions set bits in the exclude bitmap,
 * which applies to every rule and mode, whatever the address.
 *
 * Combining specs:
 *  - "none", "auto" and "all" must be the first spec given, and nothing may
 *    follow "none";
 *  - a list with at least one port sets FWD_SPEC, and it can't follow
 *    "auto", "all", or an exclusion-only list (which means "all");
 *  - a list made only of exclusions means "all except these" if it comes
 *    first, and else just adds its exclusions to the mode already set
 *    ("-t all -t ~22", "-t 20-30 -t ~25"). It takes no BIND: the exclude
 *    bitmap has no address, and silently dropping one would mislead.
 *
 * A spec is checked completely before anything is stored, so a rejected
 * spec leaves @fp as it was. Overlapping rules are accepted; the first one
 * given wins in fwd_port_is_forwarded().
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "inany.h"
#include "fwd.h"

#define FWD_PORT_MAX		65535U

/**
 * struct fwd_spec_bind - Listening address and interface of a spec
 * @addr:	Address, if @af is not AF_UNSPEC
 * @af:		AF_INET, AF_INET6, or AF_UNSPEC for no address
 * @ifname:	Interface name, or empty
 */
struct fwd_spec_bind {
	union inany_addr addr;
	int af;
	char ifname[IFNAMSIZ];
};

/**
 * struct fwd_spec_item - One item of a port list
 * @exclude:	Given as '~...'
 * @first:	First port
 * @last:	Last port
 * @to:		Target port of @first, @first if no ':'
 */
struct fwd_spec_item {
	bool exclude;
	uint16_t first;
	uint16_t last;
	uint16_t to;
};

/**
 * fwd_spec_err() - Format an error message, if there's a buffer for it
 * @errbuf:	Buffer, may be NULL
 * @errlen:	Size of @errbuf, may be 0
 * @fmt:	Format string
 *
 * Return: -EINVAL
 */
__attribute__((format(printf, 3, 4)))
static int fwd_spec_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (errbuf && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/**
 * fwd_spec_len() - Length of a substring, as a precision for "%.*s"
 * @len:	Length
 *
 * Return: @len, capped at INT_MAX
 */
static int fwd_spec_len(size_t len)
{
	return len > INT_MAX ? INT_MAX : (int)len;
}

/**
 * fwd_spec_port() - Parse a decimal port number
 * @p:		Cursor, advanced past the digits
 * @end:	End of the item
 * @port:	Result, set only on success
 *
 * Return: 0 on success, -EINVAL if there are no digits at @p, -ERANGE if the
 *	   number is 0 or above 65535
 */
static int fwd_spec_port(const char **p, const char *end, uint16_t *port)
{
	const char *s = *p;
	unsigned long v = 0;

	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;

	/* Keep consuming digits past the limit, without overflowing */
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v <= FWD_PORT_MAX)
			v = v * 10 + (unsigned long)(*s - '0');
	}
	*p = s;

	if (!v || v > FWD_PORT_MAX)
		return -ERANGE;

	*port = (uint16_t)v;
	return 0;
}

/**
 * fwd_spec_range() - Parse a port or a port range: P or A-B
 * @p:		Cursor, advanced past the range
 * @end:	End of the item
 * @first:	First port
 * @last:	Last port, equal to @first for a single port
 * @why:	Set to the reason on failure, "" for a syntax error
 *
 * Return: 0 on success, -EINVAL on failure
 */
static int fwd_spec_range(const char **p, const char *end, uint16_t *first,
			  uint16_t *last, const char **why)
{
	static const char *range_why = ": ports go from 1 to 65535";
	int rc;

	*why = "";

	rc = fwd_spec_port(p, end, first);
	if (rc == -ERANGE)
		*why = range_why;
	if (rc)
		return -EINVAL;

	if (*p == end || **p != '-') {
		*last = *first;
		return 0;
	}

	(*p)++;
	rc = fwd_spec_port(p, end, last);
	if (rc == -ERANGE)
		*why = range_why;
	if (rc)
		return -EINVAL;

	if (*first > *last) {
		*why = ": first port is above last";
		return -EINVAL;
	}

	return 0;
}

/**
 * fwd_spec_item_parse() - Parse one item of a port list
 * @s:		Item, not NUL-terminated
 * @len:	Length of @s
 * @it:		Result
 * @why:	Set to the reason on failure, "" for a syntax error
 *
 * Return: 0 on success, -EINVAL on failure
 */
static int fwd_spec_item_parse(const char *s, size_t len,
			       struct fwd_spec_item *it, const char **why)
{
	const char *p = s, *end = s + len;
	uint16_t to_last;

	*why = "";
	it->exclude = false;

	if (p < end && *p == '~') {
		it->exclude = true;
		p++;
	}

	if (fwd_spec_range(&p, end, &it->first, &it->last, why))
		return -EINVAL;
	it->to = it->first;

	if (p < end && *p == ':') {
		if (it->exclude) {
			*why = ": an excluded port has no target";
			return -EINVAL;
		}

		p++;
		if (fwd_spec_range(&p, end, &it->to, &to_last, why))
			return -EINVAL;

		if (to_last - it->to != it->last - it->first) {
			*why = ": ranges differ in length";
			return -EINVAL;
		}
	}

	if (p != end) {
		*why = "";
		return -EINVAL;
	}

	return 0;
}

/**
 * fwd_spec_ifname_ok() - Could this be the name of a network interface?
 * @s:		Name, not NUL-terminated
 * @len:	Length of @s, at least 1 and below IFNAMSIZ
 *
 * Same rules as the kernel's dev_valid_name(), and no '%': the kernel takes
 * that as a pattern when it creates a device, so no device has one.
 *
 * Return: true if valid
 */
static bool fwd_spec_ifname_ok(const char *s, size_t len)
{
	size_t i;

	if ((len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;

	for (i = 0; i < len; i++) {
		if (s[i] == '/' || s[i] == ':' || s[i] == '%' ||
		    s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return false;
	}

	return true;
}

/**
 * fwd_spec_bind_parse() - Parse the ADDR, ADDR%IFACE or %IFACE part of a spec
 * @spec:	Whole spec, for messages
 * @len:	Length of the part, at the start of @spec, without the '/'
 * @b:		Result
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure
 */
static int fwd_spec_bind_parse(const char *spec, size_t len,
			       struct fwd_spec_bind *b,
			       char *errbuf, size_t errlen)
{
	const char *pct = memchr(spec, '%', len);
	size_t alen = pct ? (size_t)(pct - spec) : len;
	char buf[INANY_ADDRSTRLEN];
	const char *a = spec;
	size_t n = alen;
	bool bracket = false;
	int af;

	if (!len) {
		return fwd_spec_err(errbuf, errlen,
				    "Missing address or interface before '/' in '%s'",
				    spec);
	}

	if (pct) {
		const char *ifn = pct + 1;
		size_t ilen = len - alen - 1;

		if (!ilen) {
			return fwd_spec_err(errbuf, errlen,
					    "Missing interface name after '%%' in '%s'",
					    spec);
		}
		if (ilen >= IFNAMSIZ) {
			return fwd_spec_err(errbuf, errlen,
					    "Interface name too long in '%s'",
					    spec);
		}
		if (!fwd_spec_ifname_ok(ifn, ilen)) {
			return fwd_spec_err(errbuf, errlen,
					    "Bad interface name '%.*s' in '%s'",
					    fwd_spec_len(ilen), ifn, spec);
		}
		memcpy(b->ifname, ifn, ilen);
		b->ifname[ilen] = '\0';
	}

	if (!alen)	/* %IFACE/ */
		return 0;

	if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
		bracket = true;
		a++;
		n -= 2;
	}

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, a, n);
	buf[n] = '\0';

	af = inany_pton(buf, &b->addr);
	if (af < 0 || (bracket && af != AF_INET6))
		goto bad;

	/* "::ffff:1.2.3.4" is an IPv4 address as far as sockets go */
	b->af = inany_af(&b->addr);
	return 0;

bad:
	return fwd_spec_err(errbuf, errlen, "Bad address '%.*s' in '%s'",
			    fwd_spec_len(alen), spec, spec);
}

/**
 * fwd_spec_exclude() - Set exclude bits for a range of ports
 * @fp:		Forwarding configuration
 * @first:	First port
 * @last:	Last port
 */
static void fwd_spec_exclude(struct fwd_ports *fp, unsigned first,
			     unsigned last)
{
	unsigned port;

	for (port = first; port <= last; port++)
		fp->exclude[port / 8] |= (uint8_t)(1U << (port % 8));
}

/**
 * fwd_spec_list() - Check, or store, the items of a port list
 * @fp:		Forwarding configuration
 * @spec:	Whole spec, for messages
 * @list:	Port list: the part of @spec after the '/', if any
 * @b:		Listening address and interface for the rules
 * @apply:	Store rules and exclusions, else only check
 * @n_fwd:	Set to the count of items that aren't exclusions
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf
 *
 * Return: 0 on success, -EINVAL with a message in @errbuf on failure, only
 *	   possible if @apply is false
 */
static int fwd_spec_list(struct fwd_ports *fp, const char *spec,
			 const char *list, const struct fwd_spec_bind *b,
			 bool apply, unsigned *n_fwd,
			 char *errbuf, size_t errlen)
{
	const char *item = list;
	unsigned n = 0;

	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		struct fwd_spec_item it;
		const char *why;
		bool whole;

		/* Quote the item, and the spec too if there's more to it */
		whole = item == spec && !comma;

		if (!len) {
			return fwd_spec_err(errbuf, errlen,
					    "Empty item in port spec '%s'",
					    spec);
		}

		if (fwd_spec_item_parse(item, len, &it, &why)) {
			if (whole) {
				return fwd_spec_err(errbuf, errlen,
						    "Invalid port range '%s'%s",
						    spec, why);
			}
			return fwd_spec_err(errbuf, errlen,
					    "Invalid port range '%.*s'%s in '%s'",
					    fwd_spec_len(len), item, why, spec);
		}

		if (it.exclude) {
			if (apply)
				fwd_spec_exclude(fp, it.first, it.last);
			goto next;
		}

		if (fp->n_rules + n >= FWD_RULES_MAX) {
			return fwd_spec_err(errbuf, errlen,
					    "Too many port forwarding rules (at most %u) at '%.*s' in '%s'",
					    FWD_RULES_MAX, fwd_spec_len(len),
					    item, spec);
		}

		if (apply) {
			struct fwd_rule *r = &fp->rules[fp->n_rules + n];

			r->addr = b->addr;
			r->af = b->af;
			memcpy(r->ifname, b->ifname, sizeof(r->ifname));
			r->first = it.first;
			r->last = it.last;
			r->to = it.to;
		}
		n++;

next:
		if (!comma)
			break;
		item = comma + 1;
	}

	*n_fwd = n;
	return 0;
}

/**
 * fwd_parse_spec() - Parse one port forwarding spec, add it to @fp
 * @fp:		Forwarding configuration of one protocol and direction,
 *		zeroed before the first spec
 * @spec:	Spec, the argument of one -t, -u, -T or -U option
 * @allow_auto:	Accept "auto" (pasta)
 * @errbuf:	Buffer for an error message, may be NULL
 * @errlen:	Size of @errbuf
 *
 * See the theory of operation at the top of this file for the syntax and for
 * how specs combine. On failure, @fp is left as it was.
 *
 * Return: 0 on success, -EINVAL with a message quoting the bad input in
 *	   @errbuf on failure
 */
int fwd_parse_spec(struct fwd_ports *fp, const char *spec, bool allow_auto,
		   char *errbuf, size_t errlen)
{
	struct fwd_spec_bind b = { .af = AF_UNSPEC };
	const char *slash, *list = spec;
	bool is_auto, is_all;
	unsigned n_fwd = 0;
	int rc;

	if (!strcmp(spec, "none")) {
		if (fp->mode != FWD_UNSET)
			goto none_conflict;
		fp->mode = FWD_NONE;
		return 0;
	}

	if (fp->mode == FWD_NONE)
		goto none_conflict;

	is_auto = !strcmp(spec, "auto");
	is_all = !strcmp(spec, "all");
	if (is_auto && !allow_auto) {
		return fwd_spec_err(errbuf, errlen,
				    "'auto' is only valid for pasta");
	}
	if (is_auto || is_all) {
		if (fp->mode != FWD_UNSET) {
			return fwd_spec_err(errbuf, errlen,
					    "'%s' can't be combined with other port specs",
					    spec);
		}
		fp->mode = is_auto ? FWD_AUTO : FWD_ALL;
		return 0;
	}

	slash = strrchr(spec, '/');
	if (slash) {
		rc = fwd_spec_bind_parse(spec, (size_t)(slash - spec), &b,
					 errbuf, errlen);
		if (rc)
			return rc;
		list = slash + 1;
	}

	if (!*list)
		return fwd_spec_err(errbuf, errlen, "No ports in '%s'", spec);

	/* A word, not a port list: say so rather than "Invalid port range" */
	if (list == spec && !strchr(spec, ',') &&
	    ((*spec >= 'a' && *spec <= 'z') || (*spec >= 'A' && *spec <= 'Z'))) {
		return fwd_spec_err(errbuf, errlen,
				    "Unknown port spec '%s': not none, all%s, or a list of ports",
				    spec, allow_auto ? ", auto" : "");
	}

	rc = fwd_spec_list(fp, spec, list, &b, false, &n_fwd, errbuf, errlen);
	if (rc)
		return rc;

	if (!n_fwd) {
		if (slash) {
			return fwd_spec_err(errbuf, errlen,
					    "Address or interface in '%s' has no effect on exclusions alone",
					    spec);
		}
		if (fp->mode == FWD_UNSET)
			fp->mode = FWD_ALL;
	} else {
		if (fp->mode == FWD_AUTO || fp->mode == FWD_ALL) {
			return fwd_spec_err(errbuf, errlen,
					    "Ports in '%s' can't be combined with %s",
					    spec, fp->mode == FWD_AUTO ?
					    "'auto'" :
					    "'all' or an earlier spec of exclusions alone");
		}
		fp->mode = FWD_SPEC;
	}

	/* Checked above: storing can't fail */
	rc = fwd_spec_list(fp, spec, list, &b, true, &n_fwd, errbuf, errlen);
	fp->n_rules += n_fwd;
	return rc;

none_conflict:
	if (!strcmp(spec, "none")) {
		return fwd_spec_err(errbuf, errlen,
				    "'none' can't be combined with other port specs");
	}
	return fwd_spec_err(errbuf, errlen,
			    "'none' can't be combined with other port specs such as '%s'",
			    spec);
}

/**
 * fwd_port_is_forwarded() - Is a listening port forwarded, and where to?
 * @fp:		Forwarding configuration
 * @port:	Listening port
 * @to:		Set to the target port if forwarded, may be NULL
 *
 * The listening address of rules is not considered. For FWD_ALL and
 * FWD_AUTO this only says whether the port may be forwarded: the caller
 * still has to leave out ephemeral ports, or follow the listening sockets.
 *
 * Return: true if @port is forwarded (or may be, see above)
 */
bool fwd_port_is_forwarded(const struct fwd_ports *fp, uint16_t port,
			   uint16_t *to)
{
	unsigned i;

	if (!port || fwd_port_excluded(fp, port))
		return false;

	switch (fp->mode) {
	case FWD_ALL:
	case FWD_AUTO:
		if (to)
			*to = port;
		return true;
	case FWD_SPEC:
		for (i = 0; i < fp->n_rules; i++) {
			const struct fwd_rule *r = &fp->rules[i];

			if (port < r->first || port > r->last)
				continue;
			if (to)
				*to = (uint16_t)(port - r->first + r->to);
			return true;
		}
		return false;
	case FWD_UNSET:
	case FWD_NONE:
		break;
	}

	return false;
}
