/* No kernel file system reaches a unit through a bind: BindPaths=/proc,
 * /sys/fs/cgroup, /sys/kernel/debug, or a folder above one (/, /sys), would
 * hand the unit the host's writable procfs, sysfs or cgroup tree past every
 * mask and namespace. RootDirectory= is bound recursively too: a kernel
 * mount inside it is refused, but at ROOT/proc and under ROOT/sys, which
 * the sandbox's own /proc and /sys cover. Parent side, before the launch: the bind sources are
 * compared with the mount table (/proc/self/mountinfo, the kernel's, not a
 * path of the unit's). The launch child opens each source without symlinks,
 * so its path string is what it names. */
#ifndef SBX_ROOTFS_KERNBIND_H
#define SBX_ROOTFS_KERNBIND_H

#include <stdbool.h>

#include "../lib/err.h"
#include "mounts.h"

/* -1 with e = "bind SRC: holds the kernel's FSTYPE file system at MOUNTPOINT
 * (...)" (or "root ROOT: ...") when a source is on, in or above a kernel
 * file system's mount. */
int rootfs_check_bind_sources(const struct rootfs_plan *p, struct err *e);

/* Child side, on the opened source itself: whether the file system it is
 * on (fstatfs f_type) is one of the kernel's. No allocation. */
bool rootfs_on_kernel_fs(int fd);

#endif
