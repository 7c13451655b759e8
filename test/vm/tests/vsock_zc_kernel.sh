#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vsock_zc_kernel.sh - vsock zero-copy receive (SO_VM_SOCKETS_MAP_RX), on
# our patched guest kernel (kernel.sh zc, test/kernel/0003-*.patch), over
# vsock loopback (CID 1): vzcprobe (guest/vzcprobe.c) finds it; what it
# must refuse is refused (mmap of one page, writable or private; the
# option on a listening or connected socket, on SOCK_SEQPACKET;
# getsockopt without the option, on a mapping not the socket's or not at
# its start, with pages of the previous call still mapped); a mapping too
# small takes a packet a page a call, nothing lost; small writes and data
# left off a page boundary are copied, page-sized ones mapped. A stream of
# VZC_MB MiB from a forked sender, in writes of varied sizes (1 byte to
# 200000, many off page multiples) and of 64 KiB, received with mappings
# and with read(), every byte checked: the large writes' pages all
# mapped, none copied; the varied ones both. Then the times for copy and
# zero copy at the cover letter's buffer sizes (8 to 512 pages), printed;
# the kernel's log has no warning.
# Then on the rig's stock kernels (plain, and pasta's): the probe says
# unsupported, ENOPROTOOPT for the options and ENODEV for mmap.
#
# The guests have no network card. QEMU runs in the host namespace all
# the same (test/vm/lib.sh).

. "$(dirname "$0")/../lib.sh"
vm_init

SIZE_MB="${VZC_MB:-64}"		# each checked transfer
BENCH_MB="${VZC_BENCH_MB:-256}"	# each timed one
BENCH_PAGES="8 32 64 256 512"

# vzc_transfer() - Pass if a guest's transfer line says ok, with all the
#		   bytes, and pages mapped and copied as expected
# $1:	Guest name
# $2:	Run name (as printed by the guest: PT vzc NAME ...)
# $3:	Mode: zc or copy
# $4:	Pages: "mapped" (all mapped, none copied), "both" (some of each),
#	"none" (copy mode: neither)
vzc_transfer() {
	local line re bytes=$(( SIZE_MB << 20 )) m c
	line="$(tr -d '\r' < "$(vm_log "$1")" | grep -m1 "^PT vzc $2 ")"
	re="^PT vzc $2 transfer $3 ok bytes=${bytes} packets=([0-9]+) mapped=([0-9]+) copied=([0-9]+) calls=[1-9][0-9]* ms=[0-9]+ rx_usr_ms=[0-9]+ rx_sys_ms=[0-9]+\$"
	if ! [[ "${line}" =~ ${re} ]]; then
		fail "$1_$2" "${line:-no line from vzcprobe $2}"
		return
	fi
	m="${BASH_REMATCH[2]}"
	c="${BASH_REMATCH[3]}"
	case "$4" in
	mapped)	[ "${m}" -gt 0 ] && [ "${c}" -eq 0 ] ;;
	both)	[ "${m}" -gt 0 ] && [ "${c}" -gt 0 ] ;;
	none)	[ "${m}" -eq 0 ] && [ "${c}" -eq 0 ] ;;
	esac && pass "$1_$2" || fail "$1_$2" "pages not $4: ${line}"
}

vm_kernel_of ZC_KERNEL zc
vm_kernel_of PASTA_KERNEL pasta
STOCK_KERNEL="${VM_KERNEL}"

{
	echo "SIZE_MB=${SIZE_MB} BENCH_MB=${BENCH_MB} BENCH_PAGES='${BENCH_PAGES}'"
	cat <<'EOF'
vzc() {
	name="$1"
	shift
	vzcprobe "$@" 2>&1 | sed "s/^/PT vzc ${name} /"
}
vzc probe probe
vzc refuse refuse
vzc zc_fixed transfer zc "${SIZE_MB}" 16 fixed
vzc copy_fixed transfer copy "${SIZE_MB}" 16 fixed
vzc zc_varied transfer zc "${SIZE_MB}" 16 varied
vzc copy_varied transfer copy "${SIZE_MB}" 16 varied
vzc zc_small transfer zc "${SIZE_MB}" 2 varied
for p in ${BENCH_PAGES}; do
	for m in copy zc; do
		vzc "bench_${m}_${p}" transfer "${m}" "${BENCH_MB}" "${p}" fixed
	done
done
# Mapping pages of the kernel's into a process and back: no complaint
bad="$(dmesg | grep -m1 -E 'WARNING|BUG|Bad page|Oops|refcount_t')"
echo "PT vzc kernel_log ${bad:-clean}"
EOF
} > "${T_TMP}/test.sh"
vm_script < "${T_TMP}/test.sh"
VM_KERNEL="${ZC_KERNEL}"
_vm_qemu patched
vm_wait patched "PT done" 200
vm_check "patched_probe" patched "PT vzc probe probe supported"
vm_check "patched_refuse" patched "PT vzc refuse refuse ok"
vzc_transfer patched zc_fixed zc mapped
vzc_transfer patched copy_fixed copy none
vzc_transfer patched zc_varied zc both
vzc_transfer patched copy_varied copy none
# A mapping of one data page: a page a call, every packet in pieces
vzc_transfer patched zc_small zc both
vm_check "patched_kernel_log" patched "PT vzc kernel_log clean"
vm_end patched 10 && pass "patched_guest_done" ||
	fail "patched_guest_done" "$(vm_tail patched)"

# vzc_field() - A field of a guest's bench line, "?" if it isn't there
# $1:	Mode: copy or zc
# $2:	Pages
# $3:	Field name
vzc_field() {
	local v
	v="$(vm_value patched "PT vzc bench_$1_$2 transfer $1 ok " |
		sed -n "s/.* $3=\([0-9]*\).*/\1/p")"
	echo "${v:-?}"
}

# The figures: BENCH_MB MiB, read() against mappings
printf '   (vsock loopback under TCG, %s MiB, writes and read buffer or mapping of N pages: ms copy / zerocopy; receiver system ms copy / zerocopy; pages mapped / copied)\n' \
	"${BENCH_MB}"
for p in ${BENCH_PAGES}; do
	printf '   (%4s pages: %6s / %6s ms; sys %5s / %5s ms; %s / %s)\n' "${p}" \
		"$(vzc_field copy "${p}" ms)" "$(vzc_field zc "${p}" ms)" \
		"$(vzc_field copy "${p}" rx_sys_ms)" \
		"$(vzc_field zc "${p}" rx_sys_ms)" \
		"$(vzc_field zc "${p}" mapped)" "$(vzc_field zc "${p}" copied)"
done

# vzc_stock() - Boot a kernel without the patch: the probe must say
#		unsupported, the way mainline does
# $1:	Guest name
# $2:	Kernel
vzc_stock() {
	vm_script <<'EOF'
vzcprobe probe 2>&1 | sed 's/^/PT vzc probe /'
EOF
	VM_KERNEL="$2"
	_vm_qemu "$1"
	vm_wait "$1" "PT done" 120
	vm_check "$1_probe" "$1" "PT vzc probe probe unsupported: setsockopt ENOPROTOOPT mmap ENODEV getsockopt ENOPROTOOPT"
	vm_end "$1" 10 && pass "$1_guest_done" ||
		fail "$1_guest_done" "$(vm_tail "$1")"
}

vzc_stock stock "${STOCK_KERNEL}"
vzc_stock pasta "${PASTA_KERNEL}"

lib_done
