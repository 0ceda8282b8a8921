#!/bin/sh
# 22-cgroup-pids.t: TasksMax=16 stops a fork loop at 16 tasks in the unit's group.
. /tests/cglib.sh
cg_guard 22-cgroup-pids.t

# The shell counts the tasks already in its group (itself, and the sandbox's
# reaper under Init=yes) with builtins only, so that the count is exact; the
# probe then adds itself and as many children as pids.max lets it. After
# "in ready" the guest reads the group's counters from outside.
cat > $scripts/cgpids.sh <<EOF
cg=/sys/fs/cgroup\$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -f "\$cg/cgroup.type" ]; then
	n=0
	while read -r t; do n=\$((n + 1)); done < "\$cg/cgroup.threads"
	echo "before \$n"
else
	echo "in: \$cg is not the unit's group (/proc/self/cgroup: \$(cat /proc/self/cgroup))"
fi
$probe forkbomb 40
echo "in ready"
exec sleep 60
EOF
cat > $units/cgpids.unit <<EOF
[Service]
ExecStart=/bin/sh $scripts/cgpids.sh

[Resources]
TasksMax=16
EOF
"$ctl" run $units/cgpids.unit > /tmp/cgpids.out 2>&1 &
run=$!
wait_ready /tmp/cgpids.out $run
if grep -q '^in ready' /tmp/cgpids.out; then
	d=$cgroot/cgpids
	forked=$(sed -n 's/^forkbomb: forked=\([0-9]*\) .*/\1/p' /tmp/cgpids.out)
	peak=$(cat $d/pids.peak 2>/dev/null)
	events=$(sed -n 's/^max //p' $d/pids.events)
	if [ "$(cat $d/pids.max)" = 16 ] && [ "${peak:-16}" = 16 ] &&
	   [ -n "$forked" ] && [ "$forked" -lt 40 ] &&
	   grep -q 'wanted=40 errno=EAGAIN' /tmp/cgpids.out; then
		ok cgroup-pids-max
	else
		nok cgroup-pids-max "pids.max $(cat $d/pids.max), pids.peak '$peak': $(oneline /tmp/cgpids.out)"
	fi
	if [ "${events:-0}" -ge 1 ]; then
		ok cgroup-pids-events
	else
		nok cgroup-pids-events "pids.events max is '$events' after refused forks"
	fi
	# Exactly 16: what was there, the probe and its children.
	before=$(sed -n 's/^before //p' /tmp/cgpids.out)
	if [ -n "$before" ] && [ -n "$forked" ] && [ $((before + 1 + forked)) = 16 ]; then
		ok cgroup-pids-exact
	else
		nok cgroup-pids-exact "'$before' tasks + the probe + '$forked' forked != 16: $(oneline /tmp/cgpids.out)"
	fi
	kill -TERM $run
	wait $run
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-pids-max "the service never got ready (exit $?): $(oneline /tmp/cgpids.out)"
fi

exit 0
