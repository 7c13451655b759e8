// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCP server for the guest's one address
 *
 * Theory of operation: the guest is alone on its link and there is exactly
 * one address to hand out, c->ip4.addr, so there is no lease table: every
 * DISCOVER gets an OFFER of that address, every REQUEST for it (or for no
 * particular address) an ACK, a REQUEST for any other address a NAK, and
 * an INFORM an ACK with the configuration but no address. RELEASE and
 * DECLINE need no answer (RFC 2131, 4.3.3 and 4.3.4) and are only noted.
 * Leases are infinite, so clients never need to renew.
 *
 * We always send the same options, whatever the parameter request list
 * (option 55) asks for: subnet mask, router, DNS servers, host name,
 * interface MTU, lease time, server identifier, FQDN (RFC 4702), domain
 * search list (RFC 3397) and, when the gateway is outside the guest's
 * prefix, classless static routes (RFC 3442) that make it reachable.
 * Options that do not fit the client's maximum message size (option 57,
 * 576 bytes if absent) are left out, least important first.
 *
 * Limits: no relay agents (giaddr is echoed, never used), no option
 * overload (sname and file are not parsed), long options split in the
 * request (RFC 3396) are not joined: we keep the last piece we see.
 * Messages without a DHCP message type (plain BOOTP) are dropped.
 *
 * dhcp_name_encode() is shared with dhcpv6.c and ndp.c: they all send
 * domain names in uncompressed DNS wire format.
 */

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "packet.h"
#include "tap.h"
#include "dhcp.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP_HTYPE_ETHER	1
#define DHCP_MAGIC		0x63825363U
#define DHCP_FLAG_BROADCAST	0x8000

/* Message types, option 53 (RFC 2132, 9.6) */
#define DHCPDISCOVER		1
#define DHCPOFFER		2
#define DHCPREQUEST		3
#define DHCPDECLINE		4
#define DHCPACK			5
#define DHCPNAK			6
#define DHCPRELEASE		7
#define DHCPINFORM		8

/* Options */
#define OPT_PAD			0
#define OPT_SUBNET_MASK		1
#define OPT_ROUTER		3
#define OPT_DNS			6
#define OPT_HOSTNAME		12
#define OPT_MTU			26
#define OPT_REQ_ADDR		50
#define OPT_LEASE_TIME		51
#define OPT_MSG_TYPE		53
#define OPT_SERVER_ID		54
#define OPT_MAX_MSG_SIZE	57
#define OPT_FQDN		81
#define OPT_SEARCH		119
#define OPT_ROUTES		121
#define OPT_END			255

#define OPT_LEN_MAX		255	/* one option's payload */
#define DHCP_LEASE_INFINITE	0xffffffffU

/* FQDN flags (RFC 4702, 2.1): canonical wire format, no updates by us */
#define FQDN_FLAG_E		0x04
#define FQDN_FLAG_N		0x08
#define FQDN_RCODE		255	/* RFC 4702, 2.2: servers send 255 */

/* Sizes of the whole message, IP and UDP headers included (RFC 2131) */
#define DHCP_MSG_MIN		576	/* default and least maximum size */
#define DHCP_IP_UDP_HLEN	28
/* Replies are padded to the BOOTP size, some old clients want it */
#define DHCP_BOOTP_MIN		300

/* Room for our options: all of them, search list included, fit */
#define DHCP_OPT_SPACE		2048

/**
 * struct dhcp_hdr - Fixed part of a BOOTP/DHCP message, with magic cookie
 * @op:		BOOTREQUEST or BOOTREPLY
 * @htype:	Hardware address type, 1 for Ethernet
 * @hlen:	Hardware address length
 * @hops:	Relay hops
 * @xid:	Transaction identifier, echoed
 * @secs:	Seconds since the client started
 * @flags:	Broadcast flag
 * @ciaddr:	Client's current address, if any
 * @yiaddr:	Address we give
 * @siaddr:	Next server
 * @giaddr:	Relay agent
 * @chaddr:	Client hardware address
 * @sname:	Server name (unused)
 * @file:	Boot file (unused)
 * @cookie:	DHCP_MAGIC, network order
 *
 * All fields are naturally aligned: no packing needed. Multi-byte fields
 * stay in network order.
 */
struct dhcp_hdr {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct in_addr ciaddr;
	struct in_addr yiaddr;
	struct in_addr siaddr;
	struct in_addr giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	uint32_t cookie;
};
static_assert(sizeof(struct dhcp_hdr) == 240, "BOOTP header and cookie");

/**
 * struct dhcp_req - What we take from a request
 * @h:		Fixed part
 * @type:	Message type (option 53), 0 if absent
 * @req_addr:	Requested address (option 50), unspecified if absent
 * @server_id:	Server identifier (option 54), unspecified if absent
 * @max_msg:	Largest message the client takes, IP and UDP headers included
 */
struct dhcp_req {
	struct dhcp_hdr h;
	uint8_t type;
	struct in_addr req_addr;
	struct in_addr server_id;
	size_t max_msg;
};

/**
 * struct dhcp_out - Options being written into a reply
 * @buf:	Option area
 * @len:	Bytes written
 * @limit:	Bytes we may write, room for the End option excluded
 */
struct dhcp_out {
	uint8_t buf[DHCP_OPT_SPACE];
	size_t len;
	size_t limit;
};

/**
 * dhcp_name_encode() - Encode a dotted domain name in DNS wire format
 * @out:	Output
 * @size:	Size of @out
 * @name:	Dotted name, NUL-terminated within DOMAIN_MAX bytes; a
 *		trailing dot is allowed
 *
 * Uncompressed (RFC 1035, 3.1), ending with the root label: what DHCP
 * options 81 and 119, DHCPv6 options 24 and 39 and the NDP DNSSL option
 * all accept.
 *
 * Return: encoded length, 0 if @name is empty or malformed (empty or
 *	   over-long label, more than 255 bytes encoded), or @out too small
 */
size_t dhcp_name_encode(uint8_t *out, size_t size, const char *name)
{
	size_t nlen = strnlen(name, DOMAIN_MAX), pos = 0, len = 0;

	if (!nlen || nlen == DOMAIN_MAX)
		return 0;

	while (pos < nlen) {
		const char *dot = memchr(name + pos, '.', nlen - pos);
		size_t l = dot ? (size_t)(dot - (name + pos)) : nlen - pos;

		/* cppcheck-suppress knownConditionTrueFalse
		 * l is 0 for an empty label ("a..b"), cppcheck misses it
		 */
		if (!l || l > 63 || len + 1 + l + 1 > MIN(size, 255))
			return 0;
		out[len++] = (uint8_t)l;
		memcpy(out + len, name + pos, l);
		len += l;
		pos += l + 1;	/* label and dot, or past the end */
	}
	out[len++] = 0;
	return len;
}

/**
 * dhcp_opt_put() - Append one option, if it fits
 * @o:		Options being written
 * @code:	Option code
 * @data:	Payload
 * @len:	Payload length, at most OPT_LEN_MAX
 *
 * Return: true if written, false if it does not fit
 */
static bool dhcp_opt_put(struct dhcp_out *o, uint8_t code, const void *data,
			 size_t len)
{
	ASSERT(len <= OPT_LEN_MAX);
	if (len + 2 > o->limit - o->len)
		return false;
	o->buf[o->len++] = code;
	o->buf[o->len++] = (uint8_t)len;
	memcpy(o->buf + o->len, data, len);
	o->len += len;
	return true;
}

/**
 * dhcp_opt_put_long() - Append data split in options of one code (RFC 3396)
 * @o:		Options being written
 * @code:	Option code
 * @data:	Payload
 * @len:	Payload length
 *
 * Return: true if all of it was written, false (and nothing written) if
 *	   it does not fit
 */
static bool dhcp_opt_put_long(struct dhcp_out *o, uint8_t code,
			      const uint8_t *data, size_t len)
{
	size_t need = len + 2 * DIV_ROUND_UP(len, OPT_LEN_MAX), off;

	if (!len || need > o->limit - o->len)
		return false;
	for (off = 0; off < len; off += OPT_LEN_MAX)
		dhcp_opt_put(o, code, data + off, MIN(len - off, OPT_LEN_MAX));
	return true;
}

/**
 * dhcp_server_id() - Our address on the guest link, as a DHCP server
 * @c:		Execution context
 *
 * Return: our_tap_addr, or the gateway if that is not set
 */
static struct in_addr dhcp_server_id(const struct ctx *c)
{
	if (!in4_is_unspec(&c->ip4.our_tap_addr))
		return c->ip4.our_tap_addr;
	return c->ip4.gw;
}

/**
 * dhcp_mask() - Netmask for the guest's prefix length
 * @c:		Execution context
 *
 * Return: mask, network order
 */
static struct in_addr dhcp_mask(const struct ctx *c)
{
	int plen = c->ip4.prefix_len;
	struct in_addr m;

	if (plen <= 0)
		m.s_addr = 0;
	else if (plen >= 32)
		m.s_addr = htonl(0xffffffffU);
	else
		m.s_addr = htonl(0xffffffffU << (32 - plen));
	return m;
}

/**
 * dhcp_opts_routes() - Add routes to a gateway outside the guest's prefix
 * @c:		Execution context
 * @o:		Options being written
 *
 * Option 121 (RFC 3442): an on-link host route to the gateway, then the
 * default route through it. A client that takes option 121 ignores
 * option 3, hence the default route here too.
 */
static void dhcp_opts_routes(const struct ctx *c, struct dhcp_out *o)
{
	struct in_addr mask = dhcp_mask(c);
	uint8_t r[14];

	if (in4_is_unspec(&c->ip4.gw) ||
	    (c->ip4.gw.s_addr & mask.s_addr) ==
	    (c->ip4.addr.s_addr & mask.s_addr))
		return;

	r[0] = 32;				/* gateway/32 ... */
	memcpy(r + 1, &c->ip4.gw, 4);
	memset(r + 5, 0, 4);			/* ... on link */
	r[9] = 0;				/* 0.0.0.0/0 ... */
	memcpy(r + 10, &c->ip4.gw, 4);		/* ... via gateway */
	if (!dhcp_opt_put(o, OPT_ROUTES, r, sizeof(r)))
		debug("DHCP: no room for classless static routes");
}

/**
 * dhcp_opts_names() - Add host name, FQDN and search list, if they fit
 * @c:		Execution context
 * @o:		Options being written
 */
static void dhcp_opts_names(const struct ctx *c, struct dhcp_out *o)
{
	uint8_t buf[SEARCH_MAX * 255];
	size_t len, i;

	len = strnlen(c->hostname, HOSTNAME_MAX);
	if (len && len < HOSTNAME_MAX &&
	    !dhcp_opt_put(o, OPT_HOSTNAME, c->hostname, len))
		debug("DHCP: no room for host name option");

	if (c->fqdn[0]) {
		buf[0] = FQDN_FLAG_E | FQDN_FLAG_N;
		buf[1] = buf[2] = FQDN_RCODE;
		len = dhcp_name_encode(buf + 3, OPT_LEN_MAX - 3, c->fqdn);
		if (!len)
			debug("DHCP: can't encode FQDN %s", c->fqdn);
		else if (!dhcp_opt_put(o, OPT_FQDN, buf, len + 3))
			debug("DHCP: no room for FQDN option");
	}

	if (c->no_dhcp_search)
		return;
	for (i = 0, len = 0; i < c->search_count && i < SEARCH_MAX; i++) {
		size_t n = dhcp_name_encode(buf + len, sizeof(buf) - len,
					    c->search[i].n);

		if (!n)
			debug("DHCP: can't encode search domain %s",
			      c->search[i].n);
		len += n;
	}
	if (len && !dhcp_opt_put_long(o, OPT_SEARCH, buf, len))
		debug("DHCP: no room for domain search option");
}

/**
 * dhcp_opts() - Write every option of a reply, End included
 * @c:		Execution context
 * @o:		Options being written, @limit set
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @lease:	Give a lease time (not for an answer to DHCPINFORM)
 */
static void dhcp_opts(const struct ctx *c, struct dhcp_out *o, uint8_t type,
		      bool lease)
{
	struct in_addr sid = dhcp_server_id(c), mask = dhcp_mask(c);
	uint32_t lease_time = htonl(DHCP_LEASE_INFINITE);
	struct in_addr dns[DNS_MAX];
	unsigned i, n;

	/* These always fit: limit is at least 576 - 28 - 240 bytes */
	dhcp_opt_put(o, OPT_MSG_TYPE, &type, 1);
	dhcp_opt_put(o, OPT_SERVER_ID, &sid, sizeof(sid));
	if (type == DHCPNAK)
		goto end;

	if (lease)
		dhcp_opt_put(o, OPT_LEASE_TIME, &lease_time,
			     sizeof(lease_time));
	dhcp_opt_put(o, OPT_SUBNET_MASK, &mask, sizeof(mask));
	if (!in4_is_unspec(&c->ip4.gw))
		dhcp_opt_put(o, OPT_ROUTER, &c->ip4.gw, sizeof(c->ip4.gw));
	dhcp_opts_routes(c, o);

	if (c->mtu) {
		uint16_t mtu = htons((uint16_t)MIN(c->mtu, ETH_MAX_MTU));

		if (c->mtu >= MTU_MIN_IPV4)
			dhcp_opt_put(o, OPT_MTU, &mtu, sizeof(mtu));
	}

	for (i = 0, n = 0; !c->no_dhcp_dns && i < c->ip4.dns_count &&
			   i < DNS_MAX; i++) {
		if (!in4_is_unspec(&c->ip4.dns[i]))
			dns[n++] = c->ip4.dns[i];
	}
	if (n && !dhcp_opt_put(o, OPT_DNS, dns, n * sizeof(dns[0])))
		debug("DHCP: no room for DNS option");

	dhcp_opts_names(c, o);
end:
	/* limit keeps one byte for this */
	o->buf[o->len++] = OPT_END;
}

/**
 * dhcp_parse_opts() - Walk the options of a request, checking lengths
 * @msg:	BOOTP message, fixed part included
 * @r:		Request, option fields filled here
 *
 * A message may end without an End option: we stop at its end.
 *
 * Return: true if the options are well-formed, false otherwise
 */
static bool dhcp_parse_opts(const struct pkt *msg, struct dhcp_req *r)
{
	size_t off = sizeof(struct dhcp_hdr), i;
	uint8_t code, len;
	uint16_t max;
	struct pkt v;

	/* Each step takes at least one byte: bounded by the length */
	for (i = 0; i <= msg->len; i++) {
		if (!pkt_u8(msg, off, &code) || code == OPT_END)
			return true;
		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (!pkt_u8(msg, off + 1, &len) ||
		    !pkt_sub(msg, off + 2, len, &v)) {
			debug("DHCP: option %u truncated", code);
			return false;
		}

		switch (code) {
		case OPT_MSG_TYPE:
			if (len != 1 || !pkt_u8(&v, 0, &r->type))
				goto bad;
			break;
		case OPT_REQ_ADDR:
			if (len != 4 || !pkt_copy(&v, 0, &r->req_addr, 4))
				goto bad;
			break;
		case OPT_SERVER_ID:
			if (len != 4 || !pkt_copy(&v, 0, &r->server_id, 4))
				goto bad;
			break;
		case OPT_MAX_MSG_SIZE:
			if (len != 2 || !pkt_be16(&v, 0, &max))
				goto bad;
			r->max_msg = MAX(max, DHCP_MSG_MIN);
			break;
		default:
			break;
		}
		off += 2 + (size_t)len;
	}
	return true;
bad:
	debug("DHCP: option %u has bad length", code);
	return false;
}

/**
 * dhcp_reply() - Build and send a reply
 * @c:		Execution context
 * @r:		Request
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @inform:	Answer to DHCPINFORM: no address, no lease time
 */
static void dhcp_reply(struct ctx *c, const struct dhcp_req *r, uint8_t type,
		       bool inform)
{
	static struct {
		struct dhcp_hdr h;
		uint8_t opts[DHCP_OPT_SPACE];
	} m;
	static_assert(offsetof(__typeof__(m), opts) == sizeof(struct dhcp_hdr),
		      "options follow the fixed part");
	struct in_addr src = dhcp_server_id(c), dst;
	/* cppcheck-suppress variableScope ; used in debug() arguments */
	char a[IPV4_STRLEN], d[IPV4_STRLEN];
	size_t len, max = r->max_msg;
	struct dhcp_out o;

	/* We don't fragment: stay within the link MTU too */
	if (c->mtu)
		max = MAX(MIN(max, c->mtu), DHCP_MSG_MIN);
	o.len = 0;
	o.limit = MIN(sizeof(o.buf),
		      max - DHCP_IP_UDP_HLEN - sizeof(struct dhcp_hdr)) - 1;
	dhcp_opts(c, &o, type, !inform);

	memset(&m.h, 0, sizeof(m.h));
	m.h.op = BOOTREPLY;
	m.h.htype = r->h.htype;
	m.h.hlen = r->h.hlen;
	m.h.xid = r->h.xid;
	m.h.flags = r->h.flags;
	m.h.giaddr = r->h.giaddr;
	memcpy(m.h.chaddr, r->h.chaddr, sizeof(m.h.chaddr));
	m.h.cookie = htonl(DHCP_MAGIC);
	if (type == DHCPACK)
		m.h.ciaddr = r->h.ciaddr;
	if (type != DHCPNAK && !inform)
		m.h.yiaddr = c->ip4.addr;

	memcpy(m.opts, o.buf, o.len);
	len = sizeof(m.h) + o.len;
	if (len < DHCP_BOOTP_MIN) {
		memset(m.opts + o.len, OPT_PAD, DHCP_BOOTP_MIN - len);
		len = DHCP_BOOTP_MIN;
	}

	/* RFC 2131, 4.1: unicast to a configured client, NAKs broadcast */
	if (type != DHCPNAK && !in4_is_unspec(&r->h.ciaddr))
		dst = r->h.ciaddr;
	else
		dst.s_addr = htonl(INADDR_BROADCAST);

	debug("DHCP: %s %s to %s",
	      type == DHCPOFFER ? "offer" : type == DHCPACK ? "ack" : "nak",
	      inet_ntop(AF_INET, &m.h.yiaddr, a, sizeof(a)),
	      inet_ntop(AF_INET, &dst, d, sizeof(d)));

	stats_inc(STAT_DHCP_REPLIES);
	tap_udp4_send(c, src, DHCP_SERVER_PORT, dst, DHCP_CLIENT_PORT, &m, len);
}

/**
 * dhcp() - Handle a DHCP message from the guest
 * @c:		Execution context
 * @udp:	UDP header and payload, destination port 67
 */
void dhcp(struct ctx *c, const struct pkt *udp)
{
	struct in_addr sid = dhcp_server_id(c), want;
	struct dhcp_req r = { .max_msg = DHCP_MSG_MIN };
	char a[IPV4_STRLEN];
	struct pkt msg;
	uint16_t ulen;

	if (!pkt_be16(udp, offsetof(struct udphdr, len), &ulen) ||
	    ulen < sizeof(struct udphdr) ||
	    !pkt_sub(udp, sizeof(struct udphdr),
		     ulen - sizeof(struct udphdr), &msg) ||
	    !pkt_copy(&msg, 0, &r.h, sizeof(r.h))) {
		debug("DHCP: truncated message");
		goto drop;
	}
	if (r.h.op != BOOTREQUEST || r.h.htype != DHCP_HTYPE_ETHER ||
	    r.h.hlen != MAC_LEN || ntohl(r.h.cookie) != DHCP_MAGIC) {
		debug("DHCP: not an Ethernet DHCP request (op %u, htype %u, "
		      "hlen %u, cookie 0x%08x)", r.h.op, r.h.htype, r.h.hlen,
		      ntohl(r.h.cookie));
		goto drop;
	}
	if (!dhcp_parse_opts(&msg, &r))
		goto drop;

	if (in4_is_unspec(&c->ip4.addr)) {
		debug("DHCP: no address to give");
		goto drop;
	}

	switch (r.type) {
	case DHCPDISCOVER:
		dhcp_reply(c, &r, DHCPOFFER, false);
		return;
	case DHCPREQUEST:
		if (!in4_is_unspec(&r.server_id) &&
		    !in4_eq(&r.server_id, &sid)) {
			debug("DHCP: request for server %s, not us",
			      inet_ntop(AF_INET, &r.server_id, a, sizeof(a)));
			goto drop;
		}
		want = in4_is_unspec(&r.req_addr) ? r.h.ciaddr : r.req_addr;
		if (!in4_is_unspec(&want) && !in4_eq(&want, &c->ip4.addr)) {
			debug("DHCP: request for %s, not ours",
			      inet_ntop(AF_INET, &want, a, sizeof(a)));
			dhcp_reply(c, &r, DHCPNAK, false);
			return;
		}
		dhcp_reply(c, &r, DHCPACK, false);
		return;
	case DHCPINFORM:
		dhcp_reply(c, &r, DHCPACK, true);
		return;
	case DHCPDECLINE:
		debug("DHCP: guest declined %s, in use?",
		      inet_ntop(AF_INET, &r.req_addr, a, sizeof(a)));
		return;
	case DHCPRELEASE:
		debug("DHCP: guest released its address");
		return;
	default:
		debug("DHCP: message type %u not handled", r.type);
		goto drop;
	}
drop:
	stats_inc(STAT_DHCP_DROP);
}
