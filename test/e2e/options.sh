#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# options.sh - what a new user expects of the forwarding options: an
# explicitly forwarded port that is taken stops pasta (exit 1, naming the
# port) while "all" and "auto" skip it
#
# Topology: see test/lib/lib.sh. Ports are taken by socat in the host
# namespace; pasta runs there, with a namespace of its own.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "options" socat || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

BUSY=18080		# taken on the host, TCP and UDP

# port_taken() - Is a port listened on (TCP) or bound (UDP) in the host
# $1:	"-t" or "-u"
# $2:	Port
port_taken() {
	in_host ss -Hln "$1" "sport = :$2" | grep -q .
}

in_host socat -u TCP4-LISTEN:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
track_pid $!
# Without SO_REUSEADDR, so that ours (which sets it) can't share the port
in_host socat -u UDP4-RECV:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
track_pid $!
if ! wait_for 5 port_taken -t "${BUSY}" || ! wait_for 5 port_taken -u "${BUSY}"; then
	fail "setup" "socat didn't take port ${BUSY}"
	lib_done
fi

# busy_explicit() - -t/-u with the taken port: pasta exits 1, saying which
# $1:	Check name
# $@:	pasta options
busy_explicit() {
	local name="$1" out rc
	shift
	out="$(in_host timeout 20 "${PASTA}" -D "${TEST_DNS4}" "$@" -- true 2>&1 < /dev/null)"
	rc=$?
	if [ ${rc} -ne 1 ]; then
		fail "${name}" "exit ${rc}, expected 1: ${out}"
	else
		check_grep "${name}" "port ${BUSY} .*Address already in use" "${out}"
	fi
}

busy_explicit "busy_tcp_port_fails" -t "${BUSY}"
busy_explicit "busy_tcp_port_in_range_fails" -t 18070-18090
busy_explicit "busy_udp_port_fails" -u "${BUSY}"
busy_explicit "busy_tcp_port_with_address_fails" -t "0.0.0.0/${BUSY}"

# "all" (here: every port but those excluded, around the taken one) skips
# the taken port, and forwards the others
if pasta_spawn -D "${TEST_DNS4}" -d -t "~1-18000,~18200-65535" \
		-u "~1-18000,~18200-65535"; then
	if port_taken -t 18081 && port_taken -u 18081 && pasta_alive; then
		pass "busy_port_all_skipped"
	else
		fail "busy_port_all_skipped" "no listener on port 18081: $(tail -n 3 "${PASTA_LOG}")"
	fi
	check_grep "busy_port_all_debug_line" "TCP port ${BUSY}: .*Address already in use, skipped" \
		"$(cat "${PASTA_LOG}")"
	pasta_stop
else
	fail "busy_port_all_skipped" "pasta didn't start"
fi

# "auto" (the default): the namespace listens on the taken port and on
# another one; pasta follows the other one on the host, and says nothing
# about the taken one outside debug messages
if pasta_spawn -D "${TEST_DNS4}"; then
	in_ns socat -u TCP4-LISTEN:"${BUSY}",bind=0.0.0.0 OPEN:/dev/null &
	track_pid $!
	in_ns socat -u TCP4-LISTEN:18082,bind=0.0.0.0 OPEN:/dev/null &
	track_pid $!
	if wait_for 5 port_taken -t 18082 && sleep 1.2 && pasta_alive; then
		pass "busy_port_auto_skipped"
	else
		fail "busy_port_auto_skipped" "no listener on 18082, or pasta exited: $(tail -n 3 "${PASTA_LOG}")"
	fi
	if grep -q "port ${BUSY}" "${PASTA_LOG}"; then
		fail "busy_port_auto_quiet" "$(grep "port ${BUSY}" "${PASTA_LOG}" | head -n 2)"
	else
		pass "busy_port_auto_quiet"
	fi
	pasta_stop
else
	fail "busy_port_auto_skipped" "pasta didn't start"
fi

lib_done
