#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt.sh - passt started with libvirt's command line, and a guest of
# a real libvirt, twice: a session-mode domain, started with virsh, whose
# QEMU reaches passt's stream socket through <qemu:commandline> (Debian
# 12's libvirt 9.0 has its own passt backend switched off); then passt
# with --vhost-user and a domain with libvirt's own <interface
# type='vhostuser'> on it, its memory a shared memfd. Each time: lease,
# download, virsh destroy, and passt, --one-off, leaves
#
# Everything runs as nobody, as a desktop user's libvirt would: the
# session daemon (libvirtd --timeout, spawned by virsh), QEMU, and passt.
# All of it in the host namespace (test/lib/lib.sh), whose only link is
# the ifb black hole.

. "$(dirname "$0")/../lib.sh"
vm_init
need_cmd "all" virsh libvirtd setpriv socat || lib_done

USER_ID=65534
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

# lv_netdev() - The domain's network card and memory for one case
# $1:	"stream" (-netdev stream through <qemu:commandline>) or "vu"
#	(<interface type='vhostuser'>, memfd memory shared with passt)
# $2:	passt's socket
#
# Prints three XML fragments, one a line, separated by "|": what goes in
# <domain> (memory backing), in <devices>, and after </devices>
lv_netdev() {
	if [ "$1" = vu ]; then
		printf '%s|%s|%s\n' \
			"<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>" \
			"<interface type='vhostuser'><mac address='${VM_MAC}'/><source type='unix' path='$2' mode='client'/><model type='virtio'/><rom enabled='no'/></interface>" \
			""
	else
		printf '%s|%s|%s\n' "" "" \
			"<qemu:commandline><qemu:arg value='-netdev'/><qemu:arg value='stream,id=n0,server=off,addr.type=unix,addr.path=$2'/><qemu:arg value='-device'/><qemu:arg value='virtio-net-pci,netdev=n0,mac=${VM_MAC},romfile='/></qemu:commandline>"
	fi
}

# lv_case() - passt as libvirt starts it, a domain on it, its guest's
#	      lease and download, virsh destroy, passt's exit
# $1:	"stream" or "vu" (see lv_netdev)
# $2:	Prefix of the check names
#
# pci=nomsi on the vhost-user guest's command line: Debian's QEMU 7.2
# under TCG crashes in its MSI-X unmask path when the guest's driver
# starts a vhost-user virtio-net device with MSI-X (see README.md); the
# kernel's option is simpler than a <qemu:override> of the device's vectors
lv_case() {
	local mode="$1" p="$2" dom="pt-lv-$1-$$" sock pidf rc uid out
	local mem dev cmdl extra='' append="console=ttyS0 quiet panic=-1"
	local log="${dir}/passt-$1.log" console="${dir}/console-$1.log"

	# passt as libvirt starts it (../shared/notes/callers.md): the
	# parent must exit 0 with the pid file written and the socket
	# listening
	sock="${dir}/${dom}-net0.socket"
	pidf="${dir}/${dom}-net0.pid"
	if [ "${mode}" = vu ]; then
		extra=--vhost-user
		append="${append} pci=nomsi"
	fi
	as_user timeout 20 "${PASST}" --one-off --socket "${sock}" \
		--pid "${pidf}" ${extra} --mtu 1500 --interface "${HOST_IF}" \
		--log-file "${log}" --address "${ADDR}" --netmask 24 \
		> "${T_TMP}/passt.out" 2>&1 < /dev/null
	rc=$?
	PASST_PID="$(cat "${pidf}" 2>/dev/null)"
	[ -n "${PASST_PID}" ] && track_pid "${PASST_PID}"
	if [ ${rc} -eq 0 ] && [ -n "${PASST_PID}" ] && pid_alive "${PASST_PID}"; then
		pass "${p}passt_daemonized_pid_file"
	else
		fail "${p}passt_daemonized_pid_file" "exit ${rc}, pid '${PASST_PID}': $(cat "${T_TMP}/passt.out")"
		return 1
	fi
	[ -S "${sock}" ] && pass "${p}passt_socket_ready" ||
		fail "${p}passt_socket_ready" "no ${sock}"
	uid="$(awk '/^Uid:/ { print $2 }' "/proc/${PASST_PID}/status")"
	[ "${uid}" = "${USER_ID}" ] && pass "${p}passt_runs_as_user" ||
		fail "${p}passt_runs_as_user" "uid ${uid}"

	IFS='|' read -r mem dev cmdl <<< "$(lv_netdev "${mode}" "${sock}")"
	cat > "${dir}/${dom}.xml" <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${dom}</name>
  <memory unit='MiB'>${VM_MEM}</memory>
  ${mem}
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${dir}/bzImage</kernel>
    <initrd>${VM_INITRD}</initrd>
    <cmdline>${append}</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <serial type='file'>
      <source path='${console}'/>
      <target port='0'/>
    </serial>
    ${dev}
  </devices>
  ${cmdl}
</domain>
EOF
	chown "${USER_ID}:${USER_ID}" "${dir}/${dom}.xml"

	if ! out="$(virsh_user define "${dir}/${dom}.xml" 2>&1)"; then
		fail "${p}virsh_define" "${out}"
		return 1
	fi
	pass "${p}virsh_define"
	at_cleanup "as_user timeout 20 virsh -q -c qemu:///session undefine ${dom}"
	at_cleanup "as_user timeout 20 virsh -q -c qemu:///session destroy ${dom}"
	if ! out="$(virsh_user start "${dom}" 2>&1)"; then
		fail "${p}virsh_start" "${out}"
		return 1
	fi
	pass "${p}virsh_start"

	# The domain's console, as vm_grep reads a log
	ln -s "${console}" "$(vm_log "lv-${mode}")"
	if vm_wait "lv-${mode}" "PT waiting" 90; then
		pass "${p}guest_ran"
	else
		fail "${p}guest_ran" "$(tail -n 5 "${console}" 2>/dev/null | tr -d '\r') $(tail -n 3 "${dir}/home/.cache/libvirt/qemu/log/${dom}.log" 2>/dev/null)"
	fi
	if vm_grep "lv-${mode}" "PT lease ip=${ADDR} mask=24 router=${HOST_GW4} "; then
		pass "${p}guest_lease"
	else
		fail "${p}guest_lease" "$(vm_value "lv-${mode}" "PT lease")"
	fi
	if vm_grep "lv-${mode}" "PT lease ip=${ADDR} mask=24 router=${HOST_GW4} dns=${HOST_GW4} mtu=1500"; then
		pass "${p}guest_lease_mtu"
	else
		fail "${p}guest_lease_mtu" "$(vm_value "lv-${mode}" "PT lease")"
	fi
	if vm_grep "lv-${mode}" "PT download ${sum}"; then
		pass "${p}guest_download"
	else
		fail "${p}guest_download" "$(vm_value "lv-${mode}" "PT download")"
	fi

	# The vhost-user case really is one: libvirt gave QEMU a vhost-user
	# netdev and shared memfd memory (its log has the command line,
	# options in JSON); the lease above came through it
	if [ "${mode}" = vu ]; then
		out="${dir}/home/.cache/libvirt/qemu/log/${dom}.log"
		if grep -q -- '-netdev .*"type":"vhost-user"' "${out}" &&
		   grep -q '"qom-type":"memory-backend-memfd".*"share":true' "${out}"; then
			pass "${p}qemu_vhost_user_memfd"
		else
			fail "${p}qemu_vhost_user_memfd" "$(grep -m2 -- "-netdev\|-object" "${out}")"
		fi
	fi

	# virsh destroy: QEMU goes, the guest's connection closes, and
	# passt, --one-off, exits by itself and removes its socket
	if out="$(virsh_user destroy "${dom}" 2>&1)"; then
		pass "${p}virsh_destroy"
	else
		fail "${p}virsh_destroy" "${out}"
	fi
	if wait_for 10 pid_gone "${PASST_PID}"; then
		pass "${p}passt_exits_one_off"
	else
		fail "${p}passt_exits_one_off" "still running: $(tail -n 3 "${log}")"
	fi
	wait_for 3 test ! -e "${sock}" && pass "${p}passt_socket_removed" ||
		fail "${p}passt_socket_removed" "${sock} still there"
}

lv_case stream ""
lv_case vu "vu_"
lib_done
