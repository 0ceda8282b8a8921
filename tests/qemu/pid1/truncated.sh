#!/bin/bash
# truncated.sh - run by pid1.sh after its boot: a second, short boot of an
# image whose tail is cut off (a gzip'd cpio appended and truncated in the
# middle of its member, as a full disk or an interrupted copy leaves it).
# The kernel unpacks what it can and says "Initramfs unpacking failed" in
# its log; PID 1 must say so on the console before it starts a unit, and
# still start the units whose files are there.
#
# usage: truncated.sh [CONSOLE]   CONSOLE: pid1.sh's own console log (CR-free)
#        of a good image, which must not have the warning
# env:   SANDBOXD, TOP; prints ok/not ok/skip lines and writes
#        build/pid1/truncated.log (the console)
set -uo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../../.." && pwd)}
here=$TOP/tests/qemu
sandboxd=${SANDBOXD:-$TOP/build/sandboxd}
work=$TOP/build/pid1/truncated
good_console=${1:-}
warning='^sandboxd: the kernel could not unpack the whole initramfs (kernel: "Initramfs unpacking failed'

rm -rf "$work"
mkdir -p "$work/units" "$work/extra/opt/late"
log=$TOP/build/pid1/truncated.log
: > "$log"

# One unit that powers the appliance off once up (as the demo's script
# unit: the control socket, PID 1's namespaces).
cat > "$work/units/bye.unit" <<'EOF'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "bye: up; kept: $(stat -c "%u %g %a %h %i" /opt/kept/su) $(stat -c "%h %i" /opt/kept/su2)"; /bin/sandboxctl poweroff'
StandardOutput=console
Restart=no
[Sandbox]
Namespaces=~pid ~net ~ipc ~uts ~mount ~cgroup
Capabilities=CAP_SYS_BOOT CAP_KILL
NoNewPrivileges=no
ControlAccess=yes
SeccompProfile=none
MaskedPaths=
ReadOnlyPaths=
EOF

# What the image keeps must survive PID 1's move to a tmpfs root too: an
# owner, the setuid bit, a hard link (boot.c copies the tree).
mkdir -p "$work/kept"
printf 'su\n' > "$work/kept/su"
chown 101:102 "$work/kept/su" && chmod 4755 "$work/kept/su" && ln "$work/kept/su" "$work/kept/su2"
if ! "$here/mkimage.sh" -o "$work/image.cpio.gz" --sandboxd "$sandboxd" --units "$work/units" \
	--add "$work/kept:/opt/kept" > "$work/mkimage.err" 2>&1; then
	echo "not ok pid1-initramfs-truncated: building the image failed: $(tr '\n' ' ' < "$work/mkimage.err")"
	exit 1
fi
# The cut-off part: a second archive (the kernel reads concatenated ones)
# whose only member is incompressible, cut in its middle.
head -c 262144 /dev/urandom > "$work/extra/opt/late/prog"
(cd "$work/extra" && find opt | cpio --quiet -o -H newc) | gzip -1 -n > "$work/extra.cpio.gz"
size=$(stat -c %s "$work/extra.cpio.gz")
head -c $((size / 2)) "$work/extra.cpio.gz" >> "$work/image.cpio.gz"

"$here/boot.sh" "$work/image.cpio.gz" --timeout 180 --mem 256 < /dev/null 2>&1 |
	tr -d '\r' > "$log"
rc=${PIPESTATUS[0]}

kernel_said=$(grep -m1 'Initramfs unpacking failed' "$log")
if [ -z "$kernel_said" ]; then
	# the fixture did not do what it must: a failure of the test, not a pass
	echo "not ok pid1-initramfs-truncated: the kernel did not report a failed unpack (exit $rc; console: $log)"
	exit 1
fi
w=$(grep -n -m1 "$warning" "$log" | cut -d: -f1)
started=$(grep -n -m1 '^sandboxd: starting the units' "$log" | cut -d: -f1)
if [ -n "$w" ] && [ -n "$started" ] && [ "$w" -lt "$started" ]; then
	echo "ok pid1-initramfs-truncated"
else
	echo "not ok pid1-initramfs-truncated: no warning before the units start (warning at line ${w:-none}, units at ${started:-none}; console: $log)"
fi
# what was there still runs: bye.unit powered the appliance off
if [ "$rc" = 0 ] && grep -q 'bye: up' "$log" && grep -q 'reboot: Power down' "$log"; then
	echo "ok pid1-initramfs-truncated-boots"
else
	echo "not ok pid1-initramfs-truncated-boots: exit $rc, no clean poweroff by bye.unit (console: $log)"
fi
# "101 102 4755 2 INODE 2 INODE": owner, mode, two names of one inode
kept=$(sed -n 's/^\[bye\] bye: up; kept: //p' "$log" | head -n 1)
read -r k1 k2 k3 k4 k5 k6 k7 k8 <<< "$kept"
if [ -z "${k8:-}" ] && [ "$k1 $k2 $k3 $k4" = "101 102 4755 2" ] && [ "${k6:-}" = 2 ] &&
   [ -n "${k7:-}" ] && [ "$k5" = "$k7" ]; then
	echo "ok pid1-initramfs-kept-at-boot"
else
	echo "not ok pid1-initramfs-kept-at-boot: /opt/kept/su and su2 after the move to the tmpfs root: '$kept' (want 101 102 4755 2 I 2 I)"
fi
if [ -n "$good_console" ]; then
	if [ ! -s "$good_console" ]; then
		echo "not ok pid1-initramfs-whole: no console of the good boot at $good_console"
	elif grep -q "$warning" "$good_console" || grep -q 'Initramfs unpacking failed' "$good_console"; then
		echo "not ok pid1-initramfs-whole: the good image's boot has the warning"
	else
		echo "ok pid1-initramfs-whole"
	fi
fi
