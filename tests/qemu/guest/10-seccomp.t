#!/bin/sh
# 10-seccomp.t: the checks of the seccomp filter that need this guest's
# kernel (Debian's, with IA32 emulation and user namespaces), which a host
# may lack: i386 (int 0x80) and x32 system calls are killed, and so is an
# i386 clone asking for a new user namespace. tests/host/launch.sh and
# attack-seccomp.sh make the rest of the checks, and skip these where the
# host cannot.
ctl=${SANDBOXCTL:-/bin/sandboxctl}
probe=${PROBE:-/bin/probe}
units=/tmp/units-10
mkdir -p $units

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }

# A unit on the guest's own root, with the default profile.
cat > $units/sc.unit <<EOF
[Service]
ExecStart=$probe caps
[Sandbox]
Init=no
