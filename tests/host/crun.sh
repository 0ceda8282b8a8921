#!/bin/bash
# The OCI runtime must run what `sandboxctl spec` exports: a busybox rootfs
# and a unit using it are exported to a bundle and run by crun as exported.
#
# What this host forces, and only that: crun 1.8 refuses the host's v1/v2
# hybrid cgroup layout even with --cgroup-manager=disabled, so crun runs in
# a private mount namespace with a tmpfs over /sys/fs/cgroup/unified. No
# cgroup file of the host is ever written.
#
# Env: SANDBOXCTL = path of the sandboxctl symlink, TOP = repo root.
set -u

ok() { printf 'ok %s\n' "$1"; }
nok() { printf 'not ok %s: %s\n' "$1" "$2"; }

# One line of a log for a `not ok` message; the whole log goes to stderr.
oneline() { tr '\n' ' ' <"$1" | cut -c1-300; }

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok crun-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
missing=
command -v crun >/dev/null || missing="$missing crun"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v unshare >/dev/null || missing="$missing unshare"
if [ -n "$missing" ]; then
	nok crun-prereqs "missing:$missing (./build.sh deps installs them)"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	nok crun-prereqs "needs root (mount namespace, crun)"
	exit 1
fi

work=$(mktemp -d /tmp/sbx-crun.XXXXXX) || exit 1
cid=sbx-crun-$$
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	crun delete -f "$cid" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# A busybox rootfs; the marker shows the process really runs in it.
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo inside-rootfs >"$root/etc/crun-marker"

unit=$work/crunt.unit
cat >"$unit" <<EOF
[Unit]
Description=crun runs the sandboxctl spec export

[Service]
ExecStart=/bin/sh -c 'echo "argv:\$0:\$1"; hostname; grep Cap /proc/self/status; cat /etc/crun-marker' zero 'one two'
# issue #11's keys: annotations (quotes, newlines) crun must take as they are
ExecStartPre=-/bin/true 'a "b"'
ExecStartPre=/bin/true
ExecStop=/bin/true
KillMode=mixed
TimeoutStopSec=0
EnvironmentFile=-/etc/crun-env

[Sandbox]
RootDirectory=$root
Hostname=crunhost
Capabilities=CAP_KILL CAP_NET_BIND_SERVICE
EOF

bundle=$work/bundle
mkdir -p "$bundle"
if ! "$SANDBOXCTL" spec "$unit" >"$bundle/config.json" 2>"$work/spec.err"; then
	cat "$work/spec.err" >&2
	nok crun-spec-export "sandboxctl spec failed: $(oneline "$work/spec.err")"
	exit 1
fi
if [ ! -s "$bundle/config.json" ]; then
	nok crun-spec-export "sandboxctl spec wrote nothing"
	exit 1
fi
ok crun-spec-export

# crun's own mount namespace hides the tmpfs from the host; the export
# itself is used unchanged.
# shellcheck disable=SC2016  # expanded by the inner sh
unshare -m sh -c '
	mount -t tmpfs none /sys/fs/cgroup/unified &&
	exec crun --cgroup-manager=disabled run -b "$1" "$2"
' sh "$bundle" "$cid" >"$work/out" 2>"$work/err" </dev/null
rc=$?
cat "$work/err" >&2
if [ "$rc" != 0 ]; then
	cat "$work/out" >&2
	nok crun-runs-export "crun exited $rc: $(oneline "$work/err")"
	exit 1
fi
ok crun-runs-export

failed=0
check() {   # name, fixed line the process must have printed, what it shows
	if grep -qxF -- "$2" "$work/out"; then
		ok "$1"
	else
		nok "$1" "no line \"$2\" ($3); output: $(oneline "$work/out")"
		failed=1
	fi
}
check crun-runs-export-args 'argv:zero:one two' "ExecStart= words reach the process"
check crun-runs-export-hostname crunhost "Hostname="
check crun-runs-export-root inside-rootfs "RootDirectory="
# CAP_KILL (5) | CAP_NET_BIND_SERVICE (10) = 0x420
check crun-runs-export-capeff "$(printf 'CapEff:\t0000000000000420')" "Capabilities= effective"
check crun-runs-export-capbnd "$(printf 'CapBnd:\t0000000000000420')" "Capabilities= bounding"
check crun-runs-export-capinh "$(printf 'CapInh:\t0000000000000000')" "no inheritable set"

# The same unit under crun and under `sandboxctl run` must give the same
# hostname, capabilities and set of new namespaces (issue #4).
same=$work/same.unit
cat >"$same" <<EOF
[Service]
ExecStart=/bin/sh -c 'echo host:\$(hostname); grep -E "^Cap(Eff|Prm|Bnd|Inh|Amb)" /proc/self/status; for t in pid net ipc uts mnt cgroup user; do echo ns:\$t:\$(readlink /proc/self/ns/\$t); done'

[Sandbox]
RootDirectory=$root
Namespaces=~net
Hostname=samehost
Capabilities=CAP_CHOWN CAP_SETUID CAP_KILL
EOF
"$SANDBOXCTL" spec "$same" >"$bundle/config.json" 2>"$work/spec.err" ||
	nok crun-vs-run-export "$(oneline "$work/spec.err")"
# shellcheck disable=SC2016  # expanded by the inner sh
unshare -m sh -c '
	mount -t tmpfs none /sys/fs/cgroup/unified &&
	exec crun --cgroup-manager=disabled run -b "$1" "$2"
' sh "$bundle" "$cid-same" >"$work/crun.out" 2>"$work/crun.err" </dev/null
rc_crun=$?
"$SANDBOXCTL" run --no-cgroup "$same" >"$work/run.out" 2>"$work/run.err" </dev/null
rc_run=$?
if [ "$rc_crun" != 0 ] || [ "$rc_run" != 0 ]; then
	nok crun-vs-run "crun exited $rc_crun ($(oneline "$work/crun.err")), sandboxctl run $rc_run ($(oneline "$work/run.err"))"
	exit 1
fi
# each namespace type: "new" when it differs from this shell's, else "host"
summarise() {
	while IFS= read -r line; do
		case $line in
		ns:*)
			t=${line#ns:}
			t=${t%%:*}
			if [ "${line#ns:"$t":}" = "$(readlink "/proc/self/ns/$t")" ]; then
				echo "ns:$t:host"
			else
				echo "ns:$t:new"
			fi ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$1"
}
summarise "$work/crun.out" >"$work/crun.sum"
summarise "$work/run.out" >"$work/run.sum"
if cmp -s "$work/crun.sum" "$work/run.sum" && grep -qx 'host:samehost' "$work/run.sum" &&
	grep -qx 'ns:net:host' "$work/run.sum" && grep -qx 'ns:pid:new' "$work/run.sum"; then
	ok crun-vs-run-same-hostname-caps-namespaces
else
	nok crun-vs-run-same-hostname-caps-namespaces \
		"crun: $(oneline "$work/crun.sum") / sandboxctl run: $(oneline "$work/run.sum")"
	failed=1
fi
exit "$failed"
