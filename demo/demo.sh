#!/bin/bash
# demo.sh - build the demo appliance and boot it in QEMU (sandboxd as PID 1).
#
# usage: demo/demo.sh [--arch ARCH] [--script FILE] [--timeout S] [--mem MB]
#                     [--append ARGS] [--units-extra DIR] [--add SRC:DST]
#                     [--image-only]
#
#   --arch ARCH     x86_64 (default, or $SBX_ARCH, as ./build.sh --arch sets it),
#                   aarch64 or armhf: the binaries, busybox, kernel and QEMU of
#                   that architecture (tests/qemu/boot.sh --help)
#   (no option)     interactive: the guest's serial console on this terminal, a
#                   root shell on it (console.unit); `sandboxctl poweroff` (or
#                   `poweroff`) ends it, as does Ctrl-a x (QEMU's escape)
#   --script FILE   copy FILE into the image, run it with sh in the guest once
#                   web, tick, memhog and net are up (script.unit, output on the
#                   console), then power off; no console shell
#   --timeout S     kill QEMU after S seconds (default 3600, with --script 600)
#   --mem MB        guest memory (default 256)
#   --append ARGS   more kernel command line, e.g. sandboxd.debug
#   --units-extra DIR  also put DIR's files in /etc/sandboxd (the PID-1 test
#                   tier adds its test units this way)
#   --add SRC:DST   also put SRC (a file or folder) at DST in the image
#                   (repeatable; the PID-1 tier adds its attack scripts)
#   --image-only    build the image, print its path, do not boot
#
# The image (build/demo/demo.cpio.gz, build/ARCH/demo/ for another ARCH, or in
# $DEMO_WORK): build/sandboxd (build/ARCH/sandboxd; or $SANDBOXD, used as it
# is) as /sbin/init, Debian's static busybox for ARCH (or $BUSYBOX),
# demo/units in /etc/sandboxd, the web rootfs (busybox httpd, demo/web) in
# /srv/web, the probe (tests/probe) as /bin/probe, demo/rootfs over "/".
# Exit status: QEMU's, through tests/qemu/boot.sh: 0 when the guest powered
# off, 1 on a kernel panic, 124 on timeout; 2 on bad usage.
# Software emulation only (TCG): never -enable-kvm here.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
prog=demo.sh

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "$prog: $*" >&2; echo "$prog: try --help" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

script=
timeout=
mem=256
append=(--append loglevel=3)
image_only=
units_extra=
extra_adds=()
arch=${SBX_ARCH:-x86_64}
need_arg() { [ "$2" -ge 2 ] || die_usage "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
	--script) need_arg "$1" $#; script=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout=$2; shift 2 ;;
	--mem) need_arg "$1" $#; mem=$2; shift 2 ;;
	--append) need_arg "$1" $#; append+=(--append "$2"); shift 2 ;;
	--units-extra) need_arg "$1" $#; units_extra=$2; shift 2 ;;
	--add) need_arg "$1" $#; extra_adds+=(--add "$2"); shift 2 ;;
	--image-only) image_only=1; shift ;;
	--arch) need_arg "$1" $#; arch=$2; shift 2 ;;
	--*=*) k=${1%%=*}; v=${1#*=}; shift; set -- "$k" "$v" "$@" ;;
	-h|--help) usage; exit 0 ;;
	*) die_usage "unknown argument: $1" ;;
	esac
done
[ -z "$script" ] || [ -f "$script" ] || die_usage "--script $script: no such file"
[ -z "$units_extra" ] || [ -d "$units_extra" ] || die_usage "--units-extra $units_extra: not a folder"
timeout=${timeout:-$([ -n "$script" ] && echo 600 || echo 3600)}
for n in "$timeout" "$mem"; do
	case $n in ''|*[!0-9]*|0) die_usage "not a positive number: $n" ;; esac
done
case $arch in
x86_64|amd64) arch=x86_64 ;;
aarch64|arm64) arch=aarch64 ;;
armhf|arm) arch=armhf ;;
*) die_usage "--arch $arch: unknown (x86_64, aarch64 or armhf)" ;;
esac
# mkimage.sh, probe.sh, busybox.sh and boot.sh take the architecture from here.
export SBX_ARCH=$arch

here=$PWD
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$here" "$1" ;; esac; }
[ -z "$script" ] || script=$(abs "$script")
[ -z "$units_extra" ] || units_extra=$(abs "$units_extra")

cd "$TOP"
if [ "$arch" = x86_64 ]; then work=${DEMO_WORK:-build/demo}; else work=${DEMO_WORK:-build/$arch/demo}; fi
# With $SANDBOXD given (the test tiers, ./build.sh demo), that binary goes in
# as it is and nothing is rebuilt; otherwise ./build.sh builds it first.
if [ -n "${SANDBOXD:-}" ]; then
	image_cmd=(tests/qemu/mkimage.sh)
	qemu_cmd=(tests/qemu/boot.sh)
else
	image_cmd=(./build.sh --arch "$arch" image)
	qemu_cmd=(./build.sh --arch "$arch" qemu)
fi
rm -rf "$work/units" "$work/web"
mkdir -p "$work/units" "$work/web"

busybox=${BUSYBOX:-$(tests/qemu/busybox.sh)} || die "no busybox for $arch"
[ -f "$busybox" ] || die "busybox $busybox does not exist (apt-get install busybox-static)"
probe=$(tests/qemu/probe.sh) || die "building the probe failed"

# The units: demo/units, less the console shell when a script drives the demo.
cp demo/units/*.unit "$work/units/"
[ -z "$units_extra" ] || cp -a "$units_extra"/. "$work/units/"
if [ -n "$script" ]; then
	rm -f "$work/units/console.unit"
	# The script runs as an unsandboxed root oneshot (like the console shell:
	# it must see every process and the control socket), prints on the
	# console, and powers the appliance off whatever it returns.
	cat > "$work/units/script.unit" <<'EOF'
[Unit]
Description=The script of demo.sh --script
After=net web tick memhog

[Service]
Type=oneshot
ExecStart=/bin/sh -c '/bin/sh /usr/libexec/demo-script; echo "demo: script exited $?"; /bin/sandboxctl poweroff || exec /bin/poweroff'
StandardOutput=console
StandardError=console
Restart=no

[Sandbox]
Namespaces=~pid ~net ~ipc ~uts ~mount ~cgroup
Capabilities=CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP
NoNewPrivileges=no
# the admin's door: it may stop, reload and power off the appliance
ControlAccess=yes
SeccompProfile=none
MaskedPaths=
ReadOnlyPaths=
EOF
fi

# The web rootfs: busybox for httpd, the page, passwd and group for uid
# 65534, and the mount points the launcher mounts over in a read-only root.
cp -a demo/web/. "$work/web/"
mkdir -p "$work/web/bin" "$work/web/proc" "$work/web/dev" "$work/web/sys" "$work/web/tmp"
install -m 755 "$busybox" "$work/web/bin/busybox"
for app in httpd sh; do
	ln -sf busybox "$work/web/bin/$app"
done

image=$work/demo.cpio.gz
args=(-o "$image" --busybox "$busybox" --units "$work/units"
	--add "demo/rootfs/etc:/etc" --add "demo/rootfs/usr:/usr"
	--add "$work/web:/srv/web" --add "$probe:/bin/probe")
[ -z "$script" ] || args+=(--add "$script:/usr/libexec/demo-script")
args+=(${extra_adds[@]+"${extra_adds[@]}"})
"${image_cmd[@]}" "${args[@]}" || die "building the image failed"
if [ -n "$image_only" ]; then
	echo "$image"
	exit 0
fi

if [ -n "$script" ]; then
	"${qemu_cmd[@]}" "$image" --timeout "$timeout" --mem "$mem" ${append[@]+"${append[@]}"} < /dev/null
else
	echo "$prog: booting $image (QEMU $arch, software emulation: allow about 10 s)" >&2
	echo "$prog: in the guest: sandboxctl status ...; sandboxctl poweroff to leave (or Ctrl-a x)" >&2
	"${qemu_cmd[@]}" "$image" --console --timeout "$timeout" --mem "$mem" ${append[@]+"${append[@]}"}
fi
