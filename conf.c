// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - command line options and defaults taken from the host
 *
 * Theory of operation: conf_parse() turns the command line into the
 * context, without looking at the host, and reports any bad value as an
 * error message naming the option and quoting the value (so it can be
 * unit-tested; the caller prints it and exits 1). Unknown options are
 * reported by getopt_long() in its own words ("unrecognized option
 * '--x'"), which callers such as Podman match on. Options are processed
 * in order, so a --version after other options is reached only if those
 * are valid. conf_defaults() then fills whatever was not given from the
 * host, as pasta does: the interface of the default route, its addresses,
 * gateway and MAC, and the resolvers and search list of resolv.conf.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#include "util.h"
#include "log.h"
#include "inany.h"
#include "fwd.h"
#include "flow.h"
#include "netlink.h"
#include "conf.h"
#include "zerocopy.h"
#include "tap.h"
#include "loop_poll.h"

#define RESOLV_CONF		"/etc/resolv.conf"
#define MTU_MAX			MTU_DEFAULT
#define LOG_SIZE_MAX		(1UL << 30)
#define STATS_INTERVAL_MAX	86400
#define DEFAULT_TAP_NAME	"tap0"

/* Default MAC on our side when the host interface has none */
static const uint8_t conf_default_mac[MAC_LEN] = {
	0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55
};

static struct fwd_ctx conf_fwd;

/* Long-only options */
enum {
	OPT_TRACE = 256,
	OPT_VERSION,
	OPT_LOG_SIZE,
	OPT_OUT_IF4,
	OPT_OUT_IF6,
	OPT_DNS_FORWARD,
	OPT_DNS_HOST,
	OPT_DHCP_DNS,
	OPT_DHCP_SEARCH,
	OPT_NO_DHCP_DNS,
	OPT_NO_DHCP_SEARCH,
	OPT_NO_DHCP,
	OPT_NO_NDP,
	OPT_NO_DHCPV6,
	OPT_NO_RA,
	OPT_NO_MAP_GW,
	OPT_MAP_HOST_LO,
	OPT_MAP_GUEST_ADDR,
	OPT_NO_TCP,
	OPT_NO_UDP,
	OPT_NO_ICMP,
	OPT_FQDN,
	OPT_CONFIG_NET,
	OPT_NETNS,
	OPT_USERNS,
	OPT_NETNS_ONLY,
	OPT_NO_NETNS_QUIT,
	OPT_NS_MAC,
	OPT_RUNAS,
	OPT_HOST_LO_TO_NS_LO,
	OPT_MAX_FLOWS,
	OPT_BUSY_POLL,
	OPT_NO_PEEK_OFF,
	OPT_STATS,
	OPT_FREEBIND,
	OPT_NO_SPLICE,
	OPT_SPLICE_ONLY,
	OPT_NO_COPY_ADDRS,
	OPT_PRINT_SYSCALLS,
	OPT_VHOST_USER,
	OPT_PRINT_CAPS,
	OPT_ZEROCOPY,
	OPT_ZEROCOPY_MIN,
	OPT_ZEROCOPY_CMSG,
	OPT_VSOCK_PORT,
	OPT_VSOCK_CID,
	OPT_FRAMING,
	OPT_VSOCK_ZC_RX,
	OPT_TCP_ZC_RX,
};

static const struct option conf_options[] = {
	{ "debug",		no_argument,		NULL, 'd' },
	{ "trace",		no_argument,		NULL, OPT_TRACE },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "stderr",		no_argument,		NULL, 'e' },
	{ "log-file",		required_argument,	NULL, 'l' },
	{ "log-size",		required_argument,	NULL, OPT_LOG_SIZE },
	{ "pid",		required_argument,	NULL, 'P' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "mtu",		required_argument,	NULL, 'm' },
	{ "address",		required_argument,	NULL, 'a' },
	{ "netmask",		required_argument,	NULL, 'n' },
	{ "gateway",		required_argument,	NULL, 'g' },
	{ "mac-addr",		required_argument,	NULL, 'M' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "outbound",		required_argument,	NULL, 'o' },
	{ "outbound-if4",	required_argument,	NULL, OPT_OUT_IF4 },
	{ "outbound-if6",	required_argument,	NULL, OPT_OUT_IF6 },
	{ "dns",		required_argument,	NULL, 'D' },
	{ "dns-forward",	required_argument,	NULL, OPT_DNS_FORWARD },
	{ "dns-host",		required_argument,	NULL, OPT_DNS_HOST },
	{ "search",		required_argument,	NULL, 'S' },
	{ "dhcp-dns",		no_argument,		NULL, OPT_DHCP_DNS },
	{ "dhcp-search",	no_argument,		NULL, OPT_DHCP_SEARCH },
	{ "no-dhcp-dns",	no_argument,		NULL, OPT_NO_DHCP_DNS },
	{ "no-dhcp-search",	no_argument,		NULL, OPT_NO_DHCP_SEARCH },
	{ "no-dhcp",		no_argument,		NULL, OPT_NO_DHCP },
	{ "no-ndp",		no_argument,		NULL, OPT_NO_NDP },
	{ "no-dhcpv6",		no_argument,		NULL, OPT_NO_DHCPV6 },
	{ "no-ra",		no_argument,		NULL, OPT_NO_RA },
	{ "no-map-gw",		no_argument,		NULL, OPT_NO_MAP_GW },
	{ "map-host-loopback",	required_argument,	NULL, OPT_MAP_HOST_LO },
	{ "map-guest-addr",	required_argument,	NULL, OPT_MAP_GUEST_ADDR },
	{ "ipv4-only",		no_argument,		NULL, '4' },
	{ "ipv6-only",		no_argument,		NULL, '6' },
	{ "no-tcp",		no_argument,		NULL, OPT_NO_TCP },
	{ "no-udp",		no_argument,		NULL, OPT_NO_UDP },
	{ "no-icmp",		no_argument,		NULL, OPT_NO_ICMP },
	{ "hostname",		required_argument,	NULL, 'H' },
	{ "fqdn",		required_argument,	NULL, OPT_FQDN },
	{ "tcp-ports",		required_argument,	NULL, 't' },
	{ "udp-ports",		required_argument,	NULL, 'u' },
	{ "tcp-ns",		required_argument,	NULL, 'T' },
	{ "udp-ns",		required_argument,	NULL, 'U' },
	{ "config-net",		no_argument,		NULL, OPT_CONFIG_NET },
	{ "netns",		required_argument,	NULL, OPT_NETNS },
	{ "userns",		required_argument,	NULL, OPT_USERNS },
	{ "netns-only",		no_argument,		NULL, OPT_NETNS_ONLY },
	{ "no-netns-quit",	no_argument,		NULL, OPT_NO_NETNS_QUIT },
	{ "ns-ifname",		required_argument,	NULL, 'I' },
	{ "ns-mac-addr",	required_argument,	NULL, OPT_NS_MAC },
	{ "runas",		required_argument,	NULL, OPT_RUNAS },
	{ "pcap",		required_argument,	NULL, 'p' },
	{ "socket",		required_argument,	NULL, 's' },
	{ "socket-path",	required_argument,	NULL, 's' },
	{ "fd",			required_argument,	NULL, 'F' },
	{ "one-off",		no_argument,		NULL, '1' },
	{ "host-lo-to-ns-lo",	no_argument,		NULL, OPT_HOST_LO_TO_NS_LO },
	{ "max-flows",		required_argument,	NULL, OPT_MAX_FLOWS },
	{ "busy-poll",		required_argument,	NULL, OPT_BUSY_POLL },
	{ "no-peek-off",	no_argument,		NULL, OPT_NO_PEEK_OFF },
	{ "stats",		required_argument,	NULL, OPT_STATS },
	{ "freebind",		no_argument,		NULL, OPT_FREEBIND },
	{ "no-splice",		no_argument,		NULL, OPT_NO_SPLICE },
	{ "splice-only",	no_argument,		NULL, OPT_SPLICE_ONLY },
	{ "no-copy-addrs",	no_argument,		NULL, OPT_NO_COPY_ADDRS },
	{ "print-syscalls",	no_argument,		NULL, OPT_PRINT_SYSCALLS },
	{ "vhost-user",		no_argument,		NULL, OPT_VHOST_USER },
	{ "print-capabilities",	no_argument,		NULL, OPT_PRINT_CAPS },
	{ "zerocopy",		required_argument,	NULL, OPT_ZEROCOPY },
	{ "zerocopy-min",	required_argument,	NULL, OPT_ZEROCOPY_MIN },
	{ "zerocopy-cmsg",	required_argument,	NULL, OPT_ZEROCOPY_CMSG },
	{ "vsock-port",		required_argument,	NULL, OPT_VSOCK_PORT },
	{ "vsock-cid",		required_argument,	NULL, OPT_VSOCK_CID },
	{ "framing",		required_argument,	NULL, OPT_FRAMING },
	{ "vsock-zerocopy-rx",	required_argument,	NULL, OPT_VSOCK_ZC_RX },
	{ "tcp-zerocopy-rx",	required_argument,	NULL, OPT_TCP_ZC_RX },
	{ NULL,			0,			NULL, 0 },
};

#define CONF_SHORT_OPTS		"+dqfel:P:hm:a:n:g:M:i:o:D:S:46H:t:u:T:U:I:p:s:F:1"

/**
 * conf_err() - Format an error message into the caller's buffer
 * @err:	Buffer
 * @errlen:	Size of @err
 * @fmt:	Format
 *
 * Return: CONF_ERROR
 */
__attribute__((format(printf, 3, 4)))
static enum conf_result conf_err(char *err, size_t errlen,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return CONF_ERROR;
}

/**
 * conf_opt_name() - "-x/--long" or "--long" for an option, for messages
 * @val:	Option value as returned by getopt_long()
 * @buf:	Output
 * @size:	Size of @buf
 *
 * Return: @buf
 */
static const char *conf_opt_name(int val, char *buf, size_t size)
{
	const struct option *o;

	for (o = conf_options; o->name; o++) {
		if (o->val != val)
			continue;
		if (val < 256)
			snprintf(buf, size, "-%c/--%s", val, o->name);
		else
			snprintf(buf, size, "--%s", o->name);
		return buf;
	}
	snprintf(buf, size, "-%c", val);
	return buf;
}

/**
 * conf_init_ctx() - Set the context to its state before any option
 * @c:		Execution context
 * @argv0:	Name we were invoked as: pasta* runs as pasta, else passt
 */
void conf_init_ctx(struct ctx *c, const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	memset(c, 0, sizeof(*c));
	c->mode = !strncmp(base, "pasta", strlen("pasta")) ? MODE_PASTA :
							    MODE_PASST;
	c->pidfile_fd = -1;
	c->fd_tap_listen = -1;
	c->fd_tap = -1;
	c->fd_tap_given = -1;
	c->vsock_cid = VMADDR_CID_ANY;
	c->epollfd = -1;
	c->mtu = MTU_DEFAULT;
	c->ip4.prefix_len = -1;
	c->ip6.prefix_len = -1;
	c->uid = getuid();
	c->gid = getgid();
	c->pasta.netns_fd = -1;
	c->pasta.userns_fd = -1;
	c->flow_max = FLOW_MAX_DEFAULT;
	c->busy_poll_us = LOOP_POLL_MAX_DEFAULT;
	memset(&conf_fwd, 0, sizeof(conf_fwd));
	c->fwd = &conf_fwd;
}

/**
 * conf_addr() - Parse an IPv4 or IPv6 address option value
 * @s:		Value
 * @a:		Result
 *
 * Return: AF_INET or AF_INET6, or -EINVAL
 */
static int conf_addr(const char *s, union inany_addr *a)
{
	int af = inany_pton(s, a);

	/* An IPv4-mapped IPv6 address is IPv4, as for sockets and -t specs */
	return af < 0 ? af : inany_af(a);
}

/**
 * conf_netmask() - Parse a netmask, dot-decimal or a prefix length
 * @s:		Value
 * @prefix_len:	Result
 *
 * Return: 0 on success, -EINVAL on a malformed or non-contiguous mask
 */
static int conf_netmask(const char *s, int *prefix_len)
{
	struct in_addr m;
	uint32_t v;

	if (!parse_u32(s, 10, &v)) {
		if (v > 32)
			return -EINVAL;
		*prefix_len = (int)v;
		return 0;
	}
	if (inet_pton(AF_INET, s, &m) != 1)
		return -EINVAL;
	v = ntohl(m.s_addr);
	/* Contiguous: the inverted mask plus one is a power of two */
	if (((~v + 1) & ~v) != 0)
		return -EINVAL;
	*prefix_len = 32 - __builtin_popcount(~v);
	return 0;
}

/**
 * conf_ifname() - Copy an interface name option, checking its length
 * @dst:	Destination, IFNAMSIZ bytes
 * @s:		Value
 *
 * Return: 0 on success, -ENAMETOOLONG or -EINVAL (empty)
 */
static int conf_ifname(char *dst, const char *s)
{
	size_t len = strlen(s);

	if (!len)
		return -EINVAL;
	if (len >= IFNAMSIZ)
		return -ENAMETOOLONG;
	memcpy(dst, s, len + 1);
	return 0;
}

/**
 * conf_runas() - Parse --runas UID|UID:GID|LOGIN|LOGIN:GROUP
 * @c:		Execution context
 * @s:		Value
 *
 * Return: 0 on success, -EINVAL if the user or group doesn't exist
 */
static int conf_runas(struct ctx *c, const char *s)
{
	char user[LOGIN_NAME_MAX * 2 + 2], *group;
	const struct passwd *pw;
	size_t len = strlen(s);
	uint32_t v;

	if (!len || len >= sizeof(user))
		return -EINVAL;
	memcpy(user, s, len + 1);
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return -EINVAL;

	if (!parse_u32(user, 10, &v)) {
		c->uid = (uid_t)v;
		pw = getpwuid(c->uid);
		c->gid = pw ? pw->pw_gid : (gid_t)v;
	} else {
		pw = getpwnam(user);
		if (!pw)
			return -EINVAL;
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
	}

	if (group) {
		const struct group *gr;

		if (!parse_u32(group, 10, &v)) {
			c->gid = (gid_t)v;
		} else {
			gr = getgrnam(group);
			if (!gr)
				return -EINVAL;
			c->gid = gr->gr_gid;
		}
	}
	return 0;
}

/**
 * conf_search_add() - Add search domains from a space or comma list
 * @c:		Execution context
 * @list:	Domains
 *
 * Return: 0 on success, -E2BIG if too many, -EINVAL on a bad name
 */
static int conf_search_add(struct ctx *c, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, " ,\t");

		if (len) {
			if (c->search_count >= SEARCH_MAX)
				return -E2BIG;
			if (len >= DOMAIN_MAX)
				return -EINVAL;
			memcpy(c->search[c->search_count].n, p, len);
			c->search[c->search_count].n[len] = '\0';
			c->search_count++;
		}
		p += len;
		p += strspn(p, " ,\t");
	}
	return 0;
}

/**
 * conf_dns_add() - Add a resolver address
 * @c:		Execution context
 * @a:		Address
 *
 * Return: 0 on success, -E2BIG if there are already DNS_MAX of its family
 */
static int conf_dns_add(struct ctx *c, const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4) {
		if (c->ip4.dns_count >= DNS_MAX)
			return -E2BIG;
		c->ip4.dns[c->ip4.dns_count++] = *a4;
	} else {
		if (c->ip6.dns_count >= DNS_MAX)
			return -E2BIG;
		c->ip6.dns[c->ip6.dns_count++] = a->a6;
	}
	return 0;
}

/**
 * conf_ports() - Parse one -t/-u/-T/-U option
 * @c:		Execution context
 * @opt:	Option character
 * @spec:	Value
 * @err:	Error buffer
 * @errlen:	Its size
 *
 * Return: CONF_OK or CONF_ERROR
 */
static enum conf_result conf_ports(struct ctx *c, int opt, const char *spec,
				   char *err, size_t errlen)
{
	struct fwd_ports *fp;
	char msg[CONF_ERR_LEN / 2], name[32];

	conf_opt_name(opt, name, sizeof(name));
	if ((opt == 'T' || opt == 'U') && c->mode != MODE_PASTA)
		return conf_err(err, errlen, "%s '%s' is only valid for pasta",
				name, spec);

	switch (opt) {
	case 't':
		fp = &c->fwd->tcp_in;
		break;
	case 'u':
		fp = &c->fwd->udp_in;
		break;
	case 'T':
		fp = &c->fwd->tcp_out;
		break;
	default:
		fp = &c->fwd->udp_out;
		break;
	}

	if (fwd_parse_spec(fp, spec, c->mode == MODE_PASTA, msg, sizeof(msg)))
		return conf_err(err, errlen, "Bad %s '%s': %s", name, spec,
				msg);
	return CONF_OK;
}

/**
 * conf_parse() - Parse the command line into the context
 * @c:		Execution context, from conf_init_ctx()
 * @g:		What was given, for conf_defaults()
 * @argc:	Argument count
 * @argv:	Arguments
 * @err:	Error message buffer
 * @errlen:	Size of @err
 *
 * Return: enum conf_result
 */
enum conf_result conf_parse(struct ctx *c, struct conf_given *g, int argc,
			    char **argv, char *err, size_t errlen)
{
	char name[32];
	int opt;

	memset(g, 0, sizeof(*g));
	*err = '\0';
	optind = 0;		/* full reinitialisation, for repeated calls */

	while ((opt = getopt_long(argc, argv, CONF_SHORT_OPTS, conf_options,
				  NULL)) != -1) {
		const char *arg = optarg;
		union inany_addr a;
		uint32_t v;
		int af;

		conf_opt_name(opt, name, sizeof(name));
		switch (opt) {
		case 'd':
			g->debug = true;
			break;
		case OPT_TRACE:
			g->trace = true;
			break;
		case 'q':
			g->quiet = true;
			break;
		case 'f':
			c->foreground = true;
			break;
		case 'e':
			g->stderr_too = true;
			break;
		case 'l':
			if (!*arg ||
			    str_copy(g->log_file, sizeof(g->log_file), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case OPT_LOG_SIZE:
			if (parse_u32(arg, 0, &v) || v < LOG_SIZE_MIN ||
			    v > LOG_SIZE_MAX)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be %lu to %lu bytes",
						name, arg, LOG_SIZE_MIN,
						LOG_SIZE_MAX);
			g->log_size = v;
			break;
		case 'P':
			if (!*arg ||
			    str_copy(c->pidfile, sizeof(c->pidfile), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case 'h':
			return CONF_HELP;
		case OPT_VERSION:
			return CONF_VERSION;
		case OPT_PRINT_SYSCALLS:
			return CONF_SYSCALLS;
		case OPT_PRINT_CAPS:
			return CONF_CAPS;
		case 'm':
			if (parse_u32(arg, 10, &v) ||
			    (v && (v < MTU_MIN_IPV4 || v > MTU_MAX)))
				return conf_err(err, errlen,
						"Invalid %s '%s': must be 0 or %u to %u",
						name, arg, MTU_MIN_IPV4,
						MTU_MAX);
			c->mtu = v;
			g->mtu = true;
			break;
		case 'a': {
			char buf[INET6_ADDRSTRLEN + 8], *slash;
			int plen = -1;

			if (str_copy(buf, sizeof(buf), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			slash = strchr(buf, '/');
			if (slash) {
				*slash++ = '\0';
				if (parse_u32(slash, 10, &v) || v > 128)
					return conf_err(err, errlen,
							"Invalid prefix length in %s '%s'",
							name, arg);
				plen = (int)v;
			}
			af = conf_addr(buf, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a) || inany_is_loopback(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (af == AF_INET) {
				if (plen > 32)
					return conf_err(err, errlen,
							"Invalid prefix length in %s '%s'",
							name, arg);
				c->ip4.addr = *inany_v4(&a);
				if (plen >= 0) {
					c->ip4.prefix_len = plen;
					g->prefix4 = true;
				}
				c->ip4.no_copy_addrs = g->addr4 = true;
			} else {
				c->ip6.addr = a.a6;
				if (plen >= 0)
					c->ip6.prefix_len = plen;
				c->ip6.no_copy_addrs = g->addr6 = true;
			}
			break;
		}
		case 'n': {
			int plen;

			if (conf_netmask(arg, &plen))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			c->ip4.prefix_len = plen;
			g->prefix4 = true;
			break;
		}
		case 'g':
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a) || inany_is_loopback(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (af == AF_INET) {
				c->ip4.gw = *inany_v4(&a);
				g->gw4 = true;
			} else {
				c->ip6.gw = a.a6;
				g->gw6 = true;
			}
			break;
		case 'M':
			if (mac_pton(arg, c->our_tap_mac) ||
			    mac_is_zero(c->our_tap_mac) ||
			    (c->our_tap_mac[0] & 1))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			g->mac = true;
			break;
		case 'i':
			if (conf_ifname(g->ifname, arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case 'o':
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (af == AF_INET)
				c->ip4.addr_out = *inany_v4(&a);
			else
				c->ip6.addr_out = a.a6;
			break;
		case OPT_OUT_IF4:
			if (conf_ifname(c->ip4.ifname_out, arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case OPT_OUT_IF6:
			if (conf_ifname(c->ip6.ifname_out, arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case 'D':
			if (!*arg || !strcmp(arg, "none")) {
				c->ip4.dns_count = c->ip6.dns_count = 0;
				g->dns = true;
				break;
			}
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (conf_dns_add(c, &a))
				return conf_err(err, errlen,
						"Too many resolvers: %s '%s' (at most %u per family)",
						name, arg, DNS_MAX);
			g->dns = true;
			break;
		case OPT_DNS_FORWARD:
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a) || inany_is_loopback(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (af == AF_INET)
				c->ip4.dns_match = *inany_v4(&a);
			else
				c->ip6.dns_match = a.a6;
			break;
		case OPT_DNS_HOST:
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (af == AF_INET) {
				c->ip4.dns_host = *inany_v4(&a);
				g->dns_host4 = true;
			} else {
				c->ip6.dns_host = a.a6;
				g->dns_host6 = true;
			}
			break;
		case 'S':
			c->search_count = 0;
			g->search = true;
			if (!*arg || !strcmp(arg, "none"))
				break;
			if (conf_search_add(c, arg))
				return conf_err(err, errlen,
						"Invalid %s '%s': at most %u domains of %u characters",
						name, arg, SEARCH_MAX,
						DOMAIN_MAX - 1);
			break;
		case OPT_DHCP_DNS:
			c->no_dhcp_dns = false;
			g->dhcp_dns = true;
			break;
		case OPT_NO_DHCP_DNS:
			c->no_dhcp_dns = true;
			g->dhcp_dns = true;
			break;
		case OPT_DHCP_SEARCH:
			c->no_dhcp_search = false;
			g->dhcp_search = true;
			break;
		case OPT_NO_DHCP_SEARCH:
			c->no_dhcp_search = true;
			g->dhcp_search = true;
			break;
		case OPT_NO_DHCP:
			c->no_dhcp = true;
			break;
		case OPT_NO_NDP:
			c->no_ndp = true;
			break;
		case OPT_NO_DHCPV6:
			c->no_dhcpv6 = true;
			break;
		case OPT_NO_RA:
			c->no_ra = true;
			break;
		case OPT_NO_MAP_GW:
			c->no_map_gw = true;
			break;
		case OPT_MAP_HOST_LO:
		case OPT_MAP_GUEST_ADDR:
			af = conf_addr(arg, &a);
			if (af < 0 || inany_is_unspec(&a) ||
			    inany_is_multicast(&a) || inany_is_loopback(&a))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			if (opt == OPT_MAP_HOST_LO && af == AF_INET) {
				c->ip4.map_host_loopback = *inany_v4(&a);
				g->map_lo4 = true;
			} else if (opt == OPT_MAP_HOST_LO) {
				c->ip6.map_host_loopback = a.a6;
				g->map_lo6 = true;
			} else if (af == AF_INET) {
				c->ip4.map_guest_addr = *inany_v4(&a);
			} else {
				c->ip6.map_guest_addr = a.a6;
			}
			break;
		case '4':
			g->v4_only = true;
			break;
		case '6':
			g->v6_only = true;
			break;
		case OPT_NO_TCP:
			c->no_tcp = true;
			break;
		case OPT_NO_UDP:
			c->no_udp = true;
			break;
		case OPT_NO_ICMP:
			c->no_icmp = true;
			break;
		case 'H':
			if (!*arg ||
			    str_copy(c->hostname, sizeof(c->hostname), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s': 1 to %zu characters",
						name, arg,
						sizeof(c->hostname) - 1);
			break;
		case OPT_FQDN:
			if (!*arg ||
			    str_copy(c->fqdn, sizeof(c->fqdn), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s': 1 to %zu characters",
						name, arg, sizeof(c->fqdn) - 1);
			break;
		case 't':
		case 'u':
		case 'T':
		case 'U':
			if (conf_ports(c, opt, arg, err, errlen) != CONF_OK)
				return CONF_ERROR;
			break;
		case OPT_CONFIG_NET:
		case OPT_NETNS:
		case OPT_USERNS:
		case OPT_NETNS_ONLY:
		case OPT_NO_NETNS_QUIT:
		case 'I':
		case OPT_NS_MAC:
		case OPT_HOST_LO_TO_NS_LO:
		case OPT_NO_SPLICE:
		case OPT_SPLICE_ONLY:
		case OPT_NO_COPY_ADDRS:
			if (c->mode != MODE_PASTA)
				return conf_err(err, errlen,
						"%s%s%s%s is only valid for pasta",
						name, arg ? " '" : "",
						arg ? arg : "", arg ? "'" : "");
			if (opt == OPT_NO_SPLICE) {
				c->no_splice = true;
			} else if (opt == OPT_SPLICE_ONLY) {
				c->splice_only = true;
			} else if (opt == OPT_NO_COPY_ADDRS) {
				c->ip4.no_copy_addrs = true;
				c->ip6.no_copy_addrs = true;
			} else if (opt == OPT_CONFIG_NET) {
				c->pasta.config_net = true;
			} else if (opt == OPT_NETNS_ONLY) {
				c->pasta.netns_only = true;
			} else if (opt == OPT_NO_NETNS_QUIT) {
				c->pasta.no_netns_quit = true;
			} else if (opt == OPT_HOST_LO_TO_NS_LO) {
				g->host_lo_to_ns_lo = true;
			} else if (opt == 'I') {
				if (conf_ifname(c->pasta.ifname, arg))
					return conf_err(err, errlen,
							"Invalid %s '%s'",
							name, arg);
			} else if (opt == OPT_NS_MAC) {
				if (mac_pton(arg, c->pasta.ns_mac) ||
				    mac_is_zero(c->pasta.ns_mac) ||
				    (c->pasta.ns_mac[0] & 1))
					return conf_err(err, errlen,
							"Invalid %s '%s'",
							name, arg);
			} else {
				char *dst = opt == OPT_NETNS ?
					    c->pasta.netns : c->pasta.userns;
				int n;

				if (!*arg)
					return conf_err(err, errlen,
							"Invalid %s '%s'",
							name, arg);
				/* A bare name means one made by ip-netns */
				if (opt == OPT_NETNS && !strchr(arg, '/'))
					n = snprintf(dst, PATH_MAX,
						     "/run/netns/%s", arg);
				else
					n = snprintf(dst, PATH_MAX, "%s", arg);
				if (n < 0 || n >= PATH_MAX)
					return conf_err(err, errlen,
							"Invalid %s '%s': too long",
							name, arg);
			}
			break;
		case OPT_RUNAS:
			if (conf_runas(c, arg))
				return conf_err(err, errlen,
						"Invalid %s '%s': no such user or group",
						name, arg);
			g->runas = true;
			break;
		case 'p':
			if (!*arg ||
			    str_copy(c->pcap, sizeof(c->pcap), arg))
				return conf_err(err, errlen,
						"Invalid %s '%s'", name, arg);
			break;
		case 'F':
			if (parse_u32(arg, 10, &v) || v < 3 || v > INT_MAX)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be a descriptor number above 2",
						name, arg);
			c->fd_tap_given = (int)v;
			/* passt: that one guest is all there will be */
			if (c->mode == MODE_PASST)
				c->one_off = true;
			break;
		case 's':
		case '1':
		case OPT_VHOST_USER:
			if (c->mode != MODE_PASST)
				return conf_err(err, errlen,
						"%s%s%s%s is only valid for passt",
						name, arg ? " '" : "",
						arg ? arg : "", arg ? "'" : "");
			if (opt == '1') {
				c->one_off = true;
			} else if (opt == OPT_VHOST_USER) {
				c->vhost_user = true;
			} else if (!*arg ||
				   str_copy(c->sock_path, sizeof(c->sock_path),
					    arg)) {
				return conf_err(err, errlen,
						"Invalid %s '%s': 1 to %zu characters",
						name, arg, sizeof(c->sock_path) - 1);
			}
			break;
		case OPT_VSOCK_ZC_RX:
		case OPT_TCP_ZC_RX:
			if (opt == OPT_VSOCK_ZC_RX && c->mode != MODE_PASST)
				return conf_err(err, errlen,
						"%s is only valid for passt", name);
			if (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be on or off",
						name, arg);
			if (opt == OPT_VSOCK_ZC_RX)
				c->vsock_zc_rx_off = !strcmp(arg, "off");
			else
				c->tcp_zc_rx = !strcmp(arg, "on");
			break;
		case OPT_VSOCK_PORT:
		case OPT_VSOCK_CID:
		case OPT_FRAMING:
			if (c->mode != MODE_PASST)
				return conf_err(err, errlen,
						"%s is only valid for passt", name);
			if (opt == OPT_FRAMING) {
				if (!strcmp(arg, "qemu"))
					c->framing = TAP_FRAMING_QEMU;
				else if (!strcmp(arg, "gvproxy"))
					c->framing = TAP_FRAMING_GVPROXY;
				else
					return conf_err(err, errlen,
							"Invalid %s '%s': must be qemu or gvproxy",
							name, arg);
				g->framing = true;
			} else if (parse_u32(arg, 10, &v) ||
				   (opt == OPT_VSOCK_PORT &&
				    (!v || v == VMADDR_PORT_ANY))) {
				return conf_err(err, errlen,
						"Invalid %s '%s'%s", name, arg,
						opt == OPT_VSOCK_PORT ?
						": must be 1 to 4294967294" :
						"");
			} else if (opt == OPT_VSOCK_PORT) {
				c->vsock_port = v;
			} else {
				c->vsock_cid = v;
			}
			break;
		case OPT_MAX_FLOWS:
			if (parse_u32(arg, 10, &v) || !v ||
			    v > FLOW_MAX_LIMIT)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be 1 to %u",
						name, arg, FLOW_MAX_LIMIT);
			c->flow_max = v;
			break;
		case OPT_BUSY_POLL:
			if (parse_u32(arg, 10, &v) || v > LOOP_POLL_MAX_LIMIT)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be 0 to %u",
						name, arg, LOOP_POLL_MAX_LIMIT);
			c->busy_poll_us = v;
			break;
		case OPT_NO_PEEK_OFF:
			c->no_peek_off = true;
			break;
		case OPT_ZEROCOPY:
			if (!strcmp(arg, "auto"))
				c->zc_mode = ZC_AUTO;
			else if (!strcmp(arg, "on"))
				c->zc_mode = ZC_ON;
			else if (!strcmp(arg, "off"))
				c->zc_mode = ZC_OFF;
			else
				return conf_err(err, errlen,
						"Invalid %s '%s': must be auto, on or off",
						name, arg);
			break;
		case OPT_ZEROCOPY_MIN:
			if (parse_u32(arg, 10, &v) || !v || v > 1U << 30)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be 1 to %u bytes",
						name, arg, 1U << 30);
			c->zc_min = v;
			break;
		case OPT_ZEROCOPY_CMSG:
			if (parse_u32(arg, 10, &v) || v > INT_MAX)
				return conf_err(err, errlen,
						"Invalid %s '%s': a SOL_SOCKET message number, 0 for none",
						name, arg);
			c->zc_cmsg = v ? (int)v : -1;
			break;
		case OPT_FREEBIND:
			c->freebind = true;
			break;
		case OPT_STATS:
			if (parse_u32(arg, 10, &v) || v > STATS_INTERVAL_MAX)
				return conf_err(err, errlen,
						"Invalid %s '%s': must be 0 to %u seconds",
						name, arg, STATS_INTERVAL_MAX);
			c->stats_interval = v;
			break;
		default:
			/* getopt_long() printed the reason */
			*err = '\0';
			return CONF_ERROR;
		}
	}

	if (g->v4_only && g->v6_only)
		return conf_err(err, errlen,
				"-4/--ipv4-only and -6/--ipv6-only are exclusive");
	if (g->debug && g->quiet)
		return conf_err(err, errlen,
				"-d/--debug and -q/--quiet are exclusive");
	if (c->sock_path[0] && c->fd_tap_given >= 0)
		return conf_err(err, errlen,
				"-s/--socket and -F/--fd are exclusive");
	if (c->vsock_port) {
		const char *x = c->sock_path[0] ? "-s/--socket" :
				c->fd_tap_given >= 0 ? "-F/--fd" :
				c->vhost_user ? "--vhost-user" : NULL;

		if (x)
			return conf_err(err, errlen,
					"--vsock-port and %s are exclusive", x);
		/* What guests on vsock speak, unless told otherwise */
		if (!g->framing)
			c->framing = TAP_FRAMING_GVPROXY;
	}
	if (!c->vsock_port && c->vsock_cid != VMADDR_CID_ANY)
		return conf_err(err, errlen,
				"--vsock-cid needs --vsock-port");
	if (c->vhost_user && g->framing)
		return conf_err(err, errlen,
				"--framing is for frames on a stream, not --vhost-user");
	if (c->splice_only) {
		const char *x = NULL;

		if (c->no_splice)
			x = "--no-splice";
		else if (c->pasta.config_net)
			x = "--config-net";
		else if (*c->pasta.ifname)
			x = "-I/--ns-ifname";
		else if (!mac_is_zero(c->pasta.ns_mac))
			x = "--ns-mac-addr";
		else if (c->fd_tap_given >= 0)
			x = "-F/--fd";
		if (x)
			return conf_err(err, errlen,
					"--splice-only and %s are exclusive: there is no tap device",
					x);
		/* Nothing reaches the link services without a tap device */
		c->no_icmp = c->no_dhcp = c->no_ndp = c->no_dhcpv6 = true;
		c->no_ra = true;
		g->host_lo_to_ns_lo = true;
	}

	/* What's left: pasta's PID or command */
	if (optind < argc) {
		uint32_t pid;

		if (c->mode != MODE_PASTA)
			return conf_err(err, errlen,
					"Unexpected argument '%s'",
					argv[optind]);
		if (optind + 1 == argc && !parse_u32(argv[optind], 10, &pid)) {
			if (!pid || pid > INT_MAX)
				return conf_err(err, errlen,
						"Invalid PID '%s'",
						argv[optind]);
			if (*c->pasta.netns)
				return conf_err(err, errlen,
						"Both --netns and PID '%s' given",
						argv[optind]);
			c->pasta.attach_pid = (pid_t)pid;
		} else {
			if (*c->pasta.netns)
				return conf_err(err, errlen,
						"Both --netns and a command '%s' given",
						argv[optind]);
			c->pasta.argv = &argv[optind];
			c->pasta.argc = argc - optind;
		}
	}
	if (*c->pasta.userns && !*c->pasta.netns && !c->pasta.attach_pid)
		return conf_err(err, errlen,
				"--userns needs --netns or a PID");
	if (*c->pasta.netns && !*c->pasta.userns)
		c->pasta.netns_only = true;

	return CONF_OK;
}

/**
 * conf_read_resolv() - Take resolvers and search domains from resolv.conf
 * @c:		Execution context
 * @path:	File, normally /etc/resolv.conf
 * @dns:	Take resolvers
 * @search:	Take the search list
 *
 * Return: 0 on success, -errno if the file can't be read
 */
int conf_read_resolv(struct ctx *c, const char *path, bool dns, bool search)
{
	static char buf[16384];
	ssize_t n = read_file(path, buf, sizeof(buf));
	char *line, *save = NULL;

	if (n < 0)
		return (int)n;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *kw, *val, *s2 = NULL;

		kw = strtok_r(line, " \t", &s2);
		if (!kw)
			continue;
		val = strtok_r(NULL, "", &s2);
		if (!val)
			continue;
		val += strspn(val, " \t");

		if (dns && !strcmp(kw, "nameserver")) {
			union inany_addr a;
			char *end = val + strcspn(val, " \t%");

			*end = '\0';
			if (conf_addr(val, &a) > 0)
				conf_dns_add(c, &a);	/* extra ones ignored */
		} else if (search && !strcmp(kw, "search")) {
			c->search_count = 0;
			conf_search_add(c, val);	/* extra ones dropped */
		}
	}
	return 0;
}

/**
 * conf_dns() - Resolvers: where forwarded queries go, what the guest is told
 * @c:		Execution context
 * @g:		What the command line gave
 *
 * Queries to the forwarding address (--dns-forward, else the gateway), port
 * 53, go to the host's resolver (--dns-host, else the first nameserver of
 * resolv.conf). The guest is told the forwarding address, unless -D says
 * otherwise. With no resolver on the host, nothing is forwarded or told.
 */
static void conf_dns(struct ctx *c, const struct conf_given *g)
{
	static struct ctx host;

	if (!g->dns_host4 || !g->dns_host6) {
		memset(&host, 0, sizeof(host));
		conf_read_resolv(&host, RESOLV_CONF, true, false);
		if (!g->dns_host4 && host.ip4.dns_count)
			c->ip4.dns_host = host.ip4.dns[0];
		if (!g->dns_host6 && host.ip6.dns_count)
			c->ip6.dns_host = host.ip6.dns[0];
	}

	if (c->ifi4_on && in4_is_unspec(&c->ip4.dns_match))
		c->ip4.dns_match = c->ip4.gw;
	if (c->ifi6_on && IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
		c->ip6.dns_match = c->ip6.gw;

	if (in4_is_unspec(&c->ip4.dns_host) &&
	    IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host)) {
		c->ip4.dns_match.s_addr = htonl(INADDR_ANY);
		c->ip6.dns_match = in6addr_any;
	}

	if (g->dns)
		return;
	c->ip4.dns_count = c->ip6.dns_count = 0;
	if (c->ifi4_on && !in4_is_unspec(&c->ip4.dns_match))
		c->ip4.dns[c->ip4.dns_count++] = c->ip4.dns_match;
	if (c->ifi6_on && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
		c->ip6.dns[c->ip6.dns_count++] = c->ip6.dns_match;
}

/**
 * conf_defaults() - Fill in what the options left unset, from the host
 * @c:		Execution context
 * @g:		What was given
 * @err:	Error message buffer
 * @errlen:	Size of @err
 *
 * Return: 0 on success, -1 with a message in @err
 */
int conf_defaults(struct ctx *c, const struct conf_given *g, char *err,
		  size_t errlen)
{
	unsigned ifi4 = 0, ifi6 = 0;
	int nl = nl_sock_open();

	if (nl < 0) {
		conf_err(err, errlen, "Can't open netlink socket: %s",
			 strerror(-nl));
		return -1;
	}

	/* Interfaces: -i, else --outbound-ifN, else the default route's */
	if (*g->ifname) {
		unsigned ifi;

		if (nl_link_get_ifi(nl, g->ifname, &ifi)) {
			close(nl);
			conf_err(err, errlen, "Invalid -i/--interface '%s': no such interface",
				 g->ifname);
			return -1;
		}
		ifi4 = ifi6 = ifi;
	} else {
		if (*c->ip4.ifname_out)
			nl_link_get_ifi(nl, c->ip4.ifname_out, &ifi4);
		if (*c->ip6.ifname_out)
			nl_link_get_ifi(nl, c->ip6.ifname_out, &ifi6);
		if (!ifi4)
			ifi4 = nl_get_default_ifi(nl, AF_INET);
		if (!ifi6)
			ifi6 = nl_get_default_ifi(nl, AF_INET6);
	}

	/* IPv4 */
	c->ifi4_on = !g->v6_only;
	if (c->ifi4_on && ifi4) {
		struct in_addr a;
		int plen;

		c->ip4.ifi = ifi4;
		if_indextoname(ifi4, c->ip4.ifname);
		if (!g->gw4)
			nl_route_get_default(nl, AF_INET, ifi4, &c->ip4.gw);
		if (!nl_addr_get(nl, AF_INET, ifi4, &a, &plen)) {
			c->ip4.host_addr = a;
			if (!g->addr4)
				c->ip4.addr = a;
			if (!g->prefix4 && (!g->addr4 || in4_eq(&a, &c->ip4.addr)))
				c->ip4.prefix_len = plen;
		}
	}
	if (c->ifi4_on && in4_is_unspec(&c->ip4.addr)) {
		if (!g->v4_only)
			info("No IPv4 address on the host or given: IPv4 disabled");
		c->ifi4_on = g->v4_only;
	}
	if (c->ifi4_on && c->ip4.prefix_len < 0) {
		/* Classful default, as with no netmask on the host */
		uint32_t a = ntohl(c->ip4.addr.s_addr);

		c->ip4.prefix_len = IN_CLASSA(a) ? 8 : IN_CLASSB(a) ? 16 : 24;
	}

	/* IPv6 */
	c->ifi6_on = !g->v4_only;
	if (c->ifi6_on && ifi6) {
		struct in6_addr a;
		int plen;

		c->ip6.ifi = ifi6;
		if_indextoname(ifi6, c->ip6.ifname);
		if (!g->gw6)
			nl_route_get_default(nl, AF_INET6, ifi6, &c->ip6.gw);
		if (!nl_addr_get(nl, AF_INET6, ifi6, &a, &plen)) {
			c->ip6.host_addr = a;
			if (!g->addr6) {
				c->ip6.addr = a;
				c->ip6.prefix_len = plen;
			}
		}
	}
	if (c->ifi6_on && IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		if (!g->v6_only)
			info("No IPv6 address on the host or given: IPv6 disabled");
		c->ifi6_on = g->v6_only;
	}
	if (c->ifi6_on && c->ip6.prefix_len < 0)
		c->ip6.prefix_len = 64;
	if (c->ifi6_on && c->mtu && c->mtu < MTU_MIN_IPV6) {
		info("MTU %u is below the IPv6 minimum of %u: IPv6 disabled",
		     c->mtu, MTU_MIN_IPV6);
		c->ifi6_on = false;
	}

	/* Only loopback traffic: both families, whatever the host has */
	if (c->splice_only) {
		c->ifi4_on = !g->v6_only;
		c->ifi6_on = !g->v4_only;
	}
	if (!c->ifi4_on && !c->ifi6_on) {
		close(nl);
		conf_err(err, errlen,
			 "No usable IPv4 or IPv6 configuration: give addresses with -a, or a host interface with -i");
		return -1;
	}

	/* Our MAC: -M, else the host interface's, else a fixed local one */
	if (!g->mac) {
		unsigned ifi = c->ifi4_on && ifi4 ? ifi4 : ifi6;

		if (!ifi || nl_link_get_mac(nl, ifi, c->our_tap_mac) ||
		    mac_is_zero(c->our_tap_mac))
			memcpy(c->our_tap_mac, conf_default_mac, MAC_LEN);
	}
	close(nl);

	/* Gateway mapping to the host's loopback */
	if (!c->no_map_gw) {
		if (!g->map_lo4)
			c->ip4.map_host_loopback = c->ip4.gw;
		if (!g->map_lo6)
			c->ip6.map_host_loopback = c->ip6.gw;
	}

	/* Source of ARP and DHCP: the gateway, else a link-local address */
	c->ip4.our_tap_addr = c->ip4.gw;
	if (in4_is_unspec(&c->ip4.our_tap_addr))
		inet_pton(AF_INET, "169.254.2.1", &c->ip4.our_tap_addr);

	/* Source of RAs and DHCPv6: a link-local gateway (what most hosts
	 * learn from router advertisements), so that the guest sees the same
	 * default router as the host. Otherwise ndp_ll_addr() derives one
	 * from our MAC, and the guest's default route is via that.
	 */
	if (IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw))
		c->ip6.our_tap_ll = c->ip6.gw;

	/* Search list: -S, else resolv.conf; resolvers: see conf_dns() */
	if (!g->search)
		conf_read_resolv(c, RESOLV_CONF, false, true);
	conf_dns(c, g);

	/* pasta leaves DNS and search list out of DHCP unless asked */
	if (!g->dhcp_dns)
		c->no_dhcp_dns = c->mode == MODE_PASTA;
	if (!g->dhcp_search)
		c->no_dhcp_search = c->mode == MODE_PASTA;

	/* Forwarding defaults: pasta follows the namespace, passt none */
	if (c->mode == MODE_PASTA) {
		struct fwd_ports *fps[] = { &c->fwd->tcp_in, &c->fwd->udp_in,
					    &c->fwd->tcp_out, &c->fwd->udp_out };
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(fps); i++) {
			if (fps[i]->mode == FWD_UNSET)
				fps[i]->mode = FWD_AUTO;
		}
		/* With -F, the name is the given device's: see pasta.c */
		if (!*c->pasta.ifname && c->fd_tap_given < 0) {
			const char *n = *c->ip4.ifname ? c->ip4.ifname :
					*c->ip6.ifname ? c->ip6.ifname :
					DEFAULT_TAP_NAME;

			snprintf(c->pasta.ifname, sizeof(c->pasta.ifname),
				 "%s", n);
		}
	} else {
		if (c->fwd->tcp_in.mode == FWD_UNSET)
			c->fwd->tcp_in.mode = FWD_NONE;
		if (c->fwd->udp_in.mode == FWD_UNSET)
			c->fwd->udp_in.mode = FWD_NONE;
		c->fwd->tcp_out.mode = c->fwd->udp_out.mode = FWD_NONE;
	}

	return 0;
}

/**
 * conf_path_abs() - Make a relative path absolute, from the current
 *		     directory
 * @path:	Path, changed in place; empty is left alone
 * @size:	Size of @path
 *
 * Return: 0 on success, -ENAMETOOLONG if the result doesn't fit, -errno if
 *	   the current directory can't be read
 */
static int conf_path_abs(char *path, size_t size)
{
	char cwd[PATH_MAX], buf[PATH_MAX];
	int n;

	if (!*path || *path == '/')
		return 0;
	/* #syscalls:setup getcwd */
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s/%s", strcmp(cwd, "/") ? cwd : "",
		     path);
	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(path, buf, (size_t)n + 1);
	return 0;
}

/**
 * conf_paths_abs() - Make the paths used after start-up absolute
 * @c:		Execution context
 * @err:	Error message buffer
 * @errlen:	Size of @err
 *
 * The daemon leaves its starting directory for the root (so it doesn't keep
 * a file system busy), but the UNIX socket is removed at exit and the
 * --netns path is watched while running: relative ones must still name the
 * same file then. Files opened once at start (pid file, log, capture) need
 * nothing.
 *
 * Return: 0 on success, -1 with a message in @err
 */
int conf_paths_abs(struct ctx *c, char *err, size_t errlen)
{
	char orig[PATH_MAX];
	int rc;

	snprintf(orig, sizeof(orig), "%s", c->sock_path);
	rc = conf_path_abs(c->sock_path, sizeof(c->sock_path));
	if (rc) {
		conf_err(err, errlen, "Invalid -s/--socket '%s': %s (at most %zu characters once the current directory is prepended)",
			 orig, strerror(-rc), sizeof(c->sock_path) - 1);
		return -1;
	}
	snprintf(orig, sizeof(orig), "%s", c->pasta.netns);
	rc = conf_path_abs(c->pasta.netns, sizeof(c->pasta.netns));
	if (rc) {
		conf_err(err, errlen, "Invalid --netns '%s': %s", orig,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * conf_log() - Log the configuration at info level
 * @c:		Execution context
 */
void conf_log(const struct ctx *c)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], m[MAC_STRLEN];
	unsigned i;

	info("MAC: host side %s", mac_ntop(c->our_tap_mac, m, sizeof(m)));
	if (c->mtu)
		info("MTU: %u", c->mtu);
	if (c->ifi4_on) {
		info("IPv4: address %s/%d, gateway %s, host interface %s",
		     inet_ntop(AF_INET, &c->ip4.addr, a, sizeof(a)),
		     c->ip4.prefix_len,
		     inet_ntop(AF_INET, &c->ip4.gw, b, sizeof(b)),
		     *c->ip4.ifname ? c->ip4.ifname : "(none)");
		if (!in4_is_unspec(&c->ip4.map_host_loopback))
			info("    %s maps to the host's loopback",
			     inet_ntop(AF_INET, &c->ip4.map_host_loopback, a,
				       sizeof(a)));
		if (!in4_is_unspec(&c->ip4.map_guest_addr))
			info("    %s maps to the host's own address",
			     inet_ntop(AF_INET, &c->ip4.map_guest_addr, a,
				       sizeof(a)));
		for (i = 0; i < c->ip4.dns_count; i++)
			info("    DNS: %s", inet_ntop(AF_INET, &c->ip4.dns[i],
						     a, sizeof(a)));
		if (!in4_is_unspec(&c->ip4.dns_match))
			info("    DNS queries to %s go to the host's resolver",
			     inet_ntop(AF_INET, &c->ip4.dns_match, a,
				       sizeof(a)));
	}
	if (c->ifi6_on) {
		info("IPv6: address %s/%d, gateway %s, host interface %s",
		     inet_ntop(AF_INET6, &c->ip6.addr, a, sizeof(a)),
		     c->ip6.prefix_len,
		     inet_ntop(AF_INET6, &c->ip6.gw, b, sizeof(b)),
		     *c->ip6.ifname ? c->ip6.ifname : "(none)");
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
			info("    %s maps to the host's loopback",
			     inet_ntop(AF_INET6, &c->ip6.map_host_loopback, a,
				       sizeof(a)));
		for (i = 0; i < c->ip6.dns_count; i++)
			info("    DNS: %s", inet_ntop(AF_INET6, &c->ip6.dns[i],
						     a, sizeof(a)));
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
			info("    DNS queries to %s go to the host's resolver",
			     inet_ntop(AF_INET6, &c->ip6.dns_match, a,
				       sizeof(a)));
	}
	for (i = 0; i < c->search_count; i++)
		info("    search: %s", c->search[i].n);
}
