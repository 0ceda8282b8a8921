#!/bin/bash
# The image tool (tests/qemu/mkimage.sh): a source tree made here as root
# goes into an image, which is unpacked again by GNU cpio as root; every
# member must come back exactly as it was (owner, group, mode with the s-bits,
# link count, device numbers, symlink target, content). Then the trees it
# must refuse, each an error naming the path and leaving no image behind, and
# a full disk (a truncated image is an error).
#
# Env: SANDBOXD = the sandboxd to put in (default build/sandboxd), TOP.
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
mkimage=${MKIMAGE:-$TOP/tests/qemu/mkimage.sh}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}

if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ] || ! command -v cpio >/dev/null ||
   ! command -v python3 >/dev/null; then
	nok image-prereqs "needs root (mknod, chown), busybox-static, cpio and python3"
	exit 1
fi
[ -f "$SANDBOXD" ] || { nok image-prereqs "no sandboxd at $SANDBOXD"; exit 1; }

work=$(mktemp -d /var/tmp/sbx-image-test.XXXXXX) || exit 1
small=
cleanup() {
	[ -n "$small" ] && umount "$small" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

mk() { "$mkimage" --sandboxd "$SANDBOXD" --busybox /bin/busybox "$@"; }

# ---- the tree, as dpkg-deb -x would leave a Debian package's files
src=$work/src
mkdir -p "$src/etc/redis" "$src/usr/bin" "$src/dev" "$src/var/tmp" "$src/run/redis"
echo "bind 127.0.0.1" > "$src/etc/redis/redis.conf"
chown 101:102 "$src/etc/redis/redis.conf" "$src/run/redis"
chmod 0640 "$src/etc/redis/redis.conf"
chmod 2775 "$src/run/redis"
printf 'su\n' > "$src/usr/bin/su"; chmod 4755 "$src/usr/bin/su"
printf 'wall\n' > "$src/usr/bin/wall"; chown 0:5 "$src/usr/bin/wall"; chmod 2755 "$src/usr/bin/wall"
chmod 1777 "$src/var/tmp"
printf 'one inode\n' > "$src/usr/bin/a"; ln "$src/usr/bin/a" "$src/usr/bin/b"
printf 'three names\n' > "$src/usr/bin/t1"; ln "$src/usr/bin/t1" "$src/usr/bin/t2"
ln "$src/usr/bin/t1" "$src/etc/t3"
mknod -m 0666 "$src/dev/null" c 1 3
mknod -m 0660 "$src/dev/loop9" b 7 9; chown 0:6 "$src/dev/loop9"
mkfifo -m 0620 "$src/run/fifo"; chown 101:102 "$src/run/fifo"
ln -s ../etc/redis/redis.conf "$src/usr/conf-link"
ln -s /etc/redis "$src/etc/abs-link"; chown -h 101:102 "$src/etc/abs-link"
# the root of the tree (lands on /opt/deb) and a 0700 folder of a user
chmod 0751 "$src"
mkdir -m 0700 "$src/home"; chown 1000:1000 "$src/home"
printf 'secret\n' > "$src/home/key"; chown 1000:1000 "$src/home/key"; chmod 0400 "$src/home/key"

img=$work/img.cpio.gz
if ! err=$(mk -o "$img" --add "$src:/opt/deb" --owner 7:8 --add "$src/usr/bin/su:/forced/su" \
	--owner keep --add "$src/usr/bin/wall:/kept/wall" 2>&1); then
	nok image-build "mkimage failed: $(oneline "$err")"
	exit 1
fi
ok image-build

out=$work/out
mkdir "$out"
if ! err=$( (cd "$out" && gzip -dc "$img" | cpio -idm --quiet --no-absolute-filenames) 2>&1); then
	nok image-unpack "cpio -idm: $(oneline "$err")"
	exit 1
fi

# stat of one member: owner, group, mode (octal, with the s-bits), type,
# links, device major and minor (hex)
st() { stat -c '%u %g %a %F %h %t %T' "$1" 2>&1; }
same() {   # NAME SOURCE-PATH IMAGE-PATH
	local a b
	a=$(st "$2"); b=$(st "$out$3")
	if [ "$a" = "$b" ]; then ok "$1"; else nok "$1" "source '$a', image '$b'"; fi
}
same image-owner-0640 "$src/etc/redis/redis.conf" /opt/deb/etc/redis/redis.conf
same image-setuid "$src/usr/bin/su" /opt/deb/usr/bin/su
same image-setgid "$src/usr/bin/wall" /opt/deb/usr/bin/wall
same image-setgid-dir "$src/run/redis" /opt/deb/run/redis
same image-sticky-dir "$src/var/tmp" /opt/deb/var/tmp
same image-chardev "$src/dev/null" /opt/deb/dev/null
same image-blockdev "$src/dev/loop9" /opt/deb/dev/loop9
same image-fifo "$src/run/fifo" /opt/deb/run/fifo
same image-tree-root "$src" /opt/deb
same image-private-dir "$src/home" /opt/deb/home
same image-private-file "$src/home/key" /opt/deb/home/key
same image-kept-owner "$src/usr/bin/wall" /kept/wall

# hard links: one inode in the unpacked tree, the link count of the source,
# the content once
ino() { stat -c '%i %h' "$1" 2>&1; }
if [ "$(stat -c %i "$out/opt/deb/usr/bin/a")" = "$(stat -c %i "$out/opt/deb/usr/bin/b")" ] &&
   [ "$(stat -c %h "$out/opt/deb/usr/bin/a")" = 2 ] &&
   [ "$(cat "$out/opt/deb/usr/bin/b")" = "one inode" ]; then
	ok image-hardlink-pair
else
	nok image-hardlink-pair "a: $(ino "$out/opt/deb/usr/bin/a"), b: $(ino "$out/opt/deb/usr/bin/b")"
fi
i1=$(stat -c %i "$out/opt/deb/usr/bin/t1" 2>/dev/null)
if [ -n "$i1" ] && [ "$(stat -c %i "$out/opt/deb/usr/bin/t2")" = "$i1" ] &&
   [ "$(stat -c %i "$out/opt/deb/etc/t3")" = "$i1" ] &&
   [ "$(stat -c %h "$out/opt/deb/etc/t3")" = 3 ] &&
   [ "$(cat "$out/opt/deb/etc/t3")" = "three names" ]; then
	ok image-hardlink-three
else
	nok image-hardlink-three "t1: $(ino "$out/opt/deb/usr/bin/t1"), t2: $(ino "$out/opt/deb/usr/bin/t2"), t3: $(ino "$out/opt/deb/etc/t3")"
fi

# symlinks: the target as written (never followed), the link's own owner
l1=$(readlink "$out/opt/deb/usr/conf-link"); l2=$(readlink "$out/opt/deb/etc/abs-link")
o2=$(stat -c '%u:%g' "$out/opt/deb/etc/abs-link")
if [ "$l1" = ../etc/redis/redis.conf ] && [ "$l2" = /etc/redis ] && [ "$o2" = 101:102 ]; then
	ok image-symlink
else
	nok image-symlink "targets '$l1' '$l2', owner $o2"
fi
if [ "$(cat "$out/opt/deb/etc/redis/redis.conf")" = "bind 127.0.0.1" ] &&
   cmp -s "$out/sbin/sandboxd" "$SANDBOXD"; then
	ok image-content
else
	nok image-content "redis.conf or /sbin/sandboxd differ from their source"
fi

# --owner forces the owner of the --add after it, nothing else; the mode stays
a=$(st "$out/forced/su")
if [ "$a" = "7 8 4755 regular file 1 0 0" ]; then ok image-owner-forced; else nok image-owner-forced "/forced/su: $a"; fi

# mkimage's own files: root's (home/user is user's), /dev/console 5:1
a="$(st "$out/etc/passwd") / $(st "$out/dev/console") / $(st "$out/tmp") / $(st "$out/home/user")"
if [ "$a" = "0 0 644 regular file 1 0 0 / 0 0 600 character special file 1 5 1 / 0 0 1777 directory 2 0 0 / 1000 1000 755 directory 2 0 0" ]; then
	ok image-own-files
else
	nok image-own-files "$a"
fi

# the same inputs give the same bytes
if mk -o "$work/img2.cpio.gz" --add "$src:/opt/deb" --owner 7:8 --add "$src/usr/bin/su:/forced/su" \
	--owner keep --add "$src/usr/bin/wall:/kept/wall" 2>/dev/null && cmp -s "$img" "$work/img2.cpio.gz"; then
	ok image-reproducible
else
	nok image-reproducible "two runs on the same tree gave different archives"
fi

# ---- what it must refuse: an error naming the path, exit 1, no image
refused() {   # [RC=N] NAME WHAT-THE-MESSAGE-NAMES ARGS... (exit status 1 unless RC=)
	local name=$1 want=$2 err rc code=${RC:-1}
	shift 2
	rm -f "$work/bad.cpio.gz"
	err=$(mk -o "$work/bad.cpio.gz" "$@" 2>&1); rc=$?
	if [ "$rc" = "$code" ] && [[ $err == *"$want"* ]] && [ ! -e "$work/bad.cpio.gz" ] &&
	   [ -z "$(find "$work" -maxdepth 1 -name 'bad.cpio.gz.tmp*')" ]; then
		ok "$name"
	else
		nok "$name" "exit $rc, image $([ -e "$work/bad.cpio.gz" ] && echo left || echo none): $(oneline "$err")"
	fi
}
bad=$work/bad
mkdir -p "$bad/nl" "$bad/big" "$bad/clash/bin"
touch "$bad/nl/$(printf 'a\nb')"
refused image-refuse-newline "a newline" --add "$bad/nl:/x"
truncate -s 4G "$bad/big/huge"
refused image-refuse-4g "$bad/big/huge" --add "$bad/big:/x"
refused image-refuse-dir-over-file "/etc/passwd is not a folder" --add "$bad/clash:/etc/passwd"
echo hi > "$bad/clash/file"
refused image-refuse-file-over-dir "/etc is a folder" --add "$bad/clash/file:/etc"
RC=2 refused image-refuse-missing "$bad/none" --add "$bad/none:/x"

# a socket: left out, with a warning naming it; the rest is kept
mkdir -p "$bad/sock"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$bad/sock/s" &&
	echo kept > "$bad/sock/f"
if err=$(mk -o "$work/sock.cpio.gz" --add "$bad/sock:/x" 2>&1); then
	list=$(gzip -dc "$work/sock.cpio.gz" | cpio -it --quiet 2>&1)
	if [[ $err == *"$bad/sock/s is a socket"* ]] && [[ $list == *x/f* ]] && [[ $list != *x/s* ]]; then
		ok image-socket-skipped
	else
		nok image-socket-skipped "warning '$(oneline "$err")', x/s in archive: $([[ $list == *x/s* ]] && echo yes || echo no)"
	fi
else
	nok image-socket-skipped "mkimage failed: $(oneline "$err")"
fi

# a full disk: an image that does not fit is an error, and nothing is left
small=$work/small
mkdir "$small"
if mount -t tmpfs -o size=256k tmpfs "$small" 2>/dev/null; then
	err=$(mk -o "$small/img.cpio.gz" --add "$src:/opt/deb" 2>&1); rc=$?
	left=$(ls -A "$small")
	if [ "$rc" = 1 ] && [[ $err == *"No space left"* || $err == *"does not check"* ]] && [ -z "$left" ]; then
		ok image-disk-full
	else
		nok image-disk-full "exit $rc, left: '$left': $(oneline "$err")"
	fi
	umount "$small" && small=
else
	skip image-disk-full "cannot mount a small tmpfs here"
fi
