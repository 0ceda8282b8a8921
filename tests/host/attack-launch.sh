#!/bin/bash
# Attacks on the launch child and the mount plan (issue #9 items 1, 2, 7,
# 14 and the mount-side safe defaults), tried as a service would, through
# `sandboxctl run` on this host. Each check fails if the attack reached
# anything of the host, and checks the host afterwards.
#
# Env: SANDBOXCTL = sandboxctl to test, TOP = repo root, PROBE (unused).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok attack-launch-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ] || ! command -v python3 >/dev/null; then
	nok attack-launch-prereqs "needs root, busybox-static and python3"
	exit 1
fi

work=$(mktemp -d /tmp/sbx-atk.XXXXXX) || exit 1
hostdir=$(mktemp -d /tmp/sbx-atk-host.XXXXXX) || exit 1
renamer=
cleanup() {
	[ -n "$renamer" ] && kill "$renamer" 2>/dev/null
	rm -rf "$work" "$hostdir"
}
trap cleanup EXIT
echo "host-secret" >"$hostdir/host-marker"

root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
units=$work/units
mkdir -p "$units"
export SANDBOXD_RUN_DIR=$work/run
mkdir -p "$SANDBOXD_RUN_DIR"
echo "run-secret" >"$SANDBOXD_RUN_DIR/run-marker"
echo "unit-secret" >"$units/unit-marker"
# a live control socket of no one, so that ControlAccess has one to show
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$SANDBOXD_RUN_DIR/control.sock"

# unit NAME SANDBOX_LINES [SERVICE_LINES]
unit() {
	{
		printf '[Service]\nExecStart=/bin/true\n%s\n' "${3:-}"
		printf '[Sandbox]\n%s\n' "$2"
	} >"$units/$1.unit"
}
run() {
	local n=$1
	shift
	out=$(timeout 20 "$SANDBOXCTL" run --units "$units" "$n" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# no_secret NAME WHY: the attack must not have shown a marker's content
no_secret() {
	if printf '%s' "$out" | grep -qE 'host-secret|run-secret|unit-secret'; then
		nok "$1" "$2 (rc $rc, out: $(oneline "$out"))"
		return 1
	fi
	return 0
}

# ---- item 1: a leaked fd as the cwd (CVE-2024-21626) --------------------
# sandboxctl is started with an fd on a host folder (as PID 1 holds one on
# "/"): the unit's WorkingDirectory is a symlink in its own rootfs to
# /proc/self/fd/N, for every N up to 64.
unit fdcwd "RootDirectory=$root
Init=no" "WorkingDirectory=/wd"
leaked=0
for n in $(seq 3 64); do
	ln -sfn "/proc/self/fd/$n" "$root/wd"
	run fdcwd -- /bin/cat host-marker 7<"$hostdir" 9<"$hostdir"
	printf '%s' "$out" | grep -q host-secret && leaked=$n && break
done
rm -f "$root/wd"
if [ "$leaked" = 0 ]; then ok attack-fd-cwd-symlink; else nok attack-fd-cwd-symlink "fd $leaked as cwd reached the host folder"; fi
# the same, named directly
unit fdcwd2 "RootDirectory=$root
Init=no" "WorkingDirectory=/proc/self/fd/7"
run fdcwd2 -- /bin/cat host-marker 7<"$hostdir"
no_secret attack-fd-cwd-magiclink "the cwd reached the host folder" && ok attack-fd-cwd-magiclink
# no fd of the launcher is open in the service, whatever it inherited
unit fds "RootDirectory=$root
Init=no"
# (the shell lists its own fds; "; exit" keeps it from exec'ing ls)
run fds -- /bin/sh -c 'ls /proc/$$/fd; exit 0' 7<"$hostdir" 9<"$hostdir"
fds=$(printf '%s' "$out" | tr '\n' ' ')
if [ "$fds" = "0 1 2" ]; then ok attack-fd-none-inherited
else nok attack-fd-none-inherited "the service has fds: $fds"; fi

# The same against the supervisor (`sandboxd --units`, not PID 1), whose
# fds are those of PID 1 (control socket, its spare O_PATH fd on "/",
# epoll, signalfd, pidfds, log pipes), across restarts: between two starts
# the unit's cwd becomes a symlink to /proc/self/fd/N, N = 3..64. A start
# that lands in the host's root prints the host folder's marker.
sd_units=$work/sd-units
mkdir -p "$sd_units" "$work/out/wd" "$work/sd-run"
cat >"$sd_units/leak.unit" <<UNIT
[Service]
ExecStart=/bin/sh -c "cat ${hostdir#/}/host-marker >>/out/seen 2>/dev/null; exit 1"
WorkingDirectory=/out/wd
Restart=always
RestartSec=10ms
RestartMaxSec=20ms
StartLimitBurst=0
[Sandbox]
RootDirectory=$root
BindPaths=$work/out:/out
Init=no
UNIT
SANDBOXD_RUN_DIR=$work/sd-run bash -c 'exec -a sandboxd "$0" --units "$1"' \
	"$SANDBOXCTL" "$sd_units" >"$work/sd.log" 2>&1 &
sd=$!
sleep 0.3
for n in $(seq 3 64); do
	ln -sfn "/proc/self/fd/$n" "$work/out/wd.new" && mv -T "$work/out/wd.new" "$work/out/wd" 2>/dev/null ||
		{ rm -rf "$work/out/wd"; ln -s "/proc/self/fd/$n" "$work/out/wd"; }
	sleep 0.08
done
kill "$sd" 2>/dev/null
wait "$sd" 2>/dev/null
starts=$(grep -c . "$work/sd.log")
if grep -q host-secret "$work/out/seen" 2>/dev/null; then
	nok attack-fd-cwd-supervisor-restart "a restart of the unit had the host's root as its cwd"
elif [ "$starts" -lt 10 ]; then
	nok attack-fd-cwd-supervisor-restart "the supervisor did not restart the unit ($(oneline "$(tail -3 "$work/sd.log")"))"
else
	ok attack-fd-cwd-supervisor-restart
fi

# ---- item 2: procfs moved away by a rename race (CVE-2019-19921 class) --
# Another process (here: the test, as another unit with a bind of this
# rootfs would) renames ROOT/proc and ROOT/dev back and forth while the
# unit starts. Whatever happens, no procfs anywhere in the sandbox may show
# timer_list (the masks travel with the procfs; /proc and /dev are checked
# to be the sandbox's own mounts after pivot_root, else the start fails).
# The renames go on while the service runs: where its /proc is named then
# is not the point, that it is masked is.
unit procrace "RootDirectory=$root
Init=no"
python3 - "$root" <<'PY' &
import os, sys
r = sys.argv[1]
pairs = [(os.path.join(r, n), os.path.join(r, n + ".x")) for n in ("proc", "dev")]
while True:
    for a, b in pairs:
        try:
            os.rename(a, b)
            os.rename(b, a)
        except OSError:
            pass
PY
renamer=$!
bad=0 started=0
for i in $(seq 1 150); do
	run procrace -- /bin/sh -c 'for d in /proc /proc.x; do [ -e $d/timer_list ] && head -c 16 $d/timer_list | wc -c; done; exit 0'
	[ "$rc" = 0 ] && started=$((started + 1))
	for w in $out; do [ "$w" -gt 0 ] 2>/dev/null && bad=$i; done
	[ "$bad" != 0 ] && break
done
kill "$renamer" 2>/dev/null
wait "$renamer" 2>/dev/null
renamer=
[ -d "$root/proc" ] || mv "$root/proc.x" "$root/proc" 2>/dev/null
[ -d "$root/dev" ] || mv "$root/dev.x" "$root/dev" 2>/dev/null
# a race in which no start got through, or a kernel without timer_list,
# shows nothing: neither may pass
if [ -z "$(head -c 1 /proc/timer_list 2>/dev/null)" ]; then
	skip attack-procfs-rename-race "this kernel has no /proc/timer_list with content to unmask"
elif [ "$bad" != 0 ]; then
	nok attack-procfs-rename-race "try $bad: an unmasked /proc/timer_list (out: $(oneline "$out"))"
elif [ "$started" = 0 ]; then
	nok attack-procfs-rename-race "none of 150 starts ran (last: rc $rc, $(oneline "$err"))"
else ok "attack-procfs-rename-race ($started of 150 started, masks held)"; fi

# ---- item 7: a bind source swapped for a symlink by the unit itself ----
mkdir -p "$work/share/src"
unit bindswap "RootDirectory=$root
Init=no
BindPaths=$work/share:/share
BindPaths=$work/share/src:/data"
run bindswap -- /bin/sh -c 'rm -rf /share/src && ln -s / /share/src && echo swapped'
if [ "$out" != swapped ]; then
	nok attack-bind-source-symlink "the first run could not swap the source (rc $rc: $(oneline "$err"))"
else
	run bindswap -- /bin/cat "/data$hostdir/host-marker"
	if no_secret attack-bind-source-symlink "the host's / was bound at /data"; then
		if [ "$rc" = 125 ]; then ok attack-bind-source-symlink
		else nok attack-bind-source-symlink "want a refused start (125), got rc $rc"; fi
	fi
fi
# a magic link as a source: /proc/self/root (and /proc/1/root) is the host's
unit bindmagic "RootDirectory=$root
Init=no
BindPaths=/proc/self/root$hostdir:/data"
run bindmagic -- /bin/cat /data/host-marker
no_secret attack-bind-source-magiclink "a magic link reached the host folder" &&
	{ [ "$rc" = 125 ] && ok attack-bind-source-magiclink || nok attack-bind-source-magiclink "rc $rc"; }

# ---- item 14: RootDirectory= is a symlink, or has one in a component ---
mkdir -p "$work/other"
cp -a "$root/." "$work/other/"
echo "host-secret" >"$work/other/marker"
ln -s "$work/other" "$work/rootlink"
ln -s "$work" "$work/dirlink"
unit rootsym "RootDirectory=$work/rootlink
Init=no"
run rootsym -- /bin/cat /marker
no_secret attack-root-symlink "the root's symlink was followed" &&
	{ [ "$rc" = 125 ] && ok attack-root-symlink || nok attack-root-symlink "rc $rc"; }
unit rootcomp "RootDirectory=$work/dirlink/other
Init=no"
run rootcomp -- /bin/cat /marker
no_secret attack-root-symlink-component "a symlinked component was followed" &&
	{ [ "$rc" = 125 ] && ok attack-root-symlink-component || nok attack-root-symlink-component "rc $rc"; }

# ---- safe defaults: the run and unit folders are never visible --------
look="ls -a $SANDBOXD_RUN_DIR $units 2>&1; cat $SANDBOXD_RUN_DIR/run-marker $units/unit-marker 2>&1; exit 0"
unit hide-noroot "Init=no"
run hide-noroot -- /bin/sh -c "$look"
no_secret attack-hide-no-rootdir "a unit without RootDirectory sees PID 1's folders" &&
	{ [ "$rc" = 0 ] && ok attack-hide-no-rootdir || nok attack-hide-no-rootdir "rc $rc: $(oneline "$err")"; }
unit hide-bind "RootDirectory=$root
Init=no
BindPaths=$work:/w
BindPaths=$SANDBOXD_RUN_DIR:/run
BindPaths=$units:/etc/u"
run hide-bind -- /bin/sh -c "ls -a /run /etc/u /w/run /w/units; cat /run/run-marker /w/units/unit-marker; exit 0"
no_secret attack-hide-rootdir-binds "binds of the folders (or a parent) show them" &&
	{ [ "$rc" = 0 ] && ok attack-hide-rootdir-binds || nok attack-hide-rootdir-binds "rc $rc: $(oneline "$err")"; }
# /proc/PID/root of a host process (this shell: its root is the host's,
# as PID 1's is) as a bind source, and looked through from inside
unit hide-proc1 "Init=no
Namespaces=~pid
BindPaths=/proc/$$/root$SANDBOXD_RUN_DIR:/mnt"
run hide-proc1 -- /bin/sh -c "ls -a /mnt /proc/$$/root$SANDBOXD_RUN_DIR /proc/1/root$SANDBOXD_RUN_DIR; cat /mnt/run-marker /proc/$$/root$SANDBOXD_RUN_DIR/run-marker; exit 0"
no_secret attack-hide-proc-root "/proc/PID/root reaches past the cover" &&
	{ [ "$rc" = 125 ] && ok attack-hide-proc-root || nok attack-hide-proc-root "want a refused start, rc $rc"; }
unit hide-control "Init=no
ControlAccess=yes"
run hide-control -- /bin/sh -c "ls -A $SANDBOXD_RUN_DIR; ls -A $units; exit 0"
if [ "$out" = control.sock ]; then ok attack-hide-control-access-only-socket
else nok attack-hide-control-access-only-socket "want only control.sock, got '$(oneline "$out")' (rc $rc: $(oneline "$err"))"; fi
# a ControlAccess unit whose own tmpfs covers the run folder's parent (a
# private /run, as the defaults give) still finds the socket, and only it
unit hide-control-tmp "Init=no
ControlAccess=yes
TemporaryFileSystem=$work"
run hide-control-tmp -- /bin/sh -c "ls -A $SANDBOXD_RUN_DIR; python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except ConnectionRefusedError:
    print(\"reached\")
except OSError as e:
    print(e)' $SANDBOXD_RUN_DIR/control.sock; exit 0"
if [ "$(printf '%s' "$out" | tr '\n' ' ')" = "control.sock reached" ]; then ok attack-hide-control-access-private-run
else nok attack-hide-control-access-private-run "want the socket alone, reachable; got '$(oneline "$out")' (rc $rc: $(oneline "$err"))"; fi
run hide-noroot -- /bin/ls -A "$SANDBOXD_RUN_DIR"
if [ -z "$out" ]; then ok attack-hide-no-socket-without-access
else nok attack-hide-no-socket-without-access "the run folder shows '$(oneline "$out")'"; fi

# ---- safe defaults: the system's root read-only, with its submounts ----
tag=sbx-atk-$$
unit rootro "Init=no
ReadOnlyRoot=yes
TemporaryFileSystem=/tmp"
if ! "$SANDBOXCTL" check --units "$units" "$units/rootro.unit" >/dev/null 2>&1; then
	skip attack-root-readonly "this parser refuses ReadOnlyRoot= without RootDirectory= (the default comes with the config side of issue #9)"
else
	targets="/$tag $hostdir/$tag"
	[ -d /dev/shm ] && targets="$targets /dev/shm/$tag"
	[ -d /run ] && targets="$targets /run/$tag"
	run rootro -- /bin/sh -c "for t in $targets; do touch \$t 2>/dev/null && echo wrote \$t; done; touch /tmp/x && echo tmp-ok; exit 0"
	wrote=
	for t in $targets; do [ -e "$t" ] && wrote="$wrote $t" && rm -f "$t"; done
	# /dev/shm and /run inside are the unit's own (its /dev, its private
	# /run): what counts is the host's side, and the root and $hostdir
	if [ -n "$wrote" ] || printf '%s' "$out" | grep -qE "^wrote (/$tag|$hostdir/)"; then
		nok attack-root-readonly "the unit wrote to the host:$wrote $(oneline "$out")"
	elif ! printf '%s' "$out" | grep -qx tmp-ok; then
		nok attack-root-readonly "its own TemporaryFileSystem is not writable (rc $rc: $(oneline "$out $err"))"
	else ok attack-root-readonly; fi
fi
unit sysro "Init=no"
# the top mount on /sys (the last one listed) must be read-only
run sysro -- /bin/sh -c 'awk "\$5 == \"/sys\" { o = \$6 } END { print o }" /proc/self/mountinfo'
case $out in
ro,* | ro) ok attack-sys-readonly ;;
*) nok attack-sys-readonly "/sys is mounted '$out' (rc $rc: $(oneline "$err"))" ;;
esac

# nothing of the host changed
if [ "$(cat "$hostdir/host-marker")" = host-secret ] && [ "$(ls -A "$hostdir")" = host-marker ] &&
	[ "$(ls -A "$SANDBOXD_RUN_DIR" | tr '\n' ' ')" = "control.sock run-marker " ]; then
	ok attack-launch-host-unchanged
else
	nok attack-launch-host-unchanged "host folders changed: $(ls -A "$hostdir" "$SANDBOXD_RUN_DIR" | tr '\n' ' ')"
fi
