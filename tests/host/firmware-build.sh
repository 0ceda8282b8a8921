#!/bin/bash
# The firmware build mode of build.sh (SBX_FIRMWARE=1) as buildroot and
# Yocto use it (dist/, docs/FIRMWARE.md), and the recipes against Kconfig.
#
# The build: musl-gcc stands for the firmware toolchain, a folder made here
# for its sysroot (UAPI headers, ini.h, seccomp.h, libseccomp.a,
# libinih.a); PATH holds no apt-get, apt, dpkg or kconfig-* tools; the
# .config is complete (every Kconfig symbol at its default, UNIT_DIR
# changed) as the recipes write it. The binary must be static, carry the
# .config's values and run `--help` and `check`; an incomplete .config and a
# sysroot without the static libraries must fail with what is missing.
#
# The recipes (no build): every Kconfig symbol is an option of
# dist/buildroot/package/sandboxd/Config.in (same type, default and range)
# written by sandboxd.mk, and a PACKAGECONFIG option or SANDBOXD_<NAME>
# variable of the Yocto recipe written by its do_configure; a Kconfig with
# one symbol more must fail that check. And the .config each recipe writes
# (buildroot's configure step run by make over sandboxd.mk, the recipe's
# do_configure with bitbake's expansions done here) must be the Kconfig
# defaults the build uses.
#
# Env: TOP (the repository).
set -u

# shellcheck source=tests/host/lib/report.sh
. "$(dirname "$0")/lib/report.sh"

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d /var/tmp/sbx-firmware.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- recipes

# A complete .config: each symbol at its Kconfig default (what the recipes
# write when nobody changes an option), UNIT_DIR moved.
defconfig() {
	awk '
	$1 == "config" { name = $2; type = ""; next }
	name != "" && ($1 == "bool" || $1 == "int" || $1 == "string") { type = $1; next }
	name != "" && $1 == "default" {
		v = substr($0, index($0, "default") + 8)
		if (type == "bool" && v == "n") print "# CONFIG_" name " is not set"
		else print "CONFIG_" name "=" v
		name = ""
	}
	name != "" && $1 == "help" {
		if (type == "bool") print "# CONFIG_" name " is not set"
		name = ""
	}' "$TOP/Kconfig" | sed 's|^CONFIG_UNIT_DIR=.*|CONFIG_UNIT_DIR="/fw/units"|'
}


# $1 = Kconfig to check the recipes against. Prints one line per problem.
check_recipes() {
	python3 - "$1" "$TOP/dist" <<'PY'
import re, sys

kconfig, dist = sys.argv[1], sys.argv[2]
br_in = dist + "/buildroot/package/sandboxd/Config.in"
br_mk = dist + "/buildroot/package/sandboxd/sandboxd.mk"
bb = dist + "/meta-sandboxd/recipes-core/sandboxd/sandboxd_git.bb"

def symbols(path, prefix):
    """config blocks: name -> {type, default, range}, in file order"""
    out, cur = {}, None
    for line in open(path):
        w = line.split()
        if not w or w[0] == "#":
            continue
        if w[0] in ("config", "menuconfig"):
            cur = None
            if w[1].startswith(prefix):
                cur = out.setdefault(w[1][len(prefix):], {})
        elif cur is None or w[0] == "help":
            cur = None
        elif w[0] in ("bool", "int", "string", "hex", "tristate"):
            cur["type"] = w[0]
        elif w[0] == "default" and "default" not in cur:
            cur["default"] = line.split(None, 1)[1].strip()
        elif w[0] == "range":
            cur["range"] = tuple(w[1:3])
    return out

def joined(path):
    """the file with backslash continuations joined"""
    return re.sub(r"\\\n", " ", open(path).read())

kc = symbols(kconfig, "")
bad = []

# buildroot
br = symbols(br_in, "BR2_PACKAGE_SANDBOXD_")
mk = joined(br_mk)
lists = {}
for name in ("BOOLS", "VALUES"):
    m = re.search(r"^SANDBOXD_KCONFIG_%s\s*=(.*)$" % name, mk, re.M)
    lists[name] = m.group(1).split() if m else []
for s, k in kc.items():
    b = br.get(s)
    if b is None:
        bad.append("buildroot: no BR2_PACKAGE_SANDBOXD_%s in %s" % (s, br_in))
        continue
    for f in ("type", "range"):
        if b.get(f) != k.get(f):
            bad.append("buildroot: BR2_PACKAGE_SANDBOXD_%s %s %s, Kconfig %s" % (s, f, b.get(f), k.get(f)))
    kd, bd = k.get("default", "n"), b.get("default", "n")
    if kd != bd:
        bad.append("buildroot: BR2_PACKAGE_SANDBOXD_%s default %s, Kconfig %s" % (s, bd, kd))
    want = "BOOLS" if k.get("type") == "bool" else "VALUES"
    if s not in lists[want]:
        bad.append("buildroot: %s not in SANDBOXD_KCONFIG_%s of %s" % (s, want, br_mk))
for name, syms in lists.items():
    for s in syms:
        if s not in kc:
            bad.append("buildroot: SANDBOXD_KCONFIG_%s names %s, not in Kconfig" % (name, s))

# Yocto
rec = joined(bb)
m = re.search(r'^PACKAGECONFIG\s*\?\?=\s*"(.*?)"', rec, re.M)
pc_default = m.group(1) if m else ""
flags = dict(re.findall(r'^PACKAGECONFIG\[([\w-]+)\]\s*=\s*"([^"]*)"', rec, re.M))
for s, k in kc.items():
    if k.get("type") == "bool":
        hit = [f for f, v in flags.items() if v.startswith("CONFIG_%s=y,CONFIG_%s=n" % (s, s))]
        if not hit:
            bad.append('yocto: no PACKAGECONFIG[...] = "CONFIG_%s=y,CONFIG_%s=n..." in %s' % (s, s, bb))
            continue
        on = re.search(r"(^|[\s'])%s($|[\s'])" % re.escape(hit[0]), pc_default) is not None
        if on != (k.get("default", "n") == "y"):
            bad.append("yocto: PACKAGECONFIG %s is %s by default, Kconfig's %s default %s"
                       % (hit[0], "on" if on else "off", s, k.get("default", "n")))
        continue
    m = re.search(r'^SANDBOXD_%s\s*\?\?=\s*"(.*)"' % s, rec, re.M)
    if not m:
        bad.append("yocto: no SANDBOXD_%s ??= in %s" % (s, bb))
        continue
    kd = k.get("default", "")
    if k.get("type") == "string":
        kd = kd.strip('"')
    if m.group(1) != kd:
        bad.append("yocto: SANDBOXD_%s ??= %s, Kconfig default %s" % (s, m.group(1), kd))
    val = '"${SANDBOXD_%s}"' % s if k.get("type") == "string" else "${SANDBOXD_%s}" % s
    if not re.search(r"^CONFIG_%s=%s$" % (s, re.escape(val)), rec, re.M):
        bad.append("yocto: do_configure writes no CONFIG_%s=%s" % (s, val))
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
PY
}

if ! command -v python3 >/dev/null 2>&1; then
	skip firmware-recipes-kconfig "no python3"
else
	if out=$(check_recipes "$TOP/Kconfig" 2>&1); then
		ok firmware-recipes-kconfig
	else
		nok firmware-recipes-kconfig "$(oneline "$out")"
	fi
	# the check itself: one symbol more in Kconfig must be reported for both
	cp "$TOP/Kconfig" "$work/Kconfig"
	printf '\nconfig NEW_THING\n\tbool "a new feature"\n\tdefault y\n' >>"$work/Kconfig"
	out=$(check_recipes "$work/Kconfig" 2>&1)
	if printf '%s\n' "$out" | grep -q 'buildroot: no BR2_PACKAGE_SANDBOXD_NEW_THING' &&
	   printf '%s\n' "$out" | grep -q 'yocto: no PACKAGECONFIG.*CONFIG_NEW_THING=y'; then
		ok firmware-recipes-new-symbol
	else
		nok firmware-recipes-new-symbol "a Kconfig symbol the recipes lack went unreported: $(oneline "$out")"
	fi
fi

# The .config each recipe writes with its options at their defaults, the
# unit folder at /fw/units: buildroot's configure step run by make with
# sandboxd.mk and the options of a .config, the Yocto recipe's do_configure
# with its variables put in as bitbake would. Both must equal the Kconfig
# defaults (defconfig above, what the build below uses). $1 = folder.
recipe_configs() {
	python3 - "$TOP/dist" "$1" <<'PY'
import re, sys

dist, out = sys.argv[1], sys.argv[2]
unit_dir = "/fw/units"

# buildroot: a .config of the package's options at their defaults
cur, lines = None, []
for line in open(dist + "/buildroot/package/sandboxd/Config.in"):
    w = line.split()
    if not w:
        continue
    if w[0] == "config":
        cur = {"name": w[1]}
        lines.append(cur)
    elif cur is not None and w[0] in ("bool", "int", "string"):
        cur["type"] = w[0]
    elif cur is not None and w[0] == "default" and "default" not in cur:
        cur["default"] = line.split(None, 1)[1].strip()
    elif w[0] == "help":
        cur = None
with open(out + "/br2.config", "w") as f:
    for c in lines:
        n, t, v = c["name"], c.get("type"), c.get("default")
        if n == "BR2_PACKAGE_SANDBOXD_UNIT_DIR":
            v = '"%s"' % unit_dir
        if t == "bool":
            f.write("%s=y\n" % n if v == "y" else "# %s is not set\n" % n)
        elif t == "string":
            f.write("%s=%s\n" % (n, v or '""'))
        elif t == "int":
            f.write("%s=%s\n" % (n, v))
    f.write("BR2_PACKAGE_SANDBOXD=y\n")

# Yocto: do_configure's body with bitbake's expansions done
rec = open(dist + "/meta-sandboxd/recipes-core/sandboxd/sandboxd_git.bb").read()
joined = re.sub(r"\\\n", " ", rec)
values = dict(re.findall(r'^(SANDBOXD_\w+)\s*\?\?=\s*"(.*)"', joined, re.M))
values["SANDBOXD_UNIT_DIR"] = unit_dir
pc = re.search(r'^PACKAGECONFIG\s*\?\?=\s*"(.*?)"', joined, re.M).group(1)
# the default DISTRO_FEATURES have seccomp
pc = re.sub(r"\$\{@bb\.utils\.filter\('DISTRO_FEATURES', '([\w-]+)', d\)\}", r"\1", pc).split()
args = []
for flag, v in re.findall(r'^PACKAGECONFIG\[([\w-]+)\]\s*=\s*"([^"]*)"', joined, re.M):
    f = v.split(",")
    args.append(f[0] if flag in pc else f[1])
body = re.search(r"^do_configure\(\) \{\n(.*?)^\}$", rec, re.M | re.S).group(1)
body = body.replace("${PACKAGECONFIG_CONFARGS}", " ".join(args)).replace("${B}", out + "/yocto")
body = re.sub(r"\$\{(SANDBOXD_\w+)\}", lambda m: values[m.group(1)], body)
left = re.findall(r"\$\{[^}]*\}", body)
if left:
    sys.exit("do_configure uses what this test cannot expand: %s" % " ".join(left))
open(out + "/do_configure.sh", "w").write(body)
PY
	[ -f "$1/do_configure.sh" ] || return 1
	sh -e "$1/do_configure.sh" || return 1
	make -s -f - TOP="$TOP" OUT="$1/br" BRCONFIG="$1/br2.config" "$1/br/configure" <<'MK'
# what buildroot gives a package's .mk that the configure step uses
qstrip = $(strip $(subst ",,$(1)))
generic-package =
BR2_EXTERNAL_SANDBOXD_PATH = $(TOP)/dist/buildroot
include $(BRCONFIG)
include $(TOP)/dist/buildroot/package/sandboxd/sandboxd.mk
$(OUT)/configure:
	$(SANDBOXD_CONFIGURE_CMDS)
MK
}

# .config lines -> sorted "CONFIG_X=v", "is not set" as =n
normal_config() {
	sed -n -e '/^CONFIG_/p' -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' "$1" | LC_ALL=C sort
}

if ! command -v python3 >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
	skip firmware-recipes-config "no python3 or make"
else
	rc_dir=$work/recipe-configs
	mkdir -p "$rc_dir/br"
	if ! log=$(recipe_configs "$rc_dir" 2>&1); then
		nok firmware-recipes-config "the recipes' configure steps failed: $(oneline "$log")"
	else
		defconfig >"$rc_dir/kconfig.config"
		want=$(normal_config "$rc_dir/kconfig.config")
		br=$(normal_config "$rc_dir/br/br-build/.config")
		yo=$(normal_config "$rc_dir/yocto/.config")
		if [ "$br" != "$want" ]; then
			nok firmware-recipes-config "buildroot's .config differs from the Kconfig defaults: $(oneline "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$br"))")"
		elif [ "$yo" != "$want" ]; then
			nok firmware-recipes-config "Yocto's .config differs from the Kconfig defaults: $(oneline "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$yo"))")"
		else
			ok firmware-recipes-config
		fi
	fi
fi

# ---------------------------------------------------------------- build

multiarch=$(uname -m)-linux-gnu
# The libseccomp.a the project's own build linked ($O/.link lists it; its
# cache folder is named by its flags, build.sh SECCOMP_DIR)
seccomp_a=
for link in "$(dirname "${SANDBOXD:-$TOP/build/sandboxd}")/.link" "$TOP/build/.link"; do
	[ -f "$link" ] && seccomp_a=$(tr ' ' '\n' < "$link" | grep -m1 '/libseccomp\.a$') && break
done
case $seccomp_a in '' | /*) ;; *) seccomp_a=$TOP/$seccomp_a ;; esac
inih_a=/usr/lib/$multiarch/libinih.a
why=
command -v musl-gcc >/dev/null 2>&1 || why="no musl-gcc"
[ -n "$seccomp_a" ] && [ -f "$seccomp_a" ] ||
	why="no libseccomp.a of the project's own build (${seccomp_a:-no .link names one}: ./build.sh makes it)"
[ -f "$inih_a" ] || why="no $inih_a (libinih-dev)"
[ -f /usr/include/ini.h ] || why="no /usr/include/ini.h (libinih-dev)"
command -v file >/dev/null 2>&1 || why="no file(1)"
if [ -n "$why" ]; then
	for t in firmware-build firmware-static firmware-no-host-paths firmware-kconfig-values \
		firmware-check firmware-incomplete-config firmware-no-static-lib; do
		skip "$t" "$why"
	done
	exit 0
fi

# the firmware's sysroot, as buildroot's staging or Yocto's recipe-sysroot
sysroot=$work/sysroot
mkdir -p "$sysroot/usr/include" "$sysroot/usr/lib"
ln -s /usr/include/linux /usr/include/asm-generic "$sysroot/usr/include/"
ln -s "/usr/include/$multiarch/asm" "$sysroot/usr/include/asm"
cp /usr/include/ini.h "$(dirname "$seccomp_a")"/../include/seccomp*.h "$sysroot/usr/include/"
cp "$seccomp_a" "$inih_a" "$sysroot/usr/lib/"

# PATH without apt, dpkg and kconfig-frontends
bin=$work/bin
mkdir -p "$bin"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	for f in "$d"/*; do
		n=${f##*/}
		case $n in apt | apt-* | dpkg | dpkg-* | kconfig-*) continue ;; esac
		[ -e "$bin/$n" ] || [ -L "$bin/$n" ] || ln -s "$f" "$bin/$n"
	done
done

# $1 = output folder; the rest: VAR=value for env. Runs build.sh build.
fw_build() {
	fb_o=$1
	shift
	env -i PATH="$bin" HOME="$work" SBX_FIRMWARE=1 CC=musl-gcc \
		CFLAGS="-isystem $sysroot/usr/include" O="$fb_o" KCONFIG_CONFIG="$fb_o/.config" \
		"$@" sh "$TOP/build.sh" build
}

if env PATH="$bin" sh -c 'command -v apt-get || command -v kconfig-conf || command -v dpkg-query' >/dev/null; then
	nok firmware-build "the stripped PATH still has apt-get, dpkg-query or kconfig-conf"
	exit 1
fi

out_dir=$work/out
mkdir -p "$out_dir"
defconfig >"$out_dir/.config"
if ! grep -q '^CONFIG_SECCOMP=y$' "$out_dir/.config" ||
   ! grep -q '^CONFIG_UNIT_DIR="/fw/units"$' "$out_dir/.config"; then
	nok firmware-build "the generated .config is not what the test expects: $(oneline "$(cat "$out_dir/.config")")"
	exit 1
fi
if log=$(fw_build "$out_dir" LDFLAGS="-L$sysroot/usr/lib" 2>&1) && [ -x "$out_dir/sandboxd" ]; then
	ok firmware-build
else
	nok firmware-build "$(oneline "$(printf '%s\n' "$log" | tail -n 8)")"
	exit 1
fi

what=$(file -b "$out_dir/sandboxd")
case $what in
*"statically linked"*) ok firmware-static ;;
*) nok firmware-static "$what" ;;
esac

# headers and libraries from the sysroot and LDFLAGS only: never
# build/include nor build/cache
flags=$(cat "$out_dir/obj/.flags" "$out_dir/.link" 2>/dev/null)
if [ -z "$flags" ]; then
	nok firmware-no-host-paths "no $out_dir/obj/.flags or .link"
elif printf '%s' "$flags" | grep -q "build/include\|build/cache\|$TOP/build"; then
	nok firmware-no-host-paths "the build used the repository's build/: $(oneline "$flags" | grep -o '[^ ]*build/[^ ]*' | head -n 3)"
elif ! printf '%s' "$flags" | grep -q -- "-L$sysroot/usr/lib -lseccomp -linih"; then
	nok firmware-no-host-paths "the link is not LDFLAGS then -lseccomp -linih: $(oneline "$(cat "$out_dir/.link")")"
else
	ok firmware-no-host-paths
fi

help=$("$out_dir/sandboxd" --help 2>&1)
if printf '%s' "$help" | grep -q 'loads the units of /fw/units'; then
	ok firmware-kconfig-values
else
	nok firmware-kconfig-values "--help does not name CONFIG_UNIT_DIR /fw/units: $(oneline "$help")"
fi

# `check` of the firmware binary: a unit with a syscall filter (SECCOMP)
# is valid, an unknown key is not, and the default folder is /fw/units
mkdir -p "$work/units"
printf '[Service]\nExecStart=/bin/true\nSystemCallFilter=@system-service\n' >"$work/units/good.unit"
printf '[Service]\nExecStart=/bin/true\nNoSuchKey=1\n' >"$work/units/bad.unit"
good=$("$out_dir/sandboxctl" check "$work/units/good.unit" 2>&1)
good_rc=$?
bad=$("$out_dir/sandboxctl" check "$work/units/bad.unit" 2>&1)
bad_rc=$?
dflt=$("$out_dir/sandboxctl" check 2>&1)
if [ "$good_rc" != 0 ]; then
	nok firmware-check "a valid unit was refused (rc $good_rc): $(oneline "$good")"
elif [ "$bad_rc" != 1 ] || ! printf '%s' "$bad" | grep -q NoSuchKey; then
	nok firmware-check "an unknown key was not reported (rc $bad_rc): $(oneline "$bad")"
elif ! printf '%s' "$dflt" | grep -q '^/fw/units: '; then
	nok firmware-check "check without arguments did not read /fw/units: $(oneline "$dflt")"
else
	ok firmware-check
fi

# no kconfig-conf and a .config without CONFIG_RUN_DIR: refused, by name
o2=$work/incomplete
mkdir -p "$o2"
grep -v '^CONFIG_RUN_DIR=' "$out_dir/.config" >"$o2/.config"
log=$(fw_build "$o2" LDFLAGS="-L$sysroot/usr/lib" 2>&1)
rc=$?
if [ "$rc" != 0 ] && printf '%s' "$log" | grep -q 'CONFIG_RUN_DIR: missing' && [ ! -e "$o2/sandboxd" ]; then
	ok firmware-incomplete-config
else
	nok firmware-incomplete-config "rc $rc: $(oneline "$log")"
fi

# a library the toolchain cannot find as a static one: refused before
# compiling, by variable. (musl-gcc's -print-file-name also searches the
# host's multiarch folder, so the sysroot's libinih.a cannot just be left
# out here; a firmware toolchain searches its sysroot only.)
o3=$work/nolib
mkdir -p "$o3"
cp "$out_dir/.config" "$o3/.config"
log=$(fw_build "$o3" LDFLAGS="-L$sysroot/usr/lib" INIH_LIBS=-lsbx_no_such_inih 2>&1)
rc=$?
if [ "$rc" != 0 ] && printf '%s' "$log" | grep -q 'INIH_LIBS: the toolchain finds no libsbx_no_such_inih.a' &&
   [ ! -d "$o3/obj/lib" ]; then
	ok firmware-no-static-lib
else
	nok firmware-no-static-lib "rc $rc: $(oneline "$log")"
fi
