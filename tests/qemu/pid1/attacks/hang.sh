# checks: atk-hang-other-restarted atk-hang-status-answers atk-hang-still-starting atk-hang-setup-timeout atk-hang-fifo-bind
# A unit whose sandbox setup hangs in the kernel must not stop PID 1
# (issue #10: "no wait in PID 1 longer than 10 ms on one unit"). A FUSE
# mount that never answers (`probe fuse-hang`, as a hung FUSE or NFS server)
# is under two units' paths: atk-hang-bind binds a source under it (the
# launch child's openat2 waits on the lookup), atk-hang-cwd has its
# WorkingDirectory= there (the chdir inside the sandbox waits). While both
# hang, another unit is killed and must be restarted, and `status` must
# answer, within the same second or two (TCG); the hanging ones stay
# "starting" and end failed with the setup timeout (30 s,
# SBX_SETUP_TIMEOUT_S: both start at once, so the tier waits once).
# atk-hang-fifo-bind: a FIFO as a bind source must not hang a launch (the
# child opens sources with O_PATH, never for reading): it runs at once.
# Every sandboxctl call here is bounded (a PID 1 that waits would block it).
H=/atk-hang
CTL="timeout 3 /bin/sandboxctl"
mkdir -p $H/fuse
mkfifo $H/fifo 2>/dev/null
fuse=
# fuse.ko (pid1.sh adds Debian's to the image) is loaded by a oneshot unit
# of its own: this script's unit has no CAP_SYS_MODULE.
cat > "$UNITS/atk-hang-fusemod.unit" <<'UNIT'
[Service]
Type=oneshot
ExecStart=/bin/sh -c '[ -e /dev/fuse ] || [ ! -f /lib/modules/fuse.ko ] || /bin/busybox insmod /lib/modules/fuse.ko'
Restart=no
[Sandbox]
Capabilities=CAP_SYS_MODULE
SeccompProfile=none
UNIT
cat > "$UNITS/atk-hang-victim.unit" <<'UNIT'
[Service]
ExecStart=/bin/probe sleep 100000
Restart=always
RestartSec=100ms
StartLimitBurst=0
UNIT
cat > "$UNITS/atk-hang-bind.unit" <<UNIT
[Service]
ExecStart=/bin/probe sleep 100000
Restart=no
[Sandbox]
BindReadOnlyPaths=$H/fuse/data:/data
UNIT
cat > "$UNITS/atk-hang-cwd.unit" <<UNIT
[Service]
ExecStart=/bin/probe sleep 100000
WorkingDirectory=$H/fuse/data
Restart=no
UNIT
cat > "$UNITS/atk-hang-fifo.unit" <<UNIT
[Service]
ExecStart=/bin/probe sleep 100000
Restart=no
[Sandbox]
BindReadOnlyPaths=$H/fifo:/tmp/fifo
UNIT
# Loaded before the mount: the FUSE units fail at once then (no source).
$CTL reload >/dev/null 2>&1
wait_for 20 state_is atk-hang-victim running
wait_for 10 state_is atk-hang-fusemod exited failed
wait_for 3 test -e /dev/fuse
[ -e /dev/fuse ] && fuse=yes
wait_for 10 state_is atk-hang-fifo running failed
fstate=$(jget atk-hang-fifo state)
if [ "$fstate" = running ]; then
	ok atk-hang-fifo-bind
else
	nok atk-hang-fifo-bind "not running within 10 s: '$fstate': $($CTL status atk-hang-fifo 2>&1 | grep -E '^(Message|Last State):' | tr '\n' ' ' | cut -c1-120)"
fi

pp=
[ -z "$fuse" ] || {
	/bin/probe fuse-hang $H/fuse > $H/fuse.out 2>&1 &
	pp=$!
	wait_for 5 grep -q '^fuse-hang: mounted' $H/fuse.out
}
if [ -z "$fuse" ] || ! grep -q '^fuse-hang: mounted' $H/fuse.out; then
	why="no FUSE: $(cat $H/fuse.out 2>/dev/null | tr '\n' ' ' | cut -c1-100)"
	[ -e /dev/fuse ] || why="no /dev/fuse: $([ -f /lib/modules/fuse.ko ] || echo 'no fuse.ko in the image; ')atk-hang-fusemod $(jget atk-hang-fusemod state): $($CTL logs atk-hang-fusemod 2>&1 | tail -n 1 | cut -c1-80)"
	for c in atk-hang-other-restarted atk-hang-status-answers atk-hang-still-starting atk-hang-setup-timeout; do
		echo "skip $c: $why"
	done
else
	vp0=$(jget atk-hang-victim pid)
	t_start=$(now_ms)
	# the start requests answer once the launch is begun (or, on a PID 1
	# that waits, after the setup bound): never waited for here
	/bin/sandboxctl start atk-hang-bind > $H/start-bind.out 2>&1 &
	/bin/sandboxctl start atk-hang-cwd > $H/start-cwd.out 2>&1 &
	usleep 300000
	t_kill=$(now_ms)
	kill -9 "$vp0" 2>/dev/null
	restarted() { p=$(jget atk-hang-victim pid) && [ -n "$p" ] && [ "$p" != null ] && [ "$p" != "$vp0" ] && state_is atk-hang-victim running; }
	t_up=
	while [ $(($(now_ms) - t_kill)) -lt 5000 ]; do
		if restarted; then t_up=$(now_ms); break; fi
		usleep 50000
	done
	vp1=$(jget atk-hang-victim pid)
	# status, the table and the json, each timed
	worst=0
	swhy=
	for i in 1 2 3; do
		t0=$(now_ms)
		$CTL status > $H/status.out 2>&1 || swhy="${swhy:+$swhy; }status $i: exit $?"
		t1=$(now_ms)
		$CTL status --json > /dev/null 2>&1 || swhy="${swhy:+$swhy; }status --json $i: exit $?"
		t2=$(now_ms)
		[ $((t1 - t0)) -le $worst ] || worst=$((t1 - t0))
		[ $((t2 - t1)) -le $worst ] || worst=$((t2 - t1))
		usleep 100000
	done
	grep -q '^atk-hang-victim ' $H/status.out || swhy="${swhy:+$swhy; }the table has no atk-hang-victim"
	sb=$(jget atk-hang-bind state)
	sc=$(jget atk-hang-cwd state)
	note "atk-hang: victim pid $vp0 -> ${vp1:-?} $([ -n "$t_up" ] && echo "running $((t_up - t_kill)) ms after the kill" || echo 'not back within 5 s'); status and status --json x3, slowest $worst ms; hanging units: bind $sb, cwd $sc"
	# 4 s: TCG on a loaded host takes 0.7-2 s; a PID 1 that waits on
	# the setups is not back before their 30 s bound
	if [ -n "$t_up" ] && [ $((t_up - t_kill)) -le 4000 ]; then
		ok atk-hang-other-restarted
	else
		nok atk-hang-other-restarted "the killed unit was not running again with a new pid within 4 s of the kill (pid $vp0 -> ${vp1:-?}, $(jget atk-hang-victim state)) while atk-hang-bind/-cwd set up"
	fi
	# each answers within 2 s (TCG, a busy host: the 100 ms target
	# is the benchmark's); a PID 1 that waits on the setup does not answer
	# before the 3 s timeout
	if [ -z "$swhy" ] && [ $worst -le 2000 ]; then
		ok atk-hang-status-answers
	else
		nok atk-hang-status-answers "${swhy:+$swhy; }slowest status or status --json: $worst ms (want <= 2000)"
	fi
	if [ "$sb" = starting ] && [ "$sc" = starting ]; then
		ok atk-hang-still-starting
	else
		nok atk-hang-still-starting "while the FUSE mount hangs: atk-hang-bind '$sb', atk-hang-cwd '$sc' (want starting)"
	fi
	# SBX_SETUP_TIMEOUT_S (30 s) after the starts, and a few seconds more
	both_failed() { state_is atk-hang-bind failed && state_is atk-hang-cwd failed; }
	left=$((42 - ($(now_ms) - t_start) / 1000))
	twhy=
	if wait_for $left both_failed; then
		t_fail=$(now_ms)
		note "atk-hang: both setups failed $((t_fail - t_start)) ms after their start"
		for u in atk-hang-bind atk-hang-cwd; do
			$CTL status $u 2>&1 | grep -q 'did not finish within 30 s' ||
				twhy="${twhy:+$twhy; }$u: $($CTL status $u 2>&1 | grep -E '^(Message|Last State):' | tr '\n' ' ' | cut -c1-120)"
		done
		[ $((t_fail - t_start)) -ge 29000 ] || twhy="${twhy:+$twhy; }failed after $((t_fail - t_start)) ms, before the 30 s bound"
		state_is atk-hang-victim running || twhy="${twhy:+$twhy; }the victim is $(jget atk-hang-victim state)"
	else
		twhy="not both failed 42 s after the start: bind '$(jget atk-hang-bind state)', cwd '$(jget atk-hang-cwd state)'"
	fi
	if [ -z "$twhy" ]; then ok atk-hang-setup-timeout; else nok atk-hang-setup-timeout "$twhy"; fi
fi

# The server gone, the kernel aborts the mount: anything still waiting on
# it gets ENOTCONN.
[ -z "$pp" ] || { kill -9 "$pp" 2>/dev/null; wait "$pp" 2>/dev/null; }
umount -l $H/fuse 2>/dev/null
rm -f "$UNITS/atk-hang-fusemod.unit" "$UNITS/atk-hang-victim.unit" "$UNITS/atk-hang-bind.unit" "$UNITS/atk-hang-cwd.unit" "$UNITS/atk-hang-fifo.unit"
$CTL reload >/dev/null 2>&1
wait_for 10 eval '! exists atk-hang-victim'
rm -rf $H
