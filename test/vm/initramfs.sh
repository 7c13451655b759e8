#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/vm/initramfs.sh - build the VM tests' base initramfs once, print
# its path
#
# Usage: test/vm/initramfs.sh
#
# The image (gzipped newc cpio) holds a static busybox, from Debian's
# busybox-static, fetched with apt-get download and unpacked into the
# cache (it can't be installed next to the busybox package), our init,
# udhcpc script and shell functions (test/vm/guest) and ptguest, built static from
# test/vm/guest/ptguest.c, zcprobe, from test/vm/guest/zcprobe.c (with
# test/kernel/zc_notification.h), and vzcprobe, from
# test/vm/guest/vzcprobe.c (with test/kernel/vsock_zc.h). A test appends an archive of its own with
# /test.sh (test/vm/lib.sh). Cached like the kernel (see kernel.sh), keyed
# by those files and busybox-static's version.

set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
GUEST="${HERE}/guest"
ZC_HEADER="${HERE}/../kernel/zc_notification.h"
VZC_HEADER="${HERE}/../kernel/vsock_zc.h"
CACHE="${PT_VM_CACHE:-${HOME}/.cache/passt-vm}"

die() {
	echo "initramfs.sh: $*" >&2
	exit 1
}

mkdir -p "${CACHE}"
exec 9>"${CACHE}/initramfs.lock"
flock 9

# busybox_static() - Path of a static busybox, fetched once
busybox_static() {
	local deb dir="${CACHE}/busybox-static"

	if [ ! -x "${dir}/bin/busybox" ]; then
		rm -rf "${dir}" "${CACHE}/deb"
		mkdir -p "${CACHE}/deb"
		# With no package lists yet, once more after an update
		(cd "${CACHE}/deb" && { apt-get download busybox-static ||
			{ apt-get update -qq &&
			  apt-get download busybox-static; }; }) \
			>"${CACHE}/deb.log" 2>&1 ||
			die "apt-get download busybox-static failed: $(tail -n 2 "${CACHE}/deb.log")"
		deb="$(ls "${CACHE}"/deb/busybox-static_*.deb)"
		dpkg-deb -x "${deb}" "${dir}" || die "can't unpack ${deb}"
		dpkg-deb -f "${deb}" Version > "${dir}/VERSION"
		rm -rf "${CACHE}/deb"
	fi
	echo "${dir}"
}

bb="$(busybox_static)"
key="$(cat "$0" "${GUEST}/init" "${GUEST}/udhcpc.script" "${GUEST}/pt.sh" \
	"${GUEST}/ptguest.c" "${GUEST}/zcprobe.c" "${ZC_HEADER}" \
	"${GUEST}/vzcprobe.c" "${VZC_HEADER}" "${bb}/VERSION" | sha256sum | cut -c1-16)"
out="${CACHE}/initramfs-${key}.cpio.gz"
if [ -s "${out}" ]; then
	echo "${out}"
	exit 0
fi

stage="$(mktemp -d "${CACHE}/stage.XXXXXX")"
trap 'rm -rf "${stage}"' EXIT
mkdir -p "${stage}/bin" "${stage}/etc/udhcpc"
cp "${bb}/bin/busybox" "${stage}/bin/busybox"
cp "${GUEST}/init" "${stage}/init"
cp "${GUEST}/udhcpc.script" "${stage}/etc/udhcpc/default.script"
cp "${GUEST}/pt.sh" "${stage}/etc/pt.sh"
gcc -static -O2 -Wall -Wextra -Werror -o "${stage}/bin/ptguest" \
	"${GUEST}/ptguest.c" || die "can't build ptguest"
gcc -static -O2 -Wall -Wextra -Werror -I"$(dirname "${ZC_HEADER}")" \
	-o "${stage}/bin/zcprobe" "${GUEST}/zcprobe.c" ||
	die "can't build zcprobe"
gcc -static -O2 -Wall -Wextra -Werror -I"$(dirname "${VZC_HEADER}")" \
	-o "${stage}/bin/vzcprobe" "${GUEST}/vzcprobe.c" ||
	die "can't build vzcprobe"
chmod 0755 "${stage}/init" "${stage}/etc/udhcpc/default.script"
(cd "${stage}" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 > "${out}.tmp"
mv "${out}.tmp" "${out}"
echo "${out}"
