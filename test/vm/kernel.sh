#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/vm/kernel.sh - build a VM tests' guest kernel once, print its path
#
# Usage: test/vm/kernel.sh [zc|pasta]
#
# The kernel comes from Debian's linux-source-6.12 (/usr/src), configured
# as allnoconfig plus test/vm/kernel.config. With "zc", our patches in
# test/kernel (*.patch, in name order) go on top first: the test kernel
# with SCM_ZC_NOTIFICATION and vsock zero-copy receive
# (test/kernel/README.md). "zc" and "pasta" (no
# patches) add test/vm/kernel-pasta.config to the configuration: what our
# pasta needs to run in the guest (tun, namespaces, seccomp).
#
# Each is cached outside the repository, in PT_VM_CACHE (default:
# ~/.cache/passt-vm), under a key made of what it's built from: any change
# to one of those builds a new one. The plain kernel's key is the
# configuration, kernel.key and the source package's version, as it was
# before the patched kernel came (kernel.key is the text this script had
# then, when the key was made of the script itself), so that caches of it
# stay good: change kernel.key if the plain kernel has to be built
# differently. The others' keys add this script, kernel-pasta.config and,
# for the patched kernel, the patches, test/kernel/zc_notification.h and
# test/kernel/vsock_zc.h.
#
# The build takes a few minutes with every core (at the lowest priority:
# the machines running it are shared); later calls just print the path.
# Concurrent calls wait for each other (flock). Output of the build goes
# to kernel-KEY.log there; on failure its end is printed.

set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${PT_VM_CACHE:-${HOME}/.cache/passt-vm}"
SRC_TAR=/usr/src/linux-source-6.12.tar.xz
FRAGMENT="${HERE}/kernel.config"
PASTA_FRAGMENT="${HERE}/kernel-pasta.config"
ZC_DIR="${HERE}/../kernel"
ZC_HEADER="${ZC_DIR}/zc_notification.h"
VZC_HEADER="${ZC_DIR}/vsock_zc.h"

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

variant="${1:-}"
case "${variant}" in
"")	;;
zc)	ls "${ZC_DIR}"/*.patch > /dev/null 2>&1 ||
		die "no patches in ${ZC_DIR}" ;;
pasta)	;;
*)	die "unknown kernel '${variant}': none (plain), zc or pasta" ;;
esac

[ -r "${SRC_TAR}" ] || die "${SRC_TAR} missing: apt-get install linux-source-6.12"
ver="$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null)" ||
	die "can't read the version of linux-source-6.12"
if [ -z "${variant}" ]; then
	key="$(cat "${FRAGMENT}" "${HERE}/kernel.key" - <<<"${ver}" |
		sha256sum | cut -c1-16)"
	name="kernel-${key}"
elif [ "${variant}" = zc ]; then
	key="$(cat "${FRAGMENT}" "${PASTA_FRAGMENT}" "$0" "${ZC_DIR}"/*.patch \
		"${ZC_HEADER}" "${VZC_HEADER}" - <<<"${ver}" |
		sha256sum | cut -c1-16)"
	name="kernel-${variant}-${key}"
else
	key="$(cat "${FRAGMENT}" "${PASTA_FRAGMENT}" "$0" - <<<"${ver}" |
		sha256sum | cut -c1-16)"
	name="kernel-${variant}-${key}"
fi
out="${CACHE}/${name}"
mkdir -p "${CACHE}"

exec 9>"${CACHE}/kernel.lock"
flock 9
if [ -s "${out}/bzImage" ]; then
	echo "${out}/bzImage"
	exit 0
fi

log="${CACHE}/${name}.log"
build="${CACHE}/build-${key}"
rm -rf "${build}" "${out}"
mkdir -p "${build}" "${out}"
trap 'rm -rf "${build}"' EXIT

# define_of() - The value a header #defines a name to
# $1:	Name
# $2:	Header
define_of() {
	awk -v n="$1" '$1 == "#define" && $2 == n { print $3 }' "$2"
}

# zc_patch() - Put our patches on the unpacked source, check that the
#	       control message's number and size limit, and the vsock
#	       zero-copy receive options, are the ones user space is told
#	       (test/kernel/zc_notification.h, test/kernel/vsock_zc.h)
# $1:	Source directory
zc_patch() {
	local p n f h k u

	for p in "${ZC_DIR}"/*.patch; do
		echo "applying $(basename "${p}")"
		patch -d "$1" -p1 --batch --forward < "${p}" || return 1
	done
	for p in "SCM_ZC_NOTIFICATION include/uapi/asm-generic/socket.h ${ZC_HEADER}" \
		 "ZC_NOTIFICATION_MAX include/uapi/linux/errqueue.h ${ZC_HEADER}" \
		 "SO_VM_SOCKETS_MAP_RX include/uapi/linux/vm_sockets.h ${VZC_HEADER}" \
		 "SO_VM_SOCKETS_ZEROCOPY include/uapi/linux/vm_sockets.h ${VZC_HEADER}"; do
		read -r n f h <<< "${p}"
		k="$(define_of "${n}" "$1/${f}")"
		u="$(define_of "${n}" "${h}")"
		if [ -z "${k}" ] || [ "${k}" != "${u}" ]; then
			echo "${n} is '${k}' in the kernel, '${u}' in ${h}"
			return 1
		fi
	done
}

# build_kernel() - Unpack, patch if asked, configure, check the
#		   configuration, build
build_kernel() {
	local src="${build}/linux-source-6.12" conf="${build}/fragment"
	local missing line

	tar -C "${build}" -xJf "${SRC_TAR}"
	[ "${variant}" != zc ] || zc_patch "${src}" || return 1
	# KCONFIG_ALLCONFIG takes one file: the fragments, joined
	cat "${FRAGMENT}" > "${conf}"
	[ -z "${variant}" ] || cat "${PASTA_FRAGMENT}" >> "${conf}"
	nice -n 19 make -C "${src}" O="${build}/o" \
		KCONFIG_ALLCONFIG="${conf}" allnoconfig
	# Every option asked for must be there: a dependency missing from
	# the fragment would drop one without a word otherwise
	missing=
	while read -r line; do
		case "${line}" in
		CONFIG_*=*)
			grep -qx "${line}" "${build}/o/.config" ||
				missing="${missing} ${line}"
			;;
		esac
	done < "${conf}"
	[ -z "${missing}" ] || { echo "not set:${missing}"; return 1; }
	nice -n 19 make -C "${src}" O="${build}/o" -j"$(nproc)" bzImage
	cp "${build}/o/arch/x86/boot/bzImage" "${build}/o/.config" "${out}/"
}

echo "kernel.sh: building the ${variant:-plain} guest kernel into ${out} (log: ${log})" >&2
start=$(date +%s)
if ! build_kernel > "${log}" 2>&1; then
	tail -n 30 "${log}" >&2
	rm -rf "${out}"
	die "kernel build failed"
fi
echo "kernel.sh: built in $(( $(date +%s) - start )) s" >&2
echo "${out}/bzImage"
