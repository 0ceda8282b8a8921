#!/bin/bash
# Issue #11's launcher side through unit files and `sandboxctl run` on this
# host: lo up in a unit's private network (PrivateNetwork=), a unit in a
# named network namespace (NetworkNamespacePath=), EnvironmentFile= (with
# "-", a missing file, systemd's precedence), and Type=forking with Init=
# (the reaper keeps the namespace for the daemon). The joins themselves
# (JoinsNamespaceOf=, commands in a running service) are driven by PID 1,
# not by `run`: tests/unit/test_join.c checks them on the same kernel.
#
# Env: SANDBOXCTL = sandboxctl to test, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok launch-join-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok launch-join-prereqs "needs root and busybox-static"
	exit 1
fi

work=$(mktemp -d /var/tmp/sbx-launch-join.XXXXXX) || exit 1
netns=sbx-lj-$$
trap 'rm -rf "$work"; ip netns del "$netns" 2>/dev/null' EXIT
units=$work/units
mkdir -p "$units"

# unit NAME LINES...: a [Service] unit, one line per argument
unit() {
	local n=$1
	shift
	printf '[Service]\n' >"$units/$n.unit"
	printf '%s\n' "$@" >>"$units/$n.unit"
}
# run NAME: sets out (stdout), err (stderr), rc
run() {
	out=$(timeout 30 "$SANDBOXCTL" run --units "$units" "$1" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
check() {
	if [ "$3" = "$2" ]; then ok "$1"; else nok "$1" "want '$(oneline "$2")', got '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}
check_has() {
	if printf '%s' "$3" | grep -qE -- "$2"; then ok "$1"; else nok "$1" "no /$2/ in '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}

# ---- lo up: a server on 127.0.0.1 and a client of it in one private network
# shellcheck disable=SC2016 # expanded by the sandbox's shell
unit lo 'ExecStart=/bin/busybox sh -c "busybox ip link show lo; busybox nc -l -p 5557 -e /bin/echo pong & s=$!; for i in $(busybox seq 1 50); do r=$(busybox nc 127.0.0.1 5557 </dev/null 2>/dev/null) && [ -n \"$r\" ] && { echo got $r; break; }; busybox sleep 0.1; done; kill $s 2>/dev/null; wait"' \
	'PrivateNetwork=yes'
run lo
check_has launch-join-lo-up '<LOOPBACK,UP' "$out"
check_has launch-join-lo-connect '^got pong$' "$out"

# ---- NetworkNamespacePath=: the named namespace, its lo left alone
if ip netns add "$netns" 2>/dev/null && [ -e "/run/netns/$netns" ]; then
	ino=$(stat -L -c %i "/run/netns/$netns")
	unit netns 'ExecStart=/bin/busybox sh -c "busybox readlink /proc/self/ns/net; busybox ip link show lo"' \
		"NetworkNamespacePath=/run/netns/$netns"
	run netns
	check_has launch-join-netns-path "^net:\[$ino\]$" "$out"
	check_has launch-join-netns-path-lo-untouched '<LOOPBACK>' "$out"
	unit netns-bad 'ExecStart=/bin/true' 'NetworkNamespacePath=/etc/hostname'
	run netns-bad
	check_has launch-join-netns-path-refused 'not a network namespace' "$err"
else
	skip launch-join-netns-path "ip netns add does not work here"
fi

# ---- EnvironmentFile=
printf 'B=file\nC="quoted  value"\n' >"$work/env1"
printf 'C=later\n' >"$work/env2"
unit env 'ExecStart=/bin/busybox sh -c "echo A=$A B=$B C=$C"' 'Environment=A=unit B=unit' \
	"EnvironmentFile=$work/env1" "EnvironmentFile=-$work/missing" "EnvironmentFile=$work/env2"
run env
check launch-join-envfile "A=unit B=file C=later" "$out"
unit env-missing 'ExecStart=/bin/true' "EnvironmentFile=$work/missing"
run env-missing
check_has launch-join-envfile-missing-fails "read the environment file $work/missing: No such file or directory" "$err"

# ---- Type=forking with Init=: the started shell exits at once; the
# reaper keeps the pid namespace until the background job has written
unit forking 'Type=forking' 'ExecStart=/bin/busybox sh -c "(busybox sleep 1; echo late) & exit 0"' \
	'Init=yes'
run forking
check launch-join-forking-daemon-lives "late" "$out"
check launch-join-forking-status 0 "$rc"
