# SPDX-License-Identifier: GPL-2.0-or-later
# pt.sh - shell functions for the VM tests' /test.sh scripts, which source
# it (/etc/pt.sh in the guest)

# pt_up() - Bring eth0 up and take a DHCP lease (udhcpc.script prints it)
pt_up() {
	ip link set eth0 up
	udhcpc -i eth0 -f -q -n -t 5 -T 2 2>&1
}

# pt_download() - Fetch a URL, print "PT NAME SHA256" if that worked
# $1:	Name of the finding
# $2:	URL
pt_download() {
	wget -q -O /tmp/pt-download "$2" &&
		echo "PT $1 $(sha256sum < /tmp/pt-download | cut -d' ' -f1)"
	rm -f /tmp/pt-download
}
