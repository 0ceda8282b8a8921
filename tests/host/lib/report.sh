# Sourced by the host-tier scripts (tests/host/*.sh): the reporters that
# ./build.sh test counts ("ok NAME", "not ok NAME: why", "skip NAME: reason")
# and oneline, which folds text into one bounded line for a reason.
ok() { printf 'ok %s\n' "$1"; }
nok() { printf 'not ok %s: %s\n' "$1" "$2"; }
skip() { printf 'skip %s: %s\n' "$1" "$2"; }
oneline() { printf '%s' "$1" | tr '\n' ' ' | cut -c1-300; }
