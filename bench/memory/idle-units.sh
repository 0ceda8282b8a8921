#!/bin/bash
# idle-units.sh - PID 1's memory per idle unit, measured on the host: the
# supervisor (not as PID 1) with N units of `sleep 100000` each (the default
# namespaces and seccomp profile), its Rss / Pss / Anonymous read from
# /proc/PID/smaps_rollup once all N are running, for each N given.
#
# usage: idle-units.sh [N ...]        (default: 10 100 1000)
# env:   SANDBOXD (default build/sandboxd)   TOP (the source tree)
#        MEM_WORK (default /var/tmp/sbx-mem-units: units and run folder)
#        MEM_MAPS=1 (also print PID 1's resident kB per mapping)
#
# It runs in a mount namespace of its own with a tmpfs over /sys/fs/cgroup:
# the supervisor finds no cgroup2 there and so never writes to the host's
# cgroups (cgroup limits cost PID 1 nothing but a path; the QEMU PID-1 tier
# measures with them, see tests/qemu/pid1/attacks/scale.sh).
# Prints one line per N and the growth per unit between consecutive Ns.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
sandboxd=${SANDBOXD:-$TOP/build/sandboxd}
work=${MEM_WORK:-/var/tmp/sbx-mem-units}

case ${1:-} in
-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
[ $# -gt 0 ] || set -- 10 100 1000
[ -x "$sandboxd" ] || { echo "idle-units.sh: no sandboxd at $sandboxd (./build.sh first)" >&2; exit 1; }
sandboxd=$(cd "$(dirname "$sandboxd")" && pwd)/$(basename "$sandboxd")

if [ "${SBX_MEM_INNER:-}" != 1 ]; then
	exec env SBX_MEM_INNER=1 unshare -m --propagation private "$0" "$@"
fi
mount -t tmpfs none /sys/fs/cgroup

ulimit -n 65536 2>/dev/null || true
prev_n= prev_a= prev_r=
for n in "$@"; do
	rm -rf "$work"
	mkdir -p "$work/units" "$work/run"
	for i in $(seq 1 "$n"); do
		printf '[Service]\nExecStart=/bin/sleep 100000\n' > "$work/units/idle$i.unit"
	done
	SANDBOXD_RUN_DIR=$work/run "$sandboxd" --units "$work/units" > "$work/sup.log" 2>&1 &
	pid=$!
	running=0
	for _ in $(seq 1 600); do
		running=$(SANDBOXD_RUN_DIR=$work/run "$sandboxd" ctl status 2>/dev/null |
			awk '$2 == "running"' | wc -l) || running=0
		[ "$running" -ge "$n" ] && break
		sleep 0.2
	done
	sleep 0.5   # let the last starts settle (their pipes, the status files)
	read -r rss pss anon < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Anonymous:/ { a = $2 }
		END { print r + 0, p + 0, a + 0 }' "/proc/$pid/smaps_rollup")
	heap=$(awk '/\[heap\]/ { h = 1; next } /^[0-9a-f]+-/ { h = 0 } h && /^Rss:/ { s += $2 } END { print s + 0 }' "/proc/$pid/smaps")
	printf 'units %5d  running %5d  Rss %6d kB  Pss %6d kB  Anonymous %6d kB  heap %6d kB\n' \
		"$n" "$running" "$rss" "$pss" "$anon" "$heap"
	[ "${MEM_MAPS:-0}" = 1 ] && awk '/^[0-9a-f]+-[0-9a-f]+ / { m = $1 " " ($6 == "" ? "anon" : $6) }
		/^Rss:/ && $2 > 0 { print "  " m, $2 " kB" }' "/proc/$pid/smaps"
	if [ -n "$prev_n" ] && [ "$n" -gt "$prev_n" ]; then
		awk -v n0="$prev_n" -v n1="$n" -v a0="$prev_a" -v a1="$anon" -v r0="$prev_r" -v r1="$rss" \
			'BEGIN { printf "  per unit from %d to %d: Anonymous %.2f kB, Rss %.2f kB\n", n0, n1, (a1 - a0) / (n1 - n0), (r1 - r0) / (n1 - n0) }'
	fi
	prev_n=$n prev_a=$anon prev_r=$rss
	[ "$running" -ge "$n" ] || echo "  only $running of $n running: $(tail -n 3 "$work/sup.log" | tr '\n' ' ')" >&2
	kill -TERM "$pid"
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
rm -rf "$work"
