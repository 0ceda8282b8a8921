# checks: atk-control-signals-ignored atk-control-socket-cgroup atk-control-console-flood
# PID 1's control socket, shutdown signals and console, attacked from units
# (issue #9 items 3, 9, 11). The units are written here, loaded with a
# reload and removed again, so that the boot checks see the usual set.

# item 11: a unit that shares PID 1's pid namespace sends it every shutdown
# signal; item 3: a unit that sees the socket (no mount namespace of its
# own), root, without ControlAccess=yes, tries to stop a unit, reload and
# power off: PID 1 tells it is inside a unit by its cgroup
cat >"$UNITS/atk-control-sig.unit" <<'UNIT'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 1; for s in USR2 TERM INT USR1; do kill -$s 1 && echo "sent SIG$s"; done'
Restart=no
[Sandbox]
Namespaces=~pid
UNIT
cat >"$UNITS/atk-control-sock.unit" <<'UNIT'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 1; for v in "stop web" reload poweroff; do /bin/sandboxctl $v; echo "$v rc=$?"; done'
Restart=no
[Sandbox]
Namespaces=~mount
UNIT
$CTL reload >/dev/null 2>&1

if wait_for 30 log_has atk-control-sig "sent SIGUSR1" && usleep 500000 &&
	$CTL status >/dev/null 2>&1 && [ "$(jget atk-control-sig state)" != "" ]; then
	ok atk-control-signals-ignored
else
	nok atk-control-signals-ignored "after the unit's signals: $($CTL logs atk-control-sig 2>&1 | tail -2 | tr '\n' ' ')"
fi

sock_log() { $CTL logs atk-control-sock 2>/dev/null; }
if wait_for 30 log_has atk-control-sock "poweroff rc="; then
	l=$(sock_log)
	n=$(printf '%s\n' "$l" | grep -c 'rc=4$')
	if [ "$n" = 3 ] && printf '%s' "$l" | grep -q 'inside unit "atk-control-sock" (told by its cgroup)' &&
		state_is web running; then
		ok atk-control-socket-cgroup
	else
		nok atk-control-socket-cgroup "$(printf '%s' "$l" | tail -4 | tr '\n' ' ')"
	fi
else
	nok atk-control-socket-cgroup "no answer logged: $(sock_log | tail -3 | tr '\n' ' ')"
fi

rm -f "$UNITS/atk-control-sig.unit" "$UNITS/atk-control-sock.unit"
$CTL reload >/dev/null 2>&1

# item 9: a unit floods StandardOutput=console; status must still answer
# (before the fix, PID 1 waited up to 100 ms per console write: 3190 ms
# here, over 20 s with a slower console; after it about 1000 ms under TCG,
# mostly the flood's share of the one guest CPU: the baseline is noted)
base=0
for i in 1 2 3; do
	t0=$(now_ms)
	$CTL status >/dev/null 2>&1
	d=$(($(now_ms) - t0))
	[ "$d" -gt "$base" ] && base=$d
done
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
note "control: status during a console flood: worst ${worst} ms of 10 (${base} ms without it)"
if [ "$fails" = 0 ] && [ "$worst" -lt 2000 ]; then
	ok atk-control-console-flood
else
	nok atk-control-console-flood "status failed $fails times, worst ${worst} ms during the flood"
fi
