#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# log.sh - the log file: its header, what goes in it, and trimming to
# --log-size on an ordinary file system and on tmpfs; quiet without a
# system logger
#
# With --trace, every event is logged: pings fill a small --log-size
# several times over. While that runs, the file's size is sampled: once
# full, it must never drop below half the limit (a trim keeps the newer
# half, it doesn't empty the file) nor grow beyond it. Afterwards the
# file must start with its header, naming program, version, executable
# and pid, and hold the newest lines, whole and in order, the command's
# exit last. The same on the file system of the test's directory (ext4
# here, see stat -f) and on a small tmpfs mounted in a mount namespace of
# our own.
#
# Levels: like upstream's observed behaviour, the file gets what standard
# error would get: errors, warnings and informational lines; --quiet
# leaves the informational ones out, --debug adds debug lines.
#
# Topology: see test/lib/lib.sh.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

SIZE=65536
HALF=$((SIZE / 2))
HDR_RE='^pasta [^ ]+ log: executable /[^ ]+, started [0-9-]+ [0-9:]+ UTC, pid [0-9]+ *$'

# flood() - Run pasta with --trace and a small log, sample the log's size
# $1:	Log file
# $2:	File for the size samples, one a line
#
# Runs in whatever mount namespace it's called in: the tmpfs case calls it
# through unshare -m. Prints pasta's pid, then its exit status.
flood() {
	local log="$1" samples="$2" pid i rc
	ip netns exec "${HOST_NS}" "${PASTA}" --trace -l "${log}" \
		--log-size "${SIZE}" --config-net -- \
		ping -n -q -i 0.002 -c 2000 "${HOST_GW4}" >/dev/null 2>&1 &
	pid=$!
	echo "${pid}"
	# 20 ms apart, 30 s at most: well past the 4 s the pings take
	for i in $(seq 1 1500); do
		kill -0 "${pid}" 2>/dev/null || break
		stat -c %s "${log}" >> "${samples}" 2>/dev/null
		sleep 0.02
	done
	kill -KILL "${pid}" 2>/dev/null
	wait "${pid}"
	rc=$?
	echo "${rc}"
}

# log_checks() - Check a log file written by flood()
# $1:	Name of the case, for check names
# $2:	Log file
# $3:	Size samples
# $4:	flood() output: pid, exit status
log_checks() {
	local n="$1" log="$2" samples="$3" pid rc got trims low bad first
	pid="$(sed -n 1p "$4")"
	rc="$(sed -n 2p "$4")"
	[ "${rc}" = 0 ] && pass "${n}_flood" ||
		fail "${n}_flood" "pasta exited ${rc:-?}: $(tail -n 3 "${log}" 2>/dev/null)"

	got="$(stat -c %s "${log}" 2>/dev/null || echo 0)"
	if [ "${got}" -le "${SIZE}" ] && [ "${got}" -ge "${HALF}" ]; then
		pass "${n}_size_between_half_and_limit"
	else
		fail "${n}_size_between_half_and_limit" "log file is ${got} bytes, limit ${SIZE}"
	fi

	# A trim shows as a sample smaller than the one before it
	trims="$(awk 'NR > 1 && $1 < prev { t++ } { prev = $1 } END { print t + 0 }' "${samples}")"
	[ "${trims}" -ge 3 ] && pass "${n}_trimmed_several_times" ||
		fail "${n}_trimmed_several_times" "${trims} trims seen in $(wc -l < "${samples}") samples"
	low="$(awk -v h="${HALF}" -v s="${SIZE}" '
		$1 > s { print "over " $1; exit }
		full && $1 < h { print "down to " $1; exit }
		$1 >= h { full = 1 }' "${samples}")"
	[ -z "${low}" ] && pass "${n}_never_emptied" ||
		fail "${n}_never_emptied" "once half full, the file went ${low} bytes (limit ${SIZE})"

	first="$(head -n 1 "${log}")"
	if printf '%s\n' "${first}" | grep -Eq -- "${HDR_RE}" &&
	   [ "$(printf '%s' "${first}" | sed 's/.*pid \([0-9]*\) *$/\1/')" = "${pid}" ]; then
		pass "${n}_header_kept"
	else
		fail "${n}_header_kept" "first line, pasta pid ${pid}: ${first}"
	fi
	[ "$(grep -c ' log: executable ' "${log}")" = 1 ] &&
		pass "${n}_header_once" || fail "${n}_header_once" "$(grep -c ' log: executable ' "${log}") header lines"

	check_grep "${n}_keeps_newest" "Command exited with status 0" \
		"$(tail -n 3 "${log}")"

	# Whole lines after the header, each with its timestamp, in order
	bad="$(tail -n +2 "${log}" | awk '
		!/^[0-9]+\.[0-9][0-9][0-9][0-9]: / { print "no timestamp: " $0; exit }
		{ t = $1 + 0; if (NR > 1 && t < prev) { print "out of order: " $0; exit } prev = t }')"
	[ -z "${bad}" ] && pass "${n}_whole_lines_in_order" ||
		fail "${n}_whole_lines_in_order" "${bad}"
}

# On the file system of our directory
fs="$(stat -f -c %T "${T_TMP}")"
flood "${T_TMP}/disk.log" "${T_TMP}/disk.samples" > "${T_TMP}/disk.out"
echo "log file on ${fs}: $(wc -l < "${T_TMP}/disk.samples") samples"
log_checks "disk" "${T_TMP}/disk.log" "${T_TMP}/disk.samples" "${T_TMP}/disk.out"

# On a tmpfs of our own, seen only by our mount namespace: copy out what's
# left before the namespace goes
mnt="${T_TMP}/tmpfs"
mkdir -p "${mnt}"
export -f flood
export HOST_NS PASTA SIZE HOST_GW4
if unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=4m pt-log "$1" || exit 1
	[ "$(stat -f -c %T "$1")" = tmpfs ] || exit 1
	flood "$1/log" "$2" > "$3"
	cp "$1/log" "$4"' _ "${mnt}" "${T_TMP}/tmpfs.samples" \
	"${T_TMP}/tmpfs.out" "${T_TMP}/tmpfs.log"; then
	log_checks "tmpfs" "${T_TMP}/tmpfs.log" "${T_TMP}/tmpfs.samples" \
		"${T_TMP}/tmpfs.out"
else
	fail "tmpfs" "couldn't mount a tmpfs in a mount namespace of our own"
fi

# Levels: in a log file, warnings and errors only without --debug, the
# same with --quiet, and informational and debug lines with --debug
log="${T_TMP}/levels.log"
timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -l "${log}" --config-net -- \
	ping -n -q -c 1 -W 2 "${HOST_GW4}" >/dev/null 2>&1
if head -n 1 "${log}" | grep -Eq -- "${HDR_RE}" &&
   ! grep -q ': MAC: host side ' "${log}" && ! grep -q ': Flow [0-9]' "${log}" &&
   ! grep -q ': event: ' "${log}"; then
	pass "default_warnings_only"
else
	fail "default_warnings_only" "$(tail -n +2 "${log}" | head -n 5)"
fi
timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -q -l "${log}" --config-net -- \
	ping -n -q -c 1 -W 2 "${HOST_GW4}" >/dev/null 2>&1
if head -n 1 "${log}" | grep -Eq -- "${HDR_RE}" && ! grep -q ': MAC: host side ' "${log}"; then
	pass "quiet_no_info"
else
	fail "quiet_no_info" "$(head -n 5 "${log}")"
fi
timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -d -l "${log}" --config-net -- \
	ping -n -q -c 1 -W 2 "${HOST_GW4}" >/dev/null 2>&1
check_grep "debug_has_flows" ': Flow [0-9]+ \(ICMP echo\): ' "$(cat "${log}")"
check_grep "debug_has_info" ': MAC: host side ' "$(cat "${log}")"

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

# Background with a log file: the header names the daemon, not the
# process that forked it
log="${T_TMP}/bg.log"
timeout 10 ip netns exec "${HOST_NS}" "${PASST}" -s "${T_TMP}/s2.sock" \
	-P "${T_TMP}/p2.pid" -l "${log}" >/dev/null 2>&1
pid="$(cat "${T_TMP}/p2.pid" 2>/dev/null)"
[ -n "${pid}" ] && track_pid "${pid}"
[ -n "${pid}" ] && kill -USR1 "${pid}" 2>/dev/null &&
	wait_for 3 grep -q 'flows_active' "${log}"
first="$(head -n 1 "${log}" 2>/dev/null)"
if [ -n "${pid}" ] && printf '%s\n' "${first}" | grep -Eq "^passt [^ ]+ log: .*, pid ${pid} *$"; then
	pass "background_header_pid"
else
	fail "background_header_pid" "daemon pid ${pid:-?}, header: ${first}"
fi
[ -n "${pid}" ] && kill -TERM "${pid}" 2>/dev/null

lib_done
