#!/bin/bash
# review11 (rev-sock): a unit's notify and log sockets are its own. A
# process that is not the unit's (here a host user, as a unit without a
# mount namespace would be) must not reach them through the run folder:
#  - review11-log-outsider: a line sent to RUN/units/NAME/log by nobody
#    must not show in the unit's logs;
#  - review11-notify-outsider-reach: nobody cannot even send to its notify
#    socket (else it fills the unit's queue: READY=1 waits behind it);
#  - review11-userns-still-notifies: a unit in a user namespace (its root
#    is not the host's) and User=nobody still gets both sockets bound and
#    becomes ready with READY=1 (Type=notify);
#  - review11-nomount-still-notifies: a unit without a mount namespace and
#    User=nobody, handed the host path, still reaches its notify socket.
# Env: SANDBOXD, SANDBOXCTL, TOP = repo root.
set -u
# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
sup_setup review11-sock r11sock
PY=/usr/bin/python3
[ -x "$PY" ] || { skip review11-sock-prereqs "no python3 under /usr"; exit 0; }
command -v setpriv >/dev/null || { skip review11-sock-prereqs "no setpriv"; exit 0; }
export SANDBOXD_RUN_DIR=$run
CTL=$SANDBOXCTL
wait_for() { local n=$(($1 * 10)); shift; while [ $n -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 0.1; n=$((n - 1)); done; return 1; }
state_is() { "$CTL" status --json "$1" 2>/dev/null | grep -q "\"state\": *\"$2\""; }
chmod 755 "$run"
cat >"$units/victim.unit" <<EOF
[Service]
ExecStart=/bin/sleep 100000
Restart=no
EOF
cat >"$units/usr.unit" <<EOF
[Service]
Type=notify
User=nobody
ExecStart=$PY -c "import socket, os, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'<14>from userns', '/dev/log'); s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET']); time.sleep(100000)"
Restart=no
[Sandbox]
Namespaces=user pid mount uts ipc net
EOF
cat >"$units/nomnt.unit" <<EOF
[Service]
Type=notify
User=nobody
ExecStart=$PY -c "import socket, os, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET']); time.sleep(100000)"
Restart=no
[Sandbox]
Namespaces=~mount ~cgroup
ControlAccess=yes
EOF
SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
wait_for 20 state_is victim running || { nok review11-sock-start "$(oneline "$(cat "$work/sup.log")")"; exit 1; }
send() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    s.sendto(sys.argv[2].encode(), sys.argv[1])
    print("sent")
except OSError as e:
    print("refused: %s" % e)' "$1" "$2" 2>&1
}
r=$(send "$run/units/victim/log" "<38>sshd[1]: Accepted password for root from 10.0.0.1")
sleep 0.5
if "$CTL" logs victim 2>/dev/null | grep -qF "Accepted password for root"; then
	nok review11-log-outsider "nobody injected a line into the unit's logs ($r)"
else
	ok review11-log-outsider
fi
r=$(send "$run/units/victim/notify" "STATUS=x")
case "$r" in
	refused*) ok review11-notify-outsider-reach ;;
	*) nok review11-notify-outsider-reach "nobody can send to the unit's notify socket ($r)" ;;
esac
if wait_for 20 state_is usr running && "$CTL" logs usr 2>/dev/null | grep -qF "from userns"; then
	ok review11-userns-still-notifies
else
	nok review11-userns-still-notifies "$(oneline "$("$CTL" status usr 2>&1)") $(oneline "$(cat "$work/sup.log")")"
fi
if wait_for 20 state_is nomnt running; then
	ok review11-nomount-still-notifies
else
	nok review11-nomount-still-notifies "$(oneline "$("$CTL" status nomnt 2>&1)")"
fi
