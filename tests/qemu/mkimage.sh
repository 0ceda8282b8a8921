#!/bin/bash
# mkimage.sh - build a gzip'd newc initramfs (the QEMU tiers, the demo, an appliance).
#
# usage: mkimage.sh -o OUT.cpio.gz [--init PATH] [--units DIR]
#                   [--owner UID:GID|keep] [--add SRC:DST]...
#                   [--sandboxd BIN] [--busybox BIN] [--arch ARCH]
#
#   -o OUT          image to write (gzip'd cpio, newc format)
#   --arch ARCH     the image's architecture: x86_64 (default, or $SBX_ARCH),
#                   aarch64 or armhf; sandboxd and busybox must be built for it
#   --sandboxd BIN  static sandboxd to put at /sbin/sandboxd (default: $SANDBOXD, else
#                   build/sandboxd, build/ARCH/sandboxd for another ARCH);
#                   /sbin/init and /bin/sandboxctl are symlinks to it
#   --init PATH     make /init point at PATH (a file inside the image, e.g. a test
#                   script added with --add; made 0755) instead of /sbin/init
#   --units DIR     DIR's contents at /etc/sandboxd, owned by root (0:0)
#   --add SRC:DST   put the file or folder SRC at DST in the image (repeatable;
#                   a folder's contents land in DST, merged with what is there;
#                   a later --add replaces an earlier file of the same path)
#   --owner UID:GID every --add after this option gets this numeric owner;
#                   --owner keep (the default) goes back to keeping owners
#   --busybox BIN   static busybox (default: $BUSYBOX, else Debian's busybox-static:
#                   /bin/busybox on x86_64, for another ARCH the one busybox.sh
#                   downloads); all its applets are linked in /bin (a foreign
#                   busybox lists them under qemu-user: qemu-aarch64-static,
#                   qemu-arm-static of Debian's qemu-user-static)
#
# What --add puts in is kept as it is on disk: numeric owners, modes with the
# setuid, setgid and sticky bits, hard links (within the image), char and block
# device nodes, FIFOs and symlinks (never followed; only SRC itself is followed
# if it is a symlink); a tree extracted as root by `dpkg-deb -x` keeps Debian's
# owners. A socket is left out with a warning. An error, naming the path, and
# no image: a file that cannot be read, a file of 4 GiB or more, a name with a
# newline or longer than 4095 bytes, owner 4294967295, a folder and a file at
# the same path. The archive is read back with gzip and cpio and its member
# count checked, so a truncated image (a full disk) is an error too.
#
# The files mkimage makes are root's: /etc/passwd and /etc/group (root, user
# 1000:1000 whose /home/user is his, nobody), /init, /dev/console and the empty
# /proc /sys /dev /run /tmp (1777) /root (0700). Needs python3, gzip and cpio;
# not root (nothing is copied or made on disk), but only root can read every
# file of a tree such as a Debian rootfs.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
prog=mkimage.sh

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "$prog: $*" >&2; echo "$prog: try --help" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

out=
init=
units=
sandboxd=${SANDBOXD:-}
busybox=${BUSYBOX:-}
arch=${SBX_ARCH:-x86_64}
adds=()
add_owner=()
owner=keep

need_arg() { [ "$2" -ge 2 ] || die_usage "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
	-o|--output) need_arg "$1" $#; out=$2; shift 2 ;;
	--init) need_arg "$1" $#; init=$2; shift 2 ;;
	--units) need_arg "$1" $#; units=$2; shift 2 ;;
	--add) need_arg "$1" $#; adds+=("$2"); add_owner+=("$owner"); shift 2 ;;
	--owner)
		need_arg "$1" $#
		[[ $2 =~ ^([0-9]{1,10}:[0-9]{1,10}|keep)$ ]] ||
			die_usage "--owner $2: expected UID:GID (numbers) or keep"
		owner=$2; shift 2 ;;
	--sandboxd) need_arg "$1" $#; sandboxd=$2; shift 2 ;;
	--busybox) need_arg "$1" $#; busybox=$2; shift 2 ;;
	--arch) need_arg "$1" $#; arch=$2; shift 2 ;;
	-o*) out=${1#-o}; shift ;;
	--*=*) k=${1%%=*}; v=${1#*=}; shift; set -- "$k" "$v" "$@" ;;
	-h|--help) usage; exit 0 ;;
	*) die_usage "unknown argument: $1" ;;
	esac
done

[ -n "$out" ] || die_usage "missing -o OUT.cpio.gz"
case $init in
''|/*) ;;
*) die_usage "--init $init: must be an absolute path inside the image" ;;
esac
for a in ${adds[@]+"${adds[@]}"}; do
	case $a in
	?*:/*) ;;
	*) die_usage "--add $a: expected SRC:DST with DST an absolute path in the image" ;;
	esac
	src=${a%:*}
	[ -e "$src" ] || die_usage "--add $a: $src does not exist"
done
[ -z "$units" ] || [ -d "$units" ] || die_usage "--units $units: not a folder"
# The ELF machine of each architecture, as readelf -h names it.
case $arch in
x86_64|amd64) arch=x86_64 machine='Advanced Micro Devices X86-64' ;;
aarch64|arm64) arch=aarch64 machine=AArch64 ;;
armhf|arm) arch=armhf machine=ARM ;;
*) die_usage "--arch $arch: unknown (x86_64, aarch64 or armhf)" ;;
esac
if [ -z "$sandboxd" ]; then
	sandboxd=$TOP/build/sandboxd
	[ "$arch" = x86_64 ] || sandboxd=$TOP/build/$arch/sandboxd
fi
if [ -z "$busybox" ]; then
	busybox=$("$TOP/tests/qemu/busybox.sh" --arch "$arch") || die "no busybox for $arch"
fi
[ -f "$sandboxd" ] || die_usage "sandboxd binary $sandboxd does not exist (build it, or pass --sandboxd BIN)"
[ -f "$busybox" ] || die "busybox $busybox does not exist (apt-get install busybox-static)"

# A dynamic binary would die in the image with no loader and no libc: refuse it here.
is_static() {
	! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter' &&
		LC_ALL=C readelf -h "$1" >/dev/null 2>&1
}
is_static "$sandboxd" || die "$sandboxd is not a static ELF executable"
is_static "$busybox" || die "$busybox is not a static ELF executable (apt-get install busybox-static)"
elf_machine() { LC_ALL=C readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }
m=$(elf_machine "$sandboxd")
[ "$m" = "$machine" ] ||
	die "$sandboxd is built for $m, not for $arch ($machine): build it with ./build.sh --arch $arch, or pass --arch or --sandboxd"
m=$(elf_machine "$busybox")
[ "$m" = "$machine" ] ||
	die "$busybox is built for $m, but sandboxd $sandboxd for $arch ($machine): the image needs one architecture"
# A foreign busybox cannot run here to list its applets: qemu-user runs it.
bb_run=()
case $arch in
aarch64) [ "$(uname -m)" = aarch64 ] || bb_run=(qemu-aarch64-static) ;;
armhf) case $(uname -m) in armv7*|armv8*|aarch64) ;; *) bb_run=(qemu-arm-static) ;; esac ;;
esac
[ ${#bb_run[@]} = 0 ] || command -v "${bb_run[0]}" >/dev/null ||
	die "${bb_run[0]} not found, needed to list the applets of $busybox (apt-get install qemu-user-static)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"
command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"

here=$PWD
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$here" "$1" ;; esac; }
sandboxd=$(abs "$sandboxd")
busybox=$(abs "$busybox")
[ -z "$units" ] || units=$(abs "$units")
out=$(abs "$out")

# The image is written by newc.py from a list of operations: nothing is
# copied into a staging folder, so nothing is lost on the way (a copy made
# as non-root drops owners and s-bits). mkimage.sh's own files are root's.
ops=(dir bin 755 0 0  dir sbin 755 0 0  dir etc 755 0 0  dir etc/sandboxd 755 0 0
	dir proc 755 0 0  dir sys 755 0 0  dir dev 755 0 0  dir run 755 0 0
	dir tmp 1777 0 0  dir root 700 0 0  dir home 755 0 0  dir home/user 755 1000 1000
	dir tests 755 0 0
	file "$sandboxd" sbin/sandboxd 755 0 0  symlink sandboxd sbin/init
	symlink ../sbin/sandboxd bin/sandboxctl  file "$busybox" bin/busybox 755 0 0)
declare -A have=([sandboxctl]=1 [busybox]=1)
applets=$(${bb_run[@]+"${bb_run[@]}"} "$busybox" --list) || die "$busybox --list failed"
for app in $applets; do
	case $app in
	*/*) continue ;;
	esac
	[ -n "${have[$app]:-}" ] && continue
	have[$app]=1
	ops+=(symlink busybox "bin/$app")
done
[ -n "${have[sh]:-}" ] || die "$busybox has no sh applet"

ops+=(text etc/passwd 644 0 0 'root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
')
ops+=(text etc/group 644 0 0 'root:x:0:
user:x:1000:
nogroup:x:65534:
')

# The units are PID 1's configuration: root's, whoever wrote them.
[ -z "$units" ] || ops+=(tree "$units" /etc/sandboxd 0:0)
for i in ${adds[@]+"${!adds[@]}"}; do
	a=${adds[$i]}
	ops+=(tree "$(abs "${a%:*}")" "${a##*:}" "${add_owner[$i]}")
done
if [ -n "$init" ]; then ops+=(init "$init"); else ops+=(symlink /sbin/init init); fi
# The kernel opens /dev/console for init's stdio before anything can mount devtmpfs.
ops+=(node dev/console c 600 5 1)

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
trap 'rm -f "$tmp" "$tmp.list" "$tmp.back"' EXIT
n=$(python3 "$TOP/tests/qemu/newc.py" "$tmp" "$tmp.list" "${ops[@]}") || exit 1
# Read it back with other tools: a gzip or cpio error, or a member count
# other than the one written, means a truncated or damaged archive.
gzip -t "$tmp" 2>/dev/null || die "$out: the gzip stream does not check (disk full?)"
gzip -dc "$tmp" | cpio -it --quiet > "$tmp.back" 2>/dev/null ||
	die "$out: cpio cannot read the archive back"
if [ "$(wc -l < "$tmp.back")" -ne "$n" ] || ! cmp -s "$tmp.back" "$tmp.list"; then
	die "$out: cpio reads back $(wc -l < "$tmp.back") members, $n were written"
fi
rm -f "$tmp.list" "$tmp.back"
mv "$tmp" "$out" || die "$out: cannot rename $tmp"
