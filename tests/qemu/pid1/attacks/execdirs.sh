# checks: atk-dirs-runtime-owner atk-dirs-runtime-removed atk-dirs-removal-no-follow atk-dirs-status-answers atk-dirs-runtime-back
# RuntimeDirectory= under the real PID 1 (issue #11, helper "dirs"):
# created as the unit's user with its mode in PID 1's /run; removed, once
# the unit's cgroup is empty, by a short-lived child of PID 1 (PID 1 never
# walks a tree the unit wrote): here 2000 files, a chain of 40 folders
# and symlinks to /etc the unit left there, which must not be followed;
# `status` answers while it runs; the next start makes it again.
nobody_uid=$(awk -F: '$1 == "nobody" { print $3 }' /etc/passwd)
cat > $UNITS/atk-dirs.unit <<'UNIT'
[Service]
ExecStart=/bin/sh -c 'cd /run/atk-dirs || exit 1; d=.; i=0; while [ $i -lt 40 ]; do d=$d/d; i=$((i+1)); done; mkdir -p $d; i=0; while [ $i -lt 2000 ]; do : > f$i; i=$((i+1)); done; ln -s /etc etc; ln -s /etc/passwd $d/pw; touch ready; exec sleep 100000'
User=nobody
RuntimeDirectory=atk-dirs
RuntimeDirectoryMode=0700
Restart=no
UNIT
$CTL reload >/dev/null 2>&1
wait_for 60 test -e /run/atk-dirs/ready
got=$(stat -c '%u %a' /run/atk-dirs 2>&1)
if [ -e /run/atk-dirs/ready ] && [ "$got" = "$nobody_uid 700" ]; then
	ok atk-dirs-runtime-owner
else
	nok atk-dirs-runtime-owner "owner and mode '$got' (want '$nobody_uid 700'), state $(jget atk-dirs state)"
fi

passwd_before=$(cat /etc/passwd)
$CTL stop atk-dirs >/dev/null 2>&1 &
stopper=$!
# while the remover runs, PID 1 answers
t0=$(now_ms)
st=$(timeout 3 $CTL status atk-dirs 2>&1)
t1=$(now_ms)
if [ -n "$st" ] && [ $((t1 - t0)) -lt 3000 ]; then
	ok atk-dirs-status-answers
else
	nok atk-dirs-status-answers "status took $((t1 - t0)) ms: $(echo "$st" | head -n 1)"
fi
wait $stopper
wait_for 30 state_is atk-dirs inactive
if state_is atk-dirs inactive && [ ! -e /run/atk-dirs ]; then
	ok atk-dirs-runtime-removed
else
	nok atk-dirs-runtime-removed "state $(jget atk-dirs state), left: $(ls -A /run/atk-dirs 2>&1 | head -c 200)"
fi
if [ -d /etc ] && [ ! -L /etc ] && [ "$(cat /etc/passwd)" = "$passwd_before" ] && [ -n "$passwd_before" ]; then
	ok atk-dirs-removal-no-follow
else
	nok atk-dirs-removal-no-follow "/etc: $(ls -ld /etc 2>&1), passwd $(wc -c < /etc/passwd 2>&1) bytes"
fi

$CTL start atk-dirs >/dev/null 2>&1
wait_for 60 test -e /run/atk-dirs/ready
if [ -e /run/atk-dirs/ready ] && state_is atk-dirs running; then
	ok atk-dirs-runtime-back
else
	nok atk-dirs-runtime-back "state $(jget atk-dirs state), ready: $(ls /run/atk-dirs/ready 2>&1)"
fi
$CTL stop atk-dirs >/dev/null 2>&1
wait_for 30 state_is atk-dirs inactive
rm -f $UNITS/atk-dirs.unit
$CTL reload >/dev/null 2>&1
