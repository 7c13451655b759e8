#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# zc_pasta.sh - our pasta's MSG_ZEROCOPY sends, inside a guest whose
# kernel keeps zerocopy pages on loopback (kernel.sh zc, test/kernel
# patch 0002): there a loopback peer gets real zero-copy, and the receive
# buffers pasta pins for each send are really held until the kernel lets
# them go. On the same kernel without the patches (kernel.sh pasta),
# loopback copies, and pasta stops zero-copy on that socket.
#
# In the guest (no network card, only its loopback): a TCP server on all
# addresses that hashes what one connection brings (busybox nc into
# sha256sum), pasta --config-net with a command in its namespace that
# uploads a file made in the guest to pasta's gateway address, which
# pasta maps to the guest's loopback. The hash of what the server got is
# checked against the file's; pasta's counters (SIGUSR1, its log) and the
# CPU time it took for the transfer (/proc/PID/stat) are printed by the
# guest, and checked here.
#
# The rig's plain kernel has no tun device nor network namespaces:
# both kernels here add test/vm/kernel-pasta.config. The figures (CPU
# time, counters) are printed as "   (RUN: ...)" lines: test/run -v shows
# them. Under TCG their times say little about a real machine.
#
# On the patched kernel, three runs: completions returned by sendmsg()
# (SCM_ZC_NOTIFICATION, patch 0001, found by pasta's probe), completions
# from the error queue (--zerocopy-cmsg 0), and zero-copy off.
#
# ZC_PASTA_ROUNDS=N (test/bench/zc sets it): each guest does its runs N
# times, the order rotating each round, named with the round's number
# (on1, errq1, off1, on2...), every run checked as the one run is; the
# stock guest then adds a run with zero-copy off (stockoff) each round.

. "$(dirname "$0")/../lib.sh"
vm_init

# The file, MiB (ZC_PASTA_MB): made once per guest in its tmpfs, which
# gets half of the guest's memory, and sent by each run. Under TCG,
# making and hashing it takes about 25 s, each upload about as long
SIZE_MB="${ZC_PASTA_MB:-200}"
VM_MEM=512
ROUNDS="${ZC_PASTA_ROUNDS:-1}"

vm_kernel_of ZC_KERNEL zc
vm_kernel_of PASTA_KERNEL pasta
if ! vm_guest_bin "${PASTA}" /bin/pasta; then
	fail "pasta_into_guest" "can't copy ${PASTA} and its libraries"
	lib_done
fi

# guest_script() - Write the guest's /test.sh (vm_script): the file, then one upload
#		   through pasta per run given
# $@:	Runs, NAME:MODE[:CMSG], MODE for --zerocopy, CMSG for
#	--zerocopy-cmsg (0: completions from the error queue only)
guest_script() {
	{
		echo "SIZE_MB=${SIZE_MB}"
		echo "RUNS='$*'"
		cat <<'EOF'
PORT=5201
GW=198.51.100.1

# uptime() - Seconds since boot, hundredths
uptime() {
	cut -d' ' -f1 /proc/uptime
}

# wait_file() - Wait for a file to be there, bounded
# $1:	File
# $2:	Tenths of a second
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}

# diag() - Where pasta is, after an upload failed or didn't start
# $1:	Run
# $2:	pasta's PID
# $3:	Its log
diag() {
	for t in /proc/$2/task/*; do
		echo "PT diag $1 task ${t##*/} $(cat $t/wchan) syscall $(cat $t/syscall 2>&1) state $(grep State: $t/status)"
	done
	tail -n 20 "$3" "/tmp/pasta-$1.out" | sed "s/^/PT diag $1 /"
}

t0=$(uptime)
dd if=/dev/urandom of=/tmp/data bs=1048576 count="${SIZE_MB}" 2>/dev/null
echo "PT data $(sha256sum < /tmp/data | cut -d' ' -f1) $(wc -c < /tmp/data) made in $(awk "BEGIN { print $(uptime) - ${t0} }") s"

# In pasta's namespace: the upload, its times, then wait to be told to go
cat > /tmp/up.sh <<'UP'
t0=$(cut -d' ' -f1 /proc/uptime)
nc "$1" "$2" < /tmp/data
echo $? > /tmp/up.rc
echo "${t0} $(cut -d' ' -f1 /proc/uptime)" > /tmp/up.time
i=0
while [ ! -e /tmp/stop ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
UP

# The server's standard input stays open: busybox nc stops reading the
# connection once its own input ends
mkfifo /tmp/hold
exec 3<>/tmp/hold

for run in ${RUNS}; do
	name="${run%%:*}"
	mode="${run#*:}"
	cmsg=
	case "${mode}" in
	*:*) cmsg="--zerocopy-cmsg ${mode#*:}"; mode="${mode%%:*}" ;;
	esac
	log="/tmp/pasta-${name}.log"
	rm -f /tmp/stop /tmp/up.rc /tmp/up.time /tmp/got
	nc -l -p "${PORT}" <&3 | sha256sum > /tmp/got &
	i=0
	# Port 5201, listening: ":1451 00000000:0000 0A" in /proc/net/tcp
	while ! grep -q ':1451 00000000:0000 0A' /proc/net/tcp &&
	      [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	pasta -l "${log}" --config-net -a 198.51.100.2 -n 24 -g "${GW}" \
		--zerocopy "${mode}" ${cmsg} -- sh /tmp/up.sh "${GW}" "${PORT}" \
		> "/tmp/pasta-${name}.out" 2>&1 &
	p=$!
	if ! wait_file /tmp/up.time 1500; then
		echo "PT error ${name} no upload: $(tail -n 3 "/tmp/pasta-${name}.out" "${log}" | tr '\n' ' ')"
		diag "${name}" $p "${log}"
		touch /tmp/stop
		kill $p
		wait $p
		continue
	fi
	echo "PT comm ${name} $(cat /proc/$p/comm)"
	# utime and stime, in USER_HZ ticks: comm has no spaces
	echo "PT cpu ${name} $(cut -d' ' -f14,15 /proc/$p/stat) secs $(awk '{ print $2 - $1 }' /tmp/up.time) rc $(cat /tmp/up.rc)"
	[ "$(cat /tmp/up.rc)" = 0 ] || diag "${name}" $p "${log}"
	kill -USR1 $p
	i=0
	while ! grep -q 'flows_active:' "${log}" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	awk -v n="${name}" '/  counters:/ {
		for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2)
				print "PT stat " n " " kv[1] " " kv[2]
	}' "${log}"
	grep 'MSG_ZEROCOPY\|zero-copy completions' "${log}" |
		sed "s/^[0-9.]*: */PT feature ${name} /"
	wait_file /tmp/got 100
	echo "PT got ${name} $(cut -d' ' -f1 /tmp/got)"
	touch /tmp/stop
	wait $p
	echo "PT exit ${name} $?"
	grep -i 'warn\|error\|assert\|fail' "${log}" "/tmp/pasta-${name}.out" |
		grep -v 'error queue' | head -n 5 | sed "s/^/PT log ${name} /"
done
EOF
	} > "${T_TMP}/test.sh"
	vm_script < "${T_TMP}/test.sh"
}

# run_stats() - A run's counters, as stats_dump prints them
# $1:	Guest name
# $2:	Run
run_stats() {
	tr -d '\r' < "$(vm_log "$1")" |
		awk -v r="$2" '$1 == "PT" && $2 == "stat" && $3 == r { print $4, $5 }'
}

# run_checks() - The upload of a run arrived whole, pasta left when its
#		 command did; print its figures
# $1:	Guest name
# $2:	Run
# Sets STATS to the run's counters
run_checks() {
	local sum cpu k line=
	sum="$(vm_value "$1" "PT data " | cut -d' ' -f1)"
	if [ -n "${sum}" ] && vm_grep "$1" "PT got $2 ${sum}"; then
		pass "$2_upload_intact"
	else
		fail "$2_upload_intact" "sent '${sum}', $(vm_value "$1" "PT got $2 ") $(vm_value "$1" "PT error $2 ")"
	fi
	check_grep "$2_pasta_ran" "^pasta$" "$(vm_value "$1" "PT comm $2 ")"
	if vm_grep "$1" "PT exit $2 0"; then
		pass "$2_pasta_exit"
	else
		fail "$2_pasta_exit" "$(vm_value "$1" "PT exit $2 ") $(vm_value "$1" "PT log $2 ")"
	fi
	STATS="$(run_stats "$1" "$2")"
	if [ -n "${STATS}" ]; then
		pass "$2_stats"
	else
		fail "$2_stats" "no counters from pasta's log"
	fi
	cpu="$(vm_value "$1" "PT cpu $2 ")"
	for k in zc_sends zc_completed zc_completed_copied zc_off_after_copied \
		 zc_pool_full_copied zc_nobufs_copied zc_ranges_via_sendmsg \
		 zc_ranges_via_errqueue zc_empty_sends_to_fetch \
		 zc_sockets_kept_open zc_sockets_closed_later \
		 tcp_sendmsg_calls tcp_sendmsg_partial; do
		line="${line} ${k}=$(stat_of "${STATS}" "${k}")"
	done
	echo "   ($2: pasta's utime stime (ticks), upload seconds: ${cpu};${line})"
}

# run_stat() - Check a counter of a run (run_checks set STATS)
# $1:	Run
# $2:	Counter
# $3:	Comparison: -ge or -le
# $4:	Value
run_stat() {
	local v
	v="$(stat_of "${STATS}" "$2")"
	if test "${v}" "$3" "$4"; then
		pass "$1_$2"
	else
		fail "$1_$2" "$2 is ${v}, expected $3 $4"
	fi
}

# kept_closed() - Every socket kept open for its completions was closed
# $1:	Run
kept_closed() {
	local k c
	k="$(stat_of "${STATS}" zc_sockets_kept_open)"
	c="$(stat_of "${STATS}" zc_sockets_closed_later)"
	if [ "${k}" = "${c}" ]; then
		pass "$1_kept_sockets_closed"
	else
		fail "$1_kept_sockets_closed" "${k} kept open, ${c} closed later"
	fi
}

# check_on() - Checks of a run with completions returned by sendmsg()
# $1:	Guest name
# $2:	Run
check_on() {
	run_checks "$1" "$2"
	run_stat "$2" zc_sends -ge 1
	run_stat "$2" zc_completed -ge 1
	run_stat "$2" zc_completed_copied -le 0
	run_stat "$2" zc_off_after_copied -le 0
	run_stat "$2" zc_ranges_via_sendmsg -ge 1
	check_grep "$2_feature_sendmsg_completions" \
		"zero-copy completions +returned by sendmsg" \
		"$(tr -d '\r' < "$(vm_log "$1")" | grep "^PT feature $2 ")"
	kept_closed "$2"
}

# check_errq() - Checks of a run with completions from the error queue
# $1:	Guest name
# $2:	Run
check_errq() {
	run_checks "$1" "$2"
	run_stat "$2" zc_sends -ge 1
	run_stat "$2" zc_completed -ge 1
	run_stat "$2" zc_completed_copied -le 0
	run_stat "$2" zc_ranges_via_sendmsg -le 0
	run_stat "$2" zc_ranges_via_errqueue -ge 1
	kept_closed "$2"
}

# check_off() - Checks of a run with zero-copy off
# $1:	Guest name
# $2:	Run
check_off() {
	run_checks "$1" "$2"
	run_stat "$2" zc_sends -le 0
}

# check_stock() - Checks of a run on the stock kernel: the kernel copied,
#		  so pasta stopped zero-copy on that socket
# $1:	Guest name
# $2:	Run
check_stock() {
	run_checks "$1" "$2"
	run_stat "$2" zc_sends -ge 1
	run_stat "$2" zc_completed_copied -ge 1
	run_stat "$2" zc_off_after_copied -ge 1
	kept_closed "$2"
}

# rotated() - Runs of all rounds, the order rotating each round
# $@:	One round's runs, NAME:MODE[:CMSG]; with ROUNDS > 1, each NAME
#	gets the round's number
rotated() {
	local r i n=$# runs=("$@") out=()
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((i = 0; i < n; i++)); do
			local run="${runs[(i + r - 1) % n]}"
			[ "${ROUNDS}" -gt 1 ] && run="${run%%:*}${r}:${run#*:}"
			out+=("${run}")
		done
	done
	echo "${out[*]}"
}

# check_runs() - Checks of each run by its kind, the name without its round
# $1:	Guest name
# $@:	Runs, as rotated() gave them
check_runs() {
	local g="$1" run name
	shift
	for run in "$@"; do
		name="${run%%:*}"
		case "${name%%[0-9]*}" in
		on)		check_on "${g}" "${name}" ;;
		errq)		check_errq "${g}" "${name}" ;;
		off|stockoff)	check_off "${g}" "${name}" ;;
		stock)		check_stock "${g}" "${name}" ;;
		esac
	done
}

# Patched kernel: --zerocopy on with completions returned by sendmsg()
# (SCM_ZC_NOTIFICATION, found by the probe), on with completions from
# the error queue (--zerocopy-cmsg 0), then off. Under TCG a run takes
# up to a minute and a half
read -r -a RUNS_P <<< "$(rotated on:on errq:on:0 off:off)"
guest_script "${RUNS_P[@]}"
VM_KERNEL="${ZC_KERNEL}"
_vm_qemu patched
vm_wait patched "PT done" $((80 + 60 * ${#RUNS_P[@]}))
vm_check "patched_data" patched "PT data "
check_runs patched "${RUNS_P[@]}"
vm_end patched 10 && pass "patched_guest_done" ||
	fail "patched_guest_done" "$(vm_tail patched)"

# Without the patches: loopback copies, zero-copy goes off
if [ "${ROUNDS}" -gt 1 ]; then
	read -r -a RUNS_S <<< "$(rotated stock:on stockoff:off)"
else
	RUNS_S=(stock:on)
fi
guest_script "${RUNS_S[@]}"
VM_KERNEL="${PASTA_KERNEL}"
_vm_qemu stock
vm_wait stock "PT done" $((60 + 60 * ${#RUNS_S[@]}))
check_runs stock "${RUNS_S[@]}"
vm_end stock 10 && pass "stock_guest_done" ||
	fail "stock_guest_done" "$(vm_tail stock)"

lib_done
