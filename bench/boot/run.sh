#!/bin/bash
# bench/boot/run.sh - boot the same services under four inits in QEMU and
# compare how fast they start them and what PID 1 keeps in memory.
#
# usage: ./build.sh bench boot [--units N,...] [--boots K] [--inits LIST]
#                              [--mem MB] [--icount S] [--keep]
#        ./build.sh bench boot --report RESULTS.tsv,...
#
#   --units N,...  service counts to boot (default 10,100); each count is a
#                  row: one busybox httpd and N-1 `sleep 1000NN` (each its own argument)
#   --boots K      boots per init and count, the median is shown (default 3)
#   --inits LIST   some of busybox,floor,finit,sandboxd (default all four)
#   --mem MB       guest memory at every count (default 2048: enough for 1000)
#   --keep         keep every image and console log in build/bench-boot
#   --icount S     run QEMU with -icount shift=S,sleep=off: the guest's clock
#                  counts instructions (2^S ns each) instead of following
#                  the host's, so other load on the host changes no figure
#                  (only how long the run takes); see docs/BENCH.md
#   --report F,... print the tables from earlier runs' results.tsv files
#                  (e.g. a 10,100 run and a 1000 run, with the same flags)
#                  and boot nothing
#
# The inits, on one kernel (Debian's, tests/qemu/kernel.sh), through
# tests/qemu/boot.sh with the same flags (TCG, 1 vCPU, --mem; never KVM):
#   busybox   busybox init, one ::respawn: line per service, no sandbox
#   floor     the same with busybox `unshare -fpmuin` before each service
#   finit     Debian's finit (apt-get download, unpacked, never installed),
#             one `service` line each, in its default cgroups
#   sandboxd  build/sandboxd (or $SANDBOXD) as PID 1, one unit per service:
#             default namespaces and seccomp profile, MemoryMax=, TasksMax=
# In the guest, bench/boot/measure.c (started last by each init) waits for
# every service, reads the times and PID 1's smaps_rollup, and powers off.
# docs/BENCH.md says what each column means. Installs what it needs with
# apt-get. Fails only when something cannot run, never on a missed target.
set -uo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
PROG="bench boot"
UNITS=10,100
BOOTS=3
INITS=busybox,floor,finit,sandboxd
MEM=2048
KEEP=0
ICOUNT=
REPORT=

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--units) UNITS=${2:?--units needs N,...}; shift 2 ;;
	--boots) BOOTS=${2:?--boots needs K}; shift 2 ;;
	--inits) INITS=${2:?--inits needs a list}; shift 2 ;;
	--mem) MEM=${2:?--mem needs MB}; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--icount) ICOUNT=${2:?--icount needs a shift}; shift 2 ;;
	--report) REPORT=${2:?--report needs FILE,...}; shift 2 ;;
	--*=*) k=${1%%=*}; v=${1#*=}; shift; set -- "$k" "$v" "$@" ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
counts=$(printf '%s' "$UNITS" | tr ',' ' ')
inits=$(printf '%s' "$INITS" | tr ',' ' ')
[ -n "$counts" ] || die "--units: no count given"
case $ICOUNT in ''|[0-9]|10) ;; *) die "--icount $ICOUNT: a shift of 0 to 10" ;; esac
for n in $counts "$BOOTS" "$MEM"; do
	case $n in ''|*[!0-9]*|0) die "not a positive number: $n" ;; esac
done
for n in $counts; do
	[ "$n" -ge 2 ] || die "--units $n: at least 2 (one httpd and one sleep)"
done
for i in $inits; do
	case $i in busybox|floor|finit|sandboxd) ;; *) die "--inits: unknown init $i" ;; esac
done

O=${O:-build}
work=$TOP/$O/bench-boot
mkdir -p "$work"

# ---------------------------------------------------------------- table

# The tables, from results files (lines: init, units, boot, status, fields).
# Uses $inits, $counts, $finit_ver and $BOOTS.
print_table() {
	# shellcheck disable=SC2016
	awk -F'\t' -v inits="$inits" -v counts="$counts" -v finit_ver="$finit_ver" -v boots="$BOOTS" '
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		if (n == 0) return ""
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function add(key, v) { if (v != "" && v != "-") vals[key] = vals[key] " " v }
	function cell(i, n, f,   m) {
		m = median(vals[i SUBSEP n SUBSEP f])
		if (m == "") return state[i, n] != "" ? state[i, n] : "-"
		return m
	}
	function secs(i, n, f,   m) { m = cell(i, n, f); return m ~ /^[0-9.]+$/ ? sprintf("%.3f s", m / 1000) : m }
	function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) ? sprintf("%.2f", a / b) : "-" }
	{
		i = $1; n = $2; st = $4
		if (st == "ok") {
			split($5, kv, " ")
			for (x in kv) {
				split(kv[x], p, "=")
				if (p[1] == "cgroup") cgs[i] = p[2]
				else add(i SUBSEP n SUBSEP p[1], p[2])
			}
			ok[i, n]++
		} else if (state[i, n] == "" || st == "refused") {
			state[i, n] = st
		}
	}
	END {
		ni = split(inits, I, " "); nn = split(counts, N, " ")
		name["busybox"] = "busybox init"; name["floor"] = "busybox init + unshare -fpmuin (floor)"
		name["finit"] = "finit " finit_ver; name["sandboxd"] = "sandboxd"
		for (f = 1; f <= 2; f++) {
			fld = f == 1 ? "forkspan_ms" : "allrun_ms"
			print ""
			print (f == 1 ? "fork span (Run /init to the last service fork)" : "all running (Run /init to every service process seen)") ", median of the boots (up to " boots " per cell)"
			hdr = "| units |"; sep = "|---|"
			for (a = 1; a <= ni; a++) { hdr = hdr " " name[I[a]] " |"; sep = sep "---|" }
			print hdr " sandboxd/floor | sandboxd/finit |"; print sep "---|---|"
			for (b = 1; b <= nn; b++) {
				row = "| " N[b] " |"
				for (a = 1; a <= ni; a++) row = row " " secs(I[a], N[b], fld) " |"
				row = row " " ratio(cell("sandboxd", N[b], fld), cell("floor", N[b], fld)) " | " ratio(cell("sandboxd", N[b], fld), cell("finit", N[b], fld)) " |"
				print row
			}
		}
		print ""
		print "PID 1 memory after all run (smaps_rollup, kB): Rss / Pss / Anonymous, median"
		hdr = "| units |"; sep = "|---|"
		for (a = 1; a <= ni; a++) { hdr = hdr " " name[I[a]] " |"; sep = sep "---|" }
		print hdr; print sep
		for (b = 1; b <= nn; b++) {
			row = "| " N[b] " |"
			for (a = 1; a <= ni; a++) {
				r = cell(I[a], N[b], "rss_kb")
				row = row (r ~ /^[0-9.]+$/ ? " " r " / " cell(I[a], N[b], "pss_kb") " / " cell(I[a], N[b], "anon_kb") " |" : " " r " |")
			}
			print row
		}
		for (b = 1; b <= nn; b++) {
			s = cell("sandboxd", N[b], "status_ms")
			if (s ~ /^[0-9.]+$/) {
				if (!hs) { print ""; print "sandboxctl status in the guest over all units (median of 5 runs, median of boots)"; hs = 1 }
				print "  " N[b] " units: status " s " ms, status --json " cell("sandboxd", N[b], "json_ms") " ms"
			}
		}
		print ""
		print "the cgroup of the service forked last (where each init puts a service)"
		for (a = 1; a <= ni; a++) if (I[a] in cgs) print "  " name[I[a]] ": " cgs[I[a]]
		print ""
		print "cost per unit (fork span, ms per added unit) and anonymous memory per unit (kB)"
		for (a = 1; a <= ni; a++) {
			i = I[a]; line = "  " name[i] ":"; prev = ""; slopes = ""
			for (b = 1; b <= nn; b++) {
				v = cell(i, N[b], "forkspan_ms"); m = cell(i, N[b], "anon_kb")
				if (prev != "" && v ~ /^[0-9.]+$/ && pv ~ /^[0-9.]+$/) {
					s = (v - pv) / (N[b] - prev)
					line = line sprintf(" %d->%d %.1f ms", prev, N[b], s)
					if (pm ~ /^[0-9.]+$/ && m ~ /^[0-9.]+$/) line = line sprintf(" (%.1f kB)", (m - pm) / (N[b] - prev))
					line = line ";"
					slopes = slopes " " s
				}
				prev = N[b]; pv = v; pm = m
			}
			ns = split(slopes, S, " ")
			if (ns >= 2 && S[1] > 0) { growth[i] = S[ns] / S[1]; line = line sprintf(" growth (last/first slope) %.2f", growth[i]) }
			print line
		}
		if (("sandboxd" in growth) && ("floor" in growth) && growth["floor"] > 0)
			printf "  sandboxd growth / floor growth: %.2f (target <= 1.2)\n", growth["sandboxd"] / growth["floor"]
	}' "$@"

}

if [ -n "$REPORT" ]; then
	files=$(printf '%s' "$REPORT" | tr ',' ' ')
	for f in $files; do [ -f "$f" ] || die "--report: no file $f"; done
	# shellcheck disable=SC2086
	counts=$(cut -f2 $files | sort -n -u | tr '\n' ' ')
	# shellcheck disable=SC2086
	BOOTS=$(cut -f3 $files | sort -n | tail -n 1)
	finit_ver=$(sed -n 's/.*finit_\([^_]*\)_.*/\1/p' "$TOP/${O:-build}/bench-boot/finit-root/.deb" 2>/dev/null)
	# shellcheck disable=SC2086
	print_table $files
	exit 0
fi

# ---------------------------------------------------------------- needs

[ "$(id -u)" = 0 ] || die "needs root (mkimage.sh makes /dev/console, apt-get installs)"

PKGS="qemu-system-x86 busybox-static cpio musl-tools gcc binutils gzip"
need_pkgs() {
	local missing="" p
	for p in $PKGS; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	msg "installing$missing"
	apt-get update -q >&2 || die "apt-get update failed"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 ||
		die "apt-get install$missing failed"
}
need_pkgs

kernel=$("$TOP/tests/qemu/kernel.sh") || die "cannot get the kernel (tests/qemu/kernel.sh)"
busybox=${BUSYBOX:-/bin/busybox}
[ -f "$busybox" ] || die "no $busybox (apt-get install busybox-static)"

# The sandboxd measured is a copy taken now: a rebuild while the benchmark
# runs cannot mix two binaries.
sandboxd_src=${SANDBOXD:-$TOP/build/sandboxd}
[ -f "$sandboxd_src" ] || die "no sandboxd at $sandboxd_src (./build.sh first)"
sandboxd=$work/sandboxd
{ cp "$sandboxd_src" "$sandboxd.tmp" && mv "$sandboxd.tmp" "$sandboxd"; } || die "cannot copy $sandboxd_src"

measure=$work/measure
if [ ! -x "$measure" ] || [ "$TOP/bench/boot/measure.c" -nt "$measure" ]; then
	musl-gcc -std=c17 -O2 -Wall -Wextra -Werror -static -s \
		-o "$measure" "$TOP/bench/boot/measure.c" || die "building bench/boot/measure.c failed"
fi

# finit: Debian's package and its libraries, unpacked (never installed),
# plus the host's glibc files its binaries load (the same Debian release).
finit_root=$work/finit-root
finit_ver=
get_finit() {
	local dl=$work/finit-debs pkgs="finit libite5 libuev3" p f lib
	if [ ! -x "$finit_root/sbin/finit" ]; then
		rm -rf "$dl" "$finit_root.tmp"
		mkdir -p "$dl" "$finit_root.tmp"
		for p in $pkgs; do
			(cd "$dl" && apt-get download -q "$p" >&2 2>/dev/null) ||
				(cd "$dl" && apt-get update -q >&2 && apt-get download "$p" >&2) ||
				die "apt-get download $p failed (does this Debian have finit?)"
		done
		for f in "$dl"/*.deb; do
			dpkg-deb -x "$f" "$finit_root.tmp" || die "dpkg-deb -x $f failed"
		done
		# Only the init and what it runs: no docs, no shipped service files.
		rm -rf "$finit_root.tmp/usr/share" "$finit_root.tmp/etc"
		mkdir -p "$finit_root.tmp/etc/finit.d"
		for f in "$finit_root.tmp"/sbin/finit "$finit_root.tmp"/lib/finit/*; do
			[ -f "$f" ] && [ ! -L "$f" ] || continue
			LD_LIBRARY_PATH=$finit_root.tmp/usr/lib/x86_64-linux-gnu ldd "$f" 2>/dev/null |
				awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
		done | sort -u | while read -r lib; do
			case $lib in "$finit_root.tmp"/*) continue ;; esac
			mkdir -p "$finit_root.tmp$(dirname "$lib")"
			cp -L "$lib" "$finit_root.tmp$lib" || exit 1
		done || die "copying finit's libraries failed"
		rm -rf "$finit_root"
		mv "$finit_root.tmp" "$finit_root"
		ls "$dl"/finit_*.deb > "$finit_root/.deb"
	fi
	finit_ver=$(sed -n 's/.*finit_\([^_]*\)_.*/\1/p' "$finit_root/.deb")
}
case " $inits " in *" finit "*) get_finit ;; esac

# With --icount, boot.sh runs QEMU through this wrapper (its QEMU= hook),
# which adds the one flag; everything else stays boot.sh's.
if [ -n "$ICOUNT" ]; then
	real_qemu=${QEMU:-qemu-system-x86_64}
	command -v "$real_qemu" >/dev/null || die "$real_qemu not found"
	cat > "$work/qemu-icount" <<-EOF
	#!/bin/sh
	exec $(command -v "$real_qemu") "\$@" -icount shift=$ICOUNT,sleep=off
	EOF
	chmod 755 "$work/qemu-icount"
	export QEMU=$work/qemu-icount
fi

# ---------------------------------------------------------------- images

# Seconds the measurer waits for all services, and QEMU's own limit.
deadline_for() { echo $((60 + $1 / 4)); }
# Under --icount the guest's clock runs about 5x slower than the host's
# here (TCG at some 50 M guest instructions per second, counted as 4 ns
# each), so the host's limit scales with it.
timeout_for() {
	if [ -n "$ICOUNT" ]; then
		echo $(($(deadline_for "$1") * 8 + 120))
	else
		echo $(($(deadline_for "$1") + 90))
	fi
}

www=$work/www
mkdir -p "$www"
echo '<p>bench</p>' > "$www/index.html"

# $1 = init, $2 = N; prints the image's path.
make_image() {
	local init=$1 n=$2 dir=$work/img-$1-$2 i d
	d=$(deadline_for "$n")
	rm -rf "$dir"
	mkdir -p "$dir"
	local args=(--sandboxd "$sandboxd" --busybox "$busybox" -o "$dir/image.cpio.gz"
		--add "$www:/www" --add "$measure:/bin/bench-measure")
	case $init in
	busybox|floor)
		local pre=
		[ "$init" = floor ] && pre="/bin/unshare -fpmuin "
		{
			echo "::respawn:${pre}/bin/httpd -f -p 80 -h /www"
			for ((i = 2; i <= n; i++)); do
				# busybox init merges identical lines: each its own.
				echo "::respawn:${pre}/bin/sleep $((100000 + i))"
			done
			# busybox init starts respawn lines in file order, after
			# sysinit/wait/once lines: the measurer last.
			echo "::respawn:/bin/bench-measure $init $n $d"
		} > "$dir/inittab"
		args+=(--add "$dir/inittab:/etc/inittab" --init /bin/init)
		;;
	finit)
		# One .conf per service in /etc/finit.d, as Debian's package lays
		# them out: finit puts the services of one file in one cgroup,
		# /system/FILE, so each service gets a cgroup of its own.
		mkdir -p "$dir/finit.d"
		echo "service [2345] name:httpd /bin/httpd -f -p 80 -h /www -- httpd" \
			> "$dir/finit.d/httpd.conf"
		for ((i = 2; i <= n; i++)); do
			printf -v name 'sleep%04d' "$i"
			echo "service [2345] :$i name:$name /bin/sleep $((100000 + i)) -- sleep $i" \
				> "$dir/finit.d/$name.conf"
		done
		echo "service [2345] name:measure /bin/bench-measure finit $n $d -- measure" \
			> "$dir/finit.d/zz-measure.conf"
		: > "$dir/finit.conf"
		local sub
		for sub in sbin lib lib64 usr etc; do
			[ -d "$finit_root/$sub" ] && args+=(--add "$finit_root/$sub:/$sub")
		done
		args+=(--add "$dir/finit.conf:/etc/finit.conf" --add "$dir/finit.d:/etc/finit.d"
			--init /sbin/finit)
		;;
	sandboxd)
		mkdir -p "$dir/units"
		local after="httpd"
		cat > "$dir/units/httpd.unit" <<-EOF
		[Service]
		ExecStart=/bin/httpd -f -p 80 -h /www
		[Resources]
		MemoryMax=32M
		TasksMax=16
		EOF
		for ((i = 2; i <= n; i++)); do
			printf -v name 'sleep%04d' "$i"
			after="$after $name"
			cat > "$dir/units/$name.unit" <<-EOF
			[Service]
			ExecStart=/bin/sleep $((100000 + i))
			[Resources]
			MemoryMax=16M
			TasksMax=16
			EOF
		done
		# The measurer: after every service, in PID 1's namespaces (it
		# reads every process and powers off), no seccomp profile.
		cat > "$dir/units/zz-measure.unit" <<-EOF
		[Unit]
		After=$after
		[Service]
		ExecStart=/bin/bench-measure sandboxd $n $d /bin/sandboxctl
		StandardOutput=console
		StandardError=console
		Restart=no
		[Sandbox]
		Namespaces=~pid ~net ~ipc ~uts ~mount ~cgroup
		Capabilities=CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_KILL CAP_SYS_PTRACE CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYSLOG CAP_MKNOD
		NoNewPrivileges=no
		ControlAccess=yes
		SeccompProfile=none
		MaskedPaths=
		ReadOnlyPaths=
		EOF
		args+=(--units "$dir/units")
		;;
	esac
	"$TOP/tests/qemu/mkimage.sh" "${args[@]}" >&2 || die "building the $init image for $n units failed"
	echo "$dir/image.cpio.gz"
}

# ---------------------------------------------------------------- boots

results=$work/results.tsv
: > "$results"

# Each boot runs in a session of its own (setsid): an interrupted benchmark
# ends the QEMU it started, by that session's process group only.
boot_pid=
stop_boot() {
	[ -n "$boot_pid" ] && kill -TERM -- "-$boot_pid" 2>/dev/null
	boot_pid=
}
trap 'stop_boot; exit 130' INT TERM
trap 'stop_boot' EXIT

# $1 = init, $2 = N, $3 = boot number, $4 = image. Appends one line to
# $results: init n k status fields... (status ok, refused, incomplete,
# timeout, failed).
boot_one() {
	local init=$1 n=$2 k=$3 image=$4 log=$work/console-$1-$2-$3.log t pid line st try
	t=$(timeout_for "$n")
	for try in 1 2 3; do
		: > "$log"
		# no_timer_check: under TCG on a busy host the kernel's check of
		# the IO-APIC timer can fail and panic before /init ever runs.
		setsid "$TOP/tests/qemu/boot.sh" "$image" --kernel "$kernel" --smp 1 \
			--mem "$MEM" --timeout "$t" --append no_timer_check \
			< /dev/null > "$log" 2>&1 &
		pid=$!
		boot_pid=$pid
		st=
		while kill -0 "$pid" 2>/dev/null; do
			if grep -q 'cannot supervise: too many units\|more than [0-9]* units' "$log"; then
				# A unit cap (main's SUP_MAX_UNITS, the unit
				# folder's 1024): the boot can never complete.
				st=refused
				kill -TERM -- "-$pid" 2>/dev/null
				break
			fi
			sleep 1
		done
		wait "$pid"
		boot_pid=
		line=$(tr -d '\r' < "$log" | grep -m1 -o 'BENCH-RESULT .*')
		if [ -z "$st" ]; then
			if [ -n "$line" ]; then
				case $line in *complete=1*) st=ok ;; *) st=incomplete ;; esac
			elif grep -q '^qemu: timeout' "$log"; then
				st=timeout
			else
				st=failed
			fi
		fi
		# A panic before /init ran is the emulator's, not the init's: boot again.
		if [ "$st" = failed ] && grep -q 'Kernel panic' "$log" &&
			! grep -q 'Run /init\|^sandboxd:\|BENCH\|bench-measure' "$log"; then
			msg "$init, $n units, boot $k: kernel panic before /init (attempt $try), booting again"
			cp "$log" "$log.panic$try"
			continue
		fi
		break
	done
	printf '%s\t%s\t%s\t%s\t%s\n' "$init" "$n" "$k" "$st" "${line#BENCH-RESULT }" >> "$results"
	msg "$init, $n units, boot $k: $st ${line#BENCH-RESULT }"
	[ "$st" = ok ] || msg "  console: $log"
}

start=$(date +%s)
msg "kernel $kernel; $BOOTS boots of each of: $inits; units: $counts; ${MEM} MB, 1 vCPU, TCG${ICOUNT:+, -icount shift=$ICOUNT,sleep=off}"
msg "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $counts; do
	declare -A img=()
	for i in $inits; do
		img[$i]=$(make_image "$i" "$n")
	done
	# Boots alternate between the inits, so that a change of load on the
	# machine falls on all of them alike.
	for ((k = 1; k <= BOOTS; k++)); do
		for i in $inits; do
			# A refused count stays refused: no use booting it again.
			if grep -q "^$i	$n	[0-9]*	refused" "$results"; then
				continue
			fi
			boot_one "$i" "$n" "$k" "${img[$i]}"
		done
	done
	unset img
done
msg "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - start )) s"

print_table "$results"
echo
echo "raw results: $results (init, units, boot, status, fields)"
if [ "$KEEP" = 0 ]; then
	rm -rf "$work"/img-*
fi
