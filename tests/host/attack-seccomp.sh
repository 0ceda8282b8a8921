#!/bin/bash
# Attacks on the seccomp filter of `sandboxctl run` (issue #9, items 4 and 5).
# Every check is an attack from inside a sandbox (tests/probe/probe.c), and
# checks that it failed and that nothing changed outside.
#
# 5. New namespaces under the default profile: clone(2) with each CLONE_NEW*
#    flag (alone, with CLONE_NEWUSER, from a thread, with CLONE_VFORK, through
#    the i386 entry point), clone3, unshare, setns by ns fd, by pidfd and with
#    nstype 0 are refused and the probe's namespaces do not change;
#    RestrictNamespaces= opens exactly what it names.
# 4. A compiled filter planted where `sandboxctl run` used to cache them
#    (CONFIG_RUN_DIR/seccomp) by a uid-0 writer is never loaded: the next run
#    of a strict unit still has its denied calls denied.
#
# Env: SANDBOXCTL, TOP, PROBE (as tests/host/launch.sh). Needs root.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok attack-seccomp-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	nok attack-seccomp-prereqs "needs root and busybox-static"
	exit 1
fi
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=${PROBE:-$("$TOP/tests/qemu/probe.sh" 2>/dev/null)}
if [ ! -x "$PROBE" ]; then
	nok attack-seccomp-prereqs "cannot build tests/probe/probe.c"
	exit 1
fi

# The launcher's run folder (CONFIG_RUN_DIR of the build tested), where
# `sandboxctl run` used to cache compiled filters: item 4 plants files
# there, so the whole script runs in a private mount namespace with an
# empty tmpfs over it, and the host's folder is never written.
cfg=$(dirname "$(readlink -f "$SANDBOXCTL")")/config.h
run_dir=$(sed -n 's/^#define CONFIG_RUN_DIR "\(\/[^"]*\)"$/\1/p' "$cfg" 2>/dev/null)
run_dir=${run_dir:-/run/sandboxd}
if [ -z "${SBX_ATK_INNER:-}" ]; then
	exec unshare --mount --propagation private env SBX_ATK_INNER=1 PROBE="$PROBE" \
		TOP="$TOP" bash "$0" "$@"
fi
mkdir -p "$run_dir" && mount -t tmpfs -o size=4m,mode=755 sbx-atk "$run_dir" || {
	nok attack-seccomp-prereqs "cannot mount a tmpfs over $run_dir in a private mount namespace"
	exit 1
}

work=$(mktemp -d /tmp/sbx-atk-sc.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# What the kernel allows at all, outside any sandbox (see launch.sh).
no_ia32=
case $("$PROBE" i386-syscall 2>&1) in
*"i386-syscall: getpid="*) ;;
*"killed by SIGSEGV"*) no_ia32="this kernel has no IA32 emulation (the QEMU tier checks it)" ;;
*) no_ia32="int 0x80 outside the sandbox gives: $(oneline "$("$PROBE" i386-syscall 2>&1)")" ;;
esac
no_userns=
case $("$PROBE" ns unshare user 2>&1) in
"unshare user: new namespace") ;;
*) no_userns="user namespaces are refused here ($(oneline "$("$PROBE" ns unshare user 2>&1)")); the QEMU tier has them" ;;
esac

root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$PROBE" "$root/bin/probe"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
units=$work/units
mkdir -p "$units"

# unit NAME SANDBOX_LINES
unit() {
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nRootDirectory=%s\nInit=no\n%s\n' \
		"$root" "$2" >"$units/$1.unit"
}
# run NAME CMD...: sets out, err, rc
run() {
	local n=$1
	shift
	out=$(timeout 20 "$SANDBOXCTL" run --no-cgroup --units "$units" "$n" -- "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
check() {
	if [ "$3" = "$2" ]; then ok "$1"; else nok "$1" "want '$2', got '$(oneline "$3")' (rc $rc, stderr: $(oneline "$err"))"; fi
}
# ns_try NAME UNIT OP TYPES WANT: `probe ns OP TYPES` in UNIT prints exactly
# "OP TYPES: WANT" (and no line saying its own namespaces changed)
ns_try() {
	run "$2" /bin/probe ns "$3" "$4"
	check "$1" "$3 $4: $5" "$out"
}

host_ns=$(readlink /proc/self/ns/user /proc/self/ns/net /proc/self/ns/mnt)

# ---- 5. the default profile, default capabilities: the issue's attack
unit dflt ""
ns_try attack-seccomp-clone-userns-net dflt clone user+net "errno EPERM"
ns_try attack-seccomp-clone-userns dflt clone user "errno EPERM"
ns_try attack-seccomp-clone3-enosys dflt clone3 user+net "errno ENOSYS"
ns_try attack-seccomp-clone-vfork-userns dflt clone-vfork user+net "errno EPERM"
ns_try attack-seccomp-thread-clone-userns dflt thread-clone user+net "errno EPERM"
ns_try attack-seccomp-unshare-userns dflt unshare user "errno EPERM"
ns_try attack-seccomp-setns-pidfd dflt setns-pidfd user+net "errno EPERM"
if [ -n "$no_ia32" ]; then
	skip attack-seccomp-i386-clone-userns "$no_ia32"
else
	ns_try attack-seccomp-i386-clone-userns dflt i386-clone user+net "killed by SIGSYS"
fi
# a plain fork and a thread still work under the filter (libc, the shell)
run dflt /bin/sh -c '/bin/probe exit 7; echo $?'
check attack-seccomp-fork-allowed 7 "$out"

# glibc (2.34+) makes threads and posix_spawn children with clone3 and falls
# back to clone on ENOSYS only: the host's python3, on the system's root.
if [ -x /usr/bin/python3 ]; then
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nInit=no\n' >"$units/sysroot.unit"
	run sysroot /usr/bin/python3 -c 'import os, threading
t = threading.Thread(target=print, args=("thread-ok",), kwargs={"flush": True}); t.start(); t.join()
os.waitpid(os.posix_spawn("/bin/echo", ["echo", "spawn-ok"], os.environ), 0)'
	check attack-seccomp-glibc-clone3-fallback "$(printf 'thread-ok\nspawn-ok')" "$out"
else
	skip attack-seccomp-glibc-clone3-fallback "no /usr/bin/python3 (a glibc program with threads) here"
fi

# With CAP_SYS_ADMIN only the filter can refuse: every type, every way.
unit sysadm "Capabilities=CAP_SYS_ADMIN"
for t in mnt cgroup uts ipc user pid net; do
	ns_try "attack-seccomp-clone-$t" sysadm clone "$t" "errno EPERM"
	ns_try "attack-seccomp-clone3-$t" sysadm clone3 "$t" "errno ENOSYS"
	ns_try "attack-seccomp-unshare-$t" sysadm unshare "$t" "errno EPERM"
done
ns_try attack-seccomp-unshare-time sysadm unshare time "errno EPERM"
ns_try attack-seccomp-setns-net sysadm setns net "errno EPERM"
ns_try attack-seccomp-setns-pidfd-net sysadm setns-pidfd net "errno EPERM"
ns_try attack-seccomp-setns-any sysadm setns-any net "errno EPERM"

# ---- 5. the opt-outs: RestrictNamespaces=no opens all, a list only its types
unit optout "Capabilities=CAP_SYS_ADMIN
RestrictNamespaces=no"
for t in mnt uts ipc pid net; do
	ns_try "attack-seccomp-optout-clone-$t" optout clone "$t" "new namespace"
done
ns_try attack-seccomp-optout-clone3-net optout clone3 net "new namespace"
ns_try attack-seccomp-optout-unshare-net optout unshare net "new namespace"
ns_try attack-seccomp-optout-setns-net optout setns net "ok"
if [ -n "$no_userns" ]; then
	skip attack-seccomp-optout-clone-user "$no_userns"
else
	ns_try attack-seccomp-optout-clone-user optout clone user+net "new namespace"
fi
# and the rest of the default profile still holds
run optout /bin/probe syscall mount
check attack-seccomp-optout-keeps-profile "mount: errno EPERM" "$out"

unit listed "Capabilities=CAP_SYS_ADMIN
RestrictNamespaces=net uts"
ns_try attack-seccomp-list-clone-net listed clone net "new namespace"
ns_try attack-seccomp-list-clone-uts-net listed clone uts+net "new namespace"
ns_try attack-seccomp-list-clone-user-net listed clone user+net "errno EPERM"
ns_try attack-seccomp-list-clone-mnt listed clone mnt "errno EPERM"
ns_try attack-seccomp-list-clone3 listed clone3 net "errno ENOSYS"
ns_try attack-seccomp-list-unshare-net listed unshare net "new namespace"
ns_try attack-seccomp-list-unshare-ipc listed unshare ipc "errno EPERM"
ns_try attack-seccomp-list-setns-net listed setns net "ok"
ns_try attack-seccomp-list-setns-mnt listed setns mnt "errno EPERM"
ns_try attack-seccomp-list-setns-any listed setns-any net "errno EPERM"

# An allow list with the default profile: clone listed, still filtered.
unit allowed "Capabilities=CAP_SYS_ADMIN
SystemCallFilter=read write open openat close readlink readlinkat fstat newfstatat mmap munmap mprotect brk rt_sigprocmask rt_sigaction ioctl getpid gettid fcntl arch_prctl set_tid_address fork clone clone3 wait4 exit_group exit execve futex madvise"
ns_try attack-seccomp-allowlist-clone-net allowed clone net "errno EPERM"
ns_try attack-seccomp-allowlist-clone3 allowed clone3 net "errno ENOSYS"
run allowed /bin/probe exit 5
check attack-seccomp-allowlist-fork-allowed "5" "$rc"

# A bad value is a clear error naming the key, and the unit does not run.
unit badrestrict "RestrictNamespaces=net bogus"
out=$("$SANDBOXCTL" check "$units/badrestrict.unit" 2>&1)
rc=$?
err=
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q 'badrestrict.unit:6: \[Sandbox\] RestrictNamespaces: unknown namespace "bogus"'; then
	ok attack-seccomp-restrict-bad-value
else
	nok attack-seccomp-restrict-bad-value "rc $rc: $(oneline "$out")"
fi

# ---- 4. a planted filter. A strict unit: its denied calls answer EACCES,
# which no capability check gives (without the filter, unshare answers
# EPERM for want of CAP_SYS_ADMIN).
unit strict "SystemCallErrorNumber=EACCES"
run strict /bin/probe syscall unshare
check attack-seccomp-strict-before "unshare: errno EACCES" "$out"
# A uid-0 writer (a unit that sees /run) replaces every compiled filter it
# finds there with an allow-all program, keeping whatever header the file
# has (up to its first NUL), and plants one more under a made-up name.
allow_all='\006\000\000\000\000\000\377\177'   # BPF_RET|BPF_K SECCOMP_RET_ALLOW
planted=0
mkdir -p "$run_dir/seccomp"
for f in "$run_dir"/seccomp/*; do
	[ -f "$f" ] || continue
	keep=$(head -z -n 1 "$f" | wc -c)
	{ head -c "$keep" "$f"; printf "$allow_all"; } >"$f.new" && mv "$f.new" "$f"
	planted=$((planted + 1))
done
printf "$allow_all" >"$run_dir/seccomp/0000000000000000.bpf"
run strict /bin/probe syscall unshare
check attack-seccomp-planted-filter-ignored "unshare: errno EACCES" "$out"
# and `sandboxctl run` reads nothing from the run folder at all
if command -v strace >/dev/null 2>&1; then
	strace -f -qq -e trace=open,openat,openat2 -o "$work/strace" \
		"$SANDBOXCTL" run --no-cgroup --units "$units" strict -- /bin/true >/dev/null 2>&1
	# the launch child opens the folder itself (O_PATH) to cover it with
	# an empty tmpfs (rootfs/hide.c): that reads nothing in it
	if grep "\"$run_dir" "$work/strace" | grep -v "\"$run_dir/*\", O_RDONLY|O_LARGEFILE|O_CLOEXEC|O_PATH|O_DIRECTORY" | grep -q .; then
		nok attack-seccomp-run-dir-not-read "$(grep "\"$run_dir" "$work/strace" | head -n 3 | tr '\n' ' ')"
	else
		ok attack-seccomp-run-dir-not-read
	fi
else
	skip attack-seccomp-run-dir-not-read "no strace here"
fi

# Nothing of this reached the host.
check attack-seccomp-host-ns-unchanged "$host_ns" "$(readlink /proc/self/ns/user /proc/self/ns/net /proc/self/ns/mnt)"
exit 0
