#!/bin/bash
# Review of issue #11's `sandboxctl check --root DIR`: the image's unit
# folder (DIR/etc/sandboxd by default, CONFIG_UNIT_DIR) and its unit files are read
# inside DIR, as every other path of the check:
#  - checkroot-units-symlink-dir: the image's /etc/sandboxd is an
#    absolute symlink to a folder that exists on the build host: the
#    host's units must not be read (the image's own folder it names is);
#  - checkroot-unit-file-symlink: a unit file of the image that is an
#    absolute symlink is read from the image, not from the build host.
#
# Env: SANDBOXCTL = sandboxctl to test, TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok review11-checkroot-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
work=$(mktemp -d /var/tmp/sbx-r11cr.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
img=$work/img
host=$work/host
mkdir -p "$img/etc" "$img/bin" "$img/other-units" "$host/units"
cp /bin/busybox "$img/bin/busybox"
ln -s busybox "$img/bin/sh"
printf 'root:x:0:0::/:/bin/sh\n' >"$img/etc/passwd"
printf 'root:x:0:\n' >"$img/etc/group"
# on the build host: a unit whose name says where it was read
printf '[Service]\nExecStart=/bin/sh\nUser=host-only-user\n' >"$host/units/buildhost.unit"
printf '[Service]\nExecStart=/bin/sh\nUser=host-file-user\n' >"$host/file.unit"
# in the image, at the same absolute paths: good units
mkdir -p "$img$host/units"
printf '[Service]\nExecStart=/bin/sh\n' >"$img$host/units/image.unit"
printf '[Service]\nExecStart=/bin/sh\n' >"$img$host/file.unit"

# 1. the unit folder an absolute symlink
ln -s "$host/units" "$img/etc/sandboxd"
out=$("$SANDBOXCTL" check --root "$img" 2>&1)
if printf '%s' "$out" | grep -q 'buildhost\|host-only-user'; then
	nok checkroot-units-symlink-dir "read the build host's units: $(oneline "$out")"
else
	ok checkroot-units-symlink-dir
fi

# 2. a unit file an absolute symlink
rm "$img/etc/sandboxd"
mkdir "$img/etc/sandboxd"
ln -s "$host/file.unit" "$img/etc/sandboxd/f.unit"
out=$("$SANDBOXCTL" check --root "$img" 2>&1)
if printf '%s' "$out" | grep -q 'host-file-user'; then
	nok checkroot-unit-file-symlink "read the build host's file: $(oneline "$out")"
else
	ok checkroot-unit-file-symlink
fi
