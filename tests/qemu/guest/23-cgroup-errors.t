#!/bin/sh
# 23-cgroup-errors.t: cgroup failures of `sandboxctl run` are clear and leave
# nothing behind: a controller the kernel does not offer, a write the kernel
# refuses, a leftover group still in use; an empty leftover is replaced.
. /tests/cglib.sh
cg=/sys/fs/cgroup
cg_guard 23-cgroup-errors.t

# --- A cgroup2 /sys/fs/cgroup without the memory controller: a group whose
# parent did not enable it, bound over /sys/fs/cgroup in a private mount
# namespace (busybox's unshare has no cgroup namespace; a bind is enough).
cat > $units/cgnomem.unit <<EOF
[Service]
ExecStart=/bin/true

[Resources]
MemoryMax=64M
EOF
rmdir $cg/t23-nomem/inner $cg/t23-nomem 2>/dev/null
mkdir -p $cg/t23-nomem/inner
unshare -m --propagation private /bin/sh -c \
	"mount -o bind $cg/t23-nomem/inner $cg && exec $ctl run $units/cgnomem.unit" \
	> /tmp/cgnomem.out 2>&1
rc=$?
want="the memory controller is not available in /sys/fs/cgroup (needed by MemoryMax=)"
if [ $rc != 0 ] && grep -qF "$want" /tmp/cgnomem.out; then
	ok cgroup-missing-controller
else
	nok cgroup-missing-controller "exit $rc, want '$want': $(oneline /tmp/cgnomem.out)"
fi
if [ -z "$(ls -d $cg/t23-nomem/inner/*/ 2>/dev/null)" ]; then
	ok cgroup-missing-controller-nothing-made
else
	nok cgroup-missing-controller-nothing-made "$(ls -d $cg/t23-nomem/inner/*/)"
fi
rmdir $cg/t23-nomem/inner/*/* $cg/t23-nomem/inner/* 2>/dev/null
rmdir $cg/t23-nomem/inner $cg/t23-nomem

# --- A value the kernel refuses (CPU 7 of a 2-CPU guest): the message names
# the file and the kernel's reason, and the half-made group is removed.
cat > $units/cgbadcpu.unit <<EOF
[Service]
ExecStart=/bin/true

[Resources]
AllowedCPUs=7
EOF
"$ctl" run $units/cgbadcpu.unit > /tmp/cgbadcpu.out 2>&1
rc=$?
# (The kernel says ERANGE past nr_cpu_ids, EINVAL for an offline CPU.)
if [ $rc != 0 ] && grep -qF "writing \"7\" to $cgroot/cgbadcpu/cpuset.cpus: " /tmp/cgbadcpu.out; then
	ok cgroup-refused-write
else
	nok cgroup-refused-write "exit $rc: $(oneline /tmp/cgbadcpu.out)"
fi
if [ -e "$cgroot/cgbadcpu" ]; then
	nok cgroup-refused-write-removed "$cgroot/cgbadcpu left behind"
else
	ok cgroup-refused-write-removed
fi

# --- Leftover groups, as a launcher killed mid-run would leave them.
echo +pids > $cg/cgroup.subtree_control
mkdir -p $cgroot
echo +pids > $cgroot/cgroup.subtree_control
cat > $units/cgleft.unit <<EOF
[Service]
ExecStart=/bin/sh -c 'echo "in ready"; exec sleep 60'
[Resources]
# no limit at all, not the build's default: the old pids.max must go
TasksMax=infinity
EOF

# Still in use: refused, and the process in it is left alone.
rmdir $cgroot/cgleft 2>/dev/null
mkdir $cgroot/cgleft
/bin/sh -c "echo \$\$ > $cgroot/cgleft/cgroup.procs && exec sleep 60" &
squatter=$!
i=0
while [ -z "$(cat $cgroot/cgleft/cgroup.procs)" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$ctl" run $units/cgleft.unit > /tmp/cgleft.out 2>&1
rc=$?
if [ $rc != 0 ] && grep -qF "$cgroot/cgleft still holds processes" /tmp/cgleft.out &&
   kill -0 $squatter 2>/dev/null; then
	ok cgroup-leftover-in-use
else
	nok cgroup-leftover-in-use "exit $rc: $(oneline /tmp/cgleft.out)"
fi
kill -KILL $squatter
wait $squatter 2>/dev/null

# Empty, with a limit the unit no longer asks for and a child group: the run
# gets a fresh group, without the old pids.max.
i=0
while ! rmdir $cgroot/cgleft 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir $cgroot/cgleft $cgroot/cgleft/old-child
echo 5 > $cgroot/cgleft/pids.max
"$ctl" run $units/cgleft.unit > /tmp/cgleft.out 2>&1 &
run=$!
wait_ready /tmp/cgleft.out $run
if grep -q '^in ready' /tmp/cgleft.out; then
	got=$(cat $cgroot/cgleft/pids.max)
	if [ "$got" = max ] && [ ! -e $cgroot/cgleft/old-child ]; then
		ok cgroup-leftover-replaced
	else
		nok cgroup-leftover-replaced "pids.max '$got' (want max), old-child $(ls -d $cgroot/cgleft/old-child 2>&1)"
	fi
	kill -TERM $run
	wait $run
else
	kill -KILL $run 2>/dev/null
	wait $run
	nok cgroup-leftover-replaced "the service never got ready (exit $?): $(oneline /tmp/cgleft.out)"
fi
if [ -e "$cgroot/cgleft" ]; then
	nok cgroup-leftover-removed "$cgroot/cgleft still exists after the run"
else
	ok cgroup-leftover-removed
fi

exit 0
