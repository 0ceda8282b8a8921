#!/bin/bash
# What sandboxctl prints comes from PID 1, and PID 1 puts in it bytes of
# unit files, their names and the units' output: a Description= with
# terminal escapes (ESC, BEL, the C1 CSI U+009B) and bytes that are not
# UTF-8, a unit file whose name holds escapes, a bad key with escapes in
# its value. Every text reply (status, reload, logs) and every JSON one
# (status --json, config.json) must reach the terminal without a raw
# control byte (but tab and newline), a C1 control or a byte that is not
# UTF-8, as the console copy already does (docs/SECURITY.md row 13); the
# JSON must stay valid.
#
# Env: SANDBOXD = sandboxd to test (its sandboxctl link next to it), TOP.
# ASan tier: also run with sandboxd built with ASan+UBSan (build.sh host_tests_asan).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SANDBOXD=${SANDBOXD:-$TOP/build/sandboxd}
if [ ! -x "$SANDBOXD" ]; then
	nok status-prereqs "SANDBOXD is not set to an executable sandboxd"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	nok status-prereqs "needs root"
	exit 1
fi
command -v python3 >/dev/null || { skip status-prereqs "no python3 to check the bytes"; exit 0; }
CTL=$(dirname "$SANDBOXD")/sandboxctl
[ -x "$CTL" ] || { nok status-prereqs "no sandboxctl next to $SANDBOXD"; exit 1; }

work=$(mktemp -d /tmp/sbx-atk-status.XXXXXX) || exit 1
units=$work/units
mkdir -p "$work/run" "$units"
export SANDBOXD_RUN_DIR=$work/run
sbx_pid=
cleanup() {
	[ -n "$sbx_pid" ] && kill -TERM "$sbx_pid" 2>/dev/null && wait "$sbx_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

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
running() { "$CTL" status --json "$1" 2>/dev/null | grep -q '"state": *"running"'; }
# raw FILE: what in FILE a terminal could take as a control, or nothing
raw() {
	python3 - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], 'rb').read()
bad = []
for m in re.finditer(rb'[\x00-\x08\x0b-\x1f\x7f]', b):
    bad.append('byte 0x%02x at %d' % (m.group()[0], m.start()))
t = b.decode('utf-8', 'replace')
for i, ch in enumerate(t):
    if ch == '\ufffd':
        bad.append('not UTF-8 near char %d' % i)
    elif 0x80 <= ord(ch) <= 0x9f:
        bad.append('C1 U+%04X at char %d' % (ord(ch), i))
print('; '.join(bad[:4]))
PY
}
# check NAME FILE WHAT: ok when FILE holds nothing raw
check() {
	local r
	r=$(raw "$2")
	if [ -z "$r" ]; then
		ok "$1"
	else
		nok "$1" "$3 holds raw bytes: $r"
	fi
}

esc=$(printf '\033]0;pwned\007 \033[2J \302\23331m \377 end')
printf '[Unit]\nDescription=evil %s\n[Service]\nExecStart=/bin/sh -c "printf \\"a\\\\033[2Jb\\\\000c\\\\302\\\\233d\\\\n\\"; exec sleep 1000"\nEnvironment="X=%s"\n[Sandbox]\nNamespaces=~mount\n' \
	"$esc" "$esc" >"$units/evil.unit"
"$SANDBOXD" --units "$units" >"$work/console" 2>&1 &
sbx_pid=$!
if ! wait_for 10 running evil; then
	nok status-prereqs "the unit did not come up: $(oneline "$(cat "$work/console")")"
	exit 1
fi

"$CTL" status evil >"$work/status.txt" 2>&1
check control-status-text-escaped "$work/status.txt" "sandboxctl status evil"
"$CTL" status >"$work/table.txt" 2>&1
check control-status-table-escaped "$work/table.txt" "sandboxctl status"
"$CTL" logs evil >"$work/logs.txt" 2>&1
check control-logs-escaped "$work/logs.txt" "sandboxctl logs evil"

"$CTL" status --json evil >"$work/status.json" 2>&1
check control-status-json-escaped "$work/status.json" "sandboxctl status --json evil"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/status.json" 2>/dev/null; then
	ok control-status-json-valid
else
	nok control-status-json-valid "not JSON: $(oneline "$(head -c 300 "$work/status.json")")"
fi
cfg=$work/run/units/evil/config.json
if [ -f "$cfg" ]; then
	check control-config-json-escaped "$cfg" "run/units/evil/config.json"
else
	skip control-config-json-escaped "no config.json (CONFIG_OCI_SPEC off)"
fi

# reload's reply quotes what it rejects: file names and values
printf '[Service]\nExecStart=/bin/true\n' >"$units/x$(printf '\033]0;pwned\007')y.unit"
printf '[Service]\nExecStart=/bin/true\nUser=a%sb\n' "$(printf '\033[2J')" >"$units/badval.unit"
"$CTL" reload >"$work/reload.txt" 2>&1
check control-reload-reply-escaped "$work/reload.txt" "sandboxctl reload"

# one unit's Description= (a unit file may hold 1 MiB) must not make the
# status of every unit too big to send: 300000 ESC bytes are 1.8 MB of JSON
python3 -c 'import sys; sys.stdout.buffer.write(b"[Unit]\nDescription=" + b"\x1b" * 300000 + b"\n[Service]\nExecStart=/bin/sleep 1000\n[Sandbox]\nNamespaces=~mount\n")' \
	>"$units/big.unit"
rm -f "$units/x"*y.unit "$units/badval.unit"
"$CTL" reload >/dev/null 2>&1
wait_for 10 running big
"$CTL" status --json >"$work/all.json" 2>&1
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(u["name"] == "evil" and u["state"] == "running" for u in d["units"]) else 1)' "$work/all.json" 2>/dev/null; then
	ok control-status-json-long-description
else
	nok control-status-json-long-description "one unit's long Description=: $(oneline "$(head -c 200 "$work/all.json")")"
fi
"$CTL" status big >"$work/big.txt" 2>&1
if grep -q '^State: running' "$work/big.txt"; then
	ok control-status-text-long-description
else
	nok control-status-text-long-description "status big: $(oneline "$(head -c 200 "$work/big.txt")")"
fi

# the units' state folder swapped for a link to a host folder (a unit that
# can write the run folder): PID 1 makes a new unit's folder through it
# neither by its files nor by mkdir
mkdir -p "$work/host"
mv "$work/run/units" "$work/run/units.old"
ln -s "$work/host" "$work/run/units"
printf '[Service]\nExecStart=/bin/sleep 1000\n[Sandbox]\nNamespaces=~mount\n' >"$units/newunit.unit"
"$CTL" reload >/dev/null 2>&1
wait_for 10 running newunit
if [ -z "$(ls -A "$work/host")" ]; then
	ok control-state-dir-link-not-followed
else
	nok control-state-dir-link-not-followed "through run/units -> a host folder, PID 1 made: $(ls -A "$work/host" | tr '\n' ' ')"
fi

if kill -0 "$sbx_pid" 2>/dev/null; then
	ok control-status-supervisor-alive
else
	nok control-status-supervisor-alive "the supervisor is gone: $(oneline "$(tail -5 "$work/console")")"
	sbx_pid=
fi
