#!/bin/bash
# review11 (rev-join): JoinsNamespaceOf= never takes a unit out of a
# private network (or IPC) namespace into one it does not have: a member
# with PrivateNetwork=no runs in the host's network, and a member with
# PrivateNetwork=yes that "joins" it must not get the host's network
# (systemd: the setting only has an effect when both units have it).
#
# Env: SANDBOXD, SANDBOXCTL, TOP = repo root.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
sup_setup review11-join rj
out=$work/out
mkdir -p "$out"
chmod 1777 "$out"
export SANDBOXD_RUN_DIR=$run

cat >"$units/hostnet.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'readlink /proc/self/ns/net >$out/hostnet.netns; readlink /proc/self/ns/ipc >$out/hostnet.ipcns; exec sleep 100000'
[Sandbox]
PrivateNetwork=no
PrivateIPC=no
BindPaths=$out
EOT
cat >"$units/priv.unit" <<EOT
[Unit]
JoinsNamespaceOf=hostnet
After=hostnet
[Service]
ExecStart=/bin/sh -c 'while [ ! -s $out/hostnet.netns ]; do sleep 0.1; done; readlink /proc/self/ns/net >$out/priv.netns; readlink /proc/self/ns/ipc >$out/priv.ipcns; exec sleep 100000'
[Sandbox]
PrivateNetwork=yes
PrivateIPC=yes
BindPaths=$out
EOT

# a member with a private IPC namespace only: shared, the network not
cat >"$units/ipconly.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'readlink /proc/self/ns/ipc >$out/ipconly.ipcns; exec sleep 100000'
[Sandbox]
PrivateNetwork=no
PrivateIPC=yes
BindPaths=$out
EOT
cat >"$units/both.unit" <<EOT
[Unit]
JoinsNamespaceOf=ipconly
After=ipconly
[Service]
ExecStart=/bin/sh -c 'while [ ! -s $out/ipconly.ipcns ]; do sleep 0.1; done; readlink /proc/self/ns/net >$out/both.netns; readlink /proc/self/ns/ipc >$out/both.ipcns; exec sleep 100000'
[Sandbox]
PrivateNetwork=yes
PrivateIPC=yes
BindPaths=$out
EOT

if ! "$SANDBOXCTL" check --units "$units" >"$work/check.txt" 2>&1; then
	nok review11-join-units-valid "$(oneline "$(cat "$work/check.txt")")"
	exit 1
fi
"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
for _ in $(seq 1 100); do [ -s "$out/priv.netns" ] && [ -s "$out/priv.ipcns" ] && break; sleep 0.1; done
hn=$(readlink /proc/self/ns/net)
hi=$(readlink /proc/self/ns/ipc)
a=$(cat "$out/hostnet.netns" 2>/dev/null)
b=$(cat "$out/priv.netns" 2>/dev/null)
c=$(cat "$out/priv.ipcns" 2>/dev/null)
if [ "$a" != "$hn" ]; then
	skip review11-join-private-stays-private "hostnet not in the host's network ($a, host $hn)"
elif [ -n "$b" ] && [ "$b" != "$hn" ] && [ -n "$c" ] && [ "$c" != "$hi" ]; then
	ok review11-join-private-stays-private
else
	nok review11-join-private-stays-private "PrivateNetwork=yes unit runs in net ${b:-?} ipc ${c:-?} (host net $hn ipc $hi); log: $(oneline "$(tail -5 "$work/sup.log")")"
fi
for _ in $(seq 1 100); do [ -s "$out/both.netns" ] && [ -s "$out/both.ipcns" ] && break; sleep 0.1; done
d=$(cat "$out/ipconly.ipcns" 2>/dev/null)
bn=$(cat "$out/both.netns" 2>/dev/null)
bi=$(cat "$out/both.ipcns" 2>/dev/null)
if [ -n "$bn" ] && [ "$bn" != "$hn" ] && [ -n "$d" ] && [ "$bi" = "$d" ] && [ "$d" != "$hi" ]; then
	ok review11-join-shares-what-both-have
else
	nok review11-join-shares-what-both-have "net ${bn:-?} (host $hn), ipc ${bi:-?} (ipconly's ${d:-?}, host $hi)"
fi
