# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for the end-to-end tests, sourced by test/e2e/*.sh
#
# A test script does:
#
#	. "$(dirname "$0")/../lib/lib.sh"
#	lib_init			# traps, temporary directory, root check
#	host_ns_setup			# the throwaway "host", see below
#	check "gateway ping" in_host "$PASTA" --config-net -- ping ...
#
# and prints one line per check, which test/run counts:
#
#	PASS: script/check
#	FAIL: script/check: why
#	SKIP: script/check: reason
#
# Traffic rule: packets go only to loopback and into namespaces the test
# created itself. The daemon always runs inside a throwaway "host"
# namespace whose only way out is an ifb device, which drops whatever is
# sent to it (the kernel here has no dummy driver):
#
#     init namespace: untouched
#   +---------------------------------------------------------------+
#   | "host" namespace  pt-[TAG-]SCRIPT-PID  (HOST_NS)                |
#   |                                                               |
#   |   lo (up)            bh0 (ifb: a black hole)                  |
#   |   127.0.0.1          198.51.100.2/24   2001:db8::2/64         |
#   |   ::1                default via 198.51.100.1, 2001:db8::1    |
#   |     ^                                                         |
#   |     | gateway address mapped to the host's loopback           |
#   |   pasta / passt  (sockets here)                               |
#   |     |                                                         |
#   |   +-+--------------------------------------------------+      |
#   |   | tap bh0 (or -I)   | UNIX socket -s (passt)         |      |
#   |   | "guest" netns     | python3 client speaking the    |      |
#   |   | created by pasta, | QEMU stream framing            |      |
#   |   | or our own        |                                |      |
#   |   +------------------------------------------------------+    |
#   +---------------------------------------------------------------+
#
# Liveness and the way out: a check that expects nothing to happen (no
# reply, no log line) is followed by daemon_answers, which proves the
# daemon's loop still runs (an ARP reply from it, over its own link), and
# every script ends a daemon with daemon_stop_check: exit status after
# SIGTERM, no crash, no sanitizer report. Sanitizer reports go to files
# (ASAN_OPTIONS and UBSAN_OPTIONS log_path, set by lib_init), because a
# daemon in the background has closed its stderr.
#
# Everything a test creates is undone by lib_cleanup, run from the EXIT
# trap: processes it started (by PID, checked against their start time so
# a reused PID is never hit), namespaces, files. Every wait is bounded in
# time and iterations.

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP_DIR="$(cd "${LIB_DIR}/../.." && pwd)"
PASTA="${PASTA:-${TOP_DIR}/pasta}"
PASST="${PASST:-${TOP_DIR}/passt}"
PKT="${LIB_DIR}/pkt.py"
# Set (by test/run's sanitizer pass): scripts that move a lot of data or
# open many flows do the same checks with less
E2E_SHORT="${E2E_SHORT:-}"
# The system's python3 first: wrappers such as pyenv's shims cost 0.2 s a run
PYTHON="${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}"

# Addresses of the host namespace: documentation ranges only
HOST_IF=bh0
HOST_ADDR4=198.51.100.2
HOST_GW4=198.51.100.1
HOST_PREFIX4=24
HOST_ADDR6=2001:db8::2
HOST_GW6=2001:db8::1
HOST_PREFIX6=64
TEST_DNS4=203.0.113.53
TEST_DNS6=2001:db8:53::53

T_NAME="$(basename "$0" .sh)"
# Namespace names: test/run passes a tag of its own, so that it can tell
# what its scripts left behind from what others are running meanwhile
NS_PREFIX="pt-${PT_TAG:+${PT_TAG}-}"
T_TMP=
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
HOST_NS=
GUEST_NS=
PASTA_PID=
PASTA_LOG=
NS_PID=
SAN_DIR=		# sanitizer reports, see _lib_san_env

_LIB_CLEANUP=()		# commands, run last first
_LIB_PIDS=()		# "PID:STARTTIME" of processes we started

# --- results ---------------------------------------------------------

# _lib_oneline() - Squeeze text to one short line, for a FAIL reason
_lib_oneline() {
	tr '\n\t' '  ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' | cut -c1-300
}

# pass() - Report a passed check
# $1:	Check name
pass() {
	echo "PASS: ${T_NAME}/$1"
	T_PASSED=$((T_PASSED + 1))
}

# fail() - Report a failed check
# $1:	Check name
# $2:	Why
fail() {
	echo "FAIL: ${T_NAME}/$1: $(printf '%s' "${2:-failed}" | _lib_oneline)"
	T_FAILED=$((T_FAILED + 1))
}

# skip() - Report a skipped check
# $1:	Check name
# $2:	Reason
skip() {
	echo "SKIP: ${T_NAME}/$1: ${2:-skipped}"
	T_SKIPPED=$((T_SKIPPED + 1))
}

# check() - Run a command, pass if it succeeds, fail with its output if not
# $1:	Check name
# $@:	Command
#
# Sets CHECK_RC to the command's exit status (for daemon_stop_check
# --exited, when the command was a pasta running one of its own).
CHECK_RC=
check() {
	local name="$1" out rc
	shift
	out="$("$@" 2>&1)"
	rc=$?
	CHECK_RC=${rc}
	if [ ${rc} -eq 0 ]; then
		pass "${name}"
		return 0
	fi
	fail "${name}" "exit ${rc}: $(printf '%s' "${out}" | tail -n 5)"
	return 1
}

# check_fails() - Run a command, pass if it fails
# $1:	Check name
# $@:	Command
#
# Sets CHECK_RC, as check() does.
check_fails() {
	local name="$1" out
	shift
	out="$("$@" 2>&1)"
	CHECK_RC=$?
	if [ ${CHECK_RC} -eq 0 ]; then
		fail "${name}" "succeeded, expected a failure: $(printf '%s' "${out}" | tail -n 3)"
		return 1
	fi
	pass "${name}"
}

# check_grep() - Pass if text contains an extended regular expression
# $1:	Check name
# $2:	Regular expression
# $3:	Text
check_grep() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
		return 0
	fi
	fail "$1" "no match for /$2/ in: $(printf '%s' "$3" | head -c 400)"
	return 1
}

# need_cmd() - Check that commands exist, report a skip if not
# $1:	Check name to skip
# $@:	Commands
# Return: 0 if all exist
need_cmd() {
	local name="$1" c
	shift
	for c in "$@"; do
		if ! command -v "${c}" >/dev/null 2>&1; then
			skip "${name}" "${c} not installed"
			return 1
		fi
	done
	return 0
}

# --- set-up and clean-up ----------------------------------------------

# at_cleanup() - Queue a command for lib_cleanup, run last in, first out
# $@:	Command, as one string for eval
at_cleanup() {
	_LIB_CLEANUP+=("$*")
}

# _lib_starttime() - Start time of a process, in clock ticks since boot
# $1:	PID
_lib_starttime() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	# Field 22, counting after the parenthesised command name
	stat="${stat##*) }"
	set -- ${stat}
	echo "${20}"
}

# track_pid() - Remember a process we started, so clean-up can end it
# $1:	PID
track_pid() {
	local st
	st="$(_lib_starttime "$1")" || return 0
	_LIB_PIDS+=("$1:${st}")
}

# pid_alive() - Is a process still running, and not a zombie
# $1:	PID
pid_alive() {
	local state
	[ -n "$1" ] || return 1
	state="$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
	[ -n "${state}" ] && [ "${state}" != "Z" ]
}

# pid_gone() - Has a process exited (or is a zombie waiting for us)
# $1:	PID
pid_gone() {
	! pid_alive "$1"
}

# _lib_kill_tracked() - TERM, then KILL, the processes we started
_lib_kill_tracked() {
	local e pid st i alive
	for e in "${_LIB_PIDS[@]}"; do
		pid="${e%%:*}"; st="${e#*:}"
		[ "$(_lib_starttime "${pid}")" = "${st}" ] && kill -TERM "${pid}" 2>/dev/null
	done
	for i in $(seq 1 30); do
		alive=0
		for e in "${_LIB_PIDS[@]}"; do
			pid="${e%%:*}"; st="${e#*:}"
			[ "$(_lib_starttime "${pid}")" = "${st}" ] && pid_alive "${pid}" && alive=1
		done
		[ ${alive} -eq 0 ] && break
		sleep 0.1
	done
	for e in "${_LIB_PIDS[@]}"; do
		pid="${e%%:*}"; st="${e#*:}"
		[ "$(_lib_starttime "${pid}")" = "${st}" ] && kill -KILL "${pid}" 2>/dev/null
	done
	_LIB_PIDS=()
}

# lib_cleanup() - Undo everything, from the EXIT trap
lib_cleanup() {
	local i
	trap - EXIT TERM INT HUP
	_lib_kill_tracked
	for ((i = ${#_LIB_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${_LIB_CLEANUP[i]}" >/dev/null 2>&1
	done
	_LIB_CLEANUP=()
	[ -z "${T_KEEP}" ] && [ -n "${T_TMP}" ] && [ -d "${T_TMP}" ] && rm -rf "${T_TMP}"
}

# lib_init() - Traps, temporary directory; skip everything if not root
# $1:	Set to "noroot" if the script handles an unprivileged caller itself
lib_init() {
	trap lib_cleanup EXIT
	# A signal leaves through exit, so that the EXIT trap runs
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	if [ "$(id -u)" != 0 ] && [ "$1" != "noroot" ]; then
		skip "all" "needs root (namespaces, tap devices)"
		exit 0
	fi
	T_TMP="$(mktemp -d "/tmp/pt-${T_NAME}.XXXXXX")" || exit 1
	chmod 0755 "${T_TMP}"
	_lib_san_env
	if [ ! -x "${PASTA}" ] || [ ! -x "${PASST}" ]; then
		fail "build" "${PASTA} or ${PASST} missing: run make"
		exit 1
	fi
}

# lib_done() - End of a script: exit status says whether anything failed
#
# With a sanitizer build (or if any report turned up), one more check: no
# report that no daemon_stop_check took, from any process the script ran.
lib_done() {
	if [ -n "${SAN_DIR}" ] && { _lib_san_build || [ -n "$(_lib_san_files)" ]; }; then
		san_check "sanitizer_reports"
	fi
	[ ${T_FAILED} -eq 0 ]
	exit $?
}

# wait_for() - Poll a command until it succeeds, bounded
# $1:	Timeout, seconds (decimals allowed)
# $@:	Command
# Return: 0 as soon as the command succeeds, 1 on timeout
wait_for() {
	local tmo="$1" n i
	shift
	n="$(awk -v t="${tmo}" 'BEGIN { n = int(t * 20); print n < 1 ? 1 : n }')"
	for i in $(seq 1 "${n}"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# elapsed_ms() - Milliseconds since an earlier now_ms
# $1:	Earlier now_ms
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}
elapsed_ms() {
	echo $(( $(now_ms) - $1 ))
}

# netns_exists() - Does a named network namespace exist
# $1:	Name
netns_exists() {
	[ -e "/run/netns/$1" ]
}

# netns_del() - Remove a named namespace and the processes left in it
# $1:	Name
#
# A process can only be in this namespace if this test put it there (the
# name is unique to the test), so ending them is ending our own.
netns_del() {
	local ns="$1" pids i
	netns_exists "${ns}" || return 0
	for i in 1 2 3; do
		pids="$(ip netns pids "${ns}" 2>/dev/null)"
		[ -z "${pids}" ] && break
		# shellcheck disable=SC2086
		kill -KILL ${pids} 2>/dev/null
		sleep 0.1
	done
	ip netns del "${ns}" 2>/dev/null
	if [ -d "/etc/netns/${ns}" ]; then
		rm -rf "/etc/netns/${ns}"
		rmdir /etc/netns 2>/dev/null
	fi
}

# netns_add() - Create an empty named namespace, removed at clean-up
# $1:	Name
netns_add() {
	ip netns add "$1" || return 1
	at_cleanup netns_del "$1"
	ip -n "$1" link set lo up
}

# host_ns_setup() - Create the throwaway "host" namespace, see the drawing
# $1:	Optional name suffix
#
# Sets HOST_NS. Gives it a resolv.conf of its own (ip netns exec
# bind-mounts /etc/netns/NAME/resolv.conf), so no test reads the
# machine's.
host_ns_setup() {
	HOST_NS="${NS_PREFIX}${T_NAME}${1:+-$1}-$$"
	netns_add "${HOST_NS}" || return 1
	ip -n "${HOST_NS}" link add "${HOST_IF}" type ifb &&
	ip -n "${HOST_NS}" link set "${HOST_IF}" up &&
	ip -n "${HOST_NS}" addr add "${HOST_ADDR4}/${HOST_PREFIX4}" dev "${HOST_IF}" &&
	ip -n "${HOST_NS}" addr add "${HOST_ADDR6}/${HOST_PREFIX6}" dev "${HOST_IF}" nodad &&
	ip -n "${HOST_NS}" route add default via "${HOST_GW4}" &&
	ip -n "${HOST_NS}" -6 route add default via "${HOST_GW6}" &&
	ip netns exec "${HOST_NS}" sysctl -qw net.ipv4.ping_group_range="0 2147483647" ||
		return 1
	mkdir -p "/etc/netns/${HOST_NS}" &&
	printf 'nameserver %s\nnameserver %s\nsearch host.test\n' \
		"${TEST_DNS4}" "${TEST_DNS6}" > "/etc/netns/${HOST_NS}/resolv.conf"
}

# in_host() - Run a command in the host namespace
in_host() {
	ip netns exec "${HOST_NS}" "$@"
}

# --- pasta with a long-running namespace --------------------------------

# pasta_spawn() - Start pasta in the host namespace with a namespace that
#		  stays up (a shell sleeping), for several checks
# $@:	pasta options (-l, -f and the command are added)
#
# Sets PASTA_PID (the daemon), NS_PID (a process in its namespace, for
# in_ns), PASTA_LOG. Returns when the namespace is configured: pasta lets
# its command run only then.
pasta_spawn() {
	local pidf="${T_TMP}/ns.pid.$$.${RANDOM}"
	PASTA_LOG="${T_TMP}/pasta.log.${RANDOM}"
	rm -f "${pidf}"
	ip netns exec "${HOST_NS}" "${PASTA}" -l "${PASTA_LOG}" "$@" -- \
		sh -c "echo \$\$ > ${pidf}.tmp && mv ${pidf}.tmp ${pidf} && exec sleep 600" \
		>"${T_TMP}/pasta.out" 2>&1 &
	PASTA_PID=$!
	track_pid "${PASTA_PID}"
	if ! wait_for 10 test -s "${pidf}"; then
		echo "pasta didn't start its command: $(cat "${T_TMP}/pasta.out" "${PASTA_LOG}" 2>/dev/null | tail -n 5)"
		return 1
	fi
	NS_PID="$(cat "${pidf}")"
	track_pid "${NS_PID}"
}

# in_ns() - Run a command in the guest namespace: GUEST_NS if set
#	   (guest_ns_setup), else the one of pasta_spawn
in_ns() {
	if [ -n "${GUEST_NS}" ]; then
		ip netns exec "${GUEST_NS}" "$@"
	else
		nsenter -t "${NS_PID}" -n -- "$@"
	fi
}

# guest_ns_setup() - A named "guest" namespace for pasta --netns, with
#		     DAD off so link-local addresses are usable at once
# $1:	Optional name suffix
#
# Sets GUEST_NS.
guest_ns_setup() {
	GUEST_NS="${NS_PREFIX}g-${T_NAME}${1:+-$1}-$$"
	netns_add "${GUEST_NS}" || return 1
	ip netns exec "${GUEST_NS}" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv4.ping_group_range="0 2147483647"
}

# pasta_attach() - Start pasta in the host namespace for GUEST_NS; it
#		   goes to the background once the namespace is set up
# $@:	pasta options (-l, -P, --netns are added)
#
# Sets PASTA_PID, PASTA_LOG.
pasta_attach() {
	local pidf="${T_TMP}/pasta.pid.${RANDOM}" rc
	PASTA_LOG="${T_TMP}/pasta.log.${RANDOM}"
	timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -l "${PASTA_LOG}" \
		-P "${pidf}" "$@" --netns "${GUEST_NS}" \
		>"${T_TMP}/pasta.out" 2>&1 </dev/null
	rc=$?
	PASTA_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${PASTA_PID}" ] && track_pid "${PASTA_PID}"
	if [ ${rc} -ne 0 ] || [ -z "${PASTA_PID}" ]; then
		echo "pasta --netns exited ${rc}: $(cat "${T_TMP}/pasta.out" "${PASTA_LOG}" 2>/dev/null | tail -n 5)"
		return 1
	fi
}

# pasta_stop() - SIGTERM the daemon, wait until it's gone (2 s at most),
#		  SIGKILL it if it isn't
# Return: 0 if SIGTERM was enough, 1 if it took SIGKILL
pasta_stop() {
	local rc=0
	[ -n "${PASTA_PID}" ] || return 0
	kill -TERM "${PASTA_PID}" 2>/dev/null
	if ! wait_for 2 pid_gone "${PASTA_PID}"; then
		rc=1
		kill -KILL "${PASTA_PID}" 2>/dev/null
		wait_for 2 pid_gone "${PASTA_PID}"
	fi
	# Its tap device goes with its last descriptor
	[ -z "${GUEST_NS}" ] || wait_for 3 _guest_only_lo
	return ${rc}
}
_guest_only_lo() {
	[ "$(ip -n "${GUEST_NS}" -o link show | wc -l)" -eq 1 ]
}

# pasta_alive() - Is the pasta_spawn daemon still running
pasta_alive() {
	pid_alive "${PASTA_PID}"
}

# ns_dad_wait() - Wait until no address in a namespace is tentative
# $1:	Command prefix to run in the namespace (e.g. in_ns)
# $2:	Interface
ns_dad_wait() {
	wait_for 5 _ns_no_tentative "$1" "$2"
}
_ns_no_tentative() {
	local out
	out="$($1 ip -6 addr show dev "$2")" || return 1
	printf '%s' "${out}" | grep -q 'inet6 fe80' || return 1
	! printf '%s' "${out}" | grep -q tentative
}

# --- liveness, stopping, sanitizers ------------------------------------

# _lib_san_env() - Sanitizer reports to files in T_TMP/san, for every
#		   process the script starts (ignored by other builds)
#
# The directory is writable by anyone: a daemon may have switched user.
# No leak check at exit: LeakSanitizer stops the process's threads with
# ptrace and lists them from /proc/self/task, and by then the daemon is
# undumpable in an empty root, so the check fails and can stall the exit
# past daemon_stop_check's limit. valgrind.sh checks for leaks instead.
# Options the caller set come last, so they win.
_lib_san_env() {
	SAN_DIR="${T_TMP}/san"
	mkdir -p "${SAN_DIR}/seen" && chmod 1777 "${SAN_DIR}" || return 1
	export ASAN_OPTIONS="log_path=${SAN_DIR}/asan:abort_on_error=0:detect_leaks=0${ASAN_OPTIONS:+:${ASAN_OPTIONS}}"
	export UBSAN_OPTIONS="log_path=${SAN_DIR}/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:${UBSAN_OPTIONS}}"
}

# _lib_san_build() - Is the binary under test built with a sanitizer
_lib_san_build() {
	grep -qaE '__asan_init|__ubsan_handle' "${PASST}" 2>/dev/null
}

# _lib_san_files() - Reports not taken by a check yet, one path a line
_lib_san_files() {
	find "${SAN_DIR}" -maxdepth 1 -type f 2>/dev/null | sort
}

# _lib_san_take() - Take the new sanitizer reports: print them, say why
# Return: 0 if there were none; 1, with a one-line summary on stdout, if
#	  there were (they are moved to SAN_DIR/seen, and printed to
#	  stderr in full for test/run -v)
_lib_san_take() {
	local f sum=
	for f in $(_lib_san_files); do
		{ echo "--- ${f##*/}:"; head -n 60 "${f}"; } >&2
		# The summary line, else the first error line; and the first
		# frame in our code
		sum="${sum}${f##*/}: $( { grep -m1 'SUMMARY' "${f}" ||
			grep -m1 -E 'runtime error|ERROR' "${f}"; } | sed 's/^==[0-9]*==//')$(grep -m1 -E '^ *#[0-9]+ .* in [a-z_0-9]+ .*\.c:' "${f}" | sed 's/^ *#[0-9]* 0x[0-9a-f]* in /, at /; s/ (.*//'); "
		mv "${f}" "${SAN_DIR}/seen/"
	done
	[ -z "${sum}" ] && return 0
	echo "sanitizer: ${sum}"
	return 1
}

# san_check() - Pass if no process reported a sanitizer error so far
# $1:	Check name
san_check() {
	local why
	if why="$(_lib_san_take)"; then
		pass "$1"
		return 0
	fi
	fail "$1" "${why}"
	return 1
}

# _lib_guest_if() - Name of the first link in the guest namespace that
#		    isn't lo: the daemon's tap device
_lib_guest_if() {
	"$@" ip -o link show 2>/dev/null |
		awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }'
}

# daemon_answers() - Check that the daemon's loop runs: it answers an ARP
#		     request on its guest link (an NDP solicitation if not)
# $1:	Check name
# $@:	Options:
#	--pid PID	the daemon, default PASTA_PID
#	--log FILE	its log, for the reason of a failure, default PASTA_LOG
#	--ns PID	a process in the guest namespace, default in_ns's
#	--sock PATH	passt: speak to it on its UNIX socket as a guest
#			(it serves one guest at a time: none may be
#			connected)
#	--signal	no guest to ask (its namespace is gone, say): send
#			SIGUSR1, and wait for the statistics in the log
# Return: 0 if it answered
#
# Cheap (one frame each way), and it needs the loop: the reply is made by
# the daemon, not the kernel; so are the statistics, written by the loop.
daemon_answers() {
	local name="$1" pid="${PASTA_PID}" log="${PASTA_LOG}" ns= sock= out
	local iface run=(in_ns) signal=0 n
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--pid)	pid="$2"; shift 2 ;;
		--log)	log="$2"; shift 2 ;;
		--ns)	ns="$2"; shift 2 ;;
		--sock)	sock="$2"; shift 2 ;;
		--signal) signal=1; shift ;;
		*)	fail "${name}" "daemon_answers: unknown option $1"; return 1 ;;
		esac
	done
	if ! pid_alive "${pid}"; then
		fail "${name}" "daemon (pid '${pid}') is gone: $(tail -n 3 "${log}" 2>/dev/null)"
		return 1
	fi

	if [ ${signal} -eq 1 ]; then
		n="$(grep -c 'statistics (SIGUSR1)' "${log}" 2>/dev/null)"
		kill -USR1 "${pid}" 2>/dev/null
		if wait_for 3 _lib_log_more "${log}" 'statistics (SIGUSR1)' "${n:-0}"; then
			pass "${name}"
			return 0
		fi
		fail "${name}" "daemon (pid ${pid}) runs but logged no statistics 3 s after SIGUSR1: $(tail -n 2 "${log}" 2>/dev/null)"
		return 1
	fi

	if [ -n "${sock}" ]; then
		if out="$(in_host timeout 10 "${PYTHON}" "${PKT}" --timeout 3 \
			  passt "${sock}" arp 2>&1)"; then
			pass "${name}"
			return 0
		fi
		fail "${name}" "passt (pid ${pid}) doesn't answer on ${sock}: ${out}"
		return 1
	fi

	[ -n "${ns}" ] && run=(nsenter -t "${ns}" -n --)
	iface="$(_lib_guest_if "${run[@]}")"
	if [ -z "${iface}" ]; then
		fail "${name}" "no link besides lo in the guest namespace"
		return 1
	fi
	if out="$("${run[@]}" timeout 10 "${PYTHON}" "${PKT}" --timeout 2 \
		  arp "${iface}" "${HOST_GW4}" --source 0.0.0.0 2>&1)" ||
	   out="${out}; $("${run[@]}" timeout 10 "${PYTHON}" "${PKT}" \
		  --timeout 2 ns "${iface}" "${HOST_GW6}" 2>&1)"; then
		pass "${name}"
		return 0
	fi
	fail "${name}" "daemon (pid ${pid}) runs but doesn't answer on ${iface}: ${out}"
	return 1
}

# _lib_log_more() - Does a log have more lines with a string than before
# $1:	Log
# $2:	Fixed string
# $3:	Lines with it before
_lib_log_more() {
	[ "$(grep -cF -- "$2" "$1" 2>/dev/null)" -gt "$3" ]
}

# daemon_stop_check() - Stop the daemon with SIGTERM, check how it ended
# $1:	Check name
# $@:	Options:
#	--pid PID	the daemon, default PASTA_PID
#	--log FILE	its log (-l), default PASTA_LOG
#	--exited RC	it has already ended by itself, with this status (a
#			pasta that ran a command, say): check that instead
#	--expect RC	the status it must have, default 0
#
# Passes if: it was still running; it left within 3 s of SIGTERM (else it
# is killed); its exit status is the expected one, if it is our child
# (pasta_spawn, -f; a status above 128 is a signal: a crash), or else
# (gone to the background) its log, if any, ends with its SIGTERM message,
# not an assertion or nothing (a crash writes no line); and no sanitizer
# report appeared, from it or anything else run so far.
daemon_stop_check() {
	local name="$1" pid="${PASTA_PID}" log="${PASTA_LOG}" exited= expect=0
	local rc= why= last
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--pid)		pid="$2"; shift 2 ;;
		--log)		log="$2"; shift 2 ;;
		--exited)	exited="$2"; shift 2 ;;
		--expect)	expect="$2"; shift 2 ;;
		*)	fail "${name}" "daemon_stop_check: unknown option $1"; return 1 ;;
		esac
	done

	if [ -n "${exited}" ]; then
		rc="${exited}"
	elif [ -z "${pid}" ]; then
		why="no daemon to stop"
	else
		if pid_gone "${pid}"; then
			why="it had exited before SIGTERM; "
		else
			kill -TERM "${pid}" 2>/dev/null
			if ! wait_for 3 pid_gone "${pid}"; then
				why="still running 3 s after SIGTERM; "
				kill -KILL "${pid}" 2>/dev/null
				wait_for 2 pid_gone "${pid}"
			fi
		fi
		# Our child (even one the shell already reaped: it keeps the
		# status) gives its exit status; for any other process, wait
		# fails at once with 127
		wait "${pid}" 2>/dev/null
		rc=$?
		[ ${rc} -eq 127 ] && rc=
	fi

	if [ -n "${rc}" ]; then
		if [ "${rc}" -gt 128 ] && [ "${rc}" -lt 160 ]; then
			why="${why}killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128)) 2>/dev/null)); "
		elif [ "${rc}" != "${expect}" ]; then
			why="${why}exit status ${rc}, expected ${expect}; "
		fi
	elif [ -n "${pid}" ] && [ -n "${log}" ] && [ -f "${log}" ]; then
		last="$(grep -v '^[[:space:]]*$' "${log}" | tail -n 1)"
		case "${last}" in
		*SIGTERM*)	;;
		*)	why="${why}log doesn't end with the SIGTERM message (a crash?): '${last}'; " ;;
		esac
	fi
	if [ -n "${log}" ] && [ -f "${log}" ] &&
	   grep -qE 'ASSERTION FAILED|AddressSanitizer|runtime error:' "${log}"; then
		why="${why}$(grep -m1 -E 'ASSERTION FAILED|AddressSanitizer|runtime error:' "${log}"); "
	fi
	if ! last="$(_lib_san_take)"; then
		why="${why}${last}"
	fi

	if [ -z "${why}" ]; then
		pass "${name}"
		return 0
	fi
	fail "${name}" "${why}"
	return 1
}

# --- statistics --------------------------------------------------------

# stats_dump() - Ask a daemon for its counters, print them as "name value"
# $1:	PID of the daemon
# $2:	Its log file (-l)
#
# Sends SIGUSR1 and waits for a new "statistics (SIGUSR1):" block to end
# (its last line is "flows_active: N of MAX"), then prints the counters of
# the last block: each non-zero one is listed as name=value on its
# "counters:" lines (the table above them is for people). Counters at zero
# are not listed: stat_of gives 0 for them. "flows_active N" is added.
stats_dump() {
	local pid="$1" log="$2" before
	before="$(_stats_ends "${log}")"
	kill -USR1 "${pid}" 2>/dev/null || return 1
	wait_for 3 _stats_more "${log}" "${before}" || return 1
	awk '/: statistics \(/ { sigusr1 = /\(SIGUSR1\)/; if (sigusr1) delete v; next }
	     sigusr1 && /^[0-9.]+:   counters:/ {
		for (i = 3; i <= NF; i++)
			if (split($i, kv, "=") == 2) v[kv[1]] = kv[2]
	     }
	     sigusr1 && /^[0-9.]+:   flows_active: [0-9]+ of [0-9]+$/ {
		v["flows_active"] = $3
	     }
	     END { for (k in v) print k, v[k] }' "${log}"
}
# _stats_ends() - How many SIGUSR1 blocks a log holds, counted by their end
_stats_ends() {
	awk '/: statistics \(/ { s = /\(SIGUSR1\)/ }
	     s && /^[0-9.]+:   flows_active: / { n++; s = 0 }
	     END { print n + 0 }' "$1" 2>/dev/null
}
_stats_more() {
	[ "$(_stats_ends "$1")" -gt "$2" ]
}

# stat_of() - Value of one counter in the output of stats_dump
# $1:	stats_dump output
# $2:	Counter name
stat_of() {
	local v
	v="$(printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2 }')"
	echo "${v:-0}"
}

# --- comparisons -------------------------------------------------------

# cmp_bytes() - Compare two files byte for byte, say where they differ
# $1:	Expected
# $2:	Got
cmp_bytes() {
	local a b
	if cmp -s -- "$1" "$2"; then
		return 0
	fi
	a="$(stat -c %s -- "$1" 2>/dev/null)"
	b="$(stat -c %s -- "$2" 2>/dev/null)"
	echo "differ: sizes ${a:-missing} and ${b:-missing}, $(cmp -- "$1" "$2" 2>&1 | head -n 1)"
	return 1
}

# make_random_file() - A file of random bytes
# $1:	Path
# $2:	Size in KiB
make_random_file() {
	head -c "$(($2 * 1024))" /dev/urandom > "$1"
}
