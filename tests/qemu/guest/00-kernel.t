#!/bin/sh
# 00-kernel.t: the guest kernel's cgroup v2 does what the launcher relies on.
cg=/sys/fs/cgroup
t=$cg/t00-kernel
probe=${PROBE:-/bin/probe}

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }

# Controllers available at the root.
have=$(cat $cg/cgroup.controllers 2>&1)
missing=
for c in cpu io memory pids cpuset; do
	case " $have " in *" $c "*) ;; *) missing="$missing $c" ;; esac
done
if [ -z "$missing" ]; then
	ok cgroup2-controllers
else
	nok cgroup2-controllers "missing$missing (cgroup.controllers: $have)"
fi

# Delegation to a child, and a memory limit that reads back.
# shellcheck disable=SC2116 # the echo is what writes to the file
if ! err=$(echo "+memory +pids +cpu" 2>&1 > $cg/cgroup.subtree_control); then
	nok cgroup2-subtree-control "writing +memory +pids +cpu: $err"
fi
rmdir $t 2>/dev/null
mkdir $t || nok cgroup2-mkdir "mkdir $t failed"
child=" $(cat $t/cgroup.controllers 2>&1) "
case $child in
*" memory "*) case $child in
	*" pids "*) ok cgroup2-subtree-control ;;
	*) nok cgroup2-subtree-control "child lacks pids:$child" ;;
	esac ;;
*) nok cgroup2-subtree-control "child lacks memory:$child" ;;
esac
echo 67108864 > $t/memory.max 2>/dev/null
v=$(cat $t/memory.max 2>&1)
if [ "$v" = 67108864 ]; then
	ok cgroup2-memory-max
else
	nok cgroup2-memory-max "wrote 67108864, read back '$v'"
fi
echo "50000 100000" > $t/cpu.max 2>/dev/null
v=$(cat $t/cpu.max 2>&1)
if [ "$v" = "50000 100000" ]; then
	ok cgroup2-cpu-max
else
	nok cgroup2-cpu-max "wrote '50000 100000', read back '$v'"
fi

# pids.max=4: the process moved in is task 1, so only 3 forks can succeed.
echo 4 > $t/pids.max
out=$(/bin/sh -c "echo \$\$ > $t/cgroup.procs && exec $probe forkbomb 10" 2>&1)
case $out in
*"forked=3 wanted=10 errno=EAGAIN"*) ok cgroup2-pids-max ;;
*) nok cgroup2-pids-max "expected forked=3 errno=EAGAIN under pids.max=4, got: $out" ;;
esac
ev=$(sed -n 's/^max //p' $t/pids.events 2>/dev/null)
if [ "${ev:-0}" -gt 0 ]; then
	ok cgroup2-pids-events
else
	nok cgroup2-pids-events "pids.events max is '${ev}' after a refused fork"
fi

# memory.max=32M: a process touching 64 MiB is OOM-killed inside the cgroup.
echo 0 > $t/memory.swap.max 2>/dev/null
echo 33554432 > $t/memory.max
out=$(/bin/sh -c "echo \$\$ > $t/cgroup.procs && exec $probe memhog 64" 2>&1)
rc=$?
kills=$(sed -n 's/^oom_kill //p' $t/memory.events 2>/dev/null)
last=$(echo "$out" | tail -n 1)
if [ "$rc" = 137 ] && [ "${kills:-0}" -ge 1 ] && [ "${last%% MiB}" != "memhog: done 64" ]; then
	ok cgroup2-memory-oom
else
	nok cgroup2-memory-oom "memhog 64 under memory.max=32M: exit $rc, oom_kill=${kills}, last line '$last'"
fi

if rmdir $t; then
	ok cgroup2-rmdir
else
	nok cgroup2-rmdir "cannot remove $t: $(cat $t/cgroup.procs 2>&1 | tr '\n' ' ')"
fi
