/* PID 1's first steps: the API filesystems, leaving the initramfs, the
 * console, the hostname and the run folder. Each step reports its failure
 * and the caller logs it and goes on: PID 1 never dies over a mount. */
#ifndef SBX_BOOT_H
#define SBX_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/err.h"

/* Set by boot_leave_initramfs() in the environment of the re-executed
 * init, so that it knows the switch is done. */
#define BOOT_SWITCHED_ENV "SANDBOXD_SWITCHED"
/* Where the copy of the initramfs is built before it becomes "/". */
#define BOOT_NEW_ROOT "/.sandboxd-root"

struct boot_opts {
	char units_dir[256];
	bool debug;
};

/* Read /proc/cmdline: `sandboxd.units=DIR` sets units_dir, `sandboxd.debug`
 * (or sandboxd.debug=1|yes|true) sets debug. An empty units_dir is set to
 * CONFIG_UNIT_DIR first. The kernel keeps dotted words from init's argv and
 * environment, hence the file. */
void boot_cmdline(struct boot_opts *o);

/* Mount /proc, /sys, /dev, /dev/pts, /dev/shm, /run and cgroup2 at
 * /sys/fs/cgroup, each only when it is not a mount point yet; tries them
 * all and reports the failures in e (returns -1 if any). */
int boot_mounts(struct err *e);

/* When "/" is the kernel's initramfs ("rootfs"), pivot_root(2) cannot work
 * for the units (EINVAL): copy the tree to a tmpfs, free the initramfs,
 * make the tmpfs "/" and re-exec /sbin/init with the same argv. Does
 * nothing (returns 0) when "/" is something else or the switch is done;
 * does not return when it switched; -1 on failure, with "/" left as it
 * was when the copy failed. Needs /proc (boot_mounts first). */
int boot_leave_initramfs(struct err *e);

/* Open /dev/console for the supervisor's messages and make it fds 0, 1, 2;
 * returns the (close-on-exec) fd. */
int boot_console(struct err *e);

/* Whether the kernel's log says the initramfs was not unpacked whole
 * ("Initramfs unpacking failed: ..."); its words in why. Needs /dev. */
bool boot_initramfs_failed(char *why, size_t len);

/* sethostname() from the first word of /etc/hostname, when there is one;
 * -1 and e when the name is over 64 bytes or the kernel refuses it. */
int boot_hostname(struct err *e);

/* mkdir -p DIR, mode 0755 for what it creates. */
int boot_run_dir(const char *dir, struct err *e);

#endif
