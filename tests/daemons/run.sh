#!/bin/bash
# run.sh - the daemons tier (`./build.sh test --daemons`): Debian 12's
# nginx, redis-server and mosquitto, each from a unit written after its
# Debian .service file (tests/daemons/units), under sandboxd booted as the
# real PID 1 in QEMU.
#
# Builds the Debian tree (tests/daemons/rootfs.sh, cached in
# build/cache/daemons), one image with tests/qemu/mkimage.sh (the tree at
# "/", the units in /etc/sandboxd, tests/daemons/check.sh run by
# script.unit), boots it once with tests/qemu/boot.sh, and prints the
# guest's `ok NAME` / `not ok NAME: why` / `skip NAME: reason` lines and `# `
# comments, `not ok NAME: did not report` for a check of the list below that
# never reported, `ok daemons-boot` or `not ok daemons-boot: why`; then
# "daemons: N passed, M failed, K skipped" on stderr.
#
# usage: run.sh
# env:   SANDBOXD (default build/sandboxd)   TOP (the source tree)
#        DAEMONS_TIMEOUT (the whole boot, default 300 s)   QEMU_MEM (MB, default 1024)
#        QEMU_VERBOSE=1 (copy the console to stderr)
# The console is kept in build/daemons/console.log. Needs root (the tree
# keeps the daemons' owners), apt-get (the first run downloads about 13 MB
# of .debs), qemu-system-x86_64, busybox-static.
# Software emulation only (TCG, through tests/qemu/boot.sh): never -enable-kvm.
set -uo pipefail

# shellcheck source=tests/qemu/lib/console.sh
. "$(dirname "$0")/../qemu/lib/console.sh"
# shellcheck source=tests/qemu/lib/results.sh
. "$(dirname "$0")/../qemu/lib/results.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
here=$TOP/tests/daemons
sandboxd=${SANDBOXD:-$TOP/build/sandboxd}
timeout=${DAEMONS_TIMEOUT:-300}
mem=${QEMU_MEM:-1024}

case ${1:-} in
-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
'') ;;
*) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
esac

# What check.sh reports, in its order.
checks="daemons-states redis-server-main-pid mosquitto-main-pid nginx-main-pid
	redis-server-notify-status nginx-workers-user redis-server-runtime-dir mosquitto-runtime-dir
	redis-client-first-try nginx-client-first-try mosquitto-client-first-try
	redis-server-private-net nginx-private-net mosquitto-private-net
	mosquitto-syslog mosquitto-kill-s mosquitto-reload redis-server-restart nginx-reload nginx-stop"

work=$TOP/build/daemons
mkdir -p "$work"
# every result line goes through res (or a tee into $results)
results_begin "$work/results" daemons
log=$work/console.log
clean=$work/console.clean
: > "$log"

[ -f "$sandboxd" ] || { res "not ok daemons-boot: no sandboxd binary at $sandboxd"; exit 1; }
sandboxd=$(cd "$(dirname "$sandboxd")" && pwd)/$(basename "$sandboxd")

tree=$("$here/rootfs.sh") || { res "not ok daemons-boot: building the Debian tree failed"; exit 1; }

rm -rf "$work/units"
mkdir -p "$work/units"
cp "$here"/units/*.unit "$here/script.unit" "$work/units/"
image=$work/daemons.cpio.gz
adds=()
for d in "$tree"/*; do
	adds+=(--add "$d:/${d##*/}")
done
adds+=(--add "$here/files/mosquitto-sandboxd.conf:/etc/mosquitto/conf.d/sandboxd.conf"
	--add "$here/check.sh:/usr/libexec/daemons-check")
SANDBOXD=$sandboxd "$TOP/tests/qemu/mkimage.sh" -o "$image" --units "$work/units" "${adds[@]}" ||
	{ res "not ok daemons-boot: building the image failed"; exit 1; }
echo "# image: $(du -k "$image" | cut -f1) kB" 

# On the build host: the image's units checked against the image's own
# tree (users, groups, the Exec*= programs), as an appliance's build would.
sandboxctl=${SANDBOXCTL:-$(dirname "$sandboxd")/sandboxctl}
unpacked=$work/unpacked
rm -rf "$unpacked"
mkdir -p "$unpacked"
if ! (cd "$unpacked" && gzip -dc "$image" | cpio -idm --quiet --no-absolute-filenames 2>/dev/null); then
	res "not ok daemons-check-root: cannot unpack $image"
elif out=$("$sandboxctl" check --root "$unpacked" 2>&1); then
	res "ok daemons-check-root"
else
	res "not ok daemons-check-root: sandboxctl check --root: $(echo "$out" | tr '\n' ' ' | cut -c 1-400)"
fi
rm -rf "$unpacked"

start=$(date +%s)
boot=("$TOP/tests/qemu/boot.sh" "$image" --timeout "$timeout" --mem "$mem" --append loglevel=3)
if [ "${QEMU_VERBOSE:-0}" = 1 ]; then
	"${boot[@]}" < /dev/null 2>&1 | tee "$log" | sed -u 's/^/console: /' >&2
else
	"${boot[@]}" < /dev/null > "$log" 2>&1
fi
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

# The script's lines reach the console through PID 1 as "[script] LINE".
tr -d '\r' < "$log" > "$clean"
sed -n 's/^\[script\] \(\(ok\|not ok\|skip\|#\) .*\)$/\1/p' "$clean" | tee -a "$results"
failed=0
sed -n 's/^\[script\] //p' "$clean" | grep -q '^not ok ' && failed=1

why=$(console_why "$clean" "$rc" "$timeout" '# check.sh: done' check.sh boot.sh)

for c in $checks; do
	if ! sed -n 's/^\[script\] //p' "$clean" | grep -qE "^(ok|not ok|skip) $c(:|$)"; then
		res "not ok $c: did not report (${why:-see $log})"
		failed=1
	fi
done

# nginx's ExecStop= at check.sh's stop (start-stop-daemon --retry QUIT/5:
# it waits for the master to go) must end by itself, not be killed: PID 1
# says so on the console when a control process ends by a signal.
if grep -q '^\[script\] ok nginx-stop$' "$clean"; then
	if line=$(grep -m 1 '^sandboxd: nginx: ExecStop=.* killed by' "$clean"); then
		res "not ok nginx-execstop-ended: ${line#sandboxd: }"
		failed=1
	else
		res "ok nginx-execstop-ended"
	fi
else
	res "skip nginx-execstop-ended: nginx-stop did not pass"
fi

if [ -n "$why" ]; then
	res "not ok daemons-boot: $why (console: $log)"
	echo "run.sh: last console lines:" >&2
	tail -n 20 "$clean" >&2
	exit 1
fi
res "ok daemons-boot"
echo "run.sh: $secs s of wall time (console: $log)" >&2
exit $failed
