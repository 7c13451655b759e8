#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_conn.sh - TCP connections through pasta's tap path, both families:
# 200 at once, refused, reset, half-closed; inbound forwarding with
# ranges, remapping, exclusions and bound addresses, -t auto following
# the namespace's listeners, -T to the host's loopback; and a full flow
# table (--max-flows) refusing new connections but keeping the old ones
#
# Topology: see test/lib/lib.sh. Host servers listen on the host
# namespace's loopback, reached from pasta's namespace through the
# gateway; host clients reach forwarded ports on the host namespace's own
# addresses, so that pasta takes the tap path rather than splicing:
#
#   host namespace pt-tcp_conn-PID                  pasta's namespace
#   servers 127.0.0.1 / ::1: 19000-19003  <== tap ==  clients -> gateway
#                                                   198.51.100.1 / 2001:db8::1
#   clients -> 198.51.100.2 / 2001:db8::2 == tap ==>  servers [::]:20000...
#              (-t 20000-20005, 21000:22000, 23000-23003,~23001,
#               198.51.100.2/24000, 2001:db8::2/24001)
#   also on lo: 203.0.113.9, 2001:db8:ff::9 (not bound by -t ADDR/PORT)
#   server 127.0.0.1 / ::1: 25000  <== splice (-T 25000) ==  client -> lo
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" ss || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

PEER="${LIB_DIR}/tcp_peer.py"
TMO=(timeout 60)
ECHO_PORT=19000
RST_PORT=19001
HALF_PORT=19002
CLOSED_PORT=19003	# nothing listens there
T_PORT=25000		# -T
AUTO_PORT=26000		# -t auto
FULL_PORT=19100		# --max-flows
OTHER4=203.0.113.9	# host addresses that -t ADDR/PORT doesn't bind
OTHER6=2001:db8:ff::9
MANY=200
MANY_KIB=64

if ! in_host ip addr add "${OTHER4}/32" dev lo ||
   ! in_host ip addr add "${OTHER6}/128" dev lo nodad; then
	fail "setup" "can't add ${OTHER4} and ${OTHER6} to the host's lo"
fi

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

# peer_bg() - Start a tcp_peer.py server, wait until it's listening
# $1:	host_bg or ns_bg
# $2:	Name, for its output file
# $@:	tcp_peer.py arguments
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

# peer() - Run tcp_peer.py in a namespace
# $1:	in_host or in_ns
# $@:	tcp_peer.py arguments
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

# says() - Check what a host client gets from a forwarded port
# $1:	Check name
# $@:	Pairs: ADDRESS:PORT (IPv6 in brackets), then what it should get:
#	"port N" or "refused"
says() {
	local name="$1" a port got want bad=""
	shift
	while [ $# -ge 2 ]; do
		a="${1%:*}"; port="${1##*:}"; want="$2"
		a="${a#[}"; a="${a%]}"
		got="$(peer in_host probe "${a}" "${port}" 2>&1)"
		[ "${got}" = "${want}" ] || bad="${bad}${1}: got '${got}', expected '${want}'; "
		shift 2
	done
	if [ -z "${bad}" ]; then
		pass "${name}"
	else
		fail "${name}" "${bad}"
	fi
}

# --- one daemon: forwarding rules, and connections from the guest -------

if ! pasta_spawn --config-net -t 20000-20005 -t 21000:22000 \
		 -t 23000-23003,~23001 -t "${HOST_ADDR4}/24000" \
		 -t "${HOST_ADDR6}/24001" -T "${T_PORT}"; then
	fail "spawn" "pasta didn't start"
	exit 1
fi

# Inbound: one namespace server answering on every port that could be
# forwarded, including the excluded one and the remapped one's source
# (but 20005: forwarded, and nothing listens there in the namespace)
if peer_bg ns_bg ports ports_srv :: 20000 20001 20002 20003 20004 \
	  21000 22000 23000 23001 23002 23003 24000 24001; then
	for f in 4 6; do
		if [ ${f} = 4 ]; then
			h="${HOST_ADDR4}" lo=127.0.0.1 o="${OTHER4}" bp=24000
		else
			h="[${HOST_ADDR6}]" lo="[::1]" o="[${OTHER6}]" bp=24001
		fi
		says "forward_range_ipv${f}" \
			"${h}:20000" "port 20000" "${h}:20001" "port 20001" \
			"${h}:20002" "port 20002" "${h}:20003" "port 20003" \
			"${h}:20004" "port 20004" "${h}:20006" "refused"
		# The guest resets pasta's SYN: the host client sees a reset
		says "forward_no_listener_ipv${f}" "${h}:20005" "reset"
		says "forward_remap_ipv${f}" \
			"${h}:21000" "port 22000" "${h}:22000" "refused"
		says "forward_exclusion_ipv${f}" \
			"${h}:23000" "port 23000" "${h}:23001" "refused" \
			"${h}:23002" "port 23002" "${h}:23003" "port 23003"
		says "forward_bound_address_ipv${f}" \
			"${h}:${bp}" "port ${bp}" "${o}:${bp}" "refused" \
			"${lo}:${bp}" "refused"
	done
	# An IPv4 binding doesn't listen on IPv6, and the other way around
	says "forward_bound_address_family" \
		"[${HOST_ADDR6}]:24000" "refused" "${HOST_ADDR4}:24001" "refused"
else
	fail "forward" "${PEER_ERR}"
fi

stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
n_in="$(stat_of "${stats}" tcp_connections_host_initiated)"
n_spl="$(stat_of "${stats}" tcp_connections_spliced)"
if [ "${n_in}" -ge 20 ] && [ "${n_spl}" -eq 0 ]; then
	pass "forward_tap_path"
else
	fail "forward_tap_path" "${n_in} connections from the host on the tap path (expected 20 or more), ${n_spl} spliced (expected 0)"
fi

# Outbound: host servers on the loopback, reached through the gateway
srv_ok=0
if peer_bg host_bg echo echo_srv "${ECHO_PORT}" 127.0.0.1 ::1 &&
   peer_bg host_bg rst rst_srv "${RST_PORT}" 127.0.0.1 ::1 &&
   peer_bg host_bg half half_srv "${HALF_PORT}" 127.0.0.1 ::1; then
	srv_ok=1
else
	fail "host_servers" "${PEER_ERR}"
fi

for f in 4 6; do
	gw="${HOST_GW4}"
	[ ${f} = 6 ] && gw="${HOST_GW6}"
	if [ ${srv_ok} -eq 1 ]; then
		if out="$(peer in_ns many "${gw}" "${ECHO_PORT}" "${MANY}" \
			  $((MANY_KIB * 1024)) 2>&1)"; then
			pass "concurrent_${MANY}_ipv${f}"
			echo "ipv${f}: ${out}"
		else
			fail "concurrent_${MANY}_ipv${f}" "${out}"
		fi
		check "reset_ipv${f}" peer in_ns rst_cli "${gw}" "${RST_PORT}"
		check "half_close_ipv${f}" peer in_ns half_cli "${gw}" \
			"${HALF_PORT}" 4194304
	fi
	check "refused_ipv${f}" peer in_ns refused "${gw}" "${CLOSED_PORT}" 1000
done

# To a server on the host's loopback, connect() is done by the time it
# returns: the SYN-ACK goes out then, not after an EPOLLOUT round
if [ ${srv_ok} -eq 1 ]; then
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	n="$(stat_of "${stats}" tcp_connects_done_at_once)"
	if [ "${n:-0}" -ge $((MANY * 2)) ]; then
		pass "connect_done_at_once"
	else
		fail "connect_done_at_once" "tcp_connects_done_at_once ${n:-0}, expected $((MANY * 2)) or more"
	fi
fi

# Unreachable: the host's connect() fails at once, the guest gets a reset.
# Timed out: the SYNs go into the blackhole, and with one SYN retry the
# host gives up after about 3 s: then the guest gets a reset too.
in_host ip route add unreachable 203.0.113.96/28
in_host ip -6 route add unreachable 2001:db8:dead::/64
check "unreachable_reset_ipv4" peer in_ns refused 203.0.113.99 80 1000
check "unreachable_reset_ipv6" peer in_ns refused 2001:db8:dead::99 80 1000
in_host sysctl -qw net.ipv4.tcp_syn_retries=1
check "timeout_reset_ipv4" peer in_ns refused 203.0.113.50 80 8000
check "timeout_reset_ipv6" peer in_ns refused 2001:db8:1::50 80 8000

# -T: the namespace's loopback to the host's, spliced
if peer_bg host_bg tsrv ports_srv 127.0.0.1,::1 "${T_PORT}"; then
	for a in 127.0.0.1 ::1; do
		f=4
		[ "${a}" = ::1 ] && f=6
		got="$(peer in_ns probe "${a}" "${T_PORT}" 2>&1)"
		if [ "${got}" = "port ${T_PORT}" ]; then
			pass "outbound_T_ipv${f}"
		else
			fail "outbound_T_ipv${f}" "${a}:${T_PORT} in the namespace: got '${got}'"
		fi
	done
else
	fail "outbound_T" "${PEER_ERR}"
fi

alive_check "daemon_alive"
pasta_end "daemon_stop"

# --- -t auto -------------------------------------------------------------

# auto_says() - Do both host addresses give what we expect
# $1:	Expected: "port N" or "refused"
auto_says() {
	[ "$(peer in_host probe "${HOST_ADDR4}" "${AUTO_PORT}" 2>&1)" = "$1" ] &&
	[ "$(peer in_host probe "${HOST_ADDR6}" "${AUTO_PORT}" 2>&1)" = "$1" ]
}

if pasta_spawn --config-net -t auto; then
	if auto_says refused; then
		pass "auto_refused_before"
	else
		fail "auto_refused_before" "host port ${AUTO_PORT} answers before anything listens in the namespace"
	fi
	if peer_bg ns_bg auto ports_srv :: "${AUTO_PORT}"; then
		auto_pid="${BG_PID}"
		start="$(now_ms)"
		forwarded=0
		if wait_for 3 auto_says "port ${AUTO_PORT}"; then
			pass "auto_forwarded"
			echo "auto forward after $(elapsed_ms "${start}") ms"
			forwarded=1
		else
			fail "auto_forwarded" "host ${HOST_ADDR4} and ${HOST_ADDR6} port ${AUTO_PORT} didn't reach the namespace's new listener in 3 s"
		fi
		kill "${auto_pid}" 2>/dev/null
		pid_wait "${auto_pid}" 3
		start="$(now_ms)"
		if [ ${forwarded} -eq 0 ]; then
			skip "auto_removed" "the port was never forwarded"
		elif wait_for 3 auto_says refused; then
			pass "auto_removed"
			echo "auto forward removed after $(elapsed_ms "${start}") ms"
		else
			fail "auto_removed" "host port ${AUTO_PORT} still accepts 3 s after the namespace's listener left"
		fi
	else
		fail "auto_forwarded" "${PEER_ERR}"
	fi
	alive_check "auto_daemon_alive"
	pasta_end "auto_daemon_stop"
else
	fail "auto_spawn" "pasta -t auto didn't start"
fi

# --- flow table full -------------------------------------------------------

# With --max-flows 10, guest connections fill the table (other flows may
# take some of it, so the limit is found by opening until one fails); the
# next is refused at once, the open ones still work, and once they close
# new connections work again
if pasta_spawn --config-net --max-flows 10 -t none -T none; then
	if peer_bg host_bg full echo_srv "${FULL_PORT}" 127.0.0.1 ::1; then
		for f in 4 6; do
			gw="${HOST_GW4}"
			[ ${f} = 6 ] && gw="${HOST_GW6}"
			out="$(peer in_ns fill "${gw}" "${FULL_PORT}" 20 2>&1)"
			rc=$?
			n="$(printf '%s' "${out}" | sed -n 's/^opened \([0-9]*\);.*/\1/p')"
			if [ ${rc} -eq 0 ] && [ "${n:-0}" -ge 1 ] && [ "${n}" -le 10 ]; then
				pass "table_full_ipv${f}"
				echo "ipv${f}: ${out}"
			else
				fail "table_full_ipv${f}" "${out}"
			fi
			start="$(now_ms)"
			if wait_for 5 peer in_ns echo1 "${gw}" "${FULL_PORT}"; then
				pass "table_full_recovers_ipv${f}"
				echo "ipv${f}: a new connection works $(elapsed_ms "${start}") ms after the others closed"
			else
				fail "table_full_recovers_ipv${f}" "no new connection works within 5 s of closing the others: $(peer in_ns echo1 "${gw}" "${FULL_PORT}" 2>&1)"
			fi
		done
		stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
		n="$(stat_of "${stats}" drop_flow_table_full)"
		if [ "${n}" -ge 2 ]; then
			pass "table_full_counted"
		else
			fail "table_full_counted" "drop_flow_table_full is ${n}, expected 2 or more"
		fi
	else
		fail "table_full" "${PEER_ERR}"
	fi
	alive_check "table_full_daemon_alive"
	pasta_end "table_full_daemon_stop"
else
	fail "table_full_spawn" "pasta --max-flows 10 didn't start"
fi

lib_done
