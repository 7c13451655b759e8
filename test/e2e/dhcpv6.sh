#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dhcpv6.sh - pasta's DHCPv6 server against ISC dhclient -6: the address
# (IA_NA), resolvers and search list with --dhcp-dns/--dhcp-search, none
# by default, stateless information requests, --no-dhcpv6; the source
# address of replies (a Solicit from test/lib/pkt.py): our own link-local
# address, or the host's gateway where that is link-local
#
# Topology: see test/lib/lib.sh, with a guest namespace of our own (DAD
# off, so the link-local address dhclient binds to is usable at once)
# that pasta joins with --netns, without --config-net. For the link-local
# gateway, the host namespace's default route is changed to go via
# fe80::1.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "dhcpv6" dhclient "${PYTHON}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }
guest_ns_setup || { fail "setup" "guest namespace"; exit 1; }

cat > "${T_TMP}/dhclient.script" <<'EOF'
#!/bin/sh
case "${reason}" in
BOUND6|RENEW6|REBIND6|REBOOT6|INFORM6|BOUND|INFORM)
	env | grep -E '^(reason|new_)' | sort > "${DHCLIENT_OUT}.tmp"
	mv "${DHCLIENT_OUT}.tmp" "${DHCLIENT_OUT}" ;;
esac
exit 0
EOF
chmod 0755 "${T_TMP}/dhclient.script"
cat > "${T_TMP}/dhclient.conf" <<'EOF'
timeout 10;
retry 1;
request dhcp6.name-servers, dhcp6.domain-search;
EOF

# dhclient6() - Run dhclient -6 in the guest until it's bound, or timeout
# $1:	Output file (variables the script saw)
# $2:	Timeout, seconds
# $@:	Extra dhclient options
#
# It runs in the foreground (-d) and is ended once the script has written
# what it got: the pid file of a dhclient gone to the background appears
# only after its parent returned, too late to end it reliably.
dhclient6() {
	local out="$1" tmo="$2" d="${T_TMP}/dh6.${RANDOM}" pid
	shift 2
	rm -f "${out}"
	in_ns timeout "${tmo}" dhclient -6 -d -1 -v "$@" -cf "${T_TMP}/dhclient.conf" \
		-e DHCLIENT_OUT="${out}" -lf "${d}.leases" -pf "${d}.pid" \
		-sf "${T_TMP}/dhclient.script" "${HOST_IF}" > "${out}.log" 2>&1 &
	pid=$!
	track_pid "${pid}"
	wait_for "${tmo}" _dh6_done "${out}" "${pid}"
	kill -TERM "${pid}" 2>/dev/null
	wait "${pid}" 2>/dev/null
	[ -s "${out}" ]
}
_dh6_done() {
	[ -s "$1" ] || pid_gone "$2"
}

# var_check() - Check a variable dhclient gave its script
# $1:	Check name
# $2:	Output file
# $3:	Variable
# $4:	Expected value, extended regex (anchored), "" for absent
var_check() {
	local got
	if [ ! -s "$2" ]; then
		fail "$1" "no reply: $(tail -n 3 "$2.log" 2>/dev/null)"
		return
	fi
	got="$(sed -n "s/^$3=//p" "$2")"
	if [ -z "$4" ]; then
		[ -z "${got}" ] && pass "$1" || fail "$1" "$3 is '${got}', expected none"
	elif printf '%s' "${got}" | grep -Eq "^($4)\$"; then
		pass "$1"
	else
		fail "$1" "$3 is '${got}', expected '$4'"
	fi
}

# solicit_src() - Send a Solicit from the guest, print where the
#		  Advertise came from
solicit_src() {
	in_ns timeout 10 "${PYTHON}" "${PKT}" --timeout 5 dhcp6 "${HOST_IF}" 2>&1
}

# Defaults: the address, no resolvers
# (each Solicit goes first: a dhclient just ended may still hold the port)
if pasta_attach -D "${TEST_DNS6}"; then
	# A global host gateway: replies from a link-local address of ours
	out="$(solicit_src)"
	if printf '%s' "${out}" | grep -Eq '^type 2 from fe80:[0-9a-f:]+ port 547$' &&
	   ! printf '%s' "${out}" | grep -q 'from fe80::1 '; then
		pass "source_own_ll"
	else
		fail "source_own_ll" "${out}"
	fi

	o="${T_TMP}/default"
	dhclient6 "${o}" 20
	var_check "address" "${o}" new_ip6_address "${HOST_ADDR6}"
	var_check "server_id" "${o}" new_dhcp6_server_id "[0-9a-f:]+"
	var_check "no_dns_by_default" "${o}" new_dhcp6_name_servers ""
	var_check "no_search_by_default" "${o}" new_dhcp6_domain_search ""
	pasta_stop
else
	fail "start" "$(cat "${T_TMP}/pasta.out")"
fi

# A link-local host gateway: the guest's router, and its DHCPv6 server
ip -n "${HOST_NS}" -6 route replace default via fe80::1 dev "${HOST_IF}"
if pasta_attach -D "${TEST_DNS6}"; then
	out="$(solicit_src)"
	check_grep "gw_ll_source" "^type 2 from fe80::1 port 547\$" "${out}"
	o="${T_TMP}/gw_ll"
	dhclient6 "${o}" 20
	var_check "gw_ll_address" "${o}" new_ip6_address "${HOST_ADDR6}"
	pasta_stop
else
	fail "gw_ll" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi
ip -n "${HOST_NS}" -6 route replace default via "${HOST_GW6}" dev "${HOST_IF}"

# Resolvers, search list, a given address
if pasta_attach --dhcp-dns -D "${TEST_DNS6}" -D 2001:db8:53::54 \
		--dhcp-search -S "example.test" -a 2001:db8::77; then
	o="${T_TMP}/options"
	dhclient6 "${o}" 20
	var_check "address_option" "${o}" new_ip6_address "2001:db8::77"
	var_check "dhcp_dns" "${o}" new_dhcp6_name_servers "${TEST_DNS6} 2001:db8:53::54"
	var_check "dhcp_search" "${o}" new_dhcp6_domain_search "example\.test\.?"

	# Stateless: an information request gets the resolvers alone
	o="${T_TMP}/inform"
	dhclient6 "${o}" 20 -S
	var_check "info_request_dns" "${o}" new_dhcp6_name_servers "${TEST_DNS6} 2001:db8:53::54"
	var_check "info_request_no_address" "${o}" new_ip6_address ""
	pasta_stop
else
	fail "options" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

# --no-dhcpv6: nobody answers
if pasta_attach -D "${TEST_DNS6}" --no-dhcpv6; then
	o="${T_TMP}/none"
	dhclient6 "${o}" 5
	[ -s "${o}" ] && fail "no_dhcpv6" "got a reply with --no-dhcpv6" || pass "no_dhcpv6"
	daemon_answers "no_dhcpv6_daemon_answers"
	daemon_stop_check "no_dhcpv6_daemon_stop"
else
	fail "no_dhcpv6" "pasta didn't start: $(cat "${T_TMP}/pasta.out")"
fi

lib_done
