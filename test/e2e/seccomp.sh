#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# seccomp.sh - the seccomp filter: on however the daemon runs, built from
#		the sources, and deadly for a forbidden system call
#
# The lists: --print-syscalls of each mode holds what the "#syscalls"
# comments say (scripts/syscalls.sh list, as make syscalls prints it),
# less the names this architecture doesn't have; pasta-only calls are not
# in passt's.
#
# Running daemons, normal build: /proc/PID/status says "Seccomp: 2"
# (filter) and "NoNewPrivs: 1" for pasta running a command, pasta with
# --netns, pasta attached to a PID and passt on its UNIX socket; each
# still works (answers ARP, through the filter) and stops cleanly on
# SIGTERM; the command pasta runs has no filter; passt removes its socket
# at exit.
#
# Killed: the debug build (make debug-build) with PASST_SECCOMP_TEST=1
# makes a forbidden system call right after the filter is on: pasta
# running a command, pasta --netns and passt, in the foreground, end with
# status 159 (128 + SIGSYS); in the background, the daemon is gone and the
# kernel logged the kill, where dmesg is readable. PASST_NO_SECCOMP=1
# lets the same call through, and the normal build ignores the knob.
#
# Topology: see test/lib/lib.sh.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

DBG="${TOP_DIR}/build-debug"
pidf="${T_TMP}/daemon.pid"

# seccomp_state() - "Seccomp NoNewPrivs" of a process, "2 1" when filtered
# $1:	PID
seccomp_state() {
	awk '/^Seccomp:/ { s = $2 } /^NoNewPrivs:/ { n = $2 }
	     END { print s, n }' "/proc/$1/status" 2>/dev/null
}
_filtered() {
	[ "$(seccomp_state "$1")" = "2 1" ]
}

# filter_check() - Pass if a daemon has the filter on: it's installed right
#		   before the loop, so wait for that a little
# $1:	Check name
# $2:	PID
filter_check() {
	if wait_for 5 _filtered "$2"; then
		pass "$1"
		return 0
	fi
	fail "$1" "pid '$2': Seccomp and NoNewPrivs '$(seccomp_state "$2")', expected '2 1'"
}

# seccomp_killed() - Did the kernel log a seccomp kill of a process? False
#		    if its messages can't be read
# $1:	PID
seccomp_killed() {
	dmesg 2>/dev/null | grep -q "type=1326.* pid=$1 .*sig=31"
}

# bg_start() - Start a daemon that goes to the background, set BG_PID
# $@:	Command, run in the host namespace, with -P "${pidf}"
bg_start() {
	rm -f "${pidf}"
	timeout 20 ip netns exec "${HOST_NS}" "$@" \
		> "${T_TMP}/bg.out" 2>&1 < /dev/null
	BG_RC=$?
	BG_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${BG_PID}" ] && track_pid "${BG_PID}"
	[ ${BG_RC} -eq 0 ] && [ -n "${BG_PID}" ]
}

# names_of() - The system call names of one mode in "syscalls.sh list"
# $1:	pasta or passt
# $2:	The list's output
names_of() {
	printf '%s\n' "$2" | awk -v m="$1" '
		/^[a-z]/ { on = ($1 == m ":") ; next }
		on { print $1 }' | sort
}

# --- the lists ---------------------------------------------------------

src_list="$("${TOP_DIR}/scripts/syscalls.sh" list "${TOP_DIR}"/*.c 2>&1)" ||
	fail "sources_list" "scripts/syscalls.sh: ${src_list}"
# Names this architecture has, to tell "left out" from "forgotten"
arch_names="$(echo '#include <sys/syscall.h>' | cc -E -dM -x c - 2>/dev/null |
	      sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' | sort -u)"
for mode in pasta passt; do
	bin="${TOP_DIR}/${mode}"
	out="$("${bin}" --print-syscalls 2>&1)"
	rc=$?
	if [ ${rc} -ne 0 ] || ! printf '%s\n' "${out}" | head -n 1 |
	   grep -q "^# ${mode}: [0-9]* system calls allowed"; then
		fail "print_syscalls_${mode}" "exit ${rc}: $(printf '%s' "${out}" | head -n 3)"
		continue
	fi
	pass "print_syscalls_${mode}"

	in_bin="$(printf '%s\n' "${out}" | awk '!/^#/ && $2 ~ /^[0-9]+$/ { print $1 }' | sort)"
	in_src="$(names_of "${mode}" "${src_list}")"
	if [ -n "${arch_names}" ]; then
		in_src="$(comm -12 <(printf '%s\n' "${in_src}") \
				   <(printf '%s\n' "${arch_names}"))"
	fi
	if [ -z "${in_src}" ]; then
		fail "binary_matches_sources_${mode}" "no names in the sources' list"
	elif [ "${in_bin}" = "${in_src}" ]; then
		pass "binary_matches_sources_${mode}"
	else
		fail "binary_matches_sources_${mode}" "only in the binary: $(comm -23 <(printf '%s\n' "${in_bin}") <(printf '%s\n' "${in_src}") | tr '\n' ' ')only in the sources: $(comm -13 <(printf '%s\n' "${in_bin}") <(printf '%s\n' "${in_src}") | tr '\n' ' ')"
	fi
	eval "list_${mode}=\"\${in_bin}\""
done

# Names each mode must and mustn't have
why=
# shellcheck disable=SC2154 # set by the eval above
for n in epoll_wait splice pipe2 wait4; do
	printf '%s\n' "${list_pasta}" | grep -qx "${n}" ||
		why="${why}${n} not in pasta's list; "
done
# shellcheck disable=SC2154
for n in splice pipe2 wait4; do
	printf '%s\n' "${list_passt}" | grep -qx "${n}" &&
		why="${why}${n} (pasta only) in passt's list; "
done
for n in getppid execve fork ptrace; do
	printf '%s\n%s\n' "${list_pasta}" "${list_passt}" | grep -qx "${n}" &&
		why="${why}${n} allowed, never used at run time; "
done
if [ -z "${why}" ]; then
	pass "lists_by_mode"
else
	fail "lists_by_mode" "${why}"
fi

# --- running daemons, normal build ---------------------------------------

# pasta running a command: the filter is pasta's, not the command's
if pasta_spawn -D "${TEST_DNS4}" --config-net; then
	filter_check "spawn_filter_on" "${PASTA_PID}"
	state="$(seccomp_state "${NS_PID}")"
	if [ "${state%% *}" = 0 ]; then
		pass "spawn_command_unfiltered"
	else
		fail "spawn_command_unfiltered" "command has Seccomp, NoNewPrivs '${state}'"
	fi
	daemon_answers "spawn_answers"
	daemon_stop_check "spawn_stop"
else
	fail "spawn" "pasta didn't start"
fi

# pasta --netns, in the background
if guest_ns_setup && pasta_attach -D "${TEST_DNS4}" --config-net; then
	filter_check "netns_filter_on" "${PASTA_PID}"
	daemon_answers "netns_answers"
	daemon_stop_check "netns_stop"
else
	fail "netns" "pasta --netns didn't start"
fi

# pasta attached to a PID: a sleep in a namespace of its own
host_net="$(ip netns exec "${HOST_NS}" readlink /proc/self/ns/net)"
_new_netns() {
	local n
	n="$(readlink "/proc/${TARGET}/ns/net")" && [ "${n}" != "${host_net}" ]
}
ip netns exec "${HOST_NS}" unshare --net -- sleep 60 &
TARGET=$!
track_pid "${TARGET}"
if wait_for 5 _new_netns &&
   bg_start "${PASTA}" -D "${TEST_DNS4}" --config-net -l "${T_TMP}/pid.log" -P "${pidf}" \
	    "${TARGET}"; then
	filter_check "pid_filter_on" "${BG_PID}"
	daemon_answers "pid_answers" --pid "${BG_PID}" --ns "${TARGET}" \
		--log "${T_TMP}/pid.log"
	# It quits when the process does: pidfd event, exit, under the filter
	kill -KILL "${TARGET}"
	if ! wait_for 5 pid_gone "${BG_PID}"; then
		fail "pid_quits_with_process" "still running 5 s after the process"
	elif seccomp_killed "${BG_PID}"; then
		fail "pid_quits_with_process" "killed by the filter"
	else
		pass "pid_quits_with_process"
	fi
else
	fail "pid" "pasta PID didn't start: $(cat "${T_TMP}/bg.out" "${T_TMP}/pid.log" 2>/dev/null | tail -n 3)"
fi

# passt on its UNIX socket: a guest through the filter, and the socket
# removed at exit
sock="${T_TMP}/passt.sock"
if bg_start "${PASST}" -D "${TEST_DNS4}" -P "${pidf}" -s "${sock}" \
	    -l "${T_TMP}/passt.log"; then
	filter_check "passt_filter_on" "${BG_PID}"
	daemon_answers "passt_answers" --pid "${BG_PID}" --sock "${sock}" \
		--log "${T_TMP}/passt.log"
	daemon_stop_check "passt_stop" --pid "${BG_PID}" --log "${T_TMP}/passt.log"
	if [ -e "${sock}" ]; then
		fail "passt_socket_removed" "${sock} still there after exit"
	else
		pass "passt_socket_removed"
	fi
else
	fail "passt" "passt didn't start: $(tail -n 3 "${T_TMP}/bg.out" 2>/dev/null)"
fi

# --- killed by the filter: the debug build --------------------------------

if ! out="$(make -s -C "${TOP_DIR}" debug-build 2>&1)" || [ ! -x "${DBG}/passt" ]; then
	fail "debug_build" "make debug-build: $(printf '%s' "${out}" | tail -n 3)"
	lib_done
fi
pass "debug_build"

# sigsys_check() - Pass if a foreground run ended by SIGSYS right after the
#		   test's forbidden call
# $1:	Check name
# $2:	Exit status
# $3:	Log
sigsys_check() {
	if [ "$2" != 159 ]; then
		fail "$1" "exit status $2, expected 159 (SIGSYS): $(tail -n 2 "$3" 2>/dev/null)"
	elif ! grep -q "seccomp test: making a forbidden system call" "$3" ||
	     grep -q "still alive" "$3"; then
		fail "$1" "killed, but not by the test's call: $(tail -n 2 "$3")"
	else
		pass "$1"
	fi
}

# pasta running a command: pasta dies, the command is left to us
cmd_pid="${T_TMP}/cmd.pid"
timeout 30 ip netns exec "${HOST_NS}" env PASST_SECCOMP_TEST=1 "${DBG}/pasta" \
	-D "${TEST_DNS4}" -l "${T_TMP}/k1.log" -- \
	sh -c "echo \$\$ > ${cmd_pid}; exec sleep 20" > "${T_TMP}/k1.out" 2>&1
rc=$?
[ -s "${cmd_pid}" ] && track_pid "$(cat "${cmd_pid}")"
sigsys_check "sigsys_pasta_spawn" "${rc}" "${T_TMP}/k1.log"
[ -s "${cmd_pid}" ] && kill -KILL "$(cat "${cmd_pid}")" 2>/dev/null

# pasta --netns and passt, in the foreground
timeout 20 ip netns exec "${HOST_NS}" env PASST_SECCOMP_TEST=1 "${DBG}/pasta" \
	-f -D "${TEST_DNS4}" -l "${T_TMP}/k2.log" --netns "${GUEST_NS}" \
	> "${T_TMP}/k2.out" 2>&1 < /dev/null
sigsys_check "sigsys_pasta_netns" "$?" "${T_TMP}/k2.log"

timeout 20 ip netns exec "${HOST_NS}" env PASST_SECCOMP_TEST=1 "${DBG}/passt" \
	-f -D "${TEST_DNS4}" -s "${T_TMP}/k3.sock" -l "${T_TMP}/k3.log" \
	> "${T_TMP}/k3.out" 2>&1 < /dev/null
sigsys_check "sigsys_passt" "$?" "${T_TMP}/k3.log"

# mmap, narrowed for vhost-user: the shared read-write mapping guest memory
# takes goes through, an executable one kills
timeout 20 ip netns exec "${HOST_NS}" env PASST_SECCOMP_TEST=mmap "${DBG}/passt" \
	-f --vhost-user -D "${TEST_DNS4}" -s "${T_TMP}/k5.sock" \
	-l "${T_TMP}/k5.log" > "${T_TMP}/k5.out" 2>&1 < /dev/null
rc=$?
if grep -q "shared read-write mapping allowed" "${T_TMP}/k5.log"; then
	sigsys_check "sigsys_passt_mmap_exec" "${rc}" "${T_TMP}/k5.log"
else
	fail "sigsys_passt_mmap_exec" "exit ${rc}, the allowed mapping failed: $(tail -n 2 "${T_TMP}/k5.log")"
fi
if "${TOP_DIR}/passt" --print-syscalls | grep -q "^mmap	[0-9]*	only shared, not executable"; then
	pass "print_syscalls_mmap_narrowed"
else
	fail "print_syscalls_mmap_narrowed" "$("${TOP_DIR}/passt" --print-syscalls | grep mmap)"
fi

# passt in the background: not our child, so the log says it, and the
# kernel, if we may read its messages
if bg_start env PASST_SECCOMP_TEST=1 "${DBG}/passt" -D "${TEST_DNS4}" -P "${pidf}" \
	    -s "${T_TMP}/k4.sock" -l "${T_TMP}/k4.log"; then
	if ! wait_for 5 pid_gone "${BG_PID}"; then
		fail "sigsys_passt_background" "still running"
	elif ! tail -n 1 "${T_TMP}/k4.log" |
	     grep -q "seccomp test: making a forbidden system call"; then
		fail "sigsys_passt_background" "gone, but its log ends: $(tail -n 1 "${T_TMP}/k4.log")"
	elif [ -n "$(dmesg 2>/dev/null | head -n 1)" ] &&
	     ! seccomp_killed "${BG_PID}"; then
		fail "sigsys_passt_background" "no seccomp kill of pid ${BG_PID} in the kernel's log"
	else
		pass "sigsys_passt_background"
	fi
else
	fail "sigsys_passt_background" "didn't start: $(tail -n 2 "${T_TMP}/bg.out")"
fi

# PASST_NO_SECCOMP: no filter, and the same call goes through
if bg_start env PASST_NO_SECCOMP=1 PASST_SECCOMP_TEST=1 "${DBG}/passt" \
	    -D "${TEST_DNS4}" -P "${pidf}" -s "${T_TMP}/k5.sock" -l "${T_TMP}/k5.log"; then
	wait_for 5 grep -q "still alive" "${T_TMP}/k5.log"
	state="$(seccomp_state "${BG_PID}")"
	if pid_alive "${BG_PID}" && [ "${state%% *}" = 0 ] &&
	   grep -q "without a seccomp filter" "${T_TMP}/k5.log" &&
	   grep -q "still alive" "${T_TMP}/k5.log"; then
		pass "no_seccomp_switch"
	else
		fail "no_seccomp_switch" "Seccomp '${state}': $(tail -n 2 "${T_TMP}/k5.log")"
	fi
	daemon_answers "no_seccomp_answers" --pid "${BG_PID}" \
		--sock "${T_TMP}/k5.sock" --log "${T_TMP}/k5.log"
	daemon_stop_check "no_seccomp_stop" --pid "${BG_PID}" --log "${T_TMP}/k5.log"
else
	fail "no_seccomp_switch" "didn't start: $(tail -n 2 "${T_TMP}/bg.out")"
fi

# The normal build doesn't know the knob
if bg_start env PASST_SECCOMP_TEST=1 "${PASST}" -D "${TEST_DNS4}" -P "${pidf}" \
	    -s "${T_TMP}/k6.sock" -l "${T_TMP}/k6.log"; then
	filter_check "knob_debug_only_filter_on" "${BG_PID}"
	daemon_answers "knob_debug_only" --pid "${BG_PID}" \
		--sock "${T_TMP}/k6.sock" --log "${T_TMP}/k6.log"
	daemon_stop_check "knob_debug_only_stop" --pid "${BG_PID}" \
		--log "${T_TMP}/k6.log"
else
	fail "knob_debug_only" "didn't start: $(tail -n 2 "${T_TMP}/bg.out")"
fi

lib_done
