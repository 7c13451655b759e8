// SPDX-License-Identifier: GPL-2.0-or-later
/* netns.c - running a function inside another network namespace
 *
 * The daemon never moves to the guest's network namespace: what must be
 * done in there (opening the tap device, netlink configuration, sockets
 * for spliced connections and namespace-side listeners) runs in a
 * short-lived thread, which enters the namespace (setns() acts on the
 * calling thread only) while the main thread waits for it. Descriptors it
 * opens are ours; sockets it creates belong to the namespace. A thread,
 * rather than a clone sharing our memory, so that valgrind can follow it.
 * The loop stays single-threaded: the thread is joined before we go on.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "netns.h"

#define NS_CALL_STACK_SIZE	(256UL * 1024)

/**
 * struct ns_call_arg - What the clone in the namespace runs
 * @netns_fd:	Namespace to enter
 * @fn:		Function
 * @arg:	Its argument
 * @ret:	Its return value
 * @entered:	setns() succeeded
 */
struct ns_call_arg {
	int netns_fd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
	bool entered;
};

/**
 * ns_call_thread() - Enter the namespace and run the function
 * @arg:	struct ns_call_arg
 *
 * Return: NULL
 */
static void *ns_call_thread(void *arg)
{
	struct ns_call_arg *a = arg;

	/* #syscalls setns */
	if (setns(a->netns_fd, CLONE_NEWNET)) {
		a->ret = -errno;
		return NULL;
	}
	a->entered = true;
	a->ret = a->fn(a->arg);
	return NULL;
}

/**
 * ns_run() - Run a function in a network namespace, say how far it got
 * @a:		Namespace, function and argument; result on return
 *
 * Return: 0 if the thread ran (see @a->entered and @a->ret), -errno if it
 *	   couldn't be created
 */
static int ns_run(struct ns_call_arg *a)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	/* #syscalls clone clone3 futex set_robust_list rseq munmap */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, NS_CALL_STACK_SIZE);
	rc = pthread_create(&t, &attr, ns_call_thread, a);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	pthread_join(t, NULL);
	return 0;
}

/**
 * ns_call() - Run a function in a network namespace
 * @netns_fd:	Namespace
 * @fn:		Function, returning 0 or -errno (or a descriptor)
 * @arg:	Its argument
 *
 * Return: what @fn returned, or -errno if it couldn't run
 */
int ns_call(int netns_fd, int (*fn)(void *arg), void *arg)
{
	struct ns_call_arg a = { netns_fd, fn, arg, -EIO, false };
	int rc;

	if (netns_fd < 0)
		return -EBADF;
	rc = ns_run(&a);
	return rc ? rc : a.ret;
}

/**
 * ns_nop() - Do nothing, in the namespace
 * @arg:	Unused
 *
 * Return: 0
 */
static int ns_nop(void *arg)
{
	(void)arg;
	return 0;
}

/**
 * ns_enter_check() - Can we enter a network namespace at all?
 * @netns_fd:	Namespace
 * @step:	On failure, the call that failed ("setns", "pthread_create")
 *
 * Lets set-up tell "not allowed to join the namespace" from failures of
 * what is done in there (ns_call() returns either as -errno).
 *
 * Return: 0 if a thread could enter it, -errno otherwise
 */
int ns_enter_check(int netns_fd, const char **step)
{
	struct ns_call_arg a = { netns_fd, ns_nop, NULL, -EIO, false };
	int rc;

	*step = "setns";
	if (netns_fd < 0)
		return -EBADF;
	rc = ns_run(&a);
	if (rc) {
		*step = "pthread_create";
		return rc;
	}
	return a.entered ? 0 : a.ret;
}
