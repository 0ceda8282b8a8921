#!/bin/sh
# 20-cgroup-limits.t: `sandboxctl run` of units with [Resources] writes exactly the
# asked values into the unit's cgroup, seen from the guest and from inside the
# service (its cgroup namespace), and removes the group when the run ends.
. /tests/cglib.sh
cg_guard 20-cgroup-limits.t

# The service prints its own view of the files it is asked about, says
# "in ready", then sleeps until the test stops it.
cat > $scripts/cg-report.sh <<'EOF'
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
# The hierarchy's real root has no cgroup.type: then /sys/fs/cgroup is not
# the unit's own group as its cgroup namespace should show it.
[ -f "$cg/cgroup.type" ] ||
	echo "in: $cg is not the unit's group ($(ls /sys/fs/cgroup | wc -l) entries, /proc/self/cgroup: $(cat /proc/self/cgroup))"
for f in "$@"; do
	echo "in $f=$(cat "$cg/$f" 2>&1)"
done
echo "in ready"
exec sleep 60
EOF

# start NAME: `sandboxctl run` the unit in the background until it is ready.
start() {
	out=/tmp/$1.out
	"$ctl" run $units/$1.unit > "$out" 2>&1 &
	run=$!
	wait_ready "$out" $run
	grep -q '^in ready' "$out"
}

# stop NAME: end the run (SIGTERM is forwarded to the service) and check that
# the group went with it.
stop() {
	kill -TERM $run 2>/dev/null
	wait $run
	rc=$?
	if [ -e "$cgroot/$1" ]; then
		nok "cgroup-$1-removed" "$cgroot/$1 still exists after the run ended (exit $rc)"
	else
		ok "cgroup-$1-removed"
	fi
}

# want NAME FILE VALUE: the guest's and the service's view of FILE.
want() {
	got=$(cat "$cgroot/$1/$2" 2>&1)
	if [ "$got" = "$3" ]; then
		ok "cgroup-$1-$2"
	else
		nok "cgroup-$1-$2" "want '$3', $cgroot/$1/$2 holds '$got'"
	fi
	got=$(sed -n "s/^in $2=//p" /tmp/$1.out)
	if [ "$got" = "$3" ]; then
		ok "cgroup-$1-$2-inside"
	else
		nok "cgroup-$1-$2-inside" "want '$3', the service read '$got' $(grep '^in: ' /tmp/$1.out)"
	fi
}

files="memory.max memory.high memory.swap.max cpu.weight cpu.max pids.max io.weight cpuset.cpus cpuset.mems"
cat > $units/cglimits.unit <<EOF
[Service]
ExecStart=/bin/sh $scripts/cg-report.sh $files

[Resources]
MemoryMax=64M
MemoryHigh=48M
MemorySwapMax=0
CPUShares=512
CPUQuota=50%
TasksMax=16
IOWeight=200
AllowedCPUs=0
AllowedMemoryNodes=0
EOF
if start cglimits; then
	want cglimits memory.max 67108864
	want cglimits memory.high 50331648
	want cglimits memory.swap.max 0
	want cglimits cpu.weight 59            # CPUShares=512 through crun's curve
	want cglimits cpu.max "50000 100000"
	want cglimits pids.max 16
	want cglimits io.weight "default 200"
	want cglimits cpuset.cpus 0
	want cglimits cpuset.mems 0
	stop cglimits
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-cglimits-run "the service never got ready (exit $?): $(oneline /tmp/cglimits.out)"
fi

# CPUWeight= as is, a quota above one CPU and a short period; no memory
# limit means memory.max stays "max" even where the controller is on.
cat > $units/cgweight.unit <<EOF
[Service]
ExecStart=/bin/sh $scripts/cg-report.sh cpu.weight cpu.max

[Resources]
CPUWeight=300
CPUQuota=150%
CPUQuotaPeriodSec=10ms
EOF
if start cgweight; then
	want cgweight cpu.weight 300
	want cgweight cpu.max "15000 10000"
	stop cgweight
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-cgweight-run "the service never got ready (exit $?): $(oneline /tmp/cgweight.out)"
fi

# A unit without [Resources] still gets its own (limit-free) group.
cat > $units/cgplain.unit <<EOF
[Service]
ExecStart=/bin/sh $scripts/cg-report.sh cgroup.type
EOF
if start cgplain; then
	if [ -d "$cgroot/cgplain" ]; then
		ok cgroup-cgplain-exists
	else
		nok cgroup-cgplain-exists "no $cgroot/cgplain while the unit runs"
	fi
	stop cgplain
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-cgplain-run "the service never got ready (exit $?): $(oneline /tmp/cgplain.out)"
fi

exit 0
