# checks: atk-config-tasksmax atk-config-tasksmax-others-fork atk-config-fifo-reload atk-config-reload-6000-mounts atk-config-reload-6000-mounts-rss
# Attacks on the unit parser and the default limits, as the real PID 1
# (issue #9, items 8, 15, 17): a unit that forks without a TasksMax= of its
# own, a FIFO and a 6000-path unit in the unit folder at a reload. Every unit
# this adds is removed again, and the folder reloaded. The 6000-path unit
# goes first: the reloads of ordinary units after it leave PID 1's allocator
# as the reload checks after the attacks expect it (pid1-reload-no-leak).

atk_fork=$UNITS/atk-config-fork.unit
atk_fifo=$UNITS/atk-config-fifo.unit
atk_big=$UNITS/atk-config-big.unit

# ---- item 15: 6000 BindPaths= (40 KB) at a reload
set -- $(rss_of_pid1)
rss0=$1
{
	printf '[Service]\nExecStart=%s sleep 100000\n[Sandbox]\n' "$PROBE"
	i=1
	while [ $i -le 6000 ]; do
		[ $((i % 500)) = 1 ] && printf '\nBindPaths='
		printf '/%x ' $i
		i=$((i + 1))
	done
	printf '\n'
} > "$atk_big"
( $CTL reload >/dev/null 2>&1 & )
if wait_for 30 state_is atk-config-big failed &&
   $CTL status atk-config-big 2>&1 | grep -q 'more than 256 mounts'; then
	ok atk-config-reload-6000-mounts
else
	nok atk-config-reload-6000-mounts "state $(jget atk-config-big state): $($CTL status atk-config-big 2>&1 | tr '\n' ' ' | cut -c1-200)"
fi
set -- $(rss_of_pid1)
rss1=$1
note "PID 1 Rss around the 6000-path unit's reload: $rss0 -> $rss1 kB"
if [ "$rss1" -le $((rss0 + 2048)) ]; then
	ok atk-config-reload-6000-mounts-rss
else
	nok atk-config-reload-6000-mounts-rss "PID 1 Rss $rss0 -> $rss1 kB"
fi
rm -f "$atk_big"
$CTL reload >/dev/null 2>&1
wait_for 10 sh -c "! $CTL status --json atk-config-big >/dev/null 2>&1"

# ---- item 8: a FIFO in the unit folder at a reload
mkfifo "$atk_fifo"
( $CTL reload >/dev/null 2>&1 & )
if wait_for 10 state_is atk-config-fifo failed && timeout 5 $CTL status >/dev/null 2>&1; then
	ok atk-config-fifo-reload
else
	nok atk-config-fifo-reload "PID 1 did not answer within 10 s of a reload with a FIFO unit ($(jget atk-config-fifo state))"
	# unblock an old PID 1 so that the tier can go on
	( echo > "$atk_fifo" & ) ; sleep 1
fi
rm -f "$atk_fifo"

# ---- item 17: a unit with no TasksMax= forks as much as it can
cat > "$atk_fork" <<UNIT
[Service]
Type=oneshot
ExecStart=$PROBE forkbomb 3000
Restart=no
UNIT
$CTL reload >/dev/null 2>&1
wait_for 10 exists atk-config-fork
$CTL start atk-config-fork >/dev/null 2>&1
if wait_for 120 log_has atk-config-fork 'forkbomb: forked='; then
	forked=$($CTL logs atk-config-fork 2>/dev/null | sed -n 's/.*forkbomb: forked=\([0-9]*\).*/\1/p' | tail -n 1)
	if [ -n "$forked" ] && [ "$forked" -lt 512 ]; then
		ok atk-config-tasksmax
		note "a unit without TasksMax= forked $forked children of the 3000 it wanted"
	else
		nok atk-config-tasksmax "the unit forked ${forked:-?} children (want fewer than the default 512)"
	fi
else
	nok atk-config-tasksmax "no forkbomb result in its log: $($CTL status atk-config-fork 2>&1 | tr '\n' ' ' | cut -c1-200)"
fi
# while it ran, and after, PID 1 and the admin could still fork
if sh -c 'exit 0' && timeout 5 $CTL status >/dev/null 2>&1; then
	ok atk-config-tasksmax-others-fork
else
	nok atk-config-tasksmax-others-fork "the admin shell or PID 1 could not fork after the unit"
fi
$CTL stop atk-config-fork >/dev/null 2>&1
rm -f "$atk_fork"
$CTL reload >/dev/null 2>&1
wait_for 10 sh -c "! $CTL status --json atk-config-fork >/dev/null 2>&1"
