# Sourced by the QEMU tiers (tier.sh, pid1.sh, demo-boot.sh, the daemons
# tier): every result line goes through res (or a tee into $results), and
# at exit the closing line on stderr counts them, a skip apart from a pass.
#
# results_begin FILE NAME: empties FILE ($results from now on) and sets the
# EXIT trap that prints "NAME: P passed, F failed, S skipped".
# res LINE: LINE on stdout and into $results.

results_begin() {
	results=$1
	results_name=$2
	: > "$results"
	trap results_closing EXIT
}

res() { printf '%s\n' "$1" | tee -a "$results"; }

# shellcheck disable=SC2317 # run by the trap
results_closing() {
	awk -v n="$results_name" '/^ok / { p++ } /^not ok / { f++ } /^skip / { s++ }
		END { printf "%s: %d passed, %d failed, %d skipped\n", n, p, f, s }' "$results" >&2
}
