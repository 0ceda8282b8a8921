# Sourced by the 2*-cgroup*.t guest tests: their names, reporters, and the
# guard that keeps them off any host (they write to /sys/fs/cgroup).
ctl=${SANDBOXCTL:-/bin/sandboxctl}
probe=${PROBE:-/bin/probe}
cgroot=/sys/fs/cgroup/${CGROUP_ROOT:-sandboxd}
# not under /tmp or /run: a unit on the system's root gets its own of those
units=/var/lib/sbx-test-units
# helper scripts live outside the unit folder: no unit sees that folder
# (issue #9, rootfs/hide.c)
scripts=/var/lib/sbx-test-scripts

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
oneline() { tr '\n' ' ' < "$1" | cut -c1-300; }

# cg_guard NAME: only in the QEMU tier's guest with a cgroup2 /sys/fs/cgroup.
cg_guard() {
	if [ ! -e /tests/guest-init ] || ! grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		nok "$1" "not in the QEMU guest with a cgroup2 /sys/fs/cgroup; refusing to run"
		exit 1
	fi
	mkdir -p "$units" "$scripts"
}

# wait_ready OUT PID: until the service wrote "in ready" to OUT, its run
# (PID) ended, or 60 s passed.
wait_ready() {
	_i=0
	while ! grep -q '^in ready' "$1" && kill -0 "$2" 2>/dev/null && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
