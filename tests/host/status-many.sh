#!/bin/bash
# `sandboxctl status --json` with many units (adversarial review of issue
# #10, "no fixed unit count"): PID 1 builds the whole reply in one buffer
# capped at CONTROL_REPLY_MAX (1 MiB), so past some hundreds of units
# (fewer with a long Description= or long last messages: about 0.5 KiB
# per unit plus its text) the status of every unit is refused with "the
# reply does not fit". The units here fail at once (no such program,
# Restart=no), so nothing keeps running; each has a 3000-byte
# Description= so that 400 of them pass the cap, as ~2000 plain ones do.
#  - status-many-json: `status --json` answers, and lists every unit;
#  - status-many-table: the table answers too.
#
# Env: SANDBOXD, SANDBOXCTL = the binaries to test, TOP = repo root,
#      STATUS_MANY_N (default 400).
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
N=${STATUS_MANY_N:-400}
sup_setup status-many many
desc=$(head -c 3000 /dev/zero | tr '\0' d)
for i in $(seq 1 "$N"); do
	printf '[Unit]\nDescription=%s\n[Service]\nExecStart=/nonexistent/u%d\nRestart=no\n' \
		"$desc" "$i" >"$units/u$i.unit"
done

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run

# every unit tried once: the table has no "starting" left (60 s at most)
settled=
for _ in $(seq 1 300); do
	out=$("$SANDBOXCTL" status 2>&1)
	if [ "$(printf '%s\n' "$out" | grep -c ' failed ')" -ge "$N" ]; then
		settled=yes
		break
	fi
	sleep 0.2
done

if [ -n "$settled" ]; then
	ok status-many-table
else
	nok status-many-table "not every unit failed within 60 s, or the table did not answer: $(oneline "$(printf '%s\n' "$out" | tail -n 2)")"
fi

json=$("$SANDBOXCTL" status --json 2>&1)
rc=$?
listed=$(printf '%s\n' "$json" | grep -c '^      "name": "u[0-9]*",$')
if [ "$rc" = 0 ] && [ "$listed" = "$N" ]; then
	ok status-many-json
else
	nok status-many-json "exit $rc, $listed of $N units listed ($(printf '%s' "$json" | wc -c) bytes): $(oneline "$(printf '%s\n' "$json" | head -n 3)")"
fi
