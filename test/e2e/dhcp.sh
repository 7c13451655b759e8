#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dhcp.sh - pasta's DHCP server against real clients: busybox udhcpc and
# ISC dhclient, without --config-net so the client does the asking
#
# Topology: see test/lib/lib.sh. The host namespace's resolv.conf (our
# own, bind-mounted by ip netns exec) names 203.0.113.53 and 2001:db8:53::53
# with search host.test: that is what pasta copies when -D/-S aren't given.
#
# The clients' scripts only record the options they got; they configure
# nothing, so the machine's resolv.conf is never touched.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

# Records "name=value" lines for the event given as $1
cat > "${T_TMP}/udhcpc.script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
{
	echo "event=$1"
	for v in ip subnet router dns domain search mtu hostname lease serverid; do
		eval "echo ${v}=\${${v}}"
	done
} > "${UDHCPC_OUT}.tmp"
mv "${UDHCPC_OUT}.tmp" "${UDHCPC_OUT}"
EOF
cat > "${T_TMP}/dhclient.script" <<'EOF'
#!/bin/sh
case "${reason}" in
BOUND|RENEW|REBIND|REBOOT|BOUND6|RENEW6|REBIND6)
	env | grep -E '^(reason|new_)' | sort > "${DHCLIENT_OUT}.tmp"
	mv "${DHCLIENT_OUT}.tmp" "${DHCLIENT_OUT}" ;;
esac
exit 0
EOF
# Our own request list and timeouts: the machine's dhclient.conf may differ
cat > "${T_TMP}/dhclient.conf" <<'EOF'
timeout 15;
retry 1;
initial-interval 1;
request subnet-mask, broadcast-address, routers, domain-name,
	domain-name-servers, domain-search, host-name, interface-mtu;
EOF
chmod 0755 "${T_TMP}/udhcpc.script" "${T_TMP}/dhclient.script"

P=(timeout 40 ip netns exec "${HOST_NS}" "${PASTA}")

# udhcpc_run() - Run udhcpc in a new pasta namespace, record the options
# $1:	Output file
# $@:	pasta options
# UDHCPC_THEN: a shell command run afterwards in the namespace, if set
udhcpc_run() {
	local out="$1"
	shift
	"${P[@]}" "$@" -- sh -c 'env UDHCPC_OUT="$1" \
		timeout 20 busybox udhcpc -i "$2" -f -q -n -t 5 -T 1 \
		-O search -O mtu -O hostname -O domain -s "$3"; rc=$?
		eval "${UDHCPC_THEN:-:}"; exit ${rc}' sh "${out}" "${HOST_IF}" \
		"${T_TMP}/udhcpc.script" > "${out}.log" 2>&1
}

# dhclient_run() - Run dhclient in a new pasta namespace until it's bound
# $1:	Output file
# $@:	pasta options
#
# dhclient passes its script only what -e gives, not its environment. It
# runs in the foreground (-d), and the command ends it once the script
# has written the options, or after 20 s: nothing outlives pasta's
# command. (Without -d, its pid file is written by the background child,
# after the parent returned: too late to end it by that file.)
dhclient_run() {
	local out="$1" d="${T_TMP}/dhclient.$RANDOM"
	shift
	"${P[@]}" "$@" -- sh -c "
		dhclient -d -1 -v -cf ${T_TMP}/dhclient.conf \
			-e DHCLIENT_OUT=${out} -lf ${d}.leases -pf ${d}.pid \
			-sf ${T_TMP}/dhclient.script ${HOST_IF} > ${out}.log 2>&1 &
		pid=\$!
		i=0
		while [ \$i -lt 200 ] && [ ! -s ${out} ] &&
		      grep -q '^State:.[^Z]' /proc/\$pid/status 2>/dev/null; do
			sleep 0.1
			i=\$((i + 1))
		done
		kill \$pid 2>/dev/null
		wait \$pid 2>/dev/null
		[ -s ${out} ]" >> "${out}.log" 2>&1
}

# opt_check() - Check one recorded option
# $1:	Check name
# $2:	Output file of the run
# $3:	Variable name
# $4:	Expected value (extended regex, anchored), or "" for absent/empty
opt_check() {
	local got
	if [ ! -s "$2" ]; then
		fail "$1" "no lease: $(tail -n 3 "$2.log" 2>/dev/null)"
		return
	fi
	got="$(sed -n "s/^$3=//p" "$2" | head -n 1)"
	got="${got#\'}"; got="${got%\'}"
	if [ -z "$4" ]; then
		[ -z "${got}" ] && pass "$1" || fail "$1" "$3 is '${got}', expected none"
	elif printf '%s' "${got}" | grep -Eq "^($4)\$"; then
		pass "$1"
	else
		fail "$1" "$3 is '${got}', expected '$4'"
	fi
}

OPTS=(--dhcp-dns -D "${TEST_DNS4}" -D 203.0.113.54 --dhcp-search
      --search 'example.test sub.example.test' -H guest-one -m 1400)

if need_cmd "udhcpc" busybox; then
	u1="${T_TMP}/udhcpc.default"
	udhcpc_run "${u1}" -D "${TEST_DNS4}"
	daemon_stop_check "udhcpc_daemon_exit" --exited $?
	opt_check "udhcpc_address" "${u1}" ip "${HOST_ADDR4}"
	opt_check "udhcpc_subnet" "${u1}" subnet "255.255.255.0"
	opt_check "udhcpc_router" "${u1}" router "${HOST_GW4}"
	opt_check "udhcpc_mtu_default" "${u1}" mtu 65520
	opt_check "udhcpc_no_dns_by_default" "${u1}" dns ""
	opt_check "udhcpc_no_search_by_default" "${u1}" search ""
	opt_check "udhcpc_server_id" "${u1}" serverid "${HOST_GW4}|[0-9.]+"

	u2="${T_TMP}/udhcpc.options"
	udhcpc_run "${u2}" "${OPTS[@]}"
	opt_check "udhcpc_dhcp_dns" "${u2}" dns "${TEST_DNS4} 203.0.113.54"
	opt_check "udhcpc_dhcp_search" "${u2}" search "example.test sub.example.test"
	opt_check "udhcpc_hostname" "${u2}" hostname "guest-one"
	opt_check "udhcpc_mtu_option" "${u2}" mtu 1400

	# --dhcp-dns without -D: the guest's resolver is the forwarding
	# address, the gateway by default (queries go on to the host's
	# resolver); the search list comes from the host's resolv.conf
	u3="${T_TMP}/udhcpc.resolv"
	udhcpc_run "${u3}" --dhcp-dns --dhcp-search
	opt_check "udhcpc_dns_is_gateway" "${u3}" dns "${HOST_GW4}"
	opt_check "udhcpc_search_from_resolv_conf" "${u3}" search "host.test"
	u5="${T_TMP}/udhcpc.fwd"
	udhcpc_run "${u5}" --dhcp-dns --dns-forward 203.0.113.1
	opt_check "udhcpc_dns_is_dns_forward" "${u5}" dns "203.0.113.1"

	# --no-dhcp: nobody answers, and then pasta still answers ARP
	u4="${T_TMP}/udhcpc.nodhcp"
	UDHCPC_THEN="${PYTHON} ${PKT} --timeout 2 arp ${HOST_IF} ${HOST_GW4} --source 0.0.0.0 > ${u4}.arp 2>&1" \
		udhcpc_run "${u4}" -D "${TEST_DNS4}" --no-dhcp
	[ -s "${u4}" ] && fail "udhcpc_no_dhcp" "got a lease with --no-dhcp" || pass "udhcpc_no_dhcp"
	check_grep "udhcpc_no_dhcp_daemon_answers" "^([0-9a-f]{2}:){5}[0-9a-f]{2}$" \
		"$(cat "${u4}.arp" 2>/dev/null)"
fi

if need_cmd "dhclient" dhclient; then
	d1="${T_TMP}/dhclient.default"
	dhclient_run "${d1}" -D "${TEST_DNS4}"
	opt_check "dhclient_address" "${d1}" new_ip_address "${HOST_ADDR4}"
	opt_check "dhclient_subnet" "${d1}" new_subnet_mask "255.255.255.0"
	opt_check "dhclient_router" "${d1}" new_routers "${HOST_GW4}"
	opt_check "dhclient_mtu_default" "${d1}" new_interface_mtu 65520
	opt_check "dhclient_no_dns_by_default" "${d1}" new_domain_name_servers ""

	d2="${T_TMP}/dhclient.options"
	dhclient_run "${d2}" "${OPTS[@]}"
	opt_check "dhclient_dhcp_dns" "${d2}" new_domain_name_servers "${TEST_DNS4} 203.0.113.54"
	opt_check "dhclient_dhcp_search" "${d2}" new_domain_search '"?example\.test\.?"? "?sub\.example\.test\.?"?'
	opt_check "dhclient_hostname" "${d2}" new_host_name "guest-one"
	opt_check "dhclient_mtu_option" "${d2}" new_interface_mtu 1400
fi

lib_done
