#!/bin/bash
# A unit that writes as fast as it can while the administrator follows its
# log (`sandboxctl logs -f`): empty lines on stdout and stderr, so that
# every byte read is a line that PID 1 formats once per follower. PID 1
# must keep answering (a status request within a second, as when nobody
# follows) and keep a follower that reads as fast as it can.
#
# Env: SANDBOXD = sandboxd to test (its sandboxctl link next to it), TOP.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
if [ ! -x "$SANDBOXD" ]; then
	nok logflood-prereqs "SANDBOXD is not set to an executable sandboxd"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	nok logflood-prereqs "needs root"
	exit 1
fi
CTL=$(dirname "$SANDBOXD")/sandboxctl
[ -x "$CTL" ] || { nok logflood-prereqs "no sandboxctl next to $SANDBOXD"; exit 1; }

work=$(mktemp -d /tmp/sbx-atk-logflood.XXXXXX) || exit 1
mkdir -p "$work/run" "$work/units"
export SANDBOXD_RUN_DIR=$work/run
sbx_pid=
followers=()
cleanup() {
	for p in "${followers[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$sbx_pid" ] && kill -TERM "$sbx_pid" 2>/dev/null && wait "$sbx_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
running() { "$CTL" status --json "$1" 2>/dev/null | grep -q '"state": *"running"'; }
# the slowest of 4 status requests, in ms (99999: one failed)
slowest_status() {
	local t0 t1 ms max=0
	for _ in 1 2 3 4; do
		t0=$(date +%s%N)
		timeout 30 "$CTL" status >/dev/null 2>&1 || { echo 99999; return; }
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ "$ms" -gt "$max" ] && max=$ms
		sleep 0.3
	done
	echo "$max"
}

printf '[Service]\nExecStart=/bin/sh -c "yes \\"\\" & yes \\"\\" >&2 & wait"\n[Sandbox]\nNamespaces=~mount\n' \
	>"$work/units/nl.unit"
# closing stdout while a line on stderr is half written: that line is
# stderr's, and stays one line
printf '[Service]\nExecStart=/bin/sh -c "printf half- >&2; exec 1>&-; sleep 0.5; echo line >&2; exec sleep 1000"\n[Sandbox]\nNamespaces=~mount\n' \
	>"$work/units/split.unit"
"$SANDBOXD" --units "$work/units" >"$work/console" 2>&1 &
sbx_pid=$!
if ! wait_for 10 running nl; then
	nok logflood-prereqs "the unit did not come up: $(oneline "$(cat "$work/console")")"
	exit 1
fi
wait_for 10 running split
sleep 1
if "$CTL" logs split 2>&1 | grep -q ' half-line$'; then
	ok control-log-stream-eof-keeps-other-line
else
	nok control-log-stream-eof-keeps-other-line "stdout's end cut stderr's line: $(oneline "$("$CTL" logs split 2>&1)")"
fi
quiet=$(slowest_status)
for _ in 1 2 3 4 5 6 7 8; do
	"$CTL" logs -f nl >/dev/null 2>&1 &
	followers+=($!)
done
sleep 1
busy=$(slowest_status)
# 1000 ms: 10 to 25 times what status takes here without followers
if [ "$busy" -lt 1000 ]; then
	ok control-logflood-status-answers
else
	nok control-logflood-status-answers "with 8 followers of a unit writing empty lines, status took up to $busy ms (without followers: $quiet ms)"
fi
left=0
for p in "${followers[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
if [ "$left" = 8 ]; then
	ok control-logflood-followers-kept
else
	nok control-logflood-followers-kept "$((8 - left)) of 8 followers that read as fast as they can were dropped"
fi
if kill -0 "$sbx_pid" 2>/dev/null; then
	ok control-logflood-supervisor-alive
else
	nok control-logflood-supervisor-alive "the supervisor is gone: $(oneline "$(tail -5 "$work/console")")"
	sbx_pid=
fi
