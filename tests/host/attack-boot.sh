#!/bin/bash
# Attacks on "which process is the init" (issue 9, item 12): the one binary
# run as PID 1 of a pid namespace that is not the system's (a unit's, or an
# `unshare -p`), or under a name that is not sandboxd's, must not become a
# second init or supervisor, must say so and write nothing; by the name
# sandboxctl it is the client whatever its pid. And `sandboxd --units`
# (the development mode) must not take over a run folder that a running
# supervisor (PID 1 above all) answers on.
#
# Nothing here writes to /sys/fs/cgroup: the host's is not a cgroup2 mount,
# and every binary run here is either refused or the development mode,
# which then runs its units without cgroups.
#
# Env: SANDBOXD (sandboxd to test; default $TOP/build/sandboxd), TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${SANDBOXD:-$TOP/build/sandboxd}
if [ ! -x "$BIN" ] || [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok boot-prereqs "needs root, busybox-static and SANDBOXD ($BIN)"
	exit 1
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

work=$(mktemp -d /tmp/sbx-atk-boot.XXXXXX) || exit 1
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

# A copy of the binary on its own: nothing here may touch the build's.
cp "$BIN" "$work/sandboxd"
BIN=$work/sandboxd
# What an init on this machine would see as a console (the old code
# dup'ed /dev/console onto its stdio): a file, bound over it in the
# private mount namespace of each try.
: >"$work/console"

# as_pid1 NAME RUNDIR PROC ARGS...: run the binary as PID 1 of a new pid,
# mount and uts namespace, argv[0] NAME, $SANDBOXD_RUN_DIR=RUNDIR, with
# (PROC=proc) or without (PROC=noproc) a /proc; at most 10 s. Sets out
# (stdout and stderr), rc (124: still running after 10 s).
as_pid1() {
	local name=$1 rundir=$2 proc=$3
	shift 3
	out=$(SANDBOXD_RUN_DIR=$rundir timeout -s KILL 10 unshare -fpmu --propagation private bash -c '
		mount --bind "$1" /dev/console || exit 90
		if [ "$2" = proc ]; then mount -t proc proc /proc || exit 91
		else umount -l /proc || exit 92; fi
		bin=$3 name=$4
		shift 4
		exec -a "$name" "$bin" "$@"' bash "$work/console" "$proc" "$BIN" "$name" "$@" 2>&1)
	rc=$?
	[ "$rc" = 137 ] && rc=124
}

unshare -fp --mount-proc true 2>/dev/null ||
	{ skip boot-pidns "unshare -p is refused here"; exit 0; }

# ---- 1. the binary as /sbin/init of a new pid namespace: no second init
for proc in proc noproc; do
	for name in /sbin/init sandboxd; do
		n=$(basename "$name")
		run=$work/run-$n-$proc
		as_pid1 "$name" "$run" "$proc"
		t=boot-pidns-init-refused-$n-$proc
		if [ "$rc" = 124 ]; then
			nok "$t" "still running after 10 s: an init started ($(oneline "$out") $(oneline "$(cat "$work/console")"))"
		elif [ "$rc" = 0 ]; then
			nok "$t" "exit 0: $(oneline "$out")"
		elif [ -e "$run" ]; then
			nok "$t" "the run folder $run was created"
		elif ! printf '%s' "$out" | grep -q '^sandboxd: PID 1 of a pid namespace that is not the system'"'"'s'; then
			nok "$t" "rc $rc, no clear refusal: $(oneline "$out")"
		else
			ok "$t"
		fi
	done
done

# ---- 2. sandboxctl by that name as PID 1 of a pid namespace is the client
for proc in proc noproc; do
	as_pid1 /bin/sandboxctl "$work/run-ctl-$proc" "$proc" status
	t=boot-pidns-sandboxctl-client-$proc
	if [ "$rc" = 4 ] && printf '%s' "$out" | grep -q "^sandboxctl: cannot reach PID 1 at $work/run-ctl-$proc/control.sock" &&
		[ ! -e "$work/run-ctl-$proc" ]; then
		ok "$t"
	else
		nok "$t" "rc $rc: $(oneline "$out")"
	fi
done
as_pid1 sandboxd "$work/run-ctl2" proc ctl status
if [ "$rc" = 4 ] && printf '%s' "$out" | grep -q '^sandboxctl: cannot reach PID 1' && [ ! -e "$work/run-ctl2" ]; then
	ok boot-pidns-ctl-verb-client
else
	nok boot-pidns-ctl-verb-client "rc $rc: $(oneline "$out")"
fi

# ---- 3. from inside a unit (sandboxctl run): the shell tail-execs the binary
root=$work/rootfs
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/tmp" "$root/proc" "$root/dev" "$root/sys"
cp /bin/busybox "$root/bin/busybox"
for a in sh echo cat ls sleep; do ln -s busybox "$root/bin/$a"; done
cp "$BIN" "$root/sbin/init"
ln -s ../sbin/init "$root/bin/sandboxctl"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
units=$work/units
mkdir -p "$units"
unitfile() {   # unitfile NAME EXEC
	printf '[Service]\nExecStart=%s\n[Sandbox]\nRootDirectory=%s\nInit=no\n' "$2" "$root" >"$units/$1.unit"
}
unitfile asinit '/bin/sh -c "exec /sbin/init"'
unitfile asctl '/bin/sh -c "exec /bin/sandboxctl status"'
before=$(cd "$root" && find . | sort | md5sum)
out=$(timeout -s KILL 15 "$BIN" ctl run --units "$units" asinit 2>&1)
rc=$?
after=$(cd "$root" && find . | sort | md5sum)
if [ "$rc" != 137 ] && [ "$rc" != 0 ] &&
	printf '%s' "$out" | grep -q '^sandboxd: PID 1 of a pid namespace that is not the system' &&
	[ "$before" = "$after" ]; then
	ok boot-unit-init-refused
else
	nok boot-unit-init-refused "rc $rc ($([ "$rc" = 137 ] && echo 'still running after 15 s: an init started in the unit'))$([ "$before" = "$after" ] || echo ', the rootfs changed'): $(oneline "$out")"
fi
out=$(timeout -s KILL 15 "$BIN" ctl run --units "$units" asctl 2>&1)
rc=$?
if [ "$rc" = 4 ] && printf '%s' "$out" | grep -q '^sandboxctl: cannot reach PID 1 at'; then
	ok boot-unit-sandboxctl-client
else
	nok boot-unit-sandboxctl-client "rc $rc: $(oneline "$out")"
fi

# ---- 4. not PID 1, not named sandboxd: no supervisor either
run=$work/run-notpid1
out=$(SANDBOXD_RUN_DIR=$run timeout -s KILL 5 bash -c 'exec -a /sbin/init "$0" --units "$1"' "$BIN" "$units" 2>&1)
rc=$?
if [ "$rc" != 137 ] && [ "$rc" != 0 ] && [ ! -e "$run" ] &&
	printf '%s' "$out" | grep -q '^sandboxd: not PID 1'; then
	ok boot-init-name-not-pid1-refused
else
	nok boot-init-name-not-pid1-refused "rc $rc$([ -e "$run" ] && echo ", $run created"): $(oneline "$out")"
fi

# ---- 5. the development mode does not take over a live supervisor's run folder
devunits=$work/dev1
mkdir -p "$devunits" "$work/dev2"
printf '[Service]\nExecStart=/bin/sh -c "echo one; exec /bin/sleep 1000"\n[Sandbox]\nRootDirectory=%s\n' "$root" >"$devunits/svc.unit"
printf '[Service]\nExecStart=/bin/sh -c "echo two; exec /bin/sleep 1000"\n[Sandbox]\nRootDirectory=%s\n' "$root" >"$work/dev2/svc.unit"
cp "$work/dev2/svc.unit" "$work/dev2/intruder.unit"
run=$work/run-dev
SANDBOXD_RUN_DIR=$run "$BIN" --units "$devunits" </dev/null >"$work/dev1.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	SANDBOXD_RUN_DIR=$run "$BIN" ctl status svc 2>/dev/null | grep -q '^State: running' && break
	sleep 0.2
done
snap() { (cd "$run" && find . -printf '%p %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }
if ! SANDBOXD_RUN_DIR=$run "$BIN" ctl status svc 2>/dev/null | grep -q '^State: running'; then
	nok boot-devmode-live-rundir "the first development-mode sandboxd did not come up: $(oneline "$(cat "$work/dev1.log")")"
else
	before=$(snap)
	out=$(SANDBOXD_RUN_DIR=$run timeout -s KILL 5 "$BIN" --units "$work/dev2" </dev/null 2>&1)
	rc=$?
	sleep 0.5
	after=$(snap)
	why=
	[ "$rc" != 137 ] || why="the second sandboxd was still running after 5 s"
	[ "$rc" != 0 ] || why="exit 0"
	[ "$before" = "$after" ] || why="${why:+$why; }the run folder changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 3 | tr '\n' ' ')"
	printf '%s' "$out" | grep -q "^sandboxd: another supervisor answers on $run/control.sock" ||
		why="${why:+$why; }no clear refusal: $(oneline "$out")"
	SANDBOXD_RUN_DIR=$run "$BIN" ctl status svc 2>/dev/null | grep -q '^State: running' ||
		why="${why:+$why; }the first one no longer answers"
	if [ -z "$why" ]; then ok boot-devmode-live-rundir; else nok boot-devmode-live-rundir "$why"; fi
fi
exit 0
