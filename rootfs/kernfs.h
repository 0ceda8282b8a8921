/* The kernel's file systems in the sandbox (procfs, sysfs) and what is
 * hidden or made read-only in them: MaskedPaths= and ReadOnlyPaths= under
 * /proc and /sys are resolved relative to the fd of the mount we made
 * ourselves, never by name through the root, so renaming ROOT/proc from
 * outside (CVE-2019-19921, CVE-2021-30465) cannot move a mask off the
 * procfs it protects. After pivot_root, /proc and /sys must be those very
 * mounts. Child side: no allocation. */
#ifndef SBX_ROOTFS_KERNFS_H
#define SBX_ROOTFS_KERNFS_H

#include "fail.h"

#define ROOTFS_PROC_MAGIC 0x9fa0ul
#define ROOTFS_SYSFS_MAGIC 0x62656572ul
#define ROOTFS_TMPFS_MAGIC 0x01021994ul

/* The mounts we made: their fds (the root of each mount), -1 when none. */
struct rootfs_kern {
	int proc;
	int sys;
};

/* Files get a read-only bind of nullfd, directories an empty read-only
 * tmpfs. Under /proc or /sys a missing entry fails the start unless the
 * kernel may legitimately lack it (rootfs_kern_optional); elsewhere, a
 * path the rootfs does not have is nothing to hide. */
int rootfs_mask(int rootfd, const struct rootfs_kern *k, const char *path, int nullfd,
		struct step_fail *f);
int rootfs_make_readonly(int rootfd, const struct rootfs_kern *k, const char *path,
			 struct step_fail *f);

/* Entries of procfs/sysfs that depend on the kernel's configuration or
 * hardware (no ACPI, no sound, no SCSI, kcore or sched_debug not built,
 * timer_stats removed in 4.11 ...): missing, they have nothing to hide. */
int rootfs_kern_optional(const char *path);

/* Check that path, resolved in rootfd without any symlink, is the root of
 * the mount mntfd (same mount id, statx STATX_MNT_ID) of a file system with
 * the given magic (fstatfs). -1 with f = ("check the mount on", path,
 * EXDEV) when it is not. */
int rootfs_verify_mount(int rootfd, const char *path, int mntfd, unsigned long magic,
			struct step_fail *f);

#endif
