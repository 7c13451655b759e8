# SPDX-License-Identifier: GPL-2.0-or-later
# test/vm/lib.sh - helpers for the VM tests (test/vm/tests/*.sh): QEMU
# guests on passt's socket, on top of test/lib/lib.sh
#
# A VM test does:
#
#	. "$(dirname "$0")/../lib.sh"
#	vm_init				# lib_init, host namespace, images
#	vm_passt -s "${VM_SOCK}" ...	# passt in the host namespace
#	vm_script <<'EOF'		# what the guest runs, as /test.sh
#	udhcpc -i eth0 -q -f -n
#	EOF
#	vm_boot g1			# QEMU on VM_SOCK, serial log to g1.log
#	vm_wait g1 "PT done" 60
#	check "lease" vm_grep g1 "PT lease ip=198.51.100.2 "
#
# The guest, its kernel (test/vm/kernel.sh) and base initramfs
# (test/vm/initramfs.sh), are described there. QEMU runs in the host
# namespace too, always with TCG, with no devices but the serial port
# (console, written to a file) and a virtio-net card whose backend is
# -netdev stream on passt's UNIX socket: its only way out is passt.
#
# The guest reports on its console, "PT " lines; the checks are made here,
# on the host side, from that log. VM_KEEP=DIR keeps a copy of each
# script's consoles and logs in DIR/SCRIPT.

VM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/lib.sh
. "${VM_DIR}/../lib/lib.sh"

VM_KERNEL=
VM_INITRD_BASE=
VM_SOCK=
VM_MAC=52:54:00:12:34:56
VM_MEM=192
VM_PID=
PASST_PID=
PASST_LOG=
VM_SCRIPT_N=0

# vm_kernel_of() - One of kernel.sh's other kernels, found in the cache (or
#		   built): a failure, and the end of the script, if it can't
# $1:	Variable to set to the image's path
# $2:	Kernel, as kernel.sh names it: pasta, zc
vm_kernel_of() {
	local k
	if ! k="$("${VM_DIR}/kernel.sh" "$2" 2>"${T_TMP}/kernel-$2.err")"; then
		fail "$2_kernel_image" "$(tail -n 3 "${T_TMP}/kernel-$2.err")"
		lib_done
	fi
	printf -v "$1" '%s' "${k}"
}

# vm_init() - lib_init, the host namespace, the cached kernel and initramfs
#
# Skips the whole script if QEMU is missing; the images are built by
# test/run's vm suite before the scripts run, so here they are only found.
vm_init() {
	lib_init
	need_cmd "all" qemu-system-x86_64 cpio gzip || exit 0
	if ! VM_KERNEL="$("${VM_DIR}/kernel.sh" 2>"${T_TMP}/kernel.err")"; then
		fail "kernel" "$(tail -n 3 "${T_TMP}/kernel.err")"
		exit 1
	fi
	if ! VM_INITRD_BASE="$("${VM_DIR}/initramfs.sh" 2>"${T_TMP}/initramfs.err")"; then
		fail "initramfs" "$(tail -n 3 "${T_TMP}/initramfs.err")"
		exit 1
	fi
	host_ns_setup || { fail "setup" "host namespace"; exit 1; }
	VM_SOCK="${T_TMP}/passt.socket"
	# VM_KEEP=DIR: a copy of the consoles and logs, for a look afterwards
	if [ -n "${VM_KEEP:-}" ]; then
		at_cleanup "rm -rf '${VM_KEEP}/${T_NAME}'; mkdir -p '${VM_KEEP}' && cp -r '${T_TMP}' '${VM_KEEP}/${T_NAME}'"
	fi
}

# vm_passt() - Start passt in the host namespace, in the background
# $@:	Options (-P and -l are added)
#
# Sets PASST_PID and PASST_LOG. Returns non-zero if the parent failed.
vm_passt() {
	local pidf="${T_TMP}/passt.pid.${RANDOM}" rc
	PASST_LOG="${T_TMP}/passt.log.${RANDOM}"
	timeout 20 ip netns exec "${HOST_NS}" "${PASST}" -P "${pidf}" \
		-l "${PASST_LOG}" "$@" > "${T_TMP}/passt.out" 2>&1 < /dev/null
	rc=$?
	PASST_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
	[ ${rc} -eq 0 ] && [ -n "${PASST_PID}" ] ||
		echo "passt didn't start: $(cat "${T_TMP}/passt.out")"
	return ${rc}
}

# vm_http() - A random file, served over HTTP on the host namespace's
#	      loopback (both families), for the guest to download
# $1:	Size, KiB
# $2:	Port
#
# Sets VM_DATA (the file) and VM_SUM (its sha256).
vm_http() {
	VM_DATA="${T_TMP}/www/data"
	mkdir -p "${T_TMP}/www"
	make_random_file "${VM_DATA}" "$1"
	VM_SUM="$(sha256sum < "${VM_DATA}" | cut -d' ' -f1)"
	in_host timeout 200 "${PYTHON}" -m http.server -d "${T_TMP}/www" \
		--bind :: "$2" > "${T_TMP}/http.out" 2>&1 &
	track_pid $!
}

# vm_dns_srv() - dnsmasq on the host namespace's loopback, both families,
#		 port 53: what passt's --dns-host 127.0.0.1 forwards to
# $1:	The one name it answers
# $2:	Its IPv4 address
# $3:	Its IPv6 address
vm_dns_srv() {
	in_host timeout 200 dnsmasq --no-daemon --conf-file=/dev/null \
		--pid-file --no-resolv --no-hosts --bind-interfaces \
		--listen-address=127.0.0.1 --listen-address=::1 --port=53 \
		--address="/$1/$2" --address="/$1/$3" --user=root \
		--log-facility=- > "${T_TMP}/dnsmasq.out" 2>&1 &
	track_pid $!
}

# vm_udp_echo_srv() - A UDP echo server on the host namespace's loopback,
#		      both families (udp_peer.py echo_srv)
# $1:	Port
#
# Return: non-zero if it didn't say it was ready within 10 s
vm_udp_echo_srv() {
	in_host timeout 200 "${PYTHON}" "${LIB_DIR}/udp_peer.py" echo_srv \
		"$1" :: > "${T_TMP}/udp_srv.out" 2>&1 &
	track_pid $!
	wait_for 10 grep -q ready "${T_TMP}/udp_srv.out"
}

# vm_upload_srv() - A TCP server on the host namespace's 127.0.0.1 that
#		    writes what one connection brings into a file
# $1:	Port
#
# Sets VM_UP (the file) and VM_UP_PID (the server, gone once it's written)
vm_upload_srv() {
	VM_UP="${T_TMP}/up"
	in_host timeout 200 socat -u \
		TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr CREATE:"${VM_UP}" \
		> "${T_TMP}/up.out" 2>&1 &
	VM_UP_PID=$!
	track_pid "${VM_UP_PID}"
}

# vm_check() - Pass if a guest's console shows a line starting with this,
#	       else fail with its last findings
# $1:	Check name
# $2:	Guest name
# $3:	Start of the line (fixed string)
vm_check() {
	if vm_grep "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "no '$3' from the guest: $(tr -d '\r' < "$(vm_log "$2")" | grep '^PT' | tail -n 3)"
	fi
}

# vm_stat() - Check a counter of the statistics (SIGUSR1, stats_dump)
# $1:	Statistics, as stats_dump printed them
# $2:	Counter
# $3:	Comparison: -ge or -le
# $4:	Value
vm_stat() {
	local v
	v="$(stat_of "$1" "$2")"
	if [ -n "${v}" ] && [ "${v}" "$3" "$4" ]; then
		pass "stats_$2"
	else
		fail "stats_$2" "$2 is '${v}', expected $3 $4"
	fi
}

# vm_check_forwards() - Into a guest running pt_forwards (guest/pt.sh),
#			once it said "PT listening": a UDP echo through
#			passt's -u forward, VM_DATA through its -t forward,
#			and VM_DATA back out to vm_upload_srv's server
# $1:	Guest name
# $2:	Forwarded TCP port
# $3:	Forwarded UDP port
#
# Checks udp_host_to_guest, tcp_forward_into_guest (sha256 and size in the
# guest) and tcp_upload_from_guest (sha256 of what VM_UP got)
vm_check_forwards() {
	local bytes
	bytes="$(stat -c %s "${VM_DATA}")"
	check "udp_host_to_guest" in_host timeout 30 "${PYTHON}" \
		"${LIB_DIR}/udp_peer.py" echo_cli 127.0.0.1 "$3" 1 100 1400 8000
	in_host timeout 60 socat -u OPEN:"${VM_DATA}" TCP:127.0.0.1:"$2" \
		> "${T_TMP}/fwd.out" 2>&1
	if vm_wait "$1" "PT forwarded" 60 &&
	   vm_grep "$1" "PT forwarded ${VM_SUM} ${bytes}"; then
		pass "tcp_forward_into_guest"
	else
		fail "tcp_forward_into_guest" "$(vm_value "$1" "PT forwarded") $(cat "${T_TMP}/fwd.out")"
	fi
	if vm_wait "$1" "PT uploaded" 60 && wait_for 10 pid_gone "${VM_UP_PID}" &&
	   [ "$(sha256sum < "${VM_UP}" | cut -d' ' -f1)" = "${VM_SUM}" ]; then
		pass "tcp_upload_from_guest"
	else
		fail "tcp_upload_from_guest" "$(wc -c < "${VM_UP}" 2>/dev/null) bytes; $(vm_tail "$1")"
	fi
}

# vm_guest_bin() - Put a dynamically linked program of the host, and the
#		   libraries and loader ldd names for it, into the guest's
#		   files (T_TMP/guest-files, for the next vm_script), at
#		   the paths the host has them
# $1:	Program
# $2:	Its path in the guest
#
# Return: non-zero if ldd can't tell or a file can't be copied
vm_guest_bin() {
	local root="${T_TMP}/guest-files" libs lib
	libs="$(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				$1 ~ /^\// { print $1 }')" || return 1
	[ -n "${libs}" ] || return 1
	mkdir -p "${root}$(dirname "$2")" || return 1
	cp -L "$1" "${root}$2" || return 1
	for lib in ${libs}; do
		mkdir -p "${root}$(dirname "${lib}")" &&
			cp -L "${lib}" "${root}${lib}" || return 1
	done
}

# vm_script() - Add the guest's /test.sh, from stdin, to a new initramfs
#
# Sets VM_INITRD: the base image with an archive of /test.sh (and of any
# files in T_TMP/guest-files, put there by the test) appended.
vm_script() {
	local dir="${T_TMP}/guest-root.${VM_SCRIPT_N}"
	VM_SCRIPT_N=$((VM_SCRIPT_N + 1))
	mkdir -p "${dir}"
	cat > "${dir}/test.sh"
	[ -d "${T_TMP}/guest-files" ] && cp -r "${T_TMP}/guest-files/." "${dir}/"
	VM_INITRD="${T_TMP}/initrd.${VM_SCRIPT_N}"
	cp "${VM_INITRD_BASE}" "${VM_INITRD}"
	(cd "${dir}" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 \
		>> "${VM_INITRD}"
}

# _vm_qemu() - Start QEMU in the background, its console to NAME.log, with
#	       everything but its network card
# $1:	Name of this guest, for its log and VM_PID_NAME
# $@:	Network options, then more options for QEMU
#
# Sets VM_PID. The guest runs VM_INITRD's /test.sh and stops.
_vm_qemu() {
	local name="$1"
	shift
	: > "${T_TMP}/${name}.log"
	ip netns exec "${HOST_NS}" qemu-system-x86_64 -accel tcg -m "${VM_MEM}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "${VM_KERNEL}" -initrd "${VM_INITRD}" \
		-append "console=ttyS0 quiet panic=-1" \
		-serial "file:${T_TMP}/${name}.log" \
		"$@" > "${T_TMP}/${name}.qemu" 2>&1 < /dev/null &
	VM_PID=$!
	track_pid "${VM_PID}"
	eval "VM_PID_${name}=${VM_PID}"
}

# vm_boot() - Start QEMU in the background, on passt's stream socket
# $1:	Name of this guest, for its log and VM_PID_NAME
# $@:	Options for QEMU, after ours
#
# Sets VM_PID. The guest runs VM_INITRD's /test.sh and stops.
vm_boot() {
	local name="$1"
	shift
	_vm_qemu "${name}" \
		-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=${VM_SOCK}" \
		-device "virtio-net-pci,netdev=n0,mac=${VM_MAC},romfile=" "$@"
}

# vm_boot_vu() - Start QEMU as vm_boot does, with a vhost-user netdev on
#		 passt's socket (passt --vhost-user) and the shared guest
#		 memory that needs
# $1:	Name of this guest
# $@:	Options for QEMU, after ours
#
# vectors=0: Debian's QEMU 7.2 under TCG crashes in its MSI-X unmask path
# as soon as the guest's driver starts a vhost-user device (fixed in 8.0)
vm_boot_vu() {
	local name="$1"
	shift
	_vm_qemu "${name}" \
		-object "memory-backend-memfd,id=mem,size=${VM_MEM}M,share=on" \
		-numa node,memdev=mem \
		-chardev "socket,id=c0,path=${VM_SOCK}" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device "virtio-net-pci,netdev=n0,mac=${VM_MAC},vectors=0,romfile=" \
		"$@"
}

# vm_log() - Path of a guest's console log
# $1:	Guest name
vm_log() {
	echo "${T_TMP}/$1.log"
}

# vm_grep() - Does a guest's console show a line starting with this
# $1:	Guest name
# $2:	Start of the line (fixed string)
vm_grep() {
	tr -d '\r' < "$(vm_log "$1")" | grep -q "^$2"
}

# vm_value() - The rest of the first console line starting with a prefix
# $1:	Guest name
# $2:	Prefix
vm_value() {
	tr -d '\r' < "$(vm_log "$1")" | grep -m1 "^$2" | cut -c$((${#2} + 1))-
}

# vm_wait() - Wait for a line on a guest's console, bounded
# $1:	Guest name
# $2:	Start of the line
# $3:	Timeout, seconds
vm_wait() {
	wait_for "$3" vm_grep "$1" "$2"
}

# vm_tail() - The last lines of a guest's console and QEMU's output, for
#	      a FAIL reason
# $1:	Guest name
vm_tail() {
	tail -n 4 "$(vm_log "$1")" "${T_TMP}/$1.qemu" 2>/dev/null | tr -d '\r'
}

# vm_end() - Wait for QEMU to leave (the guest rebooted), else kill it
# $1:	Guest name
# $2:	Timeout, seconds
#
# Return: 0 if it left by itself
vm_end() {
	local pid
	eval "pid=\${VM_PID_$1}"
	if wait_for "$2" pid_gone "${pid}"; then
		wait "${pid}" 2>/dev/null
		return 0
	fi
	kill -KILL "${pid}" 2>/dev/null
	wait "${pid}" 2>/dev/null
	return 1
}
