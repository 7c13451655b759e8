// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - rtnetlink queries and configuration of links, addresses and
 *	       routes
 *
 * Theory of operation: a socket is opened in the namespace it should act
 * on (pasta opens one in the host's and one in the guest's namespace).
 * Requests are sent one at a time and answered before the next one: a
 * dump is read until NLMSG_DONE, any other request until its ACK. Used at
 * start-up only, so simplicity wins over speed. Every attribute is
 * walked with the RTA_ macros, which check lengths.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "netlink.h"

#define NL_BUF_SIZE		65536

static uint8_t nl_buf[NL_BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
static uint32_t nl_seq = 1;

/**
 * struct nl_req - A request being built
 * @nlh:	Netlink header
 * @buf:	Room for the family header and attributes
 */
struct nl_req {
	struct nlmsghdr nlh;
	uint8_t buf[512];
};

/**
 * nl_sock_open() - Open a route netlink socket in the current namespace
 *
 * Return: socket, or -errno
 */
int nl_sock_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int s;

	/* #syscalls:setup socket bind */
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(s);
		return -e;
	}
	return s;
}

/**
 * nl_req_init() - Start a request
 * @r:		Request
 * @type:	RTM_* type
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST
 * @hdr:	Family header (struct ifinfomsg, ifaddrmsg, rtmsg)
 * @hdr_len:	Its size
 */
static void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags,
			const void *hdr, size_t hdr_len)
{
	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->nlh.nlmsg_seq = nl_seq++;
	r->nlh.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdr_len);
	memcpy(NLMSG_DATA(&r->nlh), hdr, hdr_len);
}

/**
 * nl_req_attr() - Append an attribute to a request
 * @r:		Request
 * @type:	Attribute type
 * @data:	Payload
 * @len:	Payload length
 */
static void nl_req_attr(struct nl_req *r, uint16_t type, const void *data,
			size_t len)
{
	struct rtattr *rta = (struct rtattr *)(void *)
			     ((uint8_t *)&r->nlh +
			      NLMSG_ALIGN(r->nlh.nlmsg_len));

	ASSERT(NLMSG_ALIGN(r->nlh.nlmsg_len) + RTA_SPACE(len) <= sizeof(*r));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nlh.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->nlh.nlmsg_len) +
				      RTA_SPACE(len));
}

/**
 * nl_send() - Send a request
 * @s:		Netlink socket
 * @r:		Request
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_send(int s, struct nl_req *r)
{
	/* #syscalls:setup sendto send */
	if (send(s, r, r->nlh.nlmsg_len, 0) < 0)
		return -errno;
	return 0;
}

/**
 * typedef nl_cb_t - Called for each message of a dump
 * @nh:		Message
 * @arg:	Caller's argument
 *
 * Return: 0 to go on, 1 to stop early (the rest is still drained)
 */
typedef int (*nl_cb_t)(const struct nlmsghdr *nh, void *arg);

/**
 * nl_recv() - Read answers to a request until its end
 * @s:		Netlink socket
 * @seq:	Sequence number of the request
 * @cb:		Called for each data message, NULL for a plain ACK
 * @arg:	Argument for @cb
 *
 * Return: 0 on success, -errno from the kernel's error answer
 */
static int nl_recv(int s, uint32_t seq, nl_cb_t cb, void *arg)
{
	bool stop = false;

	for (;;) {
		/* #syscalls:setup recvfrom recv */
		ssize_t n = recv(s, nl_buf, sizeof(nl_buf), 0);
		struct nlmsghdr *nh;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (size_t)n;
		for (nh = (struct nlmsghdr *)(void *)nl_buf;
		     NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				/* ACK of a request, or the error of a dump */
				return e->error;
			}
			if (cb && !stop && cb(nh, arg))
				stop = true;
		}
	}
}

/**
 * nl_do() - Send a request and wait for its ACK
 * @s:		Netlink socket
 * @r:		Request, NLM_F_ACK is added
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_do(int s, struct nl_req *r)
{
	int rc;

	r->nlh.nlmsg_flags |= NLM_F_ACK;
	rc = nl_send(s, r);
	if (rc)
		return rc;
	return nl_recv(s, r->nlh.nlmsg_seq, NULL, NULL);
}

/**
 * struct nl_route_arg - What a default route dump looks for and finds
 * @af:		Family
 * @ifi:	Wanted interface, 0 for any
 * @found_ifi:	Interface of the first default route found
 * @gw:		Its gateway, 16 bytes of room
 * @has_gw:	A gateway was given
 */
struct nl_route_arg {
	int af;
	unsigned ifi;
	unsigned found_ifi;
	uint8_t gw[16];
	bool has_gw;
};

/**
 * nl_route_cb() - Look at one route of a dump
 * @nh:		Message
 * @arg:	struct nl_route_arg
 *
 * Return: 1 once a default route in the main table was found
 */
static int nl_route_cb(const struct nlmsghdr *nh, void *arg)
{
	struct nl_route_arg *ra = arg;
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	size_t alen = (size_t)(ra->af == AF_INET ? 4 : 16);
	const struct rtattr *rta;
	unsigned oif = 0;
	int len;
	const void *gw = NULL;

	if (nh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_dst_len ||
	    rtm->rtm_family != ra->af || rtm->rtm_table != RT_TABLE_MAIN ||
	    rtm->rtm_type != RTN_UNICAST)
		return 0;

	len = (int)RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_OIF &&
		    RTA_PAYLOAD(rta) >= sizeof(uint32_t)) {
			uint32_t v;

			memcpy(&v, RTA_DATA(rta), sizeof(v));
			oif = v;
		} else if (rta->rta_type == RTA_GATEWAY &&
			   RTA_PAYLOAD(rta) >= alen) {
			gw = RTA_DATA(rta);
		} else if (rta->rta_type == RTA_MULTIPATH && !oif &&
			   RTA_PAYLOAD(rta) >= sizeof(struct rtnexthop)) {
			const struct rtnexthop *nhop = RTA_DATA(rta);
			const struct rtattr *a;
			int nlen = (int)nhop->rtnh_len -
				   (int)sizeof(struct rtnexthop);

			oif = (unsigned)nhop->rtnh_ifindex;
			for (a = RTNH_DATA(nhop); RTA_OK(a, nlen);
			     a = RTA_NEXT(a, nlen)) {
				if (a->rta_type == RTA_GATEWAY &&
				    RTA_PAYLOAD(a) >= alen)
					gw = RTA_DATA(a);
			}
		}
	}

	if (!oif || (ra->ifi && oif != ra->ifi))
		return 0;
	ra->found_ifi = oif;
	ra->has_gw = !!gw;
	if (gw)
		memcpy(ra->gw, gw, alen);
	return 1;
}

/**
 * nl_route_dump() - Find the first default route of a family
 * @s:		Netlink socket
 * @ra:		Query and result
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_route_dump(int s, struct nl_route_arg *ra)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)ra->af,
			     .rtm_table = RT_TABLE_MAIN };
	struct nl_req r;
	int rc;

	nl_req_init(&r, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	rc = nl_send(s, &r);
	if (rc)
		return rc;
	return nl_recv(s, r.nlh.nlmsg_seq, nl_route_cb, ra);
}

/**
 * nl_get_default_ifi() - Interface of the first default route
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 *
 * Return: interface index, 0 if there is no default route
 */
unsigned nl_get_default_ifi(int s, int af)
{
	struct nl_route_arg ra = { .af = af };

	if (nl_route_dump(s, &ra))
		return 0;
	return ra.found_ifi;
}

/**
 * nl_route_get_default() - Gateway of the default route via an interface
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifi:	Interface
 * @gw:		Gateway, struct in_addr or struct in6_addr
 *
 * Return: 0 on success, -ENOENT if there is no such route with a gateway
 */
int nl_route_get_default(int s, int af, unsigned ifi, void *gw)
{
	struct nl_route_arg ra = { .af = af, .ifi = ifi };
	int rc = nl_route_dump(s, &ra);

	if (rc)
		return rc;
	if (!ra.found_ifi || !ra.has_gw)
		return -ENOENT;
	memcpy(gw, ra.gw, af == AF_INET ? 4 : 16);
	return 0;
}

/**
 * struct nl_addr_list_arg - What an address listing looks for and finds
 * @af:		Family
 * @ifi:	Interface
 * @out:	Addresses found, in the order the kernel lists them
 * @max:	Room in @out
 * @n:		Addresses found, also those beyond @max
 */
struct nl_addr_list_arg {
	int af;
	unsigned ifi;
	struct nl_addr *out;
	unsigned max;
	unsigned n;
};

/**
 * nl_addr_list_cb() - Take one address of a dump, if it is worth copying
 * @nh:		Message
 * @arg:	struct nl_addr_list_arg
 *
 * Global scope only. Left out: addresses that failed duplicate address
 * detection (not usable) and IPv6 temporary (privacy) addresses, which
 * the host replaces over time while a copy would stay.
 *
 * Return: 0, to see them all
 */
static int nl_addr_list_cb(const struct nlmsghdr *nh, void *arg)
{
	struct nl_addr_list_arg *la = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	size_t alen = (size_t)(la->af == AF_INET ? 4 : 16);
	const void *addr = NULL, *local = NULL;
	uint32_t flags = ifa->ifa_flags;
	const struct rtattr *rta;
	int len;

	if (nh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != la->af ||
	    ifa->ifa_index != la->ifi || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;

	len = (int)IFA_PAYLOAD(nh);
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_FLAGS &&
		    RTA_PAYLOAD(rta) >= sizeof(uint32_t)) {
			memcpy(&flags, RTA_DATA(rta), sizeof(flags));
			continue;
		}
		if (RTA_PAYLOAD(rta) < alen)
			continue;
		if (rta->rta_type == IFA_ADDRESS)
			addr = RTA_DATA(rta);
		else if (rta->rta_type == IFA_LOCAL)
			local = RTA_DATA(rta);
	}
	if (local)
		addr = local;
	/* IFA_F_TEMPORARY is IFA_F_SECONDARY for IPv4: keep secondaries */
	if (!addr || (flags & IFA_F_DADFAILED) ||
	    (la->af == AF_INET6 && (flags & IFA_F_TEMPORARY)))
		return 0;

	if (la->n < la->max) {
		struct nl_addr *a = &la->out[la->n];

		memset(a, 0, sizeof(*a));
		memcpy(&a->a, addr, alen);
		a->prefix_len = ifa->ifa_prefixlen;
	}
	la->n++;
	return 0;
}

/**
 * nl_addr_list() - Global addresses of an interface, as the kernel lists
 *		    them
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifi:	Interface
 * @out:	Addresses found
 * @max:	Room in @out
 *
 * For IPv4 the kernel lists primary addresses in the order they were
 * added, then secondary ones; for IPv6, the newest first.
 *
 * Return: number of addresses the interface has (possibly more than @max,
 *	   of which @max are stored), or -errno
 */
int nl_addr_list(int s, int af, unsigned ifi, struct nl_addr *out,
		 unsigned max)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)af };
	struct nl_addr_list_arg la = { .af = af, .ifi = ifi, .out = out,
				       .max = max };
	struct nl_req r;
	int rc;

	nl_req_init(&r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	rc = nl_send(s, &r);
	if (rc)
		return rc;
	rc = nl_recv(s, r.nlh.nlmsg_seq, nl_addr_list_cb, &la);
	if (rc)
		return rc;
	return (int)la.n;
}

/**
 * nl_addr_get() - First global address of an interface, as nl_addr_list()
 *		   lists them
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifi:	Interface
 * @addr:	Address, struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length
 *
 * Return: 0 on success, -ENOENT if the interface has none, -errno
 */
int nl_addr_get(int s, int af, unsigned ifi, void *addr, int *prefix_len)
{
	struct nl_addr a = { 0 };
	int n = nl_addr_list(s, af, ifi, &a, 1);

	if (n < 0)
		return n;
	if (!n)
		return -ENOENT;
	memcpy(addr, &a.a, af == AF_INET ? 4 : 16);
	*prefix_len = a.prefix_len;
	return 0;
}

/**
 * struct nl_link_arg - What a link query finds
 * @mac:	Hardware address
 * @has_mac:	The link has one
 * @mtu:	MTU
 * @ifi:	Index
 */
struct nl_link_arg {
	uint8_t mac[MAC_LEN];
	bool has_mac;
	unsigned mtu;
	unsigned ifi;
};

/**
 * nl_link_cb() - Read a link's attributes
 * @nh:		Message
 * @arg:	struct nl_link_arg
 *
 * Return: 1
 */
static int nl_link_cb(const struct nlmsghdr *nh, void *arg)
{
	struct nl_link_arg *la = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len;

	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	la->ifi = (unsigned)ifi->ifi_index;
	len = (int)IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_ADDRESS &&
		    RTA_PAYLOAD(rta) == MAC_LEN) {
			memcpy(la->mac, RTA_DATA(rta), MAC_LEN);
			la->has_mac = true;
		} else if (rta->rta_type == IFLA_MTU &&
			   RTA_PAYLOAD(rta) >= sizeof(uint32_t)) {
			uint32_t v;

			memcpy(&v, RTA_DATA(rta), sizeof(v));
			la->mtu = v;
		}
	}
	return 1;
}

/**
 * nl_link_query() - Get one link by index or name
 * @s:		Netlink socket
 * @ifi:	Index, 0 to query by @name
 * @name:	Name, used if @ifi is 0
 * @la:		Result
 *
 * Return: 0 on success, -errno on failure
 */
static int nl_link_query(int s, unsigned ifi, const char *name,
			 struct nl_link_arg *la)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC,
				 .ifi_index = (int)ifi };
	struct nl_req r;
	int rc;

	/* With NLM_F_ACK, a plain get ends with an ACK instead of DONE */
	if (!ifi && !name)
		return -EINVAL;
	nl_req_init(&r, RTM_GETLINK, NLM_F_ACK, &ifm, sizeof(ifm));
	if (!ifi)
		nl_req_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	rc = nl_send(s, &r);
	if (rc)
		return rc;
	rc = nl_recv(s, r.nlh.nlmsg_seq, nl_link_cb, la);
	if (rc)
		return rc;
	return la->ifi ? 0 : -ENODEV;
}

/**
 * nl_link_get_mac() - Hardware address of a link
 * @s:		Netlink socket
 * @ifi:	Interface
 * @mac:	Address
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_get_mac(int s, unsigned ifi, uint8_t mac[static MAC_LEN])
{
	struct nl_link_arg la = { 0 };
	int rc = nl_link_query(s, ifi, NULL, &la);

	if (rc)
		return rc;
	if (!la.has_mac)
		return -ENOENT;
	memcpy(mac, la.mac, MAC_LEN);
	return 0;
}

/**
 * nl_link_get_mtu() - MTU of a link
 * @s:		Netlink socket
 * @ifi:	Interface
 * @mtu:	MTU
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_get_mtu(int s, unsigned ifi, unsigned *mtu)
{
	struct nl_link_arg la = { 0 };
	int rc = nl_link_query(s, ifi, NULL, &la);

	if (rc)
		return rc;
	*mtu = la.mtu;
	return 0;
}

/**
 * nl_link_get_ifi() - Index of a link by name
 * @s:		Netlink socket
 * @name:	Name
 * @ifi:	Index
 *
 * Return: 0 on success, -ENODEV if there is no such link
 */
int nl_link_get_ifi(int s, const char *name, unsigned *ifi)
{
	struct nl_link_arg la = { 0 };
	int rc;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	rc = nl_link_query(s, 0, name, &la);
	if (rc)
		return rc;
	*ifi = la.ifi;
	return 0;
}

/**
 * nl_link_set() - Set a link's MAC address and MTU, and bring it up
 * @s:		Netlink socket
 * @ifi:	Interface
 * @mac:	MAC address, NULL to leave it
 * @mtu:	MTU, 0 to leave it
 * @up:		Bring the link up
 *
 * Return: 0 on success, -errno on failure
 */
int nl_link_set(int s, unsigned ifi, const uint8_t *mac, unsigned mtu,
		bool up)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC,
				 .ifi_index = (int)ifi };
	struct nl_req r;

	if (up) {
		ifm.ifi_flags = IFF_UP;
		ifm.ifi_change = IFF_UP;
	}
	nl_req_init(&r, RTM_NEWLINK, 0, &ifm, sizeof(ifm));
	if (mac)
		nl_req_attr(&r, IFLA_ADDRESS, mac, MAC_LEN);
	if (mtu) {
		uint32_t v = mtu;

		nl_req_attr(&r, IFLA_MTU, &v, sizeof(v));
	}
	return nl_do(s, &r);
}

/**
 * nl_addr_add() - Add an address to an interface
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifi:	Interface
 * @addr:	Address, struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length
 *
 * IPv6 addresses skip duplicate address detection: the link has nobody
 * else on it, and the address must be usable at once.
 *
 * Return: 0 on success (also if it was there already), -errno on failure
 */
int nl_addr_add(int s, int af, unsigned ifi, const void *addr,
		int prefix_len)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)af,
		.ifa_prefixlen = (uint8_t)prefix_len,
		.ifa_index = ifi,
		.ifa_scope = RT_SCOPE_UNIVERSE,
	};
	size_t alen = af == AF_INET ? 4 : 16;
	struct nl_req r;
	int rc;

	if (af == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;
	nl_req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa,
		    sizeof(ifa));
	nl_req_attr(&r, IFA_LOCAL, addr, alen);
	nl_req_attr(&r, IFA_ADDRESS, addr, alen);
	if (af == AF_INET6) {
		uint32_t flags = IFA_F_NODAD;

		nl_req_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	}
	rc = nl_do(s, &r);
	return rc == -EEXIST ? 0 : rc;
}

/**
 * nl_route_add_default() - Add a default route through a gateway
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 * @ifi:	Interface
 * @gw:		Gateway, struct in_addr or struct in6_addr
 *
 * IPv4 routes are added "onlink", so a gateway outside the guest's prefix
 * (e.g. with a /32 address) still works.
 *
 * Return: 0 on success (also if it was there already), -errno on failure
 */
int nl_route_add_default(int s, int af, unsigned ifi, const void *gw)
{
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)af,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	size_t alen = af == AF_INET ? 4 : 16;
	uint32_t oif = ifi;
	struct nl_req r;
	int rc;

	if (af == AF_INET)
		rtm.rtm_flags = RTNH_F_ONLINK;
	nl_req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm,
		    sizeof(rtm));
	nl_req_attr(&r, RTA_OIF, &oif, sizeof(oif));
	nl_req_attr(&r, RTA_GATEWAY, gw, alen);
	rc = nl_do(s, &r);
	return rc == -EEXIST ? 0 : rc;
}
