#!/bin/sh
# 30-unit-arch.t: the unit tests of another architecture on its real kernel.
# `./build.sh test --arch aarch64` runs the unit tests under qemu-user, where
# the checks that need clone3, openat2, pid numbers of their own in a pid
# namespace or the program's own /proc/self/smaps_rollup skip
# (tests/unit/qemu_user.h). tier.sh puts this file and the test programs
# that have such checks in /tests/unit-bin of the image of any architecture
# but x86_64 (whose suite runs them on its own kernel); here they run as
# root on the tier's kernel, every check made. Lines prefixed "unit:".
# armhf has no QEMU tier: tests/qemu/demo-boot.sh runs this file in the
# booted demo appliance, with UNIT_BIN naming the folder.
bin=${UNIT_BIN:-/tests/unit-bin}
cd /tmp || exit 1
# What the tests expect of a Debian host: /var/tmp (their work folders) and
# Debian's base account daemon (uid 1, group 1; launch-ids-groups-by-name).
# Put back as found when done: the other scripts see the image's own files.
made_vartmp=
[ -d /var/tmp ] || { mkdir -p /var/tmp && chmod 1777 /var/tmp && made_vartmp=1; }
cp /etc/passwd /tmp/unit.passwd && cp /etc/group /tmp/unit.group || exit 1
grep -q '^daemon:' /etc/passwd || echo 'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' >> /etc/passwd
grep -q '^daemon:' /etc/group || echo 'daemon:x:1:' >> /etc/group
n=0
for t in "$bin"/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	name=${t##*/}
	"$t" > /tmp/unit.out 2>&1 < /dev/null
	rc=$?
	sed -n -e 's/^\(ok\|not ok\|skip\) /\1 unit:/p' -e '/^# /p' /tmp/unit.out
	if [ "$rc" != 0 ] && ! grep -q '^not ok ' /tmp/unit.out; then
		echo "not ok unit:$name: exited $rc: $(grep -v -e '^ok ' -e '^skip ' /tmp/unit.out | tail -n 3 | tr '\n' ' ')"
	elif ! grep -qE '^(ok|not ok|skip) ' /tmp/unit.out; then
		echo "not ok unit:$name: printed no check (exit $rc)"
	fi
done
rm -f /tmp/unit.out
cat /tmp/unit.passwd > /etc/passwd
cat /tmp/unit.group > /etc/group
rm -f /tmp/unit.passwd /tmp/unit.group
[ -z "$made_vartmp" ] || rm -rf /var/tmp
[ "$n" -gt 0 ] || echo "not ok unit-arch: no test program in $bin"
