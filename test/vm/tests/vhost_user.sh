#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_user.sh - a QEMU guest on passt --vhost-user: shared memfd memory,
# frames through the virtqueues; DHCP lease, ping both families, HTTP
# downloads over both checked by sha256; then the next QEMU on the same passt
#
# Topology (test/vm/lib.sh): passt, QEMU and python's HTTP server in the
# host namespace, whose only link is the ifb black hole. The guest
# reaches the server on the host namespace's loopback through the gateway
# address, which passt maps to it.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" "${PYTHON}" || lib_done

HTTP_PORT=18091
SIZE_MIB=20
[ -n "${E2E_SHORT}" ] && SIZE_MIB=4

vm_http $((SIZE_MIB * 1024)) "${HTTP_PORT}"
sum="${VM_SUM}"

if ! vm_passt --vhost-user -s "${VM_SOCK}"; then
	fail "passt_start" "$(cat "${T_TMP}/passt.out")"
	lib_done
fi
pass "passt_start"

vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
ping -c 2 -W 3 \$gw4 > /dev/null && echo "PT ping4 ok"
for i in \$(seq 1 100); do
	ip -6 addr show dev eth0 scope global | grep -q 'inet6.*dynamic' && break
	sleep 0.1
done
ip -6 addr show dev eth0 scope global | grep -q tentative && sleep 2
ping6 -c 2 -W 3 ${HOST_GW6} > /dev/null && echo "PT ping6 ok"
pt_download download http://\$gw4:${HTTP_PORT}/data
pt_download download6 "http://[${HOST_GW6}]:${HTTP_PORT}/data"
EOF
vm_boot_vu g1
vm_wait g1 "PT done" 150
if vm_grep g1 "PT lease ip=${HOST_ADDR4} "; then
	pass "lease"
else
	fail "lease" "$(vm_tail g1); passt: $(tail -n 3 "${PASST_LOG}")"
fi
vm_grep g1 "PT ping4 ok" && pass "ping4" || fail "ping4" "$(vm_tail g1)"
vm_grep g1 "PT ping6 ok" && pass "ping6" || fail "ping6" "$(vm_tail g1)"
vm_grep g1 "PT download ${sum}" && pass "download4_${SIZE_MIB}MiB_sha256" ||
	fail "download4_${SIZE_MIB}MiB_sha256" "$(vm_value g1 "PT download ")"
vm_grep g1 "PT download6 ${sum}" && pass "download6_${SIZE_MIB}MiB_sha256" ||
	fail "download6_${SIZE_MIB}MiB_sha256" "$(vm_value g1 "PT download6")"
vm_end g1 20 && pass "guest_done" || fail "guest_done" "$(vm_tail g1)"
if grep -q "closing the connection" "${PASST_LOG}"; then
	fail "no_protocol_errors" "$(grep -m1 "closing the connection" "${PASST_LOG}")"
else
	pass "no_protocol_errors"
fi

# The next QEMU, on the same passt: a fresh device
vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
ping -c 2 -W 3 \$gw4 > /dev/null && echo "PT ping4 ok"
EOF
vm_boot_vu g2
vm_wait g2 "PT done" 120
vm_grep g2 "PT ping4 ok" && pass "next_guest_ping4" ||
	fail "next_guest_ping4" "$(vm_tail g2); passt: $(tail -n 3 "${PASST_LOG}")"
vm_end g2 20 && pass "next_guest_done" || fail "next_guest_done" "$(vm_tail g2)"

daemon_stop_check "daemon_stop" --pid "${PASST_PID}" --log "${PASST_LOG}"
lib_done
