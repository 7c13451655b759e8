#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp_dns.sh - DNS forwarding, both families, with real clients: dig
# from pasta's namespace, over UDP and TCP, to the forwarding address
# (the gateway by default, or --dns-forward), answered by a dnsmasq on
# the host namespace's loopback (--dns-host, or the host's resolv.conf);
# and the forwarding address told to the guest by DHCP (busybox udhcpc)
# and by router advertisements (RDNSS, rdisc6)
#
# Topology: see test/lib/lib.sh. The resolver is a dnsmasq answering
# test.example from its own configuration, with no upstream at all:
#
#   host namespace pt-udp_dns-PID                    pasta's namespace
#   dnsmasq 127.0.0.1:53, [::1]:53  <== tap ==  dig @198.51.100.1 / @2001:db8::1
#     (--dns-host 127.0.0.1 --dns-host ::1)       (the gateway: default)
#   dnsmasq 127.0.0.1:53            <== tap ==  dig @203.0.113.1 / @2001:db8:5353::1
#     (resolv.conf: 127.0.0.1 only)               (--dns-forward)
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" dig dnsmasq ss || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

NAME=test.example
WANT4=203.0.113.77
WANT6=2001:db8::77
FWD4=203.0.113.1
FWD6=2001:db8:5353::1

# Records the options udhcpc got, configures nothing
cat > "${T_TMP}/udhcpc.script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
echo "dns=${dns}" > "${UDHCPC_OUT}.tmp"
mv "${UDHCPC_OUT}.tmp" "${UDHCPC_OUT}"
EOF
chmod 0755 "${T_TMP}/udhcpc.script"

# No configuration file, no upstream, no hosts file, no PID file, no
# privileges dropped (no user to drop to in every container): answers
# for test.example only, on the host namespace's loopback
ip netns exec "${HOST_NS}" timeout 120 dnsmasq --no-daemon \
	--conf-file=/dev/null --pid-file --no-resolv --no-hosts \
	--bind-interfaces --listen-address=127.0.0.1 --listen-address=::1 \
	--port=53 --address="/${NAME}/${WANT4}" --address="/${NAME}/${WANT6}" \
	--user=root --log-facility=- > "${T_TMP}/dnsmasq.out" 2>&1 &
track_pid $!
_dns_listening() {
	[ "$(in_host ss -Hlun 'sport = :53' | wc -l)" -ge 2 ] &&
	[ "$(in_host ss -Hltn 'sport = :53' | wc -l)" -ge 2 ]
}
if ! wait_for 10 _dns_listening; then
	fail "dnsmasq" "didn't start: $(tail -n 5 "${T_TMP}/dnsmasq.out")"
	lib_done
fi

# pasta_end() - End the pasta_spawn daemon and its namespace's process
# $1:	Check name for the daemon's SIGTERM, see daemon_stop_check
pasta_end() {
	daemon_stop_check "$1"
	kill "${PASTA_PID}" "${NS_PID}" 2>/dev/null
	wait_for 5 pid_gone "${PASTA_PID}" || kill -KILL "${PASTA_PID}" 2>/dev/null
}

# dig_check() - Resolve a name in pasta's namespace, check the answer
# $1:	Check name
# $2:	Server
# $3:	Record type
# $4:	Expected answer
# $@:	More dig options (+tcp)
dig_check() {
	local name="$1" srv="$2" type="$3" want="$4" got
	shift 4
	got="$(in_ns timeout 15 dig +short +time=2 +tries=2 "$@" "@${srv}" \
		"${NAME}" "${type}" 2>&1)"
	if [ "${got}" = "${want}" ]; then
		pass "${name}"
	else
		fail "${name}" "dig $* @${srv} ${NAME} ${type}: got '${got}', expected '${want}'"
	fi
}

# dig_all() - The four ways to ask, for one pair of forwarding addresses
# $1:	Check name prefix
# $2:	IPv4 forwarding address
# $3:	IPv6 forwarding address
dig_all() {
	local before after
	before="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	dig_check "$1_udp_ipv4" "$2" A "${WANT4}"
	dig_check "$1_udp_ipv6" "$3" AAAA "${WANT6}"
	after="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	# Over UDP indeed: dig would retry over TCP only if truncated
	if [ $(( $(stat_of "${after}" udp_flows) - $(stat_of "${before}" udp_flows) )) -ge 2 ] &&
	   [ "$(stat_of "${after}" tcp_connections_guest_initiated)" -eq \
	     "$(stat_of "${before}" tcp_connections_guest_initiated)" ]; then
		pass "$1_udp_counted"
	else
		fail "$1_udp_counted" "udp_flows $(stat_of "${before}" udp_flows) -> $(stat_of "${after}" udp_flows), TCP connections $(stat_of "${before}" tcp_connections_guest_initiated) -> $(stat_of "${after}" tcp_connections_guest_initiated)"
	fi
	dig_check "$1_tcp_ipv4" "$2" A "${WANT4}" +tcp
	dig_check "$1_tcp_ipv6" "$3" AAAA "${WANT6}" +tcp
}

# dhcp_dns_check() - udhcpc and rdisc6 in the namespace: the resolver
#		     they're told is the forwarding address, and it answers
# $1:	Check name prefix
# $2:	IPv4 forwarding address
# $3:	IPv6 forwarding address
dhcp_dns_check() {
	local out="${T_TMP}/udhcpc.$1" got ra
	if need_cmd "$1_dhcp" busybox; then
		in_ns env UDHCPC_OUT="${out}" timeout 20 busybox udhcpc \
			-i "${HOST_IF}" -f -q -n -t 5 -T 1 \
			-s "${T_TMP}/udhcpc.script" > "${out}.log" 2>&1
		got="$(sed -n 's/^dns=//p' "${out}" 2>/dev/null)"
		if [ "${got}" = "$2" ]; then
			pass "$1_dhcp_tells_forwarder_ipv4"
			dig_check "$1_dhcp_resolver_answers_ipv4" "${got}" A "${WANT4}"
		else
			fail "$1_dhcp_tells_forwarder_ipv4" "udhcpc got dns '${got}', expected '$2': $(tail -n 3 "${out}.log")"
		fi
	fi
	if need_cmd "$1_rdnss" rdisc6; then
		ra="$(in_ns timeout 10 rdisc6 -1 -n -r 3 -w 1000 "${HOST_IF}" 2>&1)"
		got="$(printf '%s\n' "${ra}" | sed -n 's/^ *Recursive DNS server *: *//p' | head -n 1)"
		if [ "${got}" = "$3" ]; then
			pass "$1_rdnss_tells_forwarder_ipv6"
			dig_check "$1_rdnss_resolver_answers_ipv6" "${got}" AAAA "${WANT6}"
		else
			fail "$1_rdnss_tells_forwarder_ipv6" "RDNSS '${got}', expected '$3': $(printf '%s' "${ra}" | head -c 300)"
		fi
	fi
}

# --- the gateway forwards, to --dns-host of each family ---------------------

if pasta_spawn --config-net --dhcp-dns --dns-host 127.0.0.1 --dns-host ::1 \
		-t none -T none -u none -U none; then
	ns_dad_wait in_ns "${HOST_IF}" || true
	dig_all "gateway" "${HOST_GW4}" "${HOST_GW6}"
	# Each family's query to the other family's forwarder
	dig_check "gateway_udp_ipv4_aaaa" "${HOST_GW4}" AAAA "${WANT6}"
	dig_check "gateway_udp_ipv6_a" "${HOST_GW6}" A "${WANT4}"
	dhcp_dns_check "gateway" "${HOST_GW4}" "${HOST_GW6}"
	daemon_answers "gateway_daemon_alive"
	pasta_end "gateway_daemon_stop"
else
	fail "gateway_spawn" "pasta didn't start"
fi

# --- --dns-forward, to the host's resolv.conf: IPv4 only ------------------------

# Our own resolv.conf (see host_ns_setup), read by pasta at start: with
# no IPv6 resolver, IPv6 queries go to the IPv4 one
printf 'nameserver 127.0.0.1\n' > "/etc/netns/${HOST_NS}/resolv.conf"
if pasta_spawn --config-net --dhcp-dns --dns-forward "${FWD4}" \
		--dns-forward "${FWD6}" -t none -T none -u none -U none; then
	ns_dad_wait in_ns "${HOST_IF}" || true
	dig_all "dns_forward" "${FWD4}" "${FWD6}"
	dhcp_dns_check "dns_forward" "${FWD4}" "${FWD6}"
	daemon_answers "dns_forward_daemon_alive"
	pasta_end "dns_forward_daemon_stop"
else
	fail "dns_forward_spawn" "pasta --dns-forward didn't start"
fi

lib_done
