#!/bin/bash
# mkimage.sh - build a gzip'd newc initramfs for the QEMU tier.
#
# usage: mkimage.sh -o OUT.cpio.gz [--init PATH] [--units DIR] [--add SRC:DST]...
#                   [--sandboxd BIN] [--busybox BIN]
#
#   -o OUT          image to write (gzip'd cpio, newc format, every file owned by 0:0)
#   --sandboxd BIN  static sandboxd to put at /sbin/sandboxd (default: $SANDBOXD, else
#                   build/sandboxd); /sbin/init and /bin/sandboxctl are symlinks to it
#   --init PATH     make /init point at PATH (a path inside the image, e.g. a test
#                   script added with --add) instead of /sbin/init
#   --units DIR     copy DIR's contents to /etc/sandboxd
#   --add SRC:DST   copy the file or folder SRC to DST in the image (repeatable;
#                   a folder's contents land in DST)
#   --busybox BIN   static busybox (default: $BUSYBOX, else /bin/busybox from
#                   Debian's busybox-static); all its applets are linked in /bin
#
# The image also holds /etc/passwd and /etc/group (root, user 1000:1000, nobody),
# /dev/console and empty /proc /sys /dev /run /tmp.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
prog=mkimage.sh

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "$prog: $*" >&2; echo "$prog: try --help" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

out=
init=
units=
sandboxd=${SANDBOXD:-$TOP/build/sandboxd}
busybox=${BUSYBOX:-/bin/busybox}
adds=()

need_arg() { [ "$2" -ge 2 ] || die_usage "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
	-o|--output) need_arg "$1" $#; out=$2; shift 2 ;;
	--init) need_arg "$1" $#; init=$2; shift 2 ;;
	--units) need_arg "$1" $#; units=$2; shift 2 ;;
	--add) need_arg "$1" $#; adds+=("$2"); shift 2 ;;
	--sandboxd) need_arg "$1" $#; sandboxd=$2; shift 2 ;;
	--busybox) need_arg "$1" $#; busybox=$2; shift 2 ;;
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
	?*:/?*) ;;
	*) die_usage "--add $a: expected SRC:DST with DST an absolute path in the image" ;;
	esac
	src=${a%:*}
	[ -e "$src" ] || die_usage "--add $a: $src does not exist"
done
[ -z "$units" ] || [ -d "$units" ] || die_usage "--units $units: not a folder"
[ -f "$sandboxd" ] || die_usage "sandboxd binary $sandboxd does not exist (build it, or pass --sandboxd BIN)"
[ -f "$busybox" ] || die "busybox $busybox does not exist (apt-get install busybox-static)"

# A dynamic binary would die in the image with no loader and no libc: refuse it here.
is_static() {
	! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter' &&
		LC_ALL=C readelf -h "$1" >/dev/null 2>&1
}
is_static "$sandboxd" || die "$sandboxd is not a static ELF executable"
is_static "$busybox" || die "$busybox is not a static ELF executable (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"

here=$PWD
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$here" "$1" ;; esac; }
sandboxd=$(abs "$sandboxd")
busybox=$(abs "$busybox")
[ -z "$units" ] || units=$(abs "$units")
out=$(abs "$out")

stage=$(mktemp -d "${TMPDIR:-/tmp}/sbx-image.XXXXXX")
trap 'rm -rf "$stage"' EXIT

cd "$stage"
mkdir -p bin sbin etc/sandboxd proc sys dev run tmp root home/user tests
chmod 1777 tmp
chmod 700 root

install -m 755 "$sandboxd" sbin/sandboxd
ln -s sandboxd sbin/init
ln -s ../sbin/sandboxd bin/sandboxctl

install -m 755 "$busybox" bin/busybox
for app in $("$busybox" --list); do
	case $app in
	*/*|busybox) continue ;;
	esac
	[ -e "bin/$app" ] || [ -L "bin/$app" ] || ln -s busybox "bin/$app"
done
[ -L bin/sh ] || die "$busybox has no sh applet"

cat > etc/passwd <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat > etc/group <<'GR'
root:x:0:
user:x:1000:
nogroup:x:65534:
GR

if [ -n "$units" ]; then
	cp -a "$units"/. etc/sandboxd/
fi

for a in ${adds[@]+"${adds[@]}"}; do
	src=${a%:*}
	dst=.${a##*:}
	src=$(abs "$src")
	if [ -d "$src" ]; then
		mkdir -p "$dst"
		cp -a "$src"/. "$dst"/
	else
		mkdir -p "$(dirname "$dst")"
		rm -rf "$dst"
		cp -a "$src" "$dst"
	fi
done

if [ -n "$init" ]; then
	[ -f ".$init" ] || die "--init $init: no such file in the image (add it with --add SRC:$init)"
	chmod 755 ".$init"
	ln -s "$init" init
else
	ln -s /sbin/init init
fi

# The kernel opens /dev/console for init's stdio before anything can mount devtmpfs.
if ! mknod -m 600 dev/console c 5 1 2>/dev/null; then
	die "cannot create dev/console (mknod needs root)"
fi

mkdir -p "$(dirname "$out")"
# Owners: everything root's (copies may carry the host's owners) but user's home.
if [ "$(id -u)" = 0 ]; then
	chown -hR 0:0 .
	chown 1000:1000 home/user
	owner=()
else
	owner=(-R 0:0)
fi
# Sorted so that the same inputs give the same archive.
trap 'rm -rf "$stage" "$out.tmp"' EXIT
find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc ${owner[@]+"${owner[@]}"} | gzip -6 -n > "$out.tmp" ||
	die "cpio | gzip failed"
mv "$out.tmp" "$out"
