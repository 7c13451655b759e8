#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pcap.sh - -p FILE captures the guest-side frames, readable by tcpdump
#
# Topology: see test/lib/lib.sh.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "pcap" tcpdump || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

cap="${T_TMP}/cap.pcap"
check "ping_with_capture" timeout 30 ip netns exec "${HOST_NS}" "${PASTA}" \
	-D "${TEST_DNS4}" --config-net -p "${cap}" -- sh -c "
	ping -n -q -c 2 -i 0.2 -W 2 -p 5a5a ${HOST_GW4} &&
	ping -n -q -c 2 -i 0.2 -W 2 -6 ${HOST_GW6}"
daemon_stop_check "capture_exit" --exited "${CHECK_RC}"

if [ ! -s "${cap}" ]; then
	fail "capture_file" "${cap} is empty or missing"
	lib_done
fi

magic="$(od -An -tx4 -N4 "${cap}" | tr -d ' ')"
case "${magic}" in
a1b2c3d4|a1b23c4d|d4c3b2a1|4d3cb2a1) pass "pcap_magic" ;;
*)	fail "pcap_magic" "file starts with 0x${magic}" ;;
esac

out="$(timeout 10 tcpdump -r "${cap}" -n 2>&1)"
check_grep "tcpdump_reads_file" "reading from file" "${out}"
check_grep "echo_request_ipv4" "${HOST_ADDR4} > ${HOST_GW4}: ICMP echo request" "${out}"
check_grep "echo_reply_ipv4" "${HOST_GW4} > ${HOST_ADDR4}: ICMP echo reply" "${out}"
check_grep "echo_request_ipv6" "${HOST_ADDR6} > ${HOST_GW6}: ICMP6, echo request" "${out}"
check_grep "echo_reply_ipv6" "${HOST_GW6} > ${HOST_ADDR6}: ICMP6, echo reply" "${out}"
check_grep "arp_in_capture" "ARP, Reply ${HOST_GW4} is-at" "${out}"

# Frames are whole: the echo payload pattern survives in both directions
n="$(timeout 10 tcpdump -r "${cap}" -n -x 'icmp and (icmp[0] = 0 or icmp[0] = 8)' 2>/dev/null | grep -c '5a5a 5a5a')"
[ "${n}" -ge 4 ] && pass "payload_intact" || fail "payload_intact" "pattern seen in ${n} hex lines"

# A capture file that can't be created is a start-up error
check_fails "unwritable_capture_path" timeout 10 ip netns exec "${HOST_NS}" \
	"${PASTA}" -D "${TEST_DNS4}" --config-net -p /nonexistent/dir/cap.pcap -- true

lib_done
