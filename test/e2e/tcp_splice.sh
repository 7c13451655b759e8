#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_splice.sh - TCP between the host's loopback and pasta's namespace,
# spliced: -t (host to namespace) with remapping, ranges and exclusions,
# -T (namespace to host), -t auto following the namespace's listeners,
# resets, refused targets, and half-closed connections
#
# Topology: see test/lib/lib.sh. Every connection here is on loopback,
# either the host namespace's (pt-tcp_splice-PID) or the namespace pasta
# creates inside it:
#
#   host namespace                       pasta's namespace
#   client -> 127.0.0.1:P / [::1]:P      socat/python server on P'
#              (pasta listener)  ==splice==>  127.0.0.1:P' / [::1]:P'
#   server on 127.0.0.1:19090  <==splice==   (pasta listener) <- client

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" socat sha256sum python3 ss || exit 0
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

BIG_MIB=200
# Short form (test/run's sanitizer pass): the same checks, less data
[ -n "${E2E_SHORT}" ] && BIG_MIB=24
BIG="${T_TMP}/big"
SMALL="${T_TMP}/small"
HELPER="${T_TMP}/helper.py"
TMO=(timeout 30)

head -c "$((BIG_MIB * 1024 * 1024))" /dev/urandom > "${BIG}"
make_random_file "${SMALL}" 4096
BIG_SUM="$(sha256sum < "${BIG}" | cut -d' ' -f1)"
SMALL_SUM="$(sha256sum < "${SMALL}" | cut -d' ' -f1)"

# Servers and clients that socat can't be: resets and half-closes
cat > "${HELPER}" <<'EOF'
import hashlib, os, socket, sys, time

def listen(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(8)
    s.settimeout(30)
    print("ready", flush=True)
    return s

def srv_rst(port, n):
    # Accept, then close with SO_LINGER {1, 0}: the client gets a reset
    s = listen(port)
    for _ in range(n):
        c, _ = s.accept()
        c.recv(1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        c.close()

def srv_half(port, n):
    # Read to EOF, then answer with the digest and the data back
    s = listen(port)
    for _ in range(n):
        c, _ = s.accept()
        c.settimeout(20)
        data = bytearray()
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
        c.sendall(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        c.close()

def cli_rst(host, port, allow_eof):
    # Expect a reset (or, if allowed, EOF) within 5 s: it may come before
    # connect() returns
    try:
        c = socket.create_connection((host, port), timeout=5)
        c.sendall(b"x")
        b = c.recv(1)
    except (ConnectionResetError, BrokenPipeError):
        print("reset")
        return 0
    except socket.timeout:
        print("no reset after 5 s")
        return 1
    if not b and allow_eof:
        print("eof")
        return 0
    print("got %r instead of a reset" % b)
    return 1

def cli_hold(host, port, secs):
    # Keep a connection open, doing nothing
    c = socket.create_connection((host, port), timeout=5)
    print("connected", flush=True)
    time.sleep(secs)
    return 0

def cli_half(host, port, size):
    data = os.urandom(size)
    c = socket.create_connection((host, port), timeout=20)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
    want = hashlib.sha256(data).hexdigest().encode() + b"\n" + data
    if got != want:
        print("got %d bytes back, expected %d" % (len(got), len(want)))
        return 1
    return 0

cmd = sys.argv[1]
if cmd == "srv_rst":
    srv_rst(int(sys.argv[2]), int(sys.argv[3]))
elif cmd == "srv_half":
    srv_half(int(sys.argv[2]), int(sys.argv[3]))
elif cmd == "cli_rst":
    sys.exit(cli_rst(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"))
elif cmd == "cli_hold":
    sys.exit(cli_hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
elif cmd == "cli_half":
    sys.exit(cli_half(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
EOF

# ns_listening() - Is something listening on a TCP port in pasta's namespace
# $1:	Port
ns_listening() {
	in_ns ss -ltnH "sport = :$1" | grep -q .
}

# host_listening() - Is something listening on a TCP port in the host
# $1:	Port
host_listening() {
	in_host ss -ltnH "sport = :$1" | grep -q .
}

# ns_bg() - Start a command in pasta's namespace, in the background
# $1:	Output file
# $@:	Command
ns_bg() {
	local out="$1"
	shift
	# Not through in_ns(): a function in the background is a subshell,
	# and $! must be the command itself (nsenter -n execs it)
	nsenter -t "${NS_PID}" -n -- "$@" > "${out}" 2>&1 &
	track_pid $!
	BG_PID=$!
}

# host_bg() - Start a command in the host namespace, in the background
# $1:	Output file
# $@:	Command
host_bg() {
	local out="$1"
	shift
	ip netns exec "${HOST_NS}" "$@" > "${out}" 2>&1 &
	track_pid $!
	BG_PID=$!
}

# pid_wait() - Wait for one of our background processes to end, bounded
# $1:	PID
# $2:	Timeout, seconds
pid_wait() {
	wait_for "$2" sh -c "! kill -0 $1 2>/dev/null"
}

# sum_of() - Digest of what a command prints
sum_of() {
	"$@" | sha256sum | cut -d' ' -f1
}

# --- -t and -T with explicit ports ------------------------------------

if ! pasta_spawn --config-net -t 18080,18082 -t 18081:18080 \
		 -t 18100-18110,~18105 -t 18120-18121 -T 19090; then
	fail "spawn" "pasta didn't start"
	exit 1
fi

# Download server, both families: one connection per check
ns_bg "${T_TMP}/dl.out" "${TMO[@]}" socat -U \
	TCP6-LISTEN:18080,ipv6only=0,reuseaddr,fork OPEN:"${BIG}"
wait_for 5 ns_listening 18080 ||
	fail "setup" "download server didn't start: $(cat "${T_TMP}/dl.out")"

# download() - Fetch the big file from the host, compare its digest
# $1:	Check name
# $2:	Address
# $3:	Port
download() {
	local got
	got="$(sum_of in_host "${TMO[@]}" socat -u TCP:"$2":"$3" -)"
	if [ "${got}" = "${BIG_SUM}" ]; then
		pass "$1"
	else
		fail "$1" "digest ${got} differs from ${BIG_SUM}"
	fi
}

download "download_ipv4" 127.0.0.1 18080
download "download_ipv6" "[::1]" 18080
download "remap_ipv4" 127.0.0.1 18081

# upload() - Send the big file from the host, compare what the server got
# $1:	Check name
# $2:	Address
upload() {
	local name="$1" addr="$2" out="${T_TMP}/up.$1" got
	rm -f "${out}"
	ns_bg "${T_TMP}/up.$1.log" "${TMO[@]}" socat -u \
		TCP6-LISTEN:18082,ipv6only=0,reuseaddr CREATE:"${out}"
	if ! wait_for 5 ns_listening 18082; then
		fail "${name}" "upload server didn't start"
		return
	fi
	in_host "${TMO[@]}" socat -u OPEN:"${BIG}" TCP:"${addr}":18082
	pid_wait "${BG_PID}" 20
	got="$(sha256sum < "${out}" | cut -d' ' -f1)"
	rm -f "${out}"
	if [ "${got}" = "${BIG_SUM}" ]; then
		pass "${name}"
	else
		fail "${name}" "digest ${got} differs from ${BIG_SUM}: $(cat "${T_TMP}/up.$1.log")"
	fi
}

upload "upload_ipv4" 127.0.0.1
upload "upload_ipv6" "[::1]"

# Range with an exclusion: a server on every port, 18105 not forwarded
for p in 18100 18104 18105 18106 18110; do
	ns_bg "${T_TMP}/range.${p}" "${TMO[@]}" socat \
		TCP6-LISTEN:${p},ipv6only=0,reuseaddr,fork SYSTEM:"echo port ${p}"
done
wait_for 5 ns_listening 18110
range_ok=1
for p in 18100 18104 18106 18110; do
	got="$(in_host "${TMO[@]}" socat -u TCP:127.0.0.1:${p} - 2>&1)"
	if [ "${got}" != "port ${p}" ]; then
		fail "range" "port ${p}: got '${got}'"
		range_ok=0
	fi
done
[ ${range_ok} -eq 1 ] && pass "range"
out="$(in_host "${TMO[@]}" socat -u TCP:127.0.0.1:18105 - 2>&1)"
check_grep "range_excluded_refused" "Connection refused" "${out}"

# -T: the namespace reaches a server on the host's loopback
host_bg "${T_TMP}/T.out" "${TMO[@]}" socat -U \
	TCP6-LISTEN:19090,ipv6only=0,reuseaddr,fork OPEN:"${SMALL}"
wait_for 5 host_listening 19090
for a in 127.0.0.1 "[::1]"; do
	name="outbound_ipv4"
	[ "${a}" = "127.0.0.1" ] || name="outbound_ipv6"
	got="$(sum_of in_ns "${TMO[@]}" socat -u TCP:"${a}":19090 -)"
	if [ "${got}" = "${SMALL_SUM}" ]; then
		pass "${name}"
	else
		fail "${name}" "digest ${got} differs from ${SMALL_SUM}"
	fi
done

# Resets: a server closing with SO_LINGER {1, 0}, and a port with nothing
# listening in the namespace (18103 is in the range, no server there)
ns_bg "${T_TMP}/rst.out" "${TMO[@]}" python3 "${HELPER}" srv_rst 18120 2
wait_for 5 grep -q ready "${T_TMP}/rst.out"
check "reset_ipv4" in_host python3 "${HELPER}" cli_rst 127.0.0.1 18120 0
check "reset_ipv6" in_host python3 "${HELPER}" cli_rst ::1 18120 0
start="$(now_ms)"
check "refused_target_ipv4" in_host python3 "${HELPER}" cli_rst 127.0.0.1 18103 1
check "refused_target_ipv6" in_host python3 "${HELPER}" cli_rst ::1 18103 1
ms="$(elapsed_ms "${start}")"
if [ "${ms}" -lt 3000 ]; then
	pass "refused_target_quick"
else
	fail "refused_target_quick" "took ${ms} ms for two connections"
fi

# Half-close: the client shuts down writing, the server still answers
ns_bg "${T_TMP}/half.out" "${TMO[@]}" python3 "${HELPER}" srv_half 18121 2
wait_for 5 grep -q ready "${T_TMP}/half.out"
check "half_close_ipv4" in_host python3 "${HELPER}" cli_half 127.0.0.1 18121 3000000
check "half_close_ipv6" in_host python3 "${HELPER}" cli_half ::1 18121 3000000

stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
bytes="$(stat_of "${stats}" tcp_bytes_spliced)"
if [ "${bytes}" -ge $((BIG_MIB * 5 * 1024 * 1024)) ]; then
	pass "stats_bytes"
else
	fail "stats_bytes" "tcp_bytes_spliced ${bytes}, expected at least 5 x ${BIG_MIB} MiB"
fi

daemon_answers "daemon_alive"
daemon_stop_check "daemon_stop"
kill "${NS_PID}" 2>/dev/null

# --- flow table full: one flow, a second connection is reset -----------

if pasta_spawn --config-net --max-flows 1 -t 18080 -T none; then
	ns_bg "${T_TMP}/full.srv" "${TMO[@]}" socat \
		TCP6-LISTEN:18080,ipv6only=0,reuseaddr,fork SYSTEM:"sleep 5"
	wait_for 5 ns_listening 18080
	host_bg "${T_TMP}/full.hold" timeout 10 python3 "${HELPER}" \
		cli_hold 127.0.0.1 18080 4
	hold_pid="${BG_PID}"
	wait_for 5 grep -q connected "${T_TMP}/full.hold"
	sleep 0.2
	check "table_full_reset" in_host python3 "${HELPER}" cli_rst 127.0.0.1 18080 1
	stats="$(stats_dump "${PASTA_PID}" "${PASTA_LOG}")"
	n="$(stat_of "${stats}" drop_flow_table_full)"
	if [ "${n}" -ge 1 ]; then
		pass "table_full_counted"
	else
		fail "table_full_counted" "drop_flow_table_full is ${n}"
	fi
	daemon_answers "table_full_daemon_alive"
	daemon_stop_check "table_full_daemon_stop"
	kill "${hold_pid}" "${NS_PID}" 2>/dev/null
else
	fail "table_full_spawn" "pasta didn't start"
fi

# --- -t auto, and -T auto by default -------------------------------------

if ! pasta_spawn --config-net -t auto; then
	fail "auto_spawn" "pasta didn't start"
	lib_done
fi

# connect_says() - Does a connection to a host port read a given line
# $1:	Port
# $2:	Expected line
connect_says() {
	[ "$(in_host timeout 5 socat -u TCP:127.0.0.1:"$1" - 2>/dev/null)" = "$2" ]
}

# connect_refused() - Is a connection to a host port refused
# $1:	Port
connect_refused() {
	in_host timeout 5 socat -u TCP:127.0.0.1:"$1" - 2>&1 |
		grep -q "Connection refused"
}

# The ports are found by netlink sock_diag where the kernel has it (no
# walk of every socket each second), else from /proc/net: the features
# in the statistics say which
stats_dump "${PASTA_PID}" "${PASTA_LOG}" > /dev/null
feat="$(grep "port scan" "${PASTA_LOG}")"
for side in host namespace; do
	line="$(printf '%s\n' "${feat}" | grep "port scan: ${side}" | tail -n 1)"
	if printf '%s' "${line}" | grep -q "netlink sock_diag (TCP, UDP)"; then
		pass "auto_scan_netlink_${side}"
	elif printf '%s' "${line}" | grep -q "/proc/net"; then
		skip "auto_scan_netlink_${side}" "the kernel's sock_diag can't dump both (${line##*: }): /proc/net is scanned"
	else
		fail "auto_scan_netlink_${side}" "no port scan feature: ${feat}"
	fi
done

check "auto_refused_before" connect_refused 18200
sleep 2
ns_bg "${T_TMP}/auto.out" "${TMO[@]}" socat \
	TCP6-LISTEN:18200,ipv6only=0,reuseaddr,fork SYSTEM:"echo auto"
auto_pid="${BG_PID}"
start="$(now_ms)"
if wait_for 5 connect_says 18200 auto; then
	pass "auto_forwarded"
	ms="$(elapsed_ms "${start}")"
	echo "auto forward after ${ms} ms"
else
	fail "auto_forwarded" "host port 18200 didn't reach the namespace's listener in 5 s"
fi

kill "${auto_pid}" 2>/dev/null
pid_wait "${auto_pid}" 3
start="$(now_ms)"
if wait_for 3 connect_refused 18200; then
	pass "auto_removed"
	echo "auto forward removed after $(elapsed_ms "${start}") ms"
else
	fail "auto_removed" "host port 18200 still accepts 3 s after the listener left"
fi

# -T auto: a listener appearing on the host's side is reachable from the
# namespace, and goes away with it
host_bg "${T_TMP}/Tauto.out" "${TMO[@]}" socat \
	TCP6-LISTEN:19300,ipv6only=0,reuseaddr,fork SYSTEM:"echo outbound"
tauto_pid="${BG_PID}"
ns_says() {
	[ "$(in_ns timeout 5 socat -u TCP:"$1":19300 - 2>/dev/null)" = "outbound" ]
}
ns_refused() {
	in_ns timeout 5 socat -u TCP:127.0.0.1:19300 - 2>&1 |
		grep -q "Connection refused"
}
if wait_for 5 ns_says 127.0.0.1 && ns_says "[::1]"; then
	pass "auto_outbound"
else
	fail "auto_outbound" "namespace didn't reach the host's port 19300 in 5 s"
fi
kill "${tauto_pid}" 2>/dev/null
pid_wait "${tauto_pid}" 3
if wait_for 3 ns_refused; then
	pass "auto_outbound_removed"
else
	fail "auto_outbound_removed" "namespace port 19300 still accepts 3 s after the host's listener left"
fi

daemon_answers "auto_daemon_alive"
daemon_stop_check "auto_daemon_stop"

lib_done
