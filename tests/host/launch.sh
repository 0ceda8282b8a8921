#!/bin/bash
# `sandboxctl run` on this host (namespaces, pivot_root, seccomp; no cgroup
# is ever written here: the host's /sys/fs/cgroup is not a cgroup2 mount, so
# units without [Resources] run without one). Every check looks from
# inside a sandboxed busybox shell or probe (tests/probe/probe.c).
#
# Env: SANDBOXCTL = sandboxctl to test, TOP = repo root, PROBE = a static
# probe (default $TOP/build/probe, else compiled here with musl-gcc).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok launch-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok launch-prereqs "needs root and busybox-static"
	exit 1
fi
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

work=$(mktemp -d /tmp/sbx-launch.XXXXXX) || exit 1
hostdir=$(mktemp -d /tmp/sbx-launch-host.XXXXXX) || exit 1
trap 'rm -rf "$work" "$hostdir"' EXIT

# build/probe, rebuilt when older than its source
PROBE=${PROBE:-$("$TOP/tests/qemu/probe.sh" 2>/dev/null)}
if [ ! -x "$PROBE" ]; then
	PROBE=$work/probe.bin
	musl-gcc -static -O2 -o "$PROBE" "$TOP/tests/probe/probe.c" ||
		{ nok launch-prereqs "cannot build tests/probe/probe.c"; exit 1; }
fi

# What this kernel can do at all, asked outside any sandbox: a check that
# needs it reports skip with the reason where it cannot (never ok or not ok).
# - IA32 emulation: without it (CONFIG_IA32_EMULATION=n, ia32_emulation=0)
#   int 0x80 is a general protection fault (SIGSEGV), so a sandboxed i386
#   call says nothing about the filter. The QEMU tier's kernel has it.
# - user namespaces: refused in a chroot and where user.max_user_namespaces
#   is 0.
no_ia32=
case $("$PROBE" i386-syscall 2>&1) in
*"i386-syscall: getpid="*) ;;
*"killed by SIGSEGV"*) no_ia32="this kernel has no IA32 emulation (the QEMU tier checks it)" ;;
*) no_ia32="int 0x80 outside the sandbox gives: $(oneline "$("$PROBE" i386-syscall 2>&1)")" ;;
esac
no_userns=
case $("$PROBE" syscall unshare-user 2>&1) in
"unshare-user: ok") ;;
*) no_userns="user namespaces are refused here ($(oneline "$("$PROBE" syscall unshare-user 2>&1)")); the QEMU tier has them" ;;
esac

# A busybox rootfs with the probe and a passwd that has "user" (1000).
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/home/user"
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp "$PROBE" "$root/bin/probe"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nextra:x:1001:user\n' >"$root/etc/group"
echo "secret" >"$root/etc/secret"
units=$work/units
mkdir -p "$units" "$work/src"
echo "from-the-host" >"$work/src/file"

# unit NAME SANDBOX_LINES SERVICE_LINES: write $units/NAME.unit
unit() {
	{
		printf '[Service]\n'
		case ${3:-} in *ExecStart=*) ;; *) printf 'ExecStart=/bin/true\n' ;; esac
		printf '%s\n' "${3:-}"
		printf '[Sandbox]\nRootDirectory=%s\n%s\n' "$root" "$2"
	} >"$units/$1.unit"
}

# run NAME [-- CMD...]: sets out (stdout), err (stderr), rc
run() {
	local n=$1
	shift
	out=$(timeout 20 "$SANDBOXCTL" run --units "$units" "$n" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}

# check NAME WANT GOT: exact comparison
check() {
	if [ "$3" = "$2" ]; then ok "$1"; else nok "$1" "want '$2', got '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}
# check_has NAME PATTERN TEXT: grep -E
check_has() {
	if printf '%s' "$3" | grep -qE -- "$2"; then ok "$1"; else nok "$1" "no /$2/ in '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}

sh_c() { printf 'ExecStart=/bin/sh -c "%s"\n' "$1"; }

# ---- identity: hostname, pid namespace, namespaces
unit basic "Hostname=box1
Init=no"
run basic -- /bin/hostname
check launch-hostname box1 "$out"
run basic -- /bin/sh -c 'echo $$'
check launch-pid1-init-no 1 "$out"
# the shell counts with its own glob, so it is the only process there can be;
# only entries that exist count (a glob that matches nothing, as without a
# procfs, stays the pattern) and /proc/$$ must be the shell's: a sandbox
# without its own /proc cannot pass
# shellcheck disable=SC2016 # expanded by the sandbox's shell
count_procs='n=0; for p in /proc/[0-9]*; do [ -e "$p/stat" ] && n=$((n + 1)); done; echo $n; [ -e /proc/$$/stat ] && echo own-proc'
run basic -- /bin/sh -c "$count_procs"
check launch-no-host-processes "$(printf '1\nown-proc')" "$out"

unit withinit "Init=yes"
run withinit -- /bin/sh -c 'echo $$'
check launch-pid2-init-yes 2 "$out"

ns_ids() { for t in pid net ipc uts mnt cgroup user; do printf '%s=%s ' "$t" "$(readlink "/proc/$1/ns/$t")"; done; }
host_ns=$(ns_ids self)
ns_cmd='for t in pid net ipc uts mnt cgroup user; do printf "%s=%s " $t $(readlink /proc/self/ns/$t); done'
# compare NAME DIFFERENT_TYPES
ns_check() {
	local bad="" t h s
	for t in pid net ipc uts mnt cgroup user; do
		h=$(printf '%s' "$host_ns" | tr ' ' '\n' | grep "^$t=")
		s=$(printf '%s' "$out" | tr ' ' '\n' | grep "^$t=")
		if [[ " $2 " == *" $t "* ]]; then
			[ -n "$s" ] && [ "$h" != "$s" ] || bad="$bad $t(same)"
		else
			[ "$h" = "$s" ] || bad="$bad $t(differs)"
		fi
	done
	if [ -z "$bad" ]; then ok "$1"; else nok "$1" "namespaces:$bad; inside: $(oneline "$out")"; fi
}
run basic -- /bin/sh -c "$ns_cmd"
ns_check launch-ns-default "pid net ipc uts mnt cgroup"
unit nonet "Namespaces=~net
Init=no"
run nonet -- /bin/sh -c "$ns_cmd"
ns_check launch-ns-without-net "pid ipc uts mnt cgroup"
unit userns "Namespaces=pid mount user uts
Init=no"
if [ -n "$no_userns" ]; then
	skip launch-ns-user "$no_userns"
	skip launch-userns-map "$no_userns"
else
	run userns -- /bin/sh -c "$ns_cmd"
	ns_check launch-ns-user "pid mnt user uts"
	run userns -- /bin/cat /proc/self/uid_map
	check_has launch-userns-map '^ +0 +0 +65536$' "$out"
fi

# ---- capabilities, no_new_privs, seccomp
unit caps "Capabilities=CAP_CHOWN CAP_NET_ADMIN
Init=no"
run caps -- /bin/probe caps
check_has launch-capeff 'CapEff:[[:space:]]+0000000000001001' "$out"
check_has launch-capbnd 'CapBnd:[[:space:]]+0000000000001001' "$out"
check_has launch-capinh-empty 'CapInh:[[:space:]]+0000000000000000' "$out"
check_has launch-nonewprivs 'NoNewPrivs:[[:space:]]+1' "$out"
check_has launch-seccomp-mode 'Seccomp:[[:space:]]+2' "$out"

run basic -- /bin/probe syscall mount
check launch-seccomp-mount-eperm "mount: errno EPERM" "$out"
run basic -- /bin/probe syscall unshare
check launch-seccomp-unshare-eperm "unshare: errno EPERM" "$out"
unit eacces "SystemCallErrorNumber=EACCES
Init=no"
run eacces -- /bin/probe syscall unshare
check launch-seccomp-errno-eacces "unshare: errno EACCES" "$out"
unit sckill "SystemCallErrorNumber=kill
Init=no"
run sckill -- /bin/probe syscall mount
check launch-seccomp-kill "mount: killed by SIGSYS" "$out"
if [ -n "$no_ia32" ]; then
	skip launch-seccomp-i386-blocked "$no_ia32"
else
	run basic -- /bin/probe i386-syscall
	check launch-seccomp-i386-blocked 'i386-syscall: killed by SIGSYS' "$out"
fi
# x32 numbers (bit 30) are refused by the filter itself, kernel support or not
run basic -- /bin/probe x32-syscall
check launch-seccomp-x32-blocked 'x32-syscall: killed by SIGSYS' "$out"
unit allow "SystemCallFilter=read write openat close fstat mmap munmap brk exit_group rt_sigprocmask rt_sigaction ioctl getpid fcntl arch_prctl set_tid_address
Init=no"
run allow -- /bin/probe syscall unshare
check launch-seccomp-allow-list "unshare: errno EPERM" "$out"

# ---- mounts: read-only root, masked and read-only paths, /dev
run basic -- /bin/probe write /newfile
check launch-root-readonly "write /newfile: errno EROFS" "$out"
# Masked files read empty, masked folders list empty: judged only where the
# host has them with content (else the check could not fail).
masked_files= masked_dirs=
for f in /proc/timer_list /proc/keys /proc/sched_debug /proc/latency_stats; do
	[ -n "$(head -c 1 "$f" 2>/dev/null)" ] && masked_files="$masked_files $f"
done
for d in /proc/acpi /proc/scsi /proc/asound; do
	[ -n "$(ls -A "$d" 2>/dev/null)" ] && masked_dirs="$masked_dirs $d"
done
if [ -z "$masked_files" ]; then
	skip launch-masked-paths "none of timer_list keys sched_debug latency_stats in this host's /proc has content"
else
	run basic -- /bin/sh -c "for f in $masked_files; do printf '%s=' \$f; wc -c < \$f; done"
	check launch-masked-paths "$(for f in $masked_files; do printf '%s=0\n' "$f"; done)" "$out"
fi
if [ -z "$masked_dirs" ]; then
	skip launch-masked-dirs "none of /proc/acpi /proc/scsi /proc/asound has entries on this host"
else
	run basic -- /bin/sh -c "for d in $masked_dirs; do printf '%s=' \$d; ls -A \$d | wc -l; done"
	check launch-masked-dirs "$(for d in $masked_dirs; do printf '%s=0\n' "$d"; done)" "$out"
fi
if [ -e /proc/kcore ]; then
	run basic -- /bin/sh -c 'wc -c </proc/kcore'
	check launch-masked-kcore 0 "$out"
else
	skip launch-masked-kcore "this kernel has no /proc/kcore"
fi
run basic -- /bin/probe write /proc/sys/kernel/hostname
check launch-proc-sys-readonly "write /proc/sys/kernel/hostname: errno EROFS" "$out"
run basic -- /bin/sh -c 'ls /dev | tr "\n" " "; echo x >/dev/null && echo null-ok; readlink /dev/ptmx'
check_has launch-dev "^fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero null-ok pts/ptmx" "$(echo $out)"
# The host's device nodes bound into /dev and over masked files are
# read-only mounts: usable, but a chmod from inside cannot reach the host's
# inode (CVE-2025-31133 class).
unit devchmod "Capabilities=CAP_CHOWN CAP_FOWNER
Init=no"
null_ctime=$(stat -c %Z /dev/null)
run devchmod -- /bin/sh -c 'echo x >/dev/null && echo null-ok; chmod 0600 /dev/null 2>&1 || echo chmod-refused; chmod 0600 /proc/keys 2>&1 || echo mask-refused'
check_has launch-dev-null-chmod-refused "null-ok.*Read-only file system.*chmod-refused.*Read-only file system.*mask-refused" "$(echo $out)"
check launch-dev-null-host-untouched "$null_ctime" "$(stat -c %Z /dev/null)"
unit binds "BindPaths=$work/src:/srv/rw
BindReadOnlyPaths=$work/src:/srv/ro
TemporaryFileSystem=/scratch:size=1m
Init=no"
run binds -- /bin/sh -c 'cat /srv/rw/file /srv/ro/file; echo x >/srv/ro/x 2>/dev/null || echo ro-refused; echo y >/scratch/y && echo tmpfs-ok'
check launch-bind-paths "$(printf 'from-the-host\nfrom-the-host\nro-refused\ntmpfs-ok')" "$out"

# ---- credentials and limits
unit uid "Init=no" "User=1000"
run uid -- /bin/probe ids
check_has launch-user-numeric '^uid=1000 gid=1000 euid=1000 egid=1000' "$out"
unit uname "Init=no
Capabilities=CAP_NET_BIND_SERVICE" "User=user
SupplementaryGroups=extra"
run uname -- /bin/probe ids
check_has launch-user-name '^uid=1000 gid=1000 euid=1000 egid=1000 .*groups=1001' "$out"
run uname -- /bin/probe caps
check_has launch-user-ambient 'CapAmb:[[:space:]]+0000000000000400' "$out"
unit limits "Init=no" "LimitNOFILE=100:200"
run limits -- /bin/probe rlimit NOFILE
check_has launch-rlimit-nofile '^NOFILE: 100 200' "$out"
run basic -- /bin/probe fds
check launch-only-stdio-fds "fds: 0 1 2" "$out"
run withinit -- /bin/probe fds
check launch-only-stdio-fds-init "fds: 0 1 2" "$out"
# CVE-2024-21626: a directory fd the caller leaves open does not get in
out=$(timeout 20 "$SANDBOXCTL" run --units "$units" basic -- /bin/probe fds 5</tmp 7<"$0" 2>&1)
check launch-no-leaked-fds "fds: 0 1 2" "$out"
unit oom "Init=no" "OOMScoreAdjust=500"
run oom -- /bin/cat /proc/self/oom_score_adj
check launch-oom-score-adj 500 "$out"

# ---- exit statuses
run basic -- /bin/true
check launch-exit-0 0 "$rc"
run basic -- /bin/sh -c 'exit 3'
check launch-exit-3 3 "$rc"
run withinit -- /bin/sh -c 'kill -TERM $$; sleep 5'
check launch-exit-sigterm-143 143 "$rc"
unit nopid "Namespaces=~pid
Init=no"
run nopid -- /bin/sh -c 'kill -TERM $$; sleep 5'
check launch-exit-sigterm-no-pidns 143 "$rc"
( sleep 1; pkill -TERM -f "sandboxctl run --units $units withinit -- /bin/sleep 30" ) &
run withinit -- /bin/sleep 30
check launch-forward-sigterm 143 "$rc"
wait

# ---- the command line
unit args "Init=no" 'ExecStart=/bin/echo from the unit'
run args
check launch-execstart "from the unit" "$out"
run args -- /bin/echo replaced
check launch-args-replace "replaced" "$out"

# ---- clear errors
run basic -- /bin/nope
check launch-missing-binary-rc 127 "$rc"
check_has launch-missing-binary-msg '^sandboxctl: basic: exec /bin/nope: No such file or directory$' "$err"
unit noroot "Init=no"
sed -i "s|^RootDirectory=.*|RootDirectory=$work/no-such-root|" "$units/noroot.unit"
run noroot
check_has launch-missing-rootfs "^sandboxctl: noroot: root $work/no-such-root: No such file or directory$" "$err"
if [ "$rc" = 125 ]; then ok launch-missing-rootfs-rc; else nok launch-missing-rootfs-rc "want 125 (a setup step failed), got $rc"; fi
unit badbind "BindPaths=$work/no-such-src:/srv/x
Init=no"
run badbind
check_has launch-bad-bind-source "^sandboxctl: badbind: bind $work/no-such-src: No such file or directory$" "$err"
unit baduser "Init=no" "User=nobody-here"
run baduser
if [ "$rc" -eq 1 ] && printf '%s' "$err" | grep -q 'nobody-here'; then ok launch-unknown-user
else nok launch-unknown-user "rc $rc, stderr: $(oneline "$err")"; fi
run basic -- relative/path
check launch-relative-command-usage 2 "$rc"

# ---- no RootDirectory: the system's root (not its /tmp: the unit has its
# own, and the tree may be a clone under /tmp), its own /proc
cat >"$units/sysroot.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'echo \$\$; test -e /etc/os-release && echo host-root'
[Sandbox]
Init=no
EOT
run sysroot
sysroot_out=$out
run sysroot -- /bin/sh -c "$count_procs"
# the shell counts with its own glob: no child of its own can race the count
check launch-system-root "$(printf '1\nhost-root\n1\nown-proc')" "$sysroot_out
$out"

# ---- a hostile rootfs: nothing may land outside it. Symlinks in it point
# at the host's $hostdir (absolute, and through ".."); the unit's mount
# destinations, masked and read-only paths go through them. (".." in the
# unit's own paths is refused by the parser; tests/unit/test_rootfs.c
# covers it in the resolver.)
evil=$work/evil
cp -a "$root" "$evil"
rm -rf "$evil/etc"
ln -s "/../../../../..$hostdir" "$evil/etc"          # /etc -> the host's $hostdir
ln -s "$hostdir" "$evil/data"                         # /data -> the host's $hostdir
mkdir -p "$evil/real"; echo inside >"$evil/real/secret"
ln -s "../../../../../real" "$evil/link"              # /link -> /real inside
mkdir -p "$evil$hostdir"                              # where they lead, inside
echo marker >"$hostdir/marker"
before=$(cd "$hostdir" && ls -lR --time-style=+%s . | md5sum)
cat >"$units/evil.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'cat /real/secret; echo ---; cat /etc/marker 2>&1; cat /data/via-data/file; probe write /data/ro/x'
[Sandbox]
RootDirectory=$evil
Init=no
BindPaths=$work/src:/etc/via-etc
BindPaths=$work/src:/data/via-data
TemporaryFileSystem=/data/ro
MaskedPaths=/link/secret /data/marker
ReadOnlyPaths=/data/ro
EOT
run evil
after=$(cd "$hostdir" && ls -lR --time-style=+%s . | md5sum)
if [ "$before" = "$after" ] && [ ! -e "$hostdir/via-etc" ] && [ ! -e "$hostdir/via-data" ]; then
	ok launch-hostile-rootfs-host-untouched
else
	nok launch-hostile-rootfs-host-untouched "$(ls -la "$hostdir" | tr '\n' ' ')"
fi
if [ -d "$evil$hostdir/via-etc" ] && [ -d "$evil$hostdir/via-data" ]; then
	ok launch-hostile-rootfs-dest-inside
else
	nok launch-hostile-rootfs-dest-inside "mount points not created inside the rootfs (rc $rc: $(oneline "$err"))"
fi
check launch-hostile-rootfs-view "$(printf -- '---\ncat: can'"'"'t open '"'"'/etc/marker'"'"': No such file or directory\nfrom-the-host\nwrite /data/ro/x: errno EROFS')" "$out"
# A dangling symlink is not followed to create its target (anywhere).
dangle=/tmp/sbx-launch-dangle.$$
ln -s "$dangle" "$evil/dangling"
unit dangling "BindPaths=$work/src:/dangling/x
Init=no"
sed -i "s|^RootDirectory=.*|RootDirectory=$evil|" "$units/dangling.unit"
run dangling
if [ "$rc" = 125 ] && [ ! -e "$dangle" ] && [ ! -e "$evil$dangle" ]; then
	ok launch-hostile-dangling-symlink
else
	nok launch-hostile-dangling-symlink "rc $rc, $(ls -d "$dangle" "$evil$dangle" 2>&1 | tr '\n' ' ') $(oneline "$err")"
fi
check_has launch-hostile-dangling-msg '^sandboxctl: dangling: create /dangling/x: ' "$err"

# ---- CVE-2019-5736: our binary is not reachable for writing
run withinit -- /bin/probe exe-write
check_has launch-exe-write-init 'exe-write: blocked' "$out"
unit nopidexe "Namespaces=~pid
Init=no"
run nopidexe -- /bin/probe exe-write
check_has launch-exe-write-no-pidns 'exe-write: blocked' "$out"

# ---- Init=yes reaps orphans
run withinit -- /bin/sh -c '/bin/probe zombies 5 --orphan & sleep 1; cat /proc/[0-9]*/stat | awk "\$3 == \"Z\"" | wc -l; kill $!'
check_has launch-init-reaps-zombies '^0$' "$(printf '%s' "$out" | tail -n 1)"
exit 0
