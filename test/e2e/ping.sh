#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ping.sh - ICMP and ICMPv6 echo through pasta: the gateway mapped to the
# host's loopback, --map-guest-addr, --no-map-gw, and echo identifiers
# translated back when the guest's identifier is taken on the host
#
# Topology: see test/lib/lib.sh. The replies come from the host
# namespace's own stack (loopback, or its own address): nothing leaves.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

PING=(timeout 10 ping -n -q -c 3 -i 0.2 -W 2)

# Namespaces that stay up for several checks: pasta waits for flows to
# drain when its command exits, so one short command per check is slow
NS_DEFAULT=; NS_MAPPED=; NS_NOGW=
if pasta_spawn -D "${TEST_DNS4}" --config-net; then
	NS_DEFAULT="${NS_PID}"
	in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647"
fi
if pasta_spawn -D "${TEST_DNS4}" --config-net --map-guest-addr 203.0.113.7 \
		--map-guest-addr 2001:db8:ff::7 --map-host-loopback 203.0.113.9; then
	NS_MAPPED="${NS_PID}"
fi
if pasta_spawn -D "${TEST_DNS4}" --config-net --no-map-gw; then
	NS_NOGW="${NS_PID}"
fi

# in_pns() - Run a command in one of the namespaces above
# $1:	Its NS_PID
in_pns() {
	local pid="$1"
	shift
	[ -n "${pid}" ] || { echo "pasta didn't start: $(cat "${T_TMP}/pasta.out")"; return 1; }
	nsenter -t "${pid}" -n -- "$@"
}

check "gateway_ipv4" in_pns "${NS_DEFAULT}" "${PING[@]}" "${HOST_GW4}"
check "gateway_ipv6" in_pns "${NS_DEFAULT}" "${PING[@]}" -6 "${HOST_GW6}"

check "map_guest_addr_ipv4" in_pns "${NS_MAPPED}" "${PING[@]}" 203.0.113.7
check "map_guest_addr_ipv6" in_pns "${NS_MAPPED}" "${PING[@]}" -6 2001:db8:ff::7
# --map-host-loopback picks another address for the host's loopback
check "map_host_loopback_ipv4" in_pns "${NS_MAPPED}" "${PING[@]}" 203.0.113.9

if [ -n "${NS_NOGW}" ]; then
	check_fails "no_map_gw_ipv4" in_pns "${NS_NOGW}" timeout 10 ping -n -q -c 1 -W 1 "${HOST_GW4}"
	check_fails "no_map_gw_ipv6" in_pns "${NS_NOGW}" timeout 10 ping -n -q -c 1 -W 1 -6 "${HOST_GW6}"
	daemon_answers "no_map_gw_daemon_answers" --ns "${NS_NOGW}"
else
	fail "no_map_gw" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# id_remap() - The guest's echo identifier is in use on the host: pasta's
#		socket gets another one, and replies still carry the guest's
# $1:	Check name
# $2:	Destination
# $3:	Identifier
id_remap() {
	local name="$1" dst="$2" id="$3" out pid
	out="${T_TMP}/hold.${id}"
	ip netns exec "${HOST_NS}" "${PYTHON}" "${PKT}" holdid "${dst}" "${id}" 20 \
		> "${out}" 2>&1 &
	pid=$!
	track_pid "${pid}"
	if ! wait_for 5 grep -q ready "${out}"; then
		fail "${name}" "couldn't hold identifier ${id} on the host: $(cat "${out}")"
		return
	fi
	if ip netns exec "${HOST_NS}" "${PYTHON}" "${PKT}" bindid "${dst}" "${id}" 2>/dev/null; then
		skip "${name}" "identifier ${id} can't be held exclusively on this kernel"
		return
	fi
	check "${name}" in_pns "${NS_DEFAULT}" "${PYTHON}" "${PKT}" --timeout 6 pingid "${dst}" "${id}"
	kill "${pid}" 2>/dev/null
}

if need_cmd "echo_id_remap" "${PYTHON:-python3}"; then
	id_remap "echo_id_remap_ipv4" "${HOST_GW4}" 4711
	id_remap "echo_id_remap_ipv6" "${HOST_GW6}" 4712
	# And a free identifier is kept as it is
	check "echo_id_free_ipv4" in_pns "${NS_DEFAULT}" "${PYTHON}" "${PKT}" pingid "${HOST_GW4}" 4713
fi

# The last one started: --no-map-gw
[ -n "${NS_NOGW}" ] && daemon_stop_check "daemon_stop"

lib_done
