#!/bin/sh
# check.sh - the checks of the daemons tier (tests/daemons/run.sh), run in
# the guest by script.unit once the daemons and their clients have
# started: root, unsandboxed, the system's namespaces, busybox tools and the
# Debian tree at /. Prints `ok NAME` / `not ok NAME: why` / `skip NAME:
# reason` and `# ` comment lines on the console; script.unit powers the
# guest off when this returns.
#
# The daemons' networks are private: this script reaches them with busybox
# nsenter into the daemon's network namespace (the clients reach them
# through JoinsNamespaceOf=).

CTL=/bin/sandboxctl

ok() { echo "ok $1"; }
nok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }
note() { echo "# $*"; }
res() { if [ -z "$2" ]; then ok "$1"; else nok "$1" "$2"; fi; }

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# A top-level value of `sandboxctl status --json UNIT` (strings unquoted).
jget() {
	$CTL status --json "$1" 2>/dev/null |
		sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p"
}
state_is() {
	_u=$1
	shift
	_s=$(jget "$_u" state)
	for _w; do [ "$_s" = "$_w" ] && return 0; done
	return 1
}
# A line "Key: value" of `sandboxctl status UNIT`.
sget() { $CTL status "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1; }
main_pid() { sget "$1" 'Main PID'; }
logs() { $CTL logs "$1" 2>/dev/null; }
log_has() { logs "$1" | grep -q -- "$2"; }
wait_for() {
	_end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$_end" ] || return 1
		usleep 200000
	done
}
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# in_net PID CMD...: CMD in the network namespace of PID (and nothing else of it).
in_net() { _p=$1; shift; nsenter -n -t "$_p" -- "$@"; }
fold() { tr '\n' ' ' | cut -c 1-200; }

# The appliance's own loopback up, so that "not reachable from the
# appliance's network" below means no listener there, not a down lo.
ip link set lo up

# ---- every unit in its state -------------------------------------------------------

daemons="redis-server mosquitto nginx"
clients="redis-client mosquitto-client nginx-client"
# One bound for them all (TimeoutStartSec= is 90 s): the clients are done.
settled() {
	for _c in $clients; do state_is "$_c" exited inactive failed || return 1; done
	for _d in $daemons; do state_is "$_d" running failed || return 1; done
}
wait_for 120 settled
why=
for u in $daemons; do
	state_is "$u" running || why="${why:+$why; }$u is $(jget "$u" state)"
done
for u in $clients; do
	state_is "$u" exited inactive || why="${why:+$why; }$u is $(jget "$u" state)"
done
res daemons-states "$why"
[ -z "$why" ] || $CTL status 2>&1 | sed 's/^/# /'

# ---- the main pid is the daemon's, running as its user ------------------------------

# comm of the daemon's main process, and its uid.
for want in redis-server:redis-server:101 mosquitto:mosquitto:102 nginx:nginx:0; do
	u=${want%%:*}
	rest=${want#*:}
	comm=${rest%%:*}
	uid=${rest#*:}
	why=
	p=$(main_pid "$u")
	case $p in
	'' | - | *[!0-9]*) why="no main pid ($p)" ;;
	*)
		got=$(cat "/proc/$p/comm" 2>/dev/null)
		[ "$got" = "$comm" ] || why="main pid $p is \"$got\", not $comm"
		[ "$(uid_of "$p")" = "$uid" ] || why="${why:+$why; }main pid $p runs as uid $(uid_of "$p"), not $uid"
		;;
	esac
	res "$u-main-pid" "$why"
	eval "pid_${u%%-*}=\$p"
done
# Type=notify: READY=1 made them running (mosquitto sends nothing else);
# the STATUS= text redis sends with it is shown by status.
st=$(sget redis-server Status)
want='Ready to accept connections'
if [ "$st" = "$want" ]; then ok redis-server-notify-status; else nok redis-server-notify-status "Status: \"$st\", not \"$want\""; fi

# nginx's workers are www-data's (uid 33), as nginx.conf's "user www-data" says.
why=
children() {
	for _d in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ { print $2 }' "$_d/status" 2>/dev/null)" = "$1" ] && echo "${_d#/proc/}"
	done
}
w=$(for c in $(children "${pid_nginx:-0}"); do uid_of "$c"; done | sort -u | tr '\n' ' ')
[ "$w" = "33 " ] || why="the master's children run as uid \"$w\", not 33"
res nginx-workers-user "$why"

# ---- the runtime directories, owned by the daemon's user ----------------------------

for want in redis:redis:101:2755 mosquitto:mosquitto:102:740; do
	v=${want%%:*}
	rest=${want#*:}
	dir=/run/${rest%%:*}
	rest=${rest#*:}
	uid=${rest%%:*}
	mode=${rest#*:}
	eval "p=\${pid_$v:-}"
	u=$v
	[ "$v" = redis ] && u=redis-server
	got=$(stat -c '%u %a' "/proc/$p/root$dir" 2>&1)
	if [ "$got" = "$uid $mode" ]; then ok "$u-runtime-dir"; else nok "$u-runtime-dir" "$dir in the sandbox: \"$got\", not \"$uid $mode\""; fi
done

# ---- the clients talked to their daemons on the first try ---------------------------

client_ok() {   # client_ok UNIT DAEMON TEXT-IN-ITS-LOG
	_why=
	# the daemon it talked to ready, in its first run (After= waited for it)
	state_is "$2" running && [ "$(jget "$2" restarts)" = 0 ] && [ "$(sget "$2" 'Last State')" = none ] ||
		_why="$2 is $(jget "$2" state) after $(jget "$2" restarts) restarts ($(sget "$2" 'Last State'))"
	state_is "$1" exited inactive || _why="$1 is $(jget "$1" state)"
	sget "$1" 'Last State' | grep -q 'Exit Code: 0$' || _why="${_why:+$_why; }$1: $(sget "$1" 'Last State')"
	[ "$(jget "$1" restarts)" = 0 ] || _why="${_why:+$_why; }$1 restarted $(jget "$1" restarts) times"
	[ -z "$3" ] || log_has "$1" "$3" || _why="${_why:+$_why; }no \"$3\" in its log: $(logs "$1" | fold)"
	res "$1-first-try" "$_why"
}
client_ok redis-client redis-server PONG
client_ok nginx-client nginx 'Welcome to nginx!'
client_ok mosquitto-client mosquitto ''

# ---- the private networks: not the appliance's -------------------------------------

netns_private() {   # netns_private UNIT PID CLIENT-CMD...
	_u=$1 _p=$2
	shift 2
	_why=
	_a=$(readlink "/proc/$_p/ns/net") _b=$(readlink /proc/1/ns/net)
	[ -n "$_a" ] && [ "$_a" != "$_b" ] || _why="the daemon's netns $_a is PID 1's $_b"
	in_net "$_p" "$@" >/dev/null 2>&1 || _why="${_why:+$_why; }$* fails in the daemon's netns"
	! timeout 5 "$@" >/dev/null 2>&1 || _why="${_why:+$_why; }$* answered in the appliance's netns"
	res "$_u-private-net" "$_why"
}
netns_private redis-server "${pid_redis:-0}" /usr/bin/redis-cli -h 127.0.0.1 ping
netns_private nginx "${pid_nginx:-0}" /bin/wget -q -O /dev/null http://127.0.0.1/
netns_private mosquitto "${pid_mosquitto:-0}" /usr/bin/mosquitto_pub -h 127.0.0.1 -q 1 -t sandboxd/net -m x

# ---- syslog: mosquitto's log_dest syslog reaches its log ring -----------------------

why=
log_has mosquitto 'mosquitto version 2.0.11 running' ||
	why="no \"mosquitto version 2.0.11 running\" in sandboxctl logs mosquitto: $(logs mosquitto | tail -n 3 | fold)"
res mosquitto-syslog "$why"
note "mosquitto through /dev/log: $(logs mosquitto | grep -m 1 'mosquitto version 2.0.11 running')"

# ---- kill -s: SIGHUP makes mosquitto reload its configuration -----------------------

why=
n0=$(logs mosquitto | grep -c 'Reloading config')
r0=$(jget mosquitto restarts)
out=$($CTL kill -s SIGHUP mosquitto 2>&1) || why="sandboxctl kill -s SIGHUP mosquitto: $out"
reloaded() { [ "$(logs mosquitto | grep -c 'Reloading config')" -gt "$n0" ]; }
wait_for 10 reloaded || why="${why:+$why; }no new \"Reloading config\" line: $(logs mosquitto | tail -n 2 | fold)"
[ "$(main_pid mosquitto)" = "$pid_mosquitto" ] && [ "$(jget mosquitto restarts)" = "$r0" ] ||
	why="${why:+$why; }mosquitto restarted (pid $pid_mosquitto -> $(main_pid mosquitto))"
res mosquitto-kill-s "$why"

# ---- reload: mosquitto's ExecReload=/bin/kill -HUP $MAINPID ------------------------

why=
n0=$(logs mosquitto | grep -c 'Reloading config')
out=$($CTL reload mosquitto 2>&1) || why="sandboxctl reload mosquitto: $out"
wait_for 10 reloaded || why="${why:+$why; }no new \"Reloading config\" line: $(logs mosquitto | tail -n 2 | fold)"
[ "$(main_pid mosquitto)" = "$pid_mosquitto" ] && state_is mosquitto running ||
	why="${why:+$why; }mosquitto is $(jget mosquitto state), pid $pid_mosquitto -> $(main_pid mosquitto)"
res mosquitto-reload "$why"

# ---- restart: redis comes back, ready, in a fresh runtime folder ---------------------

why=
marker=/proc/$pid_redis/root/run/redis/sandboxd-marker
: > "$marker" 2>/dev/null || why="cannot mark /run/redis"
out=$($CTL restart redis-server 2>&1) || why="${why:+$why; }sandboxctl restart redis-server: $out"
new_ready() {
	_p=$(main_pid redis-server)
	[ -n "$_p" ] && [ "$_p" != - ] && [ "$_p" != "$pid_redis" ] && state_is redis-server running
}
if wait_for 60 new_ready; then
	p=$(main_pid redis-server)
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = redis-server ] || why="${why:+$why; }main pid $p is not redis-server"
	[ "$(sget redis-server Status)" = 'Ready to accept connections' ] || why="${why:+$why; }Status: $(sget redis-server Status)"
	[ ! -e "/proc/$p/root/run/redis/sandboxd-marker" ] || why="${why:+$why; }/run/redis was kept across the restart"
	got=$(stat -c '%u %a' "/proc/$p/root/run/redis" 2>&1)
	[ "$got" = '101 2755' ] || why="${why:+$why; }/run/redis: $got"
	in_net "$p" /usr/bin/redis-cli -h 127.0.0.1 ping 2>&1 | grep -q PONG || why="${why:+$why; }no PONG after the restart"
else
	why="${why:+$why; }not running with a new pid within 60 s ($(jget redis-server state), pid $(main_pid redis-server))"
fi
res redis-server-restart "$why"

# ---- reload: nginx serves a new configuration after sandboxctl reload ---------------

why=
conf=/etc/nginx/conf.d/sandboxd-reload.conf
page() { in_net "$pid_nginx" /bin/wget -q -O - http://127.0.0.1:8080/ 2>/dev/null; }
page | grep -q reloaded && why="port 8080 answers before the reload"
printf 'server {\n\tlisten 8080;\n\tlocation / { return 200 "reloaded\\n"; }\n}\n' > "$conf"
out=$($CTL reload nginx 2>&1) || why="${why:+$why; }sandboxctl reload nginx: $out"
serves_new() { page | grep -q '^reloaded$'; }
wait_for 15 serves_new || why="${why:+$why; }port 8080 does not serve the new server block"
[ "$(main_pid nginx)" = "$pid_nginx" ] || why="${why:+$why; }main pid $pid_nginx -> $(main_pid nginx)"
state_is nginx running || why="${why:+$why; }nginx is $(jget nginx state)"
rm -f "$conf"
res nginx-reload "$why"

# ---- stop: nginx's ExecStop= (start-stop-daemon --retry QUIT/5), KillMode=mixed ----

why=
out=$($CTL stop nginx 2>&1) || why="sandboxctl stop nginx: $out"
wait_for 20 state_is nginx inactive || why="${why:+$why; }nginx is $(jget nginx state) 20 s after the stop"
[ ! -d "/proc/$pid_nginx" ] || why="${why:+$why; }the master $pid_nginx is still there"
st=$($CTL status nginx 2>&1 | grep -A 2 '^Last State')
echo "$st" | grep -q 'ExecStop' && why="${why:+$why; }$(echo "$st" | fold)"
$CTL status nginx 2>&1 | grep -A 2 '^Last State' | sed 's/^/# nginx: /'
res nginx-stop "$why"

note "check.sh: done"
