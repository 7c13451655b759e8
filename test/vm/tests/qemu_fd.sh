#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu_fd.sh - passt started as QEMU 10.1's -netdev passt starts it: one
# end of a socket pair as --fd 3, --quiet, a pid file read once the
# launched process exits, SIGTERM at the end; the guest, QEMU 7.2 on the
# other end, gets a lease and downloads. Twice: frames on the socket
# (-netdev stream,addr.type=fd), and with --vhost-user (the vhost-user
# session on the socket pair, -netdev vhost-user, shared memfd memory)
#
# test/vm/qemu_passt.py does what QEMU would. Everything runs in the host
# namespace (test/vm/lib.sh), whose only link is the ifb black hole.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" "${PYTHON}" || lib_done

HTTP_PORT=18097
vm_http 2048 "${HTTP_PORT}"
sum="${VM_SUM}"

vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
pt_download download http://\$gw4:${HTTP_PORT}/data
EOF

# fd_case() - One launch by qemu_passt.py, and its checks
# $1:	Prefix of the check names
# $2:	Guest name
# $3:	passt's extra options ("" or --vhost-user)
# $@:	(from $4) QEMU's network options, @FD@ for the descriptor
fd_case() {
	local pre="$1" g="$2" extra="$3" out="${T_TMP}/launcher-$2.out" rc
	shift 3

	: > "$(vm_log "${g}")"
	# shellcheck disable=SC2086 # $extra: no option, or one word
	in_host timeout 200 "${PYTHON}" "${VM_DIR}/qemu_passt.py" \
		"${T_TMP}/passt-${g}.pid" "${PASST}" ${extra} \
		-l "${T_TMP}/passt-${g}.log" \
		-a 198.51.100.9 -n 24 -g "${HOST_GW4}" -- \
		qemu-system-x86_64 -accel tcg -m "${VM_MEM}" -nodefaults \
		-no-user-config -display none -no-reboot -kernel "${VM_KERNEL}" \
		-initrd "${VM_INITRD}" -append "console=ttyS0 quiet panic=-1" \
		-serial "file:$(vm_log "${g}")" "$@" > "${out}" 2>&1
	rc=$?

	grep -q "^launcher-exit 0" "${out}" && pass "${pre}launcher_exits_0" ||
		fail "${pre}launcher_exits_0" "$(head -n 3 "${out}")"
	grep -q "^passt-pid [0-9]" "${out}" && pass "${pre}pid_file_read" ||
		fail "${pre}pid_file_read" "$(head -n 3 "${out}")"
	if vm_grep "${g}" "PT lease ip=198.51.100.9 mask=24 router=${HOST_GW4} "; then
		pass "${pre}guest_lease"
	else
		fail "${pre}guest_lease" "$(vm_tail "${g}")"
	fi
	vm_grep "${g}" "PT download ${sum}" && pass "${pre}guest_download" ||
		fail "${pre}guest_download" "$(vm_value "${g}" "PT download")"
	grep -q "^qemu-exit 0" "${out}" && pass "${pre}guest_done" ||
		fail "${pre}guest_done" "$(grep qemu-exit "${out}") $(vm_tail "${g}")"
	grep -q "^passt-gone yes" "${out}" && [ "${rc}" -eq 0 ] &&
		pass "${pre}passt_leaves_on_sigterm" ||
		fail "${pre}passt_leaves_on_sigterm" "$(tail -n 3 "${out}")"
	# --quiet: nothing printed by passt on the launcher's terminal
	if grep -q "^passt-output " "${out}"; then
		fail "${pre}quiet" "$(grep "^passt-output " "${out}" | head -n 3)"
	else
		pass "${pre}quiet"
	fi
}

fd_case "" g1 "" \
	-netdev "stream,id=n0,server=off,addr.type=fd,addr.str=@FD@" \
	-device "virtio-net-pci,netdev=n0,mac=${VM_MAC},romfile="

# QEMU 7.2 can't pass descriptors over a chardev made of one: the launcher
# relays the connection (see qemu_passt.py). vectors=0: QEMU 7.2 under
# TCG, see test/vm/README.md
fd_case "vu_" g2 --vhost-user \
	-object "memory-backend-memfd,id=mem,size=${VM_MEM}M,share=on" \
	-numa node,memdev=mem -chardev "socket,id=c0,path=@SOCK@" \
	-netdev vhost-user,id=n0,chardev=c0 \
	-device "virtio-net-pci,netdev=n0,mac=${VM_MAC},vectors=0,romfile="
lib_done
