#!/bin/sh
# kernel.sh - fetch Debian's stock kernel for an architecture once and print the
# path of its vmlinuz.
#
# The kernel package that the metapackage (linux-image-amd64, linux-image-arm64,
# linux-image-armmp) depends on is downloaded with `apt-get download` (no
# install, no postinst) into build/cache/kernel/ (amd64), kernel-aarch64/ or
# kernel-armhf/ and unpacked there with dpkg-deb -x; its modules (fuse.ko) come
# with it. The QEMU tier boots an initramfs with no modules, so everything it
# needs must be built in: `kernel.sh --check` reports that.
#
# usage: tests/qemu/kernel.sh [--arch ARCH] [--lpae] [--check] [--refresh]
#
#   --arch ARCH  x86_64 (the default, or $SBX_ARCH), aarch64 or armhf
#   --lpae       armhf: linux-image-armmp-lpae (in kernel-armhf-lpae/), not armmp
#   --check      list the kernel options the tiers need; exit 1 if one is missing
#   --refresh    ask apt again which package is current (else the cache answers)
#
# A foreign architecture's package needs dpkg to know it (`dpkg
# --add-architecture arm64` and apt-get update; `./build.sh --arch aarch64 deps`
# does both).

# shellcheck disable=SC2012 # our own cache, names without spaces
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

check=0
refresh=0
arch=${SBX_ARCH:-x86_64}
lpae=0
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1 ;;
	--refresh) refresh=1 ;;
	--lpae) lpae=1 ;;
	--arch) [ $# -ge 2 ] || { echo "kernel.sh: --arch needs a name" >&2; exit 2; }
		arch=$2; shift ;;
	--arch=*) arch=${1#--arch=} ;;
	-h|--help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0 ;;
	*) echo "kernel.sh: unknown option: $1" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "kernel.sh: $*" >&2; exit 1; }

# Per architecture: Debian's name for it, the metapackage, and the cache folder
# (amd64 keeps build/cache/kernel, where the x86-64 tiers always found it).
case $arch in
x86_64|amd64) deb_arch=amd64 meta=linux-image-amd64 CACHE=$TOP/build/cache/kernel ;;
aarch64|arm64) deb_arch=arm64 meta=linux-image-arm64 CACHE=$TOP/build/cache/kernel-aarch64 ;;
armhf|arm)
	deb_arch=armhf meta=linux-image-armmp CACHE=$TOP/build/cache/kernel-armhf
	if [ "$lpae" = 1 ]; then
		meta=linux-image-armmp-lpae CACHE=$TOP/build/cache/kernel-armhf-lpae
	fi ;;
*) echo "kernel.sh: --arch $arch: unknown (x86_64, aarch64 or armhf)" >&2; exit 2 ;;
esac
[ "$lpae" = 0 ] || [ "$deb_arch" = armhf ] || { echo "kernel.sh: --lpae is for armhf only" >&2; exit 2; }
STAMP=$CACHE/current

native=$(dpkg --print-architecture 2>/dev/null || echo amd64)
qual=
[ "$deb_arch" = "$native" ] || qual=:$deb_arch

# Prints the name of the linux-image-X package behind the metapackage, without
# the :ARCH apt-cache adds for a foreign architecture.
lookup() {
	apt-cache depends "$meta$qual" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1
}

fetch() {
	if [ -n "$qual" ] && ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
		die "dpkg does not know $deb_arch: run dpkg --add-architecture $deb_arch and apt-get update (./build.sh --arch $arch deps does both)"
	fi
	pkg=$(lookup)
	if [ -z "$pkg" ]; then
		echo "kernel.sh: $meta$qual unknown to apt, running apt-get update" >&2
		apt-get update -qq >&2 || die "apt-get update failed"
		pkg=$(lookup)
	fi
	[ -n "$pkg" ] || die "cannot find the package $meta$qual depends on"
	dir=$CACHE/$pkg
	vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
	if [ -z "$vmlinuz" ]; then
		mkdir -p "$CACHE"
		deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
		if [ -z "$deb" ]; then
			echo "kernel.sh: downloading $pkg$qual" >&2
			# apt's _apt user may not write here; it then downloads as root and says so.
			(cd "$CACHE" && apt-get download -q "$pkg$qual" >&2 2>/dev/null) ||
				(cd "$CACHE" && apt-get download "$pkg$qual" >&2) ||
				die "apt-get download $pkg$qual failed"
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
	# Relative to the cache: build/cache is shared by the worktrees of this
	# machine (a symlink), and another one's path may be gone tomorrow.
	printf '%s\n' "${vmlinuz#"$CACHE"/}" > "$STAMP.tmp"
	mv "$STAMP.tmp" "$STAMP"
}

# The stamp's path (relative to the cache, or absolute as older ones were).
read_stamp() {
	vmlinuz=$(cat "$STAMP")
	case $vmlinuz in /*) ;; *) vmlinuz=$CACHE/$vmlinuz ;; esac
}

# Cached and not asked to refresh: no apt at all, so it is fast and works offline.
vmlinuz=
if [ "$refresh" = 0 ] && [ -f "$STAMP" ]; then
	read_stamp
	[ -f "$vmlinuz" ] || vmlinuz=
fi
if [ -z "$vmlinuz" ]; then
	fetch
	read_stamp
fi

if [ "$check" = 1 ]; then
	cfg=$(dirname "$vmlinuz")/config-${vmlinuz##*/vmlinuz-}
	[ -f "$cfg" ] || die "no kernel config next to $vmlinuz"
	bad=0
	# What the initramfs tier needs from the kernel itself (the console and
	# the 32-bit compat path differ per architecture), then nice-to-haves
	# that only matter if a later test wants them (they would need insmod).
	case $deb_arch in
	amd64) archopts="SERIAL_8250 SERIAL_8250_CONSOLE IA32_EMULATION" ;;
	arm64) archopts="SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE ARM_PSCI_FW COMPAT" ;;
	armhf) archopts="SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE ARM_PSCI_FW" ;;
	esac
	for opt in CGROUPS MEMCG CGROUP_PIDS CGROUP_SCHED FAIR_GROUP_SCHED CFS_BANDWIDTH \
		BLK_CGROUP CPUSETS CGROUP_FREEZER NAMESPACES UTS_NS IPC_NS USER_NS PID_NS NET_NS \
		SECCOMP SECCOMP_FILTER TMPFS DEVTMPFS BLK_DEV_INITRD RD_GZIP \
		PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT $archopts \
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
