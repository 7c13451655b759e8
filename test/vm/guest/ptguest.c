// SPDX-License-Identifier: GPL-2.0-or-later
/* ptguest.c - what the VM tests' guest needs and busybox lacks: UDP echo
 * server and client, and a DHCPv6 client
 *
 * Usage:
 *	ptguest udp-echo PORT IDLE		echo UDP datagrams on PORT (IPv4
 *						and IPv6) until IDLE seconds
 *						pass without one
 *	ptguest udp-ask ADDR PORT COUNT		send COUNT datagrams of sizes
 *						from 1 to 1400 bytes, each must
 *						come back as it went
 *	ptguest dhcp6 IFNAME			Solicit with Rapid Commit,
 *						print the address and DNS
 *						servers of the answer
 *	ptguest vsock-send CID PORT HEX SECS	connect over AF_VSOCK, send
 *						the bytes HEX gives, print
 *						whether the peer closed the
 *						connection within SECS
 *						seconds ("closed", exit 0)
 *						or not ("open", exit 1)
 *
 * Each prints one line saying what it saw, and exits 0 only if that is
 * what a working network gives. Built static (gcc -static) into the
 * guest's initramfs by test/vm/initramfs.sh.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define UDP_ASK_MAX	1400
#define UDP_ASK_TRIES	3
#define UDP_ASK_WAIT_MS	1000

#define DHCP6_SOLICIT	1
#define DHCP6_ADVERTISE	2
#define DHCP6_REPLY	7
#define OPT_CLIENTID	1
#define OPT_IA_NA	3
#define OPT_IAADDR	5
#define OPT_ORO		6
#define OPT_ELAPSED	8
#define OPT_RAPID	14
#define OPT_DNS		23
#define DHCP6_TRIES	4
#define DHCP6_WAIT_MS	1500

/**
 * port_of() - Parse a port number
 * @s:		Text
 *
 * Return: port, exits on a bad one
 */
static uint16_t port_of(const char *s)
{
	char *end;
	long p = strtol(s, &end, 10);

	if (*end || p < 1 || p > 65535) {
		fprintf(stderr, "ptguest: bad port %s\n", s);
		exit(2);
	}
	return (uint16_t)p;
}

/**
 * udp_echo() - Echo datagrams until IDLE seconds pass without one
 * @port:	Port to listen on, IPv4 and IPv6
 * @idle:	Seconds
 *
 * Return: 0 if at least one datagram came, 1 otherwise
 */
static int udp_echo(uint16_t port, int idle)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	unsigned long n = 0;
	int s, off = 0;

	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s < 0 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("ptguest: udp-echo socket");
		return 1;
	}
	printf("udp-echo: listening on %u\n", port);
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		static char buf[65536];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t len;

		if (poll(&pfd, 1, idle * 1000) <= 0)
			break;
		len = recvfrom(s, buf, sizeof(buf), 0,
			       (struct sockaddr *)&from, &fl);
		if (len < 0)
			continue;
		if (sendto(s, buf, (size_t)len, 0, (struct sockaddr *)&from,
			   fl) == len)
			n++;
	}
	printf("udp-echo: echoed %lu datagrams\n", n);
	return !n;
}

/**
 * ask_one() - Send one datagram, wait for it to come back the same
 * @s:		Connected UDP socket
 * @i:		Number of the datagram: its size and content
 *
 * Return: true if it came back intact, in a few tries
 */
static int ask_one(int s, unsigned i)
{
	static char out[UDP_ASK_MAX], in[UDP_ASK_MAX + 1];
	size_t len = 1 + (i * 397) % UDP_ASK_MAX, k;
	int t;

	for (k = 0; k < len; k++)
		out[k] = (char)(i * 31 + k);
	for (t = 0; t < UDP_ASK_TRIES; t++) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		ssize_t r;

		if (send(s, out, len, 0) != (ssize_t)len)
			continue;
		while (poll(&pfd, 1, UDP_ASK_WAIT_MS) > 0) {
			r = recv(s, in, sizeof(in), 0);
			if (r == (ssize_t)len && !memcmp(in, out, len))
				return 1;
		}
	}
	return 0;
}

/**
 * udp_ask() - Send datagrams to an echo server, count those that return
 * @addr:	IPv4 or IPv6 address
 * @port:	Port
 * @count:	Number of datagrams
 *
 * Return: 0 if all came back, 1 otherwise
 */
static int udp_ask(const char *addr, uint16_t port, unsigned count)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	unsigned i, ok = 0;
	int s;

	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a4, sizeof(a4)))
			s = -1;
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		s = socket(AF_INET6, SOCK_DGRAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a6, sizeof(a6)))
			s = -1;
	} else {
		fprintf(stderr, "ptguest: bad address %s\n", addr);
		return 2;
	}
	if (s < 0) {
		perror("ptguest: udp-ask socket");
		return 1;
	}
	for (i = 0; i < count; i++)
		ok += (unsigned)ask_one(s, i);
	printf("udp-ask %s: %u of %u came back\n", addr, ok, count);
	return ok != count;
}

/**
 * opt_put() - Append a DHCPv6 option
 * @p:		Where it goes
 * @code:	Option code
 * @data:	Its data
 * @len:	Length of data
 *
 * Return: bytes written
 */
static size_t opt_put(uint8_t *p, uint16_t code, const void *data,
		      uint16_t len)
{
	p[0] = (uint8_t)(code >> 8);
	p[1] = (uint8_t)code;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, data, len);
	return 4U + len;
}

/**
 * solicit() - Build a Solicit message with Rapid Commit
 * @buf:	Buffer, 128 bytes at least
 * @xid:	Transaction ID, 3 bytes
 * @mac:	Our MAC address, for the DUID
 *
 * Return: message length
 */
static size_t solicit(uint8_t *buf, const uint8_t *xid, const uint8_t *mac)
{
	uint8_t duid[10] = { 0, 3, 0, 1 };	/* DUID-LL, Ethernet */
	uint8_t ia[12] = { 0, 0, 0, 1 };	/* IAID 1, T1 and T2 0 */
	uint8_t oro[2] = { 0, OPT_DNS };
	uint8_t elapsed[2] = { 0 };
	size_t n = 4;

	buf[0] = DHCP6_SOLICIT;
	memcpy(buf + 1, xid, 3);
	memcpy(duid + 4, mac, 6);
	n += opt_put(buf + n, OPT_CLIENTID, duid, sizeof(duid));
	n += opt_put(buf + n, OPT_ELAPSED, elapsed, sizeof(elapsed));
	n += opt_put(buf + n, OPT_RAPID, NULL, 0);
	n += opt_put(buf + n, OPT_IA_NA, ia, sizeof(ia));
	n += opt_put(buf + n, OPT_ORO, oro, sizeof(oro));
	return n;
}

/**
 * be16() - Read a big-endian 16-bit value
 * @p:		Where
 *
 * Return: value
 */
static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/**
 * answer_print() - Print the address and DNS servers of an answer
 * @m:		Message
 * @len:	Its length
 *
 * Return: 0 if it gave an address, 1 otherwise
 */
static int answer_print(const uint8_t *m, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "none", dns[256] = "";
	size_t off = 4;

	while (off + 4 <= len) {
		unsigned code = be16(m + off), olen = be16(m + off + 2);
		const uint8_t *o = m + off + 4;

		if (off + 4 + olen > len)
			break;
		if (code == OPT_IA_NA && olen >= 12 + 4 + 24 &&
		    be16(o + 12) == OPT_IAADDR && be16(o + 14) >= 24)
			inet_ntop(AF_INET6, o + 16, addr, sizeof(addr));
		if (code == OPT_DNS) {
			unsigned k;

			for (k = 0; k + 16 <= olen; k += 16) {
				char a[INET6_ADDRSTRLEN];
				size_t used = strlen(dns);

				inet_ntop(AF_INET6, o + k, a, sizeof(a));
				snprintf(dns + used, sizeof(dns) - used, "%s%s",
					 used ? "," : "", a);
			}
		}
		off += 4 + olen;
	}
	printf("dhcp6: %s address %s dns %s\n",
	       m[0] == DHCP6_REPLY ? "reply" : "advertise", addr,
	       *dns ? dns : "none");
	return !strcmp(addr, "none");
}

/**
 * dhcp6() - Ask for an address with DHCPv6, print what came
 * @ifname:	Interface, with a link-local address already
 *
 * Return: 0 on an answer with an address, 1 otherwise
 */
static int dhcp6(const char *ifname)
{
	struct sockaddr_in6 me = { .sin6_family = AF_INET6,
				   .sin6_port = htons(546) };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_port = htons(547) };
	uint8_t xid[3], mac[6], buf[1500];
	struct ifreq ifr = { 0 };
	size_t mlen;
	int s, t;

	s = socket(AF_INET6, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr)) {
		perror("ptguest: dhcp6 interface");
		return 1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, sizeof(mac));
	me.sin6_scope_id = to.sin6_scope_id = if_nametoindex(ifname);
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	if (bind(s, (struct sockaddr *)&me, sizeof(me))) {
		perror("ptguest: dhcp6 bind");
		return 1;
	}
	xid[0] = (uint8_t)getpid();
	xid[1] = (uint8_t)time(NULL);
	xid[2] = 0x6a;
	mlen = solicit(buf, xid, mac);
	for (t = 0; t < DHCP6_TRIES; t++) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		if (sendto(s, buf, mlen, 0, (struct sockaddr *)&to,
			   sizeof(to)) != (ssize_t)mlen)
			perror("ptguest: dhcp6 send");
		while (poll(&pfd, 1, DHCP6_WAIT_MS) > 0) {
			static uint8_t in[1500];
			ssize_t r = recv(s, in, sizeof(in), 0);

			if (r < 4 || memcmp(in + 1, xid, 3) ||
			    (in[0] != DHCP6_REPLY && in[0] != DHCP6_ADVERTISE))
				continue;
			return answer_print(in, (size_t)r);
		}
	}
	printf("dhcp6: no answer\n");
	return 1;
}

/**
 * vsock_send() - Send bytes over AF_VSOCK, see whether the peer hangs up
 * @cid:	Peer's CID
 * @port:	Peer's port
 * @hex:	Bytes to send, as hexadecimal digits
 * @secs:	How long to wait for the peer to close
 *
 * Return: 0 if it closed the connection, 1 if not, 2 on errors
 */
static int vsock_send(unsigned cid, unsigned port, const char *hex, int secs)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	uint8_t buf[512];
	size_t i, n = strlen(hex) / 2;
	struct pollfd p;
	int s;

	if (n > sizeof(buf) || strlen(hex) % 2) {
		fprintf(stderr, "vsock-send: bad bytes '%s'\n", hex);
		return 2;
	}
	for (i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return 2;
		buf[i] = (uint8_t)v;
	}
	s = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		printf("vsock-send: connect: %s\n", strerror(errno));
		return 2;
	}
	if (n && send(s, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
		printf("vsock-send: send: %s\n", strerror(errno));
		return 2;
	}
	p.fd = s;
	p.events = POLLIN;
	/* Whatever passt sends (ARP announcements) is read and let go */
	while (poll(&p, 1, secs * 1000) > 0) {
		ssize_t r = recv(s, buf, sizeof(buf), 0);

		if (r <= 0) {
			printf("vsock-send: closed\n");
			return 0;
		}
	}
	printf("vsock-send: open\n");
	return 1;
}

/**
 * main() - Run one of the tools
 * @argc:	Argument count
 * @argv:	Tool and its arguments: see the top of this file
 *
 * Return: 0 on success
 */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "udp-echo"))
		return udp_echo(port_of(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "udp-ask"))
		return udp_ask(argv[2], port_of(argv[3]),
			       (unsigned)atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "dhcp6"))
		return dhcp6(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "vsock-send"))
		return vsock_send((unsigned)atoi(argv[2]),
				  (unsigned)atoi(argv[3]), argv[4],
				  atoi(argv[5]));
	fprintf(stderr, "usage: ptguest udp-echo PORT IDLE | "
		"udp-ask ADDR PORT COUNT | dhcp6 IFNAME | "
		"vsock-send CID PORT HEX SECS\n");
	return 2;
}
