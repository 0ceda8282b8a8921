#!/bin/bash
# `sandboxctl check --root DIR`: units checked against an image tree made
# here (never the build host's own files): users and groups from DIR's (or
# DIR + RootDirectory='s) /etc/passwd and /etc/group, ExecStart= executable
# by the unit's user, symlinks resolved inside DIR, WorkingDirectory=, bind
# sources, RootDirectory=; the units folder defaults to DIR/etc/sandboxd.
#
# Env: SANDBOXCTL = sandboxctl to test, TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

if [ -z "${SANDBOXCTL:-}" ] || [ ! -x "$SANDBOXCTL" ]; then
	nok check-root-prereqs "SANDBOXCTL is not set to an executable sandboxctl"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	nok check-root-prereqs "needs root (chown of the image's files)"
	exit 1
fi

work=$(mktemp -d /var/tmp/sbx-check-root.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
img=$work/img
mkdir -p "$img/etc/sandboxd" "$img/usr/sbin" "$img/usr/bin" "$img/var/lib/redis" \
	"$img/etc/redis" "$img/srv/jail/etc" "$img/srv/jail/bin" "$img/opt/only-in-image/bin"
cat > "$img/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
redis:x:101:102::/var/lib/redis:/usr/sbin/nologin
EOF
cat > "$img/etc/group" <<'EOF'
root:x:0:
redis:x:102:
adm:x:4:redis
EOF
# a program only its group may run, and one nobody may run
printf '#!/bin/true\n' > "$img/usr/bin/redis-server"
chown 0:102 "$img/usr/bin/redis-server"; chmod 0750 "$img/usr/bin/redis-server"
printf 'data\n' > "$img/usr/bin/not-a-program"; chmod 0644 "$img/usr/bin/not-a-program"
# an absolute symlink to a path that only the image has, and one to a path
# that only the build host has
printf '#!/bin/true\n' > "$img/opt/only-in-image/bin/tool"; chmod 0755 "$img/opt/only-in-image/bin/tool"
ln -s /opt/only-in-image/bin/tool "$img/usr/bin/tool"
hostonly=$work/host-only-tool
printf '#!/bin/true\n' > "$hostonly"; chmod 0755 "$hostonly"
ln -s "$hostonly" "$img/usr/bin/host-tool"
echo 'bind 127.0.0.1' > "$img/etc/redis/redis.conf"
# a unit with RootDirectory=: its users are the jail's, not the image's
printf 'root:x:0:0::/:/bin/sh\njailer:x:500:500::/:/bin/sh\n' > "$img/srv/jail/etc/passwd"
printf 'root:x:0:\njailer:x:500:\n' > "$img/srv/jail/etc/group"
printf '#!/bin/true\n' > "$img/srv/jail/bin/app"; chmod 0700 "$img/srv/jail/bin/app"
chown 500:500 "$img/srv/jail/bin/app"

unit() { cat > "$img/etc/sandboxd/$1.unit"; }
unit redis <<'EOF'
[Service]
ExecStart=/usr/bin/redis-server /etc/redis/redis.conf
User=redis
SupplementaryGroups=adm
WorkingDirectory=/var/lib/redis
[Sandbox]
BindReadOnlyPaths=/etc/redis
EOF
unit tool <<'EOF'
[Service]
ExecStart=/usr/bin/tool
EOF
unit jailed <<'EOF'
[Service]
ExecStart=/bin/app
User=jailer
[Sandbox]
RootDirectory=/srv/jail
EOF

out=$("$SANDBOXCTL" check --root "$img" 2>&1); rc=$?
if [ "$rc" = 0 ] && [[ $out == "3 units valid" ]]; then
	ok check-root-valid
else
	nok check-root-valid "exit $rc: $(oneline "$out")"
fi

# each broken unit alone (FILE arguments are host paths): exit 1 and
# FILE:LINE: [Section] Key: naming the path
broken() {   # NAME WANT (a substring of the message)
	local name=$1 want=$2 out rc
	"$SANDBOXCTL" check --root "$img" "$work/$name.unit" > "$work/out" 2>&1; rc=$?
	out=$(cat "$work/out")
	if [ "$rc" = 1 ] && [[ $out == *"$want"* ]]; then ok "check-root-$name"; else
		nok "check-root-$name" "exit $rc, wanted '$want': $(oneline "$out")"; fi
}
cat > "$work/unknown-user.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/tool
User=mosquitto
EOF
broken unknown-user "unknown-user.unit:3: [Service] User: unknown user \"mosquitto\" (not in $img/etc/passwd)"
cat > "$work/unknown-group.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/tool
SupplementaryGroups=adm www-data
EOF
broken unknown-group "unknown-group.unit:3: [Service] SupplementaryGroups: unknown group \"www-data\""
cat > "$work/no-exec-perm.unit" <<'EOF'
[Service]
User=1000
ExecStart=/usr/bin/redis-server
EOF
broken no-exec-perm "no-exec-perm.unit:3: [Service] ExecStart: /usr/bin/redis-server: not executable by uid 1000 gid 1000 (mode 0750, owner 0:102) in $img"
cat > "$work/not-program.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/not-a-program
EOF
broken not-program "not-program.unit:2: [Service] ExecStart: /usr/bin/not-a-program: not executable"
cat > "$work/host-symlink.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/host-tool
EOF
broken host-symlink "host-symlink.unit:2: [Service] ExecStart: /usr/bin/host-tool: No such file or directory in $img"
cat > "$work/missing-exec.unit" <<'EOF'
[Service]
ExecStart=/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf
EOF
broken missing-exec "missing-exec.unit:2: [Service] ExecStart: /usr/sbin/mosquitto: No such file or directory in $img"
cat > "$work/cwd.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/tool
WorkingDirectory=/etc/redis/redis.conf
EOF
broken cwd "cwd.unit: [Service] WorkingDirectory: /etc/redis/redis.conf: not a folder in $img"
cat > "$work/bind.unit" <<'EOF'
[Service]
ExecStart=/usr/bin/tool
[Sandbox]
BindPaths=/var/lib/mosquitto
EOF
broken bind "bind.unit:4: [Sandbox] BindPaths: /var/lib/mosquitto: No such file or directory in $img"
cat > "$work/root-dir.unit" <<'EOF'
[Service]
ExecStart=/bin/app
User=jailer
[Sandbox]
RootDirectory=/srv/prison
EOF
broken root-dir "root-dir.unit:5: [Sandbox] RootDirectory: /srv/prison: No such file or directory in $img"
# the jail's users are not the image's: redis is unknown in the jail
cat > "$work/jail-user.unit" <<'EOF'
[Service]
ExecStart=/bin/app
User=redis
[Sandbox]
RootDirectory=/srv/jail
EOF
broken jail-user "jail-user.unit:3: [Service] User: unknown user \"redis\" (not in $img/srv/jail/etc/passwd)"
# ... and its program is looked up in the jail (the image has no /bin/app)
cat > "$work/jail-exec.unit" <<'EOF'
[Service]
ExecStart=/bin/app
User=root
Group=jailer
[Sandbox]
RootDirectory=/srv/jail
EOF
"$SANDBOXCTL" check --root "$img" "$work/jail-exec.unit" > "$work/out" 2>&1; rc=$?
if [ "$rc" = 0 ]; then ok check-root-jail-exec; else nok check-root-jail-exec "exit $rc: $(oneline "$(cat "$work/out")")"; fi

# without --root, nothing changes: the same unit checks against this host,
# where /usr/bin/tool is not that of the image (the unit loads, paths are
# not looked at)
out=$("$SANDBOXCTL" check "$work/missing-exec.unit" 2>&1); rc=$?
if [ "$rc" = 0 ]; then ok check-root-not-without; else nok check-root-not-without "exit $rc: $(oneline "$out")"; fi

# the commands around the main one: a missing ExecStartPre= is a problem,
# one with systemd's "-" only a warning (the unit starts anyway); so is an
# EnvironmentFile=, unless "-"
cat > "$work/pre.unit" <<'EOF'
[Service]
ExecStartPre=/usr/sbin/redis-check-aof
ExecStart=/usr/bin/tool
ExecReload=-/usr/bin/redis-cli reload
EnvironmentFile=/etc/default/redis
EnvironmentFile=-/etc/default/redis-extra
EOF
if "$SANDBOXCTL" check "$work/pre.unit" 2>&1 | grep -q 'ExecStartPre: unknown key'; then
	skip check-root-exec-lists "this build does not parse ExecStartPre= yet"
else
	"$SANDBOXCTL" check --root "$img" "$work/pre.unit" > "$work/out" 2>&1; rc=$?
	out=$(cat "$work/out")
	if [ "$rc" = 1 ] && [[ $out == *"pre.unit:2: [Service] ExecStartPre: /usr/sbin/redis-check-aof: No such file or directory in $img"* ]] &&
	   [[ $out == *"pre.unit:4: [Service] ExecReload: warning: /usr/bin/redis-cli: No such file or directory in $img"* ]] &&
	   [[ $out == *"pre.unit: [Service] EnvironmentFile: /etc/default/redis: No such file or directory in $img"* ]] &&
	   [[ $out == *"2 problems;"* ]]; then
		ok check-root-exec-lists
	else
		nok check-root-exec-lists "exit $rc: $(oneline "$out")"
	fi
fi

out=$("$SANDBOXCTL" check --root "$work/none" 2>&1); rc=$?
if [ "$rc" = 1 ] && [[ $out == *"--root $work/none: No such file or directory"* ]]; then
	ok check-root-missing-dir
else
	nok check-root-missing-dir "exit $rc: $(oneline "$out")"
fi
