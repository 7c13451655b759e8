// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_help.c - the --help and --version texts
 *
 * Kept apart from the parser so the text reads as a whole; doc/passt.1
 * documents the same options at length, and a test checks that every long
 * option printed here appears there too. Layout: options grouped by what
 * they are about, one line each where possible, the default in brackets
 * at the end. Options of one mode only are printed in that mode's group.
 */

#include <stdio.h>

#include "util.h"
#include "log.h"
#include "flow.h"
#include "conf.h"
#include "zerocopy.h"
#include "loop_poll.h"

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
 * conf_usage_synopsis() - How to call us, and what we do, in a few lines
 * @c:		Execution context
 * @name:	Name we were invoked as
 */
static void conf_usage_synopsis(const struct ctx *c, const char *name)
{
	if (c->mode == MODE_PASTA) {
		log_print(
"Usage: %s [OPTION]... [COMMAND [ARG]...]\n"
"       %s [OPTION]... PID\n"
"       %s [OPTION]... --netns PATH|NAME\n"
"\n"
"Connects a network namespace to the host's network through a tap device,\n"
"answering its traffic with ordinary sockets on the host. Given neither a\n"
"PID nor --netns, a new namespace is made for COMMAND (by default, your\n"
"shell), and %s ends with the command's exit status.\n",
			  name, name, name, name);
	} else {
		log_print(
"Usage: %s [OPTION]...\n"
"\n"
"Gives a virtual machine a network link over a UNIX domain socket (QEMU's\n"
"-netdev stream), answering the guest's traffic with ordinary sockets on\n"
"the host. Goes to the background once the socket is ready.\n",
			  name);
	}
}

/**
 * conf_usage_common() - Options both modes take
 * @c:		Execution context
 */
static void conf_usage_common(const struct ctx *c)
{
	const bool pasta = c->mode == MODE_PASTA;

	log_print(
"\n"
"In brackets: what happens without the option; [*]: of a few choices, the\n"
"one %s makes unless told otherwise.\n",
		  pasta ? "pasta" : "passt");

	log_print(
"\n"
"Running\n"
"  -f, --foreground           stay in the foreground%s\n"
"  -P, --pid FILE             write the daemon's process ID into FILE\n"
"      --runas UID[:GID]      once set up, switch to this user and group,\n"
"                             given as numbers or names\n"
"  -h, --help                 print this text, then quit\n"
"      --version              print the version, then quit\n"
"      --print-syscalls       print the system calls the seccomp filter\n"
"                             allows, then quit\n",
		  pasta ? " (running a command,\n"
			  "                             pasta always does)" : "");

	log_print(
"\n"
"Messages and records\n"
"  -q, --quiet                warnings and errors only\n"
"  -d, --debug                add debugging messages\n"
"      --trace                add a message per packet too (implies -d)\n"
"  -l, --log-file PATH        send messages to PATH rather than to stderr\n"
"      --log-size BYTES       bound on the size of that file [%lu MiB]\n"
"  -e, --stderr               with -l: keep writing to stderr as well\n"
"  -p, --pcap FILE            record the frames on the guest link in FILE\n"
"      --stats SECONDS        log the counters at this interval\n"
"                             [0: only when SIGUSR1 arrives]\n",
		  LOG_SIZE_DEFAULT >> 20);	/* MiB */

	log_print(
"\n"
"The guest's addresses [taken from the host interface with the default route]\n"
"  -a, --address ADDR[/LEN]   an IPv4 or IPv6 address, at most one of each\n"
"  -n, --netmask MASK         IPv4 prefix length, as a number or a mask\n"
"  -g, --gateway ADDR         default gateway, one per family\n"
"  -M, --mac-addr MAC         our MAC address, the one the guest talks to\n"
"                             [the host interface's]\n"
"  -m, --mtu MTU              MTU announced to the guest, 0 for none [%u]\n"
"  -i, --interface NAME       host interface to copy them from [the one of\n"
"                             --outbound-if4/6, else of the default route]\n"
"  -4, --ipv4-only            leave IPv6 out\n"
"  -6, --ipv6-only            leave IPv4 out\n"
"  -H, --hostname NAME        host name handed to the guest by DHCP\n"
"      --fqdn NAME            full domain name handed out by DHCP and DHCPv6\n",
		  MTU_DEFAULT);

	log_print(
"\n"
"The host's side\n"
"  -o, --outbound ADDR        source address of host sockets, one per family\n"
"      --outbound-if4 NAME    send IPv4 through this interface only\n"
"      --outbound-if6 NAME    send IPv6 through this interface only\n"
"      --map-host-loopback ADDR\n"
"                             this guest-side address means the host's\n"
"                             loopback [the gateway's address]\n"
"      --map-guest-addr ADDR  this guest-side address means the host's own\n"
"                             address that the guest was given [none]\n"
"      --no-map-gw            no guest-side address means the host's loopback\n"
"      --freebind             let forwarded ports listen on addresses the\n"
"                             host hasn't configured (yet)\n"
"      --max-flows N          connections and UDP flows tracked at once [%u]\n"
"      --no-peek-off          keep unacknowledged TCP data without SO_PEEK_OFF\n"
"      --busy-poll USEC       when traffic goes back and forth, poll this long\n"
"                             for the answer before sleeping, 0: never [%u]\n"
"      --zerocopy MODE        TCP data from the guest sent with MSG_ZEROCOPY:\n"
"                             auto (to peers off this host's loopback), on,\n"
"                             off [auto]\n"
"      --zerocopy-min BYTES   smallest such send [%u]\n"
"      --zerocopy-cmsg N      number of SCM_ZC_NOTIFICATION, completions\n"
"                             returned by sendmsg() if the kernel has it,\n"
"                             0 for none [%d]\n"
"      --tcp-zerocopy-rx on|off\n"
"                             map TCP data from host sockets instead of\n"
"                             copying it, where it comes in whole pages\n"
"                             (TCP_ZEROCOPY_RECEIVE), and keep it until the\n"
"                             guest acknowledges it [off]\n",
		  FLOW_MAX_DEFAULT, LOOP_POLL_MAX_DEFAULT, ZC_MIN_DEFAULT,
		  ZC_NOTIFICATION_CMSG);

	log_print(
"\n"
"Name resolution\n"
"  -D, --dns ADDR             resolver address told to the guest; repeat for\n"
"                             more, \"none\" for none [the --dns-forward one]\n"
"      --dns-forward ADDR     DNS queries to this guest-side address go to the\n"
"                             host's resolver [the gateway's address]\n"
"      --dns-host ADDR        that resolver [first nameserver of resolv.conf]\n"
"  -S, --search LIST          search domains, separated by spaces, \"none\" for\n"
"                             none [the search line of /etc/resolv.conf]\n"
"      --dhcp-dns             pass the resolvers on in DHCP, DHCPv6 and NDP%s\n"
"      --no-dhcp-dns          keep them out of those%s\n"
"      --dhcp-search          pass the search domains on likewise%s\n"
"      --no-dhcp-search       keep them out%s\n",
		  pasta ? "" : " [*]", pasta ? " [*]" : "",
		  pasta ? "" : " [*]", pasta ? " [*]" : "");

	log_print(
"\n"
"Switching parts off\n"
"      --no-tcp               no TCP at all\n"
"      --no-udp               no UDP at all\n"
"      --no-icmp              don't pass echo requests (ping) on\n"
"      --no-dhcp              don't answer DHCP\n"
"      --no-dhcpv6            don't answer DHCPv6\n"
"      --no-ndp               don't answer neighbour solicitations, send no\n"
"                             router advertisements\n"
"      --no-ra                send no router advertisements\n");
}

/**
 * conf_usage_ports() - Port forwarding options and their SPEC
 * @c:		Execution context
 */
static void conf_usage_ports(const struct ctx *c)
{
	const bool pasta = c->mode == MODE_PASTA;

	log_print(
"\n"
"Port forwarding (each option may be given several times)\n"
"  -t, --tcp-ports SPEC       TCP ports of the host that lead to the %s\n"
"  -u, --udp-ports SPEC       UDP ports of the host that lead to the %s\n",
		  pasta ? "namespace" : "guest", pasta ? "namespace" : "guest");
	if (pasta)
		log_print(
"  -T, --tcp-ns SPEC          TCP ports of the namespace that lead to the\n"
"                             host's loopback\n"
"  -U, --udp-ns SPEC          UDP ports of the namespace, likewise\n");
	log_print(
"  SPEC is one of:\n"
"    none                     no port%s\n"
"%s"
"    all                      every port below the ephemeral range\n"
"    [BIND/]LIST              the ports in LIST, where LIST has items\n"
"                             separated by commas, each one of\n"
"                               P, A-B           this port, these ports\n"
"                               P:Q, A-B:C-D     ...arriving at other ports\n"
"                               ~P, ~A-B         never these ports\n"
"                             and BIND limits them to an address, a device,\n"
"                             or both: ADDR, %%DEVICE, ADDR%%DEVICE\n"
"  For instance:  -t 2222:22   -t 8000-8010   -t 198.51.100.1/443\n"
"                 -t %%eth0/53   -u 5000-5100,~5050   -t ~25 (all but 25)\n",
		  pasta ? "" : " [*]",
		  pasta ? "    auto                     follow the ports bound on the other\n"
			  "                             side, as they come and go [*]\n"
			: "");
}

/**
 * conf_usage_mode() - Options of one mode only
 * @c:		Execution context
 */
static void conf_usage_mode(const struct ctx *c)
{
	if (c->mode == MODE_PASTA) {
		log_print(
"\n"
"pasta: which namespace\n"
"      --netns PATH|NAME      attach to this network namespace (a NAME is\n"
"                             /run/netns/NAME, as ip-netns makes them)\n"
"      --userns PATH          enter this user namespace before it\n"
"      --netns-only           enter no user namespace (the rule when\n"
"                             --netns comes without --userns)\n"
"      --no-netns-quit        go on running when the --netns file goes away\n"
"\n"
"pasta: the link in the namespace\n"
"      --config-net           set up addresses, routes and MTU on the tap\n"
"                             device, not only bring it up\n"
"  -I, --ns-ifname NAME       tap device name [the host interface's]\n"
"      --ns-mac-addr MAC      tap device's MAC address\n"
"      --no-copy-addrs        one address per family, not all of the host's\n"
"  -F, --fd FD                take FD as the tap device, made by the caller\n"
"      --no-splice            let traffic from the host's loopback to -t and\n"
"                             -u ports cross the tap device, not a splice\n"
"      --splice-only          make no tap device: loopback traffic only,\n"
"                             spliced both ways\n"
"      --host-lo-to-ns-lo     accepted: the host's loopback reaches the\n"
"                             namespace's loopback anyway\n");
	} else {
		log_print(
"\n"
"passt: the guest's socket\n"
"  -s, --socket, --socket-path PATH\n"
"                             where to listen for the guest\n"
"                             [/tmp/passt_N.socket, with the first free N]\n"
"  -F, --fd FD                take FD as the guest's connected socket;\n"
"                             implies -1\n"
"  -1, --one-off              quit as soon as the guest disconnects\n"
"      --vhost-user           speak vhost-user on that socket: QEMU's\n"
"                             -netdev vhost-user, the guest's memory shared\n"
"                             with us [frames over the stream]\n"
"      --print-capabilities   print what we offer as a vhost-user backend\n"
"                             (JSON, for libvirt), then quit\n"
"      --vsock-port PORT      listen on AF_VSOCK at PORT instead of a UNIX\n"
"                             socket: a guest's forwarder connects to the\n"
"                             host's CID (2) there [framing gvproxy]\n"
"      --vsock-cid CID        listen on CID only [any]\n"
"      --framing qemu|gvproxy how frames are delimited on the stream:\n"
"                             qemu, a 4-byte big-endian length before each;\n"
"                             gvproxy, an HTTP request first (POST\n"
"                             /connect), then a 2-byte little-endian length\n"
"                             before each, as gvisor-tap-vsock's forwarder\n"
"                             and our vsock-tap send them [qemu]\n"
"      --vsock-zerocopy-rx on|off\n"
"                             let the kernel map what the guest sends,\n"
"                             where it can (a posted interface, not in\n"
"                             Linux) [on]\n");
	}
}

/**
 * conf_print_usage() - Print usage
 * @c:		Execution context
 * @name:	Name we were invoked as
 */
void conf_print_usage(const struct ctx *c, const char *name)
{
	conf_usage_synopsis(c, name);
	conf_usage_common(c);
	conf_usage_ports(c);
	conf_usage_mode(c);
	log_print("\nSee the manual, passt(1), for the details.\n");
}
