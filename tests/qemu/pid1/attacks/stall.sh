# checks: atk-stall-in-d-state atk-stall-status-answers atk-stall-start-kept atk-stall-stop-start-kept
# A unit whose cgroup cannot empty: one of its processes sleeps
# uninterruptibly in the kernel (`probe fuse-stall`: a FUSE server that
# took the request and never answers, as a hung NFS server; SIGKILL does
# not end such a sleeper). Found by the adversarial review of issue #10:
# - atk-stall-own ends by itself (exit 0, Restart=no) and leaves such a
#   process, so it waits in cleanup ("stopping"); `sandboxctl start` says
#   "will start once stopped": once the server is gone and the group
#   empty, it must start again (it was dropped: the restart policy's
#   verdict on an exit 0 is "inactive");
# - atk-stall-main's main process is the sleeper: a stop cannot end it
#   (stopping, SIGKILL after TimeoutStopSec, still there); a start asked
#   meanwhile must run once it is gone;
# - PID 1 answers `status` meanwhile.
# Both units run without mount and pid namespaces: they see the mount and
# leave the sleeper behind them when the main process ends.
S=/run/atk-stall
CTL="timeout 3 /bin/sandboxctl"
mkdir -p $S/fuse $S/out
: > $S/out/own.runs
: > $S/out/main.runs
checks="atk-stall-in-d-state atk-stall-status-answers atk-stall-start-kept atk-stall-stop-start-kept"
if [ ! -e /dev/fuse ]; then
	for c in $checks; do echo "skip $c: no /dev/fuse (hang.sh loads fuse.ko)"; done
	exit 0
fi
/bin/probe fuse-stall $S/fuse > $S/fuse.out 2>&1 &
pp=$!
wait_for 5 grep -q '^fuse-stall: mounted' $S/fuse.out
if ! grep -q '^fuse-stall: mounted' $S/fuse.out; then
	why="no FUSE: $(tr '\n' ' ' < $S/fuse.out | cut -c1-100)"
	for c in $checks; do echo "skip $c: $why"; done
	kill -9 $pp 2>/dev/null
	exit 0
fi
cat > "$UNITS/atk-stall-own.unit" <<UNIT
[Service]
ExecStart=/bin/sh -c 'echo run >> $S/out/own.runs; stat $S/fuse/x > /dev/null 2>&1 & sleep 1; exit 0'
Restart=no
TimeoutStopSec=30s
[Sandbox]
Namespaces=~pid ~mount
UNIT
cat > "$UNITS/atk-stall-main.unit" <<UNIT
[Service]
ExecStart=/bin/sh -c 'echo run >> $S/out/main.runs; exec stat $S/fuse/y'
Restart=no
TimeoutStopSec=1s
[Sandbox]
Namespaces=~pid ~mount
UNIT
$CTL reload > /dev/null 2>&1
# own: runs 1 s, then its main exits and the stat stays
wait_for 15 state_is atk-stall-own stopping
wait_for 10 state_is atk-stall-main running
usleep 500000
dstate=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = stat ] && awk '{ print $3 }' "$p/stat" 2>/dev/null
done | tr '\n' ' ')
note "atk-stall: stat processes in states: ${dstate:-none}; own $(jget atk-stall-own state), main $(jget atk-stall-main state)"
case "$dstate" in
*D*) ok atk-stall-in-d-state ;;
*) nok atk-stall-in-d-state "no stat process in D state ('$dstate'): the attack did not take" ;;
esac
# main: a stop that cannot end it, then a start
$CTL stop atk-stall-main > /dev/null 2>&1
usleep 1500000
$CTL start atk-stall-main > $S/start-main.out 2>&1
$CTL start atk-stall-own > $S/start-own.out 2>&1
note "atk-stall: start while stuck: own '$(tr '\n' ' ' < $S/start-own.out)' ($(jget atk-stall-own state)), main '$(tr '\n' ' ' < $S/start-main.out)' ($(jget atk-stall-main state))"
t0=$(now_ms)
$CTL status > /dev/null 2>&1
r=$?
t1=$(now_ms)
if [ $r = 0 ] && [ $((t1 - t0)) -le 1000 ]; then
	ok atk-stall-status-answers
else
	nok atk-stall-status-answers "status: exit $r after $((t1 - t0)) ms with a unit stuck in cleanup"
fi
# The server gone, the kernel aborts the connection: the sleepers get
# ENOTCONN and end, the groups empty. The mount point goes first, so that
# the starts that follow find an empty folder (their stat fails at once).
umount -l $S/fuse 2>/dev/null
kill -9 $pp 2>/dev/null
wait $pp 2>/dev/null
two_runs() { [ "$(wc -l < "$1")" -ge 2 ]; }
if wait_for 10 two_runs $S/out/own.runs; then
	ok atk-stall-start-kept
else
	nok atk-stall-start-kept "atk-stall-own ran $(wc -l < $S/out/own.runs) time(s) (want 2): the start asked while its cgroup emptied was dropped; state $(jget atk-stall-own state); said '$(tr '\n' ' ' < $S/start-own.out)'"
fi
if wait_for 10 two_runs $S/out/main.runs; then
	ok atk-stall-stop-start-kept
else
	nok atk-stall-stop-start-kept "atk-stall-main ran $(wc -l < $S/out/main.runs) time(s) (want 2) after a stop then a start while its main slept; state $(jget atk-stall-main state)"
fi
rm -f "$UNITS/atk-stall-own.unit" "$UNITS/atk-stall-main.unit"
$CTL reload > /dev/null 2>&1
wait_for 10 eval '! exists atk-stall-own && ! exists atk-stall-main'
rm -rf $S
