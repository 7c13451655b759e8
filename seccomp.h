/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.h - the system call filter, built from the #syscalls comments
 *
 * Not to be confused with libseccomp's <seccomp.h>, which seccomp.c uses
 */

#ifndef SECCOMP_H
#define SECCOMP_H

#include "ctx.h"

void seccomp_install(const struct ctx *c);
void seccomp_print(const struct ctx *c);

#endif /* SECCOMP_H */
