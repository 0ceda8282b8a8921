#!/bin/bash
# RuntimeDirectory= and friends (issue #11, helper "dirs") with sandboxd as
# the supervisor (not PID 1) and sandboxctl:
#  - execdirs-write-as-user: a User=nobody unit writes into its
#    RuntimeDirectory= and StateDirectory= over the read-only system root;
#  - execdirs-owner-mode: on the host they are nobody's, with
#    RuntimeDirectoryMode=0750 and the default 0755; the intermediate
#    folder of a two-level name and a ConfigurationDirectory= are root's;
#  - execdirs-runtime-removed: after a stop /run/NAME is gone, its state
#    folder is not; execdirs-runtime-back: a start makes it again;
#  - execdirs-preserve-yes: RuntimeDirectoryPreserve=yes keeps it;
#  - execdirs-symlink-leaf: a symlink the unit planted in its state
#    folder where its unit file later names a folder is not followed at
#    the next start: the start fails (ENOTDIR) and the symlink's target
#    keeps its owner and mode;
#  - execdirs-symlink-file: a symlink planted next to it is left alone;
#  - execdirs-removal-no-follow: a symlink in the runtime folder to a
#    host folder is removed, the host folder's files are not;
#  - execdirs-root-missing / execdirs-root: with RootDirectory= a mount
#    point missing in the image is an error naming the path to create;
#    once it is there (and /run a tmpfs of the unit's), the unit writes
#    into the host's folders;
#  - execdirs-tmpfs-uid-name: TemporaryFileSystem= uid=nobody,gid=nogroup
#    gives a tmpfs owned by them; execdirs-tmpfs-uid-unknown: an unknown
#    name fails the start with the tmpfs and the file named;
#  - execdirs-readwrite-paths: ReadWritePaths= is writable over the
#    read-only root (a "-" path that is missing is skipped), the rest not;
#  - execdirs-noexec-paths: NoExecPaths= refuses exec, ExecPaths= below it
#    allows it again.
#
# Env: SANDBOXD, SANDBOXCTL = the binaries to test, TOP = repo root.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
# shellcheck source=tests/host/lib/supervisor.sh
. "$(dirname "$0")/lib/supervisor.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
SANDBOXCTL=${SANDBOXCTL:-$(dirname "$SANDBOXD")/sandboxctl}
if [ ! -x /bin/busybox ]; then
	nok execdirs-prereqs "needs busybox-static"
	exit 1
fi
sup_setup execdirs execdirs
tag=sbxt-$$-$RANDOM
# the host folders this test makes, removed at the end whatever happens
host_dirs="/run/$tag /run/$tag-p /run/$tag-r /var/lib/$tag /var/lib/$tag-2 /var/lib/$tag-r /etc/$tag /var/cache/$tag"
cleanup_dirs() { rm -rf $host_dirs; sup_cleanup; }
trap cleanup_dirs EXIT
out=$work/out
mkdir -p "$out" "$work/hostdir"
chmod 1777 "$out"
echo keep >"$work/hostdir/file"
echo secret >"$work/target-file"
chmod 600 "$work/target-file"
mkdir -m 700 "$work/target-dir"

cat >"$units/d1.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'id -u > /run/$tag/x/uid && echo hi > /var/lib/$tag/f && touch $out/d1.ok; ln -sfn $work/hostdir /run/$tag/x/link; ln -sfn $work/target-file /var/lib/$tag/evil; exec sleep 1000'
User=nobody
RuntimeDirectory=$tag/x
RuntimeDirectoryMode=0750
StateDirectory=$tag
ConfigurationDirectory=$tag
Restart=no
[Sandbox]
BindPaths=$out
EOT
# d2 owns /var/lib/TAG-2 and plants a symlink "sub" there; then its unit
# file names TAG-2/sub too (an upgrade, say)
d2_unit() {
	cat >"$units/d2.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'ln -s $work/target-dir /var/lib/$tag-2/sub && touch $out/d2.planted; exec sleep 1000'
User=nobody
StateDirectory=$tag-2 $1
Restart=no
[Sandbox]
BindPaths=$out
EOT
}
d2_unit ""
cat >"$units/d3.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'touch /run/$tag-p/f; exec sleep 1000'
User=nobody
RuntimeDirectory=$tag-p
RuntimeDirectoryPreserve=yes
Restart=no
EOT

# tmpfs owners by name, ReadWritePaths=, NoExecPaths=/ExecPaths=
mkdir -p "$work/rw" "$work/noexec/ok"
chmod 1777 "$work/rw"
cp /bin/busybox "$work/noexec/true"
cp /bin/busybox "$work/noexec/ok/true"
cat >"$units/p.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'stat -c "%U:%G %a" /run/tm > $out/p.tmpfs; touch $work/rw/f && echo rw > $out/p.rw; touch $work/ro 2>/dev/null || echo ro > $out/p.ro; $work/noexec/true && echo ran > $out/p.exec1; $work/noexec/ok/true && echo ran > $out/p.exec2; touch $out/p.done; exec sleep 1000'
User=nobody
Restart=no
ReadWritePaths=$work/rw -$work/missing
NoExecPaths=$work/noexec
ExecPaths=$work/noexec/ok
[Sandbox]
BindPaths=$out
TemporaryFileSystem=/run/tm:uid=nobody,gid=nogroup,mode=0700
EOT
cat >"$units/pbad.unit" <<EOT
[Service]
ExecStart=/bin/true
Restart=no
[Sandbox]
TemporaryFileSystem=/run/tm:uid=nosuchuser-$tag
EOT

# a busybox root for RootDirectory=
root=$work/root
mkdir -p "$root/bin" "$root/etc" "$root/run" "$root/var/lib"
cp /bin/busybox "$root/bin/busybox"
for a in sh touch id sleep; do ln -s busybox "$root/bin/$a"; done
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >"$root/etc/passwd"
echo 'nogroup:x:65534:' >"$root/etc/group"
cat >"$units/r.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'id -u > /run/$tag-r/uid && touch /var/lib/$tag-r/f; exec sleep 1000'
User=nobody
RuntimeDirectory=$tag-r
StateDirectory=$tag-r
Restart=no
[Sandbox]
RootDirectory=$root
TemporaryFileSystem=/run
EOT

SANDBOXD_RUN_DIR=$run "$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
export SANDBOXD_RUN_DIR=$run

# status of UNIT once it matches RE (10 s at most)
wait_status() {
	st=
	for _ in $(seq 1 50); do
		st=$(timeout 2 "$SANDBOXCTL" status "$1" 2>&1)
		printf '%s' "$st" | grep -qE "$2" && return 0
		sleep 0.2
	done
	return 1
}
wait_file() {
	for _ in $(seq 1 50); do [ -e "$1" ] && return 0; sleep 0.2; done
	return 1
}
wait_gone() {
	for _ in $(seq 1 50); do [ -e "$1" ] || return 0; sleep 0.2; done
	return 1
}

# ---- d1: writes as its user, owners and modes --------------------------------
wait_status d1 '^State: running'
wait_file "$out/d1.ok"
if [ -e "$out/d1.ok" ] && [ "$(cat "/run/$tag/x/uid" 2>/dev/null)" = 65534 ] &&
   [ "$(stat -c %U "/var/lib/$tag/f" 2>/dev/null)" = nobody ]; then
	ok execdirs-write-as-user
else
	nok execdirs-write-as-user "$(oneline "$st $(ls -la "/run/$tag/x" "/var/lib/$tag" 2>&1) $(tail -n 3 "$work/sup.log")")"
fi
got="$(stat -c '%U:%G %a' "/run/$tag/x" "/run/$tag" "/var/lib/$tag" "/etc/$tag" 2>&1 | tr '\n' ' ')"
if [ "$got" = "nobody:nogroup 750 root:root 755 nobody:nogroup 755 root:root 755 " ]; then
	ok execdirs-owner-mode
else
	nok execdirs-owner-mode "got '$got'"
fi

"$SANDBOXCTL" stop d1 >/dev/null 2>&1
wait_status d1 '^State: inactive'
wait_gone "/run/$tag/x"
if [ ! -e "/run/$tag/x" ] && [ -e "/var/lib/$tag/f" ] && [ "$(cat "$work/hostdir/file" 2>/dev/null)" = keep ]; then
	ok execdirs-runtime-removed
else
	nok execdirs-runtime-removed "$(oneline "$st $(ls -la "/run/$tag" 2>&1)")"
fi
if [ ! -e "/run/$tag/x" ] && [ "$(cat "$work/hostdir/file" 2>/dev/null)" = keep ] && [ -e "/var/lib/$tag/evil" ]; then
	ok execdirs-removal-no-follow
else
	nok execdirs-removal-no-follow "$(oneline "$(ls -la "$work/hostdir" "/var/lib/$tag" 2>&1)")"
fi
rm -f "$out/d1.ok"
"$SANDBOXCTL" start d1 >/dev/null 2>&1
wait_status d1 '^State: running'
wait_file "$out/d1.ok"
if [ -d "/run/$tag/x" ] && [ -e "$out/d1.ok" ]; then
	ok execdirs-runtime-back
else
	nok execdirs-runtime-back "$(oneline "$st $(tail -n 3 "$work/sup.log")")"
fi
# the unit made /var/lib/TAG/evil -> target-file at both starts: left alone
if [ "$(stat -c '%U %a' "$work/target-file")" = "root 600" ]; then
	ok execdirs-symlink-file
else
	nok execdirs-symlink-file "$(stat -c '%U %a' "$work/target-file")"
fi

# ---- d2: a symlink in place of a folder it names ----------------------------
wait_status d2 '^State: running'
wait_file "$out/d2.planted"
d2_unit "$tag-2/sub"
"$SANDBOXCTL" reload >/dev/null 2>&1
wait_status d2 "create /var/lib/$tag-2/sub: (Not a directory|Too many levels)"
if [ -e "$out/d2.planted" ] && [ -L "/var/lib/$tag-2/sub" ] &&
   printf '%s' "$st" | grep -qE "create /var/lib/$tag-2/sub: (Not a directory|Too many levels of symbolic links)" &&
   [ "$(stat -c '%U %a' "$work/target-dir")" = "root 700" ]; then
	ok execdirs-symlink-leaf
else
	nok execdirs-symlink-leaf "$(oneline "$st") target $(stat -c '%U %a' "$work/target-dir")"
fi

# ---- d3: RuntimeDirectoryPreserve=yes ----------------------------------------
wait_status d3 '^State: running'
wait_file "/run/$tag-p/f"
"$SANDBOXCTL" stop d3 >/dev/null 2>&1
wait_status d3 '^State: inactive'
sleep 0.5
if [ -e "/run/$tag-p/f" ]; then
	ok execdirs-preserve-yes
else
	nok execdirs-preserve-yes "$(oneline "$st $(ls -la "/run/$tag-p" 2>&1)")"
fi

# ---- r: RootDirectory= --------------------------------------------------------
wait_status r 'create it in the image'
if printf '%s' "$st" | grep -q "no mount point for the directory, create it in the image: $root/var/lib/$tag-r: No such file or directory"; then
	ok execdirs-root-missing
else
	nok execdirs-root-missing "$(oneline "$st")"
fi
mkdir "$root/var/lib/$tag-r"
"$SANDBOXCTL" reset-failed r >/dev/null 2>&1
"$SANDBOXCTL" start r >/dev/null 2>&1
wait_status r '^State: running'
wait_file "/var/lib/$tag-r/f"
if [ "$(cat "/run/$tag-r/uid" 2>/dev/null)" = 65534 ] && [ -e "/var/lib/$tag-r/f" ]; then
	ok execdirs-root
else
	nok execdirs-root "$(oneline "$st $(ls -la "/run/$tag-r" "/var/lib/$tag-r" 2>&1)")"
fi

# ---- p: tmpfs uid=NAME, ReadWritePaths=, NoExecPaths= ------------------------
wait_file "$out/p.done"
if [ "$(cat "$out/p.tmpfs" 2>/dev/null)" = "nobody:nogroup 700" ]; then
	ok execdirs-tmpfs-uid-name
else
	nok execdirs-tmpfs-uid-name "got '$(cat "$out/p.tmpfs" 2>&1)' $(tail -n 3 "$work/sup.log")"
fi
wait_status pbad 'tmpfs /run/tm'
if printf '%s' "$st" | grep -q "pbad: tmpfs /run/tm: no user nosuchuser-$tag in /etc/passwd"; then
	ok execdirs-tmpfs-uid-unknown
else
	nok execdirs-tmpfs-uid-unknown "$(oneline "$st")"
fi
if [ -e "$out/p.rw" ] && [ -e "$work/rw/f" ] && [ -e "$out/p.ro" ]; then
	ok execdirs-readwrite-paths
else
	nok execdirs-readwrite-paths "rw '$(cat "$out/p.rw" 2>&1)' ro '$(cat "$out/p.ro" 2>&1)'"
fi
if [ ! -e "$out/p.exec1" ] && [ -e "$out/p.exec2" ]; then
	ok execdirs-noexec-paths
else
	nok execdirs-noexec-paths "under NoExecPaths: $(cat "$out/p.exec1" 2>&1); under ExecPaths: $(cat "$out/p.exec2" 2>&1)"
fi
