# checks: pid1-killmode-process pid1-killmode-mixed pid1-killmode-control-group pid1-forking-pidfile pid1-kill-whom-all
# Not an attack: issue #11's lifecycle where it needs the real PID 1 and
# cgroups (the host tier, tests/host/lifecycle.sh, has neither): KillMode=
# (process: a restart leaves the service's other processes running, the
# next run joins them in the kept cgroup; mixed: KillSignal to the main
# process only, SIGKILL to the rest; control-group: KillSignal to every
# process), Type=forking with PIDFile=, and `sandboxctl kill
# --kill-whom=all`. The units are written here, loaded with a reload and
# removed again. Without a pid namespace (Namespaces=~pid): a pid
# namespace ends with its first process, whatever KillMode= says.

D=/run/lifecycle
mkdir -p $D
chmod 1777 $D
# a service with a child; each records the signals it gets
cat >$D/two.sh <<'EOS'
d=$1
sh -c "trap 'echo child-term >>$d/log; exit 0' TERM; trap 'echo child-usr1 >>$d/log' USR1; echo \$\$ >>$d/child; while :; do sleep 1000 & wait; done" &
cpid=$!
# with "wait" the main outlives its child's trap: once the main process is
# gone, sandboxd SIGKILLs what is left of the group at once (a known limit,
# README), which would race the child's own TERM handler
trap "echo main-term >>$d/log; [ \"\$2\" = wait ] && wait $cpid; exit 0" TERM
trap "echo main-usr1 >>$d/log" USR1
echo started >>$d/log
while :; do sleep 1000 & wait; done
EOS
for m in process mixed control-group; do
	mkdir -p $D/$m
	cat >"$UNITS/lc-$m.unit" <<UNIT
[Service]
ExecStart=/bin/sh $D/two.sh $D/$m $([ $m = control-group ] && echo wait)
KillMode=$m
TimeoutStopSec=3s
[Sandbox]
Namespaces=~pid
BindPaths=$D
UNIT
done
cat >"$UNITS/lc-fork.unit" <<UNIT
[Service]
Type=forking
PIDFile=/run/fork.pid
ExecStart=/bin/sh -c 'sleep 1001 & echo \$! >/run/fork.pid'
[Sandbox]
Namespaces=~pid
UNIT
$CTL reload >/dev/null 2>&1

started() { grep -q started "$D/$1/log" 2>/dev/null && [ -s "$D/$1/child" ]; }
for m in process mixed control-group; do wait_for 20 started $m; done

# process: a restart keeps the child; the new run starts in the kept group
c=$(head -n 1 $D/process/child 2>/dev/null)
$CTL restart lc-process >/dev/null 2>&1
if wait_for 20 state_is lc-process running && [ "$(grep -c started $D/process/log)" = 2 ] &&
	[ -n "$c" ] && kill -0 "$c" 2>/dev/null && ! grep -q child-term $D/process/log; then
	ok pid1-killmode-process
else
	nok pid1-killmode-process "$(jget lc-process state), child ${c:-?} alive: $(kill -0 "$c" 2>/dev/null && echo yes || echo no), log: $(tr '\n' ' ' <$D/process/log)"
fi

# mixed: KillSignal to the main process alone, then SIGKILL to the rest
c=$(cat $D/mixed/child 2>/dev/null)
$CTL stop lc-mixed >/dev/null 2>&1
if wait_for 20 state_is lc-mixed inactive && grep -q main-term $D/mixed/log &&
	! grep -q child-term $D/mixed/log && ! kill -0 "$c" 2>/dev/null; then
	ok pid1-killmode-mixed
else
	nok pid1-killmode-mixed "$(jget lc-mixed state), log: $(tr '\n' ' ' <$D/mixed/log), child alive: $(kill -0 "$c" 2>/dev/null && echo yes || echo no)"
fi

# control-group: kill --kill-whom=all reaches both, then the stop too
$CTL kill -s USR1 --kill-whom=all lc-control-group >/dev/null 2>&1
if wait_for 5 grep -q child-usr1 $D/control-group/log && grep -q main-usr1 $D/control-group/log; then
	ok pid1-kill-whom-all
else
	nok pid1-kill-whom-all "log: $(tr '\n' ' ' <$D/control-group/log)"
fi
$CTL stop lc-control-group >/dev/null 2>&1
if wait_for 20 state_is lc-control-group inactive && grep -q main-term $D/control-group/log &&
	grep -q child-term $D/control-group/log; then
	ok pid1-killmode-control-group
else
	nok pid1-killmode-control-group "$(jget lc-control-group state), log: $(tr '\n' ' ' <$D/control-group/log)"
fi

# forking: the started process exits 0, PIDFile= names the daemon
p=
if wait_for 20 state_is lc-fork running; then
	p=$(jget lc-fork pid)
fi
if [ -n "$p" ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'sleep 1001'; then
	ok pid1-forking-pidfile
else
	nok pid1-forking-pidfile "$(jget lc-fork state), pid ${p:-none}: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null); $($CTL logs lc-fork 2>&1 | tail -2 | tr '\n' ' ')"
fi

for u in process mixed control-group fork; do $CTL stop lc-$u >/dev/null 2>&1; done
wait_for 10 state_is lc-process inactive
# KillMode=process left the children of both runs: they go here
for c in $(cat $D/process/child 2>/dev/null); do kill -9 "$c" 2>/dev/null; done
rm -f "$UNITS"/lc-*.unit
$CTL reload >/dev/null 2>&1
