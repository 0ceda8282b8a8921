#!/bin/bash
# Reloads while launches are in flight (adversarial review of issue #10):
# 40 units whose files change (a new argument, a shared seccomp rule set
# swapped for another, ControlAccess flipped) or disappear and come back,
# reloaded 30 times in a row with no pause, so that specs and shared
# filters are freed and replaced while launch children set up; stops,
# starts and restarts are sent in between.
#  - reload-midlaunch-alive: the supervisor still runs and answers;
#  - reload-midlaunch-settled: every unit is running again afterwards,
#    with the last file's argument;
#  - reload-midlaunch-no-orphans: no process of a removed or replaced
#    launch is left (every sleep of ours belongs to a running unit).
#
# Env: SANDBOXD, SANDBOXCTL = the binaries to test, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
N=40
sup_setup reload-midlaunch rml
# a number no other process of this host sleeps for
tag=$((900000 + RANDOM))

write_unit() { # NAME ROUND
	r=$2
	{
		printf '[Service]\nExecStart=/bin/sleep %d.%d\nTimeoutStopSec=2s\n' "$tag" "$r"
		printf '[Sandbox]\nInit=no\n'
		if [ $((r % 3)) = 0 ]; then
			printf 'SystemCallFilter=~mount umount2\n'
		elif [ $((r % 3)) = 1 ]; then
			printf 'SystemCallFilter=~swapon swapoff\n'
		fi
		[ $((r % 2)) = 0 ] && printf 'ControlAccess=yes\n'
	} >"$units/$1.unit"
}
for i in $(seq 1 $N); do write_unit "u$i" 0; done

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run
sleep 0.5

last=0
for r in $(seq 1 30); do
	for i in $(seq 1 $N); do
		case $(((i + r) % 4)) in
		0) rm -f "$units/u$i.unit" ;;
		*) write_unit "u$i" "$r" ;;
		esac
	done
	"$SANDBOXCTL" reload >/dev/null 2>&1
	"$SANDBOXCTL" restart "u$((r % N + 1))" >/dev/null 2>&1
	"$SANDBOXCTL" stop "u$(((r + 7) % N + 1))" >/dev/null 2>&1
	"$SANDBOXCTL" start "u$(((r + 7) % N + 1))" >/dev/null 2>&1
	last=$r
done
last=$((last + 1))
for i in $(seq 1 $N); do write_unit "u$i" "$last"; done
"$SANDBOXCTL" reload >/dev/null 2>&1

if kill -0 "$sup_pid" 2>/dev/null && timeout 5 "$SANDBOXCTL" status >/dev/null 2>&1; then
	ok reload-midlaunch-alive
else
	nok reload-midlaunch-alive "the supervisor died or does not answer: $(oneline "$(tail -n 5 "$work/sup.log")")"
	exit 1
fi

settled=
for _ in $(seq 1 150); do
	out=$("$SANDBOXCTL" status 2>&1)
	n=$(printf '%s\n' "$out" | grep -c '^u[0-9]* *running ')
	if [ "$n" = $N ] && [ "$(printf '%s\n' "$out" | grep -c '^u[0-9]')" = $N ]; then
		settled=yes
		break
	fi
	sleep 0.2
done
# every running unit with the last file's argument
wrong=
for i in $(seq 1 $N); do
	p=$("$SANDBOXCTL" status --json "u$i" 2>/dev/null | sed -n 's/^  "pid": \([0-9]*\),$/\1/p')
	a=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")
	[ "$a" = "/bin/sleep $tag.$last " ] || wrong="$wrong u$i:${p:-none}:'$a'"
done
if [ -n "$settled" ] && [ -z "$wrong" ]; then
	ok reload-midlaunch-settled
else
	nok reload-midlaunch-settled "$(oneline "$(printf '%s\n' "$out" | grep -v ' running ' | head -n 4)") wrong:$(printf '%s' "$wrong" | cut -c1-200)"
fi

# our sleeps: exactly one per unit
sleeps=0
for p in /proc/[0-9]*; do
	a=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
	case "$a" in "/bin/sleep $tag."*) sleeps=$((sleeps + 1)) ;; esac
done
if [ "$sleeps" = $N ]; then
	ok reload-midlaunch-no-orphans
else
	nok reload-midlaunch-no-orphans "$sleeps sleeps of ours for $N units"
fi
