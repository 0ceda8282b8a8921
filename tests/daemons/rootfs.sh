#!/bin/bash
# rootfs.sh - the Debian 12 tree of the daemons tier (tests/daemons/run.sh):
# nginx-light, redis-server, mosquitto, their clients (redis-tools,
# mosquitto-clients; busybox wget for nginx) and what they need at run time.
#
# usage: rootfs.sh
#   prints the tree's path (build/cache/daemons/tree) on stdout when done.
# env:   TOP (the source tree)   DAEMONS_CACHE (default build/cache/daemons)
#
# The packages: the closure of PACKAGES below over Depends and Pre-Depends
# (the first alternative), less the ones only dpkg's maintainer scripts use
# (SKIP: adduser, debconf, init-system-helpers, ...). `apt-get download`
# puts the .debs in $DAEMONS_CACHE/debs (kept across runs); `dpkg-deb -x`
# unpacks them into $DAEMONS_CACHE/tree, which is remade only when the list
# of package=version changes (or this script does). Then what the packages'
# postinst scripts would have done, with fixed ids: the users redis (uid
# 101), mosquitto (102) and Debian's www-data (33), and the owners and modes
# of their folders and config files. A last pass checks that every ELF
# file's DT_NEEDED libraries are in the tree: a missing one fails here, not
# as a crash in the guest. Debian's own .service files are copied aside to
# $DAEMONS_CACHE/debian-units for reference (tests/daemons/units follows them).
# Needs root (owners), apt-get, dpkg-deb, readelf.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
prog=rootfs.sh
die() { echo "$prog: $*" >&2; exit 1; }
case ${1:-} in
-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
'') ;;
*) echo "$prog: unknown argument: $1" >&2; exit 2 ;;
esac

cache=${DAEMONS_CACHE:-$TOP/build/cache/daemons}
PACKAGES="nginx-light redis-server redis-tools mosquitto mosquitto-clients dpkg"
# Used only by maintainer scripts, or alternatives of what is kept: never
# run by the daemons.
SKIP="adduser debconf cdebconf debconf-2.0 init-system-helpers lsb-base sysvinit-utils
	iproute2 tar perl perl-base libelogind0 usrmerge usr-is-merged install-info"

[ "$(id -u)" = 0 ] || die "needs root (the tree keeps the daemons' owners)"
for c in apt-get apt-cache dpkg-deb readelf sha256sum; do
	command -v "$c" >/dev/null || die "$c not found"
done
mkdir -p "$cache/debs"

# The closure: breadth-first over the first alternative of each dependency
# (a virtual one, <name>, is left out: its provider is a dependency too).
deps_of() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$@" 2>/dev/null |
		awk '/^ *\|?(Pre)?Depends:/ { if (skip) { skip = ($1 ~ /^\|/); next }
			n = $2; sub(/:any$/, "", n); if (n !~ /^</) print n; skip = ($1 ~ /^\|/); next }
			{ skip = 0 }'
}
seen=" "
todo=$PACKAGES
for s in $SKIP; do seen="$seen$s "; done
list=
while [ -n "$todo" ]; do
	for p in $todo; do
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		list="$list $p"
	done
	[ -n "$list" ] || break
	new=
	# shellcheck disable=SC2086 # one word per package
	for p in $(deps_of $todo | sort -u); do
		case $seen in *" $p "*) ;; *) new="$new $p" ;; esac
	done
	todo=$new
done
# shellcheck disable=SC2086 # one word per package
pkgs=$(printf '%s\n' $list | LC_ALL=C sort -u)

# name=version of each candidate, the key of the tree.
# shellcheck disable=SC2086
apt-cache show --no-all-versions $pkgs |
	awk '/^Package: / { p = $2 } /^Version: / { print p "=" $2 }' | LC_ALL=C sort -u > "$cache/packages.new"
[ "$(wc -l < "$cache/packages.new")" -eq "$(echo "$pkgs" | wc -l)" ] ||
	die "apt-cache show did not give one version per package (apt-get update?)"
key=$( { cat "$cache/packages.new"; sha256sum < "$0"; } | sha256sum | cut -c1-16)

tree=$cache/tree
if [ -f "$cache/tree.key" ] && [ "$(cat "$cache/tree.key")" = "$key" ] && [ -d "$tree" ]; then
	rm -f "$cache/packages.new"
	echo "$tree"
	exit 0
fi

# The .debs: downloaded once each (apt-get download writes NAME_VERSION_ARCH.deb,
# the epoch's colon as %3a).
missing=()
while IFS='=' read -r p v; do
	vf=${v//:/%3a}
	compgen -G "$cache/debs/${p}_${vf}_*.deb" >/dev/null || missing+=("$p=$v")
done < "$cache/packages.new"
if [ ${#missing[@]} -gt 0 ]; then
	echo "$prog: downloading ${#missing[@]} packages into $cache/debs" >&2
	(cd "$cache/debs" && apt-get download -q "${missing[@]}" >&2) || die "apt-get download failed"
fi

echo "$prog: unpacking $(wc -l < "$cache/packages.new") packages into $tree" >&2
rm -rf "$tree" "$cache/debian-units" "$cache/postinst"
mkdir -p "$tree" "$cache/debian-units" "$cache/postinst"
while IFS='=' read -r p v; do
	vf=${v//:/%3a}
	deb=$(compgen -G "$cache/debs/${p}_${vf}_*.deb" | head -n 1)
	dpkg-deb -x "$deb" "$tree" || die "dpkg-deb -x $deb failed"
	# The maintainer scripts, to read what this file redoes by hand.
	dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst > "$cache/postinst/$p" 2>/dev/null || rm -f "$cache/postinst/$p"
done < "$cache/packages.new"
mv "$cache/packages.new" "$cache/packages.list"

cd "$tree"
for d in lib/systemd/system usr/lib/systemd/system; do
	[ -d "$d" ] && find "$d" -name '*.service' -exec cp {} "$cache/debian-units/" \;
done
# What an appliance does not need.
rm -rf usr/share/doc usr/share/man usr/share/info usr/share/locale usr/share/lintian \
	usr/share/bug lib/systemd usr/lib/systemd etc/init.d etc/rc?.d etc/logrotate.d \
	etc/ufw usr/share/nginx/modules-available 2>/dev/null || true

# Users and groups: Debian's base-passwd entries the packages use, and the
# system users their postinst scripts add (adduser --system), with fixed ids.
cat > etc/passwd <<'PW'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
redis:x:101:101::/var/lib/redis:/usr/sbin/nologin
mosquitto:x:102:102::/var/lib/mosquitto:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
cat > etc/group <<'GR'
root:x:0:
daemon:x:1:
adm:x:4:
www-data:x:33:
redis:x:101:
mosquitto:x:102:
nogroup:x:65534:
GR
printf 'passwd: files\ngroup: files\nhosts: files\n' > etc/nsswitch.conf
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > etc/hosts
chmod 644 etc/passwd etc/group etc/nsswitch.conf etc/hosts

# What the postinst scripts do (redis-tools, redis-server, mosquitto,
# nginx-common), by hand: dpkg-statoverride and chown/chmod.
# Numbers, not names: chown would look names up in the host's passwd.
mkdir -p var/log/redis var/lib/redis etc/redis var/lib/mosquitto var/log/mosquitto var/www/html
own() {
	chown "$1" "$3" || die "chown $1 $3 failed"
	chmod "$2" "$3" || die "chmod $2 $3 failed"
}
own 101:4 2750 var/log/redis
own 101:101 750 var/lib/redis
own 101:101 2770 etc/redis
own 101:101 640 etc/redis/redis.conf
own 102:0 755 var/lib/mosquitto
own 102:0 755 var/log/mosquitto
own 0:4 755 var/log/nginx
for f in access.log error.log; do
	: > "var/log/nginx/$f"
	own 33:4 640 "var/log/nginx/$f"
done
[ -e etc/nginx/sites-enabled/default ] || ln -s /etc/nginx/sites-available/default etc/nginx/sites-enabled/default
cp usr/share/nginx/html/index.html var/www/html/index.nginx-debian.html

# The dynamic loader's cache (libc-bin's ldconfig is not in the tree).
[ -f etc/ld.so.conf ] || echo 'include /etc/ld.so.conf.d/*.conf' > etc/ld.so.conf
ldconfig -r "$tree" 2>/dev/null || die "ldconfig -r $tree failed"

# Every ELF file's DT_NEEDED libraries must be in the tree: one readelf
# over every candidate (a file that is not ELF only makes it complain, and
# exit 1: not a failure here).
bad=$(find . \( -type f -o -type l \) -name '*.so*' -printf '%f\n' | LC_ALL=C sort -u > "$cache/libs"
	find . -type f \( -perm -u+x -o -name '*.so*' \) -print0 |
		{ xargs -0 -r env LC_ALL=C readelf -dW 2>/dev/null || true; } |
		awk -v libs="$cache/libs" 'BEGIN { while ((getline l < libs) > 0) have[l] = 1 }
			/^File: / { f = $2; next }
			/\(NEEDED\)/ { n = $NF; gsub(/^\[|\]$/, "", n); if (!(n in have)) printf " %s:%s", f, n }')
rm -f "$cache/libs"
[ -z "$bad" ] || die "libraries missing from the tree:$bad"

echo "$key" > "$cache/tree.key"
echo "$tree"
