#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scale.sh - many flows at once through pasta's tap, in a fixed footprint:
# 2,000 TCP connections from the namespace, each echoing its own bytes,
# held open together and echoing again; then 10,000 UDP flows, each
# answered, held and answered again. The daemon's RSS may not grow by more
# than 2 MiB over what it was at start (the flow table, its hash and the
# deadline heap are made then), and a TCP connection takes one descriptor
# (no timer descriptor). Then the limits: a full flow table (--max-flows)
# and a descriptor limit (prlimit) refuse only the new flows, each with a
# log line that names the limit, and the flows held go on working.
#
# Topology: see test/lib/lib.sh. The echo server (test/lib/scale_peer.py)
# listens on the host namespace's loopback, reached from pasta's namespace
# through the gateway address (tap path, not spliced). Nothing leaves the
# host namespace: its only link is the ifb black hole.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" prlimit "${PYTHON:-python3}" || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

PEER="${LIB_DIR}/scale_peer.py"
PORT=4400
TCP_N=2000
UDP_N=10000
SIZE=1000
RSS_SLACK_KB=2048
if [ -n "${E2E_SHORT}" ]; then
	TCP_N=500 UDP_N=2000
fi
# The full scale, by hand (not in CI): SCALE_TCP=10000 SCALE_UDP=50000
# SCALE_NOFILE=120000 (pasta's descriptor limit, if the hard one is lower)
TCP_N="${SCALE_TCP:-${TCP_N}}"
UDP_N="${SCALE_UDP:-${UDP_N}}"

# rss_kb() - Resident set of a process, KiB
# $1:	PID
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# cpu_ms() - CPU time of a process so far (user and system), ms
# $1:	PID
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
		"/proc/$1/stat" 2>/dev/null
}

# fd_count() - Open descriptors of a process
# $1:	PID
fd_count() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# client() - Start scale_peer.py in pasta's namespace, in the background
# $1:	Name, for its output and hold files
# $@:	scale_peer.py mode and arguments (HOLD is added)
# Sets CL_OUT, CL_HOLD, CL_PID.
client() {
	local name="$1"
	shift
	CL_OUT="${T_TMP}/${name}.out"
	CL_HOLD="${T_TMP}/${name}.hold"
	touch "${CL_HOLD}"
	nsenter -t "${NS_PID}" -n -- timeout 200 "${PYTHON}" "${PEER}" \
		"$@" "${CL_HOLD}" > "${CL_OUT}" 2>&1 &
	CL_PID=$!
	track_pid "${CL_PID}"
}

# client_line() - Wait for a line of the client, print it
# $1:	Start of the line
# $2:	Timeout, seconds
client_line() {
	wait_for "$2" grep -q "^$1" "${CL_OUT}"
	grep -m1 "^$1" "${CL_OUT}"
}

# count_check() - Pass if the client's line says all N went through
# $1:	Check name
# $2:	Line
# $3:	Word before the count ("held", "answered", "again")
# $4:	N
count_check() {
	if [ "$2" = "$3 $4 of $4" ]; then
		pass "$1"
	else
		fail "$1" "client said '$2': $(tail -n 2 "${CL_OUT}")"
	fi
}

ip netns exec "${HOST_NS}" timeout 300 "${PYTHON}" "${PEER}" serve \
	127.0.0.1 "${PORT}" > "${T_TMP}/srv.out" 2>&1 &
track_pid $!
if ! wait_for 10 grep -q ready "${T_TMP}/srv.out"; then
	fail "echo_server" "$(cat "${T_TMP}/srv.out")"
	exit 1
fi

main_pasta="${PASTA}"
if [ -n "${SCALE_NOFILE}" ]; then
	printf '#!/bin/sh\nexec prlimit --nofile=%s:%s %s "$@"\n' \
		"${SCALE_NOFILE}" "${SCALE_NOFILE}" "${PASTA}" > "${T_TMP}/pasta-big"
	chmod +x "${T_TMP}/pasta-big"
	main_pasta="${T_TMP}/pasta-big"
fi
if ! PASTA="${main_pasta}" pasta_spawn --config-net -t none -T none -u none -U none; then
	fail "spawn" "pasta didn't start"
	exit 1
fi
# At start: the table and its companions are made, one connection
# through, so that what a first flow brings (stacks, caches) is counted
in_ns timeout 10 "${PYTHON}" "${PEER}" tcp "${HOST_GW4}" "${PORT}" 1 10 \
	/nonexistent > /dev/null 2>&1
rss0="$(rss_kb "${PASTA_PID}")"
fd0="$(fd_count "${PASTA_PID}")"

# TCP: all connections at once
cpu0="$(cpu_ms "${PASTA_PID}")"
client tcp tcp "${HOST_GW4}" "${PORT}" "${TCP_N}" "${SIZE}"
line="$(client_line held 120)"
count_check "tcp_${TCP_N}_held" "${line}" held "${TCP_N}"
rss1="$(rss_kb "${PASTA_PID}")"
fd1="$(fd_count "${PASTA_PID}")"
if [ $((fd1 - fd0)) -le $((TCP_N + 10)) ] && [ $((fd1 - fd0)) -ge "${TCP_N}" ]; then
	pass "tcp_one_descriptor_each"
else
	fail "tcp_one_descriptor_each" "${fd0} descriptors at start, ${fd1} with ${TCP_N} connections"
fi
rm -f "${CL_HOLD}"
line="$(client_line again 120)"
count_check "tcp_${TCP_N}_again" "${line}" again "${TCP_N}"
client_line closed 30 > /dev/null
wait_for 30 pid_gone "${CL_PID}"
cpu1="$(cpu_ms "${PASTA_PID}")"
if [ $((rss1 - rss0)) -le "${RSS_SLACK_KB}" ]; then
	pass "tcp_rss_fixed"
else
	fail "tcp_rss_fixed" "RSS ${rss0} KiB at start, ${rss1} KiB with ${TCP_N} connections"
fi

# UDP: every flow its own socket on the host side
client udp udp "${HOST_GW4}" "${PORT}" "${UDP_N}"
line="$(client_line answered 120)"
count_check "udp_${UDP_N}_answered" "${line}" answered "${UDP_N}"
rss2="$(rss_kb "${PASTA_PID}")"
rm -f "${CL_HOLD}"
line="$(client_line again 120)"
count_check "udp_${UDP_N}_again" "${line}" again "${UDP_N}"
if [ $((rss2 - rss0)) -le "${RSS_SLACK_KB}" ]; then
	pass "udp_rss_fixed"
else
	fail "udp_rss_fixed" "RSS ${rss0} KiB at start, ${rss2} KiB with ${UDP_N} flows"
fi
echo "RSS: ${rss0} KiB at start, ${rss1} KiB with ${TCP_N} TCP connections, ${rss2} KiB with ${UDP_N} UDP flows"
echo "CPU: $((cpu1 - cpu0)) ms for ${TCP_N} TCP connections set up, echoed twice and closed"
grep -q "flow table full\|no socket" "${PASTA_LOG}" &&
	fail "no_refusals" "$(grep -m1 "flow table full\|no socket" "${PASTA_LOG}")" ||
	pass "no_refusals"
alive_check() { daemon_answers "$1"; }
alive_check "alive_after_scale"
daemon_stop_check "stop"
kill "${NS_PID}" 2>/dev/null

# limit_case() - More connections than a limit allows: the first ones
#		 work and go on working, the rest are refused, one log line
#		 names the limit
# $1:	Check prefix
# $2:	Connections tried
# $3:	Least that must work
# $4:	What the log line must say (extended regular expression)
# $@:	(from $5) the command prefix for pasta (prlimit ..., or nothing)
#	and pasta's options, separated by --
limit_case() {
	local pre="$1" n="$2" least="$3" want="$4" held again
	shift 4
	if ! pasta_spawn --config-net -t none -T none -u none -U none "$@"; then
		fail "${pre}_spawn" "pasta didn't start"
		return
	fi
	client "${pre}" tcp "${HOST_GW4}" "${PORT}" "${n}" 100
	held="$(client_line held 60)"
	held="${held#held }"
	held="${held%% of *}"
	rm -f "${CL_HOLD}"
	again="$(client_line again 60)"
	again="${again#again }"
	again="${again%% of *}"
	if [ -n "${held}" ] && [ "${held}" -ge "${least}" ] &&
	   [ "${held}" -lt "${n}" ] && [ "${again}" = "${held}" ]; then
		pass "${pre}_only_new_refused"
	else
		fail "${pre}_only_new_refused" "${n} tried, ${held} held, ${again} again (at least ${least}, fewer than ${n})"
	fi
	if [ "$(grep -cE "${want}" "${PASTA_LOG}")" -ge 1 ] &&
	   [ "$(grep -cE "${want}" "${PASTA_LOG}")" -le 10 ]; then
		pass "${pre}_logged_once"
	else
		fail "${pre}_logged_once" "$(grep -cE "${want}" "${PASTA_LOG}") lines like '${want}': $(tail -n 2 "${PASTA_LOG}")"
	fi
	daemon_answers "${pre}_alive"
	daemon_stop_check "${pre}_stop"
	kill "${NS_PID}" 2>/dev/null
}

limit_case table_full 600 450 "flow table full \(--max-flows 500\)" \
	--max-flows 500
# pasta under a descriptor limit of 400: a wrapper, so that its PID is
# pasta's (prlimit executes it)
printf '#!/bin/sh\nexec prlimit --nofile=400:400 %s "$@"\n' "${PASTA}" \
	> "${T_TMP}/pasta-400"
chmod +x "${T_TMP}/pasta-400"
PASTA="${T_TMP}/pasta-400" limit_case fd_limit 600 250 \
	"RLIMIT_NOFILE reached \(400 at start; raise the hard limit"
lib_done
