/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - giving up what the daemon doesn't need once it runs */

#ifndef ISOLATION_H
#define ISOLATION_H

#include "ctx.h"

#include <stdbool.h>
#include <sys/types.h>

void isolate_initial(const struct ctx *c);
void isolate_prefork(const struct ctx *c, bool daemon);
pid_t isolate_outer_pid(void);
void isolate_postfork(struct ctx *c, bool runas_given);

#endif /* ISOLATION_H */
