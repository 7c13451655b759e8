#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_user.sh - passt --vhost-user: the protocol as QEMU speaks it, from
# a frontend of ours (test/lib/vu_peer.py: its own memfd memory and rings),
# frames both ways through the rings, then malformed messages and rings:
# each closes its connection with a warning, and the next frontend is
# served; the daemon survives
#
# Topology: see test/lib/lib.sh. passt runs in the host namespace; the
# "guest" is the python frontend on passt's socket.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "vhost_user" "${PYTHON:-python3}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

sock="${T_TMP}/passt.socket"
pidf="${T_TMP}/passt.pid"
log="${T_TMP}/passt.log"
VU_PEER="${LIB_DIR}/vu_peer.py"

# peer() - Run vu_peer.py checks against passt's socket
# $@:	Checks
peer() {
	ip netns exec "${HOST_NS}" timeout 60 "${PYTHON}" "${VU_PEER}" \
		--timeout 3 --pid "${PASST_PID}" "${sock}" "$@"
}

# libvirt asks first: a JSON object naming the backend's type
out="$("${PASST}" --print-capabilities 2>&1)"
if printf '%s' "${out}" | "${PYTHON}" -c \
   'import json, sys; sys.exit(json.load(sys.stdin) != {"type": "net"})'; then
	pass "print_capabilities"
else
	fail "print_capabilities" "${out}"
fi

timeout 20 ip netns exec "${HOST_NS}" "${PASST}" --vhost-user -s "${sock}" \
	-P "${pidf}" -l "${log}" > "${T_TMP}/passt.out" 2>&1 < /dev/null
rc=$?
PASST_PID="$(cat "${pidf}" 2>/dev/null)"
[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
if [ ${rc} -ne 0 ] || [ -z "${PASST_PID}" ]; then
	fail "start" "exit ${rc}: $(cat "${T_TMP}/passt.out")"
	lib_done
fi

check "session" peer session
check "unused_fds_closed" peer fds

# bad() - A malformed message closes its connection, with a warning that
#	  says why, and the next frontend gets a working session
# $1:	vu_peer.py check
# $2:	What the warning must say (extended regular expression)
bad() {
	local n
	n="$(grep -c "closing the connection" "${log}")"
	check "${1#bad-}_closes" peer "$1" || return
	wait_for 2 _lib_log_more "${log}" "closing the connection" "${n}"
	check_grep "${1#bad-}_warned" "$2" "$(tail -n 3 "${log}")"
}

bad bad-size		"payload of 4097 bytes, more than 4096"
bad bad-version		"flags 0x2: not a version 1 request"
bad bad-reply-flag	"flags 0x5: not a version 1 request"
bad bad-short		"payload of 4 bytes, not 8"
bad bad-cut		"payload of 4 bytes, header says 8"
bad bad-features	"features 0x8000000000000000, we offered"
bad bad-queue-index	"queue index 5, we have 2"
bad bad-queue-size	"queue size 100: not a power of two"
bad bad-mem-fds		"1 regions, 0 descriptors"
bad bad-mem-beyond	"beyond its file"
bad bad-mem-wrap	"wraps"
bad bad-ring-outside	"ring outside guest memory"
bad bad-kick-nofd	"no kick descriptor"
bad bad-log-base	"dirty page logging .* not implemented"
bad bad-unknown		"request 99 refused.*unsupported request"

check "session_after_bad_messages" peer session
# ...but one we don't know, asking for an answer (a newer frontend's), is
# refused with one, and the session goes on
check "unknown_request_refused" peer unknown-acked
check_grep "unknown_request_warned" "request 99 not supported, refused" \
	"$(tail -n 3 "${log}")"

# Frames: an ARP request on the transmit queue, its reply written into our
# receive buffers; an ICMP echo with 1200 bytes, answered byte for byte
check "arp" peer arp
check "ping4" peer ping4
check "ping4_scattered_merged" peer ping4-big
check "short_chain_dropped" peer short-chain

# Segmentation offloads to the guest: a download from a host server in
# TCP super-frames (GUEST_TSO4/6, the MSS our frontend announces), and a
# train from a host peer in one frame (GUEST_USO4/6), both byte for byte
TSO_PORT=18471
USO_PORT=18472
make_random_file "${T_TMP}/tso.data" 256
ip netns exec "${HOST_NS}" timeout 60 socat -U \
	TCP4-LISTEN:${TSO_PORT},bind=127.0.0.1,reuseaddr,fork \
	OPEN:"${T_TMP}/tso.data" > "${T_TMP}/tso.srv" 2>&1 &
track_pid $!
ip netns exec "${HOST_NS}" timeout 60 "${PYTHON}" "${LIB_DIR}/udp_peer.py" \
	echo_srv "${USO_PORT}" 127.0.0.1 > "${T_TMP}/uso.srv" 2>&1 &
track_pid $!
# srv_ready() - Are both servers up
srv_ready() {
	ip netns exec "${HOST_NS}" ss -ltnH "sport = :${TSO_PORT}" | grep -q . &&
		grep -q ready "${T_TMP}/uso.srv"
}
if wait_for 10 srv_ready; then
	before="$(stats_dump "${PASST_PID}" "${log}")"
	check "tso_download_super_frames" peer --port "${TSO_PORT}" \
		--data "${T_TMP}/tso.data" tso4
	# Buffers too few for a super-frame: segments, no stall
	check "tso_few_buffers_segments" peer --port "${TSO_PORT}" \
		--data "${T_TMP}/tso.data" tso4-small
	check "uso_train_one_frame" peer --port "${USO_PORT}" uso4
	after="$(stats_dump "${PASST_PID}" "${log}")"
	n=$(( $(stat_of "${after}" tap_super_frames_out) -
	      $(stat_of "${before}" tap_super_frames_out) ))
	[ "${n}" -ge 2 ] && pass "super_frames_out_counted" ||
		fail "super_frames_out_counted" "tap_super_frames_out grew by ${n}"
else
	fail "offload_servers" "$(cat "${T_TMP}/tso.srv" "${T_TMP}/uso.srv")"
fi
stats="$(stats_dump "${PASST_PID}" "${log}")"
[ "$(stat_of "${stats}" drop_virtqueue_chain)" -ge 1 ] &&
	pass "short_chain_counted" ||
	fail "short_chain_counted" "drop_virtqueue_chain $(stat_of "${stats}" drop_virtqueue_chain)"

# Uploads from guest memory to a host server that waits a second before
# reading (vu_peer.py's own, on loopback). With --zerocopy auto, the
# default, loopback peers get copies: no chain is held
UP_PORT=18473
# zc_delta() - Growth of a counter between two stats_dump outputs
# $1:	Before
# $2:	After
# $3:	Counter
zc_delta() {
	echo $(( $(stat_of "$2" "$3") - $(stat_of "$1" "$3") ))
}
before="$(stats_dump "${PASST_PID}" "${log}")"
out="$(peer --timeout 10 --port "${UP_PORT}" --size 2048 upload-overwrite 2>&1)"
if [ $? -eq 0 ]; then
	pass "upload_copied_hashed"
	after="$(stats_dump "${PASST_PID}" "${log}")"
	n="$(zc_delta "${before}" "${after}" zc_vu_chains_held)"
	[ "${n}" -eq 0 ] && [ "$(zc_delta "${before}" "${after}" zc_sends)" -eq 0 ] &&
		check_grep "upload_copied_nothing_held" "held 0\$" "${out}" ||
		fail "upload_copied_nothing_held" "zc_vu_chains_held grew by ${n}: ${out}"
else
	fail "upload_copied_hashed" "${out}"
fi

# Malformed rings: the chain is refused, the connection closed
bad bad-loop		"transmit queue.*descriptor chain loops"
bad bad-out-of-region	"transmit queue.*buffer outside guest memory"
bad bad-oversized	"transmit queue.*buffer outside guest memory"
bad bad-next		"transmit queue.*next descriptor beyond the table"
bad bad-writable-tx	"transmit queue.*writable descriptor in transmit chain"
bad bad-indirect-len	"transmit queue.*indirect descriptor, not negotiated"
check "arp_after_bad_rings" peer arp ping4
pid_alive "${PASST_PID}" && pass "alive" || fail "alive" "passt exited"
daemon_stop_check "stop" --pid "${PASST_PID}" --log "${log}"

# --zerocopy on: the same uploads go with MSG_ZEROCOPY straight from guest
# memory, until the first completion says the kernel copied (loopback):
# the socket copies from then on. Chains of zero-copy sends come back only
# after their completion, when the server read their bytes: a frontend
# that overwrites each buffer as soon as it's returned must not corrupt
# the upload (it would if chains came back at once: the bytes wait in the
# socket till the server reads)
timeout 20 ip netns exec "${HOST_NS}" "${PASST}" --vhost-user -s "${sock}" \
	--zerocopy on -P "${pidf}" -l "${log}" > "${T_TMP}/passt.out" 2>&1 \
	< /dev/null
rc=$?
PASST_PID="$(cat "${pidf}" 2>/dev/null)"
[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
if [ ${rc} -ne 0 ] || [ -z "${PASST_PID}" ]; then
	fail "zc_start" "exit ${rc}: $(cat "${T_TMP}/passt.out")"
	lib_done
fi
# zc_upload() - An upload with --zerocopy on, and what the counters say
# $1:	Check name
# $2:	vu_peer.py check
zc_upload() {
	local out before after held rel segs
	before="$(stats_dump "${PASST_PID}" "${log}")"
	out="$(peer --timeout 10 --port "${UP_PORT}" --size 2048 "$2" 2>&1)"
	if [ $? -ne 0 ]; then
		fail "$1_hashed" "${out}"
		return
	fi
	pass "$1_hashed"
	after="$(stats_dump "${PASST_PID}" "${log}")"
	held="$(zc_delta "${before}" "${after}" zc_vu_chains_held)"
	rel="$(zc_delta "${before}" "${after}" zc_vu_chains_released)"
	segs="$(printf '%s' "${out}" | sed -n 's/.* \([0-9]*\) segments.*/\1/p')"
	# Held past their batch, all returned by the end (the frontend
	# waited for every buffer), and seen by it to come back late
	[ "${held}" -gt 0 ] && [ "${rel}" -eq "${held}" ] &&
		! printf '%s' "${out}" | grep -q "held 0$" &&
		pass "$1_held_till_completed" ||
		fail "$1_held_till_completed" "held ${held}, released ${rel}: ${out}"
	# The kernel copied (loopback): the socket switched, the rest of
	# the chains came back at once
	[ "$(zc_delta "${before}" "${after}" zc_off_after_copied)" -ge 1 ] &&
		[ "${held}" -lt "${segs:-0}" ] &&
		pass "$1_copied_then_at_once" ||
		fail "$1_copied_then_at_once" "held ${held} of ${segs} segments, zc_off_after_copied $(zc_delta "${before}" "${after}" zc_off_after_copied)"
}
zc_upload "zc_upload" upload
zc_upload "zc_upload_overwritten" upload-overwrite
# Frames in two descriptors, headers and payload, as Linux guests send
# them: parsed from our copy, the payload sent from guest memory
zc_upload "zc_upload_split_overwritten" upload-split-overwrite

# The frontend leaves with chains held: they are forgotten (no ring to
# return them to), the socket waits for its completions, the next
# frontend is served
before="$(stats_dump "${PASST_PID}" "${log}")"
check "zc_upload_abort" peer --timeout 10 --port "${UP_PORT}" --delay 2 \
	--size 4096 upload-abort
sleep 2.5
check "zc_session_after_abort" peer arp
after="$(stats_dump "${PASST_PID}" "${log}")"
n="$(zc_delta "${before}" "${after}" zc_vu_chains_forgotten)"
[ "${n}" -gt 0 ] && pass "zc_abort_chains_forgotten" ||
	fail "zc_abort_chains_forgotten" "zc_vu_chains_forgotten grew by ${n}"
n="$(zc_delta "${before}" "${after}" zc_sockets_closed_later)"
[ "${n}" -ge 1 ] && pass "zc_abort_socket_closed_later" ||
	fail "zc_abort_socket_closed_later" "zc_sockets_closed_later grew by ${n}"
pid_alive "${PASST_PID}" && pass "zc_alive" || fail "zc_alive" "passt exited"
daemon_stop_check "zc_stop" --pid "${PASST_PID}" --log "${log}"

lib_done
