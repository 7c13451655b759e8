#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/vm/kernel.sh - build the VM tests' guest kernel once, print its path
#
# Usage: test/vm/kernel.sh
#
# The kernel comes from Debian's linux-source-6.12 (/usr/src), configured
# as allnoconfig plus test/vm/kernel.config. It is cached outside the
# repository, in PT_VM_CACHE (default: ~/.cache/passt-vm), under a key made
# of the configuration, this script and the source package's version: any
# change to one of them builds a new one. The build takes a few minutes
# with every core; later calls just print the path. Concurrent calls wait
# for each other (flock). Output of the build goes to kernel-KEY.log
# there; on failure its end is printed.

set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${PT_VM_CACHE:-${HOME}/.cache/passt-vm}"
SRC_TAR=/usr/src/linux-source-6.12.tar.xz
FRAGMENT="${HERE}/kernel.config"

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

[ -r "${SRC_TAR}" ] || die "${SRC_TAR} missing: apt-get install linux-source-6.12"
ver="$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null)" ||
	die "can't read the version of linux-source-6.12"
key="$(cat "${FRAGMENT}" "$0" - <<<"${ver}" | sha256sum | cut -c1-16)"
out="${CACHE}/kernel-${key}"
mkdir -p "${CACHE}"

exec 9>"${CACHE}/kernel.lock"
flock 9
if [ -s "${out}/bzImage" ]; then
	echo "${out}/bzImage"
	exit 0
fi

log="${CACHE}/kernel-${key}.log"
build="${CACHE}/build-${key}"
rm -rf "${build}" "${out}"
mkdir -p "${build}" "${out}"
trap 'rm -rf "${build}"' EXIT

# build_kernel() - Unpack, configure, check the configuration, build
build_kernel() {
	local src="${build}/linux-source-6.12" missing line

	tar -C "${build}" -xJf "${SRC_TAR}"
	make -C "${src}" O="${build}/o" KCONFIG_ALLCONFIG="${FRAGMENT}" \
		allnoconfig
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
	done < "${FRAGMENT}"
	[ -z "${missing}" ] || { echo "not set:${missing}"; return 1; }
	make -C "${src}" O="${build}/o" -j"$(nproc)" bzImage
	cp "${build}/o/arch/x86/boot/bzImage" "${build}/o/.config" "${out}/"
}

echo "kernel.sh: building the guest kernel into ${out} (log: ${log})" >&2
start=$(date +%s)
if ! build_kernel > "${log}" 2>&1; then
	tail -n 30 "${log}" >&2
	rm -rf "${out}"
	die "kernel build failed"
fi
echo "kernel.sh: built in $(( $(date +%s) - start )) s" >&2
echo "${out}/bzImage"
