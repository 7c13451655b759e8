#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ndp.sh - NDP: router advertisements (solicited with rdisc6, and
# unsolicited right after start), neighbour solicitations (ndisc6)
#
# Topology: see test/lib/lib.sh, with a guest namespace of our own
# (GUEST_NS, DAD off so its link-local address works at once) that pasta
# joins with --netns, without --config-net: the guest asks for everything.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "ndp" rdisc6 ndisc6 || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }
guest_ns_setup || { fail "setup" "guest namespace"; exit 1; }

# rdisc() - Solicit an RA in the guest, print it
rdisc() {
	in_ns timeout 10 rdisc6 -1 -n -r 3 -w 1000 "${HOST_IF}" 2>&1
}

# Capture from before pasta starts: the tap device doesn't exist yet, so
# listen on "any", which sees devices that appear later
cap="${T_TMP}/ra.txt"
if command -v tcpdump >/dev/null; then
	in_ns timeout 5 tcpdump -i any -n -l -p icmp6 > "${cap}" 2>/dev/null &
	track_pid $!
	wait_for 3 sh -c "ip netns exec ${GUEST_NS} ss -0 -a 2>/dev/null | grep -q ."
	sleep 0.3
fi

if ! pasta_attach -D "${TEST_DNS6}"; then
	fail "start" "$(cat "${T_TMP}/pasta.out")"
	lib_done
fi
pass "start"

if [ -f "${cap}" ]; then
	if wait_for 4 grep -q "> ff02::1: ICMP6, router advertisement" "${cap}"; then
		pass "ra_unsolicited_after_start"
	else
		fail "ra_unsolicited_after_start" "no RA to ff02::1 within 4 s: $(head -c 300 "${cap}")"
	fi
else
	skip "ra_unsolicited_after_start" "tcpdump not installed"
fi

ra="$(rdisc)"
check_grep "ra_prefix" "Prefix +: 2001:db8::/64" "${ra}"
check_grep "ra_mtu" "MTU +: +65520 bytes" "${ra}"
check_grep "ra_managed_flag" "Stateful address conf\. +: +Yes" "${ra}"
check_grep "ra_router_lifetime" "Router lifetime +: +[1-9]" "${ra}"
if printf '%s' "${ra}" | grep -q "Recursive DNS server"; then
	fail "ra_no_rdnss_by_default" "RDNSS without --dhcp-dns: ${ra}"
else
	pass "ra_no_rdnss_by_default"
fi

out="$(in_ns timeout 10 ndisc6 -1 -n -r 3 -w 1000 "${HOST_GW6}" "${HOST_IF}" 2>&1)"
check_grep "ns_gateway_answered" "Target link-layer address: [0-9A-Fa-f:]{17}" "${out}"
out="$(in_ns timeout 10 ndisc6 -1 -n -r 3 -w 1000 2001:db8::99 "${HOST_IF}" 2>&1)"
check_grep "ns_other_address_answered" "Target link-layer address: [0-9A-Fa-f:]{17}" "${out}"
# The guest's own address: not ours to claim
out="$(in_ns timeout 10 ndisc6 -1 -n -r 2 -w 500 "${HOST_ADDR6}" "${HOST_IF}" 2>&1)"
if printf '%s' "${out}" | grep -q "Target link-layer address"; then
	fail "ns_guest_address_not_answered" "${out}"
else
	pass "ns_guest_address_not_answered"
fi

# The gateway's MAC in the NA is the one pasta uses as source for the RA
mac_na="$(in_ns timeout 10 ndisc6 -1 -n -q -r 3 -w 1000 "${HOST_GW6}" "${HOST_IF}" 2>/dev/null | tr 'A-F' 'a-f')"
mac_ra="$(printf '%s' "${ra}" | sed -n 's/.*Source link-layer address: *//p' | tr 'A-F' 'a-f')"
if [ -n "${mac_na}" ] && [ "${mac_na}" = "${mac_ra}" ]; then
	pass "ns_mac_matches_ra"
else
	fail "ns_mac_matches_ra" "NA says '${mac_na}', RA says '${mac_ra}'"
fi

pasta_stop	# SIGTERM itself is netns.sh's business

# --dhcp-dns and --dhcp-search: RDNSS and DNSSL, and -m sets the RA MTU
if pasta_attach --dhcp-dns -D "${TEST_DNS6}" -D 2001:db8:53::54 --dhcp-search \
		-S example.test -m 1400; then
	ra="$(rdisc)"
	check_grep "ra_rdnss" "Recursive DNS server +: ${TEST_DNS6}" "${ra}"
	check_grep "ra_rdnss_second" "Recursive DNS server +: 2001:db8:53::54|${TEST_DNS6}.*2001:db8:53::54" "${ra}"
	check_grep "ra_dnssl" "DNS search list +: example\.test" "${ra}"
	check_grep "ra_mtu_option" "MTU +: +1400 bytes" "${ra}"
	pasta_stop	# SIGTERM itself is netns.sh's business
else
	fail "ra_rdnss" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# --no-ra: solicitations go unanswered, neighbour solicitations still not
if ! pasta_attach -D "${TEST_DNS6}" --no-ra; then
	fail "no_ra" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
else
	out="$(in_ns timeout 10 rdisc6 -1 -n -r 2 -w 500 "${HOST_IF}" 2>&1)"
	if printf '%s' "${out}" | grep -q "Prefix"; then
		fail "no_ra" "got an RA: ${out}"
	else
		pass "no_ra"
	fi
	daemon_answers "no_ra_daemon_answers"
	out="$(in_ns timeout 10 ndisc6 -1 -n -r 3 -w 1000 "${HOST_GW6}" "${HOST_IF}" 2>&1)"
	check_grep "no_ra_ns_still_answered" "Target link-layer address" "${out}"
	pasta_stop
fi

# --no-ndp: nothing answered
if ! pasta_attach -D "${TEST_DNS6}" --no-ndp; then
	fail "no_ndp" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
else
	out="$(in_ns timeout 10 ndisc6 -1 -n -r 2 -w 500 "${HOST_GW6}" "${HOST_IF}" 2>&1)"
	if printf '%s' "${out}" | grep -q "Target link-layer address"; then
		fail "no_ndp" "got an NA: ${out}"
	else
		pass "no_ndp"
	fi
	daemon_answers "no_ndp_daemon_answers"
	daemon_stop_check "no_ndp_daemon_stop"
fi

lib_done
