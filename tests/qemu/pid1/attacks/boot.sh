# checks: boot-run-sized boot-shm-sized boot-root-sized boot-pids-cap boot-exe-readonly boot-forkbomb-admin boot-forkbomb-pid1
# Attacks on what PID 1 sets up at boot (issue 9, items 17 and 19, and
# CVE-2019-5736), run by check.sh in the guest (see README.md):
# - a writer fills /run, /dev/shm and the tmpfs root: each stops at its size;
# - a unit granted CAP_SYS_PTRACE in the system's pid namespace changes
#   PID 1's binary through /proc/1/exe (chmod, open for writing): refused,
#   the binary is on a read-only mount;
# - a fork bomb in a unit without TasksMax=: it stops below the units' cap,
#   the admin (this script, itself a unit) still forks, and PID 1 still
#   answers and starts a unit.
# The units (atk-boot-*.unit) are written here, loaded with a reload, and
# removed again (another reload) at the end.

cg=/sys/fs/cgroup/sandboxd

# ---- /run, /dev/shm and "/" are sized: a writer stops at the size --------------
# fill DIR MB: writes up to MB MiB into DIR/atk-boot-fill; prints the KiB
# that got in, and removes the file.
fill() {
	dd if=/dev/zero of="$1/atk-boot-fill" bs=1048576 count="$2" 2>/dev/null
	_k=$(du -k "$1/atk-boot-fill" 2>/dev/null | awk '{ print $1 }')
	rm -f "$1/atk-boot-fill"
	echo "${_k:-0}"
}
# size_kb DIR: the file system's size in KiB (df -k)
size_kb() { df -k "$1" | awk 'NR == 2 { print $2 }'; }

run_size=$(size_kb /run)
got=$(fill /run 64)
note "/run: size $run_size KiB, a 64 MiB writer got $got KiB in"
if [ "$run_size" -le 16384 ] && [ "$got" -le 16384 ]; then
	ok boot-run-sized
else
	nok boot-run-sized "/run is $run_size KiB, a writer put $got KiB in (want at most 16 MiB)"
fi
shm_size=$(size_kb /dev/shm)
got=$(fill /dev/shm 64)
if [ "$shm_size" -le 16384 ] && [ "$got" -le 16384 ]; then
	ok boot-shm-sized
else
	nok boot-shm-sized "/dev/shm is $shm_size KiB, a writer put $got KiB in (want at most 16 MiB)"
fi
set -- $(df -k / | awk 'NR == 2 { print $2, $3 }')
root_size=$1 root_used=$2
got=$(fill / 64)
note "/: size $root_size KiB, $root_used KiB used, a 64 MiB writer got $got KiB in"
# the copy of the initramfs plus 16 MiB (CONFIG_ROOT_SPARE_MB), a page or two
if [ "$(stat -f -c %T /)" = tmpfs ] && [ "$root_size" -le $((root_used + 16384 + 1024)) ] &&
	[ "$got" -le $((16384 + 1024)) ]; then
	ok boot-root-sized
else
	nok boot-root-sized "/ ($(stat -f -c %T /)) is $root_size KiB with $root_used KiB used; a writer put $got KiB in (want used + 16 MiB)"
fi

# ---- pids.max on the units' group ------------------------------------------------
tmax=$(cat /proc/sys/kernel/threads-max)
pmax=$(($(cat /proc/sys/kernel/pid_max) - 1))
[ "$pmax" -lt "$tmax" ] && tmax=$pmax
cap=$(cat $cg/pids.max 2>/dev/null)
note "tasks: kernel limit $tmax, units' cap '$cap', $(awk '{ print $4 }' /proc/loadavg) now"
case $cap in
'' | max | *[!0-9]*) nok boot-pids-cap "pids.max of $cg is '$cap', not a number" ;;
*)
	if [ "$cap" -le $((tmax - 64)) ]; then ok boot-pids-cap
	else nok boot-pids-cap "pids.max of $cg is $cap, the kernel's limit $tmax: no headroom"; fi ;;
esac

# ---- the units ----------------------------------------------------------------------
# A unit with CAP_SYS_PTRACE in the system's pid namespace (it can open
# /proc/1/exe): chmod through it (a set-uid init would hand root to any
# user), open it for writing, and the probe's reopen tries.
cat > "$UNITS/atk-boot-exe.unit" <<'EOF'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'chmod 0755 /proc/1/exe; echo "atk chmod rc=$?"; touch -c /proc/1/exe; echo "atk touch rc=$?"; /bin/probe exe-write'
Restart=no
[Sandbox]
Namespaces=~pid
Capabilities=CAP_SYS_PTRACE CAP_FOWNER CAP_DAC_OVERRIDE
EOF
# Started again during the fork bomb: PID 1 must still clone.
cat > "$UNITS/atk-boot-idle.unit" <<'EOF'
[Service]
Type=oneshot
ExecStart=/bin/echo atk-idle ran
Restart=no
EOF
# The fork bomb: the probe forks until the kernel refuses and keeps every
# child (6000: more than the kernel's limit, 3560 tasks in the tier's
# 512 MiB guest on x86-64, 3220 on arm64). MemoryMax= keeps the kernel's global OOM killer out of
# it (each child costs about 60 KiB: the tasks run out long before).
cat > "$UNITS/atk-boot-bomb.unit" <<'EOF'
[Service]
ExecStart=/bin/probe forkbomb 6000 --hold
Restart=no
[Resources]
MemoryMax=400M
EOF
sel_exe() { log_has atk-boot-exe 'exe-write: '; }
$CTL reload >/dev/null 2>&1

# ---- CVE-2019-5736: PID 1's binary through /proc/1/exe ------------------------------
if wait_for 30 sel_exe; then
	out=$($CTL logs atk-boot-exe 2>&1)
	why=
	echo "$out" | grep -q 'atk chmod rc=0' && why="chmod through /proc/1/exe worked"
	echo "$out" | grep -q 'atk touch rc=0' && why="${why:+$why; }touch through /proc/1/exe worked"
	echo "$out" | grep -q 'exe-write: blocked' || why="${why:+$why; }$(echo "$out" | grep 'exe-write' | tail -n 3 | tr '\n' ' ')"
	[ "$(stat -c %a /sbin/sandboxd)" = 755 ] || why="${why:+$why; }/sbin/sandboxd is now mode $(stat -c %a /sbin/sandboxd)"
	if [ -z "$why" ]; then ok boot-exe-readonly; else nok boot-exe-readonly "$why"; fi
else
	nok boot-exe-readonly "the unit did not report within 30 s (state $(jget atk-boot-exe state))"
fi
note "/proc/1/exe -> $(readlink /proc/1/exe)"

# ---- the fork bomb ------------------------------------------------------------------------
bcg=$cg/atk-boot-bomb
# until the bomb reported, or its task count stands still for 15 s
last=-1 same=0
settled() {
	log_has atk-boot-bomb 'forkbomb: forked=' && return 0
	_n=$(cat $bcg/pids.current 2>/dev/null || echo 0)
	if [ "$_n" = "$last" ]; then same=$((same + 1)); else same=0 last=$_n; fi
	[ $same -ge 75 ]
}
t0=$(now_ms)
wait_for 240 settled
bomb_n=$(cat $bcg/pids.current 2>/dev/null)
bomb_max=$(cat $bcg/pids.max 2>/dev/null)
note "bomb: $bomb_n tasks (its pids.max $bomb_max, the units' $(cat $cg/pids.current 2>/dev/null) of $cap) after $(($(now_ms) - t0)) ms; $(awk '{ print $4 }' /proc/loadavg) on the system"
why=
# The admin forks, and again a few times (a shell, a pipe).
sh -c 'exit 7'
[ $? = 7 ] || why="the admin's shell cannot fork"
n=$(echo a b c | wc -w)
[ "$n" = 3 ] || why="${why:+$why; }a pipe in the admin's shell failed"
# the bomb must have run out of tasks, not memory: else this proves nothing
# (its report says so; under load it may still be retrying when its group
# has stood at its pids.max for 15 s, which says the same)
if ! $CTL logs atk-boot-bomb 2>/dev/null | grep -q 'forkbomb: forked=[0-9]* wanted=6000 errno=EAGAIN' &&
	! { [ -n "$bomb_n" ] && [ "$bomb_n" = "$bomb_max" ]; }; then
	why="${why:+$why; }the bomb did not run out of tasks: $($CTL logs atk-boot-bomb 2>/dev/null | grep forkbomb | tail -n 1) ($bomb_n tasks of $bomb_max)"
fi
if [ -z "$why" ]; then ok boot-forkbomb-admin; else nok boot-forkbomb-admin "$why"; fi
why=
$CTL status >/dev/null 2>&1 || why="status does not answer"
ran0=$($CTL logs atk-boot-idle 2>/dev/null | grep -c 'atk-idle ran')
$CTL start atk-boot-idle >/dev/null 2>&1 || why="${why:+$why; }start atk-boot-idle failed"
ran_more() { [ "$($CTL logs atk-boot-idle 2>/dev/null | grep -c 'atk-idle ran')" -gt "$ran0" ]; }
wait_for 20 ran_more || why="${why:+$why; }atk-boot-idle did not run again ($(jget atk-boot-idle state): $($CTL status atk-boot-idle 2>&1 | grep Message))"
state_is atk-boot-bomb running || why="${why:+$why; }the bomb is $(jget atk-boot-bomb state)"
if [ -z "$why" ]; then ok boot-forkbomb-pid1; else nok boot-forkbomb-pid1 "$why"; fi

# ---- leave the units as they were --------------------------------------------------
$CTL stop atk-boot-bomb >/dev/null 2>&1
wait_for 30 state_is atk-boot-bomb inactive failed
rm -f "$UNITS"/atk-boot-*.unit
$CTL reload >/dev/null 2>&1
gone_all() { ! exists atk-boot-bomb && ! exists atk-boot-exe && ! exists atk-boot-idle; }
wait_for 30 gone_all || note "boot attacks: the atk-boot units are still listed"
note "boot attacks: done, $(awk '{ print $4 }' /proc/loadavg) tasks"
