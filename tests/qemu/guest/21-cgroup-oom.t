#!/bin/sh
# 21-cgroup-oom.t: a unit allocating past MemoryMax= is OOM-killed inside its
# cgroup: `sandboxctl run` exits 137, the group's memory.events counts the kill,
# and the group is gone after the run.
. /tests/cglib.sh
cg_guard 21-cgroup-oom.t

# The service itself is the memory hog: its death is the run's status.
cat > $units/cgoom.unit <<EOF
[Service]
ExecStart=$probe memhog 128

[Resources]
MemoryMax=32M
MemorySwapMax=0
EOF
"$ctl" run $units/cgoom.unit > /tmp/cgoom.out 2>&1
rc=$?
if [ $rc = 137 ]; then
	ok cgroup-oom-exit-137
else
	nok cgroup-oom-exit-137 "exit $rc: $(oneline /tmp/cgoom.out)"
fi
if grep -q '^memhog: done' /tmp/cgoom.out; then
	nok cgroup-oom-stopped "memhog touched all 128 MiB under MemoryMax=32M"
elif grep -q '^memhog: [0-9]* MiB' /tmp/cgoom.out; then
	ok cgroup-oom-stopped
else
	nok cgroup-oom-stopped "memhog never ran: $(oneline /tmp/cgoom.out)"
fi
if [ -e "$cgroot/cgoom" ]; then
	nok cgroup-oom-removed "$cgroot/cgoom still exists after the run"
else
	ok cgroup-oom-removed
fi

# The kill as the group's memory.events counts it, read while the group
# exists: a shell runs the hog as its child (the OOM killer takes the
# biggest task), prints its own group's file (cgroup namespace: the group is
# /sys/fs/cgroup inside), says "in ready" and waits for the guest to read
# the file from outside too.
cat > $scripts/cgoomev.sh <<EOF
$probe memhog 128 > /dev/null
echo "memhog exit \$?"
cg=/sys/fs/cgroup\$(sed -n 's/^0:://p' /proc/self/cgroup)
cat "\$cg/memory.events" || echo "in: no \$cg/memory.events (/sys/fs/cgroup: \$(ls /sys/fs/cgroup | wc -l) entries)"
echo "in ready"
exec sleep 60
EOF
cat > $units/cgoomev.unit <<EOF
[Service]
ExecStart=/bin/sh $scripts/cgoomev.sh

[Resources]
MemoryMax=32M
MemorySwapMax=0
EOF
"$ctl" run $units/cgoomev.unit > /tmp/cgoomev.out 2>&1 &
run=$!
wait_ready /tmp/cgoomev.out $run
if grep -q '^in ready' /tmp/cgoomev.out; then
	kills=$(sed -n 's/^oom_kill //p' $cgroot/cgoomev/memory.events)
	if grep -q '^memhog exit 137$' /tmp/cgoomev.out && [ "${kills:-0}" -ge 1 ]; then
		ok cgroup-oom-events
	else
		nok cgroup-oom-events "oom_kill '$kills' in $cgroot/cgoomev/memory.events: $(oneline /tmp/cgoomev.out)"
	fi
	kills=$(sed -n 's/^oom_kill //p' /tmp/cgoomev.out)
	if [ "${kills:-0}" -ge 1 ]; then
		ok cgroup-oom-events-inside
	else
		nok cgroup-oom-events-inside "the service read oom_kill '$kills': $(oneline /tmp/cgoomev.out)"
	fi
	kill -TERM $run
	wait $run
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-oom-events "the service never got ready (exit $?): $(oneline /tmp/cgoomev.out)"
fi
if [ -e "$cgroot/cgoomev" ]; then
	nok cgroup-oom-events-removed "$cgroot/cgoomev still exists after the run"
else
	ok cgroup-oom-events-removed
fi

exit 0
