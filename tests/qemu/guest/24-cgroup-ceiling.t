#!/bin/sh
# 24-cgroup-ceiling.t: under a pids.max on the units' group (what the real
# PID 1 writes at boot, issue 9 item 17), one unit cannot take the whole
# cap: with TasksMax=infinity its group gets the cap less the reserve (5 %
# of it, at least 64: CONFIG_PIDS_RESERVE_PERCENT's default), a lower
# TasksMax= (the default 512, CONFIG_DEFAULT_TASKS_MAX, among them) stays;
# with no cap above (`sandboxctl run` where PID 1 is not sandboxd), only the
# unit's own. The guest's init is a
# script, so the cap is written here, and "max" put back at the end.
. /tests/cglib.sh
cg_guard 24-cgroup-ceiling.t

echo +pids > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p $cgroot
echo +pids > $cgroot/cgroup.subtree_control

# ceil NAME TASKSMAX-LINE: the unit's pids.max, read inside it
ceil() {
	printf '[Service]\nExecStart=/bin/cat /sys/fs/cgroup/pids.max\n%s\n' "${2:+[Resources]
$2}" > $units/$1.unit
	"$ctl" run $units/$1.unit 2>&1 | tr '\n' ' ' | sed 's/ $//'
}

echo 4000 > $cgroot/pids.max
why=
got=$(ceil cgceil1 '')
[ "$got" = 512 ] || why="no TasksMax=: pids.max '$got', want the default 512"
got=$(ceil cgceil2 'TasksMax=infinity')
[ "$got" = 3800 ] || why="${why:+$why; }TasksMax=infinity: '$got', want 3800"
got=$(ceil cgceil3 'TasksMax=16')
[ "$got" = 16 ] || why="${why:+$why; }TasksMax=16: '$got'"
got=$(ceil cgceil4 'TasksMax=3900')
[ "$got" = 3800 ] || why="${why:+$why; }TasksMax=3900: '$got', want 3800"
echo 1000 > $cgroot/pids.max
got=$(ceil cgceil2 'TasksMax=infinity')
[ "$got" = 936 ] || why="${why:+$why; }cap 1000: '$got', want 936 (at least 64 kept)"
if [ -z "$why" ]; then ok cgroup-pids-ceiling; else nok cgroup-pids-ceiling "$why"; fi

echo max > $cgroot/pids.max
got=$(ceil cgceil2 'TasksMax=infinity')
if [ "$got" = max ]; then ok cgroup-pids-no-cap; else nok cgroup-pids-no-cap "no cap above, TasksMax=infinity: '$got', want max"; fi
exit 0
