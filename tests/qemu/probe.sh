#!/bin/sh
# probe.sh - build tests/probe/probe.c into build/probe (static, musl) when stale,
# and print its path. usage: tests/qemu/probe.sh [OUT]
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
src=$TOP/tests/probe/probe.c
out=${1:-$TOP/build/probe}
cc=${PROBE_CC:-musl-gcc}

# shellcheck disable=SC3013 # dash and busybox sh have -nt
if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ "$0" -nt "$out" ]; then
	command -v "$cc" >/dev/null || { echo "probe.sh: $cc not found (apt-get install musl-tools)" >&2; exit 1; }
	mkdir -p "$(dirname "$out")"
	# Private UAPI folder of the build, when there is one (probe.c needs none today).
	inc=
	[ -d "$TOP/build/include" ] && inc="-isystem $TOP/build/include"
	# shellcheck disable=SC2086
	"$cc" -std=c17 -static -Os -Wall -Wextra -Werror $inc -o "$out.tmp" "$src" >&2 ||
		{ rm -f "$out.tmp"; echo "probe.sh: building $src failed" >&2; exit 1; }
	strip "$out.tmp" 2>/dev/null || true
	mv "$out.tmp" "$out"
fi
printf '%s\n' "$out"
