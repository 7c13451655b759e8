#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_guest.sh - passt's TCP towards a guest whose TCP we write ourselves
# (test/lib/tcp_guest.py on passt's socket): our SYN sent again when the
# guest ignores it, the window of the guest's SYN-ACK taken unscaled, a
# guest that stops reading its link (no busy loop in passt, and every byte
# and the FIN delivered once it reads again), a guest that acknowledges
# nothing for a while (no busy loop either), one duplicate ACK for each
# segment after a hole, segments lost on the way to the guest (sent again
# from the socket, or from what --tcp-zerocopy-rx holds), and a guest that
# leaves (its connections reset on the host side, nothing of it left for
# the next guest, which gets its frames at its own MAC address)
#
# Topology: see test/lib/lib.sh. passt runs in the host namespace with a
# forwarded port; host clients connect to the host namespace's own
# address, passt opens the connection towards the python guest:
#
#   host namespace pt-tcp_guest-PID
#   socat -> 198.51.100.2:P ==> passt -t P ==> unix socket ==> tcp_guest.py
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" "${PYTHON:-python3}" socat sha256sum || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

GUEST="${LIB_DIR}/tcp_guest.py"
sock="${T_TMP}/passt.socket"
pidf="${T_TMP}/passt.pid"
log="${T_TMP}/passt.log"
PORT=31000
FILE="${T_TMP}/file"
FILE_KIB=4096

make_random_file "${FILE}" "${FILE_KIB}"
FILE_SUM="$(sha256sum < "${FILE}" | cut -d' ' -f1)"

# guest_bg() - Start tcp_guest.py in the background, output to a file
# $1:	Output file
# $@:	Arguments, as for tcp_guest.py after the socket
# Sets GUEST_PID.
guest_bg() {
	local out="$1" sub="$2"
	shift 2
	ip netns exec "${HOST_NS}" timeout 30 "${PYTHON}" "${GUEST}" \
		--timeout 15 "${sub}" "${sock}" "$@" > "${out}" 2>&1 &
	GUEST_PID=$!
	track_pid "${GUEST_PID}"
}

# client_bg() - A host client sending the file to the forwarded port
# Sets CLIENT_PID.
client_bg() {
	ip netns exec "${HOST_NS}" timeout 30 socat -u OPEN:"${FILE}" \
		TCP:"${HOST_ADDR4}:${PORT}" > "${T_TMP}/client.out" 2>&1 &
	CLIENT_PID=$!
	track_pid "${CLIENT_PID}"
}

# cpu_ticks() - User and system time of a process, in clock ticks
# $1:	PID
cpu_ticks() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
	stat="${stat##*) }"
	set -- ${stat}
	echo $(( ${12} + ${13} ))
}

rm -f "${pidf}"
if ! timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -s "${sock}" \
	-P "${pidf}" -l "${log}" -d -t "${PORT}" > "${T_TMP}/passt.out" 2>&1 \
	< /dev/null; then
	fail "start" "passt: $(cat "${T_TMP}/passt.out")"
	lib_done
fi
PASST_PID="$(cat "${pidf}")"
track_pid "${PASST_PID}"


# --- our SYN, ignored once, comes again ------------------------------------

guest_bg "${T_TMP}/g.out" syn_retrans "${PORT}"
sleep 0.3
client_bg
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
	out="$(cat "${T_TMP}/g.out")"
	if [ "$(echo "${out}" | awk '/syn resent/ { print $8 }')" = "${FILE_SUM}" ]; then
		pass "syn_retransmitted: ${out%%;*}"
	else
		fail "syn_retransmitted" "data differs: ${out}"
	fi
else
	fail "syn_retransmitted" "$(cat "${T_TMP}/g.out")"
fi
wait_for 5 pid_gone "${CLIENT_PID}"

# --- the window of the guest's SYN-ACK is not scaled -----------------------

guest_bg "${T_TMP}/g.out" synack_wnd "${PORT}" 2000 7
sleep 0.3
client_bg
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
	pass "synack_window_unscaled: $(cat "${T_TMP}/g.out")"
else
	fail "synack_window_unscaled" "$(cat "${T_TMP}/g.out")"
fi
kill "${CLIENT_PID}" 2>/dev/null
wait_for 5 pid_gone "${CLIENT_PID}"
daemon_answers "alive_after_handshakes" --pid "${PASST_PID}" --log "${log}" \
	--sock "${sock}"

# --- a guest that stops reading its link -----------------------------------

STALL_S=3
guest_bg "${T_TMP}/g.out" stall "${PORT}" "${STALL_S}"
sleep 0.3
client_bg
if wait_for 10 grep -q established "${T_TMP}/g.out"; then
	# The host's data waits in passt's socket, the stream socket is full
	sleep 0.5
	t0="$(cpu_ticks "${PASST_PID}")"
	sleep 2
	t1="$(cpu_ticks "${PASST_PID}")"
	ticks=$((t1 - t0))
	hz="$(getconf CLK_TCK)"
	# Busy looping takes all of the two seconds; waiting takes nothing
	if [ "${ticks}" -le $((hz / 5)) ]; then
		pass "stalled_guest_no_busy_loop: ${ticks} ticks of CPU in 2 s"
	else
		fail "stalled_guest_no_busy_loop" "passt used ${ticks} ticks of CPU in 2 s (${hz} a second) while the guest didn't read"
	fi
else
	fail "stalled_guest_no_busy_loop" "no connection: $(cat "${T_TMP}/g.out")"
fi
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
	got="$(tail -n 1 "${T_TMP}/g.out")"
	if [ "${got}" = "$((FILE_KIB * 1024)) ${FILE_SUM}" ]; then
		pass "stalled_guest_gets_all_and_fin"
	else
		fail "stalled_guest_gets_all_and_fin" "got '${got}', sent $((FILE_KIB * 1024)) ${FILE_SUM}"
	fi
else
	fail "stalled_guest_gets_all_and_fin" "$(cat "${T_TMP}/g.out")"
fi
wait_for 5 pid_gone "${CLIENT_PID}"

# A host peer that resets while the guest doesn't read: the reset reaches
# the guest once it reads again, although the link was full when it came.
# Less data than a receive window of passt's socket holds, so that the
# host's reset isn't out of that window, which the kernel would ignore
head -c 400000 "${FILE}" > "${T_TMP}/mid"
guest_bg "${T_TMP}/g.out" stall "${PORT}" "${STALL_S}"
sleep 0.3
in_host timeout 20 "${PYTHON}" -c '
import socket, struct, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(open(sys.argv[3], "rb").read())
time.sleep(1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
' "${HOST_ADDR4}" "${PORT}" "${T_TMP}/mid" > "${T_TMP}/client.out" 2>&1 &
CLIENT_PID=$!
track_pid "${CLIENT_PID}"
if wait_for 20 pid_gone "${GUEST_PID}" && ! wait "${GUEST_PID}" &&
   grep -q "reset by passt" "${T_TMP}/g.out"; then
	pass "stalled_guest_gets_reset: $(tail -n 1 "${T_TMP}/g.out")"
else
	fail "stalled_guest_gets_reset" "guest: $(cat "${T_TMP}/g.out")"
fi
wait_for 5 pid_gone "${CLIENT_PID}"
stats="$(stats_dump "${PASST_PID}" "${log}")"
n="$(stat_of "${stats}" tcp_resets_deferred)"
[ "${n}" -ge 1 ] && pass "reset_waited_for_backend: ${n}" ||
	fail "reset_waited_for_backend" "tcp_resets_deferred is ${n}: the reset didn't wait for the full link"

# --- a guest that acknowledges nothing for a while -------------------------

# A little data in flight, the host socket open and quiet: the data stays
# readable in the socket (only peeked) until the guest acknowledges it,
# which must not wake passt again and again
head -c 1000 "${FILE}" > "${T_TMP}/small"
SMALL_SUM="$(sha256sum < "${T_TMP}/small" | cut -d' ' -f1)"
guest_bg "${T_TMP}/g.out" quiet "${PORT}" 3
sleep 0.3
ip netns exec "${HOST_NS}" timeout 30 sh -c "(cat ${T_TMP}/small; sleep 4) |
	socat -u - TCP:${HOST_ADDR4}:${PORT}" > "${T_TMP}/client.out" 2>&1 &
CLIENT_PID=$!
track_pid "${CLIENT_PID}"
if wait_for 10 grep -q established "${T_TMP}/g.out"; then
	sleep 0.5
	t0="$(cpu_ticks "${PASST_PID}")"
	sleep 2
	ticks=$(( $(cpu_ticks "${PASST_PID}") - t0 ))
	hz="$(getconf CLK_TCK)"
	if [ "${ticks}" -le $((hz / 5)) ]; then
		pass "unacked_data_no_busy_loop: ${ticks} ticks of CPU in 2 s"
	else
		fail "unacked_data_no_busy_loop" "passt used ${ticks} ticks of CPU in 2 s (${hz} a second) with 1000 bytes unacknowledged"
	fi
else
	fail "unacked_data_no_busy_loop" "no connection: $(cat "${T_TMP}/g.out")"
fi
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
	got="$(tail -n 1 "${T_TMP}/g.out")"
	[ "${got}" = "1000 ${SMALL_SUM}" ] && pass "unacked_data_then_fin" ||
		fail "unacked_data_then_fin" "got '${got}', sent 1000 ${SMALL_SUM}"
else
	fail "unacked_data_then_fin" "$(cat "${T_TMP}/g.out")"
fi
wait_for 10 pid_gone "${CLIENT_PID}"

# --- segments after a hole ------------------------------------------------

# Each one dropped gets its duplicate ACK (RFC 5681, 4.2), so that a sender
# without SACK retransmits the missing one at once instead of after its
# timeout: in loss recovery that can take seconds, a transfer's stall
HOLE_N=20
guest_bg "${T_TMP}/g.out" hole "${PORT}" "${HOLE_N}"
sleep 0.3
rm -f "${T_TMP}/hole.got"
ip netns exec "${HOST_NS}" timeout 30 socat -u TCP:"${HOST_ADDR4}:${PORT}" \
	CREATE:"${T_TMP}/hole.got" > "${T_TMP}/client.out" 2>&1 &
CLIENT_PID=$!
track_pid "${CLIENT_PID}"
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}" &&
   wait_for 10 pid_gone "${CLIENT_PID}"; then
	want="$(tail -n 1 "${T_TMP}/g.out")"
	got="$(stat -c %s "${T_TMP}/hole.got") $(sha256sum < "${T_TMP}/hole.got" | cut -d' ' -f1)"
	if [ "${got}" = "${want}" ]; then
		pass "hole_dup_ack_each: $(head -n 1 "${T_TMP}/g.out") for ${HOLE_N} segments, then every byte"
	else
		fail "hole_dup_ack_each" "host got '${got}', guest sent '${want}'"
	fi
else
	fail "hole_dup_ack_each" "$(cat "${T_TMP}/g.out") $(cat "${T_TMP}/client.out")"
fi
kill "${CLIENT_PID}" 2>/dev/null

# --- a guest that leaves, and the next one ---------------------------------

# A host client that reads until its connection ends, and says how
guest_bg "${T_TMP}/g.out" hold "${PORT}"
sleep 0.3
in_host timeout 20 "${PYTHON}" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print("connected", flush=True)
s.settimeout(15)
try:
    d = s.recv(1)
    print("eof" if not d else "data")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")
' "${HOST_ADDR4}" "${PORT}" > "${T_TMP}/c.out" 2>&1 &
CLIENT_PID=$!
track_pid "${CLIENT_PID}"
if wait_for 10 grep -q established "${T_TMP}/g.out"; then
	kill "${GUEST_PID}"
	t0="$(now_ms)"
	if wait_for 5 pid_gone "${CLIENT_PID}" &&
	   grep -qE '^(reset|eof)$' "${T_TMP}/c.out"; then
		pass "guest_gone_host_side_closed: $(tail -n 1 "${T_TMP}/c.out") after $(elapsed_ms "${t0}") ms"
	else
		fail "guest_gone_host_side_closed" "host client: $(cat "${T_TMP}/c.out")"
	fi
else
	fail "guest_gone_host_side_closed" "no connection: $(cat "${T_TMP}/g.out")"
	kill "${GUEST_PID}" 2>/dev/null
fi
wait_for 5 pid_gone "${GUEST_PID}"

# A new guest, with a MAC address of its own: answered at that address,
# and connections go to it
NEW_MAC=0a:0b:0c:0d:0e:42
if out="$(in_host timeout 10 "${PYTHON}" "${GUEST}" --mac "${NEW_MAC}" arp \
	  "${sock}" 2>&1)"; then
	pass "next_guest_arp_at_its_mac"
else
	fail "next_guest_arp_at_its_mac" "${out}"
fi
ip netns exec "${HOST_NS}" timeout 30 "${PYTHON}" "${GUEST}" --timeout 10 \
	--mac "${NEW_MAC}" syn_retrans "${sock}" "${PORT}" > "${T_TMP}/g.out" 2>&1 &
GUEST_PID=$!
track_pid "${GUEST_PID}"
sleep 0.3
client_bg
if wait_for 20 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
	pass "next_guest_connection_at_its_mac"
else
	fail "next_guest_connection_at_its_mac" "$(cat "${T_TMP}/g.out")"
fi
wait_for 5 pid_gone "${CLIENT_PID}"

stats="$(stats_dump "${PASST_PID}" "${log}")"
n="$(stat_of "${stats}" tcp_retransmits_handshake)"
[ "${n}" -ge 2 ] && pass "handshake_retransmits_counted: ${n}" ||
	fail "handshake_retransmits_counted" "tcp_retransmits_handshake is ${n}, expected 2 or more"

daemon_answers "daemon_answers" --pid "${PASST_PID}" --log "${log}" \
	--sock "${sock}"
daemon_stop_check "daemon_stop" --pid "${PASST_PID}" --log "${log}"

# --- segments lost, data sent again from what passt holds ------------------

# The guest drops the first copy of every LOSSY_N-th segment: passt goes
# back to the acknowledged point on its duplicate ACKs, and sends again
# what it peeked (the data stays in the socket), or with
# --tcp-zerocopy-rx on, what it took out of the socket and holds itself
LOSSY_N=25

# lossy_round() - A fresh passt, the host client's file through it to a
#		  guest that loses segments
# $1:	Check name prefix
# $@:	passt options
lossy_round() {
	local pfx="$1" stats want got n
	shift
	rm -f "${pidf}" "${sock}"
	if ! timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -s "${sock}" \
		-P "${pidf}" -l "${log}.${pfx}" -d -t "${PORT}" "$@" \
		> "${T_TMP}/passt.out" 2>&1 < /dev/null; then
		fail "${pfx}_start" "passt: $(cat "${T_TMP}/passt.out")"
		return
	fi
	PASST_PID="$(cat "${pidf}")"
	track_pid "${PASST_PID}"
	guest_bg "${T_TMP}/g.out" lossy "${PORT}" "${LOSSY_N}"
	sleep 0.3
	client_bg
	if wait_for 25 pid_gone "${GUEST_PID}" && wait "${GUEST_PID}"; then
		got="$(sed -n 1p "${T_TMP}/g.out")"
		want="$((FILE_KIB * 1024)) ${FILE_SUM}"
		[ "${got}" = "${want}" ] &&
			pass "${pfx}_every_byte: $(sed -n 2p "${T_TMP}/g.out")" ||
			fail "${pfx}_every_byte" "guest got '${got}', sent ${want}"
	else
		fail "${pfx}_every_byte" "$(cat "${T_TMP}/g.out")"
	fi
	wait_for 10 pid_gone "${CLIENT_PID}"
	stats="$(stats_dump "${PASST_PID}" "${log}.${pfx}")"
	n="$(stat_of "${stats}" tcp_retransmits_dup_ack)"
	[ "${n}" -ge 1 ] && pass "${pfx}_rewound: ${n} times" ||
		fail "${pfx}_rewound" "tcp_retransmits_dup_ack is ${n}"
	if [ "${pfx}" = lossy_zcrx ]; then
		n="$(stat_of "${stats}" tcp_zcrx_calls)"
		m="$(stat_of "${stats}" tcp_bytes_peeked_at_offset)"
		[ "${n}" -ge 1 ] && [ "${m}" -eq 0 ] &&
			pass "${pfx}_held_not_peeked: ${n} calls" ||
			fail "${pfx}_held_not_peeked" "tcp_zcrx_calls ${n}, tcp_bytes_peeked_at_offset ${m}"
	fi
	daemon_answers "${pfx}_daemon_answers" --pid "${PASST_PID}" \
		--log "${log}.${pfx}" --sock "${sock}"
	daemon_stop_check "${pfx}_daemon_stop" --pid "${PASST_PID}" \
		--log "${log}.${pfx}"
}

lossy_round lossy_peek
lossy_round lossy_zcrx --tcp-zerocopy-rx on

lib_done
