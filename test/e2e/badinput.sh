#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# badinput.sh - malformed frames from the guest are dropped and counted,
# the daemon keeps running and keeps working
#
# Topology: see test/lib/lib.sh. Frames are written on the namespace's
# tap with an AF_PACKET socket (test/lib/pkt.py), so they reach pasta
# exactly as crafted. After each kind, the counters (SIGUSR1, read from
# the -l log) must show the matching drop counter grown.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "badinput" "${PYTHON:-python3}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

if ! pasta_spawn -D "${TEST_DNS4}" --config-net; then
	fail "start" "$(cat "${T_TMP}/pasta.out")"
	lib_done
fi
# Let the namespace's own start-up traffic (DAD, router solicitations)
# pass first, so it doesn't blur the counts
ns_dad_wait in_ns "${HOST_IF}" || true
check "ping_before" in_ns timeout 10 ping -n -q -c 1 -W 2 "${HOST_GW4}"

# inject() - Send one kind of frame, check a counter grew
# $1:	Frame kind (pkt.py kinds)
# $2:	Counter that must grow
LAST_STATS=
inject() {
	local kind="$1" counter="$2" before="${LAST_STATS}" after out
	if [ -z "${before}" ] && ! before="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"; then
		fail "${kind}" "no statistics after SIGUSR1"
		return
	fi
	if ! out="$(in_ns timeout 10 "${PYTHON}" "${PKT}" send "${HOST_IF}" "${kind}" 2>&1)"; then
		fail "${kind}" "couldn't send: ${out}"
		return
	fi
	if ! pasta_alive; then
		fail "${kind}" "pasta died: $(tail -n 3 "${PASTA_LOG}")"
		return
	fi
	after="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	# The frame may still be on its way when the signal arrives
	if [ "$(stat_of "${after}" "${counter}")" -le "$(stat_of "${before}" "${counter}")" ]; then
		sleep 0.2
		after="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	fi
	LAST_STATS="${after}"
	if [ "$(stat_of "${after}" "${counter}")" -gt "$(stat_of "${before}" "${counter}")" ]; then
		pass "${kind}"
	else
		fail "${kind}" "${counter} stayed at $(stat_of "${after}" "${counter}")"
	fi
}

inject ipv4-truncated		drop_short_frame
inject ipv4-totlen		drop_bad_ipv4
inject ipv4-ihl			drop_bad_ipv4
inject ipv4-ihl-long		drop_bad_ipv4
inject ipv4-version		drop_bad_ipv4
inject ipv4-fragment		drop_fragment
inject ethertype		drop_unknown_ethertype
inject ethertype-vlan		drop_unknown_ethertype
inject ipv6-truncated		drop_short_frame
inject ipv6-plen		drop_bad_ipv6
inject ipv6-ext-chain		drop_ipv6_ext_header
inject ipv6-ext-truncated	drop_ipv6_ext_header
inject ipv6-ext-cut		drop_ipv6_ext_header
inject ipv6-fragment		drop_fragment
inject arp-malformed		arp_dropped
inject arp-short		arp_dropped
inject dhcp-optlen		dhcp_dropped
inject dhcp-udplen		dhcp_dropped
inject dhcp-cookie		dhcp_dropped
inject ndp-zero-opt		ndp_dropped
inject ndp-opt-overrun		ndp_dropped
inject ndp-code			ndp_dropped

# Everything at once, a few times over: still alive
kinds="$("${PYTHON}" "${PKT}" kinds | awk '{ print $1 }')"
# shellcheck disable=SC2086
for i in 1 2 3 4 5; do
	in_ns timeout 10 "${PYTHON}" "${PKT}" send "${HOST_IF}" ${kinds} >/dev/null 2>&1
done
sleep 0.2
daemon_answers "alive_after_flood" || lib_done

# ARP for some other host on the link is answered with our MAC; one for
# the guest's own address (a probe) isn't
before="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
out="$(in_ns timeout 10 "${PYTHON}" "${PKT}" arp "${HOST_IF}" 198.51.100.77 2>&1)"
check_grep "arp_other_host_answered" "^([0-9a-f]{2}:){5}[0-9a-f]{2}$" "${out}"
after="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
[ "$(stat_of "${after}" arp_replies)" -gt "$(stat_of "${before}" arp_replies)" ] &&
	pass "arp_replies_counted" || fail "arp_replies_counted" "arp_replies stayed at $(stat_of "${after}" arp_replies)"
out="$(in_ns timeout 10 "${PYTHON}" "${PKT}" --timeout 1 arp "${HOST_IF}" \
	"${HOST_ADDR4}" --source 0.0.0.0 2>&1)"
check_grep "arp_own_address_not_answered" "^no ARP reply for ${HOST_ADDR4}$" "${out}"
daemon_answers "answers_after_own_address_probe"

# Malformed neighbour solicitations didn't break the real thing
check "ns_still_answered" in_ns timeout 10 "${PYTHON}" "${PKT}" ns "${HOST_IF}" "${HOST_GW6}"

check "ping_ipv4_after" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 "${HOST_GW4}"
check "ping_ipv6_after" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 -6 "${HOST_GW6}"

# Frame counters add up: what came in was counted
stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
if [ "$(stat_of "${stats}" tap_frames_in)" -gt 100 ]; then
	pass "frames_in_counted"
else
	fail "frames_in_counted" "tap_frames_in is $(stat_of "${stats}" tap_frames_in)"
fi

daemon_stop_check "daemon_stop"

lib_done
