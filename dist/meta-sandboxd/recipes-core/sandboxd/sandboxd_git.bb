SUMMARY = "Static PID 1 init and service sandbox"
DESCRIPTION = "sandboxd is one statically linked binary: as PID 1 it mounts \
the API file systems, reads INI unit files and runs each service in its own \
namespaces, rootfs, seccomp filter and cgroup v2 limits. sandboxctl is the \
same binary under another name."
HOMEPAGE = "https://git.example.com/sandboxd"
SECTION = "base"
# sandboxd has no license file yet: set LICENSE and LIC_FILES_CHKSUM once
# it has one.
LICENSE = "CLOSED"

# A placeholder: the project's git URL (set SANDBOXD_GIT_URI and SRCREV in
# local.conf or a bbappend). Developers build their own checkout instead
# with externalsrc: INHERIT += "externalsrc" and
# EXTERNALSRC:pn-sandboxd = "/path/to/sandboxd" (docs/FIRMWARE.md).
SANDBOXD_GIT_URI ??= "git://git.example.com/sandboxd.git;protocol=https;branch=main"
SRC_URI = "${SANDBOXD_GIT_URI}"
SRCREV ??= "a24923ab623ee196af5e4fa8da3a4bdaed980cb0"
PV = "0.1+git"

# The build's outputs stay out of the source tree (an externalsrc
# checkout included).
B = "${WORKDIR}/build"

DEPENDS = "libinih"

# The project's Kconfig symbols: the bools as PACKAGECONFIG options, the
# other values as SANDBOXD_<NAME> (tests/host/firmware-build.sh fails when
# one is missing here). do_configure writes the whole .config, so the build
# needs no kconfig-frontends.
PACKAGECONFIG ??= "${@bb.utils.filter('DISTRO_FEATURES', 'seccomp', d)} \
                   cgroups control-socket oci-spec seal-binary"
PACKAGECONFIG[seccomp] = "CONFIG_SECCOMP=y,CONFIG_SECCOMP=n,libseccomp"
PACKAGECONFIG[cgroups] = "CONFIG_CGROUPS=y,CONFIG_CGROUPS=n"
PACKAGECONFIG[control-socket] = "CONFIG_CONTROL_SOCKET=y,CONFIG_CONTROL_SOCKET=n"
PACKAGECONFIG[oci-spec] = "CONFIG_OCI_SPEC=y,CONFIG_OCI_SPEC=n"
PACKAGECONFIG[seal-binary] = "CONFIG_SEAL_BINARY=y,CONFIG_SEAL_BINARY=n"
PACKAGECONFIG[debug] = "CONFIG_DEBUG=y,CONFIG_DEBUG=n"

SANDBOXD_LOG_BUFFER_KB ??= "64"
SANDBOXD_UNIT_DIR ??= "/etc/sandboxd"
SANDBOXD_RUN_DIR ??= "/run/sandboxd"
SANDBOXD_RUN_SIZE ??= "16M"
SANDBOXD_SHM_SIZE ??= "16M"
SANDBOXD_ROOT_SPARE_MB ??= "16"
SANDBOXD_PIDS_RESERVE_PERCENT ??= "5"
SANDBOXD_TMPFS_DEFAULT_SIZE_KB ??= "16384"
SANDBOXD_DEFAULT_TASKS_MAX ??= "512"
SANDBOXD_CGROUP_ROOT ??= "sandboxd"

# A folder of NAME.unit files (and NAME.unit.d/ drop-ins) on the build
# host, installed into SANDBOXD_UNIT_DIR; empty: none.
SANDBOXD_UNITS_DIR ??= ""
do_install[file-checksums] += "${@'${SANDBOXD_UNITS_DIR}:True' if d.getVar('SANDBOXD_UNITS_DIR') else ''}"

do_configure() {
	mkdir -p ${B}
	printf '%s\n' ${PACKAGECONFIG_CONFARGS} >${B}/.config
	cat >>${B}/.config <<EOF
CONFIG_LOG_BUFFER_KB=${SANDBOXD_LOG_BUFFER_KB}
CONFIG_UNIT_DIR="${SANDBOXD_UNIT_DIR}"
CONFIG_RUN_DIR="${SANDBOXD_RUN_DIR}"
CONFIG_RUN_SIZE="${SANDBOXD_RUN_SIZE}"
CONFIG_SHM_SIZE="${SANDBOXD_SHM_SIZE}"
CONFIG_ROOT_SPARE_MB=${SANDBOXD_ROOT_SPARE_MB}
CONFIG_PIDS_RESERVE_PERCENT=${SANDBOXD_PIDS_RESERVE_PERCENT}
CONFIG_TMPFS_DEFAULT_SIZE_KB=${SANDBOXD_TMPFS_DEFAULT_SIZE_KB}
CONFIG_DEFAULT_TASKS_MAX=${SANDBOXD_DEFAULT_TASKS_MAX}
CONFIG_CGROUP_ROOT="${SANDBOXD_CGROUP_ROOT}"
EOF
}

# build.sh's firmware mode: the recipe's compiler, flags and sysroot
# (libseccomp.a, and libinih.a through the bbappend); linked -static.
do_compile() {
	cd ${S}
	SBX_FIRMWARE=1 CC="${CC}" CFLAGS="${CFLAGS}" LDFLAGS="${LDFLAGS}" \
		O="${B}" KCONFIG_CONFIG="${B}/.config" ./build.sh build
}

do_install() {
	install -D -m 0755 ${B}/sandboxd ${D}${base_sbindir}/sandboxd
	install -d ${D}${bindir}
	ln -s ${@os.path.relpath(d.getVar('base_sbindir') + '/sandboxd', d.getVar('bindir'))} \
		${D}${bindir}/sandboxctl
	install -d ${D}${SANDBOXD_UNIT_DIR}
	if [ -n "${SANDBOXD_UNITS_DIR}" ]; then
		cp -R --no-preserve=ownership ${SANDBOXD_UNITS_DIR}/. ${D}${SANDBOXD_UNIT_DIR}/
	fi
}

FILES:${PN} += "${SANDBOXD_UNIT_DIR}"
# the link strips the binary (-s)
INSANE_SKIP:${PN} += "already-stripped"

# /sbin/init only when sandboxd is the init manager (INIT_MANAGER =
# "sandboxd"), above busybox's and sysvinit's priority
inherit update-alternatives
ALTERNATIVE:${PN} = "${@'init' if d.getVar('VIRTUAL-RUNTIME_init_manager') == 'sandboxd' else ''}"
ALTERNATIVE_LINK_NAME[init] = "${base_sbindir}/init"
ALTERNATIVE_TARGET[init] = "${base_sbindir}/sandboxd"
ALTERNATIVE_PRIORITY[init] = "300"
