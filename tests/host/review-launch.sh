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

# ---- the kernel-fs bind check, now in the launch child ---------------------
# A bind source above a kernel file system's mount is refused by comparing
# the source with the mount points as strings. The parser keeps a "//"
# inside a source ("/var//tmp"), which openat2 reads as "/var/tmp" but the
# comparison does not: a procfs below such a source came with the
# recursive bind. In a private mount namespace: nothing is mounted on the
# host.
kb=$work/kb
mkdir -p "$kb/sub/proc"
printf '[Service]\nExecStart=/bin/sh -c "ls /k/sub/proc | grep -c -x 1"\n[Sandbox]\nBindReadOnlyPaths=%s:/k\n' \
	"$work//kb" >"$units/kbind.unit"
out=$(unshare -m --propagation private sh -c '
	mount -t proc proc "$1/sub/proc" || exit 9
	"$2" run --no-cgroup --units "$3" kbind 2>&1; echo "rc=$?"' sh "$kb" "$SANDBOXCTL" "$units" 2>&1)
if printf '%s' "$out" | tail -1 | grep -qx 'rc=125' && printf '%s' "$out" | grep -q "holds the kernel's proc"; then
	ok review-kernel-fs-bind-double-slash
else
	nok review-kernel-fs-bind-double-slash "BindReadOnlyPaths=$work//kb with a procfs at $kb/sub/proc: $(oneline "$out")"
fi

# ---- the launch child and the loader read one passwd alike -----------------
# `sandboxctl check` and `spec` (config/ids.c) resolve a name from the first
# matching line; the launch child (sandbox/userdb.c) used to skip a line
# past 1 KiB (a long GECOS field) and to read on past a NUL byte, where the
# loader stops: the same User=svc was uid 12345 to the loader and uid 0 in
# the running service, from a later line the loader never reaches.
long=$(head -c 1500 /dev/zero | tr '\0' G)
for how in long-line nul-byte; do
	if [ "$how" = long-line ]; then
		printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:12345:12345:%s:/:/bin/sh\nsvc:x:0:0::/:/bin/sh\n' "$long" >"$root/etc/passwd"
	else
		# the loader's line ends at the NUL: "svc:x:12345"
		printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:12345\0:12345::/:/bin/sh\nsvc:x:0:0::/:/bin/sh\n' >"$root/etc/passwd"
	fi
	printf '[Service]\nExecStart=/bin/id -u\nUser=svc\n[Sandbox]\nRootDirectory=%s\nInit=no\n' \
		"$root" >"$units/agree.unit"
	spec_uid=$("$SANDBOXCTL" spec --units "$units" agree 2>/dev/null | grep -m1 '"uid"' | tr -dc 0-9)
	run agree
	if [ "$rc" = 0 ] && [ "$out" = "$spec_uid" ] && [ "$out" = 12345 ]; then
		ok "review-userdb-agrees-with-loader-$how"
	else
		nok "review-userdb-agrees-with-loader-$how" "sandboxctl spec says uid $spec_uid, the service ran as uid $(oneline "$out") (rc $rc: $(oneline "$err"))"
	fi
done

# ---- a name resolving to a uid outside the user namespace's map ------------
# With Namespaces= user, the map is 0..65535: svc at 70000 cannot be set
# and must fail the start, never leave the service as the launcher's uid 0.
printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:70000:70000::/:/bin/sh\n' >"$root/etc/passwd"
printf '[Service]\nExecStart=/bin/id -u\nUser=svc\n[Sandbox]\nRootDirectory=%s\nInit=no\nNamespaces=pid ipc uts mount user\n' \
	"$root" >"$units/unmapped.unit"
run unmapped
if [ "$rc" = 125 ] && [ -z "$out" ] && printf '%s' "$err" | grep -qE "set[gu]id: Invalid argument"; then
	ok review-userdb-uid-outside-userns-map
elif [ "$rc" = 125 ] && printf '%s' "$err" | grep -qi "user namespace"; then
	skip review-userdb-uid-outside-userns-map "no user namespaces here: $(oneline "$err")"
else
	nok review-userdb-uid-outside-userns-map "rc $rc, out $(oneline "$out"): $(oneline "$err")"
fi

# ---- User=NAME without Group=: the primary group of NAME's own line --------
# Two passwd lines with one uid (an alias, or a hostile image): "alice" first
# with gid 0, then "svc" with its own group. User=svc must get svc's group
# (getpwnam's pw_gid, as systemd and every libc give it), not the group of
# whichever line has the same uid first: that was gid 0, root's group.
printf 'root:x:0:0:root:/:/bin/sh\nalice:x:1000:0::/:/bin/sh\nsvc:x:1000:1000::/:/bin/sh\n' >"$root/etc/passwd"
printf '[Service]\nExecStart=/bin/id -g\nUser=svc\n[Sandbox]\nRootDirectory=%s\nInit=no\n' \
	"$root" >"$units/pgid.unit"
spec_gid=$("$SANDBOXCTL" spec --units "$units" pgid 2>/dev/null | grep -m1 '"gid"' | tr -dc 0-9)
run pgid
if [ "$rc" = 0 ] && [ "$out" = 1000 ] && [ "$spec_gid" = 1000 ]; then
	ok review-userdb-primary-group-of-name
else
	nok review-userdb-primary-group-of-name "User=svc (svc:x:1000:1000 after alice:x:1000:0): the service ran with gid $(oneline "$out"), sandboxctl spec says $spec_gid (rc $rc: $(oneline "$err"))"
fi

# ---- StandardOutput=append: opened by the launch child, as root, raced -----
# The output file lies in a folder the unit can write. While the supervisor
# restarts the unit as fast as it may, a racer swaps the path (rename, so
# it always names something) between a regular file, a symlink to a host
# file and a hard link to that host file. The host file must never be
# written (append: would add the service's line; file: would truncate it).
if [ -n "${SANDBOXD:-}" ] && [ -x "$SANDBOXD" ]; then
	sf=$work/sf
	mkdir -p "$sf/units" "$sf/out/log" "$sf/run" "$sf/host"
	echo host-target >"$sf/host/target"
	for kind in append file; do
		cat >"$sf/units/sf-$kind.unit" <<UNIT
[Service]
ExecStart=/bin/echo WRITTEN-$kind
StandardOutput=$kind:$sf/out/log/out-$kind.log
Restart=always
RestartSec=10ms
RestartMaxSec=20ms
StartLimitBurst=0
[Sandbox]
BindPaths=$sf/out:/out
Init=no
UNIT
	done
	SANDBOXD_RUN_DIR=$sf/run bash -c 'exec -a sandboxd "$0" --units "$1"' \
		"$SANDBOXD" "$sf/units" >"$sf/sd.log" 2>&1 &
	sd=$!
	for _ in $(seq 1 300); do
		for kind in append file; do
			p=$sf/out/log/out-$kind.log
			: >"$p.reg"; mv -T "$p.reg" "$p"
			ln -sfn "$sf/host/target" "$p.sym"; mv -T "$p.sym" "$p"
			ln -f "$sf/host/target" "$p.hard"; mv -T "$p.hard" "$p"
		done
	done
	kill "$sd" 2>/dev/null
	wait "$sd" 2>/dev/null
	refused=$(grep -c "refused\|symlink\|hard link" "$sf/sd.log")
	if [ "$(cat "$sf/host/target")" != host-target ]; then
		nok review-stdfile-race "the host file behind a swapped output path changed: $(oneline "$(cat "$sf/host/target")")"
	elif [ "$refused" -lt 5 ]; then
		nok review-stdfile-race "too few starts met a swapped path ($refused): $(oneline "$(tail -3 "$sf/sd.log")")"
	else
		ok review-stdfile-race
		echo "# review-stdfile-race: $refused starts refused a symlink or hard link"
	fi
else
	skip review-stdfile-race "SANDBOXD is not set"
fi

# ---- a group line past 1 KiB (a long member list) --------------------------
# The loader resolves Group=big from it; the launch child skipped any line
# past 1 KiB, so the start failed ("not found") while `sandboxctl check`
# passed. The fields it needs are all in the line's first bytes.
members=$(for i in $(seq 1 300); do printf 'user%03d,' "$i"; done)
printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nbig:x:4321:%s\n' "${members%,}" >"$root/etc/group"
printf '[Service]\nExecStart=/bin/id -g\nGroup=big\n[Sandbox]\nRootDirectory=%s\nInit=no\n' \
	"$root" >"$units/biggroup.unit"
run biggroup
if [ "$rc" = 0 ] && [ "$out" = 4321 ]; then
	ok review-userdb-long-group-line
else
	nok review-userdb-long-group-line "Group=big (a $(wc -c <"$root/etc/group")-byte group file): rc $rc, gid $(oneline "$out"): $(oneline "$err")"
fi
printf 'root:x:0:\n' >"$root/etc/group"

# The loader (`sandboxctl check`, `spec`, and the load of `sandboxctl run`)
# read the uid with strtoul, which takes blanks and a sign: "-1" was
# (uid_t)-1 and " 0" uid 0, where the launch child finds no entry.
for uid in -1 ' 0' +0; do
	case $uid in -1) label=minus-one ;; ' 0') label=blank-zero ;; *) label=plus-zero ;; esac
	printf 'root:x:0:0:root:/:/bin/sh\nsvc:x:%s:100::/:/bin/sh\n' "$uid" >"$root/etc/passwd"
	printf '[Service]\nExecStart=/bin/id -u\nUser=svc\n[Sandbox]\nRootDirectory=%s\nInit=no\n' \
		"$root" >"$units/sign.unit"
	msg=$("$SANDBOXCTL" check "$units/sign.unit" 2>&1)
	crc=$?
	if [ "$crc" != 0 ] && printf '%s' "$msg" | grep -q 'unknown user "svc"'; then
		ok "review-loader-uid-sign-blank-$label"
	else
		nok "review-loader-uid-sign-blank-$label" "passwd uid '$uid' for User=svc: check rc $crc: $(oneline "$msg")"
	fi
done
