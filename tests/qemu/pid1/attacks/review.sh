# checks: atk-review-cgroup-nsdelegate atk-review-signal-forged atk-review-kernel-fs-bind
# Variants the adversarial review found after the first fixes of issue #9,
# against the real PID 1 (the host tier, tests/host/attack-review.sh, has
# the rest):
# - a root unit that sees the system's cgroup2 mount (no mount namespace of
#   its own) writes its pid to the root group's cgroup.procs: with
#   nsdelegate its cgroup namespace is a boundary, the write fails and it
#   stays in its group (its /proc/self/cgroup, "0::/" relative to its
#   namespace, would read "0::/../.." after a move);
# - a unit in PID 1's pid namespace queues SIGUSR2 to PID 1 with a sender
#   pid of its own choosing (rt_sigqueueinfo via the probe): ignored;
# - BindPaths=/sys/fs/cgroup is refused (no kernel file system bound in).
R=/run/atk-review
mkdir -p $R
cat >"$UNITS/atk-review-cg.unit" <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'cat /proc/self/cgroup > $R/cg.before; echo \$\$ > /sys/fs/cgroup/cgroup.procs 2> $R/cg.err; cat /proc/self/cgroup > $R/cg.after; grep " /sys/fs/cgroup " /proc/self/mounts > $R/cg.mount'
Restart=no
[Sandbox]
Namespaces=~mount
UNIT
cat >"$UNITS/atk-review-kbind.unit" <<'UNIT'
[Service]
ExecStart=/bin/sh -c 'echo max > /tmp/cg/sandboxd/memhog/memory.max; sleep 100'
Restart=no
[Sandbox]
BindPaths=/sys/fs/cgroup:/tmp/cg
UNIT
cat >"$UNITS/atk-review-sigq.unit" <<'UNIT'
[Service]
Type=oneshot
ExecStart=/bin/probe sigqueue 1 12 0
Restart=no
[Sandbox]
Namespaces=~pid
UNIT
$CTL reload >/dev/null 2>&1
$CTL start atk-review-cg >/dev/null 2>&1
$CTL start atk-review-kbind >/dev/null 2>&1
$CTL start atk-review-sigq >/dev/null 2>&1

# cg.mount is the unit's last file: waiting for cg.after alone raced it
if wait_for 20 test -s $R/cg.mount && grep -q nsdelegate $R/cg.mount 2>/dev/null &&
	cmp -s $R/cg.before $R/cg.after && [ -s $R/cg.err ]; then
	ok atk-review-cgroup-nsdelegate
else
	nok atk-review-cgroup-nsdelegate "before '$(cat $R/cg.before 2>/dev/null)' after '$(cat $R/cg.after 2>/dev/null)' mount '$(cat $R/cg.mount 2>/dev/null)' err '$(cat $R/cg.err 2>/dev/null)'"
fi

wait_for 20 state_is atk-review-sigq inactive failed
usleep 500000
if $CTL status >/dev/null 2>&1 && log_has atk-review-sigq "sigqueue: sent"; then
	ok atk-review-signal-forged
else
	nok atk-review-signal-forged "status: $($CTL status >/dev/null 2>&1; echo $?); $($CTL logs atk-review-sigq 2>&1 | tail -2 | tr '\n' ' ')"
fi

wait_for 10 state_is atk-review-kbind failed
mm=$(cat /sys/fs/cgroup/sandboxd/memhog/memory.max 2>/dev/null)
if state_is atk-review-kbind failed && [ "$mm" != max ] &&
	$CTL status atk-review-kbind 2>&1 | grep -q "holds the kernel's"; then
	ok atk-review-kernel-fs-bind
else
	nok atk-review-kernel-fs-bind "state $(jget atk-review-kbind state), memhog memory.max $mm: $($CTL status atk-review-kbind 2>&1 | tail -3 | tr '\n' ' ')"
fi

$CTL stop atk-review-kbind >/dev/null 2>&1
rm -f "$UNITS/atk-review-cg.unit" "$UNITS/atk-review-kbind.unit" "$UNITS/atk-review-sigq.unit"
$CTL reload >/dev/null 2>&1
rm -rf $R
