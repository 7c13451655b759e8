#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest.sh - a QEMU guest on passt's socket: DHCP lease, IPv6 by NDP and
# DHCPv6, ping, HTTP download in both families, DNS, UDP echo both ways,
# a -t forward into the guest and an upload out of it; then a second QEMU is refused while the
# first works, and a new QEMU after the first is killed works again
#
# Topology (test/vm/lib.sh, test/lib/lib.sh): passt, QEMU, python's HTTP
# server, a UDP echo server and dnsmasq all run in the host namespace,
# whose only link is the ifb black hole. The guest reaches the servers on
# the host namespace's loopback through the gateway address, which passt
# maps to it.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" dnsmasq socat "${PYTHON}" || lib_done

NAME=vm.example
WANT4=203.0.113.80
WANT6=2001:db8::80
HTTP_PORT=18081
UDP_PORT=18082
FWD_TCP=18083
FWD_UDP=18084
UP_PORT=18085
SIZE_MIB=20
[ -n "${E2E_SHORT}" ] && SIZE_MIB=4

# Servers on the host namespace's loopback
vm_http $((SIZE_MIB * 1024)) "${HTTP_PORT}"
sum="${VM_SUM}"
vm_dns_srv "${NAME}" "${WANT4}" "${WANT6}"
vm_upload_srv "${UP_PORT}"
if ! vm_udp_echo_srv "${UDP_PORT}"; then
	fail "servers" "UDP echo server didn't start"
	lib_done
fi

if ! vm_passt -s "${VM_SOCK}" --dns-host 127.0.0.1 \
	-t "${FWD_TCP}" -u "${FWD_UDP}"; then
	fail "passt_start" "$(cat "${T_TMP}/passt.out")"
	lib_done
fi
pass "passt_start"

# The guest: each finding on a "PT " line
vm_script <<EOF
. /etc/pt.sh
pt_up
for i in \$(seq 1 100); do
	ip -6 addr show dev eth0 scope global | grep -q 'inet6.*dynamic' && break
	sleep 0.1
done
ip -6 addr show dev eth0 scope global | grep -q tentative && sleep 2
echo "PT addr6 \$(ip -6 addr show dev eth0 scope global | awk '/inet6/ { print \$2; exit }')"
echo "PT route6 \$(ip -6 route show default | awk '{ print \$3; exit }')"
ptguest dhcp6 eth0 | sed 's/^/PT /'
gw4=${HOST_GW4}
gw6=${HOST_GW6}
ping -c 2 -W 3 \$gw4 > /dev/null && echo "PT ping4 ok"
ping6 -c 2 -W 3 \$gw6 > /dev/null && echo "PT ping6 ok"
rt6=\$(ip -6 route show default | awk '{ print \$3; exit }')
ping6 -c 2 -W 3 \$rt6%eth0 > /dev/null && echo "PT ping6_ll ok"
pt_download download4 http://\$gw4:${HTTP_PORT}/data
pt_download download6 "http://[\$gw6]:${HTTP_PORT}/data"
echo "PT resolv \$(awk '{ printf "%s ", \$2 }' /etc/resolv.conf)"
pt_dns ${NAME}
pt_udp_ask \$gw4 ${UDP_PORT} 40
pt_udp_ask \$gw6 ${UDP_PORT} 40
pt_forwards ${FWD_UDP} ${FWD_TCP} \$gw4 ${UP_PORT}
EOF

start=$(now_ms)
vm_boot g1
if vm_wait g1 "PT booted" 40; then
	pass "boot"
else
	fail "boot" "$(vm_tail g1)"
	lib_done
fi

# What the guest got and did, once it listens for our forwards
if ! vm_wait g1 "PT listening" 120; then
	fail "guest_tests" "guest stopped before listening: $(vm_tail g1)"
fi
# check_grep_vm() - vm_check on g1
check_grep_vm() {
	vm_check "$1" g1 "$2"
}
check_grep_vm "dhcp_lease" "PT lease ip=${HOST_ADDR4} mask=${HOST_PREFIX4} router=${HOST_GW4} dns=${HOST_GW4} mtu=65520"
check_grep_vm "ndp_address6" "PT addr6 2001:db8::"
check_grep_vm "ndp_router6" "PT route6 fe80::"
check_grep_vm "dhcpv6_address" "PT dhcp6: reply address ${HOST_ADDR6} dns ${HOST_GW6}"
check_grep_vm "ping_gateway_ipv4" "PT ping4 ok"
check_grep_vm "ping_gateway_ipv6" "PT ping6 ok"
check_grep_vm "ping_router_link_local" "PT ping6_ll ok"
check_grep_vm "http_download_ipv4" "PT download4 ${sum}"
check_grep_vm "http_download_ipv6" "PT download6 ${sum}"
check_grep_vm "dns_ipv4" "PT dns4 ${WANT4}"
check_grep_vm "dns_ipv6" "PT dns6 ${WANT6}"
check_grep_vm "udp_guest_to_host_ipv4" "PT udp-ask ${HOST_GW4}: 40 of 40"
check_grep_vm "udp_guest_to_host_ipv6" "PT udp-ask ${HOST_GW6}: 40 of 40"

# A second QEMU on the same socket while the first runs: passt closes its
# connection at once, and goes on serving the first (the forwards below)
vm_boot g2
if wait_for 60 grep -q "Refusing another guest connection" "${PASST_LOG}"; then
	pass "second_qemu_refused"
else
	fail "second_qemu_refused" "$(tail -n 3 "${PASST_LOG}")"
fi
kill -KILL "${VM_PID_g2}" 2>/dev/null
vm_end g2 5

# Into the guest: a UDP echo through -u, a file through -t; and out of
# it, the same file back to the host side
vm_check_forwards g1 "${FWD_TCP}" "${FWD_UDP}"

if vm_wait g1 "PT done" 30 && vm_end g1 10; then
	pass "guest_done"
else
	fail "guest_done" "$(vm_tail g1)"
fi
echo "guest g1: $(( $(elapsed_ms "${start}") / 1000 )) s"

# The statistics (SIGUSR1) count what the guest did
stats="$(stats_dump "${PASST_PID}" "${PASST_LOG}")"
bytes=$((SIZE_MIB * 1024 * 1024))
vm_stat "${stats}" dhcp_replies -ge 2
vm_stat "${stats}" dhcpv6_replies -ge 1
vm_stat "${stats}" ndp_router_adverts -ge 1
vm_stat "${stats}" icmp_echo_replies -ge 4
vm_stat "${stats}" tcp_bytes_to_guest -ge $((bytes * 2))
vm_stat "${stats}" tcp_bytes_from_guest -ge "${bytes}"
vm_stat "${stats}" udp_datagrams_to_guest -ge 80
vm_stat "${stats}" udp_datagrams_from_guest -ge 80

daemon_stop_check "daemon_stop" --pid "${PASST_PID}" --log "${PASST_LOG}"
lib_done
