#!/bin/bash
# tier.sh - the QEMU tier of ./build.sh test.
#
# Builds one initramfs holding $SANDBOXD, the probe, tests/qemu/guest/*.t and
# guest/init.sh as /init, boots it once, and prints the guest's `ok NAME` /
# `not ok NAME: why` / `skip NAME: reason` lines (and `ok qemu-boot` or `not ok
# qemu-boot: why`), then "tier.sh: N passed, M failed, K skipped" on stderr.
#
# usage: tier.sh [--only GLOB]      (GLOB picks guest scripts, e.g. '00-*')
# env:   SANDBOXD (default build/sandboxd, build/ARCH/sandboxd for another
#        SBX_ARCH)   SBX_ARCH (x86_64, the default, or aarch64: the guest's
#        kernel and machine, through tests/qemu/boot.sh)   TOP (the source tree)
#        CG_UNIT_TEST, JOIN_UNIT_TEST (default build/defconfig/tests/test_cgroup
#        and test_join, build/ARCH/defconfig/tests/... for another SBX_ARCH)
#        QEMU_TIMEOUT (whole boot, default 900 s)   GUEST_TIMEOUT (per script, 120 s)
#        QEMU_MEM (MB, default 512)   QEMU_VERBOSE=1 (copy the console to stderr)
# The whole console is kept in build/qemu/tier.log.
set -uo pipefail
# shellcheck source=tests/qemu/lib/results.sh
. "$(dirname "$0")/lib/results.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
here=$TOP/tests/qemu
arch=${SBX_ARCH:-x86_64}
# The x86-64 build stays in build/, another architecture's in build/ARCH/
# (./build.sh --arch ARCH).
case $arch in
x86_64) out=$TOP/build ;;
*) out=$TOP/build/$arch ;;
esac
sandboxd=${SANDBOXD:-$out/sandboxd}
timeout=${QEMU_TIMEOUT:-900}
guest_timeout=${GUEST_TIMEOUT:-120}
mem=${QEMU_MEM:-512}
only='*'

while [ $# -gt 0 ]; do
	case $1 in
	--only) [ $# -ge 2 ] || { echo "tier.sh: --only needs a GLOB" >&2; exit 2; }
		only=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "tier.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

work=$TOP/build/qemu
mkdir -p "$work"
# every result line goes through res (or a tee into $results)
results_begin "$work/results" tier.sh
image=$work/tier.cpio.gz
log=$work/tier.log
: > "$log"

fail_all() {
	res "not ok qemu-boot: $1"
	exit 1
}

[ -f "$sandboxd" ] || fail_all "no sandboxd binary at $sandboxd (./build.sh${arch:+ --arch $arch}, or SANDBOXD=)"

probe=$("$here/probe.sh" 2> "$work/probe.err") ||
	fail_all "building the probe failed: $(tail -n 3 "$work/probe.err" | tr '\n' ' ')"

args=(-o "$image" --sandboxd "$sandboxd" --init /tests/guest-init
	--add "$here/guest:/tests" --add "$here/guest/init.sh:/tests/guest-init"
	--add "$probe:/bin/probe")
[ -d "$here/units" ] && args+=(--units "$here/units")
# On aarch64 the armhf probe too, as /bin/probe32: a 32-bit process on the
# arm64 kernel's compat path (guest/11-seccomp-compat.t).
if [ "${SBX_ARCH:-x86_64}" = aarch64 ]; then
	probe32=$("$here/probe.sh" --arch armhf 2> "$work/probe32.err") ||
		fail_all "building the armhf probe failed: $(tail -n 3 "$work/probe32.err" | tr '\n' ' ')"
	args+=(--add "$probe32:/bin/probe32")
fi
# ELF machine of a file ("AArch64", "Advanced Micro Devices X86-64").
machine() { LC_ALL=C readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }
# add_test BIN DST: a unit test binary for the guest, when it was built; one
# built for another machine than sandboxd's would only fail in the guest
# with "Exec format error": refused here, saying which.
add_test() {
	[ -x "$1" ] || return 0
	[ "$(machine "$1")" = "$(machine "$sandboxd")" ] ||
		fail_all "$1 is for '$(machine "$1")', $sandboxd for '$(machine "$sandboxd")' (SBX_ARCH=$arch)"
	args+=(--add "$1:$2")
}
# the cgroup unit tests, run --live by guest/25-cgroup-live.t
add_test "${CG_UNIT_TEST:-$out/defconfig/tests/test_cgroup}" /bin/test_cgroup
# the join tests, run --live by guest/26-join-cgroup.t
add_test "${JOIN_UNIT_TEST:-$out/defconfig/tests/test_join}" /bin/test_join
# Another architecture's unit tests ran under qemu-user, where the checks
# that need a real kernel skip (tests/unit/qemu_user.h): the programs with
# such checks run again here, on the real kernel (guest-arch/30-unit-arch.t).
if [ "$arch" != x86_64 ]; then
	for t in $(grep -l '^#include "qemu_user.h"' "$TOP"/tests/unit/test_*.c); do
		t=$(basename "$t" .c)
		add_test "$out/defconfig/tests/$t" "/tests/unit-bin/$t"
	done
	args+=(--add "$here/guest-arch/30-unit-arch.t:/tests/30-unit-arch.t")
fi
"$here/mkimage.sh" "${args[@]}" 2> "$work/mkimage.err" ||
	fail_all "building the image failed: $(tr '\n' ' ' < "$work/mkimage.err")"

# The guest's init reads these from its environment (the kernel passes unknown
# name=value parameters to init). Quoting a glob for the command line: no spaces.
append="sbxtest_timeout=$guest_timeout"
[ "$only" = '*' ] || append="$append sbxtest_only=$only"

start=$(date +%s)
if [ "${QEMU_VERBOSE:-0}" = 1 ]; then
	"$here/boot.sh" "$image" --timeout "$timeout" --mem "$mem" --append "$append" \
		< /dev/null 2>&1 | tee "$log" | sed -u 's/^/console: /' >&2
else
	"$here/boot.sh" "$image" --timeout "$timeout" --mem "$mem" --append "$append" \
		< /dev/null > "$log" 2>&1
fi
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

clean=$work/tier.clean
tr -d '\r' < "$log" > "$clean"
grep -aE '^(ok|not ok|skip) ' "$clean" | tee -a "$results"
failed=0
grep -aq '^not ok ' "$clean" && failed=1

why=
if grep -aq '^qemu: kernel panic' "$clean"; then
	why="kernel panic: $(grep -a -m1 'Kernel panic' "$clean")"
elif [ "$rc" = 124 ]; then
	why="timeout after $timeout s"
elif [ "$rc" != 0 ]; then
	why="qemu failed with status $rc: $(grep -av '^\(ok\|not ok\|skip\|#\) ' "$clean" | tail -n 2 | tr '\n' ' ')"
elif ! grep -aq '^# guest: done ' "$clean"; then
	why="the guest stopped before its init finished"
fi

for t in "$here"/guest/*.t; do
	[ -f "$t" ] || continue
	name=${t##*/}
	# shellcheck disable=SC2254
	case $name in $only) ;; *) continue ;; esac
	if ! grep -aq "^# guest: end $name " "$clean"; then
		res "not ok $name: did not report (${why:-unknown: see $log})"
		failed=1
	fi
done

if [ -n "$why" ]; then
	res "not ok qemu-boot: $why (console: $log)"
	echo "tier.sh: last console lines:" >&2
	tail -n 20 "$clean" >&2
	exit 1
fi
res "ok qemu-boot"
echo "tier.sh: boot took $secs s (console: $log)" >&2
exit $failed
