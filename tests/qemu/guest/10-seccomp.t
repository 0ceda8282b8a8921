#!/bin/sh
# 10-seccomp.t: the checks of the seccomp filter that need this guest's
# kernel (Debian's, with IA32 emulation and user namespaces), which a host
# may lack: i386 (int 0x80) and x32 system calls are killed, and so is an
# i386 clone asking for a new user namespace; clone(CLONE_NEWUSER) is
# refused under the default profile and allowed with RestrictNamespaces=no;
# the hardening keys hold on this kernel (6.1) too, and their i386 forms
# (socketcall, personality) are killed.
# tests/host/launch.sh and attack-seccomp.sh make the rest of the checks,
# and skip these where the host cannot.
# On another architecture (the aarch64 tier) the i386 and x32 checks skip
# with the reason and the native ones run: 11-seccomp-compat.t checks the
# 32-bit arm calls there.
ctl=${SANDBOXCTL:-/bin/sandboxctl}
probe=${PROBE:-/bin/probe}
units=/tmp/units-10
mkdir -p $units

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }
machine=$(uname -m)
# x86 FN NAME ARGS...: run a check of the x86-64 kernel's i386/x32 entry points,
# or skip it elsewhere
x86() {
	if [ "$machine" = x86_64 ]; then
		"$@"
	else
		skip "$2" "the kernel is $machine: no i386 or x32 entry point (11-seccomp-compat.t checks 32-bit arm calls)"
	fi
}

# unit LINES: the unit sc on the guest's own root, default profile + LINES
unit() {
	printf '[Service]\nExecStart=%s caps\n[Sandbox]\nInit=no\n%s\n' "$probe" "$1" > $units/sc.unit
}

# want NAME EXPECTED CMD...: `sandboxctl run` of sc with CMD, exact output
want() {
	n=$1 w=$2
	shift 2
	got=$("$ctl" run --no-cgroup $units/sc.unit -- "$@" 2>&1)
	if [ "$got" = "$w" ]; then ok "$n"; else nok "$n" "want '$w', got '$(echo $got | cut -c1-300)'"; fi
}

# The real checks need IA32 emulation here: outside any sandbox, int 0x80 works.
ia32() {
	got=$($probe i386-syscall 2>&1)
	case $got in
	"i386-syscall: getpid="*) ok "$1" ;;
	*) nok "$1" "int 0x80 outside a sandbox gives '$got'; the i386 checks below mean nothing" ;;
	esac
}
x86 ia32 guest-ia32-emulation
got=$($probe ns unshare user 2>&1)
case $got in
"unshare user: new namespace") ok guest-user-namespaces ;;
*) nok guest-user-namespaces "unshare(CLONE_NEWUSER) outside a sandbox gives '$got'" ;;
esac

unit ""
x86 want guest-seccomp-i386-killed "i386-syscall: killed by SIGSYS" $probe i386-syscall
x86 want guest-seccomp-x32-killed "x32-syscall: killed by SIGSYS" $probe x32-syscall

# Issue #9 item 5 on this kernel (6.1): no new user or network namespace
# under the default profile, by any entry point; the i386 clone is killed
# by the architecture check (SystemCallArchitectures=native) before its
# flags are even looked at.
want guest-seccomp-clone-userns-net "clone user+net: errno EPERM" $probe ns clone user+net
want guest-seccomp-clone3-enosys "clone3 user+net: errno ENOSYS" $probe ns clone3 user+net
want guest-seccomp-thread-clone-userns "thread-clone user+net: errno EPERM" $probe ns thread-clone user+net
x86 want guest-seccomp-i386-clone-userns "i386-clone user+net: killed by SIGSYS" $probe ns i386-clone user+net

# RestrictNamespaces=no opens it
unit "RestrictNamespaces=no"
want guest-seccomp-optout-clone-userns-net "clone user+net: new namespace" $probe ns clone user+net

# The hardening keys filter x86-64 calls by their arguments; on i386 socket
# calls go through socketcall(2), whose arguments sit in memory, and
# personality(PER_LINUX32) would change the ABI: neither may get through.
# Outside a sandbox both work here (the control), inside they are killed by
# the architecture check, as every i386 call is.
# control NAME CALL
control() {
	got=$($probe syscall i386-$2 2>&1)
	if [ "$got" = "i386-$2: ok" ]; then ok "$1"; else nok "$1" "outside a sandbox: '$got'"; fi
}
for c in socketcall personality; do
	x86 control guest-i386-$c-control $c
done
unit "SystemCallFilter=@system-service
RestrictAddressFamilies=AF_UNIX AF_INET
LockPersonality=yes
MemoryDenyWriteExecute=yes"
x86 want guest-seccomp-harden-i386-socketcall-killed "i386-socketcall: killed by SIGSYS" $probe syscall i386-socketcall
x86 want guest-seccomp-harden-i386-personality-killed "i386-personality: killed by SIGSYS" $probe syscall i386-personality
want guest-seccomp-harden-netlink-refused "socket-netlink: errno EAFNOSUPPORT" $probe syscall socket-netlink
want guest-seccomp-harden-inet-allowed "socket-inet: ok" $probe syscall socket-inet
want guest-seccomp-harden-wx-refused "mmap-wx: errno EPERM" $probe syscall mmap-wx
want guest-seccomp-harden-linux32-refused "personality-linux32: errno EPERM" $probe syscall personality-linux32
exit 0
