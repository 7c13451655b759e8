# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - build, install, and checks for passt/pasta

VERSION ?= 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
WERROR ?= -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -pipe \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wcast-qual -Wformat=2 -Wno-format-nonliteral \
	-D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
	-DVERSION=\"$(VERSION)\"
CFLAGS ?=
override CFLAGS := $(BASE_CFLAGS) $(WERROR) $(CFLAGS)
LDFLAGS ?=
override LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS)
LDLIBS := -lcap-ng -lseccomp

SRCS := $(sort $(wildcard *.c))
# seccomp_list.h is generated, and only seccomp.c includes it
SECCOMP_LIST := seccomp_list.h
HDRS := $(filter-out $(SECCOMP_LIST),$(sort $(wildcard *.h)))
OBJS := $(SRCS:.c=.o)

.PHONY: all clean install uninstall check unit fuzz fuzz-build clang-tidy cppcheck bench bench-vm e2e vm deps \
	san-build debug-build syscalls

# GUEST: programs for guests, not linked into passt
GUEST_SRCS := guest/vsock-tap.c
GUEST_BINS := $(GUEST_SRCS:.c=)

all: passt pasta $(GUEST_BINS)

passt: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

pasta: passt
	ln -sf passt pasta

guest/%: guest/%.c Makefile
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

%.o: %.c $(HDRS) Makefile
	$(CC) $(CFLAGS) -c -o $@ $<

# The seccomp filter's allow-lists, from the "#syscalls" comments of every
# source (see seccomp.c). The script runs whenever a source changed, but
# the header is replaced, and seccomp.o rebuilt, only if the lists did
$(SECCOMP_LIST): $(SRCS) scripts/syscalls.sh
	@CC="$(CC)" scripts/syscalls.sh header $(SRCS) > $@.tmp 2> $@.note || \
		{ cat $@.note >&2; rm -f $@.tmp $@.note; exit 1; }
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
		mv $@.tmp $@; echo "  GEN $@"; cat $@.note >&2; fi
	@rm -f $@.note

seccomp.o: $(SECCOMP_LIST)

# What the filter allows, per mode, with the sources naming each call
syscalls:
	@scripts/syscalls.sh list $(SRCS)

# The seccomp test build (build-debug/passt, build-debug/pasta): the normal
# objects, with a seccomp.o that honours PASST_SECCOMP_TEST (a forbidden
# call once the filter is on) and PASST_SECCOMP_LOG, see seccomp.c
DEBUG_BUILD := build-debug

debug-build: $(DEBUG_BUILD)/passt $(DEBUG_BUILD)/pasta

$(DEBUG_BUILD)/seccomp.o: seccomp.c $(SECCOMP_LIST) $(HDRS) Makefile
	@mkdir -p $(DEBUG_BUILD)
	$(CC) $(CFLAGS) -DSECCOMP_DEBUG -c -o $@ $<

$(DEBUG_BUILD)/passt: $(filter-out seccomp.o,$(OBJS)) $(DEBUG_BUILD)/seccomp.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(DEBUG_BUILD)/pasta: $(DEBUG_BUILD)/passt
	ln -sf passt $@

# A second build with AddressSanitizer and UndefinedBehaviorSanitizer, out
# of tree (build-san/passt, build-san/pasta), for test/run's "san" pass:
# end-to-end tests run against it, and any sanitizer report fails them.
# clang if there is one: with gcc, UBSan next to ASan ignores log_path and
# writes to stderr, which a daemon has closed, so there UBSan aborts
# instead (the tests see the daemon die). Warnings are the normal build's
# business: clang has a few of its own about the system's headers
SAN_BUILD := build-san
SAN_CC := $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
SAN_CFLAGS := $(filter-out -Werror,$(CFLAGS)) -w \
	-O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	$(if $(filter clang,$(SAN_CC)),,-fno-sanitize-recover=undefined)
SAN_OBJS := $(addprefix $(SAN_BUILD)/,$(OBJS))

san-build: $(SAN_BUILD)/passt $(SAN_BUILD)/pasta

$(SAN_BUILD)/passt: $(SAN_OBJS)
	$(SAN_CC) $(SAN_CFLAGS) $(LDFLAGS) -o $@ $(SAN_OBJS) $(LDLIBS)

$(SAN_BUILD)/pasta: $(SAN_BUILD)/passt
	ln -sf passt $@

$(SAN_BUILD)/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(SAN_BUILD)
	$(SAN_CC) $(SAN_CFLAGS) -c -o $@ $<

$(SAN_BUILD)/seccomp.o: $(SECCOMP_LIST)

install: all doc/passt.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 passt $(DESTDIR)$(BINDIR)/passt
	install -m 0755 guest/vsock-tap $(DESTDIR)$(BINDIR)/vsock-tap
	ln -sf passt $(DESTDIR)$(BINDIR)/pasta
	install -m 0644 doc/passt.1 $(DESTDIR)$(MANDIR)/man1/passt.1
	ln -sf passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/passt $(DESTDIR)$(BINDIR)/pasta \
	      $(DESTDIR)$(BINDIR)/vsock-tap \
	      $(DESTDIR)$(MANDIR)/man1/passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1

# Unit tests (cmocka): each test/unit/test_X.c is linked with the project
# sources named on its "/* deps: ... */" line, see test/unit/units.mk
include test/unit/units.mk

fuzz-build:
	[ ! -f test/fuzz/Makefile ] || $(MAKE) -C test/fuzz

fuzz: fuzz-build
	test/fuzz/run.sh

deps:
	scripts/deps.sh test

# deps first, on its own: it may install the compilers the rest needs
check:
	$(MAKE) deps
	$(MAKE) all unit-build fuzz-build
	test/run

e2e: all
	test/run e2e

vm: all
	test/run vm

# One file per run: clang-tidy 14 reports false va_list errors when one
# invocation analyses several files
clang-tidy: $(SECCOMP_LIST)
	@for f in $(SRCS) $(GUEST_SRCS); do \
		clang-tidy --quiet $$f -- $(BASE_CFLAGS) || exit 1; \
	done

cppcheck: $(SECCOMP_LIST)
	cppcheck --std=c11 --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --quiet -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" \
		--suppress=missingIncludeSystem --suppress=unusedStructMember \
		-I. $(SRCS)
	cppcheck --std=c11 --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --quiet -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" \
		--suppress=missingIncludeSystem --suppress=unusedStructMember \
		$(GUEST_SRCS)

# deps first, on its own, as for check; then ours, the connection-rate
# client (crr), and a run: pasta's (run), then passt's under QEMU (vm),
# then pasta's zero-copy modes in the patched-kernel guest (zc), each
# running even if one before reported failures; any fails the target.
# bench-vm: only the VM parts
bench:
	scripts/deps.sh bench
	$(MAKE) all test/bench/crr
	rc=0; test/bench/run || rc=1; test/bench/vm || rc=1; \
		test/bench/zc || rc=1; exit $$rc

bench-vm:
	scripts/deps.sh bench
	$(MAKE) all
	rc=0; test/bench/vm || rc=1; test/bench/zc || rc=1; exit $$rc

test/bench/crr: test/bench/crr.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

clean:
	rm -f passt pasta $(GUEST_BINS) *.o test/unit/*.o $(UNIT_BINS) test/bench/crr
	rm -rf $(SAN_BUILD) $(DEBUG_BUILD)
	rm -f $(SECCOMP_LIST) $(SECCOMP_LIST).tmp $(SECCOMP_LIST).note
	[ ! -f test/fuzz/Makefile ] || $(MAKE) -C test/fuzz clean
