// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_help.c - the --help and --version texts
 *
 * Kept apart from the parser so the text reads as a whole; doc/passt.1
 * documents the same options, and a test checks that every long option
 * printed here appears there too.
 */

#include <stdio.h>

#include "util.h"
#include "log.h"
#include "conf.h"

/**
 * conf_print_version() - Print the one-line version string
 * @c:		Execution context
 */
void conf_print_version(const struct ctx *c)
{
	log_print("%s %s\n", c->mode == MODE_PASTA ? "pasta" : "passt",
		  VERSION);
}

/**
 * conf_print_usage() - Print usage
 * @c:		Execution context
 * @name:	Name we were invoked as
 */
void conf_print_usage(const struct ctx *c, const char *name)
{
	if (c->mode == MODE_PASTA) {
		log_print(
"Usage: %s [OPTION]... [COMMAND] [ARGS]...\n"
"       %s [OPTION]... PID\n"
"       %s [OPTION]... --netns [PATH|NAME]\n"
"\n"
"Without PID or --netns, run the given command or a default shell in a\n"
"new network and user namespace, and connect it through a tap device.\n"
"\n", name, name, name);
	} else {
		log_print(
"Usage: %s [OPTION]...\n"
"\n"
"Connect a virtual machine over a UNIX domain socket (QEMU -netdev\n"
"stream) and translate its traffic to host sockets.\n"
"\n", name);
	}

	log_print(
"  -d, --debug		Be verbose\n"
"      --trace		Be extra verbose, implies --debug\n"
"  -q, --quiet		Don't print informational messages\n"
"  -f, --foreground	Don't run in background\n"
"    default: run in background, except for pasta running a command\n"
"  -e, --stderr		Log to stderr too (deprecated, accepted)\n"
"  -l, --log-file PATH	Log (only) to given file\n"
"  --log-size BYTES	Maximum size of log file\n"
"    default: 1 MiB\n"
"  --runas UID|UID:GID	Run as given UID, GID, which can be\n"
"    numeric, or login and group names\n"
"  -h, --help		Display this help message and exit\n"
"  --version		Show version and exit\n"
"  -p, --pcap FILE	Log tap-facing traffic to pcap file\n"
"  -P, --pid FILE	Write own PID to the given file\n"
"  -m, --mtu MTU	Assign MTU via DHCP/NDP (and to the tap with --config-net)\n"
"    a zero value disables assignment\n"
"    default: 65520: maximum 802.3 MTU minus 802.3 header\n"
"  -a, --address ADDR	Assign IPv4 or IPv6 address ADDR[/PREFIX]\n"
"    can be given once for each family\n"
"    default: use addresses from interface with default route\n"
"  -n, --netmask MASK	Assign IPv4 MASK, dot-decimal or bits\n"
"    default: netmask from matching address on the host\n"
"  -M, --mac-addr ADDR	Use source MAC address ADDR\n"
"    default: MAC address from interface with default route\n"
"  -g, --gateway ADDR	Pass IPv4 or IPv6 address as gateway\n"
"    default: gateway from interface with default route\n"
"  -i, --interface NAME	Interface for addresses and routes\n"
"    default: from --outbound-if4 and --outbound-if6, if any\n"
"             otherwise interface with first default route\n"
"  -o, --outbound ADDR	Bind to address as outbound source\n"
"    can be given once for each family\n"
"    default: use source address from routing tables\n"
"  --outbound-if4 NAME	Bind to outbound interface for IPv4\n"
"    default: use interface from default route\n"
"  --outbound-if6 NAME	Bind to outbound interface for IPv6\n"
"    default: use interface from default route\n"
"  -D, --dns ADDR	Use IPv4 or IPv6 address as DNS\n"
"    can be given multiple times; 'none' disables DNS information\n"
"    default: the --dns-forward address\n"
"  --dns-forward ADDR	Forward DNS queries sent to ADDR\n"
"    can be given once for each family\n"
"    default: gateway address\n"
"  --dns-host ADDR	Host address DNS queries to --dns-forward go to\n"
"    default: first resolver from /etc/resolv.conf\n"
"  -S, --search LIST	Space-separated list, search domains\n"
"    'none' disables the DNS search list\n"
"    default: search list from /etc/resolv.conf\n");
	if (c->mode == MODE_PASTA)
		log_print(
"  --dhcp-dns		Pass DNS list via DHCP/DHCPv6/NDP\n"
"  --dhcp-search		Pass list via DHCP/DHCPv6/NDP\n"
"  --no-dhcp-dns		Don't pass DNS list (default for pasta)\n"
"  --no-dhcp-search	Don't pass search list (default for pasta)\n");
	else
		log_print(
"  --dhcp-dns		Pass DNS list via DHCP/DHCPv6/NDP (default)\n"
"  --dhcp-search		Pass list via DHCP/DHCPv6/NDP (default)\n"
"  --no-dhcp-dns		No DNS list in DHCP/DHCPv6/NDP\n"
"  --no-dhcp-search	No list in DHCP/DHCPv6/NDP\n");
	log_print(
"  --no-tcp		Disable TCP protocol handler\n"
"  --no-udp		Disable UDP protocol handler\n"
"  --no-icmp		Disable ICMP/ICMPv6 protocol handler\n"
"  --no-dhcp		Disable DHCP server\n"
"  --no-ndp		Disable NDP responses\n"
"  --no-dhcpv6		Disable DHCPv6 server\n"
"  --no-ra		Disable router advertisements\n"
"  --no-map-gw		Don't map gateway address to host\n"
"  --map-host-loopback ADDR	Translate ADDR to refer to host loopback\n"
"    default: gateway address, unless --no-map-gw\n"
"  --map-guest-addr ADDR	Translate ADDR to the guest's address on the host\n"
"    default: none\n"
"  -4, --ipv4-only	Enable IPv4 operation only\n"
"  -6, --ipv6-only	Enable IPv6 operation only\n"
"  -H, --hostname NAME	Hostname to configure client with\n"
"  --fqdn NAME		FQDN to configure client with\n"
"  --max-flows N		Size of the flow table\n"
"    default: 16384\n"
"  --no-peek-off		Don't use SO_PEEK_OFF: peek through a discard buffer\n"
"  --stats SECONDS	Log statistics periodically (also on SIGUSR1)\n"
"    default: 0, only on SIGUSR1\n"
"  --freebind		Forwarded ports may listen on addresses that\n"
"			aren't configured (yet)\n");

	if (c->mode == MODE_PASTA) {
		log_print(
"  -t, --tcp-ports SPEC	TCP port forwarding to namespace\n"
"    can be specified multiple times\n"
"    SPEC can be:\n"
"      'none': don't forward any ports\n"
"      'auto': forward all ports currently bound in namespace\n"
"      'all': forward all non-ephemeral ports\n"
"      a comma-separated list, optionally ranged with '-'\n"
"        and optional target ports after ':', with optional\n"
"        address specification suffixed by '/' and optional\n"
"        interface prefixed by '%%'. Examples:\n"
"        -t 22		Forward local port 22 to port 22 in netns\n"
"        -t 22:23	Forward local port 22 to port 23\n"
"        -t 22,25	Forward ports 22, 25 to ports 22, 25\n"
"        -t 22-80	Forward ports 22 to 80\n"
"        -t 22-80:32-90	Forward ports 22 to 80 to\n"
"			corresponding port numbers plus 10\n"
"        -t 198.51.100.1/5	Bind port 5 of 198.51.100.1 to namespace\n"
"        -t %%eth0/5	Bind port 5 on interface eth0\n"
"        -t 5-25,~10-20	Forward ports 5 to 9, and 21 to 25\n"
"        -t ~25		Forward all ports except for 25\n"
"    default: auto\n"
"  -u, --udp-ports SPEC	UDP port forwarding to namespace\n"
"    SPEC is as described for TCP above\n"
"    default: auto\n"
"  -T, --tcp-ns SPEC	TCP port forwarding to init namespace\n"
"    SPEC is as described above\n"
"    default: auto\n"
"  -U, --udp-ns SPEC	UDP port forwarding to init namespace\n"
"    SPEC is as described above\n"
"    default: auto\n"
"  --host-lo-to-ns-lo	Translate host-loopback forwards to\n"
"    namespace loopback (accepted: this is what spliced forwards do)\n"
"  --userns NSPATH	Target user namespace to join\n"
"  --netns PATH|NAME	Target network namespace to join\n"
"  --netns-only		Don't join existing user namespace\n"
"    implied if PATH or NAME are given without --userns\n"
"  --no-netns-quit	Don't quit if filesystem-bound target\n"
"			network namespace is deleted\n"
"  --config-net		Configure tap interface in namespace\n"
"  -I, --ns-ifname NAME	namespace interface name\n"
"    default: same interface name as external one\n"
"  --ns-mac-addr ADDR	Set MAC address on tap interface\n"
"  --no-copy-addrs	Give the namespace one address per family only\n"
"  -F, --fd FD		Use FD, a tap device the caller opened\n"
"  --no-splice		Host loopback to -t/-u ports goes via the tap\n"
"  --splice-only	No tap device: forward loopback traffic only\n");
	} else {
		log_print(
"  -t, --tcp-ports SPEC	TCP port forwarding to guest\n"
"    can be specified multiple times\n"
"    SPEC can be:\n"
"      'none': don't forward any ports\n"
"      'all': forward all unbound, non-ephemeral ports\n"
"      a comma-separated list, optionally ranged with '-'\n"
"        and optional target ports after ':', with optional\n"
"        address specification suffixed by '/' and optional\n"
"        interface prefixed by '%%'. Examples:\n"
"        -t 22		Forward local port 22 to 22 in guest\n"
"        -t 22:23	Forward local port 22 to port 23\n"
"        -t 22,25	Forward ports 22, 25 to ports 22, 25\n"
"        -t 22-80	Forward ports 22 to 80\n"
"        -t 22-80:32-90	Forward ports 22 to 80 to\n"
"			corresponding port numbers plus 10\n"
"        -t 198.51.100.1/5	Bind port 5 of 198.51.100.1 to guest\n"
"        -t 5-25,~10-20	Forward ports 5 to 9, and 21 to 25\n"
"        -t ~25		Forward all ports except for 25\n"
"    default: none\n"
"  -u, --udp-ports SPEC	UDP port forwarding to guest\n"
"    SPEC is as described for TCP above\n"
"    default: none\n"
"  -s, --socket, --socket-path PATH	UNIX domain socket path\n"
"    default: probe free path starting from /tmp/passt_1.socket\n"
"  -F, --fd FD		Use FD as pre-opened connected socket\n"
"  -1, --one-off		Quit after handling one single client\n");
	}
}
