#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# busy_poll.sh - the event loop's busy poll (--busy-poll, loop_poll.c)
#
# - request and answer, back and forth (a guest client and an echo server
#   on the host's loopback, 64-byte requests, every answer compared byte for
#   byte): the loop polls for the answers, and most polls find them (with
#   --busy-poll 1000, so that load beside the test can't starve it)
# - a one-way UDP stream from the guest, paced so that the loop sleeps
#   between datagrams: no polls, whatever its length
# - idle: no polls at all
# - the ACK of each request is held for the answer to carry it
#   (tcp_ack_hold() in tcp.c), and the answers carry nearly all of them
# - answers that come late (a server that waits 50 ms before each one):
#   each held ACK goes on its own before the loop sleeps, so the guest's
#   TCP sees round trips of a few milliseconds at most, not 50, and
#   retransmits nothing; the answers match the requests
# - a one-way stream of small writes (64 bytes every 10 ms to a sink):
#   no ACK held after the first, and the sink gets every byte
# - --busy-poll 0: the same exchange works, nothing is polled, and each
#   held ACK goes before the loop sleeps
#
# Topology: see test/lib/lib.sh; the guest namespace is our own (--netns).
#
#   host ns: socat echo 127.0.0.1:EPORT <- gateway mapping -- guest: client.py
#            socat UDP receiver 127.0.0.1:UPORT <- gateway -- guest: sender
#            slow.py 127.0.0.1:DPORT <- gateway mapping -- guest: client.py
#            socat sink 127.0.0.1:SPORT <- gateway mapping -- guest: client.py

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat "${PYTHON:-python3}" || lib_done

EPORT=20481
UPORT=20482
DPORT=20483
SPORT=20484
RTS=400
DGRAMS=3000
DRIPS=40
head -c $((RTS * 64)) /dev/urandom > "${T_TMP}/rr.in"

# Sender: DGRAMS datagrams of 1000 bytes, a pause after every 10
cat > "${T_TMP}/udp_send.py" <<'EOF'
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(bytes([i % 251]) * 1000, (host, port))
    if i % 10 == 9:
        time.sleep(0.001)
print("sent %d" % n)
EOF

# Client: n writes of 64 bytes from a file, each followed by the answer
# (compared with what was sent) if "answers", else by a 10 ms pause; then
# the socket's smoothed round-trip time and retransmissions as its TCP
# counts them (struct tcp_info: tcpi_rtt at byte 68, total_retrans at 100)
cat > "${T_TMP}/client.py" <<'EOF'
import socket, struct, sys, time
host, port, n, path, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
data = open(path, "rb").read()
s = socket.create_connection((host, port), timeout=5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(n):
    req = data[i * 64:(i + 1) * 64]
    s.sendall(req)
    if mode != "answers":
        time.sleep(0.01)
        continue
    got = b""
    while len(got) < len(req):
        b = s.recv(len(req) - len(got))
        if not b:
            sys.exit("write %d: connection closed" % i)
        got += b
    if got != req:
        sys.exit("write %d: answer differs" % i)
time.sleep(0.1)
info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
rtt, = struct.unpack_from("I", info, 68)
retrans, = struct.unpack_from("I", info, 100)
s.close()
print("ok %d rtt_us %d retrans %d" % (n, rtt, retrans))
EOF

# Slow echo server: one connection, each 64 bytes sent back 50 ms later
cat > "${T_TMP}/slow.py" <<'EOF'
import socket, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(1)
l.settimeout(20)
c, _ = l.accept()
c.settimeout(5)
while True:
    b = b""
    while len(b) < 64:
        d = c.recv(64 - len(b))
        if not d:
            sys.exit(0)
        b += d
    time.sleep(0.05)
    c.sendall(b)
EOF

# polls() - Busy polls so far, those that found events and those that
#	    didn't, summed
polls() {
	local s
	s="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")" || { echo -1; return; }
	echo $(($(stat_of "${s}" busy_poll_hits) + $(stat_of "${s}" busy_poll_misses)))
}

# echo_server() - An echo server on the host's loopback, for one connection
echo_server() {
	in_host timeout 30 socat TCP-LISTEN:"${EPORT}",bind=127.0.0.1,reuseaddr \
		PIPE >/dev/null 2>&1 &
	track_pid $!
	wait_for 3 in_host sh -c "ss -Htln | grep -q '127.0.0.1:${EPORT} '"
}

# start() - A host and a guest namespace, pasta between them
# $1:	Name suffix
# $@:	More pasta options
start() {
	local sfx="$1"
	shift
	host_ns_setup "${sfx}" || { fail "setup_${sfx}" "host namespace"; return 1; }
	guest_ns_setup "${sfx}" || { fail "setup_${sfx}" "guest namespace"; return 1; }
	ip netns exec "${GUEST_NS}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	if ! pasta_attach -4 --config-net -t none -u none -T none -U none \
		"$@" > "${T_TMP}/attach.out"; then
		fail "start_${sfx}" "$(cat "${T_TMP}/attach.out")"
		return 1
	fi
}

# --- the largest window ---------------------------------------------------
# On a loaded machine (CI runs compilers beside us) a Python client's next
# request can take longer than the default 50 us window to come, and the
# window then shrinks, as it should: the largest window keeps the check
# about the loop, not about the machine's load. The default is checked in
# test_conf.c.

if start on --busy-poll 1000; then
	echo_server
	p0="$(polls)"
	out="$(in_ns timeout 30 "${PYTHON}" "${T_TMP}/client.py" "${HOST_GW4}" \
		"${EPORT}" "${RTS}" "${T_TMP}/rr.in" answers 2>&1)"
	s="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	hits="$(stat_of "${s}" busy_poll_hits)"
	misses="$(stat_of "${s}" busy_poll_misses)"
	us="$(stat_of "${s}" busy_poll_us)"
	if [ "${out%% rtt_us*}" = "ok ${RTS}" ]; then
		pass "exchange_answers_match"
	else
		fail "exchange_answers_match" "${out}"
	fi
	# Two polls per round trip could find something (the answer, the next
	# request): at least half as many hits as round trips, and most polls
	# found something
	if [ "${hits}" -ge $((RTS / 2)) ] && [ "${hits}" -gt $((misses * 2)) ] &&
	   [ "${us}" -gt 0 ]; then
		pass "exchange_polls_find_answers"
	else
		fail "exchange_polls_find_answers" "${RTS} round trips: ${hits} polls found events, ${misses} none, ${us} us (polls before: ${p0})"
	fi
	held="$(stat_of "${s}" tcp_acks_held)"
	alone="$(stat_of "${s}" tcp_acks_held_sent_alone)"
	# One held per request; the poll catches most answers (a loaded
	# machine misses some: those ACKs go alone, before the loop sleeps)
	if [ "${held:-0}" -ge "${RTS}" ] &&
	   [ "${alone:-0}" -le $((held / 2)) ]; then
		pass "answers_carry_acks"
	else
		fail "answers_carry_acks" "${RTS} round trips: ${held} ACKs held, ${alone} of them sent alone"
	fi

	in_host timeout 20 socat -u UDP-RECV:"${UPORT}",bind=127.0.0.1 \
		OPEN:"${T_TMP}/udp.got",creat,trunc >/dev/null 2>&1 &
	track_pid $!
	wait_for 3 in_host sh -c "ss -Huln | grep -q '127.0.0.1:${UPORT} '"
	p1="$(polls)"
	out="$(in_ns timeout 30 "${PYTHON}" "${T_TMP}/udp_send.py" "${HOST_GW4}" \
		"${UPORT}" "${DGRAMS}" 2>&1)"
	wait_for 3 sh -c "[ \$(stat -c %s '${T_TMP}/udp.got' 2>/dev/null || echo 0) -ge $((DGRAMS * 1000)) ]"
	got="$(stat -c %s "${T_TMP}/udp.got" 2>/dev/null || echo 0)"
	p2="$(polls)"
	# The stream's first batch comes from another descriptor than the
	# exchange's last: one turn, a few polls at most
	if [ "${out}" = "sent ${DGRAMS}" ] && [ "${got}" -gt 0 ] &&
	   [ "${p1}" -ge 0 ] && [ "${p2}" -ge "${p1}" ] &&
	   [ $((p2 - p1)) -le 5 ]; then
		pass "one_way_stream_no_polls"
	else
		fail "one_way_stream_no_polls" "${out}; ${got} bytes received; $((p2 - p1)) polls for ${DGRAMS} datagrams"
	fi

	sleep 1.5
	p3="$(polls)"
	sleep 1.5
	p4="$(polls)"
	if [ "${p3}" -ge 0 ] && [ "${p3}" = "${p4}" ] && pasta_alive; then
		pass "idle_no_polls"
	else
		fail "idle_no_polls" "${p3} polls, then ${p4} after 1.5 s idle"
	fi

	s="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	alone="$(stat_of "${s}" tcp_acks_held_sent_alone)"
	# Late answers: every ACK held, none carried
	head -c $((DRIPS * 64)) /dev/urandom > "${T_TMP}/drip.in"
	in_host timeout 30 "${PYTHON}" "${T_TMP}/slow.py" "${DPORT}" &
	track_pid $!
	wait_for 3 in_host sh -c "ss -Htln | grep -q '127.0.0.1:${DPORT} '"
	out="$(in_ns timeout 30 "${PYTHON}" "${T_TMP}/client.py" "${HOST_GW4}" \
		"${DPORT}" "${DRIPS}" "${T_TMP}/drip.in" answers 2>&1)"
	rtt="$(echo "${out}" | sed -n 's/^ok [0-9]* rtt_us \([0-9]*\) .*/\1/p')"
	retrans="$(echo "${out}" | sed -n 's/.* retrans \([0-9]*\)$/\1/p')"
	# Held until the answer, it would be 50 ms
	if [ -n "${rtt}" ] && [ "${rtt}" -lt 30000 ] && [ "${retrans}" = 0 ]; then
		pass "late_answers_acks_at_once"
	else
		fail "late_answers_acks_at_once" "guest's TCP: ${out}"
	fi
	s2="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	alone2="$(stat_of "${s2}" tcp_acks_held_sent_alone)"
	if [ $((alone2 - alone)) -ge $((DRIPS / 2)) ]; then
		pass "late_answers_acks_alone"
	else
		fail "late_answers_acks_alone" "$((alone2 - alone)) held ACKs sent alone for ${DRIPS} late answers"
	fi

	# A one-way stream of small writes: acknowledged as they come
	held2="$(stat_of "${s2}" tcp_acks_held)"
	in_host timeout 20 socat -u TCP-LISTEN:"${SPORT}",bind=127.0.0.1,reuseaddr \
		OPEN:"${T_TMP}/drip.got",creat,trunc >/dev/null 2>&1 &
	track_pid $!
	wait_for 3 in_host sh -c "ss -Htln | grep -q '127.0.0.1:${SPORT} '"
	out="$(in_ns timeout 30 "${PYTHON}" "${T_TMP}/client.py" "${HOST_GW4}" \
		"${SPORT}" "${DRIPS}" "${T_TMP}/drip.in" oneway 2>&1)"
	wait_for 3 sh -c "[ \$(stat -c %s '${T_TMP}/drip.got' 2>/dev/null || echo 0) -ge $((DRIPS * 64)) ]"
	if d="$(cmp_bytes "${T_TMP}/drip.in" "${T_TMP}/drip.got")"; then
		pass "oneway_bytes_arrive"
	else
		fail "oneway_bytes_arrive" "${d}"
	fi
	s3="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	held3="$(stat_of "${s3}" tcp_acks_held)"
	if [ $((held3 - held2)) -le 2 ] && [ "${out%% rtt_us*}" = "ok ${DRIPS}" ]; then
		pass "oneway_acks_not_held"
	else
		fail "oneway_acks_not_held" "$((held3 - held2)) ACKs held for ${DRIPS} one-way writes; ${out}"
	fi
	daemon_answers "alive_on"
	daemon_stop_check "stop_on"
fi

# --- --busy-poll 0 -------------------------------------------------------

if start off --busy-poll 0; then
	echo_server
	out="$(in_ns timeout 30 "${PYTHON}" "${T_TMP}/client.py" "${HOST_GW4}" \
		"${EPORT}" "${RTS}" "${T_TMP}/rr.in" answers 2>&1)"
	p5="$(polls)"
	if [ "${out%% rtt_us*}" = "ok ${RTS}" ] && [ "${p5}" = 0 ]; then
		pass "off_exchange_no_polls"
	else
		fail "off_exchange_no_polls" "${out}; ${p5} polls with --busy-poll 0"
	fi
	s="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	held="$(stat_of "${s}" tcp_acks_held)"
	alone="$(stat_of "${s}" tcp_acks_held_sent_alone)"
	if [ "${held:-0}" -ge "${RTS}" ] && [ "${alone:-0}" -ge $((held / 2)) ]; then
		pass "off_acks_go_before_sleep"
	else
		fail "off_acks_go_before_sleep" "${held} ACKs held, ${alone} sent alone"
	fi
	daemon_stop_check "stop_off"
fi

lib_done
