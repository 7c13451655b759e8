#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# netns.sh - attaching to existing namespaces: --netns NAME and PID, going
# to the background the way Podman expects, quitting when the namespace
# or the process goes away, SIGTERM, a namespace we may not join
#
# Topology: see test/lib/lib.sh; the guest namespace is ours (ip netns
# add), or that of a process we start with unshare.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }
guest_ns_setup || { fail "setup" "guest namespace"; exit 1; }

pidf="${T_TMP}/pasta.pid"
log="${T_TMP}/pasta.log"
rcf="${T_TMP}/rc"

# --- --netns NAME, as Podman runs it ---------------------------------------
# The pipe to cat stays open as long as anyone holds pasta's stdout or
# stderr: cat returns only when the daemon has closed them.
start="$(now_ms)"
timeout 15 bash -c "
	ip netns exec '${HOST_NS}' '${PASTA}' --config-net -D '${TEST_DNS4}' \
		-P '${pidf}' -l '${log}' --netns '${GUEST_NS}' 2>&1
	echo \$? > '${rcf}'
	cat '${pidf}' > '${pidf}.at_exit' 2>/dev/null" < /dev/null | cat > "${T_TMP}/out"
pipe_rc=${PIPESTATUS[0]}
ms="$(elapsed_ms "${start}")"
PASTA_PID="$(cat "${pidf}" 2>/dev/null)"
[ -n "${PASTA_PID}" ] && track_pid "${PASTA_PID}"

rc="$(cat "${rcf}" 2>/dev/null)"
if [ "${rc}" = 0 ]; then
	pass "parent_exits_0"
else
	fail "parent_exits_0" "exit '${rc}': $(cat "${T_TMP}/out")"
fi
if [ "${pipe_rc}" -eq 124 ]; then
	fail "stdout_stderr_closed" "pasta ... | cat didn't return within 15 s"
elif [ "${ms}" -gt 5000 ]; then
	fail "stdout_stderr_closed" "pasta ... | cat took ${ms} ms"
else
	pass "stdout_stderr_closed"
fi
if [ -s "${pidf}.at_exit" ] && [ "$(cat "${pidf}.at_exit")" = "${PASTA_PID}" ] &&
   pid_alive "${PASTA_PID}" &&
   [ "$(readlink "/proc/${PASTA_PID}/exe")" = "$(readlink -f "${PASST}")" ]; then
	pass "pid_file_before_parent_exits"
else
	fail "pid_file_before_parent_exits" "pid file at exit: '$(cat "${pidf}.at_exit" 2>/dev/null)', now '${PASTA_PID}', exe $(readlink "/proc/${PASTA_PID}/exe" 2>/dev/null)"
fi
if pid_alive "${PASTA_PID}"; then
	pass "daemon_running"
	fds="$(readlink "/proc/${PASTA_PID}/fd/0" "/proc/${PASTA_PID}/fd/1" "/proc/${PASTA_PID}/fd/2" | sort -u)"
	[ "${fds}" = "/dev/null" ] && pass "daemon_stdio_dev_null" || fail "daemon_stdio_dev_null" "fds 0-2: ${fds}"
	sid="$(awk '{ print $6 }' "/proc/${PASTA_PID}/stat")"
	[ "${sid}" = "${PASTA_PID}" ] && pass "daemon_own_session" || fail "daemon_own_session" "session ${sid}"
	# No descriptor of the pid file left (the daemon inherits the one
	# its parent wrote through), and out of the starting directory
	held=
	for f in /proc/"${PASTA_PID}"/fd/*; do
		[ "$(readlink "${f}")" = "$(readlink -f "${pidf}")" ] && held="${f}"
	done
	[ -z "${held}" ] && pass "pid_file_not_held" || fail "pid_file_not_held" "${held} -> ${pidf}"
	cwd="$(readlink "/proc/${PASTA_PID}/cwd")"
	[ "${cwd}" = "/" ] && pass "daemon_cwd_root" || fail "daemon_cwd_root" "cwd is ${cwd}"
else
	fail "daemon_running" "no daemon: $(tail -n 3 "${log}" 2>/dev/null)"
fi

check "ping_ipv4_from_guest" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 "${HOST_GW4}"
check "ping_ipv6_from_guest" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 -6 "${HOST_GW6}"

# Statistics on SIGUSR1, in the background too
if stats="$(stats_dump "${PASTA_PID}" "${log}")" && [ "$(stat_of "${stats}" tap_frames_in)" -gt 0 ]; then
	pass "sigusr1_stats_daemon"
else
	fail "sigusr1_stats_daemon" "no statistics in the log after SIGUSR1 (daemon ignores signals?)"
fi

# Deleting the namespace ends the daemon within a second
if pid_alive "${PASTA_PID}"; then
	start="$(now_ms)"
	ip netns del "${GUEST_NS}"
	wait_for 5 pid_gone "${PASTA_PID}"
	ms="$(elapsed_ms "${start}")"
	if pid_alive "${PASTA_PID}"; then
		fail "quits_when_netns_deleted" "still running 5 s after ip netns del"
		kill -KILL "${PASTA_PID}" 2>/dev/null
	elif [ "${ms}" -gt 1000 ]; then
		fail "quits_when_netns_deleted" "took ${ms} ms, more than 1 s"
	else
		pass "quits_when_netns_deleted"
	fi
else
	skip "quits_when_netns_deleted" "no daemon to watch"
fi

# --- SIGTERM ----------------------------------------------------------------
guest_ns_setup term
if pasta_attach -D "${TEST_DNS4}" --config-net; then
	daemon_answers "sigterm_daemon_answers"
	daemon_stop_check "sigterm_daemon"
else
	fail "sigterm_daemon" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# --no-netns-quit: stays when the path goes away
guest_ns_setup noquit
if pasta_attach -D "${TEST_DNS4}" --no-netns-quit; then
	ip netns del "${GUEST_NS}"
	sleep 1.5
	if pid_alive "${PASTA_PID}"; then
		pass "no_netns_quit"
	else
		fail "no_netns_quit" "daemon left when the namespace path was deleted"
	fi
	daemon_answers "no_netns_quit_daemon_answers" --signal
	kill -KILL "${PASTA_PID}" 2>/dev/null
else
	fail "no_netns_quit" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# A relative --netns path: still watched (and not taken for gone) once
# the daemon has left its starting directory for /
guest_ns_setup rel
( cd /run/netns && timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -D "${TEST_DNS4}" \
	-P "${pidf}.rel" -l "${log}.rel" --netns "./${GUEST_NS}" \
	> "${T_TMP}/out.rel" 2>&1 < /dev/null )
rc=$?
PASTA_PID="$(cat "${pidf}.rel" 2>/dev/null)"
[ -n "${PASTA_PID}" ] && track_pid "${PASTA_PID}"
if [ ${rc} -eq 0 ] && pid_alive "${PASTA_PID}"; then
	sleep 1.5
	if pid_alive "${PASTA_PID}"; then
		pass "relative_netns_kept"
		ip netns del "${GUEST_NS}"
		wait_for 3 pid_gone "${PASTA_PID}" && pass "relative_netns_quit" ||
			fail "relative_netns_quit" "still running 3 s after ip netns del"
	else
		fail "relative_netns_kept" "daemon quit with its namespace still there: $(tail -n 2 "${log}.rel")"
	fi
else
	fail "relative_netns_kept" "exit ${rc}: $(cat "${T_TMP}/out.rel")"
fi

# A namespace that doesn't exist: exit 1, saying which
out="$(timeout 10 ip netns exec "${HOST_NS}" "${PASTA}" -D "${TEST_DNS4}" --netns "pt-none-$$" 2>&1)"
rc=$?
if [ ${rc} -eq 1 ] && printf '%s' "${out}" | grep -q "pt-none-$$"; then
	pass "missing_netns_error"
else
	fail "missing_netns_error" "exit ${rc}: ${out}"
fi

# A namespace we may not join: an unprivileged user (nobody, no
# capabilities) can open root's namespace file, but not enter it. The
# message says that, not something about the tap device
if need_cmd "setns_denied_error" setpriv; then
	guest_ns_setup denied
	out="$(timeout 10 ip netns exec "${HOST_NS}" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "${PASTA}" -D "${TEST_DNS4}" \
		--netns "${GUEST_NS}" 2>&1 < /dev/null)"
	rc=$?
	if [ ${rc} -ne 1 ]; then
		fail "setns_denied_error" "exit ${rc}: ${out}"
	elif printf '%s' "${out}" | grep -q "/dev/net/tun"; then
		fail "setns_denied_error" "blames the tap device: ${out}"
	else
		check_grep "setns_denied_error" \
			"network namespace '/run/netns/${GUEST_NS}' \(setns\): Operation not permitted" \
			"${out}"
	fi
fi

# --- attach to a PID ------------------------------------------------------
# The process: a sleep in a network namespace of its own, made by unshare
# inside the host namespace
host_net="$(ip netns exec "${HOST_NS}" readlink /proc/self/ns/net)"
_new_netns() {
	local n
	n="$(readlink "/proc/${TARGET}/ns/net")" && [ "${n}" != "${host_net}" ]
}
ip netns exec "${HOST_NS}" unshare --net -- sleep 60 &
TARGET=$!
track_pid "${TARGET}"
if ! wait_for 5 _new_netns; then
	fail "attach_pid" "unshare didn't create a namespace"
	lib_done
fi
nsenter -t "${TARGET}" -n sysctl -qw net.ipv4.ping_group_range="0 2147483647"

timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -D "${TEST_DNS4}" --config-net \
	-P "${pidf}.2" -l "${log}.2" "${TARGET}" > "${T_TMP}/out.2" 2>&1 < /dev/null
rc=$?
PASTA_PID="$(cat "${pidf}.2" 2>/dev/null)"
[ -n "${PASTA_PID}" ] && track_pid "${PASTA_PID}"
if [ ${rc} -eq 0 ] && pid_alive "${PASTA_PID}"; then
	pass "attach_pid"
	check "attach_pid_ping_ipv4" nsenter -t "${TARGET}" -n timeout 10 ping -n -q -c 2 -i 0.2 -W 2 "${HOST_GW4}"
	check "attach_pid_ping_ipv6" nsenter -t "${TARGET}" -n timeout 10 ping -n -q -c 2 -i 0.2 -W 2 -6 "${HOST_GW6}"
	start="$(now_ms)"
	kill -KILL "${TARGET}"
	wait_for 5 pid_gone "${PASTA_PID}"
	ms="$(elapsed_ms "${start}")"
	if pid_alive "${PASTA_PID}"; then
		fail "attach_pid_quits_with_process" "still running 5 s after the process ended"
	elif [ "${ms}" -gt 1000 ]; then
		fail "attach_pid_quits_with_process" "took ${ms} ms"
	else
		pass "attach_pid_quits_with_process"
	fi
else
	fail "attach_pid" "exit ${rc}: $(cat "${T_TMP}/out.2" "${log}.2" 2>/dev/null | tail -n 3)"
fi

lib_done
