#!/bin/bash
# systemd's system call sets and hardening keys on this host's kernel (issue
# #11), through `sandboxctl run` of units written as Debian's and systemd's
# own units write them:
# - every @group parses, in allow and deny lists; an unknown @group is an
#   error with file:line; a call libseccomp does not know is skipped with a
#   note; a call the default profile denies is accepted and stays denied;
# - SystemCallFilter=@system-service runs busybox sh and the probe; a call
#   outside the set is refused with the unit's errno (SystemCallErrorNumber=);
#   systemd's "~@privileged @resources" takes its calls away;
# - each hardening key refuses the forbidden thing and lets the allowed one
#   through, under the default profile and under @system-service;
# - a filter that refuses execve says so instead of a bare 126.
# The i386 forms are in tests/qemu/guest/10-seccomp.t.
#
# Env: SANDBOXCTL, TOP, PROBE (as tests/host/launch.sh). Needs root.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok seccomp-groups-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok seccomp-groups-prereqs "needs root and busybox-static"
	exit 1
fi
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=${PROBE:-$("$TOP/tests/qemu/probe.sh" 2>/dev/null)}
if [ ! -x "$PROBE" ]; then
	nok seccomp-groups-prereqs "cannot build tests/probe/probe.c"
	exit 1
fi

work=$(mktemp -d /var/tmp/sbx-scgroups.XXXXXX) || exit 1
chmod 755 "$work"
sup_pid=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	if [ -n "$sup_pid" ]; then
		kill -TERM "$sup_pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$sup_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sup_pid" 2>/dev/null
		wait "$sup_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$PROBE" "$root/bin/probe"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
units=$work/units
mkdir -p "$units"

# unit NAME SANDBOX_LINES: a unit in the busybox root with a writable /tmp,
# and the capabilities that would let SCHED_FIFO and chmod u+s through if
# no filter stood in the way
unit() {
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nRootDirectory=%s\nInit=no\nTemporaryFileSystem=/tmp\nCapabilities=CAP_SYS_NICE CAP_FOWNER CAP_CHOWN\n%s\n' \
		"$root" "$2" >"$units/$1.unit"
}
# run NAME CMD...: sets out, err, rc
run() {
	local n=$1
	shift
	out=$(timeout 20 "$SANDBOXCTL" run --no-cgroup --units "$units" "$n" -- "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
check() {
	if [ "$3" = "$2" ]; then ok "$1"; else nok "$1" "want '$2', got '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}
# call NAME UNIT PROBE-SYSCALL WANT: `probe syscall X` in UNIT prints "X: WANT"
call() {
	run "$2" /bin/probe syscall "$3"
	check "$1" "$3: $4" "$out"
}
# checks NAME FILE...: sandboxctl check; sets out, rc
checks() {
	out=$("$SANDBOXCTL" check "$@" 2>&1)
	rc=$?
}

# ---- every group parses, both ways
groups="@aio @basic-io @chown @clock @cpu-emulation @debug @default @file-system @io-event
@ipc @keyring @known @memlock @module @mount @network-io @obsolete @pkey @privileged
@process @raw-io @reboot @resources @sandbox @setuid @signal @swap @sync @system-service @timer"
mkdir -p "$work/g"
for g in $groups; do
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallFilter=%s\n' "$g" >"$work/g/a${g#@}.unit"
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallFilter=~%s\n' "$g" >"$work/g/d${g#@}.unit"
done
checks "$work/g"
if [ "$rc" = 0 ] && printf '%s' "$out" | grep -q '^60 units valid$'; then
	ok seccomp-groups-all-parse
else
	nok seccomp-groups-all-parse "rc $rc: $(oneline "$out")"
fi

printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged @frobnicate\n' >"$work/badgroup.unit"
checks "$work/badgroup.unit"
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q '^.*badgroup.unit:5: \[Sandbox\] SystemCallFilter: unknown system call group "@frobnicate"'; then
	ok seccomp-groups-unknown-group-error
else
	nok seccomp-groups-unknown-group-error "rc $rc: $(oneline "$out")"
fi
printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallFilter=@system-service riscv_hwprobe uretprobe\nSystemCallFilter=mount\n' >"$work/newcall.unit"
checks "$work/newcall.unit"
if [ "$rc" = 0 ] &&
	printf '%s' "$out" | grep -q 'newcall.unit:4: \[Sandbox\] SystemCallFilter: note: system call "riscv_hwprobe" is not known to this build.s libseccomp on this architecture: skipped' &&
	printf '%s' "$out" | grep -q 'newcall.unit:5: \[Sandbox\] SystemCallFilter: note: mount is denied by SeccompProfile=default: it stays denied' &&
	! printf '%s' "$out" | grep -q 'SeccompProfile=none'; then
	ok seccomp-groups-unknown-call-note
else
	nok seccomp-groups-unknown-call-note "rc $rc: $(oneline "$out")"
fi

# ---- @system-service runs a shell and the probe
unit svc "SystemCallFilter=@system-service
SystemCallErrorNumber=EACCES"
run svc /bin/sh -c 'echo hello; /bin/probe exit 3; echo $?'
check seccomp-groups-system-service-runs "$(printf 'hello\n3')" "$out"
# outside the set: the unit's errno; denied by the profile: still denied
call seccomp-groups-outside-set-refused svc ptrace "errno EACCES"
call seccomp-groups-profile-still-denies svc mount "errno EACCES"
call seccomp-groups-system-service-socket svc socket-inet ok

# systemd's own units: @system-service, then ~@privileged @resources
unit sysd "SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EACCES"
run sysd /bin/sh -c 'echo up'
check seccomp-groups-systemd-units-start up "$out"
call seccomp-groups-tilde-privileged sysd sethostname "errno EACCES"
call seccomp-groups-tilde-resources sysd sched-batch "errno EACCES"
call seccomp-groups-tilde-keeps-rest sysd chmod-plain ok

# redis-server.service's seccomp and hardening lines (Debian's and
# Ubuntu's, redis 7), unchanged: note the blank after "~"
unit redis "LockPersonality=true
MemoryDenyWriteExecute=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=true
RestrictRealtime=true
RestrictSUIDSGID=true
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~ @privileged @resources"
run redis /bin/sh -c 'echo redis-up'
check seccomp-groups-redis-lines-start redis-up "$out"
call seccomp-groups-redis-netlink-refused redis socket-netlink "errno EAFNOSUPPORT"
call seccomp-groups-redis-unix-allowed redis socket-unix ok
call seccomp-groups-redis-wx-refused redis mmap-wx "errno EPERM"
call seccomp-groups-redis-tilde-privileged redis sethostname "errno EPERM"
call seccomp-groups-redis-tilde-resources redis sched-batch "errno EPERM"

# ---- each hardening key: the forbidden thing refused, the allowed one not;
# under the default profile (a deny list) and under @system-service
unit plain ""
for base in profile service; do
	extra=
	[ "$base" = service ] && extra="SystemCallFilter=@system-service"
	unit "af-$base" "$extra
RestrictAddressFamilies=AF_UNIX AF_INET"
	call "seccomp-harden-$base-af-inet-allowed" "af-$base" socket-inet ok
	call "seccomp-harden-$base-af-netlink-refused" "af-$base" socket-netlink "errno EAFNOSUPPORT"
	call "seccomp-harden-$base-af-netlink-upper-bits" "af-$base" socket-netlink-hi "errno EAFNOSUPPORT"
	call "seccomp-harden-$base-af-socketpair" "af-$base" socketpair-unix ok
	unit "afdeny-$base" "$extra
RestrictAddressFamilies=~AF_NETLINK AF_PACKET"
	call "seccomp-harden-$base-afdeny-inet-allowed" "afdeny-$base" socket-inet ok
	call "seccomp-harden-$base-afdeny-netlink-refused" "afdeny-$base" socket-netlink "errno EAFNOSUPPORT"
	call "seccomp-harden-$base-afdeny-netlink-upper-bits" "afdeny-$base" socket-netlink-hi "errno EAFNOSUPPORT"

	unit "mdwe-$base" "$extra
MemoryDenyWriteExecute=yes"
	call "seccomp-harden-$base-mdwe-wx-refused" "mdwe-$base" mmap-wx "errno EPERM"
	call "seccomp-harden-$base-mdwe-w-then-x-refused" "mdwe-$base" mprotect-x "errno EPERM"
	call "seccomp-harden-$base-mdwe-rx-allowed" "mdwe-$base" mmap-rx ok
	call "seccomp-harden-$base-mdwe-rw-allowed" "mdwe-$base" mmap-rw ok

	unit "pers-$base" "$extra
LockPersonality=yes"
	call "seccomp-harden-$base-personality-linux32-refused" "pers-$base" personality-linux32 "errno EPERM"
	call "seccomp-harden-$base-personality-linux-allowed" "pers-$base" personality-linux ok
	call "seccomp-harden-$base-personality-query-allowed" "pers-$base" personality-query ok

	# SCHED_FIFO needs CAP_SYS_NICE, which the unit has: only the filter refuses
	unit "rt-$base" "$extra
RestrictRealtime=yes"
	call "seccomp-harden-$base-realtime-fifo-refused" "rt-$base" sched-fifo "errno EPERM"
	call "seccomp-harden-$base-realtime-batch-allowed" "rt-$base" sched-batch ok

	unit "sxid-$base" "$extra
RestrictSUIDSGID=yes"
	call "seccomp-harden-$base-suid-chmod-refused" "sxid-$base" chmod-suid "errno EPERM"
	call "seccomp-harden-$base-sgid-chmod-refused" "sxid-$base" chmod-sgid "errno EPERM"
	call "seccomp-harden-$base-suid-creat-refused" "sxid-$base" creat-suid "errno EPERM"
	call "seccomp-harden-$base-sgid-mkdir-refused" "sxid-$base" mkdir-sgid "errno EPERM"
	call "seccomp-harden-$base-chmod-plain-allowed" "sxid-$base" chmod-plain ok
	call "seccomp-harden-$base-creat-plain-allowed" "sxid-$base" creat-plain ok
	# and busybox's chmod u+s, as a user would try it
	run "sxid-$base" /bin/sh -c 'touch /tmp/f && chmod u+s /tmp/f; echo $?; ls -l /tmp/f | cut -c1-10'
	check "seccomp-harden-$base-busybox-chmod-us" "$(printf '1\n-rw-r--r--')" "$out"
done
# the controls: without the keys, every one of those works here
for c in socket-netlink mmap-wx mprotect-x personality-linux32 sched-fifo chmod-suid creat-suid; do
	call "seccomp-harden-control-$c" plain "$c" ok
done

# ---- the export (`sandboxctl spec`) says the same to crun: the argument
# rules under an allow list, with systemd's errnos
if command -v crun >/dev/null && command -v unshare >/dev/null; then
	unit crunexp "SystemCallFilter=@system-service
RestrictAddressFamilies=AF_UNIX AF_INET
MemoryDenyWriteExecute=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes"
	mkdir -p "$work/bundle" "$root/proc" "$root/sys" "$root/dev"
	sed -i 's|^ExecStart=.*|ExecStart=/bin/sh -c "for c in socket-inet socket-netlink mmap-rx mmap-wx personality-linux personality-linux32 sched-batch sched-fifo chmod-plain chmod-suid; do /bin/probe syscall $c; done"|' "$units/crunexp.unit"
	if "$SANDBOXCTL" spec "$units/crunexp.unit" >"$work/bundle/config.json" 2>"$work/stderr"; then
		# shellcheck disable=SC2016  # expanded by the inner sh
		out=$(unshare -m sh -c '
			mount -t tmpfs none /sys/fs/cgroup/unified 2>/dev/null
			exec crun --cgroup-manager=disabled run -b "$1" "$2"
		' sh "$work/bundle" "sbx-scgroups-$$" 2>"$work/stderr" </dev/null)
		rc=$?
		err=$(cat "$work/stderr")
		crun delete -f "sbx-scgroups-$$" >/dev/null 2>&1
		check seccomp-groups-crun-export "socket-inet: ok
socket-netlink: errno EAFNOSUPPORT
mmap-rx: ok
mmap-wx: errno EPERM
personality-linux: ok
personality-linux32: errno EPERM
sched-batch: ok
sched-fifo: errno EPERM
chmod-plain: ok
chmod-suid: errno EPERM" "$out"
	else
		nok seccomp-groups-crun-export "sandboxctl spec: $(oneline "$(cat "$work/stderr")")"
	fi
else
	skip seccomp-groups-crun-export "no crun here (./build.sh deps installs it)"
fi

# ---- a filter that refuses execve says so
unit noexec "SystemCallFilter=~execve"
run noexec /bin/probe exit 0
if [ "$rc" = 126 ] && printf '%s' "$err" | grep -q "noexec: exec /bin/probe: refused by the unit's system call filter (execve)"; then
	ok seccomp-groups-exec-refused-message
else
	nok seccomp-groups-exec-refused-message "rc $rc, stderr: $(oneline "$err")"
fi
unit noexeckill "SystemCallFilter=@basic-io
SystemCallFilter=~execve
SystemCallErrorNumber=kill"
run noexeckill /bin/probe exit 0
if [ "$rc" = 126 ] && printf '%s' "$err" | grep -q "exec /bin/probe: refused by the unit's system call filter (execve)"; then
	ok seccomp-groups-exec-refused-kill-message
else
	nok seccomp-groups-exec-refused-kill-message "rc $rc, stderr: $(oneline "$err")"
fi
checks "$units/noexec.unit"
if [ "$rc" = 0 ] && printf '%s' "$out" | grep -q 'noexec.unit:.*SystemCallFilter: note: the filter refuses execve'; then
	ok seccomp-groups-check-warns-execve
else
	nok seccomp-groups-check-warns-execve "rc $rc: $(oneline "$out")"
fi

# ---- the supervisor (not as PID 1): its status says why the exec failed,
# and two units that differ only in a hardening key do not share the
# compiled filter (init/bpfcache.c)
SANDBOXD=${SANDBOXD:-$(dirname "$SANDBOXCTL")/sandboxd}
if [ -x "$SANDBOXD" ]; then
	sunits=$work/sunits srun=$work/run
	mkdir -p "$sunits" "$srun" "$work/out"
	chmod 1777 "$work/out"
	sunit() {
		printf '[Service]\nExecStart=%s\nRestart=no\n[Sandbox]\nRootDirectory=%s\nInit=no\nBindPaths=%s:/out\n%s\n' \
			"$2" "$root" "$work/out" "$3" >"$sunits/$1.unit"
	}
	sunit noexec "/bin/probe exit 0" "SystemCallFilter=~execve"
	sunit wxopen "/bin/sh -c '/bin/probe syscall mmap-wx > /out/wxopen'" ""
	sunit wxshut "/bin/sh -c '/bin/probe syscall mmap-wx > /out/wxshut'" "MemoryDenyWriteExecute=yes"
	sunit noted "/bin/sh -c 'echo ran > /out/noted'" "SystemCallFilter=~mount frobnicate"
	SANDBOXD_RUN_DIR=$srun "$SANDBOXD" --units "$sunits" >"$work/sup.log" 2>&1 &
	sup_pid=$!
	st=
	for _ in $(seq 1 50); do
		st=$(SANDBOXD_RUN_DIR=$srun timeout 2 "$SANDBOXCTL" status noexec 2>&1)
		printf '%s' "$st" | grep -q "refused by the unit's system call filter" && break
		sleep 0.2
	done
	if printf '%s' "$st" | grep -q "Reason: StartFailed" &&
		printf '%s' "$st" | grep -q "Message: noexec: exec /bin/probe: refused by the unit's system call filter (execve)"; then
		ok seccomp-groups-supervisor-status-exec-refused
	else
		nok seccomp-groups-supervisor-status-exec-refused "status: $(oneline "$(printf '%s' "$st" | grep -E 'Reason|Message')")"
	fi
	# a note: on PID 1's console, and the unit runs
	for _ in $(seq 1 50); do [ -s "$work/out/noted" ] && break; sleep 0.2; done
	if [ "$(cat "$work/out/noted" 2>/dev/null)" = ran ] &&
		grep -q 'noted.unit:.*SystemCallFilter: note: system call "frobnicate" is not known' "$work/sup.log"; then
		ok seccomp-groups-supervisor-logs-note
	else
		nok seccomp-groups-supervisor-logs-note "out '$(cat "$work/out/noted" 2>/dev/null)', log: $(oneline "$(cat "$work/sup.log")")"
	fi
	for _ in $(seq 1 50); do [ -s "$work/out/wxopen" ] && [ -s "$work/out/wxshut" ] && break; sleep 0.2; done
	got="$(cat "$work/out/wxopen" "$work/out/wxshut" 2>/dev/null)"
	rc=0 err=
	check seccomp-groups-supervisor-filters-apart "$(printf 'mmap-wx: ok\nmmap-wx: errno EPERM')" "$got"
else
	skip seccomp-groups-supervisor-status-exec-refused "no sandboxd next to $SANDBOXCTL"
	skip seccomp-groups-supervisor-filters-apart "no sandboxd next to $SANDBOXCTL"
	skip seccomp-groups-supervisor-logs-note "no sandboxd next to $SANDBOXCTL"
fi
exit 0
