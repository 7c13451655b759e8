#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/fuzz/run.sh - run every fuzz harness for a while, report each
#
# Usage: test/fuzz/run.sh [SECONDS [HARNESS...]]
#
#   SECONDS	per harness, default $FUZZ_SECONDS, else 10
#   HARNESS	only these (fuzz_X names), one after the other
#
# With FUZZ_KEEP_GOING=1 (the long runs of README), a harness goes on after
# a crash, timeout or leak for the whole time (libFuzzer's -fork=1, one
# worker), and every input found is kept; its line then counts them.
#
# Each harness starts from a scratch copy of its seed corpus (corpus/NAME),
# so the committed corpus is never changed, and runs for SECONDS. One line
# per harness, for test/run to count:
#
#	PASS: fuzz_X (N execs)
#	FAIL: fuzz_X: crash ...		input kept as test/fuzz/crash-fuzz_X-*
#					(or timeout-, oom-, leak-)
#	SKIP: fuzz: reason		no clang, or no libFuzzer runtime
#
# A failure is followed by the sanitizer's summary and the top of the
# stack, indented. Reproduce with: test/fuzz/fuzz_X test/fuzz/crash-...
# The exit status is 1 if any harness failed.

set -u

DIR="$(cd "$(dirname "$0")" && pwd)"
SECONDS_EACH="${1:-${FUZZ_SECONDS:-10}}"
HARNESSES="fuzz_frames fuzz_stream fuzz_dhcp fuzz_dhcpv6 fuzz_ndp fuzz_conf fuzz_l4 \
	   fuzz_ip6_ext fuzz_tcp_opts fuzz_icmp_err fuzz_fwd_spec fuzz_addr \
	   fuzz_virtio fuzz_vhost_user"
WORK=
FAILED=0

case "${SECONDS_EACH}" in
''|*[!0-9]*|0)
	echo "Usage: $0 [SECONDS [HARNESS...]]" >&2
	exit 2
	;;
esac
if [ $# -gt 1 ]; then
	shift
	for h in "$@"; do
		case " ${HARNESSES} " in
		*" ${h} "*)	;;
		*)	echo "$0: no harness ${h}" >&2; exit 2 ;;
		esac
	done
	HARNESSES="$*"
fi
KEEP_GOING=
[ "${FUZZ_KEEP_GOING:-0}" = 1 ] && \
	KEEP_GOING="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"

# cleanup() - Remove the scratch directory
cleanup() {
	[ -n "${WORK}" ] && rm -rf "${WORK}"
}
trap cleanup EXIT

# max_len() - Largest input for a harness
# $1:	Harness
max_len() {
	case "$1" in
	fuzz_frames|fuzz_stream|fuzz_l4)
		echo 65600 ;;	# a whole 64 KiB frame and its prefix
	fuzz_virtio)
		echo 16392 ;;	# header and all of guest memory
	*)		echo 4096 ;;
	esac
}

if ! command -v "${CLANG:-clang}" >/dev/null 2>&1; then
	echo "SKIP: fuzz: ${CLANG:-clang} not installed"
	exit 0
fi

# Build whatever is missing or stale; the Makefile says if it can't
make -s -C "${DIR}" >/dev/null 2>&1
for h in ${HARNESSES}; do
	if [ ! -x "${DIR}/${h}" ]; then
		if ! make -s -C "${DIR}" 2>&1 | grep -q "not available"; then
			echo "FAIL: ${h}: not built, see make -C test/fuzz"
			FAILED=1
			continue
		fi
		echo "SKIP: fuzz: libFuzzer runtime (libclang-rt-dev) not available"
		exit 0
	fi
done

WORK="$(mktemp -d /tmp/fuzz-run.XXXXXX)" || exit 1

for h in ${HARNESSES}; do
	[ -x "${DIR}/${h}" ] || continue
	corpus="${WORK}/${h}.corpus"
	log="${WORK}/${h}.log"
	mkdir -p "${corpus}" "${WORK}/${h}.artifacts"
	[ -d "${DIR}/corpus/${h}" ] && cp "${DIR}/corpus/${h}/"* "${corpus}/" 2>/dev/null

	# shellcheck disable=SC2086 # KEEP_GOING is several options
	"${DIR}/${h}" -max_total_time="${SECONDS_EACH}" \
		-max_len="$(max_len "${h}")" -timeout=10 -print_final_stats=1 \
		${KEEP_GOING} -artifact_prefix="${WORK}/${h}.artifacts/" \
		"${corpus}" >"${log}" 2>&1 </dev/null
	rc=$?

	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}" | tail -n1)"
	cov=
	if [ -n "${KEEP_GOING}" ]; then
		# Fork mode: the last status line, "#N: cov: C ft: F ..."
		last="$(grep -E '^#[0-9]+: cov:' "${log}" | tail -n1)"
		execs="$(echo "${last}" | sed -n 's/^#\([0-9]*\):.*/\1/p')"
		cov="$(echo "${last}" | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/, cov \1, ft \2/p')"
	fi
	artifact="$(ls "${WORK}/${h}.artifacts/" 2>/dev/null | head -n1)"
	if [ ${rc} -eq 0 ] && [ -z "${artifact}" ]; then
		echo "PASS: ${h} (${execs:-?} execs${cov})"
		continue
	fi
	if [ -n "${KEEP_GOING}" ]; then
		n=0
		for a in "${WORK}/${h}.artifacts/"*; do
			[ -e "${a}" ] || continue
			b="${a##*/}"
			cp "${a}" "${DIR}/${b%%-*}-${h}-${b#*-}"
			n=$((n + 1))
		done
		echo "FAIL: ${h}: ${n} inputs kept as test/fuzz/*-${h}-* (${execs:-?} execs${cov})"
		FAILED=1
		continue
	fi

	FAILED=1
	kept=
	if [ -n "${artifact}" ]; then
		kept="${DIR}/${artifact%%-*}-${h}-${artifact#*-}"
		cp "${WORK}/${h}.artifacts/${artifact}" "${kept}"
	fi
	what="$(grep -m1 -E '^(SUMMARY|FUZZ_CHECK failed|==[0-9]+==ERROR)' "${log}" |
		sed 's/^==[0-9]*==//' | cut -c1-160)"
	case "${artifact}" in
	timeout-*)	kind="timeout" ;;
	oom-*)		kind="out of memory" ;;
	leak-*)		kind="leak" ;;
	*)		kind="crash" ;;
	esac
	echo "FAIL: ${h}: ${kind}: ${what:-exit ${rc}}${kept:+, input test/fuzz/${kept##*/}}"
	grep -E '^(SUMMARY|FUZZ_CHECK|==[0-9]+==ERROR)|^    #[0-9]+ .* in ' "${log}" |
		grep -v -E 'in (fuzzer::|__sanitizer|__asan|__ubsan|__pthread_kill|raise|abort|main |_start|__libc)' |
		head -n 12 | sed 's/^/    /'
done

exit "${FAILED}"
