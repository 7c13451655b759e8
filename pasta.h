/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - network (and user) namespaces for pasta: create, join, watch */

#ifndef PASTA_H
#define PASTA_H

#include "ctx.h"
#include "epoll_ref.h"

void pasta_start_ns(struct ctx *c);
void pasta_open_ns(struct ctx *c);
void pasta_tap_open(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_child_go(struct ctx *c);
void pasta_netns_quit_init(struct ctx *c);
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref);
int pasta_child_handler(struct ctx *c);

#endif /* PASTA_H */
