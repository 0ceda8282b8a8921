#!/bin/sh
# probe.sh - build tests/probe/probe.c into build/probe (static, musl) when stale,
# and print its path. usage: tests/qemu/probe.sh [--arch ARCH] [OUT]
#
# ARCH (default $SBX_ARCH, else x86_64): x86_64 builds build/probe with musl-gcc;
# aarch64 and armhf build build/ARCH/probe with the musl of Debian's musl-dev:arm64
# or :armhf (aarch64-linux-musl-gcc, arm-linux-musleabihf-gcc) and strip it with
# that architecture's binutils. PROBE_CC names another compiler.
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
src=$TOP/tests/probe/probe.c
arch=${SBX_ARCH:-x86_64}
if [ "${1:-}" = --arch ]; then
	[ $# -ge 2 ] || { echo "probe.sh: --arch needs a name" >&2; exit 2; }
	arch=$2
	shift 2
fi
case $arch in
x86_64|amd64)
	def_cc=musl-gcc strip=strip inc=include multiarch=x86_64-linux-gnu
	pkg="musl-tools linux-libc-dev" sub= ;;
aarch64|arm64)
	def_cc=aarch64-linux-musl-gcc strip=aarch64-linux-gnu-strip inc=include-aarch64
	multiarch=aarch64-linux-gnu sub=aarch64/
	pkg="musl-dev:arm64 linux-libc-dev:arm64 gcc-aarch64-linux-gnu" ;;
armhf|arm)
	def_cc=arm-linux-musleabihf-gcc strip=arm-linux-gnueabihf-strip inc=include-arm
	multiarch=arm-linux-gnueabihf sub=armhf/
	pkg="musl-dev:armhf linux-libc-dev:armhf gcc-arm-linux-gnueabihf" ;;
*) echo "probe.sh: --arch $arch: unknown (x86_64, aarch64 or armhf)" >&2; exit 2 ;;
esac
out=${1:-$TOP/build/${sub}probe}
cc=${PROBE_CC:-$def_cc}

# shellcheck disable=SC3013 # dash and busybox sh have -nt
if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ "$0" -nt "$out" ]; then
	command -v "$cc" >/dev/null || { echo "probe.sh: $cc not found (apt-get install $pkg)" >&2; exit 1; }
	mkdir -p "$(dirname "$out")"
	# The kernel's UAPI headers (linux/fuse.h) without glibc's: the build's
	# private folder, else one of our own (the armhf probe of an aarch64
	# tier is built where ./build.sh --arch armhf never ran).
	if [ -d "$TOP/build/$inc/linux" ]; then
		inc=$TOP/build/$inc
	else
		inc=$(dirname "$out")/probe-uapi
		[ -d "/usr/include/$multiarch/asm" ] ||
			{ echo "probe.sh: /usr/include/$multiarch/asm not found (apt-get install $pkg)" >&2; exit 1; }
		mkdir -p "$inc"
		ln -sfn /usr/include/linux "$inc/linux"
		ln -sfn /usr/include/asm-generic "$inc/asm-generic"
		ln -sfn "/usr/include/$multiarch/asm" "$inc/asm"
	fi
	"$cc" -std=c17 -static -Os -Wall -Wextra -Werror -isystem "$inc" -o "$out.tmp" "$src" >&2 ||
		{ rm -f "$out.tmp"; echo "probe.sh: building $src failed" >&2; exit 1; }
	"$strip" "$out.tmp" 2>/dev/null || true
	mv "$out.tmp" "$out"
fi
printf '%s\n' "$out"
