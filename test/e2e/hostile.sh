#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - a hostile guest during a transfer: while 200 MiB of TCP go
# each way and a UDP echo runs each way, the guest writes malformed frames
# on its tap (every kind of test/lib/pkt.py: lengths that lie in every
# layer, bad checksums, IPv6 extension header chains, TCP options past
# the header, fragments, frames as large as the MTU, forged source MACs)
# and floods SYNs from forged ports until the flow table is full. The
# daemon keeps running, each drop counter grows by what was sent for its
# reason, both transfers arrive with their SHA-256 intact, and no echo is
# lost. Then the same frames, and a SYN flood, over passt's UNIX socket.
#
# Topology: see test/lib/lib.sh.
#
#   host namespace pt-hostile-PID                 pasta's namespace
#   127.0.0.1:UP_PORT | sha256sum   <== tap ==  socat OPEN:big -> gateway
#   socat OPEN:big -> 198.51.100.2:DL_PORT  == tap (-t) ==> socat | sha256sum
#   udp echo 127.0.0.1:UDP_HOST     <== tap ==  echo_loop -> gateway
#   echo_loop -> 198.51.100.2:UDP_NS  == tap (-u) ==> udp echo [::]
#   ports_srv 127.0.0.1:OPEN_PORT   <== SYNs from forged ports ==  pkt.py
#   (CLOSED_PORT: nothing)               (AF_PACKET on the tap)
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat sha256sum ss "${PYTHON:-python3}" || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

TCP_PEER="${LIB_DIR}/tcp_peer.py"
UDP_PEER="${LIB_DIR}/udp_peer.py"
BIG="${T_TMP}/big"
BIG_MIB=200
UP_PORT=18300		# host server, reached through the gateway
DL_PORT=18301		# namespace server, forwarded with -t
OPEN_PORT=18302		# host server the SYN flood reaches
CLOSED_PORT=9		# nothing listens there (pkt.py's CLOSED_PORT)
UDP_HOST=18400		# host echo server, through the gateway
UDP_NS=18401		# namespace echo server, forwarded with -u
MAX_FLOWS=64		# --max-flows: small, so that one burst of SYNs fills it
SYNS=128		# SYNs a round, in one burst, to each of CLOSED_PORT and
			# OPEN_PORT (the tap's queue holds 500 frames)
ROUNDS_MIN=3		# rounds that must all happen while both transfers run
ROUNDS_MAX=40
ROUND_GAP_MS=200
INJECT_SECS=30		# no new round after this
XFER_SECS=60		# each transfer, at most
PASST_ROUNDS=3
PASST_SYNS=1000		# over the socket: nothing drops them on the way
# Short form (test/run's sanitizer pass): the same checks, less data
if [ -n "${E2E_SHORT}" ]; then
	BIG_MIB=32 ROUNDS_MIN=2 PASST_ROUNDS=1
fi

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

# tcp_listening() - Is something listening on a TCP port
# $1:	in_host or in_ns
# $2:	Port
tcp_listening() {
	$1 ss -ltnH "sport = :$2" | grep -q .
}

# tap_tx_dropped() - Frames the namespace's tap device dropped on their
#		     way to pasta (its queue full): those never reach it
tap_tx_dropped() {
	in_ns ip -s link show dev "${HOST_IF}" | awk '/TX:/ { getline; print $4; exit }'
}

# softnet_dropped() - Packets the kernel's input backlogs dropped, all
#		     CPUs (not per namespace: for the reason of a loss only)
softnet_dropped() {
	awk '{ n += strtonum("0x" $2) } END { print n + 0 }' /proc/net/softnet_stat 2>/dev/null ||
		echo 0
}

# stats() - Counters of the pasta_spawn daemon, see stats_dump
stats() {
	stats_dump "${PASTA_PID}" "${PASTA_LOG}"
}

# expected_counts() - What each drop counter should gain from one of
#		       every kind, as "counter count" lines
expected_counts() {
	"${PYTHON}" "${PKT}" kinds | awk '$2 != "-" { n[$2]++ }
		END { for (c in n) print c, n[c] }' | sort
}

# Counters only crafted frames raise: nothing a real guest sends lands
# there, so they must grow by exactly what was sent (less what the tap's
# queue dropped). Others (tcp_segments_dropped, icmp_dropped, ...) also
# count the namespace's own traffic: they must grow by at least that.
EXACT="drop_short_frame drop_bad_ipv4 drop_bad_ipv6 drop_fragment
drop_ipv6_ext_header drop_martian_address drop_bad_l4_header
drop_bad_l4_checksum drop_bad_source_mac udp_drop_bad_length
drop_unknown_ethertype arp_dropped dhcp_dropped"

# counters_check() - Each counter grew by what was sent for its reason
# $1:	Prefix of check names
# $2:	stats before
# $3:	stats after
# $4:	"counter count" lines, what was sent for each
# $5:	Frames that may have been lost on the way (tap queue drops)
counters_check() {
	local pfx="$1" before="$2" after="$3" want="$4" lost="$5"
	local counter n d exact
	while read -r counter n; do
		[ -n "${counter}" ] || continue
		d=$(( $(stat_of "${after}" "${counter}") - $(stat_of "${before}" "${counter}") ))
		exact=0
		case " ${EXACT//$'\n'/ } " in *" ${counter} "*) exact=1 ;; esac
		if [ "${d}" -lt $((n - lost)) ]; then
			fail "${pfx}_${counter}" "grew by ${d}, ${n} frames sent for it (${lost} may have been dropped by the tap's queue)"
		elif [ ${exact} -eq 1 ] && [ "${d}" -gt "${n}" ]; then
			fail "${pfx}_${counter}" "grew by ${d}, more than the ${n} frames sent for it"
		else
			pass "${pfx}_${counter}: +${d} for ${n} sent"
		fi
	done <<< "${want}"
}

# scale_counts() - Multiply the counts of "counter count" lines
# $1:	Lines
# $2:	Factor
scale_counts() {
	printf '%s\n' "$1" | awk -v f="$2" 'NF == 2 { print $1, $2 * f }'
}

# --- pasta: transfers both ways, a hostile guest meanwhile --------------------

head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom > "${BIG}"
BIG_SUM="$(sha256sum < "${BIG}" | cut -d' ' -f1)"
KINDS="$("${PYTHON}" "${PKT}" kinds | awk '{ print $1 }' | tr '\n' ' ')"
PER_ROUND="$(expected_counts)"

if ! pasta_spawn --config-net -t "${DL_PORT}" -u "${UDP_NS}" \
		 --max-flows "${MAX_FLOWS}"; then
	fail "start" "$(cat "${T_TMP}/pasta.out")"
	lib_done
fi
# The namespace's start-up traffic (DAD, router solicitations) first
ns_dad_wait in_ns "${HOST_IF}" || true
if ! GW_MAC="$(in_ns timeout 10 "${PYTHON}" "${PKT}" arp "${HOST_IF}" "${HOST_GW4}" 2>&1)"; then
	fail "gateway_mac" "${GW_MAC}"
	lib_done
fi

STOP="${T_TMP}/udp.stop"
host_bg "${T_TMP}/up.srv" timeout $((XFER_SECS + 10)) sh -c \
	"socat -u TCP4-LISTEN:${UP_PORT},bind=127.0.0.1,reuseaddr - | sha256sum > ${T_TMP}/up.sum"
ns_bg "${T_TMP}/dl.srv" timeout $((XFER_SECS + 10)) sh -c \
	"socat -u TCP4-LISTEN:${DL_PORT},reuseaddr - | sha256sum > ${T_TMP}/dl.sum"
host_bg "${T_TMP}/open.srv" timeout 120 "${PYTHON}" "${TCP_PEER}" ports_srv \
	127.0.0.1 "${OPEN_PORT}"
host_bg "${T_TMP}/uecho_host.out" timeout 120 "${PYTHON}" "${UDP_PEER}" \
	echo_srv "${UDP_HOST}" 127.0.0.1
ns_bg "${T_TMP}/uecho_ns.out" timeout 120 "${PYTHON}" "${UDP_PEER}" \
	echo_srv "${UDP_NS}" ::
if ! wait_for 10 tcp_listening in_host "${UP_PORT}" ||
   ! wait_for 10 tcp_listening in_ns "${DL_PORT}" ||
   ! wait_for 10 grep -q ready "${T_TMP}/open.srv" ||
   ! wait_for 10 grep -q ready "${T_TMP}/uecho_host.out" ||
   ! wait_for 10 grep -q ready "${T_TMP}/uecho_ns.out"; then
	fail "servers" "didn't start: $(cat "${T_TMP}"/*.srv "${T_TMP}"/uecho_*.out)"
	lib_done
fi

before="$(stats)"
tx_before="$(tap_tx_dropped)"
softnet_before="$(softnet_dropped)"
log_lines_before="$(wc -l < "${PASTA_LOG}")"
t0="$(now_ms)"

ns_bg "${T_TMP}/up.cli" timeout "${XFER_SECS}" socat -u OPEN:"${BIG}" \
	TCP:"${HOST_GW4}:${UP_PORT}"
UP_PID="${BG_PID}"
host_bg "${T_TMP}/dl.cli" timeout "${XFER_SECS}" socat -u OPEN:"${BIG}" \
	TCP:"${HOST_ADDR4}:${DL_PORT}"
DL_PID="${BG_PID}"
ns_bg "${T_TMP}/uloop_up.out" "${PYTHON}" "${UDP_PEER}" echo_loop \
	"${HOST_GW4}" "${UDP_HOST}" $((XFER_SECS + 20)) "${STOP}"
ULOOP_UP="${BG_PID}"
host_bg "${T_TMP}/uloop_dn.out" "${PYTHON}" "${UDP_PEER}" echo_loop \
	"${HOST_ADDR4}" "${UDP_NS}" $((XFER_SECS + 20)) "${STOP}"
ULOOP_DN="${BG_PID}"
# Both UDP flows exist before the SYN floods fill the flow table
wait_for 10 grep -q "first exchange done" "${T_TMP}/uloop_up.out"
wait_for 10 grep -q "first exchange done" "${T_TMP}/uloop_dn.out"

# Rounds of everything, as long as the transfers run: one injector,
# told to stop once either transfer is done; ROUNDS_MIN rounds at least,
# all of which must have ended before either transfer did
INJ="${T_TMP}/inject.out"
INJ_STOP="${T_TMP}/inject.stop"
# shellcheck disable=SC2086
ns_bg "${INJ}" timeout $((INJECT_SECS + 20)) "${PYTHON}" "${PKT}" send \
	"${HOST_IF}" --gw-mac "${GW_MAC}" --rounds "${ROUNDS_MAX}" \
	--seconds "${INJECT_SECS}" --stop "${INJ_STOP}" \
	--round-gap-ms "${ROUND_GAP_MS}" --syn-to "${CLOSED_PORT}" \
	--syn-to "${OPEN_PORT}" --syns "${SYNS}" --burst "${SYNS}" ${KINDS}
INJ_PID="${BG_PID}"
injector_or_transfer_done() {
	pid_gone "${INJ_PID}" || pid_gone "${UP_PID}" || pid_gone "${DL_PID}"
}
wait_for $((INJECT_SECS + 20)) injector_or_transfer_done
during="$(grep -c '^round ' "${INJ}")"
while [ "$(grep -c '^round ' "${INJ}")" -lt "${ROUNDS_MIN}" ] &&
      pid_alive "${INJ_PID}" && [ "$(elapsed_ms "${t0}")" -lt $((INJECT_SECS * 1000)) ]; do
	sleep 0.1
done
touch "${INJ_STOP}"
wait_for 20 pid_gone "${INJ_PID}"
inject_ms="$(elapsed_ms "${t0}")"
read -r rounds syns_sent <<< "$(awk '/^rounds/ { print $2, $4 }' "${INJ}")"
rounds="${rounds:-0}" syns_sent="${syns_sent:-0}"

if [ "${rounds}" -gt 0 ] && [ "${during}" -ge "${ROUNDS_MIN}" ] &&
   ! grep -qv -e '^round' "${INJ}"; then
	pass "injected_during_transfers: ${rounds} rounds in ${inject_ms} ms, ${during} while both ran, ${syns_sent} SYNs"
else
	fail "injected_during_transfers" "${rounds} rounds, ${during} while both transfers ran (want ${ROUNDS_MIN}): $(grep -v '^round' "${INJ}")"
fi
if ! pasta_alive; then
	fail "alive_after_injection" "pasta died: $(tail -n 3 "${PASTA_LOG}")"
	lib_done
fi

# The transfers: whole, and their digests the file's
wait_for "${XFER_SECS}" pid_gone "${UP_PID}"
wait_for "${XFER_SECS}" pid_gone "${DL_PID}"
xfer_ms="$(elapsed_ms "${t0}")"
wait_for 10 test -s "${T_TMP}/up.sum"
wait_for 10 test -s "${T_TMP}/dl.sum"
for dir in up dl; do
	got="$(cut -d' ' -f1 "${T_TMP}/${dir}.sum" 2>/dev/null)"
	if [ "${got}" = "${BIG_SUM}" ]; then
		pass "transfer_${dir}_sha256: ${BIG_MIB} MiB, both done in ${xfer_ms} ms"
	else
		fail "transfer_${dir}_sha256" "digest '${got}', expected ${BIG_SUM}: $(cat "${T_TMP}/${dir}.cli" "${T_TMP}/${dir}.srv" 2>/dev/null | tail -n 3)"
	fi
done

# UDP echo both ways: every datagram came back, and none had to be sent
# again, unless the kernel counted drops of its own on the way (the tap's
# queue full, or an input backlog: not ours to prevent, and rare)
touch "${STOP}"
wait_for 5 pid_gone "${ULOOP_UP}"
wait_for 5 pid_gone "${ULOOP_DN}"
tx_after="$(tap_tx_dropped)"
tx_lost=$(( ${tx_after:-0} - ${tx_before:-0} ))
softnet_lost=$(( $(softnet_dropped) - softnet_before ))
for dir in up dn; do
	res="$(cat "${T_TMP}/uloop_${dir}.out")"
	read -r n lost failed <<< "$(printf '%s' "${res}" |
		awk '/^exchanges/ { print $2, $4, $6 }')"
	if [ -z "${n}" ] || [ "${n}" -lt 10 ] || [ "${failed}" -ne 0 ]; then
		fail "udp_echo_${dir}" "${res}"
	elif [ "${lost}" -gt $((tx_lost + softnet_lost)) ]; then
		st="$(stats)"
		fail "udp_echo_${dir}" "${lost} of ${n} echoes needed a resend (tap queue dropped ${tx_lost} frames, input backlogs ${softnet_lost}; $(for k in udp_drop_send_failed udp_drop_no_flow udp_drop_larger_than_mtu drop_tap_write tap_backend_full udp_flows_expired; do printf '%s=%s ' "${k}" "$(stat_of "${st}" "${k}")"; done)): $(grep -v '^exchanges' "${T_TMP}/uloop_${dir}.out")"
	elif [ "${lost}" -gt 0 ]; then
		pass "udp_echo_${dir}: ${n} exchanges, ${lost} sent again, the kernel dropped ${tx_lost} frames on the tap's queue, ${softnet_lost} on input backlogs"
	else
		pass "udp_echo_${dir}: ${n} exchanges, none lost"
	fi
done

# Each reason's counter grew by what was sent for it
after="$(stats)"
counters_check "pasta" "${before}" "${after}" \
	"$(scale_counts "${PER_ROUND}" "${rounds}")" "${tx_lost}"
d=$(( $(stat_of "${after}" drop_flow_table_full) - $(stat_of "${before}" drop_flow_table_full) ))
if [ "${d}" -gt 0 ]; then
	pass "pasta_drop_flow_table_full: +${d} of ${syns_sent} SYNs"
else
	fail "pasta_drop_flow_table_full" "didn't grow: ${syns_sent} SYNs, --max-flows ${MAX_FLOWS}"
fi

# Guest traffic can't make the log grow by a line a frame
n=$(( $(wc -l < "${PASTA_LOG}") - log_lines_before ))
stat_lines="$(grep -c '' <<< "${after}")"
if [ "${n}" -lt $((200 + 4 * stat_lines)) ]; then
	pass "log_bounded: ${n} lines"
else
	fail "log_bounded" "${n} lines for ${rounds} rounds: $(tail -n 3 "${PASTA_LOG}")"
fi

# A frame from our own MAC, and nothing else from the guest for a while:
# had we learnt that MAC as the guest's, we would send it the next frames
# addressed to ourselves, and its kernel would drop them
if out="$(in_ns timeout 10 "${PYTHON}" "${PKT}" send "${HOST_IF}" \
	  --gw-mac "${GW_MAC}" src-mac-ours 2>&1)"; then
	check "own_mac_not_learnt" in_host timeout 10 "${PYTHON}" "${UDP_PEER}" \
		echo_cli "${HOST_ADDR4}" "${UDP_NS}" 8 1400
else
	fail "own_mac_not_learnt" "couldn't send: ${out}"
fi

# Once the flood is over, the table drains and new flows open again
flows_low() {
	[ "$(stat_of "$(stats)" flows_active)" -le 16 ]
}
if wait_for 10 flows_low; then
	pass "flow_table_drains"
else
	fail "flow_table_drains" "$(stat_of "$(stats)" flows_active) flows still active"
fi
out="$(in_ns timeout 10 "${PYTHON}" "${TCP_PEER}" probe "${HOST_GW4}" "${OPEN_PORT}" 2>&1)"
check_grep "new_connection_after_flood" "^port ${OPEN_PORT}$" "${out}"
check "new_udp_after_flood" in_ns timeout 10 "${PYTHON}" "${UDP_PEER}" \
	echo_cli "${HOST_GW4}" "${UDP_HOST}" 1 1472

daemon_answers "pasta_answers"
daemon_stop_check "pasta_stop"
kill "${NS_PID}" 2>/dev/null

# --- passt: the same frames over the UNIX socket --------------------------------

SOCK="${T_TMP}/passt.sock"
PASST_LOG="${T_TMP}/passt.log"
pidf="${T_TMP}/passt.pid"
if ! timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -s "${SOCK}" \
     -P "${pidf}" -l "${PASST_LOG}" --max-flows "${MAX_FLOWS}" \
     > "${T_TMP}/passt.out" 2>&1 < /dev/null; then
	fail "passt_start" "$(cat "${T_TMP}/passt.out")"
	lib_done
fi
PASST_PID="$(cat "${pidf}")"
track_pid "${PASST_PID}"

before="$(stats_dump "${PASST_PID}" "${PASST_LOG}")"
if out="$(in_host timeout 30 "${PYTHON}" "${PKT}" --timeout 3 passt "${SOCK}" \
	  arp kinds synflood --rounds "${PASST_ROUNDS}" --syns "${PASST_SYNS}" 2>&1)"; then
	pass "passt_injection: ${PASST_ROUNDS} rounds, $(printf '%s' "${out}" | awk '/^synflood/ { print $3 }') SYNs"
else
	fail "passt_injection" "${out}"
fi
# The guest has gone: passt waits for the next one
daemon_answers "passt_answers" --pid "${PASST_PID}" --log "${PASST_LOG}" \
	--sock "${SOCK}"
after="$(stats_dump "${PASST_PID}" "${PASST_LOG}")"
counters_check "passt" "${before}" "${after}" \
	"$(printf '%s\n' "${out}" | awk '/^expect/ { print $2, $3 }')" 0
d=$(( $(stat_of "${after}" drop_flow_table_full) - $(stat_of "${before}" drop_flow_table_full) ))
if [ "${d}" -gt 0 ]; then
	pass "passt_drop_flow_table_full: +${d}"
else
	fail "passt_drop_flow_table_full" "didn't grow: ${PASST_SYNS} SYNs, --max-flows ${MAX_FLOWS}"
fi
daemon_stop_check "passt_stop" --pid "${PASST_PID}" --log "${PASST_LOG}"

lib_done
