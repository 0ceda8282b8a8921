#!/bin/bash
# A unit removed by reload while it stops (ExecStop= takes a while) and
# put back by the next reload: the new unit of that name runs at once,
# beside the old one, and both have RUN_DIR/units/NAME. The old one's
# end unlinked the new one's notify and log sockets (a Type=notify unit
# without a mount namespace, handed the host path, could never say
# READY=1) and wrote its own state over the new one's (status said
# inactive while the unit ran).
# And the old one's RuntimeDirectory= removal took the new one's folder
# from under it (the same /run/NAME). The new unit now waits until the old
# one is down (one unit is never up twice), and the old one leaves the
# state folder alone.
#  - reload-readd-waits: the new unit starts once the old one is down;
#  - reload-readd-runtime-dir: its RuntimeDirectory= is there while it runs;
#  - reload-readd-sockets: the new unit's notify and log sockets stay;
#  - reload-readd-status: RUN_DIR/units/NAME/status is the running one's.
#
# Env: SANDBOXD, SANDBOXCTL, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
sup_setup reload-readd readd
export SANDBOXD_RUN_DIR=$run
trap 'sup_cleanup; rm -rf "/run/${rt:-none}"' EXIT

rt=sbx-readd-$$
cat >"$work/w.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'date +%s.%N >/run/$rt/started; exec sleep 100000'
ExecStop=/bin/sleep 2
RuntimeDirectory=$rt
[Sandbox]
Namespaces=~mount ~pid
EOT
cp "$work/w.unit" "$units/"
cat >"$units/keep.unit" <<EOT
[Service]
ExecStart=/bin/sleep 100000
EOT


"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
if ! sup_wait w running 10; then
	nok reload-readd-prereqs "w is '$(sup_state w)': $(oneline "$(cat "$work/sup.log")")"
	exit 1
fi
rm "$units/w.unit"
"$SANDBOXCTL" reload >/dev/null 2>&1   # the old w: ExecStop= for 2 s
sleep 0.3
cp "$work/w.unit" "$units/"
"$SANDBOXCTL" reload >/dev/null 2>&1   # the new w: once the old one is down
t_add=$(date +%s.%N)
first=$(cat "/run/$rt/started" 2>/dev/null)
sup_wait w running 6
sleep 0.5
t_up=$(cat "/run/$rt/started" 2>/dev/null)
if [ -n "$t_up" ] && [ "$t_up" != "$first" ] &&
	awk -v a="$t_add" -v u="$t_up" 'BEGIN { exit !(u - a >= 1.2) }'; then
	ok reload-readd-waits
else
	nok reload-readd-waits "added at $t_add, the new w started at ${t_up:-never} (the old one's ExecStop= takes 2 s)"
fi
sleep 2.5   # the old w is gone, whenever the new one started
if ! kill -0 "$sup_pid" 2>/dev/null; then
	nok reload-readd-alive "the supervisor died: $(oneline "$(tail -5 "$work/sup.log")")"
	exit 0
fi
if [ -f "/run/$rt/started" ]; then
	ok reload-readd-runtime-dir
else
	nok reload-readd-runtime-dir "w is '$(sup_state w)' and /run/$rt: $(oneline "$(ls -la "/run/$rt" 2>&1)")"
fi
d=$run/units/w
if [ -S "$d/notify" ] && [ -S "$d/log" ]; then
	ok reload-readd-sockets
else
	nok reload-readd-sockets "$(sup_state w), in $d: $(oneline "$(ls "$d")")"
fi
if [ "$(sup_state w)" = running ] && grep -qx 'state=running' "$d/status"; then
	ok reload-readd-status
else
	nok reload-readd-status "w is '$(sup_state w)', its status file: $(oneline "$(cat "$d/status")")"
fi
