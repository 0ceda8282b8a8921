# Sourced by the 2*-cgroup*.t guest tests: their names, reporters, and the
# guard that keeps them off any host (they write to /sys/fs/cgroup).
ctl=${SANDBOXCTL:-/bin/sandboxctl}
probe=${PROBE:-/bin/probe}
cgroot=/sys/fs/cgroup/${CGROUP_ROOT:-sandboxd}
units=/tmp/units

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
oneline() { tr '\n' ' ' < "$1" | cut -c1-300; }

# cg_guard NAME: only in the QEMU tier's guest with a cgroup2 /sys/fs/cgroup.
cg_guard() {
	if [ ! -e /tests/guest-init ] || ! grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		nok "$1" "not in the QEMU guest with a cgroup2 /sys/fs/cgroup; refusing to run"
		exit 1
	fi
	mkdir -p "$units"
}
