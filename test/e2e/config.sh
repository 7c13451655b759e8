#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# config.sh - what --config-net sets up in the namespace: tap name, MTU,
# MAC, addresses (all of the host interface's, in order), default routes
# (IPv4 and IPv6), loopback
#
# Topology: see test/lib/lib.sh. pasta copies the host namespace's bh0.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

# ns_check() - Check a property of a link in the pasta_spawn namespace
# $1:	Check name
# $2:	Extended regular expression the output must match
# $@:	Command run in the namespace
ns_check() {
	local name="$1" re="$2" out
	shift 2
	out="$(in_ns "$@" 2>&1)"
	check_grep "${name}" "${re}" "${out}"
}

# Defaults: everything copied from the host namespace
if pasta_spawn -D "${TEST_DNS4}" --config-net; then
	pass "start"
	ns_check "tap_named_like_host_if" "^[0-9]+: ${HOST_IF}[:@]" ip -o link show "${HOST_IF}"
	ns_check "tap_is_up" "<[^>]*[,<]UP[,>]" ip -o link show "${HOST_IF}"
	ns_check "mtu_default_65520" " mtu 65520 " ip -o link show "${HOST_IF}"
	ns_check "address_ipv4" " inet ${HOST_ADDR4}/${HOST_PREFIX4} " \
		ip -o -4 addr show dev "${HOST_IF}"
	ns_check "address_ipv6" " inet6 ${HOST_ADDR6}/${HOST_PREFIX6} " \
		ip -o -6 addr show dev "${HOST_IF}" scope global
	ns_check "route_default_ipv4" "^default via ${HOST_GW4} dev ${HOST_IF}" \
		ip -4 route show default
	ns_check "route_default_ipv6" "^default via ${HOST_GW6} dev ${HOST_IF}" \
		ip -6 route show default
	ns_check "loopback_up" "<[^>]*[,<]UP[,>]" ip -o link show lo
	ns_check "loopback_address" "inet 127.0.0.1/8" ip -o -4 addr show dev lo
	# The guest-side MAC isn't ours: pasta's own is the host interface's
	ns_check "tap_only_interface_besides_lo" "^2$" sh -c 'ip -o link show | wc -l'
	kill -TERM "${PASTA_PID}"
	if wait_for 3 pid_gone "${PASTA_PID}"; then
		wait "${PASTA_PID}"
		rc=$?
		[ ${rc} -eq 0 ] && pass "sigterm_exit" || fail "sigterm_exit" "exit status ${rc} after SIGTERM"
	else
		fail "sigterm_exit" "still running 3 s after SIGTERM"
	fi
else
	fail "start" "$(cat "${T_TMP}/pasta.out" 2>/dev/null | tail -n 3)"
fi

# Options: -I, -m, --ns-mac-addr, -a, -n, -g
if pasta_spawn -D "${TEST_DNS4}" --config-net -I tap9 -m 1500 \
		--ns-mac-addr 02:00:5e:10:20:30 \
		-a 203.0.113.20 -n 24 -g 203.0.113.1 \
		-a 2001:db8:1::20 -g 2001:db8:1::1; then
	ns_check "ifname_option" "^[0-9]+: tap9[:@]" ip -o link show tap9
	ns_check "mtu_option" " mtu 1500 " ip -o link show tap9
	ns_check "ns_mac_addr_option" "link/ether 02:00:5e:10:20:30 " ip -o link show tap9
	ns_check "address_option_ipv4" " inet 203.0.113.20/24 " ip -o -4 addr show dev tap9
	ns_check "address_option_ipv6" " inet6 2001:db8:1::20/" ip -o -6 addr show dev tap9 scope global
	ns_check "gateway_option_ipv4" "^default via 203.0.113.1 dev tap9" ip -4 route show default
	ns_check "gateway_option_ipv6" "^default via 2001:db8:1::1 dev tap9" ip -6 route show default
	ns_check "no_host_if_in_ns" "^$" sh -c "ip -o link show ${HOST_IF} 2>/dev/null"
	daemon_stop_check "options_daemon_stop"
else
	fail "options" "pasta didn't start: $(cat "${T_TMP}/pasta.out" 2>/dev/null | tail -n 3)"
fi

# -4 and -6 configure one family only
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" --config-net -4 -- ip -o addr show dev "${HOST_IF}" scope global 2>&1)"
if printf '%s' "${out}" | grep -q " inet ${HOST_ADDR4}/" &&
   ! printf '%s' "${out}" | grep -q " inet6 ${HOST_ADDR6}/"; then
	pass "ipv4_only"
else
	fail "ipv4_only" "${out}"
fi
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS6}" --config-net -6 -- ip -o addr show dev "${HOST_IF}" scope global 2>&1)"
if printf '%s' "${out}" | grep -q " inet6 ${HOST_ADDR6}/" &&
   ! printf '%s' "${out}" | grep -q " inet ${HOST_ADDR4}/"; then
	pass "ipv6_only"
else
	fail "ipv6_only" "${out}"
fi

# Without --config-net: tap up, no addresses
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" -- ip -o addr show dev "${HOST_IF}" scope global 2>&1)"
if [ -z "$(printf '%s' "${out}" | grep -E ' inet6? ')" ]; then
	pass "no_config_net_no_addresses"
else
	fail "no_config_net_no_addresses" "${out}"
fi

# All global addresses of the host interface are copied, in the host's
# order, the guest's own (the one pasta logs) first. Added last here: the
# host namespace's IPv6 listing is newest first, which changes what pasta
# picks as the guest's address.
# addrs() - Global addresses of a family on bh0, "ADDR/PREFIX" one a line
# $1:	-4 or -6
# $@:	Command prefix (in_host, or pasta ... --)
addrs() {
	local fam="$1"
	shift
	"$@" ip -o "${fam}" addr show dev "${HOST_IF}" scope global 2>/dev/null |
		awk '{ print $4 }'
}
in_host ip addr add 198.51.100.3/24 dev "${HOST_IF}" &&
in_host ip addr add 203.0.113.7/25 dev "${HOST_IF}" &&
in_host ip addr add 2001:db8::3/64 dev "${HOST_IF}" nodad &&
in_host ip addr add 2001:db8:7::7/48 dev "${HOST_IF}" nodad ||
	fail "all_addresses_setup" "couldn't add addresses to ${HOST_IF}"
log="${T_TMP}/multi.log"
for fam in 4 6; do
	host="$(addrs -"${fam}" in_host)"
	ns="$(addrs -"${fam}" in_host timeout 20 "${PASTA}" -d -D "${TEST_DNS4}" -l "${log}" --config-net --)"
	chosen="$(sed -n "s/^[0-9.]*: IPv${fam}: address \([^ ,]*\),.*/\1/p" "${log}")"
	if [ "$(printf '%s\n' "${host}" | wc -l)" -lt 3 ]; then
		fail "all_addresses_ipv${fam}" "host has only: ${host}"
	elif [ "${ns}" != "${host}" ]; then
		fail "all_addresses_ipv${fam}" "host: ${host}; namespace: ${ns}"
	else
		pass "all_addresses_ipv${fam}"
	fi
	first="$(printf '%s\n' "${ns}" | head -n 1)"
	[ -n "${chosen}" ] && [ "${first}" = "${chosen}" ] && pass "chosen_address_first_ipv${fam}" ||
		fail "chosen_address_first_ipv${fam}" "pasta chose '${chosen}', the namespace lists ${first} first"
done
# The IPv4 address sharing the subnet of the first is a secondary one
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" --config-net -- ip -o -4 addr show dev "${HOST_IF}" 2>&1)"
check_grep "second_address_secondary" "inet 198.51.100.3/24 .*secondary" "${out}"
# With -a, that address alone for its family; the other family copies all
out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" --config-net -a 203.0.113.20/24 -- \
	ip -o addr show dev "${HOST_IF}" scope global 2>&1)"
if [ "$(printf '%s\n' "${out}" | grep -c ' inet ')" -eq 1 ] &&
   printf '%s' "${out}" | grep -q ' inet 203.0.113.20/24 ' &&
   [ "$(printf '%s\n' "${out}" | grep -c ' inet6 ')" -eq 3 ]; then
	pass "address_option_only_one"
else
	fail "address_option_only_one" "${out}"
fi

# The command starts where pasta was started, although pasta itself then
# moves to /
out="$(cd "${T_TMP}" && in_host timeout 20 "${PASTA}" -q -D "${TEST_DNS4}" -- pwd 2>/dev/null)"
[ "${out}" = "${T_TMP}" ] && pass "command_keeps_cwd" || fail "command_keeps_cwd" "${out}"

# The command's exit status is pasta's
in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" --config-net -- sh -c 'exit 7' >/dev/null 2>&1
rc=$?
[ ${rc} -eq 7 ] && pass "command_exit_status" || fail "command_exit_status" "exit ${rc}, expected 7"

lib_done
