// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp.c - the system call filter, built from the #syscalls comments
 *
 * Theory of operation
 *
 * Right before the event loop starts, set-up is done, and the daemon gives
 * up every system call it has no more use for: a seccomp filter, loaded
 * with libseccomp under no_new_privs, allows the run-time system calls of
 * the mode we run in (pasta or passt) and kills the whole process, with
 * SIGSYS, on any other. Arguments are not looked at, but for the few
 * calls in seccomp_narrow: mmap, for vhost-user's guest memory, only makes
 * shared mappings, never executable ones, never at a fixed address (over
 * what is mapped already), and mprotect isn't allowed at all, so no code
 * can be mapped or written at run time.
 *
 * The allow-list is built from the code, so that a new system call can't
 * be forgotten. Next to each system call it makes, a source file names it
 * in a C comment of its own, on one line, made of "#syscalls", an optional
 * marker and the names:
 *
 *	#syscalls NAME...	 run time, both modes
 *	#syscalls:pasta NAME...	 run time, pasta only
 *	#syscalls:passt NAME...	 run time, passt only
 *	#syscalls:setup NAME...	 set-up only, before the filter: listed for
 *				 review, not allowed by the filter
 *	#syscalls:san NAME...	 the sanitizer runtime's own (ASan, UBSan,
 *				 LSan): allowed in sanitizer builds only
 *
 * (the comment opener goes right before "#syscalls"; not shown here, so
 * that this text isn't taken for a list). A name is the kernel's, as in
 * <sys/syscall.h> without __NR_, including the ones the C library makes
 * for a function of another name: recv() is recvfrom, stat() and fstat()
 * newfstatat, pthread_create() clone3 (or clone), exit() exit_group. Names
 * of other architectures may be listed too (_llseek): the ones the target
 * lacks are left out, with a note at build time. "Run time" is anything
 * reachable once the loop runs: a call made at set-up and again later is
 * a run-time one, and is marked where the later use is.
 *
 * scripts/syscalls.sh collects the comments into seccomp_list.h, which is
 * generated (not committed) and rebuilt when a source changes. "make
 * syscalls" prints the lists of both modes with the sites naming each
 * call; "--print-syscalls" prints what the binary holds for its mode.
 *
 * Switches, for what the filter must not see:
 * - PASST_NO_SECCOMP=1 in the environment: no filter (with a warning),
 *   for valgrind, which makes system calls of its own on our behalf;
 * - a sanitizer build allows the ":san" list on top of the mode's;
 * - a debug build (make debug-build: build-debug/passt, compiled with
 *   SECCOMP_DEBUG) honours PASST_SECCOMP_TEST=1: make a forbidden system
 *   call once the filter is on, to show that it kills us (=mmap: an mmap
 *   outside the narrowed rule, after one inside it); and
 *   PASST_SECCOMP_LOG=1: let forbidden calls through, but have the kernel
 *   log them (dmesg, "type=1326 ... syscall=N"), to find missing names;
 *   without an audit daemon, the kernel drops records that come in bursts,
 *   so this finds most, not all (a kill, one per process, is never lost).
 *
 * Limits: the filter covers the native architecture only (a call through
 * another ABI, such as i386 on x86_64, is killed as well). It is applied
 * to every thread the process has (TSYNC), and threads created later
 * inherit it, as does anything we would fork or execute.
 * The filter context is kept, never released: freeing it could hand memory
 * back to the kernel (brk, munmap) after the filter forbids that.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <seccomp.h>	/* libseccomp's, not ours */

#include "util.h"
#include "log.h"
#include "seccomp.h"

#define SECCOMP_MODE_PASST	(1U << 0)
#define SECCOMP_MODE_PASTA	(1U << 1)
#define SECCOMP_MODE_SAN	(1U << 2)	/* sanitizer builds, any mode */

/**
 * struct seccomp_entry - One allowed system call
 * @name:	Name, as libseccomp resolves it for the native architecture
 * @modes:	SECCOMP_MODE_* flags of the modes allowing it
 */
struct seccomp_entry {
	const char *name;
	unsigned modes;
};

#include "seccomp_list.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SECCOMP_SAN		1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECCOMP_SAN		1
#endif
#endif

/* The sanitizer runtime's own, in sanitizer builds: LeakSanitizer's check
 * at exit (a tracer clone that ptraces our threads, found in /proc/self/task
 * with getdents, on a signal stack of its own), and writing a report: its
 * log_path file, and llvm-symbolizer, forked and executed under our filter,
 * so what it needs to start is here too. The san build is for finding our
 * bugs, with the filter on so that our lists are checked there as well (but
 * not for the names this list has too): this list is never in the real
 * build's filter
 */
/* #syscalls:san sigaltstack rt_sigaction rt_sigprocmask prctl getppid gettid */
/* #syscalls:san sched_yield sched_getaffinity clone clone3 ptrace wait4 */
/* #syscalls:san open openat getdents getdents64 read lseek close fstat */
/* #syscalls:san newfstatat */
/* #syscalls:san mmap munmap mprotect madvise mremap exit exit_group futex */
/* #syscalls:san readlink readlinkat getpid tgkill kill write writev */
/* #syscalls:san pipe pipe2 dup2 dup3 execve vfork fork nanosleep */
/* #syscalls:san clock_nanosleep uname getrlimit prlimit64 close_range */
/* #syscalls:san access arch_prctl brk ioctl pread64 getrandom rseq */
/* #syscalls:san set_robust_list set_tid_address */

/**
 * struct seccomp_narrow - A system call allowed only with some arguments
 * @name:	Name
 * @what:	What it may do, for --print-syscalls
 * @n:		Comparisons in @cmp, all of which must hold
 * @cmp:	Comparisons
 */
struct seccomp_narrow {
	const char *name;
	const char *what;
	unsigned n;
	struct scmp_arg_cmp cmp[2];
};

/* mmap(addr, len, prot, flags, fd, off): guest memory (vhost_user.c) */
#define SECCOMP_MMAP_FLAGS	(MAP_TYPE | MAP_FIXED | MAP_FIXED_NOREPLACE)
#define SECCOMP_MMAP_ARGS						\
	"shared, not executable, not at a fixed address", 2,		\
	{ { .arg = 2, .op = SCMP_CMP_MASKED_EQ,				\
	    .datum_a = PROT_EXEC, .datum_b = 0 },			\
	  { .arg = 3, .op = SCMP_CMP_MASKED_EQ,				\
	    .datum_a = SECCOMP_MMAP_FLAGS, .datum_b = MAP_SHARED } }

static const struct seccomp_narrow seccomp_narrow[] = {
	{ "mmap",	SECCOMP_MMAP_ARGS },
	{ "mmap2",	SECCOMP_MMAP_ARGS },
};

static scmp_filter_ctx seccomp_ctx;	/* kept: see Limits above */

/**
 * seccomp_modes() - Flags of the entries allowed for our mode and build
 * @c:		Execution context
 *
 * Return: SECCOMP_MODE_* flags
 */
static unsigned seccomp_modes(const struct ctx *c)
{
	unsigned m = c->mode == MODE_PASTA ? SECCOMP_MODE_PASTA :
					     SECCOMP_MODE_PASST;
#ifdef SECCOMP_SAN
	m |= SECCOMP_MODE_SAN;
#endif
	return m;
}

/**
 * seccomp_env_set() - Is an environment variable set to a true value?
 * @name:	Variable
 *
 * Return: true if set, non-empty and not "0"
 */
static bool seccomp_env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/**
 * seccomp_narrow_of() - Argument rules of an entry, in our build
 * @e:		Entry
 * @m:		SECCOMP_MODE_* flags the filter is built with
 *
 * Return: the rules, NULL if the call is allowed with any arguments (also
 *	   where the sanitizer runtime needs it so)
 */
static const struct seccomp_narrow *seccomp_narrow_of(
	const struct seccomp_entry *e, unsigned m)
{
	size_t i;

	if (e->modes & m & SECCOMP_MODE_SAN)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(seccomp_narrow); i++) {
		if (!strcmp(seccomp_narrow[i].name, e->name))
			return &seccomp_narrow[i];
	}
	return NULL;
}

/**
 * seccomp_print() - Print the system calls the filter allows in our mode
 * @c:		Execution context
 *
 * One line per system call, name and number on this architecture, after
 * a comment line naming the mode.
 */
void seccomp_print(const struct ctx *c)
{
	unsigned m = seccomp_modes(c), n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seccomp_list); i++)
		n += !!(seccomp_list[i].modes & m);

	log_print("# %s: %u system calls allowed at run time by the seccomp filter%s\n",
		  c->mode == MODE_PASTA ? "pasta" : "passt", n,
		  (m & SECCOMP_MODE_SAN) ? " (sanitizer build)" : "");
	for (i = 0; i < ARRAY_SIZE(seccomp_list); i++) {
		const struct seccomp_entry *e = &seccomp_list[i];
		int nr;

		if (!(e->modes & m))
			continue;
		const struct seccomp_narrow *nw = seccomp_narrow_of(e, m);

		nr = seccomp_syscall_resolve_name(e->name);
		if (nr == __NR_SCMP_ERROR)
			log_print("%s\t(unknown to libseccomp)\n", e->name);
		else if (nw)
			log_print("%s\t%d\tonly %s\n", e->name, nr, nw->what);
		else
			log_print("%s\t%d\n", e->name, nr);
	}
}

#ifdef SECCOMP_DEBUG
/**
 * seccomp_debug_mmap() - Debug build, PASST_SECCOMP_TEST=mmap: map memory
 *			  as vhost-user does, then executable memory
 *
 * The first must work, the second kill us.
 */
static void seccomp_debug_mmap(void)
{
	void *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 4096))
		die("seccomp test: a shared mapping failed");
	notice("seccomp test: shared read-write mapping allowed");
	notice("seccomp test: making a forbidden system call "
	       "(mmap, executable)");
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/**
 * seccomp_debug_forbidden() - Debug build, PASST_SECCOMP_TEST: make a
 *			       system call the filter doesn't allow
 * @m:		SECCOMP_MODE_* flags the filter was built with
 *
 * getppid: harmless if it were allowed, and checked not to be; with
 * PASST_SECCOMP_TEST=mmap, an mmap outside what seccomp_narrow allows.
 */
static void seccomp_debug_forbidden(unsigned m)
{
	const char *v = getenv("PASST_SECCOMP_TEST");
	size_t i;

	if (!seccomp_env_set("PASST_SECCOMP_TEST"))
		return;
	if (!strcmp(v, "mmap")) {
		seccomp_debug_mmap();
	} else {
		for (i = 0; i < ARRAY_SIZE(seccomp_list); i++) {
			if ((seccomp_list[i].modes & m) &&
			    !strcmp(seccomp_list[i].name, "getppid"))
				die("seccomp test: getppid is allowed, "
				    "pick another");
		}
		notice("seccomp test: making a forbidden system call "
		       "(getppid)");
		(void)syscall(SYS_getppid);
	}
	/* Still here: PASST_SECCOMP_LOG, or the filter failed us */
	warn("seccomp test: still alive after a forbidden system call");
}
#endif

/**
 * seccomp_install() - Allow only our mode's run-time system calls from now
 * @c:		Execution context
 *
 * Sets no_new_privs too (libseccomp's default). A failure is fatal: we
 * don't run without a filter unless told so (PASST_NO_SECCOMP).
 */
void seccomp_install(const struct ctx *c)
{
	uint32_t def = SCMP_ACT_KILL_PROCESS;
	unsigned m = seccomp_modes(c), n = 0;
	size_t i;
	int rc;

	if (seccomp_env_set("PASST_NO_SECCOMP")) {
		warn("PASST_NO_SECCOMP set: running without a seccomp filter");
#ifdef SECCOMP_DEBUG
		seccomp_debug_forbidden(m);
#endif
		return;
	}

#ifdef SECCOMP_DEBUG
	if (seccomp_env_set("PASST_SECCOMP_LOG")) {
		warn("seccomp: PASST_SECCOMP_LOG set: forbidden system calls are only logged by the kernel");
		def = SCMP_ACT_LOG;
	}
#endif

	seccomp_ctx = seccomp_init(def);
	if (!seccomp_ctx && def == SCMP_ACT_KILL_PROCESS) {
		/* Kernels before 4.14 kill only the thread */
		def = SCMP_ACT_KILL;
		seccomp_ctx = seccomp_init(def);
	}
	if (!seccomp_ctx)
		die("Couldn't set up a seccomp filter (libseccomp)");

	rc = seccomp_attr_set(seccomp_ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (!rc)
		rc = seccomp_attr_set(seccomp_ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc)
		die("Couldn't set seccomp filter attributes: %s",
		    strerror(-rc));

	for (i = 0; i < ARRAY_SIZE(seccomp_list); i++) {
		const struct seccomp_entry *e = &seccomp_list[i];
		const struct seccomp_narrow *nw;
		int nr;

		if (!(e->modes & m))
			continue;
		nr = seccomp_syscall_resolve_name(e->name);
		if (nr == __NR_SCMP_ERROR) {
			/* Newer than our libseccomp: nobody can make it */
			debug("seccomp: '%s' unknown to libseccomp, left out",
			      e->name);
			continue;
		}
		if ((nw = seccomp_narrow_of(e, m)))
			rc = seccomp_rule_add_array(seccomp_ctx, SCMP_ACT_ALLOW,
						    nr, nw->n, nw->cmp);
		else
			rc = seccomp_rule_add(seccomp_ctx, SCMP_ACT_ALLOW, nr,
					      0);
		if (rc)
			die("Couldn't add '%s' to the seccomp filter: %s",
			    e->name, strerror(-rc));
		n++;
	}

	rc = seccomp_load(seccomp_ctx);
	if (rc)
		die("Couldn't load the seccomp filter: %s", strerror(-rc));
	debug("seccomp filter on: %u system calls allowed%s", n,
	      def == SCMP_ACT_KILL_PROCESS ? "" :
	      def == SCMP_ACT_KILL ? ", others kill the thread" :
				     ", others logged");

#ifdef SECCOMP_DEBUG
	seccomp_debug_forbidden(m);
#endif
}
