#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install what building (and testing) needs, only if missing
#
# Usage: scripts/deps.sh [build|test|bench]
# Debian 12 packages; apt-get runs only when something is missing.

set -eu

build="gcc make libc6-dev libcap-ng-dev libseccomp-dev iproute2"
test="$build clang libclang-rt-14-dev libcmocka-dev iperf3 socat curl
      iputils-ping dnsutils isc-dhcp-client busybox ndisc6 tcpdump python3
      uidmap util-linux cppcheck clang-tidy valgrind procps kmod dnsmasq"
# The VM tests (test/vm): QEMU, the kernel source and what building it
# takes, cpio for the initramfs, and libvirt's session daemon and virsh.
# Installed without their recommendations (QEMU's would bring a desktop)
vm="qemu-system-x86 linux-source-6.12 flex bison bc libelf-dev libssl-dev
    cpio xz-utils gzip libvirt-daemon libvirt-daemon-driver-qemu
    libvirt-clients"
# make bench: the peers (Debian's pasta, slirp4netns), the measuring tools
# (socat feeds sha256sum in the hash figures),
# and Debian's python3 with matplotlib for the chart
bench="$build iperf3 sockperf socat passt slirp4netns python3
       python3-matplotlib procps"

plain=
bare=
case "${1:-build}" in
build)	plain=$build ;;
test)	plain=$test; bare=$vm ;;
bench)	plain=$bench; bare=$vm ;;
*)	echo "Usage: $0 [build|test|bench]" >&2; exit 1 ;;
esac

# missing() - Print which of the packages given aren't installed
missing() {
	for p in "$@"; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in
		*"install ok installed"*) ;;
		*) printf ' %s' "$p" ;;
		esac
	done
}

# shellcheck disable=SC2086
missing_plain=$(missing $plain)
# shellcheck disable=SC2086
missing_bare=$(missing $bare)
[ -z "$missing_plain$missing_bare" ] && exit 0

echo "Installing:$missing_plain$missing_bare"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
if [ -n "$missing_plain" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing_plain
fi
if [ -n "$missing_bare" ]; then
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing_bare
fi
