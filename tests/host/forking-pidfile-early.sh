#!/bin/bash
# A Type=forking unit with PIDFile= whose started process is reaped before
# its launch report is read (early_exit in init/sup_act.c: taken for the
# start it is, one start in a few with several units at once) and whose
# PIDFile= read fails at once (no process of the unit is left to read it
# in): the failure was only logged, as the unit was not in start-wait yet,
# and the unit waited there for TimeoutStartSec= (forever with infinity)
# instead of failing its start as the same unit does when the report comes
# first.
#  - forking-pidfile-early: every such unit has failed within 5 s.
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
sup_setup forking-pidfile-early fkpid
export SANDBOXD_RUN_DIR=$run

# no daemon at all: the read can only fail, and at once
n=8
for i in $(seq 1 $n); do
	cat >"$units/f$i.unit" <<EOT
[Service]
Type=forking
ExecStart=/bin/true
PIDFile=$work/none.pid
TimeoutStartSec=infinity
Restart=no
[Sandbox]
Namespaces=~pid
EOT
done

"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
bad=
for i in $(seq 1 $n); do
	sup_wait "f$i" failed 5 || bad="$bad f$i: $(sup_state "f$i");"
done
if ! kill -0 "$sup_pid" 2>/dev/null; then
	nok forking-pidfile-early-alive "the supervisor died: $(oneline "$(tail -5 "$work/sup.log")")"
	exit 0
fi
if [ -z "$bad" ]; then
	ok forking-pidfile-early
else
	nok forking-pidfile-early "not failed after 5 s:$bad"
fi
