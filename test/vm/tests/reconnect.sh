#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reconnect.sh - QEMU killed while its guest holds a TCP connection: passt
# closes that flow on the host side and waits; a new QEMU on the same
# socket gets a lease and downloads
#
# Topology (test/vm/lib.sh): passt, both QEMUs and the servers in the
# host namespace, whose only link is the ifb black hole.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" socat "${PYTHON}" || lib_done

HOLD_PORT=18095
HTTP_PORT=18096

vm_http 2048 "${HTTP_PORT}"
sum="${VM_SUM}"
# One connection, held open by the first guest: when it ends, the flag
in_host timeout 200 socat -u TCP-LISTEN:"${HOLD_PORT}",bind=127.0.0.1,reuseaddr \
	SYSTEM:"cat > /dev/null; echo closed > ${T_TMP}/held.closed" \
	> "${T_TMP}/hold.out" 2>&1 &
track_pid $!

# --debug: the log says when guests come and go
if ! vm_passt --debug -s "${VM_SOCK}" --pcap "${T_TMP}/vm.pcap"; then
	fail "passt_start" "$(cat "${T_TMP}/passt.out")"
	lib_done
fi

vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
sleep 600 | nc \$gw4 ${HOLD_PORT} &
sleep 1
echo "PT holding"
sleep 600
EOF
vm_boot g1
if vm_wait g1 "PT holding" 90 && wait_for 10 grep -q "Guest connected" "${PASST_LOG}"; then
	pass "first_guest_holds_connection"
else
	fail "first_guest_holds_connection" "$(vm_tail g1)"
fi
[ ! -e "${T_TMP}/held.closed" ] && pass "held_connection_open" ||
	fail "held_connection_open" "closed before the guest went"

kill -KILL "${VM_PID_g1}"
vm_end g1 5
if wait_for 10 grep -q "Guest disconnected" "${PASST_LOG}"; then
	pass "disconnect_seen"
else
	fail "disconnect_seen" "$(tail -n 3 "${PASST_LOG}")"
fi
if wait_for 15 test -e "${T_TMP}/held.closed"; then
	pass "old_flows_closed"
else
	fail "old_flows_closed" "host side of the killed guest's connection still open"
fi
pid_alive "${PASST_PID}" && pass "passt_waits_for_next" ||
	fail "passt_waits_for_next" "passt exited: $(tail -n 3 "${PASST_LOG}")"

vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
ping -c 2 -W 3 \$gw4 > /dev/null && echo "PT ping4 ok"
pt_download download http://\$gw4:${HTTP_PORT}/data
EOF
vm_boot g2
vm_wait g2 "PT done" 90
if vm_grep g2 "PT lease ip=${HOST_ADDR4} "; then
	pass "next_guest_lease"
else
	fail "next_guest_lease" "$(vm_tail g2)"
fi
vm_grep g2 "PT ping4 ok" && pass "next_guest_ping" ||
	fail "next_guest_ping" "$(vm_tail g2)"
vm_grep g2 "PT download ${sum}" && pass "next_guest_download" ||
	fail "next_guest_download" "$(vm_value g2 "PT download")"
vm_end g2 10 && pass "next_guest_done" || fail "next_guest_done" "$(vm_tail g2)"

daemon_stop_check "daemon_stop" --pid "${PASST_PID}" --log "${PASST_LOG}"

# --pcap: both guests' frames, as tcpdump reads them
# pcap_count() - How many frames of the capture match a filter
pcap_count() {
	tcpdump -nr "${T_TMP}/vm.pcap" "$@" 2>/dev/null | wc -l
}
n="$(pcap_count 'udp port 67 or udp port 68')"
[ "${n}" -ge 8 ] && pass "pcap_dhcp" || fail "pcap_dhcp" "${n} DHCP frames, expected 8"
n="$(pcap_count 'icmp')"
[ "${n}" -ge 4 ] && pass "pcap_ping" || fail "pcap_ping" "${n} ICMP frames"
n="$(pcap_count "tcp port ${HTTP_PORT}")"
[ "${n}" -ge 10 ] && pass "pcap_download" || fail "pcap_download" "${n} frames"
lib_done
