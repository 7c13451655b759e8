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

# pt_dns() - Look a name up, A and AAAA, through /etc/resolv.conf's server:
#	     print "PT dns4 ADDRESS" and "PT dns6 ADDRESS"
# $1:	Name
pt_dns() {
	echo "PT dns4 $(nslookup -type=a "$1" | awk '/^Address/ && !/#/ { print $2 }' | tail -n 1)"
	echo "PT dns6 $(nslookup -type=aaaa "$1" | awk '/^Address/ && !/#/ { print $2 }' | tail -n 1)"
}

# pt_udp_ask() - UDP echo to a host-side server: "PT udp-ask ADDR: N of M ..."
# $1:	Address
# $2:	Port
# $3:	How many datagrams
pt_udp_ask() {
	ptguest udp-ask "$1" "$2" "$3" | sed 's/^/PT /'
}

# pt_forwards() - What the host sends through passt's forwards: echo UDP
#		  on one port (until 8 s without any), take one TCP stream
#		  on another (print "PT listening" once both listen, then
#		  "PT forwarded SHA256 BYTES"), and send it back out to a
#		  host-side server ("PT uploaded")
# $1:	UDP port
# $2:	TCP port
# $3:	Address of the upload server
# $4:	Its port
# $5:	MTU of eth0 for the upload, if given (below the MSS passt offers,
#	TCP segmentation offload has segments to join: super-frames)
pt_forwards() {
	local i nc
	ptguest udp-echo "$1" 8 | sed 's/^/PT /' &
	nc -l -p "$2" > /tmp/fwd &
	nc=$!
	echo "PT listening"
	for i in $(seq 1 600); do kill -0 $nc 2>/dev/null || break; sleep 0.1; done
	echo "PT forwarded $(sha256sum < /tmp/fwd | cut -d' ' -f1) $(wc -c < /tmp/fwd)"
	[ -n "$5" ] && ip link set eth0 mtu "$5"
	nc "$3" "$4" < /tmp/fwd && echo "PT uploaded"
	rm -f /tmp/fwd
	wait
}
