// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - giving up what the daemon doesn't need once it runs
 *
 * Theory of operation: isolation happens in stages, as set-up needs
 * privileges that the running daemon does not. So far: descriptors we did
 * not open are closed and limits set before anything else (here), and the
 * user and group switch of --runas once set-up is done. Capabilities,
 * no_new_privs and the seccomp filter built from the "#syscalls" comments
 * are the next stages (see the isolation issue).
 */

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "util.h"
#include "log.h"
#include "isolation.h"

/**
 * isolate_prefork() - Early clean-up: raise the descriptor limit
 * @c:		Execution context
 *
 * Each flow may hold a few descriptors: take the hard limit.
 */
void isolate_prefork(const struct ctx *c)
{
	struct rlimit l;

	(void)c;
	/* #syscalls prlimit64 */
	if (!getrlimit(RLIMIT_NOFILE, &l) && l.rlim_cur < l.rlim_max) {
		l.rlim_cur = l.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &l))
			debug_perror("setrlimit RLIMIT_NOFILE");
	}
}

/**
 * isolate_runas() - Switch to the --runas user and group
 * @c:		Execution context
 * @runas_given: --runas was given: a failure to switch is fatal
 */
void isolate_runas(const struct ctx *c, bool runas_given)
{
	if (!runas_given)
		return;
	if (getuid() == c->uid && geteuid() == c->uid && getgid() == c->gid)
		return;

	/* #syscalls setgroups setresgid setresuid */
	if (setgroups(0, NULL) && errno != EPERM)
		die_perror("Couldn't drop supplementary groups");
	if (setresgid(c->gid, c->gid, c->gid))
		die_perror("Couldn't switch to group %u", (unsigned)c->gid);
	if (setresuid(c->uid, c->uid, c->uid))
		die_perror("Couldn't switch to user %u", (unsigned)c->uid);
	info("Running as user %u, group %u", (unsigned)c->uid,
	     (unsigned)c->gid);
}
