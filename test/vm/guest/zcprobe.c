// SPDX-License-Identifier: GPL-2.0-or-later
/* zcprobe.c - MSG_ZEROCOPY completions in the VM tests' guest, through
 * SCM_ZC_NOTIFICATION (the sendmsg() control message of our test kernel,
 * test/kernel) where the kernel has it, through the error queue where not
 *
 * Usage:
 *	zcprobe probe		ask for completions on an empty UDP send:
 *				"probe supported" if the kernel answers
 *				(and says there are none), "probe
 *				unsupported" if sendmsg() fails with EINVAL
 *	zcprobe refuse		the requests a kernel with it must refuse
 *				with EINVAL: without SO_ZEROCOPY (TCP and
 *				UDP), more than ZC_NOTIFICATION_MAX
 *				entries, less room than asked for; neither
 *				they nor a good one on a send that fails
 *				take a pending completion (fails where
 *				"probe" says unsupported)
 *	zcprobe others		an ICMP error in the error queue stays
 *				there while a completion behind it is
 *				taken, and sendmmsg() answers each of its
 *				messages (fails where "probe" says
 *				unsupported)
 *	zcprobe tcp4|tcp6	SENDS MSG_ZEROCOPY sends over a loopback
 *	zcprobe udp4|udp6	TCP connection, or of datagrams to a
 *				loopback UDP socket, from BUF_N buffers,
 *				each used again only once its send has
 *				completed; a child process reads and
 *				checks every byte
 *	zcprobe tcp4mix		tcp4, asking for one entry a time, every
 *				other batch from the error queue: the
 *				two ways mixed (fails where "probe" says
 *				unsupported)
 *	zcprobe tcp4q		tcp4 through the error queue only, even
 *				where the control message works
 *
 * The stream and datagram runs take completions with the control message
 * on every send if "probe" would say supported, else from the error queue
 * (recvmsg(MSG_ERRQUEUE)), and check them: each send completes exactly
 * once, in ranges that make sense. They print
 *	NAME ok via=cmsg|errqueue|mix sends=N ids=N entries=N queued=N
 *		zerocopy=N copied=N waits=N calls=N
 * on one line (entries: completion ranges, queued: those of them that
 * came from the error queue; zerocopy and copied count sends; waits:
 * poll()s for completions when a buffer or the end needed them, calls:
 * system calls spent fetching them then), or "NAME fail: REASON". Each command
 * exits 0 only if what it printed is one of the good answers. Built
 * static into the guest's initramfs by test/vm/initramfs.sh.
 */

#define _GNU_SOURCE		/* sendmmsg() */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zc_notification.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY		60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY		0x4000000
#endif
/* The kernel's MSG_PROBE (glibc calls the bit MSG_PROXY): UDP goes through
 * the motions, control messages included, and sends nothing
 */
#define ZC_MSG_PROBE		0x10

#define SENDS		256		/* zerocopy sends in a run */
#define BUF_N		8		/* buffers, in flight at most */
#define TCP_SEND	(64 * 1024)	/* bytes a TCP send takes */
#define UDP_SEND	(32 * 1024)	/* bytes in a datagram */
#define IDS_MAX		(SENDS * 4)	/* short TCP sends take more ids */
#define WAIT_MS		20000		/* for completions, for the reader */

/* Room for the largest request, one entry too many included (refuse),
 * aligned as a cmsghdr
 */
union zc_ctl {
	char buf[CMSG_SPACE(sizeof(struct zc_info) +
			    (ZC_NOTIFICATION_MAX + 1) *
			    sizeof(struct zc_info_elem))];
	struct cmsghdr align;
};

/**
 * struct run - State of one run of zerocopy sends
 * @fd:		Sending socket
 * @cmsg:	Take completions through SCM_ZC_NOTIFICATION, else errqueue
 * @mix:	With @cmsg: ask for one entry a time, and take every other
 *		batch of completions from the error queue
 * @fetches:	Times completions were waited for (poll() calls)
 * @calls:	System calls that fetched completions: empty sendmsg()s, or
 *		recvmsg(MSG_ERRQUEUE)s, the last one of each batch included
 * @next_id:	Id the next zerocopy send gets from the kernel
 * @done:	Completed ids
 * @first_id:	For each buffer, first id of the sends from it, -1 if free
 * @last_id:	For each buffer, last id of those sends
 * @entries:	Completion entries seen (ranges)
 * @queued:	Of those, taken from the error queue
 * @zerocopy:	Sends completed without a copy
 * @copied:	Sends completed with SO_EE_CODE_ZEROCOPY_COPIED
 * @err:	Why the run failed, NULL while it hasn't
 */
struct run {
	int fd;
	int cmsg;
	int mix;
	unsigned long fetches;
	unsigned long calls;
	uint32_t next_id;
	uint8_t done[IDS_MAX];
	long first_id[BUF_N];
	long last_id[BUF_N];
	unsigned long entries;
	unsigned long queued;
	unsigned long zerocopy;
	unsigned long copied;
	const char *err;
};

static char bufs[BUF_N][TCP_SEND];

/**
 * pattern() - The byte at an offset of what a run sends
 * @o:		Offset in the stream (TCP), or datagram number times its
 *		size plus offset in it (UDP)
 *
 * Return: the byte; it differs at the same place of a buffer from one
 *	   use to the next, so that a buffer changed too early shows
 */
static uint8_t pattern(uint32_t o)
{
	return (uint8_t)(o ^ (o >> 8) ^ (o >> 16) ^ (o >> 24) ^ 0x5a);
}

/**
 * fill() - Fill a buffer with the pattern for a place in the stream
 * @b:		Buffer
 * @len:	Bytes
 * @o:		Offset of its first byte
 */
static void fill(char *b, size_t len, uint32_t o)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (char)pattern(o + (uint32_t)i);
}

/**
 * zc_request() - Put an SCM_ZC_NOTIFICATION request into a message
 * @mh:		Message, its msg_control and msg_controllen set here
 * @ctl:	Buffer for the control message
 * @size:	Entries asked for (the struct's size field)
 * @room:	Entries the message has room for (its cmsg_len)
 *
 * Return: the request's payload, in @ctl
 */
static struct zc_info *zc_request(struct msghdr *mh, union zc_ctl *ctl,
				  uint32_t size, uint32_t room)
{
	size_t len = sizeof(struct zc_info) + room * sizeof(struct zc_info_elem);
	struct cmsghdr *c;
	struct zc_info *info;

	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = CMSG_SPACE(len);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_ZC_NOTIFICATION;
	c->cmsg_len = CMSG_LEN(len);
	info = (struct zc_info *)CMSG_DATA(c);
	info->size = size;
	return info;
}

/**
 * complete() - Take one completion entry: sends lo to hi
 * @r:		Run
 * @lo:		First id
 * @hi:		Last id
 * @zerocopy:	Whether the kernel says it didn't copy
 *
 * Return: 0, -1 (and @r->err set) if the range doesn't make sense: ids
 *	   never given out, or already completed
 */
static int complete(struct run *r, uint32_t lo, uint32_t hi, int zerocopy)
{
	uint32_t id;

	r->entries++;
	if (lo > hi || hi >= r->next_id) {
		r->err = "completion range outside the ids given out";
		return -1;
	}
	for (id = lo; id <= hi; id++) {
		if (r->done[id]) {
			r->err = "a send completed twice";
			return -1;
		}
		r->done[id] = 1;
		if (zerocopy)
			r->zerocopy++;
		else
			r->copied++;
	}
	return 0;
}

/**
 * take_info() - Take the completions the kernel put into a request
 * @r:		Run
 * @info:	Payload of the request, after sendmsg() returned
 * @asked:	Entries asked for
 *
 * Return: 0, -1 on nonsense (@r->err set)
 */
static int take_info(struct run *r, const struct zc_info *info,
		     uint32_t asked)
{
	uint32_t i;

	if (info->size > asked) {
		r->err = "more entries back than asked for";
		return -1;
	}
	for (i = 0; i < info->size; i++) {
		if (complete(r, info->arr[i].lo, info->arr[i].hi,
			     info->arr[i].zerocopy))
			return -1;
	}
	return 0;
}

/**
 * take_errqueue() - Take what the error queue holds (it never blocks)
 * @r:		Run
 *
 * Return: 0, -1 on nonsense or an error (@r->err set)
 */
static int take_errqueue(struct run *r)
{
	for (;;) {
		union { char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6))];
			struct cmsghdr align; } ctl;
		struct msghdr mh = { .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		const struct sock_extended_err *ee;
		struct cmsghdr *c;

		r->calls++;
		if (recvmsg(r->fd, &mh, MSG_ERRQUEUE) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			r->err = "recvmsg(MSG_ERRQUEUE) failed";
			return -1;
		}
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (!((c->cmsg_level == SOL_IP &&
			       c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY ||
			    ee->ee_errno) {
				r->err = "not a zerocopy completion";
				return -1;
			}
			if (complete(r, ee->ee_info, ee->ee_data,
				     !(ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)))
				return -1;
			r->queued++;
		}
	}
}

/**
 * zc_sendmsg() - sendmsg() on the run's socket, taking completions with
 *		  the control message if the run does
 * @r:		Run
 * @buf:	Data, NULL for none
 * @len:	Bytes
 * @flags:	Flags for sendmsg()
 *
 * Return: what sendmsg() returned; -1 with @r->err set if the
 *	   completions made no sense
 */
static ssize_t zc_sendmsg(struct run *r, char *buf, size_t len,
			  int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = buf ? 1 : 0 };
	struct zc_info *info = NULL;
	union zc_ctl ctl;
	ssize_t n;

	uint32_t ask = r->mix ? 1 : ZC_NOTIFICATION_MAX;

	if (r->cmsg)
		info = zc_request(&mh, &ctl, ask, ask);
	n = sendmsg(r->fd, &mh, flags);
	if (n >= 0 && info && take_info(r, info, ask))
		return -1;
	return n;
}

/**
 * fetch() - Wait until completions come, take them
 * @r:		Run
 * @fetch_flags: Flags of the empty sendmsg() that fetches them with the
 *		control message: 0 for TCP, ZC_MSG_PROBE for UDP (nothing sent)
 *
 * Return: 0 if some came, -1 on a timeout or nonsense (@r->err set)
 */
static int fetch(struct run *r, int fetch_flags)
{
	struct pollfd pfd = { .fd = r->fd, .events = 0 };
	unsigned long before = r->entries;

	/* POLLERR: the error queue isn't empty */
	if (poll(&pfd, 1, WAIT_MS) <= 0 || !(pfd.revents & POLLERR)) {
		r->err = "no completion in time";
		return -1;
	}
	if (r->cmsg && !(r->mix && (r->fetches & 1))) {
		r->calls++;
		if (zc_sendmsg(r, NULL, 0, fetch_flags) < 0) {
			if (!r->err)
				r->err = "empty sendmsg() to fetch failed";
			return -1;
		}
	} else if (take_errqueue(r)) {
		return -1;
	}
	r->fetches++;
	if (r->entries == before) {
		r->err = "POLLERR but nothing to take";
		return -1;
	}
	return 0;
}

/**
 * buf_free() - Is a buffer free: did all the sends from it complete?
 * @r:		Run
 * @b:		Buffer
 *
 * Return: 1 if so
 */
static int buf_free(const struct run *r, int b)
{
	long id;

	if (r->first_id[b] < 0)
		return 1;
	for (id = r->first_id[b]; id <= r->last_id[b]; id++) {
		if (!r->done[id])
			return 0;
	}
	return 1;
}

/**
 * supported() - Does sendmsg() take SCM_ZC_NOTIFICATION here?
 *
 * An empty MSG_PROBE send (nothing goes out) on a UDP socket with
 * SO_ZEROCOPY, connected to itself, with a request for one entry: a
 * kernel with it answers, and sets the size to 0 as nothing is pending;
 * one without it refuses the unknown message.
 *
 * Return: 1 if it answered, 0 if EINVAL, -1 (with a line) on anything else
 */
static int supported(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct msghdr mh = { 0 };
	socklen_t al = sizeof(a);
	struct zc_info *info;
	union zc_ctl ctl;
	int s, one = 1, ret = -1;
	ssize_t n;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &al) ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) ||
	    setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		printf("probe fail: socket setup: %s\n", strerror(errno));
		goto out;
	}
	info = zc_request(&mh, &ctl, 1, 1);
	n = sendmsg(s, &mh, ZC_MSG_PROBE);
	if (n < 0 && errno == EINVAL) {
		ret = 0;
	} else if (n < 0) {
		printf("probe fail: sendmsg: %s\n", strerror(errno));
	} else if (info->size != 0) {
		printf("probe fail: %u entries back, none pending\n",
		       info->size);
	} else {
		ret = 1;
	}
out:
	if (s >= 0)
		close(s);
	return ret;
}

/**
 * reader() - Child: read a TCP stream or datagrams, check every byte
 * @s:		Connected stream or bound datagram socket
 * @udp:	Datagrams, each UDP_SEND bytes
 * @total:	Bytes expected
 * @out:	Pipe for the verdict: the offset of the first bad byte, or
 *		the byte count if all were good
 *
 * Return: never, exits 0 if all came and were good
 */
static void reader(int s, int udp, uint32_t total, int out)
{
	static char b[65536];
	uint32_t got = 0, bad = UINT32_MAX;

	alarm(WAIT_MS / 1000 * 2);
	while (got < total) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		ssize_t n, i;

		if (poll(&pfd, 1, WAIT_MS) <= 0)
			break;
		n = recv(s, b, sizeof(b), 0);
		if (n <= 0)
			break;
		if (udp && n != (ssize_t)UDP_SEND) {
			bad = got;
			break;
		}
		for (i = 0; i < n && bad == UINT32_MAX; i++) {
			if ((uint8_t)b[i] != pattern(got + (uint32_t)i))
				bad = got + (uint32_t)i;
		}
		if (bad != UINT32_MAX)
			break;
		got += (uint32_t)n;
	}
	if (bad == UINT32_MAX)
		bad = got;
	if (write(out, &bad, sizeof(bad)) != sizeof(bad))
		_exit(1);
	_exit(bad == total ? 0 : 1);
}

/**
 * run_sends() - Zerocopy sends of the whole pattern, buffers used again
 *		 only once completed, then wait for every completion
 * @r:		Run, socket connected
 * @udp:	Datagrams (each send whole), else a stream
 *
 * Return: 0, -1 with @r->err set
 */
static int run_sends(struct run *r, int udp)
{
	size_t chunk = udp ? UDP_SEND : TCP_SEND;
	int fetch_flags = udp ? ZC_MSG_PROBE : 0;
	uint32_t id;
	int i, b;

	for (b = 0; b < BUF_N; b++)
		r->first_id[b] = -1;

	for (i = 0; i < SENDS; i++) {
		size_t off = 0;

		b = i % BUF_N;
		while (!buf_free(r, b)) {
			if (fetch(r, fetch_flags))
				return -1;
		}
		fill(bufs[b], chunk, (uint32_t)(i * chunk));
		r->first_id[b] = r->next_id;
		while (off < chunk) {
			ssize_t n;

			if (r->next_id >= IDS_MAX) {
				r->err = "too many short sends";
				return -1;
			}
			/* The kernel numbers the send before any completion
			 * of it can come back: count it first
			 */
			r->next_id++;
			n = zc_sendmsg(r, bufs[b] + off, chunk - off,
				       MSG_ZEROCOPY);
			if (n <= 0) {
				if (!r->err)
					r->err = "zerocopy send failed";
				return -1;
			}
			off += (size_t)n;
			if (udp && off != chunk) {
				r->err = "short datagram";
				return -1;
			}
		}
		r->last_id[b] = r->next_id - 1;
	}

	for (id = 0; id < r->next_id; id++) {
		while (!r->done[id]) {
			if (fetch(r, fetch_flags))
				return -1;
		}
	}
	return 0;
}

/**
 * run() - One run over loopback, with a child reading
 * @name:	tcp4, tcp6, udp4 or udp6, or tcp4mix (see struct run), or
 *		tcp4q (error queue only)
 * @cmsg:	Take completions with SCM_ZC_NOTIFICATION
 *
 * Return: 0 if it all worked
 */
static int run(const char *name, int cmsg)
{
	int udp = name[0] == 'u', v6 = name[3] == '6';
	uint32_t total = SENDS * (udp ? UDP_SEND : TCP_SEND), verdict = 0;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	socklen_t sl = v6 ? sizeof(*a6) : sizeof(*a4);
	int af = v6 ? AF_INET6 : AF_INET, one = 1, big = 4 << 20;
	int l = -1, rd = -1, status = 0, p[2] = { -1, -1 }, ret = 1;
	static struct run r;
	pid_t child = -1;

	memset(&r, 0, sizeof(r));
	r.fd = -1;
	r.cmsg = cmsg && strcmp(name, "tcp4q") != 0;
	r.mix = !strcmp(name, "tcp4mix");
	if (r.mix && !cmsg) {
		printf("%s fail: no SCM_ZC_NOTIFICATION here\n", name);
		return 1;
	}
	ss.ss_family = (sa_family_t)af;
	if (v6)
		a6->sin6_addr = in6addr_loopback;
	else
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	l = socket(af, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	r.fd = socket(af, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (l < 0 || r.fd < 0 || pipe(p) ||
	    (udp && setsockopt(l, SOL_SOCKET, SO_RCVBUFFORCE, &big,
			       sizeof(big))) ||
	    bind(l, (struct sockaddr *)&ss, sl) ||
	    getsockname(l, (struct sockaddr *)&ss, &sl) ||
	    (!udp && listen(l, 1)) ||
	    setsockopt(r.fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) ||
	    connect(r.fd, (struct sockaddr *)&ss, sl)) {
		printf("%s fail: socket setup: %s\n", name, strerror(errno));
		goto out;
	}
	if (udp) {
		rd = l;
		l = -1;
	} else if ((rd = accept(l, NULL, NULL)) < 0) {
		printf("%s fail: accept: %s\n", name, strerror(errno));
		goto out;
	}

	child = fork();
	if (child < 0) {
		printf("%s fail: fork: %s\n", name, strerror(errno));
		goto out;
	}
	if (child == 0) {
		close(r.fd);
		close(p[0]);
		reader(rd, udp, total, p[1]);
	}
	close(rd);
	rd = -1;
	/* A reader that dies leaves the pipe without a writer */
	close(p[1]);
	p[1] = -1;

	if (run_sends(&r, udp)) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		/* A reader that found a bad byte left: that's the reason */
		if (poll(&pfd, 1, 1000) == 1 &&
		    read(p[0], &verdict, sizeof(verdict)) == sizeof(verdict) &&
		    verdict != total)
			printf("%s fail: %s, reader: bad or missing byte at %u of %u\n",
			       name, r.err, verdict, total);
		else
			printf("%s fail: %s\n", name, r.err);
		goto out;
	}
	if (!udp)
		shutdown(r.fd, SHUT_WR);
	if (read(p[0], &verdict, sizeof(verdict)) != sizeof(verdict) ||
	    waitpid(child, &status, 0) != child) {
		printf("%s fail: no verdict from the reader\n", name);
		goto out;
	}
	child = -1;
	if (verdict != total || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("%s fail: reader: bad or missing byte at %u of %u\n",
		       name, verdict, total);
		goto out;
	}
	/* Everything came through the control message: nothing left */
	if (r.cmsg) {
		char c;

		if (recv(r.fd, &c, 1, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0 ||
		    errno != EAGAIN) {
			printf("%s fail: error queue not empty\n", name);
			goto out;
		}
	}
	printf("%s ok via=%s sends=%d ids=%u entries=%lu queued=%lu zerocopy=%lu copied=%lu waits=%lu calls=%lu\n",
	       name, r.mix ? "mix" : r.cmsg ? "cmsg" : "errqueue", SENDS,
	       r.next_id, r.entries, r.queued, r.zerocopy, r.copied,
	       r.fetches, r.calls);
	ret = 0;

out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (r.fd >= 0)
		close(r.fd);
	if (l >= 0)
		close(l);
	if (rd >= 0)
		close(rd);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return ret;
}

/**
 * refused() - Is this request refused with EINVAL?
 * @s:		Socket, connected
 * @size:	Entries asked for
 * @room:	Entries the message has room for
 *
 * Return: 1 if sendmsg() failed with EINVAL
 */
static int refused(int s, uint32_t size, uint32_t room)
{
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union zc_ctl ctl;

	zc_request(&mh, &ctl, size, room);
	return sendmsg(s, &mh, 0) < 0 && errno == EINVAL;
}

/**
 * pend_one() - Make one zerocopy completion wait in the error queue
 * @t:		TCP socket with SO_ZEROCOPY, nothing sent with it before
 * @rd:		The other end, read here
 *
 * Return: 0 once the completion is there, -1 if it didn't come
 */
static int pend_one(int t, int rd)
{
	struct pollfd pfd = { .fd = t, .events = 0 };
	static char zbuf[4096], sink[8192];
	size_t got = 0;

	memset(zbuf, 'z', sizeof(zbuf));
	if (send(t, zbuf, sizeof(zbuf), MSG_ZEROCOPY) != sizeof(zbuf))
		return -1;
	while (got < sizeof(zbuf)) {
		ssize_t n = recv(rd, sink, sizeof(sink), 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	if (poll(&pfd, 1, WAIT_MS) != 1 || !(pfd.revents & POLLERR))
		return -1;
	return 0;
}

/**
 * send_fails() - Does a send with a good request fail on this socket?
 * @t:		TCP socket with SO_ZEROCOPY, shut down for writing
 *
 * Return: 1 if sendmsg() failed
 */
static int send_fails(int t)
{
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union zc_ctl ctl;

	zc_request(&mh, &ctl, ZC_NOTIFICATION_MAX, ZC_NOTIFICATION_MAX);
	return sendmsg(t, &mh, 0) < 0;
}

/**
 * still_pending() - Is pend_one()'s completion still in the error queue?
 * @t:		Its socket
 *
 * Return: 1 if the error queue holds just that one, for send 0
 */
static int still_pending(int t)
{
	static struct run r;

	memset(&r, 0, sizeof(r));
	r.fd = t;
	r.next_id = 1;
	return !take_errqueue(&r) && r.entries == 1 && r.done[0];
}

/**
 * refuse() - The requests a kernel with SCM_ZC_NOTIFICATION must refuse,
 *	      and a failed send, all with a completion pending that none of
 *	      them may take
 *
 * Return: 0 if all were refused with EINVAL, the send failed, and the
 *	   completion stayed
 */
static int refuse(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l, t, u, rd, one = 1, bad = 0;
	socklen_t al = sizeof(a);

	l = socket(AF_INET, SOCK_STREAM, 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (l < 0 || t < 0 || u < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(l, (struct sockaddr *)&a, &al) || listen(l, 1) ||
	    connect(t, (struct sockaddr *)&a, sizeof(a)) ||
	    (rd = accept(l, NULL, NULL)) < 0 ||
	    bind(u, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(u, (struct sockaddr *)&a, &al) ||
	    connect(u, (struct sockaddr *)&a, sizeof(a))) {
		printf("refuse fail: socket setup: %s\n", strerror(errno));
		return 1;
	}

	if (!refused(t, 1, 1)) {
		printf("refuse fail: TCP without SO_ZEROCOPY taken\n");
		bad = 1;
	}
	if (!refused(u, 1, 1)) {
		printf("refuse fail: UDP without SO_ZEROCOPY taken\n");
		bad = 1;
	}
	if (setsockopt(t, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		printf("refuse fail: SO_ZEROCOPY: %s\n", strerror(errno));
		return 1;
	}
	if (pend_one(t, rd)) {
		printf("refuse fail: no completion for a zerocopy send\n");
		return 1;
	}
	if (!refused(t, ZC_NOTIFICATION_MAX + 1, ZC_NOTIFICATION_MAX + 1)) {
		printf("refuse fail: %d entries taken\n",
		       ZC_NOTIFICATION_MAX + 1);
		bad = 1;
	}
	if (!refused(t, 4, 2)) {
		printf("refuse fail: room for 2 entries, 4 asked, taken\n");
		bad = 1;
	}
	/* A good request on a send that fails (EPIPE) takes nothing either */
	if (shutdown(t, SHUT_WR) || !send_fails(t)) {
		printf("refuse fail: send after shutdown() didn't fail\n");
		bad = 1;
	}
	if (!still_pending(t)) {
		printf("refuse fail: refused or failed sends took the completion\n");
		bad = 1;
	}
	close(rd);
	close(t);
	close(u);
	close(l);
	if (!bad)
		printf("refuse ok\n");
	return bad;
}

/**
 * udp_sock() - A UDP socket on 127.0.0.1, its address
 * @a:		Its address, set here
 * @zc:		Set SO_ZEROCOPY and IP_RECVERR on it
 *
 * Return: the socket, -1 on failure
 */
static int udp_sock(struct sockaddr_in *a, int zc)
{
	socklen_t al = sizeof(*a);
	int s, one = 1;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(s, (struct sockaddr *)a, &al) ||
	    (zc && (setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) ||
		    setsockopt(s, SOL_IP, IP_RECVERR, &one, sizeof(one))))) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * zc_to() - A zerocopy datagram, read at once by its receiver: once read,
 *	     its completion is in the sender's error queue
 * @s:		Sender, with SO_ZEROCOPY
 * @to:		Receiver's address
 * @rcv:	Receiver
 *
 * Return: 0 if it went and was read
 */
static int zc_to(int s, const struct sockaddr_in *to, int rcv)
{
	static char d[1024];
	struct pollfd pfd = { .fd = rcv, .events = POLLIN };

	if (sendto(s, d, sizeof(d), MSG_ZEROCOPY, (const struct sockaddr *)to,
		   sizeof(*to)) != sizeof(d))
		return -1;
	if (poll(&pfd, 1, WAIT_MS) != 1 ||
	    recv(rcv, d, sizeof(d), 0) != sizeof(d))
		return -1;
	return 0;
}

/**
 * others() - What else shares the error queue stays, sendmmsg() answers
 *	      each of its messages
 *
 * A UDP socket with IP_RECVERR gets an ICMP port unreachable into its
 * error queue (a datagram to a closed loopback port), then a completion
 * behind it: an empty send with a request takes the completion, and the
 * ICMP error is then still there, alone. Another socket has two
 * completions pending, and one sendmmsg() of two empty messages, each
 * asking for one entry: between them, both sends completed, once.
 *
 * Return: 0 if so
 */
static int others(void)
{
	struct sockaddr_in dead, live, me, me2;
	struct mmsghdr mm[2] = { 0 };
	union zc_ctl ctl, ctl2[2];
	struct msghdr mh = { 0 };
	struct zc_info *info, *in2[2];
	int closed, rcv, u, u2, i;
	static struct run r;

	closed = udp_sock(&dead, 0);
	rcv = udp_sock(&live, 0);
	u = udp_sock(&me, 1);
	u2 = udp_sock(&me2, 1);
	if (closed < 0 || rcv < 0 || u < 0 || u2 < 0) {
		printf("others fail: socket setup: %s\n", strerror(errno));
		return 1;
	}
	close(closed);

	if (sendto(u, "x", 1, 0, (struct sockaddr *)&dead, sizeof(dead)) != 1) {
		printf("others fail: datagram to a closed port\n");
		return 1;
	}
	/* The error is reported by the next send that allocates: use it */
	for (i = 0; i < 3; i++) {
		if (!zc_to(u, &live, rcv))
			break;
	}
	if (i == 3) {
		printf("others fail: zerocopy send after the ICMP error\n");
		return 1;
	}

	mh.msg_name = &live;
	mh.msg_namelen = sizeof(live);
	info = zc_request(&mh, &ctl, ZC_NOTIFICATION_MAX, ZC_NOTIFICATION_MAX);
	memset(&r, 0, sizeof(r));
	r.fd = u;
	r.next_id = 1;
	if (sendmsg(u, &mh, ZC_MSG_PROBE) < 0) {
		printf("others fail: fetch: %s\n", strerror(errno));
		return 1;
	}
	if (take_info(&r, info, ZC_NOTIFICATION_MAX) || !r.done[0]) {
		printf("others fail: completion not taken past the ICMP error: %s\n",
		       r.err ? r.err : "none");
		return 1;
	}
	{
		char cbuf[512];
		struct msghdr eh = { .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		const struct sock_extended_err *ee = NULL;
		struct cmsghdr *c;
		char b;

		if (recvmsg(u, &eh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			printf("others fail: ICMP error gone from the queue\n");
			return 1;
		}
		for (c = CMSG_FIRSTHDR(&eh); c; c = CMSG_NXTHDR(&eh, c)) {
			if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR)
				ee = (const struct sock_extended_err *)CMSG_DATA(c);
		}
		if (!ee || ee->ee_origin != SO_EE_ORIGIN_ICMP ||
		    ee->ee_errno != ECONNREFUSED) {
			printf("others fail: first queued entry isn't the ICMP error\n");
			return 1;
		}
		if (recv(u, &b, 1, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0 ||
		    errno != EAGAIN) {
			printf("others fail: more than the ICMP error left\n");
			return 1;
		}
	}

	/* sendmmsg(): two completions, two messages asking for one each */
	for (i = 0; i < 2; i++) {
		if (zc_to(u2, &live, rcv)) {
			printf("others fail: zerocopy sends for sendmmsg()\n");
			return 1;
		}
	}
	for (i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = &live;
		mm[i].msg_hdr.msg_namelen = sizeof(live);
		in2[i] = zc_request(&mm[i].msg_hdr, &ctl2[i], 1, 1);
		/* Nonsense, unless the kernel writes over it */
		in2[i]->arr[0].lo = UINT32_MAX;
		in2[i]->arr[0].hi = UINT32_MAX;
	}
	if (sendmmsg(u2, mm, 2, ZC_MSG_PROBE) != 2) {
		printf("others fail: sendmmsg(): %s\n", strerror(errno));
		return 1;
	}
	memset(&r, 0, sizeof(r));
	r.fd = u2;
	r.next_id = 2;
	for (i = 0; i < 2; i++) {
		if (take_info(&r, in2[i], 1)) {
			printf("others fail: sendmmsg() message %d: %s\n", i, r.err);
			return 1;
		}
	}
	if (!r.done[0] || !r.done[1]) {
		printf("others fail: sendmmsg() brought %lu entries, not both sends\n",
		       r.entries);
		return 1;
	}
	printf("others ok sendmmsg-entries=%lu\n", r.entries);

	/* Left open on failures above: the process ends right after */
	close(rcv);
	close(u);
	close(u2);
	return 0;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Command and its arguments
 *
 * Return: 0 if what was asked for worked, 1 if not, 2 on bad usage
 */
int main(int argc, char **argv)
{
	int ret = 2, sup;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A reader gone early: the send fails, rather than kill us */
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2)
		goto usage;

	sup = supported();
	if (!strcmp(argv[1], "probe")) {
		if (sup >= 0)
			printf("probe %s\n", sup ? "supported" : "unsupported");
		return sup < 0;
	}
	if (sup < 0)
		return 1;
	if (!strcmp(argv[1], "others")) {
		if (!sup) {
			printf("others fail: no SCM_ZC_NOTIFICATION here\n");
			return 1;
		}
		return others();
	}
	if (!strcmp(argv[1], "refuse")) {
		/* Where everything is refused, refusing proves nothing */
		if (!sup) {
			printf("refuse fail: no SCM_ZC_NOTIFICATION here\n");
			return 1;
		}
		return refuse();
	}
	if (!strcmp(argv[1], "tcp4") || !strcmp(argv[1], "tcp6") ||
	    !strcmp(argv[1], "udp4") || !strcmp(argv[1], "udp6") ||
	    !strcmp(argv[1], "tcp4mix") || !strcmp(argv[1], "tcp4q"))
		return run(argv[1], sup);
usage:
	fprintf(stderr, "Usage: zcprobe probe|refuse|others|tcp4|tcp6|udp4|udp6|tcp4mix|tcp4q\n");
	return ret;
}
