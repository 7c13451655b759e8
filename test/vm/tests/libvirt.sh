#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt.sh - passt started with libvirt's command line, and a guest of
# a real libvirt: a session-mode domain, started with virsh, whose QEMU
# reaches passt through <qemu:commandline> (Debian 12's libvirt 9.0 has its
# own passt backend switched off); virsh destroy, and passt, --one-off,
# leaves
#
# Everything runs as nobody, as a desktop user's libvirt would: the
# session daemon (libvirtd --timeout, spawned by virsh), QEMU, and passt.
# All of it in the host namespace (test/lib/lib.sh), whose only link is
# the ifb black hole.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" virsh libvirtd setpriv socat || lib_done

USER_ID=65534
DOM="pt-lv-$$"
ADDR=198.51.100.7
HTTP_PORT=18091
dir="${T_TMP}/libvirt"
run="${dir}/run"
mkdir -p "${dir}/home" "${run}"
chmod 0700 "${run}"
cp "${VM_KERNEL}" "${dir}/bzImage"

# as_user() - Run a command as nobody, with the session's environment
as_user() {
	in_host setpriv --reuid="${USER_ID}" --regid="${USER_ID}" \
		--clear-groups env HOME="${dir}/home" \
		XDG_RUNTIME_DIR="${run}" XDG_CONFIG_HOME="${dir}/home/.config" \
		XDG_CACHE_HOME="${dir}/home/.cache" "$@"
}

# virsh_user() - virsh on nobody's session daemon, bounded
virsh_user() {
	as_user timeout 60 virsh -q -c qemu:///session "$@"
}

# End the session daemon virsh started: its pid file is ours alone
at_cleanup 'kill -TERM $(cat "'"${run}"'/libvirt/libvirtd.pid" 2>/dev/null) 2>/dev/null'

vm_http 4096 "${HTTP_PORT}"
sum="${VM_SUM}"

vm_script <<EOF
. /etc/pt.sh
pt_up
gw4=\$(ip -4 route show default | awk '{ print \$3; exit }')
pt_download download http://\$gw4:${HTTP_PORT}/data
echo "PT waiting"
sleep 600
EOF
chown -R "${USER_ID}:${USER_ID}" "${dir}"

# passt as libvirt starts it (../shared/notes/callers.md): the parent
# must exit 0 with the pid file written and the socket listening
sock="${dir}/${DOM}-net0.socket"
pidf="${dir}/${DOM}-net0.pid"
as_user timeout 20 "${PASST}" --one-off --socket "${sock}" --pid "${pidf}" \
	--mtu 1500 --interface "${HOST_IF}" --log-file "${dir}/passt.log" \
	--address "${ADDR}" --netmask 24 > "${T_TMP}/passt.out" 2>&1 < /dev/null
rc=$?
PASST_PID="$(cat "${pidf}" 2>/dev/null)"
[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
if [ ${rc} -eq 0 ] && [ -n "${PASST_PID}" ] && pid_alive "${PASST_PID}"; then
	pass "passt_daemonized_pid_file"
else
	fail "passt_daemonized_pid_file" "exit ${rc}, pid '${PASST_PID}': $(cat "${T_TMP}/passt.out")"
	lib_done
fi
[ -S "${sock}" ] && pass "passt_socket_ready" || fail "passt_socket_ready" "no ${sock}"
uid="$(awk '/^Uid:/ { print $2 }' "/proc/${PASST_PID}/status")"
[ "${uid}" = "${USER_ID}" ] && pass "passt_runs_as_user" ||
	fail "passt_runs_as_user" "uid ${uid}"

cat > "${dir}/domain.xml" <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${DOM}</name>
  <memory unit='MiB'>${VM_MEM}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${dir}/bzImage</kernel>
    <initrd>${VM_INITRD}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <serial type='file'>
      <source path='${dir}/console.log'/>
      <target port='0'/>
    </serial>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='stream,id=n0,server=off,addr.type=unix,addr.path=${sock}'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='virtio-net-pci,netdev=n0,mac=${VM_MAC},romfile='/>
  </qemu:commandline>
</domain>
EOF
chown "${USER_ID}:${USER_ID}" "${dir}/domain.xml"

if ! out="$(virsh_user define "${dir}/domain.xml" 2>&1)"; then
	fail "virsh_define" "${out}"
	lib_done
fi
pass "virsh_define"
at_cleanup "as_user timeout 20 virsh -q -c qemu:///session undefine ${DOM}"
at_cleanup "as_user timeout 20 virsh -q -c qemu:///session destroy ${DOM}"
if ! out="$(virsh_user start "${DOM}" 2>&1)"; then
	fail "virsh_start" "${out}"
	lib_done
fi
pass "virsh_start"

# lv_console() - The domain's console, as vm_grep reads a log
ln -s "${dir}/console.log" "$(vm_log lv)"
if vm_wait lv "PT waiting" 90; then
	pass "guest_ran"
else
	fail "guest_ran" "$(tail -n 5 "${dir}/console.log" 2>/dev/null | tr -d '\r') $(tail -n 3 "${dir}/home/.cache/libvirt/qemu/log/${DOM}.log" 2>/dev/null)"
fi
if vm_grep lv "PT lease ip=${ADDR} mask=24 router=${HOST_GW4} "; then
	pass "guest_lease"
else
	fail "guest_lease" "$(vm_value lv "PT lease")"
fi
if vm_grep lv "PT lease ip=${ADDR} mask=24 router=${HOST_GW4} dns=${HOST_GW4} mtu=1500"; then
	pass "guest_lease_mtu"
else
	fail "guest_lease_mtu" "$(vm_value lv "PT lease")"
fi
if vm_grep lv "PT download ${sum}"; then
	pass "guest_download"
else
	fail "guest_download" "$(vm_value lv "PT download")"
fi

# virsh destroy: QEMU goes, the guest's connection closes, and passt,
# --one-off, exits by itself and removes its socket
if out="$(virsh_user destroy "${DOM}" 2>&1)"; then
	pass "virsh_destroy"
else
	fail "virsh_destroy" "${out}"
fi
if wait_for 10 pid_gone "${PASST_PID}"; then
	pass "passt_exits_one_off"
else
	fail "passt_exits_one_off" "still running: $(tail -n 3 "${dir}/passt.log")"
fi
wait_for 3 test ! -e "${sock}" && pass "passt_socket_removed" ||
	fail "passt_socket_removed" "${sock} still there"
lib_done
