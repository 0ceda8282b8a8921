#!/bin/bash
# More hung setups than launch slots (64; a setup older than 2 s holds
# none): the units that hang are launched 64 every 2 s, in unit order,
# ahead of a unit added after them, so a unit added by reload waits about
# HUNG/32 s -- the rate the README states. Before the slots aged, the
# first 64 hung setups held every slot for their whole 30 s bound.
#  - review-late-slots-added-starts: a unit added by reload while
#    LAUNCH_SLOTS_HUNG (default 192) setups hang or wait runs within
#    HUNG/32 + 4 s (10 s at 192).
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
HUNG=${LAUNCH_SLOTS_HUNG:-192}
sup_setup review-late-slots lateslots

sup_fuse_hang review-late-slots-added-starts

for i in $(seq 1 "$HUNG"); do
	printf '[Service]\nExecStart=/bin/sleep 100000\nWorkingDirectory=%s/fuse/data\nRestart=no\n' \
		"$work" >"$units/hung$i.unit"
done
SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run
for _ in $(seq 1 50); do [ -S "$run/control.sock" ] && "$SANDBOXCTL" status >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
cat >"$units/zadded.unit" <<EOT
[Service]
ExecStart=/bin/sleep 100000
[Sandbox]
Init=no
EOT
t0=$(date +%s%N)
"$SANDBOXCTL" reload >/dev/null 2>&1
back=""
bound_ms=$(( (HUNG / 32 + 4) * 1000 ))
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt "$bound_ms" ]; do
	if "$SANDBOXCTL" status zadded 2>/dev/null | grep -q 'running'; then
		back=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.1
done
hung=$("$SANDBOXCTL" status 2>/dev/null | grep -c '^hung[0-9]* *starting *[0-9]')
if [ -n "$back" ]; then
	ok review-late-slots-added-starts
	printf '# review-late-slots: added unit running %s ms after the reload, %s setups hanging\n' "$back" "$hung"
else
	nok review-late-slots-added-starts "the added unit was not running within $((bound_ms / 1000)) s while $hung of $HUNG setups hang (state: $("$SANDBOXCTL" status --json zadded 2>/dev/null | sed -n 's/^  "state": "\(.*\)",$/\1/p'))"
fi
