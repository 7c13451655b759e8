#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu_fd.sh - passt started as QEMU 10.1's -netdev passt starts it: one
# end of a socket pair as --fd 3, --quiet, a pid file read once the
# launched process exits, SIGTERM at the end; the guest, QEMU 7.2 on the
# other end (-netdev stream,addr.type=fd), gets a lease and downloads
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

: > "$(vm_log g1)"
out="${T_TMP}/launcher.out"
in_host timeout 200 "${PYTHON}" "${VM_DIR}/qemu_passt.py" \
	"${T_TMP}/passt.pid" "${PASST}" -l "${T_TMP}/passt.log" \
	-a 198.51.100.9 -n 24 -g "${HOST_GW4}" -- \
	qemu-system-x86_64 -accel tcg -m "${VM_MEM}" -nodefaults \
	-no-user-config -display none -no-reboot -kernel "${VM_KERNEL}" \
	-initrd "${VM_INITRD}" -append "console=ttyS0 quiet panic=-1" \
	-serial "file:$(vm_log g1)" \
	-netdev "stream,id=n0,server=off,addr.type=fd,addr.str=@FD@" \
	-device "virtio-net-pci,netdev=n0,mac=${VM_MAC},romfile=" \
	> "${out}" 2>&1
rc=$?

grep -q "^launcher-exit 0" "${out}" && pass "launcher_exits_0" ||
	fail "launcher_exits_0" "$(head -n 3 "${out}")"
grep -q "^passt-pid [0-9]" "${out}" && pass "pid_file_read" ||
	fail "pid_file_read" "$(head -n 3 "${out}")"
if vm_grep g1 "PT lease ip=198.51.100.9 mask=24 router=${HOST_GW4} "; then
	pass "guest_lease"
else
	fail "guest_lease" "$(vm_tail g1)"
fi
vm_grep g1 "PT download ${sum}" && pass "guest_download" ||
	fail "guest_download" "$(vm_value g1 "PT download")"
grep -q "^qemu-exit 0" "${out}" && pass "guest_done" ||
	fail "guest_done" "$(grep qemu-exit "${out}") $(vm_tail g1)"
grep -q "^passt-gone yes" "${out}" && [ ${rc} -eq 0 ] &&
	pass "passt_leaves_on_sigterm" ||
	fail "passt_leaves_on_sigterm" "$(tail -n 3 "${out}")"
# --quiet: nothing printed by passt on the launcher's terminal
if grep -q "^passt-output " "${out}"; then
	fail "quiet" "$(grep "^passt-output " "${out}" | head -n 3)"
else
	pass "quiet"
fi
lib_done
