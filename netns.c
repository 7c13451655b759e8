// SPDX-License-Identifier: GPL-2.0-or-later
/* netns.c - running a function inside another network namespace
 *
 * The daemon never moves to the guest's network namespace: what must be
 * done in there (opening the tap device, netlink configuration, sockets
 * for spliced connections and namespace-side listeners) runs in another
 * thread, which entered the namespace (setns() acts on the calling thread
 * only), while the main thread waits for it. Descriptors it opens are
 * ours; sockets it creates belong to the namespace. Threads rather than
 * clones sharing our memory, so that valgrind can follow them. The loop
 * stays single-threaded: the main thread waits for every call.
 *
 * During set-up, each call runs in a short-lived thread of its own. Once
 * set-up is done, ns_worker_start() starts one thread that enters the
 * namespace for good and runs every later call: the daemon then needs no
 * privilege over the namespace any more (setns() needs CAP_SYS_ADMIN
 * there), and can give up all of them (isolation.c). A call is a function
 * and its argument, handed over under a mutex with a condition variable
 * each way; the worker blocks every signal, so that they all go to the
 * main thread's signalfd. It must be started after any fork() (a child
 * gets only the thread that forked).
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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

	/* #syscalls:setup setns */
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

	/* #syscalls:setup clone clone3 set_robust_list rseq munmap mmap mprotect */
	/* #syscalls:setup madvise exit rt_sigprocmask */
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
 * struct ns_worker - The thread that stays in the namespace, once started
 * @lock:	Protects the fields below
 * @wake:	Signalled when a call is posted
 * @done:	Signalled when it returned
 * @thread:	The thread
 * @netns_fd:	Namespace it's in, -1 if not started
 * @fn:		Function of the call posted, NULL if none
 * @arg:	Its argument
 * @ret:	Its return value, once @fn is NULL again
 */
static struct ns_worker {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t done;
	pthread_t thread;
	int netns_fd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
} ns_worker = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 0, -1, NULL, NULL, 0,
};

/**
 * ns_worker_loop() - The worker: run each call posted, for ever
 * @arg:	Unused
 *
 * Return: never
 */
static void *ns_worker_loop(void *arg)
{
	struct ns_worker *w = &ns_worker;

	(void)arg;
	/* The worker, and the main thread calling it */
	/* #syscalls:pasta futex */
	pthread_mutex_lock(&w->lock);
	for (;;) {
		int (*fn)(void *arg);

		while (!w->fn)
			pthread_cond_wait(&w->wake, &w->lock);
		fn = w->fn;
		pthread_mutex_unlock(&w->lock);
		w->ret = fn(w->arg);
		pthread_mutex_lock(&w->lock);
		w->fn = NULL;
		pthread_cond_signal(&w->done);
	}
	return NULL;
}

/**
 * ns_worker_enter() - Start of the worker: into the namespace, then serve
 * @arg:	struct ns_call_arg: namespace; @entered and @ret set here
 *
 * Return: NULL if it couldn't enter (the thread ends), never otherwise
 */
static void *ns_worker_enter(void *arg)
{
	struct ns_call_arg *a = arg;
	bool entered;
	sigset_t all;

	sigfillset(&all);
	/* #syscalls:setup rt_sigprocmask */
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	/* #syscalls:setup setns */
	entered = !setns(a->netns_fd, CLONE_NEWNET);
	a->ret = entered ? 0 : -errno;
	a->entered = entered;

	/* @a lives on ns_worker_start()'s stack: once the lock is released,
	 * it may have returned, so nothing here reads @a after that
	 */
	pthread_mutex_lock(&ns_worker.lock);
	ns_worker.netns_fd = entered ? a->netns_fd : -2;
	pthread_cond_signal(&ns_worker.done);
	pthread_mutex_unlock(&ns_worker.lock);
	if (!entered)
		return NULL;
	return ns_worker_loop(NULL);
}

/**
 * ns_worker_start() - Start the thread that runs every later ns_call()
 *		       for a namespace from inside it
 * @netns_fd:	Namespace
 *
 * Return: 0 on success, -errno if it couldn't start or enter
 */
int ns_worker_start(int netns_fd)
{
	struct ns_call_arg a = { netns_fd, NULL, NULL, -EIO, false };
	struct ns_worker *w = &ns_worker;
	pthread_attr_t attr;
	int rc;

	if (netns_fd < 0)
		return -EBADF;
	if (w->netns_fd >= 0)
		return -EALREADY;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, NS_CALL_STACK_SIZE);
	rc = pthread_create(&w->thread, &attr, ns_worker_enter, &a);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;

	pthread_mutex_lock(&w->lock);
	while (w->netns_fd == -1)
		pthread_cond_wait(&w->done, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (!a.entered) {
		pthread_join(w->thread, NULL);
		w->netns_fd = -1;
		return a.ret;
	}
	pthread_detach(w->thread);
	return 0;
}

/**
 * ns_worker_call() - Run a function in the worker, wait for it
 * @fn:		Function
 * @arg:	Its argument
 *
 * Return: what @fn returned
 */
static int ns_worker_call(int (*fn)(void *arg), void *arg)
{
	struct ns_worker *w = &ns_worker;
	int ret;

	pthread_mutex_lock(&w->lock);
	w->arg = arg;
	w->fn = fn;
	pthread_cond_signal(&w->wake);
	while (w->fn)
		pthread_cond_wait(&w->done, &w->lock);
	ret = w->ret;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

/**
 * ns_worker_run() - Run a function in the worker thread, if there is one
 * @fn:		Function
 * @arg:	Its argument
 *
 * For what each thread must do for itself (capabilities are per thread).
 *
 * Return: what @fn returned, or -ESRCH if no worker runs
 */
int ns_worker_run(int (*fn)(void *arg), void *arg)
{
	if (ns_worker.netns_fd < 0)
		return -ESRCH;
	return ns_worker_call(fn, arg);
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
	if (netns_fd == ns_worker.netns_fd)
		return ns_worker_call(fn, arg);
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
