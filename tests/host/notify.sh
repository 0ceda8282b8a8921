#!/bin/bash
# PID 1's per-unit notify and syslog sockets (issue #11), with the
# supervisor run on a unit folder of its own (not as PID 1). The units are
# python3 scripts that write to the sockets as sd_notify(3) and
# syslog(3) do, from inside their sandboxes:
#  - notify-sockets: both exist in the sandbox (/dev/.notify, /dev/log);
#  - notify-status / notify-status-json: STATUS= is shown by `status`
#    ("Status: ...", control characters as '?') and `status --json`;
#  - notify-flood-status: a unit flooding both sockets does not stall
#    `status` of another unit; notify-flood-latest: and its own last
#    STATUS= still arrives;
#  - notify-fds-not-kept: 200 datagrams carrying 3 fds each leave PID 1
#    with the fds it had (counted in /proc/PID/fd);
#  - notify-too-long-dropped: a datagram over 4096 bytes is dropped and
#    counted ("Dropped:");
#  - notify-outsider-dropped: a host process writing to the unit's
#    socket file changes nothing (the sender is not a process of the unit);
#  - syslog-3164 / syslog-5424 / syslog-logger: syslog lines in `logs`
#    with their priority ("<daemon.err> myd[7]: ..."), from a RFC 3164
#    and a RFC 5424 datagram and from busybox's logger;
#  - notify-unlinked-at-stop / notify-fresh-at-start: the sockets go with
#    the unit and come back with its next start;
#  - notify-ready: a Type=notify unit is "starting" until READY=1, then
#    "running" (needs Type=notify parsed and the supervisor's readiness
#    rows: a skip while the unit file is refused).
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
sup_setup notify notify
command -v python3 >/dev/null || { skip notify-prereqs "no python3"; exit 0; }
PY=$(command -v python3)
case "$PY" in /usr/*|/bin/*) ;; *) PY=/usr/bin/python3 ;; esac
[ -x "$PY" ] || { skip notify-prereqs "no python3 under /usr for the units"; exit 0; }
BUSYBOX=$(command -v busybox || true)

export SANDBOXD_RUN_DIR=$run
CTL=$SANDBOXCTL
mkdir -p "$work/out"
chmod 1777 "$work/out"

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
state_is() { "$CTL" status --json "$1" 2>/dev/null | grep -q "\"state\": *\"$2\""; }
status_has() { "$CTL" status "$1" 2>/dev/null | grep -qF -- "$2"; }
logs_have() { "$CTL" logs "$1" 2>/dev/null | grep -qF -- "$2"; }
fd_count() { ls "/proc/$sup_pid/fd" 2>/dev/null | wc -l; }

# The units' helper: sd_notify and syslog as the libraries write them.
cat >"$work/n.py" <<'EOF'
import os, socket, sys, time, array
NOTIFY = os.environ.get("NOTIFY_SOCKET") or "/dev/.notify"
OUT = sys.argv[1]
def notify(msg, fds=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if fds:
        s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))], 0, NOTIFY)
    else:
        s.sendto(msg, NOTIFY)
    s.close()
def syslog(msg):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(msg, "/dev/log")
    s.close()
def wait_file(name):
    for _ in range(600):
        if os.path.exists(os.path.join(OUT, name)):
            return
        time.sleep(0.05)
mode = sys.argv[2]
if mode == "basic":
    import stat
    with open(os.path.join(OUT, "basic.socks"), "w") as f:
        for p in ("/dev/.notify", "/dev/log"):
            f.write("%s %s\n" % (p, stat.S_ISSOCK(os.stat(p).st_mode)))
    notify(b"STATUS=serving \x1b[31mred\x1b[0m requests")
    syslog(b"<27>Dec  2 09:33:00 myd[7]: can't open config file\n")
    syslog(b"<165>1 2026-12-02T09:33:00.003Z host app5424 99 ID47 - five four two four")
elif mode == "fds":
    wait_file("fds.go")
    fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
    for i in range(200):
        while True:
            try:
                notify(b"STATUS=fds %d" % i, fds)
                break
            except BlockingIOError:
                time.sleep(0.01)
    notify(b"STATUS=fds sent")
    wait_file("big.go")
    try:
        notify(b"STATUS=" + b"x" * 5000)
    except OSError as e:
        open(os.path.join(OUT, "big.err"), "w").write(str(e))
    notify(b"STATUS=after big")
elif mode == "flood":
    if sys.argv[3] != "0":
        wait_file("flood.go")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setblocking(False)
    l = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    l.setblocking(False)
    end = time.time() + float(sys.argv[3])
    n = 0
    while time.time() < end:
        for sock, path, msg in ((s, NOTIFY, b"STATUS=flood %d" % n), (l, "/dev/log", b"<14>flood %d" % n)):
            try:
                sock.sendto(msg, path)
            except (BlockingIOError, ConnectionRefusedError):
                pass
        n += 1
    s.setblocking(True)
    s.sendto(b"STATUS=flood done", NOTIFY)
elif mode == "ready":
    wait_file("ready.go")
    notify(b"STATUS=ready now\nREADY=1")
time.sleep(100000)
EOF

unit() {
	cat >"$units/$1.unit" <<EOF
[Service]
ExecStart=$PY $work/n.py $work/out $2
Restart=no
${3:-}
[Sandbox]
BindPaths=$work/out
EOF
}
unit basic basic
unit fds fds
unit flood "flood 6"
unit quiet "flood 0"

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
if ! wait_for 20 state_is basic running; then
	nok notify-start "basic never ran: $(oneline "$(cat "$work/sup.log")")"
	exit 1
fi

# ---- the sockets in the sandbox, STATUS=, syslog
wait_for 10 test -s "$work/out/basic.socks"
if [ "$(cat "$work/out/basic.socks" 2>/dev/null)" = "$(printf '/dev/.notify True\n/dev/log True')" ]; then
	ok notify-sockets
else
	nok notify-sockets "in the sandbox: $(oneline "$(cat "$work/out/basic.socks" 2>&1)")"
fi
if wait_for 10 status_has basic "Status: serving ?[31mred?[0m requests"; then
	ok notify-status
else
	nok notify-status "$(oneline "$("$CTL" status basic 2>&1)")"
fi
if "$CTL" status --json basic 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d.get("status_text") == "serving ?[31mred?[0m requests" else 1)'; then
	ok notify-status-json
else
	nok notify-status-json "$(oneline "$("$CTL" status --json basic 2>&1)")"
fi
if wait_for 10 logs_have basic "<daemon.err> myd[7]: can't open config file"; then
	ok syslog-3164
else
	nok syslog-3164 "logs: $(oneline "$("$CTL" logs basic 2>&1)")"
fi
if logs_have basic "<local4.notice> app5424[99]: five four two four"; then
	ok syslog-5424
else
	nok syslog-5424 "logs: $(oneline "$("$CTL" logs basic 2>&1)")"
fi

# ---- busybox logger (syslog(3) of its libc) in a sandbox of its own
if [ -n "$BUSYBOX" ]; then
	cat >"$units/logger.unit" <<EOF
[Service]
ExecStart=/bin/sh -c '$BUSYBOX logger -p daemon.err -t myd "from logger"; exec sleep 100000'
Restart=no
EOF
	"$CTL" reload >/dev/null 2>&1
	if wait_for 10 logs_have logger "<daemon.err> myd: from logger"; then
		ok syslog-logger
	else
		nok syslog-logger "logs: $(oneline "$("$CTL" logs logger 2>&1)") status: $(oneline "$("$CTL" status logger 2>&1)")"
	fi
else
	skip syslog-logger "no busybox"
fi

# ---- fds sent are closed at once; a datagram over 4096 bytes is dropped
wait_for 10 state_is fds running
sleep 0.5
before=$(fd_count)
touch "$work/out/fds.go"
if wait_for 20 status_has fds "Status: fds sent"; then
	after=$(fd_count)
	if [ "$after" -eq "$before" ] && [ "$before" -gt 0 ]; then
		ok notify-fds-not-kept
	else
		nok notify-fds-not-kept "PID 1 had $before fds before 600 were sent, $after after"
	fi
else
	nok notify-fds-not-kept "the messages never arrived: $(oneline "$("$CTL" status fds 2>&1)")"
fi
touch "$work/out/big.go"
if wait_for 10 status_has fds "Status: after big"; then
	if status_has fds "Dropped: 1 notify" && ! logs_have fds xxxxxxxxxx; then
		ok notify-too-long-dropped
	else
		nok notify-too-long-dropped "$(oneline "$("$CTL" status fds 2>&1)")"
	fi
else
	nok notify-too-long-dropped "$(oneline "$("$CTL" status fds 2>&1) $(cat "$work/out/big.err" 2>/dev/null)")"
fi

# ---- a process outside the unit writes to its socket file
python3 - "$run/units/basic/notify" <<'EOF' 2>"$work/outsider.err"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=intruder\nREADY=1", sys.argv[1])
EOF
sent=$?
sleep 0.5
if [ $sent -ne 0 ]; then
	nok notify-outsider-dropped "could not send from the host: $(oneline "$(cat "$work/outsider.err")")"
elif status_has basic "Status: serving" && ! status_has basic intruder &&
	grep -q 'basic: a notify message from a process outside the unit dropped' "$work/sup.log"; then
	ok notify-outsider-dropped
else
	nok notify-outsider-dropped "$(oneline "$("$CTL" status basic 2>&1)")"
fi

# ---- a flood of both sockets does not stall status
wait_for 10 state_is flood running
touch "$work/out/flood.go"
sleep 1
slow=0
for i in $(seq 1 10); do
	if ! timeout 5 "$CTL" status quiet >/dev/null 2>&1; then
		slow=$((slow + 1))
	fi
	sleep 0.1
done
# still flooding after the ten requests: they were made during the flood
floodn=$("$CTL" status flood 2>/dev/null | sed -n 's/^Status: flood \([0-9]*\)$/\1/p')
if [ $slow -eq 0 ] && [ -n "$floodn" ]; then
	ok notify-flood-status
	echo "# notify-flood-status: the flood was at message ${floodn} during the status requests"
else
	nok notify-flood-status "$slow of 10 status requests did not answer within 5 s (flood at ${floodn:-?})"
fi
if wait_for 20 status_has flood "Status: flood done"; then
	ok notify-flood-latest
else
	nok notify-flood-latest "$(oneline "$("$CTL" status flood 2>&1)")"
fi

# ---- the sockets go with the unit and come back with it
"$CTL" stop basic >/dev/null 2>&1
wait_for 10 state_is basic inactive
if [ ! -e "$run/units/basic/notify" ] && [ ! -e "$run/units/basic/log" ] &&
	! status_has basic "Status:"; then
	ok notify-unlinked-at-stop
else
	nok notify-unlinked-at-stop "$(ls -la "$run/units/basic" 2>&1 | tr '\n' ' ')"
fi
rm -f "$work/out/basic.socks"
"$CTL" start basic >/dev/null 2>&1
if wait_for 10 status_has basic "Status: serving" && [ -S "$run/units/basic/notify" ] &&
	! status_has basic "Dropped:"; then
	ok notify-fresh-at-start
else
	nok notify-fresh-at-start "$(oneline "$("$CTL" status basic 2>&1)")"
fi

# ---- Type=notify: starting until READY=1
cat >"$work/ready.unit" <<EOF
[Service]
Type=notify
ExecStart=$PY $work/n.py $work/out ready
Restart=no
[Sandbox]
BindPaths=$work/out
EOF
if ! chk=$("$CTL" check "$work/ready.unit" 2>&1); then
	skip notify-ready "Type=notify is refused on this branch: $(oneline "$chk")"
else
	cp "$work/ready.unit" "$units/ready.unit"
	"$CTL" reload >/dev/null 2>&1
	sleep 1.5
	if ! state_is ready starting; then
		nok notify-ready "before READY=1: $(oneline "$("$CTL" status ready 2>&1)")"
	else
		touch "$work/out/ready.go"
		if wait_for 10 state_is ready running && status_has ready "Status: ready now"; then
			ok notify-ready
		else
			nok notify-ready "after READY=1: $(oneline "$("$CTL" status ready 2>&1)")"
		fi
	fi
fi
exit 0
