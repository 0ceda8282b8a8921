#!/bin/bash
# Hung setups must not hold back the other units (adversarial review of
# issue #10). PID 1 lets SUP_LAUNCH_MAX (64) launches be in flight at once
# (init/sup_int.h), and a setup that hangs in the kernel (a hung NFS or
# FUSE server under a WorkingDirectory=) holds its slot for the whole
# setup bound (30 s). With 64 such units, which an appliance of a few
# hundred units on one hung mount has, no other unit can start: a unit
# killed meanwhile stays "starting" (waiting) until a hung setup times
# out, as with the one PID 1 that waited before issue #10.
# The setups hang on `probe fuse-hang` (a FUSE mount that never answers).
#  - launch-slots-other-restarted: a unit killed while 64 setups hang runs
#    again within 3 s.
#
# Env: SANDBOXD, SANDBOXCTL, PROBE (default build/probe), TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
HUNG=${LAUNCH_SLOTS_HUNG:-64}
sup_setup launch-slots slots

sup_fuse_hang launch-slots-other-restarted

cat >"$units/victim.unit" <<EOT
[Service]
ExecStart=/bin/sleep 100000
Restart=always
RestartSec=100ms
StartLimitBurst=0
[Sandbox]
Init=no
EOT
SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run
pid_of() { "$SANDBOXCTL" status --json "$1" 2>/dev/null | sed -n 's/^  "pid": \([0-9]*\),$/\1/p'; }
for _ in $(seq 1 50); do [ -n "$(pid_of victim)" ] && break; sleep 0.1; done
vp0=$(pid_of victim)

for i in $(seq 1 "$HUNG"); do
	printf '[Service]\nExecStart=/bin/sleep 100000\nWorkingDirectory=%s/fuse/data\nRestart=no\n' \
		"$work" >"$units/hung$i.unit"
done
"$SANDBOXCTL" reload >/dev/null 2>&1
sleep 2
hung=$("$SANDBOXCTL" status 2>/dev/null | grep -c '^hung[0-9]* *starting *[0-9]')

t0=$(date +%s%N)
kill -KILL "$vp0" 2>/dev/null
back=""
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do
	p=$(pid_of victim)
	if [ -n "$p" ] && [ "$p" != "$vp0" ] && "$SANDBOXCTL" status victim 2>/dev/null | grep -q 'running'; then
		back=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.1
done
if [ -n "$back" ]; then
	ok launch-slots-other-restarted
	printf '# launch-slots: victim running again %s ms after the kill, %s setups hanging\n' "$back" "$hung"
else
	nok launch-slots-other-restarted "the killed unit was not running again within 3 s while $hung setups hang (state: $("$SANDBOXCTL" status --json victim 2>/dev/null | sed -n 's/^  "state": "\(.*\)",$/\1/p'))"
fi
