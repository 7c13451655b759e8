#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - command line: --version, --help, unknown options, bad values,
# --help showing every option, and the manual page covering every option
# --help shows
#
# Nothing here touches a network: the binaries exit while parsing.

. "$(dirname "$0")/../lib/lib.sh"
lib_init noroot

# version_check() - --version prints one line "NAME VERSION", exits 0
# $1:	Binary
# $2:	Name it must print
version_check() {
	local out rc
	out="$(timeout 10 "$1" --version 2>&1)"
	rc=$?
	if [ ${rc} -ne 0 ]; then
		fail "version_$2" "exit ${rc}"
	elif [ "$(printf '%s\n' "${out}" | wc -l)" -ne 1 ]; then
		fail "version_$2" "$(printf '%s\n' "${out}" | wc -l) lines: ${out}"
	elif ! printf '%s' "${out}" | grep -qE "^$2 [0-9]"; then
		fail "version_$2" "'${out}' doesn't start with '$2 VERSION'"
	else
		pass "version_$2"
	fi
}

version_check "${PASTA}" pasta
version_check "${PASST}" passt

# rootlesskit's probe: options before --version are parsed, and known
check "version_after_option" timeout 10 "${PASTA}" --host-lo-to-ns-lo --version

out="$(timeout 10 "${PASTA}" --bogus 2>&1 >/dev/null)"
rc=$?
if [ ${rc} -ne 1 ]; then
	fail "unknown_option" "exit ${rc}, expected 1"
else
	check_grep "unknown_option" "unrecognized option '--bogus'" "${out}"
fi

# Podman matches this exact prefix to retry without --map-guest-addr
out="$(timeout 10 "${PASTA}" --map-guest-addrx 203.0.113.7 2>&1 >/dev/null)"
check_grep "unknown_option_getopt_form" "unrecognized option '--map-guest-addr" "${out}"

# bad_value() - A bad value exits 1, naming the option and quoting the value
# $1:	Check name
# $2:	Option name as the message must show it (regex)
# $3:	Value
# $@:	Arguments
bad_value() {
	local name="$1" opt="$2" val="$3" out rc
	shift 3
	out="$(timeout 10 "${PASTA}" "$@" 2>&1 >/dev/null)"
	rc=$?
	if [ ${rc} -ne 1 ]; then
		fail "${name}" "exit ${rc}, expected 1 (stderr: ${out})"
	elif ! printf '%s' "${out}" | grep -qE -- "${opt}"; then
		fail "${name}" "message doesn't name ${opt}: ${out}"
	elif ! printf '%s' "${out}" | grep -qF -- "'${val}'"; then
		fail "${name}" "message doesn't quote '${val}': ${out}"
	else
		pass "${name}"
	fi
}

bad_value bad_mtu		'--mtu'		70000		-m 70000
bad_value bad_address		'--address'	1.2.3.4.5	-a 1.2.3.4.5
bad_value bad_port		'--tcp-ports'	70000		-t 70000
bad_value bad_port_range	'--tcp-ports'	10-5		-t 10-5
bad_value bad_mac		'--mac-addr'	zz:zz		-M zz:zz
bad_value bad_netns_empty	'--netns'	''		--netns ''
bad_value bad_netmask		'--netmask'	33		-n 33
bad_value bad_log_size		'--log-size'	1		--log-size 1
bad_value bad_udp_port		'--udp-ports'	0		-u 0
bad_value bad_gateway		'--gateway'	300.1.1.1	-g 300.1.1.1

check "help_exits_0" timeout 10 "${PASTA}" -h
check "help_passt_exits_0" timeout 10 "${PASST}" --help

# --help fits a terminal of 80 columns
long="$( { timeout 10 "${PASTA}" --help; timeout 10 "${PASST}" --help; } 2>&1 |
	awk 'length > 79')"
[ -z "${long}" ] && pass "help_width" || fail "help_width" "lines over 79 columns: ${long}"

# Every long option the parser knows (the table in conf.c) is in --help,
# of pasta or of passt
opts="$(sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)",.*_argument,.*/\1/p' "${TOP_DIR}/conf.c" | sort -u)"
help="$( { timeout 10 "${PASTA}" --help; timeout 10 "${PASST}" --help; } 2>&1)"
missing=
for o in ${opts}; do
	printf '%s\n' "${help}" | grep -qE -- "(^|[^a-z0-9-])--${o}([^a-z0-9-]|$)" ||
		missing="${missing} --${o}"
done
if [ -z "${opts}" ]; then
	fail "help_covers_options" "no options found in conf.c"
elif [ -n "${missing}" ]; then
	fail "help_covers_options" "not in --help:${missing}"
else
	pass "help_covers_options"
fi

# Every long option --help shows must be in the manual page
man="${TOP_DIR}/doc/passt.1"
if [ ! -f "${man}" ]; then
	fail "manual_covers_help" "doc/passt.1 is missing"
else
	# Roff: \- is a minus, \fB...\fR are fonts
	text="$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em//g' "${man}")"
	missing=
	for o in $( { timeout 10 "${PASTA}" --help; timeout 10 "${PASST}" --help; } 2>&1 |
		    grep -oE -- '--[a-z0-9][a-z0-9-]*[a-z0-9]' | sort -u); do
		printf '%s\n' "${text}" | grep -qE -- "(^|[^a-z0-9-])${o}([^a-z0-9-]|$)" ||
			missing="${missing} ${o}"
	done
	if [ -n "${missing}" ]; then
		fail "manual_covers_help" "not in doc/passt.1:${missing}"
	else
		pass "manual_covers_help"
	fi
fi

lib_done
