/* The fd-based mount API (open_tree, move_mount, fsopen/fsconfig/fsmount,
 * mount_setattr), openat2 and pivot_root as raw syscalls: musl has no
 * wrappers for them, and <linux/mount.h> clashes with <sys/mount.h>, so the
 * few constants we use are spelled out here with the kernel's values.
 *
 * Why this API and not mount(2) on "/proc/self/fd/N": every mount lands on
 * an fd we resolved ourselves, with no path string re-resolved afterwards,
 * and it does not depend on a /proc being mounted where we are. Needs Linux
 * 5.12 (mount_setattr); openat2 5.6, clone3 5.3. */
#ifndef SBX_ROOTFS_MOUNTAPI_H
#define SBX_ROOTFS_MOUNTAPI_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define SBX_OPEN_TREE_CLONE 1u
#define SBX_MOVE_MOUNT_F_EMPTY_PATH 0x04u
#define SBX_MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define SBX_FSOPEN_CLOEXEC 1u
#define SBX_FSCONFIG_SET_FLAG 0u
#define SBX_FSCONFIG_SET_STRING 1u
#define SBX_FSCONFIG_CMD_CREATE 6u
#define SBX_FSMOUNT_CLOEXEC 1u

#define SBX_MOUNT_ATTR_RDONLY 0x01u
#define SBX_MOUNT_ATTR_NOSUID 0x02u
#define SBX_MOUNT_ATTR_NODEV 0x04u
#define SBX_MOUNT_ATTR_NOEXEC 0x08u
#define SBX_MOUNT_ATTR_NOATIME 0x10u
#define SBX_MOUNT_ATTR_STRICTATIME 0x20u
#define SBX_MOUNT_ATTR_NODIRATIME 0x80u

struct sbx_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

static inline int sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
				 unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int sys_fsopen(const char *fstype, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fstype, flags);
}

static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned flags, unsigned attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags,
				    struct sbx_mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr);
}

/* RESOLVE_IN_ROOT fails with EAGAIN when a rename or a mount anywhere on
 * the system raced with a ".." step; the kernel asks callers to retry.
 * O_LARGEFILE: the kernel adds it to openat2 only where off_t is 64-bit
 * (musl's open() adds it on 32-bit, a raw call has nobody to): without it
 * a file on armhf cannot grow past 2 GiB - 1 (EFBIG, and SIGXFSZ kills the
 * writer: a service's StandardOutput=file:). O_PATH takes no O_LARGEFILE
 * (EINVAL). */
static inline int sys_openat2(int dfd, const char *path, struct open_how *how)
{
	int fd, tries = 0;

	if (!(how->flags & O_PATH))
		how->flags |= O_LARGEFILE;
	do
		fd = (int)syscall(SYS_openat2, dfd, path, how, sizeof *how);
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	return fd;
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

#endif
