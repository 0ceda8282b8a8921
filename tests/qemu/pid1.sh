#!/bin/bash
# pid1.sh - the PID-1 tier of ./build.sh test: sandboxd booted as the real
# PID 1 (the kernel's /init) under QEMU, with the demo appliance's units.
#
# Builds one image with demo/demo.sh (the demo units, tests/qemu/pid1/units
# added, and tests/qemu/pid1/check.sh as the --script), boots it once, and
# prints the guest's `ok NAME` / `not ok NAME: why` / `skip NAME: reason`
# lines and `# ` comments
# (the boot time, PID 1's memory, the measured delays), plus the checks made
# here on the console: the bad units reported, a clean poweroff within its
# bound, and `not ok pid1-boot: why` when the guest never got through; then
# "pid1.sh: N passed, M failed, K skipped" on stderr.
#
# usage: pid1.sh
# env:   SANDBOXD (default build/sandboxd, build/ARCH/sandboxd for another
#        SBX_ARCH)   SBX_ARCH (x86_64, the default, or aarch64: the guest's
#        kernel, machine, busybox and probe)   TOP (the source tree)
#        PID1_TIMEOUT (the whole boot, default 600 s)   QEMU_MEM (MB, default 512)
#        QEMU_VERBOSE=1 (copy the console to stderr)
# The whole console is kept in build/pid1/console.log.
# Software emulation only (TCG, through tests/qemu/boot.sh): never -enable-kvm.
set -uo pipefail

# shellcheck source=tests/qemu/lib/console.sh
. "$(dirname "$0")/lib/console.sh"
# shellcheck source=tests/qemu/lib/results.sh
. "$(dirname "$0")/lib/results.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
here=$TOP/tests/qemu
arch=${SBX_ARCH:-x86_64}
# The x86-64 build stays in build/, another architecture's in build/ARCH/
# (./build.sh --arch ARCH).
case $arch in
x86_64) sandboxd=${SANDBOXD:-$TOP/build/sandboxd} ;;
*) sandboxd=${SANDBOXD:-$TOP/build/$arch/sandboxd} ;;
esac
timeout=${PID1_TIMEOUT:-600}
mem=${QEMU_MEM:-512}

case ${1:-} in
-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
'') ;;
*) echo "pid1.sh: unknown argument: $1" >&2; exit 2 ;;
esac

# What check.sh reports, in its order; a name missing from the console is a
# failure of its own.
checks="pid1-boot-states pid1-bad-units pid1-nonroot-refused pid1-nonroot-peercred
	pid1-garbage pid1-kill9-restart pid1-stop-timeout pid1-orphan-zombies
	pid1-memhog-oom pid1-memhog-backoff pid1-crashloop-start-limit
	pid1-crashloop-revive pid1-rss pid1-reload-added pid1-reload-removed
	pid1-reload-changed pid1-reload-kept-bad pid1-reload-no-leak"
# The attack scripts (tests/qemu/pid1/attacks/*.sh, see its README) each name
# their checks on a line "# checks: NAME ...".
attacks=$here/pid1/attacks
for f in "$attacks"/*.sh; do
	[ -f "$f" ] || continue
	checks="$checks $(sed -n 's/^# checks: *//p' "$f" | tr '\n' ' ')"
done
# The longest TimeoutStopSec= of the image's units (the default 5 s), and
# the shutdown's own 1 s + 2 s grace + 1 s: "longest TimeoutStopSec + 4 s".
shutdown_bound_ms=9000

work=$TOP/build/pid1
mkdir -p "$work"
# every result line goes through res (or a tee into $results)
results_begin "$work/results" pid1.sh
log=$work/console.log
clean=$work/console.clean
: > "$log"

[ -f "$sandboxd" ] || { res "not ok pid1-boot: no sandboxd binary at $sandboxd"; exit 1; }
sandboxd=$(cd "$(dirname "$sandboxd")" && pwd)/$(basename "$sandboxd")

# One file in the guest: every attack script, each in a subshell of check.sh
# so that one cannot end the others.
attack_all=$work/attacks.sh
: > "$attack_all"
for f in "$attacks"/*.sh; do
	[ -f "$f" ] || continue
	{ printf '\n# ---- %s\n(\n' "$(basename "$f")"; cat "$f"; printf '\n)\n'; } >> "$attack_all"
done

# Debian's fuse.ko of the tier's kernel, for attacks/hang.sh (a FUSE mount
# that never answers): loaded there with busybox insmod; without it the
# FUSE checks report skip.
fuse_ko=
vmlinuz=$("$here/kernel.sh" 2>/dev/null) &&
	fuse_ko=$(dirname "$(dirname "$vmlinuz")")/lib/modules/${vmlinuz##*/vmlinuz-}/kernel/fs/fuse/fuse.ko

start=$(date +%s)
demo=(env SANDBOXD="$sandboxd" DEMO_WORK="$work/demo" "$TOP/demo/demo.sh"
	--script "$here/pid1/check.sh" --units-extra "$here/pid1/units"
	--add "$attack_all:/usr/libexec/pid1-attacks"
	--timeout "$timeout" --mem "$mem")
[ -n "$fuse_ko" ] && [ -f "$fuse_ko" ] && demo+=(--add "$fuse_ko:/lib/modules/fuse.ko")
if [ "${QEMU_VERBOSE:-0}" = 1 ]; then
	"${demo[@]}" < /dev/null 2>&1 | tee "$log" | sed -u 's/^/console: /' >&2
else
	"${demo[@]}" < /dev/null > "$log" 2>&1
fi
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

# The script's lines reach the console through PID 1 as "[script] LINE".
tr -d '\r' < "$log" > "$clean"
sed -n 's/^\[script\] \(\(ok\|not ok\|skip\|#\) .*\)$/\1/p' "$clean" | tee -a "$results"
failed=0
sed -n 's/^\[script\] //p' "$clean" | grep -q '^not ok ' && failed=1

boot_ms=$(sed -n 's/^sandboxd: all units started, \([0-9]*\) ms after the kernel started$/\1/p' "$clean" | head -n 1)
[ -z "$boot_ms" ] || echo "# boot: $boot_ms ms (kernel start to every unit started, guest clock)"

why=$(console_why "$clean" "$rc" "$timeout" '# check.sh: done' check.sh demo.sh)

# into a file first: with pipefail, `sed | grep -q` fails when grep quits
# early and sed gets SIGPIPE (a check seen as missing on a long console)
sed -n 's/^\[script\] //p' "$clean" > "$work/script.lines"
for c in $checks; do
	if ! grep -qE "^(ok|not ok|skip) $c(:|$)" "$work/script.lines"; then
		res "not ok $c: did not report (${why:-see $log})"
		failed=1
	fi
done

# Bad units: reported on the console at boot with check's messages.
if grep -q '^sandboxd: .*/badsyntax\.unit:5: ' "$clean" &&
	grep -q '^sandboxd: .*dependency cycle: cycle-[ab] -> cycle-[ab] -> cycle-[ab]' "$clean"; then
	res "ok pid1-bad-units-console"
else
	res "not ok pid1-bad-units-console: no console message for badsyntax.unit:5 or the cycle"
	failed=1
fi

# The poweroff: QEMU ends with status 0 after PID 1's last words, within the
# bound; ignoreterm (TimeoutStopSec=2s) was running and had to be killed.
took=$(sed -n 's/^sandboxd: powering off (shutdown took \([0-9]*\) ms)$/\1/p' "$clean" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$took" ] && [ "$took" -le "$shutdown_bound_ms" ] &&
	[ "$took" -ge 1900 ] && grep -q 'reboot: Power down' "$clean" &&
	grep -q '^sandboxd: ignoreterm: did not stop within 2000 ms' "$clean"; then
	echo "# poweroff: shutdown took $took ms (bound $shutdown_bound_ms ms)"
	res "ok pid1-poweroff-clean"
else
	res "not ok pid1-poweroff-clean: exit $rc, shutdown took ${took:-?} ms (want 1900..$shutdown_bound_ms, ignoreterm killed after 2 s)"
	failed=1
fi

# A second, short boot of an image cut short: tests/qemu/pid1/truncated.sh.
trunc=$(SANDBOXD="$sandboxd" bash "$here/pid1/truncated.sh" "$clean" 2>&1)
printf '%s\n' "$trunc" | tee -a "$results"
grep -q '^not ok ' <<< "$trunc" && failed=1

if [ -n "$why" ]; then
	res "not ok pid1-boot: $why (console: $log)"
	echo "pid1.sh: last console lines:" >&2
	tail -n 20 "$clean" >&2
	exit 1
fi
res "ok pid1-boot"
echo "pid1.sh: $secs s of wall time (console: $log)" >&2
exit $failed
