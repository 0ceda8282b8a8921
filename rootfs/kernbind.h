/* No kernel file system reaches a unit through a bind: BindPaths=/proc,
 * /sys/fs/cgroup, /sys/kernel/debug, or a folder above one (/, /sys), would
 * hand the unit the host's writable procfs, sysfs or cgroup tree past every
 * mask and namespace. RootDirectory= is bound recursively too: a kernel
 * mount inside it is refused, but at ROOT/proc and under ROOT/sys, which
 * the sandbox's own /proc and /sys cover. In the launch child, first thing
 * in its new mount namespace (a copy of the host's table): the bind sources
 * are compared with the mount table (/proc/self/mountinfo, the kernel's,
 * not a path of the unit's), so that PID 1 reads no mount table per launch
 * and launches check in parallel. The child then opens each source without
 * symlinks, so its path string is what it names. */
#ifndef SBX_ROOTFS_KERNBIND_H
#define SBX_ROOTFS_KERNBIND_H

#include <stdbool.h>

#include "fail.h"
#include "mounts.h"

/* Child side, no allocation. -1 with f = ("bind", "SRC: holds the kernel's
 * FSTYPE file system at MOUNTPOINT (...)", EPERM) (or "root") when a source
 * is on, in or above a kernel file system's mount: the parent prints
 * "UNIT: bind SRC: holds ...: Operation not permitted". The path string
 * lives in static storage (the child's own copy). */
int rootfs_check_bind_sources(const struct rootfs_plan *p, struct step_fail *f);

/* Child side, on the opened source itself: whether the file system it is
 * on (fstatfs f_type) is one of the kernel's. No allocation. */
bool rootfs_on_kernel_fs(int fd);

#endif
