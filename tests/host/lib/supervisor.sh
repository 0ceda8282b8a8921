# Sourced (after report.sh) by the host scripts that run the supervisor,
# not as PID 1, on a unit folder of their own.
#
# sup_setup NAME PREFIX: needs root, SANDBOXD and SANDBOXCTL (else "not ok
# NAME-prereqs" and exit 1); makes $work under /var/tmp (units see it: their
# /tmp and /run are their own) with $units and $run, and an EXIT trap that
# stops the supervisor ($sup_pid) and a FUSE probe ($fuse_pid) the script
# started, then removes $work.
# sup_state UNIT: the unit's state word from `sandboxctl status` (empty
# when PID 1 does not answer); sup_wait UNIT STATE SECONDS: until it is
# STATE (0) or the time is up (1).
# sup_fuse_hang CHECK: mounts a FUSE file system that never answers at
# $work/fuse (probe fuse-hang, $fuse_pid); without /dev/fuse, the probe or
# the mount: "skip CHECK: why" and exit 0.

sup_setup() {
	if [ "$(id -u)" != 0 ] || [ ! -x "$SANDBOXD" ] || [ ! -x "$SANDBOXCTL" ]; then
		nok "$1-prereqs" "needs root, SANDBOXD and SANDBOXCTL"
		exit 1
	fi
	work=$(mktemp -d "/var/tmp/sbx-$2.XXXXXX") || exit 1
	chmod 755 "$work"
	sup_pid=
	fuse_pid=
	trap sup_cleanup EXIT
	units=$work/units
	run=$work/run
	mkdir -p "$units" "$run"
}

sup_cleanup() {
	if [ -n "$fuse_pid" ]; then
		kill -KILL "$fuse_pid" 2>/dev/null
		wait "$fuse_pid" 2>/dev/null
		umount -l "$work/fuse" 2>/dev/null
	fi
	if [ -n "$sup_pid" ]; then
		kill -TERM "$sup_pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$sup_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sup_pid" 2>/dev/null
		wait "$sup_pid" 2>/dev/null
	fi
	rm -rf "$work"
}

sup_state() {
	"$SANDBOXCTL" status "$1" 2>/dev/null | sed -n 's/^State: \([a-z-]*\).*/\1/p'
}

sup_wait() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		[ "$(sup_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

sup_fuse_hang() {
	PROBE=${PROBE:-$(env TOP="$TOP" "$TOP/tests/qemu/probe.sh" 2>/dev/null)}
	if [ ! -x "${PROBE:-}" ] || [ ! -c /dev/fuse ]; then
		skip "$1" "needs /dev/fuse and build/probe (musl-gcc)"
		exit 0
	fi
	mkdir -p "$work/fuse"
	"$PROBE" fuse-hang "$work/fuse" >"$work/fuse.out" 2>&1 &
	fuse_pid=$!
	for _ in $(seq 1 50); do grep -q '^fuse-hang: mounted' "$work/fuse.out" && break; sleep 0.1; done
	if ! grep -q '^fuse-hang: mounted' "$work/fuse.out"; then
		skip "$1" "no FUSE mount: $(oneline "$(cat "$work/fuse.out")")"
		exit 0
	fi
}
