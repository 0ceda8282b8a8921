#!/bin/bash
# Issue #10 on this host, through the supervisor in development mode
# (`sandboxd --units DIR`, not PID 1) and `sandboxctl`:
#  - PID 1 reads no file of a unit's rootfs: User=/Group= names are
#    resolved by the launch child, so an unknown user is a failed start
#    ("user X: not found in ROOT/etc/passwd"), not a unit refused at load,
#    while `sandboxctl check` (the client) still names it at its line;
#  - a known name runs as its number;
#  - a kernel file system bound in is refused by the launch child, with the
#    message the parent gave before.
#
# Env: SANDBOXD, SANDBOXCTL = the binaries to test, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
sup_setup launch-async async
mkdir -p "$work/out"
chmod 1777 "$work/out"   # the user "nobody" writes there

cat >"$units/byname.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'id -u > $work/out/byname; exec sleep 1000'
User=nobody
[Sandbox]
Init=no
BindPaths=$work/out
EOT
cat >"$units/nouser.unit" <<EOT
[Service]
ExecStart=/bin/sleep 1000
User=nobody-here
[Sandbox]
Init=no
EOT
cat >"$units/kbind.unit" <<EOT
[Service]
ExecStart=/bin/sleep 1000
[Sandbox]
Init=no
BindPaths=/proc:/var/k
EOT

out=$("$SANDBOXCTL" check "$units/nouser.unit" 2>&1)
if printf '%s' "$out" | grep -q 'nouser.unit:3: \[Service\] User: unknown user "nobody-here"'; then
	ok launch-async-check-names-unknown-user
else
	nok launch-async-check-names-unknown-user "$(oneline "$out")"
fi

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!

# status LINE of UNIT, once it matches RE (10 s at most)
wait_status() {
	st=
	for _ in $(seq 1 50); do
		st=$(SANDBOXD_RUN_DIR=$run timeout 2 "$SANDBOXCTL" status "$1" 2>&1)
		printf '%s' "$st" | grep -qE "$2" && return 0
		sleep 0.2
	done
	return 1
}

wait_status byname '^State: running'
for _ in $(seq 1 50); do [ -s "$work/out/byname" ] && break; sleep 0.1; done
if [ "$(cat "$work/out/byname" 2>/dev/null)" = 65534 ]; then
	ok launch-async-user-by-name-in-child
else
	nok launch-async-user-by-name-in-child "uid '$(cat "$work/out/byname" 2>/dev/null)': $(oneline "$st")"
fi

# the log keeps it (status shows the last reason, StartLimitHit after a few)
for _ in $(seq 1 50); do grep -q 'user nobody-here: not found in /etc/passwd' "$work/sup.log" && break; sleep 0.2; done
if grep -q 'nouser: user nobody-here: not found in /etc/passwd' "$work/sup.log"; then
	ok launch-async-unknown-user-fails-start
else
	nok launch-async-unknown-user-fails-start "log: $(oneline "$(cat "$work/sup.log")")"
fi

for _ in $(seq 1 50); do grep -q "kbind: bind /proc: holds" "$work/sup.log" && break; sleep 0.2; done
if grep -q "kbind: bind /proc: holds the kernel's proc file system at /proc (no kernel file system is ever bound into a unit): Operation not permitted" "$work/sup.log"; then
	ok launch-async-kernel-fs-refused-by-child
else
	nok launch-async-kernel-fs-refused-by-child "log: $(oneline "$(cat "$work/sup.log")")"
fi
