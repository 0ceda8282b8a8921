#!/bin/bash
# demo-boot.sh - one boot of the demo appliance with a short check script:
# the boot tier of `./build.sh test --arch armhf` (where the cgroup and
# PID-1 tiers do not run). The architecture is SBX_ARCH's, as demo/demo.sh
# takes it (./build.sh --arch exports it); the binary is $SANDBOXD.
#
# In the guest, once net, web, tick and memhog are up (demo.sh --script):
# demo-boot-states (`sandboxctl status`: web and tick running, net exited,
# memhog in its OOM/backoff loop), demo-boot-web (busybox httpd in its own
# rootfs serves the page on 127.0.0.1:80), demo-boot-sandbox (web runs as
# uid 65534 in its own mount namespace, under sandboxd's cgroup). Here, on
# the console: demo-boot (PID 1 started every unit, the script finished and
# the guest powered off cleanly). Prints `ok NAME` / `not ok NAME: why`
# lines, the boot time as a `# ` line, and the closing line on stderr.
#
# usage: demo-boot.sh
# env:   SANDBOXD (required)   TOP (the source tree)   SBX_ARCH (x86_64)
#        DEMO_BOOT_TIMEOUT (the whole boot, default 900 s)
# The console is kept in build/ARCH/demo-boot/console.log.
# Software emulation only (TCG, through tests/qemu/boot.sh): never -enable-kvm.
set -uo pipefail

# shellcheck source=tests/qemu/lib/console.sh
. "$(dirname "$0")/lib/console.sh"
# shellcheck source=tests/qemu/lib/results.sh
. "$(dirname "$0")/lib/results.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
arch=${SBX_ARCH:-x86_64}
timeout=${DEMO_BOOT_TIMEOUT:-900}

case ${1:-} in
-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
'') ;;
*) echo "demo-boot.sh: unknown argument: $1" >&2; exit 2 ;;
esac

if [ "$arch" = x86_64 ]; then work=$TOP/build/demo-boot; else work=$TOP/build/$arch/demo-boot; fi
mkdir -p "$work"
# every result line goes through res (or a tee into $results)
results_begin "$work/results" demo-boot.sh

sandboxd=${SANDBOXD:-}
if [ -z "$sandboxd" ] || [ ! -f "$sandboxd" ]; then
	res "not ok demo-boot: no sandboxd binary at '${sandboxd}' (SANDBOXD)"
	exit 1
fi
sandboxd=$(cd "$(dirname "$sandboxd")" && pwd)/$(basename "$sandboxd")

# The guest's checks: root, unsandboxed, busybox tools (demo.sh's script unit).
script=$work/check.sh
cat > "$script" <<'GUEST'
CTL=/bin/sandboxctl
ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
state() { $CTL status 2>/dev/null | awk -v u="$1" '$1 == u { print $2 }'; }
# up to 60 s for the states demo.sh waited for (After=) to settle
why=x
end=$(($(now_ms) + 60000))
while [ -n "$why" ] && [ "$(now_ms)" -lt "$end" ]; do
	why=
	for want in web:running tick:running net:exited memhog:running/backoff/starting; do
		u=${want%%:*}
		got=$(state "$u")
		case "/${want#*:}/" in
		*"/$got/"*) [ -n "$got" ] || why="${why:+$why; }$u missing" ;;
		*) why="${why:+$why; }$u is ${got:-missing}, not ${want#*:}" ;;
		esac
	done
	[ -z "$why" ] || usleep 500000
done
if [ -z "$why" ]; then ok demo-boot-states; else nok demo-boot-states "$why"; fi

# nc, not wget: Debian 12's static busybox wget segfaults on armhf and
# arm64 (in the guest, and under qemu-user alike); nc speaks plain HTTP
page=$(printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' | timeout 10 nc 127.0.0.1 80 2>&1)
if echo "$page" | grep -q 'Hello from web.unit'; then
	ok demo-boot-web
else
	nok demo-boot-web "GET http://127.0.0.1/: $(echo "$page" | head -n 2 | tr '\n' ' ')"
fi

pid=$($CTL status --json web 2>/dev/null | sed -n 's/^  "pid": \([0-9]*\),\{0,1\}$/\1/p')
why=
if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
	why="no pid for web in sandboxctl status --json"
else
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	[ "$uid" = 65534 ] || why="uid $uid, not 65534"
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ] ||
		why="${why:+$why; }in PID 1's mount namespace"
	grep -q '^0::/sandboxd/' "/proc/$pid/cgroup" ||
		why="${why:+$why; }cgroup $(cat "/proc/$pid/cgroup")"
fi
if [ -z "$why" ]; then ok demo-boot-sandbox; else nok demo-boot-sandbox "$why"; fi
[ ! -f /usr/libexec/unit-arch.t ] || UNIT_BIN=/usr/libexec/unit-bin sh /usr/libexec/unit-arch.t
echo "# demo-boot: done"
GUEST

# Another architecture's unit tests ran under qemu-user, where the checks
# that need a real kernel skip (tests/unit/qemu_user.h): without a QEMU tier
# for it (armhf), the programs with such checks run again in this boot.
adds=()
if [ "$arch" != x86_64 ]; then
	for t in $(grep -l '^#include "qemu_user.h"' "$TOP"/tests/unit/test_*.c); do
		b=$TOP/build/$arch/defconfig/tests/$(basename "$t" .c)
		[ -x "$b" ] && adds+=(--add "$b:/usr/libexec/unit-bin/${b##*/}")
	done
	[ ${#adds[@]} = 0 ] ||
		adds+=(--add "$TOP/tests/qemu/guest-arch/30-unit-arch.t:/usr/libexec/unit-arch.t")
fi

start=$(date +%s)
log=$work/console.log
clean=$work/console.clean
env SANDBOXD="$sandboxd" SBX_ARCH="$arch" DEMO_WORK="$work/demo" "$TOP/demo/demo.sh" \
	--script "$script" --timeout "$timeout" ${adds[@]+"${adds[@]}"} < /dev/null > "$log" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))

# The script's lines reach the console through PID 1 as "[script] LINE".
tr -d '\r' < "$log" > "$clean"
sed -n 's/^\[script\] \(\(ok\|not ok\|skip\) .*\)$/\1/p' "$clean" | tee -a "$results"
for c in demo-boot-states demo-boot-web demo-boot-sandbox; do
	grep -qE "^\[script\] (ok|not ok|skip) $c(:|$)" "$clean" ||
		res "not ok $c: did not report (see $log)"
done
boot_ms=$(sed -n 's/^sandboxd: all units started, \([0-9]*\) ms after the kernel started$/\1/p' "$clean" | head -n 1)
[ -z "$boot_ms" ] || echo "# boot ($arch): $boot_ms ms (kernel start to every unit started, guest clock)"

why=$(console_why "$clean" "$rc" "$timeout" '# demo-boot: done' "the check script" demo.sh)
echo "demo-boot.sh: $secs s of wall time (console: $log)" >&2
if [ -n "$why" ]; then
	res "not ok demo-boot: $why (console: $log)"
	echo "demo-boot.sh: last console lines:" >&2
	tail -n 20 "$clean" >&2
	exit 1
fi
res "ok demo-boot"
grep -q '^not ok ' "$results" && exit 1
exit 0
