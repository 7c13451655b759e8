#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp.sh - UDP through pasta, both families, with real clients: echo
# round trips of 0 to 65000 bytes each way (tap path and spliced), iperf3
# -u both ways, ICMP port unreachable relayed as ECONNREFUSED, 1000 short
# flows answered and then expired; bad input: datagrams beyond the MTU,
# UDP lengths that lie, a full flow table. DNS forwarding: udp_dns.sh.
#
# Topology: see test/lib/lib.sh. Host servers listen on the host
# namespace's loopback, reached from pasta's namespace through the
# gateway; host clients reach the forwarded port on the host namespace's
# own address (tap path) or on its loopback (spliced):
#
#   host namespace pt-udp-PID                        pasta's namespace
#   echo 127.0.0.1 / ::1 :4000       <== tap ==  clients -> gateway
#   iperf3 -s 127.0.0.1 / ::1 :5201                198.51.100.1 / 2001:db8::1
#   4000 (closed: 4999)              <== splice (-U 4000) == clients -> lo
#   clients -> 198.51.100.2 / 2001:db8::2 :5000 == tap ==> echo [::]:5000
#   clients -> 127.0.0.1 / ::1 :5000 == splice (-u 5000) ==> echo [::]:5000
#   (raw frames written on the namespace's tap: AF_PACKET)
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat iperf3 ss "${PYTHON:-python3}" || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

PEER="${LIB_DIR}/udp_peer.py"
TMO=(timeout 60)
ECHO_PORT=4000		# host namespace's echo server, also -U
CLOSED_PORT=4999	# nothing there
FWD_PORT=5000		# -u: the namespace's echo server
IPERF_PORT=5201
IPERF_RATE=200M
SIZES="1 1472 8000 65000"
FLOWS=1000
IPERF_SECS=5
# Short form (test/run's sanitizer pass): the same checks, less traffic,
# and half the UDP rate: the ASan build takes two to three times the CPU
# per datagram, and lost over 1 % at 200 Mbit/s on a loaded machine
if [ -n "${E2E_SHORT}" ]; then
	FLOWS=200 IPERF_SECS=2 IPERF_RATE=100M
fi
SHORT_TMO=6		# UDP timeouts for the expiry checks: see there
STREAM_TMO=20

# --- helpers -----------------------------------------------------------------

# host_bg() - Start a command in the host namespace, in the background
# $1:	Output file
# $@:	Command
# Sets BG_PID.
host_bg() {
	local out="$1"
	shift
	ip netns exec "${HOST_NS}" "$@" > "${out}" 2>&1 &
	BG_PID=$!
	track_pid "${BG_PID}"
}

# ns_bg() - Start a command in pasta's namespace, in the background
# $1:	Output file
# $@:	Command
# Sets BG_PID.
ns_bg() {
	local out="$1"
	shift
	nsenter -t "${NS_PID}" -n -- "$@" > "${out}" 2>&1 &
	BG_PID=$!
	track_pid "${BG_PID}"
}

# peer_bg() - Start a udp_peer.py server, wait until it's bound
# $1:	host_bg or ns_bg
# $2:	Name, for its output file
# $@:	udp_peer.py arguments
# Return: 0 once it's ready, 1 if it isn't within 10 s, with PEER_ERR set
#
# Not to be called in a subshell: BG_PID, and the PID that clean-up ends,
# must reach the script itself.
peer_bg() {
	local how="$1" out="${T_TMP}/$2.out"
	shift 2
	"${how}" "${out}" "${TMO[@]}" "${PYTHON}" "${PEER}" "$@"
	wait_for 10 grep -q ready "${out}" && return 0
	PEER_ERR="server $* didn't start: $(cat "${out}")"
	return 1
}

# peer() - Run udp_peer.py in a namespace
# $1:	in_host or in_ns
# $@:	udp_peer.py arguments
peer() {
	local where="$1"
	shift
	"${where}" "${TMO[@]}" "${PYTHON}" "${PEER}" "$@"
}

# pid_wait() - Wait for one of our background processes to end, bounded
# $1:	PID
# $2:	Timeout, seconds
pid_wait() {
	wait_for "$2" pid_gone "$1"
}

# pasta_end() - End the pasta_spawn daemon and its namespace's process
# $1:	Check name for the daemon's SIGTERM, see daemon_stop_check
pasta_end() {
	daemon_stop_check "$1"
	kill "${PASTA_PID}" "${NS_PID}" 2>/dev/null
	pid_wait "${PASTA_PID}" 5 || kill -KILL "${PASTA_PID}" 2>/dev/null
}

# alive_check() - The daemon is still running, and its loop answers
# $1:	Check name
alive_check() {
	daemon_answers "$1"
}

# stats() - Counters of the pasta_spawn daemon, see stats_dump
stats() {
	stats_dump "${PASTA_PID}" "${PASTA_LOG}"
}

# grew_check() - Pass if a counter grew by at least some amount
# $1:	Check name
# $2:	stats output before
# $3:	stats output after
# $4:	Counter
# $5:	Least growth, default 1
grew_check() {
	local d=$(( $(stat_of "$3" "$4") - $(stat_of "$2" "$4") ))
	if [ "${d}" -ge "${5:-1}" ]; then
		pass "$1"
	else
		fail "$1" "$4 grew by ${d}, expected ${5:-1} or more"
	fi
}

# poll_until() - Poll a command until it succeeds, bounded in wall-clock
#		  time (wait_for counts its own sleeps only, and the commands
#		  polled here take a while: a SIGUSR1 round trip each)
# $1:	Timeout, seconds
# $@:	Command
poll_until() {
	local end=$(( $(now_ms) + $1 * 1000 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt "${end}" ] || return 1
		sleep 0.2
	done
}

# flows_active() - Flows in use now, from the SIGUSR1 dump
#
# Not a counter: passt_stats_log() writes it as "flows_active: N of MAX".
flows_active() {
	stats > /dev/null || return 1
	sed -n 's/^[0-9.]*: *flows_active: \([0-9]*\) of [0-9]*$/\1/p' \
		"${PASTA_LOG}" | tail -n 1
}
_flows_at_most() {
	[ "$(flows_active)" -le "$1" ]
}
_flows_at_least() {
	[ "$(flows_active)" -ge "$1" ]
}

# tap_tx_dropped() - Frames the namespace's tap device dropped on transmit
tap_tx_dropped() {
	in_ns ip -s link show dev "${HOST_IF}" |
		awk '/^ *TX:/ { getline; print $4; exit }'
}

# socat_echo() - Round trips with socat as the client, byte for byte
# $1:	in_host or in_ns
# $2:	socat address, UDP4:HOST:PORT or UDP6:[HOST]:PORT
# $@:	Payload sizes, one datagram each (at most socat's -b, 65536)
#
# socat sends what one read of its input gives, then waits -t seconds
# after the end of input for answers: a short wait, a longer one if the
# echo wasn't complete by then (a busy machine).
socat_echo() {
	local where="$1" addr="$2" size t in="${T_TMP}/socat.in" \
	      out="${T_TMP}/socat.out" err=""
	shift 2
	for size in "$@"; do
		head -c "${size}" /dev/urandom > "${in}"
		for t in 0.3 1.5; do
			"${where}" timeout 20 socat -b 65536 -t "${t}" - \
				"${addr}" < "${in}" > "${out}" 2>"${out}.err"
			cmp -s "${in}" "${out}" && break
		done
		if ! cmp_bytes "${in}" "${out}" >/dev/null; then
			err="${err}${size} bytes: $(cmp_bytes "${in}" "${out}") $(head -c 200 "${out}.err"); "
		fi
	done
	[ -z "${err}" ] && return 0
	echo "${err}"
	return 1
}

# iperf_check() - iperf3 -u between pasta's namespace and the host's
#		  loopback, through the gateway: exit 0, loss under 1 %
# $1:	Check name
# $2:	Gateway address, for the client
# $3:	Host loopback address, for the server
# $4:	"-R" for host to namespace, or nothing
#
# Socket buffers of 1 MiB (-w, both ends) let the receiving iperf3 sit
# out a few milliseconds without the CPU; the run is repeated once if
# the first loses more than 1 %, as a busy machine (make bench) may
# make it do: a loss of the daemon's own would show in both.
iperf_check() {
	local name="$1" try res
	for try in 1 2; do
		iperf_run "$2" "$3" "$4"
		res="${IPERF_RES}"
		[ "${res%% *}" = lossy ] || break
		[ ${try} -eq 1 ] && echo "${name}: first run: ${res#* }, again"
	done
	if [ "${res%% *}" = ok ]; then
		pass "${name}"
		echo "${name}: ${res#* }"
	else
		fail "${name}" "${res#* }"
	fi
}

# iperf_run() - One iperf3 -u run, see iperf_check
# $1:	Gateway address
# $2:	Host loopback address
# $3:	"-R" or nothing
# Sets IPERF_RES: "ok", "lossy" or "bad", then the rate and loss, or what
# went wrong. Not to be called in a subshell: see peer_bg.
iperf_run() {
	local json="${T_TMP}/iperf.json" srv rc
	host_bg "${T_TMP}/iperf_srv.out" timeout 25 iperf3 -s -1 -B "$2" \
		-p "${IPERF_PORT}"
	srv="${BG_PID}"
	if ! wait_for 10 _tcp_listening "${IPERF_PORT}"; then
		IPERF_RES="bad iperf3 server didn't start: $(cat "${T_TMP}/iperf_srv.out")"
		return
	fi
	in_ns timeout 20 iperf3 -u -c "$1" -p "${IPERF_PORT}" \
		-b "${IPERF_RATE}" -t "${IPERF_SECS}" -l 1400 -w 1M ${3:+"$3"} --json > "${json}" 2>&1
	rc=$?
	pid_wait "${srv}" 5 || kill "${srv}" 2>/dev/null
	# The receiving side's count: sum_received where iperf3 has it
	IPERF_RES="$("${PYTHON}" -c '
import json, sys
rc = int(sys.argv[2])
try:
    j = json.load(open(sys.argv[1]))
except ValueError:
    print("bad iperf3 exit %d, output not JSON: %s" %
          (rc, open(sys.argv[1]).read()[-200:].replace("\n", " ")))
    sys.exit()
if "error" in j:
    print("bad iperf3 exit %d: %s" % (rc, j["error"]))
    sys.exit()
e = j["end"]
s = e.get("sum_received", e.get("sum"))
if rc != 0 or s["packets"] == 0:
    res = "bad iperf3 exit %d:" % rc
elif s["lost_percent"] >= 1:
    res = "lossy"
else:
    res = "ok"
print("%s %.1f Mbit/s, loss %.3f %% of %d datagrams" % (
    res, s["bits_per_second"] / 1e6, s["lost_percent"], s["packets"]))
' "${json}" "${rc}" 2>&1)"
}
_tcp_listening() {
	in_host ss -Hltn "sport = :$1" | grep -q .
}

# --- one daemon: echo both ways, iperf3, ICMP, bad lengths --------------------

if ! pasta_spawn --config-net -u "${FWD_PORT}" -U "${ECHO_PORT}" \
		 -t none -T none; then
	fail "spawn" "pasta didn't start"
	exit 1
fi
ns_dad_wait in_ns "${HOST_IF}" || true

srv_ok=0
if peer_bg host_bg echo_host echo_srv "${ECHO_PORT}" 127.0.0.1 ::1 &&
   peer_bg ns_bg echo_ns echo_srv "${FWD_PORT}" ::; then
	srv_ok=1
else
	fail "echo_servers" "${PEER_ERR}"
fi

before="$(stats)"
for f in 4 6; do
	[ ${srv_ok} -eq 1 ] || break
	if [ ${f} = 4 ]; then
		gw="${HOST_GW4}" h="${HOST_ADDR4}" sgw="${HOST_GW4}" sh="${HOST_ADDR4}"
	else
		gw="${HOST_GW6}" h="${HOST_ADDR6}" sgw="[${HOST_GW6}]" sh="[${HOST_ADDR6}]"
	fi
	# shellcheck disable=SC2086
	check "echo_guest_to_host_ipv${f}" \
		socat_echo in_ns "UDP${f}:${sgw}:${ECHO_PORT}" ${SIZES}
	check "zero_length_guest_to_host_ipv${f}" \
		peer in_ns echo_cli "${gw}" "${ECHO_PORT}" 0 1
	# shellcheck disable=SC2086
	check "echo_host_to_guest_ipv${f}" \
		socat_echo in_host "UDP${f}:${sh}:${FWD_PORT}" ${SIZES}
	check "zero_length_host_to_guest_ipv${f}" \
		peer in_host echo_cli "${h}" "${FWD_PORT}" 0 1
done
after="$(stats)"
if [ ${srv_ok} -eq 1 ]; then
	n="$(( $(stat_of "${after}" udp_flows_spliced) - $(stat_of "${before}" udp_flows_spliced) ))"
	if [ "${n}" -eq 0 ]; then
		pass "echo_tap_path_not_spliced"
	else
		fail "echo_tap_path_not_spliced" "${n} spliced flows from the tap path checks"
	fi
	grew_check "echo_flows_counted" "${before}" "${after}" udp_flows 8
fi

# A train of datagrams sent in one call (UDP_SEGMENT): with USO on the tap
# (Linux 6.2), one super-frame to us, sent on in one call again
before="$(stats)"
for f in 4 6; do
	[ ${srv_ok} -eq 1 ] || break
	[ ${f} = 4 ] && gw="${HOST_GW4}" || gw="${HOST_GW6}"
	check "train_guest_to_host_ipv${f}" \
		peer in_ns train "${gw}" "${ECHO_PORT}" 1400 20
done
after="$(stats)"
if [ ${srv_ok} -eq 1 ] && ! grep -q "UDP super-frames" "${PASTA_LOG}"; then
	skip "train_one_super_frame" "the kernel takes no UDP super-frames on a tap (before 6.2)"
elif [ ${srv_ok} -eq 1 ]; then
	grew_check "train_one_super_frame" "${before}" "${after}" \
		tap_super_frames_in 2
	grew_check "train_segmented_send" "${before}" "${after}" \
		udp_segmented_sends 2
	# Segments that don't fit the host's route (its MTU below them):
	# the host refuses the train whole, and it goes datagram by datagram,
	# each fragmented by the host as any datagram would be
	before="$(stats)"
	in_host ip link set lo mtu 1300
	check "train_split_when_refused" \
		peer in_ns train "${HOST_GW4}" "${ECHO_PORT}" 1400 10
	in_host ip link set lo mtu 65536
	grew_check "train_split_counted" "${before}" "$(stats)" \
		udp_trains_split 1
	# The other way: a host peer's train (UDP_SEGMENT on loopback) comes
	# whole to our socket (UDP_GRO), goes as one super-frame to the
	# namespace, whose kernel cuts it for the client
	before="$(stats)"
	for f in 4 6; do
		[ ${f} = 4 ] && gw="${HOST_GW4}" || gw="${HOST_GW6}"
		check "train_host_to_guest_ipv${f}" \
			peer in_ns train_back "${gw}" "${ECHO_PORT}" 1400 20
	done
	after="$(stats)"
	grew_check "train_to_guest_one_super_frame" "${before}" "${after}" \
		tap_super_frames_out 2
	grew_check "train_to_guest_received_whole" "${before}" "${after}" \
		udp_trains_received 2
	# A host peer's trains to a forwarded port: the first ones make the
	# flow on the port's socket, which takes them cut; the next come
	# whole on the flow's own socket (UDP_GRO), and go on whole
	before="$(stats)"
	check "train_host_to_forwarded_port" \
		peer in_host train "${HOST_ADDR4}" "${FWD_PORT}" 1400 20 3
	grew_check "train_forwarded_received_whole" "${before}" "$(stats)" \
		udp_trains_received 1
fi

# Spliced: loopback to loopback, -u from the host, -U from the namespace
for f in 4 6; do
	[ ${srv_ok} -eq 1 ] || break
	lo=127.0.0.1 slo=127.0.0.1
	[ ${f} = 6 ] && lo=::1 slo="[::1]"
	before="$(stats)"
	# shellcheck disable=SC2086
	check "echo_host_to_guest_spliced_ipv${f}" \
		socat_echo in_host "UDP${f}:${slo}:${FWD_PORT}" ${SIZES}
	check "zero_length_host_to_guest_spliced_ipv${f}" \
		peer in_host echo_cli "${lo}" "${FWD_PORT}" 0 1
	# shellcheck disable=SC2086
	check "echo_guest_to_host_spliced_ipv${f}" \
		socat_echo in_ns "UDP${f}:${slo}:${ECHO_PORT}" ${SIZES}
	check "zero_length_guest_to_host_spliced_ipv${f}" \
		peer in_ns echo_cli "${lo}" "${ECHO_PORT}" 0 1
	after="$(stats)"
	grew_check "echo_spliced_counted_ipv${f}" "${before}" "${after}" \
		udp_flows_spliced 4
done

# ICMP port unreachable from the host's loopback, relayed to the guest
for f in 4 6; do
	gw="${HOST_GW4}"
	[ ${f} = 6 ] && gw="${HOST_GW6}"
	before="$(stats)"
	if out="$(peer in_ns refused "${gw}" "${CLOSED_PORT}" 1000 2>&1)"; then
		pass "refused_ipv${f}"
		echo "ipv${f}: ${out}"
	else
		fail "refused_ipv${f}" "${out}"
	fi
	after="$(stats)"
	grew_check "refused_icmp_relayed_ipv${f}" "${before}" "${after}" \
		udp_icmp_errors_relayed
done

for f in 4 6; do
	if [ ${f} = 4 ]; then gw="${HOST_GW4}" lo=127.0.0.1; else gw="${HOST_GW6}" lo=::1; fi
	iperf_check "iperf3_guest_to_host_ipv${f}" "${gw}" "${lo}" ""
	iperf_check "iperf3_host_to_guest_ipv${f}" "${gw}" "${lo}" -R
done

# Lying UDP lengths, written on the tap: a header cut short is a bad L4
# header; a length below 8 or beyond the packet, a bad UDP length. A
# length shorter than the packet is the datagram's: the rest is padding.
if [ ${srv_ok} -eq 1 ]; then
	# A flow going on meanwhile, to the same port
	ns_bg "${T_TMP}/stream_bad.out" "${TMO[@]}" "${PYTHON}" "${PEER}" \
		stream "${HOST_GW6}" "${ECHO_PORT}" 6 300
	stream_pid="${BG_PID}"
	before="$(stats)"
	if out="$(in_ns "${TMO[@]}" "${PYTHON}" "${PEER}" frames "${HOST_IF}" \
		  "${ECHO_PORT}" udp4-short-header udp6-short-header \
		  udp4-len-below-header udp4-len-beyond-packet \
		  udp6-len-below-header udp6-len-beyond-packet 2>&1)"; then
		sleep 0.2
		after="$(stats)"
		grew_check "short_udp_header_counted" "${before}" "${after}" \
			drop_bad_l4_header 2
		grew_check "bad_udp_length_counted" "${before}" "${after}" \
			udp_drop_bad_length 4
	else
		fail "bad_udp_length" "couldn't write frames: ${out}"
	fi
	for f in 4 6; do
		gw="${HOST_GW4}"
		[ ${f} = 6 ] && gw="${HOST_GW6}"
		check "udp_length_shorter_than_packet_ipv${f}" \
			in_ns "${TMO[@]}" "${PYTHON}" "${PEER}" trim "${HOST_IF}" \
			"${gw}" "${ECHO_PORT}"
		check "echo_after_bad_lengths_ipv${f}" \
			peer in_ns echo_cli "${gw}" "${ECHO_PORT}" 0 1472
	done
	if pid_wait "${stream_pid}" 10 && grep -q answered "${T_TMP}/stream_bad.out"; then
		pass "flow_unharmed_by_bad_lengths"
	else
		fail "flow_unharmed_by_bad_lengths" "$(cat "${T_TMP}/stream_bad.out")"
	fi
fi

alive_check "daemon_alive"
pasta_end "daemon_stop"

# --- MTU: what doesn't fit the guest's link is dropped, and counted -----------

if pasta_spawn --config-net -m 1500 -u "${FWD_PORT}" -t none -T none -U none; then
	if peer_bg ns_bg echo_mtu echo_srv "${FWD_PORT}" ::; then
		for f in 4 6; do
			if [ ${f} = 4 ]; then
				h="${HOST_ADDR4}" lo=127.0.0.1 max=1472
			else
				h="${HOST_ADDR6}" lo=::1 max=1452
			fi
			before="$(stats)"
			check "mtu_largest_passes_ipv${f}" \
				peer in_host echo_cli "${h}" "${FWD_PORT}" 1000 "${max}"
			check "mtu_larger_dropped_ipv${f}" \
				peer in_host silent "${h}" "${FWD_PORT}" $((max + 1)) 500
			check "mtu_8000_dropped_ipv${f}" \
				peer in_host silent "${h}" "${FWD_PORT}" 8000 500
			check "mtu_smaller_after_ipv${f}" \
				peer in_host echo_cli "${h}" "${FWD_PORT}" 1000
			after="$(stats)"
			grew_check "mtu_drop_counted_ipv${f}" "${before}" "${after}" \
				udp_drop_larger_than_mtu 2
			# Loopback isn't the guest's link: no limit there
			check "mtu_spliced_unlimited_ipv${f}" \
				peer in_host echo_cli "${lo}" "${FWD_PORT}" 8000
		done
	else
		fail "mtu" "${PEER_ERR}"
	fi
	alive_check "mtu_daemon_alive"
	pasta_end "mtu_daemon_stop"
else
	fail "mtu_spawn" "pasta -m 1500 didn't start"
fi

# --- 1000 short flows, then they expire ---------------------------------------

# The daemon reads its UDP timeouts from the host's conntrack sysctls, if
# there are any: shorten them in our host namespace, where they are its
# own. Like conntrack, a flow of one query and its answer has the short
# timeout; only one that goes on past two seconds (a stream) gets the long
# one. Without the sysctls, the daemon's own: 30 s (waited for) and 180 s.
nf=/proc/sys/net/netfilter
if in_host test -w "${nf}/nf_conntrack_udp_timeout" &&
   in_host sh -c "echo ${SHORT_TMO} > ${nf}/nf_conntrack_udp_timeout &&
		  echo ${STREAM_TMO} > ${nf}/nf_conntrack_udp_timeout_stream"; then
	tmo="${SHORT_TMO}" stream_tmo="${STREAM_TMO}"
else
	tmo=30 stream_tmo=
fi

# _expired_at_least() - Has udp_flows_expired reached a value
# $1:	Value
_expired_at_least() {
	[ "$(stat_of "$(stats)" udp_flows_expired)" -ge "$1" ]
}

if pasta_spawn --config-net -t none -T none -U none -u none; then
	if peer_bg host_bg echo_flows echo_srv "${ECHO_PORT}" 127.0.0.1 ::1; then
		# A stream alongside, for each family: five exchanges over four
		# seconds. Their first datagrams also have the guest resolve the
		# gateway's address: a burst to an unresolved neighbour would
		# mostly be dropped by the guest's kernel (unres_qlen_bytes)
		ns_bg "${T_TMP}/stream4.out" "${TMO[@]}" "${PYTHON}" "${PEER}" \
			stream "${HOST_GW4}" "${ECHO_PORT}" 5 1000
		stream4_pid="${BG_PID}"
		ns_bg "${T_TMP}/stream6.out" "${TMO[@]}" "${PYTHON}" "${PEER}" \
			stream "${HOST_GW6}" "${ECHO_PORT}" 5 1000
		stream6_pid="${BG_PID}"
		wait_for 5 _flows_at_least 2
		before="$(stats)"
		active0="$(flows_active)"
		for f in 4 6; do
			gw="${HOST_GW4}"
			[ ${f} = 6 ] && gw="${HOST_GW6}"
			if out="$(peer in_ns flows "${gw}" "${ECHO_PORT}" "${FLOWS}" 2>&1)"; then
				pass "flows_${FLOWS}_ipv${f}"
				echo "ipv${f}: ${out}; guest tap: $(tap_tx_dropped) dropped on transmit so far"
			else
				fail "flows_${FLOWS}_ipv${f}" "${out}"
			fi
		done
		start="$(now_ms)"
		after="$(stats)"
		grew_check "flows_${FLOWS}_counted" "${before}" "${after}" \
			udp_flows $((2 * FLOWS))
		active="$(flows_active)"
		if [ "${active:-0}" -ge $((active0 + 2 * FLOWS)) ]; then
			pass "flows_${FLOWS}_active"
		else
			fail "flows_${FLOWS}_active" "flows_active is ${active}, expected $((active0 + 2 * FLOWS)) or more"
		fi
		for f in 4 6; do
			pid="${stream4_pid}"
			[ ${f} = 6 ] && pid="${stream6_pid}"
			if pid_wait "${pid}" 10 && grep -q answered "${T_TMP}/stream${f}.out"; then
				pass "stream_answered_ipv${f}"
			else
				fail "stream_answered_ipv${f}" "$(cat "${T_TMP}/stream${f}.out")"
			fi
		done

		# Expiry comes within a timer tick or two of the timeout
		expired0="$(stat_of "${after}" udp_flows_expired)"
		target=$((expired0 + 2 * FLOWS))
		if poll_until $((tmo + 6)) _expired_at_least "${target}"; then
			pass "flows_${FLOWS}_expire"
			echo "$((2 * FLOWS)) short flows expired $(elapsed_ms "${start}") ms after their answers (UDP timeout ${tmo} s)"
			expired=1
		else
			fail "flows_${FLOWS}_expire" "$(( $(stat_of "$(stats)" udp_flows_expired) - expired0 )) of $((2 * FLOWS)) short flows expired $((tmo + 6)) s after their answers, UDP timeout ${tmo} s, stream ${stream_tmo:-180} s"
			# The stream timeout, if it's short enough to wait for
			expired=0
			if [ -n "${stream_tmo}" ] &&
			   poll_until $((stream_tmo - tmo)) _expired_at_least "${target}"; then
				echo "$((2 * FLOWS)) short flows expired $(elapsed_ms "${start}") ms after their answers: the stream timeout"
				expired=1
			fi
		fi
		if [ ${expired} -eq 1 ]; then
			# Closed flows are freed after the next batch of events:
			# two rounds of SIGUSR1 are enough for all of them
			stats > /dev/null
			active="$(flows_active)"
			if [ "${active}" -le "${active0}" ]; then
				pass "flows_${FLOWS}_freed"
			else
				fail "flows_${FLOWS}_freed" "flows_active still ${active} after the flows expired and two more event batches, ${active0} before them (flows_freed $(stat_of "$(stats)" flows_freed))"
			fi
			if [ "${active}" -ge 2 ] && [ "$(stat_of "$(stats)" udp_flows_expired)" -eq "${target}" ]; then
				pass "stream_outlives_short_flows"
			else
				fail "stream_outlives_short_flows" "flows_active ${active}, udp_flows_expired $(stat_of "$(stats)" udp_flows_expired) (expected ${target})"
			fi
		else
			skip "flows_${FLOWS}_freed" "the flows didn't expire"
			skip "stream_outlives_short_flows" "the flows didn't expire"
		fi

		# Every flow had a socket, so a host port, of its own
		out="$(peer in_host peers 127.0.0.1 "${ECHO_PORT}" 2>&1)"
		check_grep "flows_${FLOWS}_host_ports" "^peers $((2 * FLOWS + 2))\$" "${out}"
	else
		fail "flows" "${PEER_ERR}"
	fi
	alive_check "flows_daemon_alive"
	pasta_end "flows_daemon_stop"
else
	fail "flows_spawn" "pasta didn't start"
fi

# --- flow table full ------------------------------------------------------------

# With --max-flows 20, guest flows fill the table, alternating families;
# new ones then go unanswered, counted, while open ones still work; once
# they expire, new ones work again
if in_host test -w "${nf}/nf_conntrack_udp_timeout"; then
	# Long enough for the filling client's checks (about 4 s), after
	# which its flows must still be there
	in_host sh -c "echo 8 > ${nf}/nf_conntrack_udp_timeout &&
		       echo 10 > ${nf}/nf_conntrack_udp_timeout_stream"
	tmo=10
else
	tmo=180
fi
if pasta_spawn --config-net --max-flows 20 -t none -T none -U none -u none; then
	if peer_bg host_bg echo_full echo_srv "${ECHO_PORT}" 127.0.0.1 ::1; then
		before="$(stats)"
		if out="$(peer in_ns fill "${HOST_GW4}" "${ECHO_PORT}" \
			  "${HOST_GW6}" "${ECHO_PORT}" 40 2>&1)"; then
			pass "table_full"
			echo "${out}"
		else
			fail "table_full" "${out}"
		fi
		after="$(stats)"
		grew_check "table_full_counted" "${before}" "${after}" \
			drop_flow_table_full 2
		grew_check "table_full_udp_drop_counted" "${before}" "${after}" \
			udp_drop_no_flow 2
		if [ "${tmo}" -le 30 ]; then
			start="$(now_ms)"
			if poll_until $((tmo + 10)) peer in_ns echo_cli "${HOST_GW4}" "${ECHO_PORT}" 1; then
				pass "table_full_recovers"
				echo "a new flow works $(elapsed_ms "${start}") ms after the filling client ended (UDP timeout ${tmo} s)"
			else
				fail "table_full_recovers" "no new flow answered $((tmo + 10)) s after the table filled, flows_active $(flows_active)"
			fi
		else
			skip "table_full_recovers" "no conntrack sysctls to shorten the ${tmo} s timeout"
		fi
	else
		fail "table_full" "${PEER_ERR}"
	fi
	alive_check "table_full_daemon_alive"
	pasta_end "table_full_daemon_stop"
else
	fail "table_full_spawn" "pasta --max-flows 20 didn't start"
fi

# --- -u auto: a namespace's UDP socket appearing gets a host port --------

if pasta_spawn --config-net -u auto -U none -t none -T none; then
	if peer_bg ns_bg echo_auto echo_srv 18300 ::; then
		start="$(now_ms)"
		if poll_until 5 peer in_host echo_cli 127.0.0.1 18300 1 64; then
			pass "auto_udp_forwarded"
			echo "UDP auto forward after $(elapsed_ms "${start}") ms"
		else
			fail "auto_udp_forwarded" "host port 18300 didn't reach the namespace's UDP socket in 5 s"
		fi
		kill "${BG_PID}" 2>/dev/null
	else
		fail "auto_udp_forwarded" "${PEER_ERR}"
	fi
	alive_check "auto_udp_daemon_alive"
	pasta_end "auto_udp_daemon_stop"
else
	fail "auto_udp_spawn" "pasta -u auto didn't start"
fi

lib_done
