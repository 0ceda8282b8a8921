#!/bin/sh
# 26-join-cgroup.t: a command run in a running service (sandbox/join.c's
# relay, as ExecReload= uses it) is in the unit's cgroup, as the service is
# (tests/unit/test_join.c --live). tier.sh adds the binary as
# /bin/test_join when the unit tests were built (JOIN_UNIT_TEST names
# another one).
. /tests/cglib.sh
cg_guard 26-join-cgroup.t

if [ ! -x /bin/test_join ]; then
	echo "skip join-cgroup-live: no /bin/test_join in the image (build the unit tests first)"
	exit 0
fi
/bin/test_join --live 2>&1
