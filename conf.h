/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - command line options and defaults taken from the host */

#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"

#define CONF_ERR_LEN		512

/**
 * enum conf_result - Outcome of parsing the command line
 * @CONF_OK:		Go on
 * @CONF_ERROR:		Bad command line, message in the error buffer
 * @CONF_HELP:		-h/--help: print usage, exit 0
 * @CONF_VERSION:	--version: print version, exit 0
 * @CONF_SYSCALLS:	--print-syscalls: print the seccomp allow-list, exit 0
 * @CONF_CAPS:		--print-capabilities: print the vhost-user backend
 *			capabilities (JSON), exit 0
 */
enum conf_result {
	CONF_OK,
	CONF_ERROR,
	CONF_HELP,
	CONF_VERSION,
	CONF_SYSCALLS,
	CONF_CAPS,
};

/**
 * struct conf_given - What the command line set, for conf_defaults()
 * @addr4:		-a with an IPv4 address
 * @addr6:		-a with an IPv6 address
 * @prefix4:		Prefix length with -a or -n
 * @gw4:		-g with an IPv4 address
 * @gw6:		-g with an IPv6 address
 * @mac:		-M
 * @mtu:		-m
 * @dns:		-D (possibly "none")
 * @search:		-S (possibly "none")
 * @dns_host4:		--dns-host, IPv4
 * @dns_host6:		--dns-host, IPv6
 * @map_lo4:		--map-host-loopback, IPv4
 * @map_lo6:		--map-host-loopback, IPv6
 * @dhcp_dns:		--dhcp-dns or --no-dhcp-dns
 * @dhcp_search:	--dhcp-search or --no-dhcp-search
 * @v4_only:		-4
 * @v6_only:		-6
 * @ifname:		-i NAME
 * @log_file:		-l PATH
 * @log_size:		--log-size
 * @stderr_too:		-e
 * @quiet:		-q
 * @debug:		-d
 * @trace:		--trace
 * @runas:		--runas
 * @framing:		--framing
 * @host_lo_to_ns_lo:	--host-lo-to-ns-lo
 */
struct conf_given {
	bool addr4, addr6, prefix4, gw4, gw6, mac, mtu, dns, search;
	bool dns_host4, dns_host6, map_lo4, map_lo6;
	bool dhcp_dns, dhcp_search, v4_only, v6_only;
	char ifname[IFNAMSIZ];
	char log_file[PATH_MAX];
	size_t log_size;
	bool stderr_too, quiet, debug, trace, runas, host_lo_to_ns_lo;
	bool framing;
};

enum conf_result conf_parse(struct ctx *c, struct conf_given *g, int argc,
			    char **argv, char *err, size_t errlen);
int conf_defaults(struct ctx *c, const struct conf_given *g, char *err,
		  size_t errlen);
int conf_paths_abs(struct ctx *c, char *err, size_t errlen);
void conf_print_usage(const struct ctx *c, const char *name);
void conf_print_version(const struct ctx *c);
void conf_log(const struct ctx *c);
void conf_init_ctx(struct ctx *c, const char *argv0);
int conf_read_resolv(struct ctx *c, const char *path, bool dns, bool search);

#endif /* CONF_H */
