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
# make bench: the peers (Debian's pasta, slirp4netns), the measuring tools
# (socat feeds sha256sum in the hash figures),
# and Debian's python3 with matplotlib for the chart
bench="$build iperf3 sockperf socat passt slirp4netns python3
       python3-matplotlib procps"

case "${1:-build}" in
build)	want=$build ;;
test)	want=$test ;;
bench)	want=$bench ;;
*)	echo "Usage: $0 [build|test|bench]" >&2; exit 1 ;;
esac

missing=
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "Installing:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
