// SPDX-License-Identifier: GPL-2.0-or-later
/* passt.c - start-up, the event loop and its one dispatch switch
 *
 * Theory of operation
 *
 * One binary, two modes chosen by the name it runs under: passt connects a
 * virtual machine over a UNIX stream socket, pasta a network namespace
 * through a tap device. Either way, the guest's frames are translated to
 * and from ordinary host sockets (TCP, UDP, ICMP echo): there is no
 * TCP/IP stack here, the host kernel does that work.
 *
 * Start-up: parse options (conf.c), create or join the namespace (pasta),
 * fill defaults from the host, open the guest link, initialise the
 * protocol modules, set up signals, drop to --runas, daemonize unless
 * told otherwise (the pid file is written before the parent exits), and
 * run the loop.
 *
 * The loop: one epoll instance; every registered descriptor carries a
 * union epoll_ref whose type selects its handler in passt_dispatch(), the
 * one switch. After each batch of events, deferred work runs (flows closed
 * during the batch are freed), and about once a second the timers.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"
#include "log.h"
#include "stats.h"
#include "epoll_ref.h"
#include "ctx.h"
#include "conf.h"
#include "tap.h"
#include "vhost_user.h"
#include "pcap.h"
#include "loop_poll.h"
#include "ndp.h"
#include "flow.h"
#include "fwd.h"
#include "icmp.h"
#include "tcp.h"
#include "fwd_listen.h"
#include "udp.h"
#include "zerocopy.h"
#include "pasta.h"
#include "isolation.h"
#include "seccomp.h"

#define EPOLL_EVENTS		64
#define TIMER_INTERVAL_MS	1000
#define QUIT_GRACE_MS		2000	/* for flows to drain at exit */

static struct ctx passt_ctx;

/* The guest link wakes flows waiting for it, and drops a departed guest's */
static const struct tap_hooks passt_tap_hooks = {
	.writable	= flow_tap_writable,
	.reset		= flow_tap_reset,
};
static int passt_signal_fd = -1;
static int passt_quit_status = -1;	/* set: leave once flows drained */
static struct timespec passt_quit_at;

/**
 * passt_exit_cleanup() - Remove what we created in the file system
 */
static void passt_exit_cleanup(void)
{
	const struct ctx *c = &passt_ctx;

	tap_sock_unlink(c);
}

/**
 * passt_signals_init() - Route signals through a signalfd into the loop
 * @c:		Execution context
 */
static void passt_signals_init(struct ctx *c)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	/* #syscalls:setup rt_sigprocmask signalfd4 */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die_perror("sigprocmask");
	passt_signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (passt_signal_fd < 0)
		die_perror("signalfd");
	if (epoll_add(c->epollfd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_SIGNAL, passt_signal_fd, 0)))
		die_perror("epoll_ctl on signalfd");
}

/**
 * passt_stats_log() - Log the statistics table, and the flows in use now
 * @what:	Reason for the dump
 * @counters:	Add the name=value lines for scripts (SIGUSR1)
 *
 * The "flows_active" line ends the block: scripts wait for it.
 */
static void passt_stats_log(const char *what, bool counters)
{
	stats_log(what, counters);
	logmsg(LOG_NOTICE, false, "  flows_active: %u of %u", flow_count(),
	       flow_max());
}

/**
 * passt_signal_handler() - Handle the signals read from the signalfd
 * @c:		Execution context
 */
static void passt_signal_handler(struct ctx *c)
{
	struct signalfd_siginfo si;

	/* #syscalls read */
	while (read(passt_signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
			/* Notice: a log file keeps it (see passt_log_setup()) */
			notice("SIGTERM received, exiting");
			exit(EXIT_SUCCESS);
		case SIGINT:
		case SIGQUIT:
			/* The command we run has the terminal: it's for it */
			if (c->pasta.child_pid || passt_quit_status >= 0)
				break;
			notice("Signal %u received, exiting", si.ssi_signo);
			exit(EXIT_SUCCESS);
		case SIGUSR1:
			passt_stats_log("SIGUSR1", true);
			break;
		case SIGCHLD: {
			int status = pasta_child_handler(c);

			if (status < 0)
				break;
			/* Let connections the command left finish sending */
			passt_quit_status = status;
			clock_now(&passt_quit_at);
			passt_quit_at.tv_sec += QUIT_GRACE_MS / 1000;
			break;
		}
		default:
			break;
		}
	}
}

/**
 * passt_pidfile_write() - Write a PID to the pid file, if any, and close it
 * @c:		Execution context
 * @pid:	PID
 */
static void passt_pidfile_write(struct ctx *c, pid_t pid)
{
	char buf[32];
	int n;

	if (c->pidfile_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (ftruncate(c->pidfile_fd, 0) ||
	    write_all(c->pidfile_fd, buf, (size_t)n))
		die_perror("Couldn't write PID file '%s'", c->pidfile);
	close(c->pidfile_fd);
	c->pidfile_fd = -1;
}

/**
 * passt_daemonize() - Go to the background, the parent leaves when the
 *		       pid file is written
 * @c:		Execution context
 */
static void passt_daemonize(struct ctx *c)
{
	int devnull;
	pid_t pid;

	/* #syscalls:setup fork setsid dup2 */
	pid = fork();
	if (pid < 0)
		die_perror("Couldn't fork into the background");
	if (pid) {
		passt_pidfile_write(c, pid);
		_exit(EXIT_SUCCESS);
	}

	/* The parent writes the pid file: our copy of its descriptor goes */
	if (c->pidfile_fd >= 0) {
		close(c->pidfile_fd);
		c->pidfile_fd = -1;
	}
	log_pid_update(isolate_outer_pid());
	if (setsid() < 0)
		die_perror("setsid");

	/* A signalfd wakes epoll through its creator's signal handlers: the
	 * child needs one of its own
	 */
	epoll_del(c->epollfd, passt_signal_fd);
	close(passt_signal_fd);
	passt_signals_init(c);

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		die_perror("Couldn't open /dev/null");
	/* Callers such as Podman wait for our stdout and stderr to close */
	if (dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(devnull, STDERR_FILENO) < 0)
		die_perror("dup2");
	close(devnull);
	log_to_stderr(false);
}

/**
 * passt_dispatch() - The one switch: hand an event to its handler
 * @c:		Execution context
 * @ev:		Event
 * @now:	Current time
 */
static void passt_dispatch(struct ctx *c, const struct epoll_event *ev,
			   const struct timespec *now)
{
	union epoll_ref ref = { .u64 = ev->data.u64 };

	trace("event: %s, fd %d, events 0x%x", epoll_type_str(ref.type),
	      ref.fd, ev->events);

	switch (ref.type) {
	case EPOLL_TYPE_SIGNAL:
		passt_signal_handler(c);
		break;
	case EPOLL_TYPE_TAP_PASTA:
		tap_handler_pasta(c, ev->events, now);
		break;
	case EPOLL_TYPE_TAP_PASST:
		tap_handler_passt(c, ev->events, now);
		break;
	case EPOLL_TYPE_TAP_LISTEN:
		tap_listen_handler(c, ev->events);
		break;
	case EPOLL_TYPE_VHOST_CMD:
		vhost_user_handler(c, ev->events);
		break;
	case EPOLL_TYPE_VHOST_KICK:
		vhost_user_kick_handler(c, ref, now);
		break;
	case EPOLL_TYPE_NSQUIT_INOTIFY:
	case EPOLL_TYPE_NSQUIT_TIMER:
	case EPOLL_TYPE_NSQUIT_PIDFD:
		pasta_netns_quit_handler(c, ref);
		break;
	case EPOLL_TYPE_PING:
		icmp_sock_handler(c, ref);
		break;
	case EPOLL_TYPE_TCP:
		tcp_sock_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
		udp_listen_handler(c, ref, now);
		break;
	case EPOLL_TYPE_UDP_REPLY:
		udp_reply_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_listen_handler(c, ref, now);
		break;
	case EPOLL_TYPE_TCP_SPLICE:
		tcp_splice_sock_handler(c, ref, ev->events);
		break;
	case EPOLL_TYPE_ZC_ORPHAN:
		zc_orphan_handler(c, ref);
		break;
	default:
		err("Event for unknown type %u, fd %d", ref.type, ref.fd);
		ASSERT(0);
	}
}

/**
 * passt_timers() - Work done about once a second
 * @c:		Execution context
 * @now:	Current time
 */
static void passt_timers(struct ctx *c, const struct timespec *now)
{
	flow_timer_handler(c, now);
	fwd_listen_timer(c);
	tcp_port_timer(c, now);
	if (c->ifi6_on && !c->no_ndp)
		ndp_timer(c, now);

	/* Periodic statistics: the same block again says nothing new */
	if (c->stats_interval) {
		static time_t stats_last;

		if (!stats_last)
			stats_last = now->tv_sec;
		if (now->tv_sec - stats_last >= (time_t)c->stats_interval) {
			if (stats_changed())
				passt_stats_log("periodic", false);
			stats_last = now->tv_sec;
		}
	}
}

/**
 * passt_bytes_moved() - Bytes moved so far, to and from the guest, spliced
 *
 * Return: sum of the counters
 */
static uint64_t passt_bytes_moved(void)
{
	return stats[STAT_TAP_BYTES_IN] + stats[STAT_TAP_BYTES_OUT] +
	       stats[STAT_TCP_BYTES_SPLICED];
}

/**
 * passt_poll() - Poll for events, without sleeping, for a while
 * @c:		Execution context
 * @events:	Filled with the events
 * @window_us:	How long to poll, microseconds
 * @start:	When the wait started
 * @end:	Set to when the poll ended, if no events came
 *
 * Between polls, the CPU goes to whoever else wants it: on a machine with
 * few CPUs, the peer whose answer we wait for.
 *
 * Return: number of events, 0 if none came in the window, -1 on error
 */
static int passt_poll(const struct ctx *c, struct epoll_event *events,
		      unsigned window_us, const struct timespec *start,
		      struct timespec *end)
{
	for (;;) {
		/* #syscalls epoll_wait epoll_pwait */
		int n = epoll_wait(c->epollfd, events, EPOLL_EVENTS, 0);

		if (n)
			return n;
		clock_now(end);
		if (timespec_diff_us(end, start) >= window_us)
			return 0;
		/* #syscalls sched_yield */
		sched_yield();
	}
}

/**
 * passt_timeout_left() - What is left of a timeout after polling
 * @timeout:	Timeout, milliseconds, from @start
 * @start:	When the wait started
 * @end:	When the poll ended
 *
 * Rounded up, as epoll_wait() rounds its own: a deadline is never
 * missed by more than the millisecond it would be missed by anyway.
 *
 * Return: milliseconds, 0 or more
 */
static int passt_timeout_left(int timeout, const struct timespec *start,
			      const struct timespec *end)
{
	int64_t left = (int64_t)timeout * 1000 - timespec_diff_us(end, start);

	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/**
 * passt_wait() - Wait for events: poll first if the last batch asks for it
 * @c:		Execution context
 * @lp:		Busy-poll state (loop_poll.c)
 * @events:	Filled with the events
 * @timeout:	Longest wait, milliseconds, 0 or more
 * @now:	Current time, updated to the end of the wait
 *
 * Return: number of events, 0 on timeout, -1 on error (errno set)
 */
static int passt_wait(struct ctx *c, struct loop_poll *lp,
		      struct epoll_event *events, int timeout,
		      struct timespec *now)
{
	unsigned window = timeout ? loop_poll_window(lp) : 0;
	struct timespec start = *now, end;
	bool caught = false;
	int n = 0;

	if (window) {
		n = passt_poll(c, events, window, &start, &end);
		caught = n > 0;
		if (!n)
			timeout = passt_timeout_left(timeout, &start, &end);
	}
	if (!n) {
		const struct timespec *t = window ? &end : &start;

		/* Nothing came back for the ACKs held: they go now, and a
		 * deadline they set (a refused frame) bounds the sleep
		 */
		if (tcp_ack_flush(c, true, t))
			timeout = flow_deadline_timeout(t, timeout);
		/* #syscalls epoll_wait epoll_pwait */
		n = epoll_wait(c->epollfd, events, EPOLL_EVENTS, timeout);
	}
	clock_now(now);

	if (window) {
		stats_inc(caught ? STAT_LOOP_POLL_HITS : STAT_LOOP_POLL_MISSES);
		stats_add(STAT_LOOP_POLL_US, (uint64_t)MIN(
			  timespec_diff_us(now, &start), (int64_t)window));
	}
	/* No wait at all (a deadline was due): nothing to learn from */
	if (timeout || window)
		loop_poll_waited(lp, n, caught, timespec_diff_us(now, &start));
	return n;
}

/**
 * passt_loop() - The event loop, never returns
 * @c:		Execution context
 */
__attribute__((noreturn))
static void passt_loop(struct ctx *c)
{
	static struct epoll_event events[EPOLL_EVENTS];
	struct timespec now, last_timer;
	struct loop_poll lp;

	loop_poll_init(&lp, c->busy_poll_us);
	clock_now(&last_timer);
	for (;;) {
		uint64_t bytes;
		int64_t since;
		int n, i, timeout;

		clock_now(&now);
		since = timespec_diff_ms(&now, &last_timer);
		timeout = since >= TIMER_INTERVAL_MS ? 0 :
			  (int)(TIMER_INTERVAL_MS - since);
		if (passt_quit_status >= 0)
			timeout = MIN(timeout, 50);
		timeout = flow_deadline_timeout(&now, timeout);

		n = passt_wait(c, &lp, events, timeout, &now);
		if (n < 0 && errno != EINTR)
			die_perror("epoll_wait");

		bytes = passt_bytes_moved();
		for (i = 0; i < n; i++)
			passt_dispatch(c, &events[i], &now);
		tcp_ack_flush(c, false, &now);
		loop_poll_batch(&lp, events, n,
				(tcp_syn_acked_at_once() ?
				 LOOP_POLL_SYN_ACK : 0) |
				(tcp_acks_held() ? LOOP_POLL_REQUEST : 0),
				passt_bytes_moved() - bytes);
		flow_deadline_run(c, &now);

		flow_defer_handler();

		if (passt_quit_status >= 0 &&
		    ((!flow_count_type(FLOW_TCP) &&
		      !flow_count_type(FLOW_TCP_SPLICE)) ||
		     timespec_diff_ms(&now, &passt_quit_at) >= 0))
			exit(passt_quit_status);

		if (timespec_diff_ms(&now, &last_timer) >= TIMER_INTERVAL_MS) {
			passt_timers(c, &now);
			last_timer = now;
		}
	}
}

/**
 * passt_log_setup() - Apply the logging options
 * @c:		Execution context
 * @g:		What the command line gave
 */
static void passt_log_setup(const struct ctx *c, const struct conf_given *g)
{
	/* A log file holds warnings and errors (and the statistics, which
	 * are asked for) unless debugging: it's read after the fact, for
	 * what went wrong
	 */
	if (g->trace)
		log_set_level(LOG_TRACE);
	else if (g->debug)
		log_set_level(LOG_DEBUG);
	else if (g->quiet || *g->log_file)
		log_set_level(LOG_NOTICE);

	if (*g->log_file) {
		int rc = log_open_file(g->log_file,
				   g->log_size ? g->log_size : LOG_SIZE_DEFAULT);
		if (rc)
			die("Couldn't open log file '%s': %s", g->log_file,
			    strerror(-rc));
		log_to_stderr(g->stderr_too);
	}
	(void)c;
}

/**
 * main() - Start-up, then the loop
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: only on errors, as exit status
 */
int main(int argc, char **argv)
{
	struct ctx *c = &passt_ctx;
	const char *name = strrchr(argv[0], '/');
	char err[CONF_ERR_LEN];
	struct conf_given g;
	bool spawn;

	name = name ? name + 1 : argv[0];
	conf_init_ctx(c, argv[0]);
	log_init(c->mode == MODE_PASTA ? "pasta" : "passt");

	switch (conf_parse(c, &g, argc, argv, err, sizeof(err))) {
	case CONF_HELP:
		conf_print_usage(c, name);
		return EXIT_SUCCESS;
	case CONF_VERSION:
		conf_print_version(c);
		return EXIT_SUCCESS;
	case CONF_SYSCALLS:
		seccomp_print(c);
		return EXIT_SUCCESS;
	case CONF_CAPS:
		vhost_user_print_caps();
		return EXIT_SUCCESS;
	case CONF_ERROR:
		if (*err)
			fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	case CONF_OK:
		break;
	}

	isolate_initial(c);
	passt_log_setup(c, &g);
	atexit(passt_exit_cleanup);

	spawn = c->mode == MODE_PASTA && !c->pasta.attach_pid &&
		!*c->pasta.netns;

	if (conf_defaults(c, &g, err, sizeof(err)) ||
	    conf_paths_abs(c, err, sizeof(err)))
		die("%s", err);

	if (*c->pidfile) {
		c->pidfile_fd = open(c->pidfile, O_WRONLY | O_CREAT |
				     O_TRUNC | O_CLOEXEC, 0644);
		if (c->pidfile_fd < 0)
			die_perror("Couldn't open PID file '%s'", c->pidfile);
	}
	if (*c->pcap) {
		int rc = pcap_init(c->pcap);

		if (rc)
			die("Couldn't open capture file '%s': %s", c->pcap,
			    strerror(-rc));
	}

	/* #syscalls:setup epoll_create1 */
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epollfd < 0)
		die_perror("epoll_create1");

	{
		int rc = flow_init(c->flow_max);

		if (rc)
			die("Couldn't allocate a flow table of %u entries: %s",
			    c->flow_max, strerror(-rc));
	}

	if (c->mode == MODE_PASTA) {
		if (spawn)
			pasta_start_ns(c);
		else
			pasta_open_ns(c);
		pasta_tap_open(c);
		pasta_ns_conf(c);
	}

	/* Signals first: forwarded ports may take every descriptor left */
	passt_signals_init(c);

	conf_log(c);
	tap_set_hooks(&passt_tap_hooks);
	if (!c->splice_only)	/* no tap device then, see pasta.c */
		tap_init(c);
	icmp_init(c);
	tcp_init(c);
	zc_init(c);
	udp_init(c);
	fwd_listen_init(c);

	pasta_netns_quit_init(c);

	isolate_prefork(c, !c->foreground && !spawn);
	if (!c->foreground && !spawn)
		passt_daemonize(c);
	else
		passt_pidfile_write(c, getpid());

	/* Don't keep the starting directory (and its file system) busy:
	 * everything named by a relative path is open by now, or was made
	 * absolute by conf_paths_abs()
	 */
	/* #syscalls:setup chdir */
	if (chdir("/"))
		die_perror("Couldn't change directory to /");

	if (c->mode == MODE_PASTA)
		pasta_child_go(c);

	isolate_postfork(c, g.runas);
	seccomp_install(c);
	passt_loop(c);
}
