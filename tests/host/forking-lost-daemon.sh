#!/bin/bash
# A Type=forking unit whose daemon PID 1 never knew (no PIDFile=, no pid
# namespace: the started process exits 0 and leaves the daemon behind)
# ends without an exit: its stop goes straight to the cleanup, and the
# daemon keeps the unit's output pipes. PID 1 kept them in epoll with the
# unit's watches: a restart overwrote them (the old pipe's hang-up then
# spun PID 1 at 100% CPU for good), and a reload that removed the unit
# freed the svc under them (its hang-up: a heap-use-after-free in
# loop_run_once, PID 1's crash).
#
# Also: the started process of a Type=forking unit exits at once by
# design; reaped before its launch report was read, it was taken for the
# unit's end (the unit inactive, its daemon untracked) about one start in
# two with a few units at once.
#
# Env: SANDBOXD, SANDBOXCTL, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
sup_setup forking-lost fklost
export SANDBOXD_RUN_DIR=$run

# the daemon: says hi, lives $1 s, says bye (its pipe then hangs up)
unit() {
	cat >"$units/$1.unit" <<EOT
[Service]
Type=forking
ExecStart=/bin/sh -c 'echo hi; (sleep $2; echo bye) & exit 0'
[Sandbox]
Namespaces=~pid
EOT
}
unit spin 2
unit gone 2
# (untracked daemons: they must end by themselves, after the checks)
for i in 1 2 3 4; do unit "q$i" 12; done
cat >"$units/keep.unit" <<EOT
[Service]
ExecStart=/bin/sleep 100000
EOT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$sup_pid/stat" 2>/dev/null; }

"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
bad=
for u in spin gone q1 q2 q3 q4; do
	sup_wait "$u" running 10 || bad="$bad $u: $(sup_state "$u");"
done
if [ -z "$bad" ]; then
	ok forking-lost-early-exit-starts
else
	nok forking-lost-early-exit-starts "not running:$bad $(oneline "$(cat "$work/sup.log")")"
	exit 1
fi

# restart: a new pair of pipes while the old daemon still holds the old
"$SANDBOXCTL" restart spin >/dev/null 2>&1
# removal: the svc is freed while its daemon holds its pipes
rm "$units/gone.unit"
"$SANDBOXCTL" reload >/dev/null 2>&1
sleep 3   # both old daemons are gone: their pipes hung up
t0=$(cpu_ticks)
sleep 2
t1=$(cpu_ticks)
if ! kill -0 "$sup_pid" 2>/dev/null; then
	nok forking-lost-alive "the supervisor died: $(oneline "$(tail -5 "$work/sup.log")")"
	exit 0
fi
ok forking-lost-alive
hz=$(getconf CLK_TCK)
if [ -n "$t0" ] && [ -n "$t1" ] && [ $((t1 - t0)) -lt $((hz / 4)) ]; then
	ok forking-lost-no-spin
else
	nok forking-lost-no-spin "PID 1 used $((${t1:-0} - ${t0:-0})) ticks of $hz/s in 2 s idle"
fi
if "$SANDBOXCTL" logs spin 2>/dev/null | grep -q bye && [ "$(sup_state keep)" = running ]; then
	ok forking-lost-log
else
	nok forking-lost-log "spin's log: $(oneline "$("$SANDBOXCTL" logs spin 2>&1)")"
fi
