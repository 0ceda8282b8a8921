#!/bin/bash
# boot.sh - boot an initramfs in QEMU (TCG, headless) and stream its serial console.
#
# usage: boot.sh IMAGE [--arch ARCH] [--timeout S] [--mem MB] [--append ARGS]
#                [--kernel PATH] [--smp N] [--console]
#
#   IMAGE          initramfs from mkimage.sh
#   --arch ARCH    the guest: x86_64 (default, or $SBX_ARCH) on qemu-system-x86_64
#                  -M q35, console ttyS0; aarch64 on qemu-system-aarch64 -M virt
#                  -cpu max; armhf on qemu-system-arm -M virt,highmem=off -cpu
#                  cortex-a15 (both console ttyAMA0, power off through PSCI)
#   --timeout S    kill QEMU after S seconds (default 120, env QEMU_TIMEOUT)
#   --mem MB       guest memory (default 256)
#   --append ARGS  more kernel command line (after console=TTY panic=-1 quiet)
#   --kernel PATH  kernel to boot (default: Debian's for ARCH, fetched by kernel.sh)
#   --smp N        guest CPUs (default 2)
#   --console      the serial console is a terminal for a shell in the guest:
#                  Ctrl-C goes to the guest, Ctrl-a x ends QEMU (Ctrl-a h: help)
#
# Exit status: 0 when the guest powered off, 1 on a kernel panic ("qemu: kernel
# panic"), 124 on timeout ("qemu: timeout after S s"), QEMU's own status otherwise.
# Software emulation only: KVM guests hang on this workplace, so never -enable-kvm.
# QEMU= names another QEMU binary (a wrapper, as demo.sh's console uses).
set -uo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
prog=boot.sh

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "$prog: $*" >&2; echo "$prog: try --help" >&2; exit 2; }

image=
timeout=${QEMU_TIMEOUT:-120}
mem=256
smp=2
append=
kernel=
arch=${SBX_ARCH:-x86_64}
serial=(-serial stdio)
need_arg() { [ "$2" -ge 2 ] || die_usage "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) need_arg "$1" $#; timeout=$2; shift 2 ;;
	--mem) need_arg "$1" $#; mem=$2; shift 2 ;;
	--smp) need_arg "$1" $#; smp=$2; shift 2 ;;
	--append) need_arg "$1" $#; append="$append $2"; shift 2 ;;
	--kernel) need_arg "$1" $#; kernel=$2; shift 2 ;;
	--arch) need_arg "$1" $#; arch=$2; shift 2 ;;
	# A plain `-serial stdio` turns Ctrl-C into SIGINT for QEMU: a stdio
	# chardev without signals, multiplexed with the monitor's escape keys.
	--console) serial=(-chardev "stdio,id=console0,signal=off,mux=on" -serial chardev:console0); shift ;;
	--*=*) k=${1%%=*}; v=${1#*=}; shift; set -- "$k" "$v" "$@" ;;
	-h|--help) usage; exit 0 ;;
	-*) die_usage "unknown option: $1" ;;
	*) [ -z "$image" ] || die_usage "more than one IMAGE: $image $1"; image=$1; shift ;;
	esac
done
[ -n "$image" ] || die_usage "missing IMAGE"
[ -f "$image" ] || die_usage "image $image does not exist"
for n in "$timeout" "$mem" "$smp"; do
	case $n in ''|*[!0-9]*|0) die_usage "not a positive number: $n" ;; esac
done
# Per architecture: QEMU, its machine and CPU, the console, the package.
# -M virt on armhf: highmem=off keeps every device below 4 GiB, which a
# kernel without LPAE (Debian's armmp) cannot reach otherwise.
case $arch in
x86_64|amd64)
	arch=x86_64 def_qemu=qemu-system-x86_64 pkg=qemu-system-x86 tty=ttyS0
	machine=(-machine q35 -cpu max) ;;
aarch64|arm64)
	arch=aarch64 def_qemu=qemu-system-aarch64 pkg=qemu-system-arm tty=ttyAMA0
	# pauth-impdef: QEMU's own pointer-authentication hash instead of QARMA,
	# which costs TCG much time in every function's prologue; still -cpu max.
	machine=(-machine virt -cpu "max,pauth-impdef=on") ;;
armhf|arm)
	arch=armhf def_qemu=qemu-system-arm pkg=qemu-system-arm tty=ttyAMA0
	machine=(-machine "virt,highmem=off" -cpu cortex-a15) ;;
*) die_usage "--arch $arch: unknown (x86_64, aarch64 or armhf)" ;;
esac
if [ -z "$kernel" ]; then
	kernel=$("$TOP/tests/qemu/kernel.sh" --arch "$arch") || { echo "$prog: cannot get a kernel for $arch" >&2; exit 1; }
fi
[ -f "$kernel" ] || die_usage "kernel $kernel does not exist"
qemu=${QEMU:-$def_qemu}
command -v "$qemu" >/dev/null || { echo "$prog: $qemu not found (apt-get install $pkg)" >&2; exit 1; }

log=$(mktemp "${TMPDIR:-/tmp}/sbx-boot.XXXXXX")
trap 'rm -f "$log"' EXIT

# QEMU's stdout goes through tee so that it streams live and is also kept for the
# panic check. timeout(1) runs QEMU in the foreground so that a terminal on stdin
# still reaches the guest; SIGTERM makes QEMU restore the terminal and exit.
# With panic=-1 and -no-reboot a panicking guest makes QEMU exit 0, hence the grep.
timeout --foreground -k 10 "$timeout" "$qemu" \
	-accel tcg "${machine[@]}" -smp "$smp" -m "$mem" \
	-kernel "$kernel" -initrd "$image" \
	-append "console=$tty panic=-1 quiet$append" \
	-nographic -no-reboot -nodefaults "${serial[@]}" -monitor none \
	2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

if grep -q 'Kernel panic' "$log"; then
	echo "qemu: kernel panic"
	exit 1
fi
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "qemu: timeout after $timeout s"
	exit 124
fi
if [ "$rc" != 0 ]; then
	echo "qemu: exited with status $rc"
fi
exit "$rc"
