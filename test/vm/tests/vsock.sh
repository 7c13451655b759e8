#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vsock.sh - passt --vsock-port, with our guest forwarder (vsock-tap) on
# the other end, both inside one guest over vsock loopback (CID 1): this
# host has no vhost-vsock to reach a guest's vsock from outside
#
# In the guest (no network card): passt in its first network namespace,
# with the servers it forwards to on that namespace's loopback (busybox
# nc: one that hashes an upload, one that serves a download); vsock-tap
# and its tap device in a second namespace (unshare -n), where the
# "guest" takes a DHCP lease from passt, pings its gateway, uploads and
# downloads a file (VSOCK_MB, 50 MiB) whose sha256 is checked at both
# ends. Once with gvproxy's framing (the HTTP request, 2-byte lengths),
# once with QEMU's (--framing qemu, both ends). With gvproxy's, also: a
# second connection while vsock-tap is connected is refused; once it's
# gone, a connection whose first frame has a lying length is closed, and
# so is one whose request is not one; passt then serves a new vsock-tap
# (lease, ping) on the same socket; passt's counters show all of it.
#
# vsock loopback is in the rig's kernels; the network namespaces and the
# tun device the forwarder needs are not in the plain one: this boots the
# pasta kernel (kernel.sh pasta, kernel-pasta.config).

. "$(dirname "$0")/../lib.sh"
vm_init

SIZE_MB="${VSOCK_MB:-50}"
VM_MEM=384

vm_kernel_of PASTA_KERNEL pasta
for b in "${PASST}:/bin/passt" "${PASST%/*}/guest/vsock-tap:/bin/vsock-tap"; do
	if ! vm_guest_bin "${b%%:*}" "${b#*:}"; then
		fail "into_guest" "can't copy ${b%%:*} and its libraries"
		lib_done
	fi
done

# guest_script() - Write the guest's /test.sh (vm_script): the file, then
#		   one passt and one forwarder per run
# $@:	Runs, NAME:PORT:FRAMING:ZEROCOPY[:RX], RX "off" for
#	--vsock-zerocopy-rx off
guest_script() {
	{
	echo "SIZE_MB=${SIZE_MB}"
	echo "RUNS='$*'"
	cat <<'EOF'
GW=198.51.100.1

# wait_for_file() - Wait for a file to be there, bounded
# $1:	File
# $2:	Tenths of a second
wait_for_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}

# listening() - Wait for a TCP port to listen on the loopback, bounded
# $1:	Port, 4 hexadecimal digits
listening() {
	i=0
	while ! grep -q ":$1 00000000:0000 0A" /proc/net/tcp &&
	      [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# Both this script and the forwarder's ask passt for a new statistics dump
cat > /tmp/dump.sh <<'DUMP'
# dump_wait() - SIGUSR1 to passt, then wait, bounded, for its new dump
# $1:	passt's PID
# $2:	Its log
dump_wait() {
	dn="$(grep -c 'flows_active:' "$2")"
	kill -USR1 "$1"
	dj=0
	while [ "$(grep -c 'flows_active:' "$2")" -le "${dn}" ] &&
	      [ "${dj}" -lt 50 ]; do
		sleep 0.1; dj=$((dj + 1))
	done
}
DUMP
. /tmp/dump.sh

# stats() - passt's counters, as "PT stat RUN NAME VALUE" lines
# $1:	Run
# $2:	passt's PID
# $3:	Its log
stats() {
	dump_wait "$2" "$3"
	awk -v r="$1" '/statistics \(SIGUSR1\)/ { delete v }
		/  counters:/ { for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2) v[kv[1]] = kv[2] }
		END { for (k in v) print "PT stat " r " " k " " v[k] }' "$3"
}

# passt, once nobody, answers the guest's pings through ping sockets
echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range
dd if=/dev/urandom of=/tmp/data bs=1048576 count="${SIZE_MB}" 2>/dev/null
echo "PT data $(sha256sum < /tmp/data | cut -d' ' -f1) $(wc -c < /tmp/data)"
# Servers' standard input stays open: busybox nc stops reading the
# connection once its own input ends
mkfifo /tmp/hold
exec 3<>/tmp/hold

# The forwarder's side, in its own namespace: $1 run, $2 port, $3 framing,
# $4 "full" for the transfers and the second-connection check, $5 passt's
# PID and $6 its log, for its CPU time before and after each (cpu_us in
# its statistics: the kernel's count, to the microsecond)
cat > /tmp/fwd.sh <<'FWD'
run=$1 port=$2 framing=$3
. /tmp/dump.sh

# cpu() - passt's CPU time so far, microseconds, from a new SIGUSR1 dump
cpu() {
	dump_wait "$5" "$6"
	grep -o 'cpu_us=[0-9]*' "$6" | tail -n 1 | cut -d= -f2
}

vsock-tap -c 1 -p "${port}" -f "${framing}" -r 10 > "/tmp/vt-${run}.log" 2>&1 &
vt=$!
i=0
while ! ip link show tap0 2>/dev/null | grep -q UP && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
udhcpc -i tap0 -f -q -n -t 5 -T 2 2>&1 | sed "s/^PT lease/PT lease ${run}/" | grep "^PT "
ping -c 2 -W 2 198.51.100.1 > /dev/null && echo "PT ping ${run} ok"
if [ "$4" = full ]; then
	echo "PT second ${run} $(ptguest vsock-send 1 "${port}" '' 2)"
	c0=$(cpu "$@")
	t0=$(cut -d' ' -f1 /proc/uptime)
	nc 198.51.100.1 5201 < /tmp/data
	t1=$(cut -d' ' -f1 /proc/uptime)
	c1=$(cpu "$@")
	nc 198.51.100.1 5202 <&3 | sha256sum > "/tmp/down-${run}"
	t2=$(cut -d' ' -f1 /proc/uptime)
	c2=$(cpu "$@")
	echo "PT cpu ${run} ${c0} ${c1} ${c2}"
	echo "PT down ${run} $(cut -d' ' -f1 "/tmp/down-${run}")"
	echo "PT times ${run} up $(awk "BEGIN { print ${t1} - ${t0} }") s down $(awk "BEGIN { print ${t2} - ${t1} }") s"
fi
kill "${vt}"
wait "${vt}"
echo "PT vt-exit ${run} $?"
sed "s/^/PT vt-log ${run} /" "/tmp/vt-${run}.log"
FWD

# run() - One passt, one forwarder run against it
# $1:	Run name
# $2:	Port
# $3:	Framing
# $4:	--zerocopy mode
# $5:	--vsock-zerocopy-rx mode
run() {
	log="/tmp/passt-$1.log"
	passt -f -l "${log}" --vsock-port "$2" --framing "$3" --zerocopy "$4" \
		--vsock-zerocopy-rx "$5" -a 198.51.100.2 -n 24 -g "${GW}" \
		> "/tmp/passt-$1.out" 2>&1 &
	pid=$!
	nc -l -p 5201 <&3 | sha256sum > "/tmp/up-$1" &
	nc -l -p 5202 < /tmp/data &
	listening 1451
	listening 1452
	unshare -n sh /tmp/fwd.sh "$1" "$2" "$3" full "${pid}" "${log}"
	wait_for_file "/tmp/up-$1" 100
	echo "PT up $1 $(cut -d' ' -f1 "/tmp/up-$1")"
	if [ "$1" = gvproxy ]; then
		# Request, then a frame of 5 bytes: closed, as is a request
		# that isn't one; then a new forwarder is served
		req=504f5354202f636f6e6e65637420485454502f312e310d0a0d0a
		echo "PT lie $1 $(ptguest vsock-send 1 "$2" "${req}0500aabbccddee" 3)"
		echo "PT notreq $1 $(ptguest vsock-send 1 "$2" 474554202f20485454502f312e310d0a0d0a 3)"
		unshare -n sh /tmp/fwd.sh "$1-again" "$2" "$3"
	fi
	kill -0 "${pid}" && echo "PT alive $1"
	stats "$1" "${pid}" "${log}"
	kill "${pid}"
	wait "${pid}"
	echo "PT exit $1 $?"
	grep 'vsock: zero-copy receive' "${log}" | sed "s/^[0-9.]*: */PT feature $1 /"
	grep -i 'warn\|error\|assert' "${log}" | grep -v 'error queue' |
		head -n 5 | sed "s/^/PT log $1 /"
}

for r in ${RUNS}; do
	IFS=: read -r name port framing zc rx <<RUN
${r}
RUN
	run "${name}" "${port}" "${framing}" "${zc}" "${rx:-on}"
done
EOF
	} > "${T_TMP}/test.sh"
	vm_script < "${T_TMP}/test.sh"
}

# cpu_per_gb() - passt's CPU seconds per GB (1e9 bytes) each way in a run,
#		 from its CPU time (us) before and after each
# $1:	Run
cpu_per_gb() {
	vm_value "${G}" "PT cpu $1 " | awk -v mb="${SIZE_MB}" '{
		up = ($2 - $1) / 1e6; down = ($3 - $2) / 1e6
		gb = mb * 1048576 / 1e9
		printf "passt CPU %.3f s up, %.3f s down: %.2f s/GB up, %.2f s/GB down",
			up, down, up / gb, down / gb }'
}

# run_stat() - Check one of passt's counters in a run of guest G
# $1:	Run
# $2:	Counter
# $3:	Comparison: -ge, -le, -eq
# $4:	Value
run_stat() {
	local v
	v="$(vm_value "${G}" "PT stat $1 $2 ")"
	v="${v:-0}"
	if test "${v}" "$3" "$4"; then
		pass "$1_$2"
	else
		fail "$1_$2" "$2 is ${v}, expected $3 $4"
	fi
}

# run_checks() - What every run of guest G must show: lease, ping, a
#		 second connection refused, both transfers intact, passt
#		 alive and ending well, its log clean, its frames counted
# $1:	Run
run_checks() {
	local r="$1" sum n k figs=
	sum="$(vm_value "${G}" "PT data " | cut -d' ' -f1)"
	check_grep "${r}_lease" "ip=198.51.100.2 mask=24 router=198.51.100.1" \
		"$(vm_value "${G}" "PT lease ${r} ")"
	check "${r}_ping" vm_grep "${G}" "PT ping ${r} ok"
	check "${r}_second_refused" vm_grep "${G}" "PT second ${r} vsock-send: closed"
	for k in up down; do
		if [ -n "${sum}" ] && vm_grep "${G}" "PT ${k} ${r} ${sum}"; then
			pass "${r}_${k}load_intact"
		else
			fail "${r}_${k}load_intact" "sent ${sum}, got '$(vm_value "${G}" "PT ${k} ${r} ")'"
		fi
	done
	for k in zc_sends_to_guest zc_completed zc_completed_copied \
		 zc_to_guest_pool_full zc_ranges_via_errqueue \
		 zc_ranges_via_sendmsg zc_empty_sends_to_fetch \
		 vsock_rx_mappings vsock_rx_pages_mapped vsock_rx_pages_copied \
		 vsock_frames_in_place; do
		figs="${figs} ${k}=$(vm_value "${G}" "PT stat ${r} ${k} ")"
	done
	echo "   (${r}: $(vm_value "${G}" "PT times ${r} "), ${SIZE_MB} MiB each way, TCG; $(cpu_per_gb "${r}");${figs})"
	check "${r}_forwarder_exit" vm_grep "${G}" "PT vt-exit ${r} 0"
	check "${r}_passt_alive" vm_grep "${G}" "PT alive ${r}"
	check "${r}_passt_exit" vm_grep "${G}" "PT exit ${r} 0"
	# gvproxy's run has a lying length and a bad request, warned about
	n="$(tr -d '\r' < "$(vm_log "${G}")" | grep "^PT log ${r} " |
	     grep -vc "frame length of 5\|request is not 'POST")"
	[ "${n}" -eq 0 ] && pass "${r}_log_clean" ||
		fail "${r}_log_clean" "$(vm_value "${G}" "PT log ${r} ")"
	# 50 MiB in frames of up to 64 KiB (the MTU DHCP gives): 800 each way
	run_stat "${r}" tap_frames_in -ge $((SIZE_MB * 16))
	run_stat "${r}" tap_frames_out -ge $((SIZE_MB * 16))
}

guest_script gvproxy:1024:gvproxy:on qemu:2048:qemu:off
VM_KERNEL="${PASTA_KERNEL}"
G=g1
_vm_qemu g1
vm_wait g1 "PT done" 200
run_checks gvproxy
run_checks qemu
check "gvproxy_lying_length_closed" vm_grep g1 "PT lie gvproxy vsock-send: closed"
check "gvproxy_not_a_request_closed" vm_grep g1 "PT notreq gvproxy vsock-send: closed"
# Frames to the guest zero-copy (--zerocopy on), from the pool, each
# chunk reused only once its completion came: the download's hash
# shows none was reused early; with --zerocopy off, none
run_stat gvproxy zc_sends_to_guest -ge 10
run_stat gvproxy zc_completed -ge 10
run_stat qemu zc_sends_to_guest -eq 0
check_grep "gvproxy_served_again" "ip=198.51.100.2 " "$(vm_value g1 "PT lease gvproxy-again ")"
check "gvproxy_ping_again" vm_grep g1 "PT ping gvproxy-again ok"
# This kernel has no zero-copy receive: said so, and read
check_grep "rx_zerocopy_probe_says_no" "not in this kernel .ENOPROTOOPT." \
	"$(vm_value g1 "PT feature gvproxy ")"
run_stat gvproxy vsock_rx_mappings -eq 0
run_stat gvproxy drop_bad_stream_length -eq 1
run_stat gvproxy drop_bad_connect_request -eq 1
vm_end g1 10 && pass "guest_done" || fail "guest_done" "$(vm_tail g1)"

# The patched kernel (kernel.sh zc: test/kernel 0001 and 0003): frames
# from the guest through the kernel's mapping, parsed where they lie, the
# same bytes as when read (--vsock-zerocopy-rx off); completions of the
# zero-copy sends to the guest returned by sendmsg()
vm_kernel_of ZC_KERNEL zc
guest_script zcrx:3072:gvproxy:on copyrx:4096:gvproxy:on:off
VM_KERNEL="${ZC_KERNEL}"
G=g2
_vm_qemu g2
vm_wait g2 "PT done" 150
run_checks zcrx
run_checks copyrx
check_grep "zcrx_probe_finds_it" "asked for" "$(vm_value g2 "PT feature zcrx ")"
run_stat zcrx vsock_rx_mappings -ge 10
run_stat zcrx vsock_rx_pages_mapped -ge $((SIZE_MB * 128))
run_stat zcrx vsock_frames_in_place -ge 100
run_stat copyrx vsock_rx_mappings -eq 0
run_stat zcrx zc_ranges_via_sendmsg -ge 10
vm_end g2 10 && pass "patched_guest_done" || fail "patched_guest_done" "$(vm_tail g2)"

lib_done
