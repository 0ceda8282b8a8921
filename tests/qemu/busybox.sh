#!/bin/sh
# busybox.sh - print the path of a static busybox for an architecture.
#
# x86_64: /bin/busybox, Debian's busybox-static installed on this machine.
# aarch64, armhf: Debian's busybox-static of that architecture, downloaded once
# with `apt-get download busybox-static:arm64` (or :armhf; no install) and
# unpacked with dpkg-deb -x into build/cache/busybox-ARCH/.
#
# usage: tests/qemu/busybox.sh [--arch ARCH]   (default $SBX_ARCH, else x86_64)
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
arch=${SBX_ARCH:-x86_64}
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || { echo "busybox.sh: --arch needs a name" >&2; exit 2; }
		arch=$2; shift ;;
	--arch=*) arch=${1#--arch=} ;;
	-h|--help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0 ;;
	*) echo "busybox.sh: unknown option: $1" >&2; exit 2 ;;
	esac
	shift
done
die() { echo "busybox.sh: $*" >&2; exit 1; }

case $arch in
x86_64|amd64)
	[ -f /bin/busybox ] || die "/bin/busybox does not exist (apt-get install busybox-static)"
	echo /bin/busybox
	exit 0 ;;
aarch64|arm64) arch=aarch64 deb_arch=arm64 ;;
armhf|arm) arch=armhf deb_arch=armhf ;;
*) echo "busybox.sh: --arch $arch: unknown (x86_64, aarch64 or armhf)" >&2; exit 2 ;;
esac

dir=$TOP/build/cache/busybox-$arch
bin=$dir/root/bin/busybox
if [ ! -f "$bin" ]; then
	dpkg --print-foreign-architectures | grep -qx "$deb_arch" ||
		die "dpkg does not know $deb_arch: run dpkg --add-architecture $deb_arch and apt-get update (./build.sh --arch $arch deps does both)"
	mkdir -p "$dir"
	# shellcheck disable=SC2012 # our own cache, names without spaces
	deb=$(ls "$dir"/busybox-static_*_"$deb_arch".deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		echo "busybox.sh: downloading busybox-static:$deb_arch" >&2
		# apt's _apt user may not write here; it then downloads as root and says so.
		if ! apt-cache show "busybox-static:$deb_arch" >/dev/null 2>&1; then
			# dpkg knows the architecture, apt's lists not yet
			echo "busybox.sh: busybox-static:$deb_arch unknown to apt, running apt-get update" >&2
			apt-get update -qq >&2 || die "apt-get update failed"
		fi
		(cd "$dir" && apt-get download -q "busybox-static:$deb_arch" >&2 2>/dev/null) ||
			(cd "$dir" && apt-get download "busybox-static:$deb_arch" >&2) ||
			die "apt-get download busybox-static:$deb_arch failed"
		# shellcheck disable=SC2012
		deb=$(ls "$dir"/busybox-static_*_"$deb_arch".deb 2>/dev/null | head -n 1 || true)
		[ -n "$deb" ] || die "apt-get download left no busybox-static .deb in $dir"
	fi
	rm -rf "$dir/root.tmp"
	mkdir -p "$dir/root.tmp"
	dpkg-deb -x "$deb" "$dir/root.tmp" || die "dpkg-deb -x $deb failed"
	[ -f "$dir/root.tmp/bin/busybox" ] || die "$deb holds no bin/busybox"
	rm -rf "$dir/root"
	mv "$dir/root.tmp" "$dir/root"
fi
printf '%s\n' "$bin"
