/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - logging to stderr, the system logger or a size-limited file */

#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <syslog.h>
#include <time.h>

#define LOG_SIZE_DEFAULT	(1024UL * 1024)
#define LOG_SIZE_MIN		(64UL * 1024)

/* LOG_DEBUG + 1: --trace */
#define LOG_TRACE		(LOG_DEBUG + 1)

void logmsg(int pri, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
__attribute__((noreturn))
void die_impl(bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define err(...)		logmsg(LOG_ERR, false, __VA_ARGS__)
#define warn(...)		logmsg(LOG_WARNING, false, __VA_ARGS__)
#define notice(...)		logmsg(LOG_NOTICE, false, __VA_ARGS__)
#define info(...)		logmsg(LOG_INFO, false, __VA_ARGS__)
#define debug(...)							\
	do {								\
		if (log_level >= LOG_DEBUG)				\
			logmsg(LOG_DEBUG, false, __VA_ARGS__);		\
	} while (0)
#define trace(...)							\
	do {								\
		if (log_level >= LOG_TRACE)				\
			logmsg(LOG_DEBUG, false, __VA_ARGS__);		\
	} while (0)

/* The _perror variants append ": " and strerror(errno) */
#define err_perror(...)		logmsg(LOG_ERR, true, __VA_ARGS__)
#define warn_perror(...)	logmsg(LOG_WARNING, true, __VA_ARGS__)
#define debug_perror(...)						\
	do {								\
		if (log_level >= LOG_DEBUG)				\
			logmsg(LOG_DEBUG, true, __VA_ARGS__);		\
	} while (0)
#define die(...)		die_impl(false, __VA_ARGS__)
#define die_perror(...)		die_impl(true, __VA_ARGS__)

/**
 * struct log_limit - Rate limit for messages a guest can trigger repeatedly
 * @last:	Second of the last message let through
 * @count:	Messages let through in that second
 * @dropped:	Messages suppressed since the last one let through
 */
struct log_limit {
	time_t last;
	unsigned count;
	unsigned long dropped;
};

bool log_limit_ok(struct log_limit *l);

/**
 * warn_ratelimit() - warn() at most a few times a second per call site
 */
#define warn_ratelimit(...)						\
	do {								\
		static struct log_limit log_limit_;			\
		if (log_limit_ok(&log_limit_))				\
			logmsg(LOG_WARNING, false, __VA_ARGS__);	\
	} while (0)

extern int log_level;

void log_init(const char *ident);
void log_set_level(int level);
void log_to_stderr(bool on);
void log_to_syslog(bool on);
int log_open_file(const char *path, size_t size);
void log_pid_update(pid_t pid);
bool log_has_file(void);
void log_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LOG_H */
