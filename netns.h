/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.h - running a function inside another network namespace */

#ifndef NETNS_H
#define NETNS_H

int ns_call(int netns_fd, int (*fn)(void *arg), void *arg);
int ns_enter_check(int netns_fd, const char **step);
int ns_worker_start(int netns_fd);
int ns_worker_run(int (*fn)(void *arg), void *arg);

#endif /* NETNS_H */
