# SPDX-License-Identifier: GPL-2.0-or-later
# units.mk - build and run the cmocka unit tests, included by the top Makefile
#
# Each test/unit/test_X.c names, in a comment among its first five lines,
# the project sources it links with, relative to the top directory:
#
#	/* deps: fwd_spec.c inany.c */
#
# and is built into test/unit/test_X with the project's CFLAGS. A test with
# no deps line is built alone (it may #include the .c file it tests). New
# test files are picked up as they appear: nothing here lists them.

UNIT_DIR := test/unit
UNIT_TESTS := $(sort $(wildcard $(UNIT_DIR)/test_*.c))
UNIT_BINS := $(UNIT_TESTS:.c=)
UNIT_LDLIBS := -lcmocka
# Always under AddressSanitizer and UndefinedBehaviorSanitizer, if the
# compiler has them: any report aborts the test binary, and test/run
# counts the tests it didn't finish as failures (a leak, found at exit,
# makes the exit status non-zero)
UNIT_SAN := $(shell printf 'int main(void) { return 0; }\n' | \
	$(CC) -fsanitize=address,undefined -x c - -o /dev/null >/dev/null 2>&1 && \
	echo -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer)

.PHONY: unit unit-build

# unit_deps - Project sources named on the deps line of test source $(1)
unit_deps = $(strip $(shell sed -n '1,5s|.*/\* deps: \(.*\) \*/.*|\1|p' $(1)))

# UNIT_RULE - Rule for test binary $(1), built from $(1).c and its deps
define UNIT_RULE
$(1): $(1).c $(call unit_deps,$(1).c) $$(HDRS) $(UNIT_DIR)/units.mk
	$$(CC) $$(CFLAGS) $$(UNIT_SAN) -I. $$(LDFLAGS) -o $$@ $(1).c \
		$(call unit_deps,$(1).c) $$(UNIT_LDLIBS)
endef

$(foreach t,$(UNIT_BINS),$(eval $(call UNIT_RULE,$(t))))

unit-build: $(UNIT_BINS)

# Run every test, even after a failure, then fail if any did
unit: unit-build
	@failed=; \
	for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		./$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "FAILED:$$failed"; exit 1; \
	fi; \
	echo "All unit tests passed"
