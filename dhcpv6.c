// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - DHCPv6 server for the guest's one address
 *
 * Theory of operation: as for DHCP, there is one guest and one address,
 * c->ip6.addr, so there is no binding table. A SOLICIT gets an ADVERTISE
 * with the highest preference, so the client need not wait for other
 * servers (RFC 8415, 18.2.1), or straight a REPLY if it asked for Rapid
 * Commit. REQUEST, RENEW and REBIND get a REPLY with the address in an
 * IA_NA carrying the client's IAID, with infinite lifetimes and T1/T2, so
 * the client never needs to renew. CONFIRM gets a REPLY saying whether
 * the client's addresses are on our link, RELEASE and DECLINE a REPLY
 * with status Success, INFORMATION-REQUEST a REPLY with the resolvers and
 * search list alone.
 *
 * We answer the first IA_NA of a message only, and never temporary
 * addresses (IA_TA) or prefixes. Options always sent, whatever the
 * Option Request option asks for: DNS servers (RFC 3646), domain list and
 * Client FQDN (RFC 4704), as far as they fit the link MTU (1280 bytes if
 * unknown). Messages carrying a Server ID that isn't ours are for another
 * server and ignored; so are messages lacking an identifier RFC 8415,
 * 16, requires. Relay messages are not handled.
 *
 * Our Server ID is a DUID-LL (RFC 8415, 11.4) built from our MAC address,
 * and replies come from our link-local address, ndp_ll_addr(), the one
 * our Router Advertisements come from: the host's gateway if that is
 * link-local, so the guest sees one router, not two.
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
#include "ndp.h"
#include "dhcpv6.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

/* Message types (RFC 8415, 7.3) */
#define DHCPV6_SOLICIT		1
#define DHCPV6_ADVERTISE	2
#define DHCPV6_REQUEST		3
#define DHCPV6_CONFIRM		4
#define DHCPV6_RENEW		5
#define DHCPV6_REBIND		6
#define DHCPV6_REPLY		7
#define DHCPV6_RELEASE		8
#define DHCPV6_DECLINE		9
#define DHCPV6_INFO_REQUEST	11

/* Options */
#define OPT_CLIENTID		1
#define OPT_SERVERID		2
#define OPT_IA_NA		3
#define OPT_IAADDR		5
#define OPT_PREFERENCE		7
#define OPT_STATUS_CODE		13
#define OPT_RAPID_COMMIT	14
#define OPT_DNS_SERVERS		23
#define OPT_DOMAIN_LIST		24
#define OPT_CLIENT_FQDN		39

/* Status codes */
#define STATUS_SUCCESS		0
#define STATUS_NOADDRSAVAIL	2
#define STATUS_NOTONLINK	4

#define DHCPV6_HDR_LEN		4	/* type and transaction ID */
#define DHCPV6_OPT_HDR_LEN	4	/* code and length */
#define DHCPV6_IA_NA_LEN	12	/* IAID, T1, T2 */
#define DHCPV6_IAADDR_LEN	24	/* address, lifetimes */
#define DHCPV6_DUID_MAX		130	/* type and up to 128 bytes */
#define DHCPV6_INFINITE		0xffffffffU
#define DHCPV6_PREF_MAX		255
#define DHCPV6_STATUS_MAX	32	/* Status Code option, our messages */
/* Our IA_NA: IAID, T1, T2, then an IA Address or a Status Code option */
#define DHCPV6_IA_BUF		(DHCPV6_IA_NA_LEN +			\
				 MAX(DHCPV6_OPT_HDR_LEN + DHCPV6_IAADDR_LEN, \
				     DHCPV6_STATUS_MAX))
/* More options than any client sends: a longer list is dropped */
#define DHCPV6_OPTS_MAX		128

/* Our DUID-LL: type 3, hardware type 1 (Ethernet), MAC address */
#define DUID_TYPE_LL		3
#define DUID_HW_ETHER		1
#define DUID_LL_LEN		(4 + MAC_LEN)

/* Client FQDN flags (RFC 4704, 4.1): N, we update no DNS records */
#define FQDN_FLAG_N		0x04

#define DHCPV6_IP6_UDP_HLEN	48
#define DHCPV6_BUF		2048	/* all our options, whole search list */

/**
 * struct dhcpv6_req - What we take from a client message
 * @type:	Message type
 * @xid:	Transaction ID, echoed
 * @client_id:	Client ID option payload, empty if absent
 * @server_id:	Server ID option present
 * @ours:	...and it is ours
 * @ia_na:	IA_NA option present
 * @iaid:	IAID of the first one, network order
 * @rapid:	Rapid Commit option present
 * @addrs:	Addresses in the first IA_NA
 * @off_link:	One of them is not on our link
 */
struct dhcpv6_req {
	uint8_t type;
	uint8_t xid[3];
	struct pkt client_id;
	bool server_id;
	bool ours;
	bool ia_na;
	uint8_t iaid[4];
	bool rapid;
	unsigned addrs;
	bool off_link;
};

/**
 * struct dhcpv6_out - A reply being written
 * @buf:	Message
 * @len:	Bytes written
 * @limit:	Bytes we may write
 */
struct dhcpv6_out {
	uint8_t buf[DHCPV6_BUF];
	size_t len;
	size_t limit;
};

/**
 * dhcpv6_duid() - Write our DUID-LL
 * @c:		Execution context
 * @duid:	Output
 */
static void dhcpv6_duid(const struct ctx *c, uint8_t duid[static DUID_LL_LEN])
{
	uint16_t v;

	v = htons(DUID_TYPE_LL);
	memcpy(duid, &v, 2);
	v = htons(DUID_HW_ETHER);
	memcpy(duid + 2, &v, 2);
	memcpy(duid + 4, c->our_tap_mac, MAC_LEN);
}

/**
 * dhcpv6_on_link() - Is an address in the guest's prefix?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if it shares c->ip6.addr's prefix (/64 if not configured)
 */
static bool dhcpv6_on_link(const struct ctx *c, const struct in6_addr *a)
{
	int plen = c->ip6.prefix_len, i;

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		return false;
	if (plen <= 0 || plen > 128)
		plen = 64;
	for (i = 0; i < plen; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if ((a->s6_addr[i / 8] ^ c->ip6.addr.s6_addr[i / 8]) & bit)
			return false;
	}
	return true;
}

/**
 * dhcpv6_opt_next() - Take the next option of a list
 * @p:		Option list
 * @off:	Offset of the option, moved past it
 * @code:	Option code
 * @val:	Option payload
 *
 * Return: 1 for an option, 0 at the end of the list, -1 if truncated
 */
static int dhcpv6_opt_next(const struct pkt *p, size_t *off, uint16_t *code,
			   struct pkt *val)
{
	uint16_t len;

	if (*off >= p->len)
		return 0;
	if (!pkt_be16(p, *off, code) || !pkt_be16(p, *off + 2, &len) ||
	    !pkt_sub(p, *off + DHCPV6_OPT_HDR_LEN, len, val))
		return -1;
	*off += DHCPV6_OPT_HDR_LEN + (size_t)len;
	return 1;
}

/**
 * dhcpv6_parse_ia_na() - Take the IAID and addresses of an IA_NA option
 * @c:		Execution context
 * @v:		IA_NA payload
 * @r:		Request, IA_NA fields filled here for the first IA_NA
 *
 * Return: true if well-formed
 */
static bool dhcpv6_parse_ia_na(const struct ctx *c, const struct pkt *v,
			       struct dhcpv6_req *r)
{
	size_t off = DHCPV6_IA_NA_LEN;
	struct in6_addr a;
	uint16_t code;
	struct pkt o;
	unsigned i;

	if (v->len < DHCPV6_IA_NA_LEN)
		return false;
	if (r->ia_na)
		return true;		/* we only answer the first one */
	if (!pkt_copy(v, 0, r->iaid, sizeof(r->iaid)))
		return false;
	r->ia_na = true;

	for (i = 0; i < DHCPV6_OPTS_MAX; i++) {
		int ret = dhcpv6_opt_next(v, &off, &code, &o);

		if (ret <= 0)
			return !ret;
		if (code != OPT_IAADDR)
			continue;
		if (!pkt_copy(&o, 0, &a, sizeof(a)) ||
		    o.len < DHCPV6_IAADDR_LEN)
			return false;
		r->addrs++;
		if (!dhcpv6_on_link(c, &a))
			r->off_link = true;
	}
	return false;
}

/**
 * dhcpv6_parse() - Walk the options of a client message, checking them
 * @c:		Execution context
 * @msg:	Message
 * @r:		Request, filled here
 *
 * Return: true if well-formed
 */
static bool dhcpv6_parse(const struct ctx *c, const struct pkt *msg,
			 struct dhcpv6_req *r)
{
	uint8_t duid[DUID_LL_LEN];
	size_t off = DHCPV6_HDR_LEN;
	const uint8_t *id;
	uint16_t code;
	struct pkt v;
	unsigned i;
	int ret;

	if (!pkt_u8(msg, 0, &r->type) || !pkt_copy(msg, 1, r->xid, 3))
		return false;

	dhcpv6_duid(c, duid);
	for (i = 0; i < DHCPV6_OPTS_MAX; i++) {
		ret = dhcpv6_opt_next(msg, &off, &code, &v);
		if (ret <= 0) {
			if (ret)
				debug("DHCPv6: option truncated");
			return !ret;
		}

		switch (code) {
		case OPT_CLIENTID:
			if (v.len < 2 || v.len > DHCPV6_DUID_MAX)
				goto bad;
			r->client_id = v;
			break;
		case OPT_SERVERID:
			if (v.len < 2 || v.len > DHCPV6_DUID_MAX)
				goto bad;
			id = pkt_ptr(&v, 0, v.len);
			r->server_id = true;
			r->ours = v.len == sizeof(duid) && id &&
				  !memcmp(id, duid, sizeof(duid));
			break;
		case OPT_IA_NA:
			if (!dhcpv6_parse_ia_na(c, &v, r))
				goto bad;
			break;
		case OPT_RAPID_COMMIT:
			if (v.len)
				goto bad;
			r->rapid = true;
			break;
		default:
			break;
		}
	}
	debug("DHCPv6: more than %u options", DHCPV6_OPTS_MAX);
	return false;
bad:
	debug("DHCPv6: malformed option %u, length %zu", code, v.len);
	return false;
}

/**
 * dhcpv6_put() - Append an option, if it fits
 * @o:		Reply being written
 * @code:	Option code
 * @data:	Payload, may be NULL if @len is 0
 * @len:	Payload length
 *
 * Return: true if written, false if it does not fit
 */
static bool dhcpv6_put(struct dhcpv6_out *o, uint16_t code, const void *data,
		       size_t len)
{
	uint16_t v;

	if (len > UINT16_MAX || DHCPV6_OPT_HDR_LEN + len > o->limit - o->len)
		return false;
	v = htons(code);
	memcpy(o->buf + o->len, &v, 2);
	v = htons((uint16_t)len);
	memcpy(o->buf + o->len + 2, &v, 2);
	if (len)
		memcpy(o->buf + o->len + DHCPV6_OPT_HDR_LEN, data, len);
	o->len += DHCPV6_OPT_HDR_LEN + len;
	return true;
}

/**
 * dhcpv6_put_status() - Write a Status Code option into a buffer
 * @buf:	Output, DHCPV6_STATUS_MAX bytes
 * @status:	Status code
 * @msg:	Message for people
 *
 * Return: bytes written
 */
static size_t dhcpv6_put_status(uint8_t *buf, uint16_t status, const char *msg)
{
	size_t mlen = strlen(msg);
	uint16_t v;

	ASSERT(6 + mlen <= DHCPV6_STATUS_MAX);
	v = htons(OPT_STATUS_CODE);
	memcpy(buf, &v, 2);
	v = htons((uint16_t)(2 + mlen));
	memcpy(buf + 2, &v, 2);
	v = htons(status);
	memcpy(buf + 4, &v, 2);
	/* Status messages are UTF-8 without a terminating NUL (RFC 8415) */
	memcpy(buf + 6, msg, mlen); // NOLINT(bugprone-not-null-terminated-result)
	return 6 + mlen;
}

/**
 * dhcpv6_put_ia_na() - Append an IA_NA with our address
 * @c:		Execution context
 * @o:		Reply being written
 * @r:		Request
 */
static void dhcpv6_put_ia_na(const struct ctx *c, struct dhcpv6_out *o,
			     const struct dhcpv6_req *r)
{
	uint8_t ia[DHCPV6_IA_BUF];
	uint32_t inf = htonl(DHCPV6_INFINITE);
	uint16_t v;
	size_t len;

	memcpy(ia, r->iaid, 4);
	memcpy(ia + 4, &inf, 4);			/* T1 */
	memcpy(ia + 8, &inf, 4);			/* T2 */
	len = DHCPV6_IA_NA_LEN;

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr)) {
		len += dhcpv6_put_status(ia + len, STATUS_NOADDRSAVAIL,
					 "no address");
	} else {
		v = htons(OPT_IAADDR);
		memcpy(ia + len, &v, 2);
		v = htons(DHCPV6_IAADDR_LEN);
		memcpy(ia + len + 2, &v, 2);
		len += DHCPV6_OPT_HDR_LEN;
		memcpy(ia + len, &c->ip6.addr, 16);
		memcpy(ia + len + 16, &inf, 4);		/* preferred */
		memcpy(ia + len + 20, &inf, 4);		/* valid */
		len += DHCPV6_IAADDR_LEN;
	}

	/* Fits: limit leaves far more than the identifiers and this */
	dhcpv6_put(o, OPT_IA_NA, ia, len);
}

/**
 * dhcpv6_put_config() - Append DNS servers, domain list and FQDN
 * @c:		Execution context
 * @o:		Reply being written
 * @fqdn:	Include the Client FQDN option
 */
static void dhcpv6_put_config(const struct ctx *c, struct dhcpv6_out *o,
			      bool fqdn)
{
	uint8_t names[SEARCH_MAX * 255];
	struct in6_addr dns[DNS_MAX];
	size_t i, n, len;

	for (i = 0, n = 0; !c->no_dhcp_dns && i < c->ip6.dns_count &&
			   i < DNS_MAX; i++) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]))
			dns[n++] = c->ip6.dns[i];
	}
	if (n && !dhcpv6_put(o, OPT_DNS_SERVERS, dns, n * sizeof(dns[0])))
		debug("DHCPv6: no room for DNS servers");

	for (i = 0, len = 0; !c->no_dhcp_search && i < c->search_count &&
			     i < SEARCH_MAX; i++) {
		n = dhcp_name_encode(names + len, sizeof(names) - len,
				     c->search[i].n);
		if (!n)
			debug("DHCPv6: can't encode search domain %s",
			      c->search[i].n);
		len += n;
	}
	if (len && !dhcpv6_put(o, OPT_DOMAIN_LIST, names, len))
		debug("DHCPv6: no room for domain list");

	if (fqdn && c->fqdn[0]) {
		names[0] = FQDN_FLAG_N;
		len = dhcp_name_encode(names + 1, sizeof(names) - 1, c->fqdn);
		if (!len)
			debug("DHCPv6: can't encode FQDN %s", c->fqdn);
		else if (!dhcpv6_put(o, OPT_CLIENT_FQDN, names, len + 1))
			debug("DHCPv6: no room for client FQDN");
	}
}

/**
 * dhcpv6_reply() - Build and send our answer to a client message
 * @c:		Execution context
 * @saddr:	Client address
 * @r:		Client message
 */
static void dhcpv6_reply(struct ctx *c, const struct in6_addr *saddr,
			 const struct dhcpv6_req *r)
{
	static struct dhcpv6_out o;
	uint8_t duid[DUID_LL_LEN], id[DHCPV6_DUID_MAX], st[DHCPV6_STATUS_MAX];
	uint8_t pref = DHCPV6_PREF_MAX;
	unsigned mtu = c->mtu >= MTU_MIN_IPV6 ? c->mtu : MTU_MIN_IPV6;
	uint8_t type = DHCPV6_REPLY;
	bool addr = false;
	size_t len;

	o.limit = MIN(sizeof(o.buf), mtu - DHCPV6_IP6_UDP_HLEN);
	o.len = DHCPV6_HDR_LEN;
	memcpy(o.buf + 1, r->xid, sizeof(r->xid));

	/* Client ID (at most 134 bytes), Server ID, status or IA_NA fit */
	if (r->client_id.len &&
	    pkt_copy(&r->client_id, 0, id, r->client_id.len))
		dhcpv6_put(&o, OPT_CLIENTID, id, r->client_id.len);
	dhcpv6_duid(c, duid);
	dhcpv6_put(&o, OPT_SERVERID, duid, sizeof(duid));

	switch (r->type) {
	case DHCPV6_SOLICIT:
		if (r->rapid) {
			dhcpv6_put(&o, OPT_RAPID_COMMIT, NULL, 0);
		} else {
			type = DHCPV6_ADVERTISE;
			dhcpv6_put(&o, OPT_PREFERENCE, &pref, sizeof(pref));
		}
		/* fall through */
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_REBIND:
		if (r->ia_na) {
			dhcpv6_put_ia_na(c, &o, r);
			addr = true;
		}
		/* fall through */
	case DHCPV6_INFO_REQUEST:
		dhcpv6_put_config(c, &o, addr);
		break;
	case DHCPV6_CONFIRM:
		len = r->off_link ?
		      dhcpv6_put_status(st, STATUS_NOTONLINK, "not on link") :
		      dhcpv6_put_status(st, STATUS_SUCCESS, "on link");
		dhcpv6_put(&o, OPT_STATUS_CODE, st + 4, len - 4);
		break;
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		len = dhcpv6_put_status(st, STATUS_SUCCESS, "ok");
		dhcpv6_put(&o, OPT_STATUS_CODE, st + 4, len - 4);
		break;
	default:
		ASSERT(0);
	}
	o.buf[0] = type;

	stats_inc(STAT_DHCPV6_REPLIES);
	tap_udp6_send(c, ndp_ll_addr(c), DHCPV6_SERVER_PORT, saddr,
		      DHCPV6_CLIENT_PORT, o.buf, o.len);
}

/**
 * dhcpv6() - Handle a DHCPv6 message from the guest
 * @c:		Execution context
 * @saddr:	IPv6 source address
 * @udp:	UDP header and payload, destination port 547
 */
void dhcpv6(struct ctx *c, const struct in6_addr *saddr,
	    const struct pkt *udp)
{
	struct dhcpv6_req r = { .client_id = { .len = 0 } };
	struct pkt msg;
	uint16_t ulen;

	if (!pkt_be16(udp, offsetof(struct udphdr, len), &ulen) ||
	    ulen < sizeof(struct udphdr) + DHCPV6_HDR_LEN ||
	    !pkt_sub(udp, sizeof(struct udphdr),
		     ulen - sizeof(struct udphdr), &msg)) {
		debug("DHCPv6: truncated message");
		goto drop;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) || IN6_IS_ADDR_MULTICAST(saddr)) {
		debug("DHCPv6: bad source address");
		goto drop;
	}
	if (!dhcpv6_parse(c, &msg, &r))
		goto drop;

	if (r.server_id && !r.ours) {
		trace("DHCPv6: message for another server");
		goto drop;
	}

	switch (r.type) {
	case DHCPV6_SOLICIT:
	case DHCPV6_REBIND:
		if (!r.client_id.len)
			goto missing;
		break;
	case DHCPV6_CONFIRM:
		if (!r.client_id.len)
			goto missing;
		if (!r.addrs) {
			/* RFC 8415, 18.3.3: no addresses, no reply */
			debug("DHCPv6: confirm without addresses");
			goto drop;
		}
		break;
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		if (!r.client_id.len || !r.server_id)
			goto missing;
		break;
	case DHCPV6_INFO_REQUEST:
		break;
	default:
		debug("DHCPv6: message type %u not handled", r.type);
		goto drop;
	}

	dhcpv6_reply(c, saddr, &r);
	return;
missing:
	debug("DHCPv6: message type %u without a required identifier",
	      r.type);
drop:
	stats_inc(STAT_DHCPV6_DROP);
}
