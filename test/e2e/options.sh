#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# options.sh - what a new user expects of the forwarding options: an
# explicitly forwarded port that is taken stops pasta (exit 1, naming the
# port) while "all" and "auto" skip it; --freebind, --no-splice,
# --splice-only, and pasta -F with a tap device opened by the caller
#
# Topology: see test/lib/lib.sh. Ports are taken by socat in the host
# namespace; pasta runs there, with a namespace of its own (or, for -F,
# a named one of ours holding the caller's tap device). Servers and
# clients are test/lib/tcp_peer.py and udp_peer.py, data checked byte for
# byte.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "options" socat "${PYTHON}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

BUSY=18080		# taken on the host, TCP and UDP
TPEER="${LIB_DIR}/tcp_peer.py"
UPEER="${LIB_DIR}/udp_peer.py"
FREE4=203.0.113.9	# not configured on the host when pasta starts
FREE6=2001:db8:ff::9

# port_taken() - Is a port listened on (TCP) or bound (UDP) in the host
# $1:	"-t" or "-u"
# $2:	Port
port_taken() {
	in_host ss -Hln "$1" "sport = :$2" | grep -q .
}

in_host socat -u TCP4-LISTEN:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
track_pid $!
# Without SO_REUSEADDR, so that ours (which sets it) can't share the port
in_host socat -u UDP4-RECV:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
track_pid $!
if ! wait_for 5 port_taken -t "${BUSY}" || ! wait_for 5 port_taken -u "${BUSY}"; then
	fail "setup" "socat didn't take port ${BUSY}"
	lib_done
fi

# busy_explicit() - -t/-u with the taken port: pasta exits 1, saying which
# $1:	Check name
# $@:	pasta options
busy_explicit() {
	local name="$1" out rc
	shift
	out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" "$@" -- true 2>&1 < /dev/null)"
	rc=$?
	if [ ${rc} -ne 1 ]; then
		fail "${name}" "exit ${rc}, expected 1: ${out}"
	else
		check_grep "${name}" "port ${BUSY} .*Address already in use" "${out}"
	fi
}

busy_explicit "busy_tcp_port_fails" -t "${BUSY}"
busy_explicit "busy_tcp_port_in_range_fails" -t 18070-18090
busy_explicit "busy_udp_port_fails" -u "${BUSY}"
busy_explicit "busy_tcp_port_with_address_fails" -t "0.0.0.0/${BUSY}"

# "all" (here: every port but those excluded, around the taken one) skips
# the taken port, and forwards the others
if pasta_spawn -D "${TEST_DNS4}" -d -t "~1-18000,~18200-65535" \
		-u "~1-18000,~18200-65535"; then
	if port_taken -t 18081 && port_taken -u 18081 && pasta_alive; then
		pass "busy_port_all_skipped"
	else
		fail "busy_port_all_skipped" "no listener on port 18081: $(tail -n 3 "${PASTA_LOG}")"
	fi
	check_grep "busy_port_all_debug_line" "TCP port ${BUSY}: .*Address already in use, skipped" \
		"$(cat "${PASTA_LOG}")"
	daemon_answers "busy_port_all_answers"
	daemon_stop_check "busy_port_all_stop"
else
	fail "busy_port_all_skipped" "pasta didn't start"
fi

# "auto" (the default): the namespace listens on the taken port and on
# another one; pasta follows the other one on the host, and says nothing
# about the taken one outside debug messages. No -T: it would take the
# port in the namespace first, following socat on the host
if pasta_spawn -D "${TEST_DNS4}" -T none -U none; then
	in_ns socat -u TCP4-LISTEN:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
	track_pid $!
	in_ns socat -u TCP4-LISTEN:18082,bind=0.0.0.0 OPEN:/dev/null &
	track_pid $!
	if wait_for 5 port_taken -t 18082 && sleep 1.2 && pasta_alive &&
	   in_ns ss -Hltn "sport = :${BUSY}" | grep -q .; then
		pass "busy_port_auto_skipped"
	else
		fail "busy_port_auto_skipped" "no listener on 18082, or pasta exited: $(tail -n 3 "${PASTA_LOG}")"
	fi
	if grep -q "port ${BUSY}" "${PASTA_LOG}"; then
		fail "busy_port_auto_quiet" "$(grep "port ${BUSY}" "${PASTA_LOG}" | head -n 2)"
	else
		pass "busy_port_auto_quiet"
	fi
	daemon_answers "busy_port_auto_answers"
	daemon_stop_check "busy_port_auto_stop"
else
	fail "busy_port_auto_skipped" "pasta didn't start"
fi

# --- helpers for the tests with servers ----------------------------------

# bg() - Start a peer script in a namespace, wait until it's ready
# $1:	in_host or in_ns
# $2:	Name, for its output file
# $@:	Script and its arguments
# Return: 0 once it prints "ready", 1 if it doesn't within 10 s
bg() {
	local where="$1" out="${T_TMP}/$2.out"
	shift 2
	"${where}" timeout 60 "${PYTHON}" "$@" > "${out}" 2>&1 &
	track_pid $!
	wait_for 10 grep -q ready "${out}"
}

# --- --freebind --------------------------------------------------------
# An address not configured on the host can't be bound without it (and,
# given explicitly, that's fatal); with it, pasta starts, and once the
# address is configured, connections to it reach the namespace
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" -t "${FREE4}/18090" -- true 2>&1 < /dev/null)"
rc=$?
if [ ${rc} -eq 1 ]; then
	check_grep "unconfigured_address_fails" "port 18090 .*Cannot assign requested address.*--freebind" "${out}"
else
	fail "unconfigured_address_fails" "exit ${rc}: ${out}"
fi
if pasta_spawn -D "${TEST_DNS4}" --config-net --freebind \
		-t "${FREE4}/18090" -t "[${FREE6}]/18091"; then
	pass "freebind_starts"
	in_host ip addr add "${FREE4}/32" dev lo &&
	in_host ip addr add "${FREE6}/128" dev lo nodad
	if bg in_ns fb4 "${TPEER}" half_srv 18090 0.0.0.0 &&
	   bg in_ns fb6 "${TPEER}" half_srv 18091 ::; then
		check "freebind_ipv4_connects" in_host timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli "${FREE4}" 18090 100000
		check "freebind_ipv6_connects" in_host timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli "${FREE6}" 18091 100000
	else
		fail "freebind_ipv4_connects" "servers didn't start: $(cat "${T_TMP}"/fb?.out)"
	fi
	pasta_stop
else
	fail "freebind_starts" "pasta didn't start"
fi

# --- --no-splice ---------------------------------------------------------
# A peer on the host's loopback reaches a -t/-u port through the tap
# device (from the gateway address, as the guest sees it), not spliced
# nsstats() - Counters of the pasta_spawn daemon
nsstats() {
	stats_dump "${PASTA_PID}" "${PASTA_LOG}"
}
for splice in spliced no_splice; do
	opt=
	[ "${splice}" = no_splice ] && opt=--no-splice
	if ! pasta_spawn -D "${TEST_DNS4}" --config-net ${opt} -t 18092 -u 18093; then
		fail "${splice}_start" "pasta didn't start"
		continue
	fi
	if bg in_ns "t_${splice}" "${TPEER}" half_srv 18092 0.0.0.0 &&
	   bg in_ns "u_${splice}" "${UPEER}" echo_srv 18093 0.0.0.0; then
		check "${splice}_tcp_data" in_host timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli 127.0.0.1 18092 200000
		check "${splice}_udp_data" in_host timeout 20 "${PYTHON}" "${UPEER}" \
			echo_cli 127.0.0.1 18093 1 1000 9000
		st="$(nsstats)"
		tap="$(stat_of "${st}" tcp_connections_host_initiated)"
		spl="$(stat_of "${st}" tcp_connections_spliced)"
		utap="$(stat_of "${st}" udp_datagrams_to_guest)"
		uspl="$(stat_of "${st}" udp_flows_spliced)"
		if [ "${splice}" = no_splice ]; then
			[ "${tap}" -ge 1 ] && [ "${spl}" -eq 0 ] && pass "no_splice_tcp_via_tap" ||
				fail "no_splice_tcp_via_tap" "connections via tap ${tap}, spliced ${spl}"
			[ "${utap}" -ge 3 ] && [ "${uspl}" -eq 0 ] && pass "no_splice_udp_via_tap" ||
				fail "no_splice_udp_via_tap" "datagrams to the guest ${utap}, spliced flows ${uspl}"
		else
			# The same without the option: spliced, as the
			# comparison above needs
			[ "${spl}" -ge 1 ] && [ "${tap}" -eq 0 ] && pass "default_tcp_spliced" ||
				fail "default_tcp_spliced" "connections via tap ${tap}, spliced ${spl}"
			[ "${uspl}" -ge 1 ] && pass "default_udp_spliced" ||
				fail "default_udp_spliced" "spliced flows ${uspl}"
		fi
	else
		fail "${splice}_tcp_data" "servers didn't start"
	fi
	pasta_stop
done

# --- --splice-only -------------------------------------------------------
# No tap device: the namespace has loopback only; -t from the host's
# loopback and -T to it still work, spliced; the host side listens on
# loopback only
if pasta_spawn -D "${TEST_DNS4}" --splice-only -t 18094 -T 18095; then
	pass "splice_only_start"
	n="$(in_ns ip -o link show | wc -l)"
	[ "${n}" -eq 1 ] && pass "splice_only_no_tap" ||
		fail "splice_only_no_tap" "$(in_ns ip -o link show)"
	if bg in_ns so_ns "${TPEER}" half_srv 18094 127.0.0.1 ::1 &&
	   bg in_host so_host "${TPEER}" half_srv 18095 127.0.0.1; then
		check "splice_only_host_to_ns_ipv4" in_host timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli 127.0.0.1 18094 100000
		check "splice_only_host_to_ns_ipv6" in_host timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli ::1 18094 100000
		check "splice_only_ns_to_host" in_ns timeout 20 "${PYTHON}" "${TPEER}" \
			half_cli 127.0.0.1 18095 100000
	else
		fail "splice_only_host_to_ns_ipv4" "servers didn't start"
	fi
	l="$(in_host ss -Hltn 'sport = :18094' | awk '{ print $4 }' | sort | tr '\n' ' ')"
	[ "${l}" = "127.0.0.1:18094 [::1]:18094 " ] && pass "splice_only_listens_on_loopback" ||
		fail "splice_only_listens_on_loopback" "listening on: ${l}"
	out="$(in_host timeout 10 "${PYTHON}" "${TPEER}" probe "${HOST_ADDR4}" 18094)"
	[ "${out}" = "refused" ] && pass "splice_only_other_address_refused" ||
		fail "splice_only_other_address_refused" "${out}"
	st="$(nsstats)"
	[ "$(stat_of "${st}" tcp_connections_spliced)" -ge 3 ] &&
	[ "$(stat_of "${st}" tap_frames_out)" -eq 0 ] && pass "splice_only_stats" ||
		fail "splice_only_stats" "spliced $(stat_of "${st}" tcp_connections_spliced), tap frames $(stat_of "${st}" tap_frames_out)"
	pasta_alive && pass "splice_only_alive" || fail "splice_only_alive" "pasta exited"
	# No guest link to ask: the statistics say the loop runs
	daemon_answers "splice_only_answers" --signal
	daemon_stop_check "splice_only_stop"
else
	fail "splice_only_start" "pasta didn't start"
fi

# --- pasta -F: a tap device opened by the caller -----------------------
# The caller (python here) creates tap device "tapf" in the host
# namespace, moves it into our guest namespace, and runs pasta with the
# descriptor: pasta uses that device instead of creating one
guest_ns_setup fd
TAPF_PY='
import fcntl, os, struct, subprocess, sys
TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(), IFF_TAP | IFF_NO_PI))
subprocess.run(["ip", "link", "set", sys.argv[1], "netns", sys.argv[2]], check=True)
args = [a.replace("@FD@", str(fd)) for a in sys.argv[3:]]
os.set_inheritable(fd, True)
os.execv(args[0], args)
'
pidf="${T_TMP}/fd.pid"
in_host timeout 20 "${PYTHON}" -c "${TAPF_PY}" tapf "${GUEST_NS}" "${PASTA}" -F @FD@ \
	-D "${TEST_DNS4}" --config-net -P "${pidf}" -l "${T_TMP}/fd.log" \
	--netns "${GUEST_NS}" > "${T_TMP}/fd.out" 2>&1 < /dev/null
rc=$?
PASTA_PID="$(cat "${pidf}" 2>/dev/null)"
[ -n "${PASTA_PID}" ] && track_pid "${PASTA_PID}"
if [ ${rc} -eq 0 ] && pid_alive "${PASTA_PID}"; then
	pass "fd_tap_start"
	links="$(ip -n "${GUEST_NS}" -o link show | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
	[ "${links}" = "lo tapf " ] && pass "fd_tap_used" || fail "fd_tap_used" "links: ${links}"
	check_grep "fd_tap_configured" " inet ${HOST_ADDR4}/" "$(ip -n "${GUEST_NS}" -o addr show dev tapf)"
	check "fd_tap_ping_ipv4" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 "${HOST_GW4}"
	ns_dad_wait in_ns tapf
	check "fd_tap_ping_ipv6" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 -6 "${HOST_GW6}"
	daemon_answers "fd_tap_answers" --log "${T_TMP}/fd.log"
	daemon_stop_check "fd_tap_stop" --log "${T_TMP}/fd.log"
else
	fail "fd_tap_start" "exit ${rc}: $(cat "${T_TMP}/fd.out" "${T_TMP}/fd.log" 2>/dev/null | tail -n 3)"
fi
GUEST_NS=

# -F with a name other than -I says so; a descriptor that isn't a tap
# device too
guest_ns_setup fd2
out="$(in_host timeout 20 "${PYTHON}" -c "${TAPF_PY}" tapg "${GUEST_NS}" "${PASTA}" -F @FD@ \
	-I other -D "${TEST_DNS4}" --netns "${GUEST_NS}" 2>&1 < /dev/null)"
rc=$?
[ ${rc} -eq 1 ] && check_grep "fd_tap_name_mismatch" "tap device 'tapg', not 'other'" "${out}" ||
	fail "fd_tap_name_mismatch" "exit ${rc}: ${out}"
out="$(in_host timeout 20 "${PASTA}" -F 5 -D "${TEST_DNS4}" --netns "${GUEST_NS}" 2>&1 5</dev/null)"
rc=$?
[ ${rc} -eq 1 ] && check_grep "fd_not_tap" "-F/--fd 5 is not a tap device" "${out}" ||
	fail "fd_not_tap" "exit ${rc}: ${out}"
GUEST_NS=

lib_done
