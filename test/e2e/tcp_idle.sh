#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_idle.sh - idle TCP connections through pasta's tap path stay up:
# the guest's keepalive probes are answered (a probe is a segment one
# sequence number old, with no data), and an idle connection without
# keepalives carries data again after the wait; both families
#
# Topology: see test/lib/lib.sh. A host echo server listens on the host
# namespace's loopback; clients in pasta's namespace reach it through the
# gateway address:
#
#   host namespace pt-tcp_idle-PID               pasta's namespace
#   echo server 127.0.0.1 / ::1:P  <== pasta ==  client -> 198.51.100.1:P
#                                     (tap)               [2001:db8::1]:P
#
# Nothing here leaves the host namespace: its only link is the ifb
# black hole, and every peer is on its loopback or in pasta's namespace.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" "${PYTHON:-python3}" ss || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

PEER="${LIB_DIR}/tcp_peer.py"
PORT=32000
IDLE_S=5

# idle_client() - Connect, exchange, idle, exchange again
# $1:	Server address
# $2:	Keepalive: "ka" to probe every second (two unanswered probes end
#	the connection), "none" for none
idle_client() {
	in_ns timeout $((IDLE_S + 15)) "${PYTHON}" -c '
import socket, sys, time
addr, port, ka, idle = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.create_connection((addr, port), timeout=5)
if ka == "ka":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
for rnd in (1, 2):
    msg = b"round %d" % rnd
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        d = s.recv(64)
        if not d:
            sys.exit("connection closed in round %d" % rnd)
        got += d
    if got != msg:
        sys.exit("round %d: echo differs" % rnd)
    if rnd == 1:
        time.sleep(idle)
print("two rounds, %g s apart" % idle)
' "$1" "${PORT}" "$2" "${IDLE_S}"
}

if ! pasta_spawn --config-net; then
	fail "spawn" "pasta didn't start"
	lib_done
fi
ip netns exec "${HOST_NS}" timeout 60 "${PYTHON}" "${PEER}" echo_srv \
	"${PORT}" 127.0.0.1 ::1 > "${T_TMP}/srv.out" 2>&1 &
SRV_PID=$!
track_pid "${SRV_PID}"
if ! wait_for 10 grep -q ready "${T_TMP}/srv.out"; then
	fail "server" "echo server didn't start: $(cat "${T_TMP}/srv.out")"
	lib_done
fi

check "keepalive_answered_ipv4" idle_client "${HOST_GW4}" ka
check "keepalive_answered_ipv6" idle_client "${HOST_GW6}" ka
check "idle_without_keepalive_ipv4" idle_client "${HOST_GW4}" none

stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
n="$(stat_of "${stats}" tcp_resets_to_guest)"
[ "${n}" -eq 0 ] && pass "no_resets_to_guest" ||
	fail "no_resets_to_guest" "tcp_resets_to_guest is ${n}"

daemon_answers "daemon_answers"
daemon_stop_check "daemon_stop"

lib_done
