// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - giving up what the daemon doesn't need once it runs
 *
 * Theory of operation
 *
 * The daemon parses bytes from an untrusted guest: once set-up is done,
 * it keeps no privilege, no file system and no system call it doesn't
 * need. Set-up needs privileges the running daemon does not (creating or
 * joining namespaces, the tap device, binding forwarded ports), so this
 * happens in stages, as the style guide's rule 11 asks:
 *
 * 1. isolate_initial(), first thing after the options: descriptors we
 *    didn't open are closed, except 0-2 and the one given with --fd; the
 *    descriptor limit goes up to the hard limit; the user to run as is
 *    looked up (below).
 *
 * 2. isolate_prefork(), once set-up is done, before going to the
 *    background: passt started by a user who isn't root enters a user
 *    namespace of its own (mapping just its own user and group), which is
 *    what gives it the right to the namespaces and mounts of step 3 (pasta
 *    is in one already: the one it created or joined, owning the guest's
 *    network namespace). A daemon about to fork to the background asks
 *    for a PID namespace of its own, so that the daemon, the child of that
 *    fork, is its first process and sees no other.
 *
 * 3. isolate_postfork(), in the process that runs the loop:
 *    - pasta starts the thread that stays in the guest's network
 *      namespace for good (netns.c): later sockets in there are made by
 *      it, and no privilege over that namespace is needed any more;
 *    - new mount, IPC and UTS namespaces; the root becomes an empty
 *      read-only tmpfs (pivot_root), and the old one is detached: no file
 *      of the host can be opened from then on. What must stay reachable
 *      was opened before (log, pid and capture files, /proc/net tables
 *      of both namespaces, the directory of --netns to watch, that of the
 *      UNIX socket to remove it at exit, /dev/net/tun's descriptor);
 *    - every capability goes, in every set of every thread, the bounding
 *      set included (libcap-ng): no mode needs one at run time;
 *    - root (in the initial user namespace) becomes --runas's user, or
 *      nobody without --runas, as pasta does. In a user namespace, we are
 *      already the unprivileged user who started us;
 *    - no_new_privs, and PR_SET_DUMPABLE 0 (no core dumps, /proc/PID
 *      owned by root);
 *    - then seccomp.c installs the filter built from the "#syscalls"
 *      comments, right before the loop.
 *
 * What this costs at run time, documented in the man page: forwarded
 * ports that "auto" finds later can't be bound below the namespace's
 * net.ipv4.ip_unprivileged_port_start; a namespace that we could not
 * unshare mounts in (no privilege there) keeps the host's root.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <cap-ng.h>

#include "util.h"
#include "log.h"
#include "netns.h"
#include "tap.h"
#include "isolation.h"

#define ISOLATE_NOBODY_DEFAULT	65534

static uid_t isolate_nobody_uid = ISOLATE_NOBODY_DEFAULT;
static gid_t isolate_nobody_gid = ISOLATE_NOBODY_DEFAULT;
static bool isolate_initial_userns;	/* started in the initial one */

/**
 * isolate_close_fds() - Close inherited descriptors, but 0-2 and @keep
 * @keep:	Descriptor to keep (--fd), or -1
 */
static void isolate_close_fds(int keep)
{
	unsigned lo = 3, hi = keep > 2 ? (unsigned)keep - 1 : ~0U;

	/* #syscalls:setup close_range */
	if (hi >= lo && syscall(SYS_close_range, lo, hi, 0))
		goto slow;
	if (keep > 2 && syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0))
		goto slow;
	return;
slow:
	/* No close_range() (Linux before 5.9): the hard way */
	{
		struct rlimit l;
		int fd;

		if (getrlimit(RLIMIT_NOFILE, &l))
			l.rlim_cur = 1024;
		for (fd = 3; fd < (int)MIN(l.rlim_cur, INT_MAX); fd++)
			if (fd != keep)
				close(fd);
	}
}

/**
 * isolate_initial_ns() - Are we in the initial user namespace?
 *
 * Return: true if our user namespace maps every user to itself
 */
static bool isolate_initial_ns(void)
{
	unsigned long v[3];
	char buf[64], *p = buf;
	unsigned i;

	if (read_file("/proc/self/uid_map", buf, sizeof(buf)) <= 0)
		return true;	/* no /proc: assume the ordinary case */
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		char *end;

		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (end == p || errno)
			return false;
		p = end;
	}
	return !v[0] && !v[1] && v[2] == 4294967295UL;
}

/**
 * isolate_initial() - First stage: descriptors, limits, who we'll be
 * @c:		Execution context, options parsed
 */
void isolate_initial(const struct ctx *c)
{
	const struct passwd *pw;
	struct rlimit l;

	isolate_close_fds(c->fd_tap_given);

	/* Each flow may hold a few descriptors: take the hard limit */
	/* #syscalls:setup prlimit64 */
	if (!getrlimit(RLIMIT_NOFILE, &l)) {
		if (l.rlim_cur < l.rlim_max) {
			l.rlim_cur = l.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &l))
				debug_perror("setrlimit RLIMIT_NOFILE");
		}
		getrlimit(RLIMIT_NOFILE, &l);
		fd_limit_set(l.rlim_cur);
	}

	isolate_initial_userns = isolate_initial_ns();
	pw = getpwnam("nobody");
	if (pw) {
		isolate_nobody_uid = pw->pw_uid;
		isolate_nobody_gid = pw->pw_gid;
	}
}

/**
 * isolate_real_root() - Are we root of the whole system?
 *
 * Return: true for uid 0 in the initial user namespace
 */
static bool isolate_real_root(void)
{
	return isolate_initial_userns && !geteuid();
}

/**
 * isolate_own_userns() - Enter a user namespace of our own, mapping only
 *			  the user and group we are
 *
 * Return: 0 on success, -errno on failure
 */
static int isolate_own_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	/* #syscalls:setup unshare */
	if (unshare(CLONE_NEWUSER))
		return -errno;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) ||
	    write_file("/proc/self/setgroups", "deny"))
		return -EIO;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map))
		return -EIO;
	isolate_initial_userns = false;
	return 0;
}

/**
 * isolate_signal_noop() - Handler that never runs: our signals are
 *			   blocked and read from a signalfd
 * @sig:	Signal
 *
 * The first process of a PID namespace only gets the signals from outside
 * it that it has a handler for: this one is that handler.
 */
static void isolate_signal_noop(int sig)
{
	(void)sig;
}

/**
 * isolate_prefork() - Second stage: an unprivileged passt's own user
 *		       namespace, and a PID namespace for a daemon
 * @c:		Execution context
 * @daemon:	We are about to fork to the background
 */
void isolate_prefork(const struct ctx *c, bool daemon)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGUSR1 };
	struct sigaction sa = { .sa_handler = isolate_signal_noop };
	unsigned i;
	int rc;

	if (c->mode == MODE_PASST && !isolate_real_root() &&
	    (rc = isolate_own_userns()))
		warn("Couldn't create a user namespace to isolate in: %s",
		     strerror(-rc));
	if (isolate_real_root())
		tap_sock_keeper(c);	/* root won't be root to remove it */

	if (!daemon)
		return;
	/* #syscalls:setup unshare */
	if (unshare(CLONE_NEWPID)) {
		warn_perror("Couldn't create a PID namespace for the daemon");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/**
 * isolate_outer_pid() - Our pid as seen from where we were started
 *
 * The host's /proc, still there before isolate_postfork(), names us
 * with the pid of its own PID namespace, the one we were started in.
 *
 * Return: pid, or getpid() if /proc doesn't say
 */
pid_t isolate_outer_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	unsigned long pid;
	char *end;

	if (n <= 0)
		return getpid();
	buf[n] = '\0';
	pid = strtoul(buf, &end, 10);
	if (*end || !pid || pid > INT_MAX)
		return getpid();
	return (pid_t)pid;
}

/**
 * isolate_empty_root() - New mount, IPC and UTS namespaces, and an empty,
 *			  read-only root
 *
 * Return: 0 on success, -errno if we may not (no CAP_SYS_ADMIN where we
 *	   are), or a set-up step failed
 */
static int isolate_empty_root(void)
{
	static const char *const mnt[] = { "/tmp", "/run", "/mnt", "/dev" };
	unsigned i;

	/* #syscalls:setup unshare mount pivot_root umount2 chdir */
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS))
		return -errno;
	/* Nothing we do here may reach the host's mount namespace */
	if (mount("", "/", "", MS_REC | MS_PRIVATE, NULL))
		return -errno;

	/* Any existing directory can carry the new root: it's ours only */
	for (i = 0; i < ARRAY_SIZE(mnt); i++) {
		if (!mount("", mnt[i], "tmpfs",
			   MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID,
			   "size=0,mode=0555"))
			break;
	}
	if (i == ARRAY_SIZE(mnt))
		return -errno;
	if (chdir(mnt[i]) ||
	    syscall(SYS_pivot_root, ".", ".") ||
	    umount2(".", MNT_DETACH) ||
	    chdir("/"))
		return -errno;
	return 0;
}

/**
 * isolate_drop_bounding() - Empty the bounding set of the calling thread
 *
 * Return: 0 on success, -1 on failure
 */
static int isolate_drop_bounding(void)
{
	/* #syscalls:setup capget capset prctl */
	capng_clear(CAPNG_SELECT_BOUNDS);
	return capng_apply(CAPNG_SELECT_BOUNDS) ? -1 : 0;
}

/**
 * isolate_drop_caps() - Clear every capability set of the calling thread,
 *			 and set no_new_privs for it
 *
 * Return: 0 on success, -1 on failure
 */
static int isolate_drop_caps(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return 0;
}

/**
 * isolate_worker_bounding() - isolate_drop_bounding(), in the worker
 * @arg:	Unused
 *
 * Return: as isolate_drop_bounding()
 */
static int isolate_worker_bounding(void *arg)
{
	(void)arg;
	return isolate_drop_bounding();
}

/**
 * isolate_worker_caps() - isolate_drop_caps(), in the worker
 * @arg:	Unused
 *
 * Return: as isolate_drop_caps()
 */
static int isolate_worker_caps(void *arg)
{
	(void)arg;
	return isolate_drop_caps();
}

/**
 * isolate_ids() - Switch to the user and group to run as
 * @c:		Execution context
 * @runas_given: --runas was given
 *
 * Only root of the whole system switches: to --runas's user, or nobody.
 * In a user namespace, we already are the user who started us.
 */
static void isolate_ids(struct ctx *c, bool runas_given)
{
	uid_t uid = runas_given ? c->uid : isolate_nobody_uid;
	gid_t gid = runas_given ? c->gid : isolate_nobody_gid;

	if (!isolate_real_root()) {
		if (runas_given)
			debug("--runas: running as the user who started us");
		return;
	}

	/* glibc applies these to every thread: the worker too */
	/* #syscalls:setup setgroups setresgid setresuid */
	if (setgroups(0, NULL))
		die_perror("Couldn't drop supplementary groups");
	if (setresgid(gid, gid, gid))
		die_perror("Couldn't switch to group %u", (unsigned)gid);
	if (setresuid(uid, uid, uid))
		die_perror("Couldn't switch to user %u", (unsigned)uid);
	info("Running as user %u, group %u", (unsigned)uid, (unsigned)gid);
}

/**
 * isolate_postfork() - Third stage, in the process that runs the loop:
 *			namespaces, empty root, no capabilities, our user
 * @c:		Execution context
 * @runas_given: --runas was given
 *
 * The order matters: the worker thread enters the guest's namespace while
 * we may; the bounding sets go while each thread still has CAP_SETPCAP;
 * the switch of user needs CAP_SETUID in every thread; then the rest of
 * each thread's capabilities goes.
 */
void isolate_postfork(struct ctx *c, bool runas_given)
{
	bool worker = false;
	int rc;

	if (c->mode == MODE_PASTA && c->pasta.netns_fd >= 0) {
		rc = ns_worker_start(c->pasta.netns_fd);
		if (rc)
			die("Couldn't start a thread in the namespace: %s",
			    strerror(-rc));
		worker = true;
	}

	rc = isolate_empty_root();
	if (rc)
		warn("Couldn't isolate in an empty root: %s (the host's files stay reachable)",
		     strerror(-rc));

	if ((worker && ns_worker_run(isolate_worker_bounding, NULL)) ||
	    isolate_drop_bounding())
		debug("Couldn't empty the capability bounding set");

	isolate_ids(c, runas_given);

	if ((worker && ns_worker_run(isolate_worker_caps, NULL)) ||
	    isolate_drop_caps())
		die("Couldn't drop capabilities");

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		die_perror("Couldn't clear the dumpable flag");
}
