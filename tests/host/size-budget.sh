#!/bin/bash
# The size budget (issue #12, README "Size"): sandboxd built from defconfig
# is one statically linked binary of at most 400 KiB (409600 bytes,
# stripped) on every target: x86_64 (SANDBOXD, build/defconfig/sandboxd
# under ./build.sh test) and, when their cross compilers are installed,
# aarch64 and armhf, built here from defconfig into build/size-ARCH (an
# incremental build after the first). And no floating-point conversion in
# a format string of the sources (lib/fmt.c, the musl build's vfprintf,
# makes none).
#
# Env: SANDBOXD (default $TOP/build/sandboxd), TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUDGET=409600

# check ARCH BINARY ELF-MACHINE: static, of that machine, within the budget
check() {
	local arch=$1 bin=$2 machine=$3 what bytes

	what=$(file -b "$bin")
	case $what in
	*"statically linked"*) ok "size-$arch-static" ;;
	*) nok "size-$arch-static" "$bin: $what" ;;
	esac
	case $what in
	*"$machine"*) ok "size-$arch-machine" ;;
	*) nok "size-$arch-machine" "$bin is not $machine: $what" ;;
	esac
	bytes=$(wc -c <"$bin")
	printf '# %s: %s bytes (%s KiB), budget %s\n' "$bin" "$bytes" \
		"$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1024 }')" "$BUDGET"
	if [ "$bytes" -le "$BUDGET" ]; then
		ok "size-$arch-budget"
	else
		nok "size-$arch-budget" "$bin is $bytes bytes, more than $BUDGET (400 KiB)"
	fi
}

# The musl build's vfprintf is lib/fmt.c, which formats no floating-point
# number (a %f, %e, %g or %a returns -1 and prints nothing of its own):
# none may appear in a format string of the sources build.sh compiles.
if floats=$(cd "$TOP" && grep -nE '"[^"]*%[-+ #0]*([0-9]+|\*)?(\.([0-9]+|\*))?L?[fFeEgGaA][^"]*"' \
	lib/*.c config/*.c sandbox/*.c rootfs/*.c cgroup/*.c init/*.c ctl/*.c 2>/dev/null); then
	nok size-no-float-format "lib/fmt.c refuses floating-point conversions: $(oneline "$floats")"
else
	ok size-no-float-format
fi

BIN=${SANDBOXD:-$TOP/build/sandboxd}
if [ -f "$BIN" ]; then
	check x86_64 "$BIN" x86-64
else
	nok size-x86_64-budget "no $BIN: build it first"
fi

# ARCH:CC:what file(1) says of its machine
for a in aarch64:aarch64-linux-musl-gcc:aarch64 armhf:arm-linux-musleabihf-gcc:EABI5; do
	arch=${a%%:*} rest=${a#*:}
	cc=${rest%%:*} machine=${rest#*:}
	if ! command -v "$cc" >/dev/null 2>&1; then
		skip "size-$arch-budget" "no $cc (./build.sh --arch $arch deps installs it)"
		continue
	fi
	o=build/size-$arch
	if ! log=$(cd "$TOP" && O=$o KCONFIG_CONFIG=$o/.config ./build.sh --arch "$arch" defconfig 2>&1 &&
		O=$o KCONFIG_CONFIG=$o/.config ./build.sh --arch "$arch" build 2>&1); then
		nok "size-$arch-budget" "the defconfig build failed: $(oneline "$(printf '%s' "$log" | tail -n 5)")"
		continue
	fi
	check "$arch" "$TOP/$o/sandboxd" "$machine"
done
