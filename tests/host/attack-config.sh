#!/bin/bash
# Attacks on the unit parser (issue #9, items 8, 15 and 16): files that
# would block an open, symlinks out of a rootfs, and unit files whose cost
# grows faster than their size. Each check runs `sandboxctl check` (or
# `sandboxd --units`, not as PID 1) under a timeout and looks at what
# came back, how long it took and how much memory it used.
#
# Env: SANDBOXCTL, SANDBOXD = the binaries to test, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok attack-config-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
SANDBOXD=${SANDBOXD:-$(dirname "$SANDBOXCTL")/sandboxd}
TIME=/usr/bin/time
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ] || [ ! -x "$TIME" ]; then
	nok attack-config-prereqs "needs root, busybox-static and /usr/bin/time"
	exit 1
fi

work=$(mktemp -d /tmp/sbx-atk-config.XXXXXX) || exit 1
sup_pid=
cleanup() {
	[ -n "$sup_pid" ] && kill -TERM "$sup_pid" 2>/dev/null && wait "$sup_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# now_ms: a monotonic-enough clock for bounds of seconds
now_ms() { date +%s%3N; }

# chk NAME SECONDS ARGS...: `sandboxctl ARGS` under a timeout; sets out
# (stdout+stderr), rc, ms (wall time) and kb (max RSS).
chk() {
	local name=$1 secs=$2 t0 t1
	shift 2
	t0=$(now_ms)
	out=$(timeout -k 2 "$secs" "$TIME" -f 'maxrss=%M' -o "$work/time.$name" \
		"$SANDBOXCTL" "$@" 2>&1)
	rc=$?
	t1=$(now_ms)
	ms=$((t1 - t0))
	kb=$(sed -n 's/^maxrss=//p' "$work/time.$name" 2>/dev/null | tail -n 1)
	kb=${kb:-0}
}

# expect_prompt NAME PATTERN: the last chk returned in time and said PATTERN
expect_prompt() {
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		nok "$1" "sandboxctl check did not return within the timeout (blocked)"
	elif ! printf '%s' "$out" | grep -qE -- "$2"; then
		nok "$1" "no /$2/ in '$(oneline "$out")' (rc $rc)"
	else
		ok "$1"
	fi
}

# ---- item 8: nothing a rootfs or the unit folder holds can block an open

root=$work/rootfs
mkdir -p "$root/bin" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/true"
ln -s busybox "$root/bin/sh"
printf 'root:x:0:\nwww:x:34:\n' >"$root/etc/group"
mkfifo "$root/etc/passwd"
units=$work/units
mkdir -p "$units"
cat >"$units/byname.unit" <<EOF
[Service]
ExecStart=/bin/true
User=www
[Sandbox]
RootDirectory=$root
EOF
chk fifo-passwd 10 check "$units/byname.unit"
expect_prompt attack-config-fifo-passwd "etc/passwd: not a regular file"

# the same FIFO as the group file
rm -f "$root/etc/passwd" "$root/etc/group"
printf 'root:x:0:0::/:/bin/sh\nwww:x:33:34::/:/bin/sh\n' >"$root/etc/passwd"
mkfifo "$root/etc/group"
cat >"$units/byname.unit" <<EOF
[Service]
ExecStart=/bin/true
User=www
Group=www
[Sandbox]
RootDirectory=$root
EOF
chk fifo-group 10 check "$units/byname.unit"
expect_prompt attack-config-fifo-group "etc/group: not a regular file"
rm -f "$root/etc/group"
printf 'root:x:0:\nwww:x:34:\n' >"$root/etc/group"

# a passwd that is a symlink out of the rootfs (absolute and relative):
# the host's file must never be read in its place
hostpw=$work/host-passwd
printf 'evil:x:4242:4242::/:/bin/sh\n' >"$hostpw"
cat >"$units/evil.unit" <<EOF
[Service]
ExecStart=/bin/true
User=evil
[Sandbox]
RootDirectory=$root
EOF
for how in absolute relative; do
	rm -f "$root/etc/passwd"
	if [ $how = absolute ]; then
		ln -s "$hostpw" "$root/etc/passwd"
	else
		ln -s "../../../../../../../../..$hostpw" "$root/etc/passwd"
	fi
	chk symlink-passwd-$how 10 spec "$units/evil.unit"
	if [ "$rc" = 0 ] || printf '%s' "$out" | grep -q '"uid": 4242'; then
		nok attack-config-passwd-symlink-$how "User=evil resolved through $root/etc/passwd -> $hostpw: $(oneline "$out")"
	elif [ "$rc" = 124 ]; then
		nok attack-config-passwd-symlink-$how "sandboxctl spec did not return"
	else
		ok attack-config-passwd-symlink-$how
	fi
done
rm -f "$root/etc/passwd"
printf 'root:x:0:0::/:/bin/sh\nwww:x:33:34::/:/bin/sh\n' >"$root/etc/passwd"

# a unit folder with a FIFO, a device and a folder named NAME.unit, and a
# drop-in that is a FIFO: each is named, the good unit still loads
folder=$work/folder
mkdir -p "$folder/dir.unit" "$folder/good.unit.d" "$folder/other.unit.d"
mkfifo "$folder/fifo.unit"
mknod "$folder/dev.unit" c 1 3
cat >"$folder/good.unit" <<EOF
[Service]
Type=oneshot
ExecStart=/bin/true
Restart=no
[Sandbox]
RootDirectory=$root
EOF
cp "$folder/good.unit" "$folder/other.unit"
mkfifo "$folder/other.unit.d/10-fifo.conf"
chk fifo-folder 10 check "$folder"
expect_prompt attack-config-fifo-unit "fifo\.unit: not a regular file"
expect_prompt attack-config-device-unit "dev\.unit: not a regular file"
expect_prompt attack-config-folder-unit "dir\.unit: not a regular file"
expect_prompt attack-config-fifo-dropin "10-fifo\.conf: not a regular file"
if [ "$rc" = 1 ] && ! printf '%s' "$out" | grep -q 'good\.unit'; then
	ok attack-config-fifo-folder-good-unit-clean
else
	nok attack-config-fifo-folder-good-unit-clean "rc $rc, want 1 with nothing about good.unit: $(oneline "$out")"
fi

# the supervisor (not PID 1) loads the good unit past the FIFO and answers
if [ -x "$SANDBOXD" ]; then
	run=$work/run
	mkdir -p "$run"
	SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$folder" >"$work/sup.log" 2>&1 &
	sup_pid=$!
	st=
	for _ in $(seq 1 50); do
		st=$(SANDBOXD_RUN_DIR=$run timeout 2 "$SANDBOXCTL" status good 2>&1) &&
			printf '%s' "$st" | grep -qE 'exited|running|inactive|starting' && break
		st=
		sleep 0.2
	done
	if [ -n "$st" ]; then
		ok attack-config-fifo-supervisor-loads-others
	else
		nok attack-config-fifo-supervisor-loads-others "no status for good within 10 s (blocked on fifo.unit?): $(oneline "$(cat "$work/sup.log")")"
	fi
	if grep -q 'fifo\.unit: not a regular file' "$work/sup.log"; then
		ok attack-config-fifo-supervisor-reports
	else
		nok attack-config-fifo-supervisor-reports "$(oneline "$(cat "$work/sup.log")")"
	fi
	kill -TERM "$sup_pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$sup_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$sup_pid" 2>/dev/null
	wait "$sup_pid" 2>/dev/null
	sup_pid=
else
	skip attack-config-fifo-supervisor-loads-others "no sandboxd binary next to sandboxctl"
fi

# ---- items 15 and 16: the cost of a unit is linear in its size, and capped

# 6000 BindPaths in 40 KB: memory must stay small (it was 871 MiB for
# 5000), and past the cap the message names it
big=$work/big
mkdir -p "$big"
{
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\n'
	for i in $(seq 1 6000); do
		[ $((i % 500)) = 1 ] && printf '\nBindPaths='
		printf '/%x ' "$i"
	done
	printf '\n'
} >"$big/mounts.unit"
chk mounts 20 check "$big/mounts.unit"
size=$(wc -c <"$big/mounts.unit")
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	nok attack-config-6000-mounts-memory "check did not return in 20 s"
elif [ "$kb" -gt 32768 ]; then
	nok attack-config-6000-mounts-memory "max RSS ${kb} KiB for a ${size}-byte unit (want < 32 MiB)"
else
	ok attack-config-6000-mounts-memory
	echo "# 6000 mounts, $size bytes: max RSS $kb KiB, $ms ms"
fi
expect_prompt attack-config-6000-mounts-cap "BindPaths: more than [0-9]+ mounts"

# 100000 Environment= keys on one line: fast, or refused by a cap
{
	printf '[Service]\nExecStart=/bin/true\nEnvironment='
	seq 1 100000 | sed 's/^/K/; s/$/=1/' | tr '\n' ' '
	printf '\n'
} >"$big/env.unit"
chk env 30 check "$big/env.unit"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	nok attack-config-100000-env-keys "check did not return in 30 s"
elif [ "$ms" -gt 1000 ]; then
	nok attack-config-100000-env-keys "took $ms ms (want < 1000), rc $rc"
else
	ok attack-config-100000-env-keys
	echo "# 100000 Environment keys: $ms ms, max RSS $kb KiB: $(oneline "$out")"
fi

# 1 MiB lines of list keys: each parses or is refused in well under a second
for key in Environment After MaskedPaths SystemCallFilter SupplementaryGroups BindPaths; do
	case $key in
	Environment) sec=Service; w='A%d=1' ;;
	SupplementaryGroups) sec=Service; w='g%d' ;;
	After) sec=Unit; w='u%d' ;;
	SystemCallFilter) sec=Sandbox; w='~read' ;;
	*) sec=Sandbox; w='/p%d' ;;
	esac
	{
		printf '[Service]\nExecStart=/bin/true\n[%s]\n%s=' "$sec" "$key"
		# just under the 1 MiB file limit
		# written piece by piece: mawk (Debian's awk) copies a growing
		# string on every concatenation, minutes for 1 MiB
		awk -v w="$w" 'BEGIN { n = 0; while (n < 1040000) { x = sprintf(w, n / 8) " "; printf "%s", x; n += length(x) } }'
		printf '\n'
	} >"$big/line.unit"
	chk line-$key 60 check "$big/line.unit"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		nok attack-config-1mib-line-$key "check did not return in 60 s"
	elif [ "$ms" -gt 1000 ]; then
		nok attack-config-1mib-line-$key "took $ms ms (want < 1000), rc $rc, max RSS $kb KiB"
	elif [ "$kb" -gt 65536 ]; then
		nok attack-config-1mib-line-$key "max RSS $kb KiB (want < 64 MiB)"
	else
		ok attack-config-1mib-line-$key
		echo "# 1 MiB $key= line: $ms ms, max RSS $kb KiB, rc $rc"
	fi
done

# a unit and its drop-ins together are capped too: 200 drop-ins of
# almost 1 MiB each must not be read whole
many=$work/many
mkdir -p "$many/m.unit.d"
printf '[Service]\nExecStart=/bin/true\n' >"$many/m.unit"
{
	printf '[Service]\n'
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "Environment=A%d=1\n", i % 64 }'
} >"$work/dropin.conf"
for i in $(seq -w 1 200); do ln "$work/dropin.conf" "$many/m.unit.d/$i.conf"; done
chk dropins 60 check "$many/m.unit"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	nok attack-config-dropins-total "check did not return in 60 s"
elif [ "$ms" -gt 2000 ]; then
	nok attack-config-dropins-total "took $ms ms for 200 drop-ins of $(wc -c <"$work/dropin.conf") bytes (want < 2000)"
elif ! printf '%s' "$out" | grep -q 'larger than 1 MiB'; then
	nok attack-config-dropins-total "no cap message: $(oneline "$out") (rc $rc)"
else
	ok attack-config-dropins-total
	echo "# 200 drop-ins: $ms ms, max RSS $kb KiB"
fi
# ---- safe defaults (items 3, 18, 19): a unit on the system's root, run
# with `sandboxctl run`, tries to write the root, to read the system's /run
# and to fill its /tmp
defs=$work/defaults
mkdir -p "$defs"
marker=atk-config-$$
mkdir -p /run/$marker
cat >"$defs/onroot.unit" <<EOF
[Service]
ExecStart=/bin/busybox sh -c 'touch /etc/$marker 2>/dev/null && echo root-writable; [ -e /run/$marker ] && echo sees-system-run; /bin/busybox dd if=/dev/zero of=/tmp/$marker bs=1M count=64 2>/dev/null; echo tmp-kb \$(/bin/busybox du -k /tmp/$marker | /bin/busybox cut -f1); echo run-kb \$(/bin/busybox df -k /run | /bin/busybox awk "NR==2 {print \\\$2}")'
[Sandbox]
Init=no
EOF
out=$(timeout 20 "$SANDBOXCTL" run "$defs/onroot.unit" 2>&1)
rc=$?
if [ -e /etc/$marker ] || printf '%s' "$out" | grep -q root-writable; then
	nok attack-config-default-ro-root "the unit wrote the system's /etc (rc $rc): $(oneline "$out")"
	rm -f /etc/$marker
elif ! printf '%s' "$out" | grep -q '^tmp-kb'; then
	nok attack-config-default-ro-root "the unit did not run (rc $rc): $(oneline "$out")"
else
	ok attack-config-default-ro-root
fi
if printf '%s' "$out" | grep -q sees-system-run; then
	nok attack-config-default-private-run "the unit sees the system's /run: $(oneline "$out")"
elif printf '%s' "$out" | grep -q '^tmp-kb'; then
	ok attack-config-default-private-run
else
	nok attack-config-default-private-run "the unit did not run (rc $rc): $(oneline "$out")"
fi
kb=$(printf '%s' "$out" | sed -n 's/^tmp-kb //p')
if [ -e /tmp/$marker ]; then
	nok attack-config-default-private-tmp "the unit's file is in the system's /tmp"
	rm -f /tmp/$marker
elif [ -n "$kb" ] && [ "$kb" -le 20480 ]; then
	ok attack-config-default-private-tmp
	echo "# the unit filled its /tmp to $kb KiB of the 64 MiB it wrote"
else
	nok attack-config-default-private-tmp "the unit wrote ${kb:-?} KiB into /tmp (want <= 16 MiB): $(oneline "$out")"
fi
rkb=$(printf '%s' "$out" | sed -n 's/^run-kb //p')
if [ -n "$rkb" ] && [ "$rkb" -le 20480 ]; then
	ok attack-config-default-run-sized
else
	nok attack-config-default-run-sized "the unit's /run is ${rkb:-?} KiB (want a sized tmpfs): $(oneline "$out")"
fi
rmdir /run/$marker

# an unsized tmpfs without MemoryMax= is refused before anything runs
cat >"$defs/unsized.unit" <<EOF
[Service]
ExecStart=/bin/true
[Sandbox]
TemporaryFileSystem=/data:size=0
EOF
chk unsized 10 check "$defs/unsized.unit"
expect_prompt attack-config-unsized-tmpfs "size=0 or nr_inodes=0 \(no limit\) needs MemoryMax="
exit 0
