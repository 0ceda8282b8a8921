#!/bin/sh
# check.sh - the checks of the PID-1 tier (tests/qemu/pid1.sh), run in the
# guest by the script unit of `demo.sh --script` once net, web, tick and
# memhog are up: root, unsandboxed, the system's namespaces, busybox tools.
# Prints `ok NAME` / `not ok NAME: why` and `# ` comment lines on the
# console; the demo's script unit powers the guest off when this returns.
#
# The units: demo/units (less console.unit) and tests/qemu/pid1/units;
# added.unit is written here for the reload check. The order: the state
# after boot, then the fault tests, PID 1's memory after them, and last the
# reload checks (which change the set of units, and so PID 1's memory).
# Keep the output short: every line goes through PID 1 to a serial console.
# shellcheck disable=SC2046 # set -- $(...) splits numbers into $1 $2 ... on purpose

CTL=/bin/sandboxctl
PROBE=/bin/probe
SOCK=/run/sandboxd/control.sock
UNITS=/etc/sandboxd

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
note() { echo "# $*"; }

# Guest clock in ms (centisecond resolution): the time since boot.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# A top-level value of `sandboxctl status --json UNIT` (strings unquoted).
jget() {
	$CTL status --json "$1" 2>/dev/null |
		sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p"
}
# The STATE column of `sandboxctl status` for UNIT.
table_state() { $CTL status 2>/dev/null | awk -v u="$1" '$1 == u { print $2 }'; }
state_is() {
	_u=$1
	shift
	_s=$(jget "$_u" state)
	for _w; do [ "$_s" = "$_w" ] && return 0; done
	return 1
}
log_has() { $CTL logs "$1" 2>/dev/null | grep -q -- "$2"; }
exists() { $CTL status --json "$1" >/dev/null 2>&1; }

# wait_for SECS CMD ARGS...: until CMD succeeds (polled every 0.2 s).
wait_for() {
	_end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$_end" ] || return 1
		usleep 200000
	done
}

# Rss, Pss and Anonymous of PID 1 in kB. Pss moves with what other processes
# share of PID 1's pages (its forks, every sandboxctl), so the leak checks are
# on Rss and on the anonymous memory (heap, rings, stack) whoever shares it.
rss_of_pid1() {
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Anonymous:/ { a = $2 }
		END { print r + 0, p + 0, a + 0 }' /proc/1/smaps_rollup
}
# Resident kB per mapping of PID 1, to name what grew.
maps_of_pid1() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { m = $1 " " ($6 == "" ? "anon" : $6) } /^Rss:/ { print m, $2 }' /proc/1/smaps
}

# ---- right after boot ------------------------------------------------------------

set -- $(rss_of_pid1)
rss_boot=$1 pss_boot=$2 anon_boot=$3
maps_of_pid1 > /run/pid1-maps.boot
memhog_restarts0=$(jget memhog restarts)
note "pid1: $(cat /proc/1/comm), started at $(now_ms) ms of uptime"

# ---- 1. every unit in its state ---------------------------------------------------

# The test units start in parallel with the script: give them time to settle.
wait_for 20 state_is ignoreterm running
wait_for 10 state_is reloadme running
wait_for 10 state_is removeme running
wait_for 10 state_is zombies inactive
table=$($CTL status 2>&1)
rc=$?
why=
[ $rc = 0 ] || why="sandboxctl status exited $rc"
echo "$table" | head -n 1 | grep -q '^UNIT *STATE *PID *UPTIME *RESTARTS *MEMORY *LAST EXIT$' ||
	why="${why:+$why; }no table header"
for want in web:running tick:running net:exited memhog:running/backoff/starting \
	crashloop:running/backoff/starting/failed ignoreterm:running reloadme:running \
	removeme:running zombies:inactive script:running cycle-a:failed cycle-b:failed \
	badsyntax:failed; do
	u=${want%%:*}
	got=$(echo "$table" | awk -v u="$u" '$1 == u { print $2 }')
	case "/${want#*:}/" in
	*"/$got/"*) [ -n "$got" ] || why="${why:+$why; }$u missing" ;;
	*) why="${why:+$why; }$u is ${got:-missing}, not ${want#*:}" ;;
	esac
done
n=$(echo "$table" | awk 'NR > 1' | wc -l)
[ "$n" = 13 ] || why="${why:+$why; }$n units listed, not 13"
if [ -z "$why" ]; then
	ok pid1-boot-states
else
	nok pid1-boot-states "$why"
	echo "$table" | sed 's/^/# /'
fi

# ---- 7. bad units reported, failed with BadUnit, the rest running -------------------

why=
for u in cycle-a cycle-b badsyntax; do
	d=$($CTL status "$u" 2>&1)
	echo "$d" | grep -q '^State: failed ' || why="${why:+$why; }$u not failed"
	echo "$d" | grep -q 'Last State: Terminated  Reason: BadUnit' || why="${why:+$why; }$u: no Reason: BadUnit"
	[ "$(jget "$u" pid)" = null ] || why="${why:+$why; }$u has a process"
done
$CTL status badsyntax | grep -q 'Message: .*badsyntax.unit:5: ' ||
	why="${why:+$why; }badsyntax: the message does not name line 5"
$CTL status cycle-b | grep -q 'Message: .*dependency cycle' ||
	why="${why:+$why; }cycle-b: the message does not say dependency cycle"
if [ -z "$why" ]; then ok pid1-bad-units; else nok pid1-bad-units "$why"; fi

# ---- 9. a non-root caller is refused ------------------------------------------------

out=$(su -s /bin/sh user -c "$CTL status; echo \"rc=\$?\"" 2>&1)
rc=$(echo "$out" | sed -n 's/^rc=//p')
if [ "$rc" = 4 ] && echo "$out" | grep -q "cannot reach PID 1 at $SOCK: Permission denied"; then
	ok pid1-nonroot-refused
else
	nok pid1-nonroot-refused "uid 1000: exit ${rc:-?}: $(echo "$out" | head -n 1)"
fi
# Past the 0600 socket (CAP_DAC_OVERRIDE kept, effective uid 1000): the
# server's own SO_PEERCRED check must refuse, and a poweroff above all.
out=$($PROBE sock --euid 1000 "$SOCK" 'poweroff\n' 2>&1)
if echo "$out" | grep -q '^sock: reply 4\\npermission denied' &&
	$CTL status >/dev/null 2>&1; then
	ok pid1-nonroot-peercred
else
	nok pid1-nonroot-peercred "$(echo "$out" | tr '\n' ' ')"
fi

# ---- 10. garbage on the socket --------------------------------------------------------

why=
web_restarts0=$(jget web restarts)
sock_try() {   # sock_try EXPECTED-REPLY-PREFIX PROBE-ARGS...
	_want=$1
	shift
	_out=$($PROBE sock "$@" 2>&1)
	echo "$_out" | grep -q "^sock: reply $_want" ||
		why="${why:+$why; }$*: $(echo "$_out" | tail -n 1 | cut -c 1-80)"
}
sock_try '2\\nrequest is not text (byte 0x00' "$SOCK" '\x00\xff\xfe garbage\n'
sock_try '2\\nrequest without a newline' "$SOCK" 'status'
sock_try '2\\nrequest longer than' --repeat 20000 "$SOCK" 'A'
sock_try '2\\nwords of a request are separated' "$SOCK" 'status  web\n'
sock_try '2\\nunknown request "frobnicate"' "$SOCK" 'frobnicate\n'
sock_try '2\\nlogs: "99999999999" is not' "$SOCK" 'logs web 99999999999 0\n'
sock_try '3\\nunit "nosuch" not found' "$SOCK" 'stop nosuch\n'
out=$($PROBE sock "$SOCK" '' 2>&1)
echo "$out" | grep -q '^sock: no reply' || why="${why:+$why; }empty: $(echo "$out" | tail -n 1)"
out=$($CTL status 2>&1) || why="${why:+$why; }sandboxctl status failed afterwards: $out"
[ "$(jget web state)" = running ] && [ "$(jget web restarts)" = "$web_restarts0" ] ||
	why="${why:+$why; }web disturbed"
if [ -z "$why" ]; then ok pid1-garbage; else nok pid1-garbage "$why"; fi

# ---- 5. kill -9 of a service's main process -------------------------------------------

web_up() { timeout 5 wget -q -O - http://127.0.0.1/ 2>/dev/null | grep -q 'Hello from web.unit'; }
why=
web_up || why="web does not answer before"
p0=$(jget web pid)
r0=$(jget web restarts)
case $p0 in '' | null) why="${why:+$why; }web has no pid" ;; esac
kill -9 "$p0"
restarted() { p=$(jget web pid) && [ "$p" != "$p0" ] && [ "$p" != null ] && state_is web running; }
if wait_for 15 restarted; then
	r1=$(jget web restarts)
	[ "$r1" = $((r0 + 1)) ] || why="${why:+$why; }restarts $r0 -> $r1"
	$CTL status web | grep -q 'Last State: Terminated  Reason: Killed  Exit Code: 137  Signal: 9' ||
		why="${why:+$why; }no 'Reason: Killed  Exit Code: 137  Signal: 9'"
	wait_for 10 web_up || why="${why:+$why; }web does not answer after"
else
	why="${why:+$why; }not running again with a new pid within 15 s (state $(jget web state), pid $(jget web pid))"
fi
if [ -z "$why" ]; then ok pid1-kill9-restart; else nok pid1-kill9-restart "$why"; fi
note "web: pid $p0 -> $(jget web pid)"

# ---- 6. stop of a unit that ignores SIGTERM -----------------------------------------

why=
state_is ignoreterm running || why="ignoreterm not running"
t0=$(now_ms)
out=$($CTL stop ignoreterm 2>&1) || why="${why:+$why; }stop: $out"
state_is ignoreterm stopping || why="${why:+$why; }not stopping right after the stop ($(jget ignoreterm state))"
if wait_for 20 state_is ignoreterm inactive; then
	t1=$(now_ms)
	el=$((t1 - t0))
	note "stop of ignoreterm (TimeoutStopSec=2s) took $el ms"
	[ "$el" -ge 1900 ] && [ "$el" -lt 5000 ] || why="${why:+$why; }took $el ms, not 2 to 5 s"
	[ "$(jget ignoreterm pid)" = null ] || why="${why:+$why; }still has a pid"
else
	why="${why:+$why; }not inactive within 20 s ($(jget ignoreterm state))"
fi
if [ -z "$why" ]; then ok pid1-stop-timeout; else nok pid1-stop-timeout "$why"; fi
# Up again, so that the poweroff at the end has it to kill as well.
$CTL start ignoreterm >/dev/null 2>&1

# ---- 4. 1000 orphaned zombies ------------------------------------------------------------

why=
procs0=$(awk '/^processes/ { print $2 }' /proc/stat)
touch /run/pid1-zombies
t0=$(now_ms)
out=$($CTL start zombies 2>&1) || why="start: $out"
zombies() { grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l; }
no_zombies() { [ "$(zombies)" = 0 ]; }
if wait_for 120 log_has zombies 'zombies: 1000 orphans handed to the reaper'; then
	t1=$(now_ms)
	if wait_for 30 no_zombies; then
		t2=$(now_ms)
		procs1=$(awk '/^processes/ { print $2 }' /proc/stat)
		note "zombies: $((procs1 - procs0)) processes made, orphans handed over after $((t1 - t0)) ms, none left $((t2 - t1)) ms later"
		[ $((procs1 - procs0)) -ge 1001 ] || why="${why:+$why; }only $((procs1 - procs0)) processes were made"
	else
		why="${why:+$why; }$(zombies) zombies left after 30 s"
		grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | head -n 3 |
			while read -r f; do note "$f: $(grep -E '^(Name|PPid):' "$f" | tr '\n' ' ')"; done
	fi
	state_is zombies running || why="${why:+$why; }the unit is $(jget zombies state)"
else
	why="${why:+$why; }no 'orphans handed' line within 120 s (state $(jget zombies state))"
fi
$CTL stop zombies >/dev/null 2>&1
if [ -z "$why" ]; then ok pid1-orphan-zombies; else nok pid1-orphan-zombies "$why"; fi

# ---- 2. the memory hog: OOMKilled, restarted with a doubling backoff ------------------

why=
d=$($CTL status memhog 2>&1)
echo "$d" | grep -q '^Last State: Terminated  Reason: OOMKilled  Exit Code: 137$' ||
	why="no 'Last State: Terminated  Reason: OOMKilled  Exit Code: 137'"
ooms=$(echo "$d" | sed -n 's/^OOM Kills: //p')
restarts=$(echo "$d" | sed -n 's/^Restart Count: //p')
note "memhog: restarts $memhog_restarts0 at boot, now $restarts; OOM kills $ooms"
[ "${ooms:-0}" -ge 1 ] || why="${why:+$why; }OOM Kills: ${ooms:-?}"
[ "${restarts:-0}" -ge 2 ] && [ "${restarts:-0}" -gt "${memhog_restarts0:-0}" ] ||
	why="${why:+$why; }Restart Count ${memhog_restarts0:-?} -> ${restarts:-?}"
[ "$(jget memhog oom_kills)" -ge 1 ] 2>/dev/null || why="${why:+$why; }json oom_kills $(jget memhog oom_kills)"
if [ -z "$why" ]; then ok pid1-memhog-oom; else nok pid1-memhog-oom "$why"; fi

# From its log (PID 1's timestamps): each run starts with "memhog: 1 MiB"; the
# pause before it is from the last line of the run before (just before the
# OOM kill) to that first line: RestartSec=1s doubling up to RestartMaxSec=8s.
delays() {
	$CTL logs memhog | awk '
	function ms(t,  a) { split(substr(t, 12, 12), a, ":"); return int((a[1] * 3600 + a[2] * 60 + a[3]) * 1000 + 0.5) }
	{ t = ms($1) }
	$2 == "memhog:" && $3 == "1" && $4 == "MiB" && NF == 4 && have { d = t - last; if (d < 0) d += 86400000; printf "%d ", d }
	{ last = t; have = 1 }'
}
three_delays() { set -- $(delays); [ $# -ge 3 ]; }
wait_for 40 three_delays
set -- $(delays)
note "memhog pauses between runs (ms): $*"
why=
[ $# -ge 3 ] || why="only $# pauses seen"
want=1000
i=1
bad=0
for got; do
	# the pause is at least the delay, plus reaping and launching under TCG
	if [ "$got" -lt $((want - 50)) ] || [ "$got" -gt $((want + 1500 + want / 4)) ]; then
		bad=$((bad + 1))
		[ $bad -gt 3 ] || why="${why:+$why; }pause $i: $got ms, want about $want"
	fi
	i=$((i + 1))
	[ $want -ge 8000 ] || want=$((want * 2))
done
[ $bad -le 3 ] || why="$why; $((bad - 3)) more"
if [ -z "$why" ]; then ok pid1-memhog-backoff; else nok pid1-memhog-backoff "$why"; fi

# ---- 3. the crash loop hits its start limit; start revives it ------------------------

why=
if wait_for 40 state_is crashloop failed; then
	$CTL status crashloop | grep -q '^Last State: Terminated  Reason: StartLimitHit' ||
		why="no 'Reason: StartLimitHit'"
	$CTL status | grep -q '^crashloop  *failed .*start limit hit$' ||
		why="${why:+$why; }the table does not say 'start limit hit'"
	[ "$(jget crashloop restarts)" -ge 2 ] 2>/dev/null || why="${why:+$why; }restarts $(jget crashloop restarts)"
else
	why="not failed after 40 s ($(jget crashloop state))"
fi
if [ -z "$why" ]; then ok pid1-crashloop-start-limit; else nok pid1-crashloop-start-limit "$why"; fi

why=
r0=$(jget crashloop restarts)
out=$($CTL start crashloop 2>&1) || why="start: $out"
state_is crashloop starting running || why="${why:+$why; }$(jget crashloop state) after start"
more_restarts() { [ "$(jget crashloop restarts)" -gt "$r0" ] 2>/dev/null; }
if wait_for 15 more_restarts; then
	note "crashloop: restarts $r0 -> $(jget crashloop restarts) after the start"
else
	why="${why:+$why; }restarts still $(jget crashloop restarts) (was $r0), state $(jget crashloop state)"
fi
if [ -z "$why" ]; then ok pid1-crashloop-revive; else nok pid1-crashloop-revive "$why"; fi

# ---- 12. PID 1's memory after the fault tests -------------------------------------------

# The same units as at boot: every unit costs PID 1 memory (its state, spec
# and log ring), so the reload checks, which add and remove units, come after.
set -- $(rss_of_pid1)
rss_after=$1 pss_after=$2 anon_after=$3
note "rss boot=$rss_boot kB after=$rss_after kB (pss boot=$pss_boot kB after=$pss_after kB; anonymous $anon_boot -> $anon_after kB)"
why=
[ "$rss_after" -le $((rss_boot + rss_boot / 10)) ] || why="Rss $rss_boot -> $rss_after kB"
[ "$anon_after" -le $((anon_boot + anon_boot / 10)) ] || why="${why:+$why; }Anonymous $anon_boot -> $anon_after kB"
[ "$rss_boot" -gt 0 ] || why="${why:+$why; }no /proc/1/smaps_rollup"
if [ -z "$why" ]; then
	ok pid1-rss
else
	nok pid1-rss "$why"
	maps_of_pid1 | awk 'NR == FNR { b[$1] = $3; next } $3 != b[$1] { print "# grew: " $0 " kB (was " (b[$1] + 0) ")" }' \
		/run/pid1-maps.boot - | head -n 8
fi

# ---- 13. the attacks (tests/qemu/pid1/attacks/*.sh, each in a subshell) ---------------

note "attacks: start at $(now_ms) ms"
[ -f /usr/libexec/pid1-attacks ] && . /usr/libexec/pid1-attacks
note "attacks: done at $(now_ms) ms"

# ---- 8. reload: an added, a removed and a changed unit -----------------------------------

why=
old_reloadme=$(jget reloadme pid)
old_removeme=$(jget removeme pid)
log_has reloadme 'reloadme version 1' || why="reloadme: no 'version 1' before"
cat > "$UNITS/added.unit" <<'EOF'
[Unit]
Description=Added by the reload check
[Service]
ExecStart=/bin/sh -c 'echo "added unit up"; exec /bin/probe sleep 100000'
EOF
cp "$UNITS/removeme.unit" /run/removeme.unit.saved
rm -f "$UNITS/removeme.unit"
sed -i 's/version 1/version 2/' "$UNITS/reloadme.unit"
out=$($CTL reload 2>&1)
rc=$?
note "reload: exit $rc: $(echo "$out" | head -n 1)"
# The bad units are still there: reported again, and the exit status says so.
echo "$out" | grep -q '^reload: 1 added, 1 removed, 1 changed; units with errors' &&
	echo "$out" | grep -q 'badsyntax.unit:5:' && [ "$rc" = 1 ] ||
	why="reload said (exit $rc): $(echo "$out" | head -n 1)"
if wait_for 15 state_is added running && wait_for 5 log_has added 'added unit up'; then
	ok pid1-reload-added
else
	nok pid1-reload-added "${why:+$why; }added is $(jget added state)"
fi
gone() { ! exists removeme && ! $CTL status | grep -q '^removeme '; }
if wait_for 15 gone && ! [ -d "/proc/$old_removeme" ]; then
	ok pid1-reload-removed
else
	nok pid1-reload-removed "${why:+$why; }removeme: state '$(jget removeme state)', process $old_removeme $([ -d "/proc/$old_removeme" ] && echo alive || echo gone)"
fi
changed() { p=$(jget reloadme pid) && [ "$p" != "$old_reloadme" ] && [ "$p" != null ] && state_is reloadme running; }
if wait_for 15 changed && wait_for 5 log_has reloadme 'reloadme version 2' && ! [ -d "/proc/$old_reloadme" ]; then
	if [ -z "$why" ]; then ok pid1-reload-changed; else nok pid1-reload-changed "$why"; fi
else
	nok pid1-reload-changed "${why:+$why; }reloadme: state $(jget reloadme state), pid $old_reloadme -> $(jget reloadme pid)"
fi
bad=$(table_state cycle-a)/$(table_state cycle-b)/$(table_state badsyntax)
if [ "$bad" = failed/failed/failed ]; then
	ok pid1-reload-kept-bad
else
	nok pid1-reload-kept-bad "cycle-a/cycle-b/badsyntax are $bad after the reload"
fi

# ---- 8b. reload again and again: PID 1's memory levels off ---------------------------------

# The first reload that adds and removes units leaves the allocator with more
# memory than at boot (musl keeps some freed groups for reuse); each further
# round of the same changes must not add to it.
ver=2
reload_round() {   # reload_round removeme|added: the unit that is back
	ver=$((ver + 1))
	sed -i "s/version [0-9]*/version $ver/" "$UNITS/reloadme.unit"
	if [ "$1" = removeme ]; then
		rm -f "$UNITS/added.unit"
		cp /run/removeme.unit.saved "$UNITS/removeme.unit"
	else
		cp /run/added.unit.saved "$UNITS/added.unit"
		rm -f "$UNITS/removeme.unit"
	fi
	$CTL reload >/dev/null 2>&1
	other=added
	[ "$1" = removeme ] || other=removeme
	round_done() { state_is "$1" running && ! exists "$other" && log_has reloadme "reloadme version $ver"; }
	wait_for 15 round_done "$1"
}
cp "$UNITS/added.unit" /run/added.unit.saved
why=
# one warm-up round first: an attack before this (a 6000-path unit parsed
# at a reload) can leave the allocator with fewer cached groups than a
# reload of these units keeps, and the baseline must be the level they keep
reload_round removeme || why="warm-up: removeme not back"
reload_round added || why="${why:+$why; }warm-up: added not back"
# The baseline is the highest of three levels (after the warm-up and after
# two more rounds, each at the same point of a round): one level alone may
# be a few pages low (392 kB Anonymous once on the arm64 guest, where
# 404-432 is the usual), and 8 reloads after it would then seem to grow by
# 5 %. The leak is judged over the 8 reloads after the last of the three.
rss_r1=0 anon_r1=0 levels=
for round in 0 1 2; do
	if [ $round -gt 0 ]; then
		reload_round removeme || why="${why:+$why; }baseline round $round: removeme not back"
		reload_round added || why="${why:+$why; }baseline round $round: added not back"
	fi
	set -- $(rss_of_pid1)
	[ "$1" -le "$rss_r1" ] || rss_r1=$1
	[ "$3" -le "$anon_r1" ] || anon_r1=$3
	levels="$levels $1/$3"
done
for round in 1 2 3 4; do
	reload_round removeme || why="${why:+$why; }round $round: removeme not back"
	reload_round added || why="${why:+$why; }round $round: added not back"
done
set -- $(rss_of_pid1)
rss_r2=$1 anon_r2=$3
note "rss/anonymous kB after a warm-up round and two more:$levels; baseline $rss_r1/$anon_r1 kB, after 8 more reloads $rss_r2/$anon_r2 kB"
[ "$rss_r2" -le $((rss_r1 + rss_r1 * 3 / 100)) ] || why="${why:+$why; }Rss $rss_r1 -> $rss_r2 kB"
[ "$anon_r2" -le $((anon_r1 + anon_r1 * 5 / 100)) ] || why="${why:+$why; }Anonymous $anon_r1 -> $anon_r2 kB"
if [ -z "$why" ]; then ok pid1-reload-no-leak; else nok pid1-reload-no-leak "$why"; fi

note "check.sh: done at $(now_ms) ms of uptime; ignoreterm $(jget ignoreterm state) for the poweroff"
