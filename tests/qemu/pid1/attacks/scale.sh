# checks: pid1-scale-200-running pid1-scale-memory pid1-scale-300-accepted
# Many units at once (issue #10): scale-N.unit files are written and loaded
# with `sandboxctl reload` in three steps, each unit `sleep 100000` with the
# default namespaces and seccomp profile plus MemoryMax= and TasksMax=:
# - 10, then 200: every one running (pid1-scale-200-running), and PID 1's
#   memory (/proc/1/smaps_rollup) read at both; its anonymous memory may
#   grow by at most 4 KiB per idle unit (pid1-scale-memory). Idle sleeps
#   write no log line, so no log page of theirs is allowed for; the other
#   units of the image go on logging meanwhile (tick, memhog, crashloop),
#   allowed for by SCALE_SLACK_KB;
# - 300: every one accepted and running (pid1-scale-300-accepted; before
#   issue #10 PID 1 refused every unit past 256, "too many units").
# Then all are removed and reloaded away, so that the reload checks after
# this start from the image's units. Every wait is bounded; the figures
# and the time each step took are printed as `# scale: ...`.
SCALE_SLACK_KB=64

scale_write() {   # scale_write FIRST LAST
	_i=$1
	while [ "$_i" -le "$2" ]; do
		printf '[Service]\nExecStart=/bin/sleep 100000\n[Resources]\nMemoryMax=8M\nTasksMax=4\n' \
			> "$UNITS/scale-$_i.unit"
		_i=$((_i + 1))
	done
}
# How many scale-N units `status` lists, and how many of them run.
scale_count() { $CTL status 2>/dev/null | awk '$1 ~ /^scale-/ { n++; if ($2 == "running") r++ } END { print n + 0, r + 0 }'; }
scale_none() { set -- $(scale_count); [ "$1" = 0 ]; }
# Load units FROM..TO; prints how long until all TO ran, in ms, or
# "stalled": no unit more running for STALL_S seconds (units failing to
# start: their reasons are printed by the caller), or "timeout" after BOUND_S.
scale_load() {   # scale_load FROM TO BOUND_S STALL_S
	_t0=$(now_ms)
	scale_write "$1" "$2"
	$CTL reload >/dev/null 2>&1
	_end=$((_t0 + $3 * 1000)) _last=-1 _since=$_t0
	while :; do
		_c=$(scale_count)
		_r=${_c#* } _now=$(now_ms)
		if [ "$_r" -ge "$2" ]; then
			echo $((_now - _t0))
			return
		fi
		[ "$_r" = "$_last" ] || { _last=$_r; _since=$_now; }
		if [ $((_now - _since)) -ge $(($4 * 1000)) ]; then
			echo stalled
			return
		fi
		if [ "$_now" -ge "$_end" ]; then
			echo timeout
			return
		fi
		usleep 300000
	done
}
scale_ms() { case $1 in *[0-9]) echo "after $1 ms" ;; *) echo "$1" ;; esac; }
# PID 1's memory once the loop has settled (the last status files written).
scale_mem() { usleep 500000; rss_of_pid1; }

scale_t0=$(now_ms)
t10=$(scale_load 1 10 60 20)
set -- $(scale_mem)
rss10=$1 pss10=$2 anon10=$3
note "scale: 10 units running ($(scale_ms "$t10")); PID 1 Rss $rss10 kB, Pss $pss10 kB, Anonymous $anon10 kB"

t200=$(scale_load 11 200 300 20)
set -- $(scale_count)
n200=$1 r200=$2
set -- $(scale_mem)
rss200=$1 pss200=$2 anon200=$3
note "scale: 200 units, $r200 running ($(scale_ms "$t200")); PID 1 Rss $rss200 kB, Pss $pss200 kB, Anonymous $anon200 kB"
# why a unit is not running: its state and status's message
scale_why() {   # scale_why WANTED LISTED
	[ "$2" -ge "$1" ] || printf '%s not listed (refused at load); ' $(($1 - $2))
	$CTL status 2>/dev/null | awk '$1 ~ /^scale-/ && $2 != "running" { print $1 }' | head -n 2 |
		while read -r _u; do
			echo "$_u $(jget "$_u" state): $($CTL status "$_u" 2>/dev/null | sed -n 's/^ *Message: //p' | head -n 1)"
		done | tr '\n' ';'
}
case $t200 in
stalled|timeout) nok pid1-scale-200-running "$r200 of 200 running, $n200 listed ($t200): $(scale_why 200 "$n200")" ;;
*) ok pid1-scale-200-running ;;
esac

# bytes per added unit, and the bound: 4 KiB each plus the other units' logs
per_anon=$(( (anon200 - anon10) * 1024 / 190 ))
per_rss=$(( (rss200 - rss10) * 1024 / 190 ))
per_pss=$(( (pss200 - pss10) * 1024 / 190 ))
bound=$(( 190 * 4 + SCALE_SLACK_KB ))
note "scale: per unit from 10 to 200: Anonymous $per_anon B, Rss $per_rss B, Pss $per_pss B (bound: $((anon200 - anon10)) kB <= $bound kB)"
if [ "$r200" -lt 200 ] || [ "$anon10" = 0 ]; then
	nok pid1-scale-memory "not measured: $r200 of 200 units running (Anonymous at 10: $anon10 kB)"
elif [ $((anon200 - anon10)) -le "$bound" ]; then
	ok pid1-scale-memory
else
	nok pid1-scale-memory "Anonymous grew $((anon200 - anon10)) kB for 190 idle units ($per_anon B each), want <= 4096 B each ($bound kB with $SCALE_SLACK_KB kB for the other units' logs)"
	maps_of_pid1 | awk '$3 > 64 { print "# scale: mapping " $0 " kB" }'
fi

t300=$(scale_load 201 300 300 20)
set -- $(scale_count)
n300=$1 r300=$2
note "scale: 300 units: $n300 listed, $r300 running ($(scale_ms "$t300"))"
case $t300 in
stalled|timeout) nok pid1-scale-300-accepted "$r300 of 300 running, $n300 listed ($t300): $(scale_why 300 "$n300")" ;;
*) ok pid1-scale-300-accepted ;;
esac

t0=$(now_ms)
rm -f "$UNITS"/scale-*.unit
$CTL reload >/dev/null 2>&1
if wait_for 240 scale_none; then
	note "scale: all removed in $(($(now_ms) - t0)) ms"
else
	set -- $(scale_count)
	note "scale: $1 scale units still listed 240 s after their removal"
fi
note "scale: the whole test took $(($(now_ms) - scale_t0)) ms"
