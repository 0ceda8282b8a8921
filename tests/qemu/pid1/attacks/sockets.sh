# checks: atk-sockets-syslog atk-sockets-notify-inside atk-sockets-outsider atk-sockets-fds atk-sockets-flood atk-sockets-gone
# PID 1's per-unit notify and syslog sockets (issue #11) on the real PID 1,
# with cgroups (a sender is a process of the unit when it is in the unit's
# cgroup): syslog(3) lines keep their priority in `logs`; a STATUS= from
# inside the unit is shown, one from a process outside it (this script,
# root, writing to the socket file in PID 1's run folder) is not; 800 fds
# sent over the notify socket (of /dev/null) leave PID 1 with no more fds
# on /dev/null than it had; a flood of
# /dev/log does not stall `status`; the sockets go with the unit.
A=/run/atk-sockets
mkdir -p $A
R=/run/sandboxd/units/atk-sockets-log
# PID 1's fds open on a /dev/null (char 1:3), what the probe sends: its
# total count moves with the other units' starts and stops (on the arm64
# guest it fell by 6 during the sends), this one only with a leak. PID 1
# holds one itself (the control socket's spare fd, init/control.c).
pid1_null_fds() {
	for f in /proc/1/fd/*; do stat -L -c '%t:%T' "$f" 2>/dev/null; done | grep -c '^1:3$'
}
status_has() { $CTL status "$1" 2>/dev/null | grep -qF -- "$2"; }

cat > $UNITS/atk-sockets-log.unit <<UNIT
[Service]
ExecStart=/bin/sh -c "/bin/busybox logger -p daemon.err -t atklog 'from the guest'; /bin/probe dgram /dev/.notify 'STATUS=inside'; while [ ! -e $A/fds.go ]; do usleep 100000; done; /bin/probe dgram --fds 8 --repeat 100 /dev/.notify 'STATUS=fd'; /bin/probe dgram /dev/.notify 'STATUS=fds sent'; exec sleep 100000"
Restart=no
[Sandbox]
BindPaths=$A:$A
UNIT
cat > $UNITS/atk-sockets-flood.unit <<UNIT
[Service]
ExecStart=/bin/sh -c "while [ ! -e $A/flood.go ]; do usleep 100000; done; /bin/probe dgram --repeat 3000 /dev/log '<14>flood line'; /bin/probe dgram /dev/.notify 'STATUS=flood done'; exec sleep 100000"
Restart=no
[Sandbox]
BindPaths=$A:$A
UNIT
$CTL reload >/dev/null 2>&1
wait_for 20 state_is atk-sockets-log running
wait_for 20 state_is atk-sockets-flood running

if wait_for 10 log_has atk-sockets-log "<daemon.err> atklog: from the guest"; then
	ok atk-sockets-syslog
else
	nok atk-sockets-syslog "logs: $($CTL logs atk-sockets-log 2>&1 | tail -n 3 | tr '\n' ' ')"
fi
if wait_for 10 status_has atk-sockets-log "Status: inside"; then
	ok atk-sockets-notify-inside
else
	nok atk-sockets-notify-inside "$($CTL status atk-sockets-log 2>&1 | grep -E '^(State|Status|CGroup)' | tr '\n' ' ')"
fi

# The sender must still exist when PID 1 reads its datagram: one already
# gone is taken as the unit's where the unit has a mount namespace (only
# the unit can reach its socket then; init/notify.c, sender_gone), and on
# the arm64 guest PID 1 once read it after the probe had exited. Its
# parent execs sleep and never reaps it: a zombie keeps its pid and its
# cgroup until then. PID 1 counts the drop ("Dropped: N notify").
ndropped() { $CTL status atk-sockets-log 2>/dev/null | sed -n 's/^Dropped: \([0-9]*\) notify.*/\1/p'; }
d0=$(ndropped)
sh -c "$PROBE dgram $R/notify 'STATUS=intruder\nREADY=1' > $A/outsider.out 2>&1 & exec sleep 20" &
holder=$!
more_dropped() { [ "$(ndropped)" -gt "${d0:-0}" ] 2>/dev/null; }
wait_for 15 more_dropped
d1=$(ndropped)
kill $holder 2>/dev/null
wait $holder 2>/dev/null
out=$(cat $A/outsider.out 2>&1)
if ! echo "$out" | grep -q 'sent=1'; then
	nok atk-sockets-outsider "could not even send: $out"
elif status_has atk-sockets-log "Status: inside" && ! status_has atk-sockets-log intruder &&
	[ "${d1:-0}" -gt "${d0:-0}" ]; then
	ok atk-sockets-outsider
else
	nok atk-sockets-outsider "dropped notify messages ${d0:-0} -> ${d1:-0}: $($CTL status atk-sockets-log 2>&1 | grep '^Status' | tr '\n' ' ')"
fi

before=$(pid1_null_fds)
touch $A/fds.go
if wait_for 30 status_has atk-sockets-log "Status: fds sent"; then
	after=$(pid1_null_fds)
	# PID 1's own spare fd is on /dev/null: none counted is a count that fails
	if [ "$before" -ge 1 ] && [ "$after" -le "$before" ]; then
		ok atk-sockets-fds
	else
		nok atk-sockets-fds "PID 1 had $before fds on /dev/null, $after after 800 were sent"
	fi
else
	nok atk-sockets-fds "never sent: $($CTL logs atk-sockets-log 2>&1 | tail -n 2 | tr '\n' ' ')"
fi

touch $A/flood.go
usleep 300000
slow=0
for i in 1 2 3 4 5; do
	timeout 3 $CTL status atk-sockets-log >/dev/null 2>&1 || slow=$((slow + 1))
	usleep 200000
done
if [ $slow -eq 0 ] && wait_for 60 status_has atk-sockets-flood "Status: flood done" &&
	log_has atk-sockets-flood "<user.info> flood line"; then
	ok atk-sockets-flood
	note "atk-sockets-flood: $($CTL status atk-sockets-flood 2>/dev/null | grep '^Log:')"
else
	nok atk-sockets-flood "$slow of 5 status requests took over 3 s; $($CTL status atk-sockets-flood 2>&1 | grep -E '^(Status|Log)' | tr '\n' ' ')"
fi

$CTL stop atk-sockets-log >/dev/null 2>&1
wait_for 20 state_is atk-sockets-log inactive
if [ ! -e $R/notify ] && [ ! -e $R/log ] && ! status_has atk-sockets-log "Status:"; then
	ok atk-sockets-gone
else
	nok atk-sockets-gone "$(ls $R 2>&1 | tr '\n' ' ')"
fi

rm -f $UNITS/atk-sockets-log.unit $UNITS/atk-sockets-flood.unit
$CTL reload >/dev/null 2>&1
wait_for 20 sh -c "! $CTL status --json atk-sockets-flood >/dev/null 2>&1"
rm -rf $A
