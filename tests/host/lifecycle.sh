#!/bin/bash
# Issue #11's lifecycle with sandboxd as a supervisor (not PID 1, no
# cgroup on the host): readiness (Type=notify, TimeoutStartSec=, After=
# waits for READY=1), the control processes (ExecStartPre= with and
# without "-", ExecStartPost= in the service's namespaces, ExecReload=,
# ExecStop= before KillSignal), ReloadSignal=, `sandboxctl kill`, the main
# pid under Init=, and JoinsNamespaceOf= (a shared private network that
# outlives a restart of one member). KillMode= and Type=forking with
# PIDFile= need a cgroup: the PID-1 tier has them (tests/qemu/pid1).
# The units run shell scripts from $work/bin and write what they saw to
# $work/out (bound writable into them).
#
# Env: SANDBOXD, SANDBOXCTL, PROBE (default build/probe, built by
#      tests/qemu/probe.sh), TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
PROBE=${PROBE:-$(env TOP="$TOP" "$TOP/tests/qemu/probe.sh" 2>/dev/null)}
sup_setup lifecycle life
if [ ! -x "${PROBE:-}" ]; then
	skip lifecycle "needs build/probe (musl-gcc)"
	exit 0
fi
out=$work/out
bin=$work/bin
mkdir -p "$out" "$bin"
chmod 1777 "$out"
cp "$PROBE" "$bin/probe"
export SANDBOXD_RUN_DIR=$run
port=$((20000 + RANDOM % 20000))

# ---- the units --------------------------------------------------------------

# ntf: ready once the test says go; cli (After=ntf) records whether it was
cat >"$bin/ntf.sh" <<EOT
while [ ! -e $out/ntf.go ]; do sleep 0.1; done
touch $out/ntf.ready
NOTIFY_SOCKET=\${NOTIFY_SOCKET:-/dev/.notify} $bin/probe notify 'READY=1\nSTATUS=serving' >$out/ntf.notify 2>&1
exec sleep 100000
EOT
cat >"$bin/cli.sh" <<EOT
if [ -e $out/ntf.ready ]; then echo ready >$out/cli.saw; else echo early >$out/cli.saw; fi
exec sleep 100000
EOT
# never ready
cat >"$bin/mute.sh" <<EOT
exec sleep 100000
EOT
# Exec* around a service that records its signals
cat >"$bin/svc.sh" <<EOT
name=\$1
trap 'echo term >>$out/\$name.log; exit 0' TERM
trap 'echo usr1 >>$out/\$name.log' USR1
trap 'echo usr2 >>$out/\$name.log' USR2
readlink /proc/self/ns/net >$out/\$name.netns
echo start >>$out/\$name.log
while :; do sleep 100000 & wait; done
EOT
cat >"$bin/mark.sh" <<EOT
echo "\$2" >>$out/\$1.log
readlink /proc/self/ns/net >$out/\$1.\$2.netns
EOT
# JoinsNamespaceOf=: a server on 127.0.0.1 and a client that connects once
cat >"$bin/srv.sh" <<EOT
readlink /proc/self/ns/net >>$out/srv.netns
while :; do echo hello | busybox nc -l -p $port >/dev/null; done
EOT
cat >"$bin/peer.sh" <<EOT
readlink /proc/self/ns/net >$out/peer.netns
sleep 1
busybox nc 127.0.0.1 $port </dev/null >$out/peer.got 2>&1
exec sleep 100000
EOT

# Type=forking: the started process leaves a daemon behind and exits
cat >"$bin/fork.sh" <<EOT
sleep 100001 </dev/null >/dev/null 2>&1 &
echo \$! >/run/fork.pid
exit \$1
EOT

common="[Sandbox]
BindPaths=$out"

cat >"$units/ntf.unit" <<EOT
[Service]
Type=notify
ExecStart=/bin/sh $bin/ntf.sh
$common
EOT
cat >"$units/cli.unit" <<EOT
[Unit]
After=ntf
[Service]
ExecStart=/bin/sh $bin/cli.sh
$common
EOT
cat >"$units/mute.unit" <<EOT
[Service]
Type=notify
ExecStart=/bin/sh $bin/mute.sh
TimeoutStartSec=2s
Restart=no
$common
EOT
cat >"$units/prefail.unit" <<EOT
[Service]
ExecStartPre=/bin/false
ExecStart=/bin/sh $bin/svc.sh prefail
Restart=no
$common
EOT
cat >"$units/preok.unit" <<EOT
[Service]
ExecStartPre=-/bin/false
ExecStartPre=/bin/sh $bin/mark.sh preok pre
ExecStart=/bin/sh $bin/svc.sh preok
$common
EOT
cat >"$units/cmds.unit" <<EOT
[Service]
ExecStart=/bin/sh $bin/svc.sh cmds
ExecStartPost=/bin/sh $bin/mark.sh cmds post
ExecReload=/bin/sh $bin/mark.sh cmds reload
ExecStop=/bin/sh $bin/mark.sh cmds stop
TimeoutStopSec=10s
$common
EOT
cat >"$units/sig.unit" <<EOT
[Service]
ExecStart=/bin/sh $bin/svc.sh sig
ReloadSignal=SIGUSR2
$common
EOT
cat >"$units/rfail.unit" <<EOT
[Service]
ExecStart=/bin/sh $bin/svc.sh rfail
ExecReload=/bin/false
$common
EOT
cat >"$units/fork.unit" <<EOT
[Service]
Type=forking
PIDFile=/run/fork.pid
ExecStart=/bin/sh $bin/fork.sh 0
$common
EOT
cat >"$units/forkfail.unit" <<EOT
[Service]
Type=forking
PIDFile=/run/fork.pid
ExecStart=/bin/sh $bin/fork.sh 3
Restart=no
$common
EOT
cat >"$units/srv.unit" <<EOT
[Service]
ExecStart=/bin/sh $bin/srv.sh
$common
EOT
cat >"$units/peer.unit" <<EOT
[Unit]
JoinsNamespaceOf=srv
[Service]
ExecStart=/bin/sh $bin/peer.sh
$common
EOT

if ! "$SANDBOXCTL" check --units "$units" >"$work/check.txt" 2>&1; then
	nok lifecycle-units-valid "$(oneline "$(cat "$work/check.txt")")"
	exit 1
fi
ok lifecycle-units-valid

"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!

mainpid() { "$SANDBOXCTL" status "$1" 2>/dev/null | sed -n 's/^Main PID: \([0-9]*\).*/\1/p'; }
supinfo() { oneline "$(tail -n 5 "$work/sup.log")"; }

# ---- readiness ----------------------------------------------------------------

for _ in $(seq 1 50); do [ -n "$(sup_state ntf)" ] && break; sleep 0.1; done
sleep 1
st=$(sup_state ntf)
cst=$(sup_state cli)
touch "$out/ntf.go"
if [ "$st" = starting ] && [ "$cst" = starting ] && [ ! -e "$out/ntf.ready" ]; then
	ok lifecycle-notify-starting-until-ready
else
	nok lifecycle-notify-starting-until-ready "ntf is '$st', cli (After=ntf) '$cst' before READY=1 ($(supinfo))"
fi
if sup_wait ntf running 10; then
	ok lifecycle-notify-running-after-ready
else
	nok lifecycle-notify-running-after-ready "ntf is '$(sup_state ntf)' 10 s after its start; probe: $(oneline "$(cat "$out/ntf.notify" 2>/dev/null)") ($(supinfo))"
fi
sup_wait cli running 10
saw=$(cat "$out/cli.saw" 2>/dev/null)
if [ "$saw" = ready ]; then
	ok lifecycle-after-waits-for-ready
else
	nok lifecycle-after-waits-for-ready "cli (After=ntf) started ${saw:-never}: want once ntf sent READY=1"
fi

if sup_wait mute failed 15; then
	if "$SANDBOXCTL" status mute 2>&1 | grep -q 'did not become ready within 2 s'; then
		ok lifecycle-timeoutstartsec-fails
	else
		nok lifecycle-timeoutstartsec-fails "failed, but not for its start timeout: $(oneline "$("$SANDBOXCTL" status mute 2>&1)")"
	fi
else
	nok lifecycle-timeoutstartsec-fails "mute is '$(sup_state mute)', want failed after TimeoutStartSec=2s"
fi

# ---- ExecStartPre= ----------------------------------------------------------------

if sup_wait prefail failed 10 && [ ! -e "$out/prefail.log" ] &&
	"$SANDBOXCTL" status prefail 2>&1 | grep -q 'ExecStartPre=/bin/false exited 1'; then
	ok lifecycle-startpre-failure-fails
else
	nok lifecycle-startpre-failure-fails "prefail is '$(sup_state prefail)', main ran: $([ -e "$out/prefail.log" ] && echo yes || echo no); $(oneline "$("$SANDBOXCTL" status prefail 2>&1 | grep -i last)")"
fi
if sup_wait preok running 10 && [ "$(head -n 2 "$out/preok.log" 2>/dev/null | tr '\n' ' ')" = "pre start " ]; then
	ok lifecycle-startpre-dash-ignored
else
	nok lifecycle-startpre-dash-ignored "preok is '$(sup_state preok)', log: $(oneline "$(cat "$out/preok.log" 2>/dev/null)")"
fi

# ---- ExecStartPost=, ExecReload=, ExecStop= -------------------------------------------

sup_wait cmds running 10
if [ "$(cat "$out/cmds.post.netns" 2>/dev/null)" = "$(cat "$out/cmds.netns" 2>/dev/null)" ] &&
	[ -s "$out/cmds.netns" ]; then
	ok lifecycle-startpost-in-service-ns
else
	nok lifecycle-startpost-in-service-ns "post's net ns $(cat "$out/cmds.post.netns" 2>/dev/null), the service's $(cat "$out/cmds.netns" 2>/dev/null)"
fi
pid0=$(mainpid cmds)
"$SANDBOXCTL" reload cmds >"$work/reload.txt" 2>&1
rc=$?
if [ $rc = 0 ] && grep -qx reload "$out/cmds.log" && [ "$(mainpid cmds)" = "$pid0" ] &&
	[ "$(sup_state cmds)" = running ]; then
	ok lifecycle-execreload
else
	nok lifecycle-execreload "rc $rc ($(oneline "$(cat "$work/reload.txt")")), log: $(oneline "$(cat "$out/cmds.log" 2>/dev/null)"), main pid $pid0 -> $(mainpid cmds), $(sup_state cmds)"
fi
"$SANDBOXCTL" stop cmds >/dev/null 2>&1
sup_wait cmds inactive 15
if [ "$(sed -n '/^stop$/,$p' "$out/cmds.log" 2>/dev/null | tr '\n' ' ')" = "stop term " ]; then
	ok lifecycle-execstop-before-killsignal
else
	nok lifecycle-execstop-before-killsignal "log: $(oneline "$(cat "$out/cmds.log" 2>/dev/null)"), state $(sup_state cmds)"
fi

sup_wait rfail running 10
"$SANDBOXCTL" reload rfail >"$work/rfail.txt" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'ExecReload=/bin/false exited 1' "$work/rfail.txt" &&
	[ "$(sup_state rfail)" = running ]; then
	ok lifecycle-execreload-failure-reported
else
	nok lifecycle-execreload-failure-reported "rc $rc ($(oneline "$(cat "$work/rfail.txt")")), $(sup_state rfail)"
fi

# ---- Type=forking (with Init=: the reaper's channel) --------------------------------

if sup_wait fork running 15; then
	p=$(mainpid fork)
	if [ -n "$p" ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'sleep 100001'; then
		ok lifecycle-forking-pidfile
	else
		nok lifecycle-forking-pidfile "Main PID ${p:-none}: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	fi
else
	nok lifecycle-forking-pidfile "fork is '$(sup_state fork)' ($(supinfo))"
fi
if sup_wait forkfail failed 15 && "$SANDBOXCTL" status forkfail | grep -q 'the started process exited 3'; then
	ok lifecycle-forking-start-fails
else
	nok lifecycle-forking-start-fails "forkfail is '$(sup_state forkfail)': $(oneline "$("$SANDBOXCTL" status forkfail | grep -i last)")"
fi

# ---- ReloadSignal=, kill --------------------------------------------------------------

sup_wait sig running 10
"$SANDBOXCTL" reload sig >"$work/rsig.txt" 2>&1
sleep 0.5
if grep -qx usr2 "$out/sig.log" 2>/dev/null; then
	ok lifecycle-reloadsignal
else
	nok lifecycle-reloadsignal "$(oneline "$(cat "$work/rsig.txt")"), log: $(oneline "$(cat "$out/sig.log" 2>/dev/null)")"
fi
"$SANDBOXCTL" kill -s USR1 sig >"$work/kill.txt" 2>&1
rc=$?
sleep 0.5
if [ $rc = 0 ] && grep -qx usr1 "$out/sig.log" 2>/dev/null && [ "$(sup_state sig)" = running ]; then
	ok lifecycle-kill-usr1
else
	nok lifecycle-kill-usr1 "rc $rc ($(oneline "$(cat "$work/kill.txt")")), log: $(oneline "$(cat "$out/sig.log" 2>/dev/null)")"
fi
"$SANDBOXCTL" kill -s NOPE sig >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then
	ok lifecycle-kill-unknown-signal
else
	nok lifecycle-kill-unknown-signal "exit $rc, want 2 (a usage error of the client)"
fi

# main pid: the service (the reaper's child under Init=), the reaper apart
p=$(mainpid sig)
if [ -n "$p" ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "svc.sh sig" &&
	"$SANDBOXCTL" status sig | grep -q '^Reaper: [0-9]'; then
	ok lifecycle-main-pid-is-service
else
	nok lifecycle-main-pid-is-service "Main PID ${p:-none}: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null); $(oneline "$("$SANDBOXCTL" status sig | grep -E 'PID|Reaper')")"
fi

# ---- JoinsNamespaceOf= --------------------------------------------------------------

sup_wait peer running 10
for _ in $(seq 1 50); do [ -s "$out/peer.got" ] && break; sleep 0.1; done
if [ "$(cat "$out/peer.got" 2>/dev/null)" = hello ]; then
	ok lifecycle-joins-first-try
else
	nok lifecycle-joins-first-try "the client got '$(oneline "$(cat "$out/peer.got" 2>/dev/null)")' from 127.0.0.1:$port"
fi
"$SANDBOXCTL" restart srv >/dev/null 2>&1
for _ in $(seq 1 50); do [ "$(wc -l <"$out/srv.netns" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
a=$(sed -n 1p "$out/srv.netns" 2>/dev/null)
b=$(sed -n 2p "$out/srv.netns" 2>/dev/null)
c=$(cat "$out/peer.netns" 2>/dev/null)
if [ -n "$b" ] && [ "$a" = "$b" ] && [ "$b" = "$c" ] && [ "$a" != "$(readlink /proc/self/ns/net)" ]; then
	ok lifecycle-joins-restart-keeps-network
else
	nok lifecycle-joins-restart-keeps-network "server $a then ${b:-?}, client ${c:-?}, host $(readlink /proc/self/ns/net)"
fi
