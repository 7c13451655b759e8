// SPDX-License-Identifier: GPL-2.0-or-later
/* crr.c - TCP connect, request, response, close: connections per second
 *
 * Usage: crr server ADDR PORT [LIFETIME]
 *        crr client ADDR PORT SECONDS
 *
 * Theory of operation
 * -------------------
 * The benchmark (test/bench/run) wants the rate at which a translator sets
 * up and tears down TCP connections, and a Python loop costs about as much
 * CPU per connection as the kernel's veth path does: this client's own
 * overhead is a few system calls per connection, so the figure is the
 * path's, not the client's.
 *
 * The client opens one connection at a time, writes a request of MSG_LEN
 * bytes, reads the reply of MSG_LEN bytes and then end-of-file, and closes:
 * the server closes first after its reply, so TIME_WAIT sockets stay on
 * the server's side and the client's ephemeral ports are not used up. It
 * stops after SECONDS and prints one line of JSON: connections completed,
 * errors (with the last one), the time taken, and the 50th and 99th
 * percentile of one connection's duration, in microseconds.
 *
 * The server handles one connection at a time, which is all the client
 * asks for, and exits after LIFETIME seconds (default 600) in any case.
 * Every blocking call has a timeout of IO_TIMEOUT_S seconds.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MSG_LEN		64
#define IO_TIMEOUT_S	5
#define MAX_SAMPLES	(1 << 20)	/* durations kept for percentiles */

static uint32_t samples[MAX_SAMPLES];	/* microseconds, one per connection */

/**
 * now_s() - Monotonic time
 *
 * Return: seconds, with nanosecond resolution
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * set_timeouts() - Bound blocking sends, receives (and connect) on a socket
 * @s:		Socket
 */
static void set_timeouts(int s)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/**
 * parse_addr() - IPv4 address and port from the command line
 * @addr:	Dotted quad
 * @port:	Port number, decimal
 * @sa:		Filled in
 *
 * Return: 0 on success, -1 with a message on bad input
 */
static int parse_addr(const char *addr, const char *port,
		      struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p < 1 || p > 65535) {
		fprintf(stderr, "crr: bad port: %s\n", port);
		return -1;
	}
	sa->sin_port = htons((uint16_t)p);
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
		fprintf(stderr, "crr: bad IPv4 address: %s\n", addr);
		return -1;
	}
	return 0;
}

/**
 * read_full() - Read exactly len bytes, or up to end-of-file
 * @s:		Socket
 * @buf:	Buffer
 * @len:	Bytes wanted
 *
 * Return: bytes read, -1 on error (errno set)
 */
static ssize_t read_full(int s, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(s, buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

/**
 * server() - Accept loop: read a request, send the reply, close
 * @sa:		Address to listen on
 * @lifetime:	Exit after this many seconds
 *
 * Return: 0 at the end of the lifetime, 1 on a set-up error
 */
static int server(const struct sockaddr_in *sa, unsigned lifetime)
{
	char buf[MSG_LEN] = { 0 };
	int one = 1, l;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(l, 1024)) {
		perror("crr: listening socket");
		return 1;
	}
	alarm(lifetime);	/* SIGALRM ends us: no cleanup needed */

	for (;;) {
		int c = accept(l, NULL, NULL);

		if (c < 0)
			continue;
		set_timeouts(c);
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (read_full(c, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
			send(c, buf, sizeof(buf), MSG_NOSIGNAL);
		close(c);
	}
}

/**
 * cmp_u32() - qsort() comparison of two uint32_t
 * @a:		First
 * @b:		Second
 *
 * Return: <0, 0, >0
 */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/**
 * client() - Sequential short connections for a while, JSON summary
 * @sa:		Server address
 * @seconds:	How long to keep connecting
 *
 * Return: 0 if at least one connection completed, 1 otherwise
 */
static int client(const struct sockaddr_in *sa, double seconds)
{
	char req[MSG_LEN], rep[MSG_LEN + 1];
	unsigned long ok = 0, err = 0, n = 0;
	char last[128] = "";
	double t0 = now_s(), t = t0, p50 = 0, p99 = 0;
	int one = 1;

	memset(req, 'q', sizeof(req));
	while (t - t0 < seconds) {
		double c0 = t;
		const char *what = NULL;
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0) {
			what = "socket";
		} else {
			set_timeouts(s);
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			if (connect(s, (const struct sockaddr *)sa,
				    sizeof(*sa)))
				what = "connect";
			else if (send(s, req, sizeof(req), MSG_NOSIGNAL) !=
				 (ssize_t)sizeof(req))
				what = "send";
			else if (read_full(s, rep, sizeof(rep)) != MSG_LEN)
				what = "reply";	/* 64 bytes, then EOF */
		}
		if (what) {
			snprintf(last, sizeof(last), "%s: %s", what,
				 errno ? strerror(errno) : "short");
			err++;
		}
		if (s >= 0)
			close(s);
		t = now_s();
		if (!what) {
			ok++;
			if (n < MAX_SAMPLES)
				samples[n++] = (uint32_t)((t - c0) * 1e6);
		}
		errno = 0;
	}

	if (n) {
		qsort(samples, n, sizeof(samples[0]), cmp_u32);
		p50 = samples[n / 2];
		p99 = samples[(n * 99) / 100];
	}
	printf("{\"ok\": %lu, \"err\": %lu, \"elapsed\": %.6f, "
	       "\"p50_us\": %.0f, \"p99_us\": %.0f, \"last_error\": \"%s\"}\n",
	       ok, err, t - t0, p50, p99, last);
	return !ok;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	crr server ADDR PORT [LIFETIME] | crr client ADDR PORT SECONDS
 *
 * Return: 0 on success, 1 on failure, 2 on usage error
 */
int main(int argc, char **argv)
{
	struct sockaddr_in sa;

	if (argc >= 4 && argc <= 5 && !strcmp(argv[1], "server")) {
		if (parse_addr(argv[2], argv[3], &sa))
			return 2;
		return server(&sa, argc == 5 ? (unsigned)atoi(argv[4]) : 600);
	}
	if (argc == 5 && !strcmp(argv[1], "client")) {
		double sec = atof(argv[4]);

		if (parse_addr(argv[2], argv[3], &sa))
			return 2;
		if (sec <= 0 || sec > 3600) {
			fprintf(stderr, "crr: bad duration: %s\n", argv[4]);
			return 2;
		}
		return client(&sa, sec);
	}
	fprintf(stderr, "Usage: %s server ADDR PORT [LIFETIME]\n"
			"       %s client ADDR PORT SECONDS\n", argv[0], argv[0]);
	return 2;
}
