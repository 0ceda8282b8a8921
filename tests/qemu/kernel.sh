#!/bin/sh
# kernel.sh - fetch Debian's stock amd64 kernel once and print the path of its vmlinuz.
#
# The kernel package that linux-image-amd64 depends on is downloaded with
# `apt-get download` (no install, no postinst) into build/cache/kernel/ and unpacked
# there with dpkg-deb -x. The QEMU tier boots an initramfs with no modules, so
# everything it needs must be built in: `kernel.sh --check` reports that.
#
# usage: tests/qemu/kernel.sh [--check] [--refresh]

# shellcheck disable=SC2012 # our own cache, names without spaces
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=$TOP/build/cache/kernel
STAMP=$CACHE/current

check=0
refresh=0
for a in "$@"; do
	case $a in
	--check) check=1 ;;
	--refresh) refresh=1 ;;
	-h|--help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0 ;;
	*) echo "kernel.sh: unknown option: $a" >&2; exit 2 ;;
	esac
done

die() { echo "kernel.sh: $*" >&2; exit 1; }

# Prints the name of the linux-image-X package behind the linux-image-amd64 metapackage.
lookup() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1
}

fetch() {
	pkg=$(lookup)
	if [ -z "$pkg" ]; then
		echo "kernel.sh: linux-image-amd64 unknown to apt, running apt-get update" >&2
		apt-get update -qq >&2 || die "apt-get update failed"
		pkg=$(lookup)
	fi
	[ -n "$pkg" ] || die "cannot find the package linux-image-amd64 depends on"
	dir=$CACHE/$pkg
	vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
	if [ -z "$vmlinuz" ]; then
		mkdir -p "$CACHE"
		deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
		if [ -z "$deb" ]; then
			echo "kernel.sh: downloading $pkg" >&2
			# apt's _apt user may not write here; it then downloads as root and says so.
			(cd "$CACHE" && apt-get download -q "$pkg" >&2 2>/dev/null) ||
				(cd "$CACHE" && apt-get download "$pkg" >&2) ||
				die "apt-get download $pkg failed"
			deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
			[ -n "$deb" ] || die "apt-get download left no $pkg .deb in $CACHE"
		fi
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp" || die "dpkg-deb -x $deb failed"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
		vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
		[ -n "$vmlinuz" ] || die "$deb holds no boot/vmlinuz-*"
	fi
	printf '%s\n' "$vmlinuz" > "$STAMP.tmp"
	mv "$STAMP.tmp" "$STAMP"
}

# Cached and not asked to refresh: no apt at all, so it is fast and works offline.
vmlinuz=
if [ "$refresh" = 0 ] && [ -f "$STAMP" ]; then
	vmlinuz=$(cat "$STAMP")
	[ -f "$vmlinuz" ] || vmlinuz=
fi
if [ -z "$vmlinuz" ]; then
	fetch
	vmlinuz=$(cat "$STAMP")
fi

if [ "$check" = 1 ]; then
	cfg=$(dirname "$vmlinuz")/config-${vmlinuz##*/vmlinuz-}
	[ -f "$cfg" ] || die "no kernel config next to $vmlinuz"
	bad=0
	# What the initramfs tier needs from the kernel itself, then nice-to-haves
	# that only matter if a later test wants them (they would need insmod).
	for opt in CGROUPS MEMCG CGROUP_PIDS CGROUP_SCHED FAIR_GROUP_SCHED CFS_BANDWIDTH \
		BLK_CGROUP CPUSETS CGROUP_FREEZER NAMESPACES UTS_NS IPC_NS USER_NS PID_NS NET_NS \
		SECCOMP SECCOMP_FILTER TMPFS DEVTMPFS BLK_DEV_INITRD RD_GZIP SERIAL_8250 \
		SERIAL_8250_CONSOLE PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT IA32_EMULATION \
		POSIX_MQUEUE CHECKPOINT_RESTORE PSI; do
		v=$(sed -n "s/^CONFIG_$opt=//p" "$cfg")
		case $v in
		y) echo "ok CONFIG_$opt=y" ;;
		m) echo "not ok CONFIG_$opt=m: a module, and the initramfs has none"; bad=1 ;;
		*) echo "not ok CONFIG_$opt: not set"; bad=1 ;;
		esac
	done
	for opt in OVERLAY_FS SQUASHFS BLK_DEV_LOOP EXT4_FS FUSE_FS; do
		v=$(sed -n "s/^CONFIG_$opt=//p" "$cfg")
		echo "# optional CONFIG_$opt=${v:-unset}"
	done
	exit $bad
fi

printf '%s\n' "$vmlinuz"
