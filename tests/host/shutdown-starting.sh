#!/bin/bash
# Shutdown while a dependant's launch is in flight (adversarial review of
# issue #10). sup_stop_all() stops dependants first: a running unit that a
# unit "with a process" depends on (After=/Requires=) waits, and the next
# layer goes when a unit's process is reaped. A unit whose sandbox setup is
# in flight has a process (the launch child: s->pid) so its dependency
# waits; but its abort is no reap of a unit (the child is reaped as an
# orphan), so nothing ever stops the dependency: it gets no KillSignal,
# the shutdown waits its whole bound (the longest TimeoutStopSec + 1 s)
# and then, as PID 1, ends it with kill(-1) (SIGTERM, not its
# KillSignal=), or, in development mode, leaves it running.
# The setup hangs on a FUSE mount that never answers (`probe fuse-hang`).
#  - shutdown-starting-dep-stopped: the dependency gets its KillSignal
#    (SIGINT here) within 3 s of the supervisor's SIGTERM;
#  - shutdown-starting-nothing-left: no process of a unit outlives the
#    supervisor.
#
# Env: SANDBOXD, SANDBOXCTL, PROBE (default build/probe, built by
#      tests/qemu/probe.sh), TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
PROBE=${PROBE:-$(env TOP="$TOP" "$TOP/tests/qemu/probe.sh" 2>/dev/null)}
if [ "$(id -u)" != 0 ] || [ ! -x "$SANDBOXD" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok shutdown-starting-prereqs "needs root, SANDBOXD and SANDBOXCTL"
	exit 1
fi
checks="shutdown-starting-dep-stopped shutdown-starting-nothing-left"
if [ ! -x "${PROBE:-}" ] || [ ! -c /dev/fuse ]; then
	for c in $checks; do skip "$c" "needs /dev/fuse and build/probe (musl-gcc)"; done
	exit 0
fi

work=$(mktemp -d /var/tmp/sbx-shst.XXXXXX) || exit 1
chmod 755 "$work"
sup_pid=""
fuse_pid=""
tag=$((800000 + RANDOM))
cleanup() {
	if [ -n "$sup_pid" ]; then
		kill -KILL "$sup_pid" 2>/dev/null
		wait "$sup_pid" 2>/dev/null
	fi
	# what a supervisor left behind
	for p in /proc/[0-9]*; do
		case "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" in
		*"sleep $tag"*) kill -KILL "${p#/proc/}" 2>/dev/null ;;
		esac
	done
	if [ -n "$fuse_pid" ]; then
		kill -KILL "$fuse_pid" 2>/dev/null
		wait "$fuse_pid" 2>/dev/null
	fi
	umount -l "$work/fuse" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
units=$work/units
run=$work/run
mkdir -p "$units" "$run" "$work/fuse" "$work/out"
chmod 1777 "$work/out"

"$PROBE" fuse-hang "$work/fuse" >"$work/fuse.out" 2>&1 &
fuse_pid=$!
for _ in $(seq 1 50); do grep -q '^fuse-hang: mounted' "$work/fuse.out" && break; sleep 0.1; done
if ! grep -q '^fuse-hang: mounted' "$work/fuse.out"; then
	for c in $checks; do skip "$c" "no FUSE mount: $(oneline "$(cat "$work/fuse.out")")"; done
	exit 0
fi

cat >"$units/dep.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'trap "echo INT > $work/out/dep.sig; exit 0" INT; trap "echo TERM > $work/out/dep.sig; exit 0" TERM; while :; do sleep $tag.1 & wait; done'
KillSignal=SIGINT
TimeoutStopSec=5s
[Sandbox]
Init=no
BindPaths=$work/out
EOT
cat >"$units/user.unit" <<EOT
[Unit]
After=dep
[Service]
ExecStart=/bin/sleep $tag.2
WorkingDirectory=$work/fuse/data
Restart=no
EOT

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run
# dep running, user's launch in flight (its setup waits on the mount)
for _ in $(seq 1 50); do
	st=$("$SANDBOXCTL" status 2>/dev/null)
	printf '%s\n' "$st" | grep -q '^dep  *running' &&
		printf '%s\n' "$st" | grep -q '^user  *starting *[0-9]' && break
	sleep 0.2
done
sleep 0.5
printf '%s\n' "$st" | grep -q '^user  *starting *[0-9]' || {
	for c in $checks; do skip "$c" "user never had its launch in flight: $(oneline "$st")"; done
	exit 0
}

t0=$(date +%s%N)
kill -TERM "$sup_pid"
got=
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do
	[ -s "$work/out/dep.sig" ] && { got=$(cat "$work/out/dep.sig"); break; }
	sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$got" = INT ]; then
	ok shutdown-starting-dep-stopped
else
	nok shutdown-starting-dep-stopped "dep got ${got:-no signal} within $ms ms of the shutdown (want its KillSignal SIGINT at once): its dependant's aborted launch kept it 'needed'"
fi

# the supervisor leaves within its bound (5 s + 1 s + slack)
for _ in $(seq 1 100); do kill -0 "$sup_pid" 2>/dev/null || break; sleep 0.1; done
wait "$sup_pid" 2>/dev/null
sup_pid=
sleep 0.3
left=
for p in /proc/[0-9]*; do
	case "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" in
	*"sleep $tag"* | *"$work/out/dep.sig"*) left="$left ${p#/proc/}" ;;
	esac
done
if [ -z "$left" ]; then
	ok shutdown-starting-nothing-left
else
	nok shutdown-starting-nothing-left "processes of units outlived the supervisor:$left ($(oneline "$(tail -n 3 "$work/sup.log")"))"
fi
