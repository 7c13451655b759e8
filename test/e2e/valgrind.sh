#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh - the daemon under valgrind (memcheck): any error fails
#
# pasta runs, under valgrind, a command that pings the gateway over IPv4
# and IPv6, moves data both ways over TCP through the gateway, and gets a
# connection forwarded from the host (-t) on the tap path. The command's
# exit status and valgrind's verdict are both checked. The seccomp filter
# is off (PASST_NO_SECCOMP=1): valgrind's own system calls would be killed.
#
# Topology: see test/lib/lib.sh.

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "valgrind" valgrind socat || lib_done
host_ns_setup || { fail "setup" "host namespace"; exit 1; }

data="${T_TMP}/data"
make_random_file "${data}" 2048 || { fail "setup" "random file"; lib_done; }
vlog="${T_TMP}/valgrind.log"

# Host side: one server sends the file, one receives it
in_host socat -u OPEN:"${data}" TCP-LISTEN:18001,reuseaddr,bind=127.0.0.1 &
track_pid $!
in_host socat -u TCP-LISTEN:18002,reuseaddr,bind=127.0.0.1 \
	OPEN:"${T_TMP}/up",creat,trunc &
track_pid $!
wait_for 5 in_host sh -c 'ss -ltn | grep -q ":18002 "'

# Guest side: fetch, upload, serve one forwarded connection, ping
guest_cmd="
set -e
ping -n -q -c 1 -W 5 ${HOST_GW4} >/dev/null
ping -n -q -c 1 -W 5 -6 ${HOST_GW6} >/dev/null
timeout 60 socat -u TCP:${HOST_GW4}:18001 OPEN:${T_TMP}/down,creat,trunc
timeout 60 socat -u OPEN:${data} TCP:${HOST_GW4}:18002
timeout 60 socat -u TCP-LISTEN:18003,reuseaddr OPEN:${T_TMP}/fwd,creat,trunc &
srv=\$!
sleep 1
touch ${T_TMP}/fwd-ready
wait \$srv
"
(
	for _ in $(seq 1 120); do
		[ -f "${T_TMP}/fwd-ready" ] && break
		sleep 0.5
	done
	timeout 30 ip netns exec "${HOST_NS}" socat -u OPEN:"${data}" \
		TCP:"${HOST_ADDR4}":18003
) &
track_pid $!

# Leaks are checked here, not under ASan (see _lib_san_env in lib.sh).
# --vgdb=no: no FIFOs in /tmp for a debugger, which valgrind couldn't
# remove once the daemon's root is empty. Without the seccomp filter:
# valgrind makes system calls of its own for ours, which the filter
# would kill (PASST_NO_SECCOMP, see passt(1))
timeout 240 ip netns exec "${HOST_NS}" env PASST_NO_SECCOMP=1 \
	valgrind -q --error-exitcode=99 --vgdb=no \
	--leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite \
	--suppressions="${TOP_DIR}/test/valgrind.supp" \
	--log-file="${vlog}" "${PASTA}" -f -q --config-net -t 18003 -T none \
	-- sh -c "${guest_cmd}" > "${T_TMP}/out" 2>&1
rc=$?
# 99: valgrind's errors, reported below; a signal is a crash
[ "${rc}" = 99 ] || daemon_stop_check "daemon_exit" --exited "${rc}"

case "${rc}" in
0)	pass "command_ok_under_valgrind" ;;
99)	fail "command_ok_under_valgrind" "valgrind found errors: $(head -n 20 "${vlog}" | tr '\n' ' ' | cut -c1-300)" ;;
*)	fail "command_ok_under_valgrind" "exit status ${rc}: $(tail -n 3 "${T_TMP}/out" | tr '\n' ' ')" ;;
esac

if [ -s "${vlog}" ]; then
	fail "no_valgrind_errors" "$(grep -m3 -E '==[0-9]+== ' "${vlog}" | tr '\n' ' ' | cut -c1-300)"
else
	pass "no_valgrind_errors"
fi

check "download_intact" cmp_bytes "${data}" "${T_TMP}/down"
wait_for 10 test -s "${T_TMP}/up"
check "upload_intact" cmp_bytes "${data}" "${T_TMP}/up"
check "forwarded_intact" cmp_bytes "${data}" "${T_TMP}/fwd"

lib_done
