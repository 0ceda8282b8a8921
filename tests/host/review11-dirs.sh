#!/bin/bash
# Review of issue #11's folders (helper "dirs"), with sandboxd as the
# supervisor (not PID 1) and sandboxctl:
#  - dirs-remover-one-batch: the RuntimeDirectory= remover's end and
#    PID 1's bound on it (two fds of one watch record) ready in the same
#    epoll batch (PID 1 busy past the bound, here SIGSTOPped): the first
#    callback freed the record and the second ran on freed memory (a double
#    close of a reused fd number, the event raised twice, a double free);
#    the supervisor must stay up, answer, and start the unit again.
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
sup_setup review11-dirs review11-dirs
tag=sbxr-$$-$RANDOM
host_dirs="/run/$tag-b"
cleanup_dirs() {
	[ -n "${sup_pid:-}" ] && kill -CONT "$sup_pid" 2>/dev/null
	rm -rf $host_dirs
	sup_cleanup
}
trap cleanup_dirs EXIT

cat >"$units/b.unit" <<EOT
[Service]
ExecStart=/bin/sleep 1000
RuntimeDirectory=$tag-b
Restart=no
EOT

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run

wait_status() {
	st=
	for _ in $(seq 1 50); do
		st=$(timeout 2 "$SANDBOXCTL" status "$1" 2>&1)
		printf '%s' "$st" | grep -qE "$2" && return 0
		sleep 0.2
	done
	return 1
}

# the supervisor's children other than the unit's: the remover (a fork,
# "sandboxd" by name)
remover_pid() {
	ps -o pid=,comm= --ppid "$sup_pid" 2>/dev/null | awk '$2 == "sandboxd" { print $1; f = 1; exit } END { exit !f }'
}

# ---- dirs-remover-one-batch ---------------------------------------------------
wait_status b '^State: running'
# enough entries that the remover is still at work when it is looked for
mkdir -p "/run/$tag-b/many"
(cd "/run/$tag-b/many" && seq 1 50000 | xargs touch)
timeout 20 "$SANDBOXCTL" stop b >/dev/null 2>&1 &
rp=
for _ in $(seq 1 1000); do rp=$(remover_pid) && break; done
if [ -z "$rp" ]; then
	skip dirs-remover-one-batch "the remover was not caught at work"
else
	# PID 1 busy past its bound (12 s), the remover gone meanwhile: both
	# of its fds ready at the next epoll_wait
	kill -STOP "$sup_pid"
	kill -KILL "$rp" 2>/dev/null
	sleep 13
	kill -CONT "$sup_pid"
	sleep 1
	wait_status b '^State: (inactive|failed)'
	"$SANDBOXCTL" start b >/dev/null 2>&1
	if kill -0 "$sup_pid" 2>/dev/null && wait_status b '^State: running' &&
	   ! grep -qiE 'double free|corrupt|segfault' "$work/sup.log"; then
		ok dirs-remover-one-batch
	else
		nok dirs-remover-one-batch "supervisor alive: $(kill -0 "$sup_pid" 2>/dev/null && echo yes || echo no); $(oneline "$st $(tail -n 5 "$work/sup.log")")"
	fi
fi

