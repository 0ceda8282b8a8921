# console.sh - sourced by the runners that boot the demo appliance with a
# check script (pid1.sh, demo-boot.sh, tests/daemons/run.sh): the script's
# lines reach the console through PID 1 as "[script] LINE".

# console_why CLEAN RC TIMEOUT DONE SCRIPT LAUNCHER: why the boot whose
# console (carriage returns removed) is CLEAN did not get through, or
# nothing when it did. RC is LAUNCHER's exit status (124: the TIMEOUT s
# ran out); DONE is the line SCRIPT prints last ("# check.sh: done").
console_why() {
	local clean=$1 rc=$2 timeout=$3 done=$4 script=$5 launcher=$6

	if grep -q '^qemu: kernel panic' "$clean"; then
		echo "kernel panic: $(grep -m1 -E 'Kernel panic|Attempted to kill init' "$clean")"
	elif [ "$rc" = 124 ]; then
		echo "timeout after $timeout s"
	elif ! grep -q '^sandboxd: all units started' "$clean"; then
		echo "PID 1 never started every unit (exit $rc)"
	elif ! grep -q "^\\[script\\] $done" "$clean"; then
		echo "$script did not finish (exit $rc)"
	elif [ "$rc" != 0 ]; then
		echo "$launcher exited $rc: $(grep -v '^\[script\]' "$clean" | tail -n 2 | tr '\n' ' ')"
	fi
}
