#!/bin/sh
# 25-cgroup-live.t: the cgroup module's own tests against the guest's
# kernel (tests/unit/test_cgroup.c --live): create, limits,
# CLONE_INTO_CGROUP, events, OOM, kill, and the release through an event
# loop (cg_release_begin/_poll, issue #10). tier.sh adds the binary as
# /bin/test_cgroup when the unit tests were built (./build.sh test builds
# them first; CG_UNIT_TEST names another one).
. /tests/cglib.sh
cg_guard 25-cgroup-live.t

if [ ! -x /bin/test_cgroup ]; then
	echo "skip cgroup-live: no /bin/test_cgroup in the image (build the unit tests first)"
	exit 0
fi
/bin/test_cgroup --live 2>&1 | sed 's/^\(ok\|not ok\|skip\) /\1 cgroup-live: /'
