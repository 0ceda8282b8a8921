################################################################################
#
# sandboxd
#
################################################################################

# By default, the sandboxd source tree this br2-external tree sits in
# (dist/buildroot of a checkout): no download, no hash.
ifeq ($(call qstrip,$(BR2_PACKAGE_SANDBOXD_SITE)),)
SANDBOXD_VERSION = local
SANDBOXD_SITE = $(BR2_EXTERNAL_SANDBOXD_PATH)/../..
SANDBOXD_SITE_METHOD = local
# the checkout's own build outputs and configuration are not sources
SANDBOXD_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude /build --exclude /.config --exclude /.config.old
else
SANDBOXD_VERSION = $(call qstrip,$(BR2_PACKAGE_SANDBOXD_SITE_VERSION))
SANDBOXD_SITE = $(call qstrip,$(BR2_PACKAGE_SANDBOXD_SITE))
SANDBOXD_SITE_METHOD = git
# a version the user picks has no hash to check against
BR_NO_CHECK_HASH_FOR += $(SANDBOXD_SOURCE)
endif

# sandboxd has no license file yet: set SANDBOXD_LICENSE and
# SANDBOXD_LICENSE_FILES once it has one.

SANDBOXD_DEPENDENCIES = inih
ifeq ($(BR2_PACKAGE_SANDBOXD_SECCOMP),y)
SANDBOXD_DEPENDENCIES += libseccomp
endif

# Every symbol of the project's Kconfig, from BR2_PACKAGE_SANDBOXD_<NAME>
# (tests/host/firmware-build.sh fails when one is missing here). The
# .config is complete, so build.sh needs no kconfig-frontends.
SANDBOXD_KCONFIG_BOOLS = \
	SECCOMP CGROUPS CONTROL_SOCKET OCI_SPEC SEAL_BINARY DEBUG
SANDBOXD_KCONFIG_VALUES = \
	LOG_BUFFER_KB UNIT_DIR RUN_DIR RUN_SIZE SHM_SIZE ROOT_SPARE_MB \
	PIDS_RESERVE_PERCENT TMPFS_DEFAULT_SIZE_KB DEFAULT_TASKS_MAX \
	CGROUP_ROOT

# A value whose option is hidden (DEFAULT_TASKS_MAX without CGROUPS) is
# left out, as kconfig would.
define SANDBOXD_CONFIGURE_CMDS
	mkdir -p $(@D)/br-build
	{ \
	$(foreach s,$(SANDBOXD_KCONFIG_BOOLS),\
		echo 'CONFIG_$(s)=$(if $(BR2_PACKAGE_SANDBOXD_$(s)),y,n)';) \
	$(foreach s,$(SANDBOXD_KCONFIG_VALUES),$(if $(BR2_PACKAGE_SANDBOXD_$(s)),\
		echo 'CONFIG_$(s)=$(BR2_PACKAGE_SANDBOXD_$(s))';)) \
	} > $(@D)/br-build/.config
endef

# build.sh's firmware mode: buildroot's compiler, flags and sysroot; the
# binary is linked -static, against libseccomp.a and libinih.a
SANDBOXD_BUILD_ENV = \
	SBX_FIRMWARE=1 \
	CC="$(TARGET_CC)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	O=$(@D)/br-build \
	KCONFIG_CONFIG=$(@D)/br-build/.config

define SANDBOXD_BUILD_CMDS
	cd $(@D) && $(TARGET_MAKE_ENV) $(SANDBOXD_BUILD_ENV) ./build.sh build
endef

SANDBOXD_UNIT_DIR = $(call qstrip,$(BR2_PACKAGE_SANDBOXD_UNIT_DIR))
SANDBOXD_UNITS_DIR = $(call qstrip,$(BR2_PACKAGE_SANDBOXD_UNITS_DIR))

define SANDBOXD_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/br-build/sandboxd \
		$(TARGET_DIR)/sbin/sandboxd
	mkdir -p $(TARGET_DIR)/usr/bin
	ln -sf ../../sbin/sandboxd $(TARGET_DIR)/usr/bin/sandboxctl
	mkdir -p $(TARGET_DIR)$(SANDBOXD_UNIT_DIR)
endef

ifneq ($(SANDBOXD_UNITS_DIR),)
define SANDBOXD_INSTALL_UNITS
	cp -dR --preserve=mode,timestamps $(SANDBOXD_UNITS_DIR)/. \
		$(TARGET_DIR)$(SANDBOXD_UNIT_DIR)/
endef
SANDBOXD_POST_INSTALL_TARGET_HOOKS += SANDBOXD_INSTALL_UNITS
endif

# As the init: /sbin/init for a disk root, /init for an initramfs (which
# also keeps fs/cpio's /init script out: sandboxd mounts devtmpfs itself
# and needs no shell).
ifneq ($(BR2_INIT_SANDBOXD)$(BR2_INIT_NONE),)
define SANDBOXD_INSTALL_INIT
	ln -sf sandboxd $(TARGET_DIR)/sbin/init
	ln -sf sbin/sandboxd $(TARGET_DIR)/init
endef
SANDBOXD_POST_INSTALL_TARGET_HOOKS += SANDBOXD_INSTALL_INIT
endif

$(eval $(generic-package))
