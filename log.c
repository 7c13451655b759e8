// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - logging to stderr, the system logger or a size-limited file
 *
 * Theory of operation: every message goes to at most three sinks, each
 * switched on by the start-up code: stderr (foreground runs), the system
 * logger over a datagram socket to /dev/log (background runs without a
 * log file), and a log file. Logging must never take the daemon down: a
 * missing system logger is noticed once and then ignored, and a full log
 * file is trimmed in place, so it never grows beyond --log-size.
 *
 * The log file starts with a header line: program, version, executable,
 * start time and pid. It has a fixed length, so that log_pid_update() can
 * rewrite it in place once the daemon forked to the background (the file
 * is opened before that). When the next line wouldn't fit, the file is
 * trimmed: the header stays as it is, and the newest lines that fill at
 * least half of the limit, from the start of a line, are copied up behind
 * it. The copy uses pread() and pwrite() only, so it works the same on
 * any file system. A log "file" that can't seek (a pipe, a terminal) is
 * written to, never trimmed.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "util.h"
#include "log.h"

#define LOG_LINE_MAX		1024
#define LOG_HEADER_MAX		(PATH_MAX + 128)
#define LOG_PID_DIGITS		7	/* pid_max is at most 2^22 */

int log_level = LOG_INFO;

static const char *log_ident = "passt";
static bool log_stderr = true;
static bool log_syslog;
static int log_syslog_fd = -1;
static int log_file_fd = -1;
static bool log_file_seekable;
static size_t log_file_size;
static size_t log_file_written;
static struct timespec log_start;

static char log_header[LOG_HEADER_MAX];
static size_t log_header_len;		/* fixed once the file is open */

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

		/* #syscalls:setup socket connect */
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
 * log_header_fmt() - Format the header line of the log file for a pid
 * @pid:	Process ID to name
 *
 * The header names the program, its version, the executable and the pid;
 * the pid goes last and is padded with spaces to LOG_PID_DIGITS, so the
 * line has the same length whatever the pid is.
 */
static void log_header_fmt(pid_t pid)
{
	/* Set once, by log_open_file(), as the header's text up to the pid */
	static char prefix[LOG_HEADER_MAX - LOG_PID_DIGITS - 2];
	int n;

	if (!log_header_len) {
		char exe[PATH_MAX] = "(unknown executable)", when[32] = "?";
		struct timespec ts;
		struct tm tm;
		ssize_t len;

		/* #syscalls:setup readlink readlinkat */
		len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (len > 0)
			exe[len] = '\0';
		clock_gettime(CLOCK_REALTIME, &ts);
		if (gmtime_r(&ts.tv_sec, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
				 &tm);
		n = snprintf(prefix, sizeof(prefix),
			     "%s %s log: executable %s, started %s, pid ",
			     log_ident, VERSION, exe, when);
		if (n < 0)
			n = 0;
		log_header_len = MIN((size_t)n, sizeof(prefix) - 1) +
				 LOG_PID_DIGITS + 1;
	}

	n = snprintf(log_header, sizeof(log_header), "%s%d", prefix, (int)pid);
	if (n < 0)
		n = 0;
	/* Pad to the fixed length, then the newline ends it */
	if ((size_t)n < log_header_len - 1)
		memset(log_header + n, ' ', log_header_len - 1 - (size_t)n);
	log_header[log_header_len - 1] = '\n';
}

/**
 * log_header_write() - Write the header line at the start of the log file
 *
 * Return: true on success
 */
static bool log_header_write(pid_t pid)
{
	/* #syscalls pwrite64 */
	log_header_fmt(pid);
	return pwrite(log_file_fd, log_header, log_header_len, 0) ==
	       (ssize_t)log_header_len;
}

/**
 * log_pid_update() - Name the process that logs now in the file's header
 * @pid:	Its pid, as seen from where the daemon was started (a daemon
 *		in a PID namespace of its own is 1 to itself)
 *
 * For the process that goes on logging after a fork to the background:
 * the header keeps its length, so it's rewritten in place.
 */
void log_pid_update(pid_t pid)
{
	if (log_file_fd >= 0 && log_file_seekable)
		(void)log_header_write(pid);
}

/**
 * log_open_file() - Log (only) to a file, trimmed to at most @size bytes
 * @path:	File path, created or truncated
 * @size:	Size limit in bytes, at least LOG_SIZE_MIN
 *
 * Return: 0 on success, -errno on failure
 */
int log_open_file(const char *path, size_t size)
{
	struct stat st;
	int fd;

	/* Read and write: trimming reads the newer lines back */
	/* #syscalls:setup open openat fstat newfstatat */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (log_file_fd >= 0)
		close(log_file_fd);
	log_file_fd = fd;
	log_file_size = MAX(size, LOG_SIZE_MIN);
	log_file_written = 0;
	log_file_seekable = !fstat(fd, &st) && S_ISREG(st.st_mode);
	log_header_len = 0;

	if (!log_file_seekable) {
		log_header_fmt(getpid());
		/* #syscalls:setup write */
		(void)!write(fd, log_header, log_header_len);
		return 0;
	}
	if (!log_header_write(getpid())) {
		int e = errno;

		close(fd);
		log_file_fd = -1;
		return -e;
	}
	log_file_written = log_header_len;
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
 * log_file_trim() - Keep the header and the newest half of a full file
 *
 * Copies the newest lines that fill at least half of the size limit,
 * starting at a line boundary, to just behind the header, and truncates
 * the rest: bounded work, no allocation. If reading or writing fails,
 * only the header is kept, so the file still never outgrows the limit.
 */
static void log_file_trim(void)
{
	off_t hdr = (off_t)log_header_len, end = (off_t)log_file_written;
	size_t keep = log_file_size / 2 - MIN(log_file_size / 2,
					       log_header_len);
	off_t from = MAX(end - (off_t)keep, hdr), to = hdr;
	char buf[4096];
	ssize_t n;

	/* Back to the start of the line @from is in: a line fits in @buf */
	/* #syscalls pread64 pwrite64 ftruncate */
	if (from > hdr) {
		size_t win = (size_t)MIN((off_t)sizeof(buf), from - hdr);
		const char *nl;

		if (pread(log_file_fd, buf, win, from - (off_t)win) !=
		    (ssize_t)win)
			goto fail;
		nl = memrchr(buf, '\n', win);
		from = nl ? from - (off_t)win + (nl - buf) + 1 :
			    from - (off_t)win;
	}

	while (from < end) {
		n = pread(log_file_fd, buf,
			  (size_t)MIN((off_t)sizeof(buf), end - from), from);
		if (n <= 0 || pwrite(log_file_fd, buf, (size_t)n, to) != n)
			goto fail;
		from += n;
		to += n;
	}
	if (ftruncate(log_file_fd, to))
		goto fail;
	log_file_written = (size_t)to;
	return;

fail:
	/* Nobody to tell: start again behind the header */
	(void)!ftruncate(log_file_fd, hdr);
	log_file_written = (size_t)hdr;
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
		if (n <= 0)
			return;
		n = MIN(n, (int)sizeof(line) - 1);
		if (!log_file_seekable) {
			/* #syscalls write */
			(void)!write(log_file_fd, line, (size_t)n);
			return;
		}
		if (log_file_written + (size_t)n > log_file_size)
			log_file_trim();
		/* #syscalls pwrite64 */
		if (pwrite(log_file_fd, line, (size_t)n,
			   (off_t)log_file_written) == n)
			log_file_written += (size_t)n;
		return;
	}

	if (log_syslog && log_syslog_fd >= 0) {
		/* #syscalls getpid */
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
