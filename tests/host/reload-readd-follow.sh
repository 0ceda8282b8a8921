#!/bin/bash
# `sandboxctl logs -f NAME` of a unit re-added by reload while the removed
# one of that name still stops (its ExecStop= writes): followers are kept
# by name, and the removed unit's lines went to the new unit's followers;
# each turn between the two (the old one's output, the follower's refill
# from the new one) sent one or the other's whole log again, over and over.
#  - reload-readd-follow: the follower of the new unit sees none of the
#    removed one's lines, and the new unit's own line once.
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
sup_setup reload-readd-follow readdf
export SANDBOXD_RUN_DIR=$run

# the old w says OLD while it stops (2 s); each w says RUN-<n> at its start
cat >"$work/w.unit" <<EOT
[Service]
ExecStart=/bin/sh -c 'echo RUN-\$(cat $work/n); exec sleep 100000'
ExecStop=/bin/sh -c 'for i in 1 2 3 4; do echo OLD-\$i; sleep 0.5; done'
[Sandbox]
Namespaces=~mount ~pid
EOT
echo 1 >"$work/n"
cp "$work/w.unit" "$units/"

"$SANDBOXD" --units "$units" >"$work/sup.log" 2>&1 &
sup_pid=$!
if ! sup_wait w running 10; then
	nok reload-readd-follow-prereqs "w is '$(sup_state w)': $(oneline "$(cat "$work/sup.log")")"
	exit 1
fi
rm "$units/w.unit"
"$SANDBOXCTL" reload >/dev/null 2>&1   # the old w: ExecStop= for 2 s
echo 2 >"$work/n"
cp "$work/w.unit" "$units/"
"$SANDBOXCTL" reload >/dev/null 2>&1   # the new w: once the old one is down
timeout 4 "$SANDBOXCTL" logs -f w >"$work/follow" 2>&1
if ! kill -0 "$sup_pid" 2>/dev/null; then
	nok reload-readd-follow-alive "the supervisor died: $(oneline "$(tail -5 "$work/sup.log")")"
	exit 0
fi
if ! grep -q 'OLD\|RUN-1' "$work/follow" && [ "$(grep -c 'RUN-2' "$work/follow")" = 1 ]; then
	ok reload-readd-follow
else
	nok reload-readd-follow "the new w's follower got ($(grep -c . "$work/follow") lines): $(oneline "$(cat "$work/follow")")"
fi
