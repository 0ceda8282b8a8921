# checks: atk-launch-fd-cwd atk-launch-hide-folders atk-launch-control-socket-only atk-launch-procfs-masked
# Attacks on the launch child against the real PID 1 (issue #9 items 1, 2
# and the hidden folders). Units are written here, loaded with a reload and
# removed at the end.
A=/run/atk-launch
mkdir -p $A/root/bin $A/root/proc $A/root/sys $A/root/dev $A/root/w $A/w/wd
cp /bin/busybox $A/root/bin/busybox
for x in sh cat ls echo; do ln -sf busybox $A/root/bin/$x; done
echo host-secret > /atk-launch-marker

# 1. PID 1's fds (its spare O_PATH fd on "/", cgroup folders, control
# socket, pipes) as the cwd: between restarts the unit's WorkingDirectory,
# in its writable bind, becomes a symlink to /proc/self/fd/N, N = 3..64.
# A start that lands in "/" prints the marker; one in its cgroup folder
# prints memory.max and raises it.
cat > $UNITS/atk-launch-fdcwd.unit <<UNIT
[Service]
ExecStart=/bin/sh -c "echo start >>/w/seen; { cat atk-launch-marker memory.max; [ -f memory.max ] && echo max > memory.max && echo WROTE; } >>/w/seen 2>/dev/null; exit 1"
WorkingDirectory=/w/wd
Restart=always
RestartSec=50ms
RestartMaxSec=100ms
StartLimitBurst=0
[Sandbox]
RootDirectory=$A/root
BindPaths=$A/w:/w
Init=no
[Resources]
MemoryMax=64M
UNIT
# 2/hide: a default unit and a ControlAccess one look at PID 1's folders;
# the ControlAccess one also uses the socket (status must answer).
cat > $UNITS/atk-launch-look.unit <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/sh -c "ls -A /run/sandboxd > $A/look.out 2>&1; ls -A $UNITS >> $A/look.out 2>&1; cat /proc/timer_list /proc/sys/kernel/core_pattern > $A/proc.out 2>&1; echo x > /proc/sys/kernel/core_pattern 2>/dev/null && echo WROTE >> $A/proc.out; touch $A/look.done"
Restart=no
[Sandbox]
BindPaths=$A:$A
UNIT
cat > $UNITS/atk-launch-ctl.unit <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/sh -c "ls -A /run/sandboxd > $A/ctl.out 2>&1; /bin/sandboxctl status atk-launch-ctl > $A/ctl-status.out 2>&1; echo rc=\$? >> $A/ctl-status.out; exit 0"
Restart=no
[Sandbox]
ControlAccess=yes
BindPaths=$A:$A
UNIT
core_before=$(cat /proc/sys/kernel/core_pattern)
$CTL reload >/dev/null 2>&1
wait_for 20 exists atk-launch-fdcwd
usleep 500000
n=3
while [ $n -le 64 ]; do
	# never mv onto it: the old link resolves in this shell's fds
	rm -rf $A/w/wd
	ln -s /proc/self/fd/$n $A/w/wd
	# a refused start may leave it failed: every N gets its start
	state_is atk-launch-fdcwd failed inactive && $CTL start atk-launch-fdcwd >/dev/null 2>&1
	usleep 250000
	n=$((n + 1))
done
cg=$(jget atk-launch-fdcwd cgroup)
starts=$(jget atk-launch-fdcwd restarts)
case $cg in /sys/fs/cgroup/*) ;; ?*) cg=/sys/fs/cgroup/${cg#/} ;; esac
mem=
[ -n "$cg" ] && [ -f "$cg/memory.max" ] && mem=$(cat "$cg/memory.max")
$CTL stop atk-launch-fdcwd >/dev/null 2>&1
ran=$(grep -c '^start$' $A/w/seen 2>/dev/null)
if grep -q -e host-secret -e WROTE -e 67108864 -e '^max' $A/w/seen 2>/dev/null; then
	nok atk-launch-fd-cwd "a start reached PID 1's fds: $(tr '\n' ' ' < $A/w/seen | cut -c1-120)"
elif [ "${ran:-0}" = 0 ]; then
	nok atk-launch-fd-cwd "the unit never ran: nothing was tried ($(jget atk-launch-fdcwd state))"
elif [ -n "$mem" ] && [ "$mem" != 67108864 ]; then
	nok atk-launch-fd-cwd "memory.max is now $mem"
else
	ok atk-launch-fd-cwd
	note "atk-launch-fd-cwd: ran $ran times, restarts ${starts:-?}, memory.max ${mem:-?}"
fi

# both ran once already at the reload that added them: what they wrote
# then must not be read as this run's (a half-written status file with the
# old rc= line gone)
rm -f $A/look.done $A/look.out $A/ctl.out $A/ctl-status.out
$CTL start atk-launch-look >/dev/null 2>&1
$CTL start atk-launch-ctl >/dev/null 2>&1
# the unit writes status's text, then its rc= line: wait for that line
wait_for 20 sh -c "test -e $A/look.done && grep -q '^rc=' $A/ctl-status.out"
# empty, or (a private /run of the unit's own) not there at all
if grep -v '^ls: /run/sandboxd: No such file or directory$' $A/look.out 2>/dev/null | grep -q . ||
	[ ! -e $A/look.out ]; then
	nok atk-launch-hide-folders "a default unit sees: $(tr '\n' ' ' < $A/look.out 2>/dev/null | cut -c1-120)"
else
	ok atk-launch-hide-folders
fi
if [ "$(cat $A/ctl.out 2>/dev/null)" = control.sock ] && grep -q rc=0 $A/ctl-status.out; then
	ok atk-launch-control-socket-only
else
	nok atk-launch-control-socket-only "sees '$(tr '\n' ' ' < $A/ctl.out 2>/dev/null)', status: $(tr '\n' ' ' < $A/ctl-status.out 2>/dev/null | cut -c1-100) ... $(tail -n 2 $A/ctl-status.out 2>/dev/null | tr '\n' ' ')"
fi
# the unit must have run (no proc.out: nothing was tried) and the guest's
# own /proc/timer_list must have the content a mask hides
if [ ! -e $A/proc.out ]; then
	nok atk-launch-procfs-masked "atk-launch-look never ran ($(jget atk-launch-look state))"
elif ! grep -q -i jiffies /proc/timer_list 2>/dev/null; then
	echo "skip atk-launch-procfs-masked: this kernel's /proc/timer_list shows no jiffies to hide"
elif grep -q -e WROTE $A/proc.out 2>/dev/null || [ "$(cat /proc/sys/kernel/core_pattern)" != "$core_before" ] ||
	grep -q -i -e 'timer_list' -e 'jiffies' $A/proc.out 2>/dev/null; then
	nok atk-launch-procfs-masked "$(tr '\n' ' ' < $A/proc.out | cut -c1-120)"
else
	ok atk-launch-procfs-masked
fi

rm -f $UNITS/atk-launch-fdcwd.unit $UNITS/atk-launch-look.unit $UNITS/atk-launch-ctl.unit /atk-launch-marker
$CTL reload >/dev/null 2>&1
rm -rf $A
