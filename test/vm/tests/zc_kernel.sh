#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# zc_kernel.sh - SCM_ZC_NOTIFICATION, on our patched guest kernel
# (kernel.sh zc, test/kernel): zcprobe (guest/zcprobe.c) finds it;
# MSG_ZEROCOPY sends over loopback, TCP and UDP, IPv4 and IPv6, get their
# completions back from sendmsg() itself, none left in the error queue,
# not copied (the loopback patch), also when taken one a time with the
# error queue used in between, and through the error queue alone;
# requests it must refuse are refused, and take nothing from the queue;
# an ICMP error in the queue stays there, sendmmsg() answers each message.
# Then on the rig's stock kernel: the probe says unsupported, and the
# same sends fall back to the error queue, where loopback's are copied.
#
# The guests have no network card: they only use their loopback. QEMU
# runs in the host namespace all the same (test/vm/lib.sh).

. "$(dirname "$0")/../lib.sh"
vm_init

SENDS=256	# zcprobe.c: SENDS

# zc_check() - Pass if a guest's zcprobe run line says ok, took its
#	       completions the expected way (all, none or some of them from
#	       the error queue), and each send completed once, all zero-copy
#	       or all copied
# $1:	Guest name
# $2:	Run: tcp4, tcp6, udp4, udp6, tcp4mix or tcp4q
# $3:	How completions came: cmsg, errqueue or mix
# $4:	What every send was: zerocopy or copied
zc_check() {
	local queued sends re line
	case "$3" in
	cmsg)		queued="entries=[0-9]+ queued=0" ;;
	errqueue)	queued="entries=([0-9]+) queued=\\2" ;;
	mix)		queued="entries=[0-9]+ queued=[1-9][0-9]*" ;;
	esac
	if [ "$4" = zerocopy ]; then
		sends="zerocopy=\\1 copied=0"
	else
		sends="zerocopy=0 copied=\\1"
	fi
	re="^PT zc $2 ok via=$3 sends=${SENDS} ids=([0-9]+) ${queued} ${sends} waits=[0-9]+ calls=[0-9]+\$"
	line="$(tr -d '\r' < "$(vm_log "$1")" | grep "^PT zc $2 ")"
	if grep -qE "${re}" <<< "${line}"; then
		pass "$1_$2_$3_$4"
	else
		fail "$1_$2_$3_$4" "${line:-no line from zcprobe $2}"
	fi
}

vm_kernel_of ZC_KERNEL zc
STOCK_KERNEL="${VM_KERNEL}"

vm_script <<'EOF'
for c in probe refuse others tcp4 tcp6 udp4 udp6 tcp4mix tcp4q; do
	zcprobe $c 2>&1 | sed 's/^/PT zc /'
done
EOF
VM_KERNEL="${ZC_KERNEL}"
_vm_qemu patched
vm_wait patched "PT done" 120
vm_check "patched_probe" patched "PT zc probe supported"
vm_check "patched_refuse" patched "PT zc refuse ok"
vm_check "patched_others" patched "PT zc others ok"
for r in tcp4 tcp6 udp4 udp6; do
	zc_check patched "${r}" cmsg zerocopy
done
# Requests for one entry, every other batch from the error queue instead
zc_check patched tcp4mix mix zerocopy
# The error queue alone, as before: zero-copy too
zc_check patched tcp4q errqueue zerocopy
vm_end patched 10 && pass "patched_guest_done" ||
	fail "patched_guest_done" "$(vm_tail patched)"

vm_script <<'EOF'
for c in probe tcp4 tcp6 udp4 udp6; do
	zcprobe $c 2>&1 | sed 's/^/PT zc /'
done
EOF
VM_KERNEL="${STOCK_KERNEL}"
_vm_qemu stock
vm_wait stock "PT done" 120
vm_check "stock_probe" stock "PT zc probe unsupported"
for r in tcp4 tcp6 udp4 udp6; do
	zc_check stock "${r}" errqueue copied
done
vm_end stock 10 && pass "stock_guest_done" ||
	fail "stock_guest_done" "$(vm_tail stock)"

lib_done
