#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stats.sh - the statistics table, periodic statistics, and flow lines
#
# pasta runs with --stats 1 for a guest namespace that stays silent on
# its own (IPv4 only, IPv6 off in the namespace), so that we know when
# nothing happens:
#
# - the periodic block is logged once, then not again while idle; after
#   traffic, once more; SIGUSR1 logs a block every time it's sent
# - the table has its sections: flows per protocol (active, opened,
#   closed), traffic each way, drops by reason, features; its numbers are
#   the counters' (the name=value lines under it)
# - crafted bad frames (test/lib/pkt.py) show up under their reasons, with
#   the counts sent
# - the debug lines of flows show only what is known of each side (no
#   "[::]:0"), and ICMP echo flows show "id N", not ports
#
# Topology: see test/lib/lib.sh; the guest namespace is our own (--netns).
#
#   host ns: socat 127.0.0.1:HPORT <-- gateway mapping -- guest: socat client
#            socat client -> 198.51.100.2:TPORT -- -t --> guest: socat server

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat "${PYTHON:-python3}" || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }
guest_ns_setup || { fail "setup" "guest namespace"; exit 1; }
ip netns exec "${GUEST_NS}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1

HPORT=20471
TPORT=20472

if ! pasta_attach -4 -d --stats 1 --config-net -t "${TPORT}" \
	-u none -T none -U none > "${T_TMP}/attach.out"; then
	fail "start" "$(cat "${T_TMP}/attach.out")"
	lib_done
fi

# periodic() - How many periodic blocks the log has
periodic() {
	grep -c ': statistics (periodic):$' "${PASTA_LOG}"
}
_periodic_more() {
	[ "$(periodic)" -gt "$1" ]
}

# last_block() - The last SIGUSR1 block of the log, headline to its end
last_block() {
	awk '/: statistics \(SIGUSR1\):$/ { b = ""; s = 1 }
	     s { b = b $0 "\n" }
	     s && /:   flows_active: / { s = 0; last = b }
	     END { printf "%s", last }' "${PASTA_LOG}"
}

# row() - Numbers of a table row in the last SIGUSR1 block
# $1:	Row label, as printed
row() {
	last_block | awk -v l="$1" '{
		sub(/^[0-9.]+: +/, "")
		if (index($0, l) == 1 && substr($0, length(l) + 1) ~ /^ +[0-9]/) {
			$0 = substr($0, length(l) + 1); print $1, $2, $3; exit
		}
	}'
}

# --- periodic blocks --------------------------------------------------

if wait_for 4 _periodic_more 0; then
	pass "periodic_first"
else
	fail "periodic_first" "no periodic block in 4 s: $(tail -n 3 "${PASTA_LOG}")"
fi
n1="$(periodic)"
sleep 3.5
n2="$(periodic)"
if [ "${n1}" = 1 ] && [ "${n2}" = 1 ] && pasta_alive; then
	pass "periodic_once_while_idle"
else
	fail "periodic_once_while_idle" "${n1} blocks, ${n2} after 3.5 s idle with --stats 1"
fi

# SIGUSR1 logs whether or not anything changed, and doesn't count as a
# periodic block
s1="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
s2="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
if [ "$(_stats_ends "${PASTA_LOG}")" = 2 ] && [ "$(periodic)" = "${n2}" ]; then
	pass "sigusr1_always"
else
	fail "sigusr1_always" "$(_stats_ends "${PASTA_LOG}") SIGUSR1 blocks after 2 signals, $(periodic) periodic"
fi

# --- traffic: echo, TCP both ways, UDP ---------------------------------

check "ping" in_ns timeout 10 ping -n -q -c 2 -i 0.2 -W 2 "${HOST_GW4}"

in_host timeout 20 socat -u TCP-LISTEN:"${HPORT}",bind=127.0.0.1,reuseaddr \
	OPEN:"${T_TMP}/got.h",creat,trunc >/dev/null 2>&1 &
track_pid $!
in_ns timeout 20 socat -u TCP-LISTEN:"${TPORT}",reuseaddr \
	OPEN:"${T_TMP}/got.g",creat,trunc >/dev/null 2>&1 &
track_pid $!
wait_for 3 in_host sh -c "ss -Htln | grep -q '127.0.0.1:${HPORT} '"
wait_for 3 in_ns sh -c "ss -Htln | grep -q ':${TPORT} '"

echo "to host" | in_ns timeout 5 socat -u - TCP:"${HOST_GW4}:${HPORT}" >/dev/null 2>&1
echo "to guest" | in_host timeout 5 socat -u - TCP:"${HOST_ADDR4}:${TPORT}" >/dev/null 2>&1
wait_for 3 grep -q "to host" "${T_TMP}/got.h"
wait_for 3 grep -q "to guest" "${T_TMP}/got.g"
[ "$(cat "${T_TMP}/got.h" 2>/dev/null)" = "to host" ] && pass "tcp_to_host" ||
	fail "tcp_to_host" "server got '$(cat "${T_TMP}/got.h" 2>/dev/null)'"
[ "$(cat "${T_TMP}/got.g" 2>/dev/null)" = "to guest" ] && pass "tcp_to_guest" ||
	fail "tcp_to_guest" "server got '$(cat "${T_TMP}/got.g" 2>/dev/null)'"
echo "udp" | in_ns timeout 3 socat -u - UDP:"${HOST_GW4}:${HPORT}" >/dev/null 2>&1

if wait_for 3.5 _periodic_more "${n2}"; then
	pass "periodic_after_traffic"
else
	fail "periodic_after_traffic" "still ${n2} periodic blocks after traffic"
fi

# Connections wind down, then all is quiet again
sleep 2.5
n3="$(periodic)"
sleep 3.5
n4="$(periodic)"
[ "${n3}" = "${n4}" ] && pass "periodic_quiet_again" ||
	fail "periodic_quiet_again" "${n3} periodic blocks, then ${n4} while idle"

# --- crafted bad frames ------------------------------------------------

# Nothing else drops these here: the counts are exactly what we send
if ! out="$(in_ns timeout 10 "${PYTHON}" "${PKT}" send "${HOST_IF}" \
	ipv4-truncated ipv4-ihl ipv4-ihl ipv4-fragment ipv4-fragment \
	ipv4-fragment ethertype ethertype ethertype ethertype 2>&1)"; then
	fail "bad_frames_sent" "${out}"
fi
sleep 0.2
stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
pasta_alive && pass "alive_after_bad_frames" ||
	fail "alive_after_bad_frames" "$(tail -n 3 "${PASTA_LOG}")"

# drop_reason() - A drop row shows the count sent, as its counter does
# $1:	Label
# $2:	Counter
# $3:	Count sent
drop_reason() {
	local got
	got="$(row "$1" | awk '{ print $1 }')"
	if [ "${got}" = "$3" ] && [ "$(stat_of "${stats}" "$2")" = "$3" ]; then
		pass "drop_${2#drop_}"
	else
		fail "drop_${2#drop_}" "'$1' row says '${got}', $2 is $(stat_of "${stats}" "$2"), $3 sent"
	fi
}
drop_reason "short frame" drop_short_frame 1
drop_reason "bad IPv4 header" drop_bad_ipv4 2
drop_reason "IP fragment" drop_fragment 3
drop_reason "unknown EtherType" drop_unknown_ethertype 4

# --- the table ---------------------------------------------------------

block="$(last_block)"
check_grep "section_flows" '^[0-9.]+:   flows +active +opened +closed$' "${block}"
check_grep "section_traffic" '^[0-9.]+:   traffic +guest->host +host->guest$' "${block}"
check_grep "section_drops" '^[0-9.]+:   drops, by reason$' "${block}"
check_grep "section_features" '^[0-9.]+:   features$' "${block}"
check_grep "feature_vnet_header" '^[0-9.]+:     tap: virtio-net header +in use' "${block}"
check_grep "block_end" '^[0-9.]+:   flows_active: [0-9]+ of [0-9]+$' "${block}"

# flow_row() - Check a protocol's flows row: opened as counted, active is
# opened less closed
# $1:	Label
# $2:	Counter prefix (flows_X_opened, flows_X_closed)
# $3:	Fewest flows opened
flow_row() {
	local r a o c
	r="$(row "$1")"
	read -r a o c <<< "${r}"
	if [ -n "${r}" ] && [ "${o}" -ge "$3" ] && [ $((o - c)) = "${a}" ] &&
	   [ "${o}" = "$(stat_of "${stats}" "flows_$2_opened")" ] &&
	   [ "${c}" = "$(stat_of "${stats}" "flows_$2_closed")" ]; then
		pass "flows_$2"
	else
		fail "flows_$2" "row '$1': '${r}', counters $(stat_of "${stats}" "flows_$2_opened") opened, $(stat_of "${stats}" "flows_$2_closed") closed"
	fi
}
flow_row "TCP" tcp 2
flow_row "ICMP echo" icmp 1
flow_row "UDP" udp 1

r="$(row "frames on the tap link")"
if [ "${r}" = "$(stat_of "${stats}" tap_frames_in) $(stat_of "${stats}" tap_frames_out) " ] &&
   [ "$(stat_of "${stats}" tap_frames_in)" -gt 0 ]; then
	pass "traffic_frames"
else
	fail "traffic_frames" "row '${r}', counters $(stat_of "${stats}" tap_frames_in) in, $(stat_of "${stats}" tap_frames_out) out"
fi
r="$(row "ICMP/ICMPv6 echo")"
[ "${r}" = "2 2 " ] && pass "traffic_echo" || fail "traffic_echo" "row '${r}', 2 pings sent"

# --- flow lines --------------------------------------------------------

flows="$(grep -E '^[0-9.]+: Flow [0-9]+ \(' "${PASTA_LOG}")"
check_grep "flow_lines_logged" ' \(TCP\): ' "${flows}"
bad="$(printf '%s\n' "${flows}" | grep -E '(\]|[0-9]):0( |$)|\[::\]:0|0\.0\.0\.0:0|=> ->|-> =>|: => ' | head -n 3)"
[ -z "${bad}" ] && pass "flow_lines_no_placeholders" ||
	fail "flow_lines_no_placeholders" "${bad}"
check_grep "flow_tcp_from_guest" \
	"\(TCP\): new connection from guest: ${HOST_ADDR4//./\\.}:[0-9]+ -> ${HOST_GW4//./\\.}:${HPORT} => (.* -> )?127\.0\.0\.1:${HPORT}$" \
	"${flows}"
echo_re="\(ICMP echo\): new echo session: ${HOST_ADDR4//./\\.} -> ${HOST_GW4//./\\.} id [0-9]+ => 127\.0\.0\.1 id [0-9]+$"
check_grep "flow_echo_id" "${echo_re}" "${flows}"
bad="$(printf '%s\n' "${flows}" | grep -E '\(ICMPv?6? ?echo\)' | grep -Ev "id [0-9]+$" | head -n 2)"
[ -z "${bad}" ] && pass "flow_echo_no_ports" || fail "flow_echo_no_ports" "${bad}"

pasta_alive && pass "alive_at_end" || fail "alive_at_end" "$(tail -n 3 "${PASTA_LOG}")"
daemon_answers "daemon_answers"
daemon_stop_check "daemon_stop"
lib_done
