// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - logging to stderr, the system logger or a size-limited file
 *
 * Theory of operation: every message goes to at most three sinks, each
 * switched on by the start-up code: stderr (foreground runs), the system
 * logger over a datagram socket to /dev/log (background runs without a
 * log file), and a log file. Logging must never take the daemon down: a
 * missing system logger is noticed once and then ignored, and a full log
 * file is trimmed in place, keeping its newer half, so it never grows
 * beyond --log-size.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "util.h"
#include "log.h"

#define LOG_LINE_MAX		1024

int log_level = LOG_INFO;

static const char *log_ident = "passt";
static bool log_stderr = true;
static bool log_syslog;
static int log_syslog_fd = -1;
static int log_file_fd = -1;
static size_t log_file_size;
static size_t log_file_written;
static struct timespec log_start;

/**
 * log_init() - Set the identity for messages and the start time
 * @ident:	Program name as invoked (passt or pasta)
 */
void log_init(const char *ident)
{
	log_ident = ident;
	clock_gettime(CLOCK_MONOTONIC, &log_start);
}

/**
 * log_set_level() - Set the most verbose level that is emitted
 * @level:	LOG_ERR ... LOG_TRACE
 */
void log_set_level(int level)
{
	log_level = level;
}

/**
 * log_to_stderr() - Enable or disable logging to standard error
 * @on:		Enable if true
 */
void log_to_stderr(bool on)
{
	log_stderr = on;
}

/**
 * log_to_syslog() - Enable or disable logging to the system logger
 * @on:		Enable if true
 */
void log_to_syslog(bool on)
{
	log_syslog = on;
	if (on && log_syslog_fd < 0) {
		struct sockaddr_un a = { .sun_family = AF_UNIX,
					 .sun_path = "/dev/log" };

		/* #syscalls socket connect */
		log_syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (log_syslog_fd >= 0 &&
		    connect(log_syslog_fd, (struct sockaddr *)&a, sizeof(a))) {
			/* No system logger: nothing to complain to, stay quiet */
			close(log_syslog_fd);
			log_syslog_fd = -1;
		}
	}
}

/**
 * log_open_file() - Log (only) to a file, trimmed to at most @size bytes
 * @path:	File path, created or truncated
 * @size:	Size limit in bytes
 *
 * Return: 0 on success, -errno on failure
 */
int log_open_file(const char *path, size_t size)
{
	/* #syscalls open openat */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	log_file_fd = fd;
	log_file_size = size;
	log_file_written = 0;
	return 0;
}

/**
 * log_has_file() - Is a log file in use?
 *
 * Return: true if logging to a file
 */
bool log_has_file(void)
{
	return log_file_fd >= 0;
}

/**
 * log_file_trim() - Keep the newer half of a full log file
 *
 * Copies the second half of the file over the first, from the start of
 * a line, and truncates: bounded work, no allocation.
 */
static void log_file_trim(void)
{
	char buf[4096];
	off_t from = (off_t)(log_file_written / 2), to = 0;
	ssize_t n;

	/* Start at a line boundary */
	/* #syscalls pread64 pwrite64 ftruncate */
	n = pread(log_file_fd, buf, sizeof(buf), from);
	if (n > 0) {
		char *nl = memchr(buf, '\n', (size_t)n);

		if (nl)
			from += nl - buf + 1;
	}

	while ((n = pread(log_file_fd, buf, sizeof(buf), from)) > 0) {
		if (pwrite(log_file_fd, buf, (size_t)n, to) != n)
			break;
		from += n;
		to += n;
	}
	if (ftruncate(log_file_fd, to))
		to = 0;
	log_file_written = (size_t)to;
}

/**
 * log_emit() - Send one formatted line to the enabled sinks
 * @pri:	Syslog priority
 * @msg:	Message, without trailing newline
 * @len:	Length of @msg
 */
static void log_emit(int pri, const char *msg, size_t len)
{
	char line[LOG_LINE_MAX + 64];
	struct timespec now;
	int n;

	if (log_file_fd >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		n = snprintf(line, sizeof(line), "%lld.%04ld: %.*s\n",
			     (long long)(now.tv_sec - log_start.tv_sec),
			     (now.tv_nsec / 100000) % 10000, (int)len, msg);
		if (n > 0) {
			n = MIN(n, (int)sizeof(line) - 1);
			if (log_file_written + (size_t)n > log_file_size)
				log_file_trim();
			/* #syscalls pwrite64 */
			if (pwrite(log_file_fd, line, (size_t)n,
				   (off_t)log_file_written) == n)
				log_file_written += (size_t)n;
		}
		return;
	}

	if (log_syslog && log_syslog_fd >= 0) {
		n = snprintf(line, sizeof(line), "<%d>%s[%d]: %.*s",
			     LOG_DAEMON | (pri > LOG_DEBUG ? LOG_DEBUG : pri),
			     log_ident, (int)getpid(), (int)len, msg);
		/* Failure is ignored on purpose: there is nobody to tell */
		/* #syscalls send sendto */
		if (n > 0)
			(void)!send(log_syslog_fd, line,
				    (size_t)MIN(n, (int)sizeof(line) - 1),
				    MSG_DONTWAIT | MSG_NOSIGNAL);
	}

	if (log_stderr) {
		line[0] = '\n';
		/* #syscalls write writev */
		(void)!write(STDERR_FILENO, msg, len);
		(void)!write(STDERR_FILENO, line, 1);
	}
}

/**
 * log_vformat() - Format a message, appending strerror(errno) if asked
 * @buf:	Output buffer, LOG_LINE_MAX bytes
 * @with_errno:	Append ": " and the description of errno
 * @fmt:	Format
 * @ap:		Arguments
 *
 * Return: length of the message in @buf
 */
static size_t log_vformat(char *buf, bool with_errno, const char *fmt,
			  va_list ap)
{
	int errno_saved = errno;
	int n = vsnprintf(buf, LOG_LINE_MAX, fmt, ap);

	if (n < 0)
		n = 0;
	if (n >= LOG_LINE_MAX)
		n = LOG_LINE_MAX - 1;
	if (with_errno) {
		int m = snprintf(buf + n, (size_t)(LOG_LINE_MAX - n), ": %s",
				 strerror(errno_saved));

		if (m > 0)
			n = MIN(n + m, LOG_LINE_MAX - 1);
	}
	errno = errno_saved;
	return (size_t)n;
}

/**
 * logmsg() - Log a message at a priority
 * @pri:	Syslog priority (LOG_ERR ... LOG_DEBUG)
 * @with_errno:	Append strerror(errno)
 * @fmt:	Format
 */
void logmsg(int pri, bool with_errno, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	size_t n;

	if (pri > log_level)
		return;

	va_start(ap, fmt);
	n = log_vformat(buf, with_errno, fmt, ap);
	va_end(ap);
	log_emit(pri, buf, n);
}

/**
 * die_impl() - Log an error and exit with status 1
 * @with_errno:	Append strerror(errno)
 * @fmt:	Format
 */
void die_impl(bool with_errno, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = log_vformat(buf, with_errno, fmt, ap);
	va_end(ap);
	log_emit(LOG_ERR, buf, n);
	/* #syscalls exit_group */
	_exit(EXIT_FAILURE);
}

/**
 * log_print() - Print to standard output, unconditionally (help, version)
 * @fmt:	Format
 */
void log_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

/**
 * log_limit_ok() - Let through at most 5 messages a second per call site
 * @l:		Rate-limit state of the call site
 *
 * Return: true if this message may be logged
 */
bool log_limit_ok(struct log_limit *l)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != l->last) {
		if (l->dropped && log_level >= LOG_WARNING) {
			char buf[64];
			int n = snprintf(buf, sizeof(buf),
					 "(%lu similar messages suppressed)",
					 l->dropped);

			if (n > 0)
				log_emit(LOG_WARNING, buf, (size_t)n);
		}
		l->last = now.tv_sec;
		l->count = 0;
		l->dropped = 0;
	}
	if (l->count++ < 5)
		return true;
	l->dropped++;
	return false;
}
