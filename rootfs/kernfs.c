#include "kernfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mountapi.h"
#include "mounts.h"
#include "resolve.h"

#define ATTRS_SAFE (SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV | SBX_MOUNT_ATTR_NOEXEC)

int rootfs_kern_optional(const char *path)
{
	/* Decided per entry: an entry that every supported kernel (5.12+)
	 * has, such as /proc/timer_list, /proc/sys or /proc/irq, is
	 * required; these may be absent without anything to hide. */
	static const char *const optional[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/proc/sysrq-trigger", "/sys/firmware", "/sys/devices/virtual/powercap",
	};

	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (strcmp(path, optional[i]) == 0)
			return 1;
	return 0;
}

/* Which fd to resolve path from: the procfs or sysfs mount we made when
 * path lies in it (rel = the rest, "/" for the mount itself), else the
 * root. *kern says which. */
static int base_of(int rootfd, const struct rootfs_kern *k, const char *path, const char **rel,
		   int *kern)
{
	static const struct {
		const char *prefix;
		size_t len;
	} fs[] = { { "/proc", 5 }, { "/sys", 4 } };

	for (size_t i = 0; i < 2; i++) {
		int fd = i == 0 ? k->proc : k->sys;

		if (fd < 0 || strncmp(path, fs[i].prefix, fs[i].len) != 0)
			continue;
		if (path[fs[i].len] == '\0') {
			*rel = "/";
		} else if (path[fs[i].len] == '/') {
			*rel = path + fs[i].len;
		} else {
			continue;
		}
		*kern = 1;
		return fd;
	}
	*rel = path;
	*kern = 0;
	return rootfd;
}

/* Open path for masking; 0 (and *fd = -1) when it is missing and that is
 * allowed. */
static int open_target(int rootfd, const struct rootfs_kern *k, const char *path, int *fd,
		       struct step_fail *f)
{
	const char *rel;
	int kern, base = base_of(rootfd, k, path, &rel, &kern);

	*fd = rootfs_open(base, rel, 0, f);
	if (*fd >= 0)
		return 0;
	if (errno != ENOENT)
		return step_failed(f, "resolve", path, errno);
	/* Missing in the rootfs: nothing to hide. Missing in the procfs or
	 * sysfs we mounted (which no unit can rename or remove from): fail
	 * closed unless the kernel may lack it. */
	if (kern && !rootfs_kern_optional(path))
		return step_failed(f, "find the path to hide", path, ENOENT);
	return 0;
}

int rootfs_mask(int rootfd, const struct rootfs_kern *k, const char *path, int nullfd,
		struct step_fail *f)
{
	struct stat st;
	int t, m;

	if (open_target(rootfd, k, path, &t, f) < 0)
		return -1;
	if (t < 0)
		return 0;
	if (fstat(t, &st) < 0) {
		close(t);
		return step_failed(f, "mask", path, errno);
	}
	if (S_ISDIR(st.st_mode))
		m = rootfs_mount_fs("tmpfs", NULL, 0, ATTRS_SAFE | SBX_MOUNT_ATTR_RDONLY, t,
				    "mask", path, f);
	else
		/* read-only: a chmod through the mask would change the host's /dev/null */
		m = rootfs_bind_fd(nullfd, false, SBX_MOUNT_ATTR_RDONLY | SBX_MOUNT_ATTR_NOSUID |
				   SBX_MOUNT_ATTR_NOEXEC, t, "mask", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

int rootfs_make_readonly(int rootfd, const struct rootfs_kern *k, const char *path,
			 struct step_fail *f)
{
	int t, m;

	if (open_target(rootfd, k, path, &t, f) < 0)
		return -1;
	if (t < 0)
		return 0;
	m = rootfs_bind_fd(t, true, SBX_MOUNT_ATTR_RDONLY, t, "make read-only", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

/* struct statx as the kernel lays it out; musl 1.2.3 has no statx. Only
 * stx_mask and stx_mnt_id are read. */
struct sbx_statx {
	uint32_t mask;
	uint32_t other[35];
	uint64_t mnt_id;
	uint64_t spare[13];
};
_Static_assert(offsetof(struct sbx_statx, mnt_id) == 144, "statx layout");
_Static_assert(sizeof(struct sbx_statx) == 256, "statx size");
#define SBX_STATX_MNT_ID 0x1000u

static int mnt_id(int fd, uint64_t *id)
{
	struct sbx_statx sx;

	memset(&sx, 0, sizeof sx);
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, SBX_STATX_MNT_ID, &sx) < 0)
		return -1;
	if (!(sx.mask & SBX_STATX_MNT_ID)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*id = sx.mnt_id;
	return 0;
}

int rootfs_verify_mount(int rootfd, const char *path, int mntfd, unsigned long magic,
			struct step_fail *f)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs sf;
	uint64_t want, got;
	int fd = sys_openat2(rootfd, path, &how), ok;

	if (fd < 0)
		return step_failed(f, "check the mount on", path, errno);
	if (mnt_id(mntfd, &want) < 0 || mnt_id(fd, &got) < 0 || fstatfs(fd, &sf) < 0) {
		int err = errno;

		close(fd);
		return step_failed(f, "check the mount on", path, err);
	}
	close(fd);
	ok = want == got && (unsigned long)sf.f_type == magic;
	return ok ? 0 : step_failed(f, "check the mount on", path, EXDEV);
}
