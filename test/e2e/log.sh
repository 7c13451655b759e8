#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# log.sh - logging: a size-limited log file, quiet without a system logger
#
# With --trace, every event is logged: a flood of pings fills a small
# --log-size many times over. The file must never grow beyond the limit,
# must keep the newest lines (the command's exit is the last thing
# logged), and must start at a line boundary after trimming.
#
# Topology: see test/lib/lib.sh.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

log="${T_TMP}/pasta.log"
size=65536

check "flood_with_trace" timeout 60 ip netns exec "${HOST_NS}" "${PASTA}" \
	--trace -l "${log}" --log-size "${size}" --config-net -- \
	ping -n -q -f -c 3000 "${HOST_GW4}"
daemon_stop_check "flood_exit" --exited "${CHECK_RC}"

got="$(stat -c %s "${log}" 2>/dev/null || echo missing)"
if [ "${got}" != missing ] && [ "${got}" -le "${size}" ]; then
	pass "log_within_size"
else
	fail "log_within_size" "log file is ${got} bytes, limit ${size}"
fi

lines="$(wc -l < "${log}" 2>/dev/null || echo 0)"
[ "${lines}" -gt 100 ] && pass "log_has_content" ||
	fail "log_has_content" "${lines} lines"

check_grep "log_keeps_newest" "Command exited with status 0" \
	"$(tail -n 3 "${log}")"

# Every line starts with the relative timestamp: trimming kept whole lines
bad="$(grep -cvE '^[0-9]+\.[0-9]{4}: ' "${log}")"
[ "${bad}" = 0 ] && pass "log_whole_lines" ||
	fail "log_whole_lines" "${bad} lines without a timestamp"

# Background, no log file, no system logger here: nothing may break, and
# nothing is printed (stdout and stderr are closed by then)
out="$(timeout 10 ip netns exec "${HOST_NS}" "${PASST}" -s "${T_TMP}/s.sock" \
	-P "${T_TMP}/p.pid" 2>&1)"
rc=$?
pid="$(cat "${T_TMP}/p.pid" 2>/dev/null)"
[ -n "${pid}" ] && track_pid "${pid}"
if [ ${rc} = 0 ] && [ -n "${pid}" ] && pid_alive "${pid}"; then
	pass "background_without_syslog"
else
	fail "background_without_syslog" "exit ${rc}, pid '${pid}': ${out}"
fi
[ -n "${pid}" ] && kill -USR1 "${pid}" 2>/dev/null && sleep 0.2
if [ -n "${pid}" ] && pid_alive "${pid}"; then
	pass "stats_without_syslog"
else
	fail "stats_without_syslog" "daemon gone after SIGUSR1"
fi
[ -n "${pid}" ] && daemon_answers "answers_without_syslog" --pid "${pid}" --sock "${T_TMP}/s.sock"
daemon_stop_check "stop_without_syslog" --pid "${pid}" --log ""

lib_done
