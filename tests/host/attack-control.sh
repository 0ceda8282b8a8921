#!/bin/bash
# Attacks on the supervisor's control socket, signals, console and output
# files, from inside units of `sandboxd --units DIR` on this host (not as
# PID 1; no cgroup here, so PID 1 tells units apart by their processes and
# namespaces). Every check is an attack: the unit tries, the check looks
# that it failed AND that nothing changed in the supervisor or on the host.
#
# Env: SANDBOXD = sandboxd to test (its sandboxctl link next to it), TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
if [ ! -x "$SANDBOXD" ]; then
	nok control-prereqs "SANDBOXD is not set to an executable sandboxd"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	nok control-prereqs "needs root"
	exit 1
fi
CTL=$(dirname "$SANDBOXD")/sandboxctl
[ -x "$CTL" ] || { nok control-prereqs "no sandboxctl next to $SANDBOXD"; exit 1; }

work=$(mktemp -d /tmp/sbx-atk-control.XXXXXX) || exit 1
run=$work/run
units=$work/units
share=$work/share          # the units write their findings here
hostdir=$work/host         # "the host": files no unit may change
mkdir -p "$run" "$units" "$share" "$hostdir"
chmod 755 "$work"
echo "host data, keep" >"$hostdir/precious"
export SANDBOXD_RUN_DIR=$run
sbx_pid=
followers=()
cleanup() {
	for p in "${followers[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$sbx_pid" ] && kill -TERM "$sbx_pid" 2>/dev/null && wait "$sbx_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# A unit without a mount namespace sees the socket, as one of the old
# defaults did (issue #9 item 3): the strongest position a unit can have.
# unit NAME EXTRA_SANDBOX_LINES SHELL_CMD [EXTRA_SERVICE_LINES]
unit() {
	local restart='Restart=no'
	case ${4:-} in *Restart=*) restart= ;; esac
	printf '[Service]\nExecStart=/bin/sh -c "%s"\n%s\nEnvironment=SANDBOXD_RUN_DIR=%s CTL=%s S=%s\n%s\n[Sandbox]\n%s\n' \
		"$3" "$restart" "$run" "$CTL" "$share" "${4:-}" "${2:-Namespaces=~mount}" >"$units/$1.unit"
}

# wait_for SECS CMD...: poll (10/s) until CMD succeeds
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
state_of() { "$CTL" status --json "$1" 2>/dev/null | grep -o '"state": *"[a-z-]*"' | head -1 | sed 's/.*"\([a-z-]*\)"$/\1/'; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
alive() { kill -0 "$sbx_pid" 2>/dev/null; }
# ms a status request takes (or 99999 when it failed)
status_ms() {
	local t0 t1
	t0=$(date +%s%N)
	timeout 30 "$CTL" status >/dev/null 2>&1 || { echo 99999; return; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# An agent in a unit: runs the shell scripts the test drops in $S/NAME.cmd.I
# (in order) and leaves their output and exit status in $S/NAME.res.I.
agent='i=0; while :; do if [ -f $S/$U.cmd.$i ]; then sh $S/$U.cmd.$i >$S/$U.tmp 2>&1; echo rc=$? >>$S/$U.tmp; mv $S/$U.tmp $S/$U.res.$i; i=$((i + 1)); fi; sleep 0.05; done'
declare -A seq
# in_unit NAME SCRIPT: run SCRIPT in the agent NAME; sets got (output + rc=N)
in_unit() {
	local i=${seq[$1]:-0}
	seq[$1]=$((i + 1))
	printf '%s\n' "$2" >"$share/$1.cmd.tmp"
	mv "$share/$1.cmd.tmp" "$share/$1.cmd.$i"
	got=""
	wait_for 20 test -f "$share/$1.res.$i" && got=$(cat "$share/$1.res.$i")
}

# ---- the units
unit victim "" "exec sleep 1000"
unit atk "" "$agent" "Environment=U=atk"
unit admin "Namespaces=~mount
ControlAccess=yes" "$agent" "Environment=U=admin"
# shares our pid namespace: it can signal the supervisor
unit sig "Namespaces=~mount ~pid" "$agent" "Environment=U=sig"
# output file swapped for a symlink to a host file, then a FIFO; restarted
# by PID 1 between the swaps
unit outfile "" 'n=$(cat $S/outfile.n 2>/dev/null || echo 0); echo $((n + 1)) >$S/outfile.n; case $n in 0) echo first; rm -f $S/out.log; ln -s '"$hostdir"'/precious $S/out.log;; 1) echo second; rm -f $S/out.log; mkfifo $S/out.log;; *) echo third; exec yes flood-flood-flood-flood;; esac; sleep 0.3; exit 1' \
	"Restart=always
RestartSec=500ms
StartLimitBurst=0
StandardOutput=file:$share/out.log"
# holds the FIFO open for reading (never reads), so that opening it for
# writing would succeed
unit fiforeader "" 'while [ ! -p $S/out.log ]; do sleep 0.05; done; exec sleep 1000 <>$S/out.log'
# terminal escapes on the console (the supervisor's stderr here)
unit esc "" "printf 'before\\\\033]0;pwned\\\\007\\\\033[2Jafter\\\\n'; exec sleep 1000" "StandardOutput=console"
unit gone "" "while :; do echo tick; sleep 0.2; done"

printf '0\n' >"$share/outfile.n"
"$SANDBOXD" --units "$units" >"$work/console" 2>&1 &
sbx_pid=$!
if ! wait_for 10 test -S "$run/control.sock" || ! wait_for 10 is_state victim running ||
	! wait_for 10 is_state atk running; then
	nok control-prereqs "the supervisor did not come up: $(oneline "$(cat "$work/console")")"
	exit 1
fi
units_before=$(cd "$units" && ls -l --time-style=+%s . | md5sum)

# ---- item 3: the socket from inside a unit
for v in 'stop victim' reload 'start esc'; do
	in_unit atk "\$CTL $v"
	case $got in
	*ControlAccess*"rc=4") ok "control-socket-unit-refused-${v%% *}" ;;
	*) nok "control-socket-unit-refused-${v%% *}" "want exit 4 naming ControlAccess, got: $(oneline "$got")" ;;
	esac
done
if alive && is_state victim running; then
	ok control-socket-unit-nothing-changed
else
	nok control-socket-unit-nothing-changed "victim=$(state_of victim) supervisor alive=$(alive && echo yes || echo no)"
fi
in_unit admin '$CTL status victim >/dev/null'
if [ "$got" = "rc=0" ]; then
	ok control-socket-controlaccess-yes
else
	nok control-socket-controlaccess-yes "a ControlAccess=yes unit: $(oneline "$got")"
fi
# the admin outside every unit still commands
if "$CTL" restart victim >/dev/null 2>&1 && wait_for 5 is_state victim running; then
	ok control-socket-host-admin
else
	nok control-socket-host-admin "sandboxctl from outside the units: $(oneline "$("$CTL" restart victim 2>&1)")"
fi

# ---- item 10: a flood of followers leaves room for a short request
for i in $(seq 1 24); do
	"$CTL" logs -f gone >/dev/null 2>&1 &
	followers+=($!)
done
sleep 1
ms=$(status_ms)
if [ "$ms" -lt 3000 ] && alive; then
	ok control-followers-capped
else
	nok control-followers-capped "24 followers: status took ${ms} ms ($(oneline "$("$CTL" status 2>&1 | tail -1)"))"
fi
# a follower of a unit that reload removes is closed
mv "$units/gone.unit" "$work/gone.unit.off"
"$CTL" reload >/dev/null 2>&1
sleep 2
left=0
for p in "${followers[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
if [ "$left" = 0 ]; then
	ok control-follower-of-removed-unit-closed
else
	nok control-follower-of-removed-unit-closed "$left of ${#followers[@]} followers still open after reload removed the unit"
fi
for p in "${followers[@]}"; do kill "$p" 2>/dev/null; done
followers=()
mv "$work/gone.unit.off" "$units/gone.unit"

# ---- item 6: the output file swapped for a symlink, then a FIFO
wait_for 15 sh -c "grep -q 'outfile.*not a regular file' '$work/console' || [ \"\$(cat '$share/outfile.n')\" -ge 3 ]"
sleep 2
if [ "$(cat "$hostdir/precious")" = "host data, keep" ] && grep -q 'outfile.*out.log.*symlink' "$work/console"; then
	ok control-outfile-symlink
else
	nok control-outfile-symlink "host file now '$(oneline "$(cat "$hostdir/precious")")'; console: $(oneline "$(grep outfile "$work/console")")"
fi
worst=0
for i in 1 2 3 4 5; do
	ms=$(status_ms)
	[ "$ms" -gt "$worst" ] && worst=$ms
	sleep 0.2
done
if [ "$worst" -lt 1000 ] && grep -q 'outfile.*out.log.*not a regular file' "$work/console"; then
	ok control-outfile-fifo
else
	nok control-outfile-fifo "status took up to ${worst} ms; console: $(oneline "$(grep outfile "$work/console" | tail -3)")"
fi
"$CTL" stop outfile >/dev/null 2>&1

# ---- item 13: terminal escapes on the console
if grep -q 'before' "$work/console" && ! grep -q $'\x1b' "$work/console" && grep -qF 'before\x1b]0;pwned\x07\x1b[2Jafter' "$work/console"; then
	ok control-console-escapes
else
	nok control-console-escapes "the console got: $(grep -a before "$work/console" | od -c | head -3 | tr -s ' ' | tr '\n' ' ')"
fi

# ---- the run folder's state files, should a unit see them: a symlink
# planted there must not make PID 1 write a host file
in_unit atk "rm -rf \$SANDBOXD_RUN_DIR/units/victim && ln -s $hostdir \$SANDBOXD_RUN_DIR/units/victim &&
ln -sf $hostdir/precious \$SANDBOXD_RUN_DIR/units/admin/.status.tmp"
"$CTL" restart victim >/dev/null 2>&1
"$CTL" restart admin >/dev/null 2>&1
wait_for 5 is_state victim running
wait_for 5 is_state admin running
if [ "$(ls "$hostdir")" = precious ] && [ "$(cat "$hostdir/precious")" = "host data, keep" ]; then
	ok control-state-files-no-follow
else
	nok control-state-files-no-follow "after restarts through planted links, the host folder holds: $(ls "$hostdir" | tr '\n' ' '), precious: $(oneline "$(cat "$hostdir/precious")")"
fi
rm -f "$run/units/victim" "$run/units/admin/.status.tmp"

# ---- item 11 and item 3's worst: shutdown from a unit, by signal and by socket
in_unit sig "kill -USR2 $sbx_pid; kill -TERM $sbx_pid; kill -INT $sbx_pid; kill -USR1 $sbx_pid; sleep 1"
sleep 1
if alive && "$CTL" status >/dev/null 2>&1 && grep -q 'SIG[A-Z0-9]* from pid [0-9]* ignored: it runs inside unit sig' "$work/console"; then
	ok control-signal-from-unit-ignored
else
	nok control-signal-from-unit-ignored "after kill -USR2/-TERM/-INT/-USR1 from a unit ($(oneline "$got")): alive=$(alive && echo yes || echo no), log: $(oneline "$(grep -i sig "$work/console")")"
fi
in_unit atk '$CTL poweroff'
sleep 1
case $got in
*ControlAccess*"rc=4") alive && ok control-socket-unit-refused-poweroff ||
	nok control-socket-unit-refused-poweroff "refused, yet the supervisor is gone" ;;
*) nok control-socket-unit-refused-poweroff "want exit 4 naming ControlAccess, got: $(oneline "$got")" ;;
esac

# nothing changed in the unit folder, the host file, the supervisor
units_after=$(cd "$units" && ls -l --time-style=+%s . | md5sum)
if [ "$units_before" = "$units_after" ] && [ "$(cat "$hostdir/precious")" = "host data, keep" ] && alive; then
	ok control-nothing-changed
else
	nok control-nothing-changed "unit folder or host file changed, or the supervisor is gone"
fi

# the admin's own shutdown signal still works
alive || { nok control-signal-from-admin "the supervisor was already gone"; sbx_pid=; exit 0; }
kill -TERM "$sbx_pid"
if wait_for 15 sh -c "! kill -0 $sbx_pid"; then
	ok control-signal-from-admin
	sbx_pid=
else
	nok control-signal-from-admin "SIGTERM from outside every unit did not stop the supervisor"
fi
exit 0
