#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# isolation.sh - what the running daemon kept: for pasta spawning a
# command, pasta attached with --netns, pasta attached to a PID, passt on
# a stream socket (as root, and as a user), /proc/PID/status shows no
# capability in any set, NoNewPrivs 1, a user other than root, and its
# root directory isn't the host's; and each still does its job
#
# Topology: see test/lib/lib.sh. Every daemon runs in the host namespace;
# pasta's guests are namespaces of their own, passt's the python client.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "all" "${PYTHON:-python3}" setpriv unshare || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

# status_check() - Check what a running daemon kept
# $1:	Check name prefix
# $2:	PID
status_check() {
	local n="$1" pid="$2" st f v root host
	st="$(cat "/proc/${pid}/status" 2>/dev/null)"
	if [ -z "${st}" ]; then
		fail "${n}_status" "no /proc/${pid}/status"
		return
	fi
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		v="$(printf '%s\n' "${st}" | awk -v f="${f}:" '$1 == f { print $2 }')"
		[ "${v}" = 0000000000000000 ] && pass "${n}_${f}_none" ||
			fail "${n}_${f}_none" "${f} is ${v:-missing}"
	done
	v="$(printf '%s\n' "${st}" | awk '$1 == "NoNewPrivs:" { print $2 }')"
	[ "${v}" = 1 ] && pass "${n}_no_new_privs" ||
		fail "${n}_no_new_privs" "NoNewPrivs is ${v:-missing}"
	v="$(printf '%s\n' "${st}" | awk '$1 == "Uid:" { print $2, $3, $4, $5 }')"
	case " ${v} " in
	*" 0 "*|"  ")	fail "${n}_not_root" "Uid: ${v}" ;;
	*)		pass "${n}_not_root: uid ${v%% *}" ;;
	esac
	root="$(stat -L -c '%d:%i' "/proc/${pid}/root" 2>/dev/null)"
	host="$(stat -L -c '%d:%i' /)"
	if [ -n "${root}" ] && [ "${root}" != "${host}" ] &&
	   [ -z "$(ls -A "/proc/${pid}/root/" 2>/dev/null)" ]; then
		pass "${n}_empty_root"
	else
		fail "${n}_empty_root" "root ${root:-unknown}, host's ${host}: $(ls -A "/proc/${pid}/root/" 2>&1 | head -c 200)"
	fi
}

# --- pasta, spawning a command -------------------------------------------

if pasta_spawn --config-net; then
	status_check "spawn" "${PASTA_PID}"
	check "spawn_ping" in_ns ping -n -q -c 1 -W 2 "${HOST_GW4}"
	daemon_answers "spawn_answers"
	daemon_stop_check "spawn_stop"
else
	fail "spawn" "pasta didn't start"
fi

# --- pasta, attached with --netns ------------------------------------------

guest_ns_setup netns
if pasta_attach --config-net; then
	status_check "netns" "${PASTA_PID}"
	check "netns_ping" in_ns ping -n -q -c 1 -W 2 "${HOST_GW4}"
	daemon_answers "netns_answers"
	daemon_stop_check "netns_stop"
else
	fail "netns" "pasta didn't start"
fi
GUEST_NS=

# --- pasta, attached to a PID ----------------------------------------------

ip netns exec "${HOST_NS}" unshare -n sh -c \
	"ip link set lo up; sysctl -qw net.ipv4.ping_group_range='0 2147483647'; exec sleep 60" &
HOLDER=$!
track_pid "${HOLDER}"
sleep 0.3
NS_PID="$(pgrep -P "${HOLDER}" -x sleep || echo "${HOLDER}")"
pidf="${T_TMP}/pid.pid"
PASTA_LOG="${T_TMP}/pid.log"
if timeout 20 ip netns exec "${HOST_NS}" "${PASTA}" -l "${PASTA_LOG}" \
	-P "${pidf}" --config-net "${NS_PID}" > "${T_TMP}/pid.out" 2>&1 \
	< /dev/null; then
	PASTA_PID="$(cat "${pidf}")"
	track_pid "${PASTA_PID}"
	status_check "pid" "${PASTA_PID}"
	check "pid_ping" in_ns ping -n -q -c 1 -W 2 "${HOST_GW4}"
	daemon_answers "pid_answers"
	daemon_stop_check "pid_stop"
else
	fail "pid" "pasta didn't start: $(cat "${T_TMP}/pid.out")"
fi
kill "${HOLDER}" 2>/dev/null

# --- passt, on a stream socket: as root, and as a user --------------------

# passt_check() - Start passt, check it, stop it
# $1:	Check name prefix
# $@:	Command prefix (setpriv ...), or nothing
passt_check() {
	local n="$1" sock dir="${T_TMP}/$1" log
	shift
	mkdir -p "${dir}"
	chmod 0777 "${dir}"
	sock="${dir}/passt.socket"
	log="${dir}/passt.log"
	if ! timeout 20 ip netns exec "${HOST_NS}" "$@" "${PASST}" -s "${sock}" \
		-P "${dir}/passt.pid" -l "${log}" > "${dir}/out" 2>&1 < /dev/null; then
		fail "${n}" "passt didn't start: $(cat "${dir}/out" "${log}" 2>/dev/null | tail -n 3)"
		return
	fi
	PASST_PID="$(cat "${dir}/passt.pid")"
	track_pid "${PASST_PID}"
	status_check "${n}" "${PASST_PID}"
	check "${n}_arp_ping" in_host timeout 10 "${PYTHON}" "${PKT}" passt \
		"${sock}" arp ping4
	daemon_answers "${n}_answers" --pid "${PASST_PID}" --log "${log}" \
		--sock "${sock}"
	daemon_stop_check "${n}_stop" --pid "${PASST_PID}" --log "${log}"
	[ -e "${sock}" ] && fail "${n}_socket_removed" "${sock} still there" ||
		pass "${n}_socket_removed"
}

passt_check "passt_root"
passt_check "passt_user" setpriv --reuid=65534 --regid=65534 --clear-groups

lib_done
