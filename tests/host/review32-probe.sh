#!/bin/bash
# review-32bit (issue #12): the probe (tests/probe/probe.c, run inside the
# units of the QEMU tiers and the demo on every architecture) built for
# 32-bit arm and run under qemu-arm-static -strace, which prints each
# system call with the arguments the program really passed.
#
# review32-probe-netlink-hi: `probe syscall socket-netlink-hi` passed
# 0x100000000L, a long long on 32-bit arm, to the variadic syscall(): the
# value went into an even register pair, syscall() read its longs from the
# registers before it, and the call made was socket(GARBAGE, AF_NETLINK,
# 1), refused EAFNOSUPPORT by the kernel whatever the filter does: the
# upper-bits checks of seccomp-groups.sh would pass there with no filter
# at all. A 32-bit call has no upper bits: the verb makes no socket call
# there (ENOSYS, as the i386 verbs on other architectures), or one whose
# family is AF_NETLINK (16).
#
# Env: TOP = repo root. Needs arm-linux-musleabihf-gcc (musl-dev:armhf)
# and qemu-arm-static, else skip.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
name=review32-probe-netlink-hi
cc=arm-linux-musleabihf-gcc
inc=$TOP/build/include-arm
if ! command -v "$cc" >/dev/null || ! command -v qemu-arm-static >/dev/null; then
	skip "$name" "needs $cc (musl-dev:armhf) and qemu-arm-static"
	exit 0
fi
if [ ! -f "$inc/linux/fuse.h" ]; then
	skip "$name" "no armhf kernel headers in $inc (./build.sh --arch armhf makes them)"
	exit 0
fi
work=$(mktemp -d /tmp/sbx-r32p.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
if ! "$cc" -std=c17 -static -Os -Wall -Wextra -Werror -isystem "$inc" -o "$work/probe" \
	"$TOP/tests/probe/probe.c" 2>"$work/cc.err"; then
	nok "$name" "the probe does not build for armhf: $(oneline "$(cat "$work/cc.err")")"
	exit 1
fi
qemu-arm-static -strace "$work/probe" syscall socket-netlink-hi >"$work/out" 2>&1
calls=$(grep -E '^[0-9]+ socket\(' "$work/out")
if [ -z "$calls" ]; then
	ok "$name"
elif printf '%s\n' "$calls" | grep -qvE 'socket\((PF_NETLINK|16),'; then
	nok "$name" "the call made: $(oneline "$calls")"
else
	ok "$name"
fi
