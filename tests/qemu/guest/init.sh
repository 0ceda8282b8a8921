#!/bin/sh
# guest-init: /init of the QEMU tier's image. Mounts the API filesystems, runs every
# /tests/*.t with /bin/sh (sorted), each in its own session under a watchdog, prints
# their ok/not ok lines on the console, then powers off.
#
# Environment for the tests: SANDBOXD SANDBOXCTL PROBE TESTS UNITS (see README.md).
# Kernel command line knobs (become environment of this init): sbxtest_timeout=S
# (per-script limit, default 120), sbxtest_only=GLOB (run only matching scripts).

export PATH=/bin:/sbin
export HOME=/root
export SANDBOXD=/sbin/sandboxd SANDBOXCTL=/bin/sandboxctl PROBE=/bin/probe
export TESTS=/tests UNITS=/tests/units

say() { echo "# guest: $*"; }

# The firmware's last console line has no newline: start on a fresh line.
echo

mnt() {
	# mnt TYPE TARGET [OPTIONS]
	mkdir -p "$2"
	if ! mount -t "$1" ${3:+-o "$3"} "$1" "$2"; then
		echo "not ok guest-mount-$1: mount -t $1 $2 failed"
	fi
}
mnt proc /proc nosuid,nodev,noexec
mnt sysfs /sys nosuid,nodev,noexec
mnt devtmpfs /dev nosuid,mode=755
mnt cgroup2 /sys/fs/cgroup nosuid,nodev,noexec
mnt tmpfs /run nosuid,nodev,mode=755
mnt tmpfs /tmp nosuid,nodev,mode=1777
mnt devpts /dev/pts nosuid,noexec,gid=5,mode=620,ptmxmode=666
mnt tmpfs /dev/shm nosuid,nodev,mode=1777
ln -sf /proc/self/fd /dev/fd 2>/dev/null
# Only emergencies (a panic) may interleave with test output on the console.
echo 1 > /proc/sys/kernel/printk
hostname sbx-guest

limit=${sbxtest_timeout:-120}
only=${sbxtest_only:-*}
say "kernel $(uname -r), $(nproc) cpus, $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"

ran=0
for t in /tests/*.t; do
	[ -f "$t" ] || continue
	name=${t##*/}
	# shellcheck disable=SC2254 # $only is a glob on purpose
	case $name in $only) ;; *) continue ;; esac
	ran=$((ran + 1))
	say "run $name"
	start=$(cut -d' ' -f1 /proc/uptime)
	# Own session and process group, so that the watchdog and the cleanup after
	# reach every process the script left behind.
	# The output streams live through tee (so that a hang or a panic still shows
	# what came before it) and is kept in /run/t.out to be checked.
	rm -f /run/t.fifo /run/t.out
	mkfifo /run/t.fifo
	tee /run/t.out < /run/t.fifo &
	teepid=$!
	( cd /tests && exec setsid /bin/sh "$t" ) > /run/t.fifo 2>&1 < /dev/null &
	pid=$!
	setsid /bin/sh -c "sleep $limit; kill -KILL -$pid" > /dev/null 2>&1 &
	dog=$!
	wait $pid
	rc=$?
	kill -KILL -$dog 2>/dev/null
	kill -KILL -$pid 2>/dev/null
	# A process that left the script's group may still hold the fifo open.
	setsid /bin/sh -c "sleep 3; kill -KILL $teepid" > /dev/null 2>&1 &
	dog=$!
	wait $teepid
	kill -KILL -$dog 2>/dev/null
	results=$(grep -cE '^(ok|not ok|skip) ' /run/t.out)
	failed=$(grep -c '^not ok ' /run/t.out)
	if [ "$rc" = 137 ]; then
		echo "not ok $name: killed after the ${limit} s limit"
	elif [ "$results" = 0 ]; then
		echo "not ok $name: printed no result (exit status $rc)"
	elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
		echo "not ok $name: exit status $rc"
	fi
	end=$(cut -d' ' -f1 /proc/uptime)
	say "end $name rc=$rc results=$results time=$start..$end"
done
# Zombies left by the scripts are this shell's now.
wait 2>/dev/null
say "done $ran scripts"
sync
poweroff -f
sleep 5
say "poweroff failed"
