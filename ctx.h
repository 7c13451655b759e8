/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h - the execution context: configuration shared by every module
 *
 * struct ctx carries what the options and the host told us (addresses,
 * names, switches) in plain types, so that any layer can include it. The
 * run-time state of a module stays in that module, or behind an opaque
 * pointer here (struct fwd_ctx), so a protocol file never needs another
 * protocol's header.
 */

#ifndef CTX_H
#define CTX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/types.h>

#include "util.h"

#define DNS_MAX			4	/* resolvers per family */
#define SEARCH_MAX		6	/* search domains */
#define DOMAIN_MAX		254	/* a domain name, with NUL */
#define HOSTNAME_MAX		64	/* with NUL */
#define SOCK_PATH_MAX		108	/* sizeof(sun_path) */

/**
 * enum passt_mode - Which guest link we serve
 * @MODE_PASST:	A VM over a UNIX stream socket (QEMU), or vhost-user
 * @MODE_PASTA:	A network namespace through a tap device
 */
enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

/**
 * struct ip4_ctx - IPv4 configuration
 * @addr:		Guest's address (from -a, or copied from the host)
 * @addr_seen:		Last source address seen from the guest
 * @prefix_len:		Guest's prefix length
 * @gw:			Guest's default gateway
 * @map_host_loopback:	Guest-side address mapped to the host's loopback,
 *			unspecified if none (--no-map-gw)
 * @map_guest_addr:	Guest-side address mapped to the host's own address
 *			equal to the guest's, unspecified if none
 * @our_tap_addr:	Source for the link services (DHCP server, ARP)
 * @dns:		Resolvers advertised to the guest
 * @dns_count:		Entries in @dns
 * @dns_match:		Guest-side address whose DNS queries are forwarded
 * @dns_host:		Host-side resolver those queries go to
 * @addr_out:		Source address for host sockets (-o), or unspecified
 * @ifname_out:		Device for host sockets (--outbound-if4), or empty
 * @ifi:		Host interface index of the addresses, 0 if disabled
 * @ifname:		Its name
 * @host_addr:		Host's own address on that interface
 * @no_copy_addrs:	Address was given (-a), not copied
 */
struct ip4_ctx {
	struct in_addr addr;
	struct in_addr addr_seen;
	int prefix_len;
	struct in_addr gw;
	struct in_addr map_host_loopback;
	struct in_addr map_guest_addr;
	struct in_addr our_tap_addr;
	struct in_addr dns[DNS_MAX];
	unsigned dns_count;
	struct in_addr dns_match;
	struct in_addr dns_host;
	struct in_addr addr_out;
	char ifname_out[IFNAMSIZ];
	unsigned ifi;
	char ifname[IFNAMSIZ];
	struct in_addr host_addr;
	bool no_copy_addrs;
};

/**
 * struct ip6_ctx - IPv6 configuration
 * @addr:		Guest's global address
 * @addr_seen:		Last global source address seen from the guest
 * @addr_ll_seen:	Last link-local source address seen from the guest
 * @prefix_len:		Prefix length of @addr
 * @gw:			Guest's default gateway
 * @map_host_loopback:	Guest-side address mapped to the host's loopback
 * @map_guest_addr:	Guest-side address mapped to the host's own address
 * @our_tap_ll:		Our link-local address, source of RAs and DHCPv6:
 *			@gw if link-local, else derived from our MAC
 * @dns:		Resolvers advertised to the guest
 * @dns_count:		Entries in @dns
 * @dns_match:		Guest-side address whose DNS queries are forwarded
 * @dns_host:		Host-side resolver those queries go to
 * @addr_out:		Source address for host sockets (-o), or unspecified
 * @ifname_out:		Device for host sockets (--outbound-if6), or empty
 * @ifi:		Host interface index of the addresses, 0 if disabled
 * @ifname:		Its name
 * @host_addr:		Host's own global address on that interface
 * @no_copy_addrs:	Address was given (-a), not copied
 */
struct ip6_ctx {
	struct in6_addr addr;
	struct in6_addr addr_seen;
	struct in6_addr addr_ll_seen;
	int prefix_len;
	struct in6_addr gw;
	struct in6_addr map_host_loopback;
	struct in6_addr map_guest_addr;
	struct in6_addr our_tap_ll;
	struct in6_addr dns[DNS_MAX];
	unsigned dns_count;
	struct in6_addr dns_match;
	struct in6_addr dns_host;
	struct in6_addr addr_out;
	char ifname_out[IFNAMSIZ];
	unsigned ifi;
	char ifname[IFNAMSIZ];
	struct in6_addr host_addr;
	bool no_copy_addrs;
};

/**
 * struct pasta_conf - Namespace options of pasta
 * @netns:		--netns path, or empty
 * @userns:		--userns path, or empty
 * @netns_only:		Don't join a user namespace
 * @no_netns_quit:	Keep running when the namespace path goes away
 * @attach_pid:		Process whose namespaces to join, 0 if none
 * @config_net:		Configure the tap device (--config-net)
 * @ifname:		Tap device name in the namespace (-I)
 * @ns_mac:		MAC address of the tap device (--ns-mac-addr), or zero
 * @argv:		Command to run, NULL to run a shell
 * @argc:		Entries in @argv
 * @netns_fd:		Open network namespace
 * @userns_fd:		Open user namespace, or -1
 * @child_pid:		Command we spawned, 0 if none
 * @ifi:		Index of the tap device in the namespace
 */
struct pasta_conf {
	char netns[PATH_MAX];
	char userns[PATH_MAX];
	bool netns_only;
	bool no_netns_quit;
	pid_t attach_pid;
	bool config_net;
	char ifname[IFNAMSIZ];
	uint8_t ns_mac[MAC_LEN];
	char **argv;
	int argc;
	int netns_fd;
	int userns_fd;
	pid_t child_pid;
	unsigned ifi;
};

/**
 * struct search_domain - One DNS search domain
 * @n:		Domain name, dotted
 */
struct search_domain {
	char n[DOMAIN_MAX];
};

struct fwd_ctx;

/**
 * struct ctx - Execution context
 * @mode:		passt or pasta
 * @foreground:		Don't daemonize
 * @one_off:		Quit when the guest disconnects (passt -1)
 * @pidfile:		--pid path, or empty
 * @pidfile_fd:		Open pid file, or -1
 * @pcap:		--pcap path, or empty
 * @sock_path:		--socket path (passt), or empty
 * @fd_tap_listen:	Listening UNIX socket (passt), or -1
 * @fd_tap:		Tap device (pasta) or connected socket (passt), or -1
 * @fd_tap_given:	-F: descriptor given by the caller, or -1
 * @vhost_user:		--vhost-user (passt): the guest's socket carries the
 *			vhost-user protocol, frames go through shared memory
 * @vsock_port:		--vsock-port (passt): listen on AF_VSOCK at this port
 *			instead of a UNIX socket, 0 for none
 * @vsock_cid:		--vsock-cid: address to listen on (VMADDR_CID_ANY)
 * @framing:		--framing: enum tap_framing, how frames are delimited
 *			on the guest's stream (tap.h)
 * @vsock_zc_rx_off:	--vsock-zerocopy-rx off: read, even where the kernel
 *			could map received data (vsock.c)
 * @epollfd:		The epoll instance
 * @our_tap_mac:	Our MAC on the guest link (-M)
 * @guest_mac:		Guest's MAC, learnt from its frames
 * @mtu:		MTU for the guest link, 0 to not advertise one
 * @ifi4_on:		IPv4 enabled
 * @ifi6_on:		IPv6 enabled
 * @ip4:		IPv4 configuration
 * @ip6:		IPv6 configuration
 * @hostname:		-H, or empty
 * @fqdn:		--fqdn, or empty
 * @search:		Search domains
 * @search_count:	Entries in @search
 * @no_tcp:		--no-tcp
 * @no_udp:		--no-udp
 * @no_icmp:		--no-icmp
 * @no_dhcp:		--no-dhcp
 * @no_ndp:		--no-ndp
 * @no_dhcpv6:		--no-dhcpv6
 * @no_ra:		--no-ra
 * @no_dhcp_dns:	Don't put resolvers in DHCP, DHCPv6 and NDP
 * @no_dhcp_search:	Don't put the search list in DHCP, DHCPv6 and NDP
 * @no_map_gw:		--no-map-gw
 * @uid:		User to run as (--runas)
 * @gid:		Group to run as (--runas)
 * @pasta:		pasta's namespace configuration
 * @fwd:		Port forwarding rules and state (fwd.h)
 * @stats_interval:	Seconds between periodic statistics, 0 for none
 * @flow_max:		Size of the flow table
 * @no_peek_off:	Force the discard-buffer fallback for TCP peeking
 * @busy_poll_us:	--busy-poll: longest busy poll of the loop, 0 for none
 * @tcp_zc_rx:		--tcp-zerocopy-rx on: map host TCP data where the
 *			kernel can (tcp_zcrx.c)
 * @zc_mode:		--zerocopy: enum zc_mode (zerocopy.h)
 * @zc_min:		--zerocopy-min: smallest send that goes zero-copy, 0
 *			for the default
 * @zc_cmsg:		--zerocopy-cmsg: SCM_ZC_NOTIFICATION's number, 0 for
 *			the default, -1 for none
 * @tap_vnet_hdr:	The tap device has a virtio-net header before frames
 * @tap_tso:		The tap takes TCP super-frames from the namespace's
 *			kernel (TUNSETOFFLOAD with TSO4/6, and partial checksums)
 * @tap_uso:		... and UDP ones (USO4/6, Linux 6.2)
 * @freebind:		--freebind: forwarded-port listeners may bind
 *			addresses not configured (yet)
 * @no_splice:		--no-splice (pasta): connections and datagrams from
 *			the host's loopback to -t/-u ports go through the tap
 *			device, not spliced to the namespace's loopback
 * @splice_only:	--splice-only (pasta): no tap device; only loopback
 *			traffic is forwarded, spliced
 */
struct ctx {
	enum passt_mode mode;
	bool foreground;
	bool one_off;
	char pidfile[PATH_MAX];
	int pidfile_fd;
	char pcap[PATH_MAX];
	char sock_path[SOCK_PATH_MAX];
	int fd_tap_listen;
	int fd_tap;
	int fd_tap_given;
	bool vhost_user;
	unsigned vsock_port;
	unsigned vsock_cid;
	unsigned framing;
	bool vsock_zc_rx_off;
	int epollfd;

	uint8_t our_tap_mac[MAC_LEN];
	uint8_t guest_mac[MAC_LEN];
	unsigned mtu;

	bool ifi4_on;
	bool ifi6_on;
	struct ip4_ctx ip4;
	struct ip6_ctx ip6;

	char hostname[HOSTNAME_MAX];
	char fqdn[DOMAIN_MAX];
	struct search_domain search[SEARCH_MAX];
	unsigned search_count;

	bool no_tcp;
	bool no_udp;
	bool no_icmp;
	bool no_dhcp;
	bool no_ndp;
	bool no_dhcpv6;
	bool no_ra;
	bool no_dhcp_dns;
	bool no_dhcp_search;
	bool no_map_gw;

	uid_t uid;
	gid_t gid;

	struct pasta_conf pasta;
	struct fwd_ctx *fwd;

	unsigned stats_interval;
	unsigned flow_max;
	bool no_peek_off;
	unsigned busy_poll_us;
	bool tcp_zc_rx;
	unsigned zc_mode;
	unsigned zc_min;
	int zc_cmsg;
	bool tap_vnet_hdr;
	bool tap_tso;
	bool tap_uso;
	bool freebind;
	bool no_splice;
	bool splice_only;
};

#endif /* CTX_H */
