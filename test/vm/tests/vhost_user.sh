#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vhost_user.sh - a QEMU guest on passt --vhost-user: shared memfd memory,
# frames through the virtqueues; DHCP lease, ping both families, HTTP
# downloads over both checked by sha256, DNS through passt's forwarder,
# UDP echo both ways, a file into the guest through -t and back out of it,
# a download at MTU 1500 in TCP super-frames (GUEST_TSO4/6); then the next
# QEMU on the same passt, and a guest that reboots (the device reset
# through the protocol)
#
# Topology (test/vm/lib.sh): passt, QEMU, python's HTTP server, a UDP echo
# server and dnsmasq in the host namespace, whose only link is the ifb
# black hole. The guest reaches the servers on the host namespace's
# loopback through the gateway address, which passt maps to it. What
# guest.sh checks over -netdev stream, this checks over vhost-user, with
# the same helpers.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" dnsmasq socat "${PYTHON}" || lib_done

NAME=vu.example
WANT4=203.0.113.81
WANT6=2001:db8::81
HTTP_PORT=18091
UDP_PORT=18092
FWD_TCP=18093
FWD_UDP=18094
UP_PORT=18095
SIZE_MIB=20
[ -n "${E2E_SHORT}" ] && SIZE_MIB=4

vm_http $((SIZE_MIB * 1024)) "${HTTP_PORT}"
sum="${VM_SUM}"
vm_dns_srv "${NAME}" "${WANT4}" "${WANT6}"
vm_upload_srv "${UP_PORT}"
if ! vm_udp_echo_srv "${UDP_PORT}"; then
	fail "servers" "UDP echo server didn't start"
	lib_done
fi

if ! vm_passt --debug --vhost-user -s "${VM_SOCK}" --dns-host 127.0.0.1 \
	-t "${FWD_TCP}" -u "${FWD_UDP}"; then
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
pt_dns ${NAME}
pt_udp_ask \$gw4 ${UDP_PORT} 40
pt_udp_ask ${HOST_GW6} ${UDP_PORT} 40
pt_forwards ${FWD_UDP} ${FWD_TCP} \$gw4 ${UP_PORT} 1500
pt_download download1500 http://\$gw4:${HTTP_PORT}/data
EOF
vm_boot_vu g1
if ! vm_wait g1 "PT listening" 150; then
	fail "guest_listening" "$(vm_tail g1); passt: $(tail -n 3 "${PASST_LOG}")"
fi
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
vm_check "dns_ipv4" g1 "PT dns4 ${WANT4}"
vm_check "dns_ipv6" g1 "PT dns6 ${WANT6}"
vm_check "udp_guest_to_host_ipv4" g1 "PT udp-ask ${HOST_GW4}: 40 of 40"
vm_check "udp_guest_to_host_ipv6" g1 "PT udp-ask ${HOST_GW6}: 40 of 40"

# Into the guest through -u and -t, and the file back out of it
vm_check_forwards g1 "${FWD_TCP}" "${FWD_UDP}"
vm_wait g1 "PT done" 90
# At MTU 1500, the guest took GUEST_TSO4/6: the download came in TCP
# super-frames, lent like the others
vm_grep g1 "PT download1500 ${sum}" &&
	pass "download4_mtu1500_${SIZE_MIB}MiB_sha256" ||
	fail "download4_mtu1500_${SIZE_MIB}MiB_sha256" "$(vm_value g1 "PT download1500")"
vm_end g1 20 && pass "guest_done" || fail "guest_done" "$(vm_tail g1)"
if grep -q "closing the connection" "${PASST_LOG}"; then
	fail "no_protocol_errors" "$(grep -m1 "closing the connection" "${PASST_LOG}")"
else
	pass "no_protocol_errors"
fi
pid_alive "${PASST_PID}" && pass "alive_after_guest" ||
	fail "alive_after_guest" "$(tail -n 3 "${PASST_LOG}")"

# One copy into the guest: the TCP data of the three downloads and the -t
# forward went straight from the sockets into its buffers (all but a few
# short frames: data short of a segment that the guest's few free buffers
# could take when they couldn't take a full segment goes through our
# buffer), and what we copied there ourselves (those, headers of other
# frames, ARP, DHCP, NDP) is a small fraction of it
stats="$(stats_dump "${PASST_PID}" "${PASST_LOG}")"
bytes=$((SIZE_MIB * 1024 * 1024))
vm_stat "${stats}" tcp_bytes_to_guest -ge $((bytes * 4))
vm_stat "${stats}" tap_bytes_received_in_place -ge $((bytes * 4 * 95 / 100))
vm_stat "${stats}" tap_bytes_copied_to_guest_memory -le $((bytes / 8))
vm_stat "${stats}" udp_datagrams_to_guest -ge 80
# The guest took HOST_TSO4/6: its upload, at MTU 1500, came as TCP
# super-frames
vm_stat "${stats}" tap_super_frames_in -ge 1
vm_stat "${stats}" tap_super_frames_out -ge 1

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

# pings_seen() - Has a guest's console shown at least N successful pings
# $1:	Guest name
# $2:	N
pings_seen() {
	[ "$(tr -d '\r' < "$(vm_log "$1")" | grep -c "^PT ping4 ok")" -ge "$2" ]
}

# A guest that reboots: QEMU resets the device through the protocol
# (GET_VRING_BASE, then the whole set-up again), the guest boots again on
# the same connection and pings again; then QEMU is killed
n_conn="$(grep -c "vhost-user frontend connected" "${PASST_LOG}")"
vm_boot_vu g3 -action reboot=reset
if wait_for 60 pings_seen g3 2; then
	pass "reboot_ping4_twice"
else
	fail "reboot_ping4_twice" "$(vm_tail g3); passt: $(tail -n 3 "${PASST_LOG}")"
fi
[ "$(grep -c "vhost-user frontend connected" "${PASST_LOG}")" -eq $((n_conn + 1)) ] &&
	pass "reboot_same_connection" ||
	fail "reboot_same_connection" "$(grep "vhost-user\|Guest" "${PASST_LOG}" | tail -n 3)"
n_disc="$(grep -c "Guest disconnected" "${PASST_LOG}")"
kill -KILL "${VM_PID_g3}"
vm_end g3 5
wait_for 10 _lib_log_more "${PASST_LOG}" "Guest disconnected" "${n_disc}" &&
	pass "qemu_killed_seen" ||
	fail "qemu_killed_seen" "$(tail -n 3 "${PASST_LOG}")"
pid_alive "${PASST_PID}" && pass "alive_after_qemu_killed" ||
	fail "alive_after_qemu_killed" "$(tail -n 3 "${PASST_LOG}")"

daemon_stop_check "daemon_stop" --pid "${PASST_PID}" --log "${PASST_LOG}"
lib_done
