#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# framing.sh - passt's gvproxy framing (--framing gvproxy: an HTTP
# request, POST /connect, then each frame after a 2-byte little-endian
# length), spoken by a python client (test/lib/pkt.py passt --framing
# gvproxy) on passt's UNIX socket; the options of the AF_VSOCK backend
#
# gvisor-tap-vsock's guest forwarder speaks this framing over AF_VSOCK
# (--vsock-port): this host has no vsock transport to connect through,
# so the framing is checked here on the UNIX socket, and over vsock in a
# guest (test/vm/tests/vsock.sh).
#
# Topology: see test/lib/lib.sh. passt runs in the host namespace; the
# "guest" is the python client, a frame at a time.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "framing" "${PYTHON:-python3}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

sock="${T_TMP}/passt.socket"
log="${T_TMP}/passt.log"

# client() - Run pkt.py passt checks in gvproxy's framing
# $1:	-t SECONDS, optional: pkt.py's time-out
# $@:	Checks and options
client() {
	local t=3

	[ "$1" = -t ] && { t="$2"; shift 2; }
	in_host timeout 20 "${PYTHON}" "${PKT}" --timeout "${t}" passt "${sock}" \
		--framing gvproxy "$@"
}

# passt_start() - Start passt in the background, set PASST_PID
# $@:	Options
passt_start() {
	local pidf="${T_TMP}/passt.pid"

	rm -f "${pidf}"
	timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -D "${TEST_DNS4}" \
		-P "${pidf}" "$@" > "${T_TMP}/passt.out" 2>&1 < /dev/null
	PASST_RC=$?
	PASST_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
	return ${PASST_RC}
}

if ! passt_start -s "${sock}" -l "${log}" --framing gvproxy; then
	fail "start" "exit ${PASST_RC}: $(cat "${T_TMP}/passt.out")"
	lib_done
fi

check "arp_ping" client arp ping4 ping6
# The request in pieces of 7 bytes, its last piece and the first frame in
# one write: the bytes after the blank line are a frame's
check "request_in_pieces" client --request-split 7 arp ping4
check "request_lf_only" client --request "POST /connect HTTP/1.1" arp
check "edge_lengths_keep_connection" client edgelen arp ping4

# What ends a connection, and nothing else: a bad length, a request that
# isn't one, one that never ends; passt serves the next guest each time
check "length_13_closes" client badlen --len 13
check "length_0_closes" client badlen --len 0
check "after_bad_length" client arp ping4
check "not_a_request_closes" client --request "GET / HTTP/1.1" closed
wait_for 2 grep -q "connection request is not 'POST /connect" "${log}"
check_grep "not_a_request_warned" "request is not 'POST /connect ...': 'GET / HTTP/1.1'" "$(cat "${log}")"
check "long_request_closes" client -t 5 \
	--request "POST /connect HTTP/1.1$(printf 'X-Pad: %0200d\r\n' $(seq 1 30))" closed
check_grep "long_request_warned" "request is longer than 4096 bytes" "$(cat "${log}")"
# QEMU's framing to a passt that waits for the request: nothing answered
out="$(in_host timeout 20 "${PYTHON}" "${PKT}" --timeout 1 passt "${sock}" arp 2>&1)"
if printf '%s' "${out}" | grep -q "is at"; then
	fail "qemu_framing_not_served" "answered: ${out}"
else
	pass "qemu_framing_not_served"
fi
check "after_bad_requests" client arp ping4 ping6
n="$(stats_dump "${PASST_PID}" "${log}")"
v="$(stat_of "${n}" drop_bad_stream_length)"
[ "${v}" -eq 2 ] && pass "bad_lengths_counted" ||
	fail "bad_lengths_counted" "drop_bad_stream_length ${v}, expected 2"
v="$(stat_of "${n}" drop_bad_connect_request)"
[ "${v}" -eq 3 ] && pass "bad_requests_counted" ||
	fail "bad_requests_counted" "drop_bad_connect_request ${v}, expected 3"
daemon_stop_check "stops_gvproxy" --pid "${PASST_PID}" --log "${log}"

# The options: --vsock-port listens on AF_VSOCK (gvproxy framing unless
# told otherwise); with a UNIX socket, --fd or --vhost-user it can't
for bad in "-s ${sock}" "-F 5" "--vhost-user"; do
	# shellcheck disable=SC2086 # the options are words
	out="$(in_host timeout 5 "${PASST}" -f --vsock-port 1024 ${bad} 2>&1)"
	rc=$?
	check_grep "vsock_port_and_${bad%% *}_refused" "exclusive" "rc ${rc} ${out}"
done
out="$(in_host timeout 5 "${PASST}" -f --vsock-cid 3 2>&1)"
check_grep "vsock_cid_alone_refused" "needs --vsock-port" "${out}"
out="$(in_host timeout 5 "${PASST}" -f --framing tcp 2>&1)"
check_grep "framing_bad_refused" "must be qemu or gvproxy" "${out}"
out="$(in_host timeout 5 "${PASTA:-${PASST%/*}/pasta}" --vsock-port 1024 2>&1)"
check_grep "vsock_port_passt_only" "only valid for passt" "${out}"

vlog="${T_TMP}/vsock.log"
if passt_start --vsock-port 10240 -l "${vlog}" -d && pid_alive "${PASST_PID}"; then
	check_grep "vsock_listens" "Listening on AF_VSOCK port 10240 .CID any., gvproxy framing" "$(cat "${vlog}")"
	daemon_stop_check "stops_vsock" --pid "${PASST_PID}" --log "${vlog}"
elif grep -q "Couldn't create an AF_VSOCK socket" "${T_TMP}/passt.out"; then
	skip "vsock_listens" "no AF_VSOCK here: $(cat "${T_TMP}/passt.out")"
else
	fail "vsock_listens" "exit ${PASST_RC}: $(tail -n 3 "${T_TMP}/passt.out")"
fi

lib_done
