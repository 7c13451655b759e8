#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unpriv.sh - pasta run by an unprivileged user (nobody)
#
# The "host" here is a network namespace owned by a user namespace that
# nobody creates with unshare: the same blackhole topology as in
# test/lib/lib.sh, built without root. This machine's /dev/net/tun is
# mode 0600, so a 0666 node of our own (made by root in our temporary
# directory) is bind-mounted over it in nobody's mount namespace.
#
#   init namespaces (root): test script, T_TMP/tun (c 10 200, 0666)
#     `-- setpriv nobody: unshare user+net+mount namespaces
#           bh0 (ifb) 198.51.100.2/24 2001:db8::2/64, lo, /dev/net/tun bound
#           `-- pasta --config-net -- ping ...
#
# Two ways in:
#   userns_root_*: nobody maps itself to root (unshare -Urnm), pasta runs as
#	root of that user namespace and creates a network namespace only
#   rootless_*: nobody stays nobody, with no capabilities at all (setpriv
#	clears them), so pasta takes its rootless path: a user namespace of
#	its own where nobody is root, and a network namespace

. "$(dirname "$0")/../lib/lib.sh"
lib_init
need_cmd "unpriv" setpriv unshare || lib_done
modprobe -q ifb 2>/dev/null

NOBODY=65534
if ! mknod "${T_TMP}/tun" c 10 200 || ! chmod 0666 "${T_TMP}/tun"; then
	fail "setup" "couldn't make a tun node in ${T_TMP}"
	lib_done
fi

# The script nobody runs inside its namespaces: build the host, run the
# checks, print "ok NAME" or "bad NAME: why" for each
cat > "${T_TMP}/inner.sh" <<EOF
#!/bin/sh
# \$1: "bind" to bind-mount our tun node, "nobind" to leave /dev/net/tun
# \$2: ping group range to allow
# \$3: "nocaps" to run pasta without capabilities
T=${T_TMP}
PASTA=${PASTA}
if [ "\$1" = bind ]; then
	mount --bind "\${T}/tun" /dev/net/tun || { echo "bad setup: bind mount"; exit 1; }
fi
ip link add ${HOST_IF} type ifb && ip link set ${HOST_IF} up && ip link set lo up &&
ip addr add ${HOST_ADDR4}/${HOST_PREFIX4} dev ${HOST_IF} &&
ip addr add ${HOST_ADDR6}/${HOST_PREFIX6} dev ${HOST_IF} nodad &&
ip route add default via ${HOST_GW4} && ip -6 route add default via ${HOST_GW6} &&
sysctl -qw net.ipv4.ping_group_range="\$2" || { echo "bad setup: host namespace"; exit 1; }

run() {
	if [ "\$1" = nocaps ]; then
		shift
		setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all "\$@"
	else
		shift
		"\$@"
	fi
}

out="\$(run "\$3" timeout 20 "\${PASTA}" -D ${TEST_DNS4} --config-net -- sh -c '
	echo "uid \$(id -u)"
	echo "map \$(cat /proc/self/uid_map)"
	ping -n -q -c 2 -i 0.2 -W 2 ${HOST_GW4} >/dev/null && echo "ping4 ok"
	ping -n -q -c 2 -i 0.2 -W 2 -6 ${HOST_GW6} >/dev/null && echo "ping6 ok"
	grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs):" /proc/\$PPID/status | tr -d "\t" | sed "s/^/daemon /"
	' 2>&1)"
echo "exit \$?"
echo "\${out}"
EOF
chmod 0755 "${T_TMP}/inner.sh"

# as_nobody() - Run the inner script as nobody in new namespaces
# $1:	Output file
# $@:	unshare options, then inner.sh arguments after "--"
as_nobody() {
	local out="$1"
	shift
	timeout 60 setpriv --reuid="${NOBODY}" --regid="${NOBODY}" --clear-groups \
		unshare "$@" > "${out}" 2>&1 < /dev/null
}

# results() - Checks on the inner script's output
# $1:	Prefix of check names
# $2:	Output file
# $3:	Expected uid_map line inside pasta's namespace (regex), or ""
results() {
	local p="$1" f="$2" o
	o="$(cat "$2")"
	if ! grep -q "^exit 0" "${f}"; then
		fail "${p}_start" "$(printf '%s' "${o}" | tail -n 4)"
		return
	fi
	pass "${p}_start"
	grep -q "^ping4 ok" "${f}" && pass "${p}_ping_ipv4" || fail "${p}_ping_ipv4" "$(tail -n 4 "${f}")"
	grep -q "^ping6 ok" "${f}" && pass "${p}_ping_ipv6" || fail "${p}_ping_ipv6" "$(tail -n 4 "${f}")"
	[ -n "$3" ] && check_grep "${p}_user_namespace" "$3" "${o}"
	# What the daemon kept, read by its command once it pinged
	if grep -q "^daemon CapEff:0000000000000000" "${f}" &&
	   grep -q "^daemon CapPrm:0000000000000000" "${f}" &&
	   grep -q "^daemon CapBnd:0000000000000000" "${f}" &&
	   grep -q "^daemon NoNewPrivs:1" "${f}"; then
		pass "${p}_daemon_isolated"
	else
		fail "${p}_daemon_isolated" "$(grep '^daemon' "${f}" | tr '\n' ' ')"
	fi
}

# nobody maps itself to root
as_nobody "${T_TMP}/out.root" -Urnm -- "${T_TMP}/inner.sh" bind "0 0" caps
results "userns_root" "${T_TMP}/out.root" ""

# nobody stays nobody, no capabilities: pasta makes its own user namespace
as_nobody "${T_TMP}/out.rootless" --user --map-current-user --net --mount \
	--keep-caps -- "${T_TMP}/inner.sh" bind "${NOBODY} ${NOBODY}" nocaps
results "rootless" "${T_TMP}/out.rootless" "map +0 +${NOBODY} +1"
rc="$(sed -n 's/^exit //p' "${T_TMP}/out.rootless")"
daemon_stop_check "rootless_daemon_exit" --exited "${rc:-none}"
grep -q "^uid 0" "${T_TMP}/out.rootless" && pass "rootless_command_is_root_inside" ||
	fail "rootless_command_is_root_inside" "$(grep '^uid' "${T_TMP}/out.rootless")"

# Without access to /dev/net/tun: a clear error, exit 1
as_nobody "${T_TMP}/out.notun" -Urnm -- "${T_TMP}/inner.sh" nobind "0 0" caps
if grep -q "^exit 1" "${T_TMP}/out.notun" && grep -q "/dev/net/tun" "${T_TMP}/out.notun"; then
	pass "tun_not_accessible_error"
else
	fail "tun_not_accessible_error" "$(tail -n 4 "${T_TMP}/out.notun")"
fi

lib_done
