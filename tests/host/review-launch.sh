#!/bin/bash
# Adversarial review of issue #10's launch path (review-launch): what a
# unit's rootfs (its etc/passwd and etc/group, read by the launch child as
# root) and its output paths can make of a launch, tried through
# `sandboxctl run` and `sandboxd --units` on this host (never as PID 1, no
# cgroup: --no-cgroup).
#
# Env: SANDBOXCTL = sandboxctl to test, SANDBOXD = sandboxd, TOP = repo root.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok review-launch-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok review-launch-prereqs "needs root and busybox-static"
	exit 1
fi

work=$(mktemp -d /var/tmp/sbx-rvl.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
printf 'root:x:0:\n' >"$root/etc/group"
units=$work/units
mkdir -p "$units"
export SANDBOXD_RUN_DIR=$work/run
mkdir -p "$SANDBOXD_RUN_DIR"

run() {
	out=$(timeout 30 "$SANDBOXCTL" run --no-cgroup --units "$units" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}

# ---- a passwd entry whose uid is past uid_t --------------------------------
# User=svc, a name: the unit means "not root". Its rootfs's passwd (what the
# image, or a service that can write its own root, put there) gives svc a
# uid of 4294967296 (2^32: 0 once cut to 32 bits) or 4294967295 ((uid_t)-1,
# which setresuid(2) reads as "leave it": the launch child's uid 0 stays).
# A numeric User= refuses both ("out of range"); the name must not reach
# them either: the start fails, or at least the service is not uid 0.
for uid in 4294967296 4294967295 8589934592; do
	printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:%s:%s::/:/bin/sh\n' "$uid" "$uid" >"$root/etc/passwd"
	printf '[Service]\nExecStart=/bin/id -u\nUser=svc\n[Sandbox]\nRootDirectory=%s\nInit=no\n' \
		"$root" >"$units/wrap.unit"
	run wrap
	if [ "$rc" = 0 ] && [ "$out" = 0 ]; then
		nok "review-userdb-uid-wrap-$uid" "User=svc with passwd uid $uid ran as uid 0 (rc $rc, out: $(oneline "$out"))"
	elif [ "$rc" = 0 ]; then
		nok "review-userdb-uid-wrap-$uid" "User=svc with passwd uid $uid ran as uid $(oneline "$out")"
	else
		ok "review-userdb-uid-wrap-$uid"
	fi
done

# The same under the supervisor (`sandboxd --units`, not PID 1), which
# leaves names to the launch child alone (sandbox/userdb.c): the unit
# writes its uid into a bound folder once.
if [ -n "${SANDBOXD:-}" ] && [ -x "$SANDBOXD" ]; then
	sd_units=$work/sd-units
	mkdir -p "$sd_units" "$work/out" "$work/sd-run"
	chmod 777 "$work/out"
	printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:4294967296:4294967296::/:/bin/sh\n' >"$root/etc/passwd"
	cat >"$sd_units/wrap.unit" <<UNIT
[Service]
ExecStart=/bin/sh -c "id -u >/out/uid; sleep 30"
User=svc
[Sandbox]
RootDirectory=$root
BindPaths=$work/out:/out
Init=no
UNIT
	SANDBOXD_RUN_DIR=$work/sd-run bash -c 'exec -a sandboxd "$0" --units "$1"' \
		"$SANDBOXD" "$sd_units" >"$work/sd.log" 2>&1 &
	sd=$!
	for _ in $(seq 50); do
		[ -s "$work/out/uid" ] && break
		grep -q "svc" "$work/sd.log" 2>/dev/null && break
		sleep 0.1
	done
	kill "$sd" 2>/dev/null
	wait "$sd" 2>/dev/null
	seen=$(cat "$work/out/uid" 2>/dev/null)
	if [ "$seen" = 0 ]; then
		nok review-userdb-uid-wrap-supervisor "User=svc (passwd uid 2^32) ran as uid 0 under sandboxd --units"
	elif [ -n "$seen" ]; then
		nok review-userdb-uid-wrap-supervisor "User=svc (passwd uid 2^32) ran as uid $seen"
	elif grep -q "svc" "$work/sd.log"; then
		ok review-userdb-uid-wrap-supervisor
	else
		nok review-userdb-uid-wrap-supervisor "the unit neither ran nor failed: $(oneline "$(cat "$work/sd.log")")"
	fi
else
	skip review-userdb-uid-wrap-supervisor "SANDBOXD is not set"
fi
