// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - network (and user) namespaces for pasta: create, join, watch
 *
 * Theory of operation
 *
 * Spawning (pasta [options] [-- CMD]): a child process unshares a network
 * namespace, and, unless we are root, a user namespace first, where it
 * maps our user to root. It tells us when that is done and waits; we join
 * its user namespace (so we hold CAP_SYS_ADMIN over its network
 * namespace), create and configure the tap device in there, and only then
 * let it run the command. We stay in the foreground as its parent, and
 * leave with its exit status.
 *
 * Attaching (pasta [options] PID, or --netns PATH|NAME [--userns PATH]):
 * we open the namespaces and join the user namespace unless told not to
 * (--netns-only, or --netns without --userns).
 *
 * The daemon itself never moves to the other network namespace: what must
 * be done in there (opening the tap device, netlink configuration, later
 * sockets for spliced connections) runs in a short-lived clone that shares
 * our memory and descriptors, see ns_call().
 *
 * Quitting: with --netns PATH we leave within a second when the path is
 * removed (inotify on its directory, and a one-second check that the path
 * is still the namespace we hold), unless --no-netns-quit; with a PID, when
 * that process exits (pidfd); with a command, when it exits.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "util.h"
#include "log.h"
#include "netlink.h"
#include "netns.h"
#include "pasta.h"
#include "stats.h"

static int pasta_go_fd = -1;		/* write end: let the child run */
static int pasta_quit_inotify = -1;
static int pasta_quit_timer = -1;
static int pasta_quit_dirfd = -1;	/* directory of --netns, O_PATH */
static char pasta_quit_name[NAME_MAX + 1];

/**
 * pasta_write_map() - Write a one-line ID map of our own namespace
 * @file:	"uid_map" or "gid_map"
 * @id:		Our ID outside, mapped to 0 inside
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_write_map(const char *file, unsigned id)
{
	char path[64], map[32];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	snprintf(map, sizeof(map), "0 %u 1", id);
	return write_file(path, map);
}

/**
 * pasta_exec() - In the child: run the command, or a shell
 * @c:		Execution context
 */
__attribute__((noreturn))
static void pasta_exec(const struct ctx *c)
{
	char *shell_argv[2];
	const char *shell;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	if (c->pasta.argv) {
		execvp(c->pasta.argv[0], c->pasta.argv);
		fprintf(stderr, "Couldn't run '%s': %s\n", c->pasta.argv[0],
			strerror(errno));
		_exit(127);
	}

	shell = getenv("SHELL");
	if (!shell || !*shell) {
		const struct passwd *pw = getpwuid(c->uid);

		shell = pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell :
							      "/bin/sh";
	}
	shell_argv[0] = (char *)(uintptr_t)shell;
	shell_argv[1] = NULL;
	execv(shell, shell_argv);
	fprintf(stderr, "Couldn't run shell '%s': %s\n", shell,
		strerror(errno));
	_exit(127);
}

/**
 * pasta_netns_check() - Make sure we may enter the network namespace, or
 *			 say clearly why not
 * @c:		Execution context
 * @what:	The namespace, for messages: "'PATH'", "of PID N"
 * @userns:	User namespace we joined for it, for messages, or NULL
 *
 * Entering needs CAP_SYS_ADMIN in the user namespace that owns the
 * network namespace: without this check, the first thing done in there
 * (opening /dev/net/tun) would take the blame.
 */
static void pasta_netns_check(const struct ctx *c, const char *what,
			      const char *userns)
{
	const char *step;
	int rc = ns_enter_check(c->pasta.netns_fd, &step);

	if (!rc)
		return;
	if ((rc == -EPERM || rc == -EACCES) && userns)
		die("Couldn't join network namespace %s (%s): %s: we lack CAP_SYS_ADMIN there, even in user namespace '%s'",
		    what, step, strerror(-rc), userns);
	if (rc == -EPERM || rc == -EACCES)
		die("Couldn't join network namespace %s (%s): %s: we lack CAP_SYS_ADMIN in the user namespace owning it (run as its owner, or join that user namespace first with --userns)",
		    what, step, strerror(-rc));
	die("Couldn't join network namespace %s (%s): %s", what, step,
	    strerror(-rc));
}

/**
 * pasta_start_ns() - Spawn the command's process in new namespaces
 * @c:		Execution context
 *
 * Returns once the child has its namespaces and we joined its user
 * namespace; the child waits for pasta_child_go() before it runs the
 * command.
 */
void pasta_start_ns(struct ctx *c)
{
	int ready[2], go[2], flags = CLONE_NEWNET;
	bool userns = geteuid() != 0;
	char path[64], b;
	pid_t pid;

	if (userns)
		flags |= CLONE_NEWUSER;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		die_perror("pipe");

	/* #syscalls:setup fork clone */
	pid = fork();
	if (pid < 0)
		die_perror("Couldn't fork the namespace process");

	if (!pid) {
		close(ready[0]);
		close(go[1]);
		/* #syscalls:setup unshare */
		if (unshare(flags)) {
			fprintf(stderr, "Couldn't create %s namespace: %s\n",
				userns ? "user and network" : "network",
				strerror(errno));
			_exit(1);
		}
		if (userns && (write_file("/proc/self/setgroups", "deny") ||
			       pasta_write_map("uid_map", c->uid) ||
			       pasta_write_map("gid_map", c->gid))) {
			fprintf(stderr, "Couldn't set up user namespace ID maps\n");
			_exit(1);
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		/* Nothing arrives if pasta failed: its end closes, read 0 */
		if (read(go[0], &b, 1) != 1)
			_exit(1);
		close(go[0]);
		pasta_exec(c);
	}

	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &b, 1) != 1) {
		int status = 0;

		waitpid(pid, &status, 0);
		die("Couldn't set up the namespaces for the command");
	}
	close(ready[0]);

	c->pasta.child_pid = pid;
	pasta_go_fd = go[1];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	c->pasta.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->pasta.netns_fd < 0)
		die_perror("Couldn't open '%s'", path);

	if (userns) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		c->pasta.userns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->pasta.userns_fd < 0)
			die_perror("Couldn't open '%s'", path);
		if (setns(c->pasta.userns_fd, CLONE_NEWUSER))
			die_perror("Couldn't join the user namespace of the command");
	}

	snprintf(path, sizeof(path), "of the command (PID %d)", (int)pid);
	pasta_netns_check(c, path, userns ? "of the command" : NULL);
}

/**
 * pasta_same_ns() - Is a namespace descriptor our own namespace?
 * @fd:		Namespace descriptor
 * @own:	Our namespace's /proc/self/ns path
 *
 * Return: true if both are the same namespace
 */
static bool pasta_same_ns(int fd, const char *own)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(own, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/**
 * pasta_join_userns() - Join a user namespace, unless it is ours already
 * @c:		Execution context
 * @path:	Its path, for messages
 *
 * Return: true if we joined it, false if it was ours already
 */
static bool pasta_join_userns(struct ctx *c, const char *path)
{
	c->pasta.userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->pasta.userns_fd < 0)
		die_perror("Couldn't open user namespace '%s'", path);
	if (pasta_same_ns(c->pasta.userns_fd, "/proc/self/ns/user"))
		return false;
	if (setns(c->pasta.userns_fd, CLONE_NEWUSER))
		die_perror("Couldn't join user namespace '%s' (for a namespace owned by the initial user namespace, use --netns-only)",
			   path);
	return true;
}

/**
 * pasta_open_ns() - Open the namespaces to attach to (PID or --netns)
 * @c:		Execution context
 */
void pasta_open_ns(struct ctx *c)
{
	char what[PATH_MAX + 16];
	bool joined = false;

	if (c->pasta.attach_pid) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "/proc/%d/ns/net",
			 (int)c->pasta.attach_pid);
		c->pasta.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->pasta.netns_fd < 0)
			die_perror("Couldn't open network namespace of PID %d",
				   (int)c->pasta.attach_pid);
		if (!c->pasta.netns_only) {
			if (*c->pasta.userns)
				snprintf(path, sizeof(path), "%s",
					 c->pasta.userns);
			else
				snprintf(path, sizeof(path), "/proc/%d/ns/user",
					 (int)c->pasta.attach_pid);
			joined = pasta_join_userns(c, path);
		}
		snprintf(what, sizeof(what), "of PID %d",
			 (int)c->pasta.attach_pid);
		pasta_netns_check(c, what, joined ? path : NULL);
		return;
	}

	c->pasta.netns_fd = open(c->pasta.netns, O_RDONLY | O_CLOEXEC);
	if (c->pasta.netns_fd < 0)
		die_perror("Couldn't open network namespace '%s'",
			   c->pasta.netns);
	/* #syscalls:setup ioctl */
	if (ioctl(c->pasta.netns_fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		die("'%s' is not a network namespace", c->pasta.netns);
	if (*c->pasta.userns && !c->pasta.netns_only)
		joined = pasta_join_userns(c, c->pasta.userns);
	snprintf(what, sizeof(what), "'%s'", c->pasta.netns);
	pasta_netns_check(c, what, joined ? c->pasta.userns : NULL);
}

/**
 * struct pasta_tap_arg - Tap device request, for the namespace clone
 * @name:	Device name
 * @fd:		Resulting descriptor
 * @step:	What failed, for the message
 */
struct pasta_tap_arg {
	const char *name;
	int fd;
	const char *step;
};

/**
 * pasta_tap_open_ns() - In the namespace: create the tap device
 * @arg:	struct pasta_tap_arg
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_tap_open_ns(void *arg)
{
	struct pasta_tap_arg *t = arg;
	struct ifreq ifr;
	int fd;

	/* #syscalls:setup openat ioctl */
	t->step = "open";
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	memset(&ifr, 0, sizeof(ifr));
	/* The virtio-net header lets us mark checksums as already valid */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	t->step = "create";
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int e = errno;

		close(fd);
		return -e;
	}
	t->fd = fd;
	return 0;
}

/**
 * pasta_tap_given() - Take the tap device the caller opened (-F/--fd)
 * @c:		Execution context
 *
 * The device must be a tap (Ethernet) device without packet information
 * header; a virtio-net header is used if it has one of the usual size. Its
 * name is what we configure in the namespace: -I, if given, must match.
 */
static void pasta_tap_given(struct ctx *c)
{
	int fd = c->fd_tap_given, hdr_sz = 0;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	/* #syscalls:setup ioctl */
	if (ioctl(fd, TUNGETIFF, &ifr))
		die_perror("-F/--fd %d is not a tap device (TUNGETIFF)", fd);
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP)
		die("-F/--fd %d is tun device '%s': we need a tap device (Ethernet frames)",
		    fd, ifr.ifr_name);
	if (!(ifr.ifr_flags & IFF_NO_PI))
		die("-F/--fd %d: tap device '%s' was set up without IFF_NO_PI: its frames carry a header we don't handle",
		    fd, ifr.ifr_name);
	if (*c->pasta.ifname && strcmp(c->pasta.ifname, ifr.ifr_name) != 0)
		die("-F/--fd %d is tap device '%s', not '%s' as given with -I/--ns-ifname",
		    fd, ifr.ifr_name, c->pasta.ifname);
	if ((ifr.ifr_flags & IFF_VNET_HDR) &&
	    (ioctl(fd, TUNGETVNETHDRSZ, &hdr_sz) ||
	     hdr_sz != (int)sizeof(struct virtio_net_hdr)))
		die("-F/--fd %d: tap device '%s' has a virtio-net header of %d bytes, we handle only %zu",
		    fd, ifr.ifr_name, hdr_sz, sizeof(struct virtio_net_hdr));
	if (set_nonblock(fd))
		die_perror("-F/--fd %d: can't make it non-blocking", fd);

	snprintf(c->pasta.ifname, sizeof(c->pasta.ifname), "%s", ifr.ifr_name);
	c->fd_tap = fd;
	c->tap_vnet_hdr = !!(ifr.ifr_flags & IFF_VNET_HDR);
	info("Using tap device '%s' from descriptor %d%s", c->pasta.ifname, fd,
	     c->tap_vnet_hdr ? ", with virtio-net header" : "");
}

#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20	/* Linux 6.2 */
#define TUN_F_USO6	0x40
#endif

/**
 * pasta_tap_offload() - Let the namespace's kernel hand us super-frames
 * @c:		Execution context, with the tap open
 *
 * With partial checksums and TSO (TUNSETOFFLOAD), the namespace's TCP
 * sends us packets of up to 64 KiB whatever the MTU, and with USO (Linux
 * 6.2) its UDP sends trains of datagrams in one frame: tap_vnet_in() reads
 * what each one is. Each is tried on its own, newest first; the kernel
 * refuses flags it doesn't know with EINVAL. Without any, the kernel cuts
 * and checksums everything before we read it, as before.
 */
static void pasta_tap_offload(struct ctx *c)
{
	static const struct {
		unsigned flags;
		bool uso;
		const char *what;
	} tries[] = {
		{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 |
		  TUN_F_USO6, true, "TCP and UDP super-frames both ways" },
		{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, false,
		  "TCP super-frames both ways, no UDP ones (kernel before 6.2)" },
	};
	unsigned i;

	if (!c->tap_vnet_hdr)
		return;
	for (i = 0; i < ARRAY_SIZE(tries); i++) {
		/* #syscalls:setup ioctl */
		if (ioctl(c->fd_tap, TUNSETOFFLOAD, tries[i].flags))
			continue;
		c->tap_tso = true;
		c->tap_uso = tries[i].uso;
		stats_feature("tap: offloads", tries[i].what);
		return;
	}
	stats_feature("tap: offloads",
		      "none (TUNSETOFFLOAD refused): TCP super-frames to the namespace only");
}

/**
 * pasta_tap_open() - Create the tap device in the namespace, or take the
 *		      one given with -F; none with --splice-only
 * @c:		Execution context
 */
void pasta_tap_open(struct ctx *c)
{
	struct pasta_tap_arg t = { c->pasta.ifname, -1, "enter" };
	int rc;

	if (c->splice_only)
		return;
	if (c->fd_tap_given >= 0) {
		pasta_tap_given(c);
		pasta_tap_offload(c);
		return;
	}

	rc = ns_call(c->pasta.netns_fd, pasta_tap_open_ns, &t);

	if (rc && !strcmp(t.step, "enter"))
		die("Couldn't enter the namespace to create tap device '%s': %s",
		    c->pasta.ifname, strerror(-rc));
	if (rc && !strcmp(t.step, "open")) {
		if (rc == -EACCES || rc == -EPERM)
			die("Couldn't open /dev/net/tun in the namespace: %s (it must be readable and writable by us)",
			    strerror(-rc));
		if (rc == -ENOENT || rc == -ENODEV || rc == -ENXIO)
			die("Couldn't open /dev/net/tun in the namespace: %s (is the tun module loaded?)",
			    strerror(-rc));
		die("Couldn't open /dev/net/tun in the namespace: %s",
		    strerror(-rc));
	}
	if (rc == -EPERM)
		die("Couldn't create tap device '%s' in the namespace (TUNSETIFF): %s: that needs CAP_NET_ADMIN in the user namespace owning it",
		    c->pasta.ifname, strerror(-rc));
	if (rc == -EBUSY || rc == -EINVAL)
		die("Couldn't create tap device '%s' in the namespace (TUNSETIFF): %s (is the name taken? choose another with -I)",
		    c->pasta.ifname, strerror(-rc));
	if (rc)
		die("Couldn't create tap device '%s' in the namespace (TUNSETIFF): %s",
		    c->pasta.ifname, strerror(-rc));
	c->fd_tap = t.fd;
	c->tap_vnet_hdr = true;
	stats_feature("tap: virtio-net header",
		      "in use: checksums left to the kernel");
	pasta_tap_offload(c);
}

#define PASTA_ADDRS_MAX		32	/* copied per family */

/**
 * struct pasta_conf_arg - Configuration steps, for the namespace clone
 * @c:		Execution context
 * @step:	Step that failed, for the message
 * @ifi:	Index of the tap device
 * @addrs4:	Further IPv4 addresses of the host interface to copy
 * @n4:		Entries in @addrs4
 * @addrs6:	Further IPv6 addresses of the host interface to copy
 * @n6:		Entries in @addrs6
 * @buf:	Room for a step naming an address
 */
struct pasta_conf_arg {
	const struct ctx *c;
	const char *step;
	unsigned ifi;
	struct nl_addr addrs4[PASTA_ADDRS_MAX];
	unsigned n4;
	struct nl_addr addrs6[PASTA_ADDRS_MAX];
	unsigned n6;
	char buf[INET6_ADDRSTRLEN + 32];
};

/**
 * pasta_addr_add() - In the namespace: add one address to the tap device
 * @nl:		Netlink socket in the namespace
 * @a:		Configuration steps, @a->step set for the message
 * @af:		AF_INET or AF_INET6
 * @addr:	Address
 * @prefix_len:	Prefix length
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_addr_add(int nl, struct pasta_conf_arg *a, int af,
			  const void *addr, int prefix_len)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(af, addr, s, sizeof(s));
	snprintf(a->buf, sizeof(a->buf), "add address %s/%d", s, prefix_len);
	a->step = a->buf;
	return nl_addr_add(nl, af, a->ifi, addr, prefix_len);
}

/**
 * pasta_addrs_add() - In the namespace: the guest's address of a family,
 *		       and the further ones copied from the host, so that
 *		       the guest's comes first in the kernel's list
 * @nl:		Netlink socket in the namespace
 * @a:		Configuration steps
 * @af:		AF_INET or AF_INET6
 *
 * The kernel lists IPv4 addresses in the order they were added (the first
 * of a subnet being its primary), IPv6 ones newest first: the guest's
 * goes first for IPv4, last for IPv6, the others so that they keep the
 * host's order.
 *
 * Return: 0 on success, -errno on failure
 */
static int pasta_addrs_add(int nl, struct pasta_conf_arg *a, int af)
{
	const struct ctx *c = a->c;
	unsigned i;
	int rc;

	if (af == AF_INET) {
		rc = pasta_addr_add(nl, a, af, &c->ip4.addr, c->ip4.prefix_len);
		for (i = 0; !rc && i < a->n4; i++) {
			const struct nl_addr *x = &a->addrs4[i];

			if (!in4_eq(&x->a.a4, &c->ip4.addr))
				rc = pasta_addr_add(nl, a, af, &x->a.a4,
						    x->prefix_len);
		}
		return rc;
	}

	for (i = a->n6; i > 0; i--) {
		const struct nl_addr *x = &a->addrs6[i - 1];

		if (IN6_ARE_ADDR_EQUAL(&x->a.a6, &c->ip6.addr))
			continue;
		rc = pasta_addr_add(nl, a, af, &x->a.a6, x->prefix_len);
		if (rc)
			return rc;
	}
	return pasta_addr_add(nl, a, af, &c->ip6.addr, c->ip6.prefix_len);
}

/**
 * pasta_ns_conf_ns() - In the namespace: links up, addresses, routes
 * @arg:	struct pasta_conf_arg
 *
 * Return: 0 on success, -errno of the failed step
 */
static int pasta_ns_conf_ns(void *arg)
{
	struct pasta_conf_arg *a = arg;
	const struct ctx *c = a->c;
	const bool conf = c->pasta.config_net;
	unsigned lo;
	int nl, rc;

	a->step = "open netlink socket";
	nl = nl_sock_open();
	if (nl < 0)
		return nl;

	a->step = "bring up loopback";
	rc = nl_link_get_ifi(nl, "lo", &lo);
	if (!rc)
		rc = nl_link_set(nl, lo, NULL, 0, true);
	if (rc)
		goto out;

	if (c->splice_only)
		goto out;	/* no tap device */

	a->step = c->fd_tap_given >= 0 ?
		  "find the tap device given with -F/--fd" :
		  "find the tap device";
	rc = nl_link_get_ifi(nl, c->pasta.ifname, &a->ifi);
	if (rc)
		goto out;

	a->step = "set MAC address, MTU and bring up the tap device";
	rc = nl_link_set(nl, a->ifi, mac_is_zero(c->pasta.ns_mac) ? NULL :
			 c->pasta.ns_mac, conf ? c->mtu : 0, true);
	if (rc || !conf)
		goto out;

	if (c->ifi4_on) {
		rc = pasta_addrs_add(nl, a, AF_INET);
		if (rc)
			goto out;
		if (!in4_is_unspec(&c->ip4.gw)) {
			a->step = "add IPv4 default route";
			rc = nl_route_add_default(nl, AF_INET, a->ifi,
						  &c->ip4.gw);
			if (rc)
				goto out;
		}
	}
	if (c->ifi6_on) {
		rc = pasta_addrs_add(nl, a, AF_INET6);
		if (rc)
			goto out;
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw)) {
			a->step = "add IPv6 default route";
			rc = nl_route_add_default(nl, AF_INET6, a->ifi,
						  &c->ip6.gw);
		}
	}
out:
	close(nl);
	return rc;
}

/**
 * pasta_addrs_read() - The host interface's addresses, to copy them all
 * @c:		Execution context
 * @a:		Configuration steps: lists filled
 *
 * Only for a family whose address was taken from the host: with -a, the
 * guest gets that address alone.
 */
static void pasta_addrs_read(const struct ctx *c, struct pasta_conf_arg *a)
{
	int nl = nl_sock_open(), n;

	if (nl < 0) {
		warn("Can't open netlink socket to read the host's addresses: %s, copying only one per family",
		     strerror(-nl));
		return;
	}
	if (c->ifi4_on && !c->ip4.no_copy_addrs && c->ip4.ifi) {
		n = nl_addr_list(nl, AF_INET, c->ip4.ifi, a->addrs4,
				 PASTA_ADDRS_MAX);
		if (n > PASTA_ADDRS_MAX)
			warn("%s has %d IPv4 addresses, copying the first %u",
			     c->ip4.ifname, n, PASTA_ADDRS_MAX);
		a->n4 = n < 0 ? 0 : MIN((unsigned)n, PASTA_ADDRS_MAX);
	}
	if (c->ifi6_on && !c->ip6.no_copy_addrs && c->ip6.ifi) {
		n = nl_addr_list(nl, AF_INET6, c->ip6.ifi, a->addrs6,
				 PASTA_ADDRS_MAX);
		if (n > PASTA_ADDRS_MAX)
			warn("%s has %d IPv6 addresses, copying the first %u",
			     c->ip6.ifname, n, PASTA_ADDRS_MAX);
		a->n6 = n < 0 ? 0 : MIN((unsigned)n, PASTA_ADDRS_MAX);
	}
	close(nl);
}

/**
 * pasta_ns_conf() - Bring up links in the namespace, configure if asked
 * @c:		Execution context
 */
void pasta_ns_conf(struct ctx *c)
{
	static struct pasta_conf_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.c = c;
	if (c->pasta.config_net)
		pasta_addrs_read(c, &a);
	a.step = "enter the namespace";
	rc = ns_call(c->pasta.netns_fd, pasta_ns_conf_ns, &a);

	if (rc)
		die("Couldn't %s in the namespace (device '%s'): %s", a.step,
		    c->pasta.ifname, strerror(-rc));
	c->pasta.ifi = a.ifi;
}

/**
 * pasta_child_go() - Let the spawned command run
 * @c:		Execution context
 */
void pasta_child_go(struct ctx *c)
{
	(void)c;
	if (pasta_go_fd < 0)
		return;
	if (write(pasta_go_fd, "g", 1) != 1)
		die_perror("Couldn't start the command");
	close(pasta_go_fd);
	pasta_go_fd = -1;
}

/**
 * pasta_child_handler() - SIGCHLD: see if the command exited
 * @c:		Execution context
 *
 * Return: the exit status pasta should leave with, or -1 if the command
 *	   still runs
 */
int pasta_child_handler(struct ctx *c)
{
	int status;
	pid_t pid;

	if (!c->pasta.child_pid)
		return -1;
	/* #syscalls:pasta wait4 */
	pid = waitpid(c->pasta.child_pid, &status, WNOHANG);
	if (pid != c->pasta.child_pid)
		return -1;
	c->pasta.child_pid = 0;
	if (WIFEXITED(status)) {
		info("Command exited with status %d", WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		info("Command killed by signal %d", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return -1;
}

/**
 * pasta_netns_quit_init() - Watch for the namespace going away
 * @c:		Execution context
 */
void pasta_netns_quit_init(struct ctx *c)
{
	if (c->mode != MODE_PASTA)
		return;

	if (c->pasta.attach_pid) {
		/* #syscalls:setup pidfd_open */
		int fd = (int)syscall(SYS_pidfd_open, c->pasta.attach_pid, 0);

		if (fd < 0) {
			warn_perror("Can't watch PID %d, won't quit when it exits",
				    (int)c->pasta.attach_pid);
			return;
		}
		if (epoll_add(c->epollfd, EPOLLIN,
			      epoll_ref_make(EPOLL_TYPE_NSQUIT_PIDFD, fd, 0)))
			die_perror("epoll_ctl on pidfd");
		return;
	}

	if (!*c->pasta.netns || c->pasta.no_netns_quit)
		return;

	{
		struct itimerspec it = { { 1, 0 }, { 1, 0 } };
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", c->pasta.netns);
		slash = strrchr(dir, '/');
		if (str_copy(pasta_quit_name, sizeof(pasta_quit_name),
			     slash ? slash + 1 : dir))
			die("Namespace name too long in '%s'", c->pasta.netns);
		if (slash == dir)
			dir[1] = '\0';
		else if (slash)
			*slash = '\0';

		/* The path is looked up from this descriptor, also once our
		 * root is an empty one (isolation.c), and in the mount
		 * namespace it was opened in, where `ip netns del` unmounts
		 */
		pasta_quit_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (pasta_quit_dirfd < 0)
			die_perror("Couldn't open '%s' to watch the namespace",
				   dir);

		/* #syscalls:setup inotify_init1 inotify_add_watch */
		pasta_quit_inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (pasta_quit_inotify >= 0 &&
		    inotify_add_watch(pasta_quit_inotify, dir,
				      IN_DELETE | IN_MOVED_FROM) >= 0) {
			epoll_add(c->epollfd, EPOLLIN,
				  epoll_ref_make(EPOLL_TYPE_NSQUIT_INOTIFY,
						 pasta_quit_inotify, 0));
		}

		/* #syscalls:setup timerfd_create timerfd_settime */
		pasta_quit_timer = timerfd_create(CLOCK_MONOTONIC,
						  TFD_NONBLOCK | TFD_CLOEXEC);
		if (pasta_quit_timer < 0 ||
		    timerfd_settime(pasta_quit_timer, 0, &it, NULL) ||
		    epoll_add(c->epollfd, EPOLLIN,
			      epoll_ref_make(EPOLL_TYPE_NSQUIT_TIMER,
					     pasta_quit_timer, 0)))
			die_perror("Can't set up namespace watch timer");
	}
}

/**
 * pasta_netns_gone() - Is the --netns path no longer our namespace?
 * @c:		Execution context
 *
 * Return: true if the path is gone or is something else now
 */
static bool pasta_netns_gone(const struct ctx *c)
{
	struct stat a, b;

	/* #syscalls:pasta newfstatat fstatat64 fstat */
	if (fstatat(pasta_quit_dirfd, pasta_quit_name, &a, 0))
		return errno == ENOENT || errno == ENOTDIR;
	if (fstat(c->pasta.netns_fd, &b))
		return false;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/**
 * pasta_netns_quit_handler() - Namespace watch events: quit if it's gone
 * @c:		Execution context
 * @ref:	Epoll reference
 */
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref)
{
	switch (ref.type) {
	case EPOLL_TYPE_NSQUIT_PIDFD:
		info("Process %d exited, quitting", (int)c->pasta.attach_pid);
		exit(EXIT_SUCCESS);
	case EPOLL_TYPE_NSQUIT_INOTIFY: {
		char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
			__attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n;

		/* #syscalls:pasta read */
		while ((n = read(ref.fd, buf, sizeof(buf))) > 0) {
			const char *p = buf;

			while (p + sizeof(struct inotify_event) <= buf + n) {
				const struct inotify_event *ev =
					(const struct inotify_event *)
					(const void *)p;

				if (ev->len &&
				    !strcmp(ev->name, pasta_quit_name) &&
				    pasta_netns_gone(c)) {
					info("Namespace %s is gone, quitting",
					     c->pasta.netns);
					exit(EXIT_SUCCESS);
				}
				p += sizeof(*ev) + ev->len;
			}
		}
		break;
	}
	case EPOLL_TYPE_NSQUIT_TIMER: {
		uint64_t exp;

		if (read(ref.fd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
			debug_perror("namespace timer");
		if (pasta_netns_gone(c)) {
			info("Namespace %s is gone, quitting", c->pasta.netns);
			exit(EXIT_SUCCESS);
		}
		break;
	}
	default:
		ASSERT(0);
	}
}
