// SPDX-License-Identifier: GPL-2.0-or-later
/* vsock-tap.c - in a guest: a tap device whose frames go to passt over
 *		 AF_VSOCK
 *
 * For a guest without a virtio-net card for passt (or without
 * gvisor-tap-vsock's gvforwarder): this creates a tap device, brings it
 * up, connects to passt --vsock-port on the host (CID 2, or any CID and
 * port given), and moves frames both ways until either end goes away.
 * Addresses come from passt as for any guest: run a DHCP client (and let
 * SLAAC work) on the tap device.
 *
 * Framing, as passt's --framing: gvproxy (default: "POST /connect"
 * first, then each frame after its length, 2 bytes little-endian), or
 * qemu (each frame after its length, 4 bytes big-endian).
 *
 * One loop, poll() on both descriptors: frames read from the tap, as many
 * as are waiting (up to VT_BATCH), go out in one write; what comes from
 * passt is cut into frames, each written to the tap. A write to passt
 * that the socket takes only in part keeps the rest, and nothing more is
 * read from the tap until it's gone. A length passt can't have meant ends
 * the program.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

#define VT_FRAME_MAX	65535		/* what a 2-byte length can say */
#define VT_HDR_MAX	4
#define VT_BATCH	64		/* frames from the tap per write */
#define VT_OUT_SIZE	(VT_BATCH * (VT_HDR_MAX + VT_FRAME_MAX))
#define VT_IN_SIZE	(1024 * 1024)
#define ETH_HLEN_	14

/**
 * struct vt - What the program works with
 * @cid:	passt's CID
 * @port:	passt's port
 * @gvproxy:	gvproxy's framing, not QEMU's
 * @ifname:	Tap device's name
 * @mtu:	MTU to set, 0 to leave it
 * @retry:	Seconds to keep trying to connect
 * @quiet:	Print nothing but errors
 * @tap:	Tap device
 * @sock:	Connection to passt
 * @out_len:	Bytes in vt_out
 * @out_off:	Bytes of vt_out already sent
 * @in_len:	Bytes in vt_in
 * @frames_in:	Frames from passt written to the tap
 * @frames_out:	Frames from the tap sent to passt
 * @drops:	Frames the tap refused, or too long for the framing
 */
struct vt {
	unsigned cid, port;
	bool gvproxy;
	char ifname[IFNAMSIZ];
	unsigned mtu;
	unsigned retry;
	bool quiet;
	int tap, sock;
	size_t out_len, out_off;
	size_t in_len;
	unsigned long long frames_in, frames_out, drops;
};

static struct vt vt = {
	.cid = VMADDR_CID_HOST, .port = 1024, .gvproxy = true,
	.ifname = "tap0", .tap = -1, .sock = -1,
};

static uint8_t vt_out[VT_OUT_SIZE];	/* frames for passt, after lengths */
static uint8_t vt_in[VT_IN_SIZE];	/* from passt, not cut into frames */
static volatile sig_atomic_t vt_stop;

/**
 * usage() - Print how to call us, exit
 * @name:	argv[0]
 * @status:	Exit status
 */
static void usage(const char *name, int status)
{
	fprintf(status ? stderr : stdout,
"Usage: %s [OPTION]...\n"
"Create a tap device and carry its frames to passt over AF_VSOCK\n"
"(passt --vsock-port on the host). Then run a DHCP client on the device.\n"
"\n"
"  -c, --cid CID          passt's CID [2, the host]\n"
"  -p, --port PORT        passt's port (its --vsock-port) [1024]\n"
"  -f, --framing gvproxy|qemu\n"
"                         as passt's --framing [gvproxy]\n"
"  -i, --ifname NAME      the tap device's name [tap0]\n"
"  -m, --mtu MTU          set the device's MTU [as the kernel makes it;\n"
"                         DHCP from passt gives one]\n"
"  -r, --retry SECS       keep trying to connect for SECS seconds, while\n"
"                         passt isn't listening yet [0]\n"
"  -q, --quiet            print nothing but errors\n"
"  -h, --help             this text\n"
"\n"
"Ends when passt closes the connection (status 0), on SIGTERM or SIGINT\n"
"(0), or on an error (1); prints how many frames went each way.\n",
		name);
	exit(status);
}

/**
 * parse_uint() - Parse an unsigned decimal number, all of the string
 * @s:		String
 * @max:	Largest value allowed
 * @v:		Value, set on success
 *
 * Return: 0 on success, -1 if @s isn't one
 */
static int parse_uint(const char *s, unsigned long max, unsigned *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || !*s || *end || n > max || *s == '-')
		return -1;
	*v = (unsigned)n;
	return 0;
}

/**
 * parse_args() - Read the command line into vt
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cid",	required_argument,	NULL, 'c' },
		{ "port",	required_argument,	NULL, 'p' },
		{ "framing",	required_argument,	NULL, 'f' },
		{ "ifname",	required_argument,	NULL, 'i' },
		{ "mtu",	required_argument,	NULL, 'm' },
		{ "retry",	required_argument,	NULL, 'r' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:p:f:i:m:r:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (parse_uint(optarg, UINT_MAX - 1, &vt.cid))
				usage(argv[0], 1);
			break;
		case 'p':
			if (parse_uint(optarg, UINT_MAX - 1, &vt.port) ||
			    !vt.port)
				usage(argv[0], 1);
			break;
		case 'f':
			if (!strcmp(optarg, "gvproxy"))
				vt.gvproxy = true;
			else if (!strcmp(optarg, "qemu"))
				vt.gvproxy = false;
			else
				usage(argv[0], 1);
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= sizeof(vt.ifname))
				usage(argv[0], 1);
			snprintf(vt.ifname, sizeof(vt.ifname), "%s", optarg);
			break;
		case 'm':
			if (parse_uint(optarg, VT_FRAME_MAX - ETH_HLEN_,
				       &vt.mtu) || vt.mtu < 68)
				usage(argv[0], 1);
			break;
		case 'r':
			if (parse_uint(optarg, 86400, &vt.retry))
				usage(argv[0], 1);
			break;
		case 'q':
			vt.quiet = true;
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 1);
		}
	}
	if (optind < argc)
		usage(argv[0], 1);
}

/**
 * die() - Print an error, with errno's text if @err, and exit 1
 * @err:	errno value, or 0
 * @what:	What failed
 */
static void die(int err, const char *what)
{
	if (err)
		fprintf(stderr, "vsock-tap: %s: %s\n", what, strerror(err));
	else
		fprintf(stderr, "vsock-tap: %s\n", what);
	exit(1);
}

/**
 * tap_open() - Create the tap device, set its MTU, bring it up
 */
static void tap_open(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int s;

	vt.tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (vt.tap < 0)
		die(errno, "open /dev/net/tun");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vt.ifname);
	if (ioctl(vt.tap, TUNSETIFF, &ifr))
		die(errno, "TUNSETIFF");
	memcpy(vt.ifname, ifr.ifr_name, sizeof(vt.ifname));
	vt.ifname[sizeof(vt.ifname) - 1] = '\0';

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die(errno, "socket for the device's settings");
	if (vt.mtu) {
		ifr.ifr_mtu = (int)vt.mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr))
			die(errno, "set the MTU");
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		die(errno, "get the device's flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die(errno, "bring the device up");
	close(s);
}

/**
 * send_all() - Write a whole buffer to the (blocking) socket
 * @p:		Buffer
 * @len:	Its length
 */
static void send_all(const void *p, size_t len)
{
	while (len) {
		ssize_t n = send(vt.sock, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(errno, "send to passt");
		p = (const uint8_t *)p + n;
		len -= (size_t)n;
	}
}

/**
 * vsock_connect() - Connect to passt, send gvproxy's request if asked
 */
static void vsock_connect(void)
{
	static const char req[] = "POST /connect HTTP/1.1\r\n"
				  "Host: passt\r\n"
				  "User-Agent: vsock-tap\r\n"
				  "\r\n";
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = vt.cid, .svm_port = vt.port,
	};

	time_t until = time(NULL) + vt.retry;

	for (;;) {
		char what[64];

		vt.sock = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (vt.sock < 0)
			die(errno, "AF_VSOCK socket");
		if (!connect(vt.sock, (struct sockaddr *)&a, sizeof(a)))
			break;
		/* Nobody listening (yet): a reset */
		if (errno == ECONNRESET && time(NULL) < until && !vt_stop) {
			close(vt.sock);
			usleep(100 * 1000);
			continue;
		}
		snprintf(what, sizeof(what), "connect to CID %u port %u",
			 vt.cid, vt.port);
		die(errno, what);
	}
	if (vt.gvproxy)
		send_all(req, sizeof(req) - 1);
	if (fcntl(vt.sock, F_SETFL, O_NONBLOCK))
		die(errno, "O_NONBLOCK");
}

/**
 * hdr_put() - Write a frame's length before it
 * @p:		Where
 * @len:	Length
 *
 * Return: bytes written
 */
static size_t hdr_put(uint8_t *p, size_t len)
{
	if (vt.gvproxy) {
		p[0] = (uint8_t)len;
		p[1] = (uint8_t)(len >> 8);
		return 2;
	}
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 4;
}

/**
 * tap_to_sock() - Read what frames the tap has, queue them for passt,
 *		   send what the socket takes
 */
static void tap_to_sock(void)
{
	size_t hlen = vt.gvproxy ? 2 : 4;
	unsigned n;

	for (n = 0; n < VT_BATCH &&
		    vt.out_len + hlen + VT_FRAME_MAX <= sizeof(vt_out); n++) {
		ssize_t len = read(vt.tap, vt_out + vt.out_len + hlen,
				   VT_FRAME_MAX);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == EAGAIN)
			break;
		if (len < 0)
			die(errno, "read from the tap");
		if (len < ETH_HLEN_) {
			vt.drops++;
			continue;
		}
		vt.out_len += hdr_put(vt_out + vt.out_len, (size_t)len);
		vt.out_len += (size_t)len;
		vt.frames_out++;
	}
}

/**
 * sock_flush() - Send what's queued for passt, as far as the socket takes it
 *
 * Return: true if nothing is left
 */
static bool sock_flush(void)
{
	while (vt.out_off < vt.out_len) {
		ssize_t n = send(vt.sock, vt_out + vt.out_off,
				 vt.out_len - vt.out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0)
			die(errno, "send to passt");
		vt.out_off += (size_t)n;
	}
	vt.out_len = vt.out_off = 0;
	return true;
}

/**
 * sock_to_tap() - Read from passt, write the whole frames to the tap
 *
 * Return: false if passt closed the connection
 */
static bool sock_to_tap(void)
{
	size_t hlen = vt.gvproxy ? 2 : 4, off = 0;
	ssize_t n;

	n = recv(vt.sock, vt_in + vt.in_len, sizeof(vt_in) - vt.in_len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n < 0)
		die(errno, "receive from passt");
	if (!n)
		return false;
	vt.in_len += (size_t)n;

	while (vt.in_len - off >= hlen) {
		const uint8_t *p = vt_in + off;
		size_t len = vt.gvproxy ? (size_t)p[0] | (size_t)p[1] << 8 :
			     (size_t)p[0] << 24 | (size_t)p[1] << 16 |
			     (size_t)p[2] << 8 | (size_t)p[3];

		if (len < ETH_HLEN_ || len > VT_FRAME_MAX) {
			fprintf(stderr, "vsock-tap: passt sent a frame length "
				"of %zu: framing lost\n", len);
			exit(1);
		}
		if (vt.in_len - off - hlen < len)
			break;
		if (write(vt.tap, p + hlen, len) == (ssize_t)len)
			vt.frames_in++;
		else
			vt.drops++;
		off += hlen + len;
	}
	memmove(vt_in, vt_in + off, vt.in_len - off);
	vt.in_len -= off;
	return true;
}

/**
 * on_signal() - SIGTERM or SIGINT: stop at the next turn of the loop
 * @sig:	Signal
 */
static void on_signal(int sig)
{
	(void)sig;
	vt_stop = 1;
}

/**
 * main() - Create the tap, connect, move frames until one end goes
 * @argc:	Argument count
 * @argv:	Options
 *
 * Return: 0 if passt closed the connection or we were told to stop
 */
int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *why = "stopped";

	parse_args(argc, argv);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	tap_open();
	vsock_connect();
	if (!vt.quiet)
		fprintf(stderr, "vsock-tap: %s connected to CID %u port %u, "
			"%s framing\n", vt.ifname, vt.cid, vt.port,
			vt.gvproxy ? "gvproxy" : "qemu");

	while (!vt_stop) {
		struct pollfd p[2] = {
			{ .fd = vt.tap, .events = POLLIN },
			{ .fd = vt.sock, .events = POLLIN },
		};

		/* Hold the tap while passt's socket is full */
		if (vt.out_len) {
			p[0].events = 0;
			p[1].events |= POLLOUT;
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(errno, "poll");
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR) &&
		    !sock_to_tap()) {
			why = "passt closed the connection";
			break;
		}
		if (p[0].revents & POLLIN)
			tap_to_sock();
		if (vt.out_len)
			sock_flush();
	}
	if (!vt.quiet)
		fprintf(stderr, "vsock-tap: %s: %llu frames from passt, %llu to "
			"passt, %llu dropped\n", why, vt.frames_in,
			vt.frames_out, vt.drops);
	return 0;
}
