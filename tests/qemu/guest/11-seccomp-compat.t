#!/bin/sh
# 11-seccomp-compat.t: SystemCallArchitectures=native on an arm64 kernel.
# A 32-bit arm process (the armhf probe, /bin/probe32, which tier.sh adds
# to the aarch64 image) enters the kernel by the AArch32 compat path: its
# calls carry AUDIT_ARCH_ARM, and every sandboxd filter holds the native
# architecture only, so its first call inside a sandboxed unit must kill
# it with SIGSYS, under the default profile, an allow list and the
# hardening keys alike. Outside any sandbox, and in a unit without a
# filter, it must run: that proves this kernel has the compat path
# (CONFIG_COMPAT) and that the filter, not the sandbox, is what kills.
# On x86_64 the same class (i386, x32) is 10-seccomp.t's; elsewhere this
# script skips with the reason.
ctl=${SANDBOXCTL:-/bin/sandboxctl}
probe32=${PROBE32:-/bin/probe32}
units=/tmp/units-11
mkdir -p $units

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }

names="guest-compat-arm-runs guest-compat-arm-unfiltered-runs guest-seccomp-compat-arm-killed
guest-seccomp-compat-arm-allow-list-killed guest-seccomp-compat-arm-hardened-killed"
skip_all() {
	for n in $names; do skip "$n" "$1"; done
	exit 0
}

machine=$(uname -m)
[ "$machine" = aarch64 ] || skip_all "the kernel is $machine, not aarch64 (x86_64's i386 and x32 checks are 10-seccomp.t's)"
[ -x "$probe32" ] || skip_all "no $probe32 in this image (tests/qemu/tier.sh adds the armhf probe on aarch64)"

# The control: the 32-bit probe runs here, outside any sandbox.
"$probe32" exit 7 > /tmp/compat.out 2>&1
rc=$?
if [ "$rc" != 7 ]; then
	# 126/127 or "Exec format error": the kernel cannot run AArch32 code
	# (no CONFIG_COMPAT, or a CPU without AArch32 at EL0)
	if grep -qi 'format\|not found\|cannot execute' /tmp/compat.out || [ "$rc" -ge 126 ]; then
		skip_all "this kernel or CPU runs no 32-bit arm code: $probe32 exit 7 gives status $rc: $(head -c 200 /tmp/compat.out)"
	fi
	nok guest-compat-arm-runs "$probe32 exit 7 outside a sandbox gives status $rc: $(head -c 200 /tmp/compat.out)"
else
	ok guest-compat-arm-runs
fi

# unit LINES: the unit cp on the guest's own root with LINES
unit() {
	printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nInit=no\n%s\n' "$1" > $units/cp.unit
}

# want NAME EXPECTED: the unit cp runs the 32-bit probe; a 64-bit shell
# reports how it ended (SIGSYS is 31: status 159), and nothing else (a
# shell may say "Bad system call" on its stderr: dropped inside)
want() {
	got=$("$ctl" run --no-cgroup $units/cp.unit -- /bin/sh -c "exec 2>/dev/null; $probe32 exit 7; echo status \$?" 2>&1)
	if [ "$got" = "$2" ]; then ok "$1"; else nok "$1" "want '$2', got '$(echo $got | cut -c1-300)'"; fi
}

# No filter at all (no profile, no RestrictNamespaces=, no key): it runs.
unit "SeccompProfile=none
RestrictNamespaces=no"
want guest-compat-arm-unfiltered-runs "status 7"

# The default profile (a deny list): killed by the architecture check.
unit ""
want guest-seccomp-compat-arm-killed "status 159"

# An allow list: the same, though exit and exit_group are always allowed
# (the 32-bit numbers never reach the rules).
unit "SystemCallFilter=@system-service"
want guest-seccomp-compat-arm-allow-list-killed "status 159"

# The hardening keys filter arguments of native calls only; a 32-bit
# process does not get near them.
unit "RestrictAddressFamilies=AF_UNIX AF_INET
LockPersonality=yes
MemoryDenyWriteExecute=yes
RestrictSUIDSGID=yes"
want guest-seccomp-compat-arm-hardened-killed "status 159"
exit 0
