#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon.sh - passt mode: background start-up, the UNIX socket, QEMU's
# stream framing (4-byte big-endian length, then the frame) spoken by a
# python client (test/lib/pkt.py passt), bad framing, --one-off, SIGTERM
#
# Topology: see test/lib/lib.sh. passt runs in the host namespace; the
# "guest" is the python client, a frame at a time, on passt's socket.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "daemon" "${PYTHON:-python3}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

sock="${T_TMP}/passt.socket"
pidf="${T_TMP}/passt.pid"
log="${T_TMP}/passt.log"

# client() - Run pkt.py passt checks against a socket
# $1:	Socket
# $@:	Checks
client() {
	local s="$1"
	shift
	ip netns exec "${HOST_NS}" timeout 20 "${PYTHON}" "${PKT}" passt "${s}" "$@"
}

# passt_start() - Start passt in the background, set PASST_PID
# $@:	Options
passt_start() {
	rm -f "${pidf}"
	timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -D "${TEST_DNS4}" "$@" \
		> "${T_TMP}/passt.out" 2>&1 < /dev/null
	PASST_RC=$?
	PASST_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
	return ${PASST_RC}
}

passt_start -s "${sock}" -P "${pidf}" -l "${log}"
[ "${PASST_RC}" -eq 0 ] && pass "parent_exits_0" ||
	fail "parent_exits_0" "exit ${PASST_RC}: $(cat "${T_TMP}/passt.out")"
if [ -n "${PASST_PID}" ] && pid_alive "${PASST_PID}" &&
   [ "$(readlink "/proc/${PASST_PID}/exe")" = "$(readlink -f "${PASST}")" ]; then
	pass "pid_file_written"
else
	fail "pid_file_written" "pid file holds '${PASST_PID}'"
	lib_done
fi
[ -S "${sock}" ] && pass "socket_exists" || fail "socket_exists" "no socket at ${sock}"

# fd_links() - Where the descriptors of a process point, one a line
# $1:	PID
fd_links() {
	local f
	for f in /proc/"$1"/fd/*; do
		readlink "${f}"
	done
}

# The daemon holds no descriptor of its pid file (it inherited the one
# the parent wrote through), and sits in /, not where it was started
if fd_links "${PASST_PID}" | grep -qxF "$(readlink -f "${pidf}")"; then
	fail "pid_file_not_held" "$(fd_links "${PASST_PID}" | grep -F "${pidf}")"
else
	pass "pid_file_not_held"
fi
cwd="$(readlink "/proc/${PASST_PID}/cwd")"
[ "${cwd}" = "/" ] && pass "daemon_cwd_root" || fail "daemon_cwd_root" "cwd is ${cwd}"

check "arp_reply_gateway" client "${sock}" arp
check "echo_reply_ipv4" client "${sock}" arp ping4
check "echo_reply_ipv6" client "${sock}" ping6

# A second guest while one is connected is refused: its connection is
# closed at once (not left in the listen queue), with a warning, and the
# first guest is still served afterwards
ip netns exec "${HOST_NS}" timeout 20 "${PYTHON}" "${PKT}" --timeout 4 passt "${sock}" hold \
	> /dev/null 2>&1 &
holder=$!
track_pid "${holder}"
sleep 0.5
# second_guest() - Connect, print "closed" if passt closes at once
second_guest() {
	ip netns exec "${HOST_NS}" timeout 10 "${PYTHON}" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
s.connect(sys.argv[1])
try:
    print("closed" if s.recv(1) == b"" else "data")
except socket.timeout:
    print("open")
' "$1" 2>&1
}
out="$(second_guest "${sock}")"
if [ "${out}" = closed ]; then
	pass "second_client_refused"
else
	fail "second_client_refused" "second client: ${out}"
fi
wait_for 2 grep -q "Refusing another guest connection" "${log}"
check_grep "second_client_warned" "Refusing another guest connection" "$(cat "${log}")"
out="$(ip netns exec "${HOST_NS}" timeout 20 "${PYTHON}" "${PKT}" --timeout 1 passt "${sock}" arp 2>&1)"
if printf '%s' "${out}" | grep -q "is at"; then
	fail "second_client_not_served" "second client got answers while the first was connected"
else
	pass "second_client_not_served"
fi
wait "${holder}" 2>/dev/null
daemon_answers "answers_after_second_client" --pid "${PASST_PID}" --log "${log}" --sock "${sock}"

# The shortest and longest lengths the framing allows keep the
# connection; a length that can't be a frame (under 14, over 65535)
# closes it with a warning, and passt listens again for the next one
wait_for 3 client "${sock}" arp
check "edge_lengths_keep_connection" client "${sock}" edgelen arp ping4
check "bad_length_closes_connection" client "${sock}" badlen
check "listening_after_bad_length" client "${sock}" arp ping4
check "length_13_closes_connection" client "${sock}" badlen --len 13
check "length_65536_closes_connection" client "${sock}" badlen --len 65536
check "listening_after_bad_lengths" client "${sock}" arp ping4
n="$(grep -c "frame length .* outside 14 to 65535" "${log}")"
[ "${n}" -ge 3 ] && pass "bad_length_warned" ||
	fail "bad_length_warned" "${n} warnings: $(tail -n 3 "${log}")"
pid_alive "${PASST_PID}" && pass "alive_after_bad_length" || fail "alive_after_bad_length" "passt exited"

# SIGTERM: exit, and the socket file goes
kill -TERM "${PASST_PID}"
if wait_for 2 pid_gone "${PASST_PID}"; then
	pass "sigterm_exits"
	[ -e "${sock}" ] && fail "sigterm_removes_socket" "${sock} still there" || pass "sigterm_removes_socket"
else
	fail "sigterm_exits" "passt still running 2 s after SIGTERM"
	fail "sigterm_removes_socket" "passt didn't exit"
	kill -KILL "${PASST_PID}" 2>/dev/null
fi

# --one-off: gone once its one guest disconnects
sock1="${T_TMP}/oneoff.socket"
if passt_start -1 -s "${sock1}" -P "${pidf}" -l "${log}.1"; then
	check "one_off_serves" client "${sock1}" arp
	if wait_for 3 pid_gone "${PASST_PID}"; then
		pass "one_off_exits_after_client"
	else
		fail "one_off_exits_after_client" "still running 3 s after its client left"
	fi
	[ -e "${sock1}" ] && fail "one_off_removes_socket" "${sock1} still there" || pass "one_off_removes_socket"
else
	fail "one_off_serves" "passt -1 didn't start: $(cat "${T_TMP}/passt.out")"
fi

# --socket-path: the other name of -s
sock3="${T_TMP}/long-name.socket"
if passt_start --socket-path "${sock3}" -P "${pidf}" -l "${log}.3" && [ -S "${sock3}" ]; then
	check "socket_path_option" client "${sock3}" arp ping4
	kill -TERM "${PASST_PID}"
	wait_for 2 pid_gone "${PASST_PID}"
else
	fail "socket_path_option" "exit ${PASST_RC}, socket $(ls -l "${sock3}" 2>&1): $(cat "${T_TMP}/passt.out")"
fi

# Relative paths, resolved in the directory passt starts from, although
# the daemon then leaves it for /: the pid file, log, capture and socket
# work, and the socket goes at exit
rel="${T_TMP}/rel"
mkdir -p "${rel}"
( cd "${rel}" && timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -D "${TEST_DNS4}" \
	-s r.socket -P r.pid -l r.log -p r.pcap > "${T_TMP}/passt.out" 2>&1 < /dev/null )
rc=$?
PASST_PID="$(cat "${rel}/r.pid" 2>/dev/null)"
[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
if [ ${rc} -eq 0 ] && pid_alive "${PASST_PID}"; then
	pass "relative_paths_start"
	cwd="$(readlink "/proc/${PASST_PID}/cwd")"
	[ "${cwd}" = "/" ] && pass "relative_paths_cwd_root" ||
		fail "relative_paths_cwd_root" "cwd is ${cwd}"
	check "relative_socket_serves" client "${rel}/r.socket" arp ping4
	# pcap: a 24-byte file header, then records
	sz="$(stat -c %s "${rel}/r.pcap" 2>/dev/null)"
	[ "${sz:-0}" -gt 24 ] && pass "relative_pcap_written" ||
		fail "relative_pcap_written" "r.pcap is ${sz:-missing} bytes"
	before="$(wc -c < "${rel}/r.log")"
	kill -USR1 "${PASST_PID}"
	wait_for 3 grep -q 'statistics (SIGUSR1)' "${rel}/r.log" &&
		pass "relative_log_written" ||
		fail "relative_log_written" "log at ${before} bytes, no statistics after SIGUSR1"
	kill -TERM "${PASST_PID}"
	if wait_for 2 pid_gone "${PASST_PID}"; then
		[ -e "${rel}/r.socket" ] &&
			fail "relative_socket_removed" "${rel}/r.socket still there" ||
			pass "relative_socket_removed"
	else
		fail "relative_socket_removed" "passt still running 2 s after SIGTERM"
	fi
else
	fail "relative_paths_start" "exit ${rc}: $(cat "${T_TMP}/passt.out")"
fi

# Statistics, in the foreground: frames, replies, the bad length counted
sock2="${T_TMP}/fg.socket"
ip netns exec "${HOST_NS}" "${PASST}" -f -D "${TEST_DNS4}" -s "${sock2}" -l "${log}.2" \
	> /dev/null 2>&1 < /dev/null &
PASST_PID=$!
track_pid "${PASST_PID}"
if wait_for 5 test -S "${sock2}"; then
	client "${sock2}" arp ping4 > /dev/null 2>&1
	client "${sock2}" badlen > /dev/null 2>&1
	sleep 0.2
	stats="$(stats_dump "${PASST_PID}" "${log}.2")"
	[ "$(stat_of "${stats}" arp_replies)" -ge 1 ] && pass "stats_arp_replies" ||
		fail "stats_arp_replies" "arp_replies $(stat_of "${stats}" arp_replies)"
	[ "$(stat_of "${stats}" icmp_echo_replies)" -ge 1 ] && pass "stats_echo_replies" ||
		fail "stats_echo_replies" "icmp_echo_replies $(stat_of "${stats}" icmp_echo_replies)"
	[ "$(stat_of "${stats}" drop_bad_stream_length)" -ge 1 ] && pass "stats_bad_stream_length" ||
		fail "stats_bad_stream_length" "drop_bad_stream_length $(stat_of "${stats}" drop_bad_stream_length)"
	daemon_stop_check "sigterm_foreground" --pid "${PASST_PID}" --log "${log}.2"
	[ -e "${sock2}" ] && fail "sigterm_removes_socket_foreground" "${sock2} still there" ||
		pass "sigterm_removes_socket_foreground"
else
	fail "stats" "passt -f didn't create its socket"
fi

lib_done
