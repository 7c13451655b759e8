#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_bulk.sh - bulk TCP through pasta's tap path, both families: HTTP
# both ways (curl from the namespace to a host server through the
# gateway, and from the host to a namespace server forwarded with -t),
# 200 MiB each way with socat, with SO_PEEK_OFF and with --no-peek-off
# (told apart by the statistics), uploads with --zerocopy on (MSG_ZEROCOPY
# until the kernel says it copied, and refused for lack of memory), and to
# the namespace at MTU 1500, in TCP super-frames; downloads with
# --tcp-zerocopy-rx on (nothing mapped on loopback: the copy buffer and
# recv() instead, counted; more connections than slots); data in bursts with
# pauses between them, and iperf3 both ways
#
# Topology: see test/lib/lib.sh. Host servers listen on the host
# namespace's loopback, which pasta's namespace reaches through the
# gateway address; host clients reach forwarded ports through the host
# namespace's own (non-loopback) address, so that pasta takes the tap path
# rather than splicing:
#
#   host namespace pt-tcp_bulk-PID                pasta's namespace
#   server 127.0.0.1:P / [::1]:P  <== pasta <==  client -> 198.51.100.1:P
#                                      (tap)               [2001:db8::1]:P
#   client -> 198.51.100.2:Q      ==> pasta ==>  server [::]:Q (both
#             [2001:db8::2]:Q     (-t Q, tap)    families)
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat curl iperf3 sha256sum ss || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

BIG_MIB=200
HTTP_MIB=50
PEER="${LIB_DIR}/tcp_peer.py"
BIG="${T_TMP}/big"
WWW="${T_TMP}/www"
TMO=(timeout 30)
HTTP_HOST_PORT=18000	# host server, reached through the gateway
HTTP_NS_PORT=18080	# namespace server, forwarded with -t
BULK_PORT=18100
IPERF_PORT4=15201
IPERF_PORT6=15202
IPERF_SECS=5
BURST_PORT=18200
BURST_N=8
BURST_KIB=1024
# Short form (test/run's sanitizer pass): the same checks, less data
if [ -n "${E2E_SHORT}" ]; then
	BIG_MIB=24 HTTP_MIB=8 IPERF_SECS=2 BURST_N=4
fi

# One random file for the run, the HTTP one is the start of it
mkdir -p "${WWW}"
head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom > "${BIG}"
head -c "$((HTTP_MIB * 1024 * 1024))" "${BIG}" > "${WWW}/file"
BIG_SUM="$(sha256sum < "${BIG}" | cut -d' ' -f1)"
HTTP_SUM="$(sha256sum < "${WWW}/file" | cut -d' ' -f1)"

# host_listening() - Is something listening on a TCP port in the host
# $1:	Port
host_listening() {
	in_host ss -ltnH "sport = :$1" | grep -q .
}

# ns_listening() - Is something listening on a TCP port in pasta's namespace
# $1:	Port
ns_listening() {
	in_ns ss -ltnH "sport = :$1" | grep -q .
}

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

# sum_file() - Digest of a file, and its size if it isn't what we expect
# $1:	File
# $2:	Expected digest
# Return: 0 if the digest matches
sum_file() {
	local got
	got="$(sha256sum < "$1" 2>/dev/null | cut -d' ' -f1)"
	[ "${got}" = "$2" ] && return 0
	echo "digest ${got:-none} differs from $2, $(stat -c %s "$1" 2>/dev/null || echo no) bytes received"
	return 1
}

# alive_check() - The daemon is still running, and its loop answers
# $1:	Check name
alive_check() {
	daemon_answers "$1"
}

# --- HTTP, both ways -----------------------------------------------------

if ! pasta_spawn --config-net -t "${HTTP_NS_PORT}"; then
	fail "spawn" "pasta didn't start"
	exit 1
fi

# http_get() - Fetch the HTTP file with curl, compare its digest
# $1:	Check name
# $2:	in_host or in_ns
# $3:	URL
http_get() {
	local name="$1" out="${T_TMP}/http.got" why
	rm -f "${out}"
	if ! why="$($2 "${TMO[@]}" curl -sS -g --noproxy '*' -o "${out}" "$3" 2>&1)"; then
		fail "${name}" "curl $3: ${why}"
		return
	fi
	if why="$(sum_file "${out}" "${HTTP_SUM}")"; then
		pass "${name}"
	else
		fail "${name}" "$3: ${why}"
	fi
	rm -f "${out}"
}

# From the namespace, through the gateway, to servers on the loopback
host_bg "${T_TMP}/http4.out" "${TMO[@]}" "${PYTHON}" "${PEER}" http_srv \
	127.0.0.1 "${HTTP_HOST_PORT}" "${WWW}"
host_bg "${T_TMP}/http6.out" "${TMO[@]}" "${PYTHON}" "${PEER}" http_srv \
	::1 "$((HTTP_HOST_PORT + 1))" "${WWW}"
if wait_for 10 host_listening "${HTTP_HOST_PORT}" &&
   wait_for 10 host_listening "$((HTTP_HOST_PORT + 1))"; then
	http_get "http_download_ipv4" in_ns \
		"http://${HOST_GW4}:${HTTP_HOST_PORT}/file"
	http_get "http_download_ipv6" in_ns \
		"http://[${HOST_GW6}]:$((HTTP_HOST_PORT + 1))/file"
else
	fail "http_download" "host HTTP servers didn't start: $(cat "${T_TMP}"/http[46].out)"
fi

# From the host's own address to a namespace server, forwarded with -t
ns_bg "${T_TMP}/httpns.out" "${TMO[@]}" "${PYTHON}" "${PEER}" http_srv \
	:: "${HTTP_NS_PORT}" "${WWW}"
if wait_for 10 ns_listening "${HTTP_NS_PORT}"; then
	http_get "http_forwarded_ipv4" in_host \
		"http://${HOST_ADDR4}:${HTTP_NS_PORT}/file"
	http_get "http_forwarded_ipv6" in_host \
		"http://[${HOST_ADDR6}]:${HTTP_NS_PORT}/file"
else
	fail "http_forwarded" "namespace HTTP server didn't start: $(cat "${T_TMP}/httpns.out")"
fi

# Those took the tap path, not the splice one
stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
n_in="$(stat_of "${stats}" tcp_connections_host_initiated)"
n_out="$(stat_of "${stats}" tcp_connections_guest_initiated)"
n_spl="$(stat_of "${stats}" tcp_connections_spliced)"
if [ "${n_in}" -ge 2 ] && [ "${n_out}" -ge 2 ] && [ "${n_spl}" -eq 0 ]; then
	pass "http_tap_path"
else
	fail "http_tap_path" "connections: ${n_out} from the guest, ${n_in} from the host (expected 2 or more each), ${n_spl} spliced (expected 0)"
fi

# --- iperf3, both ways ---------------------------------------------------

host_bg "${T_TMP}/iperf4.out" timeout 120 iperf3 -s -B 127.0.0.1 -p "${IPERF_PORT4}"
host_bg "${T_TMP}/iperf6.out" timeout 120 iperf3 -s -B ::1 -p "${IPERF_PORT6}"

# iperf() - iperf3 from the namespace through the gateway, print the rate
# $1:	Check name
# $2:	Gateway address
# $3:	Port
# $@:	More iperf3 options
#
# Beyond iperf3's exit status and a non-zero rate, no one-second interval
# may be empty: a transfer that stops half-way still ends with a rate.
iperf() {
	local name="$1" addr="$2" port="$3" out="${T_TMP}/iperf.json" rc res
	local rate stalls ivs
	shift 3
	in_ns timeout $((IPERF_SECS + 20)) iperf3 -c "${addr}" -p "${port}" \
		-t "${IPERF_SECS}" -i 1 --json "$@" > "${out}" 2>&1
	rc=$?
	# "RATE STALLED_INTERVALS RATES_PER_INTERVAL", rates in Gbit/s
	res="$("${PYTHON}" -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ivs = [i["sum"]["bits_per_second"] / 1e9 for i in d["intervals"]]
    print("%.2f %d %s" % (d["end"]["sum_received"]["bits_per_second"] / 1e9,
          sum(1 for r in ivs if r == 0), ",".join("%.2f" % r for r in ivs)))
except Exception:
    print("0 0 none")' "${out}")"
	read -r rate stalls ivs <<< "${res}"
	if [ ${rc} -ne 0 ] || [ "${rate}" = "0.00" ] || [ "${rate}" = 0 ]; then
		fail "${name}" "iperf3 exit ${rc}, rate ${rate} Gbit/s: $(grep -m1 '"error"' "${out}" || tail -c 300 "${out}")"
	elif [ "${stalls}" -gt 0 ]; then
		fail "${name}" "transfer stalled: ${stalls} of the one-second intervals carried nothing (Gbit/s each: ${ivs}; average ${rate})"
	else
		pass "${name}: ${rate} Gbit/s"
	fi
}

if wait_for 10 host_listening "${IPERF_PORT4}" &&
   wait_for 10 host_listening "${IPERF_PORT6}"; then
	iperf "iperf3_upload_ipv4" "${HOST_GW4}" "${IPERF_PORT4}"
	iperf "iperf3_download_ipv4" "${HOST_GW4}" "${IPERF_PORT4}" -R
	iperf "iperf3_upload_ipv6" "${HOST_GW6}" "${IPERF_PORT6}"
	iperf "iperf3_download_ipv6" "${HOST_GW6}" "${IPERF_PORT6}" -R
else
	fail "iperf3" "iperf3 servers didn't start: $(cat "${T_TMP}"/iperf[46].out)"
fi
alive_check "daemon_alive"
pasta_end "daemon_stop"

# --- socat, 200 MiB each way, with and without SO_PEEK_OFF --------------

# bulk_download() - The big file from a host server to the namespace
# $1:	Check name
# $2:	4 or 6
bulk_download() {
	local name="$1" out="${T_TMP}/bulk.got" why port=$((BULK_PORT))
	local listen="TCP4-LISTEN:${port},bind=127.0.0.1" to="${HOST_GW4}"
	[ "$2" = 6 ] && listen="TCP6-LISTEN:${port},bind=[::1]" to="[${HOST_GW6}]"
	rm -f "${out}"
	host_bg "${T_TMP}/bulk.srv" "${TMO[@]}" socat -U "${listen},reuseaddr" \
		OPEN:"${BIG}"
	if ! wait_for 10 host_listening "${port}"; then
		fail "${name}" "host server didn't start: $(cat "${T_TMP}/bulk.srv")"
		return
	fi
	why="$(in_ns "${TMO[@]}" socat -u TCP:"${to}":"${port}" \
		CREATE:"${out}" 2>&1)"
	pid_wait "${BG_PID}" 10
	if why="${why:+socat: ${why}; }$(sum_file "${out}" "${BIG_SUM}")"; then
		pass "${name}"
	else
		fail "${name}" "${why}"
	fi
	rm -f "${out}"
}

# bulk_upload() - The big file from the namespace to a host server
# $1:	Check name
# $2:	4 or 6
bulk_upload() {
	local name="$1" out="${T_TMP}/bulk.got" why port=$((BULK_PORT + 1))
	local listen="TCP4-LISTEN:${port},bind=127.0.0.1" to="${HOST_GW4}"
	[ "$2" = 6 ] && listen="TCP6-LISTEN:${port},bind=[::1]" to="[${HOST_GW6}]"
	rm -f "${out}"
	host_bg "${T_TMP}/bulk.srv" "${TMO[@]}" socat -u "${listen},reuseaddr" \
		CREATE:"${out}"
	if ! wait_for 10 host_listening "${port}"; then
		fail "${name}" "host server didn't start: $(cat "${T_TMP}/bulk.srv")"
		return
	fi
	why="$(in_ns "${TMO[@]}" socat -u OPEN:"${BIG}" \
		TCP:"${to}":"${port}" 2>&1)"
	# The server ends once it has read the client's FIN
	pid_wait "${BG_PID}" 30
	if why="${why:+socat: ${why}; }$(sum_file "${out}" "${BIG_SUM}")"; then
		pass "${name}"
	else
		fail "${name}" "${why}"
	fi
	rm -f "${out}"
}

# hashing_transfer() - The big file into a receiver that hashes what it
#			reads (socat into sha256sum), which drains its socket
#			more slowly than iperf3: a window that stays closed
#			until the next segment or timer shows up here as a
#			collapse (it took 8.5 s for 200 MiB through a window
#			of 34 KiB; a veth pair takes about 1.1 s)
# $1:	Check name
# $2:	"up" (namespace to a host server) or "down" (host to a namespace
#	server, forwarded with -t)
# $3:	4 or 6
hashing_transfer() {
	local name="$1" got="${T_TMP}/hash.got" port=$((BULK_PORT + 2)) t0 ms
	local listen to bg=host_bg cl=in_ns lst=host_listening
	if [ "$2" = up ]; then
		listen="TCP$3-LISTEN:${port},bind=127.0.0.1" to="${HOST_GW4}"
		[ "$3" = 6 ] && listen="TCP6-LISTEN:${port},bind=[::1]" to="[${HOST_GW6}]"
	else
		port=$((BULK_PORT + 3)) bg=ns_bg cl=in_host lst=ns_listening
		listen="TCP$3-LISTEN:${port}" to="${HOST_ADDR4}"
		[ "$3" = 6 ] && to="[${HOST_ADDR6}]"
	fi
	rm -f "${got}"
	"${bg}" "${T_TMP}/hash.srv" "${TMO[@]}" sh -c \
		"socat -u ${listen},reuseaddr - | sha256sum > ${got}"
	if ! wait_for 10 "${lst}" "${port}"; then
		fail "${name}" "server didn't start: $(cat "${T_TMP}/hash.srv")"
		return
	fi
	t0="$(now_ms)"
	why="$("${cl}" "${TMO[@]}" socat -u OPEN:"${BIG}" TCP:"${to}":"${port}" 2>&1)"
	pid_wait "${BG_PID}" 30
	ms="$(elapsed_ms "${t0}")"
	if [ "$(cut -d' ' -f1 "${got}" 2>/dev/null)" != "${BIG_SUM}" ]; then
		fail "${name}" "${why:+socat: ${why}; }digest $(cat "${got}" 2>/dev/null) differs from ${BIG_SUM}"
	elif [ "${ms}" -gt "${HASH_MAX_MS}" ]; then
		fail "${name}" "${BIG_MIB} MiB took ${ms} ms, more than ${HASH_MAX_MS}: the window stays closed"
	else
		pass "${name}: ${BIG_MIB} MiB in ${ms} ms"
	fi
	rm -f "${got}"
}
# The bound is for a collapse, not a speed target: those are in make bench
HASH_MAX_MS=7000

# bursts() - Host to namespace in bursts, to a reader with a small fixed
#	     window: the guest's window fills up during each burst, and the
#	     host socket runs dry between them
# $1:	Check name
# $2:	Host server address
# $3:	Gateway address the namespace uses
bursts() {
	local name="$1" out
	host_bg "${T_TMP}/burst.srv" "${TMO[@]}" "${PYTHON}" "${PEER}" \
		burst_srv "${BURST_PORT}" "$2" "${BURST_N}" "${BURST_KIB}" 100
	if ! wait_for 10 grep -q ready "${T_TMP}/burst.srv"; then
		fail "${name}" "host server didn't start: $(cat "${T_TMP}/burst.srv")"
		return
	fi
	if out="$(in_ns "${TMO[@]}" "${PYTHON}" "${PEER}" burst_cli "$3" \
		  "${BURST_PORT}" 65536 $((BURST_N * BURST_KIB * 1024)) 2>&1)"; then
		pass "${name}"
	else
		fail "${name}" "${BURST_N} bursts of ${BURST_KIB} KiB, 100 ms apart, receive buffer 64 KiB: ${out}"
	fi
	kill "${BG_PID}" 2>/dev/null
	pid_wait "${BG_PID}" 5
}

# host_mss_read() - Set mss to the MSS of the host namespace's established
#		   socket whose peer is a port (pasta's, for a guest
#		   connection to that port)
# $1:	Port
# Return: 0 once there is such a socket
host_mss_read() {
	mss="$(in_host ss -tniH state established "dport = :$1" |
	       grep -o 'mss:[0-9]*' | head -n1 | cut -d: -f2)"
	[ -n "${mss}" ]
}

# host_mss_check() - A guest connection's host socket keeps the MSS of its
#		     own path (loopback: about 64 KiB), not the guest's: the
#		     guest's segments are cut here, and a host socket clamped
#		     to 1460 bytes cost a third of the throughput at MTU 1500
# $1:	Check name
host_mss_check() {
	local port=$((BULK_PORT + 5)) mss="" srv cli
	host_bg "${T_TMP}/mss.srv" "${TMO[@]}" socat -u \
		"TCP4-LISTEN:${port},bind=127.0.0.1,reuseaddr" SYSTEM:"sleep 10"
	srv="${BG_PID}"
	if ! wait_for 10 host_listening "${port}"; then
		fail "$1" "host server didn't start: $(cat "${T_TMP}/mss.srv")"
		return
	fi
	ns_bg "${T_TMP}/mss.cli" "${TMO[@]}" socat -u \
		SYSTEM:"sleep 10" TCP:"${HOST_GW4}":"${port}"
	cli="${BG_PID}"
	wait_for 10 host_mss_read "${port}"
	if [ "${mss:-0}" -gt 1500 ]; then
		pass "$1"
	else
		fail "$1" "host socket MSS '${mss}' at guest MTU 1500, want loopback's"
	fi
	kill "${cli}" "${srv}" 2>/dev/null
	pid_wait "${cli}" 5
	pid_wait "${srv}" 5
}

# super_check() - At MTU 1500, data to the guest goes in TCP super-frames
#		  of up to 64 KiB (one write each, about 44 segments), which
#		  its kernel takes whole: the downloads' bytes went in them
# $1:	Check name
super_check() {
	local stats n m
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	n="$(stat_of "${stats}" tap_super_frames_out)"
	m="$(stat_of "${stats}" tap_super_frame_segments_out)"
	if [ "${n:-0}" -gt 0 ] &&
	   [ "${m:-0}" -ge $((2 * BIG_MIB * 1024 * 1024 / 1500)) ] &&
	   [ "${m}" -ge $((n * 10)) ]; then
		pass "$1"
	else
		fail "$1" "tap_super_frames_out ${n}, tap_super_frame_segments_out ${m}"
	fi
}

# bulk_round() - Both ways, both families, then check how data was peeked
# $1:	Prefix of check names
# $2:	Counter that must have counted both downloads
# $3:	Counter that must be zero
# $@:	Extra pasta options
bulk_round() {
	local pfx="$1" used="$2" unused="$3" stats n m
	shift 3
	if ! pasta_spawn --config-net -t $((BULK_PORT + 3)) "$@"; then
		fail "${pfx}_spawn" "pasta $* didn't start"
		return
	fi
	bulk_download "${pfx}_download_ipv4" 4
	bulk_download "${pfx}_download_ipv6" 6
	bulk_upload "${pfx}_upload_ipv4" 4
	bulk_upload "${pfx}_upload_ipv6" 6
	bursts "${pfx}_download_bursts_ipv4" 127.0.0.1 "${HOST_GW4}"
	bursts "${pfx}_download_bursts_ipv6" ::1 "${HOST_GW6}"
	hashing_transfer "${pfx}_upload_hashed_ipv4" up 4
	hashing_transfer "${pfx}_upload_hashed_ipv6" up 6
	hashing_transfer "${pfx}_download_hashed_ipv4" down 4
	hashing_transfer "${pfx}_download_hashed_ipv6" down 6

	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	n="$(stat_of "${stats}" "${used}")"
	m="$(stat_of "${stats}" "${unused}")"
	# Each byte sent to the guest is peeked at least once
	if [ "${n}" -ge $((2 * BIG_MIB * 1024 * 1024)) ] && [ "${m}" -eq 0 ]; then
		pass "${pfx}_stats"
	else
		fail "${pfx}_stats" "${used} is ${n} (expected at least 2 x ${BIG_MIB} MiB), ${unused} is ${m} (expected 0)"
	fi
	n="$(stat_of "${stats}" tcp_bytes_from_guest)"
	if [ "${n}" -ge $((2 * BIG_MIB * 1024 * 1024)) ]; then
		pass "${pfx}_stats_from_guest"
	else
		fail "${pfx}_stats_from_guest" "tcp_bytes_from_guest is ${n}, expected at least 2 x ${BIG_MIB} MiB"
	fi
	# The host servers of the downloads close while their data waits for
	# the guest's window: our FIN goes on the frame with the last of it
	n="$(stat_of "${stats}" tcp_fins_with_data_to_guest)"
	[ "${n:-0}" -ge 2 ] && pass "${pfx}_fin_with_last_data: ${n}" ||
		fail "${pfx}_fin_with_last_data" "tcp_fins_with_data_to_guest is ${n:-0}, expected 2 or more (4 downloads)"
	# --zerocopy auto, the default: every peer here is on loopback, where
	# the kernel would copy anyway
	n="$(stat_of "${stats}" zc_sends)"
	[ "${n:-0}" -eq 0 ] && pass "${pfx}_no_zerocopy_to_loopback" ||
		fail "${pfx}_no_zerocopy_to_loopback" "zc_sends is ${n}"
	alive_check "${pfx}_daemon_alive"
	pasta_end "${pfx}_daemon_stop"
}

# zc_stat_check() - A counter's value against a bound
# $1:	Check name
# $2:	Statistics (stats_dump)
# $3:	Counter
# $4:	Comparison: -eq or -ge
# $5:	Bound
zc_stat_check() {
	local n ok=false
	n="$(stat_of "$2" "$3")"
	case "$4" in
	-eq)	[ "${n:-0}" -eq "$5" ] && ok=true ;;
	-ge)	[ "${n:-0}" -ge "$5" ] && ok=true ;;
	*)	fail "$1" "zc_stat_check: no comparison $4"; return ;;
	esac
	if ${ok}; then
		pass "$1"
	else
		fail "$1" "$3 is ${n:-0}, expected $4 $5"
	fi
}

# zc_round() - Uploads with --zerocopy on: MSG_ZEROCOPY until the first
#	       completion says the kernel copied (a peer on loopback: it
#	       does), then copies; then with net.core.optmem_max at 0 in
#	       the host namespace, where every zero-copy send is refused
#	       (ENOBUFS) and goes again as a copy. Every byte arrives, every
#	       buffer pinned for a send is released once the sockets close.
zc_round() {
	local stats
	if ! pasta_spawn --config-net --zerocopy on --zerocopy-min 4096; then
		fail "zerocopy_spawn" "pasta --zerocopy on didn't start"
		return
	fi
	bulk_upload "zerocopy_upload_ipv4" 4
	bulk_upload "zerocopy_upload_ipv6" 6
	hashing_transfer "zerocopy_upload_hashed_ipv4" up 4
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	# This kernel has no SCM_ZC_NOTIFICATION: the probe says so, and
	# completions come from the error queue
	check_grep "zerocopy_completions_errqueue" \
		"zero-copy completions *from the error queue" "$(cat "${PASTA_LOG}")"
	zc_stat_check "zerocopy_ranges_via_errqueue" "${stats}" \
		zc_ranges_via_errqueue -ge 3
	zc_stat_check "zerocopy_sends" "${stats}" zc_sends -ge 3
	zc_stat_check "zerocopy_copied_seen" "${stats}" zc_completed_copied -ge 3
	zc_stat_check "zerocopy_off_after_copied" "${stats}" \
		zc_off_after_copied -ge 3
	if [ "$(stat_of "${stats}" zc_sockets_kept_open)" = \
	     "$(stat_of "${stats}" zc_sockets_closed_later)" ]; then
		pass "zerocopy_kept_sockets_closed"
	else
		fail "zerocopy_kept_sockets_closed" "$(stat_of "${stats}" zc_sockets_kept_open) kept open, $(stat_of "${stats}" zc_sockets_closed_later) closed later"
	fi

	if in_host sysctl -qw net.core.optmem_max=0; then
		bulk_upload "zerocopy_nobufs_upload_ipv4" 4
		in_host sysctl -qw net.core.optmem_max=131072
		stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
		zc_stat_check "zerocopy_nobufs_copied" "${stats}" \
			zc_nobufs_copied -ge 1
	else
		skip "zerocopy_nobufs" "net.core.optmem_max isn't per namespace on this kernel"
	fi
	alive_check "zerocopy_daemon_alive"
	pasta_end "zerocopy_daemon_stop"
}

# many_at_once() - N connections from the namespace held open at once by
#		  a host server, which then sends each the slice of the big
#		  file its client asked for: every slice arrives whole
# $1:	Check name
# $2:	Number of connections
many_at_once() {
	local name="$1" n="$2" port=$((BULK_PORT + 4)) i bad=0 pids=()
	host_bg "${T_TMP}/many.srv" "${TMO[@]}" "${PYTHON}" -c '
import socket, sys
n, f = int(sys.argv[2]), open(sys.argv[3], "rb").read()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(n)
cs = [s.accept()[0] for _ in range(n)]
for c in cs:
    i = int(c.recv(16))
    c.sendall(f[i << 20:(i + 1) << 20])
    c.close()' "${port}" "${n}" "${BIG}"
	local srv="${BG_PID}"
	if ! wait_for 10 host_listening "${port}"; then
		fail "${name}" "host server didn't start: $(cat "${T_TMP}/many.srv")"
		return
	fi
	for i in $(seq 0 $((n - 1))); do
		rm -f "${T_TMP}/many.${i}"
		ns_bg /dev/null sh -c "echo ${i} | ${TMO[*]} socat - TCP:${HOST_GW4}:${port} > ${T_TMP}/many.${i}"
		pids+=("${BG_PID}")
	done
	for i in "${pids[@]}"; do
		pid_wait "${i}" 30
	done
	pid_wait "${srv}" 10
	for i in $(seq 0 $((n - 1))); do
		tail -c +$((i * 1048576 + 1)) "${BIG}" | head -c 1048576 | \
			cmp -s - "${T_TMP}/many.${i}" || bad=$((bad + 1))
	done
	[ "${bad}" -eq 0 ] && pass "${name}" ||
		fail "${name}" "${bad} of ${n} slices differ: $(cat "${T_TMP}/many.srv")"
}

# zcrx_round() - Downloads with --tcp-zerocopy-rx on: on loopback the
#		 kernel maps nothing, so every byte comes out of the socket
#		 through the copy buffer or recv(), into what the connection
#		 holds until the guest acknowledges it, and nothing is peeked.
#		 Each download's connection stops asking after a few calls
#		 mapped nothing, and reads. More connections at once than
#		 there are slots: those without one peek, as without the
#		 option
zcrx_round() {
	local stats n m calls
	if ! pasta_spawn --config-net --tcp-zerocopy-rx on \
	     -t $((BULK_PORT + 3)); then
		fail "zcrx_spawn" "pasta --tcp-zerocopy-rx on didn't start"
		return
	fi
	bulk_download "zcrx_download_ipv4" 4
	bulk_download "zcrx_download_ipv6" 6
	hashing_transfer "zcrx_download_hashed_ipv4" down 4
	bulk_upload "zcrx_upload_ipv4" 4
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	check_grep "zcrx_probed" "TCP: receive zero-copy +on" \
		"$(cat "${PASTA_LOG}")"
	zc_stat_check "zcrx_connections" "${stats}" tcp_zcrx_connections -ge 4
	zc_stat_check "zcrx_calls" "${stats}" tcp_zcrx_calls -ge 24
	zc_stat_check "zcrx_stopped_asking" "${stats}" \
		tcp_zcrx_stopped_asking -ge 3
	zc_stat_check "zcrx_not_resumed" "${stats}" \
		tcp_zcrx_mapping_resumed -eq 0
	zc_stat_check "zcrx_nothing_mapped_on_loopback" "${stats}" \
		tcp_zcrx_bytes_mapped -eq 0
	zc_stat_check "zcrx_nothing_peeked" "${stats}" \
		tcp_bytes_peeked_at_offset -eq 0
	# Every byte by the copy buffer or read; asked again every
	# TCP_ZCRX_RETRY reads, not every time
	n="$(stat_of "${stats}" tcp_zcrx_bytes_copybuf)"
	m="$(stat_of "${stats}" tcp_zcrx_bytes_read)"
	calls="$(stat_of "${stats}" tcp_zcrx_calls)"
	if [ $((n + m)) -ge $((3 * BIG_MIB * 1024 * 1024)) ]; then
		pass "zcrx_fallback_counted: ${n} bytes by the copy buffer, ${m} read"
	else
		fail "zcrx_fallback_counted" "copy buffer ${n}, read ${m}: expected 3 x ${BIG_MIB} MiB in all"
	fi
	[ "${calls}" -le $((100 + m / (4 * 1024 * 1024))) ] &&
		pass "zcrx_few_calls: ${calls} calls" ||
		fail "zcrx_few_calls" "${calls} calls for ${m} bytes read"
	many_at_once "zcrx_more_connections_than_slots" 24
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	zc_stat_check "zcrx_no_slot_peeked" "${stats}" tcp_zcrx_no_slot -ge 1
	alive_check "zcrx_daemon_alive"
	pasta_end "zcrx_daemon_stop"
}

bulk_round "bulk" tcp_bytes_peeked_at_offset tcp_bytes_peeked_via_discard
bulk_round "bulk_no_peek_off" tcp_bytes_peeked_via_discard \
	tcp_bytes_peeked_at_offset --no-peek-off
zc_round
zcrx_round
# MTU 1500, towards the namespace: data in super-frames. Not the other
# way yet: under CPU contention the namespace's segments overflow the tap
# queue, and a transfer can stall in the guest's retransmission backoff
# (issue 13's notes); MTU 65520 above covers uploads
if pasta_spawn --config-net -t $((BULK_PORT + 3)) --mtu 1500; then
	bulk_download "bulk_mtu1500_download_ipv4" 4
	bulk_download "bulk_mtu1500_download_ipv6" 6
	bursts "bulk_mtu1500_download_bursts_ipv4" 127.0.0.1 "${HOST_GW4}"
	hashing_transfer "bulk_mtu1500_download_hashed_ipv4" down 4
	hashing_transfer "bulk_mtu1500_download_hashed_ipv6" down 6
	super_check "bulk_mtu1500_super_frames"
	host_mss_check "bulk_mtu1500_host_mss"
	alive_check "bulk_mtu1500_daemon_alive"
	pasta_end "bulk_mtu1500_daemon_stop"
else
	fail "bulk_mtu1500_spawn" "pasta --mtu 1500 didn't start"
fi

lib_done
