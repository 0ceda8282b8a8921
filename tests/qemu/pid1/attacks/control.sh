# checks: atk-control-signals-ignored atk-control-socket-cgroup atk-control-console-flood
# PID 1's control socket, shutdown signals and console, attacked from units
# (issue #9 items 3, 9, 11). Units: units/atk-control-*.unit; the flood
# unit is written here and removed again.

# item 11: kill -USR2/-TERM/-INT/-USR1 1 from a unit sharing our pid namespace
if wait_for 30 log_has atk-control-sig "sent SIGUSR1" && usleep 500000 &&
	$CTL status >/dev/null 2>&1 && [ "$(jget atk-control-sig state)" != "" ]; then
	ok atk-control-signals-ignored
else
	nok atk-control-signals-ignored "after the unit's signals: $($CTL logs atk-control-sig 2>&1 | tail -2 | tr '\n' ' ')"
fi

# item 3: the socket from inside a default unit with cgroups
sock_log() { $CTL logs atk-control-sock 2>/dev/null; }
if wait_for 30 log_has atk-control-sock "poweroff rc="; then
	l=$(sock_log)
	n=$(printf '%s\n' "$l" | grep -c 'rc=4$')
	if [ "$n" = 3 ] && printf '%s' "$l" | grep -q 'inside unit "atk-control-sock" (told by its cgroup)' &&
		state_is atk-control-sig exited failed inactive; then
		ok atk-control-socket-cgroup
	else
		nok atk-control-socket-cgroup "$(printf '%s' "$l" | tail -4 | tr '\n' ' ')"
	fi
else
	nok atk-control-socket-cgroup "no answer logged: $(sock_log | tail -3 | tr '\n' ' ')"
fi

# item 9: a unit floods StandardOutput=console; status must still answer
cat >"$UNITS/atk-control-flood.unit" <<'UNIT'
[Service]
ExecStart=/bin/sh -c 'yes flood-flood-flood-flood-flood-flood-flood & sleep 6; kill $!; exec sleep 1000'
StandardOutput=console
Restart=no
UNIT
$CTL reload >/dev/null 2>&1
worst=0
fails=0
i=0
usleep 500000
while [ $i -lt 10 ]; do
	t0=$(now_ms)
	$CTL status >/dev/null 2>&1 || fails=$((fails + 1))
	d=$(($(now_ms) - t0))
	[ "$d" -gt "$worst" ] && worst=$d
	usleep 300000
	i=$((i + 1))
done
rm -f "$UNITS/atk-control-flood.unit"
$CTL reload >/dev/null 2>&1
# our own lines go to the same console: report once the flood has drained
sleep 5
note "control: status during a console flood: worst ${worst} ms of 10"
if [ "$fails" = 0 ] && [ "$worst" -lt 2000 ]; then
	ok atk-control-console-flood
else
	nok atk-control-console-flood "status failed $fails times, worst ${worst} ms during the flood"
fi
