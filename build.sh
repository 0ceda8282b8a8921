#!/bin/sh
# sandboxd's build, test and tool runner. Plain POSIX sh: see
# `./build.sh --help` and docs/BUILD.md.
#
# Environment: CC (default musl-gcc) and CFLAGS (appended to the project's
# flags) for cross builds; O=DIR (default build) and KCONFIG_CONFIG=FILE
# (default .config) pick another output folder and configuration.
# SBX_FIRMWARE=1: a buildroot or Yocto build (see below, docs/FIRMWARE.md).
# `test A -nt B` is in POSIX.1-2024 and in dash, bash and busybox sh.
# shellcheck disable=SC3013
set -eu

TOP=$(cd "$(dirname "$0")" && pwd)
cd "$TOP"

PROG=./build.sh
JOBS=$(nproc 2>/dev/null || echo 2)

# Everything the build, the test tiers and the tools around them use.
# gcc, make and llvm-14 are spelled out because musl-tools does not pull in
# gcc, libseccomp's build needs make, and llvm-14 brings llvm-symbolizer
# for readable sanitizer reports.
PKGS="musl-tools gcc make gperf libinih-dev kconfig-frontends dpkg-dev file
busybox-static cpio qemu-system-x86 crun clang libclang-rt-14-dev llvm-14
libseccomp-dev time python3"

# --arch NAME (anywhere on the command line): the target. The x86-64 build
# stays in build/; another target builds into build/NAME/ with Debian's
# cross gcc and that architecture's musl (docs/BUILD.md, "Other
# architectures"). Without --arch, CC may still name a cross compiler.
TARGET=
parse_arch() {
	for pa in "$@"; do
		case $pa in
		--arch=*) TARGET=${pa#--arch=} ;;
		esac
	done
	pa_prev=
	for pa in "$@"; do
		[ "$pa_prev" = --arch ] && TARGET=$pa
		pa_prev=$pa
	done
	[ "$pa_prev" = --arch ] && die "--arch needs a name: x86_64, aarch64 or armhf"
	return 0
}

msg() { printf '%s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

parse_arch "$@"
# Drop --arch NAME / --arch=NAME from the arguments the commands see.
n_args=$#
i=0
skip_next=
while [ "$i" -lt "$n_args" ]; do
	a=$1
	shift
	i=$((i + 1))
	if [ -n "$skip_next" ]; then skip_next=; continue; fi
	case $a in
	--arch) skip_next=1; continue ;;
	--arch=*) continue ;;
	esac
	set -- "$@" "$a"
done

HOST_ARCH=$(uname -m)
case $TARGET in
'') TARGET=$HOST_ARCH ;;
amd64) TARGET=x86_64 ;;
arm64) TARGET=aarch64 ;;
arm | armv7 | armv7l) TARGET=armhf ;;
esac
# Per target: Debian's architecture, the musl compiler its musl-dev ships,
# the multiarch folder of its kernel headers and libinih, and the packages.
case $TARGET in
x86_64)
	DEB_ARCHES=amd64 TARGET_CC=musl-gcc TARGET_TRIPLE=x86_64-linux-gnu
	TARGET_PKGS="musl-tools qemu-system-x86" ;;
aarch64)
	# armhf's compiler too: the arm64 tier runs a 32-bit arm probe to
	# prove the compat path is killed (tests/qemu/guest/11-seccomp-compat.t)
	DEB_ARCHES="arm64 armhf" TARGET_CC=aarch64-linux-musl-gcc TARGET_TRIPLE=aarch64-linux-gnu
	TARGET_PKGS="gcc-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev:arm64
libinih-dev:arm64 qemu-system-arm qemu-user-static
gcc-arm-linux-gnueabihf musl-dev:armhf linux-libc-dev:armhf" ;;
armhf)
	DEB_ARCHES=armhf TARGET_CC=arm-linux-musleabihf-gcc TARGET_TRIPLE=arm-linux-gnueabihf
	TARGET_PKGS="gcc-arm-linux-gnueabihf musl-dev:armhf linux-libc-dev:armhf
libinih-dev:armhf qemu-system-arm qemu-user-static" ;;
*) die "--arch $TARGET: unknown (x86_64, aarch64 or armhf)" ;;
esac
export SBX_ARCH=$TARGET
CROSS=
if [ "$TARGET" != "$HOST_ARCH" ]; then
	CROSS=1
	CC=${CC:-$TARGET_CC}
	O=${O:-build/$TARGET}
	KCONFIG_CONFIG=${KCONFIG_CONFIG:-build/$TARGET/.config}
	PKGS="$PKGS $TARGET_PKGS"
fi

# Without CC the target is this machine; with one, ask it for its triple so
# that a cross build keeps its own UAPI links and libseccomp.
if [ -n "${CC:-}" ] && [ "$CC" != musl-gcc ]; then
	TRIPLE=$($CC -dumpmachine) || die "cannot run CC=$CC (for --arch $TARGET: $TARGET_PKGS)"
else
	CC=musl-gcc
	TRIPLE=
fi
USER_CFLAGS=${CFLAGS:-}
ARCH=${TRIPLE%%-*}
if [ -z "$TRIPLE" ] || [ "$ARCH" = "$HOST_ARCH" ]; then
	SFX=
	MULTIARCH=${MULTIARCH:-$HOST_ARCH-linux-gnu}
else
	SFX=-$ARCH
	# Debian's multiarch tuple is the cross gcc's triple (aarch64-linux-gnu,
	# arm-linux-gnueabihf)
	MULTIARCH=${MULTIARCH:-$TRIPLE}
fi

CACHE=build/cache
INC=build/include$SFX
# libseccomp's own flags (build_libseccomp). Its cache folder is named by
# their checksum: a change builds a new libseccomp beside the old one, which
# other worktrees sharing build/cache may still link, and never keeps a
# stale one. No unwind tables, as for our objects (musl_cflags); no
# -fno-pie, which its Makefile's -fPIC (after CFLAGS) would undo.
SECCOMP_CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
SECCOMP_TAG=$(printf '%s' "$SECCOMP_CFLAGS" | cksum | cut -d' ' -f1)
SECCOMP_DIR=$CACHE/libseccomp$SFX-$SECCOMP_TAG
SECCOMP_A=$SECCOMP_DIR/lib/libseccomp.a
INIH_A=${INIH_A:-/usr/lib/$MULTIARCH/libinih.a}
DEB_SRC_LIST=/etc/apt/sources.list.d/sandboxd-deb-src.sources

O=${O:-build}
O=${O%/}
KCONFIG_CONFIG=${KCONFIG_CONFIG:-.config}
export KCONFIG_CONFIG

# SBX_FIRMWARE=1: buildroot or Yocto is the caller and owns the toolchain.
# CC, CFLAGS and LDFLAGS are its own, headers and libraries come from its
# sysroot (SECCOMP_LIBS, default -lseccomp; INIH_LIBS, default -linih), and
# nothing is installed, downloaded or built but sandboxd: no apt, no
# libseccomp source build, no build/include (docs/FIRMWARE.md).
FIRMWARE=
case ${SBX_FIRMWARE:-} in '' | 0) ;; *) FIRMWARE=1 ;; esac
if [ -n "$FIRMWARE" ]; then
	SECCOMP_LIBS=${SECCOMP_LIBS:--lseccomp}
	INIH_LIBS=${INIH_LIBS:--linih}
	FW_LDFLAGS=${LDFLAGS:-}
	# an empty folder: the sysroot's headers only, never the host's
	INC=$O/include-none
	# Warnings stay visible but do not fail: the firmware's compiler and
	# flags (glibc's _FORTIFY_SOURCE, a newer gcc) are not the ones the
	# project's -Werror is kept clean for.
	USER_CFLAGS="${USER_CFLAGS:+$USER_CFLAGS }-Wno-error"
fi

SRC_DIRS="lib config sandbox rootfs cgroup init ctl"

# Other sessions build in the same tree: serialise by output folder.
# $1 = fd (one digit), $2 = lock file.
lock() {
	mkdir -p "$(dirname "$2")"
	eval "exec $1>\"\$2\""
	if ! flock -n "$1"; then
		msg "$PROG: waiting for $2 (another ./build.sh is running)"
		flock "$1"
	fi
}
unlock() { eval "exec $1>&-"; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root for: $*"
	fi
}

# ---------------------------------------------------------------- deps

missing_pkgs() {
	# A name with :ARCH (musl-dev:arm64) is that architecture's package;
	# one without is the native or an arch-all one.
	mp_native=$(dpkg --print-architecture)
	# shellcheck disable=SC2086
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}:${Architecture}\n' $PKGS 2>/dev/null |
		awk -v n="$mp_native" '$1 == "ii" {
			print $2; split($2, p, ":")
			if (p[2] == n || p[2] == "all") print p[1] }' \
		>"${TMPDIR:-/tmp}/sandboxd-pkgs.$$" || true
	for p in $PKGS; do
		grep -qx "$p" "${TMPDIR:-/tmp}/sandboxd-pkgs.$$" || printf '%s ' "$p"
	done
	rm -f "${TMPDIR:-/tmp}/sandboxd-pkgs.$$"
}

# A cross target's packages (musl-dev:arm64) need dpkg to know the
# architecture, and apt's lists to have it.
add_foreign_arch() {
	[ -n "$CROSS" ] || return 0
	for fa in $DEB_ARCHES; do
		dpkg --print-foreign-architectures | grep -qx "$fa" && continue
		msg "deps: dpkg --add-architecture $fa"
		as_root dpkg --add-architecture "$fa"
		APT_UPDATED=
	done
}

APT_UPDATED=
apt_update() {
	[ -n "$APT_UPDATED" ] && return 0
	msg "deps: apt-get update"
	as_root apt-get update -q
	APT_UPDATED=1
}

have_deb_src() {
	[ -f "$DEB_SRC_LIST" ] && return 0
	grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
	grep -qs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list && return 0
	return 1
}

# `apt-get source` needs deb-src entries; mirror each deb stanza of
# Debian's own sources (same mirrors, suites, components and keys).
add_deb_src() {
	have_deb_src && return 0
	deb=/etc/apt/sources.list.d/debian.sources
	if [ -f "$deb" ]; then
		msg "deps: adding $DEB_SRC_LIST (mirrors $deb)"
		awk '
		function flush() {
			if (keep && body != "") {
				printf "%sTypes: deb-src\n%s", sep, body
				sep = "\n"
			}
			body = ""; keep = 0; cur = 0
		}
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		/^[ \t]/ { if (cur) body = body $0 "\n"; next }
		{
			n = index($0, ":"); f = tolower(substr($0, 1, n - 1)); cur = 0
			if (f == "types") {
				if ($0 ~ /[: \t]deb([ \t]|$)/) keep = 1
			} else if (f == "uris" || f == "suites" || f == "components" ||
				   f == "signed-by" || f == "enabled") {
				cur = 1; body = body $0 "\n"
			}
		}
		END { flush() }' "$deb" >"${TMPDIR:-/tmp}/sandboxd-deb-src.$$"
		[ -s "${TMPDIR:-/tmp}/sandboxd-deb-src.$$" ] ||
			die "deps: no deb stanza in $deb to mirror"
		as_root cp "${TMPDIR:-/tmp}/sandboxd-deb-src.$$" "$DEB_SRC_LIST"
		rm -f "${TMPDIR:-/tmp}/sandboxd-deb-src.$$"
	elif [ -f /etc/apt/sources.list ]; then
		msg "deps: adding deb-src lines from /etc/apt/sources.list"
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list |
			as_root tee /etc/apt/sources.list.d/sandboxd-deb-src.list >/dev/null
	else
		die "deps: no apt sources to mirror as deb-src"
	fi
	APT_UPDATED=   # the new entry needs its own update
}

copy_if_changed() {
	cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"
}

link_if_changed() {
	[ "$(readlink "$2" 2>/dev/null)" = "$1" ] || ln -sfn "$1" "$2"
}

# build/include: musl-gcc's only window on kernel UAPI headers, ini.h and
# seccomp.h. Symlinks and copies only; never glibc's /usr/include itself.
ensure_include() {
	mkdir -p "$INC"
	# a firmware build's headers are its sysroot's: the folder stays empty
	[ -n "$FIRMWARE" ] && return 0
	link_if_changed /usr/include/linux "$INC/linux"
	link_if_changed /usr/include/asm-generic "$INC/asm-generic"
	link_if_changed "/usr/include/$MULTIARCH/asm" "$INC/asm"
	[ -f /usr/include/ini.h ] && copy_if_changed /usr/include/ini.h "$INC/ini.h"
	for h in seccomp.h seccomp-syscalls.h; do
		[ -f "$SECCOMP_DIR/include/$h" ] &&
			copy_if_changed "$SECCOMP_DIR/include/$h" "$INC/$h"
	done
	return 0
}

# libseccomp for musl, from Debian's source package, static, into the cache.
build_libseccomp() {
	src=$CACHE/src$SFX-$SECCOMP_TAG
	abs_inc=$TOP/$INC
	rm -rf "$src"
	mkdir -p "$src"
	msg "deps: apt-get source libseccomp (into $src)"
	(cd "$src" && apt-get source -q libseccomp) >"$src/apt-source.log" 2>&1 || {
		cat "$src/apt-source.log" >&2
		die "deps: apt-get source libseccomp failed"
	}
	dir=
	for d in "$src"/libseccomp-*/; do
		[ -f "$d/configure" ] && dir=${d%/}
	done
	[ -n "$dir" ] || die "deps: no unpacked libseccomp source under $src"
	host=
	[ -n "$SFX" ] && host=--host=$TRIPLE
	msg "deps: configuring $dir with CC=$CC"
	# shellcheck disable=SC2086
	(cd "$dir" && ./configure CC="$CC" \
		CFLAGS="$SECCOMP_CFLAGS -isystem $abs_inc" \
		--enable-static --disable-shared --disable-python \
		--disable-dependency-tracking $host) >"$src/configure.log" 2>&1 || {
		tail -n 40 "$src/configure.log" >&2
		die "deps: libseccomp configure failed (log: $src/configure.log)"
	}
	msg "deps: building libseccomp.a"
	make -C "$dir/src" -j"$JOBS" libseccomp.la >"$src/make.log" 2>&1 || {
		tail -n 40 "$src/make.log" >&2
		die "deps: libseccomp build failed (log: $src/make.log)"
	}
	# Install under a temporary name: a half-built cache never looks done.
	rm -rf "$SECCOMP_DIR.tmp"
	mkdir -p "$SECCOMP_DIR.tmp/lib" "$SECCOMP_DIR.tmp/include"
	cp "$dir/src/.libs/libseccomp.a" "$SECCOMP_DIR.tmp/lib/"
	printf '%s\n' "$SECCOMP_CFLAGS" >"$SECCOMP_DIR.tmp/cflags"
	cp "$dir/include/seccomp.h" "$dir/include/seccomp-syscalls.h" \
		"$SECCOMP_DIR.tmp/include/"
	rm -rf "$SECCOMP_DIR"
	mv "$SECCOMP_DIR.tmp" "$SECCOMP_DIR"
	msg "deps: $SECCOMP_A ($(wc -c <"$SECCOMP_A") bytes)"
}

cmd_deps() {
	if [ -n "$FIRMWARE" ]; then
		msg "deps: nothing to install in a firmware build (SBX_FIRMWARE=1): the firmware build provides the toolchain, libseccomp and libinih"
		return 0
	fi
	missing=$(missing_pkgs)
	if [ -z "$missing" ] && [ -f "$SECCOMP_A" ]; then
		ensure_include
		return 0
	fi
	lock 8 "$CACHE/.lock"
	missing=$(missing_pkgs)
	if [ -n "$missing" ]; then
		[ -f "$SECCOMP_A" ] || add_deb_src
		add_foreign_arch
		apt_update
		msg "deps: installing $missing"
		# shellcheck disable=SC2086
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -o DPkg::Lock::Timeout=600 $missing
	fi
	ensure_include
	if [ ! -f "$SECCOMP_A" ]; then
		# Lists that already know the source package need no update.
		if ! have_deb_src; then
			add_deb_src
			apt_update
		elif ! apt-cache showsrc libseccomp 2>/dev/null | grep -q '^Package:'; then
			apt_update
		fi
		build_libseccomp
		ensure_include
	fi
	unlock 8
}

# A quiet "deps" for the commands that build: does nothing when all is there.
need_deps() {
	if [ -n "$FIRMWARE" ]; then
		fw_check_cc
		return 0
	fi
	if [ -f "$SECCOMP_A" ] && [ -f "$INC/ini.h" ] && [ -f "$INC/seccomp.h" ] &&
	   [ -z "$(missing_pkgs)" ]; then
		ensure_include
		return 0
	fi
	cmd_deps
}

fw_check_cc() {
	# shellcheck disable=SC2086
	$CC $USER_CFLAGS -dumpmachine >/dev/null 2>&1 ||
		die "SBX_FIRMWARE=1: cannot run CC=$CC (the firmware toolchain's compiler)"
}

# Each -lNAME of $2 (the value of variable $1) must be a static library the
# toolchain finds, in its sysroot or a -L folder of LDFLAGS, and each path a
# file: sandboxd links -static, and a sysroot with only libNAME.so would
# fail at the link with a message that names neither the variable nor the
# cure.
fw_check_libs() {
	for fl_w in $2; do
		case $fl_w in
		-l?*) ;;
		-*) continue ;;
		*)
			[ -f "$fl_w" ] || die "$1: no file $fl_w"
			continue
			;;
		esac
		fl_a=lib${fl_w#-l}.a
		# shellcheck disable=SC2086
		fl_p=$($CC $USER_CFLAGS -print-file-name="$fl_a" 2>/dev/null) || fl_p=
		case $fl_p in */*) [ -f "$fl_p" ] && continue ;; esac
		fl_found=
		for fl_d in $FW_LDFLAGS $2; do
			case $fl_d in -L?*) [ -f "${fl_d#-L}/$fl_a" ] && fl_found=1 ;; esac
		done
		[ -n "$fl_found" ] && continue
		die "$1: the toolchain finds no $fl_a for $fl_w (CC=$CC, LDFLAGS=$FW_LDFLAGS); sandboxd links -static: the sysroot needs the static library (buildroot: BR2_STATIC_LIBS or BR2_SHARED_STATIC_LIBS; docs/FIRMWARE.md)"
	done
}

# ---------------------------------------------------------------- config

# .config -> $O/config.h: every CONFIG_X defined, bools as 0/1, so that code
# says `#if CONFIG_X`. Symbols of Kconfig missing from .config (hidden by a
# dependency) are 0. Rewritten only when it changes, to keep objects valid.
gen_config_h() {
	mkdir -p "$O"
	awk '
	FNR == NR {
		if ($1 == "config" || $1 == "menuconfig")
			if (!(("CONFIG_" $2) in known)) {
				known["CONFIG_" $2] = 1; order[++n] = "CONFIG_" $2
			}
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); k = substr($0, 1, i - 1); v = substr($0, i + 1)
		if (v == "y" || v == "m") v = 1
		else if (v == "n") v = 0
		val[k] = v; next
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { val[$2] = 0 }
	END {
		print "/* Generated by build.sh from " cfg "; do not edit. */"
		print "#ifndef SBX_CONFIG_H"
		print "#define SBX_CONFIG_H"
		print ""
		for (i = 1; i <= n; i++)
			print "#define " order[i] " " ((order[i] in val) ? val[order[i]] : 0)
		for (k in val)
			if (!(k in known))
				print "#define " k " " val[k]
		print ""
		print "#endif"
	}' cfg="$KCONFIG_CONFIG" Kconfig "$KCONFIG_CONFIG" >"$O/config.h.tmp"
	if cmp -s "$O/config.h.tmp" "$O/config.h"; then
		rm -f "$O/config.h.tmp"
	else
		mv "$O/config.h.tmp" "$O/config.h"
		msg "  GEN     $O/config.h (from $KCONFIG_CONFIG)"
	fi
}

# Without kconfig-conf (a firmware build has none: dist/ writes the whole
# .config), a .config that gives every visible symbol of Kconfig a valid
# value is used as it is. Prints one line per symbol missing or invalid
# and fails then.
config_complete() {
	awk '
	# "A && !B" over bools; any other expression counts as true, so that
	# the symbol it guards is required
	function visible(expr,   n, t, i, s, neg) {
		if (expr ~ /[|()=<>]/) return 1
		n = split(expr, t, /&&/)
		for (i = 1; i <= n; i++) {
			s = t[i]; gsub(/[ \t]/, "", s); neg = sub(/^!/, "", s)
			# (an "in" first: reading val[k] would create it)
			if (((("CONFIG_" s) in val) && val["CONFIG_" s] == "y") == neg) return 0
		}
		return 1
	}
	FNR == NR {
		if ($1 == "config" || $1 == "menuconfig") { cur = $2; order[++n] = cur; next }
		if ($1 == "help" || $1 == "menu" || $1 == "endmenu" || $1 == "choice") cur = ""
		if (cur == "") next
		if ($1 == "bool" || $1 == "int" || $1 == "string" || $1 == "hex" || $1 == "tristate")
			type[cur] = $1
		else if ($1 == "range") { lo[cur] = $2; hi[cur] = $3 }
		else if ($1 == "depends" && $2 == "on") {
			sub(/^[ \t]*depends[ \t]+on[ \t]+/, "")
			dep[cur] = dep[cur] (dep[cur] != "" ? " && " : "") $0
		}
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); val[substr($0, 1, i - 1)] = substr($0, i + 1); next }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { val[$2] = "n" }
	END {
		for (i = 1; i <= n; i++) {
			s = order[i]; k = "CONFIG_" s
			if (!(k in val)) {
				if (dep[s] == "" || visible(dep[s])) { print k ": missing"; bad = 1 }
				continue
			}
			v = val[k]
			if (type[s] == "bool" && v != "y" && v != "n") {
				print k "=" v ": not y or n"; bad = 1
			} else if (type[s] == "int" && (v !~ /^-?[0-9]+$/ ||
				   (s in lo && (v + 0 < lo[s] + 0 || v + 0 > hi[s] + 0)))) {
				print k "=" v ": not a number in " lo[s] ".." hi[s]; bad = 1
			} else if (type[s] == "string" && v !~ /^".*"$/) {
				print k "=" v ": not a quoted string"; bad = 1
			}
		}
		exit bad
	}' Kconfig "$KCONFIG_CONFIG"
}

kconf() {
	mkdir -p "$(dirname "$KCONFIG_CONFIG")"
	if ! command -v kconfig-conf >/dev/null 2>&1; then
		{ [ "$1" = --olddefconfig ] && [ -f "$KCONFIG_CONFIG" ]; } ||
			die "kconfig-conf $1: not installed (kconfig-frontends; a firmware build writes a complete $KCONFIG_CONFIG instead)"
		kc_errs=$(config_complete) ||
			die "no kconfig-conf to complete $KCONFIG_CONFIG, and it is incomplete: $(printf '%s\n' "$kc_errs" | awk 'NR > 1 { printf "; " } { printf "%s", $0 }')"
		return 0
	fi
	kconfig-conf -s "$@" Kconfig || die "kconfig-conf $* failed"
}

# Make sure $KCONFIG_CONFIG exists and is current, then config.h.
ensure_config() {
	if [ ! -f "$KCONFIG_CONFIG" ]; then
		msg "  CONF    $KCONFIG_CONFIG (defconfig)"
		kconf --alldefconfig
	elif [ Kconfig -nt "$KCONFIG_CONFIG" ] || [ ! -f "$O/config.h" ] ||
	     [ "$KCONFIG_CONFIG" -nt "$O/config.h" ]; then
		# A stale .config gains the defaults of new symbols.
		kconf --olddefconfig </dev/null
	fi
	gen_config_h
}

config_is() { grep -q "^CONFIG_$1=y" "$KCONFIG_CONFIG"; }

cmd_kconfig() {
	need_deps
	case $1 in
	defconfig) kconf --alldefconfig ;;
	allnoconfig) kconf --allnoconfig ;;
	oldconfig) kconfig-conf --oldconfig Kconfig || die "oldconfig failed" ;;
	menuconfig) kconfig-mconf Kconfig || die "menuconfig failed" ;;
	esac
	gen_config_h
	msg "$PROG: wrote $KCONFIG_CONFIG and $O/config.h"
}

# ---------------------------------------------------------------- build

sources() {
	for d in $SRC_DIRS; do
		[ -d "$d" ] && find "$d" -name '*.c' -type f
	done | LC_ALL=C sort
}

# True when $1 (an output) is missing or older than anything its depfile
# $2 (gcc -MMD) names, or than any further file given.
stale() {
	out=$1 dep=$2
	shift 2
	[ -f "$out" ] || return 0
	[ -f "$dep" ] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep") "$@"; do
		[ "$f" -nt "$out" ] && return 0
	done
	return 1
}

# Compile the sources read from stdin in parallel.
# $1 = compiler, $2 = flags, $3 = object dir, $4 = label for the log lines.
compile_all() {
	BS_CC=$1 BS_FLAGS=$2 BS_OBJ=$3 BS_LABEL=$4 xargs -P "$JOBS" -n 1 sh -c '
		o=$BS_OBJ/${1%.c}.o
		mkdir -p "${o%/*}"
		printf "  %-7s %s\n" "$BS_LABEL" "$1" >&2
		exec $BS_CC $BS_FLAGS -MMD -MF "${o%.o}.d" -c "$1" -o "$o"' sh
}

# Objects of every source in $O/obj with $CC; writes the list to $O/objs.
# $1 = compiler, $2 = flags, $3 = object dir, $4 = label, $5 = skip (a source).
build_objects() {
	bo_cc=$1 bo_flags=$2 bo_obj=$3 bo_label=$4 bo_skip=${5:-}
	mkdir -p "$bo_obj"
	if [ "$(cat "$bo_obj/.flags" 2>/dev/null)" != "$bo_cc $bo_flags" ]; then
		find "$bo_obj" -name '*.o' -exec rm -f {} +
		printf '%s\n' "$bo_cc $bo_flags" >"$bo_obj/.flags"
	fi
	: >"$bo_obj/.todo"
	: >"$bo_obj/.objs.new"
	for s in $(sources); do
		[ "$s" = "$bo_skip" ] && continue
		o=$bo_obj/${s%.c}.o
		printf '%s\n' "$o" >>"$bo_obj/.objs.new"
		if stale "$o" "${o%.o}.d" "$s"; then
			rm -f "$o"
			printf '%s\n' "$s" >>"$bo_obj/.todo"
		fi
	done
	mv "$bo_obj/.objs.new" "$bo_obj/.objs"
	[ -s "$bo_obj/.todo" ] || return 0
	compile_all "$bo_cc" "$bo_flags" "$bo_obj" "$bo_label" <"$bo_obj/.todo"
}

# Size flags (the 400 KiB budget, docs/BUILD.md). No unwind tables
# (.eh_frame, 40 KB): sandboxd is C without backtraces, cancellation
# cleanups or exceptions, so nothing reads them; the ASan builds
# (clang_flags) keep theirs for their stack traces. -fno-pie: Debian's gcc
# makes position-independent code by default, but the link is -static, an
# ET_EXEC at a fixed address that no loader moves (no ASLR to keep), so the
# code may address its data directly (4 to 9 KB less).
SIZE_CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie"
musl_cflags() {
	printf '%s' "-std=c17 -Os -Wall -Wextra -Werror -D_GNU_SOURCE -ffunction-sections -fdata-sections $SIZE_CFLAGS -isystem $INC -I $O${USER_CFLAGS:+ $USER_CFLAGS}"
}

link_libs() {
	libs=
	if [ -n "$FIRMWARE" ]; then
		# LDFLAGS go here, after the objects: -L and -Wl options apply to
		# the whole link wherever they stand
		config_is SECCOMP && libs=$SECCOMP_LIBS
		printf '%s' "${FW_LDFLAGS:+$FW_LDFLAGS }${libs:+$libs }$INIH_LIBS -lm"
		return 0
	fi
	config_is SECCOMP && libs="$SECCOMP_A"
	printf '%s' "${libs:+$libs }$INIH_A -lm"
}

print_size() {
	bytes=$(wc -c <"$1")
	printf '%s: %s bytes (%s KiB) stripped\n' "$1" "$bytes" \
		"$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1024 }')"
}

# sandboxctl (ctl/) reaches PID 1 only through the socket protocol
# (lib/control_proto.h): no header of the server's init/ (issue #10).
check_layers() {
	if grep -n '#include "\.\./init/' ctl/*.c ctl/*.h >&2; then
		die "ctl/ includes a header of init/ (above): share it through lib/"
	fi
}

# Build $O/sandboxd from $KCONFIG_CONFIG.
do_build() {
	need_deps
	lock 9 "$O/.lock"
	ensure_config
	check_layers
	if [ -n "$FIRMWARE" ]; then
		fw_check_libs INIH_LIBS "$INIH_LIBS"
		config_is SECCOMP && fw_check_libs SECCOMP_LIBS "$SECCOMP_LIBS"
	else
		[ -f "$INIH_A" ] || die "no $INIH_A (libinih-dev for $MULTIARCH)"
		if config_is SECCOMP && [ ! -f "$SECCOMP_A" ]; then
			die "no $SECCOMP_A: run $PROG deps"
		fi
	fi
	build_objects "$CC" "$(musl_cflags)" "$O/obj" CC ||
		die "compiling failed ($O, $KCONFIG_CONFIG)"
	bin=$O/sandboxd
	libs=$(link_libs)
	# -z norelro: the RELRO segment must end on a max-page-size boundary,
	# which on aarch64 (64 KiB) padded the file by about 50 KB. It protects
	# nothing here: PT_GNU_RELRO is applied by the dynamic linker alone
	# (musl 1.2.3 ldso/dynlink.c); a static binary's start-up
	# (src/env/__init_tls.c) reads PT_PHDR, PT_TLS and PT_GNU_STACK only,
	# and the kernel's ELF loader ignores it.
	ldflags="-static -Wl,--gc-sections -Wl,-z,norelro -s"
	relink=
	[ -f "$bin" ] || relink=1
	[ "$(cat "$O/.link" 2>/dev/null)" = "$CC $ldflags $libs $(cat "$O/obj/.objs")" ] || relink=1
	if [ -z "$relink" ]; then
		for f in $(cat "$O/obj/.objs") $libs; do
			case $f in -*) continue ;; esac
			if [ "$f" -nt "$bin" ]; then relink=1; break; fi
		done
	fi
	if [ -n "$relink" ]; then
		msg "  LD      $bin"
		# shellcheck disable=SC2046,SC2086
		$CC $ldflags -o "$bin.tmp" $(cat "$O/obj/.objs") $libs || die "linking $bin failed"
		mv "$bin.tmp" "$bin"
		printf '%s\n' "$CC $ldflags $libs $(cat "$O/obj/.objs")" >"$O/.link"
	fi
	ln -sfn sandboxd "$O/sandboxctl"
	what=$(file -b "$bin")
	case $what in
	*"statically linked"*) ;;
	*) die "$bin is not statically linked: $what" ;;
	esac
	unlock 9
	print_size "$bin"
}

# ---------------------------------------------------------------- tests

RESULTS=
TESTLOG=
# The suite of one target: its builds under $TDIR/{defconfig,allnoconfig},
# its result names prefixed with $TPFX ("" on this machine's own
# architecture, "aarch64:" for --arch aarch64), its unit tests run through
# $UT_RUNNER (qemu-user for another architecture).
TDIR=build
TPFX=
UT_RUNNER=
UT_TIMEOUT=300

# Count one result line (also shown).
result() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >>"$RESULTS"
}

# Run one test program: $1 = name, $2 = prefix for its lines ("" or
# "allno:"), $3 = timeout in seconds, rest = command. Its stdout is shown
# and counted; stderr is only shown.
run_test() {
	rt_name=$1 rt_prefix=$2 rt_timeout=$3
	shift 3
	rt_out=$TESTLOG/out.$$
	rt_rc=$TESTLOG/rc.$$
	rt_first=$(($(wc -l <"$RESULTS") + 1))
	# TAP's "ok NAME # skip why" is a skip, never a pass
	rt_tap='s/^ok ([^ ]+) # [Ss][Kk][Ii][Pp]:? *(.*)$/skip \1: \2/'
	if [ -n "$rt_prefix" ]; then
		{ r=0; timeout -k 10 "$rt_timeout" "$@" 2>&3 </dev/null || r=$?; echo "$r" >"$rt_rc"; } 3>&2 |
			sed -E -e "$rt_tap" -e "s/^ok /ok $rt_prefix/" -e "s/^not ok /not ok $rt_prefix/" \
				-e "s/^skip /skip $rt_prefix/" |
			tee "$rt_out"
	else
		{ r=0; timeout -k 10 "$rt_timeout" "$@" 2>&3 </dev/null || r=$?; echo "$r" >"$rt_rc"; } 3>&2 |
			sed -E -e "$rt_tap" | tee "$rt_out"
	fi
	grep -E '^((not )?ok|skip) ' "$rt_out" >>"$RESULTS" || true
	rc=$(cat "$rt_rc")
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		result "not ok $rt_prefix$rt_name: timed out after ${rt_timeout}s"
	elif [ "$rc" != 0 ] && ! grep -q '^not ok ' "$rt_out"; then
		result "not ok $rt_prefix$rt_name: exited $rc"
	elif ! grep -qE '^((not )?ok|skip) ' "$rt_out"; then
		# e.g. a test guarded whole by `#if CONFIG_X` in allnoconfig
		printf '%s\n' "$rt_prefix$rt_name" >>"$TESTLOG/silent"
		msg "# $rt_prefix$rt_name: exited 0 without a test line (not counted)"
	fi
	# this program's closing line, from the lines counted for it
	tail -n +"$rt_first" "$RESULTS" | awk -v n="$rt_prefix$rt_name" '
		/^ok / { p++ } /^not ok / { f++ } /^skip / { s++ }
		END { printf "# %s: %d passed, %d failed, %d skipped\n", n, p, f, s }'
	rm -f "$rt_out" "$rt_rc"
}

# Build one config into a folder for the suite, counted as a test.
# $1 = folder, $2 = kconfig target (alldefconfig/allnoconfig) or "" for ./.config
test_build() {
	tb_name=build:$(basename "$1")
	[ "$1" = build ] && tb_name=build
	tb_name=$TPFX$tb_name
	if (
		O=$1
		if [ -n "$2" ]; then
			KCONFIG_CONFIG=$1/.config
			export KCONFIG_CONFIG
			kconf "--$2"
		fi
		do_build
	); then
		result "ok $tb_name"
		return 0
	fi
	result "not ok $tb_name: see the compiler output above"
	return 1
}

# $1 = archive of the objects listed in file $2, remade only when they
# changed (so that the tests linked against it stay up to date).
make_archive() {
	if [ -f "$1" ] && cmp -s "$2" "$1.list"; then
		ma_new=
		for f in $(cat "$2"); do
			if [ "$f" -nt "$1" ]; then ma_new=1; break; fi
		done
		[ -z "$ma_new" ] && return 0
	fi
	rm -f "$1"
	# shellcheck disable=SC2046
	ar rcs "$1" $(cat "$2") || return 1
	cp "$2" "$1.list"
}

# The unit tests of one musl build. $1 = build folder, $2 = prefix.
unit_tests_musl() {
	ut_o=$1 ut_prefix=$2
	ut_dir=$ut_o/tests
	mkdir -p "$ut_dir"
	ut_lib=$ut_dir/libsandboxd.a
	# every object but main's, as an archive: a test pulls what it needs
	grep -v '/init/main\.o$' "$ut_o/obj/.objs" >"$ut_dir/objs" || true
	make_archive "$ut_lib" "$ut_dir/objs"
	ut_libs=$(KCONFIG_CONFIG=$ut_o/.config link_libs)
	ut_flags="$(O=$ut_o musl_cflags) -I . -I tests/unit"
	for t in tests/unit/test_*.c; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .c)
		b=$ut_dir/$n
		if stale "$b" "$b.d" "$ut_lib" || [ "$(cat "$b.cmd" 2>/dev/null)" != "$ut_flags $ut_libs" ]; then
			# shellcheck disable=SC2086
			if ! $CC $ut_flags -MMD -MF "$b.d" -static -o "$b" "$t" "$ut_lib" $ut_libs; then
				rm -f "$b"
				result "not ok $ut_prefix$n: does not build"
				continue
			fi
			printf '%s\n' "$ut_flags $ut_libs" >"$b.cmd"
		fi
		# shellcheck disable=SC2086
		run_test "$n" "$ut_prefix" "$UT_TIMEOUT" $UT_RUNNER "$b"
	done
}

CLANG_SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
clang_flags() {
	# No build/include: glibc has its own UAPI headers, seccomp.h and ini.h.
	printf '%s' "-std=c17 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE -I build/defconfig $1"
}

# Sanitizer objects of every source but main.c into $1 (archive $1/lib.a).
# $2 = extra flags.
clang_archive() {
	ca_dir=$1
	build_objects clang "$(clang_flags "$2")" "$ca_dir/obj" CLANG init/main.c ||
		return 1
	make_archive "$ca_dir/lib.a" "$ca_dir/obj/.objs"
}

unit_tests_asan() {
	if ! clang_archive build/asan "$CLANG_SAN"; then
		result "not ok asan:build: the sources do not compile with clang (see above)"
		return 0
	fi
	at_flags="$(clang_flags "$CLANG_SAN") -I . -I tests/unit"
	at_libs="-lseccomp -linih -lm"
	for t in tests/unit/test_*.c; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .c)
		b=build/asan/tests/$n
		mkdir -p build/asan/tests
		if stale "$b" "$b.d" build/asan/lib.a || [ "$(cat "$b.cmd" 2>/dev/null)" != "$at_flags" ]; then
			# shellcheck disable=SC2086
			if ! clang $at_flags -MMD -MF "$b.d" -o "$b" "$t" build/asan/lib.a $at_libs; then
				rm -f "$b"
				result "not ok asan:$n: does not build"
				continue
			fi
			printf '%s\n' "$at_flags" >"$b.cmd"
		fi
		run_test "$n" "asan:" 600 env \
			ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
			UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" "$b"
	done
}

# The host tests that drive the supervisor hardest (marked "# ASan tier"
# in their header) once more, with sandboxd built by clang with ASan and
# UBSan: a use-after-free in PID 1's event loop crashed the musl build
# only now and then, and the sanitizer catches it every time. Every
# report the sanitizers write (log_path, per process) fails the script's
# check "asan-host:NAME", with the report's summary line. Needs the
# archive unit_tests_asan made.
host_tests_asan() {
	ha_bin=build/asan/sandboxd
	ha_logs=$TESTLOG/asan-host
	# shellcheck disable=SC2046
	if [ ! -f build/asan/lib.a ] ||
		! clang $(clang_flags "$CLANG_SAN") -o "$ha_bin" init/main.c build/asan/lib.a \
			-lseccomp -linih -lm; then
		result "not ok asan-host:build: sandboxd does not link with ASan (see above)"
		return 0
	fi
	ln -sf sandboxd build/asan/sandboxctl
	mkdir -p "$ha_logs"
	for s in $(grep -l '^# ASan tier' tests/host/*.sh); do
		n=$(basename "$s" .sh)
		run_test "$n" "asan-host:" 900 env \
			SANDBOXD="$TOP/$ha_bin" SANDBOXCTL="$TOP/build/asan/sandboxctl" \
			SANDBOXD_ALLNO="$TOP/$TDIR/allnoconfig/sandboxd" \
			ASAN_OPTIONS="detect_leaks=0:log_path=$TOP/$ha_logs/$n" \
			UBSAN_OPTIONS="print_stacktrace=1:log_path=$TOP/$ha_logs/$n" \
			TOP="$TOP" bash "$s"
		if ls "$ha_logs/$n".* >/dev/null 2>&1; then
			ha_rep=$(cat "$ha_logs/$n".* | grep -m 1 -E '^SUMMARY|runtime error' || true)
			result "not ok asan-host:$n:no-sanitizer-report: ${ha_rep:-a report} (all of it in $ha_logs/$n.*)"
		else
			result "ok asan-host:$n:no-sanitizer-report"
		fi
	done
}

FUZZ_BIN=build/fuzz/fuzz_unit
build_fuzzer() {
	clang_archive build/fuzz "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" ||
		return 1
	bf_flags="$(clang_flags "-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all") -I ."
	if stale "$FUZZ_BIN" "$FUZZ_BIN.d" build/fuzz/lib.a; then
		msg "  FUZZ    $FUZZ_BIN"
		# shellcheck disable=SC2086
		clang $bf_flags -MMD -MF "$FUZZ_BIN.d" -o "$FUZZ_BIN" tests/fuzz/fuzz_unit.c \
			build/fuzz/lib.a -lseccomp -linih -lm || { rm -f "$FUZZ_BIN"; return 1; }
	fi
}

# Fuzz for $1 seconds over a scratch copy of the seed corpus (libFuzzer
# adds what it finds to its first folder: never the repository's). The
# log goes to $2. Returns 0 when nothing was found.
run_fuzzer() {
	rm -rf build/fuzz/corpus build/fuzz/artifacts
	mkdir -p build/fuzz/corpus build/fuzz/artifacts
	cp tests/fuzz/corpus/* build/fuzz/corpus/ 2>/dev/null || true
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	timeout -k 10 $(($1 + 120)) "$FUZZ_BIN" -max_total_time="$1" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/artifacts/ build/fuzz/corpus >"$2" 2>&1
}

fuzz_reproduce_hint() {
	for a in build/fuzz/artifacts/*; do
		[ -f "$a" ] || continue
		msg "  reproduce: $FUZZ_BIN $a"
		msg "  (keep it: cp $a tests/fuzz/corpus/ once fixed)"
	done
}

fuzz_smoke() {
	if ! build_fuzzer; then
		result "not ok fuzz-unit: the fuzzer does not build (see above)"
		return 0
	fi
	fs_log=build/fuzz/smoke.log
	if run_fuzzer 20 "$fs_log"; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$fs_log" | tail -n 1)
		result "ok fuzz-unit"
		msg "  fuzz-unit: ${runs:-?} runs in 20 s, corpus $(ls build/fuzz/corpus | wc -l) files"
	else
		tail -n 60 "$fs_log" >&2
		fuzz_reproduce_hint
		result "not ok fuzz-unit: libFuzzer found a problem (log: $fs_log)"
	fi
}

# Host shell tests and the QEMU tier share this environment.
run_script() {
	run_test "$1" "$TPFX" "$2" env \
		SANDBOXD="$TOP/$TDIR/defconfig/sandboxd" \
		SANDBOXCTL="$TOP/$TDIR/defconfig/sandboxctl" \
		SANDBOXD_ALLNO="$TOP/$TDIR/allnoconfig/sandboxd" \
		TOP="$TOP" bash "$1"
}

section() { printf '\n=== %s\n' "$*"; }

cmd_test() {
	ct_only=
	case ${1:-} in
	'') ;;
	--daemons) ct_only=daemons ;;
	--unit) ct_only=unit ;;
	*)
		msg "$PROG: test: unknown option '$1' (try $PROG --help)"
		exit 2
		;;
	esac
	if [ -n "$CROSS" ]; then
		[ "$ct_only" = daemons ] &&
			die "test --daemons: x86_64 only (its rootfs is Debian's amd64 packages)"
		cmd_test_arch "$ct_only"
		return
	fi
	need_deps
	lock 7 build/.test.lock
	TESTLOG=build/testlog
	rm -rf "$TESTLOG"
	mkdir -p "$TESTLOG"
	RESULTS=$TESTLOG/results
	: >"$RESULTS"

	# --daemons: only the Debian daemons tier (tests/daemons/run.sh), kept
	# out of the default suite's time.
	if [ "$ct_only" = daemons ]; then
		section "build (defconfig)"
		test_build build/defconfig alldefconfig &&
			section "QEMU daemons tier (Debian's nginx, redis-server, mosquitto)" &&
			run_script tests/daemons/run.sh 1200
		test_summary
		return
	fi

	section "build ($KCONFIG_CONFIG), defconfig, allnoconfig"
	test_build build "" || true
	def_ok=1 allno_ok=1
	test_build build/defconfig alldefconfig || def_ok=
	test_build build/allnoconfig allnoconfig || allno_ok=

	section "unit tests (musl, defconfig)"
	[ -n "$def_ok" ] && unit_tests_musl build/defconfig ""
	section "unit tests (musl, allnoconfig)"
	[ -n "$allno_ok" ] && unit_tests_musl build/allnoconfig "allno:"
	if [ "$ct_only" = unit ]; then
		test_summary
		return
	fi
	section "unit tests (clang, ASan+UBSan, glibc, defconfig)"
	[ -n "$def_ok" ] && unit_tests_asan
	section "fuzz smoke (20 s)"
	[ -n "$def_ok" ] && fuzz_smoke
	section "host tests"
	if [ -n "$def_ok" ] && [ -n "$allno_ok" ]; then
		for s in tests/host/*.sh; do
			[ -f "$s" ] && run_script "$s" 900
		done
		section "host tests, sandboxd with ASan+UBSan (glibc)"
		host_tests_asan
	fi
	if [ -f tests/qemu/tier.sh ]; then
		section "QEMU tier"
		[ -n "$def_ok" ] && [ -n "$allno_ok" ] && run_script tests/qemu/tier.sh 3000
	fi
	if [ -f tests/qemu/pid1.sh ]; then
		section "QEMU PID-1 tier"
		[ -n "$def_ok" ] && run_script tests/qemu/pid1.sh 600
	fi

	test_summary
}

# lap NAME: the seconds since the last lap, for the closing figures.
lap() {
	lap_now=$(date +%s)
	LAPS="$LAPS${LAPS:+, }$1 $((lap_now - LAP_T)) s"
	LAP_T=$lap_now
}

# ./build.sh test --arch aarch64|armhf: that target's defconfig and
# allnoconfig builds in $O/ and their unit tests under qemu-user, then its
# QEMU tiers (aarch64: the cgroup and PID-1 tiers; armhf: one demo boot).
# The host tiers, ASan+UBSan and the fuzzer are x86_64 only: they test the
# same C code, and need the host's own kernel and clang's runtime.
# $1 = "unit": stop after the unit tests.
cmd_test_arch() {
	case $TARGET in
	aarch64) cta_qemu=qemu-aarch64-static ;;
	armhf) cta_qemu=qemu-arm-static ;;
	*) die "test --arch $TARGET: no qemu-user for it" ;;
	esac
	need_deps
	command -v "$cta_qemu" >/dev/null ||
		die "test --arch $TARGET: no $cta_qemu (apt-get install qemu-user-static)"
	TDIR=$O
	TPFX=$TARGET:
	# SBX_QEMU_USER=1 tells a unit test that it runs under qemu-user (never
	# set on a real kernel): only then may it skip what the emulator refuses
	# (tests/unit/qemu_user.h). The emulator is slower than the machine.
	UT_RUNNER="env SBX_QEMU_USER=1 $cta_qemu"
	UT_TIMEOUT=900
	# the same lock as the x86-64 suite: the QEMU tiers of every
	# architecture work in build/qemu and build/pid1
	lock 7 build/.test.lock
	TESTLOG=$TDIR/testlog
	rm -rf "$TESTLOG"
	mkdir -p "$TESTLOG"
	RESULTS=$TESTLOG/results
	: >"$RESULTS"
	LAPS=
	LAP_T=$(date +%s)

	section "build ($TARGET): defconfig, allnoconfig in $TDIR/"
	def_ok=1 allno_ok=1
	test_build "$TDIR/defconfig" alldefconfig || def_ok=
	test_build "$TDIR/allnoconfig" allnoconfig || allno_ok=
	lap builds
	section "unit tests ($TARGET, musl, defconfig, under $cta_qemu)"
	[ -n "$def_ok" ] && unit_tests_musl "$TDIR/defconfig" "$TPFX"
	section "unit tests ($TARGET, musl, allnoconfig, under $cta_qemu)"
	[ -n "$allno_ok" ] && unit_tests_musl "$TDIR/allnoconfig" "${TPFX}allno:"
	lap "unit tests"
	printf '# the host tests, ASan+UBSan and the fuzzer run on x86_64 only (./build.sh test)\n'
	if [ "$1" != unit ]; then
		case $TARGET in
		aarch64)
			section "QEMU tier ($TARGET, qemu-system-aarch64, TCG)"
			[ -n "$def_ok" ] && [ -n "$allno_ok" ] && run_script tests/qemu/tier.sh 5400
			lap "QEMU tier"
			section "QEMU PID-1 tier ($TARGET, qemu-system-aarch64, TCG)"
			[ -n "$def_ok" ] && run_script tests/qemu/pid1.sh 1800
			lap "PID-1 tier"
			;;
		armhf)
			section "demo boot ($TARGET, qemu-system-arm, TCG)"
			[ -n "$def_ok" ] && run_script tests/qemu/demo-boot.sh 1800
			lap "demo boot"
			;;
		esac
	fi
	printf '\n# %s wall time: %s\n' "$TARGET" "$LAPS"
	test_summary
}

test_summary() {
	section "summary"
	ts_bins="$TDIR/defconfig/sandboxd $TDIR/allnoconfig/sandboxd"
	# build/sandboxd is the suite's own build of ./.config (not so with --arch)
	[ -z "$CROSS" ] && ts_bins="build/sandboxd $ts_bins"
	for b in $ts_bins; do
		[ -f "$b" ] && print_size "$b"
	done
	passed=$(grep -c '^ok ' "$RESULTS" || true)
	failed=$(grep -c '^not ok ' "$RESULTS" || true)
	# checks this machine cannot make (no IA32 emulation, no user
	# namespaces): `skip NAME: why`, neither passed nor failed
	skipped=$(grep -c '^skip ' "$RESULTS" || true)
	if [ "$skipped" -gt 0 ]; then
		printf '\nskipped:\n'
		grep '^skip ' "$RESULTS"
	fi
	if [ "$failed" -gt 0 ]; then
		printf '\nfailures:\n'
		grep '^not ok ' "$RESULTS"
	fi
	if [ -s "$TESTLOG/silent" ]; then
		printf '\nran but printed no test line (not counted):\n'
		cat "$TESTLOG/silent"
	fi
	printf '\n%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
	unlock 7
	[ "$failed" -eq 0 ]
}

cmd_fuzz() {
	secs=${1:-60}
	case $secs in '' | *[!0-9]*) die "fuzz: SECONDS must be a number" ;; esac
	need_deps
	lock 7 build/.test.lock
	(O=build/defconfig KCONFIG_CONFIG=build/defconfig/.config &&
		export KCONFIG_CONFIG && kconf --alldefconfig && do_build) >/dev/null ||
		die "fuzz: the defconfig build failed"
	build_fuzzer || die "fuzz: the fuzzer does not build"
	msg "fuzz: $secs s over a copy of tests/fuzz/corpus in build/fuzz/corpus"
	if run_fuzzer "$secs" build/fuzz/fuzz.log; then
		grep -E '^(Done|stat::)' build/fuzz/fuzz.log || true
		msg "fuzz: nothing found; corpus now $(ls build/fuzz/corpus | wc -l) files"
		msg "  to keep new seeds: $FUZZ_BIN -merge=1 tests/fuzz/corpus build/fuzz/corpus"
		return 0
	fi
	tail -n 60 build/fuzz/fuzz.log >&2
	fuzz_reproduce_hint
	die "fuzz: libFuzzer found a problem (full log: build/fuzz/fuzz.log)"
}

# ---------------------------------------------------------------- misc

cmd_clean() {
	[ -d build ] || return 0
	find build -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +
}

cmd_distclean() {
	rm -rf build "$KCONFIG_CONFIG" "$KCONFIG_CONFIG.old"
}

exec_tool() {
	tool=$1
	shift
	do_build
	# the tools take the binary of this --arch (build/sandboxd on x86-64)
	SANDBOXD=${SANDBOXD:-$TOP/$O/sandboxd}
	export SANDBOXD
	[ -f "$tool" ] || die "$tool does not exist yet"
	if [ -x "$tool" ]; then exec "$tool" "$@"; fi
	exec sh "$tool" "$@"
}

usage() {
	cat <<EOF
usage: $PROG [--arch NAME] [COMMAND] [ARGS]

  build         (the default) build $O/sandboxd and its sandboxctl link from
                $KCONFIG_CONFIG (defconfig if absent); installs deps if needed
  deps          install the Debian packages and build libseccomp for musl
                into build/cache (quick when everything is there)
  defconfig     write $KCONFIG_CONFIG with every symbol at its default
  allnoconfig   write $KCONFIG_CONFIG with every feature off
  menuconfig    edit $KCONFIG_CONFIG in a terminal menu
  oldconfig     update $KCONFIG_CONFIG, asking about new symbols
  test          build defconfig and allnoconfig and run every test tier;
                ends with "N passed, N failed, N skipped"
  test --daemons  build defconfig and run only the Debian daemons tier
                (nginx, redis-server, mosquitto in QEMU, tests/daemons/run.sh)
  test --unit   only the builds and the musl unit tests
  test --arch aarch64|armhf  that architecture's builds in build/ARCH/, its
                unit tests under qemu-user, then its QEMU tiers (aarch64:
                cgroup and PID-1; armhf: a demo boot); names prefixed ARCH:
  fuzz [SECS]   fuzz the unit parser (default 60 s)
  image ARGS    build, then tests/qemu/mkimage.sh ARGS: an initramfs that
                keeps the owners, modes and hard links of each --add tree
                (./build.sh image --help)
  qemu ARGS     build, then tests/qemu/boot.sh ARGS
  bench ARGS    build, then bench/start-latency ARGS
  bench boot [--units N,...] [--boots K]
                build, then boot the same services under busybox init, the
                unshare floor, finit and sandboxd in QEMU (bench/boot/run.sh)
  demo [--script FILE]  build, then boot the demo appliance in QEMU (serial
                console); --script runs FILE in it and powers off; with
                --arch aarch64|armhf on Debian's arm64|armmp kernel (-M virt)
  clean         remove build/ except build/cache
  distclean     remove build/ and $KCONFIG_CONFIG
  help          this text

--arch NAME (with any command): build for x86_64 (the default here),
aarch64 or armhf, with Debian's cross gcc and musl for that architecture,
into build/NAME/ with its own build/NAME/.config; image, qemu, demo and
test then use that binary and architecture (Debian's kernel and static
busybox of it, downloaded once into build/cache). The packages are installed
the first time (dpkg --add-architecture included).

environment: CC, CFLAGS (appended), O (output folder, default build),
KCONFIG_CONFIG (default .config). See docs/BUILD.md.
SBX_FIRMWARE=1 (buildroot, Yocto): CC, CFLAGS and LDFLAGS are the
firmware's, SECCOMP_LIBS (-lseccomp) and INIH_LIBS (-linih) static ones
of its sysroot; nothing is installed; a complete .config needs no
kconfig-conf. See docs/FIRMWARE.md.
EOF
}

cmd=${1:-build}
[ $# -gt 0 ] && shift
case $cmd in
build) do_build ;;
deps) cmd_deps ;;
defconfig | allnoconfig | menuconfig | oldconfig) cmd_kconfig "$cmd" ;;
test) cmd_test "$@" ;;
fuzz) cmd_fuzz "$@" ;;
image) exec_tool tests/qemu/mkimage.sh "$@" ;;
qemu) exec_tool tests/qemu/boot.sh "$@" ;;
bench)
	# Both benchmarks run on this machine (start latency runs the binary
	# here, the boot benchmark boots x86-64 QEMU): no cross target.
	[ -z "$CROSS" ] || die "bench: x86-64 only here; --arch $TARGET builds run on an ARM board or under ./build.sh qemu --arch $TARGET"
	# `bench boot ...` is the boot benchmark; anything else, start latency.
	if [ "${1:-}" = boot ]; then
		shift
		exec_tool bench/boot/run.sh "$@"
	fi
	exec_tool bench/start-latency "$@" ;;
demo) exec_tool demo/demo.sh "$@" ;;
clean) cmd_clean ;;
distclean) cmd_distclean ;;
help | -h | --help) usage ;;
*)
	msg "$PROG: unknown command '$cmd' (try $PROG --help)"
	exit 2
	;;
esac
