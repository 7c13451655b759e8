/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd.h - port forwarding rules and address mapping between guest and host */

#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "ctx.h"
#include "inany.h"
#include "flow.h"
#include "tap.h"

#define FWD_RULES_MAX		128
#define NUM_PORTS		(1U << 16)

/**
 * enum fwd_mode - How a direction of forwarding was configured
 * @FWD_UNSET:	Not given: the mode's default applies
 * @FWD_NONE:	"none"
 * @FWD_SPEC:	Explicit ports, see the rules
 * @FWD_ALL:	"all", or only exclusions: every non-ephemeral port
 * @FWD_AUTO:	"auto": follow the listening sockets of the other side
 */
enum fwd_mode {
	FWD_UNSET = 0,
	FWD_NONE,
	FWD_SPEC,
	FWD_ALL,
	FWD_AUTO,
};

/**
 * struct fwd_rule - A range of listening ports and where they go
 * @addr:	Listening address, unspecified for any
 * @af:		AF_INET or AF_INET6 if @addr is set, else AF_UNSPEC
 * @ifname:	Device to bind to (addr%iface/ or %iface/), or empty
 * @first:	First listening port
 * @last:	Last listening port
 * @to:		Target port of @first: port p goes to p - @first + @to
 */
struct fwd_rule {
	union inany_addr addr;
	int af;
	char ifname[IFNAMSIZ];
	uint16_t first;
	uint16_t last;
	uint16_t to;
};

/**
 * struct fwd_ports - Forwarding configuration of one protocol and direction
 * @mode:	Mode
 * @n_rules:	Rules in use
 * @rules:	Rules, in the order given
 * @exclude:	Bitmap of ports excluded with '~'
 */
struct fwd_ports {
	enum fwd_mode mode;
	unsigned n_rules;
	struct fwd_rule rules[FWD_RULES_MAX];
	uint8_t exclude[NUM_PORTS / 8];
};

/**
 * struct fwd_ctx - All forwarding configuration
 * @tcp_in:	-t: host to guest, TCP
 * @udp_in:	-u: host to guest, UDP
 * @tcp_out:	-T: namespace to host, TCP (pasta)
 * @udp_out:	-U: namespace to host, UDP (pasta)
 */
struct fwd_ctx {
	struct fwd_ports tcp_in;
	struct fwd_ports udp_in;
	struct fwd_ports tcp_out;
	struct fwd_ports udp_out;
};

/**
 * fwd_port_excluded() - Is a port excluded with '~'?
 * @fp:		Forwarding configuration
 * @port:	Port
 *
 * Return: true if excluded
 */
static inline bool fwd_port_excluded(const struct fwd_ports *fp,
				     uint16_t port)
{
	return fp->exclude[port / 8] & (1U << (port % 8));
}

int fwd_parse_spec(struct fwd_ports *fp, const char *spec, bool allow_auto,
		   char *errbuf, size_t errlen);
bool fwd_port_is_forwarded(const struct fwd_ports *fp, uint16_t port,
			   uint16_t *to);

/**
 * enum fwd_map - What a guest-side destination address stands for
 * @FWD_MAP_NONE:	Itself: a host elsewhere
 * @FWD_MAP_LOOPBACK:	The host's loopback (--map-host-loopback, gateway)
 * @FWD_MAP_GUEST:	The host's own address equal to the guest's
 * @FWD_MAP_DNS:	The host-side resolver (--dns-forward), port 53 only
 */
enum fwd_map {
	FWD_MAP_NONE,
	FWD_MAP_LOOPBACK,
	FWD_MAP_GUEST,
	FWD_MAP_DNS,
};

enum fwd_map fwd_map_from_guest(const struct ctx *c,
				const union inany_addr *dst, uint16_t dport,
				union inany_addr *host_dst);
bool fwd_map_to_guest(const struct ctx *c, const union inany_addr *src,
		      union inany_addr *guest_src);
void fwd_guest_addr(const struct ctx *c, int af, union inany_addr *a);
enum fwd_map fwd_flow_from_tap(const struct ctx *c, struct flow_common *f,
			       const struct tap_l4_seq *seq);

#endif /* FWD_H */
