#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ndp.sh - NDP: router advertisements (solicited with rdisc6, and
# unsolicited right after start), neighbour solicitations (ndisc6), the
# guest kernel's SLAAC address and default route from our advertisements,
# a link-local host gateway as the guest's router, and solicitations with
# a hop limit other than 255 (crafted by test/lib/pkt.py) going unanswered
#
# Topology: see test/lib/lib.sh, with a guest namespace of our own
# (GUEST_NS, DAD off so its link-local address works at once) that pasta
# joins with --netns, without --config-net: the guest asks for everything,
# and its kernel (accept_ra and autoconf on, as by default) configures
# itself from what we advertise. For the link-local gateway checks, the
# host namespace's default route is then changed to go via fe80::1.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "ndp" rdisc6 ndisc6 || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }
guest_ns_setup || { fail "setup" "guest namespace"; exit 1; }

# rdisc() - Solicit an RA in the guest, print it
rdisc() {
	in_ns timeout 10 rdisc6 -1 -n -r 3 -w 1000 "${HOST_IF}" 2>&1
}

# eui64() - SLAAC address in a /64 for a MAC address (RFC 4291, A), in
#	   the compressed form ip(8) prints
# $1:	Prefix, as "2001:db8:0:0"
# $2:	MAC address
eui64() {
	local IFS=: m
	# shellcheck disable=SC2086
	set -- "$1" $2
	m=$((0x$2 ^ 2))
	"${PYTHON}" -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' \
		"$(printf '%s:%x:%x:%x:%x' "$1" $(((m << 8) | 0x$3)) \
		   $(((0x$4 << 8) | 0xff)) $(((0xfe << 8) | 0x$5)) \
		   $(((0x$6 << 8) | 0x$7)))"
}

# guest_addr6() - The guest's global IPv6 addresses with their flags
guest_addr6() {
	in_ns ip -6 -o addr show dev "${HOST_IF}" scope global 2>/dev/null
}

# guest_route6() - The guest's IPv6 default routes
guest_route6() {
	in_ns ip -6 route show default dev "${HOST_IF}" 2>/dev/null
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

if ! pasta_attach -d -D "${TEST_DNS6}"; then
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
check_grep "ra_prefix_on_link" "On-link +: +Yes" "${ra}"
check_grep "ra_prefix_autonomous" "Autonomous address conf\. *: +Yes" "${ra}"
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

# SLAAC: the guest's kernel takes the advertised prefix (A flag) and forms
# its own address from its MAC, without any DHCPv6 client
ns_mac="$(in_ns cat "/sys/class/net/${HOST_IF}/address" 2>/dev/null)"
want="$(eui64 2001:db8:0:0 "${ns_mac}")"
if wait_for 10 sh -c "ip netns exec ${GUEST_NS} ip -6 -o addr show dev ${HOST_IF} scope global | grep -q ' ${want}/64 .*dynamic'"; then
	pass "slaac_address"
else
	fail "slaac_address" "no dynamic ${want}/64 within 10 s (MAC ${ns_mac}): $(guest_addr6)"
fi
ra_src="$(printf '%s' "${ra}" | sed -n 's/^ *from \(fe80:[0-9a-f:]*\).*/\1/p' | head -n 1)"
routes="$(guest_route6)"
if [ -n "${ra_src}" ] &&
   printf '%s\n' "${routes}" | grep -q "^default via ${ra_src} .*proto ra"; then
	pass "default_route_from_ra"
else
	fail "default_route_from_ra" "RA from '${ra_src}', routes: ${routes}"
fi
# A global host gateway stays what it was: RAs from a link-local address
# of ours, the gateway address still answered
host_mac="$(in_host cat "/sys/class/net/${HOST_IF}/address" 2>/dev/null)"
want="$(eui64 fe80:0:0:0 "${host_mac}")"
[ "${ra_src}" = "${want}" ] && pass "ra_source_own_ll" ||
	fail "ra_source_own_ll" "RA from '${ra_src}', expected ${want} (host MAC ${host_mac})"

# Hop limit: RFC 4861 (6.1.1, 7.1.1) discards NDP messages below 255,
# which a router forwarded. Crafted from a made-up source, so that only
# the answer to this one solicitation can match; those at 255 must be
# answered, or silence would prove nothing
hl() {
	in_ns timeout 10 "${PYTHON}" "${PKT}" --timeout "$1" "${@:2}" 2>&1
}
if need_cmd "hop_limit" "${PYTHON}"; then
	st0="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	out="$(hl 2 rs "${HOST_IF}" --hlim 64 --none)" &&
		pass "rs_hop_limit_64_unanswered" ||
		fail "rs_hop_limit_64_unanswered" "${out}"
	out="$(hl 2 ns "${HOST_IF}" "${HOST_GW6}" --hlim 64 --none)" &&
		pass "ns_hop_limit_64_unanswered" ||
		fail "ns_hop_limit_64_unanswered" "${out}"
	out="$(hl 2 ns "${HOST_IF}" 2001:db8::99 --hlim 254 --none)" &&
		pass "ns_hop_limit_254_unanswered" ||
		fail "ns_hop_limit_254_unanswered" "${out}"
	out="$(hl 3 rs "${HOST_IF}")"
	check_grep "rs_hop_limit_255_answered" "^ra from fe80:" "${out}"
	out="$(hl 3 ns "${HOST_IF}" "${HOST_GW6}")"
	check_grep "ns_hop_limit_255_answered" "^na from " "${out}"
	if pid_alive "${PASTA_PID}"; then
		pass "hop_limit_alive"
	else
		fail "hop_limit_alive" "pasta died: $(tail -n 3 "${PASTA_LOG}")"
	fi
	st1="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	d=$(($(stat_of "${st1}" ndp_drop_hop_limit) - $(stat_of "${st0}" ndp_drop_hop_limit)))
	if [ "${d}" -eq 3 ]; then
		pass "hop_limit_counted"
	else
		fail "hop_limit_counted" "ndp_drop_hop_limit grew by ${d}, expected 3"
	fi
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

# Two addresses, as a guest running a DHCPv6 client gets: the host's, and
# its own by SLAAC, which it uses as source (here explicitly, for a ping).
# A host client on the host's own address still reaches a forwarded port:
# shown to the guest as the gateway, not as the guest's other address
if need_cmd "two_addresses" socat &&
   pasta_attach -D "${TEST_DNS6}" -t 18080 -u none -T none -U none; then
	ns_mac="$(in_ns cat "/sys/class/net/${HOST_IF}/address" 2>/dev/null)"
	slaac="$(eui64 2001:db8:0:0 "${ns_mac}")"
	if ! wait_for 10 sh -c "ip netns exec ${GUEST_NS} ip -6 -o addr show dev ${HOST_IF} scope global | grep -q ' ${slaac}/64 .*dynamic'"; then
		fail "two_addresses_host_peer" "no SLAAC address ${slaac}: $(guest_addr6)"
	elif ! in_ns ip -6 addr add "${HOST_ADDR6}/64" dev "${HOST_IF}" nodad ||
	     ! in_ns timeout 5 ping -n -q -c 1 -W 2 -I "${slaac}" "${HOST_GW6}" >/dev/null 2>&1; then
		fail "two_addresses_host_peer" "couldn't add ${HOST_ADDR6} or ping from ${slaac}"
	else
		in_ns timeout 10 socat -T 5 TCP6-LISTEN:18080,reuseaddr PIPE \
			>/dev/null 2>&1 &
		track_pid $!
		wait_for 3 sh -c "ip netns exec ${GUEST_NS} ss -Hltn 'sport = :18080' | grep -q ."
		out="$(printf 'two addresses\n' |
		       in_host timeout 10 socat -T 3 - "TCP6:[${HOST_ADDR6}]:18080" 2>&1)"
		[ "${out}" = "two addresses" ] && pass "two_addresses_host_peer" ||
			fail "two_addresses_host_peer" "got '${out}' (guest: $(guest_addr6))"
	fi
	pasta_stop
elif command -v socat >/dev/null; then
	fail "two_addresses" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# --config-net: the namespace has its address, and SLAAC isn't asked for
if ! pasta_attach -D "${TEST_DNS6}" --config-net; then
	fail "config_net" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
else
	ra="$(rdisc)"
	check_grep "config_net_ra_not_autonomous" "Autonomous address conf\. *: +No" "${ra}"
	check_grep "config_net_ra_managed" "Stateful address conf\. +: +Yes" "${ra}"
	# The kernel had that advertisement too, and more: still one address
	sleep 1
	out="$(guest_addr6)"
	if printf '%s\n' "${out}" | grep -q " ${HOST_ADDR6}/" &&
	   [ "$(printf '%s\n' "${out}" | grep -c inet6)" -eq 1 ]; then
		pass "config_net_one_address"
	else
		fail "config_net_one_address" "${out}"
	fi
	pasta_stop
fi

# A link-local host gateway, as most hosts have from their routers'
# advertisements: the guest gets the same one, as the source of our RAs
# and its default router, and it answers neighbour solicitations
ip -n "${HOST_NS}" -6 route replace default via fe80::1 dev "${HOST_IF}"
if ! pasta_attach -d -D "${TEST_DNS6}"; then
	fail "gw_ll" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
else
	ra="$(rdisc)"
	check_grep "gw_ll_ra_source" "^ *from fe80::1\$" "${ra}"
	check_grep "gw_ll_ra_prefix" "Prefix +: 2001:db8::/64" "${ra}"
	if wait_for 10 sh -c "ip netns exec ${GUEST_NS} ip -6 route show default dev ${HOST_IF} | grep -q '^default via fe80::1 .*proto ra'"; then
		pass "gw_ll_default_route"
	else
		fail "gw_ll_default_route" "$(guest_route6)"
	fi
	# One router, not a second one of our own
	n="$(guest_route6 | grep -c '^default')"
	[ "${n}" -eq 1 ] && pass "gw_ll_one_router" ||
		fail "gw_ll_one_router" "${n} default routes: $(guest_route6)"
	out="$(in_ns timeout 10 ndisc6 -1 -n -r 3 -w 1000 fe80::1 "${HOST_IF}" 2>&1)"
	check_grep "gw_ll_ns_answered" "Target link-layer address: [0-9A-Fa-f:]{17}" "${out}"
	check_grep "gw_ll_logged" "gateway fe80::1," "$(cat "${PASTA_LOG}")"
	pasta_stop
fi
ip -n "${HOST_NS}" -6 route replace default via "${HOST_GW6}" dev "${HOST_IF}"

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
