#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# exhaust.sh - pasta running short: of descriptors (its RLIMIT_NOFILE
# lowered while it runs), of socket buffer space (a reader that stops, on
# the host, then in the guest), of room in a device queue (ENOBUFS), of
# flow table slots (--max-flows). Each time: a warning that says what ran
# out, rate-limited; only the new work refused (the guest gets a reset or
# loses its datagrams, a host client gets a reset); the open flows keep
# moving; no busy loop; and new work goes through again by itself once
# there is room
#
# Topology: see test/lib/lib.sh. One python process, started in the host
# namespace, plays every peer (test/lib/exhaust_peer.py): servers on the
# host namespace's loopback, reached from pasta's namespace through the
# gateway; servers in pasta's namespace, reached from the host namespace
# through forwarded ports on its own addresses (the tap path, not spliced):
#
#   host namespace pt-exhaust-PID                   pasta's namespace
#   servers 127.0.0.1 / ::1: 19000-19003  <== tap ==  clients -> gateway
#     (TCP echo, UDP echo, stuck, digest)            198.51.100.1 / 2001:db8::1
#   clients -> 198.51.100.2 / 2001:db8::2 == tap ==>  servers [::]:20000-20003
#     (-t 20000 -u 20001, or -t 20002-20003)         (same kinds)
#   bh0 (ifb), a slow queue (tbf)         <== tap ==  UDP client -> 203.0.113.5
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

DRIVER="${LIB_DIR}/exhaust_peer.py"
FREE=13			# descriptors left to pasta under its lowered limit
MAX_FLOWS=24
# Warnings from one place within any second: 5 a second, and a second of
# the log may straddle two of the rate limiter's
RATE_MAX=10

# spawn() - Start pasta for one part, let its namespace open ping sockets
# $1:	Part name, for the check
# $@:	More pasta options
spawn() {
	local part="$1"
	shift
	if ! pasta_spawn --config-net -T none -U none "$@"; then
		fail "${part}_spawn" "pasta $* didn't start"
		return 1
	fi
	in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

# drive() - Run one part of exhaust_peer.py, each "ok"/"bad" line a result
# $1:	Part name, prefix of the checks
# $@:	exhaust_peer.py arguments
#
# Sets COUNT_* from its "count NAME N" lines.
drive() {
	local part="$1" out rc line kind rest name text n=0
	shift
	unset "${!COUNT_@}"
	out="$(in_host timeout 80 "${PYTHON}" "${DRIVER}" "$@" 2>&1)"
	rc=$?
	while IFS= read -r line; do
		kind="${line%% *}"
		rest="${line#* }"
		name="${rest%%: *}"
		text="${rest#*: }"
		case "${kind}" in
		ok)	pass "${part}_${name}: ${text}"; n=$((n + 1)) ;;
		bad)	fail "${part}_${name}" "${text}"; n=$((n + 1)) ;;
		count)	printf -v "COUNT_${name}" '%s' "${text}" ;;
		info)	echo "${part}: ${rest}" ;;
		*)	echo "${part}: ${line}" ;;
		esac
	done <<< "${out}"
	if [ ${rc} -ne 0 ] || [ ${n} -eq 0 ]; then
		fail "${part}_driver" "exit ${rc}, ${n} results: $(printf '%s' "${out}" | tail -n 3)"
	fi
}

# log_has() - Check that the daemon's log has a line, and say it
# $1:	Check name
# $2:	Extended regular expression
log_has() {
	local line
	line="$(grep -m1 -E -- "$2" "${PASTA_LOG}")"
	if [ -n "${line}" ]; then
		pass "$1: '${line#*: }'"
		return 0
	fi
	fail "$1" "no line matching /$2/ in the log: $(grep -E 'TCP|UDP|ICMP' "${PASTA_LOG}" | tail -n 3)"
}

# log_rate() - Check that many refusals gave few warnings: at most 5 a
#	       second from one place, so at most RATE_MAX within any second
#	       of the log (it may straddle two of the limiter's), and a third
#	       as many lines as refusals at most
# $1:	Check name
# $2:	Extended regular expression of the warnings
# $3:	Number of refusals
log_rate() {
	local n most
	n="$(grep -cE -- "$2" "${PASTA_LOG}")"
	most="$(grep -E -- "$2" "${PASTA_LOG}" | awk -F: '
		{ t[NR] = $1 + 0 }
		END {
			for (i = 1; i <= NR; i++) {
				k = 0
				for (j = i; j <= NR && t[j] < t[i] + 1; j++)
					k++
				if (k > m)
					m = k
			}
			print m + 0
		}')"
	if [ "${n}" -ge 1 ] && [ "${most}" -le "${RATE_MAX}" ] &&
	   [ "$3" -ge $((n * 3)) ]; then
		pass "$1: ${n} lines for $3 refusals, ${most} at most within a second"
		return 0
	fi
	fail "$1" "${n} warning lines for $3 refusals, ${most} within a second: expected 1 or more, ${RATE_MAX} a second at most, and a third as many as refusals at most"
}

# part_end() - The daemon still answers, and ends cleanly
# $1:	Part name
part_end() {
	daemon_answers "$1_daemon_alive"
	daemon_stop_check "$1_daemon_stop"
	kill "${NS_PID}" 2>/dev/null
}

# --- descriptors ------------------------------------------------------------

if spawn nofile -t 20000 -u 20001; then
	drive nofile nofile "${PASTA_PID}" "${NS_PID}" "${FREE}"
	log_has "nofile_log_guest_tcp" \
		"TCP: no (socket|timer) for a connection from the guest to port 19000, refusing it: Too many open files"
	log_has "nofile_log_host_tcp" \
		"TCP: (out of descriptors \(Too many open files\), resetting a new connection on port 20000|no timer for a connection to port 20000, resetting it: Too many open files)"
	log_has "nofile_log_udp" \
		"UDP: no socket for a flow (from the guest )?to port (19001|20001), dropping its datagrams: Too many open files"
	log_has "nofile_log_icmp" \
		"ICMP: no ping socket, dropping echo request: Too many open files"
	log_rate "nofile_log_rate_limited_guest" \
		"TCP: no (socket|timer) for a connection from the guest" \
		"${COUNT_tcp_refused_guest:-0}"
	log_rate "nofile_log_rate_limited_host" \
		"TCP: (out of descriptors|no timer for a connection to port)" \
		"${COUNT_tcp_refused_host:-0}"
	part_end nofile
fi

# --- socket buffers ---------------------------------------------------------------

if spawn sockbuf -t 20002-20003; then
	drive sockbuf sockbuf "${PASTA_PID}" "${NS_PID}"
	part_end sockbuf
fi

# --- device queue full: no buffer space -------------------------------------

# The host's route to 203.0.113.0/24 goes through its ifb device: with a
# known gateway and a queue that sends 1 KB a second, sockets get ENOBUFS
if need_cmd "nobufs" tc && spawn nobufs; then
	if ! in_host ip neigh replace "${HOST_GW4}" \
		lladdr 02:00:00:00:00:01 dev "${HOST_IF}" ||
	   ! in_host tc qdisc replace dev "${HOST_IF}" root tbf rate 8kbit \
		burst 1600 limit 3000; then
		fail "nobufs_setup" "static neighbour and tc tbf on ${HOST_IF}"
	fi
	drive nobufs nobufs "${PASTA_PID}" "${NS_PID}" flood
	log_has "nobufs_log_udp" \
		"UDP: no buffer space on the host, dropping datagrams from the guest: No buffer space available"
	log_rate "nobufs_log_rate_limited" "UDP: no buffer space" \
		"${COUNT_udp_flood:-0}"
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	drop="$(stat_of "${stats}" udp_drop_send_failed)"
	sent="$(stat_of "${stats}" udp_datagrams_from_guest)"
	if [ "${drop}" -ge 100 ]; then
		pass "nobufs_counted: udp_drop_send_failed ${drop}"
	else
		fail "nobufs_counted" "udp_drop_send_failed is ${drop}, expected 100 or more"
	fi

	in_host tc qdisc del dev "${HOST_IF}" root
	drive nobufs nobufs "${PASTA_PID}" "${NS_PID}" after
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	drop2="$(stat_of "${stats}" udp_drop_send_failed)"
	sent2="$(stat_of "${stats}" udp_datagrams_from_guest)"
	if [ "${drop2}" -eq "${drop}" ] && [ $((sent2 - sent)) -ge 100 ]; then
		pass "nobufs_recovers: $((sent2 - sent)) more datagrams sent, none dropped"
	else
		fail "nobufs_recovers" "$((sent2 - sent)) more datagrams sent, $((drop2 - drop)) more dropped once the queue had room"
	fi
	part_end nobufs
fi

# --- flow table -----------------------------------------------------------

if spawn table --max-flows "${MAX_FLOWS}" -t 20000 -u 20001; then
	drive table table "${PASTA_PID}" "${NS_PID}"
	full="flow table full \(--max-flows ${MAX_FLOWS}\)"
	log_has "table_log_guest_tcp" \
		"TCP: ${full}, refusing a connection from the guest to port 19000"
	log_has "table_log_host_tcp" \
		"TCP: ${full}, resetting a connection to port 20000"
	log_has "table_log_guest_udp" \
		"UDP: ${full}, dropping datagrams from the guest to port 19001"
	log_has "table_log_host_udp" "UDP: ${full}, dropping datagrams to port 20001"
	log_has "table_log_icmp" "ICMP: ${full}, dropping echo request"
	log_rate "table_log_rate_limited_guest" \
		"TCP: ${full}, refusing a connection from the guest" \
		"${COUNT_tcp_refused_guest:-0}"
	log_rate "table_log_rate_limited_host" \
		"TCP: ${full}, resetting a connection" \
		"${COUNT_tcp_refused_host:-0}"
	refused=$((${COUNT_tcp_refused_guest:-0} + ${COUNT_tcp_refused_host:-0}))
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	n="$(stat_of "${stats}" drop_flow_table_full)"
	if [ "${n}" -ge "${refused}" ] && [ "${refused}" -gt 0 ]; then
		pass "table_counted: drop_flow_table_full ${n}"
	else
		fail "table_counted" "drop_flow_table_full is ${n}, expected ${refused} or more"
	fi
	part_end table
fi

lib_done
